//! The request pipeline: preflight, health, authentication, validation, idempotency,
//! rate limiting, forwarding.

use super::cache::GroupCache;
use super::chunks::Chunks;
use super::http::{body_bytes, empty, respond, Exchange, Outgoing, ALLOWED_HEADERS, ALLOWED_METHODS};
use super::idempotency::{Claim, Idempotency};
use super::incoming::Incoming;
use super::key_route;
use super::limiter::{Admission, Held, Limiter};
use super::picture_fetch::resolve_picture_url;
use super::routed::Routed;
use super::runtime::Env;
use super::upstream::{forward, Answer, Forwarded};
use crate::config::GatewaySettings;
use crate::error::{Error, ErrorCode};
use crate::headers::{presented_key, API_KEY_HEADER, IDEMPOTENCY_KEY_HEADER};
use crate::idempotency::frees_the_key;
use crate::ids::SessionName;
use crate::keys::{ClientKey, Scope, KEY_PATH};
use crate::limits::BODY_MAX_BYTES;
use crate::openapi::OPENAPI_PATH;
use crate::ops::dialect::lacking;
use crate::ops::{Charge, Operation, OperationKind, Outcome, Part, Plan, RateClass, RenderedRequest, Reply};
use crate::ratelimit::{limit_field, policy_field};
use crate::upstream::{AnswerCheck, UpstreamFailure};
use crate::wire::{check_body_media_type, joined, percent_decode};

/// Where the gateway sends a request (a webhook delivery aside), by its method and path.
pub enum Destination<'p> {
    /// A CORS preflight.
    Preflight,
    /// `/healthz`.
    Health,
    /// The client key's own route ([`KEY_PATH`]).
    Key,
    /// The OpenAPI document ([`OPENAPI_PATH`]).
    OpenApi,
    /// A group operation, in a dialect's table.
    Routed(Routed<'p>),
    /// Anything else: the console's static assets, or 404.
    Console,
}

/// Where `req`, whose path is `path`, goes.
pub fn destination<'p>(req: &Incoming, path: &'p str) -> Destination<'p> {
    let method = req.method();
    if method == "OPTIONS" && req.header("Access-Control-Request-Method").is_some() {
        return Destination::Preflight;
    }
    match path {
        "/healthz" => Destination::Health,
        KEY_PATH => Destination::Key,
        OPENAPI_PATH => Destination::OpenApi,
        _ => Routed::locate(method, path).map_or(Destination::Console, Destination::Routed),
    }
}

/// Handles one request; every failure is an [`Error`] for the caller to answer as a problem.
pub async fn handle(
    mut req: Incoming,
    env: &Env,
    settings: &GatewaySettings,
    exchange: &mut Exchange,
) -> Result<Outgoing, Error> {
    let path = req.path();
    match destination(&req, &path) {
        Destination::Preflight => preflight(exchange, settings),
        Destination::Health => Ok(respond(200, br#"{"status":"ok"}"#.to_vec(), "application/json")),
        Destination::Key => key_route::answer(&mut req, settings, exchange).await,
        Destination::OpenApi => super::openapi::answer(&mut req, env, settings, exchange).await,
        Destination::Routed(routed) => serve(&routed, &mut req, env, settings, exchange).await,
        Destination::Console => super::console::serve(&req, env, &path).await,
    }
}

/// Serves a request located in a dialect's table: accept, idempotency, then every part of the
/// plan limited and forwarded in the upstream's dialect, the answer composed in the client's.
async fn serve(
    routed: &Routed<'_>,
    req: &mut Incoming,
    env: &Env,
    settings: &GatewaySettings,
    exchange: &mut Exchange,
) -> Result<Outgoing, Error> {
    exchange.log.dialect = Some(routed.dialect());
    // The body is read (up to the cap) before answering anything, even a 401: a response sent
    // while the client is still sending can reset its connection.
    let body = read_body(req).await;
    let mut plan = accept(routed, req, body, settings, exchange)?;
    for part in &mut plan.parts {
        if let Part::Ready(operation) = part {
            resolve_picture_url(operation, settings).await?;
        }
    }
    let rendered = render_parts(&plan, settings)?;
    // The header is read only for an operation that honours it (one call into the runtime less).
    let idempotent = plan.kinds().next().is_some_and(OperationKind::idempotent);
    let idempotency_key = idempotent.then(|| req.header(IDEMPOTENCY_KEY_HEADER)).flatten();
    let idempotency = match idempotency_key {
        Some(key) => {
            let client = client_key(req).unwrap_or_default();
            let record =
                Idempotency::new(env, &plan.session, &client, &key, plan.fingerprint(), settings.upstream_timeout_ms)?;
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
    let stream = idempotency.is_none() && streams_through(routed, &plan, settings);
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(plan.parts.len());
    for (part, rendered) in plan.parts.iter().zip(rendered) {
        let outcome = match part.resolve(&outcomes) {
            Some(operation) => {
                let request = PartRequest { session: &plan.session, operation: &operation };
                match run_part(env, settings, request, rendered, req, stream, exchange).await {
                    Ok(Forwarded::Streamed(response)) => return Ok(response),
                    Ok(Forwarded::Held(a)) => {
                        Ok(Reply { status: a.status, content_type: a.content_type, body: a.body })
                    }
                    Err(error) => Err(error),
                }
            }
            None => Err(Error::new(ErrorCode::UpstreamUnavailable, "not run: the create answer named no group")),
        };
        outcomes.push(outcome);
    }
    let result = routed.answer(&plan, outcomes).map(|reply| Answer {
        status: reply.status,
        content_type: reply.content_type,
        body: reply.body,
    });
    if let Some(record) = &idempotency {
        match &result {
            // A failure to keep the answer is logged by the store; the group exists, so the client
            // still gets its answer rather than an error that would invite a second create.
            Ok(answer) => {
                let _ = record.complete(answer).await;
            }
            Err(error) if frees_the_key(error) => record.release().await,
            Err(_) => record.keep_pending(),
        }
    }
    result.map(pass_through)
}

/// Every part of `plan` rendered for the upstream (`None`: a part rendered once the create it
/// follows has answered); a part the upstream cannot carry stops the request before anything is sent.
fn render_parts(plan: &Plan, settings: &GatewaySettings) -> Result<Vec<Option<RenderedRequest>>, Error> {
    let upstream = settings.upstream_dialect;
    if let Some(kind) = plan.kinds().find(|&kind| upstream.lacks(kind)) {
        return Err(lacking(upstream.name(), kind));
    }
    plan.parts
        .iter()
        .map(|part| match part {
            Part::Ready(operation) => upstream.render(&plan.session, operation).map(Some),
            Part::DescribeCreated(_) => Ok(None),
        })
        .collect()
}

/// Whether the one part's successful answer reaches the client unchanged, so that it may stream
/// through unread (unless an idempotency record is to keep it).
fn streams_through(routed: &Routed<'_>, plan: &Plan, settings: &GatewaySettings) -> bool {
    settings.answer_check == AnswerCheck::Headers
        && plan.parts.len() == 1
        && routed.answers_one_part_as_is()
        && settings.upstream_dialect.answers_canonically()
}

/// The read the Worker's module forwards itself, ahead of the pipeline (`read_ahead.rs`): when
/// `req` is a `GET` without a body whose plan is one read, with nothing to wait on before it is
/// sent (no picture to fetch, no idempotency record, no rate limit, no group cache) and an answer
/// that streams through unread, that read rendered for the upstream, `exchange` filled in as the
/// pipeline fills it. `None`: the request takes the pipeline, which also answers every refusal.
pub fn forwardable_read(
    routed: &Routed<'_>,
    req: &Incoming,
    env: &Env,
    settings: &GatewaySettings,
    exchange: &mut Exchange,
) -> Option<RenderedRequest> {
    if req.method() != "GET" || req.has_body() {
        return None;
    }
    exchange.log.dialect = Some(routed.dialect());
    let plan = accept(routed, req, Ok(Vec::new()), settings, exchange).ok()?;
    let [Part::Ready(operation)] = plan.parts.as_slice() else { return None };
    let kind = operation.kind();
    if kind.scope() != Scope::Read || kind.idempotent() || !streams_through(routed, &plan, settings) {
        return None;
    }
    if !charges(operation, settings).is_empty()
        || !GroupCache::open(env, settings, &plan.session, operation, req).is_idle()
    {
        return None;
    }
    render_parts(&plan, settings).ok()?.pop().flatten()
}

/// One part as the gateway runs it: the plan's session and the part's operation, borrowed (the
/// operation is never copied: its `Clone` is 2 KB of the Worker's code).
#[derive(Clone, Copy)]
struct PartRequest<'a> {
    session: &'a SessionName,
    operation: &'a Operation,
}

/// Runs one part: answers it from the group cache when it can; else renders it for the upstream
/// (unless already rendered), limits, forwards, and translates the answer to the canonical shape
/// (what the cache keeps): held, or, with `stream` and the cache taking no part, a successful
/// answer streaming through to the client unread.
async fn run_part(
    env: &Env,
    settings: &GatewaySettings,
    request: PartRequest<'_>,
    rendered: Option<RenderedRequest>,
    req: &Incoming,
    stream: bool,
    exchange: &mut Exchange,
) -> Result<Forwarded, Error> {
    let mut cache = GroupCache::open(env, settings, request.session, request.operation, req);
    if let Some(answer) = cache.lookup(exchange).await {
        return Ok(Forwarded::Held(answer));
    }
    let stream = stream && cache.is_idle();
    let upstream = settings.upstream_dialect;
    let forwarded = async {
        let rendered = match rendered {
            Some(rendered) => rendered,
            None => upstream.render(request.session, request.operation)?,
        };
        match limit_and_forward(env, settings, request, &rendered, stream, exchange).await? {
            Forwarded::Held(answer) => {
                let reply = Reply { status: answer.status, content_type: answer.content_type, body: answer.body };
                let canonical = upstream.to_canonical(request.operation.kind(), reply)?;
                Ok(Forwarded::Held(Answer {
                    status: canonical.status,
                    content_type: canonical.content_type,
                    body: canonical.body,
                }))
            }
            streamed => Ok(streamed),
        }
    }
    .await;
    let answer = match forwarded {
        Ok(streamed @ Forwarded::Streamed(_)) => return Ok(streamed),
        Ok(Forwarded::Held(answer)) => Ok(answer),
        Err(error) => Err(error),
    };
    cache.settle(answer, exchange).await.map(Forwarded::Held)
}

/// Authenticates, then reads and validates the located request with its `body` (as read).
fn accept(
    routed: &Routed<'_>,
    req: &Incoming,
    body: Result<Vec<u8>, Error>,
    settings: &GatewaySettings,
    exchange: &mut Exchange,
) -> Result<Plan, Error> {
    let (session, key) = authenticate(req, routed.session(), settings, exchange)?;
    exchange.log.session = Some(session.to_string());
    let endpoint = routed.endpoint();
    // Known before validation: named in the log and its rate-limit policy on every answer.
    if let Ok(endpoint) = &endpoint {
        exchange.log.operation = Some(endpoint.name);
        exchange.log.scope = Some(endpoint.scope.as_str());
        key.check_scope(endpoint.scope)?;
        set_policy(endpoint.kinds.iter().copied(), settings, exchange);
    }
    let body = body?;
    check_content_type(req, &body)?;
    if let Err(unrouted) = endpoint {
        if !unrouted.allow.is_empty() {
            let allowed: Vec<&str> = unrouted.allow.iter().map(|m| m.as_str()).collect();
            exchange.headers.push(("Allow", joined(&allowed, ", ")));
        }
        return Err(unrouted.error.clone());
    }
    let plan = routed.read(raw_query(req.url()), &body, &settings.limits)?;
    // Once read, the policy and the log name what the request really is, and every operation it
    // became needs its own scope (a Wadial create with a description is a write too).
    if let [part] = plan.parts.as_slice() {
        exchange.log.operation = Some(part.kind().client_name());
    }
    for kind in plan.kinds() {
        key.check_scope(kind.scope())?;
    }
    set_policy(plan.kinds(), settings, exchange);
    Ok(plan)
}

/// The query of a URL as the runtime serialized it (after `?`, before `#`; empty: none), read
/// without parsing the URL again.
fn raw_query(url: &str) -> &str {
    let query = url.split_once('?').map_or("", |(_, query)| query);
    query.split_once('#').map_or(query, |(query, _)| query)
}

/// Sets `RateLimit-Policy` to the quotas of every class the operations of `kinds` spend from
/// (none: no field).
fn set_policy(kinds: impl Iterator<Item = OperationKind>, settings: &GatewaySettings, exchange: &mut Exchange) {
    let mut classes: Vec<RateClass> = Vec::new();
    for class in kinds.flat_map(|kind| kind.rate_classes().iter().copied()) {
        if !classes.contains(&class) {
            classes.push(class);
        }
    }
    let quotas: Vec<_> = classes.into_iter().flat_map(|class| settings.rate.quotas(class)).collect();
    exchange.headers.retain(|(name, _)| *name != "RateLimit-Policy");
    if !quotas.is_empty() {
        exchange.headers.push(("RateLimit-Policy", policy_field(&quotas)));
    }
}

/// Spends the request's rate-limit units, forwards it, and refunds the units when the upstream
/// was never reached.
async fn limit_and_forward(
    env: &Env,
    settings: &GatewaySettings,
    request: PartRequest<'_>,
    rendered: &RenderedRequest,
    stream: bool,
    exchange: &mut Exchange,
) -> Result<Forwarded, Error> {
    let mut limiter = Limiter::new(env, settings);
    let ticket = limit(&mut limiter, request, settings, exchange).await;
    exchange.log.kv_ops = limiter.kv_ops;
    exchange.log.do_calls = limiter.do_calls;
    let ticket = ticket?;
    match forward(settings, rendered, &exchange.request_id, stream, exchange.prefetched.take()).await {
        Ok(forwarded) => {
            exchange.log.upstream_status = Some(forwarded.status());
            Ok(forwarded)
        }
        Err(UpstreamFailure { error, reached_whatsapp }) => {
            exchange.log.upstream_status = error.upstream_status;
            if let (Some(held), false) = (&ticket, reached_whatsapp) {
                if limiter.refund(held).await.is_ok() {
                    exchange.log.rate_limit = Some("refunded");
                }
                exchange.log.kv_ops = limiter.kv_ops;
                exchange.log.do_calls = limiter.do_calls;
            }
            Err(error)
        }
    }
}

/// What the operation is charged under the configured quotas (none: it is not limited).
fn charges(operation: &Operation, settings: &GatewaySettings) -> Vec<Charge> {
    let mut charges = operation.rate_charges();
    charges.retain(|charge| !settings.rate.quotas(charge.class).is_empty());
    charges
}

/// Applies the rate limits the operation is charged under, all or none; `Ok(Some(held))` names
/// the log entries to refund.
async fn limit(
    limiter: &mut Limiter<'_>,
    request: PartRequest<'_>,
    settings: &GatewaySettings,
    exchange: &mut Exchange,
) -> Result<Option<Vec<Held>>, Error> {
    let charges = charges(request.operation, settings);
    if charges.is_empty() {
        return Ok(None);
    }
    let (session, group) = (request.session, request.operation.group());
    match limiter.admit(session, group, &charges).await {
        Ok(Admission::Allowed { decided, held }) => {
            exchange.log.rate_limit = Some("allowed");
            exchange.headers.push(("RateLimit", limit_field(&decided)));
            Ok(Some(held))
        }
        Ok(Admission::Refused { mut given_back, by: (quota, decision) }) => {
            exchange.log.rate_limit = Some(if limiter.store_calls() == 0 { "blocked" } else { "refused" });
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
pub(super) fn client_key(req: &Incoming) -> Option<String> {
    // `Authorization` counts only without `X-Api-Key`.
    let api_key = req.header(API_KEY_HEADER);
    let authorization = if api_key.is_none() { req.header("Authorization") } else { None };
    presented_key(api_key, authorization.as_deref())
}

/// The client key checked for the request's origin and the session.
fn authenticate<'s>(
    req: &Incoming,
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
pub(super) async fn read_body(req: &mut Incoming) -> Result<Vec<u8>, Error> {
    // Without a body (a GET) no header is read.
    let Some(stream) = req.inner().body() else {
        return Ok(Vec::new());
    };
    let declared = req.header("Content-Length").and_then(|v| v.parse::<usize>().ok());
    if declared == Some(0) {
        return Ok(Vec::new());
    }
    // A declared length within the cap is read whole (the runtime holds the body to it).
    if declared.is_some_and(|len| len <= BODY_MAX_BYTES) {
        return body_bytes(req.inner().array_buffer()).await.map_err(|_| broken_off());
    }
    let mut chunks = Chunks::new(&stream);
    let mut body = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = chunks.next().await.map_err(|_| broken_off())? {
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

/// The client's upload broke off: its fault, not the gateway's (never logged as `misconfigured`).
fn broken_off() -> Error {
    Error::new(ErrorCode::BodyIncomplete, "the connection closed before the whole body arrived")
}

/// A non-blank body must be `application/json`.
fn check_content_type(req: &Incoming, body: &[u8]) -> Result<(), Error> {
    // A blank body needs no media type: its header is not read.
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let content_type = req.header("Content-Type").unwrap_or_default();
    check_body_media_type(&content_type, body)
}

/// Answers a CORS preflight: granted for `ALLOWED_ORIGINS`, refused otherwise.
fn preflight(exchange: &Exchange, settings: &GatewaySettings) -> Result<Outgoing, Error> {
    let granted = exchange.origin.as_deref().and_then(|o| settings.origins.grant(o)).is_some();
    if !granted {
        return Err(Error::new(ErrorCode::OriginNotAllowed, "this origin is not in ALLOWED_ORIGINS"));
    }
    let mut response = empty(204);
    for (name, value) in [
        ("Access-Control-Allow-Methods", ALLOWED_METHODS),
        ("Access-Control-Allow-Headers", ALLOWED_HEADERS),
        ("Access-Control-Max-Age", "600"),
    ] {
        response.headers.add(name, value);
    }
    Ok(response)
}

/// The upstream's successful answer, unchanged (status, body, content type).
fn pass_through(answer: Answer) -> Outgoing {
    let content_type = answer.content_type.as_deref().unwrap_or("application/json");
    respond(answer.status, answer.body, content_type)
}
