//! Feature flags a tenant can switch: the known keys and their defaults.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Every feature a tenant can switch on or off. Unknown keys are refused, so a typo cannot
/// silently create a flag nobody reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKey {
    /// Card-to-card payment with a receipt approved by the tenant's admin.
    CardToCard,
    /// The Zarinpal payment gateway.
    Zarinpal,
    /// Payment in Telegram Stars.
    TelegramStars,
    /// A free trial subscription, once per customer.
    Trial,
    /// Referral links and rewards.
    Referral,
    /// Promo codes.
    PromoCodes,
    /// Support tickets.
    SupportTickets,
    /// Renewing subscriptions from the customer's balance automatically.
    AutoRenewal,
}

impl FeatureKey {
    /// All known keys, in a stable order.
    pub const ALL: [FeatureKey; 8] = [
        FeatureKey::CardToCard,
        FeatureKey::Zarinpal,
        FeatureKey::TelegramStars,
        FeatureKey::Trial,
        FeatureKey::Referral,
        FeatureKey::PromoCodes,
        FeatureKey::SupportTickets,
        FeatureKey::AutoRenewal,
    ];

    /// The key as stored and as written in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureKey::CardToCard => "card_to_card",
            FeatureKey::Zarinpal => "zarinpal",
            FeatureKey::TelegramStars => "telegram_stars",
            FeatureKey::Trial => "trial",
            FeatureKey::Referral => "referral",
            FeatureKey::PromoCodes => "promo_codes",
            FeatureKey::SupportTickets => "support_tickets",
            FeatureKey::AutoRenewal => "auto_renewal",
        }
    }

    /// Whether the feature is on for a tenant that never set it. Gateways that need
    /// credentials (Zarinpal, Stars) and automatic charging start off.
    pub fn default_enabled(self) -> bool {
        match self {
            FeatureKey::CardToCard
            | FeatureKey::Trial
            | FeatureKey::Referral
            | FeatureKey::PromoCodes
            | FeatureKey::SupportTickets => true,
            FeatureKey::Zarinpal | FeatureKey::TelegramStars | FeatureKey::AutoRenewal => false,
        }
    }

    /// Parses a stored or requested key.
    ///
    /// # Errors
    /// [`Error::UnknownFeature`] listing the known keys.
    pub fn parse(key: &str) -> Result<FeatureKey> {
        FeatureKey::ALL.into_iter().find(|k| k.as_str() == key).ok_or_else(|| Error::UnknownFeature {
            key: key.chars().take(100).collect(),
            known: FeatureKey::ALL.map(FeatureKey::as_str).join(", "),
        })
    }
}

impl std::fmt::Display for FeatureKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tenant's setting for one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureFlag {
    pub key: FeatureKey,
    pub enabled: bool,
    /// Feature-specific settings (a JSON object; `{}` when none).
    pub config: serde_json::Value,
    /// False when the tenant never set this flag and the default applies.
    pub explicit: bool,
}

impl FeatureFlag {
    /// The flag a tenant has before setting it.
    pub fn default_for(key: FeatureKey) -> FeatureFlag {
        FeatureFlag { key, enabled: key.default_enabled(), config: serde_json::json!({}), explicit: false }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_round_trips_and_unknown_keys_name_the_known_ones() {
        for key in FeatureKey::ALL {
            assert_eq!(FeatureKey::parse(key.as_str()).ok(), Some(key));
        }
        let err = FeatureKey::parse("zarinpall").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("zarinpall") && err.contains("card_to_card"), "{err}");
    }
}
