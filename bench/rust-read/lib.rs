//! Baseline (d) of `make bench`: baseline (c)'s read with what it decides made in Rust, through
//! wasm, the cheapest way groupgate's measurements found. `entry.js` awaits the upstream's answer
//! itself and calls into wasm twice, synchronously: once for the outbound request (the upstream
//! URL, its key, a new request id) and once for the response's headers and the log line. No
//! routing, key, validation or executor: what it costs against (a) is the floor any Rust Worker
//! doing groupgate's runtime work on a read starts from.

use std::cell::RefCell;
use wasm_bindgen::prelude::wasm_bindgen;

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

/// The upstream's base URL and key.
#[derive(Default)]
struct Upstream {
    url: String,
    key: String,
}

thread_local! {
    static UPSTREAM: RefCell<Upstream> = RefCell::default();
}

/// Keeps the upstream's base URL and key (once per isolate).
#[wasm_bindgen]
pub fn configure(url: String, key: String) {
    UPSTREAM.set(Upstream { url, key });
}

/// The outbound request of a read of `url`: "requestId\nstartedMs\nupstream URL\nname\nvalue\n…".
#[wasm_bindgen]
pub fn outbound(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |at| &after_scheme[at..]);
    let path = path.split_once('#').map_or(path, |(path, _)| path);
    let request_id = random_uuid();
    let started = now_ms().to_string();
    UPSTREAM.with_borrow(|upstream| {
        [
            &request_id,
            "\n",
            &started,
            "\n",
            &upstream.url,
            path,
            "\nx-api-key\n",
            &upstream.key,
            "\nx-request-id\n",
            &request_id,
        ]
        .concat()
    })
}

/// The response of a read: "log line\nname\nvalue\n…", the line as baseline (c) writes it.
#[wasm_bindgen]
pub fn inbound(method: &str, request_id: &str, started_ms: f64, status: u16, content_type: &str) -> String {
    let latency_ms = (now_ms() - started_ms).max(0.0) as u64;
    let mut out = String::with_capacity(256);
    out.push_str("{\"requestId\":");
    json_string(&mut out, request_id);
    out.push_str(",\"method\":");
    json_string(&mut out, method);
    out.push_str(&format!(",\"status\":{status},\"upstreamStatus\":{status},\"latencyMs\":{latency_ms}}}"));
    for (name, value) in [("content-type", content_type), ("x-request-id", request_id), ("vary", "Origin")] {
        out.extend(["\n", name, "\n", value]);
    }
    out
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
