//! Verifying signed webhooks, host-free: WAHA's `X-Webhook-Hmac` (hex HMAC-SHA512 of the raw body)
//! and the Wadial-style `wadial-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
//! each with a replay window, plus the receiver's settings.
//!
//! MACs are computed and compared by the `hmac` crate (`verify_slice`, constant time through
//! `subtle`); nothing here hashes by hand. A refusal never repeats a key or the expected MAC.

use crate::error::{Error, ErrorCode, FieldError};
use crate::wire::{is_http_url, quoted, valid_request_id};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

/// Header carrying WAHA's hex MAC.
pub const HMAC_HEADER: &str = "X-Webhook-Hmac";
/// Header naming WAHA's MAC algorithm (`sha512`).
pub const ALGORITHM_HEADER: &str = "X-Webhook-Hmac-Algorithm";
/// Header carrying the delivery's id (the same on every retry of one delivery; forwarded on).
pub const REQUEST_ID_HEADER: &str = "X-Webhook-Request-Id";
/// Header carrying the delivery time, Unix milliseconds.
pub const TIMESTAMP_HEADER: &str = "X-Webhook-Timestamp";
/// The only algorithm WAHA signs with.
pub const ALGORITHM: &str = "sha512";
/// Header of Wadial-style signatures.
pub const WADIAL_HEADER: &str = "wadial-signature";
/// Default replay window (`WEBHOOK_TOLERANCE_SECS`).
pub const TOLERANCE_SECS_DEFAULT: u32 = 300;
/// Longest replay window accepted.
pub const TOLERANCE_SECS_MAX: u32 = 86_400;
/// Shortest webhook key accepted.
pub const KEY_MIN: usize = 16;

/// The signature headers of one WAHA delivery, as received (`None`: absent).
#[derive(Debug, Clone, Copy, Default)]
pub struct WahaHeaders<'a> {
    /// `X-Webhook-Hmac`.
    pub hmac: Option<&'a str>,
    /// `X-Webhook-Hmac-Algorithm`.
    pub algorithm: Option<&'a str>,
    /// `X-Webhook-Request-Id`.
    pub request_id: Option<&'a str>,
    /// `X-Webhook-Timestamp`.
    pub timestamp: Option<&'a str>,
}

impl<'a> WahaHeaders<'a> {
    /// The headers' names, in the order [`WahaHeaders::from_values`] takes their values.
    pub const NAMES: [&'static str; 4] = [HMAC_HEADER, ALGORITHM_HEADER, REQUEST_ID_HEADER, TIMESTAMP_HEADER];

    /// The headers from the values a host found for [`WahaHeaders::NAMES`], in that order.
    pub fn from_values(values: &'a [Option<String>; 4]) -> Self {
        let [hmac, algorithm, request_id, timestamp] = values.each_ref().map(Option::as_deref);
        WahaHeaders { hmac, algorithm, request_id, timestamp }
    }
}

/// A delivery whose signature and timestamp were verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `X-Webhook-Request-Id`, passed on with a forwarded event (not signed, so not what says
    /// which events were applied: [`applied_event_key`]).
    pub request_id: String,
    /// `X-Webhook-Timestamp`, Unix milliseconds.
    pub timestamp_ms: u64,
}

fn refuse(detail: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidSignature, detail)
}

/// The hex HMAC-SHA512 of `body` with `key`, as WAHA sends it in `X-Webhook-Hmac`.
pub fn sign_waha(body: &[u8], key: &[u8]) -> String {
    hex::encode(mac::<Hmac<Sha512>>(key, &[body]).finalize().into_bytes())
}

/// The `wadial-signature` value for `body` sent at `t` (Unix seconds) with `key`.
pub fn sign_wadial(body: &[u8], key: &[u8], t: u64) -> String {
    let t = t.to_string();
    format!("t={t},v1={}", hex::encode(mac::<Hmac<Sha256>>(key, &[t.as_bytes(), b".", body]).finalize().into_bytes()))
}

/// The MAC `M` of the concatenated `parts` under `key`.
fn mac<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> M {
    // HMAC takes keys of any length: `new_from_slice` never fails for it.
    let mut mac = <M as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    for part in parts {
        Mac::update(&mut mac, part);
    }
    mac
}

/// Checks a hex MAC (either case) against `expected`, in constant time; `header` names it.
fn check_hex<M: Mac>(expected: M, presented: &str, header: &str) -> Result<(), Error> {
    let bytes = hex::decode(presented.trim()).map_err(|_| refuse(format!("{header}: not a hex string")))?;
    expected.verify_slice(&bytes).map_err(|_| refuse(format!("{header}: the signature does not match the body")))
}

/// The KV key that records the event with the signed body's `id` as applied: `whr/` and the first
/// 128 bits of SHA-256(id), hex (any id makes a short key). Not the delivery's
/// `X-Webhook-Request-Id`: that header is not signed, so a captured body re-sent under a new one
/// would otherwise be applied and forwarded again.
pub fn applied_event_key(event_id: &str) -> String {
    format!("whr/{}", hex::encode(&Sha256::digest(event_id.as_bytes())[..16]))
}

/// How long a record about an applied event is kept in KV: twice the replay window (a delivery
/// older than the window is refused by its signed timestamp anyway), at least KV's minimum of 60 s.
pub fn record_ttl_secs(tolerance_secs: u32) -> u64 {
    (u64::from(tolerance_secs) * 2).max(60)
}

/// Checks that `at_ms` lies within `tolerance_secs` of `now_ms`, either way; `what` names it.
pub fn check_window(what: &str, at_ms: u64, now_ms: u64, tolerance_secs: u32) -> Result<(), Error> {
    let skew = at_ms.abs_diff(now_ms);
    if skew > u64::from(tolerance_secs) * 1000 {
        return Err(refuse(format!(
            "{what}: {} s away from the receiver's clock; at most {tolerance_secs} s are accepted",
            skew / 1000
        )));
    }
    Ok(())
}

/// Verifies a WAHA delivery: algorithm (`400 unsupported_algorithm`), MAC of the raw body, then
/// timestamp window (`401 invalid_signature`), then the request id (`422 validation_failed`).
/// An absent algorithm header means `sha512`, the only one WAHA uses.
pub fn verify_waha(
    headers: &WahaHeaders,
    body: &[u8],
    key: &[u8],
    now_ms: u64,
    tolerance_secs: u32,
) -> Result<Delivery, Error> {
    let algorithm = headers.algorithm.map(str::trim).unwrap_or(ALGORITHM);
    if !algorithm.eq_ignore_ascii_case(ALGORITHM) {
        return Err(Error::new(
            ErrorCode::UnsupportedAlgorithm,
            format!("{ALGORITHM_HEADER}: only {ALGORITHM} is supported, got {}", quoted(truncate(algorithm))),
        ));
    }
    let presented =
        headers.hmac.filter(|h| !h.trim().is_empty()).ok_or_else(|| refuse(format!("{HMAC_HEADER}: missing")))?;
    check_hex(mac::<Hmac<Sha512>>(key, &[body]), presented, HMAC_HEADER)?;
    let timestamp_ms = headers
        .timestamp
        .ok_or_else(|| refuse(format!("{TIMESTAMP_HEADER}: missing")))?
        .trim()
        .parse::<u64>()
        .map_err(|_| refuse(format!("{TIMESTAMP_HEADER}: expected Unix milliseconds")))?;
    check_window(TIMESTAMP_HEADER, timestamp_ms, now_ms, tolerance_secs)?;
    let request_id = headers.request_id.map(str::trim).filter(|id| valid_request_id(id)).ok_or_else(|| {
        Error::from(FieldError::parameter(
            REQUEST_ID_HEADER,
            ErrorCode::InvalidParameter,
            format!("{REQUEST_ID_HEADER}: 1 to 128 of A-Z a-z 0-9 . _ - :"),
        ))
    })?;
    Ok(Delivery { request_id: request_id.to_owned(), timestamp_ms })
}

/// Verifies a `wadial-signature` header for `body` and returns its `t` (Unix seconds). Several
/// `v1` values are allowed (key rotation): one matching is enough.
pub fn verify_wadial(
    header: Option<&str>,
    body: &[u8],
    key: &[u8],
    now_secs: u64,
    tolerance_secs: u32,
) -> Result<u64, Error> {
    let header = header.ok_or_else(|| refuse(format!("{WADIAL_HEADER}: missing")))?;
    let mut t = None;
    let mut signatures = Vec::new();
    for item in header.split(',').map(str::trim) {
        match item.split_once('=') {
            Some(("t", value)) => t = Some(value),
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    let t_text = t.ok_or_else(|| refuse(format!("{WADIAL_HEADER}: no t=<unix seconds>")))?;
    let t: u64 = t_text.parse().map_err(|_| refuse(format!("{WADIAL_HEADER}: t is not Unix seconds")))?;
    if signatures.is_empty() {
        return Err(Error::new(
            ErrorCode::UnsupportedAlgorithm,
            format!("{WADIAL_HEADER}: no v1=<hex HMAC-SHA256>; no other scheme is supported"),
        ));
    }
    let matches = signatures
        .iter()
        .any(|sig| check_hex(mac::<Hmac<Sha256>>(key, &[t_text.as_bytes(), b".", body]), sig, WADIAL_HEADER).is_ok());
    if !matches {
        return Err(refuse(format!("{WADIAL_HEADER}: the signature does not match the body")));
    }
    check_window(WADIAL_HEADER, t.saturating_mul(1000), now_secs.saturating_mul(1000), tolerance_secs)?;
    Ok(t)
}

/// A header value quoted in an error, cut to a readable length.
fn truncate(value: &str) -> &str {
    value.char_indices().nth(32).map_or(value, |(i, _)| &value[..i])
}

/// The receiver's settings: `WEBHOOK_HMAC_KEY`, `WEBHOOK_TOLERANCE_SECS`, `WEBHOOK_FORWARD_URL`,
/// `WEBHOOK_FORWARD_HMAC_KEY`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct WebhookSettings {
    /// The key WAHA signs with; `None`: the receiver is off.
    pub key: Option<String>,
    /// Replay window, seconds.
    pub tolerance_secs: u32,
    /// Where verified events are re-sent, with the key they are signed with.
    pub forward: Option<(String, String)>,
}

impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .field("tolerance_secs", &self.tolerance_secs)
            .field("forward", &self.forward.as_ref().map(|(url, _)| url))
            .finish()
    }
}

/// A key setting: unset or empty is `None`; otherwise at least [`KEY_MIN`] characters, one line.
fn key_setting(name: &str, value: Option<String>) -> Result<Option<String>, String> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if v.chars().count() >= KEY_MIN && !v.contains(['\r', '\n']) => Ok(Some(v)),
        Some(_) => Err(format!("{name}: a key needs at least {KEY_MIN} characters on one line")),
    }
}

impl WebhookSettings {
    /// Reads the settings through `get`; errors name the setting, never its value.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let key = key_setting("WEBHOOK_HMAC_KEY", get("WEBHOOK_HMAC_KEY"))?;
        let tolerance_secs = match get("WEBHOOK_TOLERANCE_SECS").as_deref().map(str::trim) {
            None | Some("") => TOLERANCE_SECS_DEFAULT,
            Some(v) => v.parse::<u32>().ok().filter(|n| (1..=TOLERANCE_SECS_MAX).contains(n)).ok_or_else(|| {
                format!("WEBHOOK_TOLERANCE_SECS: expected whole seconds from 1 to {TOLERANCE_SECS_MAX}")
            })?,
        };
        let url = get("WEBHOOK_FORWARD_URL").map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        let forward_key = key_setting("WEBHOOK_FORWARD_HMAC_KEY", get("WEBHOOK_FORWARD_HMAC_KEY"))?;
        let forward = match (url, forward_key) {
            (None, _) => None,
            (Some(url), _) if !is_http_url(&url) => {
                return Err("WEBHOOK_FORWARD_URL: expected an http(s) URL".into());
            }
            (Some(_), None) => {
                return Err("WEBHOOK_FORWARD_HMAC_KEY: required when WEBHOOK_FORWARD_URL is set".into());
            }
            (Some(url), Some(key)) => Some((url, key)),
        };
        if forward.is_some() && key.is_none() {
            return Err("WEBHOOK_HMAC_KEY: required when WEBHOOK_FORWARD_URL is set".into());
        }
        Ok(WebhookSettings { key, tolerance_secs, forward })
    }
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
