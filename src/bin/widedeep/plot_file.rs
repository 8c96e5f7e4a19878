//! Saving pictures (the curves, the fit) as SVG or PNG files.

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;
use widedeep::plot::{Picture, Theme};

/// The curves' size: three panels side by side.
pub const CURVES: (u32, u32) = (1500, 480);
/// The fit's size: a reliability diagram and its legend, or a panel per model.
pub const FIT: (u32, u32) = (1200, 560);
/// DejaVu Sans (free licence, see assets/fonts): laying out text needs a font file, and fonts from the
/// system would make the output depend on the machine.
const FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

enum Format {
    Svg,
    Png,
}

/// Rejects an unknown extension before any training time is spent, naming the `flag` it came with.
pub fn check(path: &Path, flag: &str) -> Result<(), String> {
    format(path, flag).map(|_| ())
}

fn format(path: &Path, flag: &str) -> Result<Format, String> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("svg") => Ok(Format::Svg),
        Some("png") => Ok(Format::Png),
        _ => Err(format!("{flag} {}: use a .svg or .png file name", path.display())),
    }
}

/// Draws `picture` at `size` into `path` (checked with [`check`] first).
pub fn save(path: &Path, picture: &Picture, size: (u32, u32)) -> Result<(), String> {
    let fail = |e: String| format!("cannot draw {}: {e}", path.display());
    static FONTS: Once = Once::new();
    FONTS.call_once(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).unwrap_or_else(|_| panic!("the bundled font is valid"))
    });
    match format(path, "")? {
        Format::Svg => picture.draw(&SVGBackend::new(path, size).into_drawing_area(), Theme::default()).map_err(fail),
        Format::Png => picture.draw(&BitMapBackend::new(path, size).into_drawing_area(), Theme::default()).map_err(fail),
    }
}
