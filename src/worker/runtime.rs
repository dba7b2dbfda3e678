//! The Workers runtime's own objects, bound with `wasm_bindgen`: `env`, `ctx`, timers and the
//! console. The adapter uses these and web_sys directly rather than the `worker` crate, whose
//! wrappers convert every request, response and error (and whose streams classes and handlers
//! are exported whether used or not).

use super::task::{run, settled, Settled};
use js_sys::{Function, Promise, Reflect};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    /// The Worker's `env`: its variables, secrets and bindings.
    pub type Env;

    /// The invocation's `ctx`.
    pub type Context;

    #[wasm_bindgen(method, js_name = waitUntil)]
    fn wait_until_promise(this: &Context, promise: &Promise);

    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: u32) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(timer: &JsValue);

    /// The runtime's `console.log` with one string argument.
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    pub fn console_log(line: &str);
}

pub use crate::js_console::console_error;

/// A variable that is neither text, a number nor a boolean (a table or an array in
/// wrangler.toml's `[vars]`).
#[derive(Debug)]
pub struct NotText;

impl Env {
    /// The variable or secret `name` as text (`None`: unset). A number or a boolean, as an
    /// unquoted value in wrangler.toml arrives, is read as its text (`30000`, `true`).
    pub fn var(&self, name: &str) -> Result<Option<String>, NotText> {
        let value = Reflect::get(self, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        if let Some(text) = value.as_string() {
            return Ok(Some(text));
        }
        // The runtime writes the number (Rust's float formatting would add 10 KiB to the Worker).
        if let Some(number) = value.dyn_ref::<js_sys::Number>() {
            return number.to_string_with_radix(10).map(String::from).map(Some).map_err(|_| NotText);
        }
        value.as_bool().map(|flag| Some(flag.to_string())).ok_or(NotText)
    }

    /// The binding `name`, as the runtime's object `T` (`None`: not bound).
    pub fn binding<T: JsCast>(&self, name: &str) -> Option<T> {
        let binding = Reflect::get(self, &JsValue::from_str(name)).ok()?;
        (!binding.is_undefined()).then(|| binding.unchecked_into())
    }
}

impl Context {
    /// Keeps the invocation alive until `work` is done, after the response is sent.
    pub fn wait_until(&self, work: impl Future<Output = ()> + 'static) {
        let pending = run(async move {
            work.await;
            Ok(JsValue::UNDEFINED)
        });
        // Work done at once needs no waiting for.
        if let Some(promise) = pending.dyn_ref::<Promise>() {
            self.wait_until_promise(promise);
        }
    }
}

/// A timer of the runtime as a future; dropping it clears the timer.
pub struct Sleep {
    timer: JsValue,
    fired: Settled,
}

/// The Worker's clock, Unix milliseconds.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Resolves once `ms` milliseconds have passed.
pub fn sleep(ms: u32) -> Sleep {
    let mut timer = JsValue::UNDEFINED;
    let fired = Promise::new(&mut |resolve, _| timer = set_timeout(&resolve, ms));
    Sleep { timer, fired: settled(fired) }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        Pin::new(&mut self.fired).poll(cx).map(drop)
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
    }
}

/// The text of a thrown value: an `Error`'s `name: message`, a string as is.
pub fn message(thrown: &JsValue) -> String {
    match thrown.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.to_string()),
        None => thrown.as_string().unwrap_or_else(|| "the runtime call failed".to_owned()),
    }
}
