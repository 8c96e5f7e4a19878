// All of a setup's settings in one table, kept in the URL hash so a link reproduces the setup.
// A link names its preset and only the values that differ from that preset's settings, so links
// stay short and a preset's own choices need not be repeated.

const int = (min) => ({ parse: (s) => (Number.isInteger(+s) && +s >= min ? +s : undefined), format: String });
const float = (min, max) => ({ parse: (s) => (s !== '' && +s > min && +s < max ? +s : undefined), format: String });
const atLeast = (min) => ({ parse: (s) => (s !== '' && +s >= min ? +s : undefined), format: String });
const text = { parse: (s) => s, format: (v) => v };
const oneOf = (...values) => ({ parse: (s) => (values.includes(s) ? s : undefined), format: (v) => v });
const json = (check) => ({
  parse: (s) => { try { const v = JSON.parse(s); return check(v) ? v : undefined; } catch { return undefined; } },
  format: (v) => JSON.stringify(v),
});
const isCrossList = (v) => Array.isArray(v) && v.every((c) => Array.isArray(c) && c.length >= 2 && c.length <= 3 && c.every((x) => typeof x === 'string'));
const isPair = (v) => Array.isArray(v) && (v.length === 0 || (v.length === 2 && v.every((x) => typeof x === 'string')));
const isKindMap = (v) => v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((k) => ['numeric', 'categorical', 'multi_categorical', 'id'].includes(k));
const isRoleMap = (v) => v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((r) => ['wide', 'deep', 'both', 'ignore'].includes(r));

/**
 * key → [codec, default]. A default is a page setting's own value, or a function of the core's
 * default configuration (handed over by the engine at start-up): training defaults live in one
 * place, the Rust `Config`, so the page and the CLI never disagree.
 */
export const FIELDS = {
  preset: [oneOf('adult', 'movielens', 'memorize', 'seed', 'ids', 'upload'), 'adult'],
  label: [text, ''],
  positive: [text, ''],
  threshold: [text, ''],
  roles: [json(isRoleMap), {}],
  kinds: [json(isKindMap), {}],
  crosses: [json(isCrossList), []],
  hashBuckets: [int(1), (core) => core.features.hash_buckets],
  embedding: [text, (core) => (core.features.embedding_dim == null ? '' : String(core.features.embedding_dim))],
  epochs: [int(1), (core) => core.train.epochs],
  batch: [int(1), (core) => core.train.batch_size],
  lr: [text, (core) => (core.train.learning_rate == null ? '' : String(core.train.learning_rate))],
  optimizer: [oneOf('adam', 'adagrad', 'sgd'), (core) => core.train.optimizer],
  wideOptimizer: [oneOf('same', 'ftrl'), (core) => (core.train.wide_optimizer ? core.train.wide_optimizer.kind : 'same')],
  l1: [atLeast(0), (core) => core.ftrl.l1],
  l2: [atLeast(0), (core) => core.ftrl.l2],
  wideLr: [float(0, Infinity), (core) => core.ftrl.learning_rate],
  tableUpdates: [oneOf('auto', 'sparse', 'dense'), (core) => core.train.table_updates],
  hidden: [text, (core) => core.train.hidden.join(',')],
  testFraction: [float(0, 1), (core) => core.train.test_fraction],
  split: [oneOf('random', 'ordered'), (core) => core.train.split],
  seed: [int(0), (core) => core.train.seed],
  backend: [oneOf('auto', 'webgpu', 'cpu'), 'auto'],
  workers: [int(0), 0],
  map: [json(isPair), []],
  embed: [text, ''],
  lesson: [oneOf('', 'memorize', 'adult'), ''],
  step: [int(1), 1],
  projector: [oneOf('0', '1'), '0'],
};

let core = null;

/** Takes the core's default configuration (`defaultConfig()` from the engine) once, at start-up. */
export function useCoreDefaults(config) {
  core = config;
}

/** Every field at its default. */
export function defaults() {
  if (!core) throw new Error('the core defaults arrive with the engine: call useCoreDefaults first');
  return Object.fromEntries(Object.entries(FIELDS).map(([key, [, value]]) => [key, structuredClone(typeof value === 'function' ? value(core) : value)]));
}

/**
 * The state a hash describes: `baseFor(preset)` overridden by the hash's values. Unknown keys and
 * invalid values are ignored.
 */
export function readHash(hash, baseFor = defaults) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const preset = FIELDS.preset[0].parse(params.get('preset') ?? '') ?? FIELDS.preset[1];
  const state = { ...baseFor(preset), preset };
  for (const [key, [codec]] of Object.entries(FIELDS)) {
    if (!params.has(key) || key === 'preset') continue;
    const value = codec.parse(params.get(key));
    if (value !== undefined) state[key] = value;
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
    roles: features.roles,
    kinds: features.kinds,
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
