//! Support tickets: a customer or an admin opens one, both sides add messages, an admin
//! closes it. A closed ticket takes no more messages. An answer written through the HTTP API
//! ([`Tickets::reply_as_admin`]) is stored together with the customer's notification in the
//! outbox, so the customer is told exactly when the answer exists.

use chrono::{DateTime, Utc};
use remnabot_domain::config::Language;
use remnabot_domain::text::TicketAnswer;
use remnabot_domain::{Error, Page, Result, Tenant, TgUserId, TicketId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use crate::db::{map_write, unavailable};
use crate::entity::{ticket, ticket_message, user};
use crate::outbox::{NewNotification, enqueue_in};
use crate::subscriptions::str_enum;
use crate::users::{optional_text, to_user};
use crate::{Store, scope};

str_enum!(
    /// Where a ticket stands.
    TicketStatus, "status" {
        /// Waiting for an admin.
        Open => "open",
        /// An admin replied; waiting for the customer.
        Answered => "answered",
        /// Closed; no more messages.
        Closed => "closed",
    }
);

/// A support ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket {
    pub id: TicketId,
    pub user_id: UserId,
    pub title: String,
    pub status: TicketStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// One message of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketMessage {
    pub id: i64,
    pub ticket_id: TicketId,
    pub from_admin: bool,
    pub sender_telegram_id: TgUserId,
    pub text: Option<String>,
    pub media_file_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A message to add: text, a Telegram media file id, or both.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub from_admin: bool,
    pub sender_telegram_id: TgUserId,
    /// At most 4096 characters.
    pub text: Option<String>,
    /// At most 255 characters.
    pub media_file_id: Option<String>,
}

/// The longest title, in characters.
const MAX_TITLE: usize = 255;
/// The longest message text, in characters (Telegram's own limit).
pub const MAX_TEXT: usize = 4096;
/// How much of a ticket message a notification quotes, in characters: the template around it
/// must still fit Telegram's 4096. The whole message is stored and shown under "My tickets".
/// The bot quotes the same amount to the other side.
pub const QUOTED_CHARS: usize = 3500;

/// The sender recorded on an answer written through the HTTP API, which has no Telegram user
/// behind it (real Telegram ids are positive).
pub const API_SENDER: TgUserId = TgUserId(0);

/// The customer's message about an answer from support, queued in the same transaction as
/// the answer. The bot's texts implement it (the server wires them in).
pub trait TicketTexts: Send + Sync {
    /// Support answered `ticket`; `quoted` is the answer, cut to [`QUOTED_CHARS`]
    /// characters (an ellipsis marks a cut).
    fn ticket_answered(&self, lang: Language, ticket: TicketId, quoted: &str) -> String;
}

/// An answer from support (the customer's notification was queued with it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminReply {
    /// The ticket, now `answered`.
    pub ticket: Ticket,
    pub message: TicketMessage,
}

/// `text` cut to `max` characters, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(max).collect();
    clipped.push('…');
    clipped
}

/// An answer's text: a [`TicketAnswer`] (1 to [`MAX_TEXT`] characters as sent, not only
/// spaces, no control characters but line breaks and tabs: PostgreSQL refuses NUL in text,
/// and Telegram shows the others as boxes), kept trimmed.
fn validate_reply(text: &str) -> Result<String> {
    TicketAnswer::parse(text).map(String::from)
}

impl NewMessage {
    fn validate(self) -> Result<NewMessage> {
        let text = optional_text("text", self.text, MAX_TEXT)?;
        let media_file_id = optional_text("media_file_id", self.media_file_id, 255)?;
        if text.is_none() && media_file_id.is_none() {
            return Err(Error::invalid("text", "a message needs text or a media file"));
        }
        Ok(NewMessage { text, media_file_id, ..self })
    }

    /// The status a ticket takes after this message.
    fn resulting_status(&self) -> TicketStatus {
        if self.from_admin { TicketStatus::Answered } else { TicketStatus::Open }
    }
}

fn validate_title(title: &str) -> Result<String> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(Error::invalid("title", format!("must be 1 to {MAX_TITLE} characters")));
    }
    Ok(title.to_owned())
}

pub(crate) fn to_ticket(m: ticket::Model) -> Result<Ticket> {
    Ok(Ticket {
        id: TicketId(m.id),
        user_id: UserId(m.user_id),
        title: m.title,
        status: TicketStatus::parse(&m.status)?,
        created_at: m.created_at,
        updated_at: m.updated_at,
        closed_at: m.closed_at,
    })
}

fn to_message(m: ticket_message::Model) -> TicketMessage {
    TicketMessage {
        id: m.id,
        ticket_id: TicketId(m.ticket_id),
        from_admin: m.from_admin,
        sender_telegram_id: TgUserId(m.sender_telegram_id),
        text: m.text,
        media_file_id: m.media_file_id,
        created_at: m.created_at,
    }
}

async fn insert_message<C: ConnectionTrait>(
    c: &C,
    tenant: &Tenant,
    ticket: TicketId,
    msg: NewMessage,
    now: DateTime<Utc>,
) -> Result<TicketMessage> {
    ticket_message::ActiveModel {
        bot_id: Set(tenant.bot_id().0),
        created_at: Set(now),
        ticket_id: Set(ticket.0),
        from_admin: Set(msg.from_admin),
        sender_telegram_id: Set(msg.sender_telegram_id.0),
        text: Set(msg.text),
        media_file_id: Set(msg.media_file_id),
        ..Default::default()
    }
    .insert(c)
    .await
    .map(to_message)
    .map_err(|e| map_write(e, || "this message already exists".to_owned(), "ticket"))
}

/// The tickets repository.
#[derive(Debug, Clone, Copy)]
pub struct Tickets<'a> {
    store: &'a Store,
}

impl Store {
    /// The support tickets repository.
    pub fn tickets(&self) -> Tickets<'_> {
        Tickets { store: self }
    }
}

impl Tickets<'_> {
    /// Opens a ticket for a customer of this tenant with its first message, in one
    /// transaction. The status is `open` (`answered` when an admin wrote the first message).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field (`title` not 1 to 255 characters, a message with
    /// neither `text` nor `media_file_id`, or too long); [`Error::NotFound`] (`user`) for a
    /// customer of another tenant; [`Error::Unavailable`].
    pub async fn open(
        &self,
        tenant: &Tenant,
        user: UserId,
        title: &str,
        first: NewMessage,
    ) -> Result<(Ticket, TicketMessage)> {
        let title = validate_title(title)?;
        let first = first.validate()?;
        let now = Utc::now();
        let tx = self.store.write_tx().await?;
        let t = ticket::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(now),
            updated_at: Set(now),
            user_id: Set(user.0),
            title: Set(title),
            status: Set(first.resulting_status().as_str().to_owned()),
            closed_at: Set(None),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .map_err(|e| map_write(e, || "this ticket already exists".to_owned(), "user"))?;
        let t = to_ticket(t)?;
        let msg = insert_message(&tx, tenant, t.id, first, now).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok((t, msg))
    }

    /// The ticket `id` of this tenant.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for another tenant's), [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, id: TicketId) -> Result<Ticket> {
        to_ticket(scope::get::<ticket::Entity, _>(&self.store.db, tenant, id.0).await?)
    }

    /// A page of this tenant's tickets, most recently active first, optionally of one status.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, tenant: &Tenant, status: Option<TicketStatus>, page: Page) -> Result<Vec<Ticket>> {
        let mut q = scope::select::<ticket::Entity>(tenant);
        if let Some(s) = status {
            q = q.filter(ticket::Column::Status.eq(s.as_str()));
        }
        let q = q.order_by_desc(ticket::Column::UpdatedAt).order_by_desc(ticket::Column::Id);
        let rows = scope::paged(q, page).all(&self.store.db).await.map_err(unavailable)?;
        rows.into_iter().map(to_ticket).collect()
    }

    /// A page of one customer's tickets, newest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list_for_user(&self, tenant: &Tenant, user: UserId, page: Page) -> Result<Vec<Ticket>> {
        let q = scope::select::<ticket::Entity>(tenant)
            .filter(ticket::Column::UserId.eq(user.0))
            .order_by_desc(ticket::Column::Id);
        let rows = scope::paged(q, page).all(&self.store.db).await.map_err(unavailable)?;
        rows.into_iter().map(to_ticket).collect()
    }

    /// Adds a message to an open or answered ticket. An admin's message makes it `answered`,
    /// the customer's makes it `open`.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field; [`Error::NotFound`] (`ticket`);
    /// [`Error::Conflict`] when the ticket is closed; [`Error::Unavailable`].
    pub async fn add_message(&self, tenant: &Tenant, ticket: TicketId, msg: NewMessage) -> Result<TicketMessage> {
        let msg = msg.validate()?;
        let now = Utc::now();
        let tx = self.store.write_tx().await?;
        // The conditional update comes first: it takes the row lock, so a concurrent close
        // either happens before (and this refuses) or waits for this message.
        let res = scope::update::<ticket::Entity>(tenant)
            .col_expr(ticket::Column::Status, Expr::value(msg.resulting_status().as_str()))
            .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
            .filter(ticket::Column::Id.eq(ticket.0))
            .filter(ticket::Column::Status.ne(TicketStatus::Closed.as_str()))
            .exec(&tx)
            .await
            .map_err(unavailable)?;
        if res.rows_affected == 0 {
            // Either unknown or closed; `get` tells which.
            scope::get::<ticket::Entity, _>(&tx, tenant, ticket.0).await?;
            return Err(Error::Conflict("the ticket is closed".to_owned()));
        }
        let message = insert_message(&tx, tenant, ticket, msg, now).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(message)
    }

    /// Answers the ticket as support (through the HTTP API): in one transaction the ticket
    /// becomes `answered`, the message is stored (from [`API_SENDER`]) and the customer's
    /// notification, in their language, is queued in the notification outbox (key
    /// `ticket-reply:<message id>`). Either all of it is written or none.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`text` empty after trimming or over 4096 characters);
    /// [`Error::NotFound`] (`ticket`, also another tenant's); [`Error::Conflict`] when the
    /// ticket is closed; [`Error::Unavailable`].
    pub async fn reply_as_admin(
        &self,
        tenant: &Tenant,
        ticket: TicketId,
        text: &str,
        texts: &dyn TicketTexts,
        now: DateTime<Utc>,
    ) -> Result<AdminReply> {
        self.reply_as(tenant, ticket, API_SENDER, text, texts, now).await
    }

    /// [`Tickets::reply_as_admin`] with the answer recorded as sent by `sender` (an admin
    /// answering in the bot's panel).
    ///
    /// # Errors
    /// As [`Tickets::reply_as_admin`].
    pub async fn reply_as(
        &self,
        tenant: &Tenant,
        ticket: TicketId,
        sender: TgUserId,
        text: &str,
        texts: &dyn TicketTexts,
        now: DateTime<Utc>,
    ) -> Result<AdminReply> {
        let text = validate_reply(text)?;
        let tx = self.store.write_tx().await?;
        // As in `add_message`: the conditional update takes the row lock first, so a
        // concurrent close either wins (and this refuses) or waits for the answer. Every read
        // below goes through `tx`: on SQLite a second pooled connection would wait for the
        // writer lock this transaction holds.
        let res = scope::update::<ticket::Entity>(tenant)
            .col_expr(ticket::Column::Status, Expr::value(TicketStatus::Answered.as_str()))
            .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
            .filter(ticket::Column::Id.eq(ticket.0))
            .filter(ticket::Column::Status.ne(TicketStatus::Closed.as_str()))
            .exec(&tx)
            .await
            .map_err(unavailable)?;
        if res.rows_affected == 0 {
            scope::get::<ticket::Entity, _>(&tx, tenant, ticket.0).await?;
            return Err(Error::Conflict("the ticket is closed; it takes no more messages".to_owned()));
        }
        let record = to_ticket(scope::get::<ticket::Entity, _>(&tx, tenant, ticket.0).await?)?;
        let customer = to_user(scope::get::<user::Entity, _>(&tx, tenant, record.user_id.0).await?);
        let quoted = clip(&text, QUOTED_CHARS);
        let answer = NewMessage { from_admin: true, sender_telegram_id: sender, text: Some(text), media_file_id: None };
        let message = insert_message(&tx, tenant, ticket, answer, now).await?;
        let notification = NewNotification {
            chat_id: customer.telegram_id.0,
            text: texts.ticket_answered(customer.language, ticket, &quoted),
            idempotency_key: format!("ticket-reply:{}", message.id),
        };
        enqueue_in(&tx, tenant, &notification, now).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(AdminReply { ticket: record, message })
    }

    /// A page of the ticket's messages, oldest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`ticket`), [`Error::Unavailable`].
    pub async fn messages(&self, tenant: &Tenant, ticket: TicketId, page: Page) -> Result<Vec<TicketMessage>> {
        scope::get::<ticket::Entity, _>(&self.store.db, tenant, ticket.0).await?;
        let q = scope::select::<ticket_message::Entity>(tenant)
            .filter(ticket_message::Column::TicketId.eq(ticket.0))
            .order_by_asc(ticket_message::Column::Id);
        let rows = scope::paged(q, page).all(&self.store.db).await.map_err(unavailable)?;
        Ok(rows.into_iter().map(to_message).collect())
    }

    /// Closes the ticket. Closing a closed ticket changes nothing (its `closed_at` stays).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn close(&self, tenant: &Tenant, ticket: TicketId) -> Result<Ticket> {
        let now = Utc::now();
        scope::update::<ticket::Entity>(tenant)
            .col_expr(ticket::Column::Status, Expr::value(TicketStatus::Closed.as_str()))
            .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
            .col_expr(ticket::Column::ClosedAt, Expr::value(Some(now)))
            .filter(ticket::Column::Id.eq(ticket.0))
            .filter(ticket::Column::Status.ne(TicketStatus::Closed.as_str()))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        self.get(tenant, ticket).await
    }

    /// Deletes the ticket and its messages.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn delete(&self, tenant: &Tenant, ticket: TicketId) -> Result<()> {
        scope::delete_by_id::<ticket::Entity, _>(&self.store.db, tenant, ticket.0).await
    }
}
