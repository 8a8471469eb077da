//! Who is calling: the operator (the `OPERATOR_API_TOKEN`, or a token made with `remnabot
//! token create`) or one tenant (its bot's API token). A tenant is taken only from its token,
//! never from a path or a body: [`Caller::tenant`] turns a `{bot_id}` into a [`Tenant`] only
//! when the caller may see that bot, and answers "bot not found" otherwise, so a tenant
//! cannot even learn which other bots exist.
//!
//! Failed authentications are counted per client address; past the limit, that address is
//! refused with 429 until its window runs out, so guessing tokens is slow.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use remnabot_domain::{Bot, BotId, Error, Tenant};
use remnabot_store::platform::OPERATOR_TOKEN_PREFIX;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::ApiState;
use crate::error::ApiError;

/// The longest token worth looking up; anything longer is refused without a query.
const MAX_TOKEN_LEN: usize = 256;

/// An authenticated caller. Its presence in a handler's arguments proves authentication.
#[derive(Debug, Clone)]
pub enum Caller {
    /// The operator: every tenant.
    Operator,
    /// One tenant: only its own bot.
    Tenant(Bot),
}

impl Caller {
    /// The tenant of `bot_id`, if this caller may act on it: the operator on any existing bot,
    /// a tenant only on its own.
    ///
    /// # Errors
    /// `bot_not_found` (404) for a bot that does not exist or is not the caller's.
    pub async fn tenant(&self, state: &ApiState, bot_id: i64) -> Result<Tenant, ApiError> {
        match self {
            Caller::Operator => Ok(Tenant::of(&state.store().platform().get(BotId(bot_id)).await?)),
            Caller::Tenant(bot) if bot.id.0 == bot_id => Ok(Tenant::of(bot)),
            Caller::Tenant(_) => Err(Error::not_found("bot").into()),
        }
    }

    /// Who this caller is in the audit log.
    pub fn actor(&self) -> remnabot_store::audit::Actor {
        match self {
            Caller::Operator => remnabot_store::audit::Actor::Operator,
            Caller::Tenant(_) => remnabot_store::audit::Actor::TenantApi,
        }
    }

    /// Refuses a tenant.
    ///
    /// # Errors
    /// `operator_only` (403) for a tenant's token.
    pub fn require_operator(&self) -> Result<(), ApiError> {
        match self {
            Caller::Operator => Ok(()),
            Caller::Tenant(_) => Err(ApiError::OperatorOnly),
        }
    }
}

/// The token of a request: `X-API-Token`, else `Authorization: Bearer`.
fn token_of(headers: &HeaderMap) -> Option<&str> {
    if let Some(v) = headers.get("x-api-token") {
        return Some(v.to_str().unwrap_or_default().trim());
    }
    let auth = headers.get(axum::http::header::AUTHORIZATION)?.to_str().unwrap_or_default().trim();
    let (scheme, token) = auth.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// SHA-256 of the configured operator token, compared in constant time with the presented
/// token's hash (equal lengths whatever was presented).
pub(crate) fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl FromRequestParts<ApiState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Caller, ApiError> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        state.limiter().check(ip)?;
        let Some(token) = token_of(&parts.headers) else { return Err(ApiError::Unauthorized) };
        match authenticate(state, token).await? {
            Some(caller) => Ok(caller),
            None => {
                state.limiter().fail(ip);
                Err(ApiError::Unauthorized)
            }
        }
    }
}

async fn authenticate(state: &ApiState, token: &str) -> Result<Option<Caller>, ApiError> {
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Ok(None);
    }
    if let Some(expected) = state.operator_digest()
        && bool::from(digest(token).ct_eq(expected))
    {
        return Ok(Some(Caller::Operator));
    }
    if token.starts_with(OPERATOR_TOKEN_PREFIX) {
        let found = state.store().platform().operator_by_token(token).await?;
        return Ok(found.map(|_| Caller::Operator));
    }
    Ok(state.store().platform().by_api_token(token).await?.map(Caller::Tenant))
}

/// Failed authentications per client address within a window.
#[derive(Debug)]
pub struct FailureLimiter {
    max_failures: u32,
    window: Duration,
    seen: Mutex<HashMap<Option<IpAddr>, (u32, Instant)>>,
}

/// Addresses tracked before expired entries are swept.
const SWEEP_AT: usize = 10_000;

impl FailureLimiter {
    /// At most `max_failures` failed authentications per address within `window`.
    pub fn new(max_failures: u32, window: Duration) -> FailureLimiter {
        FailureLimiter { max_failures: max_failures.max(1), window, seen: Mutex::new(HashMap::new()) }
    }

    fn check(&self, ip: Option<IpAddr>) -> Result<(), ApiError> {
        let seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match seen.get(&ip) {
            Some((n, since)) if *n >= self.max_failures && since.elapsed() < self.window => {
                let left = self.window.saturating_sub(since.elapsed()).as_secs().max(1);
                Err(ApiError::TooManyFailures { retry_after_secs: left })
            }
            _ => Ok(()),
        }
    }

    fn fail(&self, ip: Option<IpAddr>) {
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.len() >= SWEEP_AT {
            let window = self.window;
            seen.retain(|_, (_, since)| since.elapsed() < window);
        }
        let entry = seen.entry(ip).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        entry.0 = entry.0.saturating_add(1);
        if entry.0 == self.max_failures {
            tracing::warn!(client = ?ip, "too many failed API authentications; refusing this address for a while");
        }
    }
}
