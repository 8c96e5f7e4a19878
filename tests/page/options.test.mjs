// The training options a class tries after the race (validation, patience, class weights,
// schedules) and the calibration tab, end to end in Debian's headless Chromium: a model stops
// once its validation AUC stalls and the results show the epoch it keeps; a setting the engine
// refuses is named by its field; the reliability diagram draws with its numbers as a table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { pageSuite } from './harness.mjs';

const open = pageSuite({ readyMs: 120_000 });

const status = (page) => page.$eval('#status', (s) => s.textContent);
const waitDone = (page) => page.waitForFunction(() => /^Done/.test(document.querySelector('#status').textContent), null, { timeout: 600_000 });
/** The metrics JSON export, as the page offers it. */
async function exportedReport(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  return JSON.parse(await readFile(await download.path(), 'utf8'));
}
/** The results table's rows as shown, by model: every cell's text. */
const resultRows = (page) => page.$$eval('#results tbody tr', (rows) => Object.fromEntries(rows.map((tr) => [tr.dataset.mode, {
  model: tr.querySelector('th').textContent,
  cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
}])));
/** The results table's column, by its heading's text: its index among a row's <td>s (the model is a <th>). */
const column = async (page, heading) => (await page.$$eval('#results thead th', (ths) => ths.map((th) => th.textContent))).indexOf(heading) - 1;

test('a link with validation and patience stops each model before its 40 epochs, and the results show the epoch each one keeps', { timeout: 900_000 }, async () => {
  const { page, errors } = await open('#preset=memorize&validationFraction=0.2&patience=1&epochs=40&classWeight=3:1&lrSchedule=plateau');
  const values = await Promise.all(['#validation-fraction', '#patience', '#class-weight', '#lr-schedule'].map((id) => page.$eval(id, (i) => i.value)));
  assert.deepEqual(values, ['0.2', '1', '3:1', 'plateau'], 'the form shows the link\'s options');
  await page.click('#compare');
  await waitDone(page);
  const report = await exportedReport(page);
  assert.deepEqual(
    [report.config.train.validation_fraction, report.config.train.patience, report.config.train.class_weight, report.config.train.lr_schedule],
    [0.2, 1, '3:1', 'plateau'], 'the engine trained with them',
  );
  const shown = await resultRows(page);
  const auc = await column(page, 'AUC');
  assert.equal(report.models.length, 3);
  for (const model of report.models) {
    const { mode, epochs, best_epoch: best } = model;
    assert.ok(epochs.length < 40, `${mode} stopped early, after ${epochs.length} epochs`);
    assert.ok(best >= 1 && best === epochs.length - 1, `${mode} stopped one epoch (the patience) after its best, ${best}`);
    assert.match(shown[mode].model, new RegExp(`best epoch ${best} of ${epochs.length}$`), `${mode}'s row names the epoch it keeps`);
    const kept = epochs.find((e) => e.epoch === best);
    assert.equal(shown[mode].cells[auc], kept.test_auc.toFixed(4), `${mode}'s AUC is the kept epoch's`);
    // The last epoch stays in the per-epoch table, the kept one marked.
    const listed = await page.$$eval(`#epochs-table tbody tr[data-mode="${mode}"]`, (rows) => rows.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.equal(listed.length, epochs.length);
    assert.equal(listed.at(-1)[4], epochs.at(-1).test_auc.toFixed(4), `${mode}'s last epoch is listed`);
    assert.deepEqual(await page.$$eval(`#epochs-table tbody tr[data-mode="${mode}"][data-kept] td`, (tds) => tds[0]?.textContent), `${best} (kept)`);
    // On the plateau schedule only an epoch without gain halves the rate: with a patience of 1 the
    // last one, which ends the model, so every epoch trained at the first one's rate.
    assert.ok(epochs.every((e) => e.learning_rate > 0 && e.learning_rate === epochs[0].learning_rate), `${mode}'s rates: ${epochs.map((e) => e.learning_rate)}`);
  }
  assert.deepEqual(errors, []);
});

test('patience without validation rows is refused naming the field, from a link and from the form', { timeout: 600_000 }, async () => {
  const { page, errors } = await open('#preset=memorize&patience=2&epochs=1');
  assert.match(await status(page), /^Patience 2 could not be used \((invalid setting: )?stopping early needs validation rows to judge by: give a validation fraction\): back to the default/);
  assert.equal(await page.$eval('#patience', (i) => i.value), '', 'the form shows patience off again');
  const fill = async (selector, value) => { await page.fill(selector, value); await page.dispatchEvent(selector, 'change'); };
  await fill('#patience', '0');
  assert.equal(await status(page), 'That value for Patience is not valid.');
  assert.equal(await page.$eval('#patience', (i) => i.getAttribute('aria-invalid')), 'true');
  await fill('#class-weight', '10:0');
  assert.equal(await status(page), 'That value for Class weights is not valid.');
  await fill('#patience', '2');
  await page.click('#train-joint');
  await page.waitForFunction(() => /^Cannot train/.test(document.querySelector('#status').textContent));
  assert.match(await status(page), /give a validation fraction/, 'the engine\'s refusal names the "Validation fraction" field');
  await fill('#validation-fraction', '0.2');
  await page.click('#train-joint');
  await waitDone(page);
  assert.match(await page.$eval('#results tbody tr th', (th) => th.textContent), /joint best epoch \d+ of 1$/);
  assert.deepEqual(errors, []);
});

test('the fit tab draws each model\'s reliability diagram for a yes/no label; its table counts every test row; the Brier shown is the export\'s', { timeout: 600_000 }, async () => {
  const { page, errors } = await open('#preset=memorize&epochs=2');
  await page.click('#compare');
  await waitDone(page);
  await page.click('#tab-fit');
  assert.equal(await page.$eval('#tab-fit', (b) => b.textContent), 'Calibration', 'a yes/no label\'s fit is its calibration');
  await page.waitForSelector('#fit[data-drawn]', { state: 'visible' });
  const size = await page.$eval('#fit', (img) => window.decodedPicture(img).then(() => [img.naturalWidth, img.naturalHeight]));
  assert.deepEqual(size, [1200, 480], 'drawn at the pictures table\'s width, two fifths as tall');
  const report = await exportedReport(page);
  const testRows = report.dataset.test_rows;
  await page.click('#fit-figure summary');
  const rows = await page.$$eval('#fit-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.mode, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]));
  const modes = [...new Set(rows.map(([mode]) => mode))];
  assert.deepEqual(modes, ['wide', 'deep', 'joint'], 'every model, in the models\' order');
  for (const mode of modes) {
    const own = rows.filter(([m]) => m === mode);
    assert.equal(own.reduce((sum, [, , count]) => sum + Number(count.replace(/,/g, '')), 0), testRows, `${mode}'s bins hold every test row`);
    for (const [, range, , predicted, observed] of own) {
      const [low, high] = range.split('–').map(Number);
      assert.ok(Number(predicted) >= low && Number(predicted) <= high, `${mode}: the mean prediction ${predicted} lies in its bin ${range}`);
      assert.ok(Number(observed) >= 0 && Number(observed) <= 1);
    }
  }
  const shown = await resultRows(page);
  const [brier, ece] = [await column(page, 'Brier'), await column(page, 'ECE')];
  for (const model of report.models) {
    const last = model.epochs.at(-1);
    assert.equal(shown[model.mode].cells[brier], last.test_brier.toFixed(4), `${model.mode}'s Brier`);
    assert.equal(shown[model.mode].cells[ece], last.test_ece.toFixed(4), `${model.mode}'s ECE`);
  }
  assert.deepEqual(errors, []);
});
