//! How a tenant's users are named on a panel that several bots share: a username, a tag and a
//! description that keep one bot's customers apart from another's, even for the same Telegram id.

/// The longest username the panel accepts.
const MAX_USERNAME_LEN: usize = 36;
/// The longest tag the panel accepts.
const MAX_TAG_LEN: usize = 16;
/// How much of a bot's name goes into a description.
const MAX_BOT_NAME_CHARS: usize = 64;

/// The panel username of `telegram_id`'s account in bot `bot_id`: `rb{bot_id}_{telegram_id}`.
///
/// Always 3–36 characters of `[A-Za-z0-9_-]`. Ids that are not positive, or too long together
/// for 36 characters, are written in base 36 after `rbx` instead (`rbx{bot}_{telegram}`, each
/// as its unsigned 64-bit pattern), which no decimal name can equal.
pub fn panel_username(bot: crate::BotId, telegram: crate::TgUserId) -> String {
    let (bot_id, telegram_id) = (bot.0, telegram.0);
    let decimal = format!("rb{bot_id}_{telegram_id}");
    if bot_id > 0 && telegram_id > 0 && decimal.len() <= MAX_USERNAME_LEN {
        decimal
    } else {
        format!("rbx{}_{}", base36(bot_id.cast_unsigned()), base36(telegram_id.cast_unsigned()))
    }
}

/// The panel tag of bot `bot_id`'s users: `T{bot_id}`.
///
/// Always at most 16 characters of `[A-Z0-9_]`. An id that is not positive or has more than 15
/// digits is written in base 36 after `TX` instead, which no decimal tag can equal.
pub fn tenant_tag(bot: crate::BotId) -> String {
    let bot_id = bot.0;
    let decimal = format!("T{bot_id}");
    if bot_id > 0 && decimal.len() <= MAX_TAG_LEN {
        decimal
    } else {
        format!("TX{}", base36(bot_id.cast_unsigned()).to_ascii_uppercase())
    }
}

/// The panel description of `telegram_id`'s account in bot `bot_id`, for an operator browsing
/// the panel: `remnabot · {bot_name} (bot {bot_id}) · Telegram {telegram_id}`. The bot's name is
/// trimmed, stripped of control characters and cut to 64 characters.
pub fn tenant_description(bot_name: &str, bot: crate::BotId, telegram: crate::TgUserId) -> String {
    let (bot_id, telegram_id) = (bot.0, telegram.0);
    let name: String =
        bot_name.trim().chars().map(|c| if c.is_control() { ' ' } else { c }).take(MAX_BOT_NAME_CHARS).collect();
    let name = name.trim();
    if name.is_empty() {
        format!("remnabot · bot {bot_id} · Telegram {telegram_id}")
    } else {
        format!("remnabot · {name} (bot {bot_id}) · Telegram {telegram_id}")
    }
}

fn base36(mut value: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(value % 36) as usize]);
        value /= 36;
        if value == 0 {
            break;
        }
    }
    out.reverse();
    out.into_iter().map(char::from).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn valid_username(name: &str) -> bool {
        (3..=MAX_USERNAME_LEN).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    }

    fn valid_tag(tag: &str) -> bool {
        !tag.is_empty()
            && tag.len() <= MAX_TAG_LEN
            && tag.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    }

    const ABSURD: [i64; 7] = [i64::MIN, -1, 0, 1, 999_999_999_999_999, 1_000_000_000_000_000, i64::MAX];

    #[test]
    fn ordinary_ids_give_readable_names() {
        assert_eq!(panel_username(crate::BotId(7), crate::TgUserId(123_456_789)), "rb7_123456789");
        assert_eq!(panel_username(crate::BotId(12), crate::TgUserId(7_012_345_678)), "rb12_7012345678");
        assert_eq!(tenant_tag(crate::BotId(7)), "T7");
        assert_eq!(tenant_tag(crate::BotId(123_456_789_012_345)), "T123456789012345");
    }

    #[test]
    fn two_tenants_with_the_same_customer_get_different_usernames_and_tags() {
        let telegram_id = 5_000_000_001;
        assert_ne!(
            panel_username(crate::BotId(1), crate::TgUserId(telegram_id)),
            panel_username(crate::BotId(2), crate::TgUserId(telegram_id))
        );
        assert_ne!(tenant_tag(crate::BotId(1)), tenant_tag(crate::BotId(2)));
        // The underscore keeps (1, 23) and (12, 3) apart.
        assert_ne!(
            panel_username(crate::BotId(1), crate::TgUserId(23)),
            panel_username(crate::BotId(12), crate::TgUserId(3))
        );
    }

    #[test]
    fn absurd_ids_still_give_valid_distinct_names() {
        let mut usernames = std::collections::BTreeSet::new();
        let mut tags = std::collections::BTreeSet::new();
        for bot in ABSURD {
            let tag = tenant_tag(crate::BotId(bot));
            assert!(valid_tag(&tag), "{bot} -> {tag}");
            tags.insert(tag);
            for telegram in ABSURD {
                let name = panel_username(crate::BotId(bot), crate::TgUserId(telegram));
                assert!(valid_username(&name), "({bot}, {telegram}) -> {name}");
                usernames.insert(name);
            }
        }
        assert_eq!(tags.len(), ABSURD.len());
        assert_eq!(usernames.len(), ABSURD.len() * ABSURD.len());
        assert_eq!(panel_username(crate::BotId(i64::MAX), crate::TgUserId(i64::MAX)), "rbx1y2p0ij32e8e7_1y2p0ij32e8e7");
        assert_eq!(tenant_tag(crate::BotId(i64::MAX)), "TX1Y2P0IJ32E8E7");
    }

    #[test]
    fn a_description_names_the_bot_and_the_customer() {
        assert_eq!(
            tenant_description("Fast VPN", crate::BotId(3), crate::TgUserId(42)),
            "remnabot · Fast VPN (bot 3) · Telegram 42"
        );
        assert_eq!(tenant_description("  \n ", crate::BotId(3), crate::TgUserId(42)), "remnabot · bot 3 · Telegram 42");
        let long = tenant_description(&"x\n".repeat(200), crate::BotId(3), crate::TgUserId(42));
        assert!(!long.contains('\n'));
        assert!(long.chars().count() < 120, "{long}");
    }
}
