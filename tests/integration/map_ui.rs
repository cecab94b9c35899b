//! The map screen driven like a user: +/− and the wheel zoom, a double-click centres, a
//! drag pans, a layer checkbox hides a layer, and a click identifies a municipality.

use eframe::egui::{self, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kenshin_atlas::layers::bundled;
use kenshin_atlas::store::Store;
use kenshin_atlas::ui::map::{MapState, map_ui};

use super::common::click_at;

fn harness() -> (tempfile::TempDir, Harness<'static, MapState>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let layers = kenshin_atlas::map::load_layers(
        &store,
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference"),
    )
    .unwrap();
    let mut state = MapState::default();
    // Tiles rendered on demand go to a temporary maps folder, not the source tree's.
    state.basemap = kenshin_atlas::ui::map::basemap::BasemapState::in_dir(&dir.path().join("maps"));
    state.set_layers(layers);
    let h = Harness::builder()
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
    (dir, h)
}

#[test]
fn zoom_centre_pan_toggle_and_identify() {
    let (_dir, mut h) = harness();
    h.run();
    let v0 = h.state().canvas.view.unwrap();
    assert!(
        (9..=10).contains(&v0.zoom),
        "opens on the whole prefecture, zoom {}",
        v0.zoom
    );
    let b = v0.lonlat_bbox();
    assert!(
        b[0] < 135.54 && b[2] > 136.23 && b[1] < 33.86 && b[3] > 34.78,
        "Nara in view: {b:?}"
    );

    h.get_by_label("＋").click();
    h.run();
    assert_eq!(h.state().canvas.view.unwrap().zoom, v0.zoom + 1);
    h.get_by_label("－").click();
    h.get_by_label("－").click();
    h.run();
    assert_eq!(h.state().canvas.view.unwrap().zoom, v0.zoom - 1);

    // Wheel zoom around the cursor keeps the point under it.
    let p = Pos2::new(900.0, 500.0);
    h.event(egui::Event::PointerMoved(p));
    h.run();
    let before = h.state().canvas.cursor.unwrap();
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: egui::vec2(0.0, 1.0),
        modifiers: Default::default(),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
    });
    h.run();
    let v = h.state().canvas.view.unwrap();
    assert_eq!(v.zoom, v0.zoom);
    h.event(egui::Event::PointerMoved(p + egui::vec2(0.5, 0.0)));
    h.event(egui::Event::PointerMoved(p));
    h.run();
    let after = h.state().canvas.cursor.unwrap();
    assert!(
        (before.0 - after.0).abs() < 1e-3 && (before.1 - after.1).abs() < 1e-3,
        "{before:?} vs {after:?}"
    );

    // Double-click centres on the clicked point.
    let target = Pos2::new(1100.0, 300.0);
    h.event(egui::Event::PointerMoved(target));
    h.run();
    let clicked = h.state().canvas.cursor.unwrap();
    click_at(&mut h, target);
    click_at(&mut h, target);
    h.run();
    let v = h.state().canvas.view.unwrap();
    let (clon, clat) = kenshin_atlas::geo::mercator::world_to_lonlat(v.center.0, v.center.1);
    assert!(
        (clon - clicked.0).abs() < 1e-6 && (clat - clicked.1).abs() < 1e-6,
        "centre {clon},{clat} vs clicked {clicked:?}"
    );

    // A layer toggle.
    let sa = h
        .state()
        .layers
        .loaded
        .as_ref()
        .unwrap()
        .find(bundled::SMALL_AREAS)
        .unwrap()
        .0;
    assert!(!h.state().layers.styles[sa].visible);
    h.get_by_label(bundled::SMALL_AREAS).click();
    h.run();
    assert!(h.state().layers.styles[sa].visible);

    // Back to the whole prefecture; with stations and small areas hidden, a click in east Nara city
    // identifies 奈良市 (the topmost visible feature there).
    h.get_by_label(bundled::STATIONS).click();
    h.get_by_label(bundled::SMALL_AREAS).click();
    h.get_by_label("奈良県全体").click();
    h.run();
    let v = h.state().canvas.view.unwrap();
    let hall = v.lonlat_to_screen(135.95, 34.68); // east Nara city (田原), far from any railway
    let (ox, oy) = h.state().canvas.origin;
    click_at(&mut h, Pos2::new(ox + hall[0], oy + hall[1]));
    h.run();
    let (li, fi) = h.state().tools.identified.expect("a feature is identified");
    let layer = &h.state().layers.loaded.as_ref().unwrap().0[li];
    assert_eq!(layer.index.info.name, bundled::MUNICIPALITIES);
    let codes = layer.index.column_text(bundled::MUNICIPALITY_CODE).unwrap();
    assert_eq!(codes[fi], "29201");
}
