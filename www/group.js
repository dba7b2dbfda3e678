// One group: subject, description, the five settings, invite link, members with their roles,
// join requests, leave and delete.
import { $, act, confirmAction, el, FAILED, setFieldError, showId } from './ui.js';
import { ACTIONS, changeMembers, wireBulk } from './bulk.js';
import { previewPeople } from './people.js';
import { applyScopes } from './scopes.js';

/** Each setting's checkbox value in a GroupInfo. */
const SETTINGS = {
  InfoAdminOnly: (g) => g.infoAdminOnly === true,
  MessagesAdminOnly: (g) => g.membersCanSendMessages === false,
  MemberAddMode: (g) => g.membersCanAddNewMember === true,
  MemberShareHistoryMode: (g) => g.membersCanShareHistory === true,
  MembershipApproval: (g) => g.newMembersApprovalRequired === true,
};

/** Loads and shows the group `id`. */
export async function showGroup(app, id) {
  if (app.group?.id !== id) {
    // Another group: the last group's add results go.
    $('add-progress-box').hidden = true;
    $('add-results').replaceChildren();
  }
  const view = $('group-view');
  view.setAttribute('aria-busy', 'true');
  try {
    const group = await act({ label: 'Loading the group', run: (signal) => app.client.getGroup(id, { signal }) });
    if (group === FAILED) return;
    app.group = group;
    render(app);
    await loadRequests(app);
  } finally {
    view.removeAttribute('aria-busy');
  }
}

function render(app) {
  const g = app.group;
  $('group-title').textContent = g.subject;
  $('group-id').textContent = g.id;
  $('group-subject').value = g.subject;
  $('group-description').value = g.description ?? '';
  for (const box of $('settings').querySelectorAll('input')) box.checked = SETTINGS[box.dataset.setting](g);
  $('invite-link').value = g.invite ?? '';
  $('member-rows').replaceChildren(...(g.participants ?? []).map((member) => memberRow(app, member)));
  applyScopes($('group-view'));
}

function memberRow(app, member) {
  const who = member.pn ? `${showId(member.pn)} (${member.id})` : showId(member.id);
  const act = (action, label) => el('button', {
    type: 'button',
    className: action === 'remove' ? 'secondary' : '',
    'data-needs': ACTIONS[action].method,
    'aria-label': `${label} ${who}`,
    onclick: async (event) => {
      if (action === 'remove' && !(await confirmAction(`Remove ${who} from “${app.group.subject}”?`, 'Remove'))) return;
      await changeMembers(app, ACTIONS[action], [{ id: member.id, raw: who }], null, event.target);
    },
  }, label);
  const buttons = [];
  if (member.role === 'participant') buttons.push(act('promote', 'Make admin'));
  if (member.role === 'admin') buttons.push(act('demote', 'Make member'));
  if (member.role !== 'superadmin') buttons.push(act('remove', 'Remove'));
  return el('tr', {}, el('td', { className: 'mono' }, who), el('td', {}, member.role),
    el('td', {}, el('div', { className: 'member-actions' }, ...buttons)));
}

async function loadRequests(app) {
  const requests = await app.client.listJoinRequests(app.group.id).catch(() => []);
  $('requests-box').hidden = requests.length === 0;
  $('request-list').replaceChildren(...requests.map((r) => {
    const who = showId(r.requesterPn ?? r.requesterId);
    const answer = (approve) => el('button', {
      type: 'button',
      className: approve ? '' : 'secondary',
      'data-needs': approve ? 'approveJoinRequests' : 'rejectJoinRequests',
      onclick: async (event) => {
        const method = approve ? 'approveJoinRequests' : 'rejectJoinRequests';
        const done = await act({
          label: approve ? 'Approving' : 'Rejecting',
          button: event.target,
          run: (signal) => app.client[method](app.group.id, [r.requesterId], { signal }),
        });
        if (done !== FAILED) await app.reloadGroup();
      },
    }, approve ? `Approve ${who}` : `Reject ${who}`);
    return el('li', {}, el('span', { className: 'mono' }, who),
      el('span', {}, `asked ${new Date(r.timestamp * 1000).toLocaleString()}`), answer(true), answer(false));
  }));
  applyScopes($('request-list'));
}

/** Wires the group page's forms and buttons (once). */
export function wireGroup(app) {
  app.reloadGroup = () => showGroup(app, app.group.id);
  const edit = (form, input, method, key, label) => $(form).addEventListener('submit', async (event) => {
    event.preventDefault();
    const done = await act({
      label,
      button: event.submitter,
      fields: [{ key, input }],
      run: (signal) => app.client[method](app.group.id, input.value, { signal }),
    });
    if (done === false) setFieldError(input, 'WhatsApp did not allow it: only admins may edit the group info.');
    else if (done !== FAILED) {
      app.groupsStale = true;
      await app.reloadGroup();
    }
  });
  edit('subject-form', $('group-subject'), 'setSubject', '/subject', 'Renaming');
  edit('description-form', $('group-description'), 'setDescription', '/description', 'Saving the description');

  for (const box of $('settings').querySelectorAll('input')) {
    box.addEventListener('change', async () => {
      const done = await act({
        label: 'Changing the setting',
        button: box,
        run: (signal) => app.client[`set${box.dataset.setting}`](app.group.id, box.checked, { signal }),
      });
      if (done === FAILED) box.checked = !box.checked;
      else await app.reloadGroup();
    });
  }

  $('invite-copy').addEventListener('click', async (event) => {
    $('invite-link').select();
    const copied = await navigator.clipboard.writeText($('invite-link').value).then(() => true, () => false);
    event.target.textContent = copied ? 'Copied' : 'Press Ctrl+C';
    setTimeout(() => { event.target.textContent = 'Copy'; }, 2000);
  });
  $('invite-rotate').addEventListener('click', async (event) => {
    if (!(await confirmAction('Make a new invite link? The current link stops working.', 'New link'))) return;
    const invite = await act({
      label: 'Making a new link',
      button: event.target,
      run: (signal) => app.client.revokeInviteCode(app.group.id, { signal }),
    });
    if (invite !== FAILED) {
      app.group.invite = invite.link;
      $('invite-link').value = invite.link;
    }
  });

  const leaveOrDelete = (button, method, question, label) => $(button).addEventListener('click', async (event) => {
    if (!(await confirmAction(question(app.group.subject), label))) return;
    const done = await act({ label, button: event.target, run: (signal) => app.client[method](app.group.id, { signal }) });
    if (done === FAILED) return;
    app.groupsStale = true;
    location.hash = '#/';
  });
  leaveOrDelete('group-leave', 'leaveGroup', (s) => `Leave “${s}”? You will need an invite to come back.`, 'Leave');
  leaveOrDelete('group-delete', 'deleteGroup', (s) => `Delete “${s}” for everyone? This cannot be undone.`, 'Delete');

  wireBulk(app, previewPeople($('add-people')));
}
