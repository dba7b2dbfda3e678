//! Baseline (d): the upstream's URL and key, nothing decided; (c)'s log line.

use crate::Outbound;
use std::cell::RefCell;

/// The upstream's base URL and key.
#[derive(Default)]
struct Upstream {
    url: String,
    key: String,
}

thread_local! {
    static UPSTREAM: RefCell<Upstream> = RefCell::default();
}

/// Keeps the upstream's base URL and key.
pub fn configure(url: String, key: String, _client_keys: String) {
    UPSTREAM.set(Upstream { url, key });
}

/// The request to `target` (path and query), sent on as it is.
pub fn outbound(_method: &str, target: &str, _client_key: Option<&str>) -> Option<Outbound> {
    UPSTREAM.with_borrow(|upstream| {
        Some(Outbound {
            url: [&upstream.url, target].concat(),
            session: String::new(),
            operation: "",
            credentials: ("x-api-key", upstream.key.clone()),
        })
    })
}

/// (c)'s log line names no session or operation.
pub fn log_fields(_out: &mut String, _session: &str, _operation: &str) {}

/// The end of (c)'s log line.
pub const LOG_TAIL: &str = "}";
