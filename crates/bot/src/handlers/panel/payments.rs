//! Payments: the card receipts waiting for review (oldest first), each with the same
//! Approve, Reject and Details as the receipt messages, and the recent payments of every
//! method with their status. Reviewing goes through the sales service (via
//! [`remnabot_store::changes::Changes`]) exactly like the receipt messages' buttons: a payment
//! is decided once, every copy of its receipt message is updated with the outcome, and a
//! second decision is told what happened.

use chrono::Utc;
use remnabot_domain::text::RejectReason;
use remnabot_domain::{Error, PaymentId};
use remnabot_store::payments::{CardPayment, PaymentStatus};
use remnabot_store::transactions::Transaction;
use serde::{Deserialize, Serialize};
use teloxide::types::Message;

use super::screen::{button, clip, id_of, page_of};
use super::{Area, Ctx, Paging, PanelState, Screen, input};
use crate::calendar::format_datetime;
use crate::handlers::{HandlerError, HandlerResult, admin};

/// The payments area.
#[derive(Debug, Clone, Copy)]
pub struct Payments;

/// Callback data `ppy:...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `ppy:h:<page>`: receipts to review.
    Receipts(u32),
    /// `ppy:all:<page>`: recent payments of every method.
    Recent(u32),
    /// `ppy:r:<payment>`: one receipt to review.
    Receipt(i64),
    /// `ppy:ok:<payment>`.
    Approve(i64),
    /// `ppy:no:<payment>`: asks for a reason.
    Reject(i64),
    /// `ppy:nr:<payment>`: rejects without a reason.
    RejectWithoutReason(i64),
    /// `ppy:info:<payment>`.
    Details(i64),
}

/// What the area asks: the reason for rejecting `payment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "q", rename_all = "snake_case")]
pub enum Ask {
    RejectReason { payment: i64 },
}

impl Area for Payments {
    const PREFIX: &'static str = "ppy";
    const LABEL: &'static str = "panel-area-payments";
    type Action = Action;
    type State = Ask;

    fn parse(rest: &str) -> Option<Action> {
        let (kind, n) = rest.split_once(':')?;
        Some(match kind {
            "h" => Action::Receipts(page_of(n)?),
            "all" => Action::Recent(page_of(n)?),
            "r" => Action::Receipt(id_of(n)?),
            "ok" => Action::Approve(id_of(n)?),
            "no" => Action::Reject(id_of(n)?),
            "nr" => Action::RejectWithoutReason(id_of(n)?),
            "info" => Action::Details(id_of(n)?),
            _ => return None,
        })
    }

    fn home() -> Action {
        Action::Receipts(0)
    }

    fn data(action: &Action) -> String {
        match action {
            Action::Receipts(p) => format!("ppy:h:{p}"),
            Action::Recent(p) => format!("ppy:all:{p}"),
            Action::Receipt(id) => format!("ppy:r:{id}"),
            Action::Approve(id) => format!("ppy:ok:{id}"),
            Action::Reject(id) => format!("ppy:no:{id}"),
            Action::RejectWithoutReason(id) => format!("ppy:nr:{id}"),
            Action::Details(id) => format!("ppy:info:{id}"),
        }
    }

    async fn press(ctx: &Ctx<'_>, action: Action, _pending: Option<Ask>) -> HandlerResult {
        match action {
            Action::Receipts(page) => receipts(ctx, page, None).await,
            Action::Recent(page) => recent(ctx, page).await,
            Action::Receipt(id) => receipt(ctx, id).await,
            Action::Details(id) => details(ctx, id).await,
            Action::Approve(id) => {
                if payment(ctx, id).await?.is_none() {
                    return Ok(());
                }
                let done = ctx
                    .changes()
                    .approve_card_payment(ctx.tenant(), PaymentId(id), &*ctx.shared.texts, Utc::now())
                    .await;
                let note = match done {
                    Ok(_) => ctx.t("admin-approved", &[]),
                    Err(Error::Conflict(_)) => already(ctx, id).await?,
                    Err(e) => refused(ctx, e)?,
                };
                receipts(ctx, 0, Some(note)).await
            }
            Action::Reject(id) => {
                let Some(p) = payment(ctx, id).await? else { return Ok(()) };
                if p.status != PaymentStatus::Pending {
                    let note = already(ctx, id).await?;
                    return receipts(ctx, 0, Some(note)).await;
                }
                let text = ctx.t("admin-reject-prompt", &[("code", p.tracking_code.as_str().into())]);
                let screen = Screen::new(text)
                    .with_button(ctx.t("admin-reject-skip", &[]), data(Action::RejectWithoutReason(id)))
                    .with_button(ctx.t("panel-cancel", &[]), data(Action::Receipt(id)));
                ctx.ask(PanelState::Payments(Ask::RejectReason { payment: id }), screen).await
            }
            Action::RejectWithoutReason(id) => reject(ctx, id, None).await,
        }
    }

    async fn answer(ctx: &Ctx<'_>, state: Ask, msg: &Message) -> HandlerResult {
        let Ask::RejectReason { payment } = state;
        let reason = match input::required(msg.text(), RejectReason::RULE) {
            Ok(r) => r,
            Err(r) => {
                let text = format!(
                    "{}\n\n{}",
                    input::refusal_text(ctx, &r),
                    ctx.t("admin-reject-prompt", &[("code", "-".into())]),
                );
                let screen = Screen::new(text)
                    .with_button(ctx.t("admin-reject-skip", &[]), data(Action::RejectWithoutReason(payment)))
                    .with_button(ctx.t("panel-cancel", &[]), data(Action::Receipt(payment)));
                return ctx.ask(PanelState::Payments(Ask::RejectReason { payment }), screen).await;
            }
        };
        reject(ctx, payment, Some(reason)).await
    }
}

/// Why a change was refused, in the admin's language (the domain's own words); a failing
/// database stays an error.
fn refused(ctx: &Ctx<'_>, e: Error) -> Result<String, HandlerError> {
    Ok(input::refusal_text(ctx, &input::refused(e)?))
}

fn data(action: Action) -> String {
    Payments::data(&action)
}

/// This tenant's card payment `id`, or the admin is told it is not found.
async fn payment(ctx: &Ctx<'_>, id: i64) -> Result<Option<CardPayment>, HandlerError> {
    match ctx.store().card_payments().get(ctx.tenant(), PaymentId(id)).await {
        Ok(p) => Ok(Some(p)),
        Err(Error::NotFound { .. }) => {
            ctx.tell("admin-payment-unknown").await?;
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// What the receipt messages answer a press on a payment decided before.
async fn already(ctx: &Ctx<'_>, id: i64) -> Result<String, HandlerError> {
    let p = ctx.store().card_payments().get(ctx.tenant(), PaymentId(id)).await?;
    Ok(ctx.t(
        match p.status {
            PaymentStatus::Approved => "admin-already-approved",
            PaymentStatus::Rejected => "admin-already-rejected",
            PaymentStatus::Expired => "admin-already-expired",
            PaymentStatus::Pending => "admin-try-again",
        },
        &[],
    ))
}

async fn reject(ctx: &Ctx<'_>, id: i64, reason: Option<String>) -> HandlerResult {
    if payment(ctx, id).await?.is_none() {
        return Ok(());
    }
    let done =
        ctx.changes().reject_card_payment(ctx.tenant(), PaymentId(id), reason, &*ctx.shared.texts, Utc::now()).await;
    let note = match done {
        Ok(p) => ctx.t("admin-rejected", &[("code", p.tracking_code.as_str().into())]),
        Err(Error::Conflict(_)) => already(ctx, id).await?,
        Err(e) => refused(ctx, e)?,
    };
    receipts(ctx, 0, Some(note)).await
}

async fn receipts(ctx: &Ctx<'_>, page: u32, note: Option<String>) -> HandlerResult {
    let customers = ctx.store().customers();
    let mut found = customers.receipts_to_review(ctx.tenant(), Paging::new(page, u64::MAX).window()).await?;
    let paging = Paging::new(page, found.total);
    if paging.page != page {
        found = customers.receipts_to_review(ctx.tenant(), paging.window()).await?;
    }
    let mut screen = Screen::new(note.unwrap_or_default()).with_line(&ctx.t("panel-py-receipts", &[]));
    if found.total == 0 {
        screen = screen.with_line(&ctx.t("panel-py-no-receipts", &[]));
    } else {
        screen = screen.with_line(&ctx.page_line(paging));
    }
    for p in &found.rows {
        let label =
            ctx.t("panel-py-receipt-button", &[("code", p.tracking_code.as_str().into()), ("amount", p.amount.into())]);
        screen = screen.with_button(label, data(Action::Receipt(p.id.0)));
    }
    let screen = ctx.pager(screen, paging, |p| data(Action::Receipts(p)));
    let screen = screen.with_button(ctx.t("panel-py-recent-button", &[]), data(Action::Recent(0)));
    ctx.show(ctx.nav(screen, None)).await.map(drop)
}

async fn receipt(ctx: &Ctx<'_>, id: i64) -> HandlerResult {
    let Some(p) = payment(ctx, id).await? else { return Ok(()) };
    let customer = ctx.store().users().get(ctx.tenant(), p.user_id).await?;
    let mut text = admin::receipt_text(ctx.shared, ctx.bot, ctx.lang, &p, &customer).await?;
    if let Some(outcome) = admin::outcome_text(ctx.shared, ctx.lang, &p) {
        text = format!("{text}\n\n{outcome}");
    }
    let mut screen = Screen::new(text);
    if p.status == PaymentStatus::Pending {
        screen = screen.with_row(vec![
            button(ctx.t("admin-approve", &[]), data(Action::Approve(id))),
            button(ctx.t("admin-reject", &[]), data(Action::Reject(id))),
        ]);
    }
    let screen = screen.with_button(ctx.t("admin-details", &[]), data(Action::Details(id)));
    ctx.show(ctx.nav(screen, Some(data(Action::Receipts(0))))).await.map(drop)
}

async fn details(ctx: &Ctx<'_>, id: i64) -> HandlerResult {
    let Some(p) = payment(ctx, id).await? else { return Ok(()) };
    let text = admin::details_text(ctx.shared, ctx.bot, ctx.lang, &p).await?;
    let mut screen = Screen::new(text);
    if p.status == PaymentStatus::Pending {
        screen = screen.with_row(vec![
            button(ctx.t("admin-approve", &[]), data(Action::Approve(id))),
            button(ctx.t("admin-reject", &[]), data(Action::Reject(id))),
        ]);
    }
    ctx.show(ctx.nav(screen, Some(data(Action::Receipt(id))))).await.map(drop)
}

/// One payment in a list: when, what, how much, how and whether it completed.
pub fn transaction_line(ctx: &Ctx<'_>, t: &Transaction) -> String {
    let method = match t.payment_method.as_deref() {
        Some("card_to_card") => ctx.t("panel-method-card", &[]),
        Some("zarinpal") => ctx.t("panel-method-zarinpal", &[]),
        Some("telegram_stars") => ctx.t("panel-method-stars", &[]),
        Some("balance") => ctx.t("panel-method-balance", &[]),
        Some(other) => clip(other, 32),
        None => "-".to_owned(),
    };
    let status = ctx.t(if t.is_completed { "panel-py-completed" } else { "panel-py-pending" }, &[]);
    ctx.t(
        "panel-py-line",
        &[
            ("when", format_datetime(ctx.lang, t.created_at).into()),
            ("kind", t.kind.as_str().into()),
            ("amount", t.amount.into()),
            ("method", method.into()),
            ("status", status.into()),
        ],
    )
}

async fn recent(ctx: &Ctx<'_>, page: u32) -> HandlerResult {
    let customers = ctx.store().customers();
    let mut found = customers.payments(ctx.tenant(), None, Paging::new(page, u64::MAX).window()).await?;
    let paging = Paging::new(page, found.total);
    if paging.page != page {
        found = customers.payments(ctx.tenant(), None, paging.window()).await?;
    }
    let mut screen = Screen::new(ctx.t("panel-py-recent", &[]));
    if found.total == 0 {
        screen = screen.with_line(&ctx.t("panel-py-no-payments", &[]));
    } else {
        screen = screen.with_line(&ctx.page_line(paging));
    }
    for t in &found.rows {
        screen = screen.with_line(&transaction_line(ctx, t));
    }
    let screen = ctx.pager(screen, paging, |p| data(Action::Recent(p)));
    ctx.show(ctx.nav(screen, Some(data(Action::Receipts(0))))).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_data_round_trips() {
        for action in [
            Action::Receipts(3),
            Action::Recent(0),
            Action::Receipt(i64::MAX),
            Action::Approve(1),
            Action::Reject(2),
            Action::RejectWithoutReason(3),
            Action::Details(4),
        ] {
            let d = Payments::data(&action);
            assert!(d.len() <= 64);
            assert_eq!(Payments::parse(d.strip_prefix("ppy:").unwrap_or_default()), Some(action));
        }
        for bad in ["", "ok", "ok:0", "ok:-3", "h:x", "zz:1", "ok:1:2"] {
            assert_eq!(Payments::parse(bad), None, "{bad}");
        }
    }
}
