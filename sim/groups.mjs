// Simulated WhatsApp groups of one WAHA session: seed data, ids and group operations.
// Everything "WhatsApp" would refuse is thrown as a WhatsAppError (WAHA answers 500).
import { randomInt } from 'node:crypto';
import { WhatsAppError } from './http.mjs';

/** The simulated account. */
export const ME = '15550000000@c.us';

export const LIMITS = Object.freeze({ groupSize: 1024, subject: 100, description: 2048 });

const USER_ID = /^(\d+)@(c\.us|s\.whatsapp\.net|lid)$/;
const GROUP_ID = /^\d+(-\d+)?@g\.us$/;
const INVITE_CODE = /^[A-Za-z0-9]{20,24}$/;
const INVITE_HOST = 'chat.whatsapp.com';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// ---------------------------------------------------------------- ids and codes

/** `<digits>@c.us|s.whatsapp.net|lid` → `{id (@c.us or @lid), digits}`; anything else is bad-request. */
export function parseUserId(raw) {
  const match = USER_ID.exec(raw);
  if (!match) throw new WhatsAppError('bad-request');
  const [, digits, server] = match;
  return { id: `${digits}@${server === 'lid' ? 'lid' : 'c.us'}`, digits };
}

/** Group ids must look like `<digits>@g.us` or `<digits>-<digits>@g.us`. */
export function checkGroupId(raw) {
  if (!GROUP_ID.test(raw)) throw new WhatsAppError('bad-request');
}

/** A number WhatsApp could know: at most 15 digits, no leading 0. */
function isPlausibleNumber(digits) {
  return digits.length <= 15 && !digits.startsWith('0');
}

export function randomCode(length = 22) {
  let code = '';
  for (let i = 0; i < length; i++) code += ALNUM[randomInt(ALNUM.length)];
  return code;
}

export function inviteLink(code) {
  return `https://${INVITE_HOST}/${code}`;
}

/** Code or `https://chat.whatsapp.com/[invite/]<code>[/][?…][#…]` → code, or null when malformed. */
export function parseInviteCode(input) {
  let text = input.trim();
  if (/^chat\.whatsapp\.com\//i.test(text)) text = `https://${text}`;
  if (/^https?:\/\//i.test(text)) {
    let url;
    try {
      url = new URL(text);
    } catch {
      return null;
    }
    if (url.hostname.toLowerCase() !== INVITE_HOST) return null;
    text = url.pathname.replace(/^\/(invite\/)?/, '').replace(/\/$/, '');
  }
  return INVITE_CODE.test(text) ? text : null;
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

// ---------------------------------------------------------------- seed

function makeGroup(fields) {
  return {
    description: '',
    owner: ME,
    creation: nowSeconds(),
    revokedCodes: [],
    picture: null,
    pictureFile: null,
    membersCanAddNewMember: false,
    membersCanSendMessages: true,
    newMembersApprovalRequired: false,
    infoAdminOnly: false,
    membersCanShareHistory: true,
    joinRequests: [],
    ...fields,
  };
}

function seedGroups() {
  const t = nowSeconds();
  return [
    makeGroup({
      id: '120363000000000001@g.us',
      subject: 'Alpha Team',
      description: 'Alpha team coordination',
      inviteCode: 'AlphaInviteCode0000001',
      creation: t - 86400 * 30,
      membersCanAddNewMember: true,
      participants: [
        { id: ME, role: 'superadmin' },
        { id: '15550000001@c.us', role: 'admin' },
        { id: '15550000002@c.us', role: 'participant' },
        { id: '123456789012345@lid', pn: '15550001111@c.us', role: 'participant' },
        { id: '15550000009@c.us', role: 'left' },
      ],
    }),
    makeGroup({
      id: '120363000000000002@g.us',
      subject: 'Beta Testers',
      description: 'Release candidates go here',
      inviteCode: 'BetaInviteCode00000002',
      creation: t - 86400 * 20,
      picture: 'https://pps.whatsapp.net/v/t61.24694-24/sim-120363000000000002_n.jpg',
      newMembersApprovalRequired: true,
      participants: [
        { id: ME, role: 'superadmin' },
        { id: '15550000003@c.us', role: 'participant' },
        { id: '15550000004@c.us', role: 'participant' },
      ],
      joinRequests: [
        joinRequest('15550000005@c.us', undefined, t - 3600),
        joinRequest('987654321098765@lid', '15550000006@c.us', t - 1800),
      ],
    }),
    makeGroup({
      id: '120363000000000003@g.us',
      subject: 'Gamma Friends',
      description: 'Weekend plans',
      owner: '15550000007@c.us',
      inviteCode: 'GammaInviteCode0000003',
      creation: t - 86400 * 10,
      infoAdminOnly: true,
      participants: [
        { id: '15550000007@c.us', role: 'superadmin' },
        { id: '15550000008@c.us', role: 'admin' },
        { id: ME, role: 'participant' },
      ],
    }),
  ];
}

function joinRequest(requesterId, requesterPn, timestamp) {
  const request = { requesterId };
  if (requesterPn) request.requesterPn = requesterPn;
  return { ...request, addedById: requesterId, parentGroupId: null, requestMethod: 'invite_link', timestamp };
}

// ---------------------------------------------------------------- views

const current = (p) => p.role !== 'left';

function memberView(p) {
  return p.pn ? { id: p.id, pn: p.pn, role: p.role } : { id: p.id, role: p.role };
}

/** WAHA's GroupInfo; members who left are not listed. */
export function groupInfo(group, { participants = true } = {}) {
  const info = {
    id: group.id,
    subject: group.subject,
    description: group.description,
    invite: inviteLink(group.inviteCode),
    membersCanAddNewMember: group.membersCanAddNewMember,
    membersCanSendMessages: group.membersCanSendMessages,
    newMembersApprovalRequired: group.newMembersApprovalRequired,
    infoAdminOnly: group.infoAdminOnly,
    membersCanShareHistory: group.membersCanShareHistory,
  };
  if (participants) info.participants = group.participants.filter(current).map(memberView);
  return info;
}

/** `/participants/v2`: every known member, including those who left. */
export function participantsV2(group) {
  return group.participants.map(memberView);
}

/** `/participants`: the raw engine form (WEBJS-like). */
export function rawParticipants(group) {
  return group.participants.filter(current).map((p) => {
    const [user, server] = p.id.split('@');
    return {
      id: { server, user, _serialized: p.id },
      isAdmin: p.role === 'admin' || p.role === 'superadmin',
      isSuperAdmin: p.role === 'superadmin',
    };
  });
}

/** join-info: what a non-member sees before joining. */
export function groupPreview(group) {
  return {
    id: group.id,
    subject: group.subject,
    description: group.description,
    owner: group.owner,
    creation: group.creation,
    size: memberCount(group),
  };
}

function memberCount(group) {
  return group.participants.filter(current).length;
}

// ---------------------------------------------------------------- session

/** The state of one WAHA session: its groups, keyed by id. */
export class Session {
  constructor(name) {
    this.name = name;
    this.groups = new Map(seedGroups().map((g) => [g.id, g]));
  }

  /** Groups I am a current member of, in creation order. */
  myGroups() {
    return [...this.groups.values()].filter((g) => isMember(g, ME));
  }

  /** A group I am in: bad-request (malformed id), item-not-found, or forbidden (not in it). */
  group(id) {
    checkGroupId(id);
    const group = this.groups.get(id);
    if (!group) throw new WhatsAppError('item-not-found');
    if (!isMember(group, ME)) throw new WhatsAppError('forbidden');
    return group;
  }

  /** A group where I am admin or superadmin, else not-authorized. */
  adminGroup(id) {
    const group = this.group(id);
    if (!isAdmin(group, ME)) throw new WhatsAppError('not-authorized');
    return group;
  }

  /** Can I edit subject, description and picture? (admins, or anyone unless info is admin-only) */
  canEditInfo(group) {
    return isAdmin(group, ME) || !group.infoAdminOnly;
  }

  create(subject, users) {
    checkSubject(subject);
    let id;
    do id = `120363${randomInt(1e11, 1e12)}@g.us`; while (this.groups.has(id));
    const group = makeGroup({ id, subject, inviteCode: randomCode(), participants: [{ id: ME, role: 'superadmin' }] });
    this.groups.set(id, group);
    // WhatsApp silently drops whoever cannot be added: no per-person report on create.
    addParticipants(group, users.filter((u) => u.id !== ME));
    return group;
  }

  delete(group) {
    this.groups.delete(group.id);
  }

  /** Finds the group an invite code opens: item-not-found (unknown) or gone (revoked). */
  groupByCode(code) {
    for (const group of this.groups.values()) {
      if (group.inviteCode === code) return group;
    }
    for (const group of this.groups.values()) {
      if (group.revokedCodes.includes(code)) throw new WhatsAppError('gone');
    }
    throw new WhatsAppError('item-not-found');
  }

  join(code) {
    const group = this.groupByCode(code);
    const me = findMember(group, { id: ME });
    if (!me) group.participants.push({ id: ME, role: 'participant' });
    else if (me.role === 'left') me.role = 'participant';
    return group;
  }
}

export function isMember(group, id) {
  return group.participants.some((p) => p.id === id && current(p));
}

function isAdmin(group, id) {
  return group.participants.some((p) => p.id === id && (p.role === 'admin' || p.role === 'superadmin'));
}

/** A member known by id, or by phone number when listed under a lid. */
function findMember(group, user) {
  return group.participants.find((p) => p.id === user.id || p.pn === user.id);
}

// ---------------------------------------------------------------- group edits

/** Subject rules: too long → not-acceptable. (Empty subjects are handled by the caller: they hang.) */
export function checkSubject(subject) {
  if ([...subject].length > LIMITS.subject) throw new WhatsAppError('not-acceptable');
}

export function checkDescription(description) {
  if ([...description].length > LIMITS.description) throw new WhatsAppError('not-acceptable');
}

export function revokeInvite(group) {
  group.revokedCodes.push(group.inviteCode);
  group.inviteCode = randomCode();
  return group.inviteCode;
}

export function leave(group) {
  findMember(group, { id: ME }).role = 'left';
}

// ---------------------------------------------------------------- per-participant operations

const result = (user, status, extra = {}) => ({ id: user.id, status, ...extra });

/**
 * add: 409 already a member, 408 recently left, 403 privacy (number ends in 403; comes with a
 * private invite), 417 community restriction (number ends in 417), 404 not on WhatsApp
 * (over 15 digits or leading 0), 419 group full, else 200.
 */
export function addParticipants(group, users) {
  return users.map((user) => {
    const known = findMember(group, user);
    if (known && current(known)) return result(user, '409');
    if (known) return result(user, '408');
    if (user.digits.endsWith('403')) {
      const invite = { code: randomCode(), expiration: nowSeconds() + 3 * 86400 };
      return result(user, '403', { invite });
    }
    if (user.digits.endsWith('417')) return result(user, '417');
    if (!isPlausibleNumber(user.digits)) return result(user, '404');
    if (memberCount(group) >= LIMITS.groupSize) return result(user, '419');
    group.participants.push({ id: user.id, role: 'participant' });
    return result(user, '200');
  });
}

/** remove: 404 not a member, else 200 (the member's role becomes "left"). */
export function removeParticipants(group, users) {
  return users.map((user) => {
    const member = findMember(group, user);
    if (!member || !current(member)) return result(user, '404');
    member.role = 'left';
    return result(user, '200');
  });
}

/** promote / demote: 404 not a member, else 200. */
export function setAdmin(group, users, admin) {
  return users.map((user) => {
    const member = findMember(group, user);
    if (!member || !current(member)) return result(user, '404');
    if (admin && member.role === 'participant') member.role = 'admin';
    if (!admin) member.role = 'participant';
    return result(user, '200');
  });
}

/** approve / reject pending join requests; approving adds the requester as a participant. */
export function answerJoinRequests(group, users, approve) {
  return users.map((user) => {
    const index = group.joinRequests.findIndex((r) => r.requesterId === user.id || r.requesterPn === user.id);
    if (index < 0) return { requesterId: user.id, success: false, error: 404 };
    const [request] = group.joinRequests.splice(index, 1);
    if (approve) {
      const known = findMember(group, { id: request.requesterId });
      if (known) known.role = 'participant';
      else group.participants.push(memberFromRequest(request));
    }
    return { requesterId: request.requesterId, success: true };
  });
}

function memberFromRequest(request) {
  const member = { id: request.requesterId, role: 'participant' };
  if (request.requesterPn) member.pn = request.requesterPn;
  return member;
}
