//! Writes groupgate's OpenAPI document, with the default limits and pretty-printed (the Worker
//! serves it compact), to the file named by the first argument (or to standard output):
//! `cargo run --example openapi -- openapi.json`.

use groupgate::limits::Limits;
use groupgate::openapi::document;

fn main() -> std::io::Result<()> {
    let value: serde_json::Value = serde_json::from_str(&document(&Limits::default()))?;
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    match std::env::args().nth(1) {
        Some(path) => std::fs::write(path, text),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}
