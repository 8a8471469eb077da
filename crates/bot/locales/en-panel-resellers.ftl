# The operator's Resellers area of the master bot's panel, in English.
#
# Every message here must also be in fa-panel-resellers.ftl and ru-panel-resellers.ftl, with
# the same variables.

panel-area-resellers = 🏪 Resellers
panel-rs-title = 🏪 Resellers (figures of the last 30 days)
panel-rs-empty = No resellers yet.
# $search: what the operator searched for.
panel-rs-searching = 🔎 Matching “{ $search }”
# $place; $name; $username: @name or -; $health: a panel-rs-health-* text; $balance, $limit,
# $wholesale: formatted amounts; $customers, $sales: numbers.
panel-rs-row =
    { $place }. { $name } { $username } · { $health }
    wallet { $balance } (credit { $limit }) · { $customers } customers · { $sales } sales · wholesale { $wholesale }
panel-rs-health-running = 🟢 running
panel-rs-health-paused = ⏸ paused
panel-rs-health-starting = ⏳ starting
# $reason: Telegram's answer (English).
panel-rs-health-failing = 🔴 token rejected: { $reason }
panel-rs-active = active
panel-rs-inactive = deactivated
# As panel-rs-row, and $state: panel-rs-active or -inactive; $revenue: a formatted amount;
# $admins: Telegram ids.
panel-rs-page =
    🏪 { $name } { $username }
    Health: { $health }
    State: { $state }
    Wallet: { $balance } (credit limit { $limit })
    Customers: { $customers }
    Admins: { $admins }
    Last 30 days: { $sales } sales, { $revenue }; wholesale charged { $wholesale }
panel-rs-add = ➕ Add a reseller
panel-rs-find = 🔎 Search
panel-rs-find-ask = Send a name or @username to search for.
panel-rs-open = 🏪 Open its page
panel-rs-gone = This reseller no longer exists.
panel-rs-add-ask =
    Send the reseller's bot token from @BotFather, and after it (on the same message) a name for the shop.
    Example: 123456789:AAH... Ali's VPN
    The message is deleted right after it is read.
panel-rs-token-shape = ❌ That is not a bot token. It looks like 123456789:AAH... (digits, a colon, then 35 letters).
panel-rs-token-taken = ❌ Another bot already uses this token. Nothing was created.
panel-rs-token-refused = ❌ Telegram refused this token (revoked or mistyped). Nothing was created.
panel-rs-telegram-down = ❌ Telegram could not be reached. Nothing was created; please try again.
# $name; $username: @name or -; $token: the reseller's API token.
panel-rs-created =
    ✅ { $name } { $username } was added and starts within seconds.
    Its API token, shown only now: { $token }
panel-rs-activate = ▶️ Activate
panel-rs-deactivate = ⏸ Deactivate
panel-rs-activated = ✅ Activated: the bot runs again and its API token works.
panel-rs-deactivated = ⏸ Deactivated: the bot only says it is unavailable, and its API token stops working.
panel-rs-rotate = 🔑 New API token
# $name.
panel-rs-rotate-ask = Give { $name } a new API token? The current one stops working at once.
# $name; $token: the new API token.
panel-rs-rotated = 🔑 { $name }'s new API token, shown only now: { $token }
panel-rs-limit = 💳 Credit limit
# $name; $limit: a formatted amount; $min and $max: numbers.
panel-rs-limit-ask = How far below zero may { $name }'s wallet go, in Toman (now { $limit }; from { $min } to { $max })?
panel-rs-delete = 🗑 Delete
# $name; $customers: a number; $balance: a formatted amount.
panel-rs-delete-ask =
    Delete { $name }? This stops its bot and removes all of its data: { $customers } customers with their subscriptions and payments, its plans, cards, promo codes, tickets, settings and wallet ({ $balance }). It cannot be undone.
panel-rs-delete-continue = Continue
# $name.
panel-rs-delete-again = ⚠️ Last confirmation: delete { $name } and everything it holds?
panel-rs-delete-unconfirmed = Nothing was deleted: confirm twice from this page.
# $name.
panel-rs-deleted = 🗑 { $name } was deleted.
panel-rs-credit = ➕ Credit wallet
panel-rs-debit = ➖ Debit wallet
panel-rs-token = 🤖 Replace bot token
panel-rs-admins = 👤 Admins
# $name; $balance: a formatted amount; $min and $max: numbers.
panel-rs-credit-ask = How many Toman to credit to { $name }'s wallet (now { $balance }; from { $min } to { $max })?
# $name; $balance: a formatted amount; $min and $max: numbers.
panel-rs-debit-ask = How many Toman to debit from { $name }'s wallet (now { $balance }; from { $min } to { $max })?
# $amount: a formatted amount.
panel-rs-wallet-reason-ask = Why { $amount }? Send the reason (it is kept in the wallet's history).
# $name; $amount: a formatted amount; $reason.
panel-rs-credit-confirm = Credit { $amount } to { $name }'s wallet? Reason: { $reason }
# $name; $amount: a formatted amount; $reason.
panel-rs-debit-confirm = Debit { $amount } from { $name }'s wallet? Reason: { $reason }
# $balance: a formatted amount.
panel-rs-wallet-posted = ✅ Posted. The wallet now holds { $balance }.
# $name.
panel-rs-token-ask = Send the new token of { $name }'s bot from @BotFather. The message is deleted right after it is read.
panel-rs-token-replaced = ✅ The bot token was replaced; the bot restarts with it within seconds.
# $name.
panel-rs-admins-ask = Send the Telegram ids of { $name }'s admins (its owner first), separated by spaces or commas.
panel-rs-figures = 📊 Platform figures
# $days: a number.
panel-rs-figures-title = 📊 All bots, the last { $days } days (UTC):
# $day: a date; $sales: a number; $revenue: a formatted amount.
panel-rs-figures-day = { $day }: { $sales } sales, { $revenue }
# $customers, $active: numbers.
panel-rs-figures-totals = Customers: { $customers } · active subscriptions: { $active }
# $days, $count: numbers.
panel-rs-figures-low = Resellers whose wallet covers less than { $days } days of sales: { $count }
# $name; $cover: whole days; $balance: a formatted amount.
panel-rs-figures-low-row = ⚠️ { $name }: { $cover } days left (wallet { $balance })
