//! Plans in the panel: created through the guided dialogue, edited, hidden, moved and
//! deleted, each change visible through the API and in the audit log of that tenant only.

use remnabot_domain::{Page, PlanId, Toman};
use remnabot_store::testing;
use remnabot_store::transactions::{NewTransaction, TransactionKind};

use remnabot_testkit::telegram::SentMessage;

use super::{Shop, World, all_data, world};

const ADMIN_A: i64 = 720_300_001;
const ADMIN_B: i64 = 720_300_002;
const CUSTOMER: i64 = 720_310_001;

/// The audit log's actions of `shop`, oldest first.
pub(crate) async fn actions(w: &World, shop: &Shop) -> Vec<String> {
    let entries = w.store.audit().list(&shop.t, Page::new(200, 0)).await.unwrap();
    entries.into_iter().rev().map(|e| e.action).collect()
}

/// The admin answers the panel's open question with `text`; returns the next screen (a new
/// message), waiting also for the question's message to be deleted so the next step starts
/// from a settled chat.
pub(crate) async fn reply(w: &World, shop: &Shop, text: &str) -> SentMessage {
    let n = w.count(shop, shop.admin);
    w.tg.send_text(&shop.token, shop.admin, text);
    let sent = w.nth(shop, shop.admin, n).await;
    let deleted = w.nth(shop, shop.admin, n + 1).await;
    assert_eq!((sent.method.as_str(), deleted.method.as_str()), ("sendMessage", "deleteMessage"), "{text}");
    sent
}

/// `user` sends callback data that no button of `message` carries; returns the bot's next
/// entry in the chat (for an admin of this tenant, the screen it leads to).
pub(crate) async fn forged_screen(w: &World, shop: &Shop, user: i64, message: i64, data: &str) -> SentMessage {
    let n = w.count(shop, user);
    w.tg.press_button_unchecked(&shop.token, user, message, data).unwrap();
    w.nth(shop, user, n).await
}

/// Creates the plan `name` through the panel's dialogue from the plans list `list`; returns
/// the plan's page.
async fn create(w: &World, shop: &Shop, list: &SentMessage, name: &str) -> SentMessage {
    let asked = w.press(shop, list, "panel-plan-new").await;
    assert!(asked.text.as_deref().unwrap().contains(&w.text("panel-plan-ask-name", &[("max", 64.into())])));
    for answer in [name, "30", "0", "2"] {
        reply(w, shop, answer).await;
    }
    reply(w, shop, "150,000").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_plan_created_edited_and_moved_in_the_panel_is_what_the_api_shows_for_that_tenant_only() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let home = w.panel(&a).await;
        let list = w.press(&a, &home, "panel-area-plans").await;
        assert_eq!((list.method.as_str(), list.message_id), ("editMessageText", home.message_id), "{backend:?}");
        assert!(list.text.as_deref().unwrap().contains(&w.text("panel-plans-empty", &[])), "{list:?}");

        let page = create(&w, &a, &list, "Gold").await;
        // The last answer ended the dialogue: the same answer sent again creates nothing.
        assert_eq!(w.state(&a, ADMIN_A).await, remnabot_bot::dialogue::DialogueState::Idle, "{backend:?}");
        w.say(&a, ADMIN_A, "150,000").await;
        assert_eq!(w.store.plans().count(&a.t).await.unwrap(), 1, "{backend:?}");
        let text = page.text.clone().unwrap();
        assert!(text.contains(&w.text("panel-plan-created", &[("name", "Gold".into())])), "{text}");
        assert!(text.contains("Traffic: unlimited") && text.contains("150,000 Toman"), "{text}");
        let plans = w.api(&a, "/plans").await;
        assert_eq!(plans["items"].as_array().unwrap().len(), 1, "{plans}");
        let gold = &plans["items"][0];
        assert_eq!(
            (gold["name"].as_str(), gold["period_days"].as_i64(), gold["traffic_gb"].as_i64()),
            (Some("Gold"), Some(30), Some(0))
        );
        assert_eq!((gold["device_limit"].as_i64(), gold["price"].as_i64()), (Some(2), Some(150_000)));
        assert_eq!(gold["is_active"], true);
        let gold_id = gold["id"].as_i64().unwrap();

        // Edit the price; hide the plan; a second plan moved above the first.
        let asked = w.press(&a, &page, "panel-plan-edit-price").await;
        assert_eq!(asked.method, "editMessageText");
        let page = reply(&w, &a, "۲۰۰٬۰۰۰").await;
        assert!(page.text.as_deref().unwrap().contains("200,000 Toman"), "{page:?}");
        let page = w.press(&a, &page, "panel-plan-deactivate").await;
        assert!(page.text.as_deref().unwrap().contains(&w.text("panel-plan-hidden", &[])), "{page:?}");
        let list = w.press(&a, &page, "panel-back").await;
        let silver = create(&w, &a, &list, "Silver").await;
        let list = w.press(&a, &silver, "panel-plan-up").await;
        let text = list.text.clone().unwrap();
        assert!(text.find("1. Silver").unwrap() < text.find("2. Gold").unwrap(), "{text}");
        let plans = w.api(&a, "/plans").await;
        let names: Vec<&str> = plans["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Silver", "Gold"], "{backend:?}");
        assert_eq!(plans["items"][1]["price"], 200_000);
        assert_eq!(plans["items"][1]["is_active"], false);

        let log = actions(&w, &a).await;
        assert_eq!(log, ["plan.create", "plan.update", "plan.deactivate", "plan.create", "plan.move"], "{backend:?}");
        let entry = &w.store.audit().list(&a.t, Page::new(1, 0)).await.unwrap()[0];
        assert_eq!(entry.actor, remnabot_store::audit::Actor::Admin(remnabot_domain::TgUserId(ADMIN_A)));

        // The other tenant has none of it, and its admin cannot reach A's plan by its id.
        assert!(w.api(&b, "/plans").await["items"].as_array().unwrap().is_empty());
        for data in [format!("pp:show:{gold_id}"), format!("pp:rm:{gold_id}"), format!("pp:on:{gold_id}")] {
            let home_b = w.panel(&b).await;
            let shown = forged_screen(&w, &b, ADMIN_B, home_b.message_id, &data).await;
            assert!(shown.text.as_deref().unwrap().contains(&w.text("panel-plan-gone", &[])), "{data}: {shown:?}");
        }
        assert!(actions(&w, &b).await.is_empty());
        assert!(!w.store.plans().get(&a.t, PlanId(gold_id)).await.unwrap().is_active);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deleting_a_plan_asks_first_and_a_plan_in_use_is_hidden_instead_with_the_reason() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let home = w.panel(&a).await;
        let list = w.press(&a, &home, "panel-area-plans").await;
        let page = create(&w, &a, &list, "Gold").await;
        let id = w.store.plans().list(&a.t, false, Page::default()).await.unwrap()[0].id;

        // Cancel keeps it; Confirm deletes it.
        let ask = w.press(&a, &page, "panel-plan-delete").await;
        assert!(ask.text.as_deref().unwrap().contains(&w.text("panel-plan-delete-ask", &[("name", "Gold".into())])));
        let page = w.press(&a, &ask, "panel-cancel").await;
        assert!(w.store.plans().get(&a.t, id).await.is_ok(), "{backend:?}");
        let ask = w.press(&a, &page, "panel-plan-delete").await;
        let list = w.press(&a, &ask, "panel-confirm").await;
        assert!(list.text.as_deref().unwrap().contains(&w.text("panel-plan-deleted", &[("name", "Gold".into())])));
        assert!(w.api(&a, "/plans").await["items"].as_array().unwrap().is_empty());

        // A plan someone bought is hidden, not deleted, and the admin is told why.
        let page = create(&w, &a, &list, "Silver").await;
        let id = w.store.plans().list(&a.t, false, Page::default()).await.unwrap()[0].id;
        let buyer = w.customer(&a, CUSTOMER).await;
        let sale = NewTransaction {
            user: buyer.id,
            kind: TransactionKind::Purchase,
            amount: Toman(150_000),
            payment_method: Some("balance".to_owned()),
            description: None,
            external_id: None,
            completed: true,
            plan: Some(id),
        };
        w.store.transactions().create(&a.t, sale).await.unwrap();
        let ask = w.press(&a, &page, "panel-plan-delete").await;
        let shown = w.press(&a, &ask, "panel-confirm").await;
        let text = shown.text.clone().unwrap();
        let why = w.text(
            "panel-plan-hidden-instead",
            &[("name", "Silver".into()), ("subscriptions", 0.into()), ("orders", 1.into())],
        );
        assert!(text.contains(&why), "{text}");
        assert!(text.contains("sales: 1"), "{text}");
        let plan = &w.api(&a, "/plans").await["items"][0];
        assert_eq!((plan["name"].as_str(), plan["is_active"].as_bool()), (Some("Silver"), Some(false)));
        assert_eq!(
            actions(&w, &a).await,
            ["plan.create", "plan.delete", "plan.create", "plan.deactivate"],
            "{backend:?}"
        );

        // A customer forging the confirmation changes nothing.
        let answered = w.forge(&a, CUSTOMER, shown.message_id, &format!("pp:rm:{id}")).await;
        assert_eq!(answered.as_deref(), Some(w.text("button-stale", &[]).as_str()));
        assert!(w.store.plans().get(&a.t, id).await.is_ok());
        assert!(all_data(&shown).contains(&format!("pp:on:{id}")), "{shown:?}");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_answers_in_the_plan_dialogue_are_explained_and_write_nothing() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let home = w.panel(&a).await;
        let list = w.press(&a, &home, "panel-area-plans").await;
        w.press(&a, &list, "panel-plan-new").await;

        let too_long = w.text("panel-input-too-long", &[("max", 64.into())]);
        let said = reply(&w, &a, &"x".repeat(5000)).await;
        assert!(said.text.as_deref().unwrap().contains(&too_long), "{backend:?}: {said:?}");
        let said = reply(&w, &a, "   ").await;
        assert!(said.text.as_deref().unwrap().contains(&w.text("panel-input-empty", &[])), "{said:?}");
        reply(&w, &a, "Gold").await;
        let not_number = w.text("panel-input-not-number", &[]);
        let range = w.text("panel-input-range", &[("min", 1.into()), ("max", 3650.into())]);
        for (typed, expected) in [
            ("thirty", &not_number),
            ("3.5", &not_number),
            ("-5", &range),
            ("0", &range),
            ("99999999999999999999999", &range),
            ("95000000", &range),
        ] {
            let said = reply(&w, &a, typed).await;
            assert!(said.text.as_deref().unwrap().contains(expected.as_str()), "{typed}: {said:?}");
            assert!(said.text.as_deref().unwrap().contains("step 2 of 5"), "the same question: {said:?}");
        }
        reply(&w, &a, "30").await;
        let said = reply(&w, &a, "-1").await;
        let gb_range = w.text("panel-input-range", &[("min", 0.into()), ("max", 1_000_000.into())]);
        assert!(said.text.as_deref().unwrap().contains(&gb_range), "{said:?}");
        reply(&w, &a, "10").await;
        reply(&w, &a, "1001").await;
        reply(&w, &a, "1").await;
        let said = reply(&w, &a, "0").await;
        let price_range = w.text("panel-input-range", &[("min", 1.into()), ("max", 1_000_000_000_000_i64.into())]);
        assert!(said.text.as_deref().unwrap().contains(&price_range), "{said:?}");
        assert_eq!(w.store.plans().count(&a.t).await.unwrap(), 0, "{backend:?}: nothing written yet");
        assert!(actions(&w, &a).await.is_empty());

        // A duplicate name is the domain's refusal, and the name is asked again.
        let page = reply(&w, &a, "1000").await;
        let list = w.press(&a, &page, "panel-back").await;
        w.press(&a, &list, "panel-plan-new").await;
        for answer in ["Gold", "30", "0", "1"] {
            reply(&w, &a, answer).await;
        }
        let said = reply(&w, &a, "1000").await;
        let text = said.text.clone().unwrap();
        assert!(text.contains(&w.text("panel-refused-taken", &[])), "{text}");
        assert!(text.contains("step 1 of 5"), "{text}");
        assert_eq!(w.store.plans().count(&a.t).await.unwrap(), 1);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_plans_list_is_paged_with_its_total_and_a_moved_plan_stays_in_view() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        for n in 1..=12 {
            let spec = remnabot_store::plans::PlanSpec {
                name: format!("Plan {n:02}"),
                description: None,
                period_days: 30,
                traffic_gb: 10,
                device_limit: 1,
                price: Toman(1000 * n),
                sort_order: i32::try_from(n).unwrap() * 10,
            };
            w.store.plans().create(&a.t, spec).await.unwrap();
        }
        let home = w.panel(&a).await;
        let first = w.press(&a, &home, "panel-area-plans").await;
        let text = first.text.clone().unwrap();
        assert!(text.contains("Page 1 of 2 · 12 in total"), "{backend:?}: {text}");
        assert!(text.contains("10. Plan 10") && !text.contains("Plan 11"), "{text}");
        let second = w.press(&a, &first, "panel-next").await;
        let text = second.text.clone().unwrap();
        assert!(text.contains("Page 2 of 2") && text.contains("11. Plan 11") && text.contains("12. Plan 12"), "{text}");
        assert!(second.button_data(&w.text("panel-previous", &[])).is_some());

        // Plan 11 moved up lands 10th, on the first page, which is shown; moved down again,
        // the second page is shown.
        let id = w.store.plans().list(&a.t, false, Page::new(1, 10)).await.unwrap()[0].id;
        let moved = forged_screen(&w, &a, ADMIN_A, second.message_id, &format!("pp:up:{id}")).await;
        assert!(moved.text.as_deref().unwrap().contains("10. Plan 11"), "{moved:?}");
        let moved = forged_screen(&w, &a, ADMIN_A, moved.message_id, &format!("pp:down:{id}")).await;
        let text = moved.text.clone().unwrap();
        assert!(text.contains("Page 2 of 2") && text.contains("11. Plan 11"), "{text}");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_persian_speaking_admin_is_refused_a_duplicate_plan_name_in_persian() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let admin = w.store.users().by_telegram_id(&a.t, remnabot_domain::TgUserId(ADMIN_A)).await.unwrap().unwrap();
        w.store.users().set_language(&a.t, admin.id, remnabot_domain::config::Language::Fa).await.unwrap();
        let home = w.panel(&a).await;
        let list = w.press_data(&a, ADMIN_A, &home, "pp:list:0").await;
        w.press_data(&a, ADMIN_A, &list, "pp:new").await;
        for answer in ["Gold", "30", "0", "1"] {
            reply(&w, &a, answer).await;
        }
        let page = reply(&w, &a, "1000").await;
        let list = w.press_data(&a, ADMIN_A, &page, "pp:list:0").await;
        w.press_data(&a, ADMIN_A, &list, "pp:new").await;
        for answer in ["Gold", "۳۰", "0", "1"] {
            reply(&w, &a, answer).await;
        }
        let said = reply(&w, &a, "1000").await;
        let text = said.text.clone().unwrap();
        let taken = w.texts.get(remnabot_domain::config::Language::Fa, "panel-refused-taken", &[]);
        assert!(text.contains(&taken) && !text.contains("already"), "{backend:?}: {text}");
        assert_eq!(w.store.plans().count(&a.t).await.unwrap(), 1, "{backend:?}");
        w.stop().await;
    }
}
