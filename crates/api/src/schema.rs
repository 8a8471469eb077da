//! The OpenAPI side of the domain's bounds: the schema of every input, built from the same
//! rules the domain checks ([`remnabot_domain::text`], [`remnabot_domain::limits`], the
//! configuration keys), so the document says exactly what the API accepts. DTO fields use the
//! functions here through `#[schema(schema_with = ...)]`; [`refine`] finishes the document
//! where a field cannot say it (path parameters, one path per known configuration key).

use remnabot_domain::config::{ConfigKey, custom_value_schema};
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::limits::{self, range_schema};
use remnabot_domain::text::{self, TextRule};
use remnabot_store::payments::PaymentStatus;
use remnabot_store::sales::online::StarsStatus;
use remnabot_store::subscriptions::SubscriptionStatus;
use remnabot_store::tickets::TicketStatus;
use serde_json::{Value, json};
use utoipa::openapi::schema::Schema;

/// The extension naming which bound a field's placeholder stands for.
const BOUND: &str = "x-remnabot-bound";

/// A placeholder for the bound `name`: utoipa's schema model cannot carry every JSON Schema
/// keyword (`not`, `propertyNames`, `oneOf` beside properties...), so fields name their
/// bound and [`document`] puts the exact schema in its place.
fn placeholder(name: &str) -> Schema {
    let ext = utoipa::openapi::extensions::Extensions::builder().add(BOUND, name).build();
    Schema::Object(utoipa::openapi::schema::ObjectBuilder::new().extensions(Some(ext)).build())
}

/// `value` that may also be `null` (an absent optional field).
pub(crate) fn nullable(mut value: Value) -> Value {
    match value.get("type").cloned() {
        Some(Value::String(t)) => value["type"] = json!([t, "null"]),
        Some(Value::Array(mut types)) => {
            types.push(json!("null"));
            value["type"] = Value::Array(types);
        }
        _ => value = json!({"oneOf": [{"type": "null"}, value]}),
    }
    value
}

/// A string that is one of `names`.
fn names<'a>(names: impl Iterator<Item = &'a str>) -> Value {
    json!({"type": "string", "enum": names.collect::<Vec<_>>()})
}

fn text(rule: TextRule) -> Value {
    rule.json_schema()
}

/// Functions returning a field's placeholder, for `#[schema(schema_with = ...)]`, and the
/// exact schema of each ([`bound`]).
macro_rules! schemas {
    ($($(#[$doc:meta])* $name:ident => $value:expr;)+) => {
        $(
            $(#[$doc])*
            pub(crate) fn $name() -> Schema {
                placeholder(stringify!($name))
            }
        )+

        /// The exact schema of the bound `name`.
        fn bound(name: &str) -> Option<Value> {
            match name {
                $(stringify!($name) => Some($value),)+
                "promo_code_body" => Some(promo_code_body()),
                "subscription_patch_body" => Some(subscription_patch_body()),
                _ => None,
            }
        }
    };
}

schemas! {
    bot_name => text(text::BotName::RULE);
    bot_name_opt => nullable(text(text::BotName::RULE));
    telegram_token => remnabot_domain::bot::telegram_token_schema();
    credit_limit_opt => nullable(range_schema(&limits::CREDIT_LIMIT));
    plan_name => text(text::PlanName::RULE);
    plan_description => nullable(text(text::PlanDescription::RULE));
    plan_days => range_schema(&limits::PLAN_DAYS);
    traffic_gb => range_schema(&limits::TRAFFIC_GB);
    devices => range_schema(&limits::DEVICES);
    amount => range_schema(&limits::AMOUNT);
    amount_opt => nullable(range_schema(&limits::AMOUNT));
    sort_order => range_schema(&limits::SORT_ORDER);
    card_number => remnabot_domain::card::CardNumber::json_schema();
    holder_name => text(text::HolderName::RULE);
    bank_name => nullable(text(text::BankName::RULE));
    card_weight => range_schema(&limits::CARD_WEIGHT);
    daily_count_cap => nullable(range_schema(&limits::DAILY_COUNT_CAP));
    /// A change of a balance: a credit or a debit, never zero.
    signed_amount => json!({
        "type": "integer",
        "minimum": -limits::AMOUNT.end(),
        "maximum": limits::AMOUNT.end(),
        "not": {"const": 0},
    });
    idempotency_key => text::idempotency_key_schema();
    direction => json!({"type": "string", "enum": ["up", "down"]});
    customer_message => text(text::CustomerMessage::RULE);
    promo_group_name => text(text::PromoGroupName::RULE);
    percent => range_schema(&(0..=100));
    idempotency_key_opt => nullable(text::idempotency_key_schema());
    ledger_note => nullable(text(text::LedgerNote::RULE));
    extend_days => range_schema(&limits::EXTEND_DAYS);
    reject_reason => nullable(text(text::RejectReason::RULE));
    ticket_answer => text(text::TicketAnswer::RULE);
    feature_config => nullable(custom_value_schema(true));
    /// Any JSON value (a configuration value as stored).
    any_value => json!({});
    any_value_opt => json!({});
    /// Any `u64`: 0 counts as 1 and larger values as 200.
    page_limit => json!({"type": "integer", "minimum": 0, "maximum": u64::MAX});
    page_offset => json!({"type": "integer", "minimum": 0, "maximum": crate::dto::MAX_OFFSET});
    search => json!({"type": "string", "maxLength": crate::dto::MAX_SEARCH_CHARS});
    user_id_filter => json!({"type": "integer", "minimum": 1, "maximum": i64::MAX});
    subscription_status => names(SubscriptionStatus::ALL.iter().map(|s| s.as_str()));
    ticket_status => names(TicketStatus::ALL.iter().map(|s| s.as_str()));
    card_payment_status => names(PaymentStatus::ALL.iter().map(|s| s.as_str()));
    stars_status => names(StarsStatus::ALL.iter().map(|s| s.as_str()));
}

/// The placeholder of a promo code's body (see [`promo_code_body`]).
pub(crate) fn promo_code_body_placeholder() -> Schema {
    placeholder("promo_code_body")
}

/// A promo code's body: the bound of `value` depends on `kind`, and `valid_until` must be
/// later than `valid_from` (said in its description: JSON Schema cannot compare two fields).
pub(crate) fn promo_code_body() -> Value {
    let date = json!({"type": ["string", "null"], "format": "date-time"});
    let kind_value = |kind: &str, range: &std::ops::RangeInclusive<i64>| json!({"properties": {"kind": {"const": kind}, "value": range_schema(range)}});
    json!({
        "type": "object",
        "description": "A new promo code. `valid_until`, when both are given, must be later than `valid_from`.",
        "properties": {
            "code": remnabot_store::promos::code_schema(),
            "kind": {"type": "string", "enum": ["balance", "days", "discount"]},
            "value": {
                "type": "integer",
                "description": "Toman for `balance` (1 to 10^12), days for `days` (1 to 3650), percent for \
                                `discount` (1 to 100).",
            },
            "max_uses": {"type": "integer", "minimum": limits::PROMO_USES.start(), "maximum": limits::PROMO_USES.end(),
                         "description": "0 (the default) means unlimited."},
            "valid_from": date,
            "valid_until": date,
        },
        "required": ["code", "kind", "value"],
        "additionalProperties": false,
        "oneOf": [
            kind_value("balance", &limits::AMOUNT),
            kind_value("days", &limits::EXTEND_DAYS),
            kind_value("discount", &limits::DISCOUNT_PERCENT),
        ],
    })
}

/// The placeholder of a subscription change (see [`subscription_patch_body`]).
pub(crate) fn subscription_patch_body_placeholder() -> Schema {
    placeholder("subscription_patch_body")
}

/// A subscription change: any of its fields, at least one of the three changes given (not
/// null).
pub(crate) fn subscription_patch_body() -> Value {
    let given = |field: &str, ty: &str| json!({"required": [field], "properties": {field: {"type": ty}}});
    json!({
        "type": "object",
        "description": "Changes a subscription: each field given is applied, and queued for the panel. At least \
                        one of `traffic_limit_gb`, `device_limit` and `enabled` is given.",
        "properties": {
            "traffic_limit_gb": nullable(range_schema(&limits::TRAFFIC_GB)),
            "device_limit": nullable(range_schema(&limits::DEVICES)),
            "enabled": {"type": ["boolean", "null"]},
            "idempotency_key": nullable(text::idempotency_key_schema()),
        },
        "additionalProperties": false,
        "anyOf": [
            given("traffic_limit_gb", "integer"),
            given("device_limit", "integer"),
            given("enabled", "boolean"),
        ],
    })
}

/// Known configuration keys; every other key matches [`custom_key_pattern`].
fn custom_key_pattern() -> String {
    let known: Vec<&str> = ConfigKey::ALL.iter().map(|k| k.as_str()).collect();
    format!("^(?!(?:{})$)[a-z0-9_.]{{1,100}}$", known.join("|"))
}

const CONFIG_PATH: &str = "/api/v1/bots/{bot_id}/config/{key}";
const FEATURE_PATH: &str = "/api/v1/bots/{bot_id}/features/{key}";

/// The OpenAPI document as served: `doc` with each field's placeholder replaced by its exact
/// schema, integer path parameters given their range, a feature's `{key}` its names, and each
/// known configuration key its own path whose body has that key's value schema (concrete
/// paths match before the templated one, which then takes only other keys, with their small
/// custom values).
pub fn document(doc: &utoipa::openapi::OpenApi) -> Value {
    let mut value = serde_json::to_value(doc).unwrap_or_else(|_| json!({}));
    fill_bounds(&mut value);
    refine_json(&mut value);
    value
}

/// Replaces every placeholder in `value` by its bound's schema.
fn fill_bounds(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(exact) = map.get(BOUND).and_then(Value::as_str).and_then(bound) {
                let description = map.get("description").cloned();
                *value = exact;
                if let (Some(d), Some(obj)) = (description, value.as_object_mut()) {
                    obj.entry("description").or_insert(d);
                }
                return;
            }
            map.values_mut().for_each(fill_bounds);
        }
        Value::Array(items) => items.iter_mut().for_each(fill_bounds),
        _ => {}
    }
}

/// Gives every integer schema without bounds the range of the Rust type utoipa derived it
/// from (`int64` is an `i64`, or a `u64` when utoipa set `minimum: 0`; `int32` likewise), so
/// a number the field cannot hold is never called valid.
fn type_ranges(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let is_int = map
                .get("type")
                .is_some_and(|t| t == "integer" || t.as_array().is_some_and(|a| a.iter().any(|x| x == "integer")));
            if is_int && !map.contains_key("maximum") {
                let unsigned = map.get("minimum").and_then(Value::as_i64) == Some(0);
                let (min, max) = match (map.get("format").and_then(Value::as_str), unsigned) {
                    (Some("int32"), true) => (json!(0), json!(u32::MAX)),
                    (Some("int32"), false) => (json!(i32::MIN), json!(i32::MAX)),
                    (Some("int64"), true) => (json!(0), json!(u64::MAX)),
                    (_, false) => (json!(i64::MIN), json!(i64::MAX)),
                    (_, true) => (json!(0), json!(u64::MAX)),
                };
                map.entry("minimum").or_insert(min);
                map.insert("maximum".to_owned(), max);
            }
            map.values_mut().for_each(type_ranges);
        }
        Value::Array(items) => items.iter_mut().for_each(type_ranges),
        _ => {}
    }
}

fn refine_json(doc: &mut Value) {
    type_ranges(doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut() {
        for_each_operation(item, |op| {
            for param in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                if param["in"] == "path" && param["schema"]["type"] == "integer" {
                    param["schema"]["minimum"] = json!(i64::MIN);
                    param["schema"]["maximum"] = json!(i64::MAX);
                }
            }
        });
    }
    if let Some(item) = paths.get_mut(FEATURE_PATH) {
        let names: Vec<&str> = FeatureKey::ALL.iter().map(|k| k.as_str()).collect();
        set_path_param(item, "key", json!({"type": "string", "enum": names}));
    }
    let Some(template) = paths.get(CONFIG_PATH).cloned() else { return };
    for key in ConfigKey::ALL {
        let mut item = template.clone();
        for_each_operation(&mut item, |op| {
            if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                params.retain(|p| !(p["in"] == "path" && p["name"] == "key"));
            }
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                op["operationId"] = json!(format!("{id}_{}", key.as_str()));
            }
            if let Some(body) = op.pointer_mut("/requestBody/content/application~1json/schema") {
                *body = json!({
                    "type": "object",
                    "properties": {"value": key.value_schema()},
                    "required": ["value"],
                    "additionalProperties": false,
                });
            }
        });
        paths.insert(format!("/api/v1/bots/{{bot_id}}/config/{}", key.as_str()), item);
    }
    if let Some(item) = paths.get_mut(CONFIG_PATH) {
        set_path_param(item, "key", json!({"type": "string", "pattern": custom_key_pattern()}));
        for_each_operation(item, |op| {
            if let Some(body) = op.pointer_mut("/requestBody/content/application~1json/schema") {
                *body = json!({
                    "type": "object",
                    "properties": {"value": custom_value_schema(false)},
                    "required": ["value"],
                    "additionalProperties": false,
                });
            }
        });
    }
}

fn for_each_operation(item: &mut Value, mut f: impl FnMut(&mut Value)) {
    for method in ["get", "put", "post", "delete", "patch"] {
        if let Some(op) = item.get_mut(method) {
            f(op);
        }
    }
}

fn set_path_param(item: &mut Value, name: &str, schema: Value) {
    for_each_operation(item, |op| {
        for param in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
            if param["in"] == "path" && param["name"] == name {
                param["schema"] = schema.clone();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_of_the_document_is_filled() {
        let doc = document(&crate::openapi());
        let text = doc.to_string();
        assert!(!text.contains(BOUND), "a placeholder is left");
        let plan = &doc["components"]["schemas"]["PlanBody"]["properties"]["name"];
        assert_eq!(plan["maxLength"], 64, "{plan}");
        let put = &doc["paths"]["/api/v1/bots/{bot_id}/config/welcome_text"]["put"];
        let value = &put["requestBody"]["content"]["application/json"]["schema"]["properties"]["value"];
        assert_eq!(value["type"], "string", "{value}");
    }

    #[test]
    fn the_custom_key_pattern_names_every_known_key() {
        let pattern = custom_key_pattern();
        for key in ConfigKey::ALL {
            assert!(pattern.contains(key.as_str()), "{pattern}");
        }
    }
}
