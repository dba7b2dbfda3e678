//! `validateRequest`: the Worker's own check of a WAHA request (route, every field, the limits),
//! with no client and no fetch: for checking requests built elsewhere, or a form's request,
//! before sending them. It answers the request as the Worker would forward it.

use super::client::{limits_option, text_argument};
use super::errors::to_js;
use crate::GroupRequest;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_CANONICAL_REQUEST: &'static str = r#"
/** A WAHA request as the Worker forwards it once valid (`validateRequest`). */
export interface CanonicalRequest {
  /** The HTTP method, e.g. `POST`. */
  method: string;
  /** The path, e.g. `/api/default/groups/1203…@g.us/participants/add` (the id percent-encoded). */
  path: string;
  /** The query string without `?` (`""` when there is none). */
  query: string;
  /** The JSON body, for operations that take one. */
  body?: string;
}
"#;

/// Validates a WAHA request exactly as the Worker does: `method` and `path`
/// (`/api/{session}/groups…`, optionally with `?query`), the JSON `body` text when the operation
/// takes one, and the Worker's `limits` when they differ from the defaults. Returns the request
/// as the Worker would forward it; throws a `GroupgateError` (`not_found`,
/// `method_not_allowed`, `invalid_json`, `validation_failed` with every invalid field, …)
/// otherwise.
#[wasm_bindgen(js_name = validateRequest, unchecked_return_type = "CanonicalRequest")]
pub fn validate_request(
    #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string")] body: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Partial<ValidationLimits>")] limits: JsValue,
) -> Result<JsValue, JsValue> {
    super::report_panics_once();
    let method = text_argument(&method, "method").map_err(to_js)?;
    let target = text_argument(&path, "path").map_err(to_js)?;
    let body = if body.is_undefined() || body.is_null() {
        String::new()
    } else {
        text_argument(&body, "body").map_err(to_js)?
    };
    let limits = limits_option(&limits).map_err(|e| to_js(e.into()))?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let request = GroupRequest::parse(&method, path, query, body.as_bytes(), &limits).map_err(to_js)?;
    let rendered = request.render();
    // One crossing and one string: method, path and query (none holds a line break), then the
    // body as it is.
    let text = match &rendered.body {
        Some(body) => [rendered.method.as_str(), "\n", &rendered.path, "\n", &rendered.query, "\n", body].concat(),
        None => [rendered.method.as_str(), "\n", &rendered.path, "\n", &rendered.query].concat(),
    };
    Ok(canonical_request(&text))
}

#[wasm_bindgen(module = "/src/browser/canonical.js")]
extern "C" {
    /// `{method, path, query, body?}` from "method\npath\nquery" and, when there is one, "\nbody".
    #[wasm_bindgen(js_name = canonicalRequest)]
    fn canonical_request(text: &str) -> JsValue;
}
