// The data and its settings on screen: the settings' inputs and the link, the column table (paged
// and filtered: a file may have 100,000 columns), the lists of columns, the engine's analysis
// (leaks, suggested crosses, the diagram), and the engine's backend measured ahead of a race.
// It imports no other controller: the race, the pictures and the lessons build on it.
import { $, nextTask, setOptions } from './dom.js';
import { PRESETS } from './presets.js';
import { INPUT_KEYS, SETTINGS, columnMap, inputText, parseInput, toConfig, writeHash } from './state.js';
import * as views from './views.js';
import * as pictures from './pictures.js';
import { PICTURES, pictureImages } from './pictures-table.js';
import { base, engine, explain, inputOf, page, raceKey, say, trained, ui } from './page-state.js';

/** Fills every select the settings table gives choices for (the link accepts the same values). */
export function fillChoices() {
  for (const key of [...INPUT_KEYS, 'preset', 'backend', 'lesson']) {
    const { choices } = SETTINGS[key].codec;
    if (!choices) continue;
    const select = { preset: ui.preset, backend: $('#backend-choice'), lesson: ui.lessonChoice }[key] ?? inputOf(key);
    setOptions(select, choices.filter(([value]) => value !== ''));
  }
  ui.preset.querySelector('option[value="upload"]').disabled = true;
}

/** Writes the settings into the link (and the class-speed switch), then checks what they make stale or worth measuring. */
export function save() {
  const { state } = page;
  // Only a changed link is written: replaceState makes the browser bring the page's style up to date at once.
  const hash = writeHash(state, base(state.preset));
  if (hash !== location.hash) history.replaceState(null, '', hash);
  ui.classSpeed.checked = state.classSpeed === '1';
  showStale();
  measureAhead();
}

/** Says so when the results on screen were trained with settings other than the current ones. */
export function showStale() {
  const stale = trained() && page.shownKey !== null && page.shownKey !== raceKey();
  ui.staleNote.hidden = !stale;
  document.body.dataset.stale = String(stale);
}

/** Shows which backend trains, and why (the engine chose it, or measured both). */
export function showBackend(backend) {
  const name = backend.kind === 'webgpu' ? `WebGPU · ${backend.adapter}` : 'CPU (WebAssembly)';
  ui.backend.textContent = `Backend: ${name} — ${backend.reason}`;
  ui.backend.dataset.kind = backend.kind;
  ui.backend.dataset.measured = String(Boolean(backend.measured));
}

/** Quiet time after the last change before the backends are measured (a slider drags through many). */
const MEASURE_AFTER_MS = 300;
let measureTimer = null;
/** Whether a measurement is in flight (one at a time). */
let measuring = false;

/** Measures the backends on the current model once changes have stopped for a moment. */
function measureAhead() {
  clearTimeout(measureTimer);
  measureTimer = setTimeout(measureNow, MEASURE_AFTER_MS);
}

/**
 * Under the automatic choice, has the worker time both backends on the current model while the
 * page is idle, and shows the figures: a click then trains without measuring. One measurement at a
 * time, and only of a model not measured yet (settings that change no model, like the projector
 * view, cost nothing); one that fails now is measured again, and its problem said, at the click.
 */
async function measureNow() {
  const { state, schema, phase } = page;
  if (state.backend !== 'auto' || !schema || phase === 'running' || phase === 'paused' || measuring) return;
  const config = toConfig(state, views.MODES);
  const key = JSON.stringify(config);
  if (key === page.measuredKey) return;
  measuring = true;
  const reply = await engine.request('measure', { config }).catch(() => null);
  measuring = false;
  page.measuredKey = key;
  if (reply?.backend && page.phase !== 'running') showBackend(reply.backend);
  measureNow();
}

/** Has the engine load a preset's data (fetched, or generated in the worker); resolves to its schema reply. */
export async function readPreset(name) {
  const { load } = PRESETS[name];
  if (!load.url) return engine.request('preset', { name: load.preset });
  const bytes = await (await fetch(load.url)).arrayBuffer();
  return engine.request('load', { files: [{ name: load.name, bytes }] }, [bytes]);
}

/**
 * Has the engine read `list` (File objects) together; resolves to its schema reply. The files
 * go as they are (the worker reads them, one file in pieces), so the page never holds their
 * bytes. `sent()` is called once they are on their way: from then on only ending the worker
 * stops the load.
 */
export function readFiles(list, sent = () => {}) {
  const reply = engine.request('load', { files: list });
  sent();
  return reply;
}

/** Loads the data the engine held (`page.source`) into a fresh one; the words that say how it went. */
export async function reload() {
  const { source } = page;
  try {
    await (source.files ? readFiles(source.files) : readPreset(source.preset));
    return ` and ${source.name} reloaded`;
  } catch (error) {
    return `, but ${source.name} could not be reloaded: ${explain(error)}`;
  }
}

/** Puts the state's training options into their inputs (after a preset or a link set them). */
export function syncInputs() {
  for (const key of INPUT_KEYS) inputOf(key).value = inputText(key, page.state[key]);
  for (const id of ['#l1', '#l2', '#wide-lr']) $(id).disabled = page.state.wideOptimizer !== 'ftrl';
  $('#backend-choice').value = page.state.backend;
}

/**
 * Everything about the data: the label, the column table and the lists of columns. A wide file
 * shows a page of its table and lists at most views.LIST_MAX columns: "Find a column" reaches
 * the rest; and it draws them in three tasks (the table, the lists, the rest), so the page
 * answers between them whatever the number of columns. Other files are drawn at once.
 */
export async function renderData() {
  const wide = page.schema.columns.length > views.LIST_MAX;
  syncInputs();
  views.renderLabel(ui, page.schema, page.state, page.columnFilter);
  renderColumns();
  if (wide) await nextTask();
  const { schema, state, columnFilter } = page;
  const names = schema.columns.filter((c) => c.name !== state.label).map((c) => c.name);
  views.setColumnOptions(ui.crossA, names, columnFilter);
  views.setColumnOptions(ui.crossB, names, columnFilter, names[1]);
  views.setColumnOptions(ui.crossC, names, columnFilter, '', [['', '(none)']]);
  const [down, across] = mapPair();
  views.setColumnOptions(ui.mapDown, names, columnFilter, down);
  views.setColumnOptions(ui.mapAcross, names, columnFilter, across);
  views.setColumnOptions(ui.embeddingColumn, names, columnFilter, embeddingColumn());
  if (wide) await nextTask();
  views.renderRoles(ui.roleSummary, page.diagramInputs, page.schema, page.state);
  page.whatIfDrawn = false;
  if (!whatIfPanel().hidden) renderWhatIf();
}

const whatIfPanel = () => ui.whatif.closest('[role="tabpanel"]');

/**
 * The what-if's fields, drawn when its panel shows (see bindData): a wide file's hundreds of
 * inputs and their suggestions cost nothing while another picture is on screen.
 */
function renderWhatIf() {
  const { schema, state, columnFilter } = page;
  const more = views.renderWhatIf(ui.whatifFields, schema, state, columnFilter);
  ui.whatifNote.textContent = more ? `${more.toLocaleString()} more columns the model reads are not listed and count as missing: type in "Find a column" to list them.` : '';
  page.whatIfDrawn = true;
}

/** The page of the column table, and where it is among the columns that match the filter. */
function renderColumns() {
  const view = views.schemaPage(page.schema.columns, page.columnFilter, page.columnPage);
  page.columnPage = view.page;
  views.renderSchema(ui.schema, view.columns, page.state, setRole);
  const matching = page.columnFilter.trim() ? ` matching "${page.columnFilter.trim()}"` : '';
  ui.columnCount.textContent = view.found
    ? `Columns ${(view.first + 1).toLocaleString()}–${(view.first + view.columns.length).toLocaleString()} of ${view.found.toLocaleString()}${matching}.`
    : `No column${matching}.`;
  ui.columnsPrevious.disabled = view.page === 0;
  ui.columnsNext.disabled = view.page >= view.last;
}

/** Gives `column` a role (the column table's menu), and has the engine analyse the setup again. */
function setRole(column, role) {
  page.state.roles = columnMap({ ...page.state.roles, [column]: role });
  save();
  refreshAnalysis();
}

/** The cross map's two columns: the user's choice, else the first cross's, else the first two columns. */
export function mapPair() {
  const { state } = page;
  if (state.map.length === 2) return state.map;
  const cross = state.crosses[0];
  if (cross) return cross.slice(0, 2);
  return views.featureColumns(page.schema, state, 2);
}

/** The embedding map's column: the user's choice, else the first categorical feature. */
export function embeddingColumn() {
  if (page.state.embed) return page.state.embed;
  return views.featureColumns(page.schema, page.state, 1, ['categorical', 'id', 'multi_categorical'])[0] ?? '';
}

/**
 * Asks the engine to screen the current setup on its training rows: the schema with columns that
 * give the label away flagged (left out unless given a role), crosses worth trying, and the
 * diagram of the model it describes.
 */
export async function refreshAnalysis() {
  try {
    const { analysis, diagramSvg, diagramSpots } = await engine.request('analyze', { config: toConfig(page.state, ['joint']), projector: page.state.projector === '1' });
    page.schema = analysis.schema;
    page.suggestions = analysis.suggestions;
    page.schema.columns.forEach((column, i) => { column.role = analysis.roles[i]; });
    page.diagramInputs = analysis.diagram.inputs;
    ui.summary.dataset.leaks = String(analysis.leaks.length);
    if (!trained()) {
      pictures.show(pictureImages().diagram, diagramSvg);
      showSpots(diagramSpots);
      pictures.renderDiagramText(ui.diagramText, analysis.diagram);
    }
  } catch (error) {
    page.suggestions = [];
    say(`No cross suggestions: ${explain(error)}`, true);
  }
  await nextTask();
  renderData();
  views.renderCrosses(ui.crosses, page.suggestions, page.state, setCross, page.switchedOff);
}

/** The buttons over the diagram's crosses (see views.js's renderSpots), for the diagram on screen. */
export function showSpots(spots) {
  const { width, height } = PICTURES.diagram;
  views.renderSpots($('#diagram-spots'), spots, width, height);
}

/** Turns a cross on or off in the state (the switch already shows it). */
function setCross(columns, on) {
  const others = page.state.crosses.filter((c) => !views.sameCross(c, columns));
  page.switchedOff = page.switchedOff.filter((c) => !views.sameCross(c, columns));
  if (!on) page.switchedOff.push(columns);
  page.state.crosses = on ? [...others, columns] : others;
  save();
  refreshAnalysis();
}

/** A setting changed by its control: into the state and the link, and the analysis again if it changes what the engine screens. */
function changeSettings(values, analyse = true) {
  Object.assign(page.state, values);
  save();
  if (analyse) refreshAnalysis();
}

/** Wires the data's controls: the label, the crosses, the training options and the column table. */
export function bindData() {
  // However its tab is chosen (a click, the arrow keys, a lesson's step), the what-if's panel shows by losing `hidden`.
  new MutationObserver(() => { if (!whatIfPanel().hidden && !page.whatIfDrawn) renderWhatIf(); })
    .observe(whatIfPanel(), { attributes: true, attributeFilter: ['hidden'] });
  ui.label.addEventListener('change', () => changeSettings({ label: ui.label.value, positive: '', threshold: '' }));
  ui.positive.addEventListener('change', () => { ui.threshold.value = ''; changeSettings({ positive: ui.positive.value, threshold: '' }); });
  ui.threshold.addEventListener('change', () => { ui.positive.value = ''; changeSettings({ threshold: ui.threshold.value, positive: '' }); });
  // A cross clicked in the diagram is switched off (its switch in the list follows).
  $('#diagram-spots').addEventListener('click', (event) => {
    const name = event.target.closest('button[data-name]')?.dataset.name;
    const columns = page.state.crosses.find((c) => c.join(' x ') === name);
    if (!columns) return say(`The cross ${name.replaceAll(' x ', ' × ')} is already off: ▶ Race draws the model as it is now.`);
    setCross(columns, false);
    say(`The cross ${columns.join(' × ')} is off: press ▶ Race to see what the model loses without it.`);
  });
  $('#add-cross').addEventListener('click', () => {
    const columns = [...new Set([ui.crossA.value, ui.crossB.value, ui.crossC.value].filter(Boolean))];
    if (columns.length < 2) return say('A cross needs two different columns.', true);
    setCross(columns, true);
  });
  for (const key of INPUT_KEYS) {
    const input = inputOf(key);
    input.addEventListener('change', () => {
      const value = parseInput(key, input.value);
      input.setAttribute('aria-invalid', String(value === undefined));
      if (value === undefined) return say(`That value for ${input.labels[0].textContent} is not valid.`, true);
      changeSettings({ [key]: value }, false);
      if (key === 'wideOptimizer') syncInputs();
      if (SETTINGS[key].analysis) refreshAnalysis();
    });
  }
  ui.columnFilter.addEventListener('input', () => {
    page.columnFilter = ui.columnFilter.value;
    page.columnPage = 0;
    renderData();
  });
  ui.columnsPrevious.addEventListener('click', () => { page.columnPage -= 1; renderColumns(); });
  ui.columnsNext.addEventListener('click', () => { page.columnPage += 1; renderColumns(); });
}
