// The pictures the worker draws: SVG text shown in <img> elements (so no script in a file's
// values can run), their downloads as SVG or PNG, and their text alternatives built from the
// same data. No engine calls here.
import { el, metric, download, replaceChildren } from './dom.js';

/** The last SVG text shown in each image, by element id (for downloads). */
const shown = new Map();

/** Shows `svg` text in `img`, releasing the previous picture once the new one has loaded. */
export function show(img, svg) {
  const previous = img.dataset.url;
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  if (previous) img.addEventListener('load', () => URL.revokeObjectURL(previous), { once: true });
  img.src = url;
  img.dataset.url = url;
  img.dataset.drawn = String(Number(img.dataset.drawn ?? 0) + 1);
  shown.set(img.id, svg);
}

/**
 * Takes the picture out of `img` (new data, a reset): its placeholder shows again, never a
 * broken-image box, and no download offers an old picture.
 */
export function clear(img) {
  if (img.dataset.url) URL.revokeObjectURL(img.dataset.url);
  img.removeAttribute('src');
  for (const key of ['url', 'drawn', 'epoch']) delete img.dataset[key];
  shown.delete(img.id);
}

/** The SVG text shown in `img` (to keep a picture on screen as the one before). */
export const svgOf = (img) => shown.get(img.id);

/** Offers the picture in `img` as an SVG file. */
export function downloadSvg(img, name) {
  download(name, shown.get(img.id) ?? '', 'image/svg+xml');
}

/** Offers the picture in `img` as a PNG file, rendered at twice its drawn size (sharp on a projector). */
export async function downloadPng(img, name) {
  await img.decode();
  const canvas = el('canvas', { width: img.naturalWidth * 2, height: img.naturalHeight * 2 });
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(img, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  download(name, blob);
}

/** The cross map as a table: one row per cell with rows, the observed rate and each model's prediction. */
export function renderCrossMapTable(table, map) {
  if (!map) {
    table.tHead.replaceChildren();
    table.tBodies[0].replaceChildren();
    return;
  }
  const head = [map.columns[0], map.columns[1], 'Test rows', 'Observed', ...map.models.map((m) => `${m} predicts`), 'Exception'];
  table.tHead.replaceChildren(el('tr', {}, head.map((h) => el('th', { scope: 'col', textContent: h }))));
  const rows = [];
  map.row_values.forEach((down, r) => map.col_values.forEach((across, c) => {
    const cell = map.cells[r * map.col_values.length + c];
    if (!cell.rows) return;
    rows.push(el('tr', { attrs: cell.exception ? { 'data-exception': 'true' } : {} }, [
      el('th', { scope: 'row', textContent: down }),
      el('td', { textContent: across }),
      el('td', { className: 'num', textContent: String(cell.rows) }),
      ...[cell.observed, ...cell.predicted].map((x) => el('td', { className: 'num', textContent: metric(x) })),
      el('td', { textContent: cell.exception ? 'yes' : '' }),
    ]));
  }));
  replaceChildren(table.tBodies[0], rows);
}

/** A probability as the calibration table shows it (2 decimals). */
const probability = (x) => x.toFixed(2);

/**
 * The calibration as a table: per model, each probability bin with test rows in it (the rows of
 * a model add up to the test rows), their mean prediction and the observed rate of positives.
 */
export function renderCalibrationTable(table, calibrations) {
  replaceChildren(table.tBodies[0], (calibrations ?? []).flatMap(({ mode, calibration }) => calibration.bins.filter((bin) => bin.rows).map((bin) => el('tr', { attrs: { 'data-mode': mode } }, [
    el('th', { scope: 'row', textContent: mode }),
    el('td', { textContent: `${probability(bin.low)}–${probability(bin.high)}` }),
    el('td', { className: 'num', textContent: bin.rows.toLocaleString() }),
    ...[bin.predicted, bin.observed].map((x) => el('td', { className: 'num', textContent: metric(x) })),
  ]))));
}

/**
 * Each per-model picture's text alternative (pictures-table.js's `perModel` rows), by kind:
 * `(element, data)` says the picture's data in words in the element the row's `text` names;
 * null data empties it.
 */
export const TEXTS = { calibration: renderCalibrationTable };

/** The embedding maps as a list: each value's nearest neighbours, per model. */
export function renderNeighbours(list, maps) {
  replaceChildren(list, maps.flatMap((map) => map.points.map((p) => el('li', {
    textContent: `${map.mode}, ${p.value} (${p.rows.toLocaleString()} rows, ${(100 * p.positive_rate).toFixed(0)}% positive): nearest ${p.nearest.join(', ')}`,
  }))));
}

/** Most input columns the diagram's text names (a file may have 100,000). */
const NAMED_INPUTS = 50;

/** The diagram as a list: what goes where, and the logit split once trained. */
export function renderDiagramText(list, diagram) {
  const named = diagram.inputs.slice(0, NAMED_INPUTS).map((i) => i.column).join(', ');
  const more = diagram.inputs.length > NAMED_INPUTS ? ` and ${(diagram.inputs.length - NAMED_INPUTS).toLocaleString()} more` : '';
  const lines = [`${diagram.inputs.length.toLocaleString()} input columns: ${named}${more}.`];
  if (diagram.wide_ids) lines.push(`Wide part: ${diagram.wide_ids.toLocaleString()} ids${diagram.crosses.length ? `, crosses ${diagram.crosses.map(([name, buckets]) => `${name} (${buckets} buckets)`).join(', ')}` : ''}.`);
  if (diagram.deep_inputs) {
    const embedded = diagram.inputs.filter((i) => i.embedding).map((i) => `${i.column} (${i.embedding})`);
    const others = embedded.length > NAMED_INPUTS ? ` and ${(embedded.length - NAMED_INPUTS).toLocaleString()} more` : '';
    lines.push(`Deep part: embeddings ${embedded.slice(0, NAMED_INPUTS).join(', ') || 'none'}${others}; ${diagram.deep_inputs} inputs; hidden layers ${diagram.hidden.join(', ')}.`);
  }
  if (diagram.split) lines.push(`On the test rows the wide part moves the logit by ${diagram.split.wide.toFixed(2)} on average, the deep part by ${diagram.split.deep.toFixed(2)} (epoch ${diagram.split.epoch}).`);
  list.replaceChildren(...lines.map((line) => el('li', { textContent: line })));
}
