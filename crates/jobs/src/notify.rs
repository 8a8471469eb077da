//! The notification worker: delivers queued messages (new messages, and edits of messages
//! the bot sent before) through the tenant's bot, retrying transient failures and honouring
//! Telegram's `retry_after`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use remnabot_domain::notify::{MessageEdit, Notifier, NotifyError};
use remnabot_domain::{Error, Result, Tenant};
use remnabot_store::Store;

use crate::backoff::Backoff;
use crate::provisioning::StepReport;

/// Delivers the notification outbox.
#[derive(Debug, Clone)]
pub struct NotificationWorker {
    store: Store,
    notifier: Arc<dyn Notifier>,
    batch: u64,
    lease: Duration,
    backoff: Backoff,
}

impl NotificationWorker {
    /// A worker sending through `notifier`.
    pub fn new(store: Store, notifier: Arc<dyn Notifier>) -> NotificationWorker {
        NotificationWorker {
            store,
            notifier,
            batch: 100,
            lease: Duration::from_secs(60),
            backoff: Backoff { base: Duration::from_secs(2), max: Duration::from_secs(300) },
        }
    }

    /// Sends (or applies, for an edit) every due message once.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the outbox cannot be read.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<StepReport> {
        let lease = chrono::Duration::from_std(self.lease).unwrap_or(chrono::Duration::seconds(60));
        let claimed = self.store.platform().claim_notifications(now, self.batch, lease).await?;
        let mut report = StepReport::default();
        for (bot_id, note) in claimed {
            let bot = match self.store.platform().get(bot_id).await {
                Ok(bot) => bot,
                Err(Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let tenant = Tenant::of(&bot);
            let notifications = self.store.notifications();
            let delivered = match &note.edit {
                Some(target) => {
                    let edit = MessageEdit {
                        chat_id: note.chat_id,
                        message_id: target.message_id,
                        caption: target.caption,
                        text: note.text.clone(),
                        button: target.button.clone(),
                    };
                    self.notifier.edit(bot.id, &edit).await
                }
                None => self.notifier.send(bot.id, note.chat_id, &note.text).await,
            };
            match delivered {
                Ok(()) => {
                    notifications.mark_sent(&tenant, note.id, now).await?;
                    report.done += 1;
                }
                Err(NotifyError::Undeliverable(reason)) => {
                    tracing::info!(bot_id = %bot.id, chat = note.chat_id, reason, "message cannot be delivered; closed");
                    notifications.mark_undeliverable(&tenant, note.id, &reason, now).await?;
                    report.failed += 1;
                }
                Err(e) => {
                    let wait = match &e {
                        NotifyError::RetryAfter(d) => *d,
                        _ => self.backoff.delay(note.attempts.saturating_add(1)),
                    };
                    let next = remnabot_domain::limits::later(
                        now,
                        chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX),
                    );
                    tracing::warn!(bot_id = %bot.id, error = %e, retry_in = ?wait, "message not sent");
                    notifications.mark_failed(&tenant, note.id, &e.to_string(), next).await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }
}
