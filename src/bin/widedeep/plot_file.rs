//! Saving curves as SVG or PNG files.

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;
use widedeep::plot::{Picture, Theme};
use widedeep::train::ModelRun;

const SIZE: (u32, u32) = (1500, 480);
/// DejaVu Sans (free licence, see assets/fonts): laying out text needs a font file, and fonts from the
/// system would make the output depend on the machine.
const FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

enum Format {
    Svg,
    Png,
}

/// Rejects an unknown extension before any training time is spent.
pub fn check(path: &Path) -> Result<(), String> {
    format(path).map(|_| ())
}

fn format(path: &Path) -> Result<Format, String> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("svg") => Ok(Format::Svg),
        Some("png") => Ok(Format::Png),
        _ => Err(format!("--plot {}: use a .svg or .png file name", path.display())),
    }
}

pub fn save(path: &Path, runs: &[ModelRun]) -> Result<(), String> {
    let fail = |e: String| format!("cannot draw {}: {e}", path.display());
    static FONTS: Once = Once::new();
    FONTS.call_once(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).unwrap_or_else(|_| panic!("the bundled font is valid"))
    });
    let picture = Picture::Curves(runs.to_vec());
    match format(path)? {
        Format::Svg => picture.draw(&SVGBackend::new(path, SIZE).into_drawing_area(), Theme::default()).map_err(fail),
        Format::Png => picture.draw(&BitMapBackend::new(path, SIZE).into_drawing_area(), Theme::default()).map_err(fail),
    }
}
