// The race's rule for moving a model between workers, as plain arithmetic (no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { bestMove } from '../../www/race.js';

/** Worker loads at a wall-to-own-time factor of 1. */
const even = (...workers) => workers.map((models) => ({ factor: 1, models }));

test('a model moves once the receiver, with it, would finish no later than the giver without it', () => {
  // Joint alone in the first worker, wide and deep in the second (seconds left at their pace).
  const early = even([{ mode: 'joint', left: 1.2 }], [{ mode: 'wide', left: 0.45 }, { mode: 'deep', left: 1.1 }]);
  assert.equal(bestMove(early), null, 'the first worker, with wide, would become the last to finish');
  const balanced = even([{ mode: 'joint', left: 0.13 }], [{ mode: 'wide', left: 0.1 }, { mode: 'deep', left: 0.24 }]);
  assert.deepEqual(bestMove(balanced), { mode: 'wide', from: 1, to: 0, gain: 0.1 });
  const idle = even([], [{ mode: 'wide', left: 0.2 }, { mode: 'deep', left: 0.5 }]);
  assert.deepEqual(bestMove(idle), { mode: 'wide', from: 1, to: 0, gain: 0.2 }, 'the smaller model goes: moving deep would leave the idle worker last');
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
