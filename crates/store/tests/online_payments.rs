#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Online payments through the sales service against the fake Zarinpal gateway and Telegram
//! Stars: completed exactly once (also under 50 concurrent callbacks), amounts taken from our
//! records, a disabled provider refused for its tenant only, a gateway outage leaving nothing
//! half-written, Stars pre-checkout checks, replays and refunds. SQLite and (with
//! `TEST_DATABASE_URL`) PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::payment::PaymentGateway;
use remnabot_domain::{Error, Page, PlanId, Tenant, TgUserId, Toman, UserId};
use remnabot_payments::{ZarinpalClient, ZarinpalConfig};
use remnabot_store::payments::{PaymentPurpose, ZarinpalStatus};
use remnabot_store::plans::PlanSpec;
use remnabot_store::sales::PayMethod;
use remnabot_store::sales::online::{OnlineTexts, StarsStatus, ZarinpalOutcome};
use remnabot_store::users::NewUser;
use remnabot_store::{Store, testing};
use remnabot_testkit::FakeZarinpal;
use remnabot_testkit::zarinpal::FakePaymentState;
use serde_json::json;

const MERCHANT_A: &str = "1344b5d4-0048-11e8-94db-005056a205be";
const MERCHANT_B: &str = "2344b5d4-0048-11e8-94db-005056a205be";
const CALLBACK: &str = "https://shop.example/payments/zarinpal/callback";

struct Texts;

impl OnlineTexts for Texts {
    fn online_paid(&self, lang: Language, method: PayMethod, amount: Toman, balance: Option<Toman>) -> String {
        format!("{lang:?} paid {} {} balance {balance:?}", method.as_str(), amount.0)
    }
    fn stars_refunded(&self, lang: Language, stars: i64) -> String {
        format!("{lang:?} refunded {stars} stars")
    }
}

fn gateway(fake: &FakeZarinpal) -> Arc<dyn PaymentGateway> {
    let mut config = ZarinpalConfig::at(url::Url::parse(&fake.url()).unwrap());
    config.timeout = Duration::from_millis(500);
    Arc::new(ZarinpalClient::new(config, reqwest::Client::new()))
}

async fn customer(store: &Store, t: &Tenant, tg: i64) -> UserId {
    let new = NewUser {
        telegram_id: TgUserId(tg),
        username: None,
        first_name: Some("Sara".to_owned()),
        language: Language::En,
        referred_by: None,
    };
    store.users().register(t, new).await.unwrap().0.id
}

/// A tenant with Zarinpal (merchant `merchant`) and Stars (1,000 Toman a Star) switched on, a
/// 150,000 Toman plan and a customer.
async fn shop(store: &Store, name: &str, merchant: &str, tg: i64) -> (Tenant, PlanId, UserId) {
    let (_, t) = testing::tenant(store, name).await;
    store.flags().set(&t, FeatureKey::Zarinpal, true, None).await.unwrap();
    store.flags().set(&t, FeatureKey::TelegramStars, true, None).await.unwrap();
    store.configs().set(&t, "zarinpal_merchant_id", json!(merchant)).await.unwrap();
    store.configs().set(&t, "stars_rate", json!(1_000)).await.unwrap();
    let spec = PlanSpec {
        name: "Monthly".to_owned(),
        description: None,
        period_days: 30,
        traffic_gb: 10,
        device_limit: 2,
        price: Toman(150_000),
        sort_order: 0,
    };
    let plan = store.plans().create(&t, spec).await.unwrap().id;
    let user = customer(store, &t, tg).await;
    (t, plan, user)
}

async fn counts(store: &Store, t: &Tenant) -> (usize, usize, usize) {
    let txs = store.transactions().list(t, None, Page::default()).await.unwrap().len();
    let prov = store.provisioning().list(t, None, Page::default()).await.unwrap().len();
    let notes = store.notifications().list(t, None, Page::default()).await.unwrap().len();
    (txs, prov, notes)
}

#[tokio::test]
async fn a_zarinpal_purchase_is_verified_with_our_amount_and_completes_once_under_fifty_callbacks() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let fake = FakeZarinpal::start().await;
        let gw = gateway(&fake);
        let (t, plan, user) = shop(&store, "alpha", MERCHANT_A, 5001).await;
        let started = store
            .sales()
            .start_zarinpal_payment(
                &t,
                user,
                PaymentPurpose::Purchase,
                Some(plan),
                None,
                gw.as_ref(),
                CALLBACK,
                "Monthly",
                Utc::now(),
            )
            .await
            .unwrap();
        assert!(started.pay_url.ends_with(&format!("/pg/StartPay/{}", started.payment.authority)), "{started:?}");
        let at_gateway = fake.payment(&started.payment.authority).unwrap();
        assert_eq!(at_gateway.amount, 1_500_000, "{backend:?}: Toman go to the gateway as Rial");
        assert_eq!(at_gateway.callback_url, CALLBACK);
        assert_eq!(
            store.platform().zarinpal_owner(&started.payment.authority).await.unwrap().map(|b| b.id),
            Some(t.bot_id())
        );

        fake.pay(&started.payment.authority);
        let authority = started.payment.authority.clone();
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (store, gw, t, authority) = (store.clone(), gw.clone(), t.clone(), authority.clone());
            tasks.push(tokio::spawn(async move {
                store.sales().complete_zarinpal(&t, &authority, gw.as_ref(), &Texts, Utc::now()).await
            }));
        }
        let mut completed = 0;
        for task in tasks {
            match task.await.unwrap().unwrap() {
                ZarinpalOutcome::Completed { fulfilment, .. } => {
                    completed += 1;
                    assert!(fulfilment.provisioned.is_some());
                }
                ZarinpalOutcome::AlreadyCompleted(p) => assert_eq!(p.status, ZarinpalStatus::Paid),
                other => panic!("{backend:?}: {other:?}"),
            }
        }
        assert_eq!(completed, 1, "{backend:?}: exactly one callback completes the order");
        assert_eq!(counts(&store, &t).await, (1, 1, 1), "{backend:?}: one transaction, provisioning, message");
        let paid = store.zarinpal_payments().by_authority(&t, &authority).await.unwrap().unwrap();
        assert_eq!(paid.status, ZarinpalStatus::Paid);
        assert_eq!(paid.ref_id, Some(201));
        assert!(paid.transaction_id.is_some());
        let verify_amounts: Vec<i64> = fake
            .calls()
            .into_iter()
            .filter(|(name, _)| name == "verify")
            .map(|(_, body)| body["amount"].as_i64().unwrap())
            .collect();
        assert!(!verify_amounts.is_empty());
        assert!(verify_amounts.iter().all(|a| *a == 1_500_000), "{backend:?}: verified with our amount");
    }
}

#[tokio::test]
async fn a_different_paid_amount_or_another_tenants_authority_changes_nothing() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let fake = FakeZarinpal::start().await;
        let gw = gateway(&fake);
        let (a, plan_a, user_a) = shop(&store, "alpha", MERCHANT_A, 5001).await;
        let (b, _, _) = shop(&store, "beta", MERCHANT_B, 5002).await;

        // The bank moved less than the order: verify with our amount answers -50.
        let s = store
            .sales()
            .start_zarinpal_payment(
                &a,
                user_a,
                PaymentPurpose::Purchase,
                Some(plan_a),
                None,
                gw.as_ref(),
                CALLBACK,
                "x",
                Utc::now(),
            )
            .await
            .unwrap();
        fake.pay_amount(&s.payment.authority, 10_000);
        let out = store.sales().complete_zarinpal(&a, &s.payment.authority, gw.as_ref(), &Texts, Utc::now()).await;
        assert!(matches!(out, Ok(ZarinpalOutcome::Failed(_))), "{backend:?}: {out:?}");
        assert_eq!(counts(&store, &a).await, (0, 0, 0));

        // Tenant B cannot complete A's authority, even once A's customer really paid.
        let s = store
            .sales()
            .start_zarinpal_payment(
                &a,
                user_a,
                PaymentPurpose::Purchase,
                Some(plan_a),
                None,
                gw.as_ref(),
                CALLBACK,
                "x",
                Utc::now(),
            )
            .await
            .unwrap();
        fake.pay(&s.payment.authority);
        let out = store.sales().complete_zarinpal(&b, &s.payment.authority, gw.as_ref(), &Texts, Utc::now()).await;
        assert!(matches!(out, Err(Error::NotFound { .. })), "{backend:?}: {out:?}");
        assert!(store.sales().fail_zarinpal(&b, &s.payment.authority, "x").await.is_err());
        assert_eq!(counts(&store, &b).await, (0, 0, 0));
        assert_eq!(fake.payment(&s.payment.authority).unwrap().state, FakePaymentState::Paid, "not verified by B");
        let out = store.sales().complete_zarinpal(&a, &s.payment.authority, gw.as_ref(), &Texts, Utc::now()).await;
        assert!(matches!(out, Ok(ZarinpalOutcome::Completed { .. })), "{backend:?}: {out:?}");
    }
}

#[tokio::test]
async fn a_disabled_provider_is_refused_for_its_tenant_only() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let fake = FakeZarinpal::start().await;
        let gw = gateway(&fake);
        let (a, plan_a, user_a) = shop(&store, "alpha", MERCHANT_A, 5001).await;
        let (b, plan_b, user_b) = shop(&store, "beta", MERCHANT_B, 5002).await;
        let s = store
            .sales()
            .start_zarinpal_payment(
                &a,
                user_a,
                PaymentPurpose::Purchase,
                Some(plan_a),
                None,
                gw.as_ref(),
                CALLBACK,
                "x",
                Utc::now(),
            )
            .await
            .unwrap();
        fake.pay(&s.payment.authority);
        store.flags().set(&a, FeatureKey::Zarinpal, false, None).await.unwrap();
        store.flags().set(&a, FeatureKey::TelegramStars, false, None).await.unwrap();

        assert_eq!(store.sales().zarinpal_account(&a).await.unwrap(), None);
        assert_eq!(store.sales().stars_rate(&a).await.unwrap(), None);
        let out = store.sales().complete_zarinpal(&a, &s.payment.authority, gw.as_ref(), &Texts, Utc::now()).await;
        assert!(matches!(out, Err(Error::Conflict(_))), "{backend:?}: {out:?}");
        let again = store
            .sales()
            .start_zarinpal_payment(
                &a,
                user_a,
                PaymentPurpose::Purchase,
                Some(plan_a),
                None,
                gw.as_ref(),
                CALLBACK,
                "x",
                Utc::now(),
            )
            .await;
        assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
        let stars = store
            .sales()
            .start_stars_payment(&a, user_a, PaymentPurpose::Purchase, Some(plan_a), None, Utc::now())
            .await;
        assert!(matches!(stars, Err(Error::Conflict(_))), "{stars:?}");
        assert_eq!(counts(&store, &a).await, (0, 0, 0));

        // Tenant B still has both.
        assert!(store.sales().zarinpal_account(&b).await.unwrap().is_some());
        let s = store
            .sales()
            .start_zarinpal_payment(
                &b,
                user_b,
                PaymentPurpose::Purchase,
                Some(plan_b),
                None,
                gw.as_ref(),
                CALLBACK,
                "x",
                Utc::now(),
            )
            .await
            .unwrap();
        fake.pay(&s.payment.authority);
        let out = store.sales().complete_zarinpal(&b, &s.payment.authority, gw.as_ref(), &Texts, Utc::now()).await;
        assert!(matches!(out, Ok(ZarinpalOutcome::Completed { .. })), "{backend:?}: {out:?}");
        // A merchant id that is not set means Zarinpal is not offered either.
        store.configs().delete(&b, "zarinpal_merchant_id").await.unwrap();
        assert_eq!(store.sales().zarinpal_account(&b).await.unwrap(), None);
    }
}

#[tokio::test]
async fn a_gateway_outage_leaves_nothing_half_written_and_the_customer_can_retry() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let fake = FakeZarinpal::start().await;
        let gw = gateway(&fake);
        let (t, plan, user) = shop(&store, "alpha", MERCHANT_A, 5001).await;
        let sales = store.sales();
        let start = || {
            sales.start_zarinpal_payment(
                &t,
                user,
                PaymentPurpose::Purchase,
                Some(plan),
                None,
                gw.as_ref(),
                CALLBACK,
                "x",
                Utc::now(),
            )
        };
        fake.set_down(true);
        assert!(matches!(start().await, Err(Error::Unavailable { .. })));
        fake.set_down(false);
        fake.set_delay(Duration::from_secs(2));
        assert!(matches!(start().await, Err(Error::Unavailable { .. })), "a timeout is an outage");
        fake.set_delay(Duration::ZERO);
        fake.fail_next("request", 1, -12);
        assert!(matches!(start().await, Err(Error::Unavailable { .. })));
        let failed = store.zarinpal_payments().list(&t, Some(ZarinpalStatus::Failed), Page::default()).await.unwrap();
        assert_eq!(failed.len(), 3, "{backend:?}: each attempt is recorded as failed");
        assert!(failed.iter().all(|p| p.fail_reason.is_some()));
        assert!(failed.iter().all(|p| !format!("{p:?}").contains(MERCHANT_A)), "no merchant id in records");
        assert_eq!(counts(&store, &t).await, (0, 0, 0));

        // Retry works; verify during an outage leaves the payment pending, and then completes.
        let s = start().await.unwrap();
        fake.pay(&s.payment.authority);
        fake.set_down(true);
        let out = store.sales().complete_zarinpal(&t, &s.payment.authority, gw.as_ref(), &Texts, Utc::now()).await;
        assert!(matches!(out, Err(Error::Unavailable { .. })), "{out:?}");
        assert_eq!(store.zarinpal_payments().get(&t, s.payment.id).await.unwrap().status, ZarinpalStatus::Pending);
        fake.set_down(false);
        let out = store.sales().complete_zarinpal(&t, &s.payment.authority, gw.as_ref(), &Texts, Utc::now()).await;
        assert!(matches!(out, Ok(ZarinpalOutcome::Completed { .. })), "{out:?}");
        assert_eq!(counts(&store, &t).await, (1, 1, 1));
    }
}

#[tokio::test]
async fn a_cancelled_zarinpal_payment_is_marked_failed_and_a_top_up_credits_the_balance() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let fake = FakeZarinpal::start().await;
        let gw = gateway(&fake);
        let (t, _, user) = shop(&store, "alpha", MERCHANT_A, 5001).await;
        let sales = store.sales();
        let top_up = |amount| {
            sales.start_zarinpal_payment(
                &t,
                user,
                PaymentPurpose::TopUp,
                None,
                Some(Toman(amount)),
                gw.as_ref(),
                CALLBACK,
                "top-up",
                Utc::now(),
            )
        };
        let s = top_up(50_000).await.unwrap();
        fake.cancel(&s.payment.authority);
        assert!(store.sales().fail_zarinpal(&t, &s.payment.authority, "cancelled").await.unwrap());
        assert!(!store.sales().fail_zarinpal(&t, &s.payment.authority, "cancelled").await.unwrap());
        let out = store.sales().complete_zarinpal(&t, &s.payment.authority, gw.as_ref(), &Texts, Utc::now()).await;
        assert!(matches!(out, Ok(ZarinpalOutcome::Failed(_))), "{backend:?}: {out:?}");

        let s = top_up(70_000).await.unwrap();
        fake.pay(&s.payment.authority);
        let out = store.sales().complete_zarinpal(&t, &s.payment.authority, gw.as_ref(), &Texts, Utc::now()).await;
        let Ok(ZarinpalOutcome::Completed { fulfilment, .. }) = out else { panic!("{out:?}") };
        assert_eq!(fulfilment.balance_after, Some(Toman(70_000)));
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, Toman(70_000));
        let texts: Vec<String> =
            store.notifications().list(&t, None, Page::default()).await.unwrap().into_iter().map(|n| n.text).collect();
        assert_eq!(texts, vec!["En paid zarinpal 70000 balance Some(Toman(70000))".to_owned()]);
    }
}

#[tokio::test]
async fn stars_are_priced_checked_at_pre_checkout_credited_once_and_refunded_once() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, plan, user) = shop(&store, "alpha", MERCHANT_A, 5001).await;
        let (other, _, _) = shop(&store, "beta", MERCHANT_B, 5002).await;
        let sales = store.sales();
        let p =
            sales.start_stars_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, Utc::now()).await.unwrap();
        assert_eq!(p.stars, 150, "{backend:?}: 150,000 Toman at 1,000 a Star");
        let payer = TgUserId(5001);
        assert!(sales.check_pre_checkout(&t, payer, &p.payload, 150, "XTR", Utc::now()).await.is_ok());
        assert!(
            sales.check_pre_checkout(&t, payer, &p.payload, 149, "XTR", Utc::now()).await.is_err(),
            "another total"
        );
        assert!(
            sales.check_pre_checkout(&t, payer, &p.payload, 150, "USD", Utc::now()).await.is_err(),
            "another currency"
        );
        assert!(
            sales.check_pre_checkout(&t, TgUserId(9), &p.payload, 150, "XTR", Utc::now()).await.is_err(),
            "another payer"
        );
        assert!(
            sales.check_pre_checkout(&other, payer, &p.payload, 150, "XTR", Utc::now()).await.is_err(),
            "another tenant"
        );
        assert!(sales.check_pre_checkout(&t, payer, "st-nope", 150, "XTR", Utc::now()).await.is_err());

        let done = sales.complete_stars(&t, &p.payload, "charge-1", 150, "XTR", &Texts, Utc::now()).await.unwrap();
        assert!(done.fulfilment.is_some());
        assert_eq!(done.payment.status, StarsStatus::Paid);
        let replay = sales.complete_stars(&t, &p.payload, "charge-1", 150, "XTR", &Texts, Utc::now()).await.unwrap();
        assert!(replay.fulfilment.is_none(), "{backend:?}: a replayed successful_payment credits once");
        assert!(sales.check_pre_checkout(&t, payer, &p.payload, 150, "XTR", Utc::now()).await.is_err(), "already paid");
        assert_eq!(counts(&store, &t).await, (1, 1, 1));
        let sub = store.subscriptions().current_for_user(&t, user).await.unwrap().unwrap();

        // A refund takes the plan's days back (down to now: expired) and queues the panel change.
        assert!(sales.begin_stars_refund(&other, "charge-1").await.is_err(), "another tenant's charge");
        let reserved = sales.begin_stars_refund(&t, "charge-1").await.unwrap();
        assert_eq!(reserved.status, StarsStatus::Refunding);
        let r = sales.settle_stars_refund(&t, "charge-1", &Texts, Utc::now()).await.unwrap();
        assert!(r.newly_applied);
        assert_eq!(r.payment.status, StarsStatus::Refunded);
        let again = sales.settle_stars_refund(&t, "charge-1", &Texts, Utc::now()).await.unwrap();
        assert!(!again.newly_applied, "{backend:?}: refunded once");
        assert!(matches!(sales.begin_stars_refund(&t, "charge-1").await, Err(Error::Conflict(_))));
        let after = store.subscriptions().get(&t, sub.id).await.unwrap();
        assert!(after.expires_at <= Utc::now(), "{backend:?}: {after:?}");
        assert_eq!(counts(&store, &t).await, (2, 2, 2), "a refund transaction, a panel change, a message");

        // A Stars top-up is refunded from the balance, once, and not after it was spent.
        let p = sales
            .start_stars_payment(&t, user, PaymentPurpose::TopUp, None, Some(Toman(20_000)), Utc::now())
            .await
            .unwrap();
        assert_eq!(p.stars, 20);
        sales.complete_stars(&t, &p.payload, "charge-3", 20, "XTR", &Texts, Utc::now()).await.unwrap();
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, Toman(20_000));
        sales.begin_stars_refund(&t, "charge-3").await.unwrap();
        sales.settle_stars_refund(&t, "charge-3", &Texts, Utc::now()).await.unwrap();
        sales.settle_stars_refund(&t, "charge-3", &Texts, Utc::now()).await.unwrap();
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, Toman(0), "{backend:?}");
        assert!(matches!(sales.begin_stars_refund(&t, "charge-3").await, Err(Error::Conflict(_))));
    }
}

#[tokio::test]
async fn a_cancel_from_the_browser_is_checked_with_the_gateway_before_a_payment_is_failed() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let fake = FakeZarinpal::start().await;
        let gw = gateway(&fake);
        let (t, plan, user) = shop(&store, "alpha", MERCHANT_A, 5001).await;
        let sales = store.sales();
        let start = || {
            sales.start_zarinpal_payment(
                &t,
                user,
                PaymentPurpose::Purchase,
                Some(plan),
                None,
                gw.as_ref(),
                CALLBACK,
                "Monthly",
                Utc::now(),
            )
        };

        // The customer paid; a forged `Status=NOK` completes the order instead of failing it.
        let paid = start().await.unwrap().payment;
        fake.pay(&paid.authority);
        let out = sales.cancel_zarinpal(&t, &paid.authority, gw.as_ref(), &Texts, Utc::now()).await.unwrap();
        assert!(matches!(out, ZarinpalOutcome::Completed { .. }), "{backend:?}: {out:?}");
        assert_eq!(counts(&store, &t).await, (1, 1, 1), "{backend:?}");
        let out = sales.complete_zarinpal(&t, &paid.authority, gw.as_ref(), &Texts, Utc::now()).await.unwrap();
        assert!(matches!(out, ZarinpalOutcome::AlreadyCompleted(_)), "{backend:?}: the real OK finds it done");

        // Not paid yet: a `NOK` leaves it open; the customer pays after all and it completes.
        let open = start().await.unwrap().payment;
        let out = sales.cancel_zarinpal(&t, &open.authority, gw.as_ref(), &Texts, Utc::now()).await.unwrap();
        assert!(matches!(out, ZarinpalOutcome::Pending(_)), "{backend:?}: {out:?}");
        assert_eq!(store.zarinpal_payments().get(&t, open.id).await.unwrap().status, ZarinpalStatus::Pending);
        fake.pay(&open.authority);
        let out = sales.complete_zarinpal(&t, &open.authority, gw.as_ref(), &Texts, Utc::now()).await.unwrap();
        assert!(matches!(out, ZarinpalOutcome::Completed { .. }), "{backend:?}: {out:?}");

        // Cancelled at the gateway: failed, with the reason.
        let cancelled = start().await.unwrap().payment;
        fake.cancel(&cancelled.authority);
        let out = sales.cancel_zarinpal(&t, &cancelled.authority, gw.as_ref(), &Texts, Utc::now()).await.unwrap();
        let ZarinpalOutcome::Failed(row) = out else { panic!("{backend:?}: {out:?}") };
        assert_eq!(row.fail_reason.as_deref(), Some("cancelled by the customer"));

        // The gateway does not answer: nothing changes.
        let unknown = start().await.unwrap().payment;
        fake.set_down(true);
        let out = sales.cancel_zarinpal(&t, &unknown.authority, gw.as_ref(), &Texts, Utc::now()).await;
        assert!(matches!(out, Err(Error::Unavailable { .. })), "{backend:?}: {out:?}");
        fake.set_down(false);
        assert_eq!(store.zarinpal_payments().get(&t, unknown.id).await.unwrap().status, ZarinpalStatus::Pending);
        assert_eq!(counts(&store, &t).await, (2, 2, 2), "{backend:?}: two orders completed, once each");
    }
}

#[tokio::test]
async fn a_payment_marked_failed_still_completes_once_when_the_gateway_confirms_it() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let fake = FakeZarinpal::start().await;
        let gw = gateway(&fake);
        let (t, plan, user) = shop(&store, "alpha", MERCHANT_A, 5001).await;
        let sales = store.sales();
        let s = sales
            .start_zarinpal_payment(
                &t,
                user,
                PaymentPurpose::Purchase,
                Some(plan),
                None,
                gw.as_ref(),
                CALLBACK,
                "Monthly",
                Utc::now(),
            )
            .await
            .unwrap();
        // Marked failed (an earlier reconciliation gave up), then the customer's money arrives.
        assert!(sales.fail_zarinpal(&t, &s.payment.authority, "never paid").await.unwrap());
        let out = sales.complete_zarinpal(&t, &s.payment.authority, gw.as_ref(), &Texts, Utc::now()).await.unwrap();
        assert!(matches!(out, ZarinpalOutcome::Failed(_)), "{backend:?}: still not paid: {out:?}");
        fake.pay(&s.payment.authority);
        let failed = sales.failed_zarinpal(&t, Utc::now() - chrono::Duration::hours(1)).await.unwrap();
        assert_eq!(failed.iter().map(|p| p.id).collect::<Vec<_>>(), vec![s.payment.id]);
        let out = sales.complete_zarinpal(&t, &s.payment.authority, gw.as_ref(), &Texts, Utc::now()).await.unwrap();
        let ZarinpalOutcome::Completed { payment, .. } = out else { panic!("{backend:?}: {out:?}") };
        assert_eq!((payment.status, payment.fail_reason), (ZarinpalStatus::Paid, None));
        let out = sales.complete_zarinpal(&t, &s.payment.authority, gw.as_ref(), &Texts, Utc::now()).await.unwrap();
        assert!(matches!(out, ZarinpalOutcome::AlreadyCompleted(_)), "{backend:?}");
        assert_eq!(counts(&store, &t).await, (1, 1, 1), "{backend:?}");
        assert!(sales.failed_zarinpal(&t, Utc::now() - chrono::Duration::hours(1)).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_stars_order_paid_twice_records_the_second_charge_credits_it_and_a_refund_finds_it() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, plan, user) = shop(&store, "alpha", MERCHANT_A, 5001).await;
        let sales = store.sales();
        let now = Utc::now();
        let p = sales.start_stars_payment(&t, user, PaymentPurpose::Purchase, Some(plan), None, now).await.unwrap();
        // Two pre-checkouts were accepted while the order was unpaid; both charges arrive.
        let payer = TgUserId(5001);
        assert!(sales.check_pre_checkout(&t, payer, &p.payload, 150, "XTR", now).await.is_ok());
        assert!(sales.check_pre_checkout(&t, payer, &p.payload, 150, "XTR", now).await.is_ok());
        let first = sales.complete_stars(&t, &p.payload, "charge-1", 150, "XTR", &Texts, now).await.unwrap();
        assert!(!first.duplicate && first.fulfilment.is_some());
        let second = sales.complete_stars(&t, &p.payload, "charge-2", 150, "XTR", &Texts, now).await.unwrap();
        assert!(second.duplicate, "{backend:?}");
        let dup = second.payment.clone();
        assert_ne!(dup.id, p.id);
        assert_eq!(dup.duplicate_of, Some(p.id));
        assert_eq!(
            (dup.status, dup.purpose, dup.stars, dup.amount),
            (StarsStatus::Paid, PaymentPurpose::TopUp, 150, Toman(150_000))
        );
        assert_eq!(dup.telegram_charge_id.as_deref(), Some("charge-2"));
        assert_eq!(second.fulfilment.unwrap().balance_after, Some(Toman(150_000)));
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, Toman(150_000), "{backend:?}: never lost");
        let texts: Vec<String> =
            store.notifications().list(&t, None, Page::default()).await.unwrap().into_iter().map(|n| n.text).collect();
        assert!(texts.iter().any(|t| t.contains("already paid") && t.contains("150 Stars")), "{texts:?}");

        // Replays of either charge change nothing; the original order was delivered once.
        for charge in ["charge-1", "charge-2"] {
            let replay = sales.complete_stars(&t, &p.payload, charge, 150, "XTR", &Texts, now).await.unwrap();
            assert!(replay.fulfilment.is_none() && !replay.duplicate, "{backend:?}: {charge}");
        }
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, Toman(150_000));
        assert_eq!(counts(&store, &t).await, (2, 1, 2), "{backend:?}: the purchase and the credit");
        assert_eq!(sales.stars_by_charge(&t, "charge-2").await.unwrap().map(|s| s.id), Some(dup.id));

        // `/refund_stars charge-2` finds it and takes the credit back.
        assert_eq!(sales.begin_stars_refund(&t, "charge-2").await.unwrap().status, StarsStatus::Refunding);
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, Toman::ZERO);
        let refund = sales.settle_stars_refund(&t, "charge-2", &Texts, now).await.unwrap();
        assert_eq!(refund.payment.status, StarsStatus::Refunded, "{backend:?}");
        assert_eq!(sales.stars_payment(&t, p.id).await.unwrap().status, StarsStatus::Paid, "the order stands");
    }
}

#[tokio::test]
async fn a_stars_refund_is_reserved_before_telegram_is_asked_and_a_failure_leaves_a_record() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, plan, user) = shop(&store, "alpha", MERCHANT_A, 5001).await;
        let sales = store.sales();
        let now = Utc::now();
        let top_up =
            |amount: i64| sales.start_stars_payment(&t, user, PaymentPurpose::TopUp, None, Some(Toman(amount)), now);
        let p = top_up(150_000).await.unwrap();
        sales.complete_stars(&t, &p.payload, "charge-1", 150, "XTR", &Texts, now).await.unwrap();
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, Toman(150_000));

        // Reserved first: the money being refunded cannot be spent while Telegram is asked.
        let reserved = sales.begin_stars_refund(&t, "charge-1").await.unwrap();
        assert_eq!(reserved.status, StarsStatus::Refunding, "{backend:?}");
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, Toman::ZERO);
        let spend = sales.pay_from_balance(&t, user, PaymentPurpose::Purchase, plan, "spend-1", now).await;
        assert!(matches!(spend, Err(Error::InsufficientBalance { .. })), "{backend:?}: {spend:?}");

        // Injected: Telegram refuses. The reservation is undone and the reason recorded.
        let released = sales.release_stars_refund(&t, "charge-1", "Bad Request: CHARGE_NOT_FOUND").await.unwrap();
        assert_eq!(released.status, StarsStatus::Paid, "{backend:?}");
        assert_eq!(released.refund_error.as_deref(), Some("Bad Request: CHARGE_NOT_FOUND"));
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, Toman(150_000));
        let history = store.balances().history(&t, user, Page::default()).await.unwrap();
        let kinds: Vec<(&str, i64)> = history.iter().rev().map(|e| (e.kind.as_str(), e.amount.0)).collect();
        assert_eq!(kinds, vec![("deposit", 150_000), ("refund", -150_000), ("refund_undone", 150_000)], "{backend:?}");

        // Injected: the process stops after Telegram refunded, before settling. The payment
        // stays `refunding`, listed as such; the same command resumes without debiting twice.
        sales.begin_stars_refund(&t, "charge-1").await.unwrap();
        let stuck = sales.stars_payments(&t, Some(StarsStatus::Refunding), Page::default()).await.unwrap();
        assert_eq!(stuck.iter().map(|s| s.id).collect::<Vec<_>>(), vec![p.id], "{backend:?}");
        let resumed = sales.begin_stars_refund(&t, "charge-1").await.unwrap();
        assert_eq!(resumed.status, StarsStatus::Refunding);
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, Toman::ZERO, "{backend:?}: debited once");
        let done = sales.settle_stars_refund(&t, "charge-1", &Texts, now).await.unwrap();
        assert!(done.newly_applied);
        assert_eq!(done.payment.status, StarsStatus::Refunded);
        assert_eq!(store.users().get(&t, user).await.unwrap().balance, Toman::ZERO);
        let refunds = store.transactions().list(&t, Some(user), Page::default()).await.unwrap();
        assert_eq!(
            refunds.iter().filter(|tx| tx.kind == remnabot_store::transactions::TransactionKind::Refund).count(),
            1
        );

        // A top-up already spent cannot be reserved: nothing is refunded at Telegram.
        let q = top_up(150_000).await.unwrap();
        sales.complete_stars(&t, &q.payload, "charge-2", 150, "XTR", &Texts, now).await.unwrap();
        sales.pay_from_balance(&t, user, PaymentPurpose::Purchase, plan, "spend-2", now).await.unwrap();
        let refused = sales.begin_stars_refund(&t, "charge-2").await;
        assert!(matches!(refused, Err(Error::InsufficientBalance { .. })), "{backend:?}: {refused:?}");
        assert_eq!(sales.stars_payment(&t, q.id).await.unwrap().status, StarsStatus::Paid);
        assert!(
            matches!(sales.settle_stars_refund(&t, "charge-2", &Texts, now).await, Err(Error::Conflict(_))),
            "settling needs a reservation"
        );
    }
}
