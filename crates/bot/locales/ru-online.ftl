# Онлайн-оплата: Zarinpal и Telegram Stars.
pay-zarinpal = 🌐 Zarinpal (онлайн-оплата картой)
pay-stars = ⭐ Telegram Stars
zarinpal-started = Ваш заказ на { $amount } готов. Нажмите кнопку, чтобы оплатить на странице Zarinpal; после подтверждения вы получите сообщение здесь.
zarinpal-pay-button = 💳 Оплатить
zarinpal-down = ⚠️ Платёжный шлюз сейчас не отвечает. Деньги не списаны: попробуйте через несколько минут или выберите другой способ оплаты.
zarinpal-unavailable = ⚠️ Онлайн-оплата в этом магазине сейчас недоступна. Деньги не списаны: выберите, пожалуйста, другой способ оплаты. Администраторы магазина уже знают.
admin-zarinpal-account =
    ⚠️ Zarinpal отклонил мерчант-аккаунт магазина, поэтому покупатели не могут платить онлайн.
    Ответ Zarinpal: { $reason }
    Проверьте мерчант-ID (настройка zarinpal_merchant_id) и статус терминала в панели Zarinpal.
online-failed = ⚠️ Не удалось начать оплату. Попробуйте ещё раз из списка тарифов.
online-shop-unavailable = ⚠️ Этот тариф сейчас нельзя купить. Попробуйте позже.
online-top-up-failed = ⚠️ Не удалось начать пополнение. Попробуйте ещё раз из раздела баланса.
zarinpal-top-up-description = Пополнение баланса на { $amount }
online-paid = ✅ Оплата { $amount } через { $method } подтверждена. Подписка готовится, ссылка придёт в ближайшее время.
online-paid-top-up = ✅ Оплата { $amount } через { $method } подтверждена. Ваш баланс: { $balance }.
stars-invoice-title = Подписка { $plan }
stars-invoice-title-top-up = Пополнение баланса
stars-invoice-description = { $amount }, оплата { $stars } Telegram Stars.
stars-order-invalid = Этот заказ больше недействителен. Начните заново из списка тарифов.
stars-refunded = ↩️ Вам возвращено { $stars } Telegram Stars.
refund-usage = Использование: /refund_stars <id платежа>
refund-not-found = Оплаченного платежа Telegram Stars с таким id нет.
refund-already = Этот платёж уже возвращён.
refund-spent = Клиент уже потратил это пополнение; вернуть его нельзя.
refund-failed = ⚠️ Telegram отклонил возврат, поэтому ничего не возвращено и не изменено. Ответ Telegram: { $reason }
refund-pending = ⚠️ Telegram не ответил, поэтому возврат не завершён. Он зарезервирован: отправьте ту же команду ещё раз, чтобы завершить его.
online-credited-instead = ✅ Оплата { $amount } через { $method } подтверждена, но промокод, со скидкой по которому был оформлен этот заказ, тем временем ушёл на другой ваш заказ. Поэтому сумма зачислена на баланс; сейчас на нём { $balance }.
stars-paid-twice = ⚠️ Этот заказ уже был оплачен, поэтому ваш второй платёж ({ $stars } Stars, { $amount }) зачислен на баланс; сейчас на нём { $balance }. Можно попросить магазин вернуть его в Stars.
refund-done = ↩️ Возвращено { $stars } Stars, заказ отменён.
