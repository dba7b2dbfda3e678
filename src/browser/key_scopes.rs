//! `client.scopes()`: what the client's key may do in the client's session, read from the
//! Worker's `GET /groupgate/key`, so a UI can grey out what the key cannot do.

use super::errors::{get, set, Failure};
use crate::error::ErrorCode;
use crate::ids::SessionName;
use crate::keys::Scope;
use crate::ops::OperationKind;
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const TS_SCOPE: &str = Scope::TS_UNION;

#[wasm_bindgen(typescript_custom_section)]
const TS_KEY_SCOPES: &str = r#"
/** What the client's key may do in the client's session (`client.scopes()`). */
export interface KeyScopes {
  /** The client's session. */
  session: string;
  /** Every session the key may use, or `"*"` for all. */
  sessions: string[] | "*";
  /** The key's scopes in this session: none when the session is not one of `sessions`. */
  scopes: Scope[];
  /** The client methods the key may call in this session (`"addParticipants"`, …): those whose
   *  scope is in `scopes`. A method not listed is refused with `forbidden`. */
  methods: string[];
}
"#;

/// The `KeyScopes` object for `session` from the Worker's answer `{sessions, scopes}`; scopes this
/// build does not know (a newer Worker's) are left out.
pub(crate) fn key_scopes(answer: &JsValue, session: &SessionName) -> Result<JsValue, Failure> {
    let garbage = || Failure::new(ErrorCode::UpstreamUnavailable, "unexpected answer: expected {sessions, scopes}");
    let sessions = get(answer, "sessions");
    let in_session = match sessions.as_string() {
        Some(every) if every == "*" => true,
        Some(_) => return Err(garbage()),
        None => {
            let list = sessions.clone().dyn_into::<Array>().map_err(|_| garbage())?;
            list.iter().any(|s| s.as_string().as_deref() == Some(session.as_str()))
        }
    };
    let listed = get(answer, "scopes").dyn_into::<Array>().map_err(|_| garbage())?;
    let held: Vec<Scope> =
        if in_session { listed.iter().filter_map(|s| Scope::parse(&s.as_string()?)).collect() } else { Vec::new() };
    let scopes: Array = held.iter().map(|s| JsValue::from_str(s.as_str())).collect();
    let methods: Array = OperationKind::ALL
        .iter()
        .filter(|kind| held.contains(&kind.scope()))
        .map(|kind| JsValue::from_str(kind.client_name()))
        .collect();
    let out: JsValue = Object::new().into();
    set(&out, "session", &JsValue::from_str(session.as_str()));
    set(&out, "sessions", &sessions);
    set(&out, "scopes", &scopes);
    set(&out, "methods", &methods);
    Ok(out)
}
