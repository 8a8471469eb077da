//! The shop: the tenant's plans (buy and renew), the customer's subscription and the free
//! trial. Paying is [`super::checkout`]; the admins' review of card payments is
//! [`super::admin`].

use chrono::Utc;
use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::text::{MESSAGE_CHARS, PlanDescription, PlanName, clip};
use remnabot_domain::{Error, PaymentId, PlanId};
use remnabot_store::payments::PaymentPurpose;
use remnabot_store::plans::Plan;
use remnabot_store::subscriptions::{Subscription, SubscriptionStatus};
use remnabot_store::users::User;
use teloxide::prelude::*;
use teloxide::types::{CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, MessageId};

use super::checkout::{self, Method};
use super::{HandlerResult, Shared, TenantBot, answer, feature_on};
use crate::calendar::format_datetime;
use crate::texts::{format_number, persian_digits};

/// What a plan is bought for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A new subscription.
    Purchase,
    /// Extending the current subscription.
    Renewal,
}

impl Purpose {
    /// The one-letter code in callback data.
    fn code(self) -> char {
        match self {
            Purpose::Purchase => 'p',
            Purpose::Renewal => 'r',
        }
    }

    fn parse(s: &str) -> Option<Purpose> {
        match s {
            "p" => Some(Purpose::Purchase),
            "r" => Some(Purpose::Renewal),
            _ => None,
        }
    }

    /// The payment purpose the sales service records.
    pub fn payment_purpose(self) -> PaymentPurpose {
        match self {
            Purpose::Purchase => PaymentPurpose::Purchase,
            Purpose::Renewal => PaymentPurpose::Renewal,
        }
    }
}

/// Callback data `shop:...`: the shop's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `plans:<p|r>`: the plan list, sent as a new message.
    Plans(Purpose),
    /// `plans:<p|r>:<page>`: another page (0-based) of the plan list, in place of the
    /// pressed one.
    PlansPage(Purpose, u32),
    /// `plan:<p|r>:<id>`: one plan.
    Plan(Purpose, PlanId),
    /// `buy:<p|r>:<id>`: the checkout (price and payment methods).
    Buy(Purpose, PlanId),
    /// `pay:<method>:<p|r>:<id>`: pay with a method.
    Pay(Method, Purpose, PlanId),
    /// `rcpt:<payment>`: "I have paid": the next message is the receipt of this payment.
    Receipt(PaymentId),
    /// `sub`: the customer's subscription.
    Subscription,
    /// `renew`: the renewal offer.
    Renew,
    /// `trial`: start the free trial.
    Trial,
}

/// A positive id.
fn id(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|n| *n > 0)
}

/// A page number of the plan list (digits only, below a million).
fn page_number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u32>().ok().filter(|p| *p < 1_000_000)
}

impl Action {
    /// Parses the part after `shop:`; `None` for anything else.
    pub fn parse(data: &str) -> Option<Action> {
        let parts: Vec<&str> = data.split(':').collect();
        match parts.as_slice() {
            ["plans", p] => Some(Action::Plans(Purpose::parse(p)?)),
            ["plans", p, page] => Some(Action::PlansPage(Purpose::parse(p)?, page_number(page)?)),
            ["plan", p, plan] => Some(Action::Plan(Purpose::parse(p)?, PlanId(id(plan)?))),
            ["buy", p, plan] => Some(Action::Buy(Purpose::parse(p)?, PlanId(id(plan)?))),
            ["pay", m, p, plan] => Some(Action::Pay(Method::parse(m)?, Purpose::parse(p)?, PlanId(id(plan)?))),
            ["rcpt", payment] => Some(Action::Receipt(PaymentId(id(payment)?))),
            ["sub"] => Some(Action::Subscription),
            ["renew"] => Some(Action::Renew),
            ["trial"] => Some(Action::Trial),
            _ => None,
        }
    }

    /// The callback data of this action (at most 64 bytes: ids are at most 19 digits).
    pub fn data(self) -> String {
        match self {
            Action::Plans(p) => format!("shop:plans:{}", p.code()),
            Action::PlansPage(p, page) => format!("shop:plans:{}:{page}", p.code()),
            Action::Plan(p, plan) => format!("shop:plan:{}:{plan}", p.code()),
            Action::Buy(p, plan) => format!("shop:buy:{}:{plan}", p.code()),
            Action::Pay(m, p, plan) => format!("shop:pay:{}:{}:{plan}", m.code(), p.code()),
            Action::Receipt(payment) => format!("shop:rcpt:{payment}"),
            Action::Subscription => "shop:sub".to_owned(),
            Action::Renew => "shop:renew".to_owned(),
            Action::Trial => "shop:trial".to_owned(),
        }
    }
}

/// An inline button for `action`.
pub(crate) fn button(label: String, action: Action) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(label, action.data())
}

/// Handles a shop button.
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
    match action {
        Action::Plans(purpose) => {
            bot.tg.answer_callback_query(q.id.clone()).await?;
            match purpose {
                Purpose::Purchase => show_plans(shared, bot, user, chat, Purpose::Purchase, None).await,
                Purpose::Renewal => show_renewal(shared, bot, user, chat).await,
            }
        }
        Action::PlansPage(purpose, page) => {
            bot.tg.answer_callback_query(q.id.clone()).await?;
            let pressed = q.message.as_ref().map(|m| m.id());
            show_plans_page(shared, bot, user, chat, purpose, None, page, pressed).await
        }
        Action::Plan(purpose, plan) => match active_plan(shared, bot, plan).await? {
            Some(plan) => {
                bot.tg.answer_callback_query(q.id.clone()).await?;
                show_plan(shared, bot, user, chat, purpose, &plan).await
            }
            None => answer(shared, bot, q, lang, "plan-unavailable").await,
        },
        Action::Buy(purpose, plan) => {
            bot.tg.answer_callback_query(q.id.clone()).await?;
            checkout::show_checkout(shared, bot, user, chat, purpose, plan).await
        }
        Action::Pay(method, purpose, plan) => checkout::pay(shared, bot, user, chat, q, method, purpose, plan).await,
        Action::Receipt(payment) => checkout::arm_receipt(shared, bot, user, chat, q, payment).await,
        Action::Subscription => {
            bot.tg.answer_callback_query(q.id.clone()).await?;
            show_subscription(shared, bot, user, chat).await
        }
        Action::Renew => {
            bot.tg.answer_callback_query(q.id.clone()).await?;
            show_renewal(shared, bot, user, chat).await
        }
        Action::Trial => {
            if !feature_on(shared, bot, Some(FeatureKey::Trial)).await? {
                return answer(shared, bot, q, lang, "feature-disabled").await;
            }
            bot.tg.answer_callback_query(q.id.clone()).await?;
            start_trial(shared, bot, user, chat).await
        }
    }
}

/// The plan if it exists in this tenant and is on sale.
async fn active_plan(shared: &Shared, bot: &TenantBot, plan: PlanId) -> Result<Option<Plan>, super::HandlerError> {
    match shared.store.plans().get(&bot.tenant, plan).await {
        Ok(p) if p.is_active => Ok(Some(p)),
        Ok(_) | Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The traffic of a plan: `50 GB` or unlimited.
pub(crate) fn traffic_text(shared: &Shared, lang: Language, gb: u32) -> String {
    if gb == 0 {
        shared.text(lang, "traffic-unlimited", &[])
    } else {
        shared.text(lang, "traffic-gb", &[("gb", gb.into())])
    }
}

/// A plan's name as shown: cut to the bound the API keeps (a row written before the bound
/// existed may be longer).
fn plan_name(plan: &Plan) -> std::borrow::Cow<'_, str> {
    clip(&plan.name, PlanName::MAX_CHARS)
}

/// One line describing a plan: period, traffic, devices and price.
pub(crate) fn plan_summary(shared: &Shared, lang: Language, plan: &Plan) -> String {
    shared.text(
        lang,
        "plan-summary",
        &[
            ("name", plan_name(plan).as_ref().into()),
            ("days", plan.period_days.into()),
            ("traffic", traffic_text(shared, lang, plan.traffic_gb).into()),
            ("devices", plan.device_limit.into()),
            ("price", plan.price.into()),
        ],
    )
}

/// The tenant's active plans in order, each a button to its detail, ten to a page. `intro`
/// goes before the list (used by the renewal offer).
///
/// # Errors
/// [`super::HandlerError`] when the database or Telegram fails.
pub async fn show_plans(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    purpose: Purpose,
    intro: Option<String>,
) -> HandlerResult {
    show_plans_page(shared, bot, user, chat, purpose, intro, 0, None).await
}

/// Page `page` (0-based; past the end, the last one) of the plan list, with its number and
/// Previous and Next when there are several: edited into message `edit` when given (a page
/// button was pressed), else sent.
#[allow(clippy::too_many_arguments)]
async fn show_plans_page(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    purpose: Purpose,
    intro: Option<String>,
    page: u32,
    edit: Option<MessageId>,
) -> HandlerResult {
    let lang = user.language;
    let total = shared.store.plans().count_on_sale(&bot.tenant).await?;
    let paging = crate::paging::Paging::new(page, total);
    let (page, pages) = (paging.page, paging.pages());
    let plans = shared.store.plans().list(&bot.tenant, true, paging.window()).await?;
    if plans.is_empty() {
        let empty = shared.text(lang, "plans-empty", &[]);
        match edit {
            Some(message) => {
                bot.tg.edit_message_text(chat, message, empty).await?;
            }
            None => {
                bot.tg.send_message(chat, empty).await?;
            }
        }
        return Ok(());
    }
    let title = match purpose {
        Purpose::Purchase => shared.text(lang, "plans-title", &[]),
        Purpose::Renewal => shared.text(lang, "plans-title-renewal", &[]),
    };
    let mut text = intro.map(|i| format!("{i}\n\n")).unwrap_or_default();
    text.push_str(&title);
    if pages > 1 {
        text.push('\n');
        text.push_str(&shared.text(
            lang,
            "plans-page",
            &[("page", (page + 1).into()), ("pages", pages.into()), ("count", total.into())],
        ));
    }
    for plan in &plans {
        text.push_str("\n\n");
        text.push_str(&plan_summary(shared, lang, plan));
    }
    let mut buttons: Vec<Vec<InlineKeyboardButton>> = plans
        .iter()
        .map(|p| {
            let label =
                shared.text(lang, "plan-button", &[("name", plan_name(p).as_ref().into()), ("price", p.price.into())]);
            vec![button(label, Action::Plan(purpose, p.id))]
        })
        .collect();
    if pages > 1 {
        let mut row = Vec::with_capacity(2);
        if page > 0 {
            row.push(button(shared.text(lang, "plans-previous", &[]), Action::PlansPage(purpose, page - 1)));
        }
        if page + 1 < pages {
            row.push(button(shared.text(lang, "plans-next", &[]), Action::PlansPage(purpose, page + 1)));
        }
        buttons.push(row);
    }
    // The texts above are bounded; this only guards against a translation gone long.
    let text = clip(&text, MESSAGE_CHARS).into_owned();
    let keyboard = InlineKeyboardMarkup::new(buttons);
    match edit {
        Some(message) => {
            bot.tg.edit_message_text(chat, message, text).reply_markup(keyboard).await?;
        }
        None => {
            bot.tg.send_message(chat, text).reply_markup(keyboard).await?;
        }
    }
    Ok(())
}

/// One plan in detail with its Buy (or Renew) button.
async fn show_plan(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    purpose: Purpose,
    plan: &Plan,
) -> HandlerResult {
    let lang = user.language;
    let mut text = plan_summary(shared, lang, plan);
    if let Some(description) = plan.description.as_deref().filter(|d| !d.trim().is_empty()) {
        text.push_str("\n\n");
        // Cut to the bound the API keeps: a row written before it existed may be longer.
        text.push_str(&clip(description, PlanDescription::MAX_CHARS));
    }
    let text = clip(&text, MESSAGE_CHARS).into_owned();
    let buy = match purpose {
        Purpose::Purchase => "plan-buy",
        Purpose::Renewal => "plan-renew",
    };
    let keyboard = InlineKeyboardMarkup::new(vec![
        vec![button(shared.text(lang, buy, &[]), Action::Buy(purpose, plan.id))],
        vec![button(shared.text(lang, "button-back", &[]), Action::Plans(purpose))],
    ]);
    bot.tg.send_message(chat, text).reply_markup(keyboard).await?;
    Ok(())
}

/// The renewal offer: the plans again, each extending the current subscription. Without a
/// paid subscription to extend, the customer is offered a purchase instead.
///
/// # Errors
/// [`super::HandlerError`] when the database or Telegram fails.
pub async fn show_renewal(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    match shared.store.subscriptions().current_for_user(&bot.tenant, user.id).await? {
        Some(sub) if !sub.is_trial => {
            let current =
                shared.text(lang, "renew-current", &[("expires", format_datetime(lang, sub.expires_at).into())]);
            show_plans(shared, bot, user, chat, Purpose::Renewal, Some(current)).await
        }
        _ => {
            let none = shared.text(lang, "renew-none", &[]);
            show_plans(shared, bot, user, chat, Purpose::Purchase, Some(none)).await
        }
    }
}

/// A traffic amount: whole megabytes below a gigabyte, else gigabytes with one decimal.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Traffic {
    Mb(String),
    Gb(String),
}

/// `bytes` as a [`Traffic`] amount with the digits and decimal separator of `lang`.
fn traffic_amount(lang: Language, bytes: i64) -> Traffic {
    const MB: i64 = 1 << 20;
    const GB: i64 = 1 << 30;
    let bytes = bytes.max(0);
    if bytes < GB {
        return Traffic::Mb(format_number(lang, bytes / MB));
    }
    let tenths = bytes.saturating_mul(10) / GB;
    let (whole, tenth) = (format_number(lang, tenths / 10), tenths % 10);
    Traffic::Gb(match (tenth, lang) {
        (0, _) => whole,
        (_, Language::Fa) => format!("{whole}\u{066B}{}", persian_digits(&tenth.to_string())),
        (_, Language::En) => format!("{whole}.{tenth}"),
        (_, Language::Ru) => format!("{whole},{tenth}"),
    })
}

/// Bytes as the customer reads them: `512 MB`, `1.5 GB`, `۱٫۵ گیگابایت`.
pub(crate) fn bytes_text(shared: &Shared, lang: Language, bytes: i64) -> String {
    match traffic_amount(lang, bytes) {
        Traffic::Mb(n) => shared.text(lang, "traffic-mb", &[("mb", n.into())]),
        Traffic::Gb(n) => shared.text(lang, "traffic-gb", &[("gb", n.into())]),
    }
}

/// The status of a subscription as a message id.
fn status_id(sub: &Subscription, now: chrono::DateTime<Utc>) -> &'static str {
    if sub.expires_at <= now {
        return "sub-status-expired";
    }
    match sub.status {
        SubscriptionStatus::Active => "sub-status-active",
        SubscriptionStatus::Trial => "sub-status-trial",
        SubscriptionStatus::Expired => "sub-status-expired",
        SubscriptionStatus::Limited => "sub-status-limited",
        SubscriptionStatus::Disabled => "sub-status-disabled",
    }
}

/// The customer's subscription: status, expiry (Solar Hijri in Persian), traffic used and
/// limit, devices, the link once provisioned, and a Renew button.
///
/// # Errors
/// [`super::HandlerError`] when the database or Telegram fails.
pub async fn show_subscription(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    let Some(sub) = shared.store.subscriptions().current_for_user(&bot.tenant, user.id).await? else {
        let keyboard = InlineKeyboardMarkup::new(vec![vec![button(
            shared.text(lang, "menu-buy", &[]),
            Action::Plans(Purpose::Purchase),
        )]]);
        bot.tg.send_message(chat, shared.text(lang, "sub-none", &[])).reply_markup(keyboard).await?;
        return Ok(());
    };
    let now = Utc::now();
    let days_left = (sub.expires_at - now).num_days().max(0);
    let limit = if sub.traffic_limit_bytes == 0 {
        shared.text(lang, "traffic-unlimited", &[])
    } else {
        bytes_text(shared, lang, sub.traffic_limit_bytes)
    };
    let link = match &sub.subscription_url {
        Some(url) => url.clone(),
        None => shared.text(lang, "sub-link-pending", &[]),
    };
    let text = shared.text(
        lang,
        "sub-details",
        &[
            ("status", shared.text(lang, status_id(&sub, now), &[]).into()),
            ("expires", format_datetime(lang, sub.expires_at).into()),
            ("days", days_left.into()),
            ("used", bytes_text(shared, lang, sub.traffic_used_bytes).into()),
            ("limit", limit.into()),
            ("devices", sub.device_limit.into()),
            ("link", link.into()),
        ],
    );
    let keyboard = InlineKeyboardMarkup::new(vec![vec![button(shared.text(lang, "menu-renew", &[]), Action::Renew)]]);
    bot.tg.send_message(chat, text).reply_markup(keyboard).await?;
    Ok(())
}

/// The trial offer: its parameters and a button, or why the customer cannot have it.
///
/// # Errors
/// [`super::HandlerError`] when the database or Telegram fails.
pub async fn offer_trial(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    if let Some(refusal) = trial_refusal(shared, bot, user).await? {
        bot.tg.send_message(chat, shared.text(lang, refusal, &[])).await?;
        return Ok(());
    }
    if !super::squads::sale_allowed(shared, bot, user, chat).await? {
        return Ok(());
    }
    let params = shared.store.configs().trial(&bot.tenant).await?;
    let text = shared.text(
        lang,
        "trial-offer",
        &[
            ("days", params.days.into()),
            ("traffic", traffic_text(shared, lang, params.traffic_gb).into()),
            ("devices", params.device_limit.into()),
        ],
    );
    let keyboard = InlineKeyboardMarkup::new(vec![vec![button(shared.text(lang, "trial-button", &[]), Action::Trial)]]);
    bot.tg.send_message(chat, text).reply_markup(keyboard).await?;
    Ok(())
}

/// Why the customer cannot start the trial, as a message id: they had it, or they already
/// have a subscription (the trial is for newcomers; on the panel it would replace theirs).
async fn trial_refusal(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
) -> Result<Option<&'static str>, super::HandlerError> {
    let fresh = shared.store.users().get(&bot.tenant, user.id).await?;
    if fresh.trial_used {
        return Ok(Some("trial-used"));
    }
    if shared.store.subscriptions().current_for_user(&bot.tenant, user.id).await?.is_some() {
        return Ok(Some("trial-has-subscription"));
    }
    Ok(None)
}

/// Starts the free trial, once per customer: provisioned like a purchase; the link follows
/// when the panel has it.
async fn start_trial(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    if let Some(refusal) = trial_refusal(shared, bot, user).await? {
        bot.tg.send_message(chat, shared.text(lang, refusal, &[])).await?;
        return Ok(());
    }
    if !super::squads::sale_allowed(shared, bot, user, chat).await? {
        return Ok(());
    }
    // The key makes a repeated press (or a race of two) one trial.
    let key = format!("trial:{}", user.id);
    match shared.store.provisioning().trial(&bot.tenant, user.id, &key, Utc::now()).await {
        Ok(p) if p.newly_applied => {
            let text = shared.text(
                lang,
                "trial-started",
                &[("expires", format_datetime(lang, p.subscription.expires_at).into())],
            );
            bot.tg.send_message(chat, text).await?;
        }
        Ok(_) | Err(Error::Conflict(_)) => {
            bot.tg.send_message(chat, shared.text(lang, "trial-used", &[])).await?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shop_callback_data_round_trips_and_fits_telegram() {
        let big = i64::MAX;
        let actions = [
            Action::Plans(Purpose::Purchase),
            Action::PlansPage(Purpose::Renewal, 999_999),
            Action::PlansPage(Purpose::Purchase, 0),
            Action::Plan(Purpose::Renewal, PlanId(big)),
            Action::Buy(Purpose::Purchase, PlanId(7)),
            Action::Pay(Method::CardToCard, Purpose::Renewal, PlanId(big)),
            Action::Pay(Method::Balance, Purpose::Purchase, PlanId(1)),
            Action::Receipt(PaymentId(big)),
            Action::Subscription,
            Action::Renew,
            Action::Trial,
        ];
        for action in actions {
            let data = action.data();
            assert!(data.len() <= 64, "{data}");
            let rest = data.strip_prefix("shop:").unwrap_or_default();
            assert_eq!(Action::parse(rest), Some(action), "{data}");
        }
        for bad in [
            "plan:x:1",
            "plan:p:0",
            "plan:p:-3",
            "plan:p:1:2",
            "pay:cash:p:1",
            "buy:p:",
            "rcpt:abc",
            "sub:1",
            "",
            "plans:p:",
            "plans:p:-1",
            "plans:p:+1",
            "plans:p:1000000",
            "plans:x:1",
            "plans:p:1:2",
        ] {
            assert_eq!(Action::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn traffic_is_written_in_mb_below_a_gigabyte_and_in_gb_above() {
        let gb = |s: &str| Traffic::Gb(s.to_owned());
        assert_eq!(traffic_amount(Language::En, 0), Traffic::Mb("0".into()));
        assert_eq!(traffic_amount(Language::En, 512 << 20), Traffic::Mb("512".into()));
        assert_eq!(traffic_amount(Language::En, 3 << 29), gb("1.5"));
        assert_eq!(traffic_amount(Language::En, 50 << 30), gb("50"));
        assert_eq!(traffic_amount(Language::En, 2_000 << 30), gb("2,000"));
        assert_eq!(traffic_amount(Language::Fa, 3 << 29), gb("۱٫۵"));
        assert_eq!(traffic_amount(Language::Ru, 3 << 29), gb("1,5"));
        assert_eq!(traffic_amount(Language::En, -5), Traffic::Mb("0".into()));
    }
}
