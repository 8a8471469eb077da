//! What every area of the panel builds its screens with: the context of one press or answer
//! ([`Ctx`]), a screen (text and inline keyboard, [`Screen`]) shown by editing the panel
//! message in place, Back and Home, paging with the total, confirmation, and the nonces that
//! make a confirmed change happen once.

use std::sync::atomic::{AtomicBool, Ordering};

use rand::RngExt;
use remnabot_domain::config::Language;
use remnabot_domain::{Tenant, TgUserId};
use remnabot_store::Store;
use remnabot_store::audit::Actor;
use remnabot_store::changes::Changes;
use remnabot_store::outbox::MAX_TEXT;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};
use teloxide::{ApiError, RequestError};

use super::PanelState;
use crate::dialogue::DialogueState;
use crate::handlers::{HandlerError, HandlerResult, Shared, TenantBot};
use crate::texts::Arg;

pub use crate::paging::{PER_PAGE, Paging};

/// The callback data of the Home screen.
pub const HOME: &str = "pn:home";

/// The longest button label, in characters (longer names are cut).
const MAX_LABEL: usize = 48;

/// Where the next screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// A button was pressed on this message: it is edited in place.
    Edit(MessageId),
    /// A new message (the admin typed `/admin` or answered a question); the panel message
    /// that asked the question, if any, is deleted so one screen stays.
    New { replaces: Option<MessageId> },
}

/// One press or answer in the panel: who (an admin, authorized for this very update), where,
/// in which language, and the message to show the next screen on.
pub struct Ctx<'a> {
    pub shared: &'a Shared,
    pub bot: &'a TenantBot,
    pub admin: TgUserId,
    pub lang: Language,
    pub chat: ChatId,
    pub(super) target: Target,
    /// The callback query to answer (a press), answered once.
    pub(super) query: Option<teloxide::types::CallbackQueryId>,
    pub(super) answered: AtomicBool,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").field("admin", &self.admin).field("target", &self.target).finish_non_exhaustive()
    }
}

impl Ctx<'_> {
    /// The text `id` in the admin's language.
    pub fn t(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.shared.text(self.lang, id, args)
    }

    /// The tenant.
    pub fn tenant(&self) -> &Tenant {
        &self.bot.tenant
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// Changes made by this admin, recorded in the audit log.
    pub fn changes(&self) -> Changes<'_> {
        self.shared.store.changes(Actor::Admin(self.admin))
    }

    /// Answers the press, once (later calls do nothing), with an optional short notice.
    async fn answer_query(&self, notice: Option<String>, alert: bool) -> HandlerResult {
        let Some(id) = self.query.clone() else { return Ok(()) };
        if self.answered.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let mut call = self.bot.tg.answer_callback_query(id);
        if let Some(text) = notice {
            call = call.text(clip(&text, 190)).show_alert(alert);
        }
        call.await?;
        Ok(())
    }

    /// Answers the press with the short notice `id` (at the top of the chat).
    ///
    /// # Errors
    /// [`HandlerError`] when Telegram fails.
    pub async fn notice(&self, id: &str, args: &[(&str, Arg)]) -> HandlerResult {
        self.answer_query(Some(self.t(id, args)), false).await
    }

    /// Answers the press with the text `id` in a box the admin must close.
    ///
    /// # Errors
    /// [`HandlerError`] when Telegram fails.
    pub async fn alert(&self, id: &str, args: &[(&str, Arg)]) -> HandlerResult {
        self.answer_query(Some(self.t(id, args)), true).await
    }

    /// Tells the admin `id` (something not found, a refusal): in a box they must close after
    /// a press, as a screen with Home after a typed answer (which has no press to answer).
    ///
    /// # Errors
    /// [`HandlerError`] when Telegram fails.
    pub async fn tell(&self, id: &str) -> HandlerResult {
        if self.query.is_some() {
            return self.alert(id, &[]).await;
        }
        self.show(self.nav(Screen::new(self.t(id, &[])), None)).await.map(drop)
    }

    /// Shows `screen`: edits the pressed message, or sends a new one (deleting the question
    /// it answers). Returns the message now showing it.
    ///
    /// # Errors
    /// [`HandlerError`] when Telegram fails.
    pub async fn show(&self, screen: Screen) -> Result<MessageId, HandlerError> {
        self.answer_query(None, false).await?;
        let text = clip(&screen.text, MAX_TEXT);
        let keyboard = screen.keyboard();
        match self.target {
            Target::Edit(message) => {
                match self
                    .bot
                    .tg
                    .edit_message_text(self.chat, message, text.clone())
                    .reply_markup(keyboard.clone())
                    .await
                {
                    Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => return Ok(message),
                    Err(RequestError::Api(e)) => {
                        // Too old to edit, or deleted: the screen comes as a new message.
                        tracing::debug!(error = %e, "the panel message could not be edited; sending a new one");
                    }
                    Err(e) => return Err(e.into()),
                }
                Ok(self.bot.tg.send_message(self.chat, text).reply_markup(keyboard).await?.id)
            }
            Target::New { replaces } => {
                let sent = self.bot.tg.send_message(self.chat, text).reply_markup(keyboard).await?;
                if let Some(old) = replaces {
                    // Best effort: an old message may be gone already.
                    self.bot.tg.delete_message(self.chat, old).await.ok();
                }
                Ok(sent.id)
            }
        }
    }

    /// Shows `screen` and waits for the admin's next message as the answer to `question`.
    ///
    /// # Errors
    /// [`HandlerError`] when the database or Telegram fails.
    pub async fn ask(&self, question: PanelState, screen: Screen) -> HandlerResult {
        let message = self.show(screen).await?;
        let state = DialogueState::Panel { at: question, message: message.0 };
        self.shared.dialogues.set(&self.bot.tenant, self.chat.0, state).await?;
        Ok(())
    }

    /// `screen` with a last row of Back (to `back`, when given) and Home.
    pub fn nav(&self, screen: Screen, back: Option<String>) -> Screen {
        let mut row = Vec::with_capacity(2);
        if let Some(back) = back {
            row.push(button(self.t("panel-back", &[]), back));
        }
        row.push(button(self.t("panel-home", &[]), HOME.to_owned()));
        screen.with_row(row)
    }

    /// `screen` with a row of Previous, the page and Next (when there is more than one
    /// page); `data` is the callback data of page `n`.
    pub fn pager(&self, screen: Screen, paging: Paging, data: impl Fn(u32) -> String) -> Screen {
        if paging.pages() <= 1 {
            return screen;
        }
        let mut row = Vec::with_capacity(3);
        if paging.page > 0 {
            row.push(button(self.t("panel-previous", &[]), data(paging.page - 1)));
        }
        let label =
            self.t("panel-page-button", &[("page", (paging.page + 1).into()), ("pages", paging.pages().into())]);
        row.push(button(label, data(paging.page)));
        if paging.page + 1 < paging.pages() {
            row.push(button(self.t("panel-next", &[]), data(paging.page + 1)));
        }
        screen.with_row(row)
    }

    /// The line above a list: its total and the page shown.
    pub fn page_line(&self, paging: Paging) -> String {
        self.t(
            "panel-page",
            &[
                ("page", (paging.page + 1).into()),
                ("pages", paging.pages().max(1).into()),
                ("count", paging.total.into()),
            ],
        )
    }

    /// A confirmation: `question`, then Confirm (`yes`) and Cancel (`no`).
    pub fn confirm(&self, question: String, yes: String, no: String) -> Screen {
        Screen::new(question)
            .with_row(vec![button(self.t("panel-confirm", &[]), yes), button(self.t("panel-cancel", &[]), no)])
    }

    /// A question with a Cancel button (`cancel`: where it leads).
    pub fn prompt(&self, text: String, cancel: String) -> Screen {
        Screen::new(text).with_button(self.t("panel-cancel", &[]), cancel)
    }
}

/// A screen: text and rows of callback buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    text: String,
    rows: Vec<Vec<InlineKeyboardButton>>,
}

impl Screen {
    /// A screen of `text` (cut to Telegram's 4096 characters when shown).
    pub fn new(text: impl Into<String>) -> Screen {
        Screen { text: text.into(), rows: Vec::new() }
    }

    /// Adds a line of text.
    pub fn with_line(mut self, line: &str) -> Screen {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(line);
        self
    }

    /// Adds one button on a row of its own.
    pub fn with_button(self, label: String, data: String) -> Screen {
        self.with_row(vec![button(label, data)])
    }

    /// Adds a row of buttons.
    pub fn with_row(mut self, row: Vec<InlineKeyboardButton>) -> Screen {
        if !row.is_empty() {
            self.rows.push(row);
        }
        self
    }

    /// Adds `buttons`, `per_row` on each row.
    pub fn with_grid(mut self, buttons: Vec<InlineKeyboardButton>, per_row: usize) -> Screen {
        for chunk in buttons.chunks(per_row.max(1)) {
            self.rows.push(chunk.to_vec());
        }
        self
    }

    /// Adds the button rows of `other` after this screen's.
    pub fn with_rows_of(mut self, other: Screen) -> Screen {
        self.rows.extend(other.rows);
        self
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    fn keyboard(&self) -> InlineKeyboardMarkup {
        InlineKeyboardMarkup::new(self.rows.clone())
    }
}

/// A callback button (the label cut to a readable length; the data must fit 64 bytes).
pub fn button(label: String, data: String) -> InlineKeyboardButton {
    debug_assert!(data.len() <= 64, "callback data over 64 bytes: {data}");
    InlineKeyboardButton::callback(clip(&label, MAX_LABEL), data)
}

/// `text` cut to `max` characters, an ellipsis marking the cut.
pub fn clip(text: &str, max: usize) -> String {
    remnabot_domain::text::clip(text, max).into_owned()
}

/// A fresh confirmation nonce: 10 characters of `A-Z0-9`. A confirmed change's idempotency
/// key is made from it, so the same Confirm pressed again (or by twenty fingers at once)
/// applies once, while the next confirmation screen gets a new one.
pub fn nonce() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    (0..10).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect()
}

/// Whether `s` could be a nonce (so forged data with anything else is refused early).
pub fn is_nonce(s: &str) -> bool {
    s.len() == 10 && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A positive id from callback data.
pub fn id_of(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|n| *n > 0)
}

/// A page number from callback data.
pub fn page_of(s: &str) -> Option<u32> {
    s.parse::<u32>().ok().filter(|p| *p < 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_fresh_and_recognised() {
        let (a, b) = (nonce(), nonce());
        assert!(is_nonce(&a) && is_nonce(&b));
        assert_ne!(a, b);
        for bad in ["", "abcdefghij", "ABCDEFGHI", "ABCDEFGHIJK", "ABCDE-GHIJ"] {
            assert!(!is_nonce(bad), "{bad}");
        }
    }

    #[test]
    fn screens_keep_their_rows_and_long_text_is_cut() {
        let s = Screen::new("a").with_line("b").with_button("x".into(), "pn:home".into()).with_row(Vec::new());
        assert_eq!(s.text(), "a\nb");
        assert_eq!(s.keyboard().inline_keyboard.len(), 1);
        assert_eq!(clip(&"ж".repeat(5000), MAX_TEXT).chars().count(), MAX_TEXT);
    }
}
