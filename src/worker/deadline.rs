//! Operations under a deadline, the one timeout helper of the Worker: upstream calls and webhook
//! forwarding under `UPSTREAM_TIMEOUT_MS`, KV calls under `STORE_TIMEOUT_MS` (limiter, group
//! cache, webhook receiver), picture downloads under their own limit.

use super::runtime::sleep;
use futures_util::future::{select, Either};
use futures_util::pin_mut;
use std::future::Future;

/// Runs `op`, failing with a message once `timeout_ms` have passed.
pub async fn within<T>(timeout_ms: u32, op: impl Future<Output = T>) -> Result<T, String> {
    let timeout = sleep(timeout_ms);
    pin_mut!(op, timeout);
    match select(op, timeout).await {
        Either::Left((value, _)) => Ok(value),
        Either::Right(_) => Err(format!("timed out after {timeout_ms} ms")),
    }
}
