// A lesson's sentences about the results on screen (www/lesson-facts.js), in node: each says what
// the data holds, formatted as the tables show it, and a claim that does not hold is not made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aucFacts, mostOutlined, rankingFacts } from '../../www/lesson-facts.js';

const run = (mode, ...aucs) => ({ mode, epochs: aucs.map((test_auc, i) => ({ epoch: i + 1, test_auc })) });
test('the AUC before and after: the numbers as shown, and "rose" or "fell" as it did', () => {
  assert.equal(aucFacts([run('joint', 0.7, 0.79104)], [run('joint', 0.74904)]), "Joint's test AUC was 0.7910 before (the greyed row) and is 0.7490 now: it fell by 0.0420.");
  assert.match(aucFacts([run('joint', 0.7)], [run('joint', 0.8)]), /is 0\.8000 now: it rose by 0\.1000\.$/);
  assert.match(aucFacts([run('joint', 0.80001)], [run('joint', 0.80002)]), /it stayed the same\.$/);
  assert.equal(aucFacts(null, [run('joint', 0.8)]), '', 'no race before: nothing to compare, nothing said');
});

test('the ranking says the numbers on screen', () => {
  assert.equal(rankingFacts([run('wide', 0.8), run('deep', 0.9), run('joint', 0.95)]), 'This run ranks joint first, test AUC 0.9500, then deep (0.9000), then wide (0.8000).');
});

/** A cross map whose cells are outlined as `flags` says (1: outlined). */
const map = (...flags) => ({ cells: flags.map((f) => ({ rows: 20, exception: f === 1 })) });
test('a step about exceptions shows the cross with the most outlined cells, the first on a tie, and says none where none has any', () => {
  const [a, b, c] = [['education', 'occupation'], ['native-country', 'occupation'], ['gender', 'age']];
  assert.deepEqual(mostOutlined([[a, map(0, 0)], [b, map(1, 0, 1)], [c, map(1, 0)]]), b, 'not the first cross: the one with exceptions');
  assert.deepEqual(mostOutlined([[a, map(0, 1)], [b, null], [c, map(1, 0)]]), a, 'a tie keeps the first; a map the engine could not make is passed over');
  assert.deepEqual(mostOutlined([[a, map(0, 0)], [b, map(0)]]), a, 'no exceptions anywhere: the first, whose sentence says so');
  assert.equal(mostOutlined([[a, null]]), null);
  assert.equal(mostOutlined([]), null);
});
