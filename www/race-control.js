// The race: starting, pausing, resuming, extending, stopping and resetting it across the
// workers, what they report unasked (progress, the end, a failure, a crash), the engine restarted
// when a worker dies or hangs, and the tables, the progress bars and the phase's buttons.
import { $, setOptions } from './dom.js';
import { endedError } from './worker-client.js';
import { workerCount } from './race.js';
import { toConfig } from './state.js';
import * as views from './views.js';
import * as pictures from './pictures.js';
import { throttle } from './throttle.js';
import { reload, save, showBackend, showStale } from './data.js';
import { clearCrossMap, clearPictures, crossMapShown, maybeDraw, noteTask, pictureDrawing } from './picture-control.js';
import { ENDED, crossWords, engine, explain, listen, page, raceKey, racers, say, trained, ui } from './page-state.js';
import { endVariants, forgetVariants, onVariantsMessage } from './variants.js';

/** Class speed: the fewest milliseconds between two epochs, so a room sees each one land. */
const CLASS_EPOCH_MS = 1000;
const pace = () => (page.state.classSpeed === '1' ? CLASS_EPOCH_MS : 0);

/** Starts a race of `modes`; resolves when it ends (done, stopped or failed). */
export async function race(modes) {
  endVariants('a race of the models took the engine');
  pictureDrawing.cancel();
  keepBefore(modes);
  page.runs = modes.map((mode) => ({ mode, epochs: [] }));
  Object.assign(page, { shownKey: raceKey(), shownSettings: crossWords(page.state), epochTarget: page.state.epochs });
  views.renderZeroHeading($('#zeros-heading'), page.state.wideOptimizer === 'ftrl');
  clearCrossMap();
  renderTables();
  showStale();
  const count = workerCount(page.state.workers, modes.length);
  try {
    const { dataset, backend } = await racers.configure(modes, count, (share) => toConfig(page.state, share), ui.backend.dataset.kind);
    showBackend(backend);
    noteTask(dataset.task, (dataset.classes ?? []).map(([name]) => name));
    const workers = racers.clients.length > 1 ? `, in ${racers.clients.length} workers at once` : '';
    say(`Training ${modes.join(', ')} on ${dataset.train_rows.toLocaleString()} rows (${dataset.test_rows.toLocaleString()} held out; label ${dataset.label})${workers}.` +
      views.describeLeaks(dataset.leaks, page.state) + views.describeWarnings(dataset.warnings));
  } catch (error) {
    say(`Cannot train: ${explain(error)}`, true);
    return;
  }
  document.body.dataset.workers = String(racers.clients.length);
  latest.clear();
  const key = modes.length === views.MODES.length ? raceKey() : null;
  page.drawnRound = 0;
  setPhase('running');
  const ended = new Promise((resolve) => (page.raceEnd = resolve));
  racers.begin('start', { pace: pace() });
  if ((await ended) === 'done') page.finishedRace = key;
}

function endRace(how) {
  page.raceEnd?.(how);
  page.raceEnd = null;
}

/** What a worker says without being asked: progress, the end of its share, a failure. */
function onWorkerMessage(client, message) {
  if (message.type === 'error' && message.kind === 'crashed') restartEngine(views.describeCrash(message));
  else if (message.type === 'variantsProgress' || message.request === 'trainVariants') onVariantsMessage(message);
  else if (message.type === 'progress') {
    onProgress(message);
    racers.progressed(client, message.progress);
  }
  else if (message.type === 'loading') ui.loadProgress.value = message.share;
  else if (message.type === 'done') {
    if (!racers.finished(client)) return;
    setPhase('done');
    say(`Done. The table ranks the models by test ${views.scoreName(page.task)}.`);
    maybeDraw(true);
    endRace('done');
  } else if (message.type === 'error' && !ENDED.has(message.kind)) {
    failRace(message);
  }
}

/** One worker failed: the others stop cleanly (every one has confirmed), then what failed is said. */
async function failRace(error) {
  racers.halted();
  if (!(await haltRace(() => racers.request('stop', {}), 'stop'))) return;
  setPhase(trained() ? 'done' : 'idle');
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
/** Resolves once a restart in progress (if any) is over: a request cut short by one waits for the fresh engine. */
export const restarted = () => restarting;

/**
 * After a worker crashed or hung, or a load was cancelled: ends every worker, starts a fresh
 * first one from the compiled module and has it load the data again (the models trained so far
 * are lost), then says `what` happened and what was done. The schema and the analysis on screen
 * stay: the data and the settings are the same. Resolves once the engine is back.
 */
export function restartEngine(what) {
  restarting ??= (async () => {
    forgetVariants('the engine was restarted');
    racers.reset(endedError('the engine was restarted', 'ended'));
    endRace('failed');
    pictureDrawing.cancel();
    page.measuredKey = null;
    forgetRuns();
    setPhase('idle');
    let done;
    try {
      showBackend((await engine.restart(page.state.backend)).backend);
      done = page.source ? await reload() : '';
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

/**
 * Forgets the runs on screen and the one before (new data, a reset, a restarted engine): the
 * tables empty and every picture but the diagram back to its placeholder, none of them stale.
 */
export function forgetRuns() {
  Object.assign(page, { runs: [], before: null, finishedRace: null, shownKey: null, epochTarget: 0 });
  latest.clear();
  renderTables();
  views.renderProgress(ui.modelProgress, []);
  clearPictures();
  showBefore();
  showStale();
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
  views.renderProgress(ui.modelProgress, page.runs.map((r) => latest.get(r.mode)).filter(Boolean), page.phase === 'done');
  if (page.tablesStale) renderTables();
});

function onProgress({ progress }) {
  for (const model of progress.models) latest.set(model.mode, model);
  progressDrawing.soon();
  let finished = false;
  for (const model of progress.models) {
    const run = page.runs.find((r) => r.mode === model.mode);
    if (run && model.finished.length) {
      run.epochs.push(...model.finished);
      finished = true;
    }
  }
  if (progress.fallback) showBackend(progress.fallback);
  if (finished) {
    page.tablesStale = true;
    maybeDraw(false);
  }
}

/** The results (now and before), the epochs table and the epoch counter, from the runs. */
function renderTables() {
  const { runs, before, epochTarget } = page;
  page.tablesStale = false;
  views.renderResults(ui.results, runs);
  views.renderResults(ui.resultsBefore, before?.runs ?? [], ' (before)');
  views.renderEpochs(ui.epochs, runs);
  views.renderConfusion(ui.confusion, runs, page.classes);
  const round = runs.length ? Math.min(...runs.map((r) => r.epochs.length)) : 0;
  ui.epochCounter.textContent = epochTarget ? `Epoch ${round} of ${epochTarget}` : 'Epoch 0';
}

/** The previous race's cross map, small beside the current one, while there is one. */
function showBefore() {
  const { before } = page;
  const shown = Boolean(before?.map);
  ui.crossMapBeforeFigure.hidden = !shown;
  ui.crossMapBeforeFigure.parentElement.classList.toggle('has-before', shown);
  if (!shown) return;
  pictures.show(ui.crossMapBefore, before.map.svg);
  ui.crossMapBeforeCaption.textContent = `Before: the previous race (${before.map.settings}), ${before.map.when}.`;
}

/**
 * Keeps the race on screen as the one before, when a new race starts: its runs, and its cross
 * map if it drew one. A race with no finished epoch keeps the older one.
 */
function keepBefore(modes) {
  if (!trained()) return;
  const map = crossMapShown();
  page.before = { runs: structuredClone(page.runs.filter((r) => modes.includes(r.mode) && r.epochs.length)), map: map && { ...map, settings: page.shownSettings } };
  showBefore();
}

/** Moves the race to phase `next`, and enables the buttons that make sense in it. */
export function setPhase(next) {
  page.phase = next;
  const { phase, runs } = page;
  if (phase !== 'running') progressDrawing.now();
  const set = (id, enabled) => ($(id).disabled = !enabled);
  set('#pause', phase === 'running');
  set('#resume', phase === 'paused');
  set('#stop', phase === 'running' || phase === 'paused');
  set('#more', phase === 'done' || phase === 'paused');
  set('#reset', phase !== 'idle' || trained() || Boolean(page.before));
  for (const id of ['#try-variants', '#run-variants']) set(id, phase !== 'running' && phase !== 'paused');
  const done = trained() && phase !== 'running';
  for (const id of ['#export-png', '#export-svg', '#export-csv', '#export-json', '#download-model', '#download-onnx', '#download-torch']) set(id, done);
  set('#show-weights', done);
  ui.whatif.querySelector('button').disabled = !done;
  const modes = runs.map((r) => [r.mode, r.mode]);
  const wide = runs.filter((r) => r.mode !== 'deep').map((r) => r.mode);
  setOptions(ui.insideModel, modes, modes.some(([m]) => m === ui.insideModel.value) ? ui.insideModel.value : wide[wide.length - 1]);
  setOptions(ui.modelMode, modes, ui.modelMode.value || modes[modes.length - 1]?.[0]);
}

/** Stops a race in progress (if one is), then forgets every run on screen: a clean slate, as before the first race. */
async function reset() {
  if (!(await stopRace())) return;
  forgetRuns();
  setPhase('idle');
  say('Press ▶ Race to train the three models.');
}

/** Stops the race if one runs or is paused; resolves to whether the workers confirmed (see [`haltRace`]). */
export async function stopRace() {
  if (page.phase !== 'running' && page.phase !== 'paused') return true;
  racers.halted();
  if (!(await haltRace(() => racers.request('stop', {}), 'stop'))) return false;
  setPhase('done');
  say('Stopped.');
  endRace('stopped');
  return true;
}

/** Wires the race's buttons and the backend choice, and hears what the workers say unasked. */
export function bindRace() {
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
    page.epochTarget += 1;
    racers.begin('extend', { epochs: 1, pace: pace() });
    say('Training one more epoch…');
  });
  $('#reset').addEventListener('click', reset);
  ui.classSpeed.addEventListener('change', () => { page.state.classSpeed = ui.classSpeed.checked ? '1' : '0'; save(); });
  const backendChoice = $('#backend-choice');
  backendChoice.addEventListener('change', async () => {
    page.state.backend = backendChoice.value;
    page.measuredKey = null;
    save();
    try {
      showBackend((await engine.request('backend', { preference: page.state.backend })).backend);
      if (page.phase !== 'idle') setPhase('idle');
    } catch (error) {
      say(explain(error), true);
    }
  });
  listen(onWorkerMessage);
}
