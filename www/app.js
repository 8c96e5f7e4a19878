// The playground's start: it wires the page's controllers (data, race, pictures, lessons,
// sharing) to their controls and boots the engine worker, the link's settings and the data. The
// page never loads the engine's module: the worker does. The page's state is page-state.js's.
import { $ } from './dom.js';
import { LABELS, readHash, shown, useCoreDefaults } from './state.js';
import { base, engine, explain, page, racers, say, ui } from './page-state.js';
import { bindData, fillChoices, refreshAnalysis, renderData, save, showBackend, syncInputs } from './data.js';
import { bindPictures, pictureTimes, setupPictures } from './picture-control.js';
import { bindRace, setPhase } from './race-control.js';
import { bindLoading, loadPreset } from './loading.js';
import { bindLessons, leaveLesson, lesson, setProjector } from './lesson-control.js';
import { bindSharing, checkLink } from './sharing.js';
import { bindVariants } from './variants.js';

/**
 * For the console, the tests and the benchmark: the race's workers, each set of pictures' times
 * (see picture-control.js), and the page's state (what the pictures on screen were drawn from).
 */
window.playground = { racers, pictureTimes, page };

/** Wires every control to its controller, and the two links that move about the page. */
function bind() {
  bindLoading(leaveLesson);
  bindData();
  bindRace();
  bindPictures();
  bindLessons();
  bindSharing();
  bindVariants();
  $('#settings-link').addEventListener('click', () => { $('#settings').scrollIntoView({ block: 'start' }); $('#settings').focus({ preventScroll: true }); });
  $('#back-to-top').addEventListener('click', () => { window.scrollTo(0, 0); ui.preset.focus(); });
}

/**
 * Starts the engine with the link's backend, reads the link's settings over the core's defaults
 * (saying which it could not use), loads the data, repairs a link that breaks the engine, and
 * opens the link's lesson step.
 */
async function boot() {
  fillChoices();
  setupPictures();
  // The link's backend choice is read before the defaults exist: a hash over no base.
  const preference = readHash(location.hash, () => ({})).backend ?? 'auto';
  let ready;
  try {
    ready = await engine.start(preference);
  } catch (error) {
    ui.backend.textContent = `The engine failed to start: ${explain(error)}`;
    return;
  }
  useCoreDefaults(ready.defaults);
  const rejected = [];
  page.state = readHash(location.hash, base, (key, value, rule) => rejected.push([key, value, rule]));
  const unread = rejected.map(([key, value, rule]) => `${LABELS[key]} ${shown(key, value)} could not be used (it must be ${rule}): back to the default ${shown(key, page.state[key])}.`);
  bind();
  syncInputs();
  setPhase('idle');
  showBackend(ready.backend);
  setProjector(page.state.projector === '1');
  const fromLink = location.hash.length > 1 && page.state.preset !== 'upload';
  await loadPreset(page.state.preset === 'upload' ? 'adult' : page.state.preset, fromLink);
  const repaired = fromLink && page.schema ? await checkLink() : [];
  if (repaired.length) {
    save();
    renderData();
    await refreshAnalysis();
  }
  if (unread.length || repaired.length) say([...unread, ...repaired].join(' '), true);
  document.body.dataset.ready = 'true';
  if (page.state.lesson) await lesson.open(page.state.lesson, page.state.step - 1);
}

boot();
