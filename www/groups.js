// The groups list: loaded once per sort order (without member lists), searched and paged here.
import { $, act, el, FAILED } from './ui.js';

const PAGE_SIZE = 10;
let groups = [];
let page = 0;

/** Loads the session's groups and shows the first page. */
export async function loadGroups(app) {
  const [sortBy, sortOrder] = $('sort').value.split(':');
  const list = await act({
    label: 'Loading groups',
    button: $('reload'),
    run: (signal) => app.client.listGroups({ sortBy, sortOrder, excludeParticipants: true }, { signal }),
  });
  if (list === FAILED) return;
  groups = list;
  page = 0;
  render();
}

function render() {
  const query = $('search').value.trim().toLowerCase();
  const matching = groups.filter((g) => g.subject.toLowerCase().includes(query) || g.id.includes(query));
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  page = Math.min(page, pages - 1);
  const shown = matching.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  $('group-list').replaceChildren(...shown.map((g) => el('li', {},
    el('a', { href: `#/group/${encodeURIComponent(g.id)}` }, el('strong', {}, g.subject), el('small', { className: 'mono' }, g.id)))));
  const total = `${groups.length} group${groups.length === 1 ? '' : 's'}`;
  $('groups-summary').textContent = query ? `${matching.length} of ${total} match “${query}”` : total;
  $('page-label').textContent = `Page ${page + 1} of ${pages}`;
  $('page-prev').disabled = page === 0;
  $('page-next').disabled = page >= pages - 1;
}

/** Wires the search, sort and paging controls. */
export function wireGroups(app) {
  $('search').addEventListener('input', () => { page = 0; render(); });
  $('sort').addEventListener('change', () => loadGroups(app));
  $('reload').addEventListener('click', () => loadGroups(app));
  $('page-prev').addEventListener('click', () => { page -= 1; render(); });
  $('page-next').addEventListener('click', () => { page += 1; render(); });
}
