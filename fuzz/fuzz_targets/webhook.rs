//! The webhook receiver's core: the signature headers (`verify_waha`, and `verify_wadial` for a
//! `wadial-signature`), the event reader (`parse_event`), the body's replay window and the group
//! cache's effects of an event. A header value `{sign}` stands for the right signature of the body,
//! so deliveries can pass verification. A delivery signed right, in the window and with a valid id
//! must be accepted; a refusal never repeats the key or the expected MAC; an event read must
//! write back to JSON that reads as the same event.
#![no_main]

use groupgate::cache::effects;
use groupgate::events::parse_event;
use groupgate::webhook::{
    check_window, sign_wadial, sign_waha, verify_wadial, verify_waha, WahaHeaders, WADIAL_HEADER,
};
use groupgate::wire::{json, valid_request_id};
use groupgate::{Error, ErrorCode};
use groupgate_fuzz::{check_error, Message};
use libfuzzer_sys::fuzz_target;

/// The receiver's key in this target.
const KEY: &[u8] = b"fuzz-webhook-key-0123456789";
/// The receiver's clock, Unix milliseconds (the seeds are dated around it).
const NOW_MS: u64 = 1_780_000_000_000;
/// The replay window, seconds.
const TOLERANCE_SECS: u32 = 300;
/// Stands for the right signature of the body in a header value.
const SIGN: &str = "{sign}";

fuzz_target!(|data: &[u8]| {
    let message = Message::split(data);
    let body = message.body;
    let waha_mac = sign_waha(body, KEY);
    let values = WahaHeaders::NAMES.map(|name| message.header(name).map(|value| value.replace(SIGN, &waha_mac)));
    let headers = WahaHeaders::from_values(&values);
    let [hmac, algorithm, request_id, timestamp] = &values;
    match verify_waha(&headers, body, KEY, NOW_MS, TOLERANCE_SECS) {
        Ok(delivery) => {
            assert!(valid_request_id(&delivery.request_id));
            check_window("delivery", delivery.timestamp_ms, NOW_MS, TOLERANCE_SECS).expect("verified in the window");
        }
        Err(error) => {
            check_refusal(&error, &waha_mac, &message);
            let signed_right = hmac.as_deref().map(str::trim) == Some(waha_mac.as_str())
                && algorithm.as_deref().is_none_or(|a| a.trim().eq_ignore_ascii_case("sha512"));
            let in_window = timestamp
                .as_deref()
                .and_then(|t| t.trim().parse::<u64>().ok())
                .is_some_and(|t| check_window("t", t, NOW_MS, TOLERANCE_SECS).is_ok());
            let id_valid = request_id.as_deref().map(str::trim).is_some_and(valid_request_id);
            assert!(!(signed_right && in_window && id_valid), "a sound delivery refused: {error:?}");
        }
    }
    check_wadial(&message);
    read_event(body);
});

/// A `wadial-signature` header, `{sign}` in it standing for `v1` of the body at its `t`.
fn check_wadial(message: &Message) {
    let Some(raw) = message.header(WADIAL_HEADER) else { return };
    let t = raw.split(',').find_map(|item| item.trim().strip_prefix("t=")).and_then(|t| t.parse::<u64>().ok());
    let expected = t.map(|t| sign_wadial(message.body, KEY, t)).unwrap_or_default();
    let v1 = expected.rsplit("v1=").next().unwrap_or_default().to_owned();
    let value = raw.replace(SIGN, &v1);
    match verify_wadial(Some(&value), message.body, KEY, NOW_MS / 1000, TOLERANCE_SECS) {
        Ok(at) => assert!(check_window("t", at * 1000, NOW_MS, TOLERANCE_SECS).is_ok()),
        Err(error) => check_refusal(&error, &v1, message),
    }
}

/// A refusal says why without repeating the key or the MAC the receiver expected (unless the
/// sender put them in its own headers, which a refusal may quote).
fn check_refusal(error: &Error, expected_mac: &str, message: &Message) {
    check_error(error);
    let sent = |text: &str| message.headers.iter().any(|(_, value)| value.contains(text) || value.contains(SIGN));
    let key = String::from_utf8_lossy(KEY);
    assert!(sent(&key) || !error.detail.contains(&*key), "the key in {error:?}");
    let mac_shown = !expected_mac.is_empty() && error.detail.contains(expected_mac);
    assert!(sent(expected_mac) || !mac_shown, "the MAC in {error:?}");
}

/// Reads the body as an event; one read writes back to JSON that reads as the same event.
fn read_event(body: &[u8]) {
    match parse_event(body) {
        Ok(event) => {
            // As the Worker reads it, with the core's reader.
            let raw = json::parse_bytes(body).unwrap_or(json::Value::Null);
            let _ = check_window("timestamp (in the body)", event.timestamp, NOW_MS, TOLERANCE_SECS);
            let _ = effects(&event, &raw);
            let written = event.to_json();
            let again = parse_event(written.as_bytes()).unwrap_or_else(|e| panic!("{e:?} reading back {event:?}"));
            assert_eq!(again, event);
        }
        Err(error) => {
            check_error(&error);
            let codes = [ErrorCode::PayloadTooLarge, ErrorCode::InvalidJson, ErrorCode::InvalidType];
            assert!(codes.contains(&error.code), "{error:?}");
        }
    }
}
