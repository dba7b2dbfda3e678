//! The Cloudflare Worker adapter (feature `worker`): authenticates, validates with the core,
//! rate-limits (a KV log, or a Durable Object per quota) and forwards to the WAHA upstream. Every
//! outcome is a response; errors become RFC 9457 problems, never a bare 500.

mod cache;
mod console;
mod deadline;
mod gateway;
mod http;
mod idempotency;
mod key_route;
mod limiter;
mod log;
mod openapi;
mod picture_fetch;
mod quota_object;
mod upstream;
mod webhook;

use crate::config::GatewaySettings;
use crate::error::{Error, ErrorCode};
use http::Exchange;
use worker::{event, Context, Env, Request, Response};

/// The name of the KV namespace binding (idempotency records, and the rate-limit logs in `kv` mode).
pub const KV_BINDING: &str = "GROUPGATE_KV";

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    console_error_panic_hook::set_once();
    let mut exchange = Exchange::begin(&req);
    let settings = GatewaySettings::from_lookup(|name| env.var(name).ok().map(|v| v.to_string()))
        .map_err(|why| Error::new(ErrorCode::Misconfigured, why));
    let result = match &settings {
        Ok(settings) if webhook::handles(&req.path()) => {
            webhook::receive(req, &env, &ctx, settings, &mut exchange).await
        }
        Ok(settings) => gateway::handle(req, &env, settings, &mut exchange).await,
        Err(error) => Err(error.clone()),
    };
    let origins = settings.as_ref().map(|s| s.origins.clone()).unwrap_or_default();
    Ok(exchange.finish(result, &origins))
}
