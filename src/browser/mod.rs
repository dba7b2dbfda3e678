//! The npm module (feature `browser`): `GroupsClient`, a typed client of the groupgate Worker that
//! validates every request with the Worker's own code before sending it, `GroupgateError` with
//! the Worker's stable codes, and helpers for forms and webhooks.

pub(crate) mod arguments;
pub(crate) mod client;
mod errors;
mod helpers;
mod http;
mod key_scopes;
mod paced;
mod types;
mod validate;
pub(crate) mod webhook;

pub use client::GroupsClient;
pub use errors::is_groupgate_error;
pub use helpers::{limits, parse_group_event, parse_invite, phone_to_user_id};
pub use paced::add_participants_paced;
pub use validate::validate_request;

/// Sends panics to `console.error` (their message and place), installed by the first call into
/// the module that may panic.
fn report_panics_once() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| crate::js_console::report_panics(|| {}));
}
