//! Test fakes for remnabot: a stateful Remnawave panel ([`FakeRemnawave`]); Telegram and Zarinpal
//! fakes come later. Dev-dependency only.

pub mod remnawave;
pub use remnawave::FakeRemnawave;
