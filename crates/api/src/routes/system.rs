//! `/health` (liveness), `/ready` (the database answers), `/metrics` (Prometheus text, for
//! the operator's token) and `/api/openapi.json`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use remnabot_store::payments::{PaymentStatus, ZarinpalStatus};
use remnabot_store::sales::online::StarsStatus;

use crate::auth::Caller;
use crate::dto::StatusDto;
use crate::error::{ApiError, ErrorBody};
use crate::{ApiState, BotState};

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "system", security(()),
    responses((status = 200, body = StatusDto)))]
pub async fn health() -> axum::Json<StatusDto> {
    axum::Json(StatusDto { status: "ok".to_owned() })
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/ready", tag = "system", security(()),
    responses((status = 200, body = StatusDto), (status = 503, body = StatusDto)))]
pub async fn ready(State(s): State<ApiState>) -> (StatusCode, axum::Json<StatusDto>) {
    if s.store().ping().await {
        (StatusCode::OK, axum::Json(StatusDto { status: "ready".to_owned() }))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(StatusDto { status: "database unavailable".to_owned() }))
    }
}

/// Prometheus metrics (text format 0.0.4): updates taken in, payments by status, outbox
/// depth, bots and each bot's health. Needs the operator's token.
#[utoipa::path(get, path = "/metrics", tag = "system",
    responses((status = 200, description = "Prometheus text", content_type = "text/plain"),
        (status = "4XX", body = ErrorBody)))]
pub async fn metrics(State(s): State<ApiState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require_operator()?;
    let stats = s.store().platform().stats().await?;
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, u64)]| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    if let Some(fleet) = s.fleet() {
        let updates = fleet.updates_received();
        metric(
            "remnabot_updates_total",
            "counter",
            "Telegram updates taken in by the fleet (webhook deliveries and polled updates).",
            &[(String::new(), updates)],
        );
        let health = fleet.health();
        let samples: Vec<(String, u64)> = health
            .iter()
            .flat_map(|(id, state)| {
                BotState::ALL
                    .iter()
                    .map(move |st| (format!("{{bot_id=\"{id}\",state=\"{}\"}}", st.as_str()), u64::from(st == state)))
            })
            .collect();
        metric("remnabot_bot_health", "gauge", "1 for the state each bot of the fleet is in.", &samples);
    }
    let by = |map: &BTreeMap<String, u64>, statuses: &[&str]| -> Vec<(String, u64)> {
        statuses.iter().map(|st| (format!("{{status=\"{st}\"}}"), map.get(*st).copied().unwrap_or(0))).collect()
    };
    let card: Vec<&str> = PaymentStatus::ALL.iter().map(|p| p.as_str()).collect();
    let zarinpal: Vec<&str> = ZarinpalStatus::ALL.iter().map(|p| p.as_str()).collect();
    let stars: Vec<&str> = StarsStatus::ALL.iter().map(|p| p.as_str()).collect();
    metric(
        "remnabot_card_payments",
        "gauge",
        "Card-to-card payments by status.",
        &by(&stats.card_payments_by_status, &card),
    );
    metric(
        "remnabot_zarinpal_payments",
        "gauge",
        "Zarinpal payments by status.",
        &by(&stats.zarinpal_payments_by_status, &zarinpal),
    );
    metric(
        "remnabot_stars_payments",
        "gauge",
        "Telegram Stars payments by status.",
        &by(&stats.stars_payments_by_status, &stars),
    );
    metric(
        "remnabot_outbox_pending",
        "gauge",
        "Outbox entries not yet done.",
        &[
            ("{outbox=\"provisioning\"}".to_owned(), stats.provisioning_pending),
            ("{outbox=\"notifications\"}".to_owned(), stats.notifications_pending),
        ],
    );
    metric(
        "remnabot_bots",
        "gauge",
        "Tenant bots in the database.",
        &[
            ("{active=\"true\"}".to_owned(), stats.active_bots),
            ("{active=\"false\"}".to_owned(), stats.bots.saturating_sub(stats.active_bots)),
        ],
    );
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out).into_response())
}
