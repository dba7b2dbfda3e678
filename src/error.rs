//! One error type for all of groupgate, with stable machine codes.
//!
//! The Worker projects an [`Error`] to an RFC 9457 problem (`application/problem+json`);
//! the browser module projects it to a JS `Error` carrying the same `code`.

use crate::limits::FIELD_ERRORS_MAX_BYTES;
use crate::wire::record::Writer;
use std::fmt;

/// `true` when the row is marked `primary`.
macro_rules! primary {
    (primary) => {
        true
    };
    () => {
        false
    };
}

/// Declares every error code once: variant, wire spelling, HTTP status (`primary`: the code a
/// bare answer of that status stands for), title.
macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, $status:literal $($primary:ident)?, $title:literal; )*) => {
        /// Stable machine codes. Their `snake_case` spelling is part of the public interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The TypeScript union of every code's spelling, for the npm module's declarations.
            pub const TS_UNION: &'static str = concat!(
                "/** Stable machine codes of errors (`code`) and of invalid fields (`errors[].code`). */\n",
                "export type ErrorCode =",
                $("\n  | \"", $code, "\"",)*
                ";\n"
            );

            /// The code as it appears on the wire (`invalid_id`).
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The HTTP status a whole-request error with this code answers with (0: no answer,
            /// a browser-side failure).
            pub fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* }
            }

            /// The code an answer of `status` without a problem document stands for
            /// (`upstream_unavailable` for statuses no code is primary for).
            pub fn of_status(status: u16) -> ErrorCode {
                $( if primary!($($primary)?) && status == $status { return ErrorCode::$variant; } )*
                ErrorCode::UpstreamUnavailable
            }

            /// A short human title for the code.
            pub fn title(self) -> &'static str {
                match self { $(ErrorCode::$variant => $title,)* }
            }
        }
    };
}

error_codes! {
        // Whole-request codes.
        /// One or more fields are invalid; see `errors`.
        ValidationFailed = "validation_failed", 422 primary, "The request has invalid fields";
        /// The request body is not JSON.
        InvalidJson = "invalid_json", 400 primary, "The request body is not valid JSON";
        /// No such route.
        NotFound = "not_found", 404 primary, "No such route";
        /// The route exists but not for this method.
        MethodNotAllowed = "method_not_allowed", 405 primary, "Method not allowed on this route";
        /// Missing or wrong client key.
        Unauthorized = "unauthorized", 401 primary, "Missing or invalid API key";
        /// The client key may not use this session or this operation's scope.
        Forbidden = "forbidden", 403 primary, "This API key may not do this";
        /// The request's `Origin` is not in `ALLOWED_ORIGINS`, or not one its key is bound to.
        OriginNotAllowed = "origin_not_allowed", 403, "This origin may not call the gateway";
        /// The request body is larger than the configured cap.
        PayloadTooLarge = "payload_too_large", 413 primary, "The request body is too large";
        /// The request body broke off before its end (the client's upload failed or was cancelled).
        BodyIncomplete = "body_incomplete", 400, "The request body broke off before its end";
        /// The request body is not `application/json`.
        UnsupportedMediaType = "unsupported_media_type", 415 primary, "The request body must be application/json";
        /// A rate limit refused the request; retry later.
        RateLimited = "rate_limited", 429 primary, "Rate limit reached";
        /// The request costs more than the whole quota: it can never be accepted.
        CostExceedsQuota = "cost_exceeds_quota", 422, "The request costs more than the whole quota";
        /// The KV store (rate limits, idempotency) failed and the policy is to refuse.
        StoreUnavailable = "store_unavailable", 503, "The gateway's store is unavailable";
        /// An `Idempotency-Key` was reused with a different request.
        IdempotencyKeyReused = "idempotency_key_reused", 422, "Idempotency-Key reused with a different request";
        /// An earlier request with this `Idempotency-Key` is still in progress.
        IdempotencyInProgress = "idempotency_in_progress", 409, "A request with this Idempotency-Key is in progress";
        /// The operation has no equivalent on this upstream.
        NotImplemented = "not_implemented", 501 primary, "Not supported by this upstream";
        /// A webhook's signature is missing or wrong, or its timestamp is outside the replay window.
        InvalidSignature = "invalid_signature", 401, "The webhook's signature or timestamp is not valid";
        /// A webhook is signed with an algorithm the receiver does not support.
        UnsupportedAlgorithm = "unsupported_algorithm", 400, "The webhook's signature algorithm is not supported";
        /// A webhook carries an event the receiver does not handle.
        UnknownEvent = "unknown_event", 422, "The webhook's event is not handled here";
        /// The upstream could not be reached or answered garbage.
        UpstreamUnavailable = "upstream_unavailable", 502, "The upstream is unavailable";
        /// The upstream did not answer in time.
        UpstreamTimeout = "upstream_timeout", 504 primary, "The upstream did not answer in time";
        /// The upstream refused the request (its message is kept).
        UpstreamError = "upstream_error", 502, "The upstream refused the request";
        /// WhatsApp throttled the number (`rate-overlimit`).
        WhatsappRateLimited = "whatsapp_rate_limited", 429, "WhatsApp throttled this number";
        /// WhatsApp: not an admin of the group (`not-authorized`).
        WhatsappNotAuthorized = "whatsapp_not_authorized", 403, "Not an admin of this group";
        /// WhatsApp: not a member of the group (`forbidden`).
        WhatsappForbidden = "whatsapp_forbidden", 403, "Not a member of this group";
        /// WhatsApp: no such group or item (`item-not-found`).
        WhatsappNotFound = "whatsapp_not_found", 404, "WhatsApp found no such item";
        /// WhatsApp refused the value (`not-acceptable`): bad invite, picture or subject.
        WhatsappNotAcceptable = "whatsapp_not_acceptable", 422, "WhatsApp did not accept the value";
        /// WhatsApp: the invite was revoked (`gone`).
        WhatsappGone = "whatsapp_gone", 410, "The invite was revoked";
        /// WhatsApp: malformed request (`bad-request`).
        WhatsappBadRequest = "whatsapp_bad_request", 400, "WhatsApp rejected the request as malformed";
        /// The server configuration is invalid.
        Misconfigured = "misconfigured", 500, "The gateway is misconfigured";
        /// Browser: the network request failed.
        NetworkError = "network_error", 0, "Network error";
        /// Browser: the request timed out.
        Timeout = "timeout", 504, "The request timed out";
        /// Browser: the request was aborted by its `AbortSignal`.
        Aborted = "aborted", 0, "The request was aborted";
        // Field codes (inside `errors`).
        /// A required field is missing.
        MissingField = "missing_field", 422, "Invalid field";
        /// A field is not allowed here.
        UnknownField = "unknown_field", 422, "Invalid field";
        /// A field has the wrong JSON type.
        InvalidType = "invalid_type", 422, "Invalid field";
        /// Not a valid user id, lid or participant id.
        InvalidId = "invalid_id", 422, "Invalid field";
        /// Not a valid group id.
        InvalidGroupId = "invalid_group_id", 422, "Invalid field";
        /// Not a valid session name.
        InvalidSession = "invalid_session", 422, "Invalid field";
        /// A list that must not be empty is empty.
        EmptyList = "empty_list", 422, "Invalid field";
        /// The same participant appears twice.
        DuplicateParticipant = "duplicate_participant", 422, "Invalid field";
        /// More participants than allowed.
        TooManyParticipants = "too_many_participants", 422, "Invalid field";
        /// The subject is empty.
        EmptySubject = "empty_subject", 422, "Invalid field";
        /// The subject is longer than allowed.
        SubjectTooLong = "subject_too_long", 422, "Invalid field";
        /// The description is longer than allowed.
        DescriptionTooLong = "description_too_long", 422, "Invalid field";
        /// Not a valid invite code.
        InvalidInviteCode = "invalid_invite_code", 422, "Invalid field";
        /// Not a WhatsApp invite link (wrong host or shape).
        InvalidInviteLink = "invalid_invite_link", 422, "Invalid field";
        /// Not a valid URL.
        InvalidUrl = "invalid_url", 422, "Invalid field";
        /// The URL is not `https`.
        InsecureUrl = "insecure_url", 422, "Invalid field";
        /// The URL carries credentials.
        UrlHasCredentials = "url_has_credentials", 422, "Invalid field";
        /// Not valid base64.
        InvalidBase64 = "invalid_base64", 422, "Invalid field";
        /// The picture is larger than allowed.
        PictureTooLarge = "picture_too_large", 422, "Invalid field";
        /// Not an accepted image mimetype.
        InvalidMimetype = "invalid_mimetype", 422, "Invalid field";
        /// The picture has both or neither of `url` and `data`.
        InvalidPictureSource = "invalid_picture_source", 422, "Invalid field";
        /// A query parameter has an invalid value.
        InvalidParameter = "invalid_parameter", 422, "Invalid field";
        /// A body field holds none of the values it accepts (an unknown `action`).
        InvalidValue = "invalid_value", 422, "Invalid field";
        /// A string field is longer than allowed.
        TooLong = "too_long", 422, "Invalid field";
        /// A file name holds a path separator or NUL.
        InvalidFilename = "invalid_filename", 422, "Invalid field";
        /// A phone number cannot be turned into an id.
        InvalidPhoneNumber = "invalid_phone_number", 422, "Invalid field";
        /// A URL's host is not public (private, loopback, link-local, reserved or an internal name).
        UrlNotPublic = "url_not_public", 422, "Invalid field";
        /// A picture given by URL could not be downloaded.
        PictureUnavailable = "picture_unavailable", 422, "Invalid field";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an invalid value sits in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A JSON pointer into the request body (`/participants/3/id`).
    Body(String),
    /// A query or path parameter name (`limit`, `id`, `session`).
    Parameter(String),
}

/// One invalid field: where it is, its code and why (in a problem:
/// `{"pointer" | "parameter", "code", "detail"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where the value sits.
    pub location: Location,
    /// Machine code of the rule that failed.
    pub code: ErrorCode,
    /// Human explanation, naming the field and the rule.
    pub detail: String,
}

impl FieldError {
    /// A field error at a body JSON pointer.
    pub fn body(pointer: impl Into<String>, code: ErrorCode, detail: impl Into<String>) -> Self {
        FieldError { location: Location::Body(pointer.into()), code, detail: detail.into() }
    }

    /// A field error on a query or path parameter.
    pub fn parameter(name: impl Into<String>, code: ErrorCode, detail: impl Into<String>) -> Self {
        FieldError { location: Location::Parameter(name.into()), code, detail: detail.into() }
    }
}

/// The one error type of groupgate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Stable machine code.
    pub code: ErrorCode,
    /// HTTP status (0 for browser-side network failures).
    pub status: u16,
    /// Human explanation of this occurrence.
    pub detail: String,
    /// Every invalid field, for validation errors.
    pub errors: Vec<FieldError>,
    /// Seconds to wait before retrying, for rate limits.
    pub retry_after: Option<u64>,
    /// The upstream's HTTP status, when the error comes from the upstream.
    pub upstream_status: Option<u16>,
}

impl Error {
    /// An error with the code's default status.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Error {
            code,
            status: code.status(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            upstream_status: None,
        }
    }

    /// Overrides the HTTP status (for upstream pass-through).
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Sets the retry delay.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Records the upstream's status.
    pub fn with_upstream_status(mut self, status: u16) -> Self {
        self.upstream_status = Some(status);
        self
    }

    /// A validation error listing `errors`, of `unlisted` more invalid fields not listed.
    fn invalid(errors: Vec<FieldError>, unlisted: usize) -> Self {
        let detail = match (errors.as_slice(), unlisted) {
            ([one], 0) => one.detail.clone(),
            (many, 0) => format!("{} fields are invalid", many.len()),
            (listed, _) => {
                format!("{} fields are invalid; the first {} are listed", listed.len() + unlisted, listed.len())
            }
        };
        Error { errors, ..Error::new(ErrorCode::ValidationFailed, detail) }
    }
}

impl From<FieldError> for Error {
    fn from(field: FieldError) -> Self {
        Error::invalid(vec![field], 0)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

impl std::error::Error for Error {}

/// Marks a failure whose field error was already recorded in a [`FieldErrors`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded;

/// Collects field errors so that every invalid field is reported, not just the first: listed
/// until their text reaches [`FIELD_ERRORS_MAX_BYTES`], counted after that. A parameter is
/// reported once, for the first reason found (a `code` that does not decode is not also missing).
#[derive(Debug, Default)]
pub struct FieldErrors {
    listed: Vec<FieldError>,
    listed_bytes: usize,
    unlisted: usize,
}

impl FieldErrors {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one error.
    pub fn push(&mut self, error: FieldError) {
        if self.is_full() {
            self.unlisted += 1;
        } else {
            self.list(error);
        }
    }

    /// Records the error `make` gives, made only when it will be listed.
    pub fn push_with(&mut self, make: impl FnOnce() -> FieldError) {
        if self.is_full() {
            self.unlisted += 1;
        } else {
            self.list(make());
        }
    }

    fn is_full(&self) -> bool {
        self.listed_bytes >= FIELD_ERRORS_MAX_BYTES
    }

    fn list(&mut self, error: FieldError) {
        let (Location::Body(at) | Location::Parameter(at)) = &error.location;
        let repeated = matches!(error.location, Location::Parameter(_))
            && self.listed.iter().any(|e| e.location == error.location);
        if !repeated {
            self.listed_bytes += at.len() + error.detail.len();
            self.listed.push(error);
        }
    }

    /// Keeps the value of `result`, recording its error if any.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// `Ok(value())` when nothing was recorded, else the validation error.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Error> {
        match (self.listed.is_empty(), value()) {
            (true, Some(v)) => Ok(v),
            (_, _) => Err(Error::invalid(self.listed, self.unlisted)),
        }
    }
}

/// An RFC 9457 problem document, as the Worker answers it ([`Problem::render`]: `type`,
/// `title`, `status`, `detail`, `code`, then `errors`, `retryAfter`, `upstreamStatus` and
/// `requestId` when there are any).
#[derive(Debug)]
pub struct Problem<'a> {
    /// A URI naming the problem type (`urn:groupgate:problem:<code>`).
    pub kind: String,
    /// The code's title.
    pub title: &'static str,
    /// HTTP status.
    pub status: u16,
    /// This occurrence's explanation.
    pub detail: &'a str,
    /// Stable machine code.
    pub code: ErrorCode,
    /// Field errors, for validation failures.
    pub errors: &'a [FieldError],
    /// Seconds to wait, for rate limits.
    pub retry_after: Option<u64>,
    /// The upstream's HTTP status, for upstream errors.
    pub upstream_status: Option<u16>,
    /// The request id, to quote in support requests.
    pub request_id: Option<&'a str>,
}

impl Problem<'_> {
    /// The problem as JSON text.
    pub fn render(&self) -> String {
        let mut problem = Writer::open()
            .string("type", &self.kind)
            .string("title", self.title)
            .plain("status", self.status)
            .string("detail", self.detail)
            .string("code", self.code.as_str());
        if !self.errors.is_empty() {
            problem = problem.raws("errors", &self.errors.iter().map(FieldError::render).collect::<Vec<_>>());
        }
        if let Some(secs) = self.retry_after {
            problem = problem.plain("retryAfter", secs);
        }
        if let Some(status) = self.upstream_status {
            problem = problem.plain("upstreamStatus", status);
        }
        if let Some(id) = self.request_id {
            problem = problem.string("requestId", id);
        }
        problem.finish()
    }
}

impl FieldError {
    fn render(&self) -> String {
        let located = match &self.location {
            Location::Body(pointer) => Writer::open().string("pointer", pointer),
            Location::Parameter(name) => Writer::open().string("parameter", name),
        };
        located.string("code", self.code.as_str()).string("detail", &self.detail).finish()
    }
}

impl Error {
    /// Projects this error to an RFC 9457 problem.
    pub fn problem<'a>(&'a self, request_id: Option<&'a str>) -> Problem<'a> {
        Problem {
            kind: format!("urn:groupgate:problem:{}", self.code),
            title: self.code.title(),
            status: self.status,
            detail: &self.detail,
            code: self.code,
            errors: &self.errors,
            retry_after: self.retry_after,
            upstream_status: self.upstream_status,
            request_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_render_every_member_they_have() {
        let mut error = Error::new(ErrorCode::UpstreamUnavailable, "a \"quoted\" detail").with_retry_after(5);
        error.upstream_status = Some(502);
        error.errors = vec![
            FieldError::body("/participants/0/id", ErrorCode::InvalidId, "bad id"),
            FieldError::parameter("limit", ErrorCode::InvalidParameter, "bad limit"),
        ];
        let rendered: serde_json::Value = serde_json::from_str(&error.problem(Some("req-1")).render()).unwrap();
        let expected = serde_json::json!({
            "type": "urn:groupgate:problem:upstream_unavailable", "title": ErrorCode::UpstreamUnavailable.title(),
            "status": error.status, "detail": "a \"quoted\" detail", "code": "upstream_unavailable",
            "errors": [
                {"pointer": "/participants/0/id", "code": "invalid_id", "detail": "bad id"},
                {"parameter": "limit", "code": "invalid_parameter", "detail": "bad limit"},
            ],
            "retryAfter": 5, "upstreamStatus": 502, "requestId": "req-1",
        });
        assert_eq!(rendered, expected);
        let bare: serde_json::Value =
            serde_json::from_str(&Error::new(ErrorCode::NotFound, "x").problem(None).render()).unwrap();
        let keys: Vec<&str> = bare.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["code", "detail", "status", "title", "type"]);
    }

    #[test]
    fn codes_are_unique_snake_case_and_all_in_the_typescript_union() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{text}");
            assert!(ErrorCode::TS_UNION.contains(&format!("| \"{text}\"")), "{text} not in the union");
            assert_eq!(code.to_string(), text);
        }
        assert_eq!(ErrorCode::TS_UNION.matches("| \"").count(), ErrorCode::ALL.len());
    }

    #[test]
    fn a_bare_status_maps_to_the_code_that_answers_with_it() {
        for status in [400, 401, 403, 404, 405, 413, 415, 422, 429, 501, 504] {
            assert_eq!(ErrorCode::of_status(status).status(), status, "{status}");
        }
        assert_eq!(ErrorCode::of_status(404), ErrorCode::NotFound);
        assert_eq!(ErrorCode::of_status(422), ErrorCode::ValidationFailed);
        assert_eq!(ErrorCode::of_status(502), ErrorCode::UpstreamUnavailable);
        assert_eq!(ErrorCode::of_status(418), ErrorCode::UpstreamUnavailable);
    }
}
