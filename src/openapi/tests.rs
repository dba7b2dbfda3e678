use super::*;
use crate::error::ErrorCode;
use crate::ids::{GroupId, ParticipantId};
use crate::invite::InviteCode;
use crate::limits::{is_invisible, PARTICIPANTS_PER_REQUEST_DEFAULT, SUBJECT_MAX_DEFAULT};
use crate::ops::GroupRequest;
use regex::Regex;
use serde_json::{json, Value};

/// The document with `limits`: the template, filled.
fn document(limits: &Limits) -> String {
    fill(&template(), limits).expect("the template names known limits only")
}

/// The document with `limits`, parsed.
fn parsed(limits: &Limits) -> Value {
    serde_json::from_str(&document(limits)).expect("the document is JSON")
}

fn operation_of(doc: &Value, kind: OperationKind) -> &Value {
    let path = format!("/api/{{session}}{}", kind.waha_template());
    &doc["paths"][path][kind.waha_method().as_str().to_ascii_lowercase()]
}

fn body_schema(doc: &Value, kind: OperationKind) -> &Value {
    &operation_of(doc, kind)["requestBody"]["content"]["application/json"]["schema"]
}

/// `value`, or what its `$ref` names in `doc`.
fn resolved<'d>(doc: &'d Value, value: &'d Value) -> &'d Value {
    match value["$ref"].as_str() {
        Some(pointer) => doc.pointer(pointer.trim_start_matches('#')).expect("a $ref names a component"),
        None => value,
    }
}

fn matches(pattern: &str, text: &str) -> bool {
    Regex::new(pattern).unwrap().is_match(text)
}

/// The text is written by hand, not from a map: a key written twice would parse (the last one
/// wins) and shorten the text written back from the parsed value.
#[test]
fn the_text_is_compact_with_every_key_once() {
    let text = document(&Limits::default());
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&value).unwrap().len(), text.len());
}

#[test]
fn every_operation_of_the_table_is_in_the_document() {
    let doc = parsed(&Limits::default());
    assert_eq!(doc["openapi"], OPENAPI_VERSION);
    for &kind in OperationKind::ALL {
        let op = operation_of(&doc, kind);
        assert_eq!(op["operationId"], kind.client_name(), "{kind:?} missing");
        assert_eq!(op["x-groupgate-scope"], kind.scope().as_str(), "{kind:?}");
        let names: Vec<&str> =
            op["parameters"].as_array().unwrap().iter().map(|p| resolved(&doc, p)["name"].as_str().unwrap()).collect();
        for query in kind.query_names() {
            assert!(names.contains(&query), "{kind:?}: query {query} undocumented");
        }
        let documented: Vec<&String> =
            body_schema(&doc, kind)["properties"].as_object().map(|p| p.keys().collect()).unwrap_or_default();
        let mut keys = kind.body_keys();
        keys.sort_unstable();
        let mut documented: Vec<&str> = documented.into_iter().map(String::as_str).collect();
        documented.sort_unstable();
        assert_eq!(documented, keys, "{kind:?}: body keys");
    }
    let count: usize = doc["paths"].as_object().unwrap().values().map(|item| item.as_object().unwrap().len()).sum();
    assert_eq!(count, OperationKind::ALL.len());
}

#[test]
fn limits_are_the_validators_and_follow_the_settings() {
    let doc = parsed(&Limits::default());
    let create = body_schema(&doc, OperationKind::CreateGroup);
    assert_eq!(create["properties"]["participants"]["maxItems"], PARTICIPANTS_PER_REQUEST_DEFAULT);
    assert_eq!(create["properties"]["name"]["maxLength"], SUBJECT_MAX_DEFAULT);
    let limits = Limits { subject_max: 25, description_max: 7, participants_per_request: 3 };
    let doc = parsed(&limits);
    let add = body_schema(&doc, OperationKind::AddParticipants);
    assert_eq!(add["properties"]["participants"]["maxItems"], 3);
    assert_eq!(body_schema(&doc, OperationKind::SetSubject)["properties"]["subject"]["maxLength"], 25);
    assert_eq!(body_schema(&doc, OperationKind::SetDescription)["properties"]["description"]["maxLength"], 7);
    // The validator agrees at the edge: the documented maximum passes, one more is refused.
    let people = |n: u64| {
        let list: Vec<Value> = (0..n).map(|i| json!({ "id": format!("{}@c.us", 15551230000 + i) })).collect();
        json!({ "participants": list }).to_string()
    };
    let path = "/api/default/groups/120363298657503778@g.us/participants/add";
    assert!(GroupRequest::parse("POST", path, "", people(3).as_bytes(), &limits).is_ok());
    let refused = GroupRequest::parse("POST", path, "", people(4).as_bytes(), &limits).unwrap_err();
    assert_eq!(refused.errors[0].code, ErrorCode::TooManyParticipants);
}

#[test]
fn id_patterns_accept_exactly_what_the_parsers_accept() {
    let doc = parsed(&Limits::default());
    let group = operation_of(&doc, OperationKind::GetGroup)["parameters"][1]["schema"]["pattern"].as_str().unwrap();
    for id in [
        "120363298657503778@g.us",
        "917004635353-1628957062@g.us",
        "12345@g.us",
        "0123456@g.us",
        "1234567-0@g.us",
        &format!("{}@g.us", "1".repeat(21)),
        "1234567-1234567890123@g.us",
        "1234567@g.us\n",
        "120363298657503778@newsletter",
    ] {
        assert_eq!(matches(group, id), GroupId::parse(id).is_ok(), "{id:?}");
    }
    let people = &body_schema(&doc, OperationKind::AddParticipants)["properties"]["participants"]["items"];
    let participant = people["properties"]["id"]["pattern"].as_str().unwrap();
    // The documented spelling is the canonical one: valid, and written back as it is.
    let canonical = |id: &str| ParticipantId::parse(id).is_ok_and(|p| p.to_string() == id);
    for id in [
        "15551234567@c.us",
        "15551234567@s.whatsapp.net",
        "123456789012345@lid",
        "1234567@c.us",
        "+15551234567@c.us",
        "0555123456@c.us",
        "1234567890123456@c.us",
        "12345@lid",
        "123456789012345678901@lid",
        "120363298657503778@g.us",
    ] {
        assert_eq!(matches(participant, id), canonical(id), "{id:?}");
    }
    let code = &operation_of(&doc, OperationKind::JoinInfo)["parameters"][1]["schema"]["anyOf"];
    let (bare, link) = (code[0]["pattern"].as_str().unwrap(), code[1]["pattern"].as_str().unwrap());
    let valid = "AbCdEfGhIjKlMnOpQrStUv";
    for input in [
        valid.to_owned(),
        format!("https://chat.whatsapp.com/{valid}"),
        format!("HTTPS://Chat.WhatsApp.com/invite/{valid}/?x#y"),
        format!("chat.whatsapp.com/{valid}"),
        format!("http://chat.whatsapp.com/{valid}"),
        "short".into(),
        format!("{valid}!"),
        format!("https://chat.whatsapp.com.evil.example/{valid}"),
        format!("https://chat.whatsapp.com:8443/{valid}"),
    ] {
        let documented = matches(bare, &input) || matches(link, &input);
        assert_eq!(documented, InviteCode::parse_code_or_link(&input).is_ok(), "{input:?}");
    }
}

#[test]
fn the_subject_pattern_is_the_invisibility_test() {
    let doc = parsed(&Limits::default());
    let visible = body_schema(&doc, OperationKind::SetSubject)["properties"]["subject"]["pattern"].as_str().unwrap();
    for text in ["a", " a ", "\u{200B}", "\u{200B}x", "\u{3164}", "\u{E0041}", "👍", "\t\n", "", "\u{2800}\u{00A0}"] {
        assert_eq!(matches(visible, text), !is_invisible(text), "{text:?}");
    }
}

#[test]
fn problems_come_from_the_error_enum_with_rate_limit_headers_where_limited() {
    let doc = parsed(&Limits::default());
    for &kind in OperationKind::ALL {
        let responses = operation_of(&doc, kind)["responses"].as_object().unwrap();
        for &code in ErrorCode::ALL.iter().filter(|&&c| problems::answers(c, kind)) {
            let listed = &resolved(&doc, &responses[&code.status().to_string()])["content"]["application/problem+json"]
                ["schema"]["allOf"][1];
            assert!(
                listed["properties"]["code"]["enum"].as_array().unwrap().contains(&json!(code.as_str())),
                "{kind:?} {code}"
            );
        }
        let limited = !kind.rate_classes().is_empty();
        assert_eq!(responses.contains_key("409"), kind.idempotent(), "{kind:?}");
        let too_many = resolved(&doc, &responses["429"]);
        let rate_limited = &too_many["content"]["application/problem+json"]["schema"]["allOf"][1];
        let codes = rate_limited["properties"]["code"]["enum"].as_array().unwrap();
        assert_eq!(codes.contains(&json!("rate_limited")), limited, "{kind:?}");
        assert_eq!(too_many["headers"].get("RateLimit").is_some(), limited, "{kind:?}");
        assert!(too_many["headers"].get("Retry-After").is_some(), "{kind:?}");
    }
    let codes = doc["components"]["schemas"]["Problem"]["properties"]["code"]["enum"].as_array().unwrap().clone();
    assert!(codes.contains(&json!("validation_failed")) && !codes.contains(&json!("invalid_signature")));
}

#[test]
fn answers_are_shaped_as_the_client_decodes_them_and_a_created_group_links_to_its_operations() {
    let doc = parsed(&Limits::default());
    let answer = |kind| &operation_of(&doc, kind)["responses"]["2XX"]["content"]["application/json"]["schema"];
    assert_eq!(answer(OperationKind::GetInfoAdminOnly)["required"], json!(["adminsOnly"]));
    assert_eq!(answer(OperationKind::CountGroups)["required"], json!(["count"]));
    // WAHA sends an invite code bare, as text/html (NestJS sends a string so).
    let media = |kind| operation_of(&doc, kind)["responses"]["2XX"]["content"].as_object().unwrap().clone();
    for kind in [OperationKind::GetInviteCode, OperationKind::RevokeInviteCode] {
        assert_eq!(media(kind)["text/html"]["schema"]["type"], "string", "{kind:?}");
    }
    // And a boolean as its text: an answer the client reads (a subject set) or ignores (a setting).
    assert_eq!(media(OperationKind::SetSubject)["text/html"]["schema"]["enum"], json!(["true", "false"]));
    assert_eq!(answer(OperationKind::SetSubject)["type"], "boolean");
    assert_eq!(media(OperationKind::SetInfoAdminOnly)["text/html"]["schema"]["type"], "string");
    assert!(!media(OperationKind::ListGroups).contains_key("text/html"));
    let links = operation_of(&doc, OperationKind::CreateGroup)["responses"]["2XX"]["links"].as_object().unwrap();
    for &kind in OperationKind::ALL {
        let on_a_group = kind.waha_template().contains("{id}");
        assert_eq!(links.contains_key(kind.client_name()), on_a_group, "{kind:?}");
    }
    assert_eq!(links["getGroup"]["parameters"]["id"], "$response.body#/id");
}

/// Schemathesis finding: `[{"id": "N@c.us"}, {"id": "N@s.whatsapp.net"}]` satisfied the schema
/// (`uniqueItems` compares spellings) but names one person twice, which the validator refuses
/// (`duplicate_participant`). The schema now documents each person's one canonical spelling.
#[test]
fn the_people_schema_admits_no_two_spellings_of_one_person() {
    let doc = parsed(&Limits::default());
    let people = &body_schema(&doc, OperationKind::PromoteParticipants)["properties"]["participants"];
    let pattern = people["items"]["properties"]["id"]["pattern"].as_str().unwrap();
    let spellings = ["15551234567@c.us", "15551234567@s.whatsapp.net"];
    let documented: Vec<&str> = spellings.into_iter().filter(|id| matches(pattern, id)).collect();
    assert_eq!(documented, ["15551234567@c.us"]);
    let body = json!({ "participants": [{ "id": spellings[0] }, { "id": spellings[1] }] }).to_string();
    let path = "/api/default/groups/120363298657503778@g.us/admin/promote";
    let refused = GroupRequest::parse("POST", path, "", body.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(refused.errors[0].code, ErrorCode::DuplicateParticipant);
}

/// Each operation's summary is its own row's doc (the tables are indexed by kind: a kind's
/// discriminant is its row): a doc that opens with a WAHA route opens with the operation's own,
/// and the settings rows (whose docs say what they do) keep theirs.
#[test]
fn each_kind_is_summarized_by_its_own_row() {
    for (row, &kind) in OperationKind::ALL.iter().enumerate() {
        assert_eq!(kind as usize, row, "{kind:?}");
    }
    let mut routed = 0;
    for &kind in OperationKind::ALL {
        if kind.summary().starts_with('`') {
            let route = format!("`{} {}`: ", kind.waha_method(), kind.waha_template());
            assert!(kind.summary().starts_with(&route), "{kind:?}: {}", kind.summary());
            routed += 1;
        }
    }
    assert!(routed > OperationKind::ALL.len() / 2, "{routed} summaries open with their route");
    assert!(OperationKind::SetInfoAdminOnly.summary().starts_with("Lets only admins (`true`)"));
}

#[test]
fn the_template_holds_each_limit_as_a_placeholder_and_fill_refuses_any_other() {
    let text = template();
    for setting in
        [Limits::SUBJECT_MAX_SETTING, Limits::DESCRIPTION_MAX_SETTING, Limits::PARTICIPANTS_PER_REQUEST_SETTING]
    {
        assert!(
            text.contains(&format!("\"maxLength\":{{{{{setting}}}}}"))
                || text.contains(&format!("\"maxItems\":{{{{{setting}}}}}")),
            "{setting}"
        );
    }
    let limits = Limits::default();
    assert_eq!(fill("a{{SUBJECT_MAX_LENGTH}}b{}", &limits).unwrap(), format!("a{SUBJECT_MAX_DEFAULT}b{{}}"));
    assert_eq!(
        fill("x{{UPSTREAM_API_KEY}}", &limits).unwrap_err(),
        "the OpenAPI template: \"UPSTREAM_API_KEY\" is no limit's setting"
    );
    assert_eq!(fill("x{{SUBJECT_MAX_LENGTH", &limits).unwrap_err(), "the OpenAPI template: a `{{` without its `}}`");
}
