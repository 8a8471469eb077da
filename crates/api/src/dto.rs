//! What the API sends and takes: JSON shapes with their OpenAPI schemas, built from the store's
//! types. Money is integer Toman; times are RFC 3339 in UTC. Request bodies refuse unknown
//! fields, so a misspelt field is an error instead of being ignored.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use remnabot_domain::{Bot, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T: ToSchema> {
    pub items: Vec<T>,
    /// The page size applied (at most 200).
    pub limit: u64,
    pub offset: u64,
}

impl<T: ToSchema> List<T> {
    pub fn new(items: Vec<T>, page: Page) -> List<T> {
        List { items, limit: page.limit(), offset: page.offset() }
    }
}

/// The largest `offset` accepted.
pub(crate) const MAX_OFFSET: u64 = 1_000_000_000;
/// The longest search term.
pub(crate) const MAX_SEARCH_CHARS: usize = 100;

/// `limit` (1 to 200, default 50) and `offset` (default 0).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Rows per page, 1 to 200 (0 counts as 1, larger values as 200); default 50.
    #[param(schema_with = crate::schema::page_limit)]
    pub limit: Option<u64>,
    /// Rows to skip, at most 10^9; default 0.
    #[param(schema_with = crate::schema::page_offset)]
    pub offset: Option<u64>,
}

impl PageQuery {
    /// The page asked for.
    ///
    /// # Errors
    /// `invalid_parameter` for an offset beyond 10^9.
    pub fn page(&self) -> Result<Page, ApiError> {
        let offset = self.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(ApiError::BadParameter {
                field: "offset".to_owned(),
                message: format!("`offset` must be at most {MAX_OFFSET}"),
            });
        }
        Ok(Page::new(self.limit.unwrap_or(50), offset))
    }
}

// ------------------------------------------------------------------------------------------
// Bots
// ------------------------------------------------------------------------------------------

/// A tenant's bot (secrets are never part of it).
#[derive(Debug, Serialize, ToSchema)]
pub struct BotDto {
    pub id: i64,
    pub name: String,
    /// Telegram's id of the bot (the digits before `:` in its token).
    pub telegram_bot_id: i64,
    pub is_master: bool,
    pub is_active: bool,
    /// Toman.
    pub wallet_balance: i64,
    /// Toman the wallet may go below zero.
    pub wallet_credit_limit: i64,
    pub traffic_consumed_bytes: i64,
    pub traffic_sold_bytes: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Bot> for BotDto {
    fn from(b: Bot) -> BotDto {
        BotDto {
            id: b.id.0,
            name: b.name,
            telegram_bot_id: b.telegram_bot_id,
            is_master: b.is_master,
            is_active: b.is_active,
            wallet_balance: b.wallet_balance.0,
            wallet_credit_limit: b.wallet_credit_limit.0,
            traffic_consumed_bytes: b.traffic_consumed_bytes,
            traffic_sold_bytes: b.traffic_sold_bytes,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// A new tenant bot.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBotBody {
    /// 1 to 64 characters, one line.
    #[schema(schema_with = crate::schema::bot_name, example = "Alpha VPN")]
    pub name: String,
    /// The token BotFather gave, `123456789:AA...`.
    #[schema(schema_with = crate::schema::telegram_token, example = "123456789:AAH-example-token-from-botfather-0123")]
    pub telegram_token: String,
}

/// A bot just created, with its API token: shown only in this answer.
#[derive(Serialize, ToSchema)]
pub struct CreatedBotDto {
    pub bot: BotDto,
    pub api_token: String,
}

/// A new API token: shown only in this answer; the old one stopped working.
#[derive(Serialize, ToSchema)]
pub struct ApiTokenDto {
    pub api_token: String,
}

/// Changes to a bot; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BotUpdateBody {
    /// 1 to 64 characters, one line.
    #[schema(schema_with = crate::schema::bot_name_opt)]
    pub name: Option<String>,
    /// Toman the wallet may go below zero (0 for none, at most 10^12).
    #[schema(schema_with = crate::schema::credit_limit_opt)]
    pub wallet_credit_limit: Option<i64>,
}

/// A new Telegram token for a bot.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TelegramTokenBody {
    #[schema(schema_with = crate::schema::telegram_token)]
    pub telegram_token: String,
}

/// Tokens and secret values never reach `Debug` output.
macro_rules! redacted_debug {
    ($($ty:ident { $($field:ident),* } hides $secret:literal;)+) => {$(
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))$(.field(stringify!($field), &self.$field))*.field($secret, &"[redacted]").finish()
            }
        }
    )+};
}

redacted_debug! {
    NewBotBody { name } hides "telegram_token";
    CreatedBotDto { bot } hides "api_token";
    ApiTokenDto {} hides "api_token";
    TelegramTokenBody {} hides "telegram_token";
    ConfigBody {} hides "value";
}

// ------------------------------------------------------------------------------------------
// Features and configuration
// ------------------------------------------------------------------------------------------

/// A feature flag of a tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureDto {
    #[schema(example = "card_to_card")]
    pub key: String,
    pub enabled: bool,
    /// Feature settings (a JSON object).
    #[schema(value_type = Object)]
    pub config: serde_json::Value,
    /// False while the tenant never set it and the default applies.
    pub explicit: bool,
}

impl From<remnabot_domain::feature::FeatureFlag> for FeatureDto {
    fn from(f: remnabot_domain::feature::FeatureFlag) -> FeatureDto {
        FeatureDto { key: f.key.as_str().to_owned(), enabled: f.enabled, config: f.config, explicit: f.explicit }
    }
}

/// Sets a feature flag.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureBody {
    pub enabled: bool,
    /// A JSON object of settings (at most 32 entries of true/false, numbers or strings of up
    /// to 1024 characters); absent keeps the current ones.
    #[schema(schema_with = crate::schema::feature_config)]
    pub config: Option<serde_json::Value>,
}

/// A configuration value of a tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigDto {
    #[schema(example = "welcome_text")]
    pub key: String,
    /// The value; `null` for a secret (which is never shown).
    #[schema(schema_with = crate::schema::any_value_opt)]
    pub value: Option<serde_json::Value>,
    /// Whether this is a secret stored encrypted (such as `panel_token`).
    pub secret: bool,
}

/// Sets a configuration value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigBody {
    /// The value: each known key has its own path in this document with its value's shape;
    /// other keys take a small value (true/false, a number, a string of up to 1024 characters,
    /// or an array or object of at most 32 of those). For `panel_token`, the secret as a
    /// string.
    #[schema(schema_with = crate::schema::any_value)]
    pub value: serde_json::Value,
}

// ------------------------------------------------------------------------------------------
// Plans and payment cards
// ------------------------------------------------------------------------------------------

/// A plan customers can buy.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDto {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub period_days: u32,
    /// 0 means unlimited.
    pub traffic_gb: u32,
    pub device_limit: u32,
    /// Toman.
    pub price: i64,
    pub sort_order: i32,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<remnabot_store::plans::Plan> for PlanDto {
    fn from(p: remnabot_store::plans::Plan) -> PlanDto {
        PlanDto {
            id: p.id.0,
            name: p.name,
            description: p.description,
            period_days: p.period_days,
            traffic_gb: p.traffic_gb,
            device_limit: p.device_limit,
            price: p.price.0,
            sort_order: p.sort_order,
            is_active: p.is_active,
            created_at: p.created_at,
        }
    }
}

/// The fields of a plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// 1 to 64 characters, one line (a button label and a line of the plan list).
    #[schema(schema_with = crate::schema::plan_name, example = "1 month, 50 GB")]
    pub name: String,
    /// Up to 1000 characters, shown under the plan's summary; blank or `null` for none.
    #[schema(schema_with = crate::schema::plan_description)]
    pub description: Option<String>,
    /// 1 to 3650.
    #[schema(schema_with = crate::schema::plan_days, example = 30)]
    pub period_days: u32,
    /// 0 means unlimited; at most 1000000.
    #[schema(schema_with = crate::schema::traffic_gb, example = 50)]
    pub traffic_gb: u32,
    /// 1 to 1000.
    #[schema(schema_with = crate::schema::devices, example = 2)]
    pub device_limit: u32,
    /// Toman, 1 to 10^12.
    #[schema(schema_with = crate::schema::amount, example = 150000)]
    pub price: i64,
    /// Place in the list, -10^6 to 10^6; default 0.
    #[serde(default)]
    #[schema(schema_with = crate::schema::sort_order)]
    pub sort_order: i32,
}

impl From<PlanBody> for remnabot_store::plans::PlanSpec {
    fn from(b: PlanBody) -> remnabot_store::plans::PlanSpec {
        remnabot_store::plans::PlanSpec {
            name: b.name,
            description: b.description,
            period_days: b.period_days,
            traffic_gb: b.traffic_gb,
            device_limit: b.device_limit,
            price: remnabot_domain::Toman(b.price),
            sort_order: b.sort_order,
        }
    }
}

/// Usage statistics of a payment card.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardStatsDto {
    /// Times the card was shown to a paying customer.
    pub usage_count: i64,
    pub success_count: i64,
    pub failure_count: i64,
    pub success_rate: f64,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_selected_at: Option<DateTime<Utc>>,
    /// Successful payments on the current (Tehran) day, and their Toman total.
    pub today_count: i64,
    pub today_amount: i64,
}

/// A payment card for card-to-card payments.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardDto {
    pub id: i64,
    /// The 16 digits customers pay to.
    pub number: String,
    pub holder_name: String,
    pub bank_name: Option<String>,
    /// Relative share under the `weighted` rotation (0 to 1000).
    pub weight: u32,
    pub is_active: bool,
    pub daily_count_cap: Option<i64>,
    /// Toman.
    pub daily_amount_cap: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub stats: CardStatsDto,
}

impl From<&remnabot_store::cards::PaymentCard> for CardStatsDto {
    fn from(c: &remnabot_store::cards::PaymentCard) -> CardStatsDto {
        CardStatsDto {
            usage_count: c.usage_count,
            success_count: c.success_count,
            failure_count: c.failure_count,
            success_rate: c.success_rate,
            last_used_at: c.last_used_at,
            last_selected_at: c.last_selected_at,
            today_count: c.today_count,
            today_amount: c.today_amount.0,
        }
    }
}

impl From<remnabot_store::cards::PaymentCard> for CardDto {
    fn from(c: remnabot_store::cards::PaymentCard) -> CardDto {
        CardDto {
            stats: CardStatsDto::from(&c),
            id: c.id.0,
            number: c.number.as_str().to_owned(),
            holder_name: c.holder_name,
            bank_name: c.bank_name,
            weight: c.weight,
            is_active: c.is_active,
            daily_count_cap: c.daily_count_cap,
            daily_amount_cap: c.daily_amount_cap.map(|t| t.0),
            created_at: c.created_at,
        }
    }
}

fn default_weight() -> u32 {
    1
}

/// The fields of a payment card.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardBody {
    /// 16 digits passing the Luhn check; spaces, dashes and Persian digits are accepted.
    #[schema(schema_with = crate::schema::card_number, example = "6037-9912-3456-7893")]
    pub number: String,
    /// 1 to 64 characters, one line.
    #[schema(schema_with = crate::schema::holder_name, example = "Ali Rezaei")]
    pub holder_name: String,
    /// Up to 64 characters, one line; blank or `null` for none.
    #[schema(schema_with = crate::schema::bank_name)]
    pub bank_name: Option<String>,
    /// 0 to 1000, default 1.
    #[serde(default = "default_weight")]
    #[schema(schema_with = crate::schema::card_weight)]
    pub weight: u32,
    /// Payments per day, 1 to 10^6; `null` for no cap.
    #[schema(schema_with = crate::schema::daily_count_cap)]
    pub daily_count_cap: Option<i64>,
    /// Toman per day, 1 to 10^12; `null` for no cap.
    #[schema(schema_with = crate::schema::amount_opt)]
    pub daily_amount_cap: Option<i64>,
}

impl From<CardBody> for remnabot_store::cards::CardSpec {
    fn from(b: CardBody) -> remnabot_store::cards::CardSpec {
        remnabot_store::cards::CardSpec {
            number: b.number,
            holder_name: b.holder_name,
            bank_name: b.bank_name,
            weight: b.weight,
            daily_count_cap: b.daily_count_cap,
            daily_amount_cap: b.daily_amount_cap.map(remnabot_domain::Toman),
        }
    }
}

/// `active_only` filter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActiveQuery {
    /// Only active rows; default false.
    pub active_only: Option<bool>,
}

// ------------------------------------------------------------------------------------------
// Customers
// ------------------------------------------------------------------------------------------

/// A customer of a tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub telegram_id: i64,
    pub username: Option<String>,
    pub first_name: Option<String>,
    #[schema(example = "fa")]
    pub language: String,
    /// Toman.
    pub balance: i64,
    pub referral_code: String,
    pub referred_by: Option<i64>,
    pub promo_group: Option<i64>,
    pub is_blocked: bool,
    pub trial_used: bool,
    pub created_at: DateTime<Utc>,
}

impl From<remnabot_store::users::User> for UserDto {
    fn from(u: remnabot_store::users::User) -> UserDto {
        UserDto {
            id: u.id.0,
            telegram_id: u.telegram_id.0,
            username: u.username,
            first_name: u.first_name,
            language: u.language.code().to_owned(),
            balance: u.balance.0,
            referral_code: u.referral_code,
            referred_by: u.referred_by.map(|r| r.0),
            promo_group: u.promo_group.map(|g| g.0),
            is_blocked: u.is_blocked,
            trial_used: u.trial_used,
            created_at: u.created_at,
        }
    }
}

/// `search` over username, first name or Telegram id.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserSearchQuery {
    /// A substring of the username or first name (any case), or a Telegram id; at most 100
    /// characters.
    #[param(schema_with = crate::schema::search)]
    pub search: Option<String>,
}

/// A change of a balance through its ledger.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustBody {
    /// Toman: positive credits, negative debits; never zero; at most 10^12 either way.
    #[schema(schema_with = crate::schema::signed_amount, example = 50000)]
    pub amount: i64,
    /// 1 to 128 characters; the same key applies once (a retried request changes nothing).
    #[schema(schema_with = crate::schema::idempotency_key, example = "refund-2024-06-01-42")]
    pub idempotency_key: String,
    /// Up to 1000 characters.
    #[schema(schema_with = crate::schema::ledger_note)]
    pub description: Option<String>,
}

/// A credit to a tenant's wallet.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditBody {
    /// Toman, 1 to 10^12.
    #[schema(schema_with = crate::schema::amount, example = 1000000)]
    pub amount: i64,
    /// 1 to 128 characters; the same key applies once.
    #[schema(schema_with = crate::schema::idempotency_key, example = "deposit-2024-06-01")]
    pub idempotency_key: String,
    /// Up to 1000 characters.
    #[schema(schema_with = crate::schema::ledger_note)]
    pub description: Option<String>,
}

/// One ledger entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerEntryDto {
    pub id: i64,
    /// Toman: positive for a credit, negative for a debit.
    pub amount: i64,
    pub balance_after: i64,
    pub kind: String,
    pub description: Option<String>,
    pub idempotency_key: String,
    pub created_at: DateTime<Utc>,
}

impl From<remnabot_store::ledger::LedgerEntry> for LedgerEntryDto {
    fn from(e: remnabot_store::ledger::LedgerEntry) -> LedgerEntryDto {
        LedgerEntryDto {
            id: e.id,
            amount: e.amount.0,
            balance_after: e.balance_after.0,
            kind: e.kind,
            description: e.description,
            idempotency_key: e.idempotency_key,
            created_at: e.created_at,
        }
    }
}

/// The outcome of a ledger posting.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostedDto {
    pub entry: LedgerEntryDto,
    /// False when the key was posted before and nothing changed now.
    pub newly_applied: bool,
}

impl From<remnabot_store::ledger::Posted> for PostedDto {
    fn from(p: remnabot_store::ledger::Posted) -> PostedDto {
        PostedDto { entry: p.entry.into(), newly_applied: p.newly_applied }
    }
}

/// A customer's subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionDto {
    pub id: i64,
    pub user_id: i64,
    pub plan_id: Option<i64>,
    #[schema(example = "active")]
    pub status: String,
    pub is_trial: bool,
    pub starts_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// 0 means unlimited.
    pub traffic_limit_bytes: i64,
    pub traffic_used_bytes: i64,
    pub device_limit: u32,
    pub subscription_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<remnabot_store::subscriptions::Subscription> for SubscriptionDto {
    fn from(s: remnabot_store::subscriptions::Subscription) -> SubscriptionDto {
        SubscriptionDto {
            id: s.id.0,
            user_id: s.user_id.0,
            plan_id: s.plan_id.map(|p| p.0),
            status: s.status.as_str().to_owned(),
            is_trial: s.is_trial,
            starts_at: s.starts_at,
            expires_at: s.expires_at,
            traffic_limit_bytes: s.traffic_limit_bytes,
            traffic_used_bytes: s.traffic_used_bytes,
            device_limit: s.device_limit,
            subscription_url: s.subscription_url,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A `status` filter, one query type per list so each names its own statuses.
macro_rules! status_query {
    ($($name:ident => $schema:path;)+) => {$(
        /// `status` filter.
        #[derive(Debug, Default, Deserialize, IntoParams)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// Only rows in this status.
            #[param(schema_with = $schema)]
            pub status: Option<String>,
        }
    )+};
}

status_query! {
    SubscriptionStatusQuery => crate::schema::subscription_status;
    TicketStatusQuery => crate::schema::ticket_status;
    CardPaymentStatusQuery => crate::schema::card_payment_status;
    StarsStatusQuery => crate::schema::stars_status;
}

/// `user_id` filter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilterQuery {
    /// Only this customer's rows.
    #[param(schema_with = crate::schema::user_id_filter)]
    pub user_id: Option<i64>,
}

/// Extends a subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendBody {
    /// 1 to 3650.
    #[schema(schema_with = crate::schema::extend_days, example = 30)]
    pub days: u32,
    /// 1 to 128 characters: makes a retried request apply once; a fresh key is made when
    /// absent.
    #[schema(schema_with = crate::schema::idempotency_key_opt)]
    pub idempotency_key: Option<String>,
}

/// An extended subscription; the change is queued for the panel.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtendedDto {
    pub subscription: SubscriptionDto,
    /// False when this idempotency key was applied before and nothing changed now.
    pub newly_applied: bool,
}

/// A money transaction of a customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionDto {
    pub id: i64,
    pub user_id: i64,
    #[schema(example = "purchase")]
    pub kind: String,
    /// Toman, positive; the kind gives the direction.
    pub amount: i64,
    pub payment_method: Option<String>,
    pub description: Option<String>,
    pub external_id: Option<String>,
    pub is_completed: bool,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl From<remnabot_store::transactions::Transaction> for TransactionDto {
    fn from(t: remnabot_store::transactions::Transaction) -> TransactionDto {
        TransactionDto {
            id: t.id.0,
            user_id: t.user_id.0,
            kind: t.kind.as_str().to_owned(),
            amount: t.amount.0,
            payment_method: t.payment_method,
            description: t.description,
            external_id: t.external_id,
            is_completed: t.is_completed,
            created_at: t.created_at,
            completed_at: t.completed_at,
        }
    }
}

// ------------------------------------------------------------------------------------------
// Card payments, tickets, promo codes
// ------------------------------------------------------------------------------------------

/// The customer's proof of a transfer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptDto {
    #[schema(example = "photo")]
    pub kind: String,
    /// The Telegram file id of a photo or document.
    pub file_id: Option<String>,
    pub text: Option<String>,
}

/// A card-to-card payment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardPaymentDto {
    pub id: i64,
    pub user_id: i64,
    pub card_id: i64,
    /// Toman.
    pub amount: i64,
    pub tracking_code: String,
    #[schema(example = "pending")]
    pub status: String,
    #[schema(example = "purchase")]
    pub purpose: String,
    pub plan_id: Option<i64>,
    pub receipt: Option<ReceiptDto>,
    pub transaction_id: Option<i64>,
    /// The Telegram id of the admin who reviewed it (null when reviewed through the API).
    pub reviewed_by: Option<i64>,
    pub reject_reason: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<remnabot_store::payments::CardPayment> for CardPaymentDto {
    fn from(p: remnabot_store::payments::CardPayment) -> CardPaymentDto {
        CardPaymentDto {
            id: p.id.0,
            user_id: p.user_id.0,
            card_id: p.card_id.0,
            amount: p.amount.0,
            tracking_code: p.tracking_code,
            status: p.status.as_str().to_owned(),
            purpose: p.purpose.as_str().to_owned(),
            plan_id: p.plan_id.map(|x| x.0),
            receipt: p.receipt.map(|r| ReceiptDto {
                kind: r.kind.as_str().to_owned(),
                file_id: r.file_id,
                text: r.text,
            }),
            transaction_id: p.transaction_id.map(|x| x.0),
            reviewed_by: p.reviewed_by.map(|x| x.0),
            reject_reason: p.reject_reason,
            expires_at: p.expires_at,
            reviewed_at: p.reviewed_at,
            created_at: p.created_at,
        }
    }
}

/// Rejects a payment.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    /// Told to the customer; at most 1000 characters.
    #[schema(schema_with = crate::schema::reject_reason)]
    pub reason: Option<String>,
}

/// A Telegram Stars payment: an invoice in Stars for an order priced in Toman.
#[derive(Debug, Serialize, ToSchema)]
pub struct StarsPaymentDto {
    pub id: i64,
    pub user_id: i64,
    /// `purchase`, `renewal` or `top_up`.
    #[schema(example = "purchase")]
    pub purpose: String,
    pub plan_id: Option<i64>,
    /// What Telegram charges, in Stars.
    pub stars: i64,
    /// The order's price, in Toman.
    pub amount: i64,
    /// `pending` (invoice sent), `expired` (not paid within an hour), `paid`, `refunding` (a
    /// refund reserved, Telegram not done yet) or `refunded`.
    #[schema(example = "paid")]
    pub status: String,
    /// Telegram's charge id, once paid (a refund names it).
    pub telegram_charge_id: Option<String>,
    /// The customer's transaction this payment completed.
    pub transaction_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
    /// For a second charge of an invoice already paid (credited to the customer's balance):
    /// the payment it paid again.
    pub duplicate_of: Option<i64>,
    /// Telegram's reason when it refused the last refund.
    pub refund_error: Option<String>,
}

impl From<remnabot_store::sales::online::StarsPayment> for StarsPaymentDto {
    fn from(p: remnabot_store::sales::online::StarsPayment) -> StarsPaymentDto {
        StarsPaymentDto {
            id: p.id.0,
            user_id: p.user_id.0,
            purpose: p.purpose.as_str().to_owned(),
            plan_id: p.plan_id.map(|x| x.0),
            stars: p.stars,
            amount: p.amount.0,
            status: p.status.as_str().to_owned(),
            telegram_charge_id: p.telegram_charge_id,
            transaction_id: p.transaction_id.map(|x| x.0),
            created_at: p.created_at,
            paid_at: p.paid_at,
            refunded_at: p.refunded_at,
            duplicate_of: p.duplicate_of.map(|x| x.0),
            refund_error: p.refund_error,
        }
    }
}

/// A support ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDto {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    #[schema(example = "open")]
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<remnabot_store::tickets::Ticket> for TicketDto {
    fn from(t: remnabot_store::tickets::Ticket) -> TicketDto {
        TicketDto {
            id: t.id.0,
            user_id: t.user_id.0,
            title: t.title,
            status: t.status.as_str().to_owned(),
            created_at: t.created_at,
            updated_at: t.updated_at,
            closed_at: t.closed_at,
        }
    }
}

/// One message of a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketMessageDto {
    pub id: i64,
    pub ticket_id: i64,
    pub from_admin: bool,
    /// The writer's Telegram id; 0 for an answer written through the API.
    pub sender_telegram_id: i64,
    pub text: Option<String>,
    pub media_file_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<remnabot_store::tickets::TicketMessage> for TicketMessageDto {
    fn from(m: remnabot_store::tickets::TicketMessage) -> TicketMessageDto {
        TicketMessageDto {
            id: m.id,
            ticket_id: m.ticket_id.0,
            from_admin: m.from_admin,
            sender_telegram_id: m.sender_telegram_id.0,
            text: m.text,
            media_file_id: m.media_file_id,
            created_at: m.created_at,
        }
    }
}

/// An answer to a customer's ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketReplyBody {
    /// 1 to 4096 characters, not only spaces. The customer gets it through the tenant's bot
    /// (quoted up to 3500 characters; the whole answer is stored).
    #[schema(schema_with = crate::schema::ticket_answer, example = "Please update the app and try the second server.")]
    pub text: String,
}

/// A ticket just answered: the ticket (now `answered`) and the stored answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketReplyDto {
    pub ticket: TicketDto,
    pub message: TicketMessageDto,
}

impl From<remnabot_store::tickets::AdminReply> for TicketReplyDto {
    fn from(r: remnabot_store::tickets::AdminReply) -> TicketReplyDto {
        TicketReplyDto { ticket: r.ticket.into(), message: r.message.into() }
    }
}

/// A promo code.
#[derive(Debug, Serialize, ToSchema)]
pub struct PromoCodeDto {
    pub id: i64,
    pub code: String,
    /// `balance` (Toman), `days` or `discount` (percent).
    #[schema(example = "discount")]
    pub kind: String,
    pub value: i64,
    /// 0 means unlimited.
    pub max_uses: u32,
    pub uses_count: u32,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<remnabot_store::promos::PromoCode> for PromoCodeDto {
    fn from(p: remnabot_store::promos::PromoCode) -> PromoCodeDto {
        PromoCodeDto {
            id: p.id.0,
            code: p.code,
            kind: p.kind.as_str().to_owned(),
            value: p.value,
            max_uses: p.max_uses,
            uses_count: p.uses_count,
            valid_from: p.valid_from,
            valid_until: p.valid_until,
            is_active: p.is_active,
            created_at: p.created_at,
        }
    }
}

/// A new promo code. Its schema is written out ([`crate::schema::promo_code_body`]): the
/// bound of `value` depends on `kind`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromoCodeBody {
    /// 3 to 64 characters of A-Z, 0-9, `_`, `-` (stored in upper case).
    pub code: String,
    /// `balance`, `days` or `discount`.
    pub kind: String,
    /// Toman for `balance`, days for `days`, percent (1 to 100) for `discount`.
    pub value: i64,
    /// 0 (the default) means unlimited.
    #[serde(default)]
    pub max_uses: u32,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}

impl utoipa::PartialSchema for PromoCodeBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::promo_code_body_placeholder().into()
    }
}

impl ToSchema for PromoCodeBody {}

// ------------------------------------------------------------------------------------------
// Wallet and statistics
// ------------------------------------------------------------------------------------------

/// Traffic totals of a tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrafficDto {
    pub consumed_bytes: i64,
    pub sold_bytes: i64,
    /// Sold minus consumed.
    pub margin_bytes: i64,
    /// Consumed as a share of sold, in percent; null when nothing was sold.
    pub utilisation_percent: Option<f64>,
}

impl From<remnabot_store::wallet::TrafficStats> for TrafficDto {
    fn from(t: remnabot_store::wallet::TrafficStats) -> TrafficDto {
        TrafficDto {
            consumed_bytes: t.consumed_bytes,
            sold_bytes: t.sold_bytes,
            margin_bytes: t.margin_bytes,
            utilisation_percent: t.utilisation_percent,
        }
    }
}

/// A tenant's wallet with the operator.
#[derive(Debug, Serialize, ToSchema)]
pub struct WalletDto {
    /// Toman.
    pub balance: i64,
    /// Toman the wallet may go below zero.
    pub credit_limit: i64,
    pub traffic: TrafficDto,
}

/// Completed money of a tenant's customers, in Toman.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevenueDto {
    pub deposits: i64,
    pub purchases: i64,
    pub renewals: i64,
    pub refunds: i64,
}

/// A tenant's dashboard figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct BotStatsDto {
    pub users: u64,
    pub subscriptions_by_status: BTreeMap<String, u64>,
    pub card_payments_by_status: BTreeMap<String, u64>,
    pub tickets_by_status: BTreeMap<String, u64>,
    pub revenue: RevenueDto,
    /// Provisioning entries not yet applied to the panel.
    pub provisioning_pending: u64,
    pub wallet: WalletDto,
}

/// Figures across every tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformStatsDto {
    pub bots: u64,
    pub active_bots: u64,
    pub users: u64,
    pub subscriptions_by_status: BTreeMap<String, u64>,
    pub card_payments_by_status: BTreeMap<String, u64>,
    pub zarinpal_payments_by_status: BTreeMap<String, u64>,
    pub provisioning_pending: u64,
    pub notifications_pending: u64,
    /// Toman, summed over every tenant's wallet.
    pub wallet_balance_total: i64,
}

impl From<remnabot_store::platform::PlatformStats> for PlatformStatsDto {
    fn from(s: remnabot_store::platform::PlatformStats) -> PlatformStatsDto {
        PlatformStatsDto {
            bots: s.bots,
            active_bots: s.active_bots,
            users: s.users,
            subscriptions_by_status: s.subscriptions_by_status,
            card_payments_by_status: s.card_payments_by_status,
            zarinpal_payments_by_status: s.zarinpal_payments_by_status,
            provisioning_pending: s.provisioning_pending,
            notifications_pending: s.notifications_pending,
            wallet_balance_total: s.wallet_balance_total.0,
        }
    }
}

// ------------------------------------------------------------------------------------------
// The admin panel's figures, audit log and changes
// ------------------------------------------------------------------------------------------

/// Sales of one method in one window.
#[derive(Debug, Serialize, ToSchema)]
pub struct MethodSalesDto {
    /// `card_to_card`, `zarinpal`, `telegram_stars`, `balance` or `free`.
    #[schema(example = "card_to_card")]
    pub method: String,
    pub count: u64,
    /// Toman.
    pub total: i64,
}

/// The figures of one window.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowDto {
    /// The window starts here (Tehran's midnight for today).
    pub since: DateTime<Utc>,
    /// Every method, zeros included.
    pub sales: Vec<MethodSalesDto>,
    pub sales_count: u64,
    /// Toman.
    pub sales_total: i64,
    pub new_customers: u64,
    /// Customers who took the free trial in the window.
    pub trials: u64,
    /// Of those, how many have paid for a plan since.
    pub trials_converted: u64,
    /// Whole percent; null without trials.
    pub conversion_percent: Option<u64>,
}

impl From<remnabot_store::dashboard::WindowFigures> for WindowDto {
    fn from(w: remnabot_store::dashboard::WindowFigures) -> WindowDto {
        let method = |m: remnabot_store::dashboard::SaleMethod| {
            serde_json::to_value(m).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
        };
        WindowDto {
            since: w.since,
            conversion_percent: w.conversion_percent(),
            sales: w
                .sales
                .iter()
                .map(|m| MethodSalesDto { method: method(m.method), count: m.count, total: m.total.0 })
                .collect(),
            sales_count: w.sales_count,
            sales_total: w.sales_total.0,
            new_customers: w.new_customers,
            trials: w.trials,
            trials_converted: w.trials_converted,
        }
    }
}

/// Subscriptions by state.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionFiguresDto {
    /// Running and not past their expiry.
    pub active: u64,
    /// Of the active ones, those ending within 3 days.
    pub expiring_soon: u64,
    pub expired: u64,
    /// Switched off by an admin.
    pub disabled: u64,
}

/// The wallet on the dashboard.
#[derive(Debug, Serialize, ToSchema)]
pub struct WalletFiguresDto {
    /// Toman.
    pub balance: i64,
    /// Toman the wallet may go below zero.
    pub credit_limit: i64,
    /// Wholesale charged over the last 7 days, Toman.
    pub charged_7_days: i64,
    /// Whole days of sales the wallet covers at the last 7 days' rate; null when nothing was
    /// charged in that time.
    pub days_covered: Option<u64>,
}

/// The figures of the admin panel's dashboard.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardDto {
    pub today: WindowDto,
    pub last_7_days: WindowDto,
    pub last_30_days: WindowDto,
    pub subscriptions: SubscriptionFiguresDto,
    /// Card-to-card receipts waiting for review.
    pub pending_receipts: u64,
    /// Tickets waiting for an answer.
    pub open_tickets: u64,
    pub wallet: WalletFiguresDto,
    pub generated_at: DateTime<Utc>,
}

impl From<remnabot_store::dashboard::DashboardFigures> for DashboardDto {
    fn from(f: remnabot_store::dashboard::DashboardFigures) -> DashboardDto {
        let s = f.subscriptions;
        DashboardDto {
            today: f.today.into(),
            last_7_days: f.last_7_days.into(),
            last_30_days: f.last_30_days.into(),
            subscriptions: SubscriptionFiguresDto {
                active: s.active,
                expiring_soon: s.expiring_soon,
                expired: s.expired,
                disabled: s.disabled,
            },
            pending_receipts: f.pending_receipts,
            open_tickets: f.open_tickets,
            wallet: WalletFiguresDto {
                balance: f.wallet.balance.0,
                credit_limit: f.wallet.credit_limit.0,
                charged_7_days: f.wallet.charged_7_days.0,
                days_covered: f.wallet.days_covered,
            },
            generated_at: f.generated_at,
        }
    }
}

/// One change in the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub id: i64,
    /// `admin` (in the bot's panel), `operator` or `tenant_api`.
    #[schema(example = "admin")]
    pub actor: String,
    /// The admin's Telegram id, for `admin`.
    pub actor_telegram_id: Option<i64>,
    /// `<thing>.<verb>`, e.g. `plan.create`, `user.balance`, `config.set`.
    #[schema(example = "plan.update")]
    pub action: String,
    /// e.g. `plan:7`, `user:12`, `config:welcome_text`.
    pub target: Option<String>,
    /// The value before (null when created).
    #[schema(schema_with = crate::schema::any_value_opt)]
    pub before: Option<serde_json::Value>,
    /// The value after (null when deleted).
    #[schema(schema_with = crate::schema::any_value_opt)]
    pub after: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl From<remnabot_store::audit::AuditEntry> for AuditEntryDto {
    fn from(e: remnabot_store::audit::AuditEntry) -> AuditEntryDto {
        let actor_telegram_id = match e.actor {
            remnabot_store::audit::Actor::Admin(id) => Some(id.0),
            _ => None,
        };
        AuditEntryDto {
            id: e.id,
            actor: e.actor.kind().to_owned(),
            actor_telegram_id,
            action: e.action,
            target: e.target,
            before: e.before,
            after: e.after,
            created_at: e.created_at,
        }
    }
}

/// Gives a customer a plan without payment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    pub user_id: i64,
    pub plan_id: i64,
    /// 1 to 128 characters: makes a retried request apply once; a fresh key is made when
    /// absent.
    #[schema(schema_with = crate::schema::idempotency_key_opt)]
    pub idempotency_key: Option<String>,
}

/// Changes a subscription: each field given is applied, and queued for the panel. At least
/// one of `traffic_limit_gb`, `device_limit` and `enabled` must be given (its schema is
/// written out, [`crate::schema::subscription_patch_body`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionPatchBody {
    /// GB; 0 means unlimited.
    pub traffic_limit_gb: Option<u32>,
    /// 1 to 1000.
    pub device_limit: Option<u32>,
    /// False disables the subscription on the panel; true enables it again.
    pub enabled: Option<bool>,
    /// Makes a retried request apply once; a fresh key is made when absent.
    pub idempotency_key: Option<String>,
}

impl utoipa::PartialSchema for SubscriptionPatchBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::subscription_patch_body_placeholder().into()
    }
}

impl ToSchema for SubscriptionPatchBody {}

/// A change that applies once per key.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyBody {
    /// 1 to 128 characters: makes a retried request apply once; a fresh key is made when
    /// absent.
    #[schema(schema_with = crate::schema::idempotency_key_opt)]
    pub idempotency_key: Option<String>,
}

/// Moves a plan one place in the display order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// `up` (earlier) or `down`.
    #[schema(schema_with = crate::schema::direction, example = "up")]
    pub direction: String,
}

/// A message to a customer, sent by the tenant's bot.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    /// 1 to 4096 characters, not only spaces.
    #[schema(schema_with = crate::schema::customer_message, example = "Your server moved; update your link.")]
    pub text: String,
    /// 1 to 128 characters: makes a retried request send once; a fresh key is made when
    /// absent.
    #[schema(schema_with = crate::schema::idempotency_key_opt)]
    pub idempotency_key: Option<String>,
}

/// Whether a message was queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedDto {
    /// False when this key was queued before and nothing was queued now.
    pub queued: bool,
}

/// A promo group: customers in it get the discount on every plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PromoGroupDto {
    pub id: i64,
    pub name: String,
    /// 0 to 100.
    pub discount_percent: u32,
    pub created_at: DateTime<Utc>,
}

impl From<remnabot_store::promos::PromoGroup> for PromoGroupDto {
    fn from(g: remnabot_store::promos::PromoGroup) -> PromoGroupDto {
        PromoGroupDto { id: g.id.0, name: g.name, discount_percent: g.discount_percent, created_at: g.created_at }
    }
}

/// A promo group's fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromoGroupBody {
    /// 1 to 64 characters, one line, unique within the tenant.
    #[schema(schema_with = crate::schema::promo_group_name, example = "Friends")]
    pub name: String,
    /// 0 to 100.
    #[schema(schema_with = crate::schema::percent, example = 10)]
    pub discount_percent: u32,
}

/// Puts a customer in a promo group, or takes them out with null.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserGroupBody {
    pub promo_group_id: Option<i64>,
}

/// The answer of `/health` and `/ready`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusDto {
    #[schema(example = "ok")]
    pub status: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_reach_debug_output() {
        let body = NewBotBody { name: "Alpha".to_owned(), telegram_token: "123:SECRET-TOKEN".to_owned() };
        let printed = format!("{body:?}");
        assert!(printed.contains("Alpha") && !printed.contains("SECRET"), "{printed}");
        let printed = format!("{:?}", ApiTokenDto { api_token: "rbt_SECRET".to_owned() });
        assert!(!printed.contains("SECRET"), "{printed}");
    }
}
