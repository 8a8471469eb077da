//! Extractors whose rejections speak the API's error shape: a body that is not JSON is a 400
//! `invalid_json`, a missing or mistyped field a 422 naming the field, an unreadable query
//! parameter or path segment a 400 naming it.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

fn is_json(req: &Request) -> bool {
    let Some(ct) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(&req) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadJson("the body could not be read".to_owned())
            }
        })?;
        let mut value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| ApiError::BadJson(e.to_string()))?;
        integral_numbers(&mut value);
        serde_path_to_error::deserialize(value).map(Json).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." || path.is_empty() { "body".to_owned() } else { path };
            ApiError::BadField { message: format!("invalid {field}: {}", e.inner()), field }
        })
    }
}

/// Writes every number with no fractional part (`30.0`) as the integer it is. JSON Schema,
/// and so the API's OpenAPI document, counts `30.0` as an integer; serde would refuse it for
/// an integer field.
fn integral_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(x) = n.as_f64().filter(|x| x.fract() == 0.0)
                && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&x)
            {
                // In range and integral: the cast is exact.
                *value = serde_json::Value::from(x as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// Path parameters.
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        use axum::extract::path::ErrorKind;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(p) => Ok(Path(p.0)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let field = match e.kind() {
                    ErrorKind::ParseErrorAtKey { key, .. } | ErrorKind::InvalidUtf8InPathParam { key } => key.clone(),
                    // Tuples are read by position: name the parameter at that position.
                    ErrorKind::ParseErrorAtIndex { index, .. } => {
                        axum::extract::RawPathParams::from_request_parts(parts, state)
                            .await
                            .ok()
                            .and_then(|raw| raw.iter().nth(*index).map(|(k, _)| k.to_owned()))
                            .unwrap_or_else(|| "path".to_owned())
                    }
                    _ => "path".to_owned(),
                };
                Err(ApiError::BadParameter { message: format!("`{field}` in the path must be a whole number"), field })
            }
            Err(other) => Err(ApiError::BadParameter { field: "path".to_owned(), message: other.body_text() }),
        }
    }
}

/// Query parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(q) => Ok(Query(q.0)),
            Err(e) => Err(query_error(&e)),
        }
    }
}

/// Names the parameter at fault from axum's message (`...: limit: invalid digit ...`).
fn query_error(e: &QueryRejection) -> ApiError {
    let text = e.body_text();
    let detail = text.split_once(": ").map_or(text.as_str(), |(_, rest)| rest);
    let field = detail
        .split_once(": ")
        .map(|(f, _)| f)
        .filter(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or("query")
        .to_owned();
    ApiError::BadParameter { field, message: format!("the query string is invalid: {detail}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integral_floats_become_integers_and_others_stay() {
        let mut v = json!({"a": 30.0, "b": [1.5, -2.0, 1e20], "c": 7, "d": "8.0"});
        integral_numbers(&mut v);
        assert_eq!(v, json!({"a": 30, "b": [1.5, -2, 1e20], "c": 7, "d": "8.0"}));
        assert!(v["a"].is_i64());
    }
}
