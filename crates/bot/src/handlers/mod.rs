//! What the bots do with an update. Every handler runs with a resolved [`Tenant`].
//!
//! This module only dispatches; the work is in the modules named after what they sell or
//! keep: [`shop`] (plans, checkout, card-to-card, subscription, trial), [`admin`] (the
//! tenant's admins reviewing card payments) and [`account`] (balance, promo codes, referral,
//! support). Four tables route everything:
//!
//! - commands (`/start`, `/language`) in [`on_message`];
//! - main-menu buttons: [`MenuItem`] (label, feature flag) and [`open_menu_item`];
//! - callback data: [`Callback::parse`] by prefix (`lang:`, `shop:`, `adm:`, `acct:`), each
//!   module parsing its own part into a closed enum, so stale or forged data never reaches
//!   a handler's logic;
//! - dialogue states (a question the bot waits for an answer to): [`on_dialogue_message`].
//!
//! Account features plug in here: their menu items call `account::show_balance`,
//! `account::ask_promo_code`, `account::show_referral` and `account::open_support`;
//! callback data starting with `acct:` goes to `account::on_callback`; their dialogue
//! states (variants of [`DialogueState`]) get one arm in [`on_dialogue_message`] calling
//! `account::on_message`.

use std::sync::Arc;

use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::{Tenant, TgUserId, UserId};
use remnabot_store::Store;
use remnabot_store::users::{NewUser, User};
use teloxide::adaptors::Throttle;
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup, Message, Update,
    UpdateKind,
};

pub mod account;
pub mod admin;
pub mod checkout;
pub mod online;
pub mod panel;
pub mod shop;
mod squads;

use crate::dialogue::{DialogueState, DialogueStore};
use crate::texts::{Arg, Texts};

/// The Bot API client of one tenant bot, rate-limited to Telegram's limits (per bot and per
/// chat); a 429 makes it wait `retry_after` and send again.
pub type TgBot = Throttle<teloxide::Bot>;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct Shared {
    pub store: Store,
    pub texts: Arc<Texts>,
    pub dialogues: DialogueStore,
    /// Zarinpal's client and callback URL (Telegram Stars need nothing more).
    pub online: online::OnlinePayments,
    /// Which internal squads the tenant's panel users would get: a sale is refused while they
    /// would get none ([`squads`]). `None` (a bot without panels, as in tests of the journey
    /// alone) checks nothing.
    pub squads: Option<Arc<dyn remnabot_domain::panel::SquadPolicy>>,
    /// The operator's Telegram ids (`ADMIN_IDS`): the only ones offered the Resellers area,
    /// and only in the master bot.
    pub operators: Arc<[remnabot_domain::TgUserId]>,
    /// Every bot's health as the fleet last saw it.
    pub health: crate::fleet::HealthBoard,
}

impl Shared {
    /// Dependencies with dialogues kept in the database and no online gateway configured
    /// (Telegram Stars still work): what tests, the bench and a plain set-up use.
    pub fn with_database_dialogues(store: Store, texts: Arc<Texts>) -> Shared {
        Shared {
            dialogues: DialogueStore::Database(store.clone()),
            store,
            texts,
            online: Default::default(),
            squads: None,
            operators: Arc::from(Vec::new()),
            health: Default::default(),
        }
    }

    /// The text `id` in `lang` (shorthand for `self.texts.get`).
    pub fn text(&self, lang: Language, id: &str, args: &[(&str, Arg)]) -> String {
        self.texts.get(lang, id, args)
    }
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

/// What handlers return.
pub type HandlerResult = Result<(), HandlerError>;

/// Handles one update of a running tenant bot.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails; the user has then been told that
/// something went wrong when that was possible.
pub async fn handle(shared: &Shared, bot: &TenantBot, update: Update) -> HandlerResult {
    match update.kind {
        UpdateKind::Message(msg) => on_message(shared, bot, msg).await,
        UpdateKind::CallbackQuery(q) => on_callback(shared, bot, q).await,
        UpdateKind::PreCheckoutQuery(q) => online::on_pre_checkout(shared, bot, q).await,
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

/// The Telegram id of `from` as ours.
pub(crate) fn tg_id(from: &teloxide::types::User) -> TgUserId {
    TgUserId(i64::try_from(from.id.0).unwrap_or(i64::MAX))
}

/// The customer behind `from` in this tenant, registered on first contact (with
/// `referred_by` when they came through a referral link). Returns whether this call
/// registered them.
async fn register(
    shared: &Shared,
    bot: &TenantBot,
    from: &teloxide::types::User,
    referred_by: Option<UserId>,
) -> Result<(User, bool), HandlerError> {
    // `register` looks the customer up first and creates them only when new; an existing
    // customer keeps their referrer.
    let offered = shared.store.configs().languages(&bot.tenant).await?;
    let new = NewUser {
        telegram_id: tg_id(from),
        username: from.username.clone(),
        first_name: Some(from.first_name.chars().take(255).collect()),
        language: initial_language(&offered, from.language_code.as_deref()),
        referred_by,
    };
    Ok(shared.store.users().register(&bot.tenant, new).await?)
}

/// The referrer named by a `/start ref_<code>` payload, if that code is a customer of this
/// tenant other than `from`.
async fn referrer(
    shared: &Shared,
    bot: &TenantBot,
    from: &teloxide::types::User,
    payload: &str,
) -> Result<Option<UserId>, HandlerError> {
    let Some(code) = payload.strip_prefix("ref_") else { return Ok(None) };
    if code.is_empty() || code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    let found = shared.store.users().by_referral_code(&bot.tenant, &code.to_ascii_uppercase()).await?;
    Ok(found.filter(|u| u.telegram_id != tg_id(from)).map(|u| u.id))
}

/// A message's command (`/start`, without `@BotName`) and the rest of its text.
fn command_of(text: &str) -> Option<(&str, &str)> {
    if !text.starts_with('/') {
        return None;
    }
    let (first, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    // `/start@MyBot` in a private chat is the same command.
    let command = first.split('@').next().unwrap_or(first);
    Some((command, rest.trim()))
}

async fn on_message(shared: &Shared, bot: &TenantBot, msg: Message) -> HandlerResult {
    let Some(from) = msg.from.as_ref() else { return Ok(()) };
    if !msg.chat.is_private() {
        // Groups are only the tenant's admin chat, where an admin may answer a question of
        // the review (a reject reason). Nobody is registered as a customer from a group.
        return admin::on_group_message(shared, bot, &msg, from).await;
    }
    if msg.successful_payment().is_some() {
        return online::on_successful_payment(shared, bot, &msg).await;
    }
    let chat = msg.chat.id;
    let text = msg.text().unwrap_or_default().trim();
    let command = command_of(text);
    let referred_by = match command {
        Some(("/start", payload)) => referrer(shared, bot, from, payload).await?,
        _ => None,
    };
    let (user, created) = register(shared, bot, from, referred_by).await?;
    if user.is_blocked {
        return Ok(());
    }
    // The panel, for the tenant's admins only: anyone else's `/admin` or Admin label goes
    // on below like any other unknown text.
    if panel::asks_for_panel(&shared.texts, text) && panel::is_admin(shared, bot, user.telegram_id).await? {
        end_question(shared, bot, chat).await?;
        return panel::open(shared, bot, &user, chat).await;
    }
    // First contact, unless the bot already asked this chat something (an admin whose
    // first private message answers a question of the review).
    if created
        && (matches!(command, Some(("/start", _)))
            || shared.dialogues.get(&bot.tenant, chat.0).await? == DialogueState::Idle)
    {
        return first_contact(shared, bot, &user, chat).await;
    }
    match command {
        Some(("/start", _)) => {
            // `/start` ends any open question (read first: most chats have none, and a read
            // is cheaper than a write).
            end_question(shared, bot, chat).await?;
            return send_welcome(shared, bot, &user, chat).await;
        }
        Some(("/language", _)) => return ask_language(shared, bot, &user, chat).await,
        Some(("/refund_stars", rest)) => return online::refund_command(shared, bot, &user, chat, rest).await,
        _ => {}
    }
    if let Some(item) = MenuItem::from_label(&shared.texts, text) {
        // A menu button ends any open question: the customer moved on.
        end_question(shared, bot, chat).await?;
        return open_menu_item(shared, bot, &user, chat, item).await;
    }
    let state = shared.dialogues.get(&bot.tenant, chat.0).await?;
    on_dialogue_message(shared, bot, &user, chat, &msg, state).await
}

/// Ends the open question of `chat`, if any.
pub(crate) async fn end_question(shared: &Shared, bot: &TenantBot, chat: ChatId) -> HandlerResult {
    if shared.dialogues.get(&bot.tenant, chat.0).await? != DialogueState::Idle {
        shared.dialogues.set(&bot.tenant, chat.0, DialogueState::Idle).await?;
    }
    Ok(())
}

/// A private message that is neither a command nor a menu button, given the question the
/// bot is waiting for an answer to. One arm per dialogue state.
async fn on_dialogue_message(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    msg: &Message,
    state: DialogueState,
) -> HandlerResult {
    match state {
        DialogueState::Idle => checkout::on_idle_message(shared, bot, user, chat, msg).await,
        DialogueState::ChoosingLanguage => {
            let text = msg.text().unwrap_or_default().trim();
            let offered = shared.store.configs().languages(&bot.tenant).await?;
            let chosen = offered
                .into_iter()
                .find(|l| text.eq_ignore_ascii_case(l.code()) || text == shared.texts.language_name(*l));
            match chosen {
                Some(lang) => switch_language(shared, bot, user, chat, lang).await,
                None => ask_language(shared, bot, user, chat).await,
            }
        }
        DialogueState::AwaitingReceipt { payment } => checkout::on_receipt(shared, bot, user, chat, msg, payment).await,
        DialogueState::AwaitingRejectReason { .. } => {
            // The question was asked in an admin's private chat that is also a customer's.
            admin::on_reject_reason(shared, bot, msg, tg_id_of(msg), chat, state).await
        }
        DialogueState::Panel { at, message } => panel::on_answer(shared, bot, user, chat, msg, at, message).await,
        DialogueState::TopUpAmount
        | DialogueState::PromoCode
        | DialogueState::TicketOpening
        | DialogueState::TicketReplying { .. }
        | DialogueState::TicketAnswering { .. } => account::on_message(shared, bot, user, chat, msg, state).await,
    }
}

/// The sender of `msg` (0 when Telegram did not say).
fn tg_id_of(msg: &Message) -> TgUserId {
    msg.from.as_ref().map_or(TgUserId(0), tg_id)
}

/// First contact: the welcome, and the language choice when the tenant offers more than one
/// (the menu follows the choice); otherwise the welcome with the menu.
async fn first_contact(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let offered = shared.store.configs().languages(&bot.tenant).await?;
    if offered.len() < 2 {
        return send_welcome(shared, bot, user, chat).await;
    }
    let welcome = welcome_text(shared, bot, user).await?;
    bot.tg.send_message(chat, welcome).reply_markup(language_buttons(shared, &offered)).await?;
    Ok(())
}

async fn welcome_text(shared: &Shared, bot: &TenantBot, user: &User) -> Result<String, HandlerError> {
    Ok(match shared.store.configs().welcome_text(&bot.tenant).await? {
        Some(text) => text,
        None => {
            let name = user.first_name.clone().unwrap_or_default();
            shared.text(user.language, "welcome-default", &[("name", name.into())])
        }
    })
}

async fn send_welcome(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let welcome = welcome_text(shared, bot, user).await?;
    let menu = main_menu(shared, bot, user.telegram_id, user.language).await?;
    bot.tg.send_message(chat, welcome).reply_markup(menu).await?;
    Ok(())
}

/// A main-menu button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuItem {
    MySubscription,
    Buy,
    Renew,
    Balance,
    Trial,
    Referral,
    PromoCode,
    Support,
    Language,
}

impl MenuItem {
    /// Every item, in menu order.
    pub const ALL: [MenuItem; 9] = [
        MenuItem::MySubscription,
        MenuItem::Buy,
        MenuItem::Renew,
        MenuItem::Balance,
        MenuItem::Trial,
        MenuItem::Referral,
        MenuItem::PromoCode,
        MenuItem::Support,
        MenuItem::Language,
    ];

    /// The message id of the button's label.
    pub fn label_id(self) -> &'static str {
        match self {
            MenuItem::MySubscription => "menu-my-subscription",
            MenuItem::Buy => "menu-buy",
            MenuItem::Renew => "menu-renew",
            MenuItem::Balance => "menu-balance",
            MenuItem::Trial => "menu-trial",
            MenuItem::Referral => "menu-referral",
            MenuItem::PromoCode => "menu-promo-code",
            MenuItem::Support => "menu-support",
            MenuItem::Language => "menu-language",
        }
    }

    /// The feature flag the item needs, if any.
    pub fn feature(self) -> Option<FeatureKey> {
        match self {
            MenuItem::Trial => Some(FeatureKey::Trial),
            MenuItem::Referral => Some(FeatureKey::Referral),
            MenuItem::PromoCode => Some(FeatureKey::PromoCodes),
            MenuItem::Support => Some(FeatureKey::SupportTickets),
            MenuItem::MySubscription | MenuItem::Buy | MenuItem::Renew | MenuItem::Balance | MenuItem::Language => None,
        }
    }

    /// The item whose label is `text` in any language (a keyboard sent before a language
    /// switch still works).
    pub fn from_label(texts: &Texts, text: &str) -> Option<MenuItem> {
        if text.is_empty() || text.len() > 200 {
            return None;
        }
        MenuItem::ALL
            .into_iter()
            .find(|item| Language::ALL.iter().any(|lang| texts.get(*lang, item.label_id(), &[]) == text))
    }
}

/// Whether `feature` is on for this tenant (`None`: always on).
pub(crate) async fn feature_on(
    shared: &Shared,
    bot: &TenantBot,
    feature: Option<FeatureKey>,
) -> Result<bool, HandlerError> {
    match feature {
        Some(f) => Ok(shared.store.flags().is_enabled(&bot.tenant, f).await?),
        None => Ok(true),
    }
}

/// Runs a main-menu item, or says that the feature is off (an old keyboard, typed text).
async fn open_menu_item(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId, item: MenuItem) -> HandlerResult {
    if !feature_on(shared, bot, item.feature()).await? {
        let menu = main_menu(shared, bot, user.telegram_id, user.language).await?;
        bot.tg.send_message(chat, shared.text(user.language, "feature-disabled", &[])).reply_markup(menu).await?;
        return Ok(());
    }
    match item {
        MenuItem::MySubscription => shop::show_subscription(shared, bot, user, chat).await,
        MenuItem::Buy => shop::show_plans(shared, bot, user, chat, shop::Purpose::Purchase, None).await,
        MenuItem::Renew => shop::show_renewal(shared, bot, user, chat).await,
        MenuItem::Trial => shop::offer_trial(shared, bot, user, chat).await,
        MenuItem::Balance => account::show_balance(shared, bot, user, chat).await,
        MenuItem::Referral => account::show_referral(shared, bot, user, chat).await,
        MenuItem::PromoCode => account::ask_promo_code(shared, bot, user, chat).await,
        MenuItem::Support => account::open_support(shared, bot, user, chat).await,
        MenuItem::Language => ask_language(shared, bot, user, chat).await,
    }
}

/// The main menu of `who`: the items of features the tenant has switched on, and Admin for
/// the tenant's admins.
pub(crate) async fn main_menu(
    shared: &Shared,
    bot: &TenantBot,
    who: TgUserId,
    lang: Language,
) -> Result<KeyboardMarkup, HandlerError> {
    let mut buttons = Vec::with_capacity(MenuItem::ALL.len() + 1);
    for item in MenuItem::ALL {
        if feature_on(shared, bot, item.feature()).await? {
            buttons.push(KeyboardButton::new(shared.text(lang, item.label_id(), &[])));
        }
    }
    if panel::is_admin(shared, bot, who).await? {
        buttons.push(KeyboardButton::new(shared.text(lang, panel::MENU_LABEL, &[])));
    }
    let rows: Vec<Vec<KeyboardButton>> = buttons.chunks(2).map(<[KeyboardButton]>::to_vec).collect();
    Ok(KeyboardMarkup::new(rows).resize_keyboard())
}

/// Inline buttons `lang:<code>` for the offered languages, each named in itself.
fn language_buttons(shared: &Shared, offered: &[Language]) -> InlineKeyboardMarkup {
    let buttons: Vec<Vec<InlineKeyboardButton>> = offered
        .iter()
        .map(|l| vec![InlineKeyboardButton::callback(shared.texts.language_name(*l), format!("lang:{}", l.code()))])
        .collect();
    InlineKeyboardMarkup::new(buttons)
}

async fn ask_language(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    shared.dialogues.set(&bot.tenant, chat.0, DialogueState::ChoosingLanguage).await?;
    let offered = shared.store.configs().languages(&bot.tenant).await?;
    bot.tg
        .send_message(chat, shared.text(user.language, "language-prompt", &[]))
        .reply_markup(language_buttons(shared, &offered))
        .await?;
    Ok(())
}

async fn switch_language(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId, lang: Language) -> HandlerResult {
    shared.store.users().set_language(&bot.tenant, user.id, lang).await?;
    end_question(shared, bot, chat).await?;
    let name = shared.texts.language_name(lang);
    let text = shared.text(lang, "language-changed", &[("language", name.into())]);
    let menu = main_menu(shared, bot, user.telegram_id, lang).await?;
    bot.tg.send_message(chat, text).reply_markup(menu).await?;
    Ok(())
}

/// Callback data the bots understand, by prefix. Anything else is refused with a short
/// answer: old buttons and forged data never reach a handler's logic. Telegram limits
/// callback data to 64 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Callback {
    /// `lang:<code>`.
    Language(Language),
    /// `shop:...`, parsed by [`shop::Action::parse`].
    Shop(shop::Action),
    /// `adm:...`, parsed by [`admin::Action::parse`].
    Admin(admin::Action),
    /// `acct:...`: the rest, which `account::on_callback` parses (and refuses when unknown).
    Account(String),
    /// `pay:...`, parsed by [`online::Action::parse`].
    Online(online::Action),
    /// A button of the admin panel (`pn:`, and each area's prefix), parsed by
    /// [`panel::Press::parse`].
    Panel(panel::Press),
}

impl Callback {
    fn parse(data: &str) -> Option<Callback> {
        if data.len() > 64 {
            return None;
        }
        let (kind, value) = data.split_once(':')?;
        match kind {
            "lang" => Language::parse(value).ok().map(Callback::Language),
            "shop" => shop::Action::parse(value).map(Callback::Shop),
            "adm" => admin::Action::parse(value).map(Callback::Admin),
            "acct" => Some(Callback::Account(value.to_owned())),
            "pay" => online::Action::parse(value).map(Callback::Online),
            _ => panel::Press::parse(kind, value).map(Callback::Panel),
        }
    }
}

async fn on_callback(shared: &Shared, bot: &TenantBot, q: CallbackQuery) -> HandlerResult {
    let parsed = q.data.as_deref().and_then(Callback::parse);
    if let Some(Callback::Admin(action)) = parsed {
        // Admins act as admins of this tenant, not as its customers: no registration.
        return admin::on_callback(shared, bot, &q, action).await;
    }
    if let Some(Callback::Panel(press)) = parsed {
        // Authorized again inside, like every press; refused like a stale button otherwise.
        return panel::on_press(shared, bot, &q, press).await;
    }
    if let Some(Callback::Account(rest)) = &parsed
        && let Some(action) = account::Action::parse(rest).filter(|a| a.is_admin())
    {
        // The ticket buttons of the tenant's admins: answered as an admin, no registration.
        return account::on_admin_callback(shared, bot, &q, action).await;
    }
    let (user, _) = register(shared, bot, &q.from, None).await?;
    if user.is_blocked {
        bot.tg.answer_callback_query(q.id.clone()).await?;
        return Ok(());
    }
    let chat = ChatId(user.telegram_id.0);
    match parsed {
        Some(Callback::Language(lang)) => {
            let offered = shared.store.configs().languages(&bot.tenant).await?;
            bot.tg.answer_callback_query(q.id.clone()).await?;
            if offered.contains(&lang) {
                switch_language(shared, bot, &user, chat, lang).await
            } else {
                ask_language(shared, bot, &user, chat).await
            }
        }
        Some(Callback::Shop(action)) => shop::on_callback(shared, bot, &user, chat, &q, action).await,
        Some(Callback::Account(rest)) => account::on_callback(shared, bot, &user, chat, &q, &rest).await,
        Some(Callback::Online(action)) => online::on_callback(shared, bot, &user, chat, &q, action).await,
        Some(Callback::Admin(_) | Callback::Panel(_)) | None => refuse_callback(shared, bot, &q, user.language).await,
    }
}

/// Answers a callback whose data is unknown or stale; nothing changes.
pub(crate) async fn refuse_callback(
    shared: &Shared,
    bot: &TenantBot,
    q: &CallbackQuery,
    lang: Language,
) -> HandlerResult {
    answer(shared, bot, q, lang, "button-stale").await
}

/// Answers a callback with the text `id` (a short notice at the top of the chat).
pub(crate) async fn answer(
    shared: &Shared,
    bot: &TenantBot,
    q: &CallbackQuery,
    lang: Language,
    id: &str,
) -> HandlerResult {
    bot.tg.answer_callback_query(q.id.clone()).text(shared.text(lang, id, &[])).await?;
    Ok(())
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
        assert_eq!(Callback::parse("acct:balance"), Some(Callback::Account("balance".into())));
        for bad in ["", "lang", "lang:de", "buy:1", "lang:en:extra", ":", "shop:", "adm:ok:x", "shop:plan:p:-1"] {
            assert_eq!(Callback::parse(bad), None, "{bad:?}");
        }
        let long = format!("acct:{}", "x".repeat(64));
        assert_eq!(Callback::parse(&long), None, "longer than Telegram allows");
    }

    #[test]
    fn commands_are_split_from_their_payload() {
        assert_eq!(command_of("/start ref_ABC"), Some(("/start", "ref_ABC")));
        assert_eq!(command_of("/start@ShopBot"), Some(("/start", "")));
        assert_eq!(command_of("/language"), Some(("/language", "")));
        assert_eq!(command_of("hello"), None);
    }

    #[test]
    fn menu_labels_are_recognised_in_every_language() {
        let texts = Texts::load().unwrap_or_else(|e| panic!("{e}"));
        for lang in Language::ALL {
            for item in MenuItem::ALL {
                let label = texts.get(lang, item.label_id(), &[]);
                assert_eq!(MenuItem::from_label(&texts, &label), Some(item), "{label}");
            }
        }
        assert_eq!(MenuItem::from_label(&texts, "buy"), None);
    }
}
