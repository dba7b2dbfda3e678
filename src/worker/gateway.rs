//! The request pipeline: preflight, health, authentication, validation, idempotency,
//! rate limiting, forwarding.

use super::cache::GroupCache;
use super::http::{empty, internal, respond, Exchange, ALLOWED_HEADERS, ALLOWED_METHODS};
use super::idempotency::{Claim, Idempotency};
use super::key_route;
use super::limiter::{Admission, Held, Limiter};
use super::picture_fetch::resolve_picture_url;
use super::upstream::{forward, Answer};
use crate::config::GatewaySettings;
use crate::error::{Error, ErrorCode};
use crate::headers::{presented_key, API_KEY_HEADER, IDEMPOTENCY_KEY_HEADER};
use crate::ids::SessionName;
use crate::keys::ClientKey;
use crate::limits::BODY_MAX_BYTES;
use crate::ops::{Dialect, Endpoint, GroupRequest, Located, OperationKind, RateClass, RenderedRequest, Waha};
use crate::ratelimit::{limit_field, policy_field};
use crate::upstream::UpstreamFailure;
use crate::wire::{is_json_media_type, percent_decode};
use futures_util::StreamExt;
use worker::{Env, Request, Response};

/// Handles one request; every failure is an [`Error`] for the caller to answer as a problem.
pub async fn handle(
    mut req: Request,
    env: &Env,
    settings: &GatewaySettings,
    exchange: &mut Exchange,
) -> Result<Response, Error> {
    let method = req.method().to_string();
    let path = req.path();
    if method == "OPTIONS" && req.headers().has("Access-Control-Request-Method").unwrap_or(false) {
        return preflight(exchange, settings);
    }
    if path == "/healthz" {
        return Ok(respond(200, br#"{"status":"ok"}"#.to_vec(), "application/json"));
    }
    if path.starts_with(key_route::PREFIX) {
        return key_route::answer(&mut req, settings, exchange).await;
    }
    let Some(located) = Waha.locate(&method, &path) else {
        return Err(Error::new(ErrorCode::NotFound, format!("no route {path}")));
    };
    let mut request = accept(&mut req, &located, settings, exchange).await?;
    resolve_picture_url(&mut request, settings).await?;
    let rendered = Waha.render(&request)?;
    let idempotency = match req.headers().get(IDEMPOTENCY_KEY_HEADER).ok().flatten() {
        Some(key) if request.operation.kind().idempotent() => {
            let client = client_key(&req).unwrap_or_default();
            let body = rendered.body.clone().unwrap_or_default();
            let record = Idempotency::new(env, &request.session, &client, &key, body, settings.upstream_timeout_ms)?;
            match record.claim(u64::from(settings.upstream_timeout_ms) + 1000).await? {
                Claim::Replay(answer) => {
                    exchange.headers.push(("Idempotency-Replayed", "true".into()));
                    return Ok(pass_through(answer));
                }
                Claim::Fresh => Some(record),
            }
        }
        _ => None,
    };
    let mut cache = GroupCache::open(env, settings, &request, req.headers());
    if let Some(answer) = cache.lookup(exchange).await {
        return Ok(pass_through(answer));
    }
    let result = limit_and_forward(env, settings, &request, &rendered, exchange).await;
    let result = cache.settle(result, exchange).await;
    if let Some(record) = &idempotency {
        match &result {
            // A failure to keep the answer is logged by the store; the group exists, so the client
            // still gets its answer rather than an error that would invite a second create.
            Ok(answer) => {
                let _ = record.complete(answer).await;
            }
            Err(_) => record.release().await,
        }
    }
    result.map(pass_through)
}

/// Authenticates, then reads and validates the located request.
async fn accept(
    req: &mut Request,
    located: &Located<'_, OperationKind>,
    settings: &GatewaySettings,
    exchange: &mut Exchange,
) -> Result<GroupRequest, Error> {
    // The body is read (up to the cap) before answering anything, even a 401: a response sent
    // while the client is still sending can reset its connection.
    let body = read_body(req).await;
    let (session, key) = authenticate(req, located.session, settings, exchange)?;
    exchange.log.session = Some(session.to_string());
    // Known before validation: named in the log and its rate-limit policy on every answer.
    if let Ok(found) = &located.found {
        exchange.log.operation = Some(found.endpoint.name());
        exchange.log.scope = Some(found.endpoint.scope().as_str());
        key.check_scope(found.endpoint.scope())?;
        let quotas: Vec<_> =
            found.endpoint.rate_classes().iter().flat_map(|&class| settings.rate.quotas(class)).collect();
        if !quotas.is_empty() {
            exchange.headers.push(("RateLimit-Policy", policy_field(&quotas)));
        }
    }
    let body = body?;
    check_content_type(req, &body)?;
    let found = located.found.as_ref().map_err(|unrouted| {
        if !unrouted.allow.is_empty() {
            let allowed: Vec<&str> = unrouted.allow.iter().map(|m| m.as_str()).collect();
            exchange.headers.push(("Allow", allowed.join(", ")));
        }
        unrouted.error.clone()
    })?;
    let query = req.url().map_err(internal)?.query().unwrap_or_default().to_owned();
    Waha.read(located.session, found, &query, &body, &settings.limits)
}

/// Spends the request's rate-limit units, forwards it, and refunds the units when the upstream
/// was never reached.
async fn limit_and_forward(
    env: &Env,
    settings: &GatewaySettings,
    request: &GroupRequest,
    rendered: &RenderedRequest,
    exchange: &mut Exchange,
) -> Result<Answer, Error> {
    let mut limiter = Limiter::new(env, settings);
    let ticket = match request.operation.rate_charges().first() {
        Some(charge) => limit(&mut limiter, request, charge.class, charge.units, settings, exchange).await,
        None => Ok(None),
    };
    exchange.log.kv_ops = limiter.kv_ops;
    let ticket = ticket?;
    match forward(settings, rendered, &exchange.request_id).await {
        Ok(answer) => {
            exchange.log.upstream_status = Some(answer.status);
            Ok(answer)
        }
        Err(UpstreamFailure { error, reached_whatsapp }) => {
            exchange.log.upstream_status = error.upstream_status;
            if let (Some(held), false) = (&ticket, reached_whatsapp) {
                if limiter.refund(held).await.is_ok() {
                    exchange.log.rate_limit = Some("refunded");
                }
                exchange.log.kv_ops = limiter.kv_ops;
            }
            Err(error)
        }
    }
}

/// Applies the rate limits of `class`; `Ok(Some(held))` names the log entries to refund.
async fn limit(
    limiter: &mut Limiter<'_>,
    request: &GroupRequest,
    class: RateClass,
    cost: u32,
    settings: &GatewaySettings,
    exchange: &mut Exchange,
) -> Result<Option<Vec<Held>>, Error> {
    if settings.rate.quotas(class).is_empty() {
        return Ok(None);
    }
    let (session, group) = (&request.session, request.operation.group());
    match limiter.admit(session, group, class, cost).await {
        Ok(Admission::Allowed { decided, held }) => {
            exchange.log.rate_limit = Some("allowed");
            exchange.headers.push(("RateLimit", limit_field(&decided)));
            Ok(Some(held))
        }
        Ok(Admission::Refused { mut given_back, by: (quota, decision) }) => {
            exchange.log.rate_limit = Some(if limiter.kv_ops == 0 { "blocked" } else { "refused" });
            given_back.push((quota, decision));
            exchange.headers.push(("RateLimit", limit_field(&given_back)));
            let wait = decision.retry_after_secs.unwrap_or(1);
            let detail = format!("{} is used up; retry in {wait} s", quota.describe(session, group));
            Err(Error::new(ErrorCode::RateLimited, detail).with_retry_after(wait))
        }
        Ok(Admission::Unlimited) => {
            exchange.log.rate_limit = Some("store_error_allowed");
            Ok(None)
        }
        Err(error) => {
            exchange.log.rate_limit = Some(match error.code {
                ErrorCode::CostExceedsQuota => "cost_exceeds_quota",
                _ => "store_error_denied",
            });
            Err(error)
        }
    }
}

/// The client key the request presents, in `X-Api-Key` or `Authorization: Bearer`.
pub(super) fn client_key(req: &Request) -> Option<String> {
    let header = |name| req.headers().get(name).ok().flatten();
    presented_key(header(API_KEY_HEADER), header("Authorization").as_deref())
}

/// The client key checked for the request's origin and the session.
fn authenticate<'s>(
    req: &Request,
    raw_session: &str,
    settings: &'s GatewaySettings,
    exchange: &Exchange,
) -> Result<(SessionName, &'s ClientKey), Error> {
    let key = settings.keys.authenticate(client_key(req).as_deref())?;
    key.check_origin(exchange.origin.as_deref())?;
    let session = percent_decode(raw_session, false)
        .ok_or_else(|| Error::new(ErrorCode::InvalidSession, "session: invalid percent-encoding"))
        .and_then(|s| SessionName::parse(&s).map_err(Error::from))?;
    key.check_session(&session)?;
    Ok((session, key))
}

/// Most bytes of an oversized body read and discarded before answering 413: reading the rest keeps
/// the client's connection usable (an answer sent mid-upload resets it on some clients).
const DRAIN_MAX_BYTES: usize = 32 * 1024 * 1024;

/// Reads the body, keeping at most `BODY_MAX_BYTES` (a larger body is drained, then refused).
pub(super) async fn read_body(req: &mut Request) -> Result<Vec<u8>, Error> {
    let declared = req.headers().get("Content-Length").ok().flatten().and_then(|v| v.parse::<usize>().ok());
    if declared == Some(0) || req.inner().body().is_none() {
        return Ok(Vec::new());
    }
    let mut stream = req.stream().map_err(internal)?;
    let mut body = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(internal)?;
        seen = seen.saturating_add(chunk.len());
        if seen > DRAIN_MAX_BYTES {
            break;
        }
        if seen <= BODY_MAX_BYTES && declared.is_none_or(|len| len <= BODY_MAX_BYTES) {
            body.extend_from_slice(&chunk);
        }
    }
    if seen > BODY_MAX_BYTES || declared.is_some_and(|len| len > BODY_MAX_BYTES) {
        return Err(Error::new(ErrorCode::PayloadTooLarge, format!("the body is larger than {BODY_MAX_BYTES} bytes")));
    }
    Ok(body)
}

/// A non-blank body must be `application/json`.
fn check_content_type(req: &Request, body: &[u8]) -> Result<(), Error> {
    let content_type = req.headers().get("Content-Type").ok().flatten().unwrap_or_default();
    if !body.iter().all(u8::is_ascii_whitespace) && !is_json_media_type(&content_type) {
        return Err(Error::new(ErrorCode::UnsupportedMediaType, "send the body as Content-Type: application/json"));
    }
    Ok(())
}

/// Answers a CORS preflight: granted for `ALLOWED_ORIGINS`, refused otherwise.
fn preflight(exchange: &Exchange, settings: &GatewaySettings) -> Result<Response, Error> {
    let granted = exchange.origin.as_deref().and_then(|o| settings.origins.grant(o)).is_some();
    if !granted {
        return Err(Error::new(ErrorCode::OriginNotAllowed, "this origin is not in ALLOWED_ORIGINS"));
    }
    let response = empty(204);
    let headers = response.headers();
    for (name, value) in [
        ("Access-Control-Allow-Methods", ALLOWED_METHODS),
        ("Access-Control-Allow-Headers", ALLOWED_HEADERS),
        ("Access-Control-Max-Age", "600"),
    ] {
        headers.set(name, value).map_err(internal)?;
    }
    Ok(response)
}

/// The upstream's successful answer, unchanged (status, body, content type).
fn pass_through(answer: Answer) -> Response {
    let content_type = answer.content_type.as_deref().unwrap_or("application/json");
    respond(answer.status, answer.body, content_type)
}
