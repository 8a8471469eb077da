# بخش‌های راه‌اندازی پنل مدیریت (طرح‌ها، کارت‌ها، کدهای تخفیف و گروه‌ها، تنظیمات) به فارسی.
#
# Every Persian line starts with a Persian word (see fa.ftl); values that may be Latin
# (names, codes, links) come after one, or on a line of their own.

## Answers to the panel's questions

panel-saved = ✅ ذخیره شد.
panel-input-not-number = ❌ لطفاً یک عدد صحیح بفرستید، مثلاً ۳۰.
panel-input-range = ❌ عدد باید از { $min } تا { $max } باشد.
panel-input-too-long = ❌ خیلی طولانی است: حداکثر { $max } نویسه.
panel-input-empty = ❌ لطفاً یک متن بفرستید.
panel-input-refused = ❌ پذیرفته نشد: { $reason }
panel-refused-range = ❌ پذیرفته نشد: باید از { $min } تا { $max } باشد.
panel-refused-code-shape = ❌ پذیرفته نشد: از { $min } تا { $max } نویسه از حروف لاتین A-Z، رقم‌های 0-9، _ و - استفاده کنید.
panel-refused-order = ❌ پذیرفته نشد: پایان باید بعد از شروع باشد.
panel-refused-repeated = ❌ پذیرفته نشد: هر مورد فقط یک بار می‌تواند بیاید.
panel-refused-gone = ❌ پیدا نشد: در این فاصله حذف شده است.
panel-refused-taken = ❌ پذیرفته نشد: این نام یا کد قبلاً استفاده شده است. یکی دیگر بفرستید.
panel-refused-retry = ❌ همزمان چیزی تغییر کرد. لطفاً دوباره تلاش کنید.
panel-refused-state = ❌ در وضعیت فعلی ممکن نیست.
panel-refused-characters = ❌ پذیرفته نشد: شکستن خط و نویسه‌های کنترلی اینجا مجاز نیست.
panel-refused-balance = ❌ موجودی کافی نیست: { $balance } موجود، { $amount } لازم.
panel-refused-wallet = ❌ کیف پول فروشگاه کافی نیست: { $balance } موجود، { $amount } لازم.
panel-refused-master = ❌ ربات اصلی را نمی‌توان غیرفعال یا حذف کرد.
panel-refused-no-card = ❌ هیچ کارت فعالی برای این پرداخت در دسترس نیست.
panel-refused-invalid = ❌ پذیرفته نشد: این مقدار خارج از حد مجاز است.

## Plans

panel-area-plans = 📦 طرح‌ها
panel-plans-title = 📦 طرح‌ها به ترتیبی که مشتریان می‌بینند
panel-plans-empty = هنوز طرحی وجود ندارد.
panel-plan-unlimited = نامحدود
panel-plan-gb = { $gb } گیگابایت
panel-plan-active = ✅ در حال فروش
panel-plan-hidden = ⛔ پنهان
panel-plan-row =
    { $place }. طرح { $name } · { $days } روز · { $traffic } · { $devices } دستگاه · { $price }
        وضعیت: { $state } · فروش: { $count }
panel-plan-page =
    📦 طرح: { $name }
    مدت: { $days } روز
    ترافیک: { $traffic }
    دستگاه‌ها: { $devices }
    قیمت: { $price }
    وضعیت: { $state } · فروش: { $count }
panel-plan-new = ➕ طرح جدید
panel-plan-new-step = ➕ طرح جدید · مرحلهٔ { $page } از { $pages }
panel-plan-editing = ✏️ ویرایش طرح { $name }
panel-plan-edit-name = ✏️ نام
panel-plan-edit-days = ✏️ مدت
panel-plan-edit-traffic = ✏️ ترافیک
panel-plan-edit-devices = ✏️ دستگاه‌ها
panel-plan-edit-price = ✏️ قیمت
panel-plan-edit-description = ✏️ توضیحات
panel-plan-ask-name = نام طرح را بفرستید (حداکثر { $max } نویسه).
panel-plan-ask-days = مدت طرح را به روز بفرستید (از { $min } تا { $max }).
panel-plan-ask-traffic = ترافیک را به گیگابایت بفرستید (از { $min } تا { $max }؛ ۰ یعنی نامحدود).
panel-plan-ask-devices = تعداد دستگاه‌ها را بفرستید (از { $min } تا { $max }).
panel-plan-ask-price = قیمت را به تومان بفرستید (از { $min } تا { $max }).
panel-plan-ask-description = توضیحات را بفرستید (حداکثر { $max } نویسه)، یا - برای بدون توضیح.
panel-plan-activate = ▶️ فروش طرح
panel-plan-deactivate = ⏸ پنهان کردن از مشتریان
panel-plan-up = ⬆️ بالاتر
panel-plan-down = ⬇️ پایین‌تر
panel-plan-delete = 🗑 حذف
panel-plan-created = ✅ طرح { $name } ساخته شد.
panel-plan-deleted = 🗑 طرح { $name } حذف شد.
panel-plan-delete-ask = طرح { $name } حذف شود؟ این کار برگشت‌پذیر نیست.
panel-plan-gone = این طرح دیگر وجود ندارد.
panel-plan-hidden-instead =
    ⚠️ طرح { $name } حذف نشد: { $subscriptions } اشتراک و { $orders } سفارش به آن مربوط‌اند.
    به جای حذف، از دید مشتریان پنهان شد.

## Cards

panel-area-cards = 💳 کارت‌ها
panel-cards-title = 💳 کارت‌های پرداخت
panel-cards-empty = هنوز کارتی وجود ندارد.
panel-card-strategy-now = چرخش کارت‌ها: { $kind }
panel-card-active = ✅ در چرخش
panel-card-inactive = ⛔ خارج از چرخش
panel-card-row =
    { $place }. کارت { $card } · { $holder }
        وضعیت: { $state } · امروز: { $count } · { $amount } · موفقیت { $rate }
panel-card-page =
    💳 کارت { $card }
    دارنده: { $holder }
    بانک: { $bank }
    وضعیت: { $state }
    وزن: { $weight }
    امروز: { $count } پرداخت · { $amount }
    سقف روزانه: { $max } پرداخت · { $limit }
    موفقیت: { $rate } ({ $paid } تأییدشده، { $failed } ناموفق)
panel-card-rate = { $percent } درصد
panel-card-no-rate = هنوز پرداختی نشده
panel-card-no-cap = بدون سقف
panel-card-new = ➕ افزودن کارت
panel-card-rotation = 🔁 چرخش کارت‌ها
panel-card-rotation-title =
    🔁 کارت مشتری بعدی چگونه انتخاب شود
    (فقط کارت‌های فعال و زیر سقف روزانه)
panel-card-strategy-round-robin = به نوبت
panel-card-strategy-random = تصادفی
panel-card-strategy-time-based = اول کم‌کارترین
panel-card-strategy-weighted = بر اساس وزن و موفقیت
panel-card-new-step = ➕ کارت جدید · مرحلهٔ { $page } از { $pages }
panel-card-ask-number = شمارهٔ ۱۶ رقمی کارت را بفرستید.
panel-card-ask-holder = نام دارندهٔ کارت را بفرستید (حداکثر { $max } نویسه).
panel-card-ask-bank = نام بانک را بفرستید (حداکثر { $max } نویسه)، یا - برای هیچ.
panel-card-ask-weight = وزن کارت در چرخش وزنی را بفرستید (از { $min } تا { $max }).
panel-card-ask-count-cap = بیشترین تعداد پرداخت در روز را بفرستید (از { $min } تا { $max })، یا ۰ برای بدون سقف.
panel-card-ask-amount-cap = بیشترین مبلغ روزانه به تومان را بفرستید (از { $min } تا { $max })، یا ۰ برای بدون سقف.
panel-card-bad-number = ❌ این شمارهٔ کارت معتبر نیست: باید ۱۶ رقم باشد و رقم کنترلی آن درست باشد. اشتباه تایپی را بررسی کنید.
panel-card-editing = ✏️ ویرایش کارت { $card }
panel-card-created = ✅ کارت { $card } افزوده شد.
panel-card-edit-holder = ✏️ دارنده
panel-card-edit-bank = ✏️ بانک
panel-card-edit-weight = ⚖️ وزن
panel-card-edit-count-cap = 🔢 سقف تعداد روزانه
panel-card-edit-amount-cap = 💰 سقف مبلغ روزانه
panel-card-activate = ▶️ ورود به چرخش
panel-card-deactivate = ⏸ خروج از چرخش
panel-card-gone = این کارت دیگر وجود ندارد.

## Settings

panel-area-settings = ⚙️ تنظیمات
panel-set-values =
    ⚙️ تنظیمات
    👋 متن خوش‌آمد: { $text }
    🌐 زبان‌ها: { $language }
    🆘 پشتیبانی: { $contact }
    👮 مدیران: { $admin }
    💬 گروه مدیران: { $chat }
    🎁 دورهٔ آزمایشی: { $days } روز · { $gb } گیگابایت (۰ یعنی نامحدود) · { $devices } دستگاه
    ⏱ مهلت پرداخت کارت به کارت: { $minutes } دقیقه
    🧾 مهلت بررسی رسید: { $hours } ساعت
    🤝 پاداش معرفی: { $percent }٪
panel-set-unset = (تنظیم نشده)
panel-set-welcome = 👋 متن خوش‌آمد
panel-set-languages = 🌐 زبان‌ها
panel-set-support = 🆘 پشتیبانی
panel-set-admins = 👮 مدیران
panel-set-admin-chat = 💬 گروه مدیران
panel-set-trial = 🎁 دورهٔ آزمایشی
panel-set-card-minutes = ⏱ مهلت پرداخت
panel-set-review-hours = 🧾 مهلت بررسی
panel-set-referral = 🤝 پاداش معرفی
panel-set-ask-welcome = متن خوش‌آمد تازه برای /start را بفرستید (حداکثر { $max } نویسه).
panel-set-ask-languages = کد زبان‌هایی را که مشتریان می‌توانند انتخاب کنند بفرستید، اولی پیش‌فرض است؛ مثلاً: fa en ru
panel-set-ask-support = راه ارتباط با پشتیبانی را بفرستید: یک @username یا پیوند (حداکثر { $max } نویسه).
panel-set-ask-admins = شناسه‌های تلگرام مدیران فروشگاه را با فاصله بفرستید. شناسهٔ خودتان باید در فهرست بماند.
panel-set-ask-admin-chat = شناسهٔ گروهی را که رسیدها و تیکت‌ها به آن می‌رسد بفرستید (شناسهٔ گروه با -100 شروع می‌شود).
panel-set-ask-trial = دورهٔ آزمایشی را با سه عدد بفرستید: روز، گیگابایت (۰ یعنی نامحدود) و دستگاه؛ مثلاً: 1 1 1
panel-set-ask-card-minutes = چند دقیقه مشتری برای پرداخت کارت به کارت و فرستادن رسید وقت دارد؟ عدد را بفرستید.
panel-set-ask-review-hours = چند ساعت مدیران برای بررسی رسید وقت دارند؟ عدد را بفرستید.
panel-set-ask-referral = درصدی از پرداخت‌های مشتری دعوت‌شده که به معرف داده می‌شود را بفرستید (از ۰ تا ۱۰۰).
panel-set-clear-hint = یا - بفرستید تا حذف شود و پیش‌فرض به کار رود.
panel-set-admins-self = شناسهٔ خودتان باید در فهرست مدیران بماند.
panel-set-unknown-language = زبان `{ $code }` پشتیبانی نمی‌شود: از fa، en یا ru استفاده کنید.
panel-set-trial-shape = سه عدد صحیح با فاصله بفرستید: روز، گیگابایت و دستگاه.
panel-set-features = 🧩 امکانات مشتریان
panel-set-features-title = 🧩 امکانات مشتریان: برای روشن یا خاموش کردن، روی هر کدام بزنید.
panel-feature-card-to-card = کارت به کارت
panel-feature-zarinpal = زرین‌پال
panel-feature-stars = ستارهٔ تلگرام
panel-feature-trial = دورهٔ آزمایشی رایگان
panel-feature-referral = معرفی دوستان
panel-feature-promo-codes = کد تخفیف
panel-feature-support = تیکت پشتیبانی
panel-feature-auto-renewal = تمدید خودکار

## Promo codes and groups

panel-area-promos = 🎟 تخفیف‌ها
panel-promos-title =
    🎟 تخفیف‌ها
    کدهای تخفیف: { $count } · گروه‌های تخفیف: { $groups }
panel-promo-codes = 🎟 کدهای تخفیف
panel-promo-groups = 👥 گروه‌های تخفیف
panel-promo-codes-title = 🎟 کدهای تخفیف، تازه‌ترین اول
panel-promo-codes-empty = هنوز کد تخفیفی وجود ندارد.
panel-promo-gives-balance = { $amount } موجودی
panel-promo-gives-days = { $days } روز اضافه
panel-promo-gives-discount = { $percent }٪ تخفیف سفارش بعدی
panel-promo-uses = { $count } از { $max }
panel-promo-uses-unlimited = { $count } از نامحدود
panel-promo-active = ✅ فعال
panel-promo-inactive = ⛔ غیرفعال
panel-promo-code-row =
    { $place }. کد { $code } · { $kind }
        استفاده: { $uses } · { $state }
panel-promo-code-page =
    🎟 کد { $code }
    جایزه: { $kind }
    استفاده: { $uses }
    اعتبار از: { $since }
    اعتبار تا: { $until }
    وضعیت: { $state }
panel-promo-new-code = ➕ کد تازه
panel-promo-choose-kind = ➕ کد تخفیف تازه: چه چیزی می‌دهد؟
panel-promo-kind-balance = 💰 موجودی
panel-promo-kind-days = 📅 روز اضافه
panel-promo-kind-discount = 🏷 درصد تخفیف
panel-promo-new-step = ➕ کد تخفیف تازه · مرحلهٔ { $page } از { $pages }
panel-promo-ask-code = کد را بفرستید: ۳ تا ۶۴ نویسه از حروف A-Z، رقم، _ یا -.
panel-promo-ask-balance = مبلغ موجودی را به تومان بفرستید (از { $min } تا { $max }).
panel-promo-ask-days = تعداد روزهای اضافه را بفرستید (از { $min } تا { $max }).
panel-promo-ask-percent = درصد تخفیف را بفرستید (از { $min } تا { $max }).
panel-promo-ask-uses = تعداد کل دفعات استفاده را بفرستید (از { $min } تا { $max }؛ ۰ یعنی نامحدود).
panel-promo-ask-from = نخستین روز اعتبار را به شکل ۱۴۰۵-۰۱-۰۱ (یا میلادی 2026-03-21) بفرستید، یا - برای از همین حالا.
panel-promo-ask-until = روز پایان اعتبار را به شکل ۱۴۰۵-۰۲-۰۱ (یا میلادی 2026-04-21) بفرستید، یا - برای همیشگی.
panel-promo-bad-date = ❌ این تاریخ نیست: آن را به شکل سال-ماه-روز بفرستید، مثلاً ۱۴۰۵-۰۱-۰۱، یا -.
panel-promo-created = ✅ کد تخفیف { $code } ساخته شد.
panel-promo-activate = ▶️ فعال کردن
panel-promo-deactivate = ⏸ غیرفعال کردن
panel-promo-gone = این کد تخفیف دیگر وجود ندارد.
panel-promo-groups-title = 👥 گروه‌های تخفیف: مشتریان هر گروه روی همهٔ سفارش‌ها تخفیف می‌گیرند
panel-promo-groups-empty = هنوز گروه تخفیفی وجود ندارد.
panel-promo-group-row = { $place }. گروه { $name } · { $percent }٪ تخفیف
panel-promo-new-group = ➕ گروه تخفیف تازه
panel-promo-ask-group-name = نام گروه را بفرستید (حداکثر { $max } نویسه).
panel-promo-ask-group-percent = درصد تخفیف گروه را بفرستید (از ۰ تا ۱۰۰).
panel-promo-group-created = ✅ گروه تخفیف { $name } ساخته شد. مشتریان از صفحهٔ خودشان به آن افزوده می‌شوند.
