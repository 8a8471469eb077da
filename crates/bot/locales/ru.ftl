# Texts of the tenant bots in Russian.
#
# Every message here must also be in fa.ftl and en.ftl, with the same variables
# (`Texts::load` refuses the files otherwise). Counts use the Russian plural
# categories: one (1, 21, 101), few (2-4, 22-24), many (5-20, 25-30, 11-14).

## Start and main menu

# $name: the customer's name, as Telegram gives it.
welcome-default =
    Здравствуйте, { $name }! Добро пожаловать 🌹
    В меню ниже вы можете купить подписку, посмотреть текущую или связаться с поддержкой.

main-menu-title =
    🏠 Главное меню
    Пожалуйста, выберите нужный пункт:

## Main menu buttons (short: they are keyboard buttons)

menu-my-subscription = 📱 Моя подписка
menu-buy = 🛒 Купить подписку
menu-renew = 🔄 Продлить подписку
menu-balance = 💰 Баланс
menu-trial = 🎁 Пробный период
menu-referral = 👥 Пригласить друзей
menu-promo-code = 🎟 Промокод
menu-support = 💬 Поддержка
menu-language = 🌐 Язык

## Language

language-prompt = 🌐 Пожалуйста, выберите язык:

# $language: the chosen language's own name (language-name-*), hence the colon:
# "на Русский" would be ungrammatical.
language-changed = ✅ Язык изменён: { $language }.

# Each language's name in that language itself, the same in every file.
language-name-fa = فارسی
language-name-en = English
language-name-ru = Русский

## Errors and hints

bot-unavailable = ⏳ Бот временно недоступен. Пожалуйста, попробуйте позже.
error-generic = ❌ Извините, что-то пошло не так. Пожалуйста, попробуйте ещё раз.
unknown-command =
    Извините, не удалось распознать сообщение. 🤔
    Отправьте /start, чтобы открыть главное меню.

feature-disabled = ⛔️ Эта функция недоступна в этом боте.
button-stale = ⌛️ Эта кнопка больше не действует. Начните, пожалуйста, заново из главного меню.

## Numbers and amounts

# $days: a number.
days-left =
    { $days ->
        [one] Остался { $days } день
        [few] Осталось { $days } дня
       *[many] Осталось { $days } дней
    }

# $amount: an amount already formatted, e.g. "123 456 томан".
amount = Сумма: { $amount }

## Subscriptions (sent by the jobs)

# $url: the subscription link; $days: the days the subscription lasts.
subscription-ready =
    ✅ Ваша подписка готова и действует { $days } { $days ->
        [one] день
        [few] дня
       *[many] дней
    }.
    Ссылка на подписку:
    { $url }

# $url: the subscription link.
subscription-updated =
    ℹ️ Ваша подписка обновлена.
    Ссылка на подписку:
    { $url }

# To the tenant's admins. $subscription: the subscription's number;
# $attempts: how many times it was tried; $error: the panel's last error.
provisioning-failing =
    ⚠️ Подписка #{ NUMBER($subscription, useGrouping: "false") } всё ещё не создана на панели после { $attempts } { $attempts ->
        [one] попытки
       *[other] попыток
    }. Попытки продолжаются.
    Ошибка: { $error }
