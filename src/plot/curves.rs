//! Learning curves: log-loss, test AUC and test accuracy per epoch, one colour per model (for a
//! regression: the squared error, test R² and test RMSE).
//!
//! Laid out by hand with fixed text positions, not with plotters' chart builder: the builder
//! measures text, which in the browser needs a `document`, and the pictures are drawn in a worker.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{Theme, colour, failed, font};
use crate::train::{EpochRecord, ModelRun};

/// Ticks on the value axis.
const Y_TICKS: usize = 5;

/// Draws three panels: log-loss (train dashed, test solid), test AUC and test accuracy, per
/// epoch; side by side on a wide area, stacked on a narrow one (a phone).
pub fn draw_curves<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, runs: &[ModelRun], theme: Theme) -> Result<(), String> {
    root.fill(&WHITE).map_err(failed)?;
    let (width, height) = root.dim_in_pixel();
    let areas = if width >= height { root.split_evenly((1, 3)) } else { root.split_evenly((3, 1)) };
    let epochs = runs.iter().map(|r| r.epochs.len()).max().unwrap_or(0).max(1);
    let values = |f: fn(&EpochRecord) -> f64| runs.iter().flat_map(move |r| r.epochs.iter().map(f)).collect::<Vec<f64>>();
    let losses: Vec<f64> = values(|e| e.train_loss).into_iter().chain(values(|e| e.test_loss)).collect();
    let loss_series: [Series; 2] = [(|e| e.train_loss, true), (|e| e.test_loss, false)];
    let regression = runs.iter().flat_map(|r| &r.epochs).any(|e| e.test_regression.is_some());
    let panels = if regression {
        let r2: fn(&EpochRecord) -> f64 = |e| e.test_regression.map_or(f64::NAN, |r| r.test_r2);
        let rmse: fn(&EpochRecord) -> f64 = |e| e.test_regression.map_or(f64::NAN, |r| r.test_rmse);
        [
            Panel {
                title: "Loss on standard scores (train dashed, test solid)",
                y: bounds(&losses, 0.0, 1.0),
                series: &loss_series,
                legend: true,
            },
            Panel { title: "Test R²", y: bounds(&values(r2), 0.0, 1.0), series: &[(r2, false)], legend: false },
            Panel { title: "Test RMSE (the label's units)", y: bounds(&values(rmse), 0.0, 1.0), series: &[(rmse, false)], legend: false },
        ]
    } else {
        let multiclass = runs.iter().flat_map(|r| &r.epochs).any(|e| e.test_confusion.is_some());
        [
            Panel { title: "Log-loss (train dashed, test solid)", y: bounds(&losses, 0.0, 1.0), series: &loss_series, legend: true },
            Panel {
                title: if multiclass { "Test macro AUC (each class against the rest)" } else { "Test ROC AUC" },
                y: bounds(&values(|e| e.test_auc), 0.5, 1.0),
                series: &[(|e| e.test_auc, false)],
                legend: false,
            },
            Panel {
                title: "Test accuracy",
                y: bounds(&values(|e| e.test_accuracy), 0.5, 1.0),
                series: &[(|e| e.test_accuracy, false)],
                legend: false,
            },
        ]
    };
    for (area, panel) in areas.iter().zip(&panels) {
        draw_panel(area, panel, epochs, runs, theme)?;
    }
    root.present().map_err(failed)
}

/// A value to plot per epoch, and whether its line is dashed.
type Series = (fn(&EpochRecord) -> f64, bool);

/// One chart: its title, y range, lines, and whether it carries the legend (one serves all).
struct Panel<'a> {
    title: &'a str,
    y: std::ops::Range<f64>,
    series: &'a [Series],
    legend: bool,
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    epochs: usize,
    runs: &[ModelRun],
    theme: Theme,
) -> Result<(), String> {
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let (label, title) = (theme.text(15) as i32, theme.text(20) as i32);
    let (left, right, top, bottom) = (label * 4, 14, title + 16, label * 3 + 6);
    let plot = (left, top, (width - right).max(left + 10), (height - bottom).max(top + 10));
    area.draw(&Text::new(panel.title, (width / 2, 6), font(title as u32, HPos::Center, VPos::Top))).map_err(failed)?;
    let grid = RGBAColor(0, 0, 0, 0.12).stroke_width(1);
    let x_at = |epoch: f64| plot.0 + ((epoch - 0.8) / (epochs as f64 + 0.2 - 0.8) * (plot.2 - plot.0) as f64).round() as i32;
    let (lo, hi) = (panel.y.start, panel.y.end);
    let y_at = |value: f64| plot.3 - ((value - lo) / (hi - lo) * (plot.3 - plot.1) as f64).round() as i32;
    for i in 0..Y_TICKS {
        let value = lo + (hi - lo) * i as f64 / (Y_TICKS - 1) as f64;
        let y = y_at(value);
        area.draw(&PathElement::new(vec![(plot.0, y), (plot.2, y)], grid)).map_err(failed)?;
        area.draw(&Text::new(format!("{value:.3}"), (plot.0 - 6, y), font(label as u32, HPos::Right, VPos::Center))).map_err(failed)?;
    }
    let step = epochs.div_ceil(10).max(1);
    for epoch in (1..=epochs).filter(|e| (e - 1) % step == 0 || *e == epochs) {
        let x = x_at(epoch as f64);
        area.draw(&PathElement::new(vec![(x, plot.3), (x, plot.3 + 5)], BLACK.stroke_width(1))).map_err(failed)?;
        area.draw(&Text::new(epoch.to_string(), (x, plot.3 + 8), font(label as u32, HPos::Center, VPos::Top))).map_err(failed)?;
    }
    let axes = vec![(plot.0, plot.1), (plot.0, plot.3), (plot.2, plot.3)];
    area.draw(&PathElement::new(axes, BLACK.stroke_width(1))).map_err(failed)?;
    area.draw(&Text::new("epoch", ((plot.0 + plot.2) / 2, plot.3 + label + 12), font(label as u32, HPos::Center, VPos::Top)))
        .map_err(failed)?;
    // Ghosts first, so the current run is drawn over the previous one.
    for run in runs.iter().filter(|r| r.ghost).chain(runs.iter().filter(|r| !r.ghost)) {
        let ink = ink(run);
        for &(value, dashed) in panel.series {
            let points: Vec<(i32, i32)> = run
                .epochs
                .iter()
                .map(|e| (e.epoch as f64, value(e)))
                .filter(|p| p.1.is_finite())
                .map(|(e, v)| (x_at(e), y_at(v)))
                .collect();
            let style = ink.stroke_width(theme.line(if dashed || run.ghost { 2 } else { 3 }));
            if dashed {
                for dash in points.windows(2).flat_map(|pair| dashes(pair[0], pair[1], 8, 5)) {
                    area.draw(&PathElement::new(dash.to_vec(), style)).map_err(failed)?;
                }
            } else {
                area.draw(&PathElement::new(points.clone(), style)).map_err(failed)?;
                for &p in points.iter().filter(|_| !run.ghost) {
                    area.draw(&Circle::new(p, theme.line(4), ink.filled())).map_err(failed)?;
                }
                // The epoch kept (the best on the validation rows): ringed in black.
                let kept = run.best_epoch.and_then(|best| run.epochs.iter().find(|e| e.epoch == best)).filter(|_| !run.ghost);
                if let Some(e) = kept.filter(|e| value(e).is_finite()) {
                    let ring = BLACK.stroke_width(theme.line(2));
                    area.draw(&Circle::new((x_at(e.epoch as f64), y_at(value(e))), theme.line(8), ring)).map_err(failed)?;
                }
            }
        }
    }
    if panel.legend {
        for (i, run) in runs.iter().enumerate() {
            let y = plot.1 + 8 + i as i32 * (label + 8);
            let x = plot.2 - label * if run.ghost { 8 } else { 5 };
            let name = if run.ghost { format!("{} (before)", run.mode.name()) } else { run.mode.name().to_string() };
            area.draw(&Rectangle::new([(x, y - 4), (x + 22, y + 4)], ink(run).filled())).map_err(failed)?;
            area.draw(&Text::new(name, (x + 28, y), font(theme.text(16), HPos::Left, VPos::Center))).map_err(failed)?;
        }
    }
    Ok(())
}

/// A run's colour: its model's, faint for a previous run.
fn ink(run: &ModelRun) -> RGBAColor {
    let alpha = if run.ghost { GHOST_ALPHA } else { 1.0 };
    colour(run.mode).mix(alpha)
}

/// How strongly a previous run's lines show: visible, clearly behind the current run.
const GHOST_ALPHA: f64 = 0.35;

/// The dashes of a dashed segment from `a` to `b`: `on` pixels drawn, `off` skipped.
fn dashes(a: (i32, i32), b: (i32, i32), on: i32, off: i32) -> Vec<[(i32, i32); 2]> {
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let length = (dx * dx + dy * dy).sqrt();
    let at = |d: f64| (a.0 + (dx * d / length).round() as i32, a.1 + (dy * d / length).round() as i32);
    let starts = (0..).map(|i| (i * (on + off)) as f64).take_while(|&d| d < length);
    starts.map(|d| [at(d), at((d + on as f64).min(length))]).collect()
}

/// A y range around the finite values, padded a little, or `low..high` if there are none.
pub(super) fn bounds(values: &[f64], low: f64, high: f64) -> std::ops::Range<f64> {
    let (lo, hi) = values.iter().filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        return low..high;
    }
    let pad = ((hi - lo) * 0.08).max(0.005);
    lo - pad..hi + pad
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Mode;
    use crate::plot::to_svg;

    fn record(epoch: usize, auc: f64) -> EpochRecord {
        EpochRecord {
            epoch,
            train_loss: 0.5,
            test_loss: 0.45,
            test_auc: auc,
            test_accuracy: 0.8,
            test_brier: 0.15,
            test_ece: 0.02,
            seconds: 1.0,
            wide_zero_share: None,
            validation_auc: None,
            validation_r2: None,
            test_regression: None,
            test_confusion: None,
            learning_rate: 0.001,
            samples_per_second: 1e5,
        }
    }

    #[test]
    fn the_kept_epoch_is_ringed_in_every_solid_series() {
        let mut run = ModelRun::new(Mode::Joint, vec![record(1, 0.8), record(2, 0.86), record(3, 0.84)]);
        let plain = to_svg(1200, 380, |root| draw_curves(root, std::slice::from_ref(&run), Theme::default())).unwrap();
        run.best_epoch = Some(2);
        let ringed = to_svg(1200, 380, |root| draw_curves(root, &[run], Theme::default())).unwrap();
        // Solid series: test loss, AUC, accuracy: one ring each.
        assert_eq!(ringed.matches("<circle").count(), plain.matches("<circle").count() + 3);
        assert!(ringed.contains("stroke=\"#000000\""));
    }

    #[test]
    fn three_panels_with_a_line_per_model_and_a_legend() {
        let runs: Vec<ModelRun> =
            Mode::ALL.iter().map(|&mode| ModelRun::new(mode, vec![record(1, 0.8), record(2, 0.85), record(3, 0.86)])).collect();
        let svg = to_svg(1200, 380, |root| draw_curves(root, &runs, Theme::default())).unwrap();
        for text in ["Log-loss (train dashed, test solid)", "Test ROC AUC", "Test accuracy", "wide", "deep", "joint", "epoch"] {
            assert!(svg.contains(text), "{text}");
        }
        let RGBColor(r, g, b) = colour(Mode::Joint);
        assert!(svg.contains(&format!("stroke=\"#{r:02X}{g:02X}{b:02X}\" stroke-width=\"3\"")), "joint's solid lines");
        assert_eq!(dashes((0, 0), (30, 0), 8, 5), [[(0, 0), (8, 0)], [(13, 0), (21, 0)], [(26, 0), (30, 0)]]);
    }

    #[test]
    fn a_regression_draws_its_own_figures() {
        let mut records = vec![record(1, f64::NAN), record(2, f64::NAN)];
        for (i, r) in records.iter_mut().enumerate() {
            r.test_regression =
                Some(crate::train::RegressionRecord { test_rmse: 30.0 - i as f64, test_mae: 20.0, test_r2: 0.9 + 0.01 * i as f64 });
        }
        let svg = to_svg(1200, 380, |root| draw_curves(root, &[ModelRun::new(Mode::Joint, records)], Theme::default())).unwrap();
        for text in ["Loss on standard scores", "Test R²", "Test RMSE (the label&apos;s units)", "29.", "0.91"] {
            assert!(svg.contains(text), "{text}");
        }
        assert!(!svg.contains("AUC") && !svg.contains("accuracy"));
    }

    #[test]
    fn a_previous_run_is_drawn_faint_and_named_before() {
        let now = ModelRun::new(Mode::Joint, vec![record(1, 0.8), record(2, 0.85)]);
        let before = ModelRun { ghost: true, ..ModelRun::new(Mode::Joint, vec![record(1, 0.7), record(2, 0.75)]) };
        let svg = to_svg(1200, 380, |root| draw_curves(root, &[now.clone(), before.clone()], Theme::default())).unwrap();
        assert!(svg.contains("joint (before)"));
        assert!(svg.contains(&format!("opacity=\"{GHOST_ALPHA}\"")), "faint lines");
        let alone = to_svg(1200, 380, |root| draw_curves(root, &[now], Theme::default())).unwrap();
        assert!(!alone.contains("(before)") && !alone.contains(&format!("opacity=\"{GHOST_ALPHA}\"")));
        let json = serde_json::to_value(&before).unwrap();
        assert_eq!(json["ghost"], true);
        let parsed: ModelRun = serde_json::from_value(serde_json::json!({"mode": "joint", "epochs": []})).unwrap();
        assert!(!parsed.ghost, "a run without the key is the current one");
    }
}
