//! `GET /openapi.json`: the OpenAPI document with the running limits. Its template is one of the
//! Worker's static assets (written at build time from the operation table), read and filled once
//! per isolate (the settings of an isolate do not change). No key is needed: the document holds no
//! secret.

use super::console::asset_text;
use super::gateway::read_body;
use super::http::{respond, Exchange, Outgoing};
use super::incoming::Incoming;
use super::runtime::Env;
use crate::config::GatewaySettings;
use crate::error::{Error, ErrorCode};
use crate::openapi::{fill, OPENAPI_PATH, TEMPLATE_ASSET};
use std::sync::OnceLock;

/// Answers a request of [`OPENAPI_PATH`].
pub async fn answer(
    req: &mut Incoming,
    env: &Env,
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
    let document = match DOCUMENT.get() {
        Some(document) => document,
        None => {
            let Some(template) = asset_text(env, &req.url_of(TEMPLATE_ASSET)).await? else {
                return Err(Error::new(
                    ErrorCode::Misconfigured,
                    format!(
                        "{OPENAPI_PATH}: its template is one of the static assets ({TEMPLATE_ASSET}, binding \
                         ASSETS, written by scripts/build-console.sh), and this deployment has none"
                    ),
                ));
            };
            let filled = fill(&template, &settings.limits).map_err(|why| Error::new(ErrorCode::Misconfigured, why))?;
            DOCUMENT.get_or_init(|| filled.into_bytes())
        }
    };
    Ok(respond(200, document.clone(), "application/json"))
}
