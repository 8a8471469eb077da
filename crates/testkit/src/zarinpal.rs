//! `FakeZarinpal`: a stateful, in-memory fake of the Zarinpal v4 gateway over real HTTP on
//! `127.0.0.1`, following `shared/reference/external-apis.md` §6.
//!
//! Routes: `POST /pg/v4/payment/{request,verify,unVerified,inquiry,reverse}.json` with the real
//! envelopes (`{"data":{…},"errors":[]}` on success, `{"data":[],"errors":{"code","message",
//! "validations"}}` on error) and `GET /pg/StartPay/{authority}` (a small HTML page).
//!
//! A payment's life: `request` opens it (authority `A` + 35 digits, amount in Rial); the test
//! decides what the customer does ([`FakeZarinpal::pay`], [`FakeZarinpal::cancel`],
//! [`FakeZarinpal::pay_amount`] for a different amount); `verify` answers 100 the first time
//! a paid payment is verified with its merchant and amount, 101 afterwards, `-51` when not
//! paid, `-50` for another amount, `-53` for another merchant, `-54` for an unknown authority.
//! Faults: [`FakeZarinpal::set_down`] (every call `503` with an HTML body),
//! [`FakeZarinpal::set_delay`] (sleep before answering: timeouts), [`FakeZarinpal::fail_next`]
//! (the next calls of one endpoint answer an error code), [`FakeZarinpal::reject_merchant`]
//! (`-10` for that merchant).

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Where a fake payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FakePaymentState {
    /// Opened; the customer has not paid.
    Created,
    /// The customer paid; not verified yet.
    Paid,
    /// Verified by the merchant.
    Verified,
    /// The customer cancelled or the bank refused.
    Cancelled,
    /// Reversed (refunded) after verification.
    Reversed,
}

/// A payment as the fake holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FakePayment {
    pub authority: String,
    pub merchant_id: String,
    /// What the merchant asked for, in Rial.
    pub amount: i64,
    /// What the customer actually paid, in Rial (differs only after [`FakeZarinpal::pay_amount`]).
    pub paid_amount: i64,
    pub description: String,
    pub callback_url: String,
    pub state: FakePaymentState,
    pub ref_id: Option<i64>,
    /// Every `verify` call for this authority, successful or not.
    pub verify_calls: u32,
}

/// A running fake Zarinpal. Dropping it stops the server.
pub struct FakeZarinpal {
    state: Arc<Mutex<Inner>>,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl fmt::Debug for FakeZarinpal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeZarinpal").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Drop for FakeZarinpal {
    fn drop(&mut self) {
        self.server.abort();
    }
}

#[derive(Default)]
struct Inner {
    payments: HashMap<String, FakePayment>,
    order: Vec<String>,
    next: u64,
    next_ref: i64,
    down: bool,
    delay: Duration,
    failures: HashMap<String, VecDeque<i32>>,
    rejected_merchants: HashSet<String>,
    calls: Vec<(String, Value)>,
}

const CODES: [(i32, &str); 27] = [
    (100, "Success"),
    (101, "Verified"),
    (-9, "The input params invalid, validation error."),
    (-10, "Terminal is not valid, please check merchant_id or ip address."),
    (-11, "Terminal is not active, please contact our support team."),
    (-12, "To many attempts, please try again later."),
    (-13, "Terminal limit reached."),
    (-14, "The callback URL domain does not match the terminal's domain."),
    (-15, "Terminal user is suspend : (please contact our support team)."),
    (-16, "Terminal user level is not valid : ( please contact our support team)."),
    (-17, "Terminal user level is not valid : ( please contact our support team)."),
    (-30, "Terminal do not allow to accept floating wages."),
    (-31, "Terminal do not allow to accept wages, please add default bank account in panel."),
    (-32, "Wages is not valid, Total wages(floating) has been overload max amount."),
    (-33, "Wages floating is not valid."),
    (-34, "Wages is not valid, Total wages(fixed) has been overload max amount."),
    (-35, "Wages is not valid, Total wages(floating) has been reached the limit in max parts."),
    (-36, "The minimum amount for wages(floating) should be 10,000 Rials"),
    (-37, "One or more iban entered for wages(floating) from the bank side are inactive."),
    (-38, "Wages need to set Iban in shaparak."),
    (-39, "Wages have a error!"),
    (-40, "Invalid extra params, expire_in is not valid."),
    (-50, "Session is not valid, amounts values is not the same."),
    (-51, "Session is not valid, session is not active paid try."),
    (-52, "Oops!!, please contact our support team"),
    (-53, "Session is not this merchant_id session"),
    (-54, "Invalid authority."),
];

fn message(code: i32) -> &'static str {
    CODES.iter().find(|(c, _)| *c == code).map_or("Unknown error", |(_, m)| *m)
}

fn ok(data: Value) -> Response {
    Json(json!({"data": data, "errors": []})).into_response()
}

fn err(code: i32) -> Response {
    let status = if code == -52 { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, Json(json!({"data": [], "errors": {"code": code, "message": message(code), "validations": []}})))
        .into_response()
}

use axum::Json;

impl FakeZarinpal {
    /// Starts the fake on a free port.
    ///
    /// # Panics
    /// When no local port can be bound (a broken test machine).
    pub async fn start() -> FakeZarinpal {
        #[allow(clippy::expect_used)]
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        #[allow(clippy::expect_used)]
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(Mutex::new(Inner { next_ref: 201, ..Inner::default() }));
        let app = Router::new()
            .route("/pg/v4/payment/{endpoint}", post(endpoint))
            .route("/pg/StartPay/{authority}", get(start_pay))
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        FakeZarinpal { state, addr, server }
    }

    /// The base URL, e.g. `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every payment opened, oldest first.
    pub fn payments(&self) -> Vec<FakePayment> {
        let s = self.lock();
        s.order.iter().filter_map(|a| s.payments.get(a).cloned()).collect()
    }

    /// The payment `authority`, if opened.
    pub fn payment(&self, authority: &str) -> Option<FakePayment> {
        self.lock().payments.get(authority).cloned()
    }

    /// Every call, in order: the endpoint (`request`, `verify`, …) and its JSON body.
    pub fn calls(&self) -> Vec<(String, Value)> {
        self.lock().calls.clone()
    }

    /// The customer pays `authority` in full. Returns the query the gateway's redirect
    /// carries back: `Authority=…&Status=OK`.
    pub fn pay(&self, authority: &str) -> String {
        let mut s = self.lock();
        if let Some(p) = s.payments.get_mut(authority)
            && p.state == FakePaymentState::Created
        {
            p.state = FakePaymentState::Paid;
            p.paid_amount = p.amount;
        }
        format!("Authority={authority}&Status=OK")
    }

    /// The customer pays `authority` but the bank moved `rial` (verify with the asked amount
    /// then answers `-50`).
    pub fn pay_amount(&self, authority: &str, rial: i64) {
        let mut s = self.lock();
        if let Some(p) = s.payments.get_mut(authority) {
            p.state = FakePaymentState::Paid;
            p.paid_amount = rial;
        }
    }

    /// The customer cancels `authority`. Returns the redirect's query (`Status=NOK`).
    pub fn cancel(&self, authority: &str) -> String {
        let mut s = self.lock();
        if let Some(p) = s.payments.get_mut(authority)
            && p.state == FakePaymentState::Created
        {
            p.state = FakePaymentState::Cancelled;
        }
        format!("Authority={authority}&Status=NOK")
    }

    /// Every call answers `503` with an HTML body while `down`.
    pub fn set_down(&self, down: bool) {
        self.lock().down = down;
    }

    /// Sleep this long before answering any call (a slow or hanging gateway).
    pub fn set_delay(&self, delay: Duration) {
        self.lock().delay = delay;
    }

    /// The next `n` calls of `endpoint` (`request`, `verify`, `unVerified`, `inquiry`,
    /// `reverse`) answer the error `code`.
    pub fn fail_next(&self, endpoint: &str, n: usize, code: i32) {
        let mut s = self.lock();
        let q = s.failures.entry(endpoint.to_owned()).or_default();
        q.extend(std::iter::repeat_n(code, n));
    }

    /// Calls with this merchant id answer `-10` (terminal not valid).
    pub fn reject_merchant(&self, merchant_id: &str) {
        self.lock().rejected_merchants.insert(merchant_id.to_owned());
    }
}

async fn start_pay(State(state): State<Arc<Mutex<Inner>>>, Path(authority): Path<String>) -> Response {
    let s = state.lock().unwrap_or_else(PoisonError::into_inner);
    match s.payments.get(&authority) {
        Some(p) => Html(format!(
            "<!doctype html><html><body><h1>Zarinpal (fake)</h1><p>{} Rial: {}</p>\
             <a href=\"{}?Authority={authority}&Status=OK\">Pay</a> \
             <a href=\"{}?Authority={authority}&Status=NOK\">Cancel</a></body></html>",
            p.amount, p.description, p.callback_url, p.callback_url
        ))
        .into_response(),
        None => (StatusCode::NOT_FOUND, Html("<p>Invalid authority.</p>".to_owned())).into_response(),
    }
}

async fn endpoint(
    State(state): State<Arc<Mutex<Inner>>>,
    Path(file): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let name = file.strip_suffix(".json").unwrap_or(&file).to_owned();
    let delay = {
        let s = state.lock().unwrap_or_else(PoisonError::into_inner);
        s.delay
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    s.calls.push((name.clone(), body.clone()));
    if s.down {
        return (StatusCode::SERVICE_UNAVAILABLE, Html("<h1>503 Service Unavailable</h1>".to_owned())).into_response();
    }
    if let Some(code) = s.failures.get_mut(&name).and_then(VecDeque::pop_front) {
        return err(code);
    }
    let merchant = body.get("merchant_id").and_then(Value::as_str).unwrap_or_default().to_owned();
    if merchant.len() != 36 {
        return err(-9);
    }
    if s.rejected_merchants.contains(&merchant) {
        return err(-10);
    }
    let authority = body.get("authority").and_then(Value::as_str).unwrap_or_default().to_owned();
    match name.as_str() {
        "request" => {
            let amount = body.get("amount").and_then(Value::as_i64).unwrap_or(0);
            let description = body.get("description").and_then(Value::as_str).unwrap_or_default().to_owned();
            let callback_url = body.get("callback_url").and_then(Value::as_str).unwrap_or_default().to_owned();
            if amount < 1000 || description.is_empty() || description.chars().count() > 500 || callback_url.is_empty() {
                return err(-9);
            }
            s.next += 1;
            let authority = format!("A{:035}", s.next);
            s.order.push(authority.clone());
            s.payments.insert(
                authority.clone(),
                FakePayment {
                    authority: authority.clone(),
                    merchant_id: merchant,
                    amount,
                    paid_amount: 0,
                    description,
                    callback_url,
                    state: FakePaymentState::Created,
                    ref_id: None,
                    verify_calls: 0,
                },
            );
            ok(json!({"code": 100, "message": "Success", "authority": authority, "fee_type": "Merchant", "fee": 100}))
        }
        "verify" => {
            let amount = body.get("amount").and_then(Value::as_i64).unwrap_or(0);
            let next_ref = s.next_ref;
            let Some(p) = s.payments.get_mut(&authority) else { return err(-54) };
            p.verify_calls += 1;
            if p.merchant_id != merchant {
                return err(-53);
            }
            match p.state {
                FakePaymentState::Created | FakePaymentState::Cancelled | FakePaymentState::Reversed => err(-51),
                FakePaymentState::Paid if p.paid_amount != amount || p.amount != amount => err(-50),
                FakePaymentState::Paid => {
                    p.state = FakePaymentState::Verified;
                    p.ref_id = Some(next_ref);
                    s.next_ref += 1;
                    ok(json!({"code": 100, "message": "Verified", "card_hash": "0f3c", "card_pan": "502229******5995",
                        "ref_id": next_ref, "fee_type": "Merchant", "fee": 0}))
                }
                FakePaymentState::Verified => ok(json!({"code": 101, "message": "Verified", "card_hash": "0f3c",
                    "card_pan": "502229******5995", "ref_id": p.ref_id, "fee_type": "Merchant", "fee": 0})),
            }
        }
        "unVerified" => {
            let authorities: Vec<Value> = s
                .order
                .iter()
                .filter_map(|a| s.payments.get(a))
                .filter(|p| p.merchant_id == merchant && p.state == FakePaymentState::Paid)
                .map(|p| {
                    json!({"authority": p.authority, "amount": p.amount, "callback_url": p.callback_url,
                        "referer": "", "date": "2024-01-01 00:00:00"})
                })
                .collect();
            ok(json!({"code": 100, "message": "Success", "authorities": authorities}))
        }
        "inquiry" => {
            let Some(p) = s.payments.get(&authority) else { return err(-54) };
            if p.merchant_id != merchant {
                return err(-53);
            }
            let status = match p.state {
                FakePaymentState::Created => "IN_BANK",
                FakePaymentState::Paid => "PAID",
                FakePaymentState::Verified => "VERIFIED",
                FakePaymentState::Cancelled => "FAILED",
                FakePaymentState::Reversed => "REVERSED",
            };
            ok(json!({"code": 100, "message": "Success", "status": status}))
        }
        "reverse" => {
            let Some(p) = s.payments.get_mut(&authority) else { return err(-54) };
            if p.merchant_id != merchant {
                return err(-53);
            }
            if p.state != FakePaymentState::Verified {
                return err(-51);
            }
            p.state = FakePaymentState::Reversed;
            ok(json!({"code": 100, "message": "Reversed"}))
        }
        _ => (StatusCode::NOT_FOUND, Json(json!({"data": [], "errors": {"code": -9, "message": "Not found"}})))
            .into_response(),
    }
}
