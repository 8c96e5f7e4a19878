//! The embedding map: each model's embeddings of one column on their first two principal axes,
//! one labelled point per value, sized by its training rows and coloured by its positive rate.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{Theme, clipped, colour, failed, font, probability_colour, text_width};
use crate::insight::EmbeddingMap;

/// Largest point radius, in pixels, for the most frequent value.
const MAX_RADIUS: f64 = 14.0;

/// Draws one panel per map, side by side.
pub fn draw_embedding_maps<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, maps: &[EmbeddingMap], theme: Theme) -> Result<(), String> {
    root.fill(&WHITE).map_err(failed)?;
    if maps.is_empty() {
        let message = "No embedding map: the deep part does not embed this column.";
        return root.draw(&Text::new(message, (10, 10), font(theme.text(16), HPos::Left, VPos::Top))).map_err(failed);
    }
    for (area, map) in root.split_evenly((1, maps.len())).iter().zip(maps) {
        draw_panel(area, map, theme)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, map: &EmbeddingMap, theme: Theme) -> Result<(), String> {
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as f64, height as f64);
    let title = format!("{} model, epoch {}: {}", map.mode.name(), map.epoch, map.column);
    let title_size = theme.text(17);
    area.draw(&Text::new(title, (10, 6), font(title_size, HPos::Left, VPos::Top).color(&colour(map.mode)))).map_err(failed)?;
    let axes = format!(
        "axes: first two principal components ({:.0}% + {:.0}% of the variance)",
        100.0 * map.explained[0],
        100.0 * map.explained[1]
    );
    let note = theme.text(12);
    area.draw(&Text::new(axes, (10, 6 + title_size as i32 + 4), font(note, HPos::Left, VPos::Top))).map_err(failed)?;
    let top = 6.0 + title_size as f64 + note as f64 + 14.0 + MAX_RADIUS;
    let margin = MAX_RADIUS + 8.0;
    let bound = |f: fn(&[f64; 2]) -> f64| {
        let values: Vec<f64> = map.points.iter().map(|p| f(&[p.x, p.y])).collect();
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if hi > lo { (lo, hi) } else { (lo - 1.0, lo + 1.0) }
    };
    let ((x_lo, x_hi), (y_lo, y_hi)) = (bound(|p| p[0]), bound(|p| p[1]));
    let place = |x: f64, y: f64| {
        let px = margin + (x - x_lo) / (x_hi - x_lo) * (width - 2.0 * margin - 60.0);
        let py = top + (y_hi - y) / (y_hi - y_lo) * (height - top - margin);
        (px.round() as i32, py.round() as i32)
    };
    let most = map.points.iter().map(|p| p.rows).max().unwrap_or(1).max(1) as f64;
    area.draw(&Rectangle::new(
        [(2, top as i32 - MAX_RADIUS as i32), (width as i32 - 2, height as i32 - 2)],
        RGBColor(0xC9, 0xD1, 0xD9).stroke_width(1),
    ))
    .map_err(failed)?;
    for point in &map.points {
        let at = place(point.x, point.y);
        let radius = (3.0 + (MAX_RADIUS - 3.0) * (point.rows as f64 / most).sqrt()).round() as u32;
        // The same discs in both looks: the margins keep room for MAX_RADIUS, and larger ones
        // on a projector hid each other.
        area.draw(&Circle::new(at, radius, probability_colour(point.positive_rate).filled())).map_err(failed)?;
        area.draw(&Circle::new(at, radius, BLACK.stroke_width(theme.line(1)))).map_err(failed)?;
        let (size, gap) = (theme.text(12), radius as i32 + 3);
        // Right of its point, or left where only that side has room; cut to the roomier side's
        // room where neither has.
        let (right, left) = (width as i32 - 4 - (at.0 + gap), at.0 - gap - 4);
        let needed = text_width(&point.value, size);
        let (x, anchor, room) =
            if needed <= right || right >= left { (at.0 + gap, HPos::Left, right) } else { (at.0 - gap, HPos::Right, left) };
        let label = clipped(&point.value, room, size);
        area.draw(&Text::new(label, (x, at.1), font(size, anchor, VPos::Center))).map_err(failed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insight::MapPoint;
    use crate::model::Mode;
    use crate::plot::tests::svg_number;
    use crate::plot::to_svg;

    #[test]
    fn points_are_placed_sized_coloured_and_named() {
        crate::plot::tests::fonts();
        let point = |value: &str, x, y, rows, rate| MapPoint { value: value.into(), x, y, rows, positive_rate: rate, nearest: Vec::new() };
        let map = EmbeddingMap {
            column: "occupation".into(),
            mode: Mode::Deep,
            epoch: 2,
            explained: [0.6, 0.3],
            points: vec![point("Exec-managerial", 1.0, 0.0, 400, 0.48), point("Handlers-cleaners", -1.0, 0.5, 100, 0.06)],
        };
        let svg = to_svg(600, 400, |root| {
            draw_embedding_maps(root, &[map.clone(), EmbeddingMap { mode: Mode::Joint, ..map.clone() }], Theme::default())
        })
        .unwrap();
        assert!(svg.contains("deep model, epoch 2: occupation") && svg.contains("joint model, epoch 2: occupation"));
        assert!(svg.contains("Exec-managerial") && svg.contains("Handlers-cleaners"));
        assert!(svg.contains("60% + 30%"));
        assert_eq!(svg.matches("<circle").count(), 8, "two points, each a disc and a ring, in two panels");
        let label = |name: &str| svg.split("<text").find(|t| t.contains(name)).map(|t| t.split('>').next().unwrap().to_string()).unwrap();
        assert!(label("Handlers-cleaners").contains("text-anchor=\"start\""), "a label on the left side goes right of its point");
        assert!(label("Exec-managerial").contains("text-anchor=\"end\""), "the rightmost point's label goes on its left");
        let projector = to_svg(600, 400, |root| draw_embedding_maps(root, std::slice::from_ref(&map), Theme { projector: true })).unwrap();
        let number = |tag: &str, name: &str| svg_number(tag, name).unwrap();
        for circle in projector.split("<circle").skip(1) {
            let (x, y, r) = (number(circle, "cx"), number(circle, "cy"), number(circle, "r"));
            assert!(r <= MAX_RADIUS, "a projector's discs are no larger: {r}");
            assert!(x - r >= 0.0 && x + r <= 600.0 && y + r <= 400.0, "the disc at ({x}, {y}) is inside the picture");
        }
        let long = "a-value-name-far-too-long-for-either-side-of-its-point";
        let crowded = EmbeddingMap {
            points: vec![point("a", -1.0, 0.0, 9, 0.5), point(long, 0.0, 0.0, 9, 0.5), point("b", 1.0, 1.0, 9, 0.5)],
            ..map
        };
        let cut = to_svg(300, 300, |root| draw_embedding_maps(root, &[crowded], Theme::default())).unwrap();
        assert!(cut.contains("a-value-name") && !cut.contains(long), "a label with no room on either side is cut");
        let empty = to_svg(600, 200, |root| draw_embedding_maps(root, &[], Theme::default())).unwrap();
        assert!(empty.contains("does not embed this column"));
    }
}
