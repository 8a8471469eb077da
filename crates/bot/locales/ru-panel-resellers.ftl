# Раздел «Реселлеры» в панели главного бота (только для оператора), по-русски.

panel-area-resellers = 🏪 Реселлеры
panel-rs-title = 🏪 Реселлеры (данные за 30 дней)
panel-rs-empty = Реселлеров пока нет.
panel-rs-searching = 🔎 Найдено по «{ $search }»
panel-rs-row =
    { $place }. { $name } { $username } · { $health }
    кошелёк { $balance } (кредит { $limit }) · клиентов: { $customers } · продаж: { $sales } · опт { $wholesale }
panel-rs-health-running = 🟢 работает
panel-rs-health-paused = ⏸ на паузе
panel-rs-health-starting = ⏳ запускается
panel-rs-health-failing = 🔴 токен отклонён: { $reason }
panel-rs-active = активен
panel-rs-inactive = отключён
panel-rs-page =
    🏪 { $name } { $username }
    Состояние бота: { $health }
    Статус: { $state }
    Кошелёк: { $balance } (кредитный лимит { $limit })
    Клиентов: { $customers }
    Админы: { $admins }
    За 30 дней: продаж { $sales } на { $revenue }; опт списан { $wholesale }
panel-rs-add = ➕ Добавить реселлера
panel-rs-find = 🔎 Поиск
panel-rs-find-ask = Отправьте имя или @username для поиска.
panel-rs-open = 🏪 Открыть страницу
panel-rs-gone = Этого реселлера больше нет.
panel-rs-add-ask =
    Отправьте токен бота реселлера от @BotFather, а после него (в том же сообщении) название магазина.
    Пример: 123456789:AAH... VPN Али
    Сообщение удаляется сразу после прочтения.
panel-rs-token-shape = ❌ Это не токен бота. Он выглядит так: 123456789:AAH... (цифры, двоеточие и 35 символов).
panel-rs-token-taken = ❌ Этот токен уже использует другой бот. Ничего не создано.
panel-rs-token-refused = ❌ Telegram отклонил этот токен (отозван или набран с ошибкой). Ничего не создано.
panel-rs-telegram-down = ❌ Не удалось связаться с Telegram. Ничего не создано; попробуйте ещё раз.
panel-rs-created =
    ✅ { $name } { $username } добавлен и запустится через несколько секунд.
    Его API-токен, показывается только сейчас: { $token }
panel-rs-activate = ▶️ Включить
panel-rs-deactivate = ⏸ Отключить
panel-rs-activated = ✅ Включён: бот снова работает, его API-токен действует.
panel-rs-deactivated = ⏸ Отключён: бот только сообщает, что недоступен, а его API-токен больше не действует.
panel-rs-rotate = 🔑 Новый API-токен
panel-rs-rotate-ask = Выдать { $name } новый API-токен? Текущий сразу перестанет действовать.
panel-rs-rotated = 🔑 Новый API-токен { $name }, показывается только сейчас: { $token }
panel-rs-limit = 💳 Кредитный лимит
panel-rs-limit-ask = На сколько томанов кошелёк { $name } может уйти в минус (сейчас { $limit }; от { $min } до { $max })?
panel-rs-delete = 🗑 Удалить
panel-rs-delete-ask =
    Удалить { $name }? Бот остановится, и все его данные будут удалены: клиентов { $customers } с их подписками и платежами, тарифы, карты, промокоды, тикеты, настройки и кошелёк ({ $balance }). Отменить нельзя.
panel-rs-delete-continue = Продолжить
panel-rs-delete-again = ⚠️ Последнее подтверждение: удалить { $name } со всем содержимым?
panel-rs-delete-unconfirmed = Ничего не удалено: подтвердите дважды на этой странице.
panel-rs-deleted = 🗑 { $name } удалён.
panel-rs-credit = ➕ Пополнить кошелёк
panel-rs-debit = ➖ Списать с кошелька
panel-rs-token = 🤖 Сменить токен бота
panel-rs-admins = 👤 Админы
panel-rs-credit-ask = Сколько томанов зачислить в кошелёк { $name } (сейчас { $balance }; от { $min } до { $max })?
panel-rs-debit-ask = Сколько томанов списать с кошелька { $name } (сейчас { $balance }; от { $min } до { $max })?
panel-rs-wallet-reason-ask = Почему { $amount }? Отправьте причину (она сохранится в истории кошелька).
panel-rs-credit-confirm = Зачислить { $amount } в кошелёк { $name }? Причина: { $reason }
panel-rs-debit-confirm = Списать { $amount } с кошелька { $name }? Причина: { $reason }
panel-rs-wallet-posted = ✅ Проведено. В кошельке теперь { $balance }.
panel-rs-token-ask = Отправьте новый токен бота { $name } от @BotFather. Сообщение удаляется сразу после прочтения.
panel-rs-token-replaced = ✅ Токен бота заменён; бот перезапустится с ним через несколько секунд.
panel-rs-admins-ask = Отправьте Telegram id админов { $name } (сначала владельца) через пробел или запятую.
panel-rs-figures = 📊 Показатели платформы
panel-rs-figures-title = 📊 Все боты, последние { $days } дн. (UTC):
panel-rs-figures-day = { $day }: продаж { $sales }, { $revenue }
panel-rs-figures-totals = Клиентов: { $customers } · активных подписок: { $active }
panel-rs-figures-low = Реселлеров, чьего кошелька хватит меньше чем на { $days } дн. продаж: { $count }
panel-rs-figures-low-row = ⚠️ { $name }: осталось дней: { $cover } (кошелёк { $balance })
