//! `POST /webhooks/waha`: WAHA's signed `group.v2.*` webhooks. A delivery is verified
//! ([`crate::webhook::verify_waha`]), read with the core's event reader, checked against the
//! replay window, applied to the group cache once per event (the signed body's `id`), and, with
//! `WEBHOOK_FORWARD_URL`, re-sent to the team's backend signed with groupgate's own key after
//! the answer (a failure there is logged; the cache update is already done).

use super::batched::{send, HeaderList, Outbound};
use super::cache::{apply_event, Applied};
use super::deadline::within;
use super::gateway::read_body;
use super::http::{internal, respond, Exchange, Outgoing};
use super::incoming::Incoming;
use super::kv::Kv;
use super::marks::{Marks, Turn};
use super::runtime::{console_error, console_log, message, now_ms, Context, Env};
use crate::cache::{effects, CachedRead};
use crate::config::GatewaySettings;
use crate::error::{Error, ErrorCode};
use crate::events::{
    parse_event, GroupEvent, WebhookEvent, GROUP_V2_JOIN, GROUP_V2_JOIN_REQUEST, GROUP_V2_LEAVE, GROUP_V2_PARTICIPANTS,
    GROUP_V2_UPDATE,
};
use crate::webhook::{
    applied_event_key, check_window, record_ttl_secs, sign_waha, verify_waha, Delivery, WahaHeaders, ALGORITHM,
    ALGORITHM_HEADER, HMAC_HEADER, REQUEST_ID_HEADER, TIMESTAMP_HEADER,
};
use crate::wire::record::Writer;
use crate::wire::{joined, json, quoted};
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

/// The receiver's path.
pub const PATH: &str = "/webhooks/waha";
/// Every path under this prefix belongs to the receivers (others answer 404).
const PREFIX: &str = "/webhooks/";

/// Whether `path` is a webhook receiver's (no client key: the signature authenticates).
pub fn handles(path: &str) -> bool {
    path.starts_with(PREFIX)
}

/// Answers one delivery.
pub async fn receive(
    mut req: Incoming,
    env: &Env,
    ctx: &Context,
    settings: &GatewaySettings,
    exchange: &mut Exchange,
) -> Result<Outgoing, Error> {
    let body = read_body(&mut req).await;
    let path = req.path();
    if path.trim_end_matches('/') != PATH {
        return Err(Error::new(ErrorCode::NotFound, format!("no webhook receiver at {path}; WAHA's is {PATH}")));
    }
    exchange.log.operation = Some("webhook");
    if req.method() != "POST" {
        exchange.headers.push(("Allow", "POST".into()));
        return Err(Error::new(ErrorCode::MethodNotAllowed, format!("{PATH} takes POST")));
    }
    let Some(key) = settings.webhooks.key.as_deref() else {
        return Err(Error::new(ErrorCode::NotFound, "the webhook receiver is off: set WEBHOOK_HMAC_KEY to turn it on"));
    };
    let body = body?;
    let (delivery, webhook) = verified(&req, &body, key, settings.webhooks.tolerance_secs)?;
    exchange.log.session = Some(webhook.session.clone());
    let event = webhook.event.name().to_owned();
    let seen = Seen::open(env, settings, &webhook)?;
    // Copies of one event arriving together in this isolate take turns: the later one finds the
    // earlier one's record and is a duplicate, never applied and forwarded twice.
    let hold_ms = u64::from(settings.store_timeout_ms) * RECEIVE_STORE_CALLS;
    let Some(_receiving) = Turn::take(&RECEIVING, &seen.key, hold_ms).await else {
        let detail = "another copy of this event is still being applied; retry";
        return Err(Error::new(ErrorCode::StoreUnavailable, detail).with_retry_after(5));
    };
    exchange.log.kv_ops += 1;
    if seen.before().await {
        exchange.log.cache = Some("duplicate");
        return Ok(json_answer(Writer::open().string("status", "duplicate").string("event", &event)));
    }
    // The body parsed above as a webhook, so it is JSON.
    let raw = json::parse_bytes(&body).unwrap_or(json::Value::Null);
    let applied = match effects(&webhook, &raw) {
        Some(effects) => apply_event(env, settings, effects).await?,
        None => Applied::default(),
    };
    exchange.log.kv_ops += applied.kv_ops + 1;
    if applied.older {
        exchange.log.cache = Some("older");
    }
    seen.mark().await;
    if let Some((url, forward_key)) = settings.webhooks.forward.clone() {
        let timeout_ms = settings.upstream_timeout_ms;
        ctx.wait_until(forward(url, forward_key, body, delivery.request_id, timeout_ms));
    }
    Ok(json_answer(
        Writer::open().string("status", "applied").string("event", &event).plain("entries", applied.entries),
    ))
}

thread_local! {
    /// Events (by [`applied_event_key`]) a delivery of this isolate is receiving.
    static RECEIVING: Marks = const { Marks::new() };
}

/// The most store calls receiving an event makes: its record read and written, and the group's
/// entries each read and written with the group's change times.
const RECEIVE_STORE_CALLS: u64 = 2 * CachedRead::ALL.len() as u64 + 4;

/// Verifies the signature, reads the event and checks the signed body's timestamp.
fn verified(req: &Incoming, body: &[u8], key: &str, tolerance: u32) -> Result<(Delivery, WebhookEvent), Error> {
    let values = WahaHeaders::NAMES.map(|name| req.header(name));
    let headers = WahaHeaders::from_values(&values);
    let delivery = verify_waha(&headers, body, key.as_bytes(), now_ms(), tolerance)?;
    let webhook = parse_event(body)?;
    if let GroupEvent::Other { event, .. } = &webhook.event {
        let known = [GROUP_V2_JOIN, GROUP_V2_LEAVE, GROUP_V2_UPDATE, GROUP_V2_PARTICIPANTS, GROUP_V2_JOIN_REQUEST];
        let detail =
            format!("event: {} is not handled here; configure the webhook for {}", quoted(event), joined(known, ", "));
        return Err(Error::new(ErrorCode::UnknownEvent, detail));
    }
    // The header's timestamp is not signed; the body's is.
    check_window("timestamp (in the body)", webhook.timestamp, now_ms(), tolerance)?;
    Ok((delivery, webhook))
}

/// The record of one applied event in KV ([`applied_event_key`]), kept for twice the replay
/// window: a delivery older than the window is refused by its signed timestamp anyway.
struct Seen {
    kv: Kv,
    key: String,
    ttl_secs: u64,
    timeout_ms: u32,
}

impl Seen {
    fn open(env: &Env, settings: &GatewaySettings, webhook: &WebhookEvent) -> Result<Self, Error> {
        Ok(Seen {
            kv: Kv::open(env).map_err(|e| internal(e.into()))?,
            key: applied_event_key(&webhook.id),
            ttl_secs: record_ttl_secs(settings.webhooks.tolerance_secs),
            timeout_ms: settings.store_timeout_ms,
        })
    }

    /// Whether the event was applied before (a store failure counts as no: applying twice is safe).
    async fn before(&self) -> bool {
        let found = within(self.timeout_ms, self.kv.get_text(&self.key)).await;
        matches!(found, Ok(Ok(Some(_))))
    }

    /// Marks the event applied; a failure is logged (a retry would then be applied again).
    async fn mark(&self) {
        let marked = within(self.timeout_ms, self.kv.put(&self.key, "", self.ttl_secs)).await.map(|r| r.is_ok());
        if marked != Ok(true) {
            console_error(&Writer::open().string("webhookSeenStoreError", &self.key).finish());
        }
    }
}

fn json_answer(object: Writer) -> Outgoing {
    respond(200, object.finish().into_bytes(), "application/json")
}

/// Re-sends a verified body to the team's backend, signed in WAHA's format with groupgate's key,
/// to that URL only (a redirect is a failure); the outcome is logged (never the key).
async fn forward(url: String, key: String, body: Vec<u8>, request_id: String, timeout_ms: u32) {
    let outcome = async {
        let headers = HeaderList::default()
            .with("Content-Type", "application/json")
            .with(HMAC_HEADER, &sign_waha(&body, key.as_bytes()))
            .with(ALGORITHM_HEADER, ALGORITHM)
            .with(REQUEST_ID_HEADER, &request_id)
            .with(TIMESTAMP_HEADER, &now_ms().to_string());
        let text = String::from_utf8_lossy(&body);
        // Not redirected: a signed event goes to the configured URL or nowhere. The runtime's
        // timer aborts the exchange at the timeout.
        let signal = AbortSignal::timeout_with_u32(timeout_ms);
        let outbound = Outbound {
            method: "POST",
            headers: &headers,
            body: Some(&text),
            signal: Some(&signal),
            follow_redirects: false,
        };
        let response = send(&url, &outbound).await?;
        Ok::<u16, JsValue>(response.status())
    };
    let forwarded = |how: &str| Writer::open().string("webhookForward", how).string("webhookRequestId", &request_id);
    let line = match within(timeout_ms, outcome).await {
        Ok(Ok(status)) if (200..300).contains(&status) => forwarded("delivered").plain("status", status),
        Ok(Ok(status)) => forwarded("failed").plain("status", status),
        Ok(Err(e)) => forwarded("failed").string("cause", &message(&e)),
        Err(cause) => forwarded("failed").string("cause", &cause),
    }
    .finish();
    console_log(&line);
}
