//! Payments: receipts to review, decided once through the same service as the receipt
//! messages, and the recent payments of every method, per tenant.

use chrono::Utc;
use remnabot_domain::{Page, Toman};
use remnabot_store::cards::CardSpec;
use remnabot_store::payments::{PaymentPurpose, Receipt, ReceiptKind};
use remnabot_store::plans::PlanSpec;
use remnabot_store::testing;

use super::{Shop, World, world};

const ADMIN_A: i64 = 720_400_001;
const ADMIN_B: i64 = 720_400_002;
const CUSTOMER: i64 = 720_410_001;

/// A card payment of `CUSTOMER` for a plan of 150,000 Toman, its receipt (`note`) sent.
async fn receipt(
    w: &World,
    shop: &Shop,
    plan: remnabot_domain::PlanId,
    note: &str,
) -> remnabot_store::payments::CardPayment {
    let user = w.store.users().by_telegram_id(&shop.t, remnabot_domain::TgUserId(CUSTOMER)).await.unwrap().unwrap();
    let now = Utc::now();
    let sales = w.store.sales();
    let (payment, _) =
        sales.start_card_payment(&shop.t, user.id, PaymentPurpose::Purchase, Some(plan), None, now).await.unwrap();
    let r = Receipt { kind: ReceiptKind::Text, file_id: None, file_unique_id: None, text: Some(note.into()) };
    sales.submit_receipt(&shop.t, user.id, payment.id, r, now).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn receipts_are_approved_and_rejected_from_the_panel_once_and_only_in_their_tenant() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        w.customer(&a, CUSTOMER).await;
        let card = CardSpec {
            number: "6037991234567893".into(),
            holder_name: "Alpha Holder".into(),
            bank_name: None,
            weight: 1,
            daily_count_cap: None,
            daily_amount_cap: None,
        };
        w.store.cards().create(&a.t, card).await.unwrap();
        let spec = PlanSpec {
            name: "Gold".into(),
            description: None,
            period_days: 30,
            traffic_gb: 0,
            device_limit: 1,
            price: Toman(150_000),
            sort_order: 0,
        };
        let plan = w.store.plans().create(&a.t, spec).await.unwrap();
        let first = receipt(&w, &a, plan.id, "paid, ref 123").await;
        let second = receipt(&w, &a, plan.id, "paid, ref 456").await;

        let home = w.panel(&a).await;
        let list = w.press(&a, &home, "panel-area-payments").await;
        let text = list.text.clone().unwrap();
        assert!(text.contains("2 in total"), "{backend:?} {text}");
        let labels: Vec<String> = list.buttons().into_iter().map(|b| b.text).collect();
        let first_label = format!("{} · 150,000 Toman", first.tracking_code);
        assert_eq!(labels.first(), Some(&first_label), "oldest first: {labels:?}");

        let shown = w.press_label(&a, a.admin, &list, &first_label).await;
        assert!(shown.text.as_deref().unwrap().contains("paid, ref 123"), "{shown:?}");
        let details = w.press(&a, &shown, "admin-details").await;
        assert!(details.text.as_deref().unwrap().contains(&first.tracking_code), "{details:?}");
        let approved = w.press(&a, &details, "admin-approve").await;
        assert!(approved.text.as_deref().unwrap().starts_with(&w.text("admin-approved", &[])), "{approved:?}");
        let api = w.api(&a, &format!("/card-payments/{}", first.id.0)).await;
        assert_eq!(api["status"], "approved", "{backend:?} {api}");
        // Approve again (a stale screen): told it was approved, nothing applied twice.
        let (_, approved) = w.forge_screen(&a, a.admin, approved.message_id, &format!("ppy:ok:{}", first.id.0)).await;
        assert!(approved.text.as_deref().unwrap().starts_with(&w.text("admin-already-approved", &[])), "{approved:?}");
        let subs = w.api(&a, "/subscriptions").await;
        assert_eq!(subs["items"].as_array().unwrap().len(), 1, "{subs}");

        // Reject the second with a reason (a 5,000-character one is refused first).
        let shown = w.press_label(&a, a.admin, &approved, &format!("{} · 150,000 Toman", second.tracking_code)).await;
        let _ = w.press(&a, &shown, "admin-reject").await;
        let refused = w.reply(&a, &"x".repeat(5000)).await;
        assert!(refused.text.as_deref().unwrap().contains("at most 1,000 characters"), "{refused:?}");
        let rejected = w.reply(&a, "wrong amount").await;
        assert!(rejected.text.as_deref().unwrap().contains("rejected"), "{rejected:?}");
        let api = w.api(&a, &format!("/card-payments/{}", second.id.0)).await;
        assert_eq!(api["status"], "rejected", "{api}");
        assert!(rejected.text.as_deref().unwrap().contains(&w.text("panel-py-no-receipts", &[])), "{rejected:?}");

        // Recent payments of every method: the approved sale.
        let recent = w.press(&a, &rejected, "panel-py-recent-button").await;
        let text = recent.text.clone().unwrap();
        assert!(text.contains("purchase · 150,000 Toman · Card to card · ✅ completed"), "{text}");
        let audit = w.store.audit().list(&a.t, Page::default()).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "card_payment.approve"), "{audit:?}");
        assert!(audit.iter().any(|e| e.action == "card_payment.reject"), "{audit:?}");

        // Tenant B: nothing to review, and A's payment ids are not found there.
        let home_b = w.panel(&b).await;
        let list_b = w.press(&b, &home_b, "panel-area-payments").await;
        assert!(list_b.text.as_deref().unwrap().contains(&w.text("panel-py-no-receipts", &[])), "{list_b:?}");
        let forged = w.forge(&b, b.admin, list_b.message_id, &format!("ppy:ok:{}", second.id.0)).await;
        assert_eq!(forged.as_deref(), Some(w.text("admin-payment-unknown", &[]).as_str()));
        assert!(w.api(&b, "/card-payments").await["items"].as_array().unwrap().is_empty());
        w.stop().await;
    }
}
