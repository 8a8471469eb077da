//! The Remnawave 2.x adapter: users are addressed by uuid. A key without a uuid is first
//! resolved with `POST /api/users/resolve {id}`.

use remnabot_domain::panel::{
    HwidDevice, InternalSquad, NewPanelUser, Panel, PanelError, PanelNode, PanelResult, PanelUser, PanelUserKey,
    PanelUserUpdate, PanelVersion, SystemStats,
};
use reqwest::Method;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use crate::config::PanelConfig;
use crate::http::PanelHttp;
use crate::routes;
use crate::wire::{UserAction, WireDeleted, WireDevices, WireUser, update_body};

/// A Remnawave 2.x panel.
#[derive(Debug, Clone)]
pub struct RemnawaveV2 {
    http: PanelHttp,
}

#[derive(Deserialize)]
struct Resolved {
    uuid: String,
}

impl RemnawaveV2 {
    /// An adapter for the panel `config` names, calling it through `client` (which may be shared
    /// with the rest of the application). `config.version` is not consulted.
    pub fn new(config: &PanelConfig, client: reqwest::Client) -> Self {
        Self { http: PanelHttp::new(config, client) }
    }

    /// The user's uuid, asking the panel when the key lacks it.
    async fn uuid(&self, key: &PanelUserKey) -> PanelResult<String> {
        if let Some(uuid) = &key.uuid {
            return Ok(uuid.clone());
        }
        let body = json!({ "id": key.id });
        let resolved: Resolved = self.http.send(Method::POST, &["api", "users", "resolve"], &[], Some(&body)).await?;
        Ok(resolved.uuid)
    }

    async fn action(&self, key: &PanelUserKey, action: UserAction) -> PanelResult<PanelUser> {
        let uuid = self.uuid(key).await?;
        let body = action.body();
        let result = self
            .http
            .send::<WireUser>(Method::POST, &["api", "users", &uuid, "actions", action.segment()], &[], body.as_ref())
            .await;
        match result {
            Ok(user) => Ok(user.into()),
            Err(error) if action.already_done(&error) => self.user(key).await,
            Err(error) => Err(error),
        }
    }
}

#[async_trait::async_trait]
impl Panel for RemnawaveV2 {
    fn version(&self) -> PanelVersion {
        PanelVersion::V2
    }

    async fn create_user(&self, new: &NewPanelUser) -> PanelResult<PanelUser> {
        routes::create_user(&self.http, new).await
    }

    async fn user(&self, key: &PanelUserKey) -> PanelResult<PanelUser> {
        let uuid = self.uuid(key).await?;
        let user: WireUser = self.http.send(Method::GET, &["api", "users", &uuid], &[], None).await?;
        Ok(user.into())
    }

    async fn user_by_username(&self, username: &str) -> PanelResult<Option<PanelUser>> {
        routes::user_by_username(&self.http, username).await
    }

    async fn users_by_telegram_id(&self, telegram_id: i64) -> PanelResult<Vec<PanelUser>> {
        let telegram_id = telegram_id.to_string();
        let path = ["api", "users", "by-telegram-id", telegram_id.as_str()];
        // 2.8 answers `[]` when nobody matches; 2.2 answered 404 `USERS_NOT_FOUND`.
        match self.http.send::<Vec<WireUser>>(Method::GET, &path, &[], None).await {
            Ok(users) => Ok(users.into_iter().map(PanelUser::from).collect()),
            Err(PanelError::NotFound) => Ok(Vec::new()),
            Err(other) => Err(other),
        }
    }

    async fn update_user(&self, key: &PanelUserKey, update: &PanelUserUpdate) -> PanelResult<PanelUser> {
        let uuid = self.uuid(key).await?;
        let body = update_body(("uuid", json!(uuid)), update);
        let user: WireUser = self.http.send(Method::PATCH, &["api", "users"], &[], Some(&body)).await?;
        Ok(user.into())
    }

    async fn enable_user(&self, key: &PanelUserKey) -> PanelResult<PanelUser> {
        self.action(key, UserAction::Enable).await
    }

    async fn disable_user(&self, key: &PanelUserKey) -> PanelResult<PanelUser> {
        self.action(key, UserAction::Disable).await
    }

    async fn reset_traffic(&self, key: &PanelUserKey) -> PanelResult<PanelUser> {
        self.action(key, UserAction::ResetTraffic).await
    }

    async fn revoke_subscription(&self, key: &PanelUserKey) -> PanelResult<PanelUser> {
        self.action(key, UserAction::Revoke).await
    }

    async fn delete_user(&self, key: &PanelUserKey) -> PanelResult<()> {
        let uuid = self.uuid(key).await?;
        // 2.x answers `{"isDeleted": …}`; an empty answer (`204`) also means it is gone.
        let deleted: Option<WireDeleted> =
            self.http.send_or_empty(Method::DELETE, &["api", "users", &uuid], None).await?;
        deleted.map_or(Ok(()), WireDeleted::into_result)
    }

    async fn internal_squads(&self) -> PanelResult<Vec<InternalSquad>> {
        routes::internal_squads(&self.http).await
    }

    async fn nodes(&self) -> PanelResult<Vec<PanelNode>> {
        routes::nodes(&self.http).await
    }

    async fn system_stats(&self) -> PanelResult<SystemStats> {
        routes::system_stats(&self.http).await
    }

    async fn hwid_devices(&self, key: &PanelUserKey) -> PanelResult<Vec<HwidDevice>> {
        let uuid = self.uuid(key).await?;
        let devices: WireDevices = self.http.send(Method::GET, &["api", "hwid", "devices", &uuid], &[], None).await?;
        Ok(devices.into())
    }

    async fn delete_hwid_device(&self, key: &PanelUserKey, hwid: &str) -> PanelResult<()> {
        let uuid = self.uuid(key).await?;
        let body = json!({ "userUuid": uuid, "hwid": hwid });
        let _: IgnoredAny =
            self.http.send(Method::POST, &["api", "hwid", "devices", "delete"], &[], Some(&body)).await?;
        Ok(())
    }

    async fn delete_all_hwid_devices(&self, key: &PanelUserKey) -> PanelResult<()> {
        let uuid = self.uuid(key).await?;
        let body = json!({ "userUuid": uuid });
        let _: IgnoredAny =
            self.http.send(Method::POST, &["api", "hwid", "devices", "delete-all"], &[], Some(&body)).await?;
        Ok(())
    }
}
