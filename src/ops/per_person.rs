//! Per-person results (add, remove, promote, demote) in the one shape the npm client promises: a
//! list, one result per person. WAHA does not pin down what its engines answer: a list, passed on
//! as it is, or an object of the engine's own, keyed by person (each value that person's outcome,
//! with WhatsApp's code as its `status` or `code`, or the bare code) or with one status for the
//! whole call. An object becomes one result per person asked about, in the order asked: the
//! engine's outcome for them (its members kept, `id` as the engine names the person, `status` as
//! text), else the call's one status, else `status: ""` (the engine reported nothing for them).

use super::Operation;
use crate::ids::ParticipantId;
use crate::wire::json::{Object, Value};

/// The people an answer of `operation` reports on: their WAHA ids, in the order asked.
pub fn people_asked(operation: &Operation) -> Vec<String> {
    operation.people().unwrap_or_default().iter().map(ParticipantId::to_waha).collect()
}

/// The results of a call about `people` (WAHA ids, in the order asked) from the engine's answer:
/// a list (or anything but an object, which the caller refuses on its own) as it is, an object
/// made one result per person.
pub fn per_person_results<'a>(answer: Value<'a>, people: &[String]) -> Value<'a> {
    let Value::Object(mut outcomes) = answer else { return answer };
    let whole = status_of(&outcomes);
    let mut results = Vec::with_capacity(people.len());
    for person in people {
        let named = outcomes.keys().find(|key| same_person(key, person)).map(str::to_owned);
        let (id, status, mut result) = match named.and_then(|key| Some((outcomes.remove(&key)?, key))) {
            Some((Value::Object(outcome), key)) => (key, status_of(&outcome), outcome),
            Some((code, key)) => (key, code_text(Some(&code)), Object::default()),
            None => (person.clone(), whole.clone(), Object::default()),
        };
        result.insert("id", Value::from(id));
        result.insert("status", Value::from(status));
        results.push(Value::Object(result));
    }
    Value::Array(results)
}

/// WhatsApp's code in `outcome`, as text: its `status`, or its `code` (text or a whole number);
/// `""` when it has neither.
fn status_of(outcome: &Object<'_>) -> String {
    code_text(outcome.get("status").or_else(|| outcome.get("code")))
}

/// A code given as text or as a whole number, as text; `""` for anything else.
fn code_text(code: Option<&Value<'_>>) -> String {
    match code {
        Some(Value::String(text)) => text.to_string(),
        Some(number) => number.as_u64().map(|code| code.to_string()).unwrap_or_default(),
        None => String::new(),
    }
}

/// Whether two ids name the same person: the same user part (before `@`, and before a device's `:`).
fn same_person(a: &str, b: &str) -> bool {
    !user_part(a).is_empty() && user_part(a) == user_part(b)
}

fn user_part(id: &str) -> &str {
    id.split(['@', ':']).next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::json;

    fn results(answer: &str, people: &[&str]) -> String {
        let people: Vec<String> = people.iter().map(|p| (*p).to_owned()).collect();
        per_person_results(json::parse(answer).unwrap(), &people).render()
    }

    #[test]
    fn a_list_is_passed_on_as_it_is() {
        let list = r#"[{"id":"1555@c.us","status":"200"},{"x":1}]"#;
        assert_eq!(results(list, &["1555@c.us"]), list);
    }

    #[test]
    fn an_object_keyed_by_person_becomes_one_result_per_person_asked_about() {
        let keyed = r#"{"15551230001@s.whatsapp.net":{"code":200,"message":"added"},"15551230003:7@s.whatsapp.net":{"status":"409"}}"#;
        assert_eq!(
            results(keyed, &["15551230003@c.us", "15551230001@c.us", "15551230009@c.us"]),
            concat!(
                r#"[{"id":"15551230003:7@s.whatsapp.net","status":"409"},"#,
                r#"{"code":200,"id":"15551230001@s.whatsapp.net","message":"added","status":"200"},"#,
                r#"{"id":"15551230009@c.us","status":""}]"#
            )
        );
    }

    #[test]
    fn a_person_keyed_to_a_bare_code_gets_that_code() {
        assert_eq!(
            results(r#"{"1@c.us":200,"2@c.us":"403","3@c.us":true}"#, &["2@c.us", "1@c.us", "3@c.us"]),
            r#"[{"id":"2@c.us","status":"403"},{"id":"1@c.us","status":"200"},{"id":"3@c.us","status":""}]"#
        );
    }

    #[test]
    fn one_status_for_the_call_is_everyones() {
        assert_eq!(
            results(r#"{"status":200}"#, &["1@c.us", "2@c.us"]),
            r#"[{"id":"1@c.us","status":"200"},{"id":"2@c.us","status":"200"}]"#
        );
        assert_eq!(results(r#"{"success":true}"#, &["1@c.us"]), r#"[{"id":"1@c.us","status":""}]"#);
    }

    #[test]
    fn a_non_container_is_left_to_the_caller() {
        assert_eq!(results(r#""done""#, &["1@c.us"]), r#""done""#);
    }
}
