//! The データ screen (データの検索・追加・削除): every data table and user table; a page of
//! rows filtered by one column and sorted by a header click; a row added through a form
//! with a field per column, or edited, or deleted after a confirmation; and the table's
//! history: hand changes (before and after) beside its imports.

use eframe::egui;

use crate::app::Command;
use crate::app::domain::data::{DataCmd, DataReply, TableInfo};
use crate::store::ImportRecord;
use crate::store::data_rows::{Browse, Column, DataTable, EditRecord, Page};

const PAGE: u64 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Rows,
    History,
}

/// A row being typed: added, or edited (with what it showed and where it came from).
pub struct Form {
    pub edit: Option<(i64, Vec<Option<String>>, bool, Option<i64>)>,
    pub values: Vec<String>,
}

#[derive(Default)]
pub struct DataState {
    requested: bool,
    pub tables: Option<Vec<TableInfo>>,
    pub table: Option<DataTable>,
    pub browse: Browse,
    pub filter_col: usize,
    pub filter_text: String,
    pub columns: Vec<Column>,
    pub page: Option<Page>,
    /// A row picked (index into the page).
    pub selected: Option<usize>,
    pub form: Option<Form>,
    pub deleting: Option<(i64, Vec<Option<String>>)>,
    pub history: Option<(Vec<EditRecord>, Vec<ImportRecord>)>,
    pub tab: Tab,
    pub message: Option<String>,
    pub may_view: bool,
    pub may_edit: bool,
}

fn browse(t: DataTable, b: &Browse) -> Command {
    Command::from(DataCmd::Browse {
        table: t,
        browse: b.clone(),
    })
}

pub fn data_ui(ui: &mut egui::Ui, st: &mut DataState) -> Vec<Command> {
    let mut cmds = Vec::new();
    if !st.requested {
        st.requested = true;
        cmds.push(Command::from(DataCmd::Tables));
    }
    egui::Panel::left("data_tables")
        .resizable(true)
        .default_size(300.0)
        .min_size(260.0)
        .show(ui, |ui| {
            ui.set_min_width(260.0);
            ui.heading("テーブル");
            let Some(tables) = &st.tables else {
                ui.weak("読み込み中…");
                return;
            };
            egui::ScrollArea::vertical()
                .id_salt("tables")
                .show(ui, |ui| {
                    for t in tables {
                        let on = st.table == Some(t.table);
                        let text = format!("{}（{} 行）", t.label, t.rows);
                        if ui.selectable_label(on, text).clicked() && st.may_view {
                            st.table = Some(t.table);
                            st.browse = Browse {
                                limit: PAGE,
                                ..Default::default()
                            };
                            st.filter_text.clear();
                            st.filter_col = 0;
                            st.selected = None;
                            st.form = None;
                            st.history = None;
                            st.tab = Tab::Rows;
                            cmds.push(browse(t.table, &st.browse));
                        }
                    }
                });
        });
    egui::CentralPanel::default().show(ui, |ui| {
        if let Some(m) = &st.message {
            ui.colored_label(ui.visuals().warn_fg_color, m);
        }
        if !st.may_view {
            ui.label("データを見るには「個人情報の閲覧」の権限が必要です");
            return;
        }
        let Some(t) = st.table else {
            ui.weak("左の一覧からテーブルを選んでください。見た行数は利用ログに記録されます。");
            return;
        };
        ui.horizontal(|ui| {
            ui.selectable_value(&mut st.tab, Tab::Rows, "行");
            if ui
                .selectable_value(&mut st.tab, Tab::History, "変更履歴")
                .clicked()
            {
                cmds.push(Command::from(DataCmd::History { table: t }));
            }
        });
        ui.separator();
        match st.tab {
            Tab::Rows => rows_ui(ui, st, t, &mut cmds),
            Tab::History => history_ui(ui, st),
        }
    });
    cmds
}

fn rows_ui(ui: &mut egui::Ui, st: &mut DataState, t: DataTable, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let l = ui.label("絞り込む列");
        let current = st
            .columns
            .get(st.filter_col)
            .map_or("（列）".to_string(), |c| c.label.clone());
        egui::ComboBox::from_id_salt("filter_col")
            .selected_text(current)
            .show_ui(ui, |ui| {
                for (i, c) in st.columns.iter().enumerate() {
                    ui.selectable_value(&mut st.filter_col, i, &c.label);
                }
            })
            .response
            .labelled_by(l.id);
        let l = ui.label("含む文字");
        ui.text_edit_singleline(&mut st.filter_text)
            .labelled_by(l.id);
        if ui.button("絞り込む").clicked() {
            st.browse.filter = Some((st.filter_col, st.filter_text.clone()));
            st.browse.offset = 0;
            cmds.push(browse(t, &st.browse));
        }
        if st.may_edit && ui.button("行を追加").clicked() {
            st.form = Some(Form {
                edit: None,
                values: vec![String::new(); st.columns.len()],
            });
        }
    });
    if !st.may_edit {
        ui.weak("追加・修正・削除には「編集」の権限が必要です");
    }
    form_ui(ui, st, t, cmds);
    if let Some((rowid, expected)) = st.deleting.clone() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "選んだ行を削除します。よろしいですか（削除は変更履歴と取込履歴に残ります）",
        );
        ui.horizontal(|ui| {
            if ui.button("削除する").clicked() {
                cmds.push(Command::from(DataCmd::Delete {
                    table: t,
                    rowid,
                    expected,
                }));
                st.deleting = None;
            } else if ui.button("やめる").clicked() {
                st.deleting = None;
            }
        });
    }
    let Some(page) = &st.page else {
        ui.weak("読み込み中…");
        return;
    };
    let total = page.total;
    ui.horizontal(|ui| {
        let from = st.browse.offset + 1;
        let to = (st.browse.offset + page.rows.len() as u64).max(st.browse.offset);
        if ui
            .add_enabled(st.browse.offset > 0, egui::Button::new("◀ 前"))
            .clicked()
        {
            st.browse.offset = st.browse.offset.saturating_sub(PAGE);
            cmds.push(browse(t, &st.browse));
        }
        ui.label(format!("{from}〜{to} 行目（全 {total} 行）"));
        if ui
            .add_enabled(to < total, egui::Button::new("次 ▶"))
            .clicked()
        {
            st.browse.offset += PAGE;
            cmds.push(browse(t, &st.browse));
        }
        if let Some(i) = st.selected
            && let Some(row) = page.rows.get(i)
            && st.may_edit
        {
            ui.separator();
            if ui.button("選んだ行を修正").clicked() {
                st.form = Some(Form {
                    edit: Some((row.rowid, row.values.clone(), row.manual, row.import_id)),
                    values: row
                        .values
                        .iter()
                        .map(|v| v.clone().unwrap_or_default())
                        .collect(),
                });
            }
            if ui.button("選んだ行を削除").clicked() {
                st.deleting = Some((row.rowid, row.values.clone()));
            }
        }
    });
    let mut sort = None;
    let mut pick = None;
    egui::ScrollArea::both()
        .id_salt("data_rows")
        .max_height(ui.available_height().max(200.0))
        .show(ui, |ui| {
            egui::Grid::new("data_grid").striped(true).show(ui, |ui| {
                ui.strong("");
                for (i, c) in st.columns.iter().enumerate() {
                    let arrow = match st.browse.sort {
                        Some((k, false)) if k == i => " ▲",
                        Some((k, true)) if k == i => " ▼",
                        _ => "",
                    };
                    if ui
                        .add(
                            egui::Button::new(
                                egui::RichText::new(format!("{}{arrow}", c.label)).strong(),
                            )
                            .frame(false),
                        )
                        .on_hover_text("クリックで並べ替え")
                        .clicked()
                    {
                        sort = Some(i);
                    }
                }
                ui.end_row();
                for (i, row) in page.rows.iter().enumerate() {
                    let tag = if row.manual { "手入力" } else { "選ぶ" };
                    if ui
                        .selectable_label(st.selected == Some(i), tag)
                        .on_hover_text("この行を選ぶ")
                        .clicked()
                    {
                        pick = Some(i);
                    }
                    for v in &row.values {
                        ui.label(v.as_deref().unwrap_or(""));
                    }
                    ui.end_row();
                }
            });
        });
    if let Some(i) = pick {
        st.selected = Some(i);
    }
    if let Some(c) = sort {
        let desc = matches!(st.browse.sort, Some((k, false)) if k == c);
        st.browse.sort = Some((c, desc));
        st.browse.offset = 0;
        cmds.push(browse(t, &st.browse));
    }
}

fn form_ui(ui: &mut egui::Ui, st: &mut DataState, t: DataTable, cmds: &mut Vec<Command>) {
    let Some(form) = &mut st.form else { return };
    let mut close = false;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        match &form.edit {
            None => ui.strong("行の追加（手入力）: 取込と同じ規則で確かめます。手入力の行は取込で置き換わりません。"),
            Some((_, _, true, _)) => ui.strong("手入力の行の修正"),
            Some((_, _, false, id)) => ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "取込の行（取込ID {}）の修正です。同じキー・期間のファイルを取り込み直すと、この修正は取込の値に置き換わります（変更履歴には両方が残ります）。",
                    id.map(|i| i.to_string()).unwrap_or_default()
                ),
            ),
        };
        egui::Grid::new("data_form").num_columns(2).show(ui, |ui| {
            for (c, v) in st.columns.iter().zip(form.values.iter_mut()) {
                let l = ui.label(&c.label);
                ui.text_edit_singleline(v).labelled_by(l.id);
                ui.end_row();
            }
        });
        ui.horizontal(|ui| {
            if ui.button("保存").clicked() {
                cmds.push(Command::from(match &form.edit {
                    None => DataCmd::Add {
                        table: t,
                        values: form.values.clone(),
                    },
                    Some((rowid, expected, _, _)) => DataCmd::Edit {
                        table: t,
                        rowid: *rowid,
                        expected: expected.clone(),
                        values: form.values.clone(),
                    },
                }));
            }
            if ui.button("やめる").clicked() {
                close = true;
            }
        });
    });
    if close {
        st.form = None;
    }
}

fn history_ui(ui: &mut egui::Ui, st: &DataState) {
    let Some((edits, imports)) = &st.history else {
        ui.weak("読み込み中…");
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("data_history")
        .show(ui, |ui| {
            ui.strong("手による変更");
            if edits.is_empty() {
                ui.weak("ありません");
            }
            egui::Grid::new("edits_grid").striped(true).show(ui, |ui| {
                for h in ["日時", "操作", "利用者", "取込ID", "変更前", "変更後"] {
                    ui.strong(h);
                }
                ui.end_row();
                for e in edits {
                    ui.label(&e.at);
                    ui.label(match e.op.as_str() {
                        "add" => "追加",
                        "edit" => "修正",
                        "delete" => "削除",
                        o => o,
                    });
                    ui.label(&e.by);
                    ui.label(e.import_id.map(|i| i.to_string()).unwrap_or_default());
                    ui.label(e.old_values.as_deref().unwrap_or(""));
                    ui.label(e.new_values.as_deref().unwrap_or(""));
                    ui.end_row();
                }
            });
            ui.separator();
            ui.strong("取込");
            egui::Grid::new("imports_grid")
                .striped(true)
                .show(ui, |ui| {
                    for h in ["取込ID", "ファイル", "種類", "行数", "手で削除", "日時"]
                    {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for r in imports {
                        ui.label(r.id.to_string());
                        ui.label(&r.file);
                        ui.label(if r.source == "manual" {
                            "手入力"
                        } else {
                            "ファイル"
                        });
                        ui.label(r.rows.to_string());
                        ui.label(r.deleted_by_hand.to_string());
                        ui.label(&r.started_at);
                        ui.end_row();
                    }
                });
        });
}

impl super::AtlasApp {
    pub(super) fn on_data(&mut self, reply: DataReply) -> Vec<Command> {
        receive(&mut self.data, reply)
    }
}

/// The データ screen's answers.
pub fn receive(st: &mut DataState, reply: DataReply) -> Vec<Command> {
    match reply {
        DataReply::Tables(t) => st.tables = Some(t),
        DataReply::Page {
            table,
            browse: b,
            columns,
            page,
        } => {
            if st.table == Some(table) {
                st.columns = columns;
                st.page = Some(page);
                st.browse = b;
                st.selected = None;
            }
        }
        DataReply::Changed { table, what } => {
            st.message = Some(what);
            st.form = None;
            st.requested = false;
            return vec![
                browse(table, &st.browse),
                Command::from(DataCmd::History { table }),
            ];
        }
        DataReply::History {
            table,
            edits,
            imports,
        } => {
            if st.table == Some(table) {
                st.history = Some((edits, imports));
            }
        }
    }
    Vec::new()
}
