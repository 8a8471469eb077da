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
mod m0011_admin_panel;

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
            Box::new(m0011_admin_panel::Migration),
        ]
    }
}
