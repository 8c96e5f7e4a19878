// Learning curves drawn by the crate's plotters code on the page's canvas (a second, main-thread
// instance of the wasm module: drawing is cheap, training stays in the worker).
import init, { drawCurves, curvesSvg } from './pkg/widedeep.js';

const ready = init();

/** Sizes the canvas to its box (sharp on any screen, stacked panels on a phone) and draws. */
export async function draw(canvas, runs) {
  await ready;
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(320, Math.round(canvas.clientWidth * ratio));
  const narrow = canvas.clientWidth < 700;
  const height = Math.round((narrow ? canvas.clientWidth * 2.2 : Math.min(420, canvas.clientWidth * 0.34)) * ratio);
  if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
  drawCurves(canvas, runs);
}

export async function svg(runs) {
  await ready;
  return curvesSvg(runs, 1500, 480);
}
