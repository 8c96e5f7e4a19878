//! Learning curves drawn with plotters onto any backend: SVG or PNG files natively, a
//! `<canvas>` in the browser. Colours are Okabe-Ito (safe for colour-blind viewers) and text is
//! large enough for a projector.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::model::Mode;
use crate::train::{EpochRecord, ModelRun};

/// The colour of each model, the same in every chart and in the page's legend.
pub fn colour(mode: Mode) -> RGBColor {
    match mode {
        Mode::Wide => RGBColor(0xE6, 0x9F, 0x00),
        Mode::Deep => RGBColor(0x00, 0x72, 0xB2),
        Mode::Joint => RGBColor(0x00, 0x9E, 0x73),
    }
}

/// Draws three panels: log-loss (train dashed, test solid), test AUC and test accuracy, per
/// epoch; side by side on a wide area, stacked on a narrow one (a phone).
pub fn draw_curves<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, runs: &[ModelRun]) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (width, height) = root.dim_in_pixel();
    let areas = if width >= height { root.split_evenly((1, 3)) } else { root.split_evenly((3, 1)) };
    let epochs = runs.iter().map(|r| r.epochs.len()).max().unwrap_or(0).max(1);
    let values = |f: fn(&EpochRecord) -> f64| runs.iter().flat_map(move |r| r.epochs.iter().map(f)).collect::<Vec<f64>>();
    let losses: Vec<f64> = values(|e| e.train_loss).into_iter().chain(values(|e| e.test_loss)).collect();
    let loss_series: [Series; 2] = [(|e| e.train_loss, true), (|e| e.test_loss, false)];
    let panels = [
        Panel {
            title: "Log-loss (train dashed, test solid)",
            y: bounds(&losses, 0.0, 1.0),
            series: &loss_series,
            legend: Some(SeriesLabelPosition::UpperRight),
        },
        Panel { title: "Test ROC AUC", y: bounds(&values(|e| e.test_auc), 0.5, 1.0), series: &[(|e| e.test_auc, false)], legend: None },
        Panel {
            title: "Test accuracy",
            y: bounds(&values(|e| e.test_accuracy), 0.5, 1.0),
            series: &[(|e| e.test_accuracy, false)],
            legend: None,
        },
    ];
    for (area, panel) in areas.iter().zip(&panels) {
        draw_panel(area, panel, epochs, runs)?;
    }
    root.present().map_err(|e| e.to_string())
}

/// A value to plot per epoch, and whether its line is dashed.
type Series = (fn(&EpochRecord) -> f64, bool);

/// One chart: its title, y range, lines and legend corner (one legend serves all panels).
struct Panel<'a> {
    title: &'a str,
    y: std::ops::Range<f64>,
    series: &'a [Series],
    legend: Option<SeriesLabelPosition>,
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
    let Some(corner) = panel.legend.clone() else { return Ok(()) };
    chart
        .configure_series_labels()
        .label_font(("sans-serif", 18))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(corner)
        .draw()
        .map_err(err)
}

/// A y range around the finite values, padded a little, or `low..high` if there are none.
fn bounds(values: &[f64], low: f64, high: f64) -> std::ops::Range<f64> {
    let (lo, hi) = values.iter().filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        return low..high;
    }
    let pad = ((hi - lo) * 0.08).max(0.005);
    lo - pad..hi + pad
}
