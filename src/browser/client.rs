//! `GroupsClient`: one async method per operation of the table (`crate::ops::table`), generated
//! from its row. Every call reads its arguments into the operation with the Worker's own field
//! readers, sends the canonical WAHA rendering of it, and decodes the answer.

use super::arguments::{options_object, unknown_key, Call};
use super::errors::{get, to_js, Failure};
use super::http::{send, Outgoing};
use super::key_scopes::key_scopes;
use crate::error::{Error, ErrorCode, FieldError, FieldErrors};
use crate::headers::{valid_idempotency_key, API_KEY_HEADER, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX};
use crate::ids::{GroupId, SessionName};
use crate::invite::InviteCode;
use crate::keys::KEY_PATH;
use crate::limits::{Limits, GROUP_SIZE_MAX, PICTURE_MAX_BYTES};
use crate::ops::body::parse_json;
use crate::ops::per_person::{people_asked, per_person_results};
use crate::ops::{GroupRequest, Method, Operation, OperationKind};
use crate::wire::{joined, json, quoted, Query};
use js_sys::{Array, Object, Promise, JSON};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

/// Default per-request timeout: above the Worker's own upstream timeout (15 s).
const TIMEOUT_MS_DEFAULT: u32 = 20_000;
/// Longest timeout `setTimeout` can express.
const TIMEOUT_MS_MAX: u32 = i32::MAX as u32;

/// A client of the groupgate Worker for one WAHA session. Each method validates its input
/// exactly as the Worker does and throws a `GroupgateError` before sending anything invalid.
#[wasm_bindgen]
pub struct GroupsClient {
    inner: Rc<Inner>,
}

/// The client's settings, shared with its calls in flight.
struct Inner {
    base: String,
    session: SessionName,
    headers: Vec<(String, String)>,
    timeout_ms: u32,
    limits: Limits,
}

/// How an answer becomes the method's result.
#[derive(Clone, Copy)]
pub(crate) enum Decode {
    /// A JSON object, as it is.
    Object,
    /// A JSON array, as it is.
    List,
    /// A JSON array or object, as it is: the engine's own shape (raw members).
    Container,
    /// Per-person results: a list, or the engine's object made one ([`per_person_results`]).
    PerPerson,
    /// Nothing (`undefined`).
    Nothing,
    /// `true` or `false` (as JSON or as text).
    Boolean,
    /// An array of groups, also from an id→group map.
    GroupList,
    /// `{count}` → the number.
    Count,
    /// A code string → `{code, link}`.
    Invite,
    /// `{<key>: bool}` → the boolean.
    Flag(&'static str),
}

#[wasm_bindgen]
impl GroupsClient {
    /// Creates a client; throws a `GroupgateError` (`validation_failed`) for invalid options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "GroupsClientOptions")] options: JsValue,
    ) -> Result<GroupsClient, JsValue> {
        super::report_panics_once();
        Inner::from_options(&options).map(|inner| GroupsClient { inner: Rc::new(inner) }).map_err(to_js)
    }

    /// The validation limits this client applies.
    #[wasm_bindgen(unchecked_return_type = "Limits")]
    pub fn limits(&self) -> JsValue {
        super::helpers::limits_object(&self.inner.limits)
    }

    /// What the client's key may do in the client's session (`GET /groupgate/key` on the
    /// Worker): its scopes there and the methods they allow, so a UI can grey out the rest.
    #[wasm_bindgen(unchecked_return_type = "Promise<KeyScopes>")]
    pub fn scopes(&self, #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let (signal, timeout_ms, idempotency_key) = inner.call_options(&options, None).map_err(to_js)?;
            let url = format!("{}{KEY_PATH}", inner.base);
            let outgoing = Outgoing { method: Method::Get, url, body: None, headers: &inner.headers, idempotency_key };
            let answer = send(outgoing, signal, timeout_ms).await.map_err(Failure::into_js)?;
            key_scopes(&answer, &inner.session).map_err(Failure::into_js)
        })
    }
}

/// Implements the client's methods, one per operation, from the parts of every row they need:
/// doc, name, client method name and promise type, decode column, and the type, place, wire key,
/// JS parameter and TypeScript type of each required and each optional field. `define_operations`
/// (`crate::ops::operation`), the one reader of the table's rows, hands them over.
macro_rules! client_methods {
    ($(
        [$($doc:literal)*] $name:ident $client:ident $ret:literal $decode:ident $(($decode_key:literal))?
        { $( $ty:ty = $place:ident $key:literal => $param:ident $ts:literal ),* }
        { $( $oty:ty = $oplace:ident $okey:literal => $oparam:ident $ots:literal ),* }
    )*) => {
        // wasm-bindgen takes the type of an exported impl by its bare name: the impl is named
        // through a `use` in a block of its own, wherever the rows are expanded.
        const _: () = {
            use $crate::browser::arguments::{Argument, Call};
            use $crate::browser::client::Decode;
            use $crate::browser::GroupsClient;
            use $crate::ops::field::{At, Place};
            use $crate::ops::OperationKind;
            #[::wasm_bindgen::prelude::wasm_bindgen]
            impl GroupsClient {
                $(
                    $(#[doc = $doc])*
                    #[wasm_bindgen(js_name = $client, unchecked_return_type = $ret)]
                    #[allow(non_snake_case, unused_mut)]
                    pub fn $client(
                        &self,
                        $( #[wasm_bindgen(unchecked_param_type = $ts)] $param: ::wasm_bindgen::JsValue, )*
                        $( #[wasm_bindgen(unchecked_optional_param_type = $ots)] $oparam: ::wasm_bindgen::JsValue, )*
                        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: ::wasm_bindgen::JsValue,
                    ) -> ::js_sys::Promise {
                        let mut call = Call::default();
                        $( <$ty as Argument>::put($param, At { place: Place::$place, key: $key }, stringify!($param), &mut call); )*
                        $( <$oty as Argument>::put($oparam, At { place: Place::$oplace, key: $okey }, stringify!($oparam), &mut call); )*
                        self.start(OperationKind::$name, call, Decode::$decode $(($decode_key))?, &options)
                    }
                )*
            }
        };
    };
}
pub(crate) use client_methods;

impl GroupsClient {
    /// Starts the one generic call of `kind`: every method is this with its own arguments.
    pub(crate) fn start(&self, kind: OperationKind, call: Call, decode: Decode, options: &JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        let options = options.clone();
        future_to_promise(async move { inner.call(kind, call, decode, &options).await })
    }
}

impl Inner {
    fn from_options(options: &JsValue) -> Result<Inner, Error> {
        if !options.is_object() || Array::is_array(options) {
            let detail = "options: expected an object {baseUrl, apiKey, session}";
            return Err(FieldError::parameter("options", ErrorCode::InvalidType, detail).into());
        }
        let mut errors = FieldErrors::new();
        let known = ["baseUrl", "apiKey", "session", "timeoutMs", "headers", "limits"];
        if let Some(key) = errors.take(unknown_key(options, "options", &known)).flatten() {
            let detail = format!("{}: not an option of GroupsClient (expected {})", quoted(&key), joined(known, ", "));
            errors.push(FieldError::parameter(key, ErrorCode::UnknownField, detail));
        }
        let base = errors.take(required_string(options, "baseUrl").and_then(|s| base_url(&s)));
        let api_key = errors.take(required_string(options, "apiKey").and_then(|key| {
            let ok = !key.is_empty() && key.bytes().all(|b| b.is_ascii_graphic());
            let detail = "apiKey: expected a non-empty key of printable ASCII characters";
            ok.then_some(key).ok_or_else(|| FieldError::parameter("apiKey", ErrorCode::InvalidParameter, detail))
        }));
        let session = errors.take(required_string(options, "session").and_then(|s| SessionName::parse(&s)));
        let timeout_ms = errors.take(timeout_option(&get(options, "timeoutMs"), "timeoutMs"));
        let extra = errors.take(header_option(&get(options, "headers")));
        let limits = errors.take(limits_option(&get(options, "limits")));
        errors.finish(|| {
            let mut headers = extra?;
            headers.push((API_KEY_HEADER.to_owned(), api_key?));
            Some(Inner {
                base: base?,
                session: session?,
                headers,
                timeout_ms: timeout_ms?.unwrap_or(TIMEOUT_MS_DEFAULT),
                limits: limits?,
            })
        })
    }

    /// The one generic call: validate with the core, send the canonical request, decode.
    async fn call(
        &self,
        kind: OperationKind,
        call: Call,
        decode: Decode,
        options: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let (signal, timeout_ms, idempotency_key) = self.call_options(options, Some(kind)).map_err(to_js)?;
        let request = self.validate(kind, call).map_err(to_js)?;
        if signal.as_ref().is_some_and(AbortSignal::aborted) {
            return Err(Failure::new(ErrorCode::Aborted, "the request was aborted by its AbortSignal").into_js());
        }
        let rendered = request.render();
        let mut url = format!("{}{}", self.base, rendered.path);
        if !rendered.query.is_empty() {
            url.push('?');
            url.push_str(&rendered.query);
        }
        let outgoing =
            Outgoing { method: rendered.method, url, body: rendered.body, headers: &self.headers, idempotency_key };
        let answer = send(outgoing, signal, timeout_ms).await.map_err(Failure::into_js)?;
        decode_answer(decode, answer, &request.operation).map_err(Failure::into_js)
    }

    /// Reads the call's arguments into the operation with the Worker's own field readers.
    fn validate(&self, kind: OperationKind, call: Call) -> Result<GroupRequest, Error> {
        let mut errors = FieldErrors::new();
        for refused in call.refused {
            errors.push(refused);
        }
        let group = match call.group {
            Some(id) => errors.take(GroupId::parse_parameter(&text_argument(&id, "id")?)),
            None => None,
        };
        let mut query = Query::default();
        for (name, value) in call.query {
            if let Some(text) = query_text(&value) {
                query.0.push((name.to_owned(), text));
            }
        }
        let text = call.body.as_ref().map(json_text).transpose()?;
        let body = parse_json(text.as_deref().unwrap_or_default().as_bytes())?;
        let operation = kind.read_wire(group, &query, body.as_ref(), &self.limits, &mut errors);
        errors.finish(|| Some(GroupRequest { session: self.session.clone(), operation: operation? }))
    }

    /// The per-call options of `kind` (`None`: `scopes()`, no operation of the table).
    fn call_options(
        &self,
        options: &JsValue,
        kind: Option<OperationKind>,
    ) -> Result<(Option<AbortSignal>, u32, Option<String>), Error> {
        let Some(options) = options_object(options, "options", &["signal", "timeoutMs", "idempotencyKey"])? else {
            return Ok((None, self.timeout_ms, None));
        };
        let options = &options;
        let mut errors = FieldErrors::new();
        let signal = match get(options, "signal") {
            v if v.is_undefined() || v.is_null() => Some(None),
            v => errors.take(v.dyn_into::<AbortSignal>().map(Some).map_err(|_| {
                FieldError::parameter("signal", ErrorCode::InvalidType, "signal: expected an AbortSignal")
            })),
        };
        let timeout = errors.take(timeout_option(&get(options, "timeoutMs"), "timeoutMs"));
        let key = match get(options, "idempotencyKey") {
            v if v.is_undefined() || v.is_null() => Some(None),
            v => errors.take(v.as_string().filter(|k| valid_idempotency_key(k)).map(Some).ok_or_else(|| {
                let detail = format!("idempotencyKey: expected 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters");
                FieldError::parameter("idempotencyKey", ErrorCode::InvalidParameter, detail)
            })),
        };
        // The Worker keeps a record only for the operations the table marks idempotent: a key on
        // any other call would promise a safe retry that does not exist.
        let key = match (key, kind) {
            (Some(Some(_)), kind) if !kind.is_some_and(OperationKind::idempotent) => {
                errors.push(idempotency_key_refused(kind));
                None
            }
            (key, _) => key,
        };
        errors.finish(|| Some((signal?, timeout?.unwrap_or(self.timeout_ms), key?)))
    }
}

/// `idempotencyKey` on a call the Worker does not replay from a record.
fn idempotency_key_refused(kind: Option<OperationKind>) -> FieldError {
    let method = kind.map_or("scopes", OperationKind::client_name);
    let honoured: Vec<&str> = OperationKind::ALL.iter().filter(|k| k.idempotent()).map(|k| k.client_name()).collect();
    let detail = format!(
        "idempotencyKey: {method} is not idempotent; the Worker honours Idempotency-Key only for {}",
        joined(&honoured, ", ")
    );
    FieldError::parameter("idempotencyKey", ErrorCode::UnknownField, detail)
}

/// The answer as the method promises it (`operation`: the call it answers).
fn decode_answer(decode: Decode, answer: JsValue, operation: &Operation) -> Result<JsValue, Failure> {
    let garbage = |what: &str| Failure::new(ErrorCode::UpstreamUnavailable, format!("unexpected answer: {what}"));
    match decode {
        Decode::Object if answer.is_object() && !Array::is_array(&answer) => Ok(answer),
        Decode::Object => Err(garbage("expected an object")),
        Decode::List if Array::is_array(&answer) => Ok(answer),
        Decode::List => Err(garbage("expected a list")),
        Decode::PerPerson if Array::is_array(&answer) => Ok(answer),
        Decode::PerPerson if answer.is_object() => per_person_list(&answer, operation),
        Decode::Container if answer.is_object() => Ok(answer),
        Decode::Container | Decode::PerPerson => Err(garbage("expected a list or an object")),
        Decode::Nothing => Ok(JsValue::UNDEFINED),
        Decode::Boolean => answer.as_bool().map(JsValue::from).ok_or_else(|| garbage("expected true or false")),
        Decode::GroupList if Array::is_array(&answer) => Ok(answer),
        Decode::GroupList if answer.is_object() => Ok(Object::values(answer.unchecked_ref::<Object>()).into()),
        Decode::GroupList => Err(garbage("expected a list of groups")),
        Decode::Count => {
            let count = get(&answer, "count");
            count.as_f64().map(|_| count).ok_or_else(|| garbage("expected {count}"))
        }
        Decode::Invite => {
            let text = answer.as_string().or_else(|| get(&answer, "code").as_string()).unwrap_or_default();
            let code = InviteCode::parse_code_or_link(&text).map_err(|_| garbage("expected an invite code"))?;
            Ok(super::helpers::invite_object(&code))
        }
        Decode::Flag(key) => {
            let value = get(&answer, key);
            value.as_bool().map(JsValue::from).ok_or_else(|| garbage("expected a boolean setting"))
        }
    }
}

/// An engine's object of per-person results as the list the methods promise: the core's
/// [`per_person_results`], through the answer's JSON text.
fn per_person_list(answer: &JsValue, operation: &Operation) -> Result<JsValue, Failure> {
    let unreadable =
        || Failure::new(ErrorCode::UpstreamUnavailable, "unexpected answer: per-person results unreadable");
    let text = JSON::stringify(answer).ok().and_then(|text| text.as_string()).ok_or_else(unreadable)?;
    let value = json::parse(&text).map_err(|_| unreadable())?;
    JSON::parse(&per_person_results(value, &people_asked(operation)).render()).map_err(|_| unreadable())
}

/// A string argument, or an `invalid_type` error on `name`.
pub(crate) fn text_argument(value: &JsValue, name: &str) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| FieldError::parameter(name, ErrorCode::InvalidType, format!("{name}: expected a string")).into())
}

fn required_string(options: &JsValue, name: &'static str) -> Result<String, FieldError> {
    let value = get(options, name);
    if value.is_undefined() || value.is_null() {
        return Err(FieldError::parameter(name, ErrorCode::MissingField, format!("{name}: required")));
    }
    value
        .as_string()
        .ok_or_else(|| FieldError::parameter(name, ErrorCode::InvalidType, format!("{name}: expected a string")))
}

/// `https://host[:port][/prefix]`, without a trailing slash, query or fragment.
fn base_url(text: &str) -> Result<String, FieldError> {
    let fail = |code, why: &str| FieldError::parameter("baseUrl", code, format!("baseUrl: {why}"));
    let url = web_sys::Url::new(text).map_err(|_| fail(ErrorCode::InvalidUrl, "not an absolute URL"))?;
    if url.protocol() != "https:" && url.protocol() != "http:" {
        return Err(fail(ErrorCode::InvalidUrl, "expected an http or https URL"));
    }
    if !url.username().is_empty() || !url.password().is_empty() {
        return Err(fail(ErrorCode::UrlHasCredentials, "must not carry a user name or password"));
    }
    if !url.search().is_empty() || !url.hash().is_empty() {
        return Err(fail(ErrorCode::InvalidUrl, "must not carry a query or a fragment (every call adds its own path)"));
    }
    Ok(format!("{}{}", url.origin(), url.pathname().trim_end_matches('/')))
}

/// An optional whole number of milliseconds (0 disables the timeout).
fn timeout_option(value: &JsValue, name: &'static str) -> Result<Option<u32>, FieldError> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(ms) if ms.fract() == 0.0 && (0.0..=f64::from(TIMEOUT_MS_MAX)).contains(&ms) => Ok(Some(ms as u32)),
        _ => {
            let detail = format!("{name}: expected a whole number of milliseconds from 0 to {TIMEOUT_MS_MAX}");
            Err(FieldError::parameter(name, ErrorCode::InvalidParameter, detail))
        }
    }
}

/// Headers the client sets itself; `headers` may not set them.
const RESERVED_HEADERS: [&str; 4] = [API_KEY_HEADER, "Content-Type", "Accept", IDEMPOTENCY_KEY_HEADER];

/// `headers`, anything `fetch` takes as `HeadersInit` (`{name: value}`, `[[name, value], …]`, a
/// `Headers`, any iterable of pairs), as the pairs the browser's own `Headers` makes of it.
fn header_option(value: &JsValue) -> Result<Vec<(String, String)>, FieldError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let fail = |why: &str| FieldError::parameter("headers", ErrorCode::InvalidParameter, format!("headers: {why}"));
    if !value.is_object() {
        let detail = "headers: expected a Headers, an object {name: value} or an array of [name, value] pairs";
        return Err(FieldError::parameter("headers", ErrorCode::InvalidType, detail));
    }
    // `fetch` would turn a number or an object into its string: refuse what is no string instead
    // (in a plain object; the pairs of an iterable are the browser's to judge, as fetch would).
    if !is_iterable(value) {
        let values = Object::values(value.unchecked_ref::<Object>());
        if values.iter().any(|v| !v.is_string()) {
            return Err(FieldError::parameter("headers", ErrorCode::InvalidType, "headers: values must be strings"));
        }
    }
    // One constructor behind every overload: it reads a record, a sequence of pairs or a Headers.
    let headers = web_sys::Headers::new_with_str_sequence_sequence(value).map_err(|e| {
        let why = get(&e, "message").as_string().unwrap_or_default();
        let named = Object::entries(value.unchecked_ref::<Object>())
            .iter()
            .filter_map(|pair| pair.unchecked_into::<Array>().get(0).as_string())
            .find(|name| web_sys::Headers::new().is_ok_and(|probe| probe.append(name, "x").is_err()));
        match named {
            Some(name) => fail(&format!("{} is not a valid header", quoted(&name))),
            None => fail(&format!("not valid headers ({why})")),
        }
    })?;
    let mut pairs = Vec::new();
    let entries = js_sys::try_iter(&headers).ok().flatten().into_iter().flatten();
    for pair in entries {
        let pair: Array = pair.map_err(|_| fail("unreadable"))?.unchecked_into();
        let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) else {
            return Err(fail("unreadable"));
        };
        if RESERVED_HEADERS.iter().any(|r| r.eq_ignore_ascii_case(&name)) {
            return Err(fail(&format!("{name} is set by the client (use apiKey or the call options)")));
        }
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// Whether `value` has a `[Symbol.iterator]` (an array, a `Headers`, a `Map`).
fn is_iterable(value: &JsValue) -> bool {
    js_sys::Reflect::get(value, &js_sys::Symbol::iterator()).is_ok_and(|f| f.is_function())
}

/// `limits: Partial<ValidationLimits>` over the defaults.
pub(crate) fn limits_option(value: &JsValue) -> Result<Limits, FieldError> {
    let mut limits = Limits::default();
    if value.is_undefined() || value.is_null() {
        return Ok(limits);
    }
    if !value.is_object() || Array::is_array(value) {
        let detail = "limits: expected an object {subjectMax?, descriptionMax?, participantsPerRequest?}";
        return Err(FieldError::parameter("limits", ErrorCode::InvalidType, detail));
    }
    // The object `limits()` answers is accepted as it is: its fixed limits only as they are.
    let fixed = [("groupSize", GROUP_SIZE_MAX), ("pictureMaxBytes", PICTURE_MAX_BYTES)];
    let known = ["subjectMax", "descriptionMax", "participantsPerRequest", "groupSize", "pictureMaxBytes"];
    if let Some(key) = unknown_key(value, "limits", &known)? {
        let detail = format!("limits: {} is not a limit (expected {})", quoted(&key), joined(&known[..3], ", "));
        return Err(FieldError::parameter(format!("limits.{key}"), ErrorCode::UnknownField, detail));
    }
    for (name, fixed) in fixed {
        let given = get(value, name);
        if !given.is_undefined() && given.as_f64() != Some(fixed as f64) {
            let detail = format!("limits.{name}: fixed at {fixed}, not configurable");
            return Err(FieldError::parameter(format!("limits.{name}"), ErrorCode::InvalidParameter, detail));
        }
    }
    // One request adds at most what a group holds besides its creator.
    for (name, slot, max) in [
        ("subjectMax", &mut limits.subject_max, u32::MAX as usize),
        ("descriptionMax", &mut limits.description_max, u32::MAX as usize),
        ("participantsPerRequest", &mut limits.participants_per_request, GROUP_SIZE_MAX - 1),
    ] {
        let given = get(value, name);
        if given.is_undefined() {
            continue;
        }
        match given.as_f64() {
            Some(n) if n.fract() == 0.0 && (1.0..=max as f64).contains(&n) => *slot = n as usize,
            _ => {
                let detail = format!("limits.{name}: expected a whole number from 1 to {max}");
                return Err(FieldError::parameter(format!("limits.{name}"), ErrorCode::InvalidParameter, detail));
            }
        }
    }
    Ok(limits)
}

/// A query value as text: strings as they are, other values as JSON (`5`, `true`), so the core
/// judges them; `undefined`/`null` leave the parameter out.
fn query_text(value: &JsValue) -> Option<String> {
    if value.is_undefined() || value.is_null() {
        return None;
    }
    value.as_string().or_else(|| js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()))
}

/// The body as JSON text, written by the browser's `JSON.stringify`.
fn json_text(body: &JsValue) -> Result<String, Error> {
    js_sys::JSON::stringify(body)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::new(ErrorCode::InvalidJson, "the request cannot be written as JSON"))
}
