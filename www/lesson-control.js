// The lessons and the projector view: the lesson card's steps made real on the page (data,
// crosses, a finished race, the picture to look at), the run's facts in words for the card, the
// panel pointed at, and the projector's larger type.
import { $, setOptions } from './dom.js';
import * as views from './views.js';
import * as facts from './lesson-facts.js';
import { LessonCard } from './lesson.js';
import { Tabs } from './tabs.js';
import { refreshAnalysis, renderData, save, syncInputs } from './data.js';
import { crossMapOf, sendView, showWeights, watchInside } from './picture-control.js';
import { race, setPhase, stopRace } from './race-control.js';
import { loadPreset } from './loading.js';
import { base, page, raceKey, told, trained, ui } from './page-state.js';

/** The pictures' tabs (cross map, embedding map, fit (calibration, predicted against actual, or confusion), weights by name, what-if). */
const tabs = new Tabs($('.tabs'));

/** The lesson card, its steps made real by [`applyStep`]. */
export const lesson = new LessonCard(
  { card: $('#lesson'), count: $('#lesson-count'), title: $('#lesson-title'), text: $('#lesson-text'), back: $('#lesson-back'), next: $('#lesson-next'), end: $('#lesson-end') },
  { onStep: applyStep, onEnd: endLesson },
);

/** The settings a lesson sets for itself; the teacher's own come back when it ends. */
const LESSON_SETTINGS = ['epochs', 'seed', 'classSpeed'];

/** Starts the chosen lesson from its first step, keeping the teacher's settings to give back. */
function startLesson() {
  page.teacher ??= Object.fromEntries(LESSON_SETTINGS.map((key) => [key, page.state[key]]));
  return lesson.open(ui.lessonChoice.value, 0);
}

function endLesson() {
  Object.assign(page.state, { lesson: '', step: 1 }, page.teacher ?? {});
  page.teacher = null;
  highlight(null);
  syncInputs();
  save();
}

/** Ends a lesson in progress, as the user changed what it shows (the data). */
export const leaveLesson = () => lesson.end();

/**
 * Makes the page show what a lesson step needs (stopping any race first), points at its panel,
 * and resolves to the run's facts in words for the card.
 */
async function applyStep(name, index, step) {
  Object.assign(page.state, { lesson: name, step: index + 1 });
  save();
  const { needs } = step;
  highlight(step.target);
  if (!(await stopRace())) return '';
  if (page.state.preset !== needs.preset) await loadPreset(needs.preset, false);
  const preset = base(needs.preset);
  const { state } = page;
  Object.assign(state, { epochs: preset.epochs, seed: preset.seed, classSpeed: '1' });
  syncInputs();
  // A step that compares with an earlier race (opened by a link, with none on screen) runs that one first.
  if (needs.before && !page.before && !trained()) {
    await setCrosses(needs.before);
    await race(views.MODES);
    setPhase('done');
    if (lesson.lesson !== name) return '';
  }
  const crosses = needs.crosses === 'preset' ? preset.crosses : needs.crosses;
  if (crosses) await setCrosses(crosses);
  if (Array.isArray(needs.map)) { state.map = needs.map; renderData(); }
  if (needs.embedding) { state.embed = needs.embedding; renderData(); }
  if (needs.weights) setOptions(ui.insideModel, page.runs.map((r) => [r.mode, r.mode]), needs.weights);
  save();
  if (needs.trained && page.finishedRace !== raceKey()) {
    await race(views.MODES);
    setPhase('done');
  }
  if (lesson.lesson !== name) return '';
  const chosen = needs.map === 'exceptions' ? await mapMostExceptions() : '';
  if (lesson.lesson !== name) return '';
  highlight(step.target);
  await sendView();
  if (needs.weights) await showWeights();
  return `${chosen}${await factsOf(step.facts)}`;
}

/** Makes `crosses` the page's (and the analysis and diagram theirs), if they are not already. */
async function setCrosses(crosses) {
  if (JSON.stringify(crosses) === JSON.stringify(page.state.crosses)) return;
  page.state.crosses = structuredClone(crosses);
  save();
  await refreshAnalysis();
}

/**
 * Shows the cross map of the pair, among the current crosses of two columns, with the most
 * outlined cells on the run on screen (see `mostOutlined`); returns a sentence naming it, or ''
 * when the engine could make no map of them.
 */
async function mapMostExceptions() {
  const pairs = page.state.crosses.filter((cross) => cross.length === 2);
  const candidates = [];
  for (const pair of pairs) candidates.push([pair, await crossMapOf(pair).catch(() => null)]);
  const best = facts.mostOutlined(candidates);
  if (!best) return '';
  page.state.map = best;
  renderData();
  save();
  return `The map shows ${best.join(' × ')}: of this race's crosses, the one with the most outlined cells. `;
}

/**
 * A step's `facts` about the run on screen, in words: the results' from the tables
 * (lesson-facts.js), the pictures' from the engine (lessonFacts), each about what is shown.
 */
async function factsOf(kind) {
  const { runs, before, lastMap, lastSplit, lastMaps, shownWeights } = page;
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

/**
 * Marks the panel a lesson step points at, shows its tab, and brings it into view. While it is
 * in a tab (a picture, the weights), the page says so (`lesson-picture` on the root): the
 * projector view then gives the tab the output column's height, and the column more width.
 */
function highlight(selector) {
  for (const marked of document.querySelectorAll('[data-lesson-target]')) delete marked.dataset.lessonTarget;
  const target = selector && $(selector);
  document.documentElement.classList.toggle('lesson-picture', Boolean(target?.closest('.tab-panel')));
  if (!target) return;
  tabs.reveal(target);
  watchInside(target);
  target.dataset.lessonTarget = 'true';
  target.scrollIntoView({ block: 'nearest', behavior: 'instant' });
}

/** Turns the projector view (larger type, the lesson card docked) on or off. */
export function setProjector(on) {
  page.state.projector = on ? '1' : '0';
  document.documentElement.classList.toggle('projector', on);
  ui.projector.setAttribute('aria-pressed', String(on));
  save();
}

/** Wires "Start the lesson" and the projector button. */
export function bindLessons() {
  $('#lesson-start').addEventListener('click', startLesson);
  ui.projector.addEventListener('click', () => { setProjector(page.state.projector !== '1'); sendView(); });
}
