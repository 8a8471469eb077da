//! Remnawave panel client: the 2.x (users by uuid) and 3.x (users by numeric id) API lines
//! behind the domain's [`Panel`] port, with version detection and the naming rules that keep
//! tenants apart on a shared panel.

mod config;
mod http;
mod routes;
mod v2;
mod v3;
mod wire;

use std::sync::Arc;

use remnabot_domain::panel::{Panel, PanelError, PanelVersion};
use reqwest::Method;
use serde_json::Value;

pub use config::{DEFAULT_TIMEOUT, PanelConfig, PanelConfigError, VersionChoice};
pub use remnabot_domain::panel::{panel_username, tenant_description, tenant_tag};
pub use v2::RemnawaveV2;
pub use v3::RemnawaveV3;

use crate::http::PanelHttp;

/// The HTTP client for panel calls: redirects are never followed (a 3xx answer is an error),
/// so a panel URL cannot send the platform's calls, and its token, on to another host.
///
/// # Errors
/// When the TLS backend cannot be set up.
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("remnabot/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// The adapter for the panel `config` names. With [`VersionChoice::Auto`] the panel is asked for
/// its version first (`GET /api/system/metadata`); `client` may be shared with the rest of the
/// application.
///
/// # Errors
/// Any [`PanelError`] of the metadata call (e.g. [`PanelError::Unauthorized`],
/// [`PanelError::Unreachable`]), or [`PanelError::Protocol`] when the panel's version cannot be
/// read or is older than 2.x; pinning `REMNAWAVE_API_VERSION` skips detection.
pub async fn connect(config: PanelConfig, client: reqwest::Client) -> Result<Arc<dyn Panel>, PanelError> {
    let version = match config.version {
        VersionChoice::V2 => PanelVersion::V2,
        VersionChoice::V3 => PanelVersion::V3,
        VersionChoice::Auto => detect_version(&PanelHttp::new(&config, client.clone())).await?,
    };
    Ok(build(config, client, version))
}

/// The adapter for `version`, without asking the panel anything.
pub fn build(config: PanelConfig, client: reqwest::Client, version: PanelVersion) -> Arc<dyn Panel> {
    match version {
        PanelVersion::V2 => Arc::new(RemnawaveV2::new(&config, client)),
        PanelVersion::V3 => Arc::new(RemnawaveV3::new(&config, client)),
    }
}

const PIN_HINT: &str = "set REMNAWAVE_API_VERSION to v2 or v3 to pin the panel API version";

async fn detect_version(http: &PanelHttp) -> Result<PanelVersion, PanelError> {
    let metadata = match http.send_raw(Method::GET, &["api", "system", "metadata"]).await {
        Ok(metadata) => metadata,
        Err(PanelError::NotFound) => {
            return Err(PanelError::Protocol(format!(
                "the panel has no /api/system/metadata to read its version from; {PIN_HINT}"
            )));
        }
        Err(PanelError::Rejected { status, message, .. }) => {
            return Err(PanelError::Protocol(format!(
                "the panel refused GET /api/system/metadata (HTTP {status}: {message}); {PIN_HINT}"
            )));
        }
        Err(PanelError::Protocol(message)) => return Err(PanelError::Protocol(format!("{message}; {PIN_HINT}"))),
        Err(other) => return Err(other),
    };
    let Some(version) = metadata_version(&metadata) else {
        return Err(PanelError::Protocol(format!(
            "GET /api/system/metadata did not say which version the panel runs; {PIN_HINT}"
        )));
    };
    let version = version_from_text(version)?;
    tracing::debug!(?version, "detected the panel API version");
    Ok(version)
}

/// The version text of a metadata body: `response.version`, `response.backend.version` or a
/// top-level `version`.
fn metadata_version(body: &Value) -> Option<&str> {
    [body.pointer("/response/version"), body.pointer("/response/backend/version"), body.get("version")]
        .into_iter()
        .flatten()
        .find_map(Value::as_str)
}

/// The API line of a panel version such as `2.8.1`, `v3.3.2` or `3.0.0-beta.1`.
fn version_from_text(text: &str) -> Result<PanelVersion, PanelError> {
    let major = text.trim().trim_start_matches(['v', 'V']).split(['.', '-', '+']).next().unwrap_or_default();
    match major.parse::<u64>() {
        Ok(2) => Ok(PanelVersion::V2),
        Ok(3..) => Ok(PanelVersion::V3),
        Ok(_) => Err(PanelError::Protocol(format!(
            "the panel runs Remnawave {text}; remnabot supports 2.x and 3.x, so upgrade the panel"
        ))),
        Err(_) => Err(PanelError::Protocol(format!("the panel reported an unreadable version {text:?}; {PIN_HINT}"))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_version_is_read_from_any_of_the_known_places() {
        assert_eq!(metadata_version(&json!({"response": {"version": "2.8.1"}})), Some("2.8.1"));
        assert_eq!(metadata_version(&json!({"response": {"backend": {"version": "3.3.2"}}})), Some("3.3.2"));
        assert_eq!(metadata_version(&json!({"version": "3.0.0"})), Some("3.0.0"));
        assert_eq!(metadata_version(&json!({"response": {"build": {}}})), None);
        assert_eq!(metadata_version(&json!({"response": {"version": 3}})), None);
    }

    #[test]
    fn major_two_is_v2_and_three_or_later_is_v3() {
        assert_eq!(version_from_text("2.8.1"), Ok(PanelVersion::V2));
        assert_eq!(version_from_text("v2.0.0"), Ok(PanelVersion::V2));
        assert_eq!(version_from_text("3.3.2"), Ok(PanelVersion::V3));
        assert_eq!(version_from_text("3.0.0-beta.1"), Ok(PanelVersion::V3));
        assert_eq!(version_from_text("4.1.0"), Ok(PanelVersion::V3));
        assert_eq!(version_from_text("3"), Ok(PanelVersion::V3));
    }

    #[test]
    fn an_old_or_unreadable_version_is_a_clear_protocol_error() {
        let Err(PanelError::Protocol(old)) = version_from_text("1.6.16") else { panic!("1.x accepted") };
        assert!(old.contains("1.6.16"), "{old}");
        let Err(PanelError::Protocol(garbage)) = version_from_text("latest") else { panic!("garbage accepted") };
        assert!(garbage.contains("REMNAWAVE_API_VERSION"), "{garbage}");
    }
}
