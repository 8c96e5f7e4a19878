// Guided lessons: a few steps that each set up what they need (data, crosses, a trained race, a
// picture) and point at the panel to look at. The steps are data; lesson-control.js knows how to
// make the page match a step's `needs` and words the step's `facts` from the run on screen, so
// every number a step says is one the page shows.

const MEMORIZE_CROSS = [['city', 'product']];

/**
 * Each step: a title, its lead-in, the panel to point at, what the page must show first —
 * `preset`, `crosses` (a list, or 'preset' for the preset's own), `trained` (a finished Compare
 * race of these settings), `map` (the cross map's two columns, or 'exceptions': of the race's
 * crosses of two columns, the one whose map has the most outlined cells), `embedding` (a column),
 * `weights` (the model whose named weights to list), `before` (crosses of an earlier race the
 * step compares with: raced first when a link opens the step with none on screen) — and `facts`: what of the run on screen to
 * add in words ('ranking': the results; 'auc': joint's AUC before and after, from the tables;
 * 'outlined': the cross map's outlined cells; 'weights': the named weights among them; 'split':
 * each part's pull on the logit; 'embedding': the embedding map, in the engine's words).
 */
export const LESSONS = {
  memorize: {
    title: 'Memorize vs generalize',
    steps: [
      {
        title: 'A rule with exceptions',
        text: 'Whether a product sells in a city mostly follows a smooth rule: a city\'s taste meets a product\'s style. But some popular city × product pairs break the rule. Which part of the model can learn what?',
        target: '#features',
        needs: { preset: 'memorize', crosses: 'preset' },
      },
      {
        title: 'Race the three models, with the city × product cross',
        text: 'Wide, deep and joint train on the same rows, one epoch at a time. Watch the curves and the results table.',
        target: '#race-panel',
        needs: { preset: 'memorize', crosses: MEMORIZE_CROSS, trained: true },
        facts: 'ranking',
      },
      {
        title: 'Read the cross map',
        text: 'Each cell is a city × product pair. The outlined cells are where the data (left) departs from what the deep part predicts: the exceptions it smooths away. Compare them in the wide and joint panels.',
        target: '#cross-map-figure',
        needs: { preset: 'memorize', crosses: MEMORIZE_CROSS, trained: true, map: ['city', 'product'] },
        facts: 'outlined',
      },
      {
        title: 'Find them by name',
        text: 'The wide part\'s largest weights, by name: a city × product weight is one pair memorized.',
        target: '#weights-panel',
        needs: { preset: 'memorize', crosses: MEMORIZE_CROSS, trained: true, weights: 'joint', map: ['city', 'product'] },
        facts: 'weights',
      },
      {
        title: 'Switch the cross off and race again',
        text: 'Without the cross the wide part can only weigh each city and each product alone. The race starts again; the previous one stays on screen: its curves faint, its results in greyed rows.',
        target: '#results-box',
        needs: { preset: 'memorize', crosses: [], trained: true, before: MEMORIZE_CROSS },
        facts: 'auc',
      },
      {
        title: 'Before and after',
        text: 'The cross map now, beside the one from the race with the cross. Memorization needs the cross; generalization needs the embeddings; joint gets both.',
        target: '#cross-map-figure',
        needs: { preset: 'memorize', crosses: [], trained: true, map: ['city', 'product'], before: MEMORIZE_CROSS },
        facts: 'auc',
      },
    ],
  },
  adult: {
    title: 'Adult census income',
    steps: [
      {
        title: 'Race on real data',
        text: 'Predict whether a person earns more than $50K from census answers. The three models race with the preset\'s crosses.',
        target: '#race-panel',
        needs: { preset: 'adult', crosses: 'preset', trained: true },
        facts: 'ranking',
      },
      {
        title: 'What the deep part learned about jobs',
        text: 'Each occupation is a point; its place comes from the deep part\'s embedding. Jobs the model treats alike drift together: that is generalization.',
        target: '#embedding-figure',
        needs: { preset: 'adult', crosses: 'preset', trained: true, embedding: 'occupation' },
        facts: 'embedding',
      },
      {
        title: 'Where a cross helps',
        text: 'Each cell is a combination of a cross\'s two columns. An outlined cell is where the data departs from the deep part: an exception the cross lets the wide part fix.',
        target: '#cross-map-figure',
        needs: { preset: 'adult', crosses: 'preset', trained: true, map: 'exceptions' },
        facts: 'outlined',
      },
      {
        title: 'Who does the work?',
        text: 'The diagram shows how much each part moves the joint model\'s logit on average.',
        target: '#diagram-figure',
        needs: { preset: 'adult', crosses: 'preset', trained: true },
        facts: 'split',
      },
    ],
  },
};

/** Keys that step a lesson from anywhere on the page (a presenter's clicker sends PageDown and PageUp). */
const KEYS = { ArrowRight: 'next', PageDown: 'next', ' ': 'next', ArrowLeft: 'back', PageUp: 'back', Escape: 'end' };

/**
 * Whether a key pressed in `target` is the control's own (typing, choosing, pressing a button with
 * Space). PageDown and PageUp never are while a lesson runs: a presenter's clicker sends them
 * wherever the focus was left, and a menu must not change the data set under the class; Escape
 * is only while typing.
 */
function ownKey(target, key) {
  if (key === 'PageDown' || key === 'PageUp') return false;
  const typing = target.isContentEditable || target.tagName === 'TEXTAREA' || (target.tagName === 'INPUT' && !['checkbox', 'radio', 'button'].includes(target.type));
  if (key === 'Escape') return typing;
  if (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return true;
  if (key === ' ' && target.closest('button, summary, a, [role="tab"]')) return true;
  return ['ArrowLeft', 'ArrowRight'].includes(key) && target.closest('[role="tablist"]') !== null;
}

/**
 * The lesson card: shows step `index` of `lesson` and calls `onStep` (which makes the page match
 * the step and resolves to the run's facts in words, appended to the step's lead-in) and
 * `onEnd`. Back, Next and End are buttons; while a lesson runs, the arrow keys, PageDown and
 * PageUp and Space step from anywhere on the page (not while typing), and Escape ends it.
 */
export class LessonCard {
  constructor(ui, { onStep, onEnd }) {
    Object.assign(this, { ui, onStep, onEnd, lesson: null, index: 0 });
    ui.back.addEventListener('click', () => this.go(this.index - 1));
    ui.next.addEventListener('click', () => (this.index + 1 < this.steps.length ? this.go(this.index + 1) : this.end()));
    ui.end.addEventListener('click', () => this.end());
    document.addEventListener('keydown', (event) => this.#key(event));
  }

  /** A key anywhere while a lesson runs: steps as the buttons would (a button that waits does nothing). */
  #key(event) {
    const action = KEYS[event.key];
    if (!this.lesson || !action || event.altKey || event.ctrlKey || event.metaKey || ownKey(event.target, event.key)) return;
    event.preventDefault();
    this.ui[action].click();
  }

  get steps() {
    return LESSONS[this.lesson]?.steps ?? [];
  }

  /** Opens `lesson` at `index` (a link may name any step). */
  open(lesson, index = 0) {
    this.lesson = lesson;
    this.ui.card.hidden = false;
    return this.go(index);
  }

  async go(index) {
    this.index = Math.max(0, Math.min(index, this.steps.length - 1));
    const step = this.steps[this.index];
    this.ui.count.textContent = `${LESSONS[this.lesson].title}: step ${this.index + 1} of ${this.steps.length}`;
    this.ui.title.textContent = step.title;
    this.ui.text.textContent = step.text;
    this.ui.next.textContent = this.index + 1 < this.steps.length ? 'Next' : 'Finish';
    this.ui.card.dataset.step = String(this.index + 1);
    // While a step sets itself up (loading, training) its buttons wait, so a class never skips
    // past a race that has not finished.
    for (const button of [this.ui.back, this.ui.next]) button.disabled = true;
    this.ui.card.setAttribute('aria-busy', 'true');
    const lesson = this.lesson;
    try {
      const facts = await this.onStep(lesson, this.index, step);
      if (facts && this.lesson === lesson && this.steps[this.index] === step) this.ui.text.textContent = `${step.text} ${facts}`;
    } finally {
      this.ui.card.removeAttribute('aria-busy');
      this.ui.back.disabled = this.index === 0;
      this.ui.next.disabled = false;
    }
  }

  end() {
    if (!this.lesson) return;
    this.ui.card.hidden = true;
    this.lesson = null;
    this.onEnd();
  }
}
