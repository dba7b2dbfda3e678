//! Wadial-style answers and their translation to and from the canonical (WAHA) shapes.
//!
//! Group metadata uses the field names of Baileys-based hosted APIs; member ids are
//! `<digits>@s.whatsapp.net`. Known fields are translated, derived ones (`size`) recomputed, and
//! unknown fields are kept as they are, in both directions. Requests of several parts answer a
//! per-part report (see [`compose`]).

use super::super::dialect::{Outcome, Part, Plan, Reply};
use super::super::per_person::{people_asked, per_person_results};
use super::super::{Method, Operation, OperationKind as K};
use crate::error::{Error, ErrorCode};
use crate::upstream;
use crate::wire::json::{self, Object, Value};
use crate::wire::quoted;

/// The content type WAHA (NestJS) sends a bare string answer with.
const BARE_TEXT: &str = "text/html; charset=utf-8";

/// How a kind's answer looks in the Wadial-style dialect.
enum Shape {
    /// Group metadata (`{id, subject, desc, owner, creation, participants, …}`).
    Metadata,
    /// A list of group metadata.
    MetadataList,
    /// Per-person results `[{jid, status}]`.
    Participants,
    /// `{code}`.
    InviteCode,
    /// Pending requests `[{jid, phoneNumber?, addedBy, parentGroupJid, requestMethod, requestTime}]`.
    JoinRequests,
    /// Per-requester results `[{jid, status}]`.
    JoinResults,
    /// An update report `{updated: [name], failed: []}`, for the named field or setting.
    Update(&'static str),
    /// A leave report `{left: [groupJid], failed: []}`.
    Left,
    /// A setting read from the group's metadata: the canonical key and how it is read.
    Flag(&'static str, fn(&Object<'_>) -> Option<bool>),
    /// The same as WAHA's (`{id}` of a joined group).
    Same,
}

fn shape(kind: K) -> Shape {
    match kind {
        K::CreateGroup | K::GetGroup | K::JoinInfo => Shape::Metadata,
        K::ListGroups => Shape::MetadataList,
        K::AddParticipants | K::RemoveParticipants | K::PromoteParticipants | K::DemoteParticipants => {
            Shape::Participants
        }
        K::GetInviteCode | K::RevokeInviteCode => Shape::InviteCode,
        K::ListJoinRequests => Shape::JoinRequests,
        K::ApproveJoinRequests | K::RejectJoinRequests => Shape::JoinResults,
        K::SetSubject => Shape::Update("subject"),
        K::SetDescription => Shape::Update("description"),
        K::SetMessagesAdminOnly => Shape::Update("announcement"),
        K::SetInfoAdminOnly => Shape::Update("locked"),
        K::SetMemberAddMode => Shape::Update("memberAddMode"),
        K::SetMemberShareHistoryMode => Shape::Update("memberShareGroupHistoryMode"),
        K::LeaveGroup => Shape::Left,
        K::GetMessagesAdminOnly => Shape::Flag("adminsOnly", |m| m.get("announce")?.as_bool()),
        K::GetInfoAdminOnly => Shape::Flag("adminsOnly", |m| m.get("restrict")?.as_bool()),
        K::GetMemberAddMode => {
            Shape::Flag("membersCanAddNewMember", |m| Some(m.get("memberAddMode")?.as_str()? == "all_member_add"))
        }
        K::GetMembershipApproval => Shape::Flag("newMembersApprovalRequired", |m| m.get("joinApprovalMode")?.as_bool()),
        _ => Shape::Same,
    }
}

/// Participant-result keys: WAHA's, Wadial's, whether the value is a member id.
const PARTICIPANT_KEYS: &[(&str, &str, bool)] = &[("id", "jid", true)];
/// Join-request keys.
const JOIN_REQUEST_KEYS: &[(&str, &str, bool)] = &[
    ("requesterId", "jid", true),
    ("requesterPn", "phoneNumber", true),
    ("addedById", "addedBy", true),
    ("parentGroupId", "parentGroupJid", false),
    ("timestamp", "requestTime", false),
];
/// Join-result keys (`success`/`error` and `status` are translated on their own).
const JOIN_RESULT_KEYS: &[(&str, &str, bool)] = &[("requesterId", "jid", true)];

/// Which way a translation goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Canonical (WAHA) → Wadial-style.
    ToWadial,
    /// Wadial-style → canonical (WAHA).
    ToWaha,
}

use Direction::{ToWadial, ToWaha};

/// A member id string in the target dialect's spelling (`@c.us` ↔ `@s.whatsapp.net`); other
/// values are kept.
fn member_id<'a>(value: &Value<'a>, direction: Direction) -> Value<'a> {
    let Some(id) = value.as_str() else { return value.clone() };
    let (from, to) = match direction {
        ToWadial => ("@c.us", "@s.whatsapp.net"),
        ToWaha => ("@s.whatsapp.net", "@c.us"),
    };
    match id.strip_suffix(from) {
        Some(digits) => Value::from(format!("{digits}{to}")),
        None => value.clone(),
    }
}

/// Renames a record's known keys (ids respelled); unknown keys are kept.
fn rename<'a>(record: &Value<'a>, keys: &[(&'static str, &'static str, bool)], direction: Direction) -> Value<'a> {
    let Value::Object(map) = record else { return record.clone() };
    let mut out = Object::default();
    for (key, value) in map.iter() {
        let known = keys.iter().find(|(waha, wadial, _)| key == if direction == ToWadial { *waha } else { *wadial });
        match known {
            Some((waha, wadial, is_id)) => {
                let value = if *is_id { member_id(value, direction) } else { value.clone() };
                out.insert(if direction == ToWadial { *wadial } else { *waha }, value);
            }
            None => out.insert(key.to_owned(), value.clone()),
        }
    }
    Value::Object(out)
}

fn each<'a>(list: &Value<'a>, f: impl Fn(&Value<'a>) -> Value<'a>) -> Value<'a> {
    match list {
        Value::Array(items) => Value::Array(items.iter().map(f).collect()),
        other => other.clone(),
    }
}

/// A join result: WAHA's `{requesterId, success, error?}` ↔ Wadial's `{jid, status}`.
fn join_result<'a>(record: &Value<'a>, direction: Direction) -> Value<'a> {
    let mut out = rename(record, JOIN_RESULT_KEYS, direction);
    let Value::Object(map) = &mut out else { return out };
    match direction {
        ToWadial => {
            let success = map.remove("success").and_then(|v| v.as_bool()).unwrap_or(false);
            let error = map.remove("error").and_then(|v| v.as_u64()).unwrap_or(500);
            map.insert("status", Value::from(if success { "200".into() } else { error.to_string() }));
        }
        ToWaha => {
            // WhatsApp's per-person code, as text or as a number; none known is a failure of no code.
            let status = map.remove("status").and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()));
            map.insert("success", Value::Bool(status == Some(200)));
            if let Some(code) = status.filter(|code| *code != 200) {
                map.insert("error", Value::from(code));
            }
        }
    }
    out
}

/// A WAHA group member `{id, pn?, role}` as Baileys lists it `{id, phoneNumber?, admin}`;
/// `None` for a member who left.
fn member_to_wadial<'a>(member: &Value<'a>) -> Option<Value<'a>> {
    let Value::Object(map) = member else { return Some(member.clone()) };
    let mut out = Object::default();
    for (key, value) in map.iter() {
        match key {
            "id" => out.insert("id", member_id(value, ToWadial)),
            "pn" => out.insert("phoneNumber", member_id(value, ToWadial)),
            "role" => {
                let admin = match value.as_str() {
                    Some("left") => return None,
                    Some("admin" | "superadmin") => value.clone(),
                    _ => Value::Null,
                };
                out.insert("admin", admin);
            }
            _ => out.insert(key.to_owned(), value.clone()),
        }
    }
    Some(Value::Object(out))
}

fn member_to_waha<'a>(member: &Value<'a>) -> Value<'a> {
    let Value::Object(map) = member else { return member.clone() };
    let mut out = Object::default();
    for (key, value) in map.iter() {
        match key {
            "id" => out.insert("id", member_id(value, ToWaha)),
            "phoneNumber" => out.insert("pn", member_id(value, ToWaha)),
            "admin" => out.insert("role", Value::from(value.as_str().unwrap_or("participant").to_owned())),
            _ => out.insert(key.to_owned(), value.clone()),
        }
    }
    Value::Object(out)
}

/// The negation of a boolean; anything else is `null`.
fn negated<'a>(value: &Value<'_>) -> Value<'a> {
    value.as_bool().map_or(Value::Null, |b| Value::Bool(!b))
}

/// WAHA's `GroupInfo` (or a join preview) as group metadata.
pub fn metadata_from_group_info<'a>(info: &Value<'a>) -> Value<'a> {
    let Value::Object(map) = info else { return info.clone() };
    let mut out = Object::default();
    for (key, value) in map.iter() {
        let (name, value) = match key {
            "description" => ("desc", value.clone()),
            "owner" => ("owner", member_id(value, ToWadial)),
            "membersCanSendMessages" => ("announce", negated(value)),
            "infoAdminOnly" => ("restrict", value.clone()),
            "newMembersApprovalRequired" => ("joinApprovalMode", value.clone()),
            "membersCanAddNewMember" => {
                let mode = value.as_bool().map(|b| if b { "all_member_add" } else { "admin_add" });
                ("memberAddMode", mode.map_or(Value::Null, Value::from))
            }
            "participants" => {
                let members = value.as_array().map(|list| list.iter().filter_map(member_to_wadial).collect());
                ("participants", members.map_or_else(|| value.clone(), Value::Array))
            }
            _ => {
                out.insert(key.to_owned(), value.clone());
                continue;
            }
        };
        out.insert(name, value);
    }
    let listed = out.get("participants").and_then(Value::as_array).map(|members| {
        let owner = members.iter().find(|m| m.get("admin").and_then(Value::as_str) == Some("superadmin"));
        (owner.and_then(|m| m.get("id")).cloned().unwrap_or(Value::Null), members.len())
    });
    if let Some((owner, size)) = listed {
        if out.get("owner").is_none() {
            out.insert("owner", owner);
        }
        out.insert("size", Value::from(size as u64));
    }
    if (out.get("participants").is_some() || out.get("owner").is_some()) && out.get("creation").is_none() {
        out.insert("creation", Value::Null);
    }
    Value::Object(out)
}

/// Group metadata as WAHA's `GroupInfo` (or join preview).
pub fn group_info_from_metadata<'a>(metadata: &Value<'a>) -> Value<'a> {
    let Value::Object(map) = metadata else { return metadata.clone() };
    let has_members = map.get("participants").and_then(Value::as_array).is_some();
    let mut out = Object::default();
    for (key, value) in map.iter() {
        let (name, value) = match key {
            "desc" => ("description", if *value == Value::Null { Value::from("") } else { value.clone() }),
            "owner" => ("owner", member_id(value, ToWaha)),
            "announce" => ("membersCanSendMessages", negated(value)),
            "restrict" => ("infoAdminOnly", value.clone()),
            "joinApprovalMode" => ("newMembersApprovalRequired", value.clone()),
            "memberAddMode" => ("membersCanAddNewMember", Value::Bool(value.as_str() == Some("all_member_add"))),
            "participants" => ("participants", each(value, member_to_waha)),
            "size" if has_members => continue,
            _ => {
                out.insert(key.to_owned(), value.clone());
                continue;
            }
        };
        out.insert(name, value);
    }
    Value::Object(out)
}

/// WAHA's status for a kind's success (NestJS: POST 201, else 200).
fn waha_status(kind: K) -> u16 {
    if kind.waha_method() == Method::Post {
        201
    } else {
        200
    }
}

/// The Wadial-style status for a kind's success (create 201, else 200).
fn wadial_status(kind: K) -> u16 {
    if kind == K::CreateGroup {
        201
    } else {
        200
    }
}

fn parse(reply: &Reply) -> Result<Value<'_>, Error> {
    if reply.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    json::parse_bytes(&reply.body).map_err(|_| {
        Error::new(ErrorCode::UpstreamUnavailable, "the upstream answered a body that is not valid JSON")
            .with_upstream_status(reply.status)
    })
}

/// The error a report's `failed` entry stands for.
fn failed_entry_error(entry: &Value<'_>) -> Error {
    let text = |key| entry.get(key).and_then(Value::as_str);
    upstream::classify_reported(entry.get("status").and_then(Value::as_u64), text("code"), text("detail"))
}

/// A report's outcome for one part: done when it is listed under `done` (as `name`, when the part
/// has one to list), else its failure.
fn report_outcome(value: &Value<'_>, done: &str, name: Option<&str>) -> Result<(), Error> {
    if let Some(entry) = value.get("failed").and_then(Value::as_array).and_then(|f| f.first()) {
        return Err(failed_entry_error(entry));
    }
    let Some(listed) = value.get(done).and_then(Value::as_array) else {
        let detail = format!("the upstream answered no {} report", quoted(done));
        return Err(Error::new(ErrorCode::UpstreamUnavailable, detail));
    };
    let done_here = match name {
        Some(name) => listed.iter().any(|item| item.as_str() == Some(name)),
        None => !listed.is_empty(),
    };
    if done_here {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::UpstreamUnavailable,
        "the upstream's report lists this part neither as done nor as failed",
    ))
}

/// A report: `{<done_key>: done, "failed": failures}`.
fn report_value<'a>(done_key: &'a str, done: Vec<Value<'a>>, failures: Vec<Value<'a>>) -> Value<'a> {
    Value::object([(done_key, Value::Array(done)), ("failed", Value::Array(failures))])
}

/// The code a WAHA invite answer carries: bare text, as NestJS sends a string (`text/html`), or a
/// JSON string.
fn waha_invite_code(reply: &Reply) -> Result<String, Error> {
    let code = match json::parse_bytes(&reply.body) {
        Ok(value) => value.as_str().map(str::to_owned),
        Err(_) if upstream::unsound_body(reply.content_type.as_deref(), &reply.body).is_none() => {
            std::str::from_utf8(&reply.body).ok().map(|text| text.trim().to_owned())
        }
        Err(_) => None,
    };
    code.filter(|code| !code.is_empty()).ok_or_else(|| no_invite_code(reply))
}

fn no_invite_code(reply: &Reply) -> Error {
    Error::new(ErrorCode::UpstreamUnavailable, "the upstream answered no invite code")
        .with_upstream_status(reply.status)
}

/// Translates a Wadial-style upstream answer for an operation of `kind` to WAHA's shape.
pub fn to_canonical(kind: K, reply: Reply) -> Outcome {
    let value = parse(&reply)?;
    let canonical = match shape(kind) {
        Shape::Metadata => group_info_from_metadata(&value),
        Shape::MetadataList => each(&value, group_info_from_metadata),
        Shape::Participants => each(&value, |r| rename(r, PARTICIPANT_KEYS, ToWaha)),
        Shape::InviteCode => {
            // WAHA answers the code bare, as NestJS sends a string.
            let code = value.get("code").and_then(Value::as_str).ok_or_else(|| no_invite_code(&reply))?;
            let body = code.as_bytes().to_vec();
            return Ok(Reply { status: waha_status(kind), content_type: Some(BARE_TEXT.to_owned()), body });
        }
        Shape::JoinRequests => each(&value, |r| rename(r, JOIN_REQUEST_KEYS, ToWaha)),
        Shape::JoinResults => each(&value, |r| join_result(r, ToWaha)),
        Shape::Update(name) => {
            // WAHA answers a change with `true`, sent bare as NestJS sends a boolean.
            report_outcome(&value, "updated", Some(name))?;
            return Ok(Reply {
                status: waha_status(kind),
                content_type: Some(BARE_TEXT.to_owned()),
                body: b"true".to_vec(),
            });
        }
        Shape::Left => report_outcome(&value, "left", None).map(|()| Value::Object(Object::default()))?,
        Shape::Flag(key, read) => {
            let flag = value.as_object().and_then(read).ok_or_else(|| {
                Error::new(
                    ErrorCode::UpstreamUnavailable,
                    format!("the upstream's group metadata has no value for {key}"),
                )
            })?;
            Value::object([(key, Value::Bool(flag))])
        }
        Shape::Same => value,
    };
    Ok(Reply::json(waha_status(kind), &canonical))
}

/// Translates a canonical (WAHA) answer for an operation of `kind` to the Wadial-style shape;
/// `people` are those a per-person answer reports on (WAHA ids, in the order asked), so that an
/// engine's object of outcomes answers one result each ([`per_person_results`]).
pub fn from_canonical(kind: K, people: &[String], reply: Reply) -> Outcome {
    // WAHA sends an invite code bare, not as JSON.
    let value = if matches!(shape(kind), Shape::InviteCode) { Value::Null } else { parse(&reply)? };
    let wadial = match shape(kind) {
        Shape::Metadata => metadata_from_group_info(&value),
        // Some WAHA engines answer the list as an id → group map.
        Shape::MetadataList => match &value {
            Value::Object(map) => Value::Array(map.iter().map(|(_, group)| metadata_from_group_info(group)).collect()),
            list => each(list, metadata_from_group_info),
        },
        Shape::Participants => each(&per_person_results(value, people), |r| rename(r, PARTICIPANT_KEYS, ToWadial)),
        Shape::InviteCode => Value::object([("code", Value::from(waha_invite_code(&reply)?))]),
        Shape::JoinRequests => each(&value, |r| rename(r, JOIN_REQUEST_KEYS, ToWadial)),
        Shape::JoinResults => each(&value, |r| join_result(r, ToWadial)),
        Shape::Update(name) => report_value("updated", vec![Value::from(name)], Vec::new()),
        Shape::Left => report_value("left", Vec::new(), Vec::new()),
        Shape::Flag(..) | Shape::Same => value,
    };
    Ok(Reply::json(wadial_status(kind), &wadial))
}

/// A canonical update answer of `false` (WAHA: no permission) is a failure, never a success.
fn refused_update(outcome: Outcome, name: &str) -> Outcome {
    let reply = outcome?;
    if parse(&reply).ok() == Some(Value::Bool(false)) {
        let detail = format!("{name}: WhatsApp did not let this account change it (not an admin)");
        return Err(Error::new(ErrorCode::WhatsappNotAuthorized, detail));
    }
    Ok(reply)
}

fn failed<'a>(label_key: &'a str, label: String, error: &Error) -> Value<'a> {
    Value::object([
        (label_key, Value::from(label)),
        ("status", Value::from(u64::from(error.status))),
        ("code", Value::from(error.code.as_str())),
        ("detail", Value::from(error.detail.clone())),
    ])
}
/// The client's answer to a Wadial-style request, from the canonical outcome of each part:
///
/// - one part: its translated answer, or its problem; an update answers
///   `{"updated": [name], "failed": []}`, a leave `{"left": [groupJid], "failed": []}`;
/// - several updates (`PATCH …/profile`) or leaves (`POST …/groups/leave`): every part runs;
///   `200` with `{"updated"|"left": [...], "failed": []}` when all succeeded, else `207` with
///   each failed part in `failed` as `{field|groupJid, status, code, detail}`;
/// - create with a description: the problem when the create failed (nothing was done); `201`
///   with the metadata when both succeeded; `207` with `{"group": metadata, "failed": [{field:
///   "description", …}]}` when the group was created but its description not set.
pub fn compose(plan: &Plan, outcomes: Vec<Outcome>) -> Outcome {
    let Some(first) = plan.parts.first() else {
        return Err(Error::new(ErrorCode::Misconfigured, "no part was run"));
    };
    let kind = first.kind();
    match shape(kind) {
        _ if kind == K::CreateGroup => compose_create(plan, outcomes),
        Shape::Update(_) => report(plan, outcomes, "updated", "field"),
        Shape::Left => report(plan, outcomes, "left", "groupJid"),
        _ => {
            let people = match first {
                Part::Ready(operation) => people_asked(operation),
                Part::DescribeCreated(_) => Vec::new(),
            };
            outcomes
                .into_iter()
                .next()
                .unwrap_or_else(|| Err(Error::new(ErrorCode::Misconfigured, "no outcome")))
                .and_then(|reply| from_canonical(kind, &people, reply))
        }
    }
}

/// The label of a report part: the update's field or setting name, or the left group's id.
fn label(part: &Part) -> String {
    match (part, shape(part.kind())) {
        (_, Shape::Update(name)) => name.to_owned(),
        (Part::Ready(Operation::LeaveGroup { group }), _) => group.to_string(),
        _ => String::new(),
    }
}

fn report(plan: &Plan, outcomes: Vec<Outcome>, done_key: &str, label_key: &str) -> Outcome {
    let (mut done, mut failures) = (Vec::new(), Vec::new());
    let single = plan.parts.len() == 1;
    for (part, outcome) in plan.parts.iter().zip(outcomes) {
        let name = label(part);
        match refused_update(outcome, &name) {
            Ok(_) => done.push(Value::from(name)),
            Err(error) if single => return Err(error),
            Err(error) => failures.push(failed(label_key, name, &error)),
        }
    }
    let status = if failures.is_empty() { 200 } else { 207 };
    Ok(Reply::json(status, &report_value(done_key, done, failures)))
}

/// A create the upstream answered with success in a body groupgate cannot read: the refusal says
/// which half was probably done, so nobody creates the group twice.
fn unreadable_creation(mut error: Error, described_too: bool) -> Error {
    let unset = if described_too { ", its description not set" } else { "" };
    error.detail =
        format!("{}: the group was probably created{unset}; list the groups before creating it again", error.detail);
    error
}

fn compose_create(plan: &Plan, outcomes: Vec<Outcome>) -> Outcome {
    let mut outcomes = outcomes.into_iter();
    let created = outcomes.next().unwrap_or_else(|| Err(Error::new(ErrorCode::Misconfigured, "no outcome")))?;
    let described_too = matches!(plan.parts.get(1), Some(Part::DescribeCreated(_)));
    let mut metadata = metadata_from_group_info(&parse(&created).map_err(|e| unreadable_creation(e, described_too))?);
    let Some(Part::DescribeCreated(description)) = plan.parts.get(1) else {
        return Ok(Reply::json(201, &metadata));
    };
    let described = outcomes.next().unwrap_or_else(|| Err(Error::new(ErrorCode::Misconfigured, "no outcome")));
    match refused_update(described, "description") {
        Ok(_) => {
            if let Value::Object(map) = &mut metadata {
                map.insert("desc", Value::from(description.0.as_str()));
            }
            Ok(Reply::json(201, &metadata))
        }
        Err(error) => {
            let failures = vec![failed("field", "description".into(), &error)];
            Ok(Reply::json(207, &Value::object([("group", metadata), ("failed", Value::Array(failures))])))
        }
    }
}
