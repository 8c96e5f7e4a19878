// All of a setup's settings in one table (SETTINGS): the form, the link and the engine's
// configuration are all made from it, kept in the URL hash so a link reproduces the setup.
// A link names its preset and only the values that differ from that preset's settings, so links
// stay short and a preset's own choices need not be repeated.
import { LESSONS } from './lesson.js';

/** Longest value a link may carry for one setting: a longer one is refused as it is read. */
export const MAX_VALUE_CHARS = 10_000;
/** Most entries in a list a link carries (hidden sizes, crosses): far past any model the core accepts. */
const MAX_LIST = 1000;
/** Most seeds per variant a page's race of variants trains: four variants times five seeds is what a page waits for. */
const MAX_SEEDS = 5;
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
/** A share from `min` up to, not including, `below` (the validation fraction: 0 turns it off). */
const share = (min, below) => ({ parse: (s) => (number(s) >= min && number(s) < below ? +s : undefined), format: String, rule: `a number from ${min} up to (not including) ${below}` });
const atLeast = (min) => ({ parse: (s) => (number(s) >= min ? +s : undefined), format: String, rule: `a number of at least ${min}` });
const text = { parse: (s) => s, format: (v) => v, rule: 'text' };
/** Text that is empty (the automatic choice) or passes `check`. */
const optional = (check, rule) => ({ parse: (s) => (s === '' || check(s) ? s : undefined), format: (v) => v, rule: `empty or ${rule}` });
const oneOf = (...values) => ({ parse: (s) => (values.includes(s) ? s : undefined), format: (v) => v, rule: `one of ${values.filter(Boolean).join(', ')}` });
/** A positive finite number as typed ('10', '0.5'), or undefined. */
const positive = (s) => (number(s) > 0 ? +s : undefined);
/**
 * Class weights as the core reads them: `none`, `balanced`, or `POS:NEG` with two positive
 * numbers (any, not only the few the field suggests), written back as the core writes them.
 */
const classWeights = {
  parse: (s) => {
    if (s === 'none' || s === 'balanced') return s;
    const [pos, neg, ...rest] = s.split(':').map(positive);
    return rest.length || pos === undefined || neg === undefined ? undefined : `${pos}:${neg}`;
  },
  format: (v) => v,
  rule: 'none, balanced, or POS:NEG with two positive numbers (like 10:1)',
};
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

/** An empty text for the core's `null` (its automatic choice), and back. */
const emptyIsNull = (v) => (v === '' ? null : Number(v));
const nullIsEmpty = (v) => (v == null ? '' : String(v));
/** A choice the core may leave unset: '' (automatic) is null. */
const emptyIsUnset = (v) => (v === '' ? null : v);
const same = (v) => v;
/** The label rule the core reads, from the positive class or the threshold (whichever is set). */
const labelRule = (s) => (s.positive !== '' ? { rule: 'positive', value: s.positive } : s.threshold !== '' ? { rule: 'threshold', at: Number(s.threshold) } : { rule: 'auto' });
/** The wide part's own optimizer (FTRL with its three settings), or null for the shared one. */
const wideOptimizer = (s) => (s.wideOptimizer === 'ftrl' ? { kind: 'ftrl', learning_rate: s.wideLr, l1: s.l1, l2: s.l2 } : null);
/** An FTRL setting from a configuration's wide optimizer: none keeps the page's value. */
const ftrl = (key) => (w) => (w ? w[key] : undefined);
/** A select's choices: the values a link may give are the ones the control offers. */
const choices = (...pairs) => ({ ...oneOf(...pairs.map(([value]) => value)), choices: pairs });

/**
 * Every setting, one row each, keyed by its URL key: `codec` (the link's text ↔ the value, and
 * a form control's text reads the same way; a select's `choices` are its `[value, text]`
 * options and the values a link may give), `label` (its field's name on the page, for
 * messages), `input` (the id of its form control, if it has one of its own), `analysis` (a
 * change redoes the analysis and the diagram: it changes the training rows or the model's
 * shape), `config` (`[path, toCore(value, state), fromCore(value)]`: where the core's
 * configuration holds it; `fromCore` gives undefined to keep the page's value) and `fallback`
 * (a page setting's own default, or a function of the core's defaults). A setting with a config
 * path and no fallback takes the core's default from `defaultConfig()` through that path, so
 * the page and the CLI never disagree.
 */
export const SETTINGS = {
  preset: { codec: choices(['adult', 'Adult census income'], ['movielens', 'Movie ratings (synthetic)'], ['memorize', 'Memorize vs generalize'], ['prices', 'Home prices (a number)'], ['readers', 'Which genre? (four classes)'], ['stars', 'Predict the stars (synthetic ratings)'], ['seed', 'The seed study (your MovieLens archive)'], ['ids', 'MovieLens with ids (your MovieLens archive)'], ['upload', 'Your file']), label: 'Data set', fallback: 'adult' },
  label: { codec: text, label: 'Label column', fallback: '', config: ['features.label', same, same] },
  task: { codec: choices(['', 'Automatic (from the label column)'], ['binary', 'Yes/no (binary)'], ['multiclass', 'One of several classes (multiclass)'], ['regression', 'A number (regression)']), label: 'Task', input: 'task', analysis: true, config: ['features.task', emptyIsUnset, nullIsEmpty] },
  positive: { codec: text, label: 'Positive class', fallback: '', config: ['features.label_rule', (v, s) => labelRule(s), (r) => (r?.rule === 'positive' ? r.value : '')] },
  threshold: { codec: optional((s) => number(s) !== undefined, 'a number'), label: 'Numeric threshold', fallback: '', config: ['features.label_rule', (v, s) => labelRule(s), (r) => (r?.rule === 'threshold' ? String(r.at) : '')] },
  roles: { codec: json(isMapOf(ROLES), `a map of columns to ${ROLES.join(', ')}`, columnMap), label: 'Column roles', fallback: () => columnMap(), config: ['features.roles', same, (v) => columnMap(v)] },
  kinds: { codec: json(isMapOf(KINDS), `a map of columns to ${KINDS.join(', ')}`, columnMap), label: 'Column kinds', fallback: () => columnMap(), config: ['features.kinds', same, (v) => columnMap(v)] },
  crosses: { codec: json(isCrossList, `a list of up to ${MAX_LIST} crosses of 2 or 3 columns`), label: 'Wide crosses', fallback: [], config: ['features.crosses', same, same] },
  hashBuckets: { codec: int(1), label: 'Hash buckets per cross', input: 'hash-buckets', analysis: true, config: ['features.hash_buckets', same, same] },
  embedding: { codec: optional(isSize, `a whole number from 1 to ${MAX_SIZE.toLocaleString('en')}`), label: 'Embedding size', input: 'embedding', analysis: true, config: ['features.embedding_dim', emptyIsNull, nullIsEmpty] },
  epochs: { codec: int(1), label: 'Epochs', input: 'epochs', config: ['train.epochs', same, same] },
  batch: { codec: int(1), label: 'Batch size', input: 'batch', config: ['train.batch_size', same, same] },
  lr: { codec: optional((s) => number(s) > 0, 'a number above 0'), label: 'Learning rate', input: 'lr', config: ['train.learning_rate', emptyIsNull, nullIsEmpty] },
  optimizer: { codec: choices(['adam', 'Adam'], ['adagrad', 'Adagrad'], ['sgd', 'SGD']), label: 'Optimizer', input: 'optimizer', config: ['train.optimizer', same, same] },
  wideOptimizer: { codec: choices(['same', 'The optimizer above'], ['ftrl', 'FTRL with L1 (as the paper)']), label: "Wide part's optimizer", input: 'wide-optimizer', config: ['train.wide_optimizer', (v, s) => wideOptimizer(s), (w) => (w ? w.kind : 'same')] },
  l1: { codec: atLeast(0), label: 'FTRL L1', input: 'l1', fallback: (core) => core.ftrl.l1, config: ['train.wide_optimizer', (v, s) => wideOptimizer(s), ftrl('l1')] },
  l2: { codec: atLeast(0), label: 'FTRL L2', input: 'l2', fallback: (core) => core.ftrl.l2, config: ['train.wide_optimizer', (v, s) => wideOptimizer(s), ftrl('l2')] },
  wideLr: { codec: float(0, Infinity), label: 'FTRL learning rate', input: 'wide-lr', fallback: (core) => core.ftrl.learning_rate, config: ['train.wide_optimizer', (v, s) => wideOptimizer(s), ftrl('learning_rate')] },
  tableUpdates: { codec: choices(['auto', 'Automatic (sparse for big tables)'], ['sparse', 'Sparse (rows the batch looked up; Adam is lazy)'], ['dense', 'Dense (every row, every step)']), label: 'Table updates', input: 'table-updates', config: ['train.table_updates', same, (v) => v ?? undefined] },
  classWeight: { codec: classWeights, label: 'Class weights', input: 'class-weight', config: ['train.class_weight', same, same] },
  validationFraction: { codec: share(0, 0.5), label: 'Validation fraction', input: 'validation-fraction', config: ['train.validation_fraction', same, same] },
  patience: { codec: optional(isSize, `a whole number from 1 to ${MAX_SIZE.toLocaleString('en')}`), label: 'Patience', input: 'patience', config: ['train.patience', emptyIsNull, nullIsEmpty] },
  lrSchedule: { codec: choices(['none', 'Constant'], ['plateau', 'Halved on a plateau (needs validation)'], ['cosine', 'Cosine, down to 0']), label: 'Learning-rate schedule', input: 'lr-schedule', config: ['train.lr_schedule', same, same] },
  regressionLoss: { codec: choices(['squared', 'Squared error (fits the mean)'], ['huber', 'Huber (a number with heavy tails)']), label: 'Regression loss', input: 'regression-loss', config: ['train.regression_loss', same, same] },
  hidden: { codec: optional(isHiddenList, 'whole numbers separated by commas'), label: 'Deep hidden sizes', input: 'hidden', analysis: true, config: ['train.hidden', (v) => v.split(',').map((s) => s.trim()).filter(Boolean).map(Number), (v) => v.join(',')] },
  testFraction: { codec: float(0, 1), label: 'Test fraction', input: 'test-fraction', analysis: true, config: ['train.test_fraction', same, same] },
  split: { codec: choices(['random', 'Random'], ['ordered', 'Ordered (last rows as test)']), label: 'Split', input: 'split', analysis: true, config: ['train.split', same, same] },
  seed: { codec: int(0, Number.MAX_SAFE_INTEGER), label: 'Seed', input: 'seed', analysis: true, config: ['train.seed', same, same] },
  backend: { codec: choices(['auto', 'Automatic (the faster, measured)'], ['webgpu', 'WebGPU'], ['cpu', 'CPU']), label: 'Backend', fallback: 'auto' },
  workers: { codec: { ...int(0, 3), choices: [['0', 'Automatic (one per model, up to the cores)'], ['1', '1 (the models in turn)'], ['2', '2'], ['3', '3']] }, label: 'Workers racing at once', input: 'workers', fallback: 0 },
  vary: { codec: text, label: 'Vary', input: 'vary', fallback: '' },
  seeds: { codec: int(1, MAX_SEEDS), label: 'Seeds per variant', input: 'seeds', fallback: 3 },
  map: { codec: json(isPair, 'two columns'), label: 'Cross map columns', fallback: [] },
  embed: { codec: text, label: 'Embedding map column', fallback: '' },
  mapClass: { codec: text, label: 'Class the maps show', fallback: '' },
  lesson: { codec: choices(['', 'none'], ...Object.entries(LESSONS).map(([key, l]) => [key, `${l.title} (${l.steps.length} steps)`])), label: 'Lesson', fallback: '' },
  step: { codec: int(1), label: 'Lesson step', fallback: 1 },
  projector: { codec: choices(['0', 'off'], ['1', 'on']), label: 'Projector view', fallback: '0' },
  classSpeed: { codec: choices(['0', 'off'], ['1', 'on']), label: 'Class speed', fallback: '0' },
};

/** Each setting's name on the page (its field's label), for messages about a value that failed. */
export const LABELS = Object.fromEntries(Object.entries(SETTINGS).map(([key, row]) => [key, row.label]));

/** The settings that make up the engine's configuration ([`toConfig`]): the ones a failing configuration is blamed on. */
export const CONFIG_KEYS = Object.keys(SETTINGS).filter((key) => SETTINGS[key].config);

/** The settings with a form control of their own (its id is the row's `input`). */
export const INPUT_KEYS = Object.keys(SETTINGS).filter((key) => SETTINGS[key].input);

/** A form control's text as the setting's value, or undefined if it is not one: read as a link's text is. */
export const parseInput = (key, text) => SETTINGS[key].codec.parse(String(text));

/** A setting's value as its form control shows it (the same text as in a link). */
export const inputText = (key, value) => SETTINGS[key].codec.format(value);

/** A setting's value as a message shows it: its link text, or "(automatic)" for an empty one. */
export function shown(key, value) {
  const text = typeof value === 'string' ? value : SETTINGS[key].codec.format(value);
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
  return Object.fromEntries(Object.entries(SETTINGS).map(([key, row]) => [key, defaultOf(row)]));
}

/** A setting's default: its own fallback, else the core's default configuration's value at its config path. */
function defaultOf({ fallback, config }) {
  if (fallback === undefined) return config[2](pathOf(core, config[0]));
  return typeof fallback === 'function' ? fallback(core) : structuredClone(fallback);
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
  const preset = SETTINGS.preset.codec.parse(params.get('preset') ?? '') ?? SETTINGS.preset.fallback;
  const state = { ...baseFor(preset), preset };
  for (const [key, { codec }] of Object.entries(SETTINGS)) {
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
  for (const [key, { codec }] of Object.entries(SETTINGS)) {
    const formatted = codec.format(state[key]);
    if (key !== 'preset' && formatted !== codec.format(base[key])) params.set(key, formatted);
  }
  return '#' + params.toString();
}

/** The value at `path` ('train.epochs') in `object`. */
const pathOf = (object, path) => path.split('.').reduce((at, key) => at?.[key], object);

/** The engine's `{features, train}` configuration for the chosen models: each setting at its config path. */
export function toConfig(state, modes) {
  const config = { features: {}, train: { modes } };
  for (const key of CONFIG_KEYS) {
    const [path, toCore] = SETTINGS[key].config;
    const [part, name] = path.split('.');
    config[part][name] = toCore(state[key], state);
  }
  return config;
}

/** The page's settings for a core configuration (a study's setup): the inverse of [`toConfig`]. */
export function fromConfig(config) {
  const settings = {};
  for (const key of CONFIG_KEYS) {
    const [path, , fromCore] = SETTINGS[key].config;
    const value = fromCore(pathOf(config, path));
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}
