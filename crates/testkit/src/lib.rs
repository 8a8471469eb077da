//! Test fakes for remnabot: a stateful Remnawave panel ([`FakeRemnawave`]) and a stateful Telegram
//! Bot API server ([`FakeTelegram`]); a Zarinpal fake comes later. Dev-dependency only.

pub mod remnawave;
pub mod telegram;
pub use remnawave::FakeRemnawave;
pub use telegram::FakeTelegram;
