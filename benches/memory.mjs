// `node benches/memory.mjs`: how much memory the playground holds, per Chromium process (from
// /proc: the resident set, and in brackets its proportional share, which splits the pages of
// Chromium's own code among the processes that map them): right after Adult loads and after
// 40 s of idling (V8 collects a worker's garbage only when idle or pressed), and at its
// peak while a Compare race trains on a 1M-row file (MovieLens-shaped, from `widedeep generate`);
// then while the joint model trains on a million user ids (`generate ids`, 2M rows); then a
// MovieLens 1M-shaped archive (`benches/movielens_1m.py`) dropped on the seed study's preset:
// the time to read, join and encode it, and the peak of its Compare race; last, on a fresh idle
// page, a 253 MB CSV (Adult's rows 48 times over, 2,344,416 rows) dropped: the time to read it in
// pieces and the renderer's memory at its peak and once loaded, beyond the idle page's.
// `LOAD_ONLY=1` runs only that last step.
// `WORKERS=1` races in one worker; `BACKEND=auto` (or webgpu) replaces the CPU backend. Measures
// only; asserts nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, openPage } from '../tests/page/harness.mjs';
import { generated, idsFile } from './generated.mjs';

const ROWS = 1_000_000;
/** How long the page idles after Adult loads before the second reading. */
const IDLE_MS = 40_000;

/** Resident memory in MB of every Chromium process, by its `--type` (the browser itself has none). */
function chromium() {
  const processes = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // Chromium rewrites its command line into one string: find the flags in it.
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!/chrom/.test(command.split(' ')[0])) continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(rollup)?.[1] ?? 0) / 1024;
      const type = /--type=(\S+)/.exec(command)?.[1] ?? 'browser';
      processes.push({ pid, type, rss: field('Rss'), pss: field('Pss') });
    } catch {
      // The process ended while being read.
    }
  }
  return processes;
}

const show = (label, processes) => {
  const rows = processes.filter((p) => p.rss > 20).sort((a, b) => b.rss - a.rss);
  console.log(`${label}: ${rows.map((p) => `${p.type} ${p.rss.toFixed(0)} MB (${p.pss.toFixed(0)})`).join(', ')}`);
};

/**
 * Loads `file` into the page (done when the data summary says `loaded`), then trains it with
 * `button` for one epoch; shows the memory after loading and at the peak.
 */
async function loadAndTrain(page, file, loaded, button) {
  const started = Date.now();
  await page.setInputFiles('#file', file);
  await page.waitForFunction((loaded) => document.querySelector('#data-summary').textContent.includes(loaded), loaded, { timeout: 600_000 });
  const name = file.split('/').at(-1);
  show(`after ${name} (${loaded}) loads in ${((Date.now() - started) / 1000).toFixed(1)} s`, chromium());
  await page.fill('#epochs', '1');
  await page.dispatchEvent('#epochs', 'change');
  await page.click(button);
  const peak = new Map();
  while (!/^Done|Cannot|error/i.test(await page.$eval('#status', (s) => s.textContent))) {
    for (const p of chromium()) peak.set(p.pid, { ...p, rss: Math.max(p.rss, peak.get(p.pid)?.rss ?? 0), pss: Math.max(p.pss, peak.get(p.pid)?.pss ?? 0) });
    await page.waitForTimeout(500);
  }
  console.log(`status: ${await page.$eval('#status', (s) => s.textContent)}`);
  show(`peak while ${button === '#compare' ? 'a Compare race' : 'the joint model'} trains on it (${await page.$eval('body', (b) => b.dataset.workers)} workers)`, [...peak.values()]);
}

/**
 * A fresh playground page on the CPU (or `BACKEND`) with `preset` chosen (Adult's loads its data);
 * under the automatic choice, read once the page shows its measurement of both backends.
 */
async function freshPage(env, preset = 'adult') {
  const backend = process.env.BACKEND ?? 'cpu';
  const { page } = await openPage(env, `/#preset=${preset}&backend=${backend}&workers=${process.env.WORKERS ?? 0}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  if (backend === 'auto' && preset === 'adult') {
    await page.waitForFunction(() => document.querySelector('#backend').dataset.measured === 'true', null, { timeout: 120_000, polling: 100 });
  }
  await page.waitForTimeout(2000);
  show(preset === 'adult' ? 'after Adult loads' : `the page on the ${preset} preset, before a drop`, chromium());
  return page;
}

/** The renderer's resident memory in MB (the largest, where there are several). */
const renderer = () => Math.max(0, ...chromium().filter((p) => p.type === 'renderer').map((p) => p.rss));

/** Adult's rows 48 times over under its header (253 MB), written once into the temporary folder. */
function adultTimes48() {
  const path = join(tmpdir(), 'widedeep-adult-x48.csv');
  if (!existsSync(path)) {
    const text = readFileSync('data/adult.csv', 'utf8');
    const body = text.slice(text.indexOf('\n') + 1);
    writeFileSync(path, text.slice(0, text.indexOf('\n') + 1) + body.repeat(48));
  }
  return path;
}

/** Drops the 253 MB file on a fresh page that has idled: its load time and the renderer's memory. */
async function bigFile(env) {
  const file = adultTimes48();
  // In MB as the processes' figures are (2^20 bytes), for the ratios; printed in millions of bytes.
  const { size } = statSync(file);
  const megabytes = size / 2 ** 20;
  const page = await freshPage(env);
  await page.waitForTimeout(IDLE_MS);
  const idle = renderer();
  const started = Date.now();
  await page.setInputFiles('#file', file);
  let peak = idle;
  while (!/2,344,416 rows/.test(await page.$eval('#data-summary', (p) => p.textContent))) {
    peak = Math.max(peak, renderer());
    await page.waitForTimeout(250);
  }
  const seconds = (Date.now() - started) / 1000;
  await page.waitForTimeout(2000);
  const loaded = renderer();
  console.log(`${(size / 1e6).toFixed(0)} MB file (2,344,416 rows) read in pieces and its schema inferred in ${seconds.toFixed(1)} s (${(size / 1e6 / seconds).toFixed(0)} MB/s);`
    + ` renderer ${idle.toFixed(0)} MB idle, peak ${peak.toFixed(0)} MB, ${loaded.toFixed(0)} MB loaded:`
    + ` ${((loaded - idle) / megabytes).toFixed(2)}× the file beyond the idle page (peak ${((peak - idle) / megabytes).toFixed(2)}×)`);
  await page.close();
  await bothWays(env, file);
}

/**
 * The file read by a bare engine worker both ways, twice, one after the other: in pieces (what
 * the page does) and whole (its bytes copied into the worker, then into WebAssembly: what the page
 * did before); the time and the renderer's peak for each, each worker ended before the next.
 */
async function bothWays(env, file) {
  const { page } = await openPage(env, '/#preset=memorize&backend=cpu');
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  await page.evaluate(() => document.body.append(Object.assign(document.createElement('input'), { type: 'file', id: 'bench-file' })));
  await page.setInputFiles('#bench-file', file);
  for (const round of [1, 2]) {
    for (const whole of [false, true]) {
      const idle = renderer();
      let peak = idle;
      const reading = page.evaluate(async (whole) => {
        const worker = new Worker('/engine-worker.js', { type: 'module' });
        const next = (type) => new Promise((resolve, reject) => worker.addEventListener('message', ({ data }) => (data.type === type ? resolve(data) : data.type === 'error' && reject(new Error(data.message)))));
        worker.postMessage({ type: 'init', preference: 'cpu' });
        await next('ready');
        const file = document.querySelector('#bench-file').files[0];
        const started = performance.now();
        const files = whole ? [{ name: file.name, bytes: await file.arrayBuffer() }] : [file];
        worker.postMessage({ type: 'load', files }, whole ? [files[0].bytes] : []);
        const { schema } = await next('schema');
        const seconds = (performance.now() - started) / 1000;
        worker.terminate();
        return { seconds, rows: schema.rows };
      }, whole);
      let done = null;
      reading.then((r) => (done = r), (e) => (done = { error: e.message }));
      while (!done) {
        peak = Math.max(peak, renderer());
        await page.waitForTimeout(200);
      }
      console.log(`round ${round}, ${whole ? 'whole' : 'in pieces'}: ${done.error ?? `${done.rows.toLocaleString('en')} rows in ${done.seconds.toFixed(1)} s`}, renderer peak ${peak.toFixed(0)} MB from ${idle.toFixed(0)} MB`);
      await page.waitForTimeout(3000);
    }
  }
  await page.close();
}

const env = await start();
if (process.env.LOAD_ONLY) {
  await bigFile(env);
  await env.close();
  process.exit(0);
}
try {
  const page = await freshPage(env);
  // The worker's garbage from starting and loading (~30 MB) waits for V8's idle collection.
  await page.waitForTimeout(IDLE_MS);
  show(`the same, ${IDLE_MS / 1000} s later (idle)`, chromium());
  await loadAndTrain(page, generated(`widedeep-memory-${ROWS}.csv`, ['movielens', '--rows', String(ROWS)]), '1,000,000 rows', '#compare');
  await page.close();
  const ids = await freshPage(env);
  await loadAndTrain(ids, idsFile(1_000_000), '2,000,000 rows', '#train-joint');
  await ids.close();
  const archive = join(tmpdir(), 'widedeep-ml-1m-shaped.zip');
  if (!existsSync(archive)) execFileSync('python3', ['benches/movielens_1m.py', archive], { stdio: 'inherit' });
  await loadAndTrain(await freshPage(env, 'seed'), archive, '1,000,209 ratings', '#compare');
  await bigFile(env);
} finally {
  await env.close();
}
