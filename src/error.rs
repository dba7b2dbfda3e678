//! One error type for all of groupgate, with stable machine codes.
//!
//! The Worker projects an [`Error`] to an RFC 9457 problem (`application/problem+json`);
//! the browser module projects it to a JS `Error` carrying the same `code`.

use serde::Serialize;
use std::fmt;

/// Stable machine codes. Their `snake_case` spelling is part of the public interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Whole-request codes.
    /// One or more fields are invalid; see `errors`.
    ValidationFailed,
    /// The request body is not JSON.
    InvalidJson,
    /// No such route.
    NotFound,
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// Missing or wrong client key.
    Unauthorized,
    /// The client key may not use this session.
    Forbidden,
    /// The request's `Origin` is not in `ALLOWED_ORIGINS`.
    OriginNotAllowed,
    /// The request body is larger than the configured cap.
    PayloadTooLarge,
    /// The request body is not `application/json`.
    UnsupportedMediaType,
    /// A rate limit refused the request; retry later.
    RateLimited,
    /// The request costs more than the whole quota: it can never be accepted.
    CostExceedsQuota,
    /// The KV store (rate limits, idempotency) failed and the policy is to refuse.
    StoreUnavailable,
    /// An `Idempotency-Key` was reused with a different request.
    IdempotencyKeyReused,
    /// An earlier request with this `Idempotency-Key` is still in progress.
    IdempotencyInProgress,
    /// The operation has no equivalent on this upstream.
    NotImplemented,
    /// A webhook's signature is missing or wrong, or its timestamp is outside the replay window.
    InvalidSignature,
    /// A webhook is signed with an algorithm the receiver does not support.
    UnsupportedAlgorithm,
    /// A webhook carries an event the receiver does not handle.
    UnknownEvent,
    /// The upstream could not be reached or answered garbage.
    UpstreamUnavailable,
    /// The upstream did not answer in time.
    UpstreamTimeout,
    /// The upstream refused the request (its message is kept).
    UpstreamError,
    /// WhatsApp throttled the number (`rate-overlimit`).
    WhatsappRateLimited,
    /// WhatsApp: not an admin of the group (`not-authorized`).
    WhatsappNotAuthorized,
    /// WhatsApp: not a member of the group (`forbidden`).
    WhatsappForbidden,
    /// WhatsApp: no such group or item (`item-not-found`).
    WhatsappNotFound,
    /// WhatsApp refused the value (`not-acceptable`): bad invite, picture or subject.
    WhatsappNotAcceptable,
    /// WhatsApp: the invite was revoked (`gone`).
    WhatsappGone,
    /// WhatsApp: malformed request (`bad-request`).
    WhatsappBadRequest,
    /// The server configuration is invalid.
    Misconfigured,
    /// Browser: the network request failed.
    NetworkError,
    /// Browser: the request timed out.
    Timeout,
    /// Browser: the request was aborted by its `AbortSignal`.
    Aborted,

    // Field codes (inside `errors`).
    /// A required field is missing.
    MissingField,
    /// A field is not allowed here.
    UnknownField,
    /// A field has the wrong JSON type.
    InvalidType,
    /// Not a valid user id, lid or participant id.
    InvalidId,
    /// Not a valid group id.
    InvalidGroupId,
    /// Not a valid session name.
    InvalidSession,
    /// A list that must not be empty is empty.
    EmptyList,
    /// The same participant appears twice.
    DuplicateParticipant,
    /// More participants than allowed.
    TooManyParticipants,
    /// The subject is empty.
    EmptySubject,
    /// The subject is longer than allowed.
    SubjectTooLong,
    /// The description is longer than allowed.
    DescriptionTooLong,
    /// Not a valid invite code.
    InvalidInviteCode,
    /// Not a WhatsApp invite link (wrong host or shape).
    InvalidInviteLink,
    /// Not a valid URL.
    InvalidUrl,
    /// The URL is not `https`.
    InsecureUrl,
    /// The URL carries credentials.
    UrlHasCredentials,
    /// Not valid base64.
    InvalidBase64,
    /// The picture is larger than allowed.
    PictureTooLarge,
    /// Not an accepted image mimetype.
    InvalidMimetype,
    /// The picture has both or neither of `url` and `data`.
    InvalidPictureSource,
    /// A query parameter has an invalid value.
    InvalidParameter,
    /// A string field is longer than allowed.
    TooLong,
    /// A file name holds a path separator or NUL.
    InvalidFilename,
    /// A phone number cannot be turned into an id.
    InvalidPhoneNumber,
}

impl ErrorCode {
    /// The code as it appears on the wire (`invalid_id`).
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            ValidationFailed => "validation_failed",
            InvalidJson => "invalid_json",
            NotFound => "not_found",
            MethodNotAllowed => "method_not_allowed",
            Unauthorized => "unauthorized",
            Forbidden => "forbidden",
            OriginNotAllowed => "origin_not_allowed",
            PayloadTooLarge => "payload_too_large",
            UnsupportedMediaType => "unsupported_media_type",
            RateLimited => "rate_limited",
            CostExceedsQuota => "cost_exceeds_quota",
            StoreUnavailable => "store_unavailable",
            IdempotencyKeyReused => "idempotency_key_reused",
            IdempotencyInProgress => "idempotency_in_progress",
            NotImplemented => "not_implemented",
            InvalidSignature => "invalid_signature",
            UnsupportedAlgorithm => "unsupported_algorithm",
            UnknownEvent => "unknown_event",
            UpstreamUnavailable => "upstream_unavailable",
            UpstreamTimeout => "upstream_timeout",
            UpstreamError => "upstream_error",
            WhatsappRateLimited => "whatsapp_rate_limited",
            WhatsappNotAuthorized => "whatsapp_not_authorized",
            WhatsappForbidden => "whatsapp_forbidden",
            WhatsappNotFound => "whatsapp_not_found",
            WhatsappNotAcceptable => "whatsapp_not_acceptable",
            WhatsappGone => "whatsapp_gone",
            WhatsappBadRequest => "whatsapp_bad_request",
            Misconfigured => "misconfigured",
            NetworkError => "network_error",
            Timeout => "timeout",
            Aborted => "aborted",
            MissingField => "missing_field",
            UnknownField => "unknown_field",
            InvalidType => "invalid_type",
            InvalidId => "invalid_id",
            InvalidGroupId => "invalid_group_id",
            InvalidSession => "invalid_session",
            EmptyList => "empty_list",
            DuplicateParticipant => "duplicate_participant",
            TooManyParticipants => "too_many_participants",
            EmptySubject => "empty_subject",
            SubjectTooLong => "subject_too_long",
            DescriptionTooLong => "description_too_long",
            InvalidInviteCode => "invalid_invite_code",
            InvalidInviteLink => "invalid_invite_link",
            InvalidUrl => "invalid_url",
            InsecureUrl => "insecure_url",
            UrlHasCredentials => "url_has_credentials",
            InvalidBase64 => "invalid_base64",
            PictureTooLarge => "picture_too_large",
            InvalidMimetype => "invalid_mimetype",
            InvalidPictureSource => "invalid_picture_source",
            InvalidParameter => "invalid_parameter",
            TooLong => "too_long",
            InvalidFilename => "invalid_filename",
            InvalidPhoneNumber => "invalid_phone_number",
        }
    }

    /// The HTTP status a whole-request error with this code answers with.
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            NotFound | WhatsappNotFound => 404,
            MethodNotAllowed => 405,
            Unauthorized | InvalidSignature => 401,
            Forbidden | OriginNotAllowed | WhatsappNotAuthorized | WhatsappForbidden => 403,
            PayloadTooLarge => 413,
            UnsupportedMediaType => 415,
            RateLimited | WhatsappRateLimited => 429,
            IdempotencyInProgress => 409,
            WhatsappGone => 410,
            NotImplemented => 501,
            UpstreamUnavailable | UpstreamError => 502,
            StoreUnavailable => 503,
            UpstreamTimeout | Timeout => 504,
            Misconfigured => 500,
            NetworkError | Aborted => 0,
            InvalidJson | WhatsappBadRequest | UnsupportedAlgorithm => 400,
            _ => 422,
        }
    }

    /// A short human title for problems of this code.
    pub fn title(self) -> &'static str {
        use ErrorCode::*;
        match self {
            ValidationFailed => "The request has invalid fields",
            InvalidJson => "The request body is not valid JSON",
            NotFound => "No such route",
            MethodNotAllowed => "Method not allowed on this route",
            Unauthorized => "Missing or invalid API key",
            Forbidden => "This API key may not use this session",
            OriginNotAllowed => "This origin may not call the gateway",
            PayloadTooLarge => "The request body is too large",
            UnsupportedMediaType => "The request body must be application/json",
            RateLimited => "Rate limit reached",
            CostExceedsQuota => "The request costs more than the whole quota",
            StoreUnavailable => "The gateway's store is unavailable",
            IdempotencyKeyReused => "Idempotency-Key reused with a different request",
            IdempotencyInProgress => "A request with this Idempotency-Key is in progress",
            NotImplemented => "Not supported by this upstream",
            InvalidSignature => "The webhook's signature or timestamp is not valid",
            UnsupportedAlgorithm => "The webhook's signature algorithm is not supported",
            UnknownEvent => "The webhook's event is not handled here",
            UpstreamUnavailable => "The upstream is unavailable",
            UpstreamTimeout => "The upstream did not answer in time",
            UpstreamError => "The upstream refused the request",
            WhatsappRateLimited => "WhatsApp throttled this number",
            WhatsappNotAuthorized => "Not an admin of this group",
            WhatsappForbidden => "Not a member of this group",
            WhatsappNotFound => "WhatsApp found no such item",
            WhatsappNotAcceptable => "WhatsApp did not accept the value",
            WhatsappGone => "The invite was revoked",
            WhatsappBadRequest => "WhatsApp rejected the request as malformed",
            Misconfigured => "The gateway is misconfigured",
            NetworkError => "Network error",
            Timeout => "The request timed out",
            Aborted => "The request was aborted",
            _ => "Invalid field",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an invalid value sits in the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Location {
    /// A JSON pointer into the request body (`/participants/3/id`).
    #[serde(rename = "pointer")]
    Body(String),
    /// A query or path parameter name (`limit`, `id`, `session`).
    #[serde(rename = "parameter")]
    Parameter(String),
}

/// One invalid field: where it is, its code and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where the value sits.
    #[serde(flatten)]
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

    /// A validation error listing every invalid field.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => one.detail.clone(),
            many => format!("{} fields are invalid", many.len()),
        };
        Error { errors, ..Error::new(ErrorCode::ValidationFailed, detail) }
    }
}

impl From<FieldError> for Error {
    fn from(field: FieldError) -> Self {
        Error::invalid(vec![field])
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

/// Collects field errors so that every invalid field is reported, not just the first.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one error.
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// Keeps the value of `result`, recording its error if any.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value())` when nothing was recorded, else the validation error.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Error> {
        match (self.0.is_empty(), value()) {
            (true, Some(v)) => Ok(v),
            (_, _) => Err(Error::invalid(self.0)),
        }
    }
}

/// An RFC 9457 problem document, as the Worker answers it.
#[derive(Debug, Serialize)]
pub struct Problem<'a> {
    /// A URI naming the problem type (`urn:groupgate:problem:<code>`).
    #[serde(rename = "type")]
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
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub errors: &'a [FieldError],
    /// Seconds to wait, for rate limits.
    #[serde(rename = "retryAfter", skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// The upstream's HTTP status, for upstream errors.
    #[serde(rename = "upstreamStatus", skip_serializing_if = "Option::is_none")]
    pub upstream_status: Option<u16>,
    /// The request id, to quote in support requests.
    #[serde(rename = "requestId", skip_serializing_if = "Option::is_none")]
    pub request_id: Option<&'a str>,
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
