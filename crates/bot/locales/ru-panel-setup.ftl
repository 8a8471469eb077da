# Разделы настройки панели администратора (тарифы, карты, промокоды и группы, настройки), по-русски.
#
# Every message here must also be in fa-panel-setup.ftl and en-panel-setup.ftl, with the same
# variables.

## Answers to the panel's questions

panel-saved = ✅ Сохранено.
panel-input-not-number = ❌ Отправьте целое число, например 30.
panel-input-range = ❌ Число должно быть от { $min } до { $max }.
panel-input-too-long = ❌ Слишком длинно: не больше { $max } символов.
panel-input-empty = ❌ Отправьте текст.
panel-input-refused = ❌ Не принято: { $reason }
panel-refused-range = ❌ Не принято: значение должно быть от { $min } до { $max }.
panel-refused-code-shape = ❌ Не принято: от { $min } до { $max } символов: латинские буквы A-Z, цифры 0-9, _ и -.
panel-refused-order = ❌ Не принято: конец должен быть позже начала.
panel-refused-repeated = ❌ Не принято: каждый элемент может встречаться только один раз.
panel-refused-gone = ❌ Не найдено: это уже удалено.
panel-refused-taken = ❌ Не принято: это имя или код уже заняты. Отправьте другое.
panel-refused-retry = ❌ Что-то изменилось одновременно. Попробуйте ещё раз.
panel-refused-state = ❌ Невозможно в текущем состоянии.
panel-refused-characters = ❌ Не принято: переносы строк и управляющие символы здесь запрещены.
panel-refused-balance = ❌ Недостаточно средств: доступно { $balance }, нужно { $amount }.
panel-refused-wallet = ❌ Кошелька магазина не хватает: доступно { $balance }, нужно { $amount }.
panel-refused-master = ❌ Главного бота нельзя отключить или удалить.
panel-refused-no-card = ❌ Нет активной карты для этого платежа.
panel-refused-invalid = ❌ Не принято: значение вне допустимых пределов.

## Plans

panel-area-plans = 📦 Тарифы
panel-plans-title = 📦 Тарифы в том порядке, в каком их видят клиенты
panel-plans-empty = Тарифов пока нет.
panel-plan-unlimited = без ограничений
panel-plan-gb = { $gb } ГБ
panel-plan-active = ✅ в продаже
panel-plan-hidden = ⛔ скрыт
panel-plan-row =
    { $place }. { $name } · { $days } дн. · { $traffic } · устройств: { $devices } · { $price }
        { $state } · продаж: { $count }
panel-plan-page =
    📦 Тариф: { $name }
    Срок: { $days } дн.
    Трафик: { $traffic }
    Устройств: { $devices }
    Цена: { $price }
    Статус: { $state } · продаж: { $count }
panel-plan-new = ➕ Новый тариф
panel-plan-new-step = ➕ Новый тариф · шаг { $page } из { $pages }
panel-plan-editing = ✏️ Изменение: { $name }
panel-plan-edit-name = ✏️ Название
panel-plan-edit-days = ✏️ Срок
panel-plan-edit-traffic = ✏️ Трафик
panel-plan-edit-devices = ✏️ Устройства
panel-plan-edit-price = ✏️ Цена
panel-plan-edit-description = ✏️ Описание
panel-plan-ask-name = Отправьте название тарифа (не больше { $max } символов).
panel-plan-ask-days = Отправьте срок тарифа в днях (от { $min } до { $max }).
panel-plan-ask-traffic = Отправьте трафик в ГБ (от { $min } до { $max }; 0 — без ограничений).
panel-plan-ask-devices = Отправьте число устройств (от { $min } до { $max }).
panel-plan-ask-price = Отправьте цену в томанах (от { $min } до { $max }).
panel-plan-ask-description = Отправьте описание (не больше { $max } символов) или - без описания.
panel-plan-activate = ▶️ В продажу
panel-plan-deactivate = ⏸ Скрыть от клиентов
panel-plan-up = ⬆️ Выше
panel-plan-down = ⬇️ Ниже
panel-plan-delete = 🗑 Удалить
panel-plan-created = ✅ Тариф { $name } создан.
panel-plan-deleted = 🗑 Тариф { $name } удалён.
panel-plan-delete-ask = Удалить тариф { $name }? Это нельзя отменить.
panel-plan-gone = Этого тарифа больше нет.
panel-plan-hidden-instead =
    ⚠️ { $name } не удалён: на него ссылаются подписки ({ $subscriptions }) и заказы ({ $orders }).
    Вместо этого он скрыт от клиентов.

## Cards

panel-area-cards = 💳 Карты
panel-cards-title = 💳 Карты для оплаты
panel-cards-empty = Карт пока нет.
panel-card-strategy-now = Ротация: { $kind }
panel-card-active = ✅ в ротации
panel-card-inactive = ⛔ вне ротации
panel-card-row =
    { $place }. { $card } · { $holder }
        { $state } · сегодня: { $count } · { $amount } · успешно { $rate }
panel-card-page =
    💳 Карта { $card }
    Владелец: { $holder }
    Банк: { $bank }
    Статус: { $state }
    Вес: { $weight }
    Сегодня: платежей { $count } · { $amount }
    Дневные лимиты: платежей { $max } · { $limit }
    Успешность: { $rate } (одобрено { $paid }, отклонено { $failed })
panel-card-rate = { $percent }%
panel-card-no-rate = платежей ещё не было
panel-card-no-cap = без лимита
panel-card-new = ➕ Добавить карту
panel-card-rotation = 🔁 Ротация
panel-card-rotation-title =
    🔁 Как выбирается карта для следующего клиента
    (используются только активные карты в пределах дневных лимитов)
panel-card-strategy-round-robin = По очереди
panel-card-strategy-random = Случайно
panel-card-strategy-time-based = Сначала самая свободная
panel-card-strategy-weighted = По весу и успешности
panel-card-new-step = ➕ Новая карта · шаг { $page } из { $pages }
panel-card-ask-number = Отправьте 16-значный номер карты.
panel-card-ask-holder = Отправьте имя владельца карты (не больше { $max } символов).
panel-card-ask-bank = Отправьте название банка (не больше { $max } символов) или - без банка.
panel-card-ask-weight = Отправьте вес карты при ротации по весу (от { $min } до { $max }).
panel-card-ask-count-cap = Отправьте наибольшее число платежей в день (от { $min } до { $max }) или 0 без лимита.
panel-card-ask-amount-cap = Отправьте наибольшую сумму в день в томанах (от { $min } до { $max }) или 0 без лимита.
panel-card-bad-number = ❌ Это неверный номер карты: нужно 16 цифр с правильной контрольной суммой. Проверьте опечатки.
panel-card-editing = ✏️ Изменение карты { $card }
panel-card-created = ✅ Карта { $card } добавлена.
panel-card-edit-holder = ✏️ Владелец
panel-card-edit-bank = ✏️ Банк
panel-card-edit-weight = ⚖️ Вес
panel-card-edit-count-cap = 🔢 Лимит платежей в день
panel-card-edit-amount-cap = 💰 Лимит суммы в день
panel-card-activate = ▶️ Включить в ротацию
panel-card-deactivate = ⏸ Исключить из ротации
panel-card-gone = Этой карты больше нет.

## Settings

panel-area-settings = ⚙️ Настройки
panel-set-values =
    ⚙️ Настройки
    👋 Приветствие: { $text }
    🌐 Языки: { $language }
    🆘 Поддержка: { $contact }
    👮 Администраторы: { $admin }
    💬 Чат администраторов: { $chat }
    🎁 Пробный период: дней { $days } · { $gb } ГБ (0 — без ограничений) · устройств { $devices }
    ⏱ Время на оплату картой: { $minutes } мин.
    🧾 Время на проверку чека: { $hours } ч.
    🤝 Реферальное вознаграждение: { $percent }%
panel-set-unset = (не задано)
panel-set-welcome = 👋 Приветствие
panel-set-languages = 🌐 Языки
panel-set-support = 🆘 Поддержка
panel-set-admins = 👮 Администраторы
panel-set-admin-chat = 💬 Чат администраторов
panel-set-trial = 🎁 Пробный период
panel-set-card-minutes = ⏱ Время на оплату
panel-set-review-hours = 🧾 Время на проверку
panel-set-referral = 🤝 Реферальная награда
panel-set-ask-welcome = Отправьте новый текст приветствия для /start (не больше { $max } символов).
panel-set-ask-languages = Отправьте коды языков для клиентов, первым — язык по умолчанию, например: fa en ru
panel-set-ask-support = Отправьте контакт поддержки: @username или ссылку (не больше { $max } символов).
panel-set-ask-admins = Отправьте Telegram id администраторов магазина через пробел. Ваш собственный id должен остаться в списке.
panel-set-ask-admin-chat = Отправьте id чата, куда приходят чеки и обращения (id группы начинается с -100).
panel-set-ask-trial = Отправьте пробный период тремя числами: дни, ГБ (0 — без ограничений) и устройства, например: 1 1 1
panel-set-ask-card-minutes = Отправьте, сколько минут у клиента есть на оплату картой и отправку чека.
panel-set-ask-review-hours = Отправьте, сколько часов у администраторов есть на проверку чека.
panel-set-ask-referral = Отправьте процент от платежей приглашённого клиента, начисляемый пригласившему (от 0 до 100).
panel-set-clear-hint = Или отправьте -, чтобы удалить значение и вернуть значение по умолчанию.
panel-set-admins-self = ваш собственный id должен остаться в списке администраторов.
panel-set-unknown-language = `{ $code }` — не язык этого бота: используйте fa, en или ru.
panel-set-trial-shape = отправьте три целых числа через пробел: дни, ГБ и устройства.
panel-set-features = 🧩 Функции для клиентов
panel-set-features-title = 🧩 Функции для клиентов: нажмите, чтобы включить или выключить.
panel-feature-card-to-card = Перевод с карты на карту
panel-feature-zarinpal = Zarinpal
panel-feature-stars = Telegram Stars
panel-feature-trial = Пробный период
panel-feature-referral = Рефералы
panel-feature-promo-codes = Промокоды
panel-feature-support = Обращения в поддержку
panel-feature-auto-renewal = Автопродление

## Promo codes and groups

panel-area-promos = 🎟 Акции
panel-promos-title =
    🎟 Акции
    Промокодов: { $count } · промогрупп: { $groups }
panel-promo-codes = 🎟 Промокоды
panel-promo-groups = 👥 Промогруппы
panel-promo-codes-title = 🎟 Промокоды, сначала новые
panel-promo-codes-empty = Промокодов пока нет.
panel-promo-gives-balance = { $amount } на баланс
panel-promo-gives-days = дополнительные дни: { $days }
panel-promo-gives-discount = скидка { $percent }% на следующий заказ
panel-promo-uses = { $count } / { $max }
panel-promo-uses-unlimited = { $count } / без ограничений
panel-promo-active = ✅ активен
panel-promo-inactive = ⛔ отключён
panel-promo-code-row =
    { $place }. { $code } · { $kind }
        использован { $uses } · { $state }
panel-promo-code-page =
    🎟 Код { $code }
    Даёт: { $kind }
    Использован: { $uses }
    Действует с: { $since }
    Действует до: { $until }
    Статус: { $state }
panel-promo-new-code = ➕ Новый код
panel-promo-choose-kind = ➕ Новый промокод: что он даёт?
panel-promo-kind-balance = 💰 Баланс
panel-promo-kind-days = 📅 Дополнительные дни
panel-promo-kind-discount = 🏷 Скидка в процентах
panel-promo-new-step = ➕ Новый промокод · шаг { $page } из { $pages }
panel-promo-ask-code = Отправьте код: от 3 до 64 символов A-Z, цифры, _ или -.
panel-promo-ask-balance = Отправьте сумму на баланс в томанах (от { $min } до { $max }).
panel-promo-ask-days = Отправьте, сколько дней он добавляет (от { $min } до { $max }).
panel-promo-ask-percent = Отправьте размер скидки в процентах (от { $min } до { $max }).
panel-promo-ask-uses = Отправьте, сколько раз его можно использовать всего (от { $min } до { $max }; 0 — без ограничений).
panel-promo-ask-from = Отправьте первый день действия в виде 2026-03-21 (или по солнечной хиджре: 1405-01-01) или - чтобы действовал сразу.
panel-promo-ask-until = Отправьте день окончания действия в виде 2026-04-21 (или 1405-02-01) или - если бессрочно.
panel-promo-bad-date = ❌ Это не дата: отправьте её как год-месяц-день, например 2026-03-21 или 1405-01-01, или -.
panel-promo-created = ✅ Промокод { $code } создан.
panel-promo-activate = ▶️ Включить
panel-promo-deactivate = ⏸ Отключить
panel-promo-gone = Этого промокода больше нет.
panel-promo-groups-title = 👥 Промогруппы: их клиенты получают скидку на каждый заказ
panel-promo-groups-empty = Промогрупп пока нет.
panel-promo-group-row = { $place }. { $name } · скидка { $percent }%
panel-promo-new-group = ➕ Новая промогруппа
panel-promo-ask-group-name = Отправьте название группы (не больше { $max } символов).
panel-promo-ask-group-percent = Отправьте скидку группы в процентах (от 0 до 100).
panel-promo-group-created = ✅ Промогруппа { $name } создана. Клиентов добавляют в неё на их странице.
