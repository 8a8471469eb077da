# Texts of the tenant bots in English.
#
# Every message here must also be in fa.ftl and ru.ftl, with the same variables
# (`Texts::load` refuses the files otherwise).

## Start and main menu

# $name: the customer's name, as Telegram gives it.
welcome-default =
    Hello { $name }, welcome! 🌹
    Use the menu below to buy a subscription, check your current one or contact support.

main-menu-title =
    🏠 Main menu
    Please choose an option below:

## Main menu buttons (short: they are keyboard buttons)

menu-my-subscription = 📱 My subscription
menu-buy = 🛒 Buy a subscription
menu-renew = 🔄 Renew subscription
menu-balance = 💰 Balance
menu-trial = 🎁 Free trial
menu-referral = 👥 Invite friends
menu-promo-code = 🎟 Promo code
menu-support = 💬 Support
menu-language = 🌐 Language

## Language

language-prompt = 🌐 Please choose your language:

# $language: the chosen language's own name (language-name-*).
language-changed = ✅ The language has been changed to { $language }.

# Each language's name in that language itself, the same in every file.
language-name-fa = فارسی
language-name-en = English
language-name-ru = Русский

## Errors and hints

bot-unavailable = ⏳ This bot is temporarily unavailable. Please try again later.
error-generic = ❌ Sorry, something went wrong. Please try again.
unknown-command =
    Sorry, I didn't understand that. 🤔
    Send /start to open the main menu.

feature-disabled = ⛔️ This feature is not available in this bot.
button-stale = ⌛️ This button is no longer valid. Please start again from the main menu.

## Numbers and amounts

# $days: a number.
days-left =
    { $days ->
        [one] { $days } day left
       *[other] { $days } days left
    }

# $amount: an amount already formatted, e.g. "123,456 Toman".
amount = Amount: { $amount }

## Subscriptions (sent by the jobs)

# $url: the subscription link; $days: the days the subscription lasts.
subscription-ready =
    ✅ Your subscription is ready and valid for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.
    Subscription link:
    { $url }

# $url: the subscription link.
subscription-updated =
    ℹ️ Your subscription has been updated.
    Subscription link:
    { $url }

# To the tenant's admins. $subscription: the subscription's number;
# $attempts: how many times it was tried; $error: the panel's last error.
provisioning-failing =
    ⚠️ Subscription #{ NUMBER($subscription, useGrouping: "false") } is still not on the panel after { $attempts } { $attempts ->
        [one] attempt
       *[other] attempts
    }. It keeps being retried.
    Error: { $error }
