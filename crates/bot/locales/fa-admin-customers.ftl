# بخش‌های مشتریان، پرداخت‌ها، تیکت‌ها و گزارش تغییرات پنل مدیریت، به فارسی.
#
# Every Persian line starts with a Persian word (see fa.ftl); values that may be Latin
# (names, codes, links) come after one, or on a line of their own.

## Shared by the areas

panel-area-customers = 👥 مشتریان
panel-area-payments = 💳 پرداخت‌ها
panel-area-tickets = 💬 تیکت‌ها
panel-area-audit = 📜 گزارش تغییرات
panel-not-found = پیدا نشد: شاید حذف شده، یا متعلق به این ربات نیست.
panel-already-done = ✅ قبلاً انجام شده: این تأیید پیش‌تر اعمال شده است.
panel-confirmation-used = این تأیید قبلاً استفاده یا جایگزین شده؛ کاری دوباره انجام نشد.
panel-press-confirm = لطفاً «تأیید» یا «انصراف» را بزنید.
panel-none = هیچ

## Subscription statuses

panel-sub-active = فعال
panel-sub-trial = تست
panel-sub-expired = منقضی
panel-sub-limited = حجم تمام شده
panel-sub-disabled = غیرفعال

## Customers

panel-cu-search-ask =
    👥 مشتریان
    شناسهٔ تلگرام، نام کاربری با @، نام، یا بخشی از لینک اشتراک را بفرستید.
panel-cu-term-bad = ⚠️ برای جستجو از ۱ تا { $max } نویسه بفرستید.
panel-cu-results = 🔎 نتایج جستجوی: { $term }
panel-cu-none-found = هیچ مشتری‌ای پیدا نشد. عبارت دیگری بفرستید.
panel-cu-title = 👤 مشتری { $customer }
panel-cu-summary = مشتری شمارهٔ { NUMBER($id, useGrouping: "false") } · عضویت { $since } · موجودی { $balance }
panel-cu-is-blocked = ⛔️ مسدود
panel-cu-group = گروه تخفیف: { $group }
panel-cu-subscription =
    📱 اشتراک: { $status } · تا { $expires }
    حجم: { $traffic } · دستگاه‌ها: { $devices }
panel-cu-traffic = مصرف { $used } از { $limit } گیگابایت
panel-cu-traffic-unlimited = مصرف { $used } گیگابایت از نامحدود
panel-cu-no-subscription = 📱 اشتراکی ندارد.
panel-cu-referral = 🤝 معرف: { $referrer } · دعوت‌شده‌ها: { $invited }
panel-cu-payments = 💳 پرداخت‌ها: { $count }
panel-cu-tickets = 💬 تیکت‌ها: { $count }
panel-cu-block = ⛔️ مسدود کردن
panel-cu-unblock = ✅ رفع مسدودی
panel-cu-message = ✉️ پیام
panel-cu-credit = ➕ افزایش موجودی
panel-cu-debit = ➖ کسر موجودی
panel-cu-grant = 🎁 اهدای طرح
panel-cu-group-button = 🏷 گروه تخفیف
panel-cu-extend = 📅 تمدید
panel-cu-reset = 🔄 صفر کردن حجم
panel-cu-traffic-button = 📶 سقف حجم
panel-cu-devices-button = 📱 سقف دستگاه
panel-cu-enable = ▶️ فعال کردن اشتراک
panel-cu-disable = ⏸ غیرفعال کردن اشتراک
panel-cu-block-ask = مشتری { $customer } مسدود شود؟ دیگر نمی‌تواند از ربات استفاده کند.
panel-cu-unblock-ask = مسدودی مشتری { $customer } برداشته شود؟
panel-cu-blocked = ⛔️ مشتری مسدود شد.
panel-cu-unblocked = ✅ مسدودی مشتری برداشته شد.
panel-cu-credit-ask =
    ➕ چند تومان به موجودی این مشتری اضافه شود؟
    مشتری { $customer }
    موجودی فعلی: { $balance }
panel-cu-debit-ask =
    ➖ چند تومان از موجودی این مشتری کسر شود؟
    مشتری { $customer }
    موجودی فعلی: { $balance }
panel-cu-reason-ask = دلیل تغییر { $amount } چیست؟ آن را بفرستید (در دفتر حساب می‌ماند).
panel-cu-credit-confirm =
    مبلغ { $amount } به موجودی مشتری { $customer } اضافه شود؟
    دلیل: { $reason }
panel-cu-debit-confirm =
    مبلغ { $amount } از موجودی مشتری { $customer } کسر شود؟
    دلیل: { $reason }
panel-cu-balance-posted = ✅ انجام شد. موجودی اکنون: { $balance }
panel-cu-balance-short = ⚠️ انجام نشد: موجودی نمی‌تواند این‌قدر پایین برود.
panel-cu-grant-choose = 🎁 کدام طرح به مشتری { $customer } اهدا شود؟
panel-cu-no-plans = هیچ طرح فعالی وجود ندارد.
panel-cu-plan-button = طرح { $plan } · { $days } روز
panel-cu-grant-ask = طرح { $plan } ({ $days } روز) بدون پرداخت به مشتری { $customer } داده شود؟
panel-cu-granted = ✅ اهدا شد: اشتراک در حال آماده‌سازی است.
panel-cu-days-ask = 📅 اشتراک مشتری { $customer } چند روز تمدید شود؟
panel-cu-traffic-ask = 📶 سقف حجم جدید مشتری { $customer } به گیگابایت (۰ یعنی نامحدود)؟
panel-cu-devices-ask = 📱 سقف دستگاه جدید مشتری { $customer }؟
panel-cu-extend-confirm = اشتراک مشتری { $customer } به مدت { $n } روز تمدید شود؟
panel-cu-traffic-confirm = سقف حجم مشتری { $customer } روی { $n } گیگابایت (۰ یعنی نامحدود) گذاشته شود؟
panel-cu-devices-confirm = سقف دستگاه مشتری { $customer } روی { $n } گذاشته شود؟
panel-cu-extended = ✅ تمدید شد.
panel-cu-limits-set = ✅ سقف تغییر کرد.
panel-cu-reset-ask = حجم مصرفی مشتری { $customer } صفر شود؟
panel-cu-traffic-reset = ✅ حجم صفر شد.
panel-cu-disable-ask = اشتراک مشتری { $customer } غیرفعال شود؟ تا فعال شدن دوباره کار نمی‌کند.
panel-cu-enable-ask = اشتراک مشتری { $customer } دوباره فعال شود؟
panel-cu-disabled = ⏸ اشتراک غیرفعال شد.
panel-cu-enabled = ▶️ اشتراک فعال شد.
panel-cu-group-choose = 🏷 کدام گروه تخفیف برای مشتری { $customer }؟
panel-cu-group-option = گروه { $group } · { $percent }٪
panel-cu-group-none = بدون گروه تخفیف
panel-cu-group-set = ✅ گروه تخفیف تغییر کرد.
panel-cu-message-ask = ✉️ پیام خود برای مشتری { $customer } را بفرستید.
panel-cu-message-queued = ✅ پیام در راه است.

## Payments

panel-py-receipts = 🧾 رسیدهای در انتظار بررسی (قدیمی‌ترین اول)
panel-py-no-receipts = هیچ رسیدی در انتظار بررسی نیست.
panel-py-receipt-button = رسید { $code } · { $amount }
panel-py-recent-button = 💳 پرداخت‌های اخیر
panel-py-recent = 💳 پرداخت‌های اخیر
panel-py-no-payments = هنوز پرداختی نیست.
panel-py-completed = ✅ انجام‌شده
panel-py-pending = ⏳ در انتظار
panel-py-line = • در { $when } · نوع { $kind } · { $amount } · { $method } · { $status }

## Tickets

panel-tk-title = 💬 تیکت‌های در انتظار پاسخ (جدیدترین اول)
panel-tk-none = هیچ تیکتی در انتظار پاسخ نیست.
panel-tk-line = تیکت #{ NUMBER($ticket, useGrouping: "false") } · { $status } · { $title }
panel-tk-open = در انتظار
panel-tk-answered-status = پاسخ داده شده
panel-tk-closed-status = بسته
panel-tk-customer = 👤 مشتری: { $customer }
panel-tk-from-customer = 👤 مشتری:
panel-tk-earlier = … { $count } پیام قدیمی‌تر
panel-tk-answered = ✅ پاسخ تیکت #{ NUMBER($ticket, useGrouping: "false") } فرستاده شد.
panel-tk-close-ask = تیکت #{ NUMBER($ticket, useGrouping: "false") } بسته شود؟
panel-tk-closed = ✅ تیکت #{ NUMBER($ticket, useGrouping: "false") } بسته شد.

## Audit log

panel-au-title = 📜 گزارش تغییرات (جدیدترین اول)
panel-au-none = هنوز چیزی ثبت نشده است.
panel-au-admin = مدیر { NUMBER($id, useGrouping: "false") }
panel-au-operator = اپراتور
panel-au-api = رابط برنامه‌نویسی
panel-au-line = در { $when } · { $who } · { $action } · { $target }
panel-au-entry =
    📜 مورد شمارهٔ { NUMBER($id, useGrouping: "false") }
    { $line }
    پیش از تغییر:
    { $before }
    پس از تغییر:
    { $after }
