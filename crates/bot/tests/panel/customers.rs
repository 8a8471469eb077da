//! Customers: search, a customer's page and every action on it, once per confirmation, for
//! this tenant only.

use chrono::{Duration, Utc};
use remnabot_domain::{Page, Toman, UserId};
use remnabot_store::outbox::PanelLink;
use remnabot_store::plans::PlanSpec;
use remnabot_store::promos::PromoGroupSpec;
use remnabot_store::testing;
use remnabot_testkit::telegram::SentMessage;
use serde_json::json;

use super::{Shop, World, all_data, world};

const ADMIN_A: i64 = 720_300_001;
const ADMIN_B: i64 = 720_300_002;
const CUSTOMER: i64 = 720_310_001;

/// The callback data on `msg` starting with `prefix`.
pub(crate) fn data_with(msg: &SentMessage, prefix: &str) -> String {
    all_data(msg)
        .into_iter()
        .find(|d| d.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} button on {:?}: {:?}", msg.text, all_data(msg)))
}

/// The admin opens the customer `tg`'s page by searching for their @username.
async fn open_customer(w: &World, shop: &Shop, tg: i64) -> SentMessage {
    let home = w.panel(shop).await;
    let ask = w.press(shop, &home, "panel-area-customers").await;
    assert_eq!(ask.method, "editMessageText", "{ask:?}");
    assert!(ask.text.as_deref().unwrap().contains("Send a Telegram id"), "{ask:?}");
    let results = w.reply(shop, &format!("@user{tg}")).await;
    assert!(results.text.as_deref().unwrap().contains("1 in total"), "{results:?}");
    let page = w.press_label(shop, shop.admin, &results, &format!("User{tg} (@user{tg}) · {tg}")).await;
    assert_eq!(page.method, "editMessageText", "{page:?}");
    page
}

async fn api_user(w: &World, shop: &Shop, id: UserId) -> serde_json::Value {
    w.api(shop, &format!("/users/{}", id.0)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_balance_credit_asked_step_by_step_applies_once_however_often_confirm_is_pressed() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let c = w.customer(&a, CUSTOMER).await;
        let c_in_b = w.customer(&b, CUSTOMER).await;
        let page = open_customer(&w, &a, CUSTOMER).await;
        assert!(page.text.as_deref().unwrap().contains("balance 0 Toman"), "{page:?}");

        let ask = w.press(&a, &page, "panel-cu-credit").await;
        assert!(ask.text.as_deref().unwrap().contains("How many Toman to credit"), "{ask:?}");
        // Bad amounts: a clear answer, the question asked again, nothing written.
        for (typed, expected) in [
            ("fifty", "Please send a whole number"),
            ("-5", "must be from"),
            ("0", "must be from"),
            ("99999999999999999999999", "must be from"),
            ("1000000000001", "must be from"),
        ] {
            let again = w.reply(&a, typed).await;
            let text = again.text.as_deref().unwrap();
            assert!(text.contains(expected) && text.contains("How many Toman"), "{backend:?} {typed}: {text}");
        }
        let reason = w.reply(&a, "50,000").await;
        assert!(reason.text.as_deref().unwrap().contains("Why 50,000 Toman?"), "{reason:?}");
        let too_long = w.reply(&a, &"x".repeat(5000)).await;
        assert!(too_long.text.as_deref().unwrap().contains("at most 1,000 characters"), "{too_long:?}");
        let confirm = w.reply(&a, "goodwill").await;
        let text = confirm.text.clone().unwrap();
        assert!(text.contains("Credit 50,000 Toman to User720310001") && text.contains("goodwill"), "{text}");
        assert_eq!(api_user(&w, &a, c.id).await["balance"], 0, "nothing before Confirm");

        let yes = data_with(&confirm, "pcu:bok:");
        let done = w.press_data(&a, a.admin, &confirm, &yes).await;
        assert!(done.text.as_deref().unwrap().contains("Done. Balance now: 50,000 Toman"), "{done:?}");
        // The same Confirm again: refused, nothing posted.
        let (again, done) = w.forge_screen(&a, a.admin, confirm.message_id, &yes).await;
        assert_eq!(again.as_deref(), Some(w.text("panel-confirmation-used", &[]).as_str()), "{backend:?}");
        assert!(done.text.as_deref().unwrap().contains("balance 50,000 Toman"), "{done:?}");

        assert_eq!(api_user(&w, &a, c.id).await["balance"], 50_000, "{backend:?}");
        let ledger = w.api(&a, &format!("/users/{}/ledger", c.id.0)).await;
        assert_eq!(ledger["items"].as_array().unwrap().len(), 1, "{ledger}");
        assert_eq!(ledger["items"][0]["description"], "goodwill");
        let audit = w.store.audit().list(&a.t, Page::default()).await.unwrap();
        assert_eq!(audit.iter().filter(|e| e.action == "user.balance").count(), 1, "{audit:?}");
        // The same Telegram user in the other tenant is untouched.
        assert_eq!(api_user(&w, &b, c_in_b.id).await["balance"], 0);
        assert!(w.store.audit().list(&b.t, Page::default()).await.unwrap().is_empty());

        // A debit past the balance is refused by the ledger with a clear answer.
        let _ = w.press(&a, &done, "panel-cu-debit").await;
        let _ = w.reply(&a, "100000").await;
        let confirm = w.reply(&a, "too much").await;
        let refused = w.press_data(&a, a.admin, &confirm, &data_with(&confirm, "pcu:bok:")).await;
        assert!(refused.text.as_deref().unwrap().contains("cannot go that low"), "{backend:?} {refused:?}");
        assert_eq!(api_user(&w, &a, c.id).await["balance"], 50_000);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_presses_of_one_confirmation_credit_once() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let c = w.customer(&a, CUSTOMER).await;
        let page = open_customer(&w, &a, CUSTOMER).await;
        let _ = w.press(&a, &page, "panel-cu-credit").await;
        let _ = w.reply(&a, "7000").await;
        let confirm = w.reply(&a, "refund for an outage").await;
        let yes = data_with(&confirm, "pcu:bok:");
        let ids: Vec<String> =
            (0..20).map(|_| w.tg.press_button(&a.token, a.admin, confirm.message_id, &yes).unwrap()).collect();
        for id in &ids {
            w.answer(&a, id).await;
        }
        assert_eq!(api_user(&w, &a, c.id).await["balance"], 7_000, "{backend:?}");
        let ledger = w.store.balances().history(&a.t, c.id, Page::default()).await.unwrap();
        assert_eq!(ledger.len(), 1, "{backend:?}: {ledger:?}");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn subscription_changes_go_through_the_provisioning_outbox_once_per_confirmation() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let c = w.customer(&a, CUSTOMER).await;
        let spec = PlanSpec {
            name: "Gold".into(),
            description: None,
            period_days: 30,
            traffic_gb: 50,
            device_limit: 2,
            price: Toman(150_000),
            sort_order: 0,
        };
        w.store.plans().create(&a.t, spec).await.unwrap();
        let page = open_customer(&w, &a, CUSTOMER).await;
        assert!(page.text.as_deref().unwrap().contains("No subscription"), "{page:?}");
        assert!(!all_data(&page).iter().any(|d| d.starts_with("pcu:ext:")), "no subscription, no Extend");

        let plans = w.press(&a, &page, "panel-cu-grant").await;
        let confirm = w.press_label(&a, a.admin, &plans, "Gold · 30 d").await;
        assert!(confirm.text.as_deref().unwrap().contains("Grant Gold (30 days)"), "{confirm:?}");
        let yes = data_with(&confirm, "pcu:gok:");
        let done = w.press_data(&a, a.admin, &confirm, &yes).await;
        assert!(done.text.as_deref().unwrap().contains("Granted"), "{done:?}");
        // Pressed again (a stale client, a double tap): the same key, nothing new.
        let (_, done) = w.forge_screen(&a, a.admin, confirm.message_id, &yes).await;
        assert!(done.text.as_deref().unwrap().contains(&w.text("panel-already-done", &[])), "{done:?}");
        let subs = w.api(&a, &format!("/subscriptions?user_id={}", c.id.0)).await;
        assert_eq!(subs["items"].as_array().unwrap().len(), 1, "{backend:?}: {subs}");
        let queued = w.store.provisioning().list(&a.t, None, Page::default()).await.unwrap();
        assert_eq!(queued.len(), 1, "{backend:?}: provisioned once: {queued:?}");
        let expires: chrono::DateTime<Utc> = serde_json::from_value(subs["items"][0]["expires_at"].clone()).unwrap();
        assert!(expires < Utc::now() + Duration::days(31), "extended once: {expires}");
        // The worker provisions it on the panel.
        let link = PanelLink { id: 77, uuid: None, subscription_url: "https://sub.example/s/QwErTy".into() };
        w.store.provisioning().complete(&a.t, queued[0].id, &link, None, Utc::now()).await.unwrap();

        // Extend by a typed number of days (bad numbers first).
        let page = done;
        let ask = w.press(&a, &page, "panel-cu-extend").await;
        assert!(ask.text.as_deref().unwrap().contains("how many days"), "{ask:?}");
        let bad = w.reply(&a, "ten").await;
        assert!(bad.text.as_deref().unwrap().contains("whole number"), "{bad:?}");
        let bad = w.reply(&a, "4000").await;
        assert!(bad.text.as_deref().unwrap().contains("from 1 to 3,650"), "{bad:?}");
        let confirm = w.reply(&a, "10").await;
        let done = w.press_data(&a, a.admin, &confirm, &data_with(&confirm, "pcu:xok:")).await;
        assert!(done.text.as_deref().unwrap().contains("Extended"), "{done:?}");
        let sub = &w.api(&a, &format!("/subscriptions?user_id={}", c.id.0)).await["items"][0];
        let extended: chrono::DateTime<Utc> = serde_json::from_value(sub["expires_at"].clone()).unwrap();
        assert_eq!(extended - expires, Duration::days(10), "{backend:?}");

        // Device and traffic limits, a traffic reset, disable.
        let ask = w.press(&a, &done, "panel-cu-devices-button").await;
        let _ = ask;
        let confirm = w.reply(&a, "3").await;
        let done = w.press_data(&a, a.admin, &confirm, &data_with(&confirm, "pcu:dok:")).await;
        let _ = w.press(&a, &done, "panel-cu-traffic-button").await;
        let confirm = w.reply(&a, "0").await;
        assert!(confirm.text.as_deref().unwrap().contains("to 0 GB (0 = unlimited)"), "{confirm:?}");
        let done = w.press_data(&a, a.admin, &confirm, &data_with(&confirm, "pcu:tok:")).await;
        let confirm = w.press(&a, &done, "panel-cu-reset").await;
        let done = w.press_data(&a, a.admin, &confirm, &data_with(&confirm, "pcu:rok:")).await;
        assert!(done.text.as_deref().unwrap().contains("Traffic reset"), "{done:?}");
        let confirm = w.press(&a, &done, "panel-cu-disable").await;
        let done = w.press_data(&a, a.admin, &confirm, &data_with(&confirm, "pcu:eok:")).await;
        assert!(done.text.as_deref().unwrap().contains("Subscription disabled"), "{done:?}");
        let sub = &w.api(&a, &format!("/subscriptions?user_id={}", c.id.0)).await["items"][0];
        assert_eq!(sub["device_limit"], 3, "{sub}");
        assert_eq!(sub["traffic_limit_bytes"], 0, "{sub}");
        assert_eq!(sub["status"], "disabled", "{sub}");
        assert!(done.buttons().iter().any(|b| b.text == w.text("panel-cu-enable", &[])), "{done:?}");
        let queued = w.store.provisioning().list(&a.t, None, Page::default()).await.unwrap();
        assert_eq!(queued.len(), 6, "grant, extend, devices, traffic, reset, disable: {queued:?}");

        // The other tenant has no subscription and nothing queued.
        assert!(w.api(&b, "/subscriptions").await["items"].as_array().unwrap().is_empty());
        assert!(w.store.provisioning().list(&b.t, None, Page::default()).await.unwrap().is_empty());
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn block_promo_group_and_message_reach_the_store_and_bad_messages_are_refused() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let c = w.customer(&a, CUSTOMER).await;
        let vip = PromoGroupSpec { name: "VIP".into(), discount_percent: 15 };
        let group = w.store.promo_groups().create(&a.t, vip).await.unwrap();

        let page = open_customer(&w, &a, CUSTOMER).await;
        let confirm = w.press(&a, &page, "panel-cu-block").await;
        assert!(confirm.text.as_deref().unwrap().starts_with("Block User720310001"), "{confirm:?}");
        // Cancel changes nothing; Confirm blocks.
        let page = w.press(&a, &confirm, "panel-cancel").await;
        assert_eq!(api_user(&w, &a, c.id).await["is_blocked"], false);
        let confirm = w.press(&a, &page, "panel-cu-block").await;
        let page = w.press(&a, &confirm, "panel-confirm").await;
        assert!(page.text.as_deref().unwrap().contains("The customer is blocked"), "{page:?}");
        assert_eq!(api_user(&w, &a, c.id).await["is_blocked"], true, "{backend:?}");

        let groups = w.press(&a, &page, "panel-cu-group-button").await;
        let page = w.press_label(&a, a.admin, &groups, "VIP · 15%").await;
        assert_eq!(api_user(&w, &a, c.id).await["promo_group"], group.id.0, "{backend:?}");
        assert!(page.text.as_deref().unwrap().contains("Promo group: VIP"), "{page:?}");

        let ask = w.press(&a, &page, "panel-cu-message").await;
        let _ = ask;
        let refused = w.reply(&a, &"ж".repeat(5000)).await;
        assert!(refused.text.as_deref().unwrap().contains("at most 4,096 characters"), "{refused:?}");
        let page = w.reply(&a, "Your subscription is ready").await;
        assert!(page.text.as_deref().unwrap().contains("The message is on its way"), "{page:?}");
        let queued = w.store.notifications().list(&a.t, None, Page::default()).await.unwrap();
        let to_customer: Vec<_> = queued.iter().filter(|n| n.chat_id == CUSTOMER).collect();
        assert_eq!(to_customer.len(), 1, "{queued:?}");
        assert_eq!(to_customer[0].text, "Your subscription is ready");
        let actions: Vec<String> =
            w.store.audit().list(&a.t, Page::default()).await.unwrap().into_iter().map(|e| e.action).collect();
        for expected in ["user.block", "user.promo_group", "user.message"] {
            assert!(actions.iter().any(|a| a == expected), "{expected} in {actions:?}");
        }
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn search_finds_by_id_name_and_link_and_pages_results_within_the_tenant() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        for i in 0..12 {
            w.customer(&a, CUSTOMER + i).await;
        }
        w.customer(&b, CUSTOMER + 100).await;
        let c = w.customer(&a, CUSTOMER + 50).await;
        let spec = PlanSpec {
            name: "Gold".into(),
            description: None,
            period_days: 30,
            traffic_gb: 0,
            device_limit: 1,
            price: Toman(1000),
            sort_order: 0,
        };
        let plan = w.store.plans().create(&a.t, spec).await.unwrap();
        let granted = w.store.changes(remnabot_store::audit::Actor::Operator);
        let p = granted.grant(&a.t, c.id, plan.id, "test:grant", Utc::now()).await.unwrap();
        let link = PanelLink { id: 77, uuid: None, subscription_url: "https://sub.example/s/QwErTy12345".into() };
        w.store.provisioning().complete(&a.t, p.entry.id, &link, None, Utc::now()).await.unwrap();

        let home = w.panel(&a).await;
        let _ = w.press(&a, &home, "panel-area-customers").await;
        // 13 customers of A match "User72031" (and none of B's): two pages.
        let first = w.reply(&a, "user72031").await;
        assert!(first.text.as_deref().unwrap().contains("Page 1 of 2 · 13 in total"), "{backend:?} {first:?}");
        let second = w.press(&a, &first, "panel-next").await;
        assert!(second.text.as_deref().unwrap().contains("Page 2 of 2"), "{second:?}");
        assert!(!second.text.as_deref().unwrap().contains(&(CUSTOMER + 100).to_string()));
        // A Telegram id finds exactly that customer; B's customer is not found from A.
        let by_id = w.reply(&a, &(CUSTOMER + 50).to_string()).await;
        assert!(by_id.text.as_deref().unwrap().contains("1 in total"), "{by_id:?}");
        let other = w.reply(&a, &(CUSTOMER + 100).to_string()).await;
        assert!(other.text.as_deref().unwrap().contains("No customer matches"), "{other:?}");
        // A piece of the subscription link, in any case.
        let by_link = w.reply(&a, "qwerty123").await;
        assert!(by_link.text.as_deref().unwrap().contains("1 in total"), "{backend:?} {by_link:?}");
        assert!(by_link.buttons().iter().any(|b| b.text.contains(&(CUSTOMER + 50).to_string())), "{by_link:?}");
        let empty = w.reply(&a, &"q".repeat(65)).await;
        assert!(empty.text.as_deref().unwrap().contains("1 to 64 characters"), "{empty:?}");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn other_tenants_ids_forged_presses_and_removed_admins_change_nothing() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        w.customer(&a, CUSTOMER).await;
        let theirs = w.customer(&b, CUSTOMER + 1).await;
        let spec = PlanSpec {
            name: "Beta Gold".into(),
            description: None,
            period_days: 30,
            traffic_gb: 0,
            device_limit: 1,
            price: Toman(1000),
            sort_order: 0,
        };
        let plan_b = w.store.plans().create(&b.t, spec).await.unwrap();
        let home = w.panel(&a).await;
        let not_found = w.text("panel-not-found", &[]);
        let u = theirs.id.0;
        for data in [
            format!("pcu:u:{u}"),
            format!("pcu:blky:{u}:1"),
            format!("pcu:cr:{u}"),
            format!("pcu:gok:{u}:{}:ABCDEFGHIJ", plan_b.id.0),
            format!("pcu:pgs:{u}:0"),
            format!("pcu:msg:{u}"),
        ] {
            let answered = w.forge(&a, a.admin, home.message_id, &data).await;
            assert_eq!(answered.as_deref(), Some(not_found.as_str()), "{backend:?} {data}");
        }
        let user_b = w.api(&b, &format!("/users/{u}")).await;
        assert_eq!((user_b["is_blocked"].clone(), user_b["balance"].clone()), (json!(false), json!(0)));
        assert!(w.api(&b, "/subscriptions").await["items"].as_array().unwrap().is_empty());
        assert!(w.store.audit().list(&b.t, Page::default()).await.unwrap().is_empty());
        assert!(w.store.audit().list(&a.t, Page::default()).await.unwrap().is_empty());

        // A customer forging the admin's buttons: the stale answer, nothing changes.
        let mine = w.store.users().by_telegram_id(&a.t, remnabot_domain::TgUserId(CUSTOMER)).await.unwrap().unwrap();
        let stale = w.text("button-stale", &[]);
        for data in [format!("pcu:blky:{}:1", mine.id.0), format!("pcu:u:{}", mine.id.0), "pcu:find".to_owned()] {
            let answered = w.forge(&a, CUSTOMER, home.message_id, &data).await;
            assert_eq!(answered.as_deref(), Some(stale.as_str()), "{data}");
        }
        assert_eq!(w.api(&a, &format!("/users/{}", mine.id.0)).await["is_blocked"], false);

        // An admin removed while a confirmation is open: Confirm is refused.
        let page = open_customer(&w, &a, CUSTOMER).await;
        let _ = w.press(&a, &page, "panel-cu-credit").await;
        let _ = w.reply(&a, "1000").await;
        let confirm = w.reply(&a, "test").await;
        let yes = data_with(&confirm, "pcu:bok:");
        w.store.configs().set(&a.t, "admin_ids", json!([ADMIN_B])).await.unwrap();
        let answered = w.forge(&a, a.admin, confirm.message_id, &yes).await;
        assert_eq!(answered.as_deref(), Some(stale.as_str()), "{backend:?}");
        assert_eq!(w.api(&a, &format!("/users/{}", mine.id.0)).await["balance"], 0);
        w.stop().await;
    }
}
