//! The one error type of the API: every failure becomes `{"error": "<code>", "message": "..."}`
//! (plus `field` when one input is at fault) with the status chosen in one `match`. Bodies of
//! 5xx answers are opaque; their cause is logged.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use remnabot_domain::Error;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code to act on, such as `plan_not_found`, `invalid_input`, `unauthorized`.
    #[schema(example = "invalid_input")]
    pub error: String,
    /// What went wrong, for a person.
    #[schema(example = "invalid price: must be a positive amount of Toman, got 0")]
    pub message: String,
    /// The input at fault (a body field, a query parameter or a path segment), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "price")]
    pub field: Option<String>,
}

/// Why a request failed.
#[derive(Debug)]
pub enum ApiError {
    /// A failure of the domain or the store.
    Domain(Error),
    /// No token, or a token that is not (or no longer) valid.
    Unauthorized,
    /// Too many failed authentications from this address; retry after the given seconds.
    TooManyFailures { retry_after_secs: u64 },
    /// The route is for the operator only.
    OperatorOnly,
    /// A tenant's token, but its bot is deactivated: the tenant's API access stops with it.
    BotDeactivated,
    /// No such route.
    RouteNotFound,
    /// The route exists but not with this method.
    MethodNotAllowed,
    /// The body is not JSON.
    BadJson(String),
    /// A body field is missing or has the wrong type.
    BadField { field: String, message: String },
    /// A query parameter or path segment cannot be read.
    BadParameter { field: String, message: String },
    /// The body is not declared as `application/json`.
    UnsupportedMediaType,
    /// The body is larger than the limit.
    PayloadTooLarge,
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::Domain(e)
    }
}

fn snake(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

impl ApiError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Domain(e) => match e {
                Error::NotFound { .. } | Error::UnknownFeature { .. } => StatusCode::NOT_FOUND,
                Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                Error::Conflict(_)
                | Error::InsufficientBalance { .. }
                | Error::TenantWalletShort { .. }
                | Error::MasterBotProtected { .. }
                | Error::NoActiveCard { .. }
                | Error::IdempotencyMismatch { .. } => StatusCode::CONFLICT,
                Error::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            },
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::TooManyFailures { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::OperatorOnly | ApiError::BotDeactivated => StatusCode::FORBIDDEN,
            ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::BadJson(_) | ApiError::BadParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::BadField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    /// The body of this error. Messages of domain errors are written to be shown (they never
    /// carry secrets); an infrastructure failure shows only a generic sentence.
    pub fn body(&self) -> ErrorBody {
        let (error, message, field) = match self {
            ApiError::Domain(e) => match e {
                Error::NotFound { entity } => (format!("{}_not_found", snake(entity)), e.to_string(), None),
                Error::UnknownFeature { .. } => ("unknown_feature".to_owned(), e.to_string(), Some("key".to_owned())),
                Error::Invalid { field, .. } => ("invalid_input".to_owned(), e.to_string(), Some((*field).to_owned())),
                Error::Conflict(_) => ("conflict".to_owned(), e.to_string(), None),
                Error::InsufficientBalance { .. } => ("insufficient_balance".to_owned(), e.to_string(), None),
                Error::TenantWalletShort { .. } => ("tenant_wallet_short".to_owned(), e.to_string(), None),
                Error::MasterBotProtected { .. } => ("master_bot_protected".to_owned(), e.to_string(), None),
                Error::NoActiveCard { .. } => ("no_active_card".to_owned(), e.to_string(), None),
                Error::IdempotencyMismatch { .. } => {
                    ("idempotency_mismatch".to_owned(), e.to_string(), Some("idempotency_key".to_owned()))
                }
                Error::Unavailable { .. } => (
                    "unavailable".to_owned(),
                    "the service is temporarily unavailable; try again shortly".to_owned(),
                    None,
                ),
            },
            ApiError::Unauthorized => (
                "unauthorized".to_owned(),
                "a valid API token is required in `X-API-Token` or `Authorization: Bearer`".to_owned(),
                None,
            ),
            ApiError::TooManyFailures { retry_after_secs } => (
                "too_many_requests".to_owned(),
                format!("too many failed authentications from this address; retry in {retry_after_secs} s"),
                None,
            ),
            ApiError::OperatorOnly => {
                ("operator_only".to_owned(), "only the operator's token may do this".to_owned(), None)
            }
            ApiError::BotDeactivated => (
                "bot_deactivated".to_owned(),
                "this bot is deactivated, and with it its API token; the operator can activate it again".to_owned(),
                None,
            ),
            ApiError::RouteNotFound => ("not_found".to_owned(), "no such route".to_owned(), None),
            ApiError::MethodNotAllowed => {
                ("method_not_allowed".to_owned(), "this route does not take that method".to_owned(), None)
            }
            ApiError::BadJson(m) => ("invalid_json".to_owned(), format!("the body is not valid JSON: {m}"), None),
            ApiError::BadField { field, message } => ("invalid_input".to_owned(), message.clone(), Some(field.clone())),
            ApiError::BadParameter { field, message } => {
                ("invalid_parameter".to_owned(), message.clone(), Some(field.clone()))
            }
            ApiError::UnsupportedMediaType => (
                "unsupported_media_type".to_owned(),
                "the body must be JSON, sent with `Content-Type: application/json`".to_owned(),
                None,
            ),
            ApiError::PayloadTooLarge => ("payload_too_large".to_owned(), "the body is too large".to_owned(), None),
        };
        ErrorBody { error, message, field }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Domain(Error::Unavailable { what, source }) = &self {
            tracing::error!(what, error = %source, "request failed on an unavailable backing service");
        }
        let mut res = (status, axum::Json(self.body())).into_response();
        match &self {
            ApiError::Unauthorized => {
                res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::TooManyFailures { retry_after_secs } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_errors_map_to_status_and_stable_codes() {
        let e = ApiError::from(Error::not_found("payment card"));
        assert_eq!(e.status(), StatusCode::NOT_FOUND);
        assert_eq!(e.body().error, "payment_card_not_found");
        let e = ApiError::from(Error::invalid("price", "must be positive"));
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.body().field.as_deref(), Some("price"));
        let e = ApiError::from(Error::unavailable("the database", std::io::Error::other("password=hunter2")));
        assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(!e.body().message.contains("hunter2") && !e.body().message.contains("database"));
    }
}
