//! The Workers static assets (`[assets]` in wrangler.toml, binding `ASSETS`, with
//! `run_worker_first`, so the Worker sees every request): the admin console, where every path
//! outside the API falls through to (a missing file is the API's `404` problem), and the OpenAPI
//! template, which the Worker reads itself.

use super::batched::{Body, HeaderList};
use super::http::{internal, Outgoing};
use super::incoming::Incoming;
use super::runtime::Env;
use super::task::settled;
use crate::error::{Error, ErrorCode};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Response;

/// The static assets binding.
const ASSETS_BINDING: &str = "ASSETS";

#[wasm_bindgen]
extern "C" {
    /// The assets binding (a fetcher).
    type Assets;

    #[wasm_bindgen(method, catch)]
    fn fetch(this: &Assets, request: &web_sys::Request) -> Result<Promise, JsValue>;
}

/// The assets' answer to `request`, `None` when the Worker has no assets binding.
async fn fetch_asset(env: &Env, request: &web_sys::Request) -> Result<Option<Response>, Error> {
    let Some(assets) = env.binding::<Assets>(ASSETS_BINDING) else { return Ok(None) };
    Ok(Some(settled(assets.fetch(request).map_err(internal)?).await.map_err(internal)?.unchecked_into()))
}

/// The text of the asset at `url` (a GET), `None` when the Worker has no assets binding or no such
/// file.
pub async fn asset_text(env: &Env, url: &str) -> Result<Option<String>, Error> {
    let request = web_sys::Request::new_with_str(url).map_err(internal)?;
    match fetch_asset(env, &request).await? {
        Some(asset) if asset.status() == 200 => {
            Ok(settled(asset.text().map_err(internal)?).await.map_err(internal)?.as_string())
        }
        _ => Ok(None),
    }
}

/// Serves `path` from the console's assets; `/api…`, a missing binding or a missing file is
/// `404 not_found`.
pub async fn serve(req: &Incoming, env: &Env, path: &str) -> Result<Outgoing, Error> {
    let not_found = || Error::new(ErrorCode::NotFound, format!("no route {path}"));
    if path == "/api" || path.starts_with("/api/") {
        return Err(not_found());
    }
    let asset = match fetch_asset(env, req.inner()).await? {
        Some(asset) if asset.status() != 404 => asset,
        _ => return Err(not_found()),
    };
    // Passed on whole: the runtime copies it when the exchange adds its headers (the fetched
    // answer's own are immutable).
    Ok(Outgoing { status: asset.status(), headers: HeaderList::default(), body: Body::Passed(asset) })
}
