// The page's settings and column lists as plain functions (no browser): a link's values that
// cannot be read are refused and named, per-column settings read only their own column, and a
// wide file's lists stay short.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { SETTINGS, MAX_VALUE_CHARS, columnMap, defaults, own, readHash, shown, toConfig, useCoreDefaults, writeHash } from '../../www/state.js';
import { LIST_MAX, PAGE_ROWS, columnChoices, roleOf, schemaPage } from '../../www/views.js';

useCoreDefaults({
  features: { hash_buckets: 1000, embedding_dim: null },
  train: { epochs: 5, batch_size: 256, learning_rate: null, optimizer: 'adam', wide_optimizer: null, table_updates: 'auto', hidden: [64, 32, 16], test_fraction: 0.2, split: 'random', seed: 42 },
  ftrl: { l1: 1, l2: 1, learning_rate: 0.1 },
});

/** The state a hash describes, and the values it refused as `[key, value]`. */
function read(hash) {
  const refused = [];
  const state = readHash(hash, defaults, (key, value) => refused.push([key, value]));
  return { state, refused };
}

test('a link\'s values that cannot be read keep the default and are named: not numbers, out of range, absurd lists, too long', () => {
  const long = 'x'.repeat(MAX_VALUE_CHARS + 1);
  const hidden = Array(1001).fill(8).join(',');
  const { state, refused } = read(`#preset=adult&hashBuckets=4294967295&epochs=-3&batch=ten&lr=Infinity&hidden=${hidden}&embedding=0&l1=NaN&seed=1e3&label=${long}&epochs=2`);
  assert.deepEqual(refused.map(([key]) => key).sort(), ['batch', 'embedding', 'hashBuckets', 'hidden', 'l1', 'label', 'lr', 'seed', 'epochs'].sort());
  for (const key of ['hashBuckets', 'batch', 'lr', 'hidden', 'embedding', 'l1', 'seed', 'label', 'epochs']) assert.deepEqual(state[key], defaults()[key], key);
  const fine = read('#preset=adult&hashBuckets=500&hidden=100000,100000&lr=0.01&seed=7&threshold=4.5&workers=2');
  assert.deepEqual(fine.refused, [], 'large but readable values are the engine\'s to judge');
  assert.equal(fine.state.hidden, '100000,100000');
  assert.equal(fine.state.hashBuckets, 500);
  assert.equal(read('#preset=adult&workers=9').refused.length, 1);
});

test('columns named like Object.prototype\'s properties are columns like any other', () => {
  const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
  const roles = Object.fromEntries([['__proto__', 'wide'], ['toString', 'ignore']]);
  const { state, refused } = read(`#preset=adult&roles=${encodeURIComponent(JSON.stringify(roles))}`);
  assert.deepEqual(refused, []);
  assert.equal(Object.getPrototypeOf(state.roles), null);
  // `role`: the core's role for the column (the engine's analysis gives it: ignore for a warned one).
  const role = (name, core) => roleOf({ name, role: core }, state);
  assert.equal(role('__proto__'), 'wide', 'the link\'s role for __proto__ is its own entry');
  assert.equal(role('toString'), 'ignore');
  assert.equal(role('constructor'), 'both', 'no role chosen: the default');
  assert.equal(role('hasOwnProperty', 'ignore'), 'ignore', 'the core\'s role, not Object.prototype.hasOwnProperty');
  assert.equal(role('valueOf', 'both'), 'both');
  for (const name of names) assert.equal(own(columnMap(), name), undefined, name);
  assert.deepEqual(Object.keys(toConfig(state, ['joint']).features.roles).sort(), ['__proto__', 'toString'], 'the engine gets the same two');
  assert.equal(readHash(writeHash(state), defaults).roles.__proto__, 'wide', 'and the link keeps them');
  assert.equal(Object.getPrototypeOf(defaults().kinds), null);
});

test('a wide file\'s lists offer at most LIST_MAX columns, the chosen one and the filter\'s matches first', () => {
  const names = Array.from({ length: 100_001 }, (_, i) => `c${i}`);
  const all = columnChoices(names, '');
  assert.equal(all.names.length, LIST_MAX);
  assert.equal(all.more, names.length - LIST_MAX);
  assert.ok(columnChoices(names, '', 'c99999').names.includes('c99999'), 'the chosen column stays listed');
  const found = columnChoices(names, 'C9999');
  assert.deepEqual(found.names.slice(0, 3), ['c9999', 'c99990', 'c99991'], 'filtered, ignoring case');
  const few = columnChoices(['a', 'b'], 'zzz');
  assert.deepEqual(few, { names: ['a', 'b'], more: 0 }, 'a narrow file lists every column, whatever the filter');
  const columns = names.map((name) => ({ name }));
  const page = schemaPage(columns, '', 1000);
  assert.equal(page.columns.length, 1, 'the last page');
  assert.equal(page.page, Math.ceil(names.length / PAGE_ROWS) - 1);
  assert.equal(schemaPage(columns, 'c1000', 0).found, 12);
});

test('settings show in messages as their link text, shortened', () => {
  assert.equal(shown('hidden', '100000,100000'), '100000,100000');
  assert.equal(shown('embedding', ''), '(automatic)');
  assert.equal(shown('crosses', []), '(none)');
  assert.equal(shown('label', 'y'.repeat(100)).length, 58);
  assert.ok(Object.keys(SETTINGS).length > 20);
});
