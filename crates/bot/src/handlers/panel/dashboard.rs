//! The dashboard: sales by method, new customers, trials and their conversion for today, 7
//! and 30 days; subscriptions; what waits for the admins; the wallet and how many days of
//! sales it covers. Figures come from [`remnabot_store::dashboard`], the service behind the
//! API's `GET /api/v1/bots/{bot_id}/dashboard`.

use chrono::Utc;
use remnabot_store::dashboard::{DashboardFigures, SaleMethod, WindowFigures};
use teloxide::types::Message;

use super::screen::button;
use super::{Area, Ctx, NoQuestion, Screen};
use crate::handlers::HandlerResult;

/// The dashboard area.
#[derive(Debug, Clone, Copy)]
pub struct Dashboard;

/// Callback data `pd:...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `pd:show`: the figures, as of now (also the Refresh button).
    Show,
}

impl Area for Dashboard {
    const PREFIX: &'static str = "pd";
    const LABEL: &'static str = "panel-area-dashboard";
    type Action = Action;
    type State = NoQuestion;

    fn parse(rest: &str) -> Option<Action> {
        (rest == "show").then_some(Action::Show)
    }

    fn home() -> Action {
        Action::Show
    }

    fn data(action: &Action) -> String {
        match action {
            Action::Show => "pd:show".to_owned(),
        }
    }

    async fn press(ctx: &Ctx<'_>, action: Action, _pending: Option<NoQuestion>) -> HandlerResult {
        match action {
            Action::Show => show(ctx).await,
        }
    }

    async fn answer(_ctx: &Ctx<'_>, state: NoQuestion, _msg: &Message) -> HandlerResult {
        match state {}
    }
}

/// The text id naming a sale method.
pub fn method_label(method: SaleMethod) -> &'static str {
    match method {
        SaleMethod::CardToCard => "panel-method-card",
        SaleMethod::Zarinpal => "panel-method-zarinpal",
        SaleMethod::TelegramStars => "panel-method-stars",
        SaleMethod::Balance => "panel-method-balance",
        SaleMethod::Free => "panel-method-free",
    }
}

fn window_text(ctx: &Ctx<'_>, title: &str, w: &WindowFigures) -> String {
    let mut lines = vec![
        ctx.t(title, &[]),
        ctx.t("panel-dash-sales", &[("count", w.sales_count.into()), ("amount", w.sales_total.into())]),
    ];
    for m in w.sales.iter().filter(|m| m.count > 0) {
        lines.push(ctx.t(
            "panel-dash-method",
            &[
                ("method", ctx.t(method_label(m.method), &[]).into()),
                ("count", m.count.into()),
                ("amount", m.total.into()),
            ],
        ));
    }
    lines.push(ctx.t("panel-dash-new-customers", &[("count", w.new_customers.into())]));
    lines.push(match w.conversion_percent() {
        Some(percent) => ctx.t(
            "panel-dash-trials",
            &[("count", w.trials.into()), ("paid", w.trials_converted.into()), ("percent", percent.into())],
        ),
        None => ctx.t("panel-dash-no-trials", &[]),
    });
    lines.join("\n")
}

/// The dashboard's text.
pub fn text(ctx: &Ctx<'_>, f: &DashboardFigures) -> String {
    let s = &f.subscriptions;
    let mut parts = vec![
        ctx.t("panel-dash-title", &[]),
        window_text(ctx, "panel-dash-today", &f.today),
        window_text(ctx, "panel-dash-week", &f.last_7_days),
        window_text(ctx, "panel-dash-month", &f.last_30_days),
        ctx.t(
            "panel-dash-subscriptions",
            &[
                ("active", s.active.into()),
                ("expiring", s.expiring_soon.into()),
                ("expired", s.expired.into()),
                ("disabled", s.disabled.into()),
            ],
        ),
        ctx.t("panel-dash-waiting", &[("receipts", f.pending_receipts.into()), ("tickets", f.open_tickets.into())]),
    ];
    let mut wallet =
        ctx.t("panel-dash-wallet", &[("amount", f.wallet.balance.into()), ("limit", f.wallet.credit_limit.into())]);
    wallet.push('\n');
    wallet.push_str(&match f.wallet.days_covered {
        Some(days) => ctx.t("panel-dash-covers", &[("days", days.into())]),
        None => ctx.t("panel-dash-covers-unknown", &[]),
    });
    parts.push(wallet);
    parts.join("\n\n")
}

async fn show(ctx: &Ctx<'_>) -> HandlerResult {
    let figures = ctx.store().dashboard().figures(ctx.tenant(), Utc::now()).await?;
    let screen = Screen::new(text(ctx, &figures))
        .with_row(vec![button(ctx.t("panel-refresh", &[]), Dashboard::data(&Action::Show))]);
    ctx.show(ctx.nav(screen, None)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashboard_data_round_trips() {
        let data = Dashboard::data(&Action::Show);
        assert_eq!(Dashboard::parse(data.strip_prefix("pd:").unwrap_or_default()), Some(Action::Show));
        assert_eq!(Dashboard::parse("show:1"), None);
    }
}
