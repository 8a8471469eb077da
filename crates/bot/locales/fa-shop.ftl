# Plans, checkout, card-to-card payments and their review, subscriptions, trial.
#
# Every Persian line starts with a Persian word (see fa.ftl); values that may be Latin
# (plan names, codes, card holders, links) come after one, or on a line of their own.

## Plans

plans-empty = 😔 در حال حاضر پلنی برای فروش وجود ندارد. لطفاً بعداً دوباره سر بزنید.
plans-title = 🛒 پلن‌های اشتراک را ببینید و یکی را انتخاب کنید:
plans-title-renewal = 🔄 برای تمدید، یکی از پلن‌های زیر را انتخاب کنید:
# $page, $pages: the page shown and how many; $count: how many plans in total.
plans-page = صفحهٔ { $page } از { $pages } · { $count } پلن
plans-previous = ◀️ قبلی
plans-next = بعدی ▶️

# $name: the plan's name; $days: its period; $traffic: traffic-gb or traffic-unlimited;
# $devices: the device limit; $price: an amount already formatted.
plan-summary =
    📦 پلن { $name }
    مدت: { $days } روز
    حجم: { $traffic }
    تعداد دستگاه: { $devices }
    قیمت: { $price }

# A button: the price first, so the line starts right-to-left whatever the plan's name.
plan-button = { $price } · { $name }
plan-buy = 🛒 خرید این پلن
plan-renew = 🔄 تمدید با این پلن
button-back = ↩️ بازگشت
plan-unavailable = ⚠️ این پلن دیگر برای فروش نیست. لطفاً از فهرست پلن‌ها یکی دیگر را انتخاب کنید.

# $mb and $gb: a number of megabytes or gigabytes (already written for the language
# when fractional).
traffic-mb = { $mb } مگابایت
traffic-gb = { $gb } گیگابایت
traffic-unlimited = نامحدود

## Renewal

# $expires: a date already formatted.
renew-current = 📅 اشتراک فعلی شما تا { $expires } اعتبار دارد؛ تمدید از همان تاریخ حساب می‌شود.
renew-none = 📌 اشتراک فعالی برای تمدید ندارید؛ می‌توانید یک اشتراک تازه بخرید.

## My subscription

sub-none = 📭 هنوز اشتراکی ندارید. برای خرید، دکمهٔ زیر را بزنید.
sub-link-pending = ⏳ لینک در حال آماده‌سازی است و به‌زودی برایتان فرستاده می‌شود.

# $status: sub-status-*; $expires: a date; $days: days left; $used and $limit: traffic;
# $devices: the device limit; $link: the subscription link or sub-link-pending.
sub-details =
    📱 اشتراک من
    وضعیت: { $status }
    تاریخ پایان: { $expires }
    روزهای باقی‌مانده: { $days }
    مصرف: { $used } از { $limit }
    تعداد دستگاه: { $devices }
    لینک اشتراک:
    { $link }

sub-status-active = ✅ فعال
sub-status-trial = 🎁 تست رایگان
sub-status-expired = ⌛️ منقضی شده
sub-status-limited = ⚠️ حجم تمام شده
sub-status-disabled = ⛔️ غیرفعال

## Trial

# $days: the trial's days; $traffic: traffic-gb or traffic-unlimited; $devices: devices.
trial-offer =
    🎁 اشتراک تست رایگان
    مدت: { $days } روز
    حجم: { $traffic }
    تعداد دستگاه: { $devices }
    هر کاربر فقط یک بار می‌تواند از تست رایگان استفاده کند.
trial-button = 🎁 فعال‌سازی تست رایگان
trial-used = 📌 شما قبلاً از اشتراک تست رایگان استفاده کرده‌اید.
trial-has-subscription = 📌 تست رایگان مخصوص کاربران تازه است و شما اشتراک دارید.
# $expires: a date.
trial-started =
    ✅ تست رایگان شما فعال شد و تا { $expires } اعتبار دارد.
    لینک اشتراک تا چند لحظهٔ دیگر برایتان فرستاده می‌شود.

## Checkout

# $price: an amount.
checkout-price = 💰 مبلغ قابل پرداخت: { $price }
# $percent: the discount; $list: the plan's price; $price: what the customer pays.
checkout-discount = 💰 مبلغ قابل پرداخت با { $percent }٪ تخفیف: { $price } (به‌جای { $list })
checkout-choose = لطفاً روش پرداخت را انتخاب کنید:
checkout-no-method = ⚠️ در حال حاضر روش پرداختی برای این سفارش در دسترس نیست. اگر موجودی کافی ندارید، ابتدا حساب خود را شارژ کنید یا با پشتیبانی تماس بگیرید.
pay-card-to-card = 💳 کارت به کارت
pay-balance = 💰 پرداخت از موجودی
method-unavailable = ⚠️ این روش پرداخت دیگر در دسترس نیست.
sale-unavailable = 😔 متأسفانه فروش در حال حاضر ممکن نیست. لطفاً کمی بعد دوباره تلاش کنید؛ مدیران فروشگاه باخبر شدند.
sale-no-squad = 😔 متأسفانه این فروشگاه در حال حاضر نمی‌تواند اشتراک بفروشد: هنوز سروری برای شما ندارد. لطفاً بعداً دوباره تلاش کنید؛ مدیران فروشگاه باخبر شدند.
no-card-available = 😔 در حال حاضر کارتی برای پرداخت در دسترس نیست. لطفاً کمی بعد دوباره تلاش کنید یا روش دیگری را انتخاب کنید.
balance-insufficient = ⚠️ موجودی حساب شما برای این خرید کافی نیست.
# $balance: the balance after paying.
paid-from-balance =
    ✅ پرداخت از موجودی انجام شد. موجودی فعلی: { $balance }
    اشتراک شما در حال آماده‌سازی است و لینک آن به‌زودی فرستاده می‌شود.
# $balance: the balance now.
pay-free = 🎁 دریافت رایگان
paid-free =
    ✅ سفارش شما با تخفیفتان رایگان شد و مبلغی کسر نشد. موجودی: { $balance }
    اشتراک شما در حال آماده‌سازی است و لینک آن به‌زودی فرستاده می‌شود.
already-paid = 📌 این سفارش قبلاً پرداخت شده است. موجودی فعلی: { $balance }

## Card to card

# $amount: the exact amount; $card: the card number in groups of four; $holder and
# $bank: the card's owner and bank; $code: the tracking code; $deadline: a date.
card-instructions =
    💳 پرداخت کارت به کارت
    لطفاً دقیقاً مبلغ { $amount } را به کارت زیر واریز کنید:
    { $card }
    به نام: { $holder }
    بانک: { $bank }
    کد پیگیری: { $code }
    مهلت پرداخت و ارسال رسید: { $deadline }
    پس از واریز، تصویر رسید، فایل آن یا شمارهٔ پیگیری بانک را همین‌جا بفرستید.
card-send-receipt = 📤 ارسال رسید
receipt-prompt = 📤 لطفاً تصویر رسید، فایل آن یا شمارهٔ پیگیری بانک را بفرستید.
receipt-wrong-kind = ⚠️ رسید باید تصویر، فایل تصویری یا PDF، یا متن باشد. لطفاً تصویر رسید یا شمارهٔ پیگیری بانک را بفرستید.
receipt-wrong-document = ⚠️ این فایل نمی‌تواند رسید باشد: فقط عکس، فایل تصویری و فایل PDF پذیرفته می‌شود. لطفاً تصویر رسید، فایل PDF آن یا شمارهٔ پیگیری بانک را بفرستید.
receipt-too-long = ⚠️ این متن برای رسید خیلی طولانی است. لطفاً فقط شمارهٔ پیگیری بانک یا تصویر رسید را بفرستید.
receipt-not-expected = 📌 این پرداخت دیگر منتظر رسید نیست (رسید قبلاً ارسال شده یا مهلت آن تمام شده است).
# $code: the tracking code.
receipt-received =
    ✅ رسید شما دریافت شد و پس از بررسی مدیر، نتیجه به شما اطلاع داده می‌شود.
    کد پیگیری: { $code }

## Messages to the customer after review (queued by the sales service)

# $code: the tracking code; $amount: the amount paid.
card-approved =
    ✅ پرداخت شما به مبلغ { $amount } تأیید شد.
    کد پیگیری: { $code }
    اشتراک شما در حال آماده‌سازی است و لینک آن به‌زودی فرستاده می‌شود.
# $balance: the balance after the top-up.
card-approved-top-up =
    ✅ پرداخت شما به مبلغ { $amount } تأیید شد و به موجودی شما اضافه شد.
    کد پیگیری: { $code }
    موجودی فعلی: { $balance }
# The order's discount code went to another order meanwhile: the payment went to the balance.
card-credited-instead =
    ✅ پرداخت شما به مبلغ { $amount } تأیید شد، اما کد تخفیفی که این سفارش با آن قیمت‌گذاری شده بود در این فاصله برای سفارش دیگری از شما به کار رفت؛ به همین دلیل مبلغ به موجودی شما اضافه شد.
    کد پیگیری: { $code }
    موجودی فعلی: { $balance }
card-rejected =
    ❌ پرداخت شما تأیید نشد.
    کد پیگیری: { $code }
    اگر فکر می‌کنید اشتباهی رخ داده، با پشتیبانی تماس بگیرید.
# $reason: the admin's reason.
card-rejected-reason =
    ❌ پرداخت شما تأیید نشد.
    کد پیگیری: { $code }
    دلیل: { $reason }
card-expired =
    ⌛️ مهلت پرداخت تمام شد و رسیدی دریافت نشد؛ سفارش لغو شد.
    کد پیگیری: { $code }
    اگر مبلغی واریز کرده‌اید، با پشتیبانی تماس بگیرید.
card-expired-unreviewed =
    ⌛️ رسید شما در مهلت مقرر بررسی نشد و سفارش لغو شد.
    کد پیگیری: { $code }
    لطفاً برای پیگیری با پشتیبانی تماس بگیرید.

## To the tenant's admins

# $count: how many internal squads the panel has (0, or 2 and more).
admin-no-squad =
    ⚠️ فروش متوقف شد: اشتراک جدید به هیچ سروری وصل نمی‌شود، چون { $count ->
        [0] پنل هیچ اسکواد داخلی (internal squad) ندارد.
       *[other] پنل { $count } اسکواد داخلی دارد و هیچ‌کدام برای این فروشگاه انتخاب نشده است.
    }
    تنظیم panel_squads فروشگاه (یا REMNAWAVE_SQUADS پلتفرم) را روی اسکوادهایی بگذارید که مشتریان باید استفاده کنند، یا فقط یک اسکواد داخلی روی پنل نگه دارید. تا آن زمان درخواست مشتریان رد می‌شود.

# $available and $needed: amounts.
admin-wallet-short =
    ⚠️ موجودی کیف پول فروشگاه برای فروش کافی نیست و فروش متوقف شده است.
    موجودی قابل استفاده: { $available }
    مبلغ لازم برای این فروش: { $needed }
    لطفاً کیف پول را شارژ کنید.

admin-approve = ✅ تأیید
admin-reject = ❌ رد
admin-details = 🔍 جزئیات

# $plan: the plan's name; $days: its period.
admin-purpose-purchase = خرید پلن { $plan } ({ $days } روز)
admin-purpose-renewal = تمدید با پلن { $plan } ({ $days } روز)
admin-purpose-top-up = شارژ موجودی

# $code, $amount; $purpose: admin-purpose-*; $customer: name, @username and Telegram id.
admin-receipt =
    🧾 رسید کارت به کارت تازه
    کد پیگیری: { $code }
    مبلغ: { $amount }
    بابت: { $purpose }
    مشتری: { $customer }
# $note: the receipt's text or caption.
admin-receipt-note =
    متن رسید:
    { $note }
# $code: the other payment's tracking code; $status: payment-status-*; $customer: its
# customer's name, @username and Telegram id.
admin-receipt-reused = ⚠️ همین رسید برای پرداخت { $code } ({ $status }) از طرف { $customer } هم فرستاده شده است. پیش از تأیید بررسی کنید.

# $admin: the reviewer's Telegram id; $at: a date.
admin-outcome-approved = ✅ تأیید شد توسط { $admin } در { $at }
admin-outcome-rejected = ❌ رد شد توسط { $admin } در { $at }
# $reason: the reason given.
admin-outcome-rejected-reason =
    ❌ رد شد توسط { $admin } در { $at }
    دلیل: { $reason }
admin-outcome-expired = ⌛️ مهلت بررسی تمام شد و پرداخت منقضی شد.

admin-approved = ✅ پرداخت تأیید شد.
admin-already-approved = 📌 این پرداخت قبلاً تأیید شده است.
admin-already-rejected = 📌 این پرداخت قبلاً رد شده است.
admin-already-expired = 📌 مهلت این پرداخت تمام شده است.
admin-try-again = ⚠️ این پرداخت همزمان تغییر کرد؛ لطفاً دوباره تلاش کنید.
admin-only = ⛔️ فقط مدیران این فروشگاه می‌توانند پرداخت‌ها را بررسی کنند.
admin-payment-unknown = ⚠️ چنین پرداختی در این فروشگاه پیدا نشد.
# $code: the tracking code.
admin-reject-prompt =
    ✍️ دلیل رد پرداخت { $code } را در پاسخ به همین پیام بنویسید.
    اگر نمی‌خواهید دلیلی بنویسید، دکمهٔ زیر را بزنید.
admin-reject-skip = ⏭ رد بدون دلیل
admin-rejected = ❌ پرداخت { $code } رد شد و به مشتری اطلاع داده می‌شود.
admin-reject-text-only = ✍️ لطفاً دلیل را به صورت متن بنویسید یا دکمهٔ «رد بدون دلیل» را بزنید.
admin-reject-too-long = ⚠️ دلیل حداکثر می‌تواند ۱۰۰۰ حرف باشد. لطفاً کوتاه‌تر بنویسید.

payment-status-waiting = منتظر رسید
payment-status-review = منتظر بررسی
payment-status-approved = تأیید شده
payment-status-rejected = رد شده
payment-status-expired = منقضی شده

# $status: payment-status-*; $card: the masked card number; $created, $deadline, $since
# and $subscription: dates (or "-"); $balance: an amount.
admin-payment-details =
    🔍 جزئیات پرداخت
    کد پیگیری: { $code }
    مبلغ: { $amount }
    وضعیت: { $status }
    بابت: { $purpose }
    کارت مقصد: { $card }
    ایجاد: { $created }
    مهلت: { $deadline }
    مشتری: { $customer }
    موجودی مشتری: { $balance }
    عضو از: { $since }
    پایان اشتراک فعلی: { $subscription }
