//! The Wadial-style dialect: `/api/v1/sessions/{sessionId}/groups…`, `Authorization: Bearer`,
//! user ids as `<digits>@s.whatsapp.net`, one participants endpoint with an `action`, PATCH-style
//! profile and settings, membership requests and bulk leave. Its route table maps each request
//! to one or more of the same [`Operation`]s the WAHA dialect reads, with the same field readers;
//! [`answers`] translates answers between its shapes and the canonical (WAHA) ones.

pub mod answers;
mod render;

use super::body::{parse_json, Object};
use super::dialect::{lacking, Dialect, Endpoint, Found, Located, Outcome, Part, Plan, Reply, Upstream};
use super::field::{At, Description, Field, Input, Place, Subject};
use super::query::{ListGroupsQuery, QueryReader};
use super::router::{find, Route};
use super::waha::decode_segment;
use super::{Method, Operation, OperationKind as K, RenderedRequest};
use crate::error::{Error, ErrorCode, FieldError, FieldErrors};
use crate::ids::{GroupId, ParticipantId, SessionName};
use crate::invite::InviteCode;
use crate::limits::Limits;
use crate::wire::{joined, quoted, Query};
use field_names::*;

/// The Wadial-style dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Wadial;

/// The path every Wadial-style route starts with, before the session.
pub const PREFIX: &str = "/api/v1/sessions/";

/// An endpoint of the Wadial-style route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WadialEndpoint {
    /// `GET /groups`.
    ListGroups,
    /// `GET /groups/{groupJid}`.
    GetGroup,
    /// `POST /groups` `{subject, participants, description?}`.
    CreateGroup,
    /// `PATCH /groups/{groupJid}/profile` `{subject?, description?}`.
    UpdateProfile,
    /// `POST /groups/{groupJid}/participants` `{action, participants}`.
    UpdateParticipants,
    /// `PATCH /groups/{groupJid}/settings`: one setting.
    UpdateSettings,
    /// `POST /groups/invite/preview` `{code}`.
    PreviewInvite,
    /// `POST /groups/join` `{code}`.
    JoinGroup,
    /// `GET /groups/{groupJid}/invite-code`.
    GetInviteCode,
    /// `POST /groups/{groupJid}/invite/revoke`.
    RevokeInvite,
    /// `GET /groups/{groupJid}/membership-requests`.
    ListMembershipRequests,
    /// `POST /groups/{groupJid}/membership-requests` `{action, participants}`.
    AnswerMembershipRequests,
    /// `POST /groups/leave` `{groupJids}`.
    LeaveGroups,
}

use WadialEndpoint as E;

/// The route table: method and path template under `/api/v1/sessions/{sessionId}` (`{id}`: the
/// `groupJid` segment).
const ROUTES: &[Route<WadialEndpoint>] = &[
    Route::new(E::ListGroups, Method::Get, "/groups"),
    Route::new(E::CreateGroup, Method::Post, "/groups"),
    Route::new(E::PreviewInvite, Method::Post, "/groups/invite/preview"),
    Route::new(E::JoinGroup, Method::Post, "/groups/join"),
    Route::new(E::LeaveGroups, Method::Post, "/groups/leave"),
    Route::new(E::GetGroup, Method::Get, "/groups/{id}"),
    Route::new(E::UpdateProfile, Method::Patch, "/groups/{id}/profile"),
    Route::new(E::UpdateParticipants, Method::Post, "/groups/{id}/participants"),
    Route::new(E::UpdateSettings, Method::Patch, "/groups/{id}/settings"),
    Route::new(E::GetInviteCode, Method::Get, "/groups/{id}/invite-code"),
    Route::new(E::RevokeInvite, Method::Post, "/groups/{id}/invite/revoke"),
    Route::new(E::ListMembershipRequests, Method::Get, "/groups/{id}/membership-requests"),
    Route::new(E::AnswerMembershipRequests, Method::Post, "/groups/{id}/membership-requests"),
];

/// Body keys of the Wadial-style requests.
pub(super) mod field_names {
    pub const SUBJECT: &str = "subject";
    pub const DESCRIPTION: &str = "description";
    pub const PARTICIPANTS: &str = "participants";
    pub const ACTION: &str = "action";
    pub const CODE: &str = "code";
    pub const GROUP_JIDS: &str = "groupJids";
    pub const SETTING: &str = "setting";
    pub const ENABLED: &str = "enabled";
    pub const MEMBER_ADD_MODE: &str = "memberAddMode";
    pub const MEMBER_SHARE_MODE: &str = "memberShareGroupHistoryMode";
    pub const MEMBER_LINK_MODE: &str = "memberLinkMode";
    pub const EPHEMERAL: &str = "ephemeralDurationSeconds";
}

/// The settings a WAHA-shaped operation exists for: the `setting` names and their operations.
const BOOLEAN_SETTINGS: [(&str, K); 2] = [("announcement", K::SetMessagesAdminOnly), ("locked", K::SetInfoAdminOnly)];
/// Setting keys groupgate has no operation for: always `501 not_implemented`, nothing sent.
const UNSUPPORTED_SETTINGS: [&str; 2] = [MEMBER_LINK_MODE, EPHEMERAL];

impl Endpoint for WadialEndpoint {
    fn name(self) -> &'static str {
        match self {
            E::ListGroups => "listGroups",
            E::GetGroup => "getGroup",
            E::CreateGroup => "createGroup",
            E::UpdateProfile => "updateProfile",
            E::UpdateParticipants => "updateParticipants",
            E::UpdateSettings => "updateSettings",
            E::PreviewInvite => "joinInfo",
            E::JoinGroup => "joinGroup",
            E::GetInviteCode => "getInviteCode",
            E::RevokeInvite => "revokeInviteCode",
            E::ListMembershipRequests => "listJoinRequests",
            E::AnswerMembershipRequests => "answerJoinRequests",
            E::LeaveGroups => "leaveGroups",
        }
    }

    fn kinds(self) -> &'static [K] {
        match self {
            E::ListGroups => &[K::ListGroups],
            E::GetGroup => &[K::GetGroup],
            E::CreateGroup => &[K::CreateGroup, K::SetDescription],
            E::UpdateProfile => &[K::SetSubject, K::SetDescription],
            E::UpdateParticipants => {
                &[K::AddParticipants, K::RemoveParticipants, K::PromoteParticipants, K::DemoteParticipants]
            }
            E::UpdateSettings => {
                &[K::SetMessagesAdminOnly, K::SetInfoAdminOnly, K::SetMemberAddMode, K::SetMemberShareHistoryMode]
            }
            E::PreviewInvite => &[K::JoinInfo],
            E::JoinGroup => &[K::JoinGroup],
            E::GetInviteCode => &[K::GetInviteCode],
            E::RevokeInvite => &[K::RevokeInviteCode],
            E::ListMembershipRequests => &[K::ListJoinRequests],
            E::AnswerMembershipRequests => &[K::ApproveJoinRequests, K::RejectJoinRequests],
            E::LeaveGroups => &[K::LeaveGroup],
        }
    }
}

impl WadialEndpoint {
    /// The body keys the endpoint accepts.
    fn body_keys(self) -> &'static [&'static str] {
        match self {
            E::CreateGroup => &[SUBJECT, PARTICIPANTS, DESCRIPTION],
            E::UpdateProfile => &[SUBJECT, DESCRIPTION],
            E::UpdateParticipants | E::AnswerMembershipRequests => &[ACTION, PARTICIPANTS],
            E::UpdateSettings => &[SETTING, ENABLED, MEMBER_ADD_MODE, MEMBER_SHARE_MODE, MEMBER_LINK_MODE, EPHEMERAL],
            E::PreviewInvite | E::JoinGroup => &[CODE],
            E::LeaveGroups => &[GROUP_JIDS],
            _ => &[],
        }
    }

    /// Reads the endpoint's parts from `input`, recording every invalid field; `Err` for a
    /// request groupgate cannot carry at all (`not_implemented`, naming the field).
    fn read_parts(self, input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Result<Option<Vec<Part>>, Error> {
        let group = input.group.clone();
        let one = |operation: Option<Operation>| operation.map(|op| vec![Part::Ready(op)]);
        Ok(match self {
            E::ListGroups => one(Some(Operation::ListGroups { query: ListGroupsQuery::default() })),
            E::GetGroup => one(group.map(|group| Operation::GetGroup { group })),
            E::GetInviteCode => one(group.map(|group| Operation::GetInviteCode { group })),
            E::RevokeInvite => one(group.map(|group| Operation::RevokeInviteCode { group })),
            E::ListMembershipRequests => one(group.map(|group| Operation::ListJoinRequests { group })),
            E::PreviewInvite => one(invite_code(input, errors).map(|code| Operation::JoinInfo { code })),
            E::JoinGroup => one(invite_code(input, errors).map(|code| Operation::JoinGroup { code })),
            E::CreateGroup => read_create(input, errors),
            E::UpdateProfile => read_profile(group, input, errors),
            E::UpdateParticipants => {
                let action = choice(&input.body, ACTION, &["add", "remove", "promote", "demote"], errors);
                let people = people(input, errors);
                let (group, action, participants) = (group, action, people);
                one((|| {
                    let (group, participants) = (group?, participants?);
                    Some(match action? {
                        "add" => Operation::AddParticipants { group, participants },
                        "remove" => Operation::RemoveParticipants { group, participants },
                        "promote" => Operation::PromoteParticipants { group, participants },
                        _ => Operation::DemoteParticipants { group, participants },
                    })
                })())
            }
            E::AnswerMembershipRequests => {
                let action = choice(&input.body, ACTION, &["approve", "reject", "cancel"], errors);
                if action == Some("cancel") {
                    let detail = "/action: cancel has no WAHA operation (a request can only be approved or \
                                  rejected); nothing was forwarded";
                    return Err(not_implemented("/action", detail));
                }
                let participants = people(input, errors);
                one((|| {
                    let (group, participants) = (group?, participants?);
                    Some(match action? {
                        "approve" => Operation::ApproveJoinRequests { group, participants },
                        _ => Operation::RejectJoinRequests { group, participants },
                    })
                })())
            }
            E::UpdateSettings => one(read_setting(group, &input.body, errors)?),
            E::LeaveGroups => input
                .body
                .group_ids(GROUP_JIDS, input.limits, errors)
                .map(|groups| groups.into_iter().map(|group| Part::Ready(Operation::LeaveGroup { group })).collect()),
        })
    }
}

/// A `501 not_implemented` naming the body field at `pointer`.
fn not_implemented(pointer: &str, detail: &str) -> Error {
    let field = FieldError::body(pointer, ErrorCode::NotImplemented, detail);
    Error { errors: vec![field], ..Error::new(ErrorCode::NotImplemented, detail) }
}

fn body_at(key: &'static str) -> At {
    At { place: Place::Body, key }
}

/// `participants: ["…@s.whatsapp.net"]`, with the WAHA dialect's rules.
fn people(input: &Input<'_, '_>, errors: &mut FieldErrors) -> Option<super::field::People> {
    input.body.id_strings(PARTICIPANTS, input.limits, errors).map(super::field::People)
}

fn invite_code(input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<InviteCode> {
    InviteCode::read(body_at(CODE), input, errors)
}

/// A required string field holding one of `options`.
fn choice(
    body: &Object<'_, '_>,
    key: &str,
    options: &[&'static str],
    errors: &mut FieldErrors,
) -> Option<&'static str> {
    let given = body.string(key, errors)?;
    let found = options.iter().copied().find(|o| *o == given);
    if found.is_none() {
        let pointer = body.pointer_of(key);
        let detail = format!("{pointer}: expected one of {}; got {}", joined(options, ", "), quoted(given));
        errors.push(FieldError::body(pointer, ErrorCode::InvalidValue, detail));
    }
    found
}

/// `POST /groups`: create, then set the description on the new group when one is given.
fn read_create(input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<Vec<Part>> {
    let subject = Subject::read(body_at(SUBJECT), input, errors);
    let participants = people(input, errors);
    let description = input.body.has(DESCRIPTION).then(|| Description::read(body_at(DESCRIPTION), input, errors));
    let mut parts = vec![Part::Ready(Operation::CreateGroup { subject: subject?, participants: participants? })];
    match description {
        Some(Some(description)) if description.0.is_empty() => {}
        Some(Some(description)) => parts.push(Part::DescribeCreated(description)),
        Some(None) => return None,
        None => {}
    }
    Some(parts)
}

/// `PATCH …/profile`: the subject and/or the description, in that order.
fn read_profile(group: Option<GroupId>, input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<Vec<Part>> {
    let (has_subject, has_description) = (input.body.has(SUBJECT), input.body.has(DESCRIPTION));
    if !has_subject && !has_description {
        let detail = "/subject: give subject, description or both";
        errors.push(FieldError::body("/subject", ErrorCode::MissingField, detail));
        return None;
    }
    let subject = has_subject.then(|| Subject::read(body_at(SUBJECT), input, errors));
    let description = has_description.then(|| Description::read(body_at(DESCRIPTION), input, errors));
    let group = group?;
    let mut parts = Vec::new();
    if let Some(subject) = subject {
        parts.push(Part::Ready(Operation::SetSubject { group: group.clone(), subject: subject? }));
    }
    if let Some(description) = description {
        parts.push(Part::Ready(Operation::SetDescription { group, description: description? }));
    }
    Some(parts)
}

/// `PATCH …/settings`: exactly one of `{setting, enabled}`, `{memberAddMode}`,
/// `{memberShareGroupHistoryMode}` (`enabled` beside a mode is refused, not dropped); `memberLinkMode` and `ephemeralDurationSeconds` are
/// `not_implemented`.
fn read_setting(
    group: Option<GroupId>,
    body: &Object<'_, '_>,
    errors: &mut FieldErrors,
) -> Result<Option<Operation>, Error> {
    if let Some(key) = UNSUPPORTED_SETTINGS.iter().find(|k| body.has(k)) {
        let detail =
            format!("/{key}: groupgate has no operation for this setting on any upstream; nothing was forwarded");
        return Err(not_implemented(&format!("/{key}"), &detail));
    }
    let given: Vec<&str> = [SETTING, MEMBER_ADD_MODE, MEMBER_SHARE_MODE].into_iter().filter(|k| body.has(k)).collect();
    if given.len() != 1 {
        let detail = format!(
            "/setting: give exactly one of setting (with enabled), {MEMBER_ADD_MODE} or {MEMBER_SHARE_MODE}; got {}",
            if given.is_empty() { "none".to_owned() } else { joined(&given, ", ") }
        );
        let code = if given.is_empty() { ErrorCode::MissingField } else { ErrorCode::InvalidValue };
        errors.push(FieldError::body("/setting", code, detail));
        return Ok(None);
    }
    if given[0] != SETTING && body.has(ENABLED) {
        let at = body.pointer_of(ENABLED);
        let detail = format!("{at}: goes only with setting; {} names the mode itself", given[0]);
        errors.push(FieldError::body(at, ErrorCode::InvalidValue, detail));
    }
    let operation = match given[0] {
        SETTING => {
            let names: Vec<&'static str> = BOOLEAN_SETTINGS.iter().map(|(name, _)| *name).collect();
            let setting = choice(body, SETTING, &names, errors);
            let value = body.boolean(ENABLED, errors);
            let kind = setting.and_then(|s| BOOLEAN_SETTINGS.iter().find(|(name, _)| *name == s)).map(|(_, k)| *k);
            (|| match kind? {
                K::SetMessagesAdminOnly => Some(Operation::SetMessagesAdminOnly { group: group?, value: value? }),
                _ => Some(Operation::SetInfoAdminOnly { group: group?, value: value? }),
            })()
        }
        MEMBER_ADD_MODE => {
            let mode = choice(body, MEMBER_ADD_MODE, &["admin_add", "all_member_add"], errors);
            mode.zip(group).map(|(mode, group)| Operation::SetMemberAddMode { group, value: mode == "all_member_add" })
        }
        _ => {
            let mode = choice(body, MEMBER_SHARE_MODE, &["admin_share", "all_member_share"], errors);
            mode.zip(group)
                .map(|(mode, group)| Operation::SetMemberShareHistoryMode { group, value: mode == "all_member_share" })
        }
    };
    Ok(operation)
}

impl Upstream for Wadial {
    fn name(&self) -> &'static str {
        "wadial"
    }

    fn lacks(&self, kind: K) -> bool {
        matches!(
            kind,
            K::CountGroups
                | K::RefreshGroups
                | K::DeleteGroup
                | K::GetPicture
                | K::SetPicture
                | K::DeletePicture
                | K::GetParticipants
                | K::GetParticipantsV2
                | K::SetMembershipApproval
                | K::GetMemberShareHistoryMode
        )
    }

    fn credentials(&self, key: &str) -> (&'static str, String) {
        ("Authorization", format!("Bearer {key}"))
    }

    fn render(&self, session: &SessionName, operation: &Operation) -> Result<RenderedRequest, Error> {
        if self.lacks(operation.kind()) {
            return Err(lacking(self.name(), operation.kind()));
        }
        render::render(session, operation).ok_or_else(|| lacking(self.name(), operation.kind()))?
    }

    fn to_canonical(&self, kind: K, reply: Reply) -> Outcome {
        answers::to_canonical(kind, reply)
    }

    fn answers_canonically(&self) -> bool {
        false
    }
}

impl Dialect for Wadial {
    type Endpoint = WadialEndpoint;

    fn locate<'p>(&self, method: &str, path: &'p str) -> Option<Located<'p, WadialEndpoint>> {
        let rest = path.strip_prefix(PREFIX)?;
        let slash = rest.find('/')?;
        let under = &rest[slash..];
        let under = under.strip_suffix('/').filter(|u| !u.is_empty()).unwrap_or(under);
        Some(Located { session: &rest[..slash], found: find(ROUTES, method, path, under) })
    }

    fn read(
        &self,
        session: &str,
        found: &Found<'_, WadialEndpoint>,
        query: &str,
        body: &[u8],
        limits: &Limits,
    ) -> Result<Plan, Error> {
        let mut errors = FieldErrors::new();
        let session =
            errors.take(decode_segment(session, "sessionId").and_then(|s| SessionName::parse_at(&s, "sessionId")));
        let group = found.group.and_then(|raw| {
            errors.take(decode_segment(raw, "groupJid").and_then(|s| {
                GroupId::parse(&s).map_err(|why| {
                    FieldError::parameter("groupJid", ErrorCode::InvalidGroupId, format!("groupJid: {why}"))
                })
            }))
        });
        let query = Query::read(query, &mut errors);
        let json = parse_json(body)?;
        let reader = QueryReader::new(&query, Vec::new(), &mut errors);
        let Some(object) = Object::root(json.as_ref(), found.endpoint.body_keys(), &mut errors) else {
            return errors.finish(|| None);
        };
        let mut input = Input { group, query: reader, body: object, limits };
        let parts = found.endpoint.read_parts(&mut input, &mut errors)?;
        errors.finish(|| Some(Plan { session: session?, parts: parts? }))
    }

    fn answer(&self, plan: &Plan, outcomes: Vec<Outcome>) -> Outcome {
        answers::compose(plan, outcomes)
    }
}

/// A member id as the Wadial-style API spells it: `<digits>@s.whatsapp.net` (or `<digits>@lid`).
pub fn wadial_id(id: &ParticipantId) -> String {
    match id {
        ParticipantId::User(user) => format!("{}@s.whatsapp.net", user.digits()),
        ParticipantId::Lid(lid) => lid.to_string(),
    }
}
