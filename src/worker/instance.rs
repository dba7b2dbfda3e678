//! The wasm instance's life as the Worker's module (`entry.js`) expects it: the shared
//! `__worker_init_state` (`criticalError`, `instanceId`) the module reads, a panic marking the
//! instance critical (the module then resets it before the next call), and an abort scheduling a
//! fresh instance.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

#[wasm_bindgen(
    inline_js = "export const state = globalThis.__worker_init_state = { criticalError: false, instanceId: 0 };"
)]
extern "C" {
    type InitState;

    #[wasm_bindgen(thread_local_v2, js_name = state)]
    static INIT_STATE: InitState;

    #[wasm_bindgen(method, setter, js_name = criticalError)]
    fn set_critical_error(this: &InitState, critical: bool);

    #[wasm_bindgen(method, getter, js_name = instanceId)]
    fn instance_id(this: &InitState) -> u32;

    #[wasm_bindgen(method, setter, js_name = instanceId)]
    fn set_instance_id(this: &InitState, id: u32);
}

/// Runs when the instance starts: panics go to `console.error` and mark the instance critical; a
/// new instance id tells the shim that objects of an earlier instance are stale.
#[wasm_bindgen(start)]
fn start() {
    crate::js_console::report_panics(|| INIT_STATE.with(|state| state.set_critical_error(true)));
    INIT_STATE.with(|state| state.set_instance_id(state.instance_id() + 1));
    wasm_bindgen::handler::set_on_abort(wasm_bindgen::handler::schedule_reinit);
    super::task::install_reporter();
}

/// The state the shim shares with the instance.
#[wasm_bindgen(js_name = "__worker_init_state")]
pub fn init_state() -> JsValue {
    INIT_STATE.with(|state| state.into())
}
