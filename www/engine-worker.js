// The training worker: owns the wasm engine so the page never blocks. It trains in short slices
// (about 50 ms each), posts progress after each one, and yields between slices so pause and stop
// act within ~100 ms.
//
// In:  {type: 'init', preference}  {type: 'load', name, bytes}  {type: 'configure', config}
//      {type: 'start'} {type: 'pause'} {type: 'resume'} {type: 'stop'} {type: 'extend', epochs}
//      {type: 'export', mode}  {type: 'import', json}  {type: 'score', bytes}  {type: 'backend', preference}
//      {type: 'preset', name}  {type: 'suggest', label, rule}  {type: 'weights', mode, count}  {type: 'explain', mode, row}
// Out: {type: 'ready', backend}  {type: 'schema', schema}  {type: 'configured', dataset}
//      {type: 'progress', progress, stepsPerSlice}  {type: 'done', report, csv}  {type: 'paused'} {type: 'stopped'}
//      {type: 'exported', mode, json}  {type: 'imported', columns}  {type: 'scored', probabilities, csv}
//      {type: 'loading', share}  {type: 'suggestions', suggestions}  {type: 'weights', mode, weights}
//      {type: 'explained', mode, explanation}
//      {type: 'error', message, request}
import init, { WideDeepEngine } from './pkg/widedeep.js';

const SLICE_MS = 50;
let engine = null;
let running = false;
let looping = false;
let stepsPerSlice = 4;
let inFlight = null;

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
      if (progress.done) {
        running = false;
        post({ type: 'done', report: engine.report(), csv: engine.reportCsv() });
      }
      await nextTask();
    }
  } catch (error) {
    running = false;
    post({ type: 'error', request: 'train', message: error?.message ?? String(error) });
  } finally {
    looping = false;
  }
}

const handlers = {
  async init({ preference = 'auto' }) {
    await init();
    engine = new WideDeepEngine();
    post({ type: 'ready', backend: await engine.chooseBackend(preference) });
  },
  async backend({ preference }) {
    await halt();
    post({ type: 'ready', backend: await engine.chooseBackend(preference) });
  },
  async load({ name, bytes }) {
    await halt();
    const schema = engine.loadCsv(name, new Uint8Array(bytes), (share) => post({ type: 'loading', share }));
    post({ type: 'schema', name, schema });
  },
  async preset({ name }) {
    await handlers.load({ name, bytes: WideDeepEngine.presetCsv(name) });
  },
  suggest({ label, rule }) {
    post({ type: 'suggestions', label, suggestions: engine.suggestCrosses(label, rule ?? null, 8) });
  },
  async weights({ mode, count = 15 }) {
    await settled();
    post({ type: 'weights', mode, weights: await engine.topWideWeights(mode, count) });
  },
  async explain({ mode, row }) {
    await settled();
    post({ type: 'explained', mode, explanation: await engine.explain(mode, row) });
  },
  async configure({ config }) {
    await halt();
    post({ type: 'configured', dataset: engine.configure(config) });
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
      post({ type: 'error', request: data.type, message: error?.message ?? String(error) });
    }
  });
};
