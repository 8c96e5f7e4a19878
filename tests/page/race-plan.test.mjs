// The race's rule for moving a model between workers, as plain arithmetic (no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Race, bestMove } from '../../www/race.js';

/** Worker loads at a wall-to-own-time factor of 1, ten seconds into the race (past half way). */
const even = (...workers) => workers.map((models) => ({ factor: 1, trained: 10, models }));

test('a model moves once the receiver, with it, would finish no later than the giver without it', () => {
  // Joint alone in the first worker, wide and deep in the second (seconds left at their pace).
  const early = even([{ mode: 'joint', left: 1.2 }], [{ mode: 'wide', left: 0.45 }, { mode: 'deep', left: 1.1 }]);
  assert.equal(bestMove(early), null, 'the first worker, with wide, would become the last to finish');
  const balanced = even([{ mode: 'joint', left: 0.13 }], [{ mode: 'wide', left: 0.1 }, { mode: 'deep', left: 0.24 }]);
  assert.deepEqual(bestMove(balanced), { mode: 'wide', from: 1, to: 0, gain: 0.1 });
  const idle = even([], [{ mode: 'wide', left: 0.2 }, { mode: 'deep', left: 0.5 }]);
  assert.deepEqual(bestMove(idle), { mode: 'wide', from: 1, to: 0, gain: 0.2 }, 'the smaller model goes: moving deep would leave the idle worker last');
});

test('nothing moves before every worker is half way: the first epochs\' paces mislead', () => {
  const loads = even([{ mode: 'joint', left: 0.6 }], [{ mode: 'wide', left: 0.4 }, { mode: 'deep', left: 1.1 }]);
  assert.deepEqual(bestMove(loads), { mode: 'wide', from: 1, to: 0, gain: 0.4 });
  loads[1].trained = 1.4;
  assert.equal(bestMove(loads), null, 'the second worker has trained 1.4 s and has 1.5 s left');
  loads[1].trained = 1.5;
  assert.deepEqual(bestMove(loads), { mode: 'wide', from: 1, to: 0, gain: 0.4 });
  loads[0].trained = 0.5;
  assert.equal(bestMove(loads), null, 'nor the first, with 0.6 s left');
});

test('a worker slowed by other work (drawing the pictures) counts as more loaded', () => {
  const loads = even([{ mode: 'joint', left: 0.13 }], [{ mode: 'wide', left: 0.1 }, { mode: 'deep', left: 0.24 }]);
  loads[0].factor = 1.25;
  assert.equal(bestMove(loads), null, 'the first worker, a quarter slower, would finish wide last');
  loads[1].factor = 1.25;
  assert.deepEqual(bestMove(loads), { mode: 'wide', from: 1, to: 0, gain: 0.125 }, 'the giver saves its own slowed time');
});

test('nothing moves from a worker with one model, nor twice, nor for a gain under the cost of a move', () => {
  assert.equal(bestMove(even([], [{ mode: 'joint', left: 2 }])), null);
  const idle = even([], [{ mode: 'wide', left: 0.2 }, { mode: 'deep', left: 0.5 }]);
  assert.equal(bestMove(idle, new Set(['wide'])), null, 'wide moved once already; deep would leave the receiver last');
  assert.equal(bestMove(even([], [{ mode: 'wide', left: 0.01 }, { mode: 'deep', left: 0.5 }])), null);
  assert.equal(bestMove(even([{ mode: 'joint', left: 0.4 }], [{ mode: 'wide', left: 0.1 }, { mode: 'deep', left: 0.4 }])), null,
    'already as even as a move could make it');
});

test('with three workers the model goes to the least loaded one', () => {
  const loads = even([{ mode: 'joint', left: 0.5 }], [], [{ mode: 'wide', left: 0.3 }, { mode: 'deep', left: 0.9 }]);
  assert.deepEqual(bestMove(loads), { mode: 'wide', from: 2, to: 1, gain: 0.3 });
});

/**
 * A worker stand-in: answers a move's requests as a worker would (the bytes it hands over are
 * the model's name), and records what it was sent.
 */
function fakeWorker(name, { refuse = false } = {}) {
  return {
    name,
    sent: [],
    send(type) { this.sent.push(type); },
    async request(type, payload) {
      this.sent.push(type);
      if (type === 'takeOver' && refuse) throw new Error(`${name} cannot take it`);
      if (type === 'handOver') return { bytes: new TextEncoder().encode(payload.mode).buffer };
      return { mode: new TextDecoder().decode(payload.bytes) };
    },
  };
}

/**
 * A two-worker race on fake workers and a fake clock: joint in `a`; wide and deep in `b`, which
 * would finish last. `report(worker, seconds, models)` is a progress report at `seconds`;
 * `options.refuse`: `a` fails to take a model over.
 */
function fakeRace(options) {
  let now = 0;
  Object.defineProperty(globalThis, 'performance', { value: { now: () => now * 1000 }, configurable: true });
  const [a, b] = [fakeWorker('a', options), fakeWorker('b')];
  const errors = [];
  const race = new Race(a, (client, message) => errors.push([client.name, message.message]));
  Object.assign(race, { clients: [a, b], movable: true });
  race.owners = new Map([['joint', a], ['wide', b], ['deep', b]]);
  race.begin('start');
  const report = (worker, seconds, models) => {
    now = seconds;
    race.progressed(worker, { models: models.map(([mode, spent, left]) => ({ mode, seconds: spent, seconds_left: left })) });
  };
  return { race, a, b, errors, report };
}

test('a race moves a model by itself once every pace is known, and only while it is on', async () => {
  const { race, a, b, report } = fakeRace();
  report(a, 0.1, [['joint', 0.1, null]]);
  report(b, 0.1, [['wide', 0.05, null], ['deep', 0.05, null]]);
  report(a, 0.5, [['joint', 0.5, 0.6]]);
  assert.equal(race.moving, null, 'no move before every model has a pace');
  report(b, 0.5, [['wide', 0.2, 0.4], ['deep', 0.3, 1.1]]);
  assert.equal(race.moving, null, 'no move before every worker is half way');
  report(a, 1.0, [['joint', 1.0, 0.3]]);
  race.live = false;
  report(b, 1.5, [['wide', 0.6, 0.15], ['deep', 0.9, 0.5]]);
  assert.equal(race.moving, null, 'no move while paused or stopped');
  race.live = true;
  report(b, 1.6, [['wide', 0.62, 0.13], ['deep', 0.98, 0.45]]);
  assert.notEqual(race.moving, null);
  await race.settled();
  assert.deepEqual(race.moves.map((m) => [m.mode, m.from, m.to]), [['wide', 1, 0]]);
  assert.equal(race.owners.get('wide'), a);
  assert.deepEqual([b.sent.at(-1), a.sent.at(-1)], ['handOver', 'takeOver']);
  assert.equal(race.clocks.has(a), false, 'the receiver\'s pace counts again from its next report (it may have sat idle)');
  report(b, 1.7, [['wide', 0.64, 0.11], ['deep', 1.06, 0.4]]);
  assert.equal(race.left.get('wide'), null, 'a report sent before the move landed no longer speaks for the moved model');
  assert.equal(race.finished(b), false, 'the race goes on in the worker that took the model');
  assert.equal(race.finished(a), true);
});

test('a race leaves a core to the page only with fewer workers than cores', () => {
  const spare = (workers, cores) => {
    Object.defineProperty(globalThis, 'navigator', { value: { hardwareConcurrency: cores }, configurable: true });
    const race = new Race(fakeWorker('a'), () => {});
    race.clients = Array.from({ length: workers }, (_, i) => fakeWorker(String(i)));
    return race.spareCore();
  };
  assert.equal(spare(1, 2), true, 'one worker on two cores: the race in turn');
  assert.equal(spare(2, 2), false, 'two workers on two cores');
  assert.equal(spare(3, 4), true);
  assert.equal(spare(1, undefined), false, 'a browser that does not say counts as one core');
});

test('a model whose take-over fails goes back to the worker that handed it over, and the race fails', async () => {
  const { race, a, b, errors, report } = fakeRace({ refuse: true });
  report(a, 0.1, [['joint', 0.1, null]]);
  report(b, 0.1, [['wide', 0.05, null], ['deep', 0.05, null]]);
  report(a, 1.0, [['joint', 1.0, 0.3]]);
  report(b, 1.5, [['wide', 0.6, 0.15], ['deep', 0.9, 0.5]]);
  await race.settled();
  assert.deepEqual(errors, [['a', 'a cannot take it']]);
  assert.deepEqual(b.sent.slice(-2), ['handOver', 'takeOver'], 'the worker that handed it over took it back');
  assert.equal(race.owners.get('wide'), b);
});
