//! `RATE_LIMIT_BACKEND = "durable-object"`: one Durable Object per quota, named by the quota's
//! log (`rl/<session>/<class>/`, `rlg/<session>/<group>/<class>/`), so one object per session
//! and class, never one global object.
//!
//! [`QuotaObject`] keeps the window's log in its SQLite storage and decides each request with
//! [`crate::admission::decide_next`]: it reads the log, decides and writes the entry in one
//! synchronous turn (no `await` in between), and a Durable Object runs one turn at a time, so every
//! request sees every request admitted before it, from any isolate or location. Refused requests
//! write nothing. [`ObjectLogs`] is the Worker's side: one call per quota decided, one per entry
//! released.

use super::http::{request_init, Redirects};
use super::limiter::{next_order, now_ms, timed};
use crate::admission::{decide_next, LogStore, Meter, Reservation};
use crate::ratelimit::{Decision, LogEntry, Policy};
use crate::wire::record::{Fields, Writer};
use js_sys::Reflect;
use wasm_bindgen::JsValue;
use worker::{
    durable_object, DurableObject, Env, ObjectNamespace, Request, Response, SqlStorage, SqlStorageValue, State,
};

/// The name of the Durable Object namespace binding.
pub const QUOTA_BINDING: &str = "GROUPGATE_QUOTAS";

/// Asks a quota's object to decide a request (`{"units", "windowSecs", "cost", "order"}`).
struct ReserveCall {
    units: u32,
    window_secs: u32,
    cost: u32,
    /// The entry's tie-breaker, unique to the calling isolate.
    order: String,
}

/// The object's decision (`{"allowed", "remaining", "resetSecs", "retryAfterSecs", "held",
/// "counted"}`).
struct ReserveAnswer {
    allowed: bool,
    remaining: u32,
    reset_secs: u64,
    retry_after_secs: Option<u64>,
    /// The admitted entry's key.
    held: Option<String>,
    /// For refusals: the keys of the entries that refused it.
    counted: Vec<String>,
}

impl ReserveCall {
    fn read(text: &str) -> Option<Self> {
        let f = Fields::parse(text)?;
        Some(ReserveCall {
            units: f.number("units")?,
            window_secs: f.number("windowSecs")?,
            cost: f.number("cost")?,
            order: f.string("order")?,
        })
    }

    fn write(&self) -> String {
        Writer::open()
            .plain("units", self.units)
            .plain("windowSecs", self.window_secs)
            .plain("cost", self.cost)
            .string("order", &self.order)
            .finish()
    }
}

impl ReserveAnswer {
    fn read(text: &str) -> Option<Self> {
        let f = Fields::parse(text)?;
        Some(ReserveAnswer {
            allowed: f.bool("allowed")?,
            remaining: f.number("remaining")?,
            reset_secs: f.number("resetSecs")?,
            retry_after_secs: f.optional("retryAfterSecs", Fields::number)?,
            held: f.optional("held", Fields::string)?,
            counted: f.strings("counted")?,
        })
    }

    fn write(&self) -> String {
        Writer::open()
            .plain("allowed", self.allowed)
            .plain("remaining", self.remaining)
            .plain("resetSecs", self.reset_secs)
            .optional("retryAfterSecs", self.retry_after_secs, Writer::plain)
            .optional("held", self.held.as_deref(), Writer::string)
            .strings("counted", &self.counted)
            .finish()
    }
}

/// Asks a quota's object to remove an entry (`{"key"}`).
const RELEASE_KEY: &str = "key";

/// A quota's Durable Object: the window's log, one row per admitted entry.
#[durable_object(fetch)]
pub struct QuotaObject {
    sql: SqlStorage,
}

impl DurableObject for QuotaObject {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        // A failure here fails every call below, which the Worker counts as a store failure.
        let _ = sql.exec("CREATE TABLE IF NOT EXISTS log (key TEXT PRIMARY KEY, at_ms INTEGER NOT NULL)", None);
        QuotaObject { sql }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let body = req.text().await?;
        match req.path().as_str() {
            "/reserve" => {
                let call = ReserveCall::read(&body).ok_or_else(|| worker::Error::from("bad reserve call"))?;
                Response::ok(self.reserve(call)?.write())
            }
            "/release" => {
                let key = Fields::parse(&body).and_then(|f| f.string(RELEASE_KEY));
                let key = key.ok_or_else(|| worker::Error::from("bad release call"))?;
                self.sql.exec("DELETE FROM log WHERE key = ?", vec![SqlStorageValue::String(key)])?;
                Response::empty()
            }
            _ => Response::error("no such call", 404),
        }
    }
}

impl QuotaObject {
    /// Prunes what left the window, reads the rest, decides, and keeps an admitted entry: all in
    /// one turn of the object.
    fn reserve(&self, call: ReserveCall) -> worker::Result<ReserveAnswer> {
        let policy = Policy { units: call.units, window_secs: call.window_secs };
        let now = now_ms();
        let since = now.saturating_sub(u64::from(policy.window_secs) * 1000);
        self.sql.exec("DELETE FROM log WHERE at_ms <= ?", vec![integer(since)?])?;
        let keys = self.logged_keys()?;
        let log: Vec<LogEntry> = keys.iter().filter_map(|k| LogEntry::from_key(k)).collect();
        let (decision, entry) = decide_next(now, policy, &log, call.cost, call.order);
        let held = if decision.allowed {
            let key = entry.key();
            self.sql.exec(
                "INSERT INTO log (key, at_ms) VALUES (?, ?)",
                vec![SqlStorageValue::String(key.clone()), integer(entry.at_ms)?],
            )?;
            Some(key)
        } else {
            None
        };
        let counted = if decision.allowed { Vec::new() } else { keys };
        Ok(ReserveAnswer {
            allowed: decision.allowed,
            remaining: decision.remaining,
            reset_secs: decision.reset_secs,
            retry_after_secs: decision.retry_after_secs,
            held,
            counted,
        })
    }

    /// The keys in the log table, read row by row (no serde conversion of the rows).
    fn logged_keys(&self) -> worker::Result<Vec<String>> {
        let key = JsValue::from_str("key");
        let mut keys = Vec::new();
        for row in self.sql.exec("SELECT key FROM log", None)? {
            keys.extend(Reflect::get(&row?, &key)?.as_string());
        }
        Ok(keys)
    }
}

fn integer(ms: u64) -> worker::Result<SqlStorageValue> {
    SqlStorageValue::try_from_i64(i64::try_from(ms).map_err(|_| worker::Error::from("time out of range"))?)
}

/// The Worker's side: calls the quotas' objects, counting each call.
pub struct ObjectLogs<'a> {
    namespace: ObjectNamespace,
    timeout_ms: u32,
    calls: &'a mut u32,
}

impl<'a> ObjectLogs<'a> {
    /// The objects of the `GROUPGATE_QUOTAS` binding.
    pub fn open(env: &Env, timeout_ms: u32, calls: &'a mut u32) -> Result<Self, String> {
        let namespace =
            env.durable_object(QUOTA_BINDING).map_err(|e| format!("Durable Object binding {QUOTA_BINDING}: {e}"))?;
        Ok(ObjectLogs { namespace, timeout_ms, calls })
    }

    /// Sends `call` to the object of `log` and returns its answer's body.
    async fn call(&mut self, log: &str, path: &str, body: &str) -> Result<String, String> {
        let stub = self.namespace.id_from_name(log).and_then(|id| id.get_stub()).map_err(|e| e.to_string())?;
        let url = format!("https://quota{path}");
        let init = request_init("POST", None, Some(body), Redirects::Follow);
        let request =
            web_sys::Request::new_with_str_and_init(&url, &init).map_err(|e| worker::Error::from(e).to_string())?;
        let request = Request::from(request);
        let exchange = async {
            let mut response = stub.fetch_with_request(request).await?;
            let status = response.status_code();
            Ok::<_, worker::Error>((status, response.text().await?))
        };
        match timed(self.calls, self.timeout_ms, exchange).await?.map_err(|e| e.to_string())? {
            (200, text) => Ok(text),
            (status, _) => Err(format!("quota object answered {status}")),
        }
    }
}

impl LogStore for ObjectLogs<'_> {
    async fn reserve(&mut self, meter: &Meter) -> Result<Reservation, String> {
        let policy = meter.quota.policy;
        let call =
            ReserveCall { units: policy.units, window_secs: policy.window_secs, cost: meter.cost, order: next_order() };
        let text = self.call(&meter.log, "/reserve", &call.write()).await?;
        let answer = ReserveAnswer::read(&text).ok_or("quota object: unreadable answer")?;
        let decision = Decision {
            allowed: answer.allowed,
            remaining: answer.remaining,
            reset_secs: answer.reset_secs,
            retry_after_secs: answer.retry_after_secs,
        };
        let held = answer.held.as_deref().map(|k| LogEntry::from_key(k).ok_or("quota object: bad entry key"));
        let counted = answer.counted.iter().filter_map(|k| LogEntry::from_key(k)).collect();
        Ok(Reservation { decision, held: held.transpose()?, counted })
    }

    async fn release(&mut self, log: &str, entry: &LogEntry) -> Result<(), String> {
        let call = Writer::open().string(RELEASE_KEY, &entry.key()).finish();
        self.call(log, "/release", &call).await.map(drop)
    }
}
