//! Baselines (d) and (e) of `make bench`: baseline (c)'s read with what it decides made in Rust,
//! through wasm, the cheapest way groupgate's measurements found. `entry.js` awaits the upstream's
//! answer itself and calls into wasm twice, synchronously: once for the outbound request and once
//! for the response's headers and the log line; the wasm never calls into the runtime but for the
//! request id and the clock. Built twice (`build.sh`):
//!
//! - (d), `plain.rs`: the upstream URL, its key and a new request id, and (c)'s log line; no
//!   routing, key or validation. What it costs against (a) is where any Rust Worker doing
//!   groupgate's runtime work on a read starts from.
//! - (e), feature `core`, `core.rs`: groupgate's core on the read as the Worker runs it (settings,
//!   routing, the client key, session and scope, the request read into its plan and rendered for
//!   the upstream) and groupgate's log line. groupgate against (e) is what its Worker adapter costs.

use wasm_bindgen::prelude::wasm_bindgen;

#[cfg(not(feature = "core"))]
#[path = "plain.rs"]
mod read;

#[cfg(feature = "core")]
#[path = "core.rs"]
mod read;

/// As the Worker's (the main crate's `src/lib.rs`).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = randomUUID)]
    fn random_uuid() -> String;

    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn now_ms() -> f64;
}

/// Keeps the settings (once per isolate): the upstream's base URL and key, and the client keys.
#[wasm_bindgen]
pub fn configure(url: String, key: String, client_keys: String) {
    read::configure(url, key, client_keys);
}

/// The outbound request of a read: "requestId\nstartedMs\nupstream URL\nsession\noperation\nname\nvalue\n…"
/// (session and operation empty where not known), or "" when the read is refused.
#[wasm_bindgen]
pub fn outbound(method: &str, url: &str, client_key: Option<String>) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let target = after_scheme.find('/').map_or("/", |at| &after_scheme[at..]);
    let target = target.split_once('#').map_or(target, |(target, _)| target);
    let Some(read) = read::outbound(method, target, client_key.as_deref()) else { return String::new() };
    let request_id = random_uuid();
    let started = now_ms().to_string();
    let Outbound { url, session, operation, credentials } = read;
    let mut out = [&request_id, "\n", &started, "\n", &url, "\n", &session, "\n", operation].concat();
    for (name, value) in [(credentials.0, credentials.1.as_str()), ("x-request-id", &request_id)] {
        out.extend(["\n", name, "\n", value]);
    }
    out
}

/// The response of a read: "log line\nname\nvalue\n…".
#[wasm_bindgen]
pub fn inbound(
    method: &str,
    request_id: &str,
    session: &str,
    operation: &str,
    started_ms: f64,
    status: u16,
    content_type: &str,
) -> String {
    let latency_ms = (now_ms() - started_ms).max(0.0) as u64;
    let mut out = String::with_capacity(320);
    out.push_str("{\"requestId\":");
    json_string(&mut out, request_id);
    out.push_str(",\"method\":");
    json_string(&mut out, method);
    read::log_fields(&mut out, session, operation);
    out.push_str(&format!(",\"status\":{status},\"upstreamStatus\":{status},\"latencyMs\":{latency_ms}"));
    out.push_str(read::LOG_TAIL);
    for (name, value) in [("content-type", content_type), ("x-request-id", request_id), ("vary", "Origin")] {
        out.extend(["\n", name, "\n", value]);
    }
    out
}

/// A read's outbound request, as `read` decides it.
pub struct Outbound {
    /// The upstream URL.
    pub url: String,
    /// The session (empty: not known).
    pub session: String,
    /// The operation's name (empty: not known).
    pub operation: &'static str,
    /// The upstream's credentials header: name and value.
    pub credentials: (&'static str, String),
}

/// Appends `text` as a JSON string.
fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
