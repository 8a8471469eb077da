//! SeaORM entities, one module per table. They mirror `migration`; repositories turn their
//! models into domain types. Joins are not modelled: repositories query one table at a time.

pub mod audit_log;
pub mod bot;
pub mod bot_configuration;
pub mod bot_feature_flag;
pub mod bot_plan;
pub mod card_to_card_payment;
pub mod dialogue;
pub mod notification_outbox;
pub mod operator_token;
pub mod payment_card;
pub mod promo_group;
pub mod promocode;
pub mod promocode_use;
pub mod provisioning_outbox;
pub mod referral_earning;
pub mod review_message;
pub mod stars_payment;
pub mod subscription;
pub mod ticket;
pub mod ticket_message;
pub mod transaction;
pub mod user;
pub mod user_balance_transaction;
pub mod wallet_transaction;
pub mod zarinpal_payment;

use sea_orm::EntityTrait;

/// A tenant-owned table: every row has a `bot_id`. The scoped query helpers in
/// [`crate::scope`] are the only way repositories reach these tables.
pub trait TenantOwned: EntityTrait {
    /// The name used in "not found" errors.
    const NOUN: &'static str;
    /// The `bot_id` column.
    fn bot_id_col() -> Self::Column;
    /// The `id` column.
    fn id_col() -> Self::Column;
}

macro_rules! tenant_owned {
    ($noun:literal) => {
        impl crate::entity::TenantOwned for Entity {
            const NOUN: &'static str = $noun;
            fn bot_id_col() -> Column {
                Column::BotId
            }
            fn id_col() -> Column {
                Column::Id
            }
        }
    };
}
pub(crate) use tenant_owned;

/// Every tenant-owned table, for the isolation suite and the bot-deletion check.
pub const TENANT_TABLES: [&str; 23] = [
    "bot_feature_flags",
    "bot_configurations",
    "tenant_payment_cards",
    "bot_plans",
    "promo_groups",
    "users",
    "subscriptions",
    "transactions",
    "tickets",
    "ticket_messages",
    "promocodes",
    "promocode_uses",
    "referral_earnings",
    "card_to_card_payments",
    "review_messages",
    "zarinpal_payments",
    "stars_payments",
    "tenant_wallet_transactions",
    "user_balance_transactions",
    "provisioning_outbox",
    "notification_outbox",
    "dialogues",
    "audit_log",
];
