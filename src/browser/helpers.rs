//! Helpers for forms and webhooks: phone input to ids, invite links, limits, group events. Each is
//! the core's own rule, so a UI checks exactly what the Worker checks.

use super::client::text_argument;
use super::errors::{set, to_js};
use super::webhook::webhook_object;
use crate::error::{Error, FieldError};
use crate::events;
use crate::ids;
use crate::invite::InviteCode;
use crate::limits::{Limits, GROUP_SIZE_MAX, PICTURE_MAX_BYTES};
use js_sys::Object;
use wasm_bindgen::prelude::*;

/// Turns phone input (`+1 (555) 123-4567`, `0044 20 7946 0958`) into a user id
/// (`15551234567@c.us`); when it can't, throws a `GroupgateError` with code `validation_failed`
/// and `errors[0]` `{parameter: "phone", code: "invalid_phone_number"}` (`invalid_type` for a
/// non-string).
#[wasm_bindgen(js_name = phoneToUserId)]
pub fn phone_to_user_id(#[wasm_bindgen(unchecked_param_type = "string")] input: JsValue) -> Result<String, JsValue> {
    super::report_panics_once();
    let input = text_argument(&input, "phone").map_err(to_js)?;
    ids::phone_to_user_id(&input).map(|id| id.to_string()).map_err(|e| to_js(e.into()))
}

/// Reads an invite code or link (`https://chat.whatsapp.com/<code>`, look-alike hosts refused)
/// into `{code, link}`; otherwise throws a `GroupgateError` with code `validation_failed` and
/// `errors[0]` `{parameter: "code", code: "invalid_invite_code" | "invalid_invite_link"}`.
#[wasm_bindgen(js_name = parseInvite, unchecked_return_type = "Invite")]
pub fn parse_invite(
    #[wasm_bindgen(js_name = codeOrLink, unchecked_param_type = "string")] code_or_link: JsValue,
) -> Result<JsValue, JsValue> {
    super::report_panics_once();
    let text = text_argument(&code_or_link, "code").map_err(to_js)?;
    match InviteCode::parse_code_or_link(&text) {
        Ok(code) => Ok(invite_object(&code)),
        Err((code, why)) => Err(to_js(Error::from(FieldError::parameter("code", code, format!("code: {why}"))))),
    }
}

/// Parses a WAHA webhook body into a typed event; `kind` tells the five group events apart
/// (`"other"` for any other event, with its raw payload). Throws a `GroupgateError`
/// (`invalid_json`, `invalid_type`, `payload_too_large`) for anything else; a `body` that is no
/// string, `validation_failed` with `errors[0]` `{parameter: "body", code: "invalid_type"}`.
#[wasm_bindgen(js_name = parseGroupEvent, unchecked_return_type = "GroupEvent")]
pub fn parse_group_event(#[wasm_bindgen(unchecked_param_type = "string")] body: JsValue) -> Result<JsValue, JsValue> {
    super::report_panics_once();
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
