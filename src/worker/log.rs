//! One structured JSON log line per request: no bodies, no keys. The line is written into one
//! string, logged by the call that builds the response.

use super::read_ahead::{ID_HOLE, LATENCY_HOLE};
use crate::wire::record::Writer;

/// The fields of a request's log line (camelCase members; `null` for what is not known, and no
/// `cache` member when the cache did not act).
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
    /// What the group cache did (`hit`, `miss`, `unfit`, `stale`, `invalidated`, `duplicate`, `older`), when it acted.
    pub cache: Option<&'static str>,
    /// Durable Object calls the request spent (`RATE_LIMIT_BACKEND = "durable-object"`).
    pub do_calls: u32,
    /// The error code, for failures.
    pub error: Option<&'static str>,
    started_ms: f64,
    /// Whether the request id and the latency are written as holes ([`LogLine::hollow`]).
    hollow: bool,
}

impl LogLine {
    /// Starts a line for a request that arrived at `started_ms` (the path is not logged: the
    /// operation and session say it).
    pub fn begin(request_id: &str, method: &str, started_ms: f64) -> Self {
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
            started_ms,
            hollow: false,
        }
    }

    /// Writes the request id and the latency as holes ([`ID_HOLE`], [`LATENCY_HOLE`], each a JSON
    /// string of that control character) for the Worker's module to fill: the line of every
    /// request with the same head and answer.
    pub fn hollow(&mut self) {
        ID_HOLE.clone_into(&mut self.request_id);
        self.hollow = true;
    }

    /// Completes the line with the answer's status: the line to log.
    pub fn finish(&mut self, status: u16) -> String {
        self.status = status;
        self.latency_ms = (js_sys::Date::now() - self.started_ms).max(0.0) as u64;
        self.render()
    }

    fn render(&self) -> String {
        let line = Writer::open()
            .string("requestId", &self.request_id)
            .string("method", &self.method)
            .optional("dialect", self.dialect, Writer::string)
            .optional("operation", self.operation, Writer::string)
            .optional("scope", self.scope, Writer::string)
            .optional("session", self.session.as_deref(), Writer::string)
            .plain("status", self.status)
            .optional("upstreamStatus", self.upstream_status, Writer::plain);
        let line = match self.hollow {
            true => line.string("latencyMs", LATENCY_HOLE),
            false => line.plain("latencyMs", self.latency_ms),
        };
        let line = line.optional("rateLimit", self.rate_limit, Writer::string).plain("kvOps", self.kv_ops);
        let line = match self.cache {
            Some(cache) => line.string("cache", cache),
            None => line,
        };
        line.plain("doCalls", self.do_calls).optional("error", self.error, Writer::string).finish()
    }
}
