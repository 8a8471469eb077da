//! The notification worker's two kinds of entries: new messages go through `send`, edits of
//! messages the bot sent before (the admins' copies of a reviewed receipt) through `edit`,
//! with their target, caption flag and button; a notifier that cannot edit closes edits as
//! undeliverable, and Telegram's `retry_after` on an edit keeps it pending. On SQLite and,
//! when `TEST_DATABASE_URL` is set, PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use remnabot_domain::notify::{CallbackButton, MessageEdit, Notifier, NotifyError};
use remnabot_domain::{BotId, Page, Tenant};
use remnabot_jobs::notify::NotificationWorker;
use remnabot_store::outbox::{NewEdit, NewNotification, Notification, OutboxStatus};
use remnabot_store::{Store, testing};

/// Records sends and edits; answers edits of message 99 with `retry_after`.
#[derive(Debug, Default)]
struct EditingNotifier {
    sent: Mutex<Vec<(BotId, i64, String)>>,
    edited: Mutex<Vec<(BotId, MessageEdit)>>,
}

#[async_trait::async_trait]
impl Notifier for EditingNotifier {
    async fn send(&self, bot: BotId, chat_id: i64, text: &str) -> Result<(), NotifyError> {
        self.sent.lock().unwrap().push((bot, chat_id, text.to_owned()));
        Ok(())
    }

    async fn edit(&self, bot: BotId, edit: &MessageEdit) -> Result<(), NotifyError> {
        if edit.message_id == 99 {
            return Err(NotifyError::RetryAfter(Duration::from_secs(30)));
        }
        self.edited.lock().unwrap().push((bot, edit.clone()));
        Ok(())
    }
}

/// Sends only: `edit` is the port's default.
#[derive(Debug, Default)]
struct SendingNotifier {
    sent: Mutex<Vec<i64>>,
}

#[async_trait::async_trait]
impl Notifier for SendingNotifier {
    async fn send(&self, _: BotId, chat_id: i64, _: &str) -> Result<(), NotifyError> {
        self.sent.lock().unwrap().push(chat_id);
        Ok(())
    }
}

fn edit(message_id: i64, key: &str) -> NewEdit {
    NewEdit {
        chat_id: 700,
        message_id,
        caption: true,
        text: "receipt\n\nApproved".to_owned(),
        button: Some(CallbackButton { text: "Details".to_owned(), data: "adm:info:5".to_owned() }),
        idempotency_key: key.to_owned(),
    }
}

async fn queue(store: &Store, t: &Tenant) {
    let message = NewNotification { chat_id: 800, text: "hello".to_owned(), idempotency_key: "m".to_owned() };
    assert!(store.notifications().enqueue(t, &message).await.unwrap());
    assert!(store.notifications().enqueue_edit(t, &edit(11, "e")).await.unwrap());
    assert!(!store.notifications().enqueue_edit(t, &edit(11, "e")).await.unwrap(), "one key, one edit");
}

async fn entries(store: &Store, t: &Tenant) -> Vec<Notification> {
    let mut all = store.notifications().list(t, None, Page::default()).await.unwrap();
    all.sort_by_key(|n| n.id);
    all
}

#[tokio::test]
async fn edits_go_through_edit_with_their_target_and_messages_through_send() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (bot, t) = testing::tenant(&store, "shop").await;
        queue(&store, &t).await;
        let retried = edit(99, "later");
        store.notifications().enqueue_edit(&t, &retried).await.unwrap();
        let notifier = Arc::new(EditingNotifier::default());
        let now = Utc::now();
        let report = NotificationWorker::new(store.clone(), notifier.clone()).run_once(now).await.unwrap();
        assert_eq!((report.done, report.failed), (2, 1), "{backend:?}");

        assert_eq!(*notifier.sent.lock().unwrap(), vec![(bot.id, 800, "hello".to_owned())], "the message is sent");
        let edited = notifier.edited.lock().unwrap().clone();
        let expected = MessageEdit {
            chat_id: 700,
            message_id: 11,
            caption: true,
            text: "receipt\n\nApproved".to_owned(),
            button: Some(CallbackButton { text: "Details".to_owned(), data: "adm:info:5".to_owned() }),
        };
        assert_eq!(edited, vec![(bot.id, expected)], "the edit is applied, not sent as a new message");

        let all = entries(&store, &t).await;
        assert_eq!(all[0].status, OutboxStatus::Done);
        assert_eq!(all[1].status, OutboxStatus::Done);
        assert_eq!(all[2].status, OutboxStatus::Pending, "rate-limited: tried again later");
        assert!(all[2].next_attempt_at >= now + chrono::Duration::seconds(29));
        assert_eq!(all[2].edit.as_ref().map(|e| e.message_id), Some(99));
    }
}

#[tokio::test]
async fn a_notifier_that_cannot_edit_closes_edits_and_still_sends() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        queue(&store, &t).await;
        let notifier = Arc::new(SendingNotifier::default());
        NotificationWorker::new(store.clone(), notifier.clone()).run_once(Utc::now()).await.unwrap();
        assert_eq!(*notifier.sent.lock().unwrap(), vec![800], "{backend:?}: only the message was sent");
        let all = entries(&store, &t).await;
        assert_eq!(all[1].status, OutboxStatus::Done, "closed, not retried forever");
        assert_eq!(all[1].last_error.as_deref(), Some("editing is not supported"));
    }
}
