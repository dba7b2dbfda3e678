//! The Cloudflare Worker adapter (feature `worker`).

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    Response::ok(format!("hello {}", req.path()))
}
