//! The sane ranges of every period, count and amount the platform takes in (through the API,
//! the configuration or an admin's dialogue in a bot), and date arithmetic that never panics.
//! The API states the same ranges in its OpenAPI document with [`range_schema`].

use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, Utc};

use crate::error::{Error, Result};

/// Days a plan lasts.
pub const PLAN_DAYS: RangeInclusive<i64> = 1..=3650;
/// GB of traffic a plan or trial gives (0 means unlimited).
pub const TRAFFIC_GB: RangeInclusive<i64> = 0..=1_000_000;
/// Devices a plan or trial allows.
pub const DEVICES: RangeInclusive<i64> = 1..=1000;
/// Days a free trial lasts.
pub const TRIAL_DAYS: RangeInclusive<i64> = 1..=365;
/// Days one extension (through the API, a promo code or an admin) adds.
pub const EXTEND_DAYS: RangeInclusive<i64> = 1..=3650;
/// Toman of one price, credit, debit, cap or promo balance: positive, at most 10^12.
pub const AMOUNT: RangeInclusive<i64> = 1..=1_000_000_000_000;
/// Toman the operator lets a tenant's wallet go below zero.
pub const CREDIT_LIMIT: RangeInclusive<i64> = 0..=1_000_000_000_000;
/// Toman the operator charges a tenant per GB sold.
pub const WHOLESALE_PER_GB: RangeInclusive<i64> = 0..=100_000_000;
/// A card's relative share under the weighted rotation.
pub const CARD_WEIGHT: RangeInclusive<i64> = 0..=1000;
/// Payments a card takes per day, when capped.
pub const DAILY_COUNT_CAP: RangeInclusive<i64> = 1..=1_000_000;
/// A plan's place in the list.
pub const SORT_ORDER: RangeInclusive<i64> = -1_000_000..=1_000_000;
/// Uses of a promo code (0 means unlimited).
pub const PROMO_USES: RangeInclusive<i64> = 0..=1_000_000_000;
/// Percent of a discount code.
pub const DISCOUNT_PERCENT: RangeInclusive<i64> = 1..=100;
/// Telegram ids a tenant may list as its admins.
pub const MAX_ADMINS: usize = 50;
/// Internal squads a tenant's panel users may be put in.
pub const MAX_SQUADS: usize = 64;

/// The latest date the platform stores or sends to a panel: the last instant of year 9999,
/// which every database, JSON date and panel can carry.
pub fn latest_date() -> DateTime<Utc> {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map_or(DateTime::<Utc>::MAX_UTC, |d| d.and_utc())
}

/// `value` when it lies in `range`.
///
/// # Errors
/// [`Error::Invalid`] naming `field` and the range.
pub fn check(field: &'static str, value: i64, range: RangeInclusive<i64>) -> Result<i64> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(field, format!("must be from {} to {}", range.start(), range.end())))
    }
}

/// [`check`] of an unsigned value.
///
/// # Errors
/// [`Error::Invalid`] naming `field` and the range.
pub fn check_u32(field: &'static str, value: u32, range: RangeInclusive<i64>) -> Result<u32> {
    check(field, i64::from(value), range).map(|_| value)
}

/// `at` plus `days` days.
///
/// # Errors
/// [`Error::Invalid`] naming `field` when the date would pass [`latest_date`].
pub fn add_days(field: &'static str, at: DateTime<Utc>, days: i64) -> Result<DateTime<Utc>> {
    add(field, at, Duration::try_days(days).unwrap_or(Duration::MAX))
}

/// `at` plus `span` (which may be negative).
///
/// # Errors
/// [`Error::Invalid`] naming `field` when the date would leave the supported range.
pub fn add(field: &'static str, at: DateTime<Utc>, span: Duration) -> Result<DateTime<Utc>> {
    at.checked_add_signed(span)
        .filter(|d| *d <= latest_date() && *d >= DateTime::<Utc>::UNIX_EPOCH)
        .ok_or_else(|| Error::invalid(field, "moves the date out of the supported range (1970 to 9999)"))
}

/// `at` plus `span`, or the latest date when that would overflow: for leases and retry
/// times, where "very late" is the right answer to a huge delay.
pub fn later(at: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    at.checked_add_signed(span).map_or_else(latest_date, |d| d.min(latest_date()))
}

/// `at` minus `span`, or the earliest date (1970) when that would leave the range.
pub fn earlier(at: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    at.checked_sub_signed(span).map_or(DateTime::<Utc>::UNIX_EPOCH, |d| d.max(DateTime::<Utc>::UNIX_EPOCH))
}

/// The JSON Schema of an integer in `range`.
pub fn range_schema(range: &RangeInclusive<i64>) -> serde_json::Value {
    serde_json::json!({"type": "integer", "minimum": range.start(), "maximum": range.end()})
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn huge_periods_are_errors_not_panics() {
        let now = Utc::now();
        assert!(add_days("days", now, 95_000_000).is_err());
        assert!(add_days("days", now, i64::MAX).is_err());
        assert!(add_days("days", now, i64::MIN).is_err());
        assert!(add_days("days", now, 30).is_ok());
        assert_eq!(later(now, Duration::MAX), latest_date());
        assert_eq!(earlier(now, Duration::MAX), DateTime::<Utc>::UNIX_EPOCH);
        assert_eq!(latest_date().year(), 9999);
    }

    #[test]
    fn ranges_are_checked_and_named() {
        assert_eq!(check("days", 30, PLAN_DAYS).ok(), Some(30));
        let err = check("days", 0, PLAN_DAYS).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("days") && err.contains("1 to 3650"), "{err}");
        assert!(check_u32("devices", 1001, DEVICES).is_err());
    }
}
