//! A multiclass fit: per model, its confusion matrix on the test rows, actual classes down and
//! predicted ones across, each cell shaded by its share of the actual class's rows (the diagonal
//! dark where the model is right; a dark cell off it is a pair of classes it mixes up), with the
//! count written in where the cell has room.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{Theme, clipped, colour, failed, font, outline, text_width};
use crate::metrics::Confusion;
use crate::model::Mode;

/// Cells narrower than this many pixels carry no count (the table behind the picture has them).
const COUNT_FROM: i32 = 26;
/// Pixels a cell needs beyond a line of text for the class names to be written beside the grid
/// (smaller cells would put the names on top of one another; the table names them).
const NAME_ROOM: i32 = 6;

/// Draws one matrix per model on `root`, side by side.
pub(super) fn draw_confusions<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    models: &[(Mode, &Confusion)],
    theme: Theme,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(failed)?;
    let (width, _) = root.dim_in_pixel();
    let title = theme.text(20);
    let heading = "Confusion on test rows: actual class (down) against predicted (across); shade = share of the actual class";
    root.draw(&Text::new(heading, (width as i32 / 2, 6), font(title, HPos::Center, VPos::Top))).map_err(failed)?;
    let area = root.margin(title + 16, 0, 0, 0);
    for (panel, &(mode, confusion)) in area.split_evenly((1, models.len().max(1))).iter().zip(models) {
        draw_panel(panel, mode, confusion, theme)?;
    }
    root.present().map_err(failed)
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, mode: Mode, c: &Confusion, theme: Theme) -> Result<(), String> {
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let label = theme.text(14);
    let k = c.counts.len().max(1);
    let total: usize = c.counts.iter().flatten().sum();
    let right: usize = (0..c.counts.len()).map(|i| c.counts[i].get(i).copied().unwrap_or(0)).sum();
    let name = format!("{}: accuracy {:.3} ({right} of {total} rows)", mode.name(), right as f64 / total.max(1) as f64);
    area.draw(&Text::new(name, (width / 2, 0), font(label, HPos::Center, VPos::Top))).map_err(failed)?;
    // The grid with room for the class names, if its cells are then still as tall as a name
    // (a line of text per row, one name per column); else the grid alone (the table names them).
    let grid = |names: i32, top: i32| ((width - names - 12).min(height - top - 8).max(k as i32)) / k as i32;
    let (names, top) = ((width / 4).min(label as i32 * 8), label as i32 * 2 + 16);
    let named = grid(names, top) >= label as i32 + NAME_ROOM;
    let (names, top) = if named { (names, top) } else { (0, label as i32 + 10) };
    let cell = grid(names, top);
    let left = names + 4;
    let ink = colour(mode);
    for (actual, row) in c.counts.iter().enumerate() {
        let rows: usize = row.iter().sum();
        let y = top + actual as i32 * cell;
        if named {
            let text = clipped(c.classes.get(actual).map_or("", String::as_str), names - 6, label);
            area.draw(&Text::new(text, (left - 4, y + cell / 2), font(label, HPos::Right, VPos::Center))).map_err(failed)?;
        }
        for (predicted, &count) in row.iter().enumerate() {
            let x = left + predicted as i32 * cell;
            let share = count as f64 / rows.max(1) as f64;
            area.draw(&Rectangle::new([(x, y), (x + cell - 1, y + cell - 1)], ink.mix(share.max(0.03)).filled())).map_err(failed)?;
            let text = count.to_string();
            if cell >= COUNT_FROM && text_width(&text, label) < cell - 4 {
                // White on the darkest cells only: on a lighter shade it would not stand out.
                let shade = if share > 0.75 { WHITE } else { BLACK };
                let style = font(label, HPos::Center, VPos::Center).color(&shade);
                area.draw(&Text::new(text, (x + cell / 2, y + cell / 2), style)).map_err(failed)?;
            }
        }
    }
    let diagonal = BLACK.stroke_width(theme.line(1));
    for i in 0..k as i32 {
        outline(area, (left + i * cell, top + i * cell), (left + (i + 1) * cell - 1, top + (i + 1) * cell - 1), diagonal)?;
    }
    if named {
        for (predicted, class) in c.classes.iter().enumerate() {
            let x = left + predicted as i32 * cell + cell / 2;
            let text = clipped(class, cell - 4, label);
            area.draw(&Text::new(text, (x, top - 4), font(label, HPos::Center, VPos::Bottom))).map_err(failed)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::metrics::{Confusion, Fit};
    use crate::model::Mode;
    use crate::plot::{ModelFit, Theme, draw_fit, to_svg};

    fn model(mode: Mode, counts: Vec<Vec<usize>>) -> ModelFit {
        let classes = ["north", "south", "east"].map(String::from).to_vec();
        ModelFit { mode, fit: Fit::Confusion(Confusion { classes, counts }), class_weights: None }
    }

    #[test]
    fn each_model_has_its_grid_counts_names_and_accuracy() {
        let models = vec![
            model(Mode::Wide, vec![vec![8, 2, 0], vec![1, 9, 0], vec![5, 0, 5]]),
            model(Mode::Joint, vec![vec![10, 0, 0], vec![0, 10, 0], vec![1, 0, 9]]),
        ];
        let svg = to_svg(1200, 480, |root| draw_fit(root, &models, Theme::default())).unwrap();
        for text in [
            "Confusion on test rows",
            "wide: accuracy 0.733 (22 of 30 rows)",
            "joint: accuracy 0.967 (29 of 30 rows)",
            "\nnorth\n",
            "\neast\n",
            "\n9\n",
        ] {
            assert!(svg.contains(text), "{text} in the picture");
        }
        assert_eq!(svg.matches("<rect").count(), 1 + 2 * 9, "the background and nine cells per model");
        assert_eq!(svg.matches("\n5\n").count(), 2, "wide's east row: 5 taken for north, 5 right");
    }

    #[test]
    fn many_classes_are_drawn_without_names_or_counts() {
        let k = 40;
        let counts: Vec<Vec<usize>> = (0..k).map(|i| (0..k).map(|j| usize::from(i == j) * 3).collect()).collect();
        let classes = (0..k).map(|i| format!("class_{i}")).collect();
        let models = vec![ModelFit { mode: Mode::Deep, fit: Fit::Confusion(Confusion { classes, counts }), class_weights: None }];
        let svg = to_svg(1200, 480, |root| draw_fit(root, &models, Theme::default())).unwrap();
        assert!(!svg.contains("class_1") && !svg.contains("\n3\n"), "40 classes: neither names nor counts fit");
        assert_eq!(svg.matches("<rect").count(), 1 + k * k);
        // Data from a page that names fewer classes than its matrix has: drawn, never a panic.
        let odd = vec![ModelFit {
            mode: Mode::Deep,
            fit: Fit::Confusion(Confusion { classes: Vec::new(), counts: vec![vec![1, 2], vec![3]] }),
            class_weights: None,
        }];
        assert!(to_svg(600, 400, |root| draw_fit(root, &odd, Theme::default())).is_ok());
    }
}
