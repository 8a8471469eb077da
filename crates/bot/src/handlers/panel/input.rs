//! What an admin types in answer to a panel question, checked before anything is written:
//! whole numbers (Latin, Persian or Arabic-Indic digits, optionally grouped) within the
//! domain's ranges, and texts within the domain's [`TextRule`]s. A refused answer becomes a
//! [`Refusal`], shown above the question asked again; nothing is written.

use std::ops::RangeInclusive;

use remnabot_domain::text::{Blank, TextRule};
use remnabot_domain::{Error, Toman};

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
    /// Refused for a reason already in the admin's language (said by the area).
    Domain(String),
    /// Refused by the domain or a store service (see [`refused`]).
    Rejected(Rejection),
}

/// Why the domain or a store service refused a change, read from its [`Error`] in one place
/// for every area, so the admin is told in their language (the domain's limit values kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The row is gone (deleted meanwhile, or not this tenant's).
    Gone,
    /// A name, code or token already in use (a unique key).
    Taken,
    /// Something changed at the same time; trying again helps.
    Retry,
    /// Refused in the current state (an expired or used-up code, a row in use).
    State,
    /// A number outside the domain's range.
    Range { min: i64, max: i64 },
    /// Longer than the domain allows, in characters.
    TooLong { max: i64 },
    /// A code of `min` to `max` Latin letters, digits, `_` and `-`.
    CodeShape { min: i64, max: i64 },
    /// An end before its start.
    Order,
    /// The same item twice in a list.
    Repeated,
    /// Characters not allowed in this text (a line break, a control character).
    Characters,
    /// A balance that would go below its floor.
    Balance { balance: Toman, requested: Toman },
    /// A tenant wallet that cannot cover the sale.
    WalletShort { available: Toman, needed: Toman },
    /// The master bot cannot be deactivated or deleted.
    MasterProtected,
    /// No payment card can take the payment.
    NoCard,
    /// Any other invalid value.
    Invalid,
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
/// [`Refusal::TooLong`], [`Refusal::Empty`], or [`Refusal::Rejected`] (a line break in a
/// one-line text, a control character).
pub fn text_by(text: Option<&str>, rule: TextRule) -> Result<Option<String>, Refusal> {
    let Some(text) = text else { return Err(Refusal::Empty) };
    if text.chars().count() > rule.max_chars {
        return Err(Refusal::TooLong { max: rule.max_chars });
    }
    if text.trim().is_empty() && rule.blank == Blank::Refused {
        return Err(Refusal::Empty);
    }
    rule.check(text).map_err(|e| Refusal::Rejected(rejection(&e)))
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
/// as a duplicate name, a row gone meanwhile), told in their language; an infrastructure
/// failure stays an error.
///
/// # Errors
/// [`HandlerError`] for [`Error::Unavailable`].
pub fn refused(e: Error) -> Result<Refusal, HandlerError> {
    match e {
        Error::Unavailable { .. } => Err(e.into()),
        other => Ok(Refusal::Rejected(rejection(&other))),
    }
}

/// The [`Rejection`] an error stands for. The domain's and the stores' reasons are English
/// sentences for API clients; the numbers in them are the exact limits, kept as variables.
pub fn rejection(e: &Error) -> Rejection {
    match e {
        Error::NotFound { .. } => Rejection::Gone,
        Error::Conflict(reason) if reason.contains("already has") || reason.contains("already uses") => {
            Rejection::Taken
        }
        Error::Conflict(reason) if reason.ends_with("try again") => Rejection::Retry,
        Error::Conflict(_) => Rejection::State,
        Error::IdempotencyMismatch { .. } => Rejection::Retry,
        Error::InsufficientBalance { balance, requested } => {
            Rejection::Balance { balance: *balance, requested: *requested }
        }
        Error::TenantWalletShort { available, needed } => {
            Rejection::WalletShort { available: *available, needed: *needed }
        }
        Error::MasterBotProtected { .. } => Rejection::MasterProtected,
        Error::NoActiveCard { .. } => Rejection::NoCard,
        Error::Invalid { reason, .. } => invalid(reason),
        Error::UnknownFeature { .. } | Error::Unavailable { .. } => Rejection::Invalid,
    }
}

/// An [`Error::Invalid`] reason: a range ("from 1 to 1440", "between 1 and 1000"), a largest
/// count ("at most 64 characters"), characters not allowed, or anything else.
fn invalid(reason: &str) -> Rejection {
    // Numbers outside `backticks` (which quote a key such as `referral_percent`).
    let outside: String = reason.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    let numbers: Vec<i64> = outside
        .split(|c: char| !c.is_ascii_digit() && c != '-')
        .filter_map(|w| w.trim_end_matches('-').parse::<i64>().ok())
        .collect();
    if reason.contains("must not contain") {
        return Rejection::Characters;
    }
    if reason.contains("must be after") {
        return Rejection::Order;
    }
    if reason.contains("different") {
        return Rejection::Repeated;
    }
    match numbers.as_slice() {
        [max] if outside.contains("at most") && outside.contains("characters") => Rejection::TooLong { max: *max },
        [min, max] if min <= max && outside.contains("characters of") => Rejection::CodeShape { min: *min, max: *max },
        [min, max] if min <= max => Rejection::Range { min: *min, max: *max },
        _ => Rejection::Invalid,
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
        Refusal::Rejected(r) => rejection_text(ctx, r),
    }
}

/// A [`Rejection`] in the admin's language.
pub fn rejection_text(ctx: &Ctx<'_>, r: &Rejection) -> String {
    match r {
        Rejection::Gone => ctx.t("panel-refused-gone", &[]),
        Rejection::Taken => ctx.t("panel-refused-taken", &[]),
        Rejection::Retry => ctx.t("panel-refused-retry", &[]),
        Rejection::State => ctx.t("panel-refused-state", &[]),
        Rejection::Range { min, max } => {
            ctx.t("panel-refused-range", &[("min", (*min).into()), ("max", (*max).into())])
        }
        Rejection::TooLong { max } => ctx.t("panel-input-too-long", &[("max", (*max).into())]),
        Rejection::CodeShape { min, max } => {
            ctx.t("panel-refused-code-shape", &[("min", (*min).into()), ("max", (*max).into())])
        }
        Rejection::Order => ctx.t("panel-refused-order", &[]),
        Rejection::Repeated => ctx.t("panel-refused-repeated", &[]),
        Rejection::Characters => ctx.t("panel-refused-characters", &[]),
        Rejection::Balance { balance, requested } => {
            ctx.t("panel-refused-balance", &[("balance", (*balance).into()), ("amount", (*requested).into())])
        }
        Rejection::WalletShort { available, needed } => {
            ctx.t("panel-refused-wallet", &[("balance", (*available).into()), ("amount", (*needed).into())])
        }
        Rejection::MasterProtected => ctx.t("panel-refused-master", &[]),
        Rejection::NoCard => ctx.t("panel-refused-no-card", &[]),
        Rejection::Invalid => ctx.t("panel-refused-invalid", &[]),
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
        assert_eq!(required(Some("a\nb"), PlanName::RULE), Err(Refusal::Rejected(Rejection::Characters)));
        assert!(is_skip(Some(" - ")) && !is_skip(Some("x")) && !is_skip(None));
    }

    #[test]
    fn domain_reasons_become_rejections_with_their_limits() {
        let inv = |reason: &str| rejection(&Error::invalid("value", reason));
        assert_eq!(inv("`referral_percent` must be an integer from 0 to 100"), Rejection::Range { min: 0, max: 100 });
        assert_eq!(inv("must be between 1 and 1000"), Rejection::Range { min: 1, max: 1000 });
        assert_eq!(inv("must be at most 64 characters"), Rejection::TooLong { max: 64 });
        assert_eq!(
            inv("must be 3 to 64 characters of A-Z, 0-9, `_` and `-`"),
            Rejection::CodeShape { min: 3, max: 64 }
        );
        assert_eq!(inv("must be after valid_from"), Rejection::Order);
        assert_eq!(inv("`languages` must be an array of different language codes"), Rejection::Repeated);
        assert_eq!(inv("an array of at most 50 Telegram user ids (positive, at most 13 digits)"), Rejection::Invalid);
        assert_eq!(inv("a Telegram chat id (a non-zero integer of at most 13 digits)"), Rejection::Invalid);
        assert_eq!(inv("must not contain a line break"), Rejection::Characters);
        assert_eq!(
            inv("a trial of 1 to 365 days, 0 (unlimited) to 1000000 GB and 1 to 1000 devices"),
            Rejection::Invalid
        );
        assert_eq!(inv("fails the checksum (Luhn); check for a typo"), Rejection::Invalid);
        let conflict = |reason: &str| rejection(&Error::Conflict(reason.to_owned()));
        assert_eq!(conflict("this tenant already has a plan with that name"), Rejection::Taken);
        assert_eq!(conflict("another bot already uses this Telegram token"), Rejection::Taken);
        assert_eq!(conflict("the ledger entry was posted concurrently; try again"), Rejection::Retry);
        assert_eq!(conflict("this promo code has expired"), Rejection::State);
        assert_eq!(rejection(&Error::not_found("plan")), Rejection::Gone);
    }
}
