//! Exercises `FakeRemnawave` over real HTTP, in both API lines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::{Duration as ChronoDuration, Utc};
use remnabot_domain::panel::PanelVersion;
use remnabot_testkit::FakeRemnawave;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap()
}

/// Sends an authenticated request (with the proxy headers) and returns the status and JSON body
/// (`Value::Null` for an empty body).
async fn call(fake: &FakeRemnawave, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = client()
        .request(method, format!("{}{path}", fake.url()))
        .bearer_auth(fake.token())
        .header("X-Forwarded-For", "127.0.0.1")
        .header("X-Forwarded-Proto", "https");
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
    (status, value)
}

fn in_days(days: i64) -> String {
    (Utc::now() + ChronoDuration::days(days)).to_rfc3339()
}

async fn create(fake: &FakeRemnawave, body: Value) -> Value {
    let (status, v) = call(fake, Method::POST, "/api/users", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["response"].clone()
}

async fn create_named(fake: &FakeRemnawave, username: &str) -> Value {
    create(fake, json!({ "username": username, "expireAt": in_days(30) })).await
}

/// The path segment that addresses `user` in this API line.
fn key_of(fake: &FakeRemnawave, user: &Value) -> String {
    match fake.version() {
        PanelVersion::V2 => user["uuid"].as_str().unwrap().to_owned(),
        PanelVersion::V3 => user["id"].as_i64().unwrap().to_string(),
    }
}

fn assert_error(body: &Value, code: &str, message: &str) {
    assert_eq!(body["errorCode"], code, "{body}");
    assert_eq!(body["message"], message, "{body}");
    assert!(body["timestamp"].is_string(), "{body}");
    assert!(body["path"].as_str().unwrap().starts_with("/api/"), "{body}");
}

#[tokio::test]
async fn a_created_user_comes_back_in_the_response_envelope() {
    for version in [PanelVersion::V2, PanelVersion::V3] {
        let fake = FakeRemnawave::start(version).await;
        let squads = fake.squad_uuids();
        let user = create(
            &fake,
            json!({
                "username": "alice_1",
                "expireAt": in_days(30),
                "trafficLimitBytes": 10_000_000_000_i64,
                "trafficLimitStrategy": "MONTH",
                "telegramId": 42,
                "tag": "SHOP_1",
                "hwidDeviceLimit": 3,
                "activeInternalSquads": [squads[0]],
            }),
        )
        .await;
        assert_eq!(user["id"], 1);
        assert_eq!(user["username"], "alice_1");
        assert_eq!(user["status"], "ACTIVE");
        assert_eq!(user["trafficLimitStrategy"], "MONTH");
        assert_eq!(user["telegramId"], 42);
        assert_eq!(user["hwidDeviceLimit"], 3);
        assert_eq!(user["externalSquadUuid"], Value::Null);
        assert_eq!(user["lastTriggeredThreshold"], 0);
        let short = user["shortUuid"].as_str().unwrap();
        assert_eq!(short.len(), 16);
        assert!(short.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(user["subscriptionUrl"], format!("https://sub.example.test/{short}"));
        assert_eq!(user["activeInternalSquads"], json!([{ "uuid": squads[0], "name": "Default-Squad" }]));
        assert_eq!(user["userTraffic"]["usedTrafficBytes"], 0);
        assert_eq!(user["userTraffic"]["onlineAt"], Value::Null);
        match version {
            PanelVersion::V2 => assert_eq!(user["uuid"].as_str().unwrap().len(), 36),
            PanelVersion::V3 => assert!(user.get("uuid").is_none(), "v3 has no user uuid: {user}"),
        }
        let (status, got) = call(&fake, Method::GET, &format!("/api/users/{}", key_of(&fake, &user)), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(got["response"], user);
        assert_eq!(fake.create_count(), 1);
        assert_eq!(fake.user_by_username("alice_1").unwrap(), user);
    }
}

#[tokio::test]
async fn requests_without_the_right_bearer_token_are_a_401() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    let url = format!("{}/api/users?start=0&size=10", fake.url());
    for auth in [None, Some("Bearer wrong"), Some(fake.token())] {
        let mut req = client().get(&url);
        if let Some(auth) = auth {
            req = req.header("Authorization", auth);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let body: Value = resp.json().await.unwrap();
        assert_error(&body, "E000", "Unauthorized");
        assert_eq!(body["path"], "/api/users?start=0&size=10");
    }
    let (status, body) = call(&fake, Method::GET, "/api/users?start=0&size=10", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["response"], json!({ "users": [], "total": 0 }));
    // Unknown routes and wrong methods answer 404 before any auth, as in Nest.
    for (method, path) in [(Method::GET, "/api/no-such-route"), (Method::PUT, "/api/users")] {
        let resp = client().request(method, format!("{}{path}", fake.url())).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn an_unknown_user_is_a_404_with_error_code_a025() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    let missing = "00000000-0000-4000-8000-000000000000";
    for path in [
        format!("/api/users/{missing}"),
        "/api/users/by-username/nobody".to_owned(),
        "/api/users/by-id/7".to_owned(),
        format!("/api/hwid/devices/{missing}"),
    ] {
        let (status, body) = call(&fake, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_error(&body, "A025", "User not found");
        assert_eq!(body["path"], path);
    }
    let (status, body) = call(&fake, Method::DELETE, &format!("/api/users/{missing}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "A025", "User not found");

    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    for (method, path) in [
        (Method::GET, "/api/users/99"),
        (Method::POST, "/api/users/99/actions/enable"),
        (Method::DELETE, "/api/users/99"),
    ] {
        let (status, body) = call(&fake, method, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_error(&body, "A025", "User not found");
    }
    let (status, body) =
        call(&fake, Method::PATCH, "/api/users", Some(json!({ "username": "nobody", "description": "x" }))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "A025", "User not found");
}

#[tokio::test]
async fn creating_a_user_twice_is_a_019_conflict() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    create_named(&fake, "bob").await;
    let (status, body) =
        call(&fake, Method::POST, "/api/users", Some(json!({ "username": "bob", "expireAt": in_days(5) }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "A019", "User username already exists");
    assert_eq!(fake.create_count(), 1);
    assert_eq!(fake.users().len(), 1);
}

#[tokio::test]
async fn invalid_create_bodies_are_a_400_validation_error() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    let cases = [
        (json!({ "username": "ab", "expireAt": in_days(1) }), "username"),
        (json!({ "username": "has space", "expireAt": in_days(1) }), "username"),
        (json!({ "username": "x".repeat(37), "expireAt": in_days(1) }), "username"),
        (json!({ "username": "carol" }), "expireAt"),
        (json!({ "username": "carol", "expireAt": "next tuesday" }), "expireAt"),
        (json!({ "username": "carol", "expireAt": in_days(1), "tag": "lower" }), "tag"),
        (json!({ "username": "carol", "expireAt": in_days(1), "tag": "A".repeat(17) }), "tag"),
        (json!({ "username": "carol", "expireAt": in_days(1), "trafficLimitBytes": -1 }), "trafficLimitBytes"),
        (json!({ "username": "carol", "expireAt": in_days(1), "trafficLimitBytes": 1.5 }), "trafficLimitBytes"),
        (
            json!({ "username": "carol", "expireAt": in_days(1), "trafficLimitStrategy": "YEAR" }),
            "trafficLimitStrategy",
        ),
        (
            json!({ "username": "carol", "expireAt": in_days(1), "activeInternalSquads": ["nope"] }),
            "activeInternalSquads",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = call(&fake, Method::POST, "/api/users", Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(err["statusCode"], 400, "{err}");
        assert_eq!(err["message"], "Validation failed", "{err}");
        let errors = err["errors"].as_array().unwrap();
        assert!(errors.iter().any(|e| e["path"][0] == field && e["message"].is_string()), "{body} -> {err}");
    }

    let resp = client()
        .post(format!("{}/api/users", fake.url()))
        .bearer_auth(fake.token())
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let err: Value = resp.json().await.unwrap();
    assert_eq!(err["message"], "Validation failed");
    assert_eq!(fake.create_count(), 0);
}

#[tokio::test]
async fn an_update_refuses_a_past_expiry_and_statuses_other_than_active_or_disabled() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    let user = create_named(&fake, "dave").await;
    let uuid = user["uuid"].as_str().unwrap();
    for body in [
        json!({ "uuid": uuid, "expireAt": in_days(-1) }),
        json!({ "uuid": uuid, "status": "LIMITED" }),
        json!({ "uuid": uuid, "status": "EXPIRED" }),
        json!({ "description": "no key" }),
    ] {
        let (status, err) = call(&fake, Method::PATCH, "/api/users", Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(err["message"], "Validation failed", "{err}");
    }
    let new_expiry = Utc::now() + ChronoDuration::days(60);
    let premium = fake.add_squad("Premium");
    let (status, body) = call(
        &fake,
        Method::PATCH,
        "/api/users",
        Some(json!({
            "uuid": uuid,
            "username": "ignored-when-uuid-given",
            "expireAt": new_expiry.to_rfc3339(),
            "trafficLimitBytes": 5000,
            "hwidDeviceLimit": null,
            "activeInternalSquads": [premium],
            "status": "DISABLED",
        })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let updated = &body["response"];
    assert_eq!(updated["status"], "DISABLED");
    assert_eq!(updated["trafficLimitBytes"], 5000);
    assert_eq!(updated["hwidDeviceLimit"], Value::Null);
    assert_eq!(updated["activeInternalSquads"][0]["name"], "Premium");
    let expiry = chrono::DateTime::parse_from_rfc3339(updated["expireAt"].as_str().unwrap()).unwrap();
    assert_eq!(expiry.timestamp_millis(), new_expiry.timestamp_millis());
}

#[tokio::test]
async fn an_outage_answers_503_until_it_recovers() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    fake.set_down(true);
    let (status, body) = call(&fake, Method::GET, "/api/system/metadata", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_error(&body, "E000", "Service Unavailable");
    let (status, _) =
        call(&fake, Method::POST, "/api/users", Some(json!({ "username": "erin", "expireAt": in_days(1) }))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(fake.create_count(), 0);
    fake.set_down(false);
    let (status, body) = call(&fake, Method::GET, "/api/system/metadata", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["response"]["version"], "2.8.1");
    assert_eq!(fake.request_count(), 3);
}

#[tokio::test]
async fn the_hang_switch_holds_requests_until_it_is_turned_off() {
    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    fake.set_hang(true);
    let held = tokio::spawn({
        let url = fake.url();
        let token = fake.token().to_owned();
        async move { client().get(format!("{url}/api/nodes")).bearer_auth(token).send().await.unwrap().status() }
    });
    while fake.held_count() == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!held.is_finished(), "the request waits while the panel hangs");
    // A client that gives up is no longer counted.
    let quick = reqwest::Client::builder().timeout(Duration::from_millis(100)).build().unwrap();
    let err = quick.get(format!("{}/api/nodes", fake.url())).bearer_auth(fake.token()).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    while fake.held_count() != 1 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    fake.set_hang(false);
    assert_eq!(held.await.unwrap(), StatusCode::OK, "the held request is answered");
    assert_eq!(fake.held_count(), 0);
}

#[tokio::test]
async fn the_latency_switch_delays_every_answer() {
    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    fake.set_latency(Duration::from_millis(300));
    let started = Instant::now();
    let (status, _) = call(&fake, Method::GET, "/api/nodes", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let quick = reqwest::Client::builder().timeout(Duration::from_millis(100)).build().unwrap();
    let err = quick.get(format!("{}/api/nodes", fake.url())).bearer_auth(fake.token()).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err}");

    fake.set_latency(Duration::ZERO);
    let started = Instant::now();
    call(&fake, Method::GET, "/api/nodes", None).await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn v3_has_no_lookups_by_telegram_id_email_tag_or_id() {
    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    create(&fake, json!({ "username": "frank", "expireAt": in_days(3), "telegramId": 777, "tag": "VIP" })).await;
    for path in [
        "/api/users/by-telegram-id/777",
        "/api/users/by-email/frank@example.test",
        "/api/users/by-tag/VIP",
        "/api/users/by-id/1",
    ] {
        let (status, body) = call(&fake, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body, json!({ "message": format!("Cannot GET {path}"), "error": "Not Found", "statusCode": 404 }));
    }
    let (status, body) = call(&fake, Method::GET, "/api/users/by-username/frank", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["response"]["telegramId"], 777);

    // And the other way round: v3-only routes do not exist in v2.
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    let user = create_named(&fake, "frank").await;
    let path = format!("/api/users/{}/actions/extend", user["uuid"].as_str().unwrap());
    let (status, body) = call(&fake, Method::POST, &path, Some(json!({ "days": 1 }))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "Not Found");
    // v2 reads `/api/users/stream` as "get the user whose uuid is `stream`": a validation error.
    let (status, body) = call(&fake, Method::GET, "/api/users/stream", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["path"], json!(["uuid"]));
    // A wrong method on a known path is also Nest's 404, not a 405.
    let (status, body) = call(&fake, Method::PUT, "/api/users", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "Cannot PUT /api/users");
}

#[tokio::test]
async fn v2_finds_users_by_telegram_id_and_returns_an_empty_array_when_none() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    create(&fake, json!({ "username": "gina_a", "expireAt": in_days(3), "telegramId": 555 })).await;
    create(&fake, json!({ "username": "gina_b", "expireAt": in_days(3), "telegramId": 555 })).await;
    create(&fake, json!({ "username": "other", "expireAt": in_days(3), "telegramId": 556 })).await;
    let (status, body) = call(&fake, Method::GET, "/api/users/by-telegram-id/555", None).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> =
        body["response"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["gina_a", "gina_b"]);
    let (status, body) = call(&fake, Method::GET, "/api/users/by-telegram-id/1", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["response"], json!([]));
}

#[tokio::test]
async fn v3_streams_users_by_telegram_id_with_a_cursor() {
    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    for i in 0..3 {
        create(&fake, json!({ "username": format!("hank_{i}"), "expireAt": in_days(3), "telegramId": 900 })).await;
    }
    create(&fake, json!({ "username": "someone_else", "expireAt": in_days(3) })).await;
    let (status, body) = call(&fake, Method::GET, "/api/users/stream?telegramId=900&size=2", None).await;
    assert_eq!(status, StatusCode::OK);
    let page = &body["response"];
    assert_eq!(page["users"].as_array().unwrap().len(), 2);
    assert_eq!(page["hasMore"], true);
    let cursor = page["nextCursor"].as_str().unwrap().to_owned();
    let (_, body) =
        call(&fake, Method::GET, &format!("/api/users/stream?telegramId=900&size=2&cursor={cursor}"), None).await;
    let page = &body["response"];
    assert_eq!(page["users"][0]["username"], "hank_2");
    assert_eq!(page["hasMore"], false);
    assert_eq!(page["nextCursor"], Value::Null);
    let (_, body) = call(&fake, Method::GET, "/api/users/stream?telegramId=1", None).await;
    assert_eq!(body["response"], json!({ "users": [], "nextCursor": null, "hasMore": false }));
}

#[tokio::test]
async fn revoking_a_subscription_changes_the_subscription_url() {
    for version in [PanelVersion::V2, PanelVersion::V3] {
        let fake = FakeRemnawave::start(version).await;
        let user = create_named(&fake, "ivan").await;
        let path = format!("/api/users/{}/actions/revoke", key_of(&fake, &user));
        let (status, body) = call(&fake, Method::POST, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let revoked = &body["response"];
        assert_ne!(revoked["shortUuid"], user["shortUuid"]);
        assert_ne!(revoked["subscriptionUrl"], user["subscriptionUrl"]);
        assert_eq!(
            revoked["subscriptionUrl"],
            format!("https://sub.example.test/{}", revoked["shortUuid"].as_str().unwrap())
        );
        assert!(revoked["subRevokedAt"].is_string());
        assert_ne!(revoked["vlessUuid"], user["vlessUuid"]);

        let (_, body) = call(&fake, Method::POST, &path, Some(json!({ "shortUuid": "my-own-short" }))).await;
        assert_eq!(body["response"]["subscriptionUrl"], "https://sub.example.test/my-own-short");
    }
}

#[tokio::test]
async fn a_user_past_its_expiry_reads_as_expired_until_extended() {
    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    let user = create(&fake, json!({ "username": "judy", "expireAt": in_days(-1) })).await;
    assert_eq!(user["status"], "EXPIRED");
    let (status, body) = call(&fake, Method::POST, "/api/users/1/actions/extend", Some(json!({ "days": 30 }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["response"]["status"], "ACTIVE");

    assert!(fake.set_expire_at("judy", Utc::now() - ChronoDuration::seconds(1)));
    assert_eq!(fake.user_by_username("judy").unwrap()["status"], "EXPIRED");
    let (status, body) =
        call(&fake, Method::PATCH, "/api/users", Some(json!({ "id": 1, "expireAt": in_days(10) }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["response"]["status"], "ACTIVE");
}

#[tokio::test]
async fn a_user_over_its_traffic_limit_reads_as_limited_and_disabled_sticks() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    let user = create(&fake, json!({ "username": "karl", "expireAt": in_days(30), "trafficLimitBytes": 1000 })).await;
    let key = key_of(&fake, &user);
    assert!(fake.set_used_traffic("karl", 1000));
    let (_, body) = call(&fake, Method::GET, &format!("/api/users/{key}"), None).await;
    assert_eq!(body["response"]["status"], "LIMITED");

    let (_, body) = call(&fake, Method::POST, &format!("/api/users/{key}/actions/reset-traffic"), None).await;
    assert_eq!(body["response"]["status"], "ACTIVE");
    assert_eq!(body["response"]["userTraffic"]["usedTrafficBytes"], 0);
    assert_eq!(body["response"]["userTraffic"]["lifetimeUsedTrafficBytes"], 1000);
    assert!(body["response"]["lastTrafficResetAt"].is_string());

    let (_, body) = call(&fake, Method::POST, &format!("/api/users/{key}/actions/disable"), None).await;
    assert_eq!(body["response"]["status"], "DISABLED");
    assert!(fake.set_used_traffic("karl", 5000));
    assert_eq!(fake.user_by_username("karl").unwrap()["status"], "DISABLED");
    let (status, body) = call(&fake, Method::POST, &format!("/api/users/{key}/actions/disable"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "A029", "User already disabled");

    let (_, body) = call(&fake, Method::POST, &format!("/api/users/{key}/actions/enable"), None).await;
    assert_eq!(body["response"]["status"], "LIMITED");
    let (_, body) =
        call(&fake, Method::PATCH, "/api/users", Some(json!({ "username": "karl", "trafficLimitBytes": 0 }))).await;
    assert_eq!(body["response"]["status"], "ACTIVE");
}

#[tokio::test]
async fn enabling_an_active_user_is_an_a030_error() {
    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    create_named(&fake, "lena").await;
    let (status, body) = call(&fake, Method::POST, "/api/users/1/actions/enable", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "A030", "User already enabled");
}

#[tokio::test]
async fn used_traffic_set_by_hand_is_visible_via_get() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    create_named(&fake, "mona").await;
    assert!(fake.set_used_traffic("mona", 123_456));
    assert!(!fake.set_used_traffic("nobody", 1));
    let (status, body) = call(&fake, Method::GET, "/api/users/by-username/mona", None).await;
    assert_eq!(status, StatusCode::OK);
    let traffic = &body["response"]["userTraffic"];
    assert_eq!(traffic["usedTrafficBytes"], 123_456);
    assert_eq!(traffic["lifetimeUsedTrafficBytes"], 123_456);
    assert!(traffic["onlineAt"].is_string());
    assert!(traffic["firstConnectedAt"].is_string());
    assert!(traffic["lastConnectedNodeUuid"].is_string());
}

#[tokio::test]
async fn deleting_a_user_works_over_http_and_by_hand() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    let user = create_named(&fake, "nina").await;
    let path = format!("/api/users/{}", key_of(&fake, &user));
    let (status, body) = call(&fake, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "response": { "isDeleted": true } }));
    let (status, _) = call(&fake, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    create_named(&fake, "nina").await;
    let (status, body) = call(&fake, Method::DELETE, "/api/users/1", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);

    create_named(&fake, "otto").await;
    assert!(fake.delete_user_by_hand("otto"));
    assert!(!fake.delete_user_by_hand("otto"));
    let (status, body) = call(&fake, Method::GET, "/api/users/by-username/otto", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "A025", "User not found");
    let user = create_named(&fake, "otto").await;
    assert_eq!(user["id"], 3, "ids are never reused");
}

#[tokio::test]
async fn hwid_devices_are_listed_and_deleted_per_api_line() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    let user = create_named(&fake, "pia").await;
    let uuid = user["uuid"].as_str().unwrap().to_owned();
    assert!(fake.add_device("pia", "hw-1"));
    assert!(fake.add_device("pia", "hw-2"));
    let (status, body) = call(&fake, Method::GET, &format!("/api/hwid/devices/{uuid}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["response"]["total"], 2);
    let device = &body["response"]["devices"][0];
    assert_eq!(device["hwid"], "hw-1");
    assert_eq!(device["userId"], 1);
    for field in ["platform", "osVersion", "deviceModel", "userAgent", "requestIp", "createdAt", "updatedAt"] {
        assert!(device.get(field).is_some(), "{field}");
    }
    let (status, body) =
        call(&fake, Method::POST, "/api/hwid/devices/delete", Some(json!({ "userUuid": uuid, "hwid": "hw-1" }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["response"]["total"], 1);
    assert_eq!(fake.devices("pia"), ["hw-2"]);

    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    create_named(&fake, "pia").await;
    fake.add_device("pia", "hw-a");
    fake.add_device("pia", "hw-b");
    let (status, body) = call(&fake, Method::GET, "/api/hwid/devices/1", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["response"]["total"], 2);
    let (status, body) = call(&fake, Method::POST, "/api/hwid/devices/delete-all", Some(json!({ "userId": 1 }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["response"], json!({ "total": 0, "devices": [] }));
    assert!(fake.devices("pia").is_empty());
    let (status, _) = call(&fake, Method::POST, "/api/hwid/devices/delete-all", Some(json!({ "userUuid": "x" }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn resolve_maps_exactly_one_identifier_to_the_user() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    let user = create_named(&fake, "quinn").await;
    let (status, body) = call(&fake, Method::POST, "/api/users/resolve", Some(json!({ "username": "quinn" }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["response"],
        json!({ "uuid": user["uuid"], "username": "quinn", "id": 1, "shortUuid": user["shortUuid"] })
    );
    let (status, _) =
        call(&fake, Method::POST, "/api/users/resolve", Some(json!({ "username": "quinn", "id": 1 }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    let user = create_named(&fake, "quinn").await;
    let (status, body) =
        call(&fake, Method::POST, "/api/users/resolve", Some(json!({ "shortUuid": user["shortUuid"] }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["response"], json!({ "username": "quinn", "id": 1, "shortUuid": user["shortUuid"] }));
}

#[tokio::test]
async fn metadata_reports_the_panel_version() {
    for (version, expected) in [(PanelVersion::V2, "2.8.1"), (PanelVersion::V3, "3.3.2")] {
        let fake = FakeRemnawave::start(version).await;
        let (status, body) = call(&fake, Method::GET, "/api/system/metadata", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["response"]["version"], expected);
        assert!(body["response"]["build"]["time"].is_string());
        assert!(body["response"]["build"]["number"].is_string());
    }
}

#[tokio::test]
async fn a_removed_squad_leaves_the_list_and_its_members() {
    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    let default = fake.squad_uuids()[0].clone();
    create(&fake, json!({ "username": "tom", "expireAt": in_days(3), "activeInternalSquads": [default] })).await;
    assert!(fake.remove_squad(&default));
    assert!(!fake.remove_squad(&default), "already gone");
    let (_, body) = call(&fake, Method::GET, "/api/internal-squads", None).await;
    assert_eq!(body["response"], json!({ "total": 0, "internalSquads": [] }));
    assert_eq!(fake.user_by_username("tom").unwrap()["activeInternalSquads"], json!([]));
}

#[tokio::test]
async fn squads_nodes_and_stats_have_the_contract_shapes() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    assert_eq!(fake.squad_uuids().len(), 1, "a fresh panel has its Default-Squad only");
    fake.add_squad("Premium");
    let vip = fake.add_squad("VIP");
    assert_eq!(fake.squad_uuids().len(), 3);
    create(&fake, json!({ "username": "rita", "expireAt": in_days(3), "activeInternalSquads": [vip] })).await;
    create(&fake, json!({ "username": "sam", "expireAt": in_days(-3) })).await;

    let (_, body) = call(&fake, Method::GET, "/api/internal-squads", None).await;
    let squads = &body["response"];
    assert_eq!(squads["total"], 3);
    let names: Vec<&str> =
        squads["internalSquads"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Default-Squad", "Premium", "VIP"]);
    let vip_json = &squads["internalSquads"][2];
    assert_eq!(vip_json["uuid"], vip);
    assert_eq!(vip_json["info"], json!({ "membersCount": 1, "inboundsCount": 0 }));
    assert!(vip_json["viewPosition"].is_i64() && vip_json["inbounds"].is_array() && vip_json["createdAt"].is_string());

    let (_, body) = call(&fake, Method::GET, "/api/nodes", None).await;
    let nodes = body["response"].as_array().unwrap();
    assert!(!nodes.is_empty());
    for field in [
        "uuid",
        "name",
        "address",
        "port",
        "isConnected",
        "isDisabled",
        "countryCode",
        "trafficUsedBytes",
        "trafficLimitBytes",
        "usersOnline",
    ] {
        assert!(nodes[0].get(field).is_some(), "{field}");
    }

    let (_, body) = call(&fake, Method::GET, "/api/system/stats", None).await;
    let stats = &body["response"];
    assert_eq!(stats["users"]["totalUsers"], 2);
    assert_eq!(stats["users"]["statusCounts"], json!({ "ACTIVE": 1, "DISABLED": 0, "EXPIRED": 1, "LIMITED": 0 }));
    assert!(stats["cpu"]["cores"].is_number());
    assert!(stats["memory"]["total"].is_number() && stats["memory"]["used"].is_number());
    assert_eq!(stats["onlineStats"]["neverOnline"], 2);
    assert!(stats["nodes"]["totalBytesLifetime"].is_string());
}

#[tokio::test]
async fn users_are_listed_in_pages() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    for name in ["u_one", "u_two", "u_three"] {
        create_named(&fake, name).await;
    }
    let (_, body) = call(&fake, Method::GET, "/api/users?start=1&size=1", None).await;
    assert_eq!(body["response"]["total"], 3);
    assert_eq!(body["response"]["users"][0]["username"], "u_two");
    let (status, _) = call(&fake, Method::GET, "/api/users?size=1001", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_proxy_check_drops_the_connection_without_an_answer() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    fake.require_proxy_headers(true);
    let url = format!("{}/api/system/metadata", fake.url());
    for headers in [vec![], vec![("X-Forwarded-For", "127.0.0.1")], vec![("X-Forwarded-Proto", "https")]] {
        let mut req = client().get(&url).bearer_auth(fake.token());
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let err = req.send().await.unwrap_err();
        assert!(!err.is_timeout() && err.status().is_none(), "{err:?}");
    }
    let (status, _) = call(&fake, Method::GET, "/api/system/metadata", None).await;
    assert_eq!(status, StatusCode::OK);

    // One keep-alive client: a good request, then a bad one on the same pool, then a good one.
    let shared = client();
    let good = || {
        shared
            .get(&url)
            .bearer_auth(fake.token())
            .header("X-Forwarded-For", "10.0.0.1")
            .header("X-Forwarded-Proto", "https")
    };
    assert_eq!(good().send().await.unwrap().status(), StatusCode::OK);
    assert!(shared.get(&url).bearer_auth(fake.token()).send().await.is_err());
    assert_eq!(good().send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn a_required_api_key_is_checked() {
    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    fake.require_api_key(Some("caddy-key".to_owned()));
    let (status, body) = call(&fake, Method::GET, "/api/nodes", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "A068", "Forbidden");
    let resp = client()
        .get(format!("{}/api/nodes", fake.url()))
        .bearer_auth(fake.token())
        .header("X-Api-Key", "caddy-key")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    fake.require_api_key(None);
    let (status, _) = call(&fake, Method::GET, "/api/nodes", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_squads_fail_creation_without_creating_a_user() {
    let fake = FakeRemnawave::start(PanelVersion::V2).await;
    let (status, body) = call(
        &fake,
        Method::POST,
        "/api/users",
        Some(json!({
            "username": "tess",
            "expireAt": in_days(1),
            "activeInternalSquads": ["11111111-1111-4111-8111-111111111111"],
        })),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_error(&body, "A123", "Create user with internal squad error");
    assert!(fake.users().is_empty());
    assert_eq!(fake.create_count(), 0);
}
