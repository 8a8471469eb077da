#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Discount codes are reserved by the order they price: a redeemed code prices one order,
//! whatever the method (card-to-card, Zarinpal, Telegram Stars, balance, free) and however
//! many orders race for it; an order that expires, is rejected or fails gives it back; a
//! completion whose code went to another order is credited to the balance, not discounted.
//! SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::payment::PaymentGateway;
use remnabot_domain::{Error, Page, PlanId, Tenant, TgUserId, Toman, UserId};
use remnabot_payments::{ZarinpalClient, ZarinpalConfig};
use remnabot_store::ledger::Posting;
use remnabot_store::payments::{CardPayment, PaymentPurpose, Receipt, ReceiptKind};
use remnabot_store::plans::PlanSpec;
use remnabot_store::promos::{PromoCodeSpec, PromoKind};
use remnabot_store::sales::online::{OnlineTexts, STARS_ORDER_TTL, StarsStatus, ZarinpalOutcome};
use remnabot_store::sales::{PayMethod, Reviewer, SaleTexts};
use remnabot_store::transactions::TransactionKind;
use remnabot_store::users::NewUser;
use remnabot_store::{Store, testing};
use remnabot_testkit::FakeZarinpal;
use serde_json::json;

const MERCHANT: &str = "1344b5d4-0048-11e8-94db-005056a205be";
const CALLBACK: &str = "https://shop.example/payments/zarinpal/callback";
/// The plan's price; the code takes half.
const PRICE: Toman = Toman(100_000);
const HALF: Toman = Toman(50_000);

struct Texts;

impl SaleTexts for Texts {
    fn card_approved(&self, _: Language, p: &CardPayment, _: Option<Toman>) -> String {
        format!("approved {}", p.tracking_code)
    }
    fn card_rejected(&self, _: Language, p: &CardPayment) -> String {
        format!("rejected {}", p.tracking_code)
    }
    fn card_expired(&self, _: Language, p: &CardPayment) -> String {
        format!("expired {}", p.tracking_code)
    }
}

impl OnlineTexts for Texts {
    fn online_paid(&self, _: Language, method: PayMethod, amount: Toman, _: Option<Toman>) -> String {
        format!("paid {} {}", method.as_str(), amount.0)
    }
    fn stars_refunded(&self, _: Language, stars: i64) -> String {
        format!("refunded {stars}")
    }
    fn online_credited_instead(&self, _: Language, method: PayMethod, amount: Toman, balance: Toman) -> String {
        format!("credited instead {} {} balance {}", method.as_str(), amount.0, balance.0)
    }
}

/// A tenant selling a 100,000 Toman plan by card, Zarinpal, Stars (1,000 Toman a Star) and
/// balance, a customer, and a single-use 50 % code the customer has redeemed.
async fn shop(store: &Store, percent: i64) -> (Tenant, PlanId, UserId) {
    let (_, t) = testing::tenant(store, "discounts").await;
    store.cards().create(&t, testing::card_spec(7)).await.unwrap();
    store.flags().set(&t, FeatureKey::TelegramStars, true, None).await.unwrap();
    store.flags().set(&t, FeatureKey::Zarinpal, true, None).await.unwrap();
    store.configs().set(&t, "stars_rate", json!(1_000)).await.unwrap();
    store.configs().set(&t, "zarinpal_merchant_id", json!(MERCHANT)).await.unwrap();
    let spec = PlanSpec {
        name: "Monthly".to_owned(),
        description: None,
        period_days: 30,
        traffic_gb: 10,
        device_limit: 2,
        price: PRICE,
        sort_order: 0,
    };
    let plan = store.plans().create(&t, spec).await.unwrap().id;
    let new = NewUser {
        telegram_id: TgUserId(5001),
        username: None,
        first_name: Some("Sara".to_owned()),
        language: Language::En,
        referred_by: None,
    };
    let user = store.users().register(&t, new).await.unwrap().0.id;
    let spec = PromoCodeSpec {
        code: "ONCE".to_owned(),
        kind: PromoKind::Discount,
        value: percent,
        max_uses: 1,
        valid_from: None,
        valid_until: None,
    };
    store.promo_codes().create(&t, spec).await.unwrap();
    store.promo_codes().redeem(&t, "once", user, Utc::now()).await.unwrap();
    (t, plan, user)
}

fn gateway(fake: &FakeZarinpal) -> Arc<dyn PaymentGateway> {
    let mut config = ZarinpalConfig::at(url::Url::parse(&fake.url()).unwrap());
    config.timeout = Duration::from_millis(500);
    Arc::new(ZarinpalClient::new(config, reqwest::Client::new()))
}

fn photo() -> Receipt {
    Receipt { kind: ReceiptKind::Photo, file_id: Some("AgACphoto".to_owned()), file_unique_id: None, text: None }
}

/// The amount of every order recorded: card-to-card, Stars and Zarinpal.
async fn order_amounts(store: &Store, t: &Tenant) -> Vec<Toman> {
    let mut amounts: Vec<Toman> =
        store.card_payments().list(t, None, Page::new(200, 0)).await.unwrap().into_iter().map(|p| p.amount).collect();
    let stars = store.sales().stars_payments(t, None, Page::new(200, 0)).await.unwrap();
    amounts.extend(stars.into_iter().map(|p| p.amount));
    let zarinpal = store.zarinpal_payments().list(t, None, Page::new(200, 0)).await.unwrap();
    amounts.extend(zarinpal.into_iter().map(|p| p.amount));
    amounts
}

/// How many purchases were completed at the discounted price.
async fn discounted_purchases(store: &Store, t: &Tenant) -> usize {
    let all = store.transactions().list(t, None, Page::new(200, 0)).await.unwrap();
    all.iter().filter(|tx| tx.kind == TransactionKind::Purchase && tx.amount == HALF).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_orders_on_a_single_use_code_are_priced_with_it_exactly_once() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, plan, user) = shop(&store, 50).await;
        store.balances().post(&t, user, Posting::credit(Toman(10_000_000), "deposit", "seed").unwrap()).await.unwrap();
        assert_eq!(store.sales().quote(&t, user, plan).await.unwrap().price, HALF);

        // Card-to-card, Stars and balance payments of the same customer, all at once.
        let mut tasks = Vec::new();
        for i in 0..20 {
            let (store, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move {
                let sales = store.sales();
                let now = Utc::now();
                match i % 3 {
                    0 => sales
                        .start_card_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, now)
                        .await
                        .map(|_| ()),
                    1 => sales
                        .start_stars_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, now)
                        .await
                        .map(|_| ()),
                    _ => sales
                        .pay_from_balance(&t, user, PaymentPurpose::Purchase, plan, &format!("key-{i}"), now)
                        .await
                        .map(|_| ()),
                }
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let mut amounts = order_amounts(&store, &t).await;
        let balance_paid = store.transactions().list(&t, Some(user), Page::new(200, 0)).await.unwrap();
        amounts.extend(balance_paid.iter().map(|tx| tx.amount));
        assert_eq!(amounts.len(), 20, "{backend:?}");
        assert_eq!(
            amounts.iter().filter(|a| **a == HALF).count(),
            1,
            "{backend:?}: exactly one discounted: {amounts:?}"
        );
        assert_eq!(amounts.iter().filter(|a| **a == PRICE).count(), 19, "{backend:?}: {amounts:?}");

        // Completing every order still gives one discounted purchase, and the code is spent.
        for p in store.card_payments().list(&t, None, Page::new(200, 0)).await.unwrap() {
            store.sales().submit_receipt(&t, user, p.id, photo(), Utc::now()).await.unwrap();
            store.sales().approve_card_payment(&t, p.id, Reviewer::Api, &Texts, Utc::now()).await.unwrap();
        }
        for (i, p) in store.sales().stars_payments(&t, None, Page::new(200, 0)).await.unwrap().into_iter().enumerate() {
            let charge = format!("charge-{i}");
            let done = store
                .sales()
                .complete_stars(&t, &p.payload, &charge, p.stars, "XTR", &Texts, Utc::now())
                .await
                .unwrap();
            assert!(!done.fulfilment.unwrap().credited_instead, "{backend:?}");
        }
        assert_eq!(discounted_purchases(&store, &t).await, 1, "{backend:?}");
        let q = store.sales().quote(&t, user, plan).await.unwrap();
        assert_eq!((q.discount_percent, q.price), (0, PRICE), "{backend:?}: the code is spent");
        let code = store.promo_codes().by_code(&t, "ONCE").await.unwrap().unwrap();
        assert_eq!(code.uses_count, 1);
    }
}

#[tokio::test]
async fn orders_started_before_the_first_completes_are_not_priced_with_a_code_it_holds() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, plan, user) = shop(&store, 50).await;
        let sales = store.sales();
        let now = Utc::now();
        // Two card orders and two Stars orders, none completed yet (the reported case).
        let (first, _) =
            sales.start_card_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, now).await.unwrap();
        let (second, _) =
            sales.start_card_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, now).await.unwrap();
        let third = sales.start_stars_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, now).await.unwrap();
        let fourth = sales.start_stars_payment(&t, user, PaymentPurpose::Renewal, Some(plan), None, now).await.unwrap();
        assert_eq!(first.amount, HALF, "{backend:?}");
        assert_eq!([second.amount, third.amount, fourth.amount], [PRICE; 3], "{backend:?}");
        assert_eq!(sales.quote(&t, user, plan).await.unwrap().price, PRICE, "the quote shows what a new order costs");

        for p in [&first, &second] {
            sales.submit_receipt(&t, user, p.id, photo(), now).await.unwrap();
            sales.approve_card_payment(&t, p.id, Reviewer::Api, &Texts, now).await.unwrap();
        }
        sales.complete_stars(&t, &third.payload, "c3", third.stars, "XTR", &Texts, now).await.unwrap();
        sales.complete_stars(&t, &fourth.payload, "c4", fourth.stars, "XTR", &Texts, now).await.unwrap();
        assert_eq!(discounted_purchases(&store, &t).await, 1, "{backend:?}");
    }
}

#[tokio::test]
async fn an_order_that_expires_is_rejected_or_fails_gives_its_code_to_the_next_order() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let fake = FakeZarinpal::start().await;
        let gw = gateway(&fake);
        let (t, plan, user) = shop(&store, 50).await;
        let sales = store.sales();
        let now = Utc::now();

        // A card order rejected.
        let (p, _) = sales.start_card_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, now).await.unwrap();
        assert_eq!(p.amount, HALF);
        sales.reject_card_payment(&t, p.id, Reviewer::Api, None, &Texts, now).await.unwrap();
        assert_eq!(sales.quote(&t, user, plan).await.unwrap().price, HALF, "{backend:?}: given back on rejection");

        // A card order expired.
        let (p, _) = sales.start_card_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, now).await.unwrap();
        assert_eq!(p.amount, HALF);
        let later = now + chrono::Duration::hours(2);
        assert_eq!(sales.expire_card_payments(&t, &Texts, later).await.unwrap().len(), 1);
        assert_eq!(sales.quote(&t, user, plan).await.unwrap().price, HALF, "{backend:?}: given back on expiry");

        // A Stars invoice left unpaid.
        let s = sales.start_stars_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, now).await.unwrap();
        assert_eq!(s.amount, HALF);
        assert_eq!(sales.expire_stars_orders(&t, now).await.unwrap(), 0, "not yet");
        let payer = TgUserId(5001);
        let after = now + STARS_ORDER_TTL + chrono::Duration::seconds(1);
        let pre = sales.check_pre_checkout(&t, payer, &s.payload, s.stars, "XTR", after).await;
        assert!(matches!(pre, Err(Error::Conflict(_))), "{backend:?}: an old invoice is refused: {pre:?}");
        assert_eq!(sales.expire_stars_orders(&t, after).await.unwrap(), 1);
        assert_eq!(sales.stars_payment(&t, s.id).await.unwrap().status, StarsStatus::Expired);
        assert_eq!(sales.quote(&t, user, plan).await.unwrap().price, HALF, "{backend:?}: given back on expiry");

        // A Zarinpal payment the gateway says was cancelled.
        let z = sales
            .start_zarinpal_payment(
                &t,
                user,
                PaymentPurpose::Purchase,
                Some(plan),
                None,
                gw.as_ref(),
                CALLBACK,
                "",
                now,
            )
            .await
            .unwrap();
        assert_eq!(z.payment.amount, HALF);
        assert_eq!(sales.quote(&t, user, plan).await.unwrap().price, PRICE, "{backend:?}: held by the open payment");
        fake.cancel(&z.payment.authority);
        let out = sales.cancel_zarinpal(&t, &z.payment.authority, gw.as_ref(), &Texts, now).await.unwrap();
        assert!(matches!(out, ZarinpalOutcome::Failed(_)), "{backend:?}: {out:?}");
        assert_eq!(sales.quote(&t, user, plan).await.unwrap().price, HALF, "{backend:?}: given back on failure");

        // The code still prices exactly one order, which spends it.
        let (p, _) = sales.start_card_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, now).await.unwrap();
        sales.submit_receipt(&t, user, p.id, photo(), now).await.unwrap();
        sales.approve_card_payment(&t, p.id, Reviewer::Api, &Texts, now).await.unwrap();
        assert_eq!(discounted_purchases(&store, &t).await, 1, "{backend:?}");
        assert_eq!(sales.quote(&t, user, plan).await.unwrap().price, PRICE);
    }
}

#[tokio::test]
async fn a_late_payment_whose_code_went_to_another_order_is_credited_to_the_balance_not_discounted() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let fake = FakeZarinpal::start().await;
        let gw = gateway(&fake);
        let (t, plan, user) = shop(&store, 50).await;
        let sales = store.sales();
        let now = Utc::now();

        // A Stars invoice expires; the code goes to a card order; then the invoice is paid.
        let s = sales.start_stars_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, now).await.unwrap();
        let after = now + STARS_ORDER_TTL + chrono::Duration::seconds(1);
        sales.expire_stars_orders(&t, after).await.unwrap();
        let (card, _) =
            sales.start_card_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, after).await.unwrap();
        assert_eq!(card.amount, HALF, "{backend:?}");
        let done = sales.complete_stars(&t, &s.payload, "late", s.stars, "XTR", &Texts, after).await.unwrap();
        let fulfilment = done.fulfilment.unwrap();
        assert!(fulfilment.credited_instead, "{backend:?}");
        assert!(fulfilment.provisioned.is_none(), "{backend:?}: not delivered at the discount");
        assert_eq!(fulfilment.transaction.kind, TransactionKind::Deposit);
        assert_eq!(fulfilment.balance_after, Some(HALF));
        assert_eq!(done.payment.status, StarsStatus::Paid, "the charge is recorded");
        let texts: Vec<String> =
            store.notifications().list(&t, None, Page::default()).await.unwrap().into_iter().map(|n| n.text).collect();
        assert!(texts.contains(&"credited instead telegram_stars 50000 balance 50000".to_owned()), "{texts:?}");

        // The card order keeps the code and is delivered discounted.
        sales.submit_receipt(&t, user, card.id, photo(), after).await.unwrap();
        let approved = sales.approve_card_payment(&t, card.id, Reviewer::Api, &Texts, after).await.unwrap();
        assert!(!approved.fulfilment.credited_instead);
        assert!(approved.fulfilment.provisioned.is_some());

        // A Zarinpal payment marked failed and then verified, its code spent meanwhile: the
        // same. (The balance pays nothing here: the plan is full price now.)
        store.promo_codes().create(&t, spec("TWICE", 50)).await.unwrap();
        store.promo_codes().redeem(&t, "twice", user, after).await.unwrap();
        let z = sales
            .start_zarinpal_payment(
                &t,
                user,
                PaymentPurpose::Renewal,
                Some(plan),
                None,
                gw.as_ref(),
                CALLBACK,
                "",
                after,
            )
            .await
            .unwrap();
        assert_eq!(z.payment.amount, HALF);
        assert!(sales.fail_zarinpal(&t, &z.payment.authority, "given up").await.unwrap());
        let (other, _) =
            sales.start_card_payment(&t, user, PaymentPurpose::Renewal, Some(plan), None, after).await.unwrap();
        assert_eq!(other.amount, HALF, "{backend:?}: the released code priced the next order");
        fake.pay(&z.payment.authority);
        let out = sales.complete_zarinpal(&t, &z.payment.authority, gw.as_ref(), &Texts, after).await.unwrap();
        let ZarinpalOutcome::Completed { fulfilment, .. } = out else { panic!("{backend:?}: {out:?}") };
        assert!(fulfilment.credited_instead, "{backend:?}");
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, Toman(100_000));
        assert_eq!(discounted_purchases(&store, &t).await, 1, "{backend:?}: only the card purchase so far");
    }
}

fn spec(code: &str, percent: i64) -> PromoCodeSpec {
    PromoCodeSpec {
        code: code.to_owned(),
        kind: PromoKind::Discount,
        value: percent,
        max_uses: 1,
        valid_from: None,
        valid_until: None,
    }
}

#[tokio::test]
async fn a_late_payment_whose_code_nobody_took_is_still_discounted() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, plan, user) = shop(&store, 50).await;
        let sales = store.sales();
        let now = Utc::now();
        let s = sales.start_stars_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, now).await.unwrap();
        let after = now + STARS_ORDER_TTL + chrono::Duration::seconds(1);
        sales.expire_stars_orders(&t, after).await.unwrap();
        let done = sales.complete_stars(&t, &s.payload, "late", s.stars, "XTR", &Texts, after).await.unwrap();
        let fulfilment = done.fulfilment.unwrap();
        assert!(!fulfilment.credited_instead, "{backend:?}");
        assert!(fulfilment.provisioned.is_some(), "{backend:?}: Telegram took the Stars: the order completes");
        assert_eq!(discounted_purchases(&store, &t).await, 1);
        assert_eq!(sales.quote(&t, user, plan).await.unwrap().price, PRICE, "{backend:?}: spent");
    }
}

#[tokio::test]
async fn top_ups_are_never_discounted_and_leave_the_code_for_the_next_order() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, plan, user) = shop(&store, 50).await;
        let sales = store.sales();
        let now = Utc::now();
        let (p, _) =
            sales.start_card_payment(&t, user, PaymentPurpose::TopUp, None, Some(Toman(60_000)), now).await.unwrap();
        assert_eq!(p.amount, Toman(60_000), "{backend:?}");
        let s =
            sales.start_stars_payment(&t, user, PaymentPurpose::TopUp, None, Some(Toman(40_000)), now).await.unwrap();
        assert_eq!(s.amount, Toman(40_000));
        sales.submit_receipt(&t, user, p.id, photo(), now).await.unwrap();
        sales.approve_card_payment(&t, p.id, Reviewer::Api, &Texts, now).await.unwrap();
        sales.complete_stars(&t, &s.payload, "top", s.stars, "XTR", &Texts, now).await.unwrap();
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, PRICE);
        assert_eq!(sales.quote(&t, user, plan).await.unwrap().price, HALF, "{backend:?}: the code is still there");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_free_orders_on_a_full_discount_code_deliver_once() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, plan, user) = shop(&store, 100).await;
        assert_eq!(store.sales().quote(&t, user, plan).await.unwrap().price, Toman::ZERO);
        let mut tasks = Vec::new();
        for i in 0..20 {
            let (store, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move {
                store
                    .sales()
                    .pay_from_balance(&t, user, PaymentPurpose::Purchase, plan, &format!("free-{i}"), Utc::now())
                    .await
            }));
        }
        let mut free = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(done) => {
                    assert_eq!(done.transaction.amount, Toman::ZERO);
                    free += 1;
                }
                Err(Error::InsufficientBalance { .. }) => {}
                Err(e) => panic!("{backend:?}: {e:?}"),
            }
        }
        assert_eq!(free, 1, "{backend:?}: one free order");
        assert_eq!(store.provisioning().list(&t, None, Page::default()).await.unwrap().len(), 1, "{backend:?}");
    }
}
