// The playground page end to end, in Debian's headless Chromium: presets, schema, crosses,
// the race, controls, uploads, safety, offline use and shareable links.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { start, openPage } from './harness.mjs';

let env;
const outside = [];
before(async () => (env = await start()));
after(async () => {
  await env?.close();
});

async function open(hash = '') {
  const opened = await openPage(env, '/' + hash);
  opened.page.on('request', (r) => { if (!r.url().startsWith(env.base) && !/^(data|blob):/.test(r.url())) outside.push(r.url()); });
  await opened.page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  return opened;
}

const schemaNames = (page) => page.$$eval('#schema tbody th', (cells) => cells.map((c) => c.textContent));
const hashParams = (page) => page.evaluate(() => Object.fromEntries(new URLSearchParams(location.hash.slice(1))));
const setInput = async (page, selector, value) => { await page.fill(selector, String(value)); await page.dispatchEvent(selector, 'change'); };

async function waitDone(page, timeout = 600_000) {
  await page.waitForFunction(() => /^Done/.test(document.querySelector('#status').textContent), null, { timeout });
}

test('Adult is preloaded and the backend is shown (the CPU beats a software WebGPU adapter)', { timeout: 300_000 }, async () => {
  const { page, errors } = await open();
  const names = await schemaNames(page);
  assert.equal(names.length, 15);
  assert.ok(names.includes('income') && names.includes('education'));
  assert.equal(await page.$eval('#label', (s) => s.value), 'income');
  assert.match(await page.$eval('#data-summary', (p) => p.textContent), /48,842 rows, 15 columns/);
  const badge = await page.$eval('#backend', (b) => ({ kind: b.dataset.kind, text: b.textContent }));
  assert.equal(badge.kind, 'cpu', badge.text);
  assert.match(badge.text, /software renderer/, 'CI has only SwiftShader, which must lose to the CPU');
  assert.ok((await page.$$('#suggestions li')).length >= 3, 'suggested crosses are listed');
  assert.equal(await page.$eval('#cross-education-occupation', (b) => b.checked), true, 'the preset switches its crosses on');
  assert.deepEqual(errors, []);
});

test('toggling a cross changes the configuration and the URL', { timeout: 300_000 }, async () => {
  const { page } = await open();
  assert.equal((await hashParams(page)).crosses, undefined, "the preset's own crosses need no URL value");
  const on = await page.$$eval('#suggestions input:checked', (boxes) => boxes.length);
  const box = await page.$('#suggestions input[type="checkbox"]:not(:checked)');
  const id = await box.getAttribute('id');
  const name = await page.$eval(`label[for="${id}"]`, (l) => l.textContent);
  await box.check();
  const after = JSON.parse((await hashParams(page)).crosses);
  assert.equal(after.length, on + 1, `${name} was added: ${JSON.stringify(after)}`);
  assert.deepEqual(after[after.length - 1], name.split(' × '));
  await page.uncheck(`#${id}`);
  assert.equal((await hashParams(page)).crosses, undefined, "back to the preset's crosses");
});

test('a Compare run of 2 epochs draws all three models and ranks them', { timeout: 600_000 }, async () => {
  const { page } = await open();
  await page.setViewportSize({ width: 1280, height: 720 });
  await setInput(page, '#epochs', 2);
  await page.click('#compare');
  await waitDone(page);
  const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => [tr.dataset.mode, ...[...tr.querySelectorAll('td')].slice(1, 4).map((td) => +td.textContent)]));
  assert.equal(rows.length, 3);
  assert.deepEqual(rows.map((r) => r[0]).sort(), ['deep', 'joint', 'wide']);
  for (const [mode, auc, accuracy, loss] of rows) {
    for (const value of [auc, accuracy]) assert.ok(value >= 0 && value <= 1, `${mode}: ${value}`);
    assert.ok(loss > 0 && loss < 1, `${mode} log-loss ${loss}`);
  }
  assert.ok(rows[0][1] > 0.88, `the best model learns Adult: ${rows[0][1]}`);
  assert.equal(await page.$$eval('#epochs-table tbody tr', (trs) => trs.length), 6);
  const colours = await page.$eval('#curves', (canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const want = { wide: [0xe6, 0x9f, 0x00], deep: [0x00, 0x72, 0xb2], joint: [0x00, 0x9e, 0x73] };
    const seen = { wide: 0, deep: 0, joint: 0 };
    for (let i = 0; i < data.length; i += 4) {
      for (const [mode, [r, g, b]] of Object.entries(want)) if (Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8) seen[mode] += 1;
    }
    return seen;
  });
  for (const [mode, pixels] of Object.entries(colours)) assert.ok(pixels > 200, `${mode} is drawn (${pixels} pixels)`);
  await page.click('#show-weights');
  await page.waitForSelector('#weights tbody tr');
  assert.ok((await page.$$('#weights tbody tr')).length >= 10);
  await page.click('#whatif button[type="submit"]');
  await page.waitForFunction(() => /Probability/.test(document.querySelector('#whatif-result').textContent));
  await mkdir('out', { recursive: true });
  await page.screenshot({ path: 'out/playground-race.png', fullPage: false });
  await page.$eval('#race-panel', (p) => p.scrollIntoView());
  await page.screenshot({ path: 'out/playground-race-panel.png' });
});

test('a short run forced onto WebGPU trains too', { timeout: 900_000 }, async () => {
  const { page } = await open('#preset=memorize&epochs=1&batch=2048&backend=webgpu');
  const badge = await page.$eval('#backend', (b) => ({ kind: b.dataset.kind, text: b.textContent }));
  assert.equal(badge.kind, 'webgpu', badge.text);
  await page.click('#train-joint');
  await waitDone(page, 900_000);
  const auc = +(await page.$eval('#results tbody tr td:nth-child(3)', (td) => td.textContent));
  assert.ok(auc > 0.6 && auc <= 1, `AUC ${auc}`);
});

test('pause stops progress and resume continues it', { timeout: 600_000 }, async () => {
  const { page } = await open('#preset=adult&epochs=30');
  await page.click('#compare');
  await page.waitForSelector('#model-progress li');
  await page.click('#pause');
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'Paused.');
  const snapshot = () => page.$$eval('#model-progress progress', (bars) => bars.map((b) => `${b.value}/${b.max}`).join(' '));
  const paused = await snapshot();
  await page.waitForTimeout(800);
  assert.equal(await snapshot(), paused, 'nothing moves while paused');
  assert.equal(await page.$eval('#resume', (b) => b.disabled), false);
  await page.click('#resume');
  await page.waitForFunction((was) => [...document.querySelectorAll('#model-progress progress')].map((b) => `${b.value}/${b.max}`).join(' ') !== was, paused, { timeout: 60_000 });
  await page.click('#stop');
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'Stopped.');
});

test('uploads replace the schema; a malformed file shows an error and keeps the data; headers are only text', { timeout: 300_000 }, async () => {
  const { page, errors } = await open();
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs += 1; d.dismiss(); });
  const upload = (name, text) => page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
  await upload('pets.csv', 'species;legs;likes_walks\ncat;4;0\ndog;4;1\nbird;2;0\ndog;4;1\n');
  await page.waitForFunction(() => document.querySelectorAll('#schema tbody tr').length === 3);
  assert.deepEqual(await schemaNames(page), ['species', 'legs', 'likes_walks']);
  assert.equal(await page.$eval('#preset', (s) => s.value), 'upload');

  await upload('broken.csv', 'a,b,c\n1,2,3\n4,5\n');
  await page.waitForSelector('#load-error:not([hidden])');
  assert.match(await page.$eval('#load-error', (p) => p.textContent), /row 2 \(line 3\): expected 3 fields like the header, found 2/);
  assert.deepEqual(await schemaNames(page), ['species', 'legs', 'likes_walks'], 'the previous data stays');

  const evil = '<img src=x onerror="window.__xss=1">';
  await upload('evil.csv', `"${evil.replaceAll('"', '""')}",label\n"<script>window.__xss=2</script>",1\nb,0\nc,1\n`);
  await page.waitForFunction(() => document.querySelectorAll('#schema tbody tr').length === 2);
  assert.deepEqual((await schemaNames(page))[0], evil, 'the header shows as text');
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'nothing ran');
  assert.equal(await page.$$eval('#schema img, #schema script', (n) => n.length), 0);
  assert.equal(dialogs, 0);
  assert.deepEqual(errors, []);
});

test('a link with a configuration restores the same settings', { timeout: 300_000 }, async () => {
  const hash = '#preset=memorize&crosses=%5B%5D&epochs=3&optimizer=sgd&seed=7&hashBuckets=500&roles=%7B%22price%22%3A%22deep%22%7D';
  const { page } = await open(hash);
  assert.equal(await page.$eval('#preset', (s) => s.value), 'memorize');
  assert.equal(await page.$eval('#epochs', (i) => i.value), '3');
  assert.equal(await page.$eval('#optimizer', (s) => s.value), 'sgd');
  assert.equal(await page.$eval('#seed', (i) => i.value), '7');
  assert.equal(await page.$eval('#hash-buckets', (i) => i.value), '500');
  assert.equal(await page.$eval('select[data-column="price"]', (s) => s.value), 'deep');
  assert.equal(await page.$eval('#cross-city-product', (b) => b.checked), false, 'the link turned the preset cross off');
  const params = await hashParams(page);
  assert.equal(params.seed, '7');
  assert.equal(params.crosses, '[]');
});

test('curves, metrics and the model download; a loaded model scores a new CSV', { timeout: 600_000 }, async () => {
  const { page } = await open('#preset=memorize&epochs=1');
  await page.click('#compare');
  await waitDone(page);
  const saved = async (button) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    return { name: download.suggestedFilename(), path: await download.path() };
  };
  const text = async (button) => readFile((await saved(button)).path, 'utf8');
  const csv = (await text('#export-csv')).trim().split('\n');
  assert.equal(csv[0], 'model,epoch,train_loss,test_loss,test_auc,test_accuracy,seconds,samples_per_second');
  assert.deepEqual(csv.slice(1).map((l) => l.split(',')[0]), ['wide', 'deep', 'joint']);
  const report = JSON.parse(await text('#export-json'));
  assert.equal(report.models.length, 3);
  assert.equal(report.dataset.label, 'bought = 1');
  assert.ok((await text('#export-svg')).startsWith('<svg'));
  assert.equal((await readFile((await saved('#export-png')).path)).subarray(1, 4).toString(), 'PNG');
  await page.selectOption('#model-mode', 'joint');
  const model = await saved('#download-model');
  assert.equal(model.name, 'widedeep-joint.model.json');
  assert.equal(JSON.parse(await readFile(model.path, 'utf8')).format, 'widedeep-model/1');
  await page.setInputFiles('#model-file', model.path);
  await page.waitForFunction(() => /Model loaded/.test(document.querySelector('#share-status').textContent));
  const scoredDownload = page.waitForEvent('download');
  await page.setInputFiles('#score-file', { name: 'new.csv', mimeType: 'text/csv', buffer: Buffer.from('city,product\ncity_01,product_02\nnowhere,product_03\n') });
  const download = await scoredDownload;
  await page.waitForFunction(() => /Scored 2 rows/.test(document.querySelector('#share-status').textContent));
  const scored = (await readFile(await download.path(), 'utf8')).trim().split('\n');
  assert.equal(scored[0], 'city,product,probability');
  for (const line of scored.slice(1)) {
    const p = +line.split(',').pop();
    assert.ok(p > 0 && p < 1, line);
  }
});

test('no request left 127.0.0.1', () => {
  assert.deepEqual(outside, []);
});
