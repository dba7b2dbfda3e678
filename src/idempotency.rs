//! `Idempotency-Key` records of group creation, host-free: where a record lives and how long.
//!
//! A record belongs to one session *and one client key*: two clients that happen to use the same
//! `Idempotency-Key` never replay each other's answers, nor learn that the other used it. The
//! client key itself is never stored: its record prefix is a SHA-256 digest of it.
//!
//! While the first request runs, a pending marker stands in for the record. It must outlive the
//! longest time that request can take (the upstream timeout), or a retry arriving in another
//! isolate after it expired would create a second group.

use crate::error::{Error, ErrorCode};
use crate::ids::SessionName;
use sha2::{Digest, Sha256};

/// How long an answer is kept for replays.
pub const RECORD_TTL_SECS: u64 = 24 * 60 * 60;
/// Shortest time-to-live KV accepts.
pub const KV_TTL_MIN_SECS: u64 = 60;
/// Time a pending marker lives beyond the upstream timeout: keeping the answer takes a KV write,
/// and the request's own processing takes a moment on either side.
pub const PENDING_MARGIN_SECS: u64 = 60;
/// Longest a pending marker may live: a request lost mid-flight (the isolate died) blocks its key
/// with `409` for as long, so it stays well below the record's day.
pub const PENDING_TTL_MAX_SECS: u64 = 60 * 60;
/// Longest `UPSTREAM_TIMEOUT_MS` a pending marker can cover.
pub const UPSTREAM_TIMEOUT_MS_MAX: u32 = ((PENDING_TTL_MAX_SECS - PENDING_MARGIN_SECS) * 1000) as u32;

/// How long the pending marker of a create lives, for an upstream timeout of `upstream_timeout_ms`:
/// the timeout (rounded up to whole seconds) plus [`PENDING_MARGIN_SECS`], at least KV's minimum.
pub fn pending_ttl_secs(upstream_timeout_ms: u32) -> u64 {
    (u64::from(upstream_timeout_ms).div_ceil(1000) + PENDING_MARGIN_SECS).max(KV_TTL_MIN_SECS)
}

/// Checks that the pending marker can cover `UPSTREAM_TIMEOUT_MS`; the error names the setting.
pub fn check_upstream_timeout(upstream_timeout_ms: u32) -> Result<(), String> {
    if upstream_timeout_ms > UPSTREAM_TIMEOUT_MS_MAX {
        return Err(format!(
            "UPSTREAM_TIMEOUT_MS: at most {UPSTREAM_TIMEOUT_MS_MAX}: an idempotent create is marked in progress for the \
             timeout plus {PENDING_MARGIN_SECS} s, and that mark may last at most {PENDING_TTL_MAX_SECS} s"
        ));
    }
    Ok(())
}

/// Whether a create that failed with `error` may be retried under its key at once: not when it may
/// have happened all the same (no answer within the timeout, or an answer that came but broke off or
/// could not be read). Then the pending marker is left to expire, so a retry waits (`409`) rather
/// than create a second group.
pub fn frees_the_key(error: &Error) -> bool {
    match error.code {
        ErrorCode::UpstreamTimeout => false,
        ErrorCode::UpstreamUnavailable => error.upstream_status.is_none(),
        _ => true,
    }
}

/// The KV key of the record of `idempotency_key`, used by `client_key` on `session`:
/// `idem/<session>/<first 128 bits of SHA-256(client key), hex>/<idempotency key>`.
pub fn record_key(session: &SessionName, client_key: &str, idempotency_key: &str) -> String {
    let digest = Sha256::digest(client_key.as_bytes());
    let scope: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("idem/{session}/{scope}/{idempotency_key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_that_may_have_happened_keeps_its_key() {
        let timeout = Error::new(ErrorCode::UpstreamTimeout, "no answer");
        let cut = Error::new(ErrorCode::UpstreamUnavailable, "broke off").with_upstream_status(201);
        assert!(!frees_the_key(&timeout) && !frees_the_key(&cut));
        let unreachable = Error::new(ErrorCode::UpstreamUnavailable, "could not be reached");
        let refused = Error::new(ErrorCode::WhatsappForbidden, "no");
        let failed = Error::new(ErrorCode::UpstreamError, "HTTP 503").with_upstream_status(503);
        assert!(frees_the_key(&unreachable) && frees_the_key(&refused) && frees_the_key(&failed));
    }

    #[test]
    fn records_are_scoped_by_session_and_client_key_without_storing_the_key() {
        let (sales, default) = (SessionName::parse("sales").unwrap(), SessionName::parse("default").unwrap());
        let a = record_key(&sales, "client-key-alpha-0001", "k1");
        assert_eq!(a, record_key(&sales, "client-key-alpha-0001", "k1"), "stable");
        assert_ne!(a, record_key(&sales, "client-key-bravo-0002", "k1"), "per client key");
        assert_ne!(a, record_key(&default, "client-key-alpha-0001", "k1"), "per session");
        assert!(a.starts_with("idem/sales/") && a.ends_with("/k1"), "{a}");
        assert!(!a.contains("client-key-alpha"), "the client key is not in the record's name: {a}");
        assert_eq!(a.len(), "idem/sales/".len() + 32 + "/k1".len());
    }

    #[test]
    fn the_pending_marker_outlives_the_upstream_timeout() {
        assert_eq!(pending_ttl_secs(1), KV_TTL_MIN_SECS + 1);
        assert_eq!(pending_ttl_secs(15_000), 75);
        assert_eq!(pending_ttl_secs(120_001), 121 + PENDING_MARGIN_SECS);
        for ms in [1, 999, 1000, 59_999, 60_000, 300_000, UPSTREAM_TIMEOUT_MS_MAX] {
            assert!(pending_ttl_secs(ms) * 1000 >= u64::from(ms) + PENDING_MARGIN_SECS * 1000, "{ms}");
            assert!(pending_ttl_secs(ms) <= PENDING_TTL_MAX_SECS, "{ms}");
        }
    }

    #[test]
    fn timeouts_the_marker_cannot_cover_are_refused_naming_the_setting() {
        assert!(check_upstream_timeout(UPSTREAM_TIMEOUT_MS_MAX).is_ok());
        let err = check_upstream_timeout(UPSTREAM_TIMEOUT_MS_MAX + 1).unwrap_err();
        assert!(err.starts_with("UPSTREAM_TIMEOUT_MS: at most 3540000"), "{err}");
    }
}
