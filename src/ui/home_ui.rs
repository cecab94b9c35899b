//! The home screen: data counts and the uptake table per area for a chosen fiscal year.

use eframe::egui;

use crate::analysis::uptake::{Level, UptakeRow};
use crate::app::Command;
use crate::store::Stats;

pub struct HomeState {
    pub stats: Option<Stats>,
    pub uptake: Option<(i32, Vec<UptakeRow>)>,
    pub fy: i32,
    pub level: Level,
}

impl Default for HomeState {
    fn default() -> Self {
        HomeState {
            stats: None,
            uptake: None,
            fy: 2021,
            level: Level::Municipality,
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
            let before = (state.fy, state.level);
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
            if before != (state.fy, state.level) || ui.button("集計").clicked() {
                cmds.push(Command::Uptake {
                    level: state.level,
                    fy: state.fy,
                });
            }
        });
        if let Some((fy, rows)) = &state.uptake {
            ui.label(format!("{fy}年度"));
            egui::ScrollArea::vertical().show(ui, |ui| {
                egui::Grid::new("uptake").striped(true).show(ui, |ui| {
                    for h in ["コード", "名称", "対象者", "受診者", "未受診者", "受診率"]
                    {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for r in rows {
                        ui.label(&r.code);
                        ui.label(&r.name);
                        ui.label(r.targets.to_string());
                        ui.label(r.attendees.to_string());
                        ui.label((r.targets - r.attendees).to_string());
                        ui.label(format!("{:.1}%", r.rate * 100.0));
                        ui.end_row();
                    }
                });
            });
        }
    });
    cmds
}
