//! The HTTP API of remnabot: the operator manages every tenant, a tenant (with its bot's API
//! token) sees and changes only its own bot. Routes live under `/api/v1`; the OpenAPI 3.1
//! document generated from them is served at `/api/openapi.json`; `/health`, `/ready` and
//! `/metrics` serve operations.
//!
//! Every handler that touches tenant data takes a [`auth::Caller`] and turns the path's
//! `{bot_id}` into a [`remnabot_domain::Tenant`] with [`auth::Caller::tenant`]: the operator
//! may name any bot, a tenant only its own (another bot is "not found").

pub mod auth;
pub mod callback;
pub mod dto;
pub mod error;
pub mod extract;
pub mod routes;
pub mod schema;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use remnabot_domain::BotId;
use remnabot_store::Store;
use remnabot_store::sales::SaleTexts;
use remnabot_store::tickets::TicketTexts;
use secrecy::{ExposeSecret, SecretString};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::FailureLimiter;
use crate::error::ApiError;
use crate::routes::{bots, catalog, customers, dashboard, payments, settings, support, system, wallet};

/// What a handler returns on success: a JSON body with status 200.
pub type ApiResult<T> = Result<axum::Json<T>, ApiError>;

/// The state of a bot in the fleet, as the metrics show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BotState {
    /// Taking updates and handling them.
    Running,
    /// Deactivated: only tells users it is unavailable.
    Paused,
    /// Cannot run (for example Telegram refused its token); retried with back-off.
    Unhealthy,
}

impl BotState {
    /// Every state.
    pub const ALL: [BotState; 3] = [BotState::Running, BotState::Paused, BotState::Unhealthy];

    /// The state's label.
    pub fn as_str(self) -> &'static str {
        match self {
            BotState::Running => "running",
            BotState::Paused => "paused",
            BotState::Unhealthy => "unhealthy",
        }
    }
}

/// The port through which the API reads the bot fleet (the server adapts the real fleet).
pub trait FleetStatus: Send + Sync {
    /// Updates taken in since start.
    fn updates_received(&self) -> u64;
    /// Every bot the fleet knows, with its state.
    fn health(&self) -> Vec<(BotId, BotState)>;
}

/// How the API is set up.
pub struct ApiConfig {
    /// `OPERATOR_API_TOKEN`: the operator's token (tokens made with the CLI work too).
    pub operator_token: Option<SecretString>,
    /// The fleet, for `/metrics`; without it the fleet's metrics are left out.
    pub fleet: Option<Arc<dyn FleetStatus>>,
    /// The customer messages the sales service queues when a card payment is approved or
    /// rejected (the bot's texts).
    pub sale_texts: Arc<dyn SaleTexts>,
    /// The customer message queued when a ticket is answered through the API (the bot's
    /// texts).
    pub ticket_texts: Arc<dyn TicketTexts>,
    /// Failed authentications from one address before its further failures answer 429 (a
    /// valid token is never refused).
    pub max_auth_failures: u32,
    /// How long failures are counted.
    pub auth_failure_window: Duration,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`).
    pub trusted_proxies: auth::TrustedProxies,
}

impl ApiConfig {
    /// Defaults: 20 failed authentications per address per 5 minutes.
    pub fn new(
        operator_token: Option<SecretString>,
        sale_texts: Arc<dyn SaleTexts>,
        ticket_texts: Arc<dyn TicketTexts>,
    ) -> ApiConfig {
        ApiConfig {
            operator_token,
            fleet: None,
            sale_texts,
            ticket_texts,
            max_auth_failures: 20,
            auth_failure_window: Duration::from_secs(300),
            trusted_proxies: auth::TrustedProxies::default(),
        }
    }
}

impl std::fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiConfig")
            .field("operator_token", &self.operator_token.as_ref().map(|_| "[set]"))
            .field("fleet", &self.fleet.is_some())
            .field("max_auth_failures", &self.max_auth_failures)
            .field("auth_failure_window", &self.auth_failure_window)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

struct Inner {
    store: Store,
    operator_digest: Option<[u8; 32]>,
    fleet: Option<Arc<dyn FleetStatus>>,
    sale_texts: Arc<dyn SaleTexts>,
    ticket_texts: Arc<dyn TicketTexts>,
    limiter: FailureLimiter,
    trusted_proxies: auth::TrustedProxies,
    openapi_json: OnceLock<String>,
}

/// What the handlers share. Cheap to clone.
#[derive(Clone)]
pub struct ApiState {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ApiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiState").field("store", &self.inner.store).finish_non_exhaustive()
    }
}

impl ApiState {
    /// The state over `store`.
    pub fn new(store: Store, config: ApiConfig) -> ApiState {
        ApiState {
            inner: Arc::new(Inner {
                store,
                operator_digest: config.operator_token.as_ref().map(|t| auth::digest(t.expose_secret())),
                fleet: config.fleet,
                sale_texts: config.sale_texts,
                ticket_texts: config.ticket_texts,
                limiter: FailureLimiter::new(config.max_auth_failures, config.auth_failure_window),
                trusted_proxies: config.trusted_proxies,
                openapi_json: OnceLock::new(),
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn operator_digest(&self) -> Option<&[u8; 32]> {
        self.inner.operator_digest.as_ref()
    }

    pub(crate) fn limiter(&self) -> &FailureLimiter {
        &self.inner.limiter
    }

    pub(crate) fn trusted_proxies(&self) -> &auth::TrustedProxies {
        &self.inner.trusted_proxies
    }

    pub(crate) fn sale_texts(&self) -> &dyn SaleTexts {
        self.inner.sale_texts.as_ref()
    }

    pub(crate) fn ticket_texts(&self) -> &dyn TicketTexts {
        self.inner.ticket_texts.as_ref()
    }

    pub(crate) fn fleet(&self) -> Option<&Arc<dyn FleetStatus>> {
        self.inner.fleet.as_ref()
    }
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components
            .add_security_scheme("api_token", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Token"))));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "remnabot API",
        description = "Operator and tenant API of remnabot. Send a token as `X-API-Token: <token>` or \
                       `Authorization: Bearer <token>`. The operator's token reaches every bot; a tenant's token \
                       only its own `{bot_id}`. Errors are `{\"error\": \"<code>\", \"message\": \"...\"}` with \
                       `field` when one input is at fault."
    ),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("api_token" = [])),
)]
struct ApiDoc;

fn api_routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(system::health))
        .routes(routes!(system::ready))
        .routes(routes!(system::metrics))
        .routes(routes!(openapi_json))
        .routes(routes!(bots::create_bot, bots::list_bots))
        .routes(routes!(bots::get_bot, bots::update_bot, bots::delete_bot))
        .routes(routes!(bots::activate_bot))
        .routes(routes!(bots::deactivate_bot))
        .routes(routes!(bots::rotate_api_token))
        .routes(routes!(bots::set_telegram_token))
        .routes(routes!(settings::list_features))
        .routes(routes!(settings::get_feature, settings::put_feature, settings::delete_feature))
        .routes(routes!(settings::list_config))
        .routes(routes!(settings::get_config, settings::put_config, settings::delete_config))
        .routes(routes!(catalog::list_plans, catalog::create_plan))
        .routes(routes!(catalog::get_plan, catalog::update_plan, catalog::delete_plan))
        .routes(routes!(catalog::activate_plan))
        .routes(routes!(catalog::deactivate_plan))
        .routes(routes!(catalog::move_plan))
        .routes(routes!(catalog::list_cards, catalog::create_card))
        .routes(routes!(catalog::get_card, catalog::update_card, catalog::delete_card))
        .routes(routes!(catalog::activate_card))
        .routes(routes!(catalog::deactivate_card))
        .routes(routes!(catalog::card_stats))
        .routes(routes!(customers::list_users))
        .routes(routes!(customers::get_user))
        .routes(routes!(customers::block_user))
        .routes(routes!(customers::unblock_user))
        .routes(routes!(customers::adjust_balance))
        .routes(routes!(customers::user_ledger))
        .routes(routes!(customers::set_user_promo_group))
        .routes(routes!(customers::message_user))
        .routes(routes!(customers::list_subscriptions, customers::grant_subscription))
        .routes(routes!(customers::get_subscription, customers::patch_subscription))
        .routes(routes!(customers::extend_subscription))
        .routes(routes!(customers::reset_subscription_traffic))
        .routes(routes!(customers::list_transactions))
        .routes(routes!(customers::get_transaction))
        .routes(routes!(payments::list_card_payments))
        .routes(routes!(payments::get_card_payment))
        .routes(routes!(payments::approve_card_payment))
        .routes(routes!(payments::reject_card_payment))
        .routes(routes!(payments::list_stars_payments))
        .routes(routes!(payments::get_stars_payment))
        .routes(routes!(support::list_tickets))
        .routes(routes!(support::get_ticket))
        .routes(routes!(support::ticket_messages))
        .routes(routes!(support::reply_to_ticket))
        .routes(routes!(support::close_ticket))
        .routes(routes!(support::list_promocodes, support::create_promocode))
        .routes(routes!(support::get_promocode, support::delete_promocode))
        .routes(routes!(support::activate_promocode))
        .routes(routes!(support::deactivate_promocode))
        .routes(routes!(support::list_promo_groups, support::create_promo_group))
        .routes(routes!(support::get_promo_group, support::update_promo_group, support::delete_promo_group))
        .routes(routes!(wallet::get_wallet))
        .routes(routes!(wallet::wallet_ledger))
        .routes(routes!(wallet::credit_wallet))
        .routes(routes!(wallet::bot_stats))
        .routes(routes!(wallet::platform_stats))
        .routes(routes!(dashboard::dashboard))
        .routes(routes!(dashboard::audit_log))
}

/// The OpenAPI document of every route.
/// The OpenAPI document of every route as utoipa models it; [`openapi_document`] is the one
/// served, with every bound filled in.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_routes().split_for_parts().1
}

/// The OpenAPI document as `/api/openapi.json` serves it: exactly what the API accepts.
pub fn openapi_document() -> serde_json::Value {
    schema::document(&openapi())
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(get, path = "/api/openapi.json", tag = "system", security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
async fn openapi_json(State(s): State<ApiState>) -> impl IntoResponse {
    let json = s.inner.openapi_json.get_or_init(|| openapi_document().to_string());
    ([(header::CONTENT_TYPE, "application/json")], json.clone())
}

/// Every route of the API with its state: `/health`, `/ready`, `/metrics`, `/api/openapi.json`
/// and `/api/v1/...`. Unknown routes and methods answer in the API's error shape.
pub fn router(state: ApiState) -> Router {
    let (router, _) = api_routes().split_for_parts();
    router
        .fallback(|| async { ApiError::RouteNotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
}
