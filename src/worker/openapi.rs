//! `GET /openapi.json`: the OpenAPI document with the running limits, built once per isolate (the
//! settings of an isolate do not change). No key is needed: the document holds no secret.

use super::gateway::read_body;
use super::http::{respond, Exchange, Outgoing};
use super::incoming::Incoming;
use crate::config::GatewaySettings;
use crate::error::{Error, ErrorCode};
use crate::openapi::{document, OPENAPI_PATH};
use std::sync::OnceLock;

/// Answers a request of [`OPENAPI_PATH`].
pub async fn answer(
    req: &mut Incoming,
    settings: &GatewaySettings,
    exchange: &mut Exchange,
) -> Result<Outgoing, Error> {
    static DOCUMENT: OnceLock<Vec<u8>> = OnceLock::new();
    // Read before answering anything, as every route does (an early answer can reset a sender).
    let _ = read_body(req).await;
    exchange.log.operation = Some("openapi");
    if req.method() != "GET" {
        exchange.headers.push(("Allow", "GET".into()));
        return Err(Error::new(ErrorCode::MethodNotAllowed, format!("{OPENAPI_PATH} answers GET only")));
    }
    let body = DOCUMENT.get_or_init(|| document(&settings.limits).into_bytes());
    Ok(respond(200, body.clone(), "application/json"))
}
