#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The sales service: quotes, card-to-card payments completed exactly once (also under 20
//! concurrent approvals), rejection, expiry, paying from the balance, the tenant's wholesale
//! charge, referral rewards and discount codes, on SQLite and (with `TEST_DATABASE_URL`)
//! PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use remnabot_domain::config::Language;
use remnabot_domain::notify::CallbackButton;
use remnabot_domain::{Error, Page, PaymentId, PlanId, Tenant, TgUserId, Toman, UserId};
use remnabot_store::outbox::{EditTarget, Notification};
use remnabot_store::payments::{
    CardPayment, NewReviewMessage, PaymentPurpose, PaymentStatus, Receipt, ReceiptKind, review_edit_text,
};
use remnabot_store::plans::PlanSpec;
use remnabot_store::promos::{PromoCodeSpec, PromoKind};
use remnabot_store::sales::{Reviewer, SaleTexts};
use remnabot_store::users::NewUser;
use remnabot_store::{Store, testing};
use serde_json::json;

struct Texts;

impl SaleTexts for Texts {
    fn card_approved(&self, lang: Language, p: &CardPayment, balance_after: Option<Toman>) -> String {
        format!("{lang:?} approved {} balance {balance_after:?}", p.tracking_code)
    }
    fn card_rejected(&self, lang: Language, p: &CardPayment) -> String {
        format!("{lang:?} rejected {} because {:?}", p.tracking_code, p.reject_reason)
    }
    fn card_expired(&self, lang: Language, p: &CardPayment) -> String {
        format!("{lang:?} expired {}", p.tracking_code)
    }
}

async fn customer(store: &Store, t: &Tenant, tg: i64, referred_by: Option<UserId>) -> UserId {
    let new = NewUser {
        telegram_id: TgUserId(tg),
        username: None,
        first_name: Some("Sara".to_owned()),
        language: Language::En,
        referred_by,
    };
    store.users().register(t, new).await.unwrap().0.id
}

async fn plan(store: &Store, t: &Tenant, price: i64, traffic_gb: u32) -> PlanId {
    let spec = PlanSpec {
        name: "Monthly".to_owned(),
        description: None,
        period_days: 30,
        traffic_gb,
        device_limit: 2,
        price: Toman(price),
        sort_order: 0,
    };
    store.plans().create(t, spec).await.unwrap().id
}

fn photo() -> Receipt {
    Receipt { kind: ReceiptKind::Photo, file_id: Some("AgACphoto".to_owned()), file_unique_id: None, text: None }
}

async fn notification_texts(store: &Store, t: &Tenant) -> Vec<String> {
    store.notifications().list(t, None, Page::default()).await.unwrap().into_iter().map(|n| n.text).collect()
}

/// A tenant with a card, a 100,000 Toman plan of 10 GB, and a customer.
async fn shop(store: &Store, name: &str) -> (Tenant, PlanId, UserId) {
    let (_, t) = testing::tenant(store, name).await;
    store.cards().create(&t, testing::card_spec(7)).await.unwrap();
    let p = plan(store, &t, 100_000, 10).await;
    let u = customer(store, &t, 5001, None).await;
    (t, p, u)
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

#[tokio::test]
async fn an_approved_card_payment_completes_the_order_once() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "shop").await;
        store.configs().set(&t, "wholesale_price_per_gb", json!(1_000)).await.unwrap();
        store.wallets().credit(&t, Toman(50_000), "deposit", "seed").await.unwrap();
        let (payment, card) =
            store.sales().start_card_payment(&t, u, PaymentPurpose::Purchase, Some(p), None, now()).await.unwrap();
        assert_eq!(payment.amount, Toman(100_000));
        assert_eq!(payment.card_id, card.id);
        assert!(payment.expires_at > now() + Duration::minutes(29), "{backend:?}");

        let with_receipt = store.sales().submit_receipt(&t, u, payment.id, photo(), now()).await.unwrap();
        assert!(with_receipt.expires_at > now() + Duration::hours(23), "the admins get a day to review");
        let again = store.sales().submit_receipt(&t, u, payment.id, photo(), now()).await;
        assert!(matches!(again, Err(Error::Conflict(_))), "one receipt per order: {again:?}");

        let approval = store
            .sales()
            .approve_card_payment(&t, payment.id, Reviewer::Admin(TgUserId(42)), &Texts, now())
            .await
            .unwrap();
        assert_eq!(approval.payment.status, PaymentStatus::Approved);
        assert_eq!(approval.payment.reviewed_by, Some(TgUserId(42)));
        let provisioned = approval.fulfilment.provisioned.clone().expect("a purchase provisions");
        assert_eq!(provisioned.subscription.traffic_limit_bytes, 10 << 30);
        assert_eq!(approval.fulfilment.transaction.amount, Toman(100_000));
        assert_eq!(approval.fulfilment.transaction.payment_method.as_deref(), Some("card_to_card"));

        // The wholesale cost (10 GB x 1,000) left the tenant's wallet, once.
        assert_eq!(store.wallets().balance(&t).await.unwrap(), Toman(40_000));
        assert_eq!(store.cards().get(&t, card.id).await.unwrap().success_count, 1);
        let texts = notification_texts(&store, &t).await;
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(texts[0].starts_with("En approved"), "{texts:?}");

        let second = store.sales().approve_card_payment(&t, payment.id, Reviewer::Api, &Texts, now()).await;
        assert!(matches!(&second, Err(Error::Conflict(m)) if m.contains("already approved")), "{second:?}");
        let reject = store.sales().reject_card_payment(&t, payment.id, Reviewer::Api, None, &Texts, now()).await;
        assert!(matches!(reject, Err(Error::Conflict(_))));
        assert_eq!(store.transactions().list(&t, None, Page::default()).await.unwrap().len(), 1);
        assert_eq!(store.provisioning().list(&t, None, Page::default()).await.unwrap().len(), 1);
        assert_eq!(store.wallets().balance(&t).await.unwrap(), Toman(40_000));
    }
}

#[tokio::test]
async fn twenty_concurrent_approvals_complete_once() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "rush").await;
        let (payment, _) =
            store.sales().start_card_payment(&t, u, PaymentPurpose::Purchase, Some(p), None, now()).await.unwrap();
        store.sales().submit_receipt(&t, u, payment.id, photo(), now()).await.unwrap();
        let store = Arc::new(store);
        let mut tasks = Vec::new();
        for i in 0..20 {
            let (store, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move {
                store.sales().approve_card_payment(&t, payment.id, Reviewer::Admin(TgUserId(i)), &Texts, now()).await
            }));
        }
        let mut won = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => won += 1,
                Err(Error::Conflict(m)) => assert!(m.contains("already approved"), "{m}"),
                Err(e) => panic!("{backend:?}: {e:?}"),
            }
        }
        assert_eq!(won, 1, "{backend:?}");
        assert_eq!(store.transactions().list(&t, None, Page::default()).await.unwrap().len(), 1);
        assert_eq!(store.provisioning().list(&t, None, Page::default()).await.unwrap().len(), 1);
        assert_eq!(notification_texts(&store, &t).await.len(), 1);
        let subs = store.subscriptions().list(&t, None, Page::default()).await.unwrap();
        assert_eq!(subs.len(), 1);
        assert!(subs[0].expires_at < now() + Duration::days(31), "extended once, not 20 times");
    }
}

#[tokio::test]
async fn a_rejected_payment_cannot_be_approved_and_tells_the_customer_why() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "strict").await;
        let (payment, _) =
            store.sales().start_card_payment(&t, u, PaymentPurpose::Purchase, Some(p), None, now()).await.unwrap();
        let rejected = store
            .sales()
            .reject_card_payment(&t, payment.id, Reviewer::Admin(TgUserId(9)), Some("blurry".to_owned()), &Texts, now())
            .await
            .unwrap();
        assert_eq!(rejected.status, PaymentStatus::Rejected);
        let approve = store.sales().approve_card_payment(&t, payment.id, Reviewer::Api, &Texts, now()).await;
        assert!(matches!(&approve, Err(Error::Conflict(m)) if m.contains("rejected")), "{approve:?}");
        assert!(store.transactions().list(&t, None, Page::default()).await.unwrap().is_empty());
        assert!(store.provisioning().list(&t, None, Page::default()).await.unwrap().is_empty());
        assert_eq!(
            notification_texts(&store, &t).await,
            vec![format!("En rejected {} because Some(\"blurry\")", payment.tracking_code)]
        );
    }
}

#[tokio::test]
async fn another_tenant_cannot_review_or_receipt_a_payment() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (a, p, u) = shop(&store, "a").await;
        let (b, _, ub) = shop(&store, "b").await;
        let (payment, _) =
            store.sales().start_card_payment(&a, u, PaymentPurpose::Purchase, Some(p), None, now()).await.unwrap();
        let r = store.sales().approve_card_payment(&b, payment.id, Reviewer::Api, &Texts, now()).await;
        assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
        let r = store.sales().submit_receipt(&b, ub, payment.id, photo(), now()).await;
        assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
        // Nor can another customer of the same tenant send its receipt.
        let other = customer(&store, &a, 777, None).await;
        let r = store.sales().submit_receipt(&a, other, payment.id, photo(), now()).await;
        assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
        assert_eq!(store.card_payments().get(&a, payment.id).await.unwrap().status, PaymentStatus::Pending);
    }
}

#[tokio::test]
async fn a_top_up_credits_the_balance_and_rewards_the_inviter_once() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, _, inviter) = shop(&store, "topup").await;
        store.configs().set(&t, "referral_percent", json!(10)).await.unwrap();
        let invited = customer(&store, &t, 6001, Some(inviter)).await;
        let bad =
            store.sales().start_card_payment(&t, invited, PaymentPurpose::TopUp, None, Some(Toman(10)), now()).await;
        assert!(matches!(bad, Err(Error::Invalid { field: "top_up", .. })), "{bad:?}");
        let (payment, _) = store
            .sales()
            .start_card_payment(&t, invited, PaymentPurpose::TopUp, None, Some(Toman(250_000)), now())
            .await
            .unwrap();
        let approval = store.sales().approve_card_payment(&t, payment.id, Reviewer::Api, &Texts, now()).await.unwrap();
        assert_eq!(approval.fulfilment.balance_after, Some(Toman(250_000)));
        assert!(approval.fulfilment.provisioned.is_none());
        assert_eq!(store.users().get(&t, invited).await.unwrap().balance, Toman(250_000));
        assert_eq!(store.users().get(&t, inviter).await.unwrap().balance, Toman(25_000));
        assert_eq!(store.referral_earnings().total_for_referrer(&t, inviter).await.unwrap(), Toman(25_000));
        let again = store.sales().approve_card_payment(&t, payment.id, Reviewer::Api, &Texts, now()).await;
        assert!(again.is_err());
        assert_eq!(store.users().get(&t, inviter).await.unwrap().balance, Toman(25_000));
    }
}

#[tokio::test]
async fn paying_from_the_balance_applies_once_per_key_and_never_overdraws() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "wallet").await;
        store.configs().set(&t, "referral_percent", json!(10)).await.unwrap();
        let poor = store.sales().pay_from_balance(&t, u, PaymentPurpose::Purchase, p, "order-1", now()).await;
        assert!(matches!(poor, Err(Error::InsufficientBalance { .. })), "{poor:?}");
        store
            .balances()
            .post(&t, u, remnabot_store::ledger::Posting::credit(Toman(150_000), "deposit", "seed").unwrap())
            .await
            .unwrap();
        let first = store.sales().pay_from_balance(&t, u, PaymentPurpose::Purchase, p, "order-1", now()).await.unwrap();
        assert!(first.newly_applied);
        assert_eq!(first.balance_after, Some(Toman(50_000)));
        let again = store.sales().pay_from_balance(&t, u, PaymentPurpose::Purchase, p, "order-1", now()).await.unwrap();
        assert!(!again.newly_applied);
        assert_eq!(again.transaction.id, first.transaction.id);
        assert_eq!(store.users().get(&t, u).await.unwrap().balance, Toman(50_000));
        let second = store.sales().pay_from_balance(&t, u, PaymentPurpose::Renewal, p, "order-2", now()).await;
        assert!(matches!(second, Err(Error::InsufficientBalance { .. })), "{second:?}");
        assert_eq!(store.provisioning().list(&t, None, Page::default()).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_sale_the_wallet_cannot_cover_is_refused_before_payment() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "short").await;
        store.configs().set(&t, "wholesale_price_per_gb", json!(5_000)).await.unwrap();
        store.wallets().credit(&t, Toman(20_000), "deposit", "seed").await.unwrap();
        let r = store.sales().start_card_payment(&t, u, PaymentPurpose::Purchase, Some(p), None, now()).await;
        assert!(
            matches!(r, Err(Error::TenantWalletShort { available: Toman(20_000), needed: Toman(50_000) })),
            "{r:?}"
        );
        assert!(store.card_payments().list(&t, None, Page::default()).await.unwrap().is_empty());
        // A credit limit counts as available.
        store
            .platform()
            .update(
                t.bot_id(),
                remnabot_store::platform::BotChanges { name: None, wallet_credit_limit: Some(Toman(30_000)) },
            )
            .await
            .unwrap();
        let q = store.sales().quote(&t, u, p).await.unwrap();
        assert_eq!(q.wholesale_cost, Toman(50_000));
    }
}

#[tokio::test]
async fn a_discount_code_prices_the_next_order_and_is_spent_by_it() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "promo").await;
        let spec = PromoCodeSpec {
            code: "HALF".to_owned(),
            kind: PromoKind::Discount,
            value: 50,
            max_uses: 0,
            valid_from: None,
            valid_until: None,
        };
        store.promo_codes().create(&t, spec.clone()).await.unwrap();
        store.promo_codes().create(&t, PromoCodeSpec { code: "FIFTH".to_owned(), value: 20, ..spec }).await.unwrap();
        store.promo_codes().redeem(&t, "fifth", u, now()).await.unwrap();
        store.promo_codes().redeem(&t, "half", u, now()).await.unwrap();
        let q = store.sales().quote(&t, u, p).await.unwrap();
        assert_eq!((q.discount_percent, q.price), (50, Toman(50_000)));
        let (payment, _) =
            store.sales().start_card_payment(&t, u, PaymentPurpose::Purchase, Some(p), None, now()).await.unwrap();
        assert_eq!(payment.amount, Toman(50_000));
        store.sales().approve_card_payment(&t, payment.id, Reviewer::Api, &Texts, now()).await.unwrap();
        let q = store.sales().quote(&t, u, p).await.unwrap();
        assert_eq!((q.discount_percent, q.price), (20, Toman(80_000)), "the best code was spent, the other kept");
    }
}

#[tokio::test]
async fn unreviewed_payments_expire_once_and_the_customer_is_told() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "late").await;
        let (payment, _) =
            store.sales().start_card_payment(&t, u, PaymentPurpose::Purchase, Some(p), None, now()).await.unwrap();
        assert_eq!(store.sales().awaiting_receipt(&t, u, now()).await.unwrap().map(|p| p.id), Some(payment.id));
        let later = now() + Duration::hours(1);
        assert!(store.sales().awaiting_receipt(&t, u, later).await.unwrap().is_none());
        let expired = store.sales().expire_card_payments(&t, &Texts, later).await.unwrap();
        assert_eq!(expired.iter().map(|p| p.id).collect::<Vec<_>>(), vec![payment.id]);
        assert!(store.sales().expire_card_payments(&t, &Texts, later).await.unwrap().is_empty());
        assert_eq!(notification_texts(&store, &t).await, vec![format!("En expired {}", payment.tracking_code)]);
        let approve = store.sales().approve_card_payment(&t, payment.id, Reviewer::Api, &Texts, later).await;
        assert!(matches!(&approve, Err(Error::Conflict(m)) if m.contains("expired")), "{approve:?}");
    }
}

#[tokio::test]
async fn a_fully_discounted_order_completes_once_without_money_and_spends_the_code() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "free").await;
        store.configs().set(&t, "wholesale_price_per_gb", json!(1_000)).await.unwrap();
        store.wallets().credit(&t, Toman(50_000), "deposit", "seed").await.unwrap();
        let spec = PromoCodeSpec {
            code: "GIFT".to_owned(),
            kind: PromoKind::Discount,
            value: 100,
            max_uses: 0,
            valid_from: None,
            valid_until: None,
        };
        store.promo_codes().create(&t, spec).await.unwrap();
        store.promo_codes().redeem(&t, "gift", u, now()).await.unwrap();
        let q = store.sales().quote(&t, u, p).await.unwrap();
        assert_eq!((q.discount_percent, q.price), (100, Toman::ZERO));

        // No balance needed; the customer's balance stays at zero.
        let first = store.sales().pay_from_balance(&t, u, PaymentPurpose::Purchase, p, "free-1", now()).await.unwrap();
        assert!(first.newly_applied);
        assert_eq!(first.transaction.amount, Toman::ZERO);
        assert_eq!(first.balance_after, Some(Toman::ZERO));
        assert!(first.provisioned.is_some());
        let again = store.sales().pay_from_balance(&t, u, PaymentPurpose::Purchase, p, "free-1", now()).await.unwrap();
        assert!(!again.newly_applied);
        assert_eq!(again.transaction.id, first.transaction.id);
        assert_eq!(store.provisioning().list(&t, None, Page::default()).await.unwrap().len(), 1);
        // The tenant still pays its wholesale cost once: 10 GB at 1,000 Toman.
        assert_eq!(store.wallets().balance(&t).await.unwrap(), Toman(40_000));
        // The code is spent: the next order is full price and cannot be had for free.
        let q = store.sales().quote(&t, u, p).await.unwrap();
        assert_eq!((q.discount_percent, q.price), (0, Toman(100_000)));
        let paid = store.sales().pay_from_balance(&t, u, PaymentPurpose::Renewal, p, "free-2", now()).await;
        assert!(matches!(paid, Err(Error::InsufficientBalance { .. })), "{paid:?}");
        assert_eq!(store.transactions().list(&t, Some(u), Page::default()).await.unwrap().len(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// The admins' copies of a receipt show the outcome
// ---------------------------------------------------------------------------------------------

/// Texts that keep a Details button under reviewed copies, as the bot does.
struct WithButton;

impl SaleTexts for WithButton {
    fn card_approved(&self, lang: Language, p: &CardPayment, balance_after: Option<Toman>) -> String {
        Texts.card_approved(lang, p, balance_after)
    }
    fn card_rejected(&self, lang: Language, p: &CardPayment) -> String {
        Texts.card_rejected(lang, p)
    }
    fn card_expired(&self, lang: Language, p: &CardPayment) -> String {
        Texts.card_expired(lang, p)
    }
    fn review_outcome(&self, lang: Language, p: &CardPayment) -> String {
        format!("{lang:?} outcome {:?} by {:?}", p.status, p.reviewed_by)
    }
    fn review_button(&self, lang: Language, p: &CardPayment) -> Option<CallbackButton> {
        Some(CallbackButton { text: format!("{lang:?} details"), data: format!("adm:info:{}", p.id) })
    }
}

/// Texts whose button cannot be queued (over 64 bytes of data): queuing the edits fails.
struct BrokenButton;

impl SaleTexts for BrokenButton {
    fn card_approved(&self, lang: Language, p: &CardPayment, balance_after: Option<Toman>) -> String {
        Texts.card_approved(lang, p, balance_after)
    }
    fn card_rejected(&self, lang: Language, p: &CardPayment) -> String {
        Texts.card_rejected(lang, p)
    }
    fn card_expired(&self, lang: Language, p: &CardPayment) -> String {
        Texts.card_expired(lang, p)
    }
    fn review_button(&self, _: Language, _: &CardPayment) -> Option<CallbackButton> {
        Some(CallbackButton { text: "details".to_owned(), data: "x".repeat(65) })
    }
}

/// A photo copy in an admin's chat and a text copy in the admin group.
fn copies() -> [NewReviewMessage; 2] {
    [
        NewReviewMessage {
            chat_id: 700,
            message_id: 11,
            has_caption: true,
            language: Language::Fa,
            text: "receipt for admin 700".to_owned(),
        },
        NewReviewMessage {
            chat_id: -100_500,
            message_id: 12,
            has_caption: false,
            language: Language::Ru,
            text: "receipt for the group".to_owned(),
        },
    ]
}

/// A pending payment with a photo receipt whose two copies were recorded.
async fn reviewed_order(store: &Store, t: &Tenant, p: PlanId, u: UserId) -> CardPayment {
    let (payment, _) =
        store.sales().start_card_payment(t, u, PaymentPurpose::Purchase, Some(p), None, now()).await.unwrap();
    let payment = store.sales().submit_receipt(t, u, payment.id, photo(), now()).await.unwrap();
    for copy in copies() {
        store.card_payments().record_review_message(t, payment.id, copy, &WithButton, now()).await.unwrap();
    }
    payment
}

async fn edits(store: &Store, t: &Tenant) -> Vec<(Notification, EditTarget)> {
    let mut all: Vec<_> = store
        .notifications()
        .list(t, None, Page::default())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|n| n.edit.clone().map(|e| (n, e)))
        .collect();
    all.sort_by_key(|(n, _)| n.id);
    all
}

#[tokio::test]
async fn approving_queues_one_edit_per_recorded_copy_with_the_outcome_and_only_details() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "copies").await;
        let payment = reviewed_order(&store, &t, p, u).await;
        assert!(edits(&store, &t).await.is_empty(), "nothing to edit while pending");
        assert_eq!(store.card_payments().review_messages(&t, payment.id).await.unwrap().len(), 2);

        store
            .sales()
            .approve_card_payment(&t, payment.id, Reviewer::Admin(TgUserId(42)), &WithButton, now())
            .await
            .unwrap();
        let queued = edits(&store, &t).await;
        assert_eq!(queued.len(), 2, "{backend:?}: {queued:?}");
        let (photo_copy, photo_edit) = &queued[0];
        assert_eq!((photo_copy.chat_id, photo_edit.message_id, photo_edit.caption), (700, 11, true));
        assert_eq!(photo_copy.text, "receipt for admin 700\n\nFa outcome Approved by Some(TgUserId(42))");
        let details = CallbackButton { text: "Fa details".to_owned(), data: format!("adm:info:{}", payment.id) };
        assert_eq!(photo_edit.button, Some(details));
        let (group_copy, group_edit) = &queued[1];
        assert_eq!((group_copy.chat_id, group_edit.message_id, group_edit.caption), (-100_500, 12, false));
        assert_eq!(group_copy.text, "receipt for the group\n\nRu outcome Approved by Some(TgUserId(42))");
        // The customer's message is still the one new message.
        let sends: Vec<_> = store
            .notifications()
            .list(&t, None, Page::default())
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.edit.is_none())
            .collect();
        assert_eq!(sends.len(), 1);

        // Approving again, or rejecting after, queues nothing more.
        let again = store.sales().approve_card_payment(&t, payment.id, Reviewer::Api, &WithButton, now()).await;
        assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
        let reject = store.sales().reject_card_payment(&t, payment.id, Reviewer::Api, None, &WithButton, now()).await;
        assert!(matches!(reject, Err(Error::Conflict(_))), "{reject:?}");
        assert_eq!(edits(&store, &t).await.len(), 2);
    }
}

#[tokio::test]
async fn the_edits_are_queued_in_the_approvals_transaction() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "atomic").await;
        let payment = reviewed_order(&store, &t, p, u).await;
        // An edit that cannot be queued undoes the whole approval: no half-done review.
        let failed = store.sales().approve_card_payment(&t, payment.id, Reviewer::Api, &BrokenButton, now()).await;
        assert!(matches!(failed, Err(Error::Invalid { .. })), "{backend:?}: {failed:?}");
        assert_eq!(store.card_payments().get(&t, payment.id).await.unwrap().status, PaymentStatus::Pending);
        assert!(store.transactions().list(&t, None, Page::default()).await.unwrap().is_empty());
        assert!(store.notifications().list(&t, None, Page::default()).await.unwrap().is_empty());
        // With texts that work, the approval and both edits land together.
        store.sales().approve_card_payment(&t, payment.id, Reviewer::Api, &Texts, now()).await.unwrap();
        let queued = edits(&store, &t).await;
        assert_eq!(queued.len(), 2);
        assert!(queued[0].0.text.contains("\n\nApproved by API on "), "{:?}", queued[0].0.text);
        assert_eq!(queued[0].1.button, None, "the default texts leave no button");
    }
}

#[tokio::test]
async fn twenty_concurrent_approvals_queue_each_copys_edit_once() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "rush-copies").await;
        let payment = reviewed_order(&store, &t, p, u).await;
        let store = Arc::new(store);
        let mut tasks = Vec::new();
        for i in 0..20 {
            let (store, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move {
                store
                    .sales()
                    .approve_card_payment(&t, payment.id, Reviewer::Admin(TgUserId(i)), &WithButton, now())
                    .await
            }));
        }
        let mut won = 0;
        for task in tasks {
            if task.await.unwrap().is_ok() {
                won += 1;
            }
        }
        assert_eq!(won, 1, "{backend:?}");
        let queued = edits(&store, &t).await;
        assert_eq!(queued.len(), 2, "{backend:?}: {queued:?}");
        assert_ne!(queued[0].0.chat_id, queued[1].0.chat_id);
    }
}

#[tokio::test]
async fn rejection_and_expiry_show_on_every_copy_too() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "ends").await;
        let rejected = reviewed_order(&store, &t, p, u).await;
        store
            .sales()
            .reject_card_payment(
                &t,
                rejected.id,
                Reviewer::Admin(TgUserId(9)),
                Some("blurry".to_owned()),
                &Texts,
                now(),
            )
            .await
            .unwrap();
        let queued = edits(&store, &t).await;
        assert_eq!(queued.len(), 2, "{backend:?}");
        assert!(
            queued.iter().all(|(n, _)| n.text.contains("Rejected by 9 on") && n.text.ends_with(": blurry")),
            "{queued:?}"
        );

        // A second order of the customer is never reviewed: expiry edits its copies.
        let expiring = {
            let (payment, _) =
                store.sales().start_card_payment(&t, u, PaymentPurpose::Purchase, Some(p), None, now()).await.unwrap();
            store.sales().submit_receipt(&t, u, payment.id, photo(), now()).await.unwrap();
            for (i, mut copy) in copies().into_iter().enumerate() {
                copy.message_id = 20 + i64::try_from(i).unwrap();
                store.card_payments().record_review_message(&t, payment.id, copy, &Texts, now()).await.unwrap();
            }
            payment
        };
        let later = now() + Duration::hours(25);
        let expired = store.sales().expire_card_payments(&t, &Texts, later).await.unwrap();
        assert_eq!(expired.iter().map(|p| p.id).collect::<Vec<_>>(), vec![expiring.id]);
        let queued = edits(&store, &t).await;
        assert_eq!(queued.len(), 4, "{backend:?}: {queued:?}");
        for (n, e) in &queued[2..] {
            assert!(e.message_id == 20 || e.message_id == 21);
            assert!(n.text.ends_with("\n\nNot reviewed in time: the payment expired."), "{:?}", n.text);
            assert!((n.next_attempt_at - later).num_seconds().abs() < 1, "queued at the job's clock");
        }
        assert!(store.sales().expire_card_payments(&t, &Texts, later).await.unwrap().is_empty());
        assert_eq!(edits(&store, &t).await.len(), 4, "expiring again edits nothing");
    }
}

#[tokio::test]
async fn a_copy_recorded_after_the_review_is_edited_at_once() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (t, p, u) = shop(&store, "slow").await;
        let (payment, _) =
            store.sales().start_card_payment(&t, u, PaymentPurpose::Purchase, Some(p), None, now()).await.unwrap();
        store.sales().submit_receipt(&t, u, payment.id, photo(), now()).await.unwrap();
        let [first, second] = copies();
        store.card_payments().record_review_message(&t, payment.id, first.clone(), &Texts, now()).await.unwrap();
        // An admin approves before the bot has sent (and recorded) the second copy.
        store.sales().approve_card_payment(&t, payment.id, Reviewer::Api, &Texts, now()).await.unwrap();
        assert_eq!(edits(&store, &t).await.len(), 1);
        store.card_payments().record_review_message(&t, payment.id, second, &Texts, now()).await.unwrap();
        let queued = edits(&store, &t).await;
        assert_eq!(queued.len(), 2, "{backend:?}: the late copy shows the outcome too");
        assert_eq!(queued[1].0.chat_id, -100_500);
        // Recording the same message again changes nothing.
        store.card_payments().record_review_message(&t, payment.id, first, &Texts, now()).await.unwrap();
        assert_eq!(store.card_payments().review_messages(&t, payment.id).await.unwrap().len(), 2);
        assert_eq!(edits(&store, &t).await.len(), 2);
    }
}

#[tokio::test]
async fn another_tenant_cannot_record_a_copy_of_this_tenants_payment() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (a, p, u) = shop(&store, "a").await;
        let (b, _, _) = shop(&store, "b").await;
        let payment = reviewed_order(&store, &a, p, u).await;
        let [copy, _] = copies();
        let r = store.card_payments().record_review_message(&b, payment.id, copy.clone(), &Texts, now()).await;
        assert!(matches!(r, Err(Error::NotFound { .. })), "{backend:?}: {r:?}");
        let r =
            store.card_payments().record_review_message(&a, PaymentId(payment.id.0 + 1000), copy, &Texts, now()).await;
        assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
        assert!(store.card_payments().review_messages(&b, payment.id).await.unwrap().is_empty());
        assert_eq!(store.card_payments().review_message(&b, 700, 11).await.unwrap(), None);
        // B deciding nothing, A's approval edits only A's two copies.
        store.sales().approve_card_payment(&a, payment.id, Reviewer::Api, &Texts, now()).await.unwrap();
        assert_eq!(edits(&store, &a).await.len(), 2);
        assert!(edits(&store, &b).await.is_empty());
    }
}

#[test]
fn the_outcome_fits_telegrams_limits_by_cutting_the_text_as_sent() {
    let outcome = "Approved by 42 on 1404/01/01";
    let long = "x".repeat(5000);
    let caption = review_edit_text(&long[..1024], true, outcome);
    assert_eq!(caption.chars().count(), 1024);
    assert!(caption.ends_with(&format!("…\n\n{outcome}")), "{caption}");
    let text = review_edit_text(&long[..4096], false, outcome);
    assert_eq!(text.chars().count(), 4096);
    assert!(text.ends_with(outcome));
    assert_eq!(review_edit_text("short", true, outcome), format!("short\n\n{outcome}"));
    // A reason too long for a caption: the outcome is all there is room for.
    let reason = "y".repeat(1100);
    let only = review_edit_text("receipt", true, &reason);
    assert_eq!(only.chars().count(), 1024);
    assert!(!only.contains("receipt"));
}
