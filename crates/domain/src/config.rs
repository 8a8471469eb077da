//! Tenant configuration: JSON values per key, with the known keys validated and typed.

use serde::{Deserialize, Serialize};

use crate::card::RotationStrategy;
use crate::error::{Error, Result};
use crate::money::Toman;

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

/// The value as an integer within `min..=max`.
fn in_range(value: &serde_json::Value, min: i64, max: i64) -> Option<i64> {
    value.as_i64().filter(|n| (min..=max).contains(n))
}

/// Checks the key and, for known keys, the value's shape.
///
/// # Errors
/// [`Error::Invalid`] with what is wrong.
pub fn validate_value(key: &str, value: &serde_json::Value) -> Result<()> {
    validate_key(key)?;
    let Some(known) = ConfigKey::known(key) else { return Ok(()) };
    let shape = |expected: &str| Error::invalid("value", format!("`{key}` must be {expected}"));
    match known {
        ConfigKey::Languages => {
            let langs: Vec<String> =
                serde_json::from_value(value.clone()).map_err(|_| shape("an array of language codes"))?;
            if langs.is_empty() {
                return Err(shape("a non-empty array of language codes"));
            }
            for l in &langs {
                Language::parse(l)?;
            }
        }
        ConfigKey::SupportContact | ConfigKey::WelcomeText => {
            let s = value.as_str().ok_or_else(|| shape("a string"))?;
            if s.trim().is_empty() || s.chars().count() > 4096 {
                return Err(shape("a non-empty string of at most 4096 characters"));
            }
        }
        ConfigKey::AdminChatId => {
            value.as_i64().ok_or_else(|| shape("an integer chat id"))?;
        }
        ConfigKey::AdminIds => {
            let _: Vec<i64> =
                serde_json::from_value(value.clone()).map_err(|_| shape("an array of integer Telegram ids"))?;
        }
        ConfigKey::CardRotationStrategy => {
            let _: RotationStrategy = serde_json::from_value(value.clone())
                .map_err(|_| shape("one of \"round_robin\", \"random\", \"time_based\", \"weighted\""))?;
        }
        ConfigKey::Trial => {
            let t: TrialParams = serde_json::from_value(value.clone())
                .map_err(|_| shape("an object {\"days\":N,\"traffic_gb\":N,\"device_limit\":N}"))?;
            if t.days == 0 || t.device_limit == 0 {
                return Err(shape("a trial of at least one day and one device"));
            }
        }
        ConfigKey::ZarinpalMerchantId => {
            let s = value.as_str().ok_or_else(|| shape("a string"))?;
            crate::payment::MerchantId::parse(s)?;
        }
        ConfigKey::StarsRate => {
            in_range(value, 1, 100_000_000).ok_or_else(|| shape("an integer number of Toman per Star above 0"))?;
        }
        ConfigKey::ResetDevicesOnRenewal | ConfigKey::ZarinpalSandbox => {
            value.as_bool().ok_or_else(|| shape("true or false"))?;
        }
        ConfigKey::PanelSquads => {
            let squads: Vec<String> =
                serde_json::from_value(value.clone()).map_err(|_| shape("an array of internal-squad uuids"))?;
            let uuid_like = |s: &String| s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
            if !squads.iter().all(uuid_like) {
                return Err(shape("an array of internal-squad uuids (36 characters of hex digits and `-`)"));
            }
        }
        ConfigKey::PanelUrl => {
            let s = value.as_str().ok_or_else(|| shape("a string URL"))?;
            if !(s.starts_with("https://") || s.starts_with("http://"))
                || s.contains(char::is_whitespace)
                || s.len() > 2048
            {
                return Err(shape("an http(s) URL such as https://panel.example.com"));
            }
        }
        ConfigKey::PanelToken => {
            return Err(Error::invalid(
                "value",
                "`panel_token` is a secret: set it with the secret configuration call",
            ));
        }
        ConfigKey::ReferralPercent => {
            in_range(value, 0, 100).ok_or_else(|| shape("an integer from 0 to 100"))?;
        }
        ConfigKey::CardPaymentMinutes => {
            in_range(value, 1, 1440).ok_or_else(|| shape("an integer number of minutes from 1 to 1440"))?;
        }
        ConfigKey::ReceiptReviewHours => {
            in_range(value, 1, 168).ok_or_else(|| shape("an integer number of hours from 1 to 168"))?;
        }
        ConfigKey::WholesalePricePerGb => {
            let n = value.as_i64().ok_or_else(|| shape("an integer amount of Toman"))?;
            Toman(n).positive("value").or_else(|e| if n == 0 { Ok(Toman::ZERO) } else { Err(e) })?;
        }
    }
    Ok(())
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
}
