//! The TypeScript declarations of every request, response, event and option of the npm module
//! (the webhook payload types' interfaces are generated from their declarations in
//! `crate::events`).
//!
//! Values cross the boundary as plain JS objects; the exported functions name these types with
//! `unchecked_param_type` / `unchecked_return_type`, so the `.d.ts` has no `any`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Options of `new GroupsClient(options)`. */
export interface GroupsClientOptions {
  /** The groupgate Worker's URL, e.g. `https://groups.example.com` (http or https). */
  baseUrl: string;
  /** Your client key, sent as `X-Api-Key`. */
  apiKey: string;
  /** The WAHA session, e.g. `default`. */
  session: string;
  /** Milliseconds before a request fails with code `timeout` (default 20000; 0: never). */
  timeoutMs?: number;
  /** Extra headers sent with every request: anything `fetch` takes (`{name: value}`, an array of
   *  `[name, value]` pairs, a `Headers`). A cross-origin call to the Worker itself may carry
   *  only the headers its CORS preflight allows (`X-Request-Id`, `Cache-Control`, besides those the
   *  client sets); others are for a proxy of your own in between that allows them. */
  headers?: HeadersInit;
  /** The Worker's validation limits, when it is configured differently from the defaults. */
  limits?: Partial<ValidationLimits>;
}

/** Per-call options: the optional last argument of every client method. */
export interface CallOptions {
  /** Cancels the request; the call then fails with code `aborted`. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** `createGroup` only (the one operation the Worker replays from a record): sent as
   *  `Idempotency-Key`, so a retry with the same key answers the first group instead of creating a
   *  second. Any other method refuses it (`validation_failed` naming `idempotencyKey`), sending
   *  nothing. */
  idempotencyKey?: string;
}

/** The configurable validation limits. */
export interface ValidationLimits {
  /** Longest group subject, in UTF-16 code units (as WhatsApp counts). */
  subjectMax: number;
  /** Longest description, in UTF-16 code units. */
  descriptionMax: number;
  /** Most participants in one create/add/remove/promote/demote/approve/reject call (1 to 1023). */
  participantsPerRequest: number;
}

/** Every limit a UI may want to show. */
export interface Limits extends ValidationLimits {
  /** Most members a group can hold. */
  groupSize: number;
  /** Largest group picture, in bytes. */
  pictureMaxBytes: number;
}

/** Query of `listGroups`. */
export interface ListGroupsQuery {
  /** At most this many groups. */
  limit?: number;
  /** Skip this many groups. */
  offset?: number;
  /** Sort key. */
  sortBy?: "id" | "subject";
  /** Sort direction. */
  sortOrder?: "asc" | "desc";
  /** Leave each group's participants out (faster for many groups). */
  excludeParticipants?: boolean;
}

/** Query of `getPicture`. */
export interface GetPictureQuery {
  /** Ask WhatsApp again instead of the cached URL (costs rate-limit budget on WhatsApp). */
  refresh?: boolean;
}

/** A person to act on: a user id (`15551234567@c.us`, `…@s.whatsapp.net`, `…@lid`) or `{id}`. */
export type ParticipantInput = string | { id: string };

/** A picture accepted by WhatsApp: JPEG (PNG is converted). */
export type PictureMimetype = "image/jpeg" | "image/png";

/** A picture to download from an https URL. */
export interface PictureFromUrl {
  mimetype: PictureMimetype;
  url: string;
  filename?: string;
}

/** A picture given as standard base64. */
export interface PictureFromData {
  mimetype: PictureMimetype;
  data: string;
  filename?: string;
}

/** A group picture: from a URL or from base64 data. */
export type PictureFile = PictureFromUrl | PictureFromData;

/** A member's role. */
export type ParticipantRole = "participant" | "admin" | "superadmin" | "left";

/** A member: `id` is `…@c.us` or `…@lid`; `pn` is the phone number id when `id` is a lid. */
export interface Participant {
  id: string;
  pn?: string;
  role: ParticipantRole;
}

/** A group as WAHA describes it (engines may add fields). */
export interface GroupInfo {
  id: string;
  subject: string;
  description?: string;
  /** The invite link, when known. */
  invite?: string;
  membersCanAddNewMember?: boolean;
  membersCanSendMessages?: boolean;
  newMembersApprovalRequired?: boolean;
  infoAdminOnly?: boolean;
  membersCanShareHistory?: boolean;
  /** Absent when listed with `excludeParticipants`. */
  participants?: Participant[];
  [field: string]: unknown;
}

/** What an invite shows before joining. */
export interface GroupPreview {
  id: string;
  subject: string;
  description?: string;
  owner?: string;
  /** Unix seconds. */
  creation?: number;
  size?: number;
  [field: string]: unknown;
}

/** The answer of `joinGroup`. */
export interface JoinResult {
  /** The joined group's id. */
  id: string;
}

/** An answer that only says whether it worked. */
export interface SuccessResult {
  success: boolean;
}

/** The group picture's URL, `null` when the group has none. */
export interface PictureInfo {
  url: string | null;
}

/** An invite code and its shareable link. */
export interface Invite {
  code: string;
  link: string;
}

/** A member in the engine's own format (opaque). */
export type RawParticipant = Record<string, unknown>;

/**
 * One person's outcome of add/remove/promote/demote: `status` "200" ok, "403" privacy (then
 * `invite` is a private invite), "404" unknown or not a member, "408" recently left, "409" already
 * a member, "417" community restriction, "419" group full. The methods resolve with one result per
 * person: the engine's list as it is, or, from an engine that answers an object, a result per
 * person asked about, in that order (its outcome's fields, `id` as the engine names the person,
 * `status` from its `status` or `code`; one status for the whole call applies to everyone; `""`:
 * the engine reported nothing for this person).
 */
export interface ParticipantResult {
  id: string;
  status: string;
  invite?: { code: string; expiration: number };
  [field: string]: unknown;
}

/** A pending request to join. */
export interface JoinRequest {
  requesterId: string;
  requesterPn?: string;
  addedById?: string;
  parentGroupId?: string | null;
  requestMethod?: string;
  /** Unix seconds. */
  timestamp: number;
}

/** The outcome of approving or rejecting one join request. */
export interface JoinRequestResult {
  requesterId: string;
  success: boolean;
  error?: number;
}

/** One invalid value in the request body, at a JSON pointer into the WAHA body (`/participants/0/id`). */
export interface BodyFieldError {
  pointer: string;
  /** A code of `ErrorCode`, or one a newer Worker added. */
  code: ErrorCode | (string & {});
  detail: string;
}

/** One invalid path or query parameter (`id`, `session`, `limit`) or client option. */
export interface ParameterFieldError {
  parameter: string;
  /** A code of `ErrorCode`, or one a newer Worker added. */
  code: ErrorCode | (string & {});
  detail: string;
}

/** One invalid field, as in the Worker's RFC 9457 problem `errors`. */
export type FieldError = BodyFieldError | ParameterFieldError;

/** The `RateLimit` header: `remaining` units of the named policy, back in full after `reset` s. */
export interface RateLimitInfo {
  policy: string;
  remaining: number;
  reset: number;
}

/** The `RateLimit-Policy` header: `quota` units per `window` seconds. */
export interface RateLimitPolicyInfo {
  policy: string;
  quota: number;
  window: number;
}

/** Every failure of the module: a JS `Error` named `GroupgateError`. Test with `isGroupgateError`. */
export interface GroupgateError extends Error {
  name: "GroupgateError";
  /** Stable machine code to branch on: one of `ErrorCode`, or a code a newer Worker added (passed
   *  through as it came, so keep a default branch). */
  code: ErrorCode | (string & {});
  /** HTTP status (the Worker's, or what it would answer; 0 for network failures and aborts). */
  status: number;
  /** Human explanation (also the `message`). */
  detail: string;
  /** The Worker's request id (`X-Request-Id`), to quote in support requests. */
  requestId?: string;
  /** Every invalid field, for `validation_failed`; empty otherwise. */
  errors: FieldError[];
  /** Seconds to wait before retrying, for 429 answers. */
  retryAfter?: number;
  /** The parsed `RateLimit` header, when the Worker sent one; with a session and a group quota,
   *  the item with the fewest units left (the one that binds). */
  rateLimit?: RateLimitInfo;
  /** The `RateLimit-Policy` item of the same quota as `rateLimit` (without `rateLimit`, as for
   *  `cost_exceeds_quota`, the policy with the smallest quota). */
  rateLimitPolicy?: RateLimitPolicyInfo;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_EVENTS: &'static str = r#"
/**
 * A member's role in a webhook. A role this version does not know yet (from a newer WAHA) is kept
 * as WAHA sent it instead of failing the event, hence the open `string`.
 */
export type WebhookParticipantRole = ParticipantRole | (string & {});

/** The envelope every WAHA webhook has. */
export interface WebhookEnvelope {
  /** `evt_…` (a ULID). */
  id: string;
  /** Unix milliseconds (an integer: a fraction is dropped). */
  timestamp: number;
  session: string;
  metadata?: Record<string, unknown>;
  engine: string;
  me?: WebhookMe;
  /** Empty when the webhook has none. */
  environment: WebhookEnvironment;
}

/** `group.v2.join` */
export interface GroupJoinEvent extends WebhookEnvelope {
  kind: "join";
  event: "group.v2.join";
  payload: GroupJoinPayload;
}

/** `group.v2.leave` */
export interface GroupLeaveEvent extends WebhookEnvelope {
  kind: "leave";
  event: "group.v2.leave";
  payload: GroupLeavePayload;
}

/** `group.v2.update` */
export interface GroupUpdateEvent extends WebhookEnvelope {
  kind: "update";
  event: "group.v2.update";
  payload: GroupUpdatePayload;
}

/** `group.v2.participants` */
export interface GroupParticipantsEvent extends WebhookEnvelope {
  kind: "participants";
  event: "group.v2.participants";
  payload: GroupParticipantsPayload;
}

/** `group.v2.participants.join-request` */
export interface GroupJoinRequestEvent extends WebhookEnvelope {
  kind: "join-request";
  event: "group.v2.participants.join-request";
  payload: GroupJoinRequestPayload;
}

/** Any other webhook, with its raw payload. */
export interface OtherWebhookEvent extends WebhookEnvelope {
  kind: "other";
  event: string;
  payload: unknown;
}

/** A parsed webhook: switch on `kind` to get the typed payload. */
export type GroupEvent =
  | GroupJoinEvent
  | GroupLeaveEvent
  | GroupUpdateEvent
  | GroupParticipantsEvent
  | GroupJoinRequestEvent
  | OtherWebhookEvent;
"#;
