//! How to reach a Remnawave panel: its address, credentials, proxy headers, timeout and which
//! API line to speak. Secrets stay in `SecretString` and never reach `Debug`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

/// How long one panel call may take unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// Which panel API line to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum VersionChoice {
    /// Ask the panel (`GET /api/system/metadata`) and pick the line from its version.
    #[default]
    Auto,
    /// Remnawave 2.x: users addressed by uuid.
    V2,
    /// Remnawave 3.x: users addressed by numeric id.
    V3,
}

impl VersionChoice {
    /// Reads `auto`, `v2`, `v3`, `2` or `3` (case and surrounding spaces ignored).
    ///
    /// # Errors
    /// [`PanelConfigError::UnknownVersion`] for anything else.
    pub fn parse(value: &str) -> Result<Self, PanelConfigError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "v2" | "2" => Ok(Self::V2),
            "v3" | "3" => Ok(Self::V3),
            _ => Err(PanelConfigError::UnknownVersion { given: value.to_owned() }),
        }
    }
}

impl FromStr for VersionChoice {
    type Err = PanelConfigError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value)
    }
}

impl fmt::Display for VersionChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::V2 => "v2",
            Self::V3 => "v3",
        })
    }
}

/// A panel setting that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PanelConfigError {
    /// The API version is none of the accepted spellings.
    #[error("REMNAWAVE_API_VERSION must be auto, v2 or v3 (got {given:?})")]
    UnknownVersion { given: String },
}

/// Everything needed to talk to one panel.
#[derive(Clone)]
pub struct PanelConfig {
    /// Where the panel answers, e.g. `https://panel.example.com` (a path prefix is kept).
    pub base_url: Url,
    /// The API token made in the panel, sent as `Authorization: Bearer …`.
    pub token: SecretString,
    /// Sent as `X-Api-Key` when the panel sits behind Caddy's API-key gate.
    pub api_key: Option<SecretString>,
    /// Send `X-Forwarded-Proto: https` and `X-Forwarded-For: 127.0.0.1`, which the panel demands
    /// in production mode when it is reached over plain HTTP (e.g. inside a docker network).
    pub forwarded_headers: bool,
    /// How long one call may take, connection and body included.
    pub timeout: Duration,
    /// Which API line to speak.
    pub version: VersionChoice,
}

impl PanelConfig {
    /// A configuration with the defaults: no API key, no forwarded headers, a 15 s timeout and
    /// automatic version detection.
    pub fn new(base_url: Url, token: SecretString) -> Self {
        Self {
            base_url,
            token,
            api_key: None,
            forwarded_headers: false,
            timeout: DEFAULT_TIMEOUT,
            version: VersionChoice::Auto,
        }
    }
}

impl fmt::Debug for PanelConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PanelConfig")
            .field("base_url", &redacted_url(&self.base_url))
            .field("token", &"[redacted]")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("forwarded_headers", &self.forwarded_headers)
            .field("timeout", &self.timeout)
            .field("version", &self.version)
            .finish()
    }
}

/// `url` without a user name, password, query or fragment, fit for logs and error messages.
pub(crate) fn redacted_url(url: &Url) -> String {
    let mut shown = url.clone();
    // Both setters only fail for URLs that cannot carry credentials in the first place.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn every_accepted_version_spelling_parses() {
        for (given, expected) in [
            ("auto", VersionChoice::Auto),
            ("AUTO", VersionChoice::Auto),
            ("v2", VersionChoice::V2),
            ("V2", VersionChoice::V2),
            ("2", VersionChoice::V2),
            (" v3 ", VersionChoice::V3),
            ("3", VersionChoice::V3),
        ] {
            assert_eq!(VersionChoice::parse(given), Ok(expected), "{given:?}");
        }
    }

    #[test]
    fn an_unknown_version_names_the_setting_and_the_value() {
        let error = VersionChoice::parse("v4").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("REMNAWAVE_API_VERSION"), "{text}");
        assert!(text.contains("\"v4\""), "{text}");
        assert!("".parse::<VersionChoice>().is_err());
        assert!("2.8".parse::<VersionChoice>().is_err());
    }

    #[test]
    fn debug_shows_neither_the_token_nor_the_api_key_nor_url_credentials() {
        let mut config = PanelConfig::new(
            Url::parse("https://admin:hunter2@panel.example.com/base/").unwrap(),
            SecretString::from("tok-very-secret"),
        );
        config.api_key = Some(SecretString::from("caddy-very-secret"));
        let shown = format!("{config:?}");
        for secret in ["tok-very-secret", "caddy-very-secret", "hunter2", "admin"] {
            assert!(!shown.contains(secret), "{secret} leaked into {shown}");
        }
        assert!(shown.contains("panel.example.com/base/"), "{shown}");
        assert!(shown.contains("15s"), "{shown}");
    }
}
