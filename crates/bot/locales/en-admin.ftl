# The tenant's admin panel (/admin), in English.
#
# Every message here must also be in fa-admin.ftl and ru-admin.ftl, with the same variables.

## Opening and moving around

menu-admin = 🛠 Admin panel

# $name: the bot's name as the operator set it.
panel-home-title =
    🛠 Admin panel · { $name }
    Choose an area:
panel-back = ↩️ Back
panel-home = 🏠 Home
panel-previous = ◀️ Previous
panel-next = Next ▶️
# $page and $pages: numbers.
panel-page-button = { $page } / { $pages }
# $page, $pages: the page shown and how many; $count: how many rows in total.
panel-page = Page { $page } of { $pages } · { $count } in total
panel-confirm = ✅ Confirm
panel-cancel = ✖️ Cancel
panel-done = ✅ Done
panel-refresh = 🔄 Refresh

## Areas (buttons of the Home screen)

panel-area-dashboard = 📊 Dashboard

## Sale methods

panel-method-card = Card to card
panel-method-zarinpal = Zarinpal
panel-method-stars = Telegram Stars
panel-method-balance = Balance
panel-method-free = Free

## Dashboard

panel-dash-title = 📊 Dashboard
panel-dash-today = 📅 Today
panel-dash-week = 📅 Last 7 days
panel-dash-month = 📅 Last 30 days
# $count: number of sales; $amount: their total, already formatted.
panel-dash-sales = Sales: { $count } · { $amount }
# $method: panel-method-*; $count and $amount as above.
panel-dash-method = • { $method }: { $count } · { $amount }
# $count: a number.
panel-dash-new-customers = New customers: { $count }
# $count: trials taken; $paid: of them, who paid since; $percent: the share.
panel-dash-trials = Trials: { $count } · paid since: { $paid } ({ $percent }%)
panel-dash-no-trials = Trials: none
# Subscriptions now.
panel-dash-subscriptions =
    📱 Subscriptions
    Active: { $active } · ending within 3 days: { $expiring }
    Expired: { $expired } · disabled: { $disabled }
# $receipts: card receipts waiting for review; $tickets: tickets waiting for an answer.
panel-dash-waiting = 🧾 Receipts to review: { $receipts } · 💬 open tickets: { $tickets }
# $amount: the wallet's balance; $limit: how far it may go below zero.
panel-dash-wallet = 💼 Wallet: { $amount } · credit limit: { $limit }
# $days: a number.
panel-dash-covers =
    It covers about { $days ->
        [one] { $days } day
       *[other] { $days } days
    } of sales at the last 7 days' rate.
panel-dash-covers-unknown = No wholesale charges in the last 7 days.
