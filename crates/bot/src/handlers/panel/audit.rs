//! The audit log: every change made to this tenant from the panel or the API (who, what,
//! before and after, when), newest first, paged, each entry openable. The same entries
//! `GET /api/v1/bots/{bot_id}/audit-log` lists.

use remnabot_store::audit::{Actor, AuditEntry};
use teloxide::types::Message;

use super::screen::{clip, id_of, page_of};
use super::{Area, Ctx, NoQuestion, Paging, Screen};
use crate::calendar::format_datetime;
use crate::handlers::HandlerResult;

/// The audit log area.
#[derive(Debug, Clone, Copy)]
pub struct AuditLog;

/// How much of a value (before or after) an entry's screen shows, in characters of JSON.
const VALUE_CHARS: usize = 1500;
/// How much of a target a list line shows.
const TARGET_CHARS: usize = 40;

/// Callback data `pau:...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `pau:h:<page>`: a page of entries.
    List(u32),
    /// `pau:e:<entry>:<page>`: one entry (and the page to go back to).
    Entry(i64, u32),
}

impl Area for AuditLog {
    const PREFIX: &'static str = "pau";
    const LABEL: &'static str = "panel-area-audit";
    type Action = Action;
    type State = NoQuestion;

    fn parse(rest: &str) -> Option<Action> {
        let parts: Vec<&str> = rest.split(':').collect();
        Some(match parts.as_slice() {
            ["h", p] => Action::List(page_of(p)?),
            ["e", id, p] => Action::Entry(id_of(id)?, page_of(p)?),
            _ => return None,
        })
    }

    fn home() -> Action {
        Action::List(0)
    }

    fn data(action: &Action) -> String {
        match action {
            Action::List(p) => format!("pau:h:{p}"),
            Action::Entry(id, p) => format!("pau:e:{id}:{p}"),
        }
    }

    async fn press(ctx: &Ctx<'_>, action: Action, _pending: Option<NoQuestion>) -> HandlerResult {
        match action {
            Action::List(page) => list(ctx, page).await,
            Action::Entry(id, page) => entry(ctx, id, page).await,
        }
    }

    async fn answer(_ctx: &Ctx<'_>, state: NoQuestion, _msg: &Message) -> HandlerResult {
        match state {}
    }
}

fn actor(ctx: &Ctx<'_>, a: Actor) -> String {
    match a {
        Actor::Admin(id) => ctx.t("panel-au-admin", &[("id", id.0.into())]),
        Actor::Operator => ctx.t("panel-au-operator", &[]),
        Actor::TenantApi => ctx.t("panel-au-api", &[]),
    }
}

fn line(ctx: &Ctx<'_>, e: &AuditEntry) -> String {
    ctx.t(
        "panel-au-line",
        &[
            ("when", format_datetime(ctx.lang, e.created_at).into()),
            ("who", actor(ctx, e.actor).into()),
            ("action", clip(&e.action, 40).into()),
            ("target", clip(e.target.as_deref().unwrap_or("-"), TARGET_CHARS).into()),
        ],
    )
}

async fn list(ctx: &Ctx<'_>, page: u32) -> HandlerResult {
    let audit = ctx.store().audit();
    let total = audit.count(ctx.tenant()).await?;
    let paging = Paging::new(page, total);
    let entries = audit.list(ctx.tenant(), paging.window()).await?;
    let mut screen = Screen::new(ctx.t("panel-au-title", &[]));
    if total == 0 {
        screen = screen.with_line(&ctx.t("panel-au-none", &[]));
    } else {
        screen = screen.with_line(&ctx.page_line(paging));
    }
    let mut buttons = Vec::with_capacity(entries.len());
    for e in &entries {
        screen = screen.with_line(&format!("#{} {}", e.id, line(ctx, e)));
        buttons.push(super::screen::button(format!("#{}", e.id), AuditLog::data(&Action::Entry(e.id, paging.page))));
    }
    let screen = screen.with_grid(buttons, 5);
    let screen = ctx.pager(screen, paging, |p| AuditLog::data(&Action::List(p)));
    ctx.show(ctx.nav(screen, None)).await.map(drop)
}

fn value(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(v) => clip(&v.to_string(), VALUE_CHARS),
        None => "-".to_owned(),
    }
}

async fn entry(ctx: &Ctx<'_>, id: i64, page: u32) -> HandlerResult {
    let e = match ctx.store().audit().get(ctx.tenant(), id).await {
        Ok(e) => e,
        Err(remnabot_domain::Error::NotFound { .. }) => return ctx.alert("panel-not-found", &[]).await,
        Err(e) => return Err(e.into()),
    };
    let text = ctx.t(
        "panel-au-entry",
        &[
            ("id", e.id.into()),
            ("line", line(ctx, &e).into()),
            ("before", value(e.before.as_ref()).into()),
            ("after", value(e.after.as_ref()).into()),
        ],
    );
    let screen = Screen::new(text);
    ctx.show(ctx.nav(screen, Some(AuditLog::data(&Action::List(page))))).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_data_round_trips() {
        for action in [Action::List(0), Action::List(999_999), Action::Entry(i64::MAX, 999_999)] {
            let d = AuditLog::data(&action);
            assert!(d.len() <= 64);
            assert_eq!(AuditLog::parse(d.strip_prefix("pau:").unwrap_or_default()), Some(action));
        }
        for bad in ["", "h", "h:x", "e:1", "e:0:1", "e:1:x", "zz:1"] {
            assert_eq!(AuditLog::parse(bad), None, "{bad}");
        }
    }
}
