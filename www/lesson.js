// Guided lessons: a few steps that each set up what they need (data, crosses, a trained race, a
// picture) and point at the panel to look at. The steps are data; the controller in app.js
// knows how to make the page match a step's `needs`.

const MEMORIZE_CROSS = [['city', 'product']];

/**
 * Each step: a title, what to say, the panel to point at, and what the page must show first:
 * `preset`, `crosses` (a list, or 'preset' for the preset's own), `trained` (a finished Compare
 * race of these settings), `map` (the cross map's two columns), `embedding` (a column),
 * `weights` (the model whose named weights to list).
 */
export const LESSONS = {
  memorize: {
    title: 'Memorize vs generalize',
    steps: [
      {
        title: 'A rule with exceptions',
        text: 'Whether a product sells in a city mostly follows a smooth rule: a city\'s taste meets a product\'s style. But 24 popular city × product pairs break the rule. Which part of the model can learn what?',
        target: '#data-panel',
        needs: { preset: 'memorize', crosses: 'preset' },
      },
      {
        title: 'Race the three models, with the city × product cross',
        text: 'Wide, deep and joint train on the same rows. Watch the curves: joint should end on top. The race starts now.',
        target: '#race-panel',
        needs: { preset: 'memorize', crosses: MEMORIZE_CROSS, trained: true },
      },
      {
        title: 'Read the cross map',
        text: 'Each cell is a city × product pair. The outlined cells are where the data (left) departs from what the deep part predicts: the exceptions it smooths away. Compare them in the wide and joint panels.',
        target: '#cross-map-figure',
        needs: { preset: 'memorize', crosses: MEMORIZE_CROSS, trained: true, map: ['city', 'product'] },
      },
      {
        title: 'Find them by name',
        text: 'The wide part\'s largest weights read like "city=city_10 × product=product_03": the exception pairs, memorized one weight each.',
        target: '#weights',
        needs: { preset: 'memorize', crosses: MEMORIZE_CROSS, trained: true, weights: 'joint' },
      },
      {
        title: 'Switch the cross off and race again',
        text: 'Without the cross the wide part can only weigh each city and each product alone. The race starts again.',
        target: '#race-panel',
        needs: { preset: 'memorize', crosses: [], trained: true },
      },
      {
        title: 'The exceptions are lost',
        text: 'The joint panel now looks like the deep one: the outlined cells are smoothed over, and the AUC fell. Memorization needs the cross; generalization needs the embeddings; joint gets both.',
        target: '#cross-map-figure',
        needs: { preset: 'memorize', crosses: [], trained: true, map: ['city', 'product'] },
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
      },
      {
        title: 'What the deep part learned about jobs',
        text: 'Each occupation is a point; its place comes from the deep part\'s embedding. Jobs with similar incomes drift together: that is generalization.',
        target: '#embedding-figure',
        needs: { preset: 'adult', crosses: 'preset', trained: true, embedding: 'occupation' },
      },
      {
        title: 'Where a cross helps',
        text: 'Education × occupation: the outlined cells are combinations the deep part gets wrong, and the education × occupation cross lets the wide part fix.',
        target: '#cross-map-figure',
        needs: { preset: 'adult', crosses: 'preset', trained: true, map: ['education', 'occupation'] },
      },
      {
        title: 'Who does the work?',
        text: 'The diagram shows how much each part moves the joint model\'s logit on average. Both matter.',
        target: '#diagram-figure',
        needs: { preset: 'adult', crosses: 'preset', trained: true },
      },
    ],
  },
};

/**
 * The lesson card: shows step `index` of `lesson`, moves focus to it, and calls `onStep` (which
 * makes the page match the step) and `onEnd`. Back, Next and End are buttons; in the card the
 * arrow keys step too, and Escape ends the lesson.
 */
export class LessonCard {
  constructor(ui, { onStep, onEnd }) {
    Object.assign(this, { ui, onStep, onEnd, lesson: null, index: 0 });
    ui.back.addEventListener('click', () => this.go(this.index - 1));
    ui.next.addEventListener('click', () => (this.index + 1 < this.steps.length ? this.go(this.index + 1) : this.end()));
    ui.end.addEventListener('click', () => this.end());
    ui.card.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.end();
      else if (event.key === 'ArrowRight' && event.target.tagName !== 'BUTTON') this.ui.next.click();
      else if (event.key === 'ArrowLeft' && event.target.tagName !== 'BUTTON') this.ui.back.click();
    });
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
    this.ui.card.focus();
    // While a step sets itself up (loading, training) its buttons wait, so a class never skips
    // past a race that has not finished.
    for (const button of [this.ui.back, this.ui.next]) button.disabled = true;
    this.ui.card.setAttribute('aria-busy', 'true');
    try {
      await this.onStep(this.lesson, this.index, step);
    } finally {
      this.ui.card.removeAttribute('aria-busy');
      this.ui.back.disabled = this.index === 0;
      this.ui.next.disabled = false;
    }
  }

  end() {
    this.ui.card.hidden = true;
    this.lesson = null;
    this.onEnd();
  }
}
