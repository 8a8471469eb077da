//! Payments: card-to-card transfers reviewed by an admin (with a receipt and exactly-once
//! approve/reject/expire transitions), the admins' copies of each receipt (review messages,
//! rewritten with the outcome through the notification outbox once the review is over) and
//! Zarinpal gateway payments (exactly-once paid).

use chrono::{DateTime, Utc};
use remnabot_domain::config::Language;
use remnabot_domain::{CardId, Error, Page, PaymentId, PlanId, Result, Tenant, TgUserId, Toman, TransactionId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;

use crate::db::{is_unique_violation, map_write, unavailable};
use crate::entity::{
    bot_plan, card_to_card_payment as card_pay, payment_card, review_message as review, transaction, user,
    zarinpal_payment as zp,
};
use crate::outbox::{MAX_CAPTION, MAX_TEXT, NewEdit, enqueue_edit_in};
use crate::sales::SaleTexts;
use crate::subscriptions::str_enum;
use crate::users::{optional_text, random_code};
use crate::{Store, scope};

mod fingerprint;

str_enum!(
    /// Where a card-to-card payment stands.
    PaymentStatus, "status" {
        /// Waiting for the receipt and the admin's review.
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
        /// Not reviewed before its deadline.
        Expired => "expired",
    }
);

str_enum!(
    /// Where a Zarinpal payment stands.
    ZarinpalStatus, "status" {
        /// Sent to the gateway, not verified yet.
        Pending => "pending",
        /// Verified as paid.
        Paid => "paid",
        /// Cancelled or failed verification.
        Failed => "failed",
    }
);

str_enum!(
    /// What a payment pays for.
    PaymentPurpose, "purpose" {
        /// A new subscription to `plan`.
        Purchase => "purchase",
        /// Renewing a subscription.
        Renewal => "renewal",
        /// Adding to the customer's balance.
        TopUp => "top_up",
    }
);

str_enum!(
    /// What the customer sent as proof of a card-to-card transfer.
    ReceiptKind, "receipt_kind" {
        Photo => "photo",
        Document => "document",
        Text => "text",
    }
);

/// Proof of a card-to-card transfer: a Telegram photo or document (`file_id`, optional
/// caption in `text`) or a text (for example the bank's reference number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub kind: ReceiptKind,
    pub file_id: Option<String>,
    /// Telegram's `file_unique_id` of the photo or document: the same file sent again has the
    /// same one, so a receipt reused for another payment is noticed ([`fingerprint`]).
    pub file_unique_id: Option<String>,
    pub text: Option<String>,
}

impl Receipt {
    fn validate(self) -> Result<Receipt> {
        let file_id = optional_text("file_id", self.file_id, 255)?;
        // Telegram's unique ids are short; the fingerprint column holds 128 characters.
        let file_unique_id = optional_text("file_unique_id", self.file_unique_id, 100)?;
        let text = optional_text("text", self.text, 4096)?;
        match self.kind {
            ReceiptKind::Photo | ReceiptKind::Document if file_id.is_none() => {
                return Err(Error::invalid("file_id", "is required for a photo or document receipt"));
            }
            ReceiptKind::Text if text.is_none() => {
                return Err(Error::invalid("text", "is required for a text receipt"));
            }
            ReceiptKind::Text if file_id.is_some() => {
                return Err(Error::invalid("file_id", "must be empty for a text receipt"));
            }
            ReceiptKind::Text if file_unique_id.is_some() => {
                return Err(Error::invalid("file_unique_id", "must be empty for a text receipt"));
            }
            _ => {}
        }
        Ok(Receipt { kind: self.kind, file_id, file_unique_id, text })
    }
}

/// Checks that the purpose and plan fit together and that the plan is this tenant's.
pub(crate) async fn check_plan<C: ConnectionTrait>(
    c: &C,
    tenant: &Tenant,
    purpose: PaymentPurpose,
    plan: Option<PlanId>,
) -> Result<()> {
    match (purpose, plan) {
        (PaymentPurpose::Purchase, None) => Err(Error::invalid("plan", "is required for a purchase")),
        (PaymentPurpose::TopUp, Some(_)) => Err(Error::invalid("plan", "must be empty for a top-up")),
        (_, Some(p)) => scope::get::<bot_plan::Entity, _>(c, tenant, p.0).await.map(|_| ()),
        (_, None) => Ok(()),
    }
}

/// Checks that the transaction is this tenant's (the column has no foreign key).
async fn check_transaction<C: ConnectionTrait>(c: &C, tenant: &Tenant, t: Option<TransactionId>) -> Result<()> {
    match t {
        Some(t) => scope::get::<transaction::Entity, _>(c, tenant, t.0).await.map(|_| ()),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------
// Card to card
// ---------------------------------------------------------------------------------------

/// A card-to-card payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardPayment {
    pub id: PaymentId,
    pub user_id: UserId,
    pub card_id: CardId,
    pub amount: Toman,
    /// 10 characters of `A-Z0-9`, unique within the tenant; shown to the customer.
    pub tracking_code: String,
    pub status: PaymentStatus,
    pub purpose: PaymentPurpose,
    pub plan_id: Option<PlanId>,
    pub receipt: Option<Receipt>,
    pub transaction_id: Option<TransactionId>,
    pub reviewed_by: Option<TgUserId>,
    pub reject_reason: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The discount-code use that priced the order (`promocode_uses.id`), if one did.
    pub promocode_use_id: Option<i64>,
}

/// What starting a card-to-card payment needs.
#[derive(Debug, Clone)]
pub struct NewCardPayment {
    pub user: UserId,
    /// The tenant's card the customer is told to pay to.
    pub card: CardId,
    pub amount: Toman,
    pub purpose: PaymentPurpose,
    /// Required for a purchase, optional for a renewal, empty for a top-up.
    pub plan: Option<PlanId>,
    /// The deadline for the receipt; must be in the future.
    pub expires_at: DateTime<Utc>,
}

const TRACKING_CODE_LEN: usize = 10;
const TRACKING_CODE_ATTEMPTS: usize = 8;

pub(crate) fn to_card_payment(m: card_pay::Model) -> Result<CardPayment> {
    let receipt = match m.receipt_kind.as_deref() {
        Some(kind) => Some(Receipt {
            kind: ReceiptKind::parse(kind)?,
            file_id: m.receipt_file_id,
            file_unique_id: fingerprint::file_unique_id(m.receipt_fingerprint.as_deref()),
            text: m.receipt_text,
        }),
        None => None,
    };
    Ok(CardPayment {
        id: PaymentId(m.id),
        user_id: UserId(m.user_id),
        card_id: CardId(m.card_id),
        amount: Toman(m.amount),
        tracking_code: m.tracking_code,
        status: PaymentStatus::parse(&m.status)?,
        purpose: PaymentPurpose::parse(&m.purpose)?,
        plan_id: m.plan_id.map(PlanId),
        receipt,
        transaction_id: m.transaction_id.map(TransactionId),
        reviewed_by: m.reviewed_by.map(TgUserId),
        reject_reason: m.reject_reason,
        expires_at: m.expires_at,
        reviewed_at: m.reviewed_at,
        created_at: m.created_at,
        promocode_use_id: m.promocode_use_id,
    })
}

/// [`CardPayments::create`] through `c` (the sales service's write transaction), recording
/// the discount-code use that priced the order.
pub(crate) async fn create_card_payment_in(
    c: &impl ConnectionTrait,
    tenant: &Tenant,
    new: NewCardPayment,
    promocode_use: Option<i64>,
) -> Result<CardPayment> {
    let amount = new.amount.positive("amount")?;
    let now = Utc::now();
    if new.expires_at <= now {
        return Err(Error::invalid("expires_at", "must be in the future"));
    }
    check_plan(c, tenant, new.purpose, new.plan).await?;
    // Checked before the insert: inside a PostgreSQL transaction a failed insert ends it.
    scope::get::<user::Entity, _>(c, tenant, new.user.0).await?;
    scope::get::<payment_card::Entity, _>(c, tenant, new.card.0).await.map_err(|_| Error::not_found("payment card"))?;
    for _ in 0..TRACKING_CODE_ATTEMPTS {
        // Drawn until unused: inside a PostgreSQL transaction a unique violation would end
        // the transaction, so the code is looked up first (a collision is one in 36^10 anyway).
        let code = random_code(TRACKING_CODE_LEN);
        let taken = scope::select::<card_pay::Entity>(tenant)
            .filter(card_pay::Column::TrackingCode.eq(code.as_str()))
            .one(c)
            .await
            .map_err(unavailable)?;
        if taken.is_some() {
            continue;
        }
        let inserted = card_pay::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(now),
            user_id: Set(new.user.0),
            card_id: Set(new.card.0),
            amount: Set(amount.0),
            tracking_code: Set(code),
            status: Set(PaymentStatus::Pending.as_str().to_owned()),
            purpose: Set(new.purpose.as_str().to_owned()),
            plan_id: Set(new.plan.map(|p| p.0)),
            receipt_kind: Set(None),
            receipt_file_id: Set(None),
            receipt_text: Set(None),
            transaction_id: Set(None),
            reviewed_by: Set(None),
            reject_reason: Set(None),
            expires_at: Set(new.expires_at),
            reviewed_at: Set(None),
            promocode_use_id: Set(promocode_use),
            receipt_fingerprint: Set(None),
            ..Default::default()
        }
        .insert(c)
        .await;
        return match inserted {
            Ok(m) => to_card_payment(m),
            Err(e) if is_unique_violation(&e) => {
                Err(Error::Conflict("could not generate a unique tracking code; try again".to_owned()))
            }
            Err(e) => Err(map_write(e, String::new, "user")),
        };
    }
    Err(Error::Conflict("could not generate a unique tracking code; try again".to_owned()))
}

/// The card-to-card payments repository.
#[derive(Debug, Clone, Copy)]
pub struct CardPayments<'a> {
    store: &'a Store,
}

impl Store {
    /// The card-to-card payments repository.
    pub fn card_payments(&self) -> CardPayments<'_> {
        CardPayments { store: self }
    }

    /// The Zarinpal payments repository.
    pub fn zarinpal_payments(&self) -> ZarinpalPayments<'_> {
        ZarinpalPayments { store: self }
    }
}

impl CardPayments<'_> {
    /// Starts a pending card-to-card payment with a fresh tracking code.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field (`amount` not positive, `expires_at` not in the
    /// future, `plan` missing for a purchase or given for a top-up); [`Error::NotFound`]
    /// (`user`, `payment card`, `plan`) for a reference outside this tenant;
    /// [`Error::Unavailable`].
    pub async fn create(&self, tenant: &Tenant, new: NewCardPayment) -> Result<CardPayment> {
        create_card_payment_in(&self.store.db, tenant, new, None).await
    }

    /// The payment `id` of this tenant.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for another tenant's), [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, id: PaymentId) -> Result<CardPayment> {
        to_card_payment(scope::get::<card_pay::Entity, _>(&self.store.db, tenant, id.0).await?)
    }

    /// The payment with this tracking code (any case), if this tenant has it.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn by_tracking_code(&self, tenant: &Tenant, code: &str) -> Result<Option<CardPayment>> {
        let code = code.trim().to_ascii_uppercase();
        if code.is_empty() || code.len() > 32 {
            return Ok(None);
        }
        let row = scope::select::<card_pay::Entity>(tenant)
            .filter(card_pay::Column::TrackingCode.eq(code))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        row.map(to_card_payment).transpose()
    }

    /// A page of this tenant's card-to-card payments, newest first, optionally of one status.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, tenant: &Tenant, status: Option<PaymentStatus>, page: Page) -> Result<Vec<CardPayment>> {
        let mut q = scope::select::<card_pay::Entity>(tenant);
        if let Some(s) = status {
            q = q.filter(card_pay::Column::Status.eq(s.as_str()));
        }
        let rows =
            scope::paged(q.order_by_desc(card_pay::Column::Id), page).all(&self.store.db).await.map_err(unavailable)?;
        rows.into_iter().map(to_card_payment).collect()
    }

    /// Attaches the customer's receipt. Only one receipt per payment, and only while the
    /// payment is pending and before its deadline.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field (`file_id` missing for a photo or document, `text`
    /// missing for a text); [`Error::NotFound`]; [`Error::Conflict`] when a receipt is already
    /// attached or the payment is no longer pending or past its deadline;
    /// [`Error::Unavailable`].
    pub async fn attach_receipt(&self, tenant: &Tenant, id: PaymentId, receipt: Receipt) -> Result<CardPayment> {
        let now = Utc::now();
        let current = self.get(tenant, id).await?;
        self.attach_receipt_until(tenant, id, receipt, now, current.expires_at).await
    }

    /// [`CardPayments::attach_receipt`] that also moves the deadline to `review_until`,
    /// the time the admins have to review it.
    ///
    /// # Errors
    /// As [`CardPayments::attach_receipt`].
    pub async fn attach_receipt_until(
        &self,
        tenant: &Tenant,
        id: PaymentId,
        receipt: Receipt,
        now: DateTime<Utc>,
        review_until: DateTime<Utc>,
    ) -> Result<CardPayment> {
        let receipt = receipt.validate()?;
        let fingerprint = fingerprint::fingerprint(&receipt);
        let res = scope::update::<card_pay::Entity>(tenant)
            .col_expr(card_pay::Column::ReceiptKind, Expr::value(Some(receipt.kind.as_str())))
            .col_expr(card_pay::Column::ReceiptFingerprint, Expr::value(fingerprint))
            .col_expr(card_pay::Column::ReceiptFileId, Expr::value(receipt.file_id))
            .col_expr(card_pay::Column::ReceiptText, Expr::value(receipt.text))
            .col_expr(card_pay::Column::ExpiresAt, Expr::value(review_until))
            .filter(card_pay::Column::Id.eq(id.0))
            .filter(card_pay::Column::Status.eq(PaymentStatus::Pending.as_str()))
            .filter(card_pay::Column::ReceiptKind.is_null())
            .filter(card_pay::Column::ExpiresAt.gt(now))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        if res.rows_affected == 0 {
            return Err(self.why_not_changed(tenant, id, now).await);
        }
        self.get(tenant, id).await
    }

    /// Approves a pending payment, exactly once: of two concurrent approvals one wins and the
    /// other gets a conflict. `transaction` is the money record this approval produced.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`card-to-card payment`, or `transaction` of another tenant);
    /// [`Error::Conflict`] when the payment was already approved, rejected or expired;
    /// [`Error::Unavailable`].
    pub async fn approve(
        &self,
        tenant: &Tenant,
        id: PaymentId,
        reviewer: TgUserId,
        transaction: Option<TransactionId>,
        now: DateTime<Utc>,
    ) -> Result<CardPayment> {
        check_transaction(&self.store.db, tenant, transaction).await?;
        self.review(tenant, id, PaymentStatus::Approved, reviewer, now, |q| {
            q.col_expr(card_pay::Column::TransactionId, Expr::value(transaction.map(|t| t.0)))
        })
        .await
    }

    /// Moves a pending payment to `status` with its reviewer, in one conditional update, so
    /// exactly one review of a payment ever succeeds.
    async fn review(
        &self,
        tenant: &Tenant,
        id: PaymentId,
        status: PaymentStatus,
        reviewer: TgUserId,
        now: DateTime<Utc>,
        extra: impl FnOnce(sea_orm::UpdateMany<card_pay::Entity>) -> sea_orm::UpdateMany<card_pay::Entity>,
    ) -> Result<CardPayment> {
        let q = scope::update::<card_pay::Entity>(tenant)
            .col_expr(card_pay::Column::Status, Expr::value(status.as_str()))
            .col_expr(card_pay::Column::ReviewedBy, Expr::value(Some(reviewer.0)))
            .col_expr(card_pay::Column::ReviewedAt, Expr::value(Some(now)));
        let tx = self.store.write_tx().await?;
        let res = async {
            let res = extra(q)
                .filter(card_pay::Column::Id.eq(id.0))
                .filter(card_pay::Column::Status.eq(PaymentStatus::Pending.as_str()))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
            if res.rows_affected == 1 && status != PaymentStatus::Approved {
                crate::sales::discount::release_in(&tx, tenant, &format!("card:{id}")).await?;
            }
            Ok(res.rows_affected)
        }
        .await;
        let changed = match res {
            Ok(n) => {
                tx.commit().await.map_err(unavailable)?;
                n
            }
            Err(e) => {
                tx.rollback().await.map_err(unavailable)?;
                return Err(e);
            }
        };
        if changed == 0 {
            return Err(self.why_not_changed(tenant, id, now).await);
        }
        self.get(tenant, id).await
    }

    /// Rejects a pending payment, exactly once.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`reason` longer than 1000 characters); [`Error::NotFound`];
    /// [`Error::Conflict`] when the payment was already approved, rejected or expired;
    /// [`Error::Unavailable`].
    pub async fn reject(
        &self,
        tenant: &Tenant,
        id: PaymentId,
        reviewer: TgUserId,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<CardPayment> {
        let reason = optional_text("reason", reason, 1000)?;
        self.review(tenant, id, PaymentStatus::Rejected, reviewer, now, |q| {
            q.col_expr(card_pay::Column::RejectReason, Expr::value(reason))
        })
        .await
    }

    /// Marks every pending payment whose deadline is at or before `now` as expired and
    /// returns them. A payment is expired by exactly one call, and never after an approval
    /// or rejection won.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn expire_due(&self, tenant: &Tenant, now: DateTime<Utc>) -> Result<Vec<CardPayment>> {
        let tx = self.store.write_tx().await?;
        let res = expire_due_in(&tx, tenant, now).await;
        match res {
            Ok(rows) => {
                tx.commit().await.map_err(unavailable)?;
                Ok(rows)
            }
            Err(e) => {
                tx.rollback().await.map_err(unavailable)?;
                Err(e)
            }
        }
    }

    /// Why a review or receipt of payment `id` changed nothing, as a conflict (or the
    /// payment's lookup error).
    pub(crate) async fn conflict(&self, tenant: &Tenant, id: PaymentId, now: DateTime<Utc>) -> Error {
        self.why_not_changed(tenant, id, now).await
    }

    /// The error for a conditional update that matched nothing.
    async fn why_not_changed(&self, tenant: &Tenant, id: PaymentId, now: DateTime<Utc>) -> Error {
        let current = match self.get(tenant, id).await {
            Ok(p) => p,
            Err(e) => return e,
        };
        let msg = match current.status {
            PaymentStatus::Approved => "this payment was already approved",
            PaymentStatus::Rejected => "this payment was already rejected",
            PaymentStatus::Expired => "this payment has expired",
            PaymentStatus::Pending if current.receipt.is_some() => "a receipt is already attached to this payment",
            PaymentStatus::Pending if current.expires_at <= now => "this payment has expired",
            PaymentStatus::Pending => "this payment changed at the same time; try again",
        };
        Error::Conflict(msg.to_owned())
    }
}

// ---------------------------------------------------------------------------------------
// Review messages
// ---------------------------------------------------------------------------------------

/// One admin's copy of a receipt: the message the bot sent to a chat for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewMessage {
    pub id: i64,
    pub payment_id: PaymentId,
    pub chat_id: i64,
    pub message_id: i64,
    /// A photo or document (its caption is edited), not a text message.
    pub has_caption: bool,
    /// The language the copy is written in; the outcome is added in it.
    pub language: Language,
    /// The text or caption as sent.
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// A copy of a receipt just sent to an admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReviewMessage {
    pub chat_id: i64,
    pub message_id: i64,
    pub has_caption: bool,
    pub language: Language,
    /// 1 to 4096 characters, as sent.
    pub text: String,
}

fn to_review_message(m: review::Model) -> ReviewMessage {
    ReviewMessage {
        id: m.id,
        payment_id: PaymentId(m.payment_id),
        chat_id: m.chat_id,
        message_id: m.message_id,
        has_caption: m.has_caption,
        language: Language::parse(&m.language).unwrap_or_default(),
        text: m.text,
        created_at: m.created_at,
    }
}

/// A reviewed copy's new text: the text as sent, a blank line and the outcome, within
/// Telegram's limit (1024 characters for a caption, 4096 for a text). The part as sent is cut
/// to make room, never the outcome, unless the outcome alone is over the limit.
pub fn review_edit_text(sent: &str, caption: bool, outcome: &str) -> String {
    let limit = if caption { MAX_CAPTION } else { MAX_TEXT };
    let outcome = remnabot_domain::text::clip(outcome.trim(), limit).into_owned();
    let room = limit.saturating_sub(outcome.chars().count());
    let sent = sent.trim_end();
    if room <= 2 || sent.is_empty() {
        return outcome;
    }
    format!("{}\n\n{outcome}", remnabot_domain::text::clip(sent, room - 2))
}

/// Queues the edit that shows `payment`'s outcome on one copy of its receipt; its key is
/// per (payment, chat, message), so the same copy is edited once.
async fn queue_review_edit_in(
    c: &impl ConnectionTrait,
    tenant: &Tenant,
    payment: &CardPayment,
    copy: &ReviewMessage,
    texts: &dyn SaleTexts,
    now: DateTime<Utc>,
) -> Result<()> {
    let outcome = texts.review_outcome(copy.language, payment);
    if outcome.trim().is_empty() {
        return Ok(());
    }
    let edit = NewEdit {
        chat_id: copy.chat_id,
        message_id: copy.message_id,
        caption: copy.has_caption,
        text: review_edit_text(&copy.text, copy.has_caption, &outcome),
        button: texts.review_button(copy.language, payment),
        idempotency_key: format!("review-edit:{}:{}:{}", payment.id, copy.chat_id, copy.message_id),
    };
    enqueue_edit_in(c, tenant, &edit, now).await.map(|_| ())
}

/// Queues the outcome's edit of every recorded copy of `payment`'s receipt, in the caller's
/// transaction (the one that moved the payment out of `pending`).
pub(crate) async fn queue_review_edits_in(
    tx: &sea_orm::DatabaseTransaction,
    tenant: &Tenant,
    payment: &CardPayment,
    texts: &dyn SaleTexts,
    now: DateTime<Utc>,
) -> Result<()> {
    let copies = scope::select::<review::Entity>(tenant)
        .filter(review::Column::PaymentId.eq(payment.id.0))
        .order_by_asc(review::Column::Id)
        .all(tx)
        .await
        .map_err(unavailable)?;
    for copy in copies {
        queue_review_edit_in(tx, tenant, payment, &to_review_message(copy), texts, now).await?;
    }
    Ok(())
}

impl CardPayments<'_> {
    /// Records a copy of `payment`'s receipt sent to an admin, so the review's outcome is
    /// shown on it whoever decides. A copy recorded after the review is over (an admin was
    /// faster than the sending) gets its edit queued at once, in the same transaction.
    /// Recording the same message twice is harmless.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`text` empty or over 4096 characters); [`Error::NotFound`] for a
    /// payment of another tenant; [`Error::Conflict`] when the message is recorded for
    /// another payment; [`Error::Unavailable`].
    pub async fn record_review_message(
        &self,
        tenant: &Tenant,
        payment: PaymentId,
        new: NewReviewMessage,
        texts: &dyn SaleTexts,
        now: DateTime<Utc>,
    ) -> Result<ReviewMessage> {
        if new.text.trim().is_empty() || new.text.chars().count() > MAX_TEXT {
            return Err(Error::invalid("text", "must be 1 to 4096 characters"));
        }
        let tx = self.store.write_tx().await?;
        let res = async {
            // Locked so a review running now either sees this copy or is seen by it.
            let current = scope::select::<card_pay::Entity>(tenant)
                .filter(card_pay::Column::Id.eq(payment.0))
                .lock_exclusive()
                .one(&tx)
                .await
                .map_err(unavailable)?
                .ok_or_else(|| Error::not_found("card-to-card payment"))?;
            let existing = scope::select::<review::Entity>(tenant)
                .filter(review::Column::ChatId.eq(new.chat_id))
                .filter(review::Column::MessageId.eq(new.message_id))
                .one(&tx)
                .await
                .map_err(unavailable)?;
            if let Some(m) = existing {
                if m.payment_id != payment.0 {
                    return Err(Error::Conflict("this message is recorded for another payment".to_owned()));
                }
                return Ok(to_review_message(m));
            }
            let m = review::ActiveModel {
                bot_id: Set(tenant.bot_id().0),
                created_at: Set(now),
                payment_id: Set(payment.0),
                chat_id: Set(new.chat_id),
                message_id: Set(new.message_id),
                has_caption: Set(new.has_caption),
                language: Set(new.language.code().to_owned()),
                text: Set(new.text.clone()),
                ..Default::default()
            }
            .insert(&tx)
            .await
            .map_err(unavailable)?;
            let copy = to_review_message(m);
            let current = to_card_payment(current)?;
            if current.status != PaymentStatus::Pending {
                queue_review_edit_in(&tx, tenant, &current, &copy, texts, now).await?;
            }
            Ok(copy)
        }
        .await;
        match res {
            Ok(copy) => {
                tx.commit().await.map_err(unavailable)?;
                Ok(copy)
            }
            Err(e) => {
                tx.rollback().await.map_err(unavailable)?;
                Err(e)
            }
        }
    }

    /// The recorded copies of `payment`'s receipt, oldest first (none for another tenant's).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn review_messages(&self, tenant: &Tenant, payment: PaymentId) -> Result<Vec<ReviewMessage>> {
        let rows = scope::select::<review::Entity>(tenant)
            .filter(review::Column::PaymentId.eq(payment.0))
            .order_by_asc(review::Column::Id)
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(rows.into_iter().map(to_review_message).collect())
    }

    /// The recorded copy that is message `message_id` of `chat_id`, if any.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn review_message(
        &self,
        tenant: &Tenant,
        chat_id: i64,
        message_id: i64,
    ) -> Result<Option<ReviewMessage>> {
        let row = scope::select::<review::Entity>(tenant)
            .filter(review::Column::ChatId.eq(chat_id))
            .filter(review::Column::MessageId.eq(message_id))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(row.map(to_review_message))
    }
}

/// [`CardPayments::expire_due`] inside the caller's write transaction.
pub(crate) async fn expire_due_in(
    tx: &sea_orm::DatabaseTransaction,
    tenant: &Tenant,
    now: DateTime<Utc>,
) -> Result<Vec<CardPayment>> {
    // Locks the rows on PostgreSQL; SQLite's write transaction serialises writers.
    let due: Vec<i64> = scope::select::<card_pay::Entity>(tenant)
        .filter(card_pay::Column::Status.eq(PaymentStatus::Pending.as_str()))
        .filter(card_pay::Column::ExpiresAt.lte(now))
        .lock_exclusive()
        .all(tx)
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(|m| m.id)
        .collect();
    if due.is_empty() {
        return Ok(Vec::new());
    }
    scope::update::<card_pay::Entity>(tenant)
        .col_expr(card_pay::Column::Status, Expr::value(PaymentStatus::Expired.as_str()))
        .filter(card_pay::Column::Id.is_in(due.clone()))
        .filter(card_pay::Column::Status.eq(PaymentStatus::Pending.as_str()))
        .exec(tx)
        .await
        .map_err(unavailable)?;
    let rows = scope::select::<card_pay::Entity>(tenant)
        .filter(card_pay::Column::Id.is_in(due))
        .filter(card_pay::Column::Status.eq(PaymentStatus::Expired.as_str()))
        .order_by_asc(card_pay::Column::Id)
        .all(tx)
        .await
        .map_err(unavailable)?;
    // An expired order gives its discount code back for the next one.
    for row in &rows {
        crate::sales::discount::release_in(tx, tenant, &format!("card:{}", row.id)).await?;
    }
    rows.into_iter().map(to_card_payment).collect()
}

// ---------------------------------------------------------------------------------------
// Zarinpal
// ---------------------------------------------------------------------------------------

/// A Zarinpal gateway payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZarinpalPayment {
    pub id: PaymentId,
    pub user_id: UserId,
    pub amount: Toman,
    /// The gateway's id for the payment, unique within the tenant.
    pub authority: String,
    pub status: ZarinpalStatus,
    pub purpose: PaymentPurpose,
    pub plan_id: Option<PlanId>,
    /// The gateway's reference once paid.
    pub ref_id: Option<i64>,
    /// The masked card number the gateway reports.
    pub card_pan: Option<String>,
    pub description: Option<String>,
    pub transaction_id: Option<TransactionId>,
    pub paid_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Why it failed (the gateway's answer), when it did.
    pub fail_reason: Option<String>,
    /// The discount-code use that priced the order (`promocode_uses.id`), if one did.
    pub promocode_use_id: Option<i64>,
}

/// What recording a Zarinpal payment needs.
#[derive(Debug, Clone)]
pub struct NewZarinpalPayment {
    pub user: UserId,
    pub amount: Toman,
    /// 1 to 64 characters.
    pub authority: String,
    pub purpose: PaymentPurpose,
    /// Required for a purchase, optional for a renewal, empty for a top-up.
    pub plan: Option<PlanId>,
    pub description: Option<String>,
}

pub(crate) fn to_zarinpal(m: zp::Model) -> Result<ZarinpalPayment> {
    Ok(ZarinpalPayment {
        id: PaymentId(m.id),
        user_id: UserId(m.user_id),
        amount: Toman(m.amount),
        authority: m.authority,
        status: ZarinpalStatus::parse(&m.status)?,
        purpose: PaymentPurpose::parse(&m.purpose)?,
        plan_id: m.plan_id.map(PlanId),
        ref_id: m.ref_id,
        card_pan: m.card_pan,
        description: m.description,
        transaction_id: m.transaction_id.map(TransactionId),
        paid_at: m.paid_at,
        created_at: m.created_at,
        fail_reason: m.fail_reason,
        promocode_use_id: m.promocode_use_id,
    })
}

/// The Zarinpal payments repository.
#[derive(Debug, Clone, Copy)]
pub struct ZarinpalPayments<'a> {
    store: &'a Store,
}

impl ZarinpalPayments<'_> {
    /// Records a pending Zarinpal payment.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field (`amount`, `authority`, `plan`, `description`);
    /// [`Error::NotFound`] (`user`, `plan`) for a reference outside this tenant;
    /// [`Error::Conflict`] when this tenant already has the authority; [`Error::Unavailable`].
    pub async fn create(&self, tenant: &Tenant, new: NewZarinpalPayment) -> Result<ZarinpalPayment> {
        let amount = new.amount.positive("amount")?;
        let authority = new.authority.trim().to_owned();
        if authority.is_empty() || authority.chars().count() > 64 {
            return Err(Error::invalid("authority", "must be 1 to 64 characters"));
        }
        let description = optional_text("description", new.description, 4096)?;
        check_plan(&self.store.db, tenant, new.purpose, new.plan).await?;
        let m = zp::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(Utc::now()),
            user_id: Set(new.user.0),
            amount: Set(amount.0),
            authority: Set(authority.clone()),
            status: Set(ZarinpalStatus::Pending.as_str().to_owned()),
            purpose: Set(new.purpose.as_str().to_owned()),
            plan_id: Set(new.plan.map(|p| p.0)),
            ref_id: Set(None),
            card_pan: Set(None),
            description: Set(description),
            transaction_id: Set(None),
            paid_at: Set(None),
            fail_reason: Set(None),
            promocode_use_id: Set(None),
            ..Default::default()
        }
        .insert(&self.store.db)
        .await
        .map_err(|e| {
            map_write(e, || format!("this tenant already has a Zarinpal payment with authority {authority}"), "user")
        })?;
        to_zarinpal(m)
    }

    /// The payment `id` of this tenant.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for another tenant's), [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, id: PaymentId) -> Result<ZarinpalPayment> {
        to_zarinpal(scope::get::<zp::Entity, _>(&self.store.db, tenant, id.0).await?)
    }

    /// The payment with this gateway authority, if this tenant has it.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn by_authority(&self, tenant: &Tenant, authority: &str) -> Result<Option<ZarinpalPayment>> {
        let authority = authority.trim();
        if authority.is_empty() || authority.chars().count() > 64 {
            return Ok(None);
        }
        let row = scope::select_by_key::<zp::Entity>(tenant)
            .filter(zp::Column::Authority.eq(authority))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        row.map(to_zarinpal).transpose()
    }

    /// A page of this tenant's Zarinpal payments, newest first, optionally of one status.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(
        &self,
        tenant: &Tenant,
        status: Option<ZarinpalStatus>,
        page: Page,
    ) -> Result<Vec<ZarinpalPayment>> {
        let mut q = scope::select::<zp::Entity>(tenant);
        if let Some(s) = status {
            q = q.filter(zp::Column::Status.eq(s.as_str()));
        }
        let rows =
            scope::paged(q.order_by_desc(zp::Column::Id), page).all(&self.store.db).await.map_err(unavailable)?;
        rows.into_iter().map(to_zarinpal).collect()
    }

    /// Marks a pending payment paid. Atomic: returns `true` only for the call that did it
    /// (so only that caller credits the customer), `false` when it was not pending.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`card_pan` longer than 32 characters); [`Error::NotFound`];
    /// [`Error::Unavailable`].
    pub async fn mark_paid(
        &self,
        tenant: &Tenant,
        id: PaymentId,
        ref_id: i64,
        card_pan: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let card_pan = optional_text("card_pan", card_pan, 32)?;
        let res = scope::update::<zp::Entity>(tenant)
            .col_expr(zp::Column::Status, Expr::value(ZarinpalStatus::Paid.as_str()))
            .col_expr(zp::Column::RefId, Expr::value(Some(ref_id)))
            .col_expr(zp::Column::CardPan, Expr::value(card_pan))
            .col_expr(zp::Column::PaidAt, Expr::value(Some(now)))
            .filter(zp::Column::Id.eq(id.0))
            .filter(zp::Column::Status.eq(ZarinpalStatus::Pending.as_str()))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        self.flipped(tenant, id, res.rows_affected).await
    }

    /// Marks a pending payment failed. Returns whether this call did it.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn mark_failed(&self, tenant: &Tenant, id: PaymentId) -> Result<bool> {
        let tx = self.store.write_tx().await?;
        let res = async {
            let res = scope::update::<zp::Entity>(tenant)
                .col_expr(zp::Column::Status, Expr::value(ZarinpalStatus::Failed.as_str()))
                .filter(zp::Column::Id.eq(id.0))
                .filter(zp::Column::Status.eq(ZarinpalStatus::Pending.as_str()))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
            if res.rows_affected == 1 {
                // A failed order gives its discount code back for the next one.
                crate::sales::discount::release_in(&tx, tenant, &format!("zarinpal:{id}")).await?;
            }
            Ok(res.rows_affected)
        }
        .await;
        let rows = match res {
            Ok(n) => {
                tx.commit().await.map_err(unavailable)?;
                n
            }
            Err(e) => {
                tx.rollback().await.map_err(unavailable)?;
                return Err(e);
            }
        };
        self.flipped(tenant, id, rows).await
    }

    /// Links the payment to the money transaction it produced, once.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`Zarinpal payment`, or `transaction` of another tenant);
    /// [`Error::Conflict`] when it is already linked to another transaction;
    /// [`Error::Unavailable`].
    pub async fn link_transaction(
        &self,
        tenant: &Tenant,
        id: PaymentId,
        transaction: TransactionId,
    ) -> Result<ZarinpalPayment> {
        check_transaction(&self.store.db, tenant, Some(transaction)).await?;
        scope::update::<zp::Entity>(tenant)
            .col_expr(zp::Column::TransactionId, Expr::value(Some(transaction.0)))
            .filter(zp::Column::Id.eq(id.0))
            .filter(zp::Column::TransactionId.is_null())
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        let current = self.get(tenant, id).await?;
        match current.transaction_id {
            Some(t) if t == transaction => Ok(current),
            Some(t) => Err(Error::Conflict(format!("this payment is already linked to transaction {t}"))),
            None => Err(Error::Conflict("this payment changed at the same time; try again".to_owned())),
        }
    }

    async fn flipped(&self, tenant: &Tenant, id: PaymentId, rows_affected: u64) -> Result<bool> {
        if rows_affected > 0 {
            return Ok(true);
        }
        scope::get::<zp::Entity, _>(&self.store.db, tenant, id.0).await?;
        Ok(false)
    }
}
