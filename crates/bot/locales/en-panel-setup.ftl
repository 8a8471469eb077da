# The admin panel's set-up areas (plans, cards, promo codes and groups, settings), in English.
#
# Every message here must also be in fa-panel-setup.ftl and ru-panel-setup.ftl, with the same
# variables.

## Answers to the panel's questions

panel-saved = ✅ Saved.
panel-input-not-number = ❌ Please send a whole number, such as 30.
# $min and $max: numbers.
panel-input-range = ❌ The number must be from { $min } to { $max }.
# $max: a number of characters.
panel-input-too-long = ❌ That is too long: at most { $max } characters.
panel-input-empty = ❌ Please send a text.
# $reason: a reason already in this language.
panel-input-refused = ❌ Not accepted: { $reason }
# $min and $max: the platform's limits (numbers).
panel-refused-range = ❌ Not accepted: it must be from { $min } to { $max }.
# $min and $max: numbers of characters.
panel-refused-code-shape = ❌ Not accepted: use { $min } to { $max } characters: Latin letters A-Z, digits 0-9, _ and -.
panel-refused-order = ❌ Not accepted: the end must come after the start.
panel-refused-repeated = ❌ Not accepted: each item may appear only once.
panel-refused-gone = ❌ Not found: it was removed meanwhile.
panel-refused-taken = ❌ Not accepted: this name or code is already in use. Send another one.
panel-refused-retry = ❌ Something changed at the same time. Please try again.
panel-refused-state = ❌ Not possible in its current state.
panel-refused-characters = ❌ Not accepted: line breaks and control characters are not allowed here.
# $balance and $amount: formatted amounts.
panel-refused-balance = ❌ Not enough balance: { $balance } available, { $amount } needed.
# $balance and $amount: formatted amounts.
panel-refused-wallet = ❌ The shop's wallet cannot cover this: { $balance } available, { $amount } needed.
panel-refused-master = ❌ The master bot cannot be deactivated or deleted.
panel-refused-no-card = ❌ No active payment card can take this payment.
panel-refused-invalid = ❌ Not accepted: this value is outside what is allowed here.

## Plans

panel-area-plans = 📦 Plans
panel-plans-title = 📦 Plans, in the order customers see them
panel-plans-empty = No plans yet.
panel-plan-unlimited = unlimited
# $gb: a number.
panel-plan-gb = { $gb } GB
panel-plan-active = ✅ on sale
panel-plan-hidden = ⛔ hidden
# $place: its place in the list; $name; $days; $traffic: panel-plan-gb or -unlimited;
# $devices; $price: formatted; $state: panel-plan-active or -hidden; $count: completed sales.
panel-plan-row =
    { $place }. { $name } · { $days } days · { $traffic } · { $devices } devices · { $price }
        { $state } · sales: { $count }
# As panel-plan-row.
panel-plan-page =
    📦 Plan: { $name }
    Period: { $days } days
    Traffic: { $traffic }
    Devices: { $devices }
    Price: { $price }
    Status: { $state } · sales: { $count }
panel-plan-new = ➕ New plan
# $page: the step; $pages: how many steps.
panel-plan-new-step = ➕ New plan · step { $page } of { $pages }
# $name: the plan's name.
panel-plan-editing = ✏️ Editing { $name }
panel-plan-edit-name = ✏️ Name
panel-plan-edit-days = ✏️ Days
panel-plan-edit-traffic = ✏️ Traffic
panel-plan-edit-devices = ✏️ Devices
panel-plan-edit-price = ✏️ Price
panel-plan-edit-description = ✏️ Description
# $max: characters.
panel-plan-ask-name = Send the plan's name (at most { $max } characters).
# $min, $max: numbers.
panel-plan-ask-days = Send how many days the plan lasts ({ $min } to { $max }).
panel-plan-ask-traffic = Send the traffic in GB ({ $min } to { $max }; 0 means unlimited).
panel-plan-ask-devices = Send how many devices may connect ({ $min } to { $max }).
panel-plan-ask-price = Send the price in Toman ({ $min } to { $max }).
# $max: characters.
panel-plan-ask-description = Send the description (at most { $max } characters), or - for none.
panel-plan-activate = ▶️ Put on sale
panel-plan-deactivate = ⏸ Hide from customers
panel-plan-up = ⬆️ Move up
panel-plan-down = ⬇️ Move down
panel-plan-delete = 🗑 Delete
# $name: the plan's name.
panel-plan-created = ✅ Plan { $name } created.
panel-plan-deleted = 🗑 Plan { $name } deleted.
panel-plan-delete-ask = Delete the plan { $name }? This cannot be undone.
panel-plan-gone = This plan no longer exists.
# $name; $subscriptions and $orders: numbers.
panel-plan-hidden-instead =
    ⚠️ { $name } was not deleted: { $subscriptions } subscription(s) and { $orders } order(s) refer to it.
    It is hidden from customers instead.

## Cards

panel-area-cards = 💳 Cards
panel-cards-title = 💳 Payment cards
panel-cards-empty = No cards yet.
# $kind: panel-card-strategy-*.
panel-card-strategy-now = Rotation: { $kind }
panel-card-active = ✅ in rotation
panel-card-inactive = ⛔ out of rotation
# $place; $card: masked; $holder; $state: panel-card-active or -inactive; $count and $amount:
# successful payments today; $rate: panel-card-rate or -no-rate.
panel-card-row =
    { $place }. { $card } · { $holder }
        { $state } · today: { $count } · { $amount } · success { $rate }
# $card: the full number; $holder; $bank; $state; $weight; $count and $amount: today;
# $max: the daily count cap; $limit: the daily amount cap; $rate: as above;
# $paid and $failed: payments ever.
panel-card-page =
    💳 Card { $card }
    Holder: { $holder }
    Bank: { $bank }
    Status: { $state }
    Weight: { $weight }
    Today: { $count } payment(s) · { $amount }
    Daily caps: { $max } payment(s) · { $limit }
    Success: { $rate } ({ $paid } approved, { $failed } failed)
# $percent: a card's success rate.
panel-card-rate = { $percent }%
panel-card-no-rate = no payments yet
panel-card-no-cap = no cap
panel-card-new = ➕ Add a card
panel-card-rotation = 🔁 Rotation
panel-card-rotation-title =
    🔁 How the next customer's card is chosen
    (only active cards under their daily caps are used)
panel-card-strategy-round-robin = In turn
panel-card-strategy-random = At random
panel-card-strategy-time-based = Idlest first
panel-card-strategy-weighted = By weight and success
# $page: the step; $pages: how many steps.
panel-card-new-step = ➕ New card · step { $page } of { $pages }
panel-card-ask-number = Send the 16-digit card number.
# $max: characters.
panel-card-ask-holder = Send the card holder's name (at most { $max } characters).
panel-card-ask-bank = Send the bank's name (at most { $max } characters), or - for none.
# $min, $max: numbers.
panel-card-ask-weight = Send the card's weight under weighted rotation ({ $min } to { $max }).
panel-card-ask-count-cap = Send the most payments a day ({ $min } to { $max }), or 0 for no cap.
panel-card-ask-amount-cap = Send the most Toman a day ({ $min } to { $max }), or 0 for no cap.
panel-card-bad-number = ❌ That is not a valid card number: it needs 16 digits and must pass the card checksum. Check for a typo.
# $card: masked.
panel-card-editing = ✏️ Editing card { $card }
panel-card-created = ✅ Card { $card } added.
panel-card-edit-holder = ✏️ Holder
panel-card-edit-bank = ✏️ Bank
panel-card-edit-weight = ⚖️ Weight
panel-card-edit-count-cap = 🔢 Daily count cap
panel-card-edit-amount-cap = 💰 Daily amount cap
panel-card-activate = ▶️ Put in rotation
panel-card-deactivate = ⏸ Take out of rotation
panel-card-gone = This card no longer exists.

## Settings

panel-area-settings = ⚙️ Settings
# $text: the welcome text (cut) or panel-set-unset; $language: codes; $contact; $admin: ids;
# $chat: the admin chat's id or panel-set-unset; $days, $gb, $devices: the trial;
# $minutes, $hours: the card payment and receipt review windows; $percent: the referral reward.
panel-set-values =
    ⚙️ Settings
    👋 Welcome text: { $text }
    🌐 Languages: { $language }
    🆘 Support contact: { $contact }
    👮 Admins: { $admin }
    💬 Admin chat: { $chat }
    🎁 Trial: { $days } day(s) · { $gb } GB (0 = unlimited) · { $devices } device(s)
    ⏱ Card payment window: { $minutes } minutes
    🧾 Receipt review window: { $hours } hours
    🤝 Referral reward: { $percent }%
panel-set-unset = (not set)
panel-set-welcome = 👋 Welcome text
panel-set-languages = 🌐 Languages
panel-set-support = 🆘 Support contact
panel-set-admins = 👮 Admins
panel-set-admin-chat = 💬 Admin chat
panel-set-trial = 🎁 Trial
panel-set-card-minutes = ⏱ Payment window
panel-set-review-hours = 🧾 Review window
panel-set-referral = 🤝 Referral reward
# $max: characters.
panel-set-ask-welcome = Send the new welcome text customers get with /start (at most { $max } characters).
panel-set-ask-languages = Send the language codes customers may choose from, the default first, for example: fa en ru
panel-set-ask-support = Send where customers get help: a @username or a link (at most { $max } characters).
panel-set-ask-admins = Send the Telegram ids of the shop's admins, separated by spaces. Your own id must stay in the list.
panel-set-ask-admin-chat = Send the id of the chat that receives receipts and tickets (a group's id starts with -100).
panel-set-ask-trial = Send the trial as three numbers: days, GB (0 = unlimited) and devices, for example: 1 1 1
panel-set-ask-card-minutes = Send how many minutes a customer has to pay by card and send the receipt.
panel-set-ask-review-hours = Send how many hours the admins have to review a receipt.
panel-set-ask-referral = Send the percent of an invited customer's payments credited to the inviter (0 to 100).
panel-set-clear-hint = Or send - to remove it and use the default.
panel-set-admins-self = your own id must stay in the list of admins.
# $code: what the admin typed.
panel-set-unknown-language = `{ $code }` is not a language this bot speaks: use fa, en or ru.
panel-set-trial-shape = send three whole numbers separated by spaces: days, GB and devices.
panel-set-features = 🧩 Customer features
panel-set-features-title = 🧩 Customer features: press one to switch it on or off.
panel-feature-card-to-card = Card to card
panel-feature-zarinpal = Zarinpal
panel-feature-stars = Telegram Stars
panel-feature-trial = Free trial
panel-feature-referral = Referral
panel-feature-promo-codes = Promo codes
panel-feature-support = Support tickets
panel-feature-auto-renewal = Automatic renewal

## Promo codes and groups

panel-area-promos = 🎟 Promotions
# $count: promo codes; $groups: promo groups.
panel-promos-title =
    🎟 Promotions
    Promo codes: { $count } · promo groups: { $groups }
panel-promo-codes = 🎟 Promo codes
panel-promo-groups = 👥 Promo groups
panel-promo-codes-title = 🎟 Promo codes, newest first
panel-promo-codes-empty = No promo codes yet.
# $amount: formatted.
panel-promo-gives-balance = { $amount } of balance
# $days: a number.
panel-promo-gives-days = { $days } extra days
# $percent: a number.
panel-promo-gives-discount = { $percent }% off the next order
# $count: times used; $max: the limit.
panel-promo-uses = { $count } / { $max }
panel-promo-uses-unlimited = { $count } / unlimited
panel-promo-active = ✅ active
panel-promo-inactive = ⛔ deactivated
# $place; $code; $kind: panel-promo-gives-*; $uses: panel-promo-uses*; $state.
panel-promo-code-row =
    { $place }. { $code } · { $kind }
        used { $uses } · { $state }
# $code; $kind; $uses; $since and $until: dates or -; $state.
panel-promo-code-page =
    🎟 Code { $code }
    Gives: { $kind }
    Used: { $uses }
    Valid from: { $since }
    Valid until: { $until }
    Status: { $state }
panel-promo-new-code = ➕ New code
panel-promo-choose-kind = ➕ New promo code: what does it give?
panel-promo-kind-balance = 💰 Balance
panel-promo-kind-days = 📅 Extra days
panel-promo-kind-discount = 🏷 Percent off
# $page: the step; $pages: how many steps.
panel-promo-new-step = ➕ New promo code · step { $page } of { $pages }
panel-promo-ask-code = Send the code: 3 to 64 letters A-Z, digits, _ or -.
# $min, $max: numbers.
panel-promo-ask-balance = Send the balance it gives, in Toman ({ $min } to { $max }).
panel-promo-ask-days = Send how many days it adds ({ $min } to { $max }).
panel-promo-ask-percent = Send the percent off ({ $min } to { $max }).
panel-promo-ask-uses = Send how many times it can be used in all ({ $min } to { $max }; 0 means unlimited).
panel-promo-ask-from = Send the first day it is valid, as 1405-01-01 (Solar Hijri) or 2026-03-21, or - for from now on.
panel-promo-ask-until = Send the day it stops being valid, as 1405-02-01 (Solar Hijri) or 2026-04-21, or - for never.
panel-promo-bad-date = ❌ That is not a date: send it as year-month-day, such as 1405-01-01 or 2026-03-21, or -.
# $code.
panel-promo-created = ✅ Promo code { $code } created.
panel-promo-activate = ▶️ Activate
panel-promo-deactivate = ⏸ Deactivate
panel-promo-gone = This promo code no longer exists.
panel-promo-groups-title = 👥 Promo groups: their customers get the discount on every order
panel-promo-groups-empty = No promo groups yet.
# $place; $name; $percent.
panel-promo-group-row = { $place }. { $name } · { $percent }% off
panel-promo-new-group = ➕ New promo group
# $max: characters.
panel-promo-ask-group-name = Send the group's name (at most { $max } characters).
panel-promo-ask-group-percent = Send the group's discount in percent (0 to 100).
# $name.
panel-promo-group-created = ✅ Promo group { $name } created. Customers are put in it from their page.
