#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Tests of the platform repository and the tenant services: bots and their secrets, feature
//! flags and their cache, configuration, payment cards and rotation, plans, the wallet and the
//! customer balance ledger (including the concurrency acceptance tests), on SQLite and, when
//! `TEST_DATABASE_URL` is set, on PostgreSQL.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use remnabot_domain::card::RotationStrategy;
use remnabot_domain::config::{Language, TrialParams};
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::{Backend as _Unused, BotId, CardId, Error, Page, Tenant, TgUserId, Toman};
use remnabot_store::cards::CardSpec;
use remnabot_store::ledger::Posting;
use remnabot_store::plans::PlanSpec;
use remnabot_store::platform::{BotChanges, NewBot};
use remnabot_store::{Backend, FlagCache, Store, testing};
use sea_orm::{ConnectionTrait, QueryResult, Statement};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
