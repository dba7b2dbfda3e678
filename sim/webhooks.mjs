// Signed `group.v2.*` webhooks, as WAHA sends them when a session's groups change.
//
// The simulator takes a snapshot of a session's groups before each state-changing request and
// compares it with the state after; every difference becomes one WAHA webhook:
//   group.v2.join          I became a member  → {timestamp, group: GroupInfo}
//   group.v2.leave         I stopped being one → {timestamp, group: {id}}
//   group.v2.update        info fields changed → {timestamp, group: {id, …changed fields}}
//   group.v2.participants  members joined, left, were promoted or demoted
//                          → {type, timestamp, group: {id}, participants: [{id, pn?, role}]}
// Each delivery is a POST of the envelope {id, timestamp, session, metadata, engine, event, payload,
// me, environment} with X-Webhook-Request-Id, X-Webhook-Timestamp (ms) and, when a key is set,
// X-Webhook-Hmac (hex HMAC-SHA512 of the raw body) and X-Webhook-Hmac-Algorithm: sha512. A failed
// delivery (network error or non-2xx) is retried with the same request id, like WAHA's retries.
import { createHmac, randomBytes } from 'node:crypto';
import {
  ME, addParticipants, groupInfo, isMember, parseUserId, participantsV2, removeParticipants, setAdmin,
} from './groups.mjs';

const ENGINE = 'GOWS';
const ENVIRONMENT = Object.freeze({ version: '2026.8.2', engine: ENGINE, tier: 'CORE', browser: null });
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Group fields an outside edit (`POST /__sim/edit`) may set. */
const EDITABLE = new Set([
  'subject', 'description', 'membersCanAddNewMember', 'membersCanSendMessages', 'newMembersApprovalRequired',
  'infoAdminOnly', 'membersCanShareHistory',
]);

/** A ULID-shaped id: 10 characters of time, 16 of randomness. */
export function ulid(now = Date.now()) {
  let time = '';
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  const random = [...randomBytes(16)].map((b) => CROCKFORD[b % 32]).join('');
  return time + random;
}

/** The hex HMAC-SHA512 of `body` with `key`, as WAHA puts it in X-Webhook-Hmac. */
export function signBody(body, key) {
  return createHmac('sha512', key).update(body).digest('hex');
}

/** A session's groups as a webhook receiver could know them: info fields and members. */
function snapshot(session) {
  const groups = new Map();
  for (const group of session.groups.values()) {
    groups.set(group.id, {
      member: isMember(group, ME),
      info: groupInfo(group, { participants: false }),
      people: new Map(participantsV2(group).map((p) => [p.id, p])),
      group,
    });
  }
  return groups;
}

const current = (p) => p !== undefined && p.role !== 'left';
const isAdminRole = (role) => role === 'admin' || role === 'superadmin';

/** What happened to one member between two snapshots, or undefined. */
function memberChange(before, after) {
  if (!current(before) && current(after)) return 'join';
  if (current(before) && !current(after)) return 'leave';
  if (current(before) && current(after) && before.role !== after.role) {
    if (!isAdminRole(before.role) && isAdminRole(after.role)) return 'promote';
    if (isAdminRole(before.role) && !isAdminRole(after.role)) return 'demote';
  }
  return undefined;
}

/** The `[event, payload]` pairs that turn snapshot `before` into `after`, oldest first. */
export function differences(before, after) {
  const events = [];
  const ids = new Set([...before.keys(), ...after.keys()]);
  for (const id of ids) {
    const was = before.get(id);
    const now = after.get(id);
    if (!was?.member && now?.member) {
      events.push(['group.v2.join', { group: groupInfo(now.group) }]);
      continue;
    }
    if (was?.member && !now?.member) {
      events.push(['group.v2.leave', { group: { id } }]);
      continue;
    }
    if (!was?.member) continue;
    const changed = Object.entries(now.info).filter(([key, value]) => key !== 'id' && was.info[key] !== value);
    if (changed.length) events.push(['group.v2.update', { group: { id, ...Object.fromEntries(changed) } }]);
    const byType = new Map();
    for (const person of new Set([...was.people.keys(), ...now.people.keys()])) {
      if (person === ME) continue;
      const type = memberChange(was.people.get(person), now.people.get(person));
      if (!type) continue;
      const after = now.people.get(person) ?? { id: person, role: 'left' };
      if (!byType.has(type)) byType.set(type, []);
      byType.get(type).push(after);
    }
    for (const [type, participants] of byType) {
      events.push(['group.v2.participants', { type, group: { id }, participants }]);
    }
  }
  return events;
}

/** Sends a session's group changes to one webhook URL. */
export class WebhookEmitter {
  constructor({ url, hmacKey, retries = 2, retryDelayMs = 100 } = {}) {
    this.url = url;
    this.hmacKey = hmacKey;
    this.retries = retries;
    this.retryDelayMs = retryDelayMs;
    /** Every attempt: {requestId, event, session, attempt, status (0: network error), headers, body}. */
    this.deliveries = [];
    this.pending = new Set();
  }

  configure({ url, hmacKey, retries, retryDelayMs } = {}) {
    this.url = url;
    this.hmacKey = hmacKey;
    if (retries !== undefined) this.retries = retries;
    if (retryDelayMs !== undefined) this.retryDelayMs = retryDelayMs;
  }

  get enabled() {
    return typeof this.url === 'string' && this.url !== '';
  }

  /** The state to compare with after a request (undefined when no URL is configured). */
  before(session) {
    return this.enabled ? snapshot(session) : undefined;
  }

  /** Sends what changed since `before`; resolves once every delivery is done (or given up). */
  emit(session, before) {
    if (!before || !this.enabled) return Promise.resolve([]);
    const sent = Promise.all(differences(before, snapshot(session)).map(([event, payload]) => this.deliver(session.name, event, payload)));
    this.pending.add(sent);
    return sent.finally(() => this.pending.delete(sent));
  }

  /** Waits for deliveries still in flight. */
  async flush() {
    await Promise.all([...this.pending]);
  }

  async deliver(sessionName, event, payload) {
    const now = Date.now();
    const envelope = {
      id: `evt_${ulid(now)}`,
      timestamp: now,
      session: sessionName,
      metadata: {},
      engine: ENGINE,
      event,
      payload: { ...payload, timestamp: Math.floor(now / 1000) },
      me: { id: ME, pushName: 'Simulator' },
      environment: ENVIRONMENT,
    };
    const body = JSON.stringify(envelope);
    const requestId = `req_${ulid(now)}`;
    for (let attempt = 1; attempt <= this.retries + 1; attempt++) {
      const headers = {
        'content-type': 'application/json',
        'x-webhook-request-id': requestId,
        'x-webhook-timestamp': String(Date.now()),
      };
      if (this.hmacKey) {
        headers['x-webhook-hmac'] = signBody(body, this.hmacKey);
        headers['x-webhook-hmac-algorithm'] = 'sha512';
      }
      let status = 0;
      try {
        const response = await fetch(this.url, { method: 'POST', headers, body });
        status = response.status;
        await response.arrayBuffer();
      } catch {
        status = 0;
      }
      this.deliveries.push({ requestId, event, session: sessionName, attempt, status, headers, body });
      if (status >= 200 && status < 300) return status;
      if (attempt <= this.retries) await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
    }
    return 0;
  }
}

/**
 * A change made outside the API (another admin's phone): `{group, set?: {subject, …},
 * add?, remove?, promote?, demote?: [user ids]}` on `session`'s state. Throws on a bad edit.
 */
export function editOutside(session, { group: id, set = {}, add = [], remove = [], promote = [], demote = [] } = {}) {
  const group = session.groups.get(id);
  if (!group) throw new Error(`no group ${id}`);
  for (const [key, value] of Object.entries(set)) {
    if (!EDITABLE.has(key)) throw new Error(`cannot set ${key}`);
    group[key] = value;
  }
  const users = (list) => list.map((u) => parseUserId(u));
  addParticipants(group, users(add));
  removeParticipants(group, users(remove));
  setAdmin(group, users(promote), true);
  setAdmin(group, users(demote), false);
}
