//! One request/response exchange: request id, CORS, problem responses, extra headers and the
//! log line, applied the same way to every answer. The answer is held in Rust ([`Outgoing`]) and
//! handed to the runtime, its headers and the log line with it, in one call.

use super::batched::{respond as build, response_head, Body, HeaderList};
use super::incoming::Incoming;
use super::log::LogLine;
use super::read_ahead::ID_HOLE;
use super::runtime::{console_error, message};
use super::task::settled;
use super::upstream::Prefetched;
use crate::config::AllowedOrigins;
use crate::error::{Error, ErrorCode};
use crate::wire::record::Writer;
use crate::wire::valid_request_id;
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;
use web_sys::{ReadableStream, Response};

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

/// An answer, held until it is handed to the runtime.
pub struct Outgoing {
    /// HTTP status (a passed response keeps its own).
    pub status: u16,
    /// Its own headers (the exchange adds request id, CORS and its extra headers).
    pub headers: HeaderList,
    /// The body.
    pub body: Body,
}

impl Outgoing {
    /// The runtime's response (no log line: for answers outside an exchange).
    pub fn into_response(self) -> Response {
        build(self.status, &self.body, &response_head(&self.headers, None))
    }
}

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
    /// The upstream's answer, when the Worker's module fetched it before the request reached the
    /// pipeline (a read forwarded ahead, `read_ahead.rs`); taken by the forward.
    pub prefetched: Option<Prefetched>,
}

impl Exchange {
    /// Starts an exchange for `req`: under the id and arrival time `given` (by the Worker's module,
    /// to a read it has sent already: `read_ahead.rs`), or else the client's id when valid (a fresh
    /// one when not), from now.
    pub fn begin(req: &Incoming, given: Option<(String, f64)>) -> Self {
        let (request_id, started_ms) = given.unwrap_or_else(|| {
            let id = req.header(REQUEST_ID).filter(|id| valid_request_id(id)).unwrap_or_else(random_uuid);
            (id, js_sys::Date::now())
        });
        let log = LogLine::begin(&request_id, req.method(), started_ms);
        Exchange { request_id, origin: req.header("Origin"), headers: Vec::new(), log, prefetched: None }
    }

    /// Builds the final response: the result or its problem, plus request id, CORS and extra
    /// headers; writes the log line.
    pub fn finish(self, result: Result<Outgoing, Error>, origins: &AllowedOrigins) -> Response {
        let (status, body, head) = self.close(result, origins);
        build(status, &body, &head)
    }

    /// [`Exchange::close`] with the request id and the log line's latency as holes
    /// (`read_ahead.rs`): the answer of every request with the same head and answer head.
    pub fn close_hollow(mut self, result: Result<Outgoing, Error>, origins: &AllowedOrigins) -> (u16, Body, String) {
        ID_HOLE.clone_into(&mut self.request_id);
        self.log.hollow();
        self.close(result, origins)
    }

    /// The final answer as [`Exchange::finish`] builds it: its status, its body, and its headers
    /// with the log line ([`response_head`]).
    pub fn close(mut self, result: Result<Outgoing, Error>, origins: &AllowedOrigins) -> (u16, Body, String) {
        let Outgoing { status, mut headers, body } = match result {
            Ok(outgoing) => outgoing,
            Err(error) => {
                self.log.error = Some(error.code.as_str());
                problem(&error, &self.request_id)
            }
        };
        headers.add(REQUEST_ID, &self.request_id);
        for (name, value) in &self.headers {
            headers.add(name, value);
        }
        if let Some(origin) = self.origin.as_deref().and_then(|o| origins.grant(o)) {
            headers.add("Access-Control-Allow-Origin", origin);
            headers.add("Access-Control-Expose-Headers", EXPOSED);
        }
        headers.add("Vary", "Origin");
        (status, body, response_head(&headers, Some(self.log.finish(status))))
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// A fresh request id: `crypto.randomUUID()`, one call into the runtime.
    #[wasm_bindgen(js_namespace = crypto, js_name = randomUUID)]
    fn random_uuid() -> String;
}

/// An RFC 9457 problem response for `error`.
pub fn problem(error: &Error, request_id: &str) -> Outgoing {
    let body = error.problem(Some(request_id)).render().into_bytes();
    let status = if error.status == 0 { 500 } else { error.status };
    let mut response = respond(status, body, "application/problem+json");
    if error.code == ErrorCode::Unauthorized {
        response.headers.add("WWW-Authenticate", WWW_AUTHENTICATE);
    }
    if let Some(seconds) = error.retry_after {
        response.headers.add("Retry-After", &seconds.to_string());
    }
    response
}

/// A response with `status`, `body` and `content_type`.
pub fn respond(status: u16, body: Vec<u8>, content_type: &str) -> Outgoing {
    typed(status, Body::Bytes(body), content_type)
}

/// A response with `status`, its body streamed from `body` (none: empty), and `content_type`.
pub fn respond_streamed(status: u16, body: Option<ReadableStream>, content_type: &str) -> Outgoing {
    typed(status, body.map_or(Body::Empty, Body::Stream), content_type)
}

/// A response with `status` and `body`, labelled `content_type`.
fn typed(status: u16, body: Body, content_type: &str) -> Outgoing {
    Outgoing { status, headers: HeaderList::default().with("Content-Type", content_type), body }
}

/// An empty response with `status`.
pub fn empty(status: u16) -> Outgoing {
    Outgoing { status, headers: HeaderList::default(), body: Body::Empty }
}

/// A whole body, read by the runtime in one call (the request's or response's `arrayBuffer()`)
/// rather than chunk by chunk through a stream reader.
pub async fn body_bytes(array_buffer: Result<js_sys::Promise, JsValue>) -> Result<Vec<u8>, JsValue> {
    let buffer = settled(array_buffer?).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Maps an unexpected runtime error to a problem (never a bare 500); the cause goes to the log.
pub fn internal(error: JsValue) -> Error {
    console_error(&Writer::open().string("runtimeError", &message(&error)).finish());
    Error::new(crate::error::ErrorCode::Misconfigured, "unexpected runtime error; see the gateway log")
}
