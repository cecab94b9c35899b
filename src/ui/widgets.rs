//! Widgets that several screens use.

use eframe::egui;

/// One labelled row of a grid: `current` picked from a list of (value, text).
pub(crate) fn choice_row<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    label: &str,
    id: &str,
    current: &mut T,
    options: impl IntoIterator<Item = (T, String)>,
) {
    let options: Vec<(T, String)> = options.into_iter().collect();
    let lbl = ui.label(label);
    let text = options
        .iter()
        .find(|o| o.0 == *current)
        .map(|o| o.1.clone())
        .unwrap_or_default();
    egui::ComboBox::from_id_salt(id)
        .selected_text(text)
        .show_ui(ui, |ui| {
            for (v, t) in options {
                ui.selectable_value(current, v, t);
            }
        })
        .response
        .labelled_by(lbl.id);
    ui.end_row();
}

/// How a frame column is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellFormat {
    Text,
    /// A count, digits grouped ("12,345").
    Count,
    /// A fraction as a percentage ("35.2%").
    Percent,
}

/// A column of [`frame_grid`]: the frame's column, its header and format.
pub(crate) struct FrameColumn<'a> {
    pub column: &'a str,
    pub header: &'a str,
    pub format: CellFormat,
}

/// A result frame as the text of a striped grid, with the columns given (the one table
/// widget for results: uptake now; search results and pivots later). Built once when a
/// result arrives, so that a frame only lays the cells out. `mark` = (a yes/no column, the
/// shown column): where the first is true, the second gets ※ before it. In a row with
/// null figures, the first null cell shows `null_text` and the others stay empty.
pub struct FrameGrid {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl FrameGrid {
    pub(crate) fn new(
        df: &crate::analysis::frame::DataFrame,
        columns: &[FrameColumn<'_>],
        mark: Option<(&str, &str)>,
        null_text: &str,
    ) -> FrameGrid {
        use crate::analysis::frame;
        let marks = mark
            .and_then(|(m, _)| frame::flags(df, m).ok())
            .unwrap_or_default();
        let marked_col = mark.and_then(|(_, c)| columns.iter().position(|x| x.column == c));
        let cells: Vec<Vec<Option<String>>> = columns
            .iter()
            .map(|c| match c.format {
                CellFormat::Text => frame::texts(df, c.column).unwrap_or_default(),
                CellFormat::Count => frame::ints(df, c.column)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|v| v.map(crate::map::choropleth::group_digits))
                    .collect(),
                CellFormat::Percent => frame::floats(df, c.column)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|v| v.map(|f| format!("{:.1}%", f * 100.0)))
                    .collect(),
            })
            .collect();
        let rows = (0..df.height())
            .map(|row| {
                let mut null_shown = false;
                cells
                    .iter()
                    .enumerate()
                    .map(|(ci, col)| match col.get(row).cloned().flatten() {
                        Some(t)
                            if Some(ci) == marked_col
                                && marks.get(row).copied().unwrap_or(false) =>
                        {
                            format!("※{t}")
                        }
                        Some(t) => t,
                        None if !null_shown => {
                            null_shown = true;
                            null_text.to_string()
                        }
                        None => String::new(),
                    })
                    .collect()
            })
            .collect();
        FrameGrid {
            headers: columns.iter().map(|c| c.header.to_string()).collect(),
            rows,
        }
    }

    pub(crate) fn show(&self, ui: &mut egui::Ui, id: &str) {
        egui::Grid::new(id).striped(true).show(ui, |ui| {
            for h in &self.headers {
                ui.strong(h);
            }
            ui.end_row();
            for row in &self.rows {
                for cell in row {
                    ui.label(cell);
                }
                ui.end_row();
            }
        });
    }
}
