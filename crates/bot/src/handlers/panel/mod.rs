//! The tenant's admin panel inside its own bot: `/admin` (or the Admin button of the main
//! menu, shown only to them) opens it for the tenant's `admin_ids`, in a private chat. Anyone
//! else gets exactly what any unknown command gets, so nothing reveals the panel.
//!
//! The panel is a set of areas. An area is one module implementing [`Area`]: its callback
//! prefix, its actions (a closed enum parsed from callback data), its dialogue states (the
//! questions it asks, kept in [`PanelState`] inside the chat's dialogue), its screens, and
//! one line in [`areas!`]'s list below, which builds the [`Press`] and [`PanelState`] enums
//! and the dispatch. The pieces every area uses (a screen edited in place, Back and Home,
//! paging with the total, confirmation, nonces) are in [`screen`].
//!
//! Every press and every answer is authorized again before anything happens: an admin
//! removed from `admin_ids` while a screen is open, a customer replaying a button, or forged
//! data naming another tenant's rows (not found in this tenant) change nothing. Every change
//! goes through [`remnabot_store::changes::Changes`], the service the API uses, which records
//! it in the audit log.

pub mod audit;
pub mod cards;
pub mod customers;
pub mod dashboard;
pub mod input;
pub mod payments;
pub mod plans;
pub mod promos;
pub mod resellers;
pub mod screen;
pub mod settings;
pub mod tickets;

use remnabot_domain::TgUserId;
use remnabot_domain::config::Language;
use remnabot_store::users::User;
use serde::{Deserialize, Serialize};
use teloxide::prelude::*;
use teloxide::types::{CallbackQuery, Message, MessageId};

pub use screen::{Ctx, Paging, Screen};
use screen::{Target, button};

use super::{HandlerError, HandlerResult, Shared, TenantBot, tg_id};
use crate::dialogue::DialogueState;
use crate::texts::Texts;

/// The command that opens the panel.
pub const COMMAND: &str = "/admin";
/// The text id of the main menu's Admin button.
pub const MENU_LABEL: &str = "menu-admin";

/// One area of the panel. Implemented by a unit type in the area's module and registered
/// in [`areas!`]; the panel calls it only for an authorized admin.
#[allow(async_fn_in_trait, reason = "called only with concrete types inside this crate")]
pub trait Area {
    /// The callback data prefix (before the first `:`), unique in the bot.
    const PREFIX: &'static str;
    /// The text id of the area's button on the Home screen.
    const LABEL: &'static str;
    /// What a button of the area asks (parsed from the data after the prefix).
    type Action: std::fmt::Debug + Clone + PartialEq + Eq + Send + Sync;
    /// The questions the area asks (its dialogue states).
    type State: std::fmt::Debug + Clone + PartialEq + Eq + Serialize + for<'de> Deserialize<'de> + Send + Sync;

    /// Parses the data after `PREFIX:`; `None` for anything else.
    fn parse(rest: &str) -> Option<Self::Action>;
    /// The action of the area's first screen.
    fn home() -> Self::Action;
    /// The callback data of `action`, prefix included (at most 64 bytes).
    fn data(action: &Self::Action) -> String;

    /// Whether the area is offered to this admin (all of them by default).
    async fn visible(ctx: &Ctx<'_>) -> Result<bool, HandlerError> {
        let _ = ctx;
        Ok(true)
    }

    /// A press on one of the area's buttons; `pending` is the area's question that was open
    /// (a press ends it; the area may ask it again).
    async fn press(ctx: &Ctx<'_>, action: Self::Action, pending: Option<Self::State>) -> HandlerResult;

    /// The admin's message answering the area's question `state`. The question has ended by
    /// then; to ask it again (a refused answer) or ask the next one, the area calls
    /// [`Ctx::ask`].
    async fn answer(ctx: &Ctx<'_>, state: Self::State, msg: &Message) -> HandlerResult;
}

/// A question of an area without questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoQuestion {}

/// Registers the areas: `Variant => module::AreaType`. Builds [`Press`] (a press on any
/// panel button), [`PanelState`] (any area's question) and the dispatch over them.
macro_rules! areas {
    ($($variant:ident => $area:ty),+ $(,)?) => {
        /// A press on a panel button, parsed from its callback data.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Press {
            /// `pn:home`: the Home screen.
            Home,
            $(
                #[doc = concat!("A button of the ", stringify!($variant), " area.")]
                $variant(<$area as Area>::Action),
            )+
        }

        impl Press {
            /// The press `prefix:rest` names, if it is a panel button.
            pub fn parse(prefix: &str, rest: &str) -> Option<Press> {
                if prefix == "pn" {
                    return (rest == "home").then_some(Press::Home);
                }
                $(
                    if prefix == <$area as Area>::PREFIX {
                        return <$area as Area>::parse(rest).map(Press::$variant);
                    }
                )+
                None
            }

            /// The press's callback data.
            pub fn data(&self) -> String {
                match self {
                    Press::Home => screen::HOME.to_owned(),
                    $(Press::$variant(a) => <$area as Area>::data(a),)+
                }
            }
        }

        /// A question an area of the panel asked and waits for the admin to answer.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "area", content = "ask", rename_all = "snake_case")]
        pub enum PanelState {
            $($variant(<$area as Area>::State),)+
        }

        async fn dispatch(ctx: &Ctx<'_>, press: Press, pending: Option<PanelState>) -> HandlerResult {
            match press {
                Press::Home => home(ctx).await,
                $(
                    Press::$variant(action) => {
                        let pending = match pending {
                            Some(PanelState::$variant(s)) => Some(s),
                            _ => None,
                        };
                        <$area as Area>::press(ctx, action, pending).await
                    }
                )+
            }
        }

        async fn answer_state(ctx: &Ctx<'_>, state: PanelState, msg: &Message) -> HandlerResult {
            match state {
                $(PanelState::$variant(s) => <$area as Area>::answer(ctx, s, msg).await,)+
            }
        }

        /// The Home screen's buttons: every area this admin is offered.
        async fn home_buttons(ctx: &Ctx<'_>) -> Result<Vec<teloxide::types::InlineKeyboardButton>, HandlerError> {
            let mut buttons = Vec::new();
            $(
                if <$area as Area>::visible(ctx).await? {
                    let home = <$area as Area>::home();
                    buttons.push(button(ctx.t(<$area as Area>::LABEL, &[]), <$area as Area>::data(&home)));
                }
            )+
            Ok(buttons)
        }

        #[cfg(test)]
        const PREFIXES: &[&str] = &["pn", $(<$area as Area>::PREFIX),+];
    };
}

areas! {
    Dashboard => dashboard::Dashboard,
    Plans => plans::Plans,
    Cards => cards::Cards,
    Customers => customers::Customers,
    Payments => payments::Payments,
    Tickets => tickets::Tickets,
    Promos => promos::Promos,
    Settings => settings::Settings,
    AuditLog => audit::AuditLog,
    Resellers => resellers::Resellers,
}

/// Whether `who` is an admin of this tenant (listed in its `admin_ids`).
///
/// # Errors
/// [`HandlerError`] when the database fails.
pub async fn is_admin(shared: &Shared, bot: &TenantBot, who: TgUserId) -> Result<bool, HandlerError> {
    Ok(shared.store.configs().admin_ids(&bot.tenant).await?.contains(&who.0))
}

/// Whether `text` asks for the panel: `/admin` (also `/admin@Bot`) or the Admin button's
/// label in any language. Whoever sends it, this only says what was asked.
pub fn asks_for_panel(texts: &Texts, text: &str) -> bool {
    let command = text.split_whitespace().next().unwrap_or_default();
    command.split('@').next() == Some(COMMAND)
        || (text.len() <= 200 && Language::ALL.iter().any(|l| texts.get(*l, MENU_LABEL, &[]) == text))
}

/// The language of an admin: theirs when they talked to the bot, else the tenant's first.
async fn admin_language(shared: &Shared, bot: &TenantBot, admin: TgUserId) -> Result<Language, HandlerError> {
    if let Some(user) = shared.store.users().by_telegram_id(&bot.tenant, admin).await? {
        return Ok(user.language);
    }
    Ok(shared.store.configs().languages(&bot.tenant).await?.first().copied().unwrap_or_default())
}

/// Opens the panel (a new message with the Home screen) for `user`, already known to be an
/// admin, in their private chat.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn open(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let ctx = Ctx {
        shared,
        bot,
        admin: user.telegram_id,
        lang: user.language,
        chat,
        target: Target::New { replaces: None },
        query: None,
        answered: Default::default(),
    };
    home(&ctx).await
}

/// A press on a panel button. Refused like any stale button unless it comes from an admin
/// of this tenant in their private chat with the bot.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn on_press(shared: &Shared, bot: &TenantBot, q: &CallbackQuery, press: Press) -> HandlerResult {
    let who = tg_id(&q.from);
    let lang = admin_language(shared, bot, who).await?;
    let message = q.message.as_ref().map(|m| (m.chat().id, m.id()));
    let private = message.is_some_and(|(chat, _)| chat.0 == who.0);
    if !private || !is_admin(shared, bot, who).await? {
        tracing::info!(bot_id = %bot.tenant.bot_id(), telegram_id = %who, "a panel button pressed by someone who is not an admin here");
        return super::refuse_callback(shared, bot, q, lang).await;
    }
    let Some((chat, message)) = message else { return super::refuse_callback(shared, bot, q, lang).await };
    // A press ends the panel's open question; the area gets it to finish what it asked.
    let pending = match shared.dialogues.get(&bot.tenant, chat.0).await? {
        DialogueState::Panel { at, .. } => {
            shared.dialogues.set(&bot.tenant, chat.0, DialogueState::Idle).await?;
            Some(at)
        }
        _ => None,
    };
    let ctx = Ctx {
        shared,
        bot,
        admin: who,
        lang,
        chat,
        target: Target::Edit(message),
        query: Some(q.id.clone()),
        answered: Default::default(),
    };
    dispatch(&ctx, press, pending).await?;
    // A press whose handler showed nothing is still answered, so the client stops waiting.
    ctx.notice("panel-done", &[]).await.ok();
    Ok(())
}

/// The admin's message answering the panel's question `at`, asked on `message`. Someone who
/// is no longer an admin gets the ordinary answer to an unknown message, and the question
/// ends.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn on_answer(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    msg: &Message,
    at: PanelState,
    message: i32,
) -> HandlerResult {
    let from = msg.from.as_ref().map(tg_id);
    if from != Some(user.telegram_id) || !is_admin(shared, bot, user.telegram_id).await? {
        super::end_question(shared, bot, chat).await?;
        bot.tg.send_message(chat, shared.text(user.language, "unknown-command", &[])).await?;
        return Ok(());
    }
    // The answer ends the question: an area that needs another answer (the next step, or
    // the same question after a refused answer) asks again with `Ctx::ask`. Otherwise the
    // admin's next message, or the same answer sent twice, would answer it again.
    shared.dialogues.set(&bot.tenant, chat.0, DialogueState::Idle).await?;
    let ctx = Ctx {
        shared,
        bot,
        admin: user.telegram_id,
        lang: user.language,
        chat,
        target: Target::New { replaces: Some(MessageId(message)) },
        query: None,
        answered: Default::default(),
    };
    answer_state(&ctx, at, msg).await
}

/// The Home screen: one button per area.
async fn home(ctx: &Ctx<'_>) -> HandlerResult {
    let name = ctx.store().platform().get(ctx.tenant().bot_id()).await?.name;
    let screen = Screen::new(ctx.t("panel-home-title", &[("name", name.into())]));
    let screen = screen.with_grid(home_buttons(ctx).await?, 2);
    ctx.show(screen).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_prefixes_are_unique_and_clear_of_the_bots_other_prefixes() {
        let mut seen = std::collections::BTreeSet::new();
        for prefix in PREFIXES {
            assert!(seen.insert(*prefix), "{prefix} twice");
            assert!(!["lang", "shop", "adm", "acct", "pay"].contains(prefix), "{prefix}");
        }
    }

    #[test]
    fn only_known_panel_data_parses() {
        assert_eq!(Press::parse("pn", "home"), Some(Press::Home));
        assert_eq!(Press::Home.data(), "pn:home");
        for (prefix, rest) in [("pn", ""), ("pn", "homes"), ("zz", "home"), ("pd", "nope")] {
            assert_eq!(Press::parse(prefix, rest), None, "{prefix}:{rest}");
        }
    }

    #[test]
    fn the_panel_is_asked_for_by_command_or_label_only() {
        let texts = Texts::load().unwrap_or_else(|e| panic!("{e}"));
        assert!(asks_for_panel(&texts, "/admin"));
        assert!(asks_for_panel(&texts, "/admin@ShopBot"));
        for lang in Language::ALL {
            assert!(asks_for_panel(&texts, &texts.get(lang, MENU_LABEL, &[])));
        }
        assert!(!asks_for_panel(&texts, "/administrator"));
        assert!(!asks_for_panel(&texts, "admin"));
        assert!(!asks_for_panel(&texts, ""));
    }

    #[test]
    fn panel_questions_round_trip_through_the_dialogue_store() {
        let state = DialogueState::Idle;
        let json = serde_json::to_value(&state).unwrap_or_default();
        assert_eq!(serde_json::from_value::<DialogueState>(json).ok(), Some(state));
    }
}
