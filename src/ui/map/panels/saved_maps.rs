//! 地図の保存: save the current map (choropleth, edited legend, layers, view, basemap,
//! facility conditions) under a name, and open or delete saved maps. The work is done by
//! the worker (`map::document`); this only sends commands.

use crate::app::MapCmd;
use eframe::egui;

use crate::app::Command;
use crate::ui::map::MapState;

pub(crate) fn saved_maps_ui(ui: &mut egui::Ui, st: &mut MapState) -> Vec<Command> {
    let mut cmds = Vec::new();
    egui::CollapsingHeader::new("地図の保存・呼出し")
        .id_salt("saved_maps")
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let lbl = ui.label("名前");
                ui.add(
                    egui::TextEdit::singleline(&mut st.saved.name)
                        .hint_text("例: 2021年度 町丁・字 受診率")
                        .desired_width(200.0),
                )
                .labelled_by(lbl.id);
                let can = !st.saved.name.trim().is_empty();
                if ui
                    .add_enabled(can, egui::Button::new("保存"))
                    .on_hover_text("同じ名前の地図は置き換えます")
                    .clicked()
                {
                    cmds.push(Command::from(MapCmd::SaveMap {
                        name: st.saved.name.trim().to_string(),
                        doc: Box::new(st.to_document()),
                    }));
                }
            });
            match &st.saved.list {
                None => {
                    ui.weak("読み込み中…");
                }
                Some(list) if list.is_empty() => {
                    ui.weak("保存した地図はまだありません");
                }
                Some(list) => {
                    egui::Grid::new("saved_maps_list")
                        .striped(true)
                        .num_columns(3)
                        .show(ui, |ui| {
                            for m in list {
                                ui.label(&m.name)
                                    .on_hover_text(format!("保存 {}", m.saved_at));
                                if ui.small_button("開く").clicked() {
                                    cmds.push(Command::from(MapCmd::OpenMap {
                                        name: m.name.clone(),
                                    }));
                                }
                                if ui.small_button("削除").clicked() {
                                    cmds.push(Command::from(MapCmd::DeleteMap {
                                        name: m.name.clone(),
                                    }));
                                }
                                ui.end_row();
                            }
                        });
                }
            }
        });
    cmds
}
