# Balance and top-up, promo codes, referral, support tickets.

## Shared

acct-button-cancel = ✖️ Cancel
acct-cancelled = ✖️ Cancelled. You can start again from the main menu whenever you like.
acct-expects-text = ✍️ Please send your answer as a text message, or press Cancel.

## Balance

# $amount: the balance, already formatted.
acct-balance = 💰 Your balance: { $amount }
acct-button-history = 📜 History
acct-button-topup = ➕ Top up
acct-history-title = 📜 Your latest transactions:
acct-history-empty = 📜 There are no transactions on your account yet.

# One line of the history. $kind: what the entry was for (deposit, purchase, renewal,
# promo, referral_reward, refund, or anything else); $amount: the signed amount, already
# formatted; $date: when, already formatted.
acct-history-line =
    { $kind ->
        [deposit] ➕ Top-up
        [purchase] 🛒 Purchase
        [renewal] 🔄 Renewal
        [promo] 🎟 Gift code
        [referral_reward] 👥 Referral reward
        [refund] ↩️ Refund
       *[other] 📝 Adjustment
    }: { $amount } ({ $date })

## Top-up

# $min, $max: amounts, already formatted.
acct-topup-prompt =
    ➕ How much would you like to add to your balance?
    Choose an amount below or type the amount in Toman (from { $min } to { $max }).
acct-topup-not-a-number =
    ❌ That is not a valid amount.
    Please type just the number of Toman, e.g. 150000 (from { $min } to { $max }).
acct-topup-too-small = ❌ The smallest top-up is { $min }. Please type a larger amount.
acct-topup-too-large = ❌ The largest top-up is { $max }. Please type a smaller amount.
acct-topup-unavailable = ⛔️ Topping up is not possible right now. Please try again a little later.
acct-topup-no-method = ⛔️ There is no way to top up your balance at the moment. Please try again later.
# $amount: the top-up, already formatted.
acct-topup-choose-method = ➕ Top-up of { $amount }. How would you like to pay?

## Promo codes

acct-promo-prompt = 🎟 Please send your promo or gift code:
acct-promo-unknown =
    ❌ There is no such code.
    Please check it and send it again, or press Cancel.
acct-promo-inactive = ❌ This code is not active at the moment.
acct-promo-not-yet-valid = ⏳ This code cannot be used yet.
acct-promo-expired = ⌛️ This code has expired.
acct-promo-used-up = ❌ This code has been used the maximum number of times.
acct-promo-already-used = ❌ You have already used this code.
# $minutes: whole minutes until the customer may try again.
acct-promo-too-many =
    ⏳ Too many wrong codes. Please try again in { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }.
acct-promo-no-subscription =
    ❌ This code adds days to a subscription, but you don't have one yet.
    Buy a subscription first, then enter the code again.

# $amount: the amount credited; $balance: the balance now; both already formatted.
acct-promo-balance =
    🎉 { $amount } was added to your balance.
    Your balance: { $balance }

# $days: the days added; $date: the new end of the subscription, already formatted.
acct-promo-days =
    🎉 Your subscription was extended by { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.
    It now ends on { $date }.

# $percent: the discount.
acct-promo-discount =
    🎉 A { $percent }% discount on your next purchase is now active.
    It is applied automatically when you pay for your next purchase or renewal.

## Referral

# $percent: the reward, a percent of the friends' payments (0: no reward); $link: the
# personal link; $count: friends who joined, already formatted; $earned: an amount.
acct-referral =
    👥 Invite your friends!
    { $percent ->
        [0] Send your personal link to your friends.
       *[other] You get { $percent }% of every payment of the friends who join through your link, added to your balance.
    }
    Your invitation link:
    { $link }
    Friends invited: { $count }
    Rewards earned: { $earned }
acct-button-referrals = 📋 Invited friends
acct-referrals-title = 📋 Friends who joined through your link:
acct-referrals-empty = 📋 Nobody has joined through your link yet.
# $name: a friend's name.
acct-referrals-line = • { $name }
acct-referrals-more = …and more.

## Support tickets: the customer's side

acct-support =
    💬 Support
    Have a question or a problem? Open a ticket and our support team will answer you right here.
acct-support-unavailable = ⛔️ Support tickets are not available at the moment.
# $contact: how else to reach the tenant (a @username or a link).
acct-support-contact =
    Another way to reach support:
    { $contact }
acct-button-new-ticket = ✍️ New ticket
acct-button-my-tickets = 📂 My tickets
acct-button-reply = ↩️ Reply
acct-button-close-ticket = ✅ Close ticket
acct-ticket-prompt =
    ✍️ Describe your question or problem in one message.
    You can also send a photo (write the details in its caption).
acct-ticket-expects-text-or-photo = ✍️ Please send a text message or a photo, or press Cancel.
acct-ticket-too-long = ❌ The message is too long. Please send a shorter one (at most 4096 characters).
acct-ticket-photo = 📷 Photo

# $ticket: the ticket's number.
acct-ticket-opened =
    ✅ Ticket #{ NUMBER($ticket, useGrouping: "false") } was opened.
    The support team's answer will arrive right here.
acct-ticket-sent = ✅ Your message was added to ticket #{ NUMBER($ticket, useGrouping: "false") }.
acct-ticket-reply-prompt = ✍️ Write your message for ticket #{ NUMBER($ticket, useGrouping: "false") } (text or a photo).
acct-ticket-closed-by-you = ✅ Ticket #{ NUMBER($ticket, useGrouping: "false") } is closed.
acct-ticket-closed-by-support = ✅ Ticket #{ NUMBER($ticket, useGrouping: "false") } was closed by support.
acct-ticket-is-closed = ⛔️ Ticket #{ NUMBER($ticket, useGrouping: "false") } is closed and takes no new messages.
acct-ticket-unknown = ⛔️ This ticket was not found.

# $ticket: the ticket's number; $text: the support team's answer.
acct-ticket-answer =
    📩 Support answered ticket #{ NUMBER($ticket, useGrouping: "false") }:
    { $text }

acct-tickets-title = 📂 Your tickets (tap one to see it):
acct-tickets-empty = 📂 You have not opened any tickets yet.

# A button. $ticket: the number; $status: open, answered or closed.
acct-ticket-button =
    { $status ->
        [open] 🟡 Waiting for an answer
        [answered] 🟢 Answered
       *[closed] ⚪️ Closed
    } · #{ NUMBER($ticket, useGrouping: "false") }

# $ticket: the number; $status: open, answered or closed.
acct-ticket-view =
    🎫 Ticket #{ NUMBER($ticket, useGrouping: "false") }: { $status ->
        [open] waiting for an answer
        [answered] answered
       *[closed] closed
    }
acct-ticket-from-you = 👤 You:
acct-ticket-from-support = 🎧 Support:

## Support tickets: the admins' side

# $ticket: the number; $name: the customer (name, @username, Telegram id); $text: their message.
acct-admin-ticket-new =
    🎫 New ticket #{ NUMBER($ticket, useGrouping: "false") }
    From: { $name }
    { $text }
acct-admin-ticket-message =
    💬 New message in ticket #{ NUMBER($ticket, useGrouping: "false") }
    From: { $name }
    { $text }
acct-admin-ticket-closed = ✅ The customer closed ticket #{ NUMBER($ticket, useGrouping: "false") }.
acct-admin-answer-prompt =
    ✍️ Write your answer to ticket #{ NUMBER($ticket, useGrouping: "false") } (text or a photo).
    It will be sent to the customer.
acct-admin-answer-sent = ✅ Your answer to ticket #{ NUMBER($ticket, useGrouping: "false") } was sent to the customer.
acct-admin-answer-undelivered = ⚠️ Your answer to ticket #{ NUMBER($ticket, useGrouping: "false") } was saved but could not be delivered (the customer may have blocked the bot).
acct-admin-ticket-closed-done = ✅ Ticket #{ NUMBER($ticket, useGrouping: "false") } is closed.
acct-admin-only = ⛔️ Only the admins of this bot can do this.
acct-admin-start-private = ⚠️ To answer, first start the bot in a private chat, then press Reply again.
