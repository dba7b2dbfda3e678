//! Baseline (e): groupgate's core on the read, as the Worker runs it; groupgate's log line.

use crate::Outbound;
use groupgate::config::GatewaySettings;
use groupgate::ops::{Dialect, Part, Waha};
use groupgate::{Error, ErrorCode};
use std::cell::RefCell;

thread_local! {
    static SETTINGS: RefCell<Option<GatewaySettings>> = const { RefCell::new(None) };
}

/// Parses the settings as the Worker does, from the upstream's URL and key and the client keys.
pub fn configure(url: String, key: String, client_keys: String) {
    let settings = GatewaySettings::from_lookup(|name| match name {
        "UPSTREAM_URL" => Some(url.clone()),
        "UPSTREAM_API_KEY" => Some(key.clone()),
        "API_KEYS" => Some(client_keys.clone()),
        _ => None,
    });
    SETTINGS.set(settings.ok());
}

/// The read of `method target` routed, its key, session and scope checked, read into its plan
/// and rendered for the upstream; `None` when any of that refuses it (or the settings did).
pub fn outbound(method: &str, target: &str, client_key: Option<&str>) -> Option<Outbound> {
    SETTINGS.with_borrow(|settings| checked(settings.as_ref()?, method, target, client_key).ok())
}

fn checked(
    settings: &GatewaySettings,
    method: &str,
    target: &str,
    client_key: Option<&str>,
) -> Result<Outbound, Error> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let refused = || Error::new(ErrorCode::NotFound, "not a read of this benchmark");
    let located = Waha.locate(method, path).ok_or_else(refused)?;
    let key = settings.keys.authenticate(client_key)?;
    key.check_origin(None)?;
    let found = located.found.as_ref().map_err(|unrouted| unrouted.error.clone())?;
    key.check_scope(found.endpoint.scope())?;
    let plan = Waha.read(located.session, found, query, b"", &settings.limits)?;
    key.check_session(&plan.session)?;
    for kind in plan.kinds() {
        key.check_scope(kind.scope())?;
    }
    let [Part::Ready(operation)] = plan.parts.as_slice() else { return Err(refused()) };
    let rendered = settings.upstream_dialect.render(&plan.session, operation)?;
    let mut url = [&settings.upstream_url, rendered.path.as_str()].concat();
    if !rendered.query.is_empty() {
        url.extend(["?", &rendered.query]);
    }
    let (name, value) = settings.upstream_dialect.credentials(&settings.upstream_key);
    Ok(Outbound {
        url,
        session: plan.session.to_string(),
        operation: operation.kind().client_name(),
        credentials: (name, value),
    })
}

/// groupgate's log line names the dialect, operation, scope and session.
pub fn log_fields(out: &mut String, session: &str, operation: &str) {
    out.push_str(",\"dialect\":\"waha\",\"operation\":");
    super::json_string(out, operation);
    out.push_str(",\"scope\":\"read\",\"session\":");
    super::json_string(out, session);
}

/// The end of groupgate's log line on a read it forwarded.
pub const LOG_TAIL: &str = ",\"rateLimit\":null,\"kvOps\":0,\"doCalls\":0,\"error\":null}";
