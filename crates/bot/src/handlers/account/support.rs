//! Support tickets. A customer opens a ticket with a text or a photo; the tenant's admins
//! (its admin chat and each of its admin ids, like the receipts of card payments) get it
//! with Reply and Close buttons. An admin's Reply asks for the answer in the admin's private chat with the
//! bot and sends it to the customer, who can write back or close. Every message is stored
//! (`store.tickets()`).
//!
//! Admin buttons are honoured only for this tenant's admins: a Telegram id in its
//! `admin_ids`, or a press inside its admin chat (the answer typed afterwards is checked
//! again, asking Telegram whether its writer is still in that chat). Ticket ids come from callback data and are looked up in this
//! tenant only, so another tenant's ticket is simply unknown.

use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::{Error, Page, TgUserId, TicketId};
use remnabot_store::tickets::{NewMessage, Ticket, TicketMessage, TicketStatus};
use remnabot_store::users::User;
use teloxide::prelude::*;
use teloxide::types::{CallbackQuery, FileId, InlineKeyboardMarkup, InputFile, Message};

use super::{Action, button, cancel_keyboard, display_name};
use crate::dialogue::DialogueState;
use crate::handlers::{HandlerError, HandlerResult, Shared, TenantBot, answer, end_question, feature_on, tg_id};
use crate::texts::Arg;
use remnabot_store::tickets::{MAX_TEXT, QUOTED_CHARS, clip};

/// The longest ticket title, taken from the first line of its first message.
const TITLE_CHARS: usize = 60;
/// Photo captions Telegram accepts, minus room for the heading.
const CAPTION_CHARS: usize = 900;
/// Tickets listed under "My tickets".
const TICKETS_LISTED: u64 = 10;
/// Messages shown when a customer opens one of their tickets.
const MESSAGES_SHOWN: usize = 10;
/// Characters of each message shown in that view.
const MESSAGE_PREVIEW_CHARS: usize = 300;

/// What a ticket message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    Text(String),
    Photo { file_id: String, caption: Option<String> },
}

impl Content {
    /// The text of the message, if any (a photo's caption).
    fn text(&self) -> Option<&str> {
        match self {
            Content::Text(text) => Some(text),
            Content::Photo { caption, .. } => caption.as_deref(),
        }
    }

    fn file_id(&self) -> Option<&str> {
        match self {
            Content::Text(_) => None,
            Content::Photo { file_id, .. } => Some(file_id),
        }
    }

    fn to_new_message(&self, from_admin: bool, sender: TgUserId) -> NewMessage {
        NewMessage {
            from_admin,
            sender_telegram_id: sender,
            text: self.text().map(str::to_owned),
            media_file_id: self.file_id().map(str::to_owned),
        }
    }

    /// A title for a new ticket: the first line of the text, shortened.
    fn title(&self) -> String {
        let first = self.text().and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty())).unwrap_or("📷");
        let mut title: String = first.chars().take(TITLE_CHARS).collect();
        if first.chars().count() > TITLE_CHARS {
            title.push('…');
        }
        title
    }
}

/// Why a message cannot be a ticket message: the message id of the explanation.
type ContentRefusal = &'static str;

/// The ticket message a Telegram message carries: a text, or a photo (its largest size)
/// with an optional caption. Anything else (stickers, voice, files...) is refused.
fn content_of(msg: &Message) -> Result<Content, ContentRefusal> {
    if let Some(sizes) = msg.photo() {
        let largest = sizes.iter().max_by_key(|p| (p.width * p.height, p.file.size));
        let Some(largest) = largest else { return Err("acct-ticket-expects-text-or-photo") };
        let caption = msg.caption().map(str::trim).filter(|c| !c.is_empty());
        if caption.is_some_and(|c| c.chars().count() > MAX_TEXT) {
            return Err("acct-ticket-too-long");
        }
        return Ok(Content::Photo { file_id: largest.file.id.0.clone(), caption: caption.map(str::to_owned) });
    }
    match msg.text().map(str::trim) {
        Some(text) if text.chars().count() > MAX_TEXT => Err("acct-ticket-too-long"),
        Some(text) if !text.is_empty() => Ok(Content::Text(text.to_owned())),
        _ => Err("acct-ticket-expects-text-or-photo"),
    }
}

/// The ticket number as a message argument.
fn ticket_arg(ticket: TicketId) -> (&'static str, Arg) {
    ("ticket", ticket.0.into())
}

// ---------------------------------------------------------------------------------------
// Who the admins are and where they read
// ---------------------------------------------------------------------------------------

/// The tenant's first language, for its admin chat.
async fn tenant_language(shared: &Shared, bot: &TenantBot) -> Result<Language, Error> {
    Ok(shared.store.configs().languages(&bot.tenant).await?.first().copied().unwrap_or_default())
}

/// The language of the person `who` in this tenant: theirs when they are registered, else
/// the tenant's.
async fn language_of(shared: &Shared, bot: &TenantBot, who: TgUserId) -> Result<Language, Error> {
    match shared.store.users().by_telegram_id(&bot.tenant, who).await? {
        Some(u) => Ok(u.language),
        None => tenant_language(shared, bot).await,
    }
}

/// Where tickets go: the same chats as the receipts of card payments (the admin chat and
/// each admin's private chat), each with its language.
async fn admin_targets(shared: &Shared, bot: &TenantBot) -> Result<Vec<(ChatId, Language)>, HandlerError> {
    let recipients = crate::handlers::admin::recipients(shared, bot).await?;
    Ok(recipients.into_iter().map(|(chat, lang)| (ChatId(chat), lang)).collect())
}

/// Whether `who` is an admin of this tenant: listed in its `admin_ids`, or in its admin
/// chat. A button pressed in that chat proves membership (Telegram fills in the chat of a
/// callback; forged data cannot choose it), a button pressed elsewhere does not. With no
/// button (`pressed_in` is `None`: an answer typed after pressing Reply), Telegram is asked.
async fn is_admin(shared: &Shared, bot: &TenantBot, who: TgUserId, pressed_in: Option<ChatId>) -> Result<bool, Error> {
    let configs = shared.store.configs();
    if configs.admin_ids(&bot.tenant).await?.contains(&who.0) {
        return Ok(true);
    }
    let Some(admin_chat) = configs.admin_chat_id(&bot.tenant).await? else { return Ok(false) };
    match pressed_in {
        Some(chat) => Ok(chat.0 == admin_chat),
        None => {
            let Ok(user_id) = u64::try_from(who.0) else { return Ok(false) };
            match bot.tg.get_chat_member(ChatId(admin_chat), teloxide::types::UserId(user_id)).await {
                Ok(member) => Ok(member.kind.is_present()),
                Err(e) => {
                    // The bot left the admin chat, or it is gone: nobody is an admin through it.
                    tracing::warn!(error = %e, "could not check membership of the admin chat");
                    Ok(false)
                }
            }
        }
    }
}

/// The admins' keyboard of a ticket.
fn admin_keyboard(shared: &Shared, lang: Language, ticket: TicketId) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![vec![
        button(shared.text(lang, "acct-button-reply", &[]), Action::AnswerTicket(ticket)),
        button(shared.text(lang, "acct-button-close-ticket", &[]), Action::EndTicket(ticket)),
    ]])
}

/// The customer's keyboard of a ticket.
fn customer_keyboard(shared: &Shared, lang: Language, ticket: TicketId) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![vec![
        button(shared.text(lang, "acct-button-reply", &[]), Action::ReplyTicket(ticket)),
        button(shared.text(lang, "acct-button-close-ticket", &[]), Action::CloseTicket(ticket)),
    ]])
}

/// How the admins see the customer: name, `@username` and Telegram id.
fn customer_label(customer: &User) -> String {
    let name = display_name(customer);
    match &customer.username {
        Some(username) if !name.starts_with('@') => format!("{name} (@{username}) · {}", customer.telegram_id),
        _ => format!("{name} · {}", customer.telegram_id),
    }
}

/// Sends a customer's ticket message to the admins, with Reply and Close. A chat that
/// cannot be reached is logged and skipped: the message is stored either way.
async fn send_to_admins(
    shared: &Shared,
    bot: &TenantBot,
    heading: &str,
    ticket: TicketId,
    customer: &User,
    content: &Content,
) -> HandlerResult {
    for (chat, lang) in admin_targets(shared, bot).await? {
        let photo_fallback = shared.text(lang, "acct-ticket-photo", &[]);
        let quoted = content.text().unwrap_or(&photo_fallback);
        let limit = if content.file_id().is_some() { CAPTION_CHARS } else { QUOTED_CHARS };
        let text = shared.text(
            lang,
            heading,
            &[ticket_arg(ticket), ("name", customer_label(customer).into()), ("text", clip(quoted, limit).into())],
        );
        let keyboard = admin_keyboard(shared, lang, ticket);
        let sent = match content.file_id() {
            Some(file_id) => bot
                .tg
                .send_photo(chat, InputFile::file_id(FileId(file_id.to_owned())))
                .caption(text)
                .reply_markup(keyboard)
                .await
                .map(|_| ()),
            None => bot.tg.send_message(chat, text).reply_markup(keyboard).await.map(|_| ()),
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, chat = chat.0, ticket = ticket.0, "could not send a ticket to an admin chat");
        }
    }
    Ok(())
}

/// Tells the admins a short `id` text about the ticket (no buttons).
async fn tell_admins(shared: &Shared, bot: &TenantBot, id: &str, ticket: TicketId) -> HandlerResult {
    for (chat, lang) in admin_targets(shared, bot).await? {
        if let Err(e) = bot.tg.send_message(chat, shared.text(lang, id, &[ticket_arg(ticket)])).await {
            tracing::warn!(error = %e, chat = chat.0, ticket = ticket.0, "could not tell an admin chat");
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The customer's side
// ---------------------------------------------------------------------------------------

/// The "Support" menu item: open a ticket or see one's tickets (and the tenant's contact).
///
/// # Errors
/// [`crate::handlers::HandlerError`] when the database or Telegram fails.
pub async fn open_support(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    if !feature_on(shared, bot, Some(FeatureKey::SupportTickets)).await? {
        bot.tg.send_message(chat, shared.text(lang, "feature-disabled", &[])).await?;
        return Ok(());
    }
    let contact = shared.store.configs().support_contact(&bot.tenant).await?.filter(|c| !c.trim().is_empty());
    let reachable = !admin_targets(shared, bot).await?.is_empty();
    let mut text = shared.text(lang, if reachable { "acct-support" } else { "acct-support-unavailable" }, &[]);
    if let Some(contact) = contact {
        text.push_str("\n\n");
        text.push_str(&shared.text(lang, "acct-support-contact", &[("contact", contact.into())]));
    }
    let mut rows = Vec::new();
    if reachable {
        rows.push(vec![button(shared.text(lang, "acct-button-new-ticket", &[]), Action::NewTicket)]);
    }
    rows.push(vec![button(shared.text(lang, "acct-button-my-tickets", &[]), Action::MyTickets)]);
    bot.tg.send_message(chat, text).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

/// This customer's ticket `id`, or `None` when it is unknown or someone else's.
async fn own_ticket(shared: &Shared, bot: &TenantBot, user: &User, id: TicketId) -> Result<Option<Ticket>, Error> {
    match shared.store.tickets().get(&bot.tenant, id).await {
        Ok(t) if t.user_id == user.id => Ok(Some(t)),
        Ok(_) | Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A customer's ticket button (the support feature is on; checked by the caller).
pub(super) async fn on_customer_callback(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    q: &CallbackQuery,
    action: Action,
) -> HandlerResult {
    let lang = user.language;
    match action {
        Action::NewTicket => {
            if admin_targets(shared, bot).await?.is_empty() {
                return answer(shared, bot, q, lang, "acct-support-unavailable").await;
            }
            bot.tg.answer_callback_query(q.id.clone()).await?;
            shared.dialogues.set(&bot.tenant, chat.0, DialogueState::TicketOpening).await?;
            let text = shared.text(lang, "acct-ticket-prompt", &[]);
            bot.tg.send_message(chat, text).reply_markup(cancel_keyboard(shared, lang)).await?;
            Ok(())
        }
        Action::MyTickets => {
            bot.tg.answer_callback_query(q.id.clone()).await?;
            list_tickets(shared, bot, user, chat).await
        }
        Action::ViewTicket(id) => {
            let Some(ticket) = own_ticket(shared, bot, user, id).await? else {
                return answer(shared, bot, q, lang, "acct-ticket-unknown").await;
            };
            bot.tg.answer_callback_query(q.id.clone()).await?;
            view_ticket(shared, bot, user, chat, &ticket).await
        }
        Action::ReplyTicket(id) => {
            let Some(ticket) = own_ticket(shared, bot, user, id).await? else {
                return answer(shared, bot, q, lang, "acct-ticket-unknown").await;
            };
            if ticket.status == TicketStatus::Closed {
                return answer_with(shared, bot, q, lang, "acct-ticket-is-closed", id).await;
            }
            bot.tg.answer_callback_query(q.id.clone()).await?;
            shared.dialogues.set(&bot.tenant, chat.0, DialogueState::TicketReplying { ticket: id }).await?;
            let text = shared.text(lang, "acct-ticket-reply-prompt", &[ticket_arg(id)]);
            bot.tg.send_message(chat, text).reply_markup(cancel_keyboard(shared, lang)).await?;
            Ok(())
        }
        Action::CloseTicket(id) => {
            let Some(ticket) = own_ticket(shared, bot, user, id).await? else {
                return answer(shared, bot, q, lang, "acct-ticket-unknown").await;
            };
            if ticket.status == TicketStatus::Closed {
                return answer_with(shared, bot, q, lang, "acct-ticket-is-closed", id).await;
            }
            shared.store.tickets().close(&bot.tenant, id).await?;
            bot.tg.answer_callback_query(q.id.clone()).await?;
            // A reply that was being written to this ticket has nowhere to go now.
            if shared.dialogues.get(&bot.tenant, chat.0).await? == (DialogueState::TicketReplying { ticket: id }) {
                end_question(shared, bot, chat).await?;
            }
            bot.tg.send_message(chat, shared.text(lang, "acct-ticket-closed-by-you", &[ticket_arg(id)])).await?;
            tell_admins(shared, bot, "acct-admin-ticket-closed", id).await
        }
        _ => crate::handlers::refuse_callback(shared, bot, q, lang).await,
    }
}

/// Answers a callback with the text `id` about `ticket`.
async fn answer_with(
    shared: &Shared,
    bot: &TenantBot,
    q: &CallbackQuery,
    lang: Language,
    id: &str,
    ticket: TicketId,
) -> HandlerResult {
    bot.tg.answer_callback_query(q.id.clone()).text(shared.text(lang, id, &[ticket_arg(ticket)])).await?;
    Ok(())
}

/// The status of a ticket in the customer's words.
fn status_arg(status: TicketStatus) -> (&'static str, Arg) {
    ("status", status.as_str().into())
}

async fn list_tickets(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    let tickets = shared.store.tickets().list_for_user(&bot.tenant, user.id, Page::new(TICKETS_LISTED, 0)).await?;
    if tickets.is_empty() {
        bot.tg.send_message(chat, shared.text(lang, "acct-tickets-empty", &[])).await?;
        return Ok(());
    }
    let rows = tickets
        .iter()
        .map(|t| {
            let label = shared.text(lang, "acct-ticket-button", &[ticket_arg(t.id), status_arg(t.status)]);
            vec![button(label, Action::ViewTicket(t.id))]
        })
        .collect::<Vec<_>>();
    let text = shared.text(lang, "acct-tickets-title", &[]);
    bot.tg.send_message(chat, text).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

/// One message of a ticket as the customer reads it.
fn message_view(shared: &Shared, lang: Language, m: &TicketMessage) -> String {
    let who = shared.text(lang, if m.from_admin { "acct-ticket-from-support" } else { "acct-ticket-from-you" }, &[]);
    let body = match (&m.text, &m.media_file_id) {
        (Some(text), _) => clip(text, MESSAGE_PREVIEW_CHARS),
        (None, _) => shared.text(lang, "acct-ticket-photo", &[]),
    };
    format!("{who}\n{body}")
}

async fn view_ticket(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId, ticket: &Ticket) -> HandlerResult {
    let lang = user.language;
    let messages = shared.store.tickets().messages(&bot.tenant, ticket.id, Page::new(Page::MAX_LIMIT, 0)).await?;
    let mut text = shared.text(lang, "acct-ticket-view", &[ticket_arg(ticket.id), status_arg(ticket.status)]);
    let skip = messages.len().saturating_sub(MESSAGES_SHOWN);
    for m in messages.iter().skip(skip) {
        text.push_str("\n\n");
        text.push_str(&message_view(shared, lang, m));
    }
    let text = clip(&text, MAX_TEXT - 1);
    if ticket.status == TicketStatus::Closed {
        bot.tg.send_message(chat, text).await?;
    } else {
        bot.tg.send_message(chat, text).reply_markup(customer_keyboard(shared, lang, ticket.id)).await?;
    }
    Ok(())
}

/// Tells the customer why their message cannot go to a ticket; the question stays open.
async fn refuse_content(
    shared: &Shared,
    bot: &TenantBot,
    lang: Language,
    chat: ChatId,
    id: ContentRefusal,
) -> HandlerResult {
    bot.tg.send_message(chat, shared.text(lang, id, &[])).reply_markup(cancel_keyboard(shared, lang)).await?;
    Ok(())
}

/// A message in the `TicketOpening` state: the new ticket's first message.
pub(super) async fn on_new_ticket(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    msg: &Message,
) -> HandlerResult {
    let lang = user.language;
    if !feature_on(shared, bot, Some(FeatureKey::SupportTickets)).await? {
        end_question(shared, bot, chat).await?;
        bot.tg.send_message(chat, shared.text(lang, "feature-disabled", &[])).await?;
        return Ok(());
    }
    let content = match content_of(msg) {
        Ok(content) => content,
        Err(id) => return refuse_content(shared, bot, lang, chat, id).await,
    };
    let first = content.to_new_message(false, user.telegram_id);
    let (ticket, _) = shared.store.tickets().open(&bot.tenant, user.id, &content.title(), first).await?;
    end_question(shared, bot, chat).await?;
    let text = shared.text(lang, "acct-ticket-opened", &[ticket_arg(ticket.id)]);
    bot.tg.send_message(chat, text).reply_markup(customer_keyboard(shared, lang, ticket.id)).await?;
    send_to_admins(shared, bot, "acct-admin-ticket-new", ticket.id, user, &content).await
}

/// A message in the `TicketReplying` state: the customer's next message to `ticket`.
pub(super) async fn on_customer_message(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    msg: &Message,
    ticket: TicketId,
) -> HandlerResult {
    let lang = user.language;
    if !feature_on(shared, bot, Some(FeatureKey::SupportTickets)).await? {
        end_question(shared, bot, chat).await?;
        bot.tg.send_message(chat, shared.text(lang, "feature-disabled", &[])).await?;
        return Ok(());
    }
    if own_ticket(shared, bot, user, ticket).await?.is_none() {
        end_question(shared, bot, chat).await?;
        bot.tg.send_message(chat, shared.text(lang, "acct-ticket-unknown", &[])).await?;
        return Ok(());
    }
    let content = match content_of(msg) {
        Ok(content) => content,
        Err(id) => return refuse_content(shared, bot, lang, chat, id).await,
    };
    let added =
        shared.store.tickets().add_message(&bot.tenant, ticket, content.to_new_message(false, user.telegram_id)).await;
    end_question(shared, bot, chat).await?;
    match added {
        Ok(_) => {
            let text = shared.text(lang, "acct-ticket-sent", &[ticket_arg(ticket)]);
            bot.tg.send_message(chat, text).reply_markup(customer_keyboard(shared, lang, ticket)).await?;
            send_to_admins(shared, bot, "acct-admin-ticket-message", ticket, user, &content).await
        }
        Err(Error::Conflict(_)) => {
            bot.tg.send_message(chat, shared.text(lang, "acct-ticket-is-closed", &[ticket_arg(ticket)])).await?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// The admins' side
// ---------------------------------------------------------------------------------------

/// An admin's ticket button (`Reply` or `Close`), from the admin chat or an admin's private
/// chat. Anyone else is refused and nothing changes.
///
/// # Errors
/// [`crate::handlers::HandlerError`] when the database or Telegram fails.
pub async fn on_admin_callback(shared: &Shared, bot: &TenantBot, q: &CallbackQuery, action: Action) -> HandlerResult {
    let who = tg_id(&q.from);
    let pressed_in = q.message.as_ref().map(|m| m.chat().id);
    let lang = match pressed_in {
        Some(chat) if chat.0 != who.0 => tenant_language(shared, bot).await?,
        _ => language_of(shared, bot, who).await?,
    };
    if !is_admin(shared, bot, who, pressed_in).await? {
        tracing::info!(from = who.0, "a ticket button of the admins was pressed by someone else");
        bot.tg
            .answer_callback_query(q.id.clone())
            .text(shared.text(lang, "acct-admin-only", &[]))
            .show_alert(true)
            .await?;
        return Ok(());
    }
    let (Action::AnswerTicket(id) | Action::EndTicket(id)) = action else {
        return crate::handlers::refuse_callback(shared, bot, q, lang).await;
    };
    let ticket = match shared.store.tickets().get(&bot.tenant, id).await {
        Ok(t) => t,
        Err(Error::NotFound { .. }) => return answer(shared, bot, q, lang, "acct-ticket-unknown").await,
        Err(e) => return Err(e.into()),
    };
    if ticket.status == TicketStatus::Closed {
        return answer_with(shared, bot, q, lang, "acct-ticket-is-closed", id).await;
    }
    match action {
        Action::AnswerTicket(_) => {
            // The answer is asked in the admin's private chat with the bot: in a group,
            // other members' messages would get in the way.
            let private = ChatId(who.0);
            let private_lang = language_of(shared, bot, who).await?;
            let prompt = shared.text(private_lang, "acct-admin-answer-prompt", &[ticket_arg(id)]);
            if let Err(e) =
                bot.tg.send_message(private, prompt).reply_markup(cancel_keyboard(shared, private_lang)).await
            {
                tracing::info!(error = %e, "could not ask an admin privately for a ticket answer");
                bot.tg
                    .answer_callback_query(q.id.clone())
                    .text(shared.text(lang, "acct-admin-start-private", &[]))
                    .show_alert(true)
                    .await?;
                return Ok(());
            }
            let state = DialogueState::TicketAnswering { ticket: id, admin: who };
            shared.dialogues.set(&bot.tenant, private.0, state).await?;
            bot.tg.answer_callback_query(q.id.clone()).await?;
            Ok(())
        }
        _ => {
            shared.store.tickets().close(&bot.tenant, id).await?;
            answer_with(shared, bot, q, lang, "acct-admin-ticket-closed-done", id).await?;
            if let Some(message) = q.message.as_ref() {
                // Best effort: the buttons of a closed ticket only lead to "closed".
                bot.tg.edit_message_reply_markup(message.chat().id, message.id()).await.ok();
            }
            tell_customer_closed(shared, bot, &ticket).await
        }
    }
}

/// Tells the customer that support closed their ticket (logged when unreachable).
async fn tell_customer_closed(shared: &Shared, bot: &TenantBot, ticket: &Ticket) -> HandlerResult {
    let customer = shared.store.users().get(&bot.tenant, ticket.user_id).await?;
    let text = shared.text(customer.language, "acct-ticket-closed-by-support", &[ticket_arg(ticket.id)]);
    if let Err(e) = bot.tg.send_message(ChatId(customer.telegram_id.0), text).await {
        tracing::info!(error = %e, ticket = ticket.id.0, "could not tell a customer their ticket was closed");
    }
    Ok(())
}

/// A message in the `TicketAnswering` state (an admin's private chat): the answer to
/// `ticket`, sent to the customer with Reply and Close.
pub(super) async fn on_admin_answer(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    msg: &Message,
    ticket: TicketId,
    admin: TgUserId,
) -> HandlerResult {
    let lang = user.language;
    let sender = msg.from.as_ref().map(tg_id);
    // Checked again: the admin may have been removed since they pressed Reply.
    if sender != Some(admin) || !is_admin(shared, bot, admin, None).await? {
        end_question(shared, bot, chat).await?;
        bot.tg.send_message(chat, shared.text(lang, "acct-admin-only", &[])).await?;
        return Ok(());
    }
    let content = match content_of(msg) {
        Ok(content) => content,
        Err(id) => return refuse_content(shared, bot, lang, chat, id).await,
    };
    let record = match shared.store.tickets().get(&bot.tenant, ticket).await {
        Ok(t) => t,
        Err(Error::NotFound { .. }) => {
            end_question(shared, bot, chat).await?;
            bot.tg.send_message(chat, shared.text(lang, "acct-ticket-unknown", &[])).await?;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let added = shared.store.tickets().add_message(&bot.tenant, ticket, content.to_new_message(true, admin)).await;
    end_question(shared, bot, chat).await?;
    match added {
        Ok(_) => {}
        Err(Error::Conflict(_)) => {
            bot.tg.send_message(chat, shared.text(lang, "acct-ticket-is-closed", &[ticket_arg(ticket)])).await?;
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    }
    let customer = shared.store.users().get(&bot.tenant, record.user_id).await?;
    let clang = customer.language;
    let photo_fallback = shared.text(clang, "acct-ticket-photo", &[]);
    let body = content.text().unwrap_or(&photo_fallback);
    let limit = if content.file_id().is_some() { CAPTION_CHARS } else { QUOTED_CHARS };
    let text = shared.text(clang, "acct-ticket-answer", &[ticket_arg(ticket), ("text", clip(body, limit).into())]);
    let to = ChatId(customer.telegram_id.0);
    let keyboard = customer_keyboard(shared, clang, ticket);
    let delivered = match content.file_id() {
        Some(file_id) => bot
            .tg
            .send_photo(to, InputFile::file_id(FileId(file_id.to_owned())))
            .caption(text)
            .reply_markup(keyboard)
            .await
            .map(|_| ()),
        None => bot.tg.send_message(to, text).reply_markup(keyboard).await.map(|_| ()),
    };
    let outcome = match delivered {
        Ok(()) => "acct-admin-answer-sent",
        Err(e) => {
            tracing::info!(error = %e, ticket = ticket.0, "could not deliver a ticket answer");
            "acct-admin-answer-undelivered"
        }
    };
    bot.tg.send_message(chat, shared.text(lang, outcome, &[ticket_arg(ticket)])).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_first_line_and_are_short() {
        assert_eq!(Content::Text("  \nHello\nworld".into()).title(), "Hello");
        let long = "x".repeat(100);
        assert_eq!(Content::Text(long).title().chars().count(), TITLE_CHARS + 1);
        assert_eq!(Content::Photo { file_id: "f".into(), caption: None }.title(), "📷");
    }

    #[test]
    fn clipping_keeps_short_texts_whole() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc…");
        assert_eq!(clip("سلام دنیا", 4), "سلام…");
    }
}
