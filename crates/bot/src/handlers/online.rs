//! Online payments in the bot: Zarinpal (a Pay button opening the gateway's page) and
//! Telegram Stars (an `XTR` invoice), the pre-checkout answer, `successful_payment`, and the
//! admins' `/refund_stars <charge id>`.
//!
//! The checkout calls [`checkout_buttons`]; callback data `pay:<z|s>:<p|r>:<plan>` comes
//! back to [`on_callback`]. The order is always priced and recorded by the store
//! (`Sales::start_zarinpal_payment`, `Sales::start_stars_payment`) before the customer pays,
//! and completed there exactly once.

use std::sync::Arc;

use chrono::Utc;
use remnabot_domain::config::Language;
use remnabot_domain::payment::PaymentGateway;
use remnabot_domain::{Error, PlanId, Toman};
use remnabot_store::payments::PaymentPurpose;
use remnabot_store::sales::PayMethod;
use remnabot_store::sales::online::{OnlineTexts, STARS_CURRENCY, StarsPayment};
use remnabot_store::users::User;
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Message, PreCheckoutQuery,
    TelegramTransactionId,
};

use super::{HandlerResult, Shared, TenantBot, tg_id};
use crate::texts::Texts;

/// The process-wide online-payment setup the handlers need: the gateway client and the
/// callback URL under `PUBLIC_URL`. Without either, Zarinpal is never offered.
#[derive(Clone, Default)]
pub struct OnlinePayments {
    pub gateway: Option<Arc<dyn PaymentGateway>>,
    /// `{PUBLIC_URL}/payments/zarinpal/callback`.
    pub callback_url: Option<String>,
}

impl std::fmt::Debug for OnlinePayments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnlinePayments")
            .field("gateway", &self.gateway.is_some())
            .field("callback_url", &self.callback_url)
            .finish()
    }
}

impl OnlineTexts for Texts {
    fn online_paid(&self, lang: Language, method: PayMethod, amount: Toman, balance_after: Option<Toman>) -> String {
        let method = self.get(lang, method_label(method), &[]);
        match balance_after {
            Some(balance) => self.get(
                lang,
                "online-paid-top-up",
                &[("method", method.into()), ("amount", amount.into()), ("balance", balance.into())],
            ),
            None => self.get(lang, "online-paid", &[("method", method.into()), ("amount", amount.into())]),
        }
    }

    fn stars_refunded(&self, lang: Language, stars: i64) -> String {
        self.get(lang, "stars-refunded", &[("stars", stars.into())])
    }
}

fn method_label(method: PayMethod) -> &'static str {
    match method {
        PayMethod::TelegramStars => "pay-stars",
        _ => "pay-zarinpal",
    }
}

/// A provider of callback data `pay:...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Zarinpal,
    Stars,
}

/// Callback data `pay:<z|s>:<p|r>:<plan>`: pay a purchase or renewal of `plan` online.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    pub provider: Provider,
    pub purpose: PaymentPurpose,
    pub plan: PlanId,
}

impl Action {
    /// Parses the part after `pay:`; `None` for anything else.
    pub fn parse(data: &str) -> Option<Action> {
        let parts: Vec<&str> = data.split(':').collect();
        let [provider, purpose, plan] = parts.as_slice() else { return None };
        let provider = match *provider {
            "z" => Provider::Zarinpal,
            "s" => Provider::Stars,
            _ => return None,
        };
        let purpose = match *purpose {
            "p" => PaymentPurpose::Purchase,
            "r" => PaymentPurpose::Renewal,
            _ => return None,
        };
        let plan = plan.parse::<i64>().ok().filter(|n| *n > 0)?;
        Some(Action { provider, purpose, plan: PlanId(plan) })
    }

    /// The callback data (at most 26 bytes).
    pub fn data(self) -> String {
        let provider = match self.provider {
            Provider::Zarinpal => "z",
            Provider::Stars => "s",
        };
        let purpose = if self.purpose == PaymentPurpose::Renewal { "r" } else { "p" };
        format!("pay:{provider}:{purpose}:{}", self.plan)
    }
}

/// The checkout's online buttons for this tenant: Zarinpal when its flag is on, a merchant
/// id is set and the platform has a gateway and a public callback URL; Stars when its flag
/// is on and a rate is set.
///
/// # Errors
/// [`super::HandlerError`] when the database fails.
pub async fn checkout_buttons(
    shared: &Shared,
    bot: &TenantBot,
    lang: Language,
    purpose: PaymentPurpose,
    plan: PlanId,
) -> Result<Vec<Vec<InlineKeyboardButton>>, super::HandlerError> {
    let mut rows = Vec::new();
    let sales = shared.store.sales();
    if shared.online.gateway.is_some()
        && shared.online.callback_url.is_some()
        && sales.zarinpal_account(&bot.tenant).await?.is_some()
    {
        let action = Action { provider: Provider::Zarinpal, purpose, plan };
        rows.push(vec![InlineKeyboardButton::callback(shared.text(lang, "pay-zarinpal", &[]), action.data())]);
    }
    if sales.stars_rate(&bot.tenant).await?.is_some() {
        let action = Action { provider: Provider::Stars, purpose, plan };
        rows.push(vec![InlineKeyboardButton::callback(shared.text(lang, "pay-stars", &[]), action.data())]);
    }
    Ok(rows)
}

/// A customer pressed an online payment button.
///
/// # Errors
/// [`super::HandlerError`] when the database or Telegram fails.
pub async fn on_callback(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    q: &CallbackQuery,
    action: Action,
) -> HandlerResult {
    let lang = user.language;
    bot.tg.answer_callback_query(q.id.clone()).await?;
    let now = Utc::now();
    let sales = shared.store.sales();
    match action.provider {
        Provider::Zarinpal => {
            let (Some(gateway), Some(callback)) = (&shared.online.gateway, &shared.online.callback_url) else {
                bot.tg.send_message(chat, shared.text(lang, "method-unavailable", &[])).await?;
                return Ok(());
            };
            let plan_name =
                shared.store.plans().get(&bot.tenant, action.plan).await.map(|p| p.name).unwrap_or_default();
            let started = sales
                .start_zarinpal_payment(
                    &bot.tenant,
                    user.id,
                    action.purpose,
                    Some(action.plan),
                    None,
                    gateway.as_ref(),
                    callback,
                    &plan_name,
                    now,
                )
                .await;
            match started {
                Ok(s) => {
                    let url = match url::Url::parse(&s.pay_url) {
                        Ok(url) => url,
                        Err(_) => return say(shared, bot, chat, lang, "zarinpal-down").await,
                    };
                    let button = InlineKeyboardButton::url(shared.text(lang, "zarinpal-pay-button", &[]), url);
                    let text = shared.text(lang, "zarinpal-started", &[("amount", s.payment.amount.into())]);
                    bot.tg.send_message(chat, text).reply_markup(InlineKeyboardMarkup::new(vec![vec![button]])).await?;
                    Ok(())
                }
                Err(e) => explain(shared, bot, chat, lang, e).await,
            }
        }
        Provider::Stars => {
            match sales.start_stars_payment(&bot.tenant, user.id, action.purpose, Some(action.plan), None, now).await {
                Ok(payment) => send_invoice(shared, bot, chat, lang, &payment).await,
                Err(e) => explain(shared, bot, chat, lang, e).await,
            }
        }
    }
}

async fn send_invoice(
    shared: &Shared,
    bot: &TenantBot,
    chat: ChatId,
    lang: Language,
    payment: &StarsPayment,
) -> HandlerResult {
    let plan = match payment.plan_id {
        Some(p) => shared.store.plans().get(&bot.tenant, p).await.map(|p| p.name).unwrap_or_default(),
        None => String::new(),
    };
    let title: String =
        shared.text(lang, "stars-invoice-title", &[("plan", plan.as_str().into())]).chars().take(32).collect();
    let description: String = shared
        .text(lang, "stars-invoice-description", &[("amount", payment.amount.into()), ("stars", payment.stars.into())])
        .chars()
        .take(255)
        .collect();
    let stars = u32::try_from(payment.stars).unwrap_or(u32::MAX);
    let price = LabeledPrice::new(title.clone(), stars);
    bot.tg.send_invoice(chat, title, description, payment.payload.clone(), STARS_CURRENCY, vec![price]).await?;
    Ok(())
}

async fn say(shared: &Shared, bot: &TenantBot, chat: ChatId, lang: Language, id: &str) -> HandlerResult {
    bot.tg.send_message(chat, shared.text(lang, id, &[])).await?;
    Ok(())
}

/// A short text for a payment that could not start; the customer can simply try again.
async fn explain(shared: &Shared, bot: &TenantBot, chat: ChatId, lang: Language, e: Error) -> HandlerResult {
    let id = match &e {
        Error::Unavailable { .. } => {
            tracing::warn!(bot_id = %bot.tenant.bot_id(), error = %e, source = ?std::error::Error::source(&e).map(ToString::to_string), "an online payment could not start");
            "zarinpal-down"
        }
        Error::Conflict(_) => "method-unavailable",
        Error::TenantWalletShort { .. } => "online-shop-unavailable",
        _ => "online-failed",
    };
    say(shared, bot, chat, lang, id).await
}

/// Answers a pre-checkout query (Telegram allows 10 seconds): yes only for a pending order of
/// this payer with the same currency and total.
///
/// # Errors
/// [`super::HandlerError`] when Telegram fails (a database failure answers no).
pub async fn on_pre_checkout(shared: &Shared, bot: &TenantBot, q: PreCheckoutQuery) -> HandlerResult {
    let payer = tg_id(&q.from);
    let checked = shared
        .store
        .sales()
        .check_pre_checkout(&bot.tenant, payer, &q.invoice_payload, i64::from(q.total_amount), &q.currency)
        .await;
    match checked {
        Ok(_) => {
            bot.tg.answer_pre_checkout_query(q.id, true).await?;
        }
        Err(e) => {
            let lang = match shared.store.users().by_telegram_id(&bot.tenant, payer).await {
                Ok(Some(u)) => u.language,
                _ => Language::default(),
            };
            tracing::info!(bot_id = %bot.tenant.bot_id(), error = %e, "refused a pre-checkout query");
            let text = shared.text(lang, "stars-order-invalid", &[]);
            bot.tg.answer_pre_checkout_query(q.id, false).error_message(text).await?;
        }
    }
    Ok(())
}

/// Telegram's `successful_payment`: completes the order once (a replay changes nothing). The
/// customer's confirmation and subscription link come through the outbox.
///
/// # Errors
/// [`super::HandlerError`] when the database fails (the update is then logged; the charge id
/// is in Telegram's records for a retry or refund).
pub async fn on_successful_payment(shared: &Shared, bot: &TenantBot, msg: &Message) -> HandlerResult {
    let Some(paid) = msg.successful_payment() else { return Ok(()) };
    let res = shared
        .store
        .sales()
        .complete_stars(
            &bot.tenant,
            &paid.invoice_payload,
            &paid.telegram_payment_charge_id.0,
            i64::from(paid.total_amount),
            &paid.currency,
            shared.texts.as_ref(),
            Utc::now(),
        )
        .await;
    match res {
        Ok(done) if done.fulfilment.is_none() => {
            tracing::info!(bot_id = %bot.tenant.bot_id(), payment_id = %done.payment.id, "a replayed successful_payment");
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e @ Error::Unavailable { .. }) => Err(e.into()),
        Err(e) => {
            tracing::error!(
                bot_id = %bot.tenant.bot_id(),
                charge = %paid.telegram_payment_charge_id.0,
                error = %e,
                "a Stars payment does not match its order; an admin may refund it"
            );
            Ok(())
        }
    }
}

/// `/refund_stars <charge id>` from one of the tenant's admins: refunds through Telegram, then
/// reverses the order in the store. Anyone else is ignored (as an unknown command).
///
/// # Errors
/// [`super::HandlerError`] when the database or Telegram fails.
pub async fn refund_command(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId, rest: &str) -> HandlerResult {
    let lang = user.language;
    let admins = shared.store.configs().admin_ids(&bot.tenant).await?;
    if !admins.contains(&user.telegram_id.0) {
        return Ok(());
    }
    let charge = rest.trim();
    if charge.is_empty() {
        return say(shared, bot, chat, lang, "refund-usage").await;
    }
    let sales = shared.store.sales();
    let payment = match sales.refundable_stars(&bot.tenant, charge).await {
        Ok(p) => p,
        Err(Error::NotFound { .. }) => return say(shared, bot, chat, lang, "refund-not-found").await,
        Err(Error::Conflict(_)) => return say(shared, bot, chat, lang, "refund-already").await,
        Err(Error::InsufficientBalance { .. }) => return say(shared, bot, chat, lang, "refund-spent").await,
        Err(e) => return Err(e.into()),
    };
    let customer = shared.store.users().get(&bot.tenant, payment.user_id).await?;
    let customer_id = teloxide::types::UserId(u64::try_from(customer.telegram_id.0).unwrap_or(0));
    match bot.tg.refund_star_payment(customer_id, TelegramTransactionId(charge.to_owned())).await {
        Ok(_) => {}
        // Refunded at Telegram before (our record failed afterwards): record it now.
        Err(teloxide::RequestError::Api(e)) if e.to_string().contains("CHARGE_ALREADY_REFUNDED") => {}
        Err(e) => {
            tracing::warn!(bot_id = %bot.tenant.bot_id(), error = %e, "refundStarPayment failed");
            return say(shared, bot, chat, lang, "refund-failed").await;
        }
    }
    let refund = sales.refund_stars(&bot.tenant, charge, shared.texts.as_ref(), Utc::now()).await?;
    let text = shared.text(lang, "refund-done", &[("stars", refund.payment.stars.into())]);
    bot.tg.send_message(chat, text).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_callback_data_round_trips() {
        for provider in [Provider::Zarinpal, Provider::Stars] {
            for purpose in [PaymentPurpose::Purchase, PaymentPurpose::Renewal] {
                let a = Action { provider, purpose, plan: PlanId(i64::MAX) };
                assert!(a.data().len() <= 64);
                assert_eq!(Action::parse(a.data().trim_start_matches("pay:")), Some(a));
            }
        }
        for bad in ["", "z", "z:p", "x:p:1", "z:t:1", "z:p:0", "z:p:-1", "z:p:1:2"] {
            assert_eq!(Action::parse(bad), None, "{bad:?}");
        }
    }
}
