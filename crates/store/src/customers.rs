//! The admins' view of a tenant's customers and what waits for them: finding a customer
//! (by Telegram id, @username, name or a fragment of their subscription link), counting
//! their invitations, and the counted, paged lists the panel shows (card receipts to review
//! oldest first, open tickets, recent payments of every method).
//!
//! Every list here comes with its total so the panel can say "page 2 of 7 · 63 in total".

use remnabot_domain::{Error, Page, Result, Tenant, UserId};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{ColumnTrait, Condition, PaginatorTrait, QueryFilter, QueryOrder};

use crate::db::unavailable;
use crate::entity::{card_to_card_payment as card_pay, subscription, ticket, transaction, user};
use crate::payments::{CardPayment, PaymentStatus, to_card_payment};
use crate::tickets::{Ticket, TicketStatus, to_ticket};
use crate::transactions::{Transaction, to_transaction};
use crate::users::{User, to_user};
use crate::{Store, scope};

/// The longest search term, in characters.
pub const MAX_TERM: usize = 64;

/// One page of a list and how many rows the whole list has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted<T> {
    pub total: u64,
    pub rows: Vec<T>,
}

/// The customers service of the admins.
#[derive(Debug, Clone, Copy)]
pub struct Customers<'a> {
    store: &'a Store,
}

impl Store {
    /// Finding customers and the admins' counted lists.
    pub fn customers(&self) -> Customers<'_> {
        Customers { store: self }
    }
}

/// `term` lower-cased with LIKE's wildcards escaped (by `\`), inside `%...%`.
fn contains_pattern(term: &str) -> String {
    let escaped: String = term
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

impl Customers<'_> {
    /// A page of the customers `term` finds, newest first, with their total. `term` is a
    /// Telegram id (exactly), an @username, a part of a username or first name
    /// (case-insensitive), or a part of a subscription link (at least 4 characters).
    ///
    /// # Errors
    /// [`Error::Invalid`] (`term`) for an empty term or one over [`MAX_TERM`] characters;
    /// [`Error::Unavailable`].
    pub async fn search(&self, tenant: &Tenant, term: &str, page: Page) -> Result<Counted<User>> {
        let term = term.trim();
        if term.is_empty() || term.chars().count() > MAX_TERM {
            return Err(Error::invalid("term", format!("must be 1 to {MAX_TERM} characters")));
        }
        let bare = term.strip_prefix('@').unwrap_or(term);
        let like = |col: user::Column, pattern: &str| {
            Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern).escape('\\'))
        };
        let pattern = contains_pattern(bare);
        let mut any = Condition::any();
        if term.starts_with('@') {
            any = any.add(like(user::Column::Username, &pattern));
        } else {
            any = any.add(like(user::Column::Username, &pattern)).add(like(user::Column::FirstName, &pattern));
            if let Ok(tg) = term.parse::<i64>() {
                any = any.add(user::Column::TelegramId.eq(tg));
            }
            if term.chars().count() >= 4 {
                // The customers whose subscription link holds the fragment (one scan of the
                // tenant's subscriptions rather than one lookup per customer).
                let links = Query::select()
                    .column(subscription::Column::UserId)
                    .from(subscription::Entity)
                    .and_where(Expr::col(subscription::Column::BotId).eq(tenant.bot_id().0))
                    .and_where(
                        Expr::expr(Func::lower(Expr::col(subscription::Column::SubscriptionUrl)))
                            .like(LikeExpr::new(contains_pattern(term)).escape('\\')),
                    )
                    .to_owned();
                any = any.add(user::Column::Id.in_subquery(links));
            }
        }
        let q = scope::select::<user::Entity>(tenant).filter(any);
        let total = q.clone().count(&self.store.db).await.map_err(unavailable)?;
        let rows =
            scope::paged(q.order_by_desc(user::Column::Id), page).all(&self.store.db).await.map_err(unavailable)?;
        Ok(Counted { total, rows: rows.into_iter().map(to_user).collect() })
    }

    /// How many customers `referrer` brought in.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn invited_count(&self, tenant: &Tenant, referrer: UserId) -> Result<u64> {
        scope::select::<user::Entity>(tenant)
            .filter(user::Column::ReferredById.eq(referrer.0))
            .count(&self.store.db)
            .await
            .map_err(unavailable)
    }

    /// A page of the card payments whose receipt waits for review, oldest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn receipts_to_review(&self, tenant: &Tenant, page: Page) -> Result<Counted<CardPayment>> {
        let q = scope::select::<card_pay::Entity>(tenant)
            .filter(card_pay::Column::Status.eq(PaymentStatus::Pending.as_str()))
            .filter(card_pay::Column::ReceiptKind.is_not_null());
        let total = q.clone().count(&self.store.db).await.map_err(unavailable)?;
        let rows =
            scope::paged(q.order_by_asc(card_pay::Column::Id), page).all(&self.store.db).await.map_err(unavailable)?;
        Ok(Counted { total, rows: rows.into_iter().map(to_card_payment).collect::<Result<_>>()? })
    }

    /// A page of the tickets waiting for an answer, newest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn open_tickets(&self, tenant: &Tenant, page: Page) -> Result<Counted<Ticket>> {
        let q = scope::select::<ticket::Entity>(tenant).filter(ticket::Column::Status.eq(TicketStatus::Open.as_str()));
        let total = q.clone().count(&self.store.db).await.map_err(unavailable)?;
        let rows =
            scope::paged(q.order_by_desc(ticket::Column::Id), page).all(&self.store.db).await.map_err(unavailable)?;
        Ok(Counted { total, rows: rows.into_iter().map(to_ticket).collect::<Result<_>>()? })
    }

    /// A page of the tenant's payments of every method (its money transactions), newest
    /// first, or of one customer.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn payments(
        &self,
        tenant: &Tenant,
        customer: Option<UserId>,
        page: Page,
    ) -> Result<Counted<Transaction>> {
        let mut q = scope::select::<transaction::Entity>(tenant);
        if let Some(c) = customer {
            q = q.filter(transaction::Column::UserId.eq(c.0));
        }
        let total = q.clone().count(&self.store.db).await.map_err(unavailable)?;
        let rows = scope::paged(q.order_by_desc(transaction::Column::Id), page)
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(Counted { total, rows: rows.into_iter().map(to_transaction).collect::<Result<_>>()? })
    }

    /// A page of one customer's tickets, newest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn tickets_of(&self, tenant: &Tenant, customer: UserId, page: Page) -> Result<Counted<Ticket>> {
        let q = scope::select::<ticket::Entity>(tenant).filter(ticket::Column::UserId.eq(customer.0));
        let total = q.clone().count(&self.store.db).await.map_err(unavailable)?;
        let rows =
            scope::paged(q.order_by_desc(ticket::Column::Id), page).all(&self.store.db).await.map_err(unavailable)?;
        Ok(Counted { total, rows: rows.into_iter().map(to_ticket).collect::<Result<_>>()? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_escape_like_wildcards() {
        assert_eq!(contains_pattern("Ab%_\\"), "%ab\\%\\_\\\\%");
    }
}
