//! Test fakes for remnabot, stateful and over real HTTP: a Remnawave panel ([`FakeRemnawave`]), a Telegram
//! Bot API server ([`FakeTelegram`]) and a Zarinpal gateway ([`FakeZarinpal`]).
//! Dev-dependency only.

pub mod remnawave;
pub mod telegram;
pub mod zarinpal;
pub use remnawave::FakeRemnawave;
pub use telegram::FakeTelegram;
pub use zarinpal::FakeZarinpal;
