//! The tenant's admins reviewing card-to-card payments: each receipt goes to the tenant's
//! admin chat and admins (configuration `admin_chat_id`, `admin_ids`) with Approve, Reject
//! and Details buttons.
//!
//! Only an admin of this tenant may press them: someone listed in its `admin_ids`, or
//! anyone in its admin chat (the tenant chose who is in it). Everyone else, and forged
//! callback data naming another tenant's payment (not found in this tenant), gets a clear
//! answer and changes nothing. Approving and rejecting go through `Sales`, which completes
//! a payment exactly once; a second press, or Approve after Reject, is told what happened.
//!
//! Every copy of a receipt sent is recorded (`record_review_message`), so whoever or
//! whatever decides the payment (an admin here, the API, the expiry job), the same write
//! transaction queues an edit of every copy with the outcome, leaving only Details. The
//! admin who pressed also sees the outcome at once: the bot edits that message itself, with
//! the very text the queued edit carries, which Telegram then answers "message is not
//! modified" and the worker counts as done.

use chrono::Utc;
use remnabot_domain::config::Language;
use remnabot_domain::{Error, PaymentId, TgUserId};
use remnabot_store::outbox::{MAX_CAPTION, MAX_TEXT};
use remnabot_store::payments::{
    CardPayment, NewReviewMessage, PaymentPurpose, PaymentStatus, ReceiptKind, review_edit_text,
};
use remnabot_store::sales::{Reviewer, SaleTexts};
use remnabot_store::users::User;
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQuery, FileId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, MessageId,
};

use super::{HandlerError, HandlerResult, Shared, TenantBot, tg_id};
use crate::calendar::format_datetime;
use crate::dialogue::DialogueState;
use crate::texts::Arg;

/// Callback data `adm:...`: the review buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `ok:<payment>`.
    Approve(PaymentId),
    /// `no:<payment>`: asks for a reason first.
    Reject(PaymentId),
    /// `skip:<payment>`: rejects without a reason.
    RejectWithoutReason(PaymentId),
    /// `info:<payment>`.
    Details(PaymentId),
}

impl Action {
    /// Parses the part after `adm:`; `None` for anything else.
    pub fn parse(data: &str) -> Option<Action> {
        let (kind, id) = data.split_once(':')?;
        let id = PaymentId(id.parse::<i64>().ok().filter(|n| *n > 0)?);
        match kind {
            "ok" => Some(Action::Approve(id)),
            "no" => Some(Action::Reject(id)),
            "skip" => Some(Action::RejectWithoutReason(id)),
            "info" => Some(Action::Details(id)),
            _ => None,
        }
    }

    /// The callback data (at most 64 bytes).
    pub fn data(self) -> String {
        match self {
            Action::Approve(id) => format!("adm:ok:{id}"),
            Action::Reject(id) => format!("adm:no:{id}"),
            Action::RejectWithoutReason(id) => format!("adm:skip:{id}"),
            Action::Details(id) => format!("adm:info:{id}"),
        }
    }
}

fn button(shared: &Shared, lang: Language, id: &str, action: Action) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(shared.text(lang, id, &[]), action.data())
}

/// The buttons under a receipt still to review.
fn review_buttons(shared: &Shared, lang: Language, payment: PaymentId) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![
        vec![
            button(shared, lang, "admin-approve", Action::Approve(payment)),
            button(shared, lang, "admin-reject", Action::Reject(payment)),
        ],
        vec![button(shared, lang, "admin-details", Action::Details(payment))],
    ])
}

/// The tenant's first language: the one its admin chat is written in.
async fn tenant_language(shared: &Shared, bot: &TenantBot) -> Result<Language, HandlerError> {
    Ok(shared.store.configs().languages(&bot.tenant).await?.first().copied().unwrap_or_default())
}

/// An admin's language: theirs when they talked to the bot, else the tenant's.
async fn admin_language(shared: &Shared, bot: &TenantBot, admin: TgUserId) -> Result<Language, HandlerError> {
    match shared.store.users().by_telegram_id(&bot.tenant, admin).await? {
        Some(u) => Ok(u.language),
        None => tenant_language(shared, bot).await,
    }
}

/// Where the tenant's admin messages go, each with its language: the admin chat, then
/// each admin's private chat.
///
/// # Errors
/// [`HandlerError`] when the database fails.
pub async fn recipients(shared: &Shared, bot: &TenantBot) -> Result<Vec<(i64, Language)>, HandlerError> {
    let configs = shared.store.configs();
    let mut out: Vec<(i64, Language)> = Vec::new();
    if let Some(chat) = configs.admin_chat_id(&bot.tenant).await? {
        out.push((chat, tenant_language(shared, bot).await?));
    }
    for admin in configs.admin_ids(&bot.tenant).await? {
        if !out.iter().any(|(chat, _)| *chat == admin) {
            out.push((admin, admin_language(shared, bot, TgUserId(admin)).await?));
        }
    }
    Ok(out)
}

/// Whether `who`, pressing in `chat`, is an admin of this tenant.
async fn is_admin(shared: &Shared, bot: &TenantBot, who: TgUserId, chat: Option<i64>) -> Result<bool, HandlerError> {
    let configs = shared.store.configs();
    if configs.admin_ids(&bot.tenant).await?.contains(&who.0) {
        return Ok(true);
    }
    let admin_chat = configs.admin_chat_id(&bot.tenant).await?;
    Ok(admin_chat.is_some() && admin_chat == chat)
}

/// What a payment pays for, in words.
async fn purpose_text(
    shared: &Shared,
    bot: &TenantBot,
    lang: Language,
    payment: &CardPayment,
) -> Result<String, HandlerError> {
    let plan = match payment.plan_id {
        Some(id) => match shared.store.plans().get(&bot.tenant, id).await {
            Ok(plan) => Some(plan),
            Err(Error::NotFound { .. }) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let args: Vec<(&str, Arg)> = match &plan {
        Some(p) => vec![("plan", p.name.as_str().into()), ("days", p.period_days.into())],
        None => vec![("plan", "-".into()), ("days", 0.into())],
    };
    let id = match payment.purpose {
        PaymentPurpose::Purchase => "admin-purpose-purchase",
        PaymentPurpose::Renewal => "admin-purpose-renewal",
        PaymentPurpose::TopUp => "admin-purpose-top-up",
    };
    Ok(shared.text(lang, id, &args))
}

/// The customer as admins see them: name, @username and Telegram id.
fn customer_text(customer: &User) -> String {
    let name = customer.first_name.clone().unwrap_or_default();
    match &customer.username {
        Some(u) => format!("{name} (@{u}) · {}", customer.telegram_id),
        None => format!("{name} · {}", customer.telegram_id),
    }
}

/// The text of a receipt for the admins (the caption of a photo or document).
pub(crate) async fn receipt_text(
    shared: &Shared,
    bot: &TenantBot,
    lang: Language,
    payment: &CardPayment,
    customer: &User,
) -> Result<String, HandlerError> {
    let mut text = shared.text(
        lang,
        "admin-receipt",
        &[
            ("code", payment.tracking_code.as_str().into()),
            ("amount", payment.amount.into()),
            ("purpose", purpose_text(shared, bot, lang, payment).await?.into()),
            ("customer", customer_text(customer).into()),
        ],
    );
    // Before the customer's note, which a caption may have to cut.
    if let Some(warning) = reuse_warning(shared, bot, lang, payment).await? {
        text.push_str("\n\n");
        text.push_str(&warning);
    }
    if let Some(note) = payment.receipt.as_ref().and_then(|r| r.text.as_deref()) {
        text.push_str("\n\n");
        text.push_str(&shared.text(lang, "admin-receipt-note", &[("note", note.into())]));
    }
    Ok(text)
}

/// The warning that the receipt of `payment` was also sent for another payment of this
/// tenant (the same photo or file, or the same reference text), naming that payment, where it
/// stands and its customer; `None` for a receipt seen once.
async fn reuse_warning(
    shared: &Shared,
    bot: &TenantBot,
    lang: Language,
    payment: &CardPayment,
) -> Result<Option<String>, HandlerError> {
    let Some(other) = shared.store.card_payments().same_receipt(&bot.tenant, payment).await? else {
        return Ok(None);
    };
    let customer = shared.store.users().get(&bot.tenant, other.user_id).await?;
    tracing::warn!(bot_id = %bot.tenant.bot_id(), payment_id = %payment.id, other_payment_id = %other.id, "a receipt was sent for two payments");
    Ok(Some(shared.text(
        lang,
        "admin-receipt-reused",
        &[
            ("code", other.tracking_code.as_str().into()),
            ("status", shared.text(lang, status_id(&other), &[]).into()),
            ("customer", customer_text(&customer).into()),
        ],
    )))
}

/// Where a payment stands, as a message id.
fn status_id(payment: &CardPayment) -> &'static str {
    match payment.status {
        PaymentStatus::Pending if payment.receipt.is_some() => "payment-status-review",
        PaymentStatus::Pending => "payment-status-waiting",
        PaymentStatus::Approved => "payment-status-approved",
        PaymentStatus::Rejected => "payment-status-rejected",
        PaymentStatus::Expired => "payment-status-expired",
    }
}

/// `text` cut to `max` characters, an ellipsis marking the cut.
fn cut(text: &str, max: usize) -> String {
    remnabot_domain::text::clip(text, max).into_owned()
}

/// Whether the receipt message of `payment` is a photo or document (edited by caption).
fn has_caption(payment: &CardPayment) -> bool {
    matches!(payment.receipt.as_ref().map(|r| r.kind), Some(ReceiptKind::Photo | ReceiptKind::Document))
}

/// Sends a receipt just attached to `payment` to the tenant's admins. A recipient that
/// cannot be reached (never started the bot, blocked it) is logged; the others still get it.
///
/// # Errors
/// [`HandlerError`] when the database fails.
pub async fn send_receipt(shared: &Shared, bot: &TenantBot, customer: &User, payment: &CardPayment) -> HandlerResult {
    let recipients = recipients(shared, bot).await?;
    if recipients.is_empty() {
        tracing::warn!(bot_id = %bot.tenant.bot_id(), payment_id = %payment.id, "a receipt arrived but the tenant has no admin_chat_id or admin_ids");
        return Ok(());
    }
    let Some(receipt) = payment.receipt.as_ref() else { return Ok(()) };
    for (chat, lang) in recipients {
        let text = receipt_text(shared, bot, lang, payment, customer).await?;
        let keyboard = review_buttons(shared, lang, payment.id);
        let file = receipt.file_id.clone().map(|f| InputFile::file_id(FileId(f)));
        let (sent, has_caption, text) = match (receipt.kind, file) {
            (ReceiptKind::Photo, Some(file)) => {
                let caption = cut(&text, MAX_CAPTION);
                (
                    bot.tg.send_photo(ChatId(chat), file).caption(caption.clone()).reply_markup(keyboard).await,
                    true,
                    caption,
                )
            }
            (ReceiptKind::Document, Some(file)) => {
                let caption = cut(&text, MAX_CAPTION);
                let sent =
                    bot.tg.send_document(ChatId(chat), file).caption(caption.clone()).reply_markup(keyboard).await;
                (sent, true, caption)
            }
            _ => {
                let text = cut(&text, MAX_TEXT);
                (bot.tg.send_message(ChatId(chat), text.clone()).reply_markup(keyboard).await, false, text)
            }
        };
        let message = match sent {
            Ok(message) => message,
            Err(e) => {
                tracing::warn!(bot_id = %bot.tenant.bot_id(), chat, error = %e, "could not send a receipt to an admin");
                continue;
            }
        };
        let copy =
            NewReviewMessage { chat_id: chat, message_id: i64::from(message.id.0), has_caption, language: lang, text };
        if let Err(e) = shared
            .store
            .card_payments()
            .record_review_message(&bot.tenant, payment.id, copy, &*shared.texts, Utc::now())
            .await
        {
            // The copy was sent but will not show the outcome; the others still do.
            tracing::warn!(bot_id = %bot.tenant.bot_id(), chat, error = %e, "could not record a receipt sent to an admin");
        }
    }
    Ok(())
}

/// The line telling how a payment's review ended, if it ended (the same line the queued
/// edits of the other copies carry).
pub(crate) fn outcome_text(shared: &Shared, lang: Language, payment: &CardPayment) -> Option<String> {
    Some(shared.texts.review_outcome(lang, payment)).filter(|line| !line.is_empty())
}

/// Rewrites an admin's receipt message with the review's outcome and leaves only the
/// Details button. A recorded copy gets exactly the text and button of its queued edit (in
/// the copy's language), so that edit then changes nothing; an older, unrecorded one is
/// rebuilt in `lang`. Failures (the message was deleted, or already shows this) are logged.
async fn show_outcome(
    shared: &Shared,
    bot: &TenantBot,
    lang: Language,
    chat: ChatId,
    message: MessageId,
    payment: &CardPayment,
) -> HandlerResult {
    let copy = shared
        .store
        .card_payments()
        .review_message(&bot.tenant, chat.0, i64::from(message.0))
        .await?
        .filter(|c| c.payment_id == payment.id);
    let (text, caption, lang) = match copy {
        Some(copy) => {
            let Some(outcome) = outcome_text(shared, copy.language, payment) else { return Ok(()) };
            (review_edit_text(&copy.text, copy.has_caption, &outcome), copy.has_caption, copy.language)
        }
        None => {
            let Some(outcome) = outcome_text(shared, lang, payment) else { return Ok(()) };
            let customer = shared.store.users().get(&bot.tenant, payment.user_id).await?;
            let sent = receipt_text(shared, bot, lang, payment, &customer).await?;
            let caption = has_caption(payment);
            (review_edit_text(&sent, caption, &outcome), caption, lang)
        }
    };
    let buttons =
        shared.texts.review_button(lang, payment).map(|b| vec![InlineKeyboardButton::callback(b.text, b.data)]);
    let keyboard = InlineKeyboardMarkup::new(buttons.into_iter().collect::<Vec<_>>());
    let edited = if caption {
        bot.tg.edit_message_caption(chat, message).caption(text).reply_markup(keyboard).await
    } else {
        bot.tg.edit_message_text(chat, message, text).reply_markup(keyboard).await
    };
    if let Err(e) = edited {
        tracing::debug!(bot_id = %bot.tenant.bot_id(), error = %e, "could not edit a receipt message");
    }
    Ok(())
}

/// The answer to a press on a payment whose review is over.
fn already_id(status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Approved => "admin-already-approved",
        PaymentStatus::Rejected => "admin-already-rejected",
        PaymentStatus::Expired => "admin-already-expired",
        PaymentStatus::Pending => "admin-try-again",
    }
}

/// Answers a callback with text `id` as an alert.
async fn alert(shared: &Shared, bot: &TenantBot, q: &CallbackQuery, lang: Language, id: &str) -> HandlerResult {
    bot.tg.answer_callback_query(q.id.clone()).text(shared.text(lang, id, &[])).show_alert(true).await?;
    Ok(())
}

/// Handles a review button.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn on_callback(shared: &Shared, bot: &TenantBot, q: &CallbackQuery, action: Action) -> HandlerResult {
    let admin = tg_id(&q.from);
    let lang = admin_language(shared, bot, admin).await?;
    let pressed = q.message.as_ref().map(|m| (m.chat().id, m.id()));
    if !is_admin(shared, bot, admin, pressed.map(|(chat, _)| chat.0)).await? {
        tracing::warn!(bot_id = %bot.tenant.bot_id(), telegram_id = %admin, ?action, "a review button pressed by someone who is not an admin of this tenant");
        return alert(shared, bot, q, lang, "admin-only").await;
    }
    let Some((chat, message)) = pressed else { return alert(shared, bot, q, lang, "button-stale").await };
    let payment = match shared.store.card_payments().get(&bot.tenant, action_payment(action)).await {
        Ok(p) => p,
        // Another tenant's payment is not found here: forged or mistaken data.
        Err(Error::NotFound { .. }) => return alert(shared, bot, q, lang, "admin-payment-unknown").await,
        Err(e) => return Err(e.into()),
    };
    match action {
        Action::Approve(id) => {
            let now = Utc::now();
            match shared
                .store
                .sales()
                .approve_card_payment(&bot.tenant, id, Reviewer::Admin(admin), &*shared.texts, now)
                .await
            {
                Ok(approval) => {
                    bot.tg.answer_callback_query(q.id.clone()).text(shared.text(lang, "admin-approved", &[])).await?;
                    show_outcome(shared, bot, lang, chat, message, &approval.payment).await
                }
                Err(Error::Conflict(_)) => refuse_reviewed(shared, bot, q, lang, chat, message, id).await,
                Err(Error::NotFound { .. }) => alert(shared, bot, q, lang, "admin-payment-unknown").await,
                Err(e) => Err(e.into()),
            }
        }
        Action::Reject(id) => {
            if payment.status != PaymentStatus::Pending {
                return refuse_reviewed(shared, bot, q, lang, chat, message, id).await;
            }
            let state = DialogueState::AwaitingRejectReason {
                payment: id,
                admin,
                receipt_chat: chat.0,
                receipt_message: message.0,
            };
            shared.dialogues.set(&bot.tenant, chat.0, state).await?;
            bot.tg.answer_callback_query(q.id.clone()).await?;
            let prompt = shared.text(lang, "admin-reject-prompt", &[("code", payment.tracking_code.as_str().into())]);
            let keyboard = InlineKeyboardMarkup::new(vec![vec![button(
                shared,
                lang,
                "admin-reject-skip",
                Action::RejectWithoutReason(id),
            )]]);
            bot.tg.send_message(chat, prompt).reply_markup(keyboard).await?;
            Ok(())
        }
        Action::RejectWithoutReason(id) => {
            // The receipt message to update is the one Reject was pressed on, if this chat
            // is still asking about this payment.
            let target = match shared.dialogues.get(&bot.tenant, chat.0).await? {
                DialogueState::AwaitingRejectReason { payment, receipt_chat, receipt_message, .. } if payment == id => {
                    shared.dialogues.set(&bot.tenant, chat.0, DialogueState::Idle).await?;
                    Some((ChatId(receipt_chat), MessageId(receipt_message)))
                }
                _ => None,
            };
            bot.tg.answer_callback_query(q.id.clone()).await?;
            reject(shared, bot, admin, lang, chat, id, None, target).await
        }
        Action::Details(_) => {
            bot.tg.answer_callback_query(q.id.clone()).await?;
            let text = details_text(shared, bot, lang, &payment).await?;
            bot.tg.send_message(chat, cut(&text, MAX_TEXT)).await?;
            Ok(())
        }
    }
}

/// The payment an action names.
fn action_payment(action: Action) -> PaymentId {
    match action {
        Action::Approve(id) | Action::Reject(id) | Action::RejectWithoutReason(id) | Action::Details(id) => id,
    }
}

/// Tells an admin that this payment's review is already over, and shows the outcome on the
/// message they pressed.
async fn refuse_reviewed(
    shared: &Shared,
    bot: &TenantBot,
    q: &CallbackQuery,
    lang: Language,
    chat: ChatId,
    message: MessageId,
    id: PaymentId,
) -> HandlerResult {
    let payment = shared.store.card_payments().get(&bot.tenant, id).await?;
    alert(shared, bot, q, lang, already_id(payment.status)).await?;
    show_outcome(shared, bot, lang, chat, message, &payment).await
}

/// Rejects a payment with an optional reason and tells the admin in `chat`; `target` is the
/// receipt message to update.
#[allow(clippy::too_many_arguments)]
async fn reject(
    shared: &Shared,
    bot: &TenantBot,
    admin: TgUserId,
    lang: Language,
    chat: ChatId,
    id: PaymentId,
    reason: Option<String>,
    target: Option<(ChatId, MessageId)>,
) -> HandlerResult {
    let now = Utc::now();
    let done = shared
        .store
        .sales()
        .reject_card_payment(&bot.tenant, id, Reviewer::Admin(admin), reason, &*shared.texts, now)
        .await;
    let payment = match done {
        Ok(payment) => {
            bot.tg
                .send_message(
                    chat,
                    shared.text(lang, "admin-rejected", &[("code", payment.tracking_code.as_str().into())]),
                )
                .await?;
            payment
        }
        Err(Error::Conflict(_)) => {
            let payment = shared.store.card_payments().get(&bot.tenant, id).await?;
            bot.tg.send_message(chat, shared.text(lang, already_id(payment.status), &[])).await?;
            payment
        }
        Err(Error::NotFound { .. }) => {
            bot.tg.send_message(chat, shared.text(lang, "admin-payment-unknown", &[])).await?;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    if let Some((chat, message)) = target {
        show_outcome(shared, bot, lang, chat, message, &payment).await?;
    }
    Ok(())
}

/// A message in the tenant's admin chat: the reject reason of the admin who was asked for
/// one there; anything else in a group is not for the bot.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn on_group_message(
    shared: &Shared,
    bot: &TenantBot,
    msg: &Message,
    from: &teloxide::types::User,
) -> HandlerResult {
    if shared.store.configs().admin_chat_id(&bot.tenant).await? != Some(msg.chat.id.0) {
        return Ok(());
    }
    let state = shared.dialogues.get(&bot.tenant, msg.chat.id.0).await?;
    match state {
        DialogueState::AwaitingRejectReason { admin, .. } if admin == tg_id(from) => {
            on_reject_reason(shared, bot, msg, admin, msg.chat.id, state).await
        }
        _ => Ok(()),
    }
}

/// The answer to "why reject?": the reason (text), from the admin who pressed Reject.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn on_reject_reason(
    shared: &Shared,
    bot: &TenantBot,
    msg: &Message,
    from: TgUserId,
    chat: ChatId,
    state: DialogueState,
) -> HandlerResult {
    let DialogueState::AwaitingRejectReason { payment, admin, receipt_chat, receipt_message } = state else {
        return Ok(());
    };
    if from != admin {
        return Ok(());
    }
    let lang = admin_language(shared, bot, admin).await?;
    if !is_admin(shared, bot, admin, Some(chat.0)).await? {
        // No longer an admin since Reject was pressed.
        shared.dialogues.set(&bot.tenant, chat.0, DialogueState::Idle).await?;
        bot.tg.send_message(chat, shared.text(lang, "admin-only", &[])).await?;
        return Ok(());
    }
    let Some(reason) = msg.text().map(str::trim).filter(|t| !t.is_empty()) else {
        bot.tg.send_message(chat, shared.text(lang, "admin-reject-text-only", &[])).await?;
        return Ok(());
    };
    if reason.chars().count() > 1000 {
        bot.tg.send_message(chat, shared.text(lang, "admin-reject-too-long", &[])).await?;
        return Ok(());
    }
    shared.dialogues.set(&bot.tenant, chat.0, DialogueState::Idle).await?;
    let target = Some((ChatId(receipt_chat), MessageId(receipt_message)));
    reject(shared, bot, admin, lang, chat, payment, Some(reason.to_owned()), target).await
}

/// Everything about a payment an admin may want before deciding.
pub(crate) async fn details_text(
    shared: &Shared,
    bot: &TenantBot,
    lang: Language,
    payment: &CardPayment,
) -> Result<String, HandlerError> {
    let customer = shared.store.users().get(&bot.tenant, payment.user_id).await?;
    let card = match shared.store.cards().get(&bot.tenant, payment.card_id).await {
        Ok(card) => card.number.masked(),
        Err(Error::NotFound { .. }) => "-".to_owned(),
        Err(e) => return Err(e.into()),
    };
    let status = status_id(payment);
    let subscription = match shared.store.subscriptions().current_for_user(&bot.tenant, customer.id).await? {
        Some(sub) => format_datetime(lang, sub.expires_at),
        None => "-".to_owned(),
    };
    let mut text = shared.text(
        lang,
        "admin-payment-details",
        &[
            ("code", payment.tracking_code.as_str().into()),
            ("amount", payment.amount.into()),
            ("status", shared.text(lang, status, &[]).into()),
            ("purpose", purpose_text(shared, bot, lang, payment).await?.into()),
            ("card", card.into()),
            ("created", format_datetime(lang, payment.created_at).into()),
            ("deadline", format_datetime(lang, payment.expires_at).into()),
            ("customer", customer_text(&customer).into()),
            ("balance", customer.balance.into()),
            ("since", format_datetime(lang, customer.created_at).into()),
            ("subscription", subscription.into()),
        ],
    );
    if let Some(warning) = reuse_warning(shared, bot, lang, payment).await? {
        text.push_str("\n\n");
        text.push_str(&warning);
    }
    if let Some(outcome) = outcome_text(shared, lang, payment) {
        text.push_str("\n\n");
        text.push_str(&outcome);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_callback_data_round_trips_and_fits_telegram() {
        for action in [
            Action::Approve(PaymentId(i64::MAX)),
            Action::Reject(PaymentId(1)),
            Action::RejectWithoutReason(PaymentId(2)),
            Action::Details(PaymentId(3)),
        ] {
            let data = action.data();
            assert!(data.len() <= 64);
            assert_eq!(Action::parse(data.strip_prefix("adm:").unwrap_or_default()), Some(action));
        }
        for bad in ["ok", "ok:", "ok:0", "ok:-1", "ok:1:2", "yes:1", "ok:1e3", ""] {
            assert_eq!(Action::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn long_texts_are_cut_to_telegram_limits() {
        assert_eq!(cut("abc", 5), "abc");
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut(&"ж".repeat(2000), MAX_CAPTION).chars().count(), MAX_CAPTION);
    }
}
