# Plans, checkout, card-to-card payments and their review, subscriptions, trial.

## Plans

plans-empty = 😔 Сейчас нет тарифов в продаже. Загляните, пожалуйста, позже.
plans-title = 🛒 Наши тарифы; выберите один:
plans-title-renewal = 🔄 Для продления выберите один из тарифов:
# $page, $pages: the page shown and how many; $count: how many plans in total.
plans-page = Страница { $page } из { $pages } · тарифов: { $count }
plans-previous = ◀️ Назад
plans-next = Далее ▶️

# $name: the plan's name; $days: its period; $traffic: traffic-gb or traffic-unlimited;
# $devices: the device limit; $price: an amount already formatted.
plan-summary =
    📦 Тариф { $name }
    Срок: { $days ->
        [one] { $days } день
        [few] { $days } дня
        [many] { $days } дней
       *[other] { $days } дня
    }
    Трафик: { $traffic }
    Устройств: { $devices }
    Цена: { $price }

plan-button = { $price } · { $name }
plan-buy = 🛒 Купить этот тариф
plan-renew = 🔄 Продлить этим тарифом
button-back = ↩️ Назад
plan-unavailable = ⚠️ Этот тариф больше не продаётся. Пожалуйста, выберите другой из списка.

# $mb and $gb: a number of megabytes or gigabytes (already written for the language
# when fractional).
traffic-mb = { $mb } МБ
traffic-gb = { $gb } ГБ
traffic-unlimited = безлимитный

## Renewal

# $expires: a date already formatted.
renew-current = 📅 Ваша подписка действует до { $expires }; продление добавится начиная с этой даты.
renew-none = ℹ️ У вас нет подписки для продления; вы можете купить новую.

## My subscription

sub-none = 📭 У вас пока нет подписки. Нажмите кнопку ниже, чтобы купить.
sub-link-pending = ⏳ Ссылка готовится и скоро будет отправлена вам.

# $status: sub-status-*; $expires: a date; $days: days left; $used and $limit: traffic;
# $devices: the device limit; $link: the subscription link or sub-link-pending.
sub-details =
    📱 Моя подписка
    Статус: { $status }
    Действует до: { $expires }
    Осталось дней: { $days }
    Использовано: { $used } из { $limit }
    Устройств: { $devices }
    Ссылка на подписку:
    { $link }

sub-status-active = ✅ активна
sub-status-trial = 🎁 пробный период
sub-status-expired = ⌛️ истекла
sub-status-limited = ⚠️ трафик исчерпан
sub-status-disabled = ⛔️ отключена

## Trial

# $days: the trial's days; $traffic: traffic-gb or traffic-unlimited; $devices: devices.
trial-offer =
    🎁 Бесплатный пробный период
    Срок: { $days ->
        [one] { $days } день
        [few] { $days } дня
        [many] { $days } дней
       *[other] { $days } дня
    }
    Трафик: { $traffic }
    Устройств: { $devices }
    Каждый клиент может воспользоваться пробным периодом один раз.
trial-button = 🎁 Включить пробный период
trial-used = ℹ️ Вы уже воспользовались пробным периодом.
trial-has-subscription = ℹ️ Пробный период — для новых клиентов, а у вас уже есть подписка.
# $expires: a date.
trial-started =
    ✅ Пробный период включён и действует до { $expires }.
    Ссылка на подписку придёт через минуту.

## Checkout

# $price: an amount.
checkout-price = 💰 К оплате: { $price }
# $percent: the discount; $list: the plan's price; $price: what the customer pays.
checkout-discount = 💰 К оплате со скидкой { $percent }%: { $price } (вместо { $list })
checkout-choose = Пожалуйста, выберите способ оплаты:
checkout-no-method = ⚠️ Сейчас для этого заказа нет доступного способа оплаты. Если на балансе не хватает средств, сначала пополните его или напишите в поддержку.
pay-card-to-card = 💳 С карты на карту
pay-balance = 💰 Оплатить с баланса
method-unavailable = ⚠️ Этот способ оплаты больше недоступен.
sale-unavailable = 😔 К сожалению, продажи сейчас приостановлены. Попробуйте, пожалуйста, чуть позже; администраторы магазина уже знают.
sale-no-squad = 😔 К сожалению, магазин сейчас не может продавать подписки: для вас пока нет сервера. Попробуйте, пожалуйста, позже; администраторы магазина уже знают.
no-card-available = 😔 Сейчас нет карты для оплаты. Попробуйте позже или выберите другой способ.
balance-insufficient = ⚠️ На вашем балансе недостаточно средств для этой покупки.
# $balance: the balance after paying.
paid-from-balance =
    ✅ Оплачено с баланса. Баланс сейчас: { $balance }
    Подписка готовится; ссылка скоро придёт.
# $balance: the balance now.
pay-free = 🎁 Получить бесплатно
paid-free =
    ✅ С вашей скидкой заказ бесплатный, ничего не списано. Баланс: { $balance }
    Подписка готовится; ссылка скоро придёт.
already-paid = ℹ️ Этот заказ уже оплачен. Баланс сейчас: { $balance }

## Card to card

# $amount: the exact amount; $card: the card number in groups of four; $holder and
# $bank: the card's owner and bank; $code: the tracking code; $deadline: a date.
card-instructions =
    💳 Оплата с карты на карту
    Переведите, пожалуйста, ровно { $amount } на эту карту:
    { $card }
    Владелец: { $holder }
    Банк: { $bank }
    Код платежа: { $code }
    Оплатить и прислать чек до: { $deadline }
    После перевода пришлите сюда фото чека, его файл или номер операции в банке.
card-send-receipt = 📤 Отправить чек
receipt-prompt = 📤 Пришлите, пожалуйста, фото чека, его файл или номер операции в банке.
receipt-wrong-kind = ⚠️ Чек — это фото, изображение или PDF-файл либо текст. Пришлите, пожалуйста, фото чека или номер операции в банке.
receipt-wrong-document = ⚠️ Этот файл не может быть чеком: принимаются только фото, файлы изображений и PDF. Пришлите, пожалуйста, фото чека, его PDF или номер операции в банке.
receipt-too-long = ⚠️ Этот текст слишком длинный для чека. Пришлите, пожалуйста, только номер операции в банке или фото чека.
receipt-not-expected = ℹ️ Этот платёж больше не ждёт чека (чек уже отправлен или время вышло).
# $code: the tracking code.
receipt-received =
    ✅ Чек получен. Мы сообщим результат, когда администратор его проверит.
    Код платежа: { $code }

## Messages to the customer after review (queued by the sales service)

# $code: the tracking code; $amount: the amount paid.
card-approved =
    ✅ Ваш платёж на { $amount } подтверждён.
    Код платежа: { $code }
    Подписка готовится; ссылка скоро придёт.
# $balance: the balance after the top-up.
card-approved-top-up =
    ✅ Ваш платёж на { $amount } подтверждён и зачислен на баланс.
    Код платежа: { $code }
    Баланс сейчас: { $balance }
# The order's discount code went to another order meanwhile: the payment went to the balance.
card-credited-instead =
    ✅ Ваш платёж на { $amount } подтверждён, но промокод, со скидкой по которому был оформлен этот заказ, тем временем ушёл на другой ваш заказ, поэтому сумма зачислена на баланс.
    Код платежа: { $code }
    Баланс сейчас: { $balance }
card-rejected =
    ❌ Ваш платёж не подтверждён.
    Код платежа: { $code }
    Если вы считаете, что это ошибка, напишите в поддержку.
# $reason: the admin's reason.
card-rejected-reason =
    ❌ Ваш платёж не подтверждён.
    Код платежа: { $code }
    Причина: { $reason }
card-expired =
    ⌛️ Время на оплату истекло, чек не пришёл; заказ отменён.
    Код платежа: { $code }
    Если вы всё же перевели деньги, напишите в поддержку.
card-expired-unreviewed =
    ⌛️ Ваш чек не проверили вовремя, и заказ отменён.
    Код платежа: { $code }
    Пожалуйста, напишите в поддержку, чтобы разобраться.

## To the tenant's admins

# $count: how many internal squads the panel has (0, or 2 and more).
admin-no-squad =
    ⚠️ Продажи приостановлены: новая подписка не получит ни одного сервера, потому что { $count ->
        [0] на панели нет ни одного внутреннего сквада.
       *[other] на панели несколько внутренних сквадов ({ $count }), и ни один не выбран для этого магазина.
    }
    Укажите в настройке магазина panel_squads (или в REMNAWAVE_SQUADS платформы) сквады для его клиентов либо оставьте на панели ровно один внутренний сквад. До тех пор клиентам будет отказано.

# $available and $needed: amounts.
admin-wallet-short =
    ⚠️ На кошельке магазина недостаточно средств, продажи приостановлены.
    Доступно: { $available }
    Нужно для этой продажи: { $needed }
    Пожалуйста, пополните кошелёк.

admin-approve = ✅ Подтвердить
admin-reject = ❌ Отклонить
admin-details = ℹ️ Подробности

# $plan: the plan's name; $days: its period.
admin-purpose-purchase = покупка тарифа { $plan } ({ $days } дн.)
admin-purpose-renewal = продление тарифом { $plan } ({ $days } дн.)
admin-purpose-top-up = пополнение баланса

# $code, $amount; $purpose: admin-purpose-*; $customer: name, @username and Telegram id.
admin-receipt =
    🧾 Новый чек перевода с карты на карту
    Код платежа: { $code }
    Сумма: { $amount }
    За что: { $purpose }
    Клиент: { $customer }
# $note: the receipt's text or caption.
admin-receipt-note =
    Текст чека:
    { $note }
# $code: the other payment's tracking code; $status: payment-status-*; $customer: its
# customer's name, @username and Telegram id.
admin-receipt-reused = ⚠️ Этот же чек уже присылали для платежа { $code } ({ $status }), клиент: { $customer }. Проверьте перед подтверждением.

# $admin: the reviewer's Telegram id; $at: a date.
admin-outcome-approved = ✅ Подтвердил { $admin }, { $at }
admin-outcome-rejected = ❌ Отклонил { $admin }, { $at }
# $reason: the reason given.
admin-outcome-rejected-reason =
    ❌ Отклонил { $admin }, { $at }
    Причина: { $reason }
admin-outcome-expired = ⌛️ Не проверен вовремя: платёж истёк.

admin-approved = ✅ Платёж подтверждён.
admin-already-approved = ℹ️ Этот платёж уже подтверждён.
admin-already-rejected = ℹ️ Этот платёж уже отклонён.
admin-already-expired = ℹ️ Срок этого платежа истёк.
admin-try-again = ⚠️ Платёж изменился в это же время; попробуйте ещё раз.
admin-only = ⛔️ Проверять платежи могут только администраторы этого магазина.
admin-payment-unknown = ⚠️ В этом магазине нет такого платежа.
# $code: the tracking code.
admin-reject-prompt =
    ✍️ Ответьте на это сообщение причиной отклонения платежа { $code }.
    Чтобы отклонить без причины, нажмите кнопку ниже.
admin-reject-skip = ⏭ Отклонить без причины
admin-rejected = ❌ Платёж { $code } отклонён; клиенту сообщат.
admin-reject-text-only = ✍️ Напишите причину текстом или нажмите «Отклонить без причины».
admin-reject-too-long = ⚠️ Причина может быть не длиннее 1000 символов. Сократите её, пожалуйста.

payment-status-waiting = ждёт чека
payment-status-review = ждёт проверки
payment-status-approved = подтверждён
payment-status-rejected = отклонён
payment-status-expired = истёк

# $status: payment-status-*; $card: the masked card number; $created, $deadline, $since
# and $subscription: dates (or "-"); $balance: an amount.
admin-payment-details =
    ℹ️ Подробности платежа
    Код платежа: { $code }
    Сумма: { $amount }
    Статус: { $status }
    За что: { $purpose }
    Карта получателя: { $card }
    Создан: { $created }
    Срок: { $deadline }
    Клиент: { $customer }
    Баланс клиента: { $balance }
    Клиент с: { $since }
    Текущая подписка до: { $subscription }
