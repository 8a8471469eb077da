//! Dates as customers read them: the Solar Hijri (Jalali) calendar in Persian, the
//! Gregorian calendar otherwise, both at Tehran time (UTC+03:30; Iran has kept no daylight
//! saving time since 2022), where the tenants and their customers are.
//!
//! The Solar Hijri conversion is ICU4X's `Persian` calendar (`icu_calendar`), whose leap
//! years follow the vernal equinox like the official calendar.

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};
use icu_calendar::cal::Persian;
use icu_calendar::{Date, Iso};
use remnabot_domain::config::Language;

use crate::texts::persian_digits;

/// Tehran's offset from UTC, in seconds.
const TEHRAN_OFFSET_SECS: i32 = 3 * 3600 + 30 * 60;

/// The Solar Hijri month names, Farvardin first.
const JALALI_MONTHS: [&str; 12] =
    ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"];

/// The English month abbreviations, January first.
const EN_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `at` on Tehran's clock.
fn tehran(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    match FixedOffset::east_opt(TEHRAN_OFFSET_SECS) {
        Some(offset) => at.with_timezone(&offset),
        None => at.fixed_offset(),
    }
}

/// The Solar Hijri date `(year, month, day)` of a Gregorian date; `None` outside the range
/// ICU4X supports.
pub fn jalali(year: i32, month: u32, day: u32) -> Option<(i32, u8, u8)> {
    let iso = Date::try_new_iso(year, u8::try_from(month).ok()?, u8::try_from(day).ok()?).ok()?;
    let persian = iso.to_calendar(Persian);
    Some((persian.year().extended_year(), persian.month().ordinal, persian.day_of_month().0))
}

/// The Gregorian date `(year, month, day)` of a Solar Hijri date; `None` for a date that
/// does not exist (Esfand 30th of a common year, month 13) or lies outside ICU4X's range.
pub fn gregorian(year: i32, month: u32, day: u32) -> Option<(i32, u32, u32)> {
    let persian = Date::try_new_persian(year, u8::try_from(month).ok()?, u8::try_from(day).ok()?).ok()?;
    let iso = persian.to_calendar(Iso);
    let out = (iso.year().extended_year(), u32::from(iso.month().ordinal), u32::from(iso.day_of_month().0));
    // Round trip, so a date the calendar would quietly move (a 30th that month lacks) is
    // refused rather than changed.
    (jalali(out.0, out.1, out.2) == Some((year, u8::try_from(month).ok()?, u8::try_from(day).ok()?))).then_some(out)
}

/// The date and time of `at` for a customer of `lang`, at Tehran time: `۲۰ آبان ۱۴۰۳، ساعت ۰۲:۰۸`
/// (Solar Hijri, Persian digits), `10 Nov 2024, 02:08`, `10.11.2024 02:08`.
pub fn format_datetime(lang: Language, at: DateTime<Utc>) -> String {
    let local = tehran(at);
    let (hour, minute) = (local.hour(), local.minute());
    match lang {
        Language::Fa => {
            let date = match jalali(local.year(), local.month(), local.day()) {
                Some((y, m, d)) => {
                    let name = JALALI_MONTHS.get(usize::from(m).saturating_sub(1)).copied().unwrap_or_default();
                    format!("{d} {name} {y}")
                }
                // Out of ICU4X's range (thousands of years away): the Gregorian date.
                None => local.format("%Y-%m-%d").to_string(),
            };
            persian_digits(&format!("{date}، ساعت {hour:02}:{minute:02}"))
        }
        Language::En => {
            let month = EN_MONTHS.get(local.month0() as usize).copied().unwrap_or_default();
            format!("{} {month} {}, {hour:02}:{minute:02}", local.day(), local.year())
        }
        Language::Ru => format!("{:02}.{:02}.{} {hour:02}:{minute:02}", local.day(), local.month(), local.year()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn solar_hijri_dates_turn_into_gregorian_ones_and_impossible_ones_are_refused() {
        assert_eq!(gregorian(1405, 1, 1), Some((2026, 3, 21)));
        assert_eq!(gregorian(1403, 12, 30), Some((2025, 3, 20)), "1403 is a leap year");
        assert_eq!(gregorian(1404, 12, 30), None, "1404 is not");
        assert_eq!(gregorian(1404, 13, 1), None);
        assert_eq!(gregorian(1404, 7, 31), None, "the second half's months have 30 days");
    }

    #[test]
    fn known_gregorian_dates_have_their_solar_hijri_dates() {
        // Nowruz and other dates every Iranian calendar prints.
        assert_eq!(jalali(2024, 3, 20), Some((1403, 1, 1)));
        assert_eq!(jalali(2025, 3, 21), Some((1404, 1, 1)));
        assert_eq!(jalali(2023, 3, 21), Some((1402, 1, 1)));
        assert_eq!(jalali(2022, 3, 21), Some((1401, 1, 1)));
        assert_eq!(jalali(1979, 2, 11), Some((1357, 11, 22)));
        assert_eq!(jalali(2000, 1, 1), Some((1378, 10, 11)));
        assert_eq!(jalali(2024, 11, 10), Some((1403, 8, 20)));
        // 1403 is a leap year: Esfand has 30 days, the last one on 20 March 2025.
        assert_eq!(jalali(2025, 3, 20), Some((1403, 12, 30)));
        assert_eq!(jalali(2024, 3, 19), Some((1402, 12, 29)));
        assert_eq!(jalali(2024, 2, 30), None, "not a date");
    }

    #[test]
    fn persian_dates_are_solar_hijri_at_tehran_time_in_persian_digits() {
        // 22:38 UTC is already the next day in Tehran.
        assert_eq!(format_datetime(Language::Fa, utc("2024-11-09T22:38:28Z")), "۲۰ آبان ۱۴۰۳، ساعت ۰۲:۰۸");
        assert_eq!(format_datetime(Language::Fa, utc("2024-03-19T20:30:00Z")), "۱ فروردین ۱۴۰۳، ساعت ۰۰:۰۰");
    }

    #[test]
    fn other_languages_get_gregorian_dates_at_tehran_time() {
        assert_eq!(format_datetime(Language::En, utc("2024-11-09T22:38:28Z")), "10 Nov 2024, 02:08");
        assert_eq!(format_datetime(Language::Ru, utc("2024-11-09T22:38:28Z")), "10.11.2024 02:08");
    }
}
