//! Customers: find one (Telegram id, @username, name or a piece of their subscription
//! link), see them whole (balance, subscription, last payments, referrer and invitations,
//! tickets) and act on them: block or unblock, credit or debit their balance with a reason,
//! grant a plan or extend, set traffic or device limits, reset traffic, disable or enable the
//! subscription, put them in a promo group, message them.
//!
//! Every change goes through [`remnabot_store::changes::Changes`] (balance through the
//! ledger, subscriptions through the provisioning outbox, messages through the notification
//! outbox). A confirmed change carries the confirmation screen's nonce in its callback data
//! and its idempotency key is made from it, so pressing Confirm twice (or twenty times at
//! once) applies it once.

use chrono::Utc;
use remnabot_domain::limits;
use remnabot_domain::text::{CustomerMessage, LedgerNote};
use remnabot_domain::{Error, Page, PlanId, PromoGroupId, SubscriptionId, Toman, UserId};
use remnabot_store::customers::MAX_TERM;
use remnabot_store::ledger::Posting;
use remnabot_store::outbox::Limits;
use remnabot_store::subscriptions::{Subscription, SubscriptionStatus};
use remnabot_store::users::User;
use serde::{Deserialize, Serialize};
use teloxide::types::Message;

use super::screen::{button, clip, id_of, is_nonce, nonce, page_of};
use super::{Area, Ctx, Paging, PanelState, Screen, input};
use crate::calendar::format_datetime;
use crate::handlers::{HandlerError, HandlerResult};

/// The customers area.
#[derive(Debug, Clone, Copy)]
pub struct Customers;

/// Bytes in a gigabyte as the panel counts traffic.
const GB: i64 = 1024 * 1024 * 1024;
/// Payments and tickets shown on a customer's page.
const RECENT: u64 = 5;
/// The longest name shown.
const NAME_CHARS: usize = 48;

/// Callback data `pcu:...`. Ids are this tenant's rows, looked up again at every press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `pcu:find`: asks for a search term.
    Find,
    /// `pcu:res:<page>`: a page of the last search's results.
    Results(u32),
    /// `pcu:u:<user>`: the customer's page.
    Show(i64),
    /// `pcu:blk:<user>`: asks to confirm blocking or unblocking.
    Block(i64),
    /// `pcu:blky:<user>:<0|1>`: blocks (1) or unblocks (0).
    SetBlocked(i64, bool),
    /// `pcu:cr:<user>` and `pcu:db:<user>`: asks for an amount to credit or debit.
    Balance(i64, bool),
    /// `pcu:bok:<user>:<nonce>`: posts the confirmed balance change.
    ConfirmBalance(i64, String),
    /// `pcu:gr:<user>:<page>`: the plans to grant.
    Grant(i64, u32),
    /// `pcu:grp:<user>:<plan>`: asks to confirm granting the plan.
    GrantPlan(i64, i64),
    /// `pcu:gok:<user>:<plan>:<nonce>`: grants it.
    ConfirmGrant(i64, i64, String),
    /// `pcu:ext:<user>`, `pcu:tl:<user>`, `pcu:dl:<user>`: asks for days, GB or devices.
    Ask(i64, Question),
    /// `pcu:xok:<sub>:<days>:<nonce>`.
    ConfirmExtend(i64, u32, String),
    /// `pcu:tok:<sub>:<gb>:<nonce>`.
    ConfirmTraffic(i64, u32, String),
    /// `pcu:dok:<sub>:<devices>:<nonce>`.
    ConfirmDevices(i64, u32, String),
    /// `pcu:rt:<user>`: asks to confirm resetting the traffic.
    Reset(i64),
    /// `pcu:rok:<sub>:<nonce>`.
    ConfirmReset(i64, String),
    /// `pcu:en:<user>`: asks to confirm disabling or enabling the subscription.
    Toggle(i64),
    /// `pcu:eok:<sub>:<0|1>:<nonce>`: enables (1) or disables (0).
    ConfirmToggle(i64, bool, String),
    /// `pcu:pg:<user>:<page>`: the promo groups to choose from.
    Groups(i64, u32),
    /// `pcu:pgs:<user>:<group>`: puts the customer in the group (0: in none).
    SetGroup(i64, i64),
    /// `pcu:msg:<user>`: asks for a message to the customer.
    Message(i64),
}

/// A number the area asks for about a customer's subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Question {
    /// Days to extend by.
    Days,
    /// A traffic limit in GB (0: unlimited).
    Traffic,
    /// A device limit.
    Devices,
}

/// What the area asks the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "q", rename_all = "snake_case")]
pub enum Ask {
    /// A search term.
    Term,
    /// Results of `term` are shown; another message is another search.
    Browse { term: String },
    /// An amount to credit (or debit) to `user`.
    Amount { user: i64, credit: bool },
    /// The reason for a balance change of `amount` (negative: a debit).
    Reason { user: i64, amount: i64 },
    /// The confirmation of a balance change is shown with `nonce`.
    ConfirmBalance { user: i64, amount: i64, reason: String, nonce: String },
    /// A number about `user`'s subscription.
    Number { user: i64, question: Question },
    /// A message to `user`, sent once per `nonce`.
    Message { user: i64, nonce: String },
}

fn flag(s: &str) -> Option<bool> {
    match s {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    }
}

fn small(s: &str) -> Option<u32> {
    s.parse::<u32>().ok().filter(|n| *n <= 10_000_000)
}

fn nonce_of(s: &str) -> Option<String> {
    is_nonce(s).then(|| s.to_owned())
}

impl Area for Customers {
    const PREFIX: &'static str = "pcu";
    const LABEL: &'static str = "panel-area-customers";
    type Action = Action;
    type State = Ask;

    fn parse(rest: &str) -> Option<Action> {
        let parts: Vec<&str> = rest.split(':').collect();
        Some(match parts.as_slice() {
            ["find"] => Action::Find,
            ["res", p] => Action::Results(page_of(p)?),
            ["u", u] => Action::Show(id_of(u)?),
            ["blk", u] => Action::Block(id_of(u)?),
            ["blky", u, b] => Action::SetBlocked(id_of(u)?, flag(b)?),
            ["cr", u] => Action::Balance(id_of(u)?, true),
            ["db", u] => Action::Balance(id_of(u)?, false),
            ["bok", u, n] => Action::ConfirmBalance(id_of(u)?, nonce_of(n)?),
            ["gr", u, p] => Action::Grant(id_of(u)?, page_of(p)?),
            ["grp", u, p] => Action::GrantPlan(id_of(u)?, id_of(p)?),
            ["gok", u, p, n] => Action::ConfirmGrant(id_of(u)?, id_of(p)?, nonce_of(n)?),
            ["ext", u] => Action::Ask(id_of(u)?, Question::Days),
            ["tl", u] => Action::Ask(id_of(u)?, Question::Traffic),
            ["dl", u] => Action::Ask(id_of(u)?, Question::Devices),
            ["xok", s, d, n] => Action::ConfirmExtend(id_of(s)?, small(d)?, nonce_of(n)?),
            ["tok", s, g, n] => Action::ConfirmTraffic(id_of(s)?, small(g)?, nonce_of(n)?),
            ["dok", s, d, n] => Action::ConfirmDevices(id_of(s)?, small(d)?, nonce_of(n)?),
            ["rt", u] => Action::Reset(id_of(u)?),
            ["rok", s, n] => Action::ConfirmReset(id_of(s)?, nonce_of(n)?),
            ["en", u] => Action::Toggle(id_of(u)?),
            ["eok", s, b, n] => Action::ConfirmToggle(id_of(s)?, flag(b)?, nonce_of(n)?),
            ["pg", u, p] => Action::Groups(id_of(u)?, page_of(p)?),
            ["pgs", u, g] => Action::SetGroup(id_of(u)?, if *g == "0" { 0 } else { id_of(g)? }),
            ["msg", u] => Action::Message(id_of(u)?),
            _ => return None,
        })
    }

    fn home() -> Action {
        Action::Find
    }

    fn data(action: &Action) -> String {
        let b = |v: bool| u8::from(v);
        match action {
            Action::Find => "pcu:find".to_owned(),
            Action::Results(p) => format!("pcu:res:{p}"),
            Action::Show(u) => format!("pcu:u:{u}"),
            Action::Block(u) => format!("pcu:blk:{u}"),
            Action::SetBlocked(u, v) => format!("pcu:blky:{u}:{}", b(*v)),
            Action::Balance(u, true) => format!("pcu:cr:{u}"),
            Action::Balance(u, false) => format!("pcu:db:{u}"),
            Action::ConfirmBalance(u, n) => format!("pcu:bok:{u}:{n}"),
            Action::Grant(u, p) => format!("pcu:gr:{u}:{p}"),
            Action::GrantPlan(u, p) => format!("pcu:grp:{u}:{p}"),
            Action::ConfirmGrant(u, p, n) => format!("pcu:gok:{u}:{p}:{n}"),
            Action::Ask(u, Question::Days) => format!("pcu:ext:{u}"),
            Action::Ask(u, Question::Traffic) => format!("pcu:tl:{u}"),
            Action::Ask(u, Question::Devices) => format!("pcu:dl:{u}"),
            Action::ConfirmExtend(s, d, n) => format!("pcu:xok:{s}:{d}:{n}"),
            Action::ConfirmTraffic(s, g, n) => format!("pcu:tok:{s}:{g}:{n}"),
            Action::ConfirmDevices(s, d, n) => format!("pcu:dok:{s}:{d}:{n}"),
            Action::Reset(u) => format!("pcu:rt:{u}"),
            Action::ConfirmReset(s, n) => format!("pcu:rok:{s}:{n}"),
            Action::Toggle(u) => format!("pcu:en:{u}"),
            Action::ConfirmToggle(s, v, n) => format!("pcu:eok:{s}:{}:{n}", b(*v)),
            Action::Groups(u, p) => format!("pcu:pg:{u}:{p}"),
            Action::SetGroup(u, g) => format!("pcu:pgs:{u}:{g}"),
            Action::Message(u) => format!("pcu:msg:{u}"),
        }
    }

    async fn press(ctx: &Ctx<'_>, action: Action, pending: Option<Ask>) -> HandlerResult {
        press(ctx, action, pending).await
    }

    async fn answer(ctx: &Ctx<'_>, state: Ask, msg: &Message) -> HandlerResult {
        answer(ctx, state, msg).await
    }
}

/// Why a change was refused, in the admin's language (the domain's own words); a failing
/// database stays an error.
fn refused(ctx: &Ctx<'_>, e: Error) -> Result<String, HandlerError> {
    Ok(input::refusal_text(ctx, &input::refused(e)?))
}

fn data(action: Action) -> String {
    Customers::data(&action)
}

fn state(ask: Ask) -> PanelState {
    PanelState::Customers(ask)
}

/// A customer as the panel names them: first name, @username and Telegram id.
pub fn label(user: &User) -> String {
    let name = clip(user.first_name.as_deref().unwrap_or("-"), NAME_CHARS);
    match &user.username {
        Some(u) => format!("{name} (@{}) · {}", clip(u, NAME_CHARS), user.telegram_id),
        None => format!("{name} · {}", user.telegram_id),
    }
}

/// This tenant's customer `id`, or the admin is told it is not found (`None`).
async fn customer(ctx: &Ctx<'_>, id: i64) -> Result<Option<User>, HandlerError> {
    match ctx.store().users().get(ctx.tenant(), UserId(id)).await {
        Ok(u) => Ok(Some(u)),
        Err(Error::NotFound { .. }) => {
            ctx.tell("panel-not-found").await?;
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// This tenant's subscription `id`, or the admin is told it is not found (`None`).
async fn subscription(ctx: &Ctx<'_>, id: i64) -> Result<Option<Subscription>, HandlerError> {
    match ctx.store().subscriptions().get(ctx.tenant(), SubscriptionId(id)).await {
        Ok(s) => Ok(Some(s)),
        Err(Error::NotFound { .. }) => {
            ctx.tell("panel-not-found").await?;
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

async fn press(ctx: &Ctx<'_>, action: Action, pending: Option<Ask>) -> HandlerResult {
    match action {
        Action::Find => ask_term(ctx, None).await,
        Action::Results(page) => match pending {
            Some(Ask::Browse { term }) => results(ctx, &term, page).await,
            _ => ask_term(ctx, None).await,
        },
        Action::Show(u) => show(ctx, u, None).await,
        Action::Block(u) => {
            let Some(user) = customer(ctx, u).await? else { return Ok(()) };
            let (id, block) =
                if user.is_blocked { ("panel-cu-unblock-ask", false) } else { ("panel-cu-block-ask", true) };
            let q = ctx.t(id, &[("customer", label(&user).into())]);
            let screen = ctx.confirm(q, data(Action::SetBlocked(u, block)), data(Action::Show(u)));
            ctx.show(screen).await.map(drop)
        }
        Action::SetBlocked(u, block) => {
            if customer(ctx, u).await?.is_none() {
                return Ok(());
            }
            let note = match ctx.changes().set_blocked(ctx.tenant(), UserId(u), block).await {
                Ok(_) => ctx.t(if block { "panel-cu-blocked" } else { "panel-cu-unblocked" }, &[]),
                Err(e) => refused(ctx, e)?,
            };
            show(ctx, u, Some(note)).await
        }
        Action::Balance(u, credit) => {
            let Some(user) = customer(ctx, u).await? else { return Ok(()) };
            let id = if credit { "panel-cu-credit-ask" } else { "panel-cu-debit-ask" };
            let text = ctx.t(id, &[("customer", label(&user).into()), ("balance", user.balance.into())]);
            ctx.ask(state(Ask::Amount { user: u, credit }), ctx.prompt(text, data(Action::Show(u)))).await
        }
        Action::ConfirmBalance(u, n) => {
            let Some(Ask::ConfirmBalance { user, amount, reason, nonce }) =
                pending.filter(|p| matches!(p, Ask::ConfirmBalance { user, nonce, .. } if *user == u && *nonce == n))
            else {
                // This confirmation was used (or replaced) already: nothing is posted again.
                ctx.alert("panel-confirmation-used", &[]).await?;
                return show(ctx, u, None).await;
            };
            post_balance(ctx, user, amount, &reason, &nonce).await
        }
        Action::Grant(u, page) => grant_plans(ctx, u, page).await,
        Action::GrantPlan(u, p) => {
            let Some(user) = customer(ctx, u).await? else { return Ok(()) };
            let plan = match ctx.store().plans().get(ctx.tenant(), PlanId(p)).await {
                Ok(plan) => plan,
                Err(Error::NotFound { .. }) => return ctx.alert("panel-not-found", &[]).await,
                Err(e) => return Err(e.into()),
            };
            let q = ctx.t(
                "panel-cu-grant-ask",
                &[
                    ("customer", label(&user).into()),
                    ("plan", clip(&plan.name, NAME_CHARS).into()),
                    ("days", plan.period_days.into()),
                ],
            );
            let yes = data(Action::ConfirmGrant(u, p, nonce()));
            ctx.show(ctx.confirm(q, yes, data(Action::Show(u)))).await.map(drop)
        }
        Action::ConfirmGrant(u, p, n) => {
            if customer(ctx, u).await?.is_none() {
                return Ok(());
            }
            let key = format!("panel:grant:{n}");
            let done = ctx.changes().grant(ctx.tenant(), UserId(u), PlanId(p), &key, Utc::now()).await;
            let note = provisioned(ctx, done, "panel-cu-granted")?;
            show(ctx, u, Some(note)).await
        }
        Action::Ask(u, question) => {
            let Some(user) = customer(ctx, u).await? else { return Ok(()) };
            if current(ctx, &user).await?.is_none() {
                return ctx.alert("panel-cu-no-subscription", &[]).await;
            }
            let text = ctx.t(question_text(question), &[("customer", label(&user).into())]);
            ctx.ask(state(Ask::Number { user: u, question }), ctx.prompt(text, data(Action::Show(u)))).await
        }
        Action::ConfirmExtend(s, days, n) => {
            let Some(sub) = subscription(ctx, s).await? else { return Ok(()) };
            let key = format!("panel:extend:{n}");
            let done = ctx.changes().extend(ctx.tenant(), sub.id, days, &key, Utc::now()).await;
            let note = provisioned(ctx, done, "panel-cu-extended")?;
            show(ctx, sub.user_id.0, Some(note)).await
        }
        Action::ConfirmTraffic(s, gb, n) => {
            let Some(sub) = subscription(ctx, s).await? else { return Ok(()) };
            let limits = Limits { traffic_limit_bytes: Some(i64::from(gb).saturating_mul(GB)), device_limit: None };
            let key = format!("panel:traffic:{n}");
            let done = ctx.changes().set_limits(ctx.tenant(), sub.id, limits, &key, Utc::now()).await;
            let note = provisioned(ctx, done, "panel-cu-limits-set")?;
            show(ctx, sub.user_id.0, Some(note)).await
        }
        Action::ConfirmDevices(s, devices, n) => {
            let Some(sub) = subscription(ctx, s).await? else { return Ok(()) };
            let limits = Limits { traffic_limit_bytes: None, device_limit: Some(devices) };
            let key = format!("panel:devices:{n}");
            let done = ctx.changes().set_limits(ctx.tenant(), sub.id, limits, &key, Utc::now()).await;
            let note = provisioned(ctx, done, "panel-cu-limits-set")?;
            show(ctx, sub.user_id.0, Some(note)).await
        }
        Action::Reset(u) => {
            let Some(user) = customer(ctx, u).await? else { return Ok(()) };
            let Some(sub) = current(ctx, &user).await? else {
                return ctx.alert("panel-cu-no-subscription", &[]).await;
            };
            let q = ctx.t("panel-cu-reset-ask", &[("customer", label(&user).into())]);
            let yes = data(Action::ConfirmReset(sub.id.0, nonce()));
            ctx.show(ctx.confirm(q, yes, data(Action::Show(u)))).await.map(drop)
        }
        Action::ConfirmReset(s, n) => {
            let Some(sub) = subscription(ctx, s).await? else { return Ok(()) };
            let key = format!("panel:reset:{n}");
            let done = ctx.changes().reset_traffic(ctx.tenant(), sub.id, &key, Utc::now()).await;
            let note = provisioned(ctx, done, "panel-cu-traffic-reset")?;
            show(ctx, sub.user_id.0, Some(note)).await
        }
        Action::Toggle(u) => {
            let Some(user) = customer(ctx, u).await? else { return Ok(()) };
            let Some(sub) = current(ctx, &user).await? else {
                return ctx.alert("panel-cu-no-subscription", &[]).await;
            };
            let enable = sub.status == SubscriptionStatus::Disabled;
            let id = if enable { "panel-cu-enable-ask" } else { "panel-cu-disable-ask" };
            let q = ctx.t(id, &[("customer", label(&user).into())]);
            let yes = data(Action::ConfirmToggle(sub.id.0, enable, nonce()));
            ctx.show(ctx.confirm(q, yes, data(Action::Show(u)))).await.map(drop)
        }
        Action::ConfirmToggle(s, enable, n) => {
            let Some(sub) = subscription(ctx, s).await? else { return Ok(()) };
            let key = format!("panel:enable:{n}");
            let done = ctx.changes().set_enabled(ctx.tenant(), sub.id, enable, &key, Utc::now()).await;
            let note = provisioned(ctx, done, if enable { "panel-cu-enabled" } else { "panel-cu-disabled" })?;
            show(ctx, sub.user_id.0, Some(note)).await
        }
        Action::Groups(u, page) => groups(ctx, u, page).await,
        Action::SetGroup(u, g) => {
            if customer(ctx, u).await?.is_none() {
                return Ok(());
            }
            let group = (g > 0).then_some(PromoGroupId(g));
            let note = match ctx.changes().set_promo_group(ctx.tenant(), UserId(u), group).await {
                Ok(_) => ctx.t("panel-cu-group-set", &[]),
                Err(e) => refused(ctx, e)?,
            };
            show(ctx, u, Some(note)).await
        }
        Action::Message(u) => {
            let Some(user) = customer(ctx, u).await? else { return Ok(()) };
            let text = ctx.t("panel-cu-message-ask", &[("customer", label(&user).into())]);
            ctx.ask(state(Ask::Message { user: u, nonce: nonce() }), ctx.prompt(text, data(Action::Show(u)))).await
        }
    }
}

fn question_text(question: Question) -> &'static str {
    match question {
        Question::Days => "panel-cu-days-ask",
        Question::Traffic => "panel-cu-traffic-ask",
        Question::Devices => "panel-cu-devices-ask",
    }
}

/// The customer's current subscription.
async fn current(ctx: &Ctx<'_>, user: &User) -> Result<Option<Subscription>, HandlerError> {
    Ok(ctx.store().subscriptions().current_for_user(ctx.tenant(), user.id).await?)
}

/// The line telling how a subscription change went: `done` when it applied now, "already
/// done" when this confirmation was applied before, the refusal otherwise.
fn provisioned(
    ctx: &Ctx<'_>,
    done: remnabot_domain::Result<remnabot_store::outbox::Provisioned>,
    id: &str,
) -> Result<String, HandlerError> {
    match done {
        Ok(p) if p.newly_applied => Ok(ctx.t(id, &[])),
        Ok(_) => Ok(ctx.t("panel-already-done", &[])),
        Err(e) => refused(ctx, e),
    }
}

async fn post_balance(ctx: &Ctx<'_>, user: i64, amount: i64, reason: &str, nonce: &str) -> HandlerResult {
    let key = format!("panel:balance:{nonce}");
    let posting = if amount > 0 {
        Posting::credit(Toman(amount), "adjustment", &key)
    } else {
        Posting::debit(Toman(amount.checked_neg().unwrap_or(i64::MAX)), "adjustment", &key)
    };
    let done = match posting {
        Ok(p) => ctx.changes().post_balance(ctx.tenant(), UserId(user), p.described(reason)).await,
        Err(e) => Err(e),
    };
    let note = match done {
        Ok(p) if p.newly_applied => ctx.t("panel-cu-balance-posted", &[("balance", p.entry.balance_after.into())]),
        Ok(_) => ctx.t("panel-already-done", &[]),
        Err(Error::InsufficientBalance { .. }) => ctx.t("panel-cu-balance-short", &[]),
        Err(e) => refused(ctx, e)?,
    };
    show(ctx, user, Some(note)).await
}

async fn ask_term(ctx: &Ctx<'_>, problem: Option<String>) -> HandlerResult {
    let mut text = ctx.t("panel-cu-search-ask", &[]);
    if let Some(p) = problem {
        text = format!("{p}\n\n{text}");
    }
    ctx.ask(state(Ask::Term), ctx.nav(Screen::new(text), None)).await
}

async fn results(ctx: &Ctx<'_>, term: &str, page: u32) -> HandlerResult {
    let found = match ctx.store().customers().search(ctx.tenant(), term, Paging::new(page, u64::MAX).window()).await {
        Ok(found) => found,
        Err(Error::Invalid { .. }) => {
            return ask_term(ctx, Some(ctx.t("panel-cu-term-bad", &[("max", MAX_TERM.into())]))).await;
        }
        Err(e) => return Err(e.into()),
    };
    let paging = Paging::new(page, found.total);
    let found = if paging.page == page {
        found
    } else {
        // Asked past the end: the last page.
        ctx.store().customers().search(ctx.tenant(), term, paging.window()).await?
    };
    let mut screen = Screen::new(ctx.t("panel-cu-results", &[("term", clip(term, MAX_TERM).into())]));
    if found.total == 0 {
        screen = screen.with_line(&ctx.t("panel-cu-none-found", &[]));
    } else {
        screen = screen.with_line(&ctx.page_line(paging));
    }
    for user in &found.rows {
        screen = screen.with_button(label(user), data(Action::Show(user.id.0)));
    }
    let screen = ctx.pager(screen, paging, |p| data(Action::Results(p)));
    let screen = ctx.nav(screen, Some(data(Action::Find)));
    ctx.ask(state(Ask::Browse { term: term.to_owned() }), screen).await
}

fn status_text(ctx: &Ctx<'_>, status: SubscriptionStatus) -> String {
    ctx.t(
        match status {
            SubscriptionStatus::Active => "panel-sub-active",
            SubscriptionStatus::Trial => "panel-sub-trial",
            SubscriptionStatus::Expired => "panel-sub-expired",
            SubscriptionStatus::Limited => "panel-sub-limited",
            SubscriptionStatus::Disabled => "panel-sub-disabled",
        },
        &[],
    )
}

/// Bytes as GB with one decimal (integer arithmetic).
fn gb(bytes: i64) -> String {
    let tenths = bytes.max(0) / (GB / 10);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// The customer's page.
async fn page_text(ctx: &Ctx<'_>, user: &User) -> Result<String, HandlerError> {
    let store = ctx.store();
    let t = ctx.tenant();
    let mut lines = vec![
        ctx.t("panel-cu-title", &[("customer", label(user).into())]),
        ctx.t(
            "panel-cu-summary",
            &[
                ("id", user.id.0.into()),
                ("since", format_datetime(ctx.lang, user.created_at).into()),
                ("balance", user.balance.into()),
            ],
        ),
    ];
    if user.is_blocked {
        lines.push(ctx.t("panel-cu-is-blocked", &[]));
    }
    let group = match user.promo_group {
        Some(g) => match store.promo_groups().get(t, g).await {
            Ok(g) => clip(&g.name, NAME_CHARS),
            Err(Error::NotFound { .. }) => "-".to_owned(),
            Err(e) => return Err(e.into()),
        },
        None => ctx.t("panel-none", &[]),
    };
    lines.push(ctx.t("panel-cu-group", &[("group", group.into())]));
    lines.push(String::new());
    match current(ctx, user).await? {
        Some(s) => {
            let traffic = if s.traffic_limit_bytes == 0 {
                ctx.t("panel-cu-traffic-unlimited", &[("used", gb(s.traffic_used_bytes).into())])
            } else {
                ctx.t(
                    "panel-cu-traffic",
                    &[("used", gb(s.traffic_used_bytes).into()), ("limit", gb(s.traffic_limit_bytes).into())],
                )
            };
            lines.push(ctx.t(
                "panel-cu-subscription",
                &[
                    ("status", status_text(ctx, s.status).into()),
                    ("expires", format_datetime(ctx.lang, s.expires_at).into()),
                    ("traffic", traffic.into()),
                    ("devices", s.device_limit.into()),
                ],
            ));
        }
        None => lines.push(ctx.t("panel-cu-no-subscription", &[])),
    }
    let referrer = match user.referred_by {
        Some(r) => match store.users().get(t, r).await {
            Ok(r) => label(&r),
            Err(Error::NotFound { .. }) => "-".to_owned(),
            Err(e) => return Err(e.into()),
        },
        None => ctx.t("panel-none", &[]),
    };
    let invited = store.customers().invited_count(t, user.id).await?;
    lines.push(ctx.t("panel-cu-referral", &[("referrer", referrer.into()), ("invited", invited.into())]));
    lines.push(String::new());
    let payments = store.customers().payments(t, Some(user.id), Page::new(RECENT, 0)).await?;
    lines.push(ctx.t("panel-cu-payments", &[("count", payments.total.into())]));
    for p in &payments.rows {
        lines.push(super::payments::transaction_line(ctx, p));
    }
    let tickets = store.customers().tickets_of(t, user.id, Page::new(RECENT, 0)).await?;
    lines.push(ctx.t("panel-cu-tickets", &[("count", tickets.total.into())]));
    for ticket in &tickets.rows {
        lines.push(super::tickets::ticket_line(ctx, ticket));
    }
    Ok(lines.join("\n"))
}

/// Shows customer `u`'s page, with `note` (how the last change went) on top.
async fn show(ctx: &Ctx<'_>, u: i64, note: Option<String>) -> HandlerResult {
    let Some(user) = customer(ctx, u).await? else { return Ok(()) };
    let mut text = page_text(ctx, &user).await?;
    if let Some(note) = note {
        text = format!("{note}\n\n{text}");
    }
    let has_sub = current(ctx, &user).await?;
    let b = |id: &str, a: Action| button(ctx.t(id, &[]), data(a));
    let block = if user.is_blocked { "panel-cu-unblock" } else { "panel-cu-block" };
    let mut screen = Screen::new(text)
        .with_row(vec![b(block, Action::Block(u)), b("panel-cu-message", Action::Message(u))])
        .with_row(vec![b("panel-cu-credit", Action::Balance(u, true)), b("panel-cu-debit", Action::Balance(u, false))])
        .with_row(vec![b("panel-cu-grant", Action::Grant(u, 0)), b("panel-cu-group-button", Action::Groups(u, 0))]);
    if let Some(sub) = has_sub {
        let toggle = if sub.status == SubscriptionStatus::Disabled { "panel-cu-enable" } else { "panel-cu-disable" };
        screen = screen
            .with_row(vec![b("panel-cu-extend", Action::Ask(u, Question::Days)), b("panel-cu-reset", Action::Reset(u))])
            .with_row(vec![
                b("panel-cu-traffic-button", Action::Ask(u, Question::Traffic)),
                b("panel-cu-devices-button", Action::Ask(u, Question::Devices)),
            ])
            .with_row(vec![b(toggle, Action::Toggle(u))]);
    }
    ctx.show(ctx.nav(screen, Some(data(Action::Find)))).await.map(drop)
}

async fn grant_plans(ctx: &Ctx<'_>, u: i64, page: u32) -> HandlerResult {
    let Some(user) = customer(ctx, u).await? else { return Ok(()) };
    let plans = ctx.store().plans().list(ctx.tenant(), true, Page::new(Page::MAX_LIMIT, 0)).await?;
    let paging = Paging::new(page, plans.len() as u64);
    let mut screen = Screen::new(ctx.t("panel-cu-grant-choose", &[("customer", label(&user).into())]));
    if plans.is_empty() {
        screen = screen.with_line(&ctx.t("panel-cu-no-plans", &[]));
    } else {
        screen = screen.with_line(&ctx.page_line(paging));
    }
    let w = paging.window();
    let start = usize::try_from(w.offset()).unwrap_or(usize::MAX);
    for plan in plans.iter().skip(start).take(usize::try_from(w.limit()).unwrap_or(10)) {
        let label = ctx.t(
            "panel-cu-plan-button",
            &[("plan", clip(&plan.name, NAME_CHARS).into()), ("days", plan.period_days.into())],
        );
        screen = screen.with_button(label, data(Action::GrantPlan(u, plan.id.0)));
    }
    let screen = ctx.pager(screen, paging, |p| data(Action::Grant(u, p)));
    ctx.show(ctx.nav(screen, Some(data(Action::Show(u))))).await.map(drop)
}

async fn groups(ctx: &Ctx<'_>, u: i64, page: u32) -> HandlerResult {
    let Some(user) = customer(ctx, u).await? else { return Ok(()) };
    let groups = ctx.store().promo_groups().list(ctx.tenant(), Page::new(Page::MAX_LIMIT, 0)).await?;
    let paging = Paging::new(page, groups.len() as u64);
    let mut screen = Screen::new(ctx.t("panel-cu-group-choose", &[("customer", label(&user).into())]))
        .with_line(&ctx.page_line(paging));
    let w = paging.window();
    let start = usize::try_from(w.offset()).unwrap_or(usize::MAX);
    for g in groups.iter().skip(start).take(usize::try_from(w.limit()).unwrap_or(10)) {
        let label = ctx.t(
            "panel-cu-group-option",
            &[("group", clip(&g.name, NAME_CHARS).into()), ("percent", g.discount_percent.into())],
        );
        screen = screen.with_button(label, data(Action::SetGroup(u, g.id.0)));
    }
    let screen = screen.with_button(ctx.t("panel-cu-group-none", &[]), data(Action::SetGroup(u, 0)));
    let screen = ctx.pager(screen, paging, |p| data(Action::Groups(u, p)));
    ctx.show(ctx.nav(screen, Some(data(Action::Show(u))))).await.map(drop)
}

/// A whole number typed by the admin within `range`, or the text explaining why not.
fn number(ctx: &Ctx<'_>, text: &str, range: std::ops::RangeInclusive<i64>) -> Result<i64, String> {
    input::number_in(text, range).map_err(|r| input::refusal_text(ctx, &r))
}

/// Asks `ask` again with `problem` above the question.
async fn again(ctx: &Ctx<'_>, ask: Ask, problem: String, question: String, back: Action) -> HandlerResult {
    let text = format!("{problem}\n\n{question}");
    ctx.ask(state(ask), ctx.prompt(text, data(back))).await
}

async fn answer(ctx: &Ctx<'_>, ask: Ask, msg: &Message) -> HandlerResult {
    let text = msg.text().unwrap_or_default();
    match ask {
        Ask::Term | Ask::Browse { .. } => {
            let term = text.trim();
            if term.is_empty() || term.chars().count() > MAX_TERM {
                return ask_term(ctx, Some(ctx.t("panel-cu-term-bad", &[("max", MAX_TERM.into())]))).await;
            }
            results(ctx, term, 0).await
        }
        Ask::Amount { user, credit } => {
            let Some(u) = customer(ctx, user).await? else { return Ok(()) };
            let id = if credit { "panel-cu-credit-ask" } else { "panel-cu-debit-ask" };
            let question = ctx.t(id, &[("customer", label(&u).into()), ("balance", u.balance.into())]);
            match number(ctx, text, limits::AMOUNT) {
                Ok(n) => {
                    let amount = if credit { n } else { -n };
                    let q = ctx.t("panel-cu-reason-ask", &[("amount", Toman(n).into())]);
                    ctx.ask(state(Ask::Reason { user, amount }), ctx.prompt(q, data(Action::Show(user)))).await
                }
                Err(problem) => again(ctx, Ask::Amount { user, credit }, problem, question, Action::Show(user)).await,
            }
        }
        Ask::Reason { user, amount } => {
            let Some(u) = customer(ctx, user).await? else { return Ok(()) };
            let reason = match input::required(msg.text(), LedgerNote::RULE) {
                Ok(r) => r,
                Err(r) => {
                    let problem = input::refusal_text(ctx, &r);
                    let q = ctx.t("panel-cu-reason-ask", &[("amount", Toman(amount.saturating_abs()).into())]);
                    return again(ctx, Ask::Reason { user, amount }, problem, q, Action::Show(user)).await;
                }
            };
            let id = if amount > 0 { "panel-cu-credit-confirm" } else { "panel-cu-debit-confirm" };
            let q = ctx.t(
                id,
                &[
                    ("customer", label(&u).into()),
                    ("amount", Toman(amount.saturating_abs()).into()),
                    ("reason", clip(&reason, 500).into()),
                ],
            );
            let nonce = nonce();
            let screen = ctx.confirm(q, data(Action::ConfirmBalance(user, nonce.clone())), data(Action::Show(user)));
            ctx.ask(state(Ask::ConfirmBalance { user, amount, reason, nonce }), screen).await
        }
        Ask::ConfirmBalance { user, amount, reason, nonce } => {
            // A message while Confirm is shown: the question stays, the confirmation with it.
            let id = if amount > 0 { "panel-cu-credit-confirm" } else { "panel-cu-debit-confirm" };
            let Some(u) = customer(ctx, user).await? else { return Ok(()) };
            let q = ctx.t(
                id,
                &[
                    ("customer", label(&u).into()),
                    ("amount", Toman(amount.saturating_abs()).into()),
                    ("reason", clip(&reason, 500).into()),
                ],
            );
            let q = format!("{}\n\n{q}", ctx.t("panel-press-confirm", &[]));
            let screen = ctx.confirm(q, data(Action::ConfirmBalance(user, nonce.clone())), data(Action::Show(user)));
            ctx.ask(state(Ask::ConfirmBalance { user, amount, reason, nonce }), screen).await
        }
        Ask::Number { user, question } => {
            let Some(u) = customer(ctx, user).await? else { return Ok(()) };
            let Some(sub) = current(ctx, &u).await? else {
                return show(ctx, user, Some(ctx.t("panel-cu-no-subscription", &[]))).await;
            };
            let range = match question {
                Question::Days => limits::EXTEND_DAYS,
                Question::Traffic => limits::TRAFFIC_GB,
                Question::Devices => limits::DEVICES,
            };
            let n = match number(ctx, text, range) {
                Ok(n) => u32::try_from(n).unwrap_or(u32::MAX),
                Err(problem) => {
                    let q = ctx.t(question_text(question), &[("customer", label(&u).into())]);
                    return again(ctx, Ask::Number { user, question }, problem, q, Action::Show(user)).await;
                }
            };
            let (id, yes) = match question {
                Question::Days => ("panel-cu-extend-confirm", Action::ConfirmExtend(sub.id.0, n, nonce())),
                Question::Traffic => ("panel-cu-traffic-confirm", Action::ConfirmTraffic(sub.id.0, n, nonce())),
                Question::Devices => ("panel-cu-devices-confirm", Action::ConfirmDevices(sub.id.0, n, nonce())),
            };
            let q = ctx.t(id, &[("customer", label(&u).into()), ("n", n.into())]);
            ctx.show(ctx.confirm(q, data(yes), data(Action::Show(user)))).await.map(drop)
        }
        Ask::Message { user, nonce } => {
            let Some(u) = customer(ctx, user).await? else { return Ok(()) };
            let body = match input::required(msg.text(), CustomerMessage::RULE) {
                Ok(m) => m,
                Err(r) => {
                    let problem = input::refusal_text(ctx, &r);
                    let q = ctx.t("panel-cu-message-ask", &[("customer", label(&u).into())]);
                    return again(ctx, Ask::Message { user, nonce }, problem, q, Action::Show(user)).await;
                }
            };
            let key = format!("panel:message:{nonce}");
            let note = match ctx.changes().message_customer(ctx.tenant(), u.id, &body, &key).await {
                Ok(true) => ctx.t("panel-cu-message-queued", &[]),
                Ok(false) => ctx.t("panel-already-done", &[]),
                Err(e) => refused(ctx, e)?,
            };
            show(ctx, user, Some(note)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_data_round_trips_and_fits_telegram() {
        let n = "ABCDEFGHIJ".to_owned();
        let max = i64::MAX;
        for action in [
            Action::Find,
            Action::Results(999_999),
            Action::Show(max),
            Action::Block(1),
            Action::SetBlocked(max, true),
            Action::Balance(max, false),
            Action::ConfirmBalance(max, n.clone()),
            Action::Grant(max, 3),
            Action::GrantPlan(max, max),
            Action::ConfirmGrant(max, max, n.clone()),
            Action::Ask(max, Question::Traffic),
            Action::ConfirmExtend(max, 3650, n.clone()),
            Action::ConfirmTraffic(max, 1_000_000, n.clone()),
            Action::ConfirmDevices(max, 1000, n.clone()),
            Action::Reset(max),
            Action::ConfirmReset(max, n.clone()),
            Action::Toggle(max),
            Action::ConfirmToggle(max, false, n.clone()),
            Action::Groups(max, 1),
            Action::SetGroup(max, 0),
            Action::Message(max),
        ] {
            let d = Customers::data(&action);
            assert!(d.len() <= 64, "{d}");
            let rest = d.strip_prefix("pcu:").unwrap_or_default();
            assert_eq!(Customers::parse(rest), Some(action), "{d}");
        }
        for bad in ["", "u", "u:0", "u:-1", "u:x", "bok:1:short", "bok:1:abcdefghij", "blky:1:2", "gok:1:2", "zz:1"] {
            assert_eq!(Customers::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn traffic_is_shown_in_gigabytes_with_one_decimal() {
        assert_eq!(gb(0), "0.0");
        assert_eq!(gb(GB * 3 / 2), "1.5");
        assert_eq!(gb(-5), "0.0");
    }
}
