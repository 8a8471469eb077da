//! `FakeRemnawave`: a stateful, in-memory fake of the Remnawave panel HTTP API.
//!
//! It serves the subset of the panel API a sales bot needs, over real HTTP on `127.0.0.1`, in
//! either API line ([`PanelVersion::V2`]: users addressed by uuid; [`PanelVersion::V3`]: users
//! addressed by numeric id, no user uuid on the wire). It follows the facts in
//! `shared/reference/external-apis.md` §5 and the panel's zod contract:
//!
//! * **Auth**: every matched route needs `Authorization: Bearer <token>` ([`FakeRemnawave::token`]);
//!   otherwise `401` with `{"timestamp","path","message":"Unauthorized","errorCode":"E000"}`.
//!   Optionally an `X-Api-Key` gate (like Caddy's) answers `403`
//!   (`{"message":"Forbidden","errorCode":"A068",…}`) when the key is missing or wrong.
//! * **Proxy check** (optional, [`FakeRemnawave::require_proxy_headers`]): like the real
//!   `proxyCheckMiddleware`, a request without a non-empty `X-Forwarded-For` **and**
//!   `X-Forwarded-Proto: https` gets its connection closed with no response at all (the client
//!   sees "empty reply" / connection closed before the message completed).
//! * **Envelopes**: success is `{"response": …}`; an application error is
//!   `{"timestamp","path","message","errorCode"}` (e.g. `404 A025 User not found`,
//!   `400 A019 User username already exists`); a validation failure is `400`
//!   `{"statusCode":400,"message":"Validation failed","errors":[{"code","path":[…],"message"}]}`;
//!   an unknown route (including routes of the other API line) is Nest's
//!   `{"message":"Cannot GET /api/…","error":"Not Found","statusCode":404}`.
//! * **Switches**: an outage ([`FakeRemnawave::set_down`]) answers every request `503` with
//!   `{"timestamp","path","message":"Service Unavailable","errorCode":"E000"}`; a latency
//!   ([`FakeRemnawave::set_latency`]) is slept before any answer; a hang
//!   ([`FakeRemnawave::set_hang`]) holds every request unanswered until it is turned off.
//!
//! User status is derived on every read: `DISABLED` sticks until the user is enabled; otherwise a
//! user past `expireAt` reads `EXPIRED`, a user at or over a non-zero traffic limit reads
//! `LIMITED`, and anyone else `ACTIVE`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, Query, Request, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::{IncomingStream, Listener};
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use rand::RngExt;
use rand::distr::Alphanumeric;
use remnabot_domain::panel::PanelVersion;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The public domain subscription URLs are built on: `https://sub.example.test/{shortUuid}`.
pub const SUB_PUBLIC_BASE: &str = "https://sub.example.test";

const TRAFFIC_STRATEGIES: [&str; 5] = ["NO_RESET", "DAY", "WEEK", "MONTH", "MONTH_ROLLING"];
const USER_STATUSES: [&str; 4] = ["ACTIVE", "DISABLED", "LIMITED", "EXPIRED"];

/// A running fake Remnawave panel. Dropping it stops accepting connections.
///
/// All helpers take `&self` and are synchronous (the state sits behind a `std::sync::Mutex`
/// that is never held across an `.await`), so tests can call them from anywhere.
pub struct FakeRemnawave {
    ctx: Ctx,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl fmt::Debug for FakeRemnawave {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeRemnawave")
            .field("version", &self.ctx.version)
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for FakeRemnawave {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeRemnawave {
    /// Starts a fake panel speaking `version` on `127.0.0.1:<random port>`, seeded like a fresh
    /// Remnawave install with one internal squad (`Default-Squad`), and with two nodes.
    ///
    /// # Panics
    /// When no local port can be bound (the test environment is broken); see [`Self::try_start`].
    pub async fn start(version: PanelVersion) -> FakeRemnawave {
        match Self::try_start(version).await {
            Ok(fake) => fake,
            Err(e) => panic!("FakeRemnawave could not bind 127.0.0.1:0: {e}"),
        }
    }

    /// Like [`Self::start`], but returns the bind error instead of panicking.
    ///
    /// # Errors
    /// When binding `127.0.0.1:0` fails.
    pub async fn try_start(version: PanelVersion) -> io::Result<FakeRemnawave> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let ctx = Ctx {
            version,
            token: Arc::from(random_token()),
            state: Arc::new(Mutex::new(State::seeded())),
            hang: Arc::new(tokio::sync::watch::Sender::new(false)),
            held: Arc::new(std::sync::atomic::AtomicU64::new(0)),
        };
        let app = router(ctx.clone());
        let server = tokio::spawn(async move {
            let make = app.into_make_service_with_connect_info::<ConnKill>();
            if let Err(e) = axum::serve(KillListener(listener), make).await {
                tracing::warn!(error = %e, "FakeRemnawave server stopped");
            }
        });
        Ok(FakeRemnawave { ctx, addr, server })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash; routes start with `/api`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API token the fake requires as `Authorization: Bearer <token>` (JWT-shaped, random).
    pub fn token(&self) -> &str {
        &self.ctx.token
    }

    /// The API line this fake speaks.
    pub fn version(&self) -> PanelVersion {
        self.ctx.version
    }

    /// Requires `X-Api-Key: <key>` on every request (`403` when missing or wrong); `None` turns
    /// the check off (the default).
    pub fn require_api_key(&self, key: Option<String>) {
        self.ctx.lock().api_key = key;
    }

    /// Turns the reverse-proxy check on or off (off by default). When on, a request without a
    /// non-empty `X-Forwarded-For` and `X-Forwarded-Proto: https` gets its connection closed
    /// without any response, as the real panel "destroys the socket".
    pub fn require_proxy_headers(&self, on: bool) {
        self.ctx.lock().require_proxy = on;
    }

    /// Simulates an outage: while `true`, every request answers `503` with the error envelope
    /// (message `Service Unavailable`, errorCode `E000`). The state is kept.
    pub fn set_down(&self, down: bool) {
        self.ctx.lock().down = down;
    }

    /// Sleeps `latency` before answering each request (zero by default).
    pub fn set_latency(&self, latency: Duration) {
        self.ctx.lock().latency = latency;
    }

    /// Simulates a panel that hangs: while `true`, every request is held without an answer
    /// (the client sees its own timeout); turning it off lets the held requests go on.
    pub fn set_hang(&self, hang: bool) {
        self.ctx.hang.send_replace(hang);
    }

    /// How many requests are held by [`Self::set_hang`] right now.
    pub fn held_count(&self) -> u64 {
        self.ctx.held.load(Ordering::SeqCst)
    }

    /// How many HTTP requests reached the fake (every request, whatever its answer; requests
    /// whose connection was dropped by the proxy check included).
    pub fn request_count(&self) -> u64 {
        self.ctx.lock().request_count
    }

    /// How many users were created successfully over HTTP.
    pub fn create_count(&self) -> u64 {
        self.ctx.lock().create_count
    }

    /// Adds an internal squad named `name` and returns its uuid.
    pub fn add_squad(&self, name: &str) -> String {
        let now = now_ms();
        let mut state = self.ctx.lock();
        let uuid = random_uuid();
        let view_position = state.squads.len() as i64 + 1;
        state.squads.push(SquadRec { uuid: uuid.clone(), name: name.to_owned(), view_position, created_at: now });
        uuid
    }

    /// Removes the internal squad `uuid` (and takes it out of every user); whether it existed.
    pub fn remove_squad(&self, uuid: &str) -> bool {
        let mut state = self.ctx.lock();
        let before = state.squads.len();
        state.squads.retain(|s| s.uuid != uuid);
        for user in state.users.values_mut() {
            user.squads.retain(|s| s != uuid);
        }
        state.squads.len() < before
    }

    /// Uuids of every internal squad, in view order (the seeded `Default-Squad` first).
    pub fn squad_uuids(&self) -> Vec<String> {
        self.ctx.lock().squads.iter().map(|s| s.uuid.clone()).collect()
    }

    /// Every user in wire form (as `GET /api/users/{key}` would return it), ordered by id.
    pub fn users(&self) -> Vec<Value> {
        let now = now_ms();
        let state = self.ctx.lock();
        state.users.values().map(|u| state.user_json(u, self.ctx.version, now)).collect()
    }

    /// The user named `username` in wire form, if any.
    pub fn user_by_username(&self, username: &str) -> Option<Value> {
        let now = now_ms();
        let state = self.ctx.lock();
        let id = state.find(&Key::Username(username.to_owned()))?;
        state.users.get(&id).map(|u| state.user_json(u, self.ctx.version, now))
    }

    /// Sets the user's `userTraffic.usedTrafficBytes` to `bytes`; any increase is also added to
    /// `lifetimeUsedTrafficBytes`. Marks the user as seen online now (and first connected, on the
    /// first node). Returns whether the user exists.
    pub fn set_used_traffic(&self, username: &str, bytes: i64) -> bool {
        let now = now_ms();
        let mut state = self.ctx.lock();
        let node = state.nodes.first().map(|n| n.uuid.clone());
        let Some(user) = state.user_mut(&Key::Username(username.to_owned())) else {
            return false;
        };
        if bytes > user.used_traffic_bytes {
            user.lifetime_used_traffic_bytes =
                user.lifetime_used_traffic_bytes.saturating_add(bytes - user.used_traffic_bytes);
        }
        user.used_traffic_bytes = bytes;
        if bytes > 0 {
            user.online_at = Some(now);
            user.first_connected_at.get_or_insert(now);
            user.last_connected_node_uuid = node;
        }
        true
    }

    /// Sets the user's `expireAt` directly (the HTTP API refuses past dates on update); handy to
    /// make a user read `EXPIRED`. Returns whether the user exists.
    pub fn set_expire_at(&self, username: &str, expire_at: DateTime<Utc>) -> bool {
        let mut state = self.ctx.lock();
        let Some(user) = state.user_mut(&Key::Username(username.to_owned())) else {
            return false;
        };
        user.expire_at = truncate_ms(expire_at);
        true
    }

    /// Registers device `hwid` to the user (no-op when already registered). Returns whether the
    /// user exists.
    pub fn add_device(&self, username: &str, hwid: &str) -> bool {
        let now = now_ms();
        let mut state = self.ctx.lock();
        let Some(user) = state.user_mut(&Key::Username(username.to_owned())) else {
            return false;
        };
        if !user.devices.iter().any(|d| d.hwid == hwid) {
            user.devices.push(DeviceRec { hwid: hwid.to_owned(), created_at: now });
        }
        true
    }

    /// The hwids registered to the user, oldest first (empty when the user does not exist).
    pub fn devices(&self, username: &str) -> Vec<String> {
        let state = self.ctx.lock();
        state
            .find(&Key::Username(username.to_owned()))
            .and_then(|id| state.users.get(&id))
            .map(|u| u.devices.iter().map(|d| d.hwid.clone()).collect())
            .unwrap_or_default()
    }

    /// Deletes the user as an admin would in the panel UI (no HTTP request is counted). Returns
    /// whether the user existed.
    pub fn delete_user_by_hand(&self, username: &str) -> bool {
        let mut state = self.ctx.lock();
        match state.find(&Key::Username(username.to_owned())) {
            Some(id) => state.users.remove(&id).is_some(),
            None => false,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
struct Ctx {
    version: PanelVersion,
    token: Arc<str>,
    state: Arc<Mutex<State>>,
    /// While `true`, requests are held unanswered ([`FakeRemnawave::set_hang`]).
    hang: Arc<tokio::sync::watch::Sender<bool>>,
    /// Requests held right now.
    held: Arc<std::sync::atomic::AtomicU64>,
}

impl Ctx {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct State {
    users: BTreeMap<i64, UserRec>,
    squads: Vec<SquadRec>,
    nodes: Vec<NodeRec>,
    next_id: i64,
    down: bool,
    latency: Duration,
    api_key: Option<String>,
    require_proxy: bool,
    request_count: u64,
    create_count: u64,
    started_at: DateTime<Utc>,
}

struct UserRec {
    id: i64,
    uuid: String,
    short_uuid: String,
    username: String,
    disabled: bool,
    traffic_limit_bytes: i64,
    traffic_limit_strategy: String,
    expire_at: DateTime<Utc>,
    telegram_id: Option<i64>,
    email: Option<String>,
    description: Option<String>,
    tag: Option<String>,
    hwid_device_limit: Option<i64>,
    external_squad_uuid: Option<String>,
    trojan_password: String,
    vless_uuid: String,
    ss_password: String,
    last_triggered_threshold: i64,
    sub_revoked_at: Option<DateTime<Utc>>,
    last_traffic_reset_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    squads: Vec<String>,
    used_traffic_bytes: i64,
    lifetime_used_traffic_bytes: i64,
    online_at: Option<DateTime<Utc>>,
    first_connected_at: Option<DateTime<Utc>>,
    last_connected_node_uuid: Option<String>,
    devices: Vec<DeviceRec>,
}

impl UserRec {
    fn status(&self, now: DateTime<Utc>) -> &'static str {
        if self.disabled {
            "DISABLED"
        } else if now >= self.expire_at {
            "EXPIRED"
        } else if self.traffic_limit_bytes > 0 && self.used_traffic_bytes >= self.traffic_limit_bytes {
            "LIMITED"
        } else {
            "ACTIVE"
        }
    }

    fn subscription_url(&self) -> String {
        format!("{SUB_PUBLIC_BASE}/{}", self.short_uuid)
    }
}

struct DeviceRec {
    hwid: String,
    created_at: DateTime<Utc>,
}

struct SquadRec {
    uuid: String,
    name: String,
    view_position: i64,
    created_at: DateTime<Utc>,
}

struct NodeRec {
    uuid: String,
    name: String,
    address: String,
    port: i64,
    is_connected: bool,
    country_code: String,
    traffic_used_bytes: i64,
    view_position: i64,
    created_at: DateTime<Utc>,
}

/// How a request names a user.
enum Key {
    Uuid(String),
    Id(i64),
    Username(String),
    ShortUuid(String),
}

impl State {
    fn seeded() -> State {
        let now = now_ms();
        let squads = ["Default-Squad"]
            .iter()
            .zip(1..)
            .map(|(name, pos)| SquadRec {
                uuid: random_uuid(),
                name: (*name).to_owned(),
                view_position: pos,
                created_at: now,
            })
            .collect();
        let nodes = vec![
            NodeRec {
                uuid: random_uuid(),
                name: "DE-Frankfurt-1".to_owned(),
                address: "de1.nodes.example.test".to_owned(),
                port: 2222,
                is_connected: true,
                country_code: "DE".to_owned(),
                traffic_used_bytes: 0,
                view_position: 1,
                created_at: now,
            },
            NodeRec {
                uuid: random_uuid(),
                name: "NL-Amsterdam-1".to_owned(),
                address: "nl1.nodes.example.test".to_owned(),
                port: 2222,
                is_connected: false,
                country_code: "NL".to_owned(),
                traffic_used_bytes: 0,
                view_position: 2,
                created_at: now,
            },
        ];
        State {
            users: BTreeMap::new(),
            squads,
            nodes,
            next_id: 1,
            down: false,
            latency: Duration::ZERO,
            api_key: None,
            require_proxy: false,
            request_count: 0,
            create_count: 0,
            started_at: now,
        }
    }

    fn find(&self, key: &Key) -> Option<i64> {
        match key {
            Key::Id(id) => self.users.contains_key(id).then_some(*id),
            Key::Uuid(uuid) => self.users.values().find(|u| u.uuid.eq_ignore_ascii_case(uuid)).map(|u| u.id),
            Key::Username(name) => self.users.values().find(|u| &u.username == name).map(|u| u.id),
            Key::ShortUuid(short) => self.users.values().find(|u| &u.short_uuid == short).map(|u| u.id),
        }
    }

    fn user_mut(&mut self, key: &Key) -> Option<&mut UserRec> {
        let id = self.find(key)?;
        self.users.get_mut(&id)
    }

    fn existing_user(&self, key: &Key) -> Result<&UserRec, ApiError> {
        self.find(key).and_then(|id| self.users.get(&id)).ok_or(ApiError::USER_NOT_FOUND)
    }

    fn existing_user_mut(&mut self, key: &Key) -> Result<&mut UserRec, ApiError> {
        self.user_mut(key).ok_or(ApiError::USER_NOT_FOUND)
    }

    fn squad_exists(&self, uuid: &str) -> bool {
        self.squads.iter().any(|s| s.uuid.eq_ignore_ascii_case(uuid))
    }

    fn user_json(&self, u: &UserRec, version: PanelVersion, now: DateTime<Utc>) -> Value {
        let squads: Vec<Value> = u
            .squads
            .iter()
            .filter_map(|uuid| self.squads.iter().find(|s| &s.uuid == uuid))
            .map(|s| json!({ "uuid": s.uuid, "name": s.name }))
            .collect();
        let mut v = json!({
            "id": u.id,
            "shortUuid": u.short_uuid,
            "username": u.username,
            "status": u.status(now),
            "trafficLimitBytes": u.traffic_limit_bytes,
            "trafficLimitStrategy": u.traffic_limit_strategy,
            "expireAt": iso(u.expire_at),
            "telegramId": u.telegram_id,
            "email": u.email,
            "description": u.description,
            "tag": u.tag,
            "hwidDeviceLimit": u.hwid_device_limit,
            "externalSquadUuid": u.external_squad_uuid,
            "trojanPassword": u.trojan_password,
            "vlessUuid": u.vless_uuid,
            "ssPassword": u.ss_password,
            "lastTriggeredThreshold": u.last_triggered_threshold,
            "subRevokedAt": u.sub_revoked_at.map(iso),
            "subLastUserAgent": Value::Null,
            "subLastOpenedAt": Value::Null,
            "lastTrafficResetAt": u.last_traffic_reset_at.map(iso),
            "createdAt": iso(u.created_at),
            "updatedAt": iso(u.updated_at),
            "subscriptionUrl": u.subscription_url(),
            "activeInternalSquads": squads,
            "userTraffic": {
                "usedTrafficBytes": u.used_traffic_bytes,
                "lifetimeUsedTrafficBytes": u.lifetime_used_traffic_bytes,
                "onlineAt": u.online_at.map(iso),
                "firstConnectedAt": u.first_connected_at.map(iso),
                "lastConnectedNodeUuid": u.last_connected_node_uuid,
            },
        });
        if version == PanelVersion::V2
            && let Some(obj) = v.as_object_mut()
        {
            obj.insert("uuid".to_owned(), Value::String(u.uuid.clone()));
        }
        v
    }

    fn devices_json(&self, u: &UserRec, version: PanelVersion) -> Value {
        let devices: Vec<Value> = u
            .devices
            .iter()
            .map(|d| {
                let mut v = json!({
                    "hwid": d.hwid,
                    "userId": u.id,
                    "platform": "Android",
                    "osVersion": "14",
                    "deviceModel": "Pixel 8",
                    "userAgent": "Happ/3.1.0/Android",
                    "requestIp": "127.0.0.1",
                    "createdAt": iso(d.created_at),
                    "updatedAt": iso(d.created_at),
                });
                if version == PanelVersion::V2
                    && let Some(obj) = v.as_object_mut()
                {
                    obj.insert("userUuid".to_owned(), Value::String(u.uuid.clone()));
                }
                v
            })
            .collect();
        json!({ "total": devices.len(), "devices": devices })
    }
}

// ---------------------------------------------------------------------------------------------
// Errors and replies
// ---------------------------------------------------------------------------------------------

enum ApiError {
    Coded { status: StatusCode, code: &'static str, message: &'static str },
    Validation(Vec<Value>),
}

impl ApiError {
    const USER_NOT_FOUND: ApiError =
        ApiError::Coded { status: StatusCode::NOT_FOUND, code: "A025", message: "User not found" };
    const USERNAME_EXISTS: ApiError =
        ApiError::Coded { status: StatusCode::BAD_REQUEST, code: "A019", message: "User username already exists" };
    const SHORT_UUID_EXISTS: ApiError =
        ApiError::Coded { status: StatusCode::BAD_REQUEST, code: "A020", message: "User short UUID already exists" };
    const CREATE_USER_ERROR: ApiError =
        ApiError::Coded { status: StatusCode::INTERNAL_SERVER_ERROR, code: "A018", message: "Failed to create user" };
    const CREATE_WITH_SQUAD_ERROR: ApiError = ApiError::Coded {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: "A123",
        message: "Create user with internal squad error",
    };
    const UPDATE_USER_ERROR: ApiError =
        ApiError::Coded { status: StatusCode::INTERNAL_SERVER_ERROR, code: "A039", message: "Update user error" };
    const ALREADY_DISABLED: ApiError =
        ApiError::Coded { status: StatusCode::BAD_REQUEST, code: "A029", message: "User already disabled" };
    const ALREADY_ENABLED: ApiError =
        ApiError::Coded { status: StatusCode::BAD_REQUEST, code: "A030", message: "User already enabled" };

    fn invalid(path: &[&str], code: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![issue(path, code, message)])
    }

    fn into_response(self, uri: &Uri) -> Response {
        match self {
            ApiError::Coded { status, code, message } => error_envelope(status, uri, message, code),
            ApiError::Validation(errors) => json_response(
                StatusCode::BAD_REQUEST,
                &json!({ "statusCode": 400, "message": "Validation failed", "errors": errors }),
            ),
        }
    }
}

enum Reply {
    Json(StatusCode, Value),
    NoContent,
}

type ApiResult = Result<Reply, ApiError>;

fn ok(v: Value) -> ApiResult {
    Ok(Reply::Json(StatusCode::OK, v))
}

fn reply(uri: &Uri, result: ApiResult) -> Response {
    match result {
        Ok(Reply::Json(status, v)) => json_response(status, &json!({ "response": v })),
        Ok(Reply::NoContent) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(uri),
    }
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

fn request_url(uri: &Uri) -> String {
    uri.path_and_query().map(|pq| pq.as_str().to_owned()).unwrap_or_else(|| uri.path().to_owned())
}

fn error_envelope(status: StatusCode, uri: &Uri, message: &str, code: &str) -> Response {
    json_response(
        status,
        &json!({ "timestamp": iso(now_ms()), "path": request_url(uri), "message": message, "errorCode": code }),
    )
}

fn issue(path: &[&str], code: &str, message: impl Into<String>) -> Value {
    json!({ "code": code, "path": path, "message": message.into() })
}

// ---------------------------------------------------------------------------------------------
// Server plumbing: connection-dropping listener, middleware, router
// ---------------------------------------------------------------------------------------------

/// A TCP listener whose connections can be killed from a handler (for the proxy check).
struct KillListener(TcpListener);

impl Listener for KillListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((inner, addr)) => {
                    return (KillableStream { inner, kill: Arc::new(AtomicBool::new(false)) }, addr);
                }
                Err(e) => {
                    tracing::debug!(error = %e, "FakeRemnawave accept failed");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A TCP stream that fails every read and write once its kill flag is set, so hyper drops the
/// connection without writing the pending response.
struct KillableStream {
    inner: TcpStream,
    kill: Arc<AtomicBool>,
}

impl KillableStream {
    fn killed(&self) -> bool {
        self.kill.load(Ordering::SeqCst)
    }
}

fn aborted() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "reverse proxy and HTTPS are required")
}

impl AsyncRead for KillableStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.killed() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.killed() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.killed() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Per-connection handle a request uses to kill its own connection.
#[derive(Clone)]
struct ConnKill(Arc<AtomicBool>);

impl axum::extract::connect_info::Connected<IncomingStream<'_, KillListener>> for ConnKill {
    fn connect_info(stream: IncomingStream<'_, KillListener>) -> Self {
        ConnKill(stream.io().kill.clone())
    }
}

/// Runs before routing: counts, sleeps, then the outage, API-key and proxy checks.
async fn gate(AxumState(ctx): AxumState<Ctx>, req: Request, next: Next) -> Response {
    let (latency, down, api_key, require_proxy) = {
        let mut state = ctx.lock();
        state.request_count += 1;
        (state.latency, state.down, state.api_key.clone(), state.require_proxy)
    };
    tracing::debug!(method = %req.method(), uri = %req.uri(), "FakeRemnawave request");
    let mut hang = ctx.hang.subscribe();
    if *hang.borrow_and_update() {
        ctx.held.fetch_add(1, Ordering::SeqCst);
        // Counted down even when the client gives up and the request is dropped.
        let _release = Held(ctx.held.clone());
        hang.wait_for(|on| !*on).await.ok();
    }
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let uri = req.uri().clone();
    if down {
        return error_envelope(StatusCode::SERVICE_UNAVAILABLE, &uri, "Service Unavailable", "E000");
    }
    if let Some(key) = api_key
        && header(req.headers(), "x-api-key") != Some(key.as_str())
    {
        return error_envelope(StatusCode::FORBIDDEN, &uri, "Forbidden", "A068");
    }
    if require_proxy {
        let proxied = header(req.headers(), "x-forwarded-for").is_some_and(|v| !v.is_empty());
        let https = header(req.headers(), "x-forwarded-proto") == Some("https");
        if !(proxied && https) {
            tracing::debug!("FakeRemnawave: reverse proxy and HTTPS are required; dropping the connection");
            if let Some(ConnectInfo(kill)) = req.extensions().get::<ConnectInfo<ConnKill>>() {
                kill.0.store(true, Ordering::SeqCst);
            }
            return error_envelope(StatusCode::FORBIDDEN, &uri, "Reverse proxy and HTTPS are required.", "E000");
        }
    }
    next.run(req).await
}

/// Counts a held request down when it ends.
struct Held(Arc<std::sync::atomic::AtomicU64>);

impl Drop for Held {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs on matched routes only (like the controllers' JWT guard).
async fn bearer(AxumState(ctx): AxumState<Ctx>, req: Request, next: Next) -> Response {
    let expected = format!("Bearer {}", ctx.token);
    if header(req.headers(), "authorization") != Some(expected.as_str()) {
        return error_envelope(StatusCode::UNAUTHORIZED, req.uri(), "Unauthorized", "E000");
    }
    next.run(req).await
}

/// Nest's answer to a route it does not have.
async fn not_found(method: Method, uri: Uri) -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        &json!({
            "message": format!("Cannot {method} {}", request_url(&uri)),
            "error": "Not Found",
            "statusCode": 404,
        }),
    )
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

type St = AxumState<Ctx>;
type PathParam = Result<Path<String>, PathRejection>;

fn router(ctx: Ctx) -> Router {
    let v2 = ctx.version == PanelVersion::V2;
    let mut r = Router::new()
        .route("/api/users", post(create_user).get(list_users).patch(update_user))
        .route("/api/users/{key}", get(get_user).delete(delete_user))
        .route("/api/users/by-username/{username}", get(get_by_username))
        .route("/api/users/by-short-uuid/{short}", get(get_by_short_uuid))
        .route("/api/users/resolve", post(resolve_user))
        .route(
            "/api/users/{key}/actions/enable",
            post(|s: St, u: Uri, p: PathParam, b: Bytes| user_action(s, u, p, b, Action::Enable)),
        )
        .route(
            "/api/users/{key}/actions/disable",
            post(|s: St, u: Uri, p: PathParam, b: Bytes| user_action(s, u, p, b, Action::Disable)),
        )
        .route(
            "/api/users/{key}/actions/reset-traffic",
            post(|s: St, u: Uri, p: PathParam, b: Bytes| user_action(s, u, p, b, Action::ResetTraffic)),
        )
        .route(
            "/api/users/{key}/actions/revoke",
            post(|s: St, u: Uri, p: PathParam, b: Bytes| user_action(s, u, p, b, Action::Revoke)),
        )
        .route("/api/internal-squads", get(internal_squads))
        .route("/api/nodes", get(nodes))
        .route("/api/system/stats", get(system_stats))
        .route("/api/system/metadata", get(metadata))
        .route("/api/hwid/devices/{key}", get(hwid_devices))
        .route("/api/hwid/devices/delete", post(hwid_delete))
        .route("/api/hwid/devices/delete-all", post(hwid_delete_all));
    if v2 {
        r = r
            .route("/api/users/by-telegram-id/{tid}", get(get_by_telegram_id))
            .route("/api/users/by-email/{email}", get(get_by_email))
            .route("/api/users/by-tag/{tag}", get(get_by_tag))
            .route("/api/users/by-id/{id}", get(get_by_id));
    } else {
        r = r.route("/api/users/stream", get(stream_users)).route(
            "/api/users/{key}/actions/extend",
            post(|s: St, u: Uri, p: PathParam, b: Bytes| user_action(s, u, p, b, Action::Extend)),
        );
    }
    r.route_layer(middleware::from_fn_with_state(ctx.clone(), bearer))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(middleware::from_fn_with_state(ctx.clone(), gate))
        .with_state(ctx)
}

// ---------------------------------------------------------------------------------------------
// Input parsing
// ---------------------------------------------------------------------------------------------

fn path_param(p: PathParam, name: &str) -> Result<String, ApiError> {
    p.map(|Path(s)| s).map_err(|e| ApiError::invalid(&[name], "invalid_string", e.body_text()))
}

/// The user named by a path parameter: a uuid in v2, a numeric id in v3.
fn path_key(version: PanelVersion, p: PathParam) -> Result<Key, ApiError> {
    match version {
        PanelVersion::V2 => {
            let raw = path_param(p, "uuid")?;
            if is_uuid(&raw) {
                Ok(Key::Uuid(raw))
            } else {
                Err(ApiError::invalid(&["uuid"], "invalid_string", "Invalid uuid"))
            }
        }
        PanelVersion::V3 => {
            let raw = path_param(p, "userId")?;
            raw.parse::<i64>()
                .map(Key::Id)
                .map_err(|_| ApiError::invalid(&["userId"], "invalid_type", "Expected number, received nan"))
        }
    }
}

/// The JSON object in a request body; an empty body reads as `{}`.
fn body_object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => {
            Err(ApiError::invalid(&[], "invalid_type", format!("Expected object, received {}", json_type(&other))))
        }
        Err(e) => Err(ApiError::invalid(&[], "invalid_json", format!("Malformed JSON body: {e}"))),
    }
}

fn query_map(uri: &Uri) -> Result<HashMap<String, String>, ApiError> {
    Query::<HashMap<String, String>>::try_from_uri(uri)
        .map(|Query(q)| q)
        .map_err(|e| ApiError::invalid(&[], "invalid_query", e.body_text()))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A zod-like validator over one JSON object; issues accumulate.
struct Check<'a> {
    obj: &'a Map<String, Value>,
    issues: Vec<Value>,
}

impl<'a> Check<'a> {
    fn new(obj: &'a Map<String, Value>) -> Self {
        Check { obj, issues: Vec::new() }
    }

    fn fail(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.issues.push(issue(&[field], code, message));
    }

    fn present(&self, field: &str) -> bool {
        self.obj.contains_key(field)
    }

    /// `None`: absent or invalid (issue recorded); `Some(None)`: null (only when `nullable`).
    fn string(&mut self, field: &str, nullable: bool, required: bool) -> Option<Option<String>> {
        match self.obj.get(field) {
            None => {
                if required {
                    self.fail(field, "invalid_type", "Required");
                }
                None
            }
            Some(Value::Null) if nullable => Some(None),
            Some(Value::String(s)) => Some(Some(s.clone())),
            Some(other) => {
                self.fail(field, "invalid_type", format!("Expected string, received {}", json_type(other)));
                None
            }
        }
    }

    fn int(&mut self, field: &str, nullable: bool, min: Option<i64>) -> Option<Option<i64>> {
        match self.obj.get(field) {
            None => None,
            Some(Value::Null) if nullable => Some(None),
            Some(Value::Number(n)) => {
                let value = match n.as_i64() {
                    Some(i) => i,
                    None => {
                        let integral = n.as_f64().is_some_and(|f| f.fract() == 0.0);
                        if integral {
                            self.fail(field, "too_big", "Number must be less than or equal to 9007199254740991");
                        } else {
                            self.fail(field, "invalid_type", "Expected integer, received float");
                        }
                        return None;
                    }
                };
                if let Some(min) = min
                    && value < min
                {
                    self.fail(field, "too_small", format!("Number must be greater than or equal to {min}"));
                    return None;
                }
                Some(Some(value))
            }
            Some(other) => {
                self.fail(field, "invalid_type", format!("Expected number, received {}", json_type(other)));
                None
            }
        }
    }

    fn boolean(&mut self, field: &str) -> Option<bool> {
        match self.obj.get(field) {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                self.fail(field, "invalid_type", format!("Expected boolean, received {}", json_type(other)));
                None
            }
        }
    }

    fn datetime(&mut self, field: &str, required: bool) -> Option<DateTime<Utc>> {
        let raw = self.string(field, false, required)??;
        match parse_datetime(&raw) {
            Some(dt) => Some(dt),
            None => {
                self.fail(field, "invalid_string", "Invalid date format");
                None
            }
        }
    }

    fn one_of(&mut self, field: &str, allowed: &[&str], message: &str) -> Option<String> {
        let value = self.string(field, false, false)??;
        if allowed.contains(&value.as_str()) {
            Some(value)
        } else {
            self.fail(field, "invalid_enum_value", message);
            None
        }
    }

    fn uuid(&mut self, field: &str, nullable: bool) -> Option<Option<String>> {
        match self.string(field, nullable, false)? {
            Some(s) if !is_uuid(&s) => {
                self.fail(field, "invalid_string", "Invalid uuid");
                None
            }
            other => Some(other),
        }
    }

    fn uuid_array(&mut self, field: &str) -> Option<Vec<String>> {
        match self.obj.get(field) {
            None => None,
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(s) if is_uuid(s) => out.push(s.to_owned()),
                        _ => {
                            self.issues.push(json!({
                                "code": "invalid_string",
                                "path": [field, i],
                                "message": "Invalid uuid",
                            }));
                            return None;
                        }
                    }
                }
                Some(out)
            }
            Some(_) => {
                self.fail(field, "invalid_type", "Enabled internal squads must be an array of UUIDs");
                None
            }
        }
    }

    fn tag(&mut self) -> Option<Option<String>> {
        match self.string("tag", true, false)? {
            Some(t) if !t.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') || t.is_empty() => {
                self.fail("tag", "invalid_string", "Tag can only contain uppercase letters, numbers, underscores");
                None
            }
            Some(t) if t.chars().count() > 16 => {
                self.fail("tag", "too_big", "Tag must be less than 16 characters");
                None
            }
            other => Some(other),
        }
    }

    fn email(&mut self) -> Option<Option<String>> {
        match self.string("email", true, false)? {
            Some(e) if !is_email(&e) => {
                self.fail("email", "invalid_string", "Invalid email format");
                None
            }
            other => Some(other),
        }
    }

    fn traffic_strategy(&mut self) -> Option<String> {
        self.one_of("trafficLimitStrategy", &TRAFFIC_STRATEGIES, "Invalid traffic limit strategy")
    }

    fn finish(self) -> Result<(), ApiError> {
        if self.issues.is_empty() { Ok(()) } else { Err(ApiError::Validation(self.issues)) }
    }
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && domain.contains('.')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

fn valid_username(s: &str) -> Result<(), &'static str> {
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err("Username can only contain letters, numbers, underscores and dashes");
    }
    if s.len() > 36 {
        return Err("Username must be less than 36 characters");
    }
    if s.len() < 3 {
        return Err("Username must be at least 3 characters");
    }
    Ok(())
}

fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(truncate_ms(dt.with_timezone(&Utc)));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|n| truncate_ms(n.and_utc()))
}

// ---------------------------------------------------------------------------------------------
// Handlers: users
// ---------------------------------------------------------------------------------------------

async fn create_user(AxumState(ctx): St, uri: Uri, body: Bytes) -> Response {
    let result = body_object(&body).and_then(|obj| {
        let now = now_ms();
        let mut state = ctx.lock();
        do_create(&mut state, &obj, ctx.version, now)
    });
    reply(&uri, result)
}

fn do_create(state: &mut State, obj: &Map<String, Value>, version: PanelVersion, now: DateTime<Utc>) -> ApiResult {
    let mut c = Check::new(obj);
    let username = match c.obj.get("username") {
        None => {
            c.fail("username", "invalid_type", "Username is required");
            None
        }
        Some(Value::String(s)) => match valid_username(s) {
            Ok(()) => Some(s.clone()),
            Err(msg) => {
                c.fail("username", "invalid_string", msg);
                None
            }
        },
        Some(_) => {
            c.fail("username", "invalid_type", "Username must be a string");
            None
        }
    };
    let status = c.one_of(
        "status",
        &USER_STATUSES,
        "Invalid enum value. Expected 'ACTIVE' | 'DISABLED' | 'LIMITED' | 'EXPIRED'",
    );
    let short_uuid = c.string("shortUuid", false, false).flatten();
    let trojan_password = password(&mut c, "trojanPassword", "Trojan");
    let ss_password = password(&mut c, "ssPassword", "SS");
    let vless_uuid = c.uuid("vlessUuid", false).flatten();
    let traffic_limit_bytes = c.int("trafficLimitBytes", false, Some(0)).flatten();
    let strategy = c.traffic_strategy();
    let expire_at = if c.present("expireAt") {
        c.datetime("expireAt", true)
    } else {
        c.fail("expireAt", "invalid_type", "Expiration date is required");
        None
    };
    let created_at = c.datetime("createdAt", false);
    let last_traffic_reset_at = c.datetime("lastTrafficResetAt", false);
    let description = c.string("description", false, false).flatten();
    let tag = c.tag().flatten();
    let telegram_id = c.int("telegramId", true, None).flatten();
    let email = c.email().flatten();
    let hwid_device_limit = c.int("hwidDeviceLimit", false, Some(0)).flatten();
    let squads = c.uuid_array("activeInternalSquads").unwrap_or_default();
    let uuid = if version == PanelVersion::V2 { c.uuid("uuid", false).flatten() } else { None };
    let external_squad_uuid = c.uuid("externalSquadUuid", true).flatten();
    c.finish()?;
    let (Some(username), Some(expire_at)) = (username, expire_at) else {
        return Err(ApiError::CREATE_USER_ERROR);
    };

    if state.find(&Key::Username(username.clone())).is_some() {
        return Err(ApiError::USERNAME_EXISTS);
    }
    if let Some(short) = &short_uuid
        && state.find(&Key::ShortUuid(short.clone())).is_some()
    {
        return Err(ApiError::SHORT_UUID_EXISTS);
    }
    if let Some(uuid) = &uuid
        && state.find(&Key::Uuid(uuid.clone())).is_some()
    {
        return Err(ApiError::CREATE_USER_ERROR);
    }
    if !squads.iter().all(|s| state.squad_exists(s)) {
        return Err(ApiError::CREATE_WITH_SQUAD_ERROR);
    }

    let id = state.next_id;
    state.next_id += 1;
    let squads = squads
        .iter()
        .filter_map(|s| state.squads.iter().find(|q| q.uuid.eq_ignore_ascii_case(s)).map(|q| q.uuid.clone()))
        .collect();
    let user = UserRec {
        id,
        uuid: uuid.map(|u| u.to_ascii_lowercase()).unwrap_or_else(random_uuid),
        short_uuid: short_uuid.unwrap_or_else(|| random_alnum(16)),
        username,
        disabled: status.as_deref() == Some("DISABLED"),
        traffic_limit_bytes: traffic_limit_bytes.unwrap_or(0),
        traffic_limit_strategy: strategy.unwrap_or_else(|| "NO_RESET".to_owned()),
        expire_at,
        telegram_id,
        email,
        description,
        tag,
        hwid_device_limit,
        external_squad_uuid,
        trojan_password: trojan_password.unwrap_or_else(|| random_alnum(30)),
        vless_uuid: vless_uuid.unwrap_or_else(random_uuid),
        ss_password: ss_password.unwrap_or_else(|| random_alnum(32)),
        last_triggered_threshold: 0,
        sub_revoked_at: None,
        last_traffic_reset_at,
        created_at: created_at.unwrap_or(now),
        updated_at: now,
        squads,
        used_traffic_bytes: 0,
        lifetime_used_traffic_bytes: 0,
        online_at: None,
        first_connected_at: None,
        last_connected_node_uuid: None,
        devices: Vec::new(),
    };
    let v = state.user_json(&user, version, now);
    state.users.insert(id, user);
    state.create_count += 1;
    Ok(Reply::Json(StatusCode::CREATED, v))
}

fn password(c: &mut Check<'_>, field: &str, label: &str) -> Option<String> {
    let p = c.string(field, false, false).flatten()?;
    let len = p.chars().count();
    if len < 8 {
        c.fail(field, "too_small", format!("{label} password must be at least 8 characters"));
        None
    } else if len > 32 {
        c.fail(field, "too_big", format!("{label} password must be less than 32 characters"));
        None
    } else {
        Some(p)
    }
}

async fn get_user(AxumState(ctx): St, uri: Uri, p: PathParam) -> Response {
    let result = path_key(ctx.version, p).and_then(|key| {
        let now = now_ms();
        let state = ctx.lock();
        let u = state.existing_user(&key)?;
        ok(state.user_json(u, ctx.version, now))
    });
    reply(&uri, result)
}

async fn get_by_username(AxumState(ctx): St, uri: Uri, p: PathParam) -> Response {
    let result = path_param(p, "username").and_then(|name| get_one(&ctx, &Key::Username(name)));
    reply(&uri, result)
}

async fn get_by_short_uuid(AxumState(ctx): St, uri: Uri, p: PathParam) -> Response {
    let result = path_param(p, "shortUuid").and_then(|s| get_one(&ctx, &Key::ShortUuid(s)));
    reply(&uri, result)
}

async fn get_by_id(AxumState(ctx): St, uri: Uri, p: PathParam) -> Response {
    let result = path_param(p, "id").and_then(|raw| {
        let id = raw
            .parse::<i64>()
            .map_err(|_| ApiError::invalid(&["id"], "invalid_string", "ID must be a numeric string"))?;
        get_one(&ctx, &Key::Id(id))
    });
    reply(&uri, result)
}

fn get_one(ctx: &Ctx, key: &Key) -> ApiResult {
    let now = now_ms();
    let state = ctx.lock();
    let u = state.existing_user(key)?;
    ok(state.user_json(u, ctx.version, now))
}

async fn get_by_telegram_id(AxumState(ctx): St, uri: Uri, p: PathParam) -> Response {
    let result = path_param(p, "telegramId").and_then(|raw| {
        let tid = raw.parse::<i64>().map_err(|_| {
            ApiError::invalid(&["telegramId"], "invalid_string", "Telegram ID must be a numeric string")
        })?;
        get_many(&ctx, |u| u.telegram_id == Some(tid))
    });
    reply(&uri, result)
}

async fn get_by_email(AxumState(ctx): St, uri: Uri, p: PathParam) -> Response {
    let result = path_param(p, "email").and_then(|email| get_many(&ctx, |u| u.email.as_deref() == Some(&email)));
    reply(&uri, result)
}

async fn get_by_tag(AxumState(ctx): St, uri: Uri, p: PathParam) -> Response {
    let result = path_param(p, "tag").and_then(|tag| get_many(&ctx, |u| u.tag.as_deref() == Some(&tag)));
    reply(&uri, result)
}

fn get_many(ctx: &Ctx, pred: impl Fn(&UserRec) -> bool) -> ApiResult {
    let now = now_ms();
    let state = ctx.lock();
    let users: Vec<Value> =
        state.users.values().filter(|u| pred(u)).map(|u| state.user_json(u, ctx.version, now)).collect();
    ok(Value::Array(users))
}

async fn list_users(AxumState(ctx): St, uri: Uri) -> Response {
    let result = query_map(&uri).and_then(|q| {
        let start = query_int(&q, "start", 0, 0, i64::MAX)?;
        let size = query_int(&q, "size", 25, 1, 1000)?;
        let now = now_ms();
        let state = ctx.lock();
        let users: Vec<Value> = state
            .users
            .values()
            .skip(usize::try_from(start).unwrap_or(usize::MAX))
            .take(usize::try_from(size).unwrap_or(0))
            .map(|u| state.user_json(u, ctx.version, now))
            .collect();
        ok(json!({ "users": users, "total": state.users.len() }))
    });
    reply(&uri, result)
}

fn query_int(q: &HashMap<String, String>, field: &str, default: i64, min: i64, max: i64) -> Result<i64, ApiError> {
    let Some(raw) = q.get(field) else {
        return Ok(default);
    };
    let value =
        raw.parse::<i64>().map_err(|_| ApiError::invalid(&[field], "invalid_type", "Expected number, received nan"))?;
    if value < min {
        return Err(ApiError::invalid(&[field], "too_small", format!("Number must be greater than or equal to {min}")));
    }
    if value > max {
        return Err(ApiError::invalid(&[field], "too_big", format!("Number must be less than or equal to {max}")));
    }
    Ok(value)
}

async fn stream_users(AxumState(ctx): St, uri: Uri) -> Response {
    let result = query_map(&uri).and_then(|q| {
        let cursor = match q.get("cursor") {
            None => 0,
            Some(raw) => raw.parse::<i64>().map_err(|_| {
                ApiError::invalid(&["cursor"], "invalid_string", "Cursor must be a positive integer string")
            })?,
        };
        let size = query_int(&q, "size", 250, 1, 1000)?;
        let telegram_id =
            match q.get("telegramId") {
                None => None,
                Some(raw) => Some(raw.parse::<i64>().ok().filter(|t| *t >= 0).ok_or_else(|| {
                    ApiError::invalid(&["telegramId"], "invalid_type", "Expected number, received nan")
                })?),
            };
        let status = match q.get("status") {
            Some(s) if !USER_STATUSES.contains(&s.as_str()) => {
                return Err(ApiError::invalid(&["status"], "invalid_enum_value", "Invalid enum value"));
            }
            other => other.cloned(),
        };
        let now = now_ms();
        let state = ctx.lock();
        let mut matching = state.users.range(cursor.saturating_add(1)..).map(|(_, u)| u).filter(|u| {
            telegram_id.is_none_or(|t| u.telegram_id == Some(t))
                && status.as_deref().is_none_or(|s| u.status(now) == s)
                && q.get("tag").is_none_or(|t| u.tag.as_deref() == Some(t.as_str()))
                && q.get("email").is_none_or(|e| u.email.as_deref() == Some(e.as_str()))
                && q.get("trafficLimitStrategy").is_none_or(|s| &u.traffic_limit_strategy == s)
        });
        let page: Vec<&UserRec> = matching.by_ref().take(usize::try_from(size).unwrap_or(0)).collect();
        let has_more = matching.next().is_some();
        let next_cursor = if has_more { page.last().map(|u| u.id.to_string()) } else { None };
        let users: Vec<Value> = page.iter().map(|u| state.user_json(u, ctx.version, now)).collect();
        ok(json!({ "users": users, "nextCursor": next_cursor, "hasMore": has_more }))
    });
    reply(&uri, result)
}

async fn update_user(AxumState(ctx): St, uri: Uri, body: Bytes) -> Response {
    let result = body_object(&body).and_then(|obj| {
        let now = now_ms();
        let mut state = ctx.lock();
        do_update(&mut state, &obj, ctx.version, now)
    });
    reply(&uri, result)
}

fn do_update(state: &mut State, obj: &Map<String, Value>, version: PanelVersion, now: DateTime<Utc>) -> ApiResult {
    let mut c = Check::new(obj);
    let username = c.string("username", false, false).flatten();
    let key = match version {
        PanelVersion::V2 => c.uuid("uuid", false).flatten().map(Key::Uuid),
        PanelVersion::V3 => c.int("id", false, None).flatten().map(Key::Id),
    };
    let status = c.one_of(
        "status",
        &["ACTIVE", "DISABLED"],
        "You can't change status to LIMITED or EXPIRED. These statuses handled by Remnawave.",
    );
    let traffic_limit_bytes = c.int("trafficLimitBytes", false, Some(0)).flatten();
    let strategy = c.traffic_strategy();
    let expire_at = c.datetime("expireAt", false);
    if let Some(at) = expire_at
        && at <= now
    {
        c.fail("expireAt", "custom", "Expiration date cannot be in the past");
    }
    let description = c.string("description", true, false);
    let tag = c.tag();
    let telegram_id = c.int("telegramId", true, None);
    let email = c.email();
    let hwid_device_limit = c.int("hwidDeviceLimit", true, Some(0));
    let squads = c.uuid_array("activeInternalSquads");
    let external_squad_uuid = c.uuid("externalSquadUuid", true);
    let id_field = if version == PanelVersion::V2 { "uuid" } else { "id" };
    if !c.present(id_field) && !c.present("username") {
        c.issues.push(issue(&[], "custom", format!("Either {id_field} or username must be provided")));
    }
    c.finish()?;
    let key = match (key, username) {
        (Some(key), _) => key,
        (None, Some(name)) => Key::Username(name),
        (None, None) => return Err(ApiError::USER_NOT_FOUND),
    };
    if let Some(squads) = &squads
        && !squads.iter().all(|s| state.squad_exists(s))
    {
        state.existing_user(&key)?;
        return Err(ApiError::UPDATE_USER_ERROR);
    }
    let squads = squads.map(|list| {
        list.iter()
            .filter_map(|s| state.squads.iter().find(|q| q.uuid.eq_ignore_ascii_case(s)).map(|q| q.uuid.clone()))
            .collect::<Vec<_>>()
    });
    let user = state.existing_user_mut(&key)?;
    if let Some(status) = status {
        user.disabled = status == "DISABLED";
    }
    if let Some(limit) = traffic_limit_bytes {
        user.traffic_limit_bytes = limit;
        user.last_triggered_threshold = 0;
    }
    if let Some(strategy) = strategy {
        user.traffic_limit_strategy = strategy;
    }
    if let Some(at) = expire_at {
        user.expire_at = at;
    }
    if let Some(description) = description {
        user.description = description;
    }
    if let Some(tag) = tag {
        user.tag = tag;
    }
    if let Some(telegram_id) = telegram_id {
        user.telegram_id = telegram_id;
    }
    if let Some(email) = email {
        user.email = email;
    }
    if let Some(limit) = hwid_device_limit {
        user.hwid_device_limit = limit;
    }
    if let Some(external) = external_squad_uuid {
        user.external_squad_uuid = external;
    }
    if let Some(squads) = squads {
        user.squads = squads;
    }
    user.updated_at = now;
    let id = user.id;
    let state = &*state;
    let user = state.users.get(&id).ok_or(ApiError::USER_NOT_FOUND)?;
    ok(state.user_json(user, version, now))
}

#[derive(Clone, Copy)]
enum Action {
    Enable,
    Disable,
    ResetTraffic,
    Revoke,
    Extend,
}

async fn user_action(AxumState(ctx): St, uri: Uri, p: PathParam, body: Bytes, action: Action) -> Response {
    let result = path_key(ctx.version, p).and_then(|key| {
        let obj = body_object(&body)?;
        let now = now_ms();
        let mut state = ctx.lock();
        do_action(&mut state, &key, &obj, action, ctx.version, now)
    });
    reply(&uri, result)
}

fn do_action(
    state: &mut State,
    key: &Key,
    obj: &Map<String, Value>,
    action: Action,
    version: PanelVersion,
    now: DateTime<Utc>,
) -> ApiResult {
    // Validate the body before looking the user up, as the zod pipe does.
    let mut c = Check::new(obj);
    let (revoke_only_passwords, new_short_uuid, days) = match action {
        Action::Revoke => {
            let only = c.boolean("revokeOnlyPasswords").unwrap_or(false);
            let short = c.string("shortUuid", false, false).flatten();
            if let Some(s) = &short {
                let len = s.chars().count();
                if !(6..=48).contains(&len) {
                    c.fail(
                        "shortUuid",
                        if len < 6 { "too_small" } else { "too_big" },
                        "Short UUID must be 6 to 48 characters",
                    );
                }
            }
            (only, short, None)
        }
        Action::Extend => {
            let days = match c.obj.get("days") {
                Some(Value::Number(n)) => match n.as_f64() {
                    Some(d) if (1.0..=100_000.0).contains(&d) => Some(d),
                    Some(d) if d > 100_000.0 => {
                        c.fail("days", "too_big", "Number must be less than or equal to 100000");
                        None
                    }
                    _ => {
                        c.fail("days", "too_small", "Number must be greater than or equal to 1");
                        None
                    }
                },
                Some(other) => {
                    c.fail("days", "invalid_type", format!("Expected number, received {}", json_type(other)));
                    None
                }
                None => {
                    c.fail("days", "invalid_type", "Required");
                    None
                }
            };
            (false, None, days)
        }
        _ => (false, None, None),
    };
    c.finish()?;

    let id = state.existing_user(key)?.id;
    if let Some(short) = &new_short_uuid
        && state.find(&Key::ShortUuid(short.clone())).is_some_and(|other| other != id)
    {
        return Err(ApiError::SHORT_UUID_EXISTS);
    }
    let user = state.existing_user_mut(key)?;
    match action {
        Action::Enable => {
            if user.status(now) == "ACTIVE" {
                return Err(ApiError::ALREADY_ENABLED);
            }
            user.disabled = false;
        }
        Action::Disable => {
            if user.disabled {
                return Err(ApiError::ALREADY_DISABLED);
            }
            user.disabled = true;
        }
        Action::ResetTraffic => {
            user.used_traffic_bytes = 0;
            user.last_triggered_threshold = 0;
            user.last_traffic_reset_at = Some(now);
        }
        Action::Revoke => {
            if !revoke_only_passwords {
                user.short_uuid = new_short_uuid.unwrap_or_else(|| random_alnum(16));
            }
            user.trojan_password = random_alnum(30);
            user.ss_password = random_alnum(32);
            user.vless_uuid = random_uuid();
            user.sub_revoked_at = Some(now);
        }
        Action::Extend => {
            let days = days.unwrap_or(1.0);
            let millis = (days * 86_400_000.0) as i64;
            let from = if !user.disabled && user.status(now) == "EXPIRED" { now } else { user.expire_at };
            user.expire_at = from + chrono::Duration::milliseconds(millis);
        }
    }
    user.updated_at = now;
    let state = &*state;
    let user = state.users.get(&id).ok_or(ApiError::USER_NOT_FOUND)?;
    ok(state.user_json(user, version, now))
}

async fn delete_user(AxumState(ctx): St, uri: Uri, p: PathParam) -> Response {
    let result = path_key(ctx.version, p).and_then(|key| {
        let mut state = ctx.lock();
        let id = state.existing_user(&key)?.id;
        state.users.remove(&id);
        match ctx.version {
            PanelVersion::V2 => ok(json!({ "isDeleted": true })),
            PanelVersion::V3 => Ok(Reply::NoContent),
        }
    });
    reply(&uri, result)
}

async fn resolve_user(AxumState(ctx): St, uri: Uri, body: Bytes) -> Response {
    let result = body_object(&body).and_then(|obj| {
        let mut c = Check::new(&obj);
        let fields: &[&str] = if ctx.version == PanelVersion::V2 {
            &["uuid", "id", "shortUuid", "username"]
        } else {
            &["id", "shortUuid", "username"]
        };
        let given = fields.iter().filter(|f| c.present(f)).count();
        let key = match ctx.version {
            PanelVersion::V2 => c.uuid("uuid", false).flatten().map(Key::Uuid),
            PanelVersion::V3 => None,
        }
        .or_else(|| c.int("id", false, Some(1)).flatten().map(Key::Id))
        .or_else(|| c.string("shortUuid", false, false).flatten().map(Key::ShortUuid))
        .or_else(|| c.string("username", false, false).flatten().map(Key::Username));
        if given != 1 {
            c.issues.push(issue(&[], "custom", format!("Exactly one of {} must be provided", fields.join(", "))));
        }
        c.finish()?;
        let key = key.ok_or(ApiError::USER_NOT_FOUND)?;
        let state = ctx.lock();
        let u = state.existing_user(&key)?;
        let mut v = json!({ "username": u.username, "id": u.id, "shortUuid": u.short_uuid });
        if ctx.version == PanelVersion::V2
            && let Some(obj) = v.as_object_mut()
        {
            obj.insert("uuid".to_owned(), Value::String(u.uuid.clone()));
        }
        ok(v)
    });
    reply(&uri, result)
}

// ---------------------------------------------------------------------------------------------
// Handlers: HWID devices
// ---------------------------------------------------------------------------------------------

async fn hwid_devices(AxumState(ctx): St, uri: Uri, p: PathParam) -> Response {
    let result = path_key(ctx.version, p).and_then(|key| {
        let state = ctx.lock();
        let u = state.existing_user(&key)?;
        ok(state.devices_json(u, ctx.version))
    });
    reply(&uri, result)
}

/// The user named in a HWID body: `userUuid` in v2, `userId` in v3.
fn hwid_body_key(c: &mut Check<'_>, version: PanelVersion) -> Option<Key> {
    match version {
        PanelVersion::V2 => {
            if !c.present("userUuid") {
                c.fail("userUuid", "invalid_type", "Required");
            }
            c.uuid("userUuid", false).flatten().map(Key::Uuid)
        }
        PanelVersion::V3 => {
            if !c.present("userId") {
                c.fail("userId", "invalid_type", "Required");
            }
            c.int("userId", false, None).flatten().map(Key::Id)
        }
    }
}

async fn hwid_delete(AxumState(ctx): St, uri: Uri, body: Bytes) -> Response {
    let result = body_object(&body).and_then(|obj| {
        let mut c = Check::new(&obj);
        let key = hwid_body_key(&mut c, ctx.version);
        let hwid = c.string("hwid", false, true).flatten();
        c.finish()?;
        let (Some(key), Some(hwid)) = (key, hwid) else {
            return Err(ApiError::USER_NOT_FOUND);
        };
        let mut state = ctx.lock();
        let user = state.existing_user_mut(&key)?;
        user.devices.retain(|d| d.hwid != hwid);
        let id = user.id;
        let state = &*state;
        let user = state.users.get(&id).ok_or(ApiError::USER_NOT_FOUND)?;
        ok(state.devices_json(user, ctx.version))
    });
    reply(&uri, result)
}

async fn hwid_delete_all(AxumState(ctx): St, uri: Uri, body: Bytes) -> Response {
    let result = body_object(&body).and_then(|obj| {
        let mut c = Check::new(&obj);
        let key = hwid_body_key(&mut c, ctx.version);
        c.finish()?;
        let key = key.ok_or(ApiError::USER_NOT_FOUND)?;
        let mut state = ctx.lock();
        let user = state.existing_user_mut(&key)?;
        user.devices.clear();
        ok(json!({ "total": 0, "devices": [] }))
    });
    reply(&uri, result)
}

// ---------------------------------------------------------------------------------------------
// Handlers: squads, nodes, system
// ---------------------------------------------------------------------------------------------

async fn internal_squads(AxumState(ctx): St, uri: Uri) -> Response {
    let state = ctx.lock();
    let squads: Vec<Value> = state
        .squads
        .iter()
        .map(|s| {
            let members = state.users.values().filter(|u| u.squads.contains(&s.uuid)).count();
            json!({
                "uuid": s.uuid,
                "viewPosition": s.view_position,
                "name": s.name,
                "info": { "membersCount": members, "inboundsCount": 0 },
                "inbounds": [],
                "createdAt": iso(s.created_at),
                "updatedAt": iso(s.created_at),
            })
        })
        .collect();
    reply(&uri, ok(json!({ "total": squads.len(), "internalSquads": squads })))
}

async fn nodes(AxumState(ctx): St, uri: Uri) -> Response {
    let state = ctx.lock();
    let nodes: Vec<Value> = state
        .nodes
        .iter()
        .map(|n| {
            json!({
                "uuid": n.uuid,
                "name": n.name,
                "address": n.address,
                "port": n.port,
                "isConnected": n.is_connected,
                "isDisabled": false,
                "isConnecting": false,
                "lastStatusChange": iso(n.created_at),
                "lastStatusMessage": if n.is_connected { Value::Null } else { json!("Connection refused") },
                "xrayVersion": "25.10.15",
                "nodeVersion": "2.2.3",
                "xrayUptime": if n.is_connected { "86400" } else { "0" },
                "isTrafficTrackingActive": false,
                "trafficResetDay": Value::Null,
                "trafficLimitBytes": Value::Null,
                "trafficUsedBytes": n.traffic_used_bytes,
                "notifyPercent": Value::Null,
                "usersOnline": 0,
                "viewPosition": n.view_position,
                "countryCode": n.country_code,
                "consumptionMultiplier": 1,
                "tags": [],
                "createdAt": iso(n.created_at),
                "updatedAt": iso(n.created_at),
                "configProfile": { "activeConfigProfileUuid": Value::Null, "activeInbounds": [] },
                "providerUuid": Value::Null,
                "provider": Value::Null,
                "activePluginUuid": Value::Null,
                "system": Value::Null,
            })
        })
        .collect();
    reply(&uri, ok(Value::Array(nodes)))
}

async fn system_stats(AxumState(ctx): St, uri: Uri) -> Response {
    let now = now_ms();
    let state = ctx.lock();
    let mut counts: BTreeMap<&str, i64> = USER_STATUSES.iter().map(|s| (*s, 0)).collect();
    for u in state.users.values() {
        *counts.entry(u.status(now)).or_insert(0) += 1;
    }
    let online_within =
        |d: chrono::Duration| state.users.values().filter(|u| u.online_at.is_some_and(|at| now - at <= d)).count();
    let never_online = state.users.values().filter(|u| u.online_at.is_none()).count();
    let lifetime: i64 = state.users.values().map(|u| u.lifetime_used_traffic_bytes).sum();
    let total_memory: i64 = 8 * 1024 * 1024 * 1024;
    let used_memory: i64 = 3 * 1024 * 1024 * 1024;
    let v = json!({
        "cpu": { "cores": 4, "physicalCores": 2 },
        "memory": {
            "total": total_memory,
            "free": total_memory - used_memory,
            "used": used_memory,
            "active": used_memory,
            "available": total_memory - used_memory,
        },
        "uptime": (now - state.started_at).num_milliseconds() as f64 / 1000.0,
        "timestamp": now.timestamp_millis(),
        "users": { "statusCounts": counts, "totalUsers": state.users.len() },
        "onlineStats": {
            "lastDay": online_within(chrono::Duration::days(1)),
            "lastWeek": online_within(chrono::Duration::days(7)),
            "neverOnline": never_online,
            "onlineNow": online_within(chrono::Duration::minutes(1)),
        },
        "nodes": {
            "totalOnline": state.nodes.iter().filter(|n| n.is_connected).count(),
            "totalBytesLifetime": lifetime.to_string(),
        },
    });
    reply(&uri, ok(v))
}

async fn metadata(AxumState(ctx): St, uri: Uri) -> Response {
    let (version, sha) = match ctx.version {
        PanelVersion::V2 => ("2.8.1", "4f1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e"),
        PanelVersion::V3 => ("3.3.2", "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b"),
    };
    let v = json!({
        "version": version,
        "build": { "time": "2026-07-13T10:00:00.000Z", "number": "1842" },
        "git": {
            "backend": {
                "commitSha": sha,
                "branch": "main",
                "commitUrl": format!("https://github.com/remnawave/backend/commit/{sha}"),
            },
            "frontend": {
                "commitSha": sha,
                "commitUrl": format!("https://github.com/remnawave/frontend/commit/{sha}"),
            },
        },
    });
    reply(&uri, ok(v))
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

fn truncate_ms(dt: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(dt.timestamp_millis()).unwrap_or(dt)
}

fn now_ms() -> DateTime<Utc> {
    truncate_ms(Utc::now())
}

/// JavaScript's `Date.toISOString()`: millisecond precision, `Z`.
fn iso(dt: DateTime<Utc>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn random_alnum(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| char::from(rng.sample(Alphanumeric))).collect()
}

fn random_uuid() -> String {
    let mut b: [u8; 16] = rand::rng().random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// A JWT-shaped random token (header, payload and signature segments of base64url-safe chars).
fn random_token() -> String {
    format!("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{}.{}", random_alnum(64), random_alnum(43))
}
