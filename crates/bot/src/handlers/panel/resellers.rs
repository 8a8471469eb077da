//! Resellers: the operator's area, offered only in the master bot and only to the operator
//! (`ADMIN_IDS`, [`Shared::operators`](crate::handlers::Shared)). The list (name, @username,
//! health from the fleet, wallet and credit limit, customers, sales and wholesale of the last
//! 30 days; paged; searched by name or @username), adding a reseller from its BotFather token
//! (checked with `getMe` before anything is stored; the message carrying it is deleted), and a
//! reseller's page: activate or deactivate, rotate its API token (shown once), its credit
//! limit, and delete after two confirmations. Bots are created and changed through the
//! platform service the operator API's `/bots` routes use
//! ([`remnabot_store::platform::Platform`]); the fleet starts or stops them within a second.
//! Every press and answer is checked again against the operator list: a forged press from a
//! tenant admin is refused like a stale button.

use remnabot_domain::bot::parse_telegram_token;
use remnabot_domain::{Bot, BotId, Error, Tenant, Toman, limits};
use remnabot_store::ledger::Posting;
use remnabot_store::platform::{BotChanges, NewBot};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::json;
use teloxide::prelude::*;
use teloxide::types::Message;

use super::input::{self, Refusal};
use super::screen::{Paging, button, clip, id_of, is_nonce, nonce, page_of};
use super::{Area, Ctx, PanelState, Screen};
use crate::fleet::BotHealth;
use crate::handlers::HandlerResult;

/// The resellers area.
#[derive(Debug, Clone, Copy)]
pub struct Resellers;

/// The longest search, in bytes (it travels in callback data for paging).
const MAX_SEARCH_BYTES: usize = 40;

/// The window of the list's sales and wholesale figures.
const FIGURES_DAYS: i64 = 30;

/// Callback data `pr:...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `pr:list:<page>`.
    List(u32),
    /// `pr:q:<page>:<search>`: a page of the resellers matching the search.
    Search(u32, String),
    /// `pr:find`: asks what to search for.
    Find,
    /// `pr:add`: asks for the BotFather token.
    Add,
    /// `pr:show:<id>`.
    Show(BotId),
    /// `pr:on:<id>` / `pr:off:<id>`: activates or deactivates (the state wanted).
    Active(BotId, bool),
    /// `pr:key:<id>`: asks to confirm a new API token.
    Rotate(BotId),
    /// `pr:keyok:<id>`: confirmed; the new token is shown once.
    Rotated(BotId),
    /// `pr:lim:<id>`: asks for the wallet credit limit.
    Limit(BotId),
    /// `pr:del:<id>`: the first confirmation, saying what will be removed.
    Delete(BotId),
    /// `pr:del2:<id>`: the second confirmation.
    DeleteAgain(BotId),
    /// `pr:rm:<id>`: deletes, only right after the second confirmation.
    Remove(BotId),
    /// `pr:wc:<id>` / `pr:wd:<id>`: asks how much to credit (or debit) its wallet.
    Wallet(BotId, bool),
    /// `pr:wok:<id>:<nonce>`: posts the confirmed wallet change (once per nonce).
    WalletPost(BotId, String),
    /// `pr:tg:<id>`: asks for a new BotFather token.
    Token(BotId),
    /// `pr:own:<id>`: asks for its admins' Telegram ids.
    Admins(BotId),
    /// `pr:fig`: the platform's figures.
    Figures,
}

/// The questions of the resellers area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ask {
    /// The BotFather token (and a name) of a new reseller.
    Token,
    /// What to search for.
    Search,
    /// The wallet credit limit of a reseller.
    Limit { bot: i64 },
    /// The second confirmation of deleting a reseller is on screen: only now does
    /// [`Action::Remove`] act.
    Deleting { bot: i64 },
    /// How much to credit (or debit) a reseller's wallet.
    WalletAmount { bot: i64, credit: bool },
    /// Why (`amount` is negative for a debit).
    WalletReason { bot: i64, amount: i64 },
    /// The confirmation of the wallet change is shown with `nonce`.
    WalletConfirm { bot: i64, amount: i64, reason: String, nonce: String },
    /// A new BotFather token for a reseller's bot.
    NewToken { bot: i64 },
    /// The Telegram ids of a reseller's admins (its owner first).
    Admins { bot: i64 },
}

impl Area for Resellers {
    const PREFIX: &'static str = "pr";
    const LABEL: &'static str = "panel-area-resellers";
    type Action = Action;
    type State = Ask;

    fn parse(rest: &str) -> Option<Action> {
        if let Some(q) = rest.strip_prefix("q:") {
            let (page, search) = q.split_once(':')?;
            return (!search.is_empty() && search.len() <= MAX_SEARCH_BYTES)
                .then(|| page_of(page).map(|p| Action::Search(p, search.to_owned())))
                .flatten();
        }
        if let Some(w) = rest.strip_prefix("wok:") {
            let (b, n) = w.split_once(':')?;
            return is_nonce(n).then(|| id_of(b).map(|b| Action::WalletPost(BotId(b), n.to_owned()))).flatten();
        }
        let mut parts = rest.split(':');
        let (verb, a) = (parts.next()?, parts.next());
        if parts.next().is_some() {
            return None;
        }
        let bot = |s: Option<&str>| s.and_then(id_of).map(BotId);
        match (verb, a) {
            ("list", Some(p)) => page_of(p).map(Action::List),
            ("find", None) => Some(Action::Find),
            ("add", None) => Some(Action::Add),
            ("fig", None) => Some(Action::Figures),
            ("show", _) => bot(a).map(Action::Show),
            ("on", _) => bot(a).map(|b| Action::Active(b, true)),
            ("off", _) => bot(a).map(|b| Action::Active(b, false)),
            ("key", _) => bot(a).map(Action::Rotate),
            ("keyok", _) => bot(a).map(Action::Rotated),
            ("lim", _) => bot(a).map(Action::Limit),
            ("del", _) => bot(a).map(Action::Delete),
            ("del2", _) => bot(a).map(Action::DeleteAgain),
            ("rm", _) => bot(a).map(Action::Remove),
            ("wc", _) => bot(a).map(|b| Action::Wallet(b, true)),
            ("wd", _) => bot(a).map(|b| Action::Wallet(b, false)),
            ("tg", _) => bot(a).map(Action::Token),
            ("own", _) => bot(a).map(Action::Admins),
            _ => None,
        }
    }

    fn home() -> Action {
        Action::List(0)
    }

    fn data(action: &Action) -> String {
        match action {
            Action::List(page) => format!("pr:list:{page}"),
            Action::Search(page, search) => format!("pr:q:{page}:{search}"),
            Action::Find => "pr:find".to_owned(),
            Action::Add => "pr:add".to_owned(),
            Action::Figures => "pr:fig".to_owned(),
            Action::Show(b) => format!("pr:show:{b}"),
            Action::Active(b, on) => format!("pr:{}:{b}", if *on { "on" } else { "off" }),
            Action::Rotate(b) => format!("pr:key:{b}"),
            Action::Rotated(b) => format!("pr:keyok:{b}"),
            Action::Limit(b) => format!("pr:lim:{b}"),
            Action::Delete(b) => format!("pr:del:{b}"),
            Action::DeleteAgain(b) => format!("pr:del2:{b}"),
            Action::Remove(b) => format!("pr:rm:{b}"),
            Action::Wallet(b, credit) => format!("pr:{}:{b}", if *credit { "wc" } else { "wd" }),
            Action::WalletPost(b, n) => format!("pr:wok:{b}:{n}"),
            Action::Token(b) => format!("pr:tg:{b}"),
            Action::Admins(b) => format!("pr:own:{b}"),
        }
    }

    /// Only in the master bot, only for the operator.
    async fn visible(ctx: &Ctx<'_>) -> Result<bool, crate::handlers::HandlerError> {
        Ok(is_operator(ctx))
    }

    async fn press(ctx: &Ctx<'_>, action: Action, pending: Option<Ask>) -> HandlerResult {
        if !is_operator(ctx) {
            tracing::info!(telegram_id = %ctx.admin, "a Resellers button pressed by someone who is not the operator");
            return ctx.notice("button-stale", &[]).await;
        }
        match action {
            Action::List(page) => list(ctx, page, None, None).await,
            Action::Search(page, search) => list(ctx, page, Some(search), None).await,
            Action::Find => ask_search(ctx).await,
            Action::Add => ask_token(ctx, None).await,
            Action::Show(id) => show(ctx, id, None).await,
            Action::Active(id, on) => set_active(ctx, id, on).await,
            Action::Rotate(id) => confirm_rotate(ctx, id).await,
            Action::Rotated(id) => rotate(ctx, id).await,
            Action::Limit(id) => ask_limit(ctx, id, None).await,
            Action::Delete(id) => confirm_delete(ctx, id).await,
            Action::DeleteAgain(id) => confirm_delete_again(ctx, id).await,
            Action::Remove(id) if pending == Some(Ask::Deleting { bot: id.0 }) => remove(ctx, id).await,
            // Not right after the second confirmation (a stale or forged press): nothing is
            // deleted; the reseller's page again.
            Action::Remove(id) => show(ctx, id, Some(ctx.t("panel-rs-delete-unconfirmed", &[]))).await,
            Action::Wallet(id, credit) => ask_wallet_amount(ctx, id, credit, None).await,
            Action::WalletPost(id, n) => match pending {
                Some(Ask::WalletConfirm { bot, amount, reason, nonce }) if bot == id.0 && nonce == n => {
                    post_wallet(ctx, id, amount, &reason, &nonce).await
                }
                // Used (or replaced) already: nothing is posted again.
                _ => {
                    ctx.alert("panel-confirmation-used", &[]).await?;
                    show(ctx, id, None).await
                }
            },
            Action::Token(id) => ask_new_token(ctx, id, None).await,
            Action::Admins(id) => ask_admins(ctx, id, None).await,
            Action::Figures => figures(ctx).await,
        }
    }

    async fn answer(ctx: &Ctx<'_>, state: Ask, msg: &Message) -> HandlerResult {
        if !is_operator(ctx) {
            // The token message goes anyway: a token must not stay in the chat.
            if matches!(state, Ask::Token | Ask::NewToken { .. }) {
                ctx.bot.tg.delete_message(ctx.chat, msg.id).await.ok();
            }
            return ctx.tell("button-stale").await;
        }
        match state {
            Ask::Token => on_token(ctx, msg).await,
            Ask::Search => on_search(ctx, msg.text()).await,
            Ask::Limit { bot } => on_limit(ctx, BotId(bot), msg.text()).await,
            Ask::Deleting { bot } => show(ctx, BotId(bot), None).await,
            Ask::WalletAmount { bot, credit } => on_wallet_amount(ctx, BotId(bot), credit, msg.text()).await,
            Ask::WalletReason { bot, amount } => on_wallet_reason(ctx, BotId(bot), amount, msg.text()).await,
            // A message while Confirm is shown: the page again; nothing is posted.
            Ask::WalletConfirm { bot, .. } => show(ctx, BotId(bot), None).await,
            Ask::NewToken { bot } => on_new_token(ctx, BotId(bot), msg).await,
            Ask::Admins { bot } => on_admins(ctx, BotId(bot), msg.text()).await,
        }
    }
}

fn data(action: Action) -> String {
    Resellers::data(&action)
}

/// Whether this is the operator in the master bot.
fn is_operator(ctx: &Ctx<'_>) -> bool {
    ctx.tenant().is_master() && ctx.shared.operators.contains(&ctx.admin)
}

/// A reseller by id: never the master (which is not a reseller), else not found.
async fn reseller(ctx: &Ctx<'_>, id: BotId) -> Result<Option<Bot>, crate::handlers::HandlerError> {
    match ctx.store().platform().get(id).await {
        Ok(bot) if !bot.is_master => Ok(Some(bot)),
        Ok(_) | Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The list again, saying the reseller is gone.
async fn gone(ctx: &Ctx<'_>) -> HandlerResult {
    list(ctx, 0, None, Some(ctx.t("panel-rs-gone", &[]))).await
}

fn health_text(ctx: &Ctx<'_>, bot: &Bot) -> String {
    match ctx.shared.health.get(bot.id) {
        Some(BotHealth::Running) => ctx.t("panel-rs-health-running", &[]),
        Some(BotHealth::Paused) => ctx.t("panel-rs-health-paused", &[]),
        Some(BotHealth::Unhealthy { reason, .. }) => {
            ctx.t("panel-rs-health-failing", &[("reason", clip(&reason, 200).into())])
        }
        None if bot.is_active => ctx.t("panel-rs-health-starting", &[]),
        None => ctx.t("panel-rs-health-paused", &[]),
    }
}

fn username_text(username: Option<&str>) -> String {
    username.map_or_else(|| "-".to_owned(), |u| format!("@{u}"))
}

async fn list(ctx: &Ctx<'_>, page: u32, search: Option<String>, note: Option<String>) -> HandlerResult {
    let since = chrono::Utc::now() - chrono::Duration::days(FIGURES_DAYS);
    let (_, total) = ctx.store().platform().resellers(search.as_deref(), remnabot_domain::Page::new(1, 0)).await?;
    let paging = Paging::new(page, total);
    let (rows, _) = ctx.store().platform().resellers(search.as_deref(), paging.window()).await?;
    let ids: Vec<BotId> = rows.iter().map(|(b, _)| b.id).collect();
    let figures = ctx.store().platform().reseller_figures(&ids, since).await?;
    let mut screen = Screen::new(note.unwrap_or_default()).with_line(&ctx.t("panel-rs-title", &[]));
    if let Some(search) = &search {
        screen = screen.with_line(&ctx.t("panel-rs-searching", &[("search", search.as_str().into())]));
    }
    screen = screen.with_line(&if rows.is_empty() { ctx.t("panel-rs-empty", &[]) } else { ctx.page_line(paging) });
    let mut buttons = Vec::with_capacity(rows.len());
    for (place, (bot, username)) in (u64::from(paging.page) * super::screen::PER_PAGE + 1..).zip(&rows) {
        let f = figures.get(&bot.id).copied().unwrap_or_default();
        let row = ctx.t(
            "panel-rs-row",
            &[
                ("place", place.into()),
                ("name", clip(&bot.name, 64).into()),
                ("username", username_text(username.as_deref()).into()),
                ("health", health_text(ctx, bot).into()),
                ("balance", bot.wallet_balance.into()),
                ("limit", bot.wallet_credit_limit.into()),
                ("customers", f.customers.into()),
                ("sales", f.sales.into()),
                ("wholesale", f.wholesale.into()),
            ],
        );
        screen = screen.with_line(&row);
        buttons.push(button(format!("{place}. {}", bot.name), data(Action::Show(bot.id))));
    }
    let screen = screen.with_grid(buttons, 2).with_row(vec![
        button(ctx.t("panel-rs-add", &[]), data(Action::Add)),
        button(ctx.t("panel-rs-find", &[]), data(Action::Find)),
    ]);
    let screen = screen.with_button(ctx.t("panel-rs-figures", &[]), data(Action::Figures));
    let screen = match search {
        Some(search) => ctx.pager(screen, paging, |p| data(Action::Search(p, search.clone()))),
        None => ctx.pager(screen, paging, |p| data(Action::List(p))),
    };
    ctx.show(ctx.nav(screen, None)).await?;
    Ok(())
}

async fn show(ctx: &Ctx<'_>, id: BotId, note: Option<String>) -> HandlerResult {
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let since = chrono::Utc::now() - chrono::Duration::days(FIGURES_DAYS);
    let f = ctx.store().platform().reseller_figures(&[id], since).await?.get(&id).copied().unwrap_or_default();
    let username = ctx.store().platform().telegram_username(id).await?;
    let admins = ctx.store().configs().admin_ids(&Tenant::of(&bot)).await?;
    let admins = if admins.is_empty() {
        "-".to_owned()
    } else {
        admins.iter().take(10).map(i64::to_string).collect::<Vec<_>>().join(", ")
    };
    let text = ctx.t(
        "panel-rs-page",
        &[
            ("name", clip(&bot.name, 200).into()),
            ("username", username_text(username.as_deref()).into()),
            ("health", health_text(ctx, &bot).into()),
            ("state", ctx.t(if bot.is_active { "panel-rs-active" } else { "panel-rs-inactive" }, &[]).into()),
            ("balance", bot.wallet_balance.into()),
            ("limit", bot.wallet_credit_limit.into()),
            ("customers", f.customers.into()),
            ("sales", f.sales.into()),
            ("revenue", f.revenue.into()),
            ("wholesale", f.wholesale.into()),
            ("admins", admins.into()),
        ],
    );
    let toggle = if bot.is_active {
        button(ctx.t("panel-rs-deactivate", &[]), data(Action::Active(id, false)))
    } else {
        button(ctx.t("panel-rs-activate", &[]), data(Action::Active(id, true)))
    };
    let screen = Screen::new(note.unwrap_or_default())
        .with_line(&text)
        .with_row(vec![toggle, button(ctx.t("panel-rs-rotate", &[]), data(Action::Rotate(id)))])
        .with_row(vec![
            button(ctx.t("panel-rs-credit", &[]), data(Action::Wallet(id, true))),
            button(ctx.t("panel-rs-debit", &[]), data(Action::Wallet(id, false))),
            button(ctx.t("panel-rs-limit", &[]), data(Action::Limit(id))),
        ])
        .with_row(vec![
            button(ctx.t("panel-rs-token", &[]), data(Action::Token(id))),
            button(ctx.t("panel-rs-admins", &[]), data(Action::Admins(id))),
        ])
        .with_button(ctx.t("panel-rs-delete", &[]), data(Action::Delete(id)));
    ctx.show(ctx.nav(screen, Some(data(Action::List(0))))).await?;
    Ok(())
}

async fn set_active(ctx: &Ctx<'_>, id: BotId, on: bool) -> HandlerResult {
    if reseller(ctx, id).await?.is_none() {
        return gone(ctx).await;
    }
    match ctx.store().platform().set_active(id, on).await {
        Ok(bot) => {
            let action = if on { "bot.activate" } else { "bot.deactivate" };
            ctx.changes().note(&Tenant::of(&bot), action, None, None, Some(json!({"is_active": on}))).await?;
            tracing::info!(bot_id = %id, active = on, "reseller activation changed from the master bot");
            let note = ctx.t(if on { "panel-rs-activated" } else { "panel-rs-deactivated" }, &[]);
            show(ctx, id, Some(note)).await
        }
        Err(e) => {
            let note = input::refusal_text(ctx, &input::refused(e)?);
            show(ctx, id, Some(note)).await
        }
    }
}

async fn confirm_rotate(ctx: &Ctx<'_>, id: BotId) -> HandlerResult {
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let question = ctx.t("panel-rs-rotate-ask", &[("name", clip(&bot.name, 200).into())]);
    ctx.show(ctx.confirm(question, data(Action::Rotated(id)), data(Action::Show(id)))).await?;
    Ok(())
}

async fn rotate(ctx: &Ctx<'_>, id: BotId) -> HandlerResult {
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let token = ctx.store().platform().rotate_api_token(id).await?;
    ctx.changes().note(&Tenant::of(&bot), "bot.rotate_api_token", None, None, None).await?;
    tracing::info!(bot_id = %id, "reseller API token rotated from the master bot");
    let text =
        ctx.t("panel-rs-rotated", &[("name", clip(&bot.name, 200).into()), ("token", token.expose_secret().into())]);
    let screen = Screen::new(text);
    ctx.show(ctx.nav(screen, Some(data(Action::Show(id))))).await?;
    Ok(())
}

async fn ask_limit(ctx: &Ctx<'_>, id: BotId, note: Option<String>) -> HandlerResult {
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let range = limits::CREDIT_LIMIT;
    let text = ctx.t(
        "panel-rs-limit-ask",
        &[
            ("name", clip(&bot.name, 200).into()),
            ("limit", bot.wallet_credit_limit.into()),
            ("min", (*range.start()).into()),
            ("max", (*range.end()).into()),
        ],
    );
    let screen = ctx.prompt(text, data(Action::Show(id)));
    let screen = match note {
        Some(note) => {
            Screen::new(note).with_line(screen.text()).with_button(ctx.t("panel-cancel", &[]), data(Action::Show(id)))
        }
        None => screen,
    };
    ctx.ask(PanelState::Resellers(Ask::Limit { bot: id.0 }), screen).await
}

async fn on_limit(ctx: &Ctx<'_>, id: BotId, text: Option<&str>) -> HandlerResult {
    let limit = match input::number_in(text.unwrap_or_default(), limits::CREDIT_LIMIT) {
        Ok(n) => Toman(n),
        Err(r) => return ask_limit(ctx, id, Some(input::refusal_text(ctx, &r))).await,
    };
    let Some(before) = reseller(ctx, id).await? else { return gone(ctx).await };
    let changes = BotChanges { name: None, wallet_credit_limit: Some(limit) };
    match ctx.store().platform().update(id, changes).await {
        Ok(bot) => {
            let field = |b: &Bot| json!({"wallet_credit_limit": b.wallet_credit_limit});
            ctx.changes().note(&Tenant::of(&bot), "bot.update", None, Some(field(&before)), Some(field(&bot))).await?;
            show(ctx, id, Some(ctx.t("panel-saved", &[]))).await
        }
        Err(e) => ask_limit(ctx, id, Some(input::refusal_text(ctx, &input::refused(e)?))).await,
    }
}

async fn confirm_delete(ctx: &Ctx<'_>, id: BotId) -> HandlerResult {
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let since = chrono::Utc::now() - chrono::Duration::days(FIGURES_DAYS);
    let f = ctx.store().platform().reseller_figures(&[id], since).await?.get(&id).copied().unwrap_or_default();
    let question = ctx.t(
        "panel-rs-delete-ask",
        &[
            ("name", clip(&bot.name, 200).into()),
            ("customers", f.customers.into()),
            ("balance", bot.wallet_balance.into()),
        ],
    );
    let screen = Screen::new(question).with_row(vec![
        button(ctx.t("panel-rs-delete-continue", &[]), data(Action::DeleteAgain(id))),
        button(ctx.t("panel-cancel", &[]), data(Action::Show(id))),
    ]);
    ctx.show(screen).await?;
    Ok(())
}

async fn confirm_delete_again(ctx: &Ctx<'_>, id: BotId) -> HandlerResult {
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let question = ctx.t("panel-rs-delete-again", &[("name", clip(&bot.name, 200).into())]);
    let screen = ctx.confirm(question, data(Action::Remove(id)), data(Action::Show(id)));
    // The open "question" marks the second confirmation as shown: only the press that ends
    // it deletes.
    ctx.ask(PanelState::Resellers(Ask::Deleting { bot: id.0 }), screen).await
}

async fn remove(ctx: &Ctx<'_>, id: BotId) -> HandlerResult {
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    match ctx.store().platform().delete(id).await {
        Ok(()) => {
            tracing::info!(bot_id = %id, "reseller deleted from the master bot");
            // The reseller's audit log went with it: the operator's record is the master's.
            let before = json!({"bot_id": id.0, "name": bot.name});
            ctx.changes().note(ctx.tenant(), "bot.delete", Some(id.0.to_string()), Some(before), None).await?;
            list(ctx, 0, None, Some(ctx.t("panel-rs-deleted", &[("name", clip(&bot.name, 200).into())]))).await
        }
        Err(e) => show(ctx, id, Some(input::refusal_text(ctx, &input::refused(e)?))).await,
    }
}

async fn ask_search(ctx: &Ctx<'_>) -> HandlerResult {
    let screen = ctx.prompt(ctx.t("panel-rs-find-ask", &[]), data(Action::List(0)));
    ctx.ask(PanelState::Resellers(Ask::Search), screen).await
}

async fn on_search(ctx: &Ctx<'_>, text: Option<&str>) -> HandlerResult {
    let search = text.map(|t| t.trim().trim_start_matches('@')).unwrap_or_default();
    if search.is_empty() || search.contains(':') || search.chars().any(char::is_control) {
        return list(ctx, 0, None, Some(input::refusal_text(ctx, &Refusal::Empty))).await;
    }
    // Cut at a character boundary to fit the callback data of the pages.
    let mut cut = String::new();
    for c in search.chars() {
        if cut.len() + c.len_utf8() > MAX_SEARCH_BYTES {
            break;
        }
        cut.push(c);
    }
    list(ctx, 0, Some(cut), None).await
}

async fn ask_token(ctx: &Ctx<'_>, note: Option<String>) -> HandlerResult {
    let screen = Screen::new(note.unwrap_or_default())
        .with_line(&ctx.t("panel-rs-add-ask", &[]))
        .with_button(ctx.t("panel-cancel", &[]), data(Action::List(0)));
    ctx.ask(PanelState::Resellers(Ask::Token), screen).await
}

/// The operator's message with a BotFather token and, after it, an optional name. The
/// message is deleted first, whatever comes of it, so the token does not stay in the chat.
async fn on_token(ctx: &Ctx<'_>, msg: &Message) -> HandlerResult {
    if let Err(e) = ctx.bot.tg.delete_message(ctx.chat, msg.id).await {
        tracing::warn!(error = %e, "the message carrying a reseller's token could not be deleted");
    }
    let text = msg.text().unwrap_or_default().trim();
    let (token, name) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let (secret, me) = match checked_token(ctx, token).await? {
        Ok(checked) => checked,
        Err(note) => return ask_token(ctx, Some(note)).await,
    };
    let name = match name.trim() {
        "" => clip(&me.first_name, 64),
        name => name.to_owned(),
    };
    let created = match ctx.store().platform().create(NewBot { name, telegram_token: secret }).await {
        Ok(created) => created,
        Err(Error::Conflict(_)) => return ask_token(ctx, Some(ctx.t("panel-rs-token-taken", &[]))).await,
        Err(e) => return ask_token(ctx, Some(input::refusal_text(ctx, &input::refused(e)?))).await,
    };
    let bot = created.bot;
    ctx.store().platform().set_telegram_username(bot.id, me.username.as_deref()).await?;
    ctx.changes().note(&Tenant::of(&bot), "bot.create", None, None, Some(json!({"name": bot.name}))).await?;
    tracing::info!(bot_id = %bot.id, "reseller created from the master bot");
    let text = ctx.t(
        "panel-rs-created",
        &[
            ("name", clip(&bot.name, 200).into()),
            ("username", username_text(me.username.as_deref()).into()),
            ("token", created.api_token.expose_secret().into()),
        ],
    );
    let screen = Screen::new(text).with_button(ctx.t("panel-rs-open", &[]), data(Action::Show(bot.id)));
    ctx.show(ctx.nav(screen, Some(data(Action::List(0))))).await?;
    Ok(())
}

/// A BotFather token the operator typed: its shape, no bot already using it, and Telegram's
/// `getMe` accepting it, in that order; nothing is stored. `Ok(Err(note))` says why not.
async fn checked_token(
    ctx: &Ctx<'_>,
    token: &str,
) -> Result<Result<(SecretString, teloxide::types::Me), String>, crate::handlers::HandlerError> {
    if parse_telegram_token(token).is_err() {
        return Ok(Err(ctx.t("panel-rs-token-shape", &[])));
    }
    let secret = SecretString::from(token.to_owned());
    // A token already registered is refused before asking Telegram.
    if ctx.store().platform().by_telegram_token(&secret).await?.is_some() {
        return Ok(Err(ctx.t("panel-rs-token-taken", &[])));
    }
    let raw = ctx.bot.tg.inner();
    let probe = teloxide::Bot::with_client(token, raw.client().clone()).set_api_url(raw.api_url());
    match probe.get_me().await {
        Ok(me) => Ok(Ok((secret, me))),
        Err(teloxide::RequestError::Api(e)) => {
            tracing::info!(error = %e, "Telegram refused a reseller's token");
            Ok(Err(ctx.t("panel-rs-token-refused", &[])))
        }
        Err(e) => {
            tracing::warn!(error = %e, "Telegram could not be asked about a reseller's token");
            Ok(Err(ctx.t("panel-rs-telegram-down", &[])))
        }
    }
}

/// `screen` under `note` (a refusal), when given.
fn noted(note: Option<String>, screen: Screen) -> Screen {
    match note {
        Some(note) => Screen::new(note).with_line(screen.text()).with_rows_of(screen),
        None => screen,
    }
}

async fn ask_new_token(ctx: &Ctx<'_>, id: BotId, note: Option<String>) -> HandlerResult {
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let text = ctx.t("panel-rs-token-ask", &[("name", clip(&bot.name, 200).into())]);
    let screen = noted(note, ctx.prompt(text, data(Action::Show(id))));
    ctx.ask(PanelState::Resellers(Ask::NewToken { bot: id.0 }), screen).await
}

/// A new Telegram token for the reseller's bot: deleted from the chat first, checked like a
/// new reseller's, then set through the platform service (the fleet restarts the bot).
async fn on_new_token(ctx: &Ctx<'_>, id: BotId, msg: &Message) -> HandlerResult {
    if let Err(e) = ctx.bot.tg.delete_message(ctx.chat, msg.id).await {
        tracing::warn!(error = %e, "the message carrying a reseller's token could not be deleted");
    }
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let token = msg.text().unwrap_or_default().trim();
    let (secret, me) = match checked_token(ctx, token).await? {
        Ok(checked) => checked,
        Err(note) => return ask_new_token(ctx, id, Some(note)).await,
    };
    match ctx.store().platform().set_telegram_token(id, &secret).await {
        Ok(_) => {}
        Err(Error::Conflict(_)) => return ask_new_token(ctx, id, Some(ctx.t("panel-rs-token-taken", &[]))).await,
        Err(e) => return ask_new_token(ctx, id, Some(input::refusal_text(ctx, &input::refused(e)?))).await,
    }
    ctx.store().platform().set_telegram_username(id, me.username.as_deref()).await?;
    ctx.changes().note(&Tenant::of(&bot), "bot.telegram_token", None, None, None).await?;
    tracing::info!(bot_id = %id, "reseller Telegram token replaced from the master bot");
    show(ctx, id, Some(ctx.t("panel-rs-token-replaced", &[]))).await
}

async fn ask_admins(ctx: &Ctx<'_>, id: BotId, note: Option<String>) -> HandlerResult {
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let text = ctx.t("panel-rs-admins-ask", &[("name", clip(&bot.name, 200).into())]);
    let screen = noted(note, ctx.prompt(text, data(Action::Show(id))));
    ctx.ask(PanelState::Resellers(Ask::Admins { bot: id.0 }), screen).await
}

/// The reseller's admins (its owner first): whole Telegram ids, through the configuration
/// service the reseller's own settings use (which checks them).
async fn on_admins(ctx: &Ctx<'_>, id: BotId, text: Option<&str>) -> HandlerResult {
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let raw = text.unwrap_or_default();
    if raw.chars().count() > 2000 {
        return ask_admins(ctx, id, Some(input::refusal_text(ctx, &Refusal::TooLong { max: 2000 }))).await;
    }
    let mut ids = Vec::new();
    for word in raw.split(|c: char| c.is_whitespace() || c == ',' || c == '،').filter(|w| !w.is_empty()) {
        match input::number_in(word, 1..=9_999_999_999_999) {
            Ok(n) => ids.push(n),
            Err(r) => return ask_admins(ctx, id, Some(input::refusal_text(ctx, &r))).await,
        }
    }
    if ids.is_empty() {
        return ask_admins(ctx, id, Some(input::refusal_text(ctx, &Refusal::Empty))).await;
    }
    match ctx.changes().set_config(&Tenant::of(&bot), "admin_ids", json!(ids)).await {
        Ok(()) => show(ctx, id, Some(ctx.t("panel-saved", &[]))).await,
        Err(e) => ask_admins(ctx, id, Some(input::refusal_text(ctx, &input::refused(e)?))).await,
    }
}

async fn ask_wallet_amount(ctx: &Ctx<'_>, id: BotId, credit: bool, note: Option<String>) -> HandlerResult {
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let range = limits::AMOUNT;
    let text = ctx.t(
        if credit { "panel-rs-credit-ask" } else { "panel-rs-debit-ask" },
        &[
            ("name", clip(&bot.name, 200).into()),
            ("balance", bot.wallet_balance.into()),
            ("min", (*range.start()).into()),
            ("max", (*range.end()).into()),
        ],
    );
    let screen = noted(note, ctx.prompt(text, data(Action::Show(id))));
    ctx.ask(PanelState::Resellers(Ask::WalletAmount { bot: id.0, credit }), screen).await
}

async fn on_wallet_amount(ctx: &Ctx<'_>, id: BotId, credit: bool, text: Option<&str>) -> HandlerResult {
    let n = match input::number_in(text.unwrap_or_default(), limits::AMOUNT) {
        Ok(n) => n,
        Err(r) => return ask_wallet_amount(ctx, id, credit, Some(input::refusal_text(ctx, &r))).await,
    };
    let amount = if credit { n } else { -n };
    ask_wallet_reason(ctx, id, amount, None).await
}

async fn ask_wallet_reason(ctx: &Ctx<'_>, id: BotId, amount: i64, note: Option<String>) -> HandlerResult {
    let text = ctx.t("panel-rs-wallet-reason-ask", &[("amount", Toman(amount.saturating_abs()).into())]);
    let screen = noted(note, ctx.prompt(text, data(Action::Show(id))));
    ctx.ask(PanelState::Resellers(Ask::WalletReason { bot: id.0, amount }), screen).await
}

async fn on_wallet_reason(ctx: &Ctx<'_>, id: BotId, amount: i64, text: Option<&str>) -> HandlerResult {
    let reason = match input::required(text, remnabot_domain::text::LedgerNote::RULE) {
        Ok(r) => r,
        Err(r) => return ask_wallet_reason(ctx, id, amount, Some(input::refusal_text(ctx, &r))).await,
    };
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let question = ctx.t(
        if amount > 0 { "panel-rs-credit-confirm" } else { "panel-rs-debit-confirm" },
        &[
            ("name", clip(&bot.name, 200).into()),
            ("amount", Toman(amount.saturating_abs()).into()),
            ("reason", clip(&reason, 500).into()),
        ],
    );
    let nonce = nonce();
    let screen = ctx.confirm(question, data(Action::WalletPost(id, nonce.clone())), data(Action::Show(id)));
    ctx.ask(PanelState::Resellers(Ask::WalletConfirm { bot: id.0, amount, reason, nonce }), screen).await
}

/// Posts the confirmed wallet change; its idempotency key is the confirmation's nonce, so the
/// same Confirm pressed again (or by two operators at once) applies once.
async fn post_wallet(ctx: &Ctx<'_>, id: BotId, amount: i64, reason: &str, nonce: &str) -> HandlerResult {
    let Some(bot) = reseller(ctx, id).await? else { return gone(ctx).await };
    let key = format!("panel:wallet:{nonce}");
    let posting = if amount > 0 {
        Posting::credit(Toman(amount), "adjustment", &key)
    } else {
        Posting::debit(Toman(amount.saturating_abs()), "adjustment", &key)
    };
    let done = match posting {
        Ok(p) => ctx.changes().post_wallet(&Tenant::of(&bot), p.described(reason)).await,
        Err(e) => Err(e),
    };
    let note = match done {
        Ok(p) if p.newly_applied => {
            tracing::info!(bot_id = %id, amount, "reseller wallet changed from the master bot");
            ctx.t("panel-rs-wallet-posted", &[("balance", p.entry.balance_after.into())])
        }
        Ok(_) => ctx.t("panel-already-done", &[]),
        Err(e) => input::refusal_text(ctx, &input::refused(e)?),
    };
    show(ctx, id, Some(note)).await
}

/// Days of sales in the platform's figures.
const FIGURE_DAYS: u32 = 7;

/// A reseller is low when its wallet covers fewer days of sales than this.
const LOW_COVER_DAYS: i64 = 3;

/// The platform's figures: sales and Toman by day, customers, active subscriptions, and the
/// resellers whose wallet covers less than three days of sales.
async fn figures(ctx: &Ctx<'_>) -> HandlerResult {
    let f = ctx.store().platform().figures(chrono::Utc::now(), FIGURE_DAYS, LOW_COVER_DAYS).await?;
    let mut screen = Screen::new(ctx.t("panel-rs-figures-title", &[("days", FIGURE_DAYS.into())]));
    for (day, sales, revenue) in &f.days {
        let line = ctx.t(
            "panel-rs-figures-day",
            &[
                ("day", day.format("%Y-%m-%d").to_string().into()),
                ("sales", (*sales).into()),
                ("revenue", (*revenue).into()),
            ],
        );
        screen = screen.with_line(&line);
    }
    screen =
        screen.with_line(&ctx.t(
            "panel-rs-figures-totals",
            &[("customers", f.customers.into()), ("active", f.active_subscriptions.into())],
        ));
    screen = screen.with_line(
        &ctx.t("panel-rs-figures-low", &[("days", LOW_COVER_DAYS.into()), ("count", f.low_wallets_total.into())]),
    );
    let mut buttons = Vec::with_capacity(f.low_wallets.len());
    for (bot, cover) in &f.low_wallets {
        let line = ctx.t(
            "panel-rs-figures-low-row",
            &[("name", clip(&bot.name, 64).into()), ("cover", (*cover).into()), ("balance", bot.wallet_balance.into())],
        );
        screen = screen.with_line(&line);
        buttons.push(button(clip(&bot.name, 40), data(Action::Show(bot.id))));
    }
    let screen = screen.with_grid(buttons, 2);
    ctx.show(ctx.nav(screen, Some(data(Action::List(0))))).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reseller_data_round_trips_and_fits_telegram() {
        let id = BotId(i64::MAX);
        let search = "ж".repeat(MAX_SEARCH_BYTES / 2);
        let actions = vec![
            Action::List(999_999),
            Action::Search(999_999, search),
            Action::Find,
            Action::Add,
            Action::Figures,
            Action::Show(id),
            Action::Active(id, true),
            Action::Active(id, false),
            Action::Rotate(id),
            Action::Rotated(id),
            Action::Limit(id),
            Action::Delete(id),
            Action::DeleteAgain(id),
            Action::Remove(id),
            Action::Wallet(id, true),
            Action::Wallet(id, false),
            Action::WalletPost(id, nonce()),
            Action::Token(id),
            Action::Admins(id),
        ];
        for action in actions {
            let data = Resellers::data(&action);
            assert!(data.len() <= 64, "{data}");
            assert_eq!(Resellers::parse(data.strip_prefix("pr:").unwrap_or_default()), Some(action), "{data}");
        }
        for bad in ["", "show", "show:0", "show:x", "rm:1:2", "q:1:", "q:x:a", "list:-1", "add:1", "wok:1:abc", "wok:1"]
        {
            assert_eq!(Resellers::parse(bad), None, "{bad}");
        }
    }
}
