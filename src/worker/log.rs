//! One structured JSON log line per request: no bodies, no keys. The line is written by hand into
//! one string (the fields are few and fixed) and logged with one `console.log` call.

use crate::wire::json_string;
use std::fmt::Write;

/// The fields of a request's log line.
#[derive(Debug)]
pub struct LogLine {
    request_id: String,
    method: String,
    /// The dialect the client spoke (`waha`, `wadial`), once the path is known.
    pub dialect: Option<&'static str>,
    /// The route's client name (`addParticipants`), once known.
    pub operation: Option<&'static str>,
    /// The key scope the operation needs (`members`), once the operation is known.
    pub scope: Option<&'static str>,
    /// The session, once validated.
    pub session: Option<String>,
    status: u16,
    /// The upstream's status, when the request was forwarded.
    pub upstream_status: Option<u16>,
    latency_ms: u64,
    /// The rate-limit decision (`allowed`, `refused`, `blocked`, `store_error_denied`, …).
    pub rate_limit: Option<&'static str>,
    /// KV operations the request spent.
    pub kv_ops: u32,
    /// What the group cache did (`hit`, `miss`, `stale`, `invalidated`, `duplicate`), when it acted.
    pub cache: Option<&'static str>,
    /// Durable Object calls the request spent (`RATE_LIMIT_BACKEND = "durable-object"`).
    pub do_calls: u32,
    /// The error code, for failures.
    pub error: Option<&'static str>,
    started_ms: f64,
}

impl LogLine {
    /// Starts a line for a request (the path is not logged: the operation and session say it).
    pub fn begin(request_id: &str, method: &str) -> Self {
        LogLine {
            request_id: request_id.to_owned(),
            method: method.to_owned(),
            dialect: None,
            operation: None,
            scope: None,
            session: None,
            status: 0,
            upstream_status: None,
            latency_ms: 0,
            rate_limit: None,
            kv_ops: 0,
            cache: None,
            do_calls: 0,
            error: None,
            started_ms: js_sys::Date::now(),
        }
    }

    /// Completes the line with the answer's status and writes it.
    pub fn write(&mut self, status: u16) {
        self.status = status;
        self.latency_ms = (js_sys::Date::now() - self.started_ms).max(0.0) as u64;
        console_log(&self.render());
    }

    /// The line as one JSON object: every field, `null` when unknown (`cache` only when it acted).
    fn render(&self) -> String {
        let mut line = String::with_capacity(320);
        line.push_str("{\"requestId\":");
        json_string(&self.request_id, &mut line);
        line.push_str(",\"method\":");
        json_string(&self.method, &mut line);
        for (name, value) in [("dialect", self.dialect), ("operation", self.operation), ("scope", self.scope)] {
            push_text(&mut line, name, value);
        }
        push_text(&mut line, "session", self.session.as_deref());
        let _ = write!(line, ",\"status\":{}", self.status);
        match self.upstream_status {
            Some(status) => write!(line, ",\"upstreamStatus\":{status}"),
            None => write!(line, ",\"upstreamStatus\":null"),
        }
        .unwrap_or_default();
        let _ = write!(line, ",\"latencyMs\":{}", self.latency_ms);
        push_text(&mut line, "rateLimit", self.rate_limit);
        let _ = write!(line, ",\"kvOps\":{}", self.kv_ops);
        if self.cache.is_some() {
            push_text(&mut line, "cache", self.cache);
        }
        let _ = write!(line, ",\"doCalls\":{}", self.do_calls);
        push_text(&mut line, "error", self.error);
        line.push('}');
        line
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The runtime's `console.log` with one string argument.
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn console_log(line: &str);
}

/// Appends `,"name":value` with `value` a JSON string, or `null`.
fn push_text(line: &mut String, name: &str, value: Option<&str>) {
    line.push_str(",\"");
    line.push_str(name);
    line.push_str("\":");
    match value {
        Some(value) => json_string(value, line),
        None => line.push_str("null"),
    }
}
