// Shared by the console's Playwright tests: the Worker in workerd serving the built console
// (dist/console, scripts/build-console.sh) in front of the WAHA simulator, driven in Debian's
// Chromium through playwright-core. Screenshots go to test-output/console/ (`make screenshots`
// copies the README's into docs/screenshots/).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, afterEach, before, beforeEach } from 'node:test';
import { chromium } from 'playwright-core';
import { CLIENT_KEY, startStack } from '../e2e/stack.mjs';

/** Debian's Chromium: never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';
const SHOTS_DIR = 'test-output/console';

export const ALPHA = '120363000000000001@g.us';
export const BETA = '120363000000000002@g.us';
export { CLIENT_KEY };

/**
 * A stack (Worker settings `vars`) and a browser for one test file; each test gets a fresh
 * simulator and a fresh page (`h.page`) whose console errors and page errors fail the test.
 */
export function useConsole({ vars = {}, viewport = { width: 1024, height: 900 } } = {}) {
  const h = {};
  before(async () => {
    await mkdir(SHOTS_DIR, { recursive: true });
    h.stack = await startStack({ assets: true, vars, captureLogs: true });
    h.browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await h.browser?.close();
    await h.stack?.close();
  });
  beforeEach(async () => {
    await fetch(`${h.stack.sim.url}/__sim/reset`, { method: 'POST' });
    h.context = await h.browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'] });
    h.page = await h.context.newPage();
    h.errors = [];
    h.page.on('pageerror', (error) => h.errors.push(String(error)));
    h.page.on('console', (message) => {
      // Chromium logs a failed fetch (the 4xx/429 answers tests provoke) as a console error.
      if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) h.errors.push(message.text());
    });
  });
  afterEach(async () => {
    await h.context?.close();
    assert.deepEqual(h.errors, [], 'no page errors or console errors');
  });
  return h;
}

/** Opens the console and signs in (session `session`); resolves once the groups are listed. */
export async function signIn(h, { key = CLIENT_KEY, session = 'default' } = {}) {
  const { page } = h;
  await page.goto(`${h.stack.url}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.getByLabel('Client key').fill(key);
  await page.getByLabel('Session').fill(session);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#groups-view').waitFor();
  await page.locator('#group-list li').first().waitFor();
}

/** Saves a screenshot `<name>.png`, of the whole page unless `fullPage: false` (the viewport). */
export async function shot(page, name, { fullPage = true } = {}) {
  await page.screenshot({ path: `${SHOTS_DIR}/${name}.png`, fullPage });
}

/** The /api requests the simulator received, oldest first. */
export async function forwarded(h) {
  return (await h.stack.received()).filter((r) => r.path.startsWith('/api/'));
}

/** The simulator's state of the session `session`. */
export async function simState(h, session = 'default') {
  return (await fetch(`${h.stack.sim.url}/__sim/state?session=${session}`)).json();
}

/** Opens a group's page and waits until it has loaded (join requests included). */
export async function openGroup(h, id, subject) {
  await h.page.goto(`${h.stack.url}/#/group/${encodeURIComponent(id)}`);
  await h.page.locator('#group-title', { hasText: subject }).waitFor();
  await h.page.locator('#group-view:not([aria-busy])').waitFor();
}
