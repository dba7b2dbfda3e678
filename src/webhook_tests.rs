use super::*;

const KEY: &[u8] = b"waha-webhook-key-0123456789";
const BODY: &[u8] = br#"{"event":"group.v2.leave"}"#;
const NOW_MS: u64 = 1_780_000_000_000;

fn headers<'a>(hmac: Option<&'a str>, algorithm: Option<&'a str>, timestamp: Option<&'a str>) -> WahaHeaders<'a> {
    WahaHeaders { hmac, algorithm, request_id: Some("req-01"), timestamp }
}

fn verify(hmac: &str, body: &[u8]) -> Result<Delivery, Error> {
    let now = NOW_MS.to_string();
    verify_waha(&headers(Some(hmac), Some("sha512"), Some(&now)), body, KEY, NOW_MS, 300)
}

#[test]
fn headers_are_read_in_the_order_of_their_names() {
    let values = WahaHeaders::NAMES.map(|name| (name != REQUEST_ID_HEADER).then(|| format!("value of {name}")));
    let read = WahaHeaders::from_values(&values);
    assert_eq!(read.hmac, Some("value of X-Webhook-Hmac"));
    assert_eq!(read.algorithm, Some("value of X-Webhook-Hmac-Algorithm"));
    assert_eq!(read.request_id, None);
    assert_eq!(read.timestamp, Some("value of X-Webhook-Timestamp"));
}

#[test]
fn a_good_signature_verifies() {
    let sig = sign_waha(BODY, KEY);
    assert_eq!(sig.len(), 128, "hex of 64 bytes");
    let delivery = verify(&sig, BODY).unwrap();
    assert_eq!(delivery, Delivery { request_id: "req-01".into(), timestamp_ms: NOW_MS });
}

#[test]
fn the_mac_is_hmac_sha512_of_the_raw_body() {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    let expected = "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737";
    assert_eq!(sign_waha(b"what do ya want for nothing?", b"Jefe"), expected);
}

#[test]
fn a_wrong_key_is_refused() {
    let err = verify(&sign_waha(BODY, b"another-key-0123456789"), BODY).unwrap_err();
    assert_eq!((err.code, err.status), (ErrorCode::InvalidSignature, 401));
    assert!(err.detail.starts_with("X-Webhook-Hmac:"), "{}", err.detail);
}

#[test]
fn a_changed_body_is_refused() {
    let err = verify(&sign_waha(BODY, KEY), br#"{"event":"group.v2.join"}"#).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidSignature);
}

#[test]
fn a_truncated_signature_is_refused() {
    let sig = sign_waha(BODY, KEY);
    for cut in [sig.len() - 2, 64, 2] {
        let err = verify(&sig[..cut], BODY).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidSignature, "cut to {cut}");
    }
    // An odd number of hex digits is not hex at all.
    assert!(verify(&sig[..127], BODY).unwrap_err().detail.contains("not a hex string"));
}

#[test]
fn uppercase_hex_is_the_same_signature() {
    let sig = sign_waha(BODY, KEY).to_ascii_uppercase();
    assert!(verify(&sig, BODY).is_ok());
    assert!(verify(&format!(" {} ", sign_waha(BODY, KEY)), BODY).is_ok(), "surrounding spaces are trimmed");
}

#[test]
fn other_algorithms_are_refused_with_400() {
    let sig = sign_waha(BODY, KEY);
    let now = NOW_MS.to_string();
    for algorithm in ["sha256", "md5", "sha512 ", "SHA512"] {
        let result = verify_waha(&headers(Some(&sig), Some(algorithm), Some(&now)), BODY, KEY, NOW_MS, 300);
        if algorithm.trim().eq_ignore_ascii_case("sha512") {
            assert!(result.is_ok(), "{algorithm}");
        } else {
            let err = result.unwrap_err();
            assert_eq!((err.code, err.status), (ErrorCode::UnsupportedAlgorithm, 400), "{algorithm}");
            assert!(err.detail.starts_with("X-Webhook-Hmac-Algorithm:"), "{}", err.detail);
        }
    }
    // Absent: WAHA's only algorithm.
    assert!(verify_waha(&headers(Some(&sig), None, Some(&now)), BODY, KEY, NOW_MS, 300).is_ok());
}

#[test]
fn an_empty_body_is_signed_like_any_other() {
    let sig = sign_waha(b"", KEY);
    assert!(verify(&sig, b"").is_ok());
    assert_eq!(verify(&sig, b" ").unwrap_err().code, ErrorCode::InvalidSignature);
    assert_eq!(verify(&sign_waha(BODY, KEY), b"").unwrap_err().code, ErrorCode::InvalidSignature);
}

#[test]
fn a_missing_signature_is_refused() {
    let now = NOW_MS.to_string();
    for hmac in [None, Some(""), Some("  ")] {
        let err = verify_waha(&headers(hmac, Some("sha512"), Some(&now)), BODY, KEY, NOW_MS, 300).unwrap_err();
        assert_eq!((err.code, err.detail.as_str()), (ErrorCode::InvalidSignature, "X-Webhook-Hmac: missing"));
    }
    assert!(verify("not-hex-at-all", BODY).unwrap_err().detail.contains("not a hex string"));
}

#[test]
fn the_replay_window_bounds_the_timestamp_both_ways() {
    let sig = sign_waha(BODY, KEY);
    let at = |ms: u64| {
        let text = ms.to_string();
        verify_waha(&headers(Some(&sig), None, Some(&text)), BODY, KEY, NOW_MS, 300)
    };
    assert!(at(NOW_MS - 300_000).is_ok(), "exactly the window");
    assert!(at(NOW_MS + 300_000).is_ok(), "clock skew the other way");
    for stale in [NOW_MS - 300_001, NOW_MS + 300_001, 0] {
        let err = at(stale).unwrap_err();
        assert_eq!((err.code, err.status), (ErrorCode::InvalidSignature, 401));
        assert!(err.detail.starts_with("X-Webhook-Timestamp:"), "{}", err.detail);
    }
    for bad in [None, Some("soon"), Some("-5"), Some("1.5")] {
        let err = verify_waha(&headers(Some(&sig), None, bad), BODY, KEY, NOW_MS, 300).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidSignature, "{bad:?}");
    }
    assert!(check_window("timestamp", NOW_MS - 2_000, NOW_MS, 1).is_err());
    assert!(check_window("timestamp", NOW_MS - 1_000, NOW_MS, 1).is_ok());
}

#[test]
fn the_signature_is_checked_before_the_timestamp() {
    // A forger learns nothing about the window: a bad MAC is refused as such.
    let err = verify_waha(&headers(Some(&"0".repeat(128)), None, Some("0")), BODY, KEY, NOW_MS, 300).unwrap_err();
    assert!(err.detail.starts_with("X-Webhook-Hmac:"), "{}", err.detail);
}

#[test]
fn the_request_id_is_required_and_named() {
    let sig = sign_waha(BODY, KEY);
    let now = NOW_MS.to_string();
    for id in [None, Some(""), Some("has space"), Some("é")] {
        let h = WahaHeaders { request_id: id, ..headers(Some(&sig), None, Some(&now)) };
        let err = verify_waha(&h, BODY, KEY, NOW_MS, 300).unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationFailed, "{id:?}");
        assert!(err.detail.starts_with("X-Webhook-Request-Id:"), "{}", err.detail);
    }
}

#[test]
fn refusals_never_repeat_the_key_or_the_expected_mac() {
    let expected = sign_waha(BODY, KEY);
    let err = verify(&sign_waha(BODY, b"wrong-key-0123456789"), BODY).unwrap_err();
    assert!(!err.detail.contains(&expected) && !err.detail.contains("waha-webhook-key"), "{}", err.detail);
}

const NOW_SECS: u64 = NOW_MS / 1000;

#[test]
fn wadial_signatures_verify() {
    let header = sign_wadial(BODY, KEY, NOW_SECS);
    assert!(header.starts_with(&format!("t={NOW_SECS},v1=")));
    assert_eq!(verify_wadial(Some(&header), BODY, KEY, NOW_SECS, 300).unwrap(), NOW_SECS);
}

#[test]
fn wadial_mac_is_hmac_sha256_of_t_dot_body() {
    let header = sign_wadial(b"{}", KEY, 1_700_000_000);
    // Computed independently (Python's hmac module) over "1700000000.{}".
    assert_eq!(header, "t=1700000000,v1=1b4fb1ebc93c0fda9492b25b227b33fe3727ccf2452696de323f8f47dacbc677");
}

#[test]
fn wadial_refusals() {
    let good = sign_wadial(BODY, KEY, NOW_SECS);
    let check = |h: Option<&str>, body: &[u8]| verify_wadial(h, body, KEY, NOW_SECS, 300);
    assert_eq!(check(None, BODY).unwrap_err().code, ErrorCode::InvalidSignature);
    assert_eq!(check(Some(&good), b"{}").unwrap_err().code, ErrorCode::InvalidSignature, "other body");
    let wrong_key = sign_wadial(BODY, b"wrong-key-0123456789", NOW_SECS);
    assert_eq!(check(Some(&wrong_key), BODY).unwrap_err().code, ErrorCode::InvalidSignature);
    let truncated = &good[..good.len() - 2];
    assert_eq!(check(Some(truncated), BODY).unwrap_err().code, ErrorCode::InvalidSignature);
    let upper = format!("t={NOW_SECS},v1={}", good.split_once(",v1=").unwrap().1.to_ascii_uppercase());
    assert!(check(Some(&upper), BODY).is_ok(), "uppercase hex");
    // The timestamp is signed: moving it breaks the MAC.
    let moved = good.replacen(&format!("t={NOW_SECS}"), &format!("t={}", NOW_SECS + 1), 1);
    assert_eq!(check(Some(&moved), BODY).unwrap_err().code, ErrorCode::InvalidSignature);
    // Outside the window, even when correctly signed.
    let old = sign_wadial(BODY, KEY, NOW_SECS - 301);
    assert!(check(Some(&old), BODY).unwrap_err().detail.contains("at most 300 s"));
    // Another scheme only.
    let v0 = format!("t={NOW_SECS},v0=abcd");
    let err = check(Some(&v0), BODY).unwrap_err();
    assert_eq!((err.code, err.status), (ErrorCode::UnsupportedAlgorithm, 400));
    // Key rotation: one matching v1 among several is enough.
    let both = format!("{wrong_key},v1={}", good.split_once(",v1=").unwrap().1);
    assert!(check(Some(&both), BODY).is_ok());
    assert!(check(Some(&sign_wadial(b"", KEY, NOW_SECS)), b"").is_ok(), "empty body");
}

fn lookup(settings: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| settings.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
}

#[test]
fn settings() {
    let off = WebhookSettings::from_lookup(lookup(&[])).unwrap();
    assert_eq!(off, WebhookSettings { key: None, tolerance_secs: 300, forward: None });
    let on = WebhookSettings::from_lookup(lookup(&[
        ("WEBHOOK_HMAC_KEY", "waha-webhook-key-0123456789"),
        ("WEBHOOK_TOLERANCE_SECS", "60"),
        ("WEBHOOK_FORWARD_URL", "https://backend.example/hooks"),
        ("WEBHOOK_FORWARD_HMAC_KEY", "groupgate-forward-key-0123"),
    ]))
    .unwrap();
    assert_eq!(on.tolerance_secs, 60);
    assert_eq!(on.forward.as_ref().map(|(u, _)| u.as_str()), Some("https://backend.example/hooks"));
    let shown = format!("{on:?}");
    assert!(!shown.contains("0123456789") && !shown.contains("forward-key"), "{shown}");

    for (bad, name) in [
        (&[("WEBHOOK_HMAC_KEY", "short")][..], "WEBHOOK_HMAC_KEY"),
        (&[("WEBHOOK_TOLERANCE_SECS", "0")][..], "WEBHOOK_TOLERANCE_SECS"),
        (&[("WEBHOOK_TOLERANCE_SECS", "86401")][..], "WEBHOOK_TOLERANCE_SECS"),
        (&[("WEBHOOK_TOLERANCE_SECS", "5m")][..], "WEBHOOK_TOLERANCE_SECS"),
        (
            &[("WEBHOOK_HMAC_KEY", "waha-webhook-key-0123456789"), ("WEBHOOK_FORWARD_URL", "https://b.example/h")][..],
            "WEBHOOK_FORWARD_HMAC_KEY",
        ),
        (
            &[
                ("WEBHOOK_HMAC_KEY", "waha-webhook-key-0123456789"),
                ("WEBHOOK_FORWARD_URL", "ftp://b.example"),
                ("WEBHOOK_FORWARD_HMAC_KEY", "groupgate-forward-key-0123"),
            ][..],
            "WEBHOOK_FORWARD_URL",
        ),
        (
            &[
                ("WEBHOOK_HMAC_KEY", "waha-webhook-key-0123456789"),
                ("WEBHOOK_FORWARD_URL", "https://b.exa\nmple/h"),
                ("WEBHOOK_FORWARD_HMAC_KEY", "groupgate-forward-key-0123"),
            ][..],
            "WEBHOOK_FORWARD_URL",
        ),
        (
            &[
                ("WEBHOOK_FORWARD_URL", "https://b.example/h"),
                ("WEBHOOK_FORWARD_HMAC_KEY", "groupgate-forward-key-0123"),
            ][..],
            "WEBHOOK_HMAC_KEY",
        ),
    ] {
        let owned: Vec<(String, String)> = bad.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        let err =
            WebhookSettings::from_lookup(|n| owned.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone())).unwrap_err();
        assert!(err.starts_with(&format!("{name}:")), "{bad:?}: {err}");
        for (_, value) in bad {
            assert!(value.len() < 8 || !err.contains(value), "{err} repeats a value");
        }
    }
}

#[test]
fn an_applied_event_is_keyed_by_its_signed_id_in_a_short_key() {
    let key = applied_event_key("evt_01JABCDEFGHJKMNPQRSTVWXYZ0");
    assert_eq!(key, applied_event_key("evt_01JABCDEFGHJKMNPQRSTVWXYZ0"), "stable");
    assert_ne!(key, applied_event_key("evt_01JABCDEFGHJKMNPQRSTVWXYZ1"));
    for id in ["evt_01JABCDEFGHJKMNPQRSTVWXYZ0", "", &"x".repeat(10_000), "a/b c\u{0}é"] {
        let key = applied_event_key(id);
        let digest = key.strip_prefix("whr/").expect("the prefix");
        assert_eq!(digest.len(), 32, "{key}");
        assert!(digest.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{key}");
    }
}

#[test]
fn a_record_about_an_applied_event_outlives_the_replay_window_twice_over_and_kv_minimum() {
    assert_eq!(record_ttl_secs(300), 600);
    assert_eq!(record_ttl_secs(10), 60, "KV keeps nothing for less than 60 s");
}
