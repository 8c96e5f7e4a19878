// Rendering: state and engine results in, DOM out. No engine calls and no global state here.
import { el, metric, replaceChildren, setOptions } from './dom.js';
import { own } from './state.js';
import { keptEpoch, testScore, validationScore } from './lesson-facts.js';
import { FIT } from './pictures.js';

const ROLES = [['both', 'wide + deep'], ['wide', 'wide only'], ['deep', 'deep only'], ['ignore', 'ignore']];
export const MODES = ['wide', 'deep', 'joint'];

/** Most choices a list of columns offers at once, and most rows the column table shows: a file may have 100,000 columns. */
export const LIST_MAX = 200;
export const PAGE_ROWS = 100;
/** How many columns each line of the roles summary names before "and N more". */
const ROLES_NAMED = 12;

/**
 * The columns by the part of the model they feed, as the engine configured it (its diagram's
 * inputs), then those left out: the features column's summary.
 */
export function renderRoles(container, inputs, schema, state) {
  const names = (list) => list.map((i) => i.column);
  const wide = names(inputs.filter((i) => i.wide_ids != null && i.embedding == null && !i.numeric));
  const deep = names(inputs.filter((i) => i.wide_ids == null));
  const both = names(inputs.filter((i) => i.wide_ids != null && (i.embedding != null || i.numeric)));
  const used = new Set(names(inputs));
  // The columns left out, counted: only the first few are named (a file may have 100,000 columns).
  const left = { names: [], count: 0 };
  for (const { name } of schema.columns) {
    if (name === state.label || used.has(name)) continue;
    if (left.count < ROLES_NAMED) left.names.push(name);
    left.count += 1;
  }
  const groups = [['Label', [state.label]], ['Wide + deep', both], ['Wide only', wide], ['Deep only', deep]].map(([title, list]) => [title, { names: list.slice(0, ROLES_NAMED), count: list.length }]);
  groups.push(['Left out', left]);
  replaceChildren(container, [el('dl', { className: 'roles' }, groups.filter(([, list]) => list.count).flatMap(([title, list]) => [
    el('dt', { textContent: title }),
    el('dd', { textContent: list.names.join(', ') + (list.count > list.names.length ? ` and ${(list.count - list.names.length).toLocaleString()} more` : '') }),
  ]))]);
}

/**
 * The role a column has now: the user's choice, else the core's (`column.role`, from the
 * engine's analysis: ignore for text, constant, key and leaking columns). Until the analysis
 * arrives every column counts.
 */
export function roleOf(column, state) {
  return own(state.roles, column.name) ?? column.role ?? 'both';
}

/** Whether a column's name contains `filter` (the "Find a column" box), ignoring case: a test for many names. */
export function matcher(filter) {
  const wanted = filter.trim().toLowerCase();
  return (name) => name.toLowerCase().includes(wanted);
}

/** The last list filtered and its result: the page's lists filter the same names with the same text in a row. */
let lastFound = { names: null, filter: null, found: null };

/** `names` that contain `filter` (see [`matcher`]), the last result reused for the same list and text. */
function matching(names, filter) {
  if (lastFound.names !== names || lastFound.filter !== filter) lastFound = { names, filter, found: names.filter(matcher(filter)) };
  return lastFound.found;
}

/**
 * What a list of columns offers: every one of `names` when they are few, else at most
 * [`LIST_MAX`] of those matching `filter`, with `keep` (the one chosen now) always among them;
 * `more` counts the ones left out, reached by typing in the filter.
 */
export function columnChoices(names, filter, keep) {
  if (names.length <= LIST_MAX) return { names, more: 0 };
  const found = filter.trim() ? matching(names, filter) : names;
  const shown = found.slice(0, LIST_MAX);
  if (keep && names.includes(keep) && !shown.includes(keep)) shown.unshift(keep);
  return { names: shown, more: Math.max(0, found.length - LIST_MAX) + names.length - found.length };
}

/** A select of columns (see [`columnChoices`]), `first` pairs before them; a note says how to reach the ones left out. */
export function setColumnOptions(select, names, filter, selected, first = []) {
  const { names: shown, more } = columnChoices(names, filter, selected);
  const pairs = [...first, ...shown.map((n) => [n, n])];
  setOptions(select, pairs, selected);
  if (!more) return;
  const note = new Option(`… ${more.toLocaleString()} more: type in "Find a column"`, '');
  note.disabled = true;
  select.append(note);
}

/** The page of the column table to show: the columns matching `filter`, [`PAGE_ROWS`] from `page`. */
export function schemaPage(columns, filter, page) {
  const matches = matcher(filter);
  const found = filter.trim() ? columns.filter((c) => matches(c.name)) : columns;
  const last = Math.max(0, Math.ceil(found.length / PAGE_ROWS) - 1);
  const at = Math.min(Math.max(0, page), last);
  return { columns: found.slice(at * PAGE_ROWS, (at + 1) * PAGE_ROWS), page: at, last, found: found.length, first: at * PAGE_ROWS };
}

/** The column table's rows for `columns` (one page of them; see [`schemaPage`]). */
export function renderSchema(tbody, columns, state, onRole) {
  const focused = tbody.contains(document.activeElement) ? document.activeElement.dataset.column : undefined;
  replaceChildren(tbody, columns.map((column) => {
    const isLabel = column.name === state.label;
    const cells = [
      el('th', { scope: 'row', textContent: column.name }),
      el('td', { textContent: column.kind.replace('_', '-') + (column.warning ? ` (${column.warning})` : '') }),
      el('td', { className: 'num', textContent: column.distinct.toLocaleString() }),
      el('td', { className: 'num', textContent: `${(100 * column.missing_share).toFixed(1)}%` }),
      el('td', { className: 'examples', textContent: column.examples.join(', ') }),
    ];
    if (isLabel) {
      cells.push(el('td', { textContent: 'label' }));
    } else {
      const select = el('select', { attrs: { 'aria-label': `Role of ${column.name}`, 'data-column': column.name } });
      setOptions(select, ROLES, roleOf(column, state));
      select.addEventListener('change', () => onRole(column.name, select.value));
      cells.push(el('td', {}, select));
    }
    return el('tr', { attrs: column.warning ? { 'data-warning': column.warning } : {} }, cells);
  }));
  if (focused !== undefined) tbody.querySelector(`select[data-column="${CSS.escape(focused)}"]`)?.focus();
}

export function renderLabel({ label, positive, threshold }, schema, state, filter) {
  setColumnOptions(label, schema.columns.map((c) => c.name), filter, state.label);
  const column = schema.columns.find((c) => c.name === state.label);
  const values = column ? column.examples : [];
  const choices = [['', 'automatic'], ...values.map((v) => [v, v])];
  if (state.positive && !values.includes(state.positive)) choices.push([state.positive, state.positive]);
  setOptions(positive, choices, state.positive);
  threshold.value = state.threshold;
}

const crossName = (columns) => columns.join(' × ');
/** Whether two crosses name the same columns, in any order. */
export const sameCross = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * One switch per cross: those in use first (switched on), then those switched off since the data
 * loaded (so a cross switched off in the diagram can come back), then the other suggestions, each with
 * a *Race it* button (variants.js hears its click: the cross on and off). The list is
 * only rebuilt when suggestions or the set of crosses change from outside, so a switch the user
 * is operating stays in place.
 */
export function renderCrosses(list, suggestions, state, onToggle, switchedOff = []) {
  const all = [...state.crosses];
  for (const columns of [...switchedOff, ...suggestions.map((s) => s.columns)]) if (!all.some((c) => sameCross(c, columns))) all.push(columns);
  const ids = new Set();
  replaceChildren(list, all.map((columns, i) => {
    // Column names become ids: two that read the same once cleaned must still differ.
    let id = `cross-${columns.join('-').replace(/[^a-zA-Z0-9_-]/g, '_')}`;
    if (ids.has(id)) id += `-${i}`;
    ids.add(id);
    const box = el('input', { type: 'checkbox', id, checked: state.crosses.some((c) => sameCross(c, columns)), attrs: { role: 'switch' } });
    box.addEventListener('change', () => onToggle(columns, box.checked));
    const gain = suggestions.find((s) => sameCross(s.columns, columns))?.gain;
    const note = gain === undefined ? 'your cross' : `+${Math.max(0, gain).toFixed(3)} bits`;
    const raceIt = el('button', { type: 'button', className: 'race-it', textContent: 'Race it', title: 'Try variants: this cross on and off, over several seeds', attrs: { 'data-cross': JSON.stringify(columns), 'aria-label': `Race it: ${crossName(columns)} on and off` } });
    return el('li', {}, [box, el('label', { htmlFor: id, textContent: crossName(columns) }), el('span', { className: 'gain', textContent: note }), raceIt]);
  }));
}

/**
 * A button over each cross the diagram lists (`spots` from the engine, in the pixels of a picture
 * drawn `width × height`): clicking one switches that cross off (data.js hears it). Placed in
 * shares of the picture, so they follow it at any size.
 */
export function renderSpots(layer, spots, width, height) {
  layer.style.aspectRatio = `${width} / ${height}`;
  replaceChildren(layer, spots.map(({ name, at: [x, y, w, h] }) => {
    const words = `Switch off the cross ${name.replaceAll(' x ', ' × ')}`;
    const button = el('button', { type: 'button', title: words, attrs: { 'data-name': name, 'aria-label': words } });
    Object.assign(button.style, { left: `${(100 * x) / width}%`, top: `${(100 * y) / height}%`, width: `${(100 * w) / width}%`, height: `${(100 * h) / height}%` });
    return button;
  }));
}

/**
 * Each model's epoch, running loss and progress bar. Updated in place while the same models train:
 * new elements every slice would make the page lay out and repaint far more than it shows.
 */
export function renderProgress(list, models, done = false) {
  const same = list.children.length === models.length && models.every((m, i) => list.children[i].dataset.mode === m.mode);
  if (!same) {
    list.replaceChildren(...models.map((m) => el('li', { attrs: { 'data-mode': m.mode } }, [
      el('span', { className: `swatch ${m.mode}`, attrs: { 'aria-hidden': 'true' } }), el('span'), el('progress'),
    ])));
  }
  models.forEach((m, i) => {
    const [, text, bar] = list.children[i].children;
    text.textContent = `${m.mode} · epoch ${m.epoch}${m.running_loss == null ? '' : ` · loss ${m.running_loss.toFixed(4)}`}`;
    // A finished race's bars end full (its last report may already count the next epoch's batches from 0).
    Object.assign(bar, { max: m.batches || 1, value: done ? m.batches || 1 : m.batch });
    bar.setAttribute('aria-label', `${m.mode} epoch ${m.epoch} progress`);
  });
}

/**
 * The results, best test AUC first; `suffix` names the rows of a race kept from before (" (before)").
 * Each row shows the epoch its model keeps ([`keptEpoch`]): with validation rows a note names it
 * (the per-epoch table still shows the last).
 */
export function renderResults(tbody, runs, suffix = '') {
  const task = taskOf(runs);
  const figures = FIGURES[task];
  const table = tbody.closest('table');
  if (!suffix) {
    setHeadings(table.tHead.rows[0], 2, figures.results);
    table.caption.textContent = `Results on the test rows, best ${scoreName(task)} first`;
  }
  const ranked = runs.filter((r) => r.epochs.length).sort((a, b) => testScore(keptEpoch(b)) - testScore(keptEpoch(a)));
  tbody.replaceChildren(...ranked.map((run, i) => {
    const e = keptEpoch(run);
    const seconds = run.epochs.reduce((sum, x) => sum + x.seconds, 0);
    const speed = run.epochs.reduce((sum, x) => sum + x.samples_per_second, 0) / run.epochs.length;
    return el('tr', { attrs: { 'data-mode': run.mode } }, [
      el('td', { className: 'num', textContent: String(i + 1) }),
      el('th', { scope: 'row' }, [el('span', { className: `swatch ${run.mode}`, attrs: { 'aria-hidden': 'true' } }), ` ${run.mode}${suffix}`, ...keptNote(run, e)]),
      ...figures.results.map(([, , value]) => el('td', { className: 'num', textContent: metric(value(e)) })),
      el('td', { className: 'num', textContent: e.wide_zero_share == null ? '—' : `${(100 * e.wide_zero_share).toFixed(1)}%` }),
      el('td', { className: 'num', textContent: seconds.toFixed(2) }),
      el('td', { className: 'num', textContent: Math.round(speed).toLocaleString() }),
    ]);
  }));
}

/** A run with validation rows names the epoch it keeps (its metrics are that epoch's, not the last's). */
const keptNote = (run, e) => (validationScore(e) == null ? [] : [el('span', { className: 'kept', textContent: ` best epoch ${e.epoch} of ${run.epochs.length}` })]);

/**
 * The results' zero-share heading: "L1 sparsity" for a race whose wide part trained with FTRL
 * (its L1 sets weights to exactly zero), else plain "Zeros" (weights that are zero without L1
 * are not sparsity).
 */
export function renderZeroHeading(th, ftrl) {
  const abbr = th.querySelector('abbr');
  abbr.textContent = ftrl ? 'L1 sparsity' : 'Zeros';
  abbr.title = ftrl ? "Wide weights FTRL's L1 holds at exactly zero, among those the training rows use" : 'Wide weights at exactly zero, among those the training rows use (no L1: not sparsity)';
}

/**
 * Every finished epoch of every run: its metrics, validation AUC and learning rate; the epoch a
 * run keeps (with validation rows) is marked, the last one stays listed.
 */
export function renderEpochs(tbody, runs) {
  const figures = FIGURES[taskOf(runs)];
  setHeadings(tbody.closest('table').tHead.rows[0], 2, figures.epochs);
  tbody.replaceChildren(...runs.flatMap((run) => {
    const kept = keptEpoch(run);
    return run.epochs.map((e) => {
      const marked = e === kept && validationScore(e) != null;
      return el('tr', { attrs: { 'data-mode': run.mode, ...(marked ? { 'data-kept': 'true' } : {}) } }, [
        el('th', { scope: 'row', textContent: run.mode }),
        el('td', { className: 'num', textContent: marked ? `${e.epoch} (kept)` : String(e.epoch) }),
        ...figures.epochs.map(([, , value]) => el('td', { className: 'num', textContent: metric(value(e)) })),
        el('td', { className: 'num', textContent: Number.isFinite(e.learning_rate) ? String(Number(e.learning_rate.toPrecision(3))) : '–' }),
      ]);
    });
  }));
}

/**
 * The figures each task's tables show, in column order: heading, its explanation ('' for none)
 * and how to read it from an epoch's record. A yes/no label's are probabilities' figures; a
 * regression's are in the label's units (R² has none).
 */
const FIGURES = {
  binary: {
    results: [
      ['AUC', '', (e) => e.test_auc],
      ['Accuracy', '', (e) => e.test_accuracy],
      ['Log-loss', '', (e) => e.test_loss],
      ['Brier', 'Brier score: the mean squared error of the probabilities (lower is better)', (e) => e.test_brier],
      ['ECE', 'Expected calibration error: how far the probabilities are from the observed rates, over the reliability bins (lower is better)', (e) => e.test_ece],
    ],
    epochs: [
      ['Train loss', '', (e) => e.train_loss], ['Test loss', '', (e) => e.test_loss], ['Test AUC', '', (e) => e.test_auc],
      ['Accuracy', '', (e) => e.test_accuracy], ['Brier', '', (e) => e.test_brier], ['Validation AUC', '', (e) => e.validation_auc],
    ],
  },
  multiclass: {
    results: [
      ['Macro AUC', 'Each class\'s probability ranking its rows against the rest, averaged over the classes', (e) => e.test_auc],
      ['Accuracy', 'Share of test rows whose most probable class is theirs', (e) => e.test_accuracy],
      ['Log-loss', 'Cross-entropy of the class probabilities (lower is better)', (e) => e.test_loss],
      ['Validation AUC', 'Macro AUC on the validation rows, by which the kept epoch is chosen', (e) => e.validation_auc],
      ['Worst recall', 'The share of its own rows the model gets right, for the class it gets right least', (e) => worstRecall(e.test_confusion)],
    ],
    epochs: [
      ['Train loss', '', (e) => e.train_loss], ['Test loss', '', (e) => e.test_loss], ['Macro AUC', '', (e) => e.test_auc],
      ['Accuracy', '', (e) => e.test_accuracy], ['Worst recall', '', (e) => worstRecall(e.test_confusion)], ['Validation AUC', '', (e) => e.validation_auc],
    ],
  },
  regression: {
    results: [
      ['R²', 'The share of the test rows\' variance the predictions explain (1 is perfect, 0 is predicting the mean)', (e) => e.test_r2],
      ['RMSE', 'Root mean squared error, in the label\'s units (lower is better)', (e) => e.test_rmse],
      ['MAE', 'Mean absolute error, in the label\'s units (lower is better)', (e) => e.test_mae],
      ['Test loss', 'The test loss on standard scores of the label: the squared error, or Huber\'s loss when chosen, as training minimizes it', (e) => e.test_loss],
      ['Validation R²', 'R² on the validation rows, by which the kept epoch is chosen', (e) => e.validation_r2],
    ],
    epochs: [
      ['Train loss', '', (e) => e.train_loss], ['Test loss', '', (e) => e.test_loss], ['Test R²', '', (e) => e.test_r2],
      ['RMSE', '', (e) => e.test_rmse], ['MAE', '', (e) => e.test_mae], ['Validation R²', '', (e) => e.validation_r2],
    ],
  },
};

/** The task of a race's runs: a regression's records carry its R², a multiclass one's its confusion matrix. */
function taskOf(runs) {
  const epochs = runs.flatMap((r) => r.epochs);
  if (epochs.some((e) => e.test_r2 != null)) return 'regression';
  return epochs.some((e) => e.test_confusion) ? 'multiclass' : 'binary';
}

/** The score a race ranks by, in words. */
export const scoreName = (task) => ({ regression: 'R²', multiclass: 'macro AUC' })[task] ?? 'AUC';

/** The lowest share of a class's rows predicted as that class (null without a matrix or rows). */
function worstRecall(matrix) {
  const recalls = (matrix ?? []).map((row, k) => row[k] / row.reduce((a, b) => a + b, 0)).filter(Number.isFinite);
  return recalls.length ? Math.min(...recalls) : null;
}

/**
 * A multiclass race's confusion matrix, of its best model at the epoch it keeps: test rows by
 * actual class (rows) and predicted class (columns), the diagonal marked. Hidden for other tasks.
 */
export function renderConfusion(table, runs, classes) {
  const box = table.closest('details');
  const ranked = runs.filter((r) => r.epochs.length && keptEpoch(r).test_confusion).sort((a, b) => testScore(keptEpoch(b)) - testScore(keptEpoch(a)));
  box.hidden = !ranked.length;
  if (!ranked.length) return;
  const [best] = ranked;
  const kept = keptEpoch(best);
  const matrix = kept.test_confusion;
  table.caption.textContent = `The ${best.mode} model at epoch ${kept.epoch}: test rows by actual class (rows) and predicted class (columns)`;
  table.tHead.replaceChildren(el('tr', {}, [el('th', { scope: 'col', textContent: 'Actual \\ predicted' }), ...classes.map((c) => el('th', { scope: 'col', textContent: c }))]));
  table.tBodies[0].replaceChildren(...matrix.map((row, k) => el('tr', {}, [
    el('th', { scope: 'row', textContent: classes[k] ?? String(k) }),
    ...row.map((n, j) => el('td', { className: j === k ? 'num diagonal' : 'num', textContent: n.toLocaleString() })),
  ])));
}

/** Sets the headings of a table's figure columns, from column `from` on. */
function setHeadings(row, from, figures) {
  figures.forEach(([text, title], i) => {
    const th = row.cells[from + i];
    th.replaceChildren(title ? el('abbr', { title, textContent: text }) : text);
  });
}

/**
 * The named wide weights: feature (with the other combinations of its bucket), rows, weight;
 * a weight whose pair is an outlined cell of the cross map on screen (`outlined[i]`) is marked ◆.
 */
export function renderWeights(tbody, weights, outlined = []) {
  tbody.replaceChildren(...weights.map((w, i) => {
    const others = w.others.length + w.more;
    const shared = others ? ` (+${others} more: ${w.others.map(([name, rows]) => `${name}, ${rows} rows`).join('; ')}${w.more ? '; …' : ''})` : '';
    const mark = Boolean(outlined[i]);
    return el('tr', { attrs: mark ? { 'data-outlined': 'true' } : {} }, [
      el('td', { textContent: (mark ? '◆ ' : '') + w.feature + shared, title: mark ? 'An outlined cell of the cross map' : '' }),
      el('td', { className: 'num', textContent: w.rows.toLocaleString() }),
      el('td', { className: 'num', textContent: signed(w.weight) }),
    ]);
  }));
}

const signed = (x) => (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(3);

/**
 * The first `count` columns a model reads (not the label, not ignored), optionally only of some
 * kinds: the pictures' default columns, found without going through a wide file's every column.
 */
export function featureColumns(schema, state, count, kinds) {
  const found = [];
  for (const c of schema.columns) {
    if (found.length === count) break;
    if (c.name !== state.label && roleOf(c, state) !== 'ignore' && (!kinds || kinds.includes(c.kind))) found.push(c.name);
  }
  return found;
}

/**
 * One input per column the model reads (features and crossed columns), suggested values from the
 * schema's examples; with more than [`LIST_MAX`], those matching `filter`. Returns how many were
 * left out (they count as missing in the row).
 */
export function renderWhatIf(container, schema, state, filter) {
  const crossed = new Set(state.crosses.flat());
  const used = schema.columns.filter((c) => c.name !== state.label && (roleOf(c, state) !== 'ignore' || crossed.has(c.name)));
  const { names, more } = columnChoices(used.map((c) => c.name), filter);
  const shown = new Set(names);
  replaceChildren(container, used.filter((c) => shown.has(c.name)).flatMap((c, i) => {
    const id = `whatif-${i}`;
    const list = el('datalist', { id: `${id}-list` }, c.examples.map((v) => new Option(v)));
    const input = el('input', { id, name: c.name, value: c.examples[0] ?? '', attrs: { list: `${id}-list`, 'data-column': c.name } });
    return [el('label', { htmlFor: id, textContent: c.name }), el('span', {}, [input, list])];
  }));
  return more;
}

/** What fixes an engine error, by its kind, in this page's words (the CLI names its flags). */
const HINTS = {
  label_not_binary: 'Pick a value in the "Positive class" field, type a number in the threshold field, or set the "Task" field.',
  label_positive_missing: 'Pick one of the listed values in the "Positive class" field.',
  label_not_numeric: 'Clear the threshold field and pick a value in the "Positive class" field instead.',
  label_unusable: 'Choose another "Label column".',
  unknown_column: 'Check the columns in the "Columns" table.',
  label_rare: 'Lower the "Test fraction" or change the "Seed", so the training rows hold both classes.',
  diverged: 'Lower the "Learning rate" field (or the "FTRL learning rate").',
  limit: 'Make the "Deep hidden sizes", "Embedding size", "Hash buckets per cross", "Batch size" or "Epochs" smaller.',
  no_data: 'Choose a data set or drop a CSV first.',
  busy: 'Wait for the current training slice, then try again.',
};

/** What each request asks of the engine, in words: what it was doing if it crashed. */
const DOING = {
  train: 'training', start: 'training', resume: 'training', extend: 'training', load: 'reading the file', preset: 'making the data set',
  analyze: 'analysing the data', configure: 'setting up the models', configurePrepared: 'setting up the models', measure: 'measuring the backends',
  results: 'reading the results', draw: 'drawing the pictures', weights: 'naming the weights', explain: 'scoring the row', export: 'exporting the model',
  import: 'loading the model', score: 'scoring the file', setup: 'taking the study\'s setup', handOver: 'moving a model', takeOver: 'moving a model',
  prepared: 'sharing the rows', backend: 'choosing the backend', init: 'starting',
};

/** A crash in the page's words: what the engine was doing, and why it died. */
export const describeCrash = (error) => `The engine crashed while ${DOING[error.request] ?? 'working'} (${error.message})`;

/** An error from the engine, with the hint for its kind when there is one. */
export function describeError(error) {
  if (error.kind === 'crashed') return `${describeCrash(error)}.`;
  const message = error.message.endsWith('.') ? error.message : `${error.message}.`;
  const hint = HINTS[error.kind];
  return hint ? `${message} ${hint}` : message;
}

/** The core's warnings about the split (a class with few rows in it), as sentences to append. */
export const describeWarnings = (warnings = []) => warnings.map((w) => ` Note: ${w.charAt(0).toUpperCase()}${w.slice(1)}.`).join('');

/** A sentence about columns that give the label away: left out, or kept on the user's word. */
export function describeLeaks(leaks, state) {
  return leaks.map((leak) => {
    const reason = `${leak.column} decides the label (${leak.said} alone)`;
    const role = own(state.roles, leak.column);
    const kept = role && role !== 'ignore';
    return kept ? ` Warning: ${reason}, kept as you chose: expect a score that means little.` : ` ${reason}: left out; give it a role in the "Columns" table to keep it.`;
  }).join('');
}

/** What class weights do to a what-if's probability (the core's words), and where to see by how much. */
const weighted = (words) => (words ? ` ${words} The ${FIT.calibration.tab} tab shows by how much.` : '');

/**
 * A scored row: the probability (a yes/no label's, or a multiclass label's most probable class's,
 * with every class's below) or a regression's number, as the sum of its parts, and the wide
 * features the row fired.
 */
export function renderExplanation(container, x) {
  const total = Math.abs(x.wide) + Math.abs(x.deep);
  const what = x.prediction != null ? 'prediction' : 'logit';
  const share = total > 0 ? ` The deep part carries ${(100 * Math.abs(x.deep) / total).toFixed(0)}% of the row's ${what}, the wide part ${(100 * Math.abs(x.wide) / total).toFixed(0)}%.` : '';
  const parts = `wide ${signed(x.wide)} deep ${signed(x.deep)} bias ${signed(x.bias)}`;
  const text = x.prediction != null ? `Prediction ${Number(x.prediction.toPrecision(6))} = ${parts} (in the label's units).`
    : x.classes?.length ? `Most probable: ${x.classes[0][0]}, ${(100 * x.probability).toFixed(1)}% (its logit = ${parts}; the probabilities are the softmax of every class's). ${x.classes.map(([c, p]) => `${c} ${(100 * p).toFixed(1)}%`).join(', ')}.`
      : `Probability ${(100 * x.probability).toFixed(1)}% = σ(${parts}).`;
  const sum = el('p', { textContent: text + share + weighted(x.class_weights) });
  const fired = x.fired.length
    ? el('ul', { className: 'fired' }, x.fired.map((f) => el('li', { textContent: `${f.feature}: ${signed(f.weight)}` })))
    : el('p', { textContent: 'This model has no wide part.' });
  const heading = el('p', { textContent: x.fired.length ? 'Wide features this row fired (their weights add up to the wide part):' : '' });
  container.replaceChildren(sum, heading, fired);
}

