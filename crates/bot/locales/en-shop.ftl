# Plans, checkout, card-to-card payments and their review, subscriptions, trial.

## Plans

plans-empty = 😔 There are no plans on sale right now. Please check back later.
plans-title = 🛒 Our subscription plans; choose one:
plans-title-renewal = 🔄 To renew, choose one of these plans:
# $page, $pages: the page shown and how many; $count: how many plans in total.
plans-page = Page { $page } of { $pages } · { $count } plans
plans-previous = ◀️ Previous
plans-next = Next ▶️

# $name: the plan's name; $days: its period; $traffic: traffic-gb or traffic-unlimited;
# $devices: the device limit; $price: an amount already formatted.
plan-summary =
    📦 Plan { $name }
    Period: { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
    Traffic: { $traffic }
    Devices: { $devices }
    Price: { $price }

plan-button = { $price } · { $name }
plan-buy = 🛒 Buy this plan
plan-renew = 🔄 Renew with this plan
button-back = ↩️ Back
plan-unavailable = ⚠️ This plan is no longer on sale. Please choose another one from the list.

# $mb and $gb: a number of megabytes or gigabytes (already written for the language
# when fractional).
traffic-mb = { $mb } MB
traffic-gb = { $gb } GB
traffic-unlimited = unlimited

## Renewal

# $expires: a date already formatted.
renew-current = 📅 Your subscription is valid until { $expires }; a renewal adds to it from that date.
renew-none = ℹ️ You have no subscription to renew; you can buy a new one.

## My subscription

sub-none = 📭 You have no subscription yet. Press the button below to buy one.
sub-link-pending = ⏳ Your link is being prepared and will be sent to you shortly.

# $status: sub-status-*; $expires: a date; $days: days left; $used and $limit: traffic;
# $devices: the device limit; $link: the subscription link or sub-link-pending.
sub-details =
    📱 My subscription
    Status: { $status }
    Expires: { $expires }
    Days left: { $days }
    Traffic used: { $used } of { $limit }
    Devices: { $devices }
    Subscription link:
    { $link }

sub-status-active = ✅ active
sub-status-trial = 🎁 free trial
sub-status-expired = ⌛️ expired
sub-status-limited = ⚠️ traffic used up
sub-status-disabled = ⛔️ disabled

## Trial

# $days: the trial's days; $traffic: traffic-gb or traffic-unlimited; $devices: devices.
trial-offer =
    🎁 Free trial
    Period: { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
    Traffic: { $traffic }
    Devices: { $devices }
    Each customer can use the free trial once.
trial-button = 🎁 Start the free trial
trial-used = ℹ️ You have already used your free trial.
trial-has-subscription = ℹ️ The free trial is for new customers, and you already have a subscription.
# $expires: a date.
trial-started =
    ✅ Your free trial is active until { $expires }.
    Your subscription link will arrive in a moment.

## Checkout

# $price: an amount.
checkout-price = 💰 Amount to pay: { $price }
# $percent: the discount; $list: the plan's price; $price: what the customer pays.
checkout-discount = 💰 Amount to pay with { $percent }% off: { $price } (instead of { $list })
checkout-choose = Please choose how to pay:
checkout-no-method = ⚠️ No payment method is available for this order right now. If your balance is short, top it up first, or contact support.
pay-card-to-card = 💳 Card to card
pay-balance = 💰 Pay from balance
method-unavailable = ⚠️ This payment method is no longer available.
sale-unavailable = 😔 Sorry, sales are paused right now. Please try again a little later; the shop's admins have been told.
sale-no-squad = 😔 Sorry, this shop cannot sell subscriptions right now: it has no server to give you yet. Please try again later; the shop's admins have been told.
no-card-available = 😔 No card is available for payment right now. Please try again later or choose another method.
balance-insufficient = ⚠️ Your balance does not cover this purchase.
# $balance: the balance after paying.
paid-from-balance =
    ✅ Paid from your balance. Balance now: { $balance }
    Your subscription is being prepared; the link will follow shortly.
# $balance: the balance now.
pay-free = 🎁 Get it free
paid-free =
    ✅ Your order is free with your discount; nothing was charged. Balance: { $balance }
    Your subscription is being prepared; the link will follow shortly.
already-paid = ℹ️ This order has already been paid. Balance now: { $balance }

## Card to card

# $amount: the exact amount; $card: the card number in groups of four; $holder and
# $bank: the card's owner and bank; $code: the tracking code; $deadline: a date.
card-instructions =
    💳 Card-to-card payment
    Please transfer exactly { $amount } to this card:
    { $card }
    Holder: { $holder }
    Bank: { $bank }
    Tracking code: { $code }
    Pay and send the receipt by: { $deadline }
    After the transfer, send a photo of the receipt, its file or the bank's reference number here.
card-send-receipt = 📤 Send the receipt
receipt-prompt = 📤 Please send a photo of the receipt, its file or the bank's reference number.
receipt-wrong-kind = ⚠️ A receipt must be a photo, an image or PDF file, or text. Please send a photo of the receipt or the bank's reference number.
receipt-wrong-document = ⚠️ This file cannot be a receipt: only photos, image files and PDF files are accepted. Please send a photo of the receipt, its PDF or the bank's reference number.
receipt-too-long = ⚠️ That text is too long for a receipt. Please send just the bank's reference number or a photo of the receipt.
receipt-not-expected = ℹ️ This payment is no longer waiting for a receipt (one was already sent, or its time ran out).
# $code: the tracking code.
receipt-received =
    ✅ Your receipt has arrived. You will be told the result once an admin has checked it.
    Tracking code: { $code }

## Messages to the customer after review (queued by the sales service)

# $code: the tracking code; $amount: the amount paid.
card-approved =
    ✅ Your payment of { $amount } has been approved.
    Tracking code: { $code }
    Your subscription is being prepared; the link will follow shortly.
# $balance: the balance after the top-up.
card-approved-top-up =
    ✅ Your payment of { $amount } has been approved and added to your balance.
    Tracking code: { $code }
    Balance now: { $balance }
# The order's discount code went to another order meanwhile: the payment went to the balance.
card-credited-instead =
    ✅ Your payment of { $amount } has been approved, but the discount code this order was priced with went to another of your orders in the meantime, so the amount was added to your balance instead.
    Tracking code: { $code }
    Balance now: { $balance }
card-rejected =
    ❌ Your payment was not approved.
    Tracking code: { $code }
    If you think this is a mistake, please contact support.
# $reason: the admin's reason.
card-rejected-reason =
    ❌ Your payment was not approved.
    Tracking code: { $code }
    Reason: { $reason }
card-expired =
    ⌛️ The time to pay ran out without a receipt; the order was cancelled.
    Tracking code: { $code }
    If you did transfer money, please contact support.
card-expired-unreviewed =
    ⌛️ Your receipt was not checked in time and the order was cancelled.
    Tracking code: { $code }
    Please contact support to sort it out.

## To the tenant's admins

# $count: how many internal squads the panel has (0, or 2 and more).
admin-no-squad =
    ⚠️ Sales are paused: a new subscription would reach no server, because { $count ->
        [0] the panel has no internal squad.
       *[other] the panel has { $count } internal squads and none is chosen for this shop.
    }
    Set the shop's panel_squads setting (or the platform's REMNAWAVE_SQUADS) to the squads its customers should use, or keep exactly one internal squad on the panel. Customers are refused until then.

# $available and $needed: amounts.
admin-wallet-short =
    ⚠️ The shop's wallet cannot cover sales, so sales are paused.
    Available: { $available }
    Needed for this sale: { $needed }
    Please top up the wallet.

admin-approve = ✅ Approve
admin-reject = ❌ Reject
admin-details = ℹ️ Details

# $plan: the plan's name; $days: its period.
admin-purpose-purchase = purchase of { $plan } ({ $days } days)
admin-purpose-renewal = renewal with { $plan } ({ $days } days)
admin-purpose-top-up = balance top-up

# $code, $amount; $purpose: admin-purpose-*; $customer: name, @username and Telegram id.
admin-receipt =
    🧾 New card-to-card receipt
    Tracking code: { $code }
    Amount: { $amount }
    For: { $purpose }
    Customer: { $customer }
# $note: the receipt's text or caption.
admin-receipt-note =
    Receipt text:
    { $note }
# $code: the other payment's tracking code; $status: payment-status-*; $customer: its
# customer's name, @username and Telegram id.
admin-receipt-reused = ⚠️ The same receipt was also sent for payment { $code } ({ $status }) by { $customer }. Check it before approving.

# $admin: the reviewer's Telegram id; $at: a date.
admin-outcome-approved = ✅ Approved by { $admin } on { $at }
admin-outcome-rejected = ❌ Rejected by { $admin } on { $at }
# $reason: the reason given.
admin-outcome-rejected-reason =
    ❌ Rejected by { $admin } on { $at }
    Reason: { $reason }
admin-outcome-expired = ⌛️ Not reviewed in time: the payment expired.

admin-approved = ✅ Payment approved.
admin-already-approved = ℹ️ This payment was already approved.
admin-already-rejected = ℹ️ This payment was already rejected.
admin-already-expired = ℹ️ This payment has expired.
admin-try-again = ⚠️ This payment changed at the same time; please try again.
admin-only = ⛔️ Only this shop's admins can review payments.
admin-payment-unknown = ⚠️ No such payment in this shop.
# $code: the tracking code.
admin-reject-prompt =
    ✍️ Reply to this message with the reason for rejecting payment { $code }.
    To reject without a reason, press the button below.
admin-reject-skip = ⏭ Reject without a reason
admin-rejected = ❌ Payment { $code } rejected; the customer will be told.
admin-reject-text-only = ✍️ Please write the reason as text, or press "Reject without a reason".
admin-reject-too-long = ⚠️ The reason can be at most 1,000 characters. Please shorten it.

payment-status-waiting = waiting for the receipt
payment-status-review = waiting for review
payment-status-approved = approved
payment-status-rejected = rejected
payment-status-expired = expired

# $status: payment-status-*; $card: the masked card number; $created, $deadline, $since
# and $subscription: dates (or "-"); $balance: an amount.
admin-payment-details =
    ℹ️ Payment details
    Tracking code: { $code }
    Amount: { $amount }
    Status: { $status }
    For: { $purpose }
    Paid to card: { $card }
    Created: { $created }
    Deadline: { $deadline }
    Customer: { $customer }
    Customer's balance: { $balance }
    Customer since: { $since }
    Current subscription ends: { $subscription }
