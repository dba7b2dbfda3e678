// The console's entry: loads the module, signs in with a client key (kept in sessionStorage,
// never in the URL) and routes #/ (groups), #/new (create) and #/group/<id>.
import init, { GroupsClient, isGroupgateError } from 'groupgate';
import { $, clearProblems, setFieldError, showProblem, showView } from './ui.js';
import { loadGroups, wireGroups } from './groups.js';
import { wireCreate } from './create.js';
import { showGroup, wireGroup } from './group.js';
import { applyScopes, forgetScopes, loadScopes } from './scopes.js';

const STORED = 'groupgate.console';
const app = { client: null, group: null, groupsStale: true };

/** A client for this Worker (same origin), or a GroupgateError for a bad key or session. */
function connect({ apiKey, session }) {
  return new GroupsClient({ baseUrl: location.origin, apiKey, session });
}

function signedIn(credentials) {
  app.client = connect(credentials);
  app.scopesLoaded = loadScopes(app.client);
  app.groupsStale = true;
  $('whoami').textContent = `Session ${credentials.session}`;
  $('whoami').hidden = $('sign-out').hidden = false;
}

async function signIn(event) {
  event.preventDefault();
  const key = $('api-key');
  const session = $('session');
  const fields = [{ key: 'apiKey', input: key }, { key: 'session', input: session }];
  clearProblems(fields);
  const credentials = { apiKey: key.value.trim(), session: session.value.trim() };
  let client;
  try {
    client = connect(credentials);
  } catch (error) {
    if (!isGroupgateError(error)) throw error;
    for (const item of error.errors) {
      const field = fields.find((f) => f.key === item.parameter);
      if (field) setFieldError(field.input, item.detail);
    }
    return;
  }
  try {
    await client.countGroups();
  } catch (error) {
    if (error.code === 'unauthorized') setFieldError(key, 'The Worker does not know this key.');
    else if (error.code === 'forbidden') setFieldError(session, 'This key may not use this session.');
    else showProblem(error, fields);
    return;
  } finally {
    client.free();
  }
  sessionStorage.setItem(STORED, JSON.stringify(credentials));
  key.value = '';
  signedIn(credentials);
  route();
}

function signOut() {
  sessionStorage.removeItem(STORED);
  app.client?.free();
  app.client = null;
  forgetScopes();
  $('whoami').hidden = $('sign-out').hidden = true;
  location.hash = '#/';
  route();
}

async function route() {
  clearProblems();
  if (!app.client) {
    showView('sign-in-view');
    $('api-key').focus();
    return;
  }
  await app.scopesLoaded;
  applyScopes();
  const hash = location.hash || '#/';
  if (hash === '#/new') {
    app.resetCreate();
    showView('create-view');
    $('create-subject').focus();
  } else if (hash.startsWith('#/group/')) {
    showView('group-view');
    await showGroup(app, decodeURIComponent(hash.slice('#/group/'.length)));
  } else {
    showView('groups-view');
    if (app.groupsStale) {
      app.groupsStale = false;
      await loadGroups(app);
    }
  }
}

await init();
$('sign-in').addEventListener('submit', signIn);
$('sign-out').addEventListener('click', signOut);
wireGroups(app);
wireCreate(app);
wireGroup(app);
window.addEventListener('hashchange', route);
const stored = sessionStorage.getItem(STORED);
if (stored) {
  try {
    signedIn(JSON.parse(stored));
  } catch {
    sessionStorage.removeItem(STORED);
  }
}
document.body.dataset.ready = 'true';
await route();
