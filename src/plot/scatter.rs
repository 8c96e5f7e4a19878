//! A regression's fit: per model, its predictions (across) against the actual values (up) of
//! test rows, the diagonal where they agree and the mean actual value per range of prediction
//! (a line that bends away from the diagonal where the model is off on average); under it the
//! residuals' histogram (centred on 0 when the model is unbiased; wide when it is vague).
//! Every panel has the same axes, so the models compare at a glance.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{Theme, colour, failed, font};
use crate::metrics::Scatter;
use crate::model::Mode;

/// Ticks on each axis of the scatter.
const TICKS: usize = 5;

/// Draws one panel per model on `root`.
pub(super) fn draw_scatters<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    models: &[(Mode, &Scatter)],
    theme: Theme,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(failed)?;
    let (width, _) = root.dim_in_pixel();
    let title = theme.text(20);
    let heading = "Predicted (across) against actual (up) on test rows, in the label's units; residuals below";
    root.draw(&Text::new(heading, (width as i32 / 2, 6), font(title, HPos::Center, VPos::Top))).map_err(failed)?;
    let area = root.margin(title + 16, 0, 0, 0);
    let axes = Axes::of(models);
    for (panel, &(mode, scatter)) in area.split_evenly((1, models.len().max(1))).iter().zip(models) {
        draw_panel(panel, mode, scatter, &axes, theme)?;
    }
    root.present().map_err(failed)
}

/// The ranges every panel shares: the values (both axes) and the residuals' tallest bar.
struct Axes {
    low: f64,
    high: f64,
    tallest: usize,
}

impl Axes {
    fn of(models: &[(Mode, &Scatter)]) -> Self {
        let values = models.iter().flat_map(|(_, s)| s.points.iter().flat_map(|&(p, a)| [p, a])).filter(|v| v.is_finite());
        let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (low, high) = if low < high {
            (low, high)
        } else if low.is_finite() {
            (low - 1.0, low + 1.0)
        } else {
            (0.0, 1.0)
        };
        let pad = (high - low) * 0.04;
        let tallest = models.iter().flat_map(|(_, s)| s.residuals.counts.iter().copied()).max().unwrap_or(1).max(1);
        Self { low: low - pad, high: high + pad, tallest }
    }
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, mode: Mode, s: &Scatter, axes: &Axes, theme: Theme) -> Result<(), String> {
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let label = theme.text(15) as i32;
    let m = &s.metrics;
    let name = format!("{}: RMSE {}, R² {:.3}", mode.name(), number(m.rmse, axes.high - axes.low), m.r2);
    area.draw(&Text::new(name, (width / 2, 0), font(label as u32, HPos::Center, VPos::Top))).map_err(failed)?;
    let histogram_height = (height / 6).max(label * 2);
    let top = label + 10;
    // Under the scatter: its ticks and caption (three lines), then the bars, their ticks and caption (two).
    let side = (width - label * 5 - 12).min(height - top - histogram_height - label * 6 - 24).max(40);
    let left = label * 5;
    let plot = (left, top, left + side, top + side);
    let span = axes.high - axes.low;
    let at = |p: f64, a: f64| {
        let x = plot.0 + ((p - axes.low) / span * side as f64).round().clamp(-1.0, side as f64 + 1.0) as i32;
        (x, plot.3 - ((a - axes.low) / span * side as f64).round().clamp(-1.0, side as f64 + 1.0) as i32)
    };
    let grid = RGBAColor(0, 0, 0, 0.12).stroke_width(1);
    for i in 0..TICKS {
        let v = axes.low + span * i as f64 / (TICKS - 1) as f64;
        area.draw(&PathElement::new(vec![at(axes.low, v), at(axes.high, v)], grid)).map_err(failed)?;
        area.draw(&PathElement::new(vec![at(v, axes.low), at(v, axes.high)], grid)).map_err(failed)?;
        let (x, y) = at(axes.low, v);
        area.draw(&Text::new(number(v, span), (x - 4, y), font(label as u32, HPos::Right, VPos::Center))).map_err(failed)?;
        let (x, y) = at(v, axes.low);
        let anchor = if i == 0 {
            HPos::Left
        } else if i == TICKS - 1 {
            HPos::Right
        } else {
            HPos::Center
        };
        area.draw(&Text::new(number(v, span), (x, y + 4), font(label as u32, anchor, VPos::Top))).map_err(failed)?;
    }
    let diagonal = BLACK.mix(0.5).stroke_width(theme.line(1));
    area.draw(&PathElement::new(vec![at(axes.low, axes.low), at(axes.high, axes.high)], diagonal)).map_err(failed)?;
    let dot = colour(mode).mix(0.45).filled();
    for &(p, a) in s.points.iter().filter(|(p, a)| p.is_finite() && a.is_finite()) {
        area.draw(&Circle::new(at(p, a), theme.line(2), dot)).map_err(failed)?;
    }
    let means: Vec<(i32, i32)> = s.bins.iter().filter(|b| b.rows > 0).map(|b| at(b.predicted, b.observed)).collect();
    area.draw(&PathElement::new(means.clone(), BLACK.stroke_width(theme.line(2)))).map_err(failed)?;
    for point in means {
        area.draw(&Rectangle::new([(point.0 - 3, point.1 - 3), (point.0 + 3, point.1 + 3)], BLACK.filled())).map_err(failed)?;
    }
    let (x, y) = at(axes.low + span / 2.0, axes.low);
    let caption = "predicted (■ mean actual per range)";
    area.draw(&Text::new(caption, (x, y + label + 8), font(label as u32, HPos::Center, VPos::Top))).map_err(failed)?;
    let (x, y) = at(axes.low, axes.high);
    area.draw(&Text::new("actual", (x + 4, y + 2), font(label as u32, HPos::Left, VPos::Top))).map_err(failed)?;
    let bars = (plot.0, plot.3 + label * 3 + 8, plot.2, plot.3 + label * 3 + 8 + histogram_height);
    draw_residuals(area, s, axes.tallest, bars, mode, theme)
}

/// The residuals' histogram in `(left, top, right, bottom)`, bars scaled to `tallest`.
fn draw_residuals<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &Scatter,
    tallest: usize,
    (left, top, right, bottom): (i32, i32, i32, i32),
    mode: Mode,
    theme: Theme,
) -> Result<(), String> {
    let label = theme.text(15);
    let counts = &s.residuals.counts;
    let bar = (right - left) as f64 / counts.len().max(1) as f64;
    for (i, &count) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
        let x0 = left + (i as f64 * bar).round() as i32;
        let x1 = left + ((i + 1) as f64 * bar).round() as i32 - 1;
        let y = bottom - (count as f64 / tallest as f64 * (bottom - top) as f64).round().max(1.0) as i32;
        area.draw(&Rectangle::new([(x0, y), (x1.max(x0), bottom)], colour(mode).mix(0.8).filled())).map_err(failed)?;
    }
    area.draw(&PathElement::new(vec![(left, bottom), (right, bottom)], BLACK.stroke_width(1))).map_err(failed)?;
    let middle = (left + right) / 2;
    area.draw(&PathElement::new(vec![(middle, top), (middle, bottom)], BLACK.mix(0.5).stroke_width(1))).map_err(failed)?;
    let reach = s.residuals.width * counts.len() as f64 / 2.0;
    for (x, text, anchor) in [
        (left, format!("−{}", number(reach, reach)), HPos::Left),
        (middle, "0".into(), HPos::Center),
        (right, format!("+{}", number(reach, reach)), HPos::Right),
    ] {
        area.draw(&Text::new(text, (x, bottom + 4), font(label, anchor, VPos::Top))).map_err(failed)?;
    }
    let caption = "residual: actual − predicted";
    area.draw(&Text::new(caption, (middle, bottom + label as i32 + 8), font(label, HPos::Center, VPos::Top))).map_err(failed)
}

/// `value` with as many decimals as a `span`-wide axis needs (three significant ones over it).
fn number(value: f64, span: f64) -> String {
    let decimals = if span > 0.0 && span.is_finite() { (2.0 - span.log10().floor()).clamp(0.0, 6.0) as usize } else { 2 };
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Fit, scatter};
    use crate::plot::{ModelFit, draw_fit, to_svg};

    #[test]
    fn each_model_has_its_panel_points_means_and_residuals() {
        let actual: Vec<f64> = (0..40).map(|i| 100.0 + f64::from(i)).collect();
        let joint: Vec<f64> = actual.iter().map(|a| a + 1.0).collect();
        let deep: Vec<f64> = actual.iter().map(|a| a * 0.5 + 60.0).collect();
        let models = vec![
            ModelFit { mode: Mode::Deep, fit: Fit::Scatter(scatter(&deep, &actual, 10.0)), class_weights: None },
            ModelFit { mode: Mode::Joint, fit: Fit::Scatter(scatter(&joint, &actual, 10.0)), class_weights: None },
        ];
        let svg = to_svg(1200, 480, |root| draw_fit(root, &models, Theme::default())).unwrap();
        for text in ["Predicted (across) against actual", "joint: RMSE 1.0, R² 0.99", "deep: RMSE", "residual: actual − predicted", "+30.0"]
        {
            assert!(svg.contains(text), "{text} in the picture");
        }
        // 40 points per model; the means of the 10 ranges, squares per filled range.
        assert_eq!(svg.matches("<circle").count(), 80);
        let filled: usize =
            models.iter().map(|m| if let Fit::Scatter(s) = &m.fit { s.bins.iter().filter(|b| b.rows > 0).count() } else { 0 }).sum();
        let bars: usize = models
            .iter()
            .map(|m| if let Fit::Scatter(s) = &m.fit { s.residuals.counts.iter().filter(|&&c| c > 0).count() } else { 0 })
            .sum();
        assert_eq!(svg.matches("<rect").count(), 1 + filled + bars, "the background, a square per range, a bar per residual range");
    }

    #[test]
    fn numbers_carry_the_decimals_their_axis_needs() {
        assert_eq!(number(123_456.0, 50_000.0), "123456");
        assert_eq!(number(1.23456, 4.0), "1.23");
        assert_eq!(number(0.012345, 0.05), "0.0123");
    }
}
