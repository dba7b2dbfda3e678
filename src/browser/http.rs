//! One HTTP exchange with the Worker: fetch with cancellation and timeout, then the answer as
//! JSON or as a `GroupgateError` built from the RFC 9457 problem and the rate-limit headers.

use super::errors::{get, set, Failure};
use crate::error::ErrorCode;
use crate::headers::IDEMPOTENCY_KEY_HEADER;
use crate::ratelimit::parse_field;
use crate::upstream::unsound_body;
use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    /// `AbortSignal.timeout(ms)`, an exception kept as `Err`.
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout, catch)]
    fn abort_after(milliseconds: u32) -> Result<AbortSignal, JsValue>;

    /// `AbortSignal.any(signals)`, an exception kept as `Err`.
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = any, catch)]
    fn abort_on_any(signals: &Array) -> Result<AbortSignal, JsValue>;

    /// The global `fetch(url, init)` (windows and workers), an exception kept as `Err`.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

/// A request ready to send.
pub(crate) struct Outgoing<'a> {
    /// HTTP method.
    pub method: crate::ops::Method,
    /// Absolute URL.
    pub url: String,
    /// JSON body.
    pub body: Option<String>,
    /// Every header, the API key included.
    pub headers: &'a [(String, String)],
    /// `Idempotency-Key`, when the caller gave one.
    pub idempotency_key: Option<String>,
}

/// Sends `request`, cancelled by `signal` or after `timeout_ms` (0: never), and returns the JSON
/// answer (`undefined` for an empty body).
pub(crate) async fn send(
    request: Outgoing<'_>,
    signal: Option<AbortSignal>,
    timeout_ms: u32,
) -> Result<JsValue, Failure> {
    // Browsers without `AbortSignal.timeout` / `.any` (Safari before 16 / 17.4) lose the timeout
    // rather than the call.
    let timer = (timeout_ms > 0).then(|| abort_after(timeout_ms).ok()).flatten();
    let combined = match (&signal, &timer) {
        (Some(user), Some(timer)) => Some(abort_on_any(&Array::of2(user, timer)).unwrap_or_else(|_| user.clone())),
        (Some(one), None) | (None, Some(one)) => Some(one.clone()),
        (None, None) => None,
    };
    let cancelled = |detail: String| cancel_failure(signal.as_ref(), timer.as_ref(), timeout_ms, detail);
    // Names and values were checked when the client was made; a refusal here only drops one.
    let headers = web_sys::Headers::new().map_err(|_| Failure::new(ErrorCode::NetworkError, "no Headers"))?;
    for (name, value) in request.headers {
        let _ = headers.append(name, value);
    }
    let _ = headers.append("Accept", "application/json, application/problem+json");
    if let Some(key) = &request.idempotency_key {
        let _ = headers.append(IDEMPOTENCY_KEY_HEADER, key);
    }
    if request.body.is_some() {
        let _ = headers.append("Content-Type", "application/json");
    }
    let init = RequestInit::new();
    init.set_method(request.method.as_str());
    init.set_headers(&headers);
    init.set_signal(combined.as_ref());
    if let Some(body) = &request.body {
        init.set_body(&JsValue::from_str(body));
    }
    let settled = |promise: Result<Promise, JsValue>| async move { JsFuture::from(promise?).await };
    let response: Response =
        settled(global_fetch(&request.url, &init)).await.map_err(|e| cancelled(describe(&e)))?.unchecked_into();
    let text = settled(response.text()).await.map_err(|e| cancelled(describe(&e)))?.as_string().unwrap_or_default();
    if !response.ok() {
        return Err(problem(&response, &text));
    }
    if text.trim().is_empty() {
        return Ok(JsValue::UNDEFINED);
    }
    js_sys::JSON::parse(&text).or_else(|_| {
        // WAHA (NestJS) sends a string bare, as text: an invite code arrives so. Markup is no answer.
        let content_type = header(&response, "Content-Type");
        match unsound_body(content_type.as_deref(), text.as_bytes()) {
            None => Ok(JsValue::from_str(text.trim())),
            Some(_) => {
                Err(Failure::new(ErrorCode::UpstreamUnavailable, "the Worker answered something that is not JSON")
                    .with_request(&response))
            }
        }
    })
}

/// The answer's header `name`, if it has one.
fn header(response: &Response, name: &str) -> Option<String> {
    response.headers().get(name).ok().flatten()
}

/// A rejection's message (a `TypeError: Failed to fetch`, an `AbortError`).
fn describe(error: &JsValue) -> String {
    get(error, "message").as_string().unwrap_or_else(|| "no answer".to_owned())
}

/// A fetch that failed: aborted by the caller, timed out, or a network (or CORS) failure.
fn cancel_failure(user: Option<&AbortSignal>, timer: Option<&AbortSignal>, timeout_ms: u32, detail: String) -> Failure {
    if user.is_some_and(AbortSignal::aborted) {
        Failure::new(ErrorCode::Aborted, "the request was aborted by its AbortSignal")
    } else if timer.is_some_and(AbortSignal::aborted) {
        Failure::new(ErrorCode::Timeout, format!("no answer within {timeout_ms} ms"))
    } else {
        Failure::new(ErrorCode::NetworkError, format!("the request failed: {detail}"))
    }
}

impl Failure {
    /// Adds the answer's `X-Request-Id`.
    fn with_request(mut self, response: &Response) -> Self {
        self.request_id = header(response, "X-Request-Id").filter(|id| !id.is_empty());
        self
    }
}

/// A non-2xx answer as a failure: the problem document's fields, else a code from the status.
fn problem(response: &Response, text: &str) -> Failure {
    let status = response.status();
    let body = js_sys::JSON::parse(text).ok().filter(JsValue::is_object).unwrap_or(JsValue::UNDEFINED);
    let code = get(&body, "code").as_string();
    let problemless = code.is_none();
    let code = code.unwrap_or_else(|| problemless_code(status).as_str().to_owned());
    let detail = get(&body, "detail").as_string().or_else(|| get(&body, "title").as_string()).unwrap_or_else(|| {
        let what = if problemless { " without a groupgate problem" } else { "" };
        format!("the Worker answered HTTP {status}{what}")
    });
    let errors = get(&body, "errors").dyn_into::<Array>().unwrap_or_default();
    let retry_after = get(&body, "retryAfter")
        .as_f64()
        .or_else(|| header(response, "Retry-After").and_then(|s| s.trim().parse::<u32>().ok()).map(f64::from));
    let mut failure = Failure {
        code,
        status,
        detail,
        errors,
        retry_after,
        request_id: None,
        rate_limit: None,
        rate_limit_policy: None,
    }
    .with_request(response);
    // With a session and a group quota, the binding one is the item with the fewest units left;
    // without a decision (`cost_exceeds_quota`), the policy with the smallest quota.
    let limits = header(response, "RateLimit").map(|v| parse_field(&v, ["r", "t"])).unwrap_or_default();
    let policies = header(response, "RateLimit-Policy").map(|v| parse_field(&v, ["q", "w"])).unwrap_or_default();
    let binding = limits.into_iter().min_by_key(|(_, [remaining, _])| *remaining);
    let policy = match &binding {
        Some((name, _)) => policies.into_iter().find(|(policy, _)| policy == name),
        None => policies.into_iter().min_by_key(|(_, [quota, _])| *quota),
    };
    if let Some((name, [remaining, reset])) = binding {
        failure.rate_limit = Some(rate_limit_object(&name, ["remaining", "reset"], [remaining, reset]));
    }
    failure.rate_limit_policy = policy.map(|(name, values)| rate_limit_object(&name, ["quota", "window"], values));
    if failure.request_id.is_none() {
        failure.request_id = get(&body, "requestId").as_string();
    }
    failure
}

/// The code of an error answer without a groupgate problem (a proxy's, a CDN's): the status's
/// code when the status alone says it (`unauthorized`, `not_found`, `rate_limited`, …), but never
/// one that blames the request's content (`invalid_json`, `validation_failed`,
/// `unsupported_media_type`), which only the Worker's problem can say: those answers are
/// `upstream_unavailable`, something in between answered instead of the Worker.
fn problemless_code(status: u16) -> ErrorCode {
    match ErrorCode::of_status(status) {
        ErrorCode::InvalidJson | ErrorCode::ValidationFailed | ErrorCode::UnsupportedMediaType => {
            ErrorCode::UpstreamUnavailable
        }
        code => code,
    }
}

/// `{policy, <names[0]>: values[0], <names[1]>: values[1]}`.
fn rate_limit_object(policy: &str, names: [&str; 2], values: [u32; 2]) -> JsValue {
    let object: JsValue = Object::new().into();
    set(&object, "policy", &JsValue::from_str(policy));
    for (name, value) in names.iter().zip(values) {
        set(&object, name, &JsValue::from(value));
    }
    object
}
