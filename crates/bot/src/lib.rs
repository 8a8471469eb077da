//! The bots: every tenant's Telegram bot in one process. [`fleet::Fleet`] runs them (webhook
//! or long polling, started and stopped live), [`handlers`] answer updates with a resolved
//! tenant, [`dialogue`] keeps conversations per tenant and chat, [`texts`] speaks Persian,
//! English and Russian, [`calendar`] writes dates (Solar Hijri in Persian), and
//! [`sale_texts`] gives the sales service its customer messages and runs payment expiry.

pub mod calendar;
pub mod dialogue;
pub mod fleet;
pub mod handlers;
pub mod paging;
pub mod sale_texts;
pub mod texts;

pub use fleet::{BotHealth, Fleet, FleetConfig, UpdatesMode};
