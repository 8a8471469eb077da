//! The payment-gateway port: an online gateway (Zarinpal) that starts a payment, confirms it
//! after the customer paid, reports payments it holds, and reverses one where it allows.
//!
//! Telegram Stars need no port of their own: Telegram is the gateway, the bot sends the
//! invoice and refunds through its own Bot API client, and the rules (price in Stars, which
//! pre-checkout queries to accept) are pure functions here and in `remnabot-payments`.

use crate::error::{Error, Result};
use crate::money::Toman;

/// A merchant id at the gateway (Zarinpal: a 36-character UUID). Kept out of `Debug` and
/// `Display`: with it anyone can open payments in the merchant's name and list them.
#[derive(Clone, PartialEq, Eq)]
pub struct MerchantId(String);

impl MerchantId {
    /// Parses a merchant id: 36 characters of hex digits and `-` (a UUID).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `zarinpal_merchant_id` (without echoing the value).
    pub fn parse(s: &str) -> Result<MerchantId> {
        let uuid_like = s.len() == 36
            && s.chars()
                .enumerate()
                .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() });
        if uuid_like {
            Ok(MerchantId(s.to_owned()))
        } else {
            Err(Error::invalid(
                "zarinpal_merchant_id",
                "must be a 36-character UUID such as 1344b5d4-0048-11e8-94db-005056a205be",
            ))
        }
    }

    /// The id itself, for the gateway request body only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for MerchantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MerchantId(***)")
    }
}

/// One tenant's account at the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayAccount {
    pub merchant_id: MerchantId,
    /// Use the gateway's sandbox (test payments, no money moves).
    pub sandbox: bool,
}

/// What starting a payment needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    /// What the customer pays, in Toman; the adapter converts to the gateway's unit.
    pub amount: Toman,
    /// Shown to the customer on the gateway's page (at most 500 characters).
    pub description: String,
    /// Where the gateway sends the customer back.
    pub callback_url: String,
    /// Our reference, for the merchant's panel at the gateway.
    pub order_id: String,
}

/// A payment the gateway opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedPayment {
    /// The gateway's id of the payment (Zarinpal: `A` or `S` and 35 letters and digits).
    pub authority: String,
    /// The page where the customer pays.
    pub pay_url: String,
}

/// A payment the gateway confirmed as paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// The gateway's reference of the money transfer.
    pub ref_id: i64,
    /// The masked card number, when reported.
    pub card_pan: Option<String>,
    /// The gateway had confirmed it before (Zarinpal code 101): still paid.
    pub already_confirmed: bool,
}

/// Where the gateway says a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayStatus {
    /// Opened, the customer has not paid (yet).
    Pending,
    /// Paid, not confirmed by us yet.
    Paid,
    /// Paid and confirmed.
    Verified,
    /// Cancelled, failed, expired or reversed.
    Failed,
}

/// Why a gateway call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The gateway answered with an error code (see [`GatewayError::code`]).
    #[error("the gateway refused: {message} (code {code})")]
    Refused { code: i32, message: String },
    /// The gateway could not be reached, timed out, or answered something we do not
    /// understand. Nothing is known about the payment: try again later.
    #[error("the gateway is unavailable: {0}")]
    Unavailable(String),
    /// The gateway cannot do this (for example a refund after its window).
    #[error("the gateway does not support this: {0}")]
    NotSupported(&'static str),
}

impl GatewayError {
    /// The gateway's error code, if it gave one.
    pub fn code(&self) -> Option<i32> {
        match self {
            GatewayError::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether this answer settles that the payment will never be paid (the customer
    /// cancelled, the session or authority is not ours, the paid amount differs): the
    /// payment may be marked failed. Anything else may pass and is tried again.
    pub fn is_final_for_payment(&self) -> bool {
        matches!(self.code(), Some(-50 | -51 | -53 | -54))
    }

    /// Whether the tenant's gateway account itself is wrong (merchant id, terminal, domain):
    /// the tenant's admins must fix their settings, retrying does not help.
    pub fn is_account_problem(&self) -> bool {
        matches!(self.code(), Some(-10 | -11 | -13 | -14 | -15 | -16 | -17))
    }
}

/// An online payment gateway.
///
/// Contract: every method is safe to call again with the same arguments. `confirm` must be
/// given the amount **from our records**, never from the customer's browser; a gateway that
/// reports an earlier confirmation returns `Ok` with `already_confirmed`.
///
/// # Errors
/// [`GatewayError`]: `Refused` with the gateway's code, `Unavailable` when nothing is known.
#[async_trait::async_trait]
pub trait PaymentGateway: Send + Sync + std::fmt::Debug {
    /// Opens a payment for `request` and returns where the customer pays.
    async fn start(&self, account: &GatewayAccount, request: &PaymentRequest) -> Result<StartedPayment, GatewayError>;

    /// Confirms (verifies) the payment `authority` of `amount` once the customer paid.
    async fn confirm(
        &self,
        account: &GatewayAccount,
        authority: &str,
        amount: Toman,
    ) -> Result<Confirmation, GatewayError>;

    /// Authorities the gateway holds as paid but not confirmed (the customer closed the
    /// browser before coming back).
    async fn unconfirmed(&self, account: &GatewayAccount) -> Result<Vec<String>, GatewayError>;

    /// Where the payment `authority` stands at the gateway.
    async fn status(&self, account: &GatewayAccount, authority: &str) -> Result<GatewayStatus, GatewayError>;

    /// Gives the money of a paid payment back, where the gateway allows it.
    async fn refund(&self, account: &GatewayAccount, authority: &str) -> Result<(), GatewayError>;
}

/// The price in Telegram Stars of `price` Toman at `rate` Toman per Star, rounded up so the
/// tenant never receives less than the price.
///
/// # Errors
/// [`Error::Invalid`] when `rate` or `price` is not positive.
pub fn stars_for(price: Toman, rate: i64) -> Result<i64> {
    let price = price.positive("price")?;
    if rate <= 0 {
        return Err(Error::invalid("stars_rate", "must be a positive number of Toman per Star"));
    }
    Ok(price.0.div_euclid(rate) + i64::from(price.0.rem_euclid(rate) != 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merchant_ids_are_uuids_and_never_printed() {
        let id = MerchantId::parse("1344b5d4-0048-11e8-94db-005056a205be").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(format!("{id:?}"), "MerchantId(***)");
        assert!(MerchantId::parse("1344b5d4004811e894db005056a205be").is_err());
        assert!(MerchantId::parse("zz44b5d4-0048-11e8-94db-005056a205be").is_err());
        let err = MerchantId::parse("secret-but-wrong").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!err.contains("secret-but-wrong"), "{err}");
    }

    #[test]
    fn stars_are_rounded_up() {
        assert_eq!(stars_for(Toman(150_000), 1_000).ok(), Some(150));
        assert_eq!(stars_for(Toman(150_001), 1_000).ok(), Some(151));
        assert_eq!(stars_for(Toman(1), 1_000).ok(), Some(1));
        assert!(stars_for(Toman(0), 1_000).is_err());
        assert!(stars_for(Toman(10), 0).is_err());
    }
}
