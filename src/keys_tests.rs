use super::*;

const ALPHA: &str = "alpha-key-0123456789";
const BETA: &str = "beta-key-0123456789";

fn session(s: &str) -> SessionName {
    SessionName::parse(s).unwrap()
}

fn key<'k>(keys: &'k ClientKeys, presented: &str) -> &'k ClientKey {
    keys.authenticate(Some(presented)).unwrap_or_else(|e| panic!("{presented}: {e}"))
}

fn scopes_of(entry: &ClientKey) -> Vec<&'static str> {
    Scope::ALL.iter().filter(|s| entry.may(**s)).map(|s| s.as_str()).collect()
}

/// The error of parsing `value`, checked never to repeat any of `secrets`.
fn refused(value: &str, secrets: &[&str]) -> String {
    let err = ClientKeys::parse(value).expect_err(value);
    for secret in secrets {
        assert!(!err.contains(secret), "{err:?} repeats {secret:?}");
    }
    err
}

#[test]
fn todays_forms_keep_every_scope_and_origin() {
    let keys = ClientKeys::parse(&format!("{ALPHA}, {BETA}:sales|support")).unwrap();
    let alpha = key(&keys, ALPHA);
    assert!(alpha.may_use_session(&session("any")));
    assert_eq!(scopes_of(alpha).len(), Scope::ALL.len());
    assert!(alpha.check_origin(Some("https://anywhere.example")).is_ok());
    let beta = key(&keys, BETA);
    assert!(beta.may_use_session(&session("sales")) && beta.may_use_session(&session("support")));
    assert!(!beta.may_use_session(&session("default")));
    assert_eq!(scopes_of(beta).len(), Scope::ALL.len(), "no scope list keeps all scopes");
    let err = beta.check_session(&session("default")).unwrap_err();
    assert_eq!((err.code, err.detail.as_str()), (ErrorCode::Forbidden, "this API key may not use session default"));
}

#[test]
fn the_scope_list_may_be_comma_separated_inside_the_comma_separated_list() {
    let keys = ClientKeys::parse(&format!("ops-key-0123456789ab:sales|support:members,read,create, {ALPHA}")).unwrap();
    let ops = key(&keys, "ops-key-0123456789ab");
    assert_eq!(scopes_of(ops), ["read", "members", "create"]);
    assert!(ops.may_use_session(&session("support")) && !ops.may_use_session(&session("default")));
    assert_eq!(scopes_of(key(&keys, ALPHA)).len(), Scope::ALL.len(), "the entry after the scopes is a key");
    let piped = ClientKeys::parse(&format!("{BETA}:*:read|write,refresh")).unwrap();
    let beta = key(&piped, BETA);
    assert_eq!(scopes_of(beta), ["read", "write", "refresh"]);
    assert!(beta.may_use_session(&session("anything")), "* is every session");
    let all = ClientKeys::parse(&format!("{BETA}:sales:*")).unwrap();
    assert_eq!(scopes_of(key(&all, BETA)).len(), Scope::ALL.len(), "* is every scope");
}

#[test]
fn a_refused_scope_is_named() {
    let keys = ClientKeys::parse(&format!("{ALPHA}:*:read")).unwrap();
    let alpha = key(&keys, ALPHA);
    assert!(alpha.check_scope(Scope::Read).is_ok());
    let err = alpha.check_scope(Scope::Members).unwrap_err();
    assert_eq!((err.code, err.status), (ErrorCode::Forbidden, 403));
    assert_eq!(err.detail, "this key may not use scope members");
}

#[test]
fn origins_bind_a_key_and_may_follow_a_continued_scope_list() {
    let value = format!("{ALPHA}:*:read,write:https://Console.example.com|http://127.0.0.1:8788, {BETA}:sales:members:https://b.example");
    let keys = ClientKeys::parse(&value).unwrap();
    let alpha = key(&keys, ALPHA);
    assert_eq!(scopes_of(alpha), ["read", "write"]);
    for allowed in
        [Some("https://console.example.com"), Some("HTTPS://CONSOLE.EXAMPLE.COM"), Some("http://127.0.0.1:8788"), None]
    {
        assert!(alpha.check_origin(allowed).is_ok(), "{allowed:?}");
    }
    for refused in ["https://evil.example", "https://console.example.com.evil.example", "null", "http://127.0.0.1:8789"]
    {
        let err = alpha.check_origin(Some(refused)).unwrap_err();
        assert_eq!((err.code, err.status), (ErrorCode::OriginNotAllowed, 403), "{refused}");
    }
    let beta = key(&keys, BETA);
    assert_eq!(scopes_of(beta), ["members"]);
    assert!(beta.check_origin(Some("https://b.example")).is_ok());
    assert!(beta.check_origin(Some("https://console.example.com")).is_err());
}

#[test]
fn the_grant_lists_sessions_scopes_and_origins_never_the_key() {
    let keys = ClientKeys::parse(&format!("{ALPHA}:sales|support:members,read:https://a.example, {BETA}")).unwrap();
    let text = key(&keys, ALPHA).grant().render();
    // As serde_json wrote it before: keys sorted.
    assert_eq!(text, r#"{"origins":["https://a.example"],"scopes":["read","members"],"sessions":["sales","support"]}"#);
    let grant: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        grant,
        serde_json::json!({"sessions": ["sales", "support"], "scopes": ["read", "members"], "origins": ["https://a.example"]})
    );
    let all: serde_json::Value = serde_json::from_str(&key(&keys, BETA).grant().render()).unwrap();
    assert_eq!(all["sessions"], "*");
    assert_eq!(all["origins"], "*");
    assert_eq!(all["scopes"].as_array().unwrap().len(), Scope::ALL.len());
    assert!(!grant.to_string().contains(ALPHA) && !all.to_string().contains(BETA));
    assert!(!format!("{keys:?}").contains(ALPHA), "Debug redacts the keys");
}

#[test]
fn authentication_finds_exactly_the_key() {
    let keys = ClientKeys::parse(&format!("{ALPHA},{BETA}:sales")).unwrap();
    assert!(keys.authenticate(Some(BETA)).unwrap().may_use_session(&session("sales")));
    for wrong in ["beta-key-012345678", "beta-key-01234567890", "BETA-KEY-0123456789", ""] {
        let err = keys.authenticate(Some(wrong)).unwrap_err();
        assert_eq!((err.code, err.detail.as_str()), (ErrorCode::Unauthorized, "invalid API key"), "{wrong}");
    }
    let missing = keys.authenticate(None).unwrap_err();
    assert_eq!(missing.code, ErrorCode::Unauthorized);
    assert!(missing.detail.starts_with("missing API key"));
}

#[test]
fn bad_entries_name_their_position_never_the_key() {
    let cases: &[(String, &str)] = &[
        ("short".into(), "API_KEYS entry 1: a key needs at least 16 printable characters"),
        (format!("{ALPHA},short-key:sales"), "API_KEYS entry 2: a key needs at least 16 printable characters"),
        (format!("{ALPHA}:sales|bad/session"), "API_KEYS entry 1: session: only letters, digits, '_' and '-' are allowed"),
        (format!("{ALPHA}:sales:read|admin"), "API_KEYS entry 1: scope 2 is not one of read, write, members, invite, create, delete, refresh"),
        (format!("{ALPHA}:sales:"), "API_KEYS entry 1: scope 1 is not one of read, write, members, invite, create, delete, refresh"),
        (format!("{ALPHA}:*:read:admin.example.com"), "API_KEYS entry 1: origin 1 must start with https:// or http://"),
        (format!("{ALPHA}:*:read,write:https://a.example|https://b.example/app"), "API_KEYS entry 1: origin 2 must be scheme://host[:port] with no path"),
        (format!("{ALPHA},read"), "API_KEYS entry 1: a scope after a comma continues the scope list of the entry before it (key:sessions:scope,scope)"),
        (format!("{ALPHA}:*:read:https://a.example,write"), "API_KEYS entry 1: a scope after a comma continues the scope list of the entry before it (key:sessions:scope,scope)"),
        (format!("{ALPHA}:*:*,write"), "API_KEYS entry 1: a scope after a comma continues the scope list of the entry before it (key:sessions:scope,scope)"),
        ("read".into(), "API_KEYS entry 1: a scope after a comma continues the scope list of the entry before it (key:sessions:scope,scope)"),
        (format!("{ALPHA}:*:read,write,{BETA},{ALPHA}:sales"), "API_KEYS entry 3: the same key as entry 1"),
        (format!("{ALPHA}:*:read,write|members"), "API_KEYS entry 2: a key needs at least 16 printable characters"),
    ];
    for (value, want) in cases {
        assert_eq!(refused(value, &[ALPHA, BETA, "short"]), *want, "{value}");
    }
}

#[test]
fn constant_time_eq_is_eq() {
    assert!(constant_time_eq(b"abc", b"abc"));
    assert!(!constant_time_eq(b"abc", b"abd"));
    assert!(!constant_time_eq(b"abc", b"abcd"));
    assert!(!constant_time_eq(b"", b"\xff"));
}

#[test]
fn every_scope_allows_an_operation_and_its_spelling_reads_back() {
    for &scope in Scope::ALL {
        assert!(scope.operations().next().is_some(), "{scope:?} allows nothing");
        assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        assert!(Scope::TS_UNION.contains(&format!("| \"{}\"", scope.as_str())));
        assert!(scope.as_str().len() < CLIENT_KEY_MIN, "a scope name can never be read as a key");
    }
    assert_eq!(Scope::parse("Read"), None);
}

#[test]
fn the_readme_scope_table_is_the_operation_table() {
    let readme = include_str!("../README.md");
    for &scope in Scope::ALL {
        let prefix = format!("| `{}` |", scope.as_str());
        let row = readme.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no README row {prefix}"));
        let listed: Vec<&str> = row.split('|').nth(2).unwrap().split('`').skip(1).step_by(2).collect();
        let declared: Vec<&str> = scope.operations().map(OperationKind::client_name).collect();
        assert_eq!(listed, declared, "README scope table, row {}", scope.as_str());
    }
}

#[test]
fn the_readme_examples_parse() {
    let readme = include_str!("../README.md");
    let examples: Vec<&str> = readme.lines().filter_map(|l| l.strip_prefix("API_KEYS=\"")?.strip_suffix('"')).collect();
    assert!(examples.len() >= 4, "{examples:?}");
    for example in examples {
        ClientKeys::parse(example).unwrap_or_else(|e| panic!("{example}: {e}"));
    }
    let keys = ClientKeys::parse(
        "dashboard-key-5a0c9e2d17:*:read:https://dash.example.com,cron-key-b71f3e0d9a24:default:refresh",
    )
    .unwrap();
    assert_eq!(scopes_of(key(&keys, "dashboard-key-5a0c9e2d17")), ["read"]);
    assert_eq!(scopes_of(key(&keys, "cron-key-b71f3e0d9a24")), ["refresh"]);
}
