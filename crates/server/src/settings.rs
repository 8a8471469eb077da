//! Settings from the environment and an optional TOML file. Each value is validated here,
//! so a bad one stops start-up with a line naming the variable and what is wrong.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;

/// Every setting the process reads, already validated.
#[derive(Debug)]
pub struct Settings {
    pub database_url: String,
    pub redis_url: Option<String>,
    pub http_addr: SocketAddr,
    pub public_url: Option<String>,
    /// `None`: use (or create) the key file in `data_dir`.
    pub secret_key: Option<SecretString>,
    pub data_dir: PathBuf,
    pub bot_token: Option<SecretString>,
    pub admin_ids: Vec<i64>,
    pub operator_api_token: Option<SecretString>,
    pub feature_cache_ttl: Duration,
    /// The platform's Remnawave panel; `None` when `REMNAWAVE_API_URL` is unset.
    pub panel: Option<remnabot_panel::PanelConfig>,
    /// `REMNAWAVE_SQUADS`: internal squads (uuids) for users of tenants on the platform's
    /// panel that name none of their own; empty: the panel's only squad, if it has one.
    pub panel_squads: Vec<String>,
    /// The Bot API base URL (a fake in tests).
    pub telegram_api_url: String,
    /// Failed provisioning attempts before the tenant's admins are alerted.
    pub provision_alert_after: u32,
    /// How often usage is read from the panel.
    pub sync_interval: Duration,
    /// Webhook (when `PUBLIC_URL` is set) or long polling.
    pub updates_mode: remnabot_bot::UpdatesMode,
    /// Zarinpal's production host (`ZARINPAL_API_URL`; a fake in tests).
    pub zarinpal_api_url: url::Url,
    /// Zarinpal's sandbox host, for tenants whose `zarinpal_sandbox` is on.
    pub zarinpal_sandbox_url: url::Url,
    /// Reverse proxies whose `X-Forwarded-For` names the API's client.
    pub trusted_proxies: remnabot_api::auth::TrustedProxies,
    /// Failed API authentications one client may make within `auth_failure_window` before
    /// its further failures are answered with 429 (a valid token is never refused).
    pub max_auth_failures: u32,
    /// The window failed authentications are counted in.
    pub auth_failure_window: Duration,
}

/// The names the settings are read under, in the environment (upper case) and in the
/// TOML file (lower case).
const KEYS: [&str; 25] = [
    "DATABASE_URL",
    "REDIS_URL",
    "HTTP_ADDR",
    "PUBLIC_URL",
    "SECRET_KEY",
    "DATA_DIR",
    "BOT_TOKEN",
    "ADMIN_IDS",
    "OPERATOR_API_TOKEN",
    "FEATURE_CACHE_TTL_SECS",
    "REMNAWAVE_API_URL",
    "REMNAWAVE_API_TOKEN",
    "REMNAWAVE_API_VERSION",
    "REMNAWAVE_API_KEY",
    "REMNAWAVE_FORWARDED_HEADERS",
    "REMNAWAVE_SQUADS",
    "TELEGRAM_API_URL",
    "PROVISION_ALERT_AFTER",
    "SYNC_INTERVAL_SECS",
    "UPDATES_MODE",
    "ZARINPAL_API_URL",
    "ZARINPAL_SANDBOX_URL",
    "TRUSTED_PROXIES",
    "API_MAX_AUTH_FAILURES",
    "API_AUTH_FAILURE_WINDOW_SECS",
];

/// A setting that failed validation. Its message never contains a secret's value.
#[derive(Debug, thiserror::Error)]
#[error("invalid {name}: {reason}")]
pub struct SettingError {
    pub name: String,
    pub reason: String,
}

fn bad(name: &str, reason: impl Into<String>) -> SettingError {
    SettingError { name: name.to_owned(), reason: reason.into() }
}

impl Settings {
    /// Reads the process environment and, if given, the TOML file.
    ///
    /// # Errors
    /// The first invalid setting.
    pub fn load(file: Option<&Path>) -> Result<Settings, SettingError> {
        let mut values = BTreeMap::new();
        if let Some(path) = file {
            values = read_toml(path)?;
        }
        for key in KEYS {
            if let Ok(v) = std::env::var(key) {
                values.insert(key.to_owned(), v);
            }
        }
        Settings::from_map(&values)
    }

    /// Builds settings from a map of upper-case names to raw values.
    ///
    /// # Errors
    /// The first invalid setting.
    pub fn from_map(values: &BTreeMap<String, String>) -> Result<Settings, SettingError> {
        let get = |k: &str| values.get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "data".to_owned()));
        let database_url = match get("DATABASE_URL") {
            Some(url) => {
                if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                    return Err(bad(
                        "DATABASE_URL",
                        "must start with `sqlite:` or `postgres://` (e.g. sqlite://data/remnabot.db)",
                    ));
                }
                url
            }
            None => format!("sqlite://{}", data_dir.join("remnabot.db").display()),
        };
        let redis_url = match get("REDIS_URL") {
            Some(url)
                if !(url.starts_with("redis://") || url.starts_with("rediss://") || url.starts_with("unix://")) =>
            {
                return Err(bad("REDIS_URL", "must start with `redis://`, `rediss://` or `unix://`"));
            }
            other => other,
        };
        let http_addr = get("HTTP_ADDR").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let http_addr = http_addr
            .parse::<SocketAddr>()
            .map_err(|_| bad("HTTP_ADDR", format!("`{http_addr}` is not an address like 127.0.0.1:8080")))?;
        let public_url = match get("PUBLIC_URL") {
            Some(url) if !(url.starts_with("https://") || url.starts_with("http://")) => {
                return Err(bad("PUBLIC_URL", "must be an http(s) URL such as https://bot.example.com"));
            }
            Some(url) if url.contains(char::is_whitespace) => {
                return Err(bad("PUBLIC_URL", "must not contain spaces"));
            }
            other => other.map(|u| u.trim_end_matches('/').to_owned()),
        };
        let secret_key = get("SECRET_KEY").map(SecretString::from);
        if let Some(key) = &secret_key {
            remnabot_store::SecretKey::parse(secrecy::ExposeSecret::expose_secret(key))
                .map_err(|e| bad("SECRET_KEY", strip_field(&e.to_string(), "SECRET_KEY")))?;
        }
        let bot_token = get("BOT_TOKEN").map(SecretString::from);
        if let Some(token) = &bot_token {
            remnabot_domain::bot::parse_telegram_token(secrecy::ExposeSecret::expose_secret(token))
                .map_err(|_| bad("BOT_TOKEN", "must look like `123456789:AA...` as BotFather gives it"))?;
        }
        let admin_ids = match get("ADMIN_IDS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
                        bad("ADMIN_IDS", format!("`{s}` is not a Telegram user id (comma-separated positive numbers)"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let operator_api_token = get("OPERATOR_API_TOKEN").map(SecretString::from);
        if let Some(t) = &operator_api_token
            && secrecy::ExposeSecret::expose_secret(t).len() < 32
        {
            return Err(bad("OPERATOR_API_TOKEN", "must be at least 32 characters (e.g. `openssl rand -hex 32`)"));
        }
        let ttl = match get("FEATURE_CACHE_TTL_SECS") {
            None => 300,
            Some(s) => s.parse::<u64>().ok().filter(|n| (1..=86_400).contains(n)).ok_or_else(|| {
                bad("FEATURE_CACHE_TTL_SECS", format!("`{s}` is not a number of seconds between 1 and 86400"))
            })?,
        };
        let panel = match get("REMNAWAVE_API_URL") {
            None => None,
            Some(url) => {
                let base =
                    url::Url::parse(&url).ok().filter(|u| u.scheme() == "http" || u.scheme() == "https").ok_or_else(
                        || bad("REMNAWAVE_API_URL", "must be an http(s) URL such as https://panel.example.com"),
                    )?;
                let token = get("REMNAWAVE_API_TOKEN")
                    .ok_or_else(|| bad("REMNAWAVE_API_TOKEN", "is required when REMNAWAVE_API_URL is set"))?;
                let mut config = remnabot_panel::PanelConfig::new(base, SecretString::from(token));
                config.api_key = get("REMNAWAVE_API_KEY").map(SecretString::from);
                config.forwarded_headers = match get("REMNAWAVE_FORWARDED_HEADERS").as_deref() {
                    None | Some("false" | "0" | "no") => false,
                    Some("true" | "1" | "yes") => true,
                    Some(_) => return Err(bad("REMNAWAVE_FORWARDED_HEADERS", "must be true or false")),
                };
                if let Some(v) = get("REMNAWAVE_API_VERSION") {
                    config.version = remnabot_panel::VersionChoice::parse(&v)
                        .map_err(|_| bad("REMNAWAVE_API_VERSION", format!("`{v}` is not auto, v2 or v3")))?;
                }
                Some(config)
            }
        };
        if panel.is_none() && get("REMNAWAVE_API_TOKEN").is_some() {
            return Err(bad("REMNAWAVE_API_TOKEN", "is set but REMNAWAVE_API_URL is not"));
        }
        let panel_squads: Vec<String> = get("REMNAWAVE_SQUADS")
            .map(|list| list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        // The same rule as a tenant's `panel_squads`.
        remnabot_domain::config::validate_value("panel_squads", &serde_json::json!(panel_squads)).map_err(|_| {
            bad(
                "REMNAWAVE_SQUADS",
                "must be comma-separated internal-squad uuids (at most 64; see GET /api/internal-squads on the panel)",
            )
        })?;
        if panel.is_none() && !panel_squads.is_empty() {
            return Err(bad("REMNAWAVE_SQUADS", "is set but REMNAWAVE_API_URL is not"));
        }
        let telegram_api_url = get("TELEGRAM_API_URL").unwrap_or_else(|| "https://api.telegram.org".to_owned());
        if !(telegram_api_url.starts_with("https://") || telegram_api_url.starts_with("http://")) {
            return Err(bad("TELEGRAM_API_URL", "must be an http(s) URL"));
        }
        let gateway_url = |name: &'static str, default: &str| -> Result<url::Url, SettingError> {
            let v = get(name).unwrap_or_else(|| default.to_owned());
            if !(v.starts_with("https://") || v.starts_with("http://")) {
                return Err(bad(name, "must be an http(s) URL"));
            }
            url::Url::parse(&format!("{}/", v.trim_end_matches('/')))
                .map_err(|e| bad(name, format!("is not a valid URL: {e}")))
        };
        let zarinpal_api_url = gateway_url("ZARINPAL_API_URL", "https://payment.zarinpal.com")?;
        let zarinpal_sandbox_url = gateway_url("ZARINPAL_SANDBOX_URL", "https://sandbox.zarinpal.com")?;
        let number = |name: &str, default: u64, range: std::ops::RangeInclusive<u64>| -> Result<u64, SettingError> {
            match get(name) {
                None => Ok(default),
                Some(s) => s.parse::<u64>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
                    bad(name, format!("`{s}` is not a whole number between {} and {}", range.start(), range.end()))
                }),
            }
        };
        let updates_mode = match (get("UPDATES_MODE").as_deref(), &public_url) {
            (None | Some("webhook"), Some(url)) => remnabot_bot::UpdatesMode::Webhook {
                // The base must end with `/` so `webhook/{id}` joins under it.
                public_url: url::Url::parse(&format!("{url}/"))
                    .map_err(|e| bad("PUBLIC_URL", format!("is not a valid URL: {e}")))?,
            },
            (Some("webhook"), None) => {
                return Err(bad("UPDATES_MODE", "webhook needs PUBLIC_URL (the https address Telegram calls)"));
            }
            (None | Some("polling"), _) => remnabot_bot::UpdatesMode::Polling,
            (Some(other), _) => return Err(bad("UPDATES_MODE", format!("`{other}` is not webhook or polling"))),
        };
        let provision_alert_after = number("PROVISION_ALERT_AFTER", 5, 1..=1000)? as u32;
        let sync_interval = Duration::from_secs(number("SYNC_INTERVAL_SECS", 600, 10..=86_400)?);
        let trusted_proxies = remnabot_api::auth::TrustedProxies::parse(&get("TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|e| bad("TRUSTED_PROXIES", e))?;
        let max_auth_failures = number("API_MAX_AUTH_FAILURES", 20, 1..=1_000_000)? as u32;
        let auth_failure_window = Duration::from_secs(number("API_AUTH_FAILURE_WINDOW_SECS", 300, 1..=86_400)?);
        Ok(Settings {
            trusted_proxies,
            max_auth_failures,
            auth_failure_window,
            zarinpal_api_url,
            zarinpal_sandbox_url,
            updates_mode,
            panel,
            panel_squads,
            telegram_api_url,
            provision_alert_after,
            sync_interval,
            database_url,
            redis_url,
            http_addr,
            public_url,
            secret_key,
            data_dir,
            bot_token,
            admin_ids,
            operator_api_token,
            feature_cache_ttl: Duration::from_secs(ttl),
        })
    }
}

fn strip_field(message: &str, field: &str) -> String {
    message.strip_prefix(&format!("invalid {field}: ")).unwrap_or(message).to_owned()
}

fn read_toml(path: &Path) -> Result<BTreeMap<String, String>, SettingError> {
    let name = "--config";
    let text = std::fs::read_to_string(path).map_err(|e| bad(name, format!("cannot read {}: {e}", path.display())))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| bad(name, format!("{} is not valid TOML: {}", path.display(), e.message())))?;
    let mut out = BTreeMap::new();
    for (key, value) in table {
        let upper = key.to_uppercase();
        if !KEYS.contains(&upper.as_str()) {
            return Err(bad(
                name,
                format!("unknown setting `{key}` in {}; known: {}", path.display(), KEYS.join(", ").to_lowercase()),
            ));
        }
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    toml::Value::Integer(n) => Ok(n.to_string()),
                    toml::Value::String(s) => Ok(s.clone()),
                    _ => Err(bad(name, format!("`{key}` must be a list of numbers or strings"))),
                })
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
            _ => return Err(bad(name, format!("`{key}` must be a string, a number or a list"))),
        };
        out.insert(upper, text);
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> Result<Settings, SettingError> {
        Settings::from_map(&pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn defaults_are_a_sqlite_file_in_data_and_localhost_8080() {
        let s = with(&[]).unwrap();
        assert_eq!(s.database_url, "sqlite://data/remnabot.db");
        assert_eq!(s.http_addr.to_string(), "127.0.0.1:8080");
        assert!(s.redis_url.is_none() && s.secret_key.is_none() && s.admin_ids.is_empty());
        assert_eq!(s.feature_cache_ttl, Duration::from_secs(300));
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        for (key, value) in [
            ("DATABASE_URL", "mysql://x"),
            ("REDIS_URL", "localhost:6379"),
            ("HTTP_ADDR", "localhost"),
            ("PUBLIC_URL", "bot.example.com"),
            ("SECRET_KEY", "tooshort"),
            ("BOT_TOKEN", "123"),
            ("ADMIN_IDS", "1,abc"),
            ("OPERATOR_API_TOKEN", "short"),
            ("FEATURE_CACHE_TTL_SECS", "0"),
            ("REMNAWAVE_API_URL", "panel.example.com"),
            ("REMNAWAVE_API_TOKEN", "token-without-url"),
            ("TELEGRAM_API_URL", "api.telegram.org"),
            ("PROVISION_ALERT_AFTER", "0"),
            ("SYNC_INTERVAL_SECS", "1"),
            ("UPDATES_MODE", "push"),
            ("TRUSTED_PROXIES", "127.0.0.1,proxy.local"),
        ] {
            let err = with(&[(key, value)]).unwrap_err().to_string();
            assert!(err.starts_with(&format!("invalid {key}:")), "{key}: {err}");
        }
    }

    #[test]
    fn secrets_never_appear_in_errors_or_debug() {
        let token = "123456:bad token with spaces that is long enough";
        let err = with(&[("BOT_TOKEN", token)]).unwrap_err().to_string();
        assert!(!err.contains("bad token"), "{err}");
        let s = with(&[("OPERATOR_API_TOKEN", "op-secret-0123456789abcdef0123456789")]).unwrap();
        assert!(!format!("{s:?}").contains("op-secret"));
    }

    #[test]
    fn the_panel_needs_a_url_and_a_token_and_reads_its_options() {
        let err = with(&[("REMNAWAVE_API_URL", "https://panel.example.com")]).unwrap_err().to_string();
        assert!(err.starts_with("invalid REMNAWAVE_API_TOKEN"), "{err}");
        let s = with(&[
            ("REMNAWAVE_API_URL", "https://panel.example.com"),
            ("REMNAWAVE_API_TOKEN", "panel-secret-token"),
            ("REMNAWAVE_API_VERSION", "v2"),
            ("REMNAWAVE_FORWARDED_HEADERS", "true"),
        ])
        .unwrap();
        let panel = s.panel.as_ref().unwrap();
        assert_eq!(panel.version, remnabot_panel::VersionChoice::V2);
        assert!(panel.forwarded_headers);
        assert!(!format!("{s:?}").contains("panel-secret-token"));
        let err = with(&[
            ("REMNAWAVE_API_URL", "https://p.example"),
            ("REMNAWAVE_API_TOKEN", "t"),
            ("REMNAWAVE_API_VERSION", "v9"),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("invalid REMNAWAVE_API_VERSION"), "{err}");
    }

    #[test]
    fn remnawave_squads_are_comma_separated_uuids_of_the_platform_panel() {
        let panel = [("REMNAWAVE_API_URL", "https://panel.example.com"), ("REMNAWAVE_API_TOKEN", "t")];
        let a = "0b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
        let b = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
        let list = format!("{a}, {b},");
        let s = with(&[panel[0], panel[1], ("REMNAWAVE_SQUADS", &list)]).unwrap();
        assert_eq!(s.panel_squads, vec![a.to_owned(), b.to_owned()]);
        assert!(with(&panel).unwrap().panel_squads.is_empty(), "none by default");
        for bad in ["premium", "0b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4", &format!("{a};{b}")] {
            let err = with(&[panel[0], panel[1], ("REMNAWAVE_SQUADS", bad)]).unwrap_err().to_string();
            assert!(err.starts_with("invalid REMNAWAVE_SQUADS:"), "{bad}: {err}");
        }
        let err = with(&[("REMNAWAVE_SQUADS", a)]).unwrap_err().to_string();
        assert!(err.starts_with("invalid REMNAWAVE_SQUADS:") && err.contains("REMNAWAVE_API_URL"), "{err}");
    }

    #[test]
    fn updates_come_by_webhook_when_there_is_a_public_url_and_by_polling_otherwise() {
        assert_eq!(with(&[]).unwrap().updates_mode, remnabot_bot::UpdatesMode::Polling);
        let s = with(&[("PUBLIC_URL", "https://bot.example.com/base")]).unwrap();
        let remnabot_bot::UpdatesMode::Webhook { public_url } = s.updates_mode else { panic!("webhook expected") };
        assert_eq!(public_url.join("webhook/7").unwrap().as_str(), "https://bot.example.com/base/webhook/7");
        let forced = with(&[("PUBLIC_URL", "https://bot.example.com"), ("UPDATES_MODE", "polling")]).unwrap();
        assert_eq!(forced.updates_mode, remnabot_bot::UpdatesMode::Polling);
        let err = with(&[("UPDATES_MODE", "webhook")]).unwrap_err().to_string();
        assert!(err.contains("PUBLIC_URL"), "{err}");
    }

    #[test]
    fn trusted_proxies_are_addresses_and_networks() {
        let s = with(&[("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")]).unwrap();
        assert!(s.trusted_proxies.contains("10.2.3.4".parse().unwrap()));
        assert!(s.trusted_proxies.contains("::1".parse().unwrap()));
        assert!(!s.trusted_proxies.contains("192.0.2.1".parse().unwrap()));
        assert!(!with(&[]).unwrap().trusted_proxies.contains("127.0.0.1".parse().unwrap()), "none by default");
    }

    #[test]
    fn the_failed_authentication_limit_is_a_setting_within_bounds() {
        let d = with(&[]).unwrap();
        assert_eq!((d.max_auth_failures, d.auth_failure_window), (20, Duration::from_secs(300)));
        let s = with(&[("API_MAX_AUTH_FAILURES", "500"), ("API_AUTH_FAILURE_WINDOW_SECS", "60")]).unwrap();
        assert_eq!((s.max_auth_failures, s.auth_failure_window), (500, Duration::from_secs(60)));
        for (key, value) in [("API_MAX_AUTH_FAILURES", "0"), ("API_AUTH_FAILURE_WINDOW_SECS", "86401")] {
            let err = with(&[(key, value)]).unwrap_err().to_string();
            assert!(err.starts_with(&format!("invalid {key}")), "{err}");
        }
    }

    #[test]
    fn admin_ids_are_a_comma_separated_list() {
        assert_eq!(with(&[("ADMIN_IDS", "1, 22,333")]).unwrap().admin_ids, vec![1, 22, 333]);
    }

    #[test]
    fn toml_file_values_are_read_and_unknown_keys_refused() {
        let dir = std::env::temp_dir().join(format!("remnabot-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(&good, "http_addr = \"0.0.0.0:9000\"\nadmin_ids = [5, 6]\n").unwrap();
        let map = read_toml(&good).unwrap();
        let s = Settings::from_map(&map).unwrap();
        assert_eq!(s.http_addr.to_string(), "0.0.0.0:9000");
        assert_eq!(s.admin_ids, vec![5, 6]);
        let bad_file = dir.join("bad.toml");
        std::fs::write(&bad_file, "htp_addr = \"x\"\n").unwrap();
        assert!(read_toml(&bad_file).unwrap_err().to_string().contains("unknown setting `htp_addr`"));
        std::fs::write(&bad_file, "http_addr = \n").unwrap();
        assert!(read_toml(&bad_file).unwrap_err().to_string().contains("not valid TOML"));
    }
}
