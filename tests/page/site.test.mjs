// `make site` builds a static folder that works from any host and any sub-path: served here by
// Python's plain static server under /some/path/, it loads Adult's sibling preset and trains.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './harness.mjs';

let server;
let browser;
let base;

before(async () => {
  const root = await mkdtemp(join(tmpdir(), 'widedeep-site-'));
  await mkdir(join(root, 'some'));
  await symlink(resolve('site'), join(root, 'some', 'path'));
  server = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise((ok, fail) => {
    server.stdout.on('data', (chunk) => { const found = /port (\d+)/.exec(String(chunk)); if (found) ok(Number(found[1])); });
    server.on('exit', (code) => fail(new Error(`python3 -m http.server exited with ${code}`)));
  });
  base = `http://127.0.0.1:${port}/some/path/`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

test('site/ works from a plain static server under a sub-path', { timeout: 300_000 }, async () => {
  const page = await browser.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}#preset=memorize&epochs=1`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  await page.click('#train-joint');
  await page.waitForFunction(() => /^Done/.test(document.querySelector('#status').textContent), null, { timeout: 240_000 });
  const auc = +(await page.$eval('#results tbody tr td:nth-child(3)', (td) => td.textContent));
  assert.ok(auc > 0.6 && auc <= 1, `AUC ${auc}`);
  await page.selectOption('#preset', 'adult');
  await page.waitForFunction(() => /48,842 rows/.test(document.querySelector('#data-summary').textContent));
  const outside = requests.filter((url) => !url.startsWith(base) && !/^(data|blob):/.test(url));
  assert.deepEqual(outside, [], 'every URL is relative to the sub-path');
  assert.deepEqual(errors, []);
});
