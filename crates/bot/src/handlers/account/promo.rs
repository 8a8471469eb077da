//! Promo codes: the customer types a code; the store redeems it and applies its effect in
//! one transaction (balance credit, extra days, or a discount on the next paid order).

use chrono::Utc;
use remnabot_domain::feature::FeatureKey;
use remnabot_store::promo_effects::{PromoEffect, PromoRefusal, Redemption};
use remnabot_store::users::User;
use teloxide::prelude::*;
use teloxide::types::Message;

use super::cancel_keyboard;
use crate::calendar::format_datetime;
use crate::dialogue::DialogueState;
use crate::handlers::{HandlerResult, Shared, TenantBot, end_question, feature_on};

/// The "Promo code" menu item: asks for the code.
///
/// # Errors
/// [`crate::handlers::HandlerError`] when the database or Telegram fails.
pub async fn ask_promo_code(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId) -> HandlerResult {
    let lang = user.language;
    if !feature_on(shared, bot, Some(FeatureKey::PromoCodes)).await? {
        bot.tg.send_message(chat, shared.text(lang, "feature-disabled", &[])).await?;
        return Ok(());
    }
    shared.dialogues.set(&bot.tenant, chat.0, DialogueState::PromoCode).await?;
    let text = shared.text(lang, "acct-promo-prompt", &[]);
    bot.tg.send_message(chat, text).reply_markup(cancel_keyboard(shared, lang)).await?;
    Ok(())
}

/// The message explaining a refusal.
fn refusal_text(why: PromoRefusal) -> &'static str {
    match why {
        PromoRefusal::Unknown => "acct-promo-unknown",
        PromoRefusal::Inactive => "acct-promo-inactive",
        PromoRefusal::NotYetValid => "acct-promo-not-yet-valid",
        PromoRefusal::Expired => "acct-promo-expired",
        PromoRefusal::UsedUp => "acct-promo-used-up",
        PromoRefusal::AlreadyUsed => "acct-promo-already-used",
        PromoRefusal::NoSubscription => "acct-promo-no-subscription",
    }
}

/// A message in the `PromoCode` state: the code.
pub(super) async fn on_code(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    msg: &Message,
) -> HandlerResult {
    let lang = user.language;
    if !feature_on(shared, bot, Some(FeatureKey::PromoCodes)).await? {
        end_question(shared, bot, chat).await?;
        bot.tg.send_message(chat, shared.text(lang, "feature-disabled", &[])).await?;
        return Ok(());
    }
    let Some(code) = msg.text() else {
        let text = shared.text(lang, "acct-expects-text", &[]);
        bot.tg.send_message(chat, text).reply_markup(cancel_keyboard(shared, lang)).await?;
        return Ok(());
    };
    let now = Utc::now();
    let redeemed = shared.store.promo_redemptions().redeem(&bot.tenant, code, user.id, now).await?;
    let text = match redeemed {
        Redemption::Refused(PromoRefusal::Unknown) => {
            // A typo is likely: the question stays open for another try.
            let text = shared.text(lang, "acct-promo-unknown", &[]);
            bot.tg.send_message(chat, text).reply_markup(cancel_keyboard(shared, lang)).await?;
            return Ok(());
        }
        Redemption::Refused(why) => shared.text(lang, refusal_text(why), &[]),
        Redemption::Throttled { retry_at } => {
            // Whole minutes, rounded up: "in 0 minutes" would invite a refused retry.
            let seconds = (retry_at - now).num_seconds().max(1);
            let minutes = (seconds + 59) / 60;
            shared.text(lang, "acct-promo-too-many", &[("minutes", minutes.into())])
        }
        Redemption::Applied { effect, .. } => match effect {
            PromoEffect::Balance { amount, balance_after } => {
                shared.text(lang, "acct-promo-balance", &[("amount", amount.into()), ("balance", balance_after.into())])
            }
            PromoEffect::Days { days, expires_at, .. } => shared.text(
                lang,
                "acct-promo-days",
                &[("days", days.into()), ("date", format_datetime(lang, expires_at).into())],
            ),
            PromoEffect::Discount { percent } => {
                shared.text(lang, "acct-promo-discount", &[("percent", u32::from(percent).into())])
            }
        },
    };
    end_question(shared, bot, chat).await?;
    bot.tg.send_message(chat, text).await?;
    Ok(())
}
