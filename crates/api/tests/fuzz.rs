//! Generated malformed input (methods, paths, query strings, headers, tokens and bodies)
//! never gets a 5xx and never brings the server down.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use remnabot_store::{Backend, testing};

/// Every documented operation: `(METHOD, /path/{template})`.
fn operations() -> Vec<(String, String)> {
    let spec = serde_json::to_value(remnabot_api::openapi()).unwrap();
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.push((method.to_uppercase(), path.clone()));
        }
    }
    ops
}

fn param() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (1i64..8).prop_map(|n| n.to_string()),
        1 => proptest::sample::select(&[
            "0", "-1", "9223372036854775807", "9223372036854775808", "99999999999999999999", "1.5", "abc", "%00",
            "%ff", "%2F", "..", "é", "🙂", "a%20b", "trial", "zarinpal", "welcome_text", "panel_token", "languages",
            "wholesale_price_per_gb", "Bad.Key",
        ][..])
        .prop_map(str::to_owned),
        1 => "[a-zA-Z0-9_%.~-]{0,12}",
    ]
}

/// A documented route with its parameters filled in, sometimes with extra segments.
/// Deleting the bot or rotating its token would end every later tenant request with 401; those
/// two operations get a bot of their own.
fn path(bot: i64, spare: i64, ops: Vec<(String, String)>) -> impl Strategy<Value = (String, String)> {
    (proptest::sample::select(ops), prop::collection::vec(param(), 4), 0..10u8, proptest::option::of(param())).prop_map(
        move |((method, template), params, own_bot, extra)| {
            let mut params = params.into_iter();
            // Whatever the method: the case may swap it for DELETE later.
            let destructive = template == "/api/v1/bots/{bot_id}" || template == "/api/v1/bots/{bot_id}/api-token";
            let bot = if destructive { spare } else { bot };
            let filled = template
                .split('/')
                .map(|seg| match seg {
                    "{bot_id}" if own_bot < 7 => bot.to_string(),
                    s if s.starts_with('{') => params.next().unwrap_or_default(),
                    s => s.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("/");
            let filled = match extra {
                Some(e) if own_bot == 9 => format!("{filled}/{e}"),
                _ => filled,
            };
            (method, filled)
        },
    )
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "(limit|offset|status|user_id|search|active_only|x)=[a-z0-9%+-]{0,24}(&(limit|offset|status|user_id)=[-0-9a-z]{0,22})?"
            .prop_map(|q| format!("?{q}")),
    ]
}

const FIELDS: &[&str] = &[
    "name",
    "telegram_token",
    "enabled",
    "config",
    "value",
    "period_days",
    "traffic_gb",
    "device_limit",
    "price",
    "sort_order",
    "number",
    "holder_name",
    "bank_name",
    "weight",
    "daily_count_cap",
    "daily_amount_cap",
    "amount",
    "idempotency_key",
    "description",
    "days",
    "reason",
    "text",
    "code",
    "kind",
    "max_uses",
    "valid_from",
    "valid_until",
    "wallet_credit_limit",
    "bot_id",
];

fn leaf() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-5i64..200_000).prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        "[ -~]{0,20}".prop_map(Value::String),
        "\\PC{0,10}".prop_map(Value::String),
        proptest::sample::select(
            &[
                "6037-9912-3456-7893",
                "123456789:AAHabcdefghijklmnopqrstuvwxyz0123456",
                "discount",
                "days",
                "balance",
                "2030-01-01T00:00:00Z",
                "not a date",
                "fa",
                "",
            ][..]
        )
        .prop_map(|s| Value::String(s.to_owned())),
    ]
}

fn json_body() -> impl Strategy<Value = Vec<u8>> {
    let value = leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::btree_map(proptest::sample::select(FIELDS), value, 0..8).prop_map(|m| {
        let obj: serde_json::Map<String, serde_json::Value> = m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        serde_json::to_vec(&obj).unwrap()
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => json_body(),
        1 => Just(Vec::new()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
        1 => "\\{(\"[a-z_]{1,14}\": ?(-?[0-9]{1,20}|\"[^\"\\\\]{0,12}\"|true|null|\\[\\]|\\{\\}|1e400|-0\\.5), ?){0,5}\"z\": 1\\}"
            .prop_map(String::into_bytes),
        1 => Just(br#"{"name":"x","period_days":4294967296,"traffic_gb":-1,"device_limit":1,"price":9223372036854775807}"#.to_vec()),
        1 => Just(br#"{"amount":-9223372036854775808,"idempotency_key":"k"}"#.to_vec()),
        1 => Just(br#"{"days":4294967295}"#.to_vec()),
        1 => Just(br#"{"value":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#.to_vec()),
    ]
}

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[ -~]{0,40}".prop_map(String::into_bytes),
        prop::collection::vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff], 0..40),
        Just(b"Bearer".to_vec()),
        Just(b"Bearer ".to_vec()),
        Just(b"Basic dXNlcjpwYXNz".to_vec()),
        Just(vec![b'a'; 5000]),
    ]
}

#[derive(Debug, Clone)]
enum Token {
    None,
    Operator,
    Tenant,
    Garbage(Vec<u8>),
}

fn token() -> impl Strategy<Value = Token> {
    prop_oneof![Just(Token::None), Just(Token::Operator), Just(Token::Tenant), header_value().prop_map(Token::Garbage),]
}

#[derive(Debug, Clone)]
struct Case {
    method: String,
    path: String,
    query: String,
    token: Token,
    authorization: Option<Vec<u8>>,
    content_type: Option<Vec<u8>>,
    body: Vec<u8>,
}

fn case(bot: i64, spare: i64, ops: Vec<(String, String)>) -> impl Strategy<Value = Case> {
    (
        path(bot, spare, ops),
        0..10u8,
        proptest::sample::select(&["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"][..]),
        query(),
        token(),
        proptest::option::of(header_value()),
        prop_oneof![
            6 => Just(Some(b"application/json".to_vec())),
            1 => Just(Some(b"application/json; charset=utf-8".to_vec())),
            1 => Just(Some(b"application/vnd.x+json".to_vec())),
            1 => Just(None),
            1 => header_value().prop_map(Some),
        ],
        body(),
    )
        .prop_map(|((method, path), swap, other, query, token, authorization, content_type, body)| Case {
            method: if swap == 0 { other.to_owned() } else { method },
            path,
            query,
            token,
            // Mostly no second header, so the token decides.
            authorization: authorization.filter(|_| swap < 2),
            content_type,
            body,
        })
}

fn run(backend: Backend, cases: u32) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (api, bot, spare, tenant_token) = rt.block_on(async {
        let store = testing::store(backend).await;
        let api = common::spawn_with(store, |c| c.max_auth_failures = 1_000_000).await;
        let (bot, token) = api.create_tenant("Alpha").await;
        let (spare, _) = api.create_tenant("Spare").await;
        common::seed(&api, bot, 5).await;
        (api, bot, spare, token)
    });
    let seen = std::sync::Mutex::new(std::collections::BTreeMap::<u16, u32>::new());
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner
        .run(&case(bot, spare, operations()), |c| {
            let url = format!("{}{}{}", api.base, c.path, c.query);
            let Ok(url) = reqwest::Url::parse(&url) else { return Ok(()) };
            let method = reqwest::Method::from_bytes(c.method.as_bytes()).unwrap();
            let mut req = api.client.request(method, url).body(c.body.clone());
            let token = match &c.token {
                Token::None => None,
                Token::Operator => Some(common::OPERATOR.as_bytes().to_vec()),
                Token::Tenant => Some(tenant_token.as_bytes().to_vec()),
                Token::Garbage(g) => Some(g.clone()),
            };
            for (name, value) in [
                ("x-api-token", token),
                ("authorization", c.authorization.clone()),
                ("content-type", c.content_type.clone()),
            ] {
                if let Some(v) = value.and_then(|v| reqwest::header::HeaderValue::from_bytes(&v).ok()) {
                    req = req.header(name, v);
                }
            }
            let (status, text) = rt.block_on(async {
                let res = req.send().await.expect("the server answers");
                let status = res.status().as_u16();
                (status, res.text().await.unwrap_or_default())
            });
            *seen.lock().unwrap().entry(status).or_default() += 1;
            prop_assert!(status < 500, "{} {}{} -> {status}: {text}", c.method, c.path, c.query);
            if status >= 400 && c.method != "HEAD" {
                let body: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                prop_assert!(body["error"].is_string() && body["message"].is_string(), "{status}: {text}");
            }
            Ok(())
        })
        .unwrap();
    // The generator must reach past the router and the token check, or this test proves little.
    let seen = seen.into_inner().unwrap();
    eprintln!("statuses: {seen:?}");
    assert!(seen.keys().any(|s| (200..300).contains(s)), "no request succeeded: {seen:?}");
    for expected in [400, 401, 404, 405, 415, 422] {
        assert!(seen.contains_key(&expected), "no {expected} among {seen:?}");
    }
    let health = rt.block_on(api.call("GET", "/health", None, None));
    assert_eq!(health.status, 200, "the server is still up");
}

#[test]
fn malformed_requests_never_get_a_5xx_on_sqlite() {
    run(Backend::Sqlite, 1000);
}

#[test]
fn malformed_requests_never_get_a_5xx_on_postgres() {
    if testing::backends().contains(&Backend::Postgres) {
        run(Backend::Postgres, 300);
    }
}
