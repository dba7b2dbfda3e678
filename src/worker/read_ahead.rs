//! Reads the Worker's module forwards itself (`entry.js`). A `GET` whose plan is one read with
//! nothing to wait on before it is sent, and whose successful answer streams through unread, is
//! decided in one synchronous call ([`read_ahead`]: the same checks as the pipeline's, by the
//! same code); the module fetches it and hands the answer's head back ([`read_answered`]) for the
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
use super::{cache, settings, task, webhook};
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

/// Keeps a read's exchange until its answer: its ticket. Drops the reads that expired.
fn wait(exchange: Exchange, settings: Rc<GatewaySettings>) -> u32 {
    let now = js_sys::Date::now();
    let expires_ms = now + f64::from(settings.upstream_timeout_ms) + GRACE_MS;
    let (ticket, expired): (u32, Vec<Waiting>) = READS.with_borrow_mut(|reads| {
        reads.next_ticket = reads.next_ticket.wrapping_add(1);
        let ticket = reads.next_ticket;
        let expired = reads.waiting.extract_if(.., |read| read.expires_ms < now).collect();
        reads.waiting.push(Waiting { ticket, expires_ms, exchange, settings });
        (ticket, expired)
    });
    // Dropped outside the borrow: an exchange's drop may reach the runtime.
    drop(expired);
    ticket
}

/// Takes the read of `ticket` when `keep` says so of it.
fn take(ticket: u32, keep: impl FnOnce(&mut Waiting) -> bool) -> Option<Waiting> {
    READS.with_borrow_mut(|reads| {
        let at = reads.waiting.iter().position(|read| read.ticket == ticket)?;
        keep(&mut reads.waiting[at]).then(|| reads.waiting.swap_remove(at))
    })
}

/// Decides a read ahead of the pipeline: "ticket\ntimeoutMs\nmethod\nurl\nname\nvalue\n…", the
/// request for the module to send (`batched.js`'s `send`) under that timeout; empty when the
/// request takes the pipeline (`fetch`), which also answers every refusal.
#[wasm_bindgen(js_name = readAhead)]
pub fn read_ahead(req: web_sys::Request, env: &Env, ctx: &Context) -> String {
    let Ok(settings) = settings(env) else { return String::new() };
    cache::note_if_off(env, ctx, &settings);
    let req = Incoming::new(req);
    let path = req.path();
    if webhook::handles(&path) {
        return String::new();
    }
    let Destination::Routed(routed) = gateway::destination(&req, &path) else { return String::new() };
    let mut exchange = Exchange::begin(&req);
    let Some(rendered) = gateway::forwardable_read(&routed, &req, env, &settings, &mut exchange) else {
        return String::new();
    };
    let (url, headers) = upstream_request(&settings, &rendered, &exchange.request_id);
    let head = send_head(rendered.method.as_str(), &url, &headers);
    let timeout_ms = settings.upstream_timeout_ms;
    let ticket = wait(exchange, settings);
    format!("{ticket}\n{timeout_ms}\n{head}")
}

/// The response's headers and log line (`batched.js`'s `respond`) when the answer to the read of
/// `ticket` streams through to the client unread; empty when it does not (then [`read_held`]).
#[wasm_bindgen(js_name = readAnswered)]
pub fn read_answered(ticket: u32, answer: &Response) -> String {
    let head = AnswerHead::of(answer);
    let Some(Waiting { mut exchange, settings, .. }) = take(ticket, |_| head.streams()) else {
        return String::new();
    };
    exchange.log.upstream_status = Some(head.status);
    exchange.close(Ok(head.streamed(None)), &settings.origins).2
}

/// The pipeline's answer to the read of `ticket`, from its `answer` (`None`: the fetch failed)
/// and the `signal` that timed it. A read no longer waiting (its instance replaced meanwhile)
/// takes the pipeline afresh, which sends it again.
#[wasm_bindgen(js_name = readHeld)]
pub fn read_held(
    ticket: u32,
    req: web_sys::Request,
    env: Env,
    ctx: Context,
    answer: Option<Response>,
    signal: AbortSignal,
) -> JsValue {
    let exchange = take(ticket, |_| true).map(|Waiting { mut exchange, .. }| {
        exchange.prefetched = Some(Prefetched { response: answer, signal });
        exchange
    });
    task::run(async move { Ok(super::answer(req, &env, &ctx, exchange).await.into()) })
}
