// A race across workers: wide, deep and joint train at the same time, each worker with its own
// engine (no shared memory, no special headers). The first worker reads and encodes the file;
// its prepared rows go to the others, so every model sees the same split, batches and seeds as in
// one worker, and the metrics are identical. With one core the first worker trains them all in turn.
// With fewer workers than models, a model moves (weights, optimizer state, place in the epoch) to
// the worker that would otherwise finish first, so both finish together.
import { EngineClient, endedError } from './worker-client.js';

/** A model's relative cost per step, to share the work between workers. */
const COST = { joint: 3, deep: 2, wide: 1 };
/**
 * A move is worth it only if it saves at least this many seconds: handing a model over halts
 * both workers between two slices (a slice is ~50 ms) while its bytes are written and read.
 */
const MOVE_GAIN_S = 0.03;

/**
 * The move that best evens out the workers' remaining work, or null. `loads[w]` is worker w's
 * `{factor, trained, models}`: its unfinished models as `{mode, left}` (the seconds each still
 * needs at its own pace), the ratio of the worker's wall time to its models' time (the first
 * worker also draws the pictures) and the wall seconds it has trained since its pace is counted.
 * Nothing moves before every worker is half way (has trained at least as long as it has left):
 * until then the paces rest on the first epochs, which run slow at times while the workers warm
 * up, and moves made on them left one worker up to 0.4 s behind (docs/benchmarks.md). A model
 * moves from a worker with two or more to another once the receiver, with it, would finish no
 * later than the giver without it: then both finish together, sooner than the giver alone could.
 * Of several such moves, the one that saves the most (then the one to the least loaded worker);
 * a model in `moved` stays where it is.
 */
export function bestMove(loads, moved = new Set()) {
  const finish = loads.map(({ factor, models }) => factor * models.reduce((sum, m) => sum + m.left, 0));
  if (loads.some((load, w) => load.trained < finish[w])) return null;
  let best = null;
  loads.forEach(({ factor, models }, from) => {
    if (models.length < 2) return;
    for (const { mode, left } of models.filter((m) => !moved.has(m.mode))) {
      const gain = factor * left;
      loads.forEach((receiver, to) => {
        const fits = to !== from && finish[to] + receiver.factor * left <= finish[from] - gain;
        const better = !best || gain > best.gain || (gain === best.gain && finish[to] < finish[best.to]);
        if (fits && gain >= MOVE_GAIN_S && better) best = { mode, from, to, gain };
      });
    }
  });
  return best;
}

/** The cores the browser says it has (at least one). */
const cores = () => navigator.hardwareConcurrency || 1;

/** The workers a race may use: one per model, at most three, at most one per core. */
export function workerCount(setting, models) {
  return Math.max(1, Math.min(models, setting > 0 ? setting : Math.min(3, cores())));
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
    /** The extra workers, kept between races: `{kind, worker, client}`, `client` a promise of the started `worker`. */
    this.spare = [];
    this.clients = [primary];
    this.owners = new Map();
    /** The workers still training, whether the race is on (models may move), the move underway, and the moves made (for the tests). */
    this.racing = new Set();
    this.live = false;
    this.moving = null;
    this.moves = [];
    /** Each model's latest seconds left and seconds spent; each worker's clock (see [`Race.progressed`]). */
    this.left = new Map();
    this.spent = new Map();
    this.clocks = new Map();
    /** Whether models may move: only on the CPU (Burn reads an optimizer's state synchronously, which WebGPU cannot). */
    this.movable = false;
  }

  /**
   * A worker besides the first, started on `kind` (the backend the first one trains on) from the
   * first one's compiled module: it neither downloads nor compiles the code again, and shares the
   * code the first one's engine has already optimized. Kept for the next race.
   */
  extra(index, kind) {
    if (this.spare[index]?.kind !== kind) {
      this.spare[index]?.worker.end(endedError('the race no longer needs this worker', 'ended'));
      const worker = new EngineClient(this.primary.module);
      worker.listen((message) => this.listen(worker, message));
      const client = worker.start(kind).then(() => worker, (error) => {
        worker.end(error);
        throw error;
      });
      client.catch(() => this.spare[index]?.client === client && (this.spare[index] = null));
      this.spare[index] = { kind, worker, client };
    }
    return this.spare[index].client;
  }

  /**
   * Ends every worker but the first (after one crashed or hung: what they hold is lost with the
   * first one's data) and forgets the race: the next one starts its workers afresh.
   */
  reset(error) {
    for (const spare of this.spare) spare?.worker.end(error);
    this.spare = [];
    this.halted();
    this.clients = [this.primary];
    this.owners = new Map();
    this.moving = null;
  }

  /**
   * Configures the race of `modes` on `count` workers: `config(modes)` is the configuration of a
   * worker's share. The other workers start while the first one encodes the file and picks the
   * backend, on `expected` (the backend the page shows), and start again if it picks the other.
   * Resolves to the first worker's `{dataset, backend}`.
   */
  async configure(modes, count, config, expected = 'cpu') {
    this.live = false;
    await this.settled();
    const shares = plan(modes, count);
    shares.slice(1).forEach((_, i) => this.extra(i, expected));
    const first = await this.primary.request('configure', { config: config(shares[0]) });
    this.clients = [this.primary];
    this.owners = new Map(shares[0].map((mode) => [mode, this.primary]));
    if (shares.length > 1) {
      const { bytes } = await this.primary.request('prepared', {});
      for (const [i, share] of shares.slice(1).entries()) {
        const client = await this.extra(i, first.backend.kind);
        // The last worker takes the bytes themselves; only the ones before it need a copy.
        const own = i === shares.length - 2 ? bytes : bytes.slice(0);
        await client.request('configurePrepared', { name: first.dataset.name, bytes: own, config: config(share) }, [own]);
        this.clients.push(client);
        for (const mode of share) this.owners.set(mode, client);
      }
    }
    this.movable = first.backend.kind === 'cpu';
    return first;
  }

  /**
   * Whether the race's workers leave a core to the page: if not, whatever the page does (drawing
   * the pictures) takes its time from training.
   */
  spareCore() {
    return this.clients.length < cores();
  }

  /** Waits for a model being moved to arrive. */
  async settled() {
    while (this.moving) await this.moving.catch(() => {});
  }

  /** Asks the worker that trains `mode` (once any move has landed). */
  async ask(mode, type, payload) {
    await this.settled();
    return (this.owners.get(mode) ?? this.primary).request(type, payload);
  }

  /** Every worker trains (again): a race starts, resumes or gets one more epoch. */
  begin(type, payload = {}) {
    if (type === 'start') [this.left, this.moves] = [new Map(), []];
    // The clocks restart: a pause, or a worker idle until one more epoch, is nobody's pace.
    [this.spent, this.clocks] = [new Map(), new Map()];
    this.racing = new Set(this.clients);
    this.live = true;
    this.send(type, payload);
  }

  /** Pauses every worker (once any move has landed); no model moves until the race goes on. */
  pause() {
    this.live = false;
    return this.request('pause', {});
  }

  /**
   * `client` reported progress: notes how long each of its models still needs and how much wall
   * time the worker takes per second of its models' own time (since its first report), and makes
   * the best move if one evens the work out.
   */
  progressed(client, progress) {
    if (!this.live || !this.clients.includes(client)) return;
    const now = performance.now() / 1000;
    const clock = this.clocks.get(client) ?? { since: now, last: now, own: 0 };
    // A report sent before a move landed speaks for a model the worker no longer trains.
    for (const model of progress.models.filter((m) => this.owners.get(m.mode) === client)) {
      if (this.clocks.has(client) && this.spent.has(model.mode)) clock.own += model.seconds - this.spent.get(model.mode);
      this.spent.set(model.mode, model.seconds);
      this.left.set(model.mode, model.seconds_left);
    }
    clock.last = now;
    this.clocks.set(client, clock);
    if (!this.movable || this.moving || this.clients.length < 2) return;
    const loads = this.clients.map((c) => {
      const { since, last, own } = this.clocks.get(c) ?? {};
      return { factor: own > 0 ? (last - since) / own : 1, trained: since == null ? 0 : last - since, models: [] };
    });
    for (const [mode, owner] of this.owners) {
      const left = this.left.get(mode);
      if (left == null) return;
      if (left > 0) loads[this.clients.indexOf(owner)].models.push({ mode, left });
    }
    const move = bestMove(loads, new Set(this.moves.map((m) => m.mode)));
    if (move) this.move(move);
  }

  /** Makes a [`bestMove`]: the model trains on in the other worker if the race is on. */
  move(move) {
    const [mode, from, to] = [move.mode, this.clients[move.from], this.clients[move.to]];
    this.moves.push(move);
    this.left.set(mode, null);
    let failed = from;
    this.moving = (async () => {
      const { bytes } = await from.request('handOver', { mode });
      failed = to;
      // Kept until the model lands, so that a failed take-over gives it back rather than losing it.
      const copy = bytes.slice(0);
      try {
        await to.request('takeOver', { bytes }, [bytes]);
      } catch (error) {
        await from.request('takeOver', { bytes: copy }, [copy]).catch(() => {});
        throw error;
      }
      this.owners.set(mode, to);
      this.racing.add(to);
      // The receiver may have sat idle: its pace is counted again from its next report.
      this.clocks.delete(to);
    })().finally(() => (this.moving = null));
    // A failed move fails the race, as any worker's error does.
    this.moving.catch((error) => this.listen(failed, { type: 'error', message: error.message, kind: error.kind }));
  }

  /** The race was stopped (or failed): no worker counts as training any more. */
  halted() {
    this.live = false;
    this.racing.clear();
  }

  /** `client` trained all its models: whether the whole race is now done. */
  finished(client) {
    this.racing.delete(client);
    return this.racing.size === 0 && !this.moving;
  }

  /** Sends a message that needs no reply to every racing worker. */
  send(type, payload = {}) {
    for (const client of this.clients) client.send(type, payload);
  }

  /** Asks every racing worker (once any move has landed) and resolves to all their replies. */
  async request(type, payload) {
    await this.settled();
    return Promise.all(this.clients.map((client) => client.request(type, payload)));
  }

  /**
   * Every worker's results, merged: runs, test logits, embedding maps and each per-model
   * picture's data of all models (in the workers' order: the page puts them in the models'), the joint split.
   */
  async results(view) {
    const replies = await this.request('results', { view });
    return {
      runs: replies.flatMap((r) => r.runs),
      logits: replies.flatMap((r) => r.logits),
      maps: replies.flatMap((r) => r.maps),
      split: replies.map((r) => r.split).find(Boolean) ?? null,
      weights: replies.map((r) => r.weights).find(Boolean) ?? null,
      perModel: mergePerModel(replies.map((r) => r.perModel)),
      problems: replies.flatMap((r) => r.problems),
      ms: replies.reduce((sum, r) => sum + r.ms, 0),
    };
  }

  /** The race's report (JSON) and metrics (CSV), every worker's models in one, in `order`. */
  async report(order) {
    const replies = await this.request('report', {});
    const rank = (mode) => order.indexOf(mode);
    const models = replies.flatMap((r) => r.report.models).sort((a, b) => rank(a.mode) - rank(b.mode));
    const first = replies[0].report;
    const config = { ...first.config, train: { ...first.config.train, modes: models.map((m) => m.mode) } };
    const { csv } = await this.primary.request('csv', { models });
    return { report: { ...first, config, models }, csv };
  }
}

/** Each per-model picture's data from every worker's results, one list per kind (a kind a worker failed to give is left out). */
function mergePerModel(parts) {
  const merged = {};
  for (const part of parts) for (const [kind, data] of Object.entries(part)) merged[kind] = [...(merged[kind] ?? []), ...data];
  return merged;
}
