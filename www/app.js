// The playground's controller: wires the page to the engine worker, the URL state and the views.
import { $, download, setOptions } from './dom.js';
import { EngineClient } from './worker-client.js';
import { PRESETS } from './presets.js';
import { defaults, readHash, toConfig, writeHash } from './state.js';
import * as views from './views.js';
import * as chart from './chart.js';

const engine = new EngineClient();
/** A preset's settings over the defaults: what a link's values override. */
const base = (preset) => ({ ...defaults(), ...structuredClone(PRESETS[preset]?.settings ?? {}), preset });
let state = readHash(location.hash, base);
let schema = null;
let suggestions = [];
let runs = [];
let phase = 'idle'; // idle | running | paused | done

const ui = {
  backend: $('#backend'), preset: $('#preset'), story: $('#story'), file: $('#file'), drop: $('#drop'),
  loadProgress: $('#load-progress'), loadError: $('#load-error'), summary: $('#data-summary'),
  label: $('#label'), positive: $('#positive'), threshold: $('#threshold'), schema: $('#schema tbody'),
  crosses: $('#suggestions'), crossA: $('#cross-a'), crossB: $('#cross-b'), crossC: $('#cross-c'),
  status: $('#status'), modelProgress: $('#model-progress'), canvas: $('#curves'), results: $('#results tbody'), epochs: $('#epochs-table tbody'),
  insideModel: $('#inside-model'), weights: $('#weights tbody'), whatifFields: $('#whatif-fields'), whatif: $('#whatif'), whatifResult: $('#whatif-result'),
  modelMode: $('#model-mode'), shareStatus: $('#share-status'), scoreFile: $('#score-file'),
};

/** Inputs bound one-to-one to a state field: [selector, key, parse]. */
const OPTION_INPUTS = [
  ['#hash-buckets', 'hashBuckets', (v) => positiveInt(v)], ['#epochs', 'epochs', (v) => positiveInt(v)], ['#batch', 'batch', (v) => positiveInt(v)],
  ['#lr', 'lr', (v) => (v === '' || +v > 0 ? v : undefined)], ['#optimizer', 'optimizer', (v) => v], ['#hidden', 'hidden', (v) => (/^\s*\d+(\s*,\s*\d+)*\s*$/.test(v) || v.trim() === '' ? v : undefined)],
  ['#embedding', 'embedding', (v) => (v === '' || positiveInt(v) ? v : undefined)], ['#test-fraction', 'testFraction', (v) => (+v > 0 && +v < 1 ? +v : undefined)],
  ['#split', 'split', (v) => v], ['#seed', 'seed', (v) => (Number.isInteger(+v) && +v >= 0 ? +v : undefined)],
];
const positiveInt = (v) => (Number.isInteger(+v) && +v >= 1 ? +v : undefined);

function save() {
  history.replaceState(null, '', writeHash(state, base(state.preset)));
}

function say(text, isError = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', isError);
}

function showBackend(backend) {
  const name = backend.kind === 'webgpu' ? `WebGPU · ${backend.adapter}` : 'CPU (WebAssembly)';
  ui.backend.textContent = `Backend: ${name} — ${backend.reason}`;
  ui.backend.dataset.kind = backend.kind;
}

// ---- data ----

async function loadPreset(name, keepSettings) {
  const preset = PRESETS[name];
  if (!keepSettings) state = { ...base(name), backend: state.backend };
  state.preset = name;
  ui.preset.value = name;
  ui.story.replaceChildren(...preset.story.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
  ui.loadError.hidden = true;
  try {
    if (preset.load.url) {
      const bytes = await (await fetch(preset.load.url)).arrayBuffer();
      await receiveSchema(engine.request('load', { name: preset.load.name, bytes }, 'schema', [bytes]), preset.load.name);
    } else {
      await receiveSchema(engine.request('preset', { name: preset.load.preset }, 'schema'), preset.load.name);
    }
  } catch (error) {
    showLoadError(error);
  }
}

async function loadFile(file) {
  ui.loadError.hidden = true;
  ui.loadProgress.hidden = false;
  ui.loadProgress.value = 0;
  try {
    const bytes = await file.arrayBuffer();
    const reply = await engine.request('load', { name: file.name, bytes }, 'schema', [bytes]);
    state = { ...state, preset: 'upload', label: '', positive: '', threshold: '', roles: {}, crosses: [] };
    ui.preset.value = 'upload';
    ui.story.replaceChildren();
    await receiveSchema(Promise.resolve(reply), file.name);
  } catch (error) {
    showLoadError(error);
  } finally {
    ui.loadProgress.hidden = true;
  }
}

function showLoadError(error) {
  ui.loadError.textContent = `Could not load that file: ${error.message}. The previous data is still loaded.`;
  ui.loadError.hidden = false;
}

async function receiveSchema(reply, name) {
  ({ schema } = await reply);
  if (!schema.columns.some((c) => c.name === state.label)) state.label = schema.label ?? schema.columns[schema.columns.length - 1].name;
  ui.summary.textContent = `${name}: ${schema.rows.toLocaleString()} rows, ${schema.columns.length} columns.`;
  renderData();
  await refreshSuggestions();
  save();
}

/** Puts the state's training options into their inputs (after a preset or a link set them). */
function syncInputs() {
  for (const [selector, key] of OPTION_INPUTS) $(selector).value = state[key];
  $('#backend-choice').value = state.backend;
}

function renderData() {
  syncInputs();
  views.renderLabel(ui, schema, state);
  views.renderSchema(ui.schema, schema, state, (column, role) => {
    state.roles = { ...state.roles, [column]: role };
    save();
    views.renderWhatIf(ui.whatifFields, schema, state);
  });
  const columns = schema.columns.filter((c) => c.name !== state.label).map((c) => [c.name, c.name]);
  setOptions(ui.crossA, columns);
  setOptions(ui.crossB, columns, columns[1]?.[0]);
  setOptions(ui.crossC, [['', '(none)'], ...columns], '');
  views.renderWhatIf(ui.whatifFields, schema, state);
}

async function refreshSuggestions() {
  try {
    const rule = state.positive ? { rule: 'positive', value: state.positive } : state.threshold ? { rule: 'threshold', at: +state.threshold } : null;
    ({ suggestions } = await engine.request('suggest', { label: state.label, rule }, 'suggestions'));
  } catch (error) {
    suggestions = [];
    say(`No cross suggestions: ${error.message}`, true);
  }
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
}

// ---- training ----

async function race(modes) {
  runs = modes.map((mode) => ({ mode, epochs: [] }));
  drawAll();
  try {
    const { dataset } = await engine.request('configure', { config: toConfig(state, modes) }, 'configured');
    say(`Training ${modes.join(', ')} on ${dataset.train_rows.toLocaleString()} rows (${dataset.test_rows.toLocaleString()} held out; label ${dataset.label}).`);
  } catch (error) {
    say(`Cannot train: ${error.message}`, true);
    return;
  }
  setPhase('running');
  engine.send('start');
}

function onProgress({ progress }) {
  views.renderProgress(ui.modelProgress, progress.models);
  let finished = false;
  for (const model of progress.models) {
    const run = runs.find((r) => r.mode === model.mode);
    if (run && model.finished.length) {
      run.epochs.push(...model.finished);
      finished = true;
    }
  }
  if (progress.fallback) showBackend(progress.fallback);
  if (finished) drawAll();
}

function drawAll() {
  chart.draw(ui.canvas, runs).catch((error) => say(`Cannot draw: ${error.message}`, true));
  views.renderResults(ui.results, runs);
  views.renderEpochs(ui.epochs, runs);
}

function setPhase(next) {
  phase = next;
  const set = (id, enabled) => ($(id).disabled = !enabled);
  set('#pause', phase === 'running');
  set('#resume', phase === 'paused');
  set('#stop', phase === 'running' || phase === 'paused');
  set('#more', phase === 'done' || phase === 'paused');
  const trained = runs.some((r) => r.epochs.length) && phase !== 'running';
  for (const id of ['#export-png', '#export-svg', '#export-csv', '#export-json', '#download-model']) set(id, trained);
  set('#show-weights', trained);
  ui.whatif.querySelector('button').disabled = !trained;
  const modes = runs.map((r) => [r.mode, r.mode]);
  setOptions(ui.insideModel, modes, ui.insideModel.value || modes[modes.length - 1]?.[0]);
  setOptions(ui.modelMode, modes, ui.modelMode.value || modes[modes.length - 1]?.[0]);
}

async function showWeights() {
  const mode = ui.insideModel.value;
  try {
    const { weights } = await engine.request('weights', { mode, count: 15 }, 'weights');
    views.renderWeights(ui.weights, weights);
  } catch (error) {
    ui.weights.replaceChildren();
    ui.whatifResult.textContent = error.message;
  }
}

// ---- wiring ----

function bind() {
  ui.preset.addEventListener('change', () => ui.preset.value !== 'upload' && loadPreset(ui.preset.value, false));
  ui.file.addEventListener('change', () => ui.file.files[0] && loadFile(ui.file.files[0]));
  ui.drop.addEventListener('dragover', (e) => { e.preventDefault(); ui.drop.classList.add('over'); });
  ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
  ui.drop.addEventListener('drop', (e) => {
    e.preventDefault();
    ui.drop.classList.remove('over');
    if (e.dataTransfer.files[0]) loadFile(e.dataTransfer.files[0]);
  });
  ui.label.addEventListener('change', () => {
    Object.assign(state, { label: ui.label.value, positive: '', threshold: '' });
    renderData();
    refreshSuggestions();
    save();
  });
  ui.positive.addEventListener('change', () => { Object.assign(state, { positive: ui.positive.value, threshold: '' }); ui.threshold.value = ''; save(); refreshSuggestions(); });
  ui.threshold.addEventListener('change', () => { Object.assign(state, { threshold: ui.threshold.value, positive: '' }); ui.positive.value = ''; save(); refreshSuggestions(); });
  $('#add-cross').addEventListener('click', () => {
    const columns = [...new Set([ui.crossA.value, ui.crossB.value, ui.crossC.value].filter(Boolean))];
    if (columns.length < 2) return say('A cross needs two different columns.', true);
    setCross(columns, true);
    renderCrosses();
  });
  for (const [selector, key, parse] of OPTION_INPUTS) {
    const input = $(selector);
    input.addEventListener('change', () => {
      const value = parse(input.value);
      input.setAttribute('aria-invalid', String(value === undefined));
      if (value === undefined) return say(`That value for ${input.labels[0].textContent} is not valid.`, true);
      state[key] = value;
      save();
    });
  }
  const backendChoice = $('#backend-choice');
  backendChoice.addEventListener('change', async () => {
    state.backend = backendChoice.value;
    save();
    try {
      showBackend((await engine.request('backend', { preference: state.backend }, 'ready')).backend);
      if (phase !== 'idle') setPhase('idle');
    } catch (error) {
      say(error.message, true);
    }
  });
  $('#compare').addEventListener('click', () => race(views.MODES));
  $('#train-joint').addEventListener('click', () => race(['joint']));
  $('#pause').addEventListener('click', async () => { await engine.request('pause', {}, 'paused'); setPhase('paused'); say('Paused.'); });
  $('#resume').addEventListener('click', () => { setPhase('running'); engine.send('resume'); say('Training…'); });
  $('#stop').addEventListener('click', async () => { await engine.request('stop', {}, 'stopped'); setPhase('done'); say('Stopped.'); });
  $('#more').addEventListener('click', () => { setPhase('running'); engine.send('extend', { epochs: 1 }); say('Training one more epoch…'); });
  $('#show-weights').addEventListener('click', showWeights);
  ui.whatif.addEventListener('submit', async (e) => {
    e.preventDefault();
    const row = Object.fromEntries([...ui.whatifFields.querySelectorAll('input')].map((i) => [i.dataset.column, i.value]));
    try {
      const { explanation } = await engine.request('explain', { mode: ui.insideModel.value, row }, 'explained');
      ui.whatifResult.textContent = views.describeExplanation(explanation);
    } catch (error) {
      ui.whatifResult.textContent = error.message;
    }
  });
  bindSharing();
  engine.listen((message) => {
    if (message.type === 'progress') onProgress(message);
    else if (message.type === 'loading') ui.loadProgress.value = message.share;
    else if (message.type === 'done') { setPhase('done'); say('Done. The table ranks the models by test AUC.'); showWeights(); }
    else if (message.type === 'error') { setPhase(runs.some((r) => r.epochs.length) ? 'done' : 'idle'); say(message.message, true); }
  });
  let resize;
  window.addEventListener('resize', () => { clearTimeout(resize); resize = setTimeout(drawAll, 150); });
}

function bindSharing() {
  const note = (text) => (ui.shareStatus.textContent = text);
  $('#copy-link').addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(location.href); note('Link copied.'); } catch { note(`Copy this link: ${location.href}`); }
  });
  $('#export-png').addEventListener('click', () => ui.canvas.toBlob((blob) => download('widedeep-curves.png', blob)));
  $('#export-svg').addEventListener('click', async () => download('widedeep-curves.svg', await chart.svg(runs), 'image/svg+xml'));
  const report = () => engine.request('report', {}, 'report');
  $('#export-csv').addEventListener('click', async () => download('widedeep-metrics.csv', (await report()).csv, 'text/csv'));
  $('#export-json').addEventListener('click', async () => download('widedeep-metrics.json', JSON.stringify((await report()).report, null, 2), 'application/json'));
  $('#download-model').addEventListener('click', async () => {
    const { json, mode } = await engine.request('export', { mode: ui.modelMode.value }, 'exported');
    download(`widedeep-${mode}.model.json`, json, 'application/json');
  });
  $('#model-file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      const { columns } = await engine.request('import', { json: await file.text() }, 'imported');
      ui.scoreFile.disabled = false;
      note(`Model loaded; it reads ${columns.join(', ')}.`);
    } catch (error) {
      note(`Could not load the model: ${error.message}`);
    }
  });
  ui.scoreFile.addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      const bytes = await file.arrayBuffer();
      const { csv, probabilities } = await engine.request('score', { bytes }, 'scored', [bytes]);
      download(file.name.replace(/(\.\w+)?$/, '-scored.csv'), csv, 'text/csv');
      note(`Scored ${probabilities.length.toLocaleString()} rows.`);
    } catch (error) {
      note(`Could not score that file: ${error.message}`);
    }
  });
}

async function boot() {
  bind();
  syncInputs();
  setPhase('idle');
  try {
    showBackend((await engine.request('init', { preference: state.backend }, 'ready')).backend);
  } catch (error) {
    ui.backend.textContent = `The engine failed to start: ${error.message}`;
    return;
  }
  const fromLink = location.hash.length > 1;
  await loadPreset(state.preset === 'upload' ? 'adult' : state.preset, fromLink && state.preset !== 'upload');
  document.body.dataset.ready = 'true';
}

boot();
