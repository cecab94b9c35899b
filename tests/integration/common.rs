//! Shared helpers: the demo data set is generated once per test run.

use kenshin_atlas::app::{AccountCmd, AccountReply};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kenshin_atlas::demo::{self, DemoOptions, DemoSummary, Scale};
use kenshin_atlas::job::Progress;

pub struct Demo {
    pub _dir: tempfile::TempDir,
    pub summary: DemoSummary,
}

impl Demo {
    pub fn file(&self, name: &str) -> PathBuf {
        self.summary
            .files
            .iter()
            .find(|f| f.file_name().is_some_and(|n| n == name))
            .cloned()
            .unwrap_or_else(|| panic!("no demo file {name}"))
    }
}

pub fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let opts = DemoOptions {
            scale: Scale::Small,
            seed: 7,
            months: 2,
            reference_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference"),
            claims_only: false,
        };
        let summary = demo::generate(dir.path(), &opts, &Progress::new()).unwrap();
        Demo { _dir: dir, summary }
    })
}

/// Writes `text` as CP932 with CRLF line ends.
pub fn write_cp932(path: &Path, text: &str) {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    std::fs::write(
        path,
        kenshin_atlas::import::encoding::encode_cp932(&crlf).unwrap(),
    )
    .unwrap();
}

/// Row counts of all data tables.
pub fn counts(store: &kenshin_atlas::store::Store) -> std::collections::BTreeMap<String, i64> {
    store.stats().unwrap().tables
}

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "若草山の鹿と二本の柿の木の下で";

/// An engine over `store` with the first admin set up and logged in.
pub fn admin_engine(
    store: kenshin_atlas::store::Store,
    clock: Box<dyn kenshin_atlas::auth::Clock>,
) -> kenshin_atlas::app::Engine {
    admin_engine_with_recovery(store, clock).0
}

/// [`admin_engine`], and the backup recovery key shown once at setup.
pub fn admin_engine_with_recovery(
    store: kenshin_atlas::store::Store,
    clock: Box<dyn kenshin_atlas::auth::Clock>,
) -> (kenshin_atlas::app::Engine, String) {
    use kenshin_atlas::app::{Command, Engine, Outcome, Secret};
    let mut e = Engine::with_store(store, clock).unwrap();
    match e.execute(
        Command::from(AccountCmd::Setup {
            admin: ADMIN.into(),
            password: Secret(ADMIN_PASSWORD.into()),
        }),
        &Progress::new(),
    ) {
        Outcome::Account(AccountReply::SetupDone {
            recovery_key: Some(k),
            ..
        }) => (e, k),
        o => panic!("setup: {o:?}"),
    }
}

/// A click as egui sees one: press and release in successive frames.
pub fn click_at<S>(h: &mut egui_kittest::Harness<'_, S>, p: eframe::egui::Pos2) {
    use eframe::egui;
    h.event(egui::Event::PointerMoved(p));
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: p,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Default::default(),
        });
        h.step();
    }
}

/// A drag with the primary button from `a` to `b`, in ten steps.
pub fn drag<S>(h: &mut egui_kittest::Harness<'_, S>, a: eframe::egui::Pos2, b: eframe::egui::Pos2) {
    use eframe::egui;
    h.event(egui::Event::PointerMoved(a));
    h.event(egui::Event::PointerButton {
        pos: a,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Default::default(),
    });
    h.step();
    for k in 1..=10 {
        h.event(egui::Event::PointerMoved(a + (b - a) * (k as f32 / 10.0)));
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: b,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Default::default(),
    });
    h.step();
}

/// Steps the whole app's frames (the worker answers on its own thread) until `done` holds.
pub fn wait_app(
    h: &mut egui_kittest::Harness<kenshin_atlas::ui::AtlasApp>,
    what: &str,
    done: impl Fn(&kenshin_atlas::ui::AtlasApp) -> bool,
) {
    for _ in 0..6000 {
        h.step();
        if done(h.state()) {
            h.step();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}");
}

/// A store under `dir/data` with the whole demo imported and placed (住所照合 run).
pub fn demo_store(dir: &Path) -> kenshin_atlas::store::Store {
    use kenshin_atlas::import::{ImportOptions, import_file};
    let store = kenshin_atlas::store::Store::open(&dir.join("data")).unwrap();
    for f in &demo().summary.files {
        let r = import_file(&store, f, &ImportOptions::default(), &Progress::new()).unwrap();
        assert_eq!(
            r.result,
            kenshin_atlas::store::ImportResult::Ok,
            "{}",
            r.message
        );
    }
    kenshin_atlas::geocode::run(&store, &Default::default(), &Progress::new()).unwrap();
    store
}
