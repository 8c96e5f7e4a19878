// The training worker: owns the wasm engine so the page never blocks (the page never loads the
// module at all). It trains in short slices (about 50 ms each), posts progress after each one,
// and yields between slices so pause and stop act within ~100 ms. After every slice that finished
// an epoch it draws the pictures (curves, cross map, embedding map, diagram) as SVG text and
// posts them with their data, so they move while the models learn.
//
// In:  {type: 'init', preference}  {type: 'load', files: [{name, bytes}]}  {type: 'configure', config}
//      {type: 'start'} {type: 'pause'} {type: 'resume'} {type: 'stop'} {type: 'extend', epochs}
//      {type: 'export', mode}  {type: 'import', json}  {type: 'score', bytes}  {type: 'backend', preference}
//      {type: 'preset', name}  {type: 'analyze', config}  {type: 'weights', mode, count}  {type: 'explain', mode, row}
//      {type: 'view', view}   (view: {cross: [down, across] | null, embedding: column | null, weights: mode | null, projector})
//      {type: 'setup', name}  (a study's whole configuration for the loaded data)
// Out: {type: 'ready', backend, defaults}  {type: 'schema', schema}  {type: 'configured', dataset}
//      {type: 'progress', progress, stepsPerSlice}  {type: 'done', report, csv}  {type: 'paused'} {type: 'stopped'}
//      {type: 'exported', mode, json}  {type: 'imported', columns}  {type: 'scored', probabilities, csv}
//      {type: 'loading', share}  {type: 'analysis', analysis}  {type: 'weights', mode, weights}
//      {type: 'explained', mode, explanation}  {type: 'pictures', curves, crossMap, embedding, diagram, weights, problems}
//      {type: 'viewed'}  {type: 'setup', config}
//      {type: 'error', message, kind, request}   (kind: the core's error code, for the page's hint)
import init, { WideDeepEngine, defaultConfig, pictureSvg } from './pkg/widedeep.js';

const SLICE_MS = 50;
/** Pixel sizes the pictures are drawn at (SVG: they scale to any screen or projector). */
const SIZES = { curves: [1200, 380], cross_map: [1200, 440], embedding: [1200, 480], diagram: [1200, 330] };
/** What the page shows: which pair the cross map crosses, which column's embeddings, whose weights. */
let view = { cross: null, embedding: null, weights: null, projector: false };
let engine = null;
let running = false;
let looping = false;
let stepsPerSlice = 4;
let inFlight = null;
/** Whether a run is configured, so the pictures have models to show. */
let configured = false;
/** Epochs each model has finished, and the last epoch round the pictures were drawn for: they are
 * drawn once every model has finished an epoch, not once per model. */
const finishedEpochs = new Map();
let drawnRound = 0;

const post = (message) => self.postMessage(message);
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

/** Stops the loop and waits until it has exited. */
async function halt() {
  running = false;
  while (looping) await nextTask();
}

async function trainLoop() {
  if (looping) return;
  looping = true;
  try {
    while (running) {
      const started = performance.now();
      inFlight = engine.train(stepsPerSlice);
      const progress = await inFlight.finally(() => (inFlight = null));
      const elapsed = Math.max(performance.now() - started, 1);
      post({ type: 'progress', progress, stepsPerSlice });
      stepsPerSlice = Math.max(1, Math.min(1024, Math.round(stepsPerSlice * Math.min(2, SLICE_MS / elapsed))));
      for (const model of progress.models) finishedEpochs.set(model.mode, (finishedEpochs.get(model.mode) ?? 0) + model.finished.length);
      const round = Math.min(...finishedEpochs.values());
      if (round > drawnRound || (progress.done && progress.models.some((m) => m.finished.length))) {
        drawnRound = round;
        await drawPictures();
      }
      if (progress.done) {
        running = false;
        post({ type: 'done', report: engine.report(), csv: engine.reportCsv() });
      }
      await nextTask();
    }
  } catch (error) {
    running = false;
    post({ type: 'error', request: 'train', message: error?.message ?? String(error), kind: error?.kind });
  } finally {
    looping = false;
  }
}

/** A picture as SVG text, at its size and in the page's look. */
const svg = (kind, data) => pictureSvg({ kind, data }, ...SIZES[kind], view.projector);

/**
 * Draws every picture the view asks for and posts them with their data (the page shows the SVG
 * and builds the text alternatives from the data). A picture that cannot be drawn (a column the
 * run does not have) is reported in `problems`; the others still come.
 */
async function drawPictures() {
  if (!configured) return;
  const started = performance.now();
  const out = { type: 'pictures', problems: [] };
  const attempt = async (name, make) => {
    try {
      out[name] = await make();
    } catch (error) {
      out.problems.push({ picture: name, message: error?.message ?? String(error), kind: error?.kind });
    }
  };
  await attempt('curves', () => ({ svg: svg('curves', engine.report().models) }));
  if (view.cross) await attempt('crossMap', () => { const map = engine.crossMap(...view.cross); return { map, svg: svg('cross_map', map) }; });
  if (view.embedding) await attempt('embedding', async () => { const maps = await engine.embeddingMaps(view.embedding); return { maps, svg: svg('embedding', maps) }; });
  await attempt('diagram', async () => { const diagram = await engine.diagram(); return { diagram, svg: svg('diagram', diagram) }; });
  if (view.weights) await attempt('weights', () => engine.namedWeights(view.weights, 15));
  out.ms = performance.now() - started;
  post(out);
}

const handlers = {
  async init({ preference = 'auto' }) {
    await init();
    engine = new WideDeepEngine();
    post({ type: 'ready', backend: await engine.chooseBackend(preference), defaults: defaultConfig() });
  },
  async backend({ preference }) {
    await halt();
    post({ type: 'ready', backend: await engine.chooseBackend(preference) });
  },
  async load({ files }) {
    await halt();
    const names = files.map((f) => f.name);
    const schema = engine.loadFiles(names, files.map((f) => new Uint8Array(f.bytes)), (share) => post({ type: 'loading', share }));
    configured = false;
    post({ type: 'schema', names, schema });
  },
  async preset({ name }) {
    await handlers.load({ files: [{ name: `${name}.csv`, bytes: WideDeepEngine.presetCsv(name) }] });
  },
  setup({ name }) {
    post({ type: 'setup', config: engine.setupConfig(name) });
  },
  analyze({ config }) {
    const analysis = engine.analyze(config, 8);
    post({ type: 'analysis', analysis, diagramSvg: svg('diagram', analysis.diagram) });
  },
  async view({ view: next }) {
    await settled();
    view = next;
    await drawPictures();
    post({ type: 'viewed' });
  },
  async weights({ mode, count = 15 }) {
    await settled();
    post({ type: 'weights', mode, weights: await engine.namedWeights(mode, count) });
  },
  async explain({ mode, row }) {
    await settled();
    post({ type: 'explained', mode, explanation: await engine.explain(mode, row) });
  },
  async configure({ config }) {
    await halt();
    configured = false;
    const dataset = engine.configure(config);
    configured = true;
    finishedEpochs.clear();
    for (const mode of config.train.modes) finishedEpochs.set(mode, 0);
    drawnRound = 0;
    post({ type: 'configured', dataset });
  },
  start() {
    running = true;
    trainLoop();
  },
  resume() {
    running = true;
    trainLoop();
  },
  async pause() {
    await halt();
    post({ type: 'paused' });
  },
  async stop() {
    await halt();
    post({ type: 'stopped' });
  },
  async extend({ epochs = 1 }) {
    await settled();
    engine.extend(epochs);
    running = true;
    trainLoop();
  },
  async report() {
    await settled();
    post({ type: 'report', report: engine.report(), csv: engine.reportCsv() });
  },
  async export({ mode }) {
    await settled();
    post({ type: 'exported', mode, json: await engine.exportModel(mode) });
  },
  async import({ json }) {
    await settled();
    post({ type: 'imported', columns: engine.importModel(json) });
  },
  async score({ bytes }) {
    await settled();
    const { probabilities, csv } = await engine.scoreCsv(new Uint8Array(bytes));
    post({ type: 'scored', probabilities, csv });
  },
};

// Messages are handled one at a time, in order, so a 'configure' never races a 'load'.
let queue = Promise.resolve();
self.onmessage = ({ data }) => {
  queue = queue.then(async () => {
    try {
      const handler = handlers[data.type];
      if (!handler) throw new Error(`unknown request '${data.type}'`);
      await handler(data);
    } catch (error) {
      post({ type: 'error', request: data.type, message: error?.message ?? String(error), kind: error?.kind });
    }
  });
};
