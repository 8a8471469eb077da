//! The audit log: the tenant's changes, paged, each openable with before and after.

use remnabot_store::audit::Actor;
use remnabot_store::testing;

use super::world;

const ADMIN_A: i64 = 720_600_001;
const ADMIN_B: i64 = 720_600_002;
const CUSTOMER: i64 = 720_610_001;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_audit_log_lists_the_tenants_changes_paged_with_before_and_after() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let c = w.customer(&a, CUSTOMER).await;
        let changes = w.store.changes(Actor::Operator);
        for i in 0..21 {
            changes.set_blocked(&a.t, c.id, i % 2 == 0).await.unwrap();
        }
        let home = w.panel(&a).await;
        let list = w.press(&a, &home, "panel-area-audit").await;
        let text = list.text.clone().unwrap();
        assert!(text.contains("Page 1 of 3 · 21 in total"), "{backend:?} {text}");
        assert!(text.contains(&format!("operator · user.block · user:{}", c.id.0)), "{text}");
        let api = w.api(&a, "/audit-log").await;
        let newest = api["items"][0]["id"].as_i64().unwrap();
        let entry = w.press_label(&a, a.admin, &list, &format!("#{newest}")).await;
        let text = entry.text.clone().unwrap();
        assert!(text.contains("Before:\n{\"is_blocked\":false}\nAfter:\n{\"is_blocked\":true}"), "{text}");
        let back = w.press(&a, &entry, "panel-back").await;
        let last = w.press(&a, &back, "panel-next").await;
        assert!(last.text.as_deref().unwrap().contains("Page 2 of 3"), "{last:?}");

        // Tenant B: nothing, and A's entries are not found there.
        let home_b = w.panel(&b).await;
        let list_b = w.press(&b, &home_b, "panel-area-audit").await;
        assert!(list_b.text.as_deref().unwrap().contains(&w.text("panel-au-none", &[])), "{list_b:?}");
        let forged = w.forge(&b, b.admin, list_b.message_id, &format!("pau:e:{newest}:0")).await;
        assert_eq!(forged.as_deref(), Some(w.text("panel-not-found", &[]).as_str()));
        w.stop().await;
    }
}
