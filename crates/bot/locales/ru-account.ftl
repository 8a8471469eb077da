# Balance and top-up, promo codes, referral, support tickets.

## Shared

acct-button-cancel = ✖️ Отмена
acct-cancelled = ✖️ Отменено. Начать заново можно в любой момент из главного меню.
acct-expects-text = ✍️ Пожалуйста, отправьте ответ текстовым сообщением или нажмите «Отмена».

## Balance

# $amount: the balance, already formatted.
acct-balance = 💰 Ваш баланс: { $amount }
acct-button-history = 📜 История
acct-button-topup = ➕ Пополнить
acct-history-title = 📜 Последние операции по вашему счёту:
acct-history-empty = 📜 Операций по вашему счёту пока нет.

# One line of the history. $kind: what the entry was for (deposit, purchase, renewal,
# promo, referral_reward, refund, or anything else); $amount: the signed amount, already
# formatted; $date: when, already formatted.
acct-history-line =
    { $kind ->
        [deposit] ➕ Пополнение
        [purchase] 🛒 Покупка
        [renewal] 🔄 Продление
        [promo] 🎟 Подарочный код
        [referral_reward] 👥 Реферальная награда
        [refund] ↩️ Возврат
       *[other] 📝 Корректировка
    }: { $amount } ({ $date })

## Top-up

# $min, $max: amounts, already formatted.
acct-topup-prompt =
    ➕ На какую сумму пополнить баланс?
    Выберите сумму ниже или напишите свою в томанах (от { $min } до { $max }).
acct-topup-not-a-number =
    ❌ Это не похоже на сумму.
    Пожалуйста, напишите только число томанов, например 150000 (от { $min } до { $max }).
acct-topup-too-small = ❌ Минимальная сумма пополнения — { $min }. Пожалуйста, укажите сумму больше.
acct-topup-too-large = ❌ Максимальная сумма пополнения — { $max }. Пожалуйста, укажите сумму меньше.
acct-topup-unavailable = ⛔️ Пополнение сейчас недоступно. Пожалуйста, попробуйте немного позже.
acct-topup-no-method = ⛔️ Сейчас нет доступного способа пополнить баланс. Пожалуйста, попробуйте позже.
# $amount: the top-up, already formatted.
acct-topup-choose-method = ➕ Пополнение на { $amount }. Как вы хотите оплатить?

## Promo codes

acct-promo-prompt = 🎟 Отправьте ваш промокод или подарочный код:
acct-promo-unknown =
    ❌ Такого кода нет.
    Проверьте его и отправьте снова или нажмите «Отмена».
acct-promo-inactive = ❌ Этот код сейчас не действует.
acct-promo-not-yet-valid = ⏳ Этот код пока нельзя использовать.
acct-promo-expired = ⌛️ Срок действия этого кода истёк.
acct-promo-used-up = ❌ Этот код уже использован максимальное число раз.
acct-promo-already-used = ❌ Вы уже использовали этот код.
# $minutes: whole minutes until the customer may try again.
acct-promo-too-many =
    ⏳ Слишком много неверных кодов. Попробуйте снова через { $minutes ->
        [one] { $minutes } минуту
        [few] { $minutes } минуты
       *[other] { $minutes } минут
    }.
acct-promo-no-subscription =
    ❌ Этот код добавляет дни к подписке, а у вас её пока нет.
    Сначала купите подписку, затем введите код снова.

# $amount: the amount credited; $balance: the balance now; both already formatted.
acct-promo-balance =
    🎉 На ваш баланс зачислено { $amount }.
    Текущий баланс: { $balance }

# $days: the days added; $date: the new end of the subscription, already formatted.
acct-promo-days =
    🎉 Ваша подписка продлена на { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[other] { $days } дней
    }.
    Теперь она действует до { $date }.

# $percent: the discount.
acct-promo-discount =
    🎉 Скидка { $percent }% на следующую покупку активирована.
    Она применится автоматически при оплате следующей покупки или продления.

## Referral

# $percent: the reward, a percent of the friends' payments (0: no reward); $link: the
# personal link; $count: friends who joined, already formatted; $earned: an amount.
acct-referral =
    👥 Приглашайте друзей!
    { $percent ->
        [0] Отправьте друзьям свою персональную ссылку.
       *[other] Вы получаете { $percent }% от каждого платежа друзей, пришедших по вашей ссылке, на свой баланс.
    }
    Ваша ссылка-приглашение:
    { $link }
    Приглашено друзей: { $count }
    Заработано наград: { $earned }
acct-button-referrals = 📋 Приглашённые друзья
acct-referrals-title = 📋 Друзья, пришедшие по вашей ссылке:
acct-referrals-empty = 📋 По вашей ссылке пока никто не пришёл.
# $name: a friend's name.
acct-referrals-line = • { $name }
acct-referrals-more = …и другие.

## Support tickets: the customer's side

acct-support =
    💬 Поддержка
    Есть вопрос или проблема? Создайте обращение, и команда поддержки ответит вам прямо здесь.
acct-support-unavailable = ⛔️ Обращения в поддержку сейчас недоступны.
# $contact: how else to reach the tenant (a @username or a link).
acct-support-contact =
    Другой способ связаться с поддержкой:
    { $contact }
acct-button-new-ticket = ✍️ Новое обращение
acct-button-my-tickets = 📂 Мои обращения
acct-button-reply = ↩️ Ответить
acct-button-close-ticket = ✅ Закрыть обращение
acct-ticket-prompt =
    ✍️ Опишите ваш вопрос или проблему одним сообщением.
    Можно отправить и фото (подробности напишите в подписи).
acct-ticket-expects-text-or-photo = ✍️ Пожалуйста, отправьте текст или фото, или нажмите «Отмена».
acct-ticket-too-long = ❌ Сообщение слишком длинное. Пожалуйста, отправьте покороче (не более 4096 символов).
acct-ticket-photo = 📷 Фото

# $ticket: the ticket's number.
acct-ticket-opened =
    ✅ Обращение #{ NUMBER($ticket, useGrouping: "false") } создано.
    Ответ поддержки придёт прямо сюда.
acct-ticket-sent = ✅ Ваше сообщение добавлено в обращение #{ NUMBER($ticket, useGrouping: "false") }.
acct-ticket-reply-prompt = ✍️ Напишите сообщение для обращения #{ NUMBER($ticket, useGrouping: "false") } (текст или фото).
acct-ticket-closed-by-you = ✅ Обращение #{ NUMBER($ticket, useGrouping: "false") } закрыто.
acct-ticket-closed-by-support = ✅ Поддержка закрыла обращение #{ NUMBER($ticket, useGrouping: "false") }.
acct-ticket-is-closed = ⛔️ Обращение #{ NUMBER($ticket, useGrouping: "false") } закрыто и не принимает новых сообщений.
acct-ticket-unknown = ⛔️ Обращение не найдено.

# $ticket: the ticket's number; $text: the support team's answer.
acct-ticket-answer =
    📩 Ответ поддержки по обращению #{ NUMBER($ticket, useGrouping: "false") }:
    { $text }

acct-tickets-title = 📂 Ваши обращения (нажмите, чтобы открыть):
acct-tickets-empty = 📂 У вас пока нет обращений.

# A button. $ticket: the number; $status: open, answered or closed.
acct-ticket-button =
    { $status ->
        [open] 🟡 Ждёт ответа
        [answered] 🟢 Есть ответ
       *[closed] ⚪️ Закрыто
    } · #{ NUMBER($ticket, useGrouping: "false") }

# $ticket: the number; $status: open, answered or closed.
acct-ticket-view =
    🎫 Обращение #{ NUMBER($ticket, useGrouping: "false") }: { $status ->
        [open] ждёт ответа
        [answered] есть ответ
       *[closed] закрыто
    }
acct-ticket-from-you = 👤 Вы:
acct-ticket-from-support = 🎧 Поддержка:

## Support tickets: the admins' side

# $ticket: the number; $name: the customer (name, @username, Telegram id); $text: their message.
acct-admin-ticket-new =
    🎫 Новое обращение #{ NUMBER($ticket, useGrouping: "false") }
    От: { $name }
    { $text }
acct-admin-ticket-message =
    💬 Новое сообщение в обращении #{ NUMBER($ticket, useGrouping: "false") }
    От: { $name }
    { $text }
acct-admin-ticket-closed = ✅ Клиент закрыл обращение #{ NUMBER($ticket, useGrouping: "false") }.
acct-admin-answer-prompt =
    ✍️ Напишите ответ на обращение #{ NUMBER($ticket, useGrouping: "false") } (текст или фото).
    Он будет отправлен клиенту.
acct-admin-answer-sent = ✅ Ваш ответ на обращение #{ NUMBER($ticket, useGrouping: "false") } отправлен клиенту.
acct-admin-answer-undelivered = ⚠️ Ваш ответ на обращение #{ NUMBER($ticket, useGrouping: "false") } сохранён, но не доставлен (возможно, клиент заблокировал бота).
acct-admin-ticket-closed-done = ✅ Обращение #{ NUMBER($ticket, useGrouping: "false") } закрыто.
acct-admin-only = ⛔️ Это могут делать только администраторы этого бота.
acct-admin-start-private = ⚠️ Чтобы ответить, сначала запустите бота в личном чате, затем снова нажмите «Ответить».
