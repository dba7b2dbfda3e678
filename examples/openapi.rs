//! Writes groupgate's OpenAPI document to the file named by the last argument (or to standard
//! output): with the default limits and pretty-printed, `cargo run --example openapi --
//! openapi.json`; or, with `--template`, the template the Worker serves filled with its running
//! limits (compact, a placeholder for each limit: scripts/build-console.sh writes it into the
//! Worker's static assets).

use groupgate::limits::Limits;
use groupgate::openapi::{fill, template};
use std::io::{Error, ErrorKind};

fn main() -> std::io::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let as_template = args.first().is_some_and(|a| a == "--template");
    if as_template {
        args.remove(0);
    }
    let text = if as_template {
        template()
    } else {
        let document = fill(&template(), &Limits::default()).map_err(|e| Error::new(ErrorKind::InvalidData, e))?;
        let value: serde_json::Value = serde_json::from_str(&document)?;
        serde_json::to_string_pretty(&value)? + "\n"
    };
    match args.first() {
        Some(path) => std::fs::write(path, text),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}
