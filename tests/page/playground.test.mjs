// The playground page end to end, in Debian's headless Chromium: presets, schema, crosses,
// the race, controls, uploads, safety, offline use and shareable links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pageSuite } from './harness.mjs';

const open = pageSuite({ readyMs: 120_000 });

const schemaNames = (page) => page.$$eval('#schema tbody th', (cells) => cells.map((c) => c.textContent));
const hashParams = (page) => page.evaluate(() => Object.fromEntries(new URLSearchParams(location.hash.slice(1))));
const setInput = async (page, selector, value) => { await page.fill(selector, String(value)); await page.dispatchEvent(selector, 'change'); };

/**
 * The backend badge's measured figures: `{kind, text, gpu, cpu, on}` (samples/s as read, and
 * where it says it trains), or null when the badge shows no measurement.
 */
async function measuredBadge(page) {
  const badge = await page.$eval('#backend', (b) => ({ kind: b.dataset.kind, text: b.textContent }));
  const measured = /WebGPU ([\d.]+)([kM]?)\/s, CPU ([\d.]+)([kM]?)\/s on this model: training on the (CPU|GPU)/.exec(badge.text);
  if (!measured) return null;
  const speed = (value, unit) => Number(value) * ({ k: 1e3, M: 1e6 }[unit] ?? 1);
  return { ...badge, gpu: speed(measured[1], measured[2]), cpu: speed(measured[3], measured[4]), on: measured[5] === 'GPU' ? 'webgpu' : 'cpu' };
}

/** Asserts that the badge's backend is the faster of its two measured figures. */
function assertFaster(badge) {
  assert.equal(badge.kind, badge.on, `the badge says where it trains: ${badge.text}`);
  // The figures are rounded for reading (monotonically): equal ones may hide either winner.
  if (badge.gpu !== badge.cpu) assert.equal(badge.kind, badge.gpu > badge.cpu ? 'webgpu' : 'cpu', `the faster one: ${badge.text}`);
}

async function waitDone(page, timeout = 600_000) {
  await page.waitForFunction(() => /^Done/.test(document.querySelector('#status').textContent), null, { timeout });
}

test('Adult is preloaded and the backend is shown with its reason', { timeout: 300_000 }, async () => {
  const { page, errors } = await open();
  const names = await schemaNames(page);
  assert.equal(names.length, 15);
  assert.ok(names.includes('income') && names.includes('education'));
  assert.equal(await page.$eval('#label', (s) => s.value), 'income');
  assert.match(await page.$eval('#data-summary', (p) => p.textContent), /48,842 rows, 15 columns/);
  // Both backends are timed on the preset's model while the page idles, before any training: the
  // badge shows both figures, and a software adapter (SwiftShader here) loses by them.
  await page.waitForSelector('#backend[data-measured="true"]', { timeout: 120_000 });
  const badge = await measuredBadge(page);
  assertFaster(badge);
  const adapter = await page.evaluate(async () => {
    const found = await navigator.gpu.requestAdapter();
    return `${found.info.vendor} ${found.info.architecture} ${found.info.description} ${found.info.isFallbackAdapter ? 'software' : ''}`;
  });
  if (/swiftshader|llvmpipe|lavapipe|software/i.test(adapter)) assert.equal(badge.kind, 'cpu', `a software adapter (${adapter}) loses: ${badge.text}`);
  assert.equal(await page.$$eval('#results tbody tr', (rows) => rows.length), 0, 'measured without training');
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
  await page.$eval('#race-panel', (p) => p.scrollIntoView());
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
  const badge = await measuredBadge(page);
  assert.ok(badge, `the automatic choice measured both backends: ${await page.$eval('#backend', (b) => b.textContent)}`);
  assertFaster(badge);
  assert.equal(await page.$$eval('#epochs-table tbody tr', (trs) => trs.length), 6);
  await page.waitForFunction(() => Number(document.querySelector('#curves').dataset.drawn ?? 0) >= 2);
  const colours = await page.$eval('#curves', async (img) => {
    await window.decodedPicture(img);
    const canvas = Object.assign(document.createElement('canvas'), { width: img.naturalWidth, height: img.naturalHeight });
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const want = { wide: [0xe6, 0x9f, 0x00], deep: [0x00, 0x72, 0xb2], joint: [0x00, 0x9e, 0x73] };
    const seen = { wide: 0, deep: 0, joint: 0 };
    for (let i = 0; i < data.length; i += 4) {
      for (const [mode, [r, g, b]] of Object.entries(want)) if (Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8) seen[mode] += 1;
    }
    return seen;
  });
  for (const [mode, pixels] of Object.entries(colours)) assert.ok(pixels > 200, `${mode} is drawn (${pixels} pixels)`);
  assert.deepEqual(await page.$$eval('#model-progress progress', (bars) => bars.map((b) => b.value === b.max)), [true, true, true], 'every progress bar ends full');
  await page.click('#tab-weights');
  await page.click('#show-weights');
  await page.waitForSelector('#weights tbody tr');
  assert.ok((await page.$$('#weights tbody tr')).length >= 10);
  await page.click('#tab-whatif');
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
  assert.equal(csv[0], 'model,epoch,train_loss,test_loss,test_auc,test_accuracy,seconds,samples_per_second,test_brier,test_ece');
  assert.deepEqual(csv.slice(1).map((l) => l.split(',')[0]), ['wide', 'deep', 'joint']);
  const report = JSON.parse(await text('#export-json'));
  assert.equal(report.models.length, 3);
  assert.ok(report.backend.kind && report.backend.reason, 'the backend and why are in the metrics');
  assert.equal(report.dataset.label, 'bought = 1');
  assert.ok((await text('#export-svg')).startsWith('<svg'));
  assert.equal((await readFile((await saved('#export-png')).path)).subarray(1, 4).toString(), 'PNG');
  await page.selectOption('#model-mode', 'joint');
  const model = await saved('#download-model');
  assert.equal(model.name, 'widedeep-joint.model.json');
  assert.equal(JSON.parse(await readFile(model.path, 'utf8')).format, 'widedeep-model/1');
  // The ONNX beside it, read by the real onnx package (the interop tests' environment).
  const onnx = await saved('#download-onnx');
  assert.equal(onnx.name, 'widedeep-joint.onnx');
  const python = join(process.env.WIDEDEEP_VENV ?? join(homedir(), '.cache/widedeep/venv'), 'bin/python');
  const check = 'import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(" ".join(i.name for i in m.graph.input))';
  const inputs = execFileSync(python, ['-c', check, onnx.path], { encoding: 'utf8' }).trim().split(' ');
  assert.ok(inputs.includes('wide_city_x_product') && inputs.includes('deep_city'), `the ONNX model's inputs: ${inputs}`);
  // The PyTorch bundle, zipped: Python's zipfile reads it and torch loads its model and weights.
  const torch = await saved('#download-torch');
  assert.equal(torch.name, 'widedeep-joint-torch.zip');
  const load = 'import sys, zipfile, tempfile; d = tempfile.mkdtemp(); zipfile.ZipFile(sys.argv[1]).extractall(d); sys.path.insert(0, d + "/widedeep-joint-torch"); import model; m = model.load(d + "/widedeep-joint-torch"); print(sum(p.numel() for p in m.parameters()))';
  const count = Number(execFileSync('/usr/bin/python3', ['-c', load, torch.path], { encoding: 'utf8' }).trim());
  assert.ok(count > 100, `torch holds the bundle's ${count} parameters`);
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

test('the leak guard leaves the rating out and names it; errors name this page\'s fields', { timeout: 300_000 }, async () => {
  const { page, errors } = await open('#preset=movielens');
  await page.waitForSelector('#schema tbody tr[data-warning]');
  const rating = await page.$eval('#schema tbody tr[data-warning]', (tr) => ({ name: tr.querySelector('th').textContent, warning: tr.dataset.warning }));
  assert.equal(rating.name, 'rating');
  assert.match(rating.warning, /^left out: rating decides liked \(AUC 1\.000 alone\)$/);
  assert.equal(await page.$eval('select[data-column="rating"]', (s) => s.value), 'ignore', 'left out by default');
  assert.match(await page.$eval('#schema', (t) => t.textContent), /rating decides liked/, 'the reason is shown in the table');
  // Genres' combinations are too many classes: the page says what to do, in its own words.
  await page.selectOption('#label', 'genres');
  await page.waitForFunction(() => /No cross suggestions/.test(document.querySelector('#status').textContent));
  const status = await page.$eval('#status', (p) => p.textContent);
  assert.match(status, /"Positive class" field/, status);
  assert.doesNotMatch(status, /--positive|--threshold/, 'no command-line flags in the page');
  assert.deepEqual(errors, []);
});

/** The number of times the worker has drawn into an image so far. */
const drawn = (page, id) => page.$eval(`#${id}`, (img) => Number(img.dataset.drawn ?? 0));

/**
 * How many non-white pixels an image's picture has (drawn into a canvas and read back). The
 * worker may replace the picture while it is read; then it is read again.
 */
const inked = (page, id) => page.$eval(`#${id}`, async (img) => {
  await window.decodedPicture(img);
  const canvas = Object.assign(document.createElement('canvas'), { width: img.naturalWidth, height: img.naturalHeight });
  const context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i] + data[i + 1] + data[i + 2] < 600) ink += 1;
  return ink;
});

test('the cross map, the embedding map, the diagram and named weights draw and move between epochs', { timeout: 600_000 }, async () => {
  const { page, errors } = await open('#preset=memorize&epochs=2');
  await page.setViewportSize({ width: 1280, height: 4000 });
  assert.ok(await inked(page, 'diagram') > 500, 'the diagram of the configured model shows before training');
  assert.match(await page.$eval('#diagram-text', (l) => l.textContent), /city x product \(1000 buckets\)/);
  assert.equal(await page.$eval('#map-down', (s) => s.value), 'city', 'the first cross is the default pair');
  assert.equal(await page.$eval('#map-across', (s) => s.value), 'product');
  // Every table the page shows is recorded, however slowly the page gets to them.
  await page.evaluate(() => {
    window.shownMaps = [];
    const body = document.querySelector('#cross-map-table tbody');
    new MutationObserver(() => window.shownMaps.push(body.textContent)).observe(body, { childList: true });
  });
  await page.click('#compare');
  await waitDone(page);
  // Drawn after epoch rounds, at most every half second while the race runs, and a round that
  // ends while the last one is still being drawn is drawn next, at the latest epoch: a fast
  // machine may skip one but never the last. One more epoch after the race is drawn again, from
  // predictions that have moved.
  // A picture is drawn while its tab shows, and when its tab is opened.
  await page.waitForFunction(() => document.querySelector('#cross-map').dataset.when === 'epoch 2');
  await page.click('#tab-embedding');
  await page.waitForFunction(() => Number(document.querySelector('#embedding-map').dataset.drawn ?? 0) >= 1);
  await page.click('#more');
  await page.waitForFunction(() => Number(document.querySelector('#embedding-map').dataset.drawn ?? 0) >= 2, null, { timeout: 600_000 });
  await waitDone(page);
  await page.click('#tab-cross');
  await page.waitForFunction(() => document.querySelector('#cross-map').dataset.when === 'epoch 3', null, { timeout: 600_000 });
  assert.ok(await drawn(page, 'cross-map') >= 2, 'redrawn while training');
  assert.ok(await drawn(page, 'embedding-map') >= 2);
  const shownMaps = await page.evaluate(() => window.shownMaps);
  assert.ok(new Set(shownMaps).size >= 2, `the predictions moved between epochs (${new Set(shownMaps).size} distinct tables)`);
  for (const id of ['cross-map', 'embedding-map', 'curves', 'diagram']) assert.ok(await inked(page, id) > 500, `${id} has ink`);
  await mkdir('out', { recursive: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await (await page.$('#cross-map')).screenshot({ path: 'out/playground-cross-map.png' });
  await page.click('#tab-embedding');
  await (await page.$('#embedding-map')).screenshot({ path: 'out/playground-embedding-map.png' });
  await page.click('#tab-cross');
  const exceptions = await page.$$eval('#cross-map-table tr[data-exception]', (rows) => rows.length);
  assert.ok(exceptions >= 5, `outlined cells are listed in the table (${exceptions})`);
  assert.match(await page.$eval('#embedding-list', (l) => l.textContent), /joint, city_\d\d \([\d,]+ rows, \d+% positive\): nearest city_\d\d/);
  assert.match(await page.$eval('#diagram-text', (l) => l.textContent), /moves the logit by [\d.]+ on average/);
  const named = await page.$$eval('#weights tbody td:first-child', (cells) => cells.map((c) => c.textContent));
  assert.ok(named.some((n) => /^city=city_\d\d × product=product_\d\d/.test(n)), `named cross weights: ${named.join(' | ')}`);
  await page.selectOption('#map-across', 'price');
  await page.waitForFunction(() => /price/.test(document.querySelector('#cross-map-table thead').textContent + document.querySelector('#cross-map-table tbody').textContent));
  assert.match(await hashParams(page).then((p) => p.map), /"city","price"/, 'the chosen pair is kept in the link');
  await page.click('#tab-whatif');
  await page.click('#whatif button[type="submit"]');
  await page.waitForSelector('#whatif-result .fired li');
  assert.match(await page.$eval('#whatif-result', (d) => d.textContent), /city=city_\d\d × product=product_\d\d: [+−]\d/);
  await page.click('#tab-cross');
  const svgDownload = page.waitForEvent('download');
  await page.click('#map-svg');
  assert.ok((await readFile(await (await svgDownload).path(), 'utf8')).startsWith('<svg'));
  // The worker's module scripts are fetched on the page's behalf and show up here; the module's
  // code (the .wasm) is fetched only where it is instantiated, which must be the worker alone.
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /\.wasm$/.test(n)));
  assert.deepEqual(loaded, [], 'the page itself never instantiates the training module');
  assert.deepEqual(errors, []);
});

test('a lesson runs through every step by keyboard; its step and the projector view survive a reload', { timeout: 900_000 }, async () => {
  const { page, errors } = await open('#preset=memorize&epochs=2');
  await page.focus('#lesson-start');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#lesson:not([hidden])');
  const steps = [];
  for (;;) {
    const count = await page.$eval('#lesson-count', (p) => p.textContent);
    await page.waitForFunction((n) => {
      const params = new URLSearchParams(location.hash.slice(1));
      return params.get('lesson') === 'memorize' && (params.get('step') ?? '1') === n;
    }, String(steps.length + 1));
    const target = await page.$eval('[data-lesson-target]', (t) => t.id);
    steps.push({ count, target });
    if (steps.length === 6) break;
    await page.waitForSelector('#lesson-next:not([disabled])', { timeout: 600_000 });
    await page.focus('#lesson-next');
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelector('#lesson').dataset.step === n, String(steps.length + 1));
  }
  assert.deepEqual(steps.map((s) => s.count), [1, 2, 3, 4, 5, 6].map((n) => `Memorize vs generalize: step ${n} of 6`));
  assert.deepEqual(steps.map((s) => s.target), ['features', 'race-panel', 'cross-map-figure', 'weights-panel', 'results-box', 'cross-map-figure']);
  await page.waitForSelector('#lesson-next:not([disabled])', { timeout: 600_000 });
  assert.equal(await page.$eval('#cross-city-product', (b) => b.checked), false, 'step 5 switched the cross off');
  assert.match(await page.$eval('#status', (p) => p.textContent), /^Done/);
  await page.click('#projector');
  assert.equal(await page.$eval('html', (h) => h.classList.contains('projector')), true);
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  await page.waitForSelector('#lesson:not([hidden])');
  assert.equal(await page.$eval('#lesson', (l) => l.dataset.step), '6', 'the link reopens the lesson at its step');
  assert.equal(await page.$eval('html', (h) => h.classList.contains('projector')), true, 'the projector view survives a reload');
  assert.equal(await page.$eval('#projector', (b) => b.getAttribute('aria-pressed')), 'true');
  await page.focus('#lesson');
  await page.keyboard.press('Escape');
  assert.equal(await page.$eval('#lesson', (l) => l.hidden), true, 'Escape ends the lesson');
  assert.equal((await hashParams(page)).lesson, undefined);
  assert.deepEqual(errors, []);
});

/** A MovieLens 1M archive in its published format (`::`, Latin-1 titles), zipped by Python. */
async function movielensZip() {
  const { mkdtemp, writeFile, mkdir: makeDir } = await import('node:fs/promises');
  const { execFileSync } = await import('node:child_process');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join((await import('node:os')).tmpdir(), 'widedeep-ml-'));
  await makeDir(join(dir, 'ml-1m'));
  const users = Array.from({ length: 20 }, (_, i) => `${i + 1}::${['F', 'M'][i % 2]}::${[1, 18, 25, 35, 45, 50, 56][i % 7]}::${i % 21}::${10000 + i}\n`).join('');
  const movies = Buffer.concat(Array.from({ length: 15 }, (_, i) => Buffer.concat([
    Buffer.from(`${i + 1}::`), i % 3 === 0 ? Buffer.from([0x41, 0x6d, 0xe9, 0x6c, 0x69, 0x65, 0x20, 0x28, 0x32, 0x30, 0x30, 0x31, 0x29]) : Buffer.from(`Film ${i + 1} (${1980 + i})`),
    Buffer.from(`::${['Comedy|Romance', 'Drama', 'Action|Sci-Fi|War'][i % 3]}\n`),
  ])));
  let state = 7;
  const next = (n) => { state = (state * 1103515245 + 12345) % 2147483648; return 1 + (state % n); };
  const ratings = Array.from({ length: 600 }, (_, i) => `${next(20)}::${next(15)}::${next(5)}::${978300000 + i}\n`).join('');
  await writeFile(join(dir, 'ml-1m', 'users.dat'), users);
  await writeFile(join(dir, 'ml-1m', 'movies.dat'), movies);
  await writeFile(join(dir, 'ml-1m', 'ratings.dat'), ratings);
  execFileSync('python3', ['-m', 'zipfile', '-c', 'ml-1m.zip', 'ml-1m'], { cwd: dir });
  return join(dir, 'ml-1m.zip');
}

test('the seed study preset reads a dropped MovieLens archive, joins it and takes the study\'s setup; a cut zip keeps the data', { timeout: 300_000 }, async () => {
  const { page, errors } = await open('#preset=seed');
  assert.match(await page.$eval('#data-summary', (p) => p.textContent), /Drop a MovieLens archive/);
  const archive = await movielensZip();
  await page.setInputFiles('#file', archive);
  await page.waitForFunction(() => /MovieLens 1M: 600 ratings × 20 users × 15 movies/.test(document.querySelector('#data-summary').textContent));
  assert.equal(await page.$eval('#preset', (s) => s.value), 'seed');
  assert.equal(await page.$eval('#label', (s) => s.value), 'liked');
  await page.waitForSelector('#schema tbody tr[data-warning^="left out: rating decides liked"]');
  assert.equal(await page.$eval('#optimizer', (s) => s.value), 'adagrad');
  assert.equal(await page.$eval('#batch', (i) => i.value), '200');
  assert.equal(await page.$eval('#embedding', (i) => i.value), '8');
  assert.equal(await page.$eval('#cross-gender-age', (b) => b.checked), true);
  assert.equal(await page.$eval('select[data-column="occupation"]', (s) => s.value), 'deep');
  assert.equal(await page.$eval('select[data-column="user_id"]', (s) => s.value), 'ignore');
  assert.match(await page.$eval('#schema', (t) => t.textContent), /Amélie \(2001\)/, 'Latin-1 titles are decoded');
  const { readFile: read, writeFile: write } = await import('node:fs/promises');
  const bytes = await read(archive);
  const cut = archive.replace('.zip', '-cut.zip');
  await write(cut, bytes.subarray(0, bytes.length >> 1));
  await page.setInputFiles('#file', cut);
  await page.waitForSelector('#load-error:not([hidden])');
  assert.match(await page.$eval('#load-error', (p) => p.textContent), /incomplete download.*The previous data is still loaded/);
  assert.equal(await page.$eval('#label', (s) => s.value), 'liked', 'the archive stays loaded');
  assert.deepEqual(errors, []);
});

/** Every model's metrics of the race in `page`, by mode. */
const metricsOf = (page) => page.evaluate(async () => {
  const { report } = await window.playground.racers.report(['wide', 'deep', 'joint']);
  return Object.fromEntries(report.models.map((m) => [m.mode, m.epochs.map((e) => [e.train_loss, e.test_loss, e.test_auc, e.test_accuracy])]));
});

test('a race in two or three workers gives the metrics of the race in one; in two, a model moved mid-race trains on as it would have', { timeout: 900_000 }, async () => {
  const results = {};
  for (const workers of [1, 2, 3]) {
    const { page, errors } = await open(`#preset=memorize&epochs=3&workers=${workers}`);
    await page.setViewportSize({ width: 1280, height: 4000 });
    if (workers === 2) {
      // Paused the moment it starts (every worker takes at most one slice of steps first, on any
      // machine), the wide model moves to the other worker mid-epoch, then the race goes on.
      await page.evaluate(() => new Promise((resolve) => {
        const pause = document.querySelector('#pause');
        new MutationObserver((_, observer) => {
          if (pause.disabled) return;
          observer.disconnect();
          pause.click();
          resolve();
        }).observe(pause, { attributes: true });
        document.querySelector('#compare').click();
      }));
      await page.waitForFunction(() => document.querySelector('#status').textContent === 'Paused.');
      const moved = await page.evaluate(async () => {
        const racers = window.playground.racers;
        const from = racers.clients.indexOf(racers.owners.get('wide'));
        racers.move({ mode: 'wide', from, to: 1 - from, gain: 0 });
        await racers.settled();
        return [from, racers.clients.indexOf(racers.owners.get('wide'))];
      });
      assert.equal(moved[1], 1 - moved[0], `the wide model now trains in the other worker: ${moved}`);
      await page.click('#resume');
    } else await page.click('#compare');
    await waitDone(page);
    assert.equal(await page.$eval('body', (b) => b.dataset.workers), String(workers));
    results[workers] = await metricsOf(page);
    assert.equal(await page.$$eval('#results tbody tr', (trs) => trs.length), 3);
    // Drawn at the end (and between epochs when they take longer than the half-second between
    // drawings): the last drawing shows every worker's models at the last epoch.
    await page.waitForFunction(() => document.querySelector('#cross-map').dataset.when === 'epoch 3');
    const heads = await page.$$eval('#cross-map-table thead th', (ths) => ths.map((th) => th.textContent));
    assert.deepEqual(heads.filter((h) => h.endsWith(' predicts')), ['wide predicts', 'deep predicts', 'joint predicts'],
      'the pictures are drawn from every worker\'s results');
    assert.deepEqual(errors, []);
    await page.close();
  }
  assert.deepEqual(Object.keys(results[3]).sort(), ['deep', 'joint', 'wide']);
  assert.deepEqual(results[3], results[1], 'the same split, batches and seeds in every worker');
  assert.deepEqual(results[2], results[1], 'a model that moved trains on exactly as it would have');
});

test('pause and stop reach every worker; one worker\'s error is shown and the others stop', { timeout: 600_000 }, async () => {
  const { page } = await open('#preset=adult&epochs=30&workers=3');
  const snapshot = () => page.$$eval('#model-progress progress', (bars) => bars.map((b) => `${b.value}/${b.max}`).join(' '));
  await page.click('#compare');
  await page.waitForFunction(() => document.querySelectorAll('#model-progress li').length === 3, null, { timeout: 120_000 });
  assert.equal(await page.$eval('body', (b) => b.dataset.workers), '3');
  await page.click('#pause');
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'Paused.');
  const paused = await snapshot();
  await page.waitForTimeout(800);
  assert.equal(await snapshot(), paused, 'no worker moves while paused');
  await page.click('#resume');
  await page.waitForFunction((was) => [...document.querySelectorAll('#model-progress progress')].map((b) => `${b.value}/${b.max}`).join(' ') !== was, paused, { timeout: 60_000 });
  // The second worker fails (an unknown request is an error like any other): the page says so
  // and the other workers stop.
  await page.evaluate(() => window.playground.racers.clients[1].worker.postMessage({ type: 'explode' }));
  await page.waitForFunction(() => /unknown request 'explode'/.test(document.querySelector('#status').textContent));
  assert.equal(await page.$eval('#status', (s) => s.classList.contains('error')), true);
  const stopped = await snapshot();
  await page.waitForTimeout(800);
  assert.equal(await snapshot(), stopped, 'the other workers stopped cleanly');
  assert.equal(await page.$eval('#pause', (b) => b.disabled), true);
});

test('FTRL with L1 on the wide part: the options travel in the link and the wide part\'s zeros are shown', { timeout: 600_000 }, async () => {
  const zeros = {};
  for (const l1 of [0, 2]) {
    const { page, errors } = await open(`#preset=memorize&epochs=1&wideOptimizer=ftrl&l1=${l1}&wideLr=0.5`);
    assert.equal(await page.$eval('#wide-optimizer', (s) => s.value), 'ftrl');
    assert.equal(await page.$eval('#l1', (i) => [i.value, i.disabled].join()), `${l1},false`);
    await page.click('#train-joint');
    await waitDone(page);
    const cell = await page.$eval('#results tbody tr[data-mode="joint"] td:nth-child(8)', (td) => td.textContent);
    assert.match(cell, /^\d+(\.\d)?%$/);
    zeros[l1] = parseFloat(cell);
    assert.deepEqual(errors, []);
    if (l1 === 2) {
      await page.selectOption('#wide-optimizer', 'same');
      assert.equal(await page.$eval('#l1', (i) => i.disabled), true, 'L1 only applies to FTRL');
      assert.equal((await hashParams(page)).wideOptimizer, undefined, 'back to the preset\'s choice');
    }
    await page.close();
  }
  assert.ok(zeros[2] > zeros[0] + 5, `L1 zeroes wide weights: ${zeros[0]}% without, ${zeros[2]}% with`);
});
