//! Storage for remnabot: SeaORM entities, migrations that run on SQLite and PostgreSQL,
//! the platform repository (bots, cross-tenant reads) and the tenant-scoped repositories
//! and services. Every tenant-owned method takes a [`remnabot_domain::Tenant`].

pub mod audit;
pub mod cache;
pub mod cards;
pub mod changes;
pub mod config;
pub mod crypto;
pub mod customers;
pub mod dashboard;
pub mod db;
pub mod dialogues;
pub mod entity;
pub mod flags;
pub mod ledger;
pub mod migration;
pub mod outbox;
pub mod payments;
pub mod plans;
pub mod platform;
pub mod promo_effects;
pub mod promos;
pub mod sales;
pub mod scope;
pub mod stats;
pub mod subscriptions;
#[doc(hidden)]
pub mod testing;
pub mod tickets;
pub mod transactions;
pub mod usage;
pub mod users;
pub mod wallet;

pub use cache::FlagCache;
pub use crypto::SecretKey;
pub use db::{Backend, Store};
