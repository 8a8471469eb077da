//! What an admin types in answer to a panel question, checked before anything is written:
//! whole numbers (Latin, Persian or Arabic-Indic digits, optionally grouped) within the
//! domain's ranges, and texts within the domain's [`TextRule`]s. A refused answer becomes a
//! [`Refusal`], shown above the question asked again; nothing is written.

use std::ops::RangeInclusive;

use remnabot_domain::Error;
use remnabot_domain::text::{Blank, TextRule};

use super::Ctx;
use crate::handlers::HandlerError;

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a whole number (letters, a fraction, nothing at all).
    NotANumber,
    /// A number outside the field's range (also one too large to read at all).
    Range { min: i64, max: i64 },
    /// Longer than the field allows, in characters.
    TooLong { max: usize },
    /// Blank where a text is needed (or no text at all: a photo, a sticker).
    Empty,
    /// Refused for a reason in words: the domain's own, or one already in the admin's
    /// language.
    Domain(String),
}

/// The longest run of digits read as a number; more is out of every range.
const MAX_DIGITS: usize = 18;

/// The whole number in `text`, within `range`.
///
/// # Errors
/// [`Refusal::NotANumber`] or [`Refusal::Range`].
pub fn number_in(text: &str, range: RangeInclusive<i64>) -> Result<i64, Refusal> {
    let out_of_range = Refusal::Range { min: *range.start(), max: *range.end() };
    let text = text.trim();
    let (negative, rest) = match text.strip_prefix(['-', '\u{2212}']) {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let mut digits = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '\u{06F0}'..='\u{06F9}' => digits.push(char::from(b'0' + (u32::from(c) - 0x06F0) as u8)),
            '\u{0660}'..='\u{0669}' => digits.push(char::from(b'0' + (u32::from(c) - 0x0660) as u8)),
            // Group separators: comma, Arabic thousands separator, spaces, underscores.
            ',' | '\u{066C}' | ' ' | '\u{00A0}' | '\u{202F}' | '_' => {}
            _ => return Err(Refusal::NotANumber),
        }
    }
    if digits.is_empty() {
        return Err(Refusal::NotANumber);
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > MAX_DIGITS {
        return Err(out_of_range);
    }
    let n = significant.parse::<i64>().unwrap_or(0);
    let n = if negative { -n } else { n };
    if range.contains(&n) { Ok(n) } else { Err(out_of_range) }
}

/// [`number_in`] for a field kept as `u32`.
///
/// # Errors
/// As [`number_in`].
pub fn u32_in(text: &str, range: RangeInclusive<i64>) -> Result<u32, Refusal> {
    let n = number_in(text, range.clone())?;
    u32::try_from(n).map_err(|_| Refusal::Range { min: *range.start(), max: *range.end() })
}

/// The text checked by `rule` and trimmed; `None` when blank and the rule allows that.
///
/// # Errors
/// [`Refusal::TooLong`], [`Refusal::Empty`], or [`Refusal::Domain`] (a line break in a
/// one-line text, a control character).
pub fn text_by(text: Option<&str>, rule: TextRule) -> Result<Option<String>, Refusal> {
    let Some(text) = text else { return Err(Refusal::Empty) };
    if text.chars().count() > rule.max_chars {
        return Err(Refusal::TooLong { max: rule.max_chars });
    }
    if text.trim().is_empty() && rule.blank == Blank::Refused {
        return Err(Refusal::Empty);
    }
    rule.check(text).map_err(|e| Refusal::Domain(e.to_string()))
}

/// [`text_by`] for a required text.
///
/// # Errors
/// As [`text_by`].
pub fn required(text: Option<&str>, rule: TextRule) -> Result<String, Refusal> {
    text_by(text, rule)?.ok_or(Refusal::Empty)
}

/// Whether the admin typed the "leave it empty" mark (`-`).
pub fn is_skip(text: Option<&str>) -> bool {
    text.is_some_and(|t| matches!(t.trim(), "-" | "—" | "–"))
}

/// A refusal from a store service: what the admin can fix (an invalid value, a conflict such
/// as a duplicate name, a row gone meanwhile) in the domain's words; an infrastructure failure
/// stays an error.
///
/// # Errors
/// [`HandlerError`] for [`Error::Unavailable`].
pub fn refused(e: Error) -> Result<Refusal, HandlerError> {
    match e {
        Error::Unavailable { .. } => Err(e.into()),
        other => Ok(Refusal::Domain(other.to_string())),
    }
}

/// The refusal as a line for the admin, in their language.
pub fn refusal_text(ctx: &Ctx<'_>, refusal: &Refusal) -> String {
    match refusal {
        Refusal::NotANumber => ctx.t("panel-input-not-number", &[]),
        Refusal::Range { min, max } => ctx.t("panel-input-range", &[("min", (*min).into()), ("max", (*max).into())]),
        Refusal::TooLong { max } => ctx.t("panel-input-too-long", &[("max", (*max).into())]),
        Refusal::Empty => ctx.t("panel-input-empty", &[]),
        Refusal::Domain(reason) => ctx.t("panel-input-refused", &[("reason", reason.as_str().into())]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use remnabot_domain::text::PlanName;

    #[test]
    fn numbers_are_read_in_every_script_and_kept_in_range() {
        assert_eq!(number_in("30", 1..=3650), Ok(30));
        assert_eq!(number_in(" ۱۵۰٬۰۰۰ ", 1..=1_000_000), Ok(150_000));
        assert_eq!(number_in("٣٠", 1..=3650), Ok(30));
        assert_eq!(number_in("150,000", 1..=1_000_000), Ok(150_000));
        assert_eq!(number_in("0", 0..=10), Ok(0));
        assert_eq!(number_in("-5", 0..=10), Err(Refusal::Range { min: 0, max: 10 }));
        assert_eq!(number_in("99999999999999999999999999", 1..=10), Err(Refusal::Range { min: 1, max: 10 }));
        for bad in ["", "abc", "3.5", "1e3", "--1", "30 days", "۳۰روز"] {
            assert_eq!(number_in(bad, 0..=10), Err(Refusal::NotANumber), "{bad:?}");
        }
        assert_eq!(u32_in("7", 0..=10), Ok(7));
    }

    #[test]
    fn texts_follow_their_rule() {
        assert_eq!(required(Some(" Gold "), PlanName::RULE), Ok("Gold".to_owned()));
        assert_eq!(required(Some(&"x".repeat(5000)), PlanName::RULE), Err(Refusal::TooLong { max: 64 }));
        assert_eq!(required(Some("   "), PlanName::RULE), Err(Refusal::Empty));
        assert_eq!(required(None, PlanName::RULE), Err(Refusal::Empty));
        assert!(matches!(required(Some("a\nb"), PlanName::RULE), Err(Refusal::Domain(_))));
        assert!(is_skip(Some(" - ")) && !is_skip(Some("x")) && !is_skip(None));
    }
}
