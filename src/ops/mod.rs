//! Group operations, whatever the wire dialect: the typed, validated form of every group request.
//!
//! - this file: the operations themselves ([`Operation`], [`GroupRequest`]);
//! - [`route`]: the WAHA route table, one row per route;
//! - [`waha`]: WAHA's spelling of each operation, parsed and rendered with that table;
//! - [`body`], [`query`]: field-by-field readers for bodies and query strings (every invalid field
//!   reported with its pointer).
//!
//! Parsing then rendering gives the canonical request.

pub mod body;
pub mod query;
pub mod route;
pub mod waha;

use crate::ids::{GroupId, ParticipantId, SessionName};
use crate::invite::InviteCode;
use crate::picture::PictureFile;
use query::ListGroupsQuery;
pub use route::{match_route, Method, RateClass, Route, RouteMatch};
pub use waha::split_api_path;

/// A group security setting (`/groups/{id}/settings/security/<setting>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// Only admins may edit the group info.
    InfoAdminOnly,
    /// Only admins may send messages.
    MessagesAdminOnly,
    /// Members may add new members.
    MemberAddMode,
    /// Members may share history with new members.
    MemberShareHistoryMode,
    /// New members need an admin's approval.
    MembershipApproval,
}

impl Setting {
    /// Every setting.
    pub const ALL: [Setting; 5] = [
        Setting::InfoAdminOnly,
        Setting::MessagesAdminOnly,
        Setting::MemberAddMode,
        Setting::MemberShareHistoryMode,
        Setting::MembershipApproval,
    ];
}

/// What a participants call does to the people listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberAction {
    /// `participants/add`
    Add,
    /// `participants/remove`
    Remove,
    /// `admin/promote`
    Promote,
    /// `admin/demote`
    Demote,
    /// `join-requests/approve`
    Approve,
    /// `join-requests/reject`
    Reject,
}

impl MemberAction {
    /// Every action.
    pub const ALL: [MemberAction; 6] = [
        MemberAction::Add,
        MemberAction::Remove,
        MemberAction::Promote,
        MemberAction::Demote,
        MemberAction::Approve,
        MemberAction::Reject,
    ];
}

/// A validated group operation. Field values are always valid; ids are normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// #1 Create a group with a subject and its first members.
    CreateGroup {
        /// The group's subject (WAHA's `name`).
        subject: String,
        /// The first members.
        participants: Vec<ParticipantId>,
    },
    /// #2 List groups.
    ListGroups(ListGroupsQuery),
    /// #3 Count groups.
    CountGroups,
    /// #4 Refresh groups from WhatsApp.
    RefreshGroups,
    /// #5 Preview a group by invite.
    JoinInfo(InviteCode),
    /// #6 Join a group by invite.
    JoinGroup(InviteCode),
    /// #7 One group.
    GetGroup(GroupId),
    /// #8 Delete a group.
    DeleteGroup(GroupId),
    /// #9 Leave a group.
    LeaveGroup(GroupId),
    /// #10 Rename a group.
    SetSubject(GroupId, String),
    /// #11 Set (or clear, with `""`) the description.
    SetDescription(GroupId, String),
    /// #12 The picture URL; `refresh` asks WhatsApp again.
    GetPicture(GroupId, Option<bool>),
    /// #13 Set the picture.
    SetPicture(GroupId, PictureFile),
    /// #14 Remove the picture.
    DeletePicture(GroupId),
    /// #15–#24 (even) Read a security setting.
    GetSetting(GroupId, Setting),
    /// #15–#24 (odd) Change a security setting.
    SetSetting(GroupId, Setting, bool),
    /// #25 The invite code.
    GetInviteCode(GroupId),
    /// #26 Replace the invite code.
    RevokeInviteCode(GroupId),
    /// #27 Members, engine format.
    GetParticipants(GroupId),
    /// #28 Members, `{id, pn?, role}`.
    GetParticipantsV2(GroupId),
    /// #33 Pending join requests.
    ListJoinRequests(GroupId),
    /// #29–#32, #34, #35 Act on listed people.
    Members(GroupId, MemberAction, Vec<ParticipantId>),
}

/// A request for one session: what the Worker receives and what it forwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRequest {
    /// The WAHA session.
    pub session: SessionName,
    /// The operation.
    pub operation: Operation,
}

/// A request rendered for the upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedRequest {
    /// HTTP method.
    pub method: Method,
    /// Path from `/api/`, e.g. `/api/default/groups/1203…@g.us/subject`.
    pub path: String,
    /// Raw query string without `?` (empty when none).
    pub query: String,
    /// JSON body, for routes that take one.
    pub body: Option<String>,
}

impl Operation {
    /// The group the operation acts on, if any.
    pub fn group(&self) -> Option<&GroupId> {
        match self {
            Operation::CreateGroup { .. }
            | Operation::ListGroups(_)
            | Operation::CountGroups
            | Operation::RefreshGroups
            | Operation::JoinInfo(_)
            | Operation::JoinGroup(_) => None,
            Operation::GetGroup(g)
            | Operation::DeleteGroup(g)
            | Operation::LeaveGroup(g)
            | Operation::SetSubject(g, _)
            | Operation::SetDescription(g, _)
            | Operation::GetPicture(g, _)
            | Operation::SetPicture(g, _)
            | Operation::DeletePicture(g)
            | Operation::GetSetting(g, _)
            | Operation::SetSetting(g, _, _)
            | Operation::GetInviteCode(g)
            | Operation::RevokeInviteCode(g)
            | Operation::GetParticipants(g)
            | Operation::GetParticipantsV2(g)
            | Operation::ListJoinRequests(g)
            | Operation::Members(g, _, _) => Some(g),
        }
    }

    /// Rate-limit class and cost (units): refresh costs 1, add/remove 1 per distinct person.
    pub fn rate_cost(&self) -> Option<(RateClass, u32)> {
        let class = self.route().rate_class()?;
        let cost = match self {
            Operation::Members(_, _, people) => u32::try_from(people.len()).unwrap_or(u32::MAX),
            _ => 1,
        };
        Some((class, cost))
    }
}
