# The admin panel's Customers, Payments, Tickets and Audit log areas, in English.
#
# Every message here must also be in fa-admin-customers.ftl and ru-admin-customers.ftl,
# with the same variables.

## Shared by the areas

panel-area-customers = 👥 Customers
panel-area-payments = 💳 Payments
panel-area-tickets = 💬 Tickets
panel-area-audit = 📜 Audit log
panel-not-found = Not found: it may have been deleted, or it is not this bot's.
panel-already-done = ✅ Already done: this confirmation was applied before.
panel-confirmation-used = This confirmation was already used or replaced; nothing was done again.
panel-press-confirm = Press Confirm or Cancel.
panel-none = none

## Subscription statuses

panel-sub-active = active
panel-sub-trial = trial
panel-sub-expired = expired
panel-sub-limited = traffic used up
panel-sub-disabled = disabled

## Customers

panel-cu-search-ask =
    👥 Customers
    Send a Telegram id, an @username, a name, or a piece of a subscription link.
# $max: the longest term.
panel-cu-term-bad = ⚠️ Send 1 to { $max } characters to search for.
# $term: what was searched for.
panel-cu-results = 🔎 Results for: { $term }
panel-cu-none-found = No customer matches. Send another search.
# $customer: name, @username and Telegram id.
panel-cu-title = 👤 { $customer }
# $id: the customer's number; $since: when they joined; $balance: their balance.
panel-cu-summary = Customer #{ NUMBER($id, useGrouping: "false") } · joined { $since } · balance { $balance }
panel-cu-is-blocked = ⛔️ Blocked
# $group: a promo group's name or "none".
panel-cu-group = Promo group: { $group }
# $status, $expires, $traffic (already written), $devices.
panel-cu-subscription =
    📱 Subscription: { $status } · until { $expires }
    Traffic: { $traffic } · devices: { $devices }
# $used and $limit: GB.
panel-cu-traffic = { $used } of { $limit } GB
panel-cu-traffic-unlimited = { $used } GB of unlimited
panel-cu-no-subscription = 📱 No subscription.
# $referrer: who invited them, or "none"; $invited: how many they invited.
panel-cu-referral = 🤝 Invited by: { $referrer } · invited { $invited }
# $count: how many in total (the latest are listed).
panel-cu-payments = 💳 Payments: { $count }
panel-cu-tickets = 💬 Tickets: { $count }
panel-cu-block = ⛔️ Block
panel-cu-unblock = ✅ Unblock
panel-cu-message = ✉️ Message
panel-cu-credit = ➕ Credit balance
panel-cu-debit = ➖ Debit balance
panel-cu-grant = 🎁 Grant a plan
panel-cu-group-button = 🏷 Promo group
panel-cu-extend = 📅 Extend
panel-cu-reset = 🔄 Reset traffic
panel-cu-traffic-button = 📶 Traffic limit
panel-cu-devices-button = 📱 Device limit
panel-cu-enable = ▶️ Enable subscription
panel-cu-disable = ⏸ Disable subscription
panel-cu-block-ask = Block { $customer }? They will no longer be able to use the bot.
panel-cu-unblock-ask = Unblock { $customer }?
panel-cu-blocked = ⛔️ The customer is blocked.
panel-cu-unblocked = ✅ The customer is unblocked.
# $customer; $balance: their balance now.
panel-cu-credit-ask =
    ➕ How many Toman to credit to { $customer }?
    Balance now: { $balance }
panel-cu-debit-ask =
    ➖ How many Toman to debit from { $customer }?
    Balance now: { $balance }
# $amount: the amount typed.
panel-cu-reason-ask = Why { $amount }? Send the reason (kept in the ledger).
# $customer, $amount, $reason.
panel-cu-credit-confirm =
    Credit { $amount } to { $customer }?
    Reason: { $reason }
panel-cu-debit-confirm =
    Debit { $amount } from { $customer }?
    Reason: { $reason }
# $balance: the balance after.
panel-cu-balance-posted = ✅ Done. Balance now: { $balance }
panel-cu-balance-short = ⚠️ Not done: the balance cannot go that low.
panel-cu-grant-choose = 🎁 Which plan to grant { $customer }?
panel-cu-no-plans = There is no active plan.
# $plan: a plan's name; $days: its period.
panel-cu-plan-button = { $plan } · { $days } d
panel-cu-grant-ask = Grant { $plan } ({ $days } days) to { $customer } without payment?
panel-cu-granted = ✅ Granted: the subscription is being set up.
panel-cu-days-ask = 📅 Extend { $customer }'s subscription by how many days?
panel-cu-traffic-ask = 📶 New traffic limit for { $customer }, in GB (0 = unlimited)?
panel-cu-devices-ask = 📱 New device limit for { $customer }?
# $n: the number typed.
panel-cu-extend-confirm = Extend { $customer }'s subscription by { $n } days?
panel-cu-traffic-confirm = Set { $customer }'s traffic limit to { $n } GB (0 = unlimited)?
panel-cu-devices-confirm = Set { $customer }'s device limit to { $n }?
panel-cu-extended = ✅ Extended.
panel-cu-limits-set = ✅ Limit changed.
panel-cu-reset-ask = Reset { $customer }'s used traffic to zero?
panel-cu-traffic-reset = ✅ Traffic reset.
panel-cu-disable-ask = Disable { $customer }'s subscription? It stops working until enabled.
panel-cu-enable-ask = Enable { $customer }'s subscription again?
panel-cu-disabled = ⏸ Subscription disabled.
panel-cu-enabled = ▶️ Subscription enabled.
panel-cu-group-choose = 🏷 Which promo group for { $customer }?
# $group: its name; $percent: its discount.
panel-cu-group-option = { $group } · { $percent }%
panel-cu-group-none = No promo group
panel-cu-group-set = ✅ Promo group changed.
panel-cu-message-ask = ✉️ Send the message for { $customer }.
panel-cu-message-queued = ✅ The message is on its way.

## Payments

panel-py-receipts = 🧾 Receipts to review (oldest first)
panel-py-no-receipts = No receipt waits for review.
# $code: the payment's tracking code; $amount.
panel-py-receipt-button = { $code } · { $amount }
panel-py-recent-button = 💳 Recent payments
panel-py-recent = 💳 Recent payments
panel-py-no-payments = No payments yet.
panel-py-completed = ✅ completed
panel-py-pending = ⏳ pending
# $when, $kind (purchase, deposit, ...), $amount, $method, $status.
panel-py-line = • { $when } · { $kind } · { $amount } · { $method } · { $status }

## Tickets

panel-tk-title = 💬 Tickets waiting for an answer (newest first)
panel-tk-none = No ticket waits for an answer.
# $ticket: its number; $status; $title.
panel-tk-line = #{ NUMBER($ticket, useGrouping: "false") } · { $status } · { $title }
panel-tk-open = waiting
panel-tk-answered-status = answered
panel-tk-closed-status = closed
panel-tk-customer = 👤 { $customer }
panel-tk-from-customer = 👤 Customer:
# $count: messages not shown.
panel-tk-earlier = … { $count } earlier messages
panel-tk-answered = ✅ Answer sent for ticket #{ NUMBER($ticket, useGrouping: "false") }.
panel-tk-close-ask = Close ticket #{ NUMBER($ticket, useGrouping: "false") }?
panel-tk-closed = ✅ Ticket #{ NUMBER($ticket, useGrouping: "false") } closed.

## Audit log

panel-au-title = 📜 Audit log (newest first)
panel-au-none = Nothing recorded yet.
# $id: an admin's Telegram id.
panel-au-admin = admin { NUMBER($id, useGrouping: "false") }
panel-au-operator = operator
panel-au-api = API
# $when, $who, $action (e.g. plan.create), $target (e.g. plan:7).
panel-au-line = { $when } · { $who } · { $action } · { $target }
# $id: the entry's number; $line: as above; $before and $after: the values, as JSON.
panel-au-entry =
    📜 Entry #{ NUMBER($id, useGrouping: "false") }
    { $line }
    Before:
    { $before }
    After:
    { $after }
