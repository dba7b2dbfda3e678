//! Reading the upstream's failures: WAHA answers WhatsApp errors as HTTP 500 with the WhatsApp
//! error text inside; groupgate recognises them and answers a meaningful status instead.

use crate::error::{Error, ErrorCode};
use crate::wire::joined;
use crate::wire::json::{self, Value};

/// Seconds a client is told to wait after WhatsApp answered `rate-overlimit` (WhatsApp does not
/// say how long its throttle lasts; a minute is the usual advice).
pub const WHATSAPP_RATE_OVERLIMIT_RETRY_SECS: u64 = 60;
/// Longest upstream message kept in a problem's `detail`.
pub const UPSTREAM_MESSAGE_MAX: usize = 300;

/// WhatsApp's whole-request error texts and the codes groupgate answers them with.
const WHATSAPP_ERRORS: [(&str, ErrorCode); 7] = [
    ("rate-overlimit", ErrorCode::WhatsappRateLimited),
    ("not-authorized", ErrorCode::WhatsappNotAuthorized),
    ("item-not-found", ErrorCode::WhatsappNotFound),
    ("not-acceptable", ErrorCode::WhatsappNotAcceptable),
    ("forbidden", ErrorCode::WhatsappForbidden),
    ("bad-request", ErrorCode::WhatsappBadRequest),
    ("gone", ErrorCode::WhatsappGone),
];

/// A failed upstream answer, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamFailure {
    /// The error to answer the client with.
    pub error: Error,
    /// Whether the request may have reached WhatsApp (rate-limit units are kept when it may have).
    pub reached_whatsapp: bool,
}

/// The upstream's own message in a WAHA/NestJS error body (`exception.message`, `message`,
/// `error`), if any.
fn upstream_message(body: &Value<'_>) -> Option<String> {
    let candidates = [body.get("exception").and_then(|e| e.get("message")), body.get("message"), body.get("error")];
    candidates.into_iter().flatten().find_map(|v| match v {
        Value::String(s) => Some(s.to_string()),
        Value::Array(items) => {
            let parts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            (!parts.is_empty()).then(|| joined(&parts, "; "))
        }
        _ => None,
    })
}

fn truncate(mut s: String) -> String {
    if s.len() > UPSTREAM_MESSAGE_MAX {
        let mut cut = UPSTREAM_MESSAGE_MAX;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Classifies a non-2xx upstream answer.
pub fn classify_failure(status: u16, body: &[u8]) -> UpstreamFailure {
    let parsed = json::parse_bytes(body).ok();
    let message = parsed.as_ref().and_then(upstream_message);
    if status >= 500 {
        if let Some(error) = whatsapp_error(&[message.as_deref()], None) {
            return UpstreamFailure { error, reached_whatsapp: true };
        }
    }
    if (300..400).contains(&status) {
        let detail = format!("the upstream answered a redirect (HTTP {status}); redirects are not followed");
        let error = Error::new(ErrorCode::UpstreamError, detail).with_upstream_status(status);
        return UpstreamFailure { error, reached_whatsapp: false };
    }
    if status >= 500 {
        // A 5xx message is WAHA's own failure, often a network error of a fetch WAHA made (a
        // picture URL): passing it on would let clients probe WAHA's network through it.
        let detail = format!("the upstream answered HTTP {status}");
        let error = Error::new(ErrorCode::UpstreamError, detail).with_upstream_status(status);
        return UpstreamFailure { error, reached_whatsapp: true };
    }
    let shown = shown(message.as_deref());
    if status == 401 || status == 403 {
        // The client's key was accepted; the upstream refused the gateway's own key.
        let detail =
            format!("the upstream refused the gateway's credentials (HTTP {status}: {shown}); check UPSTREAM_API_KEY");
        let error = Error::new(ErrorCode::UpstreamError, detail).with_upstream_status(status);
        return UpstreamFailure { error, reached_whatsapp: false };
    }
    let detail = format!("the upstream answered HTTP {status}: {shown}");
    let status_out = if !(400..500).contains(&status) { ErrorCode::UpstreamError.status() } else { status };
    let error = Error::new(ErrorCode::UpstreamError, detail).with_status(status_out).with_upstream_status(status);
    UpstreamFailure { error, reached_whatsapp: false }
}

/// A failure a Wadial-style upstream reports for one part of a request (an entry of its `failed`
/// list): a WhatsApp error in its code or detail is answered as that WhatsApp error; anything else
/// is `upstream_error`, 502 unless the entry says 4xx (not 401 or 403: those are the gateway's own
/// credentials). The entry's code is never taken as groupgate's own (an upstream `unauthorized` is
/// not the client's key), and its detail is cut and, describing a network error, withheld.
pub fn classify_reported(status: Option<u64>, code: Option<&str>, detail: Option<&str>) -> Error {
    let shown = shown(detail);
    if let Some(error) = whatsapp_error(&[code, detail], detail.map(|_| shown.clone())) {
        return error;
    }
    let status = status
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (400..500).contains(s) && *s != 401 && *s != 403)
        .unwrap_or(ErrorCode::UpstreamError.status());
    Error::new(ErrorCode::UpstreamError, format!("the upstream reported a failure: {shown}")).with_status(status)
}

/// An upstream's message as a problem may show it: cut to [`UPSTREAM_MESSAGE_MAX`], and withheld
/// when it describes a network error.
fn shown(message: Option<&str>) -> String {
    match message {
        Some(m) if describes_network_error(m) => "message withheld: it describes a network error".to_owned(),
        Some(m) => truncate(m.to_owned()),
        None => "no message".to_owned(),
    }
}

/// The WhatsApp error the first of `texts` naming one stands for (a text describing a network
/// error names none), explained by `detail` or else by the error's own text.
fn whatsapp_error(texts: &[Option<&str>], detail: Option<String>) -> Option<Error> {
    let (text, code) = texts
        .iter()
        .flatten()
        .filter(|t| !describes_network_error(t))
        .find_map(|t| WHATSAPP_ERRORS.iter().find(|(text, _)| t.contains(text)))?;
    let error = Error::new(*code, detail.unwrap_or_else(|| format!("WhatsApp answered {text}")));
    Some(match code {
        ErrorCode::WhatsappRateLimited => error.with_retry_after(WHATSAPP_RATE_OVERLIMIT_RETRY_SECS),
        _ => error,
    })
}

/// Texts of network failures (Node's error codes, axios and TLS messages): what a failed download
/// by WAHA reports, never WhatsApp's or WAHA's own semantics.
const NETWORK_ERROR_MARKERS: [&str; 14] = [
    "ECONNREFUSED",
    "ECONNRESET",
    "ENOTFOUND",
    "EAI_AGAIN",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "EPROTO",
    "getaddrinfo",
    "socket hang up",
    "connect ",
    "timeout of ",
    "Request failed with status code",
    "certificate",
];

/// Whether an upstream message describes a network failure rather than the request.
fn describes_network_error(message: &str) -> bool {
    NETWORK_ERROR_MARKERS.iter().any(|marker| message.contains(marker))
}

/// How much of a successful upstream answer is checked before it is passed on unchanged
/// (`UPSTREAM_ANSWER_CHECK`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AnswerCheck {
    /// Its status and headers: an answer labelled JSON, of a declared length within the cap (or
    /// none), is streamed to the client unread. The timeout then covers the status and headers; a
    /// body cut short after them reaches the client cut short, a late one late, and one that is
    /// not JSON as it is.
    #[default]
    Headers,
    /// Its whole body too: held (up to the cap) and checked to be sound JSON, so every upstream
    /// fault is answered as a problem, at the cost of holding and copying every answer.
    Body,
}

impl AnswerCheck {
    /// Parses `UPSTREAM_ANSWER_CHECK`: `headers` (the default) or `body`.
    pub fn parse_setting(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("") | Some("headers") => Ok(AnswerCheck::Headers),
            Some("body") => Ok(AnswerCheck::Body),
            Some(_) => Err("UPSTREAM_ANSWER_CHECK: expected headers or body".into()),
        }
    }
}

/// Whether a successful answer may be streamed to the client unread under
/// [`AnswerCheck::Headers`]: a 2xx status, a JSON content type, and a declared length within
/// `max` bytes (or none declared: a stream is not held, so nothing needs capping). Markup and
/// WAHA's bare text answers are small and always held and checked ([`unsound_body`]).
pub fn streams_unread(status: u16, content_type: Option<&str>, declared_length: Option<&str>, max: usize) -> bool {
    let within = declared_length.is_none_or(|length| length.trim().parse::<usize>().is_ok_and(|length| length <= max));
    (200..300).contains(&status) && is_json(content_type) && within
}

/// Whether a content type names JSON (`application/json`, `application/problem+json`, …).
fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("json"))
}

/// Why a successful answer cannot be passed on, if it cannot: a body that is not valid JSON under
/// a JSON content type, or markup (an HTML page, what a proxy or login page in front of WAHA
/// answers). WAHA's only non-JSON answers are bare strings such as an invite code or `true`, never
/// markup.
pub fn unsound_body(content_type: Option<&str>, body: &[u8]) -> Option<&'static str> {
    if is_json(content_type) {
        let parses = body.is_empty() || json::parse_bytes(body).is_ok();
        return (!parses).then_some("a body that is not valid JSON");
    }
    let markup = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
    markup.then_some("an HTML page, not JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waha_500(message: &str) -> Vec<u8> {
        serde_json::json!({"statusCode": 500, "exception": {"message": message, "name": "Error"}})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn whatsapp_errors_in_a_500_are_mapped() {
        for (text, code, status) in [
            ("rate-overlimit", ErrorCode::WhatsappRateLimited, 429),
            ("not-authorized", ErrorCode::WhatsappNotAuthorized, 403),
            ("item-not-found", ErrorCode::WhatsappNotFound, 404),
            ("not-acceptable", ErrorCode::WhatsappNotAcceptable, 422),
            ("forbidden", ErrorCode::WhatsappForbidden, 403),
            ("gone", ErrorCode::WhatsappGone, 410),
        ] {
            let f = classify_failure(500, &waha_500(text));
            assert_eq!((f.error.code, f.error.status), (code, status), "{text}");
            assert!(f.reached_whatsapp);
        }
        assert_eq!(classify_failure(500, &waha_500("rate-overlimit")).error.retry_after, Some(60));
    }

    #[test]
    fn other_failures_keep_the_upstream_message() {
        let f =
            classify_failure(400, br#"{"statusCode":400,"message":["name must be a string"],"error":"Bad Request"}"#);
        assert_eq!((f.error.code, f.error.status), (ErrorCode::UpstreamError, 400));
        assert!(f.error.detail.contains("name must be a string"));
        assert!(!f.reached_whatsapp, "a WAHA 4xx never reached WhatsApp");
        let f = classify_failure(401, br#"{"statusCode":401,"message":"Unauthorized"}"#);
        assert_eq!((f.error.status, f.error.upstream_status), (502, Some(401)), "not the client's 401");
        assert!(f.error.detail.contains("UPSTREAM_API_KEY"));
        let f = classify_failure(503, b"<html>down</html>");
        assert_eq!((f.error.status, f.error.upstream_status), (502, Some(503)));
        assert_eq!(f.error.detail, "the upstream answered HTTP 503");
        let long = classify_failure(400, format!(r#"{{"message":"{}"}}"#, "x".repeat(1000)).as_bytes());
        assert!(long.error.detail.len() < 400);
    }

    #[test]
    fn redirects_are_upstream_errors() {
        for status in [301, 302, 303, 307, 308] {
            let f = classify_failure(status, b"");
            assert_eq!(
                (f.error.code, f.error.status, f.error.upstream_status),
                (ErrorCode::UpstreamError, 502, Some(status))
            );
            assert!(f.error.detail.contains("redirect"), "{}", f.error.detail);
            assert!(!f.reached_whatsapp);
        }
    }

    #[test]
    fn network_errors_of_the_upstream_are_not_passed_on() {
        // What WAHA answers when a picture download it made fails: the address must not come back.
        for message in [
            "connect ECONNREFUSED 10.0.0.7:6379",
            "getaddrinfo ENOTFOUND redis.internal",
            "timeout of 5000ms exceeded",
            "Request failed with status code 404",
            "getaddrinfo ENOTFOUND gone.example",
        ] {
            let f = classify_failure(500, &waha_500(message));
            assert_eq!((f.error.code, f.error.status), (ErrorCode::UpstreamError, 502), "{message}");
            assert_eq!(f.error.detail, "the upstream answered HTTP 500", "{message}");
            let body = format!(r#"{{"statusCode":400,"message":"{message}"}}"#);
            let f = classify_failure(400, body.as_bytes());
            assert!(!f.error.detail.contains(&message[8..]), "{}", f.error.detail);
            assert!(f.error.detail.contains("withheld"), "{}", f.error.detail);
        }
    }

    #[test]
    fn only_successful_json_of_a_length_within_the_cap_streams_unread() {
        let json = Some("application/json; charset=utf-8");
        assert!(streams_unread(200, json, Some("120"), 1000));
        assert!(streams_unread(201, Some("application/problem+JSON"), None, 1000), "no length: the timeout bounds it");
        assert!(streams_unread(200, json, Some("1000"), 1000));
        assert!(!streams_unread(200, json, Some("1001"), 1000), "over the cap: held, and refused");
        assert!(!streams_unread(200, json, Some("lots"), 1000), "an unreadable length: held and counted");
        assert!(!streams_unread(200, Some("text/html"), Some("10"), 1000), "markup is checked");
        assert!(!streams_unread(200, None, None, 1000));
        assert!(!streams_unread(404, json, Some("10"), 1000), "failures are classified");
        assert!(!streams_unread(302, json, None, 1000));
    }

    #[test]
    fn garbage_is_detected() {
        assert_eq!(unsound_body(Some("application/json; charset=utf-8"), br#"{"a":1}"#), None);
        assert_eq!(unsound_body(Some("application/json"), b"{not json"), Some("a body that is not valid JSON"));
        assert_eq!(unsound_body(Some("application/json"), b""), None);
        assert_eq!(
            unsound_body(Some("application/json"), br#"{"a":1} {"b":2}"#),
            Some("a body that is not valid JSON")
        );
        assert_eq!(unsound_body(Some("application/json"), b"\"\xff\""), Some("a body that is not valid JSON"));
        assert_eq!(unsound_body(Some("text/plain"), b"{not json"), None);
        // NestJS sends a bare string (an invite code, `true`) as text/html: passed on.
        assert_eq!(unsound_body(Some("text/html; charset=utf-8"), b"AlphaInviteCode0000001"), None);
        let page = b"\n <!DOCTYPE html><html><body>Sign in</body></html>";
        assert_eq!(unsound_body(Some("text/html; charset=utf-8"), page), Some("an HTML page, not JSON"));
        assert_eq!(unsound_body(None, b"<html></html>"), Some("an HTML page, not JSON"));
    }
}
