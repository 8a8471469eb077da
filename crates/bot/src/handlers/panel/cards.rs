//! Payment cards: the list with each card's use today and success rate, a card's page,
//! adding one (the number checked with Luhn, the holder, the bank), taking it in or out of
//! rotation, its weight and daily caps, and the tenant's rotation strategy. Changes go
//! through [`remnabot_store::changes::Changes`], as the API's `/payment-cards` and
//! `/config` routes do; the audit log keeps card numbers masked.

use remnabot_domain::card::{CardNumber, RotationStrategy};
use remnabot_domain::config::ConfigKey;
use remnabot_domain::limits;
use remnabot_domain::text::{BankName, HolderName};
use remnabot_domain::{CardId, Error, Toman};
use remnabot_store::cards::{CardSpec, PaymentCard};
use serde::{Deserialize, Serialize};
use teloxide::types::Message;

use super::input::{self, Refusal};
use super::screen::{PER_PAGE, Paging, button, id_of, page_of};
use super::{Area, Ctx, PanelState, Screen};
use crate::handlers::HandlerResult;
use crate::texts::Arg;

/// The cards area.
#[derive(Debug, Clone, Copy)]
pub struct Cards;

/// A field of a card an admin can edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Holder,
    Bank,
    Weight,
    CountCap,
    AmountCap,
}

impl Field {
    const ALL: [Field; 5] = [Field::Holder, Field::Bank, Field::Weight, Field::CountCap, Field::AmountCap];

    fn code(self) -> &'static str {
        match self {
            Field::Holder => "h",
            Field::Bank => "b",
            Field::Weight => "w",
            Field::CountCap => "c",
            Field::AmountCap => "a",
        }
    }

    fn parse(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }

    fn label(self) -> &'static str {
        match self {
            Field::Holder => "panel-card-edit-holder",
            Field::Bank => "panel-card-edit-bank",
            Field::Weight => "panel-card-edit-weight",
            Field::CountCap => "panel-card-edit-count-cap",
            Field::AmountCap => "panel-card-edit-amount-cap",
        }
    }
}

/// Callback data `pc:...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `pc:list:<page>`.
    List(u32),
    /// `pc:show:<id>`.
    Show(CardId),
    /// `pc:new`: starts adding a card.
    New,
    /// `pc:on:<id>` / `pc:off:<id>`: in or out of rotation.
    Active(CardId, bool),
    /// `pc:edit:<id>:<field>`.
    Edit(CardId, Field),
    /// `pc:rot`: the rotation strategies.
    Rotation,
    /// `pc:rot:<strategy>`: choose one.
    Strategy(RotationStrategy),
}

/// The questions of the cards area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ask {
    /// Adding a card: what was answered so far.
    Create(Draft),
    /// A new value for one field of a card.
    Edit { card: i64, field: Field },
}

/// A card being added: the number, then the holder, then the bank.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Checked already; its `Debug` is masked.
    pub number: Option<CardNumber>,
    pub holder: Option<String>,
}

impl Area for Cards {
    const PREFIX: &'static str = "pc";
    const LABEL: &'static str = "panel-area-cards";
    type Action = Action;
    type State = Ask;

    fn parse(rest: &str) -> Option<Action> {
        let mut parts = rest.split(':');
        let (verb, a, b) = (parts.next()?, parts.next(), parts.next());
        if parts.next().is_some() {
            return None;
        }
        let card = |s: Option<&str>| s.and_then(id_of).map(CardId);
        match (verb, a, b) {
            ("list", Some(p), None) => page_of(p).map(Action::List),
            ("new", None, None) => Some(Action::New),
            ("rot", None, None) => Some(Action::Rotation),
            ("rot", Some(s), None) => RotationStrategy::ALL.into_iter().find(|r| r.as_str() == s).map(Action::Strategy),
            ("show", _, None) => card(a).map(Action::Show),
            ("on", _, None) => card(a).map(|c| Action::Active(c, true)),
            ("off", _, None) => card(a).map(|c| Action::Active(c, false)),
            ("edit", _, Some(f)) => Some(Action::Edit(card(a)?, Field::parse(f)?)),
            _ => None,
        }
    }

    fn home() -> Action {
        Action::List(0)
    }

    fn data(action: &Action) -> String {
        match action {
            Action::List(page) => format!("pc:list:{page}"),
            Action::Show(c) => format!("pc:show:{c}"),
            Action::New => "pc:new".to_owned(),
            Action::Active(c, on) => format!("pc:{}:{c}", if *on { "on" } else { "off" }),
            Action::Edit(c, f) => format!("pc:edit:{c}:{}", f.code()),
            Action::Rotation => "pc:rot".to_owned(),
            Action::Strategy(s) => format!("pc:rot:{}", s.as_str()),
        }
    }

    async fn press(ctx: &Ctx<'_>, action: Action, _pending: Option<Ask>) -> HandlerResult {
        match action {
            Action::List(page) => list(ctx, page, None).await,
            Action::Show(id) => show(ctx, id, None).await,
            Action::New => ask_create(ctx, Draft::default(), None).await,
            Action::Active(id, on) => match ctx.changes().set_card_active(ctx.tenant(), id, on).await {
                Ok(_) => show(ctx, id, Some(ctx.t("panel-saved", &[]))).await,
                Err(e) => gone(ctx, e).await,
            },
            Action::Edit(id, field) => ask_edit(ctx, id, field, None).await,
            Action::Rotation => rotation(ctx, None).await,
            Action::Strategy(s) => {
                let value = serde_json::json!(s.as_str());
                ctx.changes().set_config(ctx.tenant(), ConfigKey::CardRotationStrategy.as_str(), value).await?;
                rotation(ctx, Some(ctx.t("panel-saved", &[]))).await
            }
        }
    }

    async fn answer(ctx: &Ctx<'_>, state: Ask, msg: &Message) -> HandlerResult {
        match state {
            Ask::Create(draft) => on_create_answer(ctx, draft, msg.text()).await,
            Ask::Edit { card, field } => on_edit_answer(ctx, CardId(card), field, msg.text()).await,
        }
    }
}

fn data(action: Action) -> String {
    Cards::data(&action)
}

fn state_text(ctx: &Ctx<'_>, card: &PaymentCard) -> String {
    ctx.t(if card.is_active { "panel-card-active" } else { "panel-card-inactive" }, &[])
}

/// The card's success rate as a whole percent, or that it took no payment yet (rotation
/// counts such a card as fully successful, which the admin should not read as a record).
fn rate_text(ctx: &Ctx<'_>, card: &PaymentCard) -> String {
    if card.success_count + card.failure_count <= 0 {
        return ctx.t("panel-card-no-rate", &[]);
    }
    // A rate in [0, 1]; rounding to a whole percent is what the screen shows.
    let percent = (card.success_rate.clamp(0.0, 1.0) * 100.0).round() as i64;
    ctx.t("panel-card-rate", &[("percent", percent.into())])
}

fn strategy_label(s: RotationStrategy) -> &'static str {
    match s {
        RotationStrategy::RoundRobin => "panel-card-strategy-round-robin",
        RotationStrategy::Random => "panel-card-strategy-random",
        RotationStrategy::TimeBased => "panel-card-strategy-time-based",
        RotationStrategy::Weighted => "panel-card-strategy-weighted",
    }
}

async fn gone(ctx: &Ctx<'_>, e: Error) -> HandlerResult {
    match e {
        Error::NotFound { .. } => list(ctx, 0, Some(ctx.t("panel-card-gone", &[]))).await,
        other => Err(other.into()),
    }
}

async fn list(ctx: &Ctx<'_>, page: u32, note: Option<String>) -> HandlerResult {
    let total = ctx.store().cards().count(ctx.tenant()).await?;
    let paging = Paging::new(page, total);
    let cards = ctx.store().cards().list(ctx.tenant(), false, paging.window()).await?;
    let strategy = ctx.store().configs().card_rotation_strategy(ctx.tenant()).await?;
    let mut screen = Screen::new(note.unwrap_or_default())
        .with_line(&ctx.t("panel-cards-title", &[]))
        .with_line(&ctx.t("panel-card-strategy-now", &[("kind", ctx.t(strategy_label(strategy), &[]).into())]));
    screen = screen.with_line(&if cards.is_empty() { ctx.t("panel-cards-empty", &[]) } else { ctx.page_line(paging) });
    let mut buttons = Vec::with_capacity(cards.len());
    for (place, card) in (u64::from(paging.page) * PER_PAGE + 1..).zip(&cards) {
        let row = ctx.t(
            "panel-card-row",
            &[
                ("place", place.into()),
                ("card", card.number.masked().into()),
                ("holder", card.holder_name.as_str().into()),
                ("state", state_text(ctx, card).into()),
                ("count", card.today_count.into()),
                ("amount", card.today_amount.into()),
                ("rate", rate_text(ctx, card).into()),
            ],
        );
        screen = screen.with_line(&row);
        let last4: String = card.number.as_str().chars().skip(12).collect();
        buttons.push(button(format!("{place}. *{last4} {}", card.holder_name), data(Action::Show(card.id))));
    }
    let screen = screen.with_grid(buttons, 2).with_row(vec![
        button(ctx.t("panel-card-new", &[]), data(Action::New)),
        button(ctx.t("panel-card-rotation", &[]), data(Action::Rotation)),
    ]);
    let screen = ctx.pager(screen, paging, |p| data(Action::List(p)));
    ctx.show(ctx.nav(screen, None)).await?;
    Ok(())
}

fn caps_text(ctx: &Ctx<'_>, card: &PaymentCard) -> (String, String) {
    let none = || ctx.t("panel-card-no-cap", &[]);
    let count = card.daily_count_cap.map_or_else(none, |c| crate::texts::format_number(ctx.lang, c));
    let amount = card.daily_amount_cap.map_or_else(none, |a| crate::texts::format_amount(ctx.lang, a));
    (count, amount)
}

async fn show(ctx: &Ctx<'_>, id: CardId, note: Option<String>) -> HandlerResult {
    let card = match ctx.store().cards().get(ctx.tenant(), id).await {
        Ok(card) => card,
        Err(e) => return gone(ctx, e).await,
    };
    let (count_cap, amount_cap) = caps_text(ctx, &card);
    let text = ctx.t(
        "panel-card-page",
        &[
            ("card", card.number.grouped().into()),
            ("holder", card.holder_name.as_str().into()),
            ("bank", card.bank_name.clone().unwrap_or_else(|| "-".to_owned()).into()),
            ("state", state_text(ctx, &card).into()),
            ("weight", card.weight.into()),
            ("count", card.today_count.into()),
            ("amount", card.today_amount.into()),
            ("max", count_cap.into()),
            ("limit", amount_cap.into()),
            ("rate", rate_text(ctx, &card).into()),
            ("paid", card.success_count.into()),
            ("failed", card.failure_count.into()),
        ],
    );
    let edits: Vec<_> = Field::ALL.iter().map(|f| button(ctx.t(f.label(), &[]), data(Action::Edit(id, *f)))).collect();
    let toggle = if card.is_active {
        button(ctx.t("panel-card-deactivate", &[]), data(Action::Active(id, false)))
    } else {
        button(ctx.t("panel-card-activate", &[]), data(Action::Active(id, true)))
    };
    let screen = Screen::new(note.unwrap_or_default()).with_line(&text).with_grid(edits, 2).with_row(vec![toggle]);
    ctx.show(ctx.nav(screen, Some(data(Action::List(0))))).await?;
    Ok(())
}

async fn rotation(ctx: &Ctx<'_>, note: Option<String>) -> HandlerResult {
    let now = ctx.store().configs().card_rotation_strategy(ctx.tenant()).await?;
    let mut screen = Screen::new(note.unwrap_or_default()).with_line(&ctx.t("panel-card-rotation-title", &[]));
    for s in RotationStrategy::ALL {
        let mark = if s == now { "✅ " } else { "" };
        let label = format!("{mark}{}", ctx.t(strategy_label(s), &[]));
        screen = screen.with_button(label, data(Action::Strategy(s)));
    }
    ctx.show(ctx.nav(screen, Some(data(Action::List(0))))).await?;
    Ok(())
}

fn with_cancel(ctx: &Ctx<'_>, note: Option<String>, lines: &[String], cancel: String) -> Screen {
    let mut screen = Screen::new(note.unwrap_or_default());
    for line in lines {
        screen = screen.with_line(line);
    }
    screen.with_button(ctx.t("panel-cancel", &[]), cancel)
}

async fn ask_create(ctx: &Ctx<'_>, draft: Draft, note: Option<String>) -> HandlerResult {
    let (step, question) = match (&draft.number, &draft.holder) {
        (None, _) => (1_u32, ctx.t("panel-card-ask-number", &[])),
        (Some(_), None) => (2, ctx.t("panel-card-ask-holder", &[("max", HolderName::MAX_CHARS.into())])),
        (Some(_), Some(_)) => (3, ctx.t("panel-card-ask-bank", &[("max", BankName::MAX_CHARS.into())])),
    };
    let header = ctx.t("panel-card-new-step", &[("page", step.into()), ("pages", 3_u32.into())]);
    let screen = with_cancel(ctx, note, &[header, question], data(Action::List(0)));
    ctx.ask(PanelState::Cards(Ask::Create(draft)), screen).await
}

async fn on_create_answer(ctx: &Ctx<'_>, mut draft: Draft, text: Option<&str>) -> HandlerResult {
    let refuse = |r: Refusal, draft: Draft| async move {
        let note = input::refusal_text(ctx, &r);
        ask_create(ctx, draft, Some(note)).await
    };
    match (&draft.number, &draft.holder) {
        (None, _) => match CardNumber::parse(text.unwrap_or_default()) {
            Ok(number) => draft.number = Some(number),
            Err(_) => {
                let note = ctx.t("panel-card-bad-number", &[]);
                return ask_create(ctx, draft, Some(note)).await;
            }
        },
        (Some(_), None) => match input::required(text, HolderName::RULE) {
            Ok(holder) => draft.holder = Some(holder),
            Err(r) => return refuse(r, draft).await,
        },
        (Some(number), Some(holder)) => {
            let bank = if input::is_skip(text) {
                None
            } else {
                match input::text_by(text, BankName::RULE) {
                    Ok(bank) => bank,
                    Err(r) => return refuse(r, draft).await,
                }
            };
            let spec = CardSpec {
                number: number.as_str().to_owned(),
                holder_name: holder.clone(),
                bank_name: bank,
                weight: 1,
                daily_count_cap: None,
                daily_amount_cap: None,
            };
            return match ctx.changes().create_card(ctx.tenant(), spec).await {
                Ok(card) => {
                    show(ctx, card.id, Some(ctx.t("panel-card-created", &[("card", card.number.masked().into())])))
                        .await
                }
                Err(e) => {
                    // A card the tenant has already: the number is asked again.
                    let note = input::refusal_text(ctx, &input::refused(e)?);
                    ask_create(ctx, Draft::default(), Some(note)).await
                }
            };
        }
    }
    ask_create(ctx, draft, None).await
}

async fn ask_edit(ctx: &Ctx<'_>, id: CardId, field: Field, note: Option<String>) -> HandlerResult {
    let card = match ctx.store().cards().get(ctx.tenant(), id).await {
        Ok(card) => card,
        Err(e) => return gone(ctx, e).await,
    };
    let range = |r: std::ops::RangeInclusive<i64>| [("min", Arg::from(*r.start())), ("max", Arg::from(*r.end()))];
    let question = match field {
        Field::Holder => ctx.t("panel-card-ask-holder", &[("max", HolderName::MAX_CHARS.into())]),
        Field::Bank => ctx.t("panel-card-ask-bank", &[("max", BankName::MAX_CHARS.into())]),
        Field::Weight => ctx.t("panel-card-ask-weight", &range(limits::CARD_WEIGHT)),
        Field::CountCap => ctx.t("panel-card-ask-count-cap", &range(limits::DAILY_COUNT_CAP)),
        Field::AmountCap => ctx.t("panel-card-ask-amount-cap", &range(limits::AMOUNT)),
    };
    let header = ctx.t("panel-card-editing", &[("card", card.number.masked().into())]);
    let screen = with_cancel(ctx, note, &[header, question], data(Action::Show(id)));
    ctx.ask(PanelState::Cards(Ask::Edit { card: id.0, field }), screen).await
}

/// A cap typed: 0 removes it, anything else must be within `range`.
fn cap(text: Option<&str>, range: std::ops::RangeInclusive<i64>) -> Result<Option<i64>, Refusal> {
    let text = text.unwrap_or_default();
    if input::number_in(text, 0..=0).is_ok() {
        return Ok(None);
    }
    input::number_in(text, range.clone()).map(Some).map_err(|r| match r {
        Refusal::Range { max, .. } => Refusal::Range { min: 0, max },
        other => other,
    })
}

async fn on_edit_answer(ctx: &Ctx<'_>, id: CardId, field: Field, text: Option<&str>) -> HandlerResult {
    let card = match ctx.store().cards().get(ctx.tenant(), id).await {
        Ok(card) => card,
        Err(e) => return gone(ctx, e).await,
    };
    let mut spec = CardSpec {
        number: card.number.as_str().to_owned(),
        holder_name: card.holder_name.clone(),
        bank_name: card.bank_name.clone(),
        weight: card.weight,
        daily_count_cap: card.daily_count_cap,
        daily_amount_cap: card.daily_amount_cap,
    };
    let parsed = match field {
        Field::Holder => input::required(text, HolderName::RULE).map(|h| spec.holder_name = h),
        Field::Bank if input::is_skip(text) => {
            spec.bank_name = None;
            Ok(())
        }
        Field::Bank => input::text_by(text, BankName::RULE).map(|b| spec.bank_name = b),
        Field::Weight => input::u32_in(text.unwrap_or_default(), limits::CARD_WEIGHT).map(|w| spec.weight = w),
        Field::CountCap => cap(text, limits::DAILY_COUNT_CAP).map(|c| spec.daily_count_cap = c),
        Field::AmountCap => cap(text, limits::AMOUNT).map(|c| spec.daily_amount_cap = c.map(Toman)),
    };
    if let Err(r) = parsed {
        return ask_edit(ctx, id, field, Some(input::refusal_text(ctx, &r))).await;
    }
    match ctx.changes().update_card(ctx.tenant(), id, spec).await {
        Ok(_) => show(ctx, id, Some(ctx.t("panel-saved", &[]))).await,
        Err(e @ Error::NotFound { .. }) => gone(ctx, e).await,
        Err(e) => {
            let note = input::refusal_text(ctx, &input::refused(e)?);
            ask_edit(ctx, id, field, Some(note)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_data_round_trips_and_fits_telegram() {
        let id = CardId(i64::MAX);
        let mut actions = vec![Action::List(999_999), Action::New, Action::Show(id), Action::Rotation];
        actions.extend(Field::ALL.map(|f| Action::Edit(id, f)));
        actions.extend([true, false].map(|b| Action::Active(id, b)));
        actions.extend(RotationStrategy::ALL.map(Action::Strategy));
        for action in actions {
            let data = Cards::data(&action);
            assert!(data.len() <= 64, "{data}");
            assert_eq!(Cards::parse(data.strip_prefix("pc:").unwrap_or_default()), Some(action), "{data}");
        }
        for bad in ["", "show:0", "on:x", "edit:1:q", "rot:fastest", "rot:", "list:", "new:2"] {
            assert_eq!(Cards::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_cap_of_zero_removes_it() {
        assert_eq!(cap(Some("0"), limits::DAILY_COUNT_CAP), Ok(None));
        assert_eq!(cap(Some("۵"), limits::DAILY_COUNT_CAP), Ok(Some(5)));
        assert_eq!(cap(Some("-3"), limits::DAILY_COUNT_CAP), Err(Refusal::Range { min: 0, max: 1_000_000 }));
        assert_eq!(cap(Some("x"), limits::DAILY_COUNT_CAP), Err(Refusal::NotANumber));
    }
}
