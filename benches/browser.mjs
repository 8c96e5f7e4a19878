// `make bench-web`: Adult joint model trained in the browser worker, per backend and batch size.
// Prints training samples/s (from the engine's own epoch timing) for the first epoch, which
// includes the browser compiling the hot WebAssembly functions with its optimizing tier, and
// the median of the later epochs (steady state); and the time from "start" to the first
// progress and first metrics messages. Then what the live pictures cost: the playground's Adult
// Compare race (preset crosses, three models) with every picture on screen, the workers' time
// on them beside the models' training time; and that race's wall time in one worker (the
// models in turn) against one worker per model, with the automatic backend's measured speeds.
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

/** Epochs of the timed race, and how many times it is timed each way (`RACE_RUNS` sets it). */
const RACE_EPOCHS = 10;
const RACE_RUNS = Number(process.env.RACE_RUNS ?? 3);
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
  if (backends.includes('cpu')) {
    await pictureCost();
    await raceTimes();
  }
} finally {
  await env.close();
}

/**
 * The playground's own Adult Compare race (preset crosses, three models, 4 epochs) with every
 * picture on screen: the workers' time on the pictures (computing and drawing them) against the
 * three models' training time, and each drawing's time from asking to showing. While a race runs
 * the page draws at most every half second, so a fast epoch round is drawn with the next one.
 */
async function pictureCost() {
  const epochs = 4;
  const { page } = await openPage(env, `/#preset=adult&epochs=${epochs}&backend=cpu`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  await page.setViewportSize({ width: 1280, height: 4000 });
  await page.click('#compare');
  await page.waitForFunction(() => /^Done/.test(document.querySelector('#status').textContent), null, { timeout: 600_000, polling: 100 });
  // The race's last drawing shows the last epoch's cross map.
  await page.waitForFunction((epochs) => document.querySelector('#cross-map').dataset.epoch === String(epochs), epochs);
  const { times, report } = await page.evaluate(async () => ({
    times: window.playground.pictureTimes,
    report: (await window.playground.racers.report(['wide', 'deep', 'joint'])).report,
  }));
  const workers = await page.$eval('body', (b) => b.dataset.workers);
  const work = times.reduce((sum, t) => sum + t.work, 0);
  const training = 1000 * report.models.reduce((sum, m) => sum + m.epochs.reduce((s, e) => s + e.seconds, 0), 0);
  const latencies = times.map((t) => t.latency.toFixed(0)).join(', ');
  console.log(`\npictures (Adult Compare, ${epochs} epochs, CPU, ${workers} workers, every picture on screen): drawn ${times.length} times; ` +
    `the workers' time on them ${work.toFixed(0)} ms against ${training.toFixed(0)} ms of training (${(100 * work / training).toFixed(1)}%); ` +
    `from asking to showing ${latencies} ms`);
  await page.close();
}

/** In the page: clicks Compare and resolves to the seconds until the status says Done (rejects after ten minutes). */
function timedRace() {
  const status = document.querySelector('#status');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const timeout = setTimeout(() => reject(new Error(`no Done after ten minutes; the status says: ${status.textContent}`)), 600_000);
    const done = new MutationObserver(() => {
      if (!/^Done/.test(status.textContent)) return;
      done.disconnect();
      clearTimeout(timeout);
      resolve((performance.now() - started) / 1000);
    });
    done.observe(status, { childList: true, subtree: true, characterData: true });
    document.querySelector('#compare').click();
  });
}

/**
 * Adult Compare from the click to "Done" (the race panel and its curves in view, the automatic
 * backend), in one worker (the models in turn) and in as many as the cores allow, side by side in
 * each of [`RACE_RUNS`] rounds. A fresh page each time, clicked once it shows the automatic
 * choice's figures (it measures both backends while a user would read it). Timed in the page
 * (`timedRace`), not polled from here: polling makes the page and the browser work while the
 * workers train, which takes a core's time from them in the parallel race.
 */
async function raceTimes() {
  console.log(`\nAdult Compare race, ${RACE_EPOCHS} epochs: wall time from the click to Done`);
  const ratios = [];
  for (let run = 1; run <= RACE_RUNS; run += 1) {
    const seconds = {};
    // The order alternates, so a machine that speeds up or slows down during the bench favours neither.
    for (const workers of run % 2 ? [1, 0] : [0, 1]) {
      const { page } = await openPage(env, `/#preset=adult&epochs=${RACE_EPOCHS}&workers=${workers}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
      await page.waitForFunction(() => document.querySelector('#backend').dataset.measured === 'true', null, { timeout: 120_000, polling: 100 });
      await page.$eval('#race-panel', (panel) => panel.scrollIntoView());
      seconds[workers] = await page.evaluate(timedRace);
      const report = (await page.evaluate(async () => window.playground.racers.report(['wide', 'deep', 'joint']))).report;
      const own = report.models.map((m) => `${m.mode} ${m.epochs.reduce((sum, e) => sum + e.seconds, 0).toFixed(2)} s`).join(', ');
      const count = await page.$eval('body', (b) => b.dataset.workers);
      const moves = await page.evaluate(() => window.playground.racers.moves.map((m) => `${m.mode} from worker ${m.from + 1} to ${m.to + 1} (saving ~${m.gain.toFixed(2)} s)`));
      const moved = moves.length ? `; moved ${moves.join(', ')}` : '';
      console.log(`  ${count} worker(s): ${seconds[workers].toFixed(2)} s (the models' own training: ${own}${moved}); ${await page.$eval('#backend', (b) => b.textContent)}`);
      await page.close();
    }
    ratios.push(seconds[0] / seconds[1]);
    console.log(`  parallel / in turn: ${ratios.at(-1).toFixed(2)}`);
  }
  console.log(`  over ${RACE_RUNS} rounds: ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}, median ${median(ratios).toFixed(2)}`);
}
