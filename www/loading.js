// Loading data: a preset (fetched, or generated in the worker), a file or MovieLens's files
// dropped or chosen, a load cancelled, and the schema the engine hands back made the page's.
import { nextTask, replaceChildren } from './dom.js';
import { endedError } from './worker-client.js';
import { PRESETS } from './presets.js';
import { columnMap, fromConfig } from './state.js';
import { LESSONS } from './lesson.js';
import { readFiles, readPreset, refreshAnalysis, renderData, save } from './data.js';
import { pictureDrawing } from './picture-control.js';
import { forgetRuns, restartEngine, setPhase, stopRace } from './race-control.js';
import { forgetVariants } from './variants.js';
import { base, engine, explain, page, say, ui } from './page-state.js';

/** Loads preset `name`, with its own settings or (`keepSettings`, a link's) the current ones. */
export async function loadPreset(name, keepSettings) {
  const preset = PRESETS[name];
  const { state } = page;
  const next = keepSettings ? state : { ...base(name), backend: state.backend, projector: state.projector, classSpeed: state.classSpeed, lesson: state.lesson, step: state.step };
  ui.preset.value = name;
  if (LESSONS[name]) ui.lessonChoice.value = name;
  ui.loadError.hidden = true;
  try {
    if (preset.load.drop) {
      showPreset(next, name);
      ui.drop.classList.add('waiting');
      if (page.schema?.columns.some((c) => c.name === 'liked')) await applySetup(preset.load.setup);
      else ui.summary.textContent = 'Drop a MovieLens archive (ml-1m.zip, ml-100k.zip) or its files here to begin.';
    } else {
      const reply = await readPreset(name);
      showPreset(next, name);
      await receiveSchema(reply, preset.load.name, { name: preset.load.name, preset: name });
    }
  } catch (error) {
    ui.preset.value = page.state.preset;
    showLoadError(error);
  }
}

/** Makes `next` the state, on preset `name`, and tells its story. */
function showPreset(next, name) {
  page.state = { ...next, preset: name };
  replaceChildren(ui.story, PRESETS[name].story.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
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
    const setup = PRESETS[page.state.preset]?.load.setup;
    if (!setup) {
      page.state = { ...page.state, preset: 'upload', label: '', positive: '', threshold: '', roles: columnMap(), kinds: columnMap(), crosses: [], map: [], embed: '' };
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
  Object.assign(page.state, fromConfig(config));
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
  const { schema } = await reply;
  Object.assign(page, { schema, source: loaded, columnPage: 0, measuredKey: null, switchedOff: [] });
  pictureDrawing.cancel();
  forgetRuns();
  forgetVariants('new data was loaded');
  if (page.phase !== 'idle') {
    // A race stopped for the new data: its phase and its last words go with its runs.
    setPhase('idle');
    say('Press ▶ Race to train the three models.');
  }
  const { state } = page;
  if (!schema.columns.some((c) => c.name === state.label)) state.label = schema.label ?? schema.columns[schema.columns.length - 1].name;
  ui.summary.textContent = `${name}: ${schema.rows.toLocaleString()} rows, ${schema.columns.length.toLocaleString()} columns.` + schema.notes.map((n) => ` Note: ${n}.`).join('');
  renderData();
  await nextTask();
  await refreshAnalysis();
  await nextTask();
  save();
}

/**
 * Wires the data's sources: the preset menu, the file input, the drop zone and "Cancel"; `leave()`
 * ends a lesson the new data takes away, and a race in progress stops before the data changes.
 */
export function bindLoading(leave) {
  // A race in progress stops first (every worker confirms): new data in one worker would leave the others racing on the old.
  const replace = async (load) => {
    leave();
    if (await stopRace()) await load();
  };
  ui.preset.addEventListener('change', () => {
    if (ui.preset.value !== 'upload') replace(() => loadPreset(ui.preset.value, false));
  });
  ui.file.addEventListener('change', () => { if (ui.file.files.length) replace(() => loadFiles(ui.file.files)); });
  ui.drop.addEventListener('dragover', (e) => { e.preventDefault(); ui.drop.classList.add('over'); });
  ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
  ui.drop.addEventListener('drop', (e) => {
    e.preventDefault();
    ui.drop.classList.remove('over');
    if (e.dataTransfer.files.length) replace(() => loadFiles(e.dataTransfer.files));
  });
  ui.cancelLoad.addEventListener('click', cancelLoad);
}
