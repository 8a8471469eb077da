//! The IDOR suite: tenant A's token against every route of tenant B (B's bot id, and B's
//! resource ids under A's own bot id) gets 404 and changes nothing, not even a queued message
//! to a customer; the operator's token reaches all of them. On SQLite and (when
//! `TEST_DATABASE_URL` is set) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Api, every_operation, seed, spawn};
use remnabot_domain::Page;
use remnabot_store::testing;
use serde_json::{Value, json};

/// Everything B has, as the operator reads it, and B's notification outbox (which no route
/// shows).
async fn snapshot(api: &Api, b: i64, r: &common::Seeded) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (method, path, _) in every_operation(b, r) {
        if method == "GET" {
            let mut body = api.op("GET", &path, None).await.body;
            if path.ends_with("/dashboard") {
                // The figures are "as of now": only their times move between two reads.
                body["generated_at"] = Value::Null;
                for window in ["today", "last_7_days", "last_30_days"] {
                    body[window]["since"] = Value::Null;
                }
            }
            out.push((path, body));
        }
    }
    out.push(("ledger".to_owned(), api.op("GET", &format!("/api/v1/bots/{b}/wallet/ledger"), None).await.body));
    let notes = api.store.notifications().list(&api.tenant(b).await, None, Page::new(200, 0)).await.unwrap();
    out.push(("notifications".to_owned(), serde_json::to_value(notes).unwrap()));
    out
}

#[tokio::test]
async fn a_tenant_token_gets_404_on_every_route_of_another_tenant_and_changes_nothing() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (a, a_token) = api.create_tenant("Alpha").await;
        let (b, _) = api.create_tenant("Beta").await;
        let ra = seed(&api, a, 1).await;
        let rb = seed(&api, b, 2).await;
        let before = snapshot(&api, b, &rb).await;
        let a_before = snapshot(&api, a, &ra).await;

        // B's bot id: the bot itself is "not found" for A, whatever the route.
        for (method, path, body) in every_operation(b, &rb) {
            let res = api.call(method, &path, Some(&a_token), body).await;
            assert_eq!(
                (res.status, res.body["error"].as_str()),
                (404, Some("bot_not_found")),
                "{backend:?} {method} {path}: {}",
                res.text
            );
        }
        // A's own bot id with B's resource ids: each resource is "not found".
        let own_prefix = format!("/api/v1/bots/{a}");
        for (method, path, body) in every_operation(a, &rb) {
            let rest = path.trim_start_matches(&own_prefix);
            let names_a_resource = rest.split('/').any(|seg| seg.parse::<i64>().is_ok());
            if !names_a_resource {
                continue;
            }
            let res = api.call(method, &path, Some(&a_token), body).await;
            assert_eq!(res.status, 404, "{backend:?} {method} {path}: {}", res.text);
            assert!(res.body["error"].as_str().is_some_and(|e| e.ends_with("_not_found")), "{}", res.text);
        }
        assert_eq!(snapshot(&api, b, &rb).await, before, "{backend:?}: B's data changed");
        assert_eq!(snapshot(&api, a, &ra).await, a_before, "{backend:?}: A's data changed");
    }
}

#[tokio::test]
async fn a_tenant_cannot_answer_another_tenants_ticket_or_read_its_stars_payments() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (a, a_token) = api.create_tenant("Alpha").await;
        let (b, _) = api.create_tenant("Beta").await;
        let ra = seed(&api, a, 1).await;
        let rb = seed(&api, b, 2).await;
        let t = Some(a_token.as_str());
        let b_tenant = api.tenant(b).await;
        let answer = || Some(json!({"text": "injected answer"}));

        for path in [
            format!("/api/v1/bots/{a}/tickets/{}/reply", rb.ticket),
            format!("/api/v1/bots/{b}/tickets/{}/reply", rb.ticket),
        ] {
            let res = api.call("POST", &path, t, answer()).await;
            assert_eq!(res.status, 404, "{backend:?} {path}: {}", res.text);
        }
        let stars = api.call("GET", &format!("/api/v1/bots/{a}/stars-payments/{}", rb.stars), t, None).await;
        assert_eq!(
            (stars.status, stars.body["error"].as_str()),
            (404, Some("telegram_stars_payment_not_found")),
            "{}",
            stars.text
        );
        let listed = api.call("GET", &format!("/api/v1/bots/{a}/stars-payments"), t, None).await;
        let ids: Vec<i64> =
            listed.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![ra.stars], "{backend:?}: only A's own");

        let b_ticket = api.op("GET", &format!("/api/v1/bots/{b}/tickets/{}", rb.ticket), None).await;
        assert_eq!(b_ticket.body["status"], "open", "{backend:?}: B's ticket is not answered");
        let messages = api.op("GET", &format!("/api/v1/bots/{b}/tickets/{}/messages", rb.ticket), None).await;
        assert_eq!(messages.body["items"].as_array().unwrap().len(), 1, "{}", messages.text);
        let notes = api.store.notifications().list(&b_tenant, None, Page::new(200, 0)).await.unwrap();
        assert!(notes.is_empty(), "{backend:?}: nothing queued for B's customer: {notes:?}");

        // The same answer on A's own ticket goes through, so the refusals above are not an
        // accident of the request.
        let own = api.call("POST", &format!("/api/v1/bots/{a}/tickets/{}/reply", ra.ticket), t, answer()).await;
        assert_eq!(own.status, 201, "{}", own.text);
    }
}

#[tokio::test]
async fn the_operator_token_reaches_every_route_of_every_tenant() {
    for backend in testing::backends() {
        let api = spawn(backend).await;
        let (b, _) = api.create_tenant("Beta").await;
        let rb = seed(&api, b, 2).await;
        let mut ops = every_operation(b, &rb);
        // Deletions last, the bot's own the very last, so each route meets its resource.
        ops.sort_by_key(|(method, path, _)| match (*method, path.matches('/').count()) {
            ("DELETE", 4) => 2,
            ("DELETE", _) => 1,
            _ => 0,
        });
        for (method, path, body) in ops {
            let res = api.op(method, &path, body).await;
            // Deleting a plan or card that payments still reference is a conflict, not a denial.
            let ok = (200..300).contains(&res.status) || (method == "DELETE" && res.status == 409);
            assert!(ok, "{backend:?} {method} {path}: {}", res.text);
        }
    }
}
