//! Settings in the panel: each value set through its short dialogue is what the API reads
//! for that tenant only; a refused value shows the domain's reason and writes nothing.

use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_store::testing;
use serde_json::json;

use super::plans::{actions, reply};
use super::world;

const ADMIN_A: i64 = 720_500_001;
const ADMIN_B: i64 = 720_500_002;
const CUSTOMER: i64 = 720_510_001;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn settings_changed_in_the_panel_are_what_the_api_reads_for_that_tenant_only() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let home = w.panel(&a).await;
        let mut screen = w.press(&a, &home, "panel-area-settings").await;
        assert!(screen.text.as_deref().unwrap().contains("Referral reward: 0%"), "{backend:?}: {screen:?}");

        let chat = format!("{ADMIN_A} 720500009");
        for (button, typed, key, expected) in [
            ("panel-set-welcome", "Welcome to Alpha VPN!", "welcome_text", json!("Welcome to Alpha VPN!")),
            ("panel-set-languages", "EN, fa", "languages", json!(["en", "fa"])),
            ("panel-set-support", "@alpha_support", "support_contact", json!("@alpha_support")),
            ("panel-set-admins", &chat, "admin_ids", json!([ADMIN_A, 720_500_009])),
            ("panel-set-admin-chat", "-1001234567890", "admin_chat_id", json!(-1_001_234_567_890_i64)),
            ("panel-set-trial", "3 5 2", "trial", json!({"days": 3, "traffic_gb": 5, "device_limit": 2})),
            ("panel-set-card-minutes", "45", "card_payment_minutes", json!(45)),
            ("panel-set-review-hours", "۱۲", "receipt_review_hours", json!(12)),
            ("panel-set-referral", "15", "referral_percent", json!(15)),
        ] {
            let asked = w.press(&a, &screen, button).await;
            assert_eq!(asked.method, "editMessageText", "{button}");
            screen = reply(&w, &a, typed).await;
            assert!(screen.text.as_deref().unwrap().starts_with(&w.text("panel-saved", &[])), "{button}: {screen:?}");
            assert_eq!(w.api(&a, &format!("/config/{key}")).await["value"], expected, "{backend:?} {key}");
            assert_ne!(w.store.configs().get(&b.t, key).await.unwrap(), Some(expected), "{key} of B");
        }
        let text = screen.text.clone().unwrap();
        assert!(text.contains("Trial: 3 day(s) · 5 GB") && text.contains("Referral reward: 15%"), "{text}");

        // '-' removes a clearable setting: the default applies again.
        w.press(&a, &screen, "panel-set-support").await;
        let screen = reply(&w, &a, "-").await;
        assert_eq!(w.store.configs().support_contact(&a.t).await.unwrap(), None);

        // A feature switched off, as the API reads it; B keeps the default.
        let features = w.press(&a, &screen, "panel-set-features").await;
        let on = format!("✅ {}", w.text("panel-feature-trial", &[]));
        let off = format!("⛔ {}", w.text("panel-feature-trial", &[]));
        let switched = w.press_label(&a, ADMIN_A, &features, &on).await;
        assert!(switched.button_data(&off).is_some(), "{switched:?}");
        assert_eq!(w.api(&a, "/features/trial").await["enabled"], false);
        assert!(w.store.flags().is_enabled(&b.t, FeatureKey::Trial).await.unwrap());

        let log = actions(&w, &a).await;
        let expected: Vec<&str> =
            std::iter::repeat_n("config.set", 9).chain(["config.delete", "feature.set"]).collect();
        assert_eq!(log, expected, "{backend:?}");
        assert!(actions(&w, &b).await.is_empty());

        // A customer forging a switch is refused.
        w.customer(&a, CUSTOMER).await;
        let answered = w.forge(&a, CUSTOMER, switched.message_id, "ps:f:trial:1").await;
        assert_eq!(answered.as_deref(), Some(w.text("button-stale", &[]).as_str()));
        assert!(!w.store.flags().is_enabled(&a.t, FeatureKey::Trial).await.unwrap());
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_settings_show_the_domains_reason_and_write_nothing() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let home = w.panel(&a).await;
        let settings = w.press(&a, &home, "panel-area-settings").await;
        let not_number = w.text("panel-input-not-number", &[]);
        let refused = |reason: &str| w.text("panel-input-refused", &[("reason", reason.into())]);
        // The domain's refusals, in the admin's language with the domain's limits.
        let range = |min: i64, max: i64| w.text("panel-refused-range", &[("min", min.into()), ("max", max.into())]);
        let invalid = w.text("panel-refused-invalid", &[]);
        let cases: Vec<(&str, String, String)> = vec![
            (
                "panel-set-languages",
                "fa de".into(),
                refused(&w.text("panel-set-unknown-language", &[("code", "de".into())])),
            ),
            ("panel-set-languages", "fa fa".into(), w.text("panel-refused-repeated", &[])),
            ("panel-set-referral", "abc".into(), not_number.clone()),
            ("panel-set-referral", "101".into(), range(0, 100)),
            ("panel-set-referral", "-1".into(), range(0, 100)),
            ("panel-set-referral", "99999999999999999999999".into(), range(0, 100)),
            ("panel-set-card-minutes", "0".into(), range(1, 1440)),
            ("panel-set-review-hours", "1e3".into(), not_number.clone()),
            ("panel-set-trial", "1 2".into(), refused(&w.text("panel-set-trial-shape", &[]))),
            ("panel-set-trial", "95000000 1 1".into(), invalid.clone()),
            ("panel-set-trial", "1 x 1".into(), not_number.clone()),
            ("panel-set-admins", "720500009".into(), refused(&w.text("panel-set-admins-self", &[]))),
            ("panel-set-admins", format!("{ADMIN_A} -5"), invalid.clone()),
            ("panel-set-admin-chat", "0".into(), invalid.clone()),
            ("panel-set-welcome", "x".repeat(5000), w.text("panel-input-too-long", &[("max", 3000.into())])),
            ("panel-set-support", "@".repeat(5000), w.text("panel-input-too-long", &[("max", 256.into())])),
        ];
        let mut screen = settings;
        for (button, typed, expected) in cases {
            w.press(&a, &screen, button).await;
            let said = reply(&w, &a, &typed).await;
            let text = said.text.clone().unwrap();
            assert!(text.contains(&expected), "{backend:?} {button} {typed:.40}: {text}");
            // The question stays open; Cancel leads back to the settings.
            assert!(said.button_data(&w.text("panel-cancel", &[])).is_some(), "asked again: {said:?}");
            screen = w.press(&a, &said, "panel-cancel").await;
            assert!(screen.text.as_deref().unwrap().contains("Referral reward: 0%"), "{screen:?}");
        }
        // A Persian-speaking admin gets the answer in Persian.
        let admin = w.store.users().by_telegram_id(&a.t, remnabot_domain::TgUserId(ADMIN_A)).await.unwrap().unwrap();
        w.store.users().set_language(&a.t, admin.id, Language::Fa).await.unwrap();
        w.press_data(&a, ADMIN_A, &screen, "ps:set:lang").await;
        let said = reply(&w, &a, "DE").await;
        let unknown = w.texts.get(Language::Fa, "panel-set-unknown-language", &[("code", "de".into())]);
        let expected = w.texts.get(Language::Fa, "panel-input-refused", &[("reason", unknown.into())]);
        assert!(said.text.as_deref().unwrap().contains(&expected), "{said:?}");
        // And the domain's refusal of a value in Persian, its limits in Persian digits.
        let screen = w.press_data(&a, ADMIN_A, &said, "ps:home").await;
        w.press_data(&a, ADMIN_A, &screen, "ps:set:ref").await;
        let said = reply(&w, &a, "۱۵۰").await;
        let text = said.text.clone().unwrap();
        let expected = w.texts.get(Language::Fa, "panel-refused-range", &[("min", 0.into()), ("max", 100.into())]);
        assert!(text.contains(&expected) && text.contains("۱۰۰") && !text.contains("must be"), "{text}");

        assert!(actions(&w, &a).await.is_empty(), "{backend:?}: nothing written");
        assert_eq!(w.store.configs().admin_ids(&a.t).await.unwrap(), [ADMIN_A]);
        assert_eq!(w.store.configs().referral_percent(&a.t).await.unwrap(), 0);
        w.stop().await;
    }
}
