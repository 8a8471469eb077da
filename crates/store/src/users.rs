//! A tenant's customers: registration by Telegram id, referral codes, language, blocking,
//! promo groups and the one-time trial flag. Balances change only through the ledger.

use chrono::{DateTime, Utc};
use rand::RngExt;
use remnabot_domain::config::Language;
use remnabot_domain::{Error, Page, PromoGroupId, Result, Tenant, TgUserId, Toman, UserId};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use crate::db::{is_unique_violation, map_write, unavailable};
use crate::entity::{promo_group, user};
use crate::{Store, scope};

/// A customer of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub telegram_id: TgUserId,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub language: Language,
    /// Read-only here: the ledger is the only writer.
    pub balance: Toman,
    pub referral_code: String,
    pub referred_by: Option<UserId>,
    pub promo_group: Option<PromoGroupId>,
    pub is_blocked: bool,
    pub trial_used: bool,
    /// When the customer took the free trial (unknown for trials before it was recorded).
    pub trial_started_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What registering a customer needs (from the Telegram update that introduced them).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub telegram_id: TgUserId,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub language: Language,
    /// The customer whose referral link brought this one, if any (same tenant).
    pub referred_by: Option<UserId>,
}

/// Length of generated referral codes.
const REFERRAL_CODE_LEN: usize = 8;
/// Attempts at a fresh referral code before giving up.
const REFERRAL_CODE_ATTEMPTS: usize = 8;
const CODE_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// A random code of `len` characters of `[A-Z0-9]`.
pub(crate) fn random_code(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())])).collect()
}

/// `None` for a blank value, otherwise the trimmed value if it has at most `max` characters.
///
/// # Errors
/// [`Error::Invalid`] naming `field` when it is longer.
pub(crate) fn optional_text(field: &'static str, value: Option<String>, max: usize) -> Result<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > max {
        return Err(Error::invalid(field, format!("must be at most {max} characters")));
    }
    Ok(Some(trimmed.to_owned()))
}

impl NewUser {
    fn validate(self) -> Result<NewUser> {
        if self.telegram_id.0 <= 0 {
            return Err(Error::invalid("telegram_id", "must be a positive Telegram user id"));
        }
        let username = optional_text("username", self.username.map(|u| u.trim_start_matches('@').to_owned()), 64)?;
        let first_name = optional_text("first_name", self.first_name, 255)?;
        Ok(NewUser { username, first_name, ..self })
    }
}

pub(crate) fn to_user(m: user::Model) -> User {
    User {
        id: UserId(m.id),
        telegram_id: TgUserId(m.telegram_id),
        username: m.username,
        first_name: m.first_name,
        language: Language::parse(&m.language).unwrap_or_default(),
        balance: Toman(m.balance),
        referral_code: m.referral_code,
        referred_by: m.referred_by_id.map(UserId),
        promo_group: m.promo_group_id.map(PromoGroupId),
        is_blocked: m.is_blocked,
        trial_used: m.trial_used,
        trial_started_at: m.trial_started_at,
        created_at: m.created_at,
    }
}

/// The users repository.
#[derive(Debug, Clone, Copy)]
pub struct Users<'a> {
    store: &'a Store,
}

impl Store {
    /// The users repository.
    pub fn users(&self) -> Users<'_> {
        Users { store: self }
    }
}

impl Users<'_> {
    /// Gets or creates the customer with this Telegram id. Returns the user and whether this
    /// call created it. Safe under concurrency: when two calls race, both return the same row
    /// and exactly one reports `true`. An existing user keeps their profile and referrer.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field; [`Error::NotFound`] (`user`) when `referred_by` is
    /// not a customer of this tenant; [`Error::Unavailable`].
    pub async fn register(&self, tenant: &Tenant, new: NewUser) -> Result<(User, bool)> {
        let new = new.validate()?;
        if let Some(existing) = self.by_telegram_id(tenant, new.telegram_id).await? {
            return Ok((existing, false));
        }
        for _ in 0..REFERRAL_CODE_ATTEMPTS {
            let now = Utc::now();
            let inserted = user::ActiveModel {
                bot_id: Set(tenant.bot_id().0),
                created_at: Set(now),
                updated_at: Set(now),
                telegram_id: Set(new.telegram_id.0),
                username: Set(new.username.clone()),
                first_name: Set(new.first_name.clone()),
                language: Set(new.language.code().to_owned()),
                balance: Set(0),
                referral_code: Set(random_code(REFERRAL_CODE_LEN)),
                referred_by_id: Set(new.referred_by.map(|u| u.0)),
                promo_group_id: Set(None),
                is_blocked: Set(false),
                trial_used: Set(false),
                ..Default::default()
            }
            .insert(&self.store.db)
            .await;
            match inserted {
                Ok(m) => return Ok((to_user(m), true)),
                Err(e) if is_unique_violation(&e) => {
                    // Either a concurrent registration won, or the referral code collided.
                    if let Some(existing) = self.by_telegram_id(tenant, new.telegram_id).await? {
                        return Ok((existing, false));
                    }
                }
                Err(e) => {
                    return Err(map_write(e, || "this customer is already registered".to_owned(), "user"));
                }
            }
        }
        Err(Error::Conflict("could not generate a unique referral code; try again".to_owned()))
    }

    /// The customer `id` of this tenant.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for another tenant's user), [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, id: UserId) -> Result<User> {
        scope::get::<user::Entity, _>(&self.store.db, tenant, id.0).await.map(to_user)
    }

    /// The customer with this Telegram id, if registered with this tenant.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn by_telegram_id(&self, tenant: &Tenant, telegram_id: TgUserId) -> Result<Option<User>> {
        // Every update of every tenant bot starts here: through `ux_users_telegram`.
        let row = scope::select_by_key::<user::Entity>(tenant)
            .filter(user::Column::TelegramId.eq(telegram_id.0))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(row.map(to_user))
    }

    /// The customer whose referral code this is (case-insensitive), if any.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn by_referral_code(&self, tenant: &Tenant, code: &str) -> Result<Option<User>> {
        let code = code.trim().to_ascii_uppercase();
        if code.is_empty() || code.len() > 32 {
            return Ok(None);
        }
        let row = scope::select_by_key::<user::Entity>(tenant)
            .filter(user::Column::ReferralCode.eq(code))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(row.map(to_user))
    }

    /// A page of this tenant's customers, newest first. `search` matches a substring of the
    /// username or first name (case-insensitive), or exactly a Telegram id.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, tenant: &Tenant, search: Option<&str>, page: Page) -> Result<Vec<User>> {
        let mut q = scope::select::<user::Entity>(tenant);
        if let Some(term) = search.map(str::trim).filter(|s| !s.is_empty()) {
            let escaped: String = term
                .to_lowercase()
                .chars()
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            let pattern = format!("%{escaped}%");
            let like = |col: user::Column| {
                Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern.clone()).escape('\\'))
            };
            let mut any = Condition::any().add(like(user::Column::Username)).add(like(user::Column::FirstName));
            if let Ok(tg) = term.trim_start_matches('@').parse::<i64>() {
                any = any.add(user::Column::TelegramId.eq(tg));
            }
            q = q.filter(any);
        }
        let rows =
            scope::paged(q.order_by_desc(user::Column::Id), page).all(&self.store.db).await.map_err(unavailable)?;
        Ok(rows.into_iter().map(to_user).collect())
    }

    /// How many customers this tenant has.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn count(&self, tenant: &Tenant) -> Result<u64> {
        scope::count::<user::Entity, _>(&self.store.db, tenant).await
    }

    /// Sets the customer's language.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn set_language(&self, tenant: &Tenant, id: UserId, language: Language) -> Result<User> {
        self.set(tenant, id, user::Column::Language, Expr::value(language.code()), "user").await
    }

    /// Blocks or unblocks the customer.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn set_blocked(&self, tenant: &Tenant, id: UserId, blocked: bool) -> Result<User> {
        self.set(tenant, id, user::Column::IsBlocked, Expr::value(blocked), "user").await
    }

    /// Puts the customer in a promo group of this tenant, or takes them out with `None`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown user or a promo group of another tenant;
    /// [`Error::Unavailable`].
    pub async fn set_promo_group(&self, tenant: &Tenant, id: UserId, group: Option<PromoGroupId>) -> Result<User> {
        if let Some(g) = group {
            // The composite FK refuses it too; this gives the clearer noun.
            scope::get::<promo_group::Entity, _>(&self.store.db, tenant, g.0).await?;
        }
        self.set(tenant, id, user::Column::PromoGroupId, Expr::value(group.map(|g| g.0)), "promo group").await
    }

    /// Marks the free trial as used. Atomic: returns `true` only for the call that flipped the
    /// flag, `false` when it was already used.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn mark_trial_used(&self, tenant: &Tenant, id: UserId) -> Result<bool> {
        let res = scope::update::<user::Entity>(tenant)
            .col_expr(user::Column::TrialUsed, Expr::value(true))
            .col_expr(user::Column::TrialStartedAt, Expr::value(Some(Utc::now())))
            .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(user::Column::Id.eq(id.0))
            .filter(user::Column::TrialUsed.eq(false))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        if res.rows_affected > 0 {
            return Ok(true);
        }
        self.get(tenant, id).await?;
        Ok(false)
    }

    /// A page of the customers `referrer` brought in, oldest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn referrals(&self, tenant: &Tenant, referrer: UserId, page: Page) -> Result<Vec<User>> {
        let q = scope::select::<user::Entity>(tenant)
            .filter(user::Column::ReferredById.eq(referrer.0))
            .order_by_asc(user::Column::Id);
        let rows = scope::paged(q, page).all(&self.store.db).await.map_err(unavailable)?;
        Ok(rows.into_iter().map(to_user).collect())
    }

    async fn set(
        &self,
        tenant: &Tenant,
        id: UserId,
        col: user::Column,
        value: Expr,
        referenced: &'static str,
    ) -> Result<User> {
        let res = scope::update::<user::Entity>(tenant)
            .col_expr(col, value)
            .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(user::Column::Id.eq(id.0))
            .exec(&self.store.db)
            .await
            .map_err(|e| map_write(e, || "this change conflicts with another customer".to_owned(), referenced))?;
        if res.rows_affected == 0 {
            return Err(Error::not_found("user"));
        }
        self.get(tenant, id).await
    }
}
