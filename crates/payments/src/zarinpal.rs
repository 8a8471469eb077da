//! Zarinpal v4 (`/pg/v4/payment/*.json`) as a [`PaymentGateway`].
//!
//! Amounts go to the gateway in Rial (its default unit, no `currency` field): Toman × 10,
//! checked. The merchant id travels only in request bodies; it is never logged, never in a
//! URL, and [`MerchantId`](remnabot_domain::payment::MerchantId) hides it from `Debug`.

use std::time::Duration;

use remnabot_domain::Toman;
use remnabot_domain::payment::{
    Confirmation, GatewayAccount, GatewayError, GatewayStatus, PaymentGateway, PaymentRequest, StartedPayment,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

/// The production host.
pub const PRODUCTION_URL: &str = "https://payment.zarinpal.com";
/// The sandbox host.
pub const SANDBOX_URL: &str = "https://sandbox.zarinpal.com";

/// Where the client talks to and how long it waits.
#[derive(Debug, Clone)]
pub struct ZarinpalConfig {
    /// The production host (`ZARINPAL_API_URL`; tests point it at a fake).
    pub api_url: Url,
    /// The sandbox host, used for tenants whose sandbox switch is on.
    pub sandbox_url: Url,
    /// The limit of one call, connection included.
    pub timeout: Duration,
}

impl ZarinpalConfig {
    /// Production and sandbox hosts of Zarinpal, 15 seconds per call.
    ///
    /// # Errors
    /// Never in practice (the built-in URLs parse).
    pub fn production() -> Result<ZarinpalConfig, url::ParseError> {
        Ok(ZarinpalConfig {
            api_url: Url::parse(PRODUCTION_URL)?,
            sandbox_url: Url::parse(SANDBOX_URL)?,
            timeout: Duration::from_secs(15),
        })
    }

    /// Both hosts at `url` (a fake gateway in tests, or one override for both).
    pub fn at(url: Url) -> ZarinpalConfig {
        ZarinpalConfig { api_url: url.clone(), sandbox_url: url, timeout: Duration::from_secs(15) }
    }
}

/// A Zarinpal v4 client (one for the whole process; each call names the tenant's account).
#[derive(Debug, Clone)]
pub struct ZarinpalClient {
    config: ZarinpalConfig,
    http: reqwest::Client,
}

/// An amount in Rial, the unit Zarinpal expects by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Rial(pub i64);

impl Rial {
    /// `toman × 10`.
    ///
    /// # Errors
    /// [`GatewayError::Refused`] with code `-9` when the amount is not positive or too large.
    pub fn from_toman(toman: Toman) -> Result<Rial, GatewayError> {
        match toman.0.checked_mul(10) {
            Some(r) if r > 0 => Ok(Rial(r)),
            _ => Err(GatewayError::Refused { code: -9, message: describe(-9).to_owned() }),
        }
    }
}

/// What each documented Zarinpal code means, for logs and the tenant's admins.
pub fn describe(code: i32) -> &'static str {
    match code {
        100 => "success",
        101 => "already verified",
        -9 => {
            "validation error: merchant id, callback URL, description (at most 500 characters), amount or referrer is invalid"
        }
        -10 => "the merchant id or the server's IP address is not accepted by the terminal",
        -11 => "the terminal is not active",
        -12 => "too many attempts; try again later",
        -13 => "the terminal has reached its transaction limit",
        -14 => "the callback URL's domain is not the domain registered for the terminal",
        -15 => "the terminal is suspended",
        -16 => "the merchant's level is below silver",
        -17 => "the merchant's blue level does not allow this",
        -30 => "floating wages are not allowed for this terminal",
        -31 => "wages need a default bank account at the terminal",
        -32 => "the total of floating wages is over the maximum",
        -33 => "the floating wages are invalid",
        -34 => "the total of fixed wages is over the maximum",
        -35 => "too many wage parts",
        -36 => "a floating wage must be at least 10,000 Rial",
        -37 => "a wage IBAN is inactive",
        -38 => "a wage IBAN is not set up in Shaparak",
        -39 => "wages error",
        -40 => "invalid extra parameters (expire_in)",
        -50 => "the paid amount differs from the amount being verified",
        -51 => "the payment was not made: the customer cancelled or it failed",
        -52 => "unexpected gateway error; contact Zarinpal support",
        -53 => "this payment session does not belong to this merchant",
        -54 => "invalid authority",
        _ => "unknown Zarinpal error code",
    }
}

/// `data` is an object on success and an empty array on error; `errors` the other way round.
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    data: Value,
    #[serde(default)]
    errors: Value,
}

#[derive(Debug, Deserialize)]
struct RequestData {
    code: i32,
    authority: String,
}

#[derive(Debug, Deserialize)]
struct VerifyData {
    code: i32,
    #[serde(default)]
    ref_id: Option<i64>,
    #[serde(default)]
    card_pan: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UnverifiedData {
    code: i32,
    #[serde(default)]
    authorities: Vec<UnverifiedItem>,
}

#[derive(Debug, Deserialize)]
struct UnverifiedItem {
    authority: String,
}

#[derive(Debug, Deserialize)]
struct InquiryData {
    code: i32,
    #[serde(default)]
    status: String,
}

#[derive(Debug, Deserialize)]
struct CodeData {
    code: i32,
}

trait Coded {
    fn code(&self) -> i32;
}

macro_rules! coded {
    ($($t:ty),*) => { $(impl Coded for $t { fn code(&self) -> i32 { self.code } })* };
}
coded!(RequestData, VerifyData, UnverifiedData, InquiryData, CodeData);

fn refused(code: i32) -> GatewayError {
    GatewayError::Refused { code, message: describe(code).to_owned() }
}

/// Whether an authority has the shape Zarinpal gives (`A` or `S` and 35 letters and digits);
/// anything else is refused before it reaches the gateway or the database.
pub fn is_authority(s: &str) -> bool {
    s.len() == 36 && matches!(s.as_bytes()[0], b'A' | b'S') && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl ZarinpalClient {
    /// A client over `http` (rustls; the per-call timeout comes from `config`).
    pub fn new(config: ZarinpalConfig, http: reqwest::Client) -> ZarinpalClient {
        ZarinpalClient { config, http }
    }

    fn host(&self, account: &GatewayAccount) -> &Url {
        if account.sandbox { &self.config.sandbox_url } else { &self.config.api_url }
    }

    fn endpoint(&self, account: &GatewayAccount, path: &str) -> Result<Url, GatewayError> {
        self.host(account).join(path).map_err(|e| GatewayError::Unavailable(format!("bad gateway URL: {e}")))
    }

    /// The page where the customer pays `authority`.
    ///
    /// # Errors
    /// [`GatewayError::Unavailable`] when the configured host does not make a URL.
    pub fn pay_url(&self, account: &GatewayAccount, authority: &str) -> Result<String, GatewayError> {
        Ok(self.endpoint(account, &format!("pg/StartPay/{authority}"))?.to_string())
    }

    /// POSTs `body` and decodes the envelope: the `data` on code 100 (or `accept`), the
    /// mapped error otherwise.
    async fn call<T: DeserializeOwned + Coded>(
        &self,
        account: &GatewayAccount,
        path: &str,
        body: Value,
        accept: &[i32],
    ) -> Result<T, GatewayError> {
        let url = self.endpoint(account, path)?;
        let res = self
            .http
            .post(url)
            .timeout(self.config.timeout)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                let what = if e.is_timeout() { "timed out" } else { "could not be reached" };
                GatewayError::Unavailable(format!("Zarinpal {what}: {}", e.without_url()))
            })?;
        let status = res.status();
        let text = res.text().await.map_err(|e| GatewayError::Unavailable(format!("reading the answer: {e}")))?;
        let Ok(env) = serde_json::from_str::<Envelope>(&text) else {
            return Err(GatewayError::Unavailable(format!("HTTP {status} with a body that is not Zarinpal's JSON")));
        };
        if let Some(code) = env.errors.get("code").and_then(Value::as_i64) {
            let code = i32::try_from(code).unwrap_or(i32::MIN);
            tracing::info!(path, code, meaning = describe(code), "Zarinpal refused a call");
            return Err(refused(code));
        }
        if !env.data.is_object() {
            return Err(GatewayError::Unavailable(format!("HTTP {status} without data")));
        }
        let data: T = serde_json::from_value(env.data)
            .map_err(|e| GatewayError::Unavailable(format!("unexpected answer shape: {e}")))?;
        match data.code() {
            100 => Ok(data),
            c if accept.contains(&c) => Ok(data),
            c => Err(refused(c)),
        }
    }
}

#[async_trait::async_trait]
impl PaymentGateway for ZarinpalClient {
    async fn start(&self, account: &GatewayAccount, request: &PaymentRequest) -> Result<StartedPayment, GatewayError> {
        let amount = Rial::from_toman(request.amount)?;
        let description: String = request.description.chars().take(500).collect();
        let body = serde_json::json!({
            "merchant_id": account.merchant_id.expose(),
            "amount": amount,
            "description": description,
            "callback_url": request.callback_url,
            "metadata": {"order_id": request.order_id},
        });
        let data: RequestData = self.call(account, "pg/v4/payment/request.json", body, &[]).await?;
        if !is_authority(&data.authority) {
            return Err(GatewayError::Unavailable("the gateway returned a malformed authority".to_owned()));
        }
        let pay_url = self.pay_url(account, &data.authority)?;
        Ok(StartedPayment { authority: data.authority, pay_url })
    }

    async fn confirm(
        &self,
        account: &GatewayAccount,
        authority: &str,
        amount: Toman,
    ) -> Result<Confirmation, GatewayError> {
        if !is_authority(authority) {
            return Err(refused(-54));
        }
        let body = serde_json::json!({
            "merchant_id": account.merchant_id.expose(),
            "amount": Rial::from_toman(amount)?,
            "authority": authority,
        });
        // 101: verified before. The payment is paid; confirming again is not an error.
        let data: VerifyData = self.call(account, "pg/v4/payment/verify.json", body, &[101]).await?;
        Ok(Confirmation {
            ref_id: data.ref_id.unwrap_or(0),
            card_pan: data.card_pan,
            already_confirmed: data.code == 101,
        })
    }

    async fn unconfirmed(&self, account: &GatewayAccount) -> Result<Vec<String>, GatewayError> {
        let body = serde_json::json!({"merchant_id": account.merchant_id.expose()});
        let data: UnverifiedData = self.call(account, "pg/v4/payment/unVerified.json", body, &[]).await?;
        Ok(data.authorities.into_iter().map(|a| a.authority).filter(|a| is_authority(a)).collect())
    }

    async fn status(&self, account: &GatewayAccount, authority: &str) -> Result<GatewayStatus, GatewayError> {
        if !is_authority(authority) {
            return Err(refused(-54));
        }
        let body = serde_json::json!({"merchant_id": account.merchant_id.expose(), "authority": authority});
        let data: InquiryData = self.call(account, "pg/v4/payment/inquiry.json", body, &[]).await?;
        Ok(match data.status.as_str() {
            "PAID" => GatewayStatus::Paid,
            "VERIFIED" => GatewayStatus::Verified,
            "IN_BANK" | "PENDING" => GatewayStatus::Pending,
            _ => GatewayStatus::Failed,
        })
    }

    async fn refund(&self, account: &GatewayAccount, authority: &str) -> Result<(), GatewayError> {
        if !is_authority(authority) {
            return Err(refused(-54));
        }
        // `reverse.json` gives the money back within a short window after verification;
        // later refunds need Zarinpal's GraphQL API with an access token, which we do not hold.
        let body = serde_json::json!({"merchant_id": account.merchant_id.expose(), "authority": authority});
        let _: CodeData = self.call(account, "pg/v4/payment/reverse.json", body, &[]).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_its_own_message() {
        let codes = [
            100, 101, -9, -10, -11, -12, -13, -14, -15, -16, -17, -30, -31, -32, -33, -34, -35, -36, -37, -38, -39,
            -40, -50, -51, -52, -53, -54,
        ];
        let messages: std::collections::HashSet<_> = codes.iter().map(|c| describe(*c)).collect();
        assert_eq!(messages.len(), codes.len());
        assert!(!messages.contains(describe(-999)));
    }

    #[test]
    fn toman_become_rial() {
        assert_eq!(Rial::from_toman(Toman(150_000)).ok(), Some(Rial(1_500_000)));
        assert!(Rial::from_toman(Toman(0)).is_err());
        assert!(Rial::from_toman(Toman(i64::MAX)).is_err());
    }

    #[test]
    fn authorities_have_zarinpals_shape() {
        assert!(is_authority("A00000000000000000000000000000123456"));
        assert!(is_authority("S00000000000000000000000000000123456"));
        assert!(!is_authority("A0000000000000000000000000000012345"));
        assert!(!is_authority("B00000000000000000000000000000123456"));
        assert!(!is_authority("A0000000000000000000000000000012345'"));
    }
}
