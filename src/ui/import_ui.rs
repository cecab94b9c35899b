//! 取込: pick files (several at once), see the detected kind, encoding, column mapping and
//! first rows, change the mapping by picking columns from a list, import with progress and
//! cancel, then read the result and the rejected rows — all inside the app, since rejected
//! rows hold personal data.

use std::path::PathBuf;

use eframe::egui;

use crate::app::Command;
use crate::import::kinds::KINDS;
use crate::import::profile::Profile;
use crate::import::{ImportOptions, ImportReport, Kind, Preview, TextEncoding, UserTableOptions};
use crate::store::Reject;

pub struct ImportState {
    pub folder: super::folder_ui::Folder,
    pub selected: Vec<PathBuf>,
    pub kind: Option<Kind>,
    pub encoding: Option<TextEncoding>,
    pub skip_invalid: bool,
    pub preview: Option<Preview>,
    /// Field label → chosen header, edited on screen.
    pub mapping_edit: Vec<(String, bool, Option<String>)>,
    pub reports: Vec<ImportReport>,
    pub rejects: Option<(i64, Vec<Reject>)>,
    pub table_name: String,
    pub header_row: u64,
    pub table_message: Option<String>,
}

impl ImportState {
    pub fn new(dir: PathBuf) -> ImportState {
        ImportState {
            folder: super::folder_ui::Folder::new(dir),
            selected: Vec::new(),
            kind: None,
            encoding: None,
            skip_invalid: false,
            preview: None,
            mapping_edit: Vec::new(),
            reports: Vec::new(),
            rejects: None,
            table_name: String::new(),
            header_row: 1,
            table_message: None,
        }
    }

    pub fn set_preview(&mut self, p: Preview) {
        self.mapping_edit = p.mapping.clone();
        self.preview = Some(p);
    }

    fn options(&self) -> ImportOptions {
        let custom = self.custom_profile();
        ImportOptions {
            kind: self.kind,
            encoding: self.encoding,
            skip_invalid: self.skip_invalid,
            custom_profile: custom,
            ..Default::default()
        }
    }

    /// A profile from the on-screen mapping, when the user changed it.
    fn custom_profile(&self) -> Option<Profile> {
        let p = self.preview.as_ref()?;
        if self.mapping_edit == p.mapping {
            return None;
        }
        let kind = Kind::from_id(p.kind?)?;
        let columns = kind
            .def()
            .fields
            .iter()
            .zip(&self.mapping_edit)
            .filter_map(|(f, (_, _, h))| h.clone().map(|h| (f.name.to_string(), vec![h])))
            .collect();
        Some(Profile {
            kind: kind.def().id.into(),
            label: "画面で指定した対応".into(),
            columns,
            path: None,
        })
    }
}

pub fn import_ui(ui: &mut egui::Ui, st: &mut ImportState, busy: bool) -> Vec<Command> {
    let mut cmds = Vec::new();
    ui.heading("取込");
    ui.label("KDB の CSV、医療機関・健診機関マスタ、受診勧奨対象者リスト、独自の CSV / Excel を取り込みます。");
    ui.columns(2, |cols| {
        let ui = &mut cols[0];
        ui.strong("1. ファイルを選ぶ（複数可）");
        // (file, now selected) for each checkbox changed this frame.
        let mut toggled: Vec<(PathBuf, bool)> = Vec::new();
        let selected = st.selected.clone();
        super::folder_ui::folder_ui(
            ui,
            &mut st.folder,
            &["csv", "txt", "tsv", "xlsx", "xlsm", "xls"],
            "files",
            260.0,
            |ui, f, name| {
                let mut on = selected.iter().any(|s| s == f);
                if ui.checkbox(&mut on, name).changed() {
                    toggled.push((f.to_path_buf(), on));
                }
            },
        );
        for (f, on) in toggled {
            if on {
                cmds.push(Command::Preview {
                    file: f.clone(),
                    opts: st.options(),
                });
                st.selected.push(f);
            } else {
                st.selected.retain(|s| s != &f);
            }
        }
        ui.label(format!("選択: {} ファイル", st.selected.len()));
        ui.separator();
        ui.strong("2. 設定");
        egui::ComboBox::from_label("種類")
            .selected_text(
                st.kind
                    .map_or("自動判別".to_string(), |k| k.def().label.to_string()),
            )
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut st.kind, None, "自動判別");
                for d in KINDS {
                    ui.selectable_value(&mut st.kind, Some(d.kind), d.label);
                }
            });
        egui::ComboBox::from_label("文字コード")
            .selected_text(st.encoding.map_or("自動判別", |e| e.label()))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut st.encoding, None, "自動判別");
                ui.selectable_value(
                    &mut st.encoding,
                    Some(TextEncoding::Cp932),
                    TextEncoding::Cp932.label(),
                );
                ui.selectable_value(
                    &mut st.encoding,
                    Some(TextEncoding::Utf8),
                    TextEncoding::Utf8.label(),
                );
            });
        ui.checkbox(
            &mut st.skip_invalid,
            "不正な行を除外して残りを取り込む（除外行は記録して画面で確認できます）",
        );
        ui.horizontal(|ui| {
            let can = !st.selected.is_empty() && !busy;
            if ui.add_enabled(can, egui::Button::new("取り込む")).clicked() {
                st.reports.clear();
                st.rejects = None;
                cmds.push(Command::Import {
                    files: st.selected.clone(),
                    opts: st.options(),
                });
            }
            if let Some(first) = st.selected.first()
                && ui.add_enabled(!busy, egui::Button::new("再確認")).clicked()
            {
                cmds.push(Command::Preview {
                    file: first.clone(),
                    opts: st.options(),
                });
            }
        });
        ui.separator();
        ui.strong("独自データとして取り込む（1 ファイル）");
        ui.horizontal(|ui| {
            ui.label("テーブル名");
            ui.text_edit_singleline(&mut st.table_name);
            ui.label("見出し行");
            ui.add(egui::DragValue::new(&mut st.header_row).range(1..=100));
        });
        if ui
            .add_enabled(
                st.selected.len() == 1 && !st.table_name.is_empty() && !busy,
                egui::Button::new("独自データを作成"),
            )
            .clicked()
        {
            cmds.push(Command::ImportTable {
                file: st.selected[0].clone(),
                opts: UserTableOptions {
                    name: st.table_name.clone(),
                    header_row: Some(st.header_row),
                    encoding: st.encoding,
                    ..Default::default()
                },
            });
        }
        if let Some(m) = &st.table_message {
            ui.label(m);
        }

        let ui = &mut cols[1];
        preview_ui(ui, st);
        ui.separator();
        results_ui(ui, st, &mut cmds);
    });
    cmds
}

fn preview_ui(ui: &mut egui::Ui, st: &mut ImportState) {
    ui.strong("3. 内容の確認");
    let Some(p) = &st.preview else {
        ui.label("ファイルを選ぶと、判別した種類・文字コード・列の対応・先頭の行を表示します。");
        return;
    };
    ui.label(format!(
        "{}: 種類 {} / 文字コード {} / 見出し {}行目",
        p.file,
        p.kind_label.unwrap_or("不明"),
        p.encoding.or(p.sheet.as_deref()).unwrap_or("-"),
        p.header_line.map_or("-".into(), |l| l.to_string())
    ));
    if let Some(problem) = &p.problem {
        ui.colored_label(egui::Color32::from_rgb(200, 40, 40), problem);
    }
    let headers = p.headers.clone();
    egui::ScrollArea::vertical()
        .id_salt("mapping")
        .max_height(200.0)
        .show(ui, |ui| {
            egui::Grid::new("mapping").striped(true).show(ui, |ui| {
                ui.strong("項目");
                ui.strong("ファイルの列");
                ui.end_row();
                for (i, (label, required, header)) in st.mapping_edit.iter_mut().enumerate() {
                    ui.label(if *required {
                        format!("{label} *")
                    } else {
                        label.clone()
                    });
                    egui::ComboBox::from_id_salt(("map", i))
                        .selected_text(header.clone().unwrap_or("（なし）".into()))
                        .show_ui(ui, |ui| {
                            ui.selectable_value(header, None, "（なし）");
                            for h in &headers {
                                ui.selectable_value(header, Some(h.clone()), h);
                            }
                        });
                    ui.end_row();
                }
            });
        });
    egui::ScrollArea::horizontal()
        .id_salt("rows")
        .show(ui, |ui| {
            egui::Grid::new("rows").striped(true).show(ui, |ui| {
                for h in &p.headers {
                    ui.strong(h);
                }
                ui.end_row();
                for row in p.rows.iter().take(8) {
                    for c in row {
                        ui.label(c);
                    }
                    ui.end_row();
                }
            });
        });
}

fn results_ui(ui: &mut egui::Ui, st: &mut ImportState, cmds: &mut Vec<Command>) {
    ui.strong("4. 結果");
    for r in &st.reports {
        let color = if r.is_success() {
            egui::Color32::from_rgb(20, 110, 40)
        } else {
            egui::Color32::from_rgb(200, 40, 40)
        };
        ui.colored_label(color, format!("【{}】{}", r.result.label(), r.message));
        for w in &r.warnings {
            ui.label(format!("注意: {w}"));
        }
        if r.rejected > 0
            && let Some(id) = r.import_id
            && ui
                .button(format!("除外・拒否した {} 行を見る", r.rejected))
                .clicked()
        {
            cmds.push(Command::Rejects { import_id: id });
        }
    }
    if let Some((id, rejects)) = &st.rejects {
        ui.label(format!(
            "取込ID {id} の除外・拒否行（{} 件）",
            rejects.len()
        ));
        egui::ScrollArea::vertical()
            .id_salt("rejects")
            .max_height(200.0)
            .show(ui, |ui| {
                egui::Grid::new("rejects").striped(true).show(ui, |ui| {
                    for h in ["行", "列", "値", "理由"] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for r in rejects.iter().take(1000) {
                        ui.label(r.line.to_string());
                        ui.label(r.column.as_deref().unwrap_or(""));
                        ui.label(r.value.as_deref().unwrap_or(""));
                        ui.label(&r.reason);
                        ui.end_row();
                    }
                });
            });
    }
}
