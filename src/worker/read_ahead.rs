//! Reads the Worker's module forwards itself (`entry.js`). A `GET` whose plan is one read with
//! nothing to wait on before it is sent, and whose successful answer streams through unread, is
//! decided in one synchronous call ([`read_ahead`]: the same checks as the pipeline's, by the
//! same code; any other `GET` goes on through the pipeline from there); the module fetches it and hands the answer's head back ([`read_answered`]) for the
//! response's headers and log line. An answer that cannot stream through, or a fetch that failed,
//! goes on through the pipeline from the exchange the read began ([`read_held`]), which answers it
//! as if it had sent the request itself. The request costs no task and no promise of the
//! executor's, and its runtime calls are made by the module (on a read passed through, where the
//! Worker spent its time: BENCHMARKS.md).
//!
//! The texts the module gets back (the request to send; the response's headers with the log
//! line) hold the request id and the latency as holes ([`ID_HOLE`], [`LATENCY_HOLE`]) that the
//! module fills. A decision made in one synchronous call reads nothing but the request's head,
//! the isolate's settings, the clock and a fresh id; so when it read nothing beyond the head
//! ([`Incoming::read_beyond_head`]), the client sent no request id and the exchange added no
//! header of its own, those texts are the same for every request with the same head and answer
//! head, and the module remembers them: it sends such a request itself, under a new id, and
//! answers it without a call into wasm when the answer's head is the one remembered. Any other
//! answer is decided afresh ([`read_ahead`] given the id and arrival time) as the same exchange.

use super::batched::send_head;
use super::gateway::{self, Destination};
use super::http::{Exchange, REQUEST_ID};
use super::incoming::{Incoming, READ_AHEAD};
use super::runtime::{Context, Env};
use super::upstream::{upstream_request, AnswerHead, Prefetched, ANSWER_HEAD};
use super::{cache, pipeline, settings, webhook};
use crate::config::GatewaySettings;
use crate::wire::joined;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::{AbortSignal, Response};

/// How long past its upstream timeout a read's exchange is kept for its answer: the timeout aborts
/// the fetch, so a read that has not come back by then was cancelled with its request.
const GRACE_MS: f64 = 60_000.0;

/// Where the texts handed to the module hold the request id: in the request's and the response's
/// `X-Request-Id`, a control character, which no header value holds otherwise; in the log line's
/// `requestId`, the JSON string of it (`"\u0001"`). A request id holds none of JSON's special
/// characters.
pub const ID_HOLE: &str = "\u{1}";

/// Where the log line holds its `latencyMs`, measured by the module: the JSON string of this
/// control character (`"\u0002"`), which no other member of the line holds.
pub const LATENCY_HOLE: &str = "\u{2}";

/// A read forwarded by the module, waiting for the upstream's answer.
struct Waiting {
    ticket: u32,
    /// When it is taken as cancelled (`Date.now()`).
    expires_ms: f64,
    req: Incoming,
    exchange: Exchange,
    settings: Rc<GatewaySettings>,
}

/// The isolate's reads waiting for their answers: as many as its requests at once, so a list.
#[derive(Default)]
struct Reads {
    next_ticket: u32,
    waiting: Vec<Waiting>,
}

thread_local! {
    static READS: RefCell<Reads> = RefCell::default();
}

/// Keeps a read's request and exchange until its answer: its ticket. Drops the reads that expired.
fn wait(req: Incoming, exchange: Exchange, settings: Rc<GatewaySettings>) -> u32 {
    let now = js_sys::Date::now();
    let expires_ms = now + f64::from(settings.upstream_timeout_ms) + GRACE_MS;
    let (ticket, expired): (u32, Vec<Waiting>) = READS.with_borrow_mut(|reads| {
        reads.next_ticket = reads.next_ticket.wrapping_add(1);
        let ticket = reads.next_ticket;
        let expired = reads.waiting.extract_if(.., |read| read.expires_ms < now).collect();
        reads.waiting.push(Waiting { ticket, expires_ms, req, exchange, settings });
        (ticket, expired)
    });
    // Dropped outside the borrow: an exchange's drop may reach the runtime.
    drop(expired);
    ticket
}

/// Takes the read of `ticket`, if it is still waiting.
fn take(ticket: u32) -> Option<Waiting> {
    READS.with_borrow_mut(|reads| {
        let at = reads.waiting.iter().position(|read| read.ticket == ticket)?;
        Some(reads.waiting.swap_remove(at))
    })
}

/// The header names whose values `batched.js`'s `requestHead` reads for the module (the request
/// head every call into wasm is given, and remembered reads are known by), then, after a tab,
/// those `answerHead` reads for [`read_answered`]; each list `\n`-separated.
#[wasm_bindgen(js_name = headNames)]
pub fn head_names() -> String {
    joined([&joined(READ_AHEAD, "\n"), ANSWER_HEAD], "\t")
}

/// Decides a `GET` ahead of the pipeline: a read to forward, as the text
/// "ticket\nremember\nrequestId\ntimeoutMs\nmethod\nurl\nname\nvalue\n…" (the request for the
/// module to send with `batched.js`'s `send` under that timeout, its request id a hole; `remember`
/// `1` when the texts of this read may be remembered by the request's `head`); or else the
/// pipeline's answer to it (as `fetch`'s), which also answers every refusal. `sent_id` is the id
/// of a request the module has sent already, which arrived at `started_ms`.
#[wasm_bindgen(js_name = readAhead)]
pub fn read_ahead(
    req: web_sys::Request,
    head: &str,
    env: Env,
    ctx: Context,
    sent_id: Option<String>,
    started_ms: f64,
) -> JsValue {
    let req = Incoming::new(req, head);
    let given = sent_id.map(|id| (id, started_ms));
    let Some((exchange, settings, outbound)) = forward(&req, &env, &ctx, given.clone()) else {
        let exchange = given.map(|given| Exchange::begin(&req, Some(given)));
        return pipeline(req, env, ctx, exchange);
    };
    let remember = if remembered(&req, &exchange) { "1" } else { "0" };
    let id = exchange.request_id.clone();
    let ticket = wait(req, exchange, settings);
    JsValue::from_str(&format!("{ticket}\n{remember}\n{id}\n{outbound}"))
}

/// Whether the texts of a read forwarded ahead are the same for every request with its head:
/// nothing beyond the head read, no request id of the client's, no header of the exchange's own.
fn remembered(req: &Incoming, exchange: &Exchange) -> bool {
    !req.read_beyond_head() && req.header(REQUEST_ID).is_none() && exchange.headers.is_empty()
}

/// The read `req` forwarded ahead, if it is one: its exchange (under the id and arrival time
/// `given`, if they were), the settings, and
/// "timeoutMs\nmethod\nurl\nname\nvalue\n…" with the request id a hole.
fn forward(
    req: &Incoming,
    env: &Env,
    ctx: &Context,
    given: Option<(String, f64)>,
) -> Option<(Exchange, Rc<GatewaySettings>, String)> {
    let settings = settings(env).ok()?;
    cache::note_if_off(env, ctx, &settings);
    let path = req.path();
    if webhook::handles(&path) {
        return None;
    }
    let Destination::Routed(routed) = gateway::destination(req, &path) else { return None };
    let mut exchange = Exchange::begin(req, given);
    let rendered = gateway::forwardable_read(&routed, req, env, &settings, &mut exchange)?;
    let (url, headers) = upstream_request(&settings, &rendered, ID_HOLE);
    let outbound = format!("{}\n{}", settings.upstream_timeout_ms, send_head(rendered.method.as_str(), &url, &headers));
    Some((exchange, settings, outbound))
}

/// The response's headers and log line (`batched.js`'s `respond`, with holes) when the answer to
/// the read of `ticket`, whose head is `answered` (`batched.js`'s `answerHead`), streams through
/// to the client unread; empty when it does not (then [`read_held`]).
#[wasm_bindgen(js_name = readAnswered)]
pub fn read_answered(ticket: u32, answered: &str) -> String {
    let head = AnswerHead::read(answered);
    // An answer read before it is passed on stays with its read, for `read_held`.
    if !head.streams() {
        return String::new();
    }
    let Some(Waiting { mut exchange, settings, .. }) = take(ticket) else { return String::new() };
    exchange.log.upstream_status = Some(head.status);
    exchange.close_hollow(Ok(head.streamed(None)), &settings.origins).2
}

/// The pipeline's answer to the read of `ticket`, from its `answer` (`None`: the fetch failed)
/// and the `signal` that timed it. A read no longer waiting (its instance replaced meanwhile)
/// takes the pipeline afresh from `request`, which sends it again.
#[wasm_bindgen(js_name = readHeld)]
pub fn read_held(
    ticket: u32,
    request: web_sys::Request,
    head: &str,
    env: Env,
    ctx: Context,
    answer: Option<Response>,
    signal: AbortSignal,
) -> JsValue {
    match take(ticket) {
        Some(Waiting { req, mut exchange, .. }) => {
            exchange.prefetched = Some(Prefetched { response: answer, signal });
            pipeline(req, env, ctx, Some(exchange))
        }
        None => pipeline(Incoming::new(request, head), env, ctx, None),
    }
}
