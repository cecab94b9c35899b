//! The 抽出リスト screen: the saved lists (open, rename, delete, combine), the opened list
//! with its members (checkboxes, shift-click ranges), rows taken out with a reason (the
//! 除外した行 tab), marks set in bulk on the rows selected, and the match with the
//! recommendation list or a user table with its report (突合).

use std::collections::{BTreeMap, BTreeSet};

use eframe::egui;

use super::result_table::ResultTable;
use crate::analysis::frame;
use crate::app::Command;
use crate::app::domain::extract::{ExtractCmd, ExtractReply, Keep, SetOp};
use crate::app::domain::marks::{MarkCmd, MarkReply};
use crate::search::match_sides::{Partner, guess_column};
use crate::search::matching::{MatchField, MatchKey, MatchOutcome};
use crate::search::run::col;
use crate::store::extractions::{Excluded, Extraction};
use crate::store::marks::{MarkKind, NewMark, Reason};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Members,
    Excluded,
    Match,
}

/// The opened list.
pub struct Opened {
    pub list: Extraction,
    pub table: Option<ResultTable>,
    /// The key (insured id) of each row of the table's frame, read once.
    keys: Vec<Option<String>>,
    pub excluded: Vec<Excluded>,
}

pub struct ExtractState {
    /// The 出力 window asked for (taken by the app).
    pub export: Option<super::export_ui::Request>,
    requested: bool,
    pub lists: Option<Vec<Extraction>>,
    pub opened: Option<Opened>,
    pub tab: Tab,
    /// The reason typed for taking rows out.
    pub exclude_reason: String,
    pub mark: MarkKind,
    pub mark_reason: Reason,
    pub mark_note: String,
    pub renaming: Option<(String, String)>,
    pub deleting: Option<String>,
    /// A, operation, B, name of the new list.
    pub combine: (String, SetOp, String, String),
    /// User tables and their headers; `None` until asked.
    pub partners: Option<Vec<(String, Vec<String>)>>,
    /// `None`: the recommendation list; `Some(name)`: a user table.
    pub partner: Option<String>,
    pub columns: BTreeMap<MatchField, String>,
    pub keys: BTreeSet<MatchKey>,
    pub keep: Keep,
    pub result_name: String,
    /// The last match: the list matched, the list it made and the report.
    pub report: Option<(String, String, MatchOutcome)>,
    pub message: Option<String>,
    pub may_list: bool,
    pub may_edit: bool,
    /// The shape drawn on the map (set by the app): rows inside it can be selected.
    pub map_shape: Option<crate::search::Place>,
}

impl Default for ExtractState {
    fn default() -> Self {
        ExtractState {
            export: None,
            requested: false,
            lists: None,
            opened: None,
            tab: Tab::Members,
            exclude_reason: String::new(),
            mark: MarkKind::Excluded,
            mark_reason: Reason::Hospital,
            mark_note: String::new(),
            renaming: None,
            deleting: None,
            combine: (String::new(), SetOp::And, String::new(), String::new()),
            partners: None,
            partner: None,
            columns: BTreeMap::new(),
            keys: [MatchKey::KigoBango].into(),
            keep: Keep::Match,
            result_name: String::new(),
            report: None,
            message: None,
            may_list: false,
            may_edit: false,
            map_shape: None,
        }
    }
}

impl ExtractState {
    /// The keys (insured ids) of the rows selected in the opened list.
    pub fn selected_keys(&self) -> Vec<String> {
        let Some(o) = &self.opened else {
            return Vec::new();
        };
        let Some(t) = &o.table else {
            return Vec::new();
        };
        t.selected
            .iter()
            .filter_map(|&r| o.keys.get(r).cloned().flatten())
            .collect()
    }
}

fn open(name: &str) -> Command {
    Command::from(ExtractCmd::Show { name: name.into() })
}

pub fn extract_ui(ui: &mut egui::Ui, st: &mut ExtractState) -> Vec<Command> {
    let mut cmds = Vec::new();
    if !st.requested {
        st.requested = true;
        cmds.push(Command::from(ExtractCmd::Lists));
        cmds.push(Command::from(ExtractCmd::Partners));
    }
    egui::Panel::left("extraction_lists")
        .resizable(true)
        .default_size(430.0)
        .show(ui, |ui| lists_ui(ui, st, &mut cmds));
    egui::CentralPanel::default().show(ui, |ui| {
        if let Some(m) = &st.message {
            ui.colored_label(ui.visuals().warn_fg_color, m);
        }
        if !st.may_list {
            ui.label("抽出リストを開くには「個人情報の閲覧」の権限が必要です（一覧の名前と件数は見られます）");
            return;
        }
        let Some(o) = &st.opened else {
            ui.weak("左の一覧からリストを開いてください。検索の画面の「抽出（リストに保存）」で新しいリストを作れます。");
            return;
        };
        ui.heading(format!("{}（{} 人）", o.list.name, o.list.count));
        ui.weak(format!(
            "{}　{}年度　作成 {} {}",
            o.list.origin,
            o.list.fy.map(|y| y.to_string()).unwrap_or_default(),
            o.list.made_by,
            o.list.made_at
        ));
        ui.weak("開いたことは利用ログに記録されます。リストは作成時点の写しで、その後の取込では変わりません。");
        ui.horizontal(|ui| {
            ui.selectable_value(&mut st.tab, Tab::Members, "一覧");
            let n = o.excluded.len();
            ui.selectable_value(&mut st.tab, Tab::Excluded, format!("除外した行（{n}）"));
            ui.selectable_value(&mut st.tab, Tab::Match, "突合");
        });
        ui.separator();
        match st.tab {
            Tab::Members => members_ui(ui, st, &mut cmds),
            Tab::Excluded => excluded_ui(ui, st),
            Tab::Match => match_ui(ui, st, &mut cmds),
        }
    });
    cmds
}

fn lists_ui(ui: &mut egui::Ui, st: &mut ExtractState, cmds: &mut Vec<Command>) {
    ui.heading("抽出リスト");
    let Some(lists) = &st.lists else {
        ui.weak("読み込み中…");
        return;
    };
    if lists.is_empty() {
        ui.weak("まだリストがありません。");
    }
    egui::ScrollArea::vertical()
        .id_salt("lists")
        .max_height(ui.available_height() * 0.6)
        .show(ui, |ui| {
            egui::Grid::new("lists_grid").striped(true).show(ui, |ui| {
                ui.strong("名前");
                ui.strong("人数");
                ui.strong("年度");
                ui.strong("");
                ui.end_row();
                for l in lists {
                    let open_now = st.opened.as_ref().is_some_and(|o| o.list.name == l.name);
                    if ui
                        .selectable_label(open_now, &l.name)
                        .on_hover_text(format!("{}\n作成 {} {}", l.origin, l.made_by, l.made_at))
                        .clicked()
                        && st.may_list
                    {
                        cmds.push(open(&l.name));
                    }
                    ui.label(l.count.to_string());
                    ui.label(l.fy.map(|y| y.to_string()).unwrap_or_default());
                    ui.horizontal(|ui| {
                        if st.may_edit && ui.small_button("名前の変更").clicked() {
                            st.renaming = Some((l.name.clone(), l.name.clone()));
                        }
                        if st.may_edit && ui.small_button("削除").clicked() {
                            st.deleting = Some(l.name.clone());
                        }
                    });
                    ui.end_row();
                }
            });
        });
    let mut done = false;
    if let Some((from, to)) = &mut st.renaming {
        ui.separator();
        ui.label(format!("「{from}」の新しい名前"));
        ui.text_edit_singleline(to);
        ui.horizontal(|ui| {
            if ui.button("変更").clicked() {
                cmds.push(Command::from(ExtractCmd::Rename {
                    name: from.clone(),
                    to: to.clone(),
                }));
                done = true;
            } else if ui.button("やめる").clicked() {
                done = true;
            }
        });
    }
    if done {
        st.renaming = None;
    }
    if let Some(name) = st.deleting.clone() {
        ui.separator();
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("「{name}」を削除します。よろしいですか（元に戻せません）"),
        );
        ui.horizontal(|ui| {
            if ui.button("削除する").clicked() {
                cmds.push(Command::from(ExtractCmd::Delete { name }));
                st.deleting = None;
            } else if ui.button("やめる").clicked() {
                st.deleting = None;
            }
        });
    }
    ui.separator();
    ui.strong("リストの組合せ");
    let names: Vec<String> = lists.iter().map(|l| l.name.clone()).collect();
    let (a, op, b, name) = &mut st.combine;
    ui.horizontal(|ui| {
        pick(ui, "A", a, &names);
        let l = ui.label("と");
        egui::ComboBox::from_id_salt("combine_op")
            .selected_text(op.sign())
            .show_ui(ui, |ui| {
                ui.selectable_value(op, SetOp::And, "∩ 両方にある");
                ui.selectable_value(op, SetOp::Minus, "− A にあって B にない");
                ui.selectable_value(op, SetOp::Or, "∪ どちらかにある");
            })
            .response
            .labelled_by(l.id);
        pick(ui, "B", b, &names);
    });
    ui.horizontal(|ui| {
        let l = ui.label("新しいリストの名前");
        ui.text_edit_singleline(name).labelled_by(l.id);
    });
    let ready = !a.is_empty() && !b.is_empty() && !name.trim().is_empty();
    if ui
        .add_enabled(ready && st.may_list, egui::Button::new("組み合わせて保存"))
        .clicked()
    {
        cmds.push(Command::from(ExtractCmd::Combine {
            a: a.clone(),
            op: *op,
            b: b.clone(),
            name: name.clone(),
        }));
    }
}

fn pick(ui: &mut egui::Ui, id: &str, value: &mut String, names: &[String]) {
    let l = ui.label(id);
    egui::ComboBox::from_id_salt(("combine", id))
        .selected_text(if value.is_empty() {
            "（選ぶ）"
        } else {
            value.as_str()
        })
        .width(150.0)
        .show_ui(ui, |ui| {
            for n in names {
                ui.selectable_value(value, n.clone(), n);
            }
        })
        .response
        .labelled_by(l.id);
}

fn members_ui(ui: &mut egui::Ui, st: &mut ExtractState, cmds: &mut Vec<Command>) {
    // How many are ticked, every frame; their keys only when a button is pressed.
    let ticked = st
        .opened
        .as_ref()
        .and_then(|o| o.table.as_ref())
        .map_or(0, |t| t.selected.len());
    let name = st
        .opened
        .as_ref()
        .map(|o| o.list.name.clone())
        .unwrap_or_default();
    ui.horizontal(|ui| {
        if ui
            .button("出力…")
            .on_hover_text("このリストを Excel・CSV・シェープファイル・PDF などに出力します（医療費等分析システム連携の様式も）")
            .clicked()
        {
            st.export = Some(super::export_ui::Request {
                what: crate::app::domain::export::What::Extract(name.clone()),
                name: name.clone(),
                personal: true,
                list: true,
                style: None,
                figures: false,
            });
        }
        let shape = st.map_shape.clone();
        if ui
            .add_enabled(shape.is_some(), egui::Button::new("地図で描いた範囲の人を選ぶ"))
            .on_hover_text("地図の「操作」で矩形・多角形・円・この地域を描いてから押します（位置の分かる人だけ）")
            .clicked()
            && let Some(place) = shape
        {
            cmds.push(Command::from(ExtractCmd::Within {
                name: name.clone(),
                place,
            }));
        }
        if st.map_shape.is_none() {
            ui.weak("地図で範囲を描くと、その中の人をまとめて選べます");
        }
    });
    ui.horizontal(|ui| {
        ui.label(format!("選んだ {ticked} 人を"));
        let l = ui.label("理由");
        ui.add(egui::TextEdit::singleline(&mut st.exclude_reason).hint_text("例: 入院中のため"))
            .labelled_by(l.id);
        let ok = ticked > 0 && !st.exclude_reason.trim().is_empty() && st.may_edit;
        if ui
            .add_enabled(ok, egui::Button::new("リストから除外"))
            .on_hover_text("除外した行は「除外した行」のタブに理由とともに残ります")
            .clicked()
        {
            cmds.push(Command::from(ExtractCmd::Exclude {
                name: name.clone(),
                keys: st.selected_keys(),
                reason: st.exclude_reason.trim().to_string(),
            }));
        }
    });
    ui.horizontal(|ui| {
        ui.label("印:");
        ui.selectable_value(&mut st.mark, MarkKind::Excluded, MarkKind::Excluded.label());
        ui.selectable_value(
            &mut st.mark,
            MarkKind::Recommend,
            MarkKind::Recommend.label(),
        );
        let l = ui.label("理由区分");
        egui::ComboBox::from_id_salt("mark_reason")
            .selected_text(st.mark_reason.label())
            .show_ui(ui, |ui| {
                for r in Reason::ALL {
                    ui.selectable_value(&mut st.mark_reason, r, r.label());
                }
            })
            .response
            .labelled_by(l.id);
        let l = ui.label("備考");
        ui.add(egui::TextEdit::singleline(&mut st.mark_note).desired_width(220.0))
            .labelled_by(l.id);
        let ok = ticked > 0 && st.may_edit;
        if ui
            .add_enabled(ok, egui::Button::new("印をつける"))
            .on_hover_text(
                "選んだ人すべてに同じ理由で印をつけます（被保険者台帳を取り込み直しても残ります）",
            )
            .clicked()
        {
            cmds.push(Command::from(MarkCmd::Set {
                ids: st.selected_keys(),
                mark: Some(NewMark {
                    mark: st.mark,
                    reason: st.mark_reason,
                    note: Some(st.mark_note.clone()),
                }),
            }));
        }
        if ui.add_enabled(ok, egui::Button::new("印を外す")).clicked() {
            cmds.push(Command::from(MarkCmd::Set {
                ids: st.selected_keys(),
                mark: None,
            }));
        }
    });
    if !st.may_edit {
        ui.weak("除外と印には「編集」の権限が必要です");
    }
    let Some(o) = st.opened.as_mut() else { return };
    match o.table.as_mut() {
        Some(t) => {
            t.show(ui, "extraction_members", ui.available_height().max(300.0));
        }
        None => {
            ui.weak("このリストは被保険者のリストではないため、キーだけを記録しています");
        }
    }
}

fn excluded_ui(ui: &mut egui::Ui, st: &ExtractState) {
    let Some(o) = &st.opened else { return };
    if o.excluded.is_empty() {
        ui.weak("除外した行はありません");
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("excluded")
        .show(ui, |ui| {
            egui::Grid::new("excluded_grid")
                .striped(true)
                .show(ui, |ui| {
                    for h in ["被保険者ID", "理由", "除外した人", "日時"] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for x in &o.excluded {
                        ui.label(&x.key);
                        ui.label(&x.reason);
                        ui.label(&x.by);
                        ui.label(&x.at);
                        ui.end_row();
                    }
                });
        });
}

fn match_ui(ui: &mut egui::Ui, st: &mut ExtractState, cmds: &mut Vec<Command>) {
    let Some(o) = &st.opened else { return };
    let name = o.list.name.clone();
    egui::Grid::new("match_form").num_columns(2).show(ui, |ui| {
        let l = ui.label("突合の相手");
        egui::ComboBox::from_id_salt("partner")
            .selected_text(st.partner.as_deref().map_or_else(
                || "受診勧奨対象者リスト（最新）".to_string(),
                |n| format!("独自データ「{n}」"),
            ))
            .width(300.0)
            .show_ui(ui, |ui| {
                let before = st.partner.clone();
                ui.selectable_value(&mut st.partner, None, "受診勧奨対象者リスト（最新）");
                for (t, _) in st.partners.iter().flatten() {
                    ui.selectable_value(
                        &mut st.partner,
                        Some(t.clone()),
                        format!("独自データ「{t}」"),
                    );
                }
                // Columns picked for one table mean nothing for another.
                if st.partner != before {
                    st.columns.clear();
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        ui.label("キー（すべて一致）");
        ui.horizontal(|ui| {
            for k in MatchKey::ALL {
                let mut on = st.keys.contains(&k);
                if ui.checkbox(&mut on, k.label()).changed() {
                    if on {
                        st.keys.insert(k);
                    } else {
                        st.keys.remove(&k);
                    }
                }
            }
        });
        ui.end_row();
        // A user table's columns: recognised by header, or picked here.
        if let Some(t) = &st.partner {
            let headers = st
                .partners
                .iter()
                .flatten()
                .find(|(n, _)| n == t)
                .map(|(_, h)| h.clone())
                .unwrap_or_default();
            let mut fields: Vec<MatchField> =
                st.keys.iter().flat_map(|k| k.fields().to_vec()).collect();
            fields.sort();
            fields.dedup();
            for f in fields {
                let l = ui.label(format!("{}の列", f.label()));
                let guess = guess_column(f, &headers);
                let current = st.columns.get(&f).cloned().or(guess);
                egui::ComboBox::from_id_salt(("column", f as u8))
                    .selected_text(current.as_deref().unwrap_or("（選んでください）"))
                    .show_ui(ui, |ui| {
                        for h in &headers {
                            if ui
                                .selectable_label(current.as_deref() == Some(h), h)
                                .clicked()
                            {
                                st.columns.insert(f, h.clone());
                            }
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
            }
        }
        ui.label("残すもの");
        ui.horizontal(|ui| {
            ui.radio_value(&mut st.keep, Keep::Match, "一致した人（リスト ∩ 相手）");
            ui.radio_value(
                &mut st.keep,
                Keep::NonMatch,
                "一致しなかった人（リスト − 相手）",
            );
        });
        ui.end_row();
        let l = ui.label("突合結果のリスト名");
        ui.text_edit_singleline(&mut st.result_name)
            .labelled_by(l.id);
        ui.end_row();
    });
    ui.weak("記号・番号は全角・半角、ハイフン、空白の違いを、カナ氏名は全角・半角、小さい字（ャ・ッ）の違いを無視します。氏名は旧字（髙・﨑）と新字を区別します。候補が複数ある行は推測で結びつけず、「あいまい」として示します。");
    let ok = !st.keys.is_empty() && !st.result_name.trim().is_empty();
    if ui.add_enabled(ok, egui::Button::new("突合する")).clicked() {
        let with = match &st.partner {
            None => Partner::Recommendation,
            Some(t) => Partner::UserTable {
                name: t.clone(),
                columns: st.columns.clone(),
            },
        };
        cmds.push(Command::from(ExtractCmd::Match {
            name,
            with,
            keys: st.keys.iter().copied().collect(),
            keep: st.keep,
            result: st.result_name.trim().to_string(),
        }));
    }
    // The report of this list's last match (not of another list's).
    if let Some((from, made, r)) = &st.report
        && *from == o.list.name
        && !made.is_empty()
    {
        ui.separator();
        ui.heading("突合の結果");
        egui::Grid::new("match_report")
            .num_columns(2)
            .show(ui, |ui| {
                for (label, n) in [
                    ("一致", r.matched.len()),
                    ("リスト側の不一致", r.unmatched_left.len()),
                    ("相手側の不一致", r.unmatched_right.len()),
                    ("あいまい（候補が複数）", r.ambiguous.len()),
                    (
                        "キーが空の行（リスト側: 一致にも不一致にも入れない）",
                        r.incomplete_left,
                    ),
                    ("キーが空の行（相手側）", r.incomplete_right),
                ] {
                    ui.label(label);
                    ui.strong(format!("{n}"));
                    ui.end_row();
                }
            });
        ui.label(format!(
            "新しいリスト「{made}」を保存しました。左の一覧から開けます。"
        ));
        if !r.ambiguous.is_empty() {
            ui.strong("あいまいな行（手で確かめてください）");
            egui::ScrollArea::vertical()
                .id_salt("ambiguous")
                .max_height(260.0)
                .show(ui, |ui| {
                    egui::Grid::new("ambiguous_grid")
                        .striped(true)
                        .show(ui, |ui| {
                            for h in ["キーの値", "候補数", "リスト側", "相手側"] {
                                ui.strong(h);
                            }
                            ui.end_row();
                            for a in &r.ambiguous {
                                ui.label(&a.key);
                                ui.label(a.candidates.to_string());
                                ui.label(
                                    a.left
                                        .iter()
                                        .map(|x| x.id.as_str())
                                        .collect::<Vec<_>>()
                                        .join("、"),
                                );
                                ui.label(
                                    a.right
                                        .iter()
                                        .map(|x| x.id.as_str())
                                        .collect::<Vec<_>>()
                                        .join("、"),
                                );
                                ui.end_row();
                            }
                        });
                });
        }
    }
}

impl super::AtlasApp {
    pub(super) fn on_extract(&mut self, reply: ExtractReply) -> Vec<Command> {
        // A list just made (from a search, a combination) is shown on this screen; the
        // search screen's choices of lists are asked for again.
        if matches!(
            reply,
            ExtractReply::Made { .. } | ExtractReply::Matched { .. }
        ) {
            self.screen = super::Screen::Extract;
            self.search.refresh_choices();
        }
        receive(&mut self.extract, reply)
    }

    pub(super) fn on_mark(&mut self, reply: MarkReply) -> Vec<Command> {
        let st = &mut self.extract;
        if let MarkReply::Set {
            what,
            changed,
            asked,
        } = reply
        {
            st.message = Some(format!(
                "{what}: {asked} 人のうち {} 人を変えました",
                changed.len()
            ));
            // The map's points draw marks: load them again when next shown.
            self.map.insured.points = None;
            if let Some(o) = &st.opened {
                return vec![open(&o.list.name)];
            }
        }
        Vec::new()
    }
}

/// The 抽出リスト screen's answers.
pub fn receive(st: &mut ExtractState, reply: ExtractReply) -> Vec<Command> {
    match reply {
        ExtractReply::Lists(l) => st.lists = Some(l),
        ExtractReply::Partners(p) => st.partners = Some(p),
        ExtractReply::Within { name, keys } => {
            if let Some(o) = st.opened.as_mut().filter(|o| o.list.name == name)
                && let Some(t) = o.table.as_mut()
            {
                let inside: std::collections::HashSet<String> = keys.into_iter().collect();
                t.selected = o
                    .keys
                    .iter()
                    .enumerate()
                    .filter(|(_, k)| k.as_ref().is_some_and(|k| inside.contains(k)))
                    .map(|(r, _)| r)
                    .collect();
                st.message = Some(format!("地図の範囲の {} 人を選びました", t.selected.len()));
            }
        }
        ExtractReply::Shown {
            list,
            excluded,
            frame,
            ..
        } => {
            let table = frame.as_ref().map(|df| {
                let mut t = ResultTable::new(df, &[col::KEY, col::LON, col::LAT], &[col::KANA]);
                t.selectable = true;
                t
            });
            let keys = frame
                .as_ref()
                .and_then(|df| frame::texts(df, col::KEY).ok())
                .unwrap_or_default();
            st.opened = Some(Opened {
                list,
                table,
                keys,
                excluded,
            });
        }
        ExtractReply::Made { list, .. } => {
            st.message = Some(format!(
                "「{}」を保存しました（{} 人）",
                list.name, list.count
            ));
            st.requested = false;
            return vec![open(&list.name)];
        }
        ExtractReply::Matched {
            from, list, report, ..
        } => {
            st.message = Some(format!(
                "「{}」を保存しました（{} 人）",
                list.name, list.count
            ));
            st.report = Some((from, list.name, report));
            st.requested = false;
        }
        ExtractReply::Excluded { list, taken } => {
            st.message = Some(format!(
                "{taken} 人を除外しました（残り {} 人）",
                list.count
            ));
            st.requested = false;
            return vec![open(&list.name)];
        }
        ExtractReply::Renamed(to) => {
            st.message = Some(format!("「{to}」に変えました"));
            st.opened = None;
            st.requested = false;
        }
        ExtractReply::Deleted(name) => {
            st.message = Some(format!("「{name}」を削除しました"));
            if st.opened.as_ref().is_some_and(|o| o.list.name == name) {
                st.opened = None;
            }
            st.requested = false;
        }
    }
    Vec::new()
}
