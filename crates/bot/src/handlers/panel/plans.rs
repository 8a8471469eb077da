//! Plans: the list in the customers' order (active or hidden, sales of each), a plan's
//! page, a guided creation (name, days, GB with 0 for unlimited, devices, price), editing
//! any field, showing or hiding, moving up or down, and deleting after a confirmation. A
//! plan that orders or subscriptions refer to is hidden instead of deleted, and the admin is
//! told why. Every change goes through [`remnabot_store::changes::Changes`], as the API's
//! `/plans` routes do.

use remnabot_domain::limits;
use remnabot_domain::text::{PlanDescription, PlanName};
use remnabot_domain::{Error, PlanId, Toman};
use remnabot_store::plans::{Plan, PlanSpec};
use serde::{Deserialize, Serialize};
use teloxide::types::Message;

use super::input::{self, Refusal};
use super::screen::{Paging, button, id_of, page_of};
use super::{Area, Ctx, PanelState, Screen};
use crate::handlers::{HandlerError, HandlerResult};
use crate::texts::Arg;

/// The plans area.
#[derive(Debug, Clone, Copy)]
pub struct Plans;

/// A field of a plan an admin can edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Name,
    Days,
    Traffic,
    Devices,
    Price,
    Description,
}

impl Field {
    const ALL: [Field; 6] =
        [Field::Name, Field::Days, Field::Traffic, Field::Devices, Field::Price, Field::Description];

    fn code(self) -> &'static str {
        match self {
            Field::Name => "n",
            Field::Days => "d",
            Field::Traffic => "g",
            Field::Devices => "v",
            Field::Price => "p",
            Field::Description => "t",
        }
    }

    fn parse(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The label of its Edit button.
    fn label(self) -> &'static str {
        match self {
            Field::Name => "panel-plan-edit-name",
            Field::Days => "panel-plan-edit-days",
            Field::Traffic => "panel-plan-edit-traffic",
            Field::Devices => "panel-plan-edit-devices",
            Field::Price => "panel-plan-edit-price",
            Field::Description => "panel-plan-edit-description",
        }
    }
}

/// Callback data `pp:...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `pp:list:<page>`.
    List(u32),
    /// `pp:show:<id>`.
    Show(PlanId),
    /// `pp:new`: starts the creation dialogue.
    New,
    /// `pp:edit:<id>:<field>`: asks for the field's new value.
    Edit(PlanId, Field),
    /// `pp:on:<id>` / `pp:off:<id>`: shows or hides the plan (the state wanted, so a press
    /// repeated changes nothing more).
    Active(PlanId, bool),
    /// `pp:up:<id>` / `pp:down:<id>`.
    Move(PlanId, bool),
    /// `pp:del:<id>`: the confirmation.
    Delete(PlanId),
    /// `pp:rm:<id>`: deletion confirmed.
    Remove(PlanId),
}

/// The questions of the plans area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ask {
    /// Creating: the fields answered so far; the next one is asked.
    Create(Draft),
    /// A new value for one field of a plan.
    Edit { plan: i64, field: Field },
}

/// A plan being created, field by field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub name: Option<String>,
    pub days: Option<u32>,
    pub traffic_gb: Option<u32>,
    pub devices: Option<u32>,
}

impl Draft {
    /// The field asked next (the price comes last).
    fn next(&self) -> Field {
        match self {
            Draft { name: None, .. } => Field::Name,
            Draft { days: None, .. } => Field::Days,
            Draft { traffic_gb: None, .. } => Field::Traffic,
            Draft { devices: None, .. } => Field::Devices,
            _ => Field::Price,
        }
    }

    fn step(&self) -> u32 {
        match self.next() {
            Field::Name => 1,
            Field::Days => 2,
            Field::Traffic => 3,
            Field::Devices => 4,
            Field::Price | Field::Description => 5,
        }
    }
}

impl Area for Plans {
    const PREFIX: &'static str = "pp";
    const LABEL: &'static str = "panel-area-plans";
    type Action = Action;
    type State = Ask;

    fn parse(rest: &str) -> Option<Action> {
        let mut parts = rest.split(':');
        let (verb, a, b) = (parts.next()?, parts.next(), parts.next());
        if parts.next().is_some() {
            return None;
        }
        let plan = |s: Option<&str>| s.and_then(id_of).map(PlanId);
        match (verb, a, b) {
            ("list", Some(p), None) => page_of(p).map(Action::List),
            ("new", None, None) => Some(Action::New),
            ("show", _, None) => plan(a).map(Action::Show),
            ("edit", _, Some(f)) => Some(Action::Edit(plan(a)?, Field::parse(f)?)),
            ("on", _, None) => plan(a).map(|p| Action::Active(p, true)),
            ("off", _, None) => plan(a).map(|p| Action::Active(p, false)),
            ("up", _, None) => plan(a).map(|p| Action::Move(p, true)),
            ("down", _, None) => plan(a).map(|p| Action::Move(p, false)),
            ("del", _, None) => plan(a).map(Action::Delete),
            ("rm", _, None) => plan(a).map(Action::Remove),
            _ => None,
        }
    }

    fn home() -> Action {
        Action::List(0)
    }

    fn data(action: &Action) -> String {
        match action {
            Action::List(page) => format!("pp:list:{page}"),
            Action::Show(p) => format!("pp:show:{p}"),
            Action::New => "pp:new".to_owned(),
            Action::Edit(p, f) => format!("pp:edit:{p}:{}", f.code()),
            Action::Active(p, on) => format!("pp:{}:{p}", if *on { "on" } else { "off" }),
            Action::Move(p, up) => format!("pp:{}:{p}", if *up { "up" } else { "down" }),
            Action::Delete(p) => format!("pp:del:{p}"),
            Action::Remove(p) => format!("pp:rm:{p}"),
        }
    }

    async fn press(ctx: &Ctx<'_>, action: Action, _pending: Option<Ask>) -> HandlerResult {
        match action {
            Action::List(page) => list(ctx, page, None).await,
            Action::Show(id) => show(ctx, id, None).await,
            Action::New => ask_create(ctx, Draft::default(), None).await,
            Action::Edit(id, field) => ask_edit(ctx, id, field, None).await,
            Action::Active(id, on) => match ctx.changes().set_plan_active(ctx.tenant(), id, on).await {
                Ok(_) => show(ctx, id, Some(ctx.t("panel-saved", &[]))).await,
                Err(e) => gone(ctx, e).await,
            },
            Action::Move(id, up) => match ctx.changes().move_plan(ctx.tenant(), id, up).await {
                Ok(plan) => list(ctx, page_after_move(&plan), None).await,
                Err(e) => gone(ctx, e).await,
            },
            Action::Delete(id) => confirm_delete(ctx, id).await,
            Action::Remove(id) => remove(ctx, id).await,
        }
    }

    async fn answer(ctx: &Ctx<'_>, state: Ask, msg: &Message) -> HandlerResult {
        match state {
            Ask::Create(draft) => on_create_answer(ctx, draft, msg.text()).await,
            Ask::Edit { plan, field } => on_edit_answer(ctx, PlanId(plan), field, msg.text()).await,
        }
    }
}

fn data(action: Action) -> String {
    Plans::data(&action)
}

/// The page of the list showing `plan` right after a move, which renumbers the tenant's
/// plans 10, 20, 30, ... in their order.
fn page_after_move(plan: &Plan) -> u32 {
    let index = u64::try_from(plan.sort_order / 10 - 1).unwrap_or(0);
    u32::try_from(index / super::screen::PER_PAGE).unwrap_or(0)
}

/// "50 GB" or "unlimited".
pub fn traffic_text(ctx: &Ctx<'_>, gb: u32) -> String {
    if gb == 0 { ctx.t("panel-plan-unlimited", &[]) } else { ctx.t("panel-plan-gb", &[("gb", gb.into())]) }
}

fn state_text(ctx: &Ctx<'_>, plan: &Plan) -> String {
    ctx.t(if plan.is_active { "panel-plan-active" } else { "panel-plan-hidden" }, &[])
}

/// A plan gone (deleted meanwhile, or another tenant's id in forged data): the list again.
async fn gone(ctx: &Ctx<'_>, e: Error) -> HandlerResult {
    match e {
        Error::NotFound { .. } => list(ctx, 0, Some(ctx.t("panel-plan-gone", &[]))).await,
        other => Err(other.into()),
    }
}

async fn list(ctx: &Ctx<'_>, page: u32, note: Option<String>) -> HandlerResult {
    let total = ctx.store().plans().count(ctx.tenant()).await?;
    let paging = Paging::new(page, total);
    let plans = ctx.store().plans().list(ctx.tenant(), false, paging.window()).await?;
    let ids: Vec<PlanId> = plans.iter().map(|p| p.id).collect();
    let sales = ctx.store().plans().sales_counts(ctx.tenant(), &ids).await?;
    let mut screen = Screen::new(note.unwrap_or_default()).with_line(&ctx.t("panel-plans-title", &[]));
    if plans.is_empty() {
        screen = screen.with_line(&ctx.t("panel-plans-empty", &[]));
    } else {
        screen = screen.with_line(&ctx.page_line(paging));
    }
    let mut buttons = Vec::with_capacity(plans.len());
    for (place, plan) in (u64::from(paging.page) * super::screen::PER_PAGE + 1..).zip(&plans) {
        let row = ctx.t(
            "panel-plan-row",
            &[
                ("place", place.into()),
                ("name", plan.name.as_str().into()),
                ("days", plan.period_days.into()),
                ("traffic", traffic_text(ctx, plan.traffic_gb).into()),
                ("devices", plan.device_limit.into()),
                ("price", plan.price.into()),
                ("state", state_text(ctx, plan).into()),
                ("count", sales.get(&plan.id).copied().unwrap_or(0).into()),
            ],
        );
        screen = screen.with_line(&row);
        buttons.push(button(format!("{place}. {}", plan.name), data(Action::Show(plan.id))));
    }
    let screen = screen.with_grid(buttons, 2).with_button(ctx.t("panel-plan-new", &[]), data(Action::New));
    let screen = ctx.pager(screen, paging, |p| data(Action::List(p)));
    ctx.show(ctx.nav(screen, None)).await?;
    Ok(())
}

async fn show(ctx: &Ctx<'_>, id: PlanId, note: Option<String>) -> HandlerResult {
    let plan = match ctx.store().plans().get(ctx.tenant(), id).await {
        Ok(plan) => plan,
        Err(e) => return gone(ctx, e).await,
    };
    let sales = ctx.store().plans().sales_counts(ctx.tenant(), &[id]).await?.get(&id).copied().unwrap_or(0);
    let text = ctx.t(
        "panel-plan-page",
        &[
            ("name", plan.name.as_str().into()),
            ("days", plan.period_days.into()),
            ("traffic", traffic_text(ctx, plan.traffic_gb).into()),
            ("devices", plan.device_limit.into()),
            ("price", plan.price.into()),
            ("state", state_text(ctx, &plan).into()),
            ("count", sales.into()),
        ],
    );
    let mut screen = Screen::new(note.unwrap_or_default()).with_line(&text);
    if let Some(description) = &plan.description {
        screen = screen.with_line(&super::screen::clip(description, 1000));
    }
    let edits: Vec<_> = Field::ALL.iter().map(|f| button(ctx.t(f.label(), &[]), data(Action::Edit(id, *f)))).collect();
    let toggle = if plan.is_active {
        button(ctx.t("panel-plan-deactivate", &[]), data(Action::Active(id, false)))
    } else {
        button(ctx.t("panel-plan-activate", &[]), data(Action::Active(id, true)))
    };
    let screen = screen
        .with_grid(edits, 3)
        .with_row(vec![toggle])
        .with_row(vec![
            button(ctx.t("panel-plan-up", &[]), data(Action::Move(id, true))),
            button(ctx.t("panel-plan-down", &[]), data(Action::Move(id, false))),
        ])
        .with_button(ctx.t("panel-plan-delete", &[]), data(Action::Delete(id)));
    ctx.show(ctx.nav(screen, Some(data(Action::List(0))))).await?;
    Ok(())
}

/// The question for `field` (with its range), under `note` (a refusal) when given.
fn question(ctx: &Ctx<'_>, field: Field, note: Option<String>, header: String, cancel: String) -> Screen {
    let range = |r: std::ops::RangeInclusive<i64>| [("min", Arg::from(*r.start())), ("max", Arg::from(*r.end()))];
    let text = match field {
        Field::Name => ctx.t("panel-plan-ask-name", &[("max", PlanName::MAX_CHARS.into())]),
        Field::Days => ctx.t("panel-plan-ask-days", &range(limits::PLAN_DAYS)),
        Field::Traffic => ctx.t("panel-plan-ask-traffic", &range(limits::TRAFFIC_GB)),
        Field::Devices => ctx.t("panel-plan-ask-devices", &range(limits::DEVICES)),
        Field::Price => ctx.t("panel-plan-ask-price", &range(limits::AMOUNT)),
        Field::Description => ctx.t("panel-plan-ask-description", &[("max", PlanDescription::MAX_CHARS.into())]),
    };
    Screen::new(note.unwrap_or_default())
        .with_line(&header)
        .with_line(&text)
        .with_button(ctx.t("panel-cancel", &[]), cancel)
}

async fn ask_create(ctx: &Ctx<'_>, draft: Draft, note: Option<String>) -> HandlerResult {
    let header = ctx.t("panel-plan-new-step", &[("page", draft.step().into()), ("pages", 5_u32.into())]);
    let screen = question(ctx, draft.next(), note, header, data(Action::List(0)));
    ctx.ask(PanelState::Plans(Ask::Create(draft)), screen).await
}

async fn ask_edit(ctx: &Ctx<'_>, id: PlanId, field: Field, note: Option<String>) -> HandlerResult {
    let plan = match ctx.store().plans().get(ctx.tenant(), id).await {
        Ok(plan) => plan,
        Err(e) => return gone(ctx, e).await,
    };
    let header = ctx.t("panel-plan-editing", &[("name", plan.name.as_str().into())]);
    let screen = question(ctx, field, note, header, data(Action::Show(id)));
    ctx.ask(PanelState::Plans(Ask::Edit { plan: id.0, field }), screen).await
}

/// The number typed for `field` (not the name or description).
fn number_for(field: Field, text: Option<&str>) -> Result<i64, Refusal> {
    let range = match field {
        Field::Days => limits::PLAN_DAYS,
        Field::Traffic => limits::TRAFFIC_GB,
        Field::Devices => limits::DEVICES,
        _ => limits::AMOUNT,
    };
    input::number_in(text.unwrap_or_default(), range)
}

fn as_u32(n: i64) -> u32 {
    // The ranges above are within u32.
    u32::try_from(n).unwrap_or(u32::MAX)
}

async fn on_create_answer(ctx: &Ctx<'_>, mut draft: Draft, text: Option<&str>) -> HandlerResult {
    let field = draft.next();
    let refuse = |r: Refusal, draft: Draft| async move {
        let note = input::refusal_text(ctx, &r);
        ask_create(ctx, draft, Some(note)).await
    };
    match field {
        Field::Name => match input::required(text, PlanName::RULE) {
            Ok(name) => draft.name = Some(name),
            Err(r) => return refuse(r, draft).await,
        },
        Field::Days | Field::Traffic | Field::Devices => match number_for(field, text) {
            Ok(n) if field == Field::Days => draft.days = Some(as_u32(n)),
            Ok(n) if field == Field::Traffic => draft.traffic_gb = Some(as_u32(n)),
            Ok(n) => draft.devices = Some(as_u32(n)),
            Err(r) => return refuse(r, draft).await,
        },
        Field::Price | Field::Description => {
            let price = match number_for(Field::Price, text) {
                Ok(n) => Toman(n),
                Err(r) => return refuse(r, draft).await,
            };
            let sort_order = next_sort_order(ctx).await?;
            let spec = PlanSpec {
                name: draft.name.clone().unwrap_or_default(),
                description: None,
                period_days: draft.days.unwrap_or(1),
                traffic_gb: draft.traffic_gb.unwrap_or(0),
                device_limit: draft.devices.unwrap_or(1),
                price,
                sort_order,
            };
            return match ctx.changes().create_plan(ctx.tenant(), spec).await {
                Ok(plan) => {
                    let note = ctx.t("panel-plan-created", &[("name", plan.name.as_str().into())]);
                    show(ctx, plan.id, Some(note)).await
                }
                // A duplicate name: the name is asked again, the rest kept.
                Err(e @ Error::Conflict(_)) => {
                    let note = input::refusal_text(ctx, &input::refused(e)?);
                    ask_create(ctx, Draft { name: None, ..draft }, Some(note)).await
                }
                Err(e) => {
                    let note = input::refusal_text(ctx, &input::refused(e)?);
                    ask_create(ctx, draft, Some(note)).await
                }
            };
        }
    }
    ask_create(ctx, draft, None).await
}

/// After the tenant's last plan.
async fn next_sort_order(ctx: &Ctx<'_>) -> Result<i32, HandlerError> {
    let count = ctx.store().plans().count(ctx.tenant()).await?;
    let next = i64::try_from(count).unwrap_or(i64::MAX).saturating_add(1).saturating_mul(10);
    Ok(i32::try_from(next.min(*limits::SORT_ORDER.end())).unwrap_or(0))
}

async fn on_edit_answer(ctx: &Ctx<'_>, id: PlanId, field: Field, text: Option<&str>) -> HandlerResult {
    let plan = match ctx.store().plans().get(ctx.tenant(), id).await {
        Ok(plan) => plan,
        Err(e) => return gone(ctx, e).await,
    };
    let mut spec = PlanSpec {
        name: plan.name.clone(),
        description: plan.description.clone(),
        period_days: plan.period_days,
        traffic_gb: plan.traffic_gb,
        device_limit: plan.device_limit,
        price: plan.price,
        sort_order: plan.sort_order,
    };
    let parsed = match field {
        Field::Name => input::required(text, PlanName::RULE).map(|n| spec.name = n),
        Field::Description if input::is_skip(text) => {
            spec.description = None;
            Ok(())
        }
        Field::Description => input::text_by(text, PlanDescription::RULE).map(|d| spec.description = d),
        Field::Days => number_for(field, text).map(|n| spec.period_days = as_u32(n)),
        Field::Traffic => number_for(field, text).map(|n| spec.traffic_gb = as_u32(n)),
        Field::Devices => number_for(field, text).map(|n| spec.device_limit = as_u32(n)),
        Field::Price => number_for(field, text).map(|n| spec.price = Toman(n)),
    };
    if let Err(r) = parsed {
        return ask_edit(ctx, id, field, Some(input::refusal_text(ctx, &r))).await;
    }
    match ctx.changes().update_plan(ctx.tenant(), id, spec).await {
        Ok(_) => show(ctx, id, Some(ctx.t("panel-saved", &[]))).await,
        Err(e @ Error::NotFound { .. }) => gone(ctx, e).await,
        Err(e) => {
            let note = input::refusal_text(ctx, &input::refused(e)?);
            ask_edit(ctx, id, field, Some(note)).await
        }
    }
}

async fn confirm_delete(ctx: &Ctx<'_>, id: PlanId) -> HandlerResult {
    let plan = match ctx.store().plans().get(ctx.tenant(), id).await {
        Ok(plan) => plan,
        Err(e) => return gone(ctx, e).await,
    };
    let question = ctx.t("panel-plan-delete-ask", &[("name", plan.name.as_str().into())]);
    let screen = ctx.confirm(question, data(Action::Remove(id)), data(Action::Show(id)));
    ctx.show(screen).await?;
    Ok(())
}

/// Deletes the plan, or hides it when anything refers to it (and says so).
async fn remove(ctx: &Ctx<'_>, id: PlanId) -> HandlerResult {
    let plan = match ctx.store().plans().get(ctx.tenant(), id).await {
        Ok(plan) => plan,
        Err(e) => return gone(ctx, e).await,
    };
    let usage = ctx.store().plans().usage(ctx.tenant(), id).await?;
    if !usage.any() {
        match ctx.changes().delete_plan(ctx.tenant(), id).await {
            Ok(()) => {
                let note = ctx.t("panel-plan-deleted", &[("name", plan.name.as_str().into())]);
                return list(ctx, 0, Some(note)).await;
            }
            // Used since the count above: hidden instead, like any plan in use.
            Err(Error::Conflict(_)) => {}
            Err(e) => return gone(ctx, e).await,
        }
    }
    let usage = ctx.store().plans().usage(ctx.tenant(), id).await?;
    if plan.is_active {
        ctx.changes().set_plan_active(ctx.tenant(), id, false).await?;
    }
    let note = ctx.t(
        "panel-plan-hidden-instead",
        &[
            ("name", plan.name.as_str().into()),
            ("subscriptions", usage.subscriptions.into()),
            ("orders", usage.orders.into()),
        ],
    );
    show(ctx, id, Some(note)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_data_round_trips_and_fits_telegram() {
        let id = PlanId(i64::MAX);
        let mut actions =
            vec![Action::List(999_999), Action::New, Action::Show(id), Action::Delete(id), Action::Remove(id)];
        actions.extend(Field::ALL.map(|f| Action::Edit(id, f)));
        actions.extend([true, false].map(|b| Action::Active(id, b)));
        actions.extend([true, false].map(|b| Action::Move(id, b)));
        for action in actions {
            let data = Plans::data(&action);
            assert!(data.len() <= 64, "{data}");
            let rest = data.strip_prefix("pp:").unwrap_or_default();
            assert_eq!(Plans::parse(rest), Some(action), "{data}");
        }
        for bad in ["", "show", "show:0", "show:-1", "show:x", "edit:1", "edit:1:z", "list:-1", "new:1", "rm:1:2"] {
            assert_eq!(Plans::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_moved_plan_is_shown_on_the_page_it_moved_to() {
        let plan = |sort_order| Plan {
            id: PlanId(1),
            name: "Gold".into(),
            description: None,
            period_days: 30,
            traffic_gb: 0,
            device_limit: 1,
            price: Toman(1),
            sort_order,
            is_active: true,
            created_at: chrono::Utc::now(),
        };
        assert_eq!(page_after_move(&plan(10)), 0);
        assert_eq!(page_after_move(&plan(100)), 0);
        assert_eq!(page_after_move(&plan(110)), 1);
        assert_eq!(page_after_move(&plan(-50)), 0);
    }

    #[test]
    fn a_draft_asks_its_fields_in_order() {
        let mut d = Draft::default();
        assert_eq!((d.next(), d.step()), (Field::Name, 1));
        d.name = Some("Gold".into());
        d.days = Some(30);
        assert_eq!(d.next(), Field::Traffic);
        d.traffic_gb = Some(0);
        d.devices = Some(2);
        assert_eq!((d.next(), d.step()), (Field::Price, 5));
    }
}
