//! The Zarinpal callback: `GET /payments/zarinpal/callback?Authority=…&Status=OK|NOK`, where
//! the gateway sends the customer's browser after paying or cancelling.
//!
//! The query is not trusted. Only `Authority` and `Status` are read: the tenant is the one
//! owning the authority (`Platform::zarinpal_owner`), the amount verified is the one we
//! recorded, and a tenant whose Zarinpal is switched off gets its callbacks refused. `Status`
//! only picks what the gateway is asked: `OK` verifies (`Sales::complete_zarinpal`), `NOK`
//! asks where the payment stands first (`Sales::cancel_zarinpal`), so a forged `NOK` never
//! fails a payment the customer made. The
//! answer is a small HTML page in the customer's language (Persian, or English for English
//! and Russian speakers) with a link back to the bot.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use remnabot_domain::config::Language;
use remnabot_domain::payment::PaymentGateway;
use remnabot_domain::{Error, Tenant};
use remnabot_store::Store;
use remnabot_store::sales::online::{OnlineTexts, ZarinpalOutcome};

/// The path of the callback (under `PUBLIC_URL`).
pub const ZARINPAL_CALLBACK_PATH: &str = "/payments/zarinpal/callback";

/// What the callback needs.
#[derive(Clone)]
pub struct CallbackState {
    pub store: Store,
    pub gateway: Arc<dyn PaymentGateway>,
    pub texts: Arc<dyn OnlineTexts>,
}

impl std::fmt::Debug for CallbackState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackState").finish_non_exhaustive()
    }
}

/// The route `GET /payments/zarinpal/callback`.
pub fn zarinpal_router(state: CallbackState) -> Router {
    Router::new().route(ZARINPAL_CALLBACK_PATH, get(zarinpal_callback)).with_state(state)
}

/// What the page says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Paid,
    Cancelled,
    Failed,
    /// The gateway did not answer; the reconciliation job will try again.
    Checking,
    Unavailable,
    NotFound,
}

impl Outcome {
    fn status(self) -> StatusCode {
        match self {
            Outcome::Paid | Outcome::Cancelled | Outcome::Failed | Outcome::Checking => StatusCode::OK,
            Outcome::Unavailable => StatusCode::FORBIDDEN,
            Outcome::NotFound => StatusCode::NOT_FOUND,
        }
    }

    fn text(self, lang: Language) -> (&'static str, &'static str) {
        let fa = lang == Language::Fa;
        match (self, fa) {
            (Outcome::Paid, true) => ("پرداخت موفق", "پرداخت شما تأیید شد. نتیجه را در ربات ببینید."),
            (Outcome::Paid, false) => ("Payment received", "Your payment is confirmed. See the result in the bot."),
            (Outcome::Cancelled, true) => ("پرداخت لغو شد", "پرداخت انجام نشد. می‌توانید از ربات دوباره تلاش کنید."),
            (Outcome::Cancelled, false) => {
                ("Payment cancelled", "The payment was not made. You can try again from the bot.")
            }
            (Outcome::Failed, true) => (
                "پرداخت ناموفق",
                "پرداخت تأیید نشد. اگر مبلغی کسر شده، درگاه آن را برمی‌گرداند. از ربات دوباره تلاش کنید.",
            ),
            (Outcome::Failed, false) => (
                "Payment failed",
                "The payment could not be confirmed. If money was taken, the gateway returns it. Try again from the bot.",
            ),
            (Outcome::Checking, true) => (
                "در حال بررسی",
                "هنوز نتوانستیم پرداخت را با درگاه تأیید کنیم. به‌زودی دوباره بررسی می‌کنیم و نتیجه را در ربات می‌فرستیم.",
            ),
            (Outcome::Checking, false) => (
                "Checking your payment",
                "We could not confirm the payment with the gateway yet. We will check again shortly and tell you in the bot.",
            ),
            (Outcome::Unavailable, true) => ("غیرفعال", "این روش پرداخت برای این ربات فعال نیست."),
            (Outcome::Unavailable, false) => ("Not available", "This payment method is not available for this bot."),
            (Outcome::NotFound, true) => ("یافت نشد", "این پرداخت پیدا نشد."),
            (Outcome::NotFound, false) => ("Not found", "This payment was not found."),
        }
    }
}

/// Whether `s` has the shape of a Zarinpal authority (`A` or `S` and 35 letters and digits).
fn is_authority(s: &str) -> bool {
    s.len() == 36 && matches!(s.as_bytes()[0], b'A' | b'S') && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

fn page(outcome: Outcome, lang: Language, bot_username: Option<&str>) -> Response {
    let (title, body) = outcome.text(lang);
    let (dir, html_lang, back) = match lang {
        Language::Fa => ("rtl", "fa", "بازگشت به ربات"),
        _ => ("ltr", "en", "Back to the bot"),
    };
    let link = bot_username
        .filter(|u| u.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(|u| format!("<p><a href=\"https://t.me/{u}\">{back}</a></p>", u = escape(u)))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"{html_lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;text-align:center}}</style>\
         </head><body><h1>{title}</h1><p>{body}</p>{link}</body></html>"
    );
    (outcome.status(), Html(html)).into_response()
}

async fn zarinpal_callback(
    State(state): State<CallbackState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let authority = query.get("Authority").map(|s| s.trim().to_owned()).unwrap_or_default();
    let ok = query.get("Status").is_some_and(|s| s.eq_ignore_ascii_case("OK"));
    if !is_authority(&authority) {
        return page(Outcome::NotFound, Language::Fa, None);
    }
    match handle(&state, &authority, ok).await {
        Ok((outcome, lang, username)) => page(outcome, lang, username.as_deref()),
        Err(e) => {
            tracing::error!(error = %e, source = ?std::error::Error::source(&e).map(ToString::to_string), "Zarinpal callback failed");
            page(Outcome::Checking, Language::Fa, None)
        }
    }
}

async fn handle(
    state: &CallbackState,
    authority: &str,
    ok: bool,
) -> Result<(Outcome, Language, Option<String>), Error> {
    let Some(bot) = state.store.platform().zarinpal_owner(authority).await? else {
        return Ok((Outcome::NotFound, Language::Fa, None));
    };
    let tenant = Tenant::of(&bot);
    let username = state.store.platform().telegram_username(bot.id).await?;
    let Some(payment) = state.store.zarinpal_payments().by_authority(&tenant, authority).await? else {
        return Ok((Outcome::NotFound, Language::Fa, username));
    };
    let lang = state.store.users().get(&tenant, payment.user_id).await.map(|u| u.language).unwrap_or_default();
    if !bot.is_active || state.store.sales().zarinpal_account(&tenant).await?.is_none() {
        tracing::warn!(bot_id = %tenant.bot_id(), payment_id = %payment.id, "refused a Zarinpal callback: Zarinpal is off for this tenant");
        return Ok((Outcome::Unavailable, lang, username));
    }
    // `Status` only says what the browser claims: either way the gateway is asked, so a
    // forged `NOK` cannot fail a paid payment and a forged `OK` cannot complete an unpaid one.
    let sales = state.store.sales();
    let (gateway, texts) = (state.gateway.as_ref(), state.texts.as_ref());
    let res = if ok {
        sales.complete_zarinpal(&tenant, authority, gateway, texts, Utc::now()).await
    } else {
        sales.cancel_zarinpal(&tenant, authority, gateway, texts, Utc::now()).await
    };
    let outcome = match res {
        Ok(ZarinpalOutcome::Completed { .. } | ZarinpalOutcome::AlreadyCompleted(_)) => Outcome::Paid,
        Ok(ZarinpalOutcome::Failed(_) | ZarinpalOutcome::Pending(_)) if !ok => Outcome::Cancelled,
        Ok(ZarinpalOutcome::Failed(_)) => Outcome::Failed,
        // The gateway holds it as open though the browser said paid: the job checks again.
        Ok(ZarinpalOutcome::Pending(_)) => Outcome::Checking,
        Err(Error::Conflict(_)) => Outcome::Unavailable,
        Err(Error::NotFound { .. }) => Outcome::NotFound,
        Err(e) => {
            tracing::warn!(bot_id = %tenant.bot_id(), payment_id = %payment.id, error = %e, "the gateway gave no answer; the reconciliation job will retry");
            Outcome::Checking
        }
    };
    Ok((outcome, lang, username))
}
