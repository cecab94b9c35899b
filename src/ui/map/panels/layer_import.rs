//! レイヤの取込 (a window opened from the layer panel): pick a shapefile or GeoJSON, set
//! the name, the attribute encoding, the CRS (from `.prj` by default), a dissolve field
//! and replacement. When the file has no `.prj`, or its coordinates fit another CRS than
//! the one given, the worker answers with the CRS that fits the coordinates and this
//! window asks the user to confirm or choose another, as the CLI asks for `--crs`. A
//! refused encoding names the one that reads the file; it is chosen here as 文字コード.
//! Nothing is stored until the import succeeds.

use crate::app::MapCmd;
use std::path::PathBuf;

use eframe::egui;

use crate::app::Command;
use crate::geo::crs::Crs;
use crate::import::encoding::TextEncoding;
use crate::layers::LayerOptions;

pub struct LayerImportState {
    pub open: bool,
    folder: crate::ui::folder_ui::Folder,
    pub file: Option<PathBuf>,
    pub name: String,
    pub encoding: Option<TextEncoding>,
    /// `None`: the `.prj`.
    pub crs: Option<Crs>,
    pub dissolve: String,
    pub replace: bool,
    /// The last answer: a message, and whether a CRS must be chosen.
    pub message: Option<(String, bool)>,
    pub busy: bool,
}

impl Default for LayerImportState {
    fn default() -> Self {
        LayerImportState {
            open: false,
            folder: crate::ui::folder_ui::Folder::new(std::env::current_dir().unwrap_or_default()),
            file: None,
            name: String::new(),
            encoding: None,
            crs: None,
            dissolve: String::new(),
            replace: false,
            message: None,
            busy: false,
        }
    }
}

impl LayerImportState {
    /// The worker's answer. Returns true when a layer was stored (the map reloads).
    pub fn answered(
        &mut self,
        result: Result<crate::layers::LayerInfo, crate::layers::LayerError>,
        needs_crs: bool,
        guess: Option<Crs>,
    ) -> bool {
        self.busy = false;
        match result {
            Ok(info) => {
                let mut msg = format!(
                    "レイヤ「{}」を取り込みました（{} 件、{}）。",
                    info.name, info.feature_count, info.source_crs
                );
                for n in &info.notes {
                    msg.push_str(n);
                }
                self.message = Some((msg, false));
                self.file = None;
                self.name.clear();
                self.crs = None;
                true
            }
            Err(e) => {
                if needs_crs {
                    // Preselect the guess; the user confirms or picks another.
                    self.crs = guess;
                }
                self.message = Some((e.to_string(), needs_crs));
                false
            }
        }
    }
}

fn crs_text(c: Option<Crs>) -> String {
    match c {
        None => ".prj に従う".into(),
        Some(c) => format!("{}（EPSG:{}）", c.label(), c.epsg()),
    }
}

pub(crate) fn layer_import_window(ctx: &egui::Context, st: &mut LayerImportState) -> Vec<Command> {
    let mut cmds = Vec::new();
    let mut open = st.open;
    egui::Window::new("レイヤの取込")
        .open(&mut open)
        .default_width(520.0)
        .show(ctx, |ui| {
            ui.label("シェープファイル（.shp と同じ名前の .shx・.dbf・.prj・.cpg）か GeoJSON を選びます。");
            let mut clicked: Option<PathBuf> = None;
            let current = st.file.clone();
            crate::ui::folder_ui::folder_ui(
                ui,
                &mut st.folder,
                &["shp", "geojson", "json"],
                "layer_files",
                200.0,
                |ui, f, name| {
                    if ui
                        .selectable_label(current.as_deref() == Some(f), name)
                        .clicked()
                    {
                        clicked = Some(f.to_path_buf());
                    }
                },
            );
            if let Some(f) = clicked {
                st.name = f
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                st.file = Some(f);
                st.crs = None;
                st.message = None;
            }
            ui.separator();
            egui::Grid::new("layer_import_opts")
                .num_columns(2)
                .show(ui, |ui| {
                    let lbl = ui.label("レイヤ名");
                    ui.text_edit_singleline(&mut st.name).labelled_by(lbl.id);
                    ui.end_row();
                    crate::ui::widgets::choice_row(
                        ui,
                        "文字コード",
                        "layer_enc",
                        &mut st.encoding,
                        [
                            (None, "自動（.cpg または判定）".to_string()),
                            (Some(TextEncoding::Cp932), TextEncoding::Cp932.label().to_string()),
                            (Some(TextEncoding::Utf8), TextEncoding::Utf8.label().to_string()),
                        ],
                    );
                    let lbl = ui.label("座標系");
                    egui::ComboBox::from_id_salt("layer_crs")
                        .selected_text(crs_text(st.crs))
                        .width(300.0)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut st.crs, None, crs_text(None));
                            for c in Crs::all() {
                                ui.selectable_value(&mut st.crs, Some(c), crs_text(Some(c)));
                            }
                        })
                        .response
                        .labelled_by(lbl.id);
                    ui.end_row();
                    let lbl = ui.label("属性で統合（任意）");
                    ui.add(egui::TextEdit::singleline(&mut st.dissolve).hint_text("例: KEY_CODE"))
                        .labelled_by(lbl.id);
                    ui.end_row();
                    ui.label("");
                    ui.checkbox(&mut st.replace, "同じ名前のレイヤを置き換える");
                    ui.end_row();
                });
            if let Some((msg, needs_crs)) = &st.message {
                let color = if *needs_crs || msg.contains("取り込みました") {
                    ui.visuals().text_color()
                } else {
                    ui.visuals().error_fg_color
                };
                ui.colored_label(color, msg);
                if *needs_crs {
                    ui.strong("座標系を選んで、もう一度「取り込む」を押してください。");
                }
            }
            let ready = st.file.is_some() && !st.name.trim().is_empty() && !st.busy;
            if ui.add_enabled(ready, egui::Button::new("取り込む")).clicked()
                && let Some(file) = st.file.clone()
            {
                st.busy = true;
                st.message = None;
                cmds.push(Command::from(MapCmd::ImportLayer {
                    file,
                    opts: LayerOptions {
                        name: Some(st.name.trim().to_string()),
                        encoding: st.encoding,
                        crs: st.crs,
                        dissolve: (!st.dissolve.trim().is_empty())
                            .then(|| st.dissolve.trim().to_string()),
                        replace: st.replace,
                    },
                }));
            }
            if st.busy {
                ui.spinner();
            }
        });
    st.open = open;
    cmds
}
