//! The messages about card-to-card payments which the sales service queues in the same
//! transaction as the approval, rejection or expiry they announce (the customer's, and the
//! outcome added to every admin's copy of the receipt); the customer's message about an
//! answer from support, queued with the answer; and the job step that expires unreviewed
//! payments.

use chrono::{DateTime, Utc};
use remnabot_domain::config::Language;
use remnabot_domain::notify::CallbackButton;
use remnabot_domain::{Tenant, Toman};
use remnabot_store::Store;
use remnabot_store::payments::{CardPayment, PaymentPurpose, PaymentStatus};
use remnabot_store::sales::SaleTexts;
use remnabot_store::tickets::TicketTexts;

use crate::calendar::format_datetime;
use crate::handlers::admin::Action;
use crate::texts::Texts;

/// The answer a customer gets when support answers a ticket through the API or the admin
/// panel: the one the bot sends when an admin answers in Telegram (`acct-ticket-answer`).
impl TicketTexts for Texts {
    fn ticket_answered(&self, lang: Language, ticket: remnabot_domain::TicketId, quoted: &str) -> String {
        self.get(lang, "acct-ticket-answer", &[("ticket", ticket.0.into()), ("text", quoted.into())])
    }
}

impl SaleTexts for Texts {
    fn card_approved(&self, lang: Language, payment: &CardPayment, balance_after: Option<Toman>) -> String {
        let code = ("code", payment.tracking_code.as_str().into());
        let amount = ("amount", payment.amount.into());
        match (payment.purpose, balance_after) {
            (PaymentPurpose::TopUp, Some(balance)) => {
                self.get(lang, "card-approved-top-up", &[code, amount, ("balance", balance.into())])
            }
            _ => self.get(lang, "card-approved", &[code, amount]),
        }
    }

    fn card_credited_instead(&self, lang: Language, payment: &CardPayment, balance_after: Toman) -> String {
        let args = [
            ("code", payment.tracking_code.as_str().into()),
            ("amount", payment.amount.into()),
            ("balance", balance_after.into()),
        ];
        self.get(lang, "card-credited-instead", &args)
    }

    fn card_rejected(&self, lang: Language, payment: &CardPayment) -> String {
        let code = ("code", payment.tracking_code.as_str().into());
        match payment.reject_reason.as_deref() {
            Some(reason) => self.get(lang, "card-rejected-reason", &[code, ("reason", reason.into())]),
            None => self.get(lang, "card-rejected", &[code]),
        }
    }

    fn card_expired(&self, lang: Language, payment: &CardPayment) -> String {
        let code = ("code", payment.tracking_code.as_str().into());
        if payment.receipt.is_some() {
            self.get(lang, "card-expired-unreviewed", &[code])
        } else {
            self.get(lang, "card-expired", &[code])
        }
    }

    /// The one outcome line, used by the queued edits and by the bot's own edit of the
    /// message an admin pressed.
    fn review_outcome(&self, lang: Language, payment: &CardPayment) -> String {
        let by = payment.reviewed_by.map_or_else(|| "API".to_owned(), |id| id.to_string());
        let at = payment.reviewed_at.map(|t| format_datetime(lang, t)).unwrap_or_default();
        match payment.status {
            PaymentStatus::Pending => String::new(),
            PaymentStatus::Approved => {
                self.get(lang, "admin-outcome-approved", &[("admin", by.into()), ("at", at.into())])
            }
            PaymentStatus::Rejected => match payment.reject_reason.as_deref() {
                Some(reason) => self.get(
                    lang,
                    "admin-outcome-rejected-reason",
                    &[("admin", by.into()), ("at", at.into()), ("reason", reason.into())],
                ),
                None => self.get(lang, "admin-outcome-rejected", &[("admin", by.into()), ("at", at.into())]),
            },
            PaymentStatus::Expired => self.get(lang, "admin-outcome-expired", &[]),
        }
    }

    /// Details stays under a reviewed receipt; Approve and Reject go.
    fn review_button(&self, lang: Language, payment: &CardPayment) -> Option<CallbackButton> {
        Some(CallbackButton { text: self.get(lang, "admin-details", &[]), data: Action::Details(payment.id).data() })
    }
}

/// Expires the tenant's card-to-card payments past their deadline (no receipt in time, or
/// no review in time) and queues each customer's message, and expires its Stars invoices left
/// unpaid (their discount codes go back to the customers). Returns how many expired.
///
/// # Errors
/// [`remnabot_domain::Error::Unavailable`] when the database fails.
pub async fn expire_card_payments(
    store: &Store,
    texts: &Texts,
    tenant: &Tenant,
    now: DateTime<Utc>,
) -> remnabot_domain::Result<usize> {
    let cards = store.sales().expire_card_payments(tenant, texts, now).await?.len();
    let stars = store.sales().expire_stars_orders(tenant, now).await?;
    Ok(cards + stars)
}

/// [`expire_card_payments`] for every active tenant: the step the server runs every
/// minute. A tenant that fails is logged and the others go on. Returns how many expired.
///
/// # Errors
/// [`remnabot_domain::Error::Unavailable`] when the tenants cannot be listed.
pub async fn expire_card_payments_everywhere(
    store: &Store,
    texts: &Texts,
    now: DateTime<Utc>,
) -> remnabot_domain::Result<usize> {
    let mut total = 0;
    for bot in store.platform().active().await? {
        let tenant = Tenant::of(&bot);
        match expire_card_payments(store, texts, &tenant, now).await {
            Ok(n) => total += n,
            Err(e) => tracing::warn!(bot_id = %bot.id, error = %e, "could not expire card payments"),
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use remnabot_domain::TicketId;

    use super::*;

    #[test]
    fn an_answer_from_the_api_or_the_panel_reads_like_the_bots_own_in_each_language() {
        let texts = Texts::load().unwrap_or_else(|e| panic!("{e}"));
        let en = texts.ticket_answered(Language::En, TicketId(12345), "Try the second server");
        assert!(en.contains("Support answered ticket #") && en.contains("12345"), "{en}");
        assert!(en.contains("Try the second server"), "{en}");
        for lang in [Language::Fa, Language::Ru] {
            let text = texts.ticket_answered(lang, TicketId(7), "سلام");
            assert!(text.contains("سلام") && text != en && !text.contains("acct-ticket-answer"), "{lang:?}: {text}");
        }
    }
}
