//! The operator's Resellers area in the master bot: adding a reseller from its BotFather
//! token, refusing a bad or taken token, deactivating, deleting after two confirmations, and
//! nobody but the operator in the master bot seeing or pressing any of it.

use std::time::{Duration, Instant};

use remnabot_domain::BotId;
use remnabot_store::testing;
use remnabot_testkit::telegram::SentMessage;
use secrecy::{ExposeSecret, SecretString};

use super::plans::forged_screen;
use super::{Shop, World, all_data, world_with_operators};

const OPERATOR: i64 = 720_900_001;
/// An admin of the master bot who is not the operator.
const MASTER_ADMIN: i64 = 720_900_002;
const SHOP_ADMIN: i64 = 720_900_003;
const CUSTOMER: i64 = 720_910_001;

/// The operator opens Resellers and adds the reseller `token` named `name`; returns the
/// screen after the token message.
async fn add(w: &World, m: &Shop, token: &str, name: &str) -> SentMessage {
    let home = w.panel(m).await;
    let list = w.press(m, &home, "panel-area-resellers").await;
    let asked = w.press(m, &list, "panel-rs-add").await;
    assert!(asked.text.as_deref().unwrap().contains("@BotFather"), "{asked:?}");
    send_token(w, m, &format!("{token} {name}")).await
}

/// The operator answers the token question with `text`: the message is deleted, the next
/// screen sent and the question's message deleted. Returns the screen.
async fn send_token(w: &World, m: &Shop, text: &str) -> SentMessage {
    let n = w.count(m, m.admin);
    w.tg.send_text(&m.token, m.admin, text);
    let all = w.tg.wait_for_messages(&m.token, m.admin, n + 3, super::WAIT).await;
    let methods: Vec<&str> = all[n..].iter().map(|s| s.method.as_str()).collect();
    assert_eq!(methods, ["deleteMessage", "sendMessage", "deleteMessage"], "{text}");
    all[n + 1].clone()
}

/// No message left in the operator's chat with the master bot carries `token`.
fn token_gone_from_chat(w: &World, m: &Shop, token: &str) {
    let deleted: Vec<i64> =
        w.tg.calls_of(&m.token, "deleteMessage").iter().filter_map(|c| c["message_id"].as_i64()).collect();
    assert!(!deleted.is_empty());
    for id in 1..=200 {
        if let Some(msg) = w.tg.message(&m.token, m.admin, id) {
            assert!(!msg.to_string().contains(token), "message {id} still shows the token: {msg}");
        }
    }
}

fn api_token_in(screen: &SentMessage) -> String {
    let text = screen.text.clone().unwrap();
    let token = text.split_whitespace().find(|w| w.starts_with("rbt_")).map(str::to_owned);
    token.unwrap_or_else(|| panic!("no API token on {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_operator_adds_a_reseller_that_answers_start_within_two_seconds_and_the_token_message_is_deleted() {
    for backend in testing::backends() {
        let w = world_with_operators(backend, &[OPERATOR]).await;
        let m = w.master(&[OPERATOR]).await;
        let token = testing::telegram_token();
        let token = token.expose_secret().to_owned();
        w.tg.add_bot(&token);
        let created = add(&w, &m, &token, "Ali VPN").await;
        let started = Instant::now();
        let text = created.text.clone().unwrap();
        assert!(text.contains("Ali VPN") && text.contains("shown only now"), "{backend:?}: {text}");
        let api_token = api_token_in(&created);

        // Its bot answers /start within 2 seconds.
        w.tg.send_text(&token, CUSTOMER, "/start");
        let answered = w.tg.wait_for_messages(&token, CUSTOMER, 1, Duration::from_secs(2)).await;
        assert!(!answered.is_empty(), "{backend:?}: no answer to /start within 2 s");
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());

        // The token is gone from the chat; the reseller exists with its name and its API
        // token works for its own bot.
        token_gone_from_chat(&w, &m, &token);
        let bot = w.store.platform().by_telegram_token(&SecretString::from(token.clone())).await.unwrap().unwrap();
        assert_eq!(bot.name, "Ali VPN");
        assert_eq!(w.api_status(&api_token, &format!("/bots/{}", bot.id)).await, 200);

        // Its page shows it running.
        let page = w.press(&m, &created, "panel-rs-open").await;
        assert!(page.text.as_deref().unwrap().contains(&w.text("panel-rs-health-running", &[])), "{page:?}");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_telegram_refuses_or_another_bot_uses_creates_nothing() {
    for backend in testing::backends() {
        let w = world_with_operators(backend, &[OPERATOR]).await;
        let m = w.master(&[OPERATOR]).await;
        let shop = w.shop("Taken", SHOP_ADMIN).await;
        let before = w.store.platform().count().await.unwrap();

        // Not registered with (the fake) Telegram: getMe refuses it.
        let unknown = testing::telegram_token();
        let said = add(&w, &m, unknown.expose_secret(), "Nope").await;
        assert!(said.text.as_deref().unwrap().contains(&w.text("panel-rs-token-refused", &[])), "{said:?}");
        token_gone_from_chat(&w, &m, unknown.expose_secret());
        // Asked again: the same question is open, Cancel leads back.
        assert!(said.button_data(&w.text("panel-cancel", &[])).is_some());

        // Another bot's token.
        let n = w.count(&m, OPERATOR);
        let said = send_token(&w, &m, &format!("{} Copy", shop.token)).await;
        assert!(said.text.as_deref().unwrap().contains(&w.text("panel-rs-token-taken", &[])), "{said:?}");
        token_gone_from_chat(&w, &m, &shop.token);
        assert!(w.count(&m, OPERATOR) > n);

        // Not a token at all.
        let said = send_token(&w, &m, "hello there").await;
        assert!(said.text.as_deref().unwrap().contains(&w.text("panel-rs-token-shape", &[])), "{said:?}");

        assert_eq!(w.store.platform().count().await.unwrap(), before, "{backend:?}: nothing created");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deactivating_a_reseller_stops_its_bot_and_its_api_token_and_deleting_needs_two_confirmations() {
    for backend in testing::backends() {
        let w = world_with_operators(backend, &[OPERATOR]).await;
        let m = w.master(&[OPERATOR]).await;
        let token = testing::telegram_token();
        let token = token.expose_secret().to_owned();
        w.tg.add_bot(&token);
        let created = add(&w, &m, &token, "Reza Shop").await;
        let api_token = api_token_in(&created);
        let bot = w.store.platform().by_telegram_token(&SecretString::from(token.clone())).await.unwrap().unwrap();
        let path = format!("/bots/{}", bot.id);
        assert_eq!(w.api_status(&api_token, &path).await, 200);

        let page = w.press(&m, &created, "panel-rs-open").await;
        let page = w.press(&m, &page, "panel-rs-deactivate").await;
        assert!(page.text.as_deref().unwrap().contains(&w.text("panel-rs-deactivated", &[])), "{page:?}");
        assert_eq!(w.api_status(&api_token, &path).await, 403, "{backend:?}: the API token stopped");
        // Within the fleet's reconcile the bot only says it is unavailable.
        let unavailable: Vec<String> =
            remnabot_domain::config::Language::ALL.iter().map(|l| w.texts.get(*l, "bot-unavailable", &[])).collect();
        let deadline = Instant::now() + super::WAIT;
        loop {
            let n = w.tg.transcript(&token, CUSTOMER).len();
            w.tg.send_text(&token, CUSTOMER, "/start");
            let all = w.tg.wait_for_messages(&token, CUSTOMER, n + 1, super::WAIT).await;
            if all.last().and_then(|s| s.text.clone()).is_some_and(|t| unavailable.contains(&t)) {
                break;
            }
            assert!(Instant::now() < deadline, "{backend:?}: the bot still sells: {:?}", all.last());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let page = w.press(&m, &page, "panel-rs-activate").await;
        assert_eq!(w.api_status(&api_token, &path).await, 200);

        // Delete: the first confirmation says what goes; Remove forged from it deletes nothing.
        let first = w.press(&m, &page, "panel-rs-delete").await;
        assert!(first.text.as_deref().unwrap().contains("cannot be undone"), "{first:?}");
        let rm = format!("pr:rm:{}", bot.id);
        assert!(!all_data(&first).contains(&rm));
        let again = forged_screen(&w, &m, OPERATOR, first.message_id, &rm).await;
        assert!(again.text.as_deref().unwrap().contains(&w.text("panel-rs-delete-unconfirmed", &[])), "{again:?}");
        assert!(w.store.platform().get(bot.id).await.is_ok(), "{backend:?}: deleted after one confirmation");

        // Cancel on the second one keeps it; the second Confirm deletes.
        let first = w.press(&m, &again, "panel-rs-delete").await;
        let second = w.press(&m, &first, "panel-rs-delete-continue").await;
        let back = w.press(&m, &second, "panel-cancel").await;
        assert!(w.store.platform().get(bot.id).await.is_ok());
        let first = w.press(&m, &back, "panel-rs-delete").await;
        let second = w.press(&m, &first, "panel-rs-delete-continue").await;
        let done = w.press(&m, &second, "panel-confirm").await;
        assert!(done.text.as_deref().unwrap().contains("Reza Shop was deleted"), "{done:?}");
        assert!(w.store.platform().get(bot.id).await.is_err(), "{backend:?}");
        assert_eq!(w.api_status(&api_token, &path).await, 401);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_the_operator_in_the_master_bot_sees_or_presses_resellers() {
    for backend in testing::backends() {
        let w = world_with_operators(backend, &[OPERATOR]).await;
        let m = w.master(&[OPERATOR, MASTER_ADMIN]).await;
        let shop = w.shop("Alpha", SHOP_ADMIN).await;
        let label = w.text("panel-area-resellers", &[]);
        let stale = w.text("button-stale", &[]);
        let reseller = BotId(shop.t.bot_id().0);

        // The operator sees it.
        let home = w.panel(&m).await;
        assert!(home.button_data(&label).is_some(), "{home:?}");

        // A master admin who is not the operator, and a tenant's admin: not on Home, and
        // every forged press refused, changing nothing.
        let other = Shop { t: m.t.clone(), token: m.token.clone(), admin: MASTER_ADMIN };
        for (who, s) in [(MASTER_ADMIN, &other), (SHOP_ADMIN, &shop)] {
            let home = w.panel(s).await;
            assert!(home.button_data(&label).is_none(), "{backend:?} {who}: {home:?}");
            assert!(all_data(&home).iter().all(|d| !d.starts_with("pr:")));
            for data in ["pr:list:0".to_owned(), format!("pr:off:{reseller}"), format!("pr:key:{reseller}")] {
                let answer = w.forge(s, who, home.message_id, &data).await;
                assert_eq!(answer.as_deref(), Some(stale.as_str()), "{backend:?} {who} {data}");
            }
        }
        assert!(w.store.platform().get(reseller).await.unwrap().is_active, "{backend:?}");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_operator_credits_a_resellers_wallet_once_per_confirmation_and_sets_its_admins_and_token() {
    for backend in testing::backends() {
        let w = world_with_operators(backend, &[OPERATOR]).await;
        let m = w.master(&[OPERATOR]).await;
        let token = testing::telegram_token().expose_secret().to_owned();
        w.tg.add_bot(&token);
        let created = add(&w, &m, &token, "Sara Net").await;
        let bot = w.store.platform().by_telegram_token(&SecretString::from(token.clone())).await.unwrap().unwrap();
        let page = w.press(&m, &created, "panel-rs-open").await;

        // Credit 50,000 with a reason; the confirmation pressed three times at once posts once.
        w.press(&m, &page, "panel-rs-credit").await;
        let again = w.reply(&m, "fifty").await;
        assert!(again.text.as_deref().unwrap().contains(&w.text("panel-input-not-number", &[])), "{again:?}");
        w.reply(&m, "۵۰٬۰۰۰").await;
        let confirm = w.reply(&m, "opening balance").await;
        assert!(confirm.text.as_deref().unwrap().contains("opening balance"), "{confirm:?}");
        let yes = confirm.button_data(&w.text("panel-confirm", &[])).unwrap();
        let presses: Vec<String> = (0..3)
            .map(|_| w.tg.press_button_unchecked(&m.token, OPERATOR, confirm.message_id, &yes).unwrap())
            .collect();
        for id in &presses {
            w.answer(&m, id).await;
        }
        let wallet = w.store.platform().get(bot.id).await.unwrap();
        assert_eq!(wallet.wallet_balance, remnabot_domain::Toman(50_000), "{backend:?}");
        let t = remnabot_domain::Tenant::of(&wallet);
        let entries = w.store.wallets().history(&t, remnabot_domain::Page::new(10, 0)).await.unwrap();
        assert_eq!(entries.len(), 1, "{backend:?}: {entries:?}");

        // Its admins: a bad id refused, then its owner.
        // (The extra presses were told the confirmation was used; the page shows the balance.)
        let page = w.tg.transcript(&m.token, OPERATOR).last().cloned().unwrap();
        assert!(page.text.as_deref().unwrap().contains("Wallet: 50,000 Toman"), "{page:?}");
        let admins = format!("pr:own:{}", bot.id);
        assert!(all_data(&page).contains(&admins), "{page:?}");
        forged_screen(&w, &m, OPERATOR, confirm.message_id, &admins).await;
        let again = w.reply(&m, "720900005 x").await;
        assert!(again.text.as_deref().unwrap().contains(&w.text("panel-input-not-number", &[])), "{again:?}");
        let page = w.reply(&m, "720900005").await;
        assert!(page.text.as_deref().unwrap().contains("Admins: 720900005"), "{page:?}");
        assert_eq!(w.store.configs().admin_ids(&t).await.unwrap(), [720_900_005]);

        // A new Telegram token, checked with Telegram, its message deleted.
        w.press(&m, &page, "panel-rs-token").await;
        let fresh = testing::telegram_token().expose_secret().to_owned();
        w.tg.add_bot(&fresh);
        let page = send_token(&w, &m, &fresh).await;
        assert!(page.text.as_deref().unwrap().contains(&w.text("panel-rs-token-replaced", &[])), "{page:?}");
        token_gone_from_chat(&w, &m, &fresh);
        assert_eq!(w.store.platform().telegram_token(bot.id).await.unwrap().expose_secret(), fresh);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn platform_figures_count_every_bots_sales_and_name_the_resellers_short_of_three_days() {
    use remnabot_domain::Toman;
    use remnabot_store::ledger::Posting;
    use remnabot_store::transactions::{NewTransaction, TransactionKind};
    for backend in testing::backends() {
        let w = world_with_operators(backend, &[OPERATOR]).await;
        let m = w.master(&[OPERATOR]).await;
        let short = w.shop("Short Shop", SHOP_ADMIN).await;
        let rich = w.shop("Rich Shop", SHOP_ADMIN + 1).await;
        // Short: 960 of wholesale in 30 days (32 a day) against 40 left: one day of cover.
        // Rich: 300 (10 a day) against 99,700: plenty.
        for (shop, deposit, charged) in [(&short, 1_000, 960), (&rich, 100_000, 300)] {
            let credit = Posting::credit(Toman(deposit), "deposit", &format!("d{}", shop.t.bot_id())).unwrap();
            w.store.wallets().post(&shop.t, credit).await.unwrap();
            let debit = Posting::debit(Toman(charged), "wholesale", &format!("w{}", shop.t.bot_id())).unwrap();
            w.store.wallets().post(&shop.t, debit).await.unwrap();
        }
        // Sales today in a reseller and in the master.
        for (shop, amount) in [(&short, 150_000), (&m, 50_000)] {
            let buyer = w.customer(shop, CUSTOMER).await;
            let sale = NewTransaction {
                user: buyer.id,
                kind: TransactionKind::Purchase,
                amount: Toman(amount),
                payment_method: Some("balance".to_owned()),
                description: None,
                external_id: None,
                completed: true,
                plan: None,
            };
            w.store.transactions().create(&shop.t, sale).await.unwrap();
        }
        let home = w.panel(&m).await;
        let list = w.press(&m, &home, "panel-area-resellers").await;
        let figures = w.press(&m, &list, "panel-rs-figures").await;
        let text = figures.text.clone().unwrap();
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert!(text.contains(&format!("{today}: 2 sales, 200,000 Toman")), "{backend:?}: {text}");
        assert!(text.contains("less than 3 days of sales: 1"), "{text}");
        assert!(text.contains("Short Shop: 1 days left") && !text.contains("Rich Shop"), "{text}");
        // Customers of every bot: an admin in each of the three, and the buyer in two.
        assert!(text.contains("Customers: 5"), "{text}");
        assert!(figures.button_data("Short Shop").is_some(), "{figures:?}");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_operator_finds_resellers_by_name_or_username() {
    for backend in testing::backends() {
        let w = world_with_operators(backend, &[OPERATOR]).await;
        let m = w.master(&[OPERATOR]).await;
        w.shop("Alpha Net", SHOP_ADMIN).await;
        w.shop("alpha two", SHOP_ADMIN + 1).await;
        let beta = w.shop("Beta Shop", SHOP_ADMIN + 2).await;
        w.store.platform().set_telegram_username(beta.t.bot_id(), Some("beta_vpn_bot")).await.unwrap();
        let home = w.panel(&m).await;
        let list = w.press(&m, &home, "panel-area-resellers").await;
        let text = list.text.clone().unwrap();
        assert!(text.contains("Alpha Net") && text.contains("Beta Shop") && text.contains("@beta_vpn_bot"), "{text}");
        assert!(!text.contains("Master bot"), "the master is not a reseller: {text}");

        w.press(&m, &list, "panel-rs-find").await;
        let found = w.reply(&m, "ALPHA").await;
        let text = found.text.clone().unwrap();
        assert!(
            text.contains("Alpha Net") && text.contains("alpha two") && !text.contains("Beta"),
            "{backend:?}: {text}"
        );
        let find = found.button_data(&w.text("panel-rs-find", &[])).unwrap();
        w.press_data(&m, OPERATOR, &found, &find).await;
        let found = w.reply(&m, "@beta_vpn").await;
        let text = found.text.clone().unwrap();
        assert!(text.contains("Beta Shop") && !text.contains("Alpha"), "{backend:?}: {text}");
        w.stop().await;
    }
}
