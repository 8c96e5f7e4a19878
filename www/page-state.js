// The page's state in one place (TF Playground's state.ts is the model): the settings, the data
// the engine holds, the runs on screen and the one before, and what the pictures show. Every
// controller reads and writes this one object, so no module keeps a copy of the page of its own.
import { $ } from './dom.js';
import { EngineClient } from './worker-client.js';
import { PRESETS } from './presets.js';
import { Race } from './race.js';
import { SETTINGS, defaults, setupSettings, toConfig, withSettings } from './state.js';
import * as views from './views.js';

/** The page's mutable state: one object, so what the page holds is read in one place. */
export const page = {
  /** The settings (what a link carries); filled at start-up, once the engine has handed over the core's defaults. */
  state: null,
  /** The loaded file's schema, with the current label's leaks flagged (from the engine's analysis). */
  schema: null,
  /**
   * What the engine holds, to load it again into a fresh worker after a crash, a hang or a
   * cancelled load: `{name, preset}` (a preset, fetched or generated again) or `{name, files}` (the
   * File objects the user gave: the browser keeps their bytes, so nothing is copied here). Set
   * when a load succeeds, so a load that fails or is cancelled leaves the previous data's.
   */
  source: null,
  /** What the race on screen predicts ('binary', 'multiclass' or 'regression', from the engine's dataset reply). */
  task: 'binary',
  /** A multiclass race's class names, in the models' output order. */
  classes: [],
  /** The crosses the engine suggests, and the columns it says the model reads, into which part (its diagram's inputs). */
  suggestions: [],
  diagramInputs: [],
  /** The crosses switched off since the data loaded: their switches stay in the list, to switch them on again. */
  switchedOff: [],
  /** Whether the what-if's fields are drawn for the data and settings now (they are drawn when its panel shows). */
  whatIfDrawn: false,
  /** The "Find a column" box's text, and the page of the column table shown (a file may have 100,000 columns). */
  columnFilter: '',
  columnPage: 0,
  /** The runs on screen (`{mode, epochs}`), and the race's phase: idle | running | paused | done. */
  runs: [],
  phase: 'idle',
  /** The settings of the last race that ran to its end, and the resolver of the one in progress. */
  finishedRace: null,
  raceEnd: null,
  /** The epoch round the pictures were last drawn for. */
  drawnRound: 0,
  /** Whether an epoch finished since the tables were drawn: they are redrawn with the progress bars. */
  tablesStale: false,
  /**
   * The previous race, kept on screen under the current one: its runs (ghost curves, a greyed
   * results row) and its cross map (drawn small beside the new one). Null until a second race.
   */
  before: null,
  /** The race key ([`raceKey`]) of the results on screen: when the settings move on, they are stale. */
  shownKey: null,
  /** The epochs the race on screen aims for (its setting, plus each "one more epoch"). */
  epochTarget: 0,
  /** The crosses of the race on screen, in words (the caption of its cross map once it is the one before). */
  shownSettings: '',
  /** What the pictures on screen show, for a lesson's facts: the cross map's data, the logit split, the embedding maps, the named weights. */
  lastMap: null,
  lastSplit: null,
  lastMaps: null,
  shownWeights: [],
  /** The teacher's own values of the settings a lesson sets, while a lesson they started runs (null otherwise). */
  teacher: null,
  /** The model the backends were last measured on (forgotten when new data loads or the backend choice changes). */
  measuredKey: null,
};

/** The first worker: it holds the file, analyses it, draws the pictures, and trains. */
export const engine = new EngineClient();
/** Who hears what a worker says unasked; race-control.js sets it (so imports run one way). */
let hear = () => {};
/** Makes `handler(client, message)` hear every worker's unsolicited messages. */
export function listen(handler) {
  hear = handler;
  engine.listen((message) => hear(engine, message));
}
/** The workers of a race (the first one, and up to two more made when a race needs them). */
export const racers = new Race(engine, (client, message) => hear(client, message));

/** The page's elements, by what they are for. */
export const ui = {
  backend: $('#backend'), preset: $('#preset'), story: $('#story'), file: $('#file'), drop: $('#drop'),
  loadProgress: $('#load-progress'), cancelLoad: $('#cancel-load'), loadError: $('#load-error'), summary: $('#data-summary'),
  columnFilter: $('#column-filter'), columnCount: $('#column-count'), columnsPrevious: $('#columns-previous'), columnsNext: $('#columns-next'),
  label: $('#label'), positive: $('#positive'), threshold: $('#threshold'), schema: $('#schema tbody'),
  crosses: $('#suggestions'), crossA: $('#cross-a'), crossB: $('#cross-b'), crossC: $('#cross-c'),
  status: $('#status'), modelProgress: $('#model-progress'), results: $('#results tbody'), epochs: $('#epochs-table tbody'),
  diagramText: $('#diagram-text'), crossMapTable: $('#cross-map-table'),
  mapDown: $('#map-down'), mapAcross: $('#map-across'), mapClass: $('#map-class'), embeddingColumn: $('#embedding-column'), embeddingList: $('#embedding-list'),
  insideModel: $('#inside-model'), weights: $('#weights tbody'), whatifFields: $('#whatif-fields'), whatifNote: $('#whatif-note'), whatif: $('#whatif'), whatifResult: $('#whatif-result'),
  modelMode: $('#model-mode'), shareStatus: $('#share-status'), scoreFile: $('#score-file'), projector: $('#projector'),
  confusion: $('#confusion'), epochCounter: $('#epoch-counter'), classSpeed: $('#class-speed'), resultsBefore: $('#results-before'), roleSummary: $('#role-summary'),
  crossMapBefore: $('#cross-map-before'), crossMapBeforeFigure: $('#cross-map-before-figure'), crossMapBeforeCaption: $('#cross-map-before-caption'),
  staleNote: $('#stale-note'), lessonChoice: $('#lesson-choice'),
};

/** A preset's settings (its setup's, from the core) over the defaults: what a link's values override. */
export const base = (preset) => {
  const setup = PRESETS[preset]?.setup;
  return { ...withSettings(defaults(), setup ? setupSettings(setup) : {}), preset };
};

/** The current settings of a race of every model, as one string: results of other settings are stale. */
export const raceKey = () => JSON.stringify([page.state.preset, toConfig(page.state, views.MODES)]);

/** The crosses of `state` in words. */
export const crossWords = ({ crosses }) => (crosses.length ? `crosses ${crosses.map((c) => c.join(' × ')).join(', ')}` : 'no cross');

/** A setting's own form control (see the settings table, state.js). */
export const inputOf = (key) => document.getElementById(SETTINGS[key].input);

/** Whether a run on screen has finished an epoch (so there are results to show, draw or export). */
export const trained = () => page.runs.some((r) => r.epochs.length);

/** Says `text` in the status line, as an error or not. */
export function say(text, isError = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', isError);
}

/** An engine error in this page's words: its message, and which control fixes it. */
export const explain = (error) => views.describeError(error);

/** What the engine's lessonFacts says about `shown` (pictures on screen), or null if it cannot say. */
export const told = (shown) => engine.request('facts', { shown }).then((reply) => reply.told, () => null);

/** Error kinds of requests the page itself cut short (a worker it ended): nothing failed. */
export const ENDED = new Set(['ended', 'cancelled']);
