//! The pictures, drawn with plotters onto any backend: SVG or PNG files natively, SVG text in
//! the browser's worker. Colours are Okabe-Ito (safe for colour-blind viewers); the projector
//! theme makes text larger and lines thicker for the back of a classroom.

mod confusion;
mod cross_map;
mod curves;
mod diagram;
mod embedding;
mod fit;
mod scatter;
mod variants;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

pub use cross_map::draw_cross_map;
pub use curves::draw_curves;
pub use diagram::{CrossSpot, cross_spots, draw_diagram};
pub use embedding::draw_embedding_maps;
pub use fit::{ModelFit, draw_fit};
pub use variants::draw_variants;

use crate::insight::{CrossMap, Diagram, EmbeddingMap};
use crate::model::Mode;
use crate::train::ModelRun;

/// Any of the pictures, with its data: what the browser's worker hands over to be drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Picture {
    /// Learning curves of every model.
    Curves(Vec<ModelRun>),
    /// Two columns' grid: observed rates and each model's predictions.
    CrossMap(CrossMap),
    /// One column's embeddings, per model with a deep part.
    Embedding(Vec<EmbeddingMap>),
    /// The model as boxes and arrows.
    Diagram(Diagram),
    /// How each model's test predictions fit the labels: reliability diagrams, predicted
    /// against actual, or confusion matrices, by task.
    Fit(Vec<ModelFit>),
    /// A race of variants: each run's validation score per epoch, coloured by variant.
    Variants(Vec<crate::sweep::Score>),
}

impl Picture {
    /// Draws the picture on `root`.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, plotters::coord::Shift>, theme: Theme) -> Result<(), String> {
        match self {
            Self::Curves(runs) => draw_curves(root, runs, theme),
            Self::CrossMap(map) => draw_cross_map(root, map, theme),
            Self::Embedding(maps) => draw_embedding_maps(root, maps, theme),
            Self::Diagram(diagram) => draw_diagram(root, diagram, theme),
            Self::Fit(models) => draw_fit(root, models, theme),
            Self::Variants(scores) => draw_variants(root, scores, theme),
        }
    }

    /// The picture as SVG text of `width × height` pixels; a `height` of 0 asks for the
    /// picture's [`Picture::natural_height`].
    pub fn svg(&self, width: u32, height: u32, theme: Theme) -> Result<String, String> {
        let height = if height == 0 { self.natural_height(width, theme) } else { height };
        to_svg(width, height, |root| self.draw(root, theme))
    }

    /// The height at which the picture, `width` wide, fills its area: the cross map sized to its
    /// grid (square cells, none squeezed), the others two fifths of the width.
    pub fn natural_height(&self, width: u32, theme: Theme) -> u32 {
        match self {
            Self::CrossMap(map) => cross_map::natural_height(map, width, theme),
            _ => width * 2 / 5,
        }
    }
}

/// How large text and lines are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Theme {
    /// The projector view: text half as large again, lines thicker.
    pub projector: bool,
}

impl Theme {
    /// A font size for this theme.
    pub fn text(self, size: u32) -> u32 {
        if self.projector { size * 3 / 2 } else { size }
    }

    /// A line width for this theme.
    pub fn line(self, width: u32) -> u32 {
        if self.projector { width * 2 } else { width }
    }
}

/// The colour of each model, the same in every chart and in the page's legend.
pub fn colour(mode: Mode) -> RGBColor {
    match mode {
        Mode::Wide => RGBColor(0xE6, 0x9F, 0x00),
        Mode::Deep => RGBColor(0x00, 0x72, 0xB2),
        Mode::Joint => RGBColor(0x00, 0x9E, 0x73),
    }
}

/// A probability as a colour: Okabe-Ito blue at 0, white at 0.5, vermillion at 1 (a diverging
/// scale that colour-blind viewers read too).
pub fn probability_colour(p: f64) -> RGBColor {
    const LOW: (f64, f64, f64) = (0.0, 114.0, 178.0);
    const HIGH: (f64, f64, f64) = (213.0, 94.0, 0.0);
    let p = if p.is_finite() { p.clamp(0.0, 1.0) } else { 0.5 };
    let (end, t) = if p < 0.5 { (LOW, 1.0 - 2.0 * p) } else { (HIGH, 2.0 * p - 1.0) };
    let mix = |c: f64| (255.0 + (c - 255.0) * t).round() as u8;
    RGBColor(mix(end.0), mix(end.1), mix(end.2))
}

/// The colour of cells and points with too little data to show.
pub const NO_DATA: RGBColor = RGBColor(0xD9, 0xD9, 0xD9);

/// A sans-serif text style of `size` pixels, anchored at `h`, `v`.
fn font(size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&BLACK).pos(Pos::new(h, v))
}

/// The em of a text of plotters' `size`, in pixels: plotters draws `size / 1.24` pixels to the em
/// (in SVG and PNG alike).
fn em(size: u32) -> f64 {
    size as f64 / 1.24
}

/// How wide `count` characters are at an em of `em` pixels, estimated: a character of DejaVu
/// Sans, the widest common sans-serif face, averages 0.6 em. plotters cannot measure text in the
/// browser's worker (its web fonts need a document), so the layouts that must fit their text use this.
fn width_in(count: usize, em: f64) -> f64 {
    count as f64 * em * 0.6
}

/// A text's width in pixels at plotters' `size` (see [`width_in`]).
fn text_width(text: &str, size: u32) -> i32 {
    width_in(text.chars().count(), em(size)).ceil() as i32
}

/// `text` cut to fit `room` pixels at plotters' `size`, ending in "…" where it was cut.
fn clipped(text: &str, room: i32, size: u32) -> String {
    if text_width(text, size) <= room {
        return text.to_string();
    }
    // The estimate depends on the count of characters alone, the "…" one of them.
    let fits = |count: usize| width_in(count, em(size)).ceil() as i32 <= room;
    let kept = (0..text.chars().count()).rev().find(|&n| fits(n + 1)).unwrap_or(0);
    format!("{}…", text.chars().take(kept).collect::<String>())
}

/// A rectangle's outline drawn as a closed path: SVG rectangles from plotters ignore the stroke
/// width, paths keep it.
fn outline<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    from: (i32, i32),
    to: (i32, i32),
    style: ShapeStyle,
) -> Result<(), String> {
    let (x0, y0, x1, y1) = (from.0, from.1, to.0, to.1);
    root.draw(&PathElement::new(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)], style)).map_err(failed)
}

/// A drawing error as the plain message the surfaces show.
fn failed<E: std::error::Error + Send + Sync>(error: DrawingAreaErrorKind<E>) -> String {
    error.to_string()
}

/// Draws `draw` onto an SVG of `width × height` pixels and returns its text.
pub fn to_svg(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<(), String>,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw(&root)?;
        root.present().map_err(failed)?;
    }
    Ok(svg)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Natively, plotters measures text with a registered font: the bundled one. (In wasm the
    /// browser measures; these tests run natively.)
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn fonts() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let font: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
            plotters::style::register_font("sans-serif", FontStyle::Normal, font).unwrap_or_else(|_| panic!("the bundled font loads"));
        });
    }

    #[cfg(target_family = "wasm")]
    pub(crate) fn fonts() {}

    /// A number attribute of an SVG element's tag (`tag` is what follows the element's name).
    pub(crate) fn svg_number(tag: &str, name: &str) -> Option<f64> {
        let tag = format!(" {tag}");
        let start = tag.find(&format!(" {name}=\"")).map(|i| i + name.len() + 3)?;
        tag[start..].split('"').next()?.parse().ok()
    }

    #[test]
    fn text_is_clipped_to_its_room() {
        // At size 62 the em is 50 px and a character 30 px.
        assert_eq!(clipped("short", 150, 62), "short");
        assert_eq!(clipped("longer words", 150, 62), "long…");
        assert_eq!(clipped("abc", 10, 62), "…");
    }

    #[test]
    fn the_probability_scale_is_diverging_around_white() {
        assert_eq!(probability_colour(0.5), RGBColor(255, 255, 255));
        assert_eq!(probability_colour(0.0), RGBColor(0, 114, 178));
        assert_eq!(probability_colour(1.0), RGBColor(213, 94, 0));
        assert_eq!(probability_colour(f64::NAN), RGBColor(255, 255, 255));
        let RGBColor(r, g, b) = probability_colour(0.75);
        assert_eq!((r, g, b), (234, 175, 128));
    }
}
