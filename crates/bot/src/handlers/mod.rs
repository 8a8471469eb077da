//! What the bots do with an update: `/start` registers the customer in the tenant and shows
//! the menu, `/language` switches language. Every handler runs with a resolved [`Tenant`];
//! the customer journey fills in the menu's actions.

use std::sync::Arc;

use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::{Tenant, TgUserId};
use remnabot_store::Store;
use remnabot_store::users::{NewUser, User};
use teloxide::adaptors::Throttle;
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup, Message, Update,
    UpdateKind,
};

pub mod account;
pub mod shop;

use crate::dialogue::{DialogueState, DialogueStore};
use crate::texts::Texts;

/// The Bot API client of one tenant bot, rate-limited to Telegram's limits (per bot and per
/// chat); a 429 makes it wait `retry_after` and send again.
pub type TgBot = Throttle<teloxide::Bot>;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct Shared {
    pub store: Store,
    pub texts: Arc<Texts>,
    pub dialogues: DialogueStore,
}

/// One tenant bot as its handlers see it.
#[derive(Debug, Clone)]
pub struct TenantBot {
    pub tenant: Tenant,
    pub tg: TgBot,
}

/// A handler failure: logged by the worker, with a short localized text for the user.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error(transparent)]
    Store(#[from] remnabot_domain::Error),
    #[error("Telegram: {0}")]
    Telegram(#[from] teloxide::RequestError),
}

type HandlerResult = Result<(), HandlerError>;

/// Handles one update of a running tenant bot.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails; the user has then been told that
/// something went wrong when that was possible.
pub async fn handle(shared: &Shared, bot: &TenantBot, update: Update) -> HandlerResult {
    match update.kind {
        UpdateKind::Message(msg) => on_message(shared, bot, msg).await,
        UpdateKind::CallbackQuery(q) => on_callback(shared, bot, q).await,
        // Other kinds (edited messages, payments, ...) belong to later handlers.
        _ => Ok(()),
    }
}

/// The language a new customer gets: their Telegram language when the tenant offers it,
/// else the tenant's first language.
fn initial_language(offered: &[Language], telegram_code: Option<&str>) -> Language {
    let wanted = telegram_code.and_then(|code| Language::parse(code.split(['-', '_']).next().unwrap_or(code)).ok());
    match wanted {
        Some(lang) if offered.contains(&lang) => lang,
        _ => offered.first().copied().unwrap_or_default(),
    }
}

async fn customer(shared: &Shared, bot: &TenantBot, from: &teloxide::types::User) -> Result<User, HandlerError> {
    let tg = TgUserId(i64::try_from(from.id.0).unwrap_or(i64::MAX));
    // `register` looks the customer up first and creates them only when new.
    let offered = shared.store.configs().languages(&bot.tenant).await?;
    let new = NewUser {
        telegram_id: tg,
        username: from.username.clone(),
        first_name: Some(from.first_name.chars().take(255).collect()),
        language: initial_language(&offered, from.language_code.as_deref()),
        referred_by: None,
    };
    Ok(shared.store.users().register(&bot.tenant, new).await?.0)
}

async fn on_message(shared: &Shared, bot: &TenantBot, msg: Message) -> HandlerResult {
    let Some(from) = msg.from.as_ref() else { return Ok(()) };
    if !msg.chat.is_private() {
        return Ok(());
    }
    let user = customer(shared, bot, from).await?;
    if user.is_blocked {
        return Ok(());
    }
    let chat = msg.chat.id;
    let text = msg.text().unwrap_or_default().trim();
    let command = text.split_whitespace().next().unwrap_or_default();
    // `/start@MyBot` in a private chat is the same command.
    let command = command.split('@').next().unwrap_or_default();
    match command {
        "/start" => {
            // `/start` ends any open question (read first: most chats have none, and a read
            // is cheaper than a write).
            if shared.dialogues.get(&bot.tenant, chat.0).await? != DialogueState::Idle {
                shared.dialogues.set(&bot.tenant, chat.0, DialogueState::Idle).await?;
            }
            send_welcome(shared, bot, &user, chat).await
        }
        "/language" => ask_language(shared, bot, &user, chat).await,
        _ => match shared.dialogues.get(&bot.tenant, chat.0).await? {
            DialogueState::ChoosingLanguage => {
                let offered = shared.store.configs().languages(&bot.tenant).await?;
                let chosen = offered.into_iter().find(|l| {
                    let name = shared.texts.get(*l, &format!("language-name-{}", l.code()), &[]);
                    text.eq_ignore_ascii_case(l.code()) || text == name
                });
                match chosen {
                    Some(lang) => switch_language(shared, bot, &user, chat, lang).await,
                    None => ask_language(shared, bot, &user, chat).await,
                }
            }
            DialogueState::Idle => {
                bot.tg.send_message(chat, shared.texts.get(user.language, "unknown-command", &[])).await?;
                Ok(())
            }
        },
    }
}

async fn send_welcome(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    let welcome = match shared.store.configs().welcome_text(&bot.tenant).await? {
        Some(text) => text,
        None => {
            let name = user.first_name.clone().unwrap_or_default();
            shared.texts.get(lang, "welcome-default", &[("name", name.into())])
        }
    };
    let menu = main_menu(shared, bot, lang).await?;
    bot.tg.send_message(chat, welcome).reply_markup(menu).await?;
    Ok(())
}

/// The main menu: the items of features the tenant has switched on.
async fn main_menu(shared: &Shared, bot: &TenantBot, lang: Language) -> Result<KeyboardMarkup, HandlerError> {
    let flags = shared.store.flags();
    let mut items = vec!["menu-my-subscription", "menu-buy", "menu-renew", "menu-balance"];
    for (feature, item) in [
        (FeatureKey::Trial, "menu-trial"),
        (FeatureKey::Referral, "menu-referral"),
        (FeatureKey::PromoCodes, "menu-promo-code"),
        (FeatureKey::SupportTickets, "menu-support"),
    ] {
        if flags.is_enabled(&bot.tenant, feature).await? {
            items.push(item);
        }
    }
    items.push("menu-language");
    let buttons: Vec<KeyboardButton> =
        items.iter().map(|id| KeyboardButton::new(shared.texts.get(lang, id, &[]))).collect();
    let rows: Vec<Vec<KeyboardButton>> = buttons.chunks(2).map(<[KeyboardButton]>::to_vec).collect();
    Ok(KeyboardMarkup::new(rows).resize_keyboard())
}

async fn ask_language(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    shared.dialogues.set(&bot.tenant, chat.0, DialogueState::ChoosingLanguage).await?;
    let offered = shared.store.configs().languages(&bot.tenant).await?;
    let buttons: Vec<Vec<InlineKeyboardButton>> = offered
        .iter()
        .map(|l| {
            let name = shared.texts.get(*l, &format!("language-name-{}", l.code()), &[]);
            vec![InlineKeyboardButton::callback(name, format!("lang:{}", l.code()))]
        })
        .collect();
    bot.tg
        .send_message(chat, shared.texts.get(user.language, "language-prompt", &[]))
        .reply_markup(InlineKeyboardMarkup::new(buttons))
        .await?;
    Ok(())
}

async fn switch_language(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId, lang: Language) -> HandlerResult {
    shared.store.users().set_language(&bot.tenant, user.id, lang).await?;
    shared.dialogues.set(&bot.tenant, chat.0, DialogueState::Idle).await?;
    let name = shared.texts.get(lang, &format!("language-name-{}", lang.code()), &[]);
    let text = shared.texts.get(lang, "language-changed", &[("language", name.into())]);
    let menu = main_menu(shared, bot, lang).await?;
    bot.tg.send_message(chat, text).reply_markup(menu).await?;
    Ok(())
}

/// Callback data the bots understand. Anything else is refused with a short answer: old
/// buttons and forged data never reach a handler's logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Callback {
    Language(Language),
}

impl Callback {
    fn parse(data: &str) -> Option<Callback> {
        let (kind, value) = data.split_once(':')?;
        match kind {
            "lang" => Language::parse(value).ok().map(Callback::Language),
            _ => None,
        }
    }
}

async fn on_callback(shared: &Shared, bot: &TenantBot, q: CallbackQuery) -> HandlerResult {
    let user = customer(shared, bot, &q.from).await?;
    if user.is_blocked {
        bot.tg.answer_callback_query(q.id.clone()).await?;
        return Ok(());
    }
    let chat = ChatId(user.telegram_id.0);
    match q.data.as_deref().and_then(Callback::parse) {
        Some(Callback::Language(lang)) => {
            let offered = shared.store.configs().languages(&bot.tenant).await?;
            bot.tg.answer_callback_query(q.id.clone()).await?;
            if offered.contains(&lang) {
                switch_language(shared, bot, &user, chat, lang).await
            } else {
                ask_language(shared, bot, &user, chat).await
            }
        }
        None => {
            bot.tg
                .answer_callback_query(q.id.clone())
                .text(shared.texts.get(user.language, "unknown-command", &[]))
                .await?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_customer_gets_their_telegram_language_when_offered() {
        let all = Language::ALL;
        assert_eq!(initial_language(&all, Some("ru")), Language::Ru);
        assert_eq!(initial_language(&all, Some("en-US")), Language::En);
        assert_eq!(initial_language(&all, Some("de")), Language::Fa);
        assert_eq!(initial_language(&[Language::En], Some("fa")), Language::En);
        assert_eq!(initial_language(&[], None), Language::Fa);
    }

    #[test]
    fn only_known_callback_data_parses() {
        assert_eq!(Callback::parse("lang:en"), Some(Callback::Language(Language::En)));
        for bad in ["", "lang", "lang:de", "buy:1", "lang:en:extra", ":"] {
            assert_eq!(Callback::parse(bad), None, "{bad:?}");
        }
    }
}
