// Picture URLs never make WAHA fetch from inside its network: literal non-public addresses and
// internal names are refused in every spelling before anything is fetched; other URLs are
// downloaded by the worker itself (at the edge) and reach WAHA as `file.data`; a host the operator
// names in PICTURE_URL_HOSTS is the only way a non-public host is ever fetched; WAHA's network
// errors never come back to the client.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertProblem, assertNoSecrets, peakMemoryOfWorkerd, ALPHA, useStack } from './proxy-helpers.mjs';
import { startImageServer, JPEG, JPEG_SHA256 } from './image-server.mjs';

const PICTURE = `/api/default/groups/${ALPHA}/picture`;
const setPicture = (t, url, mimetype = 'image/jpeg') => t.gw.call(PICTURE, { method: 'PUT', body: { file: { mimetype, url } } });
const forwardedPictures = async (t) => (await t.gw.received()).filter((r) => r.method === 'PUT' && r.path.endsWith('/picture'));
const alpha = async (t) => (await t.gw.state()).groups.find((g) => g.id === ALPHA);

const images = await startImageServer();
after(() => images.close());

/** A refusal of `/file/url` with `code`, nothing forwarded. */
async function assertRefused(t, res, code) {
  const p = assertProblem(res, 422, 'validation_failed', [{ pointer: '/file/url', code }]);
  assert.deepEqual(await forwardedPictures(t), [], 'nothing reached the upstream');
  return p;
}

describe('without PICTURE_URL_HOSTS', () => {
  const t = useStack({ trustedCertificates: [images.cert] });
  const port = images.port;
  const SPELLINGS = [
    `https://127.0.0.1:${port}/pic.jpg`, `https://2130706433:${port}/pic.jpg`, `https://0x7f000001:${port}/pic.jpg`,
    `https://0177.0.0.1:${port}/pic.jpg`, `https://127.1:${port}/pic.jpg`, `https://0x7f.1:${port}/pic.jpg`,
    `https://127.0.0.1.:${port}/pic.jpg`, 'https://[::1]/pic.jpg', 'https://[0:0:0:0:0:0:0:1]/pic.jpg',
    'https://[::ffff:127.0.0.1]/pic.jpg', 'https://[::ffff:7f00:1]/pic.jpg', 'https://0.0.0.0/pic.jpg', 'https://0/pic.jpg',
    'https://[::]/pic.jpg', 'https://169.254.169.254/latest/meta-data/', 'https://2852039166/latest/meta-data/',
    'https://[fe80::1]/pic.jpg', 'https://10.0.0.5:8080/pic.jpg', 'https://172.16.0.1:443/pic.jpg',
    'https://192.168.1.1:8443/pic.jpg', 'https://100.64.0.1/pic.jpg', 'https://[fd00::1]:8443/pic.jpg',
    'https://localhost/pic.jpg', 'https://localhost./pic.jpg', 'https://LOCALHOST/pic.jpg', 'https://waha.localhost/pic.jpg',
    'https://redis.internal/pic.jpg', 'https://metadata.google.internal/computeMetadata/v1/',
    'https://instance-data.ec2.internal/latest/', 'https://metadata/pic.jpg', 'https://waha:3000/api/sessions',
    'https://printer.local/pic.jpg', 'https://metadata.goog/pic.jpg',
  ];

  test(`${SPELLINGS.length} spellings of non-public hosts → 422 url_not_public, nothing fetched or forwarded`, async () => {
    for (const url of SPELLINGS) {
      const res = await setPicture(t, url);
      const p = assertProblem(res, 422, 'validation_failed', [{ pointer: '/file/url', code: 'url_not_public' }]);
      assert.match(p.errors[0].detail, /^\/file\/url: the host .+ is .+PICTURE_URL_HOSTS/, url);
    }
    assert.deepEqual(await forwardedPictures(t), [], 'the upstream received none of them');
    assert.deepEqual(images.hits, [], 'the worker fetched none of them');
    assert.equal((await alpha(t)).pictureFile, null);
  });

  test('the canonical address is named in the detail, whatever the spelling', async () => {
    const p = assertProblem(await setPicture(t, `https://0x7f.1:${port}/pic.jpg`), 422, 'validation_failed');
    assert.ok(p.errors[0].detail.includes('127.0.0.1 is a loopback address'), p.errors[0].detail);
  });
});

describe('with PICTURE_URL_HOSTS=127.0.0.1 (the local picture server)', () => {
  const t = useStack({ trustedCertificates: [images.cert], vars: { PICTURE_URL_HOSTS: '127.0.0.1' } });
  const at = (path) => `${images.url}${path}`;

  test('the worker downloads the picture and WAHA receives it as file.data, never the URL', async () => {
    images.hits.length = 0;
    const res = await setPicture(t, at('/pic.jpg'));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { success: true });
    const [sent] = await forwardedPictures(t);
    const file = JSON.parse(sent.body).file;
    assert.deepEqual(Object.keys(file).sort(), ['data', 'mimetype']);
    assert.equal(Buffer.from(file.data, 'base64').compare(JPEG), 0, 'the bytes, unchanged');
    assert.deepEqual((await alpha(t)).pictureFile, { source: 'data', mimetype: 'image/jpeg', bytes: JPEG.length, sha256: JPEG_SHA256 });
    assert.equal(images.hits.length, 1, 'fetched once');
    assert.equal(images.hits[0].headers['x-api-key'], undefined, 'no key is sent to the picture server');
  });

  test('the mimetype forwarded is what the bytes are, not what the client said', async () => {
    assert.equal((await setPicture(t, `${at('/pic.jpg')}#frag`, 'image/png')).status, 200);
    const [sent] = await forwardedPictures(t);
    assert.equal(JSON.parse(sent.body).file.mimetype, 'image/jpeg');
  });

  test('another spelling of the named host is the same host', async () => {
    assert.equal((await setPicture(t, `https://0x7f000001:${images.port}/pic.jpg`)).status, 200);
    assert.equal((await alpha(t)).pictureFile.source, 'data');
  });

  test('only the named host: another loopback address is still refused', async () => {
    await assertRefused(t, await setPicture(t, `https://127.0.0.2:${images.port}/pic.jpg`), 'url_not_public');
  });

  test('an oversized picture → 422 picture_too_large (declared, streamed or gzipped), nothing forwarded', async () => {
    // `/bomb.jpg` declares a length of 64 KiB, gzipped; the runtime decodes it to 64 MiB: it is
    // counted as it is read, never held whole on the strength of its declared length.
    for (const path of ['/big.jpg', '/big-stream.jpg', '/bomb.jpg']) {
      const p = await assertRefused(t, await setPicture(t, at(path)), 'picture_too_large');
      assert.match(p.errors[0].detail, /larger than 2097152 bytes/);
    }
  });

  test('a gzip bomb is counted as it decodes: the runtime never holds its 64 MiB', async () => {
    // A body read whole (`arrayBuffer()`, trusting the 64 KiB it declares) makes workerd hold all
    // 64 MiB it decodes to before the cap can refuse it; counted chunk by chunk, the read stops
    // just past 2 MiB. workerd's peak resident memory (VmHWM) tells the two apart.
    // The same refusal of a body streamed without a length first: what the path itself costs.
    await assertRefused(t, await setPicture(t, at('/big-stream.jpg')), 'picture_too_large');
    const before = peakMemoryOfWorkerd();
    await assertRefused(t, await setPicture(t, at('/bomb.jpg')), 'picture_too_large');
    const grown = peakMemoryOfWorkerd() - before;
    assert.ok(grown < 32 * 1024 * 1024, `workerd's peak memory grew by ${(grown / 1048576).toFixed(1)} MiB`);
  });

  test('a non-image → 422 invalid_mimetype, by content type and by magic bytes', async () => {
    for (const path of ['/page.html', '/fake.jpg']) {
      const p = await assertRefused(t, await setPicture(t, at(path)), 'invalid_mimetype');
      assert.match(p.errors[0].detail, /JPEG or PNG/);
    }
  });

  test('redirects: followed to https on an allowed host, refused to http, to a private host, or in a loop', async () => {
    assert.equal((await setPicture(t, at('/to-relative'))).status, 200);
    assert.equal((await alpha(t)).pictureFile.sha256, JPEG_SHA256);
    await t.gw.clearReceived();
    const http = await assertRefused(t, await setPicture(t, at('/to-http')), 'insecure_url');
    assert.match(http.errors[0].detail, /redirected/);
    await assertRefused(t, await setPicture(t, at('/to-private')), 'url_not_public');
    await assertRefused(t, await setPicture(t, at('/to-metadata')), 'url_not_public');
    await assertRefused(t, await setPicture(t, at('/loop')), 'picture_unavailable');
  });

  test('a failed download → 422 picture_unavailable naming the reason', async () => {
    const p = await assertRefused(t, await setPicture(t, at('/missing.jpg')), 'picture_unavailable');
    assert.match(p.errors[0].detail, /HTTP 404/);
  });

  test('a picture server that never answers → picture_unavailable after the download timeout', async () => {
    const started = Date.now();
    const p = await assertRefused(t, await setPicture(t, at('/hang.jpg')), 'picture_unavailable');
    assert.match(p.errors[0].detail, /within 5000 ms/);
    assert.ok(Date.now() - started < 9000);
  });

  test('base64 data is still forwarded as it is', async () => {
    const data = JPEG.toString('base64');
    const res = await t.gw.call(PICTURE, { method: 'PUT', body: { file: { mimetype: 'image/jpeg', data } } });
    assert.equal(res.status, 200, res.text);
    assert.equal(JSON.parse((await forwardedPictures(t))[0].body).file.data, data);
  });

  test('no key appears in any response', () => assertNoSecrets(t.gw.seen));
});

describe('with PICTURE_URL_FETCH=upstream for the named host', () => {
  const t = useStack({ vars: { PICTURE_URL_HOSTS: 'assets.internal', PICTURE_URL_FETCH: 'upstream' } });

  test('a URL on the named host is forwarded as file.url (canonical), for WAHA to download', async () => {
    const res = await setPicture(t, 'https://ASSETS.internal./logo.jpg#x');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual((await alpha(t)).pictureFile, { source: 'url', mimetype: 'image/jpeg', url: 'https://assets.internal/logo.jpg' });
  });

  test('other non-public hosts are still refused', async () => {
    await assertRefused(t, await setPicture(t, 'https://assets2.internal/logo.jpg'), 'url_not_public');
  });

  test("WAHA's network error after a failed download never reaches the client (no port scanning)", async () => {
    for (const message of ['connect ECONNREFUSED 10.0.0.7:6379', 'getaddrinfo ENOTFOUND db.assets.internal', 'timeout of 5000ms exceeded']) {
      await t.gw.fault({ status: 500, message, match: '/picture', times: 1 });
      const res = await setPicture(t, 'https://assets.internal/logo.jpg');
      const p = assertProblem(res, 502, 'upstream_error');
      assert.equal(p.upstreamStatus, 500);
      assert.equal(p.detail, 'the upstream answered HTTP 500');
      for (const leak of ['ECONNREFUSED', '6379', '10.0.0.7', 'ENOTFOUND', 'db.assets', '5000ms']) {
        assert.ok(!res.text.includes(leak), `${leak} leaked: ${res.text}`);
      }
    }
  });
});
