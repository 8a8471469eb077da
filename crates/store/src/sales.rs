//! Sales: pricing an order, starting a card-to-card payment, and completing a paid order.
//!
//! An order is priced inside the write transaction that records it, and a discount code
//! pricing it is reserved there by the order ([`discount`]): the code prices no other order
//! until this one expires, is rejected or fails.
//!
//! Every path that turns a payment into value (an admin approving a card-to-card receipt in
//! the bot or through the API, paying from the balance, and the online gateways) ends in
//! [`Sales`], and completes in one write transaction, exactly once:
//!
//! 1. the payment leaves `pending` in one conditional update, so of any number of concurrent
//!    approvals exactly one goes on (the others see the new status and get a conflict);
//! 2. the customer's transaction is recorded;
//! 3. a purchase or renewal creates or extends the subscription and queues provisioning
//!    (key `card:<payment id>`), a top-up credits the balance through the ledger;
//! 4. the tenant's wallet is debited the wholesale cost of the traffic sold;
//! 5. the card's success is recorded, the inviter's referral reward is credited, the
//!    discount code the order reserved is spent (when another order has it by now, the
//!    order is not delivered at the discount: the money goes to the balance instead), and
//!    the customer's message is queued;
//! 6. every admin's copy of the receipt (`review_messages`) gets an edit queued that adds
//!    the outcome, so all copies show it whoever or whatever decided (also on rejection and
//!    expiry).
//!
//! A crash anywhere before the commit leaves nothing behind; a retry starts from step 1.

use chrono::{DateTime, Utc};
use remnabot_domain::config::Language;
use remnabot_domain::limits;
use remnabot_domain::notify::CallbackButton;
use remnabot_domain::{Error, PaymentId, PlanId, Result, Tenant, TgUserId, Toman, TransactionId, UserId};
use sea_orm::ActiveModelTrait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::cards::{PaymentCard, next_card_in, record_usage_in};
use crate::db::unavailable;
use crate::entity::bot_plan;
use crate::entity::{bot, card_to_card_payment as card_pay, promo_group, referral_earning, transaction, user};
use crate::ledger::{Floor, Posting, post_balance_in, post_wallet_in};
use crate::outbox::{NewNotification, Order, Provisioned, enqueue_in};
use crate::payments::{
    CardPayment, NewCardPayment, PaymentPurpose, PaymentStatus, Receipt, create_card_payment_in, queue_review_edits_in,
    to_card_payment,
};
use crate::plans::{Plan, to_plan};
use crate::transactions::{NewTransaction, Transaction, TransactionKind, insert_in};
use crate::users::{User, to_user};
use crate::{Store, scope};

pub(crate) mod discount;
pub mod online;

use discount::CodeDiscount;

/// The smallest top-up, in Toman.
pub const MIN_TOP_UP: Toman = Toman(1_000);
/// The largest top-up, in Toman.
pub const MAX_TOP_UP: Toman = Toman(100_000_000);

/// Who reviewed a card-to-card payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reviewer {
    /// A tenant admin, by Telegram id, from the bot.
    Admin(TgUserId),
    /// A caller of the HTTP API (operator or tenant token).
    Api,
}

impl Reviewer {
    fn telegram_id(self) -> Option<i64> {
        match self {
            Reviewer::Admin(id) => Some(id.0),
            Reviewer::Api => None,
        }
    }
}

/// How a sale was paid, as recorded on the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayMethod {
    CardToCard,
    Balance,
    Zarinpal,
    TelegramStars,
}

impl PayMethod {
    /// The name stored in `transactions.payment_method`.
    pub fn as_str(self) -> &'static str {
        match self {
            PayMethod::CardToCard => "card_to_card",
            PayMethod::Balance => "balance",
            PayMethod::Zarinpal => "zarinpal",
            PayMethod::TelegramStars => "telegram_stars",
        }
    }

    /// Whether the money comes from outside (and so earns the inviter a referral reward);
    /// spending the balance does not, as its top-up already did.
    fn brings_money_in(self) -> bool {
        self != PayMethod::Balance
    }
}

/// The messages the sales service queues in the same transaction as the change they
/// announce: the customer's, and the outcome added to the admins' copies of the receipt.
/// The bot implements this with its localized texts.
pub trait SaleTexts: Send + Sync {
    /// After approval; `balance_after` is set for a top-up.
    fn card_approved(&self, lang: Language, payment: &CardPayment, balance_after: Option<Toman>) -> String;
    /// After rejection (`payment.reject_reason` may carry the admin's reason).
    fn card_rejected(&self, lang: Language, payment: &CardPayment) -> String;
    /// When the payment expired without a receipt or a review.
    fn card_expired(&self, lang: Language, payment: &CardPayment) -> String;

    /// After approval of an order whose discount code is no longer its own (see
    /// [`Fulfilment::credited_instead`]): the amount went to the balance, now `balance_after`.
    /// The default is plain English, for callers without translations.
    fn card_credited_instead(&self, lang: Language, payment: &CardPayment, balance_after: Toman) -> String {
        let _ = lang;
        format!(
            "Payment {} of {} Toman is confirmed, but the discount code it was priced with is no longer available: \
             the amount was added to your balance (now {} Toman).",
            payment.tracking_code, payment.amount.0, balance_after.0
        )
    }

    /// The line added under an admin's copy of the receipt once the review is over: approved
    /// or rejected (with the reason) by whom and when, or expired. Empty while pending. The
    /// default is plain English, for callers without translations.
    fn review_outcome(&self, lang: Language, payment: &CardPayment) -> String {
        let _ = lang;
        let by = payment.reviewed_by.map_or_else(|| "API".to_owned(), |id| id.to_string());
        let at = payment.reviewed_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default();
        match (payment.status, payment.reject_reason.as_deref()) {
            (PaymentStatus::Pending, _) => String::new(),
            (PaymentStatus::Approved, _) => format!("Approved by {by} on {at}"),
            (PaymentStatus::Rejected, Some(reason)) => format!("Rejected by {by} on {at}: {reason}"),
            (PaymentStatus::Rejected, None) => format!("Rejected by {by} on {at}"),
            (PaymentStatus::Expired, _) => "Not reviewed in time: the payment expired.".to_owned(),
        }
    }

    /// The one button left under a reviewed copy of the receipt (the bot keeps Details);
    /// `None`, the default, removes every button.
    fn review_button(&self, lang: Language, payment: &CardPayment) -> Option<CallbackButton> {
        let _ = (lang, payment);
        None
    }
}

/// The price of a plan for one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub plan: Plan,
    pub list_price: Toman,
    /// The larger of the customer's promo group discount and an unspent promo-code discount.
    pub discount_percent: u8,
    /// What the customer pays, rounded down to whole Toman.
    pub price: Toman,
    /// What the tenant's wallet is charged: traffic GB × `wholesale_price_per_gb`.
    pub wholesale_cost: Toman,
}

/// A completed order.
#[derive(Debug, Clone, PartialEq)]
pub struct Fulfilment {
    /// The customer's transaction (completed).
    pub transaction: Transaction,
    /// For a purchase or renewal: the subscription and its queued provisioning.
    pub provisioned: Option<Provisioned>,
    /// For a top-up or a balance payment: the balance afterwards.
    pub balance_after: Option<Toman>,
    /// False when this order had been completed before and nothing changed now.
    pub newly_applied: bool,
    /// The order was priced with a discount code it no longer holds (another order took the
    /// code after this one expired or failed, or the code was deleted): it was not
    /// delivered, and the money paid was credited to the balance instead (`balance_after`).
    pub credited_instead: bool,
}

/// An approved card-to-card payment and what it completed.
#[derive(Debug, Clone, PartialEq)]
pub struct CardApproval {
    pub payment: CardPayment,
    pub fulfilment: Fulfilment,
}

/// The sales service of a store.
#[derive(Debug, Clone, Copy)]
pub struct Sales<'a> {
    store: &'a Store,
}

impl Store {
    /// Pricing, card-to-card payments and completing paid orders.
    pub fn sales(&self) -> Sales<'_> {
        Sales { store: self }
    }
}

/// The tenant settings a completion reads, fetched before its transaction opens (the
/// transaction must not wait for a second pooled connection while it holds the writer lock).
#[derive(Debug, Clone, Copy)]
struct SaleSettings {
    price_per_gb: Toman,
    referral_percent: u8,
    reset_on_renewal: bool,
}

/// What a paid order is, for [`Sales::fulfil_in`].
struct PaidOrder<'a> {
    user: &'a User,
    purpose: PaymentPurpose,
    plan: Option<PlanId>,
    amount: Toman,
    method: PayMethod,
    /// The provider's reference (a tracking code, an authority, a charge id).
    external_id: Option<String>,
    /// Unique per tenant; derives every other key of the order. A discount code it reserved
    /// is reserved under this key.
    key: String,
    /// The discount-code use that priced the order (`promocode_uses.id`), spent by it.
    discount_use: Option<i64>,
}

/// `amount × (100 − percent) / 100`, rounded down.
fn discounted(amount: Toman, percent: u8) -> Result<Toman> {
    let keep = i64::from(100 - Ord::min(percent, 100));
    Ok(Toman(amount.checked_mul(keep)?.0 / 100))
}

/// The wholesale cost of `plan`: its traffic times the tenant's price per GB (unlimited
/// traffic has no per-GB cost).
fn wholesale_cost(plan: &Plan, price_per_gb: Toman) -> Result<Toman> {
    price_per_gb.checked_mul(i64::from(plan.traffic_gb))
}

/// A quote and the discount-code use that priced it, if one did.
struct Priced {
    quote: Quote,
    code: Option<CodeDiscount>,
}

/// Prices `plan` for `user` through `c` (the caller's write transaction when the order is
/// recorded, with `lock` so the code use it picks is locked until then): the larger of the
/// customer's promo-group discount and their best free discount code, which prices the order
/// only when it is the larger. Refuses a plan not on sale and a sale the tenant's wallet
/// cannot cover.
async fn price_in(
    c: &impl ConnectionTrait,
    tenant: &Tenant,
    user: UserId,
    plan: PlanId,
    price_per_gb: Toman,
    lock: bool,
) -> Result<Priced> {
    let plan = to_plan(scope::get::<bot_plan::Entity, _>(c, tenant, plan.0).await?);
    if !plan.is_active {
        return Err(Error::not_found("plan"));
    }
    let customer = to_user(scope::get::<user::Entity, _>(c, tenant, user.0).await?);
    let group = match customer.promo_group {
        Some(g) => scope::get::<promo_group::Entity, _>(c, tenant, g.0).await?.discount_percent,
        None => 0,
    };
    let group = u8::try_from(group.clamp(0, 100)).unwrap_or(0);
    let code = discount::free_code(c, tenant, user, lock).await?.filter(|code| code.percent > group);
    let discount_percent = code.map_or(group, |code| code.percent);
    let price = discounted(plan.price, discount_percent)?;
    let wholesale_cost = wholesale_cost(&plan, price_per_gb)?;
    if wholesale_cost > Toman::ZERO {
        let row = bot::Entity::find_by_id(tenant.bot_id().0)
            .one(c)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| Error::not_found("bot"))?;
        let available = Toman(row.wallet_balance).checked_add(Toman(row.wallet_credit_limit))?;
        if available < wholesale_cost {
            return Err(Error::TenantWalletShort { available, needed: wholesale_cost });
        }
    }
    Ok(Priced { quote: Quote { list_price: plan.price, plan, discount_percent, price, wholesale_cost }, code })
}

/// What an order is for, checked: a purchase or renewal of a plan, or a top-up within the
/// limits.
#[derive(Debug, Clone, Copy)]
pub(crate) enum OrderOf {
    Plan(PlanId),
    TopUp(Toman),
}

impl OrderOf {
    pub(crate) fn check(purpose: PaymentPurpose, plan: Option<PlanId>, top_up: Option<Toman>) -> Result<OrderOf> {
        match (purpose, plan, top_up) {
            (PaymentPurpose::TopUp, None, Some(amount)) => {
                if amount < MIN_TOP_UP || amount > MAX_TOP_UP {
                    return Err(Error::invalid(
                        "top_up",
                        format!("must be between {} and {} Toman", MIN_TOP_UP.0, MAX_TOP_UP.0),
                    ));
                }
                Ok(OrderOf::TopUp(amount))
            }
            (PaymentPurpose::TopUp, _, _) => Err(Error::invalid("top_up", "a top-up needs an amount and no plan")),
            (_, Some(plan), None) => Ok(OrderOf::Plan(plan)),
            (_, _, _) => Err(Error::invalid("plan", "a purchase or renewal needs a plan and no top-up amount")),
        }
    }
}

/// The amount of an order to be paid with money, and the discount-code use pricing it,
/// inside the write transaction that records the order (discount codes never apply to
/// top-ups). A free order cannot be paid this way.
pub(crate) async fn order_amount_in(
    tx: &DatabaseTransaction,
    tenant: &Tenant,
    user: UserId,
    order: OrderOf,
    price_per_gb: Toman,
) -> Result<(Toman, Option<CodeDiscount>)> {
    let (amount, code) = match order {
        OrderOf::TopUp(amount) => (amount, None),
        OrderOf::Plan(plan) => {
            let priced = price_in(tx, tenant, user, plan, price_per_gb, true).await?;
            (priced.quote.price, priced.code)
        }
    };
    if amount <= Toman::ZERO {
        return Err(Error::invalid("plan", "this plan is free: it cannot be paid with money"));
    }
    Ok((amount, code))
}

/// Reserves `code` for the order `key` just recorded (see [`discount`]).
pub(crate) async fn reserve_code_in(
    tx: &DatabaseTransaction,
    tenant: &Tenant,
    code: Option<CodeDiscount>,
    key: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(code) = code
        && !discount::reserve_in(tx, tenant, code.use_id, key, now).await?
    {
        // Cannot happen under the lock `order_amount_in` took; refuse rather than discount twice.
        return Err(Error::Conflict("the discount code changed at the same time; try again".to_owned()));
    }
    Ok(())
}

impl Sales<'_> {
    async fn settings(&self, tenant: &Tenant) -> Result<SaleSettings> {
        let configs = self.store.configs();
        let referral_on = self.store.flags().is_enabled(tenant, remnabot_domain::feature::FeatureKey::Referral).await?;
        Ok(SaleSettings {
            price_per_gb: configs.wholesale_price_per_gb(tenant).await?,
            referral_percent: if referral_on { configs.referral_percent(tenant).await? } else { 0 },
            reset_on_renewal: configs.reset_devices_on_renewal(tenant).await?,
        })
    }

    /// The price of `plan` for `user`, refused before any payment when the plan is not on
    /// sale or the tenant's wallet cannot cover the wholesale cost. A discount code counts only
    /// while no other order of the customer holds it (see [`discount`]).
    ///
    /// # Errors
    /// [`Error::NotFound`] (`plan` inactive or another tenant's, `user`);
    /// [`Error::TenantWalletShort`]; [`Error::Unavailable`].
    pub async fn quote(&self, tenant: &Tenant, user: UserId, plan: PlanId) -> Result<Quote> {
        let price_per_gb = self.store.configs().wholesale_price_per_gb(tenant).await?;
        Ok(price_in(&self.store.db, tenant, user, plan, price_per_gb, false).await?.quote)
    }

    /// Starts a card-to-card payment: the order, recorded before the customer pays. A
    /// purchase or renewal needs `plan` (the amount is its [`Sales::quote`]); a top-up needs
    /// `top_up` ([`MIN_TOP_UP`] to [`MAX_TOP_UP`]). The card is chosen by the tenant's
    /// rotation strategy; the customer has `card_payment_minutes` to send the receipt.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`plan`, `top_up`); [`Error::NotFound`];
    /// [`Error::TenantWalletShort`]; [`Error::NoActiveCard`]; [`Error::Unavailable`].
    pub async fn start_card_payment(
        &self,
        tenant: &Tenant,
        user: UserId,
        purpose: PaymentPurpose,
        plan: Option<PlanId>,
        top_up: Option<Toman>,
        now: DateTime<Utc>,
    ) -> Result<(CardPayment, PaymentCard)> {
        let order = OrderOf::check(purpose, plan, top_up)?;
        // Settings first: the write transaction must not wait for a second connection.
        let price_per_gb = self.store.configs().wholesale_price_per_gb(tenant).await?;
        let strategy = self.store.configs().card_rotation_strategy(tenant).await?;
        let window = self.store.configs().card_payment_window(tenant).await?;
        let tx = self.store.write_tx().await?;
        let res = async {
            let (amount, code) = order_amount_in(&tx, tenant, user, order, price_per_gb).await?;
            let card = next_card_in(&tx, tenant, strategy, amount, now).await?;
            let new =
                NewCardPayment { user, card: card.id, amount, purpose, plan, expires_at: limits::later(now, window) };
            let payment = create_card_payment_in(&tx, tenant, new, code.map(|c| c.use_id)).await?;
            reserve_code_in(&tx, tenant, code, &format!("card:{}", payment.id), now).await?;
            Ok((payment, card))
        }
        .await;
        finish(tx, res).await
    }

    /// The customer's newest pending payment still waiting for its receipt.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn awaiting_receipt(
        &self,
        tenant: &Tenant,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<CardPayment>> {
        scope::select_by_key::<card_pay::Entity>(tenant)
            .filter(card_pay::Column::UserId.eq(user.0))
            .filter(card_pay::Column::Status.eq(PaymentStatus::Pending.as_str()))
            .filter(card_pay::Column::ReceiptKind.is_null())
            .filter(card_pay::Column::ExpiresAt.gt(now))
            .order_by_desc(card_pay::Column::Id)
            .one(&self.store.db)
            .await
            .map_err(unavailable)?
            .map(to_card_payment)
            .transpose()
    }

    /// Attaches the receipt to the customer's own pending payment, once, and gives the
    /// admins `receipt_review_hours` to review it.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a malformed receipt; [`Error::NotFound`] when the payment is
    /// not this customer's; [`Error::Conflict`] when a receipt is already attached or the
    /// payment is no longer pending; [`Error::Unavailable`].
    pub async fn submit_receipt(
        &self,
        tenant: &Tenant,
        user: UserId,
        payment: PaymentId,
        receipt: Receipt,
        now: DateTime<Utc>,
    ) -> Result<CardPayment> {
        let current = self.store.card_payments().get(tenant, payment).await?;
        if current.user_id != user {
            return Err(Error::not_found("card-to-card payment"));
        }
        let review = self.store.configs().receipt_review_window(tenant).await?;
        self.store.card_payments().attach_receipt_until(tenant, payment, receipt, now, limits::later(now, review)).await
    }

    /// Approves a card-to-card payment and completes its order, exactly once (see the
    /// module documentation for what that includes).
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Conflict`] when the payment was already approved,
    /// rejected or expired; [`Error::Unavailable`].
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id(), payment_id = %id))]
    pub async fn approve_card_payment(
        &self,
        tenant: &Tenant,
        id: PaymentId,
        reviewer: Reviewer,
        texts: &dyn SaleTexts,
        now: DateTime<Utc>,
    ) -> Result<CardApproval> {
        let settings = self.settings(tenant).await?;
        let tx = self.store.write_tx().await?;
        let res = self.approve_in(&tx, tenant, id, reviewer, texts, settings, now).await;
        match finish(tx, res).await? {
            Some(approval) => Ok(approval),
            None => Err(self.store.card_payments().conflict(tenant, id, now).await),
        }
    }

    /// `Ok(None)` when the payment was not pending (the caller explains why).
    #[allow(clippy::too_many_arguments)]
    async fn approve_in(
        &self,
        tx: &DatabaseTransaction,
        tenant: &Tenant,
        id: PaymentId,
        reviewer: Reviewer,
        texts: &dyn SaleTexts,
        settings: SaleSettings,
        now: DateTime<Utc>,
    ) -> Result<Option<CardApproval>> {
        let won = review(tx, tenant, id, PaymentStatus::Approved, reviewer, None, now).await?;
        if !won {
            return Ok(None);
        }
        let payment = to_card_payment(scope::get::<card_pay::Entity, _>(tx, tenant, id.0).await?)?;
        let customer = to_user(scope::get::<user::Entity, _>(tx, tenant, payment.user_id.0).await?);
        let order = PaidOrder {
            user: &customer,
            purpose: payment.purpose,
            plan: payment.plan_id,
            amount: payment.amount,
            method: PayMethod::CardToCard,
            external_id: Some(payment.tracking_code.clone()),
            key: format!("card:{}", payment.id),
            discount_use: payment.promocode_use_id,
        };
        let fulfilment = self.fulfil_in(tx, tenant, &order, settings, now).await?;
        scope::update::<card_pay::Entity>(tenant)
            .col_expr(card_pay::Column::TransactionId, Expr::value(Some(fulfilment.transaction.id.0)))
            .filter(card_pay::Column::Id.eq(id.0))
            .exec(tx)
            .await
            .map_err(unavailable)?;
        record_usage_in(tx, tenant, payment.card_id, true, payment.amount, now).await?;
        let payment = CardPayment { transaction_id: Some(fulfilment.transaction.id), ..payment };
        let text = match (fulfilment.credited_instead, fulfilment.balance_after) {
            (true, Some(balance)) => texts.card_credited_instead(customer.language, &payment, balance),
            _ => texts.card_approved(customer.language, &payment, fulfilment.balance_after),
        };
        notify_in(tx, tenant, &customer, text, format!("card-approved:{}", payment.id), now).await?;
        queue_review_edits_in(tx, tenant, &payment, texts, now).await?;
        Ok(Some(CardApproval { payment, fulfilment }))
    }

    /// Rejects a card-to-card payment, exactly once, tells the customer and queues the
    /// outcome on every admin's copy of the receipt.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`reason` over 1000 characters); [`Error::NotFound`];
    /// [`Error::Conflict`] when it was already reviewed or expired; [`Error::Unavailable`].
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id(), payment_id = %id))]
    pub async fn reject_card_payment(
        &self,
        tenant: &Tenant,
        id: PaymentId,
        reviewer: Reviewer,
        reason: Option<String>,
        texts: &dyn SaleTexts,
        now: DateTime<Utc>,
    ) -> Result<CardPayment> {
        let reason = remnabot_domain::text::RejectReason::parse_opt(reason.as_deref())?.map(String::from);
        let tx = self.store.write_tx().await?;
        let res = async {
            if !review(&tx, tenant, id, PaymentStatus::Rejected, reviewer, reason, now).await? {
                return Ok(None);
            }
            let payment = to_card_payment(scope::get::<card_pay::Entity, _>(&tx, tenant, id.0).await?)?;
            discount::release_in(&tx, tenant, &format!("card:{}", payment.id)).await?;
            let customer = to_user(scope::get::<user::Entity, _>(&tx, tenant, payment.user_id.0).await?);
            let text = texts.card_rejected(customer.language, &payment);
            notify_in(&tx, tenant, &customer, text, format!("card-rejected:{}", payment.id), now).await?;
            queue_review_edits_in(&tx, tenant, &payment, texts, now).await?;
            Ok(Some(payment))
        }
        .await;
        match finish(tx, res).await? {
            Some(payment) => Ok(payment),
            None => Err(self.store.card_payments().conflict(tenant, id, now).await),
        }
    }

    /// Pays a purchase or renewal of `plan` from the customer's balance at the quoted price,
    /// exactly once per `idempotency_key` (a repeat returns the first result).
    ///
    /// # Errors
    /// [`Error::InsufficientBalance`]; [`Error::TenantWalletShort`]; [`Error::NotFound`];
    /// [`Error::Invalid`] (`purpose` top-up, bad key); [`Error::Unavailable`].
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id(), user_id = %user))]
    pub async fn pay_from_balance(
        &self,
        tenant: &Tenant,
        user: UserId,
        purpose: PaymentPurpose,
        plan: PlanId,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Fulfilment> {
        if purpose == PaymentPurpose::TopUp {
            return Err(Error::invalid("purpose", "a top-up cannot be paid from the balance"));
        }
        let key = format!("balance:{idempotency_key}");
        if let Some(done) = self.completed(tenant, &key).await? {
            return Ok(done);
        }
        let settings = self.settings(tenant).await?;
        let tx = self.store.write_tx().await?;
        let res = async {
            // Priced inside the transaction, the discount code locked: of concurrent payments
            // exactly one is priced with it, and spends it below.
            let priced = price_in(&tx, tenant, user, plan, settings.price_per_gb, true).await?;
            let quote = priced.quote;
            let customer = to_user(scope::get::<user::Entity, _>(&tx, tenant, user.0).await?);
            let mut balance_after = None;
            if quote.price > Toman::ZERO {
                let posting = Posting::debit(quote.price, "purchase", &key)?.described(quote.plan.name.clone());
                balance_after = Some(post_balance_in(&tx, tenant, user, &posting).await?.entry.balance_after);
            }
            let order = PaidOrder {
                user: &customer,
                purpose,
                plan: Some(plan),
                amount: quote.price,
                method: PayMethod::Balance,
                external_id: None,
                key: key.clone(),
                discount_use: priced.code.map(|c| c.use_id),
            };
            let mut done = self.fulfil_in(&tx, tenant, &order, settings, now).await?;
            done.balance_after = balance_after.or(Some(customer.balance));
            Ok(done)
        }
        .await;
        finish(tx, res).await
    }

    /// An order completed earlier under `key`, replayed.
    async fn completed(&self, tenant: &Tenant, key: &str) -> Result<Option<Fulfilment>> {
        let Some(t) = scope::select::<transaction::Entity>(tenant)
            .filter(transaction::Column::ExternalId.eq(key))
            .filter(transaction::Column::PaymentMethod.eq(PayMethod::Balance.as_str()))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?
        else {
            return Ok(None);
        };
        let transaction = self.store.transactions().get(tenant, TransactionId(t.id)).await?;
        let provisioned = self.store.provisioning().by_key(tenant, key).await?;
        let balance_after = Some(self.store.users().get(tenant, transaction.user_id).await?.balance);
        Ok(Some(Fulfilment { transaction, provisioned, balance_after, newly_applied: false, credited_instead: false }))
    }

    /// Marks every pending payment past its deadline as expired and queues each customer's
    /// message and the edits of the admins' copies of its receipt, in one transaction. A payment expires once, and never after a review won.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn expire_card_payments(
        &self,
        tenant: &Tenant,
        texts: &dyn SaleTexts,
        now: DateTime<Utc>,
    ) -> Result<Vec<CardPayment>> {
        // Cheap check first: most minutes of most tenants have nothing due.
        let due = scope::select::<card_pay::Entity>(tenant)
            .filter(card_pay::Column::Status.eq(PaymentStatus::Pending.as_str()))
            .filter(card_pay::Column::ExpiresAt.lte(now))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let tx = self.store.write_tx().await?;
        let res = async {
            let expired = crate::payments::expire_due_in(&tx, tenant, now).await?;
            for payment in &expired {
                let customer = to_user(scope::get::<user::Entity, _>(&tx, tenant, payment.user_id.0).await?);
                let text = texts.card_expired(customer.language, payment);
                notify_in(&tx, tenant, &customer, text, format!("card-expired:{}", payment.id), now).await?;
                queue_review_edits_in(&tx, tenant, payment, texts, now).await?;
            }
            Ok(expired)
        }
        .await;
        finish(tx, res).await
    }

    /// Completes a paid order inside the caller's write transaction: steps 2 to 5 of the
    /// module documentation, except the card and the customer's message.
    async fn fulfil_in(
        &self,
        tx: &DatabaseTransaction,
        tenant: &Tenant,
        order: &PaidOrder<'_>,
        settings: SaleSettings,
        now: DateTime<Utc>,
    ) -> Result<Fulfilment> {
        let kind = match order.purpose {
            PaymentPurpose::Purchase => TransactionKind::Purchase,
            PaymentPurpose::Renewal => TransactionKind::Renewal,
            PaymentPurpose::TopUp => TransactionKind::Deposit,
        };
        if let Some(use_id) = order.discount_use
            && order.purpose != PaymentPurpose::TopUp
            && !discount::spend_in(tx, tenant, use_id, &order.key, now).await?
        {
            if order.method == PayMethod::Balance {
                // Priced in this very transaction, the code locked: it cannot be gone.
                return Err(Error::Conflict("the discount code changed at the same time; try again".to_owned()));
            }
            return self.credit_instead_in(tx, tenant, order, settings, now).await;
        }
        let external_id = order.external_id.clone().or_else(|| Some(order.key.clone()));
        // Only a purchase or renewal discounted to nothing may be free (paid "from the
        // balance" at zero); money that comes in is always positive.
        let free_allowed = order.purpose != PaymentPurpose::TopUp && order.method == PayMethod::Balance;
        let transaction = if order.amount > Toman::ZERO || (order.amount == Toman::ZERO && free_allowed) {
            insert_in(
                tx,
                tenant,
                NewTransaction {
                    user: order.user.id,
                    kind,
                    amount: order.amount,
                    payment_method: Some(order.method.as_str().to_owned()),
                    description: None,
                    external_id,
                    completed: true,
                    plan: order.plan,
                },
            )
            .await?
        } else {
            return Err(Error::invalid("amount", "a paid order must have a positive amount"));
        };
        let mut provisioned = None;
        let mut balance_after = None;
        match (order.purpose, order.plan) {
            (PaymentPurpose::TopUp, _) => {
                let posting = Posting::credit(order.amount, "deposit", &order.key)?;
                balance_after = Some(post_balance_in(tx, tenant, order.user.id, &posting).await?.entry.balance_after);
            }
            (_, Some(plan_id)) => {
                let plan = to_plan(scope::get::<bot_plan::Entity, _>(tx, tenant, plan_id.0).await?);
                let p = self
                    .store
                    .provisioning()
                    .purchase_in(
                        tx,
                        tenant,
                        &Order { user: order.user.id, plan: plan_id, idempotency_key: order.key.clone() },
                        settings.reset_on_renewal,
                        now,
                    )
                    .await?;
                let cost = wholesale_cost(&plan, settings.price_per_gb)?;
                if cost > Toman::ZERO {
                    // Checked before payment (`quote`); once the customer has paid, the
                    // charge is recorded even if the wallet went short in between.
                    let posting = Posting::debit(cost, "wholesale", &format!("wholesale:{}", order.key))?
                        .described(format!("{} GB: {}", plan.traffic_gb, plan.name));
                    post_wallet_in(tx, tenant, &posting, Floor::Overdraw).await?;
                }
                let sold = i64::from(plan.traffic_gb).checked_mul(1 << 30).unwrap_or(i64::MAX);
                bot::Entity::update_many()
                    .col_expr(bot::Column::TrafficSoldBytes, Expr::col(bot::Column::TrafficSoldBytes).add(sold))
                    .filter(bot::Column::Id.eq(tenant.bot_id().0))
                    .filter(Expr::col(bot::Column::TrafficSoldBytes).lte(i64::MAX - sold))
                    .exec(tx)
                    .await
                    .map_err(unavailable)?;
                provisioned = Some(p);
            }
            (_, None) => return Err(Error::invalid("plan", "is required for a purchase or renewal")),
        }
        if order.method.brings_money_in() {
            reward_referrer(tx, tenant, order.user, &transaction, settings.referral_percent).await?;
        }
        Ok(Fulfilment { transaction, provisioned, balance_after, newly_applied: true, credited_instead: false })
    }

    /// Completes a paid order whose discount code is gone (see [`discount`]): the order is
    /// not delivered at its discounted price; the money paid is credited to the customer's
    /// balance (a `deposit` under the order's key), as a top-up would be.
    async fn credit_instead_in(
        &self,
        tx: &DatabaseTransaction,
        tenant: &Tenant,
        order: &PaidOrder<'_>,
        settings: SaleSettings,
        now: DateTime<Utc>,
    ) -> Result<Fulfilment> {
        tracing::warn!(bot_id = %tenant.bot_id(), key = %order.key, "a paid order's discount code is gone: credited to the balance");
        let credit = PaidOrder {
            user: order.user,
            purpose: PaymentPurpose::TopUp,
            plan: None,
            amount: order.amount,
            method: order.method,
            external_id: order.external_id.clone(),
            key: order.key.clone(),
            discount_use: None,
        };
        let mut done = Box::pin(self.fulfil_in(tx, tenant, &credit, settings, now)).await?;
        done.credited_instead = true;
        Ok(done)
    }
}

/// Credits the inviter `percent` of the payment, once per payment.
async fn reward_referrer(
    tx: &DatabaseTransaction,
    tenant: &Tenant,
    customer: &User,
    paid: &Transaction,
    percent: u8,
) -> Result<()> {
    let Some(referrer) = customer.referred_by else { return Ok(()) };
    let reward = Toman(paid.amount.checked_mul(i64::from(percent))?.0 / 100);
    if reward <= Toman::ZERO {
        return Ok(());
    }
    let posting = Posting::credit(reward, "referral_reward", &format!("referral:{}", paid.id))?;
    post_balance_in(tx, tenant, referrer, &posting).await?;
    referral_earning::ActiveModel {
        bot_id: Set(tenant.bot_id().0),
        created_at: Set(paid.created_at),
        referrer_id: Set(referrer.0),
        referred_id: Set(customer.id.0),
        amount: Set(reward.0),
        source_transaction_id: Set(Some(paid.id.0)),
        ..Default::default()
    }
    .insert(tx)
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// Moves a pending payment to `status`; false when it was not pending any more.
async fn review(
    tx: &DatabaseTransaction,
    tenant: &Tenant,
    id: PaymentId,
    status: PaymentStatus,
    reviewer: Reviewer,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut q = scope::update::<card_pay::Entity>(tenant)
        .col_expr(card_pay::Column::Status, Expr::value(status.as_str()))
        .col_expr(card_pay::Column::ReviewedBy, Expr::value(reviewer.telegram_id()))
        .col_expr(card_pay::Column::ReviewedAt, Expr::value(Some(now)));
    if reason.is_some() {
        q = q.col_expr(card_pay::Column::RejectReason, Expr::value(reason));
    }
    let res = q
        .filter(card_pay::Column::Id.eq(id.0))
        .filter(card_pay::Column::Status.eq(PaymentStatus::Pending.as_str()))
        .exec(tx)
        .await
        .map_err(unavailable)?;
    Ok(res.rows_affected == 1)
}

/// Queues a message to the customer in the caller's transaction.
async fn notify_in(
    tx: &DatabaseTransaction,
    tenant: &Tenant,
    customer: &User,
    text: String,
    key: String,
    now: DateTime<Utc>,
) -> Result<()> {
    let text: String = text.chars().take(4096).collect();
    let n = NewNotification { chat_id: customer.telegram_id.0, text, idempotency_key: key };
    enqueue_in(tx, tenant, &n, now).await.map(|_| ())
}

/// Commits on success, rolls back on failure.
async fn finish<T>(tx: DatabaseTransaction, res: Result<T>) -> Result<T> {
    match res {
        Ok(v) => {
            tx.commit().await.map_err(unavailable)?;
            Ok(v)
        }
        Err(e) => {
            tx.rollback().await.map_err(unavailable)?;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discounts_round_down_to_whole_toman() {
        assert_eq!(discounted(Toman(100_000), 0).ok(), Some(Toman(100_000)));
        assert_eq!(discounted(Toman(99_999), 10).ok(), Some(Toman(89_999)));
        assert_eq!(discounted(Toman(100_000), 100).ok(), Some(Toman(0)));
        assert_eq!(discounted(Toman(100_000), 250).ok(), Some(Toman(0)));
    }
}
