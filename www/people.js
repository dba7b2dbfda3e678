// People typed or pasted as people write numbers (`+1 (555) 123-4567`, `0044 20 7946 0958`, one
// per line or comma-separated), read with the module's phoneToUserId and shown back before sending.
import { phoneToUserId } from 'groupgate';
import { $, el, setFieldError, showId } from './ui.js';

/** `{raw, id}` for each readable entry, `{raw, error}` for the others (duplicates included). */
export function readPeople(text) {
  const seen = new Set();
  return text.split(/[\n,;]+/).map((raw) => raw.trim()).filter(Boolean).map((raw) => {
    let id;
    try {
      // Ids already written as ids go as they are: the client checks them before sending.
      id = raw.includes('@') ? raw : phoneToUserId(raw);
    } catch (error) {
      return { raw, error: error.errors?.[0]?.detail ?? error.message };
    }
    if (seen.has(id)) return { raw, error: `${showId(id)} is listed twice` };
    seen.add(id);
    return { raw, id };
  });
}

/** Wires a textarea to its preview list (`<id>-preview`): every entry as it will be sent. */
export function previewPeople(textarea) {
  const update = () => {
    const entries = readPeople(textarea.value);
    $(`${textarea.id}-preview`).replaceChildren(...entries.map((entry) => el('li', { className: entry.error ? 'bad' : '' },
      el('span', {}, entry.raw),
      entry.error ? el('span', {}, `✗ ${entry.error}`) : el('span', { className: 'mono' }, `→ ${entry.id}`))));
    setFieldError(textarea);
  };
  textarea.addEventListener('input', update);
  return update;
}

/**
 * The entries of `textarea`, or null after showing the unreadable ones next to it (nothing is
 * sent then).
 */
export function peopleOrError(textarea) {
  const entries = readPeople(textarea.value);
  const bad = entries.filter((e) => e.error);
  if (entries.length === 0) {
    setFieldError(textarea, 'Enter at least one number.');
    return null;
  }
  if (bad.length > 0) {
    setFieldError(textarea, bad.map((e) => `${e.raw}: ${e.error}`).join('\n'));
    textarea.focus();
    return null;
  }
  return entries;
}

/** The field map of a people textarea: `/participants/<i>` errors name the entry typed. */
export function peopleField(textarea, entries, key = '/participants') {
  return {
    key,
    input: textarea,
    describe: (item, index) => (index === undefined ? item.detail : `${entries[index]?.raw ?? `entry ${index + 1}`}: ${item.detail}`),
  };
}
