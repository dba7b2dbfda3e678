//! The admin console: every path outside the API falls through to the Workers static assets
//! (`[assets]` in wrangler.toml, binding `ASSETS`, with `run_worker_first`, so the Worker sees
//! every request); a missing file is the API's `404` problem.

use super::http::internal;
use super::incoming::Incoming;
use crate::error::{Error, ErrorCode};
use worker::{Env, Response};

/// The static assets binding.
const ASSETS_BINDING: &str = "ASSETS";

/// Serves `path` from the console's assets; `/api…`, a missing binding or a missing file is
/// `404 not_found`.
pub async fn serve(req: Incoming, env: &Env, path: &str) -> Result<Response, Error> {
    let not_found = || Error::new(ErrorCode::NotFound, format!("no route {path}"));
    if path == "/api" || path.starts_with("/api/") {
        return Err(not_found());
    }
    let Ok(assets) = env.assets(ASSETS_BINDING) else { return Err(not_found()) };
    let response = assets.fetch_request(req.into_worker()).await.map_err(internal)?;
    if response.status_code() == 404 {
        return Err(not_found());
    }
    Ok(response)
}
