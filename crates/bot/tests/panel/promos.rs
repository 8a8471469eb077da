//! Promo codes and groups in the panel: created step by step, listed with their uses,
//! deactivated; each change visible through the API for that tenant only.

use chrono::Utc;
use remnabot_domain::PromoCodeId;
use remnabot_store::testing;

use super::plans::{actions, forged_screen, reply};
use super::world;

const ADMIN_A: i64 = 720_600_001;
const ADMIN_B: i64 = 720_600_002;
const CUSTOMER: i64 = 720_610_001;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn promo_codes_and_groups_made_in_the_panel_are_what_the_api_shows_for_that_tenant_only() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let home = w.panel(&a).await;
        let promos = w.press(&a, &home, "panel-area-promos").await;
        let codes = w.press(&a, &promos, "panel-promo-codes").await;
        assert!(codes.text.as_deref().unwrap().contains(&w.text("panel-promo-codes-empty", &[])), "{codes:?}");
        let kinds = w.press(&a, &codes, "panel-promo-new-code").await;
        w.press(&a, &kinds, "panel-promo-kind-balance").await;
        reply(&w, &a, "spring-50").await;
        reply(&w, &a, "50,000").await;
        reply(&w, &a, "100").await;
        // A Solar Hijri date, in Persian digits: Farvardin 1st, 1405.
        reply(&w, &a, "۱۴۰۵/۰۱/۰۱").await;
        let page = reply(&w, &a, "2030-01-01").await;
        let text = page.text.clone().unwrap();
        assert!(text.contains(&w.text("panel-promo-created", &[("code", "SPRING-50".into())])), "{backend:?}: {text}");
        assert!(text.contains("Gives: 50,000 Toman of balance") && text.contains("Used: 0 / 100"), "{text}");
        let listed = w.api(&a, "/promocodes").await;
        let code = &listed["items"][0];
        assert_eq!((code["code"].as_str(), code["kind"].as_str()), (Some("SPRING-50"), Some("balance")), "{listed}");
        assert_eq!((code["value"].as_i64(), code["max_uses"].as_i64()), (Some(50_000), Some(100)));
        assert_eq!(code["valid_from"], "2026-03-20T20:30:00Z");
        assert_eq!(code["valid_until"], "2029-12-31T20:30:00Z", "Tehran's midnight");
        let id = code["id"].as_i64().unwrap();

        // A use shows in the list; deactivating is what the API reads.
        let customer = w.customer(&a, CUSTOMER).await;
        w.store.promo_codes().redeem(&a.t, "spring-50", customer.id, Utc::now()).await.unwrap();
        let codes = w.press(&a, &page, "panel-back").await;
        assert!(codes.text.as_deref().unwrap().contains("used 1 / 100 · ✅ active"), "{codes:?}");
        let page = w.press_data(&a, ADMIN_A, &codes, &format!("pm:code:{id}")).await;
        let page = w.press(&a, &page, "panel-promo-deactivate").await;
        assert!(page.text.as_deref().unwrap().contains(&w.text("panel-promo-inactive", &[])), "{page:?}");
        assert_eq!(w.api(&a, &format!("/promocodes/{id}")).await["is_active"], false);

        // A promo group with its discount.
        let codes = w.press(&a, &page, "panel-back").await;
        let promos = w.press(&a, &codes, "panel-back").await;
        let groups = w.press(&a, &promos, "panel-promo-groups").await;
        w.press(&a, &groups, "panel-promo-new-group").await;
        reply(&w, &a, "VIP").await;
        let groups = reply(&w, &a, "15").await;
        assert!(groups.text.as_deref().unwrap().contains("1. VIP · 15% off"), "{groups:?}");
        let listed = w.api(&a, "/promo-groups").await;
        assert_eq!(
            (listed["items"][0]["name"].as_str(), listed["items"][0]["discount_percent"].as_i64()),
            (Some("VIP"), Some(15))
        );

        assert_eq!(
            actions(&w, &a).await,
            ["promo_code.create", "promo_code.deactivate", "promo_group.create"],
            "{backend:?}"
        );

        // Tenant B sees nothing, and its admin cannot reach A's code.
        assert!(w.api(&b, "/promocodes").await["items"].as_array().unwrap().is_empty());
        assert!(w.api(&b, "/promo-groups").await["items"].as_array().unwrap().is_empty());
        let home_b = w.panel(&b).await;
        let shown = forged_screen(&w, &b, ADMIN_B, home_b.message_id, &format!("pm:con:{id}")).await;
        assert!(shown.text.as_deref().unwrap().contains(&w.text("panel-promo-gone", &[])), "{shown:?}");
        assert!(!w.store.promo_codes().get(&a.t, PromoCodeId(id)).await.unwrap().is_active);
        assert!(actions(&w, &b).await.is_empty());

        // A customer forging the press is refused.
        let answered = w.forge(&a, CUSTOMER, groups.message_id, &format!("pm:con:{id}")).await;
        assert_eq!(answered.as_deref(), Some(w.text("button-stale", &[]).as_str()));
        assert!(!w.store.promo_codes().get(&a.t, PromoCodeId(id)).await.unwrap().is_active);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_answers_for_promo_codes_and_groups_are_explained_and_write_nothing() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let home = w.panel(&a).await;
        let promos = w.press(&a, &home, "panel-area-promos").await;
        let codes = w.press(&a, &promos, "panel-promo-codes").await;
        let kinds = w.press(&a, &codes, "panel-promo-new-code").await;
        w.press(&a, &kinds, "panel-promo-kind-discount").await;
        let not_number = w.text("panel-input-not-number", &[]);
        for (typed, expected) in [
            ("ab".to_owned(), w.text("panel-refused-code-shape", &[("min", 3.into()), ("max", 64.into())])),
            ("bad code!".to_owned(), w.text("panel-refused-code-shape", &[("min", 3.into()), ("max", 64.into())])),
            ("x".repeat(5000), w.text("panel-input-too-long", &[("max", 64.into())])),
        ] {
            let said = reply(&w, &a, &typed).await;
            let text = said.text.unwrap();
            assert!(text.contains(&expected) && text.contains("step 1 of 5"), "{backend:?} {typed:.20}: {text}");
        }
        reply(&w, &a, "OFF20").await;
        for (typed, expected) in [
            ("twenty", not_number.clone()),
            ("150", w.text("panel-input-range", &[("min", 1.into()), ("max", 100.into())])),
            ("0", w.text("panel-input-range", &[("min", 1.into()), ("max", 100.into())])),
        ] {
            let said = reply(&w, &a, typed).await;
            assert!(said.text.unwrap().contains(&expected), "{typed}");
        }
        reply(&w, &a, "20").await;
        let said = reply(&w, &a, "-1").await;
        assert!(
            said.text
                .unwrap()
                .contains(&w.text("panel-input-range", &[("min", 0.into()), ("max", 1_000_000_000.into())]))
        );
        reply(&w, &a, "0").await;
        let bad_date = w.text("panel-promo-bad-date", &[]);
        for typed in ["tomorrow", "2026-02-30", "99999-01-01"] {
            let said = reply(&w, &a, typed).await;
            assert!(said.text.unwrap().contains(&bad_date), "{typed}");
        }
        reply(&w, &a, "2030-01-10").await;
        // "Until" before "from": the domain's reason, and "until" is asked again.
        let said = reply(&w, &a, "2030-01-01").await;
        let text = said.text.unwrap();
        assert!(text.contains(&w.text("panel-refused-order", &[])) && text.contains("step 5 of 5"), "{text}");
        assert_eq!(w.store.promo_codes().count(&a.t).await.unwrap(), 0, "{backend:?}");
        reply(&w, &a, "2030-02-01").await;
        assert_eq!(w.store.promo_codes().count(&a.t).await.unwrap(), 1);

        // The same code again: the domain's refusal, and the code is asked again.
        let codes = w
            .press(
                &a,
                &w.tg.transcript(&a.token, ADMIN_A).into_iter().rev().find(|m| m.is_send()).unwrap(),
                "panel-back",
            )
            .await;
        let kinds = w.press(&a, &codes, "panel-promo-new-code").await;
        w.press(&a, &kinds, "panel-promo-kind-days").await;
        for typed in ["off20", "30", "1", "-"] {
            reply(&w, &a, typed).await;
        }
        let said = reply(&w, &a, "-").await;
        let text = said.text.unwrap();
        assert!(text.contains(&w.text("panel-refused-taken", &[])) && text.contains("step 1 of 5"), "{text}");
        assert_eq!(w.store.promo_codes().count(&a.t).await.unwrap(), 1);

        // Groups: a too long name, a percent out of range.
        let promos = w.press(&a, &said_cancel(&w, &a).await, "panel-back").await;
        let groups = w.press(&a, &promos, "panel-promo-groups").await;
        w.press(&a, &groups, "panel-promo-new-group").await;
        let said = reply(&w, &a, &"g".repeat(5000)).await;
        assert!(said.text.unwrap().contains(&w.text("panel-input-too-long", &[("max", 64.into())])));
        reply(&w, &a, "VIP").await;
        for (typed, expected) in
            [("101", w.text("panel-input-range", &[("min", 0.into()), ("max", 100.into())])), ("x", not_number.clone())]
        {
            let said = reply(&w, &a, typed).await;
            assert!(said.text.unwrap().contains(&expected), "{typed}");
        }
        assert_eq!(w.store.promo_groups().count(&a.t).await.unwrap(), 0);
        assert_eq!(actions(&w, &a).await, ["promo_code.create"], "{backend:?}");
        w.stop().await;
    }
}

/// Presses Cancel on the open question (which leads to the codes list).
async fn said_cancel(w: &super::World, shop: &super::Shop) -> remnabot_testkit::telegram::SentMessage {
    let last = w.tg.transcript(&shop.token, shop.admin).into_iter().rev().find(|m| m.is_send()).unwrap();
    w.press(shop, &last, "panel-cancel").await
}
