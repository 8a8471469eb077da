//! Changes to a tenant by its admins (the bot's panel, the receipt and ticket buttons) and by
//! API callers. Each method applies the change through the tenant service that owns it and
//! records it in the audit log ([`crate::audit`]) with the value before and after, so the
//! panel and the API change a tenant the same way and every change leaves a trace.
//!
//! A change that applies once per idempotency key (a balance posting, a subscription
//! change, a wallet credit) is recorded only when it applied now: replaying a key adds no
//! second entry. The entry is written after the change: if the database fails between the
//! two, the change stands without its entry (and the caller gets the error).

use chrono::{DateTime, Utc};
use remnabot_domain::feature::{FeatureFlag, FeatureKey};
use remnabot_domain::{
    CardId, PaymentId, PlanId, PromoCodeId, PromoGroupId, Result, SubscriptionId, Tenant, TicketId, UserId,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::Store;
use crate::audit::{Actor, Change};
use crate::cards::{CardSpec, PaymentCard};
use crate::ledger::{Posted, Posting};
use crate::outbox::{Limits, NewNotification, Order, Provisioned};
use crate::payments::CardPayment;
use crate::plans::{Plan, PlanSpec};
use crate::promos::{PromoCode, PromoCodeSpec, PromoGroup, PromoGroupSpec};
use crate::sales::{CardApproval, Reviewer, SaleTexts};
use crate::tickets::{AdminReply, Ticket, TicketTexts};
use crate::users::User;

/// `value` as JSON for the log.
fn json_of<T: Serialize>(value: &T) -> Option<Value> {
    serde_json::to_value(value).ok()
}

/// A card as the log keeps it: the number masked.
fn card_json(card: &PaymentCard) -> Value {
    json!({
        "id": card.id,
        "number": card.number.masked(),
        "holder_name": card.holder_name,
        "bank_name": card.bank_name,
        "weight": card.weight,
        "is_active": card.is_active,
        "daily_count_cap": card.daily_count_cap,
        "daily_amount_cap": card.daily_amount_cap,
    })
}

/// A subscription as the log keeps it (the link is the customer's; it is left out).
fn subscription_json(p: &Provisioned) -> Value {
    let s = &p.subscription;
    json!({
        "id": s.id,
        "user_id": s.user_id,
        "plan_id": s.plan_id,
        "status": s.status,
        "expires_at": s.expires_at,
        "traffic_limit_bytes": s.traffic_limit_bytes,
        "traffic_used_bytes": s.traffic_used_bytes,
        "device_limit": s.device_limit,
    })
}

/// The changes service, acting as one actor.
#[derive(Debug, Clone, Copy)]
pub struct Changes<'a> {
    store: &'a Store,
    actor: Actor,
}

impl Store {
    /// Changes made by `actor`, each recorded in the audit log.
    pub fn changes(&self, actor: Actor) -> Changes<'_> {
        Changes { store: self, actor }
    }
}

impl Changes<'_> {
    /// Records a change made elsewhere (for example to the tenant's bot by the operator).
    ///
    /// # Errors
    /// [`remnabot_domain::Error::Unavailable`].
    pub async fn note(
        &self,
        tenant: &Tenant,
        action: &'static str,
        target: Option<String>,
        before: Option<Value>,
        after: Option<Value>,
    ) -> Result<()> {
        self.store.audit().record(tenant, self.actor, Change { action, target, before, after }).await?;
        Ok(())
    }

    // -------------------------------------------------------------------------------------
    // Plans
    // -------------------------------------------------------------------------------------

    /// [`crate::plans::Plans::create`], recorded as `plan.create`.
    ///
    /// # Errors
    /// As the plans service.
    pub async fn create_plan(&self, tenant: &Tenant, spec: PlanSpec) -> Result<Plan> {
        let plan = self.store.plans().create(tenant, spec).await?;
        self.note(tenant, "plan.create", Some(format!("plan:{}", plan.id)), None, json_of(&plan)).await?;
        Ok(plan)
    }

    /// [`crate::plans::Plans::update`], recorded as `plan.update`.
    ///
    /// # Errors
    /// As the plans service.
    pub async fn update_plan(&self, tenant: &Tenant, id: PlanId, spec: PlanSpec) -> Result<Plan> {
        let before = self.store.plans().get(tenant, id).await?;
        let plan = self.store.plans().update(tenant, id, spec).await?;
        self.note(tenant, "plan.update", Some(format!("plan:{id}")), json_of(&before), json_of(&plan)).await?;
        Ok(plan)
    }

    /// [`crate::plans::Plans::set_active`], recorded as `plan.activate` or `plan.deactivate`.
    ///
    /// # Errors
    /// As the plans service.
    pub async fn set_plan_active(&self, tenant: &Tenant, id: PlanId, active: bool) -> Result<Plan> {
        let before = self.store.plans().get(tenant, id).await?;
        let plan = self.store.plans().set_active(tenant, id, active).await?;
        let action = if active { "plan.activate" } else { "plan.deactivate" };
        self.note(tenant, action, Some(format!("plan:{id}")), json_of(&before), json_of(&plan)).await?;
        Ok(plan)
    }

    /// [`crate::plans::Plans::move_by_one`], recorded as `plan.move`.
    ///
    /// # Errors
    /// As the plans service.
    pub async fn move_plan(&self, tenant: &Tenant, id: PlanId, up: bool) -> Result<Plan> {
        let before = self.store.plans().get(tenant, id).await?;
        let plan = self.store.plans().move_by_one(tenant, id, up).await?;
        let (b, a) = (json!({"sort_order": before.sort_order}), json!({"sort_order": plan.sort_order}));
        self.note(tenant, "plan.move", Some(format!("plan:{id}")), Some(b), Some(a)).await?;
        Ok(plan)
    }

    /// [`crate::plans::Plans::delete`], recorded as `plan.delete`.
    ///
    /// # Errors
    /// As the plans service (a plan in use is a conflict).
    pub async fn delete_plan(&self, tenant: &Tenant, id: PlanId) -> Result<()> {
        let before = self.store.plans().get(tenant, id).await?;
        self.store.plans().delete(tenant, id).await?;
        self.note(tenant, "plan.delete", Some(format!("plan:{id}")), json_of(&before), None).await
    }

    // -------------------------------------------------------------------------------------
    // Cards
    // -------------------------------------------------------------------------------------

    /// [`crate::cards::Cards::create`], recorded as `card.create` (the number masked).
    ///
    /// # Errors
    /// As the cards service.
    pub async fn create_card(&self, tenant: &Tenant, spec: CardSpec) -> Result<PaymentCard> {
        let card = self.store.cards().create(tenant, spec).await?;
        self.note(tenant, "card.create", Some(format!("card:{}", card.id)), None, Some(card_json(&card))).await?;
        Ok(card)
    }

    /// [`crate::cards::Cards::update`], recorded as `card.update`.
    ///
    /// # Errors
    /// As the cards service.
    pub async fn update_card(&self, tenant: &Tenant, id: CardId, spec: CardSpec) -> Result<PaymentCard> {
        let before = self.store.cards().get(tenant, id).await?;
        let card = self.store.cards().update(tenant, id, spec).await?;
        let (b, a) = (Some(card_json(&before)), Some(card_json(&card)));
        self.note(tenant, "card.update", Some(format!("card:{id}")), b, a).await?;
        Ok(card)
    }

    /// [`crate::cards::Cards::set_active`], recorded as `card.activate` or `card.deactivate`.
    ///
    /// # Errors
    /// As the cards service.
    pub async fn set_card_active(&self, tenant: &Tenant, id: CardId, active: bool) -> Result<PaymentCard> {
        let before = self.store.cards().get(tenant, id).await?;
        let card = self.store.cards().set_active(tenant, id, active).await?;
        let action = if active { "card.activate" } else { "card.deactivate" };
        self.note(tenant, action, Some(format!("card:{id}")), Some(card_json(&before)), Some(card_json(&card))).await?;
        Ok(card)
    }

    /// [`crate::cards::Cards::delete`], recorded as `card.delete`.
    ///
    /// # Errors
    /// As the cards service.
    pub async fn delete_card(&self, tenant: &Tenant, id: CardId) -> Result<()> {
        let before = self.store.cards().get(tenant, id).await?;
        self.store.cards().delete(tenant, id).await?;
        self.note(tenant, "card.delete", Some(format!("card:{id}")), Some(card_json(&before)), None).await
    }

    // -------------------------------------------------------------------------------------
    // Customers
    // -------------------------------------------------------------------------------------

    /// [`crate::users::Users::set_blocked`], recorded as `user.block` or `user.unblock`.
    ///
    /// # Errors
    /// As the users service.
    pub async fn set_blocked(&self, tenant: &Tenant, id: UserId, blocked: bool) -> Result<User> {
        let before = self.store.users().get(tenant, id).await?;
        let user = self.store.users().set_blocked(tenant, id, blocked).await?;
        let action = if blocked { "user.block" } else { "user.unblock" };
        let (b, a) = (json!({"is_blocked": before.is_blocked}), json!({"is_blocked": user.is_blocked}));
        self.note(tenant, action, Some(format!("user:{id}")), Some(b), Some(a)).await?;
        Ok(user)
    }

    /// [`crate::ledger::Balances::post`], recorded as `user.balance` when it applied now.
    ///
    /// # Errors
    /// As the balance ledger.
    pub async fn post_balance(&self, tenant: &Tenant, id: UserId, posting: Posting) -> Result<Posted> {
        let posted = self.store.balances().post(tenant, id, posting).await?;
        if posted.newly_applied {
            let e = &posted.entry;
            let before = e.balance_after.checked_sub(e.amount)?;
            let after = json!({
                "balance": e.balance_after, "amount": e.amount, "kind": e.kind,
                "description": e.description, "idempotency_key": e.idempotency_key,
            });
            let target = Some(format!("user:{id}"));
            self.note(tenant, "user.balance", target, Some(json!({"balance": before})), Some(after)).await?;
        }
        Ok(posted)
    }

    /// [`crate::users::Users::set_promo_group`], recorded as `user.promo_group`.
    ///
    /// # Errors
    /// As the users service.
    pub async fn set_promo_group(&self, tenant: &Tenant, id: UserId, group: Option<PromoGroupId>) -> Result<User> {
        let before = self.store.users().get(tenant, id).await?;
        let user = self.store.users().set_promo_group(tenant, id, group).await?;
        let (b, a) = (json!({"promo_group": before.promo_group}), json!({"promo_group": user.promo_group}));
        self.note(tenant, "user.promo_group", Some(format!("user:{id}")), Some(b), Some(a)).await?;
        Ok(user)
    }

    /// Queues `text` to the customer through the notification outbox (once per `key`),
    /// recorded as `user.message` when queued now.
    ///
    /// # Errors
    /// [`remnabot_domain::Error::Invalid`] for an empty or over-long text or a bad key;
    /// [`remnabot_domain::Error::NotFound`]; [`remnabot_domain::Error::Unavailable`].
    pub async fn message_customer(&self, tenant: &Tenant, id: UserId, text: &str, key: &str) -> Result<bool> {
        let text = remnabot_domain::text::CustomerMessage::parse(text)?;
        let text = text.as_str();
        let user = self.store.users().get(tenant, id).await?;
        let note =
            NewNotification { chat_id: user.telegram_id.0, text: text.to_owned(), idempotency_key: key.to_owned() };
        let queued = self.store.notifications().enqueue(tenant, &note).await?;
        if queued {
            self.note(tenant, "user.message", Some(format!("user:{id}")), None, Some(json!({"text": text}))).await?;
        }
        Ok(queued)
    }

    // -------------------------------------------------------------------------------------
    // Subscriptions: every change goes through the provisioning outbox
    // -------------------------------------------------------------------------------------

    async fn note_provisioned(&self, tenant: &Tenant, action: &'static str, p: &Provisioned) -> Result<()> {
        if p.newly_applied {
            let target = Some(format!("subscription:{}", p.subscription.id));
            self.note(tenant, action, target, None, Some(subscription_json(p))).await?;
        }
        Ok(())
    }

    /// Gives the customer `plan` without payment (a new subscription, or the current one
    /// extended by the plan's period with its limits), queued for the panel like a purchase;
    /// once per `key`. Recorded as `subscription.grant`.
    ///
    /// # Errors
    /// As [`crate::outbox::Provisioning::purchase`].
    pub async fn grant(
        &self,
        tenant: &Tenant,
        user: UserId,
        plan: PlanId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        let order = Order { user, plan, idempotency_key: key.to_owned() };
        let p = self.store.provisioning().purchase(tenant, order, now).await?;
        self.note_provisioned(tenant, "subscription.grant", &p).await?;
        Ok(p)
    }

    /// [`crate::outbox::Provisioning::extend`], recorded as `subscription.extend`.
    ///
    /// # Errors
    /// As the provisioning service.
    pub async fn extend(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        days: u32,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        let p = self.store.provisioning().extend(tenant, id, days, key, now).await?;
        self.note_provisioned(tenant, "subscription.extend", &p).await?;
        Ok(p)
    }

    /// [`crate::outbox::Provisioning::set_limits`], recorded as `subscription.limits`.
    ///
    /// # Errors
    /// As the provisioning service.
    pub async fn set_limits(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        limits: Limits,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        let p = self.store.provisioning().set_limits(tenant, id, limits, key, now).await?;
        self.note_provisioned(tenant, "subscription.limits", &p).await?;
        Ok(p)
    }

    /// [`crate::outbox::Provisioning::reset_traffic`], recorded as `subscription.reset_traffic`.
    ///
    /// # Errors
    /// As the provisioning service.
    pub async fn reset_traffic(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        let p = self.store.provisioning().reset_traffic(tenant, id, key, now).await?;
        self.note_provisioned(tenant, "subscription.reset_traffic", &p).await?;
        Ok(p)
    }

    /// [`crate::outbox::Provisioning::set_enabled`], recorded as `subscription.enable` or
    /// `subscription.disable`.
    ///
    /// # Errors
    /// As the provisioning service.
    pub async fn set_enabled(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        enabled: bool,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        let p = self.store.provisioning().set_enabled(tenant, id, enabled, key, now).await?;
        let action = if enabled { "subscription.enable" } else { "subscription.disable" };
        self.note_provisioned(tenant, action, &p).await?;
        Ok(p)
    }

    // -------------------------------------------------------------------------------------
    // Promotions
    // -------------------------------------------------------------------------------------

    /// [`crate::promos::PromoGroups::create`], recorded as `promo_group.create`.
    ///
    /// # Errors
    /// As the promo groups service.
    pub async fn create_promo_group(&self, tenant: &Tenant, spec: PromoGroupSpec) -> Result<PromoGroup> {
        let group = self.store.promo_groups().create(tenant, spec).await?;
        let target = Some(format!("promo_group:{}", group.id));
        self.note(tenant, "promo_group.create", target, None, json_of(&group)).await?;
        Ok(group)
    }

    /// [`crate::promos::PromoGroups::update`], recorded as `promo_group.update`.
    ///
    /// # Errors
    /// As the promo groups service.
    pub async fn update_promo_group(
        &self,
        tenant: &Tenant,
        id: PromoGroupId,
        spec: PromoGroupSpec,
    ) -> Result<PromoGroup> {
        let before = self.store.promo_groups().get(tenant, id).await?;
        let group = self.store.promo_groups().update(tenant, id, spec).await?;
        let target = Some(format!("promo_group:{id}"));
        self.note(tenant, "promo_group.update", target, json_of(&before), json_of(&group)).await?;
        Ok(group)
    }

    /// [`crate::promos::PromoGroups::delete`], recorded as `promo_group.delete`.
    ///
    /// # Errors
    /// As the promo groups service.
    pub async fn delete_promo_group(&self, tenant: &Tenant, id: PromoGroupId) -> Result<()> {
        let before = self.store.promo_groups().get(tenant, id).await?;
        self.store.promo_groups().delete(tenant, id).await?;
        self.note(tenant, "promo_group.delete", Some(format!("promo_group:{id}")), json_of(&before), None).await
    }

    /// [`crate::promos::PromoCodes::create`], recorded as `promo_code.create`.
    ///
    /// # Errors
    /// As the promo codes service.
    pub async fn create_promo_code(&self, tenant: &Tenant, spec: PromoCodeSpec) -> Result<PromoCode> {
        let code = self.store.promo_codes().create(tenant, spec).await?;
        self.note(tenant, "promo_code.create", Some(format!("promo_code:{}", code.id)), None, json_of(&code)).await?;
        Ok(code)
    }

    /// [`crate::promos::PromoCodes::set_active`], recorded as `promo_code.activate` or
    /// `promo_code.deactivate`.
    ///
    /// # Errors
    /// As the promo codes service.
    pub async fn set_promo_code_active(&self, tenant: &Tenant, id: PromoCodeId, active: bool) -> Result<PromoCode> {
        let before = self.store.promo_codes().get(tenant, id).await?;
        let code = self.store.promo_codes().set_active(tenant, id, active).await?;
        let action = if active { "promo_code.activate" } else { "promo_code.deactivate" };
        self.note(tenant, action, Some(format!("promo_code:{id}")), json_of(&before), json_of(&code)).await?;
        Ok(code)
    }

    /// [`crate::promos::PromoCodes::delete`], recorded as `promo_code.delete`.
    ///
    /// # Errors
    /// As the promo codes service.
    pub async fn delete_promo_code(&self, tenant: &Tenant, id: PromoCodeId) -> Result<()> {
        let before = self.store.promo_codes().get(tenant, id).await?;
        self.store.promo_codes().delete(tenant, id).await?;
        self.note(tenant, "promo_code.delete", Some(format!("promo_code:{id}")), json_of(&before), None).await
    }

    // -------------------------------------------------------------------------------------
    // Settings
    // -------------------------------------------------------------------------------------

    /// [`crate::config::Configs::set`], recorded as `config.set`.
    ///
    /// # Errors
    /// As the configuration service (a refused value writes nothing).
    pub async fn set_config(&self, tenant: &Tenant, key: &str, value: Value) -> Result<()> {
        let before = self.store.configs().get(tenant, key).await?;
        self.store.configs().set(tenant, key, value.clone()).await?;
        self.note(tenant, "config.set", Some(format!("config:{key}")), before, Some(value)).await
    }

    /// [`crate::config::Configs::set_secret`], recorded as `config.set_secret` without the
    /// secret.
    ///
    /// # Errors
    /// As the configuration service.
    pub async fn set_config_secret(&self, tenant: &Tenant, key: &str, secret: &secrecy::SecretString) -> Result<()> {
        self.store.configs().set_secret(tenant, key, secret).await?;
        let after = Some(json!({"secret": true}));
        self.note(tenant, "config.set_secret", Some(format!("config:{key}")), None, after).await
    }

    /// [`crate::config::Configs::delete`], recorded as `config.delete`.
    ///
    /// # Errors
    /// As the configuration service.
    pub async fn delete_config(&self, tenant: &Tenant, key: &str) -> Result<()> {
        let before = self.store.configs().get(tenant, key).await?;
        self.store.configs().delete(tenant, key).await?;
        self.note(tenant, "config.delete", Some(format!("config:{key}")), before, None).await
    }

    /// [`crate::flags::FeatureFlags::set`], recorded as `feature.set`.
    ///
    /// # Errors
    /// As the feature flags service.
    pub async fn set_feature(
        &self,
        tenant: &Tenant,
        key: FeatureKey,
        enabled: bool,
        config: Option<Value>,
    ) -> Result<FeatureFlag> {
        let before = self.store.flags().get(tenant, key).await?;
        let flag = self.store.flags().set(tenant, key, enabled, config).await?;
        let target = Some(format!("feature:{key}"));
        self.note(tenant, "feature.set", target, json_of(&before), json_of(&flag)).await?;
        Ok(flag)
    }

    /// [`crate::flags::FeatureFlags::delete`], recorded as `feature.delete`.
    ///
    /// # Errors
    /// As the feature flags service.
    pub async fn delete_feature(&self, tenant: &Tenant, key: FeatureKey) -> Result<()> {
        let before = self.store.flags().get(tenant, key).await?;
        self.store.flags().delete(tenant, key).await?;
        self.note(tenant, "feature.delete", Some(format!("feature:{key}")), json_of(&before), None).await
    }

    // -------------------------------------------------------------------------------------
    // Payments and tickets
    // -------------------------------------------------------------------------------------

    fn reviewer(&self) -> Reviewer {
        match self.actor {
            Actor::Admin(id) => Reviewer::Admin(id),
            Actor::Operator | Actor::TenantApi => Reviewer::Api,
        }
    }

    /// [`crate::sales::Sales::approve_card_payment`] as this actor, recorded as
    /// `card_payment.approve`.
    ///
    /// # Errors
    /// As the sales service (a payment reviewed before is a conflict).
    pub async fn approve_card_payment(
        &self,
        tenant: &Tenant,
        id: PaymentId,
        texts: &dyn SaleTexts,
        now: DateTime<Utc>,
    ) -> Result<CardApproval> {
        let approval = self.store.sales().approve_card_payment(tenant, id, self.reviewer(), texts, now).await?;
        let after = json!({"status": approval.payment.status, "amount": approval.payment.amount,
            "tracking_code": approval.payment.tracking_code});
        self.note(tenant, "card_payment.approve", Some(format!("card_payment:{id}")), None, Some(after)).await?;
        Ok(approval)
    }

    /// [`crate::sales::Sales::reject_card_payment`] as this actor, recorded as
    /// `card_payment.reject`.
    ///
    /// # Errors
    /// As the sales service.
    pub async fn reject_card_payment(
        &self,
        tenant: &Tenant,
        id: PaymentId,
        reason: Option<String>,
        texts: &dyn SaleTexts,
        now: DateTime<Utc>,
    ) -> Result<CardPayment> {
        let payment = self.store.sales().reject_card_payment(tenant, id, self.reviewer(), reason, texts, now).await?;
        let after = json!({"status": payment.status, "reason": payment.reject_reason,
            "tracking_code": payment.tracking_code});
        self.note(tenant, "card_payment.reject", Some(format!("card_payment:{id}")), None, Some(after)).await?;
        Ok(payment)
    }

    /// Answers a ticket as support (the answer and the customer's message in one
    /// transaction), recorded as `ticket.reply`. An admin's answer carries their Telegram id.
    ///
    /// # Errors
    /// As [`crate::tickets::Tickets::reply_as_admin`].
    pub async fn reply_to_ticket(
        &self,
        tenant: &Tenant,
        id: TicketId,
        text: &str,
        texts: &dyn TicketTexts,
        now: DateTime<Utc>,
    ) -> Result<AdminReply> {
        let tickets = self.store.tickets();
        let reply = match self.actor {
            Actor::Admin(admin) => tickets.reply_as(tenant, id, admin, text, texts, now).await?,
            Actor::Operator | Actor::TenantApi => tickets.reply_as_admin(tenant, id, text, texts, now).await?,
        };
        let after = Some(json!({"message_id": reply.message.id, "text": reply.message.text}));
        self.note(tenant, "ticket.reply", Some(format!("ticket:{id}")), None, after).await?;
        Ok(reply)
    }

    /// [`crate::tickets::Tickets::close`], recorded as `ticket.close`.
    ///
    /// # Errors
    /// As the tickets service.
    pub async fn close_ticket(&self, tenant: &Tenant, id: TicketId) -> Result<Ticket> {
        let before = self.store.tickets().get(tenant, id).await?;
        let ticket = self.store.tickets().close(tenant, id).await?;
        let (b, a) = (json!({"status": before.status}), json!({"status": ticket.status}));
        self.note(tenant, "ticket.close", Some(format!("ticket:{id}")), Some(b), Some(a)).await?;
        Ok(ticket)
    }

    // -------------------------------------------------------------------------------------
    // The wallet
    // -------------------------------------------------------------------------------------

    /// [`crate::wallet::Wallets::post`], recorded as `wallet.post` when it applied now.
    ///
    /// # Errors
    /// As the wallet service.
    pub async fn post_wallet(&self, tenant: &Tenant, posting: Posting) -> Result<Posted> {
        let posted = self.store.wallets().post(tenant, posting).await?;
        if posted.newly_applied {
            let e = &posted.entry;
            let before = e.balance_after.checked_sub(e.amount)?;
            let after = json!({"balance": e.balance_after, "amount": e.amount, "kind": e.kind,
                "idempotency_key": e.idempotency_key});
            self.note(tenant, "wallet.post", Some("wallet".to_owned()), Some(json!({"balance": before})), Some(after))
                .await?;
        }
        Ok(posted)
    }
}
