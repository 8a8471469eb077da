//! Who reaches the panel: only the tenant's admins, in their private chat, at every press.

use remnabot_store::testing;
use serde_json::json;

use super::{all_data, world};

const ADMIN_A: i64 = 720_000_001;
const ADMIN_B: i64 = 720_000_002;
const CUSTOMER: i64 = 720_100_001;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_typing_admin_or_its_label_gets_the_ordinary_unknown_command_answer() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        w.customer(&a, CUSTOMER).await;
        let unknown = w.text("unknown-command", &[]);
        let nonsense = w.say(&a, CUSTOMER, "/nonsense").await;
        assert_eq!(nonsense.text.as_deref(), Some(unknown.as_str()), "{backend:?}");
        for typed in [
            "/admin",
            "/admin@AlphaBot",
            &w.text("menu-admin", &[]),
            &w.texts.get(remnabot_domain::config::Language::Fa, "menu-admin", &[]),
        ] {
            let said = w.say(&a, CUSTOMER, typed).await;
            assert_eq!(said.text, nonsense.text, "{backend:?}: {typed} reveals nothing");
            assert_eq!(said.reply_markup, nonsense.reply_markup, "{typed}");
        }
        // The main menu has an Admin button for the admin only.
        let label = w.text("menu-admin", &[]);
        let has_admin = |m: &remnabot_testkit::telegram::SentMessage| {
            m.reply_markup.as_ref().is_some_and(|k| k.to_string().contains(&label))
        };
        let customer_menu = w.say(&a, CUSTOMER, "/start").await;
        assert!(customer_menu.reply_markup.is_some() && !has_admin(&customer_menu), "{customer_menu:?}");
        let admin_menu = w.say(&a, ADMIN_A, "/start").await;
        assert!(has_admin(&admin_menu), "{admin_menu:?}");
        // The admin's label opens the panel.
        let home = w.say(&a, ADMIN_A, &label).await;
        assert!(all_data(&home).contains(&"pd:show".to_owned()), "{home:?}");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forged_and_foreign_panel_presses_are_refused_and_change_nothing() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        w.customer(&a, CUSTOMER).await;
        let stale = w.text("button-stale", &[]);
        let home = w.panel(&a).await;

        // A customer replaying or forging panel data: the stale-button answer, no screen.
        let before = w.count(&a, CUSTOMER);
        for data in ["pd:show", "pn:home", "pd:nope", "pd:show:1"] {
            let answered = w.forge(&a, CUSTOMER, home.message_id, data).await;
            assert_eq!(answered.as_deref(), Some(stale.as_str()), "{backend:?} {data}");
        }
        assert_eq!(w.count(&a, CUSTOMER), before, "nothing was sent to the customer");

        // The admin of A in B's bot is a stranger there.
        w.customer(&b, ADMIN_A).await;
        let said = w.say(&b, ADMIN_A, "/admin").await;
        assert_eq!(said.text.as_deref(), Some(w.text("unknown-command", &[]).as_str()));
        let answered = w.forge(&b, ADMIN_A, said.message_id, "pd:show").await;
        assert_eq!(answered.as_deref(), Some(stale.as_str()), "{backend:?}");
        assert!(w.store.audit().list(&b.t, Default::default()).await.unwrap().is_empty());
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_admin_removed_while_a_screen_is_open_is_refused_at_the_next_press() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let home = w.panel(&a).await;
        let dashboard = w.press(&a, &home, "panel-area-dashboard").await;
        assert_eq!(dashboard.method, "editMessageText", "{backend:?}: {dashboard:?}");

        w.store.configs().set(&a.t, "admin_ids", json!([ADMIN_B])).await.unwrap();
        let before = w.count(&a, ADMIN_A);
        let answered = w.forge(&a, ADMIN_A, dashboard.message_id, "pn:home").await;
        assert_eq!(answered.as_deref(), Some(w.text("button-stale", &[]).as_str()), "{backend:?}");
        assert_eq!(w.count(&a, ADMIN_A), before, "the open screen is not changed");
        let said = w.say(&a, ADMIN_A, "/admin").await;
        assert_eq!(said.text.as_deref(), Some(w.text("unknown-command", &[]).as_str()));
        assert_eq!(w.state(&a, ADMIN_A).await, remnabot_bot::dialogue::DialogueState::Idle);
        w.stop().await;
    }
}
