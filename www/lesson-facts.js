// What a lesson step says about the results on screen, in words, from the same data the page's
// results table shows (so every number in a sentence can be found there, formatted alike). The
// pictures' sentences are the engine's (lessonFacts). Pure functions, importable from node.

/** A metric as the tables show it (4 decimals). */
const shown = (x) => x.toFixed(4);

/**
 * The epoch a run keeps, whose metrics the results table and the sentences show: with validation
 * rows the first epoch of the best validation AUC (the one whose parameters the core keeps, its
 * report's `best_epoch`), else the last. Progress carries the epochs, not the core's choice.
 */
export function keptEpoch(run) {
  let best = null;
  for (const e of run.epochs) if (validationScore(e) != null && (!best || validationScore(e) > validationScore(best))) best = e;
  return best ?? run.epochs[run.epochs.length - 1];
}

/** The validation score an epoch is kept by, as the core judges it: the AUC, or a regression's R². */
export const validationScore = (e) => e.validation_auc ?? e.validation_r2 ?? null;

/** The test score a race ranks by, as the core's: the AUC, or a regression's R² (higher is better). */
export const testScore = (e) => e.test_r2 ?? e.test_auc;

/** The ranking of a race in words, best test AUC first. */
export function rankingFacts(runs) {
  const ranked = runs.filter((r) => r.epochs.length).sort((a, b) => keptEpoch(b).test_auc - keptEpoch(a).test_auc);
  if (!ranked.length) return '';
  const [best, ...rest] = ranked;
  const others = rest.map((r) => `${r.mode} (${shown(keptEpoch(r).test_auc)})`).join(', then ');
  return `This run ranks ${best.mode} first, test AUC ${shown(keptEpoch(best).test_auc)}${others ? `, then ${others}` : ''}.`;
}

/** How `mode`'s test AUC moved from the race before to this one, in words ("rose", "fell"). */
export function aucFacts(before, runs, mode = 'joint') {
  const then = before?.find((r) => r.mode === mode && r.epochs.length);
  const now = runs.find((r) => r.mode === mode && r.epochs.length);
  if (!then || !now) return '';
  // The difference of the numbers as shown, so it adds up on screen.
  const [a, b] = [Number(shown(keptEpoch(then).test_auc)), Number(shown(keptEpoch(now).test_auc))];
  const moved = a === b ? 'stayed the same' : b > a ? `rose by ${shown(b - a)}` : `fell by ${shown(a - b)}`;
  return `${mode[0].toUpperCase()}${mode.slice(1)}'s test AUC was ${shown(a)} before (the greyed row) and is ${shown(b)} now: it ${moved}.`;
}

/** How many cells of a cross map are outlined (depart from the deep model), as the engine marked them. */
const outlinedCells = (map) => map.cells.filter((cell) => cell.exception).length;

/**
 * Of `[pair, map]` candidates (map null where the engine could not make one), the pair whose map
 * has the most outlined cells, the first on a tie, so a step about exceptions shows some where
 * the run has any; null when no candidate has a map.
 */
export function mostOutlined(candidates) {
  let best = null;
  for (const [pair, map] of candidates) {
    if (map && (!best || outlinedCells(map) > best.count)) best = { pair, count: outlinedCells(map) };
  }
  return best?.pair ?? null;
}
