//! `addParticipantsPaced`: a bulk add that never sends more than one request's cap or the quota
//! the Worker reports, waits out `Retry-After`, reports each person's outcome as it arrives and
//! can be cancelled. It drives the client's public `addParticipants` and reads the thrown
//! `GroupgateError`'s rate-limit fields; the chunk arithmetic is the host-free `crate::pacing`.

use super::arguments::options_object;
use super::client::text_argument;
use super::errors::{get, set, to_js, Failure};
use crate::error::{Error, ErrorCode, FieldError};
use crate::ids::{GroupId, ParticipantId};
use crate::pacing::{prepare, Outcome, Pacer, Rejected, Step};
use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::AbortSignal;

#[wasm_bindgen(typescript_custom_section)]
const TS_PACED: &'static str = r#"
/** What happened to one person of `addParticipantsPaced`. */
export type PacedOutcome =
  | "added" | "already_member" | "privacy_forbids" | "recently_left" | "group_full"
  | "not_on_whatsapp" | "community_restricted" | "invalid" | "failed";

/** One person's result of `addParticipantsPaced`. */
export interface PacedAddResult {
  /** The person as given. */
  input: ParticipantInput;
  /** The id sent (`…@c.us` or `…@lid`); absent when the input was invalid. */
  id?: string;
  outcome: PacedOutcome;
  /** WhatsApp's status for this person (`"200"`, `"403"`, …), when it was sent. */
  status?: string;
  /** For `privacy_forbids`: the private invite WhatsApp offers to send instead. */
  invite?: { code: string; expiration: number };
  /** For `invalid`: why it was not sent. */
  error?: ParameterFieldError;
}

/** A progress report of `addParticipantsPaced`. */
export interface PacedProgress {
  /** People with a result so far. */
  done: number;
  /** People given. */
  total: number;
  /** The results that arrived with this report. */
  results: PacedAddResult[];
  /** Seconds until the next request while waiting out a rate limit (reported once a second), else 0. */
  waitSeconds: number;
  /** The quota that refused the last request, when the Worker named it. */
  rateLimit?: RateLimitInfo;
  /** Its policy (`quota` units per `window` seconds). */
  rateLimitPolicy?: RateLimitPolicyInfo;
}

/** Options of `addParticipantsPaced`. */
export interface PacedAddOptions {
  /** Called with each report: results as they arrive, and the countdown while waiting. */
  onProgress?: (progress: PacedProgress) => void;
  /** Cancels the add (between requests, during a wait, or the request in flight): the promise
   *  then rejects with code `aborted`; the results reported so far stand. */
  signal?: AbortSignal;
}

/** How `addParticipantsPaced` fails once it has started: the error of the request that stopped it
 *  (or `aborted`), with every result that arrived before it, in input order (people not yet sent
 *  have none). */
export interface PacedAddError extends GroupgateError {
  results: PacedAddResult[];
}
"#;

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout(handler, ms)` (windows and workers).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, milliseconds: i32) -> JsValue;
}

/// Adds `people` to `groupId` through `client.addParticipants` in requests no larger than the
/// client's `participantsPerRequest` and the Worker's quota, waiting out `429`s; resolves with one
/// result per person, in input order. Throws a `GroupgateError` for invalid arguments; once
/// started, a `PacedAddError` (its `results`: those that arrived) for any failure other than a
/// rate limit, and `aborted` when cancelled.
#[wasm_bindgen(js_name = addParticipantsPaced, unchecked_return_type = "Promise<PacedAddResult[]>")]
pub fn add_participants_paced(
    #[wasm_bindgen(unchecked_param_type = "GroupsClient")] client: JsValue,
    #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ParticipantInput[]")] people: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PacedAddOptions")] options: JsValue,
) -> Promise {
    super::report_panics_once();
    future_to_promise(async move {
        let run = BulkAdd::new(client, group_id, &people, &options).map_err(to_js)?;
        run.run().await
    })
}

/// One bulk add in progress.
struct BulkAdd {
    client: JsValue,
    add: Function,
    group_id: JsValue,
    on_progress: Option<Function>,
    signal: Option<AbortSignal>,
    pacer: Pacer,
    /// One result slot per person, in input order.
    results: Vec<Option<JsValue>>,
    /// People still to send: (input index, id).
    pending: Vec<(usize, ParticipantId)>,
    inputs: Vec<JsValue>,
}

impl BulkAdd {
    fn new(client: JsValue, group_id: JsValue, people: &JsValue, options: &JsValue) -> Result<BulkAdd, Error> {
        let add = get(&client, "addParticipants")
            .dyn_into::<Function>()
            .map_err(|_| invalid("client", ErrorCode::InvalidType, "client: expected a GroupsClient"))?;
        let cap = get(&call_method(&client, "limits")?, "participantsPerRequest").as_f64().unwrap_or(1.0);
        let inputs: Vec<JsValue> = people
            .dyn_ref::<Array>()
            .ok_or_else(|| invalid("people", ErrorCode::InvalidType, "people: expected an array of user ids"))?
            .iter()
            .collect();
        if inputs.is_empty() {
            return Err(invalid("people", ErrorCode::EmptyList, "people: the list is empty"));
        }
        // The group is checked as `addParticipants` would, before any request or report.
        let group = text_argument(&group_id, "groupId")?;
        GroupId::parse(&group)
            .map_err(|why| invalid("groupId", ErrorCode::InvalidGroupId, &format!("groupId: {why}")))?;
        let options = options_object(options, "options", &["onProgress", "signal"])?.unwrap_or(JsValue::UNDEFINED);
        let options = &options;
        let on_progress = match get(options, "onProgress") {
            v if v.is_undefined() || v.is_null() => None,
            v => Some(
                v.dyn_into::<Function>()
                    .map_err(|_| invalid("onProgress", ErrorCode::InvalidType, "onProgress: expected a function"))?,
            ),
        };
        let signal = match get(options, "signal") {
            v if v.is_undefined() || v.is_null() => None,
            v => Some(
                v.dyn_into::<AbortSignal>()
                    .map_err(|_| invalid("signal", ErrorCode::InvalidType, "signal: expected an AbortSignal"))?,
            ),
        };
        let texts: Vec<Option<String>> =
            inputs.iter().map(|p| p.as_string().or_else(|| get(p, "id").as_string())).collect();
        let mut run = BulkAdd {
            client,
            add,
            group_id,
            on_progress,
            signal,
            pacer: Pacer::new(cap as usize),
            results: vec![None; inputs.len()],
            pending: Vec::new(),
            inputs,
        };
        for (index, read) in prepare(&texts).into_iter().enumerate() {
            match read {
                Ok(id) => run.pending.push((index, id)),
                Err(rejected) => run.results[index] = Some(run.invalid_result(index, rejected)),
            }
        }
        Ok(run)
    }

    /// Resolves with every result; a failure carries the results so far as its `results`.
    async fn run(mut self) -> Result<JsValue, JsValue> {
        let sent = self.send_all().await;
        let results: Array = self.results.into_iter().flatten().collect();
        match sent {
            Ok(()) => Ok(results.into()),
            Err(error) => {
                if error.is_object() {
                    set(&error, "results", &results);
                }
                Err(error)
            }
        }
    }

    async fn send_all(&mut self) -> Result<(), JsValue> {
        let invalid: Array = self.results.iter().flatten().collect();
        if invalid.length() > 0 {
            self.report(&invalid, 0, None);
        }
        while !self.pending.is_empty() {
            self.check_aborted()?;
            let size = self.pacer.next_chunk(self.pending.len());
            let chunk: Array = self.pending[..size].iter().map(|(_, id)| JsValue::from_str(&id.to_string())).collect();
            let call_options: JsValue = Object::new().into();
            if let Some(signal) = &self.signal {
                set(&call_options, "signal", signal);
            }
            let promise = self.add.call3(&self.client, &self.group_id, &chunk, &call_options)?;
            match JsFuture::from(Promise::resolve(&promise)).await {
                Ok(answer) => self.record(size, &answer),
                Err(error) => self.after_refusal(size, error).await?,
            }
        }
        Ok(())
    }

    /// The people of a forwarded chunk get WhatsApp's per-person outcomes.
    fn record(&mut self, size: usize, answer: &JsValue) {
        let answers: Vec<JsValue> = answer.dyn_ref::<Array>().map(|a| a.iter().collect()).unwrap_or_default();
        let arrived = Array::new();
        for (position, (index, id)) in self.pending.drain(..size).enumerate() {
            let sent = id.to_string();
            let digits = sent.split('@').next().unwrap_or_default();
            let found = answers
                .iter()
                .find(|a| get(a, "id").as_string().is_some_and(|got| got.split('@').next() == Some(digits)))
                .or_else(|| answers.get(position))
                .cloned()
                .unwrap_or(JsValue::UNDEFINED);
            let status = get(&found, "status").as_string().unwrap_or_default();
            let result = result_object(&self.inputs[index], Some(&sent), Outcome::from_status(&status));
            if !status.is_empty() {
                set(&result, "status", &JsValue::from_str(&status));
            }
            let invite = get(&found, "invite");
            if invite.is_object() {
                set(&result, "invite", &invite);
            }
            arrived.push(&result);
            self.results[index] = Some(result);
        }
        self.report(&arrived, 0, None);
    }

    /// A refused chunk: wait or shrink on rate limits, give up on anything else.
    async fn after_refusal(&mut self, size: usize, error: JsValue) -> Result<(), JsValue> {
        let code = get(&error, "code").as_string().unwrap_or_default();
        let number = |path: [&str; 2]| get(&get(&error, path[0]), path[1]).as_f64().map(|n| n as u32);
        match code.as_str() {
            "rate_limited" | "whatsapp_rate_limited" => {
                let retry_after = get(&error, "retryAfter").as_f64().map(|n| n as u32);
                let step = match code.as_str() {
                    "rate_limited" => self.pacer.refused(
                        number(["rateLimit", "remaining"]),
                        number(["rateLimitPolicy", "quota"]),
                        retry_after,
                    ),
                    _ => self.pacer.throttled(retry_after),
                };
                match step {
                    Step::SendNow => Ok(()),
                    Step::Wait(seconds) => self.wait(seconds, &error).await,
                }
            }
            "cost_exceeds_quota" if self.pacer.too_costly(size, number(["rateLimitPolicy", "quota"])) => Ok(()),
            _ => Err(error),
        }
    }

    /// Waits `seconds`, reporting the countdown once a second; an abort ends the wait at once.
    async fn wait(&self, seconds: u32, error: &JsValue) -> Result<(), JsValue> {
        for left in (1..=seconds).rev() {
            self.check_aborted()?;
            self.report(&Array::new(), left, Some(error));
            self.sleep(1000).await;
        }
        self.check_aborted()
    }

    /// Resolves after `milliseconds`, or as soon as the signal aborts.
    async fn sleep(&self, milliseconds: i32) {
        let signal = self.signal.clone();
        let mut wake = None;
        let timer = Promise::new(&mut |resolve, _| {
            set_timeout(&resolve, milliseconds);
            if let Some(signal) = &signal {
                let _ = signal.add_event_listener_with_callback("abort", &resolve);
            }
            wake = Some(resolve);
        });
        let _ = JsFuture::from(timer).await;
        if let (Some(signal), Some(wake)) = (&self.signal, &wake) {
            let _ = signal.remove_event_listener_with_callback("abort", wake);
        }
    }

    fn check_aborted(&self) -> Result<(), JsValue> {
        if self.signal.as_ref().is_some_and(AbortSignal::aborted) {
            return Err(Failure::new(ErrorCode::Aborted, "the bulk add was aborted by its AbortSignal").into_js());
        }
        Ok(())
    }

    /// Calls `onProgress` (its exceptions are the caller's and do not stop the add).
    fn report(&self, arrived: &Array, wait_seconds: u32, refusal: Option<&JsValue>) {
        let Some(callback) = &self.on_progress else { return };
        let progress: JsValue = Object::new().into();
        let done = self.results.iter().filter(|r| r.is_some()).count();
        set(&progress, "done", &JsValue::from(done as u32));
        set(&progress, "total", &JsValue::from(self.results.len() as u32));
        set(&progress, "results", arrived);
        set(&progress, "waitSeconds", &JsValue::from(wait_seconds));
        for key in ["rateLimit", "rateLimitPolicy"] {
            let value = refusal.map(|e| get(e, key)).unwrap_or(JsValue::UNDEFINED);
            if value.is_object() {
                set(&progress, key, &value);
            }
        }
        let _ = callback.call1(&JsValue::NULL, &progress);
    }

    fn invalid_result(&self, index: usize, rejected: Rejected) -> JsValue {
        let result = result_object(&self.inputs[index], None, Outcome::Invalid);
        let error: JsValue = Object::new().into();
        set(&error, "parameter", &JsValue::from_str(&format!("people[{index}]")));
        set(&error, "code", &JsValue::from_str(rejected.code.as_str()));
        set(&error, "detail", &JsValue::from_str(&rejected.detail));
        set(&result, "error", &error);
        result
    }
}

/// `{input, id?, outcome}`.
fn result_object(input: &JsValue, id: Option<&str>, outcome: Outcome) -> JsValue {
    let result: JsValue = Object::new().into();
    set(&result, "input", input);
    if let Some(id) = id {
        set(&result, "id", &JsValue::from_str(id));
    }
    set(&result, "outcome", &JsValue::from_str(outcome.as_str()));
    result
}

/// `target.name()`, as an `invalid_type` error on `client` when it is no method.
fn call_method(target: &JsValue, name: &str) -> Result<JsValue, Error> {
    let fail = || invalid("client", ErrorCode::InvalidType, "client: expected a GroupsClient");
    let method = get(target, name).dyn_into::<Function>().map_err(|_| fail())?;
    method.call0(target).map_err(|_| fail())
}

fn invalid(parameter: &str, code: ErrorCode, detail: &str) -> Error {
    FieldError::parameter(parameter, code, detail).into()
}
