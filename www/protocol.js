// The worker protocol as one table: every request the page sends, the reply that settles it and
// how long the engine may take before the page gives up on it; the messages a worker sends
// unasked. Read by the page's client (worker-client.js); importable from node for the tests.

/** Seconds most requests may take: far past any answer a working engine gives, short of forever. */
const SHORT = 120;
/** Seconds for requests whose work grows with the file or compiles shaders (a 1M-row file, a first WebGPU step). */
const LONG = 1800;

/** request → `{reply, seconds}`: the reply's type, and the time after which the request fails. */
export const REQUESTS = {
  init: { reply: 'ready', seconds: LONG },
  module: { reply: 'module', seconds: SHORT },
  backend: { reply: 'ready', seconds: LONG },
  load: { reply: 'schema', seconds: LONG },
  preset: { reply: 'schema', seconds: LONG },
  setup: { reply: 'setup', seconds: SHORT },
  analyze: { reply: 'analysis', seconds: LONG },
  configure: { reply: 'configured', seconds: LONG },
  configurePrepared: { reply: 'configured', seconds: LONG },
  prepared: { reply: 'prepared', seconds: LONG },
  measure: { reply: 'measured', seconds: LONG },
  results: { reply: 'results', seconds: LONG },
  draw: { reply: 'pictures', seconds: LONG },
  weights: { reply: 'weights', seconds: SHORT },
  explain: { reply: 'explained', seconds: SHORT },
  pause: { reply: 'paused', seconds: SHORT },
  stop: { reply: 'stopped', seconds: SHORT },
  handOver: { reply: 'handedOver', seconds: SHORT },
  takeOver: { reply: 'tookOver', seconds: SHORT },
  report: { reply: 'report', seconds: SHORT },
  csv: { reply: 'csv', seconds: SHORT },
  export: { reply: 'exported', seconds: LONG },
  exportOnnx: { reply: 'exportedOnnx', seconds: LONG },
  exportTorch: { reply: 'exportedTorch', seconds: LONG },
  import: { reply: 'imported', seconds: LONG },
  score: { reply: 'scored', seconds: LONG },
  facts: { reply: 'facts', seconds: SHORT },
  variants: { reply: 'variants', seconds: SHORT },
};

/** Messages sent with no reply expected (the race's commands, a test's panic). */
export const COMMANDS = new Set(['start', 'resume', 'extend', 'panicForTest']);

/** What a worker says unasked: progress (of a race, or of a race of variants), loading, the end of its share, a wide schema's parts, an error. */
export const UNASKED = new Set(['progress', 'variantsProgress', 'loading', 'done', 'columns', 'error']);

const REPLIES = new Set(Object.values(REQUESTS).map((r) => r.reply));

/** `type`'s entry in the table, or an error naming it (a request the engine would not know). */
export function requestOf(type) {
  const entry = Object.hasOwn(REQUESTS, type) ? REQUESTS[type] : null;
  if (!entry) throw Object.assign(new Error(`the page asked the engine for '${type}', which is not in the protocol`), { kind: 'protocol' });
  return entry;
}

/** Whether a worker's message of `type` is in the protocol (a reply or a message sent unasked). */
export const knownMessage = (type) => REPLIES.has(type) || UNASKED.has(type);

/** The error for a message that is not in the protocol: what the page does with it is said to it as an error. */
export const unknownMessage = (type) => ({ type: 'error', kind: 'protocol', message: `the engine sent a message the page does not know ('${String(type).slice(0, 60)}')` });

/** The error a request gets when its reply does not come in time. */
export const timedOut = (type, seconds) => Object.assign(new Error(`the engine did not answer '${type}' within ${seconds} s`), { kind: 'timeout', request: type });
