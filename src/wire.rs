//! Small wire helpers shared by every host: percent-coding for paths and queries, and a JSON
//! writer for the string-and-bool bodies groupgate renders (no float formatting, no serde_json).

use crate::error::{Error, ErrorCode, FieldError};
use crate::limits::QUERY_MAX_BYTES;
use std::fmt::Write;

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
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// `"<where>: expected <what>, got <JSON type>"`; an empty pointer is the whole body.
pub fn type_mismatch(pointer: &str, expected: &str, got: &serde_json::Value) -> String {
    use serde_json::Value;
    let shown = if pointer.is_empty() { "body" } else { pointer };
    let got = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
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
        if raw.len() > QUERY_MAX_BYTES {
            let detail = format!("query: {} bytes; at most {QUERY_MAX_BYTES} are accepted", raw.len());
            return Err(FieldError::parameter("query", ErrorCode::TooLong, detail).into());
        }
        let mut pairs = Vec::new();
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            // A parameter without a name is refused as the query's.
            let field = if name.is_empty() { "query" } else { name };
            let decode = |s| {
                percent_decode(s, true).ok_or_else(|| {
                    let detail = format!("{field}: invalid percent-encoding in the query");
                    FieldError::parameter(field, ErrorCode::InvalidParameter, detail)
                })
            };
            pairs.push((decode(name)?, decode(value)?));
        }
        Ok(Query(pairs))
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

/// Writes `s` as a JSON string literal.
pub fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
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
}

impl Json {
    /// Serializes compactly.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Str(s) => json_string(s, out),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

#[cfg(test)]
mod tests {
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
