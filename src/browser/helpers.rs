//! Helpers for forms and webhooks: phone input to ids, invite links, limits, group events. Each is
//! the core's own rule, so a UI checks exactly what the Worker checks.

use super::client::text_argument;
use super::errors::{set, to_js};
use crate::error::{Error, FieldError};
use crate::events::{self, GroupEvent, GroupInfo, GroupParticipant, WebhookEvent};
use crate::ids;
use crate::invite::InviteCode;
use crate::limits::{Limits, GROUP_SIZE_MAX, PICTURE_MAX_BYTES};
use js_sys::{Array, Object};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

/// Turns phone input (`+1 (555) 123-4567`, `0044 20 7946 0958`) into a user id
/// (`15551234567@c.us`); throws a `GroupgateError` (`invalid_phone_number`) when it can't.
#[wasm_bindgen(js_name = phoneToUserId)]
pub fn phone_to_user_id(#[wasm_bindgen(unchecked_param_type = "string")] input: JsValue) -> Result<String, JsValue> {
    console_error_panic_hook::set_once();
    let input = text_argument(&input, "phone").map_err(to_js)?;
    ids::phone_to_user_id(&input).map(|id| id.to_string()).map_err(|e| to_js(e.into()))
}

/// Reads an invite code or link (`https://chat.whatsapp.com/<code>`, look-alike hosts refused)
/// into `{code, link}`; throws a `GroupgateError` (`invalid_invite_code` / `invalid_invite_link`).
#[wasm_bindgen(js_name = parseInvite, unchecked_return_type = "Invite")]
pub fn parse_invite(
    #[wasm_bindgen(js_name = codeOrLink, unchecked_param_type = "string")] code_or_link: JsValue,
) -> Result<JsValue, JsValue> {
    console_error_panic_hook::set_once();
    let text = text_argument(&code_or_link, "code").map_err(to_js)?;
    match InviteCode::parse_code_or_link(&text) {
        Ok(code) => Ok(invite_object(&code)),
        Err((code, why)) => Err(to_js(Error::from(FieldError::parameter("code", code, format!("code: {why}"))))),
    }
}

/// Parses a WAHA webhook body into a typed event; `kind` tells the five group events apart
/// (`"other"` for any other event, with its raw payload). Throws a `GroupgateError`
/// (`invalid_json`, `invalid_type`, `payload_too_large`) for anything else.
#[wasm_bindgen(js_name = parseGroupEvent, unchecked_return_type = "GroupEvent")]
pub fn parse_group_event(#[wasm_bindgen(unchecked_param_type = "string")] body: JsValue) -> Result<JsValue, JsValue> {
    console_error_panic_hook::set_once();
    let body = text_argument(&body, "body").map_err(to_js)?;
    events::parse_event(body.as_bytes()).map(webhook_object).map_err(to_js)
}

/// The default validation limits, for showing them in a UI (see also `GroupsClient.limits()`).
#[wasm_bindgen(unchecked_return_type = "Limits")]
pub fn limits() -> JsValue {
    limits_object(&Limits::default())
}

/// `{code, link}`.
pub(crate) fn invite_object(code: &InviteCode) -> JsValue {
    let object: JsValue = Object::new().into();
    set(&object, "code", &JsValue::from_str(code.as_str()));
    set(&object, "link", &JsValue::from_str(&code.link()));
    object
}

/// The `Limits` object of `limits`.
pub(crate) fn limits_object(limits: &Limits) -> JsValue {
    let object: JsValue = Object::new().into();
    let number = |n: usize| JsValue::from(u32::try_from(n).unwrap_or(u32::MAX));
    set(&object, "subjectMax", &number(limits.subject_max));
    set(&object, "descriptionMax", &number(limits.description_max));
    set(&object, "participantsPerRequest", &number(limits.participants_per_request));
    set(&object, "groupSize", &number(GROUP_SIZE_MAX));
    set(&object, "pictureMaxBytes", &number(PICTURE_MAX_BYTES));
    object
}

// The `GroupEvent` object of `parseGroupEvent` (see `types.rs`), built field by field from the
// typed event: the fields the core read, with absent and `null` optional ones left out, plus
// `kind`. No serde here: numbers go to JS as numbers, never formatted.

/// The whole event: the envelope, `kind`, `event` and the payload.
fn webhook_object(webhook: WebhookEvent) -> JsValue {
    let object = new_object();
    let (kind, payload) = match &webhook.event {
        GroupEvent::Join(join) => {
            let payload = timestamped(join.timestamp, &join.data);
            set(&payload, "group", &group_info(&join.group));
            ("join", payload)
        }
        GroupEvent::Leave(leave) => {
            let payload = timestamped(leave.timestamp, &leave.data);
            set(&payload, "group", &group_ref(&leave.group.id));
            ("leave", payload)
        }
        GroupEvent::Update(update) => {
            let payload = timestamped(update.timestamp, &update.data);
            set(&payload, "group", &group_info(&update.group));
            ("update", payload)
        }
        GroupEvent::Participants(change) => {
            let payload = timestamped(change.timestamp, &change.data);
            put(&payload, "type", change.change.as_str());
            set(&payload, "group", &group_ref(&change.group.id));
            set(&payload, "participants", &participants(&change.participants));
            ("participants", payload)
        }
        GroupEvent::JoinRequest(request) => {
            let payload = timestamped(request.timestamp, &request.data);
            put(&payload, "action", request.action.as_str());
            put(&payload, "requesterId", &request.requester_id);
            put_some(&payload, "requesterPn", &request.requester_pn);
            put_some(&payload, "requestMethod", &request.request_method);
            set(&payload, "group", &group_ref(&request.group.id));
            ("join-request", payload)
        }
        GroupEvent::Other { payload, .. } => ("other", json(payload)),
    };
    put(&object, "kind", kind);
    put(&object, "id", &webhook.id);
    set(&object, "timestamp", &number(webhook.timestamp));
    put(&object, "session", &webhook.session);
    if let Some(metadata) = &webhook.metadata {
        set(&object, "metadata", &json_object(metadata));
    }
    put(&object, "engine", &webhook.engine);
    put(&object, "event", webhook.event.name());
    set(&object, "payload", &payload);
    if let Some(me) = &webhook.me {
        let me_object = new_object();
        put(&me_object, "id", &me.id);
        put_some(&me_object, "lid", &me.lid);
        put_some(&me_object, "jid", &me.jid);
        put_some(&me_object, "pushName", &me.push_name);
        set(&object, "me", &me_object);
    }
    let environment = new_object();
    put_some(&environment, "version", &webhook.environment.version);
    put_some(&environment, "engine", &webhook.environment.engine);
    put_some(&environment, "tier", &webhook.environment.tier);
    put_some(&environment, "browser", &webhook.environment.browser);
    set(&object, "environment", &environment);
    object
}

fn new_object() -> JsValue {
    Object::new().into()
}

fn put(target: &JsValue, key: &str, text: &str) {
    set(target, key, &JsValue::from_str(text));
}

fn put_some(target: &JsValue, key: &str, text: &Option<String>) {
    if let Some(text) = text {
        put(target, key, text);
    }
}

fn put_flag(target: &JsValue, key: &str, flag: Option<bool>) {
    if let Some(flag) = flag {
        set(target, key, &JsValue::from_bool(flag));
    }
}

/// A timestamp as a JS number (exact up to 2^53, as `JSON.parse` would give it).
fn number(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

/// A payload object with its `timestamp` and, when present, the engine's `_data`.
fn timestamped(timestamp: u64, data: &Option<Value>) -> JsValue {
    let payload = new_object();
    set(&payload, "timestamp", &number(timestamp));
    if let Some(data) = data {
        set(&payload, "_data", &json(data));
    }
    payload
}

fn group_ref(id: &str) -> JsValue {
    let group = new_object();
    put(&group, "id", id);
    group
}

fn group_info(info: &GroupInfo) -> JsValue {
    let group = group_ref(&info.id);
    put_some(&group, "subject", &info.subject);
    put_some(&group, "description", &info.description);
    put_some(&group, "invite", &info.invite);
    put_flag(&group, "membersCanAddNewMember", info.members_can_add_new_member);
    put_flag(&group, "membersCanSendMessages", info.members_can_send_messages);
    put_flag(&group, "newMembersApprovalRequired", info.new_members_approval_required);
    if let Some(members) = &info.participants {
        set(&group, "participants", &participants(members));
    }
    group
}

fn participants(members: &[GroupParticipant]) -> JsValue {
    members
        .iter()
        .map(|member| {
            let object = group_ref(&member.id);
            put_some(&object, "pn", &member.pn);
            put(&object, "role", member.role.as_str());
            object
        })
        .collect::<Array>()
        .into()
}

/// Any JSON value as the JS value `JSON.parse` would give (`_data`, `metadata`, other payloads).
fn json(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(text) => JsValue::from_str(text),
        Value::Array(items) => items.iter().map(json).collect::<Array>().into(),
        Value::Object(map) => json_object(map),
    }
}

fn json_object(map: &Map<String, Value>) -> JsValue {
    let object = new_object();
    for (key, value) in map {
        set(&object, key, &json(value));
    }
    object
}
