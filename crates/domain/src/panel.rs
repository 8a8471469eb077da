//! The VPN panel port: what the platform needs from a Remnawave panel, whatever its API
//! version. Adapters live in `remnabot-panel`; a stateful fake lives in `remnabot-testkit`.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The panel API line. v2 addresses users by uuid, v3 by numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PanelVersion {
    V2,
    V3,
}

/// How a panel user is addressed. Both are kept: v3 needs `id`, v2 needs `uuid` (v2 responses
/// carry both; v3 responses have no uuid).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PanelUserKey {
    pub id: i64,
    pub uuid: Option<String>,
}

/// A panel user's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PanelUserStatus {
    Active,
    Disabled,
    Limited,
    Expired,
}

/// When the panel resets a user's traffic counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TrafficResetStrategy {
    #[default]
    NoReset,
    Day,
    Week,
    Month,
    MonthRolling,
}

/// A user as the panel reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelUser {
    pub key: PanelUserKey,
    pub short_uuid: String,
    pub username: String,
    pub status: PanelUserStatus,
    pub expire_at: DateTime<Utc>,
    /// 0 means unlimited.
    pub traffic_limit_bytes: i64,
    pub traffic_limit_strategy: TrafficResetStrategy,
    pub used_traffic_bytes: i64,
    pub lifetime_used_traffic_bytes: i64,
    pub telegram_id: Option<i64>,
    pub description: Option<String>,
    pub tag: Option<String>,
    pub hwid_device_limit: Option<u32>,
    /// Uuids of the user's active internal squads.
    pub internal_squads: Vec<String>,
    pub subscription_url: String,
    pub online_at: Option<DateTime<Utc>>,
}

/// What creating a panel user needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPanelUser {
    /// 3 to 36 characters of `[A-Za-z0-9_-]`.
    pub username: String,
    pub expire_at: DateTime<Utc>,
    /// 0 means unlimited.
    pub traffic_limit_bytes: i64,
    pub traffic_limit_strategy: TrafficResetStrategy,
    pub hwid_device_limit: Option<u32>,
    pub internal_squads: Vec<String>,
    pub telegram_id: Option<i64>,
    pub description: Option<String>,
    /// At most 16 characters of `[A-Z0-9_]`.
    pub tag: Option<String>,
}

/// Changes to a panel user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelUserUpdate {
    /// Must be in the future.
    pub expire_at: Option<DateTime<Utc>>,
    pub traffic_limit_bytes: Option<i64>,
    pub traffic_limit_strategy: Option<TrafficResetStrategy>,
    /// `Some(None)` removes the limit.
    pub hwid_device_limit: Option<Option<u32>>,
    pub internal_squads: Option<Vec<String>>,
    /// Only `Active` or `Disabled` can be set.
    pub status: Option<PanelUserStatus>,
    pub description: Option<String>,
    pub tag: Option<String>,
    pub telegram_id: Option<i64>,
}

/// An internal squad (a group of inbounds users can be given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternalSquad {
    pub uuid: String,
    pub name: String,
    pub members_count: i64,
    pub inbounds_count: i64,
}

/// A panel node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelNode {
    pub uuid: String,
    pub name: String,
    pub address: String,
    pub port: Option<i64>,
    pub is_connected: bool,
    pub is_disabled: bool,
    pub country_code: String,
    pub traffic_used_bytes: Option<i64>,
    pub users_online: Option<i64>,
}

/// Panel-wide figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemStats {
    pub total_users: i64,
    /// Users per status (`ACTIVE`, `DISABLED`, `LIMITED`, `EXPIRED`).
    pub status_counts: BTreeMap<String, i64>,
    pub online_now: i64,
    pub cpu_cores: i64,
    pub memory_total_bytes: i64,
    pub memory_used_bytes: i64,
    pub uptime_seconds: i64,
}

/// A device (HWID) registered to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HwidDevice {
    pub hwid: String,
    pub platform: Option<String>,
    pub os_version: Option<String>,
    pub device_model: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What went wrong talking to the panel. Messages never contain the API token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PanelError {
    /// The user does not exist on the panel (`A025`, or 404).
    #[error("the panel has no such user")]
    NotFound,
    /// A user with this username already exists (`A019`).
    #[error("the panel already has a user named {username}")]
    AlreadyExists { username: String },
    /// The token was refused (401/403).
    #[error("the panel refused our credentials (HTTP {status}); check REMNAWAVE_API_TOKEN")]
    Unauthorized { status: u16 },
    /// The panel refused the request as invalid (other 4xx), with its error code when given.
    #[error("the panel refused the request (HTTP {status}{}): {message}", code.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
    Rejected { status: u16, code: Option<String>, message: String },
    /// The panel failed (5xx).
    #[error("the panel failed (HTTP {status}): {message}")]
    Server { status: u16, message: String },
    /// No answer in time.
    #[error("the panel did not answer within {0:?}")]
    Timeout(Duration),
    /// The connection failed (refused, reset, DNS).
    #[error("the panel is unreachable: {0}")]
    Unreachable(String),
    /// The answer was not what the API contract says.
    #[error("the panel answered something unexpected: {0}")]
    Protocol(String),
}

impl PanelError {
    /// Whether retrying later may succeed (outages, timeouts, 5xx, rate limits).
    pub fn is_transient(&self) -> bool {
        match self {
            PanelError::Timeout(_) | PanelError::Unreachable(_) | PanelError::Server { .. } => true,
            PanelError::Rejected { status, .. } => *status == 429 || *status == 408,
            _ => false,
        }
    }
}

/// Result of a panel call.
pub type PanelResult<T> = std::result::Result<T, PanelError>;

/// The operations the platform needs from a VPN panel.
///
/// Every method talks to the panel once; retries belong to the caller (the provisioning
/// outbox). `# Errors` for every method: a [`PanelError`].
#[async_trait::async_trait]
pub trait Panel: Send + Sync + std::fmt::Debug {
    /// The API line this adapter speaks.
    fn version(&self) -> PanelVersion;
    /// Creates a user.
    async fn create_user(&self, new: &NewPanelUser) -> PanelResult<PanelUser>;
    /// The user `key` ([`PanelError::NotFound`] when absent).
    async fn user(&self, key: &PanelUserKey) -> PanelResult<PanelUser>;
    /// The user named `username`, if any.
    async fn user_by_username(&self, username: &str) -> PanelResult<Option<PanelUser>>;
    /// Every user linked to this Telegram id (empty when none).
    async fn users_by_telegram_id(&self, telegram_id: i64) -> PanelResult<Vec<PanelUser>>;
    /// Applies `update`.
    async fn update_user(&self, key: &PanelUserKey, update: &PanelUserUpdate) -> PanelResult<PanelUser>;
    /// Enables the user.
    async fn enable_user(&self, key: &PanelUserKey) -> PanelResult<PanelUser>;
    /// Disables the user.
    async fn disable_user(&self, key: &PanelUserKey) -> PanelResult<PanelUser>;
    /// Resets the user's traffic counter.
    async fn reset_traffic(&self, key: &PanelUserKey) -> PanelResult<PanelUser>;
    /// Revokes the subscription link: the user gets a new short uuid and subscription URL.
    async fn revoke_subscription(&self, key: &PanelUserKey) -> PanelResult<PanelUser>;
    /// Deletes the user.
    async fn delete_user(&self, key: &PanelUserKey) -> PanelResult<()>;
    /// Every internal squad.
    async fn internal_squads(&self) -> PanelResult<Vec<InternalSquad>>;
    /// Every node.
    async fn nodes(&self) -> PanelResult<Vec<PanelNode>>;
    /// Panel-wide figures.
    async fn system_stats(&self) -> PanelResult<SystemStats>;
    /// The user's registered devices.
    async fn hwid_devices(&self, key: &PanelUserKey) -> PanelResult<Vec<HwidDevice>>;
    /// Removes one device of the user.
    async fn delete_hwid_device(&self, key: &PanelUserKey, hwid: &str) -> PanelResult<()>;
    /// Removes every device of the user.
    async fn delete_all_hwid_devices(&self, key: &PanelUserKey) -> PanelResult<()>;
}

pub use crate::panel_naming::{panel_username, tenant_description, tenant_tag};

/// The internal squads a tenant's new panel users go in. On Remnawave a user outside every
/// internal squad has no inbound, so a subscription without a squad reaches no server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SquadChoice {
    /// These squads (uuids): the tenant's `panel_squads`, else the platform's default for
    /// tenants on its panel, else the panel's only internal squad.
    Squads(Vec<String>),
    /// Nothing names a squad and the panel has `panel_has` internal squads: none, or several
    /// to choose from. A panel user made now would reach no server.
    NoSquad { panel_has: usize },
}

/// Chooses the internal squads of a tenant's new panel users (see [`SquadChoice`]).
#[async_trait::async_trait]
pub trait SquadPolicy: Send + Sync + std::fmt::Debug {
    /// The choice for `tenant` now.
    ///
    /// # Errors
    /// [`crate::Error::Unavailable`] when the answer needs the panel and the panel cannot be
    /// asked (not configured, down, refusing our token).
    async fn squads_for(&self, tenant: &crate::Tenant) -> crate::Result<SquadChoice>;
}
