//! Exercises `FakeTelegram` with a real `teloxide::Bot` and with raw HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use remnabot_testkit::FakeTelegram;
use remnabot_testkit::telegram::{FakeFailure, FakeUser, MemberStatus};
use serde_json::{Value, json};
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{
    ChatMember, File, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, LabeledPrice, MaybeInaccessibleMessage,
    Me, MessageId, ParseMode, ReplyParameters, UpdateKind, WebhookInfo,
};
use teloxide::{ApiError, RequestError};

const TOKEN: &str = "111111:AAA-first-bot";
const OTHER: &str = "222222:BBB-second-bot";
const WAIT: Duration = Duration::from_secs(5);

fn bot(fake: &FakeTelegram, token: &str) -> Bot {
    Bot::new(token).set_api_url(url::Url::parse(&fake.url()).unwrap())
}

async fn started() -> FakeTelegram {
    let fake = FakeTelegram::start().await;
    fake.add_bot(TOKEN);
    fake
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap()
}

/// POSTs a JSON body to `/bot{token}/{method}`; returns the status and the JSON answer.
async fn raw(fake: &FakeTelegram, token: &str, method: &str, body: Value) -> (u16, Value) {
    let resp = client().post(format!("{}/bot{token}/{method}", fake.url())).json(&body).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

/// POSTs a raw body with a content type.
async fn raw_body(fake: &FakeTelegram, token: &str, method: &str, content_type: &str, body: &str) -> (u16, Value) {
    let resp = client()
        .post(format!("{}/bot{token}/{method}", fake.url()))
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

fn keyboard() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![
        vec![InlineKeyboardButton::callback("Buy 1 month", "buy:1"), InlineKeyboardButton::callback("Trial", "trial")],
        vec![InlineKeyboardButton::url("Support", url::Url::parse("https://t.me/support").unwrap())],
    ])
}

// ----- basics ---------------------------------------------------------------------------------

#[tokio::test]
async fn get_me_returns_the_registered_bot_with_username_bot_and_its_id() {
    let fake = started().await;
    assert_eq!(fake.add_bot(OTHER), 222_222);
    let me = bot(&fake, TOKEN).get_me().await.unwrap();
    assert_eq!(me.id, UserId(111_111));
    assert!(me.is_bot);
    assert_eq!(me.username(), "bot111111");
    assert_eq!(me.first_name, "Bot111111");
    assert!(me.can_join_groups);
}

#[tokio::test]
async fn send_message_with_an_inline_keyboard_returns_a_full_message_and_lands_in_the_transcript() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let msg = bot
        .send_message(ChatId(42), "<b>Plans</b>")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard())
        .await
        .unwrap();
    assert_eq!(msg.chat.id, ChatId(42));
    assert!(msg.chat.is_private());
    assert_eq!(msg.chat.username(), Some("user42"));
    assert_eq!(msg.from.as_ref().map(|u| u.id), Some(UserId(111_111)));
    assert_eq!(msg.text(), Some("<b>Plans</b>"));
    assert!((chrono::Utc::now() - msg.date).num_seconds().abs() < 60, "date is in seconds: {}", msg.date);
    let markup = msg.reply_markup().expect("inline keyboard echoed back");
    assert_eq!(markup.inline_keyboard.len(), 2);

    let transcript = fake.transcript(TOKEN, 42);
    assert_eq!(transcript.len(), 1);
    let sent = &transcript[0];
    assert_eq!(sent.method, "sendMessage");
    assert_eq!(sent.message_id, i64::from(msg.id.0));
    assert_eq!(sent.text.as_deref(), Some("<b>Plans</b>"));
    assert_eq!(sent.parse_mode.as_deref(), Some("HTML"));
    assert_eq!(sent.button_data("Buy 1 month").as_deref(), Some("buy:1"));
    assert_eq!(sent.buttons().len(), 3);
    assert_eq!(sent.buttons()[2].url.as_deref(), Some("https://t.me/support"));
    assert!(sent.is_send());

    let replied = bot.send_message(ChatId(42), "again").reply_parameters(ReplyParameters::new(msg.id)).await.unwrap();
    assert_eq!(replied.reply_to_message().map(|m| m.id), Some(msg.id));
    assert_eq!(fake.transcript(TOKEN, 42)[1].reply_to_message_id, Some(i64::from(msg.id.0)));
}

#[tokio::test]
async fn editing_and_deleting_are_recorded_after_the_send_in_order() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let first = bot.send_message(ChatId(7), "one").reply_markup(keyboard()).await.unwrap();
    let second = bot.send_message(ChatId(7), "two").await.unwrap();
    let edited = bot.edit_message_text(ChatId(7), first.id, "one, edited").await.unwrap();
    assert_eq!(edited.text(), Some("one, edited"));
    assert!(edited.edit_date().is_some());
    assert!(edited.reply_markup().is_none(), "editing text without markup drops the keyboard");
    let remarked = bot.edit_message_reply_markup(ChatId(7), first.id).reply_markup(keyboard()).await.unwrap();
    assert!(remarked.reply_markup().is_some());
    bot.delete_message(ChatId(7), second.id).await.unwrap();

    let methods: Vec<_> = fake.transcript(TOKEN, 7).iter().map(|m| (m.method.clone(), m.message_id)).collect();
    let (a, b) = (i64::from(first.id.0), i64::from(second.id.0));
    assert_eq!(
        methods,
        vec![
            ("sendMessage".to_owned(), a),
            ("sendMessage".to_owned(), b),
            ("editMessageText".to_owned(), a),
            ("editMessageReplyMarkup".to_owned(), a),
            ("deleteMessage".to_owned(), b),
        ]
    );
    assert_eq!(fake.transcript(TOKEN, 7)[3].text.as_deref(), Some("one, edited"));
    assert!(fake.message(TOKEN, 7, b).is_none());

    // Telegram's refusals.
    let err = bot.edit_message_text(ChatId(7), second.id, "gone").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::MessageToEditNotFound)), "{err:?}");
    let err = bot.delete_message(ChatId(7), second.id).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::MessageToDeleteNotFound)), "{err:?}");
    let err = bot.edit_message_text(ChatId(7), first.id, "one, edited").reply_markup(keyboard()).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::MessageNotModified)), "{err:?}");
    fake.send_text(TOKEN, 7, "a user message");
    let user_msg = fake.transcript(TOKEN, 7).len(); // unchanged: user messages are not in the transcript
    assert_eq!(user_msg, 5);
    let err = bot.edit_message_text(ChatId(7), MessageId(3), "hijack").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::MessageCantBeEdited)), "{err:?}");
}

#[tokio::test]
async fn pressing_a_button_queues_a_callback_query_that_the_bot_answers() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let msg = bot.send_message(ChatId(42), "Plans").reply_markup(keyboard()).await.unwrap();
    let query_id = fake.press_button(TOKEN, 42, i64::from(msg.id.0), "buy:1").unwrap();

    let updates = bot.get_updates().await.unwrap();
    assert_eq!(updates.len(), 1);
    let UpdateKind::CallbackQuery(query) = &updates[0].kind else { panic!("not a callback query: {:?}", updates[0]) };
    assert_eq!(query.id.0, query_id);
    assert_eq!(query.data.as_deref(), Some("buy:1"));
    assert_eq!(query.from.id, UserId(42));
    assert!(!query.chat_instance.is_empty());
    let message = query.regular_message().expect("an accessible message");
    assert_eq!(message.id, msg.id);
    assert_eq!(message.text(), Some("Plans"));

    bot.answer_callback_query(query.id.clone()).text("Added to cart").show_alert(true).await.unwrap();
    let answers = fake.callback_answers(TOKEN);
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].callback_query_id, query_id);
    assert_eq!(answers[0].text.as_deref(), Some("Added to cart"));
    assert!(answers[0].show_alert);
    let err = bot.answer_callback_query(query.id.clone()).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::InvalidQueryId)), "answering twice: {err:?}");

    // Checked presses refuse buttons that do not exist; unchecked ones go through.
    assert!(fake.press_button(TOKEN, 42, i64::from(msg.id.0), "nope").is_err());
    assert!(fake.press_button(TOKEN, 42, 999, "buy:1").is_err());
    fake.press_button_unchecked(TOKEN, 42, 999, "stale").unwrap();
    let updates = bot.get_updates().offset(updates[0].id.0 as i32 + 1).await.unwrap();
    let UpdateKind::CallbackQuery(stale) = &updates[0].kind else { panic!("{:?}", updates[0]) };
    assert!(matches!(stale.message, Some(MaybeInaccessibleMessage::Inaccessible(_))));
}

// ----- polling and webhooks -------------------------------------------------------------------

#[tokio::test]
async fn get_updates_long_polls_until_an_injected_text_arrives() {
    let fake = Arc::new(started().await);
    let bot = bot(&fake, TOKEN);
    let injector = {
        let fake = Arc::clone(&fake);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            fake.send_text_as(TOKEN, &FakeUser::new(42).with_language("fa"), "/start ref_7")
        })
    };
    let started_at = Instant::now();
    let updates = bot.get_updates().timeout(10).await.unwrap();
    let waited = started_at.elapsed();
    assert!(waited >= Duration::from_millis(250) && waited < Duration::from_secs(5), "waited {waited:?}");
    let update_id = injector.await.unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(i64::from(updates[0].id.0), update_id);
    let UpdateKind::Message(msg) = &updates[0].kind else { panic!("{:?}", updates[0]) };
    assert_eq!(msg.text(), Some("/start ref_7"));
    assert_eq!(msg.chat.id, ChatId(42));
    let from = msg.from.as_ref().unwrap();
    assert_eq!(from.language_code.as_deref(), Some("fa"));
    assert_eq!(from.username.as_deref(), Some("user42"));
    assert_eq!(msg.entities().map(<[_]>::len), Some(1));

    // An empty long poll returns [] after the timeout.
    let started_at = Instant::now();
    let none = bot.get_updates().offset(update_id as i32 + 1).timeout(1).await.unwrap();
    assert!(none.is_empty());
    assert!(started_at.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn get_updates_confirms_updates_below_the_offset() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let a = fake.send_text(TOKEN, 1, "a");
    let b = fake.send_text(TOKEN, 2, "b");
    let all = bot.get_updates().await.unwrap();
    assert_eq!(all.iter().map(|u| i64::from(u.id.0)).collect::<Vec<_>>(), vec![a, b]);
    assert_eq!(bot.get_updates().await.unwrap().len(), 2, "nothing confirmed without an offset");
    let rest = bot.get_updates().offset(b as i32).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(fake.pending_updates(TOKEN), 1);
    assert!(bot.get_updates().offset(b as i32 + 1).await.unwrap().is_empty());
    assert_eq!(fake.pending_updates(TOKEN), 0);
    let limited = {
        fake.send_text(TOKEN, 1, "c");
        fake.send_text(TOKEN, 1, "d");
        bot.get_updates().limit(1).await.unwrap()
    };
    assert_eq!(limited.len(), 1);
}

#[tokio::test]
async fn a_second_get_updates_terminates_the_first_with_a_conflict() {
    let fake = started().await;
    let first = {
        let bot = bot(&fake, TOKEN);
        tokio::spawn(async move { bot.get_updates().timeout(10).await })
    };
    assert!(fake.wait_until(WAIT, |f| !f.calls_of(TOKEN, "getUpdates").is_empty()).await, "first poll arrived");
    let second = {
        let bot = bot(&fake, TOKEN);
        tokio::spawn(async move { bot.get_updates().timeout(1).await })
    };
    let err = first.await.unwrap().unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::TerminatedByOtherGetUpdates)), "{err:?}");
    assert!(second.await.unwrap().unwrap().is_empty());
}

/// One webhook delivery: the secret header and the update.
type Delivery = (Option<String>, Value);

/// A webhook receiver recording deliveries and answering a settable status.
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<Delivery>>>,
    status: Arc<AtomicU16>,
}

async fn receive(State(rx): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    let secret = headers.get("x-telegram-bot-api-secret-token").map(|v| v.to_str().unwrap().to_owned());
    rx.seen.lock().unwrap().push((secret, serde_json::from_str(&body).unwrap()));
    StatusCode::from_u16(rx.status.load(Ordering::SeqCst)).unwrap()
}

async fn start_receiver() -> (String, Receiver) {
    let rx = Receiver::default();
    rx.status.store(200, Ordering::SeqCst);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = Router::new().route("/hook", post(receive)).with_state(rx.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

#[tokio::test]
async fn set_webhook_delivers_updates_to_the_receiver_with_the_secret_header() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let pending = fake.send_text(TOKEN, 42, "sent before the webhook");
    let (url, rx) = start_receiver().await;
    bot.set_webhook(url::Url::parse(&url).unwrap()).secret_token("s3cr3t_Token-1".to_owned()).await.unwrap();
    assert_eq!(fake.webhook_url(TOKEN).as_deref(), Some(url.as_str()));
    let later = fake.send_text(TOKEN, 42, "sent after");

    assert!(fake.wait_until(WAIT, |f| f.pending_updates(TOKEN) == 0).await);
    let seen = rx.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for (secret, _) in &seen {
        assert_eq!(secret.as_deref(), Some("s3cr3t_Token-1"));
    }
    let ids: Vec<i64> = seen.iter().map(|(_, u)| u["update_id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![pending, later], "in order");
    let update: Update = serde_json::from_str(&seen[1].1.to_string()).unwrap();
    assert!(matches!(&update.kind, UpdateKind::Message(m) if m.text() == Some("sent after")));
    assert_eq!(fake.webhook_statuses(TOKEN), vec![200, 200]);

    let info: WebhookInfo = bot.get_webhook_info().await.unwrap();
    assert_eq!(info.url.map(|u| u.to_string()), Some(url.clone()));
    assert_eq!(info.pending_update_count, 0);
    assert!(!info.has_custom_certificate);

    bot.delete_webhook().await.unwrap();
    assert_eq!(fake.webhook_url(TOKEN), None);
    fake.send_text(TOKEN, 42, "polled again");
    assert_eq!(bot.get_updates().await.unwrap().len(), 1);
}

#[tokio::test]
async fn webhook_failures_are_retried_and_their_statuses_recorded() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let (url, rx) = start_receiver().await;
    rx.status.store(500, Ordering::SeqCst);
    bot.set_webhook(url::Url::parse(&url).unwrap()).await.unwrap();
    fake.send_text(TOKEN, 42, "will fail");
    assert!(fake.wait_until(WAIT, |f| f.webhook_statuses(TOKEN).len() == 3).await);
    assert_eq!(fake.webhook_statuses(TOKEN), vec![500, 500, 500]);
    assert!(fake.wait_until(WAIT, |f| f.pending_updates(TOKEN) == 0).await, "dropped after the retries");
    let info = bot.get_webhook_info().await.unwrap();
    assert_eq!(info.last_error_message.as_deref(), Some("Wrong response from the webhook: 500"));
    assert!(info.last_error_date.is_some());
    assert_eq!(rx.seen.lock().unwrap().len(), 3);
    assert!(rx.seen.lock().unwrap().iter().all(|(secret, _)| secret.is_none()), "no secret set, no header");

    rx.status.store(200, Ordering::SeqCst);
    fake.send_text(TOKEN, 42, "will pass");
    assert!(fake.wait_until(WAIT, |f| f.webhook_statuses(TOKEN).len() == 4).await);
    assert_eq!(fake.webhook_statuses(TOKEN)[3], 200);
}

#[tokio::test]
async fn get_updates_conflicts_while_a_webhook_is_set() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let polling = {
        let bot = bot.clone();
        tokio::spawn(async move { bot.get_updates().timeout(10).await })
    };
    assert!(fake.wait_until(WAIT, |f| !f.calls_of(TOKEN, "getUpdates").is_empty()).await, "first poll arrived");
    let (url, _rx) = start_receiver().await;
    bot.set_webhook(url::Url::parse(&url).unwrap()).await.unwrap();
    let err = polling.await.unwrap().unwrap_err();
    assert!(
        matches!(&err, RequestError::Api(ApiError::Unknown(d)) if d == "Conflict: terminated by setWebhook request"),
        "{err:?}"
    );
    let (status, body) = raw(&fake, TOKEN, "getUpdates", json!({})).await;
    assert_eq!(status, 409);
    assert_eq!(body["error_code"], 409);
    assert!(body["description"].as_str().unwrap().starts_with("Conflict: can't use getUpdates method while webhook"));
}

#[tokio::test]
async fn allowed_updates_filters_updates_the_bot_did_not_ask_for() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    bot.get_updates().allowed_updates(vec![teloxide::types::AllowedUpdate::Message]).await.unwrap();
    fake.send_pre_checkout_query(TOKEN, 42, "XTR", 100, "order-1");
    fake.send_text(TOKEN, 42, "kept");
    let updates = bot.get_updates().await.unwrap();
    assert_eq!(updates.len(), 1);
    assert!(matches!(updates[0].kind, UpdateKind::Message(_)));
}

// ----- errors and fault injection -------------------------------------------------------------

#[tokio::test]
async fn injected_429_surfaces_as_retry_after_in_teloxide() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    fake.fail_next(TOKEN, "sendMessage", 2, FakeFailure::RetryAfter(3));
    for _ in 0..2 {
        let err = bot.send_message(ChatId(42), "hi").await.unwrap_err();
        assert!(matches!(err, RequestError::RetryAfter(s) if s.seconds() == 3), "{err:?}");
    }
    bot.send_message(ChatId(42), "hi").await.unwrap();
    assert_eq!(fake.transcript(TOKEN, 42).len(), 1, "failed calls leave no message");
    assert_eq!(fake.calls_of(TOKEN, "sendmessage").len(), 3, "but are recorded as calls");

    let (status, body) = {
        fake.fail_next(TOKEN, "*", 1, FakeFailure::RetryAfter(7));
        raw(&fake, TOKEN, "getMe", json!({})).await
    };
    assert_eq!(status, 429);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 7",
               "parameters": {"retry_after": 7}})
    );
}

#[tokio::test]
async fn injected_server_errors_and_api_errors_answer_their_status() {
    let fake = started().await;
    fake.fail_next(TOKEN, "getMe", 1, FakeFailure::ServerError(502));
    let (status, body) = raw(&fake, TOKEN, "getMe", json!({})).await;
    assert_eq!(status, 502);
    assert_eq!(body, json!({"ok": false, "error_code": 502, "description": "Bad Gateway"}));
    let (status, _) = raw(&fake, TOKEN, "getMe", json!({})).await;
    assert_eq!(status, 200);

    fake.fail_next(
        TOKEN,
        "sendMessage",
        1,
        FakeFailure::Api { code: 403, description: "Forbidden: bot was blocked by the user".into() },
    );
    let err = bot(&fake, TOKEN).send_message(ChatId(42), "hi").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::BotBlocked)), "{err:?}");
}

#[tokio::test]
async fn unknown_and_revoked_tokens_are_invalid_token_errors() {
    let fake = started().await;
    let err = bot(&fake, "999:nobody").get_me().await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::InvalidToken)), "{err:?}");
    let (status, body) = raw(&fake, "999:nobody", "getMe", json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(body, json!({"ok": false, "error_code": 401, "description": "Unauthorized"}));

    let bot = bot(&fake, TOKEN);
    bot.get_me().await.unwrap();
    fake.revoke_bot(TOKEN);
    let err = bot.get_me().await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::InvalidToken)), "{err:?}");
    fake.add_bot(TOKEN);
    bot.get_me().await.unwrap();
}

#[tokio::test]
async fn a_long_poll_of_a_revoked_bot_ends_with_unauthorized() {
    let fake = Arc::new(started().await);
    let polling = {
        let bot = bot(&fake, TOKEN);
        tokio::spawn(async move { bot.get_updates().timeout(10).await })
    };
    assert!(fake.wait_until(WAIT, |f| !f.calls_of(TOKEN, "getUpdates").is_empty()).await, "first poll arrived");
    fake.revoke_bot(TOKEN);
    let err = tokio::time::timeout(WAIT, polling).await.unwrap().unwrap().unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::InvalidToken)), "{err:?}");
}

#[tokio::test]
async fn method_names_match_case_insensitively() {
    let fake = started().await;
    for method in ["sendmessage", "SendMessage", "sendMessage", "SENDMESSAGE"] {
        let (status, body) = raw(&fake, TOKEN, method, json!({"chat_id": 5, "text": method})).await;
        assert_eq!(status, 200, "{method}: {body}");
        assert_eq!(body["ok"], true);
        assert_eq!(body["result"]["text"], method);
    }
    let methods: Vec<_> = fake.calls(TOKEN).into_iter().map(|(m, _)| m).collect();
    assert_eq!(methods, vec!["sendMessage"; 4], "calls use the canonical name");
    let resp = client().get(format!("{}/bot{TOKEN}/GETME", fake.url())).send().await.unwrap();
    assert_eq!(resp.status(), 200, "GET works too");
}

#[tokio::test]
async fn form_encoded_and_query_string_parameters_are_accepted() {
    let fake = started().await;
    let markup = r#"{"inline_keyboard":[[{"text":"Go","callback_data":"go"}]]}"#;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("chat_id", "77")
        .append_pair("text", "from a form & friends")
        .append_pair("reply_markup", markup)
        .finish();
    let (status, answer) = raw_body(&fake, TOKEN, "sendMessage", "application/x-www-form-urlencoded", &body).await;
    assert_eq!(status, 200, "{answer}");
    let msg: Message = serde_json::from_value(answer["result"].clone()).unwrap();
    assert_eq!(msg.text(), Some("from a form & friends"));
    assert!(msg.reply_markup().is_some());
    let sent = &fake.transcript(TOKEN, 77)[0];
    assert_eq!(sent.button_data("Go").as_deref(), Some("go"));
    assert_eq!(sent.params["reply_markup"]["inline_keyboard"][0][0]["text"], "Go", "JSON strings are parsed");

    let resp = client()
        .get(format!("{}/bot{TOKEN}/sendMessage?chat_id=78&text=query%20string", fake.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(fake.transcript(TOKEN, 78)[0].text.as_deref(), Some("query string"));
}

#[tokio::test]
async fn unknown_methods_are_404_and_malformed_bodies_are_400() {
    let fake = started().await;
    let (status, body) = raw(&fake, TOKEN, "sendHologram", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(body, json!({"ok": false, "error_code": 404, "description": "Not Found: method not found"}));

    let (status, body) = raw_body(&fake, TOKEN, "sendMessage", "application/json", "{not json").await;
    assert_eq!(status, 400);
    assert!(body["description"].as_str().unwrap().starts_with("Bad Request: "), "{body}");
    let (status, _) = raw_body(&fake, TOKEN, "sendMessage", "application/json", "[1,2]").await;
    assert_eq!(status, 400);
    let (status, _) = raw_body(&fake, TOKEN, "sendPhoto", "multipart/form-data; boundary=zz", "garbage").await;
    assert_eq!(status, 400);
    let (status, body) = raw(&fake, TOKEN, "sendMessage", json!({"text": "no chat"})).await;
    assert_eq!((status, body["description"].as_str()), (400, Some("Bad Request: chat_id is empty")));
    let (status, body) = raw(&fake, TOKEN, "sendMessage", json!({"chat_id": "@channel", "text": "x"})).await;
    assert_eq!((status, body["description"].as_str()), (400, Some("Bad Request: chat not found")));
    let (status, _) = raw(&fake, TOKEN, "sendMessage", json!({"chat_id": {"x": 1}, "text": "x"})).await;
    assert_eq!(status, 400);

    let resp = client().get(format!("{}/nothing/here", fake.url())).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(fake.request_count(), 7, "Bot API requests are counted, other paths are not");
}

#[tokio::test]
async fn telegram_validations_reject_bad_text_markup_and_buttons() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let err = bot.send_message(ChatId(42), "").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::MessageTextIsEmpty)), "{err:?}");
    let err = bot.send_message(ChatId(42), "a < b").parse_mode(ParseMode::Html).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::CantParseEntities(_))), "{err:?}");
    let err = bot.send_message(ChatId(42), "<b>unclosed").parse_mode(ParseMode::Html).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::CantParseEntities(_))), "{err:?}");
    let err = bot.send_message(ChatId(42), "1.5 GB").parse_mode(ParseMode::MarkdownV2).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::CantParseEntities(_))), "{err:?}");
    bot.send_message(ChatId(42), "1\\.5 GB").parse_mode(ParseMode::MarkdownV2).await.unwrap();
    let err = bot.send_message(ChatId(42), "x".repeat(4097)).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::MessageIsTooLong)), "{err:?}");
    bot.send_message(ChatId(42), "<b>ok</b>".to_owned() + &"y".repeat(4090)).parse_mode(ParseMode::Html).await.unwrap();

    let long_data = InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback("x", "d".repeat(65))]]);
    let err = bot.send_message(ChatId(42), "buttons").reply_markup(long_data).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::ButtonDataInvalid)), "{err:?}");
    let (status, body) = raw(
        &fake,
        TOKEN,
        "sendMessage",
        json!({"chat_id": 42, "text": "t", "reply_markup": {"inline_keyboard": [[{"text": "bare"}]]}}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = raw(
        &fake,
        TOKEN,
        "sendMessage",
        json!({"chat_id": 42, "text": "t", "reply_markup": {"inline_keyboard": [[{"text": "u", "url": "ftp://x"}]]}}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(fake.transcript(TOKEN, 42).len(), 2, "only the two valid sends");
}

#[tokio::test]
async fn a_blocked_chat_answers_bot_was_blocked() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let msg = bot.send_message(ChatId(42), "before").await.unwrap();
    fake.block_chat(TOKEN, 42);
    let err = bot.send_message(ChatId(42), "after").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::BotBlocked)), "{err:?}");
    let err = bot.edit_message_text(ChatId(42), msg.id, "edit").await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::BotBlocked)), "{err:?}");
    bot.send_message(ChatId(43), "others still work").await.unwrap();
    fake.unblock_chat(TOKEN, 42);
    bot.send_message(ChatId(42), "unblocked").await.unwrap();
}

// ----- files ----------------------------------------------------------------------------------

#[tokio::test]
async fn multipart_uploads_can_be_fetched_with_get_file_and_downloaded() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let bytes = b"%PDF-1.4 fake".to_vec();
    let msg = bot
        .send_document(ChatId(42), InputFile::memory(bytes.clone()).file_name("config.pdf"))
        .caption("Your config")
        .reply_markup(keyboard())
        .await
        .unwrap();
    let doc = msg.document().expect("a document message");
    assert_eq!(doc.file_name.as_deref(), Some("config.pdf"));
    assert_eq!(doc.file.size as usize, bytes.len());
    assert_eq!(msg.caption(), Some("Your config"));
    let sent = &fake.transcript(TOKEN, 42)[0];
    assert_eq!(sent.method, "sendDocument");
    assert_eq!(sent.file_id.as_deref(), Some(doc.file.id.0.as_str()));
    assert_eq!(sent.button_data("Trial").as_deref(), Some("trial"), "multipart reply_markup is parsed");
    assert_eq!(fake.file_bytes(TOKEN, &doc.file.id.0), Some(bytes.clone()));

    let file: File = bot.get_file(doc.file.id.clone()).await.unwrap();
    assert!(file.path.starts_with("documents/"), "{}", file.path);
    let mut downloaded = Vec::new();
    bot.download_file(&file.path, &mut downloaded).await.unwrap();
    assert_eq!(downloaded, bytes);

    let photo = bot.send_photo(ChatId(42), InputFile::memory(b"\x89PNG fake".to_vec())).await.unwrap();
    let sizes = photo.photo().expect("a photo message");
    assert_eq!(sizes.len(), 2);
    let again = bot.send_photo(ChatId(42), InputFile::file_id(sizes[1].file.id.clone())).await.unwrap();
    assert_eq!(again.photo().unwrap()[0].file.id, sizes[1].file.id, "file ids can be resent");
    let err = bot.send_photo(ChatId(42), InputFile::file_id("nonsense".into())).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(ApiError::WrongFileIdOrUrl)), "{err:?}");
}

#[tokio::test]
async fn user_photos_and_documents_reach_the_bot_and_can_be_downloaded() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    fake.send_photo(TOKEN, 42, Some("receipt"));
    fake.send_document_bytes(TOKEN, 42, "receipt.txt", b"paid 100".to_vec());
    let updates = bot.get_updates().await.unwrap();
    let UpdateKind::Message(photo_msg) = &updates[0].kind else { panic!("{:?}", updates[0]) };
    assert_eq!(photo_msg.caption(), Some("receipt"));
    let largest = photo_msg.photo().unwrap().last().unwrap();
    assert_eq!((largest.width, largest.height), (800, 600));
    let UpdateKind::Message(doc_msg) = &updates[1].kind else { panic!("{:?}", updates[1]) };
    let doc = doc_msg.document().unwrap();
    assert_eq!(doc.file_name.as_deref(), Some("receipt.txt"));
    assert_eq!(doc.mime_type.as_ref().map(ToString::to_string).as_deref(), Some("text/plain"));
    let file = bot.get_file(doc.file.id.clone()).await.unwrap();
    let mut downloaded = Vec::new();
    bot.download_file(&file.path, &mut downloaded).await.unwrap();
    assert_eq!(downloaded, b"paid 100");
    let resp = client().get(format!("{}/file/bot{TOKEN}/documents/nothing.txt", fake.url())).send().await.unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn copy_and_forward_reuse_the_source_content() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    fake.send_text(TOKEN, 42, "please help");
    let updates = bot.get_updates().await.unwrap();
    let UpdateKind::Message(user_msg) = &updates[0].kind else { panic!() };
    let copied: MessageId = bot.copy_message(ChatId(1000), ChatId(42), user_msg.id).await.unwrap();
    let forwarded = bot.forward_message(ChatId(1000), ChatId(42), user_msg.id).await.unwrap();
    assert_eq!(forwarded.text(), Some("please help"));
    assert!(forwarded.forward_origin().is_some());
    let transcript = fake.transcript(TOKEN, 1000);
    assert_eq!(transcript[0].method, "copyMessage");
    assert_eq!(transcript[0].message_id, i64::from(copied.0));
    assert_eq!(transcript[0].text.as_deref(), Some("please help"));
    assert_eq!(transcript[1].method, "forwardMessage");
    let err = bot.copy_message(ChatId(1000), ChatId(42), MessageId(999)).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(_)), "{err:?}");
}

// ----- payments -------------------------------------------------------------------------------

#[tokio::test]
async fn invoices_pre_checkout_payments_and_refunds_round_trip() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let msg = bot
        .send_invoice(
            ChatId(42),
            "1 month VPN",
            "30 days, 100 GB",
            "order-17",
            "XTR",
            vec![LabeledPrice::new("1 month", 150)],
        )
        .await
        .unwrap();
    let invoice = msg.invoice().expect("an invoice message");
    assert_eq!((invoice.currency.as_str(), invoice.total_amount), ("XTR", 150));
    let recorded = fake.invoices(TOKEN);
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].payload, "order-17");
    assert_eq!(recorded[0].message_id, Some(i64::from(msg.id.0)));
    assert_eq!(fake.transcript(TOKEN, 42)[0].method, "sendInvoice");
    let err = bot.send_invoice(ChatId(42), "t", "d", "p", "USD", vec![LabeledPrice::new("x", 100)]).await.unwrap_err();
    assert!(matches!(err, RequestError::Api(_)), "non-XTR invoices need a provider token: {err:?}");

    let query_id = fake.send_pre_checkout_query(TOKEN, 42, "XTR", 150, "order-17");
    let updates = bot.get_updates().await.unwrap();
    let UpdateKind::PreCheckoutQuery(q) = &updates[0].kind else { panic!("{:?}", updates[0]) };
    assert_eq!((q.id.0.as_str(), q.total_amount, q.invoice_payload.as_str()), (query_id.as_str(), 150, "order-17"));
    bot.answer_pre_checkout_query(q.id.clone(), true).await.unwrap();
    assert!(fake.pre_checkout_answers(TOKEN)[0].ok);

    let payment = fake.send_successful_payment(TOKEN, 42, "XTR", 150, "order-17");
    let updates = bot.get_updates().offset(updates[0].id.0 as i32 + 1).await.unwrap();
    let UpdateKind::Message(paid) = &updates[0].kind else { panic!("{:?}", updates[0]) };
    assert_eq!(i64::from(updates[0].id.0), payment.update_id);
    let sp = paid.successful_payment().expect("a successful_payment message");
    assert_eq!(sp.telegram_payment_charge_id.0, payment.telegram_payment_charge_id);
    assert_eq!(sp.invoice_payload, "order-17");

    let charge = sp.telegram_payment_charge_id.clone();
    bot.refund_star_payment(UserId(42), charge.clone()).await.unwrap();
    assert_eq!(fake.refunds(TOKEN)[0].telegram_payment_charge_id, payment.telegram_payment_charge_id);
    assert!(bot.refund_star_payment(UserId(42), charge).await.is_err(), "a charge is refunded once");
}

// ----- compatibility --------------------------------------------------------------------------

#[tokio::test]
async fn every_update_and_result_the_fake_produces_deserializes_with_teloxide() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let sent = bot.send_message(ChatId(42), "menu").reply_markup(keyboard()).await.unwrap();
    let user = FakeUser { last_name: Some("Doe".into()), is_premium: true, ..FakeUser::new(42).with_language("ru") };
    fake.send_text_as(TOKEN, &user, "hello");
    fake.send_text(TOKEN, 42, "/buy 3");
    fake.send_photo(TOKEN, 42, None);
    fake.send_photo(TOKEN, 42, Some("with caption"));
    fake.send_document(TOKEN, 42, "file.conf");
    fake.press_button(TOKEN, 42, i64::from(sent.id.0), "trial").unwrap();
    fake.press_button_unchecked(TOKEN, 42, 12345, "stale").unwrap();
    fake.send_pre_checkout_query(TOKEN, 42, "XTR", 5, "p");
    fake.send_successful_payment(TOKEN, 42, "XTR", 5, "p");
    fake.send_successful_payment(TOKEN, 42, "USD", 500, "p2");
    fake.push_update(TOKEN, json!({"my_chat_member": {
        "chat": {"id": 42, "type": "private", "first_name": "User42"},
        "from": {"id": 42, "is_bot": false, "first_name": "User42"},
        "date": 1_700_000_000,
        "old_chat_member": {"user": {"id": 111_111, "is_bot": true, "first_name": "Bot"}, "status": "member"},
        "new_chat_member": {"user": {"id": 111_111, "is_bot": true, "first_name": "Bot"}, "status": "kicked", "until_date": 0}
    }}));

    let (_, body) = raw(&fake, TOKEN, "getUpdates", json!({})).await;
    let raw_updates = body["result"].as_array().unwrap().clone();
    assert_eq!(raw_updates.len(), 11);
    let mut kinds = Vec::new();
    for raw_update in raw_updates {
        // teloxide's `Update` must be read from text (as teloxide itself does); `from_value`
        // silently yields `UpdateKind::Error`.
        let update: Update = serde_json::from_str(&raw_update.to_string()).unwrap();
        let kind = match &update.kind {
            UpdateKind::Message(m) if m.text().is_some() => "text",
            UpdateKind::Message(m) if m.photo().is_some() => "photo",
            UpdateKind::Message(m) if m.document().is_some() => "document",
            UpdateKind::Message(m) if m.successful_payment().is_some() => "successful_payment",
            UpdateKind::CallbackQuery(q) if q.regular_message().is_some() => "callback_query",
            UpdateKind::CallbackQuery(_) => "stale_callback_query",
            UpdateKind::PreCheckoutQuery(_) => "pre_checkout_query",
            UpdateKind::MyChatMember(_) => "my_chat_member",
            other => panic!("teloxide could not read {raw_update}: {other:?}"),
        };
        kinds.push(kind);
    }
    assert_eq!(
        kinds,
        vec![
            "text",
            "text",
            "photo",
            "photo",
            "document",
            "callback_query",
            "stale_callback_query",
            "pre_checkout_query",
            "successful_payment",
            "successful_payment",
            "my_chat_member",
        ]
    );
    let update: Update = serde_json::from_str(&body["result"][0].to_string()).unwrap();
    let UpdateKind::Message(hello) = update.kind else { panic!() };
    let from = hello.from.unwrap();
    assert_eq!((from.last_name.as_deref(), from.is_premium), (Some("Doe"), true));
    assert_eq!(from.language_code.as_deref(), Some("ru"));
    assert_eq!(hello.chat.last_name(), Some("Doe"));

    // Results of the other methods, read as teloxide's types.
    let (_, me) = raw(&fake, TOKEN, "getMe", json!({})).await;
    serde_json::from_value::<Me>(me["result"].clone()).unwrap();
    let (_, info) = raw(&fake, TOKEN, "getWebhookInfo", json!({})).await;
    serde_json::from_value::<WebhookInfo>(info["result"].clone()).unwrap();
    fake.set_member_status(TOKEN, -100_200, 42, MemberStatus::Left);
    for (chat, status) in [(-100_200, "left"), (-100_300, "member")] {
        let (_, member) = raw(&fake, TOKEN, "getChatMember", json!({"chat_id": chat, "user_id": 42})).await;
        let member: ChatMember = serde_json::from_value(member["result"].clone()).unwrap();
        assert_eq!(member.is_present(), status == "member");
    }
    fake.set_member_status(TOKEN, -100_400, 42, MemberStatus::Kicked);
    let (_, member) = raw(&fake, TOKEN, "getChatMember", json!({"chat_id": -100_400, "user_id": 42})).await;
    assert!(serde_json::from_value::<ChatMember>(member["result"].clone()).unwrap().is_banned());
    let (_, copied) =
        raw(&fake, TOKEN, "copyMessage", json!({"chat_id": 5, "from_chat_id": 42, "message_id": 1})).await;
    serde_json::from_value::<MessageId>(copied["result"].clone()).unwrap();
    bot.set_my_commands(vec![teloxide::types::BotCommand::new("start", "Start")]).await.unwrap();
    assert_eq!(fake.my_commands(TOKEN), vec![("start".to_owned(), "Start".to_owned())]);
    assert_eq!(bot.get_my_commands().await.unwrap().len(), 1);
    bot.set_my_description().description("VPN").await.unwrap();
    bot.send_chat_action(ChatId(42), teloxide::types::ChatAction::Typing).await.unwrap();
}

// ----- isolation, timing, end to end ----------------------------------------------------------

#[tokio::test]
async fn two_bots_with_the_same_user_keep_separate_transcripts_and_queues() {
    let fake = started().await;
    fake.add_bot(OTHER);
    let (first, second) = (bot(&fake, TOKEN), bot(&fake, OTHER));
    first.send_message(ChatId(42), "from first").await.unwrap();
    second.send_message(ChatId(42), "from second").await.unwrap();
    second.send_message(ChatId(42), "second again").await.unwrap();
    let texts = |token| fake.transcript(token, 42).into_iter().filter_map(|m| m.text).collect::<Vec<_>>();
    assert_eq!(texts(TOKEN), vec!["from first"]);
    assert_eq!(texts(OTHER), vec!["from second", "second again"]);
    assert_eq!(fake.transcript(TOKEN, 42)[0].message_id, 1, "message ids are per bot and chat");
    assert_eq!(fake.transcript(OTHER, 42)[0].message_id, 1);

    fake.send_text(OTHER, 42, "only for the second bot");
    assert!(first.get_updates().await.unwrap().is_empty());
    assert_eq!(second.get_updates().await.unwrap().len(), 1);
    assert_eq!(fake.calls(TOKEN).len(), 2);
    assert!(fake.callback_answers(OTHER).is_empty());
}

#[tokio::test]
async fn delay_and_request_count_apply_to_every_answer() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let before = fake.request_count();
    fake.set_delay(Duration::from_millis(300));
    let started_at = Instant::now();
    bot.get_me().await.unwrap();
    assert!(started_at.elapsed() >= Duration::from_millis(300));
    fake.set_delay(Duration::ZERO);
    bot.get_me().await.unwrap();
    assert_eq!(fake.request_count(), before + 2);
}

#[tokio::test]
async fn wait_for_messages_returns_what_it_has_when_the_timeout_passes() {
    let fake = Arc::new(started().await);
    let bot = bot(&fake, TOKEN);
    let waiter = {
        let fake = Arc::clone(&fake);
        tokio::spawn(async move { fake.wait_for_messages(TOKEN, 42, 2, WAIT).await })
    };
    bot.send_message(ChatId(42), "one").await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    bot.send_message(ChatId(42), "two").await.unwrap();
    assert_eq!(waiter.await.unwrap().len(), 2);

    let started_at = Instant::now();
    let got = fake.wait_for_messages(TOKEN, 42, 5, Duration::from_millis(200)).await;
    assert_eq!(got.len(), 2);
    assert!(started_at.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn a_teloxide_dispatcher_with_polling_answers_an_injected_text() {
    let fake = started().await;
    let bot = bot(&fake, TOKEN);
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        let text = format!("echo: {}", msg.text().unwrap_or_default());
        bot.send_message(msg.chat.id, text).await?;
        respond(())
    });
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let shutdown = dispatcher.shutdown_token();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });

    fake.send_text(TOKEN, 42, "ping");
    let sent = fake.wait_for_messages(TOKEN, 42, 1, WAIT).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].text.as_deref(), Some("echo: ping"));
    fake.send_text(TOKEN, 43, "pong");
    assert_eq!(fake.wait_for_messages(TOKEN, 43, 1, WAIT).await[0].text.as_deref(), Some("echo: pong"));
    let methods: Vec<String> = fake.calls(TOKEN).into_iter().map(|(m, _)| m).collect();
    assert_eq!(methods.first().map(String::as_str), Some("getWebhookInfo"), "polling checks for a webhook first");
    assert!(methods.iter().filter(|m| *m == "getUpdates").count() >= 2);

    // Stop the dispatcher; dropping the fake ends its pending long poll at once.
    let done = shutdown.shutdown().ok();
    drop(fake);
    if let Some(done) = done {
        tokio::time::timeout(WAIT, done).await.unwrap();
    }
    tokio::time::timeout(WAIT, running).await.unwrap().unwrap();
}

#[tokio::test]
async fn control_http_routes_drive_the_fake_like_the_rust_api() {
    let fake = FakeTelegram::start().await;
    let control = |path: &str| format!("{}/control/{path}", fake.url());
    let http = client();
    let post = |path: &str, body: Value| http.post(control(path)).json(&body).send();

    let added: Value = post("bots", json!({"token": TOKEN})).await.unwrap().json().await.unwrap();
    assert_eq!(added, json!({"bot_id": 111_111}));
    let resp =
        post("send_text", json!({"token": TOKEN, "user_id": 42, "text": "hi", "language_code": "de"})).await.unwrap();
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({"update_id": 1}));
    let resp = post("send_text", json!({"token": "nobody:x", "user_id": 42, "text": "hi"})).await.unwrap();
    assert_eq!(resp.status(), 404);

    let bot = bot(&fake, TOKEN);
    let updates = bot.get_updates().await.unwrap();
    let UpdateKind::Message(m) = &updates[0].kind else { panic!() };
    assert_eq!(m.from.as_ref().unwrap().language_code.as_deref(), Some("de"));
    let sent = bot.send_message(ChatId(42), "menu").reply_markup(keyboard()).await.unwrap();

    let pressed =
        post("press_button", json!({"token": TOKEN, "user_id": 42, "message_id": sent.id.0, "data": "buy:1"}))
            .await
            .unwrap();
    assert_eq!(pressed.status(), 200);
    assert!(pressed.json::<Value>().await.unwrap()["callback_query_id"].is_string());
    let missing = post("press_button", json!({"token": TOKEN, "user_id": 42, "message_id": sent.id.0, "data": "x"}))
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);

    post("fail_next", json!({"token": TOKEN, "method": "getMe", "n": 1, "failure": {"retry_after": 2}})).await.unwrap();
    assert!(matches!(bot.get_me().await, Err(RequestError::RetryAfter(_))));
    post("block_chat", json!({"token": TOKEN, "chat_id": 42})).await.unwrap();
    assert!(matches!(bot.send_message(ChatId(42), "x").await, Err(RequestError::Api(ApiError::BotBlocked))));
    post("block_chat", json!({"token": TOKEN, "chat_id": 42, "blocked": false})).await.unwrap();
    post("send_photo", json!({"token": TOKEN, "user_id": 42, "caption": "pic"})).await.unwrap();
    post("send_document", json!({"token": TOKEN, "user_id": 42, "file_name": "a.txt", "content": "abc"}))
        .await
        .unwrap();
    let pay: Value = post(
        "send_successful_payment",
        json!({"token": TOKEN, "user_id": 42, "currency": "XTR", "total_amount": 10, "invoice_payload": "p"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(pay["telegram_payment_charge_id"].as_str().unwrap().starts_with("stx"));

    let transcript: Value =
        http.get(control(&format!("transcript?token={TOKEN}&chat_id=42"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(transcript[0]["method"], "sendMessage");
    assert_eq!(transcript[0]["text"], "menu");
    let calls: Value = http.get(control(&format!("calls?token={TOKEN}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(calls[0]["method"], "getUpdates");
    let stats: Value = http.get(control("stats")).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats["request_count"], fake.request_count());
    post("bots/revoke", json!({"token": TOKEN})).await.unwrap();
    assert!(matches!(bot.get_me().await, Err(RequestError::Api(ApiError::InvalidToken))));
}
