//! Small wire helpers shared by every host: percent-coding for paths and queries, a JSON reader
//! and its value, which writes itself back ([`json`]), a JSON writer for the string-and-bool
//! bodies groupgate renders (no float formatting), and small stored records ([`record`]).

pub mod json;
pub mod record;

use crate::error::{Error, ErrorCode, FieldError, FieldErrors};
use crate::limits::QUERY_MAX_BYTES;

/// Decodes `%XX` escapes (and `+` as space when `plus_is_space`); `None` if invalid or not UTF-8.
pub fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                // Two hex digits exactly: `from_str_radix` alone would take `+5` for five.
                let hex = bytes.get(i + 1..i + 3).filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes everything but RFC 3986 unreserved characters (and `@`, which ids carry).
pub fn percent_encode(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    let mut plain = 0;
    // An index loop, as in `json_string`.
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        at += 1;
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            continue;
        }
        // The run before this byte is ASCII (and empty after a multi-byte character's first byte,
        // where `plain` is no character boundary).
        if plain < at - 1 {
            out.push_str(&s[plain..at - 1]);
        }
        out.push('%');
        out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
        out.push(char::from(HEX_UPPER[usize::from(b & 15)]));
        plain = at;
    }
    out.push_str(&s[plain..]);
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Lower-case hexadecimal digits, by value (JSON's `\u00XX` escapes, IPv6 pieces).
pub(crate) const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// `"<where>: expected <what>, got <JSON type>"`; an empty pointer is the whole body. `got` is
/// the JSON type as [`json::Value::type_name`] names it.
pub fn type_mismatch(pointer: &str, expected: &str, got: &str) -> String {
    let shown = if pointer.is_empty() { "body" } else { pointer };
    format!("{shown}: expected {expected}, got {got}")
}

/// Whether a `Content-Type` value is JSON as WAHA's body parser reads it: the media type
/// `application/json` (any case), optionally followed by parameters (`; charset=utf-8`).
pub fn is_json_media_type(content_type: &str) -> bool {
    let media_type = content_type.split(';').next().unwrap_or_default();
    media_type.trim().eq_ignore_ascii_case("application/json")
}

/// Refuses a request body that is not blank and not sent as `Content-Type: application/json`
/// (`415 unsupported_media_type`); `content_type` is the header's value, empty when absent.
pub fn check_body_media_type(content_type: &str, body: &[u8]) -> Result<(), Error> {
    if !body.iter().all(u8::is_ascii_whitespace) && !is_json_media_type(content_type) {
        return Err(Error::new(ErrorCode::UnsupportedMediaType, "send the body as Content-Type: application/json"));
    }
    Ok(())
}

/// Longest request id reused from a client's `X-Request-Id`.
pub const REQUEST_ID_MAX: usize = 128;

/// Whether a client's `X-Request-Id` may be reused: 1–128 of `A–Z a–z 0–9 . _ - :`.
pub fn valid_request_id(id: &str) -> bool {
    (1..=REQUEST_ID_MAX).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-:".contains(&b))
}

/// A decoded query string: `(name, value)` pairs in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(pub Vec<(String, String)>);

impl Query {
    /// Parses a raw query string (without `?`).
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let mut errors = FieldErrors::new();
        let query = Query::read(raw, &mut errors);
        errors.finish(|| Some(query))
    }

    /// Reads a raw query string (without `?`): the pairs that decode, every one that does not
    /// recorded in `errors` (so a request's other invalid fields are reported beside it).
    pub fn read(raw: &str, errors: &mut FieldErrors) -> Self {
        if raw.len() > QUERY_MAX_BYTES {
            let detail = format!("query: {} bytes; at most {QUERY_MAX_BYTES} are accepted", raw.len());
            errors.push(FieldError::parameter("query", ErrorCode::TooLong, detail));
        }
        let mut pairs = Vec::new();
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            // A parameter without a name is refused as the query's.
            let field = if name.is_empty() { "query" } else { name };
            match (percent_decode(name, true), percent_decode(value, true)) {
                (Some(name), Some(value)) => pairs.push((name, value)),
                _ => {
                    let detail = format!("{field}: invalid percent-encoding in the query");
                    errors.push(FieldError::parameter(field, ErrorCode::InvalidParameter, detail));
                }
            }
        }
        Query(pairs)
    }

    /// Renders the pairs back to a raw query string.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            percent_encode(name, &mut out);
            out.push('=');
            percent_encode(value, &mut out);
        }
        out
    }
}

/// Characters no host of a URL holds (WHATWG's forbidden domain code points that a URL's
/// authority does not already end at, besides whitespace and controls).
const FORBIDDEN_IN_HOST: [char; 9] = ['<', '>', '@', '[', '\\', ']', '^', '|', '%'];

/// Whether a setting's URL reads as `http://…` or `https://…` with a host (a name, an IPv4
/// address, or an IPv6 address in brackets), a port from 1 to 65535 if any, and no whitespace
/// or control character: nothing a URL parser would drop, read as another host, or refuse later.
pub fn is_http_url(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")) else {
        return false;
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let (host_ok, port) = match authority.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((address, port)) => (crate::netaddr::parse_ipv6(address).is_some(), port),
            None => (false, ""),
        },
        None => {
            let (host, port) = authority.split_at(authority.find(':').unwrap_or(authority.len()));
            (!host.is_empty() && !host.contains(FORBIDDEN_IN_HOST), port)
        }
    };
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|digits| {
            digits.bytes().all(|b| b.is_ascii_digit()) && digits.parse::<u16>().is_ok_and(|port| port > 0)
        });
    host_ok && port_ok && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `items` one after another, `separator` between each two: every list the code joins, owned
/// texts or borrowed, by this one loop rather than the standard library's `join`.
pub fn joined<T: AsRef<str>>(items: impl IntoIterator<Item = T>, separator: &str) -> String {
    let mut text = String::new();
    write_separated(&mut text, separator, items, |item, out| out.push_str(item.as_ref()));
    text
}

/// `s` as a JSON string literal: how an error message quotes a value it names (control
/// characters and quotes escaped, as the client's own JSON would write them).
pub fn quoted(s: &str) -> String {
    let mut out = String::new();
    json_string(s, &mut out);
    out
}

/// Writes `s` as a JSON string literal.
pub fn json_string(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut plain = 0;
    // An index loop: at `opt-level = "z"` an iterator adapter here stays a call per byte.
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        at += 1;
        // Most bytes need no escape: one test for them, the match only for the rest.
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            _ => "\\u00",
        };
        out.push_str(&s[plain..at - 1]);
        out.push_str(escape);
        if escape == "\\u00" {
            out.push(char::from(b'0' + (b >> 4)));
            out.push(char::from(HEX_LOWER[usize::from(b & 15)]));
        }
        plain = at;
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

/// A JSON value built from what groupgate renders: strings, bools, arrays and objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json {
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// An array.
    Array(Vec<Json>),
    /// An object with its keys in order.
    Object(Vec<(&'static str, Json)>),
    /// A value already written as JSON text (a list of people, written straight from their ids).
    Text(String),
}

impl Json {
    /// Serializes compactly.
    pub fn render(&self) -> String {
        // Most bodies fit: one allocation instead of one per doubling.
        let mut out = String::with_capacity(256);
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Str(s) => json_string(s, out),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Text(text) => out.push_str(text),
            Json::Array(items) => write_joined(out, ['[', ']'], items, Json::write),
            Json::Object(fields) => write_joined(out, ['{', '}'], fields, |(key, value), out| {
                json_string(key, out);
                out.push(':');
                value.write(out);
            }),
        }
    }
}

/// Writes `items` between `brackets`, separated by commas, each with `write`.
pub(crate) fn write_joined<T>(
    out: &mut String,
    [open, close]: [char; 2],
    items: impl IntoIterator<Item = T>,
    write: impl FnMut(T, &mut String),
) {
    out.push(open);
    write_separated(out, ",", items, write);
    out.push(close);
}

/// Writes `items`, each with `write`, with `separator` between each two.
fn write_separated<T>(
    out: &mut String,
    separator: &str,
    items: impl IntoIterator<Item = T>,
    mut write: impl FnMut(T, &mut String),
) {
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        write(item, out);
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn joined_puts_the_separator_between_every_two_items_empty_ones_too() {
        let texts = |items: &[&str]| items.iter().map(|item| (*item).to_owned()).collect::<Vec<_>>();
        assert_eq!(super::joined(texts(&[]), ", "), "");
        assert_eq!(super::joined(texts(&["a"]), ", "), "a");
        assert_eq!(super::joined(texts(&["", "b", ""]), ","), ",b,");
    }

    #[test]
    fn setting_urls_need_a_host_and_a_port_that_is_a_number() {
        for url in [
            "http://waha:3000",
            "https://waha.example.com",
            "https://waha.example.com/base/path",
            "http://127.0.0.1:3000/",
            "http://[::1]:3000",
            "http://[fd00::1]",
            "https://hooks.example.com/in?token=x",
            "http://waha_api:3000",
        ] {
            assert!(is_http_url(url), "{url}");
        }
        for url in [
            "",
            "ftp://waha",
            "http://",
            "http:///api",
            "https://:3000",
            "http://waha:3000x",
            "http://waha:",
            "http://waha:0",
            "http://waha:65536",
            "http://waha:+80",
            "http://[::1",
            "http://[not-an-address]:3000",
            "http://user:secret@waha:3000",
            "http://wa ha:3000",
            "http://waha:3000/a b",
            "http://wa%68a",
            "http://wa\\ha",
        ] {
            assert!(!is_http_url(url), "{url}");
        }
    }
    use super::*;

    #[test]
    fn json_media_type_only() {
        for ok in ["application/json", "Application/JSON", "application/json; charset=utf-8", " application/json ;x=y"]
        {
            assert!(is_json_media_type(ok), "{ok}");
        }
        for bad in [
            "application/jsonx",
            "application/json-patch+json",
            "application/problem+json",
            "text/json",
            "application/x-json",
            "",
            "application/jsonp; charset=utf-8",
        ] {
            assert!(!is_json_media_type(bad), "{bad}");
        }
    }

    #[test]
    fn a_body_needs_the_json_media_type_unless_blank() {
        assert_eq!(check_body_media_type("", b""), Ok(()));
        assert_eq!(check_body_media_type("text/plain", b" \r\n\t"), Ok(()));
        assert_eq!(check_body_media_type("application/json; charset=utf-8", b"{}"), Ok(()));
        for content_type in ["", "text/plain", "application/problem+json"] {
            let error = check_body_media_type(content_type, b"{}").unwrap_err();
            assert_eq!(error.code, ErrorCode::UnsupportedMediaType, "{content_type}");
        }
    }

    #[test]
    fn query_round_trip_and_decoding() {
        let q = Query::parse("code=https%3A%2F%2Fchat.whatsapp.com%2Fabc&x=a+b&flag").unwrap();
        assert_eq!(
            q.0,
            vec![
                ("code".into(), "https://chat.whatsapp.com/abc".into()),
                ("x".into(), "a b".into()),
                ("flag".into(), "".into())
            ]
        );
        assert_eq!(Query::parse(&q.render()).unwrap(), q);
        // Text beyond ASCII is encoded byte by byte, and reads back the same.
        let wide = Query::parse("x=%C3%A9&y=a%E2%82%ACb").unwrap();
        assert_eq!(wide.render(), "x=%C3%A9&y=a%E2%82%ACb");
        assert_eq!(Query::parse(&wide.render()).unwrap(), wide);
        assert!(Query::parse("a=%zz").is_err());
        assert!(Query::parse(&"a".repeat(QUERY_MAX_BYTES + 1)).is_err());
    }

    #[test]
    fn request_ids() {
        assert!(valid_request_id("req-1.2_3:4"));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id("a b"));
        assert!(!valid_request_id("x\ny"));
        assert!(!valid_request_id(&"a".repeat(REQUEST_ID_MAX + 1)));
    }

    #[test]
    fn json_escapes_strings() {
        let v =
            Json::Object(vec![("a", Json::Str("q\"\\\n\u{1}é".into())), ("b", Json::Array(vec![Json::Bool(true)]))]);
        assert_eq!(v.render(), r#"{"a":"q\"\\\n\u0001é","b":[true]}"#);
        let back: serde_json::Value = serde_json::from_str(&v.render()).unwrap();
        assert_eq!(back["a"], "q\"\\\n\u{1}é");
    }
}
