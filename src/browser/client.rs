//! `GroupsClient`: one async method per route of the contract. Every call builds the WAHA-shaped
//! request, validates it with the Worker's own `GroupRequest::parse`, sends the canonical
//! `render()` of it, and decodes the answer.

use super::errors::{get, set, to_js, Failure};
use super::http::{send, Outgoing};
use crate::error::{Error, ErrorCode, FieldError, FieldErrors};
use crate::ids::{GroupId, SessionName};
use crate::invite::InviteCode;
use crate::limits::Limits;
use crate::ops::{route::render_template, GroupRequest, Route, Setting};
use crate::wire::{percent_encode, Query};
use js_sys::{Array, Object, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

/// Default per-request timeout: above the Worker's own upstream timeout (15 s).
const TIMEOUT_MS_DEFAULT: u32 = 20_000;
/// Longest timeout `setTimeout` can express.
const TIMEOUT_MS_MAX: u32 = i32::MAX as u32;

/// A client of the groupgate Worker for one WAHA session. Each method validates its input
/// exactly as the Worker does and throws a `GroupgateError` before sending anything invalid.
#[wasm_bindgen]
pub struct GroupsClient {
    inner: Rc<Inner>,
}

/// The client's settings, shared with its calls in flight.
struct Inner {
    base: String,
    session: String,
    headers: Vec<(String, String)>,
    timeout_ms: u32,
    limits: Limits,
}

/// What one call sends, before validation.
#[derive(Default)]
struct Call {
    group: Option<JsValue>,
    query: Vec<(&'static str, JsValue)>,
    body: Option<JsValue>,
}

/// How an answer becomes the method's result.
#[derive(Clone, Copy)]
enum Decode {
    /// The JSON as it is.
    Json,
    /// Nothing (`undefined`).
    Nothing,
    /// An array of groups, also from an id→group map.
    GroupList,
    /// `{count}` → the number.
    Count,
    /// A code string → `{code, link}`.
    Invite,
    /// `{<field>: bool}` → the boolean.
    Setting(Setting),
}

impl Call {
    fn group(id: JsValue) -> Self {
        Call { group: Some(id), ..Call::default() }
    }

    fn with_body(mut self, fields: &[(&str, JsValue)]) -> Self {
        let body: JsValue = Object::new().into();
        for (key, value) in fields {
            set(&body, key, value);
        }
        self.body = Some(body);
        self
    }
}

#[wasm_bindgen]
impl GroupsClient {
    /// Creates a client; throws a `GroupgateError` (`validation_failed`) for invalid options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "GroupsClientOptions")] options: JsValue,
    ) -> Result<GroupsClient, JsValue> {
        console_error_panic_hook::set_once();
        Inner::from_options(&options).map(|inner| GroupsClient { inner: Rc::new(inner) }).map_err(to_js)
    }

    /// The validation limits this client applies.
    #[wasm_bindgen(unchecked_return_type = "Limits")]
    pub fn limits(&self) -> JsValue {
        super::helpers::limits_object(&self.inner.limits)
    }

    /// `POST /groups`: creates a group named `subject` with its first members.
    #[wasm_bindgen(js_name = createGroup, unchecked_return_type = "Promise<GroupInfo>")]
    pub fn create_group(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] subject: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ParticipantInput[]")] participants: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let call = Call::default().with_body(&[("name", subject), ("participants", participant_list(participants))]);
        self.start(Route::CreateGroup, call, Decode::Json, &options)
    }

    /// `GET /groups`: the groups of the session (always an array).
    #[wasm_bindgen(js_name = listGroups, unchecked_return_type = "Promise<GroupInfo[]>")]
    pub fn list_groups(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListGroupsQuery")] query: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let exclude = match get(&query, "excludeParticipants") {
            v if v.as_bool() == Some(true) => JsValue::from_str("participants"),
            v if v.as_bool() == Some(false) => JsValue::UNDEFINED,
            other => other,
        };
        let call = Call {
            query: vec![
                ("limit", get(&query, "limit")),
                ("offset", get(&query, "offset")),
                ("sortBy", get(&query, "sortBy")),
                ("sortOrder", get(&query, "sortOrder")),
                ("exclude", exclude),
            ],
            ..Call::default()
        };
        self.start(Route::ListGroups, call, Decode::GroupList, &options)
    }

    /// `GET /groups/count`: how many groups the session is in.
    #[wasm_bindgen(js_name = countGroups, unchecked_return_type = "Promise<number>")]
    pub fn count_groups(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.start(Route::CountGroups, Call::default(), Decode::Count, &options)
    }

    /// `POST /groups/refresh`: reloads the groups from WhatsApp (rate limited by the Worker).
    #[wasm_bindgen(js_name = refreshGroups, unchecked_return_type = "Promise<SuccessResult>")]
    pub fn refresh_groups(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.start(Route::RefreshGroups, Call::default(), Decode::Json, &options)
    }

    /// `GET /groups/join-info`: previews the group an invite code or link opens.
    #[wasm_bindgen(js_name = joinInfo, unchecked_return_type = "Promise<GroupPreview>")]
    pub fn join_info(
        &self,
        #[wasm_bindgen(js_name = codeOrLink, unchecked_param_type = "string")] code_or_link: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let call = Call { query: vec![("code", code_or_link)], ..Call::default() };
        self.start(Route::JoinInfo, call, Decode::Json, &options)
    }

    /// `POST /groups/join`: joins the group of an invite code or link.
    #[wasm_bindgen(js_name = joinGroup, unchecked_return_type = "Promise<JoinResult>")]
    pub fn join_group(
        &self,
        #[wasm_bindgen(js_name = codeOrLink, unchecked_param_type = "string")] code_or_link: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let call = Call::default().with_body(&[("code", code_or_link)]);
        self.start(Route::JoinGroup, call, Decode::Json, &options)
    }

    /// `GET /groups/{id}`: one group.
    #[wasm_bindgen(js_name = getGroup, unchecked_return_type = "Promise<GroupInfo>")]
    pub fn get_group(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.start(Route::GetGroup, Call::group(group_id), Decode::Json, &options)
    }

    /// `DELETE /groups/{id}`: deletes a group (engines that support it).
    #[wasm_bindgen(js_name = deleteGroup, unchecked_return_type = "Promise<void>")]
    pub fn delete_group(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.start(Route::DeleteGroup, Call::group(group_id), Decode::Nothing, &options)
    }

    /// `POST /groups/{id}/leave`: leaves a group.
    #[wasm_bindgen(js_name = leaveGroup, unchecked_return_type = "Promise<void>")]
    pub fn leave_group(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.start(Route::LeaveGroup, Call::group(group_id), Decode::Nothing, &options)
    }

    /// `PUT /groups/{id}/subject`: renames a group; `false` means no permission.
    #[wasm_bindgen(js_name = setSubject, unchecked_return_type = "Promise<boolean>")]
    pub fn set_subject(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] subject: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let call = Call::group(group_id).with_body(&[("subject", subject)]);
        self.start(Route::SetSubject, call, Decode::Json, &options)
    }

    /// `PUT /groups/{id}/description`: sets the description (`""` clears it); `false` means no
    /// permission.
    #[wasm_bindgen(js_name = setDescription, unchecked_return_type = "Promise<boolean>")]
    pub fn set_description(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] description: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let call = Call::group(group_id).with_body(&[("description", description)]);
        self.start(Route::SetDescription, call, Decode::Json, &options)
    }

    /// `GET /groups/{id}/picture`: the picture's URL.
    #[wasm_bindgen(js_name = getPicture, unchecked_return_type = "Promise<PictureInfo>")]
    pub fn get_picture(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "GetPictureQuery")] query: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let call = Call { query: vec![("refresh", get(&query, "refresh"))], ..Call::group(group_id) };
        self.start(Route::GetPicture, call, Decode::Json, &options)
    }

    /// `PUT /groups/{id}/picture`: sets the picture from an https URL or base64 data.
    #[wasm_bindgen(js_name = setPicture, unchecked_return_type = "Promise<SuccessResult>")]
    pub fn set_picture(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PictureFile")] file: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let call = Call::group(group_id).with_body(&[("file", file)]);
        self.start(Route::SetPicture, call, Decode::Json, &options)
    }

    /// `DELETE /groups/{id}/picture`: removes the picture.
    #[wasm_bindgen(js_name = deletePicture, unchecked_return_type = "Promise<SuccessResult>")]
    pub fn delete_picture(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.start(Route::DeletePicture, Call::group(group_id), Decode::Json, &options)
    }

    /// Whether only admins may edit the group info.
    #[wasm_bindgen(js_name = getInfoAdminOnly, unchecked_return_type = "Promise<boolean>")]
    pub fn get_info_admin_only(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.get_setting(Setting::InfoAdminOnly, group_id, &options)
    }

    /// Lets only admins (`true`) or everyone (`false`) edit the group info.
    #[wasm_bindgen(js_name = setInfoAdminOnly, unchecked_return_type = "Promise<void>")]
    pub fn set_info_admin_only(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean")] value: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.set_setting(Setting::InfoAdminOnly, group_id, value, &options)
    }

    /// Whether only admins may send messages.
    #[wasm_bindgen(js_name = getMessagesAdminOnly, unchecked_return_type = "Promise<boolean>")]
    pub fn get_messages_admin_only(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.get_setting(Setting::MessagesAdminOnly, group_id, &options)
    }

    /// Lets only admins (`true`) or everyone (`false`) send messages.
    #[wasm_bindgen(js_name = setMessagesAdminOnly, unchecked_return_type = "Promise<void>")]
    pub fn set_messages_admin_only(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean")] value: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.set_setting(Setting::MessagesAdminOnly, group_id, value, &options)
    }

    /// Whether members may add new members.
    #[wasm_bindgen(js_name = getMemberAddMode, unchecked_return_type = "Promise<boolean>")]
    pub fn get_member_add_mode(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.get_setting(Setting::MemberAddMode, group_id, &options)
    }

    /// Lets members add new members (`true`) or only admins (`false`).
    #[wasm_bindgen(js_name = setMemberAddMode, unchecked_return_type = "Promise<void>")]
    pub fn set_member_add_mode(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean")] value: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.set_setting(Setting::MemberAddMode, group_id, value, &options)
    }

    /// Whether members may share the chat history with new members.
    #[wasm_bindgen(js_name = getMemberShareHistoryMode, unchecked_return_type = "Promise<boolean>")]
    pub fn get_member_share_history_mode(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.get_setting(Setting::MemberShareHistoryMode, group_id, &options)
    }

    /// Lets members share the chat history with new members (`true`) or not.
    #[wasm_bindgen(js_name = setMemberShareHistoryMode, unchecked_return_type = "Promise<void>")]
    pub fn set_member_share_history_mode(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean")] value: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.set_setting(Setting::MemberShareHistoryMode, group_id, value, &options)
    }

    /// Whether new members need an admin's approval.
    #[wasm_bindgen(js_name = getMembershipApproval, unchecked_return_type = "Promise<boolean>")]
    pub fn get_membership_approval(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.get_setting(Setting::MembershipApproval, group_id, &options)
    }

    /// Requires an admin's approval for new members (`true`) or not.
    #[wasm_bindgen(js_name = setMembershipApproval, unchecked_return_type = "Promise<void>")]
    pub fn set_membership_approval(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean")] value: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.set_setting(Setting::MembershipApproval, group_id, value, &options)
    }

    /// `GET /groups/{id}/invite-code`: the invite code and its link.
    #[wasm_bindgen(js_name = getInviteCode, unchecked_return_type = "Promise<Invite>")]
    pub fn get_invite_code(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.start(Route::GetInviteCode, Call::group(group_id), Decode::Invite, &options)
    }

    /// `POST /groups/{id}/invite-code/revoke`: replaces the invite code; returns the new one.
    #[wasm_bindgen(js_name = revokeInviteCode, unchecked_return_type = "Promise<Invite>")]
    pub fn revoke_invite_code(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.start(Route::RevokeInviteCode, Call::group(group_id), Decode::Invite, &options)
    }

    /// `GET /groups/{id}/participants/v2`: the members as `{id, pn?, role}`.
    #[wasm_bindgen(js_name = getParticipants, unchecked_return_type = "Promise<Participant[]>")]
    pub fn get_participants(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.start(Route::GetParticipantsV2, Call::group(group_id), Decode::Json, &options)
    }

    /// `GET /groups/{id}/participants`: the members in the engine's own format.
    #[wasm_bindgen(js_name = getParticipantsRaw, unchecked_return_type = "Promise<RawParticipant[]>")]
    pub fn get_participants_raw(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.start(Route::GetParticipants, Call::group(group_id), Decode::Json, &options)
    }

    /// `POST /groups/{id}/participants/add`: adds members; one result per person.
    #[wasm_bindgen(js_name = addParticipants, unchecked_return_type = "Promise<ParticipantResult[]>")]
    pub fn add_participants(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ParticipantInput[]")] participants: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.members(Route::AddParticipants, group_id, participants, &options)
    }

    /// `POST /groups/{id}/participants/remove`: removes members; one result per person.
    #[wasm_bindgen(js_name = removeParticipants, unchecked_return_type = "Promise<ParticipantResult[]>")]
    pub fn remove_participants(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ParticipantInput[]")] participants: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.members(Route::RemoveParticipants, group_id, participants, &options)
    }

    /// `POST /groups/{id}/admin/promote`: makes members admins.
    #[wasm_bindgen(js_name = promoteParticipants, unchecked_return_type = "Promise<ParticipantResult[]>")]
    pub fn promote_participants(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ParticipantInput[]")] participants: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.members(Route::PromoteParticipants, group_id, participants, &options)
    }

    /// `POST /groups/{id}/admin/demote`: makes admins plain members.
    #[wasm_bindgen(js_name = demoteParticipants, unchecked_return_type = "Promise<ParticipantResult[]>")]
    pub fn demote_participants(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ParticipantInput[]")] participants: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.members(Route::DemoteParticipants, group_id, participants, &options)
    }

    /// `GET /groups/{id}/participants/join-requests`: pending requests to join.
    #[wasm_bindgen(js_name = listJoinRequests, unchecked_return_type = "Promise<JoinRequest[]>")]
    pub fn list_join_requests(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.start(Route::ListJoinRequests, Call::group(group_id), Decode::Json, &options)
    }

    /// `POST /groups/{id}/participants/join-requests/approve`: lets requesters in.
    #[wasm_bindgen(js_name = approveJoinRequests, unchecked_return_type = "Promise<JoinRequestResult[]>")]
    pub fn approve_join_requests(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ParticipantInput[]")] requesters: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.members(Route::ApproveJoinRequests, group_id, requesters, &options)
    }

    /// `POST /groups/{id}/participants/join-requests/reject`: turns requesters down.
    #[wasm_bindgen(js_name = rejectJoinRequests, unchecked_return_type = "Promise<JoinRequestResult[]>")]
    pub fn reject_join_requests(
        &self,
        #[wasm_bindgen(js_name = groupId, unchecked_param_type = "string")] group_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ParticipantInput[]")] requesters: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.members(Route::RejectJoinRequests, group_id, requesters, &options)
    }
}

impl GroupsClient {
    /// Starts the one generic call of `route`: every method is this with its own arguments.
    fn start(&self, route: Route, call: Call, decode: Decode, options: &JsValue) -> Promise {
        let inner = Rc::clone(&self.inner);
        let options = options.clone();
        future_to_promise(async move { inner.call(route, call, decode, &options).await })
    }

    fn get_setting(&self, setting: Setting, group_id: JsValue, options: &JsValue) -> Promise {
        self.start(setting.routes().0, Call::group(group_id), Decode::Setting(setting), options)
    }

    fn set_setting(&self, setting: Setting, group_id: JsValue, value: JsValue, options: &JsValue) -> Promise {
        let call = Call::group(group_id).with_body(&[(setting.field(), value)]);
        self.start(setting.routes().1, call, Decode::Nothing, options)
    }

    fn members(&self, route: Route, group_id: JsValue, people: JsValue, options: &JsValue) -> Promise {
        let call = Call::group(group_id).with_body(&[("participants", participant_list(people))]);
        self.start(route, call, Decode::Json, options)
    }
}

impl Inner {
    fn from_options(options: &JsValue) -> Result<Inner, Error> {
        if !options.is_object() {
            let detail = "options: expected an object {baseUrl, apiKey, session}";
            return Err(FieldError::parameter("options", ErrorCode::InvalidType, detail).into());
        }
        let mut errors = FieldErrors::new();
        let base = errors.take(required_string(options, "baseUrl").and_then(|s| base_url(&s)));
        let api_key = errors.take(required_string(options, "apiKey").and_then(|key| {
            let ok = !key.is_empty() && key.bytes().all(|b| b.is_ascii_graphic());
            let detail = "apiKey: expected a non-empty key of printable ASCII characters";
            ok.then_some(key).ok_or_else(|| FieldError::parameter("apiKey", ErrorCode::InvalidParameter, detail))
        }));
        let session = errors.take(required_string(options, "session").and_then(|s| SessionName::parse(&s)));
        let timeout_ms = errors.take(timeout_option(&get(options, "timeoutMs"), "timeoutMs"));
        let extra = errors.take(header_option(&get(options, "headers")));
        let limits = errors.take(limits_option(&get(options, "limits")));
        errors.finish(|| {
            let mut headers = extra?;
            headers.push(("X-Api-Key".to_owned(), api_key?));
            Some(Inner {
                base: base?,
                session: session?.as_str().to_owned(),
                headers,
                timeout_ms: timeout_ms?.unwrap_or(TIMEOUT_MS_DEFAULT),
                limits: limits?,
            })
        })
    }

    /// The one generic call: validate with the core, send the canonical request, decode.
    async fn call(&self, route: Route, call: Call, decode: Decode, options: &JsValue) -> Result<JsValue, JsValue> {
        let (signal, timeout_ms, idempotency_key) = self.call_options(options).map_err(to_js)?;
        let request = self.validate(route, call).map_err(to_js)?;
        if signal.as_ref().is_some_and(AbortSignal::aborted) {
            return Err(Failure::new(ErrorCode::Aborted, "the request was aborted by its AbortSignal").into_js());
        }
        let rendered = request.render();
        let mut url = format!("{}{}", self.base, rendered.path);
        if !rendered.query.is_empty() {
            url.push('?');
            url.push_str(&rendered.query);
        }
        let outgoing =
            Outgoing { method: rendered.method, url, body: rendered.body, headers: &self.headers, idempotency_key };
        let answer = send(outgoing, signal, timeout_ms).await.map_err(Failure::into_js)?;
        decode_answer(decode, answer).map_err(Failure::into_js)
    }

    /// Builds the WAHA-shaped request of `route` and parses it exactly as the Worker does.
    fn validate(&self, route: Route, call: Call) -> Result<GroupRequest, Error> {
        let group = call.group.map(|id| text_argument(&id, "id")).transpose()?;
        let mut path = String::from("/api/");
        percent_encode(&self.session, &mut path);
        render_template(route.template(), group.as_deref(), &mut path);
        let mut query = Query::default();
        for (name, value) in call.query {
            if let Some(text) = query_text(&value) {
                query.0.push((name.to_owned(), text));
            }
        }
        let body = match call.body {
            Some(body) => json_text(&body)?,
            None => String::new(),
        };
        let parsed =
            GroupRequest::parse(route.method().as_str(), &path, &query.render(), body.as_bytes(), &self.limits);
        match parsed {
            Ok(request) if request.operation.route() == route => Ok(request),
            Err(error) if !matches!(error.code, ErrorCode::NotFound | ErrorCode::MethodNotAllowed) => Err(error),
            // An id that is no group id can spell another route (`count`) or none (`""`): report
            // the id, as the core reads it.
            other => match group.as_deref().map(GroupId::parse_parameter) {
                Some(Err(field)) => Err(field.into()),
                _ => Err(other.err().unwrap_or_else(|| {
                    Error::new(ErrorCode::NotFound, format!("the request does not match {}", route.template()))
                })),
            },
        }
    }

    fn call_options(&self, options: &JsValue) -> Result<(Option<AbortSignal>, u32, Option<String>), Error> {
        if options.is_undefined() || options.is_null() {
            return Ok((None, self.timeout_ms, None));
        }
        if !options.is_object() {
            let detail = "options: expected {signal?, timeoutMs?, idempotencyKey?}";
            return Err(FieldError::parameter("options", ErrorCode::InvalidType, detail).into());
        }
        let mut errors = FieldErrors::new();
        let signal = match get(options, "signal") {
            v if v.is_undefined() || v.is_null() => Some(None),
            v => errors.take(v.dyn_into::<AbortSignal>().map(Some).map_err(|_| {
                FieldError::parameter("signal", ErrorCode::InvalidType, "signal: expected an AbortSignal")
            })),
        };
        let timeout = errors.take(timeout_option(&get(options, "timeoutMs"), "timeoutMs"));
        let key = match get(options, "idempotencyKey") {
            v if v.is_undefined() || v.is_null() => Some(None),
            v => errors.take(
                v.as_string()
                    .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
                    .map(Some)
                    .ok_or_else(|| {
                        let detail = "idempotencyKey: expected 1 to 255 printable ASCII characters";
                        FieldError::parameter("idempotencyKey", ErrorCode::InvalidParameter, detail)
                    }),
            ),
        };
        errors.finish(|| Some((signal?, timeout?.unwrap_or(self.timeout_ms), key?)))
    }
}

/// `["1555…@c.us", {id}]` → `[{id: "1555…@c.us"}, {id}]`; anything else is left for the core to
/// report at its pointer.
fn participant_list(people: JsValue) -> JsValue {
    let Some(list) = people.dyn_ref::<Array>() else { return people };
    list.iter()
        .map(|item| {
            if item.is_string() {
                let entry: JsValue = Object::new().into();
                set(&entry, "id", &item);
                entry
            } else {
                item
            }
        })
        .collect::<Array>()
        .into()
}

/// The answer as the method promises it.
fn decode_answer(decode: Decode, answer: JsValue) -> Result<JsValue, Failure> {
    let garbage = |what: &str| Failure::new(ErrorCode::UpstreamUnavailable, format!("unexpected answer: {what}"));
    match decode {
        Decode::Json => Ok(answer),
        Decode::Nothing => Ok(JsValue::UNDEFINED),
        Decode::GroupList if Array::is_array(&answer) => Ok(answer),
        Decode::GroupList if answer.is_object() => Ok(Object::values(answer.unchecked_ref::<Object>()).into()),
        Decode::GroupList => Err(garbage("expected a list of groups")),
        Decode::Count => {
            let count = get(&answer, "count");
            count.as_f64().map(|_| count).ok_or_else(|| garbage("expected {count}"))
        }
        Decode::Invite => {
            let text = answer.as_string().or_else(|| get(&answer, "code").as_string()).unwrap_or_default();
            let code = InviteCode::parse_code_or_link(&text).map_err(|_| garbage("expected an invite code"))?;
            Ok(super::helpers::invite_object(&code))
        }
        Decode::Setting(setting) => {
            let value = get(&answer, setting.field());
            value.as_bool().map(JsValue::from).ok_or_else(|| garbage("expected a boolean setting"))
        }
    }
}

/// A string argument, or an `invalid_type` error on `name`.
pub(crate) fn text_argument(value: &JsValue, name: &str) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| FieldError::parameter(name, ErrorCode::InvalidType, format!("{name}: expected a string")).into())
}

fn required_string(options: &JsValue, name: &'static str) -> Result<String, FieldError> {
    let value = get(options, name);
    if value.is_undefined() || value.is_null() {
        return Err(FieldError::parameter(name, ErrorCode::MissingField, format!("{name}: required")));
    }
    value
        .as_string()
        .ok_or_else(|| FieldError::parameter(name, ErrorCode::InvalidType, format!("{name}: expected a string")))
}

/// `https://host[:port][/prefix]`, without a trailing slash, query or fragment.
fn base_url(text: &str) -> Result<String, FieldError> {
    let fail = |code, why: &str| FieldError::parameter("baseUrl", code, format!("baseUrl: {why}"));
    let url = web_sys::Url::new(text).map_err(|_| fail(ErrorCode::InvalidUrl, "not an absolute URL"))?;
    if url.protocol() != "https:" && url.protocol() != "http:" {
        return Err(fail(ErrorCode::InvalidUrl, "expected an http or https URL"));
    }
    if !url.username().is_empty() || !url.password().is_empty() {
        return Err(fail(ErrorCode::UrlHasCredentials, "must not carry a user name or password"));
    }
    Ok(format!("{}{}", url.origin(), url.pathname().trim_end_matches('/')))
}

/// An optional whole number of milliseconds (0 disables the timeout).
fn timeout_option(value: &JsValue, name: &'static str) -> Result<Option<u32>, FieldError> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(ms) if ms.fract() == 0.0 && (0.0..=f64::from(TIMEOUT_MS_MAX)).contains(&ms) => Ok(Some(ms as u32)),
        _ => {
            let detail = format!("{name}: expected a whole number of milliseconds from 0 to {TIMEOUT_MS_MAX}");
            Err(FieldError::parameter(name, ErrorCode::InvalidParameter, detail))
        }
    }
}

/// Headers the client sets itself; `headers` may not set them.
const RESERVED_HEADERS: [&str; 4] = ["x-api-key", "content-type", "accept", "idempotency-key"];

/// `headers: Record<string, string>` as pairs, each accepted by the browser's `Headers`.
fn header_option(value: &JsValue) -> Result<Vec<(String, String)>, FieldError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let fail = |why: &str| FieldError::parameter("headers", ErrorCode::InvalidParameter, format!("headers: {why}"));
    let object = value.dyn_ref::<Object>().ok_or_else(|| {
        FieldError::parameter("headers", ErrorCode::InvalidType, "headers: expected {name: string value}")
    })?;
    let probe = web_sys::Headers::new().map_err(|_| fail("no Headers in this environment"))?;
    let mut pairs = Vec::new();
    for pair in Object::entries(object).iter() {
        let pair: Array = pair.unchecked_into();
        let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) else {
            return Err(FieldError::parameter("headers", ErrorCode::InvalidType, "headers: values must be strings"));
        };
        if RESERVED_HEADERS.iter().any(|r| r.eq_ignore_ascii_case(&name)) {
            return Err(fail(&format!("{name} is set by the client (use apiKey or the call options)")));
        }
        probe.append(&name, &value).map_err(|_| fail(&format!("{name:?} is not a valid header")))?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// `limits: Partial<ValidationLimits>` over the defaults.
fn limits_option(value: &JsValue) -> Result<Limits, FieldError> {
    let mut limits = Limits::default();
    if value.is_undefined() || value.is_null() {
        return Ok(limits);
    }
    for (name, slot) in [
        ("subjectMax", &mut limits.subject_max),
        ("descriptionMax", &mut limits.description_max),
        ("participantsPerRequest", &mut limits.participants_per_request),
    ] {
        let given = get(value, name);
        if given.is_undefined() {
            continue;
        }
        match given.as_f64() {
            Some(n) if n.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(&n) => *slot = n as usize,
            _ => {
                let detail = format!("limits.{name}: expected a positive whole number");
                return Err(FieldError::parameter("limits", ErrorCode::InvalidParameter, detail));
            }
        }
    }
    Ok(limits.clamped())
}

/// A query value as text: strings as they are, other values as JSON (`5`, `true`), so the core
/// judges them; `undefined`/`null` leave the parameter out.
fn query_text(value: &JsValue) -> Option<String> {
    if value.is_undefined() || value.is_null() {
        return None;
    }
    value.as_string().or_else(|| js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()))
}

/// The body as JSON text, written by the browser's `JSON.stringify`.
fn json_text(body: &JsValue) -> Result<String, Error> {
    js_sys::JSON::stringify(body)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::new(ErrorCode::InvalidJson, "the request cannot be written as JSON"))
}
