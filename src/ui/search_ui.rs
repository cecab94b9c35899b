//! 検索 (the query builder), all by mouse: conditions are added from lists (fields,
//! municipalities, ICD groups, checkup items, institutions…), grouped with AND/OR and
//! negated; the count updates while editing; 検索 lists the result (persons only with
//! 個人情報の閲覧) in a table that sorts, pages and picks columns, and a click on a row
//! centres the map there. よく使う検索 saves, runs, renames and deletes searches.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use eframe::egui;
use serde_json::{Value, json};

use crate::analysis::frame::DataFrame;
use crate::app::Command;
use crate::app::domain::search::{Choices as Lists, SearchCmd, SearchReply};
use crate::search::fields::{self, Choices, FieldDef, ValueKind};
use crate::search::run::col;
use crate::search::{Cond, FieldCond, Op, Place, Query, Subject};
use crate::store::saved_searches::SavedSearch;
use crate::ui::result_table::ResultTable;

/// One condition row.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRow {
    pub field: String,
    pub op: Op,
    pub a: String,
    pub b: String,
    pub flag: bool,
    pub picks: BTreeSet<String>,
    pub years: u32,
    pub table: String,
    pub column: String,
    pub filter: String,
}

impl FieldRow {
    fn new(field: &str, def: &FieldDef) -> FieldRow {
        FieldRow {
            field: field.into(),
            op: def.ops[0],
            a: String::new(),
            b: String::new(),
            flag: def.key != "attended",
            picks: BTreeSet::new(),
            years: 3,
            table: String::new(),
            column: String::new(),
            filter: String::new(),
        }
    }
}

/// A place row: areas picked from lists, or a shape drawn on the map.
#[derive(Debug, Clone, PartialEq)]
pub enum PlaceRow {
    Areas {
        kind: AreaKind,
        picks: BTreeSet<String>,
        filter: String,
    },
    Shape(Place),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKind {
    Municipality,
    MedicalArea,
    SmallArea,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowKind {
    Field(FieldRow),
    Place(PlaceRow),
    /// A group of rows joined by AND (`true`) or OR.
    Group {
        all: bool,
        rows: Vec<Row>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub not: bool,
    pub kind: RowKind,
}

pub struct SearchState {
    /// The 出力 window asked for (taken by the app).
    pub export: Option<super::export_ui::Request>,
    pub subject: Subject,
    pub fy: i32,
    pub all: bool,
    pub rows: Vec<Row>,
    pub lists: Option<Box<Lists>>,
    requested: bool,
    /// The query last counted (its JSON), and the count's text.
    counted: Option<String>,
    pub count: Option<String>,
    pub result: Option<(String, Arc<DataFrame>, ResultTable)>,
    pub saved: Option<Vec<SavedSearch>>,
    pub save_name: String,
    pub shared: bool,
    pub renaming: Option<(String, String)>,
    /// A result row clicked: the app centres the map there.
    pub focus: Option<((f64, f64), String)>,
    /// The shape drawn on the map (set by the app), offered as a condition.
    pub map_shape: Option<Place>,
    pub may_list: bool,
    /// The user may edit the ICD-10 groups (属性・コメントの編集).
    pub may_edit: bool,
    /// An ICD-10 group being added or changed: name and prefixes.
    pub icd_edit: (String, String),
    /// The logged-in user (whose searches may be renamed and deleted here).
    pub user: String,
    /// What the field picker adds next.
    pick_field: String,
    /// The name the result is extracted under.
    pub extract_name: String,
}

impl Default for SearchState {
    fn default() -> Self {
        SearchState {
            export: None,
            subject: Subject::Insured,
            fy: 2021,
            all: true,
            // Where analysts start: the year's targets who did not attend.
            rows: vec![
                Row {
                    not: false,
                    kind: RowKind::Field(FieldRow {
                        flag: true,
                        ..FieldRow::new("target", &fields::INSURED[0])
                    }),
                },
                Row {
                    not: false,
                    kind: RowKind::Field(FieldRow {
                        flag: false,
                        ..FieldRow::new("attended", &fields::INSURED[1])
                    }),
                },
            ],
            lists: None,
            requested: false,
            counted: None,
            count: None,
            result: None,
            saved: None,
            save_name: String::new(),
            shared: false,
            renaming: None,
            focus: None,
            map_shape: None,
            may_list: false,
            may_edit: false,
            icd_edit: (String::new(), String::new()),
            user: String::new(),
            pick_field: "attended".into(),
            extract_name: String::new(),
        }
    }
}

fn area_place(kind: AreaKind, picks: &BTreeSet<String>) -> Place {
    let v: Vec<String> = picks.iter().cloned().collect();
    match kind {
        AreaKind::Municipality => Place::Municipality(v),
        AreaKind::MedicalArea => Place::MedicalArea(v),
        AreaKind::SmallArea => Place::SmallArea(v),
    }
}

/// A row's condition, or `None` while it is incomplete.
fn row_cond(subject: &Subject, r: &Row) -> Option<Cond> {
    let c = match &r.kind {
        RowKind::Group { all, rows } => {
            let parts: Vec<Cond> = rows.iter().filter_map(|r| row_cond(subject, r)).collect();
            if parts.is_empty() {
                return None;
            }
            if *all {
                Cond::And(parts)
            } else {
                Cond::Or(parts)
            }
        }
        RowKind::Place(PlaceRow::Areas { kind, picks, .. }) => {
            if picks.is_empty() {
                return None;
            }
            Cond::Place(area_place(*kind, picks))
        }
        RowKind::Place(PlaceRow::Shape(p)) => Cond::Place(p.clone()),
        RowKind::Field(f) => Cond::Field(field_cond(subject, f)?),
    };
    Some(if r.not { Cond::Not(Box::new(c)) } else { c })
}

fn scalar(kind: ValueKind, t: &str) -> Option<Value> {
    let t = crate::import::normalize::fold_width(t)
        .trim()
        .replace(',', "");
    if t.is_empty() {
        return None;
    }
    match kind {
        ValueKind::Int => t.parse::<i64>().ok().map(|n| json!(n)),
        ValueKind::Float => t
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(|n| json!(n)),
        ValueKind::Date => chrono::NaiveDate::parse_from_str(&t.replace('/', "-"), "%Y-%m-%d")
            .ok()
            .map(|d| json!(d.format("%Y-%m-%d").to_string())),
        _ => Some(json!(t)),
    }
}

fn field_cond(subject: &Subject, f: &FieldRow) -> Option<FieldCond> {
    let def = fields::lookup(subject, &f.field)?;
    let mut c = FieldCond::new(&f.field, f.op, Value::Null);
    c.value = match (def.kind, def.choices) {
        (ValueKind::Bool, _) => json!(f.flag),
        (_, Choices::Sex) => json!(if f.flag { 1 } else { 2 }),
        (_, Choices::None) if f.field == "icd10" || f.field == "code" => {
            let list: Vec<Value> =
                f.a.split([',', '、', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| json!(s))
                    .collect();
            if list.is_empty() {
                return None;
            }
            c.op = Op::In;
            Value::Array(list)
        }
        (_, Choices::None) => match f.op {
            Op::Between => json!([scalar(def.kind, &f.a)?, scalar(def.kind, &f.b)?]),
            _ => {
                // For a user table's column the text goes as typed: the engine compares
                // it as a number when the column is numeric.
                let kind = if f.field == "user_table" {
                    ValueKind::Text
                } else {
                    def.kind
                };
                scalar(kind, &f.a)?
            }
        },
        (_, Choices::MatchLevels) => {
            if f.picks.is_empty() {
                return None;
            }
            c.op = Op::In;
            Value::Array(
                f.picks
                    .iter()
                    .filter_map(|p| p.parse::<i64>().ok())
                    .map(|n| json!(n))
                    .collect(),
            )
        }
        _ => {
            if f.picks.is_empty() {
                return None;
            }
            if c.op != Op::Has {
                c.op = Op::In;
            }
            Value::Array(f.picks.iter().map(|p| json!(p)).collect())
        }
    };
    if f.field == "checkup_count" {
        c.years = Some(f.years.clamp(1, 10));
    }
    if f.field == "user_table" {
        if f.table.is_empty() || f.column.is_empty() {
            return None;
        }
        c.table = Some(f.table.clone());
        c.column = Some(f.column.clone());
    }
    Some(c)
}

impl SearchState {
    /// Asks for the choices again (a list or a group was added).
    pub fn refresh_choices(&mut self) {
        self.requested = false;
    }

    pub fn query(&self) -> Query {
        let parts: Vec<Cond> = self
            .rows
            .iter()
            .filter_map(|r| row_cond(&self.subject, r))
            .collect();
        Query {
            subject: self.subject.clone(),
            fy: Some(self.fy),
            cond: if self.all {
                Cond::And(parts)
            } else {
                Cond::Or(parts)
            },
        }
    }

    /// Loads a saved query into the builder (conditions it cannot show as rows stay as
    /// they are, as shapes or groups).
    pub fn load(&mut self, q: &Query) {
        self.subject = q.subject.clone();
        if let Some(fy) = q.fy {
            self.fy = fy;
        }
        let (all, list) = match &q.cond {
            Cond::And(v) => (true, v.clone()),
            Cond::Or(v) => (false, v.clone()),
            other => (true, vec![other.clone()]),
        };
        self.all = all;
        self.rows = list.iter().map(|c| row_of(c, true)).collect();
        self.result = None;
        self.counted = None;
    }
}

fn row_of(c: &Cond, top: bool) -> Row {
    match c {
        Cond::Not(inner) => {
            let r = row_of(inner, top);
            Row { not: !r.not, ..r }
        }
        Cond::And(v) | Cond::Or(v) => Row {
            not: false,
            kind: RowKind::Group {
                all: matches!(c, Cond::And(_)),
                rows: v.iter().map(|c| row_of(c, false)).collect(),
            },
        },
        Cond::Place(p) => Row {
            not: false,
            kind: RowKind::Place(match p {
                Place::Municipality(v) => PlaceRow::Areas {
                    kind: AreaKind::Municipality,
                    picks: v.iter().cloned().collect(),
                    filter: String::new(),
                },
                Place::MedicalArea(v) => PlaceRow::Areas {
                    kind: AreaKind::MedicalArea,
                    picks: v.iter().cloned().collect(),
                    filter: String::new(),
                },
                Place::SmallArea(v) => PlaceRow::Areas {
                    kind: AreaKind::SmallArea,
                    picks: v.iter().cloned().collect(),
                    filter: String::new(),
                },
                other => PlaceRow::Shape(other.clone()),
            }),
        },
        Cond::Field(f) => {
            let text = |v: &Value| fields::text_of(v);
            let mut r = FieldRow {
                field: f.field.clone(),
                op: f.op,
                a: String::new(),
                b: String::new(),
                flag: f.value.as_bool().unwrap_or(true),
                picks: BTreeSet::new(),
                years: f.years.unwrap_or(3),
                table: f.table.clone().unwrap_or_default(),
                column: f.column.clone().unwrap_or_default(),
                filter: String::new(),
            };
            match &f.value {
                Value::Array(a) if f.op == Op::Between => {
                    r.a = a.first().map(text).unwrap_or_default();
                    r.b = a.get(1).map(text).unwrap_or_default();
                }
                Value::Array(a) if f.field == "icd10" || f.field == "code" => {
                    r.a = a.iter().map(text).collect::<Vec<_>>().join(",");
                }
                Value::Array(a) => r.picks = a.iter().map(text).collect(),
                Value::Number(n) if f.field == "sex" => r.flag = n.as_i64() == Some(1),
                Value::Bool(_) => {}
                v => {
                    r.a = text(v);
                    r.picks.insert(text(v));
                }
            }
            let _ = top;
            Row {
                not: false,
                kind: RowKind::Field(r),
            }
        }
    }
}

/// The 検索 screen.
pub fn search_ui(ui: &mut egui::Ui, st: &mut SearchState, years: &[i32]) -> Vec<Command> {
    let mut cmds = Vec::new();
    if !st.requested {
        st.requested = true;
        cmds.push(Command::from(SearchCmd::Choices));
        cmds.push(Command::from(SearchCmd::Saved));
    }
    egui::Panel::right("saved_searches")
        .resizable(true)
        .default_size(330.0)
        .show(ui, |ui| {
            cmds.extend(saved_ui(ui, st));
            ui.separator();
            cmds.extend(icd_groups_ui(ui, st));
        });
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical().id_salt("builder").show(ui, |ui| {
            builder_ui(ui, st, years);
            // The live count: asked for whenever the query changed and none is on the way.
            let q = st.query();
            let text = q.to_json_string();
            if st.counted.as_deref() != Some(text.as_str()) {
                st.counted = Some(text);
                st.count = None;
                cmds.push(Command::from(SearchCmd::Count { query: q.clone() }));
            }
            ui.separator();
            ui.horizontal(|ui| {
                ui.strong(st.count.as_deref().unwrap_or("数えています…"));
            });
            let persons = q.subject == Subject::Insured;
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!persons || st.may_list, egui::Button::new("検索（一覧を表示）"))
                    .clicked()
                {
                    cmds.push(Command::from(SearchCmd::List { query: q.clone() }));
                }
                if persons && !st.may_list {
                    ui.weak("被保険者の一覧には「個人情報の閲覧」の権限が必要です（件数は表示されます）");
                } else if persons {
                    ui.weak("一覧の表示は利用ログに記録されます");
                }
            });
            // Extraction: the result kept as a named list, a snapshot of its keys.
            ui.horizontal(|ui| {
                let l = ui.label("抽出リストの名前");
                ui.add(egui::TextEdit::singleline(&mut st.extract_name).desired_width(220.0))
                    .labelled_by(l.id);
                let ok = st.may_list && !st.extract_name.trim().is_empty();
                if ui
                    .add_enabled(ok, egui::Button::new("抽出（リストに保存）"))
                    .on_hover_text("いまの検索結果をその時点の写しとして保存し、抽出リストの画面で開きます")
                    .clicked()
                {
                    cmds.push(Command::from(crate::app::domain::extract::ExtractCmd::Extract {
                        name: st.extract_name.trim().to_string(),
                        query: q.clone(),
                    }));
                }
            });
            if let Some((desc, df, table)) = st.result.as_mut() {
                ui.separator();
                ui.horizontal(|ui| {
                    ui.label(desc.as_str());
                    if ui
                        .button("出力…")
                        .on_hover_text("この結果を Excel・CSV・シェープファイル・PDF の地図などに出力します")
                        .clicked()
                    {
                        st.export = Some(super::export_ui::Request {
                            what: crate::app::domain::export::What::Query {
                                query: Box::new(q.clone()),
                                title: "検索結果".into(),
                            },
                            name: "検索結果".into(),
                            personal: crate::app::domain::search::persons(&q),
                            list: false,
                            // Institutions' user counts may be under the threshold.
                            figures: q.subject == Subject::Institutions,
                            style: None,
                        });
                    }
                });
                let label = if q.subject == Subject::Insured { col::ID } else { col::INST_NAME };
                if let Some(r) = table.show(ui, "search_result", ui.available_height().max(400.0)) {
                    use crate::analysis::frame as fr;
                    let lon = fr::floats(df, col::LON).ok().and_then(|v| v.get(r).copied().flatten());
                    let lat = fr::floats(df, col::LAT).ok().and_then(|v| v.get(r).copied().flatten());
                    let name = fr::texts(df, label).ok().and_then(|v| v.get(r).cloned().flatten());
                    if let (Some(lon), Some(lat)) = (lon, lat) {
                        st.focus = Some(((lon, lat), name.unwrap_or_default()));
                    }
                }
            }
        });
    });
    cmds
}

fn builder_ui(ui: &mut egui::Ui, st: &mut SearchState, years: &[i32]) {
    ui.heading("検索条件");
    ui.horizontal(|ui| {
        ui.label("対象:");
        for (s, l) in [
            (Subject::Insured, "被保険者"),
            (Subject::Institutions, "医療機関・健診機関"),
        ] {
            if ui.selectable_label(st.subject == s, l).clicked() && st.subject != s {
                st.subject = s;
                st.rows.clear();
                st.result = None;
                st.pick_field = fields::for_subject(&st.subject)[0].0.clone();
            }
        }
        ui.separator();
        let l = ui.label("年度");
        egui::ComboBox::from_id_salt("search_fy")
            .selected_text(format!("{}年度", st.fy))
            .show_ui(ui, |ui| {
                for y in years.iter().rev() {
                    ui.selectable_value(&mut st.fy, *y, format!("{y}年度"));
                }
            })
            .response
            .labelled_by(l.id);
        ui.separator();
        ui.label("条件のつなぎ方:");
        ui.selectable_value(&mut st.all, true, "すべて（AND）");
        ui.selectable_value(&mut st.all, false, "いずれか（OR）");
    });
    // Borrowed for the frame (the lists hold every small area and institution).
    let lists = st.lists.take();
    let subject = st.subject.clone();
    let mut remove = None;
    for (i, row) in st.rows.iter_mut().enumerate() {
        ui.push_id(i, |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.horizontal(|ui| {
                    if ui.button("削除").on_hover_text("この条件を削除").clicked() {
                        remove = Some(i);
                    }
                    ui.checkbox(&mut row.not, "否定（NOT）");
                    row_ui(ui, row, &subject, lists.as_deref(), true);
                });
            });
        });
    }
    st.lists = lists;
    if let Some(i) = remove {
        st.rows.remove(i);
    }
    ui.horizontal(|ui| {
        let defs = fields::for_subject(&st.subject);
        let label = defs
            .iter()
            .find(|(k, _)| *k == st.pick_field)
            .map(|(k, d)| field_label(k, d))
            .unwrap_or_default();
        let l = ui.label("条件を追加:");
        egui::ComboBox::from_id_salt("pick_field")
            .selected_text(label)
            .width(300.0)
            .show_ui(ui, |ui| {
                for (k, d) in &defs {
                    ui.selectable_value(&mut st.pick_field, k.clone(), field_label(k, d));
                }
            })
            .response
            .labelled_by(l.id);
        if ui.button("＋ 追加").clicked()
            && let Some(def) = fields::lookup(&st.subject, &st.pick_field)
        {
            st.rows.push(Row {
                not: false,
                kind: RowKind::Field(FieldRow::new(&st.pick_field, &def)),
            });
        }
        if ui.button("＋ 範囲（市町村など）").clicked() {
            st.rows.push(Row {
                not: false,
                kind: RowKind::Place(PlaceRow::Areas {
                    kind: AreaKind::Municipality,
                    picks: BTreeSet::new(),
                    filter: String::new(),
                }),
            });
        }
        if let Some(p) = st.map_shape.clone()
            && ui.button("＋ 地図で描いた範囲").clicked()
        {
            st.rows.push(Row {
                not: false,
                kind: RowKind::Place(PlaceRow::Shape(p)),
            });
        }
        if ui
            .button("＋ グループ（OR）")
            .on_hover_text("いずれかを満たす条件のまとまり")
            .clicked()
        {
            st.rows.push(Row {
                not: false,
                kind: RowKind::Group {
                    all: false,
                    rows: Vec::new(),
                },
            });
        }
    });
    if st.subject == Subject::Insured
        && st
            .rows
            .iter()
            .any(|r| matches!(&r.kind, RowKind::Field(f) if f.field == "user_table"))
    {
        ui.weak("勤務地: KDB に勤務地の項目はありません。被保険者IDで結びつけて取り込んだ独自データの列で絞り込みます。");
    }
}

fn field_label(key: &str, d: &FieldDef) -> String {
    if key.starts_with("checkup.") {
        format!("健診の値: {}", d.label)
    } else {
        d.label.to_string()
    }
}

fn pick_list(
    ui: &mut egui::Ui,
    id: &str,
    picks: &mut BTreeSet<String>,
    filter: &mut String,
    options: &[(String, String)],
) {
    let shown: Vec<&str> = options
        .iter()
        .filter(|(c, _)| picks.contains(c))
        .map(|(_, n)| n.as_str())
        .collect();
    let text = if shown.is_empty() {
        "（選んでください）".to_string()
    } else if shown.len() <= 3 {
        shown.join("・")
    } else {
        format!("{} ほか {} 件", shown[..2].join("・"), shown.len() - 2)
    };
    egui::ComboBox::from_id_salt(id)
        .selected_text(text)
        .width(260.0)
        .height(400.0)
        .show_ui(ui, |ui| {
            ui.add(egui::TextEdit::singleline(filter).hint_text("絞り込み"));
            let needle = crate::import::normalize::fold_for_search(filter);
            for (code, name) in options {
                if !needle.is_empty()
                    && !crate::import::normalize::fold_for_search(name).contains(&needle)
                    && !code.contains(&needle)
                {
                    continue;
                }
                let mut on = picks.contains(code);
                if ui.checkbox(&mut on, name).changed() {
                    if on {
                        picks.insert(code.clone());
                    } else {
                        picks.remove(code);
                    }
                }
            }
        });
}

/// A field's choices: the engine's lists borrowed, the fixed ones made.
fn options_of(choices: Choices, lists: Option<&Lists>) -> Cow<'_, [(String, String)]> {
    let fixed = |v: &[(&str, &str)]| {
        Cow::Owned(
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>(),
        )
    };
    match (choices, lists) {
        (Choices::AgeBands, _) => Cow::Owned(
            [40, 45, 50, 55, 60, 65, 70]
                .iter()
                .map(|a| (format!("{a}-{}", a + 4), format!("{a}〜{}歳", a + 4)))
                .collect(),
        ),
        (Choices::MatchLevels, _) => fixed(&[
            ("1", "街区"),
            ("2", "町丁・字"),
            ("3", "曖昧"),
            ("0", "不明"),
        ]),
        (Choices::Marks, _) => fixed(fields::MARKS),
        (Choices::TestItems, _) => fixed(fields::TEST_ITEMS),
        (Choices::Municipalities, Some(l)) => Cow::Borrowed(l.municipalities.as_slice()),
        (Choices::SmallAreas, Some(l)) => Cow::Borrowed(l.small_areas.as_slice()),
        (Choices::CheckupInstitutions, Some(l)) => Cow::Borrowed(l.checkup_institutions.as_slice()),
        (Choices::MedicalInstitutions, Some(l)) => Cow::Borrowed(l.medical_institutions.as_slice()),
        (Choices::ExtractionLists, Some(l)) => Cow::Borrowed(l.extraction_lists.as_slice()),
        (Choices::IcdGroups, Some(l)) => Cow::Owned(
            l.icd_groups
                .iter()
                .map(|(n, p)| (n.clone(), format!("{n}（{}）", p.join(","))))
                .collect(),
        ),
        _ => Cow::Owned(Vec::new()),
    }
}

fn row_ui(ui: &mut egui::Ui, row: &mut Row, subject: &Subject, lists: Option<&Lists>, top: bool) {
    match &mut row.kind {
        RowKind::Group { all, rows } => {
            ui.vertical(|ui| {
                ui.horizontal(|ui| {
                    ui.label("グループ:");
                    ui.selectable_value(all, true, "すべて（AND）");
                    ui.selectable_value(all, false, "いずれか（OR）");
                    if top {
                        egui::ComboBox::from_id_salt("group_add")
                            .selected_text("＋ 条件")
                            .show_ui(ui, |ui| {
                                for (k, d) in fields::for_subject(subject) {
                                    if ui.selectable_label(false, field_label(&k, &d)).clicked() {
                                        rows.push(Row {
                                            not: false,
                                            kind: RowKind::Field(FieldRow::new(&k, &d)),
                                        });
                                    }
                                }
                                if ui.selectable_label(false, "範囲（市町村など）").clicked()
                                {
                                    rows.push(Row {
                                        not: false,
                                        kind: RowKind::Place(PlaceRow::Areas {
                                            kind: AreaKind::Municipality,
                                            picks: BTreeSet::new(),
                                            filter: String::new(),
                                        }),
                                    });
                                }
                            });
                    }
                });
                let mut remove = None;
                for (i, r) in rows.iter_mut().enumerate() {
                    ui.push_id(i, |ui| {
                        ui.horizontal(|ui| {
                            if ui.small_button("削除").clicked() {
                                remove = Some(i);
                            }
                            ui.checkbox(&mut r.not, "否定");
                            row_ui(ui, r, subject, lists, false);
                        });
                    });
                }
                if let Some(i) = remove {
                    rows.remove(i);
                }
            });
        }
        RowKind::Place(PlaceRow::Shape(p)) => {
            ui.label(format!(
                "範囲: {}",
                match p {
                    Place::Rect(_) => "地図で描いた矩形",
                    Place::Polygon(_) => "地図で描いた多角形",
                    Place::Circle { .. } => "地図で描いた円",
                    _ => "地図の範囲",
                }
            ));
        }
        RowKind::Place(PlaceRow::Areas {
            kind,
            picks,
            filter,
        }) => {
            ui.label("範囲:");
            let before = *kind;
            ui.selectable_value(kind, AreaKind::Municipality, "市町村");
            ui.selectable_value(kind, AreaKind::MedicalArea, "二次医療圏");
            ui.selectable_value(kind, AreaKind::SmallArea, "町丁・字");
            if *kind != before {
                picks.clear();
            }
            let opts: &[(String, String)] = match (kind, lists) {
                (AreaKind::Municipality, Some(l)) => &l.municipalities,
                (AreaKind::MedicalArea, Some(l)) => &l.medical_areas,
                (AreaKind::SmallArea, Some(l)) => &l.small_areas,
                _ => &[],
            };
            pick_list(ui, "area_picks", picks, filter, opts);
            ui.weak("の区域内（位置で判定）");
        }
        RowKind::Field(f) => {
            let Some(def) = fields::lookup(subject, &f.field) else {
                ui.label(format!("（不明な項目 {}）", f.field));
                return;
            };
            ui.label(field_label(&f.field, &def));
            if f.field == "checkup_count" {
                ui.add(
                    egui::DragValue::new(&mut f.years)
                        .range(1..=10)
                        .suffix("年"),
                );
            }
            if f.field == "user_table" {
                let tables: &[(String, Vec<String>)] =
                    lists.map_or(&[], |l| l.user_tables.as_slice());
                egui::ComboBox::from_id_salt("ut_table")
                    .selected_text(if f.table.is_empty() {
                        "（独自データ）"
                    } else {
                        &f.table
                    })
                    .show_ui(ui, |ui| {
                        for (t, _) in tables {
                            ui.selectable_value(&mut f.table, t.clone(), t);
                        }
                    });
                let cols = tables
                    .iter()
                    .find(|(t, _)| *t == f.table)
                    .map(|(_, c)| c.clone())
                    .unwrap_or_default();
                egui::ComboBox::from_id_salt("ut_col")
                    .selected_text(if f.column.is_empty() {
                        "（列）"
                    } else {
                        &f.column
                    })
                    .show_ui(ui, |ui| {
                        for c in &cols {
                            ui.selectable_value(&mut f.column, c.clone(), c);
                        }
                    });
                if tables.is_empty() {
                    ui.weak("被保険者IDで結びつけた独自データがありません");
                }
            }
            match (def.kind, def.choices) {
                (ValueKind::Bool, _) => {
                    ui.selectable_value(&mut f.flag, true, "はい");
                    ui.selectable_value(&mut f.flag, false, "いいえ");
                }
                (_, Choices::Sex) => {
                    ui.selectable_value(&mut f.flag, true, "男性");
                    ui.selectable_value(&mut f.flag, false, "女性");
                }
                (_, Choices::None) => {
                    if def.ops.len() > 1 {
                        egui::ComboBox::from_id_salt("op")
                            .selected_text(f.op.label())
                            .width(70.0)
                            .show_ui(ui, |ui| {
                                for op in def.ops {
                                    ui.selectable_value(&mut f.op, *op, op.label());
                                }
                            });
                    }
                    ui.add(
                        egui::TextEdit::singleline(&mut f.a)
                            .desired_width(110.0)
                            .hint_text(hint(&def)),
                    );
                    if f.op == Op::Between {
                        ui.label("〜");
                        ui.add(
                            egui::TextEdit::singleline(&mut f.b)
                                .desired_width(110.0)
                                .hint_text(hint(&def)),
                        );
                    }
                }
                (_, choices) => {
                    let opts = options_of(choices, lists);
                    pick_list(ui, "picks", &mut f.picks, &mut f.filter, &opts);
                    if def.ops.contains(&Op::Has) {
                        ui.weak("をすべて実施");
                    } else {
                        ui.weak("のいずれか");
                    }
                }
            }
            if !def.note.is_empty() {
                ui.weak(def.note).on_hover_text(def.note);
            }
            if field_cond(subject, f).is_none() {
                ui.colored_label(egui::Color32::from_rgb(200, 80, 0), "値を入れてください");
            }
        }
    }
}

fn hint(def: &FieldDef) -> &'static str {
    match def.kind {
        ValueKind::Date => "2021-04-01",
        ValueKind::Int | ValueKind::Float => "数値",
        _ if def.key == "icd10" => "E11,I10",
        _ => "",
    }
}

/// The ICD-10 groups that 「生活習慣病の受療」 picks from, and (with 属性・コメントの編集)
/// a form to add or change one.
fn icd_groups_ui(ui: &mut egui::Ui, st: &mut SearchState) -> Vec<Command> {
    let mut cmds = Vec::new();
    ui.collapsing("傷病グループ（ICD-10）", |ui| {
        if let Some(l) = &st.lists {
            egui::Grid::new("icd_groups").striped(true).show(ui, |ui| {
                for (name, prefixes) in &l.icd_groups {
                    if ui
                        .small_button(name)
                        .on_hover_text("編集欄に写す")
                        .clicked()
                    {
                        st.icd_edit = (name.clone(), prefixes.join(","));
                    }
                    ui.label(prefixes.join(", "));
                    ui.end_row();
                }
            });
        }
        if !st.may_edit {
            ui.weak("グループの追加・変更には「属性・コメントの編集」の権限が必要です");
            return;
        }
        ui.horizontal(|ui| {
            let l = ui.label("名前");
            ui.add(egui::TextEdit::singleline(&mut st.icd_edit.0).desired_width(100.0))
                .labelled_by(l.id);
        });
        ui.horizontal(|ui| {
            let l = ui.label("コード");
            ui.add(
                egui::TextEdit::singleline(&mut st.icd_edit.1)
                    .desired_width(160.0)
                    .hint_text("N18,N19"),
            )
            .labelled_by(l.id);
        });
        if ui
            .add_enabled(
                !st.icd_edit.0.trim().is_empty() && !st.icd_edit.1.trim().is_empty(),
                egui::Button::new("グループを保存"),
            )
            .clicked()
        {
            cmds.push(Command::from(SearchCmd::SetIcdGroup {
                name: st.icd_edit.0.trim().to_string(),
                prefixes: st.icd_edit.1.clone(),
            }));
        }
    });
    cmds
}

fn saved_ui(ui: &mut egui::Ui, st: &mut SearchState) -> Vec<Command> {
    let mut cmds = Vec::new();
    ui.heading("よく使う検索");
    ui.horizontal(|ui| {
        let l = ui.label("名前");
        ui.add(egui::TextEdit::singleline(&mut st.save_name).desired_width(150.0))
            .labelled_by(l.id);
        ui.checkbox(&mut st.shared, "共有");
    });
    if ui
        .add_enabled(
            !st.save_name.trim().is_empty(),
            egui::Button::new("今の条件を保存"),
        )
        .clicked()
    {
        cmds.push(Command::from(SearchCmd::Save {
            name: st.save_name.trim().to_string(),
            query: st.query(),
            shared: st.shared,
        }));
    }
    ui.separator();
    let Some(list) = &st.saved else {
        ui.weak("読み込み中…");
        return cmds;
    };
    if list.is_empty() {
        ui.weak("保存した検索はまだありません");
    }
    for s in list {
        ui.push_id(&s.name, |ui| {
            ui.horizontal(|ui| {
                if ui.button("実行").clicked() {
                    cmds.push(Command::from(SearchCmd::Open {
                        name: s.name.clone(),
                    }));
                }
                ui.label(&s.name);
                if s.shared {
                    ui.weak(format!("共有（{}）", s.owner));
                }
            });
            ui.horizontal(|ui| {
                ui.weak(&s.saved_at);
                // Only its owner renames or deletes a search (the engine checks again).
                if s.owner == st.user {
                    if ui.small_button("名前の変更").clicked() {
                        st.renaming = Some((s.name.clone(), s.name.clone()));
                    }
                    if ui.small_button("削除").clicked() {
                        cmds.push(Command::from(SearchCmd::Delete {
                            name: s.name.clone(),
                        }));
                    }
                }
            });
        });
    }
    let mut done = false;
    if let Some((from, to)) = st.renaming.as_mut() {
        ui.separator();
        ui.label(format!("「{from}」の新しい名前"));
        ui.text_edit_singleline(to);
        ui.horizontal(|ui| {
            if ui.button("変更").clicked() {
                cmds.push(Command::from(SearchCmd::Rename {
                    name: from.clone(),
                    to: to.trim().to_string(),
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
    cmds
}

impl super::AtlasApp {
    /// The search domain's answers: the map takes those of its tools, the 検索 screen
    /// the rest.
    pub(super) fn on_search(&mut self, reply: SearchReply) -> Vec<Command> {
        match super::map::receive_search(&mut self.map, reply) {
            Ok(()) => Vec::new(),
            Err(reply) => receive(&mut self.search, reply),
        }
    }
}

/// The 検索 screen's answers (after the map took those of its tools).
pub fn receive(st: &mut SearchState, reply: SearchReply) -> Vec<Command> {
    match reply {
        SearchReply::Count {
            query, description, ..
        } => {
            if st.counted.as_deref() == Some(query.to_json_string().as_str()) {
                st.count = Some(description);
            }
        }
        SearchReply::List {
            description, frame, ..
        } => {
            let table = ResultTable::new(&frame, &[col::KEY, col::LON, col::LAT], &[col::KANA]);
            st.result = Some((description, frame, table));
        }
        SearchReply::Saved(list) => {
            st.saved = Some(list);
        }
        SearchReply::Opened { name, query } => {
            st.load(&query);
            st.save_name = name;
            let persons = query.subject == Subject::Insured;
            if !persons || st.may_list {
                return vec![Command::from(SearchCmd::List { query })];
            }
        }
        SearchReply::Choices(c) => st.lists = Some(c),
        SearchReply::IcdGroupSet(_) => {
            st.requested = false;
        }
        SearchReply::Keys { .. } | SearchReply::Nearest { .. } | SearchReply::Jump { .. } => {}
    }
    Vec::new()
}
