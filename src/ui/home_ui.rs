//! The home screen (集計): data counts and the uptake table per area for a chosen fiscal
//! year. Areas suppressed by the engine show 少数のため非表示; a user with 個人情報の閲覧
//! may ask for their figures, which are then marked.

use eframe::egui;

use crate::analysis::figures::AreaTable;
use crate::analysis::suppression;
use crate::analysis::uptake::Level;
use crate::app::Command;
use crate::store::Stats;

pub struct HomeState {
    pub stats: Option<Stats>,
    pub uptake: Option<AreaTable>,
    pub fy: i32,
    pub level: Level,
    /// The user holds 個人情報の閲覧 (set by the app from the session).
    pub may_reveal: bool,
    /// Ask for suppressed figures too.
    pub reveal: bool,
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
        }
    }
}

impl HomeState {
    /// The command for the table as chosen now.
    pub fn command(&self) -> Command {
        Command::Uptake {
            level: self.level,
            fy: self.fy,
            reveal: self.reveal && self.may_reveal,
        }
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
                    for fy in 2017..=2021 {
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
        });
        if let Some(t) = &state.uptake {
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
            egui::ScrollArea::vertical().show(ui, |ui| {
                egui::Grid::new("uptake").striped(true).show(ui, |ui| {
                    for h in ["コード", "名称", "対象者", "受診者", "未受診者", "受診率"]
                    {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for r in &t.rows {
                        ui.label(&r.code);
                        ui.label(if r.revealed {
                            format!("※{}", r.name)
                        } else {
                            r.name.clone()
                        });
                        match (r.targets, r.attendees, r.non_attendees(), r.rate) {
                            (Some(t), Some(a), Some(n), Some(rate)) => {
                                ui.label(t.to_string());
                                ui.label(a.to_string());
                                ui.label(n.to_string());
                                ui.label(format!("{:.1}%", rate * 100.0));
                            }
                            _ => {
                                ui.label(suppression::LABEL);
                            }
                        }
                        ui.end_row();
                    }
                });
            });
        }
    });
    cmds
}
