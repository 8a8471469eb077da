# بخش نمایندگان در پنل ربات اصلی (فقط برای اپراتور)، به فارسی.

panel-area-resellers = 🏪 نمایندگان
panel-rs-title = 🏪 نمایندگان (آمار ۳۰ روز اخیر)
panel-rs-empty = هنوز نماینده‌ای نیست.
panel-rs-searching = 🔎 نتایج «{ $search }»
panel-rs-row =
    { $place }. نماینده { $name } { $username } · { $health }
    کیف پول { $balance } (اعتبار { $limit }) · { $customers } مشتری · { $sales } فروش · عمده { $wholesale }
panel-rs-health-running = 🟢 در حال اجرا
panel-rs-health-paused = ⏸ متوقف
panel-rs-health-starting = ⏳ در حال شروع
panel-rs-health-failing = 🔴 توکن رد شد: { $reason }
panel-rs-active = فعال
panel-rs-inactive = غیرفعال
panel-rs-page =
    🏪 نماینده { $name } { $username }
    سلامت: { $health }
    وضعیت: { $state }
    کیف پول: { $balance } (سقف اعتبار { $limit })
    مشتریان: { $customers }
    مدیران: { $admins }
    ۳۰ روز اخیر: { $sales } فروش، { $revenue }؛ هزینه عمده { $wholesale }
panel-rs-add = ➕ افزودن نماینده
panel-rs-find = 🔎 جستجو
panel-rs-find-ask = نام یا @نام‌کاربری را برای جستجو بفرستید.
panel-rs-open = 🏪 صفحه نماینده
panel-rs-gone = این نماینده دیگر وجود ندارد.
panel-rs-add-ask =
    توکن ربات نماینده را از @BotFather بفرستید و بعد از آن (در همان پیام) نامی برای فروشگاه.
    مثال: 123456789:AAH... وی‌پی‌ان علی
    پیام بلافاصله پس از خواندن حذف می‌شود.
panel-rs-token-shape = ❌ این توکن ربات نیست. شکل آن مانند 123456789:AAH... است (رقم، دونقطه و ۳۵ حرف).
panel-rs-token-taken = ❌ ربات دیگری از این توکن استفاده می‌کند. چیزی ساخته نشد.
panel-rs-token-refused = ❌ تلگرام این توکن را نپذیرفت (باطل شده یا اشتباه است). چیزی ساخته نشد.
panel-rs-telegram-down = ❌ دسترسی به تلگرام ممکن نشد. چیزی ساخته نشد؛ لطفاً دوباره تلاش کنید.
panel-rs-created =
    ✅ نماینده { $name } { $username } افزوده شد و تا چند ثانیه دیگر شروع به کار می‌کند.
    توکن API آن که فقط همین یک بار نمایش داده می‌شود: { $token }
panel-rs-activate = ▶️ فعال کردن
panel-rs-deactivate = ⏸ غیرفعال کردن
panel-rs-activated = ✅ فعال شد: ربات دوباره کار می‌کند و توکن API آن معتبر است.
panel-rs-deactivated = ⏸ غیرفعال شد: ربات فقط اعلام می‌کند در دسترس نیست و توکن API آن دیگر کار نمی‌کند.
panel-rs-rotate = 🔑 توکن API جدید
panel-rs-rotate-ask = برای { $name } توکن API جدید ساخته شود؟ توکن فعلی بلافاصله از کار می‌افتد.
panel-rs-rotated = 🔑 توکن API جدید { $name } که فقط همین یک بار نمایش داده می‌شود: { $token }
panel-rs-limit = 💳 سقف اعتبار
panel-rs-limit-ask = کیف پول { $name } تا چند تومان می‌تواند منفی شود (اکنون { $limit }؛ از { $min } تا { $max })؟
panel-rs-delete = 🗑 حذف
panel-rs-delete-ask =
    نماینده { $name } حذف شود؟ ربات آن متوقف و همه داده‌هایش پاک می‌شود: { $customers } مشتری با اشتراک‌ها و پرداخت‌هایشان، پلن‌ها، کارت‌ها، کدهای تخفیف، تیکت‌ها، تنظیمات و کیف پول ({ $balance }). این کار برگشت‌پذیر نیست.
panel-rs-delete-continue = ادامه
panel-rs-delete-again = ⚠️ تأیید نهایی: { $name } و همه آنچه دارد حذف شود؟
panel-rs-delete-unconfirmed = چیزی حذف نشد: از همین صفحه دو بار تأیید کنید.
panel-rs-deleted = 🗑 نماینده { $name } حذف شد.
panel-rs-credit = ➕ افزایش کیف پول
panel-rs-debit = ➖ کاهش کیف پول
panel-rs-token = 🤖 تعویض توکن ربات
panel-rs-admins = 👤 مدیران
panel-rs-credit-ask = چند تومان به کیف پول { $name } افزوده شود (اکنون { $balance }؛ از { $min } تا { $max })؟
panel-rs-debit-ask = چند تومان از کیف پول { $name } کسر شود (اکنون { $balance }؛ از { $min } تا { $max })؟
panel-rs-wallet-reason-ask = علت { $amount } چیست؟ دلیل را بفرستید (در تاریخچه کیف پول می‌ماند).
panel-rs-credit-confirm = مبلغ { $amount } به کیف پول { $name } افزوده شود؟ دلیل: { $reason }
panel-rs-debit-confirm = مبلغ { $amount } از کیف پول { $name } کسر شود؟ دلیل: { $reason }
panel-rs-wallet-posted = ✅ ثبت شد. موجودی کیف پول اکنون { $balance } است.
panel-rs-token-ask = توکن جدید ربات { $name } را از @BotFather بفرستید. پیام بلافاصله پس از خواندن حذف می‌شود.
panel-rs-token-replaced = ✅ توکن ربات عوض شد؛ ربات تا چند ثانیه دیگر با آن دوباره شروع می‌کند.
panel-rs-admins-ask = شناسه‌های تلگرام مدیران { $name } را (اول مالک) با فاصله یا ویرگول جدا کنید و بفرستید.
panel-rs-figures = 📊 آمار پلتفرم
panel-rs-figures-title = 📊 همه ربات‌ها، { $days } روز اخیر (UTC):
panel-rs-figures-day = روز { $day }: { $sales } فروش، { $revenue }
panel-rs-figures-totals = مشتریان: { $customers } · اشتراک‌های فعال: { $active }
panel-rs-figures-low = نمایندگانی که کیف پولشان کمتر از { $days } روز فروش را پوشش می‌دهد: { $count }
panel-rs-figures-low-row = ⚠️ نماینده { $name }: { $cover } روز باقی مانده (کیف پول { $balance })
