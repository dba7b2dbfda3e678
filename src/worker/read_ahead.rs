//! Reads the Worker's module forwards itself (`entry.js`). A `GET` whose plan is one read with
//! nothing to wait on before it is sent, and whose successful answer streams through unread, is
//! decided in one synchronous call ([`read_ahead`]: the same checks as the pipeline's, by the
//! same code; any other `GET` goes on through the pipeline from there); the module fetches it and hands the answer's head back ([`read_answered`]) for the
//! response's headers and log line. An answer that cannot stream through, or a fetch that failed,
//! goes on through the pipeline from the exchange the read began ([`read_held`]), which answers it
//! as if it had sent the request itself. The request costs no task and no promise of the
//! executor's, and its runtime calls are made by the module (on a read passed through, where the
//! Worker spent its time: BENCHMARKS.md).

use super::batched::send_head;
use super::gateway::{self, Destination};
use super::http::Exchange;
use super::incoming::Incoming;
use super::runtime::{Context, Env};
use super::upstream::{upstream_request, AnswerHead, Prefetched};
use super::{cache, pipeline, settings, webhook};
use crate::config::GatewaySettings;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::{AbortSignal, Response};

/// How long past its upstream timeout a read's exchange is kept for its answer: the timeout aborts
/// the fetch, so a read that has not come back by then was cancelled with its request.
const GRACE_MS: f64 = 60_000.0;

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

/// Decides a `GET` ahead of the pipeline: a read to forward, as the text
/// "ticket\ntimeoutMs\nmethod\nurl\nname\nvalue\n…" (the request for the module to send with
/// `batched.js`'s `send`, under that timeout); or else the pipeline's answer to it (as `fetch`'s),
/// which also answers every refusal.
#[wasm_bindgen(js_name = readAhead)]
pub fn read_ahead(req: web_sys::Request, env: Env, ctx: Context) -> JsValue {
    let req = Incoming::new(req);
    match forward(&req, &env, &ctx) {
        Some((exchange, settings, outbound)) => {
            let ticket = wait(req, exchange, settings);
            JsValue::from_str(&format!("{ticket}\n{outbound}"))
        }
        None => pipeline(req, env, ctx, None),
    }
}

/// The read `req` forwarded ahead, if it is one: its exchange, the settings, and
/// "timeoutMs\nmethod\nurl\nname\nvalue\n…".
fn forward(req: &Incoming, env: &Env, ctx: &Context) -> Option<(Exchange, Rc<GatewaySettings>, String)> {
    let settings = settings(env).ok()?;
    cache::note_if_off(env, ctx, &settings);
    let path = req.path();
    if webhook::handles(&path) {
        return None;
    }
    let Destination::Routed(routed) = gateway::destination(req, &path) else { return None };
    let mut exchange = Exchange::begin(req);
    let rendered = gateway::forwardable_read(&routed, req, env, &settings, &mut exchange)?;
    let (url, headers) = upstream_request(&settings, &rendered, &exchange.request_id);
    let outbound = format!("{}\n{}", settings.upstream_timeout_ms, send_head(rendered.method.as_str(), &url, &headers));
    Some((exchange, settings, outbound))
}

/// The response's headers and log line (`batched.js`'s `respond`) when the answer to the read of
/// `ticket` streams through to the client unread; empty when it does not (then [`read_held`]).
#[wasm_bindgen(js_name = readAnswered)]
pub fn read_answered(ticket: u32, answer: &Response) -> String {
    let head = AnswerHead::of(answer);
    // An answer read before it is passed on stays with its read, for `read_held`.
    if !head.streams() {
        return String::new();
    }
    let Some(Waiting { mut exchange, settings, .. }) = take(ticket) else { return String::new() };
    exchange.log.upstream_status = Some(head.status);
    exchange.close(Ok(head.streamed(None)), &settings.origins).2
}

/// The pipeline's answer to the read of `ticket`, from its `answer` (`None`: the fetch failed)
/// and the `signal` that timed it. A read no longer waiting (its instance replaced meanwhile)
/// takes the pipeline afresh from `request`, which sends it again.
#[wasm_bindgen(js_name = readHeld)]
pub fn read_held(
    ticket: u32,
    request: web_sys::Request,
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
        None => pipeline(Incoming::new(request), env, ctx, None),
    }
}
