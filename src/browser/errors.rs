//! `GroupgateError`: every failure becomes a JS `Error` carrying the Worker's stable `code`,
//! `status`, per-field `errors`, and for rate limits `retryAfter` and the `RateLimit` fields.

use crate::error::{Error, ErrorCode, FieldError, Location};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR_CODE: &str = ErrorCode::TS_UNION;

/// The `name` of every error the module throws.
pub(crate) const ERROR_NAME: &str = "GroupgateError";

/// Sets `target[key] = value`, ignoring failures (plain objects never refuse).
pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// `target[key]`, `undefined` when absent or unreadable.
pub(crate) fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A failure on its way to JS: the core error's fields plus what an HTTP answer adds.
pub(crate) struct Failure {
    /// Stable machine code (kept as text: the Worker may know codes this build does not).
    pub code: String,
    /// HTTP status, 0 for network failures and aborts.
    pub status: u16,
    /// Human explanation.
    pub detail: String,
    /// The field errors, already as JS objects.
    pub errors: Array,
    /// Seconds to wait, for 429 answers.
    pub retry_after: Option<f64>,
    /// `X-Request-Id` or the problem's `requestId`.
    pub request_id: Option<String>,
    /// Parsed `RateLimit` header.
    pub rate_limit: Option<JsValue>,
    /// Parsed `RateLimit-Policy` header.
    pub rate_limit_policy: Option<JsValue>,
}

impl Failure {
    /// A failure with only a code and a detail, at the code's default status.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Failure::from(Error::new(code, detail))
    }

    /// The thrown value: an `Error` named `GroupgateError` with every field set.
    pub fn into_js(self) -> JsValue {
        let error: JsValue = js_sys::Error::new(&self.detail).into();
        set(&error, "name", &JsValue::from_str(ERROR_NAME));
        set(&error, "code", &JsValue::from_str(&self.code));
        set(&error, "status", &JsValue::from(self.status));
        set(&error, "detail", &JsValue::from_str(&self.detail));
        set(&error, "errors", &self.errors);
        if let Some(seconds) = self.retry_after {
            set(&error, "retryAfter", &JsValue::from_f64(seconds));
        }
        if let Some(id) = &self.request_id {
            set(&error, "requestId", &JsValue::from_str(id));
        }
        if let Some(info) = &self.rate_limit {
            set(&error, "rateLimit", info);
        }
        if let Some(info) = &self.rate_limit_policy {
            set(&error, "rateLimitPolicy", info);
        }
        error
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            code: error.code.as_str().to_owned(),
            status: error.status,
            errors: error.errors.iter().map(field_to_js).collect(),
            retry_after: error.retry_after.map(|s| s as f64),
            detail: error.detail,
            request_id: None,
            rate_limit: None,
            rate_limit_policy: None,
        }
    }
}

/// Throws a core error as a `GroupgateError`.
pub(crate) fn to_js(error: Error) -> JsValue {
    Failure::from(error).into_js()
}

/// `{pointer|parameter, code, detail}`, the shape of the Worker's problem `errors`.
fn field_to_js(field: &FieldError) -> JsValue {
    let object: JsValue = Object::new().into();
    match &field.location {
        Location::Body(pointer) => set(&object, "pointer", &JsValue::from_str(pointer)),
        Location::Parameter(name) => set(&object, "parameter", &JsValue::from_str(name)),
    }
    set(&object, "code", &JsValue::from_str(field.code.as_str()));
    set(&object, "detail", &JsValue::from_str(&field.detail));
    object
}

/// Whether `value` is an error thrown by groupgate (`GroupgateError`).
#[wasm_bindgen(js_name = isGroupgateError, unchecked_return_type = "value is GroupgateError")]
pub fn is_groupgate_error(#[wasm_bindgen(unchecked_param_type = "unknown")] value: &JsValue) -> bool {
    value.is_instance_of::<js_sys::Error>()
        && get(value, "name").as_string().as_deref() == Some(ERROR_NAME)
        && get(value, "code").is_string()
}
