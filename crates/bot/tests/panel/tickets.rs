//! Tickets: open tickets newest first, read and answered (or closed) through the ticket
//! service, per tenant.

use remnabot_domain::{Page, TgUserId};
use remnabot_store::testing;
use remnabot_store::tickets::NewMessage;

use super::world;

const ADMIN_A: i64 = 720_500_001;
const ADMIN_B: i64 = 720_500_002;
const CUSTOMER: i64 = 720_510_001;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_open_ticket_is_read_answered_and_closed_from_the_panel() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let c = w.customer(&a, CUSTOMER).await;
        let tickets = w.store.tickets();
        let first = NewMessage {
            from_admin: false,
            sender_telegram_id: TgUserId(CUSTOMER),
            text: Some("My link does not work".into()),
            media_file_id: None,
        };
        let (older, _) = tickets.open(&a.t, c.id, "Old question", first.clone()).await.unwrap();
        let (ticket, _) = tickets.open(&a.t, c.id, "Link broken", first).await.unwrap();

        let home = w.panel(&a).await;
        let list = w.press(&a, &home, "panel-area-tickets").await;
        let labels: Vec<String> = list.buttons().into_iter().map(|b| b.text).collect();
        let label = format!("#{} · Link broken", ticket.id.0);
        assert_eq!(labels.first(), Some(&label), "{backend:?}: newest first: {labels:?}");
        assert!(labels.contains(&format!("#{} · Old question", older.id.0)));

        let view = w.press_label(&a, a.admin, &list, &label).await;
        assert!(view.text.as_deref().unwrap().contains("My link does not work"), "{view:?}");
        let _ = w.press(&a, &view, "acct-button-reply").await;
        let refused = w.reply(&a, &"y".repeat(5000)).await;
        assert!(refused.text.as_deref().unwrap().contains("at most 4,096 characters"), "{refused:?}");
        let answered = w.reply(&a, "Please update the app and try again").await;
        let text = answered.text.clone().unwrap();
        assert!(text.contains("Answer sent") && text.contains("Please update the app"), "{text}");
        let api = w.api(&a, &format!("/tickets/{}", ticket.id.0)).await;
        assert_eq!(api["status"], "answered", "{backend:?} {api}");
        let queued = w.store.notifications().list(&a.t, None, Page::default()).await.unwrap();
        assert!(
            queued.iter().any(|n| n.chat_id == CUSTOMER && n.text.contains("Please update the app")),
            "the customer is told: {queued:?}"
        );

        let confirm = w.press(&a, &answered, "acct-button-close-ticket").await;
        let closed = w.press(&a, &confirm, "panel-confirm").await;
        assert!(closed.text.as_deref().unwrap().contains("closed"), "{closed:?}");
        assert_eq!(w.api(&a, &format!("/tickets/{}", ticket.id.0)).await["status"], "closed");
        // Only the older ticket still waits.
        assert!(closed.text.as_deref().unwrap().contains("1 in total"), "{closed:?}");

        // Tenant B sees none of it and cannot reach A's ticket.
        let home_b = w.panel(&b).await;
        let list_b = w.press(&b, &home_b, "panel-area-tickets").await;
        assert!(list_b.text.as_deref().unwrap().contains(&w.text("panel-tk-none", &[])), "{list_b:?}");
        let forged = w.forge(&b, b.admin, list_b.message_id, &format!("ptk:re:{}", older.id.0)).await;
        assert_eq!(forged.as_deref(), Some(w.text("acct-ticket-unknown", &[]).as_str()));
        assert_eq!(w.api(&a, &format!("/tickets/{}", older.id.0)).await["status"], "open");
        w.stop().await;
    }
}
