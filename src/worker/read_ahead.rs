//! Reads the Worker's module forwards itself (`entry.js`). A `GET` whose plan is one read with
//! nothing to wait on before it is sent, and whose successful answer streams through unread, is
//! decided in one synchronous call ([`read_ahead`]: the same checks as the pipeline's, by the
//! same code; any other `GET` goes on through the pipeline from there). The module sends it and
//! hands the answer's head back ([`read_answered`]) for the response's headers and log line. An
//! answer that cannot stream through, or a fetch that failed, is handed to the pipeline with the
//! request ([`read_ahead`] given the answer), which answers it as if it had sent the request
//! itself. The request costs no task and no promise of the executor's, and its runtime calls are
//! made by the module (on a read passed through, where the Worker spent its time: BENCHMARKS.md).
//!
//! Nothing is kept in wasm between these calls: each decides afresh from the request's head, the
//! request id the read was sent under and its arrival time. The texts the module gets back (the
//! request to send; the response's headers with the log line) hold the request id and the
//! latency as holes ([`ID_HOLE`], [`LATENCY_HOLE`]) that the module fills. A decision made in one
//! synchronous call reads nothing but the request's head, the isolate's settings, the clock and a
//! fresh id; so when it read nothing beyond the head ([`Incoming::read_beyond_head`]), the client
//! sent no request id and the exchange added no header of its own, those texts are the same for
//! every request with the same head and answer head, and the module remembers them: it sends such
//! a request again itself, under a new id, and answers it without a call into wasm while the
//! answer's head is the one remembered.

use super::batched::send_head;
use super::gateway::{self, Destination};
use super::http::{Exchange, REQUEST_ID};
use super::incoming::{Incoming, READ_AHEAD};
use super::runtime::{Context, Env};
use super::upstream::{upstream_request, AnswerHead, Prefetched, ANSWER_HEAD};
use super::{cache, pipeline, settings, webhook};
use crate::config::GatewaySettings;
use crate::ops::RenderedRequest;
use crate::wire::joined;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::{AbortSignal, Response};

/// Where the texts handed to the module hold the request id: in the request's and the response's
/// `X-Request-Id`, a control character, which no header value holds otherwise; in the log line's
/// `requestId`, the JSON string of it (`"\u0001"`). A request id holds none of JSON's special
/// characters.
pub const ID_HOLE: &str = "\u{1}";

/// Where the log line holds its `latencyMs`, measured by the module: the JSON string of this
/// control character (`"\u0002"`), which no other member of the line holds.
pub const LATENCY_HOLE: &str = "\u{2}";

/// The header names whose values `batched.js`'s `requestHead` reads for the module (the request
/// head every call into wasm is given, and remembered reads are known by), then, after a tab,
/// those `answerHead` reads for [`read_answered`]; each list `\n`-separated.
#[wasm_bindgen(js_name = headNames)]
pub fn head_names() -> String {
    joined([&joined(READ_AHEAD, "\n"), ANSWER_HEAD], "\t")
}

/// Decides a `GET` ahead of the pipeline: a read to forward, as the text
/// "remember\nrequestId\ntimeoutMs\nmethod\nurl\nname\nvalue\n…" (the request for the module to
/// send with `batched.js`'s `send` under that timeout, its request id a hole; `remember` `1` when
/// the texts of this read may be remembered by the request's `head`); or else the pipeline's
/// answer to it (as `fetch`'s), which also answers every refusal. Given the `signal` of a read the
/// module has `sent` already ([`sent_as`]), the pipeline's answer to it from its `answer` (none:
/// the fetch failed).
#[wasm_bindgen(js_name = readAhead)]
pub fn read_ahead(
    req: web_sys::Request,
    head: &JsValue,
    env: Env,
    ctx: Context,
    sent: &JsValue,
    answer: Option<Response>,
    signal: Option<AbortSignal>,
) -> JsValue {
    let req = Incoming::new(req, head);
    if let Some(signal) = signal {
        let mut exchange = Exchange::begin(&req, Some(sent_as(sent)));
        exchange.prefetched = Some(Prefetched { response: answer, signal });
        return pipeline(req, env, ctx, Some(exchange));
    }
    let Some((exchange, settings, rendered)) = decide(&req, &env, &ctx, None) else {
        return pipeline(req, env, ctx, None);
    };
    let remember = if remembered(&req, &exchange) { "1" } else { "0" };
    let (url, headers) = upstream_request(&settings, &rendered, ID_HOLE);
    let outbound = format!("{}\n{}", settings.upstream_timeout_ms, send_head(rendered.method.as_str(), &url, &headers));
    JsValue::from_str(&joined([remember, &exchange.request_id, &outbound], "\n"))
}

/// The request id a read was sent under and its arrival time, from the module's
/// "requestId\narrivalMs" (`Date.now()`, whole milliseconds).
fn sent_as(sent: &JsValue) -> (String, f64) {
    let sent = sent.as_string().unwrap_or_default();
    let (id, arrived) = sent.split_once('\n').unwrap_or((&sent, ""));
    (id.to_owned(), arrived.parse::<u64>().unwrap_or_default() as f64)
}

/// Whether the texts of a read forwarded ahead are the same for every request with its head:
/// nothing beyond the head read, no request id of the client's, no header of the exchange's own.
fn remembered(req: &Incoming, exchange: &Exchange) -> bool {
    !req.read_beyond_head() && req.header(REQUEST_ID).is_none() && exchange.headers.is_empty()
}

/// The read `req` forwarded ahead, if it is one: its exchange (under the id and arrival time
/// `given`, if they were), the settings, and the request rendered for the upstream.
fn decide(
    req: &Incoming,
    env: &Env,
    ctx: &Context,
    given: Option<(String, f64)>,
) -> Option<(Exchange, Rc<GatewaySettings>, RenderedRequest)> {
    let settings = settings(env).ok()?;
    cache::note_if_off(env, ctx, &settings);
    let path = req.path();
    if webhook::handles(&path) {
        return None;
    }
    let Destination::Routed(routed) = gateway::destination(req, &path) else { return None };
    let mut exchange = Exchange::begin(req, given);
    let rendered = gateway::forwardable_read(&routed, req, env, &settings, &mut exchange)?;
    Some((exchange, settings, rendered))
}

/// The response's headers and log line (`batched.js`'s `respond`, with holes) for a read the
/// module has `sent` ([`sent_as`]), when its answer, whose head is `answered`
/// (`batched.js`'s `answerHead`), streams through to the client unread; empty when it does not
/// (then [`read_ahead`], given the answer).
#[wasm_bindgen(js_name = readAnswered)]
pub fn read_answered(
    req: web_sys::Request,
    head: &JsValue,
    env: Env,
    ctx: Context,
    sent: &JsValue,
    answered: &JsValue,
) -> String {
    let answer = AnswerHead::read(&answered.as_string().unwrap_or_default());
    if !answer.streams() {
        return String::new();
    }
    let req = Incoming::new(req, head);
    let Some((mut exchange, settings, _)) = decide(&req, &env, &ctx, Some(sent_as(sent))) else { return String::new() };
    exchange.log.upstream_status = Some(answer.status);
    exchange.close_hollow(Ok(answer.streamed(None)), &settings.origins).2
}
