// The page's side of the worker protocol: requests that resolve on their reply, and a stream of
// unsolicited messages (progress, loading) for listeners.

export class EngineClient {
  constructor(url = './engine-worker.js') {
    this.worker = new Worker(url, { type: 'module' });
    this.pending = [];
    this.listeners = new Set();
    this.worker.onmessage = ({ data }) => this.#receive(data);
  }

  /** Sends a request and resolves with the first reply of type `reply` (rejects on its error). */
  request(type, payload = {}, reply, transfer = []) {
    return new Promise((resolve, reject) => {
      this.pending.push({ type, reply, resolve, reject });
      this.worker.postMessage({ type, ...payload }, transfer);
    });
  }

  /** Sends a message that needs no reply (start, resume, extend). */
  send(type, payload = {}) {
    this.worker.postMessage({ type, ...payload });
  }

  listen(callback) {
    this.listeners.add(callback);
  }

  #receive(data) {
    const index = this.pending.findIndex((p) => (data.type === 'error' ? p.type === data.request : p.reply === data.type));
    if (index >= 0) {
      const [waiting] = this.pending.splice(index, 1);
      if (data.type === 'error') waiting.reject(Object.assign(new Error(data.message), { kind: data.kind }));
      else waiting.resolve(data);
      return;
    }
    for (const listener of this.listeners) listener(data);
  }
}
