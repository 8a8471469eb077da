# Панель администратора арендатора (/admin), по-русски.
#
# Every message here must also be in fa-admin.ftl and en-admin.ftl, with the same variables.

## Opening and moving around

menu-admin = 🛠 Админ-панель

panel-home-title =
    🛠 Админ-панель · { $name }
    Выберите раздел:
panel-back = ↩️ Назад
panel-home = 🏠 Главная
panel-previous = ◀️ Назад
panel-next = Вперёд ▶️
panel-page-button = { $page } / { $pages }
panel-page = Страница { $page } из { $pages } · всего { $count }
panel-confirm = ✅ Подтвердить
panel-cancel = ✖️ Отмена
panel-done = ✅ Готово
panel-refresh = 🔄 Обновить

## Areas (buttons of the Home screen)

panel-area-dashboard = 📊 Сводка

## Sale methods

panel-method-card = Перевод на карту
panel-method-zarinpal = Zarinpal
panel-method-stars = Telegram Stars
panel-method-balance = Баланс
panel-method-free = Бесплатно

## Dashboard

panel-dash-title = 📊 Сводка
panel-dash-today = 📅 Сегодня
panel-dash-week = 📅 За 7 дней
panel-dash-month = 📅 За 30 дней
panel-dash-sales = Продажи: { $count } · { $amount }
panel-dash-method = • { $method }: { $count } · { $amount }
panel-dash-new-customers = Новые клиенты: { $count }
panel-dash-trials = Пробные: { $count } · оплатили после: { $paid } ({ $percent }%)
panel-dash-no-trials = Пробные: нет
panel-dash-subscriptions =
    📱 Подписки
    Активные: { $active } · заканчиваются в течение 3 дней: { $expiring }
    Истёкшие: { $expired } · отключённые: { $disabled }
panel-dash-waiting = 🧾 Чеков на проверке: { $receipts } · 💬 открытых обращений: { $tickets }
panel-dash-wallet = 💼 Кошелёк: { $amount } · кредитный лимит: { $limit }
panel-dash-covers =
    Хватит примерно на { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[many] { $days } дней
    } продаж при темпе последних 7 дней.
panel-dash-covers-unknown = За последние 7 дней оптовых списаний не было.
