//! The cross map: one heat map per source (the observed mean on the test rows, then each model's
//! prediction: rates, a class's share or a number, see [`Shade`]), side by side on the same grid, exceptions outlined in every panel so the eye can
//! go from the data to each model and back.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{NO_DATA, Theme, clipped, colour, em, failed, font, outline, probability_colour, text_width, width_in};
use crate::insight::{CrossMap, MIN_CELL_ROWS, Shade};

/// Pixels between panels.
const GAP: i32 = 18;

/// Where the grid goes: the width of the labels left of it, a panel's width, a cell's side, and
/// the cells down and across.
struct Grid {
    left: i32,
    panel_width: i32,
    cell: i32,
    rows: i32,
    cols: i32,
}

impl Grid {
    /// The grid of `map` in `area` (width, height) below `top`, beside a key `key` wide, with
    /// labels of plotters' `size`.
    fn of(map: &CrossMap, area: (i32, i32), top: i32, key: i32, size: u32) -> Self {
        let label_width = |labels: &[String]| {
            labels.iter().map(|l| text_width(&shorten(l, size), size)).max().unwrap_or(0).max(text_width("x", size)) + 8
        };
        let (left, bottom) = (label_width(&map.row_values), label_width(&map.col_values));
        let panels = 1 + map.models.len() as i32;
        let panel_width = ((area.0 - left - key - GAP * panels) / panels).max(10);
        let (rows, cols) = (map.row_values.len().max(1) as i32, map.col_values.len().max(1) as i32);
        let cell = (panel_width / cols).min((area.1 - top - bottom) / rows).max(2);
        Self { left, panel_width, cell, rows, cols }
    }
}

/// The largest cell side a map sized to its grid gets, in pixels of the plain look: larger
/// cells would only spread a small grid over the screen.
const MAX_CELL: i32 = 32;

/// The height at which `map`, drawn `width` pixels wide, fills its picture: the grid's cells
/// square, as large as the width allows (up to [`MAX_CELL`], and no smaller than its labels'
/// height where the width allows), with room for the labels and the key. The page asks for
/// this height so the grid is neither squeezed nor floating in white.
pub fn natural_height(map: &CrossMap, width: u32, theme: Theme) -> u32 {
    let (top, key) = layout(theme);
    let size = theme.text(14);
    let tall = Grid::of(map, (width as i32, i32::MAX / 4), top, key, size);
    let cell = tall.cell.min(if theme.projector { MAX_CELL * 3 / 2 } else { MAX_CELL });
    let bottom = map.col_values.iter().map(|l| text_width(&shorten(l, size), size)).max().unwrap_or(0) + 12;
    let key_height = 30 + 10 + key / 3 + 8;
    (top + (tall.rows * cell).max(key_height) + bottom).max(120) as u32
}

/// The height above the grid (the caption, the outline's legend under it, the panels' titles),
/// and the colour key's width, in a theme.
fn layout(theme: Theme) -> (i32, i32) {
    let legend = theme.text(12) as i32 + 8;
    (theme.text(18) as i32 * 2 + theme.text(14) as i32 + 12 + legend, theme.text(14) as i32 * 3)
}

/// The grid, its labels' size, and every how many cells a label is written: the theme's size when
/// its text is no taller than a cell, else the plain theme's (a projector's larger labels would
/// overlap), and one label every few cells where even that is taller than a cell (the table
/// under the picture names every value).
fn labelled(map: &CrossMap, area: (i32, i32), top: i32, key: i32, theme: Theme) -> (Grid, u32, usize) {
    let fits = |grid: &Grid, size: u32| em(size) <= grid.cell as f64;
    let mut size = theme.text(14);
    let mut grid = Grid::of(map, area, top, key, size);
    if !fits(&grid, size) && size > Theme::default().text(14) {
        size = Theme::default().text(14);
        grid = Grid::of(map, area, top, key, size);
    }
    let step = (em(size) / grid.cell as f64).ceil().max(1.0) as usize;
    (grid, size, step)
}

/// Draws `map` on `root`: a caption, one panel per source, and a colour key.
pub fn draw_cross_map<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, map: &CrossMap, theme: Theme) -> Result<(), String> {
    root.fill(&WHITE).map_err(failed)?;
    let (width, height) = root.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let title = format!(
        "{} (down) × {} (across), test rows{}{}",
        map.columns[0],
        map.columns[1],
        if map.when.is_empty() { String::new() } else { format!(", {}", map.when) },
        match &map.shade {
            Shade::Rate => String::new(),
            shade => format!(": the {}", shade.name()),
        }
    );
    root.draw(&Text::new(title.clone(), (8, 6), font(theme.text(18), HPos::Left, VPos::Top))).map_err(failed)?;
    draw_outline_legend(root, (8, 6 + theme.text(18) as i32 + 4), &map.shade, theme)?;
    let (top, key) = layout(theme);
    let (Grid { left, panel_width, cell, rows, cols }, text, step) = labelled(map, (width, height), top, key, theme);
    let titles = std::iter::once(("observed".to_string(), BLACK)).chain(map.models.iter().map(|m| (m.name().to_string(), colour(*m))));
    for (p, (name, ink)) in titles.enumerate() {
        let x0 = left + p as i32 * (panel_width + GAP);
        root.draw(&Text::new(
            name.clone(),
            (x0, top - theme.text(14) as i32 - 6),
            font(theme.text(16), HPos::Left, VPos::Bottom).color(&ink),
        ))
        .map_err(failed)?;
        for r in 0..rows as usize {
            for c in 0..cols as usize {
                let cell_data = map.cell(r, c);
                let value = if p == 0 { cell_data.observed } else { cell_data.predicted[p - 1] };
                let fill = if cell_data.rows < MIN_CELL_ROWS { NO_DATA } else { probability_colour(map.shade.position(value)) };
                let (x, y) = (x0 + c as i32 * cell, top + r as i32 * cell);
                root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], fill.filled())).map_err(failed)?;
                if cell_data.exception {
                    let stroke = BLACK.stroke_width(theme.line(2).min((cell / 3).max(1) as u32));
                    outline(root, (x + 1, y + 1), (x + cell - 1, y + cell - 1), stroke)?;
                }
            }
        }
        for (c, label) in map.col_values.iter().enumerate().step_by(step) {
            let x = x0 + c as i32 * cell + cell / 2;
            let style = font(text, HPos::Left, VPos::Center).transform(FontTransform::Rotate90);
            root.draw(&Text::new(shorten(label, text), (x, top + rows * cell + 4), style.clone())).map_err(failed)?;
        }
    }
    for (r, label) in map.row_values.iter().enumerate().step_by(step) {
        let y = top + r as i32 * cell + cell / 2;
        root.draw(&Text::new(shorten(label, text), (left - 6, y), font(text, HPos::Right, VPos::Center))).map_err(failed)?;
    }
    draw_key(root, (width - key + 6, top), (key / 3, rows * cell), &map.shade, theme)
}

/// What an outline and a grey cell mean, in words beside a sample of each, under the caption.
fn draw_outline_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    shade: &Shade,
    theme: Theme,
) -> Result<(), String> {
    let size = theme.text(12);
    let side = size as i32;
    let (x, y) = at;
    outline(root, (x, y), (x + side, y + side), BLACK.stroke_width(theme.line(2)))?;
    let outlined = format!("outlined: the data departs from the deep model by {} or more", shade.gap_words());
    root.draw(&Text::new(outlined.clone(), (x + side + 6, y + side / 2), font(size, HPos::Left, VPos::Center))).map_err(failed)?;
    let x = x + side + 6 + text_width(&outlined, size) + 16;
    root.draw(&Rectangle::new([(x, y), (x + side, y + side)], NO_DATA.filled())).map_err(failed)?;
    let grey = format!("fewer than {MIN_CELL_ROWS} test rows");
    root.draw(&Text::new(grey, (x + side + 6, y + side / 2), font(size, HPos::Left, VPos::Center))).map_err(failed).map(|_| ())
}

/// The colour key: the scale's top (1 for a rate), its middle and its bottom, and the grey of
/// too few rows.
fn draw_key<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    size: (i32, i32),
    shade: &Shade,
    theme: Theme,
) -> Result<(), String> {
    let (x, y) = at;
    let (w, h) = (size.0.max(6), size.1.max(30));
    let steps = 40;
    for i in 0..steps {
        let p = 1.0 - i as f64 / (steps - 1) as f64;
        let (y0, y1) = (y + i * h / steps, y + (i + 1) * h / steps);
        root.draw(&Rectangle::new([(x, y0), (x + w, y1)], probability_colour(p).filled())).map_err(failed)?;
    }
    let text = theme.text(12);
    for (position, dy) in [(1.0, 0), (0.5, h / 2), (0.0, h)] {
        let value = match shade {
            Shade::Number { .. } => shade.format(shade.value_at(position)),
            _ => format!("{position}"),
        };
        root.draw(&Text::new(value, (x + w + 3, y + dy), font(text, HPos::Left, VPos::Center))).map_err(failed)?;
    }
    root.draw(&Rectangle::new([(x, y + h + 10), (x + w, y + h + 10 + w)], NO_DATA.filled())).map_err(failed)?;
    root.draw(&Text::new(format!("< {MIN_CELL_ROWS}"), (x + w + 3, y + h + 10 + w / 2), font(text, HPos::Left, VPos::Center)))
        .map_err(failed)
}

/// Characters a value's label holds at most.
const LABEL_CHARS: usize = 18;

/// A value's label at plotters' `size`: long values cut to [`LABEL_CHARS`].
fn shorten(label: &str, size: u32) -> String {
    clipped(label, width_in(LABEL_CHARS, em(size)).ceil() as i32, size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legend_sits_between_the_caption_and_the_panel_titles() {
        for theme in [Theme::default(), Theme { projector: true }] {
            let (top, _) = layout(theme);
            let legend = (6 + theme.text(18) as i32 + 4, 6 + theme.text(18) as i32 + 4 + theme.text(12) as i32);
            // A title's text is bottom-anchored here and at most its size tall.
            let title_top = top - theme.text(14) as i32 - 6 - theme.text(16) as i32;
            assert!(legend.1 <= title_top, "{theme:?}: legend ends at {}, titles start at {title_top}", legend.1);
        }
    }
    use crate::data::{Column, ColumnKind};
    use crate::model::Mode;
    use crate::plot::to_svg;

    #[test]
    fn panels_cells_outlines_and_labels_are_drawn() {
        crate::plot::tests::fonts();
        let column = |name: &str, values: &[&str]| {
            let mut c = Column::new(name);
            values.iter().for_each(|v| c.push(v));
            c
        };
        let city = column("city", &["<b>", "<b>", "<b>", "<b>", "<b>", "<b>", "y"]);
        let product = column("product", &["p", "p", "p", "p", "p", "p", "q"]);
        let rows: Vec<usize> = (0..7).collect();
        let targets = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0];
        let deep = [0.2; 7];
        let joint = [0.9; 7];
        let map = CrossMap::new(
            [(&city, ColumnKind::Categorical), (&product, ColumnKind::Categorical)],
            &rows,
            &targets,
            &[(Mode::Deep, 3, &deep), (Mode::Joint, 3, &joint)],
            Shade::Rate,
        );
        assert!(map.cell(0, 0).exception, "6 rows all positive against a deep prediction of 0.2");
        let svg = to_svg(900, 300, |root| draw_cross_map(root, &map, Theme::default())).unwrap();
        assert!(svg.contains("epoch 3"));
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"), "values are escaped");
        for name in ["observed", "deep", "joint"] {
            assert!(svg.contains(&format!(">\n{name}\n<")) || svg.contains(name), "{name} panel");
        }
        let fill = |RGBColor(r, g, b): RGBColor| format!("#{r:02X}{g:02X}{b:02X}");
        assert!(svg.contains(&fill(probability_colour(1.0))), "the observed cell is fully positive");
        assert!(svg.contains(&fill(NO_DATA)), "the one-row cells are greyed");
        assert_eq!(svg.matches("stroke-width=\"2\"").count(), 4, "the exception is outlined in all three panels, and in the legend");
        assert!(svg.contains("outlined: the data departs from the deep model by 0.25 or more") && svg.contains("fewer than 5 test rows"));
    }

    /// A map of `rows × cols` values (every cell one row), with one model.
    fn sized(rows: usize, cols: usize) -> CrossMap {
        let (mut down, mut across) = (Column::new("down"), Column::new("across"));
        for i in 0..rows * cols {
            down.push(&format!("row value {}", i / cols));
            across.push(&format!("column value {}", i % cols));
        }
        let n = rows * cols;
        let targets: Vec<f32> = (0..n).map(|i| (i % 2) as f32).collect();
        let joint = vec![0.5; n];
        let all: Vec<usize> = (0..n).collect();
        CrossMap::new(
            [(&down, ColumnKind::Categorical), (&across, ColumnKind::Categorical)],
            &all,
            &targets,
            &[(Mode::Joint, 1, &joint)],
            Shade::Rate,
        )
    }

    #[test]
    fn a_number_is_shaded_around_its_mean_and_keyed_in_its_units() {
        let (mut city, mut kind) = (Column::new("city"), Column::new("kind"));
        for i in 0..12 {
            city.push(if i < 6 { "north" } else { "south" });
            kind.push("house");
        }
        let rows: Vec<usize> = (0..12).collect();
        let targets: Vec<f32> = (0..12).map(|i| if i < 6 { 500.0 } else { 100.0 }).collect();
        let deep = [300.0f32; 12];
        let shade = Shade::Number { label: "price".into(), mean: 300.0, sd: 100.0 };
        let columns = [(&city, ColumnKind::Categorical), (&kind, ColumnKind::Categorical)];
        let map = CrossMap::new(columns, &rows, &targets, &[(Mode::Deep, 2, &deep)], shade);
        let svg = to_svg(900, 300, |root| draw_cross_map(root, &map, Theme::default())).unwrap();
        for text in ["test rows, epoch 2: the mean price", "by 50 (half a standard deviation) or more", "\n500\n", "\n300\n", "\n100\n"] {
            assert!(svg.contains(text), "{text}");
        }
        // 500 is 2 sd above the mean: the scale's top; 100 its bottom; the deep model's 300 white.
        let (north, south) = (map.cell(0, 0), map.cell(1, 0));
        assert_eq!(
            (map.shade.position(north.observed), map.shade.position(south.observed), map.shade.position(north.predicted[0])),
            (1.0, 0.0, 0.5)
        );
        // Each end colour in the key and in an observed cell; white in the background and the
        // deep model's two cells (the key's steps miss the exact middle).
        let fill = |RGBColor(r, g, b): RGBColor| format!("fill=\"#{r:02X}{g:02X}{b:02X}\"");
        let count = |p: f64| svg.matches(&fill(probability_colour(p))).count();
        assert!(count(1.0) >= 2 && count(0.0) >= 2 && count(0.5) >= 3, "{:?}", (count(1.0), count(0.0), count(0.5)));
        assert!(map.cell(0, 0).exception && map.cell(1, 0).exception, "200 off the deep model, with no spread");
    }

    #[test]
    fn a_map_sized_to_its_grid_has_square_cells_that_fill_the_width() {
        let theme = Theme::default();
        let (top, key) = layout(theme);
        for (rows, cols) in [(3, 3), (24, 20), (30, 30)] {
            let map = sized(rows, cols);
            let height = natural_height(&map, 1200, theme);
            let grid = Grid::of(&map, (1200, height as i32), top, key, theme.text(14));
            let wide = Grid::of(&map, (1200, i32::MAX / 4), top, key, theme.text(14));
            let allowed = wide.cell.min(MAX_CELL);
            assert!((allowed..=allowed + 2).contains(&grid.cell), "{rows} × {cols}: cells of {} px, {allowed} allowed", grid.cell);
            assert!(grid.cell * cols as i32 <= grid.panel_width);
        }
        assert!(natural_height(&sized(30, 30), 1200, theme) > natural_height(&sized(3, 30), 1200, theme), "more rows, taller");
    }

    #[test]
    fn labels_shrink_to_the_plain_size_then_thin_out_rather_than_overlap() {
        let (area, top, key) = ((1200, 440), 60, 42);
        let projector = Theme { projector: true };
        // A small grid has room for the projector's large labels, one per row.
        let (grid, size, step) = labelled(&sized(3, 3), area, top, key, projector);
        assert_eq!((size, step), (21, 1));
        assert!(em(size) <= grid.cell as f64);
        // 16 × 16: the projector's labels would be taller than a cell; the plain ones fit.
        let (grid, size, step) = labelled(&sized(16, 16), area, top, key, projector);
        assert_eq!((size, step), (14, 1), "cell {} px", grid.cell);
        // 30 × 30: even the plain labels are taller than a cell, so every other one is written.
        let (grid, size, step) = labelled(&sized(30, 30), area, top, key, Theme::default());
        assert_eq!(size, 14);
        assert!(step >= 2 && em(size) <= (grid.cell * step as i32) as f64, "one label every {step} cells of {} px", grid.cell);
        let svg = to_svg(1200, 440, |root| draw_cross_map(root, &sized(30, 30), Theme::default())).unwrap();
        let written = (0..30).filter(|i| svg.contains(&format!(">\nrow value {i}\n<"))).count();
        assert_eq!(written, 30_usize.div_ceil(step), "row labels written");
    }
}
