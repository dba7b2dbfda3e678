//! groupgate: validate, authenticate and rate-limit WhatsApp group API calls.
//!
//! The core (everything not behind a feature) knows no host: ids, the operation table,
//! validation, errors, events and rate-limit arithmetic compile natively and are tested with
//! `cargo test`. The `worker` feature adds the Cloudflare Worker adapter, the `browser` feature
//! the npm module's client.

pub mod admission;
pub mod cache;
pub mod config;
pub mod error;
pub mod events;
pub mod headers;
pub mod held_keys;
pub mod idempotency;
pub mod ids;
pub mod invite;
pub mod keys;
pub mod limits;
pub mod netaddr;
pub mod openapi;
pub mod ops;
pub mod order;
pub mod pacing;
pub mod picture;
pub mod picture_url;
pub mod ratelimit;
pub mod upstream;
pub mod webhook;
pub mod wire;

pub use error::{Error, ErrorCode, FieldError};
pub use ops::{GroupRequest, Operation, OperationKind, RenderedRequest};
/// The npm module for browsers (feature `browser`).
#[cfg(feature = "browser")]
pub mod browser;
#[cfg(any(feature = "worker", feature = "browser"))]
mod js_console;
#[cfg(feature = "worker")]
mod worker;

/// The wasm builds' allocator (the Worker's and the npm module's): talc, a few KB smaller than
/// Rust's default for wasm (dlmalloc).
#[cfg(all(any(feature = "worker", feature = "browser"), target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
