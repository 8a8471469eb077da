//! Sends notifications with the Bot API's `sendMessage` as the tenant's bot. A plain HTTP
//! call: the bot fleet will route this through its per-bot rate limiter when it lands.

use std::time::Duration;

use remnabot_domain::BotId;
use remnabot_domain::notify::{Notifier, NotifyError};
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

#[async_trait::async_trait]
impl Notifier for BotApiNotifier {
    async fn send(&self, bot: BotId, chat_id: i64, text: &str) -> Result<(), NotifyError> {
        let token =
            self.store.platform().telegram_token(bot).await.map_err(|e| NotifyError::Transient(e.to_string()))?;
        let url = format!("{}/bot{}/sendMessage", self.api_url, token.expose_secret());
        let res = self
            .client
            .post(&url)
            .timeout(Duration::from_secs(15))
            .json(&serde_json::json!({ "chat_id": chat_id, "text": text, "disable_web_page_preview": true }))
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
            // Blocked by the user, chat not found, user deactivated: retrying cannot help.
            400 | 403 => Err(NotifyError::Undeliverable(description)),
            code => Err(NotifyError::Transient(format!("Telegram error {code}: {description}"))),
        }
    }
}
