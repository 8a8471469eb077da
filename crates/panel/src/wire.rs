//! The panel's JSON shapes, shared by v2 and v3, and their translation to the domain's panel
//! types. v2 users carry a `uuid`, v3 users do not; everything else reads the same.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use remnabot_domain::panel::{
    HwidDevice, InternalSquad, NewPanelUser, PanelError, PanelNode, PanelResult, PanelUser, PanelUserKey,
    PanelUserStatus, PanelUserUpdate, SystemStats, TrafficResetStrategy,
};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

/// An integer the panel may send as a number (sometimes fractional) or as a decimal string
/// (e.g. `totalBytesLifetime`).
fn lenient_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Int(i64),
        Float(f64),
        Text(String),
    }
    match Number::deserialize(deserializer)? {
        Number::Int(value) => Ok(value),
        // `as` saturates, which is what an out-of-range counter should do.
        Number::Float(value) => Ok(value as i64),
        Number::Text(text) => text.trim().parse::<i64>().map_err(serde::de::Error::custom),
    }
}

fn lenient_opt_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "lenient_i64")] i64);
    Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(value)| value))
}

/// A user as v2 (`ExtendedUser`) or v3 (`UsersSchema`, no uuid) sends it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireUser {
    #[serde(default)]
    uuid: Option<String>,
    id: i64,
    short_uuid: String,
    username: String,
    status: PanelUserStatus,
    #[serde(deserialize_with = "lenient_i64")]
    traffic_limit_bytes: i64,
    #[serde(default)]
    traffic_limit_strategy: TrafficResetStrategy,
    expire_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    telegram_id: Option<i64>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    hwid_device_limit: Option<u32>,
    #[serde(default)]
    active_internal_squads: Vec<WireSquadRef>,
    subscription_url: String,
    /// 2.x and later nest traffic here.
    #[serde(default)]
    user_traffic: Option<WireTraffic>,
    /// Older panels put the traffic figures on the user itself.
    #[serde(flatten)]
    flat_traffic: WireTraffic,
}

#[derive(Debug, Deserialize)]
struct WireSquadRef {
    uuid: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireTraffic {
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    used_traffic_bytes: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    lifetime_used_traffic_bytes: Option<i64>,
    #[serde(default)]
    online_at: Option<DateTime<Utc>>,
}

impl From<WireUser> for PanelUser {
    fn from(wire: WireUser) -> Self {
        let nested = wire.user_traffic.unwrap_or_default();
        let flat = wire.flat_traffic;
        PanelUser {
            key: PanelUserKey { id: wire.id, uuid: wire.uuid },
            short_uuid: wire.short_uuid,
            username: wire.username,
            status: wire.status,
            expire_at: wire.expire_at,
            traffic_limit_bytes: wire.traffic_limit_bytes,
            traffic_limit_strategy: wire.traffic_limit_strategy,
            used_traffic_bytes: nested.used_traffic_bytes.or(flat.used_traffic_bytes).unwrap_or(0),
            lifetime_used_traffic_bytes: nested
                .lifetime_used_traffic_bytes
                .or(flat.lifetime_used_traffic_bytes)
                .unwrap_or(0),
            telegram_id: wire.telegram_id,
            description: wire.description,
            tag: wire.tag,
            hwid_device_limit: wire.hwid_device_limit,
            internal_squads: wire.active_internal_squads.into_iter().map(|squad| squad.uuid).collect(),
            subscription_url: wire.subscription_url,
            online_at: nested.online_at.or(flat.online_at),
        }
    }
}

/// `POST /api/users` body; unset optional fields are left out so the panel's defaults apply.
pub(crate) fn create_body(new: &NewPanelUser) -> Value {
    let mut body = Map::new();
    body.insert("username".into(), json!(new.username));
    body.insert("expireAt".into(), json!(new.expire_at));
    body.insert("trafficLimitBytes".into(), json!(new.traffic_limit_bytes));
    body.insert("trafficLimitStrategy".into(), json!(new.traffic_limit_strategy));
    body.insert("activeInternalSquads".into(), json!(new.internal_squads));
    if let Some(limit) = new.hwid_device_limit {
        body.insert("hwidDeviceLimit".into(), json!(limit));
    }
    if let Some(telegram_id) = new.telegram_id {
        body.insert("telegramId".into(), json!(telegram_id));
    }
    if let Some(description) = &new.description {
        body.insert("description".into(), json!(description));
    }
    if let Some(tag) = &new.tag {
        body.insert("tag".into(), json!(tag));
    }
    Value::Object(body)
}

/// `PATCH /api/users` body: the user's address (`uuid` on v2, `id` on v3) and only the fields
/// `update` sets; `hwid_device_limit: Some(None)` is sent as `null`, which removes the limit.
pub(crate) fn update_body(address: (&str, Value), update: &PanelUserUpdate) -> Value {
    let mut body = Map::new();
    body.insert(address.0.into(), address.1);
    if let Some(expire_at) = update.expire_at {
        body.insert("expireAt".into(), json!(expire_at));
    }
    if let Some(bytes) = update.traffic_limit_bytes {
        body.insert("trafficLimitBytes".into(), json!(bytes));
    }
    if let Some(strategy) = update.traffic_limit_strategy {
        body.insert("trafficLimitStrategy".into(), json!(strategy));
    }
    if let Some(limit) = update.hwid_device_limit {
        body.insert("hwidDeviceLimit".into(), json!(limit));
    }
    if let Some(squads) = &update.internal_squads {
        body.insert("activeInternalSquads".into(), json!(squads));
    }
    if let Some(status) = update.status {
        body.insert("status".into(), json!(status));
    }
    if let Some(description) = &update.description {
        body.insert("description".into(), json!(description));
    }
    if let Some(tag) = &update.tag {
        body.insert("tag".into(), json!(tag));
    }
    if let Some(telegram_id) = update.telegram_id {
        body.insert("telegramId".into(), json!(telegram_id));
    }
    Value::Object(body)
}

/// A `POST /api/users/{user}/actions/{action}` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserAction {
    Enable,
    Disable,
    ResetTraffic,
    Revoke,
}

impl UserAction {
    /// The last path segment.
    pub(crate) fn segment(self) -> &'static str {
        match self {
            Self::Enable => "enable",
            Self::Disable => "disable",
            Self::ResetTraffic => "reset-traffic",
            Self::Revoke => "revoke",
        }
    }

    /// The request body: `revoke` takes optional fields, and `{}` keeps their defaults (a new
    /// short uuid, so a new subscription URL); the others take none.
    pub(crate) fn body(self) -> Option<Value> {
        (self == Self::Revoke).then(|| json!({}))
    }

    /// Whether `error` says this action had already been applied: `A030` (already enabled) for
    /// enable, `A029` (already disabled) for disable. A retry after a lost answer then succeeds.
    pub(crate) fn already_done(self, error: &PanelError) -> bool {
        let PanelError::Rejected { code: Some(code), .. } = error else {
            return false;
        };
        matches!((self, code.as_str()), (Self::Enable, "A030") | (Self::Disable, "A029"))
    }
}

/// `DELETE /api/users/{…}` answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireDeleted {
    is_deleted: bool,
}

impl WireDeleted {
    pub(crate) fn into_result(self) -> PanelResult<()> {
        if self.is_deleted {
            Ok(())
        } else {
            Err(PanelError::Protocol("the panel answered the delete with isDeleted: false".into()))
        }
    }
}

/// `GET /api/internal-squads` answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireSquads {
    internal_squads: Vec<WireSquad>,
}

#[derive(Debug, Deserialize)]
struct WireSquad {
    uuid: String,
    name: String,
    #[serde(default)]
    info: WireSquadInfo,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSquadInfo {
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    members_count: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    inbounds_count: Option<i64>,
}

impl From<WireSquads> for Vec<InternalSquad> {
    fn from(wire: WireSquads) -> Self {
        wire.internal_squads
            .into_iter()
            .map(|squad| InternalSquad {
                uuid: squad.uuid,
                name: squad.name,
                members_count: squad.info.members_count.unwrap_or(0),
                inbounds_count: squad.info.inbounds_count.unwrap_or(0),
            })
            .collect()
    }
}

/// `GET /api/nodes` answer: a bare array, or an object holding `nodes`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum WireNodes {
    List(Vec<WireNode>),
    Wrapped { nodes: Vec<WireNode> },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireNode {
    uuid: String,
    name: String,
    address: String,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    port: Option<i64>,
    #[serde(default)]
    is_connected: bool,
    #[serde(default)]
    is_disabled: bool,
    #[serde(default)]
    country_code: String,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    traffic_used_bytes: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_i64")]
    users_online: Option<i64>,
}

impl From<WireNodes> for Vec<PanelNode> {
    fn from(wire: WireNodes) -> Self {
        let (WireNodes::List(nodes) | WireNodes::Wrapped { nodes }) = wire;
        nodes
            .into_iter()
            .map(|node| PanelNode {
                uuid: node.uuid,
                name: node.name,
                address: node.address,
                port: node.port,
                is_connected: node.is_connected,
                is_disabled: node.is_disabled,
                country_code: node.country_code,
                traffic_used_bytes: node.traffic_used_bytes,
                users_online: node.users_online,
            })
            .collect()
    }
}

/// `GET /api/system/stats` answer (the parts we keep).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireStats {
    cpu: WireCpu,
    memory: WireMemory,
    #[serde(deserialize_with = "lenient_i64")]
    uptime: i64,
    users: WireUserCounts,
    online_stats: WireOnline,
}

#[derive(Debug, Deserialize)]
struct WireCpu {
    #[serde(deserialize_with = "lenient_i64")]
    cores: i64,
}

#[derive(Debug, Deserialize)]
struct WireMemory {
    #[serde(deserialize_with = "lenient_i64")]
    total: i64,
    #[serde(deserialize_with = "lenient_i64")]
    used: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireUserCounts {
    #[serde(default)]
    status_counts: BTreeMap<String, Value>,
    #[serde(deserialize_with = "lenient_i64")]
    total_users: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireOnline {
    #[serde(deserialize_with = "lenient_i64")]
    online_now: i64,
}

impl TryFrom<WireStats> for SystemStats {
    type Error = PanelError;

    fn try_from(wire: WireStats) -> PanelResult<Self> {
        let status_counts = wire
            .users
            .status_counts
            .into_iter()
            .map(|(status, count)| {
                let count = count
                    .as_i64()
                    .or_else(|| count.as_f64().map(|value| value as i64))
                    .or_else(|| count.as_str().and_then(|text| text.parse().ok()))
                    .ok_or_else(|| PanelError::Protocol(format!("statusCounts.{status} is not a number: {count}")))?;
                Ok((status, count))
            })
            .collect::<PanelResult<_>>()?;
        Ok(SystemStats {
            total_users: wire.users.total_users,
            status_counts,
            online_now: wire.online_stats.online_now,
            cpu_cores: wire.cpu.cores,
            memory_total_bytes: wire.memory.total,
            memory_used_bytes: wire.memory.used,
            uptime_seconds: wire.uptime,
        })
    }
}

/// `GET /api/hwid/devices/{…}` answer.
#[derive(Debug, Deserialize)]
pub(crate) struct WireDevices {
    devices: Vec<WireDevice>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireDevice {
    hwid: String,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    os_version: Option<String>,
    #[serde(default)]
    device_model: Option<String>,
    #[serde(default)]
    user_agent: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<WireDevices> for Vec<HwidDevice> {
    fn from(wire: WireDevices) -> Self {
        wire.devices
            .into_iter()
            .map(|device| HwidDevice {
                hwid: device.hwid,
                platform: device.platform,
                os_version: device.os_version,
                device_model: device.device_model,
                user_agent: device.user_agent,
                created_at: device.created_at,
            })
            .collect()
    }
}

/// `GET /api/users/stream` answer (v3).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireUserPage {
    pub(crate) users: Vec<WireUser>,
    #[serde(default)]
    pub(crate) next_cursor: Option<Value>,
    #[serde(default)]
    pub(crate) has_more: bool,
}

impl WireUserPage {
    /// The cursor for the next page, as query text, when the panel says there is one.
    pub(crate) fn next_cursor_text(&self) -> Option<String> {
        if !self.has_more {
            return None;
        }
        match self.next_cursor.as_ref()? {
            Value::String(text) if !text.is_empty() => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// An `ExtendedUser` as the v2 contract describes it.
    const V2_USER: &str = r#"{
        "uuid": "5b0a8e8e-4f4c-4b8e-9a57-2f1f3c1d2e3f", "id": 17, "shortUuid": "aB3dE5fG7h",
        "username": "rb1_100", "status": "ACTIVE", "trafficLimitBytes": 107374182400,
        "trafficLimitStrategy": "MONTH_ROLLING", "expireAt": "2026-09-01T12:00:00.000Z",
        "telegramId": 100, "email": null, "description": "shop @x", "tag": "T1",
        "hwidDeviceLimit": 3, "externalSquadUuid": null, "trojanPassword": "abcdefgh12",
        "vlessUuid": "0f0e0d0c-0b0a-4909-8807-060504030201", "ssPassword": "abcdefgh12",
        "lastTriggeredThreshold": 0, "subRevokedAt": null, "lastTrafficResetAt": null,
        "createdAt": "2026-08-01T12:00:00.000Z", "updatedAt": "2026-08-01T12:00:00.000Z",
        "subscriptionUrl": "https://sub.example.com/aB3dE5fG7h",
        "activeInternalSquads": [{"uuid": "9c1c9e52-3e0e-4b43-9d7c-1b6a1b2c3d4e", "name": "Default"}],
        "userTraffic": {"usedTrafficBytes": 1024, "lifetimeUsedTrafficBytes": 4096,
            "onlineAt": "2026-08-20T10:00:00.000Z", "firstConnectedAt": null, "lastConnectedNodeUuid": null}
    }"#;

    #[test]
    fn a_v2_extended_user_maps_every_field() {
        let wire: WireUser = serde_json::from_str(V2_USER).unwrap();
        let user = PanelUser::from(wire);
        assert_eq!(user.key, PanelUserKey { id: 17, uuid: Some("5b0a8e8e-4f4c-4b8e-9a57-2f1f3c1d2e3f".into()) });
        assert_eq!(user.short_uuid, "aB3dE5fG7h");
        assert_eq!(user.username, "rb1_100");
        assert_eq!(user.status, PanelUserStatus::Active);
        assert_eq!(user.expire_at, Utc.with_ymd_and_hms(2026, 9, 1, 12, 0, 0).unwrap());
        assert_eq!(user.traffic_limit_bytes, 107_374_182_400);
        assert_eq!(user.traffic_limit_strategy, TrafficResetStrategy::MonthRolling);
        assert_eq!(user.used_traffic_bytes, 1024);
        assert_eq!(user.lifetime_used_traffic_bytes, 4096);
        assert_eq!(user.telegram_id, Some(100));
        assert_eq!(user.description.as_deref(), Some("shop @x"));
        assert_eq!(user.tag.as_deref(), Some("T1"));
        assert_eq!(user.hwid_device_limit, Some(3));
        assert_eq!(user.internal_squads, vec!["9c1c9e52-3e0e-4b43-9d7c-1b6a1b2c3d4e".to_owned()]);
        assert_eq!(user.subscription_url, "https://sub.example.com/aB3dE5fG7h");
        assert_eq!(user.online_at, Some(Utc.with_ymd_and_hms(2026, 8, 20, 10, 0, 0).unwrap()));
    }

    #[test]
    fn a_v3_user_without_uuid_and_with_nulls_maps() {
        let mut value: Value = serde_json::from_str(V2_USER).unwrap();
        let object = value.as_object_mut().unwrap();
        object.remove("uuid");
        object.remove("userTraffic");
        for field in ["telegramId", "description", "tag", "hwidDeviceLimit"] {
            object.insert(field.into(), Value::Null);
        }
        object.insert("status".into(), json!("EXPIRED"));
        object.insert("trafficLimitStrategy".into(), json!("NO_RESET"));
        object.insert("usedTrafficBytes".into(), json!("2048"));
        let user = PanelUser::from(serde_json::from_value::<WireUser>(value).unwrap());
        assert_eq!(user.key, PanelUserKey { id: 17, uuid: None });
        assert_eq!(user.status, PanelUserStatus::Expired);
        assert_eq!(user.traffic_limit_strategy, TrafficResetStrategy::NoReset);
        assert_eq!((user.telegram_id, user.description, user.tag, user.hwid_device_limit), (None, None, None, None));
        assert_eq!(user.used_traffic_bytes, 2048);
        assert_eq!(user.online_at, None);
    }

    #[test]
    fn every_status_and_strategy_of_the_contract_is_understood() {
        for (text, status) in [
            ("ACTIVE", PanelUserStatus::Active),
            ("DISABLED", PanelUserStatus::Disabled),
            ("LIMITED", PanelUserStatus::Limited),
            ("EXPIRED", PanelUserStatus::Expired),
        ] {
            assert_eq!(serde_json::from_value::<PanelUserStatus>(json!(text)).unwrap(), status);
        }
        for (text, strategy) in [
            ("NO_RESET", TrafficResetStrategy::NoReset),
            ("DAY", TrafficResetStrategy::Day),
            ("WEEK", TrafficResetStrategy::Week),
            ("MONTH", TrafficResetStrategy::Month),
            ("MONTH_ROLLING", TrafficResetStrategy::MonthRolling),
        ] {
            assert_eq!(serde_json::from_value::<TrafficResetStrategy>(json!(text)).unwrap(), strategy);
            assert_eq!(json!(strategy), json!(text));
        }
    }

    #[test]
    fn an_update_sends_only_the_fields_set_and_null_to_remove_the_device_limit() {
        let update = PanelUserUpdate { hwid_device_limit: Some(None), ..PanelUserUpdate::default() };
        assert_eq!(update_body(("id", json!(5)), &update), json!({"id": 5, "hwidDeviceLimit": null}));

        let expire_at = Utc.with_ymd_and_hms(2030, 1, 2, 3, 4, 5).unwrap();
        let update = PanelUserUpdate {
            expire_at: Some(expire_at),
            traffic_limit_bytes: Some(0),
            traffic_limit_strategy: Some(TrafficResetStrategy::Week),
            hwid_device_limit: Some(Some(2)),
            internal_squads: Some(vec![]),
            status: Some(PanelUserStatus::Disabled),
            description: Some("d".into()),
            tag: Some("T9".into()),
            telegram_id: Some(77),
        };
        assert_eq!(
            update_body(("uuid", json!("u-1")), &update),
            json!({"uuid": "u-1", "expireAt": "2030-01-02T03:04:05Z", "trafficLimitBytes": 0,
                   "trafficLimitStrategy": "WEEK", "hwidDeviceLimit": 2, "activeInternalSquads": [],
                   "status": "DISABLED", "description": "d", "tag": "T9", "telegramId": 77})
        );
        assert_eq!(update_body(("id", json!(5)), &PanelUserUpdate::default()), json!({"id": 5}));
    }

    #[test]
    fn a_create_leaves_out_unset_optional_fields() {
        let new = NewPanelUser {
            username: "rb1_2".into(),
            expire_at: Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
            traffic_limit_bytes: 10,
            traffic_limit_strategy: TrafficResetStrategy::Month,
            hwid_device_limit: None,
            internal_squads: vec!["s".into()],
            telegram_id: None,
            description: None,
            tag: None,
        };
        assert_eq!(
            create_body(&new),
            json!({"username": "rb1_2", "expireAt": "2030-01-01T00:00:00Z", "trafficLimitBytes": 10,
                   "trafficLimitStrategy": "MONTH", "activeInternalSquads": ["s"]})
        );
    }

    #[test]
    fn system_stats_map_from_the_contract_shape() {
        let wire: WireStats = serde_json::from_value(json!({
            "cpu": {"cores": 8, "physicalCores": 4},
            "memory": {"total": 16_000_000_000_i64, "free": 6_000_000_000_i64, "used": 10_000_000_000_i64,
                       "active": 1, "available": 1},
            "uptime": 3600.75, "timestamp": 1_700_000_000_000_i64,
            "users": {"statusCounts": {"ACTIVE": 5, "DISABLED": 1, "LIMITED": 0, "EXPIRED": 2}, "totalUsers": 8},
            "onlineStats": {"lastDay": 3, "lastWeek": 4, "neverOnline": 1, "onlineNow": 2},
            "nodes": {"totalOnline": 1, "totalBytesLifetime": "123456"}
        }))
        .unwrap();
        let stats = SystemStats::try_from(wire).unwrap();
        assert_eq!(stats.total_users, 8);
        assert_eq!(stats.status_counts.get("ACTIVE"), Some(&5));
        assert_eq!(stats.status_counts.get("EXPIRED"), Some(&2));
        assert_eq!(stats.online_now, 2);
        assert_eq!(stats.cpu_cores, 8);
        assert_eq!(stats.memory_total_bytes, 16_000_000_000);
        assert_eq!(stats.memory_used_bytes, 10_000_000_000);
        assert_eq!(stats.uptime_seconds, 3600);
    }

    #[test]
    fn squads_nodes_and_devices_map_from_the_contract_shapes() {
        let squads: WireSquads = serde_json::from_value(json!({"total": 1, "internalSquads": [
            {"uuid": "s1", "viewPosition": 1, "name": "Default", "info": {"membersCount": 4, "inboundsCount": 2},
             "inbounds": [], "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}]}))
        .unwrap();
        assert_eq!(
            Vec::<InternalSquad>::from(squads),
            vec![InternalSquad { uuid: "s1".into(), name: "Default".into(), members_count: 4, inbounds_count: 2 }]
        );

        let node = json!({"uuid": "n1", "name": "DE", "address": "de.example.com", "port": 2222,
            "isConnected": true, "isDisabled": false, "countryCode": "DE", "trafficUsedBytes": 99,
            "usersOnline": null, "tags": []});
        let expected = vec![PanelNode {
            uuid: "n1".into(),
            name: "DE".into(),
            address: "de.example.com".into(),
            port: Some(2222),
            is_connected: true,
            is_disabled: false,
            country_code: "DE".into(),
            traffic_used_bytes: Some(99),
            users_online: None,
        }];
        let bare: WireNodes = serde_json::from_value(json!([node.clone()])).unwrap();
        assert_eq!(Vec::<PanelNode>::from(bare), expected);
        let wrapped: WireNodes = serde_json::from_value(json!({"nodes": [node]})).unwrap();
        assert_eq!(Vec::<PanelNode>::from(wrapped), expected);

        let devices: WireDevices = serde_json::from_value(json!({"total": 1, "devices": [
            {"hwid": "h1", "userId": 3, "platform": "iOS", "osVersion": null, "deviceModel": "iPhone",
             "userAgent": null, "requestIp": null, "createdAt": "2026-02-03T04:05:06Z", "updatedAt": "2026-02-03T04:05:06Z"}]}))
        .unwrap();
        let devices = Vec::<HwidDevice>::from(devices);
        assert_eq!(devices.len(), 1);
        assert_eq!(devices[0].hwid, "h1");
        assert_eq!(devices[0].platform.as_deref(), Some("iOS"));
        assert_eq!(devices[0].device_model.as_deref(), Some("iPhone"));
    }

    #[test]
    fn a_stream_page_gives_a_cursor_only_when_there_is_more() {
        let page: WireUserPage =
            serde_json::from_value(json!({"users": [], "nextCursor": 40, "hasMore": true})).unwrap();
        assert_eq!(page.next_cursor_text().as_deref(), Some("40"));
        let page: WireUserPage =
            serde_json::from_value(json!({"users": [], "nextCursor": "abc", "hasMore": false})).unwrap();
        assert_eq!(page.next_cursor_text(), None);
        let page: WireUserPage =
            serde_json::from_value(json!({"users": [], "nextCursor": null, "hasMore": true})).unwrap();
        assert_eq!(page.next_cursor_text(), None);
    }

    #[test]
    fn a_refused_delete_is_a_protocol_error() {
        let deleted: WireDeleted = serde_json::from_value(json!({"isDeleted": false})).unwrap();
        assert!(matches!(deleted.into_result(), Err(PanelError::Protocol(_))));
    }
}
