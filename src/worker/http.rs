//! One request/response exchange: request id, CORS, problem responses, extra headers and the
//! log line, applied the same way to every answer.

use super::log::LogLine;
use crate::config::AllowedOrigins;
use crate::error::{Error, ErrorCode};
use crate::wire::valid_request_id;
use worker::{Headers, Request, Response, ResponseBuilder};

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
    pub fn begin(req: &Request) -> Self {
        let header = |name| req.headers().get(name).ok().flatten();
        let request_id = header(REQUEST_ID).filter(|id| valid_request_id(id)).unwrap_or_else(new_request_id);
        let log = LogLine::begin(&request_id, &method_of(req));
        Exchange { request_id, origin: header("Origin"), headers: Vec::new(), log }
    }

    /// Builds the final response: the result or its problem, plus request id, CORS and extra
    /// headers; writes the log line.
    pub fn finish(mut self, result: Result<Response, Error>, origins: &AllowedOrigins) -> Response {
        let mut response = match result {
            Ok(response) => response,
            Err(error) => {
                self.log.error = Some(error.code.as_str());
                problem(&error, &self.request_id)
            }
        };
        let headers = response.headers_mut();
        let _ = headers.set(REQUEST_ID, &self.request_id);
        for (name, value) in &self.headers {
            let _ = headers.set(name, value);
        }
        if let Some(origin) = self.origin.as_deref().and_then(|o| origins.grant(o)) {
            let _ = headers.set("Access-Control-Allow-Origin", origin);
            let _ = headers.set("Access-Control-Expose-Headers", EXPOSED);
        }
        let _ = headers.append("Vary", "Origin");
        self.log.write(response.status_code());
        response
    }
}

/// The request's method as the client sent it: `worker::Method` reads a method it does not know
/// (`QUERY`) as `GET`, which would serve it as one.
pub fn method_of(req: &Request) -> String {
    req.inner().method()
}

/// A fresh request id (a random UUID).
fn new_request_id() -> String {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok();
    let uuid = crypto.and_then(|c| {
        let f = js_sys::Reflect::get(&c, &"randomUUID".into()).ok()?;
        let f: &js_sys::Function = wasm_bindgen::JsCast::dyn_ref(&f)?;
        f.call0(&c).ok()?.as_string()
    });
    uuid.unwrap_or_else(|| format!("{:x}", js_sys::Date::now() as u64))
}

/// An RFC 9457 problem response for `error`.
pub fn problem(error: &Error, request_id: &str) -> Response {
    let body = serde_json::to_vec(&error.problem(Some(request_id))).unwrap_or_default();
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
    let headers = Headers::new();
    let _ = headers.set("Content-Type", content_type);
    ResponseBuilder::new().with_status(status).with_headers(headers).fixed(body)
}

/// An empty response with `status`.
pub fn empty(status: u16) -> Response {
    ResponseBuilder::new().with_status(status).empty()
}

/// Maps an unexpected runtime error to a problem (never a bare 500); the cause goes to the log.
pub fn internal(error: worker::Error) -> Error {
    worker::console_error!("{}", serde_json::json!({"runtimeError": error.to_string()}));
    Error::new(crate::error::ErrorCode::Misconfigured, "unexpected runtime error; see the gateway log")
}
