//! Texts the jobs send, in Persian (the default), English and Russian.

use remnabot_domain::config::Language;

/// Told to a customer when their subscription is ready on the panel.
pub fn subscription_ready(lang: Language, url: &str, days_left: i64) -> String {
    match lang {
        Language::Fa => format!("✅ اشتراک شما آماده است ({} روز).\nلینک اشتراک:\n{url}", persian_digits(days_left)),
        Language::En => format!("✅ Your subscription is ready ({days_left} days).\nSubscription link:\n{url}"),
        Language::Ru => format!("✅ Ваша подписка готова ({days_left} дн.).\nСсылка на подписку:\n{url}"),
    }
}

/// Told to a customer when an admin changed their subscription.
pub fn subscription_updated(lang: Language, url: &str) -> String {
    match lang {
        Language::Fa => format!("ℹ️ اشتراک شما به‌روز شد.\nلینک اشتراک:\n{url}"),
        Language::En => format!("ℹ️ Your subscription was updated.\nSubscription link:\n{url}"),
        Language::Ru => format!("ℹ️ Ваша подписка обновлена.\nСсылка на подписку:\n{url}"),
    }
}

/// Told to a tenant's admins when provisioning keeps failing.
pub fn provisioning_failing(lang: Language, subscription_id: i64, attempts: u32, error: &str) -> String {
    match lang {
        Language::Fa => format!(
            "⚠️ ساخت اشتراک #{} روی پنل پس از {} تلاش هنوز انجام نشده است. دوباره تلاش می‌شود.\nخطا: {error}",
            persian_digits(subscription_id),
            persian_digits(i64::from(attempts))
        ),
        Language::En => format!(
            "⚠️ Subscription #{subscription_id} is still not on the panel after {attempts} attempts. It keeps being retried.\nError: {error}"
        ),
        Language::Ru => format!(
            "⚠️ Подписка #{subscription_id} всё ещё не создана на панели после {attempts} попыток. Попытки продолжаются.\nОшибка: {error}"
        ),
    }
}

/// Writes a number with Persian digits.
pub fn persian_digits(n: i64) -> String {
    n.to_string()
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(0x06F0 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_carries_the_link() {
        for lang in Language::ALL {
            assert!(subscription_ready(lang, "https://sub.example/abc", 30).contains("https://sub.example/abc"));
            assert!(subscription_updated(lang, "https://sub.example/abc").contains("https://sub.example/abc"));
        }
        assert_eq!(persian_digits(1405), "۱۴۰۵");
    }
}
