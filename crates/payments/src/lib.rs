//! Online payments behind the domain's [`PaymentGateway`] port.
//!
//! - [`zarinpal::ZarinpalClient`]: Zarinpal v4 (request, StartPay, verify, unVerified,
//!   inquiry, reverse) over reqwest with rustls.
//! - Telegram Stars: Telegram itself is the gateway; the bot sends the invoice (`XTR`) and
//!   refunds through its Bot API client. The price rule is
//!   [`stars_for`](remnabot_domain::payment::stars_for); [`STARS_CURRENCY`] names the currency.
//!
//! Which provider a tenant gets is decided in the store (`Sales::zarinpal_account`,
//! `Sales::stars_rate`): its feature flag on and its settings complete.

pub mod zarinpal;

pub use remnabot_domain::payment::{
    Confirmation, GatewayAccount, GatewayError, GatewayStatus, MerchantId, PaymentGateway, PaymentRequest,
    StartedPayment, stars_for,
};
pub use zarinpal::{ZarinpalClient, ZarinpalConfig};

/// The currency of Telegram Stars invoices.
pub const STARS_CURRENCY: &str = "XTR";
