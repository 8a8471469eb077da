//! The bots' texts, read from Fluent resource files in Persian (the default), English and
//! Russian, plus the formatting of numbers and amounts for each language.
//!
//! The files of each language, `locales/{lang}.ftl` (start, menu, languages) plus
//! `{lang}-shop.ftl` (plans, checkout, payments, subscriptions), `{lang}-account.ftl`
//! (balance, promo codes, referral, support), `{lang}-online.ftl` (Zarinpal, Stars),
//! `{lang}-admin.ftl` (the admin panel), `{lang}-panel-setup.ftl` (the panel's plans,
//! cards, promotions and settings) and `{lang}-admin-customers.ftl` (its customers,
//! payments, tickets and audit log areas), are joined per language, embedded in the
//! binary and loaded once
//! with [`Texts::load`]; the result is `Send + Sync`, so one `Arc<Texts>` serves every bot
//! and task. Loading checks that every message exists in all three files with the same
//! variables, so a text is never missing in only one language.
//!
//! Arguments are given as [`Arg`]s. Numbers ([`Arg::Int`]) stay numbers for Fluent, so
//! plural selectors (`{ $days -> [one] … *[other] … }`) follow each language's plural rules,
//! and are written with the language's digits and group separators ([`format_number`]).
//! Amounts ([`Arg::Money`]) reach Fluent already formatted ([`format_amount`]), so Fluent's
//! own number formatting never touches them.
//!
//! Texts are produced without Unicode isolation marks (U+2068/U+2069), which Telegram would
//! keep as invisible characters. Persian stays readable without them because `fa.ftl`
//! starts every Persian line with a Persian word and puts links on lines of their own
//! (each line takes its direction from its first strong character); a test checks this.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::sync::{Mutex, PoisonError};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentError, FluentResource, FluentValue};
use remnabot_domain::config::Language;
use remnabot_domain::money::Toman;
use unic_langid::LanguageIdentifier;

/// The Persian resource file.
const FA_FTL: &str = concat!(
    include_str!("../locales/fa.ftl"),
    "\n",
    include_str!("../locales/fa-shop.ftl"),
    "\n",
    include_str!("../locales/fa-account.ftl"),
    "\n",
    include_str!("../locales/fa-online.ftl"),
    "\n",
    include_str!("../locales/fa-admin.ftl"),
    "\n",
    include_str!("../locales/fa-panel-setup.ftl"),
    "\n",
    include_str!("../locales/fa-admin-customers.ftl"),
    "\n",
    include_str!("../locales/fa-panel-resellers.ftl"),
);
/// The English resource file.
const EN_FTL: &str = concat!(
    include_str!("../locales/en.ftl"),
    "\n",
    include_str!("../locales/en-shop.ftl"),
    "\n",
    include_str!("../locales/en-account.ftl"),
    "\n",
    include_str!("../locales/en-online.ftl"),
    "\n",
    include_str!("../locales/en-admin.ftl"),
    "\n",
    include_str!("../locales/en-panel-setup.ftl"),
    "\n",
    include_str!("../locales/en-admin-customers.ftl"),
    "\n",
    include_str!("../locales/en-panel-resellers.ftl"),
);
/// The Russian resource file.
const RU_FTL: &str = concat!(
    include_str!("../locales/ru.ftl"),
    "\n",
    include_str!("../locales/ru-shop.ftl"),
    "\n",
    include_str!("../locales/ru-account.ftl"),
    "\n",
    include_str!("../locales/ru-online.ftl"),
    "\n",
    include_str!("../locales/ru-admin.ftl"),
    "\n",
    include_str!("../locales/ru-panel-setup.ftl"),
    "\n",
    include_str!("../locales/ru-admin-customers.ftl"),
    "\n",
    include_str!("../locales/ru-panel-resellers.ftl"),
);

/// How many distinct problems are remembered for warning once; past that, problems are no
/// longer logged (message ids come from code, so this is never reached in practice).
const MAX_WARNED: usize = 1024;

/// A thread-safe Fluent bundle of one language.
type Bundle = FluentBundle<FluentResource>;

/// Message ids with the variables each one uses, as read from one `.ftl` file.
type Catalog = BTreeMap<String, BTreeSet<String>>;

/// Why the texts could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextsError {
    /// A resource file is not valid Fluent.
    #[error("{lang}.ftl does not parse: {detail}")]
    Parse {
        /// The language code of the file.
        lang: &'static str,
        /// The parser's errors.
        detail: String,
    },
    /// A resource file parses but cannot be put in a bundle (e.g. a message defined twice).
    #[error("{lang}.ftl cannot be loaded: {detail}")]
    Bundle {
        /// The language code of the file.
        lang: &'static str,
        /// What went wrong.
        detail: String,
    },
    /// A message exists in one language but not in another.
    #[error("message `{id}` is in {present}.ftl but missing from {missing}.ftl")]
    Missing {
        /// The message id.
        id: String,
        /// The language code of a file that has it.
        present: &'static str,
        /// The language code of the file that lacks it.
        missing: &'static str,
    },
    /// A message uses different variables in two languages.
    #[error("message `{id}` uses variables [{expected}] in fa.ftl but [{found}] in {lang}.ftl")]
    Variables {
        /// The message id.
        id: String,
        /// The language code of the file that differs from Persian.
        lang: &'static str,
        /// The variables of the Persian message, comma-separated.
        expected: String,
        /// The variables of the message in `lang`, comma-separated.
        found: String,
    },
}

/// A value given to a message's variable.
///
/// Made with `.into()` from strings, integers and [`Toman`]:
/// `texts.get(lang, "welcome-default", &[("name", name.into())])`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Text shown as is, minus any Unicode bidi control characters (so a customer's name
    /// cannot reverse the rest of a message).
    Str(String),
    /// A number: selects plural forms and is written with the language's digits and group
    /// separators ([`format_number`]). Exact up to 2^53, as Fluent numbers are `f64`.
    Int(i64),
    /// An amount, written with [`format_amount`] in the message's language.
    Money(Toman),
}

impl From<&str> for Arg {
    fn from(value: &str) -> Arg {
        Arg::Str(value.to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Arg {
        Arg::Str(value)
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Arg {
        Arg::Str(value.clone())
    }
}

impl From<Cow<'_, str>> for Arg {
    fn from(value: Cow<'_, str>) -> Arg {
        Arg::Str(value.into_owned())
    }
}

impl From<i64> for Arg {
    fn from(value: i64) -> Arg {
        Arg::Int(value)
    }
}

impl From<i32> for Arg {
    fn from(value: i32) -> Arg {
        Arg::Int(i64::from(value))
    }
}

impl From<u32> for Arg {
    fn from(value: u32) -> Arg {
        Arg::Int(i64::from(value))
    }
}

impl From<u64> for Arg {
    /// Values above `i64::MAX` become `i64::MAX`.
    fn from(value: u64) -> Arg {
        Arg::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Arg {
    /// Values above `i64::MAX` become `i64::MAX`.
    fn from(value: usize) -> Arg {
        Arg::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<Toman> for Arg {
    fn from(value: Toman) -> Arg {
        Arg::Money(value)
    }
}

impl Arg {
    /// The Fluent value of this argument in a message of `lang`.
    fn to_fluent(&self, lang: Language) -> FluentValue<'_> {
        match self {
            Arg::Str(text) => FluentValue::String(strip_bidi_controls(text)),
            Arg::Int(n) => FluentValue::from(*n),
            Arg::Money(amount) => FluentValue::from(format_amount(lang, *amount)),
        }
    }
}

/// What a warning is about, so each kind is logged once per language and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Problem {
    /// The message is not in the language's file.
    Missing,
    /// Formatting the message reported errors (e.g. a variable without a value).
    Format,
}

/// The bots' texts in every language, loaded once and shared (it is `Send + Sync`).
pub struct Texts {
    /// Persian.
    fa: Bundle,
    /// English.
    en: Bundle,
    /// Russian.
    ru: Bundle,
    /// The problems already logged.
    warned: Mutex<HashSet<(Language, String, Problem)>>,
}

impl fmt::Debug for Texts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Texts").field("languages", &Language::ALL.map(Language::code)).finish_non_exhaustive()
    }
}

impl Texts {
    /// Loads the embedded `fa.ftl`, `en.ftl` and `ru.ftl`.
    ///
    /// # Errors
    /// [`TextsError`] when a file does not parse or cannot be loaded, or when a message is
    /// missing from a language or uses different variables there than in Persian. The
    /// embedded files are checked by tests, so this does not fail in practice.
    pub fn load() -> Result<Texts, TextsError> {
        Texts::from_sources(FA_FTL, EN_FTL, RU_FTL)
    }

    /// Loads texts from the given Persian, English and Russian sources.
    fn from_sources(fa: &str, en: &str, ru: &str) -> Result<Texts, TextsError> {
        let fa_bundle = bundle(Language::Fa, fa)?;
        let en_bundle = bundle(Language::En, en)?;
        let ru_bundle = bundle(Language::Ru, ru)?;
        let fa_catalog = catalog(fa);
        check_messages(Language::Fa, &fa_catalog, &fa_bundle)?;
        for (lang, source, bundle) in [(Language::En, en, &en_bundle), (Language::Ru, ru, &ru_bundle)] {
            let lang_catalog = catalog(source);
            check_messages(lang, &lang_catalog, bundle)?;
            check_same_messages(&fa_catalog, lang, &lang_catalog)?;
        }
        Ok(Texts { fa: fa_bundle, en: en_bundle, ru: ru_bundle, warned: Mutex::new(HashSet::new()) })
    }

    /// The text of message `id` in `lang`, with `args` as its variables.
    ///
    /// A message missing in `lang` falls back to Persian, then to `id` itself; a variable
    /// without a value shows as `{$name}`. Either problem is logged once as a warning.
    /// Never panics.
    pub fn get(&self, lang: Language, id: &str, args: &[(&str, Arg)]) -> String {
        if let Some(text) = self.format(lang, id, args) {
            return text;
        }
        self.warn_once(lang, id, Problem::Missing, &"no such message; falling back");
        if lang != Language::Fa
            && let Some(text) = self.format(Language::Fa, id, args)
        {
            return text;
        }
        id.to_owned()
    }

    /// The name of `lang` in that language itself (`فارسی`, `English`, `Русский`), for
    /// language pickers.
    pub fn language_name(&self, lang: Language) -> String {
        let id = match lang {
            Language::Fa => "language-name-fa",
            Language::En => "language-name-en",
            Language::Ru => "language-name-ru",
        };
        self.get(lang, id, &[])
    }

    /// The bundle of `lang`.
    fn bundle(&self, lang: Language) -> &Bundle {
        match lang {
            Language::Fa => &self.fa,
            Language::En => &self.en,
            Language::Ru => &self.ru,
        }
    }

    /// Formats message `id` of `lang`, logging formatting errors; `None` when `lang` has no
    /// such message.
    fn format(&self, lang: Language, id: &str, args: &[(&str, Arg)]) -> Option<String> {
        let (text, errors) = self.render(lang, id, args)?;
        if !errors.is_empty() {
            let detail = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
            self.warn_once(lang, id, Problem::Format, &detail);
        }
        Some(text)
    }

    /// Formats message `id` of `lang` and returns the text with Fluent's errors; `None`
    /// when `lang` has no such message.
    fn render(&self, lang: Language, id: &str, args: &[(&str, Arg)]) -> Option<(String, Vec<FluentError>)> {
        let bundle = self.bundle(lang);
        let pattern = bundle.get_message(id)?.value()?;
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, arg) in args {
            fluent_args.set(*name, arg.to_fluent(lang));
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned();
        Some((text, errors))
    }

    /// Logs `detail` as a warning, unless this problem of `lang` and `id` was logged before.
    fn warn_once(&self, lang: Language, id: &str, problem: Problem, detail: &dyn fmt::Display) {
        let id: String = id.chars().take(100).collect();
        {
            let mut warned = self.warned.lock().unwrap_or_else(PoisonError::into_inner);
            if warned.len() >= MAX_WARNED || !warned.insert((lang, id.clone(), problem)) {
                return;
            }
        }
        tracing::warn!(lang = lang.code(), id = %id, problem = ?problem, "text: {detail}");
    }
}

/// Builds the bundle of `lang` from `source`: no isolation marks, the `NUMBER` function,
/// and numbers written by [`format_number`].
fn bundle(lang: Language, source: &str) -> Result<Bundle, TextsError> {
    let resource = FluentResource::try_new(source.to_owned()).map_err(|(_, errors)| TextsError::Parse {
        lang: lang.code(),
        detail: errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
    })?;
    let locale: LanguageIdentifier =
        lang.code().parse().map_err(|e: unic_langid::LanguageIdentifierError| bundle_error(lang, e.to_string()))?;
    let mut bundle = Bundle::new_concurrent(vec![locale]);
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match lang {
        Language::Fa => format_value_fa,
        Language::En => format_value_en,
        Language::Ru => format_value_ru,
    }));
    bundle.add_builtins().map_err(|e| bundle_error(lang, e.to_string()))?;
    bundle
        .add_resource(resource)
        .map_err(|errors| bundle_error(lang, errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))?;
    Ok(bundle)
}

/// A [`TextsError::Bundle`] of `lang`.
fn bundle_error(lang: Language, detail: String) -> TextsError {
    TextsError::Bundle { lang: lang.code(), detail }
}

/// Checks that every message read from the source of `lang` is a message with a value in
/// its bundle (the source reader and Fluent's parser agree).
fn check_messages(lang: Language, catalog: &Catalog, bundle: &Bundle) -> Result<(), TextsError> {
    match catalog.keys().find(|id| bundle.get_message(id).and_then(|m| m.value()).is_none()) {
        Some(id) => Err(bundle_error(lang, format!("message `{id}` has no value"))),
        None => Ok(()),
    }
}

/// Checks that `lang` has exactly the messages of Persian, with the same variables.
fn check_same_messages(fa: &Catalog, lang: Language, other: &Catalog) -> Result<(), TextsError> {
    if let Some(id) = fa.keys().find(|id| !other.contains_key(*id)) {
        return Err(TextsError::Missing { id: id.clone(), present: "fa", missing: lang.code() });
    }
    if let Some(id) = other.keys().find(|id| !fa.contains_key(*id)) {
        return Err(TextsError::Missing { id: id.clone(), present: lang.code(), missing: "fa" });
    }
    for (id, expected) in fa {
        let found = other.get(id).cloned().unwrap_or_default();
        if *expected != found {
            let list = |vars: &BTreeSet<String>| vars.iter().map(String::as_str).collect::<Vec<_>>().join(", ");
            return Err(TextsError::Variables {
                id: id.clone(),
                lang: lang.code(),
                expected: list(expected),
                found: list(&found),
            });
        }
    }
    Ok(())
}

/// Reads the message ids of a Fluent source and the variables (`$name`) each one uses
/// inside its placeables. Terms (`-name`) and comments are skipped.
fn catalog(source: &str) -> Catalog {
    let mut catalog = Catalog::new();
    let mut current: Option<String> = None;
    let mut depth = 0_usize;
    for line in source.lines() {
        let body = match line.chars().next() {
            Some(c) if c.is_ascii_alphabetic() => {
                let Some((id, rest)) = line.split_once('=') else { continue };
                let id = id.trim().to_owned();
                catalog.entry(id.clone()).or_default();
                current = Some(id);
                depth = 0;
                rest
            }
            Some('#' | '-') => {
                current = None;
                continue;
            }
            _ => line,
        };
        if let Some(id) = &current
            && let Some(vars) = catalog.get_mut(id)
        {
            scan_variables(body, &mut depth, vars);
        }
    }
    catalog
}

/// Adds the variables referenced inside placeables of `text` to `vars`; `depth` carries
/// the placeable nesting over lines.
fn scan_variables(text: &str, depth: &mut usize, vars: &mut BTreeSet<String>) {
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match c {
            _ if in_string => match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                _ => {}
            },
            '{' => *depth += 1,
            '}' => *depth = depth.saturating_sub(1),
            '"' if *depth > 0 => in_string = true,
            '$' if *depth > 0 => {
                let mut name = String::new();
                while let Some(&next) = chars.peek() {
                    if next.is_ascii_alphanumeric() || next == '_' || next == '-' {
                        name.push(next);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if !name.is_empty() {
                    vars.insert(name);
                }
            }
            _ => {}
        }
    }
}

/// The bundle formatter of Persian: see [`format_fluent_number`].
fn format_value_fa<M>(value: &FluentValue<'_>, _: &M) -> Option<String> {
    format_fluent_number(Language::Fa, value)
}

/// The bundle formatter of English: see [`format_fluent_number`].
fn format_value_en<M>(value: &FluentValue<'_>, _: &M) -> Option<String> {
    format_fluent_number(Language::En, value)
}

/// The bundle formatter of Russian: see [`format_fluent_number`].
fn format_value_ru<M>(value: &FluentValue<'_>, _: &M) -> Option<String> {
    format_fluent_number(Language::Ru, value)
}

/// Writes a Fluent number in `lang`: integers with [`format_number`] (or without group
/// separators under `NUMBER($n, useGrouping: "false")`), fractions with the language's
/// digits and decimal separator. `None` (Fluent's default) for anything but numbers.
fn format_fluent_number(lang: Language, value: &FluentValue<'_>) -> Option<String> {
    let FluentValue::Number(number) = value else { return None };
    let integral = number.value.fract() == 0.0
        && number.value.abs() < 9.0e15
        && number.options.minimum_fraction_digits.unwrap_or(0) == 0;
    if integral {
        // Exact: an integral value below 2^53.
        let n = number.value as i64;
        return Some(if number.options.use_grouping {
            format_number(lang, n)
        } else {
            localize_digits(lang, &n.to_string())
        });
    }
    let plain = number.as_string();
    Some(match lang {
        Language::Fa => persian_digits(&plain.replace('.', "\u{066B}")),
        Language::En => plain.into_owned(),
        Language::Ru => plain.replace('.', ","),
    })
}

/// `text` with Persian digits in Persian, unchanged otherwise.
fn localize_digits(lang: Language, text: &str) -> String {
    match lang {
        Language::Fa => persian_digits(text),
        Language::En | Language::Ru => text.to_owned(),
    }
}

/// Writes an integer for `lang`, grouping digits by three: Persian digits with `٬`
/// (U+066C) in Persian (`۱۲۳٬۴۵۶`), `,` in English (`123,456`), a narrow no-break space
/// (U+202F) in Russian (`123 456`). Negative numbers keep their `-`.
pub fn format_number(lang: Language, n: i64) -> String {
    let separator = match lang {
        Language::Fa => '\u{066C}',
        Language::En => ',',
        Language::Ru => '\u{202F}',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() * 2 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    localize_digits(lang, &out)
}

/// Writes an amount for `lang` with [`format_number`] and the currency's name:
/// `۱۲۳٬۴۵۶ تومان`, `123,456 Toman`, `123 456 томан` (U+202F between the groups).
pub fn format_amount(lang: Language, amount: Toman) -> String {
    let unit = match lang {
        Language::Fa => "تومان",
        Language::En => "Toman",
        Language::Ru => "томан",
    };
    format!("{} {unit}", format_number(lang, amount.0))
}

/// `text` with its ASCII digits `0`-`9` written as Persian digits `۰`-`۹`.
pub fn persian_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => char::from_u32(0x06F0 + d).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Whether `c` is a Unicode bidi control: embeddings, overrides, isolates (LRE…RLO,
/// LRI…PDI). Marks (LRM, RLM, ALM) are kept: they cannot reorder what follows.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` without bidi controls, borrowed when it has none.
fn strip_bidi_controls(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_bidi_control) {
        Cow::Owned(text.chars().filter(|c| !is_bidi_control(*c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages the bot needs, with their variables.
    const REQUIRED: &[(&str, &[&str])] = &[
        ("welcome-default", &["name"]),
        ("main-menu-title", &[]),
        ("menu-my-subscription", &[]),
        ("menu-buy", &[]),
        ("menu-renew", &[]),
        ("menu-balance", &[]),
        ("menu-trial", &[]),
        ("menu-referral", &[]),
        ("menu-promo-code", &[]),
        ("menu-support", &[]),
        ("menu-language", &[]),
        ("language-prompt", &[]),
        ("language-changed", &["language"]),
        ("language-name-fa", &[]),
        ("language-name-en", &[]),
        ("language-name-ru", &[]),
        ("bot-unavailable", &[]),
        ("error-generic", &[]),
        ("unknown-command", &[]),
        ("days-left", &["days"]),
        ("amount", &["amount"]),
        ("subscription-ready", &["days", "url"]),
        ("subscription-updated", &["url"]),
        ("provisioning-failing", &["attempts", "error", "subscription"]),
    ];

    const URL: &str = "https://sub.example/abc";

    fn texts() -> Texts {
        match Texts::load() {
            Ok(texts) => texts,
            Err(e) => panic!("the embedded texts do not load: {e}"),
        }
    }

    /// A value for every variable the files use, Latin where it may be Latin.
    fn sample_args() -> Vec<(&'static str, Arg)> {
        vec![
            ("name", "John".into()),
            ("language", "English".into()),
            // The operator's resellers.
            ("username", "@ali_vpn_bot".into()),
            ("token", "rbt_0123456789abcdef".into()),
            ("health", "running".into()),
            ("customers", 12.into()),
            ("sales", 3.into()),
            ("revenue", Toman(450_000).into()),
            ("wholesale", Toman(90_000).into()),
            ("search", "ali".into()),
            ("day", "2024-11-10".into()),
            ("cover", 2.into()),
            ("admins", "720900001, 720900002".into()),
            ("days", 21.into()),
            ("amount", Toman(123_456).into()),
            ("url", URL.into()),
            ("subscription", 12_345.into()),
            ("attempts", 3.into()),
            ("error", "connection refused".into()),
            // The shop's messages.
            ("price", Toman(150_000).into()),
            ("list", Toman(200_000).into()),
            ("balance", Toman(50_000).into()),
            ("available", Toman(-2_000).into()),
            ("needed", Toman(10_000).into()),
            ("percent", 25.into()),
            ("gb", 50.into()),
            ("mb", 512.into()),
            ("devices", 2.into()),
            ("traffic", "50 GB".into()),
            ("expires", "2024-11-10 02:08".into()),
            ("deadline", "2024-11-10 02:08".into()),
            ("created", "2024-11-10 02:08".into()),
            ("since", "2024-11-10 02:08".into()),
            ("at", "2024-11-10 02:08".into()),
            ("status", "active".into()),
            ("used", "1.5 GB".into()),
            ("limit", "50 GB".into()),
            ("link", URL.into()),
            ("card", "6037 9912 3456 7893".into()),
            ("holder", "John Smith".into()),
            ("bank", "Mellat".into()),
            ("code", "C2CAB12CD34".into()),
            ("plan", "Gold".into()),
            ("purpose", "purchase of Gold (30 days)".into()),
            ("customer", "John (@john) · 555000111".into()),
            ("note", "ref 123456".into()),
            ("admin", "555000222".into()),
            ("reason", "wrong amount".into()),
            // The account's messages.
            ("kind", "deposit".into()),
            ("date", "2024-11-10 02:08".into()),
            ("min", Toman(1_000).into()),
            ("max", Toman(100_000_000).into()),
            ("count", "3".into()),
            ("earned", Toman(12_000).into()),
            ("contact", "@support_team".into()),
            ("ticket", 12_345.into()),
            ("text", "My link does not work".into()),
            // The online payments' messages.
            ("method", "Zarinpal".into()),
            ("stars", 150.into()),
            // The admin panel's messages.
            ("page", 2.into()),
            ("pages", 5.into()),
            ("paid", 1.into()),
            ("active", 120.into()),
            ("expiring", 7.into()),
            ("expired", 40.into()),
            ("disabled", 1.into()),
            ("receipts", 2.into()),
            ("tickets", 3.into()),
            // The panel's set-up areas.
            ("place", 3.into()),
            ("state", "on sale".into()),
            ("subscriptions", 4.into()),
            ("orders", 9.into()),
            ("weight", 5.into()),
            ("failed", 2.into()),
            ("chat", "-1001234567890".into()),
            ("minutes", 30.into()),
            ("hours", 24.into()),
            ("groups", 2.into()),
            ("rate", "87%".into()),
            ("uses", "3 / 100".into()),
            ("until", "2024-12-10 02:08".into()),
            // The panel's customers, payments, tickets and audit log.
            ("id", 42.into()),
            ("term", "john".into()),
            ("group", "VIP".into()),
            ("referrer", "Jane (@jane) · 555000333".into()),
            ("invited", 4.into()),
            ("n", 30.into()),
            ("when", "2024-11-10 02:08".into()),
            ("who", "admin 555000222".into()),
            ("action", "plan.create".into()),
            ("target", "plan:7".into()),
            ("line", "2024-11-10 02:08 · admin · plan.create · plan:7".into()),
            ("before", "{\"is_blocked\":false}".into()),
            ("after", "{\"is_blocked\":true}".into()),
            ("title", "Link broken".into()),
        ]
    }

    fn sources() -> [(Language, &'static str); 3] {
        [(Language::Fa, FA_FTL), (Language::En, EN_FTL), (Language::Ru, RU_FTL)]
    }

    /// Every message id of the files, from Persian.
    fn ids() -> Vec<String> {
        catalog(FA_FTL).into_keys().collect()
    }

    #[test]
    fn the_embedded_files_load() {
        assert!(Texts::load().is_ok(), "{:?}", Texts::load().err());
    }

    #[test]
    fn every_message_exists_in_all_languages_with_the_same_variables() {
        let fa = catalog(FA_FTL);
        assert!(fa.len() >= REQUIRED.len());
        for (lang, source) in sources() {
            let other = catalog(source);
            assert_eq!(
                fa.keys().collect::<Vec<_>>(),
                other.keys().collect::<Vec<_>>(),
                "{} has other messages than fa",
                lang.code()
            );
            for (id, vars) in &fa {
                assert_eq!(Some(vars), other.get(id), "variables of `{id}` in {}", lang.code());
            }
        }
    }

    #[test]
    fn the_needed_messages_exist_with_their_variables() {
        let fa = catalog(FA_FTL);
        for (id, vars) in REQUIRED {
            let expected: BTreeSet<String> = vars.iter().map(|v| (*v).to_owned()).collect();
            assert_eq!(fa.get(*id), Some(&expected), "`{id}`");
        }
    }

    #[test]
    fn every_text_is_non_empty_and_formats_without_errors() {
        let texts = texts();
        let args = sample_args();
        for lang in Language::ALL {
            for id in ids() {
                let rendered = texts.render(lang, &id, &args);
                let Some((text, errors)) = rendered else { panic!("`{id}` is missing in {}", lang.code()) };
                assert!(errors.is_empty(), "`{id}` in {}: {errors:?}", lang.code());
                assert!(!text.trim().is_empty(), "`{id}` is empty in {}", lang.code());
                assert_ne!(text, id, "`{id}` in {}", lang.code());
            }
        }
    }

    #[test]
    fn texts_have_no_isolation_marks() {
        let texts = texts();
        let args = sample_args();
        for lang in Language::ALL {
            for id in ids() {
                let text = texts.get(lang, &id, &args);
                assert!(!text.chars().any(is_bidi_control), "`{id}` in {}: {text:?}", lang.code());
            }
        }
    }

    #[test]
    fn persian_lines_start_with_persian_so_latin_values_do_not_flip_them() {
        fn is_arabic_script(c: char) -> bool {
            matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
        }
        let texts = texts();
        let args = sample_args();
        for id in ids() {
            let text = texts.get(Language::Fa, &id, &args);
            for line in text.lines().filter(|line| line.chars().any(is_arabic_script)) {
                let first_strong = line.chars().find(|c| c.is_alphabetic());
                assert!(first_strong.is_some_and(is_arabic_script), "`{id}`: line {line:?} starts with Latin");
            }
        }
        let ready = texts.get(Language::Fa, "subscription-ready", &args);
        assert!(ready.lines().any(|line| line == URL), "the link is on a line of its own: {ready:?}");
    }

    #[test]
    fn persian_uses_persian_letters_not_arabic_ones() {
        assert!(!FA_FTL.contains('\u{064A}'), "Arabic yeh (ي) instead of Persian ی");
        assert!(!FA_FTL.contains('\u{0643}'), "Arabic kaf (ك) instead of Persian ک");
    }

    #[test]
    fn amounts_are_written_for_each_language() {
        assert_eq!(format_amount(Language::Fa, Toman(123_456)), "۱۲۳٬۴۵۶ تومان");
        assert_eq!(format_amount(Language::En, Toman(123_456)), "123,456 Toman");
        assert_eq!(format_amount(Language::Ru, Toman(123_456)), "123\u{202F}456 томан");
        assert_eq!(format_amount(Language::En, Toman(-1_234_567)), "-1,234,567 Toman");
        assert_eq!(format_amount(Language::Fa, Toman(-5)), "-۵ تومان");
        assert_eq!(format_amount(Language::Ru, Toman(0)), "0 томан");
    }

    #[test]
    fn numbers_are_grouped_by_three_with_the_language_separator() {
        assert_eq!(format_number(Language::Fa, 1_000), "۱٬۰۰۰");
        assert_eq!(format_number(Language::En, 999), "999");
        assert_eq!(format_number(Language::En, 100_000), "100,000");
        assert_eq!(format_number(Language::Ru, -12_345_678), "-12\u{202F}345\u{202F}678");
        assert_eq!(format_number(Language::En, i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(persian_digits("1405-07 abc"), "۱۴۰۵-۰۷ abc");
    }

    #[test]
    fn amounts_reach_messages_already_formatted() {
        let texts = texts();
        let args = [("amount", Arg::from(Toman(123_456)))];
        assert_eq!(texts.get(Language::Fa, "amount", &args), "مبلغ: ۱۲۳٬۴۵۶ تومان");
        assert_eq!(texts.get(Language::En, "amount", &args), "Amount: 123,456 Toman");
        assert_eq!(texts.get(Language::Ru, "amount", &args), "Сумма: 123\u{202F}456 томан");
    }

    #[test]
    fn russian_days_take_the_right_plural_form() {
        let texts = texts();
        let days = |n: i64| texts.get(Language::Ru, "days-left", &[("days", n.into())]);
        assert_eq!(days(1), "Остался 1 день");
        assert_eq!(days(2), "Осталось 2 дня");
        assert_eq!(days(5), "Осталось 5 дней");
        assert_eq!(days(11), "Осталось 11 дней");
        assert_eq!(days(21), "Остался 21 день");
        assert_eq!(days(22), "Осталось 22 дня");
        let ready = texts.get(Language::Ru, "subscription-ready", &[("days", 30.into()), ("url", URL.into())]);
        assert!(ready.contains("30 дней"), "{ready}");
    }

    #[test]
    fn english_days_take_the_right_plural_form() {
        let texts = texts();
        let days = |n: i64| texts.get(Language::En, "days-left", &[("days", n.into())]);
        assert_eq!(days(1), "1 day left");
        assert_eq!(days(2), "2 days left");
        assert_eq!(days(0), "0 days left");
        let failing = texts.get(
            Language::En,
            "provisioning-failing",
            &[("subscription", 7.into()), ("attempts", 1.into()), ("error", "timeout".into())],
        );
        assert!(failing.contains("after 1 attempt."), "{failing}");
    }

    #[test]
    fn persian_numbers_come_out_in_persian_digits_without_plural_forms() {
        let texts = texts();
        assert_eq!(texts.get(Language::Fa, "days-left", &[("days", 1.into())]), "۱ روز باقی مانده است");
        assert_eq!(texts.get(Language::Fa, "days-left", &[("days", 5.into())]), "۵ روز باقی مانده است");
        assert_eq!(texts.get(Language::Fa, "days-left", &[("days", 1_000.into())]), "۱٬۰۰۰ روز باقی مانده است");
        assert_eq!(texts.get(Language::Fa, "days-left", &[("days", "۷".into())]), "۷ روز باقی مانده است");
    }

    #[test]
    fn subscription_numbers_are_not_grouped() {
        let texts = texts();
        let args = [("subscription", Arg::from(12_345)), ("attempts", 1_000.into()), ("error", "timeout".into())];
        assert!(texts.get(Language::En, "provisioning-failing", &args).contains("#12345 "));
        assert!(texts.get(Language::En, "provisioning-failing", &args).contains("1,000 attempts"));
        assert!(texts.get(Language::Fa, "provisioning-failing", &args).contains("#۱۲۳۴۵ "));
        assert!(texts.get(Language::Ru, "provisioning-failing", &args).contains("#12345 "));
    }

    #[test]
    fn every_language_carries_the_link() {
        let texts = texts();
        for lang in Language::ALL {
            let ready = texts.get(lang, "subscription-ready", &[("url", URL.into()), ("days", 30.into())]);
            assert!(ready.contains(URL), "{ready}");
            let updated = texts.get(lang, "subscription-updated", &[("url", URL.into())]);
            assert!(updated.contains(URL), "{updated}");
        }
    }

    #[test]
    fn a_missing_message_falls_back_to_its_id() {
        let texts = texts();
        for lang in Language::ALL {
            assert_eq!(texts.get(lang, "no-such-message", &[]), "no-such-message");
        }
        assert_eq!(texts.get(Language::En, "no-such-message", &[]), "no-such-message");
    }

    #[test]
    fn a_message_missing_in_one_language_falls_back_to_persian() {
        let mut texts = texts();
        texts.en = match bundle(Language::En, "other = Other") {
            Ok(bundle) => bundle,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(texts.get(Language::En, "menu-buy", &[]), "🛒 خرید اشتراک");
    }

    #[test]
    fn a_missing_variable_does_not_panic() {
        let texts = texts();
        let text = texts.get(Language::En, "welcome-default", &[]);
        assert!(text.contains("Hello"), "{text}");
    }

    #[test]
    fn bidi_controls_in_values_are_dropped() {
        let texts = texts();
        let text = texts.get(Language::Fa, "welcome-default", &[("name", "\u{202E}John\u{2066}".into())]);
        assert!(text.contains("سلام John عزیز"), "{text:?}");
    }

    #[test]
    fn language_names_are_their_own() {
        let texts = texts();
        assert_eq!(texts.language_name(Language::Fa), "فارسی");
        assert_eq!(texts.language_name(Language::En), "English");
        assert_eq!(texts.language_name(Language::Ru), "Русский");
        for lang in Language::ALL {
            assert_eq!(texts.get(lang, "language-name-ru", &[]), "Русский");
        }
    }

    #[test]
    fn a_file_that_does_not_parse_is_a_load_error() {
        let broken = format!("{FA_FTL}\nbroken = {{ $name\n");
        assert!(matches!(Texts::from_sources(&broken, EN_FTL, RU_FTL), Err(TextsError::Parse { lang: "fa", .. })));
    }

    #[test]
    fn a_message_missing_from_one_language_is_a_load_error() {
        let more = format!("{RU_FTL}\nextra = Лишнее\n");
        assert_eq!(
            Texts::from_sources(FA_FTL, EN_FTL, &more).err(),
            Some(TextsError::Missing { id: "extra".into(), present: "ru", missing: "fa" })
        );
        let fewer = EN_FTL.replace("menu-buy = ", "# menu-buy = ");
        assert_eq!(
            Texts::from_sources(FA_FTL, &fewer, RU_FTL).err(),
            Some(TextsError::Missing { id: "menu-buy".into(), present: "fa", missing: "en" })
        );
    }

    #[test]
    fn different_variables_are_a_load_error() {
        let renamed = EN_FTL.replace("Hello { $name }", "Hello { $user }");
        assert!(matches!(
            Texts::from_sources(FA_FTL, &renamed, RU_FTL),
            Err(TextsError::Variables { ref id, lang: "en", .. }) if id == "welcome-default"
        ));
    }

    #[test]
    fn a_message_defined_twice_is_a_load_error() {
        let twice = format!("{EN_FTL}\nmenu-buy = Buy\n");
        assert!(matches!(Texts::from_sources(FA_FTL, &twice, RU_FTL), Err(TextsError::Bundle { lang: "en", .. })));
    }

    #[test]
    fn texts_can_be_shared_across_tasks() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Texts>();
    }
}
