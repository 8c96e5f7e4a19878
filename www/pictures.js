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

/** The cross map as a table: one row per cell with rows, the observed mean (a rate, a class's share or a number) and each model's prediction. */
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

/**
 * The fit picture in words, by the kind of fit the engine gives for each task (a yes/no label's
 * calibration, a number's scatter, several classes' confusion): its tab, the sentence over it,
 * its image's alternative, the summary and caption of the table behind it, and that table's
 * columns and rows (`rows(mode, data)`).
 */
export const FIT = {
  calibration: {
    task: 'binary',
    tab: 'Calibration',
    hint: 'Does 0.8 mean 80%? The test rows grouped by predicted probability: each model\'s mean prediction against the observed rate of positives. On the diagonal, a model\'s probabilities can be taken at their word; its Brier score and ECE are in the results table.',
    alt: 'Reliability diagram of each model; the table below has the same numbers.',
    summary: 'The calibration as a table',
    caption: 'Test rows per probability bin: each model\'s mean prediction and the observed rate',
    head: ['Model', 'Predicted range', 'Test rows', 'Mean predicted', 'Observed'],
    rows: (mode, c) => binRows(mode, c.bins),
  },
  scatter: {
    task: 'regression',
    tab: 'Predicted vs actual',
    hint: 'Each model\'s predictions (across) against the actual values (up) of test rows, in the label\'s units: on the diagonal a prediction is exact; the black line joins the mean actual value of each range of predictions, and the bars below count the residuals (actual − predicted).',
    alt: 'Predicted against actual for each model, with its residuals; the table below has the mean actual value per range of predictions.',
    summary: 'Predicted against actual as a table',
    caption: 'Test rows per range of predictions: each model\'s mean prediction and the mean actual value',
    head: ['Model', 'Predicted range', 'Test rows', 'Mean predicted', 'Mean actual'],
    rows: (mode, s) => binRows(mode, s.bins),
  },
  confusion: {
    task: 'multiclass',
    tab: 'Confusion',
    hint: 'Which classes does each model mix up? Its test rows by actual class (down) and predicted class (across), each cell shaded by its share of the actual class: the diagonal is right, a dark cell off it a pair of classes taken for each other.',
    alt: 'The confusion matrix of each model; the table below has each class\'s recall and the class it is most often taken for.',
    summary: 'The confusion matrices as a table',
    caption: 'Per model and actual class: test rows, the share predicted right (recall), and the class its rows are most often taken for',
    head: ['Model', 'Actual class', 'Test rows', 'Recall', 'Most often taken for'],
    rows: confusionRows,
  },
};

/** The kind of fit the engine gives for `task` (a key of [`FIT`]). */
export const fitOf = (task) => Object.keys(FIT).find((kind) => FIT[kind].task === task) ?? 'calibration';

/**
 * A model's bins with rows (they add up to the test rows): range, rows, mean predicted, observed
 * or mean actual; the range with the decimals a bin's width needs to tell its ends apart.
 */
function binRows(mode, bins) {
  const width = bins.length ? bins[0].high - bins[0].low : 1;
  const decimals = width > 0 ? Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(width)))) : 2;
  return bins.filter((bin) => bin.rows).map((bin) => el('tr', { attrs: { 'data-mode': mode } }, [
    el('th', { scope: 'row', textContent: mode }),
    el('td', { textContent: `${bin.low.toFixed(decimals)}–${bin.high.toFixed(decimals)}` }),
    el('td', { className: 'num', textContent: bin.rows.toLocaleString() }),
    ...[bin.predicted, bin.observed].map((x) => el('td', { className: 'num', textContent: metric(x) })),
  ]));
}

/** A model's classes: rows, recall, and the other class its rows are most often given (with how many). */
function confusionRows(mode, { classes, counts }) {
  return counts.map((row, actual) => {
    const rows = row.reduce((a, b) => a + b, 0);
    const other = row.map((n, k) => [n, k]).filter(([, k]) => k !== actual).sort((a, b) => b[0] - a[0])[0];
    return el('tr', { attrs: { 'data-mode': mode } }, [
      el('th', { scope: 'row', textContent: mode }),
      el('td', { textContent: classes[actual] }),
      el('td', { className: 'num', textContent: rows.toLocaleString() }),
      el('td', { className: 'num', textContent: rows ? metric(row[actual] / rows) : '–' }),
      el('td', { textContent: other && other[0] ? `${classes[other[1]]} (${other[0].toLocaleString()})` : 'none' }),
    ]);
  });
}

/** The fit as a table, its columns and caption those of the fit's kind (every model's is of one kind). */
export function renderFitTable(table, fits) {
  const kind = fits?.length ? Object.keys(fits[0].fit)[0] : null;
  const words = FIT[kind];
  table.caption.textContent = words?.caption ?? '';
  table.tHead.replaceChildren(...(words ? [el('tr', {}, words.head.map((h) => el('th', { scope: 'col', textContent: h })))] : []));
  replaceChildren(table.tBodies[0], words ? fits.flatMap(({ mode, fit }) => words.rows(mode, fit[kind])) : []);
}

/**
 * Each per-model picture's text alternative (pictures-table.js's `perModel` rows), by kind:
 * `(element, data)` says the picture's data in words in the element the row's `text` names;
 * null data empties it.
 */
export const TEXTS = { fit: renderFitTable };

/** The embedding maps as a list: each value's nearest neighbours, per model. */
export function renderNeighbours(list, maps) {
  replaceChildren(list, maps.flatMap((map) => map.points.map((p) => el('li', {
    textContent: `${map.mode}, ${p.value} (${p.rows.toLocaleString()} rows, ${p.said}): nearest ${p.nearest.join(', ')}`,
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
  const classes = diagram.classes?.length ? ` (${diagram.classes.join(', ')}; the wide part holds a weight per id and class)` : '';
  lines.push(`Output: ${diagram.output.join(' ')}${classes}.`);
  if (diagram.split) lines.push(`On the test rows the wide part moves the logit by ${diagram.split.wide.toFixed(2)} on average, the deep part by ${diagram.split.deep.toFixed(2)} (epoch ${diagram.split.epoch}).`);
  list.replaceChildren(...lines.map((line) => el('li', { textContent: line })));
}
