// A race across workers: wide, deep and joint train at the same time, each worker with its own
// engine (no shared memory, no special headers). The first worker reads and encodes the file;
// its prepared rows go to the others, so every model sees the same split, batches and seeds as in
// one worker, and the metrics are identical. With one core the first worker trains them all in turn.
import { EngineClient } from './worker-client.js';

/** A model's relative cost per step, to share the work between workers. */
const COST = { joint: 3, deep: 2, wide: 1 };

/** The workers a race may use: one per model, at most three, at most one per core. */
export function workerCount(setting, models) {
  const cores = navigator.hardwareConcurrency || 1;
  return Math.max(1, Math.min(models, setting > 0 ? setting : Math.min(3, cores)));
}

/** `modes` shared among `count` workers, costliest first to the least loaded. */
function plan(modes, count) {
  const lists = Array.from({ length: count }, () => []);
  const load = Array(count).fill(0);
  for (const mode of [...modes].sort((a, b) => COST[b] - COST[a])) {
    const least = load.indexOf(Math.min(...load));
    lists[least].push(mode);
    load[least] += COST[mode];
  }
  return lists.filter((list) => list.length).map((list) => modes.filter((m) => list.includes(m)));
}

export class Race {
  /** `primary` holds the file; `listen(client, message)` hears every worker's unsolicited messages. */
  constructor(primary, listen) {
    this.primary = primary;
    this.listen = listen;
    /** The extra workers, kept between races: `{kind, client}`, `client` a promise of the started worker. */
    this.spare = [];
    this.clients = [primary];
    this.owners = new Map();
  }

  /**
   * A worker besides the first, started on `kind` (the backend the first one trains on) from the
   * first one's compiled module: it neither downloads nor compiles the code again, and shares the
   * code the first one's engine has already optimized. Kept for the next race.
   */
  extra(index, kind) {
    if (this.spare[index]?.kind !== kind) {
      this.spare[index]?.client.then((client) => client.worker.terminate(), () => {});
      // Asked now, before any request that makes the first worker busy; asked again after a failure.
      this.module ??= this.primary.request('module', {}, 'module').then((reply) => reply.module, (error) => {
        this.module = null;
        throw error;
      });
      const client = this.module.then(async (module) => {
        const worker = new EngineClient();
        worker.listen((message) => this.listen(worker, message));
        try {
          await worker.request('init', { preference: kind, module }, 'ready');
        } catch (error) {
          worker.worker.terminate();
          throw error;
        }
        return worker;
      });
      client.catch(() => this.spare[index]?.client === client && (this.spare[index] = null));
      this.spare[index] = { kind, client };
    }
    return this.spare[index].client;
  }

  /**
   * Configures the race of `modes` on `count` workers: `config(modes)` is the configuration of a
   * worker's share. The other workers start while the first one encodes the file and picks the
   * backend, on `expected` (the backend the page shows), and start again if it picks the other.
   * Resolves to the first worker's `{dataset, backend}`.
   */
  async configure(modes, count, config, expected = 'cpu') {
    const shares = plan(modes, count);
    shares.slice(1).forEach((_, i) => this.extra(i, expected));
    const first = await this.primary.request('configure', { config: config(shares[0]) }, 'configured');
    this.clients = [this.primary];
    this.owners = new Map(shares[0].map((mode) => [mode, this.primary]));
    if (shares.length > 1) {
      const { bytes } = await this.primary.request('prepared', {}, 'prepared');
      for (const [i, share] of shares.slice(1).entries()) {
        const client = await this.extra(i, first.backend.kind);
        // The last worker takes the bytes themselves; only the ones before it need a copy.
        const own = i === shares.length - 2 ? bytes : bytes.slice(0);
        await client.request('configurePrepared', { name: first.dataset.name, bytes: own, config: config(share) }, 'configured', [own]);
        this.clients.push(client);
        for (const mode of share) this.owners.set(mode, client);
      }
    }
    return first;
  }

  /** The worker that trains `mode`. */
  ownerOf(mode) {
    return this.owners.get(mode) ?? this.primary;
  }

  /** Sends a message that needs no reply to every racing worker. */
  send(type, payload = {}) {
    for (const client of this.clients) client.send(type, payload);
  }

  /** Asks every racing worker and resolves to all their replies. */
  request(type, payload, reply) {
    return Promise.all(this.clients.map((client) => client.request(type, payload, reply)));
  }

  /** Every worker's results, merged: runs, test logits and embedding maps of all models, the joint split. */
  async results(view) {
    const replies = await this.request('results', { view }, 'results');
    return {
      runs: replies.flatMap((r) => r.runs),
      logits: replies.flatMap((r) => r.logits),
      maps: replies.flatMap((r) => r.maps),
      split: replies.map((r) => r.split).find(Boolean) ?? null,
      weights: replies.map((r) => r.weights).find(Boolean) ?? null,
      problems: replies.flatMap((r) => r.problems),
      ms: replies.reduce((sum, r) => sum + r.ms, 0),
    };
  }

  /** The race's report (JSON) and metrics (CSV), every worker's models in one, in `order`. */
  async report(order) {
    const replies = await this.request('report', {}, 'report');
    const rank = (mode) => order.indexOf(mode);
    const report = { ...replies[0].report, models: replies.flatMap((r) => r.report.models).sort((a, b) => rank(a.mode) - rank(b.mode)) };
    const [header] = replies[0].csv.split('\n');
    const lines = replies.flatMap((r) => r.csv.trim().split('\n').slice(1));
    lines.sort((a, b) => rank(a.split(',')[0]) - rank(b.split(',')[0]));
    return { report, csv: [header, ...lines].join('\n') + '\n' };
  }
}
