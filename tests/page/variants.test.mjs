// Try variants, end to end in Debian's headless Chromium: a cross suggestion's "Race it" races the
// cross off and on over two seeds in the worker, the table ranks the cross that carries the
// memorize data's exceptions first past the seeds' spread with its curves drawn, "Keep the winner"
// turns the cross on in the form and the link; a setting the core cannot read is named; a race
// of variants stops at once and leaves the engine free for a race of the models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageSuite } from './harness.mjs';

const open = pageSuite({ readyMs: 120_000 });

const said = (page) => page.$eval('#variants-status', (s) => s.textContent);
/** The variants table as shown: every row's cells' text. */
const rows = (page) => page.$$eval('#variants-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));

test('"Race it" on a suggested cross ranks it on, past the seeds\' noise, and keeping the winner turns it on', { timeout: 900_000 }, async () => {
  const { page, errors } = await open('#preset=memorize&crosses=%5B%5D&epochs=3&seeds=2');
  assert.equal(await page.$eval('#keep-winner', (b) => b.disabled), true, 'nothing to keep before a race');
  await page.click('button[aria-label="Race it: city × product on and off"]');
  await page.waitForFunction(() => /ranks first/.test(document.querySelector('#variants-status').textContent), null, { timeout: 600_000 });
  assert.equal(await page.$eval('#vary', (i) => i.value), 'cross=city,product:off,on', 'the base is the page\'s: the cross off');
  assert.match(page.url(), /vary=cross%3Dcity%2Cproduct%3Aoff%2Con/, 'the link keeps what was varied');
  const shown = await rows(page);
  assert.equal(shown.length, 2);
  const [top, base] = shown;
  assert.deepEqual([top[1], base[1]], ['cross city × product on', 'cross city × product off']);
  assert.deepEqual([top[6], base[6]], ['2', '2'], 'two seeds each');
  assert.equal(base[4], 'base');
  assert.ok(Number(top[2]) > Number(base[2]), `ranked by validation AUC: ${top[2]} over ${base[2]}`);
  assert.match(top[4], /^\+0\.\d{4}$/, `past the noise: ${top[4]}`);
  assert.equal(await said(page), `cross city × product on ranks first, ${top[4]} against the base: past the seeds' spread.`);
  assert.ok(await page.$eval('#variants-curves', (img) => Number(img.dataset.drawn) >= 1 && img.complete && img.naturalWidth > 0), 'the curves drawn');
  assert.equal(await page.$eval('#cross-city-product', (box) => box.checked), false);
  await page.click('#keep-winner');
  assert.equal(await said(page), 'Kept: cross city × product on. Press ▶ Race to see it against wide and deep.');
  await page.waitForFunction(() => document.querySelector('#cross-city-product')?.checked);
  assert.doesNotMatch(page.url(), /crosses=/, 'the link drops its crosses: the kept cross is the preset\'s own');
  assert.deepEqual(errors, []);
});

test('a setting the core cannot read is named, and a race of variants stops at once for a race of the models', { timeout: 900_000 }, async () => {
  const { page, errors } = await open('#preset=memorize&epochs=2');
  const fill = async (selector, value) => { await page.fill(selector, value); await page.dispatchEvent(selector, 'change'); };
  await fill('#vary', 'depth=3');
  await page.click('#run-variants');
  await page.waitForFunction(() => /^Cannot try variants/.test(document.querySelector('#variants-status').textContent));
  assert.equal(await said(page), "Cannot try variants: invalid setting: vary depth=3: 'depth' is not a setting a sweep varies (cross, embedding-dim, hidden, lr, optimizer, l1).");
  await fill('#vary', 'lr=0.001,0.002,0.003,0.004,0.005');
  await page.click('#run-variants');
  await page.waitForFunction(() => /^Cannot try variants/.test(document.querySelector('#variants-status').textContent) && /at most 4/.test(document.querySelector('#variants-status').textContent));
  await fill('#vary', 'embedding-dim=2,4,8,16');
  await fill('#seeds', '5');
  await page.click('#run-variants');
  await page.waitForFunction(() => /^Run \d+ of 20/.test(document.querySelector('#variants-status').textContent), null, { timeout: 300_000 });
  await page.click('#stop-variants');
  await page.waitForFunction(() => /^Stopped\. /.test(document.querySelector('#variants-status').textContent));
  assert.equal(await page.$eval('#stop-variants', (b) => b.disabled), true);
  await page.click('#compare');
  await page.waitForFunction(() => /^Done/.test(document.querySelector('#status').textContent), null, { timeout: 600_000 });
  assert.equal((await page.$$('#results tbody tr')).length, 3, 'the race of the models ran on the same engine');
  assert.match(await said(page), /^Stopped\. /, 'the stopped race of variants keeps its words');
  assert.deepEqual(errors, []);
});
