// A strict TypeScript consumer of the built package (pkg/), type-checked by scripts/check-pkg.sh
// with `tsc --noEmit`: it resolves `groupgate` through pkg/package.json's `exports` (types first)
// and uses every method, option, answer, error and event type. Never run; only checked.
import init, {
  GroupsClient,
  isGroupgateError,
  limits,
  parseGroupEvent,
  parseInvite,
  phoneToUserId,
  type CallOptions,
  type ErrorCode,
  type FieldError,
  type GroupEvent,
  type GroupInfo,
  type GroupPreview,
  type GroupgateError,
  type Invite,
  type JoinRequest,
  type JoinRequestResult,
  type KeyScopes,
  type Scope,
  type JoinResult,
  type Limits,
  type Participant,
  type ParticipantResult,
  type PictureInfo,
  type RawParticipant,
  type SuccessResult,
  type WebhookParticipant,
} from "groupgate";

const ALPHA = "120363000000000001@g.us";

export async function everyMethod(): Promise<void> {
  await init();
  const client = new GroupsClient({
    baseUrl: "https://groups.example.com",
    apiKey: "test-client-key-0123456789",
    session: "default",
    timeoutMs: 10_000,
    headers: { "X-Trace": "console" },
    limits: { subjectMax: 25 },
  });
  const controller = new AbortController();
  const options: CallOptions = { signal: controller.signal, timeoutMs: 5_000, idempotencyKey: "create-1" };

  const created: GroupInfo = await client.createGroup("Weekend", ["15551234567@c.us", { id: "15557654321@c.us" }], options);
  const groups: GroupInfo[] = await client.listGroups({ limit: 10, offset: 0, sortBy: "subject", sortOrder: "desc", excludeParticipants: true });
  const all: GroupInfo[] = await client.listGroups();
  const count: number = await client.countGroups({ signal: controller.signal });
  const refreshed: SuccessResult = await client.refreshGroups();
  const preview: GroupPreview = await client.joinInfo("https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv");
  const joined: JoinResult = await client.joinGroup("AbCdEfGhIjKlMnOpQrStUv");
  const group: GroupInfo = await client.getGroup(created.id);
  const nothing: void = await client.deleteGroup(created.id);
  await client.leaveGroup(joined.id);
  const renamed: boolean = await client.setSubject(ALPHA, "New name");
  const described: boolean = await client.setDescription(ALPHA, "");
  const picture: PictureInfo = await client.getPicture(ALPHA, { refresh: false });
  const url: string | null = (await client.getPicture(ALPHA)).url;
  const setPicture: SuccessResult = await client.setPicture(ALPHA, { mimetype: "image/jpeg", url: "https://example.com/a.jpg" });
  await client.setPicture(ALPHA, { mimetype: "image/png", data: "iVBORw0KGgo=", filename: "a.png" });
  await client.deletePicture(ALPHA);
  const flags: boolean[] = [
    await client.getInfoAdminOnly(ALPHA),
    await client.getMessagesAdminOnly(ALPHA),
    await client.getMemberAddMode(ALPHA),
    await client.getMemberShareHistoryMode(ALPHA),
    await client.getMembershipApproval(ALPHA),
  ];
  await client.setInfoAdminOnly(ALPHA, true);
  await client.setMessagesAdminOnly(ALPHA, false);
  await client.setMemberAddMode(ALPHA, true);
  await client.setMemberShareHistoryMode(ALPHA, true);
  await client.setMembershipApproval(ALPHA, false, options);
  const invite: Invite = await client.getInviteCode(ALPHA);
  const fresh: Invite = await client.revokeInviteCode(ALPHA);
  const members: Participant[] = await client.getParticipants(ALPHA);
  const rawAnswer = await client.getParticipantsRaw(ALPHA);
  const raw: RawParticipant[] = Array.isArray(rawAnswer) ? rawAnswer : Object.values(rawAnswer) as RawParticipant[];
  const added: ParticipantResult[] = await client.addParticipants(ALPHA, [phoneToUserId("+1 555 123 4567")]);
  await client.removeParticipants(ALPHA, ["15551234567@c.us"]);
  await client.promoteParticipants(ALPHA, [{ id: "15551234567@c.us" }]);
  await client.demoteParticipants(ALPHA, ["15551234567@c.us"]);
  const pending: JoinRequest[] = await client.listJoinRequests(ALPHA);
  const approved: JoinRequestResult[] = await client.approveJoinRequests(ALPHA, pending.map((r) => r.requesterId));
  const rejected: JoinRequestResult[] = await client.rejectJoinRequests(ALPHA, ["15550000005@c.us"]);
  const bounds: Limits = client.limits();
  const may: KeyScopes = await client.scopes({ timeoutMs: 2000 });
  const canAdd: boolean = may.methods.includes("addParticipants") && may.scopes.includes("members" satisfies Scope);
  const everySession: boolean = may.sessions === "*" || may.sessions.includes(may.session);

  const roles = members.map((m) => m.role satisfies "participant" | "admin" | "superadmin" | "left");
  const privateInvites = added.flatMap((r) => (r.status === "403" && r.invite ? [r.invite.code] : []));
  console.log(groups, all, count, refreshed, preview, group, nothing, renamed, described, picture, url, setPicture, flags,
    invite.link, fresh.code, raw, approved, rejected, bounds.subjectMax, canAdd, everySession, roles, privateInvites, group.participants?.[0]?.pn);
  client.free();
}

export function describe(e: unknown): string {
  if (!isGroupgateError(e)) return String(e);
  const error: GroupgateError = e;
  const code: ErrorCode | (string & {}) = error.code;
  const where = error.errors.map((f: FieldError) => ("pointer" in f ? f.pointer : f.parameter));
  switch (code) {
    case "validation_failed":
      return `${error.detail}: ${where.join(", ")}`;
    case "rate_limited":
    case "whatsapp_rate_limited": {
      const wait: number | undefined = error.retryAfter;
      const left: number | undefined = error.rateLimit?.remaining;
      const quota: number | undefined = error.rateLimitPolicy?.quota;
      return `retry in ${wait ?? "?"} s (${left ?? "?"} of ${quota ?? "?"} left)`;
    }
    case "timeout":
    case "aborted":
    case "network_error":
      return `${error.status} ${error.message}`;
    default:
      return `${error.name} ${code} ${error.status} ${error.requestId ?? "-"}`;
  }
}

export function helpers(body: string): string {
  const id: string = phoneToUserId("0044 20 7946 0958");
  const { code, link }: Invite = parseInvite("https://chat.whatsapp.com/invite/AbCdEfGhIjKlMnOpQrStUv");
  const { groupSize, participantsPerRequest }: Limits = limits();
  const event: GroupEvent = parseGroupEvent(body);
  let what: string;
  switch (event.kind) {
    case "join":
      what = event.payload.group.subject ?? event.payload.group.id;
      break;
    case "leave":
      what = event.payload.group.id;
      break;
    case "update":
      what = event.payload.group.description ?? "";
      break;
    case "participants": {
      // Roles and change types from a newer WAHA arrive as their strings; the known ones still narrow.
      const admins: WebhookParticipant[] = event.payload.participants.filter((p) => p.role === "admin");
      const future: typeof event.payload.type = "kick";
      what = `${event.payload.type} ${event.payload.participants.map((p) => p.pn ?? p.id).join(",")} ${admins.length} ${future}`;
      break;
    }
    case "join-request":
      what = `${event.payload.action} ${event.payload.requesterPn ?? event.payload.requesterId}`;
      break;
    case "other": {
      const payload: unknown = event.payload;
      what = `${event.event} ${typeof payload}`;
      break;
    }
  }
  return `${id} ${code} ${link} ${groupSize} ${participantsPerRequest} ${event.session} ${event.me?.pushName ?? ""} ${what}`;
}

// The types are real, not `any`: each of these must be a compile error.
export function misuse(client: GroupsClient): void {
  // @ts-expect-error group ids are strings
  void client.getGroup(42);
  // @ts-expect-error sortBy is "id" | "subject"
  void client.listGroups({ sortBy: "size" });
  // @ts-expect-error participants are ids or {id}
  void client.addParticipants(ALPHA, [{ phone: "+1 555" }]);
  // @ts-expect-error a picture needs a mimetype WhatsApp accepts
  void client.setPicture(ALPHA, { mimetype: "image/gif", url: "https://example.com/a.gif" });
  // @ts-expect-error baseUrl, apiKey and session are required
  void new GroupsClient({ baseUrl: "https://groups.example.com" });
  // @ts-expect-error settings are booleans
  void client.setMemberAddMode(ALPHA, "yes");
  // @ts-expect-error scopes are a closed union
  const badScope: Scope = "admin";
  void badScope;
  // @ts-expect-error answers are typed: a count is a number
  const wrong: string = limits().groupSize;
  void wrong;
  const e = new Error("x");
  if (isGroupgateError(e)) {
    // A newer server's code is a string the union does not name yet…
    const future: typeof e.code = "no_such_code";
    // @ts-expect-error …so the code is not narrowed to the codes this version knows
    const closed: ErrorCode = e.code;
    void future;
    void closed;
  }
}
