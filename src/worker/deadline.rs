//! Operations under a deadline, the one timeout helper of the Worker: upstream calls and webhook
//! forwarding under `UPSTREAM_TIMEOUT_MS`, KV calls under `STORE_TIMEOUT_MS` (limiter, group
//! cache, webhook receiver), picture downloads under their own limit.

use super::runtime::sleep;
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::Poll;

/// Runs `op`, failing with a message once `timeout_ms` have passed.
pub async fn within<T>(timeout_ms: u32, op: impl Future<Output = T>) -> Result<T, String> {
    let mut op = pin!(op);
    let mut timer = sleep(timeout_ms);
    poll_fn(|cx| match op.as_mut().poll(cx) {
        Poll::Ready(value) => Poll::Ready(Ok(value)),
        Poll::Pending => Pin::new(&mut timer).poll(cx).map(|()| Err(format!("timed out after {timeout_ms} ms"))),
    })
    .await
}
