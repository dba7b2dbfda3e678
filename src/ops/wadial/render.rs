//! Rendering operations as Wadial-style upstream calls.

use super::field_names::*;
use super::{wadial_id, PREFIX};
use crate::error::{Error, ErrorCode, FieldError};
use crate::ids::{GroupId, SessionName};
use crate::ops::field::People;
use crate::ops::waha::render_template;
use crate::ops::{Method, Operation, RenderedRequest};
use crate::wire::{Json, Query};

/// Renders `operation` on `session` as the Wadial-style call; `None` for an operation the dialect
/// has no call for, `Some(Err)` for one it cannot carry as given (a list query).
pub(super) fn render(session: &SessionName, operation: &Operation) -> Option<Result<RenderedRequest, Error>> {
    let ids = |people: &People| Json::Array(people.0.iter().map(|p| Json::Str(wadial_id(p))).collect());
    let flag = |setting: &'static str, value: bool| {
        vec![(SETTING, Json::Str(setting.to_owned())), (ENABLED, Json::Bool(value))]
    };
    let mode = |key: &'static str, value: bool, yes: &str, no: &str| {
        vec![(key, Json::Str(if value { yes } else { no }.to_owned()))]
    };
    let action = |action: &str, people| vec![(ACTION, Json::Str(action.to_owned())), (PARTICIPANTS, ids(people))];
    let str_field = |key: &'static str, value: &str| vec![(key, Json::Str(value.to_owned()))];
    let metadata = (Method::Get, "/groups/{id}", None);
    let (method, template, body): (Method, &str, Option<Vec<(&'static str, Json)>>) = match operation {
        Operation::CreateGroup { subject, participants } => (
            Method::Post,
            "/groups",
            Some(vec![(SUBJECT, Json::Str(subject.0.clone())), (PARTICIPANTS, ids(participants))]),
        ),
        Operation::ListGroups { query } => {
            let mut rendered = Query::default();
            query.render(&mut rendered);
            if let Some((name, _)) = rendered.0.first() {
                let detail = format!("{name}: a wadial upstream takes no list parameters; nothing was forwarded");
                let field = FieldError::parameter(name.clone(), ErrorCode::NotImplemented, &detail);
                return Some(Err(Error { errors: vec![field], ..Error::new(ErrorCode::NotImplemented, detail) }));
            }
            (Method::Get, "/groups", None)
        }
        Operation::JoinInfo { code } => {
            (Method::Post, "/groups/invite/preview", Some(str_field(CODE, &code.to_string())))
        }
        Operation::JoinGroup { code } => (Method::Post, "/groups/join", Some(str_field(CODE, &code.to_string()))),
        Operation::GetGroup { .. }
        | Operation::GetInfoAdminOnly { .. }
        | Operation::GetMessagesAdminOnly { .. }
        | Operation::GetMemberAddMode { .. }
        | Operation::GetMembershipApproval { .. } => metadata,
        Operation::LeaveGroup { group } => {
            (Method::Post, "/groups/leave", Some(vec![(GROUP_JIDS, Json::Array(vec![Json::Str(group.to_string())]))]))
        }
        Operation::SetSubject { subject, .. } => {
            (Method::Patch, "/groups/{id}/profile", Some(str_field(SUBJECT, &subject.0)))
        }
        Operation::SetDescription { description, .. } => {
            (Method::Patch, "/groups/{id}/profile", Some(str_field(DESCRIPTION, &description.0)))
        }
        Operation::SetMessagesAdminOnly { value, .. } => {
            (Method::Patch, "/groups/{id}/settings", Some(flag("announcement", *value)))
        }
        Operation::SetInfoAdminOnly { value, .. } => {
            (Method::Patch, "/groups/{id}/settings", Some(flag("locked", *value)))
        }
        Operation::SetMemberAddMode { value, .. } => {
            (Method::Patch, "/groups/{id}/settings", Some(mode(MEMBER_ADD_MODE, *value, "all_member_add", "admin_add")))
        }
        Operation::SetMemberShareHistoryMode { value, .. } => (
            Method::Patch,
            "/groups/{id}/settings",
            Some(mode(MEMBER_SHARE_MODE, *value, "all_member_share", "admin_share")),
        ),
        Operation::GetInviteCode { .. } => (Method::Get, "/groups/{id}/invite-code", None),
        Operation::RevokeInviteCode { .. } => (Method::Post, "/groups/{id}/invite/revoke", None),
        Operation::AddParticipants { participants, .. } => {
            (Method::Post, "/groups/{id}/participants", Some(action("add", participants)))
        }
        Operation::RemoveParticipants { participants, .. } => {
            (Method::Post, "/groups/{id}/participants", Some(action("remove", participants)))
        }
        Operation::PromoteParticipants { participants, .. } => {
            (Method::Post, "/groups/{id}/participants", Some(action("promote", participants)))
        }
        Operation::DemoteParticipants { participants, .. } => {
            (Method::Post, "/groups/{id}/participants", Some(action("demote", participants)))
        }
        Operation::ListJoinRequests { .. } => (Method::Get, "/groups/{id}/membership-requests", None),
        Operation::ApproveJoinRequests { participants, .. } => {
            (Method::Post, "/groups/{id}/membership-requests", Some(action("approve", participants)))
        }
        Operation::RejectJoinRequests { participants, .. } => {
            (Method::Post, "/groups/{id}/membership-requests", Some(action("reject", participants)))
        }
        _ => return None,
    };
    let mut path = String::from(PREFIX);
    path.push_str(session.as_str());
    render_template(template, operation.group().map(GroupId::as_str), &mut path);
    Some(Ok(RenderedRequest {
        method,
        path,
        query: String::new(),
        body: body.map(|fields| Json::Object(fields).render()),
    }))
}
