//! The pictures of the manuals and the README, taken from the app itself on the demo data
//! with egui_kittest's wgpu renderer: `cargo test -- --ignored manual_screenshots`. Each
//! picture is written to `manuals/images/<name>.png`; `manuals.rs` checks that every
//! picture a manual shows exists. Ignored in the normal run: it rewrites files of the
//! repository and needs a wgpu adapter (Mesa's lavapipe on a machine without a GPU).

use std::path::{Path, PathBuf};
use std::time::Duration;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kenshin_atlas::analysis::uptake::Level;
use kenshin_atlas::app::{AdminCmd, AdminOp, Outcome};
use kenshin_atlas::auth::SystemClock;
use kenshin_atlas::import::{ImportOptions, import_file};
use kenshin_atlas::job::Progress;
use kenshin_atlas::store::Store;
use kenshin_atlas::ui::login_ui::Gate;
use kenshin_atlas::ui::{AtlasApp, Screen};

use super::common::{ADMIN, ADMIN_PASSWORD, admin_engine, demo};

fn images_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("manuals/images")
}

/// Steps frames until `done` holds and no job runs, then a few more so that textures and
/// tiles settle.
fn wait(h: &mut Harness<AtlasApp>, what: &str, done: impl Fn(&AtlasApp) -> bool) {
    super::common::wait_app(h, what, |a| done(a) && a.running.is_empty());
    for _ in 0..40 {
        h.step();
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn shot(h: &mut Harness<AtlasApp>, name: &str) {
    let img = h
        .render()
        .unwrap_or_else(|e| panic!("rendering {name}: {e} (is a wgpu adapter installed?)"));
    let path = images_dir().join(format!("{name}.png"));
    img.save(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    eprintln!("{}", path.display());
}

/// A few frames (a popup opens in the frame after the click).
fn settle(h: &mut Harness<AtlasApp>) {
    for _ in 0..4 {
        h.step();
    }
}

#[test]
#[ignore = "rewrites manuals/images: cargo test -- --ignored manual_screenshots"]
fn manual_screenshots() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        // The admin (set up as the window does it) and the demo data with its addresses
        // matched (no demo is built then).
        let mut e = admin_engine(Store::open(&data).unwrap(), Box::new(SystemClock));
        // Two groups for the admin screen, one of them suspended.
        for op in [
            AdminOp::SetGroup {
                name: "監査担当".into(),
                rights: [kenshin_atlas::auth::Right::ViewAudit]
                    .into_iter()
                    .collect(),
                members: vec![ADMIN.into()],
            },
            AdminOp::SetGroup {
                name: "出力担当".into(),
                rights: [kenshin_atlas::auth::Right::Export].into_iter().collect(),
                members: vec![],
            },
            AdminOp::SuspendGroup("出力担当".into()),
        ] {
            let o = e.execute(AdminCmd::Op(op), &Progress::new());
            assert!(matches!(o, Outcome::Admin(_)), "{o:?}");
        }
        let store = &e.store;
        for f in &demo().summary.files {
            let r = import_file(store, f, &ImportOptions::default(), &Progress::new()).unwrap();
            assert!(r.is_success(), "{}", r.message);
        }
        let opts = kenshin_atlas::geocode::GeocodeOptions {
            reference_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference"),
            ..Default::default()
        };
        kenshin_atlas::geocode::run(store, &opts, &Progress::new()).unwrap();
        // What `render --choropleth small-area --fy 2021` draws, without a window.
        let spec = kenshin_atlas::render::export::MapPng {
            choropleth: Some(Level::SmallArea),
            fy: 2021,
            ..Default::default()
        };
        kenshin_atlas::render::export::write_map_png(
            store,
            &spec,
            &images_dir().join("render-smallarea.png"),
        )
        .unwrap();
        // An atlas page (奈良市) as `atlas --png-dir` writes it, at 100 dpi.
        let atlas = kenshin_atlas::render::atlas::prepare(store, 2021).unwrap();
        let png = atlas.png(0, 100).unwrap();
        std::fs::write(images_dir().join("atlas-page.png"), png).unwrap();
        // A layout page whose frame (1:25,000 over central Nara city) draws the small
        // areas, the institutions and the persons' points by pattern, at 100 dpi.
        let mut layout =
            kenshin_atlas::layout::templates::named(kenshin_atlas::layout::templates::A4_LANDSCAPE)
                .unwrap();
        for it in &mut layout.items {
            if let kenshin_atlas::layout::ItemKind::Map { .. } = it.kind {
                it.kind = kenshin_atlas::layout::ItemKind::Map {
                    extent: Some([135.78, 34.66, 135.84, 34.70]),
                    scale: Some(25_000),
                };
            }
        }
        let mut doc = kenshin_atlas::ui::map::MapState::default().to_document();
        doc.level = Level::SmallArea;
        doc.fy = 2021;
        doc.insured_on = true;
        doc.insured_coloring = kenshin_atlas::map::insured::PointColoring::Pattern;
        doc.insured_from_zoom = 13;
        layout.map = Some(doc);
        let mut maps = kenshin_atlas::map::cache::MapCache::default();
        let page = kenshin_atlas::render::printout::prepare(store, &layout, &mut maps).unwrap();
        std::fs::write(
            images_dir().join("layout-frame.png"),
            page.png(0, 100).unwrap(),
        )
        .unwrap();
    }
    let ctx = egui::Context::default();
    let mut app = AtlasApp::new(&ctx, data.clone());
    app.map.basemap =
        kenshin_atlas::ui::map::basemap::BasemapState::in_dir(&dir.path().join("maps"));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1920.0, 1080.0))
        .with_theme(egui::Theme::Light)
        .with_context_setup(kenshin_atlas::ui::install_theme)
        .wgpu()
        .build_ui_state(|ui, app: &mut AtlasApp| app.frame_ui(ui), app);

    wait(&mut h, "the login screen", |a| a.login.gate == Gate::Login);
    h.get_by_label("ID").click();
    h.get_by_label("ID").type_text(ADMIN);
    h.step();
    shot(&mut h, "login");
    h.get_by_label("パスワード").click();
    h.get_by_label("パスワード").type_text(ADMIN_PASSWORD);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "ログイン")
        .click();
    wait(&mut h, "the map", |a| {
        a.login.gate == Gate::Open && a.map.choropleth.built.is_some()
    });
    shot(&mut h, "map");

    // Small areas, zoomed on a town, one area identified.
    h.state_mut().map.choropleth.level = Level::SmallArea;
    h.state_mut().map.choropleth.built = None;
    wait(&mut h, "the small-area choropleth", |a| {
        a.map.choropleth.built.is_some()
            && a.map
                .choropleth
                .rows
                .as_ref()
                .is_some_and(|t| t.level == Level::SmallArea)
    });
    {
        let view = h.state_mut().map.canvas.view.as_mut().unwrap();
        // 桜井市の中心部.
        view.center = kenshin_atlas::geo::mercator::lonlat_to_world(135.843, 34.515);
        view.set_zoom(12);
    }
    h.step();
    // 属性 of a small area whose figures are shown (most of the small demo's are
    // suppressed).
    let shown = {
        let st = &h.state().map;
        let (li, ch) = st.choropleth.built.as_ref().unwrap();
        let fi = ch
            .values
            .iter()
            .position(|r| {
                r.as_ref()
                    .is_some_and(|r| !r.suppressed && r.value.is_some())
            })
            .expect("a small area with figures");
        (*li, fi)
    };
    h.state_mut().map.tools.identified = Some(shown);
    // Centred on it.
    let centre = {
        use geo::BoundingRect;
        let layers = h.state().map.layers.loaded.as_ref().unwrap();
        let f = &layers.0[shown.0].index.features[shown.1];
        f.geom.bounding_rect().unwrap().center()
    };
    h.state_mut().map.canvas.view.as_mut().unwrap().center =
        kenshin_atlas::geo::mercator::lonlat_to_world(centre.x, centre.y);
    wait(&mut h, "the identified area", |a| {
        a.map.tools.identified.is_some()
    });
    shot(&mut h, "map-smallarea");

    // Institutions and the insured as points, at zoom 15, coloured by the past 3 years'
    // checkups and this year's visits.
    h.state_mut().map.tools.identified = None;
    h.state_mut().map.insured.on = true;
    h.state_mut().map.insured.coloring = kenshin_atlas::map::insured::PointColoring::Pattern;
    h.state_mut().map.canvas.view.as_mut().unwrap().set_zoom(15);
    wait(&mut h, "the insured points", |a| {
        a.map.insured.points.is_some() && a.map.facilities.layer.is_some()
    });
    shot(&mut h, "map-facilities-insured");
    h.state_mut().map.insured.on = false;

    // A rectangle dragged over Nara city's centre: the count, the list, the institutions.
    use kenshin_atlas::ui::map::tools::spatial::Mode;
    {
        let v = h.state_mut().map.canvas.view.as_mut().unwrap();
        v.center = kenshin_atlas::geo::mercator::lonlat_to_world(135.815, 34.683);
        v.set_zoom(15);
    }
    h.state_mut().map.tools.spatial.mode = Mode::Rect;
    h.step();
    let (ox, oy) = h.state().map.canvas.origin;
    super::common::drag(
        &mut h,
        egui::pos2(ox + 520.0, oy + 300.0),
        egui::pos2(ox + 980.0, oy + 640.0),
    );
    wait(&mut h, "the rectangle's results", |a| {
        let sp = &a.map.tools.spatial;
        sp.persons.is_some() && sp.institutions.is_some()
    });
    h.get_by_label_contains("未受診者の一覧").click();
    h.step();
    shot(&mut h, "search-map");

    // The nearest checkup institutions of a clicked point.
    h.state_mut().map.tools.spatial = Default::default();
    h.state_mut().map.tools.spatial.mode = Mode::Nearest;
    h.state_mut().map.canvas.view.as_mut().unwrap().set_zoom(14);
    h.step();
    super::common::click_at(&mut h, egui::pos2(ox + 700.0, oy + 450.0));
    wait(&mut h, "the nearest institutions", |a| {
        a.map
            .tools
            .spatial
            .nearest
            .as_ref()
            .is_some_and(|n| !n.1.is_empty())
    });
    shot(&mut h, "search-nearest");
    h.state_mut().map.tools.spatial = Default::default();

    // The query builder: the year's non-attending targets, women of 65–74, listed.
    h.state_mut().screen = Screen::Search;
    wait(&mut h, "the search screen", |a| {
        a.search.count.is_some() && a.search.lists.is_some()
    });
    h.get_by_label("条件を追加:").click();
    settle(&mut h);
    h.get_by_label("性別").click();
    settle(&mut h);
    h.get_by_label("＋ 追加").click();
    settle(&mut h);
    h.get_by_label("女性").click();
    settle(&mut h);
    h.get_by_label("条件を追加:").click();
    settle(&mut h);
    h.get_by_label("年齢階級（5歳）").click();
    settle(&mut h);
    h.get_by_label("＋ 追加").click();
    settle(&mut h);
    if let Some(kenshin_atlas::ui::search_ui::Row {
        kind: kenshin_atlas::ui::search_ui::RowKind::Field(f),
        ..
    }) = h.state_mut().search.rows.last_mut()
    {
        f.picks.extend(["65-69".to_string(), "70-74".to_string()]);
    }
    h.state_mut().search.save_name = "女性65〜74歳の未受診者".into();
    h.step();
    h.get_by_label("検索（一覧を表示）").click();
    wait(&mut h, "the search result", |a| a.search.result.is_some());
    h.get_by_label("今の条件を保存").click();
    wait(&mut h, "the saved search", |a| {
        a.search.saved.as_ref().is_some_and(|l| !l.is_empty())
    });
    shot(&mut h, "search");

    // The result extracted as a list; two rows taken out with a reason.
    h.state_mut().search.extract_name = "女性65〜74歳の未受診者".into();
    h.step();
    h.get_by_label("抽出（リストに保存）").click();
    wait(&mut h, "the extraction list", |a| {
        a.screen == Screen::Extract && a.extract.opened.is_some()
    });
    if let Some(t) = h
        .state_mut()
        .extract
        .opened
        .as_mut()
        .and_then(|o| o.table.as_mut())
    {
        t.selected.extend([0, 1]);
    }
    h.state_mut().extract.exclude_reason = "入院中のため".into();
    h.step();
    h.get_by_label("リストから除外").click();
    wait(&mut h, "the rows taken out", |a| {
        a.extract
            .opened
            .as_ref()
            .is_some_and(|o| o.excluded.len() == 2)
    });
    shot(&mut h, "extract-list");

    // Matched with the recommendation list by 記号・番号.
    h.state_mut().extract.tab = kenshin_atlas::ui::extract_ui::Tab::Match;
    h.state_mut().extract.result_name = "女性65〜74歳の未受診者（勧奨リスト掲載）".into();
    h.step();
    h.get_by_label("突合する").click();
    wait(&mut h, "the match report", |a| {
        a.extract.report.as_ref().is_some_and(|r| !r.1.is_empty())
    });
    shot(&mut h, "extract-match");

    // The data browser: an imported row of the insurers opened for an edit.
    h.state_mut().screen = Screen::Data;
    wait(&mut h, "the data tables", |a| a.data.tables.is_some());
    h.get_by_label_contains("保険者情報（").click();
    wait(&mut h, "the insurers", |a| a.data.page.is_some());
    h.get_all_by_label("選ぶ").next().unwrap().click();
    settle(&mut h);
    h.get_by_label("選んだ行を修正").click();
    wait(&mut h, "the edit form", |a| a.data.form.is_some());
    shot(&mut h, "data");

    h.state_mut().screen = Screen::Home;
    wait(&mut h, "the uptake table", |a| {
        a.home.stats.is_some() && a.home.uptake.is_some()
    });
    shot(&mut h, "home");

    // 出力 from the 集計 table: the window, a PDF map written, and its page as a reader
    // renders it.
    h.get_by_label("出力…").click();
    settle(&mut h);
    let out = dir.path().join("出力");
    std::fs::create_dir_all(&out).unwrap();
    {
        let st = &mut h.state_mut().export;
        st.folder = out.display().to_string();
        st.format = Some(kenshin_atlas::app::domain::export::Format::Pdf);
        st.file = "2021年度_市町村別_受診率.pdf".into();
        st.bundle = true;
        st.dpi = 100;
    }
    settle(&mut h);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "出力")
        .click();
    wait(&mut h, "the export", |a| {
        a.export.done.is_some() || a.export.error.is_some()
    });
    assert!(
        h.state().export.error.is_none(),
        "{:?}",
        h.state().export.error
    );
    shot(&mut h, "export");
    let pdf = out.join("2021年度_市町村別_受診率.pdf");
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "60", "-png", "-singlefile"])
        .arg(&pdf)
        .arg(images_dir().join("export-pdf"))
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(status.success());
    h.state_mut().export.request = None;

    h.state_mut().screen = Screen::Geocode;
    wait(&mut h, "the geocoding report", |a| {
        a.geocode.report.is_some()
    });
    shot(&mut h, "geocode");

    h.state_mut().screen = Screen::Import;
    wait(&mut h, "the import screen", |_| true);
    shot(&mut h, "import");

    // 印刷レイアウト: the first template with its preview, the legend selected.
    h.state_mut().screen = Screen::Layout;
    wait(&mut h, "the layout preview", |a| a.layout.has_preview());
    let legend = h.state().layout.layout.as_ref().and_then(|l| {
        l.items
            .iter()
            .position(|i| i.kind == kenshin_atlas::layout::ItemKind::Legend)
    });
    h.state_mut().layout.selected = legend;
    wait(&mut h, "the layout screen", |_| true);
    shot(&mut h, "layout");

    h.state_mut().screen = Screen::Admin;
    wait(&mut h, "the user and group lists", |a| {
        a.admin.users.is_some() && a.admin.groups.as_ref().is_some_and(|g| g.len() == 2)
    });
    shot(&mut h, "admin");

    h.state_mut().screen = Screen::Audit;
    wait(&mut h, "the audit log", |a| a.audit.entries.is_some());
    shot(&mut h, "audit");
}
