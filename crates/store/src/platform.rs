//! The platform repository: the `bots` table and every read across tenants. This is the one
//! place that may touch more than one tenant; the operator API, the bot fleet and the job
//! loop use it to resolve a [`Tenant`](remnabot_domain::Tenant).

use chrono::Utc;
use remnabot_domain::bot::{parse_name, parse_telegram_token};
use remnabot_domain::{Bot, BotId, Error, Page, Result, Toman};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use secrecy::SecretString;

use crate::Store;
use crate::crypto::{api_token_hash, generate_api_token, hashes_equal};
use crate::db::{map_write, unavailable};
use crate::entity::bot;

/// What creating a bot needs.
#[derive(Debug)]
pub struct NewBot {
    pub name: String,
    pub telegram_token: SecretString,
}

/// Changes to a bot; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct BotChanges {
    pub name: Option<String>,
    pub wallet_credit_limit: Option<Toman>,
}

/// A bot just created, with its API token. The token is not stored: this is the only time
/// anyone sees it.
#[derive(Debug)]
pub struct CreatedBot {
    pub bot: Bot,
    pub api_token: SecretString,
}

/// The platform repository.
#[derive(Debug, Clone, Copy)]
pub struct Platform<'a> {
    store: &'a Store,
}

impl Store {
    /// The platform repository (bots and cross-tenant reads).
    pub fn platform(&self) -> Platform<'_> {
        Platform { store: self }
    }
}

pub(crate) fn to_bot(m: bot::Model) -> Bot {
    Bot {
        id: BotId(m.id),
        name: m.name,
        telegram_bot_id: m.telegram_bot_id,
        is_master: m.is_master,
        is_active: m.is_active,
        wallet_balance: Toman(m.wallet_balance),
        wallet_credit_limit: Toman(m.wallet_credit_limit),
        traffic_consumed_bytes: m.traffic_consumed_bytes,
        traffic_sold_bytes: m.traffic_sold_bytes,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

const TOKEN_TAKEN: &str = "another bot already uses this Telegram token";

impl Platform<'_> {
    /// Creates a tenant bot (active, not master) and returns its API token once.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a bad name or token shape; [`Error::Conflict`] when the Telegram
    /// token is already registered.
    pub async fn create(&self, new: NewBot) -> Result<CreatedBot> {
        self.insert(new, false).await
    }

    async fn insert(&self, new: NewBot, is_master: bool) -> Result<CreatedBot> {
        let name = parse_name(&new.name)?;
        let telegram_bot_id = parse_telegram_token(secrecy::ExposeSecret::expose_secret(&new.telegram_token))?;
        let key = &self.store.key;
        let api_token = generate_api_token();
        let now = Utc::now();
        let row = bot::ActiveModel {
            name: Set(name),
            telegram_bot_id: Set(telegram_bot_id),
            telegram_token_encrypted: Set(key.encrypt_telegram_token(&new.telegram_token)?),
            telegram_token_hash: Set(key.telegram_token_hash(&new.telegram_token)),
            api_token_hash: Set(api_token_hash(secrecy::ExposeSecret::expose_secret(&api_token))),
            is_master: Set(is_master),
            is_active: Set(true),
            wallet_balance: Set(0),
            wallet_credit_limit: Set(0),
            traffic_consumed_bytes: Set(0),
            traffic_sold_bytes: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.store.db)
        .await
        .map_err(|e| map_write(e, || TOKEN_TAKEN.to_owned(), "bot"))?;
        Ok(CreatedBot { bot: to_bot(row), api_token })
    }

    async fn model(&self, id: BotId) -> Result<bot::Model> {
        bot::Entity::find_by_id(id.0)
            .one(&self.store.db)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| Error::not_found("bot"))
    }

    /// The bot `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn get(&self, id: BotId) -> Result<Bot> {
        self.model(id).await.map(to_bot)
    }

    /// The bot registered with this Telegram token.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn by_telegram_token(&self, token: &SecretString) -> Result<Option<Bot>> {
        let hash = self.store.key.telegram_token_hash(token);
        let row = bot::Entity::find()
            .filter(bot::Column::TelegramTokenHash.eq(hash))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(row.map(to_bot))
    }

    /// The bot whose API token this is. The lookup is by hash; the hashes are compared again
    /// in constant time so the answer does not depend on how much of a guess matched.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn by_api_token(&self, token: &str) -> Result<Option<Bot>> {
        let hash = api_token_hash(token);
        let row = bot::Entity::find()
            .filter(bot::Column::ApiTokenHash.eq(hash.clone()))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(row.filter(|m| hashes_equal(&m.api_token_hash, &hash)).map(to_bot))
    }

    /// The master bot, if one was set up.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn master(&self) -> Result<Option<Bot>> {
        let row = bot::Entity::find()
            .filter(bot::Column::IsMaster.eq(true))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(row.map(to_bot))
    }

    /// Every active bot, by id.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn active(&self) -> Result<Vec<Bot>> {
        let rows = bot::Entity::find()
            .filter(bot::Column::IsActive.eq(true))
            .order_by_asc(bot::Column::Id)
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(rows.into_iter().map(to_bot).collect())
    }

    /// Every bot with a fingerprint of its Telegram token (a keyed hash), for the fleet to see
    /// which bots to run and which changed token.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn fleet(&self) -> Result<Vec<(Bot, String)>> {
        let rows = bot::Entity::find().order_by_asc(bot::Column::Id).all(&self.store.db).await.map_err(unavailable)?;
        Ok(rows
            .into_iter()
            .map(|m| {
                let fingerprint = m.telegram_token_hash.clone();
                (to_bot(m), fingerprint)
            })
            .collect())
    }

    /// A page of all bots, by id.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, page: Page) -> Result<Vec<Bot>> {
        let rows = bot::Entity::find()
            .order_by_asc(bot::Column::Id)
            .limit(page.limit())
            .offset(page.offset())
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(rows.into_iter().map(to_bot).collect())
    }

    /// How many bots exist.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn count(&self) -> Result<u64> {
        bot::Entity::find().count(&self.store.db).await.map_err(unavailable)
    }

    /// Applies `changes` to the bot.
    ///
    /// # Errors
    /// [`Error::Invalid`], [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn update(&self, id: BotId, changes: BotChanges) -> Result<Bot> {
        let name = changes.name.as_deref().map(parse_name).transpose()?;
        if let Some(limit) = changes.wallet_credit_limit {
            remnabot_domain::limits::check("wallet_credit_limit", limit.0, remnabot_domain::limits::CREDIT_LIMIT)?;
        }
        let mut row: bot::ActiveModel = self.model(id).await?.into();
        if let Some(name) = name {
            row.name = Set(name);
        }
        if let Some(limit) = changes.wallet_credit_limit {
            row.wallet_credit_limit = Set(limit.0);
        }
        row.updated_at = Set(Utc::now());
        row.update(&self.store.db).await.map(to_bot).map_err(unavailable)
    }

    /// Activates or deactivates a bot.
    ///
    /// # Errors
    /// [`Error::MasterBotProtected`] when deactivating the master; [`Error::NotFound`].
    pub async fn set_active(&self, id: BotId, active: bool) -> Result<Bot> {
        let model = self.model(id).await?;
        if model.is_master && !active {
            return Err(Error::MasterBotProtected { action: "deactivated" });
        }
        let mut row: bot::ActiveModel = model.into();
        row.is_active = Set(active);
        row.updated_at = Set(Utc::now());
        row.update(&self.store.db).await.map(to_bot).map_err(unavailable)
    }

    /// Replaces the bot's API token; the old one stops working at once.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn rotate_api_token(&self, id: BotId) -> Result<SecretString> {
        let token = generate_api_token();
        let res = bot::Entity::update_many()
            .col_expr(
                bot::Column::ApiTokenHash,
                sea_orm::sea_query::Expr::value(api_token_hash(secrecy::ExposeSecret::expose_secret(&token))),
            )
            .col_expr(bot::Column::UpdatedAt, sea_orm::sea_query::Expr::value(Utc::now()))
            .filter(bot::Column::Id.eq(id.0))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        if res.rows_affected == 0 {
            return Err(Error::not_found("bot"));
        }
        Ok(token)
    }

    /// Replaces the bot's Telegram token (for example after the owner revoked it in BotFather).
    ///
    /// # Errors
    /// [`Error::Invalid`] for a bad token shape, [`Error::Conflict`] when another bot uses it.
    pub async fn set_telegram_token(&self, id: BotId, token: &SecretString) -> Result<Bot> {
        let telegram_bot_id = parse_telegram_token(secrecy::ExposeSecret::expose_secret(token))?;
        let mut row: bot::ActiveModel = self.model(id).await?.into();
        row.telegram_bot_id = Set(telegram_bot_id);
        row.telegram_token_encrypted = Set(self.store.key.encrypt_telegram_token(token)?);
        row.telegram_token_hash = Set(self.store.key.telegram_token_hash(token));
        row.updated_at = Set(Utc::now());
        row.update(&self.store.db).await.map(to_bot).map_err(|e| map_write(e, || TOKEN_TAKEN.to_owned(), "bot"))
    }

    /// The bot's Telegram token, decrypted, for the fleet to talk to Telegram.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Unavailable`] when it cannot be decrypted with this key.
    pub async fn telegram_token(&self, id: BotId) -> Result<SecretString> {
        let model = self.model(id).await?;
        self.store.key.decrypt_telegram_token(&model.telegram_token_encrypted)
    }

    /// Deletes a bot and, by cascade, every row of that tenant.
    ///
    /// # Errors
    /// [`Error::MasterBotProtected`] for the master; [`Error::NotFound`].
    pub async fn delete(&self, id: BotId) -> Result<()> {
        let model = self.model(id).await?;
        if model.is_master {
            return Err(Error::MasterBotProtected { action: "deleted" });
        }
        bot::Entity::delete_by_id(id.0).exec(&self.store.db).await.map_err(unavailable)?;
        Ok(())
    }

    /// Makes sure the master bot exists with this Telegram token: creates it on first start,
    /// updates its token when `BOT_TOKEN` changed, and reactivates it. Returns the master and,
    /// when it was just created, its API token.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a bad token; [`Error::Conflict`] when a tenant bot already uses
    /// this token.
    pub async fn ensure_master(&self, name: &str, token: &SecretString) -> Result<(Bot, Option<SecretString>)> {
        match self.master().await? {
            None => {
                let created =
                    self.insert(NewBot { name: name.to_owned(), telegram_token: token.clone() }, true).await?;
                Ok((created.bot, Some(created.api_token)))
            }
            Some(master) => {
                let model = self.model(master.id).await?;
                let mut bot = master;
                if model.telegram_token_hash != self.store.key.telegram_token_hash(token) {
                    bot = self.set_telegram_token(bot.id, token).await?;
                }
                if !bot.is_active {
                    bot = self.set_active(bot.id, true).await?;
                }
                Ok((bot, None))
            }
        }
    }

    /// Up to `limit` active tenants with provisioning entries a worker may claim now (due and
    /// not leased), leaving out `skip` (the tenants a worker is already serving). A
    /// deactivated tenant's entries wait here until it is active again.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn provisioning_due(&self, now: chrono::DateTime<Utc>, skip: &[BotId], limit: u64) -> Result<Vec<BotId>> {
        use crate::entity::provisioning_outbox as prov;
        use sea_orm::sea_query::{Expr, ExprTrait, Query};
        let active = Query::select()
            .column(bot::Column::Id)
            .from(bot::Entity)
            .and_where(bot::Column::IsActive.eq(true))
            .to_owned();
        let mut q = crate::outbox::claimable::<prov::Entity, _>(prov::Entity::find(), now)
            .select_only()
            .column(prov::Column::BotId)
            .filter(prov::Column::BotId.in_subquery(active))
            .group_by(prov::Column::BotId);
        if !skip.is_empty() {
            q = q.filter(prov::Column::BotId.is_not_in(skip.iter().map(|b| b.0)));
        }
        // The tenant whose oldest due entry has waited longest goes first.
        let ids: Vec<i64> = q
            .order_by(Expr::col(prov::Column::NextAttemptAt).min(), sea_orm::Order::Asc)
            .order_by_asc(prov::Column::BotId)
            .limit(limit)
            .into_tuple()
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(ids.into_iter().map(BotId).collect())
    }

    /// Claims up to `limit` due notifications of every tenant, with a lease.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn claim_notifications(
        &self,
        now: chrono::DateTime<Utc>,
        limit: u64,
        lease: chrono::Duration,
    ) -> Result<Vec<(BotId, crate::outbox::Notification)>> {
        let rows =
            crate::outbox::claim::<crate::entity::notification_outbox::Entity>(self.store, now, limit, lease).await?;
        rows.into_iter().map(crate::outbox::claimed_notification).collect()
    }
}

// ---------------------------------------------------------------------------------------
// Operator API tokens and cross-tenant statistics
// ---------------------------------------------------------------------------------------

/// How every operator API token starts (tenant API tokens start with `rbt_`).
pub const OPERATOR_TOKEN_PREFIX: &str = "rbo_";

/// An operator API token as listed: the token itself is never stored, only its hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OperatorToken {
    pub id: i64,
    pub name: String,
    pub created_at: chrono::DateTime<Utc>,
}

fn to_operator_token(m: crate::entity::operator_token::Model) -> OperatorToken {
    OperatorToken { id: m.id, name: m.name, created_at: m.created_at }
}

/// Counts across every tenant, for the operator's dashboard and the metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PlatformStats {
    pub bots: u64,
    pub active_bots: u64,
    pub users: u64,
    pub subscriptions_by_status: std::collections::BTreeMap<String, u64>,
    pub card_payments_by_status: std::collections::BTreeMap<String, u64>,
    pub zarinpal_payments_by_status: std::collections::BTreeMap<String, u64>,
    pub stars_payments_by_status: std::collections::BTreeMap<String, u64>,
    /// Provisioning entries not yet applied to the panel.
    pub provisioning_pending: u64,
    /// Messages not yet delivered.
    pub notifications_pending: u64,
    /// The sum of every tenant's wallet balance.
    pub wallet_balance_total: Toman,
}

impl Platform<'_> {
    /// Creates an operator API token named `name` and returns it once (`rbo_` and 43
    /// characters of base64url); only its hash is stored.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`name` not 1 to 255 characters); [`Error::Unavailable`].
    pub async fn create_operator_token(&self, name: &str) -> Result<(OperatorToken, SecretString)> {
        use crate::entity::operator_token as op;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 255 {
            return Err(Error::invalid("name", "must be 1 to 255 characters"));
        }
        let random = generate_api_token();
        let body = secrecy::ExposeSecret::expose_secret(&random).split_once('_').map_or("", |(_, b)| b).to_owned();
        let token = SecretString::from(format!("{OPERATOR_TOKEN_PREFIX}{body}"));
        let row = op::ActiveModel {
            name: Set(name.to_owned()),
            token_hash: Set(api_token_hash(secrecy::ExposeSecret::expose_secret(&token))),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.store.db)
        .await
        .map_err(|e| map_write(e, || "this operator token already exists; try again".to_owned(), "operator token"))?;
        Ok((to_operator_token(row), token))
    }

    /// The operator token whose secret this is, looked up by hash and compared again in
    /// constant time.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn operator_by_token(&self, token: &str) -> Result<Option<OperatorToken>> {
        use crate::entity::operator_token as op;
        let hash = api_token_hash(token);
        let row = op::Entity::find()
            .filter(op::Column::TokenHash.eq(hash.clone()))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(row.filter(|m| hashes_equal(&m.token_hash, &hash)).map(to_operator_token))
    }

    /// Every operator token, oldest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn operator_tokens(&self) -> Result<Vec<OperatorToken>> {
        use crate::entity::operator_token as op;
        let rows = op::Entity::find().order_by_asc(op::Column::Id).all(&self.store.db).await.map_err(unavailable)?;
        Ok(rows.into_iter().map(to_operator_token).collect())
    }

    /// Revokes the operator token `id`; it stops working at once.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn revoke_operator_token(&self, id: i64) -> Result<()> {
        use crate::entity::operator_token as op;
        let res = op::Entity::delete_by_id(id).exec(&self.store.db).await.map_err(unavailable)?;
        if res.rows_affected == 0 {
            return Err(Error::not_found("operator token"));
        }
        Ok(())
    }

    /// Counts across every tenant.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn stats(&self) -> Result<PlatformStats> {
        use crate::entity::{card_to_card_payment as cp, notification_outbox as note, provisioning_outbox as prov};
        use crate::entity::{stars_payment as sp, subscription as sub, user, zarinpal_payment as zp};
        use crate::stats::grouped;
        let db = &self.store.db;
        let count_err = |e| unavailable(e);
        let pending = crate::outbox::OutboxStatus::Pending.as_str();
        let wallet_total: Option<i64> = bot::Entity::find()
            .select_only()
            .column_as(sea_orm::sea_query::Expr::cust("CAST(COALESCE(SUM(wallet_balance), 0) AS BIGINT)"), "total")
            .into_tuple()
            .one(db)
            .await
            .map_err(unavailable)?;
        Ok(PlatformStats {
            bots: bot::Entity::find().count(db).await.map_err(count_err)?,
            active_bots: bot::Entity::find()
                .filter(bot::Column::IsActive.eq(true))
                .count(db)
                .await
                .map_err(count_err)?,
            users: user::Entity::find().count(db).await.map_err(count_err)?,
            subscriptions_by_status: grouped(db, sub::Entity::find(), sub::Column::Status).await?,
            card_payments_by_status: grouped(db, cp::Entity::find(), cp::Column::Status).await?,
            zarinpal_payments_by_status: grouped(db, zp::Entity::find(), zp::Column::Status).await?,
            stars_payments_by_status: grouped(db, sp::Entity::find(), sp::Column::Status).await?,
            provisioning_pending: prov::Entity::find()
                .filter(prov::Column::Status.eq(pending))
                .count(db)
                .await
                .map_err(count_err)?,
            notifications_pending: note::Entity::find()
                .filter(note::Column::Status.eq(pending))
                .count(db)
                .await
                .map_err(count_err)?,
            wallet_balance_total: Toman(wallet_total.unwrap_or(0)),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Online payments: the gateway's callback names only an authority
// ---------------------------------------------------------------------------------------

impl Platform<'_> {
    /// The bot that owns the Zarinpal payment `authority`, if exactly one does. The
    /// gateway's redirect carries nothing else, so this is how its tenant is resolved; an
    /// authority two tenants share (never given out by the real gateway) resolves to none.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn zarinpal_owner(&self, authority: &str) -> Result<Option<Bot>> {
        use crate::entity::zarinpal_payment as zp;
        let authority = authority.trim();
        if authority.is_empty() || authority.len() > 64 {
            return Ok(None);
        }
        let owners: Vec<i64> = zp::Entity::find()
            .select_only()
            .column(zp::Column::BotId)
            .filter(zp::Column::Authority.eq(authority))
            .limit(2)
            .into_tuple()
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        match owners.as_slice() {
            [one] => Ok(Some(self.get(BotId(*one)).await?)),
            _ => Ok(None),
        }
    }

    /// Records the bot's Telegram username (from `getMe`), for links back to the bot.
    ///
    /// # Errors
    /// [`Error::Invalid`] (over 64 characters); [`Error::NotFound`]; [`Error::Unavailable`].
    pub async fn set_telegram_username(&self, id: BotId, username: Option<&str>) -> Result<()> {
        let username = username.map(|u| u.trim().trim_start_matches('@').to_owned()).filter(|u| !u.is_empty());
        if username.as_ref().is_some_and(|u| u.len() > 64) {
            return Err(Error::invalid("telegram_username", "must be at most 64 characters"));
        }
        let res = bot::Entity::update_many()
            .col_expr(bot::Column::TelegramUsername, sea_orm::sea_query::Expr::value(username))
            .filter(bot::Column::Id.eq(id.0))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        if res.rows_affected == 0 {
            return Err(Error::not_found("bot"));
        }
        Ok(())
    }

    /// The bot's Telegram username, once the fleet has started it.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Unavailable`].
    pub async fn telegram_username(&self, id: BotId) -> Result<Option<String>> {
        Ok(self.model(id).await?.telegram_username)
    }
}

// ---------------------------------------------------------------------------------------
// Resellers: the operator's list in the master bot
// ---------------------------------------------------------------------------------------

/// A reseller's figures over a window, for the operator's list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResellerFigures {
    /// Its customers (registered users).
    pub customers: u64,
    /// Completed purchases and renewals in the window.
    pub sales: u64,
    /// What they brought, in Toman.
    pub revenue: Toman,
    /// Wholesale charged to its wallet in the window.
    pub wholesale: Toman,
}

impl Platform<'_> {
    /// The resellers (every bot but the master) whose name or Telegram @username contains
    /// `search` (any case; `None` for all), newest first, and how many there are.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn resellers(&self, search: Option<&str>, page: Page) -> Result<(Vec<(Bot, Option<String>)>, u64)> {
        use sea_orm::sea_query::{Expr, ExprTrait, Func};
        let mut query = bot::Entity::find().filter(bot::Column::IsMaster.eq(false));
        if let Some(search) = search.map(|s| s.trim().trim_start_matches('@').to_lowercase()).filter(|s| !s.is_empty())
        {
            let pattern = format!("%{}%", search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            let like = |col: bot::Column| {
                Expr::expr(Func::lower(Expr::col(col)))
                    .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'))
            };
            query = query.filter(
                sea_orm::Condition::any().add(like(bot::Column::Name)).add(like(bot::Column::TelegramUsername)),
            );
        }
        let total = query.clone().count(&self.store.db).await.map_err(unavailable)?;
        let rows = query
            .order_by_desc(bot::Column::Id)
            .offset(page.offset())
            .limit(page.limit())
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok((rows.into_iter().map(|m| (m.telegram_username.clone(), m)).map(|(u, m)| (to_bot(m), u)).collect(), total))
    }

    /// The figures of each of `ids` since `since` (customers are counted whenever they came).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn reseller_figures(
        &self,
        ids: &[BotId],
        since: chrono::DateTime<Utc>,
    ) -> Result<std::collections::HashMap<BotId, ResellerFigures>> {
        use crate::entity::{transaction, user, wallet_transaction};
        use sea_orm::sea_query::Expr;
        let db = &self.store.db;
        let raw: Vec<i64> = ids.iter().map(|b| b.0).collect();
        let mut out: std::collections::HashMap<BotId, ResellerFigures> =
            ids.iter().map(|b| (*b, ResellerFigures::default())).collect();
        if raw.is_empty() {
            return Ok(out);
        }
        let customers: Vec<(i64, i64)> = user::Entity::find()
            .select_only()
            .column(user::Column::BotId)
            .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
            .filter(user::Column::BotId.is_in(raw.clone()))
            .group_by(user::Column::BotId)
            .into_tuple()
            .all(db)
            .await
            .map_err(unavailable)?;
        let sales: Vec<(i64, i64, i64)> = transaction::Entity::find()
            .select_only()
            .column(transaction::Column::BotId)
            .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
            .column_as(Expr::cust("CAST(COALESCE(SUM(amount), 0) AS BIGINT)"), "total")
            .filter(transaction::Column::BotId.is_in(raw.clone()))
            .filter(transaction::Column::IsCompleted.eq(true))
            .filter(transaction::Column::Kind.is_in(["purchase", "renewal"]))
            .filter(transaction::Column::CreatedAt.gte(since))
            .group_by(transaction::Column::BotId)
            .into_tuple()
            .all(db)
            .await
            .map_err(unavailable)?;
        let wholesale: Vec<(i64, i64)> = wallet_transaction::Entity::find()
            .select_only()
            .column(wallet_transaction::Column::BotId)
            .column_as(Expr::cust("CAST(COALESCE(SUM(amount), 0) AS BIGINT)"), "total")
            .filter(wallet_transaction::Column::BotId.is_in(raw))
            .filter(wallet_transaction::Column::Kind.eq("wholesale"))
            .filter(wallet_transaction::Column::CreatedAt.gte(since))
            .group_by(wallet_transaction::Column::BotId)
            .into_tuple()
            .all(db)
            .await
            .map_err(unavailable)?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        for (id, n) in customers {
            out.entry(BotId(id)).or_default().customers = count(n);
        }
        for (id, n, total) in sales {
            let f = out.entry(BotId(id)).or_default();
            f.sales = count(n);
            f.revenue = Toman(total);
        }
        for (id, total) in wholesale {
            // Debits are negative entries: the charge is their size.
            out.entry(BotId(id)).or_default().wholesale = Toman(total.saturating_abs());
        }
        Ok(out)
    }
}

/// The operator's figures across every bot (resellers and the master).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformFigures {
    /// Completed purchases and renewals per day, oldest first: the day's start, the count and
    /// the Toman they brought.
    pub days: Vec<(chrono::DateTime<Utc>, u64, Toman)>,
    /// Registered customers.
    pub customers: u64,
    /// Subscriptions active now (trials not counted).
    pub active_subscriptions: u64,
    /// Resellers whose wallet (balance and credit limit) covers less than `cover_days` of
    /// their average daily wholesale charge over the last 30 days, least covered first, at
    /// most 10: the bot and its days of cover.
    pub low_wallets: Vec<(Bot, i64)>,
    /// How many resellers are low in all.
    pub low_wallets_total: u64,
}

impl Platform<'_> {
    /// The figures of the last `days` days (UTC days, today included) across every bot.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn figures(&self, now: chrono::DateTime<Utc>, days: u32, cover_days: i64) -> Result<PlatformFigures> {
        use crate::entity::{subscription, transaction, user, wallet_transaction};
        use sea_orm::sea_query::Expr;
        let db = &self.store.db;
        let today = now.date_naive().and_hms_opt(0, 0, 0).map_or(now, |d| d.and_utc());
        let mut out = PlatformFigures::default();
        for back in (0..days).rev() {
            let start = today - chrono::Duration::days(i64::from(back));
            let end = start + chrono::Duration::days(1);
            let row: Option<(i64, i64)> = transaction::Entity::find()
                .select_only()
                .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
                .column_as(Expr::cust("CAST(COALESCE(SUM(amount), 0) AS BIGINT)"), "total")
                .filter(transaction::Column::IsCompleted.eq(true))
                .filter(transaction::Column::Kind.is_in(["purchase", "renewal"]))
                .filter(transaction::Column::CreatedAt.gte(start))
                .filter(transaction::Column::CreatedAt.lt(end))
                .into_tuple()
                .one(db)
                .await
                .map_err(unavailable)?;
            let (n, total) = row.unwrap_or((0, 0));
            out.days.push((start, u64::try_from(n).unwrap_or(0), Toman(total)));
        }
        out.customers = user::Entity::find().count(db).await.map_err(unavailable)?;
        out.active_subscriptions = subscription::Entity::find()
            .filter(subscription::Column::Status.eq("active"))
            .count(db)
            .await
            .map_err(unavailable)?;
        // Each reseller's wholesale over 30 days (debits are negative entries).
        let since = now - chrono::Duration::days(30);
        let charged: Vec<(i64, i64)> = wallet_transaction::Entity::find()
            .select_only()
            .column(wallet_transaction::Column::BotId)
            .column_as(Expr::cust("CAST(COALESCE(SUM(amount), 0) AS BIGINT)"), "total")
            .filter(wallet_transaction::Column::Kind.eq("wholesale"))
            .filter(wallet_transaction::Column::CreatedAt.gte(since))
            .group_by(wallet_transaction::Column::BotId)
            .into_tuple()
            .all(db)
            .await
            .map_err(unavailable)?;
        let mut low = Vec::new();
        for (id, total) in charged {
            let daily = total.saturating_abs() / 30;
            if daily <= 0 {
                continue;
            }
            let bot = match self.get(BotId(id)).await {
                Ok(bot) if !bot.is_master => bot,
                Ok(_) | Err(Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let room = bot.wallet_balance.0.saturating_add(bot.wallet_credit_limit.0).max(0);
            let cover = room / daily;
            if cover < cover_days {
                low.push((bot, cover));
            }
        }
        low.sort_by_key(|(b, cover)| (*cover, b.id));
        out.low_wallets_total = u64::try_from(low.len()).unwrap_or(0);
        low.truncate(10);
        out.low_wallets = low;
        Ok(out)
    }
}
