//! The Cloudflare Worker adapter (feature `worker`): authenticates, validates with the core,
//! rate-limits (a KV log, or a Durable Object per quota) and forwards to the WAHA upstream. Every
//! outcome is a response; errors become RFC 9457 problems, never a bare 500.

mod batched;
mod body;
mod cache;
mod chunks;
mod console;
mod deadline;
mod durable;
mod gateway;
mod http;
mod idempotency;
mod incoming;
mod instance;
mod key_route;
mod kv;
mod limiter;
mod log;
mod marks;
mod openapi;
mod picture_fetch;
mod quota_object;
mod read_ahead;
mod routed;
mod runtime;
mod task;
mod upstream;
mod webhook;

use crate::config::{AllowedOrigins, GatewaySettings, ParsedOnce};
use crate::error::{Error, ErrorCode};
use http::Exchange;
use incoming::Incoming;
use runtime::{Context, Env, NotText};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

/// The name of the KV namespace binding (idempotency records, and the rate-limit logs in `kv` mode).
pub const KV_BINDING: &str = "GROUPGATE_KV";

thread_local! {
    /// This isolate's settings, parsed from the first request's `env` (and again only if another
    /// `env` object is presented).
    static SETTINGS: ParsedOnce<JsValue, GatewaySettings> = const { ParsedOnce::new() };
}

/// The settings of `env`, parsed once per isolate; a bad setting is answered on every request.
fn settings(env: &Env) -> Result<Rc<GatewaySettings>, Error> {
    SETTINGS
        .with(|cache| cache.get(env, || parse_settings(env)))
        .map_err(|why| Error::new(ErrorCode::Misconfigured, why))
}

/// Parses the settings of `env`; a variable that is not text (a table or an array in
/// wrangler.toml) is refused by its name before anything else.
fn parse_settings(env: &Env) -> Result<GatewaySettings, String> {
    let not_text: RefCell<Option<String>> = RefCell::default();
    let parsed = GatewaySettings::from_lookup(|name| {
        env.var(name).unwrap_or_else(|NotText| {
            not_text.borrow_mut().get_or_insert_with(|| name.to_owned());
            None
        })
    });
    match not_text.into_inner() {
        Some(name) => Err(format!("{name}: expected text, a number or true/false (a quoted string in wrangler.toml)")),
        None => parsed,
    }
}

/// The Worker's `fetch` handler (`entry.js` calls it with the request's head, `env` and `ctx`):
/// the response, or a promise of it when the request waits on the runtime ([`task::run`]).
#[wasm_bindgen]
pub fn fetch(req: web_sys::Request, head: &JsValue, env: Env, ctx: Context) -> JsValue {
    pipeline(Incoming::new(req, head), env, ctx, None)
}

/// The pipeline's answer to `req`, in `exchange` when it was begun ahead of the pipeline
/// (`read_ahead.rs`): the response, or a promise of it ([`task::run`]).
fn pipeline(req: Incoming, env: Env, ctx: Context, exchange: Option<Exchange>) -> JsValue {
    task::run(async move { Ok(answer(req, &env, &ctx, exchange).await.into()) })
}

/// The response to one request.
async fn answer(req: Incoming, env: &Env, ctx: &Context, exchange: Option<Exchange>) -> web_sys::Response {
    let mut exchange = exchange.unwrap_or_else(|| Exchange::begin(&req, None));
    let settings = settings(env);
    if let Ok(settings) = &settings {
        cache::note_if_off(env, ctx, settings);
    }
    let result = match &settings {
        Ok(settings) if webhook::handles(&req.path()) => webhook::receive(req, env, ctx, settings, &mut exchange).await,
        Ok(settings) => gateway::handle(req, env, settings, &mut exchange).await,
        Err(error) => Err(error.clone()),
    };
    let origins = settings.as_ref().map(|s| &s.origins);
    exchange.finish(result, origins.unwrap_or(&AllowedOrigins::None))
}
