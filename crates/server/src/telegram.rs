//! Sends notifications with the Bot API's `sendMessage`, and applies queued edits with
//! `editMessageText` / `editMessageCaption`, as the tenant's bot. A plain HTTP call: the bot
//! fleet will route this through its per-bot rate limiter when it lands.

use std::time::Duration;

use remnabot_domain::BotId;
use remnabot_domain::notify::{MessageEdit, Notifier, NotifyError};
use remnabot_store::Store;
use secrecy::ExposeSecret;

/// The Bot API as a [`Notifier`].
#[derive(Debug, Clone)]
pub struct BotApiNotifier {
    store: Store,
    client: reqwest::Client,
    /// `https://api.telegram.org` or a test server.
    api_url: String,
}

impl BotApiNotifier {
    /// A notifier calling `api_url`.
    pub fn new(store: Store, client: reqwest::Client, api_url: &str) -> BotApiNotifier {
        BotApiNotifier { store, client, api_url: api_url.trim_end_matches('/').to_owned() }
    }
}

#[derive(serde::Deserialize)]
struct Answer {
    ok: bool,
    error_code: Option<u16>,
    description: Option<String>,
    parameters: Option<Parameters>,
}

#[derive(serde::Deserialize)]
struct Parameters {
    retry_after: Option<u64>,
}

impl BotApiNotifier {
    /// Calls `method` as `bot` with a JSON body and maps Telegram's answer.
    async fn call(&self, bot: BotId, method: &str, body: serde_json::Value) -> Result<(), NotifyError> {
        let token =
            self.store.platform().telegram_token(bot).await.map_err(|e| NotifyError::Transient(e.to_string()))?;
        let url = format!("{}/bot{}/{method}", self.api_url, token.expose_secret());
        let res = self
            .client
            .post(&url)
            .timeout(Duration::from_secs(15))
            .json(&body)
            .send()
            .await
            // The URL holds the token: report the kind of failure, never the request.
            .map_err(|e| {
                NotifyError::Transient(if e.is_timeout() {
                    "Telegram timed out".into()
                } else {
                    "Telegram unreachable".into()
                })
            })?;
        let status = res.status().as_u16();
        let answer: Answer =
            res.json().await.map_err(|_| NotifyError::Transient(format!("unreadable answer (HTTP {status})")))?;
        if answer.ok {
            return Ok(());
        }
        let description = answer.description.unwrap_or_default();
        match answer.error_code.unwrap_or(status) {
            429 => Err(NotifyError::RetryAfter(Duration::from_secs(
                answer.parameters.and_then(|p| p.retry_after).unwrap_or(5),
            ))),
            // Blocked by the user, chat not found, user deactivated, message to edit not
            // found or no longer editable: retrying cannot help.
            400 | 403 => Err(NotifyError::Undeliverable(description)),
            code => Err(NotifyError::Transient(format!("Telegram error {code}: {description}"))),
        }
    }
}

/// The JSON body of the edit: the text or caption, and the one button left (none removes
/// the inline keyboard, as an edit without `reply_markup` does).
fn edit_body(edit: &MessageEdit) -> serde_json::Value {
    let mut body = serde_json::json!({ "chat_id": edit.chat_id, "message_id": edit.message_id });
    if edit.caption {
        body["caption"] = edit.text.clone().into();
    } else {
        body["text"] = edit.text.clone().into();
        body["disable_web_page_preview"] = true.into();
    }
    if let Some(b) = &edit.button {
        body["reply_markup"] =
            serde_json::json!({ "inline_keyboard": [[{ "text": b.text, "callback_data": b.data }]] });
    }
    body
}

#[async_trait::async_trait]
impl Notifier for BotApiNotifier {
    async fn send(&self, bot: BotId, chat_id: i64, text: &str) -> Result<(), NotifyError> {
        let body = serde_json::json!({ "chat_id": chat_id, "text": text, "disable_web_page_preview": true });
        self.call(bot, "sendMessage", body).await
    }

    async fn edit(&self, bot: BotId, edit: &MessageEdit) -> Result<(), NotifyError> {
        let method = if edit.caption { "editMessageCaption" } else { "editMessageText" };
        match self.call(bot, method, edit_body(edit)).await {
            // The message already shows exactly this (the bot edited it itself when the
            // admin pressed the button): the edit is done.
            Err(NotifyError::Undeliverable(d)) if d.contains("message is not modified") => Ok(()),
            other => other,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::extract::{Path, State};
    use axum::routing::post;
    use remnabot_store::testing;

    use super::*;

    /// What the fake saw: the token path segment and the JSON body of each call.
    type Seen = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

    /// Answers an edit by message id (1 ok, 2 not modified, 3 gone, 4 rate-limited) and
    /// records the method and body.
    async fn edit_answer(
        State(seen): State<Seen>,
        uri: axum::http::Uri,
        body: axum::Json<serde_json::Value>,
    ) -> (axum::http::StatusCode, axum::Json<serde_json::Value>) {
        let method = uri.path().rsplit('/').next().unwrap_or_default().to_owned();
        let message = body["message_id"].as_i64().unwrap_or_default();
        seen.lock().unwrap().push((method, body.0));
        let (status, answer) = match message {
            1 => (200, serde_json::json!({"ok": true, "result": {"message_id": 1}})),
            2 => (
                400,
                serde_json::json!({"ok": false, "error_code": 400, "description": "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"}),
            ),
            3 => (
                400,
                serde_json::json!({"ok": false, "error_code": 400, "description": "Bad Request: message to edit not found"}),
            ),
            _ => (
                429,
                serde_json::json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 3", "parameters": {"retry_after": 3}}),
            ),
        };
        (axum::http::StatusCode::from_u16(status).unwrap(), axum::Json(answer))
    }

    /// A Bot API stand-in: answers `sendMessage` by chat id (1 ok, 2 rate-limited, 3 blocked,
    /// 4 server error) and edits as [`edit_answer`], and records the token path (the method
    /// for edits) and body it saw.
    async fn fake_bot_api() -> (String, Seen) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route(
                "/{token}/sendMessage",
                post(|State(seen): State<Seen>, Path(token): Path<String>, body: axum::Json<serde_json::Value>| async move {
                    let chat = body["chat_id"].as_i64().unwrap_or_default();
                    seen.lock().unwrap().push((token, body.0));
                    let (status, answer) = match chat {
                        1 => (200, serde_json::json!({"ok": true, "result": {"message_id": 1}})),
                        2 => (429, serde_json::json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 7", "parameters": {"retry_after": 7}})),
                        3 => (403, serde_json::json!({"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})),
                        _ => (502, serde_json::json!({"ok": false, "error_code": 502, "description": "Bad Gateway"})),
                    };
                    (axum::http::StatusCode::from_u16(status).unwrap(), axum::Json(answer))
                }),
            )
            .route("/{token}/editMessageText", post(edit_answer))
            .route("/{token}/editMessageCaption", post(edit_answer))
            .with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        (url, seen)
    }

    #[tokio::test]
    async fn telegram_answers_map_to_sent_retry_later_undeliverable_and_transient() {
        let (url, seen) = fake_bot_api().await;
        let store = testing::store(remnabot_store::Backend::Sqlite).await;
        let token = testing::telegram_token();
        let created = store
            .platform()
            .create(remnabot_store::platform::NewBot { name: "Shop".into(), telegram_token: token.clone() })
            .await
            .unwrap();
        let notifier = BotApiNotifier::new(store, reqwest::Client::new(), &url);
        let bot = created.bot.id;

        assert_eq!(notifier.send(bot, 1, "hello").await, Ok(()));
        assert_eq!(notifier.send(bot, 2, "x").await, Err(NotifyError::RetryAfter(Duration::from_secs(7))));
        assert!(
            matches!(notifier.send(bot, 3, "x").await, Err(NotifyError::Undeliverable(d)) if d.contains("blocked"))
        );
        let transient = notifier.send(bot, 4, "x").await.unwrap_err();
        assert!(matches!(transient, NotifyError::Transient(_)));
        assert!(!transient.to_string().contains(token.expose_secret()), "the token never shows in errors");

        let seen = seen.lock().unwrap();
        assert_eq!(seen[0].0, format!("bot{}", token.expose_secret()), "sent as the tenant's own bot");
        assert_eq!(seen[0].1["text"], "hello");
    }

    #[tokio::test]
    async fn edits_replace_the_caption_or_text_and_keep_one_button_and_not_modified_counts_as_done() {
        let (url, seen) = fake_bot_api().await;
        let store = testing::store(remnabot_store::Backend::Sqlite).await;
        let created = store
            .platform()
            .create(remnabot_store::platform::NewBot { name: "Shop".into(), telegram_token: testing::telegram_token() })
            .await
            .unwrap();
        let notifier = BotApiNotifier::new(store, reqwest::Client::new(), &url);
        let bot = created.bot.id;
        let edit = |message_id, caption| MessageEdit {
            chat_id: 10,
            message_id,
            caption,
            text: "receipt\n\nApproved".into(),
            button: Some(remnabot_domain::notify::CallbackButton { text: "Details".into(), data: "adm:info:5".into() }),
        };

        assert_eq!(notifier.edit(bot, &edit(1, true)).await, Ok(()));
        assert_eq!(notifier.edit(bot, &edit(1, false)).await, Ok(()));
        assert_eq!(notifier.edit(bot, &edit(2, true)).await, Ok(()), "already showing it is done");
        assert!(
            matches!(notifier.edit(bot, &edit(3, false)).await, Err(NotifyError::Undeliverable(d)) if d.contains("not found"))
        );
        assert_eq!(notifier.edit(bot, &edit(4, true)).await, Err(NotifyError::RetryAfter(Duration::from_secs(3))));
        let no_button = MessageEdit { button: None, ..edit(1, false) };
        assert_eq!(notifier.edit(bot, &no_button).await, Ok(()));

        let seen = seen.lock().unwrap();
        assert_eq!(seen[0].0, "editMessageCaption");
        assert_eq!(seen[0].1["caption"], "receipt\n\nApproved");
        assert!(seen[0].1.get("text").is_none());
        assert_eq!(seen[0].1["message_id"], 1);
        assert_eq!(
            seen[0].1["reply_markup"],
            serde_json::json!({"inline_keyboard": [[{"text": "Details", "callback_data": "adm:info:5"}]]})
        );
        assert_eq!(seen[1].0, "editMessageText");
        assert_eq!(seen[1].1["text"], "receipt\n\nApproved");
        assert!(seen[5].1.get("reply_markup").is_none(), "no button: the keyboard goes");
    }

    #[tokio::test]
    async fn an_unreachable_bot_api_is_transient_and_names_no_token() {
        let store = testing::store(remnabot_store::Backend::Sqlite).await;
        let token = testing::telegram_token();
        let created = store
            .platform()
            .create(remnabot_store::platform::NewBot { name: "Shop".into(), telegram_token: token.clone() })
            .await
            .unwrap();
        let notifier = BotApiNotifier::new(store, reqwest::Client::new(), "http://127.0.0.1:9");
        let err = notifier.send(created.bot.id, 1, "x").await.unwrap_err();
        assert!(matches!(err, NotifyError::Transient(_)), "{err:?}");
        assert!(!format!("{err:?}").contains(token.expose_secret()));
    }
}
