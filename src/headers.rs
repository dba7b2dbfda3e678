//! The request headers groupgate defines, each rule beside its inverse: what the browser module
//! sends and how the Worker reads it.

/// The header carrying a client key (the Worker also accepts `Authorization: Bearer <key>`).
pub const API_KEY_HEADER: &str = "X-Api-Key";
/// The header naming a replayable request.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// Longest idempotency key.
pub const IDEMPOTENCY_KEY_MAX: usize = 255;

/// Whether `key` may be an `Idempotency-Key`: 1–255 printable ASCII characters.
pub fn valid_idempotency_key(key: &str) -> bool {
    (1..=IDEMPOTENCY_KEY_MAX).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The client key a request presents: `X-Api-Key`, else the token of `Authorization: Bearer`
/// (the scheme is case-insensitive, RFC 9110 §11.1). Empty keys count as none.
pub fn presented_key(api_key: Option<String>, authorization: Option<&str>) -> Option<String> {
    let bearer = authorization.and_then(|value| {
        let (scheme, token) = value.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("Bearer").then(|| token.trim().to_owned())
    });
    api_key.or(bearer).filter(|key| !key.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys() {
        assert!(valid_idempotency_key("create-1"));
        assert!(valid_idempotency_key(&"k".repeat(IDEMPOTENCY_KEY_MAX)));
        assert!(!valid_idempotency_key(&"k".repeat(IDEMPOTENCY_KEY_MAX + 1)));
        assert!(!valid_idempotency_key(""));
        assert!(!valid_idempotency_key("with space"));
        assert!(!valid_idempotency_key("é"));
    }

    #[test]
    fn a_key_is_read_back_from_either_header() {
        let key = "client-key-0123456789";
        assert_eq!(presented_key(Some(key.into()), None).as_deref(), Some(key));
        assert_eq!(presented_key(None, Some(&format!("Bearer {key}"))).as_deref(), Some(key));
        assert_eq!(presented_key(None, Some(&format!("  bearer   {key} "))).as_deref(), Some(key));
        assert_eq!(presented_key(Some(key.into()), Some("Bearer other")).as_deref(), Some(key), "X-Api-Key wins");
        assert_eq!(presented_key(None, Some(&format!("Basic {key}"))), None);
        assert_eq!(presented_key(None, Some("Bearer")), None);
        assert_eq!(presented_key(Some(String::new()), None), None);
    }
}
