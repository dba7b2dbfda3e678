// The 35 WAHA group routes: one table entry per route, each with a small handler.
// Handlers get `{session, params, query, body, hang}` and return the JSON answer; the status
// comes from the method (NestJS defaults: POST 201, everything else 200).
// Like WAHA, handlers only check JSON types (400); everything else is "WhatsApp's" call (500).
import { createHash } from 'node:crypto';
import { ValidationError, WhatsAppError } from './http.mjs';
import {
  addParticipants, answerJoinRequests, checkDescription, checkSubject, groupInfo, groupPreview,
  leave, parseInviteCode, parseUserId, participantsV2, rawParticipants, randomCode,
  removeParticipants, revokeInvite, setAdmin,
} from './groups.mjs';

// ---------------------------------------------------------------- body and query checks

export function stringField(body, key) {
  const value = body?.[key];
  if (typeof value !== 'string') throw new ValidationError(`${key} must be a string`);
  return value;
}

export function booleanField(body, key) {
  const value = body?.[key];
  if (typeof value !== 'boolean') throw new ValidationError(`${key} must be a boolean value`);
  return value;
}

/** `{participants: [{id}]}` → parsed user ids (a malformed id is WhatsApp's bad-request). */
function participantsField(body) {
  const list = body?.participants;
  if (!Array.isArray(list)) throw new ValidationError('participants must be an array');
  list.forEach((p, i) => {
    if (typeof p?.id !== 'string') throw new ValidationError(`participants.${i}.id must be a string`);
  });
  return list.map((p) => parseUserId(p.id));
}

function intParam(query, key) {
  const value = query.get(key);
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** An empty subject hung a real WAHA engine: wait `hangMs`, then fail like a query timeout. */
async function refuseEmptySubject(subject, hang) {
  if (subject.trim() === '') await hang();
}

// ---------------------------------------------------------------- groups

async function createGroup({ session, body, hang }) {
  const name = stringField(body, 'name');
  const users = participantsField(body);
  await refuseEmptySubject(name, hang);
  return groupInfo(session.create(name, users));
}

function listGroups({ session, query }) {
  const groups = session.myGroups();
  const sortBy = query.get('sortBy');
  if (sortBy === 'id' || sortBy === 'subject') {
    const sign = query.get('sortOrder') === 'desc' ? -1 : 1;
    groups.sort((a, b) => sign * (a[sortBy] < b[sortBy] ? -1 : a[sortBy] > b[sortBy] ? 1 : 0));
  }
  const offset = intParam(query, 'offset') ?? 0;
  const limit = intParam(query, 'limit');
  const page = groups.slice(offset, limit === undefined ? undefined : offset + limit);
  const exclude = query.getAll('exclude').flatMap((v) => v.split(','));
  return page.map((g) => groupInfo(g, { participants: !exclude.includes('participants') }));
}

const countGroups = ({ session }) => ({ count: session.myGroups().length });
const refreshGroups = () => ({ success: true });
const getGroup = ({ session, params }) => groupInfo(session.group(params.id));

function deleteGroup({ session, params }) {
  session.delete(session.adminGroup(params.id));
  return {};
}

function leaveGroup({ session, params }) {
  leave(session.group(params.id));
  return {};
}

// ---------------------------------------------------------------- invites

export function inviteCodeOf(text) {
  const code = parseInviteCode(text);
  if (!code) throw new WhatsAppError('not-acceptable');
  return code;
}

function joinInfo({ session, query }) {
  const text = query.get('code');
  if (text === null) throw new WhatsAppError('bad-request');
  return groupPreview(session.groupByCode(inviteCodeOf(text)));
}

function joinGroup({ session, body }) {
  const code = inviteCodeOf(stringField(body, 'code'));
  return { id: session.join(code).id };
}

const getInviteCode = ({ session, params }) => session.group(params.id).inviteCode;
const revokeInviteCode = ({ session, params }) => revokeInvite(session.adminGroup(params.id));

// ---------------------------------------------------------------- info: subject, description, picture

async function setSubject({ session, params, body, hang }) {
  const subject = stringField(body, 'subject');
  const group = session.group(params.id);
  if (!session.canEditInfo(group)) return false;
  await refuseEmptySubject(subject, hang);
  checkSubject(subject);
  group.subject = subject;
  return true;
}

function setDescription({ session, params, body }) {
  const description = stringField(body, 'description');
  const group = session.group(params.id);
  if (!session.canEditInfo(group)) return false;
  checkDescription(description);
  group.description = description;
  return true;
}

/** A group whose info (picture) I may change, else not-authorized. */
function infoGroup(session, id) {
  const group = session.group(id);
  if (!session.canEditInfo(group)) throw new WhatsAppError('not-authorized');
  return group;
}

const getPicture = ({ session, params }) => ({ url: session.group(params.id).picture });

function setPicture({ session, params, body }) {
  const file = body?.file;
  if (typeof file !== 'object' || file === null || Array.isArray(file)) {
    throw new ValidationError('file must be an object');
  }
  const mimetype = stringField(file, 'mimetype');
  if (typeof file.url !== 'string' && typeof file.data !== 'string') {
    throw new ValidationError('file.url or file.data must be a string');
  }
  const group = infoGroup(session, params.id);
  if (!/^image\/jpe?g$/i.test(mimetype)) throw new WhatsAppError('not-acceptable');
  group.pictureFile = pictureRecord(file, mimetype);
  const digits = group.id.split('@')[0];
  group.picture = `https://pps.whatsapp.net/v/t61.24694-24/sim-${digits}-${randomCode(8)}_n.jpg`;
  return { success: true };
}

/**
 * What the simulator keeps of a set picture (seen in /__sim/state, never in WAHA's answers):
 * `{source: 'url', url}` (WAHA would download it itself) or `{source: 'data', bytes, sha256}`.
 * Data that is not base64 is WhatsApp's not-acceptable, as with a real upload.
 */
function pictureRecord(file, mimetype) {
  if (typeof file.url === 'string') return { source: 'url', mimetype, url: file.url };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(file.data) || file.data.length % 4 !== 0) throw new WhatsAppError('not-acceptable');
  const bytes = Buffer.from(file.data, 'base64');
  return { source: 'data', mimetype, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function deletePicture({ session, params }) {
  infoGroup(session, params.id).picture = null;
  return { success: true };
}

// ---------------------------------------------------------------- security settings

/** [route name, body field, read from group, write to group] */
const SETTINGS = [
  ['info-admin-only', 'adminsOnly', (g) => g.infoAdminOnly, (g, v) => { g.infoAdminOnly = v; }],
  ['messages-admin-only', 'adminsOnly', (g) => !g.membersCanSendMessages, (g, v) => { g.membersCanSendMessages = !v; }],
  ['member-add-mode', 'membersCanAddNewMember', (g) => g.membersCanAddNewMember, (g, v) => { g.membersCanAddNewMember = v; }],
  ['member-share-history-mode', 'membersCanShareHistory', (g) => g.membersCanShareHistory, (g, v) => { g.membersCanShareHistory = v; }],
  ['membership-approval', 'newMembersApprovalRequired', (g) => g.newMembersApprovalRequired, (g, v) => { g.newMembersApprovalRequired = v; }],
];

function settingRoutes() {
  return SETTINGS.flatMap(([name, field, read, write]) => {
    const path = `/groups/:id/settings/security/${name}`;
    const put = ({ session, params, body }) => {
      const value = booleanField(body, field);
      write(session.adminGroup(params.id), value);
      return true;
    };
    const get = ({ session, params }) => ({ [field]: read(session.group(params.id)) });
    return [['PUT', path, put], ['GET', path, get]];
  });
}

// ---------------------------------------------------------------- participants

const getParticipants = ({ session, params }) => rawParticipants(session.group(params.id));
const getParticipantsV2 = ({ session, params }) => participantsV2(session.group(params.id));

function addToGroup({ session, params, body }) {
  const users = participantsField(body);
  const group = session.group(params.id);
  // Members may add others when the group allows it (member-add-mode), like WhatsApp.
  if (!group.membersCanAddNewMember) session.adminGroup(params.id);
  return addParticipants(group, users);
}

/** A per-participant admin operation: parse ids, require admin, apply. */
function adminOperation(apply) {
  return ({ session, params, body }) => {
    const users = participantsField(body);
    return apply(session.adminGroup(params.id), users);
  };
}

const getJoinRequests = ({ session, params }) => session.adminGroup(params.id).joinRequests;

// ---------------------------------------------------------------- the table

export const ROUTES = [
  ['POST', '/groups', createGroup],
  ['GET', '/groups', listGroups],
  ['GET', '/groups/count', countGroups],
  ['POST', '/groups/refresh', refreshGroups],
  ['GET', '/groups/join-info', joinInfo],
  ['POST', '/groups/join', joinGroup],
  ['GET', '/groups/:id', getGroup],
  ['DELETE', '/groups/:id', deleteGroup],
  ['POST', '/groups/:id/leave', leaveGroup],
  ['PUT', '/groups/:id/subject', setSubject],
  ['PUT', '/groups/:id/description', setDescription],
  ['GET', '/groups/:id/picture', getPicture],
  ['PUT', '/groups/:id/picture', setPicture],
  ['DELETE', '/groups/:id/picture', deletePicture],
  ...settingRoutes(),
  ['GET', '/groups/:id/invite-code', getInviteCode],
  ['POST', '/groups/:id/invite-code/revoke', revokeInviteCode],
  ['GET', '/groups/:id/participants', getParticipants],
  ['GET', '/groups/:id/participants/v2', getParticipantsV2],
  ['POST', '/groups/:id/participants/add', addToGroup],
  ['POST', '/groups/:id/participants/remove', adminOperation(removeParticipants)],
  ['POST', '/groups/:id/admin/promote', adminOperation((g, users) => setAdmin(g, users, true))],
  ['POST', '/groups/:id/admin/demote', adminOperation((g, users) => setAdmin(g, users, false))],
  ['GET', '/groups/:id/participants/join-requests', getJoinRequests],
  ['POST', '/groups/:id/participants/join-requests/approve', adminOperation((g, users) => answerJoinRequests(g, users, true))],
  ['POST', '/groups/:id/participants/join-requests/reject', adminOperation((g, users) => answerJoinRequests(g, users, false))],
].map(mount('/api/:session'));

/** Turns `[method, path, handler]` rows into routes under `prefix` (which names `:session`). */
export function mount(prefix) {
  return ([method, path, handler]) => ({ method, path, handler, parts: `${prefix}${path}`.split('/').slice(1) });
}

/**
 * Finds the route of `table` (WAHA's unless given) for decoded path segments
 * (`['api', session, 'groups', …]`), with its params.
 */
export function findRoute(method, segments, table = ROUTES) {
  for (const route of table) {
    if (route.method !== method || route.parts.length !== segments.length) continue;
    const params = matchParts(route.parts, segments);
    if (params) return { route, params };
  }
  return undefined;
}

function matchParts(parts, segments) {
  const params = {};
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].startsWith(':')) {
      if (segments[i] === '') return undefined;
      params[parts[i].slice(1)] = segments[i];
    } else if (parts[i] !== segments[i]) {
      return undefined;
    }
  }
  return params;
}
