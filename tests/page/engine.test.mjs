// Browser engine, page level: the built package trains inside a module worker while the page
// stays responsive (its timer keeps firing between progress messages), and nothing leaves the
// page's origin. No assertion depends on how fast this machine is.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, openPage, trainInWorker } from './harness.mjs';

let env;
before(async () => (env = await start()));
after(async () => env?.close());

const adult = (batch_size) => ({
  features: { label: 'income', crosses: [['education', 'occupation'], ['native-country', 'occupation']] },
  train: { modes: ['joint'], epochs: 1, batch_size },
});

test('a worker trains Adult for one epoch on WebGPU while the page stays responsive', { timeout: 900_000 }, async () => {
  const { page, outside, errors } = await openPage(env);
  const run = await trainInWorker(page, { preference: 'webgpu', csv: '/data/adult.csv', config: adult(1024) });
  console.log(`# WebGPU (${run.backend.adapter}): first progress ${run.firstProgress.toFixed(0)} ms, ` +
    `first metrics ${run.firstEpoch.toFixed(0)} ms, ${run.progressCount} progress messages, ${run.ticksBetweenProgress} page timer ticks meanwhile`);
  assert.equal(run.backend.kind, 'webgpu', 'a missing WebGPU adapter is a broken set-up, not a skip');
  assert.ok(run.backend.adapter && !/BrowserWebGpu/.test(run.backend.adapter), `the adapter is named from GPUAdapter.info: ${run.backend.adapter}`);
  assert.ok(run.progressCount >= 3, `progress arrives during the epoch (${run.progressCount})`);
  const epoch = run.report.models[0].epochs[0];
  assert.equal(run.report.models[0].epochs.length, 1);
  assert.ok(epoch.test_auc > 0.85 && epoch.test_auc <= 1, `AUC ${epoch.test_auc}`);
  assert.ok(epoch.test_accuracy > 0.8 && epoch.test_accuracy <= 1, `accuracy ${epoch.test_accuracy}`);
  assert.ok(run.ticksBetweenProgress >= 3, `the page's timer keeps firing while the worker trains (${run.ticksBetweenProgress} ticks)`);
  assert.deepEqual(outside, []);
  assert.deepEqual(errors, []);
});

test('the CPU fallback trains the same epoch in the worker', { timeout: 600_000 }, async () => {
  const { page, outside } = await openPage(env);
  const run = await trainInWorker(page, { preference: 'cpu', csv: '/data/adult.csv', config: adult(256) });
  console.log(`# CPU in wasm: first progress ${run.firstProgress.toFixed(0)} ms, first metrics ${run.firstEpoch.toFixed(0)} ms`);
  assert.equal(run.backend.kind, 'cpu');
  assert.ok(run.report.models[0].epochs[0].test_auc > 0.88);
  assert.ok(run.progressCount >= 3 && run.ticksBetweenProgress >= 1, `progress and page timer: ${run.progressCount}, ${run.ticksBetweenProgress}`);
  assert.deepEqual(outside, []);
});
