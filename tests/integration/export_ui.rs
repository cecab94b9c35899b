//! The 出力 window driven like a user (egui_kittest, the engine answering in the same
//! frame): the 集計 table exported as CSV into a folder typed in the window; a search of
//! persons refused until 「個人情報を含むことを確認しました」 is ticked, then written; the
//! window lists the files with their sha256 as `sha256sum` computes them.

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kenshin_atlas::analysis::uptake::Level;
use kenshin_atlas::app::domain::export::{ExportReply, Format, What};
use kenshin_atlas::app::{Engine, Outcome};
use kenshin_atlas::auth::SystemClock;
use kenshin_atlas::job::Progress;
use kenshin_atlas::search::Query;
use kenshin_atlas::ui::export_ui::{self, ExportDialog, Request};

use super::common::{admin_engine, demo_store};

struct App {
    dialog: ExportDialog,
    engine: Engine,
}

fn harness(dir: &std::path::Path) -> Harness<'static, App> {
    let engine = admin_engine(demo_store(dir), Box::new(SystemClock));
    Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .with_context_setup(kenshin_atlas::ui::install_theme)
        .build_ui_state(
            |ui, app: &mut App| {
                if let Some(c) = export_ui::export_window(ui.ctx(), &mut app.dialog) {
                    app.dialog.sent(1);
                    let answer = match app.engine.execute(c, &Progress::new()) {
                        Outcome::Export(ExportReply::Done(d)) => Ok(d),
                        Outcome::Failed(e) => Err(e.to_string()),
                        Outcome::Denied(m) => Err(m),
                        o => panic!("{o:?}"),
                    };
                    app.dialog.finished(1, answer);
                }
            },
            App {
                dialog: ExportDialog::default(),
                engine,
            },
        )
}

fn settle(h: &mut Harness<App>) {
    for _ in 0..4 {
        h.step();
    }
}

#[test]
fn the_window_writes_a_table_and_asks_before_personal_data_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("出力先");
    std::fs::create_dir_all(&out).unwrap();
    let mut h = harness(dir.path());
    h.state_mut().dialog.open(Request {
        what: What::Uptake {
            level: Level::Municipality,
            fy: 2021,
        },
        name: "2021年度_市町村別_受診率".into(),
        personal: false,
        list: false,
        figures: true,
        style: None,
    });
    h.state_mut().dialog.folder = out.display().to_string();
    settle(&mut h);
    // Pick CSV among the formats, as a user would.
    h.get_by_label("CSV").click();
    settle(&mut h);
    assert_eq!(h.state().dialog.format, Some(Format::Csv));
    assert_eq!(h.state().dialog.file, "2021年度_市町村別_受診率.csv");
    h.get_by_role_and_label(egui::accesskit::Role::Button, "出力")
        .click();
    settle(&mut h);
    let done = h.state().dialog.done.clone().expect("written");
    let path = out.join("2021年度_市町村別_受診率.csv");
    assert!(path.is_file());
    assert_eq!(done.files[0].path, path);
    let sum = std::process::Command::new("sha256sum")
        .arg(&path)
        .output()
        .unwrap();
    let sum = String::from_utf8_lossy(&sum.stdout);
    assert_eq!(
        sum.split_whitespace().next(),
        Some(done.files[0].sha256.as_str())
    );
    // The window shows the checksum.
    let _ = h.get_by_label_contains(&done.files[0].sha256);

    // Persons: refused until the confirmation is ticked.
    let query = Query::parse(
        r#"{"version": 1, "subject": "insured", "fy": 2021, "where": {"field": "attended", "op": "=", "value": false}}"#,
    )
    .unwrap();
    h.state_mut().dialog.open(Request {
        what: What::Query {
            query: Box::new(query),
            title: "検索結果".into(),
        },
        name: "検索結果".into(),
        personal: true,
        list: false,
        figures: false,
        style: None,
    });
    settle(&mut h);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "出力")
        .click();
    settle(&mut h);
    let err = h.state().dialog.error.clone().expect("refused");
    assert!(err.contains("個人情報"), "{err}");
    // The window shows the refusal, which names the checkbox to tick.
    assert!(
        h.get_all_by_label_contains("個人情報を含むことを確認しました")
            .count()
            >= 2
    );
    let written = out.join("検索結果.csv");
    assert!(!written.exists());
    h.get_by_label("個人情報を含むことを確認しました").click();
    settle(&mut h);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "出力")
        .click();
    settle(&mut h);
    let done = h
        .state()
        .dialog
        .done
        .clone()
        .expect("written after the confirmation");
    assert!(done.personal && done.rows > 0);
    assert!(written.is_file());
}
