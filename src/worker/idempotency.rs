//! `Idempotency-Key` for group creation: a replay with the same key and body within 24 hours gets
//! the first answer instead of a second group; the same key with another body gets 422.
//!
//! Records live in KV, one per session, client key and idempotency key (see
//! `crate::idempotency`). Concurrent replays in one isolate wait for the first to finish; across
//! isolates a `pending` record, kept for longer than the upstream timeout, makes a concurrent
//! replay answer 409.

use super::kv::Kv;
use super::marks::{self, Marks};
use super::runtime::{console_error, Env};
use super::upstream::Answer;
use crate::error::{Error, ErrorCode, FieldError};
use crate::headers::{valid_idempotency_key, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX};
use crate::idempotency::{pending_ttl_secs, record_key, RECORD_TTL_SECS};
use crate::ids::SessionName;
use crate::wire::record::{Fields, Writer};
use std::cell::Cell;

/// Poll interval while waiting for an in-flight twin in this isolate.
const WAIT_STEP_MS: u32 = 20;

thread_local! {
    /// Records being created by this isolate.
    static IN_FLIGHT: Marks = const { Marks::new() };
}

/// A stored record (`{"request": …, "answer": {"status", "content_type", "body"} | null}`).
struct Record {
    /// The canonical request body the key was first used with.
    request: String,
    /// `None` while the first request is in flight.
    answer: Option<StoredAnswer>,
}

struct StoredAnswer {
    status: u16,
    content_type: Option<String>,
    body: String,
}

impl Record {
    fn read(text: &str) -> Option<Self> {
        let fields = Fields::parse(text)?;
        let answer = fields.optional("answer", |f, name| {
            let answer = f.object(name)?;
            Some(StoredAnswer {
                status: answer.number("status")?,
                content_type: answer.optional("content_type", Fields::string)?,
                body: answer.string("body")?,
            })
        })?;
        Some(Record { request: fields.string("request")?, answer })
    }

    fn write(&self) -> String {
        let answer = self.answer.as_ref().map(|a| {
            Writer::open()
                .plain("status", a.status)
                .optional("content_type", a.content_type.as_deref(), Writer::string)
                .string("body", &a.body)
                .finish()
        });
        Writer::open().string("request", &self.request).optional("answer", answer.as_deref(), Writer::raw).finish()
    }
}

/// What to do with an idempotent request.
pub enum Claim {
    /// First use: forward, then [`Idempotency::complete`] or [`Idempotency::release`].
    Fresh,
    /// A replay: answer this.
    Replay(Answer),
}

/// The idempotency state of one request.
pub struct Idempotency {
    kv: Kv,
    record_key: String,
    request: String,
    /// How long the pending marker lives.
    pending_ttl_secs: u64,
    /// Whether this request holds the key's in-flight mark (dropped with it if cancelled).
    mark: Cell<Option<u64>>,
}

/// Checks an `Idempotency-Key` header value.
pub fn check_key(key: &str) -> Result<(), Error> {
    if valid_idempotency_key(key) {
        return Ok(());
    }
    let detail = format!("{IDEMPOTENCY_KEY_HEADER}: 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters");
    Err(FieldError::parameter(IDEMPOTENCY_KEY_HEADER, ErrorCode::InvalidParameter, detail).into())
}

fn store_error(cause: impl std::fmt::Display) -> Error {
    console_error(&Writer::open().string("idempotencyStoreError", &cause.to_string()).finish());
    Error::new(ErrorCode::StoreUnavailable, "the idempotency store is unavailable; retry later").with_retry_after(5)
}

impl Idempotency {
    /// Opens the record of `key`, used by `client_key` on `session`; `request` is the canonical
    /// body; the pending marker covers `upstream_timeout_ms`.
    pub fn new(
        env: &Env,
        session: &SessionName,
        client_key: &str,
        key: &str,
        request: String,
        upstream_timeout_ms: u32,
    ) -> Result<Self, Error> {
        check_key(key)?;
        let kv = Kv::open(env).map_err(store_error)?;
        Ok(Idempotency {
            kv,
            record_key: record_key(session, client_key, key),
            request,
            pending_ttl_secs: pending_ttl_secs(upstream_timeout_ms),
            mark: Cell::new(None),
        })
    }

    /// Claims the key, waiting for an in-flight twin of this isolate; `wait_ms` bounds the wait.
    ///
    /// The in-flight mark is taken before the first `await` (check and insert in one step), so
    /// concurrent twins in this isolate never both find the store empty and both forward.
    pub async fn claim(&self, wait_ms: u64) -> Result<Claim, Error> {
        // A twin runs for at most as long as it is waited for: a mark held longer is a cancelled
        // request's (its pending record, if written, still answers 409 until it expires).
        let Some(token) = marks::take(&IN_FLIGHT, &self.record_key, (wait_ms, WAIT_STEP_MS), wait_ms).await else {
            return Err(in_progress());
        };
        self.mark.set(Some(token));
        let stored =
            self.kv.get_text(&self.record_key).await.and_then(|text| {
                text.map(|t| Record::read(&t).ok_or_else(|| "unreadable record".to_owned())).transpose()
            });
        let stored = match stored {
            Ok(stored) => stored,
            Err(e) => {
                self.forget();
                return Err(store_error(e));
            }
        };
        let claim = match stored {
            Some(record) if record.request != self.request => Err(Error::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used with a different request body",
            )),
            Some(Record { answer: Some(a), .. }) => {
                Ok(Claim::Replay(Answer { status: a.status, content_type: a.content_type, body: a.body.into_bytes() }))
            }
            Some(Record { answer: None, .. }) => Err(in_progress()),
            None => match self.store(None, self.pending_ttl_secs).await {
                Ok(()) => return Ok(Claim::Fresh), // keeps the mark until complete/release
                Err(e) => Err(e),
            },
        };
        self.forget();
        claim
    }

    /// Keeps a successful answer for replays.
    pub async fn complete(&self, answer: &Answer) -> Result<(), Error> {
        let stored = StoredAnswer {
            status: answer.status,
            content_type: answer.content_type.clone(),
            body: String::from_utf8_lossy(&answer.body).into_owned(),
        };
        let result = self.store(Some(stored), RECORD_TTL_SECS).await;
        self.forget();
        result
    }

    /// Leaves the pending marker to expire after a create that may have happened: a retry waits
    /// (`409`) rather than repeat it.
    pub fn keep_pending(&self) {
        self.forget();
    }

    /// Frees the key after a failure, so the client may retry with it.
    pub async fn release(&self) {
        let _ = self.kv.delete(&self.record_key).await;
        self.forget();
    }

    async fn store(&self, answer: Option<StoredAnswer>, ttl: u64) -> Result<(), Error> {
        let record = Record { request: self.request.clone(), answer };
        self.kv.put(&self.record_key, &record.write(), ttl).await.map_err(store_error)
    }

    fn forget(&self) {
        if let Some(token) = self.mark.take() {
            IN_FLIGHT.with(|marks| marks.release(&self.record_key, token));
        }
    }
}

impl Drop for Idempotency {
    /// A request cancelled mid-flight must not leave its twins waiting for ever.
    fn drop(&mut self) {
        self.forget();
    }
}

fn in_progress() -> Error {
    Error::new(
        ErrorCode::IdempotencyInProgress,
        "a request with this Idempotency-Key is still in progress; retry shortly",
    )
    .with_retry_after(1)
}
