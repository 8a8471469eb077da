//! Payment cards in the panel: added (Luhn-checked), edited, taken out of rotation, the
//! rotation strategy chosen; each change visible through the API for that tenant only.

use remnabot_domain::CardId;
use remnabot_store::testing;

use super::plans::{actions, forged_screen, reply};
use super::world;

const ADMIN_A: i64 = 720_400_001;
const ADMIN_B: i64 = 720_400_002;
const CUSTOMER: i64 = 720_410_001;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_card_added_and_tuned_in_the_panel_is_what_the_api_shows_for_that_tenant_only() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let home = w.panel(&a).await;
        let list = w.press(&a, &home, "panel-area-cards").await;
        assert!(list.text.as_deref().unwrap().contains(&w.text("panel-cards-empty", &[])), "{list:?}");

        w.press(&a, &list, "panel-card-new").await;
        // Persian digits with spaces are a card number too.
        reply(&w, &a, "۶۰۳۷ ۹۹۱۲ ۳۴۵۶ ۷۸۹۳").await;
        reply(&w, &a, "Ali Rezaei").await;
        let page = reply(&w, &a, "Mellat").await;
        let text = page.text.clone().unwrap();
        assert!(
            text.contains("Card 6037 9912 3456 7893") && text.contains("Holder: Ali Rezaei"),
            "{backend:?}: {text}"
        );
        assert!(text.contains("Success: no payments yet (0 approved, 0 failed)"), "{text}");
        let cards = w.api(&a, "/payment-cards").await;
        let card = &cards["items"][0];
        assert_eq!(card["holder_name"], "Ali Rezaei", "{cards}");
        assert_eq!(card["bank_name"], "Mellat");
        assert_eq!(card["is_active"], true);
        let id = card["id"].as_i64().unwrap();

        // Weight, caps (0 removes one), out of rotation.
        w.press(&a, &page, "panel-card-edit-weight").await;
        let page = reply(&w, &a, "7").await;
        w.press(&a, &page, "panel-card-edit-count-cap").await;
        let page = reply(&w, &a, "20").await;
        w.press(&a, &page, "panel-card-edit-amount-cap").await;
        let page = reply(&w, &a, "5,000,000").await;
        assert!(page.text.as_deref().unwrap().contains("Daily caps: 20 payment(s) · 5,000,000 Toman"), "{page:?}");
        w.press(&a, &page, "panel-card-edit-count-cap").await;
        let page = reply(&w, &a, "0").await;
        let now = chrono::Utc::now();
        w.store.cards().record_usage(&a.t, CardId(id), true, remnabot_domain::Toman(120_000), now).await.unwrap();
        w.store.cards().record_usage(&a.t, CardId(id), false, remnabot_domain::Toman(0), now).await.unwrap();
        let page = w.press(&a, &page, "panel-card-deactivate").await;
        let text = page.text.clone().unwrap();
        assert!(text.contains("Success: 50% (1 approved, 1 failed)"), "{text}");
        assert!(text.contains("Today: 1 payment(s) · 120,000 Toman"), "{text}");
        assert!(page.text.as_deref().unwrap().contains(&w.text("panel-card-inactive", &[])), "{page:?}");
        let card = w.api(&a, &format!("/payment-cards/{id}")).await;
        assert_eq!((card["weight"].as_i64(), card["daily_count_cap"].as_i64()), (Some(7), None), "{card}");
        assert_eq!(card["daily_amount_cap"], 5_000_000);
        assert_eq!(card["is_active"], false);

        // The rotation strategy, as the API reads it.
        let list = w.press(&a, &page, "panel-back").await;
        let rotation = w.press(&a, &list, "panel-card-rotation").await;
        let label = w.text("panel-card-strategy-weighted", &[]);
        let chosen = w.press_label(&a, ADMIN_A, &rotation, &label).await;
        assert!(chosen.buttons().iter().any(|b| b.text == format!("✅ {label}")), "{chosen:?}");
        assert_eq!(w.api(&a, "/config/card_rotation_strategy").await["value"], "weighted");

        let log = actions(&w, &a).await;
        assert_eq!(
            log,
            [
                "card.create",
                "card.update",
                "card.update",
                "card.update",
                "card.update",
                "card.deactivate",
                "config.set"
            ],
            "{backend:?}"
        );
        let entry = &w.store.audit().list(&a.t, Default::default()).await.unwrap();
        let created = entry.iter().find(|e| e.action == "card.create").unwrap();
        assert_eq!(created.after.as_ref().unwrap()["number"], "6037 99** **** 7893", "the log keeps it masked");

        // Tenant B: no cards, its strategy untouched, A's card out of its admin's reach.
        assert!(w.api(&b, "/payment-cards").await["items"].as_array().unwrap().is_empty());
        assert_eq!(w.store.configs().card_rotation_strategy(&b.t).await.unwrap().as_str(), "round_robin");
        let home_b = w.panel(&b).await;
        let shown = forged_screen(&w, &b, ADMIN_B, home_b.message_id, &format!("pc:on:{id}")).await;
        assert!(shown.text.as_deref().unwrap().contains(&w.text("panel-card-gone", &[])), "{shown:?}");
        assert!(!w.store.cards().get(&a.t, CardId(id)).await.unwrap().is_active);

        // A customer forging a press is refused.
        w.customer(&a, CUSTOMER).await;
        let answered = w.forge(&a, CUSTOMER, chosen.message_id, &format!("pc:on:{id}")).await;
        assert_eq!(answered.as_deref(), Some(w.text("button-stale", &[]).as_str()));
        assert!(!w.store.cards().get(&a.t, CardId(id)).await.unwrap().is_active);
        assert!(actions(&w, &b).await.is_empty());
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_answers_in_the_card_dialogue_are_explained_and_write_nothing() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let home = w.panel(&a).await;
        let list = w.press(&a, &home, "panel-area-cards").await;
        w.press(&a, &list, "panel-card-new").await;
        let bad_number = w.text("panel-card-bad-number", &[]);
        for typed in ["6037991234567894", "6037 9912 3456", "not a card", &"4".repeat(5000)] {
            let said = reply(&w, &a, typed).await;
            let text = said.text.unwrap();
            assert!(text.contains(&bad_number) && text.contains("step 1 of 3"), "{backend:?} {typed}: {text}");
        }
        reply(&w, &a, "6104-3312-3456-7890").await;
        let said = reply(&w, &a, &"x".repeat(5000)).await;
        assert!(said.text.unwrap().contains(&w.text("panel-input-too-long", &[("max", 64.into())])));
        reply(&w, &a, "Ali").await;
        let page = reply(&w, &a, "-").await;
        assert!(page.text.as_deref().unwrap().contains("Bank: -"), "{page:?}");

        // The same card again: the domain's refusal, nothing added.
        let list = w.press(&a, &page, "panel-back").await;
        w.press(&a, &list, "panel-card-new").await;
        reply(&w, &a, "6104331234567890").await;
        reply(&w, &a, "Ali").await;
        let said = reply(&w, &a, "Melli").await;
        let text = said.text.unwrap();
        assert!(text.contains(&w.text("panel-refused-taken", &[])), "{text}");
        assert_eq!(w.store.cards().count(&a.t).await.unwrap(), 1, "{backend:?}");

        // Weight and caps out of range, or not numbers.
        let list = said_cancel(&w, &a).await;
        let id = w.store.cards().list(&a.t, false, Default::default()).await.unwrap()[0].id;
        let page = w.press_data(&a, ADMIN_A, &list, &format!("pc:show:{id}")).await;
        w.press(&a, &page, "panel-card-edit-weight").await;
        for (typed, expected) in [
            ("heavy", w.text("panel-input-not-number", &[])),
            ("1001", w.text("panel-input-range", &[("min", 0.into()), ("max", 1000.into())])),
            ("-1", w.text("panel-input-range", &[("min", 0.into()), ("max", 1000.into())])),
        ] {
            let said = reply(&w, &a, typed).await;
            assert!(said.text.as_deref().unwrap().contains(&expected), "{typed}: {said:?}");
        }
        let card = w.store.cards().get(&a.t, id).await.unwrap();
        assert_eq!((card.weight, card.daily_count_cap), (1, None));
        assert_eq!(actions(&w, &a).await, ["card.create"], "{backend:?}");
        w.stop().await;
    }
}

/// Cancels the open card question (its Cancel button leads to the cards list).
async fn said_cancel(w: &super::World, shop: &super::Shop) -> remnabot_testkit::telegram::SentMessage {
    let last = w.tg.transcript(&shop.token, shop.admin).into_iter().rev().find(|m| m.is_send()).unwrap();
    w.press(shop, &last, "panel-cancel").await
}
