//! Tenant configuration: JSON values per key, with the known keys validated and typed.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::card::RotationStrategy;
use crate::error::{Error, Result};
use crate::limits;
use crate::text::{SupportContact, TextRule, WelcomeText};

/// A language the bots speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Fa,
    En,
    Ru,
}

impl Language {
    /// All supported languages, Persian first (the default).
    pub const ALL: [Language; 3] = [Language::Fa, Language::En, Language::Ru];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Language::Fa => "fa",
            Language::En => "en",
            Language::Ru => "ru",
        }
    }

    /// Parses an ISO 639-1 code.
    ///
    /// # Errors
    /// [`Error::Invalid`] for anything but `fa`, `en`, `ru`.
    pub fn parse(code: &str) -> Result<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code).ok_or_else(|| {
            Error::invalid(
                "language",
                format!("`{}` is not one of fa, en, ru", code.chars().take(20).collect::<String>()),
            )
        })
    }
}

/// Parameters of the free trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrialParams {
    pub days: u32,
    pub traffic_gb: u32,
    pub device_limit: u32,
}

impl Default for TrialParams {
    fn default() -> TrialParams {
        TrialParams { days: 1, traffic_gb: 1, device_limit: 1 }
    }
}

/// The configuration keys the platform itself reads. Other keys may be stored freely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigKey {
    /// `["fa","en","ru"]`: languages offered to customers, the first is the default.
    Languages,
    /// A string: where customers get help (a `@username` or a URL).
    SupportContact,
    /// An integer: the Telegram chat that receives receipts and tickets.
    AdminChatId,
    /// An array of integers: Telegram ids of the tenant's admins.
    AdminIds,
    /// One of `round_robin`, `random`, `time_based`, `weighted`.
    CardRotationStrategy,
    /// `{"days":1,"traffic_gb":1,"device_limit":1}`.
    Trial,
    /// An integer: what the operator charges the tenant per GB sold, in Toman.
    WholesalePricePerGb,
    /// A string: the greeting of `/start`.
    WelcomeText,
    /// A boolean: remove a customer's registered devices (HWID) when they renew. Off by
    /// default, so renewing never logs anyone out.
    ResetDevicesOnRenewal,
    /// An array of internal-squad uuids the tenant's panel users get.
    PanelSquads,
    /// A string: the tenant's own Remnawave panel URL (with `panel_token`), instead of the
    /// platform's.
    PanelUrl,
    /// The tenant's own panel API token. A secret: stored encrypted, set only through the
    /// secret setter, never returned.
    PanelToken,
    /// An integer 0 to 100: the percent of an invited customer's payments credited to the
    /// inviter's balance (0, the default, pays nothing).
    ReferralPercent,
    /// An integer 1 to 1440: minutes a customer has to transfer and send the receipt of a
    /// card-to-card payment (default 30).
    CardPaymentMinutes,
    /// An integer 1 to 168: hours the admins have to review a sent receipt before it
    /// expires and the customer is told (default 24).
    ReceiptReviewHours,
    /// A string: the tenant's Zarinpal merchant id (a 36-character UUID). Zarinpal is
    /// offered only when it is set and the `zarinpal` feature is on.
    ZarinpalMerchantId,
    /// A boolean: send Zarinpal payments to the gateway's sandbox (test payments).
    ZarinpalSandbox,
    /// An integer above 0: Toman per Telegram Star. Stars are offered only when it is set
    /// and the `telegram_stars` feature is on.
    StarsRate,
}

impl ConfigKey {
    /// All known keys.
    pub const ALL: [ConfigKey; 18] = [
        ConfigKey::Languages,
        ConfigKey::SupportContact,
        ConfigKey::AdminChatId,
        ConfigKey::AdminIds,
        ConfigKey::CardRotationStrategy,
        ConfigKey::Trial,
        ConfigKey::WholesalePricePerGb,
        ConfigKey::WelcomeText,
        ConfigKey::ResetDevicesOnRenewal,
        ConfigKey::PanelSquads,
        ConfigKey::PanelUrl,
        ConfigKey::PanelToken,
        ConfigKey::ReferralPercent,
        ConfigKey::CardPaymentMinutes,
        ConfigKey::ReceiptReviewHours,
        ConfigKey::ZarinpalMerchantId,
        ConfigKey::ZarinpalSandbox,
        ConfigKey::StarsRate,
    ];

    /// Keys only the operator may set or remove: what the operator charges the tenant
    /// (`wholesale_price_per_gb`) and which panel the tenant's customers are provisioned
    /// on (`panel_url`, `panel_token`), so a reseller can neither price itself nor point
    /// the platform's calls at a host of its choosing.
    pub fn operator_only(self) -> bool {
        matches!(self, ConfigKey::WholesalePricePerGb | ConfigKey::PanelUrl | ConfigKey::PanelToken)
    }

    /// The key as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigKey::Languages => "languages",
            ConfigKey::SupportContact => "support_contact",
            ConfigKey::AdminChatId => "admin_chat_id",
            ConfigKey::AdminIds => "admin_ids",
            ConfigKey::CardRotationStrategy => "card_rotation_strategy",
            ConfigKey::Trial => "trial",
            ConfigKey::WholesalePricePerGb => "wholesale_price_per_gb",
            ConfigKey::WelcomeText => "welcome_text",
            ConfigKey::ResetDevicesOnRenewal => "reset_devices_on_renewal",
            ConfigKey::PanelSquads => "panel_squads",
            ConfigKey::PanelUrl => "panel_url",
            ConfigKey::PanelToken => "panel_token",
            ConfigKey::ReferralPercent => "referral_percent",
            ConfigKey::CardPaymentMinutes => "card_payment_minutes",
            ConfigKey::ReceiptReviewHours => "receipt_review_hours",
            ConfigKey::ZarinpalMerchantId => "zarinpal_merchant_id",
            ConfigKey::ZarinpalSandbox => "zarinpal_sandbox",
            ConfigKey::StarsRate => "stars_rate",
        }
    }

    /// The known key named `key`, if any.
    pub fn known(key: &str) -> Option<ConfigKey> {
        ConfigKey::ALL.into_iter().find(|k| k.as_str() == key)
    }
}

/// Checks a configuration key: 1 to 100 characters of `a-z`, `0-9`, `_`, `.`.
///
/// # Errors
/// [`Error::Invalid`] naming `key`.
pub fn validate_key(key: &str) -> Result<()> {
    let ok = !key.is_empty()
        && key.len() <= 100
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    if ok { Ok(()) } else { Err(Error::invalid("key", "must be 1 to 100 characters of a-z, 0-9, `_` and `.`")) }
}

/// Parses a configuration value given as JSON text and, for known keys, checks its shape.
///
/// # Errors
/// [`Error::Invalid`] when the text is not JSON or a known key's value has the wrong shape.
pub fn parse_value(key: &str, json: &str) -> Result<serde_json::Value> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| Error::invalid("value", format!("is not valid JSON: {e}")))?;
    validate_value(key, &value)?;
    Ok(value)
}

/// The value as an integer within `range`.
fn in_range(value: &serde_json::Value, range: RangeInclusive<i64>) -> Option<i64> {
    value.as_i64().filter(|n| range.contains(n))
}

/// Telegram ids as the platform takes them: a user's is positive, a group's negative; both
/// fit in 13 digits.
const TELEGRAM_ID: RangeInclusive<i64> = -9_999_999_999_999..=9_999_999_999_999;

/// The bounds of a secret setting (`panel_token`): one line of up to 1024 characters.
pub const SECRET_RULE: TextRule =
    TextRule { field: "value", max_chars: 1024, multiline: false, blank: crate::text::Blank::Refused };

/// Whether the authority at the start of `rest` (what follows `http://`) names this machine:
/// `localhost`, `127.x.y.z` or `[::1]`, with or without a port. User info is refused.
fn is_loopback_authority(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    let octets: Vec<&str> = host.split('.').collect();
    host.eq_ignore_ascii_case("localhost")
        || host == "[::1]"
        || (octets.len() == 4
            && octets[0] == "127"
            && octets.iter().all(|o| {
                !o.is_empty() && o.len() <= 3 && o.chars().all(|c| c.is_ascii_digit()) && o.parse::<u8>().is_ok()
            }))
}

/// The bounds of a `panel_url`.
pub const PANEL_URL_MAX_CHARS: usize = 2048;

/// Whether `c` may appear in a URL setting: no spaces, no control characters.
fn url_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && c != '\u{feff}'
}

/// Values of keys the platform does not know: a true/false, a number within ±10^15, a string
/// of up to [`CUSTOM_STRING_CHARS`] characters, or an array or object of at most
/// [`CUSTOM_ITEMS`] of those (object keys 1 to 64 characters). Nothing larger is stored.
pub const CUSTOM_ITEMS: usize = 32;
/// The longest string in a custom value.
pub const CUSTOM_STRING_CHARS: usize = 1024;
/// The largest magnitude of a number in a custom value.
pub const CUSTOM_NUMBER_MAX: f64 = 1e15;

fn custom_scalar(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Bool(_) => true,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|x| x.abs() <= CUSTOM_NUMBER_MAX),
        serde_json::Value::String(s) => s.chars().count() <= CUSTOM_STRING_CHARS,
        _ => false,
    }
}

/// Checks a value of a key the platform does not know (also a feature's settings).
///
/// # Errors
/// [`Error::Invalid`] naming `field` with the rule.
pub fn validate_custom(field: &'static str, value: &serde_json::Value) -> Result<()> {
    let ok = match value {
        serde_json::Value::Array(items) => items.len() <= CUSTOM_ITEMS && items.iter().all(custom_scalar),
        serde_json::Value::Object(map) => {
            map.len() <= CUSTOM_ITEMS
                && map.iter().all(|(k, v)| (1..=64).contains(&k.chars().count()) && custom_scalar(v))
        }
        other => custom_scalar(other),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!(
                "must be true or false, a number within ±10^15, a string of at most {CUSTOM_STRING_CHARS} \
                 characters, or an array or object of at most {CUSTOM_ITEMS} of those"
            ),
        ))
    }
}

/// The JSON Schema of the values [`validate_custom`] accepts; `object_only` for a feature's
/// settings, which are always an object.
pub fn custom_value_schema(object_only: bool) -> serde_json::Value {
    let scalar = json!({"oneOf": [
        {"type": "boolean"},
        {"type": "number", "minimum": -CUSTOM_NUMBER_MAX, "maximum": CUSTOM_NUMBER_MAX},
        {"type": "string", "maxLength": CUSTOM_STRING_CHARS},
    ]});
    let object = json!({
        "type": "object",
        "maxProperties": CUSTOM_ITEMS,
        "propertyNames": {"minLength": 1, "maxLength": 64},
        "additionalProperties": scalar,
    });
    if object_only {
        return object;
    }
    json!({"oneOf": [
        {"type": "boolean"},
        {"type": "number", "minimum": -CUSTOM_NUMBER_MAX, "maximum": CUSTOM_NUMBER_MAX},
        {"type": "string", "maxLength": CUSTOM_STRING_CHARS},
        {"type": "array", "maxItems": CUSTOM_ITEMS, "items": scalar},
        object,
    ]})
}

/// Checks the key and the value: a known key's value must have its shape and range, any
/// other key's value must be small ([`validate_custom`]).
///
/// # Errors
/// [`Error::Invalid`] with what is wrong.
pub fn validate_value(key: &str, value: &serde_json::Value) -> Result<()> {
    validate_key(key)?;
    let Some(known) = ConfigKey::known(key) else { return validate_custom("value", value) };
    let shape = |expected: &str| Error::invalid("value", format!("`{key}` must be {expected}"));
    let text = |rule: TextRule| -> Result<()> {
        let s = value.as_str().ok_or_else(|| shape("a string"))?;
        rule.check(s).map(|_| ()).map_err(|e| match e {
            Error::Invalid { reason, .. } => Error::invalid("value", format!("`{key}` {reason}")),
            other => other,
        })
    };
    match known {
        ConfigKey::Languages => {
            let langs: Vec<String> =
                serde_json::from_value(value.clone()).map_err(|_| shape("an array of language codes"))?;
            if langs.is_empty() || langs.len() > Language::ALL.len() {
                return Err(shape("an array of 1 to 3 language codes"));
            }
            let mut seen = Vec::new();
            for l in &langs {
                let lang = Language::parse(l)?;
                if seen.contains(&lang) {
                    return Err(shape("an array of different language codes"));
                }
                seen.push(lang);
            }
        }
        ConfigKey::WelcomeText => text(WelcomeText::RULE)?,
        ConfigKey::SupportContact => text(SupportContact::RULE)?,
        ConfigKey::AdminChatId => {
            in_range(value, TELEGRAM_ID)
                .filter(|id| *id != 0)
                .ok_or_else(|| shape("a Telegram chat id (a non-zero integer of at most 13 digits)"))?;
        }
        ConfigKey::AdminIds => {
            let ids: Vec<i64> =
                serde_json::from_value(value.clone()).map_err(|_| shape("an array of integer Telegram ids"))?;
            if ids.len() > limits::MAX_ADMINS || !ids.iter().all(|id| (1..=*TELEGRAM_ID.end()).contains(id)) {
                return Err(shape("an array of at most 50 Telegram user ids (positive, at most 13 digits)"));
            }
        }
        ConfigKey::CardRotationStrategy => {
            let _: RotationStrategy = serde_json::from_value(value.clone())
                .map_err(|_| shape("one of \"round_robin\", \"random\", \"time_based\", \"weighted\""))?;
        }
        ConfigKey::Trial => {
            let t: TrialParams = serde_json::from_value(value.clone())
                .map_err(|_| shape("an object {\"days\":N,\"traffic_gb\":N,\"device_limit\":N}"))?;
            limits::check_u32("days", t.days, limits::TRIAL_DAYS)
                .and_then(|_| limits::check_u32("traffic_gb", t.traffic_gb, limits::TRAFFIC_GB))
                .and_then(|_| limits::check_u32("device_limit", t.device_limit, limits::DEVICES))
                .map_err(|_| shape("a trial of 1 to 365 days, 0 (unlimited) to 1000000 GB and 1 to 1000 devices"))?;
        }
        ConfigKey::ZarinpalMerchantId => {
            let s = value.as_str().ok_or_else(|| shape("a string"))?;
            crate::payment::MerchantId::parse(s)?;
        }
        ConfigKey::StarsRate => {
            in_range(value, 1..=100_000_000)
                .ok_or_else(|| shape("an integer number of Toman per Star from 1 to 100000000"))?;
        }
        ConfigKey::ResetDevicesOnRenewal | ConfigKey::ZarinpalSandbox => {
            value.as_bool().ok_or_else(|| shape("true or false"))?;
        }
        ConfigKey::PanelSquads => {
            let squads: Vec<String> =
                serde_json::from_value(value.clone()).map_err(|_| shape("an array of internal-squad uuids"))?;
            let uuid_like = |s: &String| s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
            if squads.len() > limits::MAX_SQUADS || !squads.iter().all(uuid_like) {
                return Err(shape("an array of at most 64 internal-squad uuids (36 characters of hex digits and `-`)"));
            }
        }
        ConfigKey::PanelUrl => {
            let s = value.as_str().ok_or_else(|| shape("a string URL"))?;
            let (rest, plain) = match s.strip_prefix("https://") {
                Some(rest) => (rest, false),
                None => (s.strip_prefix("http://").unwrap_or_default(), true),
            };
            if rest.is_empty() || !rest.chars().all(url_char) || s.chars().count() > PANEL_URL_MAX_CHARS {
                return Err(shape("an https URL such as https://panel.example.com"));
            }
            // The token travels with every call: plain http only to this machine.
            if plain && !is_loopback_authority(rest) {
                return Err(shape("an https URL (plain http only for a loopback host such as 127.0.0.1)"));
            }
        }
        ConfigKey::PanelToken => {
            return Err(Error::invalid(
                "value",
                "`panel_token` is a secret: set it with the secret configuration call",
            ));
        }
        ConfigKey::ReferralPercent => {
            in_range(value, 0..=100).ok_or_else(|| shape("an integer from 0 to 100"))?;
        }
        ConfigKey::CardPaymentMinutes => {
            in_range(value, 1..=1440).ok_or_else(|| shape("an integer number of minutes from 1 to 1440"))?;
        }
        ConfigKey::ReceiptReviewHours => {
            in_range(value, 1..=168).ok_or_else(|| shape("an integer number of hours from 1 to 168"))?;
        }
        ConfigKey::WholesalePricePerGb => {
            in_range(value, limits::WHOLESALE_PER_GB)
                .ok_or_else(|| shape("an integer amount of Toman from 0 to 100000000"))?;
        }
    }
    Ok(())
}

impl ConfigKey {
    /// The JSON Schema of this key's value, as [`validate_value`] checks it (for
    /// `panel_token`, the secret as it is set).
    pub fn value_schema(self) -> serde_json::Value {
        let int = |range: RangeInclusive<i64>| limits::range_schema(&range);
        match self {
            ConfigKey::Languages => json!({
                "type": "array",
                "items": {"type": "string", "enum": ["fa", "en", "ru"]},
                "minItems": 1,
                "maxItems": 3,
                "uniqueItems": true,
            }),
            ConfigKey::WelcomeText => WelcomeText::RULE.json_schema(),
            ConfigKey::SupportContact => SupportContact::RULE.json_schema(),
            ConfigKey::AdminChatId => json!({
                "type": "integer",
                "minimum": TELEGRAM_ID.start(),
                "maximum": TELEGRAM_ID.end(),
                "not": {"const": 0},
            }),
            ConfigKey::AdminIds => json!({
                "type": "array",
                "items": int(1..=*TELEGRAM_ID.end()),
                "maxItems": limits::MAX_ADMINS,
            }),
            ConfigKey::CardRotationStrategy => {
                json!({"type": "string", "enum": ["round_robin", "random", "time_based", "weighted"]})
            }
            ConfigKey::Trial => json!({
                "type": "object",
                "properties": {
                    "days": int(limits::TRIAL_DAYS),
                    "traffic_gb": int(limits::TRAFFIC_GB),
                    "device_limit": int(limits::DEVICES),
                },
                "required": ["days", "traffic_gb", "device_limit"],
                "additionalProperties": false,
            }),
            ConfigKey::ZarinpalMerchantId => json!({
                "type": "string",
                "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
            }),
            ConfigKey::StarsRate => int(1..=100_000_000),
            ConfigKey::ResetDevicesOnRenewal | ConfigKey::ZarinpalSandbox => json!({"type": "boolean"}),
            ConfigKey::PanelSquads => json!({
                "type": "array",
                "items": {"type": "string", "pattern": "^[0-9a-fA-F-]{36}$"},
                "maxItems": limits::MAX_SQUADS,
            }),
            ConfigKey::PanelUrl => json!({
                "type": "string",
                "maxLength": PANEL_URL_MAX_CHARS,
                // https anywhere; plain http only to a loopback host (is_loopback_authority).
                "pattern": concat!(
                    r"^(?:https://[^\s\u0000-\u001F\u007F-\u009F\uFEFF]+",
                    r"|http://(?:[Ll][Oo][Cc][Aa][Ll][Hh][Oo][Ss][Tt]|\[::1\]",
                    r"|127(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3})",
                    r"(?::[0-9]{1,5})?(?:[/?#][^\s\u0000-\u001F\u007F-\u009F\uFEFF]*)?)$",
                ),
            }),
            ConfigKey::PanelToken => SECRET_RULE.json_schema(),
            ConfigKey::ReferralPercent => int(0..=100),
            ConfigKey::CardPaymentMinutes => int(1..=1440),
            ConfigKey::ReceiptReviewHours => int(1..=168),
            ConfigKey::WholesalePricePerGb => int(limits::WHOLESALE_PER_GB),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn malformed_json_is_refused_with_the_parser_reason() {
        let err = parse_value("languages", "[\"fa\",").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("not valid JSON"), "{err}");
    }

    #[test]
    fn known_keys_must_have_their_shape_and_custom_keys_are_free() {
        assert!(validate_value("languages", &json!(["fa", "en"])).is_ok());
        assert!(validate_value("languages", &json!(["de"])).is_err());
        assert!(validate_value("languages", &json!([])).is_err());
        assert!(validate_value("admin_ids", &json!([1, 2])).is_ok());
        assert!(validate_value("admin_ids", &json!(["x"])).is_err());
        assert!(validate_value("card_rotation_strategy", &json!("weighted")).is_ok());
        assert!(validate_value("card_rotation_strategy", &json!("fastest")).is_err());
        assert!(validate_value("trial", &json!({"days": 3, "traffic_gb": 5, "device_limit": 1})).is_ok());
        assert!(validate_value("trial", &json!({"days": 0, "traffic_gb": 5, "device_limit": 1})).is_err());
        assert!(validate_value("wholesale_price_per_gb", &json!(-5)).is_err());
        assert!(validate_value("wholesale_price_per_gb", &json!(0)).is_ok());
        assert!(validate_value("panel.url", &json!({"anything": true})).is_ok());
        assert!(validate_value("reset_devices_on_renewal", &json!(true)).is_ok());
        assert!(validate_value("referral_percent", &json!(10)).is_ok());
        assert!(validate_value("referral_percent", &json!(101)).is_err());
        assert!(validate_value("card_payment_minutes", &json!(0)).is_err());
        assert!(validate_value("receipt_review_hours", &json!(24)).is_ok());
        assert!(validate_value("receipt_review_hours", &json!("24")).is_err());
        assert!(validate_value("reset_devices_on_renewal", &json!("yes")).is_err());
        assert!(validate_value("panel_squads", &json!(["0b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"])).is_ok());
        assert!(validate_value("panel_squads", &json!(["premium"])).is_err());
        assert!(validate_value("panel_url", &json!("https://panel.example.com")).is_ok());
        assert!(validate_value("panel_url", &json!("panel.example.com")).is_err());
        // Plain http only to this machine: the token goes with every call.
        assert!(validate_value("panel_url", &json!("http://panel.example.com")).is_err());
        assert!(validate_value("panel_url", &json!("http://127.0.0.1.evil.example/")).is_err());
        assert!(validate_value("panel_url", &json!("http://127.0.0.1@evil.example/")).is_err());
        assert!(validate_value("panel_url", &json!("http://127.0.0.1:3000/")).is_ok());
        assert!(validate_value("panel_url", &json!("http://localhost/x")).is_ok());
        assert!(validate_value("panel_url", &json!("http://[::1]:8080")).is_ok());
        assert!(validate_value("panel_token", &json!("plain")).is_err(), "secrets never go in as plain values");
        assert!(validate_value("Bad Key", &json!(1)).is_err());
        assert!(validate_value("zarinpal_merchant_id", &json!("1344b5d4-0048-11e8-94db-005056a205be")).is_ok());
        assert!(validate_value("zarinpal_merchant_id", &json!("1344b5d4")).is_err());
        assert!(validate_value("zarinpal_sandbox", &json!(true)).is_ok());
        assert!(validate_value("zarinpal_sandbox", &json!(1)).is_err());
        assert!(validate_value("stars_rate", &json!(1000)).is_ok());
        assert!(validate_value("stars_rate", &json!(0)).is_err());
        assert!(validate_value("stars_rate", &json!(1.5)).is_err());
    }

    #[test]
    fn periods_and_counts_in_configuration_have_sane_ranges() {
        let trial = |days: i64, gb: i64, devices: i64| json!({"days": days, "traffic_gb": gb, "device_limit": devices});
        assert!(validate_value("trial", &trial(365, 0, 1)).is_ok());
        assert!(validate_value("trial", &trial(95_000_000, 1, 1)).is_err(), "a trial of 95 million days");
        assert!(validate_value("trial", &trial(366, 1, 1)).is_err());
        assert!(validate_value("trial", &trial(1, 1_000_001, 1)).is_err());
        assert!(validate_value("trial", &trial(1, 1, 1001)).is_err());
        assert!(validate_value("languages", &json!(["fa", "fa"])).is_err());
        assert!(validate_value("languages", &json!(["fa", "en", "ru"])).is_ok());
        assert!(validate_value("admin_ids", &json!((1..=51).collect::<Vec<i64>>())).is_err());
        assert!(validate_value("admin_ids", &json!([0])).is_err());
        assert!(validate_value("admin_chat_id", &json!(0)).is_err());
        assert!(validate_value("admin_chat_id", &json!(-1_001_234_567_890_i64)).is_ok());
        assert!(validate_value("wholesale_price_per_gb", &json!(100_000_001)).is_err());
        assert!(validate_value("welcome_text", &json!({})).is_err());
        assert!(validate_value("welcome_text", &json!("x".repeat(3001))).is_err());
        assert!(validate_value("support_contact", &json!("x".repeat(257))).is_err());
        assert!(validate_value("panel_url", &json!("https://")).is_err());
        assert!(validate_value("panel_url", &json!("https://a b")).is_err());
    }

    #[test]
    fn custom_values_are_size_limited() {
        assert!(validate_value("shop.motto", &json!("x".repeat(1024))).is_ok());
        assert!(validate_value("shop.motto", &json!("x".repeat(1025))).is_err());
        assert!(validate_value("shop.list", &json!((0..32).collect::<Vec<i32>>())).is_ok());
        assert!(validate_value("shop.list", &json!((0..33).collect::<Vec<i32>>())).is_err());
        assert!(validate_value("shop.nested", &json!({"a": {"b": 1}})).is_err());
        assert!(validate_value("shop.nested", &json!([[1]])).is_err());
        assert!(validate_value("shop.big", &json!(1e16)).is_err());
        assert!(validate_value("shop.none", &json!(null)).is_err());
        assert!(validate_custom("config", &json!({"x": "y"})).is_ok());
    }

    #[test]
    fn every_known_key_has_a_schema_with_a_type() {
        for key in ConfigKey::ALL {
            let schema = key.value_schema();
            assert!(schema.get("type").is_some(), "{}: {schema}", key.as_str());
        }
    }
}
