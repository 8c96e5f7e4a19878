// `node benches/ids.mjs`: the `ids` benchmark in the browser worker, on the same files as
// `cargo bench --bench figures -- ids` (written by `widedeep generate ids` into the temporary
// folder): training samples/s and test AUC of the joint model as the distinct ids grow from 1k to
// 1M, on the CPU, beside the same model without its id columns; then WebGPU with sparse against
// dense table updates (Burn's embedding backward) on a small file. Measures only; asserts nothing.
import { start, openPage, trainInWorker } from '../tests/page/harness.mjs';
import { idsFile } from './generated.mjs';

/** Distinct users per file (items: a quarter as many); rows: at least two per user. */
const SCALES = [1_000, 10_000, 100_000, 1_000_000];
/** The WebGPU comparison's file: few rows, as a software adapter is slow. */
const GPU_FILE = { users: 100_000, rows: 20_000 };

/** Trains the joint model on `path` in a worker on `preference`. */
async function run(env, path, preference, { epochs = 2, withoutIds = false, updates = 'auto' } = {}) {
  const { page } = await openPage(env);
  await page.route('**/bench/ids.csv', (route) => route.fulfill({ path, contentType: 'text/csv' }));
  const roles = withoutIds ? { user_id: 'ignore', item_id: 'ignore' } : {};
  const config = { features: { label: 'label', roles }, train: { modes: ['joint'], epochs, table_updates: updates } };
  const result = await trainInWorker(page, { preference, csv: '/bench/ids.csv', config });
  await page.close();
  const epochsRun = result.report.models[0].epochs;
  return { speed: epochsRun.at(-1).samples_per_second, auc: epochsRun.at(-1).test_auc, ids: result.dataset.wide_ids, backend: result.backend };
}

const line = (label, { speed, auc, ids }) => console.log(`${label.padEnd(34)} ${String(ids).padStart(9)} wide ids ${speed.toFixed(0).padStart(9)} samples/s  AUC ${auc.toFixed(4)}`);

const env = await start();
try {
  console.log('joint model, batch 256, the last of 2 epochs (CPU in WebAssembly)');
  for (const users of SCALES) {
    const path = idsFile(users);
    line(`cpu ${users} users, sparse`, await run(env, path, 'cpu'));
    line(`cpu ${users} users, without ids`, await run(env, path, 'cpu', { withoutIds: true }));
  }
  const path = idsFile(GPU_FILE.users, GPU_FILE.rows);
  console.log(`\nWebGPU, ${GPU_FILE.users} users in ${GPU_FILE.rows} rows, one epoch`);
  for (const updates of ['sparse', 'dense']) {
    const result = await run(env, path, 'webgpu', { epochs: 1, updates });
    line(`${result.backend.adapter} ${updates}`.slice(0, 34), result);
  }
} finally {
  await env.close();
}
