//! Learning curves drawn with plotters onto any backend: SVG or PNG files natively, a
//! `<canvas>` in the browser. Colours are Okabe-Ito (safe for colour-blind viewers) and text is
//! large enough for a projector.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::model::Mode;
use crate::train::ModelRun;

/// The colour of each model, the same in every chart and in the page's legend.
pub fn colour(mode: Mode) -> RGBColor {
    match mode {
        Mode::Wide => RGBColor(0xE6, 0x9F, 0x00),
        Mode::Deep => RGBColor(0x00, 0x72, 0xB2),
        Mode::Joint => RGBColor(0x00, 0x9E, 0x73),
    }
}

/// Draws two panels side by side: log-loss (train dashed, test solid) and test AUC, per epoch.
pub fn draw_curves<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, runs: &[ModelRun]) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (left, right) = root.split_horizontally(root.dim_in_pixel().0 / 2);
    let epochs = runs.iter().map(|r| r.epochs.len()).max().unwrap_or(0).max(1);
    let losses = runs.iter().flat_map(|r| r.epochs.iter().flat_map(|e| [e.train_loss, e.test_loss]));
    let (lo, hi) = bounds(losses, 0.0, 1.0);
    let loss_series: [Series; 2] = [(|e| e.train_loss, true), (|e| e.test_loss, false)];
    let loss =
        Panel { title: "Log-loss (train dashed, test solid)", y: lo..hi, series: &loss_series, legend: SeriesLabelPosition::UpperRight };
    draw_panel(&left, &loss, epochs, runs)?;
    let aucs = runs.iter().flat_map(|r| r.epochs.iter().map(|e| e.test_auc));
    let (lo, hi) = bounds(aucs, 0.5, 1.0);
    let auc = Panel { title: "Test ROC AUC", y: lo..hi, series: &[(|e| e.test_auc, false)], legend: SeriesLabelPosition::LowerRight };
    draw_panel(&right, &auc, epochs, runs)?;
    root.present().map_err(|e| e.to_string())
}

/// A value to plot per epoch, and whether its line is dashed.
type Series = (fn(&crate::train::EpochRecord) -> f64, bool);

/// One chart: its title, y range, lines and legend corner.
struct Panel<'a> {
    title: &'a str,
    y: std::ops::Range<f64>,
    series: &'a [Series],
    legend: SeriesLabelPosition,
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, panel: &Panel, epochs: usize, runs: &[ModelRun]) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let mut chart = ChartBuilder::on(area)
        .caption(panel.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0.8f64..epochs as f64 + 0.2, panel.y.clone())
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .x_labels(epochs.min(10) + 1)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.3}"))
        .label_style(("sans-serif", 16))
        .light_line_style(RGBAColor(0, 0, 0, 0.04))
        .axis_desc_style(("sans-serif", 18))
        .draw()
        .map_err(err)?;
    for run in runs {
        let colour = colour(run.mode);
        for &(value, dashed) in panel.series {
            let points: Vec<(f64, f64)> = run.epochs.iter().map(|e| (e.epoch as f64, value(e))).filter(|p| p.1.is_finite()).collect();
            let style = colour.stroke_width(if dashed { 2 } else { 3 });
            if dashed {
                chart.draw_series(DashedLineSeries::new(points, 8, 5, style)).map_err(err)?;
            } else {
                chart
                    .draw_series(LineSeries::new(points.clone(), style))
                    .map_err(err)?
                    .label(run.mode.name())
                    .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 22, y + 4)], colour.filled()));
                chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, colour.filled()))).map_err(err)?;
            }
        }
    }
    chart
        .configure_series_labels()
        .label_font(("sans-serif", 18))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(panel.legend.clone())
        .draw()
        .map_err(err)
}

/// A y range around the finite values, padded a little, or `default_lo..default_hi` if none.
fn bounds(values: impl Iterator<Item = f64>, default_lo: f64, default_hi: f64) -> (f64, f64) {
    let (lo, hi) = values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        return (default_lo, default_hi);
    }
    let pad = ((hi - lo) * 0.08).max(0.005);
    (lo - pad, hi + pad)
}
