// All of a setup's settings in one table, kept in the URL hash so a link reproduces the setup.
// A link names its preset and only the values that differ from that preset's settings, so links
// stay short and a preset's own choices need not be repeated.

/** Longest value a link may carry for one setting: a longer one is refused as it is read. */
export const MAX_VALUE_CHARS = 10_000;
/** Most entries in a list a link carries (hidden sizes, crosses): far past any model the core accepts. */
const MAX_LIST = 1000;
/** Largest size a link may give: the engine's sizes are 32-bit in the browser. */
const MAX_SIZE = 2 ** 31 - 1;

/**
 * Per-column settings (roles, kinds) as a map without a prototype, so a column named
 * `constructor`, `toString` or `__proto__` reads as that column and nothing else.
 */
export const columnMap = (entries = {}) => Object.assign(Object.create(null), entries);
/** `map`'s own value for `key` (never one inherited from Object.prototype). */
export const own = (map, key) => (Object.hasOwn(map, key) ? map[key] : undefined);

/** A codec: `parse` gives the value or undefined; `rule` says what it accepts, for the message. */
const int = (min, max = MAX_SIZE) => ({
  parse: (s) => (/^\d+$/.test(s) && +s >= min && +s <= max ? +s : undefined), format: String,
  rule: `a whole number from ${min} to ${max.toLocaleString('en')}`,
});
const number = (s) => (s.trim() !== '' && Number.isFinite(+s) ? +s : undefined);
const float = (min, max) => ({
  parse: (s) => (number(s) > min && number(s) < max ? +s : undefined), format: String,
  rule: max === Infinity ? `a number above ${min}` : `a number between ${min} and ${max}`,
});
const atLeast = (min) => ({ parse: (s) => (number(s) >= min ? +s : undefined), format: String, rule: `a number of at least ${min}` });
const text = { parse: (s) => s, format: (v) => v, rule: 'text' };
/** Text that is empty (the automatic choice) or passes `check`. */
const optional = (check, rule) => ({ parse: (s) => (s === '' || check(s) ? s : undefined), format: (v) => v, rule: `empty or ${rule}` });
const oneOf = (...values) => ({ parse: (s) => (values.includes(s) ? s : undefined), format: (v) => v, rule: `one of ${values.filter(Boolean).join(', ')}` });
const json = (check, rule, make = (v) => v) => ({
  parse: (s) => { try { const v = JSON.parse(s); return check(v) ? make(v) : undefined; } catch { return undefined; } },
  format: (v) => JSON.stringify(v),
  rule,
});
/** Hidden layer sizes as typed: whole numbers separated by commas, each a size the engine can hold. */
export const isHiddenList = (s) => /^\s*\d+(\s*,\s*\d+)*\s*$/.test(s) && s.split(',').length <= MAX_LIST && s.split(',').every((n) => +n >= 1 && +n <= MAX_SIZE);
const isSize = (s) => /^\d+$/.test(s) && +s >= 1 && +s <= MAX_SIZE;
const isCrossList = (v) => Array.isArray(v) && v.length <= MAX_LIST && v.every((c) => Array.isArray(c) && c.length >= 2 && c.length <= 3 && c.every((x) => typeof x === 'string'));
const isPair = (v) => Array.isArray(v) && (v.length === 0 || (v.length === 2 && v.every((x) => typeof x === 'string')));
const isMapOf = (values) => (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => values.includes(x));
const KINDS = ['numeric', 'categorical', 'multi_categorical', 'id'];
const ROLES = ['wide', 'deep', 'both', 'ignore'];

/**
 * key → [codec, default]. A default is a page setting's own value, or a function of the core's
 * default configuration (handed over by the engine at start-up): training defaults live in one
 * place, the Rust `Config`, so the page and the CLI never disagree.
 */
export const FIELDS = {
  preset: [oneOf('adult', 'movielens', 'memorize', 'seed', 'ids', 'upload'), 'adult'],
  label: [text, ''],
  positive: [text, ''],
  threshold: [optional((s) => number(s) !== undefined, 'a number'), ''],
  roles: [json(isMapOf(ROLES), `a map of columns to ${ROLES.join(', ')}`, columnMap), () => columnMap()],
  kinds: [json(isMapOf(KINDS), `a map of columns to ${KINDS.join(', ')}`, columnMap), () => columnMap()],
  crosses: [json(isCrossList, `a list of up to ${MAX_LIST} crosses of 2 or 3 columns`), []],
  hashBuckets: [int(1), (core) => core.features.hash_buckets],
  embedding: [optional(isSize, `a whole number from 1 to ${MAX_SIZE.toLocaleString('en')}`), (core) => (core.features.embedding_dim == null ? '' : String(core.features.embedding_dim))],
  epochs: [int(1), (core) => core.train.epochs],
  batch: [int(1), (core) => core.train.batch_size],
  lr: [optional((s) => number(s) > 0, 'a number above 0'), (core) => (core.train.learning_rate == null ? '' : String(core.train.learning_rate))],
  optimizer: [oneOf('adam', 'adagrad', 'sgd'), (core) => core.train.optimizer],
  wideOptimizer: [oneOf('same', 'ftrl'), (core) => (core.train.wide_optimizer ? core.train.wide_optimizer.kind : 'same')],
  l1: [atLeast(0), (core) => core.ftrl.l1],
  l2: [atLeast(0), (core) => core.ftrl.l2],
  wideLr: [float(0, Infinity), (core) => core.ftrl.learning_rate],
  tableUpdates: [oneOf('auto', 'sparse', 'dense'), (core) => core.train.table_updates],
  hidden: [optional(isHiddenList, 'whole numbers separated by commas'), (core) => core.train.hidden.join(',')],
  testFraction: [float(0, 1), (core) => core.train.test_fraction],
  split: [oneOf('random', 'ordered'), (core) => core.train.split],
  seed: [int(0, Number.MAX_SAFE_INTEGER), (core) => core.train.seed],
  backend: [oneOf('auto', 'webgpu', 'cpu'), 'auto'],
  workers: [int(0, 3), 0],
  map: [json(isPair, 'two columns'), []],
  embed: [text, ''],
  lesson: [oneOf('', 'memorize', 'adult'), ''],
  step: [int(1), 1],
  projector: [oneOf('0', '1'), '0'],
};

/** Each setting's name on the page (its field's label), for messages about a value that failed. */
export const LABELS = {
  preset: 'Data set', label: 'Label column', positive: 'Positive class', threshold: 'Numeric threshold',
  roles: 'Column roles', kinds: 'Column kinds', crosses: 'Wide crosses', hashBuckets: 'Hash buckets per cross',
  embedding: 'Embedding size', epochs: 'Epochs', batch: 'Batch size', lr: 'Learning rate', optimizer: 'Optimizer',
  wideOptimizer: "Wide part's optimizer", l1: 'FTRL L1', l2: 'FTRL L2', wideLr: 'FTRL learning rate',
  tableUpdates: 'Table updates', hidden: 'Deep hidden sizes', testFraction: 'Test fraction', split: 'Split', seed: 'Seed',
  backend: 'Backend', workers: 'Workers racing at once', map: 'Cross map columns', embed: 'Embedding map column',
  lesson: 'Lesson', step: 'Lesson step', projector: 'Projector view',
};

/** The settings that make up the engine's configuration ([`toConfig`]): the ones a failing configuration is blamed on. */
export const CONFIG_KEYS = ['label', 'positive', 'threshold', 'roles', 'kinds', 'crosses', 'hashBuckets', 'embedding', 'epochs', 'batch', 'lr',
  'optimizer', 'wideOptimizer', 'l1', 'l2', 'wideLr', 'tableUpdates', 'hidden', 'testFraction', 'split', 'seed'];

/** A setting's value as a message shows it: its link text, or "(automatic)" for an empty one. */
export function shown(key, value) {
  const text = typeof value === 'string' ? value : FIELDS[key][0].format(value);
  if (text === '') return '(automatic)';
  if (text === '{}' || text === '[]') return '(none)';
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

let core = null;

/** Takes the core's default configuration (`defaultConfig()` from the engine) once, at start-up. */
export function useCoreDefaults(config) {
  core = config;
}

/** A named setup's settings from the core (`adult`, `memorize`, …), as page values. */
export function setupSettings(name) {
  if (!core?.setups?.[name]) throw new Error(`the core has no setup called '${name}'`);
  return fromConfig(core.setups[name]);
}

/** Every field at its default. */
export function defaults() {
  if (!core) throw new Error('the core defaults arrive with the engine: call useCoreDefaults first');
  return Object.fromEntries(Object.entries(FIELDS).map(([key, [, value]]) => [key, typeof value === 'function' ? value(core) : structuredClone(value)]));
}

/** A preset's own settings over `values`, the per-column maps kept without a prototype. */
export function withSettings(values, settings) {
  const merged = { ...values, ...structuredClone(settings) };
  return { ...merged, roles: columnMap(merged.roles), kinds: columnMap(merged.kinds) };
}

/**
 * The state a hash describes: `baseFor(preset)` overridden by the hash's values. Unknown keys are
 * ignored; a value that cannot be read (not a number, out of range, too long) keeps the base's
 * and is told to `onRejected(key, value, rule)`, so the page can say which one went back.
 */
export function readHash(hash, baseFor = defaults, onRejected = () => {}) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const preset = FIELDS.preset[0].parse(params.get('preset') ?? '') ?? FIELDS.preset[1];
  const state = { ...baseFor(preset), preset };
  for (const [key, [codec]] of Object.entries(FIELDS)) {
    if (!params.has(key) || key === 'preset') continue;
    const raw = params.get(key);
    const value = raw.length <= MAX_VALUE_CHARS ? codec.parse(raw) : undefined;
    if (value !== undefined) state[key] = value;
    else onRejected(key, raw, raw.length > MAX_VALUE_CHARS ? `at most ${MAX_VALUE_CHARS.toLocaleString('en')} characters` : codec.rule);
  }
  return state;
}

/** The hash for `state`: its preset, and every value that differs from `base`. */
export function writeHash(state, base = defaults()) {
  const params = new URLSearchParams({ preset: state.preset });
  for (const [key, [codec]] of Object.entries(FIELDS)) {
    const formatted = codec.format(state[key]);
    if (key !== 'preset' && formatted !== codec.format(base[key])) params.set(key, formatted);
  }
  return '#' + params.toString();
}

/** The engine's `{features, train}` configuration for the chosen models. */
export function toConfig(state, modes) {
  const number = (s) => (s === '' ? null : Number(s));
  const label_rule = state.positive !== '' ? { rule: 'positive', value: state.positive }
    : state.threshold !== '' ? { rule: 'threshold', at: Number(state.threshold) } : { rule: 'auto' };
  return {
    features: {
      label: state.label,
      label_rule,
      roles: state.roles,
      kinds: state.kinds,
      crosses: state.crosses,
      hash_buckets: state.hashBuckets,
      embedding_dim: number(state.embedding),
    },
    train: {
      modes,
      hidden: state.hidden.split(',').map((s) => s.trim()).filter(Boolean).map(Number),
      optimizer: state.optimizer,
      learning_rate: number(state.lr),
      table_updates: state.tableUpdates,
      wide_optimizer: state.wideOptimizer === 'ftrl' ? { kind: 'ftrl', learning_rate: state.wideLr, l1: state.l1, l2: state.l2 } : null,
      batch_size: state.batch,
      epochs: state.epochs,
      test_fraction: state.testFraction,
      split: state.split,
      seed: state.seed,
    },
  };
}

/** The page's settings for a core configuration (a study's setup): the inverse of `toConfig`. */
export function fromConfig({ features, train }) {
  const rule = features.label_rule ?? { rule: 'auto' };
  return {
    label: features.label,
    positive: rule.rule === 'positive' ? rule.value : '',
    threshold: rule.rule === 'threshold' ? String(rule.at) : '',
    roles: columnMap(features.roles),
    kinds: columnMap(features.kinds),
    crosses: features.crosses,
    hashBuckets: features.hash_buckets,
    embedding: features.embedding_dim == null ? '' : String(features.embedding_dim),
    epochs: train.epochs,
    batch: train.batch_size,
    lr: train.learning_rate == null ? '' : String(train.learning_rate),
    optimizer: train.optimizer,
    ...(train.table_updates ? { tableUpdates: train.table_updates } : {}),
    ...(train.wide_optimizer ? { wideOptimizer: 'ftrl', l1: train.wide_optimizer.l1, l2: train.wide_optimizer.l2, wideLr: train.wide_optimizer.learning_rate } : {}),
    hidden: train.hidden.join(','),
    testFraction: train.test_fraction,
    split: train.split,
    seed: train.seed,
  };
}
