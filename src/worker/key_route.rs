//! groupgate's own route outside `/api/` (WAHA has its own `/api/keys`): `GET /groupgate/key`
//! answers what the calling key may do (its sessions, scopes and origins), never the key. The
//! rest of `/groupgate/` is the console's copy of the npm module (static assets).

use super::gateway::{client_key, read_body};
use super::http::{respond, Exchange, Outgoing};
use super::incoming::Incoming;
use crate::config::GatewaySettings;
use crate::error::{Error, ErrorCode};
use crate::keys::KEY_PATH;

/// Answers a request of [`KEY_PATH`]: authenticated like every call (a key, its origin) before
/// anything else, so a stranger learns nothing.
pub async fn answer(
    req: &mut Incoming,
    settings: &GatewaySettings,
    exchange: &mut Exchange,
) -> Result<Outgoing, Error> {
    // Read before answering anything, as every route does (an early answer can reset a sender).
    let _ = read_body(req).await;
    let key = settings.keys.authenticate(client_key(req).as_deref())?;
    key.check_origin(exchange.origin.as_deref())?;
    exchange.log.operation = Some("scopes");
    if req.method() != "GET" {
        exchange.headers.push(("Allow", "GET".into()));
        return Err(Error::new(ErrorCode::MethodNotAllowed, format!("{KEY_PATH} answers GET only")));
    }
    exchange.headers.push(("Cache-Control", "no-store".into()));
    Ok(respond(200, key.grant().render().into_bytes(), "application/json"))
}
