//! Online payments in the bot: Zarinpal (a Pay button opening the gateway's page) and
//! Telegram Stars (an `XTR` invoice), the pre-checkout answer, `successful_payment`, and the
//! admins' `/refund_stars <charge id>`.
//!
//! The checkout calls [`checkout_buttons`] and the account's top-up [`top_up_button`];
//! callback data `pay:<z|s>:<p|r>:<plan>` (a purchase or renewal) or `pay:<z|s>:t:<amount>`
//! (a balance top-up) comes back to [`on_callback`]. The order is always priced and recorded
//! by the store (`Sales::start_zarinpal_payment`, `Sales::start_stars_payment`) before the
//! customer pays, and completed there exactly once.

use std::sync::Arc;

use chrono::Utc;
use remnabot_domain::config::Language;
use remnabot_domain::payment::{GatewayError, PaymentGateway};
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

    fn online_credited_instead(
        &self,
        lang: Language,
        method: PayMethod,
        amount: Toman,
        balance_after: Toman,
    ) -> String {
        let method = self.get(lang, method_label(method), &[]);
        self.get(
            lang,
            "online-credited-instead",
            &[("method", method.into()), ("amount", amount.into()), ("balance", balance_after.into())],
        )
    }

    fn stars_paid_twice(&self, lang: Language, stars: i64, amount: Toman, balance_after: Toman) -> String {
        self.get(
            lang,
            "stars-paid-twice",
            &[("stars", stars.into()), ("amount", amount.into()), ("balance", balance_after.into())],
        )
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

impl Provider {
    /// The message id of the provider's button.
    fn label_id(self) -> &'static str {
        match self {
            Provider::Zarinpal => "pay-zarinpal",
            Provider::Stars => "pay-stars",
        }
    }
}

/// What an online payment pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// `p:<plan>`: a purchase of the plan.
    Purchase(PlanId),
    /// `r:<plan>`: a renewal with the plan.
    Renewal(PlanId),
    /// `t:<amount>`: a top-up of the balance by this amount, within the top-up limits.
    TopUp(Toman),
}

impl Order {
    fn purpose(self) -> PaymentPurpose {
        match self {
            Order::Purchase(_) => PaymentPurpose::Purchase,
            Order::Renewal(_) => PaymentPurpose::Renewal,
            Order::TopUp(_) => PaymentPurpose::TopUp,
        }
    }

    fn plan(self) -> Option<PlanId> {
        match self {
            Order::Purchase(plan) | Order::Renewal(plan) => Some(plan),
            Order::TopUp(_) => None,
        }
    }

    fn top_up(self) -> Option<Toman> {
        match self {
            Order::TopUp(amount) => Some(amount),
            Order::Purchase(_) | Order::Renewal(_) => None,
        }
    }
}

/// Callback data `pay:<z|s>:<p|r>:<plan>` (pay a purchase or renewal of `plan` online) or
/// `pay:<z|s>:t:<amount>` (top up the balance by `amount` Toman online).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    pub provider: Provider,
    pub order: Order,
}

impl Action {
    /// Parses the part after `pay:`; `None` for anything else, including a top-up amount
    /// outside the top-up limits.
    pub fn parse(data: &str) -> Option<Action> {
        let parts: Vec<&str> = data.split(':').collect();
        let [provider, kind, value] = parts.as_slice() else { return None };
        let provider = match *provider {
            "z" => Provider::Zarinpal,
            "s" => Provider::Stars,
            _ => return None,
        };
        let plan = || value.parse::<i64>().ok().filter(|n| *n > 0).map(PlanId);
        let order = match *kind {
            "p" => Order::Purchase(plan()?),
            "r" => Order::Renewal(plan()?),
            // Digits only, then the top-up limits: the amount is the customer's to choose,
            // but never outside what a typed amount may be.
            "t" => {
                let amount = super::account::positive_id(value)?;
                Order::TopUp(super::account::check_top_up(Toman(amount)).ok()?)
            }
            _ => return None,
        };
        Some(Action { provider, order })
    }

    /// The callback data (at most 27 bytes: a 19-digit plan id).
    pub fn data(self) -> String {
        let provider = match self.provider {
            Provider::Zarinpal => "z",
            Provider::Stars => "s",
        };
        match self.order {
            Order::Purchase(plan) => format!("pay:{provider}:p:{plan}"),
            Order::Renewal(plan) => format!("pay:{provider}:r:{plan}"),
            Order::TopUp(amount) => format!("pay:{provider}:t:{}", amount.0),
        }
    }
}

/// The inline button of `action`, labelled with its provider.
fn button(shared: &Shared, lang: Language, action: Action) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(shared.text(lang, action.provider.label_id(), &[]), action.data())
}

/// Whether the tenant offers `provider` and it can be used now: Zarinpal when its flag is
/// on, a merchant id is set and the platform has a gateway and a public callback URL; Stars
/// when its flag is on and a rate is set.
///
/// # Errors
/// [`super::HandlerError`] when the database fails.
pub(super) async fn usable(shared: &Shared, bot: &TenantBot, provider: Provider) -> Result<bool, super::HandlerError> {
    let sales = shared.store.sales();
    Ok(match provider {
        Provider::Zarinpal => {
            shared.online.gateway.is_some()
                && shared.online.callback_url.is_some()
                && sales.zarinpal_account(&bot.tenant).await?.is_some()
        }
        Provider::Stars => sales.stars_rate(&bot.tenant).await?.is_some(),
    })
}

/// The checkout's online buttons for this tenant: one per [`usable`] provider.
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
    let order = if purpose == PaymentPurpose::Renewal { Order::Renewal(plan) } else { Order::Purchase(plan) };
    let mut rows = Vec::new();
    for provider in [Provider::Zarinpal, Provider::Stars] {
        if usable(shared, bot, provider).await? {
            rows.push(vec![button(shared, lang, Action { provider, order })]);
        }
    }
    Ok(rows)
}

/// The button that tops the balance up by `amount` through `provider` (the account offers
/// it when [`usable`]).
pub(super) fn top_up_button(
    shared: &Shared,
    lang: Language,
    provider: Provider,
    amount: Toman,
) -> InlineKeyboardButton {
    button(shared, lang, Action { provider, order: Order::TopUp(amount) })
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
    bot.tg.answer_callback_query(q.id.clone()).await?;
    start(shared, bot, user, chat, action).await
}

/// Starts the online payment `action`: records the order, then shows Zarinpal's Pay button
/// or sends the Stars invoice (a payment that cannot start is explained).
///
/// # Errors
/// [`super::HandlerError`] when the database or Telegram fails.
pub(super) async fn start(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    action: Action,
) -> HandlerResult {
    let lang = user.language;
    let now = Utc::now();
    let sales = shared.store.sales();
    let order = action.order;
    // A top-up sells nothing the panel must deliver.
    if !matches!(order, Order::TopUp(_)) && !super::squads::sale_allowed(shared, bot, user, chat).await? {
        return Ok(());
    }
    match action.provider {
        Provider::Zarinpal => {
            let (Some(gateway), Some(callback)) = (&shared.online.gateway, &shared.online.callback_url) else {
                bot.tg.send_message(chat, shared.text(lang, "method-unavailable", &[])).await?;
                return Ok(());
            };
            let description = match order {
                Order::Purchase(plan) | Order::Renewal(plan) => {
                    shared.store.plans().get(&bot.tenant, plan).await.map(|p| p.name).unwrap_or_default()
                }
                Order::TopUp(amount) => shared.text(lang, "zarinpal-top-up-description", &[("amount", amount.into())]),
            };
            let started = sales
                .start_zarinpal_payment(
                    &bot.tenant,
                    user.id,
                    order.purpose(),
                    order.plan(),
                    order.top_up(),
                    gateway.as_ref(),
                    callback,
                    &description,
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
                Err(e) => explain(shared, bot, chat, lang, order, e).await,
            }
        }
        Provider::Stars => {
            let started = sales
                .start_stars_payment(&bot.tenant, user.id, order.purpose(), order.plan(), order.top_up(), now)
                .await;
            match started {
                Ok(payment) => send_invoice(shared, bot, chat, lang, &payment).await,
                Err(e) => explain(shared, bot, chat, lang, order, e).await,
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
    let title = match payment.plan_id {
        Some(p) => {
            let plan = shared.store.plans().get(&bot.tenant, p).await.map(|p| p.name).unwrap_or_default();
            shared.text(lang, "stars-invoice-title", &[("plan", plan.into())])
        }
        None => shared.text(lang, "stars-invoice-title-top-up", &[]),
    };
    // Telegram takes at most 32 characters of title.
    let title: String = title.chars().take(32).collect();
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
async fn explain(
    shared: &Shared,
    bot: &TenantBot,
    chat: ChatId,
    lang: Language,
    order: Order,
    e: Error,
) -> HandlerResult {
    let id = match &e {
        Error::Unavailable { source, .. } => match source.downcast_ref::<GatewayError>() {
            // The tenant's merchant account is wrong: retrying cannot help, its admins must
            // fix the setting (told at most once an hour).
            Some(gateway) if gateway.is_account_problem() => {
                tracing::warn!(bot_id = %bot.tenant.bot_id(), error = %gateway, "Zarinpal refused the tenant's merchant account");
                let reason = gateway.to_string();
                super::checkout::alert_admins_hourly(
                    shared,
                    bot,
                    "zarinpal-account",
                    "admin-zarinpal-account",
                    &[("reason", reason.as_str().into())],
                )
                .await?;
                "zarinpal-unavailable"
            }
            _ => {
                tracing::warn!(bot_id = %bot.tenant.bot_id(), error = %e, source = %source, "an online payment could not start");
                "zarinpal-down"
            }
        },
        Error::Conflict(_) => "method-unavailable",
        Error::TenantWalletShort { .. } => "online-shop-unavailable",
        _ if order.top_up().is_some() => "online-top-up-failed",
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
        .check_pre_checkout(&bot.tenant, payer, &q.invoice_payload, i64::from(q.total_amount), &q.currency, Utc::now())
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
        Ok(done) if done.duplicate => {
            tracing::warn!(
                bot_id = %bot.tenant.bot_id(),
                payment_id = %done.payment.id,
                charge = %paid.telegram_payment_charge_id.0,
                "a Stars order was paid twice: the second charge was credited to the balance (refundable with /refund_stars)"
            );
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

/// `/refund_stars <charge id>` from one of the tenant's admins. Anyone else is ignored (as an
/// unknown command). Reserve, refund, settle: the store reserves the refund first (the
/// customer's side taken back, so nothing can be spent meanwhile), then Telegram refunds,
/// then the store settles it. Telegram refusing undoes the reservation and records why; no
/// answer at all leaves the refund reserved, and the same command finishes it.
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
    let payment = match sales.begin_stars_refund(&bot.tenant, charge).await {
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
        // Refunded at Telegram before (our record was not settled then): settle it now.
        Err(teloxide::RequestError::Api(e)) if e.to_string().contains("CHARGE_ALREADY_REFUNDED") => {}
        // A definite refusal: nothing was refunded, the reservation is undone with the reason.
        Err(teloxide::RequestError::Api(e)) => {
            let reason = e.to_string();
            tracing::warn!(bot_id = %bot.tenant.bot_id(), payment_id = %payment.id, error = %reason, "Telegram refused a Stars refund");
            sales.release_stars_refund(&bot.tenant, charge, &reason).await?;
            let text = shared.text(lang, "refund-failed", &[("reason", reason.as_str().into())]);
            bot.tg.send_message(chat, text).await?;
            return Ok(());
        }
        // No answer: Telegram may or may not have refunded. The reservation stays (the
        // payment shows `refunding`) until the same command finishes it.
        Err(e) => {
            tracing::warn!(bot_id = %bot.tenant.bot_id(), payment_id = %payment.id, error = %e, "refundStarPayment got no answer; the refund stays reserved");
            return say(shared, bot, chat, lang, "refund-pending").await;
        }
    }
    let refund = sales.settle_stars_refund(&bot.tenant, charge, shared.texts.as_ref(), Utc::now()).await?;
    let text = shared.text(lang, "refund-done", &[("stars", refund.payment.stars.into())]);
    bot.tg.send_message(chat, text).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use remnabot_store::sales::{MAX_TOP_UP, MIN_TOP_UP};

    use super::*;

    #[test]
    fn online_callback_data_round_trips() {
        for provider in [Provider::Zarinpal, Provider::Stars] {
            for order in [
                Order::Purchase(PlanId(i64::MAX)),
                Order::Renewal(PlanId(1)),
                Order::TopUp(MIN_TOP_UP),
                Order::TopUp(MAX_TOP_UP),
                Order::TopUp(Toman(75_000)),
            ] {
                let a = Action { provider, order };
                assert!(a.data().len() <= 64, "{}", a.data());
                assert_eq!(Action::parse(a.data().trim_start_matches("pay:")), Some(a), "{}", a.data());
            }
        }
        assert_eq!(Action { provider: Provider::Stars, order: Order::TopUp(Toman(50_000)) }.data(), "pay:s:t:50000");
    }

    #[test]
    fn malformed_or_out_of_limit_online_callback_data_is_refused() {
        let below = format!("z:t:{}", MIN_TOP_UP.0 - 1);
        let above = format!("s:t:{}", MAX_TOP_UP.0 + 1);
        let huge = format!("z:t:{}", "9".repeat(40));
        for bad in [
            "",
            "z",
            "z:p",
            "x:p:1",
            "z:x:1",
            "z:p:0",
            "z:p:-1",
            "z:p:1:2",
            "z:t:",
            "z:t:0",
            "z:t:-5000",
            "z:t:+5000",
            "z:t:5e4",
            "z:t:50,000",
            "z:t:50000:1",
            "t:z:50000",
            below.as_str(),
            above.as_str(),
            huge.as_str(),
        ] {
            assert_eq!(Action::parse(bad), None, "{bad:?}");
        }
    }
}
