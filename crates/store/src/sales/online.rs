//! Online payments: Zarinpal (through the [`PaymentGateway`] port) and Telegram Stars,
//! completed exactly once through [`Sales::fulfil_in`] like a card-to-card approval.
//!
//! Every order is priced and recorded in one write transaction that also reserves the
//! discount code pricing it (see [`super::discount`]); failing or expiring releases it.
//!
//! **Zarinpal.** The order is recorded as a pending payment (with a local placeholder
//! authority) *before* the gateway is asked, so a crash never leaves a gateway payment we do
//! not know of; a gateway failure marks the row failed with the reason. Completion verifies
//! with the amount from our row, never from the customer's browser; codes 100 and 101 both
//! mean paid. The gateway call happens outside the write transaction (a network call must
//! not hold SQLite's writer lock); then one conditional update `pending|failed → paid`
//! decides which of any number of concurrent completions (callbacks, the reconciliation job)
//! fulfils. Nothing the browser says fails a payment by itself: a `Status=NOK` asks the
//! gateway first ([`Sales::cancel_zarinpal`]), and a payment marked failed still completes
//! once the gateway confirms it (a later callback, or the reconciliation finding it on the
//! gateway's unverified list).
//!
//! **Stars.** The order is a pending row with a random invoice payload and its price in
//! Stars (`ceil(price / stars_rate)`), payable for [`STARS_ORDER_TTL`]. A pre-checkout query
//! is accepted only for a pending, unexpired order of that payer, currency `XTR` and total;
//! `successful_payment` flips it to paid (from pending or expired: Telegram has the Stars) with
//! the Telegram charge id in one conditional update, so a replayed update credits once. A
//! second charge of an order already paid (two pre-checkouts accepted) is recorded as a
//! payment of its own (`duplicate_of`) and credited to the balance as a top-up.
//!
//! **Stars refunds** are reserve, refund, settle. [`Sales::begin_stars_refund`] turns the
//! payment `refunding` and, for a top-up, debits the balance (refused when the customer spent
//! it) before Telegram is asked; [`Sales::settle_stars_refund`] then records the `refund`
//! transaction exactly once (key `stars-refund:<id>`) and, for a purchase or renewal, takes
//! the plan's days back from the subscription (never before now; a subscription pulled back
//! to now is expired) and queues the change for the panel. Telegram refusing calls
//! [`Sales::release_stars_refund`], which credits the reservation back and records the
//! reason; a refund left `refunding` (no answer, a crash) is finished by starting it again.
//!
//! The tenant's wholesale charge and any referral reward stay: the traffic was provisioned,
//! and a refund is the tenant's decision.

use chrono::{DateTime, Duration, Utc};
use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::limits;
use remnabot_domain::payment::{
    Confirmation, GatewayAccount, GatewayStatus, PaymentGateway, PaymentRequest, stars_for,
};
use remnabot_domain::{Error, Page, PaymentId, PlanId, Result, Tenant, TgUserId, Toman, TransactionId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;

use super::{
    Fulfilment, OrderOf, PaidOrder, PayMethod, SaleSettings, Sales, discount, finish, notify_in, order_amount_in,
    reserve_code_in,
};
use crate::db::{map_write, unavailable};
use crate::entity::{stars_payment as sp, subscription, user, zarinpal_payment as zp};
use crate::ledger::{Posting, post_balance_in};
use crate::outbox::ProvisionReason;
use crate::payments::{PaymentPurpose, ZarinpalPayment, ZarinpalStatus, check_plan, to_zarinpal};
use crate::subscriptions::{SubscriptionStatus, str_enum};
use crate::transactions::{NewTransaction, TransactionKind, insert_in};
use crate::users::{random_code, to_user};
use crate::{Store, scope};

/// The currency of Telegram Stars invoices.
pub const STARS_CURRENCY: &str = "XTR";
/// How long a Stars invoice can be paid: afterwards its pre-checkout is refused and the
/// discount code it reserved is released.
pub const STARS_ORDER_TTL: Duration = Duration::hours(1);
/// How a local placeholder authority starts (before the gateway gave the real one).
const LOCAL_AUTHORITY: &str = "local-";

/// The customer's messages about online payments, queued in the same transaction as the
/// change they announce. The bot implements this with its localized texts.
pub trait OnlineTexts: Send + Sync {
    /// After an online payment completed; `balance_after` is set for a top-up.
    fn online_paid(&self, lang: Language, method: PayMethod, amount: Toman, balance_after: Option<Toman>) -> String;
    /// After a Stars payment was refunded.
    fn stars_refunded(&self, lang: Language, stars: i64) -> String;

    /// After an online payment whose discount code is no longer the order's own: `amount`
    /// went to the balance, now `balance_after`. The default is plain English.
    fn online_credited_instead(
        &self,
        lang: Language,
        method: PayMethod,
        amount: Toman,
        balance_after: Toman,
    ) -> String {
        let _ = (lang, method);
        format!(
            "Your payment of {} Toman is confirmed, but the discount code it was priced with is no longer available: \
             the amount was added to your balance (now {} Toman).",
            amount.0, balance_after.0
        )
    }

    /// After a Stars invoice already paid was paid again: the second payment's `amount` went
    /// to the balance, now `balance_after`. The default is plain English.
    fn stars_paid_twice(&self, lang: Language, stars: i64, amount: Toman, balance_after: Toman) -> String {
        let _ = lang;
        format!(
            "This order was already paid, so your second payment of {stars} Stars ({} Toman) was added to your \
             balance (now {} Toman).",
            amount.0, balance_after.0
        )
    }
}

/// The customer's message after an online payment completed its order, or was credited to
/// the balance instead (see [`Fulfilment::credited_instead`]).
fn paid_text(texts: &dyn OnlineTexts, lang: Language, method: PayMethod, amount: Toman, done: &Fulfilment) -> String {
    match (done.credited_instead, done.balance_after) {
        (true, Some(balance)) => texts.online_credited_instead(lang, method, amount, balance),
        _ => texts.online_paid(lang, method, amount, done.balance_after),
    }
}

str_enum!(
    /// Where a Telegram Stars payment stands.
    StarsStatus, "status" {
        /// The invoice was sent; not paid.
        Pending => "pending",
        /// Not paid within [`STARS_ORDER_TTL`]: its pre-checkout is refused (a charge that
        /// still arrives completes it).
        Expired => "expired",
        /// Paid (the charge id is recorded) and completed.
        Paid => "paid",
        /// A refund is reserved (the customer's side taken back) and Telegram is being asked,
        /// or did not answer: `/refund_stars` again finishes it.
        Refunding => "refunding",
        /// Paid, then refunded.
        Refunded => "refunded",
    }
);

/// A Telegram Stars payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StarsPayment {
    pub id: PaymentId,
    pub user_id: UserId,
    /// The order's price in Toman.
    pub amount: Toman,
    /// What Telegram charges, in Stars.
    pub stars: i64,
    /// The invoice payload (random, unique within the tenant).
    pub payload: String,
    pub status: StarsStatus,
    pub purpose: PaymentPurpose,
    pub plan_id: Option<PlanId>,
    pub telegram_charge_id: Option<String>,
    pub transaction_id: Option<TransactionId>,
    pub paid_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The discount-code use that priced the order (`promocode_uses.id`), if one did.
    pub promocode_use_id: Option<i64>,
    /// For a second charge of an invoice already paid (credited to the balance as a top-up):
    /// the payment it paid again.
    pub duplicate_of: Option<PaymentId>,
    /// Why Telegram refused the last refund, if it did.
    pub refund_error: Option<String>,
}

fn to_stars(m: sp::Model) -> Result<StarsPayment> {
    Ok(StarsPayment {
        id: PaymentId(m.id),
        user_id: UserId(m.user_id),
        amount: Toman(m.amount),
        stars: m.stars,
        payload: m.payload,
        status: StarsStatus::parse(&m.status)?,
        purpose: PaymentPurpose::parse(&m.purpose)?,
        plan_id: m.plan_id.map(PlanId),
        telegram_charge_id: m.telegram_charge_id,
        transaction_id: m.transaction_id.map(TransactionId),
        paid_at: m.paid_at,
        refunded_at: m.refunded_at,
        created_at: m.created_at,
        promocode_use_id: m.promocode_use_id,
        duplicate_of: m.duplicate_of.map(PaymentId),
        refund_error: m.refund_error,
    })
}

/// A Zarinpal payment just opened at the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedZarinpal {
    pub payment: ZarinpalPayment,
    /// The gateway's page where the customer pays (the bot's Pay button).
    pub pay_url: String,
}

/// What a Zarinpal completion did.
#[derive(Debug, Clone, PartialEq)]
pub enum ZarinpalOutcome {
    /// This call verified the payment and completed the order.
    Completed { payment: ZarinpalPayment, fulfilment: Box<Fulfilment> },
    /// The order had been completed before; nothing changed.
    AlreadyCompleted(ZarinpalPayment),
    /// The payment failed (cancelled, not paid, wrong amount); nothing was credited.
    Failed(ZarinpalPayment),
    /// The gateway holds the payment as open, not paid: it stays pending.
    Pending(ZarinpalPayment),
}

/// What a Stars completion did.
#[derive(Debug, Clone, PartialEq)]
pub struct StarsCompletion {
    /// The payment this charge is recorded as: the order's, or for a second charge of an
    /// order already paid, a payment of its own.
    pub payment: StarsPayment,
    /// Set when this call recorded the charge; `None` for a replay.
    pub fulfilment: Option<Fulfilment>,
    /// The charge paid an order already paid: it was credited to the balance.
    pub duplicate: bool,
}

/// A refunded Stars payment.
#[derive(Debug, Clone, PartialEq)]
pub struct StarsRefund {
    pub payment: StarsPayment,
    /// False when it had been refunded before and nothing changed now.
    pub newly_applied: bool,
}

fn disabled(provider: &str) -> Error {
    Error::Conflict(format!("{provider} payments are not available for this bot"))
}

impl Sales<'_> {
    /// The tenant's Zarinpal account when the `zarinpal` feature is on and a merchant id is
    /// set; `None` means Zarinpal is not offered and its callbacks are refused.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn zarinpal_account(&self, tenant: &Tenant) -> Result<Option<GatewayAccount>> {
        if !self.store.flags().is_enabled(tenant, FeatureKey::Zarinpal).await? {
            return Ok(None);
        }
        let Some(merchant_id) = self.store.configs().zarinpal_merchant_id(tenant).await? else { return Ok(None) };
        Ok(Some(GatewayAccount { merchant_id, sandbox: self.store.configs().zarinpal_sandbox(tenant).await? }))
    }

    /// Toman per Star when the `telegram_stars` feature is on and a rate is set; `None`
    /// means Stars are not offered.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn stars_rate(&self, tenant: &Tenant) -> Result<Option<i64>> {
        if !self.store.flags().is_enabled(tenant, FeatureKey::TelegramStars).await? {
            return Ok(None);
        }
        self.store.configs().stars_rate(tenant).await
    }

    /// Starts a Zarinpal payment: records the order as a pending payment, then opens it at
    /// the gateway. A gateway failure marks the row failed (with the reason) and answers
    /// [`Error::Unavailable`] whose source is the [`GatewayError`](remnabot_domain::payment::GatewayError):
    /// the customer may simply try again.
    ///
    /// # Errors
    /// [`Error::Conflict`] when Zarinpal is not available for the tenant; [`Error::Invalid`]
    /// (`plan`, `top_up`); [`Error::NotFound`]; [`Error::TenantWalletShort`];
    /// [`Error::Unavailable`].
    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id(), user_id = %user))]
    pub async fn start_zarinpal_payment(
        &self,
        tenant: &Tenant,
        user: UserId,
        purpose: PaymentPurpose,
        plan: Option<PlanId>,
        top_up: Option<Toman>,
        gateway: &dyn PaymentGateway,
        callback_url: &str,
        description: &str,
        now: DateTime<Utc>,
    ) -> Result<StartedZarinpal> {
        let account = self.zarinpal_account(tenant).await?.ok_or_else(|| disabled("Zarinpal"))?;
        let order = OrderOf::check(purpose, plan, top_up)?;
        let price_per_gb = self.store.configs().wholesale_price_per_gb(tenant).await?;
        let tx = self.store.write_tx().await?;
        let res = async {
            let (amount, code) = order_amount_in(&tx, tenant, user, order, price_per_gb).await?;
            check_plan(&tx, tenant, purpose, plan).await?;
            let row = zp::ActiveModel {
                bot_id: Set(tenant.bot_id().0),
                created_at: Set(now),
                user_id: Set(user.0),
                amount: Set(amount.0),
                authority: Set(format!("{LOCAL_AUTHORITY}{}", random_code(24))),
                status: Set(ZarinpalStatus::Pending.as_str().to_owned()),
                purpose: Set(purpose.as_str().to_owned()),
                plan_id: Set(plan.map(|p| p.0)),
                ref_id: Set(None),
                card_pan: Set(None),
                description: Set(Some(description.chars().take(500).collect())),
                transaction_id: Set(None),
                paid_at: Set(None),
                fail_reason: Set(None),
                promocode_use_id: Set(code.map(|c| c.use_id)),
                ..Default::default()
            }
            .insert(&tx)
            .await
            .map_err(|e| map_write(e, || "this payment could not be recorded; try again".to_owned(), "user"))?;
            reserve_code_in(&tx, tenant, code, &format!("zarinpal:{}", row.id), now).await?;
            Ok((row.id, amount))
        }
        .await;
        let (id, amount) = finish(tx, res).await?;
        let description = if description.trim().is_empty() { format!("Order {id}") } else { description.to_owned() };
        let request =
            PaymentRequest { amount, description, callback_url: callback_url.to_owned(), order_id: id.to_string() };
        match gateway.start(&account, &request).await {
            Ok(started) => {
                let res = scope::update::<zp::Entity>(tenant)
                    .col_expr(zp::Column::Authority, Expr::value(started.authority.clone()))
                    .filter(zp::Column::Id.eq(id))
                    .filter(zp::Column::Status.eq(ZarinpalStatus::Pending.as_str()))
                    .exec(&self.store.db)
                    .await
                    .map_err(unavailable)?;
                if res.rows_affected != 1 {
                    return Err(Error::Conflict("this payment changed at the same time; try again".to_owned()));
                }
                let payment = self.store.zarinpal_payments().get(tenant, PaymentId(id)).await?;
                Ok(StartedZarinpal { payment, pay_url: started.pay_url })
            }
            Err(e) => {
                tracing::warn!(payment_id = id, error = %e, "Zarinpal did not open the payment");
                self.fail_row(tenant, id, &e.to_string()).await?;
                Err(Error::unavailable("the payment gateway", e))
            }
        }
    }

    /// Marks the pending payment `id` failed with `reason` and releases the discount code it
    /// reserved, in one transaction. Returns whether this call did it.
    async fn fail_row(&self, tenant: &Tenant, id: i64, reason: &str) -> Result<bool> {
        let reason: String = reason.chars().take(500).collect();
        let tx = self.store.write_tx().await?;
        let res = async {
            let res = scope::update::<zp::Entity>(tenant)
                .col_expr(zp::Column::Status, Expr::value(ZarinpalStatus::Failed.as_str()))
                .col_expr(zp::Column::FailReason, Expr::value(Some(reason)))
                .filter(zp::Column::Id.eq(id))
                .filter(zp::Column::Status.eq(ZarinpalStatus::Pending.as_str()))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
            if res.rows_affected == 1 {
                discount::release_in(&tx, tenant, &format!("zarinpal:{id}")).await?;
            }
            Ok(res.rows_affected == 1)
        }
        .await;
        finish(tx, res).await
    }

    /// Marks the pending payment `authority` failed with `reason`, without asking the
    /// gateway: for the reconciliation job, after the gateway said so. Returns whether this
    /// call did it. (A later verified payment still completes it: see
    /// [`Sales::complete_zarinpal`].)
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Unavailable`].
    pub async fn fail_zarinpal(&self, tenant: &Tenant, authority: &str, reason: &str) -> Result<bool> {
        let payment = self
            .store
            .zarinpal_payments()
            .by_authority(tenant, authority)
            .await?
            .ok_or_else(|| Error::not_found("Zarinpal payment"))?;
        self.fail_row(tenant, payment.id.0, reason).await
    }

    /// The customer's browser came back with `Status=NOK` (cancelled). The query is anyone's
    /// to forge, so the gateway is asked first: a payment it holds as paid is verified and
    /// completed; one it says failed is marked failed; one still open stays pending (the
    /// customer may still pay, and the reconciliation job gives up on it in time).
    ///
    /// # Errors
    /// As [`Sales::complete_zarinpal`]; [`Error::Unavailable`] when the gateway gave no
    /// answer (nothing changed).
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id()))]
    pub async fn cancel_zarinpal(
        &self,
        tenant: &Tenant,
        authority: &str,
        gateway: &dyn PaymentGateway,
        texts: &dyn OnlineTexts,
        now: DateTime<Utc>,
    ) -> Result<ZarinpalOutcome> {
        let payment = self.gateway_payment(tenant, authority).await?;
        match payment.status {
            ZarinpalStatus::Paid => return Ok(ZarinpalOutcome::AlreadyCompleted(payment)),
            ZarinpalStatus::Failed => return Ok(ZarinpalOutcome::Failed(payment)),
            ZarinpalStatus::Pending => {}
        }
        let account = self.zarinpal_account(tenant).await?.ok_or_else(|| disabled("Zarinpal"))?;
        match gateway.status(&account, &payment.authority).await {
            Ok(GatewayStatus::Paid | GatewayStatus::Verified) => {
                tracing::warn!(payment_id = %payment.id, "a cancelled callback for a payment the gateway holds as paid");
                self.complete_zarinpal(tenant, authority, gateway, texts, now).await
            }
            Ok(GatewayStatus::Failed) => {
                self.fail_row(tenant, payment.id.0, "cancelled by the customer").await?;
                let current = self.store.zarinpal_payments().get(tenant, payment.id).await?;
                Ok(match current.status {
                    ZarinpalStatus::Paid => ZarinpalOutcome::AlreadyCompleted(current),
                    _ => ZarinpalOutcome::Failed(current),
                })
            }
            Ok(GatewayStatus::Pending) => Ok(ZarinpalOutcome::Pending(payment)),
            Err(e) if e.is_final_for_payment() => {
                self.fail_row(tenant, payment.id.0, &e.to_string()).await?;
                Ok(ZarinpalOutcome::Failed(self.store.zarinpal_payments().get(tenant, payment.id).await?))
            }
            Err(e) => Err(Error::unavailable("the payment gateway", e)),
        }
    }

    /// The payment opened at the gateway under `authority` (never a local placeholder).
    async fn gateway_payment(&self, tenant: &Tenant, authority: &str) -> Result<ZarinpalPayment> {
        self.store
            .zarinpal_payments()
            .by_authority(tenant, authority)
            .await?
            .filter(|p| !p.authority.starts_with(LOCAL_AUTHORITY))
            .ok_or_else(|| Error::not_found("Zarinpal payment"))
    }

    /// Verifies the payment `authority` with the gateway, using the amount recorded for it,
    /// and completes its order exactly once. A payment marked failed is verified too: a
    /// failure recorded earlier (a cancelled callback, the reconciliation giving up) never
    /// stops a payment the gateway confirms from completing.
    ///
    /// # Errors
    /// [`Error::NotFound`] (no such authority in this tenant); [`Error::Conflict`] when
    /// Zarinpal is switched off for the tenant; [`Error::Unavailable`] when the gateway gave
    /// no definite answer (the payment stays pending for the reconciliation job).
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id()))]
    pub async fn complete_zarinpal(
        &self,
        tenant: &Tenant,
        authority: &str,
        gateway: &dyn PaymentGateway,
        texts: &dyn OnlineTexts,
        now: DateTime<Utc>,
    ) -> Result<ZarinpalOutcome> {
        let payment = self.gateway_payment(tenant, authority).await?;
        if payment.status == ZarinpalStatus::Paid {
            return Ok(ZarinpalOutcome::AlreadyCompleted(payment));
        }
        let account = self.zarinpal_account(tenant).await?.ok_or_else(|| disabled("Zarinpal"))?;
        match gateway.confirm(&account, &payment.authority, payment.amount).await {
            Ok(confirmation) => self.settle_zarinpal(tenant, payment, confirmation, texts, now).await,
            Err(e) if e.is_final_for_payment() && payment.status == ZarinpalStatus::Failed => {
                Ok(ZarinpalOutcome::Failed(payment))
            }
            Err(e) if e.is_final_for_payment() => {
                tracing::info!(payment_id = %payment.id, error = %e, "Zarinpal payment failed");
                self.fail_row(tenant, payment.id.0, &e.to_string()).await?;
                let payment = self.store.zarinpal_payments().get(tenant, payment.id).await?;
                Ok(match payment.status {
                    ZarinpalStatus::Paid => ZarinpalOutcome::AlreadyCompleted(payment),
                    _ => ZarinpalOutcome::Failed(payment),
                })
            }
            Err(e) => Err(Error::unavailable("the payment gateway", e)),
        }
    }

    async fn settle_zarinpal(
        &self,
        tenant: &Tenant,
        payment: ZarinpalPayment,
        confirmation: Confirmation,
        texts: &dyn OnlineTexts,
        now: DateTime<Utc>,
    ) -> Result<ZarinpalOutcome> {
        let settings = self.settings(tenant).await?;
        let card_pan: Option<String> = confirmation.card_pan.map(|p| p.chars().take(32).collect());
        let tx = self.store.write_tx().await?;
        let res = async {
            // From failed too: the gateway confirmed the money, whatever was recorded before.
            let flipped = scope::update::<zp::Entity>(tenant)
                .col_expr(zp::Column::Status, Expr::value(ZarinpalStatus::Paid.as_str()))
                .col_expr(zp::Column::RefId, Expr::value(Some(confirmation.ref_id)))
                .col_expr(zp::Column::CardPan, Expr::value(card_pan))
                .col_expr(zp::Column::PaidAt, Expr::value(Some(now)))
                .col_expr(zp::Column::FailReason, Expr::value(Option::<String>::None))
                .filter(zp::Column::Id.eq(payment.id.0))
                .filter(zp::Column::Status.is_in([ZarinpalStatus::Pending.as_str(), ZarinpalStatus::Failed.as_str()]))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
            if flipped.rows_affected != 1 {
                return Ok(None);
            }
            let customer = to_user(scope::get::<user::Entity, _>(&tx, tenant, payment.user_id.0).await?);
            let order = PaidOrder {
                user: &customer,
                purpose: payment.purpose,
                plan: payment.plan_id,
                amount: payment.amount,
                method: PayMethod::Zarinpal,
                external_id: Some(payment.authority.clone()),
                key: format!("zarinpal:{}", payment.id),
                discount_use: payment.promocode_use_id,
            };
            let fulfilment = self.fulfil_in(&tx, tenant, &order, settings, now).await?;
            scope::update::<zp::Entity>(tenant)
                .col_expr(zp::Column::TransactionId, Expr::value(Some(fulfilment.transaction.id.0)))
                .filter(zp::Column::Id.eq(payment.id.0))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
            let text = paid_text(texts, customer.language, PayMethod::Zarinpal, payment.amount, &fulfilment);
            notify_in(&tx, tenant, &customer, text, format!("zarinpal-paid:{}", payment.id), now).await?;
            Ok(Some(fulfilment))
        }
        .await;
        let done = finish(tx, res).await?;
        let current = self.store.zarinpal_payments().get(tenant, payment.id).await?;
        Ok(match (done, current.status) {
            (Some(fulfilment), _) => ZarinpalOutcome::Completed { payment: current, fulfilment: Box::new(fulfilment) },
            (None, ZarinpalStatus::Failed) => ZarinpalOutcome::Failed(current),
            (None, _) => ZarinpalOutcome::AlreadyCompleted(current),
        })
    }

    /// Failed Zarinpal payments opened at the gateway at or after `since`, oldest first: the
    /// reconciliation job completes any the gateway lists as paid after all.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn failed_zarinpal(&self, tenant: &Tenant, since: DateTime<Utc>) -> Result<Vec<ZarinpalPayment>> {
        let rows = scope::select::<zp::Entity>(tenant)
            .filter(zp::Column::Status.eq(ZarinpalStatus::Failed.as_str()))
            .filter(zp::Column::CreatedAt.gte(since))
            .filter(zp::Column::Authority.not_like(format!("{LOCAL_AUTHORITY}%")))
            .order_by_asc(zp::Column::Id)
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        rows.into_iter().map(to_zarinpal).collect()
    }

    /// Pending Zarinpal payments opened at the gateway before `before`, oldest first (for
    /// the reconciliation job).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn pending_zarinpal(&self, tenant: &Tenant, before: DateTime<Utc>) -> Result<Vec<ZarinpalPayment>> {
        let rows = scope::select::<zp::Entity>(tenant)
            .filter(zp::Column::Status.eq(ZarinpalStatus::Pending.as_str()))
            .filter(zp::Column::CreatedAt.lte(before))
            .order_by_asc(zp::Column::Id)
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            if m.authority.starts_with(LOCAL_AUTHORITY) {
                // Recorded, but the gateway never gave it an authority (a crash in between):
                // the customer never saw a Pay button.
                self.fail_row(tenant, m.id, "the gateway never opened this payment").await?;
                continue;
            }
            out.push(to_zarinpal(m)?);
        }
        Ok(out)
    }

    // -----------------------------------------------------------------------------------
    // Telegram Stars
    // -----------------------------------------------------------------------------------

    /// Starts a Stars payment: the order with its price in Stars and a fresh invoice payload,
    /// payable for [`STARS_ORDER_TTL`].
    ///
    /// # Errors
    /// [`Error::Conflict`] when Stars are not available for the tenant; as
    /// [`Sales::start_zarinpal_payment`] otherwise.
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id(), user_id = %user))]
    pub async fn start_stars_payment(
        &self,
        tenant: &Tenant,
        user: UserId,
        purpose: PaymentPurpose,
        plan: Option<PlanId>,
        top_up: Option<Toman>,
        now: DateTime<Utc>,
    ) -> Result<StarsPayment> {
        let rate = self.stars_rate(tenant).await?.ok_or_else(|| disabled("Telegram Stars"))?;
        let order = OrderOf::check(purpose, plan, top_up)?;
        let price_per_gb = self.store.configs().wholesale_price_per_gb(tenant).await?;
        let tx = self.store.write_tx().await?;
        let res = async {
            let (amount, code) = order_amount_in(&tx, tenant, user, order, price_per_gb).await?;
            check_plan(&tx, tenant, purpose, plan).await?;
            let stars = stars_for(amount, rate)?;
            let m = sp::ActiveModel {
                bot_id: Set(tenant.bot_id().0),
                created_at: Set(now),
                user_id: Set(user.0),
                amount: Set(amount.0),
                stars: Set(stars),
                payload: Set(format!("st-{}", random_code(24))),
                status: Set(StarsStatus::Pending.as_str().to_owned()),
                purpose: Set(purpose.as_str().to_owned()),
                plan_id: Set(plan.map(|p| p.0)),
                telegram_charge_id: Set(None),
                transaction_id: Set(None),
                paid_at: Set(None),
                refunded_at: Set(None),
                promocode_use_id: Set(code.map(|c| c.use_id)),
                duplicate_of: Set(None),
                refund_attempts: Set(0),
                refund_error: Set(None),
                ..Default::default()
            }
            .insert(&tx)
            .await
            .map_err(|e| map_write(e, || "this payment could not be recorded; try again".to_owned(), "user"))?;
            reserve_code_in(&tx, tenant, code, &format!("stars:{}", m.id), now).await?;
            to_stars(m)
        }
        .await;
        finish(tx, res).await
    }

    /// Expires the tenant's Stars orders left unpaid for [`STARS_ORDER_TTL`] and releases the
    /// discount codes they reserved, in one transaction. Returns how many expired.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn expire_stars_orders(&self, tenant: &Tenant, now: DateTime<Utc>) -> Result<usize> {
        let cutoff = now - STARS_ORDER_TTL;
        let due = scope::select::<sp::Entity>(tenant)
            .filter(sp::Column::Status.eq(StarsStatus::Pending.as_str()))
            .filter(sp::Column::CreatedAt.lte(cutoff));
        // Cheap check first: most minutes of most tenants have nothing due.
        if due.clone().one(&self.store.db).await.map_err(unavailable)?.is_none() {
            return Ok(0);
        }
        let tx = self.store.write_tx().await?;
        let res = async {
            let ids: Vec<i64> =
                due.lock_exclusive().all(&tx).await.map_err(unavailable)?.into_iter().map(|m| m.id).collect();
            let mut expired = 0;
            for id in ids {
                let flipped = scope::update::<sp::Entity>(tenant)
                    .col_expr(sp::Column::Status, Expr::value(StarsStatus::Expired.as_str()))
                    .filter(sp::Column::Id.eq(id))
                    .filter(sp::Column::Status.eq(StarsStatus::Pending.as_str()))
                    .exec(&tx)
                    .await
                    .map_err(unavailable)?;
                if flipped.rows_affected == 1 {
                    discount::release_in(&tx, tenant, &format!("stars:{id}")).await?;
                    expired += 1;
                }
            }
            Ok(expired)
        }
        .await;
        finish(tx, res).await
    }

    /// The Stars payment `id` of this tenant.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for another tenant's), [`Error::Unavailable`].
    pub async fn stars_payment(&self, tenant: &Tenant, id: PaymentId) -> Result<StarsPayment> {
        to_stars(scope::get::<sp::Entity, _>(&self.store.db, tenant, id.0).await?)
    }

    /// A page of this tenant's Stars payments, newest first, optionally of one status.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn stars_payments(
        &self,
        tenant: &Tenant,
        status: Option<StarsStatus>,
        page: Page,
    ) -> Result<Vec<StarsPayment>> {
        let mut q = scope::select::<sp::Entity>(tenant);
        if let Some(s) = status {
            q = q.filter(sp::Column::Status.eq(s.as_str()));
        }
        let rows =
            scope::paged(q.order_by_desc(sp::Column::Id), page).all(&self.store.db).await.map_err(unavailable)?;
        rows.into_iter().map(to_stars).collect()
    }

    /// The Stars payment with this invoice payload, if this tenant has it.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn stars_by_payload(&self, tenant: &Tenant, payload: &str) -> Result<Option<StarsPayment>> {
        if payload.is_empty() || payload.len() > 64 {
            return Ok(None);
        }
        scope::select_by_key::<sp::Entity>(tenant)
            .filter(sp::Column::Payload.eq(payload))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?
            .map(to_stars)
            .transpose()
    }

    /// The Stars payment with this Telegram charge id, if this tenant has it (a second charge
    /// of an invoice is a payment of its own, found by its charge id too).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn stars_by_charge(&self, tenant: &Tenant, charge_id: &str) -> Result<Option<StarsPayment>> {
        if charge_id.is_empty() || charge_id.len() > 255 {
            return Ok(None);
        }
        scope::select::<sp::Entity>(tenant)
            .filter(sp::Column::TelegramChargeId.eq(charge_id))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?
            .map(to_stars)
            .transpose()
    }

    /// Whether a pre-checkout query may go through: Stars are on, the order exists, is
    /// unpaid and not expired, is the payer's, and the currency and total match.
    ///
    /// # Errors
    /// [`Error::NotFound`] (no such order, or another customer's); [`Error::Conflict`]
    /// (already paid, expired, Stars switched off); [`Error::Invalid`] (currency or total
    /// differ); [`Error::Unavailable`].
    pub async fn check_pre_checkout(
        &self,
        tenant: &Tenant,
        payer: TgUserId,
        payload: &str,
        total_amount: i64,
        currency: &str,
        now: DateTime<Utc>,
    ) -> Result<StarsPayment> {
        if self.stars_rate(tenant).await?.is_none() {
            return Err(disabled("Telegram Stars"));
        }
        let payment = self.stars_by_payload(tenant, payload).await?.ok_or_else(|| Error::not_found("order"))?;
        let owner = self.store.users().get(tenant, payment.user_id).await?;
        if owner.telegram_id != payer {
            return Err(Error::not_found("order"));
        }
        if payment.status == StarsStatus::Expired
            || (payment.status == StarsStatus::Pending && payment.created_at + STARS_ORDER_TTL <= now)
        {
            return Err(Error::Conflict("this order has expired; start it again".to_owned()));
        }
        if payment.status != StarsStatus::Pending {
            return Err(Error::Conflict("this order is already paid".to_owned()));
        }
        if currency != STARS_CURRENCY || total_amount != payment.stars {
            return Err(Error::invalid("total_amount", "does not match the order"));
        }
        Ok(payment)
    }

    /// Completes the Stars order `payload` after Telegram's `successful_payment`, exactly
    /// once per charge: a replay of the same charge changes nothing and returns the payment.
    /// Telegram has taken the Stars, so an order that expired meanwhile completes too, and a
    /// second, different charge of an order already paid (two pre-checkouts were accepted)
    /// is recorded as a payment of its own and credited to the balance (see
    /// [`StarsCompletion::duplicate`]), where `/refund_stars` finds it by its charge id.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Invalid`] (currency or total differ from the order, or
    /// a charge id that is empty or over 255 characters); [`Error::Unavailable`].
    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id()))]
    pub async fn complete_stars(
        &self,
        tenant: &Tenant,
        payload: &str,
        telegram_charge_id: &str,
        total_amount: i64,
        currency: &str,
        texts: &dyn OnlineTexts,
        now: DateTime<Utc>,
    ) -> Result<StarsCompletion> {
        let payment = self.stars_by_payload(tenant, payload).await?.ok_or_else(|| Error::not_found("order"))?;
        let charge = telegram_charge_id.trim();
        if charge.is_empty() || charge.len() > 255 {
            return Err(Error::invalid("telegram_charge_id", "must be 1 to 255 characters"));
        }
        if currency != STARS_CURRENCY || total_amount != payment.stars {
            return Err(Error::invalid("total_amount", "does not match the order"));
        }
        if let Some(known) = self.stars_by_charge(tenant, charge).await? {
            // A replay of a charge recorded before.
            return Ok(StarsCompletion { payment: known, fulfilment: None, duplicate: false });
        }
        let open = [StarsStatus::Pending.as_str(), StarsStatus::Expired.as_str()];
        // Telegram has taken the Stars: the order completes even if the tenant switched
        // Stars off since the pre-checkout.
        let settings = self.settings(tenant).await?;
        let tx = self.store.write_tx().await?;
        let res = async {
            let flipped = scope::update::<sp::Entity>(tenant)
                .col_expr(sp::Column::Status, Expr::value(StarsStatus::Paid.as_str()))
                .col_expr(sp::Column::TelegramChargeId, Expr::value(Some(charge.to_owned())))
                .col_expr(sp::Column::PaidAt, Expr::value(Some(now)))
                .filter(sp::Column::Id.eq(payment.id.0))
                .filter(sp::Column::Status.is_in(open))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
            if flipped.rows_affected != 1 {
                let known = scope::select::<sp::Entity>(tenant)
                    .filter(sp::Column::TelegramChargeId.eq(charge))
                    .one(&tx)
                    .await
                    .map_err(unavailable)?;
                if let Some(known) = known {
                    // The same charge, recorded concurrently: a replay.
                    return Ok((PaymentId(known.id), None, false));
                }
                // Paid already, with another charge: this one is a payment of its own.
                return self.record_second_charge_in(&tx, tenant, &payment, charge, settings, texts, now).await;
            }
            let customer = to_user(scope::get::<user::Entity, _>(&tx, tenant, payment.user_id.0).await?);
            let order = PaidOrder {
                user: &customer,
                purpose: payment.purpose,
                plan: payment.plan_id,
                amount: payment.amount,
                method: PayMethod::TelegramStars,
                external_id: Some(charge.to_owned()),
                key: format!("stars:{}", payment.id),
                discount_use: payment.promocode_use_id,
            };
            let fulfilment = self.fulfil_in(&tx, tenant, &order, settings, now).await?;
            scope::update::<sp::Entity>(tenant)
                .col_expr(sp::Column::TransactionId, Expr::value(Some(fulfilment.transaction.id.0)))
                .filter(sp::Column::Id.eq(payment.id.0))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
            let text = paid_text(texts, customer.language, PayMethod::TelegramStars, payment.amount, &fulfilment);
            notify_in(&tx, tenant, &customer, text, format!("stars-paid:{}", payment.id), now).await?;
            Ok((payment.id, Some(fulfilment), false))
        }
        .await;
        let (id, fulfilment, duplicate) = match finish(tx, res).await {
            Ok(done) => done,
            // The same charge was recorded concurrently (its unique index refused this one).
            Err(e) => match self.stars_by_charge(tenant, charge).await? {
                Some(known) => return Ok(StarsCompletion { payment: known, fulfilment: None, duplicate: false }),
                None => return Err(e),
            },
        };
        let payment = to_stars(scope::get::<sp::Entity, _>(&self.store.db, tenant, id.0).await?)?;
        Ok(StarsCompletion { payment, fulfilment, duplicate })
    }

    /// Records `charge`, a second payment of the order `original` (already paid with another
    /// charge), as a Stars payment of its own and credits it to the customer's balance as a
    /// top-up, in the caller's transaction. Never lost: `/refund_stars <charge>` finds it.
    #[allow(clippy::too_many_arguments)]
    async fn record_second_charge_in(
        &self,
        tx: &DatabaseTransaction,
        tenant: &Tenant,
        original: &StarsPayment,
        charge: &str,
        settings: SaleSettings,
        texts: &dyn OnlineTexts,
        now: DateTime<Utc>,
    ) -> Result<(PaymentId, Option<Fulfilment>, bool)> {
        tracing::warn!(payment_id = %original.id, "a Stars order was paid twice: the second charge goes to the balance");
        let m = sp::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(now),
            user_id: Set(original.user_id.0),
            amount: Set(original.amount.0),
            stars: Set(original.stars),
            payload: Set(format!("st2-{}", random_code(24))),
            status: Set(StarsStatus::Paid.as_str().to_owned()),
            purpose: Set(PaymentPurpose::TopUp.as_str().to_owned()),
            plan_id: Set(None),
            telegram_charge_id: Set(Some(charge.to_owned())),
            transaction_id: Set(None),
            paid_at: Set(Some(now)),
            refunded_at: Set(None),
            promocode_use_id: Set(None),
            duplicate_of: Set(Some(original.id.0)),
            refund_attempts: Set(0),
            refund_error: Set(None),
            ..Default::default()
        }
        .insert(tx)
        .await
        .map_err(|e| map_write(e, || "this charge is recorded already".to_owned(), "user"))?;
        let customer = to_user(scope::get::<user::Entity, _>(tx, tenant, original.user_id.0).await?);
        let order = PaidOrder {
            user: &customer,
            purpose: PaymentPurpose::TopUp,
            plan: None,
            amount: original.amount,
            method: PayMethod::TelegramStars,
            external_id: Some(charge.to_owned()),
            key: format!("stars:{}", m.id),
            discount_use: None,
        };
        let fulfilment = self.fulfil_in(tx, tenant, &order, settings, now).await?;
        scope::update::<sp::Entity>(tenant)
            .col_expr(sp::Column::TransactionId, Expr::value(Some(fulfilment.transaction.id.0)))
            .filter(sp::Column::Id.eq(m.id))
            .exec(tx)
            .await
            .map_err(unavailable)?;
        let balance = fulfilment.balance_after.unwrap_or(customer.balance);
        let text = texts.stars_paid_twice(customer.language, original.stars, original.amount, balance);
        notify_in(tx, tenant, &customer, text, format!("stars-paid:{}", m.id), now).await?;
        Ok((PaymentId(m.id), Some(fulfilment), true))
    }

    /// Step 1 of refunding the paid Stars payment `telegram_charge_id` (before Telegram's
    /// `refundStarPayment`): reserves the refund in one transaction, so nothing can spend
    /// what is being refunded and a failure afterwards leaves a record. The payment turns
    /// `refunding`; a top-up (and a second charge credited to the balance) is debited from the
    /// balance now, refused when the customer has spent it. A payment left `refunding` (Telegram
    /// did not answer, or the process stopped) is returned as it is, to finish the refund.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Conflict`] (already refunded);
    /// [`Error::InsufficientBalance`]; [`Error::Unavailable`].
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id()))]
    pub async fn begin_stars_refund(&self, tenant: &Tenant, telegram_charge_id: &str) -> Result<StarsPayment> {
        let payment = self.refund_target(tenant, telegram_charge_id).await?;
        match payment.status {
            StarsStatus::Refunded => return Err(Error::Conflict("this payment was already refunded".to_owned())),
            StarsStatus::Refunding => return Ok(payment),
            StarsStatus::Pending | StarsStatus::Expired => return Err(Error::not_found("Telegram Stars payment")),
            StarsStatus::Paid => {}
        }
        let tx = self.store.write_tx().await?;
        let res = async {
            let flipped = scope::update::<sp::Entity>(tenant)
                .col_expr(sp::Column::Status, Expr::value(StarsStatus::Refunding.as_str()))
                .col_expr(sp::Column::RefundAttempts, Expr::col(sp::Column::RefundAttempts).add(1))
                .col_expr(sp::Column::RefundError, Expr::value(Option::<String>::None))
                .filter(sp::Column::Id.eq(payment.id.0))
                .filter(sp::Column::Status.eq(StarsStatus::Paid.as_str()))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
            if flipped.rows_affected != 1 {
                return Err(Error::Conflict("this payment changed at the same time; try again".to_owned()));
            }
            let row = scope::get::<sp::Entity, _>(&tx, tenant, payment.id.0).await?;
            if payment.purpose == PaymentPurpose::TopUp {
                let key = format!("stars-refund:{}:{}", payment.id, row.refund_attempts);
                let posting = Posting::debit(payment.amount, "refund", &key)?
                    .described(format!("{} Stars refunded", payment.stars));
                post_balance_in(&tx, tenant, payment.user_id, &posting).await?;
            }
            to_stars(row)
        }
        .await;
        finish(tx, res).await
    }

    /// Step 2, after Telegram refunded (or answered that it had): records the refund exactly
    /// once and reverses the order as the module documentation says. Repeating it changes
    /// nothing.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Conflict`] (no refund reserved); [`Error::Unavailable`].
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id()))]
    pub async fn settle_stars_refund(
        &self,
        tenant: &Tenant,
        telegram_charge_id: &str,
        texts: &dyn OnlineTexts,
        now: DateTime<Utc>,
    ) -> Result<StarsRefund> {
        let payment = self.refund_target(tenant, telegram_charge_id).await?;
        match payment.status {
            StarsStatus::Refunded => return Ok(StarsRefund { payment, newly_applied: false }),
            StarsStatus::Refunding => {}
            _ => return Err(Error::Conflict("no refund of this payment is under way".to_owned())),
        }
        // Read before the write transaction opens (it must not wait for a second connection).
        let give_back = match payment.purpose {
            PaymentPurpose::TopUp => None,
            PaymentPurpose::Purchase | PaymentPurpose::Renewal => {
                let provisioned = self.store.provisioning().by_key(tenant, &format!("stars:{}", payment.id)).await?;
                let days = match payment.plan_id {
                    Some(plan) => self.store.plans().get(tenant, plan).await.map(|p| p.period_days).unwrap_or(0),
                    None => 0,
                };
                provisioned.map(|p| (p.subscription.id.0, days))
            }
        };
        let tx = self.store.write_tx().await?;
        let res = self.settle_refund_in(&tx, tenant, &payment, give_back, texts, now).await;
        let newly_applied = finish(tx, res).await?;
        let payment = to_stars(scope::get::<sp::Entity, _>(&self.store.db, tenant, payment.id.0).await?)?;
        Ok(StarsRefund { payment, newly_applied })
    }

    /// Step 2 when Telegram refused the refund: the reservation is undone (a top-up's debit
    /// credited back) and `reason` recorded on the payment, which is `paid` again.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Conflict`] (no refund reserved); [`Error::Unavailable`].
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id()))]
    pub async fn release_stars_refund(
        &self,
        tenant: &Tenant,
        telegram_charge_id: &str,
        reason: &str,
    ) -> Result<StarsPayment> {
        let payment = self.refund_target(tenant, telegram_charge_id).await?;
        if payment.status != StarsStatus::Refunding {
            return Err(Error::Conflict("no refund of this payment is under way".to_owned()));
        }
        let reason: String = reason.chars().take(500).collect();
        let tx = self.store.write_tx().await?;
        let res = async {
            let row = scope::select::<sp::Entity>(tenant)
                .filter(sp::Column::Id.eq(payment.id.0))
                .lock_exclusive()
                .one(&tx)
                .await
                .map_err(unavailable)?
                .ok_or_else(|| Error::not_found("Telegram Stars payment"))?;
            let flipped = scope::update::<sp::Entity>(tenant)
                .col_expr(sp::Column::Status, Expr::value(StarsStatus::Paid.as_str()))
                .col_expr(sp::Column::RefundError, Expr::value(Some(reason)))
                .filter(sp::Column::Id.eq(payment.id.0))
                .filter(sp::Column::Status.eq(StarsStatus::Refunding.as_str()))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
            if flipped.rows_affected != 1 {
                return Err(Error::Conflict("this payment changed at the same time; try again".to_owned()));
            }
            if payment.purpose == PaymentPurpose::TopUp {
                let key = format!("stars-refund-undone:{}:{}", payment.id, row.refund_attempts);
                let posting =
                    Posting::credit(payment.amount, "refund_undone", &key)?.described("Telegram refused the refund");
                post_balance_in(&tx, tenant, payment.user_id, &posting).await?;
            }
            to_stars(scope::get::<sp::Entity, _>(&tx, tenant, payment.id.0).await?)
        }
        .await;
        finish(tx, res).await
    }

    async fn refund_target(&self, tenant: &Tenant, telegram_charge_id: &str) -> Result<StarsPayment> {
        self.stars_by_charge(tenant, telegram_charge_id.trim())
            .await?
            .ok_or_else(|| Error::not_found("Telegram Stars payment"))
    }

    async fn settle_refund_in(
        &self,
        tx: &DatabaseTransaction,
        tenant: &Tenant,
        payment: &StarsPayment,
        give_back: Option<(i64, u32)>,
        texts: &dyn OnlineTexts,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let flipped = scope::update::<sp::Entity>(tenant)
            .col_expr(sp::Column::Status, Expr::value(StarsStatus::Refunded.as_str()))
            .col_expr(sp::Column::RefundedAt, Expr::value(Some(now)))
            .filter(sp::Column::Id.eq(payment.id.0))
            .filter(sp::Column::Status.eq(StarsStatus::Refunding.as_str()))
            .exec(tx)
            .await
            .map_err(unavailable)?;
        if flipped.rows_affected != 1 {
            return Ok(false);
        }
        let key = format!("stars-refund:{}", payment.id);
        let customer = to_user(scope::get::<user::Entity, _>(tx, tenant, payment.user_id.0).await?);
        insert_in(
            tx,
            tenant,
            NewTransaction {
                user: customer.id,
                kind: TransactionKind::Refund,
                amount: payment.amount,
                payment_method: Some(PayMethod::TelegramStars.as_str().to_owned()),
                description: Some(format!("{} Stars refunded", payment.stars)),
                external_id: Some(key.clone()),
                completed: true,
                plan: None,
            },
        )
        .await?;
        // A top-up's balance was debited when the refund was reserved.
        if let Some((subscription, days)) = give_back {
            self.take_back_days(tx, tenant, subscription, days, &key, now).await?;
        }
        let text = texts.stars_refunded(customer.language, payment.stars);
        notify_in(tx, tenant, &customer, text, format!("stars-refunded:{}", payment.id), now).await?;
        Ok(true)
    }

    /// Takes `days` back from the subscription the order provisioned (not before `now`) and
    /// queues the change for the panel.
    async fn take_back_days(
        &self,
        tx: &DatabaseTransaction,
        tenant: &Tenant,
        subscription_id: i64,
        days: u32,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let sub = scope::select::<subscription::Entity>(tenant)
            .filter(subscription::Column::Id.eq(subscription_id))
            .one(tx)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| Error::not_found("subscription"))?;
        let pulled = limits::earlier(sub.expires_at, Duration::try_days(i64::from(days)).unwrap_or(Duration::MAX));
        let expires_at = Ord::max(pulled, now);
        let mut changed: subscription::ActiveModel = sub.into();
        changed.expires_at = Set(expires_at);
        if expires_at <= now {
            changed.status = Set(SubscriptionStatus::Expired.as_str().to_owned());
        }
        changed.updated_at = Set(now);
        changed.update(tx).await.map_err(unavailable)?;
        self.store
            .provisioning()
            .enqueue_entry(tx, tenant, subscription_id, ProvisionReason::Adjustment, false, key, now)
            .await?;
        Ok(())
    }
}

/// Store-level shorthand used by the callback route and the jobs.
impl Store {
    /// Whether `authority` has the shape of a local placeholder (never shown to anyone).
    pub fn is_local_authority(authority: &str) -> bool {
        authority.starts_with(LOCAL_AUTHORITY)
    }
}
