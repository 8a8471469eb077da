# پنل مدیریت فروشنده (/admin) به فارسی.
#
# Every Persian line starts with a Persian word (see fa.ftl); values that may be Latin
# (names, codes, links) come after one, or on a line of their own.

## Opening and moving around

menu-admin = 🛠 پنل مدیریت

panel-home-title =
    🛠 پنل مدیریت · { $name }
    یک بخش را انتخاب کنید:
panel-back = ↩️ بازگشت
panel-home = 🏠 خانه
panel-previous = ◀️ قبلی
panel-next = بعدی ▶️
panel-page-button = { $page } از { $pages }
panel-page = صفحهٔ { $page } از { $pages } · مجموعاً { $count } مورد
panel-confirm = ✅ تأیید
panel-cancel = ✖️ انصراف
panel-done = ✅ انجام شد
panel-refresh = 🔄 به‌روزرسانی

## Areas (buttons of the Home screen)

panel-area-dashboard = 📊 داشبورد

## Sale methods

panel-method-card = کارت به کارت
panel-method-zarinpal = زرین‌پال
panel-method-stars = ستارهٔ تلگرام
panel-method-balance = موجودی
panel-method-free = رایگان

## Dashboard

panel-dash-title = 📊 داشبورد
panel-dash-today = 📅 امروز
panel-dash-week = 📅 ۷ روز گذشته
panel-dash-month = 📅 ۳۰ روز گذشته
panel-dash-sales = فروش: { $count } · { $amount }
panel-dash-method = • روش { $method }: { $count } · { $amount }
panel-dash-new-customers = مشتریان جدید: { $count }
panel-dash-trials = اشتراک‌های آزمایشی: { $count } · پرداخت پس از آن: { $paid } ({ $percent }٪)
panel-dash-no-trials = اشتراک آزمایشی: هیچ
panel-dash-subscriptions =
    📱 اشتراک‌ها
    فعال: { $active } · پایان تا ۳ روز آینده: { $expiring }
    منقضی: { $expired } · غیرفعال‌شده: { $disabled }
panel-dash-waiting = 🧾 رسیدهای در انتظار بررسی: { $receipts } · 💬 تیکت‌های باز: { $tickets }
panel-dash-wallet = 💼 کیف پول: { $amount } · سقف اعتبار: { $limit }
panel-dash-covers = با سرعت فروش ۷ روز گذشته، حدود { $days } روز فروش را پوشش می‌دهد.
panel-dash-covers-unknown = در ۷ روز گذشته هزینهٔ عمده‌فروشی کسر نشده است.
