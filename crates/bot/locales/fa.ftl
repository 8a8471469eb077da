# Texts of the tenant bots in Persian, the default language.
#
# Every message here must also be in en.ftl and ru.ftl, with the same variables
# (`Texts::load` refuses the files otherwise).
#
# Right-to-left: the bots send these texts without Unicode isolation marks, so
# every line that holds Persian starts with a Persian word (an emoji before it
# is fine, but not ℹ️: U+2139 is a left-to-right letter), and links or other
# Latin values that could start a line go on a line of their own. Numbers arrive already written with Persian digits.

## Start and main menu

# $name: the customer's name, as Telegram gives it.
welcome-default =
    سلام { $name } عزیز، خوش آمدید! 🌹
    از منوی زیر می‌توانید اشتراک بخرید، اشتراک فعلی‌تان را ببینید یا با پشتیبانی در تماس باشید.

main-menu-title =
    🏠 منوی اصلی
    لطفاً یکی از گزینه‌های زیر را انتخاب کنید:

## Main menu buttons (short: they are keyboard buttons)

menu-my-subscription = 📱 اشتراک من
menu-buy = 🛒 خرید اشتراک
menu-renew = 🔄 تمدید اشتراک
menu-balance = 💰 موجودی حساب
menu-trial = 🎁 اشتراک تست رایگان
menu-referral = 👥 دعوت از دوستان
menu-promo-code = 🎟 کد تخفیف
menu-support = 💬 پشتیبانی
menu-language = 🌐 زبان

## Language

language-prompt = 🌐 لطفاً زبان مورد نظر خود را انتخاب کنید:

# $language: the chosen language's own name (language-name-*).
language-changed = ✅ زبان ربات به { $language } تغییر کرد.

# Each language's name in that language itself, the same in every file.
language-name-fa = فارسی
language-name-en = English
language-name-ru = Русский

## Errors and hints

bot-unavailable = ⏳ این ربات در حال حاضر موقتاً در دسترس نیست. لطفاً کمی بعد دوباره تلاش کنید.
error-generic = ❌ متأسفانه مشکلی پیش آمد. لطفاً دوباره تلاش کنید.
unknown-command =
    متأسفانه متوجه این پیام نشدم. 🤔
    برای باز کردن منوی اصلی، دستور /start را بفرستید.

feature-disabled = ⛔️ این بخش در این ربات فعال نیست.
button-stale = ⌛️ این دکمه دیگر معتبر نیست. لطفاً از منوی اصلی دوباره شروع کنید.

## Numbers and amounts

# $days: a number. Persian has no plural forms: the noun stays singular.
days-left = { $days } روز باقی مانده است

# $amount: an amount already formatted, e.g. "۱۲۳٬۴۵۶ تومان".
amount = مبلغ: { $amount }

## Subscriptions (sent by the jobs)

# $url: the subscription link; $days: the days the subscription lasts.
subscription-ready =
    ✅ اشتراک شما آماده است و { $days } روز اعتبار دارد.
    لینک اشتراک:
    { $url }

# $url: the subscription link.
subscription-updated =
    📝 اشتراک شما به‌روزرسانی شد.
    لینک اشتراک:
    { $url }

# To the tenant's admins. $subscription: the subscription's number;
# $attempts: how many times it was tried; $error: the panel's last error.
provisioning-failing =
    ⚠️ ساخت اشتراک #{ NUMBER($subscription, useGrouping: "false") } روی پنل پس از { $attempts } بار تلاش هنوز انجام نشده است. تلاش‌ها ادامه دارد.
    خطا:
    { $error }
