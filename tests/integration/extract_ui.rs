//! The 抽出リスト screen driven like a user (egui_kittest, the engine answering in the
//! same frame): the 検索 screen's result (the year's non-attending targets) is extracted
//! under a name; on the list, two rows are ticked (the second with shift: a range) and
//! taken out with a reason, which the 除外した行 tab shows; the list is matched with the
//! recommendation list by 記号・番号 and the report is read on screen and checked against
//! the demo's truth.

use std::collections::BTreeSet;
use std::path::Path;

use eframe::egui::{self, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kenshin_atlas::app::domain::extract::ExtractReply;
use kenshin_atlas::app::{Command, Engine, Outcome};
use kenshin_atlas::auth::SystemClock;
use kenshin_atlas::demo::truth::ListStatus;
use kenshin_atlas::job::Progress;
use kenshin_atlas::ui::extract_ui::{self, ExtractState, Tab};
use kenshin_atlas::ui::search_ui::{self, SearchState};

use super::common::{admin_engine, demo};

struct App {
    search: SearchState,
    extract: ExtractState,
    engine: Engine,
    on_list: bool,
}

fn drain(app: &mut App, mut queue: Vec<Command>) {
    while let Some(cmd) = queue.pop() {
        match app.engine.execute(cmd, &Progress::new()) {
            Outcome::Search(r) => queue.extend(search_ui::receive(&mut app.search, r)),
            Outcome::Extract(r) => {
                if matches!(r, ExtractReply::Made { .. }) {
                    app.on_list = true;
                }
                queue.extend(extract_ui::receive(&mut app.extract, r));
            }
            o => panic!("unexpected answer: {o:?}"),
        }
    }
}

fn harness(dir: &Path) -> Harness<'static, App> {
    let engine = admin_engine(super::common::demo_store(dir), Box::new(SystemClock));
    let mut search = SearchState::default();
    search.may_list = true;
    search.user = super::common::ADMIN.into();
    let mut extract = ExtractState::default();
    extract.may_list = true;
    extract.may_edit = true;
    Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(80)
        .with_context_setup(kenshin_atlas::ui::install_theme)
        .build_ui_state(
            |ui, app: &mut App| {
                let cmds = if app.on_list {
                    extract_ui::extract_ui(ui, &mut app.extract)
                } else {
                    search_ui::search_ui(ui, &mut app.search, &[2019, 2020, 2021])
                };
                drain(app, cmds);
            },
            App {
                search,
                extract,
                engine,
                on_list: false,
            },
        )
}

#[test]
fn extract_exclude_two_rows_with_a_reason_match_and_read_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.run();
    // 検索: the default query is the year's targets who did not attend.
    h.get_by_label("抽出リストの名前").click();
    h.run();
    h.get_by_label("抽出リストの名前").type_text("未受診2021");
    h.run();
    h.get_by_label("抽出（リストに保存）").click();
    h.run();
    assert!(h.state().on_list, "the list screen opens on the new list");
    let opened = h.state().extract.opened.as_ref().expect("the list is open");
    assert_eq!(opened.list.name, "未受診2021");
    let size = opened.list.count as usize;
    assert!(size > 100);

    // Tick the first row, shift-tick the third: three rows (a range); untick the middle.
    let boxes = h.get_all_by_role(egui::accesskit::Role::CheckBox).count();
    assert!(boxes >= 3, "a checkbox per row");
    h.get_all_by_role(egui::accesskit::Role::CheckBox)
        .next()
        .unwrap()
        .click();
    h.run();
    h.get_all_by_role(egui::accesskit::Role::CheckBox)
        .nth(2)
        .unwrap()
        .click_modifiers(Modifiers::SHIFT);
    h.run();
    assert_eq!(h.state().extract.selected_keys().len(), 3);
    h.get_all_by_role(egui::accesskit::Role::CheckBox)
        .nth(1)
        .unwrap()
        .click();
    h.run();
    let two: BTreeSet<String> = h.state().extract.selected_keys().into_iter().collect();
    assert_eq!(two.len(), 2);
    h.get_by_label("理由").click();
    h.run();
    h.get_by_label("理由").type_text("入院中のため");
    h.run();
    h.get_by_label("リストから除外").click();
    h.run();
    let opened = h.state().extract.opened.as_ref().unwrap();
    assert_eq!(opened.list.count as usize, size - 2);
    let excluded: BTreeSet<String> = opened.excluded.iter().map(|x| x.key.clone()).collect();
    assert_eq!(excluded, two);
    h.get_by_label("除外した行（2）").click();
    h.run();
    assert_eq!(h.state().extract.tab, Tab::Excluded);
    assert_eq!(h.get_all_by_label("入院中のため").count(), 2);
    for k in &two {
        h.get_by_label(k);
    }

    // 突合 with the recommendation list by 記号・番号 (the default key), keeping matches.
    h.get_by_label("突合").click();
    h.run();
    h.get_by_label("突合結果のリスト名").click();
    h.run();
    h.get_by_label("突合結果のリスト名")
        .type_text("未受診かつ勧奨リスト");
    h.run();
    h.get_by_label("突合する").click();
    h.run();
    let (from, made, report) = h.state().extract.report.clone().expect("a report");
    assert_eq!(from, "未受診2021");
    assert_eq!(made, "未受診かつ勧奨リスト");
    // The truth: every non-attender listed once, but the two taken out; the persons
    // listed twice are ambiguous.
    let truth = &demo().summary.truth.recommendation;
    let want: BTreeSet<String> = truth
        .iter()
        .filter(|m| m.status == ListStatus::NonAttender && m.rows == 1)
        .map(|m| m.insured_id.clone())
        .filter(|id| !two.contains(id))
        .collect();
    let got: BTreeSet<String> = report.matched.iter().map(|(l, _)| l.clone()).collect();
    assert_eq!(got, want);
    let twice = truth
        .iter()
        .filter(|m| m.rows == 2 && !two.contains(&m.insured_id))
        .count();
    assert_eq!(report.ambiguous.len(), twice);
    // What the screen says.
    h.get_by_label("突合の結果");
    // The count stands in the left list (the new list's size) and in the report's grid.
    assert!(h.query_all_by_label(&want.len().to_string()).count() >= 2);
    h.get_by_label("あいまいな行（手で確かめてください）");
    h.get_by_label_contains("新しいリスト「未受診かつ勧奨リスト」を保存しました");
}
