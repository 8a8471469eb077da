//! Tickets: the tickets waiting for an answer, newest first, to read and answer (or close).
//! Answers go through the ticket service (via [`remnabot_store::changes::Changes`]), which
//! stores the answer and queues the customer's message in one transaction, as the ticket
//! buttons of the admin chat do.

use chrono::Utc;
use remnabot_domain::text::TicketAnswer;
use remnabot_domain::{Error, Page, TicketId};
use remnabot_store::outbox::NewNotification;
use remnabot_store::tickets::{Ticket, TicketMessage, TicketStatus};
use serde::{Deserialize, Serialize};
use teloxide::types::Message;

use super::screen::{button, clip, id_of, page_of};
use super::{Area, Ctx, Paging, PanelState, Screen, input};
use crate::calendar::format_datetime;
use crate::handlers::{HandlerError, HandlerResult};

/// The tickets area.
#[derive(Debug, Clone, Copy)]
pub struct Tickets;

/// Messages of a ticket shown (the latest).
const MESSAGES_SHOWN: usize = 8;
/// How much of each message is shown, in characters.
const MESSAGE_CHARS: usize = 350;
/// How much of a title is shown.
const TITLE_CHARS: usize = 40;

/// Callback data `ptk:...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `ptk:h:<page>`: the open tickets.
    List(u32),
    /// `ptk:v:<ticket>`: one ticket.
    View(i64),
    /// `ptk:re:<ticket>`: asks for an answer.
    Reply(i64),
    /// `ptk:cl:<ticket>`: asks to confirm closing it.
    Close(i64),
    /// `ptk:cly:<ticket>`: closes it.
    ConfirmClose(i64),
}

/// What the area asks: the answer to `ticket`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "q", rename_all = "snake_case")]
pub enum Ask {
    Answer { ticket: i64 },
}

impl Area for Tickets {
    const PREFIX: &'static str = "ptk";
    const LABEL: &'static str = "panel-area-tickets";
    type Action = Action;
    type State = Ask;

    fn parse(rest: &str) -> Option<Action> {
        let (kind, n) = rest.split_once(':')?;
        Some(match kind {
            "h" => Action::List(page_of(n)?),
            "v" => Action::View(id_of(n)?),
            "re" => Action::Reply(id_of(n)?),
            "cl" => Action::Close(id_of(n)?),
            "cly" => Action::ConfirmClose(id_of(n)?),
            _ => return None,
        })
    }

    fn home() -> Action {
        Action::List(0)
    }

    fn data(action: &Action) -> String {
        match action {
            Action::List(p) => format!("ptk:h:{p}"),
            Action::View(id) => format!("ptk:v:{id}"),
            Action::Reply(id) => format!("ptk:re:{id}"),
            Action::Close(id) => format!("ptk:cl:{id}"),
            Action::ConfirmClose(id) => format!("ptk:cly:{id}"),
        }
    }

    async fn press(ctx: &Ctx<'_>, action: Action, _pending: Option<Ask>) -> HandlerResult {
        match action {
            Action::List(page) => list(ctx, page, None).await,
            Action::View(id) => view(ctx, id, None).await,
            Action::Reply(id) => {
                let Some(ticket) = ticket(ctx, id).await? else { return Ok(()) };
                if ticket.status == TicketStatus::Closed {
                    return view(ctx, id, Some(closed(ctx, id))).await;
                }
                ask_answer(ctx, id, None).await
            }
            Action::Close(id) => {
                let Some(ticket) = ticket(ctx, id).await? else { return Ok(()) };
                if ticket.status == TicketStatus::Closed {
                    return view(ctx, id, Some(closed(ctx, id))).await;
                }
                let q = ctx.t("panel-tk-close-ask", &[("ticket", id.into())]);
                let screen = ctx.confirm(q, data(Action::ConfirmClose(id)), data(Action::View(id)));
                ctx.show(screen).await.map(drop)
            }
            Action::ConfirmClose(id) => {
                let Some(before) = ticket(ctx, id).await? else { return Ok(()) };
                if before.status == TicketStatus::Closed {
                    return view(ctx, id, Some(closed(ctx, id))).await;
                }
                let note = match ctx.changes().close_ticket(ctx.tenant(), TicketId(id)).await {
                    Ok(t) => {
                        tell_customer_closed(ctx, &t).await?;
                        ctx.t("panel-tk-closed", &[("ticket", id.into())])
                    }
                    Err(e) => refused(ctx, e)?,
                };
                list(ctx, 0, Some(note)).await
            }
        }
    }

    async fn answer(ctx: &Ctx<'_>, state: Ask, msg: &Message) -> HandlerResult {
        let Ask::Answer { ticket: id } = state;
        let text = match input::required(msg.text(), TicketAnswer::RULE) {
            Ok(t) => t,
            Err(r) => {
                let problem = input::refusal_text(ctx, &r);
                return ask_answer(ctx, id, Some(problem)).await;
            }
        };
        let done = ctx
            .changes()
            .reply_to_ticket(ctx.tenant(), TicketId(id), text.as_str(), &*ctx.shared.texts, Utc::now())
            .await;
        let note = match done {
            Ok(_) => ctx.t("panel-tk-answered", &[("ticket", id.into())]),
            Err(Error::Conflict(_)) => closed(ctx, id),
            Err(e) => refused(ctx, e)?,
        };
        view(ctx, id, Some(note)).await
    }
}

/// Why a change was refused, in the admin's language (the domain's own words); a failing
/// database stays an error.
fn refused(ctx: &Ctx<'_>, e: Error) -> Result<String, HandlerError> {
    Ok(input::refusal_text(ctx, &input::refused(e)?))
}

fn data(action: Action) -> String {
    Tickets::data(&action)
}

fn closed(ctx: &Ctx<'_>, id: i64) -> String {
    ctx.t("acct-ticket-is-closed", &[("ticket", id.into())])
}

/// This tenant's ticket `id`, or the admin is told it is not found.
async fn ticket(ctx: &Ctx<'_>, id: i64) -> Result<Option<Ticket>, HandlerError> {
    match ctx.store().tickets().get(ctx.tenant(), TicketId(id)).await {
        Ok(t) => Ok(Some(t)),
        Err(Error::NotFound { .. }) => {
            ctx.tell("acct-ticket-unknown").await?;
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Tells the customer through the notification outbox that support closed their ticket.
async fn tell_customer_closed(ctx: &Ctx<'_>, ticket: &Ticket) -> HandlerResult {
    let customer = ctx.store().users().get(ctx.tenant(), ticket.user_id).await?;
    let text = ctx.shared.text(customer.language, "acct-ticket-closed-by-support", &[("ticket", ticket.id.0.into())]);
    let note = NewNotification {
        chat_id: customer.telegram_id.0,
        text,
        idempotency_key: format!("panel:ticket-closed:{}", ticket.id),
    };
    ctx.store().notifications().enqueue(ctx.tenant(), &note).await?;
    Ok(())
}

async fn ask_answer(ctx: &Ctx<'_>, id: i64, problem: Option<String>) -> HandlerResult {
    let mut text = ctx.t("acct-admin-answer-prompt", &[("ticket", id.into())]);
    if let Some(p) = problem {
        text = format!("{p}\n\n{text}");
    }
    ctx.ask(PanelState::Tickets(Ask::Answer { ticket: id }), ctx.prompt(text, data(Action::View(id)))).await
}

/// One ticket in a list: number, status and title.
pub fn ticket_line(ctx: &Ctx<'_>, t: &Ticket) -> String {
    ctx.t(
        "panel-tk-line",
        &[
            ("ticket", t.id.0.into()),
            ("status", status(ctx, t.status).into()),
            ("title", clip(&t.title, TITLE_CHARS).into()),
        ],
    )
}

fn status(ctx: &Ctx<'_>, s: TicketStatus) -> String {
    ctx.t(
        match s {
            TicketStatus::Open => "panel-tk-open",
            TicketStatus::Answered => "panel-tk-answered-status",
            TicketStatus::Closed => "panel-tk-closed-status",
        },
        &[],
    )
}

async fn list(ctx: &Ctx<'_>, page: u32, note: Option<String>) -> HandlerResult {
    let customers = ctx.store().customers();
    let mut found = customers.open_tickets(ctx.tenant(), Paging::new(page, u64::MAX).window()).await?;
    let paging = Paging::new(page, found.total);
    if paging.page != page {
        found = customers.open_tickets(ctx.tenant(), paging.window()).await?;
    }
    let mut screen = Screen::new(note.unwrap_or_default()).with_line(&ctx.t("panel-tk-title", &[]));
    if found.total == 0 {
        screen = screen.with_line(&ctx.t("panel-tk-none", &[]));
    } else {
        screen = screen.with_line(&ctx.page_line(paging));
    }
    for t in &found.rows {
        let label = format!("#{} · {}", t.id, clip(&t.title, TITLE_CHARS));
        screen = screen.with_button(label, data(Action::View(t.id.0)));
    }
    let screen = ctx.pager(screen, paging, |p| data(Action::List(p)));
    ctx.show(ctx.nav(screen, None)).await.map(drop)
}

fn message_text(ctx: &Ctx<'_>, m: &TicketMessage) -> String {
    let who = ctx.t(if m.from_admin { "acct-ticket-from-support" } else { "panel-tk-from-customer" }, &[]);
    let body = match &m.text {
        Some(text) => clip(text, MESSAGE_CHARS),
        None => ctx.t("acct-ticket-photo", &[]),
    };
    format!("{who} {}\n{body}", format_datetime(ctx.lang, m.created_at))
}

async fn view(ctx: &Ctx<'_>, id: i64, note: Option<String>) -> HandlerResult {
    let Some(t) = ticket(ctx, id).await? else { return Ok(()) };
    let customer = ctx.store().users().get(ctx.tenant(), t.user_id).await?;
    let messages = ctx.store().tickets().messages(ctx.tenant(), t.id, Page::new(Page::MAX_LIMIT, 0)).await?;
    let mut parts = Vec::new();
    if let Some(note) = note {
        parts.push(note);
    }
    parts.push(ticket_line(ctx, &t));
    parts.push(ctx.t("panel-tk-customer", &[("customer", super::customers::label(&customer).into())]));
    let skip = messages.len().saturating_sub(MESSAGES_SHOWN);
    if skip > 0 {
        parts.push(ctx.t("panel-tk-earlier", &[("count", skip.into())]));
    }
    for m in messages.iter().skip(skip) {
        parts.push(message_text(ctx, m));
    }
    let mut screen = Screen::new(parts.join("\n\n"));
    if t.status != TicketStatus::Closed {
        screen = screen.with_row(vec![
            button(ctx.t("acct-button-reply", &[]), data(Action::Reply(id))),
            button(ctx.t("acct-button-close-ticket", &[]), data(Action::Close(id))),
        ]);
    }
    ctx.show(ctx.nav(screen, Some(data(Action::List(0))))).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_data_round_trips() {
        for action in
            [Action::List(2), Action::View(i64::MAX), Action::Reply(1), Action::Close(2), Action::ConfirmClose(3)]
        {
            let d = Tickets::data(&action);
            assert!(d.len() <= 64);
            assert_eq!(Tickets::parse(d.strip_prefix("ptk:").unwrap_or_default()), Some(action));
        }
        for bad in ["", "v", "v:0", "v:x", "zz:1", "cly:-1"] {
            assert_eq!(Tickets::parse(bad), None, "{bad}");
        }
    }
}
