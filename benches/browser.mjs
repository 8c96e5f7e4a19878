// `make bench-web`: Adult joint model trained in the browser worker, per backend and batch size.
// Prints training samples/s (from the engine's own epoch timing) for the first epoch, which
// includes the browser compiling the hot WebAssembly functions with its optimizing tier, and
// the median of the later epochs (steady state); and the time from "start" to the first
// progress and first metrics messages. Then what the live pictures cost: the playground's Adult
// Compare race (preset crosses, three models) with every picture drawn after each epoch, the
// drawing time beside the epoch's training time. Measures only; asserts nothing.
// `BACKENDS=cpu node benches/browser.mjs` measures one backend only.
import { start, openPage, trainInWorker } from '../tests/page/harness.mjs';

/** Epochs per run: enough for the CPU to reach its steady speed; a software GPU is slow. */
const EPOCHS = { cpu: 6, webgpu: 2 };
/** The tutorial's hidden layers. */
const HIDDEN = [100, 50];

/** The columns the tutorial feeds to the deep part as numbers. */
const NUMBERS = ['educational-num', 'capital-gain', 'capital-loss', 'hours-per-week'];
/** The TensorFlow tutorial's features on Adult: the same model as `cargo bench --bench figures -- adult`. */
const TUTORIAL_FEATURES = {
  label: 'income',
  label_rule: { rule: 'positive', value: '>50K' },
  roles: { fnlwgt: 'ignore', ...Object.fromEntries(NUMBERS.map((c) => [c, 'deep'])) },
  kinds: Object.fromEntries(NUMBERS.map((c) => [c, 'numeric'])),
  crosses: [['education', 'occupation'], ['native-country', 'occupation'], ['age', 'education', 'occupation']],
  hash_buckets: 1000,
  bucket_edges: { age: [18, 25, 30, 35, 40, 45, 50, 55, 60, 65] },
  embedding_dim: 8,
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const column = (value, width) => String(value).padStart(width);

const env = await start();
try {
  console.log('backend  batch  epoch 1/s  steady/s  first progress  first metrics  test AUC  adapter');
  const backends = (process.env.BACKENDS ?? 'cpu,webgpu').split(',');
  for (const preference of backends) {
    for (const batch_size of [256, 1024]) {
      const { page } = await openPage(env);
      const config = { features: TUTORIAL_FEATURES, train: { modes: ['joint'], epochs: EPOCHS[preference], batch_size, hidden: HIDDEN } };
      const run = await trainInWorker(page, { preference, csv: '/data/adult.csv', config });
      const epochs = run.report.models[0].epochs;
      const speeds = epochs.map((e) => e.samples_per_second);
      console.log(`${run.backend.kind.padEnd(8)} ${column(batch_size, 5)} ${column(speeds[0].toFixed(0), 10)} ` +
        `${column(median(speeds.slice(1)).toFixed(0), 9)} ${column(run.firstProgress.toFixed(0), 12)} ms ` +
        `${column(run.firstEpoch.toFixed(0), 11)} ms ${column(epochs.at(-1).test_auc.toFixed(4), 9)}  ${run.backend.adapter}`);
      await page.close();
    }
  }
  if (backends.includes('cpu')) await pictureCost();
} finally {
  await env.close();
}

/** The pictures' time per epoch round as a share of the three models' training time in it. */
async function pictureCost() {
  const { page } = await openPage(env);
  const features = {
    label: 'income', label_rule: { rule: 'positive', value: '>50K' }, roles: { fnlwgt: 'ignore' },
    crosses: [['education', 'occupation'], ['native-country', 'occupation'], ['gender', 'age']],
  };
  const config = { features, train: { modes: ['wide', 'deep', 'joint'], epochs: 4 } };
  const view = { cross: ['education', 'occupation'], embedding: 'occupation', weights: 'joint', projector: false };
  const run = await trainInWorker(page, { preference: 'cpu', csv: '/data/adult.csv', config, view });
  console.log('\npictures per epoch (Adult Compare, CPU): drawing ms / training ms');
  run.pictureMs.forEach((ms, i) => {
    const training = 1000 * run.report.models.reduce((sum, m) => sum + (m.epochs[i]?.seconds ?? 0), 0);
    console.log(`  epoch ${i + 1}: ${ms.toFixed(0)} / ${training.toFixed(0)} (${(100 * ms / training).toFixed(1)}%)`);
  });
  await page.close();
}
