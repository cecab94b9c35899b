//! The 印刷レイアウト screen driven like a user (egui_kittest, the engine answering in the
//! same frame): the first template opens with its preview, the title is retyped, the
//! legend dragged to the left, and the layout written as a PDF that pdftotext reads with
//! the new title and the legend's labels as the map screen makes them.

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kenshin_atlas::app::{Engine, Outcome};
use kenshin_atlas::auth::SystemClock;
use kenshin_atlas::job::Progress;
use kenshin_atlas::layout::ItemKind;
use kenshin_atlas::ui::layout_ui::{self, LayoutState};

use super::common::{admin_engine, demo_store, drag};

struct App {
    st: LayoutState,
    engine: Engine,
}

fn settle(h: &mut Harness<App>) {
    for _ in 0..6 {
        h.step();
    }
}

#[test]
fn open_a_template_retitle_it_move_the_legend_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let engine = admin_engine(demo_store(dir.path()), Box::new(SystemClock));
    let mut st = LayoutState::default();
    st.may_edit = true;
    st.may_export = true;
    st.may_print = true;
    let mut h = Harness::builder()
        .with_size(egui::vec2(1600.0, 1300.0))
        .with_context_setup(kenshin_atlas::ui::install_theme)
        .build_ui_state(
            |ui, app: &mut App| {
                for c in layout_ui::layout_ui(ui, &mut app.st) {
                    if matches!(c, kenshin_atlas::app::Command::Export(_)) {
                        app.st.atlas_job = Some(1);
                    }
                    match app.engine.execute(c, &Progress::new()) {
                        Outcome::Print(r) => app.st.on_reply(r),
                        Outcome::Export(kenshin_atlas::app::domain::export::ExportReply::Done(
                            d,
                        )) => {
                            let files: Vec<_> = d.files.iter().map(|f| f.path.clone()).collect();
                            app.st.atlas_done(1, &files);
                        }
                        Outcome::Failed(e) => {
                            app.st.failed();
                            app.st.message = Some(e.to_string());
                        }
                        o => panic!("{o:?}"),
                    }
                }
            },
            App { st, engine },
        );
    settle(&mut h);
    assert!(h.state().st.has_preview(), "{:?}", h.state().st.message);
    let l = h.state().st.layout.clone().unwrap();
    assert_eq!(l.name, kenshin_atlas::layout::templates::A3_LANDSCAPE_MAP);
    // The title: picked in the list, retyped.
    h.get_by_label("タイトル  10,10 mm").click();
    settle(&mut h);
    let text_field = |h: &Harness<App>| {
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, "文字")
            .rect()
            .center()
    };
    let at = text_field(&h);
    super::common::click_at(&mut h, at);
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.step();
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "文字")
        .type_text("奈良市 受診率の地図");
    h.step();
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    let title = |h: &Harness<App>| {
        h.state()
            .st
            .layout
            .as_ref()
            .unwrap()
            .items
            .iter()
            .find_map(|i| match &i.kind {
                ItemKind::Title { text } => Some(text.clone()),
                _ => None,
            })
    };
    assert_eq!(title(&h).as_deref(), Some("奈良市 受診率の地図"));
    // The legend, dragged 120 px to the left over the map.
    let legend = |h: &Harness<App>| {
        let l = h.state().st.layout.as_ref().unwrap();
        l.items
            .iter()
            .find(|i| i.kind == ItemKind::Legend)
            .unwrap()
            .rect
    };
    let before = legend(&h);
    let (area, s) = h.state().st.view.unwrap();
    let centre = area.min
        + egui::vec2(
            (before[0] + before[2] / 2.0) * s,
            (before[1] + before[3] / 2.0) * s,
        );
    drag(&mut h, centre, centre - egui::vec2(120.0, 0.0));
    settle(&mut h);
    let after = legend(&h);
    assert!(
        (before[0] - after[0] - 120.0 / s).abs() < 1.0,
        "{before:?} → {after:?}"
    );
    assert_eq!(before[1], after[1]);
    // The map under the legend stayed where it was.
    let map = h.state().st.layout.as_ref().unwrap().items[0].rect;
    assert_eq!(map, l.items[0].rect);
    // 「地図の画面の地図を使う」 asks the app for the map screen's map, which the app hands
    // over (here: a map screen at its defaults), and the preview is asked again.
    h.get_by_label("地図の画面の地図を使う").click();
    settle(&mut h);
    assert!(h.state().st.want_map);
    h.state_mut().st.want_map = false;
    let doc = kenshin_atlas::ui::map::MapState::default().to_document();
    h.state_mut().st.take_map(doc.clone());
    settle(&mut h);
    assert_eq!(
        h.state().st.layout.as_ref().unwrap().map.as_ref(),
        Some(&doc)
    );
    assert!(h.state().st.has_preview());
    // Items added: a text box (the list's first kind) in the middle of the page, retyped;
    // a logo from a PNG file; and one added by mistake, removed again.
    let n = h.state().st.layout.as_ref().unwrap().items.len();
    h.get_by_label("項目を追加").click();
    settle(&mut h);
    let l2 = h.state().st.layout.clone().unwrap();
    assert_eq!(l2.items.len(), n + 1);
    assert!(matches!(l2.items[n].kind, ItemKind::Text { .. }));
    assert_eq!(h.state().st.selected, Some(n));
    let box_field = |h: &Harness<App>| {
        h.get_by_role_and_label(egui::accesskit::Role::MultilineTextInput, "文字")
            .rect()
            .center()
    };
    let at = box_field(&h);
    super::common::click_at(&mut h, at);
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.step();
    h.get_by_role_and_label(egui::accesskit::Role::MultilineTextInput, "文字")
        .type_text("保健事業課 作成");
    settle(&mut h);
    let logo = dir.path().join("ロゴ.png");
    image::RgbaImage::from_pixel(60, 30, image::Rgba([255, 0, 255, 255]))
        .save(&logo)
        .unwrap();
    h.state_mut().st.picture_path = logo.display().to_string();
    settle(&mut h);
    h.get_by_label("画像を追加").click();
    settle(&mut h);
    let l3 = h.state().st.layout.clone().unwrap();
    assert_eq!(l3.items.len(), n + 2, "{:?}", h.state().st.message);
    assert!(
        matches!(&l3.items[n + 1].kind, ItemKind::Image { picture } if picture.name == "ロゴ.png")
    );
    // 40 mm wide, the picture's 2:1.
    assert_eq!(l3.items[n + 1].rect[2..], [40.0, 20.0]);
    h.get_by_label("項目を追加").click();
    settle(&mut h);
    assert_eq!(h.state().st.layout.as_ref().unwrap().items.len(), n + 3);
    h.get_by_label("この項目を削除").click();
    settle(&mut h);
    assert_eq!(
        h.state().st.layout.as_ref().unwrap().items[..],
        l3.items[..]
    );
    // Written as a PDF into a folder of the user's.
    let out = dir.path().join("出力");
    h.state_mut().st.folder = out.display().to_string();
    h.state_mut().st.file = "奈良市.pdf".into();
    settle(&mut h);
    h.get_by_label("レイアウトを出力").click();
    settle(&mut h);
    let pdf = out.join("奈良市.pdf");
    assert!(pdf.is_file(), "{:?}", h.state().st.message);
    let text = std::process::Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("奈良市 受診率の地図"), "{text}");
    assert!(text.contains("保健事業課 作成"), "{text}");
    let images = std::process::Command::new("pdfimages")
        .args(["-list", pdf.to_str().unwrap()])
        .output()
        .unwrap();
    let images = String::from_utf8_lossy(&images.stdout);
    assert!(
        images.lines().skip(2).any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.get(3..5) == Some(&["60", "30"][..])
        }),
        "the logo in the PDF: {images}"
    );
    // The atlas, from the same screen, into the same folder.
    h.get_by_label("地図帳を出力（PDF）").click();
    settle(&mut h);
    assert!(
        out.join("地図帳_2021.pdf").is_file(),
        "{:?}",
        h.state().st.message
    );
    assert!(
        h.state()
            .st
            .message
            .as_deref()
            .unwrap_or("")
            .starts_with("地図帳を出力しました")
    );
    // The legend's labels are the map screen's for the same map (its default classes).
    let e = &h.state().engine;
    let table = kenshin_atlas::analysis::figures::area_table(
        e.store.conn(),
        kenshin_atlas::analysis::uptake::Level::Municipality,
        2021,
        Default::default(),
        kenshin_atlas::analysis::suppression::DEFAULT_THRESHOLD,
        false,
    )
    .unwrap();
    let spec = kenshin_atlas::map::choropleth::ChoroplethSpec::default();
    let layers = kenshin_atlas::map::load_layers(
        &e.store,
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference"),
    )
    .unwrap();
    let mut styles = kenshin_atlas::map::style::default_styles(&layers);
    let (_, ch) = kenshin_atlas::map::choropleth::apply_level(
        &layers,
        &mut styles,
        kenshin_atlas::analysis::uptake::Level::Municipality,
        &kenshin_atlas::map::choropleth::uptake_values(&table, spec.measure),
        &spec,
        |_| true,
    )
    .unwrap();
    let flat: String = text.split_whitespace().collect();
    for (_, label, _) in ch.legend_entries(table.threshold) {
        let label: String = label.split_whitespace().collect();
        assert!(flat.contains(&label), "legend label {label} in the PDF");
    }
}
