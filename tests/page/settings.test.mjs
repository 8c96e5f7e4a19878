// The settings table and the worker protocol table, in node (no browser): every setting goes
// from its form control to the link to the engine's configuration and back unchanged, and the
// protocol names what it does not know and gives up on a request that is never answered.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_KEYS, INPUT_KEYS, SETTINGS, columnMap, defaults, fromConfig, inputText, parseInput, readHash, toConfig, useCoreDefaults, writeHash } from '../../www/state.js';
import { REQUESTS, knownMessage, requestOf } from '../../www/protocol.js';

const CORE = {
  features: { label: '', label_rule: { rule: 'auto' }, roles: {}, kinds: {}, crosses: [], hash_buckets: 1000, embedding_dim: null, task: null },
  train: { modes: ['joint'], epochs: 5, batch_size: 256, learning_rate: null, optimizer: 'adam', wide_optimizer: null, table_updates: 'auto', hidden: [64, 32, 16], test_fraction: 0.2, split: 'random', seed: 42, class_weight: 'none', validation_fraction: 0, patience: null, lr_schedule: 'none', regression_loss: 'squared' },
  ftrl: { l1: 1, l2: 1, learning_rate: 0.1 },
};
useCoreDefaults(CORE);

/** A value of `key` other than its default, as a user could set it. */
function another(key, value) {
  const { codec } = SETTINGS[key];
  if (codec.choices) return codec.parse(codec.choices.map(([v]) => v).find((v) => v !== '' && v !== codec.format(value)));
  const samples = { label: 'income', positive: '>50K', threshold: '4', roles: columnMap({ price: 'deep' }), kinds: columnMap({ zip: 'categorical' }), crosses: [['a', 'b'], ['a', 'b', 'c']],
    embedding: '8', lr: '0.05', hidden: '32,8', testFraction: 0.3, classWeight: '10:1', validationFraction: 0.2, patience: '3', l1: 2.5, l2: 0, wideLr: 0.7, map: ['a', 'b'], embed: 'a', mapClass: 'travel', vary: 'cross=a,b:on,off; embedding-dim=4,8' };
  if (key in samples) return samples[key];
  assert.equal(typeof value, 'number', `${key} needs a sample`);
  return value + 1;
}

test('every setting with a form control reads back from its control the value it shows', () => {
  const values = defaults();
  assert.ok(INPUT_KEYS.length >= 15);
  for (const key of INPUT_KEYS) {
    for (const value of [values[key], another(key, values[key])]) assert.deepEqual(parseInput(key, inputText(key, value)), value, key);
  }
  assert.equal(parseInput('epochs', '0'), undefined, 'a value the link refuses, the form refuses');
  assert.equal(parseInput('optimizer', 'adamw'), undefined);
  // Class weights: any positive POS:NEG (not only the field's suggestions), as the core writes it.
  assert.equal(parseInput('classWeight', ' 2.50 : 1 '), '2.5:1');
  for (const bad of ['0:1', '10', '1:2:3', 'heavy', '-1:1', '']) assert.equal(parseInput('classWeight', bad), undefined, bad);
  assert.deepEqual(['0', '0.49', '0.5', '-0.1'].map((s) => parseInput('validationFraction', s)), [0, 0.49, undefined, undefined]);
  assert.deepEqual(['', '1', '0', '2.5'].map((s) => parseInput('patience', s)), ['', '1', undefined, undefined], 'empty turns patience off');
  assert.deepEqual(['0', '1', '5', '6'].map((s) => parseInput('seeds', s)), [undefined, 1, 5, undefined], 'one to five seeds per variant');
});

test('every setting travels in the link and back, alone and all together', () => {
  const base = defaults();
  const changed = { ...base };
  for (const key of Object.keys(SETTINGS)) {
    if (key === 'preset') continue;
    const one = { ...base, [key]: another(key, base[key]) };
    const back = readHash(writeHash(one, base), () => base);
    assert.deepEqual(back[key], one[key], key);
    changed[key] = one[key];
  }
  assert.deepEqual({ ...readHash(writeHash(changed, base), () => base) }, { ...changed });
  assert.equal(writeHash(base, base), '#preset=adult', 'a default is never written');
  assert.equal(readHash('#preset=adult&classWeight=7.5:2', () => base).classWeight, '7.5:2', 'a link may give any ratio, not only the suggested ones');
  const refused = [];
  readHash('#preset=adult&classWeight=7.5&patience=0&validationFraction=0.5', () => base, (key) => refused.push(key));
  assert.deepEqual(refused, ['classWeight', 'validationFraction', 'patience'], 'and values the engine would refuse go back as the link is read');
});

test('every configuration setting goes to the engine\'s configuration and back', () => {
  const base = defaults();
  const json = (x) => JSON.parse(JSON.stringify(x));
  assert.deepEqual(json(toConfig(base, ['joint'])), json({ features: CORE.features, train: CORE.train }), "the defaults are the core's configuration");
  for (const key of CONFIG_KEYS) {
    const state = { ...base, wideOptimizer: 'ftrl', [key]: another(key, base[key]) };
    if (key === 'threshold') state.positive = '';
    const back = fromConfig(toConfig(state, ['joint']));
    assert.deepEqual(back[key], state[key], key);
  }
  assert.deepEqual(Object.keys(defaults()).sort(), Object.keys(SETTINGS).sort());
});

test('the protocol: a request not in the table is refused by name; an unknown reply is an error; every request has a reply and a time', () => {
  assert.throws(() => requestOf('explode'), /'explode', which is not in the protocol/);
  assert.throws(() => requestOf('toString'), /not in the protocol/);
  for (const [type, { reply, seconds }] of Object.entries(REQUESTS)) {
    assert.ok(knownMessage(reply), `${type}'s reply ${reply}`);
    assert.ok(seconds > 0 && seconds <= 3600, `${type} gives up in time`);
  }
  assert.equal(knownMessage('progress'), true);
  assert.equal(knownMessage('handedover'), false, 'names are checked exactly');
});

test('the client: a request with no answer fails after its time, naming it; an unknown reply is told as an error', async () => {
  const posted = [];
  globalThis.Worker = class {
    postMessage(message) { posted.push(message); }
    terminate() {}
  };
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { EngineClient } = await import('../../www/worker-client.js');
    const client = new EngineClient();
    const heard = [];
    client.listen((message) => heard.push(message));
    const waiting = client.request('weights', { mode: 'joint' });
    assert.deepEqual(posted, [{ type: 'weights', mode: 'joint' }]);
    mock.timers.tick(REQUESTS.weights.seconds * 1000);
    await assert.rejects(waiting, (error) => error.kind === 'timeout' && /did not answer 'weights' within 120 s/.test(error.message));
    assert.equal(client.pending.length, 0, 'nothing is left waiting');
    client.worker.onmessage({ data: { type: 'weightz' } });
    assert.equal(heard.length, 1);
    assert.equal(heard[0].type, 'error');
    assert.match(heard[0].message, /a message the page does not know \('weightz'\)/);
    const answered = client.request('report');
    client.worker.onmessage({ data: { type: 'report', report: {} } });
    assert.deepEqual(await answered, { type: 'report', report: {} });
    await assert.rejects(client.request('explode'), /not in the protocol/);
    assert.throws(() => client.send('report'), /not one of the protocol's commands/);
  } finally {
    mock.timers.reset();
    delete globalThis.Worker;
  }
});
