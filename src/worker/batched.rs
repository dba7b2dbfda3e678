//! The runtime calls on a request's path, batched (`batched.js`): the request's method, URL and
//! the headers most requests need in one call, an outbound `fetch` with its headers and options in
//! one, an answer's status and headers in one, and the response with its headers and the log line
//! in one. Every string handed to the runtime is copied and decoded on its own, so each call's
//! strings go as one text, and a list of header names, the same on every request, is a runtime
//! string made once per isolate ([`HeaderNames`]) and handed over by reference.

use super::task::settled;
use crate::wire::joined;
use js_sys::{JsString, Promise};
use std::thread::LocalKey;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, ReadableStream, Response};

#[wasm_bindgen(module = "/src/worker/batched.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = send)]
    fn send_listed(
        head: &str,
        body: Option<&str>,
        signal: Option<&AbortSignal>,
        follow: bool,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_name = answerHead)]
    fn answer_head_listed(response: &Response, names: &JsString) -> String;

    #[wasm_bindgen(js_name = respond)]
    fn respond_with_bytes(status: u16, body: &[u8], listed: &str) -> Response;

    #[wasm_bindgen(js_name = respond)]
    fn respond_with_value(status: u16, body: &JsValue, listed: &str) -> Response;
}

/// A `\n`-separated list of header names as a runtime string, kept in a `thread_local!` so that
/// it is made once per isolate:
/// `thread_local!(static NAMES: HeaderNames = HeaderNames::from("Content-Type\nContent-Length"))`.
pub type HeaderNames = JsString;

/// Headers as one `name\nvalue\n…` list, the way they cross to the runtime; the runtime sets them
/// in order (a later one replaces an earlier one of the same name), `Vary` appended.
#[derive(Debug, Default, Clone)]
pub struct HeaderList(String);

impl HeaderList {
    /// Adds a header.
    pub fn add(&mut self, name: &str, value: &str) {
        self.0.reserve(name.len() + value.len() + 2);
        self.0.push_str(name);
        self.0.push('\n');
        self.0.push_str(value);
        self.0.push('\n');
    }

    /// The list with a header added.
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.add(name, value);
        self
    }
}

/// An outbound request's options.
pub struct Outbound<'a> {
    /// The method (`GET`).
    pub method: &'a str,
    /// Its headers.
    pub headers: &'a HeaderList,
    /// Its body, if any.
    pub body: Option<&'a str>,
    /// What aborts it (a timeout), if anything.
    pub signal: Option<&'a AbortSignal>,
    /// Whether a redirect is followed (else it is the answer, and nothing is sent where it points).
    pub follow_redirects: bool,
}

/// Sends a request to `url` through the runtime's `fetch`.
pub async fn send(url: &str, outbound: &Outbound<'_>) -> Result<Response, JsValue> {
    let Outbound { method, headers, body, signal, follow_redirects } = *outbound;
    let promise = send_listed(&send_head(method, url, headers), body, signal, follow_redirects)?;
    Ok(settled(promise).await?.unchecked_into())
}

/// The method, URL and headers of a request to send, as `batched.js`'s `send` takes them: one
/// `\n`-separated text. None holds a line break (the URL settings and picture URLs refuse
/// whitespace and control characters; a rendered path and query are percent-encoded).
pub fn send_head(method: &str, url: &str, headers: &HeaderList) -> String {
    joined([method, url, &headers.0], "\n")
}

/// The header values of a head, in the order their names were listed (`\0`: absent).
fn values<const N: usize>(listed: &str) -> [Option<String>; N] {
    let mut values = listed.split('\n').map(|value| (value != "\0").then(|| value.to_owned()));
    std::array::from_fn(|_| values.next().flatten())
}

/// The method, URL and header values of a request's head as `batched.js`'s `requestHead` writes it.
pub fn read_request_head<const N: usize>(head: &str) -> (String, String, [Option<String>; N]) {
    let mut parts = head.splitn(3, '\n');
    let method = parts.next().unwrap_or_default().to_owned();
    let url = parts.next().unwrap_or_default().to_owned();
    (method, url, values(parts.next().unwrap_or_default()))
}

/// An answer's status and the value of each header of `names`, in order.
pub fn answer_head<const N: usize>(
    response: &Response,
    names: &'static LocalKey<HeaderNames>,
) -> (u16, [Option<String>; N]) {
    read_answer_head(&names.with(|names| answer_head_listed(response, names)))
}

/// The status and header values of an answer's head as `batched.js`'s `answerHead` writes it.
pub fn read_answer_head<const N: usize>(head: &str) -> (u16, [Option<String>; N]) {
    let (status, listed) = head.split_once('\n').unwrap_or((head, ""));
    (status.parse().unwrap_or_default(), values(listed))
}

/// The body of a response to the client.
pub enum Body {
    /// None.
    Empty,
    /// Bytes (the runtime copies them).
    Bytes(Vec<u8>),
    /// A stream the runtime pipes through (an upstream answer passed on unread).
    Stream(ReadableStream),
    /// A whole response of the runtime's (a static asset), copied with the headers added.
    Passed(Response),
}

/// A response's headers and the log line to write with it (none: empty) as `batched.js`'s
/// `respond` takes them: one text, "line\nname\nvalue\n…" (a log line is JSON, whose strings
/// escape their line breaks).
pub fn response_head(headers: &HeaderList, line: Option<String>) -> String {
    let mut listed = line.unwrap_or_default();
    listed.push('\n');
    listed.push_str(&headers.0);
    listed
}

/// Builds the runtime's response: `status`, `body`, and the headers of `listed`
/// ([`response_head`]), whose log line is written first.
pub fn respond(status: u16, body: &Body, listed: &str) -> Response {
    match body {
        Body::Bytes(bytes) => respond_with_bytes(status, bytes, listed),
        Body::Empty => respond_with_value(status, &JsValue::NULL, listed),
        Body::Stream(stream) => respond_with_value(status, stream, listed),
        Body::Passed(response) => respond_with_value(status, response, listed),
    }
}
