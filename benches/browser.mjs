// `make bench-web`: Adult joint model trained in the browser worker, per backend and batch size.
// Prints training samples/s (from the engine's own epoch timing) for the first epoch, which
// includes the browser compiling the hot WebAssembly functions with its optimizing tier, and
// the median of the later epochs (steady state); and the time from "start" to the first
// progress and first metrics messages. Then the speed of each matrix product of one training step
// on the CPU backend, which `cargo bench --bench figures -- products` prints for native code.
// Measures only; asserts nothing.
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

/**
 * Runs in the page: times the products of one training step of dense layers with these widths.
 * The page's own thread blocks for a few seconds, which a benchmark may do.
 */
async function productSpeeds(page, { preference, batch, widths }) {
  return page.evaluate(async ({ preference, batch, widths }) => {
    const { default: init, WideDeepEngine } = await import('/pkg/widedeep.js');
    await init();
    const engine = new WideDeepEngine();
    await engine.chooseBackend(preference);
    return engine.productSpeeds(batch, widths);
  }, { preference, batch, widths });
}

/** Prints one backend's products and the time they take per training row. */
function printProducts(kind, batch, speeds) {
  console.log(`\n${kind} products, batch ${batch}:`);
  for (const { role, shape, gflops } of speeds) console.log(`  ${role.padEnd(24)} ${shape.join('×').padStart(13)}  ${gflops.toFixed(1).padStart(6)} GFLOP/s`);
  const micros = speeds.reduce((sum, { shape: [m, k, n], gflops }) => sum + (2 * m * k * n) / (gflops * 1e3) / batch, 0);
  console.log(`  all products: ${micros.toFixed(2)} µs per training row`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const column = (value, width) => String(value).padStart(width);

const env = await start();
try {
  console.log('backend  batch  epoch 1/s  steady/s  first progress  first metrics  test AUC  adapter');
  const backends = (process.env.BACKENDS ?? 'cpu,webgpu').split(',');
  let widths;
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
      widths = [run.dataset.deep_inputs, ...HIDDEN, 1];
    }
  }
  // The CPU only: on a GPU each timing's one read-back outweighs products this small.
  for (const batch of backends.includes('cpu') ? [256, 1024] : []) {
    const { page } = await openPage(env);
    printProducts('cpu', batch, await productSpeeds(page, { preference: 'cpu', batch, widths }));
    await page.close();
  }
} finally {
  await env.close();
}
