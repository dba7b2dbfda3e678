//! Writes groupgate's OpenAPI document, with the default limits, to the file named by the first
//! argument (or to standard output): `cargo run --example openapi -- openapi.json`.

use groupgate::limits::Limits;
use groupgate::openapi::document;

fn main() -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(&document(&Limits::default()))?;
    text.push('\n');
    match std::env::args().nth(1) {
        Some(path) => std::fs::write(path, text),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}
