# Balance and top-up, promo codes, referral, support tickets.
#
# Every Persian line starts with a Persian word (see fa.ftl); values that may be Latin
# (names, codes, links, customers' messages) come after one, or on a line of their own.

## Shared

acct-button-cancel = ✖️ انصراف
acct-cancelled = ✖️ لغو شد. هر وقت خواستید می‌توانید از منوی اصلی دوباره شروع کنید.
acct-expects-text = ✍️ لطفاً پاسخ را به صورت یک پیام متنی بفرستید، یا «انصراف» را بزنید.

## Balance

# $amount: the balance, already formatted.
acct-balance = 💰 موجودی حساب شما: { $amount }
acct-button-history = 📜 تاریخچه تراکنش‌ها
acct-button-topup = ➕ افزایش موجودی
acct-history-title = 📜 آخرین تراکنش‌های حساب شما:
acct-history-empty = 📜 هنوز هیچ تراکنشی در حساب شما ثبت نشده است.

# One line of the history. $kind: what the entry was for (deposit, purchase, renewal,
# promo, referral_reward, refund, or anything else); $amount: the signed amount, already
# formatted; $date: when, already formatted.
acct-history-line =
    { $kind ->
        [deposit] ➕ افزایش موجودی
        [purchase] 🛒 خرید اشتراک
        [renewal] 🔄 تمدید اشتراک
        [promo] 🎟 کد هدیه
        [referral_reward] 👥 پاداش دعوت
        [refund] ↩️ بازگشت وجه
       *[other] 📝 اصلاح موجودی
    }: { $amount } ({ $date })

## Top-up

# $min, $max: amounts, already formatted.
acct-topup-prompt =
    ➕ چه مبلغی به موجودی‌تان اضافه شود؟
    یکی از مبلغ‌های زیر را انتخاب کنید یا مبلغ دلخواه را به تومان بنویسید (از { $min } تا { $max }).
acct-topup-not-a-number =
    ❌ این یک مبلغ معتبر نیست.
    لطفاً فقط عدد مبلغ را به تومان بنویسید، مثلاً ۱۵۰۰۰۰ (از { $min } تا { $max }).
acct-topup-too-small = ❌ کمترین مبلغ افزایش موجودی { $min } است. لطفاً مبلغ بیشتری بنویسید.
acct-topup-too-large = ❌ بیشترین مبلغ افزایش موجودی { $max } است. لطفاً مبلغ کمتری بنویسید.
acct-topup-unavailable = ⛔️ افزایش موجودی در حال حاضر ممکن نیست. لطفاً کمی بعد دوباره تلاش کنید.
acct-topup-no-method = ⛔️ در حال حاضر هیچ روشی برای افزایش موجودی فعال نیست. لطفاً بعداً دوباره تلاش کنید.
# $amount: the top-up, already formatted.
acct-topup-choose-method = ➕ افزایش موجودی به مبلغ { $amount }. با چه روشی پرداخت می‌کنید؟

## Promo codes

acct-promo-prompt = 🎟 لطفاً کد تخفیف یا کد هدیهٔ خود را بفرستید:
acct-promo-unknown =
    ❌ چنین کدی وجود ندارد.
    لطفاً کد را بررسی کنید و دوباره بفرستید، یا «انصراف» را بزنید.
acct-promo-inactive = ❌ این کد در حال حاضر فعال نیست.
acct-promo-not-yet-valid = ⏳ زمان استفاده از این کد هنوز شروع نشده است.
acct-promo-expired = ⌛️ مهلت استفاده از این کد تمام شده است.
acct-promo-used-up = ❌ ظرفیت استفاده از این کد تکمیل شده است.
acct-promo-already-used = ❌ شما قبلاً از این کد استفاده کرده‌اید.
# $minutes: whole minutes until the customer may try again.
acct-promo-too-many = ⏳ تعداد کدهای نادرست زیاد بوده است. لطفاً { $minutes } دقیقهٔ دیگر دوباره امتحان کنید.
acct-promo-no-subscription =
    ❌ این کد روزهای اضافه به اشتراک می‌دهد، اما شما هنوز اشتراکی ندارید.
    ابتدا یک اشتراک بخرید و سپس کد را دوباره وارد کنید.

# $amount: the amount credited; $balance: the balance now; both already formatted.
acct-promo-balance =
    🎉 مبلغ { $amount } به موجودی شما اضافه شد.
    موجودی فعلی: { $balance }

# $days: the days added; $date: the new end of the subscription, already formatted.
acct-promo-days =
    🎉 اشتراک شما { $days } روز تمدید شد.
    تاریخ پایان جدید: { $date }

# $percent: the discount.
acct-promo-discount =
    🎉 تخفیف { $percent } درصدی برای خرید بعدی شما فعال شد.
    این تخفیف هنگام پرداخت خرید یا تمدید بعدی خودکار اعمال می‌شود.

## Referral

# $percent: the reward, a percent of the friends' payments (0: no reward); $link: the
# personal link; $count: friends who joined, already formatted; $earned: an amount.
acct-referral =
    👥 دوستانتان را دعوت کنید!
    { $percent ->
        [0] لینک اختصاصی خود را برای دوستانتان بفرستید.
       *[other] از هر پرداخت دوستانی که با لینک شما عضو شوند، { $percent } درصد به موجودی شما اضافه می‌شود.
    }
    لینک دعوت شما:
    { $link }
    تعداد دوستان دعوت‌شده: { $count }
    مجموع پاداش شما: { $earned }
acct-button-referrals = 📋 دوستان دعوت‌شده
acct-referrals-title = 📋 دوستانی که با لینک شما عضو شده‌اند:
acct-referrals-empty = 📋 هنوز کسی با لینک شما عضو نشده است.
# $name: a friend's name.
acct-referrals-line = • { $name }
acct-referrals-more = و دوستان دیگر…

## Support tickets: the customer's side

acct-support =
    💬 پشتیبانی
    سؤال یا مشکلی دارید؟ یک تیکت باز کنید تا تیم پشتیبانی همین‌جا به شما پاسخ دهد.
acct-support-unavailable = ⛔️ پشتیبانی از طریق تیکت در حال حاضر در دسترس نیست.
# $contact: how else to reach the tenant (a @username or a link).
acct-support-contact =
    راه دیگر ارتباط با پشتیبانی:
    { $contact }
acct-button-new-ticket = ✍️ تیکت جدید
acct-button-my-tickets = 📂 تیکت‌های من
acct-button-reply = ↩️ پاسخ
acct-button-close-ticket = ✅ بستن تیکت
acct-ticket-prompt =
    ✍️ سؤال یا مشکل خود را در یک پیام بنویسید.
    می‌توانید عکس هم بفرستید (توضیح را در کپشن عکس بنویسید).
acct-ticket-expects-text-or-photo = ✍️ لطفاً یک پیام متنی یا یک عکس بفرستید، یا «انصراف» را بزنید.
acct-ticket-too-long = ❌ پیام خیلی طولانی است. لطفاً آن را کوتاه‌تر (حداکثر ۴۰۹۶ نویسه) بفرستید.
acct-ticket-photo = 📷 عکس

# $ticket: the ticket's number.
acct-ticket-opened =
    ✅ تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") } ثبت شد.
    پاسخ پشتیبانی همین‌جا برایتان فرستاده می‌شود.
acct-ticket-sent = ✅ پیام شما به تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") } اضافه شد.
acct-ticket-reply-prompt = ✍️ پیام خود برای تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") } را بنویسید (متن یا عکس).
acct-ticket-closed-by-you = ✅ تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") } بسته شد.
acct-ticket-closed-by-support = ✅ تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") } توسط پشتیبانی بسته شد.
acct-ticket-is-closed = ⛔️ تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") } بسته شده است و پیام تازه نمی‌پذیرد.
acct-ticket-unknown = ⛔️ این تیکت پیدا نشد.

# $ticket: the ticket's number; $text: the support team's answer.
acct-ticket-answer =
    📩 پاسخ پشتیبانی به تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") }:
    { $text }

acct-tickets-title = 📂 تیکت‌های شما (برای دیدن هر تیکت، روی آن بزنید):
acct-tickets-empty = 📂 شما هنوز تیکتی باز نکرده‌اید.

# A button. $ticket: the number; $status: open, answered or closed.
acct-ticket-button =
    { $status ->
        [open] 🟡 در انتظار پاسخ
        [answered] 🟢 پاسخ داده شد
       *[closed] ⚪️ بسته شد
    } · #{ NUMBER($ticket, useGrouping: "false") }

# $ticket: the number; $status: open, answered or closed.
acct-ticket-view =
    🎫 تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") }: { $status ->
        [open] در انتظار پاسخ
        [answered] پاسخ داده شد
       *[closed] بسته شد
    }
acct-ticket-from-you = 👤 شما:
acct-ticket-from-support = 🎧 پشتیبانی:

## Support tickets: the admins' side

# $ticket: the number; $name: the customer (name, @username, Telegram id); $text: their message.
acct-admin-ticket-new =
    🎫 تیکت تازه، شمارهٔ { NUMBER($ticket, useGrouping: "false") }
    از طرف: { $name }
    { $text }
acct-admin-ticket-message =
    💬 پیام تازه در تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") }
    از طرف: { $name }
    { $text }
acct-admin-ticket-closed = ✅ مشتری تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") } را بست.
acct-admin-answer-prompt =
    ✍️ پاسخ خود به تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") } را بنویسید (متن یا عکس).
    پاسخ شما برای مشتری فرستاده می‌شود.
acct-admin-answer-sent = ✅ پاسخ شما به تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") } برای مشتری فرستاده شد.
acct-admin-answer-undelivered = ⚠️ پاسخ شما در تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") } ثبت شد، اما به مشتری نرسید (شاید ربات را مسدود کرده باشد).
acct-admin-ticket-closed-done = ✅ تیکت شمارهٔ { NUMBER($ticket, useGrouping: "false") } بسته شد.
acct-admin-only = ⛔️ فقط مدیران این ربات می‌توانند این کار را انجام دهند.
acct-admin-start-private = ⚠️ برای پاسخ دادن، ابتدا ربات را در گفتگوی خصوصی استارت کنید و دوباره «پاسخ» را بزنید.
