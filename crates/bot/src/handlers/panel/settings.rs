//! Settings: the tenant's welcome text, languages, support contact, admins and admin chat,
//! trial, card payment and receipt review windows, referral percent, and each customer
//! feature on or off. Each value is asked in a short dialogue, read into the configuration's
//! JSON shape and set through [`remnabot_store::changes::Changes`] (as the API's `/config`
//! and `/features` routes do), so the domain validates it; a refused value is shown with the
//! domain's own reason and asked again, and nothing is written.

use remnabot_domain::config::{ConfigKey, Language, validate_value};
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::text::{SupportContact, WelcomeText};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use teloxide::types::Message;

use super::input::{self, Refusal};
use super::screen::{button, clip};
use super::{Area, Ctx, PanelState, Screen};
use crate::handlers::{HandlerError, HandlerResult};

/// The settings area.
#[derive(Debug, Clone, Copy)]
pub struct Settings;

/// A setting edited through a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Setting {
    Welcome,
    Languages,
    Support,
    Admins,
    AdminChat,
    Trial,
    CardMinutes,
    ReviewHours,
    Referral,
}

impl Setting {
    const ALL: [Setting; 9] = [
        Setting::Welcome,
        Setting::Languages,
        Setting::Support,
        Setting::Admins,
        Setting::AdminChat,
        Setting::Trial,
        Setting::CardMinutes,
        Setting::ReviewHours,
        Setting::Referral,
    ];

    fn code(self) -> &'static str {
        match self {
            Setting::Welcome => "wel",
            Setting::Languages => "lang",
            Setting::Support => "sup",
            Setting::Admins => "adm",
            Setting::AdminChat => "chat",
            Setting::Trial => "trial",
            Setting::CardMinutes => "cpm",
            Setting::ReviewHours => "rrh",
            Setting::Referral => "ref",
        }
    }

    fn parse(code: &str) -> Option<Setting> {
        Setting::ALL.into_iter().find(|s| s.code() == code)
    }

    fn key(self) -> ConfigKey {
        match self {
            Setting::Welcome => ConfigKey::WelcomeText,
            Setting::Languages => ConfigKey::Languages,
            Setting::Support => ConfigKey::SupportContact,
            Setting::Admins => ConfigKey::AdminIds,
            Setting::AdminChat => ConfigKey::AdminChatId,
            Setting::Trial => ConfigKey::Trial,
            Setting::CardMinutes => ConfigKey::CardPaymentMinutes,
            Setting::ReviewHours => ConfigKey::ReceiptReviewHours,
            Setting::Referral => ConfigKey::ReferralPercent,
        }
    }

    /// The text ids of its button and its question.
    fn texts(self) -> (&'static str, &'static str) {
        match self {
            Setting::Welcome => ("panel-set-welcome", "panel-set-ask-welcome"),
            Setting::Languages => ("panel-set-languages", "panel-set-ask-languages"),
            Setting::Support => ("panel-set-support", "panel-set-ask-support"),
            Setting::Admins => ("panel-set-admins", "panel-set-ask-admins"),
            Setting::AdminChat => ("panel-set-admin-chat", "panel-set-ask-admin-chat"),
            Setting::Trial => ("panel-set-trial", "panel-set-ask-trial"),
            Setting::CardMinutes => ("panel-set-card-minutes", "panel-set-ask-card-minutes"),
            Setting::ReviewHours => ("panel-set-review-hours", "panel-set-ask-review-hours"),
            Setting::Referral => ("panel-set-referral", "panel-set-ask-referral"),
        }
    }

    /// Whether `-` removes it, so its default applies again.
    fn clearable(self) -> bool {
        matches!(self, Setting::Welcome | Setting::Support | Setting::AdminChat)
    }
}

/// Callback data `ps:...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `ps:home`: every setting and its value.
    Home,
    /// `ps:set:<setting>`: asks for a new value.
    Set(Setting),
    /// `ps:feat`: the customer features.
    Features,
    /// `ps:f:<key>:1` / `:0`: switches a feature on or off (the state wanted).
    Feature(FeatureKey, bool),
}

/// The questions of the settings area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ask {
    /// A new value for the setting.
    Value(Setting),
}

impl Area for Settings {
    const PREFIX: &'static str = "ps";
    const LABEL: &'static str = "panel-area-settings";
    type Action = Action;
    type State = Ask;

    fn parse(rest: &str) -> Option<Action> {
        let mut parts = rest.split(':');
        let (verb, a, b) = (parts.next()?, parts.next(), parts.next());
        if parts.next().is_some() {
            return None;
        }
        match (verb, a, b) {
            ("home", None, None) => Some(Action::Home),
            ("feat", None, None) => Some(Action::Features),
            ("set", Some(s), None) => Setting::parse(s).map(Action::Set),
            ("f", Some(key), Some(on)) => {
                let key = FeatureKey::ALL.into_iter().find(|k| k.as_str() == key)?;
                match on {
                    "1" => Some(Action::Feature(key, true)),
                    "0" => Some(Action::Feature(key, false)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn home() -> Action {
        Action::Home
    }

    fn data(action: &Action) -> String {
        match action {
            Action::Home => "ps:home".to_owned(),
            Action::Set(s) => format!("ps:set:{}", s.code()),
            Action::Features => "ps:feat".to_owned(),
            Action::Feature(key, on) => format!("ps:f:{}:{}", key.as_str(), u8::from(*on)),
        }
    }

    async fn press(ctx: &Ctx<'_>, action: Action, _pending: Option<Ask>) -> HandlerResult {
        match action {
            Action::Home => home(ctx, None).await,
            Action::Set(setting) => ask(ctx, setting, None).await,
            Action::Features => features(ctx, None).await,
            Action::Feature(key, on) => {
                ctx.changes().set_feature(ctx.tenant(), key, on, None).await?;
                features(ctx, Some(ctx.t("panel-saved", &[]))).await
            }
        }
    }

    async fn answer(ctx: &Ctx<'_>, state: Ask, msg: &Message) -> HandlerResult {
        let Ask::Value(setting) = state;
        on_value(ctx, setting, msg.text()).await
    }
}

fn data(action: Action) -> String {
    Settings::data(&action)
}

fn feature_label(key: FeatureKey) -> &'static str {
    match key {
        FeatureKey::CardToCard => "panel-feature-card-to-card",
        FeatureKey::Zarinpal => "panel-feature-zarinpal",
        FeatureKey::TelegramStars => "panel-feature-stars",
        FeatureKey::Trial => "panel-feature-trial",
        FeatureKey::Referral => "panel-feature-referral",
        FeatureKey::PromoCodes => "panel-feature-promo-codes",
        FeatureKey::SupportTickets => "panel-feature-support",
        FeatureKey::AutoRenewal => "panel-feature-auto-renewal",
    }
}

/// The current value of every setting, as the settings screen shows it.
async fn values(ctx: &Ctx<'_>) -> Result<String, HandlerError> {
    let configs = ctx.store().configs();
    let t = ctx.tenant();
    let unset = || ctx.t("panel-set-unset", &[]);
    let welcome = configs.welcome_text(t).await?.map_or_else(unset, |w| clip(&w, 200));
    let languages: Vec<&str> = configs.languages(t).await?.into_iter().map(Language::code).collect();
    let support = configs.support_contact(t).await?.unwrap_or_else(unset);
    let admins: Vec<String> = configs.admin_ids(t).await?.iter().map(i64::to_string).collect();
    let chat = configs.admin_chat_id(t).await?.map_or_else(unset, |c| c.to_string());
    let trial = configs.trial(t).await?;
    let minutes = configs.card_payment_window(t).await?.num_minutes();
    let hours = configs.receipt_review_window(t).await?.num_hours();
    let referral = configs.referral_percent(t).await?;
    Ok(ctx.t(
        "panel-set-values",
        &[
            ("text", welcome.into()),
            ("language", languages.join(", ").into()),
            ("contact", support.into()),
            ("admin", clip(&admins.join(", "), 600).into()),
            ("chat", chat.into()),
            ("days", trial.days.into()),
            ("gb", trial.traffic_gb.into()),
            ("devices", trial.device_limit.into()),
            ("minutes", minutes.into()),
            ("hours", hours.into()),
            ("percent", u32::from(referral).into()),
        ],
    ))
}

async fn home(ctx: &Ctx<'_>, note: Option<String>) -> HandlerResult {
    let screen = Screen::new(note.unwrap_or_default()).with_line(&values(ctx).await?);
    let buttons: Vec<_> = Setting::ALL.iter().map(|s| button(ctx.t(s.texts().0, &[]), data(Action::Set(*s)))).collect();
    let screen = screen.with_grid(buttons, 2).with_button(ctx.t("panel-set-features", &[]), data(Action::Features));
    ctx.show(ctx.nav(screen, None)).await?;
    Ok(())
}

async fn features(ctx: &Ctx<'_>, note: Option<String>) -> HandlerResult {
    let flags = ctx.store().flags().list(ctx.tenant()).await?;
    let mut screen = Screen::new(note.unwrap_or_default()).with_line(&ctx.t("panel-set-features-title", &[]));
    for flag in flags {
        let mark = if flag.enabled { "✅" } else { "⛔" };
        let label = format!("{mark} {}", ctx.t(feature_label(flag.key), &[]));
        screen = screen.with_button(label, data(Action::Feature(flag.key, !flag.enabled)));
    }
    ctx.show(ctx.nav(screen, Some(data(Action::Home)))).await?;
    Ok(())
}

async fn ask(ctx: &Ctx<'_>, setting: Setting, note: Option<String>) -> HandlerResult {
    let max = match setting {
        Setting::Welcome => WelcomeText::MAX_CHARS,
        Setting::Support => SupportContact::MAX_CHARS,
        _ => 0,
    };
    let question = ctx.t(setting.texts().1, &[("max", max.into())]);
    let mut screen = Screen::new(note.unwrap_or_default()).with_line(&question);
    if setting.clearable() {
        screen = screen.with_line(&ctx.t("panel-set-clear-hint", &[]));
    }
    let screen = screen.with_button(ctx.t("panel-cancel", &[]), data(Action::Home));
    ctx.ask(PanelState::Settings(Ask::Value(setting)), screen).await
}

/// The largest number read for a setting; every setting's range is far below it, so a
/// larger one gets the domain's reason for that setting.
const BIG: i64 = 1_000_000_000_000_000;

/// A whole number for `key`, as JSON. One too large to read is refused with the domain's own
/// reason for the key.
fn number(key: ConfigKey, text: &str) -> Result<i64, Refusal> {
    match input::number_in(text, -BIG..=BIG) {
        Ok(n) => Ok(n),
        Err(Refusal::Range { .. }) => match validate_value(key.as_str(), &json!(i64::MAX)) {
            Err(e) => Err(Refusal::Rejected(input::rejection(&e))),
            Ok(()) => Err(Refusal::Range { min: -BIG, max: BIG }),
        },
        Err(r) => Err(r),
    }
}

/// The words of `text` (split at spaces, commas and Persian commas).
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '،').filter(|w| !w.is_empty()).collect()
}

/// The configuration value typed for `setting`, before the domain checks it.
fn value_of(ctx: &Ctx<'_>, setting: Setting, text: Option<&str>) -> Result<Value, Refusal> {
    let key = setting.key();
    let raw = text.ok_or(Refusal::Empty)?;
    Ok(match setting {
        Setting::Welcome => json!(input::required(text, WelcomeText::RULE)?),
        Setting::Support => json!(input::required(text, SupportContact::RULE)?),
        Setting::Languages => {
            if raw.chars().count() > 100 {
                return Err(Refusal::TooLong { max: 100 });
            }
            let codes: Vec<String> = words(raw).iter().map(|w| w.to_lowercase()).collect();
            if codes.is_empty() {
                return Err(Refusal::Empty);
            }
            // An unknown code is the likeliest mistake: said in the admin's language (the
            // domain still checks the list: duplicates, how many).
            if let Some(unknown) = codes.iter().find(|c| Language::parse(c).is_err()) {
                let code = clip(unknown, 20);
                return Err(Refusal::Domain(ctx.t("panel-set-unknown-language", &[("code", code.into())])));
            }
            json!(codes)
        }
        Setting::Admins => {
            if raw.chars().count() > 2000 {
                return Err(Refusal::TooLong { max: 2000 });
            }
            let ids = words(raw).into_iter().map(|w| number(key, w)).collect::<Result<Vec<i64>, _>>()?;
            if ids.is_empty() {
                return Err(Refusal::Empty);
            }
            // An admin cannot lock themselves out from the panel; the operator can.
            if !ids.contains(&ctx.admin.0) {
                return Err(Refusal::Domain(ctx.t("panel-set-admins-self", &[])));
            }
            json!(ids)
        }
        Setting::Trial => {
            let parts = words(raw);
            if parts.len() != 3 || raw.chars().count() > 100 {
                return Err(Refusal::Domain(ctx.t("panel-set-trial-shape", &[])));
            }
            let n = parts.iter().map(|w| number(key, w)).collect::<Result<Vec<i64>, _>>()?;
            json!({"days": n[0], "traffic_gb": n[1], "device_limit": n[2]})
        }
        Setting::AdminChat | Setting::CardMinutes | Setting::ReviewHours | Setting::Referral => {
            json!(number(key, raw)?)
        }
    })
}

async fn on_value(ctx: &Ctx<'_>, setting: Setting, text: Option<&str>) -> HandlerResult {
    let key = setting.key().as_str();
    if setting.clearable() && input::is_skip(text) {
        match ctx.changes().delete_config(ctx.tenant(), key).await {
            // Never set: already the default.
            Ok(()) | Err(remnabot_domain::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        return home(ctx, Some(ctx.t("panel-saved", &[]))).await;
    }
    let value = match value_of(ctx, setting, text) {
        Ok(value) => value,
        Err(r) => return ask(ctx, setting, Some(input::refusal_text(ctx, &r))).await,
    };
    match ctx.changes().set_config(ctx.tenant(), key, value).await {
        Ok(()) => home(ctx, Some(ctx.t("panel-saved", &[]))).await,
        Err(e) => {
            let note = input::refusal_text(ctx, &input::refused(e)?);
            ask(ctx, setting, Some(note)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_data_round_trips_and_fits_telegram() {
        let mut actions = vec![Action::Home, Action::Features];
        actions.extend(Setting::ALL.map(Action::Set));
        for key in FeatureKey::ALL {
            actions.extend([Action::Feature(key, true), Action::Feature(key, false)]);
        }
        for action in actions {
            let data = Settings::data(&action);
            assert!(data.len() <= 64, "{data}");
            assert_eq!(Settings::parse(data.strip_prefix("ps:").unwrap_or_default()), Some(action), "{data}");
        }
        for bad in ["", "set", "set:x", "f:trial", "f:trial:2", "f:nope:1", "home:1", "feat:1"] {
            assert_eq!(Settings::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_settings_area_offers_no_operator_only_key() {
        // The panel (`panel_url`, `panel_token`) and the wholesale price are the operator's:
        // a tenant's admins must not be able to set them from their own bot.
        for setting in Setting::ALL {
            assert!(!setting.key().operator_only(), "{:?}", setting.key());
        }
        assert!(ConfigKey::PanelUrl.operator_only() && ConfigKey::PanelToken.operator_only());
    }

    #[test]
    fn numbers_too_large_for_any_setting_get_the_domains_reason() {
        let err = number(ConfigKey::ReferralPercent, "99999999999999999999999");
        assert_eq!(err, Err(Refusal::Rejected(input::Rejection::Range { min: 0, max: 100 })));
        assert_eq!(number(ConfigKey::ReferralPercent, "۱۵"), Ok(15));
        assert_eq!(number(ConfigKey::ReferralPercent, "ten"), Err(Refusal::NotANumber));
        assert_eq!(words("fa, en،ru  "), ["fa", "en", "ru"]);
    }
}
