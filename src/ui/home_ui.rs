//! The home screen (集計): data counts and the uptake table per area for a chosen fiscal
//! year. Areas suppressed by the engine show 少数のため非表示; a user with 個人情報の閲覧
//! may ask for their figures, which are then marked.
//! The years offered are those the checkups have, as the worker's counts report them.

use crate::app::MapCmd;
use eframe::egui;

use crate::analysis::figures::AreaTable;
use crate::analysis::suppression;
use crate::analysis::uptake::Level;
use crate::app::Command;
use crate::store::Stats;

pub struct HomeState {
    pub stats: Option<Stats>,
    /// The uptake table shown, and its cells as text (made once when it arrives).
    pub uptake: Option<(AreaTable, super::widgets::FrameGrid)>,
    pub fy: i32,
    pub level: Level,
    /// The user holds 個人情報の閲覧 (set by the app from the session).
    pub may_reveal: bool,
    /// Ask for suppressed figures too.
    pub reveal: bool,
    /// The 出力 window asked for (taken by the app).
    pub export: Option<super::export_ui::Request>,
}

impl HomeState {
    /// An uptake table arrived: kept with its cells as text.
    pub fn set_uptake(&mut self, t: AreaTable) {
        use super::widgets::{CellFormat, FrameColumn, FrameGrid};
        use crate::analysis::figures::col;
        let c = |column, header, format| FrameColumn {
            column,
            header,
            format,
        };
        let grid = FrameGrid::new(
            &t.frame,
            &[
                c(col::CODE, "コード", CellFormat::Text),
                c(col::NAME, "名称", CellFormat::Text),
                c(col::TARGETS, "対象者", CellFormat::Count),
                c(col::ATTENDEES, "受診者", CellFormat::Count),
                c(col::NON_ATTENDEES, "未受診者", CellFormat::Count),
                c(col::RATE, "受診率", CellFormat::Percent),
            ],
            Some((col::REVEALED, col::NAME)),
            suppression::LABEL,
        );
        self.uptake = Some((t, grid));
    }

    /// New counts arrived. The first time, a chosen year the checkups do not have moves to
    /// their latest year, and its uptake is asked for.
    pub fn set_stats(&mut self, stats: Stats) -> Option<Command> {
        let first = self.stats.is_none();
        let moved = first && adopt_latest_year(&mut self.fy, &stats.fiscal_years);
        self.stats = Some(stats);
        moved.then_some(Command::from(MapCmd::Uptake {
            level: self.level,
            fy: self.fy,
            reveal: self.reveal,
        }))
    }

    fn years(&self) -> Vec<i32> {
        let data = self.stats.as_ref().map_or(&[][..], |s| &s.fiscal_years[..]);
        fy_choices(data, self.fy)
    }
}

/// The years a fiscal-year list offers: those the checkups have (from the worker's
/// [`Stats`]), and the chosen one even when the data has none of it.
pub(crate) fn fy_choices(years: &[i32], current: i32) -> Vec<i32> {
    let mut out = years.to_vec();
    if !out.contains(&current) {
        out.push(current);
    }
    out.sort_unstable();
    out
}

/// Moves `fy` to the latest of `years` when it is not one of them; true when it moved.
pub(crate) fn adopt_latest_year(fy: &mut i32, years: &[i32]) -> bool {
    match years.iter().max() {
        Some(&latest) if !years.contains(fy) => {
            *fy = latest;
            true
        }
        _ => false,
    }
}

impl Default for HomeState {
    fn default() -> Self {
        HomeState {
            stats: None,
            uptake: None,
            fy: 2021,
            level: Level::Municipality,
            may_reveal: false,
            reveal: false,
            export: None,
        }
    }
}

impl HomeState {
    /// The command for the table as chosen now.
    pub fn command(&self) -> Command {
        Command::from(MapCmd::Uptake {
            level: self.level,
            fy: self.fy,
            reveal: self.reveal && self.may_reveal,
        })
    }
}

pub fn home_ui(ui: &mut egui::Ui, state: &mut HomeState, busy: bool) -> Vec<Command> {
    let mut cmds = Vec::new();
    ui.columns(2, |cols| {
        let ui = &mut cols[0];
        ui.heading("取り込んだデータ");
        match &state.stats {
            None => {
                ui.label(if busy {
                    "準備中です…"
                } else {
                    "件数を読み込んでいません"
                });
            }
            Some(stats) => {
                egui::Grid::new("counts").striped(true).show(ui, |ui| {
                    for t in &stats.labelled {
                        ui.label(&t.label);
                        ui.label(format!("{} 行", t.rows));
                        ui.end_row();
                    }
                });
                ui.label(format!("取込履歴 {} 件", stats.imports.len()));
            }
        }
        let ui = &mut cols[1];
        ui.heading("特定健診 受診率（法定報告の定義）");
        ui.horizontal(|ui| {
            let before = (state.fy, state.level, state.reveal);
            egui::ComboBox::from_label("年度")
                .selected_text(format!("{}年度", state.fy))
                .show_ui(ui, |ui| {
                    for fy in state.years() {
                        ui.selectable_value(&mut state.fy, fy, format!("{fy}年度"));
                    }
                });
            egui::ComboBox::from_label("単位")
                .selected_text(state.level.label())
                .show_ui(ui, |ui| {
                    for l in Level::ALL {
                        ui.selectable_value(&mut state.level, l, l.label());
                    }
                });
            if state.may_reveal {
                ui.checkbox(
                    &mut state.reveal,
                    "非表示の地域も数値を表示（個人情報の閲覧、利用ログに記録）",
                );
            }
            if before != (state.fy, state.level, state.reveal) || ui.button("集計").clicked() {
                cmds.push(state.command());
            }
            if ui
                .button("出力…")
                .on_hover_text("この表を Excel・CSV・シェープファイル（地域の形つき）・PDF の地図などに出力します")
                .clicked()
            {
                state.export = Some(super::export_ui::Request {
                    what: crate::app::domain::export::What::Uptake {
                        level: state.level,
                        fy: state.fy,
                    },
                    name: format!("{}年度_{}別_受診率", state.fy, state.level.label()),
                    personal: false,
                    list: false,
                    style: None,
                    figures: true,
                });
            }
        });
        if let Some((t, grid)) = &state.uptake {
            ui.label(format!(
                "{}年度。対象者 {} 人未満の地域とその補完は「{}」（基準は管理者設定）",
                t.fy,
                t.threshold,
                suppression::LABEL
            ));
            if t.revealed_count() > 0 {
                ui.label(format!(
                    "※ の {} 地域は{}",
                    t.revealed_count(),
                    suppression::REVEALED_LABEL.trim_start_matches('※')
                ));
            }
            egui::ScrollArea::vertical().show(ui, |ui| grid.show(ui, "uptake"));
        }
    });
    cmds
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    fn stats(fiscal_years: Vec<i32>) -> Stats {
        Stats {
            tables: Default::default(),
            labelled: vec![],
            imports: vec![],
            fiscal_years,
            institution_match: Default::default(),
            user_tables: Default::default(),
        }
    }

    #[test]
    fn the_year_list_offers_the_years_of_the_data() {
        let mut state = HomeState::default();
        assert!(state.set_stats(stats(vec![2020, 2021, 2022])).is_none());
        let mut h = Harness::builder()
            .with_size(eframe::egui::vec2(1200.0, 700.0))
            .with_context_setup(crate::ui::install_theme)
            .build_ui_state(
                |ui, st: &mut HomeState| {
                    let _ = home_ui(ui, st, false);
                },
                state,
            );
        h.run();
        h.get_by_label("年度").click();
        h.run();
        assert!(h.query_by_label("2019年度").is_none());
        h.get_by_label("2022年度").click();
        h.run();
        assert_eq!(h.state().fy, 2022);
    }

    #[test]
    fn the_first_counts_move_a_year_the_data_lacks_to_the_latest() {
        let mut state = HomeState::default();
        match state.set_stats(stats(vec![2022, 2023])) {
            Some(Command::Map(MapCmd::Uptake { fy: 2023, .. })) => {}
            c => panic!("{c:?}"),
        }
        assert_eq!(state.fy, 2023);
        state.fy = 2022;
        assert!(state.set_stats(stats(vec![2024])).is_none());
        assert_eq!(state.fy, 2022, "later counts keep the choice");
        assert_eq!(fy_choices(&[2024], 2022), [2022, 2024]);
        assert_eq!(fy_choices(&[], 2021), [2021]);
    }
}
