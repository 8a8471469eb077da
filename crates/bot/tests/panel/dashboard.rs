//! The dashboard: one message edited in place, the same figures as the API, per tenant.

use remnabot_domain::Toman;
use remnabot_store::testing;
use remnabot_store::transactions::{NewTransaction, TransactionKind};

use super::{all_data, world};

const ADMIN_A: i64 = 720_200_001;
const ADMIN_B: i64 = 720_200_002;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_dashboard_is_edited_in_place_and_shows_what_the_api_shows_for_that_tenant_only() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let buyer = w.customer(&a, 720_210_001).await;
        w.store
            .transactions()
            .create(
                &a.t,
                NewTransaction {
                    user: buyer.id,
                    kind: TransactionKind::Purchase,
                    amount: Toman(150_000),
                    payment_method: Some("card_to_card".to_owned()),
                    description: None,
                    external_id: None,
                    completed: true,
                    plan: None,
                },
            )
            .await
            .unwrap();

        let home = w.panel(&a).await;
        assert!(home.text.as_deref().unwrap().contains("Alpha"), "{home:?}");
        let shown = w.press(&a, &home, "panel-area-dashboard").await;
        assert_eq!((shown.method.as_str(), shown.message_id), ("editMessageText", home.message_id), "{backend:?}");
        let text = shown.text.clone().unwrap();
        assert!(text.contains("Sales: 1 · 150,000 Toman"), "{text}");
        assert!(text.contains("• Card to card: 1 · 150,000 Toman"), "{text}");
        assert!(text.contains("New customers: 2"), "the admin and the buyer: {text}");
        let data = all_data(&shown);
        assert!(data.contains(&"pd:show".to_owned()) && data.contains(&"pn:home".to_owned()), "{data:?}");
        let api = w.api(&a, "/dashboard").await;
        assert_eq!(api["today"]["sales_count"], 1);
        assert_eq!(api["today"]["sales_total"], 150_000);
        assert_eq!(api["today"]["new_customers"], 2);

        // Refresh with nothing new leaves the message as it is; Home edits the same message.
        let n = w.count(&a, ADMIN_A);
        let q = w.tg.press_button(&a.token, ADMIN_A, shown.message_id, "pd:show").unwrap();
        w.answer(&a, &q).await;
        assert_eq!(w.count(&a, ADMIN_A), n);
        let back = w.press(&a, &shown, "panel-home").await;
        assert_eq!((back.method.as_str(), back.message_id), ("editMessageText", home.message_id));

        // The other tenant sees none of it.
        let home_b = w.panel(&b).await;
        let shown_b = w.press(&b, &home_b, "panel-area-dashboard").await;
        assert!(shown_b.text.as_deref().unwrap().contains("Sales: 0 · 0 Toman"), "{shown_b:?}");
        assert_eq!(w.api(&b, "/dashboard").await["last_30_days"]["sales_count"], 0);
        w.stop().await;
    }
}
