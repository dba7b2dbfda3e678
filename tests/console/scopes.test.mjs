// What a key may not do is not offered: signed in with a read-only key, the console disables every
// change (and hides "New group"); with a key holding every scope the same controls are usable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { READ_KEY } from '../e2e/stack.mjs';
import { ALPHA, BETA, forwarded, openGroup, shot, signIn, useConsole } from './harness.mjs';

const h = useConsole();

/** Whether each control of the group page is disabled (links: hidden). */
async function controls(page) {
  return page.evaluate(() => {
    const state = (selector) => [...document.querySelectorAll(selector)].map((c) => c.disabled);
    return {
      rename: state('#subject-form button[type=submit]'),
      description: state('#description-form button[type=submit]'),
      settings: state('#settings input'),
      rotate: state('#invite-rotate'),
      members: state('#member-rows button'),
      requests: state('#request-list button'),
      send: state('#add-submit'),
      leave: state('#group-leave'),
      remove: state('#group-delete'),
    };
  });
}

test('a read-only key sees the group but every change is disabled, and nothing is sent', async () => {
  const { page } = h;
  await signIn(h, { key: READ_KEY });
  assert.equal(await page.locator('a[href="#/new"]').isHidden(), true, '"New group" is hidden');
  await openGroup(h, BETA, 'Beta Testers');
  await page.locator('#request-list button').first().waitFor();
  const state = await controls(page);
  for (const [name, disabled] of Object.entries(state)) {
    assert.ok(disabled.length > 0, `${name} is on the page`);
    assert.ok(disabled.every(Boolean), `${name} disabled: ${disabled}`);
  }
  const title = await page.locator('#group-leave').getAttribute('title');
  assert.match(title, /This key may not/);
  await shot(page, 'read-only-key');
  // Reads went through; no change was even attempted.
  assert.ok((await forwarded(h)).every((r) => r.method === 'GET'), 'only reads reached the upstream');
});

test('a key with every scope gets the same controls enabled', async () => {
  const { page } = h;
  await signIn(h);
  assert.equal(await page.locator('a[href="#/new"]').isVisible(), true);
  await openGroup(h, ALPHA, 'Alpha Team');
  const state = await controls(page);
  for (const [name, disabled] of Object.entries(state)) {
    if (name === 'requests') continue; // Alpha has no pending requests
    assert.ok(disabled.length > 0, `${name} is on the page`);
    assert.ok(disabled.every((d) => !d), `${name} enabled: ${disabled}`);
  }
});
