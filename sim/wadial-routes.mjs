// The Wadial-style groups routes (`/api/v1/sessions/:session/groups…`, `Authorization: Bearer`),
// over the same sessions as the WAHA routes. Answers are the Wadial-style shapes groupgate
// documents (README, "The Wadial-style dialect"): group metadata with Baileys field names,
// member ids as `<digits>@s.whatsapp.net`, update and leave reports. Status: create 201, a report
// with failures 207, else 200.
import { ValidationError, WhatsAppError } from './http.mjs';
import {
  addParticipants, answerJoinRequests, checkDescription, checkSubject, leave, parseUserId,
  removeParticipants, revokeInvite, setAdmin,
} from './groups.mjs';
import { booleanField, inviteCodeOf, mount, stringField } from './routes.mjs';

/** `…@c.us` → `…@s.whatsapp.net` (lids unchanged). */
export const wadialId = (id) => id.replace(/@c\.us$/, '@s.whatsapp.net');

function member(p) {
  const out = { id: wadialId(p.id), admin: p.role === 'admin' || p.role === 'superadmin' ? p.role : null };
  if (p.pn) out.phoneNumber = wadialId(p.pn);
  return out;
}

/** Group metadata, Baileys-style. */
export function metadata(group) {
  const participants = group.participants.filter((p) => p.role !== 'left').map(member);
  return {
    id: group.id,
    subject: group.subject,
    desc: group.description,
    owner: wadialId(group.owner),
    creation: group.creation,
    participants,
    announce: !group.membersCanSendMessages,
    restrict: group.infoAdminOnly,
    joinApprovalMode: group.newMembersApprovalRequired,
    memberAddMode: group.membersCanAddNewMember ? 'all_member_add' : 'admin_add',
    size: participants.length,
  };
}

/** `participants: ["…@s.whatsapp.net"]` → parsed user ids. */
function idList(body) {
  const list = body?.participants;
  if (!Array.isArray(list)) throw new ValidationError('participants must be an array');
  list.forEach((p, i) => {
    if (typeof p !== 'string') throw new ValidationError(`participants.${i} must be a string`);
  });
  return list.map(parseUserId);
}

const results = (list) => list.map(({ id, ...rest }) => ({ jid: wadialId(id), ...rest }));

function createGroup({ session, body }) {
  const subject = stringField(body, 'subject');
  const users = idList(body);
  const group = session.create(subject, users);
  if (body.description !== undefined) {
    const description = stringField(body, 'description');
    checkDescription(description);
    group.description = description;
  }
  return metadata(group);
}

function updateProfile({ session, params, body }) {
  if (body.subject === undefined && body.description === undefined) throw new ValidationError('give subject or description');
  const group = session.group(params.id);
  const updated = [];
  if (!session.canEditInfo(group)) throw new WhatsAppError('not-authorized');
  if (body.subject !== undefined) {
    const subject = stringField(body, 'subject');
    checkSubject(subject);
    group.subject = subject;
    updated.push('subject');
  }
  if (body.description !== undefined) {
    const description = stringField(body, 'description');
    checkDescription(description);
    group.description = description;
    updated.push('description');
  }
  return { updated, failed: [] };
}

const ACTIONS = ['add', 'remove', 'promote', 'demote'];

function updateParticipants({ session, params, body }) {
  // The body is checked before the caller's rights, as a server validates before it acts.
  const action = stringField(body, 'action');
  if (!ACTIONS.includes(action)) throw new ValidationError(`action must be one of ${ACTIONS.join(', ')}`);
  const users = idList(body);
  const group = session.group(params.id);
  if (action === 'add') {
    if (!group.membersCanAddNewMember) session.adminGroup(params.id);
    return results(addParticipants(group, users));
  }
  session.adminGroup(params.id);
  if (action === 'remove') return results(removeParticipants(group, users));
  return results(setAdmin(group, users, action === 'promote'));
}

/** The two values of a mode, the second meaning "every member". */
const mode = (values, apply) => ({ values, apply: (g, v) => apply(g, v === values[1]) });

/** Each mode key: the values it takes (`values`, or a `check`) and what it changes. */
const MODES = {
  memberAddMode: mode(['admin_add', 'all_member_add'], (g, all) => { g.membersCanAddNewMember = all; }),
  memberShareGroupHistoryMode: mode(['admin_share', 'all_member_share'], (g, all) => { g.membersCanShareHistory = all; }),
  memberLinkMode: mode(['admin_link', 'all_member_link'], (g, all) => { g.memberLinkMode = all ? 'all_member_link' : 'admin_link'; }),
  ephemeralDurationSeconds: {
    check: (v) => Number.isInteger(v) && v >= 0,
    apply: (g, v) => { g.ephemeralDurationSeconds = v; },
  },
};

/** `{setting, enabled}`, or exactly one mode key with one of its values; checked before the caller's rights. */
function updateSettings({ session, params, body }) {
  const keys = Object.keys(body);
  if (body.setting !== undefined) {
    if (keys.some((k) => k !== 'setting' && k !== 'enabled')) throw new ValidationError('setting takes enabled and nothing else');
    const setting = stringField(body, 'setting');
    const enabled = booleanField(body, 'enabled');
    if (setting !== 'announcement' && setting !== 'locked') throw new ValidationError('setting must be announcement or locked');
    const group = session.adminGroup(params.id);
    if (setting === 'announcement') group.membersCanSendMessages = !enabled;
    else group.infoAdminOnly = enabled;
    return { updated: [setting], failed: [] };
  }
  if (keys.length !== 1 || !(keys[0] in MODES)) {
    throw new ValidationError(`give setting with enabled, or exactly one of ${Object.keys(MODES).join(', ')}`);
  }
  const [key] = keys;
  const { values, check, apply } = MODES[key];
  const value = body[key];
  if (values ? !values.includes(value) : !check(value)) {
    throw new ValidationError(values ? `${key} must be one of ${values.join(', ')}` : `${key} must be a whole number of seconds`);
  }
  apply(session.adminGroup(params.id), value);
  return { updated: [key], failed: [] };
}

function previewInvite({ session, body }) {
  const { participants, announce, restrict, joinApprovalMode, memberAddMode, ...preview } =
    metadata(session.groupByCode(inviteCodeOf(stringField(body, 'code'))));
  return preview;
}

const joinGroup = ({ session, body }) => ({ id: session.join(inviteCodeOf(stringField(body, 'code'))).id });

function membershipRequests({ session, params }) {
  return session.adminGroup(params.id).joinRequests.map((r) => {
    const out = { jid: wadialId(r.requesterId) };
    if (r.requesterPn) out.phoneNumber = wadialId(r.requesterPn);
    return {
      ...out, addedBy: wadialId(r.addedById), parentGroupJid: r.parentGroupId, requestMethod: r.requestMethod, requestTime: r.timestamp,
    };
  });
}

function answerMembershipRequests({ session, params, body }) {
  const action = stringField(body, 'action');
  const users = idList(body);
  const group = session.adminGroup(params.id);
  if (action === 'cancel') return users.map((u) => ({ jid: wadialId(u.id), status: '404' }));
  if (action !== 'approve' && action !== 'reject') throw new ValidationError('action must be approve, reject or cancel');
  return answerJoinRequests(group, users, action === 'approve').map((r) => ({
    jid: wadialId(r.requesterId), status: r.success ? '200' : String(r.error),
  }));
}

function leaveGroups({ session, body }) {
  const jids = body?.groupJids;
  if (!Array.isArray(jids) || jids.some((j) => typeof j !== 'string')) {
    throw new ValidationError('groupJids must be an array of strings');
  }
  const left = [];
  const failed = [];
  for (const jid of jids) {
    try {
      const group = session.group(jid);
      leave(group);
      left.push(jid);
    } catch (err) {
      if (!(err instanceof WhatsAppError)) throw err;
      failed.push({ groupJid: jid, status: err.code ?? 500, code: err.message, detail: `WhatsApp answered ${err.message}` });
    }
  }
  return { left, failed };
}

export const WADIAL_ROUTES = [
  ['GET', '/groups', ({ session }) => session.myGroups().map(metadata)],
  ['POST', '/groups', createGroup],
  ['POST', '/groups/invite/preview', previewInvite],
  ['POST', '/groups/join', joinGroup],
  ['POST', '/groups/leave', leaveGroups],
  ['GET', '/groups/:id', ({ session, params }) => metadata(session.group(params.id))],
  ['PATCH', '/groups/:id/profile', updateProfile],
  ['POST', '/groups/:id/participants', updateParticipants],
  ['PATCH', '/groups/:id/settings', updateSettings],
  ['GET', '/groups/:id/invite-code', ({ session, params }) => ({ code: session.group(params.id).inviteCode })],
  ['POST', '/groups/:id/invite/revoke', ({ session, params }) => ({ code: revokeInvite(session.adminGroup(params.id)) })],
  ['GET', '/groups/:id/membership-requests', membershipRequests],
  ['POST', '/groups/:id/membership-requests', answerMembershipRequests],
].map(mount('/api/v1/sessions/:session'));

/** Wadial-style statuses: create 201, a report with failed parts 207, everything else 200. */
export function wadialStatus(method, path, result) {
  if (method === 'POST' && path === '/groups') return 201;
  return result?.failed?.length ? 207 : 200;
}


