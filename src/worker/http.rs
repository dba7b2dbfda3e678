//! One request/response exchange: request id, CORS, problem responses, extra headers and the
//! log line, applied the same way to every answer.

use super::incoming::Incoming;
use super::log::LogLine;
use super::runtime::{console_error, message};
use crate::config::AllowedOrigins;
use crate::error::{Error, ErrorCode};
use crate::wire::record::Writer;
use crate::wire::valid_request_id;
use js_sys::futures::JsFuture;
use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use web_sys::{Headers, ReadableStream, Response, ResponseInit};

/// Header carrying the request id, in and out.
pub const REQUEST_ID: &str = "X-Request-Id";
/// Response headers a browser may read.
const EXPOSED: &str =
    "RateLimit, RateLimit-Policy, Retry-After, X-Request-Id, Idempotency-Replayed, Age, X-Groupgate-Cache";
/// Request headers a browser may send.
pub const ALLOWED_HEADERS: &str =
    "X-Api-Key, Authorization, Content-Type, Idempotency-Key, X-Request-Id, Cache-Control";
/// The challenge sent with every 401 (RFC 9110 §11.6.1): a key as a bearer token (or `X-Api-Key`).
pub const WWW_AUTHENTICATE: &str = r#"Bearer realm="groupgate""#;
/// Methods a browser may use.
pub const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";

/// What is known about the exchange while it is handled.
pub struct Exchange {
    /// The request id (incoming if valid, else generated).
    pub request_id: String,
    /// The request's `Origin`, if any.
    pub origin: Option<String>,
    /// Headers added to the answer, whatever it is (rate-limit fields, `Allow`).
    pub headers: Vec<(&'static str, String)>,
    /// The log line being filled in.
    pub log: LogLine,
}

impl Exchange {
    /// Starts an exchange for `req`.
    pub fn begin(req: &Incoming) -> Self {
        let header = |name| req.headers().get(name).ok().flatten();
        let request_id = header(REQUEST_ID).filter(|id| valid_request_id(id)).unwrap_or_else(random_uuid);
        let log = LogLine::begin(&request_id, req.method());
        Exchange { request_id, origin: header("Origin"), headers: Vec::new(), log }
    }

    /// Builds the final response: the result or its problem, plus request id, CORS and extra
    /// headers; writes the log line.
    pub fn finish(mut self, result: Result<Response, Error>, origins: &AllowedOrigins) -> Response {
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                self.log.error = Some(error.code.as_str());
                problem(&error, &self.request_id)
            }
        };
        let headers = response.headers();
        let _ = headers.set(REQUEST_ID, &self.request_id);
        for (name, value) in &self.headers {
            let _ = headers.set(name, value);
        }
        if let Some(origin) = self.origin.as_deref().and_then(|o| origins.grant(o)) {
            let _ = headers.set("Access-Control-Allow-Origin", origin);
            let _ = headers.set("Access-Control-Expose-Headers", EXPOSED);
        }
        let _ = headers.append("Vary", "Origin");
        self.log.write(response.status());
        response
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// A fresh request id: `crypto.randomUUID()`, one call into the runtime.
    #[wasm_bindgen(js_namespace = crypto, js_name = randomUUID)]
    fn random_uuid() -> String;
}

/// An RFC 9457 problem response for `error`.
pub fn problem(error: &Error, request_id: &str) -> Response {
    let body = error.problem(Some(request_id)).render().into_bytes();
    let status = if error.status == 0 { 500 } else { error.status };
    let response = respond(status, body, "application/problem+json");
    if error.code == ErrorCode::Unauthorized {
        let _ = response.headers().set("WWW-Authenticate", WWW_AUTHENTICATE);
    }
    if let Some(seconds) = error.retry_after {
        let _ = response.headers().set("Retry-After", &seconds.to_string());
    }
    response
}

/// A response with `status`, `body` and `content_type`.
pub fn respond(status: u16, body: Vec<u8>, content_type: &str) -> Response {
    let body = Uint8Array::from(body.as_slice());
    typed(Response::new_with_opt_buffer_source_and_init(Some(&body), &status_init(status)), content_type)
}

/// A response with `status`, its body streamed from `body` (none: empty), and `content_type`.
pub fn respond_streamed(status: u16, body: Option<&ReadableStream>, content_type: &str) -> Response {
    typed(Response::new_with_opt_readable_stream_and_init(body, &status_init(status)), content_type)
}

/// The response `built`, labelled `content_type`.
fn typed(built: Result<Response, JsValue>, content_type: &str) -> Response {
    let response = built.unwrap_throw();
    let _ = response.headers().set("Content-Type", content_type);
    response
}

/// An empty response with `status`.
pub fn empty(status: u16) -> Response {
    Response::new_with_opt_str_and_init(None, &status_init(status)).unwrap_throw()
}

/// A response's options with `status`.
fn status_init(status: u16) -> ResponseInit {
    let init = ResponseInit::new();
    init.set_status(status);
    init
}

/// How an outbound request treats a redirect answer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Redirects {
    /// Follow it (the runtime's default).
    Follow,
    /// Return it as the answer: nothing is sent to where it points.
    Return,
}

/// The options of an outbound request.
pub fn request_init(
    method: &str,
    headers: Option<&Headers>,
    body: Option<&str>,
    redirects: Redirects,
) -> web_sys::RequestInit {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(headers) = headers {
        init.set_headers(headers);
    }
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    if redirects == Redirects::Return {
        init.set_redirect(web_sys::RequestRedirect::Manual);
    }
    init
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The runtime's global `fetch(url, init)`.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &web_sys::RequestInit) -> Result<js_sys::Promise, JsValue>;
}

/// Sends a request to `url` with `init` through the runtime's `fetch`, without a `Request` object.
pub async fn send(url: &str, init: &web_sys::RequestInit) -> Result<Response, JsValue> {
    let response = JsFuture::from(global_fetch(url, init)?).await?;
    Ok(response.unchecked_into())
}

/// A whole body, read by the runtime in one call (the request's or response's `arrayBuffer()`)
/// rather than chunk by chunk through a stream reader.
pub async fn body_bytes(array_buffer: Result<js_sys::Promise, JsValue>) -> Result<Vec<u8>, JsValue> {
    let buffer = JsFuture::from(array_buffer?).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Maps an unexpected runtime error to a problem (never a bare 500); the cause goes to the log.
pub fn internal(error: JsValue) -> Error {
    console_error(&Writer::open().string("runtimeError", &message(&error)).finish());
    Error::new(crate::error::ErrorCode::Misconfigured, "unexpected runtime error; see the gateway log")
}
