// A training worker: owns one wasm engine so the page never blocks (the page never loads the
// module at all). It trains in short slices (about 50 ms each), posts progress after each one,
// and yields between slices so pause and stop act within ~100 ms. A race may use up to three of
// these, each with its own engine: the first reads the file and shares its prepared rows, and
// draws the pictures (as SVG text) for all of them from the results each one reports.
//
// In:  {type: 'init', preference, module?}  {type: 'module'}  {type: 'load', files: [File | {name, bytes}]}  {type: 'configure', config}
//      {type: 'prepared'}  {type: 'configurePrepared', name, bytes, config}  {type: 'measure', config}
//      {type: 'start', pace} {type: 'pause'} {type: 'resume', pace} {type: 'stop'} {type: 'extend', epochs, pace}
//      (pace: the fewest milliseconds an epoch round takes, so a class can watch; 0 trains flat out)
//      {type: 'export', mode}  {type: 'exportOnnx', mode}  {type: 'exportTorch', mode}  {type: 'import', json}  {type: 'score', bytes}  {type: 'backend', preference}
//      {type: 'preset', name}  {type: 'analyze', config, projector}  {type: 'weights', mode, count}  {type: 'explain', mode, row}
//      {type: 'setup', name}  (a study's whole configuration for the loaded data)
//      {type: 'handOver', mode}  {type: 'takeOver', bytes}  (a race moves a model to a worker with cores to spare)
//      {type: 'results', view}  (what this worker's models show: view = {curves, diagram, cross, embedding, weights, perModel, projector};
//                                the pictures on screen: cross and embedding name their columns, perModel lists
//                                the kinds of pictures-table.js drawn from each model's data)
//      {type: 'draw', view, runs, logits: [{mode, logits, epoch}], maps, split, perModel: {kind: data}}  (the pictures of every worker's results)
//      {type: 'variants', config, vary, seeds, projector}  (a race of variants of config's first model: vary holds SETTING=VALUES split by ;)
//      {type: 'panicForTest'}  (the next training slice panics: only the page test of crash recovery sends it)
//      {type: 'csv', models}  (the metrics CSV of a race's models, every worker's gathered)
//      {type: 'facts', shown}  (a lesson's sentences about the pictures on screen: {cross_map?, weights?, split?, embedding?})
// Out: {type: 'ready', backend, defaults}  {type: 'schema', schema}  {type: 'configured', dataset, backend}
//      {type: 'progress', progress, stepsPerSlice}  {type: 'done'}  {type: 'paused'} {type: 'stopped'}
//      {type: 'exported', mode, json}  {type: 'exportedOnnx', mode, bytes}  {type: 'exportedTorch', mode, bytes}  {type: 'imported', columns}  {type: 'scored', probabilities, csv, clipped}
//      {type: 'loading', share}  {type: 'analysis', analysis, diagramSvg, diagramSpots}  {type: 'weights', mode, weights}
//      {type: 'explained', mode, explanation}  {type: 'setup', config}  {type: 'prepared', bytes}
//      {type: 'results', runs, logits, maps, split, weights, perModel: {kind: data}, ms}
//      {type: 'pictures', curves, crossMap, embedding, diagram: {diagram, svg, spots}, perModel: {kind: {data, svg}}, problems, ms}
//      {type: 'report', report}  {type: 'csv', csv}  {type: 'module', module}  (the compiled WebAssembly.Module)
//      {type: 'facts', told}  (lessonFacts: {cross_map?: {text, outlined}, split?: {text}, embedding?: {text}})
//      {type: 'measured', backend}  (the automatic choice's pick and figures, or null: nothing to measure)
//      {type: 'columns', part}  (a wide schema's columns, sent ahead of the 'schema' or 'analysis' that says columnsAhead)
//      {type: 'handedOver', mode, bytes}  {type: 'tookOver', mode}
//      {type: 'variants', variants: [{name, config}]}  {type: 'variantsProgress', progress: {finished, runs, current, ended, done, scores, said, svg?}}
//      {type: 'error', message, kind, request}   (kind: the core's error code, for the page's hint;
//                                                 'crashed': the engine died (a panic, an allocation that failed)
//                                                 while doing `request`, and the page must replace this worker)
import { PICTURES, PER_MODEL } from './pictures-table.js';
import init, { WideDeepEngine, defaultConfig, diagramSpots, lastPanic, lessonFacts, metricsCsv, pictureSvg } from './pkg/widedeep.js';

const SLICE_MS = 50;
let engine = null;
/** The compiled module, handed to the race's other workers so they start from its code. */
let compiled = null;
let running = false;
let looping = false;
/**
 * Whether this worker's race is on (started and neither paused nor stopped), also once its own
 * models are done: a model handed to it then trains at once.
 */
let racing = false;
let stepsPerSlice = 4;
/** Class speed: the fewest milliseconds between two epoch rounds (0: as fast as it trains). */
let pace = 0;
/** When this worker's last epoch round ended (or its race began), and how many rounds it has finished. */
let roundAt = 0;
let rounds = 0;
/** Each model's last finished epoch, as this worker has seen it. */
const epochsDone = new Map();
let inFlight = null;
/** The request being handled, to name what the engine was doing if it dies. */
let current = null;
/** Set once the engine has died: `{request, message}`; every later request is answered with it. */
let dead = null;
/** Set by the `panicForTest` request: the next training slice panics (see `WideDeepEngine.panicForTest`). */
let panicNext = false;

const post = (message, transfer = []) => self.postMessage(message, transfer);
/**
 * Most columns of a schema in one message: the page rebuilds a message's objects in one task, and
 * the 100,001 columns of a wide file took it a quarter of a second at once.
 */
const COLUMNS_PER_MESSAGE = 5000;
/**
 * Posts `message`, which holds `schema`: a wide schema's columns go ahead in parts (`{type:
 * 'columns', part}`), its own message keeps the last part and says `columnsAhead`, and the page
 * puts them back together (worker-client.js), each part in a task of its own.
 */
function postWithSchema(message, schema) {
  const { columns } = schema;
  const ahead = Math.ceil(columns.length / COLUMNS_PER_MESSAGE) - 1;
  for (let i = 0; i < ahead; i += 1) post({ type: 'columns', part: columns.slice(i * COLUMNS_PER_MESSAGE, (i + 1) * COLUMNS_PER_MESSAGE) });
  if (ahead > 0) schema.columns = columns.slice(ahead * COLUMNS_PER_MESSAGE);
  post({ ...message, columnsAhead: ahead > 0 });
}
/**
 * Resolves in a fresh task, after any message already queued from the page. A message to
 * ourselves, not `setTimeout(0)`: nested timeouts wait at least 4 ms, close to a tenth of a slice.
 */
const nextTask = (() => {
  const channel = new MessageChannel();
  const waiting = [];
  channel.port1.onmessage = () => waiting.shift()();
  return () => new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
})();

/** Waits until no training slice holds the engine. */
async function settled() {
  while (inFlight) await inFlight.catch(() => {});
}

/**
 * Ends this worker's race (a pause, a stop, new data or settings) and waits for the loop to exit.
 * A race of variants cut short says so (a progress of null), so the page stops waiting for it.
 */
async function quit() {
  const variants = racing && training === VARIANTS;
  racing = false;
  await halt();
  if (variants) post({ type: 'variantsProgress', progress: null });
}

/** Stops the loop and waits until it has exited. */
async function halt() {
  running = false;
  while (looping) await nextTask();
}

/**
 * What the loop trains: the race of the models (its progress posted as 'progress', held to the
 * class's pace) or a race of variants ('variantsProgress', flat out).
 */
const RACE = { slice: (steps) => engine.train(steps), type: 'progress', paced: true };
const VARIANTS = { slice: (steps) => variantsSlice(steps), type: 'variantsProgress', paced: false };
/** Runs of the race of variants in its last picture (drawn again as each run ends), and whether it is drawn for a projector. */
let drawnRuns = 0;
let variantsProjector = false;

/** A slice of the race of variants, with its picture (`svg`) when a run has ended since the last. */
async function variantsSlice(steps) {
  const progress = await engine.trainVariants(steps);
  if (progress.finished !== drawnRuns) {
    drawnRuns = progress.finished;
    progress.svg = svg('variants', progress.scores, variantsProjector);
  }
  return progress;
}
let training = RACE;

/** The race is on: trains until every model of this worker is done (or a pause or stop). */
function race(what = RACE) {
  training = what;
  racing = true;
  running = true;
  trainLoop();
}

/** Runs `work` with the loop halted between two slices, then trains on if the race is on. */
async function betweenSlices(work) {
  await halt();
  try {
    await work();
  } finally {
    if (racing) race(training);
  }
}

async function trainLoop() {
  if (looping) return;
  looping = true;
  try {
    while (running) {
      const started = performance.now();
      const { slice, type, paced } = training;
      inFlight = panicNext ? engine.panicForTest() : slice(stepsPerSlice);
      const progress = await inFlight.finally(() => (inFlight = null));
      const elapsed = Math.max(performance.now() - started, 1);
      post({ type, progress, stepsPerSlice });
      stepsPerSlice = Math.max(1, Math.min(1024, Math.round(stepsPerSlice * Math.min(2, SLICE_MS / elapsed))));
      if (progress.done) {
        running = false;
        // A race stays on once its models are done (a model handed over trains at once); variants end.
        if (paced) post({ type: 'done' });
        else racing = false;
      }
      if (paced) await keepPace(progress);
      await nextTask();
    }
  } catch (error) {
    running = false;
    racing = false;
    const request = training === RACE ? 'train' : 'trainVariants';
    if (isCrash(error)) crashed(error, request);
    else post({ type: 'error', request, message: error?.message ?? String(error), kind: error?.kind });
  } finally {
    looping = false;
  }
}

/** Milliseconds to wait between two checks of a pause or stop while an epoch round is held back. */
const PACE_CHECK_MS = 50;

/**
 * Holds the race back once an epoch round ends (every model of this worker has finished one
 * more epoch) until `pace` milliseconds have passed since the previous round: at class speed a
 * room sees each epoch land. A pause or a stop still acts within [`PACE_CHECK_MS`].
 */
async function keepPace(progress) {
  for (const m of progress.models) if (m.finished.length) epochsDone.set(m.mode, m.finished[m.finished.length - 1].epoch);
  const round = Math.min(...progress.models.map((m) => epochsDone.get(m.mode) ?? 0));
  if (!pace || !(round > rounds)) return;
  rounds = round;
  const until = roundAt + pace;
  while (running && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, Math.min(PACE_CHECK_MS, until - performance.now())));
  roundAt = performance.now();
}

/**
 * Whether `error` means the engine is dead: a WebAssembly trap (a Rust panic aborts, and so does
 * an allocation that fails), a RangeError (memory that could not grow), or the refusal that every
 * call to an engine gets once a trap left it borrowed ("recursive use of an object").
 */
const isCrash = (error) => error instanceof WebAssembly.RuntimeError || error instanceof RangeError || /recursive use of an object/.test(error?.message);

/** Why the engine died: the panic's message, else the trap's (an allocation that fails aborts without a panic). */
function crashReason(error) {
  let panic;
  try {
    panic = lastPanic();
  } catch {
    // The instance may be too broken to answer; the trap's own message is said instead.
  }
  const trap = error?.message ?? String(error);
  return panic ?? (/unreachable/.test(trap) ? `it aborted, most likely out of memory (${trap})` : trap);
}

/**
 * The engine died while doing `request` (a training slice, when one was in flight): says so once,
 * as a 'crashed' error, so the page replaces this worker. Nothing here can be trusted after a trap:
 * the slice's promise never settles and the engine stays borrowed, so no request is tried again.
 */
function crashed(error, request = inFlight ? 'train' : current) {
  if (dead) return;
  running = false;
  dead = { request, message: crashReason(error) };
  post({ type: 'error', kind: 'crashed', ...dead });
}

// A trap inside a promise the engine returned surfaces here (its future is polled in a microtask),
// not where the promise is awaited: that promise never settles.
self.addEventListener('error', (event) => {
  if (!isCrash(event.error)) return;
  event.preventDefault();
  crashed(event.error);
});
self.addEventListener('unhandledrejection', (event) => {
  if (!isCrash(event.reason)) return;
  event.preventDefault();
  crashed(event.reason);
});

/** A picture as SVG text, at its size and in the page's look. */
const svg = (kind, data, projector) => pictureSvg({ kind, data }, PICTURES[kind].width, PICTURES[kind].height, projector);

/** Where the crosses lie in the diagram drawn by [`svg`]: the page lays a button over each. */
const spots = (diagram, projector) => diagramSpots(diagram, PICTURES.diagram.width, PICTURES.diagram.height, projector);

/** Runs `make`, putting its result under `name` in `into` (`out` itself by default), or its error in `out.problems`. */
async function attempt(out, name, make, into = out) {
  try {
    into[name] = await make();
  } catch (error) {
    out.problems.push({ picture: name, message: error?.message ?? String(error), kind: error?.kind });
  }
}

/** The per-model pictures `view` asks for (kinds of the pictures table's `perModel` rows). */
const perModelKinds = (view) => view.perModel.filter((kind) => PER_MODEL.includes(kind));

/**
 * The engine's code, compiled from its bytes once they are all here: streaming compilation
 * (`compileStreaming`) left about 20 MB more for V8 to collect, which it does only when the page
 * idles (README, "Memory"), and the file is a few MB that a static host sends in one go.
 */
async function compileEngine() {
  const url = new URL('./pkg/widedeep_bg.wasm', import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`The engine's code (${url.pathname}) could not be fetched: HTTP ${response.status}. Build it with make site or make demo.`);
  return WebAssembly.compile(await response.arrayBuffer());
}

const handlers = {
  async init({ preference = 'auto', module }) {
    compiled = module ?? (await compileEngine());
    await init({ module_or_path: compiled });
    engine = new WideDeepEngine();
    post({ type: 'ready', backend: await engine.chooseBackend(preference), defaults: defaultConfig() });
  },
  module() {
    post({ type: 'module', module: compiled });
  },
  async backend({ preference }) {
    await quit();
    post({ type: 'ready', backend: await engine.chooseBackend(preference) });
  },
  async load({ files }) {
    await quit();
    const names = files.map((f) => f.name);
    const progress = (share) => post({ type: 'loading', share });
    // One file the user gave is read in pieces, never whole in memory; several (MovieLens's), or bytes, whole.
    const bytes = async (f) => new Uint8Array(f instanceof Blob ? await f.arrayBuffer() : f.bytes);
    const schema = files.length === 1 && files[0] instanceof Blob
      ? engine.loadFile(names[0], files[0], progress)
      : engine.loadFiles(names, await Promise.all(files.map(bytes)), progress);
    postWithSchema({ type: 'schema', names, schema }, schema);
  },
  async preset({ name }) {
    await handlers.load({ files: [{ name: `${name}.csv`, bytes: WideDeepEngine.presetCsv(name) }] });
  },
  setup({ name }) {
    post({ type: 'setup', config: engine.setupConfig(name) });
  },
  analyze({ config, projector = false }) {
    const analysis = engine.analyze(config, 8);
    const diagramSvg = svg('diagram', analysis.diagram, projector);
    postWithSchema({ type: 'analysis', analysis, diagramSvg, diagramSpots: spots(analysis.diagram, projector) }, analysis.schema);
  },
  async weights({ mode, count }) {
    await settled();
    post({ type: 'weights', mode, weights: await engine.namedWeights(mode, count) });
  },
  async explain({ mode, row }) {
    await settled();
    post({ type: 'explained', mode, explanation: await engine.explain(mode, row) });
  },
  async configure({ config }) {
    await quit();
    post({ type: 'configured', ...(await engine.configure(config)) });
  },
  async prepared() {
    await settled();
    const bytes = engine.preparedBytes();
    post({ type: 'prepared', bytes: bytes.buffer }, [bytes.buffer]);
  },
  async measure({ config }) {
    await settled();
    // A race in progress measured when it started; timing now would take its cores and engine.
    post({ type: 'measured', backend: running ? null : await engine.measure(config) });
  },
  async configurePrepared({ name, bytes, config }) {
    await quit();
    post({ type: 'configured', ...(await engine.configurePrepared(name, new Uint8Array(bytes), config)) });
  },
  /** This worker's models at their last finished epoch: curves, test logits, and what the view asks of them. */
  async results({ view }) {
    await settled();
    const started = performance.now();
    const report = engine.report();
    const out = { type: 'results', runs: report.models, logits: [], maps: [], split: null, weights: null, perModel: {}, problems: [] };
    const transfer = [];
    // Only the cross map reads the test logits, only the diagram the logit split.
    for (const { mode, epochs } of view.cross ? report.models : []) {
      if (!epochs.length) continue;
      const { logits, epoch } = engine.testLogits(mode);
      out.logits.push({ mode, logits, epoch });
      transfer.push(logits.buffer);
    }
    if (view.embedding) await attempt(out, 'maps', () => engine.embeddingMaps(view.embedding, view.mapClass ?? undefined));
    if (view.diagram) await attempt(out, 'split', () => engine.logitSplit());
    for (const kind of perModelKinds(view)) await attempt(out, kind, () => engine[PICTURES[kind].perModel](), out.perModel);
    if (view.weights && report.models.some((m) => m.mode === view.weights && m.epochs.length)) {
      await attempt(out, 'weights', () => engine.namedWeights(view.weights));
    }
    out.ms = performance.now() - started;
    post(out, transfer);
  },
  /** The pictures of every worker's results, drawn here (this engine holds the file). */
  async draw({ view, runs, logits, maps, split, perModel = {} }) {
    await settled();
    const started = performance.now();
    const out = { type: 'pictures', perModel: {}, problems: [] };
    if (view.curves) await attempt(out, 'curves', () => ({ svg: svg('curves', runs, view.projector) }));
    if (view.cross) {
      await attempt(out, 'crossMap', () => {
        const map = engine.crossMap(...view.cross, logits.map((l) => l.mode), logits.map((l) => l.logits), logits.map((l) => l.epoch), view.mapClass ?? undefined);
        return { map, svg: svg('cross_map', map, view.projector) };
      });
    }
    if (view.embedding) await attempt(out, 'embedding', () => ({ maps, svg: svg('embedding', maps, view.projector) }));
    for (const kind of perModelKinds(view)) {
      if (perModel[kind]) await attempt(out, kind, () => ({ data: perModel[kind], svg: svg(kind, perModel[kind], view.projector) }), out.perModel);
    }
    if (view.diagram) {
      await attempt(out, 'diagram', () => {
        const diagram = engine.diagram(split);
        return { diagram, svg: svg('diagram', diagram, view.projector), spots: spots(diagram, view.projector) };
      });
    }
    out.ms = performance.now() - started;
    post(out);
  },
  /** Starts a race of variants of `config`'s first model (see `startVariants`), trained in slices like a race. */
  async variants({ config, vary, seeds, projector = false }) {
    await quit();
    post({ type: 'variants', variants: engine.startVariants(config, vary, seeds) });
    [drawnRuns, variantsProjector] = [0, projector];
    race(VARIANTS);
  },
  start({ pace: ms = 0 }) {
    pace = ms;
    [rounds, roundAt] = [0, performance.now()];
    epochsDone.clear();
    race();
  },
  resume({ pace: ms = 0 }) {
    pace = ms;
    race();
  },
  async pause() {
    await quit();
    post({ type: 'paused' });
  },
  async stop() {
    await quit();
    engine.stop();
    post({ type: 'stopped' });
  },
  async extend({ epochs = 1, pace: ms = 0 }) {
    pace = ms;
    roundAt = performance.now();
    await quit();
    engine.extend(epochs);
    race();
  },
  /** Takes `mode`'s model out between two slices, for another worker's `takeOver`; trains on with the rest. */
  handOver({ mode }) {
    return betweenSlices(async () => {
      const bytes = await engine.handOver(mode);
      post({ type: 'handedOver', mode, bytes: bytes.buffer }, [bytes.buffer]);
    });
  },
  /** Adds a model another worker handed over; it trains at once if the race is on. */
  takeOver({ bytes }) {
    return betweenSlices(async () => post({ type: 'tookOver', mode: engine.takeOver(new Uint8Array(bytes)) }));
  },
  async report() {
    await settled();
    post({ type: 'report', report: engine.report() });
  },
  async export({ mode }) {
    await settled();
    post({ type: 'exported', mode, json: await engine.exportModel(mode) });
  },
  async exportOnnx({ mode }) {
    await settled();
    const bytes = (await engine.exportOnnx(mode)).buffer;
    post({ type: 'exportedOnnx', mode, bytes }, [bytes]);
  },
  async exportTorch({ mode }) {
    await settled();
    const bytes = (await engine.exportTorch(mode)).buffer;
    post({ type: 'exportedTorch', mode, bytes }, [bytes]);
  },
  async import({ json }) {
    await settled();
    post({ type: 'imported', columns: engine.importModel(json) });
  },
  async score({ bytes }) {
    await settled();
    const { predictions, csv, clipped } = await engine.scoreCsv(new Uint8Array(bytes));
    post({ type: 'scored', predictions, csv, clipped });
  },
  panicForTest() {
    panicNext = true;
  },
  /** What a lesson may say about the pictures on screen (`shown`: the cross map, weights, split, embedding map it shows). */
  facts({ shown }) {
    post({ type: 'facts', told: lessonFacts(shown) });
  },
  /** The metrics CSV of a race's models, gathered from every worker (the core writes it). */
  csv({ models }) {
    post({ type: 'csv', csv: metricsCsv(models) });
  },
};

// Messages are handled one at a time, in order, so a 'configure' never races a 'load'.
let queue = Promise.resolve();
// A dead engine answers at once: its queue may be stuck behind a promise that never settles.
self.onmessage = ({ data }) => {
  if (dead) return post({ type: 'error', kind: 'crashed', request: dead.request, message: dead.message });
  queue = queue.then(async () => {
    current = data.type;
    try {
      const handler = handlers[data.type];
      if (!handler) throw new Error(`unknown request '${data.type}'`);
      await handler(data);
    } catch (error) {
      if (isCrash(error)) crashed(error, data.type);
      else post({ type: 'error', request: data.type, message: error?.message ?? String(error), kind: error?.kind });
    }
  });
};
