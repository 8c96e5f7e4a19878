// What leaves or enters the page besides data: the link (copied, and repaired when its settings
// break the engine), the metrics, the models as JSON, ONNX or a PyTorch bundle, and a saved model to score a file.
import { $, download } from './dom.js';
import { CONFIG_KEYS, LABELS, SETTINGS, shown, toConfig } from './state.js';
import * as views from './views.js';
import { restartEngine, restarted } from './race-control.js';
import { ENDED, base, engine, explain, page, racers, ui } from './page-state.js';

/** Wires the share panel: copy the link, the metrics, the model downloads, and scoring a file with a saved model. */
export function bindSharing() {
  const note = (text) => (ui.shareStatus.textContent = text);
  $('#copy-link').addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(location.href); note('Link copied.'); } catch { note(`Copy this link: ${location.href}`); }
  });
  const report = () => racers.report(views.MODES);
  $('#export-csv').addEventListener('click', async () => download('widedeep-metrics.csv', (await report()).csv, 'text/csv'));
  $('#export-json').addEventListener('click', async () => download('widedeep-metrics.json', JSON.stringify((await report()).report, null, 2), 'application/json'));
  $('#download-model').addEventListener('click', async () => {
    const { json, mode } = await racers.ask(ui.modelMode.value, 'export', { mode: ui.modelMode.value });
    download(`widedeep-${mode}.model.json`, json, 'application/json');
  });
  // The model for serving (ONNX) and for training elsewhere (a PyTorch bundle, zipped).
  for (const [id, request, name, type] of [['#download-onnx', 'exportOnnx', (m) => `widedeep-${m}.onnx`, 'application/octet-stream'], ['#download-torch', 'exportTorch', (m) => `widedeep-${m}-torch.zip`, 'application/zip']]) {
    $(id).addEventListener('click', async () => {
      try {
        const { bytes, mode } = await racers.ask(ui.modelMode.value, request, { mode: ui.modelMode.value });
        download(name(mode), bytes, type);
      } catch (error) {
        note(`Could not export the model: ${explain(error)}`);
      }
    });
  }
  $('#model-file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      const { columns } = await engine.request('import', { json: await file.text() });
      ui.scoreFile.disabled = false;
      note(`Model loaded; it reads ${columns.join(', ')}.`);
    } catch (error) {
      note(`Could not load the model: ${explain(error)}`);
    }
  });
  ui.scoreFile.addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      const bytes = await file.arrayBuffer();
      const { csv, predictions, clipped } = await engine.request('score', { bytes }, [bytes]);
      download(file.name.replace(/(\.\w+)?$/, '-scored.csv'), csv, 'text/csv');
      const far = clipped ? ` Note: ${clipped.toLocaleString()} numbers lay more than a million standard deviations from the training data's mean and were clipped to it.` : '';
      note(`Scored ${predictions.length.toLocaleString()} rows.${far}`);
    } catch (error) {
      note(`Could not score that file: ${explain(error)}`);
    }
  });
}

/**
 * Configures a link's settings once its data is loaded, as a race would. If that fails (an error,
 * or a crash of the engine), the settings the link changed are tried again one at a time over
 * the preset's own, and each one that still fails goes back to the preset's value; so a link
 * that breaks the engine cannot break the page again on every load. Returns what to say: one
 * sentence per setting put back, naming it by its field.
 */
export async function checkLink() {
  const linked = page.state;
  const fallback = base(linked.preset);
  const format = (key, value) => SETTINGS[key].codec.format(value);
  const changed = CONFIG_KEYS.filter((key) => format(key, linked[key]) !== format(key, fallback[key]));
  const failure = changed.length ? await tryConfig(linked) : null;
  if (!failure) return [];
  const defaults = Object.fromEntries(changed.map((key) => [key, fallback[key]]));
  let trial = { ...linked, ...defaults };
  const failed = [];
  if (!(await tryConfig(trial))) {
    for (const key of changed) {
      const next = { ...trial, [key]: linked[key] };
      const error = await tryConfig(next);
      if (error) failed.push([key, error]);
      else trial = next;
    }
  }
  if (!failed.length) {
    // Not one setting alone: the link's settings all go back together.
    page.state = { ...linked, ...defaults };
    return [`The link's settings could not be used (${why(failure)}): back to the defaults for ${changed.map((key) => LABELS[key]).join(', ')}.`];
  }
  page.state = trial;
  return failed.map(([key, error]) => `${LABELS[key]} ${shown(key, linked[key])} could not be used (${why(error)}): back to the default ${shown(key, fallback[key])}.`);
}

/** An engine error as a reason in brackets: the core's message, or what killed the engine. */
const why = (error) => (error.kind === 'crashed' ? `the engine crashed: ${error.message}` : error.message.replace(/\.$/, ''));

/** Whether the engine can configure `candidate`'s models: null, or the error (after a crash, once a fresh engine has the data again). */
async function tryConfig(candidate) {
  try {
    await engine.request('configure', { config: toConfig(candidate, views.MODES) });
    return null;
  } catch (error) {
    if (error.kind === 'crashed') await restartEngine(views.describeCrash(error));
    else if (ENDED.has(error.kind)) await restarted();
    return error;
  }
}
