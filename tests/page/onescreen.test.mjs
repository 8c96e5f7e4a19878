// One screen for the front of the room, in Debian's headless Chromium: at 1366×768 and on a
// 1280×720 projector the lesson path needs no scrolling, the lesson card never covers what it
// points at, a presenter's clicker steps it from anywhere, the previous race stays on screen,
// every number a step says is one the page's tables show, and axe-core finds nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { pageSuite } from './harness.mjs';

const open = pageSuite();
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** `selector`'s bounding box in the viewport: `{left, top, right, bottom}`. */
const box = (page, selector) => page.$eval(selector, (e) => {
  const { left, top, right, bottom } = e.getBoundingClientRect();
  return { left, top, right, bottom };
});
const inside = (b, { width, height }) => b.left >= 0 && b.top >= 0 && b.right <= width && b.bottom <= height;
const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const hashParams = (page) => page.evaluate(() => Object.fromEntries(new URLSearchParams(location.hash.slice(1))));

/** axe-core's violations on the page as it is (rule ids with the elements they name). */
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => (await window.axe.run(document)).violations);
  return found.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Waits until the lesson card shows step `n` set up (its race finished, its facts said). */
const stepReady = (page, n) => page.waitForFunction((step) => {
  const card = document.querySelector('#lesson');
  return card.dataset.step === String(step) && !card.hasAttribute('aria-busy');
}, n, { timeout: 600_000 });

/**
 * How tall `selector`'s picture shows: its box's height, or less where its width binds (the
 * picture is scaled to fit its box whole, `object-fit: contain`).
 */
const pictureHeight = (page, selector) => page.$eval(selector, async (img) => {
  await window.decodedPicture(img);
  const { width, height } = img.getBoundingClientRect();
  return Math.min(height, width * img.naturalHeight / img.naturalWidth);
});
/** The least height, in CSS pixels, a lesson step's picture gets on a 1280×720 projector: a room reads it from the back. */
const PROJECTED_PICTURE = 250;

/**
 * Waits for lesson step `step`, checks that its card and its target are on screen, apart, with
 * no scrolling, adds the target's id to `seen`; resolves to the card's box and the step's sentence.
 */
async function stepInView(page, step, viewport, seen) {
  await stepReady(page, step);
  const card = await box(page, '#lesson');
  const target = await box(page, '[data-lesson-target]');
  const id = await page.$eval('[data-lesson-target]', (t) => t.id);
  seen.push(id);
  assert.ok(inside(card, viewport), `step ${step}: the card is on screen ${JSON.stringify(card)}`);
  assert.ok(inside(target, viewport), `step ${step}: #${id} is on screen ${JSON.stringify(target)}`);
  assert.ok(!overlap(card, target), `step ${step}: the card ${JSON.stringify(card)} leaves #${id} ${JSON.stringify(target)} uncovered`);
  assert.equal(await page.evaluate(() => document.scrollingElement.scrollTop), 0, `step ${step} needs no scrolling`);
  return { card, text: await page.$eval('#lesson-text', (p) => p.textContent) };
}

/** A results table's AUCs by model, as shown (`#results tbody` now, `#results tfoot` the race before). */
const aucs = (page, part) => page.$$eval(`#results ${part} tr`, (rows) => Object.fromEntries(rows.map((tr) => [tr.dataset.mode, tr.querySelectorAll('td')[1].textContent])));

for (const [width, height, projector] of [[1366, 768, false], [1280, 720, true]]) {
  test(`at ${width}×${height}${projector ? ' in the projector view' : ''} play, the data set and the lesson are on the first screen, pictures wait as plain text, and axe-core finds nothing`, { timeout: 300_000 }, async () => {
    const { page, errors } = await open(`#preset=memorize${projector ? '&projector=1' : ''}`);
    const viewport = { width, height };
    await page.setViewportSize(viewport);
    for (const selector of ['#compare', '#preset', '#lesson-choice', '#lesson-start', '#more', '#epoch-counter', '#suggestions', '#diagram', '#race-panel', '#backend']) {
      if (selector === '#backend' && projector) continue;
      const b = await box(page, selector);
      assert.ok(inside(b, viewport), `${selector} is on the first screen: ${JSON.stringify(b)}`);
    }
    assert.equal(await page.evaluate(() => document.scrollingElement.scrollTop), 0);
    assert.equal(await page.$eval('#lesson-start', (b) => b.classList.contains('primary')), true, '"Start the lesson" is a primary button');
    assert.equal(await page.$eval('#lesson-choice', (s) => s.value), 'memorize', 'the lesson menu follows the data set');
    // Before the first race: a sentence where each picture will be, never a broken-image box.
    for (const id of ['curves', 'cross-map']) {
      assert.equal(await page.$eval(`#${id}`, (img) => getComputedStyle(img).display), 'none', `${id} waits hidden`);
      assert.match(await page.$eval(`#${id} + .placeholder`, (p) => p.textContent), /appears? once a race/);
    }
    assert.deepEqual(await axeViolations(page), [], 'axe-core finds nothing before a race');
    await page.selectOption('#preset', 'adult');
    await page.waitForFunction(() => /adult\.csv: 48,842 rows/.test(document.querySelector('#data-summary').textContent));
    assert.equal(await page.$eval('#lesson-choice', (s) => s.value), 'adult', 'the lesson menu follows the data set');
    assert.deepEqual(errors, []);
  });
}

test('the memorize lesson on a 1280×720 projector: every target in view and uncovered, its cross map at least 250 px tall, PageDown from anywhere, the race before kept on screen, every number as the tables show it', { timeout: 1_200_000 }, async () => {
  const { page, errors } = await open('#preset=memorize&projector=1&epochs=2');
  const viewport = { width: 1280, height: 720 };
  await page.setViewportSize(viewport);
  assert.equal(await page.$eval('#class-speed', (b) => b.checked), false, 'the teacher races flat out');
  await page.click('#lesson-start');
  const seen = [];
  for (let step = 1; step <= 6; step += 1) {
    const { card, text } = await stepInView(page, step, viewport, seen);
    if (step === 2) {
      assert.equal(await page.$eval('#class-speed', (b) => b.checked), true, 'a lesson races at class speed');
      assert.equal((await hashParams(page)).epochs, undefined, 'a lesson races the preset\'s epochs, not the teacher\'s 2');
      for (const [mode, auc] of Object.entries(await aucs(page, 'tbody'))) assert.ok(text.includes(`${mode} (${auc})`) || text.includes(`${mode} first, test AUC ${auc}`), `step 2 says ${mode}'s AUC ${auc}: ${text}`);
    }
    if (step === 3) {
      const outlined = await page.$$eval('#cross-map-table tr[data-exception]', (rows) => rows.length);
      const said = /(\d+) cells? departs? from the deep model/.exec(text);
      assert.ok(said || /No cell departs from the deep model here/.test(text), text);
      assert.equal(said ? Number(said[1]) : 0, outlined, `step 3 counts the outlined cells the table lists: ${text}`);
      const tall = await pictureHeight(page, '#cross-map');
      assert.ok(tall >= PROJECTED_PICTURE, `step 3's cross map shows ${tall} px tall`);
      assert.ok(inside(await box(page, '#cross-map'), viewport) && !overlap(card, await box(page, '#cross-map')), 'the cross map is on screen, uncovered');
    }
    if (step === 4) {
      const marked = await page.$$eval('#weights tbody tr[data-outlined]', (rows) => rows.length);
      const listed = await page.$$eval('#weights tbody tr', (rows) => rows.length);
      const said = /(\d+) of the (\d+) weights listed are outlined cells/.exec(text);
      assert.deepEqual([Number(said?.[1]), Number(said?.[2])], [marked, listed], `step 4 counts the marked weights (◆) it lists: ${text}`);
    }
    if (step >= 5) {
      const [now, then] = [await aucs(page, 'tbody'), await aucs(page, 'tfoot')];
      assert.deepEqual(Object.keys(then).sort(), ['deep', 'joint', 'wide'], 'after a second race the first is still on screen, greyed');
      assert.match(await page.$eval('#results tfoot tr', (tr) => tr.textContent), /\(before\)/);
      const word = Number(now.joint) > Number(then.joint) ? 'rose' : Number(now.joint) < Number(then.joint) ? 'fell' : 'stayed the same';
      assert.ok(text.includes(`was ${then.joint} before`) && text.includes(`is ${now.joint} now: it ${word}`), `step ${step} compares the AUCs on screen: ${text}`);
    }
    if (step === 6) {
      assert.equal(await page.$eval('#cross-map-before-figure', (f) => f.hidden), false, 'the cross map before is beside the one after');
      assert.match(await page.$eval('#cross-map-before-caption', (c) => c.textContent), /crosses city × product/);
      assert.ok(inside(await box(page, '#cross-map-before'), viewport));
    }
    if (step < 6) {
      // A presenter's clicker: PageDown with the focus nowhere in particular.
      await page.evaluate(() => document.activeElement?.blur());
      await page.keyboard.press('PageDown');
    }
  }
  assert.deepEqual(seen, ['features', 'race-panel', 'cross-map-figure', 'weights-panel', 'results-box', 'cross-map-figure']);
  // The clicker with the focus left on the data set's menu or the class speed switch: it steps the lesson, the menu keeps its data set.
  await page.focus('#preset');
  await page.keyboard.press('PageUp');
  await stepReady(page, 5);
  assert.equal(await page.$eval('#preset', (s) => s.value), 'memorize', 'PageUp never changes the menu it was pressed on');
  await page.focus('#class-speed');
  await page.keyboard.press('PageDown');
  await stepReady(page, 6);
  await page.keyboard.press('PageUp');
  await stepReady(page, 5);
  await page.keyboard.press('Escape');
  assert.equal(await page.$eval('#lesson', (l) => l.hidden), true, 'Escape ends the lesson from anywhere');
  assert.equal(await page.$eval('#class-speed', (b) => b.checked), false, 'the teacher\'s class speed is back');
  assert.equal(await page.$eval('#epochs', (i) => i.value), '2', 'the teacher\'s epochs are back');
  assert.deepEqual(await axeViolations(page), [], 'axe-core finds nothing after the lesson\'s races');
  assert.deepEqual(errors, []);
});

test('a lesson started during a race stops it first; changing the data mid-lesson ends the lesson and clears the pictures', { timeout: 600_000 }, async () => {
  const { page, errors } = await open('#preset=adult&epochs=30');
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.click('#compare');
  await page.waitForFunction(() => document.querySelectorAll('#model-progress li').length === 3 && document.querySelector('#status').textContent.startsWith('Training'), null, { timeout: 180_000 });
  await page.selectOption('#lesson-choice', 'memorize');
  await page.click('#lesson-start');
  await stepReady(page, 1);
  assert.equal(await page.$eval('#preset', (s) => s.value), 'memorize');
  assert.doesNotMatch(await page.$eval('#status', (p) => p.textContent), /^Training/, 'the race on Adult was stopped');
  assert.equal(await page.$eval('#pause', (b) => b.disabled), true, 'nothing trains');
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('ArrowRight');
  await stepReady(page, 2);
  assert.equal(await page.$eval('#curves', (img) => Boolean(img.dataset.drawn)), true, 'the lesson\'s race drew its curves');
  await page.selectOption('#preset', 'movielens');
  await page.waitForFunction(() => /movielens-synthetic\.csv/.test(document.querySelector('#data-summary').textContent));
  assert.equal(await page.$eval('#lesson', (l) => l.hidden), true, 'the lesson ended with its data');
  assert.equal((await hashParams(page)).lesson, undefined);
  assert.equal(await page.$$eval('#results tbody tr, #results tfoot tr', (rows) => rows.length), 0, 'no results of other data');
  for (const id of ['curves', 'cross-map']) assert.equal(await page.$eval(`#${id}`, (img) => Boolean(img.dataset.drawn)), false, `${id} is cleared`);
  assert.equal(await page.$$eval('[data-lesson-target]', (marked) => marked.length), 0, 'nothing is pointed at');
  assert.deepEqual(errors, []);
});

test('settings changed after a race mark its results stale; reset clears them', { timeout: 300_000 }, async () => {
  const { page, errors } = await open('#preset=memorize&epochs=1');
  await page.click('#compare');
  await page.waitForFunction(() => /^Done/.test(document.querySelector('#status').textContent), null, { timeout: 300_000 });
  assert.equal(await page.$eval('#stale-note', (p) => p.hidden), true);
  await page.uncheck('#cross-city-product');
  assert.equal(await page.$eval('#stale-note', (p) => p.hidden), false, 'a stale picture says it is stale');
  await page.check('#cross-city-product');
  assert.equal(await page.$eval('#stale-note', (p) => p.hidden), true, 'the same settings again: not stale');
  await page.click('#reset');
  assert.equal(await page.$$eval('#results tbody tr', (rows) => rows.length), 0);
  assert.equal(await page.$eval('#curves', (img) => Boolean(img.dataset.drawn)), false);
  assert.equal(await page.$eval('#epoch-counter', (o) => o.textContent), 'Epoch 0');
  assert.deepEqual(errors, []);
});

/** The numbers a split sentence gives ("moves the … logit by X on average, the deep part by Y"), as shown. */
const splitNumbers = (text) => /logit by (-?[\d.]+) on average, the deep part by (-?[\d.]+)/.exec(text)?.slice(1);

/** The words (split at spaces and hyphens) in `selector`'s text that the layout breaks across two lines. */
function brokenWords(page, selector) {
  return page.evaluate((selector) => {
    const broken = [];
    for (const node of document.querySelectorAll(selector)) {
      const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
      for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        for (const word of text.textContent.matchAll(/[^\s-]+/g)) {
          const range = document.createRange();
          range.setStart(text, word.index);
          range.setEnd(text, word.index + word[0].length);
          if (new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1) broken.push(word[0]);
        }
      }
    }
    return broken;
  }, selector);
}

test('the Adult lesson on a 1280×720 projector: every target in view and uncovered, its embedding map at least 250 px tall, no scrolling, every number as the page shows it, and the cross map of the cross with the most outlined cells', { timeout: 1_200_000 }, async () => {
  const { page, errors } = await open('#preset=adult&projector=1');
  const viewport = { width: 1280, height: 720 };
  await page.setViewportSize(viewport);
  assert.equal(await page.$eval('#lesson-choice', (s) => s.value), 'adult');
  await page.click('#lesson-start');
  const seen = [];
  for (let step = 1; step <= 4; step += 1) {
    const { card, text } = await stepInView(page, step, viewport, seen);
    if (step === 1) {
      assert.deepEqual(await brokenWords(page, '#features .roles dd, #data-summary'), [], 'the Features column wraps between words, never inside one');
      const shownAucs = Object.entries(await aucs(page, 'tbody'));
      assert.equal(shownAucs.length, 3);
      for (const [mode, auc] of shownAucs) assert.ok(text.includes(`${mode} (${auc})`) || text.includes(`${mode} first, test AUC ${auc}`), `step 1 says ${mode}'s AUC ${auc}: ${text}`);
    }
    if (step === 2) {
      const tall = await pictureHeight(page, '#embedding-map');
      assert.ok(tall >= PROJECTED_PICTURE, `step 2's embedding map shows ${tall} px tall`);
      assert.ok(inside(await box(page, '#embedding-map'), viewport) && !overlap(card, await box(page, '#embedding-map')), 'the embedding map is on screen, uncovered');
      // Each panel's sentence names values and their positive rates as the neighbours list shows them.
      const listed = await page.$$eval('#embedding-list li', (items) => items.map((li) => li.textContent));
      const named = [...text.matchAll(/In the (\w+) model, occupation's first axis follows the positive rate \(r = -?[\d.]+\): (.+?) \((\d+)% positive\) sits far left, (.+?) \((\d+)% positive\) far right\./g)];
      const unnamed = [...text.matchAll(/In the (\w+) model, occupation's first axis does not follow/g)];
      assert.equal(named.length + unnamed.length, 2, `a sentence per panel (deep, joint): ${text}`);
      for (const [, mode, left, leftRate, right, rightRate] of named) {
        for (const [value, rate] of [[left, leftRate], [right, rightRate]]) {
          assert.ok(listed.some((line) => line.startsWith(`${mode}, ${value} (`) && line.includes(`, ${rate}% positive)`)), `${mode}'s ${value} at ${rate}% is listed: ${text}`);
        }
      }
    }
    if (step === 3) {
      const outlined = await page.$$eval('#cross-map-table tr[data-exception]', (rows) => rows.length);
      const said = /(\d+) cells? departs? from the deep model/.exec(text);
      assert.ok(said || /No cell departs from the deep model here/.test(text), text);
      assert.equal(said ? Number(said[1]) : 0, outlined, `step 3 counts the outlined cells the table lists: ${text}`);
      const pair = /The map shows (.+?) × (.+?):/.exec(text)?.slice(1);
      assert.deepEqual(await page.$$eval('#map-down, #map-across', (s) => s.map((x) => x.value)), pair, `step 3 names the pair on the map: ${text}`);
      assert.deepEqual(await page.$$eval('#cross-map-table thead th', (th) => th.slice(0, 2).map((h) => h.textContent)), pair);
      // Every other cross of two columns has no more outlined cells than the one shown.
      const crosses = await page.evaluate(() => window.playground.page.state.crosses);
      assert.ok(crosses.length > 1, 'the preset has several crosses to choose from');
      for (const other of crosses.filter((c) => c.length === 2 && c.join() !== pair.join())) {
        const count = await page.evaluate(async ([down, across]) => {
          const drawn = Number(document.querySelector('#cross-map').dataset.drawn);
          const [a, b] = ['#map-down', '#map-across'].map((s) => document.querySelector(s));
          a.value = down;
          b.value = across;
          b.dispatchEvent(new Event('change'));
          while (Number(document.querySelector('#cross-map').dataset.drawn) === drawn) await new Promise((r) => setTimeout(r, 50));
          return document.querySelectorAll('#cross-map-table tr[data-exception]').length;
        }, other);
        assert.ok(count <= outlined, `${other.join(' × ')} has ${count} outlined cells, the map shown ${outlined}`);
      }
    }
    if (step === 4) {
      const [wide, deep] = splitNumbers(text) ?? [];
      assert.ok(wide && deep, `step 4 gives the split: ${text}`);
      const diagram = await page.$eval('#diagram-text', (list) => list.textContent);
      assert.deepEqual(splitNumbers(diagram), [wide, deep], `step 4's split is the diagram's: ${text} / ${diagram}`);
    }
    if (step < 4) {
      await page.evaluate(() => document.activeElement?.blur());
      await page.keyboard.press('PageDown');
    }
  }
  assert.deepEqual(seen, ['race-panel', 'embedding-figure', 'cross-map-figure', 'diagram-figure']);
  assert.deepEqual(errors, []);
});

test('a cross is switched off by clicking it in the diagram, its button over the wide box\'s lines, and on again from its switch', { timeout: 300_000 }, async () => {
  const { page, errors } = await open('#preset=adult');
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.waitForSelector('#diagram[data-drawn]');
  const spots = await page.$$eval('#diagram-spots button', (buttons) => buttons.map((b) => b.getAttribute('aria-label')));
  assert.deepEqual(spots, ['Switch off the cross education × occupation', 'Switch off the cross native-country × occupation', 'Switch off the cross gender × age'], 'one button per cross the diagram lists');
  // Each button lies inside the picture, over the wide box's lines (the picture's top third, its middle half).
  const picture = await box(page, '#diagram');
  for (const label of spots) {
    const b = await box(page, `#diagram-spots button[aria-label="${label}"]`);
    assert.ok(b.left >= picture.left + (picture.right - picture.left) * 0.2 && b.right <= picture.right - (picture.right - picture.left) * 0.2, `${label}: across the wide box`);
    assert.ok(b.top >= picture.top && b.bottom <= picture.top + (picture.bottom - picture.top) / 2 && b.bottom > b.top, `${label}: in the wide box, ${JSON.stringify(b)} in ${JSON.stringify(picture)}`);
  }
  await page.click('#diagram-spots button[aria-label="Switch off the cross native-country × occupation"]');
  await page.waitForFunction(() => document.querySelectorAll('#diagram-spots button').length === 2);
  assert.equal(await page.$eval('#cross-native-country-occupation', (c) => c.checked), false, 'its switch stays in the list, off');
  assert.match(await page.$eval('#status', (s) => s.textContent), /^The cross native-country × occupation is off/);
  assert.equal(JSON.parse((await hashParams(page)).crosses).length, 2, 'the link keeps the two crosses left');
  await page.click('#cross-native-country-occupation');
  await page.waitForFunction(() => document.querySelectorAll('#diagram-spots button').length === 3);
  assert.deepEqual(JSON.parse((await hashParams(page)).crosses).at(-1), ['native-country', 'occupation'], 'switched on again from its switch');
  assert.deepEqual(errors, []);
});

test('another data set chosen during a race stops it first: the page is idle on the new data and races again', { timeout: 600_000 }, async () => {
  const { page, errors } = await open('#preset=memorize&classSpeed=1&epochs=6');
  await page.click('#compare');
  await page.waitForFunction(() => /^Epoch [1-5] of 6$/.test(document.querySelector('#epoch-counter').textContent), null, { timeout: 300_000 });
  await page.selectOption('#preset', 'adult');
  await page.waitForFunction(() => /^adult\.csv: 48,842 rows/.test(document.querySelector('#data-summary').textContent), null, { timeout: 300_000 });
  assert.equal(await page.$eval('#status', (s) => s.textContent), 'Press ▶ Race to train the three models.');
  assert.deepEqual(await page.$$eval('#pause, #stop', (buttons) => buttons.map((b) => b.disabled)), [true, true], 'nothing trains');
  await page.fill('#epochs', '1');
  await page.dispatchEvent('#epochs', 'change');
  await page.click('#compare');
  await page.waitForFunction(() => /^Done/.test(document.querySelector('#status').textContent), null, { timeout: 600_000 });
  assert.match(await page.$eval('#status', (s) => s.textContent), /^Done/);
  assert.deepEqual(errors, []);
});

test('memorize steps 5 and 6 opened by a link race the cross first, so the race before is on screen as they say', { timeout: 900_000 }, async () => {
  for (const step of [5, 6]) {
    const { page, errors } = await open(`#preset=memorize&lesson=memorize&step=${step}`);
    await stepReady(page, step);
    const before = await page.$$eval('#results tfoot tr', (rows) => rows.map((r) => r.textContent));
    assert.equal(before.length, 3, `step ${step}: the race with the cross stays in greyed rows: ${before}`);
    if (step === 5) assert.match(await page.$eval('#lesson-text', (p) => p.textContent), /test AUC was 0\.\d{4} before \(the greyed row\) and is 0\.\d{4} now/);
    if (step === 6) {
      assert.equal(await page.$eval('#cross-map-before-figure', (f) => f.hidden), false, 'the cross map before is beside the one after');
      assert.match(await page.$eval('#cross-map-before-caption', (c) => c.textContent), /crosses city × product/);
    }
    assert.deepEqual(errors, []);
  }
});
