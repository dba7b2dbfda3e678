//! What the fuzz targets share: reading a fuzz input as an HTTP-like message, and the properties
//! every error of groupgate must have.

use groupgate::error::Location;
use groupgate::{Error, ErrorCode};

/// A fuzz input read as an HTTP-like message: `METHOD target` on the first line, then `Name: value`
/// header lines, a blank line and the body (raw bytes). The seeds in `seeds/` are written so.
#[derive(Debug)]
pub struct Message<'a> {
    /// The first line's first word.
    pub method: String,
    /// The rest of the first line (path and query for a request).
    pub target: String,
    /// The header lines, in order, as (name, value).
    pub headers: Vec<(String, String)>,
    /// Everything after the blank line.
    pub body: &'a [u8],
}

impl<'a> Message<'a> {
    /// Splits `data`; the head is read as lossy UTF-8 (hosts hand the core strings).
    pub fn split(data: &'a [u8]) -> Message<'a> {
        let (head, body) = match find(data, b"\n\n") {
            Some(at) => (&data[..at], &data[at + 2..]),
            None => (data, &data[data.len()..]),
        };
        let head = String::from_utf8_lossy(head);
        let mut lines = head.lines();
        let first = lines.next().unwrap_or_default();
        let (method, target) = first.split_once(' ').unwrap_or((first, ""));
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .collect();
        Message { method: method.to_owned(), target: target.to_owned(), headers, body }
    }

    /// The first header named `name` (case-insensitive), as a Worker's `Headers.get` gives it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Checks what every refusal must carry: a detail, the code's status unless overridden by an
/// upstream, and for every field error a named field that its detail names too.
pub fn check_error(error: &Error) {
    assert!(!error.detail.trim().is_empty(), "an error without a detail: {error:?}");
    assert_eq!(error.status, error.code.status(), "{error:?}");
    if error.code == ErrorCode::ValidationFailed {
        assert!(!error.errors.is_empty(), "validation_failed without field errors: {error:?}");
    }
    for field in &error.errors {
        let named = match &field.location {
            Location::Parameter(name) => {
                assert!(!name.is_empty(), "a parameter error without a name: {error:?}");
                name.as_str()
            }
            Location::Body(pointer) if pointer.is_empty() => "body",
            Location::Body(pointer) => {
                assert!(pointer.starts_with('/'), "a body pointer that is not a JSON pointer: {error:?}");
                pointer.as_str()
            }
        };
        assert!(field.detail.contains(named), "a field error whose detail does not name {named:?}: {error:?}");
    }
}
