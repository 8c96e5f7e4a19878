// The pictures while a race runs: the view the worker is asked to draw (only the pictures on
// screen, or being downloaded), how often they are drawn, and what a drawing shows (the pictures,
// their text alternatives, the named weights, and the data a lesson's sentences are said from).
import { $, setOptions } from './dom.js';
import * as views from './views.js';
import * as pictures from './pictures.js';
import { PER_MODEL, PICTURES, pictureImages } from './pictures-table.js';
import { throttle } from './throttle.js';
import { columnMap } from './state.js';
import { embeddingColumn, mapPair, save, showSpots } from './data.js';
import { engine, explain, page, racers, say, told, trained, ui } from './page-state.js';

/** Each picture's <img>, by the engine's kind. */
const img = pictureImages();
/** The element that says a per-model picture's data in words (its row's `text`). */
const textOf = (kind) => document.getElementById(PICTURES[kind].text);
/** For the console, the tests and the benchmark: for each set of pictures the workers' time on it and the time from asking them to showing the drawings (ms). */
export const pictureTimes = [];

/** What the worker should draw as the epochs finish. */
function currentView() {
  const pair = mapPair();
  const wanted = (kind) => seen.has(img[kind]) || exporting.has(img[kind]);
  const inside = ui.insideModel.value;
  return {
    curves: wanted('curves'),
    diagram: wanted('diagram'),
    cross: pair.length === 2 && wanted('cross_map') ? pair : null,
    mapClass: page.task === 'multiclass' ? shownClass() : null,
    embedding: (wanted('embedding') && embeddingColumn()) || null,
    weights: page.runs.some((r) => r.mode === inside && r.mode !== 'deep') ? inside : null,
    perModel: PER_MODEL.filter(wanted),
    projector: page.state.projector === '1',
  };
}

/** The class a multiclass race's maps show: the link's, if the race has it, else the first. */
const shownClass = () => (page.classes.includes(page.state.mapClass) ? page.state.mapClass : page.classes[0] ?? null);

/** The race's task and classes: the maps of several classes show one, chosen above the tabs; the fit picture is the task's. */
export function noteTask(task, classes) {
  page.task = task;
  page.classes = classes;
  nameFit(task);
  $('#map-class-row').hidden = task !== 'multiclass';
  setOptions(ui.mapClass, classes.map((c) => [c, c]), shownClass() ?? '');
}

/** The fit picture's tab, sentence, alternative and table's summary, as `task` draws it. */
function nameFit(task) {
  const fit = pictures.FIT[pictures.fitOf(task)];
  $('#tab-fit').textContent = fit.tab;
  $('#fit-hint').textContent = fit.hint;
  $('#fit-summary').textContent = fit.summary;
  img.fit.alt = fit.alt;
}
nameFit(page.task);

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
    const picture = entry.target.querySelector('img');
    if (entry.isIntersecting) {
      appeared ||= !seen.has(picture);
      seen.add(picture);
    } else {
      seen.delete(picture);
    }
  }
  if (appeared) sendView();
}, { rootMargin: '200px' });

/**
 * Gives each picture its drawn size and its waiting sentence from the pictures table, and starts
 * watching which are on screen. The cross map before takes the cross map's size.
 */
export function setupPictures() {
  for (const [kind, { width, height, placeholder }] of Object.entries(PICTURES)) {
    for (const picture of kind === 'cross_map' ? [img[kind], ui.crossMapBefore] : [img[kind]]) {
      picture.width = width;
      if (height) picture.height = height;
    }
    img[kind].nextElementSibling.textContent = placeholder;
    visibility.observe(img[kind].parentElement);
  }
}

/** Counts the pictures inside `target` as on screen (a lesson step brings it into view; the observer would see them only after this task). */
export function watchInside(target) {
  for (const picture of Object.values(img)) if (target.contains(picture)) seen.add(picture);
}

/**
 * While a race runs, the pictures are redrawn at most this often, and half as often when its
 * workers take every core: showing a picture costs more than a progress bar (the results from
 * every worker, drawing them, parsing and painting the SVG), and with no core to spare that time
 * is taken from training (on two cores about 3% of the race; docs/benchmarks.md). Epochs slower than
 * this are each drawn; a race that finishes is drawn at its end.
 */
const PICTURES_MS = 500;
const picturesMs = () => (racers.spareCore() ? PICTURES_MS : 2 * PICTURES_MS);
/** The pictures' drawing schedule: `soon()` after an epoch, `now()` at the end, `cancel()` when the runs go. */
export const pictureDrawing = throttle(picturesMs, () => (trained() ? drawPictures() : undefined));
/** Redraws the pictures for the view in force now, when a run has finished an epoch. */
export const sendView = pictureDrawing.now;

/** Draws `kind`'s picture from the latest results if a run has any, then offers it as a PNG or SVG file. */
async function exportPicture(kind, format) {
  const picture = img[kind];
  exporting.add(picture);
  try {
    await sendView();
    const name = `${PICTURES[kind].file}.${format}`;
    await (format === 'png' ? pictures.downloadPng(picture, name) : pictures.downloadSvg(picture, name));
  } finally {
    exporting.delete(picture);
  }
}

/** Draws after an epoch round (once every model has finished the epoch; see [`PICTURES_MS`]), and at the end. */
export function maybeDraw(final) {
  const round = Math.min(...page.runs.map((r) => r.epochs.length));
  if (round > page.drawnRound || (final && trained())) {
    page.drawnRound = round;
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
  const ghosts = (page.before?.runs ?? []).map((run) => ({ ...run, ghost: true }));
  const perModel = Object.fromEntries(Object.entries(results.perModel).map(([kind, data]) => [kind, data.sort((a, b) => rank(a.mode) - rank(b.mode))]));
  const payload = { view, runs: [...ghosts, ...runsInOrder], logits: results.logits, maps: results.maps, split: results.split, perModel };
  const drawn = await engine.request('draw', payload, results.logits.map((l) => l.logits.buffer));
  drawn.problems.push(...results.problems);
  onPictures(drawn);
  pictureTimes.push({ work: results.ms + drawn.ms, latency: performance.now() - started });
}

/**
 * The cross map of `pair` on the runs on screen, as the engine's data (drawn but not shown), or
 * null if the engine cannot make it: a lesson compares the maps of several pairs this way.
 */
export async function crossMapOf(pair) {
  const view = { curves: false, diagram: false, cross: pair, embedding: null, weights: null, perModel: [], projector: false };
  const results = await racers.results(view);
  const payload = { view, runs: [], logits: results.logits, maps: [], split: null };
  const drawn = await engine.request('draw', payload, results.logits.map((l) => l.logits.buffer));
  return drawn.crossMap?.map ?? null;
}

/** Shows what the worker drew, with each picture's text alternative, and keeps the data a lesson speaks of. */
function onPictures(message) {
  if (message.curves) pictures.show(img.curves, message.curves.svg);
  if (message.diagram) {
    page.lastSplit = message.diagram.diagram.split ?? null;
    pictures.show(img.diagram, message.diagram.svg);
    showSpots(message.diagram.spots);
    pictures.renderDiagramText(ui.diagramText, message.diagram.diagram);
  }
  if (message.crossMap) {
    page.lastMap = message.crossMap.map;
    if (page.shownWeights.length) showWeightList(page.shownWeights);
    pictures.show(img.cross_map, message.crossMap.svg);
    img.cross_map.dataset.when = message.crossMap.map.when;
    pictures.renderCrossMapTable(ui.crossMapTable, message.crossMap.map);
    for (const id of ['#map-png', '#map-svg']) $(id).disabled = false;
  }
  if (message.embedding) {
    page.lastMaps = message.embedding.maps;
    pictures.show(img.embedding, message.embedding.svg);
    pictures.renderNeighbours(ui.embeddingList, message.embedding.maps);
  }
  for (const [kind, { data, svg }] of Object.entries(message.perModel)) {
    pictures.show(img[kind], svg);
    pictures.TEXTS[kind](textOf(kind), data);
  }
  for (const problem of message.problems) say(`The ${problem.picture} picture: ${explain(problem)}`, true);
}

/**
 * Takes every picture but the diagram back to its placeholder, with their lists and tables (new
 * data, a reset, a restarted engine), and forgets what they showed.
 */
export function clearPictures() {
  Object.assign(page, { lastMap: null, lastSplit: null, lastMaps: null, shownWeights: [] });
  for (const picture of [img.curves, img.cross_map, img.embedding, ui.crossMapBefore, ...PER_MODEL.map((kind) => img[kind])]) pictures.clear(picture);
  for (const kind of PER_MODEL) pictures.TEXTS[kind](textOf(kind), null);
  for (const id of ['#map-png', '#map-svg']) $(id).disabled = true;
  for (const list of [ui.weights, ui.embeddingList, ui.whatifResult]) list.replaceChildren();
  pictures.renderCrossMapTable(ui.crossMapTable, null);
}

/** The cross map on screen, as SVG text and its epoch (to keep it as the one before), or null. */
export const crossMapShown = () => (img.cross_map.dataset.drawn ? { svg: pictures.svgOf(img.cross_map), when: img.cross_map.dataset.when } : null);

/** Takes the cross map off screen (a new race starts; it comes back at its first epoch). */
export const clearCrossMap = () => pictures.clear(img.cross_map);

/**
 * The named wide weights, those whose pair is an outlined cell of the cross map on screen marked
 * (the engine says which, as it does for a lesson's sentences).
 */
async function showWeightList(weights) {
  page.shownWeights = weights;
  views.renderWeights(ui.weights, weights);
  const outlined = page.lastMap ? (await told({ cross_map: page.lastMap, weights }))?.cross_map?.outlined : null;
  if (outlined && page.shownWeights === weights) views.renderWeights(ui.weights, weights, outlined);
}

/** Asks the model chosen under "Inside the model" for its named weights, and lists them. */
export async function showWeights() {
  const mode = ui.insideModel.value;
  try {
    const { weights } = await racers.ask(mode, 'weights', { mode });
    await showWeightList(weights);
  } catch (error) {
    ui.weights.replaceChildren();
    ui.whatifResult.textContent = explain(error);
  }
}

/** Wires the pictures' controls: which columns they show, their downloads, the weights and the what-if form. */
export function bindPictures() {
  $('#show-weights').addEventListener('click', showWeights);
  ui.insideModel.addEventListener('change', () => sendView());
  const pickMap = () => { page.state.map = [ui.mapDown.value, ui.mapAcross.value]; save(); sendView(); };
  ui.mapDown.addEventListener('change', pickMap);
  ui.mapClass.addEventListener('change', () => { page.state.mapClass = ui.mapClass.value; save(); sendView(); });
  ui.mapAcross.addEventListener('change', pickMap);
  ui.embeddingColumn.addEventListener('change', () => { page.state.embed = ui.embeddingColumn.value; save(); sendView(); });
  for (const [id, kind, format] of [['#map-png', 'cross_map', 'png'], ['#map-svg', 'cross_map', 'svg'], ['#export-png', 'curves', 'png'], ['#export-svg', 'curves', 'svg']]) {
    $(id).addEventListener('click', () => exportPicture(kind, format));
  }
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
}
