# Разделы «Клиенты», «Платежи», «Тикеты» и «Журнал изменений» панели администратора, по-русски.
#
# Every message here must also be in fa-admin-customers.ftl and en-admin-customers.ftl,
# with the same variables.

## Shared by the areas

panel-area-customers = 👥 Клиенты
panel-area-payments = 💳 Платежи
panel-area-tickets = 💬 Тикеты
panel-area-audit = 📜 Журнал изменений
panel-not-found = Не найдено: возможно, удалено или относится не к этому боту.
panel-already-done = ✅ Уже выполнено: это подтверждение было применено ранее.
panel-confirmation-used = Это подтверждение уже использовано или заменено; повторно ничего не сделано.
panel-press-confirm = Нажмите «Подтвердить» или «Отмена».
panel-none = нет

## Subscription statuses

panel-sub-active = активна
panel-sub-trial = пробная
panel-sub-expired = истекла
panel-sub-limited = трафик исчерпан
panel-sub-disabled = отключена

## Customers

panel-cu-search-ask =
    👥 Клиенты
    Отправьте Telegram id, @username, имя или часть ссылки подписки.
panel-cu-term-bad = ⚠️ Для поиска отправьте от 1 до { $max } символов.
panel-cu-results = 🔎 Результаты поиска: { $term }
panel-cu-none-found = Никто не найден. Отправьте другой запрос.
panel-cu-title = 👤 { $customer }
panel-cu-summary = Клиент #{ NUMBER($id, useGrouping: "false") } · с { $since } · баланс { $balance }
panel-cu-is-blocked = ⛔️ Заблокирован
panel-cu-group = Промо-группа: { $group }
panel-cu-subscription =
    📱 Подписка: { $status } · до { $expires }
    Трафик: { $traffic } · устройств: { $devices }
panel-cu-traffic = { $used } из { $limit } ГБ
panel-cu-traffic-unlimited = { $used } ГБ из безлимита
panel-cu-no-subscription = 📱 Подписки нет.
panel-cu-referral = 🤝 Пригласил: { $referrer } · приглашено: { $invited }
panel-cu-payments = 💳 Платежи: { $count }
panel-cu-tickets = 💬 Тикеты: { $count }
panel-cu-block = ⛔️ Заблокировать
panel-cu-unblock = ✅ Разблокировать
panel-cu-message = ✉️ Сообщение
panel-cu-credit = ➕ Пополнить баланс
panel-cu-debit = ➖ Списать с баланса
panel-cu-grant = 🎁 Выдать тариф
panel-cu-group-button = 🏷 Промо-группа
panel-cu-extend = 📅 Продлить
panel-cu-reset = 🔄 Сбросить трафик
panel-cu-traffic-button = 📶 Лимит трафика
panel-cu-devices-button = 📱 Лимит устройств
panel-cu-enable = ▶️ Включить подписку
panel-cu-disable = ⏸ Отключить подписку
panel-cu-block-ask = Заблокировать { $customer }? Клиент больше не сможет пользоваться ботом.
panel-cu-unblock-ask = Разблокировать { $customer }?
panel-cu-blocked = ⛔️ Клиент заблокирован.
panel-cu-unblocked = ✅ Клиент разблокирован.
panel-cu-credit-ask =
    ➕ Сколько томанов зачислить клиенту { $customer }?
    Баланс сейчас: { $balance }
panel-cu-debit-ask =
    ➖ Сколько томанов списать у клиента { $customer }?
    Баланс сейчас: { $balance }
panel-cu-reason-ask = Причина для { $amount }? Отправьте её (она сохранится в журнале баланса).
panel-cu-credit-confirm =
    Зачислить { $amount } клиенту { $customer }?
    Причина: { $reason }
panel-cu-debit-confirm =
    Списать { $amount } у клиента { $customer }?
    Причина: { $reason }
panel-cu-balance-posted = ✅ Готово. Баланс теперь: { $balance }
panel-cu-balance-short = ⚠️ Не выполнено: баланс не может опуститься так низко.
panel-cu-grant-choose = 🎁 Какой тариф выдать клиенту { $customer }?
panel-cu-no-plans = Активных тарифов нет.
panel-cu-plan-button = { $plan } · { $days } дн.
panel-cu-grant-ask = Выдать { $plan } ({ $days } дн.) клиенту { $customer } без оплаты?
panel-cu-granted = ✅ Выдано: подписка настраивается.
panel-cu-days-ask = 📅 На сколько дней продлить подписку клиента { $customer }?
panel-cu-traffic-ask = 📶 Новый лимит трафика для { $customer }, в ГБ (0 — безлимит)?
panel-cu-devices-ask = 📱 Новый лимит устройств для { $customer }?
panel-cu-extend-confirm = Продлить подписку клиента { $customer } на { $n } дн.?
panel-cu-traffic-confirm = Установить лимит трафика клиента { $customer } в { $n } ГБ (0 — безлимит)?
panel-cu-devices-confirm = Установить лимит устройств клиента { $customer } равным { $n }?
panel-cu-extended = ✅ Продлено.
panel-cu-limits-set = ✅ Лимит изменён.
panel-cu-reset-ask = Обнулить использованный трафик клиента { $customer }?
panel-cu-traffic-reset = ✅ Трафик сброшен.
panel-cu-disable-ask = Отключить подписку клиента { $customer }? Она не будет работать, пока её не включат.
panel-cu-enable-ask = Снова включить подписку клиента { $customer }?
panel-cu-disabled = ⏸ Подписка отключена.
panel-cu-enabled = ▶️ Подписка включена.
panel-cu-group-choose = 🏷 Какая промо-группа для { $customer }?
panel-cu-group-option = { $group } · { $percent }%
panel-cu-group-none = Без промо-группы
panel-cu-group-set = ✅ Промо-группа изменена.
panel-cu-message-ask = ✉️ Отправьте сообщение для { $customer }.
panel-cu-message-queued = ✅ Сообщение отправляется.

## Payments

panel-py-receipts = 🧾 Чеки на проверке (сначала старые)
panel-py-no-receipts = Чеков на проверке нет.
panel-py-receipt-button = { $code } · { $amount }
panel-py-recent-button = 💳 Последние платежи
panel-py-recent = 💳 Последние платежи
panel-py-no-payments = Платежей пока нет.
panel-py-completed = ✅ завершён
panel-py-pending = ⏳ ожидает
panel-py-line = • { $when } · { $kind } · { $amount } · { $method } · { $status }

## Tickets

panel-tk-title = 💬 Тикеты, ждущие ответа (сначала новые)
panel-tk-none = Нет тикетов, ждущих ответа.
panel-tk-line = #{ NUMBER($ticket, useGrouping: "false") } · { $status } · { $title }
panel-tk-open = ждёт ответа
panel-tk-answered-status = отвечен
panel-tk-closed-status = закрыт
panel-tk-customer = 👤 { $customer }
panel-tk-from-customer = 👤 Клиент:
panel-tk-earlier = … ещё { $count } ранних сообщений
panel-tk-answered = ✅ Ответ на тикет #{ NUMBER($ticket, useGrouping: "false") } отправлен.
panel-tk-close-ask = Закрыть тикет #{ NUMBER($ticket, useGrouping: "false") }?
panel-tk-closed = ✅ Тикет #{ NUMBER($ticket, useGrouping: "false") } закрыт.

## Audit log

panel-au-title = 📜 Журнал изменений (сначала новые)
panel-au-none = Пока ничего не записано.
panel-au-admin = админ { NUMBER($id, useGrouping: "false") }
panel-au-operator = оператор
panel-au-api = API
panel-au-line = { $when } · { $who } · { $action } · { $target }
panel-au-entry =
    📜 Запись #{ NUMBER($id, useGrouping: "false") }
    { $line }
    До:
    { $before }
    После:
    { $after }
