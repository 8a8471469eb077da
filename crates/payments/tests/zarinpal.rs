#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The Zarinpal client against the fake gateway: the request in Rial, StartPay, verify (100,
//! then 101), unVerified, inquiry, reverse, every error as a code with its meaning, and an
//! outage or a timeout as `Unavailable`.

use std::time::Duration;

use remnabot_domain::Toman;
use remnabot_payments::{
    GatewayAccount, GatewayError, GatewayStatus, MerchantId, PaymentGateway, PaymentRequest, ZarinpalClient,
    ZarinpalConfig,
};
use remnabot_testkit::FakeZarinpal;

const MERCHANT: &str = "1344b5d4-0048-11e8-94db-005056a205be";

fn client(fake: &FakeZarinpal) -> ZarinpalClient {
    let mut config = ZarinpalConfig::at(url::Url::parse(&fake.url()).unwrap());
    config.timeout = Duration::from_millis(300);
    ZarinpalClient::new(config, reqwest::Client::new())
}

fn account() -> GatewayAccount {
    GatewayAccount { merchant_id: MerchantId::parse(MERCHANT).unwrap(), sandbox: false }
}

fn request(amount: i64) -> PaymentRequest {
    PaymentRequest {
        amount: Toman(amount),
        description: "Monthly".to_owned(),
        callback_url: "https://shop.example/payments/zarinpal/callback".to_owned(),
        order_id: "7".to_owned(),
    }
}

#[tokio::test]
async fn a_payment_is_requested_in_rial_verified_once_and_reported() {
    let fake = FakeZarinpal::start().await;
    let zp = client(&fake);
    let started = zp.start(&account(), &request(150_000)).await.unwrap();
    assert_eq!(started.pay_url, format!("{}pg/StartPay/{}", fake.url(), started.authority));
    assert_eq!(fake.payment(&started.authority).unwrap().amount, 1_500_000);
    let page = reqwest::get(&started.pay_url).await.unwrap().text().await.unwrap();
    assert!(page.contains("Pay"), "{page}");

    let unpaid = zp.confirm(&account(), &started.authority, Toman(150_000)).await;
    assert_eq!(unpaid.as_ref().err().and_then(GatewayError::code), Some(-51), "{unpaid:?}");
    assert!(unpaid.unwrap_err().is_final_for_payment());
    assert_eq!(zp.status(&account(), &started.authority).await.unwrap(), GatewayStatus::Pending);

    fake.pay(&started.authority);
    assert_eq!(zp.unconfirmed(&account()).await.unwrap(), vec![started.authority.clone()]);
    assert_eq!(zp.status(&account(), &started.authority).await.unwrap(), GatewayStatus::Paid);
    let wrong = zp.confirm(&account(), &started.authority, Toman(1_000)).await;
    assert_eq!(wrong.err().and_then(|e| e.code()), Some(-50), "another amount");
    let first = zp.confirm(&account(), &started.authority, Toman(150_000)).await.unwrap();
    assert!(!first.already_confirmed);
    assert_eq!(first.card_pan.as_deref(), Some("502229******5995"));
    let second = zp.confirm(&account(), &started.authority, Toman(150_000)).await.unwrap();
    assert!(second.already_confirmed, "101 is still paid");
    assert_eq!(second.ref_id, first.ref_id);
    assert!(zp.unconfirmed(&account()).await.unwrap().is_empty());
    assert_eq!(zp.status(&account(), &started.authority).await.unwrap(), GatewayStatus::Verified);
    zp.refund(&account(), &started.authority).await.unwrap();
    assert_eq!(zp.status(&account(), &started.authority).await.unwrap(), GatewayStatus::Failed);
}

#[tokio::test]
async fn gateway_errors_are_codes_with_their_meaning_and_outages_are_unavailable() {
    let fake = FakeZarinpal::start().await;
    let zp = client(&fake);
    let unknown = zp.confirm(&account(), "A00000000000000000000000000000000999", Toman(1_000)).await;
    assert_eq!(unknown.err().and_then(|e| e.code()), Some(-54));
    let malformed = zp.confirm(&account(), "not-an-authority", Toman(1_000)).await;
    assert_eq!(malformed.err().and_then(|e| e.code()), Some(-54), "refused before the gateway");

    fake.reject_merchant(MERCHANT);
    let err = zp.start(&account(), &request(150_000)).await.unwrap_err();
    assert_eq!(err.code(), Some(-10));
    assert!(err.is_account_problem());
    assert!(err.to_string().contains("merchant id"), "{err}");
    assert!(!format!("{err:?} {err}").contains(MERCHANT), "the merchant id never shows");

    let fake = FakeZarinpal::start().await;
    let zp = client(&fake);
    fake.fail_next("request", 1, -12);
    assert_eq!(zp.start(&account(), &request(150_000)).await.unwrap_err().code(), Some(-12));
    fake.set_down(true);
    assert!(matches!(zp.start(&account(), &request(150_000)).await, Err(GatewayError::Unavailable(_))));
    fake.set_down(false);
    fake.set_delay(Duration::from_secs(1));
    let slow = zp.start(&account(), &request(150_000)).await;
    assert!(matches!(&slow, Err(GatewayError::Unavailable(m)) if m.contains("timed out")), "{slow:?}");
    drop(fake);
    assert!(matches!(zp.unconfirmed(&account()).await, Err(GatewayError::Unavailable(_))), "nobody listening");
}
