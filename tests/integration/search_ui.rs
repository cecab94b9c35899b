//! Search driven like a user (egui_kittest, the engine answering in the same frame): a
//! rectangle dragged on the map gives the count of the year's non-attending targets in it
//! (checked against the engine's own count of the same place); a two-condition query
//! built by mouse on the 検索 screen lists its rows; saved, changed and run again, it
//! comes back as it was saved.

use std::path::Path;

use eframe::egui::{self, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kenshin_atlas::app::domain::search::{SearchCmd, SearchReply};
use kenshin_atlas::app::{Command, Engine, Outcome};
use kenshin_atlas::auth::SystemClock;
use kenshin_atlas::job::Progress;
use kenshin_atlas::ui::map::{MapState, map_ui};
use kenshin_atlas::ui::search_ui::{SearchState, receive, search_ui};

use super::common::admin_engine;

struct App {
    map: MapState,
    search: SearchState,
    engine: Engine,
    on_map: bool,
}

/// Runs the commands of a frame through the engine, and their answers into the screens.
fn drain(app: &mut App, mut queue: Vec<Command>) {
    while let Some(cmd) = queue.pop() {
        match app.engine.execute(cmd, &Progress::new()) {
            Outcome::Map(r) => {
                if let Ok(more) = app.map.receive(r) {
                    queue.extend(more);
                }
            }
            Outcome::Search(r) => {
                if let Err(r) = kenshin_atlas::ui::map::receive_search(&mut app.map, r) {
                    queue.extend(receive(&mut app.search, r));
                }
            }
            Outcome::Import(_) => {}
            o => panic!("unexpected answer: {o:?}"),
        }
    }
}

fn harness(dir: &Path) -> Harness<'static, App> {
    let engine = admin_engine(super::common::demo_store(dir), Box::new(SystemClock));
    let mut map = MapState::default();
    map.basemap = kenshin_atlas::ui::map::basemap::BasemapState::in_dir(&dir.join("maps"));
    map.choropleth.may_reveal = true;
    let mut search = SearchState::default();
    search.may_list = true;
    search.user = super::common::ADMIN.into();
    Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(80)
        .with_context_setup(kenshin_atlas::ui::install_theme)
        .build_ui_state(
            |ui, app: &mut App| {
                let cmds = if app.on_map {
                    map_ui(ui, &mut app.map)
                } else {
                    search_ui(ui, &mut app.search, &[2019, 2020, 2021])
                };
                drain(app, cmds);
            },
            App {
                map,
                search,
                engine,
                on_map: true,
            },
        )
}

fn count(e: &mut Engine, q: kenshin_atlas::search::Query) -> Option<u64> {
    match e.execute(
        Command::from(SearchCmd::Count { query: q }),
        &Progress::new(),
    ) {
        Outcome::Search(SearchReply::Count { count, .. }) => count,
        o => panic!("{o:?}"),
    }
}

#[test]
fn a_dragged_rectangle_counts_the_non_attenders_inside() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.run();
    // Zoom to Nara city's centre, pick the rectangle tool, and drag.
    {
        let v = h.state_mut().map.canvas.view.as_mut().unwrap();
        v.center = kenshin_atlas::geo::mercator::lonlat_to_world(135.81, 34.685);
        v.set_zoom(13);
    }
    h.run();
    h.get_by_label("矩形").click();
    h.run();
    let (ox, oy) = h.state().map.canvas.origin;
    let (a, b) = (
        Pos2::new(ox + 400.0, oy + 250.0),
        Pos2::new(ox + 800.0, oy + 550.0),
    );
    let view = h.state().map.canvas.view.unwrap();
    let la = view.screen_to_lonlat([a.x - ox, a.y - oy]);
    let lb = view.screen_to_lonlat([b.x - ox, b.y - oy]);
    super::common::drag(&mut h, a, b);
    h.run();
    let sp = &h.state().map.tools.spatial;
    let Some((_, kenshin_atlas::search::Place::Rect(bbox))) = sp.shape.clone() else {
        panic!("no rectangle: {:?}", sp.shape.as_ref().map(|s| &s.1));
    };
    // The rectangle runs from where the button went down to where it came up.
    for (got, want) in [
        (bbox[0], la.0.min(lb.0)),
        (bbox[1], la.1.min(lb.1)),
        (bbox[2], la.0.max(lb.0)),
        (bbox[3], la.1.max(lb.1)),
    ] {
        assert!((got - want).abs() < 1e-6, "{bbox:?} vs {la:?} {lb:?}");
    }
    let text = sp.count_text.clone().expect("a count is shown");
    let (persons, institutions) = kenshin_atlas::ui::map::tools::spatial::shape_queries(
        2021,
        &kenshin_atlas::search::Place::Rect(bbox),
    );
    let n = count(&mut h.state_mut().engine, persons).unwrap();
    assert!(n > 10, "{n}");
    assert!(
        text.ends_with(&format!(
            "{}人",
            kenshin_atlas::search::describe::thousands(n)
        )),
        "{text}"
    );
    assert!(h.query_by_label(&text).is_some(), "the count is on screen");
    // The listed persons and institutions are those inside.
    assert_eq!(
        h.state()
            .map
            .tools
            .spatial
            .persons
            .as_ref()
            .unwrap()
            .1
            .rows() as u64,
        n
    );
    let inst = count(&mut h.state_mut().engine, institutions).unwrap();
    assert_eq!(
        h.state()
            .map
            .tools
            .spatial
            .institutions
            .as_ref()
            .unwrap()
            .1
            .rows() as u64,
        inst
    );
}

#[test]
fn a_query_built_by_mouse_runs_saves_and_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.state_mut().on_map = false;
    h.run();
    // It opens on the year's non-attending targets, counted.
    let first = h.state().search.count.clone().expect("a live count");
    assert!(first.contains("特定健診対象者 かつ 未受診"), "{first}");
    // Add 性別 from the list and choose 女性: two conditions and a third.
    h.get_by_label("条件を追加:").click();
    h.run();
    h.get_by_label("性別").click();
    h.run();
    h.get_by_label("＋ 追加").click();
    h.run();
    h.get_by_label("女性").click();
    h.run();
    let q = h.state().search.query();
    assert_eq!(q.cond.leaves(), 3, "{}", q.to_json_string());
    assert!(
        q.to_json_string()
            .contains(r#""field":"sex","op":"=","value":2"#),
        "{}",
        q.to_json_string()
    );
    let live = h.state().search.count.clone().expect("counted again");
    assert!(live.contains("女性"), "{live}");
    let want = count(&mut h.state_mut().engine, q.clone()).unwrap();
    h.get_by_label("検索（一覧を表示）").click();
    h.run();
    let (desc, _, table) = h.state().search.result.as_ref().expect("a result table");
    assert_eq!(table.rows() as u64, want, "{desc}");
    // Save it, change the query, run the saved one: it comes back.
    h.get_by_label("名前").click();
    h.get_by_label("名前").type_text("女性の未受診者");
    h.run();
    h.get_by_label("今の条件を保存").click();
    h.run();
    assert!(
        h.state()
            .search
            .saved
            .as_ref()
            .is_some_and(|l| l.iter().any(|s| s.name == "女性の未受診者"))
    );
    h.get_by_label("いずれか（OR）").click();
    h.run();
    assert_ne!(h.state().search.query(), q);
    h.get_by_label("実行").click();
    h.run();
    assert_eq!(h.state().search.query(), q);
    let (_, _, table) = h.state().search.result.as_ref().unwrap();
    assert_eq!(table.rows() as u64, want);
}
