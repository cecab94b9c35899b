//! 取込: pick files (several at once), see the detected kind, encoding, column mapping and
//! first rows, change the mapping by picking columns from a list, import with progress and
//! cancel, then read the result and the rejected rows — all inside the app, since rejected
//! rows hold personal data. A re-import refused because it would replace a period with
//! noticeably fewer rows shows the old and new counts and asks before importing again.

use crate::app::ImportCmd;
use std::path::PathBuf;

use eframe::egui;

use crate::app::Command;
use crate::import::profile::Profile;
use crate::import::{ImportOptions, ImportReport, Kind, Preview, TextEncoding, UserTableOptions};
use crate::store::Reject;
use crate::store::kinds::KINDS;

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
    /// The files of the last import, in order: `reports[i]` is of `imported[i]`.
    pub imported: Vec<PathBuf>,
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
            imported: Vec::new(),
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
    super::theme::heading(ui, "取込");
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
                cmds.push(Command::from(ImportCmd::Preview {
                    file: f.clone(),
                    opts: st.options(),
                }));
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
                st.imported = st.selected.clone();
                cmds.push(Command::from(ImportCmd::Import {
                    files: st.selected.clone(),
                    opts: st.options(),
                }));
            }
            if let Some(first) = st.selected.first()
                && ui.add_enabled(!busy, egui::Button::new("再確認")).clicked()
            {
                cmds.push(Command::from(ImportCmd::Preview {
                    file: first.clone(),
                    opts: st.options(),
                }));
            }
        });
        ui.separator();
        ui.strong("独自データとして取り込む（1 ファイル）");
        ui.horizontal(|ui| {
            let name = ui.label("表示名");
            ui.add(
                egui::TextEdit::singleline(&mut st.table_name)
                    .char_limit(100)
                    .hint_text("例: 勤務地一覧（1〜100 文字）"),
            )
            .labelled_by(name.id)
            .on_hover_text("一覧や検索に出る名前です。同じ表示名で取り込むと、その独自データだけを置き換えます");
            let row = ui.label("見出し行");
            ui.add(egui::DragValue::new(&mut st.header_row).range(1..=100))
                .labelled_by(row.id);
        });
        if ui
            .add_enabled(
                st.selected.len() == 1 && !st.table_name.is_empty() && !busy,
                egui::Button::new("独自データを作成"),
            )
            .clicked()
        {
            cmds.push(Command::from(ImportCmd::ImportTable {
                file: st.selected[0].clone(),
                opts: UserTableOptions {
                    name: st.table_name.clone(),
                    header_row: Some(st.header_row),
                    encoding: st.encoding,
                    ..Default::default()
                },
            }));
        }
        if let Some(m) = &st.table_message {
            ui.label(m);
        }

        let ui = &mut cols[1];
        preview_ui(ui, st);
        ui.separator();
        results_ui(ui, st, busy, &mut cmds);
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

fn results_ui(ui: &mut egui::Ui, st: &mut ImportState, busy: bool, cmds: &mut Vec<Command>) {
    ui.strong("4. 結果");
    let mut confirmed: Option<PathBuf> = None;
    for (i, r) in st.reports.iter().enumerate() {
        let color = if r.is_success() {
            egui::Color32::from_rgb(20, 110, 40)
        } else {
            egui::Color32::from_rgb(200, 40, 40)
        };
        let label = if r.needs_fewer_confirmation() {
            "行数が減るため中止"
        } else {
            r.result.label()
        };
        ui.colored_label(color, format!("【{label}】{}", r.message));
        for w in &r.warnings {
            ui.label(format!("注意: {w}"));
        }
        if !r.fewer_rows.is_empty() {
            fewer_rows_grid(ui, i, r);
        }
        if r.needs_fewer_confirmation()
            && let Some(path) = st.imported.get(i)
            && ui
                .add_enabled(
                    !busy,
                    egui::Button::new(format!("{}: 行数が減っても置き換える", r.file)),
                )
                .clicked()
        {
            confirmed = Some(path.clone());
        }
        if r.rejected > 0
            && let Some(id) = r.import_id
            && ui
                .button(format!("除外・拒否した {} 行を見る", r.rejected))
                .clicked()
        {
            cmds.push(Command::from(ImportCmd::Rejects { import_id: id }));
        }
    }
    if let Some(path) = confirmed {
        // The same file again, allowed to replace the periods with fewer rows.
        cmds.push(Command::from(ImportCmd::Import {
            files: vec![path.clone()],
            opts: ImportOptions {
                allow_fewer: true,
                ..st.options()
            },
        }));
        st.reports.clear();
        st.rejects = None;
        st.imported = vec![path];
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

/// The periods a report replaces (or would) with fewer rows: before, after, change.
fn fewer_rows_grid(ui: &mut egui::Ui, i: usize, r: &ImportReport) {
    egui::Grid::new(("fewer", i)).striped(true).show(ui, |ui| {
        for h in ["保険者番号", "期間", "取込済みの行数", "今回の行数", "増減"]
        {
            ui.strong(h);
        }
        ui.end_row();
        for p in &r.fewer_rows {
            ui.label(&p.insurer);
            ui.label(format!("{} {}", p.period_label, p.period));
            ui.label(p.before.to_string());
            ui.label(p.after.to_string());
            let change = if p.before > 0 {
                (p.after as f64 - p.before as f64) / p.before as f64 * 100.0
            } else {
                0.0
            };
            ui.label(format!("{change:+.1}%"));
            ui.end_row();
        }
    });
}

impl super::AtlasApp {
    /// The import domain's answers.
    pub(super) fn on_import(&mut self, reply: crate::app::ImportReply) -> Vec<Command> {
        use crate::app::ImportReply;
        let mut next = Vec::new();
        match reply {
            ImportReply::DemoReady { .. } => {
                next.push(Command::from(ImportCmd::Stats));
                next.push(self.home.command());
            }
            ImportReply::Stats(s) => {
                self.map.set_fiscal_years(s.fiscal_years.clone());
                next.extend(self.home.set_stats(*s));
            }
            ImportReply::Preview(p) => self.import.set_preview(*p),
            ImportReply::Imported {
                reports,
                failed,
                geocode,
            } => {
                self.import.reports = reports;
                let mut problems: Vec<String> = failed.iter().map(|e| e.to_string()).collect();
                match geocode {
                    Some(Ok(r)) => self.geocode.set_report(r),
                    Some(Err(e)) => problems.push(e.to_string()),
                    None => {}
                }
                if !problems.is_empty() {
                    self.last_error = Some(problems.join("\n"));
                }
                self.map.data_changed();
                next.push(Command::from(ImportCmd::Stats));
            }
            ImportReply::TableImported(r) => {
                self.import.table_message = Some(r.message);
                next.push(Command::from(ImportCmd::Stats));
            }
            ImportReply::Rejects { import_id, rejects } => {
                self.import.rejects = Some((import_id, rejects))
            }
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::FewerRows;
    use crate::store::ImportResult;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    struct Screen {
        st: ImportState,
        sent: Vec<Command>,
    }

    fn refused(file: &str) -> ImportReport {
        ImportReport {
            import_id: Some(7),
            file: file.into(),
            kind: Some("claims"),
            table: Some("claims"),
            encoding: Some("Shift_JIS (CP932)"),
            result: ImportResult::Rejected,
            rows: 0,
            rejected: 0,
            total_rows_dropped: 0,
            replaced: 0,
            message: format!("{file}: 行数が減るため取り込んでいません"),
            rejects: Vec::new(),
            institution_match: None,
            warnings: Vec::new(),
            fewer_rows: vec![FewerRows {
                insurer: "290016".into(),
                period: "2021-04".into(),
                period_label: "診療年月",
                before: 17848,
                after: 15702,
            }],
        }
    }

    #[test]
    fn a_refusal_for_fewer_rows_shows_the_counts_and_confirming_imports_again_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let mut st = ImportState::new(dir.path().to_path_buf());
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.csv");
        st.imported = vec![a.clone(), b.clone()];
        let mut ok = refused("a.csv");
        ok.result = ImportResult::Ok;
        ok.fewer_rows.clear();
        st.reports = vec![ok, refused("b.csv")];
        let mut h = Harness::builder()
            .with_size(egui::vec2(1400.0, 900.0))
            .with_context_setup(crate::ui::install_theme)
            .build_ui_state(
                |ui, s: &mut Screen| {
                    let cmds = import_ui(ui, &mut s.st, false);
                    s.sent.extend(cmds);
                },
                Screen {
                    st,
                    sent: Vec::new(),
                },
            );
        h.run();
        // The old and new counts are on screen; only the refused file has the button.
        for text in ["17848", "15702", "-12.0%", "診療年月 2021-04"] {
            assert!(h.query_by_label(text).is_some(), "{text} is shown");
        }
        assert!(
            h.query_by_label("a.csv: 行数が減っても置き換える")
                .is_none()
        );
        h.get_by_label("b.csv: 行数が減っても置き換える").click();
        h.run();
        let sent: Vec<&Command> = h
            .state()
            .sent
            .iter()
            .filter(|c| matches!(c, Command::Import(ImportCmd::Import { .. })))
            .collect();
        assert_eq!(sent.len(), 1);
        match sent[0] {
            Command::Import(ImportCmd::Import { files, opts }) => {
                assert_eq!(files, &vec![b.clone()]);
                assert!(opts.allow_fewer);
            }
            _ => unreachable!(),
        }
        // The old result is gone while the import runs again.
        assert!(h.state().st.reports.is_empty());
        assert_eq!(h.state().st.imported, vec![b]);
    }
}
