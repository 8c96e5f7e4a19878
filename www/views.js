// Rendering: state and engine results in, DOM out. No engine calls and no global state here.
import { el, metric, setOptions } from './dom.js';

const ROLES = [['both', 'wide + deep'], ['wide', 'wide only'], ['deep', 'deep only'], ['ignore', 'ignore']];
export const MODES = ['wide', 'deep', 'joint'];

/** The role a column has now: the user's choice, else ignore for text/constant/key columns. */
export function roleOf(column, state) {
  return state.roles[column.name] ?? (column.warning ? 'ignore' : 'both');
}

export function renderSchema(tbody, schema, state, onRole) {
  tbody.replaceChildren(...schema.columns.map((column) => {
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
    return el('tr', {}, cells);
  }));
}

export function renderLabel({ label, positive, threshold }, schema, state) {
  setOptions(label, schema.columns.map((c) => [c.name, c.name]), state.label);
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
 * One switch per cross: those in use first (switched on), then the other suggestions. The list is
 * only rebuilt when suggestions or the set of crosses change from outside, so a switch the user
 * is operating stays in place.
 */
export function renderCrosses(list, suggestions, state, onToggle) {
  const all = [...state.crosses];
  for (const s of suggestions) if (!all.some((c) => sameCross(c, s.columns))) all.push(s.columns);
  list.replaceChildren(...all.map((columns) => {
    const id = `cross-${columns.join('-').replace(/[^a-zA-Z0-9_-]/g, '_')}`;
    const box = el('input', { type: 'checkbox', id, checked: state.crosses.some((c) => sameCross(c, columns)), attrs: { role: 'switch' } });
    box.addEventListener('change', () => onToggle(columns, box.checked));
    const gain = suggestions.find((s) => sameCross(s.columns, columns))?.gain;
    const note = gain === undefined ? 'your cross' : `+${Math.max(0, gain).toFixed(3)} bits`;
    return el('li', {}, [box, el('label', { htmlFor: id, textContent: crossName(columns) }), el('span', { className: 'gain', textContent: note })]);
  }));
}

export function renderProgress(list, models) {
  list.replaceChildren(...models.map((m) => {
    const bar = el('progress', { max: m.batches || 1, value: m.batch, attrs: { 'aria-label': `${m.mode} epoch ${m.epoch} progress` } });
    const loss = m.running_loss == null ? '' : ` · loss ${m.running_loss.toFixed(4)}`;
    return el('li', { attrs: { 'data-mode': m.mode } }, [el('span', { className: `swatch ${m.mode}`, attrs: { 'aria-hidden': 'true' } }), `${m.mode} · epoch ${m.epoch}${loss}`, bar]);
  }));
}

export function renderResults(tbody, runs) {
  const ranked = runs.filter((r) => r.epochs.length).sort((a, b) => last(b).test_auc - last(a).test_auc);
  tbody.replaceChildren(...ranked.map((run, i) => {
    const e = last(run);
    const seconds = run.epochs.reduce((sum, x) => sum + x.seconds, 0);
    const speed = run.epochs.reduce((sum, x) => sum + x.samples_per_second, 0) / run.epochs.length;
    return el('tr', { attrs: { 'data-mode': run.mode } }, [
      el('td', { className: 'num', textContent: String(i + 1) }),
      el('th', { scope: 'row' }, [el('span', { className: `swatch ${run.mode}`, attrs: { 'aria-hidden': 'true' } }), ` ${run.mode}`]),
      ...[e.test_auc, e.test_accuracy, e.test_loss].map((x) => el('td', { className: 'num', textContent: metric(x) })),
      el('td', { className: 'num', textContent: seconds.toFixed(2) }),
      el('td', { className: 'num', textContent: Math.round(speed).toLocaleString() }),
    ]);
  }));
}

export function renderEpochs(tbody, runs) {
  tbody.replaceChildren(...runs.flatMap((run) => run.epochs.map((e) => el('tr', { attrs: { 'data-mode': run.mode } }, [
    el('th', { scope: 'row', textContent: run.mode }),
    el('td', { className: 'num', textContent: String(e.epoch) }),
    ...[e.train_loss, e.test_loss, e.test_auc, e.test_accuracy].map((x) => el('td', { className: 'num', textContent: metric(x) })),
  ]))));
}

export function renderWeights(tbody, weights) {
  tbody.replaceChildren(...weights.map((w) => el('tr', {}, [
    el('td', { textContent: w.feature }),
    el('td', { className: 'num', textContent: (w.weight >= 0 ? '+' : '') + w.weight.toFixed(3) }),
  ])));
}

/** One input per feature column, suggested values from the schema's examples. */
export function renderWhatIf(container, schema, state) {
  const columns = schema.columns.filter((c) => c.name !== state.label && (roleOf(c, state) !== 'ignore' || state.crosses.flat().includes(c.name)));
  container.replaceChildren(...columns.flatMap((c, i) => {
    const id = `whatif-${i}`;
    const list = el('datalist', { id: `${id}-list` }, c.examples.map((v) => new Option(v)));
    const input = el('input', { id, name: c.name, value: c.examples[0] ?? '', attrs: { list: `${id}-list`, 'data-column': c.name } });
    return [el('label', { htmlFor: id, textContent: c.name }), el('span', {}, [input, list])];
  }));
}

export function describeExplanation(x) {
  const sign = (v) => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(3);
  return `Probability ${(100 * x.probability).toFixed(1)}% = σ(wide ${sign(x.wide)} deep ${sign(x.deep)} bias ${sign(x.bias)})`;
}

const last = (run) => run.epochs[run.epochs.length - 1];
