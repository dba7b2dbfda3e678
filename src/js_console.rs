//! The JavaScript console of the wasm builds (the Worker's and the npm module's), and their panics
//! written to it.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// The host's `console.error` with one string argument.
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    pub fn console_error(line: &str);
}

/// Installs the panic hook: each panic's message and place go to `console.error` (the shipped
/// wasm has no function names, so a JavaScript stack would add nothing), then `after` runs.
pub fn report_panics(after: fn()) {
    std::panic::set_hook(Box::new(move |info| {
        console_error(&info.to_string());
        after();
    }));
}
