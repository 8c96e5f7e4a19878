// The playground's controller: wires the page to the engine worker, the URL state, the views,
// the pictures and the lessons. The page never loads the engine's module: the worker does.
import { $, download, replaceChildren, setOptions } from './dom.js';
import { EngineClient, endedError } from './worker-client.js';
import { PRESETS } from './presets.js';
import {
  CONFIG_KEYS, INPUT_KEYS, LABELS, SETTINGS, columnMap, defaults, fromConfig, inputText, parseInput, readHash, setupSettings, shown, toConfig, useCoreDefaults, withSettings, writeHash,
} from './state.js';
import * as views from './views.js';
import * as pictures from './pictures.js';
import { LESSONS, LessonCard } from './lesson.js';
import { Tabs } from './tabs.js';
import * as facts from './lesson-facts.js';
import { Race, workerCount } from './race.js';

/** The first worker: it holds the file, analyses it, draws the pictures, and trains. */
const engine = new EngineClient();
/** The workers of a race (the first one, and up to two more made when a race needs them). */
const racers = new Race(engine, (client, message) => onWorkerMessage(client, message));
/** For the console, the tests and the benchmark: the race's workers, and for each set of pictures
 * the workers' time on it and the time from asking them to showing the drawings (ms). */
const pictureTimes = [];
window.playground = { racers, pictureTimes };
/** A preset's settings (its setup's, from the core) over the defaults: what a link's values override. */
const base = (preset) => {
  const setup = PRESETS[preset]?.setup;
  return { ...withSettings(defaults(), setup ? setupSettings(setup) : {}), preset };
};
/** Filled at start-up, once the engine has handed over the core's defaults. */
let state = null;
/** The loaded file's schema, with the current label's leaks flagged (from the engine's analysis). */
let schema = null;
/**
 * What the engine holds, to load it again into a fresh worker after a crash, a hang or a
 * cancelled load: `{name, preset}` (a preset, fetched or generated again) or `{name, files}` (the
 * File objects the user gave: the browser keeps their bytes, so nothing is copied here). Set
 * when a load succeeds, so a load that fails or is cancelled leaves the previous data's.
 */
let source = null;
/** The "Find a column" box's text, and the page of the column table shown (a file may have 100,000 columns). */
let columnFilter = '';
let columnPage = 0;
let suggestions = [];
/** The columns the engine says the configured model reads, and into which part (its diagram's inputs). */
let diagramInputs = [];
let runs = [];
let phase = 'idle'; // idle | running | paused | done
/** The settings of the last race that ran to its end, and a promise for the one in progress. */
let finishedRace = null;
let raceEnd = null;
/** The epoch round the pictures were last drawn for. */
let drawnRound = 0;
/** Whether an epoch finished since the tables were drawn: they are redrawn with the progress bars. */
let tablesStale = false;

const ui = {
  backend: $('#backend'), preset: $('#preset'), story: $('#story'), file: $('#file'), drop: $('#drop'),
  loadProgress: $('#load-progress'), cancelLoad: $('#cancel-load'), loadError: $('#load-error'), summary: $('#data-summary'),
  columnFilter: $('#column-filter'), columnCount: $('#column-count'), columnsPrevious: $('#columns-previous'), columnsNext: $('#columns-next'),
  label: $('#label'), positive: $('#positive'), threshold: $('#threshold'), schema: $('#schema tbody'),
  crosses: $('#suggestions'), crossA: $('#cross-a'), crossB: $('#cross-b'), crossC: $('#cross-c'),
  status: $('#status'), modelProgress: $('#model-progress'), curves: $('#curves'), results: $('#results tbody'), epochs: $('#epochs-table tbody'),
  diagram: $('#diagram'), diagramText: $('#diagram-text'), crossMap: $('#cross-map'), crossMapTable: $('#cross-map-table'),
  mapDown: $('#map-down'), mapAcross: $('#map-across'), embedding: $('#embedding-map'), embeddingColumn: $('#embedding-column'), embeddingList: $('#embedding-list'),
  insideModel: $('#inside-model'), weights: $('#weights tbody'), whatifFields: $('#whatif-fields'), whatifNote: $('#whatif-note'), whatif: $('#whatif'), whatifResult: $('#whatif-result'),
  modelMode: $('#model-mode'), shareStatus: $('#share-status'), scoreFile: $('#score-file'), projector: $('#projector'),
  epochCounter: $('#epoch-counter'), classSpeed: $('#class-speed'), resultsBefore: $('#results-before'), roleSummary: $('#role-summary'),
  crossMapBefore: $('#cross-map-before'), crossMapBeforeFigure: $('#cross-map-before-figure'), crossMapBeforeCaption: $('#cross-map-before-caption'),
  staleNote: $('#stale-note'), lessonChoice: $('#lesson-choice'),
};
/** The pictures' tabs (cross map, embedding map, weights by name, what-if). */
const tabs = new Tabs($('.tabs'));

/** Class speed: the fewest milliseconds between two epochs, so a room sees each one land. */
const CLASS_EPOCH_MS = 1000;
const pace = () => (state.classSpeed === '1' ? CLASS_EPOCH_MS : 0);
/**
 * The previous race, kept on screen under the current one: its runs (ghost curves, a greyed
 * results row) and its cross map (drawn small beside the new one). Null until a second race.
 */
let before = null;
/** The race key ([`raceKey`]) of the results on screen: when the settings move on, they are stale. */
let shownKey = null;
/** The epochs the race on screen aims for (its setting, plus each "one more epoch"). */
let epochTarget = 0;
/** What the pictures on screen show, for a lesson's facts: the cross map's data, the logit split, the named weights. */
let lastMap = null;
let lastSplit = null;
let lastMaps = null;
let shownWeights = [];
/** The crosses of the race on screen, in words (the caption of its cross map once it is the one before). */
let shownSettings = '';
/** The crosses of `state` in words. */
const crossWords = ({ crosses }) => (crosses.length ? `crosses ${crosses.map((c) => c.join(' × ')).join(', ')}` : 'no cross');

/** A setting's own form control (see the settings table, state.js). */
const inputOf = (key) => document.getElementById(SETTINGS[key].input);

/** Fills every select the settings table gives choices for (the link accepts the same values). */
function fillChoices() {
  for (const key of [...INPUT_KEYS, 'preset', 'backend', 'lesson']) {
    const { choices } = SETTINGS[key].codec;
    if (!choices) continue;
    const select = { preset: ui.preset, backend: $('#backend-choice'), lesson: ui.lessonChoice }[key] ?? inputOf(key);
    setOptions(select, choices.filter(([value]) => value !== ''));
  }
  ui.preset.querySelector('option[value="upload"]').disabled = true;
}

function save() {
  history.replaceState(null, '', writeHash(state, base(state.preset)));
  ui.classSpeed.checked = state.classSpeed === '1';
  showStale();
  measureAhead();
}

/** Says so when the results on screen were trained with settings other than the current ones. */
function showStale() {
  const stale = runs.some((r) => r.epochs.length) && shownKey !== null && shownKey !== raceKey();
  ui.staleNote.hidden = !stale;
  document.body.dataset.stale = String(stale);
}

function say(text, isError = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', isError);
}

/** An engine error in this page's words: its message, and which control fixes it. */
const explain = (error) => views.describeError(error);

function showBackend(backend) {
  const name = backend.kind === 'webgpu' ? `WebGPU · ${backend.adapter}` : 'CPU (WebAssembly)';
  ui.backend.textContent = `Backend: ${name} — ${backend.reason}`;
  ui.backend.dataset.kind = backend.kind;
  ui.backend.dataset.measured = String(Boolean(backend.measured));
}

/** Quiet time after the last change before the backends are measured (a slider drags through many). */
const MEASURE_AFTER_MS = 300;
let measureTimer = null;
/** The model the last measurement was of (forgotten when new data loads or the backend choice changes), and whether one is in flight. */
let measuredKey = null;
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
  if (state.backend !== 'auto' || !schema || phase === 'running' || phase === 'paused' || measuring) return;
  const config = toConfig(state, views.MODES);
  const key = JSON.stringify(config);
  if (key === measuredKey) return;
  measuring = true;
  const reply = await engine.request('measure', { config }).catch(() => null);
  measuring = false;
  measuredKey = key;
  if (reply?.backend && phase !== 'running') showBackend(reply.backend);
  measureNow();
}

/**
 * Runs `show` at most once every `interval()` milliseconds (asked each time, so it may change):
 * `soon()` asks for it (once, however often it is asked before it runs), `now()` runs it at once
 * and returns what it returns, `cancel()` drops a request.
 */
function throttle(interval, show) {
  let last = -Infinity;
  let timer = null;
  const cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  const now = () => {
    cancel();
    last = performance.now();
    return show();
  };
  const soon = () => {
    timer ??= setTimeout(now, Math.max(0, last + interval() - performance.now()));
  };
  return { soon, now, cancel };
}

// ---- data ----

async function loadPreset(name, keepSettings) {
  const preset = PRESETS[name];
  const next = keepSettings ? state : { ...base(name), backend: state.backend, projector: state.projector, classSpeed: state.classSpeed, lesson: state.lesson, step: state.step };
  ui.preset.value = name;
  if (LESSONS[name]) ui.lessonChoice.value = name;
  ui.loadError.hidden = true;
  try {
    if (preset.load.drop) {
      showPreset(next, name);
      ui.drop.classList.add('waiting');
      if (schema?.columns.some((c) => c.name === 'liked')) await applySetup(preset.load.setup);
      else ui.summary.textContent = 'Drop a MovieLens archive (ml-1m.zip, ml-100k.zip) or its files here to begin.';
    } else {
      const reply = await readPreset(name);
      showPreset(next, name);
      await receiveSchema(reply, preset.load.name, { name: preset.load.name, preset: name });
    }
  } catch (error) {
    ui.preset.value = state.preset;
    showLoadError(error);
  }
}

/** Makes `next` the state, on preset `name`, and tells its story. */
function showPreset(next, name) {
  state = { ...next, preset: name };
  replaceChildren(ui.story, PRESETS[name].story.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
}

/** Has the engine load a preset's data (fetched, or generated in the worker); resolves to its schema reply. */
async function readPreset(name) {
  const { load } = PRESETS[name];
  if (!load.url) return engine.request('preset', { name: load.preset });
  const bytes = await (await fetch(load.url)).arrayBuffer();
  return engine.request('load', { files: [{ name: load.name, bytes }] }, [bytes]);
}

/**
 * Has the engine read `list` (File objects) together; resolves to its schema reply. `sent()` is
 * called once the bytes are on their way: from then on only ending the worker stops the load.
 */
async function readFiles(list, sent = () => {}) {
  const files = await Promise.all(list.map(async (file) => ({ name: file.name, bytes: await file.arrayBuffer() })));
  const reply = engine.request('load', { files }, files.map((f) => f.bytes));
  sent();
  return reply;
}

/** Loads what the user dropped or chose: one CSV, a zip archive, or MovieLens's files together. */
async function loadFiles(fileList) {
  const list = [...fileList];
  ui.loadError.hidden = true;
  ui.loadProgress.hidden = false;
  ui.loadProgress.value = 0;
  try {
    const reply = await readFiles(list, () => (ui.cancelLoad.hidden = false));
    const name = list.map((f) => f.name).join(', ');
    const setup = PRESETS[state.preset]?.load.setup;
    if (!setup) {
      state = { ...state, preset: 'upload', label: '', positive: '', threshold: '', roles: columnMap(), kinds: columnMap(), crosses: [], map: [], embed: '' };
      ui.preset.value = 'upload';
      ui.story.replaceChildren();
    }
    await receiveSchema(reply, name, { name, files: list });
    if (setup) await applySetup(setup);
  } catch (error) {
    showLoadError(error);
  } finally {
    ui.loadProgress.hidden = true;
    ui.cancelLoad.hidden = true;
    ui.drop.classList.remove('waiting');
  }
}

/**
 * Stops a load in progress: the worker reading the file is ended (nothing else stops a parse) and
 * a fresh one takes the previous data again; the page never stopped showing it.
 */
function cancelLoad() {
  engine.end(endedError('you cancelled it', 'cancelled'));
  restartEngine('Loading was cancelled, so the engine was stopped');
}

/** Takes a study's whole setup (`seed`, `ids`) for the loaded data from the engine. */
async function applySetup(name) {
  const { config } = await engine.request('setup', { name });
  Object.assign(state, fromConfig(config));
  save();
  renderData();
  await refreshAnalysis();
}

function showLoadError(error) {
  ui.loadError.textContent = `Could not load that file: ${explain(error)} The previous data is still loaded.`;
  ui.loadError.hidden = false;
}

/** Shows the data the engine has just read (`loaded`: what to read again after a restart). */
async function receiveSchema(reply, name, loaded) {
  ({ schema } = await reply);
  source = loaded;
  columnPage = 0;
  measuredKey = null;
  pictureDrawing.cancel();
  forgetRuns();
  if (!schema.columns.some((c) => c.name === state.label)) state.label = schema.label ?? schema.columns[schema.columns.length - 1].name;
  ui.summary.textContent = `${name}: ${schema.rows.toLocaleString()} rows, ${schema.columns.length.toLocaleString()} columns.` + schema.notes.map((n) => ` Note: ${n}.`).join('');
  renderData();
  await refreshAnalysis();
  save();
}

/**
 * Forgets the runs on screen and the one before (new data, a reset, a restarted engine): the
 * tables empty and every picture but the diagram back to its placeholder, none of them stale.
 */
function forgetRuns() {
  runs = [];
  before = null;
  finishedRace = null;
  [lastMap, lastSplit, lastMaps, shownWeights] = [null, null, null, []];
  shownKey = null;
  epochTarget = 0;
  latest.clear();
  renderTables();
  views.renderProgress(ui.modelProgress, []);
  for (const img of [ui.curves, ui.crossMap, ui.embedding, ui.crossMapBefore]) pictures.clear(img);
  for (const id of ['#map-png', '#map-svg']) $(id).disabled = true;
  for (const list of [ui.weights, ui.embeddingList, ui.whatifResult]) list.replaceChildren();
  pictures.renderCrossMapTable(ui.crossMapTable, null);
  showBefore();
  showStale();
}

/** Puts the state's training options into their inputs (after a preset or a link set them). */
function syncInputs() {
  for (const key of INPUT_KEYS) inputOf(key).value = inputText(key, state[key]);
  for (const id of ['#l1', '#l2', '#wide-lr']) $(id).disabled = state.wideOptimizer !== 'ftrl';
  $('#backend-choice').value = state.backend;
}

/**
 * Everything about the data: the label, the column table and the lists of columns. A wide file
 * shows a page of its table and lists at most views.LIST_MAX columns: "Find a column" reaches
 * the rest, so the page stays responsive whatever the number of columns.
 */
function renderData() {
  syncInputs();
  views.renderLabel(ui, schema, state, columnFilter);
  renderColumns();
  const names = schema.columns.filter((c) => c.name !== state.label).map((c) => c.name);
  views.setColumnOptions(ui.crossA, names, columnFilter);
  views.setColumnOptions(ui.crossB, names, columnFilter, names[1]);
  views.setColumnOptions(ui.crossC, names, columnFilter, '', [['', '(none)']]);
  const [down, across] = mapPair();
  views.setColumnOptions(ui.mapDown, names, columnFilter, down);
  views.setColumnOptions(ui.mapAcross, names, columnFilter, across);
  views.setColumnOptions(ui.embeddingColumn, names, columnFilter, embeddingColumn());
  const more = views.renderWhatIf(ui.whatifFields, schema, state, columnFilter);
  views.renderRoles(ui.roleSummary, diagramInputs, schema, state);
  ui.whatifNote.textContent = more ? `${more.toLocaleString()} more columns the model reads are not listed and count as missing: type in "Find a column" to list them.` : '';
}

/** The page of the column table, and where it is among the columns that match the filter. */
function renderColumns() {
  const view = views.schemaPage(schema.columns, columnFilter, columnPage);
  columnPage = view.page;
  views.renderSchema(ui.schema, view.columns, state, setRole);
  const matching = columnFilter.trim() ? ` matching "${columnFilter.trim()}"` : '';
  ui.columnCount.textContent = view.found
    ? `Columns ${(view.first + 1).toLocaleString()}–${(view.first + view.columns.length).toLocaleString()} of ${view.found.toLocaleString()}${matching}.`
    : `No column${matching}.`;
  ui.columnsPrevious.disabled = view.page === 0;
  ui.columnsNext.disabled = view.page >= view.last;
}

function setRole(column, role) {
  state.roles = columnMap({ ...state.roles, [column]: role });
  save();
  refreshAnalysis();
}

/** The cross map's two columns: the user's choice, else the first cross's, else the first two columns. */
function mapPair() {
  if (state.map.length === 2) return state.map;
  const cross = state.crosses[0];
  if (cross) return cross.slice(0, 2);
  return views.featureColumns(schema, state, 2);
}

/** The embedding map's column: the user's choice, else the first categorical feature. */
function embeddingColumn() {
  if (state.embed) return state.embed;
  return views.featureColumns(schema, state, 1, ['categorical', 'id', 'multi_categorical'])[0] ?? '';
}

/**
 * Asks the engine to screen the current setup on its training rows: the schema with columns that
 * give the label away flagged (left out unless given a role), crosses worth trying, and the
 * diagram of the model it describes.
 */
async function refreshAnalysis() {
  try {
    const { analysis, diagramSvg } = await engine.request('analyze', { config: toConfig(state, ['joint']), projector: state.projector === '1' });
    ({ schema, suggestions } = analysis);
    schema.columns.forEach((column, i) => { column.role = analysis.roles[i]; });
    diagramInputs = analysis.diagram.inputs;
    ui.summary.dataset.leaks = String(analysis.leaks.length);
    if (!runs.some((r) => r.epochs.length)) {
      pictures.show(ui.diagram, diagramSvg);
      pictures.renderDiagramText(ui.diagramText, analysis.diagram);
    }
  } catch (error) {
    suggestions = [];
    say(`No cross suggestions: ${explain(error)}`, true);
  }
  renderData();
  renderCrosses();
}

function renderCrosses() {
  views.renderCrosses(ui.crosses, suggestions, state, setCross);
}

/** Turns a cross on or off in the state (the switch already shows it). */
function setCross(columns, on) {
  const others = state.crosses.filter((c) => !views.sameCross(c, columns));
  state.crosses = on ? [...others, columns] : others;
  save();
  refreshAnalysis();
}

// ---- pictures ----

/** What the worker should draw as the epochs finish. */
function currentView() {
  const pair = mapPair();
  const wanted = (img) => seen.has(img) || exporting.has(img);
  return {
    curves: wanted(ui.curves),
    diagram: wanted(ui.diagram),
    cross: pair.length === 2 && wanted(ui.crossMap) ? pair : null,
    embedding: (wanted(ui.embedding) && embeddingColumn()) || null,
    weights: runs.some((r) => r.mode === ui.insideModel.value && r.mode !== 'deep') ? ui.insideModel.value : null,
    projector: state.projector === '1',
  };
}

/**
 * The pictures on screen: only those are drawn as the epochs finish (parsing and painting a large
 * SVG costs the page a core's worth while training); one that comes into view is drawn then.
 */
const seen = new Set();
/** Pictures being downloaded: drawn fresh even when off screen. */
const exporting = new Set();
const visibility = new IntersectionObserver((entries) => {
  let appeared = false;
  for (const entry of entries) {
    // Each picture's box is watched (an image with nothing drawn yet is not laid out).
    const img = entry.target.querySelector('img');
    if (entry.isIntersecting) {
      appeared ||= !seen.has(img);
      seen.add(img);
    } else {
      seen.delete(img);
    }
  }
  if (appeared) sendView();
}, { rootMargin: '200px' });
for (const img of [ui.curves, ui.diagram, ui.crossMap, ui.embedding]) visibility.observe(img.parentElement);

/**
 * While a race runs, the pictures are redrawn at most this often, and half as often when its
 * workers take every core: showing a picture costs more than a progress bar (the results from
 * every worker, drawing them, parsing and painting the SVG), and with no core to spare that time
 * is taken from training (on two cores about 3% of the race; docs/benchmarks.md). Epochs slower than
 * this are each drawn; a race that finishes is drawn at its end.
 */
const PICTURES_MS = 500;
const picturesMs = () => (racers.spareCore() ? PICTURES_MS : 2 * PICTURES_MS);
const pictureDrawing = throttle(picturesMs, () => (runs.some((r) => r.epochs.length) ? drawPictures() : undefined));
/** Redraws the pictures for the view in force now, when a run has finished an epoch. */
const sendView = pictureDrawing.now;

/** Draws `img`'s picture from the latest results if a run has any, then offers it as `save(img)`. */
async function exportPicture(img, save) {
  exporting.add(img);
  try {
    await sendView();
    await save(img);
  } finally {
    exporting.delete(img);
  }
}

/** Draws after an epoch round (once every model has finished the epoch; see [`PICTURES_MS`]), and at the end. */
function maybeDraw(final) {
  const round = Math.min(...runs.map((r) => r.epochs.length));
  if (round > drawnRound || (final && runs.some((r) => r.epochs.length))) {
    drawnRound = round;
    if (final) pictureDrawing.now();
    else pictureDrawing.soon();
  }
}

let drawing = null;
let redraw = false;

/** Draws the pictures, at most one drawing at a time; a request meanwhile draws once more after. */
function drawPictures() {
  if (drawing) {
    redraw = true;
    return drawing;
  }
  drawing = (async () => {
    do {
      redraw = false;
      await drawOnce().catch((error) => say(explain(error), true));
    } while (redraw);
    drawing = null;
  })();
  return drawing;
}

/** Every worker's results, then the first worker draws them all. */
async function drawOnce() {
  const started = performance.now();
  const view = currentView();
  const results = await racers.results(view);
  if (results.weights) showWeightList(results.weights);
  const rank = (mode) => views.MODES.indexOf(mode);
  const runsInOrder = results.runs.sort((a, b) => rank(a.mode) - rank(b.mode));
  const epoch = Math.max(0, ...runsInOrder.map((r) => r.epochs.length));
  const ghosts = (before?.runs ?? []).map((run) => ({ ...run, ghost: true }));
  const payload = { view, runs: [...ghosts, ...runsInOrder], logits: results.logits, maps: results.maps, split: results.split, epoch };
  const pictures = await engine.request('draw', payload, results.logits.map((l) => l.logits.buffer));
  pictures.problems.push(...results.problems);
  onPictures(pictures);
  pictureTimes.push({ work: results.ms + pictures.ms, latency: performance.now() - started });
}

function onPictures(message) {
  if (message.curves) pictures.show(ui.curves, message.curves.svg);
  if (message.diagram) {
    lastSplit = message.diagram.diagram.split ?? null;
    pictures.show(ui.diagram, message.diagram.svg);
    pictures.renderDiagramText(ui.diagramText, message.diagram.diagram);
  }
  if (message.crossMap) {
    lastMap = message.crossMap.map;
    if (shownWeights.length) showWeightList(shownWeights);
    pictures.show(ui.crossMap, message.crossMap.svg);
    ui.crossMap.dataset.epoch = String(message.crossMap.map.epoch);
    pictures.renderCrossMapTable(ui.crossMapTable, message.crossMap.map);
    for (const id of ['#map-png', '#map-svg']) $(id).disabled = false;
  }
  if (message.embedding) {
    lastMaps = message.embedding.maps;
    pictures.show(ui.embedding, message.embedding.svg);
    pictures.renderNeighbours(ui.embeddingList, message.embedding.maps);
  }
  for (const problem of message.problems) say(`The ${problem.picture} picture: ${explain(problem)}`, true);
}

// ---- training ----

const raceKey = () => JSON.stringify([state.preset, toConfig(state, views.MODES)]);

/** Starts a race of `modes`; resolves when it ends (done, stopped or failed). */
async function race(modes) {
  pictureDrawing.cancel();
  keepBefore(modes);
  runs = modes.map((mode) => ({ mode, epochs: [] }));
  [shownKey, shownSettings, epochTarget] = [raceKey(), crossWords(state), state.epochs];
  views.renderZeroHeading($('#zeros-heading'), state.wideOptimizer === 'ftrl');
  pictures.clear(ui.crossMap);
  renderTables();
  showStale();
  const count = workerCount(state.workers, modes.length);
  try {
    const { dataset, backend } = await racers.configure(modes, count, (share) => toConfig(state, share), ui.backend.dataset.kind);
    showBackend(backend);
    const workers = racers.clients.length > 1 ? `, in ${racers.clients.length} workers at once` : '';
    say(`Training ${modes.join(', ')} on ${dataset.train_rows.toLocaleString()} rows (${dataset.test_rows.toLocaleString()} held out; label ${dataset.label})${workers}.` +
      views.describeLeaks(dataset.leaks, state) + views.describeWarnings(dataset.warnings));
  } catch (error) {
    say(`Cannot train: ${explain(error)}`, true);
    return;
  }
  document.body.dataset.workers = String(racers.clients.length);
  latest.clear();
  const key = modes.length === views.MODES.length ? raceKey() : null;
  drawnRound = 0;
  setPhase('running');
  const ended = new Promise((resolve) => (raceEnd = resolve));
  racers.begin('start', { pace: pace() });
  if ((await ended) === 'done') finishedRace = key;
}

function endRace(how) {
  raceEnd?.(how);
  raceEnd = null;
}

/** What a worker says without being asked: progress, the end of its share, a failure. */
function onWorkerMessage(client, message) {
  if (message.type === 'progress') {
    onProgress(message);
    racers.progressed(client, message.progress);
  }
  else if (message.type === 'loading') ui.loadProgress.value = message.share;
  else if (message.type === 'done') {
    if (!racers.finished(client)) return;
    setPhase('done');
    say('Done. The table ranks the models by test AUC.');
    maybeDraw(true);
    endRace('done');
  } else if (message.type === 'error' && message.kind === 'crashed') {
    restartEngine(views.describeCrash(message));
  } else if (message.type === 'error' && !ENDED.has(message.kind)) {
    failRace(message);
  }
}

/** Error kinds of requests the page itself cut short (a worker it ended): nothing failed. */
const ENDED = new Set(['ended', 'cancelled']);

/** One worker failed: the others stop cleanly (every one has confirmed), then what failed is said. */
async function failRace(error) {
  racers.halted();
  if (!(await haltRace(() => racers.request('stop', {}), 'stop'))) return;
  setPhase(runs.some((r) => r.epochs.length) ? 'done' : 'idle');
  say(explain(error), true);
  endRace('failed');
}

/**
 * How long the workers have to confirm a pause or a stop. They stop between two slices of about
 * 50 ms; a first slice on WebGPU also compiles its shaders (a second or so). One that has not
 * answered by then is stuck in a step that may never return.
 */
const ANSWER_MS = 3000;

/**
 * Asks every worker to stop or pause (`ask()` sends it) and waits for all to confirm. If one does
 * not in time, or died, every worker is replaced and the data reloaded (see [`restartEngine`]),
 * so training can always be stopped. Resolves to whether they all confirmed.
 */
async function haltRace(ask, verb) {
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(resolve, ANSWER_MS, false)));
  const answered = await Promise.race([ask().then(() => true, () => false), late]);
  clearTimeout(timer);
  if (!answered) await restartEngine(`The engine did not ${verb} within ${ANSWER_MS / 1000} s`);
  return answered;
}

/** The restart in progress: one at a time (every worker of a race may fail at once). */
let restarting = null;

/**
 * After a worker crashed or hung, or a load was cancelled: ends every worker, starts a fresh
 * first one from the compiled module and has it load the data again (the models trained so far
 * are lost), then says `what` happened and what was done. The schema and the analysis on screen
 * stay: the data and the settings are the same. Resolves once the engine is back.
 */
function restartEngine(what) {
  restarting ??= (async () => {
    racers.reset(endedError('the engine was restarted', 'ended'));
    endRace('failed');
    pictureDrawing.cancel();
    measuredKey = null;
    forgetRuns();
    setPhase('idle');
    let done;
    try {
      showBackend((await engine.restart(state.backend)).backend);
      done = source ? await reload() : '';
    } catch (error) {
      done = `, but could not start again: ${explain(error)}`;
    }
    if (!ui.scoreFile.disabled) {
      ui.scoreFile.disabled = true;
      ui.shareStatus.textContent = 'Load the saved model again to score a file: the engine was restarted.';
    }
    say(`${what}; it was restarted${done}.`, true);
  })().finally(() => (restarting = null));
  return restarting;
}

/** Loads the data the engine held ([`source`]) into a fresh one; the words that say how it went. */
async function reload() {
  try {
    await (source.files ? readFiles(source.files) : readPreset(source.preset));
    return ` and ${source.name} reloaded`;
  } catch (error) {
    return `, but ${source.name} could not be reloaded: ${explain(error)}`;
  }
}

/** Each model's latest progress: workers report only their own models. */
const latest = new Map();

/** Progress is shown at most this often: every repaint of the page takes time from the cores that train. */
const PROGRESS_MS = 100;
/**
 * Every model's latest progress, and the tables if an epoch finished: `soon()` while a race runs,
 * `now()` when it pauses, stops or ends, so it shows where it is at once.
 */
const progressDrawing = throttle(() => PROGRESS_MS, () => {
  views.renderProgress(ui.modelProgress, runs.map((r) => latest.get(r.mode)).filter(Boolean), phase === 'done');
  if (tablesStale) renderTables();
});

function onProgress({ progress }) {
  for (const model of progress.models) latest.set(model.mode, model);
  progressDrawing.soon();
  let finished = false;
  for (const model of progress.models) {
    const run = runs.find((r) => r.mode === model.mode);
    if (run && model.finished.length) {
      run.epochs.push(...model.finished);
      finished = true;
    }
  }
  if (progress.fallback) showBackend(progress.fallback);
  if (finished) {
    tablesStale = true;
    maybeDraw(false);
  }
}

function renderTables() {
  tablesStale = false;
  views.renderResults(ui.results, runs);
  views.renderResults(ui.resultsBefore, before?.runs ?? [], ' (before)');
  views.renderEpochs(ui.epochs, runs);
  const round = runs.length ? Math.min(...runs.map((r) => r.epochs.length)) : 0;
  ui.epochCounter.textContent = epochTarget ? `Epoch ${round} of ${epochTarget}` : 'Epoch 0';
}

/** The previous race's cross map, small beside the current one, while there is one. */
function showBefore() {
  const shown = Boolean(before?.map);
  ui.crossMapBeforeFigure.hidden = !shown;
  ui.crossMapBeforeFigure.parentElement.classList.toggle('has-before', shown);
  if (!shown) return;
  pictures.show(ui.crossMapBefore, before.map.svg);
  ui.crossMapBeforeCaption.textContent = `Before: the previous race (${before.map.settings}), epoch ${before.map.epoch}.`;
}

/**
 * Keeps the race on screen as the one before, when a new race starts: its runs, and its cross
 * map if it drew one. A race with no finished epoch keeps the older one.
 */
function keepBefore(modes) {
  if (!runs.some((r) => r.epochs.length)) return;
  const svg = ui.crossMap.dataset.drawn ? pictures.svgOf(ui.crossMap) : null;
  before = { runs: structuredClone(runs.filter((r) => modes.includes(r.mode) && r.epochs.length)), map: svg && { svg, epoch: ui.crossMap.dataset.epoch, settings: shownSettings } };
  showBefore();
}

function setPhase(next) {
  phase = next;
  if (phase !== 'running') progressDrawing.now();
  const set = (id, enabled) => ($(id).disabled = !enabled);
  set('#pause', phase === 'running');
  set('#resume', phase === 'paused');
  set('#stop', phase === 'running' || phase === 'paused');
  set('#more', phase === 'done' || phase === 'paused');
  set('#reset', phase !== 'idle' || runs.some((r) => r.epochs.length) || Boolean(before));
  const trained = runs.some((r) => r.epochs.length) && phase !== 'running';
  for (const id of ['#export-png', '#export-svg', '#export-csv', '#export-json', '#download-model', '#download-onnx']) set(id, trained);
  set('#show-weights', trained);
  ui.whatif.querySelector('button').disabled = !trained;
  const modes = runs.map((r) => [r.mode, r.mode]);
  const wide = runs.filter((r) => r.mode !== 'deep').map((r) => r.mode);
  setOptions(ui.insideModel, modes, modes.some(([m]) => m === ui.insideModel.value) ? ui.insideModel.value : wide[wide.length - 1]);
  setOptions(ui.modelMode, modes, ui.modelMode.value || modes[modes.length - 1]?.[0]);
}

/**
 * The named wide weights, those whose pair is an outlined cell of the cross map on screen marked
 * (the engine says which, as it does for a lesson's sentences).
 */
async function showWeightList(weights) {
  shownWeights = weights;
  views.renderWeights(ui.weights, weights);
  const outlined = lastMap ? (await told({ cross_map: lastMap, weights }))?.cross_map?.outlined : null;
  if (outlined && shownWeights === weights) views.renderWeights(ui.weights, weights, outlined);
}

/** What the engine's lessonFacts says about `shown` (pictures on screen), or null if it cannot say. */
const told = (shown) => engine.request('facts', { shown }).then((reply) => reply.told, () => null);

async function showWeights() {
  const mode = ui.insideModel.value;
  try {
    const { weights } = await racers.ask(mode, 'weights', { mode });
    await showWeightList(weights);
  } catch (error) {
    ui.weights.replaceChildren();
    ui.whatifResult.textContent = explain(error);
  }
}

/** Stops a race in progress (if one is), then forgets every run on screen: a clean slate, as before the first race. */
async function reset() {
  if (!(await stopRace())) return;
  forgetRuns();
  setPhase('idle');
  say('Press ▶ Race to train the three models.');
}

/** Stops the race if one runs or is paused; resolves to whether the workers confirmed (see [`haltRace`]). */
async function stopRace() {
  if (phase !== 'running' && phase !== 'paused') return true;
  racers.halted();
  if (!(await haltRace(() => racers.request('stop', {}), 'stop'))) return false;
  setPhase('done');
  say('Stopped.');
  endRace('stopped');
  return true;
}

// ---- lessons and the projector view ----

const lesson = new LessonCard(
  { card: $('#lesson'), count: $('#lesson-count'), title: $('#lesson-title'), text: $('#lesson-text'), back: $('#lesson-back'), next: $('#lesson-next'), end: $('#lesson-end') },
  { onStep: applyStep, onEnd: endLesson },
);

/** The settings a lesson sets for itself; the teacher's own come back when it ends. */
const LESSON_SETTINGS = ['epochs', 'seed', 'classSpeed'];
/** The teacher's values of [`LESSON_SETTINGS`] while a lesson they started runs (null otherwise). */
let teacher = null;

/** Starts the chosen lesson from its first step, keeping the teacher's settings to give back. */
function startLesson() {
  teacher ??= Object.fromEntries(LESSON_SETTINGS.map((key) => [key, state[key]]));
  return lesson.open(ui.lessonChoice.value, 0);
}

function endLesson() {
  Object.assign(state, { lesson: '', step: 1 }, teacher ?? {});
  teacher = null;
  highlight(null);
  syncInputs();
  save();
}

/** Ends a lesson in progress, as the user changed what it shows (the data). */
const leaveLesson = () => lesson.end();

/**
 * Makes the page show what a lesson step needs (stopping any race first), points at its panel,
 * and resolves to the run's facts in words for the card.
 */
async function applyStep(name, index, step) {
  Object.assign(state, { lesson: name, step: index + 1 });
  save();
  const { needs } = step;
  highlight(step.target);
  if (!(await stopRace())) return '';
  if (state.preset !== needs.preset) await loadPreset(needs.preset, false);
  const preset = base(needs.preset);
  Object.assign(state, { epochs: preset.epochs, seed: preset.seed, classSpeed: '1' });
  syncInputs();
  const crosses = needs.crosses === 'preset' ? preset.crosses : needs.crosses;
  if (crosses && JSON.stringify(crosses) !== JSON.stringify(state.crosses)) {
    state.crosses = structuredClone(crosses);
    save();
    await refreshAnalysis();
  }
  if (needs.map) { state.map = needs.map; renderData(); }
  if (needs.embedding) { state.embed = needs.embedding; renderData(); }
  if (needs.weights) setOptions(ui.insideModel, runs.map((r) => [r.mode, r.mode]), needs.weights);
  save();
  if (needs.trained && finishedRace !== raceKey()) {
    await race(views.MODES);
    setPhase('done');
  }
  if (lesson.lesson !== name) return '';
  highlight(step.target);
  await sendView();
  if (needs.weights) await showWeights();
  return factsOf(step.facts);
}

/**
 * A step's `facts` about the run on screen, in words: the results' from the tables
 * (lesson-facts.js), the pictures' from the engine (lessonFacts), each about what is shown.
 */
async function factsOf(kind) {
  if (kind === 'ranking') return facts.rankingFacts(runs);
  if (kind === 'auc') return facts.aucFacts(before?.runs, runs);
  const shown = {
    outlined: { cross_map: lastMap },
    weights: { cross_map: lastMap, weights: shownWeights },
    split: { split: lastSplit },
    embedding: { embedding: lastMaps },
  }[kind];
  if (!shown || Object.values(shown).some((x) => x == null)) return '';
  const said = await told(shown);
  return (kind === 'outlined' || kind === 'weights' ? said?.cross_map : said?.[kind])?.text ?? '';
}

/** Marks the panel a lesson step points at, shows its tab, and brings it into view. */
function highlight(selector) {
  for (const marked of document.querySelectorAll('[data-lesson-target]')) delete marked.dataset.lessonTarget;
  const target = selector && $(selector);
  if (!target) return;
  tabs.reveal(target);
  // Its pictures are drawn at once (the observer would see them only after this task).
  for (const img of [ui.curves, ui.diagram, ui.crossMap, ui.embedding]) if (target.contains(img)) seen.add(img);
  target.dataset.lessonTarget = 'true';
  target.scrollIntoView({ block: 'nearest', behavior: 'instant' });
}

function setProjector(on) {
  state.projector = on ? '1' : '0';
  document.documentElement.classList.toggle('projector', on);
  ui.projector.setAttribute('aria-pressed', String(on));
  save();
}

// ---- wiring ----

function bind() {
  ui.preset.addEventListener('change', () => {
    if (ui.preset.value === 'upload') return;
    leaveLesson();
    loadPreset(ui.preset.value, false);
  });
  ui.file.addEventListener('change', () => { if (ui.file.files.length) { leaveLesson(); loadFiles(ui.file.files); } });
  ui.drop.addEventListener('dragover', (e) => { e.preventDefault(); ui.drop.classList.add('over'); });
  ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
  ui.drop.addEventListener('drop', (e) => {
    e.preventDefault();
    ui.drop.classList.remove('over');
    if (e.dataTransfer.files.length) { leaveLesson(); loadFiles(e.dataTransfer.files); }
  });
  ui.label.addEventListener('change', () => {
    Object.assign(state, { label: ui.label.value, positive: '', threshold: '' });
    save();
    refreshAnalysis();
  });
  ui.positive.addEventListener('change', () => { Object.assign(state, { positive: ui.positive.value, threshold: '' }); ui.threshold.value = ''; save(); refreshAnalysis(); });
  ui.threshold.addEventListener('change', () => { Object.assign(state, { threshold: ui.threshold.value, positive: '' }); ui.positive.value = ''; save(); refreshAnalysis(); });
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
      state[key] = value;
      save();
      if (key === 'wideOptimizer') syncInputs();
      if (SETTINGS[key].analysis) refreshAnalysis();
    });
  }
  const backendChoice = $('#backend-choice');
  backendChoice.addEventListener('change', async () => {
    state.backend = backendChoice.value;
    measuredKey = null;
    save();
    try {
      showBackend((await engine.request('backend', { preference: state.backend })).backend);
      if (phase !== 'idle') setPhase('idle');
    } catch (error) {
      say(explain(error), true);
    }
  });
  $('#compare').addEventListener('click', () => race(views.MODES));
  $('#train-joint').addEventListener('click', () => race(['joint']));
  $('#pause').addEventListener('click', async () => {
    if (!(await haltRace(() => racers.pause(), 'pause'))) return;
    setPhase('paused');
    say('Paused.');
  });
  $('#resume').addEventListener('click', () => { setPhase('running'); racers.begin('resume', { pace: pace() }); say('Training…'); });
  $('#stop').addEventListener('click', stopRace);
  $('#more').addEventListener('click', () => {
    setPhase('running');
    epochTarget += 1;
    racers.begin('extend', { epochs: 1, pace: pace() });
    say('Training one more epoch…');
  });
  $('#reset').addEventListener('click', reset);
  ui.classSpeed.addEventListener('change', () => { state.classSpeed = ui.classSpeed.checked ? '1' : '0'; save(); });
  $('#settings-link').addEventListener('click', () => { $('#settings').scrollIntoView({ block: 'start' }); $('#settings').focus({ preventScroll: true }); });
  $('#back-to-top').addEventListener('click', () => { window.scrollTo(0, 0); ui.preset.focus(); });
  $('#show-weights').addEventListener('click', showWeights);
  ui.insideModel.addEventListener('change', () => sendView());
  const pickMap = () => { state.map = [ui.mapDown.value, ui.mapAcross.value]; save(); sendView(); };
  ui.mapDown.addEventListener('change', pickMap);
  ui.mapAcross.addEventListener('change', pickMap);
  ui.embeddingColumn.addEventListener('change', () => { state.embed = ui.embeddingColumn.value; save(); sendView(); });
  $('#map-png').addEventListener('click', () => exportPicture(ui.crossMap, (img) => pictures.downloadPng(img, 'widedeep-cross-map.png')));
  $('#map-svg').addEventListener('click', () => exportPicture(ui.crossMap, (img) => pictures.downloadSvg(img, 'widedeep-cross-map.svg')));
  ui.whatif.addEventListener('submit', async (e) => {
    e.preventDefault();
    const row = columnMap(Object.fromEntries([...ui.whatifFields.querySelectorAll('input')].map((i) => [i.dataset.column, i.value])));
    try {
      const mode = ui.insideModel.value;
      const { explanation } = await racers.ask(mode, 'explain', { mode, row });
      views.renderExplanation(ui.whatifResult, explanation);
    } catch (error) {
      ui.whatifResult.textContent = explain(error);
    }
  });
  ui.cancelLoad.addEventListener('click', cancelLoad);
  ui.columnFilter.addEventListener('input', () => {
    columnFilter = ui.columnFilter.value;
    columnPage = 0;
    renderData();
  });
  ui.columnsPrevious.addEventListener('click', () => { columnPage -= 1; renderColumns(); });
  ui.columnsNext.addEventListener('click', () => { columnPage += 1; renderColumns(); });
  $('#lesson-start').addEventListener('click', startLesson);
  ui.projector.addEventListener('click', () => { setProjector(state.projector !== '1'); sendView(); });
  bindSharing();
  engine.listen((message) => onWorkerMessage(engine, message));
}

function bindSharing() {
  const note = (text) => (ui.shareStatus.textContent = text);
  $('#copy-link').addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(location.href); note('Link copied.'); } catch { note(`Copy this link: ${location.href}`); }
  });
  $('#export-png').addEventListener('click', () => exportPicture(ui.curves, (img) => pictures.downloadPng(img, 'widedeep-curves.png')));
  $('#export-svg').addEventListener('click', () => exportPicture(ui.curves, (img) => pictures.downloadSvg(img, 'widedeep-curves.svg')));
  const report = () => racers.report(views.MODES);
  $('#export-csv').addEventListener('click', async () => download('widedeep-metrics.csv', (await report()).csv, 'text/csv'));
  $('#export-json').addEventListener('click', async () => download('widedeep-metrics.json', JSON.stringify((await report()).report, null, 2), 'application/json'));
  $('#download-model').addEventListener('click', async () => {
    const { json, mode } = await racers.ask(ui.modelMode.value, 'export', { mode: ui.modelMode.value });
    download(`widedeep-${mode}.model.json`, json, 'application/json');
  });
  $('#download-onnx').addEventListener('click', async () => {
    try {
      const { bytes, mode } = await racers.ask(ui.modelMode.value, 'exportOnnx', { mode: ui.modelMode.value });
      download(`widedeep-${mode}.onnx`, bytes, 'application/octet-stream');
    } catch (error) {
      note(`Could not export the model: ${explain(error)}`);
    }
  });
  $('#model-file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      const { columns } = await engine.request('import', { json: await file.text() });
      ui.scoreFile.disabled = false;
      note(`Model loaded; it reads ${columns.join(', ')}.`);
    } catch (error) {
      note(`Could not load the model: ${explain(error)}`);
    }
  });
  ui.scoreFile.addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      const bytes = await file.arrayBuffer();
      const { csv, probabilities, clipped } = await engine.request('score', { bytes }, [bytes]);
      download(file.name.replace(/(\.\w+)?$/, '-scored.csv'), csv, 'text/csv');
      const far = clipped ? ` Note: ${clipped.toLocaleString()} numbers lay more than a million standard deviations from the training data's mean and were clipped to it.` : '';
      note(`Scored ${probabilities.length.toLocaleString()} rows.${far}`);
    } catch (error) {
      note(`Could not score that file: ${explain(error)}`);
    }
  });
}

/**
 * Configures a link's settings once its data is loaded, as a race would. If that fails (an error,
 * or a crash of the engine), the settings the link changed are tried again one at a time over
 * the preset's own, and each one that still fails goes back to the preset's value; so a link
 * that breaks the engine cannot break the page again on every load. Returns what to say: one
 * sentence per setting put back, naming it by its field.
 */
async function checkLink() {
  const fallback = base(state.preset);
  const format = (key, value) => SETTINGS[key].codec.format(value);
  const changed = CONFIG_KEYS.filter((key) => format(key, state[key]) !== format(key, fallback[key]));
  const failure = changed.length ? await tryConfig(state) : null;
  if (!failure) return [];
  const linked = state;
  let trial = { ...linked, ...Object.fromEntries(changed.map((key) => [key, fallback[key]])) };
  const failed = [];
  if (!(await tryConfig(trial))) {
    for (const key of changed) {
      const next = { ...trial, [key]: linked[key] };
      const error = await tryConfig(next);
      if (error) failed.push([key, error]);
      else trial = next;
    }
  }
  if (!failed.length) {
    // Not one setting alone: the link's settings all go back together.
    state = { ...linked, ...Object.fromEntries(changed.map((key) => [key, fallback[key]])) };
    return [`The link's settings could not be used (${why(failure)}): back to the defaults for ${changed.map((key) => LABELS[key]).join(', ')}.`];
  }
  state = trial;
  return failed.map(([key, error]) => `${LABELS[key]} ${shown(key, linked[key])} could not be used (${why(error)}): back to the default ${shown(key, fallback[key])}.`);
}

/** An engine error as a reason in brackets: the core's message, or what killed the engine. */
const why = (error) => (error.kind === 'crashed' ? `the engine crashed: ${error.message}` : error.message.replace(/\.$/, ''));

/** Whether the engine can configure `candidate`'s models: null, or the error (after a crash, once a fresh engine has the data again). */
async function tryConfig(candidate) {
  try {
    await engine.request('configure', { config: toConfig(candidate, views.MODES) });
    return null;
  } catch (error) {
    if (error.kind === 'crashed') await restartEngine(views.describeCrash(error));
    else if (ENDED.has(error.kind)) await restarting;
    return error;
  }
}

async function boot() {
  fillChoices();
  // The link's backend choice is read before the defaults exist: a hash over no base.
  const preference = readHash(location.hash, () => ({})).backend ?? 'auto';
  let ready;
  try {
    ready = await engine.start(preference);
  } catch (error) {
    ui.backend.textContent = `The engine failed to start: ${explain(error)}`;
    return;
  }
  useCoreDefaults(ready.defaults);
  const rejected = [];
  state = readHash(location.hash, base, (key, value, rule) => rejected.push([key, value, rule]));
  const unread = rejected.map(([key, value, rule]) => `${LABELS[key]} ${shown(key, value)} could not be used (it must be ${rule}): back to the default ${shown(key, state[key])}.`);
  bind();
  syncInputs();
  setPhase('idle');
  showBackend(ready.backend);
  setProjector(state.projector === '1');
  const fromLink = location.hash.length > 1 && state.preset !== 'upload';
  await loadPreset(state.preset === 'upload' ? 'adult' : state.preset, fromLink);
  const repaired = fromLink && schema ? await checkLink() : [];
  if (repaired.length) {
    save();
    renderData();
    await refreshAnalysis();
  }
  if (unread.length || repaired.length) say([...unread, ...repaired].join(' '), true);
  document.body.dataset.ready = 'true';
  if (state.lesson) await lesson.open(state.lesson, state.step - 1);
}

boot();
