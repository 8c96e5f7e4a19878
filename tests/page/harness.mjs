// Shared set-up for the page tests: the static server on a free loopback port and Debian's
// Chromium with headless WebGPU (never a browser download).
import { before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

export async function start() {
  const server = await serve(0);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  return { server, base, browser, async close() { await browser.close(); server.close(); } };
}

/** A page that records every request leaving the server's origin. */
export async function openPage(env, path = '/') {
  const page = await env.browser.newPage();
  const outside = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(env.base) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
  });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // For tests that read a picture's pixels: the worker may replace a picture while it is being
  // decoded, which rejects the decode; then the new one is decoded.
  await page.addInitScript(() => {
    window.decodedPicture = async (img) => {
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await img.decode();
        } catch (error) {
          if (attempt === 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
  });
  await page.goto(env.base + path);
  return { page, outside, errors };
}

/**
 * Runs in the page: starts the engine worker, loads a CSV from the server, configures and trains,
 * and returns the messages with their times, and how often a page timer fired while training ran
 * (a count, never a duration: a loaded machine is slow, not wrong).
 */
export async function trainInWorker(page, { preference, csv, config }) {
  return page.evaluate(async ({ preference, csv, config }) => {
    const worker = new Worker('/engine-worker.js', { type: 'module' });
    const log = [];
    const waiters = [];
    worker.onmessage = ({ data }) => {
      log.push({ type: data.type, t: performance.now() });
      for (const w of waiters.splice(0)) (w.types.includes(data.type) ? w.resolve(data) : data.type === 'error' ? w.reject(new Error(data.message)) : waiters.push(w));
    };
    const waitFor = (...types) => new Promise((resolve, reject) => waiters.push({ types, resolve, reject }));
    let ticks = 0;
    let ticksBetweenProgress = 0;
    const timer = setInterval(() => (ticks += 1), 10);
    try {
      worker.postMessage({ type: 'init', preference });
      const { backend } = await waitFor('ready');
      const bytes = await (await fetch(csv)).arrayBuffer();
      worker.postMessage({ type: 'load', files: [{ name: csv, bytes }] }, [bytes]);
      await waitFor('schema');
      worker.postMessage({ type: 'configure', config });
      const { dataset } = await waitFor('configured');
      const started = performance.now();
      let firstProgress = null;
      let firstEpoch = null;
      let progressCount = 0;
      let ticksAtFirst = null;
      worker.addEventListener('message', ({ data }) => {
        if (data.type !== 'progress') return;
        progressCount += 1;
        firstProgress ??= performance.now() - started;
        ticksAtFirst ??= ticks;
        ticksBetweenProgress = ticks - ticksAtFirst;
        if (data.progress.models.some((m) => m.finished.length > 0)) firstEpoch ??= performance.now() - started;
      });
      worker.postMessage({ type: 'start' });
      await waitFor('done');
      worker.postMessage({ type: 'report' });
      const { report } = await waitFor('report');
      return { backend, dataset, report, firstProgress, firstEpoch, progressCount, ticksBetweenProgress, seconds: (performance.now() - started) / 1000 };
    } finally {
      clearInterval(timer);
      worker.terminate();
    }
  }, { preference, csv, config });
}

/**
 * Registers a page suite's server and its check that no request leaves 127.0.0.1 (each test
 * checks its own), and returns `open(hash)`: the page opened at `/hash`, ready to use.
 */
export function pageSuite({ readyMs = 180_000 } = {}) {
  let env;
  let outside = [];
  before(async () => (env = await start()));
  after(async () => {
    await env?.close();
  });
  // Each test's pages close after it: a page left open keeps its workers, which would take the
  // next test's cores (and lengthen the tasks it measures).
  let pages = [];
  afterEach(async () => {
    const left = outside;
    outside = [];
    await Promise.all(pages.splice(0).map((page) => page.close()));
    assert.deepEqual(left, [], 'no request leaves 127.0.0.1');
  });
  return async function open(hash = '') {
    const opened = await openPage(env, '/' + hash);
    pages.push(opened.page);
    opened.page.on('request', (r) => { if (!r.url().startsWith(env.base) && !/^(data|blob):/.test(r.url())) outside.push(r.url()); });
    await opened.page.waitForSelector('body[data-ready="true"]', { timeout: readyMs });
    return opened;
  };
}
