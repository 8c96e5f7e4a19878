// A lesson's claims are checked against the run, never assumed: a step whose claim does not hold
// on the run on screen says so, and the embedding map reads the same way in every panel and from
// one epoch to the next (the engine orients its axes; the page shows them as it gets them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageSuite } from './harness.mjs';

const open = pageSuite();

test('a step whose claim does not hold says so: a label city × product cannot predict has no outlined cell, and the step says it', { timeout: 600_000 }, async () => {
  // The label is "price above 50", which no city × product pair departs from: nothing to outline.
  const { page, errors } = await open('#preset=memorize&label=price&positive=&threshold=50&lesson=memorize&step=3');
  await page.waitForFunction(() => {
    const card = document.querySelector('#lesson');
    return card.dataset.step === '3' && !card.hasAttribute('aria-busy');
  }, null, { timeout: 600_000 });
  assert.equal(await page.$eval('#label', (s) => s.value), 'price', 'the link\'s label holds through the lesson');
  const text = await page.$eval('#lesson-text', (p) => p.textContent);
  assert.match(text, /No cell departs from the deep model here: nothing is outlined\./, text);
  assert.doesNotMatch(text, /cells? departs? from the deep model \(outlined\)/, text);
  assert.equal(await page.$$eval('#cross-map-table tr[data-exception]', (rows) => rows.length), 0, 'no outlined row');
  // The cells it speaks of are those the table lists with 5 or more test rows.
  const listed = await page.$$eval('#cross-map-table tbody tr', (rows) => rows.map((tr) => Number(tr.querySelectorAll('td')[1].textContent)));
  assert.ok(listed.length > 0, 'the map has cells');
  const said = /Over the (\d+) cells with 5 or more test rows/.exec(text);
  assert.equal(Number(said?.[1]), listed.filter((rows) => rows >= 5).length, text);
  assert.deepEqual(errors, []);
});

/** The embedding maps the page last drew, per model: its epoch, the first axis's correlation with the positive rate, and each value's place on it. */
const maps = (page) => page.evaluate(() => Object.fromEntries(window.playground.page.lastMaps.map((m) => [m.mode, {
  epoch: m.epoch, r: m.rate_correlation, x: Object.fromEntries(m.points.map((p) => [p.value, p.x])),
}])));

/** Waits for the race to end ("Done") and the embedding map to be drawn for `epoch`. */
const drawnAt = (page, epoch) => page.waitForFunction((n) => /^Done/.test(document.querySelector('#status').textContent)
  && window.playground.page.lastMaps?.every((m) => m.epoch === n), epoch, { timeout: 300_000 });

test('the embedding map keeps its orientation between the deep and joint panels and from one epoch to the next', { timeout: 600_000 }, async () => {
  const { page, errors } = await open('#preset=adult&epochs=1&embed=occupation');
  await page.click('#tab-embedding');
  await page.click('#compare');
  await drawnAt(page, 1);
  const first = await maps(page);
  await page.click('#more');
  await drawnAt(page, 2);
  const second = await maps(page);
  for (const shown of [first, second]) {
    assert.deepEqual(Object.keys(shown).sort(), ['deep', 'joint'], 'a panel per model that embeds occupation');
    assert.equal(shown.deep.r >= 0, shown.joint.r >= 0, `the first axis runs the same way in both panels: ${shown.deep.r}, ${shown.joint.r}`);
  }
  for (const mode of ['deep', 'joint']) {
    const [before, now] = [first[mode], second[mode]];
    assert.equal(before.r >= 0, now.r >= 0, `${mode}'s first axis runs the same way at epochs 1 and 2: ${before.r}, ${now.r}`);
    // Not mirrored either: the values keep their side, on the whole.
    const agreement = Object.keys(now.x).reduce((sum, value) => sum + now.x[value] * (before.x[value] ?? 0), 0);
    assert.ok(agreement > 0, `${mode}'s values keep their side of the first axis from epoch 1 to 2 (${agreement})`);
  }
  assert.deepEqual(errors, []);
});
