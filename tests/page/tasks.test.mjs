// Every target: the home-prices preset is a regression end to end in Debian's headless Chromium.
// The form shows the task, the race ranks by R² with the error in the label's units, every picture
// shows the task's own figures (predicted against actual, mean prices per cell and per embedded
// value; a confusion matrix and one class's share for several classes), and a reload from the
// link keeps the task.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { pageSuite } from './harness.mjs';

const open = pageSuite({ readyMs: 120_000 });
const waitDone = (page) => page.waitForFunction(() => /^Done/.test(document.querySelector('#status').textContent), null, { timeout: 600_000 });
const headings = (page, table) => page.$$eval(`${table} thead th`, (ths) => ths.map((th) => th.textContent));

test('the prices preset trains a regression ranked by R², and its link keeps the task', { timeout: 900_000 }, async () => {
  const { page, errors } = await open('#preset=prices&epochs=4');
  assert.equal(await page.$eval('#task', (s) => s.value), 'regression', 'the setup names the task');
  await page.waitForFunction(() => /Output: a number/.test(document.querySelector('#diagram-text').textContent), null, { timeout: 120_000 });
  assert.equal(await page.$eval('#regression-loss', (s) => s.value), 'squared', 'the squared error unless Huber is chosen');
  await page.click('#compare');
  await waitDone(page);
  assert.deepEqual((await headings(page, '#results')).slice(2, 7), ['R²', 'RMSE', 'MAE', 'Test loss', 'Validation R²']);
  assert.deepEqual((await headings(page, '#epochs-table')).slice(2, 8), ['Train loss', 'Test loss', 'Test R²', 'RMSE', 'MAE', 'Validation R²']);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const report = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(report.dataset.task, 'regression');
  const r2 = Object.fromEntries(report.models.map((m) => [m.mode, m.epochs.at(-1).test_r2]));
  const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => [tr.dataset.mode, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]));
  assert.deepEqual(rows.map((r) => r[0]), Object.keys(r2).sort((a, b) => r2[b] - r2[a]), 'ranked by R², best first');
  for (const [mode, , shown] of rows) assert.equal(shown, r2[mode].toFixed(4), `${mode}'s R² as reported`);
  assert.ok(r2.joint > 0.9, `joint explains the prices: R² ${r2.joint}`);
  // The fit of a number: predicted against actual, its table's ranges holding every test row.
  await page.click('#tab-fit');
  assert.equal(await page.$eval('#tab-fit', (b) => b.textContent), 'Predicted vs actual');
  await page.waitForFunction(async () => {
    const img = document.querySelector('#fit');
    return img?.src && /Predicted \(across\) against actual/.test(await (await fetch(img.src)).text());
  }, null, { timeout: 120_000 });
  await page.click('#fit-figure summary');
  assert.deepEqual(await headings(page, '#fit-table'), ['Model', 'Predicted range', 'Test rows', 'Mean predicted', 'Mean actual']);
  const bins = await page.$$eval('#fit-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.mode, Number(tr.querySelectorAll('td')[1].textContent.replace(/,/g, ''))]));
  for (const mode of ['wide', 'deep', 'joint']) {
    assert.equal(bins.filter(([m]) => m === mode).reduce((sum, [, n]) => sum + n, 0), report.dataset.test_rows, `${mode}'s ranges hold every test row`);
  }
  // The maps of a number: mean prices per cell and per embedded value, in thousands.
  await page.click('#tab-cross');
  assert.equal(await page.$eval('#map-class-row', (p) => p.hidden), true, 'no class to choose for a number');
  const drawn = (id, pattern) => page.waitForFunction(async ([id, source]) => {
    const img = document.getElementById(id);
    return img?.src && new RegExp(source).test(await (await fetch(img.src)).text());
  }, [id, pattern.source], { timeout: 120_000 });
  await drawn('cross-map', /test rows, epoch \d+: the mean price/);
  await page.click('#cross-map-figure summary');
  const observed = await page.$$eval('#cross-map-table tbody tr td:nth-child(4)', (tds) => tds.map((td) => Number(td.textContent)));
  assert.ok(observed.length > 0 && observed.every((p) => p > 50 && p < 900), `cells hold mean prices in thousands: ${observed}`);
  await page.click('#tab-embedding');
  await drawn('embedding-map', /mean price/);
  await page.click('#tab-weights');
  await page.click('#show-weights');
  await page.waitForFunction(() => document.querySelectorAll('#weights tbody tr').length > 0, null, { timeout: 60_000 });
  const largest = await page.$eval('#weights tbody tr td:last-child', (td) => Number(td.textContent.replace('−', '-')));
  assert.ok(Math.abs(largest) > 30, `the largest weight is in thousands, as the prices: ${largest}`);
  await page.click('#tab-whatif');
  await page.click('#whatif button[type="submit"]');
  await page.waitForFunction(() => /^Prediction /.test(document.querySelector('#whatif-result p')?.textContent ?? ''), null, { timeout: 60_000 });
  const said = await page.$eval('#whatif-result p', (p) => p.textContent);
  const [, total, wide, deep, bias] = said.match(/^Prediction (-?[\d.]+) = wide ([+−][\d.]+) deep ([+−][\d.]+) bias ([+−][\d.]+) \(in the label's units\)/).map((v) => Number(String(v).replace('−', '-').replace('+', '')));
  assert.ok(Math.abs(total - (wide + deep + bias)) < 0.01, `the number is the sum of its parts: ${said}`);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#task')?.value === 'regression', null, { timeout: 120_000 });
  assert.deepEqual(errors, []);
});

test('the readers preset trains four classes ranked by macro AUC, with a confusion matrix of the best model', { timeout: 900_000 }, async () => {
  const { page, errors } = await open('#preset=readers&epochs=3');
  assert.equal(await page.$eval('#task', (s) => s.value), 'multiclass', 'the setup names the task');
  await page.waitForFunction(() => /Output: 4 classes/.test(document.querySelector('#diagram-text').textContent), null, { timeout: 120_000 });
  assert.match(await page.$eval('#diagram-text', (l) => l.textContent), /Output: 4 classes softmax\(wide \+ deep \+ bias\) \(\w+, \w+, \w+, \w+; the wide part holds a weight per id and class\)/);
  await page.click('#compare');
  await waitDone(page);
  assert.match(await page.$eval('#status', (s) => s.textContent), /ranks the models by test macro AUC/);
  assert.deepEqual((await headings(page, '#results')).slice(2, 7), ['Macro AUC', 'Accuracy', 'Log-loss', 'Validation AUC', 'Worst recall']);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const report = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(report.dataset.task, 'multiclass');
  assert.deepEqual(report.dataset.classes.map(([name]) => name).sort(), ['mystery', 'romance', 'science', 'travel']);
  const auc = Object.fromEntries(report.models.map((m) => [m.mode, m.epochs.at(-1).test_auc]));
  const best = Object.keys(auc).sort((a, b) => auc[b] - auc[a])[0];
  assert.equal(await page.$eval('#results tbody tr', (tr) => tr.dataset.mode), best, 'ranked by macro AUC');
  assert.equal(await page.$eval('#confusion-box', (d) => d.hidden), false);
  const shown = await page.$$eval('#confusion tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent.replace(/,/g, '')))));
  assert.deepEqual(shown, report.models.find((m) => m.mode === best).epochs.at(-1).test_confusion, 'the best model\'s matrix, as reported');
  assert.equal(shown.flat().reduce((a, b) => a + b, 0), report.dataset.test_rows, 'every test row once');
  // The fit of several classes: each model's confusion matrix, its table each class's recall.
  await page.click('#tab-fit');
  assert.equal(await page.$eval('#tab-fit', (b) => b.textContent), 'Confusion');
  await page.waitForFunction(async () => {
    const img = document.querySelector('#fit');
    return img?.src && /Confusion on test rows/.test(await (await fetch(img.src)).text());
  }, null, { timeout: 120_000 });
  await page.click('#fit-figure summary');
  const recalls = await page.$$eval('#fit-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.mode, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]));
  const matrix = report.models.find((m) => m.mode === best).epochs.at(-1).test_confusion;
  const classes = report.dataset.classes.map(([name]) => name);
  const own = recalls.filter(([mode]) => mode === best);
  assert.deepEqual(own.map(([, name]) => name), classes, 'a row per class, in the label\'s order');
  own.forEach(([, , rows, recall], k) => {
    const total = matrix[k].reduce((a, b) => a + b, 0);
    assert.equal(Number(rows.replace(/,/g, '')), total);
    assert.equal(recall, (matrix[k][k] / total).toFixed(4), `${classes[k]}'s recall from the reported matrix`);
  });
  // The cross map shows one class's share, chosen beside its columns.
  await page.click('#tab-cross');
  assert.equal(await page.$eval('#map-class-row', (p) => p.hidden), false, 'a class to choose above the tabs');
  await page.selectOption('#map-class', 'travel');
  await page.waitForFunction(async () => {
    const img = document.querySelector('#cross-map');
    return img?.src && /the share of travel/.test(await (await fetch(img.src)).text());
  }, null, { timeout: 120_000 });
  assert.ok(await page.$$eval('#cross-map-table tbody tr', (trs) => trs.length) > 0, 'its cells as a table');
  assert.match(page.url(), /mapClass=travel/, 'the class is kept in the link');
  await page.click('#tab-embedding');
  await page.waitForFunction(async () => {
    const img = document.querySelector('#embedding-map');
    return img?.src && /share of travel/.test(await (await fetch(img.src)).text());
  }, null, { timeout: 120_000 });
  await page.waitForFunction(() => /% travel\)/.test(document.querySelector('#embedding-list').textContent), null, { timeout: 60_000 });
  await page.click('#tab-whatif');
  await page.click('#whatif button[type="submit"]');
  await page.waitForFunction(() => /Most probable: /.test(document.querySelector('#whatif-result').textContent), null, { timeout: 60_000 });
  const said = await page.$eval('#whatif-result p', (p) => p.textContent);
  const percents = [...said.matchAll(/(mystery|romance|science|travel) (\d+\.\d)%/g)].map((m) => Number(m[2]));
  assert.equal(percents.length, 4, said);
  assert.ok(Math.abs(percents.reduce((a, b) => a + b, 0) - 100) < 0.3, `the four probabilities add up: ${said}`);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#task')?.value === 'multiclass', null, { timeout: 120_000 });
  assert.match(page.url(), /mapClass=travel/, 'the reload keeps the task and the class the maps show');
  assert.deepEqual(errors, []);
});
