//! Texts with bounds. Every text the platform takes in (through the API or an admin's
//! dialogue in a bot) is one of the validated types here, sized so that every screen built
//! from it fits Telegram's limits; [`clip`] cuts whatever a screen assembles from longer data
//! (customers' own messages, old rows). Each type carries its [`TextRule`], from which the API
//! states the same bounds in its OpenAPI document.
//!
//! Telegram counts a message's length in characters (Unicode scalar values), so the bounds
//! here count `char`s, as JSON Schema's `maxLength` does.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::error::{Error, Result};

/// The longest message text Telegram accepts, in characters.
pub const MESSAGE_CHARS: usize = 4096;
/// The longest caption of a photo or document Telegram accepts, in characters.
pub const CAPTION_CHARS: usize = 1024;
/// The longest `callback_data` of an inline button, in bytes.
pub const CALLBACK_DATA_BYTES: usize = 64;

/// `text` cut to at most `max` characters, the last one an ellipsis when anything was cut.
pub fn clip(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some(_) if max == 0 => Cow::Borrowed(""),
        Some(_) => {
            let end = text.char_indices().nth(max - 1).map_or(text.len(), |(i, _)| i);
            Cow::Owned(format!("{}…", &text[..end]))
        }
    }
}

/// What a blank (empty or only spaces) text means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blank {
    /// Refused: the text is required.
    Refused,
    /// The text is absent (an optional field left empty).
    MeansNone,
}

/// The bounds of one kind of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    /// The field named in errors.
    pub field: &'static str,
    /// The most characters, counted before trimming (so a client can check it as sent).
    pub max_chars: usize,
    /// Whether line breaks and tabs are allowed (other control characters never are:
    /// PostgreSQL refuses NUL in text, and Telegram shows the others as boxes).
    pub multiline: bool,
    pub blank: Blank,
}

impl TextRule {
    /// Whether `c` may appear in this text.
    pub fn allows(&self, c: char) -> bool {
        !c.is_control() || (self.multiline && matches!(c, '\n' | '\t' | '\r'))
    }

    /// Checks `text` and returns it trimmed; `None` for a blank text where blank means none.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field: too long, a control character (a line break in a
    /// one-line text), or blank where the text is required.
    pub fn check(&self, text: &str) -> Result<Option<String>> {
        if text.chars().count() > self.max_chars {
            return Err(Error::invalid(self.field, format!("must be at most {} characters", self.max_chars)));
        }
        if let Some(bad) = text.chars().find(|c| !self.allows(*c)) {
            let what = if matches!(bad, '\n' | '\r' | '\t') { "a line break or tab" } else { "a control character" };
            return Err(Error::invalid(self.field, format!("must not contain {what}")));
        }
        let trimmed = text.trim();
        match (trimmed.is_empty(), self.blank) {
            (true, Blank::MeansNone) => Ok(None),
            (true, Blank::Refused) => {
                Err(Error::invalid(self.field, format!("must be 1 to {} characters, not only spaces", self.max_chars)))
            }
            (false, _) => Ok(Some(trimmed.to_owned())),
        }
    }

    /// The same rule as a JSON Schema (`maxLength`, and a `pattern` for the characters
    /// allowed and, when required, a character that is not a space).
    pub fn json_schema(&self) -> serde_json::Value {
        let allowed = if self.multiline {
            r"[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]"
        } else {
            r"[^\u0000-\u001F\u007F-\u009F]"
        };
        let (pattern, min) = match self.blank {
            Blank::Refused => (format!(r"^{allowed}*[^\s\u0000-\u001F\u007F-\u009F]{allowed}*$"), 1),
            Blank::MeansNone => (format!("^{allowed}*$"), 0),
        };
        serde_json::json!({
            "type": "string",
            "minLength": min,
            "maxLength": self.max_chars,
            "pattern": pattern,
        })
    }
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident { field: $field:literal, max: $max:expr, multiline: $multi:expr, blank: $blank:ident }) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The bounds of this text.
            pub const RULE: TextRule =
                TextRule { field: $field, max_chars: $max, multiline: $multi, blank: Blank::$blank };
            /// The most characters.
            pub const MAX_CHARS: usize = $max;

            /// The text as it is kept (trimmed).
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text as it is kept (trimmed).
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(t: $name) -> String {
                t.0
            }
        }
    };
}

macro_rules! required_text {
    ($(#[$doc:meta])* $name:ident { field: $field:literal, max: $max:expr, multiline: $multi:expr }) => {
        bounded_text!($(#[$doc])* $name { field: $field, max: $max, multiline: $multi, blank: Refused });

        impl $name {
            /// Checks `text` and keeps it trimmed.
            ///
            /// # Errors
            /// [`Error::Invalid`] naming the field.
            pub fn parse(text: &str) -> Result<$name> {
                match Self::RULE.check(text)? {
                    Some(t) => Ok($name(t)),
                    None => Err(Error::invalid($field, "must not be empty")),
                }
            }
        }
    };
}

macro_rules! optional_text {
    ($(#[$doc:meta])* $name:ident { field: $field:literal, max: $max:expr, multiline: $multi:expr }) => {
        bounded_text!($(#[$doc])* $name { field: $field, max: $max, multiline: $multi, blank: MeansNone });

        impl $name {
            /// Checks `text` and keeps it trimmed; a blank text is `None`.
            ///
            /// # Errors
            /// [`Error::Invalid`] naming the field.
            pub fn parse(text: &str) -> Result<Option<$name>> {
                Ok(Self::RULE.check(text)?.map($name))
            }

            /// [`Self::parse`] of an optional text.
            ///
            /// # Errors
            /// [`Error::Invalid`] naming the field.
            pub fn parse_opt(text: Option<&str>) -> Result<Option<$name>> {
                text.map_or(Ok(None), Self::parse)
            }
        }
    };
}

required_text! {
    /// A bot's display name (shown to the operator, and on the panel's user descriptions).
    BotName { field: "name", max: 64, multiline: false }
}

required_text! {
    /// A plan's name: one line, short enough for a button and for a page of plans to fit one
    /// message.
    PlanName { field: "name", max: 64, multiline: false }
}

optional_text! {
    /// A plan's description, shown under its summary on the plan's screen.
    PlanDescription { field: "description", max: 1000, multiline: true }
}

required_text! {
    /// The name on a payment card, shown to paying customers.
    HolderName { field: "holder_name", max: 64, multiline: false }
}

optional_text! {
    /// The bank of a payment card, shown to paying customers.
    BankName { field: "bank_name", max: 64, multiline: false }
}

optional_text! {
    /// A note on a balance change or wallet credit (kept with the ledger entry).
    LedgerNote { field: "description", max: 1000, multiline: true }
}

optional_text! {
    /// Why a card payment was rejected: told to the customer.
    RejectReason { field: "reason", max: 1000, multiline: true }
}

required_text! {
    /// Support's answer to a ticket: one Telegram message.
    TicketAnswer { field: "text", max: MESSAGE_CHARS, multiline: true }
}

required_text! {
    /// A message an admin sends a customer through the tenant's bot: one Telegram message.
    CustomerMessage { field: "text", max: MESSAGE_CHARS, multiline: true }
}

required_text! {
    /// A promo group's name (shown to admins in lists and buttons).
    PromoGroupName { field: "name", max: 64, multiline: false }
}

required_text! {
    /// The `/start` greeting of a tenant: one Telegram message (the menu is its keyboard).
    WelcomeText { field: "value", max: 3000, multiline: true }
}

required_text! {
    /// Where a tenant's customers get help (`@username`, a URL or a few words).
    SupportContact { field: "value", max: 256, multiline: true }
}

/// The rule of an idempotency key: 1 to 128 characters, none of them a control character.
/// Keys are compared as sent (never trimmed).
pub const IDEMPOTENCY_KEY_MAX: usize = 128;

/// Checks an idempotency key.
///
/// # Errors
/// [`Error::Invalid`] (`idempotency_key`) when it is empty, longer than 128 characters or
/// has a control character.
pub fn check_idempotency_key(key: &str) -> Result<()> {
    if key.is_empty() || key.chars().count() > IDEMPOTENCY_KEY_MAX || key.chars().any(char::is_control) {
        return Err(Error::invalid("idempotency_key", "must be 1 to 128 characters without control characters"));
    }
    Ok(())
}

/// The JSON Schema of an idempotency key.
pub fn idempotency_key_schema() -> serde_json::Value {
    serde_json::json!({
        "type": "string",
        "minLength": 1,
        "maxLength": IDEMPOTENCY_KEY_MAX,
        "pattern": r"^[^\u0000-\u001F\u007F-\u009F]*$",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_short_texts_and_marks_a_cut_within_the_limit() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "ab…");
        assert_eq!(clip("سلام دنیا", 4), "سلا…");
        assert_eq!(clip("abc", 0), "");
        assert_eq!(clip("", 0), "");
        let long = "x".repeat(5000);
        assert_eq!(clip(&long, MESSAGE_CHARS).chars().count(), MESSAGE_CHARS);
    }

    #[test]
    fn required_texts_are_trimmed_bounded_and_refused_when_blank() {
        assert_eq!(PlanName::parse("  1 month ").map(String::from).ok().as_deref(), Some("1 month"));
        assert!(PlanName::parse("   ").is_err());
        assert!(PlanName::parse("").is_err());
        assert!(PlanName::parse(&"n".repeat(64)).is_ok());
        assert!(PlanName::parse(&"n".repeat(65)).is_err());
        assert!(PlanName::parse("two\nlines").is_err());
        assert!(PlanName::parse("nul\0").is_err());
        assert!(PlanDescription::parse("line one\nline two\tand a tab").is_ok());
        assert!(PlanDescription::parse("bell\u{7}").is_err());
        assert!(TicketAnswer::parse(&"y".repeat(MESSAGE_CHARS)).is_ok());
        assert!(TicketAnswer::parse(&"y".repeat(MESSAGE_CHARS + 1)).is_err());
    }

    #[test]
    fn the_bound_counts_characters_as_sent_before_trimming() {
        let padded = format!("  {}  ", "n".repeat(62));
        assert!(PlanName::parse(&padded).is_err(), "66 characters as sent");
        assert!(PlanName::parse(&format!(" {} ", "n".repeat(62))).is_ok());
    }

    #[test]
    fn optional_texts_read_blank_as_none() {
        assert_eq!(BankName::parse("  ").ok(), Some(None));
        assert_eq!(BankName::parse_opt(None).ok(), Some(None));
        assert_eq!(BankName::parse(" Melli ").ok().flatten().map(String::from).as_deref(), Some("Melli"));
        assert!(BankName::parse(&"b".repeat(65)).is_err());
    }

    #[test]
    fn idempotency_keys_are_bounded_and_free_of_control_characters() {
        assert!(check_idempotency_key("k-1").is_ok());
        assert!(check_idempotency_key(&"k".repeat(128)).is_ok());
        assert!(check_idempotency_key(&"k".repeat(129)).is_err());
        assert!(check_idempotency_key("").is_err());
        assert!(check_idempotency_key("a\nb").is_err());
    }

    #[test]
    fn errors_name_the_field_of_the_rule() {
        let err = HolderName::parse("").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("holder_name"), "{err}");
    }
}
