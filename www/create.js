// Creating a group: a subject and the first members, checked by the module before sending.
import { $, act, FAILED, setFieldError } from './ui.js';
import { peopleField, peopleOrError, previewPeople } from './people.js';

/** Wires the create form; a created group opens. */
export function wireCreate(app) {
  const subject = $('create-subject');
  const people = $('create-people');
  const preview = previewPeople(people);
  // One Idempotency-Key per distinct form content until a create succeeds: resending the same
  // form (after a lost answer) cannot create a second group, and an edited form is a new request.
  let key = { body: '', value: '' };
  const keyFor = (body) => {
    if (key.body !== body) key = { body, value: crypto.randomUUID() };
    return key.value;
  };
  app.resetCreate = () => {
    $('create-form').reset();
    preview();
    setFieldError(subject);
  };
  $('create-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    setFieldError(subject);
    const entries = peopleOrError(people);
    if (!entries) return;
    const created = await act({
      label: 'Creating the group',
      button: event.submitter,
      fields: [{ key: '/name', input: subject }, peopleField(people, entries)],
      // A retry of the same form (same key) cannot create a second group.
      run: (signal) => {
        const ids = entries.map((e) => e.id);
        const idempotencyKey = keyFor(JSON.stringify([subject.value, ids]));
        return app.client.createGroup(subject.value, ids, { signal, idempotencyKey });
      },
    });
    if (created === FAILED) return;
    // Created: the same form sent again is a new group, not a replay of this one.
    key = { body: '', value: '' };
    app.groupsStale = true;
    location.hash = `#/group/${encodeURIComponent(created.id)}`;
  });
}
