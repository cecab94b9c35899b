//! The fiscal years the screens offer come from the data: a FY2022 checkup file (the demo's
//! FY2021 file relabelled 令和4年度) adds 2022 to what the worker reports, and the map's
//! 年度 list then offers 2022年度, and no year the data does not have.

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kenshin_atlas::app::{Command, Outcome};
use kenshin_atlas::app::{ImportCmd, ImportReply};
use kenshin_atlas::auth::SystemClock;
use kenshin_atlas::import::ImportOptions;
use kenshin_atlas::job::Progress;
use kenshin_atlas::store::{ImportResult, Store};
use kenshin_atlas::ui::map::{MapState, map_ui};

use super::common::{admin_engine, demo, write_cp932};

/// The years the worker reports after importing the demo's FY2021 checkups and a copy of
/// them relabelled FY2022.
fn years_after_importing_fy2022() -> Vec<i32> {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let mut engine = admin_engine(store, Box::new(SystemClock));
    let fy2021 = demo().file("健診結果_2021.csv");
    let bytes = std::fs::read(&fy2021).unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    let rows = text.matches("\"令和3年度\"").count();
    assert!(rows > 100, "FY2021 rows: {rows}");
    let fy2022 = dir.path().join("健診結果_2022.csv");
    write_cp932(&fy2022, &text.replace("\"令和3年度\"", "\"令和4年度\""));
    match engine.execute(
        Command::from(ImportCmd::Import {
            files: vec![fy2021, fy2022],
            opts: ImportOptions::default(),
        }),
        &Progress::new(),
    ) {
        Outcome::Import(ImportReply::Imported { reports, .. }) => {
            assert_eq!(reports.len(), 2);
            for r in &reports {
                assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
                assert_eq!(r.rows as usize, rows, "{}", r.message);
            }
        }
        o => panic!("import: {o:?}"),
    }
    match engine.execute(Command::from(ImportCmd::Stats), &Progress::new()) {
        Outcome::Import(ImportReply::Stats(s)) => s.fiscal_years,
        o => panic!("stats: {o:?}"),
    }
}

#[test]
fn an_imported_fy2022_checkup_file_is_offered_in_the_year_list() {
    let years = years_after_importing_fy2022();
    assert_eq!(years, [2021, 2022]);

    // The map's 年度 list, fed the years as the window feeds it.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let layers = kenshin_atlas::map::load_layers(
        &store,
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference"),
    )
    .unwrap();
    let mut state = MapState::default();
    state.basemap = kenshin_atlas::ui::map::basemap::BasemapState::in_dir(&dir.path().join("maps"));
    state.set_layers(layers);
    state.set_fiscal_years(years);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(60)
        .with_context_setup(kenshin_atlas::ui::install_theme)
        .build_ui_state(
            |ui, st: &mut MapState| {
                let _ = map_ui(ui, st);
            },
            state,
        );
    h.run();
    assert_eq!(h.state().choropleth.fy, 2021);
    h.get_by_label("年度").click();
    h.run();
    assert!(
        h.query_by_label("2017年度").is_none(),
        "a year without checkups is not offered"
    );
    h.get_by_label("2022年度").click();
    h.run();
    assert_eq!(h.state().choropleth.fy, 2022);
}

#[test]
fn the_map_opens_on_the_latest_year_the_data_has() {
    let mut state = MapState::default();
    state.set_fiscal_years(vec![2022, 2023]);
    assert_eq!(state.choropleth.fy, 2023, "2021 is not in the data");
    // Later reports keep the user's choice.
    state.choropleth.fy = 2022;
    state.set_fiscal_years(vec![2022, 2023, 2024]);
    assert_eq!(state.choropleth.fy, 2022);
    // With data for the default year, it stays.
    let mut state = MapState::default();
    state.set_fiscal_years(vec![2017, 2018, 2019, 2020, 2021]);
    assert_eq!(state.choropleth.fy, 2021);
}
