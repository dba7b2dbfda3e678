//! The operation table: every group operation, declared once.
//!
//! A row gives, in order: the operation's doc (it is also the browser method's JSDoc, so it is
//! written as `#[doc = "…"]`: a `///` comment inside a macro becomes a raw string, which
//! wasm-bindgen would copy with its `r"` into the `.d.ts`); its name, with the key scope it needs
//! in parentheses (`CreateGroup(Create)`: a [`Scope`](crate::keys::Scope) variant);
//! its WAHA method and path under `/api/{session}`; the browser client's method name, the
//! TypeScript type its promise resolves to and how the answer is decoded (and checked: an answer
//! of another shape is refused, never handed on under the promised type); its required fields and
//! then its optional ones, each as `name: Type = Place "wire key" => jsParam "TypeScript type"`;
//! the rate-limit classes it spends (`Add(participants)`: one unit per element of that field;
//! `Refresh(refresh)`: one unit when that field says so; a bare class: one unit); what it does
//! to the edge group cache (`reads X`: it is the cached read `X`; `drops [X, …]`: once the
//! upstream accepted it, those entries of its group are stale); and `idempotent` when an
//! `Idempotency-Key` makes a replay answer from the record.
//!
//! [`for_each_operation!`] hands the rows to `define_operations` (`super::operation`), the one
//! macro that reads them: it derives the [`Operation`](super::Operation) and
//! [`OperationKind`](super::OperationKind) types with their reading, writing, group, cost and
//! scope, and hands the OpenAPI description (`crate::openapi::operations`) and the browser
//! client's methods (`crate::browser::client`) the parts of each row they are made from. Adding an
//! operation is adding a row (and its tests).

/// Calls `$callback! { rows }` with every row of the table.
macro_rules! for_each_operation {
    ($callback:ident) => {
        $callback! {
            #[doc = " `POST /groups`: creates a group named `subject` with its first members."]
            CreateGroup(Create) = Post "/groups" -> createGroup "Promise<GroupInfo>" Object {
                subject: Subject = Body "name" => subject "string",
                participants: People = Body "participants" => participants "ParticipantInput[]",
            } {} [Create, Add(participants)] {} idempotent;
            #[doc = " `GET /groups`: the groups of the session (always an array)."]
            ListGroups(Read) = Get "/groups" -> listGroups "Promise<GroupInfo[]>" GroupList {} {
                query: ListGroupsQuery = Query "*" => query "ListGroupsQuery",
            } [] {};
            #[doc = " `GET /groups/count`: how many groups the session is in."]
            CountGroups(Read) = Get "/groups/count" -> countGroups "Promise<number>" Count {} {} [] {};
            #[doc = " `POST /groups/refresh`: reloads the groups from WhatsApp (rate limited by the Worker)."]
            RefreshGroups(Refresh) = Post "/groups/refresh" -> refreshGroups "Promise<SuccessResult>" Object {} {} [Refresh] {};
            #[doc = " `GET /groups/join-info`: previews the group an invite code or link opens."]
            JoinInfo(Read) = Get "/groups/join-info" -> joinInfo "Promise<GroupPreview>" Object {
                code: InviteCode = Query "code" => codeOrLink "string",
            } {} [] {};
            #[doc = " `POST /groups/join`: joins the group of an invite code or link."]
            JoinGroup(Invite) = Post "/groups/join" -> joinGroup "Promise<JoinResult>" Object {
                code: InviteCode = Body "code" => codeOrLink "string",
            } {} [] {};
            #[doc = " `GET /groups/{id}`: one group."]
            GetGroup(Read) = Get "/groups/{id}" -> getGroup "Promise<GroupInfo>" Object {
                group: GroupId = Path "id" => groupId "string",
            } {} [] { reads Group };
            #[doc = " `DELETE /groups/{id}`: deletes a group (engines that support it)."]
            DeleteGroup(Delete) = Delete "/groups/{id}" -> deleteGroup "Promise<void>" Nothing {
                group: GroupId = Path "id" => groupId "string",
            } {} [] { drops [Group, Participants, ParticipantsV2, InfoAdminOnly, MessagesAdminOnly, MemberAddMode, MemberShareHistoryMode, MembershipApproval, InviteCode] };
            #[doc = " `POST /groups/{id}/leave`: leaves a group."]
            LeaveGroup(Delete) = Post "/groups/{id}/leave" -> leaveGroup "Promise<void>" Nothing {
                group: GroupId = Path "id" => groupId "string",
            } {} [] { drops [Group, Participants, ParticipantsV2, InfoAdminOnly, MessagesAdminOnly, MemberAddMode, MemberShareHistoryMode, MembershipApproval, InviteCode] };
            #[doc = " `PUT /groups/{id}/subject`: renames a group; `false` means no permission."]
            SetSubject(Write) = Put "/groups/{id}/subject" -> setSubject "Promise<boolean>" Boolean {
                group: GroupId = Path "id" => groupId "string",
                subject: Subject = Body "subject" => subject "string",
            } {} [] { drops [Group] };
            #[doc = " `PUT /groups/{id}/description`: sets the description (`\"\"` clears it); `false` means no"]
            #[doc = " permission."]
            SetDescription(Write) = Put "/groups/{id}/description" -> setDescription "Promise<boolean>" Boolean {
                group: GroupId = Path "id" => groupId "string",
                description: Description = Body "description" => description "string",
            } {} [] { drops [Group] };
            #[doc = " `GET /groups/{id}/picture`: the picture's URL."]
            GetPicture(Read) = Get "/groups/{id}/picture" -> getPicture "Promise<PictureInfo>" Object {
                group: GroupId = Path "id" => groupId "string",
            } {
                refresh: Option<bool> = Query "refresh" => query "GetPictureQuery",
            } [Refresh(refresh)] {};
            #[doc = " `PUT /groups/{id}/picture`: sets the picture from an https URL or base64 data."]
            SetPicture(Write) = Put "/groups/{id}/picture" -> setPicture "Promise<SuccessResult>" Object {
                group: GroupId = Path "id" => groupId "string",
                file: PictureFile = Body "file" => file "PictureFile",
            } {} [] {};
            #[doc = " `DELETE /groups/{id}/picture`: removes the picture."]
            DeletePicture(Write) = Delete "/groups/{id}/picture" -> deletePicture "Promise<SuccessResult>" Object {
                group: GroupId = Path "id" => groupId "string",
            } {} [] {};
            #[doc = " Lets only admins (`true`) or everyone (`false`) edit the group info."]
            SetInfoAdminOnly(Write) = Put "/groups/{id}/settings/security/info-admin-only" -> setInfoAdminOnly "Promise<void>" Nothing {
                group: GroupId = Path "id" => groupId "string",
                value: bool = Body "adminsOnly" => value "boolean",
            } {} [] { drops [Group, InfoAdminOnly] };
            #[doc = " Whether only admins may edit the group info."]
            GetInfoAdminOnly(Read) = Get "/groups/{id}/settings/security/info-admin-only" -> getInfoAdminOnly "Promise<boolean>" Flag("adminsOnly") {
                group: GroupId = Path "id" => groupId "string",
            } {} [] { reads InfoAdminOnly };
            #[doc = " Lets only admins (`true`) or everyone (`false`) send messages."]
            SetMessagesAdminOnly(Write) = Put "/groups/{id}/settings/security/messages-admin-only" -> setMessagesAdminOnly "Promise<void>" Nothing {
                group: GroupId = Path "id" => groupId "string",
                value: bool = Body "adminsOnly" => value "boolean",
            } {} [] { drops [Group, MessagesAdminOnly] };
            #[doc = " Whether only admins may send messages."]
            GetMessagesAdminOnly(Read) = Get "/groups/{id}/settings/security/messages-admin-only" -> getMessagesAdminOnly "Promise<boolean>" Flag("adminsOnly") {
                group: GroupId = Path "id" => groupId "string",
            } {} [] { reads MessagesAdminOnly };
            #[doc = " Lets members add new members (`true`) or only admins (`false`)."]
            SetMemberAddMode(Write) = Put "/groups/{id}/settings/security/member-add-mode" -> setMemberAddMode "Promise<void>" Nothing {
                group: GroupId = Path "id" => groupId "string",
                value: bool = Body "membersCanAddNewMember" => value "boolean",
            } {} [] { drops [Group, MemberAddMode] };
            #[doc = " Whether members may add new members."]
            GetMemberAddMode(Read) = Get "/groups/{id}/settings/security/member-add-mode" -> getMemberAddMode "Promise<boolean>" Flag("membersCanAddNewMember") {
                group: GroupId = Path "id" => groupId "string",
            } {} [] { reads MemberAddMode };
            #[doc = " Lets members share the chat history with new members (`true`) or not."]
            SetMemberShareHistoryMode(Write) = Put "/groups/{id}/settings/security/member-share-history-mode" -> setMemberShareHistoryMode "Promise<void>" Nothing {
                group: GroupId = Path "id" => groupId "string",
                value: bool = Body "membersCanShareHistory" => value "boolean",
            } {} [] { drops [Group, MemberShareHistoryMode] };
            #[doc = " Whether members may share the chat history with new members."]
            GetMemberShareHistoryMode(Read) = Get "/groups/{id}/settings/security/member-share-history-mode" -> getMemberShareHistoryMode "Promise<boolean>" Flag("membersCanShareHistory") {
                group: GroupId = Path "id" => groupId "string",
            } {} [] { reads MemberShareHistoryMode };
            #[doc = " Requires an admin's approval for new members (`true`) or not."]
            SetMembershipApproval(Write) = Put "/groups/{id}/settings/security/membership-approval" -> setMembershipApproval "Promise<void>" Nothing {
                group: GroupId = Path "id" => groupId "string",
                value: bool = Body "newMembersApprovalRequired" => value "boolean",
            } {} [] { drops [Group, MembershipApproval] };
            #[doc = " Whether new members need an admin's approval."]
            GetMembershipApproval(Read) = Get "/groups/{id}/settings/security/membership-approval" -> getMembershipApproval "Promise<boolean>" Flag("newMembersApprovalRequired") {
                group: GroupId = Path "id" => groupId "string",
            } {} [] { reads MembershipApproval };
            #[doc = " `GET /groups/{id}/invite-code`: the invite code and its link."]
            GetInviteCode(Read) = Get "/groups/{id}/invite-code" -> getInviteCode "Promise<Invite>" Invite {
                group: GroupId = Path "id" => groupId "string",
            } {} [] { reads InviteCode };
            #[doc = " `POST /groups/{id}/invite-code/revoke`: replaces the invite code; returns the new one."]
            RevokeInviteCode(Invite) = Post "/groups/{id}/invite-code/revoke" -> revokeInviteCode "Promise<Invite>" Invite {
                group: GroupId = Path "id" => groupId "string",
            } {} [] { drops [Group, InviteCode] };
            #[doc = " `GET /groups/{id}/participants`: the members in the engine's own format."]
            GetParticipants(Read) = Get "/groups/{id}/participants" -> getParticipantsRaw "Promise<RawParticipant[] | Record<string, unknown>>" Container {
                group: GroupId = Path "id" => groupId "string",
            } {} [] { reads Participants };
            #[doc = " `GET /groups/{id}/participants/v2`: the members as `{id, pn?, role}`."]
            GetParticipantsV2(Read) = Get "/groups/{id}/participants/v2" -> getParticipants "Promise<Participant[]>" List {
                group: GroupId = Path "id" => groupId "string",
            } {} [] { reads ParticipantsV2 };
            #[doc = " `POST /groups/{id}/participants/add`: adds members; one result per person."]
            AddParticipants(Members) = Post "/groups/{id}/participants/add" -> addParticipants "Promise<ParticipantResult[]>" PerPerson {
                group: GroupId = Path "id" => groupId "string",
                participants: People = Body "participants" => participants "ParticipantInput[]",
            } {} [Add(participants)] { drops [Group, Participants, ParticipantsV2] };
            #[doc = " `POST /groups/{id}/participants/remove`: removes members; one result per person."]
            RemoveParticipants(Members) = Post "/groups/{id}/participants/remove" -> removeParticipants "Promise<ParticipantResult[]>" PerPerson {
                group: GroupId = Path "id" => groupId "string",
                participants: People = Body "participants" => participants "ParticipantInput[]",
            } {} [Remove(participants)] { drops [Group, Participants, ParticipantsV2] };
            #[doc = " `POST /groups/{id}/admin/promote`: makes members admins."]
            PromoteParticipants(Members) = Post "/groups/{id}/admin/promote" -> promoteParticipants "Promise<ParticipantResult[]>" PerPerson {
                group: GroupId = Path "id" => groupId "string",
                participants: People = Body "participants" => participants "ParticipantInput[]",
            } {} [] { drops [Group, Participants, ParticipantsV2] };
            #[doc = " `POST /groups/{id}/admin/demote`: makes admins plain members."]
            DemoteParticipants(Members) = Post "/groups/{id}/admin/demote" -> demoteParticipants "Promise<ParticipantResult[]>" PerPerson {
                group: GroupId = Path "id" => groupId "string",
                participants: People = Body "participants" => participants "ParticipantInput[]",
            } {} [] { drops [Group, Participants, ParticipantsV2] };
            #[doc = " `GET /groups/{id}/participants/join-requests`: pending requests to join."]
            ListJoinRequests(Read) = Get "/groups/{id}/participants/join-requests" -> listJoinRequests "Promise<JoinRequest[]>" List {
                group: GroupId = Path "id" => groupId "string",
            } {} [] {};
            #[doc = " `POST /groups/{id}/participants/join-requests/approve`: lets requesters in."]
            ApproveJoinRequests(Members) = Post "/groups/{id}/participants/join-requests/approve" -> approveJoinRequests "Promise<JoinRequestResult[]>" List {
                group: GroupId = Path "id" => groupId "string",
                participants: People = Body "participants" => requesters "ParticipantInput[]",
            } {} [Add(participants)] { drops [Group, Participants, ParticipantsV2] };
            #[doc = " `POST /groups/{id}/participants/join-requests/reject`: turns requesters down."]
            RejectJoinRequests(Members) = Post "/groups/{id}/participants/join-requests/reject" -> rejectJoinRequests "Promise<JoinRequestResult[]>" List {
                group: GroupId = Path "id" => groupId "string",
                participants: People = Body "participants" => requesters "ParticipantInput[]",
            } {} [] { drops [Group, Participants, ParticipantsV2] };
        }
    };
}

pub(crate) use for_each_operation;
