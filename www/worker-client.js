// The page's side of the worker protocol: requests that resolve on their reply, and a stream of
// unsolicited messages (progress, loading) for listeners. A worker whose engine died, hung or
// is no longer wanted is ended, and the same client starts a fresh one in its place.

import { COMMANDS, knownMessage, requestOf, timedOut, unknownMessage } from './protocol.js';

/** An error for what a request cannot get any more: `kind` says why ('crashed', 'ended', 'cancelled'). */
export const endedError = (message, kind, request) => Object.assign(new Error(message), { kind, request });

export class EngineClient {
  /** `module`: the engine's compiled code, when another worker has it already (see [`EngineClient.start`]). */
  constructor(module = null, url = './engine-worker.js') {
    this.url = url;
    this.module = module;
    this.listeners = new Set();
    this.#spawn();
  }

  /** A fresh worker, with nothing pending. */
  #spawn() {
    const worker = new Worker(this.url, { type: 'module' });
    this.worker = worker;
    this.pending = [];
    /** A wide schema's columns sent ahead of their message, in parts (see the worker's `postWithSchema`). */
    this.columnsAhead = [];
    /** Set when the worker is ended: the error every request to it gets. */
    this.ended = null;
    // A message an ended worker had already sent is not the new worker's.
    worker.onmessage = ({ data }) => worker === this.worker && !this.ended && this.#receive(data);
  }

  /**
   * Starts the engine on `preference`; resolves to its `ready` reply. From the compiled module
   * when one is known (nothing downloaded or compiled again), else from the file, and then keeps
   * the module for the other workers and for restarts.
   */
  async start(preference) {
    const ready = await this.request('init', { preference, module: this.module ?? undefined });
    this.module ??= (await this.request('module', {})).module;
    return ready;
  }

  /**
   * Ends the worker (a dead or hung engine, or a load the user cancelled): whatever it was asked
   * fails with `error`. Terminating is the only thing that stops a worker stuck in a step.
   */
  end(error) {
    if (this.ended) return;
    this.worker.terminate();
    this.ended = error;
    for (const waiting of this.pending.splice(0)) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
  }

  /** Ends the worker if it is not already, then starts a fresh one on `preference`. */
  restart(preference) {
    this.end(endedError('the engine was restarted', 'ended'));
    this.#spawn();
    return this.start(preference);
  }

  /**
   * Sends a request and resolves with its reply (the protocol table's, protocol.js); rejects on
   * its error, or once the table's time for it has passed with no answer.
   */
  request(type, payload = {}, transfer = []) {
    if (this.ended) return Promise.reject(this.ended);
    let entry;
    try {
      entry = requestOf(type);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const waiting = { type, reply: entry.reply, resolve, reject };
      waiting.timer = setTimeout(() => this.#settle(waiting, () => reject(timedOut(type, entry.seconds))), entry.seconds * 1000);
      this.pending.push(waiting);
      this.worker.postMessage({ type, ...payload }, transfer);
    });
  }

  /** Takes `waiting` off the pending list (if it is still there) and settles it with `settle`. */
  #settle(waiting, settle) {
    const index = this.pending.indexOf(waiting);
    if (index < 0) return;
    this.pending.splice(index, 1);
    clearTimeout(waiting.timer);
    settle();
  }

  /** Sends a message that needs no reply (start, resume, extend: the protocol's commands). */
  send(type, payload = {}) {
    if (!COMMANDS.has(type)) throw new Error(`'${type}' is not one of the protocol's commands`);
    if (!this.ended) this.worker.postMessage({ type, ...payload });
  }

  listen(callback) {
    this.listeners.add(callback);
  }

  /**
   * A reply settles its request. A crash ends the worker (every request waiting on it fails with
   * the crash) and is told to the listeners too, so the page replaces the worker whoever asked.
   */
  #receive(data) {
    if (!knownMessage(data?.type)) {
      for (const listener of this.listeners) listener(unknownMessage(data?.type));
      return;
    }
    if (data.type === 'columns') return void this.columnsAhead.push(data.part);
    if (data.columnsAhead) this.#joinColumns(data.schema ?? data.analysis.schema);
    if (data.type === 'error' && data.kind === 'crashed') {
      this.end(endedError(data.message, 'crashed', data.request));
      for (const listener of this.listeners) listener(data);
      return;
    }
    const waiting = this.pending.find((p) => (data.type === 'error' ? p.type === data.request : p.reply === data.type));
    if (waiting) {
      this.#settle(waiting, () => (data.type === 'error' ? waiting.reject(Object.assign(new Error(data.message), { kind: data.kind })) : waiting.resolve(data)));
      return;
    }
    for (const listener of this.listeners) listener(data);
  }

  /** Puts the columns sent ahead back before `schema`'s own, in order. */
  #joinColumns(schema) {
    schema.columns = [...this.columnsAhead, schema.columns].flat();
    this.columnsAhead = [];
  }
}
