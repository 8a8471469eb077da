//! Payment cards: card-number validation and the rotation strategies that pick which of a
//! tenant's cards a customer pays to.
//!
//! - [`CardNumber`] is a validated 16-digit bank card number. [`CardNumber::parse`] accepts
//!   ASCII, Persian (`۰`–`۹`) and Arabic-Indic (`٠`–`٩`) digits, ignores spaces and dashes, and
//!   checks the Luhn checksum. Its `Debug` form is masked so a full number never reaches a log.
//! - [`RotationStrategy`] names how a tenant's next card is chosen, and [`pick`] applies it to
//!   the tenant's active cards ([`CardCandidate`]), skipping cards that reached a daily cap.
//!
//! Everything here is pure: the caller loads the candidates, passes a random number
//! generator, and records the choice (sets `last_selected_at` on the picked card).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::CardId;
use crate::money::Toman;

/// Number of digits of a bank card number.
const CARD_DIGITS: usize = 16;

/// A validated 16-digit bank card number (Luhn check passed). Stored as 16 ASCII digits.
///
/// `Display` prints the grouped form (`6037 9912 3456 7893`); `Debug` prints only the masked
/// form (`CardNumber("6037 99** **** 7893")`) so logs never carry the full number. Serialized
/// as the 16-digit string; deserializing validates like [`CardNumber::parse`].
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CardNumber(String);

impl CardNumber {
    /// The longest card number taken as typed (digits with spaces or dashes).
    pub const MAX_INPUT_CHARS: usize = 64;

    /// The JSON Schema of a card number as typed: the `bank-card-number` format (16 digits
    /// passing the Luhn checksum once spaces and dashes are dropped) within this pattern.
    pub fn json_schema() -> serde_json::Value {
        serde_json::json!({
            "type": "string",
            "format": "bank-card-number",
            "maxLength": CardNumber::MAX_INPUT_CHARS,
            "pattern": r"^[\s0-9\u06F0-\u06F9\u0660-\u0669-]*$",
        })
    }

    /// Validates a card number as a person would type or paste it.
    ///
    /// Digits may be ASCII (`0`–`9`), Persian (`۰`–`۹`, U+06F0..U+06F9) or Arabic-Indic
    /// (`٠`–`٩`, U+0660..U+0669), freely mixed. Whitespace (spaces, tabs, no-break spaces)
    /// and `-` are ignored. Exactly 16 digits must remain, and they must pass the Luhn
    /// checksum. Never panics, whatever the input.
    ///
    /// # Errors
    /// [`Error::Invalid`] on field `card_number` when the input contains any other character,
    /// does not have exactly 16 digits, or fails the Luhn checksum.
    pub fn parse(input: &str) -> Result<CardNumber> {
        if input.chars().count() > CardNumber::MAX_INPUT_CHARS {
            return Err(Error::invalid(
                "card_number",
                format!("must be at most {} characters", CardNumber::MAX_INPUT_CHARS),
            ));
        }
        let mut digits = String::with_capacity(CARD_DIGITS);
        let mut count: usize = 0;
        for c in input.chars() {
            if c.is_whitespace() || c == '-' {
                continue;
            }
            let Some(d) = digit_value(c) else {
                return Err(Error::invalid("card_number", format!("contains a character that is not a digit: {c:?}")));
            };
            count = count.saturating_add(1);
            if digits.len() < CARD_DIGITS {
                digits.push(char::from(b'0' + d));
            }
        }
        if count != CARD_DIGITS {
            return Err(Error::invalid("card_number", format!("must have {CARD_DIGITS} digits, got {count}")));
        }
        if !luhn_valid(&digits) {
            return Err(Error::invalid("card_number", "fails the checksum (Luhn); check for a typo"));
        }
        Ok(CardNumber(digits))
    }

    /// The 16 ASCII digits, without separators.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number in four groups of four: `6037 9912 3456 7893`.
    pub fn grouped(&self) -> String {
        group(self.0.chars())
    }

    /// The number with only the first 6 and last 4 digits visible: `6037 99** **** 7893`.
    pub fn masked(&self) -> String {
        group(self.0.chars().enumerate().map(|(i, c)| if (6..CARD_DIGITS - 4).contains(&i) { '*' } else { c }))
    }
}

/// The value of an ASCII, Persian or Arabic-Indic digit.
fn digit_value(c: char) -> Option<u8> {
    let base = match c {
        '0'..='9' => '0',
        '\u{06F0}'..='\u{06F9}' => '\u{06F0}',
        '\u{0660}'..='\u{0669}' => '\u{0660}',
        _ => return None,
    };
    u8::try_from(u32::from(c) - u32::from(base)).ok()
}

/// The Luhn checksum over a string of ASCII digits.
fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b.wrapping_sub(b'0'));
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Joins characters in groups of four separated by a space.
fn group(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::with_capacity(CARD_DIGITS + 3);
    for (i, c) in chars.enumerate() {
        if i > 0 && i.is_multiple_of(4) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CardNumber").field(&self.masked()).finish()
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

impl FromStr for CardNumber {
    type Err = Error;

    fn from_str(s: &str) -> Result<CardNumber> {
        CardNumber::parse(s)
    }
}

impl TryFrom<String> for CardNumber {
    type Error = Error;

    fn try_from(s: String) -> Result<CardNumber> {
        CardNumber::parse(&s)
    }
}

impl From<CardNumber> for String {
    fn from(card: CardNumber) -> String {
        card.0
    }
}

/// How a tenant's next card is chosen. Every strategy considers only the eligible cards:
/// active cards still under their daily caps for the amount being paid (see
/// [`CardCandidate::under_caps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RotationStrategy {
    /// Cycle through the cards in id order. The last card used is the candidate (capped or
    /// not) with the latest `last_selected_at`; the next is the first eligible card with a
    /// greater id, wrapping around to the smallest eligible id. When no card was ever
    /// selected, the eligible card with the smallest id. As long as the caller stamps the
    /// picked card's `last_selected_at`, repeated picks spread evenly over the cards.
    #[default]
    RoundRobin,
    /// Uniformly at random among the eligible cards.
    Random,
    /// Prefer the idlest card: the eligible card selected longest ago, never-selected cards
    /// first, ties broken by the smallest id. Deterministic.
    TimeBased,
    /// At random, with probability proportional to `weight × success rate`
    /// ([`CardCandidate::score`]). A card scoring 0 (weight 0, or only failures) is never
    /// chosen while another eligible card scores more than 0; when every eligible card
    /// scores 0, falls back to a uniform choice among them so payment is still possible.
    Weighted,
}

impl RotationStrategy {
    /// Every strategy, in a stable order.
    pub const ALL: [RotationStrategy; 4] = [
        RotationStrategy::RoundRobin,
        RotationStrategy::Random,
        RotationStrategy::TimeBased,
        RotationStrategy::Weighted,
    ];

    /// The stored name: `round_robin`, `random`, `time_based` or `weighted` (the same as the
    /// serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            RotationStrategy::RoundRobin => "round_robin",
            RotationStrategy::Random => "random",
            RotationStrategy::TimeBased => "time_based",
            RotationStrategy::Weighted => "weighted",
        }
    }

    /// Parses a stored name (see [`RotationStrategy::as_str`]). Surrounding whitespace and
    /// ASCII case are ignored.
    ///
    /// # Errors
    /// [`Error::Invalid`] on field `strategy` for any other name.
    pub fn parse(s: &str) -> Result<RotationStrategy> {
        let name = s.trim();
        RotationStrategy::ALL.into_iter().find(|strategy| strategy.as_str().eq_ignore_ascii_case(name)).ok_or_else(
            || {
                let shown: String = name.chars().take(40).collect();
                Error::invalid(
                    "strategy",
                    format!(
                        "unknown rotation strategy {shown:?}; must be one of round_robin, random, \
                         time_based, weighted"
                    ),
                )
            },
        )
    }
}

impl fmt::Display for RotationStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RotationStrategy {
    type Err = Error;

    fn from_str(s: &str) -> Result<RotationStrategy> {
        RotationStrategy::parse(s)
    }
}

/// What rotation needs to know about one active card.
#[derive(Debug, Clone, PartialEq)]
pub struct CardCandidate {
    pub id: CardId,
    pub weight: u32,
    pub success_count: i64,
    pub failure_count: i64,
    pub last_selected_at: Option<DateTime<Utc>>,
    pub daily_count_cap: Option<i64>,
    pub daily_amount_cap: Option<Toman>,
    pub today_count: i64,
    pub today_amount: Toman,
}

impl CardCandidate {
    /// `success / (success + failure)`, in `[0, 1]`. A card with no history counts as 1.0, so
    /// new cards are not starved. Negative counts (which should not occur) count as 0.
    pub fn success_rate(&self) -> f64 {
        let success = self.success_count.max(0) as f64;
        let failure = self.failure_count.max(0) as f64;
        let total = success + failure;
        if total > 0.0 { success / total } else { 1.0 }
    }

    /// `weight × success rate`: the relative chance of this card under
    /// [`RotationStrategy::Weighted`].
    pub fn score(&self) -> f64 {
        f64::from(self.weight) * self.success_rate()
    }

    /// Whether the card can take one more payment of `amount` today: false when it already
    /// took `daily_count_cap` payments, or when `today_amount + amount` would exceed
    /// `daily_amount_cap` (a sum that overflows counts as exceeding it).
    pub fn under_caps(&self, amount: Toman) -> bool {
        if let Some(cap) = self.daily_count_cap
            && self.today_count >= cap
        {
            return false;
        }
        if let Some(cap) = self.daily_amount_cap {
            match self.today_amount.0.checked_add(amount.0) {
                Some(total) if total <= cap.0 => {}
                _ => return false,
            }
        }
        true
    }
}

/// Chooses the card a customer paying `amount` should pay to.
///
/// `candidates` are the tenant's active cards, with `today_count` and `today_amount` already
/// referring to the current day. A card is eligible when it is under its daily caps for
/// `amount` ([`CardCandidate::under_caps`]); `strategy` then chooses among the eligible cards
/// as its variant documents:
///
/// - [`RotationStrategy::RoundRobin`]: the next eligible id after the most recently selected
///   card, wrapping to the smallest; the smallest id when none was ever selected.
/// - [`RotationStrategy::Random`]: uniform among eligible cards.
/// - [`RotationStrategy::TimeBased`]: the card selected longest ago (never selected first,
///   then smallest id).
/// - [`RotationStrategy::Weighted`]: proportional to `weight × success rate`; uniform if every
///   eligible card scores 0.
///
/// The caller records the choice by setting the picked card's `last_selected_at` (round robin
/// and time based depend on it). `rng` is only used by the random and weighted strategies.
///
/// # Errors
/// [`Error::NoActiveCard`] when `candidates` is empty ("…: the tenant has no active card") or
/// when every candidate has reached a daily cap ("…: every active card has reached its daily
/// limit").
pub fn pick<R: rand::Rng + ?Sized>(
    strategy: RotationStrategy,
    candidates: &[CardCandidate],
    amount: Toman,
    rng: &mut R,
) -> Result<CardId> {
    if candidates.is_empty() {
        return Err(Error::NoActiveCard { detail: ": the tenant has no active card".to_owned() });
    }
    let mut eligible: Vec<&CardCandidate> = candidates.iter().filter(|c| c.under_caps(amount)).collect();
    if eligible.is_empty() {
        return Err(Error::NoActiveCard { detail: ": every active card has reached its daily limit".to_owned() });
    }
    eligible.sort_by_key(|c| c.id);

    let chosen = match strategy {
        RotationStrategy::RoundRobin => round_robin(candidates, &eligible),
        RotationStrategy::Random => uniform(&eligible, rng),
        RotationStrategy::TimeBased => eligible.iter().copied().min_by_key(|c| (c.last_selected_at, c.id)),
        RotationStrategy::Weighted => weighted(&eligible, rng),
    };
    chosen
        .map(|c| c.id)
        .ok_or_else(|| Error::NoActiveCard { detail: ": every active card has reached its daily limit".to_owned() })
}

/// Round robin over `eligible` (sorted by id); the last card used is looked up among all
/// `candidates`. Ties of `last_selected_at` go to the larger id.
fn round_robin<'a>(candidates: &[CardCandidate], eligible: &[&'a CardCandidate]) -> Option<&'a CardCandidate> {
    let last = candidates.iter().filter_map(|c| c.last_selected_at.map(|at| (at, c.id))).max().map(|(_, id)| id);
    let next = last.and_then(|last| eligible.iter().find(|c| c.id > last));
    next.or_else(|| eligible.first()).copied()
}

/// A uniform choice among `eligible` (non-empty).
fn uniform<'a, R: rand::Rng + ?Sized>(eligible: &[&'a CardCandidate], rng: &mut R) -> Option<&'a CardCandidate> {
    if eligible.is_empty() {
        return None;
    }
    eligible.get(rng.random_range(0..eligible.len())).copied()
}

/// A choice proportional to [`CardCandidate::score`]; uniform when every score is 0.
fn weighted<'a, R: rand::Rng + ?Sized>(eligible: &[&'a CardCandidate], rng: &mut R) -> Option<&'a CardCandidate> {
    let total: f64 = eligible.iter().map(|c| c.score()).sum();
    if !(total.is_finite() && total > 0.0) {
        return uniform(eligible, rng);
    }
    let mut target = rng.random::<f64>() * total;
    let mut last_positive = None;
    for &card in eligible {
        let score = card.score();
        if score <= 0.0 {
            continue;
        }
        if target < score {
            return Some(card);
        }
        target -= score;
        last_positive = Some(card);
    }
    // Floating-point rounding can leave `target` a hair above the last score.
    last_positive
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::seconds(secs)
    }

    fn card(id: i64) -> CardCandidate {
        CardCandidate {
            id: CardId(id),
            weight: 1,
            success_count: 0,
            failure_count: 0,
            last_selected_at: None,
            daily_count_cap: None,
            daily_amount_cap: None,
            today_count: 0,
            today_amount: Toman(0),
        }
    }

    /// The Luhn check digit completing 15 ASCII digits.
    fn check_digit(first15: &str) -> char {
        (b'0'..=b'9').map(char::from).find(|&d| luhn_valid(&format!("{first15}{d}"))).unwrap()
    }

    fn invalid_reason(input: &str) -> String {
        match CardNumber::parse(input) {
            Err(Error::Invalid { field, reason }) => {
                assert_eq!(field, "card_number");
                reason
            }
            other => panic!("expected an invalid card number, got {other:?}"),
        }
    }

    fn no_active_detail(result: Result<CardId>) -> String {
        match result {
            Err(Error::NoActiveCard { detail }) => detail,
            other => panic!("expected NoActiveCard, got {other:?}"),
        }
    }

    // ---- CardNumber ----

    #[test]
    fn luhn_valid_numbers_are_accepted() {
        for number in ["4111111111111111", "6037991234567893", "6219861034567890", "5022291012345672"] {
            let card = CardNumber::parse(number).unwrap();
            assert_eq!(card.as_str(), number);
        }
    }

    #[test]
    fn persian_and_arabic_indic_digits_are_accepted() {
        let persian = CardNumber::parse("۶۰۳۷۹۹۱۲۳۴۵۶۷۸۹۳").unwrap();
        assert_eq!(persian.as_str(), "6037991234567893");
        let arabic = CardNumber::parse("٦٠٣٧٩٩١٢٣٤٥٦٧٨٩٣").unwrap();
        assert_eq!(arabic.as_str(), "6037991234567893");
        let mixed = CardNumber::parse("۶۰۳۷ 99١٢ 3456-۷۸۹۳").unwrap();
        assert_eq!(mixed.as_str(), "6037991234567893");
    }

    #[test]
    fn spaces_and_dashes_are_ignored() {
        for input in [
            "6037 9912 3456 7893",
            "6037-9912-3456-7893",
            " 6037-9912 3456\t7893 ",
            "6037\u{a0}9912\u{a0}3456\u{a0}7893",
        ] {
            assert_eq!(CardNumber::parse(input).unwrap().as_str(), "6037991234567893", "{input:?}");
        }
    }

    #[test]
    fn wrong_length_names_the_digit_count() {
        assert_eq!(invalid_reason("603799123456789"), "must have 16 digits, got 15");
        assert_eq!(invalid_reason("60379912345678930"), "must have 16 digits, got 17");
        assert_eq!(invalid_reason(""), "must have 16 digits, got 0");
        assert_eq!(invalid_reason(" - "), "must have 16 digits, got 0");
    }

    #[test]
    fn letters_are_rejected_naming_the_character() {
        assert_eq!(invalid_reason("6037 99x2 3456 7893"), "contains a character that is not a digit: 'x'");
        assert_eq!(invalid_reason("6037.9912.3456.7893"), "contains a character that is not a digit: '.'");
    }

    #[test]
    fn a_bad_checksum_is_rejected_as_a_typo() {
        assert_eq!(invalid_reason("6037991234567894"), "fails the checksum (Luhn); check for a typo");
        assert_eq!(invalid_reason("4111111111111112"), "fails the checksum (Luhn); check for a typo");
        let err = CardNumber::parse("6037991234567894").unwrap_err();
        assert_eq!(err.to_string(), "invalid card_number: fails the checksum (Luhn); check for a typo");
    }

    #[test]
    fn grouped_and_masked_forms_show_the_expected_digits() {
        let card = CardNumber::parse("6037991234567893").unwrap();
        assert_eq!(card.grouped(), "6037 9912 3456 7893");
        assert_eq!(card.masked(), "6037 99** **** 7893");
        assert_eq!(card.to_string(), "6037 9912 3456 7893");
    }

    #[test]
    fn debug_never_shows_the_middle_digits() {
        let card = CardNumber::parse("6037991234567893").unwrap();
        let debug = format!("{card:?}");
        assert_eq!(debug, "CardNumber(\"6037 99** **** 7893\")");
        assert!(!debug.contains("123456"));
        let pretty = format!("{:#?}", Some(&card));
        assert!(!pretty.contains("12 3456") && !pretty.contains("123456"), "{pretty}");
    }

    #[test]
    fn card_numbers_serialize_as_digits_and_deserialize_with_validation() {
        let card = CardNumber::parse("6037 9912 3456 7893").unwrap();
        assert_eq!(serde_json::to_string(&card).unwrap(), "\"6037991234567893\"");
        let back: CardNumber = serde_json::from_str("\"۶۰۳۷۹۹۱۲۳۴۵۶۷۸۹۳\"").unwrap();
        assert_eq!(back, card);
        assert!(serde_json::from_str::<CardNumber>("\"6037991234567894\"").is_err());
    }

    // ---- RotationStrategy ----

    #[test]
    fn strategy_names_round_trip() {
        for strategy in RotationStrategy::ALL {
            assert_eq!(RotationStrategy::parse(strategy.as_str()).unwrap(), strategy);
            assert_eq!(strategy.as_str().parse::<RotationStrategy>().unwrap(), strategy);
            let json = serde_json::to_string(&strategy).unwrap();
            assert_eq!(json, format!("\"{}\"", strategy.as_str()));
        }
        assert_eq!(RotationStrategy::parse(" Round_Robin ").unwrap(), RotationStrategy::RoundRobin);
    }

    #[test]
    fn an_unknown_strategy_lists_the_known_ones() {
        match RotationStrategy::parse("fastest") {
            Err(Error::Invalid { field, reason }) => {
                assert_eq!(field, "strategy");
                assert!(reason.contains("\"fastest\""), "{reason}");
                assert!(reason.ends_with("must be one of round_robin, random, time_based, weighted"), "{reason}");
            }
            other => panic!("expected invalid strategy, got {other:?}"),
        }
    }

    // ---- CardCandidate ----

    #[test]
    fn success_rate_of_a_new_card_is_one() {
        let mut c = card(1);
        assert_eq!(c.success_rate(), 1.0);
        c.success_count = 3;
        c.failure_count = 1;
        assert_eq!(c.success_rate(), 0.75);
        c.success_count = 0;
        assert_eq!(c.success_rate(), 0.0);
    }

    #[test]
    fn caps_stop_a_card_at_the_limit() {
        let mut c = card(1);
        assert!(c.under_caps(Toman(i64::MAX)));
        c.daily_count_cap = Some(3);
        c.today_count = 2;
        assert!(c.under_caps(Toman(1)));
        c.today_count = 3;
        assert!(!c.under_caps(Toman(1)));
        c.daily_count_cap = None;
        c.daily_amount_cap = Some(Toman(1_000));
        c.today_amount = Toman(600);
        assert!(c.under_caps(Toman(400)));
        assert!(!c.under_caps(Toman(401)));
        c.daily_amount_cap = Some(Toman(i64::MAX));
        c.today_amount = Toman(i64::MAX);
        assert!(!c.under_caps(Toman(1)), "an overflowing sum exceeds the cap");
    }

    // ---- pick ----

    #[test]
    fn round_robin_starts_at_the_smallest_id_and_wraps() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut cards = vec![card(30), card(10), card(20)];
        assert_eq!(pick(RotationStrategy::RoundRobin, &cards, Toman(1), &mut rng).unwrap(), CardId(10));
        cards[0].last_selected_at = Some(at(5)); // 30 was last
        assert_eq!(pick(RotationStrategy::RoundRobin, &cards, Toman(1), &mut rng).unwrap(), CardId(10));
        cards[1].last_selected_at = Some(at(6)); // 10 was last
        assert_eq!(pick(RotationStrategy::RoundRobin, &cards, Toman(1), &mut rng).unwrap(), CardId(20));
        // 20 is capped now: skip it, but a capped card still counts as "last".
        cards[2].daily_count_cap = Some(0);
        assert_eq!(pick(RotationStrategy::RoundRobin, &cards, Toman(1), &mut rng).unwrap(), CardId(30));
        cards[2].last_selected_at = Some(at(7));
        assert_eq!(pick(RotationStrategy::RoundRobin, &cards, Toman(1), &mut rng).unwrap(), CardId(30));
    }

    #[test]
    fn time_based_prefers_never_selected_then_oldest() {
        let mut rng = StdRng::seed_from_u64(2);
        let mut cards = vec![card(3), card(1), card(2)];
        cards[0].last_selected_at = Some(at(100));
        cards[1].last_selected_at = Some(at(50));
        assert_eq!(pick(RotationStrategy::TimeBased, &cards, Toman(1), &mut rng).unwrap(), CardId(2));
        cards[2].last_selected_at = Some(at(50));
        assert_eq!(pick(RotationStrategy::TimeBased, &cards, Toman(1), &mut rng).unwrap(), CardId(1));
    }

    #[test]
    fn weighted_with_only_zero_scores_falls_back_to_uniform() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut cards = vec![card(1), card(2)];
        cards[0].weight = 0;
        cards[1].failure_count = 4;
        let mut seen = [0_u32; 2];
        for _ in 0..200 {
            let id = pick(RotationStrategy::Weighted, &cards, Toman(1), &mut rng).unwrap();
            seen[usize::try_from(id.0 - 1).unwrap()] += 1;
        }
        assert!(seen[0] > 50 && seen[1] > 50, "{seen:?}");
    }

    #[test]
    fn pick_accepts_the_thread_rng_and_a_dyn_rng() {
        let cards = vec![card(1), card(2)];
        let id = pick(RotationStrategy::Random, &cards, Toman(1), &mut rand::rng()).unwrap();
        assert!(id == CardId(1) || id == CardId(2));
        let mut std_rng = StdRng::seed_from_u64(4);
        let dyn_rng: &mut dyn rand::Rng = &mut std_rng;
        assert!(pick(RotationStrategy::Weighted, &cards, Toman(1), dyn_rng).is_ok());
    }

    #[test]
    fn no_active_card_messages_are_clear() {
        let mut rng = StdRng::seed_from_u64(5);
        let err = pick(RotationStrategy::RoundRobin, &[], Toman(1), &mut rng).unwrap_err();
        assert_eq!(err.to_string(), "no active payment card is available: the tenant has no active card");
        let mut capped = card(1);
        capped.daily_count_cap = Some(1);
        capped.today_count = 1;
        let err = pick(RotationStrategy::RoundRobin, &[capped], Toman(1), &mut rng).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no active payment card is available: every active card has reached its daily limit"
        );
    }

    // ---- properties ----

    prop_compose! {
        /// One card with arbitrary history and caps (id filled in later).
        fn arb_card()(
            weight in 0_u32..=10,
            success_count in 0_i64..20,
            failure_count in 0_i64..20,
            last in proptest::option::of(0_i64..50),
            daily_count_cap in proptest::option::of(0_i64..5),
            today_count in 0_i64..6,
            daily_amount_cap in proptest::option::of(0_i64..1_000),
            today_amount in 0_i64..1_000,
        ) -> CardCandidate {
            CardCandidate {
                id: CardId(0),
                weight,
                success_count,
                failure_count,
                last_selected_at: last.map(at),
                daily_count_cap,
                daily_amount_cap: daily_amount_cap.map(Toman),
                today_count,
                today_amount: Toman(today_amount),
            }
        }
    }

    /// 1..8 cards with distinct ids in shuffled order.
    fn arb_cards() -> impl Strategy<Value = Vec<CardCandidate>> {
        (1_usize..8)
            .prop_flat_map(|n| {
                (proptest::collection::btree_set(1_i64..1_000, n), proptest::collection::vec(arb_card(), n))
            })
            .prop_map(|(ids, cards)| {
                let mut cards: Vec<CardCandidate> =
                    ids.into_iter().rev().zip(cards).map(|(id, c)| CardCandidate { id: CardId(id), ..c }).collect();
                let half = cards.len() / 2;
                cards.rotate_left(half);
                cards
            })
    }

    fn oracle_parse(input: &str) -> Option<String> {
        let mut digits = String::new();
        for c in input.chars() {
            if c.is_whitespace() || c == '-' {
                continue;
            }
            digits.push(char::from(b'0' + digit_value(c)?));
        }
        (digits.len() == 16 && luhn_valid(&digits)).then_some(digits)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn round_robin_spreads_evenly(
            ids in proptest::collection::btree_set(1_i64..1_000, 1..8),
            initial in proptest::collection::vec(proptest::option::of(0_i64..100), 8),
            k in 1_usize..6,
            seed in any::<u64>(),
        ) {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut cards: Vec<CardCandidate> = ids
                .iter()
                .rev()
                .zip(&initial)
                .map(|(&id, &last)| CardCandidate { last_selected_at: last.map(at), ..card(id) })
                .collect();
            let n = cards.len();
            let mut picks = Vec::with_capacity(k * n);
            for step in 0..k * n {
                let id = pick(RotationStrategy::RoundRobin, &cards, Toman(1), &mut rng).unwrap();
                let chosen = cards.iter_mut().find(|c| c.id == id).unwrap();
                chosen.last_selected_at = Some(at(1_000 + i64::try_from(step).unwrap()));
                picks.push(id);
            }
            for c in &cards {
                prop_assert_eq!(picks.iter().filter(|&&id| id == c.id).count(), k);
            }
            // Consecutive picks follow id order, wrapping around.
            let sorted: Vec<CardId> = ids.iter().map(|&id| CardId(id)).collect();
            for pair in picks.windows(2) {
                let i = sorted.iter().position(|&id| id == pair[0]).unwrap();
                prop_assert_eq!(pair[1], sorted[(i + 1) % n]);
            }
        }

        #[test]
        fn weighted_frequencies_follow_weight_times_success_rate(
            cards in proptest::collection::vec(arb_card(), 1..6),
            seed in any::<u64>(),
        ) {
            const DRAWS: usize = 20_000;
            let cards: Vec<CardCandidate> = cards
                .into_iter()
                .enumerate()
                .map(|(i, c)| CardCandidate {
                    id: CardId(i64::try_from(i).unwrap()),
                    daily_count_cap: None,
                    daily_amount_cap: None,
                    ..c
                })
                .collect();
            let mut rng = StdRng::seed_from_u64(seed);
            let mut counts = vec![0_usize; cards.len()];
            for _ in 0..DRAWS {
                let id = pick(RotationStrategy::Weighted, &cards, Toman(1), &mut rng).unwrap();
                counts[usize::try_from(id.0).unwrap()] += 1;
            }
            // Computed here from the raw fields, independently of `CardCandidate::score`.
            let expected_score = |c: &CardCandidate| {
                let history = c.success_count + c.failure_count;
                let rate = if history == 0 {
                    1.0
                } else {
                    c.success_count as f64 / history as f64
                };
                f64::from(c.weight) * rate
            };
            let total: f64 = cards.iter().map(expected_score).sum();
            for (c, &count) in cards.iter().zip(&counts) {
                let score = expected_score(c);
                let expected = if total > 0.0 {
                    score / total
                } else {
                    1.0 / cards.len() as f64
                };
                if total > 0.0 && score == 0.0 {
                    prop_assert_eq!(count, 0, "a zero-score card was chosen");
                    continue;
                }
                let observed = count as f64 / DRAWS as f64;
                let sigma = (expected * (1.0 - expected) / DRAWS as f64).sqrt();
                let tolerance = (5.0 * sigma).max(0.005);
                prop_assert!(
                    (observed - expected).abs() <= tolerance,
                    "card {:?}: observed {} expected {} (tolerance {})",
                    c.id, observed, expected, tolerance
                );
            }
        }

        #[test]
        fn time_based_prefers_idle_cards(
            cards in arb_cards(),
            amount in 0_i64..500,
            seed in any::<u64>(),
        ) {
            let mut rng = StdRng::seed_from_u64(seed);
            let amount = Toman(amount);
            if let Ok(id) = pick(RotationStrategy::TimeBased, &cards, amount, &mut rng) {
                let chosen = cards.iter().find(|c| c.id == id).unwrap();
                prop_assert!(chosen.under_caps(amount));
                for other in cards.iter().filter(|c| c.under_caps(amount)) {
                    // `None < Some(_)`: a never-selected card counts as the oldest.
                    prop_assert!(chosen.last_selected_at <= other.last_selected_at);
                    if chosen.last_selected_at == other.last_selected_at {
                        prop_assert!(chosen.id <= other.id);
                    }
                }
            } else {
                prop_assert!(cards.iter().all(|c| !c.under_caps(amount)));
            }
        }

        #[test]
        fn capped_cards_are_skipped_by_every_strategy(
            cards in arb_cards(),
            amount in 0_i64..500,
            seed in any::<u64>(),
        ) {
            let mut rng = StdRng::seed_from_u64(seed);
            let amount = Toman(amount);
            let any_eligible = cards.iter().any(|c| c.under_caps(amount));
            for strategy in RotationStrategy::ALL {
                for _ in 0..20 {
                    match pick(strategy, &cards, amount, &mut rng) {
                        Ok(id) => {
                            let c = cards.iter().find(|c| c.id == id).unwrap();
                            if let Some(cap) = c.daily_count_cap {
                                prop_assert!(c.today_count < cap, "{strategy}: count cap ignored");
                            }
                            if let Some(cap) = c.daily_amount_cap {
                                prop_assert!(
                                    c.today_amount.0 + amount.0 <= cap.0,
                                    "{strategy}: amount cap ignored"
                                );
                            }
                        }
                        Err(err) => {
                            prop_assert!(!any_eligible, "{strategy}: {err}");
                            let is_no_active = matches!(err, Error::NoActiveCard { .. });
                            prop_assert!(is_no_active);
                        }
                    }
                }
            }
        }

        #[test]
        fn no_active_or_all_capped_cards_give_a_clear_no_active_card(
            cards in arb_cards(),
            seed in any::<u64>(),
        ) {
            let mut rng = StdRng::seed_from_u64(seed);
            let all_capped: Vec<CardCandidate> = cards
                .into_iter()
                .map(|c| CardCandidate { daily_count_cap: Some(c.today_count), ..c })
                .collect();
            for strategy in RotationStrategy::ALL {
                prop_assert_eq!(
                    no_active_detail(pick(strategy, &[], Toman(1), &mut rng)),
                    ": the tenant has no active card"
                );
                prop_assert_eq!(
                    no_active_detail(pick(strategy, &all_capped, Toman(1), &mut rng)),
                    ": every active card has reached its daily limit"
                );
            }
        }

        #[test]
        fn card_number_parse_never_panics_and_matches_the_rules(input in any::<String>()) {
            let parsed = CardNumber::parse(&input).ok().map(|c| c.as_str().to_owned());
            prop_assert_eq!(parsed, oracle_parse(&input));
        }

        #[test]
        fn card_number_parse_matches_the_rules_on_digit_like_input(
            input in "[0-9۰-۹٠-٩ \\-a.]{0,24}",
        ) {
            let parsed = CardNumber::parse(&input).ok().map(|c| c.as_str().to_owned());
            prop_assert_eq!(parsed, oracle_parse(&input));
        }

        #[test]
        fn card_number_parse_accepts_exactly_the_luhn_valid_numbers(
            first15 in "[0-9]{15}",
            last in 0_u8..10,
            persian in any::<bool>(),
        ) {
            let good = check_digit(&first15);
            let candidate = format!("{first15}{}", char::from(b'0' + last));
            let typed: String = if persian {
                candidate
                    .chars()
                    .map(|c| char::from_u32(u32::from(c) - u32::from('0') + 0x06F0).unwrap())
                    .collect()
            } else {
                candidate.clone()
            };
            let result = CardNumber::parse(&typed);
            if char::from(b'0' + last) == good {
                let parsed = result.unwrap();
                prop_assert_eq!(parsed.as_str(), candidate.as_str());
            } else {
                prop_assert_eq!(
                    invalid_reason(&typed),
                    "fails the checksum (Luhn); check for a typo"
                );
            }
        }
    }
}
