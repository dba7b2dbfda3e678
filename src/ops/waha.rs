//! The WAHA dialect: how each operation is spelled on the wire, parsed from and rendered to
//! `(method, path, query, body)` with the route table of [`super::route`]. A second dialect (the
//! Wadial-style API) would sit beside this file with its own table, parsing into and rendering from
//! the same [`Operation`].

use super::body::{parse_json, Object};
use super::query::{parse_bool, ListGroupsQuery, QueryReader};
use super::route::{allowed_methods, match_route, render_template, Method, Route, RouteMatch};
use super::{GroupRequest, MemberAction, Operation, RenderedRequest, Setting};
use crate::error::{Error, ErrorCode, FieldError, FieldErrors};
use crate::ids::{GroupId, ParticipantId, SessionName};
use crate::invite::InviteCode;
use crate::limits::{is_invisible, whatsapp_length, Limits};
use crate::picture::{PictureFile, PictureSource};
use crate::wire::{percent_decode, Json, Query};

impl Setting {
    /// The body field that carries the setting's value (its set route's one body field).
    pub fn field(self) -> &'static str {
        self.routes().1.body_fields().first().copied().unwrap_or_default()
    }

    /// The `(get, set)` routes of this setting.
    pub fn routes(self) -> (Route, Route) {
        match self {
            Setting::InfoAdminOnly => (Route::GetInfoAdminOnly, Route::SetInfoAdminOnly),
            Setting::MessagesAdminOnly => (Route::GetMessagesAdminOnly, Route::SetMessagesAdminOnly),
            Setting::MemberAddMode => (Route::GetMemberAddMode, Route::SetMemberAddMode),
            Setting::MemberShareHistoryMode => (Route::GetMemberShareHistoryMode, Route::SetMemberShareHistoryMode),
            Setting::MembershipApproval => (Route::GetMembershipApproval, Route::SetMembershipApproval),
        }
    }

    fn of_route(route: Route) -> Option<(Setting, bool)> {
        Setting::ALL.into_iter().find_map(|s| match s.routes() {
            (get, _) if get == route => Some((s, false)),
            (_, set) if set == route => Some((s, true)),
            _ => None,
        })
    }
}

impl MemberAction {
    /// The route of this action.
    pub fn route(self) -> Route {
        match self {
            MemberAction::Add => Route::AddParticipants,
            MemberAction::Remove => Route::RemoveParticipants,
            MemberAction::Promote => Route::PromoteParticipants,
            MemberAction::Demote => Route::DemoteParticipants,
            MemberAction::Approve => Route::ApproveJoinRequests,
            MemberAction::Reject => Route::RejectJoinRequests,
        }
    }
}

/// Splits `/api/{session}/groups…` into its raw session and the path under it. One trailing
/// slash is ignored, as WAHA (Express) ignores it.
pub fn split_api_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/api/")?;
    let slash = rest.find('/')?;
    let under = &rest[slash..];
    Some((&rest[..slash], under.strip_suffix('/').filter(|u| !u.is_empty()).unwrap_or(under)))
}

impl GroupRequest {
    /// Parses a request: `path` is the full path (`/api/{session}/groups…`), `query` the raw query
    /// string, `body` the raw body. Every invalid field is reported at once.
    pub fn parse(method: &str, path: &str, query: &str, body: &[u8], limits: &Limits) -> Result<Self, Error> {
        let not_found = || Error::new(ErrorCode::NotFound, format!("no route {method} {path}"));
        let (raw_session, route_path) = split_api_path(path).ok_or_else(not_found)?;
        let not_allowed = |allowed: Vec<Method>| {
            if allowed.is_empty() {
                return not_found();
            }
            let names: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
            let detail = format!("{method} is not allowed on {route_path}; allowed: {}", names.join(", "));
            Error::new(ErrorCode::MethodNotAllowed, detail)
        };
        // A method no route uses (`PATCH`, `get`) is a 404 or a 405 by the path, like any other.
        let method = Method::parse(method).ok_or_else(|| not_allowed(allowed_methods(route_path)))?;
        let (route, raw_id) = match match_route(method, route_path) {
            RouteMatch::Found(route, id) => (route, id),
            RouteMatch::NotFound => return Err(not_found()),
            RouteMatch::WrongMethod(allowed) => return Err(not_allowed(allowed)),
        };
        let mut errors = FieldErrors::new();
        let session = errors.take(decode_segment(raw_session, "session").and_then(|s| SessionName::parse(&s)));
        let group =
            raw_id.and_then(|id| errors.take(decode_segment(id, "id").and_then(|s| GroupId::parse_parameter(&s))));
        let query = Query::parse(query)?;
        let body = parse_json(body)?;
        let operation = Operation::read(route, group, &query, body.as_ref(), limits, &mut errors);
        errors.finish(|| Some(GroupRequest { session: session?, operation: operation? }))
    }

    /// Renders the canonical request for the upstream.
    pub fn render(&self) -> RenderedRequest {
        let route = self.operation.route();
        let mut path = String::from("/api/");
        path.push_str(self.session.as_str());
        render_template(route.template(), self.operation.group().map(GroupId::as_str), &mut path);
        let mut query = Query::default();
        self.operation.render_query(&mut query);
        RenderedRequest {
            method: route.method(),
            path,
            query: query.render(),
            body: self.operation.body().map(|b| b.render()),
        }
    }
}

fn decode_segment(raw: &str, name: &'static str) -> Result<String, FieldError> {
    percent_decode(raw, false).filter(|s| !s.contains('/')).ok_or_else(|| {
        FieldError::parameter(name, ErrorCode::InvalidParameter, format!("{name}: invalid percent-encoding"))
    })
}

impl Operation {
    /// Reads the typed operation of `route` from its parts, recording every invalid field.
    /// `group` is `None` when the route has no `{id}` or the id was invalid (already recorded).
    fn read(
        route: Route,
        group: Option<GroupId>,
        query: &Query,
        body: Option<&serde_json::Value>,
        limits: &Limits,
        errors: &mut FieldErrors,
    ) -> Option<Operation> {
        let query = QueryReader::new(query, route.query_names(), errors);
        let root = Object::root(body, route.body_fields(), errors)?;
        let op = match route {
            Route::CreateGroup => {
                let subject = read_subject(&root, "name", limits, errors);
                let participants = root.participants("participants", limits, errors);
                Operation::CreateGroup { subject: subject?, participants: participants? }
            }
            Route::ListGroups => Operation::ListGroups(ListGroupsQuery::read(&query, errors)?),
            Route::CountGroups => Operation::CountGroups,
            Route::RefreshGroups => Operation::RefreshGroups,
            Route::JoinInfo => {
                let code = query.one("code", "an invite code or link", errors, |s| Some(s.to_owned())).ok()?;
                let Some(code) = code else {
                    errors.push(FieldError::parameter("code", ErrorCode::MissingField, "code: required"));
                    return None;
                };
                Operation::JoinInfo(errors.take(invite_at(&code, FieldError::parameter, "code"))?)
            }
            Route::JoinGroup => {
                let code = root.string("code", errors)?;
                Operation::JoinGroup(errors.take(invite_at(code, FieldError::body, &root.pointer_of("code")))?)
            }
            Route::GetGroup => Operation::GetGroup(group?),
            Route::DeleteGroup => Operation::DeleteGroup(group?),
            Route::LeaveGroup => Operation::LeaveGroup(group?),
            Route::SetSubject => {
                let subject = read_subject(&root, "subject", limits, errors);
                Operation::SetSubject(group?, subject?)
            }
            Route::SetDescription => {
                let description = read_description(&root, limits, errors);
                Operation::SetDescription(group?, description?)
            }
            Route::GetPicture => {
                let refresh = query.one("refresh", "true or false", errors, parse_bool).ok()?;
                Operation::GetPicture(group?, refresh)
            }
            Route::SetPicture => {
                let file = read_picture(&root, errors);
                Operation::SetPicture(group?, file?)
            }
            Route::DeletePicture => Operation::DeletePicture(group?),
            Route::GetInviteCode => Operation::GetInviteCode(group?),
            Route::RevokeInviteCode => Operation::RevokeInviteCode(group?),
            Route::GetParticipants => Operation::GetParticipants(group?),
            Route::GetParticipantsV2 => Operation::GetParticipantsV2(group?),
            Route::ListJoinRequests => Operation::ListJoinRequests(group?),
            _ => return read_settings_or_members(route, group, &root, limits, errors),
        };
        Some(op)
    }

    /// The route this operation uses.
    pub fn route(&self) -> Route {
        match self {
            Operation::CreateGroup { .. } => Route::CreateGroup,
            Operation::ListGroups(_) => Route::ListGroups,
            Operation::CountGroups => Route::CountGroups,
            Operation::RefreshGroups => Route::RefreshGroups,
            Operation::JoinInfo(_) => Route::JoinInfo,
            Operation::JoinGroup(_) => Route::JoinGroup,
            Operation::GetGroup(_) => Route::GetGroup,
            Operation::DeleteGroup(_) => Route::DeleteGroup,
            Operation::LeaveGroup(_) => Route::LeaveGroup,
            Operation::SetSubject(..) => Route::SetSubject,
            Operation::SetDescription(..) => Route::SetDescription,
            Operation::GetPicture(..) => Route::GetPicture,
            Operation::SetPicture(..) => Route::SetPicture,
            Operation::DeletePicture(_) => Route::DeletePicture,
            Operation::GetSetting(_, s) => s.routes().0,
            Operation::SetSetting(_, s, _) => s.routes().1,
            Operation::GetInviteCode(_) => Route::GetInviteCode,
            Operation::RevokeInviteCode(_) => Route::RevokeInviteCode,
            Operation::GetParticipants(_) => Route::GetParticipants,
            Operation::GetParticipantsV2(_) => Route::GetParticipantsV2,
            Operation::ListJoinRequests(_) => Route::ListJoinRequests,
            Operation::Members(_, action, _) => action.route(),
        }
    }

    fn render_query(&self, out: &mut Query) {
        match self {
            Operation::ListGroups(q) => q.render(out),
            Operation::JoinInfo(code) => out.0.push(("code".into(), code.to_string())),
            Operation::GetPicture(_, Some(refresh)) => out.0.push(("refresh".into(), refresh.to_string())),
            _ => {}
        }
    }

    /// The JSON body sent upstream, for routes that take one.
    pub fn body(&self) -> Option<Json> {
        let object = |fields: Vec<(&'static str, Json)>| Some(Json::Object(fields));
        match self {
            Operation::CreateGroup { subject, participants } => {
                object(vec![("name", Json::Str(subject.clone())), ("participants", participant_list(participants))])
            }
            Operation::JoinGroup(code) => object(vec![("code", Json::Str(code.to_string()))]),
            Operation::SetSubject(_, subject) => object(vec![("subject", Json::Str(subject.clone()))]),
            Operation::SetDescription(_, d) => object(vec![("description", Json::Str(d.clone()))]),
            Operation::SetPicture(_, file) => object(vec![("file", picture_json(file))]),
            Operation::SetSetting(_, setting, value) => object(vec![(setting.field(), Json::Bool(*value))]),
            Operation::Members(_, _, people) => object(vec![("participants", participant_list(people))]),
            _ => None,
        }
    }
}

fn members_action(route: Route) -> Option<MemberAction> {
    MemberAction::ALL.into_iter().find(|a| a.route() == route)
}

fn read_settings_or_members(
    route: Route,
    group: Option<GroupId>,
    root: &Object<'_>,
    limits: &Limits,
    errors: &mut FieldErrors,
) -> Option<Operation> {
    if let Some((setting, set)) = Setting::of_route(route) {
        if !set {
            return Some(Operation::GetSetting(group?, setting));
        }
        let value = root.boolean(setting.field(), errors);
        return Some(Operation::SetSetting(group?, setting, value?));
    }
    let action = members_action(route)?;
    let people = root.participants("participants", limits, errors);
    Some(Operation::Members(group?, action, people?))
}

fn invite_at(
    code: &str,
    make: fn(String, ErrorCode, String) -> FieldError,
    at: &str,
) -> Result<InviteCode, FieldError> {
    InviteCode::parse_code_or_link(code).map_err(|(code, why)| make(at.to_owned(), code, format!("{at}: {why}")))
}

fn read_subject(root: &Object<'_>, key: &str, limits: &Limits, errors: &mut FieldErrors) -> Option<String> {
    let subject = root.string(key, errors)?;
    let at = root.pointer_of(key);
    let len = whatsapp_length(subject);
    if is_invisible(subject) {
        let detail = format!("{at}: the subject must show something (not empty, blank or invisible characters only)");
        errors.push(FieldError::body(&at, ErrorCode::EmptySubject, detail));
        return None;
    }
    if len > limits.subject_max {
        let detail = format!("{at}: {len} characters; at most {} are accepted", limits.subject_max);
        errors.push(FieldError::body(&at, ErrorCode::SubjectTooLong, detail));
        return None;
    }
    Some(subject.to_owned())
}

fn read_description(root: &Object<'_>, limits: &Limits, errors: &mut FieldErrors) -> Option<String> {
    let description = root.string("description", errors)?;
    let len = whatsapp_length(description);
    if len > limits.description_max {
        let at = root.pointer_of("description");
        let detail = format!("{at}: {len} characters; at most {} are accepted", limits.description_max);
        errors.push(FieldError::body(&at, ErrorCode::DescriptionTooLong, detail));
        return None;
    }
    Some(description.to_owned())
}

fn read_picture(root: &Object<'_>, errors: &mut FieldErrors) -> Option<PictureFile> {
    let file = root.object("file", &["mimetype", "url", "data", "filename"], errors)?;
    let mimetype = file.string("mimetype", errors);
    let url = file.optional_string("url", errors);
    let data = file.optional_string("data", errors);
    let filename = file.optional_string("filename", errors);
    let (url, data, filename) = (url.ok()?, data.ok()?, filename.ok()?);
    PictureFile::validate(mimetype?, url, data, filename, &root.pointer_of("file"), errors)
}

fn participant_list(people: &[ParticipantId]) -> Json {
    Json::Array(people.iter().map(|p| Json::Object(vec![("id", Json::Str(p.to_string()))])).collect())
}

fn picture_json(file: &PictureFile) -> Json {
    let mut fields = vec![("mimetype", Json::Str(file.mimetype.clone()))];
    match &file.source {
        PictureSource::Url(url) => fields.push(("url", Json::Str(url.clone()))),
        PictureSource::Data(data) => fields.push(("data", Json::Str(data.clone()))),
    }
    if let Some(name) = &file.filename {
        fields.push(("filename", Json::Str(name.clone())));
    }
    Json::Object(fields)
}
