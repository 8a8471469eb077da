//! A tenant's payment cards for card-to-card payment: CRUD, rotation (which card the next
//! customer pays to), usage recording and optional daily caps.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use remnabot_domain::card::{CardCandidate, CardNumber, RotationStrategy, pick};
use remnabot_domain::limits;
use remnabot_domain::text::{BankName, HolderName};
use remnabot_domain::{CardId, Error, Page, Result, Tenant, Toman};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use crate::db::{map_write, unavailable};
use crate::entity::payment_card;
use crate::{Store, scope};

/// A payment card with its usage statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaymentCard {
    pub id: CardId,
    /// The full number, for showing to a paying customer; its `Debug` is masked.
    #[serde(serialize_with = "serialize_number")]
    pub number: CardNumber,
    pub holder_name: String,
    pub bank_name: Option<String>,
    pub weight: u32,
    pub is_active: bool,
    pub usage_count: i64,
    pub success_count: i64,
    pub failure_count: i64,
    pub success_rate: f64,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_selected_at: Option<DateTime<Utc>>,
    pub daily_count_cap: Option<i64>,
    pub daily_amount_cap: Option<Toman>,
    /// Successful payments and their total on the current (Tehran) day.
    pub today_count: i64,
    pub today_amount: Toman,
    pub created_at: DateTime<Utc>,
}

fn serialize_number<S: serde::Serializer>(n: &CardNumber, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(n.as_str())
}

/// The fields of a card, for creating or replacing one.
#[derive(Debug, Clone)]
pub struct CardSpec {
    /// As typed: spaces, dashes and Persian digits are accepted.
    pub number: String,
    pub holder_name: String,
    pub bank_name: Option<String>,
    pub weight: u32,
    pub daily_count_cap: Option<i64>,
    pub daily_amount_cap: Option<Toman>,
}

struct ValidCard {
    number: CardNumber,
    holder_name: String,
    bank_name: Option<String>,
    weight: i32,
    daily_count_cap: Option<i64>,
    daily_amount_cap: Option<i64>,
}

impl CardSpec {
    fn validate(self) -> Result<ValidCard> {
        let number = CardNumber::parse(&self.number)?;
        let holder_name = HolderName::parse(&self.holder_name)?.into_string();
        let bank_name = BankName::parse_opt(self.bank_name.as_deref())?.map(String::from);
        limits::check_u32("weight", self.weight, limits::CARD_WEIGHT)?;
        if let Some(cap) = self.daily_count_cap {
            limits::check("daily_count_cap", cap, limits::DAILY_COUNT_CAP)?;
        }
        if let Some(cap) = self.daily_amount_cap {
            limits::check("daily_amount_cap", cap.0, limits::AMOUNT)?;
        }
        Ok(ValidCard {
            number,
            holder_name,
            bank_name,
            weight: self.weight as i32,
            daily_count_cap: self.daily_count_cap,
            daily_amount_cap: self.daily_amount_cap.map(|t| t.0),
        })
    }
}

/// Iran has kept UTC+03:30 all year since 2022; daily caps reset at Tehran midnight.
const TEHRAN: FixedOffset = match FixedOffset::east_opt(3 * 3600 + 1800) {
    Some(offset) => offset,
    None => panic!("BUG: +03:30 is a valid offset"),
};

fn tehran_day(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&TEHRAN).date_naive()
}

fn to_card(m: payment_card::Model, today: NaiveDate) -> Result<PaymentCard> {
    let number = CardNumber::parse(&m.card_number)
        .map_err(|_| Error::invalid("card_number", "stored card number is damaged"))?;
    let current = m.usage_day == Some(today);
    let success_rate = candidate(&m, today).success_rate();
    Ok(PaymentCard {
        id: CardId(m.id),
        number,
        holder_name: m.holder_name,
        bank_name: m.bank_name,
        weight: u32::try_from(m.weight).unwrap_or(0),
        is_active: m.is_active,
        usage_count: m.usage_count,
        success_count: m.success_count,
        failure_count: m.failure_count,
        success_rate,
        last_used_at: m.last_used_at,
        last_selected_at: m.last_selected_at,
        daily_count_cap: m.daily_count_cap,
        daily_amount_cap: m.daily_amount_cap.map(Toman),
        today_count: if current { m.day_count } else { 0 },
        today_amount: Toman(if current { m.day_amount } else { 0 }),
        created_at: m.created_at,
    })
}

fn candidate(m: &payment_card::Model, today: NaiveDate) -> CardCandidate {
    let current = m.usage_day == Some(today);
    CardCandidate {
        id: CardId(m.id),
        weight: u32::try_from(m.weight).unwrap_or(0),
        success_count: m.success_count,
        failure_count: m.failure_count,
        last_selected_at: m.last_selected_at,
        daily_count_cap: m.daily_count_cap,
        daily_amount_cap: m.daily_amount_cap.map(Toman),
        today_count: if current { m.day_count } else { 0 },
        today_amount: Toman(if current { m.day_amount } else { 0 }),
    }
}

/// The payment-card repository and rotation service.
#[derive(Debug, Clone, Copy)]
pub struct Cards<'a> {
    store: &'a Store,
}

impl Store {
    /// The payment-card repository and rotation service.
    pub fn cards(&self) -> Cards<'_> {
        Cards { store: self }
    }
}

impl Cards<'_> {
    /// Adds an active card.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field (a card number must have 16 digits and pass the
    /// Luhn check); [`Error::Conflict`] when the tenant already has this card.
    pub async fn create(&self, tenant: &Tenant, spec: CardSpec) -> Result<PaymentCard> {
        let v = spec.validate()?;
        let masked = v.number.masked();
        let now = Utc::now();
        let m = payment_card::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(now),
            updated_at: Set(now),
            card_number: Set(v.number.as_str().to_owned()),
            holder_name: Set(v.holder_name),
            bank_name: Set(v.bank_name),
            weight: Set(v.weight),
            is_active: Set(true),
            usage_count: Set(0),
            success_count: Set(0),
            failure_count: Set(0),
            last_used_at: Set(None),
            last_selected_at: Set(None),
            daily_count_cap: Set(v.daily_count_cap),
            daily_amount_cap: Set(v.daily_amount_cap),
            usage_day: Set(None),
            day_count: Set(0),
            day_amount: Set(0),
            ..Default::default()
        }
        .insert(&self.store.db)
        .await
        .map_err(|e| map_write(e, || format!("this tenant already has card {masked}"), "bot"))?;
        to_card(m, tehran_day(now))
    }

    async fn model(&self, tenant: &Tenant, id: CardId) -> Result<payment_card::Model> {
        scope::get::<payment_card::Entity, _>(&self.store.db, tenant, id.0).await
    }

    /// The card `id` of this tenant.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for another tenant's card).
    pub async fn get(&self, tenant: &Tenant, id: CardId) -> Result<PaymentCard> {
        to_card(self.model(tenant, id).await?, tehran_day(Utc::now()))
    }

    /// The tenant's cards by id; only active ones when `active_only`.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, tenant: &Tenant, active_only: bool, page: Page) -> Result<Vec<PaymentCard>> {
        let mut q = scope::select::<payment_card::Entity>(tenant);
        if active_only {
            q = q.filter(payment_card::Column::IsActive.eq(true));
        }
        let rows = scope::paged(q.order_by_asc(payment_card::Column::Id), page)
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        let today = tehran_day(Utc::now());
        rows.into_iter().map(|m| to_card(m, today)).collect()
    }

    /// How many cards the tenant has.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn count(&self, tenant: &Tenant) -> Result<u64> {
        scope::count::<payment_card::Entity, _>(&self.store.db, tenant).await
    }

    /// Replaces the card's fields (statistics are kept).
    ///
    /// # Errors
    /// [`Error::Invalid`], [`Error::NotFound`], [`Error::Conflict`].
    pub async fn update(&self, tenant: &Tenant, id: CardId, spec: CardSpec) -> Result<PaymentCard> {
        let v = spec.validate()?;
        let masked = v.number.masked();
        let mut row: payment_card::ActiveModel = self.model(tenant, id).await?.into();
        row.card_number = Set(v.number.as_str().to_owned());
        row.holder_name = Set(v.holder_name);
        row.bank_name = Set(v.bank_name);
        row.weight = Set(v.weight);
        row.daily_count_cap = Set(v.daily_count_cap);
        row.daily_amount_cap = Set(v.daily_amount_cap);
        row.updated_at = Set(Utc::now());
        let m = row
            .update(&self.store.db)
            .await
            .map_err(|e| map_write(e, || format!("this tenant already has card {masked}"), "bot"))?;
        to_card(m, tehran_day(Utc::now()))
    }

    /// Takes the card in or out of rotation.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    pub async fn set_active(&self, tenant: &Tenant, id: CardId, active: bool) -> Result<PaymentCard> {
        let mut row: payment_card::ActiveModel = self.model(tenant, id).await?.into();
        row.is_active = Set(active);
        row.updated_at = Set(Utc::now());
        let m = row.update(&self.store.db).await.map_err(unavailable)?;
        to_card(m, tehran_day(Utc::now()))
    }

    /// Deletes the card.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Conflict`] when payments refer to it (deactivate it).
    pub async fn delete(&self, tenant: &Tenant, id: CardId) -> Result<()> {
        scope::delete_by_id::<payment_card::Entity, _>(&self.store.db, tenant, id.0).await
    }

    /// Chooses the card the next customer pays `amount` to, by `strategy`, among active cards
    /// under their daily caps, and marks it selected (which moves round robin and time-based
    /// rotation on).
    ///
    /// # Errors
    /// [`Error::NoActiveCard`] with the reason; [`Error::Unavailable`].
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id(), strategy = strategy.as_str()))]
    pub async fn next_card(
        &self,
        tenant: &Tenant,
        strategy: RotationStrategy,
        amount: Toman,
        now: DateTime<Utc>,
    ) -> Result<PaymentCard> {
        next_card_in(&self.store.db, tenant, strategy, amount, now).await
    }

    /// [`Cards::next_card`] with the tenant's configured strategy.
    ///
    /// # Errors
    /// As [`Cards::next_card`].
    pub async fn next_card_configured(
        &self,
        tenant: &Tenant,
        amount: Toman,
        now: DateTime<Utc>,
    ) -> Result<PaymentCard> {
        let strategy = self.store.configs().card_rotation_strategy(tenant).await?;
        self.next_card(tenant, strategy, amount, now).await
    }

    /// Records the outcome of a payment to the card: a success adds to the day's count and
    /// amount (which the daily caps read), a failure lowers its weighted share.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Invalid`] for a negative amount.
    pub async fn record_usage(
        &self,
        tenant: &Tenant,
        id: CardId,
        success: bool,
        amount: Toman,
        now: DateTime<Utc>,
    ) -> Result<PaymentCard> {
        let tx = self.store.write_tx().await?;
        match record_usage_in(&tx, tenant, id, success, amount, now).await {
            Ok(card) => {
                tx.commit().await.map_err(unavailable)?;
                Ok(card)
            }
            Err(e) => {
                tx.rollback().await.map_err(unavailable)?;
                Err(e)
            }
        }
    }
}

/// [`Cards::next_card`] through `c` (the write transaction recording the order).
pub(crate) async fn next_card_in(
    c: &impl ConnectionTrait,
    tenant: &Tenant,
    strategy: RotationStrategy,
    amount: Toman,
    now: DateTime<Utc>,
) -> Result<PaymentCard> {
    let rows = scope::select::<payment_card::Entity>(tenant)
        .filter(payment_card::Column::IsActive.eq(true))
        .order_by_asc(payment_card::Column::Id)
        .all(c)
        .await
        .map_err(unavailable)?;
    let today = tehran_day(now);
    let candidates: Vec<CardCandidate> = rows.iter().map(|m| candidate(m, today)).collect();
    let chosen = pick(strategy, &candidates, amount, &mut rand::rng())?;
    scope::update::<payment_card::Entity>(tenant)
        .col_expr(payment_card::Column::LastSelectedAt, Expr::value(now))
        .col_expr(payment_card::Column::UsageCount, Expr::col(payment_card::Column::UsageCount).add(1))
        .filter(payment_card::Column::Id.eq(chosen.0))
        .exec(c)
        .await
        .map_err(unavailable)?;
    to_card(scope::get::<payment_card::Entity, _>(c, tenant, chosen.0).await?, today)
}

/// [`Cards::record_usage`] inside the caller's write transaction.
pub(crate) async fn record_usage_in(
    tx: &sea_orm::DatabaseTransaction,
    tenant: &Tenant,
    id: CardId,
    success: bool,
    amount: Toman,
    now: DateTime<Utc>,
) -> Result<PaymentCard> {
    if amount.0 < 0 {
        return Err(Error::invalid("amount", "must not be negative"));
    }
    let today = tehran_day(now);
    let m = scope::get::<payment_card::Entity, _>(tx, tenant, id.0).await?;
    let same_day = m.usage_day == Some(today);
    let (day_count, day_amount) = if same_day { (m.day_count, m.day_amount) } else { (0, 0) };
    let mut row: payment_card::ActiveModel = m.clone().into();
    row.last_used_at = Set(Some(now));
    row.updated_at = Set(now);
    if success {
        row.success_count = Set(m.success_count.saturating_add(1));
        row.usage_day = Set(Some(today));
        row.day_count = Set(day_count.saturating_add(1));
        row.day_amount = Set(Toman(day_amount).checked_add(amount)?.0);
    } else {
        row.failure_count = Set(m.failure_count.saturating_add(1));
    }
    let saved = row.update(tx).await.map_err(unavailable)?;
    to_card(saved, today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_card_day_turns_at_tehran_midnight() {
        let before = "2026-03-01T20:29:00Z".parse::<DateTime<Utc>>().ok();
        let after = "2026-03-01T20:31:00Z".parse::<DateTime<Utc>>().ok();
        let (Some(before), Some(after)) = (before, after) else { panic!("bad test dates") };
        assert_eq!(tehran_day(before).to_string(), "2026-03-01");
        assert_eq!(tehran_day(after).to_string(), "2026-03-02");
    }
}
