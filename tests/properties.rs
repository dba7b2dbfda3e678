//! Property tests: valid operations round-trip through render → parse, and no input panics the parser.
//! Native only (proptest does not build for wasm32-unknown-unknown).
#![cfg(not(target_arch = "wasm32"))]

use groupgate::ids::{GroupId, ParticipantId, SessionName};
use groupgate::invite::InviteCode;
use groupgate::limits::{is_invisible, whatsapp_length, Limits};
use groupgate::netaddr::Host;
use groupgate::ops::field::{Description, People, Subject};
use groupgate::ops::query::{ListGroupsQuery, SortBy, SortOrder};
use groupgate::picture::{PictureFile, PictureSource};
use groupgate::{ErrorCode, GroupRequest, Operation, OperationKind};
use proptest::prelude::*;
use proptest::strategy::Union;
use serde_json::Value;
use std::net::Ipv6Addr;

/// 256 cases per property (proptest's default; `PROPTEST_CASES` overrides it), no regression files.
fn config() -> ProptestConfig {
    ProptestConfig { failure_persistence: None, ..ProptestConfig::default() }
}

// ---- generators of valid values -------------------------------------------------------------

fn session() -> impl Strategy<Value = SessionName> {
    "[A-Za-z0-9_-]{1,54}".prop_filter_map("not one of WAHA's own route names", |s| SessionName::parse(&s).ok())
}

fn group_id() -> impl Strategy<Value = GroupId> {
    prop_oneof!["[1-9][0-9]{5,19}@g\\.us", "[1-9][0-9]{5,19}-[1-9][0-9]{0,11}@g\\.us",]
        .prop_map(|s| GroupId::parse(&s).expect("generated group ids are valid"))
}

/// A member id, in any accepted input form (the parsed value is normalized).
fn participant() -> impl Strategy<Value = ParticipantId> {
    prop_oneof!["[1-9][0-9]{7,14}@c\\.us", "[1-9][0-9]{7,14}@s\\.whatsapp\\.net", "[1-9][0-9]{5,19}@lid",]
        .prop_map(|s| ParticipantId::parse(&s).expect("generated member ids are valid"))
}

/// 1 to 50 distinct members, in order.
fn participants() -> impl Strategy<Value = Vec<ParticipantId>> {
    proptest::collection::vec(participant(), 1..=50).prop_map(|ids| {
        let mut out: Vec<ParticipantId> = Vec::with_capacity(ids.len());
        for id in ids {
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    })
}

/// Any characters (controls, quotes, emoji), not invisible only, at most 100 UTF-16 units.
fn subject() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 1..70)
        .prop_map(String::from_iter)
        .prop_filter("visible, at most 100 UTF-16 units", |s| !is_invisible(s) && whatsapp_length(s) <= 100)
}

fn description() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..300).prop_map(String::from_iter)
}

fn invite_code() -> impl Strategy<Value = InviteCode> {
    "[A-Za-z0-9]{20,24}".prop_map(|s| InviteCode::parse(&s).expect("generated codes are valid"))
}

fn base64() -> impl Strategy<Value = String> {
    (proptest::collection::vec("[A-Za-z0-9+/]{4}", 1..40), prop_oneof!["", "[A-Za-z0-9+/]{2}==", "[A-Za-z0-9+/]{3}="])
        .prop_map(|(groups, tail)| groups.concat() + &tail)
}

fn picture() -> impl Strategy<Value = PictureFile> {
    let url = ("[a-z0-9]([a-z0-9-]{0,15}[a-z0-9])?(\\.[a-z]{2,6}){1,2}", proptest::option::of(1u16..), "[!-~]{0,40}")
        .prop_map(|(host, port, path)| match port {
            Some(port) => format!("https://{host}:{port}/{path}"),
            None => format!("https://{host}/{path}"),
        });
    let source = prop_oneof![url.prop_map(PictureSource::Url), base64().prop_map(PictureSource::Data)];
    let filename = proptest::option::of("[^/\\\\\u{0}]{0,50}");
    (prop_oneof![Just("image/jpeg"), Just("image/png")], source, filename)
        .prop_map(|(mimetype, source, filename)| PictureFile { mimetype: mimetype.to_owned(), source, filename })
}

fn list_query() -> impl Strategy<Value = ListGroupsQuery> {
    (
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<u32>()),
        proptest::option::of(prop_oneof![Just(SortBy::Id), Just(SortBy::Subject)]),
        proptest::option::of(prop_oneof![Just(SortOrder::Asc), Just(SortOrder::Desc)]),
        any::<bool>(),
    )
        .prop_map(|(limit, offset, sort_by, sort_order, exclude_participants)| ListGroupsQuery {
            limit,
            offset,
            sort_by,
            sort_order,
            exclude_participants,
        })
}

/// Every kind of operation, each with valid arbitrary contents.
fn operation() -> impl Strategy<Value = Operation> {
    use Operation as O;
    let g = group_id;
    let people = || participants().prop_map(People);
    let flag = any::<bool>;
    Union::new(vec![
        (subject(), people())
            .prop_map(|(subject, participants)| O::CreateGroup { subject: Subject(subject), participants })
            .boxed(),
        list_query().prop_map(|query| O::ListGroups { query }).boxed(),
        Just(O::CountGroups {}).boxed(),
        Just(O::RefreshGroups {}).boxed(),
        invite_code().prop_map(|code| O::JoinInfo { code }).boxed(),
        invite_code().prop_map(|code| O::JoinGroup { code }).boxed(),
        g().prop_map(|group| O::GetGroup { group }).boxed(),
        g().prop_map(|group| O::DeleteGroup { group }).boxed(),
        g().prop_map(|group| O::LeaveGroup { group }).boxed(),
        (g(), subject()).prop_map(|(group, s)| O::SetSubject { group, subject: Subject(s) }).boxed(),
        (g(), description()).prop_map(|(group, d)| O::SetDescription { group, description: Description(d) }).boxed(),
        (g(), proptest::option::of(flag())).prop_map(|(group, refresh)| O::GetPicture { group, refresh }).boxed(),
        (g(), picture()).prop_map(|(group, file)| O::SetPicture { group, file }).boxed(),
        g().prop_map(|group| O::DeletePicture { group }).boxed(),
        (g(), flag()).prop_map(|(group, value)| O::SetInfoAdminOnly { group, value }).boxed(),
        g().prop_map(|group| O::GetInfoAdminOnly { group }).boxed(),
        (g(), flag()).prop_map(|(group, value)| O::SetMessagesAdminOnly { group, value }).boxed(),
        g().prop_map(|group| O::GetMessagesAdminOnly { group }).boxed(),
        (g(), flag()).prop_map(|(group, value)| O::SetMemberAddMode { group, value }).boxed(),
        g().prop_map(|group| O::GetMemberAddMode { group }).boxed(),
        (g(), flag()).prop_map(|(group, value)| O::SetMemberShareHistoryMode { group, value }).boxed(),
        g().prop_map(|group| O::GetMemberShareHistoryMode { group }).boxed(),
        (g(), flag()).prop_map(|(group, value)| O::SetMembershipApproval { group, value }).boxed(),
        g().prop_map(|group| O::GetMembershipApproval { group }).boxed(),
        g().prop_map(|group| O::GetInviteCode { group }).boxed(),
        g().prop_map(|group| O::RevokeInviteCode { group }).boxed(),
        g().prop_map(|group| O::GetParticipants { group }).boxed(),
        g().prop_map(|group| O::GetParticipantsV2 { group }).boxed(),
        (g(), people()).prop_map(|(group, participants)| O::AddParticipants { group, participants }).boxed(),
        (g(), people()).prop_map(|(group, participants)| O::RemoveParticipants { group, participants }).boxed(),
        (g(), people()).prop_map(|(group, participants)| O::PromoteParticipants { group, participants }).boxed(),
        (g(), people()).prop_map(|(group, participants)| O::DemoteParticipants { group, participants }).boxed(),
        g().prop_map(|group| O::ListJoinRequests { group }).boxed(),
        (g(), people()).prop_map(|(group, participants)| O::ApproveJoinRequests { group, participants }).boxed(),
        (g(), people()).prop_map(|(group, participants)| O::RejectJoinRequests { group, participants }).boxed(),
    ])
}

#[test]
fn the_operation_strategy_covers_every_kind() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..5000 {
        seen.insert(operation().new_tree(&mut runner).expect("a value").current().kind());
    }
    assert_eq!(seen.len(), OperationKind::ALL.len());
}

fn reparse(rendered: &groupgate::RenderedRequest) -> Result<GroupRequest, groupgate::Error> {
    GroupRequest::parse(
        rendered.method.as_str(),
        &rendered.path,
        &rendered.query,
        rendered.body.as_deref().unwrap_or("").as_bytes(),
        &Limits::default(),
    )
}

// ---- generators of arbitrary, mostly-almost-valid input -------------------------------------

const KEYS: &[&str] = &[
    "participants",
    "id",
    "name",
    "subject",
    "description",
    "code",
    "file",
    "mimetype",
    "url",
    "data",
    "filename",
    "adminsOnly",
    "membersCanAddNewMember",
    "membersCanShareHistory",
    "newMembersApprovalRequired",
    "x",
    "",
];

const STRINGS: &[&str] = &[
    "15551234567@c.us",
    "4915112345678@s.whatsapp.net",
    "123456789012345@lid",
    "120363298657503778@g.us",
    "+15551234567@c.us",
    "AbCdEfGhIjKlMnOpQrStUv",
    "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv",
    "image/jpeg",
    "https://example.com/a.jpg",
    "http://example.com/a.jpg",
    "/9j/4AAQ",
    "QQ=A",
    "",
    " ",
    "😀",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        proptest::sample::select(STRINGS).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

const SEGMENTS: &[&str] = &[
    "groups",
    "count",
    "refresh",
    "join-info",
    "join",
    "120363298657503778@g.us",
    "120363298657503778%40g.us",
    "leave",
    "subject",
    "description",
    "picture",
    "settings",
    "security",
    "info-admin-only",
    "member-add-mode",
    "invite-code",
    "revoke",
    "participants",
    "v2",
    "add",
    "remove",
    "admin",
    "promote",
    "demote",
    "join-requests",
    "approve",
    "reject",
    "",
    "%",
    "%zz",
    "..",
    "default",
];

/// Objects made of right-typed, valid fields of the contract's bodies (a random subset of them).
fn valid_ish_body() -> impl Strategy<Value = Value> {
    let field = prop_oneof![
        proptest::collection::vec(proptest::sample::select(&STRINGS[..3]), 1..4).prop_map(|ids| {
            let items: Vec<Value> = ids.iter().map(|id| serde_json::json!({ "id": id })).collect();
            ("participants", Value::Array(items))
        }),
        Just(("name", Value::from("Team"))),
        Just(("subject", Value::from("Team"))),
        Just(("description", Value::from(""))),
        Just(("code", Value::from(STRINGS[6]))),
        Just(("file", serde_json::json!({"mimetype": "image/jpeg", "url": "https://example.com/a.jpg"}))),
        any::<bool>().prop_map(|b| ("adminsOnly", Value::Bool(b))),
        any::<bool>().prop_map(|b| ("membersCanAddNewMember", Value::Bool(b))),
        any::<bool>().prop_map(|b| ("membersCanShareHistory", Value::Bool(b))),
        any::<bool>().prop_map(|b| ("newMembersApprovalRequired", Value::Bool(b))),
    ];
    proptest::collection::vec(field, 0..2)
        .prop_map(|fields| Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        (
            prop_oneof![Just("/api/".to_owned()), Just("/".to_owned()), any::<String>()],
            proptest::option::of(prop_oneof![Just("default".to_owned()), any::<String>()]),
            proptest::collection::vec(
                prop_oneof![proptest::sample::select(SEGMENTS).prop_map(str::to_owned), any::<String>()],
                0..7
            ),
        )
            .prop_map(|(prefix, session, segments)| {
                let mut p = prefix + &session.unwrap_or_default();
                for s in segments {
                    p.push('/');
                    p.push_str(&s);
                }
                p
            }),
    ]
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "get", ""]).prop_map(str::to_owned),
        any::<String>(),
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z%=&+0-9-]{0,60}",
        proptest::collection::vec(
            (
                proptest::sample::select(vec![
                    "limit",
                    "offset",
                    "sortBy",
                    "sortOrder",
                    "exclude",
                    "code",
                    "refresh",
                    "x"
                ]),
                proptest::sample::select(vec![
                    "1",
                    "-1",
                    "id",
                    "subject",
                    "asc",
                    "desc",
                    "participants",
                    "true",
                    "no",
                    "%zz",
                    ""
                ]),
            ),
            0..6,
        )
        .prop_map(|pairs| pairs.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("&")),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![any::<Vec<u8>>(), json_value().prop_map(|v| serde_json::to_vec(&v).expect("a Value serializes")),]
}

/// Checks what every answer of `parse` must satisfy, and that accepted requests are canonical.
fn check_parse(method: &str, path: &str, query: &str, body: &[u8]) -> Result<(), TestCaseError> {
    match GroupRequest::parse(method, path, query, body, &Limits::default()) {
        Ok(request) => {
            let rendered = request.render();
            let again = reparse(&rendered).map_err(|e| TestCaseError::fail(format!("render not accepted: {e}")))?;
            prop_assert_eq!(&again, &request);
            prop_assert_eq!(again.render(), rendered);
        }
        Err(e) => {
            prop_assert!(
                matches!(
                    e.code,
                    ErrorCode::NotFound
                        | ErrorCode::MethodNotAllowed
                        | ErrorCode::ValidationFailed
                        | ErrorCode::InvalidJson
                        | ErrorCode::PayloadTooLarge
                ),
                "unexpected code {:?}",
                e.code
            );
            prop_assert_eq!(e.status, e.code.status());
            if e.code == ErrorCode::ValidationFailed {
                prop_assert!(!e.errors.is_empty(), "a validation error names its fields: {}", e);
            }
        }
    }
    Ok(())
}

/// Ways of writing the same request that the parser must normalize away.
#[derive(Debug, Clone)]
struct Variation {
    /// `%40` for the `@` of the group id in the path.
    encode_at: bool,
    /// The `@s.whatsapp.net` form of every user id in the body.
    whatsapp_net: bool,
    /// An invite link (with `/invite/`, a query or a fragment) instead of the bare code.
    link: Option<&'static str>,
    /// Pretty-printed body with its keys in another order.
    pretty: bool,
    /// The query pairs in reverse order, `exclude` repeated.
    reorder_query: bool,
}

fn variation() -> impl Strategy<Value = Variation> {
    (
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(proptest::sample::select(vec![
            "https://chat.whatsapp.com/{}",
            "https://chat.whatsapp.com/invite/{}/",
            "HTTPS://CHAT.WHATSAPP.COM/{}?s=sw&p=a",
            "chat.whatsapp.com/{}#x",
            "  {}  ",
        ])),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(encode_at, whatsapp_net, link, pretty, reorder_query)| Variation {
            encode_at,
            whatsapp_net,
            link,
            pretty,
            reorder_query,
        })
}

/// Rewrites a canonical rendered request in the ways `v` asks, keeping its meaning.
fn vary(rendered: &groupgate::RenderedRequest, v: &Variation) -> (String, String, String) {
    let mut path = rendered.path.clone();
    if v.encode_at {
        path = path.replace("@g.us", "%40g.us");
    }
    let mut body = rendered.body.clone().unwrap_or_default();
    if v.whatsapp_net {
        body = body.replace("@c.us\"", "@s.whatsapp.net\"");
    }
    let mut pairs: Vec<(String, String)> = groupgate::wire::Query::parse(&rendered.query).expect("canonical query").0;
    if let Some(link) = v.link {
        if let Some(code) = body.strip_prefix("{\"code\":\"").and_then(|b| b.strip_suffix("\"}")) {
            body = format!(r#"{{"code":"{}"}}"#, link.replace("{}", code));
        }
        for (name, value) in &mut pairs {
            if name == "code" {
                *value = link.replace("{}", value);
            }
        }
    }
    if v.pretty && !body.is_empty() {
        let value: Value = serde_json::from_str(&body).expect("canonical body is JSON");
        body = serde_json::to_string_pretty(&value).expect("a Value serializes");
        // keys sorted
    }
    if v.reorder_query {
        pairs.reverse();
        if pairs.iter().any(|(n, _)| n == "exclude") {
            pairs.push(("exclude".into(), "participants".into()));
        }
    }
    (path, groupgate::wire::Query(pairs).render(), body)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn valid_operations_round_trip(session in session(), operation in operation()) {
        let original = GroupRequest { session, operation };
        let rendered = original.render();
        prop_assert_eq!(rendered.method, original.operation.kind().waha_method());
        prop_assert_eq!(rendered.body.is_some(), !original.operation.kind().body_keys().is_empty());
        let parsed = reparse(&rendered).map_err(|e| TestCaseError::fail(format!("{e} {:?} for {rendered:?}", e.errors)))?;
        prop_assert_eq!(&parsed, &original);
        prop_assert_eq!(parsed.render(), rendered);
    }

    #[test]
    fn other_spellings_of_a_valid_request_parse_to_it_and_render_canonically(
        session in session(),
        operation in operation(),
        v in variation(),
    ) {
        let original = GroupRequest { session, operation };
        let canonical = original.render();
        let (path, query, body) = vary(&canonical, &v);
        let method = canonical.method.as_str();
        let parsed = GroupRequest::parse(method, &path, &query, body.as_bytes(), &Limits::default())
            .map_err(|e| TestCaseError::fail(format!("{e} {:?} for {method} {path}?{query} {body}", e.errors)))?;
        prop_assert_eq!(&parsed, &original);
        prop_assert_eq!(parsed.render(), canonical);
    }

    #[test]
    fn member_ids_are_normalized_to_waha_form(group in group_id(), ids in participants()) {
        let rendered = GroupRequest {
            session: SessionName::parse("default").expect("valid"),
            operation: Operation::AddParticipants { group, participants: People(ids.clone()) },
        }
        .render();
        let body: Value = serde_json::from_str(rendered.body.as_deref().unwrap_or("")).expect("JSON body");
        let sent = body["participants"].as_array().expect("a list");
        prop_assert_eq!(sent.len(), ids.len());
        for item in sent {
            let id = item["id"].as_str().expect("a string id");
            prop_assert!(id.ends_with("@c.us") || id.ends_with("@lid"), "{}", id);
        }
    }

    #[test]
    fn arbitrary_strings_and_bytes_never_panic(method in any::<String>(), path in any::<String>(), query in any::<String>(), body in any::<Vec<u8>>()) {
        check_parse(&method, &path, &query, &body)?;
    }

    #[test]
    fn near_valid_requests_never_panic(method in method(), path in path(), query in query(), body in body()) {
        check_parse(&method, &path, &query, &body)?;
    }

    #[test]
    fn arbitrary_bodies_on_every_route_never_panic(
        kind in proptest::sample::select(OperationKind::ALL.to_vec()),
        body in prop_oneof![1 => json_value(), 3 => valid_ish_body()],
        query in prop_oneof![2 => Just(String::new()), 1 => query()],
    ) {
        let path = format!("/api/default{}", kind.waha_template().replace("{id}", "120363298657503778@g.us"));
        let bytes = serde_json::to_vec(&body).expect("a Value serializes");
        check_parse(kind.waha_method().as_str(), &path, &query, &bytes)?;
    }
}

// ---- IPv6 hosts: the hand-written WHATWG reader against the standard library's --------------

/// An IPv6 address as a URL may spell it: eight pieces (upper or lower case, leading zeros or
/// not), optionally with one run of zero pieces written `::`, optionally the last two pieces as a
/// dotted IPv4 address.
fn ipv6_spelling() -> impl Strategy<Value = (Ipv6Addr, String)> {
    let piece = prop_oneof![3 => Just(0u16), 1 => 1u16..16, 2 => any::<u16>()];
    (proptest::array::uniform8(piece), any::<bool>(), any::<bool>(), any::<bool>(), 0usize..8, 0usize..9).prop_map(
        |(pieces, upper, padded, dotted, run_start, run_len)| {
            let address = Ipv6Addr::from(pieces);
            let hex = |p: u16| match (upper, padded) {
                (true, true) => format!("{p:04X}"),
                (true, false) => format!("{p:X}"),
                (false, true) => format!("{p:04x}"),
                (false, false) => format!("{p:x}"),
            };
            let mut parts: Vec<String> = pieces[..6].iter().map(|p| hex(*p)).collect();
            if dotted {
                let [.., a, b, c, d] = address.octets();
                parts.push(format!("{a}.{b}.{c}.{d}"));
            } else {
                parts.extend(pieces[6..].iter().map(|p| hex(*p)));
            }
            // `::` in place of zero pieces, when the chosen run is all zeros (and leaves a dotted
            // address whole).
            let end = (run_start + run_len).min(if dotted { 6 } else { 8 });
            let zeros = run_start < end && pieces[run_start..end].iter().all(|p| *p == 0);
            let text = if zeros {
                format!("{}::{}", parts[..run_start].join(":"), parts[end..].join(":"))
            } else {
                parts.join(":")
            };
            (address, text)
        },
    )
}

fn host_v6(text: &str) -> Option<Ipv6Addr> {
    match Host::parse(&format!("[{text}]")) {
        Ok(Host::V6(address)) => Some(address),
        _ => None,
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn ipv6_spellings_read_as_their_address(spelling in ipv6_spelling()) {
        let (address, text) = spelling;
        prop_assert_eq!(host_v6(&text), Some(address), "{}", text);
        // Written back as the WHATWG serializer writes it, and read again.
        let written = Host::V6(address).to_string();
        prop_assert_eq!(host_v6(&written[1..written.len() - 1]), Some(address), "{}", written);
    }

    #[test]
    fn ipv6_texts_read_as_the_standard_library_reads_them(text in concat!(
        "[0-9a-fA-F:.]{0,41}|[0-9a-f:]{0,12}(::)?[0-9a-f:]{0,12}",
        "|(:?[0-9a-f]{1,5}){0,9}::?(:?[0-9a-f]{1,4}){0,9}(:[0-9]{1,3}(\\.[0-9]{1,3}){1,4})?",
        "|::(ffff:)?[0-9]{1,3}(\\.[0-9]{1,3}){2,4}",
        "|(::)?([0-9a-f]{1,4}:){4,8}:?([0-9a-f]{1,4}:){0,2}[0-9]{1,3}(\\.[0-9]{1,3}){3}",
        "|::([0-9a-f]{1,4}:){5,8}[0-9a-f]{1,4}",
    )) {
        prop_assert_eq!(host_v6(&text), text.parse::<Ipv6Addr>().ok(), "{:?}", text);
    }
}
