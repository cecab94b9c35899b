//! 住所照合: match rates per municipality (街区 / 町丁・字 / 曖昧 / 不明) and the list of
//! addresses the user has to fix. The work runs in the worker (`Command::from(GeocodeCmd::Geocode)`).

use crate::app::GeocodeCmd;
use eframe::egui;
use egui_extras::{Column, TableBuilder};

use crate::app::Command;
use crate::geocode::{GeocodeReport, Unmatched};

#[derive(Default)]
pub struct GeocodeState {
    pub report: Option<GeocodeReport>,
    pub unmatched: Option<Vec<Unmatched>>,
    pub limit: usize,
    requested: bool,
}

impl GeocodeState {
    pub fn set_report(&mut self, r: GeocodeReport) {
        self.report = Some(r);
        self.unmatched = None;
    }
}

pub fn geocode_ui(ui: &mut egui::Ui, st: &mut GeocodeState, busy: bool) -> Vec<Command> {
    let mut cmds = Vec::new();
    if st.limit == 0 {
        st.limit = 500;
    }
    super::theme::heading(ui, "住所照合");
    ui.label(
        "被保険者の住所を位置参照情報（街区）に照合し、町丁・字に割り当てます。街区が見つからないときは町丁・字名で照合し、同名の町丁・字が複数あるときは「曖昧」として候補を記録します（推測はしません）。",
    );
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new("照合をやり直す"))
            .clicked()
        {
            cmds.push(Command::from(GeocodeCmd::Geocode));
        }
        if busy {
            ui.spinner();
        }
    });
    if st.report.is_none() && !st.requested {
        // The stored result from the last run (no matching is redone just by looking).
        st.requested = true;
        cmds.push(Command::from(GeocodeCmd::GeocodeStatus));
    }
    let Some(report) = &st.report else {
        return cmds;
    };
    ui.label(format!(
        "小地域レイヤ「{}」、街区 {} 件。奈良県計: 街区 {:.2}%（{} 人中 {} 人）",
        report.layer,
        report.reference_blocks,
        report.total.block_rate() * 100.0,
        report.total.total(),
        report.total.block
    ));
    ui.separator();
    let height = (ui.available_height() * 0.55).max(200.0);
    egui::ScrollArea::vertical()
        .id_salt("rates")
        .max_height(height)
        .show(ui, |ui| {
            TableBuilder::new(ui)
                .id_salt("rates_table")
                .striped(true)
                .column(Column::exact(90.0))
                .column(Column::exact(120.0))
                .columns(Column::exact(80.0), 5)
                .header(22.0, |mut h| {
                    for t in [
                        "市町村コード",
                        "市町村",
                        "街区",
                        "町丁・字",
                        "曖昧",
                        "不明",
                        "街区率",
                    ] {
                        h.col(|ui| {
                            ui.strong(t);
                        });
                    }
                })
                .body(|mut body| {
                    for r in report.rows.iter().chain(std::iter::once(&report.total)) {
                        body.row(20.0, |mut row| {
                            row.col(|ui| {
                                ui.label(&r.municipality_code);
                            });
                            row.col(|ui| {
                                ui.label(&r.municipality_name);
                            });
                            for n in [r.block, r.town, r.ambiguous, r.none] {
                                row.col(|ui| {
                                    ui.label(n.to_string());
                                });
                            }
                            row.col(|ui| {
                                let rate = r.block_rate() * 100.0;
                                let text = egui::RichText::new(format!("{rate:.2}%"));
                                ui.label(if rate < 99.0 && r.total() > 0 {
                                    text.color(ui.visuals().warn_fg_color)
                                } else {
                                    text
                                });
                            });
                        });
                    }
                });
        });
    ui.separator();
    ui.horizontal(|ui| {
        ui.strong("街区で照合できなかった住所");
        ui.add(
            egui::DragValue::new(&mut st.limit)
                .range(10..=100_000)
                .prefix("最大 ")
                .suffix(" 件"),
        );
        if ui.add_enabled(!busy, egui::Button::new("表示")).clicked() {
            cmds.push(Command::from(GeocodeCmd::Unmatched { limit: st.limit }));
        }
    });
    ui.label("住所は個人情報です。この一覧は画面にだけ表示し、ログには残しません。元の台帳を直して取り込み直すと、照合はやり直されます。");
    if let Some(rows) = &st.unmatched {
        ui.label(format!("{} 件", rows.len()));
        TableBuilder::new(ui)
            .id_salt("unmatched_table")
            .striped(true)
            .column(Column::exact(120.0))
            .column(Column::exact(90.0))
            .column(Column::exact(70.0))
            .column(Column::initial(420.0))
            .column(Column::remainder())
            .header(22.0, |mut h| {
                for t in [
                    "被保険者ID",
                    "市町村コード",
                    "一致",
                    "住所",
                    "候補の KEY_CODE",
                ] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, rows.len(), |mut row| {
                    let u = &rows[row.index()];
                    row.col(|ui| {
                        ui.label(&u.insured_id);
                    });
                    row.col(|ui| {
                        ui.label(&u.municipality_code);
                    });
                    row.col(|ui| {
                        ui.label(u.level.label());
                    });
                    row.col(|ui| {
                        ui.label(&u.address);
                    });
                    row.col(|ui| {
                        ui.label(u.candidates.join(", "));
                    });
                });
            });
    }
    cmds
}

impl super::AtlasApp {
    /// The address matching's answers.
    pub(super) fn on_geocode(&mut self, reply: crate::app::GeocodeReply) -> Vec<Command> {
        use crate::app::GeocodeReply;
        match reply {
            GeocodeReply::Geocoded(r) => {
                self.geocode.set_report(r);
                self.map.data_changed();
            }
            GeocodeReply::Status(r) => self.geocode.set_report(r),
            GeocodeReply::Unmatched(rows) => self.geocode.unmatched = Some(rows),
        }
        Vec::new()
    }
}
