//! Promo codes and promo groups: codes listed newest first with their uses, a code's page
//! (deactivate, activate again), a new code asked step by step (what it gives: balance, days
//! or a percent off; the code; its value; how many uses; valid from and until), promo groups
//! with their discount and new ones (name, percent). Customers are put in a group from their
//! page in the Customers area. Changes go through [`remnabot_store::changes::Changes`], as
//! the API's `/promocodes` and `/promo-groups` routes do.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use remnabot_domain::limits;
use remnabot_domain::text::PromoGroupName;
use remnabot_domain::{Error, PromoCodeId};
use remnabot_store::promos::{PromoCode, PromoCodeSpec, PromoGroupSpec, PromoKind, normalize_code};
use serde::{Deserialize, Serialize};
use teloxide::types::Message;

use super::input::{self, Refusal};
use super::screen::{PER_PAGE, Paging, button, id_of, page_of};
use super::{Area, Ctx, PanelState, Screen};
use crate::calendar::{format_datetime, gregorian};
use crate::handlers::HandlerResult;
use crate::texts::{Arg, format_number};

/// The promotions area.
#[derive(Debug, Clone, Copy)]
pub struct Promos;

/// Callback data `pm:...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `pm:home`: codes and groups.
    Home,
    /// `pm:codes:<page>`.
    Codes(u32),
    /// `pm:code:<id>`.
    Code(PromoCodeId),
    /// `pm:con:<id>` / `pm:coff:<id>`: the state wanted.
    Active(PromoCodeId, bool),
    /// `pm:newcode`: what the new code gives.
    NewCode,
    /// `pm:kind:<kind>`: starts the new code's questions.
    Kind(PromoKind),
    /// `pm:groups:<page>`.
    Groups(u32),
    /// `pm:newgroup`: starts the new group's questions.
    NewGroup,
}

/// The questions of the promotions area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ask {
    /// A new code: what was answered so far.
    Code(CodeDraft),
    /// A new group: the name, once answered; then the percent.
    Group { name: Option<String> },
}

/// A promo code being created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeDraft {
    pub kind: PromoKind,
    pub code: Option<String>,
    pub value: Option<i64>,
    pub max_uses: Option<u32>,
    /// Whether "valid from" was answered (`from` may still be none: from now on).
    pub from_set: bool,
    pub from: Option<DateTime<Utc>>,
}

/// A question of the new code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Code,
    Value,
    Uses,
    From,
    Until,
}

impl CodeDraft {
    fn new(kind: PromoKind) -> CodeDraft {
        CodeDraft { kind, code: None, value: None, max_uses: None, from_set: false, from: None }
    }

    /// The first question not answered yet.
    fn next(&self) -> Step {
        if self.code.is_none() {
            Step::Code
        } else if self.value.is_none() {
            Step::Value
        } else if self.max_uses.is_none() {
            Step::Uses
        } else if !self.from_set {
            Step::From
        } else {
            Step::Until
        }
    }

    fn value_range(&self) -> std::ops::RangeInclusive<i64> {
        match self.kind {
            PromoKind::Balance => limits::AMOUNT,
            PromoKind::Days => limits::EXTEND_DAYS,
            PromoKind::Discount => limits::DISCOUNT_PERCENT,
        }
    }
}

fn kind_code(kind: PromoKind) -> &'static str {
    match kind {
        PromoKind::Balance => "b",
        PromoKind::Days => "d",
        PromoKind::Discount => "p",
    }
}

impl Area for Promos {
    const PREFIX: &'static str = "pm";
    const LABEL: &'static str = "panel-area-promos";
    type Action = Action;
    type State = Ask;

    fn parse(rest: &str) -> Option<Action> {
        let mut parts = rest.split(':');
        let (verb, a) = (parts.next()?, parts.next());
        if parts.next().is_some() {
            return None;
        }
        let code = |s: Option<&str>| s.and_then(id_of).map(PromoCodeId);
        match (verb, a) {
            ("home", None) => Some(Action::Home),
            ("newcode", None) => Some(Action::NewCode),
            ("newgroup", None) => Some(Action::NewGroup),
            ("codes", Some(p)) => page_of(p).map(Action::Codes),
            ("groups", Some(p)) => page_of(p).map(Action::Groups),
            ("code", _) => code(a).map(Action::Code),
            ("con", _) => code(a).map(|c| Action::Active(c, true)),
            ("coff", _) => code(a).map(|c| Action::Active(c, false)),
            ("kind", Some(k)) => PromoKind::ALL.iter().copied().find(|kind| kind_code(*kind) == k).map(Action::Kind),
            _ => None,
        }
    }

    fn home() -> Action {
        Action::Home
    }

    fn data(action: &Action) -> String {
        match action {
            Action::Home => "pm:home".to_owned(),
            Action::Codes(p) => format!("pm:codes:{p}"),
            Action::Code(c) => format!("pm:code:{c}"),
            Action::Active(c, on) => format!("pm:{}:{c}", if *on { "con" } else { "coff" }),
            Action::NewCode => "pm:newcode".to_owned(),
            Action::Kind(k) => format!("pm:kind:{}", kind_code(*k)),
            Action::Groups(p) => format!("pm:groups:{p}"),
            Action::NewGroup => "pm:newgroup".to_owned(),
        }
    }

    async fn press(ctx: &Ctx<'_>, action: Action, _pending: Option<Ask>) -> HandlerResult {
        match action {
            Action::Home => home(ctx).await,
            Action::Codes(page) => codes(ctx, page, None).await,
            Action::Code(id) => code_page(ctx, id, None).await,
            Action::Active(id, on) => match ctx.changes().set_promo_code_active(ctx.tenant(), id, on).await {
                Ok(_) => code_page(ctx, id, Some(ctx.t("panel-saved", &[]))).await,
                Err(e) => gone(ctx, e).await,
            },
            Action::NewCode => choose_kind(ctx).await,
            Action::Kind(kind) => ask_code(ctx, CodeDraft::new(kind), None).await,
            Action::Groups(page) => groups(ctx, page, None).await,
            Action::NewGroup => ask_group(ctx, None, None).await,
        }
    }

    async fn answer(ctx: &Ctx<'_>, state: Ask, msg: &Message) -> HandlerResult {
        match state {
            Ask::Code(draft) => on_code_answer(ctx, draft, msg.text()).await,
            Ask::Group { name } => on_group_answer(ctx, name, msg.text()).await,
        }
    }
}

fn data(action: Action) -> String {
    Promos::data(&action)
}

async fn gone(ctx: &Ctx<'_>, e: Error) -> HandlerResult {
    match e {
        Error::NotFound { .. } => codes(ctx, 0, Some(ctx.t("panel-promo-gone", &[]))).await,
        other => Err(other.into()),
    }
}

async fn home(ctx: &Ctx<'_>) -> HandlerResult {
    let codes = ctx.store().promo_codes().count(ctx.tenant()).await?;
    let groups = ctx.store().promo_groups().count(ctx.tenant()).await?;
    let screen = Screen::new(ctx.t("panel-promos-title", &[("count", codes.into()), ("groups", groups.into())]))
        .with_row(vec![
            button(ctx.t("panel-promo-codes", &[]), data(Action::Codes(0))),
            button(ctx.t("panel-promo-groups", &[]), data(Action::Groups(0))),
        ]);
    ctx.show(ctx.nav(screen, None)).await?;
    Ok(())
}

/// What a code gives, in words.
fn gives(ctx: &Ctx<'_>, code: &PromoCode) -> String {
    match code.kind {
        PromoKind::Balance => {
            ctx.t("panel-promo-gives-balance", &[("amount", remnabot_domain::Toman(code.value).into())])
        }
        PromoKind::Days => ctx.t("panel-promo-gives-days", &[("days", code.value.into())]),
        PromoKind::Discount => ctx.t("panel-promo-gives-discount", &[("percent", code.value.into())]),
    }
}

fn uses(ctx: &Ctx<'_>, code: &PromoCode) -> String {
    let used = format_number(ctx.lang, i64::from(code.uses_count));
    if code.max_uses == 0 {
        ctx.t("panel-promo-uses-unlimited", &[("count", used.into())])
    } else {
        let max = format_number(ctx.lang, i64::from(code.max_uses));
        ctx.t("panel-promo-uses", &[("count", used.into()), ("max", max.into())])
    }
}

fn state_text(ctx: &Ctx<'_>, code: &PromoCode) -> String {
    ctx.t(if code.is_active { "panel-promo-active" } else { "panel-promo-inactive" }, &[])
}

async fn codes(ctx: &Ctx<'_>, page: u32, note: Option<String>) -> HandlerResult {
    let total = ctx.store().promo_codes().count(ctx.tenant()).await?;
    let paging = Paging::new(page, total);
    let list = ctx.store().promo_codes().list(ctx.tenant(), paging.window()).await?;
    let mut screen = Screen::new(note.unwrap_or_default()).with_line(&ctx.t("panel-promo-codes-title", &[]));
    screen =
        screen.with_line(&if list.is_empty() { ctx.t("panel-promo-codes-empty", &[]) } else { ctx.page_line(paging) });
    let mut buttons = Vec::with_capacity(list.len());
    for (place, code) in (u64::from(paging.page) * PER_PAGE + 1..).zip(&list) {
        screen = screen.with_line(&ctx.t(
            "panel-promo-code-row",
            &[
                ("place", place.into()),
                ("code", code.code.as_str().into()),
                ("kind", gives(ctx, code).into()),
                ("uses", uses(ctx, code).into()),
                ("state", state_text(ctx, code).into()),
            ],
        ));
        buttons.push(button(format!("{place}. {}", code.code), data(Action::Code(code.id))));
    }
    let screen = screen.with_grid(buttons, 2).with_button(ctx.t("panel-promo-new-code", &[]), data(Action::NewCode));
    let screen = ctx.pager(screen, paging, |p| data(Action::Codes(p)));
    ctx.show(ctx.nav(screen, Some(data(Action::Home)))).await?;
    Ok(())
}

async fn code_page(ctx: &Ctx<'_>, id: PromoCodeId, note: Option<String>) -> HandlerResult {
    let code = match ctx.store().promo_codes().get(ctx.tenant(), id).await {
        Ok(code) => code,
        Err(e) => return gone(ctx, e).await,
    };
    let date = |d: Option<DateTime<Utc>>| d.map_or_else(|| "-".to_owned(), |d| format_datetime(ctx.lang, d));
    let text = ctx.t(
        "panel-promo-code-page",
        &[
            ("code", code.code.as_str().into()),
            ("kind", gives(ctx, &code).into()),
            ("uses", uses(ctx, &code).into()),
            ("since", date(code.valid_from).into()),
            ("until", date(code.valid_until).into()),
            ("state", state_text(ctx, &code).into()),
        ],
    );
    let toggle = if code.is_active {
        button(ctx.t("panel-promo-deactivate", &[]), data(Action::Active(id, false)))
    } else {
        button(ctx.t("panel-promo-activate", &[]), data(Action::Active(id, true)))
    };
    let screen = Screen::new(note.unwrap_or_default()).with_line(&text).with_row(vec![toggle]);
    ctx.show(ctx.nav(screen, Some(data(Action::Codes(0))))).await?;
    Ok(())
}

async fn choose_kind(ctx: &Ctx<'_>) -> HandlerResult {
    let screen = Screen::new(ctx.t("panel-promo-choose-kind", &[]))
        .with_button(ctx.t("panel-promo-kind-balance", &[]), data(Action::Kind(PromoKind::Balance)))
        .with_button(ctx.t("panel-promo-kind-days", &[]), data(Action::Kind(PromoKind::Days)))
        .with_button(ctx.t("panel-promo-kind-discount", &[]), data(Action::Kind(PromoKind::Discount)));
    ctx.show(ctx.nav(screen, Some(data(Action::Codes(0))))).await?;
    Ok(())
}

async fn ask_code(ctx: &Ctx<'_>, draft: CodeDraft, note: Option<String>) -> HandlerResult {
    let step = draft.next();
    let range = |r: std::ops::RangeInclusive<i64>| [("min", Arg::from(*r.start())), ("max", Arg::from(*r.end()))];
    let question = match step {
        Step::Code => ctx.t("panel-promo-ask-code", &[]),
        Step::Value => match draft.kind {
            PromoKind::Balance => ctx.t("panel-promo-ask-balance", &range(draft.value_range())),
            PromoKind::Days => ctx.t("panel-promo-ask-days", &range(draft.value_range())),
            PromoKind::Discount => ctx.t("panel-promo-ask-percent", &range(draft.value_range())),
        },
        Step::Uses => ctx.t("panel-promo-ask-uses", &range(limits::PROMO_USES)),
        Step::From => ctx.t("panel-promo-ask-from", &[]),
        Step::Until => ctx.t("panel-promo-ask-until", &[]),
    };
    let page = match step {
        Step::Code => 1_u32,
        Step::Value => 2,
        Step::Uses => 3,
        Step::From => 4,
        Step::Until => 5,
    };
    let header = ctx.t("panel-promo-new-step", &[("page", page.into()), ("pages", 5_u32.into())]);
    let screen = Screen::new(note.unwrap_or_default())
        .with_line(&header)
        .with_line(&question)
        .with_button(ctx.t("panel-cancel", &[]), data(Action::Codes(0)));
    ctx.ask(PanelState::Promos(Ask::Code(draft)), screen).await
}

/// Iran's clock (UTC+03:30 all year since 2022): a typed date starts at Tehran's midnight.
const TEHRAN: FixedOffset = match FixedOffset::east_opt(3 * 3600 + 1800) {
    Some(offset) => offset,
    None => panic!("BUG: +03:30 is a valid offset"),
};

/// A date typed as `year-month-day` (any digits, `-` or `/` between): Solar Hijri when the
/// year is before 1700 (`1405-01-01`), Gregorian otherwise (`2026-03-21`); the start of that
/// day in Tehran. `-` for none.
fn date_of(text: Option<&str>) -> Result<Option<DateTime<Utc>>, Refusal> {
    if input::is_skip(text) {
        return Ok(None);
    }
    let text = text.unwrap_or_default().trim();
    let bad = || Refusal::Domain(String::new());
    if text.chars().count() > 20 {
        return Err(bad());
    }
    let parts: Vec<&str> = text.split(['-', '/']).collect();
    let [y, m, d] = parts.as_slice() else { return Err(bad()) };
    let number = |s: &str| input::number_in(s, 1..=99_999).map_err(|_| bad());
    let (y, m, d) = (number(y)?, number(m)?, number(d)?);
    let (y, m, d) = (
        i32::try_from(y).map_err(|_| bad())?,
        u32::try_from(m).map_err(|_| bad())?,
        u32::try_from(d).map_err(|_| bad())?,
    );
    let (y, m, d) = if y < 1700 { gregorian(y, m, d).ok_or_else(bad)? } else { (y, m, d) };
    let day = NaiveDate::from_ymd_opt(y, m, d).ok_or_else(bad)?;
    let midnight = day.and_hms_opt(0, 0, 0).ok_or_else(bad)?;
    let at = TEHRAN.from_local_datetime(&midnight).single().ok_or_else(bad)?.with_timezone(&Utc);
    if at > limits::latest_date() || at < DateTime::<Utc>::UNIX_EPOCH {
        return Err(bad());
    }
    Ok(Some(at))
}

async fn on_code_answer(ctx: &Ctx<'_>, mut draft: CodeDraft, text: Option<&str>) -> HandlerResult {
    let step = draft.next();
    let refuse = |r: Refusal, draft: CodeDraft| async move {
        let note = match &r {
            // A date that does not parse.
            Refusal::Domain(reason) if reason.is_empty() => ctx.t("panel-promo-bad-date", &[]),
            _ => input::refusal_text(ctx, &r),
        };
        ask_code(ctx, draft, Some(note)).await
    };
    let until = match step {
        Step::Code => {
            let typed = text.unwrap_or_default();
            if typed.chars().count() > 64 {
                return refuse(Refusal::TooLong { max: 64 }, draft).await;
            }
            match normalize_code(typed) {
                Ok(code) => draft.code = Some(code),
                Err(e) => return refuse(input::refused(e)?, draft).await,
            }
            None
        }
        Step::Value => match input::number_in(text.unwrap_or_default(), draft.value_range()) {
            Ok(n) => {
                draft.value = Some(n);
                None
            }
            Err(r) => return refuse(r, draft).await,
        },
        Step::Uses => match input::u32_in(text.unwrap_or_default(), limits::PROMO_USES) {
            Ok(n) => {
                draft.max_uses = Some(n);
                None
            }
            Err(r) => return refuse(r, draft).await,
        },
        Step::From => match date_of(text) {
            Ok(from) => {
                draft.from = from;
                draft.from_set = true;
                None
            }
            Err(r) => return refuse(r, draft).await,
        },
        Step::Until => match date_of(text) {
            Ok(until) => Some(until),
            Err(r) => return refuse(r, draft).await,
        },
    };
    let Some(valid_until) = until else { return ask_code(ctx, draft, None).await };
    let spec = PromoCodeSpec {
        code: draft.code.clone().unwrap_or_default(),
        kind: draft.kind,
        value: draft.value.unwrap_or_default(),
        max_uses: draft.max_uses.unwrap_or_default(),
        valid_from: draft.from,
        valid_until,
    };
    match ctx.changes().create_promo_code(ctx.tenant(), spec).await {
        Ok(code) => code_page(ctx, code.id, Some(ctx.t("panel-promo-created", &[("code", code.code.into())]))).await,
        // A code the tenant has already: the code is asked again, the rest kept.
        Err(e @ Error::Conflict(_)) => {
            let note = input::refusal_text(ctx, &input::refused(e)?);
            ask_code(ctx, CodeDraft { code: None, ..draft }, Some(note)).await
        }
        // Dates in the wrong order: "valid until" is asked again.
        Err(e) => {
            let note = input::refusal_text(ctx, &input::refused(e)?);
            ask_code(ctx, draft, Some(note)).await
        }
    }
}

async fn groups(ctx: &Ctx<'_>, page: u32, note: Option<String>) -> HandlerResult {
    let total = ctx.store().promo_groups().count(ctx.tenant()).await?;
    let paging = Paging::new(page, total);
    let list = ctx.store().promo_groups().list(ctx.tenant(), paging.window()).await?;
    let mut screen = Screen::new(note.unwrap_or_default()).with_line(&ctx.t("panel-promo-groups-title", &[]));
    screen =
        screen.with_line(&if list.is_empty() { ctx.t("panel-promo-groups-empty", &[]) } else { ctx.page_line(paging) });
    for (place, group) in (u64::from(paging.page) * PER_PAGE + 1..).zip(&list) {
        screen = screen.with_line(&ctx.t(
            "panel-promo-group-row",
            &[
                ("place", place.into()),
                ("name", group.name.as_str().into()),
                ("percent", group.discount_percent.into()),
            ],
        ));
    }
    let screen = screen.with_button(ctx.t("panel-promo-new-group", &[]), data(Action::NewGroup));
    let screen = ctx.pager(screen, paging, |p| data(Action::Groups(p)));
    ctx.show(ctx.nav(screen, Some(data(Action::Home)))).await?;
    Ok(())
}

async fn ask_group(ctx: &Ctx<'_>, name: Option<String>, note: Option<String>) -> HandlerResult {
    let question = match name {
        None => ctx.t("panel-promo-ask-group-name", &[("max", PromoGroupName::MAX_CHARS.into())]),
        Some(_) => ctx.t("panel-promo-ask-group-percent", &[]),
    };
    let screen = Screen::new(note.unwrap_or_default())
        .with_line(&ctx.t("panel-promo-new-group", &[]))
        .with_line(&question)
        .with_button(ctx.t("panel-cancel", &[]), data(Action::Groups(0)));
    ctx.ask(PanelState::Promos(Ask::Group { name }), screen).await
}

async fn on_group_answer(ctx: &Ctx<'_>, name: Option<String>, text: Option<&str>) -> HandlerResult {
    let Some(name) = name else {
        return match input::required(text, PromoGroupName::RULE) {
            Ok(name) => ask_group(ctx, Some(name), None).await,
            Err(r) => ask_group(ctx, None, Some(input::refusal_text(ctx, &r))).await,
        };
    };
    let percent = match input::u32_in(text.unwrap_or_default(), 0..=100) {
        Ok(p) => p,
        Err(r) => return ask_group(ctx, Some(name), Some(input::refusal_text(ctx, &r))).await,
    };
    let spec = PromoGroupSpec { name: name.clone(), discount_percent: percent };
    match ctx.changes().create_promo_group(ctx.tenant(), spec).await {
        Ok(group) => groups(ctx, 0, Some(ctx.t("panel-promo-group-created", &[("name", group.name.into())]))).await,
        // A name the tenant has already: the name is asked again.
        Err(e) => ask_group(ctx, None, Some(input::refusal_text(ctx, &input::refused(e)?))).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promo_data_round_trips_and_fits_telegram() {
        let id = PromoCodeId(i64::MAX);
        let mut actions = vec![
            Action::Home,
            Action::Codes(999_999),
            Action::Code(id),
            Action::Active(id, true),
            Action::Active(id, false),
            Action::NewCode,
            Action::Groups(3),
            Action::NewGroup,
        ];
        actions.extend(PromoKind::ALL.iter().map(|k| Action::Kind(*k)));
        for action in actions {
            let data = Promos::data(&action);
            assert!(data.len() <= 64, "{data}");
            assert_eq!(Promos::parse(data.strip_prefix("pm:").unwrap_or_default()), Some(action), "{data}");
        }
        for bad in ["", "code:0", "kind:x", "kind", "codes", "con:1:2", "home:1"] {
            assert_eq!(Promos::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_are_read_as_tehran_days() {
        let at = date_of(Some("2026-03-21")).ok().flatten().map(|d| d.to_rfc3339());
        assert_eq!(at.as_deref(), Some("2026-03-20T20:30:00+00:00"));
        assert_eq!(date_of(Some("۲۰۲۶/۰۳/۲۱")).ok().flatten().map(|d| d.to_rfc3339()), at);
        assert_eq!(date_of(Some("۱۴۰۵/۰۱/۰۱")).ok().flatten().map(|d| d.to_rfc3339()), at, "Solar Hijri");
        assert_eq!(date_of(Some("-")), Ok(None));
        for bad in ["tomorrow", "2026-13-01", "2026-02-30", "99999-01-01", "", "1404-12-30", "1-2", "1-2-3-4"] {
            assert!(date_of(Some(bad)).is_err(), "{bad}");
        }
    }
}
