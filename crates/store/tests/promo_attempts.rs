//! Promo-code guessing is limited per customer: five refused codes within an hour, then every
//! code is refused unread until the hour is over, on both backends and under concurrency.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, SubsecRound, Utc};
use remnabot_domain::config::Language;
use remnabot_domain::{Error, Tenant, TgUserId, Toman};
use remnabot_store::promo_effects::attempts::{MAX_FAILURES, WINDOW_MINUTES};
use remnabot_store::promo_effects::{PromoRefusal, Redemption};
use remnabot_store::promos::{PromoCodeSpec, PromoKind};
use remnabot_store::users::{NewUser, User};
use remnabot_store::{Store, testing};

async fn customer(store: &Store, t: &Tenant, telegram_id: i64) -> User {
    let new = NewUser {
        telegram_id: TgUserId(telegram_id),
        username: None,
        first_name: None,
        language: Language::En,
        referred_by: None,
    };
    store.users().register(t, new).await.unwrap().0
}

fn balance_code(code: &str) -> PromoCodeSpec {
    PromoCodeSpec {
        code: code.into(),
        kind: PromoKind::Balance,
        value: 10_000,
        max_uses: 0,
        valid_from: None,
        valid_until: None,
    }
}

async fn redeem(store: &Store, t: &Tenant, user: &User, code: &str, at: DateTime<Utc>) -> Redemption {
    store.promo_redemptions().redeem(t, code, user.id, at).await.unwrap()
}

#[tokio::test]
async fn five_refused_codes_lock_a_customer_out_of_promo_codes_for_the_rest_of_the_hour() {
    assert_eq!((MAX_FAILURES, WINDOW_MINUTES), (5, 60));
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let (_, other_tenant) = testing::tenant(&store, "other").await;
        store.promo_codes().create(&t, balance_code("REAL")).await.unwrap();
        store.promo_codes().create(&t, PromoCodeSpec { max_uses: 1, ..balance_code("ONCE") }).await.unwrap();
        store.promo_codes().create(&other_tenant, balance_code("REAL")).await.unwrap();
        let guesser = customer(&store, &t, 1).await;
        // Whole seconds: PostgreSQL keeps microseconds only.
        let start = Utc::now().trunc_subsecs(0);

        // Unknown, malformed and used-up codes all count.
        let someone = customer(&store, &t, 9).await;
        assert!(matches!(redeem(&store, &t, &someone, "ONCE", start).await, Redemption::Applied { .. }));
        let guesses = ["AAAA1", "AAAA2", "not a code!", "ONCE", "AAAA3"];
        for (i, code) in guesses.into_iter().enumerate() {
            let at = start + Duration::minutes(i64::try_from(i).unwrap());
            assert!(
                matches!(redeem(&store, &t, &guesser, code, at).await, Redemption::Refused(_)),
                "{backend:?} {code}"
            );
        }
        // The sixth attempt is refused unread, even with a real code, until an hour after
        // the first refusal.
        let refused = redeem(&store, &t, &guesser, "REAL", start + Duration::minutes(10)).await;
        assert_eq!(refused, Redemption::Throttled { retry_at: start + Duration::minutes(60) }, "{backend:?}");
        let still = redeem(&store, &t, &guesser, "REAL", start + Duration::minutes(59)).await;
        assert!(matches!(still, Redemption::Throttled { .. }), "{still:?}");
        assert_eq!(store.users().get(&t, guesser.id).await.unwrap().balance, Toman::ZERO);

        // Nobody else is held back: another customer, the same person in another tenant.
        let honest = customer(&store, &t, 2).await;
        assert!(matches!(redeem(&store, &t, &honest, "REAL", start).await, Redemption::Applied { .. }));
        let elsewhere = customer(&store, &other_tenant, 1).await;
        let there = redeem(&store, &other_tenant, &elsewhere, "REAL", start).await;
        assert!(matches!(there, Redemption::Applied { .. }), "{there:?}");

        // Once the hour is over, the code works.
        let later = redeem(&store, &t, &guesser, "REAL", start + Duration::minutes(61)).await;
        assert!(matches!(later, Redemption::Applied { .. }), "{backend:?}: {later:?}");
        assert_eq!(store.users().get(&t, guesser.id).await.unwrap().balance, Toman(10_000));

        // A code the customer redeemed before is one they know: not counted as a guess.
        for _ in 0..8 {
            let again = redeem(&store, &t, &honest, "REAL", start + Duration::minutes(1)).await;
            assert_eq!(again, Redemption::Refused(PromoRefusal::AlreadyUsed));
        }
        let unknown = redeem(&store, &t, &honest, "NOPE", start + Duration::minutes(2)).await;
        assert_eq!(unknown, Redemption::Refused(PromoRefusal::Unknown));

        // Another tenant's customer is not found here.
        let res = store.promo_redemptions().redeem(&t, "REAL", elsewhere.id, start).await;
        assert!(matches!(res, Err(Error::NotFound { .. })), "{res:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_guesses_at_once_are_counted_one_by_one() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let guesser = customer(&store, &t, 1).await;
        let now = Utc::now();
        let mut tasks = Vec::new();
        for i in 0..20 {
            let (store, t, id) = (store.clone(), t.clone(), guesser.id);
            tasks.push(tokio::spawn(async move {
                store.promo_redemptions().redeem(&t, &format!("GUESS{i}"), id, now).await.unwrap()
            }));
        }
        let (mut refused, mut throttled) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Redemption::Refused(PromoRefusal::Unknown) => refused += 1,
                Redemption::Throttled { .. } => throttled += 1,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((refused, throttled), (5, 15), "{backend:?}");
    }
}
