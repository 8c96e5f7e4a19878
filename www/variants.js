// Try variants: a few configurations of the joint model raced on the loaded file (the engine's
// sweep, trained in slices by the first worker), each over several seeds, ranked by the best
// epoch's validation score with the spread over the seeds, and the winner kept as the page's
// settings. A cross suggestion's "Race it" starts one with that cross on and off.
import { $, el, metric, replaceChildren } from './dom.js';
import { engine, explain, page } from './page-state.js';
import { fromConfig, toConfig } from './state.js';
import { refreshAnalysis, save, syncInputs } from './data.js';
import { pictureImages } from './pictures-table.js';
import * as pictures from './pictures.js';
import { sameCross } from './views.js';
import { throttle } from './throttle.js';

/** The race of variants on screen: the variants (`[{name, config}]`, the base first), the latest slice's progress, and whether it trains. */
const shown = { variants: [], progress: null, running: false };
/** The table and the status are redrawn at most this often: a slice comes every ~50 ms, and each repaint (and each sentence a screen reader reads) costs. */
const SHOW_MS = 250;
const drawing = throttle(() => SHOW_MS, () => show());

/** A column name as a `SETTING=VALUES` list writes it: quoted when it holds a comma, a quote or a semicolon. */
const quoted = (name) => (/[",;]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name);

/** What "Race it" varies for a cross: the base as the page has it now (on or off), then the other. */
const crossVary = (columns) => {
  const on = page.state.crosses.some((c) => sameCross(c, columns));
  return `cross=${columns.map(quoted).join(',')}:${on ? 'on,off' : 'off,on'}`;
};

const status = (text, isError = false) => {
  const line = $('#variants-status');
  line.textContent = text;
  line.classList.toggle('error', isError);
};

/** What an empty Vary field races: the first cross in use (or suggested) on and off, else three embedding sizes. */
function defaultVary() {
  const cross = page.state.crosses[0] ?? page.suggestions[0]?.columns;
  return cross ? crossVary(cross) : 'embedding-dim=4,8,16';
}

/** Starts a race of the variants `vary` describes (settings split by `;`) over the page's settings. */
async function tryVariants(vary = page.state.vary || defaultVary()) {
  if (!page.schema) return status('Load data first.', true);
  if (page.phase === 'running' || page.phase === 'paused') return status('A race of the models is on: stop it first.', true);
  Object.assign(page.state, { vary });
  $('#vary').value = vary;
  save();
  try {
    const { variants } = await engine.request('variants', { config: toConfig(page.state, ['joint']), vary, seeds: page.state.seeds, projector: page.state.projector === '1' });
    Object.assign(shown, { variants, progress: null, running: true });
  } catch (error) {
    return status(`Cannot try variants: ${explain(error)}`, true);
  }
  pictures.clear(pictureImages().variants);
  render();
  status(`Training ${shown.variants.length} variants × ${page.state.seeds} seeds of the joint model…`);
}

/**
 * A slice of the race of variants, its end before its last run (no `progress`), or its failure
 * (what the worker says unasked). Slices of a race already ended (a race of the models took the
 * engine) are let go.
 */
export function onVariantsMessage(message) {
  if (!shown.running) return;
  if (message.type === 'variantsProgress' && !message.progress) return endVariants('the engine was asked for something else');
  if (message.type === 'error') {
    shown.running = false;
    drawing.now();
    return status(`The race of variants failed: ${explain(message)}`, true);
  }
  const { progress } = message;
  shown.progress = progress;
  if (progress.svg) pictures.show(pictureImages().variants, progress.svg);
  if (progress.done) {
    shown.running = false;
    drawing.now();
  } else drawing.soon();
}

/** The table, the buttons and the status line, for the latest slice. */
function show() {
  render();
  const { progress } = shown;
  if (progress) status(progress.done || !shown.running ? progress.said : running(progress));
}

/** Where the race stands, in words. */
function running({ finished, runs, current }) {
  const [name, seed, epoch] = current ?? [];
  return current ? `Run ${finished + 1} of ${runs}: ${name}, seed ${seed}, epoch ${epoch}.` : `${finished} of ${runs} runs done.`;
}

/** The ranking as a table, and the buttons for where the race stands. */
function render() {
  const table = $('#variants-table');
  const scores = shown.progress?.scores ?? [];
  const measure = scores[0]?.measure ?? 'score';
  replaceChildren(table.tHead, [el('tr', {}, ['Rank', 'Variant', `Validation ${measure}`, '± spread', 'Against the base', `Test ${measure}`, 'Seeds'].map((text) => el('th', { scope: 'col', textContent: text })))]);
  replaceChildren(table.tBodies[0], scores.map((s, i) => el('tr', { className: s.index === 0 ? 'base' : '' }, [
    el('td', { textContent: String(i + 1) }), el('th', { scope: 'row', textContent: s.variant }),
    ...[metric(s.mean), metric(s.spread), s.versus, metric(s.test_mean), String(s.validation.length)].map((text) => el('td', { textContent: text })),
  ])));
  $('#stop-variants').disabled = !shown.running;
  $('#keep-winner').disabled = shown.running || !scores.length || scores[0].index === 0 || !Number.isFinite(scores[0].mean);
}

/** Stops the race of variants (the ranking so far stays). */
async function stopVariants() {
  if (!shown.running) return;
  shown.running = false;
  try {
    await engine.request('stop', {});
  } catch (error) {
    return status(explain(error), true);
  }
  drawing.now();
  status(`Stopped. ${shown.progress?.said ?? 'No run finished.'}`);
}

/** Adopts the winner: the settings in which it differs from the base become the page's. */
function keepWinner() {
  const winner = shown.variants[shown.progress?.scores[0]?.index];
  if (!winner) return;
  const [base, won] = [fromConfig(shown.variants[0].config), fromConfig(winner.config)];
  const changed = Object.fromEntries(Object.entries(won).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(base[key])));
  Object.assign(page.state, changed);
  save();
  syncInputs();
  refreshAnalysis();
  status(`Kept: ${winner.name}. Press ▶ Race to see it against wide and deep.`);
}

/** The race of variants ends as the engine moves on to a race of the models: its table stays until the next one. */
export function endVariants(why) {
  if (!shown.running) return;
  shown.running = false;
  drawing.now();
  status(`Stopped: ${why}. ${shown.progress?.said ?? 'No run finished.'}`);
}

/** The race of variants is forgotten (new data, a restarted engine): its variants were the old data's. */
export function forgetVariants(why) {
  const was = shown.running || shown.progress;
  Object.assign(shown, { variants: [], progress: null, running: false });
  drawing.cancel();
  render();
  pictures.clear(pictureImages().variants);
  if (was) status(`The race of variants was cleared: ${why}.`);
}

/** Wires the panel's buttons, the top bar's *Try variants* and each cross suggestion's *Race it*. */
export function bindVariants() {
  render();
  $('#run-variants').addEventListener('click', () => tryVariants());
  $('#stop-variants').addEventListener('click', stopVariants);
  $('#keep-winner').addEventListener('click', keepWinner);
  $('#try-variants').addEventListener('click', () => {
    $('#variants-panel').scrollIntoView({ block: 'start' });
    $('#variants-panel').focus({ preventScroll: true });
    tryVariants();
  });
  $('#suggestions').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-cross]');
    if (!button) return;
    $('#variants-panel').scrollIntoView({ block: 'start' });
    tryVariants(crossVary(JSON.parse(button.dataset.cross)));
  });
}
