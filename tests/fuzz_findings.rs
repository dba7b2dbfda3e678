//! Every input the fuzz targets (`fuzz/`, `make fuzz`) found failing, with the behaviour fixed
//! since: a clear error naming what is wrong, never a panic and never a setting's value.

use groupgate::config::GatewaySettings;
use groupgate::error::Location;
use groupgate::events::parse_event;
use groupgate::limits::Limits;
use groupgate::wire::{percent_decode, Query};
use groupgate::{Error, ErrorCode, GroupRequest};

/// Stands for a secret in a setting's value (the settings target's `$SECRET`).
const CANARY: &str = "Zq7canarySecretValue";

/// The settings of a working gateway, with `extra` first.
fn settings(extra: &[(&str, &str)]) -> Result<GatewaySettings, String> {
    let base = [
        ("UPSTREAM_URL", "http://127.0.0.1:3001"),
        ("UPSTREAM_API_KEY", "upstream-key-0123456789"),
        ("API_KEYS", "client-key-0123456789"),
    ];
    let owned: Vec<(String, String)> =
        extra.iter().chain(base.iter()).map(|(n, v)| (n.to_string(), v.to_string())).collect();
    GatewaySettings::from_lookup(move |name| owned.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()))
}

/// Every field error names a field, and its detail names it too.
fn assert_fields_named(error: &Error) {
    assert!(!error.errors.is_empty(), "{error:?}");
    for field in &error.errors {
        let Location::Parameter(name) = &field.location else { panic!("{error:?}") };
        assert!(!name.is_empty() && field.detail.contains(name.as_str()), "{error:?}");
    }
}

/// Settings target: `ALLOWED_ORIGINS`, `LIMIT_*` and `RATE_LIMIT_ON_STORE_ERROR` quoted the bad
/// value in their error, which the Worker logs.
#[test]
fn a_bad_setting_names_itself_and_never_its_value() {
    let cases = [
        ("ALLOWED_ORIGINS", format!("https://ok.example, ftp://{CANARY}.example"), "ALLOWED_ORIGINS entry 2:"),
        ("LIMIT_ADD", format!("{CANARY}/60"), "LIMIT_ADD:"),
        ("LIMIT_REMOVE_PER_GROUP", format!("5001/{CANARY}"), "LIMIT_REMOVE_PER_GROUP:"),
        ("RATE_LIMIT_ON_STORE_ERROR", format!("add:deny, remove:{CANARY}"), "RATE_LIMIT_ON_STORE_ERROR item 2:"),
    ];
    for (name, value, starts) in cases {
        let error = settings(&[(name, &value)]).unwrap_err();
        assert!(error.starts_with(starts), "{name}: {error}");
        assert!(!error.contains(CANARY), "{name}: the value in {error:?}");
    }
    // A policy over the caps names the caps, not the value.
    let error = settings(&[("LIMIT_ADD", "99999/60")]).unwrap_err();
    assert!(error.starts_with("LIMIT_ADD: at most 5000 units") && !error.contains("99999"), "{error}");
}

/// Request target: a query parameter without a name (`?=1`, `?=%zz`) was refused as the
/// parameter `""`, a refusal that names no field.
#[test]
fn a_query_parameter_without_a_name_is_refused_naming_the_query() {
    let limits = Limits::default();
    let list = |query| GroupRequest::parse("GET", "/api/default/groups", query, b"", &limits).unwrap_err();
    let error = list("sortBy=subject&=1");
    assert_eq!((error.code, error.errors.len()), (ErrorCode::ValidationFailed, 1), "{error:?}");
    assert_fields_named(&error);
    assert_eq!(error.errors[0].code, ErrorCode::UnknownField);
    assert_eq!(error.errors[0].location, Location::Parameter("query".into()));
    let error = list("=%zz");
    assert_fields_named(&error);
    assert_eq!(error.errors[0].code, ErrorCode::InvalidParameter);
    let count = GroupRequest::parse("GET", "/api/default/groups/count", "=1", b"", &limits).unwrap_err();
    assert_fields_named(&count);
}

/// Request target: `%+5` was decoded as the byte 5 (the hex reader took `+5` for a signed
/// number), so an escape that is not two hex digits was read where WAHA refuses it.
#[test]
fn an_escape_is_two_hex_digits() {
    for raw in ["%+5", "a%+F", "%+0%41"] {
        assert_eq!(percent_decode(raw, false), None, "{raw}");
        assert_eq!(percent_decode(raw, true), None, "{raw}");
    }
    assert_eq!(percent_decode("%41%2f", false).as_deref(), Some("A/"));
    let error = Query::parse("limit=1%+0").unwrap_err();
    assert_eq!(error.code, ErrorCode::ValidationFailed);
    assert_fields_named(&error);
    assert_eq!(error.errors[0].location, Location::Parameter("limit".into()));
    let limits = Limits::default();
    let error = GroupRequest::parse("GET", "/api/default/groups", "limit=1%+0", b"", &limits).unwrap_err();
    assert_eq!(error.errors[0].code, ErrorCode::InvalidParameter, "{error:?}");
}

/// Webhook target: a number beyond `u64` in an event's untyped payload (a float of 121 digits)
/// did not read back as itself once written with serde: it went through an `f64` and lost its last
/// digits. An untyped payload's numbers are now written as they were read (by the core's writer).
#[test]
fn an_event_writes_back_as_itself_whatever_its_numbers() {
    let big = format!("178000{}0000", "2".repeat(111));
    for number in [big.as_str(), "1.7800022222222218e120", "0.1", "5e-324", "1.7976931348623157e308"] {
        let body = format!(
            r#"{{"id":"evt_1","timestamp":1780000000000,"session":"default","engine":"GOWS",
                "event":"message","payload":{{"timestamp":{number}}}}}"#
        );
        let event = parse_event(body.as_bytes()).unwrap();
        let written = event.to_json();
        assert!(written.contains(&format!(r#""payload":{{"timestamp":{number}}}"#)), "{written}");
        assert_eq!(parse_event(written.as_bytes()).unwrap(), event, "{number}");
    }
}
