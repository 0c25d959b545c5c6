// Browser test: drives the page at / in Debian's Chromium against `wrangler dev` (hide, download, reveal, record, errors, no-JS, snippet).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { startWorker } from './dev-server.mjs';
import { makePhotoPng, writeFixtures } from './fixtures.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const PHOTO = { width: 128, height: 96, seconds: 1 };
/** Longest wait for one page reaction (an embed on a busy 2-core machine included); never asserted on. */
const WAIT_MS = 120_000;

const log = (line) => console.log(`[browser] ${line}`);
const results = [];
/** Called with a step's name when it fails (takes a screenshot once the page exists). */
let onFailure = async (_name) => {};

/** Runs one named step the rest depends on: its failure ends the run. */
async function step(name, fn) {
  try {
    const value = await fn();
    results.push({ name, ok: true });
    log(`ok   ${name}`);
    return value;
  } catch (err) {
    results.push({ name, ok: false });
    log(`FAIL ${name}`);
    await onFailure(name);
    throw err;
  }
}

/** Runs one named check that later steps do not need: a failure is reported and the run goes on. */
async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    log(`ok   ${name}`);
  } catch (err) {
    results.push({ name, ok: false });
    log(`FAIL ${name}\n${String(err?.stack || err).replace(/^/gm, '       ')}`);
    await onFailure(name);
  }
}

/** What the API itself answers for a multipart POST, to compare the page's words with. */
async function apiProblem(url, fields) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value.blob, value.name);
  const res = await fetch(url, { method: 'POST', body: form });
  assert.ok(res.status >= 400 && res.status < 500, `expected a 4xx from ${url}, got ${res.status}`);
  assert.match(res.headers.get('content-type') || '', /application\/problem\+json/);
  return /** @type {{ title: string, detail: string, status: number }} */ (await res.json());
}

/** Waits until a form shows its result or its error box; fails with the error's words if that came instead. */
async function waitForResult(page, result, error) {
  await page.locator(`${result}:not([hidden]), ${error}:not([hidden])`).first().waitFor();
  if (await page.locator(error).isVisible())
    assert.fail(`the page showed an error instead of a result: ${await page.locator(error).textContent()}`);
}

function pngSize(bytes) {
  const png = decode(bytes);
  return { width: png.width, height: png.height, data: png.data, channels: png.channels };
}

/** In the page: fetches an <audio>'s source, reads its WAV header, waits for metadata, and decodes it with Web Audio. */
async function inspectAudio(page, selector) {
  return page.$eval(selector, async (audio) => {
    const el = /** @type {HTMLAudioElement} */ (audio);
    const bytes = await (await fetch(el.src)).arrayBuffer();
    const view = new DataView(bytes);
    const tag = (at) => String.fromCharCode(...new Uint8Array(bytes, at, 4));
    if (el.readyState < 1) {
      await new Promise((ok, fail) => {
        el.addEventListener('loadedmetadata', ok, { once: true });
        el.addEventListener(
          'error',
          () => fail(new Error(`audio element error ${el.error?.code}: ${el.error?.message}`)),
          { once: true },
        );
        el.load();
      });
    }
    const decoded = await new OfflineAudioContext(1, 1, view.getUint32(24, true)).decodeAudioData(bytes.slice(0));
    let peak = 0;
    for (const v of decoded.getChannelData(0)) peak = Math.max(peak, Math.abs(v));
    return {
      riff: tag(0),
      wave: tag(8),
      fmt: tag(12),
      format: view.getUint16(20, true),
      channels: view.getUint16(22, true),
      sampleRate: view.getUint32(24, true),
      bits: view.getUint16(34, true),
      bytes: bytes.byteLength,
      duration: el.duration,
      mediaError: el.error?.code ?? null,
      decodedSeconds: decoded.duration,
      peak,
    };
  });
}

async function main() {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH)`);
  const dir = await mkdtemp(join(tmpdir(), 'stegavox-browser-'));
  let worker = null;
  let browser = null;
  let page = null;
  try {
    const files = await writeFixtures(dir, PHOTO);
    worker = await step('wrangler dev answers /api/health', () =>
      startWorker({ root: ROOT, stateDir: join(dir, 'state'), log }),
    );
    log(`health: ${JSON.stringify(worker.health)}`);
    const base = worker.url;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
      ],
    });
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
    context.setDefaultTimeout(WAIT_MS);
    await context.grantPermissions(['microphone'], { origin: base });
    page = await context.newPage();
    onFailure = async (name) => {
      const shot = join(dir, `failure-${results.length}.png`);
      await page?.screenshot({ path: shot, fullPage: true }).then(
        () => log(`       screenshot after "${name}": ${shot}`),
        () => {},
      );
    };
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    await step('the page loads with real forms', async () => {
      const res = await page.goto(`${base}/`);
      assert.equal(res?.status(), 200);
      assert.match(await page.title(), /Stegavox/);
      for (const [id, action] of [
        ['#hide-form', '/api/embed'],
        ['#reveal-form', '/api/reveal'],
      ]) {
        const form = await page.$eval(id, (f) => ({
          action: f.getAttribute('action'),
          method: f.method,
          enctype: f.enctype,
        }));
        assert.deepEqual(form, { action, method: 'post', enctype: 'multipart/form-data' });
      }
      const names = async (id) => page.$$eval(`${id} [name]`, (els) => els.map((e) => e.getAttribute('name')));
      // Two scheme boxes (messenger, coded), each a scheme=… field the page keeps exclusive.
      assert.deepEqual(await names('#hide-form'), ['image', 'audio', 'key', 'quality', 'scheme', 'scheme']);
      assert.deepEqual(await names('#reveal-form'), ['image', 'key']);
      // Every file and key input has a label the browser associates with it.
      const unlabelled = await page.$$eval('input', (els) =>
        els.filter((e) => !e.labels?.length).map((e) => e.id || e.name),
      );
      assert.deepEqual(unlabelled, []);
    });

    await step('choosing a photo shows its capacity from /api/capacity', async () => {
      const capacity = await (await fetch(`${base}/api/capacity?width=${PHOTO.width}&height=${PHOTO.height}`)).json();
      assert.ok(
        capacity.seconds > PHOTO.seconds,
        `a ${PHOTO.width}×${PHOTO.height} photo should hold more than ${PHOTO.seconds} s`,
      );
      await page.setInputFiles('#hide-image', files.photo);
      const status = page.locator('#hide-image-status');
      await status.filter({ hasText: 'holds up to' }).waitFor();
      const text = await status.textContent();
      assert.ok(text?.includes(`${PHOTO.width}×${PHOTO.height}`), text ?? '');
      assert.ok(
        text?.includes(`${capacity.seconds.toFixed(2)} s`),
        `expected ${capacity.seconds.toFixed(2)} s in: ${text}`,
      );
      assert.equal(await page.locator('#hide-image-preview').isVisible(), true);
    });

    await step('choosing a WAV shows its length, a player and that it fits', async () => {
      await page.setInputFiles('#hide-audio', files.voice);
      await page.locator('#hide-audio-status').filter({ hasText: '1.00 s' }).waitFor();
      await page.locator('#fit.ok').waitFor();
      assert.equal(await page.locator('#hide-audio-preview').isVisible(), true);
    });

    const containerPath = join(dir, 'container.png');
    await step('hide (clearer voice ticked) → container shown and downloaded as a PNG of the same size', async () => {
      await page.check('#hide-quality');
      // The box is a real form field (quality=high), and the server says it ran the high-quality pass.
      assert.equal(
        await page.$eval('#hide-form', (form) => new FormData(/** @type {HTMLFormElement} */ (form)).get('quality')),
        'high',
      );
      const [embedResponse] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/embed')),
        page.click('#hide-submit'),
      ]);
      assert.equal(embedResponse.status(), 200);
      assert.equal(embedResponse.headers()['x-stego-quality'], 'high');
      await waitForResult(page, '#hide-result', '#hide-error');
      const summary = await page.locator('#hide-summary').textContent();
      assert.match(summary ?? '', /1\.00 s of voice hidden/);
      const shown = await page.$eval('#container-image', (img) => ({
        w: img.naturalWidth,
        h: img.naturalHeight,
        done: img.complete,
      }));
      assert.deepEqual(shown, { w: PHOTO.width, h: PHOTO.height, done: true });
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#container-download')]);
      assert.match(download.suggestedFilename(), /\.png$/);
      await download.saveAs(containerPath);
      const container = pngSize(await readFile(containerPath));
      const cover = pngSize(await readFile(files.photo));
      assert.deepEqual({ w: container.width, h: container.height }, { w: PHOTO.width, h: PHOTO.height });
      // The container must really be new pixels, not the cover sent back.
      let changed = 0;
      for (let i = 0; i < PHOTO.width * PHOTO.height; i++)
        for (let c = 0; c < 3; c++)
          if (container.data[i * container.channels + c] !== cover.data[i * cover.channels + c]) changed++;
      assert.ok(changed > 0, 'container pixels equal the cover');
    });

    await check('reveal the downloaded container → the <audio> gets a playable 1 s WAV', async () => {
      await page.setInputFiles('#reveal-image', containerPath);
      await page
        .locator('#reveal-image-status')
        .filter({ hasText: `${PHOTO.width}×${PHOTO.height} PNG` })
        .waitFor();
      await page.click('#reveal-submit');
      await waitForResult(page, '#reveal-result', '#reveal-error');
      const audio = await inspectAudio(page, '#revealed-audio');
      log(`revealed audio: ${JSON.stringify(audio)}`);
      assert.deepEqual([audio.riff, audio.wave, audio.fmt], ['RIFF', 'WAVE', 'fmt ']);
      assert.deepEqual(
        { format: audio.format, channels: audio.channels, bits: audio.bits, rate: audio.sampleRate },
        { format: 1, channels: 1, bits: 16, rate: 8000 },
      );
      assert.equal(audio.mediaError, null);
      assert.ok(Math.abs(audio.duration - PHOTO.seconds) < 0.01, `audio.duration ${audio.duration}`);
      assert.ok(Math.abs(audio.decodedSeconds - PHOTO.seconds) < 0.01, `decoded ${audio.decodedSeconds} s`);
      assert.ok(audio.peak > 0, 'revealed audio is silent');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#audio-download')]);
      assert.match(download.suggestedFilename(), /\.wav$/);
      const saved = await readFile(await download.path());
      assert.equal(saved.length, audio.bytes);
      assert.equal(saved.subarray(0, 4).toString('latin1'), 'RIFF');
    });

    await check(
      'hide with "coded, not neural" ticked → the coded scheme runs and its container reveals in the page',
      async () => {
        await page.setInputFiles('#hide-image', files.photo);
        await page.setInputFiles('#hide-audio', files.voice);
        await page.locator('#fit.ok').waitFor();
        await page.uncheck('#hide-quality');
        await page.check('#hide-scheme');
        assert.equal(
          await page.$eval('#hide-form', (form) => new FormData(/** @type {HTMLFormElement} */ (form)).get('scheme')),
          'coded',
        );
        // The fit line now counts the coded scheme's room (the header's values less).
        const capacity = await (await fetch(`${base}/api/capacity?width=${PHOTO.width}&height=${PHOTO.height}`)).json();
        assert.ok(capacity.coded.seconds < capacity.seconds);
        await page
          .locator('#fit.ok')
          .filter({ hasText: `room for ${capacity.coded.seconds.toFixed(2)} s` })
          .waitFor();
        const [embedResponse] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/embed')),
          page.click('#hide-submit'),
        ]);
        assert.equal(embedResponse.status(), 200);
        assert.equal(embedResponse.headers()['x-stego-scheme'], 'coded');
        await page.locator('#hide-summary').filter({ hasText: 'coded' }).waitFor();
        const coded = join(dir, 'coded.png');
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#container-download')]);
        await download.saveAs(coded);
        await page.setInputFiles('#reveal-image', coded);
        const [revealResponse] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/reveal')),
          page.click('#reveal-submit'),
        ]);
        assert.equal(revealResponse.status(), 200);
        assert.equal(revealResponse.headers()['x-stego-scheme'], 'coded');
        await waitForResult(page, '#reveal-result', '#reveal-error');
        const audio = await inspectAudio(page, '#revealed-audio');
        assert.ok(Math.abs(audio.decodedSeconds - PHOTO.seconds) < 0.01, `decoded ${audio.decodedSeconds} s`);
        await page.uncheck('#hide-scheme');
      },
    );

    await check(
      'a keyed container revealed without its key: "nothing found", the page offers the key box; with it the voice comes back',
      async () => {
        await page.setInputFiles('#hide-image', files.photo);
        await page.setInputFiles('#hide-audio', files.voice);
        await page.locator('#fit.ok').waitFor();
        await page.check('#hide-scheme');
        await page.fill('#hide-key', 'open sesame');
        const [embedResponse] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/embed')),
          page.click('#hide-submit'),
        ]);
        assert.equal(embedResponse.status(), 200);
        await page.locator('#hide-summary').filter({ hasText: 'coded' }).waitFor();
        const keyed = join(dir, 'keyed.png');
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#container-download')]);
        await download.saveAs(keyed);
        await page.fill('#hide-key', '');
        await page.uncheck('#hide-scheme');
        await page.setInputFiles('#reveal-image', keyed);
        await page.fill('#reveal-key', '');
        const [refused] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/reveal')),
          page.click('#reveal-submit'),
        ]);
        assert.equal(refused.status(), 422);
        await page.locator('#reveal-error').filter({ hasText: 'Type it in the Key box' }).waitFor();
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'reveal-key');
        await page.fill('#reveal-key', 'open sesame');
        const [revealed] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/reveal')),
          page.click('#reveal-submit'),
        ]);
        assert.equal(revealed.status(), 200);
        await waitForResult(page, '#reveal-result', '#reveal-error');
        await page.fill('#reveal-key', '');
      },
    );

    await check(
      'hide with "will be sent through a messenger" → a JPEG; re-encoded at quality 70 as a messenger would, it still reveals',
      async () => {
        const phone = join(dir, 'phone.png');
        await writeFile(phone, makePhotoPng(800, 600));
        await page.setInputFiles('#hide-image', phone);
        await page.setInputFiles('#hide-audio', files.voice);
        await page.uncheck('#hide-quality');
        await page.check('#hide-scheme');
        await page.check('#hide-messenger');
        // The two scheme boxes exclude each other.
        assert.equal(await page.isChecked('#hide-scheme'), false);
        await page.locator('#fit.ok').waitFor();
        const [embedResponse] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/embed')),
          page.click('#hide-submit'),
        ]);
        assert.equal(embedResponse.status(), 200);
        assert.equal(embedResponse.headers()['content-type'], 'image/jpeg');
        assert.equal(embedResponse.headers()['x-stego-scheme'], 'robust');
        await page.locator('#hide-summary').filter({ hasText: 'JPEG' }).waitFor();
        const saved = join(dir, 'messenger.jpg');
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#container-download')]);
        assert.match(download.suggestedFilename(), /\.jpg$/);
        await download.saveAs(saved);
        // What WhatsApp or Signal does to it: decode and re-encode at quality 70 with 4:2:0 chroma (libjpeg through sharp).
        const shared = join(dir, 'shared.jpg');
        await writeFile(shared, await sharp(saved).jpeg({ quality: 70, chromaSubsampling: '4:2:0' }).toBuffer());
        await page.fill('#reveal-key', '');
        await page.setInputFiles('#reveal-image', shared);
        const [revealResponse] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/reveal')),
          page.click('#reveal-submit'),
        ]);
        assert.equal(revealResponse.status(), 200);
        assert.equal(revealResponse.headers()['x-stego-scheme'], 'robust');
        await waitForResult(page, '#reveal-result', '#reveal-error');
        const audio = await inspectAudio(page, '#revealed-audio');
        assert.ok(Math.abs(audio.decodedSeconds - PHOTO.seconds) < 0.01, `decoded ${audio.decodedSeconds} s`);
        await page.uncheck('#hide-messenger');
        await page.setInputFiles('#hide-image', files.photo);
      },
    );

    await check('recording in the page makes a WAV that the server accepts', async () => {
      const button = page.locator('#record');
      await button.waitFor({ state: 'visible' });
      await button.click();
      await page.locator('#record[aria-pressed="true"]').waitFor();
      // Record until the page's own clock has passed one second, then stop.
      await page
        .locator('#hide-audio-status')
        .filter({ hasText: /Recording… [1-9]/ })
        .waitFor();
      await button.click();
      const status = page.locator('#hide-audio-status').filter({ hasText: /^Recording · / });
      await status.waitFor();
      log(`recording status: ${await status.textContent()}`);
      const audio = await inspectAudio(page, '#hide-audio-preview');
      assert.deepEqual(
        { format: audio.format, channels: audio.channels, bits: audio.bits, rate: audio.sampleRate },
        { format: 1, channels: 1, bits: 16, rate: 16000 },
      );
      assert.ok(audio.decodedSeconds >= 0.9, `recording is ${audio.decodedSeconds} s`);
      assert.ok(audio.peak > 0.01, `recording is silent (peak ${audio.peak})`);
      await page.locator('#fit.ok').waitFor();
      const oldHref = await page.getAttribute('#container-download', 'href');
      await page.click('#hide-submit');
      // A new container gets a new blob: URL.
      await page.waitForFunction(
        (old) =>
          document.getElementById('container-download')?.getAttribute('href') !== old ||
          !document.getElementById('hide-error')?.hidden,
        oldHref,
      );
      await waitForResult(page, '#hide-result', '#hide-error');
      const summary = await page.locator('#hide-summary').textContent();
      const hidden = Number(/([\d.]+) s of voice hidden/.exec(summary ?? '')?.[1]);
      assert.ok(
        Math.abs(hidden - audio.decodedSeconds) < 0.05,
        `server hid ${hidden} s of a ${audio.decodedSeconds} s recording`,
      );
      assert.equal(await page.locator('#hide-error').isVisible(), false);
    });

    await check(
      'a photo over the pixel limit is flagged as soon as it is chosen; one a messenger can take is offered that way',
      async () => {
        const capacity = await (await fetch(`${base}/api/capacity?width=1&height=1`)).json();
        const { maxPixels } = capacity;
        assert.ok(Number.isInteger(maxPixels) && maxPixels > 0, `/api/capacity gave maxPixels ${maxPixels}`);
        // Past the robust scheme's limit too: refused outright.
        const huge = join(dir, 'huge.png');
        const hugeSide = Math.floor(Math.sqrt(capacity.robust.maxPixels)) + 1;
        await writeFile(huge, makePhotoPng(hugeSide, hugeSide));
        await page.setInputFiles('#hide-image', huge);
        await page.locator('#hide-image-status.bad').filter({ hasText: 'Make it smaller first' }).waitFor();
        assert.equal(await page.locator('#fit').isVisible(), false);
        // Past the file schemes' limit only: the page offers the messenger choice, and the fit line follows it.
        const big = join(dir, 'big.png');
        const side = Math.floor(Math.sqrt(maxPixels)) + 1;
        await writeFile(big, makePhotoPng(side, side));
        await page.setInputFiles('#hide-audio', files.voice);
        await page.setInputFiles('#hide-image', big);
        await page.locator('#hide-image-status.bad').filter({ hasText: 'Will be sent through a messenger' }).waitFor();
        await page.locator('#fit.bad').filter({ hasText: 'too large to send as a file' }).waitFor();
        await page.check('#hide-messenger');
        await page.locator('#fit.ok').waitFor();
        await page.uncheck('#hide-messenger');
      },
    );

    await check('a text file as the photo: a warning, then the server’s problem in words', async () => {
      const text = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('these are not pixels\n') };
      await page.setInputFiles('#hide-image', text);
      await page.locator('#hide-image-status.bad').filter({ hasText: 'is not a PNG or JPEG' }).waitFor();
      await page.setInputFiles('#hide-audio', files.voice);
      await page.click('#hide-submit');
      const error = page.locator('#hide-error');
      await error.waitFor({ state: 'visible' });
      const problem = await apiProblem(`${base}/api/embed`, {
        image: { blob: new Blob([text.buffer], { type: text.mimeType }), name: text.name },
        audio: { blob: new Blob([await readFile(files.voice)], { type: 'audio/wav' }), name: 'voice.wav' },
      });
      const shown = (await error.textContent()) ?? '';
      log(`hide error shown: ${shown}`);
      assert.ok(
        problem.detail && shown.includes(problem.detail),
        `page shows "${shown}", API detail "${problem.detail}"`,
      );
      assert.ok(shown.includes(problem.title));
    });

    await check('revealing a photo with nothing hidden: the server’s problem in words', async () => {
      await page.setInputFiles('#reveal-image', files.photo);
      await page.click('#reveal-submit');
      const error = page.locator('#reveal-error');
      await error.waitFor({ state: 'visible' });
      const problem = await apiProblem(`${base}/api/reveal`, {
        image: { blob: new Blob([await readFile(files.photo)], { type: 'image/png' }), name: 'photo.png' },
      });
      const shown = (await error.textContent()) ?? '';
      log(`reveal error shown: ${shown}`);
      assert.ok(
        problem.detail && shown.includes(problem.detail),
        `page shows "${shown}", API detail "${problem.detail}"`,
      );
      assert.equal(await page.locator('#reveal-result').isVisible(), false, 'an old result stays next to the error');
    });

    await check('no uncaught errors in the page', async () => assert.deepEqual(pageErrors, []));

    await check('without JavaScript the hide form posts and the browser gets the PNG', async () => {
      const plain = await browser.newContext({ javaScriptEnabled: false });
      plain.setDefaultTimeout(WAIT_MS);
      try {
        const p = await plain.newPage();
        await p.goto(`${base}/`);
        await p.setInputFiles('#hide-image', files.photo);
        await p.setInputFiles('#hide-audio', files.voice);
        const [res] = await Promise.all([
          p.waitForResponse((r) => r.url().endsWith('/api/embed')),
          p.click('#hide-submit'),
        ]);
        assert.equal(res.status(), 200);
        assert.match(res.headers()['content-type'] ?? '', /^image\/png/);
        const body = await res.body();
        assert.deepEqual(pngSize(body).width, PHOTO.width);
      } finally {
        await plain.close();
      }
    });

    await check('the README form snippet works from another page (hide and reveal)', async () => {
      const snippet = await readFile(join(ROOT, 'docs/form-snippet.html'), 'utf8');
      assert.ok(snippet.includes('https://YOUR-WORKER.workers.dev'), 'snippet placeholder changed: update this test');
      const other = await browser.newContext();
      other.setDefaultTimeout(WAIT_MS);
      try {
        const p = await other.newPage();
        await p.setContent(snippet.replaceAll('https://YOUR-WORKER.workers.dev', base));
        const embedForm = 'form[action$="/api/embed"]';
        await p.setInputFiles(`${embedForm} input[name="image"]`, files.photo);
        await p.setInputFiles(`${embedForm} input[name="audio"]`, files.voice);
        const [embedded] = await Promise.all([
          other.waitForEvent('response', (r) => r.url().endsWith('/api/embed')),
          p.click(`${embedForm} button`),
        ]);
        assert.equal(embedded.status(), 200, await embedded.text().catch(() => ''));
        assert.match(embedded.headers()['content-type'] ?? '', /^image\/png/);
        assert.equal(pngSize(await embedded.body()).width, PHOTO.width);
        const revealForm = 'form[action$="/api/reveal"]';
        await p.setInputFiles(`${revealForm} input[name="image"]`, containerPath);
        const [revealed] = await Promise.all([
          other.waitForEvent('response', (r) => r.url().endsWith('/api/reveal')),
          p.click(`${revealForm} button`),
        ]);
        // The new tab plays the WAV with range requests, so only the status line and headers are checked here.
        assert.equal(revealed.status(), 200);
        assert.match(revealed.headers()['content-type'] ?? '', /^audio\/wav/);
      } finally {
        await other.close();
      }
    });
  } finally {
    await browser?.close().catch(() => {});
    await worker?.stop();
    if (results.every((r) => r.ok)) await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => {
    const failed = results.filter((r) => !r.ok);
    if (failed.length) {
      console.log(
        `browser test: FAIL (${failed.length} of ${results.length} steps failed: ${failed.map((r) => r.name).join('; ')})`,
      );
      process.exitCode = 1;
    } else {
      console.log(`browser test: PASS (${results.length} steps)`);
    }
  },
  (err) => {
    console.error(err?.stack || err);
    console.log(`browser test: FAIL (${results.filter((r) => r.ok).length}/${results.length} steps passed)`);
    process.exitCode = 1;
  },
);
