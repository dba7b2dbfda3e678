// People typed into the group page: added with the module's paced bulk add (progress bar,
// per-person results, countdown on rate limits, Stop), or removed, promoted or demoted at once.
import { addParticipantsPaced } from 'groupgate';
import { $, act, el, FAILED, setFieldError, showId, showProblem } from './ui.js';
import { peopleField, readPeople } from './people.js';

const OUTCOMES = {
  added: ['ok', 'Added'],
  already_member: ['', 'Already a member'],
  privacy_forbids: ['warn', 'Their privacy settings do not allow adding them'],
  recently_left: ['warn', 'Left recently: WhatsApp does not allow adding them back yet'],
  group_full: ['bad', 'The group is full'],
  not_on_whatsapp: ['bad', 'Not on WhatsApp'],
  community_restricted: ['bad', 'A community rule does not allow it'],
  invalid: ['bad', 'Invalid number'],
  failed: ['bad', 'Not added'],
};

/** One result line: the number as typed, what happened, and for privacy the invite offer. */
function resultItem(app, raw, result) {
  const [tone, text] = OUTCOMES[result.outcome] ?? OUTCOMES.failed;
  const extra = result.outcome === 'invalid' ? `: ${result.error?.detail ?? ''}`
    : result.outcome === 'failed' ? ` (status ${result.status ?? '?'})` : '';
  const item = el('li', { className: tone, 'data-outcome': result.outcome },
    el('span', { className: 'mono' }, raw), el('span', {}, `${text}${extra}`));
  if (result.outcome === 'privacy_forbids') {
    item.append(el('button', {
      type: 'button',
      onclick: async (event) => {
        await navigator.clipboard.writeText(app.group.invite).catch(() => {});
        event.target.textContent = 'Invite link copied: send it to them';
      },
    }, 'Send the invite link instead'));
  }
  return item;
}

/** Adds `entries` with the paced helper, showing progress and each result as it arrives. */
async function addPaced(app, entries, textarea) {
  const box = $('add-progress-box');
  const progress = $('add-progress');
  const status = $('add-status');
  const list = $('add-results');
  const valid = entries.filter((e) => e.id);
  const rawOf = new Map(valid.map((e) => [e.id, e.raw]));
  list.replaceChildren(...entries.filter((e) => e.error)
    .map((e) => resultItem(app, e.raw, { outcome: 'invalid', error: { detail: e.error } })));
  const before = entries.length - valid.length;
  progress.max = entries.length;
  progress.value = before;
  box.hidden = false;
  if (valid.length === 0) {
    status.textContent = 'Nothing to send.';
    return;
  }
  const controller = new AbortController();
  const [submit, stop] = [$('add-submit'), $('add-cancel')];
  submit.disabled = true;
  submit.dataset.busy = 'true';
  stop.hidden = false;
  stop.onclick = () => controller.abort();
  status.textContent = `Sending ${valid.length}…`;
  try {
    const results = await addParticipantsPaced(app.client, app.group.id, valid.map((e) => e.id), {
      signal: controller.signal,
      onProgress(report) {
        progress.value = before + report.done;
        list.append(...report.results.map((r) => resultItem(app, rawOf.get(r.input) ?? r.input, r)));
        status.textContent = report.waitSeconds > 0 ? waiting(report) : `${before + report.done} of ${entries.length} done.`;
      },
    });
    const added = results.filter((r) => r.outcome === 'added').length;
    status.textContent = `Done: ${added} of ${entries.length} added.`;
  } catch (error) {
    status.textContent = error.code === 'aborted' ? `Stopped at ${progress.value} of ${entries.length}: the rest were not sent.` : 'Stopped by an error.';
    if (error.code !== 'aborted') showProblem(error, [peopleField(textarea, valid)]);
  } finally {
    delete submit.dataset.busy;
    submit.disabled = false;
    stop.hidden = true;
  }
}

/** The countdown line while the quota is used up. */
function waiting(report) {
  const policy = report.rateLimitPolicy;
  const quota = policy ? ` ${report.rateLimit?.remaining ?? 0} of ${policy.quota} left per ${policy.window} s.` : '';
  return `Rate limit reached:${quota} Next request in ${report.waitSeconds} s.`;
}

/** Removes, promotes or demotes `ids` (one request); the results appear under the form. */
export async function changeMembers(app, action, entries, textarea, button) {
  const ids = entries.map((e) => e.id);
  const results = await act({
    label: `${action.label} ${ids.length}`,
    button,
    fields: textarea ? [peopleField(textarea, entries)] : [],
    run: (signal) => app.client[action.method](app.group.id, ids, { signal }),
  });
  if (results === FAILED) return;
  $('add-progress-box').hidden = false;
  $('add-progress').value = $('add-progress').max = ids.length;
  $('add-results').replaceChildren(...results.map((r, i) => el('li', { className: r.status === '200' ? 'ok' : 'bad' },
    el('span', { className: 'mono' }, entries[i]?.raw ?? showId(r.id)),
    el('span', {}, r.status === '200' ? 'Done' : r.status === '404' ? 'Not a member' : `Failed (status ${r.status})`))));
  $('add-status').textContent = `${action.label}: ${results.filter((r) => r.status === '200').length} of ${ids.length} done.`;
  await app.reloadGroup();
}

/** What the people form can do besides adding. */
export const ACTIONS = {
  remove: { method: 'removeParticipants', label: 'Removed' },
  promote: { method: 'promoteParticipants', label: 'Promoted' },
  demote: { method: 'demoteParticipants', label: 'Demoted' },
};

/** Wires the people form of the group page. */
export function wireBulk(app, preview) {
  const textarea = $('add-people');
  $('add-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const entries = readPeople(textarea.value);
    if (entries.length === 0) {
      setFieldError(textarea, 'Enter at least one number.');
      return;
    }
    const action = ACTIONS[$('people-action').value];
    if (action && entries.some((e) => e.error)) {
      setFieldError(textarea, entries.filter((e) => e.error).map((e) => `${e.raw}: ${e.error}`).join('\n'));
      return;
    }
    if (action) {
      await changeMembers(app, action, entries, textarea, event.submitter);
    } else {
      textarea.value = '';
      preview();
      await addPaced(app, entries, textarea);
      await app.reloadGroup();
    }
  });
}
