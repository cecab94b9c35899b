//! The map's point layers, legend and saved maps on the demo data: institutions from both
//! masters (placed, counted, filtered, hidden by a click in the window), the insured's
//! past-3-year pattern and the choropleth's sex and age-band filters (both against counts
//! from the raw demo files), saved maps that reopen the same legend, and a layer imported
//! from the window with the CRS asked for when `.prj` is missing.

use kenshin_atlas::app::MapCmd;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use eframe::egui::{self, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kenshin_atlas::analysis::uptake::{Level, TargetFilter};
use kenshin_atlas::app::{Command, Engine};
use kenshin_atlas::auth::SystemClock;
use kenshin_atlas::geo::crs::Crs;
use kenshin_atlas::import::{ImportOptions, import_file};
use kenshin_atlas::job::Progress;
use kenshin_atlas::layers::bundled;
use kenshin_atlas::map::document::{self, DocumentError};
use kenshin_atlas::map::facilities::{self, FacilityFilter, FacilityLayer, Placement, YesNo};
use kenshin_atlas::map::insured::{InsuredPoints, Pattern};
use kenshin_atlas::store::{ImportResult, Store};
use kenshin_atlas::ui::map::{MapState, map_ui};

use super::common::{admin_engine, click_at, demo};
use super::raw_demo;

const FY: i32 = 2021;

fn reference_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference")
}

/// A store with every demo file imported and the addresses matched.
fn full_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    for f in &demo().summary.files {
        let r = import_file(&store, f, &ImportOptions::default(), &Progress::new()).unwrap();
        assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    }
    let opts = kenshin_atlas::geocode::GeocodeOptions {
        reference_dir: reference_dir(),
        ..Default::default()
    };
    kenshin_atlas::geocode::run(&store, &opts, &Progress::new()).unwrap();
    (dir, store)
}

fn strings(store: &Store, sql: &str) -> Vec<(String, String)> {
    let mut stmt = store.conn().prepare(sql).unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn institutions_are_placed_counted_and_filtered() {
    let (_dir, store) = full_store();
    let list = facilities::load(store.conn(), FY).unwrap();
    // Every code of both masters, once.
    let codes: HashSet<String> = strings(
        &store,
        "SELECT code, code FROM medical_institutions UNION SELECT code, code FROM checkup_institutions",
    )
    .into_iter()
    .map(|r| r.0)
    .collect();
    assert_eq!(list.len(), codes.len());
    assert_eq!(
        list.iter().map(|f| &f.code).collect::<HashSet<_>>().len(),
        list.len()
    );
    // The master's lat/lon where given; else the address (the demo leaves ~10% blank).
    let by_address = list
        .iter()
        .filter(|f| matches!(f.placement, Placement::Address(_)))
        .count();
    assert!(by_address > 20, "placed by address: {by_address}");
    for f in list.iter().filter(|f| f.point.is_some()) {
        let (lon, lat) = f.point.unwrap();
        assert!(
            (135.5..136.3).contains(&lon) && (33.8..34.8).contains(&lat),
            "{} at {lon},{lat}",
            f.code
        );
    }
    // 集団健診 organisations (55…) have no address and stay unplaced.
    assert!(
        list.iter()
            .filter(|f| f.code.starts_with("55"))
            .all(|f| f.placement == Placement::None)
    );
    // Users: distinct insured with a claim or a checkup there in the FY, counted here
    // in Rust from the raw rows.
    let mut users: HashMap<String, HashSet<String>> = HashMap::new();
    for (code, id) in strings(
        &store,
        "SELECT institution_code, insured_id FROM claims WHERE service_month BETWEEN DATE '2021-04-01' AND DATE '2022-03-31'
         UNION ALL SELECT institution_code, insured_id FROM checkups WHERE fy = 2021",
    ) {
        users.entry(code).or_default().insert(id);
    }
    let mut checked = 0;
    for f in &list {
        let want = users.get(&f.code).map_or(0, |s| s.len()) as i64;
        assert_eq!(f.users, Some(want), "users of {}", f.code);
        checked += (want > 0) as usize;
    }
    assert!(checked > 100, "institutions with users: {checked}");

    // 健診実施 AND がん検診あり, as the window combines them.
    let layer = FacilityLayer::new(FY, list.clone(), 10);
    let filter = FacilityFilter {
        checkup: YesNo::Yes,
        cancer_screening: YesNo::Yes,
        ..Default::default()
    };
    let shown = layer.hidden(&filter, &[]).iter().filter(|h| !**h).count();
    let want = list
        .iter()
        .filter(|f| f.point.is_some() && f.checkup && f.cancer_screening)
        .count();
    assert_eq!(shown, want);
    assert!(want > 0 && want < layer.facilities.len());
}

#[test]
fn insured_pattern_over_three_years() {
    let (_dir, store) = full_store();
    let points = InsuredPoints::load(store.conn(), FY).unwrap();
    // The same from the raw register and checkup files, in plain Rust (not the SQL that
    // `load` uses): each located target of FY, by the years of FY-2..=FY they were a
    // target in and attended in.
    let people = raw_demo::insured();
    let checkups = raw_demo::checkup_dates();
    let located: HashSet<String> = strings(
        &store,
        "SELECT insured_id, insured_id FROM insured_locations WHERE lon IS NOT NULL",
    )
    .into_iter()
    .map(|r| r.0)
    .collect();
    // Who saw a doctor in FY: the raw claims files of the year.
    let visited: HashSet<String> = demo()
        .summary
        .files
        .iter()
        .filter(|f| {
            f.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("医療レセプト管理")
        })
        .flat_map(|f| raw_demo::rows(f, "レセプト番号"))
        .filter(|r| {
            let m = r["診療年月"].trim().to_string();
            // The demo's claims are of FY 2021 only (2022 in both writings).
            m.starts_with("2022")
                || m.starts_with("R04")
                || m.starts_with("2021")
                || m.starts_with("R03")
        })
        .map(|r| r["被保険者ID"].clone())
        .collect();
    // In Pattern::ALL order: 3 years running; attended some year and a claim; attended,
    // no claim; never attended, a claim; never attended, no claim.
    let mut want = [0usize; 5];
    for (id, p) in &people {
        if !p.target(FY) || !located.contains(id) {
            continue;
        }
        let years = [FY - 2, FY - 1, FY];
        let targeted = years.iter().filter(|y| p.target(**y)).count();
        let attended = years
            .iter()
            .filter(|y| p.target(**y) && raw_demo::attended(checkups.get(id), **y))
            .count();
        let v = visited.contains(id);
        want[match (targeted == 3 && attended == 3, attended > 0, v) {
            (true, _, _) => 0,
            (false, true, true) => 1,
            (false, true, false) => 2,
            (false, false, true) => 3,
            (false, false, false) => 4,
        }] += 1;
    }
    assert_eq!(points.pattern_counts(), want);
    assert_eq!(points.count, want.iter().sum::<usize>());
    assert!(want.iter().all(|n| *n > 0), "every class occurs: {want:?}");
    assert_eq!(
        Pattern::ALL,
        [
            Pattern::EveryYear,
            Pattern::AttendedVisiting,
            Pattern::AttendedNotVisiting,
            Pattern::NeverVisiting,
            Pattern::NeverNotVisiting
        ]
    );
}

#[test]
fn choropleth_filters_by_sex_and_age_band_count_as_the_raw_records_do() {
    // Imported only (the municipality level needs no address matching).
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    for f in &demo().summary.files {
        let r = import_file(&store, f, &ImportOptions::default(), &Progress::new()).unwrap();
        assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    }
    let mut engine = admin_engine(store, Box::new(SystemClock));
    let people = raw_demo::insured();
    let checkups = raw_demo::checkup_dates();
    // (targets, attendees) per municipality for `keep`, counted from the raw records.
    let count = |fy: i32, keep: &dyn Fn(&raw_demo::Person) -> bool| {
        let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for (id, p) in &people {
            if p.target(fy) && keep(p) {
                let t = out.entry(p.municipality.clone()).or_default();
                t.0 += 1;
                t.1 += raw_demo::attended(checkups.get(id), fy) as i64;
            }
        }
        out
    };
    // The raw reading agrees with the generator's own truth, every year.
    let truth = &demo().summary.truth;
    for fy in 2017..=2021 {
        let raw = count(fy, &|_| true);
        for u in truth.uptake.iter().filter(|u| u.fy == fy) {
            let got = raw.get(&u.code).copied().unwrap_or_default();
            assert_eq!(
                got,
                (u.targets as i64, u.attendees as i64),
                "{} {fy}",
                u.code
            );
        }
    }
    let mut filters = vec![TargetFilter::default()];
    for sex in [1, 2] {
        filters.push(TargetFilter {
            sex: Some(sex),
            age_band: None,
        });
    }
    for band in TargetFilter::AGE_BANDS {
        filters.push(TargetFilter {
            sex: None,
            age_band: Some(band),
        });
    }
    filters.push(TargetFilter {
        sex: Some(2),
        age_band: Some(65),
    });
    let all = count(FY, &|_| true);
    for filter in filters {
        // The window's choropleth asks for exactly this; the admin (個人情報の閲覧) asks to
        // see suppressed figures too, so every area has its counts.
        let rows = match engine.execute(
            Command::from(MapCmd::AreaUptake {
                level: Level::Municipality,
                fy: FY,
                filter,
                reveal: true,
            }),
            &Progress::new(),
        ) {
            kenshin_atlas::app::Outcome::Map(kenshin_atlas::app::MapReply::AreaUptake(t)) => {
                t.rows()
            }
            o => panic!("{o:?}"),
        };
        let want = count(FY, &|p| {
            filter.sex.is_none_or(|s| p.sex == s)
                && filter
                    .age_band
                    .is_none_or(|a| (a..=a + 4).contains(&p.age(FY)))
        });
        assert_eq!(rows.len(), 39);
        for r in &rows {
            let w = want.get(&r.code).copied().unwrap_or_default();
            assert_eq!(
                (r.targets, r.attendees),
                (Some(w.0), Some(w.1)),
                "{} {}",
                r.name,
                filter.label()
            );
        }
        // A filter keeps a real part of the targets (not none, not all).
        let (kept, total): (i64, i64) = (
            want.values().map(|v| v.0).sum(),
            all.values().map(|v| v.0).sum(),
        );
        assert!(kept > 0, "{}", filter.label());
        assert!(
            filter == TargetFilter::default() || kept < total,
            "{}",
            filter.label()
        );
    }
}

/// The map screen with an engine behind it: commands run at once, as the worker would.
struct App {
    map: MapState,
    engine: Engine,
}

fn app_harness(store: Store, dir: &Path) -> Harness<'static, App> {
    let engine = admin_engine(store, Box::new(SystemClock));
    let mut map = MapState::default();
    map.basemap = kenshin_atlas::ui::map::basemap::BasemapState::in_dir(&dir.join("maps"));
    Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(80)
        .with_context_setup(kenshin_atlas::ui::install_theme)
        .build_ui_state(
            |ui, app: &mut App| {
                let mut queue = map_ui(ui, &mut app.map);
                while let Some(cmd) = queue.pop() {
                    let out = match app.engine.execute(cmd, &Progress::new()) {
                        kenshin_atlas::app::Outcome::Map(r) => r,
                        o => panic!("not a map answer: {o:?}"),
                    };
                    match app.map.receive(out) {
                        Ok(more) => queue.extend(more),
                        Err(other) => panic!("not a map answer: {other:?}"),
                    }
                }
            },
            App { map, engine },
        )
}

#[test]
fn window_hides_an_institution_by_click_and_reopens_a_saved_legend() {
    let (dir, store) = full_store();
    let mut h = app_harness(store, dir.path());
    h.run();
    let fl = h
        .state()
        .map
        .facilities
        .layer
        .clone()
        .expect("institutions loaded");
    let (ix, _) = h
        .state()
        .map
        .layers
        .loaded
        .as_ref()
        .unwrap()
        .find(facilities::LAYER_NAME)
        .unwrap();
    // Zoom to one institution and click it: identify shows it with a hide button.
    let target = fl.facilities[0].clone();
    let (lon, lat) = target.point.unwrap();
    {
        let st = &mut h.state_mut().map;
        let view = st.canvas.view.as_mut().unwrap();
        view.center = kenshin_atlas::geo::mercator::lonlat_to_world(lon, lat);
        view.set_zoom(17);
    }
    h.run();
    let st = &h.state().map;
    let s = st.canvas.view.unwrap().lonlat_to_screen(lon, lat);
    let p = Pos2::new(st.canvas.origin.0 + s[0], st.canvas.origin.1 + s[1]);
    click_at(&mut h, p);
    h.run();
    assert_eq!(
        h.state().map.tools.identified,
        Some((ix, 0)),
        "the institution is identified"
    );
    assert!(
        h.query_by_label(&target.name).is_some(),
        "its name is shown"
    );
    h.get_by_label("この機関を非表示にする").click();
    h.run();
    assert_eq!(h.state().map.facilities.clicked, vec![target.code.clone()]);
    assert!(
        h.state().map.layers.styles[ix].hidden[0],
        "hidden on the map"
    );
    // A click at the same place no longer finds it.
    click_at(&mut h, p);
    h.run();
    assert_ne!(h.state().map.tools.identified.map(|i| i.0), Some(ix));

    // Edit the legend (a label and a class edge), save the map, change it, reopen it.
    {
        let st = &mut h.state_mut().map;
        st.choropleth.spec.labels = vec![Some("低い".into())];
        let edges = st.choropleth.built.as_ref().unwrap().1.edges.clone();
        st.choropleth.spec =
            kenshin_atlas::map::choropleth::with_edge(&st.choropleth.spec, &edges, 1, 0.3);
        st.choropleth.built = None;
        st.saved.name = "町丁・字 2021".into();
        // Move the municipalities one step up: the choropleth follows its layer.
        let (m, _) = st
            .layers
            .loaded
            .as_ref()
            .unwrap()
            .find(bundled::MUNICIPALITIES)
            .unwrap();
        st.move_layer(m, true);
        assert_eq!(
            st.layers
                .loaded
                .as_ref()
                .unwrap()
                .find(bundled::MUNICIPALITIES)
                .unwrap()
                .0,
            m + 1
        );
    }
    let order = |st: &MapState| -> Vec<String> {
        st.layers
            .loaded
            .as_ref()
            .unwrap()
            .0
            .iter()
            .map(|l| l.index.info.name.clone())
            .collect()
    };
    let saved_order = order(&h.state().map);
    h.run();
    h.get_by_label("地図の保存・呼出し").click();
    h.run();
    h.get_by_label("保存").click();
    h.run();
    let saved_spec = h.state().map.choropleth.spec.clone();
    assert_eq!(
        h.state().map.saved.list.as_ref().map(|l| l.len()),
        Some(1),
        "the saved map is listed"
    );
    assert_eq!(
        h.state().map.choropleth.built.as_ref().unwrap().1.legend[0].label,
        "低い"
    );
    {
        let st = &mut h.state_mut().map;
        st.choropleth.spec = Default::default();
        st.facilities.clicked.clear();
        st.choropleth.built = None;
        let (m, _) = st
            .layers
            .loaded
            .as_ref()
            .unwrap()
            .find(bundled::MUNICIPALITIES)
            .unwrap();
        st.move_layer(m, false);
    }
    assert_ne!(order(&h.state().map), saved_order);
    h.run();
    h.get_by_label("開く").click();
    h.run();
    let st = &h.state().map;
    assert_eq!(
        st.choropleth.spec, saved_spec,
        "the edited legend comes back"
    );
    assert_eq!(order(st), saved_order, "and the layer order");
    assert_eq!(st.facilities.clicked, vec![target.code.clone()]);
    let ch = &st.choropleth.built.as_ref().unwrap().1;
    assert_eq!(ch.legend[0].label, "低い");
    assert_eq!(ch.edges[1], 0.3);
}

#[test]
fn saved_maps_round_trip_and_a_damaged_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut map = MapState::default();
    map.choropleth.spec.labels = vec![None, Some("中".into())];
    map.choropleth.fy = 2019;
    let doc = map.to_document();
    document::save(store.conn(), "  ", &doc).unwrap_err();
    document::save(store.conn(), "A", &doc).unwrap();
    document::save(store.conn(), "A", &doc).unwrap();
    assert_eq!(document::list(store.conn()).unwrap().len(), 1, "replaced");
    assert_eq!(document::load(store.conn(), "A").unwrap(), doc);
    store
        .conn()
        .execute(
            "UPDATE saved_maps SET body = '{\"level\":' WHERE name = 'A'",
            [],
        )
        .unwrap();
    let e = document::load(store.conn(), "A").unwrap_err();
    assert!(matches!(e, DocumentError::Corrupt { .. }));
    assert!(
        e.to_string().contains("保存した地図「A」を読めません"),
        "{e}"
    );
    document::delete(store.conn(), "A").unwrap();
    assert!(matches!(
        document::load(store.conn(), "A"),
        Err(DocumentError::NotFound(_))
    ));
}

#[test]
fn layer_import_without_prj_asks_for_the_crs() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    for ext in ["shp", "shx", "dbf", "cpg"] {
        std::fs::copy(
            reference_dir().join(format!("municipalities/N03-21_29_210101.{ext}")),
            dir.path().join(format!("市町村.{ext}")),
        )
        .unwrap();
    }
    let mut map = MapState::default();
    let file = dir.path().join("市町村.shp");
    let mut engine = admin_engine(store, Box::new(SystemClock));
    let mut run = |map: &mut MapState, crs: Option<Crs>| {
        let cmd = Command::from(MapCmd::ImportLayer {
            file: file.clone(),
            opts: kenshin_atlas::layers::LayerOptions {
                name: Some("市町村（取込）".into()),
                crs,
                ..Default::default()
            },
        });
        match engine.execute(cmd, &Progress::new()) {
            kenshin_atlas::app::Outcome::Map(r) => map.receive(r).unwrap(),
            o => panic!("not a map answer: {o:?}"),
        }
    };
    // No .prj: nothing stored; the guess (JGD2011 lon/lat) is preselected.
    assert!(run(&mut map, None).is_empty());
    let (msg, needs_crs) = map.layers.import.message.clone().unwrap();
    assert!(needs_crs, "{msg}");
    assert!(msg.contains(".prj"), "{msg}");
    assert_eq!(map.layers.import.crs, Some(Crs::from_epsg(6668).unwrap()));
    let stored_names = |e: &Engine| -> Vec<String> {
        kenshin_atlas::layers::storage::list(e.store.conn())
            .unwrap()
            .into_iter()
            .map(|l| l.name)
            .collect()
    };
    // With the chosen CRS it is stored and the map reloads.
    let chosen = map.layers.import.crs;
    assert_eq!(run(&mut map, chosen).len(), 1, "LoadMap follows");
    drop(run);
    assert!(stored_names(&engine).contains(&"市町村（取込）".to_string()));
    let stored: BTreeMap<String, u64> = kenshin_atlas::layers::storage::list(engine.store.conn())
        .unwrap()
        .into_iter()
        .map(|l| (l.name, l.feature_count))
        .collect();
    assert_eq!(stored.get("市町村（取込）"), Some(&39));
}
