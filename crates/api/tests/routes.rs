//! Every route of the API through a server on a random port, on SQLite and (when
//! `TEST_DATABASE_URL` is set) PostgreSQL: what the operator and a tenant can do, what they
//! get back, and the one error shape.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::{Api, OPERATOR, seed, spawn, spawn_with};
use remnabot_store::testing;
use serde_json::{Value, json};

fn assert_error(a: &common::Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(a.body["error"], code, "{}", a.text);
    assert!(a.body["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", a.text);
}

#[tokio::test]
async fn health_ready_and_the_openapi_document_need_no_token() {
    let api = spawn(remnabot_store::Backend::Sqlite).await;
    assert_eq!(api.call("GET", "/health", None, None).await.body["status"], "ok");
    assert_eq!(api.call("GET", "/ready", None, None).await.body["status"], "ready");
    let doc = api.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc.body["openapi"]);
    assert!(doc.body["paths"]["/api/v1/bots/{bot_id}/plans"]["post"].is_object());
    assert!(doc.body["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn every_operation_of_the_spec_is_served_and_the_route_table_covers_the_spec() {
    let api = spawn(remnabot_store::Backend::Sqlite).await;
    let (b, _) = api.create_tenant("Alpha").await;
    let r = seed(&api, b, 1001).await;
    let spec = remnabot_api::openapi();
    let mut in_spec = BTreeSet::new();
    for (path, item) in &spec.paths.paths {
        let item = serde_json::to_value(item).unwrap();
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                in_spec.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let mut tested: BTreeSet<(String, String)> =
        common::every_operation(b, &r).into_iter().map(|(m, p, _)| (m.to_owned(), common::template(&p))).collect();
    for extra in [
        ("GET", "/health"),
        ("GET", "/ready"),
        ("GET", "/metrics"),
        ("GET", "/api/openapi.json"),
        ("GET", "/api/v1/bots"),
        ("POST", "/api/v1/bots"),
        ("GET", "/api/v1/stats"),
    ] {
        tested.insert((extra.0.to_owned(), extra.1.to_owned()));
    }
    assert_eq!(in_spec, tested, "the spec and the tested routes differ");
    // Each documented operation is routed: never the router's own 404 or 405.
    for (method, path) in &in_spec {
        let concrete = path
            .replace("{bot_id}", &b.to_string())
            .replace("{key}", "trial")
            .replace(['{', '}'], "")
            .split('/')
            .map(|s| if s.ends_with("_id") { "999999".to_owned() } else { s.to_owned() })
            .collect::<Vec<_>>()
            .join("/");
        let a = api.op(method, &concrete, Some(json!({}))).await;
        assert!(
            a.body["error"] != "not_found" && a.body["error"] != "method_not_allowed",
            "{method} {path} is not routed: {}",
            a.text
        );
    }
}

#[tokio::test]
async fn missing_invalid_and_rotated_tokens_get_401_and_both_header_forms_work() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (b, token) = api.create_tenant("Alpha").await;
        let path = format!("/api/v1/bots/{b}");
        assert_error(&api.call("GET", &path, None, None).await, 401, "unauthorized");
        assert_error(&api.call("GET", &path, Some("rbt_not-a-real-token"), None).await, 401, "unauthorized");
        assert_error(&api.call("GET", &path, Some("rbo_not-a-real-token"), None).await, 401, "unauthorized");
        assert_eq!(api.call("GET", &path, Some(&token), None).await.status, 200);
        let bearer = api
            .client
            .get(format!("{}{path}", api.base))
            .header("Authorization", format!("Bearer {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(bearer.status().as_u16(), 200);
        let rotated = api.op("POST", &format!("{path}/api-token"), None).await;
        assert_eq!(rotated.status, 200, "{}", rotated.text);
        let new_token = rotated.body["api_token"].as_str().unwrap().to_owned();
        assert_error(&api.call("GET", &path, Some(&token), None).await, 401, "unauthorized");
        assert_eq!(api.call("GET", &path, Some(&new_token), None).await.status, 200);
        let unauth = api.client.get(format!("{}{path}", api.base)).send().await.unwrap();
        assert_eq!(unauth.headers()["www-authenticate"], "Bearer");
    }
}

#[tokio::test]
async fn operator_tokens_made_by_the_cli_work_until_revoked() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (made, token) = api.store.platform().create_operator_token("ci").await.unwrap();
        let token = secrecy::ExposeSecret::expose_secret(&token).to_owned();
        assert!(token.starts_with("rbo_"));
        assert_eq!(api.call("GET", "/api/v1/bots", Some(&token), None).await.status, 200);
        api.store.platform().revoke_operator_token(made.id).await.unwrap();
        assert_error(&api.call("GET", "/api/v1/bots", Some(&token), None).await, 401, "unauthorized");
    }
}

#[tokio::test]
async fn repeated_failures_from_one_address_get_429_but_valid_tokens_from_it_still_work() {
    let store = testing::store(remnabot_store::Backend::Sqlite).await;
    let api = spawn_with(store, |c| c.max_auth_failures = 3).await;
    let (b, tenant_token) = api.create_tenant("Alpha").await;
    for _ in 0..3 {
        assert_eq!(api.call("GET", "/api/v1/bots", Some("wrong"), None).await.status, 401);
    }
    let refused = api.call("GET", "/api/v1/bots", Some("rbt_still-wrong"), None).await;
    assert_error(&refused, 429, "too_many_requests");
    let raw = api.client.get(format!("{}/api/v1/bots", api.base)).header("X-API-Token", "wrong").send().await.unwrap();
    assert!(raw.headers().get("retry-after").is_some());
    // The operator and the tenant, from the same address, are let in.
    assert_eq!(api.call("GET", "/api/v1/bots", Some(OPERATOR), None).await.status, 200);
    assert_eq!(api.call("GET", &format!("/api/v1/bots/{b}"), Some(&tenant_token), None).await.status, 200);
    assert_eq!(api.call("GET", "/api/v1/bots", Some("wrong"), None).await.status, 429, "failures are still slowed");
}

#[tokio::test]
async fn behind_a_trusted_proxy_failures_are_counted_per_forwarded_client() {
    let send = |api: &common::Api, client: &'static str| {
        api.client
            .get(format!("{}/api/v1/bots", api.base))
            .header("X-API-Token", "wrong")
            .header("X-Forwarded-For", client)
            .send()
    };
    let proxies = remnabot_api::auth::TrustedProxies::parse("127.0.0.1").unwrap();
    let store = testing::store(remnabot_store::Backend::Sqlite).await;
    let behind = spawn_with(store, |c| {
        c.max_auth_failures = 2;
        c.trusted_proxies = proxies;
    })
    .await;
    for _ in 0..2 {
        assert_eq!(send(&behind, "203.0.113.1").await.unwrap().status(), 401);
    }
    assert_eq!(send(&behind, "203.0.113.1").await.unwrap().status(), 429, "the guessing client is slowed");
    assert_eq!(send(&behind, "203.0.113.2").await.unwrap().status(), 401, "another client behind the proxy is not");

    // Without TRUSTED_PROXIES the header is anyone's to write and is not believed.
    let store = testing::store(remnabot_store::Backend::Sqlite).await;
    let direct = spawn_with(store, |c| c.max_auth_failures = 2).await;
    for client in ["203.0.113.1", "203.0.113.2"] {
        assert_eq!(send(&direct, client).await.unwrap().status(), 401);
    }
    assert_eq!(send(&direct, "203.0.113.3").await.unwrap().status(), 429, "one address, whatever it claims");
}

#[tokio::test]
async fn a_deactivated_tenants_token_is_refused_until_the_operator_activates_it_again() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (b, token) = api.create_tenant("Alpha").await;
        let path = format!("/api/v1/bots/{b}/plans");
        assert_eq!(api.call("GET", &path, Some(&token), None).await.status, 200);
        let off = api.op("POST", &format!("/api/v1/bots/{b}/deactivate"), None).await;
        assert_eq!(off.status, 200, "{}", off.text);

        let refused = api.call("GET", &path, Some(&token), None).await;
        assert_error(&refused, 403, "bot_deactivated");
        assert!(refused.body["message"].as_str().unwrap().contains("deactivated"), "{}", refused.text);
        let write = api
            .call(
                "POST",
                &path,
                Some(&token),
                Some(json!({"name": "x", "period_days": 1, "traffic_gb": 1, "device_limit": 1, "price": 1000})),
            )
            .await;
        assert_error(&write, 403, "bot_deactivated");
        assert_eq!(api.op("GET", &path, None).await.status, 200, "{backend:?}: the operator still reaches it");

        let on = api.op("POST", &format!("/api/v1/bots/{b}/activate"), None).await;
        assert_eq!(on.status, 200, "{}", on.text);
        assert_eq!(api.call("GET", &path, Some(&token), None).await.status, 200, "{backend:?}");
    }
}

#[tokio::test]
async fn extensions_waiting_for_the_panel_are_capped_per_subscription_with_a_clear_409() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (b, token) = api.create_tenant("Alpha").await;
        let r = seed(&api, b, 1001).await;
        let t = Some(token.as_str());
        let path = format!("/api/v1/bots/{b}/subscriptions/{}/extend", r.subscription);
        let tenant = api.tenant(b).await;
        let cap = remnabot_store::outbox::MAX_PENDING_PER_SUBSCRIPTION;
        for i in 0..cap {
            let done = api.call("POST", &path, t, Some(json!({"days": 1, "idempotency_key": format!("e{i}")}))).await;
            assert_eq!(done.status, 200, "{backend:?}: {}", done.text);
        }
        let expiry = |a: &common::Answer| a.body["expires_at"].clone();
        let before =
            expiry(&api.call("GET", &format!("/api/v1/bots/{b}/subscriptions/{}", r.subscription), t, None).await);
        let refused = api.call("POST", &path, t, Some(json!({"days": 1, "idempotency_key": "one-too-many"}))).await;
        assert_error(&refused, 409, "conflict");
        assert!(refused.body["message"].as_str().unwrap().contains("waiting for the panel"), "{}", refused.text);
        let now =
            expiry(&api.call("GET", &format!("/api/v1/bots/{b}/subscriptions/{}", r.subscription), t, None).await);
        assert_eq!(now, before, "{backend:?}: a refused extension changes nothing");
        assert_eq!(api.store.provisioning().pending_count(&tenant).await.unwrap(), cap);
        // A retry of an accepted extension still answers as before.
        let replay = api.call("POST", &path, t, Some(json!({"days": 1, "idempotency_key": "e0"}))).await;
        assert_eq!((replay.status, replay.body["newly_applied"].clone()), (200, json!(false)), "{}", replay.text);

        // Once the panel has applied one, there is room again.
        let entry = api
            .store
            .provisioning()
            .claim_next(&tenant, chrono::Utc::now(), chrono::Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        let link =
            remnabot_store::outbox::PanelLink { id: 1, uuid: None, subscription_url: "https://sub.example/x".into() };
        api.store.provisioning().complete(&tenant, entry.id, &link, None, chrono::Utc::now()).await.unwrap();
        let accepted = api.call("POST", &path, t, Some(json!({"days": 1, "idempotency_key": "one-too-many"}))).await;
        assert_eq!(accepted.status, 200, "{backend:?}: {}", accepted.text);
    }
}

#[tokio::test]
async fn tenant_tokens_are_refused_the_operator_routes() {
    let api = spawn(remnabot_store::Backend::Sqlite).await;
    let (b, token) = api.create_tenant("Alpha").await;
    let t = Some(token.as_str());
    assert_error(&api.call("GET", "/api/v1/bots", t, None).await, 403, "operator_only");
    assert_error(&api.call("GET", "/api/v1/stats", t, None).await, 403, "operator_only");
    assert_error(&api.call("GET", "/metrics", t, None).await, 403, "operator_only");
    let body = json!({"name": "x", "telegram_token": "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"});
    assert_error(&api.call("POST", "/api/v1/bots", t, Some(body)).await, 403, "operator_only");
    for (method, path, body) in [
        ("PATCH", format!("/api/v1/bots/{b}"), Some(json!({"name": "x"}))),
        ("DELETE", format!("/api/v1/bots/{b}"), None),
        ("POST", format!("/api/v1/bots/{b}/deactivate"), None),
        ("POST", format!("/api/v1/bots/{b}/activate"), None),
        ("POST", format!("/api/v1/bots/{b}/api-token"), None),
        ("POST", format!("/api/v1/bots/{b}/wallet/credit"), Some(json!({"amount": 5, "idempotency_key": "x"}))),
        ("PUT", format!("/api/v1/bots/{b}/config/wholesale_price_per_gb"), Some(json!({"value": 0}))),
        ("DELETE", format!("/api/v1/bots/{b}/config/wholesale_price_per_gb"), None),
        ("PUT", format!("/api/v1/bots/{b}/config/panel_url"), Some(json!({"value": "https://evil.example"}))),
        ("DELETE", format!("/api/v1/bots/{b}/config/panel_url"), None),
        ("PUT", format!("/api/v1/bots/{b}/config/panel_token"), Some(json!({"value": "stolen-token-value"}))),
        ("DELETE", format!("/api/v1/bots/{b}/config/panel_token"), None),
    ] {
        assert_error(&api.call(method, &path, t, body).await, 403, "operator_only");
    }
    // Nothing of the refused panel settings was written.
    let tenant = remnabot_domain::Tenant::of(&api.store.platform().get(remnabot_domain::BotId(b)).await.unwrap());
    assert_eq!(api.store.configs().get(&tenant, "panel_url").await.unwrap(), None);
    assert_eq!(api.store.configs().get(&tenant, "panel_token").await.unwrap(), None);
    // Not over plain http to another host, even by the operator.
    let plain = api
        .op("PUT", &format!("/api/v1/bots/{b}/config/panel_url"), Some(json!({"value": "http://panel.example"})))
        .await;
    assert_error(&plain, 422, "invalid_input");
    assert_eq!(api.store.configs().get(&tenant, "panel_url").await.unwrap(), None);
    // The operator may point the tenant at its own panel.
    let url = api
        .op("PUT", &format!("/api/v1/bots/{b}/config/panel_url"), Some(json!({"value": "https://panel.example"})))
        .await;
    assert_eq!(url.status, 200, "{}", url.text);
    let token =
        api.op("PUT", &format!("/api/v1/bots/{b}/config/panel_token"), Some(json!({"value": "panel-token-1"}))).await;
    assert_eq!(token.status, 200, "{}", token.text);
    assert_eq!(api.store.configs().get(&tenant, "panel_url").await.unwrap(), Some(json!("https://panel.example")));
    let price =
        api.op("PUT", &format!("/api/v1/bots/{b}/config/wholesale_price_per_gb"), Some(json!({"value": 900}))).await;
    assert_eq!(price.status, 200, "{}", price.text);
    let seen = api.call("GET", &format!("/api/v1/bots/{b}/config/wholesale_price_per_gb"), t, None).await;
    assert_eq!(seen.body["value"], 900, "the tenant may read it");
    let bot = api.op("GET", &format!("/api/v1/bots/{b}"), None).await;
    assert_eq!(bot.body["name"], "Alpha");
    assert_eq!(bot.body["is_active"], true);
    assert_eq!(bot.body["wallet_balance"], 0);
}

#[tokio::test]
async fn the_operator_manages_bots() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (b, token) = api.create_tenant("Alpha").await;
        let (c, _) = api.create_tenant("Beta").await;
        assert!(token.starts_with("rbt_"));
        let list = api.op("GET", "/api/v1/bots?limit=1&offset=1", None).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(list.body["items"][0]["id"], c);
        assert_eq!((list.body["limit"].clone(), list.body["offset"].clone()), (json!(1), json!(1)));
        assert_eq!(api.op("GET", "/api/v1/bots?limit=5000", None).await.body["limit"], 200, "the cap applies");
        let p = format!("/api/v1/bots/{b}");
        let updated = api.op("PATCH", &p, Some(json!({"name": "Alpha 2", "wallet_credit_limit": 5000}))).await;
        assert_eq!(
            (updated.body["name"].clone(), updated.body["wallet_credit_limit"].clone()),
            (json!("Alpha 2"), json!(5000))
        );
        assert_eq!(api.op("POST", &format!("{p}/deactivate"), None).await.body["is_active"], false);
        assert_eq!(api.op("POST", &format!("{p}/activate"), None).await.body["is_active"], true);
        let tg = testing::telegram_token();
        let set = api
            .op(
                "PUT",
                &format!("{p}/telegram-token"),
                Some(json!({"telegram_token": secrecy::ExposeSecret::expose_secret(&tg)})),
            )
            .await;
        assert_eq!(set.status, 200, "{}", set.text);
        assert!(!set.text.contains(secrecy::ExposeSecret::expose_secret(&tg)), "the token is never echoed");
        let dup = api
            .op(
                "POST",
                "/api/v1/bots",
                Some(json!({"name": "Dup", "telegram_token": secrecy::ExposeSecret::expose_secret(&tg)})),
            )
            .await;
        assert_error(&dup, 409, "conflict");
        let bad = api.op("POST", "/api/v1/bots", Some(json!({"name": "Bad", "telegram_token": "nope"}))).await;
        assert_error(&bad, 422, "invalid_input");
        assert_eq!(bad.body["field"], "telegram_token");
        assert!(!bad.text.contains("nope"), "the token is never echoed");
        assert_eq!(api.op("DELETE", &p, None).await.status, 204);
        assert_error(&api.op("GET", &p, None).await, 404, "bot_not_found");
        assert_error(&api.call("GET", &p, Some(&token), None).await, 401, "unauthorized");
        let master = api.store.platform().ensure_master("Master", &testing::telegram_token()).await.unwrap().0;
        let mp = format!("/api/v1/bots/{}", master.id);
        assert_error(&api.op("DELETE", &mp, None).await, 409, "master_bot_protected");
        assert_error(&api.op("POST", &format!("{mp}/deactivate"), None).await, 409, "master_bot_protected");
    }
}

#[tokio::test]
async fn features_and_configuration_round_trip_and_secrets_never_come_back() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (b, token) = api.create_tenant("Alpha").await;
        let t = Some(token.as_str());
        let p = format!("/api/v1/bots/{b}");
        let all = api.call("GET", &format!("{p}/features"), t, None).await;
        assert_eq!(all.body.as_array().unwrap().len(), remnabot_domain::FeatureKey::ALL.len());
        let set = api
            .call("PUT", &format!("{p}/features/zarinpal"), t, Some(json!({"enabled": true, "config": {"x": 1}})))
            .await;
        assert_eq!(
            (set.body["enabled"].clone(), set.body["explicit"].clone()),
            (json!(true), json!(true)),
            "{}",
            set.text
        );
        assert_eq!(api.call("GET", &format!("{p}/features/zarinpal"), t, None).await.body["config"]["x"], 1);
        assert_eq!(api.call("DELETE", &format!("{p}/features/zarinpal"), t, None).await.status, 204);
        assert_eq!(api.call("GET", &format!("{p}/features/zarinpal"), t, None).await.body["enabled"], false);
        assert_error(&api.call("GET", &format!("{p}/features/teleport"), t, None).await, 404, "unknown_feature");
        let bad = api.call("PUT", &format!("{p}/features/trial"), t, Some(json!({"enabled": "yes"}))).await;
        assert_error(&bad, 422, "invalid_input");
        assert_eq!(bad.body["field"], "enabled");

        let put = api.call("PUT", &format!("{p}/config/welcome_text"), t, Some(json!({"value": "Salaam"}))).await;
        assert_eq!(put.body["value"], "Salaam", "{}", put.text);
        let bad = api.call("PUT", &format!("{p}/config/languages"), t, Some(json!({"value": ["de"]}))).await;
        assert_error(&bad, 422, "invalid_input");
        let secret = "panel-secret-value-123";
        let put = api.op("PUT", &format!("{p}/config/panel_token"), Some(json!({"value": secret}))).await;
        assert_eq!((put.status, put.body["secret"].clone()), (200, json!(true)), "{}", put.text);
        let list = api.call("GET", &format!("{p}/config"), t, None).await;
        assert!(!list.text.contains(secret) && !list.text.contains("encrypted"), "{}", list.text);
        assert_eq!(list.body.as_array().unwrap().len(), 2);
        let one = api.call("GET", &format!("{p}/config/panel_token"), t, None).await;
        assert_eq!(one.body["value"], Value::Null);
        assert_eq!(api.call("GET", &format!("{p}/config/welcome_text"), t, None).await.body["value"], "Salaam");
        assert_eq!(api.call("DELETE", &format!("{p}/config/welcome_text"), t, None).await.status, 204);
        assert_error(
            &api.call("GET", &format!("{p}/config/welcome_text"), t, None).await,
            404,
            "configuration_not_found",
        );
        assert_error(&api.call("GET", &format!("{p}/config/Bad%20Key"), t, None).await, 422, "invalid_input");
    }
}

#[tokio::test]
async fn plans_and_payment_cards_have_full_crud_with_statistics() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (b, token) = api.create_tenant("Alpha").await;
        let t = Some(token.as_str());
        let p = format!("/api/v1/bots/{b}");
        let body = json!({"name": "Monthly", "period_days": 30, "traffic_gb": 50, "device_limit": 2, "price": 150000});
        let plan = api.call("POST", &format!("{p}/plans"), t, Some(body.clone())).await;
        assert_eq!(plan.status, 201, "{}", plan.text);
        let id = plan.body["id"].as_i64().unwrap();
        assert_error(&api.call("POST", &format!("{p}/plans"), t, Some(body)).await, 409, "conflict");
        let bad = api
            .call(
                "POST",
                &format!("{p}/plans"),
                t,
                Some(json!({"name": "Free", "period_days": 30, "traffic_gb": 0, "device_limit": 1, "price": 0})),
            )
            .await;
        assert_error(&bad, 422, "invalid_input");
        assert_eq!(bad.body["field"], "price");
        let missing = api.call("POST", &format!("{p}/plans"), t, Some(json!({"name": "x"}))).await;
        assert_error(&missing, 422, "invalid_input");
        let unknown = api
            .call(
                "POST",
                &format!("{p}/plans"),
                t,
                Some(
                    json!({"name": "x", "period_days": 1, "traffic_gb": 0, "device_limit": 1, "price": 5, "bot_id": 9}),
                ),
            )
            .await;
        assert_error(&unknown, 422, "invalid_input");
        let upd = api
            .call("PUT", &format!("{p}/plans/{id}"), t, Some(json!({"name": "Monthly+", "period_days": 31, "traffic_gb": 60, "device_limit": 3, "price": 160000})))
            .await;
        assert_eq!(
            (upd.body["name"].clone(), upd.body["price"].clone()),
            (json!("Monthly+"), json!(160000)),
            "{}",
            upd.text
        );
        assert_eq!(api.call("POST", &format!("{p}/plans/{id}/deactivate"), t, None).await.body["is_active"], false);
        assert_eq!(api.call("GET", &format!("{p}/plans?active_only=true"), t, None).await.body["items"], json!([]));
        assert_eq!(api.call("POST", &format!("{p}/plans/{id}/activate"), t, None).await.body["is_active"], true);
        assert_eq!(api.call("GET", &format!("{p}/plans/{id}"), t, None).await.body["period_days"], 31);
        assert_eq!(api.call("DELETE", &format!("{p}/plans/{id}"), t, None).await.status, 204);
        assert_error(&api.call("GET", &format!("{p}/plans/{id}"), t, None).await, 404, "plan_not_found");

        let card = api
            .call(
                "POST",
                &format!("{p}/payment-cards"),
                t,
                Some(json!({"number": "6037 9912 3456 7893", "holder_name": "Ali", "weight": 3})),
            )
            .await;
        assert_eq!(card.status, 201, "{}", card.text);
        assert_eq!(card.body["number"], "6037991234567893");
        assert_eq!(card.body["stats"]["usage_count"], 0);
        let cid = card.body["id"].as_i64().unwrap();
        let bad = api
            .call("POST", &format!("{p}/payment-cards"), t, Some(json!({"number": "1234", "holder_name": "A"})))
            .await;
        assert_error(&bad, 422, "invalid_input");
        let upd = api
            .call(
                "PUT",
                &format!("{p}/payment-cards/{cid}"),
                t,
                Some(json!({"number": "6037991234567893", "holder_name": "Ali R", "bank_name": "Melli"})),
            )
            .await;
        assert_eq!(upd.body["bank_name"], "Melli", "{}", upd.text);
        assert_eq!(
            api.call("POST", &format!("{p}/payment-cards/{cid}/deactivate"), t, None).await.body["is_active"],
            false
        );
        assert_eq!(
            api.call("POST", &format!("{p}/payment-cards/{cid}/activate"), t, None).await.body["is_active"],
            true
        );
        let stats = api.call("GET", &format!("{p}/payment-cards/{cid}/stats"), t, None).await;
        assert_eq!(stats.body["success_count"], 0, "{}", stats.text);
        assert_eq!(
            api.call("GET", &format!("{p}/payment-cards"), t, None).await.body["items"].as_array().unwrap().len(),
            1
        );
        assert_eq!(api.call("GET", &format!("{p}/payment-cards/{cid}"), t, None).await.body["holder_name"], "Ali R");
        assert_eq!(api.call("DELETE", &format!("{p}/payment-cards/{cid}"), t, None).await.status, 204);
        assert_error(
            &api.call("GET", &format!("{p}/payment-cards/{cid}"), t, None).await,
            404,
            "payment_card_not_found",
        );
    }
}

#[tokio::test]
async fn customers_subscriptions_transactions_and_payments() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (b, token) = api.create_tenant("Alpha").await;
        let r = seed(&api, b, 4242).await;
        let t = Some(token.as_str());
        let p = format!("/api/v1/bots/{b}");
        let users = api.call("GET", &format!("{p}/users?search=user4242"), t, None).await;
        assert_eq!(users.body["items"][0]["id"], r.user, "{}", users.text);
        assert_eq!(
            api.call("GET", &format!("{p}/users?search=4242"), t, None).await.body["items"].as_array().unwrap().len(),
            1
        );
        assert_eq!(api.call("GET", &format!("{p}/users?search=nobody"), t, None).await.body["items"], json!([]));
        assert_eq!(api.call("GET", &format!("{p}/users/{}", r.user), t, None).await.body["telegram_id"], 4242);
        assert_eq!(api.call("POST", &format!("{p}/users/{}/block", r.user), t, None).await.body["is_blocked"], true);
        assert_eq!(api.call("POST", &format!("{p}/users/{}/unblock", r.user), t, None).await.body["is_blocked"], false);
        let credit = json!({"amount": 20000, "idempotency_key": "gift-1", "description": "welcome gift"});
        let first = api.call("POST", &format!("{p}/users/{}/balance", r.user), t, Some(credit.clone())).await;
        assert_eq!(
            (first.body["newly_applied"].clone(), first.body["entry"]["balance_after"].clone()),
            (json!(true), json!(20000)),
            "{}",
            first.text
        );
        let again = api.call("POST", &format!("{p}/users/{}/balance", r.user), t, Some(credit)).await;
        assert_eq!(again.body["newly_applied"], false, "the same key applies once");
        let debit = json!({"amount": -50000, "idempotency_key": "take-1"});
        assert_error(
            &api.call("POST", &format!("{p}/users/{}/balance", r.user), t, Some(debit)).await,
            409,
            "insufficient_balance",
        );
        let zero = json!({"amount": 0, "idempotency_key": "z"});
        assert_error(
            &api.call("POST", &format!("{p}/users/{}/balance", r.user), t, Some(zero)).await,
            422,
            "invalid_input",
        );
        assert_eq!(api.call("GET", &format!("{p}/users/{}", r.user), t, None).await.body["balance"], 20000);
        let ledger = api.call("GET", &format!("{p}/users/{}/ledger", r.user), t, None).await;
        assert_eq!(ledger.body["items"].as_array().unwrap().len(), 1, "{}", ledger.text);

        let subs = api.call("GET", &format!("{p}/subscriptions?status=active"), t, None).await;
        assert_eq!(subs.body["items"][0]["id"], r.subscription, "{}", subs.text);
        assert_eq!(
            api.call("GET", &format!("{p}/subscriptions?user_id={}", r.user), t, None).await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_error(&api.call("GET", &format!("{p}/subscriptions?status=bogus"), t, None).await, 422, "invalid_input");
        let before =
            api.call("GET", &format!("{p}/subscriptions/{}", r.subscription), t, None).await.body["expires_at"].clone();
        let ext = json!({"days": 10, "idempotency_key": "ext-1"});
        let done =
            api.call("POST", &format!("{p}/subscriptions/{}/extend", r.subscription), t, Some(ext.clone())).await;
        assert_eq!(done.body["newly_applied"], true, "{}", done.text);
        let after: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(done.body["subscription"]["expires_at"].clone()).unwrap();
        let before: chrono::DateTime<chrono::Utc> = serde_json::from_value(before).unwrap();
        assert_eq!((after - before).num_days(), 10);
        let replay = api.call("POST", &format!("{p}/subscriptions/{}/extend", r.subscription), t, Some(ext)).await;
        assert_eq!(
            (replay.body["newly_applied"].clone(), replay.body["subscription"]["expires_at"].clone()),
            (json!(false), done.body["subscription"]["expires_at"].clone())
        );
        let tenant = api.tenant(b).await;
        assert_eq!(
            api.store.provisioning().pending_count(&tenant).await.unwrap(),
            1,
            "the panel change is queued once"
        );
        let bad = api
            .call("POST", &format!("{p}/subscriptions/{}/extend", r.subscription), t, Some(json!({"days": 0})))
            .await;
        assert_error(&bad, 422, "invalid_input");

        assert_eq!(api.call("GET", &format!("{p}/transactions"), t, None).await.body["items"][0]["id"], r.transaction);
        assert_eq!(
            api.call("GET", &format!("{p}/transactions?user_id={}", r.user), t, None).await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            api.call("GET", &format!("{p}/transactions/{}", r.transaction), t, None).await.body["kind"],
            "purchase"
        );

        let pending = api.call("GET", &format!("{p}/card-payments?status=pending"), t, None).await;
        assert_eq!(pending.body["items"].as_array().unwrap().len(), 2, "{}", pending.text);
        assert_eq!(
            api.call("GET", &format!("{p}/card-payments/{}", r.payment), t, None).await.body["status"],
            "pending"
        );
        let ok = api.call("POST", &format!("{p}/card-payments/{}/approve", r.payment), t, None).await;
        assert_eq!(ok.body["status"], "approved", "{}", ok.text);
        assert!(ok.body["transaction_id"].is_i64(), "the approval completed the order: {}", ok.text);
        let told = api.store.notifications().list(&tenant, None, remnabot_domain::Page::default()).await.unwrap();
        assert!(told.iter().any(|n| n.text.contains("approved")), "the customer is told through the bot");
        assert_error(
            &api.call("POST", &format!("{p}/card-payments/{}/approve", r.payment), t, None).await,
            409,
            "conflict",
        );
        let no = api
            .call(
                "POST",
                &format!("{p}/card-payments/{}/reject", r.payment2),
                t,
                Some(json!({"reason": "no transfer seen"})),
            )
            .await;
        assert_eq!(
            (no.body["status"].clone(), no.body["reject_reason"].clone()),
            (json!("rejected"), json!("no transfer seen")),
            "{}",
            no.text
        );
        assert_error(
            &api.call("POST", &format!("{p}/card-payments/{}/reject", r.payment2), t, Some(json!({}))).await,
            409,
            "conflict",
        );
        assert_eq!(
            api.call("GET", &format!("{p}/card-payments?status=approved"), t, None).await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn tickets_promocodes_wallet_and_statistics() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let api = spawn_with(store, |c| c.fleet = Some(common::stub_fleet())).await;
        let (b, token) = api.create_tenant("Alpha").await;
        let r = seed(&api, b, 77).await;
        let t = Some(token.as_str());
        let p = format!("/api/v1/bots/{b}");
        assert_eq!(
            api.call("GET", &format!("{p}/tickets?status=open"), t, None).await.body["items"][0]["id"],
            r.ticket
        );
        assert_eq!(
            api.call("GET", &format!("{p}/tickets/{}", r.ticket), t, None).await.body["title"],
            "Cannot connect"
        );
        assert_eq!(
            api.call("GET", &format!("{p}/tickets/{}/messages", r.ticket), t, None).await.body["items"][0]["text"],
            "Help"
        );
        assert_eq!(
            api.call("POST", &format!("{p}/tickets/{}/close", r.ticket), t, None).await.body["status"],
            "closed"
        );

        let made = api
            .call(
                "POST",
                &format!("{p}/promocodes"),
                t,
                Some(json!({"code": "summer25", "kind": "discount", "value": 25, "max_uses": 100})),
            )
            .await;
        assert_eq!((made.status, made.body["code"].clone()), (201, json!("SUMMER25")), "{}", made.text);
        let id = made.body["id"].as_i64().unwrap();
        assert_error(
            &api.call(
                "POST",
                &format!("{p}/promocodes"),
                t,
                Some(json!({"code": "SUMMER25", "kind": "discount", "value": 25})),
            )
            .await,
            409,
            "conflict",
        );
        assert_error(
            &api.call("POST", &format!("{p}/promocodes"), t, Some(json!({"code": "X1X", "kind": "gift", "value": 1})))
                .await,
            422,
            "invalid_input",
        );
        assert_eq!(
            api.call("POST", &format!("{p}/promocodes/{id}/deactivate"), t, None).await.body["is_active"],
            false
        );
        assert_eq!(api.call("POST", &format!("{p}/promocodes/{id}/activate"), t, None).await.body["is_active"], true);
        assert_eq!(api.call("GET", &format!("{p}/promocodes/{id}"), t, None).await.body["max_uses"], 100);
        assert_eq!(
            api.call("GET", &format!("{p}/promocodes"), t, None).await.body["items"].as_array().unwrap().len(),
            2
        );
        assert_eq!(api.call("DELETE", &format!("{p}/promocodes/{id}"), t, None).await.status, 204);

        let credit = json!({"amount": 1_000_000, "idempotency_key": "deposit-1", "description": "bank transfer"});
        let posted = api.op("POST", &format!("{p}/wallet/credit"), Some(credit.clone())).await;
        assert_eq!(posted.body["entry"]["balance_after"], 1_000_000, "{}", posted.text);
        assert_eq!(api.op("POST", &format!("{p}/wallet/credit"), Some(credit)).await.body["newly_applied"], false);
        let wallet = api.call("GET", &format!("{p}/wallet"), t, None).await;
        assert_eq!(wallet.body["balance"], 1_000_000, "{}", wallet.text);
        assert!(wallet.body["traffic"]["consumed_bytes"].is_i64());
        assert_eq!(api.call("GET", &format!("{p}/wallet/ledger"), t, None).await.body["items"][0]["kind"], "deposit");

        let stats = api.call("GET", &format!("{p}/stats"), t, None).await;
        assert_eq!(stats.body["users"], 1, "{}", stats.text);
        assert_eq!(stats.body["subscriptions_by_status"]["active"], 1);
        assert_eq!(stats.body["card_payments_by_status"]["pending"], 2);
        assert_eq!(stats.body["tickets_by_status"]["closed"], 1);
        assert_eq!(stats.body["revenue"]["purchases"], 100_000);
        assert_eq!(stats.body["wallet"]["balance"], 1_000_000);

        let all = api.op("GET", "/api/v1/stats", None).await;
        assert_eq!((all.body["bots"].clone(), all.body["users"].clone()), (json!(1), json!(1)), "{}", all.text);
        assert_eq!(all.body["wallet_balance_total"], 1_000_000);

        let metrics = api.op("GET", "/metrics", None).await;
        assert_eq!(metrics.status, 200);
        for line in [
            "remnabot_updates_total 7",
            "remnabot_card_payments{status=\"pending\"} 2",
            "remnabot_card_payments{status=\"approved\"} 0",
            "remnabot_outbox_pending{outbox=\"provisioning\"} 0",
            "remnabot_bot_health{bot_id=\"1\",state=\"running\"} 1",
            "remnabot_bot_health{bot_id=\"1\",state=\"unhealthy\"} 0",
            "remnabot_bots{active=\"true\"} 1",
        ] {
            assert!(metrics.text.lines().any(|l| l == line), "missing `{line}` in\n{}", metrics.text);
        }
    }
}

#[tokio::test]
async fn malformed_requests_get_the_error_shape_naming_the_input() {
    let api: Api = spawn(remnabot_store::Backend::Sqlite).await;
    let (b, token) = api.create_tenant("Alpha").await;
    let url = format!("{}/api/v1/bots/{b}/plans", api.base);
    let send = |body: &'static str, ct: Option<&'static str>| {
        let mut req = api.client.post(url.clone()).header("X-API-Token", token.clone()).body(body);
        if let Some(ct) = ct {
            req = req.header("Content-Type", ct);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let (s, body) = send("{\"name\":", Some("application/json")).await;
    assert_eq!((s, body["error"].as_str()), (400, Some("invalid_json")));
    let (s, body) = send("{}", None).await;
    assert_eq!((s, body["error"].as_str()), (415, Some("unsupported_media_type")));
    let (s, body) = send(
        "{\"name\":\"x\",\"period_days\":\"thirty\",\"traffic_gb\":0,\"device_limit\":1,\"price\":1}",
        Some("application/json"),
    )
    .await;
    assert_eq!((s, body["field"].as_str()), (422, Some("period_days")), "{body}");
    let a = api.call("GET", &format!("/api/v1/bots/{b}/plans?limit=lots"), Some(&token), None).await;
    assert_error(&a, 400, "invalid_parameter");
    assert_eq!(a.body["field"], "limit");
    let a = api.call("GET", &format!("/api/v1/bots/{b}/plans?offset=-1"), Some(&token), None).await;
    assert_error(&a, 400, "invalid_parameter");
    let a = api.call("GET", &format!("/api/v1/bots/{b}/plans?offset=99999999999999"), Some(&token), None).await;
    assert_error(&a, 400, "invalid_parameter");
    let a = api.call("GET", &format!("/api/v1/bots/{b}/plans/abc"), Some(&token), None).await;
    assert_error(&a, 400, "invalid_parameter");
    assert_eq!(a.body["field"], "plan_id");
    assert_error(&api.call("GET", "/api/v1/nothing", Some(&token), None).await, 404, "not_found");
    assert_error(&api.call("PATCH", "/api/v1/stats", Some(OPERATOR), None).await, 405, "method_not_allowed");
}

#[tokio::test]
async fn tickets_are_answered_through_the_api_and_the_customer_is_told_through_the_bot() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (b, token) = api.create_tenant("Alpha").await;
        let r = seed(&api, b, 4343).await;
        let tenant = api.tenant(b).await;
        let t = Some(token.as_str());
        let p = format!("/api/v1/bots/{b}/tickets/{}", r.ticket);
        let notes = || async {
            api.store.notifications().list(&tenant, None, remnabot_domain::Page::new(200, 0)).await.unwrap()
        };

        let answered =
            api.call("POST", &format!("{p}/reply"), t, Some(json!({"text": "  Try the second server \n"}))).await;
        assert_eq!(answered.status, 201, "{backend:?}: {}", answered.text);
        assert_eq!(answered.body["ticket"]["status"], "answered");
        assert_eq!(answered.body["message"]["from_admin"], true);
        assert_eq!(answered.body["message"]["sender_telegram_id"], 0);
        assert_eq!(answered.body["message"]["text"], "Try the second server");
        let told = notes().await;
        assert_eq!(told.len(), 1, "{backend:?}: {told:?}");
        assert_eq!(told[0].chat_id, 4343, "the customer's own chat");
        assert_eq!(told[0].text, format!("Support answered ticket #{}:\nTry the second server", r.ticket));

        // The operator answers too; a long answer is stored whole and quoted up to 3500 characters.
        let long = "x".repeat(4096);
        let by_operator = api.op("POST", &format!("{p}/reply"), Some(json!({"text": long}))).await;
        assert_eq!(by_operator.status, 201, "{}", by_operator.text);
        assert_eq!(by_operator.body["message"]["text"].as_str().unwrap().len(), 4096);
        let told = notes().await;
        let quoted = told.iter().find(|n| n.text.contains("xxx")).expect("the second notification");
        assert!(quoted.text.ends_with(&format!("{}…", "x".repeat(3500))), "{}", quoted.text);
        assert_eq!(told.len(), 2);

        for bad in [json!({"text": "   "}), json!({"text": "y".repeat(4097)}), json!({"text": "a\u{0}b"})] {
            let refused = api.call("POST", &format!("{p}/reply"), t, Some(bad)).await;
            assert_error(&refused, 422, "invalid_input");
            assert_eq!(refused.body["field"], "text", "{}", refused.text);
        }
        assert_error(&api.call("POST", &format!("{p}/reply"), t, Some(json!({}))).await, 422, "invalid_input");
        assert_error(
            &api.call("POST", &format!("{p}/reply"), t, Some(json!({"text": "hi", "bot_id": 1}))).await,
            422,
            "invalid_input",
        );
        assert_error(
            &api.call("POST", &format!("/api/v1/bots/{b}/tickets/999999/reply"), t, Some(json!({"text": "hi"}))).await,
            404,
            "ticket_not_found",
        );

        assert_eq!(api.call("POST", &format!("{p}/close"), t, None).await.body["status"], "closed");
        let closed = api.call("POST", &format!("{p}/reply"), t, Some(json!({"text": "one more thing"}))).await;
        assert_error(&closed, 409, "conflict");
        assert!(closed.body["message"].as_str().unwrap().contains("closed"), "{}", closed.text);
        let messages = api.call("GET", &format!("{p}/messages"), t, None).await;
        assert_eq!(messages.body["items"].as_array().unwrap().len(), 3, "{}", messages.text);
        assert_eq!(notes().await.len(), 2, "{backend:?}: nothing is queued for a refused answer");
        assert_eq!(api.call("GET", &p, t, None).await.body["status"], "closed");
    }
}

#[tokio::test]
async fn stars_payments_are_listed_and_read_and_counted_in_the_metrics() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (b, token) = api.create_tenant("Alpha").await;
        let (c, _) = api.create_tenant("Beta").await;
        let r = seed(&api, b, 5151).await;
        let rc = seed(&api, c, 5252).await;
        let tenant = api.tenant(b).await;
        let t = Some(token.as_str());
        let p = format!("/api/v1/bots/{b}/stars-payments");
        let sales = api.store.sales();
        let pending = sales.stars_payment(&tenant, remnabot_domain::PaymentId(r.stars)).await.unwrap();
        let paid = sales
            .complete_stars(
                &tenant,
                &pending.payload,
                "charge-1",
                pending.stars,
                "XTR",
                &common::PlainTexts,
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        assert!(paid.fulfilment.is_some());
        let user = remnabot_domain::UserId(r.user);
        let purchase = remnabot_store::payments::PaymentPurpose::Purchase;
        let plan = Some(remnabot_domain::PlanId(r.plan));
        let newer = sales.start_stars_payment(&tenant, user, purchase, plan, None, chrono::Utc::now()).await.unwrap();

        let list = api.call("GET", &p, t, None).await;
        assert_eq!(list.status, 200, "{backend:?}: {}", list.text);
        let ids: Vec<i64> = list.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![newer.id.0, r.stars], "newest first, only this bot's");
        let only_paid = api.call("GET", &format!("{p}?status=paid"), t, None).await;
        assert_eq!(only_paid.body["items"].as_array().unwrap().len(), 1, "{}", only_paid.text);
        assert_eq!(only_paid.body["items"][0]["telegram_charge_id"], "charge-1");
        let one = api.call("GET", &format!("{p}/{}", r.stars), t, None).await;
        assert_eq!(one.status, 200, "{}", one.text);
        assert_eq!(
            (one.body["status"].clone(), one.body["purpose"].clone(), one.body["plan_id"].clone()),
            (json!("paid"), json!("purchase"), json!(r.plan))
        );
        assert_eq!((one.body["amount"].clone(), one.body["stars"].clone()), (json!(100_000), json!(100)));
        assert_eq!(one.body["user_id"], r.user);
        assert!(one.body["transaction_id"].is_i64() && one.body["paid_at"].is_string(), "{}", one.text);
        assert_eq!(one.body["refunded_at"], Value::Null);
        assert!(one.body.get("payload").is_none(), "the invoice payload stays inside");
        let by_operator = api.op("GET", &format!("{p}/{}", newer.id.0), None).await;
        assert_eq!(by_operator.body["status"], "pending", "{}", by_operator.text);
        assert_eq!(by_operator.body["telegram_charge_id"], Value::Null);

        assert_error(&api.call("GET", &format!("{p}?status=bogus"), t, None).await, 422, "invalid_input");
        assert_eq!(api.call("GET", &format!("{p}?limit=5000"), t, None).await.body["limit"], 200, "the cap applies");
        assert_eq!(api.call("GET", &format!("{p}?limit=1&offset=1"), t, None).await.body["items"][0]["id"], r.stars);
        assert_error(&api.call("GET", &format!("{p}/999999"), t, None).await, 404, "telegram_stars_payment_not_found");
        assert_error(
            &api.call("GET", &format!("{p}/{}", rc.stars), t, None).await,
            404,
            "telegram_stars_payment_not_found",
        );

        let metrics = api.op("GET", "/metrics", None).await;
        assert_eq!(metrics.status, 200);
        for line in [
            "# TYPE remnabot_stars_payments gauge",
            "remnabot_stars_payments{status=\"pending\"} 2",
            "remnabot_stars_payments{status=\"paid\"} 1",
            "remnabot_stars_payments{status=\"refunded\"} 0",
        ] {
            assert!(metrics.text.lines().any(|l| l == line), "{backend:?}: missing `{line}` in\n{}", metrics.text);
        }
    }
}

#[tokio::test]
async fn the_api_refuses_texts_and_counts_the_bot_cannot_show_and_its_document_says_so() {
    let api = spawn(remnabot_store::Backend::Sqlite).await;
    let (b, _) = api.create_tenant("Alpha").await;
    let plan = |name: String, description: Option<String>| {
        json!({"name": name, "description": description, "period_days": 30, "traffic_gb": 50,
               "device_limit": 2, "price": 150_000})
    };
    let plans = format!("/api/v1/bots/{b}/plans");
    assert_error(&api.op("POST", &plans, Some(plan("n".repeat(255), None))).await, 422, "invalid_input");
    assert_error(&api.op("POST", &plans, Some(plan("ok".into(), Some("d".repeat(1001))))).await, 422, "invalid_input");
    let longest = api.op("POST", &plans, Some(plan("n".repeat(64), Some("d".repeat(1000))))).await;
    assert_eq!(longest.status, 201, "{}", longest.text);
    let trial = json!({"value": {"days": 95_000_000, "traffic_gb": 1, "device_limit": 1}});
    let res = api.op("PUT", &format!("/api/v1/bots/{b}/config/trial"), Some(trial)).await;
    assert_error(&res, 422, "invalid_input");
    // Integers written with a zero fraction are integers (as JSON Schema counts them).
    let res = api.op("PUT", &format!("/api/v1/bots/{b}/config/referral_percent"), Some(json!({"value": 10.0}))).await;
    assert_eq!(res.status, 200, "{}", res.text);
    // Custom values are small.
    let big = json!({"value": "x".repeat(1025)});
    assert_error(&api.op("PUT", &format!("/api/v1/bots/{b}/config/shop.motto"), Some(big)).await, 422, "invalid_input");

    // What schemathesis found the document calling valid, it now calls invalid.
    let doc = api.call("GET", "/api/openapi.json", None, None).await.body;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["PlanBody"]["properties"]["name"]["maxLength"], 64);
    assert_eq!(schemas["PlanBody"]["properties"]["description"]["maxLength"], 1000);
    assert_eq!(schemas["CardBody"]["properties"]["daily_count_cap"]["minimum"], 1, "daily_count_cap: 0");
    let promo = schemas["PromoCodeBody"].to_string();
    assert!(promo.contains("must be later than `valid_from`"), "{promo}");
    let welcome = &doc["paths"]["/api/v1/bots/{bot_id}/config/welcome_text"]["put"]["requestBody"]["content"]["application/json"]
        ["schema"]["properties"]["value"];
    assert_eq!(welcome["type"], "string", "welcome_text: {{}} is not a string: {welcome}");
    let trial = &doc["paths"]["/api/v1/bots/{bot_id}/config/trial"]["put"]["requestBody"]["content"]["application/json"]
        ["schema"]["properties"]["value"];
    assert_eq!(trial["properties"]["days"]["maximum"], 365, "{trial}");
}
