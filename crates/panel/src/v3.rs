//! The Remnawave 3.x adapter: users are addressed by numeric id and carry no uuid. Lookup by
//! Telegram id goes through `GET /api/users/stream`, page by page.

use remnabot_domain::panel::{
    HwidDevice, InternalSquad, NewPanelUser, Panel, PanelError, PanelNode, PanelResult, PanelUser, PanelUserKey,
    PanelUserUpdate, PanelVersion, SystemStats,
};
use reqwest::Method;
use serde::de::IgnoredAny;
use serde_json::json;

use crate::config::PanelConfig;
use crate::http::PanelHttp;
use crate::routes;
use crate::wire::{UserAction, WireDeleted, WireDevices, WireUser, WireUserPage, update_body};

/// Users asked for per page of `GET /api/users/stream`.
const STREAM_PAGE_SIZE: u32 = 100;
/// A bound on pages read for one Telegram id, so a panel that never stops paging cannot hang us.
const MAX_STREAM_PAGES: usize = 100;

/// A Remnawave 3.x panel.
#[derive(Debug, Clone)]
pub struct RemnawaveV3 {
    http: PanelHttp,
}

impl RemnawaveV3 {
    /// An adapter for the panel `config` names, calling it through `client` (which may be shared
    /// with the rest of the application). `config.version` is not consulted.
    pub fn new(config: &PanelConfig, client: reqwest::Client) -> Self {
        Self { http: PanelHttp::new(config, client) }
    }

    async fn action(&self, key: &PanelUserKey, action: UserAction) -> PanelResult<PanelUser> {
        let id = key.id.to_string();
        let body = action.body();
        let result = self
            .http
            .send::<WireUser>(Method::POST, &["api", "users", &id, "actions", action.segment()], &[], body.as_ref())
            .await;
        match result {
            Ok(user) => Ok(user.into()),
            Err(error) if action.already_done(&error) => self.user(key).await,
            Err(error) => Err(error),
        }
    }
}

#[async_trait::async_trait]
impl Panel for RemnawaveV3 {
    fn version(&self) -> PanelVersion {
        PanelVersion::V3
    }

    async fn create_user(&self, new: &NewPanelUser) -> PanelResult<PanelUser> {
        routes::create_user(&self.http, new).await
    }

    async fn user(&self, key: &PanelUserKey) -> PanelResult<PanelUser> {
        let id = key.id.to_string();
        let user: WireUser = self.http.send(Method::GET, &["api", "users", &id], &[], None).await?;
        Ok(user.into())
    }

    async fn user_by_username(&self, username: &str) -> PanelResult<Option<PanelUser>> {
        routes::user_by_username(&self.http, username).await
    }

    async fn users_by_telegram_id(&self, telegram_id: i64) -> PanelResult<Vec<PanelUser>> {
        let mut users = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_STREAM_PAGES {
            let mut query = vec![("telegramId", telegram_id.to_string()), ("size", STREAM_PAGE_SIZE.to_string())];
            if let Some(cursor) = &cursor {
                query.push(("cursor", cursor.clone()));
            }
            let page: WireUserPage = self.http.send(Method::GET, &["api", "users", "stream"], &query, None).await?;
            let next = page.next_cursor_text();
            users.extend(page.users.into_iter().map(PanelUser::from));
            match next {
                None => return Ok(users),
                Some(next) if cursor.as_deref() == Some(next.as_str()) => {
                    return Err(PanelError::Protocol(format!(
                        "GET /api/users/stream returned the same cursor {next} twice"
                    )));
                }
                Some(next) => cursor = Some(next),
            }
        }
        Err(PanelError::Protocol(format!(
            "GET /api/users/stream kept paging past {MAX_STREAM_PAGES} pages for one Telegram id"
        )))
    }

    async fn update_user(&self, key: &PanelUserKey, update: &PanelUserUpdate) -> PanelResult<PanelUser> {
        let body = update_body(("id", json!(key.id)), update);
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
        let id = key.id.to_string();
        // The contract answers `{"isDeleted": …}`; an empty answer (`204`) also means it is gone.
        let deleted: Option<WireDeleted> =
            self.http.send_or_empty(Method::DELETE, &["api", "users", &id], None).await?;
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
        let id = key.id.to_string();
        let devices: WireDevices = self.http.send(Method::GET, &["api", "hwid", "devices", &id], &[], None).await?;
        Ok(devices.into())
    }

    async fn delete_hwid_device(&self, key: &PanelUserKey, hwid: &str) -> PanelResult<()> {
        let body = json!({ "userId": key.id, "hwid": hwid });
        let _: IgnoredAny =
            self.http.send(Method::POST, &["api", "hwid", "devices", "delete"], &[], Some(&body)).await?;
        Ok(())
    }

    async fn delete_all_hwid_devices(&self, key: &PanelUserKey) -> PanelResult<()> {
        let body = json!({ "userId": key.id });
        let _: IgnoredAny =
            self.http.send(Method::POST, &["api", "hwid", "devices", "delete-all"], &[], Some(&body)).await?;
        Ok(())
    }
}
