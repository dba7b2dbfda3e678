//! `RATE_LIMIT_BACKEND = "durable-object"`: one Durable Object per quota, named by the quota's
//! log (`rl/<session>/<class>/`, `rlg/<session>/<group>/<class>/`), so one object per session
//! and class, never one global object.
//!
//! [`QuotaObject`] keeps the window's log in its SQLite storage and decides each request with
//! [`crate::admission::decide_next`]: it reads the log, decides and writes the entry in one
//! synchronous turn (no `await` in between), and a Durable Object runs one turn at a time, so every
//! request sees every request admitted before it, from any isolate or location. Refused requests
//! write nothing. [`ObjectLogs`] is the Worker's side: one call per quota decided, one per entry
//! released, and one to forget a reservation whose call failed (it may have been written).

use super::durable::{ObjectNamespace, ObjectState, SqlStorage};
use super::http::{empty, respond};
use super::incoming::path_of;
use super::limiter::{next_order, timed};
use super::runtime::now_ms;
use super::runtime::{message, Env};
use super::task::{run, settled};
use crate::admission::{decide_next, LogStore, Meter, Reservation};
use crate::ratelimit::{Decision, LogEntry, Policy};
use crate::wire::record::{Fields, Writer};
use js_sys::Reflect;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Request, Response};

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

/// Asks a quota's object to forget a reservation the Worker gave up on (`{"order"}`): its entry if
/// it was written, and any reservation with that order that arrives later.
const FORGET_ORDER: &str = "order";

/// How long an object remembers a forgotten order: far longer than a call may be under way.
const FORGOTTEN_KEEP_MS: u64 = 10 * 60 * 1000;

/// A quota's Durable Object: the window's log, one row per admitted entry.
#[wasm_bindgen]
pub struct QuotaObject {
    sql: SqlStorage,
}

#[wasm_bindgen]
impl QuotaObject {
    /// The object of `state` (the runtime constructs it); creates the log table.
    #[wasm_bindgen(constructor)]
    pub fn new(state: ObjectState) -> QuotaObject {
        let sql = state.sql();
        // A failure here fails every call below, which the Worker counts as a store failure.
        let _ = sql.exec("CREATE TABLE IF NOT EXISTS log (key TEXT PRIMARY KEY, at_ms INTEGER NOT NULL)", &[]);
        let _ = sql.exec("CREATE TABLE IF NOT EXISTS forgotten (ord TEXT PRIMARY KEY, at_ms INTEGER NOT NULL)", &[]);
        QuotaObject { sql }
    }

    /// Answers one call of the Worker (`/reserve`, `/release`, `/forget`): a promise of the response; a
    /// failure is thrown to the caller.
    pub fn fetch(&self, req: Request) -> JsValue {
        let object = QuotaObject { sql: self.sql.clone() };
        run(async move { object.answer(req).await.map(JsValue::from) })
    }
}

impl QuotaObject {
    /// The response to one call of the Worker.
    async fn answer(&self, req: Request) -> Result<Response, JsValue> {
        let body = settled(req.text()?).await?.as_string().unwrap_or_default();
        let bad_call = |what: &str| JsValue::from(js_sys::Error::new(&format!("bad {what} call")));
        match path_of(&req.url()).as_str() {
            "/reserve" => {
                let call = ReserveCall::read(&body).ok_or_else(|| bad_call("reserve"))?;
                Ok(respond(200, self.reserve(call)?.write().into_bytes(), "application/json").into_response())
            }
            "/release" => {
                let key =
                    Fields::parse(&body).and_then(|f| f.string(RELEASE_KEY)).ok_or_else(|| bad_call("release"))?;
                self.sql.exec("DELETE FROM log WHERE key = ?", &[JsValue::from(key)])?;
                Ok(empty(200).into_response())
            }
            "/forget" => {
                let order =
                    Fields::parse(&body).and_then(|f| f.string(FORGET_ORDER)).ok_or_else(|| bad_call("forget"))?;
                self.forget(&order)?;
                Ok(empty(200).into_response())
            }
            _ => Ok(empty(404).into_response()),
        }
    }

    /// Prunes what left the window, reads the rest, decides, and keeps an admitted entry: all in
    /// one turn of the object.
    fn reserve(&self, call: ReserveCall) -> Result<ReserveAnswer, JsValue> {
        let policy = Policy { units: call.units, window_secs: call.window_secs };
        let now = now_ms();
        let since = now.saturating_sub(u64::from(policy.window_secs) * 1000);
        self.sql.exec("DELETE FROM log WHERE at_ms <= ?", &[integer(since)])?;
        let keys = self.logged_keys()?;
        let log: Vec<LogEntry> = keys.iter().filter_map(|k| LogEntry::from_key(k)).collect();
        let (decision, entry) = decide_next(now, policy, &log, call.cost, call.order);
        // A reservation the Worker already gave up on is decided but never written.
        let held = if decision.allowed && !self.was_forgotten(&entry.order)? {
            let key = entry.key();
            self.sql
                .exec("INSERT INTO log (key, at_ms) VALUES (?, ?)", &[JsValue::from_str(&key), integer(entry.at_ms)])?;
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

    /// Removes the entry of the reservation `order`, if it was written, and remembers the order so
    /// that the reservation, if it is still on its way, is never written.
    fn forget(&self, order: &str) -> Result<(), JsValue> {
        // A key is `<ms>-<order>-<cost>`, and every order has the same length.
        self.sql.exec("DELETE FROM log WHERE instr(key, ?) > 0", &[JsValue::from_str(&format!("-{order}-"))])?;
        // The table grows only here, so it is pruned only here.
        let now = now_ms();
        self.sql.exec("DELETE FROM forgotten WHERE at_ms <= ?", &[integer(now.saturating_sub(FORGOTTEN_KEEP_MS))])?;
        self.sql.exec(
            "INSERT OR REPLACE INTO forgotten (ord, at_ms) VALUES (?, ?)",
            &[JsValue::from_str(order), integer(now)],
        )?;
        Ok(())
    }

    /// Whether the Worker gave up on the reservation `order` (asked to forget it) before it came.
    fn was_forgotten(&self, order: &str) -> Result<bool, JsValue> {
        Ok(self.sql.exec("SELECT 1 FROM forgotten WHERE ord = ?", &[JsValue::from_str(order)])?.length() > 0)
    }

    /// The keys in the log table.
    fn logged_keys(&self) -> Result<Vec<String>, JsValue> {
        let key = JsValue::from_str("key");
        let rows = self.sql.exec("SELECT key FROM log", &[])?;
        rows.iter().map(|row| Reflect::get(&row, &key).map(|k| k.as_string())).filter_map(Result::transpose).collect()
    }
}

/// A time in ms as an SQL integer (exact: well below 2^53).
fn integer(ms: u64) -> JsValue {
    JsValue::from_f64(ms as f64)
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
            env.binding(QUOTA_BINDING).ok_or_else(|| format!("Durable Object binding {QUOTA_BINDING}: not bound"))?;
        Ok(ObjectLogs { namespace, timeout_ms, calls })
    }

    /// Sends `call` to the object of `log` and returns its answer's body.
    async fn call(&mut self, log: &str, path: &str, body: &str) -> Result<String, String> {
        let stub = self.namespace.id_from_name(log).and_then(|id| self.namespace.get(&id)).map_err(|e| message(&e))?;
        let url = format!("https://quota{path}");
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(body));
        let exchange = async {
            let response: Response = settled(stub.fetch(&url, &init)?).await?.unchecked_into();
            let text = settled(response.text()?).await?;
            Ok::<_, JsValue>((response.status(), text.as_string().unwrap_or_default()))
        };
        match timed(self.calls, self.timeout_ms, exchange).await?.map_err(|e| message(&e))? {
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
        let answered = self
            .call(&meter.log, "/reserve", &call.write())
            .await
            .and_then(|text| ReserveAnswer::read(&text).ok_or_else(|| "quota object: unreadable answer".to_owned()));
        let answer = match answered {
            Ok(answer) => answer,
            // The object may have written the entry before the call failed (a timeout): it is
            // forgotten, so a refused request spends nothing, whichever call reaches it first.
            Err(cause) => {
                let forget = Writer::open().string(FORGET_ORDER, &call.order).finish();
                return Err(match self.call(&meter.log, "/forget", &forget).await {
                    Ok(_) => cause,
                    Err(also) => format!("{cause}; forgetting its reservation: {also}"),
                });
            }
        };
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
