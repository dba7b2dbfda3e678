//! The route table: every WAHA groups route, described once (method, path, client method name,
//! accepted query parameters and body fields, rate-limit class). The router, the browser client and the tests all derive from this table.

use std::fmt;

/// HTTP methods used by the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// Parses an HTTP method name (case-sensitive, as HTTP defines it).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }

    /// The method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rate-limit classes: the calls that get WhatsApp numbers throttled or banned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateClass {
    /// `POST /groups/refresh`, one unit per call.
    Refresh,
    /// `POST /groups/{id}/participants/add`, one unit per distinct participant.
    Add,
    /// `POST /groups/{id}/participants/remove`, one unit per distinct participant.
    Remove,
}

impl RateClass {
    /// Every class.
    pub const ALL: [RateClass; 3] = [RateClass::Refresh, RateClass::Add, RateClass::Remove];

    /// The class's name in settings, headers and keys (`refresh`, `add`, `remove`).
    pub fn as_str(self) -> &'static str {
        match self {
            RateClass::Refresh => "refresh",
            RateClass::Add => "add",
            RateClass::Remove => "remove",
        }
    }
}

macro_rules! routes {
    ($( $(#[$doc:meta])* $variant:ident = $method:ident $path:literal => $client:literal
        $(, query [$($query:literal),*])? $(, body [$($body:literal),*])? $(, limit $class:ident)? ;)*) => {
        /// One WAHA groups route (method + path under `/api/{session}`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Route {
            $( $(#[$doc])* $variant, )*
        }

        impl Route {
            /// Every route, in the contract's order.
            pub const ALL: &'static [Route] = &[$(Route::$variant),*];

            /// The route's HTTP method.
            pub fn method(self) -> Method {
                match self { $(Route::$variant => Method::$method,)* }
            }

            /// The path template under `/api/{session}` (`/groups/{id}/subject`).
            pub fn template(self) -> &'static str {
                match self { $(Route::$variant => $path,)* }
            }

            /// The browser client's method name for this route (`setSubject`).
            pub fn client_name(self) -> &'static str {
                match self { $(Route::$variant => $client,)* }
            }

            /// The rate-limit class, for the routes that are limited.
            pub fn rate_class(self) -> Option<RateClass> {
                match self { $(Route::$variant => routes!(@class $($class)?),)* }
            }

            /// The query parameters the route accepts (others are refused).
            pub fn query_names(self) -> &'static [&'static str] {
                match self { $(Route::$variant => &[$($($query),*)?],)* }
            }

            /// The body fields the route accepts (none: the route takes no body).
            pub fn body_fields(self) -> &'static [&'static str] {
                match self { $(Route::$variant => &[$($($body),*)?],)* }
            }
        }
    };
    (@class) => { None };
    (@class $class:ident) => { Some(RateClass::$class) };
}

routes! {
    /// #1 `POST /groups` — create a group.
    CreateGroup = Post "/groups" => "createGroup", body ["name", "participants"];
    /// #2 `GET /groups` — list groups.
    ListGroups = Get "/groups" => "listGroups", query ["limit", "offset", "sortBy", "sortOrder", "exclude"];
    /// #3 `GET /groups/count` — count groups.
    CountGroups = Get "/groups/count" => "countGroups";
    /// #4 `POST /groups/refresh` — refresh the group list from WhatsApp (rate limited).
    RefreshGroups = Post "/groups/refresh" => "refreshGroups", limit Refresh;
    /// #5 `GET /groups/join-info` — preview a group from an invite.
    JoinInfo = Get "/groups/join-info" => "joinInfo", query ["code"];
    /// #6 `POST /groups/join` — join a group by invite.
    JoinGroup = Post "/groups/join" => "joinGroup", body ["code"];
    /// #7 `GET /groups/{id}` — one group.
    GetGroup = Get "/groups/{id}" => "getGroup";
    /// #8 `DELETE /groups/{id}` — delete a group (some engines).
    DeleteGroup = Delete "/groups/{id}" => "deleteGroup";
    /// #9 `POST /groups/{id}/leave` — leave a group.
    LeaveGroup = Post "/groups/{id}/leave" => "leaveGroup";
    /// #10 `PUT /groups/{id}/subject` — rename a group.
    SetSubject = Put "/groups/{id}/subject" => "setSubject", body ["subject"];
    /// #11 `PUT /groups/{id}/description` — set or clear the description.
    SetDescription = Put "/groups/{id}/description" => "setDescription", body ["description"];
    /// #12 `GET /groups/{id}/picture` — the picture URL.
    GetPicture = Get "/groups/{id}/picture" => "getPicture", query ["refresh"];
    /// #13 `PUT /groups/{id}/picture` — set the picture.
    SetPicture = Put "/groups/{id}/picture" => "setPicture", body ["file"];
    /// #14 `DELETE /groups/{id}/picture` — remove the picture.
    DeletePicture = Delete "/groups/{id}/picture" => "deletePicture";
    /// #15 `PUT …/settings/security/info-admin-only` — only admins edit group info.
    SetInfoAdminOnly = Put "/groups/{id}/settings/security/info-admin-only" => "setInfoAdminOnly", body ["adminsOnly"];
    /// #16 `GET …/settings/security/info-admin-only`.
    GetInfoAdminOnly = Get "/groups/{id}/settings/security/info-admin-only" => "getInfoAdminOnly";
    /// #17 `PUT …/settings/security/messages-admin-only` — only admins send messages.
    SetMessagesAdminOnly = Put "/groups/{id}/settings/security/messages-admin-only" => "setMessagesAdminOnly", body ["adminsOnly"];
    /// #18 `GET …/settings/security/messages-admin-only`.
    GetMessagesAdminOnly = Get "/groups/{id}/settings/security/messages-admin-only" => "getMessagesAdminOnly";
    /// #19 `PUT …/settings/security/member-add-mode` — members may add members.
    SetMemberAddMode = Put "/groups/{id}/settings/security/member-add-mode" => "setMemberAddMode", body ["membersCanAddNewMember"];
    /// #20 `GET …/settings/security/member-add-mode`.
    GetMemberAddMode = Get "/groups/{id}/settings/security/member-add-mode" => "getMemberAddMode";
    /// #21 `PUT …/settings/security/member-share-history-mode` — members may share history.
    SetMemberShareHistoryMode = Put "/groups/{id}/settings/security/member-share-history-mode" => "setMemberShareHistoryMode", body ["membersCanShareHistory"];
    /// #22 `GET …/settings/security/member-share-history-mode`.
    GetMemberShareHistoryMode = Get "/groups/{id}/settings/security/member-share-history-mode" => "getMemberShareHistoryMode";
    /// #23 `PUT …/settings/security/membership-approval` — new members need approval.
    SetMembershipApproval = Put "/groups/{id}/settings/security/membership-approval" => "setMembershipApproval", body ["newMembersApprovalRequired"];
    /// #24 `GET …/settings/security/membership-approval`.
    GetMembershipApproval = Get "/groups/{id}/settings/security/membership-approval" => "getMembershipApproval";
    /// #25 `GET /groups/{id}/invite-code` — the invite code.
    GetInviteCode = Get "/groups/{id}/invite-code" => "getInviteCode";
    /// #26 `POST /groups/{id}/invite-code/revoke` — replace the invite code.
    RevokeInviteCode = Post "/groups/{id}/invite-code/revoke" => "revokeInviteCode";
    /// #27 `GET /groups/{id}/participants` — members, engine format.
    GetParticipants = Get "/groups/{id}/participants" => "getParticipantsRaw";
    /// #28 `GET /groups/{id}/participants/v2` — members, `{id, pn?, role}`.
    GetParticipantsV2 = Get "/groups/{id}/participants/v2" => "getParticipants";
    /// #29 `POST /groups/{id}/participants/add` — add members (rate limited per person).
    AddParticipants = Post "/groups/{id}/participants/add" => "addParticipants", body ["participants"], limit Add;
    /// #30 `POST /groups/{id}/participants/remove` — remove members (rate limited per person).
    RemoveParticipants = Post "/groups/{id}/participants/remove" => "removeParticipants", body ["participants"], limit Remove;
    /// #31 `POST /groups/{id}/admin/promote` — make members admins.
    PromoteParticipants = Post "/groups/{id}/admin/promote" => "promoteParticipants", body ["participants"];
    /// #32 `POST /groups/{id}/admin/demote` — make admins members.
    DemoteParticipants = Post "/groups/{id}/admin/demote" => "demoteParticipants", body ["participants"];
    /// #33 `GET /groups/{id}/participants/join-requests` — pending join requests.
    ListJoinRequests = Get "/groups/{id}/participants/join-requests" => "listJoinRequests";
    /// #34 `POST /groups/{id}/participants/join-requests/approve` — approve join requests.
    ApproveJoinRequests = Post "/groups/{id}/participants/join-requests/approve" => "approveJoinRequests", body ["participants"];
    /// #35 `POST /groups/{id}/participants/join-requests/reject` — reject join requests.
    RejectJoinRequests = Post "/groups/{id}/participants/join-requests/reject" => "rejectJoinRequests", body ["participants"];
}

/// The result of matching a path against the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteMatch<'p> {
    /// The route and its raw (still percent-encoded) `{id}` segment, if any.
    Found(Route, Option<&'p str>),
    /// The path exists, but not for this method; these methods are allowed.
    WrongMethod(Vec<Method>),
    /// No route has this path.
    NotFound,
}

/// Matches `method` and a path under `/api/{session}` (e.g. `/groups/123@g.us/subject`).
pub fn match_route<'p>(method: Method, path: &'p str) -> RouteMatch<'p> {
    let found = Route::ALL
        .iter()
        .filter(|r| r.method() == method)
        .find_map(|&r| Some((r, match_template(r.template(), path)?)));
    match found {
        Some((route, id)) => RouteMatch::Found(route, id),
        None => match allowed_methods(path) {
            allowed if allowed.is_empty() => RouteMatch::NotFound,
            allowed => RouteMatch::WrongMethod(allowed),
        },
    }
}

/// The methods the table allows on a path under `/api/{session}` (empty when no route has it),
/// in the table's order: what a 405 answer lists (and its `Allow` header).
pub fn allowed_methods(path: &str) -> Vec<Method> {
    let mut allowed = Vec::new();
    for &route in Route::ALL {
        if match_template(route.template(), path).is_some() && !allowed.contains(&route.method()) {
            allowed.push(route.method());
        }
    }
    allowed
}

/// `Some(id segment)` when `path` fits `template`; `{id}` never matches a segment that a literal
/// route of the table owns (`/groups/count` is never group `count`).
fn match_template<'p>(template: &str, path: &'p str) -> Option<Option<&'p str>> {
    let mut id = None;
    let mut wanted = template.split('/');
    let mut given = path.split('/');
    loop {
        match (wanted.next(), given.next()) {
            // The literal check runs once, on a full match only (it scans the whole table).
            (None, None) => return id.is_none_or(|seg| !is_literal_after_groups(seg)).then_some(id),
            (Some("{id}"), Some(seg)) if !seg.is_empty() => id = Some(seg),
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

/// Whether `/groups/<seg>` is a literal route of the table.
fn is_literal_after_groups(seg: &str) -> bool {
    Route::ALL.iter().any(|r| r.template().strip_prefix("/groups/") == Some(seg))
}

/// Renders a template with its `{id}`.
pub fn render_template(template: &str, id: Option<&str>, out: &mut String) {
    match (template.split_once("{id}"), id) {
        (Some((before, after)), Some(id)) => {
            out.push_str(before);
            crate::wire::percent_encode(id, out);
            out.push_str(after);
        }
        _ => out.push_str(template),
    }
}
