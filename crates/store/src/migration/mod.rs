//! Migrations, written once with sea-query builders so the same steps run on SQLite and
//! PostgreSQL. A migration is frozen once released: change the schema with a new one.

use sea_orm_migration::prelude::*;

mod m0001_initial;
mod m0002_outbox;
mod m0003_dialogues;
mod m0004_operator_tokens;
mod m0005_sales;
mod m0006_online_payments;
mod m0007_review_messages;
mod m0008_payment_safeguards;
mod m0011_admin_panel;
mod m0012_promo_attempts;
mod m0013_lookup_indexes;
mod m0015_panel_lookups;

/// Every migration, oldest first.
#[derive(Debug)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_outbox::Migration),
            Box::new(m0003_dialogues::Migration),
            Box::new(m0004_operator_tokens::Migration),
            Box::new(m0005_sales::Migration),
            Box::new(m0006_online_payments::Migration),
            Box::new(m0007_review_messages::Migration),
            Box::new(m0008_payment_safeguards::Migration),
            Box::new(m0011_admin_panel::Migration),
            Box::new(m0012_promo_attempts::Migration),
            Box::new(m0013_lookup_indexes::Migration),
            Box::new(m0015_panel_lookups::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn the_payment_safeguards_migration_and_later_ones_can_be_undone_and_applied_again() {
        let all = Migrator::migrations();
        let from = all.iter().position(|m| m.name().starts_with("m0008")).unwrap();
        let steps: u32 = std::convert::TryInto::try_into(all.len() - from).unwrap();
        for backend in crate::testing::backends() {
            let store = crate::testing::store(backend).await;
            Migrator::down(&store.db, Some(steps)).await.unwrap_or_else(|e| panic!("{backend:?}: down: {e}"));
            assert_eq!(Migrator::get_pending_migrations(&store.db).await.unwrap().len(), all.len() - from);
            Migrator::up(&store.db, None).await.unwrap_or_else(|e| panic!("{backend:?}: up again: {e}"));
            assert!(Migrator::get_pending_migrations(&store.db).await.unwrap().is_empty());
        }
    }
}
