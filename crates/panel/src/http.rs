//! The transport shared by both API lines: builds URLs under the panel's base address, adds the
//! auth and proxy headers, unwraps the `{"response": …}` envelope and turns every failure into a
//! [`PanelError`] whose text never carries the API token.

use std::fmt;
use std::time::{Duration, Instant};

use remnabot_domain::panel::{PanelError, PanelResult};
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::config::{PanelConfig, redacted_url};

/// The longest piece of a panel's error text we keep.
const MAX_MESSAGE_CHARS: usize = 300;

/// One panel's transport over a (possibly shared) `reqwest::Client`.
#[derive(Clone)]
pub(crate) struct PanelHttp {
    client: reqwest::Client,
    base_url: Url,
    /// Prebuilt once; an unusable token is reported on every call rather than panicking.
    headers: Result<HeaderMap, PanelError>,
    timeout: Duration,
    /// Kept only to scrub them out of any text the panel or a proxy echoes back.
    secrets: Vec<SecretString>,
}

impl fmt::Debug for PanelHttp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PanelHttp")
            .field("base_url", &redacted_url(&self.base_url))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl PanelHttp {
    pub(crate) fn new(config: &PanelConfig, client: reqwest::Client) -> Self {
        let mut secrets = vec![config.token.clone()];
        secrets.extend(config.api_key.clone());
        Self {
            client,
            base_url: config.base_url.clone(),
            headers: default_headers(config),
            timeout: config.timeout,
            secrets,
        }
    }

    /// Calls the panel and decodes the `response` field of its envelope.
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> PanelResult<T> {
        let bytes = self.execute(method, path, query, body).await?;
        decode_envelope(&bytes).map_err(|error| self.scrub(error))
    }

    /// Like [`Self::send`], but an empty body (e.g. `204 No Content`) is `None`.
    pub(crate) async fn send_or_empty<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &[&str],
        body: Option<&Value>,
    ) -> PanelResult<Option<T>> {
        let bytes = self.execute(method, path, &[], body).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        decode_envelope(&bytes).map(Some).map_err(|error| self.scrub(error))
    }

    /// Calls the panel and returns its whole JSON body, envelope included.
    pub(crate) async fn send_raw(&self, method: Method, path: &[&str]) -> PanelResult<Value> {
        let bytes = self.execute(method, path, &[], None).await?;
        serde_json::from_slice(&bytes)
            .map_err(|error| self.scrub(PanelError::Protocol(format!("the body is not JSON: {error}"))))
    }

    async fn execute(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> PanelResult<Vec<u8>> {
        let url = self.endpoint(path, query)?;
        let headers = self.headers.clone()?;
        let mut request = self.client.request(method.clone(), url.clone()).headers(headers).timeout(self.timeout);
        if let Some(body) = body {
            request = request.json(body);
        }
        let started = Instant::now();
        let outcome = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                response.bytes().await.map(|bytes| (status, bytes))
            }
            Err(error) => Err(error),
        };
        let elapsed_ms = started.elapsed().as_millis();
        match outcome {
            Ok((status, bytes)) => {
                tracing::debug!(%method, path = url.path(), status, elapsed_ms, "panel call");
                if (200..300).contains(&status) {
                    Ok(bytes.to_vec())
                } else {
                    Err(self.scrub(error_from_response(status, &bytes)))
                }
            }
            Err(error) => {
                let error = self.scrub(self.transport_error(&error));
                tracing::debug!(%method, path = url.path(), elapsed_ms, %error, "panel call failed");
                Err(error)
            }
        }
    }

    /// `base_url` with `path` appended segment by segment (each one percent-encoded) and `query`.
    fn endpoint(&self, path: &[&str], query: &[(&str, String)]) -> PanelResult<Url> {
        let mut url = self.base_url.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .map_err(|()| {
                PanelError::Protocol(format!(
                    "the panel address {} cannot have paths; set an http(s) URL",
                    redacted_url(&self.base_url)
                ))
            })?
            .pop_if_empty()
            .extend(path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    fn transport_error(&self, error: &reqwest::Error) -> PanelError {
        if error.is_timeout() {
            return PanelError::Timeout(self.timeout);
        }
        let origin = self.base_url.origin().ascii_serialization();
        if error.is_decode() {
            return PanelError::Protocol(format!("unreadable answer from {origin}: {}", source_chain(error)));
        }
        if error.is_builder() {
            return PanelError::Protocol(format!("cannot build a request for {origin}: {}", source_chain(error)));
        }
        if error.is_connect() {
            return PanelError::Unreachable(format!("cannot connect to {origin}: {}", source_chain(error)));
        }
        // Everything else is the connection failing mid-way: reset, closed before an answer, a
        // body cut short.
        PanelError::Unreachable(format!("the connection to {origin} failed: {}", source_chain(error)))
    }

    /// Replaces any configured secret in the error's text: the text may come from the panel or a
    /// proxy in front of it, which could echo our headers.
    fn scrub(&self, error: PanelError) -> PanelError {
        let clean = |text: String| {
            self.secrets.iter().map(|secret| secret.expose_secret()).filter(|secret| !secret.is_empty()).fold(
                text,
                |text, secret| {
                    if text.contains(secret) { text.replace(secret, "[redacted]") } else { text }
                },
            )
        };
        match error {
            PanelError::Rejected { status, code, message } => {
                PanelError::Rejected { status, code: code.map(&clean), message: clean(message) }
            }
            PanelError::Server { status, message } => PanelError::Server { status, message: clean(message) },
            PanelError::Unreachable(message) => PanelError::Unreachable(clean(message)),
            PanelError::Protocol(message) => PanelError::Protocol(clean(message)),
            PanelError::AlreadyExists { username } => PanelError::AlreadyExists { username: clean(username) },
            other @ (PanelError::NotFound | PanelError::Unauthorized { .. } | PanelError::Timeout(_)) => other,
        }
    }
}

fn default_headers(config: &PanelConfig) -> Result<HeaderMap, PanelError> {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(
        AUTHORIZATION,
        secret_header(&format!("Bearer {}", config.token.expose_secret()), "REMNAWAVE_API_TOKEN")?,
    );
    if let Some(api_key) = &config.api_key {
        headers.insert(HeaderName::from_static("x-api-key"), secret_header(api_key.expose_secret(), "the API key")?);
    }
    if config.forwarded_headers {
        headers.insert(HeaderName::from_static("x-forwarded-proto"), HeaderValue::from_static("https"));
        headers.insert(HeaderName::from_static("x-forwarded-for"), HeaderValue::from_static("127.0.0.1"));
    }
    Ok(headers)
}

fn secret_header(value: &str, what: &str) -> Result<HeaderValue, PanelError> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        PanelError::Protocol(format!("{what} contains characters that cannot be sent in an HTTP header"))
    })?;
    header.set_sensitive(true);
    Ok(header)
}

/// `error`'s causes, joined; reqwest's own text is left out because it names the full URL.
fn source_chain(error: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        parts.push(inner.to_string());
        cause = inner.source();
    }
    if parts.is_empty() { "no further detail".to_owned() } else { parts.join(": ") }
}

#[derive(Deserialize)]
struct Envelope<T> {
    response: T,
}

/// The `response` field of a success body.
pub(crate) fn decode_envelope<T: DeserializeOwned>(bytes: &[u8]) -> PanelResult<T> {
    serde_json::from_slice::<Envelope<T>>(bytes)
        .map(|envelope| envelope.response)
        .map_err(|error| PanelError::Protocol(format!("the response does not match the API contract: {error}")))
}

/// The panel's error body: `{timestamp, path, message, errorCode}`, or for zod validation
/// failures nestjs-zod's `{statusCode, message, errors: [issue…]}`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    #[serde(default)]
    message: Option<Value>,
    #[serde(default)]
    error_code: Option<String>,
    /// Nest's own errors (e.g. an unknown route) carry the reason phrase here.
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    errors: Option<Vec<Value>>,
    #[serde(default)]
    issues: Option<Vec<Value>>,
}

/// Maps a non-2xx answer to a [`PanelError`].
pub(crate) fn error_from_response(status: u16, body: &[u8]) -> PanelError {
    let parsed = serde_json::from_slice::<ErrorBody>(body).ok();
    let code = parsed.as_ref().and_then(|body| body.error_code.clone()).filter(|code| !code.is_empty());
    let message = match &parsed {
        Some(parsed) => summarize(parsed).unwrap_or_else(|| plain_text(body, status)),
        None => plain_text(body, status),
    };
    if status == 404 && parsed.as_ref().is_some_and(is_missing_route) {
        // Nest's "Cannot GET /api/…": the panel lacks the route, not the user. Reporting
        // NotFound here would make a caller believe users vanished when the API line is wrong.
        return PanelError::Protocol(format!(
            "the panel has no such route ({message}); check the panel URL and REMNAWAVE_API_VERSION"
        ));
    }
    if status == 404 || code.as_deref() == Some("A025") {
        return PanelError::NotFound;
    }
    if code.as_deref() == Some("A019") {
        // The caller knows the username; `create_user` puts it in.
        return PanelError::AlreadyExists { username: String::new() };
    }
    match status {
        401 | 403 => PanelError::Unauthorized { status },
        400..=499 => PanelError::Rejected { status, code, message },
        500..=599 => PanelError::Server { status, message },
        _ => PanelError::Protocol(format!("unexpected HTTP status {status}: {message}")),
    }
}

/// Nest's answer to a route it does not have: `{"message":"Cannot GET /…","error":"Not Found"}`.
fn is_missing_route(body: &ErrorBody) -> bool {
    body.error_code.is_none()
        && body.error.as_deref() == Some("Not Found")
        && matches!(&body.message, Some(Value::String(text)) if text.starts_with("Cannot "))
}

fn summarize(body: &ErrorBody) -> Option<String> {
    let headline = match &body.message {
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Array(items)) => Some(items.iter().map(value_text).collect::<Vec<_>>().join("; ")),
        Some(other) => Some(value_text(other)),
        None => None,
    };
    let issues = body
        .errors
        .as_ref()
        .or(body.issues.as_ref())
        .filter(|issues| !issues.is_empty())
        .map(|issues| issues.iter().map(issue_text).collect::<Vec<_>>().join("; "));
    let text = match (headline, issues) {
        (Some(headline), Some(issues)) => format!("{headline}: {issues}"),
        (Some(only), None) | (None, Some(only)) => only,
        (None, None) => return None,
    };
    Some(truncate(&text))
}

/// One zod issue as `path.to.field: message`.
fn issue_text(issue: &Value) -> String {
    let message = issue.get("message").map(value_text).unwrap_or_else(|| value_text(issue));
    let path = issue
        .get("path")
        .and_then(Value::as_array)
        .map(|parts| parts.iter().map(value_text).collect::<Vec<_>>().join("."))
        .filter(|path| !path.is_empty());
    match path {
        Some(path) => format!("{path}: {message}"),
        None => message,
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A fixed description of an answer that is not the panel's JSON error body: whatever the URL
/// answered (an HTML page, a proxy's text, another service) is never relayed to the tenant's
/// admins or the logs, only its status.
fn plain_text(body: &[u8], status: u16) -> String {
    if body.iter().all(u8::is_ascii_whitespace) {
        format!("HTTP {status} with an empty body")
    } else {
        format!("HTTP {status} with an answer that is not a panel error body (not shown)")
    }
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn http(base: &str) -> PanelHttp {
        let mut config = PanelConfig::new(Url::parse(base).unwrap(), SecretString::from("tok-secret"));
        config.api_key = Some(SecretString::from("key-secret"));
        PanelHttp::new(&config, reqwest::Client::new())
    }

    #[test]
    fn a_missing_user_is_not_found() {
        let body = br#"{"timestamp":"2025-01-01T00:00:00Z","path":"/api/users/x","message":"User not found","errorCode":"A025"}"#;
        assert_eq!(error_from_response(404, body), PanelError::NotFound);
        assert_eq!(error_from_response(404, b"<html>nope</html>"), PanelError::NotFound);
        let users_not_found = br#"{"message":"Users not found","errorCode":"A062"}"#;
        assert_eq!(error_from_response(404, users_not_found), PanelError::NotFound);
    }

    #[test]
    fn a_missing_route_is_a_protocol_error_not_a_missing_user() {
        let body = br#"{"message":"Cannot GET /api/users/by-telegram-id/5","error":"Not Found","statusCode":404}"#;
        let PanelError::Protocol(message) = error_from_response(404, body) else { panic!("expected Protocol") };
        assert!(message.contains("Cannot GET /api/users/by-telegram-id/5"), "{message}");
        assert!(message.contains("REMNAWAVE_API_VERSION"), "{message}");
    }

    #[test]
    fn a_duplicate_username_is_already_exists() {
        let body =
            br#"{"timestamp":"t","path":"/api/users","message":"User username already exists","errorCode":"A019"}"#;
        assert!(matches!(error_from_response(400, body), PanelError::AlreadyExists { .. }));
    }

    #[test]
    fn refused_credentials_are_unauthorized() {
        let body = br#"{"timestamp":"t","path":"/api/users","message":"Forbidden","errorCode":"A068"}"#;
        assert_eq!(error_from_response(403, body), PanelError::Unauthorized { status: 403 });
        assert_eq!(error_from_response(401, b""), PanelError::Unauthorized { status: 401 });
    }

    #[test]
    fn other_client_errors_keep_the_panels_code_and_message() {
        let body = br#"{"timestamp":"t","path":"/api/users","message":"Squad not found","errorCode":"A077"}"#;
        assert_eq!(
            error_from_response(400, body),
            PanelError::Rejected { status: 400, code: Some("A077".into()), message: "Squad not found".into() }
        );
    }

    #[test]
    fn a_zod_validation_error_names_each_field() {
        let body = br#"{"statusCode":400,"message":"Validation failed","errors":[
            {"code":"custom","message":"Expiration date cannot be in the past","path":["expireAt"]},
            {"code":"invalid_string","message":"Tag can only contain uppercase letters","path":["tag"]}]}"#;
        let PanelError::Rejected { status, code, message } = error_from_response(400, body) else {
            panic!("expected Rejected");
        };
        assert_eq!(status, 400);
        assert_eq!(code, None);
        assert_eq!(
            message,
            "Validation failed: expireAt: Expiration date cannot be in the past; tag: Tag can only contain uppercase letters"
        );
    }

    #[test]
    fn server_failures_are_server_errors_even_without_json() {
        assert_eq!(
            error_from_response(503, b"Service Unavailable"),
            PanelError::Server {
                status: 503,
                message: "HTTP 503 with an answer that is not a panel error body (not shown)".into()
            }
        );
        let error = error_from_response(500, br#"{"message":"Internal server error","errorCode":"A001"}"#);
        assert_eq!(error, PanelError::Server { status: 500, message: "Internal server error".into() });
        assert!(error.is_transient());
    }

    #[test]
    fn a_body_that_is_not_the_panels_error_is_never_relayed() {
        let body = format!("<html>Phishing: reply to @evil {}</html>", "x".repeat(5000));
        for status in [302, 400, 418, 502] {
            let error = error_from_response(status, body.as_bytes());
            let text = format!("{error} {error:?}");
            assert!(!text.contains("evil") && !text.contains("xxx"), "{text}");
            assert!(text.contains(&status.to_string()), "{text}");
        }
    }

    #[test]
    fn the_envelope_is_unwrapped_and_a_missing_one_is_a_protocol_error() {
        let value: Vec<i64> = decode_envelope(br#"{"response":[1,2]}"#).unwrap();
        assert_eq!(value, vec![1, 2]);
        assert!(matches!(decode_envelope::<Vec<i64>>(b"[1,2]"), Err(PanelError::Protocol(_))));
        assert!(matches!(decode_envelope::<Vec<i64>>(b"<html>"), Err(PanelError::Protocol(_))));
    }

    #[test]
    fn paths_go_under_the_base_address_and_are_encoded() {
        let with_prefix = http("https://panel.example.com/remna");
        let url = with_prefix.endpoint(&["api", "users", "by-username", "a b/c"], &[]).unwrap();
        assert_eq!(url.as_str(), "https://panel.example.com/remna/api/users/by-username/a%20b%2Fc");
        let root = http("http://127.0.0.1:3000/");
        let url = root.endpoint(&["api", "users", "stream"], &[("telegramId", "42".into())]).unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:3000/api/users/stream?telegramId=42");
    }

    #[test]
    fn echoed_secrets_are_scrubbed_from_error_text() {
        let http = http("http://127.0.0.1:1/");
        let error = http.scrub(PanelError::Rejected {
            status: 400,
            code: None,
            message: "bad header Authorization: Bearer tok-secret, X-Api-Key: key-secret".into(),
        });
        let text = format!("{error} {error:?}");
        assert!(!text.contains("tok-secret") && !text.contains("key-secret"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_reported_without_its_text() {
        let config = PanelConfig::new(Url::parse("http://127.0.0.1/").unwrap(), SecretString::from("bad\ntoken"));
        let http = PanelHttp::new(&config, reqwest::Client::new());
        let error = http.headers.clone().unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(text.contains("REMNAWAVE_API_TOKEN") && !text.contains("bad\ntoken"), "{text}");
    }

    /// A panel answering `302` to another server of ours: the call fails and the other
    /// server is never reached (nor sent the token).
    #[tokio::test]
    async fn a_redirecting_panel_is_refused_and_not_followed() {
        use std::io::{Read, Write};
        use std::sync::atomic::{AtomicUsize, Ordering};
        fn serve(answer: String, hits: Option<Arc<AtomicUsize>>) -> u16 {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(mut stream) = stream else { return };
                    let mut buf = [0u8; 4096];
                    let _ = stream.read(&mut buf);
                    if let Some(hits) = &hits {
                        hits.fetch_add(1, Ordering::SeqCst);
                    }
                    let _ = stream.write_all(answer.as_bytes());
                }
            });
            port
        }
        use std::sync::Arc;
        let hits = Arc::new(AtomicUsize::new(0));
        let ok = r#"{"response":{"version":"2.1.0"}}"#;
        let target = serve(
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{ok}",
                ok.len()
            ),
            Some(hits.clone()),
        );
        let redirect = serve(
            format!(
                "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{target}/api/system/metadata\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            ),
            None,
        );
        let config = PanelConfig::new(
            Url::parse(&format!("http://127.0.0.1:{redirect}/")).unwrap(),
            SecretString::from("tok-secret"),
        );
        let http = PanelHttp::new(&config, crate::http_client().unwrap());
        let answer = http.send_raw(Method::GET, &["api", "system", "metadata"]).await;
        assert!(matches!(answer, Err(PanelError::Protocol(_))), "{answer:?}");
        assert_eq!(hits.load(Ordering::SeqCst), 0, "the redirect was followed");
    }

    #[test]
    fn debug_hides_the_headers() {
        let shown = format!("{:?}", http("http://u:p@127.0.0.1:9/"));
        assert!(!shown.contains("tok-secret") && !shown.contains("key-secret") && !shown.contains("u:p"), "{shown}");
    }
}
