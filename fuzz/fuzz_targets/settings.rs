//! The settings parser: `GatewaySettings::from_lookup` over a fuzzed map of names to values (one
//! `NAME=value` a line), and `API_KEYS` and the webhook settings on their own. It must never
//! panic; an error starts with the name of a setting it read, and never repeats a value: `$SECRET`
//! in a value stands for a secret-like text that no error may contain. The parsed settings'
//! `Debug` shows no key.
#![no_main]

use groupgate::config::GatewaySettings;
use groupgate::keys::ClientKeys;
use groupgate::webhook::WebhookSettings;
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;

/// Stands for a secret in a value.
const SECRET: &str = "$SECRET";
/// What it expands to.
const CANARY: &str = "Zq7canarySecretValue";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let settings: Vec<(String, String)> = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.replace(SECRET, CANARY)))
        .collect();
    let asked = RefCell::new(Vec::<String>::new());
    let get = |name: &str| {
        asked.borrow_mut().push(name.to_owned());
        settings.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    };
    match GatewaySettings::from_lookup(get) {
        Ok(parsed) => {
            let shown = format!("{parsed:?}");
            let (secrets, public) = secrets(&settings);
            for secret in secrets.iter().filter(|s| keylike(s) && !public.contains(**s)) {
                assert!(!shown.contains(secret), "the secret {secret:?} in {shown}");
            }
        }
        Err(error) => check_setting_error(&error, &asked.borrow()),
    }
    asked.borrow_mut().clear();
    if let Err(error) = WebhookSettings::from_lookup(get) {
        check_setting_error(&error, &asked.borrow());
    }
    let api_keys = settings.iter().find(|(n, _)| n == "API_KEYS").map(|(_, v)| v.as_str()).unwrap_or_default();
    if let Err(error) = ClientKeys::parse(api_keys) {
        check_setting_error(&error, &["API_KEYS".to_owned()]);
    }
});

/// The secrets among `settings` (the key settings' values, each client key of `API_KEYS`), and
/// every other text of them, joined.
fn secrets(settings: &[(String, String)]) -> (Vec<&str>, String) {
    let (mut secrets, mut public) = (Vec::new(), String::new());
    for (name, value) in settings {
        match name.as_str() {
            "UPSTREAM_API_KEY" | "WEBHOOK_HMAC_KEY" | "WEBHOOK_FORWARD_HMAC_KEY" => secrets.push(value.as_str()),
            "API_KEYS" => {
                for piece in value.split(',') {
                    let (key, rest) = piece.split_once(':').unwrap_or((piece, ""));
                    secrets.push(key.trim());
                    public.push_str(rest);
                    public.push('\n');
                }
            }
            _ => {
                public.push_str(value);
                public.push('\n');
            }
        }
    }
    (secrets, public)
}

/// A secret worth the name: long, of letters and digits (not a word of the `Debug` output).
fn keylike(text: &str) -> bool {
    text.len() >= 12 && text.contains(|c: char| c.is_ascii_digit()) && text.contains(char::is_alphabetic)
}

/// An error names a setting that was read, first, and repeats no secret.
fn check_setting_error(error: &str, asked: &[String]) {
    let named = asked.iter().any(|name| {
        error.strip_prefix(name.as_str()).is_some_and(|rest| rest.starts_with(':') || rest.starts_with(' '))
    });
    assert!(named, "{error:?} does not start with a setting's name (read: {asked:?})");
    assert!(!error.contains(CANARY), "a value in the error {error:?}");
}
