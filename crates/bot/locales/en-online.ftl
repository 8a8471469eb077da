# Online payments: Zarinpal and Telegram Stars.
pay-zarinpal = 🌐 Zarinpal (online card payment)
pay-stars = ⭐ Telegram Stars
zarinpal-started = Your order of { $amount } is ready. Tap the button to pay on Zarinpal's page; you will get a message here once it is confirmed.
zarinpal-pay-button = 💳 Pay
zarinpal-down = ⚠️ The online payment gateway is not answering right now. Nothing was charged: please try again in a few minutes, or choose another payment method.
zarinpal-unavailable = ⚠️ Online payment is not available in this shop right now. Nothing was charged: please choose another payment method. The shop's admins have been told.
admin-zarinpal-account =
    ⚠️ Zarinpal refused this shop's merchant account, so customers cannot pay online.
    Zarinpal said: { $reason }
    Check the merchant id (setting zarinpal_merchant_id) and the terminal's status in your Zarinpal panel.
online-failed = ⚠️ This payment could not be started. Please try again from the plans.
online-shop-unavailable = ⚠️ This plan cannot be sold right now. Please try again later.
online-top-up-failed = ⚠️ This top-up could not be started. Please try again from your balance.
zarinpal-top-up-description = Balance top-up of { $amount }
online-paid = ✅ Your payment of { $amount } by { $method } is confirmed. Your subscription is being prepared; the link follows shortly.
online-paid-top-up = ✅ Your payment of { $amount } by { $method } is confirmed. Your balance is now { $balance }.
stars-invoice-title = Subscription { $plan }
stars-invoice-title-top-up = Balance top-up
stars-invoice-description = { $amount }, paid as { $stars } Telegram Stars.
stars-order-invalid = This order is no longer valid. Please start again from the plans.
stars-refunded = ↩️ { $stars } Telegram Stars were refunded to you.
refund-usage = Usage: /refund_stars <charge id>
refund-not-found = No paid Telegram Stars payment has this charge id.
refund-already = This payment was already refunded.
refund-spent = The customer has already spent this top-up; it cannot be refunded.
refund-failed = ⚠️ Telegram refused the refund, so nothing was refunded or changed. Telegram said: { $reason }
refund-pending = ⚠️ Telegram did not answer, so the refund is not finished. It is reserved: send the same command again to finish it.
online-credited-instead = ✅ Your payment of { $amount } by { $method } is confirmed, but the discount code this order was priced with went to another of your orders in the meantime. The amount was added to your balance instead; it is now { $balance }.
stars-paid-twice = ⚠️ This order had already been paid, so your second payment of { $stars } Stars ({ $amount }) was added to your balance, which is now { $balance }. You can ask the shop to refund it in Stars instead.
refund-done = ↩️ Refunded { $stars } Stars and reversed the order.
