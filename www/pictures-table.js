// The pictures table: every picture the engine draws, in one place, for the page and the worker
// alike (the worker imports it too). A new picture is a row here, its <img> in index.html, and
// its request in the view the page sends (picture-control.js). A picture of each model's data
// (`perModel`) needs no more: the worker asks every engine for it, the race merges it and the
// page shows it with its text alternative (pictures.js's `TEXTS`).

/**
 * Per picture, by the engine's kind (`pictureSvg`'s): the id of its <img>, the size it is drawn
 * at (SVG: it scales to any screen or projector; a height of 0 is the engine's natural height,
 * the cross map's square cells sized to its grid), the sentence shown until it is drawn, and the
 * name its downloads take. `perModel`: the engine's method giving each of a worker's models'
 * data for the picture (`[{mode, …}]`), drawn from every worker's, in the models' order; `text`:
 * the id of the element that says the same in words (filled by pictures.js's `TEXTS[kind]`).
 */
export const PICTURES = {
  curves: { img: 'curves', width: 1200, height: 380, placeholder: 'The learning curves appear once a race has finished its first epoch.', file: 'widedeep-curves' },
  diagram: { img: 'diagram', width: 1200, height: 330, placeholder: "The model's diagram appears once the data is read.", file: 'widedeep-diagram' },
  cross_map: { img: 'cross-map', width: 1200, height: 0, placeholder: 'The cross map appears once a race has finished its first epoch.', file: 'widedeep-cross-map' },
  fit: { img: 'fit', width: 1200, height: 0, placeholder: 'How the predictions fit the labels appears once a race has finished its first epoch.', file: 'widedeep-fit', perModel: 'fits', text: 'fit-table' },
  variants: { img: 'variants-curves', width: 800, height: 360, placeholder: 'The variants\' curves appear as their first runs end.', file: 'widedeep-variants' },
  embedding: { img: 'embedding-map', width: 1200, height: 480, placeholder: 'The embedding map appears once a race has finished its first epoch.', file: 'widedeep-embedding-map' },
};

/** Each picture's <img>, by kind: the page looks its elements up here, never by a list of its own. */
export const pictureImages = () => Object.fromEntries(Object.entries(PICTURES).map(([kind, p]) => [kind, document.getElementById(p.img)]));

/** The pictures drawn from each model's data (`perModel`), by kind. */
export const PER_MODEL = Object.keys(PICTURES).filter((kind) => PICTURES[kind].perModel);
