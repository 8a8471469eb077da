//! `FakeTelegram`: a stateful, in-memory fake of the Telegram Bot API for end-to-end tests of the
//! bot fleet (many tenants' bots in one process) and for manual runs (`fake-telegram` binary).
//!
//! # Usage
//!
//! ```no_run
//! # async fn demo() {
//! use std::time::Duration;
//! use remnabot_testkit::FakeTelegram;
//!
//! let fake = FakeTelegram::start().await; // 127.0.0.1:<random port>
//! let token = "123456:TEST-token";
//! let bot_id = fake.add_bot(token); // 123456; getMe answers username "bot123456"
//! // Point a bot at it:
//! //   teloxide::Bot::new(token).set_api_url(url::Url::parse(&fake.url()).unwrap())
//! fake.send_text(token, 42, "/start"); // user 42 writes to the bot
//! let sent = fake.wait_for_messages(token, 42, 1, Duration::from_secs(5)).await;
//! assert_eq!(sent[0].method, "sendMessage");
//! # let _ = bot_id;
//! # }
//! ```
//!
//! # Wire behaviour (see `shared/reference/external-apis.md` §7)
//!
//! * Requests go to `{url}/bot{token}/{method}`; the method name is matched **case-insensitively**
//!   (teloxide sends `SendMessage`, curl users send `sendMessage`). GET and POST both work.
//!   Parameters come from the query string and from a JSON, `application/x-www-form-urlencoded`
//!   or `multipart/form-data` body (teloxide uses multipart for `sendPhoto`, `sendDocument` and
//!   `setWebhook`; an uploaded file is a part named like the field or referenced as
//!   `attach://<part>`). In form and multipart bodies complex values (`reply_markup`, `prices`…)
//!   are JSON strings, as Telegram expects.
//! * Files are downloaded from `{url}/file/bot{token}/{file_path}` (`file_path` from `getFile`;
//!   a percent-encoded `/` is accepted, which is what teloxide sends).
//! * Success is `{"ok":true,"result":…}`; failure is
//!   `{"ok":false,"error_code":N,"description":"…"}` plus `"parameters":{"retry_after":N}` for
//!   429, with the HTTP status equal to `error_code`. An unknown or revoked token is
//!   `401 Unauthorized` (teloxide: `ApiError::InvalidToken`), an unknown method
//!   `404 Not Found: method not found`, a malformed body `400 Bad Request: …`.
//! * Objects are complete enough for teloxide 0.17 (`teloxide-core` 0.13): dates are Unix
//!   **seconds**, chats are private (`chat.id == user id`), `getMe` includes the `can_*` /
//!   `supports_inline_queries` / `has_main_web_app` flags, bot users are `Bot{id}` / `@bot{id}`,
//!   fake users `User{id}` / `@user{id}` unless given as a [`FakeUser`]. (When checking an update
//!   by hand, parse it from text, `serde_json::from_str::<Update>`, as teloxide does:
//!   `serde_json::from_value::<Update>` silently yields `UpdateKind::Error`.)
//!
//! # Implemented methods
//!
//! `getMe`, `getUpdates` (offset / limit / timeout long poll / allowed_updates), `setWebhook`,
//! `deleteWebhook`, `getWebhookInfo`, `sendMessage`, `editMessageText`, `editMessageCaption`,
//! `editMessageReplyMarkup`, `deleteMessage`, `deleteMessages`, `answerCallbackQuery`,
//! `sendPhoto`, `sendDocument`, `copyMessage`, `forwardMessage`, `getFile`, `sendInvoice`,
//! `createInvoiceLink`, `answerPreCheckoutQuery`, `refundStarPayment`, `setMyCommands`,
//! `getMyCommands`, `deleteMyCommands`, `getChatMember`, `sendChatAction`, `getMyName`,
//! `getMyDescription`, `getMyShortDescription`, and `result: true` for `setMyDescription`,
//! `setMyShortDescription`, `setMyName`, `setChatMenuButton`, `setMyDefaultAdministratorRights`,
//! `pinChatMessage`, `unpinChatMessage`, `unpinAllChatMessages`, `setMessageReaction`,
//! `leaveChat`, `banChatMember`, `unbanChatMember`, `close`, `logOut`.
//!
//! Checks Telegram makes that the fake makes too (all `400 Bad Request: …` unless noted):
//! empty text (`message text is empty`), text over 4096 / caption over 1024 characters,
//! malformed HTML with `parse_mode=HTML` (`can't parse entities: …`: unknown tags, unclosed or
//! mismatched tags, a bare `<`), unescaped `. ! - + = # { }` with `parse_mode=MarkdownV2`,
//! `callback_data` outside 1–64 bytes (`BUTTON_DATA_INVALID`), button URLs that are not
//! `http(s)://` or `tg://` (`BUTTON_URL_INVALID`), inline buttons without an action, editing a
//! missing message (`message to edit not found`) or a user's message (`message can't be edited`),
//! an edit that changes nothing (`message is not modified: …`), deleting a missing message,
//! answering an unknown or already answered callback / pre-checkout query (`query is too old…`),
//! `getFile` with an unknown id (`wrong file id`), over-long edits (`MESSAGE_TOO_LONG`),
//! chat ids that are not positive user ids (`chat not found`), a chat blocked with
//! [`FakeTelegram::block_chat`] (`403 Forbidden: bot was blocked by the user`), `getUpdates`
//! while a webhook is set (`409 Conflict: can't use getUpdates method while webhook is
//! active…`), a long poll cut short by `setWebhook` (`409 Conflict: terminated by setWebhook
//! request`) or by a second `getUpdates` (`409 Conflict: terminated by other getUpdates
//! request…`). Not enforced: webhook URLs may be `http://` on any port (real Telegram wants
//! HTTPS on 443/80/88/8443), flood limits (inject them with [`FakeTelegram::fail_next`]).
//! Message `text` is returned as sent (HTML / Markdown markup is not turned into entities).
//!
//! # Updates
//!
//! Each bot has its own queue and `update_id` sequence (starting at 1); a user action becomes
//! one of these shapes:
//!
//! ```text
//! {"update_id":1,"message":{"message_id":1,"from":{"id":42,"is_bot":false,"first_name":"User42",
//!   "username":"user42"},"chat":{"id":42,"type":"private","first_name":"User42","username":"user42"},
//!   "date":1700000000,"text":"/start","entities":[{"type":"bot_command","offset":0,"length":6}]}}
//! {"update_id":2,"message":{…,"photo":[{"file_id","file_unique_id","file_size","width","height"},…],"caption":"…"}}
//! {"update_id":3,"message":{…,"document":{"file_id","file_unique_id","file_name","mime_type","file_size"}}}
//! {"update_id":4,"callback_query":{"id":"…","from":{…},"message":{<the bot's message as it is now>},
//!   "chat_instance":"…","data":"buy:1"}}
//! {"update_id":5,"pre_checkout_query":{"id":"…","from":{…},"currency":"XTR","total_amount":100,
//!   "invoice_payload":"…"}}
//! {"update_id":6,"message":{…,"successful_payment":{"currency":"XTR","total_amount":100,
//!   "invoice_payload":"…","telegram_payment_charge_id":"…","provider_payment_charge_id":""}}}
//! ```
//!
//! If the bot has a webhook, updates are POSTed to it one at a time, in order, as JSON with
//! `X-Telegram-Bot-Api-Secret-Token: <secret_token>` when a secret was set; a non-2xx answer (or
//! a connection failure, recorded as status `0`) is retried twice after 100 ms, then the update
//! is dropped. Every status is recorded ([`FakeTelegram::webhook_statuses`]). Without a webhook,
//! updates wait for `getUpdates`. `allowed_updates` (from `getUpdates` or `setWebhook`) filters
//! new updates like Telegram does: a bot that did not ask for `pre_checkout_query` never gets one.
//!
//! # Control API over HTTP (for the standalone binary)
//!
//! JSON in, JSON out; unknown tokens answer `404 {"error":"…"}`.
//!
//! | Route | Body / query | Answer |
//! |---|---|---|
//! | `POST /control/bots` | `{"token"}` | `{"bot_id"}` |
//! | `POST /control/bots/revoke` | `{"token"}` | `{"ok":true}` |
//! | `POST /control/send_text` | `{"token","user_id","text"` + optional `"first_name","last_name","username","language_code"}` | `{"update_id"}` |
//! | `POST /control/send_photo` | `{"token","user_id","caption"?,"file_unique_id"?}` | `{"update_id"}` |
//! | `POST /control/send_document` | `{"token","user_id","file_name","content"?}` | `{"update_id"}` |
//! | `POST /control/press_button` | `{"token","user_id","message_id","data"}` | `{"callback_query_id"}` (`400` if no such button) |
//! | `POST /control/send_pre_checkout_query` | `{"token","user_id","currency","total_amount","invoice_payload"}` | `{"pre_checkout_query_id"}` |
//! | `POST /control/send_successful_payment` | same as above | `{"update_id","telegram_payment_charge_id"}` |
//! | `POST /control/block_chat` | `{"token","chat_id","blocked"?=true}` | `{"ok":true}` |
//! | `POST /control/fail_next` | `{"token","method","n","failure":{"retry_after":5}\|{"server_error":502}\|{"api":{"code","description"}}}` | `{"ok":true}` |
//! | `POST /control/delay` | `{"millis"}` | `{"ok":true}` |
//! | `GET /control/transcript?token=…&chat_id=…` | | `[SentMessage…]` |
//! | `GET /control/calls?token=…` | | `[{"method","body"}…]` |
//! | `GET /control/callback_answers?token=…` | | `[CallbackAnswer…]` |
//! | `GET /control/invoices?token=…` | | `[SentInvoice…]` |
//! | `GET /control/webhook_statuses?token=…` | | `[200,500,…]` |
//! | `GET /control/stats` | | `{"request_count"}` |

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;

/// How many times a webhook delivery is attempted before the update is dropped.
const WEBHOOK_ATTEMPTS: usize = 3;
/// Pause between webhook delivery attempts.
const WEBHOOK_RETRY_DELAY: Duration = Duration::from_millis(100);
/// Timeout of one webhook POST.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest `getUpdates` long poll honoured.
const MAX_POLL_SECS: u64 = 600;
/// Largest accepted request body (Telegram's upload limit is 50 MB).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Canonical names of the methods with their own behaviour.
const METHODS: &[&str] = &[
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "deleteMessages",
    "answerCallbackQuery",
    "sendPhoto",
    "sendDocument",
    "copyMessage",
    "forwardMessage",
    "getFile",
    "sendInvoice",
    "createInvoiceLink",
    "answerPreCheckoutQuery",
    "refundStarPayment",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "getChatMember",
    "sendChatAction",
    "getMyName",
    "getMyDescription",
    "getMyShortDescription",
];

/// Harmless methods answered with `result: true`.
const TRUE_METHODS: &[&str] = &[
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
    "setMyDefaultAdministratorRights",
    "pinChatMessage",
    "unpinChatMessage",
    "unpinAllChatMessages",
    "setMessageReaction",
    "leaveChat",
    "banChatMember",
    "unbanChatMember",
    "close",
    "logOut",
];

// =============================================================================================
// Public types
// =============================================================================================

/// A running fake Telegram Bot API server. Dropping it stops the server (open long polls return
/// at once, idle connections are closed) and the webhook deliveries.
///
/// Every helper takes `&self`; the state sits behind a `std::sync::Mutex` that is never held
/// across an `.await`, so tests can call helpers from anywhere, also while a bot is polling.
pub struct FakeTelegram {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl fmt::Debug for FakeTelegram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeTelegram").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::SeqCst);
        self.shared.wake();
        if let Some(tx) = self.shutdown.take() {
            // The server may already be gone; nothing to do then.
            tx.send(()).ok();
        }
    }
}

/// A Telegram user as the fake presents them in `from` and in the private `chat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FakeUser {
    /// User id, also the id of the private chat with the bot.
    pub id: i64,
    /// `first_name`; [`FakeUser::new`] uses `User{id}`.
    pub first_name: String,
    /// `last_name`, absent by default.
    #[serde(default)]
    pub last_name: Option<String>,
    /// `username` without `@`; [`FakeUser::new`] uses `user{id}`.
    #[serde(default)]
    pub username: Option<String>,
    /// IETF language tag of the user's client (`language_code`), absent by default.
    #[serde(default)]
    pub language_code: Option<String>,
    /// Whether the user has Telegram Premium.
    #[serde(default)]
    pub is_premium: bool,
}

impl FakeUser {
    /// The default user `id`: first name `User{id}`, username `user{id}`, no language code.
    pub fn new(id: i64) -> Self {
        FakeUser {
            id,
            first_name: format!("User{id}"),
            last_name: None,
            username: Some(format!("user{id}")),
            language_code: None,
            is_premium: false,
        }
    }

    /// Sets the client language (`language_code`), e.g. `"fa"`.
    #[must_use]
    pub fn with_language(mut self, language_code: &str) -> Self {
        self.language_code = Some(language_code.to_owned());
        self
    }

    /// Sets (or with `None` removes) the username.
    #[must_use]
    pub fn with_username(mut self, username: Option<&str>) -> Self {
        self.username = username.map(str::to_owned);
        self
    }
}

/// A fault to answer instead of the real result (see [`FakeTelegram::fail_next`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FakeFailure {
    /// `429 Too Many Requests: retry after N` with `parameters.retry_after = N`
    /// (teloxide: `RequestError::RetryAfter`).
    RetryAfter(u32),
    /// An HTTP 5xx (or any status) with a generic description (`Internal Server Error`,
    /// `Bad Gateway`…). Note that teloxide sleeps 10 s after any 5xx before reporting it.
    ServerError(u16),
    /// Any API error, e.g. `{ code: 403, description: "Forbidden: bot was blocked by the user" }`.
    Api {
        /// HTTP status and `error_code`.
        code: u16,
        /// `description`, which teloxide maps to its `ApiError` variants.
        description: String,
    },
}

/// Something the bot did in a chat: a send, an edit or a delete (see [`FakeTelegram::transcript`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentMessage {
    /// The chat (for private chats: the user id).
    pub chat_id: i64,
    /// The new message for sends, the target message for edits and deletes.
    pub message_id: i64,
    /// Canonical method name: `sendMessage`, `sendPhoto`, `sendDocument`, `sendInvoice`,
    /// `copyMessage`, `forwardMessage`, `editMessageText`, `editMessageCaption`,
    /// `editMessageReplyMarkup`, `deleteMessage`.
    pub method: String,
    /// Text or caption as sent (markup not rendered); for `editMessageReplyMarkup` the
    /// message's current text; for invoices the title; `None` for deletes.
    pub text: Option<String>,
    /// `parse_mode` as sent.
    pub parse_mode: Option<String>,
    /// `reply_markup` as sent (any kind: inline keyboard, reply keyboard, remove, force reply).
    pub reply_markup: Option<Value>,
    /// The file sent (largest photo size / document), if any.
    pub file_id: Option<String>,
    /// The message replied to, if any.
    pub reply_to_message_id: Option<i64>,
    /// All parameters of the call (complex values parsed from JSON strings; form values are
    /// strings; uploaded files appear as `{"file_name","size"}`).
    pub params: Value,
    /// When the fake received the call (for latency measurements).
    #[serde(skip)]
    pub at: std::time::Instant,
}

/// One inline keyboard button of a [`SentMessage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InlineButton {
    /// Button label.
    pub text: String,
    /// `callback_data`, if it is a callback button.
    pub callback_data: Option<String>,
    /// `url`, if it is a URL button.
    pub url: Option<String>,
}

impl SentMessage {
    /// All inline keyboard buttons, row by row (empty for other markups).
    pub fn buttons(&self) -> Vec<InlineButton> {
        inline_buttons(self.reply_markup.as_ref())
    }

    /// The `callback_data` of the inline button labelled exactly `label`.
    pub fn button_data(&self, label: &str) -> Option<String> {
        self.buttons().into_iter().find(|b| b.text == label).and_then(|b| b.callback_data)
    }

    /// Whether this entry created a new message (as opposed to an edit or a delete).
    pub fn is_send(&self) -> bool {
        !self.method.starts_with("edit") && self.method != "deleteMessage"
    }
}

/// A recorded `answerCallbackQuery` call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallbackAnswer {
    /// The query answered.
    pub callback_query_id: String,
    /// Notification text, if any.
    pub text: Option<String>,
    /// Whether an alert was requested instead of a toast.
    pub show_alert: bool,
    /// URL to open, if any.
    pub url: Option<String>,
}

/// A recorded `sendInvoice` or `createInvoiceLink` call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentInvoice {
    /// The chat of `sendInvoice`; `None` for `createInvoiceLink`.
    pub chat_id: Option<i64>,
    /// The invoice message of `sendInvoice`.
    pub message_id: Option<i64>,
    /// The link returned by `createInvoiceLink`.
    pub link: Option<String>,
    /// Product name.
    pub title: String,
    /// Product description.
    pub description: String,
    /// Bot-defined payload (`payload` parameter).
    pub payload: String,
    /// Currency, e.g. `XTR` for Telegram Stars.
    pub currency: String,
    /// Sum of `prices[].amount`.
    pub total_amount: i64,
    /// `prices` as sent.
    pub prices: Value,
}

/// A recorded `answerPreCheckoutQuery` call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreCheckoutAnswer {
    /// The query answered.
    pub pre_checkout_query_id: String,
    /// Whether the bot accepted the order.
    pub ok: bool,
    /// Reason given for a refusal.
    pub error_message: Option<String>,
}

/// A recorded `refundStarPayment` call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StarRefund {
    /// The refunded user.
    pub user_id: i64,
    /// The refunded charge.
    pub telegram_payment_charge_id: String,
}

/// The result of [`FakeTelegram::send_successful_payment`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FakePayment {
    /// The update carrying the `successful_payment` message.
    pub update_id: i64,
    /// The charge id the bot can refund with `refundStarPayment`.
    pub telegram_payment_charge_id: String,
}

/// A user's membership as `getChatMember` reports it (see [`FakeTelegram::set_member_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// `"member"` (the default for any chat and user).
    #[default]
    Member,
    /// `"left"`.
    Left,
    /// `"kicked"` (banned forever).
    Kicked,
}

/// Why a control helper could not act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FakeTelegramError {
    /// The token was never registered with [`FakeTelegram::add_bot`].
    UnknownBot(String),
    /// No live (undeleted) message with this id in this chat.
    MessageNotFound {
        /// The chat searched.
        chat_id: i64,
        /// The message id asked for.
        message_id: i64,
    },
    /// The message exists but was not sent by the bot, so it has no buttons.
    NotABotMessage {
        /// The message id asked for.
        message_id: i64,
    },
    /// The message has no inline button with this `callback_data`.
    ButtonNotFound {
        /// The message id asked for.
        message_id: i64,
        /// The data looked for.
        data: String,
    },
}

impl fmt::Display for FakeTelegramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownBot(token) => write!(f, "unknown bot token {token:?}; call add_bot first"),
            Self::MessageNotFound { chat_id, message_id } => {
                write!(f, "no message {message_id} in chat {chat_id}")
            }
            Self::NotABotMessage { message_id } => write!(f, "message {message_id} was not sent by the bot"),
            Self::ButtonNotFound { message_id, data } => {
                write!(f, "message {message_id} has no inline button with callback_data {data:?}")
            }
        }
    }
}

impl std::error::Error for FakeTelegramError {}

// =============================================================================================
// The handle
// =============================================================================================

impl FakeTelegram {
    /// Starts a fake on `127.0.0.1:<random port>` with no bots.
    ///
    /// # Panics
    /// When no local port can be bound (the test environment is broken); see [`Self::try_start`].
    pub async fn start() -> FakeTelegram {
        match Self::try_start().await {
            Ok(fake) => fake,
            Err(e) => panic!("FakeTelegram could not bind 127.0.0.1:0: {e}"),
        }
    }

    /// Like [`Self::start`], but returns the bind error instead of panicking.
    ///
    /// # Errors
    /// When binding `127.0.0.1:0` fails.
    pub async fn try_start() -> io::Result<FakeTelegram> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a fake on `addr` (the standalone binary uses this).
    ///
    /// # Errors
    /// When binding `addr` fails.
    pub async fn start_on(addr: SocketAddr) -> io::Result<FakeTelegram> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let http = reqwest::Client::builder().timeout(WEBHOOK_TIMEOUT).no_proxy().build().ok();
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            notify: Notify::new(),
            closed: AtomicBool::new(false),
            http,
        });
        let app = router(Arc::clone(&shared));
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let signal = async move {
                rx.await.ok();
            };
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(signal).await {
                tracing::warn!(error = %e, "FakeTelegram server stopped");
            }
        });
        Ok(FakeTelegram { shared, addr, shutdown: Some(tx) })
    }

    /// The API base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). Bots use it as
    /// their `api_url`; requests go to `{url}/bot{token}/{method}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    // ----- bots --------------------------------------------------------------------------------

    /// Registers a bot token and returns the bot id: the number before `:` in the token (a token
    /// without one gets a stable id derived from its hash). `getMe` then answers `Bot{id}` /
    /// `@bot{id}`. Registering a revoked token again restores it, keeping its state.
    pub fn add_bot(&self, token: &str) -> i64 {
        let id = {
            let mut st = self.shared.lock();
            let bot = st.bots.entry(token.to_owned()).or_insert_with(|| BotState::new(bot_id_of(token)));
            bot.revoked = false;
            bot.id
        };
        self.shared.wake();
        id
    }

    /// Makes every later call with `token` (and any running long poll) answer `401 Unauthorized`,
    /// as Telegram does for a revoked token. Webhook deliveries stop.
    pub fn revoke_bot(&self, token: &str) {
        if let Some(bot) = self.shared.lock().bots.get_mut(token) {
            bot.revoked = true;
        }
        self.shared.wake();
    }

    // ----- user actions ------------------------------------------------------------------------

    /// User `user_id` sends `text` to the bot in their private chat; returns the `update_id`.
    /// The user's profile is the last one given to [`Self::send_text_as`] or
    /// [`FakeUser::new`]. A text starting with `/` carries a `bot_command` entity.
    ///
    /// # Panics
    /// When `token` was never registered (a test bug).
    pub fn send_text(&self, token: &str, user_id: i64, text: &str) -> i64 {
        let user = self.shared.user(user_id);
        self.send_text_as(token, &user, text)
    }

    /// Like [`Self::send_text`] with a custom profile (language code, names), which is
    /// remembered for later messages of that user.
    ///
    /// # Panics
    /// When `token` was never registered (a test bug).
    pub fn send_text_as(&self, token: &str, user: &FakeUser, text: &str) -> i64 {
        or_panic(self.shared.inject_text(token, user, text))
    }

    /// User `user_id` sends a photo (a small fake JPEG payload in two sizes) with an optional
    /// caption; returns the `update_id`.
    ///
    /// # Panics
    /// When `token` was never registered (a test bug).
    pub fn send_photo(&self, token: &str, user_id: i64, caption: Option<&str>) -> i64 {
        or_panic(self.shared.inject_photo(token, user_id, caption, None))
    }

    /// User `user_id` sends a picture whose largest size has the `file_unique_id`
    /// `unique_id`: the same picture sent again or forwarded, which Telegram gives the same
    /// unique id in every chat and for every bot (its `file_id`s differ). Returns the
    /// `update_id`.
    ///
    /// # Panics
    /// When `token` was never registered (a test bug).
    pub fn send_same_photo(&self, token: &str, user_id: i64, unique_id: &str, caption: Option<&str>) -> i64 {
        or_panic(self.shared.inject_photo(token, user_id, caption, Some(unique_id)))
    }

    /// User `user_id` sends a document named `file_name` (content `fake document {file_name}`);
    /// returns the `update_id`.
    ///
    /// # Panics
    /// When `token` was never registered (a test bug).
    pub fn send_document(&self, token: &str, user_id: i64, file_name: &str) -> i64 {
        let content = format!("fake document {file_name}").into_bytes();
        or_panic(self.shared.inject_document(token, user_id, file_name, content))
    }

    /// Like [`Self::send_document`] with given content (downloadable via `getFile`).
    ///
    /// # Panics
    /// When `token` was never registered (a test bug).
    pub fn send_document_bytes(&self, token: &str, user_id: i64, file_name: &str, content: Vec<u8>) -> i64 {
        or_panic(self.shared.inject_document(token, user_id, file_name, content))
    }

    /// User `user_id` presses the inline button with `callback_data == data` on the bot's
    /// message `message_id` in their chat; returns the callback query id. The update carries
    /// the message as it is now (after edits) and a `chat_instance`.
    ///
    /// # Errors
    /// Unknown token, no such live message, not a bot message, or no button with that data.
    pub fn press_button(
        &self,
        token: &str,
        user_id: i64,
        message_id: i64,
        data: &str,
    ) -> Result<String, FakeTelegramError> {
        self.shared.inject_callback(token, user_id, message_id, data, true)
    }

    /// Like [`Self::press_button`] without checking that the button exists (a stale client, a
    /// forged callback). A missing message is sent as an inaccessible message (`date: 0`).
    ///
    /// # Errors
    /// Only for an unknown token.
    pub fn press_button_unchecked(
        &self,
        token: &str,
        user_id: i64,
        message_id: i64,
        data: &str,
    ) -> Result<String, FakeTelegramError> {
        self.shared.inject_callback(token, user_id, message_id, data, false)
    }

    /// User `user_id`, a member of the group `chat_id`, presses the inline button with
    /// `callback_data == data` on the bot's message `message_id` in that group; returns the
    /// callback query id. The update carries the message as it is now.
    ///
    /// # Errors
    /// Unknown token, no such live message, not a bot message, or no button with that data.
    pub fn press_button_in_chat(
        &self,
        token: &str,
        chat_id: i64,
        user_id: i64,
        message_id: i64,
        data: &str,
    ) -> Result<String, FakeTelegramError> {
        self.shared.inject_group_callback(token, chat_id, user_id, message_id, data)
    }

    /// User `user_id` sends a sticker in their private chat; returns the `update_id`.
    ///
    /// # Panics
    /// When `token` was never registered (a test bug).
    pub fn send_sticker(&self, token: &str, user_id: i64) -> i64 {
        let user = self.shared.user(user_id);
        let mut content = Map::new();
        content.insert(
            "sticker".into(),
            json!({
                "file_id": format!("CAACAgIAAx0Csticker{user_id}"),
                "file_unique_id": format!("AgADsticker{user_id}"),
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": false,
                "is_video": false,
                "emoji": "👍",
            }),
        );
        or_panic(self.shared.inject_message(token, &user, content))
    }

    /// User `user_id` confirms payment of an invoice: queues a `pre_checkout_query` and returns
    /// its id. The bot must answer it with `answerPreCheckoutQuery` (see
    /// [`Self::pre_checkout_answers`]).
    ///
    /// # Panics
    /// When `token` was never registered (a test bug).
    pub fn send_pre_checkout_query(
        &self,
        token: &str,
        user_id: i64,
        currency: &str,
        total_amount: u32,
        invoice_payload: &str,
    ) -> String {
        or_panic(self.shared.inject_pre_checkout(token, user_id, currency, total_amount, invoice_payload))
    }

    /// The payment went through: queues a message with `successful_payment` (charge id
    /// `stxFake…`, `provider_payment_charge_id` empty for `XTR`).
    ///
    /// # Panics
    /// When `token` was never registered (a test bug).
    pub fn send_successful_payment(
        &self,
        token: &str,
        user_id: i64,
        currency: &str,
        total_amount: u32,
        invoice_payload: &str,
    ) -> FakePayment {
        or_panic(self.shared.inject_payment(token, user_id, currency, total_amount, invoice_payload))
    }

    /// Queues any update. `update` is the object without `update_id` (which is assigned and
    /// returned) and with exactly one key, the update kind, e.g. `json!({"my_chat_member": {…}})`
    /// (the kind is also what `allowed_updates` filters on).
    ///
    /// # Panics
    /// When `token` was never registered (a test bug).
    pub fn push_update(&self, token: &str, update: Value) -> i64 {
        or_panic(self.shared.inject_raw(token, update))
    }

    /// Puts the bot in the group chat `chat_id` (a negative id, like Telegram's supergroups)
    /// named `title`: the bot can then send there, and its members press buttons there with
    /// [`Self::press_button_in_chat`].
    pub fn add_group(&self, token: &str, chat_id: i64, title: &str) {
        if let Some(bot) = self.shared.lock().bots.get_mut(token) {
            bot.groups.insert(chat_id, title.to_owned());
        }
    }

    /// The user blocks the bot: sends and edits to `chat_id` answer
    /// `403 Forbidden: bot was blocked by the user`.
    pub fn block_chat(&self, token: &str, chat_id: i64) {
        self.shared.set_blocked(token, chat_id, true);
    }

    /// Undoes [`Self::block_chat`].
    pub fn unblock_chat(&self, token: &str, chat_id: i64) {
        self.shared.set_blocked(token, chat_id, false);
    }

    /// What `getChatMember(chat_id, user_id)` answers (default [`MemberStatus::Member`]).
    pub fn set_member_status(&self, token: &str, chat_id: i64, user_id: i64, status: MemberStatus) {
        if let Some(bot) = self.shared.lock().bots.get_mut(token) {
            bot.members.insert((chat_id, user_id), status);
        }
    }

    // ----- observation -------------------------------------------------------------------------

    /// Everything the bot sent, edited or deleted in `chat_id`, in order.
    pub fn transcript(&self, token: &str, chat_id: i64) -> Vec<SentMessage> {
        self.shared.transcript(token, chat_id)
    }

    /// Waits until the transcript of `chat_id` has at least `n` entries (sends, edits and
    /// deletes all count) or `timeout` passes, then returns the transcript as it is.
    pub async fn wait_for_messages(&self, token: &str, chat_id: i64, n: usize, timeout: Duration) -> Vec<SentMessage> {
        self.wait_until(timeout, |fake| fake.transcript(token, chat_id).len() >= n).await;
        self.transcript(token, chat_id)
    }

    /// Waits until `cond` holds (checked after every state change) or `timeout` passes;
    /// returns the last value of `cond`. `cond` may call any helper of the fake.
    pub async fn wait_until(&self, timeout: Duration, mut cond: impl FnMut(&Self) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.shared.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if cond(self) {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return cond(self);
            }
        }
    }

    /// The current state of a message (bot's or user's), `None` if unknown or deleted.
    pub fn message(&self, token: &str, chat_id: i64, message_id: i64) -> Option<Value> {
        let st = self.shared.lock();
        st.bots.get(token)?.live_message(chat_id, message_id).map(|m| m.json.clone())
    }

    /// Every API call of the bot, in order: canonical method name (e.g. `sendMessage`; the raw
    /// name for unknown methods) and parameters (see [`SentMessage::params`]). Includes calls
    /// that failed or were answered by an injected failure.
    pub fn calls(&self, token: &str) -> Vec<(String, Value)> {
        self.shared.lock().bots.get(token).map(|b| b.calls.clone()).unwrap_or_default()
    }

    /// The parameters of every call of `method` (case-insensitive), in order.
    pub fn calls_of(&self, token: &str, method: &str) -> Vec<Value> {
        self.calls(token).into_iter().filter(|(m, _)| m.eq_ignore_ascii_case(method)).map(|(_, body)| body).collect()
    }

    /// Successful `answerCallbackQuery` calls, in order.
    pub fn callback_answers(&self, token: &str) -> Vec<CallbackAnswer> {
        self.shared.lock().bots.get(token).map(|b| b.callback_answers.clone()).unwrap_or_default()
    }

    /// Successful `sendInvoice` / `createInvoiceLink` calls, in order.
    pub fn invoices(&self, token: &str) -> Vec<SentInvoice> {
        self.shared.lock().bots.get(token).map(|b| b.invoices.clone()).unwrap_or_default()
    }

    /// Successful `answerPreCheckoutQuery` calls, in order.
    pub fn pre_checkout_answers(&self, token: &str) -> Vec<PreCheckoutAnswer> {
        self.shared.lock().bots.get(token).map(|b| b.pre_checkout_answers.clone()).unwrap_or_default()
    }

    /// Successful `refundStarPayment` calls, in order.
    pub fn refunds(&self, token: &str) -> Vec<StarRefund> {
        self.shared.lock().bots.get(token).map(|b| b.refunds.clone()).unwrap_or_default()
    }

    /// The commands of the default scope without language (from `setMyCommands`), as
    /// `(command, description)`.
    pub fn my_commands(&self, token: &str) -> Vec<(String, String)> {
        let st = self.shared.lock();
        let Some(list) = st.bots.get(token).and_then(|b| b.commands.get(&commands_key(None, None))) else {
            return Vec::new();
        };
        list.as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|c| {
                        (str_field(c, "command").unwrap_or_default(), str_field(c, "description").unwrap_or_default())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The HTTP status of every webhook delivery attempt, in order (`0` = connection failed).
    pub fn webhook_statuses(&self, token: &str) -> Vec<u16> {
        self.shared.lock().bots.get(token).map(|b| b.webhook_statuses.clone()).unwrap_or_default()
    }

    /// The webhook URL set by the bot, if any.
    pub fn webhook_url(&self, token: &str) -> Option<String> {
        self.shared.lock().bots.get(token).and_then(|b| b.webhook.as_ref().map(|w| w.url.clone()))
    }

    /// Updates not yet confirmed by `getUpdates` or delivered to the webhook.
    pub fn pending_updates(&self, token: &str) -> usize {
        self.shared.lock().bots.get(token).map(|b| b.queue.len()).unwrap_or_default()
    }

    /// The bytes of a file the bot uploaded or a user sent (by `file_id`).
    pub fn file_bytes(&self, token: &str, file_id: &str) -> Option<Vec<u8>> {
        self.shared.lock().bots.get(token)?.files.get(file_id).map(|f| f.bytes.clone())
    }

    /// Requests received on the Bot API and file routes (not the control routes), all bots.
    pub fn request_count(&self) -> u64 {
        self.shared.lock().request_count
    }

    // ----- fault injection ---------------------------------------------------------------------

    /// The next `n` calls of `method` (case-insensitive; `"*"` = any method) by this bot answer
    /// `failure` instead of their result. Failures queue up in the order they were added.
    pub fn fail_next(&self, token: &str, method: &str, n: usize, failure: FakeFailure) {
        self.shared.fail_next(token, method, n, failure);
    }

    /// Sleeps `delay` before answering every Bot API request (zero by default).
    pub fn set_delay(&self, delay: Duration) {
        self.shared.lock().delay = delay;
    }

    /// Calls of `method` (case-insensitive) take effect at once but are answered `delay`
    /// later, like an answer slow to travel back: for `setWebhook`, updates may be delivered
    /// before the bot hears that its webhook is set. Zero turns it off.
    pub fn set_answer_delay(&self, method: &str, delay: Duration) {
        let Some(method) = canonical_method(method) else { return };
        let mut st = self.shared.lock();
        if delay.is_zero() {
            st.answer_delays.remove(method);
        } else {
            st.answer_delays.insert(method, delay);
        }
    }
}

fn or_panic<T>(result: Result<T, FakeTelegramError>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("FakeTelegram: {e}"),
    }
}

// =============================================================================================
// State
// =============================================================================================

struct Shared {
    state: Mutex<State>,
    notify: Notify,
    closed: AtomicBool,
    http: Option<reqwest::Client>,
}

#[derive(Default)]
struct State {
    bots: HashMap<String, BotState>,
    /// User profiles, shared by all bots (one human talks to many tenants' bots).
    users: HashMap<i64, FakeUser>,
    delay: Duration,
    /// Per method: how long its answer is held after it took effect.
    answer_delays: HashMap<&'static str, Duration>,
    request_count: u64,
}

struct BotState {
    id: i64,
    /// Rung when this bot's queue, webhook or token changes: its webhook delivery task and
    /// long polls wait here, so one bot's traffic does not wake every other bot's waiters.
    bell: Arc<Notify>,
    revoked: bool,
    webhook: Option<Webhook>,
    /// Bumped by every setWebhook / deleteWebhook; a delivery task serves one generation.
    webhook_gen: u64,
    webhook_statuses: Vec<u16>,
    last_webhook_error: Option<(i64, String)>,
    allowed_updates: Option<Vec<String>>,
    queue: VecDeque<Queued>,
    next_update_id: i64,
    /// Bumped by every getUpdates; an older long poll that sees a newer one ends with 409.
    poll_gen: u64,
    next_message_id: HashMap<i64, i64>,
    messages: HashMap<(i64, i64), StoredMessage>,
    transcripts: HashMap<i64, Vec<SentMessage>>,
    calls: Vec<(String, Value)>,
    failures: Vec<PendingFailure>,
    blocked: HashSet<i64>,
    members: HashMap<(i64, i64), MemberStatus>,
    /// Group chats the bot is in (see [`FakeTelegram::add_group`]), with their titles.
    groups: HashMap<i64, String>,
    next_serial: u64,
    callback_queries: HashMap<String, bool>,
    callback_answers: Vec<CallbackAnswer>,
    pre_checkout_queries: HashMap<String, bool>,
    pre_checkout_answers: Vec<PreCheckoutAnswer>,
    invoices: Vec<SentInvoice>,
    charges: HashMap<String, bool>,
    refunds: Vec<StarRefund>,
    files: HashMap<String, StoredFile>,
    commands: HashMap<String, Value>,
}

struct Webhook {
    url: String,
    secret_token: Option<String>,
    max_connections: Option<i64>,
}

struct Queued {
    id: i64,
    json: Value,
}

struct StoredMessage {
    json: Value,
    from_bot: bool,
    deleted: bool,
}

struct StoredFile {
    file_id: String,
    unique_id: String,
    path: String,
    bytes: Vec<u8>,
    file_name: Option<String>,
    mime_type: Option<String>,
    width: u32,
    height: u32,
}

struct PendingFailure {
    method: String,
    remaining: usize,
    failure: FakeFailure,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Photo,
    Document,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes every waiter (long polls, webhook deliveries, `wait_until`) to re-check the state.
    fn wake(&self) {
        self.notify.notify_waiters();
        for bot in self.lock().bots.values() {
            bot.bell.notify_waiters();
        }
    }

    /// Wakes the waiters of the bot with `token` and the fake's own `wait_until` waiters.
    fn wake_bot(&self, token: &str) {
        self.notify.notify_waiters();
        if let Some(bot) = self.lock().bots.get(token) {
            bot.bell.notify_waiters();
        }
    }

    /// The bell of the bot with `token`, if it exists.
    fn bell(&self, token: &str) -> Option<Arc<Notify>> {
        self.lock().bots.get(token).map(|b| b.bell.clone())
    }

    fn user(&self, user_id: i64) -> FakeUser {
        self.lock().users.get(&user_id).cloned().unwrap_or_else(|| FakeUser::new(user_id))
    }

    /// Runs `f` on the bot and the user registry, then wakes the waiters.
    fn with_bot<R>(
        &self,
        token: &str,
        f: impl FnOnce(&mut BotState, &mut HashMap<i64, FakeUser>) -> Result<R, FakeTelegramError>,
    ) -> Result<R, FakeTelegramError> {
        let result = {
            let mut st = self.lock();
            let State { bots, users, .. } = &mut *st;
            match bots.get_mut(token) {
                Some(bot) => f(bot, users),
                None => Err(FakeTelegramError::UnknownBot(token.to_owned())),
            }
        };
        self.wake_bot(token);
        result
    }

    fn inject_message(
        &self,
        token: &str,
        user: &FakeUser,
        content: Map<String, Value>,
    ) -> Result<i64, FakeTelegramError> {
        self.with_bot(token, |bot, users| {
            users.insert(user.id, user.clone());
            Ok(bot.user_message(user, content))
        })
    }

    fn inject_text(&self, token: &str, user: &FakeUser, text: &str) -> Result<i64, FakeTelegramError> {
        let mut content = Map::new();
        content.insert("text".into(), json!(text));
        if text.starts_with('/') {
            let command = text.split_whitespace().next().unwrap_or(text);
            content.insert(
                "entities".into(),
                json!([{"type": "bot_command", "offset": 0, "length": command.encode_utf16().count()}]),
            );
        }
        self.inject_message(token, user, content)
    }

    fn inject_photo(
        &self,
        token: &str,
        user_id: i64,
        caption: Option<&str>,
        unique_id: Option<&str>,
    ) -> Result<i64, FakeTelegramError> {
        let user = self.user(user_id);
        self.with_bot(token, |bot, _| {
            let sizes = bot.store_photo(FAKE_JPEG.to_vec());
            if let Some((largest, unique_id)) = sizes.last().zip(unique_id)
                && let Some(file) = bot.files.get_mut(largest)
            {
                file.unique_id = unique_id.to_owned();
            }
            let mut content = Map::new();
            content
                .insert("photo".into(), Value::Array(sizes.iter().filter_map(|id| bot.photo_size_json(id)).collect()));
            if let Some(caption) = caption {
                content.insert("caption".into(), json!(caption));
            }
            Ok(bot.user_message(&user, content))
        })
    }

    fn inject_document(
        &self,
        token: &str,
        user_id: i64,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<i64, FakeTelegramError> {
        let user = self.user(user_id);
        self.with_bot(token, |bot, _| {
            let id = bot.store_file(FileKind::Document, bytes, Some(file_name.to_owned()), None);
            let mut content = Map::new();
            content.insert("document".into(), bot.document_json(&id).unwrap_or(Value::Null));
            Ok(bot.user_message(&user, content))
        })
    }

    fn inject_callback(
        &self,
        token: &str,
        user_id: i64,
        message_id: i64,
        data: &str,
        checked: bool,
    ) -> Result<String, FakeTelegramError> {
        let user = self.user(user_id);
        self.with_bot(token, |bot, _| {
            let message = match bot.live_message(user_id, message_id) {
                Some(stored) => {
                    if checked && !stored.from_bot {
                        return Err(FakeTelegramError::NotABotMessage { message_id });
                    }
                    let has_button = inline_buttons(stored.json.get("reply_markup"))
                        .iter()
                        .any(|b| b.callback_data.as_deref() == Some(data));
                    if checked && !has_button {
                        return Err(FakeTelegramError::ButtonNotFound { message_id, data: data.to_owned() });
                    }
                    stored.json.clone()
                }
                None if checked => return Err(FakeTelegramError::MessageNotFound { chat_id: user_id, message_id }),
                None => json!({"message_id": message_id, "chat": chat_json(&user), "date": 0}),
            };
            let id = bot.serial_id();
            bot.callback_queries.insert(id.clone(), false);
            let query = json!({
                "id": id,
                "from": user_json(&user),
                "message": message,
                "chat_instance": format!("-{}{}", bot.id, user_id),
                "data": data,
            });
            bot.enqueue("callback_query", query);
            Ok(id)
        })
    }

    fn inject_group_callback(
        &self,
        token: &str,
        chat_id: i64,
        user_id: i64,
        message_id: i64,
        data: &str,
    ) -> Result<String, FakeTelegramError> {
        let user = self.user(user_id);
        self.with_bot(token, |bot, _| {
            let Some(stored) = bot.live_message(chat_id, message_id) else {
                return Err(FakeTelegramError::MessageNotFound { chat_id, message_id });
            };
            if !stored.from_bot {
                return Err(FakeTelegramError::NotABotMessage { message_id });
            }
            let has_button = inline_buttons(stored.json.get("reply_markup"))
                .iter()
                .any(|b| b.callback_data.as_deref() == Some(data));
            if !has_button {
                return Err(FakeTelegramError::ButtonNotFound { message_id, data: data.to_owned() });
            }
            let message = stored.json.clone();
            let id = bot.serial_id();
            bot.callback_queries.insert(id.clone(), false);
            let query = json!({
                "id": id,
                "from": user_json(&user),
                "message": message,
                "chat_instance": format!("-{}{}", bot.id, chat_id),
                "data": data,
            });
            bot.enqueue("callback_query", query);
            Ok(id)
        })
    }

    fn inject_pre_checkout(
        &self,
        token: &str,
        user_id: i64,
        currency: &str,
        total_amount: u32,
        invoice_payload: &str,
    ) -> Result<String, FakeTelegramError> {
        let user = self.user(user_id);
        self.with_bot(token, |bot, _| {
            let id = bot.serial_id();
            bot.pre_checkout_queries.insert(id.clone(), false);
            let query = json!({
                "id": id,
                "from": user_json(&user),
                "currency": currency,
                "total_amount": total_amount,
                "invoice_payload": invoice_payload,
            });
            bot.enqueue("pre_checkout_query", query);
            Ok(id)
        })
    }

    fn inject_payment(
        &self,
        token: &str,
        user_id: i64,
        currency: &str,
        total_amount: u32,
        invoice_payload: &str,
    ) -> Result<FakePayment, FakeTelegramError> {
        let user = self.user(user_id);
        self.with_bot(token, |bot, _| {
            let serial = bot.serial_id();
            let charge = format!("stxFake{serial}");
            let provider = if currency == "XTR" { String::new() } else { format!("provider_{serial}") };
            bot.charges.insert(charge.clone(), false);
            let mut content = Map::new();
            content.insert(
                "successful_payment".into(),
                json!({
                    "currency": currency,
                    "total_amount": total_amount,
                    "invoice_payload": invoice_payload,
                    "telegram_payment_charge_id": charge,
                    "provider_payment_charge_id": provider,
                }),
            );
            let update_id = bot.user_message(&user, content);
            Ok(FakePayment { update_id, telegram_payment_charge_id: charge })
        })
    }

    fn inject_raw(&self, token: &str, update: Value) -> Result<i64, FakeTelegramError> {
        self.with_bot(token, |bot, _| {
            let mut fields = match update {
                Value::Object(map) => map,
                other => {
                    let mut map = Map::new();
                    map.insert("unknown".into(), other);
                    map
                }
            };
            fields.remove("update_id");
            let kind = fields.keys().next().cloned().unwrap_or_else(|| "unknown".into());
            let payload = fields.remove(&kind).unwrap_or(Value::Null);
            Ok(bot.enqueue(&kind, payload))
        })
    }

    fn set_blocked(&self, token: &str, chat_id: i64, blocked: bool) {
        if let Some(bot) = self.lock().bots.get_mut(token) {
            if blocked {
                bot.blocked.insert(chat_id);
            } else {
                bot.blocked.remove(&chat_id);
            }
        }
        self.wake();
    }

    fn fail_next(&self, token: &str, method: &str, n: usize, failure: FakeFailure) {
        if n == 0 {
            return;
        }
        if let Some(bot) = self.lock().bots.get_mut(token) {
            bot.failures.push(PendingFailure { method: method.to_owned(), remaining: n, failure });
        }
    }

    fn transcript(&self, token: &str, chat_id: i64) -> Vec<SentMessage> {
        self.lock().bots.get(token).and_then(|b| b.transcripts.get(&chat_id).cloned()).unwrap_or_default()
    }

    /// Counts a request and returns the configured answer delay.
    fn count_request(&self) -> Duration {
        let mut st = self.lock();
        st.request_count += 1;
        st.delay
    }
}

impl BotState {
    fn new(id: i64) -> Self {
        BotState {
            bell: Arc::new(Notify::new()),
            id,
            revoked: false,
            webhook: None,
            webhook_gen: 0,
            webhook_statuses: Vec::new(),
            last_webhook_error: None,
            allowed_updates: None,
            queue: VecDeque::new(),
            next_update_id: 1,
            poll_gen: 0,
            next_message_id: HashMap::new(),
            messages: HashMap::new(),
            transcripts: HashMap::new(),
            calls: Vec::new(),
            failures: Vec::new(),
            blocked: HashSet::new(),
            members: HashMap::new(),
            groups: HashMap::new(),
            next_serial: 0,
            callback_queries: HashMap::new(),
            callback_answers: Vec::new(),
            pre_checkout_queries: HashMap::new(),
            pre_checkout_answers: Vec::new(),
            invoices: Vec::new(),
            charges: HashMap::new(),
            refunds: Vec::new(),
            files: HashMap::new(),
            commands: HashMap::new(),
        }
    }

    /// Message ids are per chat and shared by both sides, like in a private chat.
    fn alloc_message_id(&mut self, chat_id: i64) -> i64 {
        let next = self.next_message_id.entry(chat_id).or_insert(0);
        *next += 1;
        *next
    }

    /// A unique numeric-looking id for queries, charges and files.
    fn serial_id(&mut self) -> String {
        self.next_serial += 1;
        format!("{}{:06}", self.id, self.next_serial)
    }

    /// Assigns the next update id and queues the update unless `allowed_updates` excludes it.
    fn enqueue(&mut self, kind: &str, payload: Value) -> i64 {
        let id = self.next_update_id;
        self.next_update_id += 1;
        let allowed = match &self.allowed_updates {
            Some(list) if !list.is_empty() => list.iter().any(|k| k == kind),
            _ => true,
        };
        if allowed {
            let mut update = Map::new();
            update.insert("update_id".into(), json!(id));
            update.insert(kind.to_owned(), payload);
            self.queue.push_back(Queued { id, json: Value::Object(update) });
        }
        id
    }

    /// Stores a message from `user` in their private chat and queues it; returns the update id.
    fn user_message(&mut self, user: &FakeUser, content: Map<String, Value>) -> i64 {
        let message_id = self.alloc_message_id(user.id);
        let mut msg = Map::new();
        msg.insert("message_id".into(), json!(message_id));
        msg.insert("from".into(), user_json(user));
        msg.insert("chat".into(), chat_json(user));
        msg.insert("date".into(), json!(now_secs()));
        msg.extend(content);
        let msg = Value::Object(msg);
        self.messages
            .insert((user.id, message_id), StoredMessage { json: msg.clone(), from_bot: false, deleted: false });
        self.enqueue("message", msg)
    }

    fn live_message(&self, chat_id: i64, message_id: i64) -> Option<&StoredMessage> {
        self.messages.get(&(chat_id, message_id)).filter(|m| !m.deleted)
    }

    fn check_blocked(&self, chat_id: i64) -> Result<(), ApiErr> {
        if self.blocked.contains(&chat_id) {
            return Err(ApiErr::new(403, "Forbidden: bot was blocked by the user"));
        }
        Ok(())
    }

    fn take_failure(&mut self, method: &str) -> Option<FakeFailure> {
        let idx = self.failures.iter().position(|f| f.method == "*" || f.method.eq_ignore_ascii_case(method))?;
        let entry = &mut self.failures[idx];
        entry.remaining = entry.remaining.saturating_sub(1);
        let failure = entry.failure.clone();
        if entry.remaining == 0 {
            self.failures.remove(idx);
        }
        Some(failure)
    }

    fn push_transcript(&mut self, entry: SentMessage) {
        self.transcripts.entry(entry.chat_id).or_default().push(entry);
    }

    fn store_file(
        &mut self,
        kind: FileKind,
        bytes: Vec<u8>,
        file_name: Option<String>,
        mime: Option<String>,
    ) -> String {
        let serial = self.serial_id();
        let (prefix, dir, ext) = match kind {
            FileKind::Photo => ("AgACAgIAAxkB", "photos", "jpg".to_owned()),
            FileKind::Document => (
                "BQACAgIAAxkB",
                "documents",
                file_name
                    .as_deref()
                    .and_then(|n| n.rsplit_once('.'))
                    .map(|(_, e)| e.to_ascii_lowercase())
                    .filter(|e| !e.is_empty() && e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
                    .unwrap_or_else(|| "bin".to_owned()),
            ),
        };
        let mime_type = match kind {
            FileKind::Photo => Some("image/jpeg".to_owned()),
            FileKind::Document => mime
                .filter(|m| !m.is_empty() && m != "application/octet-stream")
                .or_else(|| Some(guess_mime(&ext).to_owned())),
        };
        let file_id = format!("{prefix}{serial}");
        let (width, height) = if kind == FileKind::Photo { (800, 600) } else { (0, 0) };
        let file = StoredFile {
            file_id: file_id.clone(),
            unique_id: format!("AQAD{serial}"),
            path: format!("{dir}/file_{serial}.{ext}"),
            bytes,
            file_name,
            mime_type,
            width,
            height,
        };
        self.files.insert(file_id.clone(), file);
        file_id
    }

    /// Stores an uploaded photo as a 90x68 thumbnail and an 800x600 size; returns both ids.
    fn store_photo(&mut self, bytes: Vec<u8>) -> Vec<String> {
        let thumb = self.store_file(FileKind::Photo, bytes.clone(), None, None);
        if let Some(file) = self.files.get_mut(&thumb) {
            file.width = 90;
            file.height = 68;
        }
        let main = self.store_file(FileKind::Photo, bytes, None, None);
        vec![thumb, main]
    }

    fn photo_size_json(&self, file_id: &str) -> Option<Value> {
        let f = self.files.get(file_id)?;
        Some(json!({
            "file_id": f.file_id,
            "file_unique_id": f.unique_id,
            "file_size": f.bytes.len(),
            "width": f.width.max(1),
            "height": f.height.max(1),
        }))
    }

    fn document_json(&self, file_id: &str) -> Option<Value> {
        let f = self.files.get(file_id)?;
        let mut doc = Map::new();
        doc.insert("file_id".into(), json!(f.file_id));
        doc.insert("file_unique_id".into(), json!(f.unique_id));
        if let Some(name) = &f.file_name {
            doc.insert("file_name".into(), json!(name));
        }
        if let Some(mime) = &f.mime_type {
            doc.insert("mime_type".into(), json!(mime));
        }
        doc.insert("file_size".into(), json!(f.bytes.len()));
        Some(Value::Object(doc))
    }
}

// =============================================================================================
// JSON shapes
// =============================================================================================

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(1_700_000_000)
}

/// The number before `:` in the token, or a stable positive id from the token's FNV-1a hash.
fn bot_id_of(token: &str) -> i64 {
    if let Some(id) = token.split(':').next().and_then(|s| s.parse::<i64>().ok()).filter(|id| *id > 0) {
        return id;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in token.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    1_000_000_000 + i64::try_from(hash % 8_000_000_000).unwrap_or(0)
}

fn user_json(user: &FakeUser) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(user.id));
    m.insert("is_bot".into(), json!(false));
    m.insert("first_name".into(), json!(user.first_name));
    if let Some(v) = &user.last_name {
        m.insert("last_name".into(), json!(v));
    }
    if let Some(v) = &user.username {
        m.insert("username".into(), json!(v));
    }
    if let Some(v) = &user.language_code {
        m.insert("language_code".into(), json!(v));
    }
    if user.is_premium {
        m.insert("is_premium".into(), json!(true));
    }
    Value::Object(m)
}

fn chat_json(user: &FakeUser) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(user.id));
    m.insert("type".into(), json!("private"));
    m.insert("first_name".into(), json!(user.first_name));
    if let Some(v) = &user.last_name {
        m.insert("last_name".into(), json!(v));
    }
    if let Some(v) = &user.username {
        m.insert("username".into(), json!(v));
    }
    Value::Object(m)
}

fn bot_user_json(bot_id: i64) -> Value {
    json!({"id": bot_id, "is_bot": true, "first_name": format!("Bot{bot_id}"), "username": format!("bot{bot_id}")})
}

fn me_json(bot_id: i64) -> Value {
    json!({
        "id": bot_id,
        "is_bot": true,
        "first_name": format!("Bot{bot_id}"),
        "username": format!("bot{bot_id}"),
        "can_join_groups": true,
        "can_read_all_group_messages": false,
        "supports_inline_queries": false,
        "can_connect_to_business": false,
        "has_main_web_app": false,
    })
}

fn str_field(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn inline_buttons(markup: Option<&Value>) -> Vec<InlineButton> {
    let rows = markup.and_then(|m| m.get("inline_keyboard")).and_then(Value::as_array);
    rows.into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .map(|b| InlineButton {
            text: str_field(b, "text").unwrap_or_default(),
            callback_data: str_field(b, "callback_data"),
            url: str_field(b, "url"),
        })
        .collect()
}

fn guess_mime(ext: &str) -> &'static str {
    match ext {
        "pdf" => "application/pdf",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "zip" => "application/zip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "conf" | "yaml" | "yml" | "toml" => "text/plain",
        _ => "application/octet-stream",
    }
}

fn commands_key(scope: Option<&Value>, language_code: Option<&str>) -> String {
    let kind = scope.and_then(|s| s.get("type")).and_then(Value::as_str).unwrap_or("default");
    let chat = scope.and_then(|s| s.get("chat_id")).map(Value::to_string).unwrap_or_default();
    let user = scope.and_then(|s| s.get("user_id")).map(Value::to_string).unwrap_or_default();
    format!("{kind}:{chat}:{user}|{}", language_code.unwrap_or(""))
}

/// A minimal JPEG header, so a downloaded "photo" at least looks like one.
const FAKE_JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0xFF, 0xD9];

// =============================================================================================
// Errors on the wire
// =============================================================================================

#[derive(Debug)]
struct ApiErr {
    code: u16,
    description: String,
    retry_after: Option<u32>,
}

impl ApiErr {
    fn new(code: u16, description: impl Into<String>) -> Self {
        ApiErr { code, description: description.into(), retry_after: None }
    }

    fn bad(detail: impl fmt::Display) -> Self {
        Self::new(400, format!("Bad Request: {detail}"))
    }

    fn unauthorized() -> Self {
        Self::new(401, "Unauthorized")
    }

    fn conflict(detail: &str) -> Self {
        Self::new(409, format!("Conflict: {detail}"))
    }

    fn query_invalid() -> Self {
        Self::bad("query is too old and response timeout expired or query id is invalid")
    }

    fn not_modified() -> Self {
        Self::bad(
            "message is not modified: specified new message content and reply markup are exactly the same as a \
             current content and reply markup of the message",
        )
    }

    fn from_failure(failure: &FakeFailure) -> Self {
        match failure {
            FakeFailure::RetryAfter(secs) => ApiErr {
                code: 429,
                description: format!("Too Many Requests: retry after {secs}"),
                retry_after: Some(*secs),
            },
            FakeFailure::ServerError(code) => {
                let reason = match code {
                    502 => "Bad Gateway",
                    503 => "Service Unavailable",
                    504 => "Gateway Timeout",
                    _ => "Internal Server Error",
                };
                Self::new(*code, reason)
            }
            FakeFailure::Api { code, description } => Self::new(*code, description.clone()),
        }
    }

    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("ok".into(), json!(false));
        body.insert("error_code".into(), json!(self.code));
        body.insert("description".into(), json!(self.description));
        if let Some(secs) = self.retry_after {
            body.insert("parameters".into(), json!({"retry_after": secs}));
        }
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(Value::Object(body))).into_response()
    }
}

fn ok_response(result: Value) -> Response {
    Json(json!({"ok": true, "result": result})).into_response()
}

// =============================================================================================
// Request parameters: query string + JSON / form / multipart body
// =============================================================================================

#[derive(Default)]
struct Params {
    fields: Map<String, Value>,
    files: HashMap<String, Upload>,
}

struct Upload {
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

/// Parameters whose form / multipart value is a JSON string.
const JSON_PARAMS: &[&str] = &[
    "reply_markup",
    "reply_parameters",
    "prices",
    "allowed_updates",
    "commands",
    "scope",
    "message_ids",
    "link_preview_options",
    "entities",
    "caption_entities",
    "suggested_tip_amounts",
];

impl Params {
    fn value(&self, key: &str) -> Option<&Value> {
        self.fields.get(key).filter(|v| !v.is_null())
    }

    fn string(&self, key: &str) -> Option<String> {
        match self.value(key)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    fn int(&self, key: &str) -> Result<Option<i64>, ApiErr> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| ApiErr::bad(format!("invalid {key}"))),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| ApiErr::bad(format!("invalid {key}"))),
            Some(_) => Err(ApiErr::bad(format!("invalid {key}"))),
        }
    }

    fn required_int(&self, key: &str) -> Result<i64, ApiErr> {
        self.int(key)?.ok_or_else(|| ApiErr::bad(format!("{key} is empty")))
    }

    fn required_str(&self, key: &str) -> Result<String, ApiErr> {
        self.string(key).filter(|s| !s.is_empty()).ok_or_else(|| ApiErr::bad(format!("{key} is empty")))
    }

    fn flag(&self, key: &str) -> bool {
        match self.value(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => matches!(s.as_str(), "true" | "True" | "1"),
            Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
            _ => false,
        }
    }

    /// An object / array parameter, given as JSON or as a JSON string (form, multipart).
    fn json(&self, key: &str) -> Result<Option<Value>, ApiErr> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => {
                serde_json::from_str(s).map(Some).map_err(|_| ApiErr::bad(format!("can't parse {key} JSON object")))
            }
            Some(v) => Ok(Some(v.clone())),
        }
    }

    /// The parameters for `calls()` and transcripts: JSON-string fields parsed, files summarised.
    fn record(&self) -> Value {
        let mut out = self.fields.clone();
        for key in JSON_PARAMS {
            if let Some(Value::String(s)) = out.get(*key)
                && let Ok(parsed) = serde_json::from_str::<Value>(s)
                && (parsed.is_object() || parsed.is_array())
            {
                out.insert((*key).to_owned(), parsed);
            }
        }
        for (name, upload) in &self.files {
            out.entry(name.clone())
                .or_insert_with(|| json!({"file_name": upload.file_name, "size": upload.bytes.len()}));
        }
        Value::Object(out)
    }
}

fn parse_params(uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Params, ApiErr> {
    let mut params = Params::default();
    if let Some(query) = uri.query() {
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            params.fields.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(params);
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let lower = content_type.to_ascii_lowercase();
    if lower.starts_with("multipart/form-data") {
        let boundary = content_type
            .split(';')
            .map(str::trim)
            .find_map(|part| part.strip_prefix("boundary=").or_else(|| part.strip_prefix("BOUNDARY=")))
            .map(|b| b.trim_matches('"'))
            .filter(|b| !b.is_empty())
            .ok_or_else(|| ApiErr::bad("multipart body without boundary"))?;
        parse_multipart(body, boundary, &mut params)?;
    } else if lower.starts_with("application/x-www-form-urlencoded")
        || (!lower.starts_with("application/json") && !body.trim_ascii_start().starts_with(b"{"))
    {
        for (k, v) in url::form_urlencoded::parse(body) {
            params.fields.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    } else {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| ApiErr::bad(format!("can't parse JSON request body: {e}")))?;
        let Value::Object(map) = value else {
            return Err(ApiErr::bad("JSON request body must be an object"));
        };
        params.fields.extend(map);
    }
    Ok(params)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..].windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

/// A small `multipart/form-data` parser (RFC 7578): text parts become string fields, parts with a
/// `filename` become uploads.
fn parse_multipart(body: &[u8], boundary: &str, params: &mut Params) -> Result<(), ApiErr> {
    let malformed = || ApiErr::bad("malformed multipart body");
    let delimiter = format!("--{boundary}").into_bytes();
    let mut next_delimiter = b"\r\n".to_vec();
    next_delimiter.extend_from_slice(&delimiter);
    let mut pos = find(body, &delimiter, 0).ok_or_else(malformed)? + delimiter.len();
    loop {
        let rest = body.get(pos..).ok_or_else(malformed)?;
        if rest.starts_with(b"--") {
            return Ok(());
        }
        let skip = rest.iter().take_while(|b| **b == b' ' || **b == b'\t').count();
        pos += skip;
        if !body.get(pos..).is_some_and(|r| r.starts_with(b"\r\n")) {
            return Err(malformed());
        }
        pos += 2;
        let (head, content_start) = if body.get(pos..).is_some_and(|r| r.starts_with(b"\r\n")) {
            ("", pos + 2)
        } else {
            let end = find(body, b"\r\n\r\n", pos).ok_or_else(malformed)?;
            (std::str::from_utf8(&body[pos..end]).map_err(|_| malformed())?, end + 4)
        };
        let content_end = find(body, &next_delimiter, content_start).ok_or_else(malformed)?;
        let content = &body[content_start..content_end];
        pos = content_end + next_delimiter.len();

        let mut name = None;
        let mut file_name = None;
        let mut content_type = None;
        for line in head.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else { continue };
            let key = key.trim().to_ascii_lowercase();
            if key == "content-type" {
                content_type = Some(value.trim().to_owned());
            } else if key == "content-disposition" {
                for attr in value.split(';').map(str::trim) {
                    let Some((k, v)) = attr.split_once('=') else { continue };
                    let v = v.trim().trim_matches('"').to_owned();
                    match k.trim().to_ascii_lowercase().as_str() {
                        "name" => name = Some(v),
                        "filename" => file_name = Some(v),
                        _ => {}
                    }
                }
            }
        }
        let Some(name) = name else { continue };
        if file_name.is_some() {
            params.files.insert(name, Upload { file_name, content_type, bytes: content.to_vec() });
        } else {
            params.fields.insert(name, Value::String(String::from_utf8_lossy(content).into_owned()));
        }
    }
}

fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = input.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// =============================================================================================
// Text, markup and keyboard validation
// =============================================================================================

fn entities_err(detail: String) -> ApiErr {
    ApiErr::bad(format!("can't parse entities: {detail}"))
}

/// The visible text after `parse_mode` is applied, or Telegram's parse error.
fn plain_text(text: &str, parse_mode: Option<&str>) -> Result<String, ApiErr> {
    match parse_mode.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => Ok(text.to_owned()),
        Some("html") => html_plain(text),
        Some("markdownv2") => markdown_v2_plain(text),
        Some("markdown") => Ok(text.replace('\\', "")),
        Some(_) => Err(ApiErr::bad("unsupported parse_mode")),
    }
}

/// Checks a message text; `edit` selects the wording Telegram uses for edits.
fn check_text(text: &str, parse_mode: Option<&str>, edit: bool) -> Result<(), ApiErr> {
    let plain = plain_text(text, parse_mode)?;
    if plain.trim().is_empty() {
        return Err(ApiErr::bad("message text is empty"));
    }
    if plain.chars().count() > 4096 {
        return Err(ApiErr::bad(if edit { "MESSAGE_TOO_LONG" } else { "message is too long" }));
    }
    Ok(())
}

fn check_caption(caption: Option<&str>, parse_mode: Option<&str>, edit: bool) -> Result<(), ApiErr> {
    let Some(caption) = caption else { return Ok(()) };
    if plain_text(caption, parse_mode)?.chars().count() > 1024 {
        return Err(ApiErr::bad(if edit { "MESSAGE_TOO_LONG" } else { "message caption is too long" }));
    }
    Ok(())
}

const HTML_TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
];

fn html_plain(text: &str) -> Result<String, ApiErr> {
    let mut out = String::with_capacity(text.len());
    let mut open: Vec<String> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else {
                return Err(entities_err(format!("Can't find end of the entity starting at byte offset {i}")));
            };
            let inner = &rest[1..end];
            if let Some(closing) = inner.strip_prefix('/') {
                let name = closing.trim().to_ascii_lowercase();
                match open.pop() {
                    Some(expected) if expected == name => {}
                    Some(expected) => {
                        return Err(entities_err(format!(
                            "Unmatched end tag at byte offset {i}, expected \"</{expected}>\", found \"</{name}>\""
                        )));
                    }
                    None => return Err(entities_err(format!("Unexpected end tag at byte offset {i}"))),
                }
            } else {
                let name =
                    inner.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("").to_ascii_lowercase();
                if !HTML_TAGS.contains(&name.as_str()) {
                    return Err(entities_err(format!("Unsupported start tag \"{name}\" at byte offset {i}")));
                }
                open.push(name);
            }
            i += end + 1;
        } else if rest.starts_with('&') {
            let decoded = rest.bytes().take(12).position(|b| b == b';').and_then(|semi| {
                let entity = &rest[1..semi];
                let c = match entity {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    _ => entity.strip_prefix('#').and_then(|num| {
                        let code = match num.strip_prefix(['x', 'X']) {
                            Some(hex) => u32::from_str_radix(hex, 16).ok(),
                            None => num.parse().ok(),
                        };
                        code.and_then(char::from_u32)
                    }),
                };
                c.map(|c| (c, semi + 1))
            });
            match decoded {
                Some((c, len)) => {
                    out.push(c);
                    i += len;
                }
                None => {
                    out.push('&');
                    i += 1;
                }
            }
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8().max(1);
        }
    }
    match open.pop() {
        Some(name) => Err(entities_err(format!("Can't find end tag corresponding to start tag \"{name}\""))),
        None => Ok(out),
    }
}

/// Checks the MarkdownV2 characters that are never markup (`. ! - + = # { }`) are escaped outside
/// code, pre and link URLs, and strips escapes. Not a full parser.
fn markdown_v2_plain(text: &str) -> Result<String, ApiErr> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let (mut in_code, mut in_pre, mut in_url) = (false, false, false);
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            if let Some((_, escaped)) = chars.next() {
                out.push(escaped);
            }
            continue;
        }
        if in_pre {
            if text[i..].starts_with("```") {
                in_pre = false;
                chars.next();
                chars.next();
            } else {
                out.push(c);
            }
            continue;
        }
        if in_code {
            if c == '`' {
                in_code = false;
            } else {
                out.push(c);
            }
            continue;
        }
        if in_url {
            if c == ')' {
                in_url = false;
            }
            continue;
        }
        match c {
            '`' if text[i..].starts_with("```") => {
                in_pre = true;
                chars.next();
                chars.next();
            }
            '`' => in_code = true,
            ']' if text[i + 1..].starts_with('(') => {
                in_url = true;
                chars.next();
            }
            '*' | '_' | '~' | '|' | '[' | ']' => {}
            '.' | '!' | '-' | '+' | '=' | '#' | '{' | '}' => {
                return Err(entities_err(format!(
                    "Character '{c}' is reserved and must be escaped with the preceding '\\'"
                )));
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

const BUTTON_ACTIONS: &[&str] = &[
    "callback_data",
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
];

fn validate_inline_keyboard(keyboard: &Value) -> Result<(), ApiErr> {
    let shape_err =
        || ApiErr::bad("field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays");
    for row in keyboard.as_array().ok_or_else(shape_err)? {
        for button in row.as_array().ok_or_else(shape_err)? {
            if button.get("text").and_then(Value::as_str).is_none() {
                return Err(ApiErr::bad("can't parse inline keyboard button: Field \"text\" must be of type String"));
            }
            if let Some(data) = button.get("callback_data") {
                let len = data.as_str().map_or(0, str::len);
                if !(1..=64).contains(&len) {
                    return Err(ApiErr::bad("BUTTON_DATA_INVALID"));
                }
            } else if let Some(url) = button.get("url") {
                let url = url.as_str().unwrap_or("");
                let ok = ["http://", "https://", "tg://"].iter().any(|p| url.starts_with(p)) && url.len() > 7;
                if !ok {
                    return Err(ApiErr::bad("BUTTON_URL_INVALID"));
                }
            } else if !BUTTON_ACTIONS.iter().any(|k| button.get(*k).is_some()) {
                return Err(ApiErr::bad(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                ));
            }
        }
    }
    Ok(())
}

// =============================================================================================
// Method handlers
// =============================================================================================

/// Side effects to run after the state lock is released.
#[derive(Default)]
struct Effects {
    /// Start a webhook delivery task for this generation.
    pump: Option<u64>,
}

struct Ctx<'a> {
    bot: &'a mut BotState,
    users: &'a HashMap<i64, FakeUser>,
    p: &'a Params,
    now: i64,
    fx: &'a mut Effects,
}

/// What a new bot message records in the transcript.
#[derive(Default)]
struct SentInfo {
    text: Option<String>,
    markup: Option<Value>,
    file_id: Option<String>,
    reply_to: Option<i64>,
}

type ApiResult = Result<Value, ApiErr>;

impl Ctx<'_> {
    fn dispatch(&mut self, method: &str) -> ApiResult {
        match method {
            "getMe" => Ok(me_json(self.bot.id)),
            "setWebhook" => self.set_webhook(),
            "deleteWebhook" => self.delete_webhook(),
            "getWebhookInfo" => Ok(self.webhook_info()),
            "sendMessage" => self.send_message(),
            "editMessageText" => self.edit_message(EditKind::Text),
            "editMessageCaption" => self.edit_message(EditKind::Caption),
            "editMessageReplyMarkup" => self.edit_message(EditKind::Markup),
            "deleteMessage" => self.delete_message(),
            "deleteMessages" => self.delete_messages(),
            "answerCallbackQuery" => self.answer_callback_query(),
            "sendPhoto" => self.send_media(FileKind::Photo),
            "sendDocument" => self.send_media(FileKind::Document),
            "copyMessage" => self.copy_or_forward(false),
            "forwardMessage" => self.copy_or_forward(true),
            "getFile" => self.get_file(),
            "sendInvoice" => self.send_invoice(),
            "createInvoiceLink" => self.create_invoice_link(),
            "answerPreCheckoutQuery" => self.answer_pre_checkout_query(),
            "refundStarPayment" => self.refund_star_payment(),
            "setMyCommands" => self.set_my_commands(),
            "getMyCommands" => self.get_my_commands(),
            "deleteMyCommands" => self.delete_my_commands(),
            "getChatMember" => self.get_chat_member(),
            "sendChatAction" => {
                let chat = self.chat_id("chat_id")?;
                self.bot.check_blocked(chat)?;
                Ok(json!(true))
            }
            "getMyName" => Ok(json!({"name": format!("Bot{}", self.bot.id)})),
            "getMyDescription" => Ok(json!({"description": ""})),
            "getMyShortDescription" => Ok(json!({"short_description": ""})),
            _ => Ok(json!(true)),
        }
    }

    // ----- helpers -----------------------------------------------------------------------------

    /// A private chat id: a positive integer (numeric strings accepted).
    fn chat_id(&self, key: &str) -> Result<i64, ApiErr> {
        match self.p.value(key) {
            None => Err(ApiErr::bad(format!("{key} is empty"))),
            Some(_) => match self.p.int(key) {
                Ok(Some(id)) if id > 0 || self.bot.groups.contains_key(&id) => Ok(id),
                _ => Err(ApiErr::bad("chat not found")),
            },
        }
    }

    fn parse_mode(&self) -> Option<String> {
        self.p.string("parse_mode").filter(|s| !s.is_empty())
    }

    fn chat_for(&self, chat_id: i64) -> Value {
        if let Some(title) = self.bot.groups.get(&chat_id) {
            return json!({"id": chat_id, "type": "supergroup", "title": title});
        }
        match self.users.get(&chat_id) {
            Some(user) => chat_json(user),
            None => chat_json(&FakeUser::new(chat_id)),
        }
    }

    fn reply_markup(&self) -> Result<Option<Value>, ApiErr> {
        let bad_markup = || ApiErr::bad("can't parse reply keyboard markup JSON object");
        let Some(markup) = self.p.json("reply_markup").map_err(|_| bad_markup())? else { return Ok(None) };
        let obj = markup.as_object().ok_or_else(bad_markup)?;
        if let Some(keyboard) = obj.get("inline_keyboard") {
            validate_inline_keyboard(keyboard)?;
        } else if !["keyboard", "remove_keyboard", "force_reply"].iter().any(|k| obj.contains_key(*k)) {
            return Err(bad_markup());
        }
        Ok(Some(markup))
    }

    fn inline_markup(&self) -> Result<Option<Value>, ApiErr> {
        match self.reply_markup()? {
            Some(m) if m.get("inline_keyboard").is_some() => Ok(Some(m)),
            Some(_) => Err(ApiErr::bad("can't parse inline keyboard markup JSON object")),
            None => Ok(None),
        }
    }

    /// The message a send replies to: `(id, message without its own reply)`.
    fn reply_target(&self, chat: i64) -> Result<Option<(i64, Value)>, ApiErr> {
        let (message_id, allow_missing) = match self.p.json("reply_parameters")? {
            Some(rp) => (
                rp.get("message_id").and_then(Value::as_i64),
                rp.get("allow_sending_without_reply").and_then(Value::as_bool).unwrap_or(false),
            ),
            None => (self.p.int("reply_to_message_id")?, self.p.flag("allow_sending_without_reply")),
        };
        let Some(message_id) = message_id else { return Ok(None) };
        match self.bot.live_message(chat, message_id) {
            Some(stored) => {
                let mut replied = stored.json.clone();
                if let Some(obj) = replied.as_object_mut() {
                    obj.remove("reply_to_message");
                }
                Ok(Some((message_id, replied)))
            }
            None if allow_missing => Ok(None),
            None => Err(ApiErr::bad("message to be replied not found")),
        }
    }

    /// Creates a bot message in `chat`, stores it and records it; returns `(id, message)`.
    fn post_bot_message(
        &mut self,
        method: &str,
        chat: i64,
        content: Map<String, Value>,
        info: SentInfo,
    ) -> (i64, Value) {
        let message_id = self.bot.alloc_message_id(chat);
        let mut msg = Map::new();
        msg.insert("message_id".into(), json!(message_id));
        msg.insert("from".into(), bot_user_json(self.bot.id));
        msg.insert("chat".into(), self.chat_for(chat));
        msg.insert("date".into(), json!(self.now));
        msg.extend(content);
        let msg = Value::Object(msg);
        self.bot
            .messages
            .insert((chat, message_id), StoredMessage { json: msg.clone(), from_bot: true, deleted: false });
        self.bot.push_transcript(SentMessage {
            at: std::time::Instant::now(),
            chat_id: chat,
            message_id,
            method: method.to_owned(),
            text: info.text,
            parse_mode: self.parse_mode(),
            reply_markup: info.markup,
            file_id: info.file_id,
            reply_to_message_id: info.reply_to,
            params: self.p.record(),
        });
        (message_id, msg)
    }

    /// Adds the inline keyboard and the replied message to a message's content.
    fn decorate(content: &mut Map<String, Value>, markup: Option<&Value>, reply: Option<&(i64, Value)>) {
        if let Some(markup) = markup.filter(|m| m.get("inline_keyboard").is_some()) {
            content.insert("reply_markup".into(), markup.clone());
        }
        if let Some((_, replied)) = reply {
            content.insert("reply_to_message".into(), replied.clone());
        }
    }

    // ----- webhooks ----------------------------------------------------------------------------

    fn set_webhook(&mut self) -> ApiResult {
        let url = self.p.string("url").unwrap_or_default();
        if url.is_empty() {
            return self.delete_webhook();
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ApiErr::bad("bad webhook: An HTTPS URL must be provided for webhook"));
        }
        let secret = self.p.string("secret_token").filter(|s| !s.is_empty());
        if let Some(secret) = &secret
            && (secret.len() > 256 || !secret.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            return Err(ApiErr::bad("secret token contains unallowed characters"));
        }
        let allowed = self.allowed_updates_param()?;
        let max_connections = self.p.int("max_connections")?;
        if self.p.flag("drop_pending_updates") {
            self.bot.queue.clear();
        }
        if let Some(allowed) = allowed {
            self.bot.allowed_updates = Some(allowed);
        }
        self.bot.webhook = Some(Webhook { url, secret_token: secret, max_connections });
        self.bot.webhook_gen += 1;
        self.fx.pump = Some(self.bot.webhook_gen);
        Ok(json!(true))
    }

    fn delete_webhook(&mut self) -> ApiResult {
        if self.p.flag("drop_pending_updates") {
            self.bot.queue.clear();
        }
        if self.bot.webhook.take().is_some() {
            self.bot.webhook_gen += 1;
        }
        Ok(json!(true))
    }

    fn allowed_updates_param(&self) -> Result<Option<Vec<String>>, ApiErr> {
        match self.p.json("allowed_updates")? {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items.iter().filter_map(Value::as_str).map(str::to_owned).collect())),
            Some(_) => Err(ApiErr::bad("can't parse allowed_updates JSON object")),
        }
    }

    fn webhook_info(&self) -> Value {
        let mut info = Map::new();
        info.insert("url".into(), json!(self.bot.webhook.as_ref().map(|w| w.url.clone()).unwrap_or_default()));
        info.insert("has_custom_certificate".into(), json!(false));
        info.insert("pending_update_count".into(), json!(self.bot.queue.len()));
        if let Some(hook) = &self.bot.webhook {
            info.insert("max_connections".into(), json!(hook.max_connections.unwrap_or(40)));
            info.insert("ip_address".into(), json!("127.0.0.1"));
        }
        if let Some(allowed) = &self.bot.allowed_updates {
            info.insert("allowed_updates".into(), json!(allowed));
        }
        if let Some((date, message)) = &self.bot.last_webhook_error {
            info.insert("last_error_date".into(), json!(date));
            info.insert("last_error_message".into(), json!(message));
        }
        Value::Object(info)
    }

    // ----- sending -----------------------------------------------------------------------------

    fn send_message(&mut self) -> ApiResult {
        let chat = self.chat_id("chat_id")?;
        let text = self.p.string("text").unwrap_or_default();
        check_text(&text, self.parse_mode().as_deref(), false)?;
        let markup = self.reply_markup()?;
        let reply = self.reply_target(chat)?;
        self.bot.check_blocked(chat)?;
        let mut content = Map::new();
        content.insert("text".into(), json!(text));
        Self::decorate(&mut content, markup.as_ref(), reply.as_ref());
        let info = SentInfo { text: Some(text), markup, file_id: None, reply_to: reply.map(|(id, _)| id) };
        Ok(self.post_bot_message("sendMessage", chat, content, info).1)
    }

    /// Resolves a photo / document parameter: an upload (a part named like the field, or
    /// `attach://<part>`), a known `file_id`, or an HTTP URL. Returns the file ids (photo: sizes).
    fn input_file(&mut self, kind: FileKind) -> Result<Vec<String>, ApiErr> {
        let field = if kind == FileKind::Photo { "photo" } else { "document" };
        let missing = || ApiErr::bad(format!("there is no {field} in the request"));
        let reference = self.p.string(field);
        let upload = match (self.p.files.get(field), reference.as_deref().and_then(|r| r.strip_prefix("attach://"))) {
            (Some(upload), _) => Some(upload),
            (None, Some(part)) => Some(self.p.files.get(part).ok_or_else(missing)?),
            (None, None) => None,
        };
        if let Some(upload) = upload {
            if upload.bytes.is_empty() {
                return Err(ApiErr::bad("file must be non-empty"));
            }
            return Ok(match kind {
                FileKind::Photo => self.bot.store_photo(upload.bytes.clone()),
                FileKind::Document => vec![self.bot.store_file(
                    kind,
                    upload.bytes.clone(),
                    upload.file_name.clone().or_else(|| Some("document".to_owned())),
                    upload.content_type.clone(),
                )],
            });
        }
        let reference = reference.filter(|r| !r.is_empty()).ok_or_else(missing)?;
        if reference.starts_with("http://") || reference.starts_with("https://") {
            let name = reference.rsplit('/').next().filter(|n| !n.is_empty()).map(str::to_owned);
            let bytes = format!("fake download of {reference}").into_bytes();
            return Ok(match kind {
                FileKind::Photo => self.bot.store_photo(bytes),
                FileKind::Document => vec![self.bot.store_file(kind, bytes, name, None)],
            });
        }
        if self.bot.files.contains_key(&reference) {
            return Ok(vec![reference]);
        }
        Err(ApiErr::bad("wrong file identifier/HTTP URL specified"))
    }

    fn send_media(&mut self, kind: FileKind) -> ApiResult {
        let chat = self.chat_id("chat_id")?;
        let caption = self.p.string("caption").filter(|c| !c.is_empty());
        check_caption(caption.as_deref(), self.parse_mode().as_deref(), false)?;
        let markup = self.reply_markup()?;
        let reply = self.reply_target(chat)?;
        self.bot.check_blocked(chat)?;
        let ids = self.input_file(kind)?;
        let mut content = Map::new();
        let method = match kind {
            FileKind::Photo => {
                let sizes = ids.iter().filter_map(|id| self.bot.photo_size_json(id)).collect();
                content.insert("photo".into(), Value::Array(sizes));
                "sendPhoto"
            }
            FileKind::Document => {
                let doc = ids.first().and_then(|id| self.bot.document_json(id)).unwrap_or(Value::Null);
                content.insert("document".into(), doc);
                "sendDocument"
            }
        };
        if let Some(caption) = &caption {
            content.insert("caption".into(), json!(caption));
        }
        Self::decorate(&mut content, markup.as_ref(), reply.as_ref());
        let info = SentInfo { text: caption, markup, file_id: ids.last().cloned(), reply_to: reply.map(|(id, _)| id) };
        Ok(self.post_bot_message(method, chat, content, info).1)
    }

    fn copy_or_forward(&mut self, forward: bool) -> ApiResult {
        let chat = self.chat_id("chat_id")?;
        let from_chat = self.p.int("from_chat_id")?.ok_or_else(|| ApiErr::bad("from_chat_id is empty"))?;
        let message_id = self.p.required_int("message_id")?;
        let verb = if forward { "forward" } else { "copy" };
        let source = self
            .bot
            .live_message(from_chat, message_id)
            .map(|m| m.json.clone())
            .ok_or_else(|| ApiErr::bad(format!("message to {verb} not found")))?;
        let markup = if forward { None } else { self.reply_markup()? };
        self.bot.check_blocked(chat)?;
        let mut content = Map::new();
        for key in ["text", "entities", "photo", "document", "caption", "caption_entities"] {
            if let Some(value) = source.get(key) {
                content.insert(key.to_owned(), value.clone());
            }
        }
        if content.is_empty() {
            return Err(ApiErr::bad(format!("message can't be {verb}ed")));
        }
        if !forward
            && let Some(caption) = self.p.string("caption")
            && !content.contains_key("text")
        {
            check_caption(Some(&caption), self.parse_mode().as_deref(), false)?;
            content.insert("caption".into(), json!(caption));
        }
        if forward && let Some(from) = source.get("from") {
            content.insert(
                "forward_origin".into(),
                json!({"type": "user", "sender_user": from, "date": source.get("date").cloned().unwrap_or(json!(0))}),
            );
        }
        Self::decorate(&mut content, markup.as_ref(), None);
        let text = ["text", "caption"].iter().find_map(|k| content.get(*k).and_then(Value::as_str)).map(str::to_owned);
        let file_id = content
            .get("photo")
            .and_then(Value::as_array)
            .and_then(|sizes| sizes.last())
            .or_else(|| content.get("document"))
            .and_then(|f| str_field(f, "file_id"));
        let method = if forward { "forwardMessage" } else { "copyMessage" };
        let info = SentInfo { text, markup, file_id, reply_to: None };
        let (new_id, msg) = self.post_bot_message(method, chat, content, info);
        Ok(if forward { msg } else { json!({"message_id": new_id}) })
    }

    // ----- editing and deleting ----------------------------------------------------------------

    fn edit_message(&mut self, kind: EditKind) -> ApiResult {
        let inline = self.p.value("inline_message_id").is_some();
        let target = if inline {
            None
        } else {
            let chat = self.chat_id("chat_id")?;
            let message_id =
                self.p.int("message_id")?.ok_or_else(|| ApiErr::bad("message identifier is not specified"))?;
            Some((chat, message_id))
        };
        let parse_mode = self.parse_mode();
        let new_text = match kind {
            EditKind::Text => {
                let text = self.p.string("text").unwrap_or_default();
                check_text(&text, parse_mode.as_deref(), true)?;
                Some(text)
            }
            EditKind::Caption => {
                let caption = self.p.string("caption").filter(|c| !c.is_empty());
                check_caption(caption.as_deref(), parse_mode.as_deref(), true)?;
                caption
            }
            EditKind::Markup => None,
        };
        let markup = self.inline_markup()?;
        let Some((chat, message_id)) = target else { return Ok(json!(true)) };
        self.bot.check_blocked(chat)?;
        let stored = self.bot.live_message(chat, message_id).ok_or_else(|| ApiErr::bad("message to edit not found"))?;
        if !stored.from_bot {
            return Err(ApiErr::bad("message can't be edited"));
        }
        let mut json = stored.json.clone();
        let Some(obj) = json.as_object_mut() else { return Err(ApiErr::bad("message to edit not found")) };
        let field = match kind {
            EditKind::Text if !obj.contains_key("text") => {
                return Err(ApiErr::bad("there is no text in the message to edit"));
            }
            EditKind::Caption if obj.contains_key("text") || obj.contains_key("invoice") => {
                return Err(ApiErr::bad("there is no caption in the message to edit"));
            }
            EditKind::Text => Some("text"),
            EditKind::Caption => Some("caption"),
            EditKind::Markup => None,
        };
        let same_text = field.is_none_or(|f| obj.get(f).and_then(Value::as_str) == new_text.as_deref());
        if same_text && obj.get("reply_markup") == markup.as_ref() {
            return Err(ApiErr::not_modified());
        }
        if let Some(field) = field {
            match &new_text {
                Some(text) => obj.insert(field.to_owned(), json!(text)),
                None => obj.remove(field),
            };
            obj.remove(if field == "text" { "entities" } else { "caption_entities" });
        }
        match &markup {
            Some(m) => obj.insert("reply_markup".into(), m.clone()),
            None => obj.remove("reply_markup"),
        };
        obj.insert("edit_date".into(), json!(self.now));
        let current_text = str_field(&json, "text").or_else(|| str_field(&json, "caption"));
        if let Some(stored) = self.bot.messages.get_mut(&(chat, message_id)) {
            stored.json = json.clone();
        }
        self.bot.push_transcript(SentMessage {
            at: std::time::Instant::now(),
            chat_id: chat,
            message_id,
            method: kind.method().to_owned(),
            text: current_text,
            parse_mode,
            reply_markup: markup,
            file_id: None,
            reply_to_message_id: None,
            params: self.p.record(),
        });
        Ok(json)
    }

    fn record_delete(&mut self, chat: i64, message_id: i64) {
        if let Some(stored) = self.bot.messages.get_mut(&(chat, message_id)) {
            stored.deleted = true;
        }
        self.bot.push_transcript(SentMessage {
            at: std::time::Instant::now(),
            chat_id: chat,
            message_id,
            method: "deleteMessage".to_owned(),
            text: None,
            parse_mode: None,
            reply_markup: None,
            file_id: None,
            reply_to_message_id: None,
            params: self.p.record(),
        });
    }

    fn delete_message(&mut self) -> ApiResult {
        let chat = self.chat_id("chat_id")?;
        let message_id = self.p.required_int("message_id")?;
        if self.bot.live_message(chat, message_id).is_none() {
            return Err(ApiErr::bad("message to delete not found"));
        }
        self.record_delete(chat, message_id);
        Ok(json!(true))
    }

    fn delete_messages(&mut self) -> ApiResult {
        let chat = self.chat_id("chat_id")?;
        let ids = self.p.json("message_ids")?.ok_or_else(|| ApiErr::bad("message_ids is empty"))?;
        let ids: Vec<i64> = ids.as_array().map(|a| a.iter().filter_map(Value::as_i64).collect()).unwrap_or_default();
        if ids.is_empty() {
            return Err(ApiErr::bad("message_ids is empty"));
        }
        for id in ids {
            if self.bot.live_message(chat, id).is_some() {
                self.record_delete(chat, id);
            }
        }
        Ok(json!(true))
    }

    // ----- queries -----------------------------------------------------------------------------

    fn answer_callback_query(&mut self) -> ApiResult {
        let id = self.p.string("callback_query_id").unwrap_or_default();
        let text = self.p.string("text").filter(|t| !t.is_empty());
        if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
            return Err(ApiErr::bad("MESSAGE_TOO_LONG"));
        }
        match self.bot.callback_queries.get_mut(&id) {
            Some(answered) if !*answered => *answered = true,
            _ => return Err(ApiErr::query_invalid()),
        }
        self.bot.callback_answers.push(CallbackAnswer {
            callback_query_id: id,
            text,
            show_alert: self.p.flag("show_alert"),
            url: self.p.string("url").filter(|u| !u.is_empty()),
        });
        Ok(json!(true))
    }

    fn get_file(&mut self) -> ApiResult {
        let id = self.p.string("file_id").unwrap_or_default();
        let file = self.bot.files.get(&id).ok_or_else(|| ApiErr::bad("wrong file id"))?;
        Ok(json!({
            "file_id": file.file_id,
            "file_unique_id": file.unique_id,
            "file_size": file.bytes.len(),
            "file_path": file.path,
        }))
    }

    // ----- payments ----------------------------------------------------------------------------

    /// The fields shared by `sendInvoice` and `createInvoiceLink`.
    fn invoice_fields(&self) -> Result<SentInvoice, ApiErr> {
        let title = self.p.required_str("title")?;
        let description = self.p.required_str("description")?;
        let payload = self.p.required_str("payload")?;
        let currency = self.p.required_str("currency")?;
        let prices = self.p.json("prices")?.ok_or_else(|| ApiErr::bad("prices is empty"))?;
        let items = prices.as_array().filter(|a| !a.is_empty()).ok_or_else(|| ApiErr::bad("prices is empty"))?;
        let mut total_amount = 0_i64;
        for item in items {
            let amount = item.get("amount").and_then(Value::as_i64).ok_or_else(|| ApiErr::bad("invalid prices"))?;
            if item.get("label").and_then(Value::as_str).is_none() {
                return Err(ApiErr::bad("invalid prices"));
            }
            total_amount += amount;
        }
        if currency != "XTR" && self.p.string("provider_token").is_none_or(|t| t.is_empty()) {
            return Err(ApiErr::bad("PAYMENT_PROVIDER_INVALID"));
        }
        Ok(SentInvoice {
            chat_id: None,
            message_id: None,
            link: None,
            title,
            description,
            payload,
            currency,
            total_amount,
            prices,
        })
    }

    fn send_invoice(&mut self) -> ApiResult {
        let chat = self.chat_id("chat_id")?;
        let mut invoice = self.invoice_fields()?;
        let markup = self.inline_markup()?;
        let reply = self.reply_target(chat)?;
        self.bot.check_blocked(chat)?;
        let mut content = Map::new();
        content.insert(
            "invoice".into(),
            json!({
                "title": invoice.title,
                "description": invoice.description,
                "start_parameter": self.p.string("start_parameter").unwrap_or_default(),
                "currency": invoice.currency,
                "total_amount": invoice.total_amount,
            }),
        );
        Self::decorate(&mut content, markup.as_ref(), reply.as_ref());
        let info =
            SentInfo { text: Some(invoice.title.clone()), markup, file_id: None, reply_to: reply.map(|(id, _)| id) };
        let (message_id, msg) = self.post_bot_message("sendInvoice", chat, content, info);
        invoice.chat_id = Some(chat);
        invoice.message_id = Some(message_id);
        self.bot.invoices.push(invoice);
        Ok(msg)
    }

    fn create_invoice_link(&mut self) -> ApiResult {
        let mut invoice = self.invoice_fields()?;
        let link = format!("https://t.me/$fakeinvoice{}", self.bot.serial_id());
        invoice.link = Some(link.clone());
        self.bot.invoices.push(invoice);
        Ok(json!(link))
    }

    fn answer_pre_checkout_query(&mut self) -> ApiResult {
        let id = self.p.string("pre_checkout_query_id").unwrap_or_default();
        let ok = self.p.flag("ok");
        let error_message = self.p.string("error_message").filter(|m| !m.is_empty());
        match self.bot.pre_checkout_queries.get_mut(&id) {
            Some(answered) if !*answered => *answered = true,
            _ => return Err(ApiErr::query_invalid()),
        }
        self.bot.pre_checkout_answers.push(PreCheckoutAnswer { pre_checkout_query_id: id, ok, error_message });
        Ok(json!(true))
    }

    /// Unknown charge ids are accepted (recorded); a second refund of a charge made with
    /// `send_successful_payment` answers `CHARGE_ALREADY_REFUNDED`.
    fn refund_star_payment(&mut self) -> ApiResult {
        let user_id = self.p.required_int("user_id")?;
        let charge = self.p.required_str("telegram_payment_charge_id")?;
        if let Some(refunded) = self.bot.charges.get_mut(&charge) {
            if *refunded {
                return Err(ApiErr::bad("CHARGE_ALREADY_REFUNDED"));
            }
            *refunded = true;
        }
        self.bot.refunds.push(StarRefund { user_id, telegram_payment_charge_id: charge });
        Ok(json!(true))
    }

    // ----- commands and members ----------------------------------------------------------------

    fn commands_key(&self) -> Result<String, ApiErr> {
        let scope = self.p.json("scope")?;
        let language = self.p.string("language_code").filter(|l| !l.is_empty());
        Ok(commands_key(scope.as_ref(), language.as_deref()))
    }

    fn set_my_commands(&mut self) -> ApiResult {
        let commands = self.p.json("commands")?.ok_or_else(|| ApiErr::bad("commands is empty"))?;
        let items = commands.as_array().ok_or_else(|| ApiErr::bad("can't parse commands JSON object"))?;
        if items.len() > 100 {
            return Err(ApiErr::bad("too many commands"));
        }
        for item in items {
            let command = item.get("command").and_then(Value::as_str).unwrap_or("");
            let valid = (1..=32).contains(&command.len())
                && command.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid {
                return Err(ApiErr::bad("BOT_COMMAND_INVALID"));
            }
            let description = item.get("description").and_then(Value::as_str).unwrap_or("");
            if !(1..=256).contains(&description.chars().count()) {
                return Err(ApiErr::bad("command description is empty"));
            }
        }
        let key = self.commands_key()?;
        self.bot.commands.insert(key, commands);
        Ok(json!(true))
    }

    fn get_my_commands(&mut self) -> ApiResult {
        let key = self.commands_key()?;
        Ok(self.bot.commands.get(&key).cloned().unwrap_or_else(|| json!([])))
    }

    fn delete_my_commands(&mut self) -> ApiResult {
        let key = self.commands_key()?;
        self.bot.commands.remove(&key);
        Ok(json!(true))
    }

    fn get_chat_member(&mut self) -> ApiResult {
        let chat = match self.p.value("chat_id") {
            Some(Value::String(s)) if s.starts_with('@') => 0,
            Some(_) => self.p.int("chat_id").ok().flatten().ok_or_else(|| ApiErr::bad("chat not found"))?,
            None => return Err(ApiErr::bad("chat_id is empty")),
        };
        let user_id = self.p.required_int("user_id")?;
        let user = self.users.get(&user_id).cloned().unwrap_or_else(|| FakeUser::new(user_id));
        let status = self.bot.members.get(&(chat, user_id)).copied().unwrap_or_default();
        Ok(match status {
            MemberStatus::Member => json!({"user": user_json(&user), "status": "member"}),
            MemberStatus::Left => json!({"user": user_json(&user), "status": "left"}),
            MemberStatus::Kicked => json!({"user": user_json(&user), "status": "kicked", "until_date": 0}),
        })
    }
}

#[derive(Clone, Copy)]
enum EditKind {
    Text,
    Caption,
    Markup,
}

impl EditKind {
    fn method(self) -> &'static str {
        match self {
            Self::Text => "editMessageText",
            Self::Caption => "editMessageCaption",
            Self::Markup => "editMessageReplyMarkup",
        }
    }
}

fn canonical_method(raw: &str) -> Option<&'static str> {
    METHODS.iter().chain(TRUE_METHODS).copied().find(|m| m.eq_ignore_ascii_case(raw))
}

// =============================================================================================
// Request entry points, long polling, webhook delivery
// =============================================================================================

enum Next {
    Done(ApiResult),
    Poll(Poll),
}

async fn api_entry(
    shared: Arc<Shared>,
    token: &str,
    method: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let delay = shared.count_request();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let result = api_call(&shared, token, method, uri, headers, body).await;
    shared.wake_bot(token);
    let held = canonical_method(method).and_then(|m| shared.lock().answer_delays.get(m).copied());
    if let Some(held) = held {
        tokio::time::sleep(held).await;
    }
    match result {
        Ok(value) => ok_response(value),
        Err(e) => e.into_response(),
    }
}

async fn api_call(
    shared: &Arc<Shared>,
    token: &str,
    raw_method: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult {
    let parsed = parse_params(uri, headers, body);
    // Prepared before taking the fake's lock, which every bot's calls share.
    let recorded = parsed.as_ref().ok().map(Params::record);
    let canonical = canonical_method(raw_method);
    let mut fx = Effects::default();
    let next = {
        let mut st = shared.lock();
        let State { bots, users, .. } = &mut *st;
        let bot = match bots.get_mut(token) {
            Some(bot) if !bot.revoked => bot,
            _ => return Err(ApiErr::unauthorized()),
        };
        let params = parsed?;
        bot.calls.push((canonical.unwrap_or(raw_method).to_owned(), recorded.unwrap_or(Value::Null)));
        let Some(method) = canonical else {
            return Err(ApiErr::new(404, "Not Found: method not found"));
        };
        if let Some(failure) = bot.take_failure(method) {
            return Err(ApiErr::from_failure(&failure));
        }
        if method == "getUpdates" {
            Next::Poll(start_poll(bot, &params)?)
        } else {
            let mut ctx = Ctx { bot, users, p: &params, now: now_secs(), fx: &mut fx };
            Next::Done(ctx.dispatch(method))
        }
    };
    match next {
        Next::Done(result) => {
            if let Some(generation) = fx.pump {
                tokio::spawn(webhook_pump(Arc::clone(shared), token.to_owned(), generation));
            }
            result
        }
        Next::Poll(poll) => {
            // Tell an older long poll of this bot that it has been superseded.
            shared.wake();
            long_poll(shared, token, poll).await
        }
    }
}

/// A registered `getUpdates` call, waiting for updates.
struct Poll {
    generation: u64,
    limit: usize,
    deadline: Instant,
}

/// Starts `getUpdates` under the state lock (in the same critical section that records the
/// call): checks for a webhook, confirms updates below `offset` and supersedes older polls.
fn start_poll(bot: &mut BotState, p: &Params) -> Result<Poll, ApiErr> {
    let offset = p.int("offset")?.unwrap_or(0);
    let limit = usize::try_from(p.int("limit")?.unwrap_or(100).clamp(1, 100)).unwrap_or(100);
    let timeout = u64::try_from(p.int("timeout")?.unwrap_or(0)).unwrap_or(0).min(MAX_POLL_SECS);
    let allowed = match p.json("allowed_updates")? {
        None => None,
        Some(Value::Array(items)) => Some(items.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
        Some(_) => return Err(ApiErr::bad("can't parse allowed_updates JSON object")),
    };
    if bot.webhook.is_some() {
        return Err(ApiErr::conflict(
            "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        ));
    }
    if let Some(allowed) = allowed {
        bot.allowed_updates = Some(allowed);
    }
    if offset < 0 {
        let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
        while bot.queue.len() > keep {
            bot.queue.pop_front();
        }
    } else {
        while bot.queue.front().is_some_and(|u| u.id < offset) {
            bot.queue.pop_front();
        }
    }
    bot.poll_gen += 1;
    Ok(Poll { generation: bot.poll_gen, limit, deadline: Instant::now() + Duration::from_secs(timeout) })
}

/// Waits until the bot has updates or the poll's deadline passes.
async fn long_poll(shared: &Shared, token: &str, poll: Poll) -> ApiResult {
    let Poll { generation, limit, deadline } = poll;
    let Some(bell) = shared.bell(token) else { return Err(ApiErr::unauthorized()) };
    loop {
        let notified = bell.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let st = shared.lock();
            if shared.closed.load(Ordering::SeqCst) {
                return Ok(json!([]));
            }
            let Some(bot) = st.bots.get(token).filter(|b| !b.revoked) else { return Err(ApiErr::unauthorized()) };
            if bot.webhook.is_some() {
                return Err(ApiErr::conflict("terminated by setWebhook request"));
            }
            if bot.poll_gen != generation {
                return Err(ApiErr::conflict(
                    "terminated by other getUpdates request; make sure that only one bot instance is running",
                ));
            }
            let updates: Vec<Value> = bot.queue.iter().take(limit).map(|u| u.json.clone()).collect();
            if !updates.is_empty() || Instant::now() >= deadline {
                return Ok(Value::Array(updates));
            }
        }
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(deadline) => {}
        }
    }
}

/// Delivers the queue of one bot to its webhook, one update at a time, for one webhook generation.
async fn webhook_pump(shared: Arc<Shared>, token: String, generation: u64) {
    let Some(bell) = shared.bell(&token) else { return };
    loop {
        let notified = bell.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let job = {
            let st = shared.lock();
            if shared.closed.load(Ordering::SeqCst) {
                return;
            }
            let Some(bot) = st.bots.get(&token) else { return };
            if bot.revoked || bot.webhook_gen != generation {
                return;
            }
            let Some(hook) = &bot.webhook else { return };
            bot.queue.front().map(|u| (u.id, u.json.clone(), hook.url.clone(), hook.secret_token.clone()))
        };
        let Some((update_id, update, url, secret)) = job else {
            notified.await;
            continue;
        };
        for attempt in 0..WEBHOOK_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(WEBHOOK_RETRY_DELAY).await;
            }
            let status = post_update(&shared, &url, secret.as_deref(), &update).await;
            let delivered = (200..300).contains(&status);
            let last = attempt + 1 == WEBHOOK_ATTEMPTS;
            let current = {
                let mut st = shared.lock();
                let Some(bot) = st.bots.get_mut(&token) else { return };
                bot.webhook_statuses.push(status);
                if !delivered {
                    let message = match status {
                        0 => "Connection refused".to_owned(),
                        code => format!("Wrong response from the webhook: {code}"),
                    };
                    bot.last_webhook_error = Some((now_secs(), message));
                }
                // Delivered, or given up on: the update leaves the queue.
                if (delivered || last) && bot.queue.front().is_some_and(|u| u.id == update_id) {
                    bot.queue.pop_front();
                }
                bot.webhook_gen == generation && !bot.revoked
            };
            shared.wake();
            if !current {
                return;
            }
            if delivered {
                break;
            }
        }
    }
}

async fn post_update(shared: &Shared, url: &str, secret: Option<&str>, update: &Value) -> u16 {
    let Some(client) = &shared.http else { return 0 };
    let mut request = client.post(url).json(update);
    if let Some(secret) = secret {
        request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
    }
    match request.send().await {
        Ok(response) => response.status().as_u16(),
        Err(_) => 0,
    }
}

async fn download(shared: Arc<Shared>, rest: &str) -> Response {
    let delay = shared.count_request();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let not_found = || ApiErr::new(404, "Not Found").into_response();
    let Some((token, path)) = rest.split_once('/') else { return not_found() };
    let token = percent_decode(token);
    let path = percent_decode(path);
    let st = shared.lock();
    let Some(bot) = st.bots.get(&token).filter(|b| !b.revoked) else {
        return ApiErr::unauthorized().into_response();
    };
    let Some(file) = bot.files.values().find(|f| f.path == path) else { return not_found() };
    let mime = file.mime_type.as_deref().unwrap_or("application/octet-stream");
    let content_type =
        HeaderValue::from_str(mime).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], file.bytes.clone()).into_response()
}

/// Every path outside `/control`: `/bot{token}/{method}` and `/file/bot{token}/{path}`.
async fn fallback(AxumState(shared): AxumState<Arc<Shared>>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_owned();
    if let Some(rest) = path.strip_prefix("/file/bot") {
        return download(shared, rest).await;
    }
    if let Some((token, method)) = path.strip_prefix("/bot").and_then(|rest| rest.split_once('/')) {
        let token = percent_decode(token);
        let method = percent_decode(method);
        return api_entry(shared, &token, &method, &uri, &headers, &body).await;
    }
    ApiErr::new(404, "Not Found").into_response()
}

// =============================================================================================
// Control routes
// =============================================================================================

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/control/bots", post(c_add_bot))
        .route("/control/bots/revoke", post(c_revoke_bot))
        .route("/control/send_text", post(c_send_text))
        .route("/control/send_photo", post(c_send_photo))
        .route("/control/send_document", post(c_send_document))
        .route("/control/press_button", post(c_press_button))
        .route("/control/send_pre_checkout_query", post(c_pre_checkout))
        .route("/control/send_successful_payment", post(c_payment))
        .route("/control/block_chat", post(c_block_chat))
        .route("/control/fail_next", post(c_fail_next))
        .route("/control/delay", post(c_delay))
        .route("/control/transcript", get(c_transcript))
        .route("/control/calls", get(c_calls))
        .route("/control/callback_answers", get(c_callback_answers))
        .route("/control/invoices", get(c_invoices))
        .route("/control/webhook_statuses", get(c_webhook_statuses))
        .route("/control/stats", get(c_stats))
        .fallback(fallback)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

type Shr = AxumState<Arc<Shared>>;

fn control_err(e: &FakeTelegramError) -> Response {
    let status = match e {
        FakeTelegramError::UnknownBot(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    (status, Json(json!({"error": e.to_string()}))).into_response()
}

fn control_json<T: Serialize>(result: Result<T, FakeTelegramError>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(e) => control_err(&e),
    }
}

fn known_bot(shared: &Shared, token: &str) -> Result<(), FakeTelegramError> {
    if shared.lock().bots.contains_key(token) { Ok(()) } else { Err(FakeTelegramError::UnknownBot(token.to_owned())) }
}

#[derive(Deserialize)]
struct TokenBody {
    token: String,
}

#[derive(Deserialize)]
struct SendTextBody {
    token: String,
    user_id: i64,
    text: String,
    first_name: Option<String>,
    last_name: Option<String>,
    username: Option<String>,
    language_code: Option<String>,
}

#[derive(Deserialize)]
struct SendPhotoBody {
    token: String,
    user_id: i64,
    caption: Option<String>,
    /// The `file_unique_id` of the picture, when it is one sent before.
    #[serde(default)]
    file_unique_id: Option<String>,
}

#[derive(Deserialize)]
struct SendDocumentBody {
    token: String,
    user_id: i64,
    file_name: String,
    content: Option<String>,
}

#[derive(Deserialize)]
struct PressBody {
    token: String,
    user_id: i64,
    message_id: i64,
    data: String,
}

#[derive(Deserialize)]
struct PaymentBody {
    token: String,
    user_id: i64,
    currency: String,
    total_amount: u32,
    invoice_payload: String,
}

#[derive(Deserialize)]
struct BlockBody {
    token: String,
    chat_id: i64,
    blocked: Option<bool>,
}

#[derive(Deserialize)]
struct FailBody {
    token: String,
    method: String,
    n: usize,
    failure: FakeFailure,
}

#[derive(Deserialize)]
struct DelayBody {
    millis: u64,
}

#[derive(Deserialize)]
struct TokenQuery {
    token: String,
    chat_id: Option<i64>,
}

async fn c_add_bot(AxumState(shared): Shr, Json(body): Json<TokenBody>) -> Response {
    let id = {
        let mut st = shared.lock();
        let bot = st.bots.entry(body.token.clone()).or_insert_with(|| BotState::new(bot_id_of(&body.token)));
        bot.revoked = false;
        bot.id
    };
    shared.wake();
    Json(json!({"bot_id": id})).into_response()
}

async fn c_revoke_bot(AxumState(shared): Shr, Json(body): Json<TokenBody>) -> Response {
    let result = known_bot(&shared, &body.token).map(|()| {
        if let Some(bot) = shared.lock().bots.get_mut(&body.token) {
            bot.revoked = true;
        }
        shared.wake();
        json!({"ok": true})
    });
    control_json(result)
}

async fn c_send_text(AxumState(shared): Shr, Json(body): Json<SendTextBody>) -> Response {
    let mut user = shared.user(body.user_id);
    if let Some(v) = body.first_name {
        user.first_name = v;
    }
    if body.last_name.is_some() {
        user.last_name = body.last_name;
    }
    if body.username.is_some() {
        user.username = body.username;
    }
    if body.language_code.is_some() {
        user.language_code = body.language_code;
    }
    control_json(shared.inject_text(&body.token, &user, &body.text).map(|id| json!({"update_id": id})))
}

async fn c_send_photo(AxumState(shared): Shr, Json(body): Json<SendPhotoBody>) -> Response {
    let result =
        shared.inject_photo(&body.token, body.user_id, body.caption.as_deref(), body.file_unique_id.as_deref());
    control_json(result.map(|id| json!({"update_id": id})))
}

async fn c_send_document(AxumState(shared): Shr, Json(body): Json<SendDocumentBody>) -> Response {
    let content = body.content.unwrap_or_else(|| format!("fake document {}", body.file_name)).into_bytes();
    let result = shared.inject_document(&body.token, body.user_id, &body.file_name, content);
    control_json(result.map(|id| json!({"update_id": id})))
}

async fn c_press_button(AxumState(shared): Shr, Json(body): Json<PressBody>) -> Response {
    let result = shared.inject_callback(&body.token, body.user_id, body.message_id, &body.data, true);
    control_json(result.map(|id| json!({"callback_query_id": id})))
}

async fn c_pre_checkout(AxumState(shared): Shr, Json(b): Json<PaymentBody>) -> Response {
    let result = shared.inject_pre_checkout(&b.token, b.user_id, &b.currency, b.total_amount, &b.invoice_payload);
    control_json(result.map(|id| json!({"pre_checkout_query_id": id})))
}

async fn c_payment(AxumState(shared): Shr, Json(b): Json<PaymentBody>) -> Response {
    control_json(shared.inject_payment(&b.token, b.user_id, &b.currency, b.total_amount, &b.invoice_payload))
}

async fn c_block_chat(AxumState(shared): Shr, Json(body): Json<BlockBody>) -> Response {
    let result = known_bot(&shared, &body.token).map(|()| {
        shared.set_blocked(&body.token, body.chat_id, body.blocked.unwrap_or(true));
        json!({"ok": true})
    });
    control_json(result)
}

async fn c_fail_next(AxumState(shared): Shr, Json(body): Json<FailBody>) -> Response {
    let result = known_bot(&shared, &body.token).map(|()| {
        shared.fail_next(&body.token, &body.method, body.n, body.failure);
        json!({"ok": true})
    });
    control_json(result)
}

async fn c_delay(AxumState(shared): Shr, Json(body): Json<DelayBody>) -> Response {
    shared.lock().delay = Duration::from_millis(body.millis);
    Json(json!({"ok": true})).into_response()
}

async fn c_transcript(AxumState(shared): Shr, Query(q): Query<TokenQuery>) -> Response {
    let result = known_bot(&shared, &q.token).map(|()| match q.chat_id {
        Some(chat) => shared.transcript(&q.token, chat),
        None => {
            let st = shared.lock();
            let mut all: Vec<SentMessage> =
                st.bots.get(&q.token).map(|b| b.transcripts.values().flatten().cloned().collect()).unwrap_or_default();
            all.sort_by_key(|m| (m.chat_id, m.message_id));
            all
        }
    });
    control_json(result)
}

async fn c_calls(AxumState(shared): Shr, Query(q): Query<TokenQuery>) -> Response {
    let result = known_bot(&shared, &q.token).map(|()| {
        let st = shared.lock();
        let calls = st.bots.get(&q.token).map(|b| b.calls.clone()).unwrap_or_default();
        calls.into_iter().map(|(method, body)| json!({"method": method, "body": body})).collect::<Vec<_>>()
    });
    control_json(result)
}

async fn c_callback_answers(AxumState(shared): Shr, Query(q): Query<TokenQuery>) -> Response {
    let result = known_bot(&shared, &q.token)
        .map(|()| shared.lock().bots.get(&q.token).map(|b| b.callback_answers.clone()).unwrap_or_default());
    control_json(result)
}

async fn c_invoices(AxumState(shared): Shr, Query(q): Query<TokenQuery>) -> Response {
    let result = known_bot(&shared, &q.token)
        .map(|()| shared.lock().bots.get(&q.token).map(|b| b.invoices.clone()).unwrap_or_default());
    control_json(result)
}

async fn c_webhook_statuses(AxumState(shared): Shr, Query(q): Query<TokenQuery>) -> Response {
    let result = known_bot(&shared, &q.token)
        .map(|()| shared.lock().bots.get(&q.token).map(|b| b.webhook_statuses.clone()).unwrap_or_default());
    control_json(result)
}

async fn c_stats(AxumState(shared): Shr) -> Response {
    let count = shared.lock().request_count;
    Json(json!({"request_count": count})).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_checks_match_telegrams_rules() {
        assert_eq!(
            html_plain("<b>Hi</b> &lt;3 &amp; <a href=\"https://x.y\">link</a>").ok().as_deref(),
            Some("Hi <3 & link")
        );
        assert!(html_plain("a < b").is_err());
        assert!(html_plain("<b>open").is_err());
        assert!(html_plain("<b><i>x</b></i>").is_err());
        assert!(html_plain("<div>x</div>").is_err());
        assert_eq!(html_plain("fa: سلام &#33;").ok().as_deref(), Some("fa: سلام !"));
    }

    #[test]
    fn markdown_v2_requires_escaping_reserved_characters() {
        assert!(markdown_v2_plain("Price: 10.5").is_err());
        assert_eq!(
            markdown_v2_plain("Price: 10\\.5 *bold* `a.b` [x](https://a.b/c)").ok().as_deref(),
            Some("Price: 10.5 bold a.b x")
        );
    }

    #[test]
    fn multipart_bodies_are_split_into_fields_and_files() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--XyZ--\r\n";
        let mut params = Params::default();
        assert!(parse_multipart(body, "XyZ", &mut params).is_ok());
        assert_eq!(params.string("chat_id").as_deref(), Some("42"));
        let photo = params.files.get("photo").map(|u| (u.file_name.clone(), u.bytes.clone()));
        assert_eq!(photo, Some((Some("a.png".to_owned()), b"\x89PNG".to_vec())));
        let mut broken = Params::default();
        assert!(parse_multipart(b"--XyZ\r\nnonsense", "XyZ", &mut broken).is_err());
    }

    #[test]
    fn bot_ids_come_from_the_token() {
        assert_eq!(bot_id_of("123456:ABC"), 123_456);
        assert!(bot_id_of("garbage") > 0);
        assert_eq!(bot_id_of("garbage"), bot_id_of("garbage"));
    }

    #[test]
    fn percent_decoding_handles_file_paths() {
        assert_eq!(percent_decode("documents%2Ffile_1.pdf"), "documents/file_1.pdf");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
