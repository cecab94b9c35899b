//! The result table of searches: a frame's cells formatted once when it arrives, sorted by
//! a click on a header (again: descending), shown a page at a time, with the columns the
//! user picks. A click on a row answers with its row in the frame (the map centres there).
//! A selectable table has a checkbox per row: a shift-click selects the range from the
//! row clicked before.

use eframe::egui;

use crate::analysis::frame::{self, DataFrame};

const PAGE: usize = 50;

pub struct ResultTable {
    headers: Vec<String>,
    /// Cells by column, then row.
    cells: Vec<Vec<String>>,
    /// A column's numbers, for sorting numerically.
    numbers: Vec<Option<Vec<Option<f64>>>>,
    pub shown: Vec<bool>,
    /// Rows in display order (indices into the frame).
    order: Vec<usize>,
    sort: Option<(usize, bool)>,
    pub page: usize,
    /// Whether rows have checkboxes.
    pub selectable: bool,
    /// Selected rows (indices into the frame).
    pub selected: std::collections::BTreeSet<usize>,
    /// The row (frame index) a shift-click extends from.
    anchor: Option<usize>,
}

impl ResultTable {
    /// Every column of `df` except those in `hidden` (shown unless also in `off`).
    pub fn new(df: &DataFrame, hidden: &[&str], off: &[&str]) -> ResultTable {
        let mut headers = Vec::new();
        let mut cells = Vec::new();
        let mut numbers = Vec::new();
        let mut shown = Vec::new();
        for (ci, col) in df.get_columns().iter().enumerate() {
            let name = col.name().to_string();
            if hidden.contains(&name.as_str()) {
                continue;
            }
            let numeric = col.dtype().is_primitive_numeric();
            cells.push(
                (0..df.height())
                    .map(|r| frame::cell_text(df, ci, r))
                    .collect(),
            );
            numbers.push(if numeric {
                frame::floats(df, &name).ok()
            } else {
                None
            });
            shown.push(!off.contains(&name.as_str()));
            headers.push(name);
        }
        ResultTable {
            headers,
            cells,
            numbers,
            shown,
            order: (0..df.height()).collect(),
            sort: None,
            page: 0,
            selectable: false,
            selected: Default::default(),
            anchor: None,
        }
    }

    /// A click on row `r`'s checkbox; with `shift`, every row between the last one
    /// clicked and `r` (in the order shown) takes `r`'s new state.
    pub fn click(&mut self, r: usize, shift: bool) {
        let on = !self.selected.contains(&r);
        let pos = |x: usize| self.order.iter().position(|&o| o == x);
        let range: Vec<usize> = match (shift, self.anchor.and_then(pos), pos(r)) {
            (true, Some(a), Some(b)) => self.order[a.min(b)..=a.max(b)].to_vec(),
            _ => vec![r],
        };
        for x in range {
            if on {
                self.selected.insert(x);
            } else {
                self.selected.remove(&x);
            }
        }
        self.anchor = Some(r);
    }

    pub fn rows(&self) -> usize {
        self.order.len()
    }

    fn sort_by(&mut self, c: usize) {
        let desc = matches!(self.sort, Some((k, false)) if k == c);
        let (cells, nums) = (&self.cells[c], &self.numbers[c]);
        self.order.sort_by(|&a, &b| {
            let o = match nums {
                Some(n) => n[a]
                    .unwrap_or(f64::NEG_INFINITY)
                    .total_cmp(&n[b].unwrap_or(f64::NEG_INFINITY)),
                None => cells[a].cmp(&cells[b]),
            };
            if desc { o.reverse() } else { o }
        });
        self.sort = Some((c, desc));
        self.page = 0;
    }

    /// Draws the table, at most `max_height` tall (it scrolls); returns the frame row
    /// clicked, if any.
    pub fn show(&mut self, ui: &mut egui::Ui, id: &str, max_height: f32) -> Option<usize> {
        let pages = self.order.len().div_ceil(PAGE).max(1);
        self.page = self.page.min(pages - 1);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.page > 0, egui::Button::new("◀ 前"))
                .clicked()
            {
                self.page -= 1;
            }
            ui.label(format!(
                "{} / {} ページ（{} 行）",
                self.page + 1,
                pages,
                self.order.len()
            ));
            if ui
                .add_enabled(self.page + 1 < pages, egui::Button::new("次 ▶"))
                .clicked()
            {
                self.page += 1;
            }
            ui.menu_button("表示する列", |ui| {
                for (h, on) in self.headers.iter().zip(self.shown.iter_mut()) {
                    ui.checkbox(on, h);
                }
            });
            if self.selectable {
                ui.separator();
                ui.label(format!("{} 行を選択", self.selected.len()));
                if ui.button("すべて選択").clicked() {
                    self.selected = self.order.iter().copied().collect();
                }
                if ui.button("選択を解除").clicked() {
                    self.selected.clear();
                }
            }
        });
        let shift = ui.input(|i| i.modifiers.shift);
        let mut ticked = None;
        let mut clicked = None;
        let mut sort = None;
        egui::ScrollArea::both()
            .id_salt(id)
            .max_height(max_height.max(120.0))
            .show(ui, |ui| {
                egui::Grid::new(id).striped(true).show(ui, |ui| {
                    if self.selectable {
                        ui.label("選択");
                    }
                    for (c, h) in self.headers.iter().enumerate() {
                        if !self.shown[c] {
                            continue;
                        }
                        let arrow = match self.sort {
                            Some((k, false)) if k == c => " ▲",
                            Some((k, true)) if k == c => " ▼",
                            _ => "",
                        };
                        if ui
                            .add(
                                egui::Button::new(
                                    egui::RichText::new(format!("{h}{arrow}")).strong(),
                                )
                                .frame(false),
                            )
                            .on_hover_text("クリックで並べ替え")
                            .clicked()
                        {
                            sort = Some(c);
                        }
                    }
                    ui.end_row();
                    for &r in self.order.iter().skip(self.page * PAGE).take(PAGE) {
                        if self.selectable {
                            let mut on = self.selected.contains(&r);
                            if ui
                                .checkbox(&mut on, "")
                                .on_hover_text("Shift を押しながらで範囲を選択")
                                .clicked()
                            {
                                ticked = Some(r);
                            }
                        }
                        let mut first = true;
                        for (c, col) in self.cells.iter().enumerate() {
                            if !self.shown[c] {
                                continue;
                            }
                            let resp = if first {
                                first = false;
                                ui.add(egui::Button::new(&col[r]).frame(false))
                                    .on_hover_text("地図でこの位置を表示")
                            } else {
                                ui.label(&col[r])
                            };
                            if resp.clicked() {
                                clicked = Some(r);
                            }
                        }
                        ui.end_row();
                    }
                });
            });
        if let Some(c) = sort {
            self.sort_by(c);
        }
        if let Some(r) = ticked {
            self.click(r, shift);
        }
        clicked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_numbers_as_numbers_and_pages() {
        let df = frame::Builder::default()
            .text("名前", ["a", "b", "c"])
            .int("年齢", [Some(9), Some(70), Some(40)])
            .build()
            .unwrap();
        let mut t = ResultTable::new(&df, &[], &[]);
        t.sort_by(1);
        assert_eq!(t.order, [0, 2, 1]);
        t.sort_by(1);
        assert_eq!(t.order, [1, 2, 0]);
        t.sort_by(0);
        assert_eq!(t.order, [0, 1, 2]);
        assert_eq!(t.rows(), 3);
    }

    #[test]
    fn shift_click_selects_the_range_in_the_order_shown() {
        let df = frame::Builder::default()
            .int("n", [Some(5), Some(1), Some(4), Some(2), Some(3)])
            .build()
            .unwrap();
        let mut t = ResultTable::new(&df, &[], &[]);
        t.sort_by(0); // shown: rows 1, 3, 4, 2, 0 (values 1..5)
        t.click(3, false);
        t.click(2, true);
        assert_eq!(t.selected, [2, 3, 4].into());
        t.click(3, true); // off again, from 2 back to 3
        assert_eq!(t.selected, [].into());
        t.click(0, false);
        t.click(0, false);
        assert!(t.selected.is_empty());
    }
}
