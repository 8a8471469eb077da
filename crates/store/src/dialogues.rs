//! Dialogue state per tenant and chat (a JSON value the bot defines), stored durably.

use chrono::Utc;
use remnabot_domain::{Error, Result, Tenant};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set};

use crate::db::{is_unique_violation, unavailable};
use crate::entity::dialogue;
use crate::{Store, scope};

/// The dialogue repository.
#[derive(Debug, Clone, Copy)]
pub struct Dialogues<'a> {
    store: &'a Store,
}

impl Store {
    /// The dialogue repository.
    pub fn dialogues(&self) -> Dialogues<'_> {
        Dialogues { store: self }
    }
}

impl Dialogues<'_> {
    /// The state of the conversation in `chat_id`, if one is going on.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, chat_id: i64) -> Result<Option<serde_json::Value>> {
        let row = scope::select::<dialogue::Entity>(tenant)
            .filter(dialogue::Column::ChatId.eq(chat_id))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(row.map(|m| m.state))
    }

    /// Stores the state of the conversation in `chat_id`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a state over 64 KiB; [`Error::Unavailable`].
    pub async fn set(&self, tenant: &Tenant, chat_id: i64, state: &serde_json::Value) -> Result<()> {
        if state.to_string().len() > 64 * 1024 {
            return Err(Error::invalid("state", "a dialogue state must be at most 64 KiB"));
        }
        for _ in 0..2 {
            let now = Utc::now();
            let res = scope::update::<dialogue::Entity>(tenant)
                .col_expr(dialogue::Column::State, Expr::value(state.clone()))
                .col_expr(dialogue::Column::UpdatedAt, Expr::value(now))
                .filter(dialogue::Column::ChatId.eq(chat_id))
                .exec(&self.store.db)
                .await
                .map_err(unavailable)?;
            if res.rows_affected > 0 {
                return Ok(());
            }
            let inserted = dialogue::ActiveModel {
                bot_id: Set(tenant.bot_id().0),
                created_at: Set(now),
                updated_at: Set(now),
                chat_id: Set(chat_id),
                state: Set(state.clone()),
                ..Default::default()
            }
            .insert(&self.store.db)
            .await;
            match inserted {
                Ok(_) => return Ok(()),
                // Created concurrently: update it on the second pass.
                Err(e) if is_unique_violation(&e) => continue,
                Err(e) => return Err(unavailable(e)),
            }
        }
        Err(Error::Conflict("the dialogue changed concurrently; try again".to_owned()))
    }

    /// Ends the conversation in `chat_id` (nothing happens when there is none).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn remove(&self, tenant: &Tenant, chat_id: i64) -> Result<()> {
        scope::delete::<dialogue::Entity>(tenant)
            .filter(dialogue::Column::ChatId.eq(chat_id))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}
