// `make bench-web`: Adult joint model trained in the browser worker, per backend and batch size.
// Prints training samples/s (from the engine's own epoch timing) and the time from "start" to the
// first progress and first metrics messages. Measures only; asserts nothing.
// `BACKENDS=cpu node benches/browser.mjs` measures one backend only.
import { start, openPage, trainInWorker } from '../tests/page/harness.mjs';

const env = await start();
try {
  console.log('backend  batch  samples/s  first progress  first metrics  test AUC  adapter');
  for (const preference of (process.env.BACKENDS ?? 'cpu,webgpu').split(',')) {
    for (const batch_size of [256, 1024]) {
      const { page } = await openPage(env);
      const config = {
        features: { label: 'income', crosses: [['education', 'occupation'], ['native-country', 'occupation']], embedding_dim: 8 },
        train: { modes: ['joint'], epochs: 2, batch_size, hidden: [100, 50] },
      };
      const run = await trainInWorker(page, { preference, csv: '/data/adult.csv', config });
      const epochs = run.report.models[0].epochs;
      const speed = epochs[epochs.length - 1].samples_per_second;
      console.log(`${run.backend.kind.padEnd(8)} ${String(batch_size).padStart(5)} ${speed.toFixed(0).padStart(10)} ` +
        `${run.firstProgress.toFixed(0).padStart(12)} ms ${run.firstEpoch.toFixed(0).padStart(11)} ms ${epochs[epochs.length - 1].test_auc.toFixed(4).padStart(9)}  ${run.backend.adapter}`);
      await page.close();
    }
  }
} finally {
  await env.close();
}
