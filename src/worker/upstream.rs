//! Forwarding a rendered request to the upstream, with the upstream key (in its dialect's header)
//! and a timeout; redirects are not followed (a 3xx is an upstream error), so the key goes nowhere
//! else. A successful answer passed on unchanged is streamed through unread when
//! `UPSTREAM_ANSWER_CHECK` allows it (the timeout then covers its status and headers); any other
//! answer is held, the timeout covering its body too, and one larger than
//! `UPSTREAM_ANSWER_MAX_BYTES` is refused while it is read.

use super::batched::{answer_head, read_answer_head, send, HeaderList, HeaderNames, Outbound};
use super::body::{delivered_length, read_capped, BodyRead};
use super::http::{respond_streamed, Outgoing, REQUEST_ID};
use crate::config::GatewaySettings;
use crate::error::{Error, ErrorCode};
use crate::limits::UPSTREAM_ANSWER_MAX_BYTES;
use crate::ops::RenderedRequest;
use crate::upstream::{classify_failure, streams_unread, unsound_body, UpstreamFailure};
use crate::wire::joined;
use wasm_bindgen::JsValue;
use web_sys::{AbortSignal, ReadableStream, Response};

/// A successful upstream answer, passed to the client unchanged.
pub struct Answer {
    /// HTTP status (2xx).
    pub status: u16,
    /// The upstream's content type.
    pub content_type: Option<String>,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// What a successful forward gave.
pub enum Forwarded {
    /// The answer, held whole and checked.
    Held(Answer),
    /// The client's response, its body streamed from the upstream unread.
    Streamed(Outgoing),
}

impl Forwarded {
    /// The upstream's status.
    pub fn status(&self) -> u16 {
        match self {
            Forwarded::Held(answer) => answer.status,
            Forwarded::Streamed(response) => response.status,
        }
    }
}

fn not_reached(error: Error) -> UpstreamFailure {
    UpstreamFailure { error, reached_whatsapp: false }
}

/// An upstream answer's status and the headers its reading depends on.
pub struct AnswerHead {
    /// The status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Content-Length`.
    pub length: Option<String>,
    /// `Content-Encoding`.
    pub encoding: Option<String>,
}

/// The headers an answer's head holds, in [`AnswerHead`]'s order, `\n`-separated.
pub const ANSWER_HEAD: &str = "Content-Type\nContent-Length\nContent-Encoding";

impl AnswerHead {
    /// The head of `response`, read in one call.
    pub fn of(response: &Response) -> Self {
        thread_local!(static NAMES: HeaderNames = HeaderNames::from(ANSWER_HEAD));
        Self::from_values(answer_head(response, &NAMES))
    }

    /// The head the Worker's module has read already (`batched.js`'s `answerHead` of [`ANSWER_HEAD`]).
    pub fn read(head: &str) -> Self {
        Self::from_values(read_answer_head(head))
    }

    fn from_values((status, [content_type, length, encoding]): (u16, [Option<String>; 3])) -> Self {
        AnswerHead { status, content_type, length, encoding }
    }

    /// Whether the answer, passed on unchanged, may stream through to the client unread
    /// ([`streams_unread`]).
    pub fn streams(&self) -> bool {
        streams_unread(self.status, self.content_type.as_deref(), self.declared_length(), UPSTREAM_ANSWER_MAX_BYTES)
    }

    /// The length the body will have as delivered, when its headers say.
    fn declared_length(&self) -> Option<&str> {
        delivered_length(self.length.as_deref(), self.encoding.as_deref())
    }

    /// The client's response to a streaming answer, its body streamed from `body`.
    pub fn streamed(&self, body: Option<ReadableStream>) -> Outgoing {
        respond_streamed(self.status, body, self.content_type.as_deref().unwrap_or("application/json"))
    }
}

/// An upstream answer the Worker's module fetched itself, for a read it forwarded ahead of the
/// pipeline (`read_ahead.rs`): the answer, or `None` when the fetch failed; and the signal that
/// timed the exchange (its body too), which tells a timeout from a broken connection.
pub struct Prefetched {
    /// The answer (`None`: the fetch failed).
    pub response: Option<Response>,
    /// The exchange's timeout.
    pub signal: AbortSignal,
}

/// The URL and headers `rendered` is sent upstream with: the upstream's key in its dialect's
/// header, and the request id.
pub fn upstream_request(
    settings: &GatewaySettings,
    rendered: &RenderedRequest,
    request_id: &str,
) -> (String, HeaderList) {
    let mut url = joined([&settings.upstream_url, &rendered.path], "");
    if !rendered.query.is_empty() {
        url.push('?');
        url.push_str(&rendered.query);
    }
    let (credentials, key) = settings.upstream_dialect.credentials(&settings.upstream_key);
    let mut headers = HeaderList::default().with(credentials, &key).with("Accept", "application/json");
    headers.add(REQUEST_ID, request_id);
    if rendered.body.is_some() {
        headers.add("Content-Type", "application/json");
    }
    (url, headers)
}

/// Sends `rendered` upstream, or takes the answer `prefetched` for it. Connection failures did
/// not reach WhatsApp; a timeout may have. With `stream` (the answer goes to the client
/// unchanged), a successful answer the upstream labels JSON is streamed through unread
/// ([`streams_unread`]).
pub async fn forward(
    settings: &GatewaySettings,
    rendered: &RenderedRequest,
    request_id: &str,
    stream: bool,
    prefetched: Option<Prefetched>,
) -> Result<Forwarded, UpstreamFailure> {
    let timed_out = || {
        let detail = format!("the upstream did not answer within {} ms", settings.upstream_timeout_ms);
        UpstreamFailure { error: Error::new(ErrorCode::UpstreamTimeout, detail), reached_whatsapp: true }
    };
    let (sent, signal) = match prefetched {
        Some(Prefetched { response, signal }) => (response.ok_or(JsValue::UNDEFINED), signal),
        None => {
            let (url, headers) = upstream_request(settings, rendered, request_id);
            // The runtime's own timer aborts the exchange, answer body included: no timer of ours
            // to set, race and clear.
            let signal = AbortSignal::timeout_with_u32(settings.upstream_timeout_ms);
            // A redirect is answered as an error, never followed: following it would send the key on.
            let outbound = Outbound {
                method: rendered.method.as_str(),
                headers: &headers,
                body: rendered.body.as_deref(),
                signal: Some(&signal),
                follow_redirects: false,
            };
            (send(&url, &outbound).await, signal)
        }
    };
    // An aborted signal is what tells a timeout from a broken connection.
    let response = match sent {
        Ok(response) => response,
        Err(_) if signal.aborted() => return Err(timed_out()),
        Err(_) => {
            return Err(not_reached(Error::new(ErrorCode::UpstreamUnavailable, "the upstream could not be reached")))
        }
    };
    let head = AnswerHead::of(&response);
    if stream && head.streams() {
        return Ok(Forwarded::Streamed(head.streamed(response.body())));
    }
    let status = head.status;
    // From here on the upstream has answered: the request reached it, whatever follows.
    let reached = |detail: String| UpstreamFailure {
        error: Error::new(ErrorCode::UpstreamUnavailable, detail).with_upstream_status(status),
        reached_whatsapp: true,
    };
    let declared = head.declared_length();
    let body = read_capped(&response, declared, UPSTREAM_ANSWER_MAX_BYTES).await.map_err(|failure| match failure {
        BodyRead::TooLarge => {
            reached(format!("the upstream's answer is larger than {UPSTREAM_ANSWER_MAX_BYTES} bytes"))
        }
        BodyRead::Broken if signal.aborted() => timed_out(),
        BodyRead::Broken => reached("the connection to the upstream broke while it answered".to_owned()),
    })?;
    if !(200..300).contains(&status) {
        return Err(classify_failure(status, &body));
    }
    if let Some(what) = unsound_body(head.content_type.as_deref(), &body) {
        let error = Error::new(ErrorCode::UpstreamUnavailable, format!("the upstream answered {what}"))
            .with_upstream_status(status);
        return Err(UpstreamFailure { error, reached_whatsapp: true });
    }
    Ok(Forwarded::Held(Answer { status, content_type: head.content_type, body }))
}
