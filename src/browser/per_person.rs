//! Per-person results (add, remove, promote, demote) in the one shape the client promises: a list.
//! Engines answer a list, passed on as it is, or an object of their own: keyed by person (each
//! value that person's outcome, WhatsApp's code as its `status` or `code`), or one status for the
//! whole call. An object becomes one result per person asked about, in the order asked.

use super::errors::{get, set};
use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};

/// The results of a call about `people` (their WAHA ids, in the order asked) from the engine's
/// answer, a list or an object (the caller has refused anything else).
pub(crate) fn per_person_results(answer: JsValue, people: &[String]) -> JsValue {
    if Array::is_array(&answer) {
        return answer;
    }
    let keyed: Vec<(String, JsValue)> = Object::entries(answer.unchecked_ref())
        .iter()
        .filter_map(|entry| {
            let pair: Array = entry.unchecked_into();
            let value = pair.get(1);
            Some((pair.get(0).as_string()?, value)).filter(|(_, value)| value.is_object())
        })
        .collect();
    let whole = status_of(&answer).unwrap_or_default();
    let results = Array::new();
    for person in people {
        let result = match keyed.iter().find(|(key, _)| same_person(key, person)) {
            Some((key, outcome)) => {
                let result: JsValue = Object::assign(&Object::new(), outcome.unchecked_ref()).into();
                set(&result, "id", &JsValue::from_str(key));
                set(&result, "status", &JsValue::from_str(&status_of(outcome).unwrap_or_default()));
                result
            }
            None => {
                let result: JsValue = Object::new().into();
                set(&result, "id", &JsValue::from_str(person));
                set(&result, "status", &JsValue::from_str(&whole));
                result
            }
        };
        results.push(&result);
    }
    results.into()
}

/// WhatsApp's code in `value`, as text: its `status`, or its `code` (a string or a whole number).
fn status_of(value: &JsValue) -> Option<String> {
    ["status", "code"].into_iter().find_map(|name| {
        let field = get(value, name);
        let whole = field.as_f64().filter(|n| n.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(n));
        field.as_string().or_else(|| whole.map(|n| (n as u32).to_string()))
    })
}

/// Whether two ids name the same person: the same user part (before `@`, and before a device's `:`).
fn same_person(a: &str, b: &str) -> bool {
    !user_part(a).is_empty() && user_part(a) == user_part(b)
}

/// The user part of an id: before `@`, and before a device's `:`.
fn user_part(id: &str) -> &str {
    id.split(['@', ':']).next().unwrap_or_default()
}
