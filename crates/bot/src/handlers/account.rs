//! The customer's account: the balance with its history and top-up (card-to-card, or online
//! through Zarinpal or Telegram Stars, [`super::online`]), promo codes ([`promo`]), the
//! referral link and support tickets ([`support`], the customer's side and the tenant's
//! admins' answers).
//!
//! Buttons carry `acct:<action>` callback data, parsed into [`Action`]; anything else is
//! refused and changes nothing. Questions (the top-up amount, a promo code, a ticket's
//! message) are dialogue states answered in [`on_message`].
//!
//! A top-up asks the amount, then offers the methods the tenant has on and that work now
//! ([`top_up_methods`]): the only one is started at once, several are offered as buttons
//! (`acct:topc:<amount>` for card-to-card, `pay:<z|s>:t:<amount>` for the online ones).

mod promo;
mod support;

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

use chrono::Utc;
use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::{Error, Page, TicketId, Toman};
use remnabot_store::ledger::LedgerEntry;
use remnabot_store::payments::PaymentPurpose;
use remnabot_store::sales::{MAX_TOP_UP, MIN_TOP_UP};
use remnabot_store::users::User;
use teloxide::prelude::*;
use teloxide::types::{CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message};

use super::online::{self, Provider};
use super::{HandlerError, HandlerResult, Shared, TenantBot, answer, end_question, feature_on, refuse_callback};
use crate::calendar::format_datetime;
use crate::dialogue::DialogueState;
use crate::texts::{Arg, format_amount};

pub use promo::ask_promo_code;
pub use support::{on_admin_callback, open_support};

/// Entries shown in the balance history.
const HISTORY_ENTRIES: u64 = 10;
/// Invited customers listed by name.
const REFERRALS_LISTED: u64 = 30;
/// Invited customers counted (more shows as "200+").
const REFERRALS_COUNTED: u64 = 200;
/// The top-up amounts offered as buttons.
const TOP_UP_PRESETS: [Toman; 4] = [Toman(50_000), Toman(100_000), Toman(200_000), Toman(500_000)];

/// Callback data `acct:<action>`: the account's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `bal`: the balance.
    Balance,
    /// `hist`: the balance history.
    History,
    /// `top`: ask the top-up amount.
    TopUp,
    /// `top:<amount>`: top up this amount (a preset button); the methods follow.
    TopUpAmount(Toman),
    /// `topc:<amount>`: top up this amount by card-to-card (the method chosen).
    TopUpCard(Toman),
    /// `refs`: the customers this one invited.
    Referrals,
    /// `cancel`: drop the open question.
    Cancel,
    /// `tnew`: open a support ticket.
    NewTicket,
    /// `tmine`: the customer's tickets.
    MyTickets,
    /// `tview:<id>`: one of the customer's tickets.
    ViewTicket(TicketId),
    /// `trep:<id>`: the customer writes to their ticket.
    ReplyTicket(TicketId),
    /// `tcls:<id>`: the customer closes their ticket.
    CloseTicket(TicketId),
    /// `tans:<id>`: an admin answers a ticket.
    AnswerTicket(TicketId),
    /// `tend:<id>`: an admin closes a ticket.
    EndTicket(TicketId),
}

/// A positive id (or amount) of at most 18 digits.
pub(super) fn positive_id(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().filter(|n| *n > 0)
}

impl Action {
    /// Parses the part after `acct:`; `None` for anything else.
    pub fn parse(data: &str) -> Option<Action> {
        let ticket = |s: &str| positive_id(s).map(TicketId);
        let parts: Vec<&str> = data.split(':').collect();
        match parts.as_slice() {
            ["bal"] => Some(Action::Balance),
            ["hist"] => Some(Action::History),
            ["top"] => Some(Action::TopUp),
            ["top", amount] => Some(Action::TopUpAmount(Toman(positive_id(amount)?))),
            ["topc", amount] => Some(Action::TopUpCard(Toman(positive_id(amount)?))),
            ["refs"] => Some(Action::Referrals),
            ["cancel"] => Some(Action::Cancel),
            ["tnew"] => Some(Action::NewTicket),
            ["tmine"] => Some(Action::MyTickets),
            ["tview", id] => Some(Action::ViewTicket(ticket(id)?)),
            ["trep", id] => Some(Action::ReplyTicket(ticket(id)?)),
            ["tcls", id] => Some(Action::CloseTicket(ticket(id)?)),
            ["tans", id] => Some(Action::AnswerTicket(ticket(id)?)),
            ["tend", id] => Some(Action::EndTicket(ticket(id)?)),
            _ => None,
        }
    }

    /// The callback data of this action (well under Telegram's 64 bytes).
    pub fn data(self) -> String {
        let rest = match self {
            Action::Balance => "bal".to_owned(),
            Action::History => "hist".to_owned(),
            Action::TopUp => "top".to_owned(),
            Action::TopUpAmount(amount) => format!("top:{}", amount.0),
            Action::TopUpCard(amount) => format!("topc:{}", amount.0),
            Action::Referrals => "refs".to_owned(),
            Action::Cancel => "cancel".to_owned(),
            Action::NewTicket => "tnew".to_owned(),
            Action::MyTickets => "tmine".to_owned(),
            Action::ViewTicket(t) => format!("tview:{t}"),
            Action::ReplyTicket(t) => format!("trep:{t}"),
            Action::CloseTicket(t) => format!("tcls:{t}"),
            Action::AnswerTicket(t) => format!("tans:{t}"),
            Action::EndTicket(t) => format!("tend:{t}"),
        };
        format!("acct:{rest}")
    }

    /// Whether this is a button of the tenant's admins (answered as an admin, never as a
    /// customer).
    pub fn is_admin(self) -> bool {
        matches!(self, Action::AnswerTicket(_) | Action::EndTicket(_))
    }
}

/// An inline button for `action`.
fn button(label: String, action: Action) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(label, action.data())
}

/// The one-button keyboard that drops the open question.
fn cancel_keyboard(shared: &Shared, lang: Language) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![vec![button(shared.text(lang, "acct-button-cancel", &[]), Action::Cancel)]])
}

/// Handles an `acct:` button of a customer (`data` is what follows `acct:`).
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn on_callback(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    q: &CallbackQuery,
    data: &str,
) -> HandlerResult {
    let lang = user.language;
    let Some(action) = Action::parse(data) else { return refuse_callback(shared, bot, q, lang).await };
    // Top up and its amounts need some usable method, checked in their arms.
    let feature = match action {
        Action::TopUpCard(_) => Some(FeatureKey::CardToCard),
        Action::Referrals => Some(FeatureKey::Referral),
        Action::NewTicket
        | Action::MyTickets
        | Action::ViewTicket(_)
        | Action::ReplyTicket(_)
        | Action::CloseTicket(_) => Some(FeatureKey::SupportTickets),
        _ => None,
    };
    if !feature_on(shared, bot, feature).await? {
        return answer(shared, bot, q, lang, "feature-disabled").await;
    }
    match action {
        Action::Balance => {
            bot.tg.answer_callback_query(q.id.clone()).await?;
            show_balance(shared, bot, user, chat).await
        }
        Action::History => {
            bot.tg.answer_callback_query(q.id.clone()).await?;
            show_history(shared, bot, user, chat).await
        }
        Action::TopUp => {
            if top_up_methods(shared, bot).await?.is_empty() {
                return answer(shared, bot, q, lang, "acct-topup-no-method").await;
            }
            bot.tg.answer_callback_query(q.id.clone()).await?;
            ask_top_up(shared, bot, user, chat).await
        }
        Action::TopUpAmount(amount) => {
            let methods = top_up_methods(shared, bot).await?;
            if methods.is_empty() {
                return answer(shared, bot, q, lang, "acct-topup-no-method").await;
            }
            bot.tg.answer_callback_query(q.id.clone()).await?;
            match check_top_up(amount) {
                Ok(amount) => offer_top_up(shared, bot, user, chat, amount, methods).await,
                Err(id) => refuse_amount(shared, bot, user, chat, id).await,
            }
        }
        Action::TopUpCard(amount) => {
            bot.tg.answer_callback_query(q.id.clone()).await?;
            match check_top_up(amount) {
                Ok(amount) => top_up(shared, bot, user, chat, amount).await,
                Err(id) => refuse_amount(shared, bot, user, chat, id).await,
            }
        }
        Action::Referrals => {
            bot.tg.answer_callback_query(q.id.clone()).await?;
            show_referrals(shared, bot, user, chat).await
        }
        Action::Cancel => {
            bot.tg.answer_callback_query(q.id.clone()).await?;
            end_question(shared, bot, chat).await?;
            bot.tg.send_message(chat, shared.text(lang, "acct-cancelled", &[])).await?;
            Ok(())
        }
        Action::NewTicket
        | Action::MyTickets
        | Action::ViewTicket(_)
        | Action::ReplyTicket(_)
        | Action::CloseTicket(_) => support::on_customer_callback(shared, bot, user, chat, q, action).await,
        Action::AnswerTicket(_) | Action::EndTicket(_) => support::on_admin_callback(shared, bot, q, action).await,
    }
}

/// A private message answering one of the account's questions (`state`).
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn on_message(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    msg: &Message,
    state: DialogueState,
) -> HandlerResult {
    match state {
        DialogueState::TopUpAmount => on_top_up_amount(shared, bot, user, chat, msg).await,
        DialogueState::PromoCode => promo::on_code(shared, bot, user, chat, msg).await,
        DialogueState::TicketOpening => support::on_new_ticket(shared, bot, user, chat, msg).await,
        DialogueState::TicketReplying { ticket } => {
            support::on_customer_message(shared, bot, user, chat, msg, ticket).await
        }
        DialogueState::TicketAnswering { ticket, admin } => {
            support::on_admin_answer(shared, bot, user, chat, msg, ticket, admin).await
        }
        // Not an account state: the dispatcher never sends these here.
        _ => {
            bot.tg.send_message(chat, shared.text(user.language, "unknown-command", &[])).await?;
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------
// Balance and history
// ---------------------------------------------------------------------------------------

/// The "Balance" menu item: the balance, with History and (when the tenant has a top-up
/// method on) Top up.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn show_balance(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    // Read again: the caller's copy may predate a payment.
    let current = shared.store.users().get(&bot.tenant, user.id).await?;
    let text = shared.text(lang, "acct-balance", &[("amount", current.balance.into())]);
    let mut row = vec![button(shared.text(lang, "acct-button-history", &[]), Action::History)];
    if top_up_offered(shared, bot).await? {
        row.push(button(shared.text(lang, "acct-button-topup", &[]), Action::TopUp));
    }
    bot.tg.send_message(chat, text).reply_markup(InlineKeyboardMarkup::new(vec![row])).await?;
    Ok(())
}

/// `+50,000 Toman` for a credit, `-50,000 Toman` for a debit.
fn signed_amount(lang: Language, amount: Toman) -> String {
    let formatted = format_amount(lang, amount);
    if amount.0 > 0 { format!("+{formatted}") } else { formatted }
}

/// The history line of one ledger entry.
fn history_line(shared: &Shared, lang: Language, entry: &LedgerEntry) -> String {
    shared.text(
        lang,
        "acct-history-line",
        &[
            ("kind", entry.kind.as_str().into()),
            ("amount", signed_amount(lang, entry.amount).into()),
            ("date", format_datetime(lang, entry.created_at).into()),
        ],
    )
}

async fn show_history(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    let entries = shared.store.balances().history(&bot.tenant, user.id, Page::new(HISTORY_ENTRIES, 0)).await?;
    let text = if entries.is_empty() {
        shared.text(lang, "acct-history-empty", &[])
    } else {
        let mut text = shared.text(lang, "acct-history-title", &[]);
        for entry in &entries {
            text.push('\n');
            text.push_str(&history_line(shared, lang, entry));
        }
        text
    };
    bot.tg.send_message(chat, text).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Top-up
// ---------------------------------------------------------------------------------------

/// Why a typed amount is refused: the message id of the explanation.
type AmountRefusal = &'static str;

/// The amount in `text`: digits in Latin, Persian or Arabic-Indic script, optionally grouped
/// (`150,000`, `۱۵۰٬۰۰۰`, `150 000`) and followed by the currency's name.
fn parse_amount(text: &str) -> Result<Toman, AmountRefusal> {
    let mut rest = text.trim();
    for unit in ["تومان", "toman", "томан", "tomans"] {
        if rest.len() > unit.len()
            && let Some(head) = rest.get(..rest.len() - unit.len())
            && rest.get(rest.len() - unit.len()..).is_some_and(|tail| tail.eq_ignore_ascii_case(unit))
        {
            rest = head.trim_end();
            break;
        }
    }
    let mut digits = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '\u{06F0}'..='\u{06F9}' => digits.push(char::from(b'0' + (u32::from(c) - 0x06F0) as u8)),
            '\u{0660}'..='\u{0669}' => digits.push(char::from(b'0' + (u32::from(c) - 0x0660) as u8)),
            // Group separators: comma, Arabic thousands separator, Arabic comma, spaces.
            ',' | '\u{066C}' | '\u{060C}' | ' ' | '\u{00A0}' | '\u{202F}' | '_' | '\'' => {}
            _ => return Err("acct-topup-not-a-number"),
        }
        if digits.len() > 15 {
            return Err("acct-topup-too-large");
        }
    }
    let amount = digits.parse::<i64>().map_err(|_| "acct-topup-not-a-number")?;
    check_top_up(Toman(amount))
}

/// The amount when it is within the sales service's top-up limits (also the rule for the
/// amount in online top-up callback data).
pub(super) fn check_top_up(amount: Toman) -> Result<Toman, AmountRefusal> {
    if amount < MIN_TOP_UP {
        Err("acct-topup-too-small")
    } else if amount > MAX_TOP_UP {
        Err("acct-topup-too-large")
    } else {
        Ok(amount)
    }
}

/// The limits as message arguments.
fn limits() -> [(&'static str, Arg); 2] {
    [("min", MIN_TOP_UP.into()), ("max", MAX_TOP_UP.into())]
}

async fn ask_top_up(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    shared.dialogues.set(&bot.tenant, chat.0, DialogueState::TopUpAmount).await?;
    let mut rows: Vec<Vec<InlineKeyboardButton>> = TOP_UP_PRESETS
        .chunks(2)
        .map(|pair| pair.iter().map(|a| button(format_amount(lang, *a), Action::TopUpAmount(*a))).collect())
        .collect();
    rows.push(vec![button(shared.text(lang, "acct-button-cancel", &[]), Action::Cancel)]);
    let text = shared.text(lang, "acct-topup-prompt", &limits());
    bot.tg.send_message(chat, text).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

async fn refuse_amount(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    id: AmountRefusal,
) -> HandlerResult {
    // The question stays open: the next message may be a valid amount.
    let text = shared.text(user.language, id, &limits());
    bot.tg.send_message(chat, text).reply_markup(cancel_keyboard(shared, user.language)).await?;
    Ok(())
}

async fn on_top_up_amount(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId, msg: &Message) -> HandlerResult {
    let Some(text) = msg.text() else {
        let text = shared.text(user.language, "acct-expects-text", &[]);
        bot.tg.send_message(chat, text).reply_markup(cancel_keyboard(shared, user.language)).await?;
        return Ok(());
    };
    match parse_amount(text) {
        Ok(amount) => {
            let methods = top_up_methods(shared, bot).await?;
            offer_top_up(shared, bot, user, chat, amount, methods).await
        }
        Err(id) => refuse_amount(shared, bot, user, chat, id).await,
    }
}

/// A way to top up the balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TopUpMethod {
    CardToCard,
    Online(Provider),
}

/// Whether the tenant has any top-up method switched on (the Top up button; whether one
/// works now is [`top_up_methods`]' question when it is pressed).
async fn top_up_offered(shared: &Shared, bot: &TenantBot) -> Result<bool, HandlerError> {
    for feature in [FeatureKey::CardToCard, FeatureKey::Zarinpal, FeatureKey::TelegramStars] {
        if feature_on(shared, bot, Some(feature)).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The top-up methods the tenant offers and that work now, in the order they are shown:
/// card-to-card (its flag on and an active card), then Zarinpal and Stars by the checkout's
/// rule ([`online::usable`]).
async fn top_up_methods(shared: &Shared, bot: &TenantBot) -> Result<Vec<TopUpMethod>, HandlerError> {
    let mut methods = Vec::new();
    if feature_on(shared, bot, Some(FeatureKey::CardToCard)).await?
        && !shared.store.cards().list(&bot.tenant, true, Page::new(1, 0)).await?.is_empty()
    {
        methods.push(TopUpMethod::CardToCard);
    }
    for provider in [Provider::Zarinpal, Provider::Stars] {
        if online::usable(shared, bot, provider).await? {
            methods.push(TopUpMethod::Online(provider));
        }
    }
    Ok(methods)
}

/// The customer chose `amount`: the only usable method starts at once, several are offered
/// as buttons, none is explained.
async fn offer_top_up(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    amount: Toman,
    methods: Vec<TopUpMethod>,
) -> HandlerResult {
    let lang = user.language;
    match methods.as_slice() {
        // Card-to-card's own flow decides about the open question (it waits for a receipt).
        [TopUpMethod::CardToCard] => top_up(shared, bot, user, chat, amount).await,
        [TopUpMethod::Online(provider)] => {
            end_question(shared, bot, chat).await?;
            let action = online::Action { provider: *provider, order: online::Order::TopUp(amount) };
            online::start(shared, bot, user, chat, action).await
        }
        [] => {
            end_question(shared, bot, chat).await?;
            bot.tg.send_message(chat, shared.text(lang, "acct-topup-no-method", &[])).await?;
            Ok(())
        }
        several => {
            end_question(shared, bot, chat).await?;
            let rows: Vec<Vec<InlineKeyboardButton>> = several
                .iter()
                .map(|method| match method {
                    TopUpMethod::CardToCard => {
                        button(shared.text(lang, "pay-card-to-card", &[]), Action::TopUpCard(amount))
                    }
                    TopUpMethod::Online(provider) => online::top_up_button(shared, lang, *provider, amount),
                })
                .map(|b| vec![b])
                .collect();
            let text = shared.text(lang, "acct-topup-choose-method", &[("amount", amount.into())]);
            bot.tg.send_message(chat, text).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
            Ok(())
        }
    }
}

/// Starts a card-to-card top-up of `amount` and shows the card (a pending top-up of the
/// same amount still waiting for its receipt is shown again instead: one transfer).
async fn top_up(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId, amount: Toman) -> HandlerResult {
    let lang = user.language;
    if !feature_on(shared, bot, Some(FeatureKey::CardToCard)).await? {
        end_question(shared, bot, chat).await?;
        bot.tg.send_message(chat, shared.text(lang, "acct-topup-unavailable", &[])).await?;
        return Ok(());
    }
    let now = Utc::now();
    let sales = shared.store.sales();
    let pending = sales.awaiting_receipt(&bot.tenant, user.id, now).await?;
    let started = match pending {
        Some(p) if p.purpose == PaymentPurpose::TopUp && p.amount == amount => {
            let card = shared.store.cards().get(&bot.tenant, p.card_id).await?;
            Ok((p, card))
        }
        _ => sales.start_card_payment(&bot.tenant, user.id, PaymentPurpose::TopUp, None, Some(amount), now).await,
    };
    match started {
        // The shop's display, and its receipt handling and the admins' review from there.
        Ok((payment, card)) => super::checkout::show_card_payment(shared, bot, user, chat, &payment, &card).await,
        Err(Error::NoActiveCard { .. }) => {
            end_question(shared, bot, chat).await?;
            bot.tg.send_message(chat, shared.text(lang, "acct-topup-unavailable", &[])).await?;
            Ok(())
        }
        Err(Error::Invalid { .. }) => refuse_amount(shared, bot, user, chat, "acct-topup-not-a-number").await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// Referral
// ---------------------------------------------------------------------------------------

/// Usernames of the bots, by Telegram bot id (the part of the token before `:`, which is
/// public): a bot's username never changes, so `getMe` is asked once per bot and process.
static USERNAMES: LazyLock<Mutex<HashMap<String, String>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// The bot's `@username` (without `@`).
async fn bot_username(bot: &TenantBot) -> Result<Option<String>, HandlerError> {
    let key = bot.tg.inner().token().split(':').next().unwrap_or_default().to_owned();
    if let Some(name) = USERNAMES.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
        return Ok(Some(name.clone()));
    }
    let me = bot.tg.get_me().await?;
    let Some(name) = me.user.username.clone() else { return Ok(None) };
    USERNAMES.lock().unwrap_or_else(PoisonError::into_inner).insert(key, name.clone());
    Ok(Some(name))
}

/// The customer's personal link: `/start ref_<code>` in this tenant's bot.
pub(crate) fn referral_link(username: &str, code: &str) -> String {
    format!("https://t.me/{username}?start=ref_{code}")
}

/// The "Referral" menu item: the personal link, the reward, how many joined and what it
/// earned.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn show_referral(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    if !feature_on(shared, bot, Some(FeatureKey::Referral)).await? {
        bot.tg.send_message(chat, shared.text(lang, "feature-disabled", &[])).await?;
        return Ok(());
    }
    let Some(username) = bot_username(bot).await? else {
        bot.tg.send_message(chat, shared.text(lang, "error-generic", &[])).await?;
        return Ok(());
    };
    let tenant = &bot.tenant;
    let percent = shared.store.configs().referral_percent(tenant).await?;
    let invited = shared.store.users().referrals(tenant, user.id, Page::new(REFERRALS_COUNTED, 0)).await?;
    let count = invited.len();
    let earned = shared.store.referral_earnings().total_for_referrer(tenant, user.id).await?;
    let count_text = if count as u64 >= REFERRALS_COUNTED {
        format!("{}+", crate::texts::format_number(lang, count as i64))
    } else {
        crate::texts::format_number(lang, count as i64)
    };
    let text = shared.text(
        lang,
        "acct-referral",
        &[
            ("link", referral_link(&username, &user.referral_code).into()),
            ("percent", u32::from(percent).into()),
            ("count", count_text.into()),
            ("earned", earned.into()),
        ],
    );
    let keyboard = InlineKeyboardMarkup::new(vec![vec![button(
        shared.text(lang, "acct-button-referrals", &[]),
        Action::Referrals,
    )]]);
    bot.tg.send_message(chat, text).reply_markup(keyboard).await?;
    Ok(())
}

/// How a customer is named to others: first name, else `@username`, else their number.
pub(crate) fn display_name(user: &User) -> String {
    match (&user.first_name, &user.username) {
        (Some(first), _) if !first.trim().is_empty() => first.trim().to_owned(),
        (_, Some(username)) => format!("@{username}"),
        _ => format!("#{}", user.id),
    }
}

async fn show_referrals(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    let invited = shared.store.users().referrals(&bot.tenant, user.id, Page::new(REFERRALS_LISTED + 1, 0)).await?;
    let text = if invited.is_empty() {
        shared.text(lang, "acct-referrals-empty", &[])
    } else {
        let mut text = shared.text(lang, "acct-referrals-title", &[]);
        for friend in invited.iter().take(REFERRALS_LISTED as usize) {
            text.push('\n');
            text.push_str(&shared.text(lang, "acct-referrals-line", &[("name", display_name(friend).into())]));
        }
        if invited.len() as u64 > REFERRALS_LISTED {
            text.push('\n');
            text.push_str(&shared.text(lang, "acct-referrals-more", &[]));
        }
        text
    };
    bot.tg.send_message(chat, text).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_fit_in_callback_data() {
        let all = [
            Action::Balance,
            Action::History,
            Action::TopUp,
            Action::TopUpAmount(Toman(100_000_000)),
            Action::TopUpCard(Toman(999_999_999_999_999_999)),
            Action::Referrals,
            Action::Cancel,
            Action::NewTicket,
            Action::MyTickets,
            Action::ViewTicket(TicketId(999_999_999_999_999_999)),
            Action::ReplyTicket(TicketId(1)),
            Action::CloseTicket(TicketId(2)),
            Action::AnswerTicket(TicketId(3)),
            Action::EndTicket(TicketId(4)),
        ];
        for action in all {
            let data = action.data();
            assert!(data.len() <= 64, "{data}");
            let rest = data.strip_prefix("acct:").unwrap_or_default();
            assert_eq!(Action::parse(rest), Some(action), "{data}");
        }
    }

    #[test]
    fn unknown_or_malformed_actions_are_refused() {
        for bad in [
            "",
            "balance",
            "top:",
            "top:-5",
            "top:0",
            "top:1e6",
            "topc",
            "topc:",
            "topc:-1",
            "topc:1:2",
            "top:9999999999999999999999",
            "tans",
            "tans:x",
            "tans:1:2",
            "tview:+1",
            "tend:0",
            "hist:1",
        ] {
            assert_eq!(Action::parse(bad), None, "{bad:?}");
        }
        assert!(Action::AnswerTicket(TicketId(1)).is_admin());
        assert!(!Action::ReplyTicket(TicketId(1)).is_admin());
    }

    #[test]
    fn amounts_are_read_in_latin_persian_and_arabic_digits() {
        assert_eq!(parse_amount("150000"), Ok(Toman(150_000)));
        assert_eq!(parse_amount(" 150,000 "), Ok(Toman(150_000)));
        assert_eq!(parse_amount("۱۵۰٬۰۰۰"), Ok(Toman(150_000)));
        assert_eq!(parse_amount("۱۵۰۰۰۰ تومان"), Ok(Toman(150_000)));
        assert_eq!(parse_amount("٢٠٠٠٠٠"), Ok(Toman(200_000)));
        assert_eq!(parse_amount("50 000 Toman"), Ok(Toman(50_000)));
        assert_eq!(parse_amount("1000"), Ok(MIN_TOP_UP));
    }

    #[test]
    fn bad_amounts_are_explained() {
        assert_eq!(parse_amount("abc"), Err("acct-topup-not-a-number"));
        assert_eq!(parse_amount(""), Err("acct-topup-not-a-number"));
        assert_eq!(parse_amount("12.5"), Err("acct-topup-not-a-number"));
        assert_eq!(parse_amount("-5000"), Err("acct-topup-not-a-number"));
        assert_eq!(parse_amount("تومان"), Err("acct-topup-not-a-number"));
        assert_eq!(parse_amount("999"), Err("acct-topup-too-small"));
        assert_eq!(parse_amount("0"), Err("acct-topup-too-small"));
        assert_eq!(parse_amount("100000001"), Err("acct-topup-too-large"));
        assert_eq!(parse_amount(&"9".repeat(5000)), Err("acct-topup-too-large"));
    }

    #[test]
    fn the_referral_link_starts_the_bot_with_the_code() {
        assert_eq!(referral_link("ShopBot", "AB12CD34"), "https://t.me/ShopBot?start=ref_AB12CD34");
    }
}
