// The group page: privacy-forbidden adds with the invite offer, editing, the five settings, the
// invite link, roles, join requests, leave and delete (confirmed), a 429 counted down, a slow
// call cancelled, and a phone-sized screen.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALPHA, BETA, forwarded, openGroup, shot, signIn, simState, useConsole } from './harness.mjs';

// One removal per session a minute: the second is refused with 429.
const h = useConsole({ vars: { LIMIT_REMOVE: '1/60' } });

const group = async (id) => (await simState(h)).groups.find((g) => g.id === id);

/** Waits (up to Playwright's default timeout) until the groups list has been reloaded to `subjects`. */
const listed = (page, subjects) => page.waitForFunction(
  (want) => [...document.querySelectorAll('#group-list strong')].map((s) => s.textContent).join('\n') === want,
  subjects.join('\n'),
);

test('a person whose privacy forbids adding gets that result and the invite link offer', async () => {
  const { page } = h;
  await signIn(h);
  await openGroup(h, ALPHA, 'Alpha Team');
  await page.getByRole('textbox', { name: /^Numbers/ }).fill('+1 (555) 700-0403\n+1 555 700 0001\n+1 555 000 0002\n12');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('#add-status', { hasText: 'Done' }).waitFor();
  const outcomes = await page.locator('#add-results li').evaluateAll((items) => items.map((li) => [li.dataset.outcome, li.firstChild.textContent]));
  assert.deepEqual(outcomes.sort(), [
    ['added', '+1 555 700 0001'], ['already_member', '+1 555 000 0002'], ['invalid', '12'], ['privacy_forbids', '+1 (555) 700-0403'],
  ]);
  const privacy = page.locator('#add-results li[data-outcome="privacy_forbids"]');
  assert.match(await privacy.textContent(), /privacy settings do not allow/);
  await shot(page, 'privacy');
  await privacy.getByRole('button', { name: 'Send the invite link instead' }).click();
  await privacy.getByRole('button', { name: /copied/ }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'https://chat.whatsapp.com/AlphaInviteCode0000001');
  const adds = (await forwarded(h)).filter((r) => r.path.endsWith('/participants/add'));
  assert.equal(adds.length, 1);
  assert.deepEqual(JSON.parse(adds[0].body).participants.map((p) => p.id), ['15557000403@c.us', '15557000001@c.us', '15550000002@c.us']);
});

test('edits subject, description and the five settings, rotates the invite, changes roles', async () => {
  const { page } = h;
  await signIn(h);
  await openGroup(h, ALPHA, 'Alpha Team');
  await page.locator('#group-view').getByLabel('Subject').fill('Alpha Squad');
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.locator('#group-title', { hasText: 'Alpha Squad' }).waitFor();
  await page.locator('#group-view').getByLabel('Description').fill('New plans');
  await page.getByRole('button', { name: 'Save description' }).click();
  await page.waitForFunction(() => document.querySelector('#group-description').value === 'New plans' && !document.querySelector('#description-form button').disabled);
  const boxes = page.locator('#settings input');
  const before = await boxes.evaluateAll((all) => all.map((b) => b.checked));
  for (let i = 0; i < 5; i++) {
    await boxes.nth(i).click();
    await page.waitForFunction((n) => !document.querySelectorAll('#settings input')[n].disabled, i);
  }
  let state = await group(ALPHA);
  assert.equal(state.subject, 'Alpha Squad');
  assert.equal(state.description, 'New plans');
  assert.deepEqual(before, [false, false, true, true, false]);
  assert.deepEqual([state.infoAdminOnly, !state.membersCanSendMessages, state.membersCanAddNewMember, state.membersCanShareHistory, state.newMembersApprovalRequired],
    [true, true, false, false, true], 'every setting flipped');

  const oldLink = await page.getByRole('textbox', { name: 'Invite link' }).inputValue();
  await page.getByRole('button', { name: 'New link' }).click();
  await page.locator('#confirm').getByRole('button', { name: 'New link' }).click();
  await page.waitForFunction((old) => document.querySelector('#invite-link').value !== old, oldLink);
  state = await group(ALPHA);
  assert.equal(await page.getByRole('textbox', { name: 'Invite link' }).inputValue(), `https://chat.whatsapp.com/${state.inviteCode}`);

  await page.getByRole('button', { name: 'Make admin +15550000002' }).click();
  await page.getByRole('button', { name: 'Make member +15550000002' }).waitFor();
  await page.getByRole('button', { name: 'Make member +15550000001' }).click();
  await page.getByRole('button', { name: 'Make admin +15550000001' }).waitFor();
  await page.getByRole('button', { name: 'Remove +15550000002' }).click();
  await page.locator('#confirm').getByRole('button', { name: 'Remove' }).click();
  await page.getByRole('button', { name: 'Remove +15550000002' }).waitFor({ state: 'detached' });
  state = await group(ALPHA);
  const role = (id) => state.participants.find((p) => p.id === id)?.role;
  assert.deepEqual([role('15550000001@c.us'), role('15550000002@c.us')], ['participant', 'left']);

  await page.getByLabel('Action').selectOption('promote');
  await page.getByRole('textbox', { name: /^Numbers/ }).fill('+1 555 000 0001');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('#add-status', { hasText: 'Promoted: 1 of 1 done.' }).waitFor();
  assert.equal((await group(ALPHA)).participants.find((p) => p.id === '15550000001@c.us').role, 'admin');
});

test('approves and rejects join requests; leaving and deleting ask first', async () => {
  const { page } = h;
  await signIn(h);
  await openGroup(h, BETA, 'Beta Testers');
  await page.getByRole('button', { name: 'Approve +15550000005' }).click();
  await page.getByRole('button', { name: 'Approve +15550000005' }).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Reject +15550000006' }).click();
  await page.locator('#requests-box').waitFor({ state: 'hidden' });
  const beta = await group(BETA);
  assert.deepEqual(beta.joinRequests, []);
  assert.ok(beta.participants.some((p) => p.id === '15550000005@c.us'), 'the approved requester is a member');

  await page.getByRole('button', { name: 'Delete group' }).click();
  await shot(page, 'confirm-delete', { fullPage: false });
  await page.locator('#confirm').getByRole('button', { name: 'Cancel' }).click();
  assert.ok(await group(BETA), 'cancelled: the group is still there');
  await page.getByRole('button', { name: 'Delete group' }).click();
  await page.locator('#confirm').getByRole('button', { name: 'Delete' }).click();
  await page.locator('#groups-view').waitFor();
  await listed(page, ['Alpha Team', 'Gamma Friends']);
  assert.equal(await group(BETA), undefined, 'deleted');
  assert.deepEqual(await page.locator('#group-list strong').allTextContents(), ['Alpha Team', 'Gamma Friends']);

  await openGroup(h, ALPHA, 'Alpha Team');
  await page.getByRole('button', { name: 'Leave group' }).click();
  await page.locator('#confirm').getByRole('button', { name: 'Leave' }).click();
  await page.locator('#groups-view').waitFor();
  await listed(page, ['Gamma Friends']);
  assert.deepEqual(await page.locator('#group-list strong').allTextContents(), ['Gamma Friends']);
});

test('a 429 shows the quota left and counts Retry-After down with the button disabled', async () => {
  const { page } = h;
  await signIn(h, { session: 'limits' });
  await openGroup(h, ALPHA, 'Alpha Team');
  await page.getByRole('button', { name: 'Remove +15550000002' }).click();
  await page.locator('#confirm').getByRole('button', { name: 'Remove' }).click();
  await page.getByRole('button', { name: 'Remove +15550000002' }).waitFor({ state: 'detached' });
  const second = page.getByRole('button', { name: 'Remove +15550001111 (123456789012345@lid)' });
  await second.click();
  await page.locator('#confirm').getByRole('button', { name: 'Remove' }).click();
  const banner = page.locator('#problem');
  await banner.filter({ hasText: 'Retry in' }).waitFor();
  assert.match(await banner.textContent(), /\(rate_limited\)/);
  assert.match(await banner.textContent(), /Quota left: 0 of 1 per 60 s\.\s*Retry in (\d+) s\./);
  const first = Number((await banner.textContent()).match(/Retry in (\d+) s/)[1]);
  assert.ok(first > 50 && first <= 60, `${first} s`);
  assert.equal(await second.isDisabled(), true, 'the button waits out Retry-After');
  await banner.filter({ hasText: `Retry in ${first - 1} s.` }).waitFor({ timeout: 3000 });
  assert.equal(await second.isDisabled(), true);
  const removes = (await forwarded(h)).filter((r) => r.path.endsWith('/participants/remove'));
  assert.equal(removes.length, 1, 'the refused remove never reached the upstream');
});

test('a slow call shows what is running and can be cancelled', async () => {
  const { page } = h;
  await signIn(h);
  await h.stack.fault({ delayMs: 5000, times: 1, match: `/groups/${ALPHA}`, method: 'GET' });
  await page.goto(`${h.stack.url}/#/group/${encodeURIComponent(ALPHA)}`);
  const activity = page.locator('#activity');
  await activity.filter({ hasText: 'Loading the group…' }).waitFor();
  await activity.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('#problem', { hasText: 'Cancelled.' }).waitFor();
  assert.equal(await activity.isHidden(), true);
  assert.equal(await page.locator('#group-title').textContent(), '', 'nothing half-loaded is shown');
});

test('is readable on a phone-sized screen', async () => {
  const { page } = h;
  await page.setViewportSize({ width: 375, height: 740 });
  await signIn(h);
  await openGroup(h, ALPHA, 'Alpha Team');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'no sideways scrolling');
  await shot(page, 'phone');
});
