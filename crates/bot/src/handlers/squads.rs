//! Refusing a sale that would reach no server. On Remnawave a panel user outside every
//! internal squad has no inbound: when nothing chooses a squad for the tenant's customers
//! (its `panel_squads`, the platform's default, or the panel's only squad), a purchase, a
//! renewal or a trial is refused before any order exists, the customer is told, and the
//! tenant's admins are told why through the notification outbox, once a day each however many
//! customers press.

use std::time::Duration;

use chrono::Utc;
use remnabot_domain::panel::SquadChoice;
use remnabot_store::outbox::NewNotification;
use remnabot_store::users::User;
use teloxide::prelude::*;

use super::{HandlerError, Shared, TenantBot, admin};

/// How long a customer's press waits for the panel's list of squads. A panel that does not
/// answer in time does not block the sale: the order waits in the provisioning outbox, which
/// creates no panel user without a squad either.
const ASK_PANEL_FOR: Duration = Duration::from_secs(3);

/// Whether a sale (purchase, renewal or trial) may start for this tenant now. `false` after
/// telling the customer that the shop cannot sell, and its admins why.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub(super) async fn sale_allowed(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
) -> Result<bool, HandlerError> {
    let Some(policy) = &shared.squads else { return Ok(true) };
    let panel_has = match tokio::time::timeout(ASK_PANEL_FOR, policy.squads_for(&bot.tenant)).await {
        Ok(Ok(SquadChoice::Squads(_))) => return Ok(true),
        Ok(Ok(SquadChoice::NoSquad { panel_has })) => panel_has,
        Ok(Err(e)) => {
            tracing::warn!(bot_id = %bot.tenant.bot_id(), error = %e, "cannot tell the panel's squads; the sale goes on");
            return Ok(true);
        }
        Err(_) => {
            tracing::warn!(bot_id = %bot.tenant.bot_id(), "the panel did not list its squads in time; the sale goes on");
            return Ok(true);
        }
    };
    tracing::warn!(bot_id = %bot.tenant.bot_id(), panel_has, "sale refused: no internal squad for the tenant's customers");
    tell_admins(shared, bot, panel_has).await?;
    bot.tg.send_message(chat, shared.text(user.language, "sale-no-squad", &[])).await?;
    Ok(false)
}

/// Queues the reason to each of the tenant's admins, once a day each: the notification's key
/// names the day (UTC), so every further refusal that day adds nothing.
async fn tell_admins(shared: &Shared, bot: &TenantBot, panel_has: usize) -> Result<(), HandlerError> {
    let day = Utc::now().format("%Y%m%d");
    for (chat, lang) in admin::recipients(shared, bot).await? {
        let n = NewNotification {
            chat_id: chat,
            text: shared.text(lang, "admin-no-squad", &[("count", panel_has.into())]),
            idempotency_key: format!("no-squad:{}:{day}:{chat}", bot.tenant.bot_id()),
        };
        shared.store.notifications().enqueue(&bot.tenant, &n).await?;
    }
    Ok(())
}
