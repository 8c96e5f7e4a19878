// All of a setup's settings in one table, kept in the URL hash so a link reproduces the setup.
// A link names its preset and only the values that differ from that preset's settings, so links
// stay short and a preset's own choices need not be repeated.

const int = (min) => ({ parse: (s) => (Number.isInteger(+s) && +s >= min ? +s : undefined), format: String });
const float = (min, max) => ({ parse: (s) => (s !== '' && +s > min && +s < max ? +s : undefined), format: String });
const text = { parse: (s) => s, format: (v) => v };
const oneOf = (...values) => ({ parse: (s) => (values.includes(s) ? s : undefined), format: (v) => v });
const json = (check) => ({
  parse: (s) => { try { const v = JSON.parse(s); return check(v) ? v : undefined; } catch { return undefined; } },
  format: (v) => JSON.stringify(v),
});
const isCrossList = (v) => Array.isArray(v) && v.every((c) => Array.isArray(c) && c.length >= 2 && c.length <= 3 && c.every((x) => typeof x === 'string'));
const isRoleMap = (v) => v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((r) => ['wide', 'deep', 'both', 'ignore'].includes(r));

/** key → [default, codec]. */
export const FIELDS = {
  preset: ['adult', oneOf('adult', 'movielens', 'memorize', 'upload')],
  label: ['', text],
  positive: ['', text],
  threshold: ['', text],
  roles: [{}, json(isRoleMap)],
  crosses: [[], json(isCrossList)],
  hashBuckets: [1000, int(1)],
  embedding: ['', text],
  epochs: [5, int(1)],
  batch: [256, int(1)],
  lr: ['', text],
  optimizer: ['adam', oneOf('adam', 'adagrad', 'sgd')],
  hidden: ['64,32,16', text],
  testFraction: [0.3, float(0, 1)],
  split: ['random', oneOf('random', 'ordered')],
  seed: [100, int(0)],
  backend: ['auto', oneOf('auto', 'webgpu', 'cpu')],
};

export function defaults() {
  return Object.fromEntries(Object.entries(FIELDS).map(([key, [value]]) => [key, structuredClone(value)]));
}

/**
 * The state a hash describes: `baseFor(preset)` overridden by the hash's values. Unknown keys and
 * invalid values are ignored.
 */
export function readHash(hash, baseFor = defaults) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const preset = FIELDS.preset[1].parse(params.get('preset') ?? '') ?? FIELDS.preset[0];
  const state = { ...baseFor(preset), preset };
  for (const [key, [, codec]] of Object.entries(FIELDS)) {
    if (!params.has(key) || key === 'preset') continue;
    const value = codec.parse(params.get(key));
    if (value !== undefined) state[key] = value;
  }
  return state;
}

/** The hash for `state`: its preset, and every value that differs from `base`. */
export function writeHash(state, base = defaults()) {
  const params = new URLSearchParams({ preset: state.preset });
  for (const [key, [, codec]] of Object.entries(FIELDS)) {
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
      crosses: state.crosses,
      hash_buckets: state.hashBuckets,
      embedding_dim: number(state.embedding),
    },
    train: {
      modes,
      hidden: state.hidden.split(',').map((s) => s.trim()).filter(Boolean).map(Number),
      optimizer: state.optimizer,
      learning_rate: number(state.lr),
      batch_size: state.batch,
      epochs: state.epochs,
      test_fraction: state.testFraction,
      split: state.split,
      seed: state.seed,
    },
  };
}
