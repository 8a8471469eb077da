//! Newtype ids, so a `UserId` can never be passed where a `PlanId` is meant.

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id!(
    /// A tenant bot (row of `bots`).
    BotId
);
id!(
    /// A customer of one tenant (row of `users`), not a Telegram id.
    UserId
);
id!(
    /// A Telegram user id as Telegram sends it.
    TgUserId
);
id!(
    /// A tenant's plan (row of `bot_plans`).
    PlanId
);
id!(
    /// A tenant's payment card (row of `tenant_payment_cards`).
    CardId
);
id!(
    /// A subscription (row of `subscriptions`).
    SubscriptionId
);
id!(
    /// A payment record (card-to-card or Zarinpal).
    PaymentId
);
id!(
    /// A money transaction of a customer (row of `transactions`).
    TransactionId
);
id!(
    /// A support ticket.
    TicketId
);
id!(
    /// A promo code.
    PromoCodeId
);
id!(
    /// A promo group.
    PromoGroupId
);
