//! Who is calling: the operator (the `OPERATOR_API_TOKEN`, or a token made with `remnabot
//! token create`) or one tenant (its bot's API token). A tenant is taken only from its token,
//! never from a path or a body: [`Caller::tenant`] turns a `{bot_id}` into a [`Tenant`] only
//! when the caller may see that bot, and answers "bot not found" otherwise, so a tenant
//! cannot even learn which other bots exist.
//!
//! Failed authentications are counted per client address; past the limit, that address's
//! failures answer 429 until its window runs out. The count only ever refuses failures: a
//! valid token is checked first and always let in, so a stranger's bad requests (even from
//! behind the same reverse proxy) never lock out the operator or a tenant. Behind a reverse
//! proxy listed in `TRUSTED_PROXIES` the client address is read from its `X-Forwarded-For`.

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
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let client = state.trusted_proxies().client(peer, &parts.headers);
        let Some(token) = token_of(&parts.headers) else { return Err(ApiError::Unauthorized) };
        match authenticate(state, token).await? {
            // A deactivated tenant's token stops with its bot; not a failed guess.
            Some(Caller::Tenant(bot)) if !bot.is_active => Err(ApiError::BotDeactivated),
            Some(caller) => Ok(caller),
            None => Err(state.limiter().fail(client)),
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
    // Only what has the shape of a tenant token is looked up.
    if !token.starts_with(TENANT_TOKEN_PREFIX) {
        return Ok(None);
    }
    Ok(state.store().platform().by_api_token(token).await?.map(Caller::Tenant))
}

/// How every tenant API token starts.
const TENANT_TOKEN_PREFIX: &str = "rbt_";

/// The reverse proxies whose `X-Forwarded-For` header names the client (`TRUSTED_PROXIES`).
/// Without any, or for a request that does not come from one, the client is the connection's
/// peer: a header anyone can send is never believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and networks (`127.0.0.1, 10.0.0.0/8, ::1`).
    ///
    /// # Errors
    /// The first item that is neither, as a sentence.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<ipnet::IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("`{item}` is not an IP address or a network like 10.0.0.0/8"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request that came from `peer`: when `peer` is a trusted proxy, the
    /// nearest address in its `X-Forwarded-For` that is not itself a trusted proxy (the
    /// hops a trusted proxy added are believed, anything before them is the client's to
    /// forge); otherwise `peer`.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut client = peer.map(canonical)?;
        if !self.contains(client) {
            return Some(client);
        }
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in hops.into_iter().rev() {
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        Some(client)
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[::1]:5678`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip())).map(canonical)
}

/// An IPv4 address seen through an IPv6 socket (`::ffff:1.2.3.4`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
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

    /// Counts a failed authentication of `ip` and returns the answer to give: 401, or 429
    /// once the address has failed too often within the window.
    fn fail(&self, ip: Option<IpAddr>) -> ApiError {
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
        if entry.0 == self.max_failures.saturating_add(1) {
            tracing::warn!(client = ?ip, "too many failed API authentications; answering this address's failures with 429");
        }
        if entry.0 > self.max_failures {
            let left = self.window.saturating_sub(entry.1.elapsed()).as_secs().max(1);
            return ApiError::TooManyFailures { retry_after_secs: left };
        }
        ApiError::Unauthorized
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", value.parse().unwrap());
        h
    }

    #[test]
    fn the_forwarded_client_is_believed_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        let h = forwarded("203.0.113.9, 10.1.2.3");
        assert_eq!(proxies.client(Some(ip("127.0.0.1")), &h), Some(ip("203.0.113.9")), "two trusted hops");
        assert_eq!(proxies.client(Some(ip("198.51.100.7")), &h), Some(ip("198.51.100.7")), "not from a proxy");
        assert_eq!(TrustedProxies::default().client(Some(ip("127.0.0.1")), &h), Some(ip("127.0.0.1")));
        // What the client wrote before the proxy's own entry is not believed.
        let forged = forwarded("1.1.1.1, 203.0.113.9");
        assert_eq!(proxies.client(Some(ip("127.0.0.1")), &forged), Some(ip("203.0.113.9")));
        // A proxy that sent no header, or garbage, leaves the proxy as the client.
        assert_eq!(proxies.client(Some(ip("127.0.0.1")), &HeaderMap::new()), Some(ip("127.0.0.1")));
        assert_eq!(proxies.client(Some(ip("127.0.0.1")), &forwarded("unknown")), Some(ip("127.0.0.1")));
        assert_eq!(
            proxies.client(Some(ip("::ffff:127.0.0.1")), &forwarded("[2001:db8::1]:443")),
            Some(ip("2001:db8::1"))
        );
    }

    #[test]
    fn a_bad_trusted_proxy_is_named() {
        let err = TrustedProxies::parse("10.0.0.1, proxy.local").unwrap_err();
        assert!(err.contains("proxy.local"), "{err}");
        assert_eq!(TrustedProxies::parse(" ").unwrap(), TrustedProxies::default());
    }
}
