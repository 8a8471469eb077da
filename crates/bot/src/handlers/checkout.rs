//! Checkout: the price of a plan for this customer, the payment methods the tenant offers
//! and the customer can use, paying from the balance, and card-to-card payment up to the
//! receipt (which goes to the tenant's admins, [`super::admin`]).
//!
//! Every order is priced by `Sales::quote` first, so a sale the tenant's wallet cannot
//! cover is refused before the customer pays, and the tenant's admins are told.

use chrono::{Datelike, Timelike, Utc};
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::{Error, Page, PaymentId, PlanId, Toman};
use remnabot_store::cards::PaymentCard;
use remnabot_store::outbox::NewNotification;
use remnabot_store::payments::{CardPayment, Receipt, ReceiptKind};
use remnabot_store::sales::Quote;
use remnabot_store::users::User;
use teloxide::prelude::*;
use teloxide::types::{CallbackQuery, Document, InlineKeyboardMarkup, Message};

use super::shop::{Action, Purpose, button, plan_summary};
use super::{HandlerError, HandlerResult, Shared, TenantBot, admin, answer, end_question};
use crate::calendar::format_datetime;
use crate::dialogue::DialogueState;
use crate::texts::Arg;

/// The longest text receipt: a receipt is a reference number or a short note, and admins
/// read it in a Telegram message (longer texts are refused, captions cut).
const MAX_RECEIPT_TEXT: usize = 2000;

/// A way to pay an order.
///
/// Zarinpal and Telegram Stars join here: a variant with its code, its feature flag in
/// [`Method::feature`], an availability check in [`methods_for`] and an arm in [`pay`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A transfer to one of the tenant's cards, with a receipt the admins review.
    CardToCard,
    /// The customer's balance.
    Balance,
}

impl Method {
    /// The code in callback data.
    pub fn code(self) -> &'static str {
        match self {
            Method::CardToCard => "c2c",
            Method::Balance => "bal",
        }
    }

    /// Parses a code of callback data.
    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "c2c" => Some(Method::CardToCard),
            "bal" => Some(Method::Balance),
            _ => None,
        }
    }

    /// The feature flag that offers the method, if any (the balance is always there).
    fn feature(self) -> Option<FeatureKey> {
        match self {
            Method::CardToCard => Some(FeatureKey::CardToCard),
            Method::Balance => None,
        }
    }

    /// The message id of the method's button.
    fn label_id(self) -> &'static str {
        match self {
            Method::CardToCard => "pay-card-to-card",
            Method::Balance => "pay-balance",
        }
    }
}

/// The methods this customer can pay `quote` with now: enabled by the tenant and usable
/// (card-to-card needs an active card; the balance must cover the price).
async fn methods_for(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    quote: &Quote,
) -> Result<Vec<Method>, HandlerError> {
    let mut methods = Vec::new();
    if usable(shared, bot, user, Method::CardToCard, quote).await? {
        methods.push(Method::CardToCard);
    }
    if usable(shared, bot, user, Method::Balance, quote).await? {
        methods.push(Method::Balance);
    }
    Ok(methods)
}

/// Whether `method` is on for the tenant and usable for this order.
async fn usable(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    method: Method,
    quote: &Quote,
) -> Result<bool, HandlerError> {
    if !super::feature_on(shared, bot, method.feature()).await? {
        return Ok(false);
    }
    Ok(match method {
        Method::CardToCard => {
            quote.price > Toman::ZERO
                && !shared.store.cards().list(&bot.tenant, true, Page::new(1, 0)).await?.is_empty()
        }
        // An order discounted to nothing is taken through the balance method at zero: no
        // money moves, the rest of the sale (wholesale charge, discount spent) happens once.
        Method::Balance => {
            quote.price == Toman::ZERO || shared.store.users().get(&bot.tenant, user.id).await?.balance >= quote.price
        }
    })
}

/// The quote, or `None` after telling the customer why there is none (the plan is gone, or
/// the tenant's wallet cannot cover the sale: then the admins are alerted too).
async fn quote_or_explain(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    plan: PlanId,
) -> Result<Option<Quote>, HandlerError> {
    match shared.store.sales().quote(&bot.tenant, user.id, plan).await {
        Ok(quote) => Ok(Some(quote)),
        Err(e) => {
            explain(shared, bot, user, chat, e).await?;
            Ok(None)
        }
    }
}

/// Tells the customer why a sale cannot go on, for the errors a customer can meet; other
/// errors are returned.
async fn explain(shared: &Shared, bot: &TenantBot, user: &User, chat: ChatId, e: Error) -> HandlerResult {
    let lang = user.language;
    let id = match e {
        Error::NotFound { .. } => "plan-unavailable",
        Error::TenantWalletShort { available, needed } => {
            alert_wallet_short(shared, bot, available, needed).await?;
            "sale-unavailable"
        }
        Error::NoActiveCard { .. } => "no-card-available",
        Error::InsufficientBalance { .. } => "balance-insufficient",
        Error::Invalid { .. } => "plan-unavailable",
        e => return Err(e.into()),
    };
    bot.tg.send_message(chat, shared.text(lang, id, &[])).await?;
    Ok(())
}

/// Alerts the tenant's admins that its wallet cannot cover sales, at most once an hour per
/// admin.
async fn alert_wallet_short(shared: &Shared, bot: &TenantBot, available: Toman, needed: Toman) -> HandlerResult {
    alert_admins_hourly(
        shared,
        bot,
        "wallet-short",
        "admin-wallet-short",
        &[("available", available.into()), ("needed", needed.into())],
    )
    .await?;
    tracing::warn!(bot_id = %bot.tenant.bot_id(), available = available.0, needed = needed.0, "sale refused: the tenant's wallet is short");
    Ok(())
}

/// Queues text `id` to each of the tenant's admins, at most once an hour per admin for this
/// `kind` of alert (the notification key names the hour).
///
/// # Errors
/// [`HandlerError`] when the database fails.
pub(super) async fn alert_admins_hourly(
    shared: &Shared,
    bot: &TenantBot,
    kind: &str,
    id: &str,
    args: &[(&str, Arg)],
) -> HandlerResult {
    let now = Utc::now();
    let hour = format!("{:04}{:02}{:02}{:02}", now.year(), now.month(), now.day(), now.hour());
    for (chat, lang) in admin::recipients(shared, bot).await? {
        let n = NewNotification {
            chat_id: chat,
            text: shared.text(lang, id, args),
            idempotency_key: format!("{kind}:{}:{hour}:{chat}", bot.tenant.bot_id()),
        };
        shared.store.notifications().enqueue(&bot.tenant, &n).await?;
    }
    Ok(())
}

/// The checkout of a plan: the price for this customer (with their discount) and a button
/// per payment method they can use.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn show_checkout(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    purpose: Purpose,
    plan: PlanId,
) -> HandlerResult {
    let lang = user.language;
    if !super::squads::sale_allowed(shared, bot, user, chat).await? {
        return Ok(());
    }
    let Some(quote) = quote_or_explain(shared, bot, user, chat, plan).await? else { return Ok(()) };
    let methods = methods_for(shared, bot, user, &quote).await?;
    let free = quote.price == Toman::ZERO;
    // Nothing to pay online for a free order.
    let online = if free {
        Vec::new()
    } else {
        super::online::checkout_buttons(shared, bot, lang, purpose.payment_purpose(), quote.plan.id).await?
    };
    let mut text = plan_summary(shared, lang, &quote.plan);
    text.push_str("\n\n");
    if quote.discount_percent > 0 {
        text.push_str(&shared.text(
            lang,
            "checkout-discount",
            &[
                ("percent", u32::from(quote.discount_percent).into()),
                ("list", quote.list_price.into()),
                ("price", quote.price.into()),
            ],
        ));
    } else {
        text.push_str(&shared.text(lang, "checkout-price", &[("price", quote.price.into())]));
    }
    text.push_str("\n\n");
    if methods.is_empty() && online.is_empty() {
        text.push_str(&shared.text(lang, "checkout-no-method", &[]));
        bot.tg.send_message(chat, text).await?;
        return Ok(());
    }
    text.push_str(&shared.text(lang, "checkout-choose", &[]));
    let mut buttons = methods
        .into_iter()
        .map(|m| {
            let label = if free && m == Method::Balance { "pay-free" } else { m.label_id() };
            vec![button(shared.text(lang, label, &[]), Action::Pay(m, purpose, quote.plan.id))]
        })
        .collect::<Vec<_>>();
    buttons.extend(online);
    bot.tg.send_message(chat, text).reply_markup(InlineKeyboardMarkup::new(buttons)).await?;
    Ok(())
}

/// Pays an order with `method` (a checkout button).
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
#[allow(clippy::too_many_arguments)]
pub async fn pay(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    q: &CallbackQuery,
    method: Method,
    purpose: Purpose,
    plan: PlanId,
) -> HandlerResult {
    let lang = user.language;
    // Checked again: the tenant may have switched the method off since the checkout.
    if !super::feature_on(shared, bot, method.feature()).await? {
        return answer(shared, bot, q, lang, "method-unavailable").await;
    }
    bot.tg.answer_callback_query(q.id.clone()).await?;
    // Checked again: the panel may have lost its squads since the checkout.
    if !super::squads::sale_allowed(shared, bot, user, chat).await? {
        return Ok(());
    }
    match method {
        Method::CardToCard => start_card_payment(shared, bot, user, chat, purpose, plan).await,
        Method::Balance => {
            // One payment per checkout message: a second press of its button (or a retried
            // update) replays the first instead of paying twice.
            let Some(message) = q.message.as_ref() else { return Ok(()) };
            let key = format!("{}:{}:{}", user.id, message.chat().id, message.id());
            let now = Utc::now();
            match shared
                .store
                .sales()
                .pay_from_balance(&bot.tenant, user.id, purpose.payment_purpose(), plan, &key, now)
                .await
            {
                Ok(done) => {
                    let balance = done.balance_after.unwrap_or(Toman::ZERO);
                    let id = match (done.newly_applied, done.transaction.amount == Toman::ZERO) {
                        (false, _) => "already-paid",
                        (true, true) => "paid-free",
                        (true, false) => "paid-from-balance",
                    };
                    bot.tg.send_message(chat, shared.text(lang, id, &[("balance", balance.into())])).await?;
                    Ok(())
                }
                Err(e) => explain(shared, bot, user, chat, e).await,
            }
        }
    }
}

/// Starts (or shows again) a card-to-card payment for the order and waits for the receipt.
async fn start_card_payment(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    purpose: Purpose,
    plan: PlanId,
) -> HandlerResult {
    let now = Utc::now();
    let sales = shared.store.sales();
    // A second press while the first payment still waits for its receipt shows that one:
    // one order, one transfer.
    let pending = sales.awaiting_receipt(&bot.tenant, user.id, now).await?;
    let (payment, card) = match pending {
        Some(p) if p.plan_id == Some(plan) && p.purpose == purpose.payment_purpose() => {
            let card = shared.store.cards().get(&bot.tenant, p.card_id).await?;
            (p, card)
        }
        _ => {
            // The quote first: a refused sale never creates an order.
            if quote_or_explain(shared, bot, user, chat, plan).await?.is_none() {
                return Ok(());
            }
            match sales.start_card_payment(&bot.tenant, user.id, purpose.payment_purpose(), Some(plan), None, now).await
            {
                Ok(started) => started,
                Err(e) => return explain(shared, bot, user, chat, e).await,
            }
        }
    };
    show_card_payment(shared, bot, user, chat, &payment, &card).await
}

/// Shows the customer the card to pay `payment` to (number grouped 4-4-4-4, holder, bank),
/// the exact amount, the tracking code and the deadline, and waits for the receipt. Used for
/// orders and for balance top-ups alike.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn show_card_payment(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    payment: &CardPayment,
    card: &PaymentCard,
) -> HandlerResult {
    let lang = user.language;
    let text = shared.text(
        lang,
        "card-instructions",
        &[
            ("amount", payment.amount.into()),
            ("card", card.number.grouped().into()),
            ("holder", card.holder_name.as_str().into()),
            ("bank", card.bank_name.clone().unwrap_or_else(|| "-".to_owned()).into()),
            ("code", payment.tracking_code.as_str().into()),
            ("deadline", format_datetime(lang, payment.expires_at).into()),
        ],
    );
    shared.dialogues.set(&bot.tenant, chat.0, DialogueState::AwaitingReceipt { payment: payment.id }).await?;
    let keyboard = InlineKeyboardMarkup::new(vec![vec![button(
        shared.text(lang, "card-send-receipt", &[]),
        Action::Receipt(payment.id),
    )]]);
    bot.tg.send_message(chat, text).reply_markup(keyboard).await?;
    Ok(())
}

/// "I have paid": the customer's next message is the receipt of `payment` (after they
/// went elsewhere in the menu meanwhile).
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn arm_receipt(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    q: &CallbackQuery,
    payment: PaymentId,
) -> HandlerResult {
    let lang = user.language;
    let current = match shared.store.card_payments().get(&bot.tenant, payment).await {
        Ok(p) if p.user_id == user.id => p,
        Ok(_) | Err(Error::NotFound { .. }) => return answer(shared, bot, q, lang, "button-stale").await,
        Err(e) => return Err(e.into()),
    };
    if !awaits_receipt(&current, Utc::now()) {
        return answer(shared, bot, q, lang, "receipt-not-expected").await;
    }
    bot.tg.answer_callback_query(q.id.clone()).await?;
    shared.dialogues.set(&bot.tenant, chat.0, DialogueState::AwaitingReceipt { payment }).await?;
    bot.tg.send_message(chat, shared.text(lang, "receipt-prompt", &[])).await?;
    Ok(())
}

/// Whether `payment` can still take a receipt.
fn awaits_receipt(payment: &CardPayment, now: chrono::DateTime<Utc>) -> bool {
    payment.status == remnabot_store::payments::PaymentStatus::Pending
        && payment.receipt.is_none()
        && payment.expires_at > now
}

/// What a message offers as a receipt.
enum Offered {
    /// A photo (largest size), a document or a text.
    Receipt(Receipt),
    /// A text longer than a receipt can be.
    TooLong,
    /// A document that is neither an image nor a PDF (an archive, a program, a text file...).
    WrongDocument,
    /// Anything else (stickers, voice, video, locations...).
    WrongKind,
}

/// The file extensions of images and PDFs, for a document whose type Telegram does not know.
const RECEIPT_EXTENSIONS: [&str; 8] = ["pdf", "jpg", "jpeg", "png", "webp", "heic", "heif", "gif"];

/// Whether a document can be a receipt: an image (a screenshot of the bank's app sent as a
/// file) or a PDF (the bank's own receipt). Anything else would be relayed to the tenant's
/// admins as it is, archives and programs included. The type is the one Telegram reports;
/// without it (or with the generic `application/octet-stream`) the file name's extension
/// decides.
fn is_receipt_document(doc: &Document) -> bool {
    match doc.mime_type.as_ref().filter(|m| m.essence_str() != "application/octet-stream") {
        Some(mime) => mime.type_().as_str() == "image" || mime.essence_str() == "application/pdf",
        None => doc
            .file_name
            .as_deref()
            .and_then(|name| name.rsplit_once('.'))
            .is_some_and(|(_, ext)| RECEIPT_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e))),
    }
}

fn receipt_of(msg: &Message) -> Offered {
    // Captions are short on Telegram (1,024 characters); cut anyway, never refuse a photo.
    let caption = msg.caption().map(|c| c.chars().take(MAX_RECEIPT_TEXT).collect::<String>());
    if let Some(largest) = msg.photo().and_then(|sizes| sizes.iter().max_by_key(|p| (p.width * p.height, p.file.size)))
    {
        return Offered::Receipt(Receipt {
            kind: ReceiptKind::Photo,
            file_id: Some(largest.file.id.0.clone()),
            file_unique_id: Some(largest.file.unique_id.0.clone()),
            text: caption,
        });
    }
    if let Some(doc) = msg.document() {
        if !is_receipt_document(doc) {
            return Offered::WrongDocument;
        }
        return Offered::Receipt(Receipt {
            kind: ReceiptKind::Document,
            file_id: Some(doc.file.id.0.clone()),
            file_unique_id: Some(doc.file.unique_id.0.clone()),
            text: caption,
        });
    }
    match msg.text().map(str::trim) {
        Some(text) if text.chars().count() > MAX_RECEIPT_TEXT => Offered::TooLong,
        Some(text) if !text.is_empty() => Offered::Receipt(Receipt {
            kind: ReceiptKind::Text,
            file_id: None,
            file_unique_id: None,
            text: Some(text.to_owned()),
        }),
        _ => Offered::WrongKind,
    }
}

/// A message in the `AwaitingReceipt` state: the receipt of `payment`.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn on_receipt(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    msg: &Message,
    payment: PaymentId,
) -> HandlerResult {
    let lang = user.language;
    // Otherwise the question stays open: the next photo, file or text answers it.
    let receipt = match receipt_of(msg) {
        Offered::Receipt(receipt) => receipt,
        Offered::TooLong => {
            bot.tg.send_message(chat, shared.text(lang, "receipt-too-long", &[])).await?;
            return Ok(());
        }
        Offered::WrongKind => {
            bot.tg.send_message(chat, shared.text(lang, "receipt-wrong-kind", &[])).await?;
            return Ok(());
        }
        Offered::WrongDocument => {
            bot.tg.send_message(chat, shared.text(lang, "receipt-wrong-document", &[])).await?;
            return Ok(());
        }
    };
    let now = Utc::now();
    match shared.store.sales().submit_receipt(&bot.tenant, user.id, payment, receipt, now).await {
        Ok(paid) => {
            end_question(shared, bot, chat).await?;
            let text = shared.text(lang, "receipt-received", &[("code", paid.tracking_code.as_str().into())]);
            bot.tg.send_message(chat, text).await?;
            admin::send_receipt(shared, bot, user, &paid).await
        }
        Err(Error::Invalid { .. }) => {
            bot.tg.send_message(chat, shared.text(lang, "receipt-wrong-kind", &[])).await?;
            Ok(())
        }
        Err(Error::Conflict(_) | Error::NotFound { .. }) => {
            end_question(shared, bot, chat).await?;
            bot.tg.send_message(chat, shared.text(lang, "receipt-not-expected", &[])).await?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// A private message with no question open: a photo or document is the receipt of the
/// customer's payment still waiting for one; anything else gets the "not understood" hint.
///
/// # Errors
/// [`HandlerError`] when the database or Telegram fails.
pub async fn on_idle_message(
    shared: &Shared,
    bot: &TenantBot,
    user: &User,
    chat: ChatId,
    msg: &Message,
) -> HandlerResult {
    if msg.photo().is_some() || msg.document().is_some() {
        let now = Utc::now();
        if let Some(payment) = shared.store.sales().awaiting_receipt(&bot.tenant, user.id, now).await? {
            return on_receipt(shared, bot, user, chat, msg, payment.id).await;
        }
    }
    bot.tg.send_message(chat, shared.text(user.language, "unknown-command", &[])).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(mime: Option<&str>, name: Option<&str>) -> Document {
        let mut doc = serde_json::json!({"file_id": "BQAC", "file_unique_id": "AQAD", "file_size": 10});
        if let Some(mime) = mime {
            doc["mime_type"] = mime.into();
        }
        if let Some(name) = name {
            doc["file_name"] = name.into();
        }
        serde_json::from_value(doc).unwrap_or_else(|e| panic!("a document: {e}"))
    }

    #[test]
    fn only_images_and_pdfs_are_receipt_documents() {
        for (mime, name) in [
            (Some("application/pdf"), Some("receipt.pdf")),
            (Some("image/jpeg"), Some("photo.jpg")),
            (Some("image/png"), None),
            (Some("image/heic"), Some("IMG_0001.HEIC")),
            (None, Some("receipt.PDF")),
            (Some("application/octet-stream"), Some("scan.jpeg")),
        ] {
            assert!(is_receipt_document(&document(mime, name)), "{mime:?} {name:?}");
        }
        for (mime, name) in [
            (Some("application/zip"), Some("receipt.zip")),
            (Some("text/plain"), Some("receipt.txt")),
            (Some("application/x-msdownload"), Some("receipt.pdf.exe")),
            (Some("application/vnd.android.package-archive"), Some("bank.apk")),
            (Some("text/plain"), Some("named.pdf")),
            (None, Some("receipt")),
            (None, None),
            (Some("application/octet-stream"), Some("data.bin")),
        ] {
            assert!(!is_receipt_document(&document(mime, name)), "{mime:?} {name:?}");
        }
    }

    #[test]
    fn method_codes_round_trip() {
        for m in [Method::CardToCard, Method::Balance] {
            assert_eq!(Method::parse(m.code()), Some(m));
        }
        assert_eq!(Method::parse("cash"), None);
    }
}
