//! The audit log of a tenant: who changed what, with the value before and after, and when.
//! Entries are written by [`crate::changes::Changes`], the one path by which the tenant's
//! admins (in the bot's panel) and API callers change a tenant, and read here, newest first.

use chrono::{DateTime, Utc};
use remnabot_domain::{Error, Page, Result, Tenant, TgUserId};
use sea_orm::{ActiveModelTrait, QueryOrder, Set};
use serde::Serialize;

use crate::db::unavailable;
use crate::entity::audit_log;
use crate::{Store, scope};

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "telegram_id", rename_all = "snake_case")]
pub enum Actor {
    /// One of the tenant's admins, in the bot's panel (or on a receipt or ticket message).
    Admin(TgUserId),
    /// The operator, through the API.
    Operator,
    /// The tenant, through the API with its bot's token.
    TenantApi,
}

impl Actor {
    /// The stored kind.
    pub fn kind(self) -> &'static str {
        match self {
            Actor::Admin(_) => "admin",
            Actor::Operator => "operator",
            Actor::TenantApi => "tenant_api",
        }
    }

    fn id(self) -> Option<i64> {
        match self {
            Actor::Admin(id) => Some(id.0),
            Actor::Operator | Actor::TenantApi => None,
        }
    }

    fn from_stored(kind: &str, id: Option<i64>) -> Actor {
        match (kind, id) {
            ("admin", Some(id)) => Actor::Admin(TgUserId(id)),
            ("operator", _) => Actor::Operator,
            _ => Actor::TenantApi,
        }
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: Actor,
    /// What was done, `<thing>.<verb>`: `plan.create`, `user.balance`, `config.set`, ...
    pub action: String,
    /// What it was done to: `plan:7`, `user:12`, `config:welcome_text`, ...
    pub target: Option<String>,
    /// The thing before the change (`None` when it was created).
    pub before: Option<serde_json::Value>,
    /// The thing after the change (`None` when it was deleted).
    pub after: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

/// A change to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub action: &'static str,
    pub target: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The longest stored value, in characters of JSON: a larger one is kept as the start of
/// its JSON text, marked as cut.
pub const MAX_VALUE_CHARS: usize = 8_000;

/// `value` as stored: itself when short enough, else `{"cut": "<the start of its JSON>"}`.
fn bounded(value: serde_json::Value) -> serde_json::Value {
    let json = value.to_string();
    if json.chars().count() <= MAX_VALUE_CHARS {
        return value;
    }
    serde_json::json!({ "cut": json.chars().take(MAX_VALUE_CHARS).collect::<String>() })
}

fn to_entry(m: audit_log::Model) -> AuditEntry {
    AuditEntry {
        id: m.id,
        actor: Actor::from_stored(&m.actor_kind, m.actor_id),
        action: m.action,
        target: m.target,
        before: m.before_value,
        after: m.after_value,
        created_at: m.created_at,
    }
}

/// The audit log.
#[derive(Debug, Clone, Copy)]
pub struct Audit<'a> {
    store: &'a Store,
}

impl Store {
    /// The audit log.
    pub fn audit(&self) -> Audit<'_> {
        Audit { store: self }
    }
}

impl Audit<'_> {
    /// Records `change` by `actor`, now.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an action or target too long to store; [`Error::Unavailable`].
    pub async fn record(&self, tenant: &Tenant, actor: Actor, change: Change) -> Result<AuditEntry> {
        if change.action.is_empty() || change.action.len() > 64 {
            return Err(Error::invalid("action", "must be 1 to 64 characters"));
        }
        let target: Option<String> = change.target.map(|t| t.chars().take(128).collect());
        audit_log::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(Utc::now()),
            actor_kind: Set(actor.kind().to_owned()),
            actor_id: Set(actor.id()),
            action: Set(change.action.to_owned()),
            target: Set(target),
            before_value: Set(change.before.map(bounded)),
            after_value: Set(change.after.map(bounded)),
            ..Default::default()
        }
        .insert(&self.store.db)
        .await
        .map(to_entry)
        .map_err(unavailable)
    }

    /// A page of the tenant's entries, newest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, tenant: &Tenant, page: Page) -> Result<Vec<AuditEntry>> {
        let q = scope::select::<audit_log::Entity>(tenant).order_by_desc(audit_log::Column::Id);
        let rows = scope::paged(q, page).all(&self.store.db).await.map_err(unavailable)?;
        Ok(rows.into_iter().map(to_entry).collect())
    }

    /// The entry `id` of this tenant.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also another tenant's), [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, id: i64) -> Result<AuditEntry> {
        scope::get::<audit_log::Entity, _>(&self.store.db, tenant, id).await.map(to_entry)
    }

    /// How many entries the tenant has.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn count(&self, tenant: &Tenant) -> Result<u64> {
        scope::count::<audit_log::Entity, _>(&self.store.db, tenant).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_values_are_kept_cut_and_marked() {
        let small = serde_json::json!({"name": "Gold"});
        assert_eq!(bounded(small.clone()), small);
        let big = serde_json::json!({"text": "x".repeat(MAX_VALUE_CHARS * 2)});
        let stored = bounded(big);
        let cut = stored["cut"].as_str().unwrap_or_default();
        assert_eq!(cut.chars().count(), MAX_VALUE_CHARS);
        assert!(cut.starts_with("{\"text\":\"xxx"));
    }

    #[test]
    fn actors_survive_storage() {
        for actor in [Actor::Admin(TgUserId(42)), Actor::Operator, Actor::TenantApi] {
            assert_eq!(Actor::from_stored(actor.kind(), actor.id()), actor);
        }
    }
}
