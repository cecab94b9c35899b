//! Every command, on both paths. Each command's gate is declared once, in its domain
//! (`Command::spec`); the window (through the engine) and the command line (the real
//! binary, which sends the same command to its own engine) must both refuse a command to
//! a user who lacks its right, say which right, and log the refusal with the command's
//! action and target. A user without any right may still run what needs only a login.
//!
//! [`name`] matches every variant without a wildcard, so a new command does not compile
//! here until it is listed in [`every`] (and, when the CLI sends it, in [`cli_args`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use kenshin_atlas::app::domain::data::DataCmd;
use kenshin_atlas::app::domain::export::{ExportCmd, ExportJob, Format, What};
use kenshin_atlas::app::domain::extract::{ExtractCmd, Keep, SetOp};
use kenshin_atlas::app::domain::marks::MarkCmd;
use kenshin_atlas::app::domain::print::{PageFormat, PrintCmd};
use kenshin_atlas::app::domain::search::SearchCmd;
use kenshin_atlas::app::{
    AccountCmd, AdminCmd, AdminOp, Command, Gate, GeocodeCmd, ImportCmd, MapCmd, Outcome, Secret,
};
use kenshin_atlas::audit::{AuditLog, Outcome as R};
use kenshin_atlas::auth::{Right, SystemClock};
use kenshin_atlas::basemap::builtin::TileFormat;
use kenshin_atlas::import::{ImportOptions, UserTableOptions};
use kenshin_atlas::layout::templates::A3_LANDSCAPE_MAP as MAP_TEMPLATE;
use kenshin_atlas::render::export::MapPng;
use kenshin_atlas::search::match_sides::Partner;
use kenshin_atlas::search::matching::MatchKey;
use kenshin_atlas::store::Store;
use kenshin_atlas::store::data_rows::DataTable;
use kenshin_atlas::store::kinds::Kind;
use kenshin_atlas::store::marks::{MarkKind, NewMark, Reason};

use super::common::admin_engine;
use super::security::{USER_PASSWORD, cli, login, run, user_with};

/// Every variant's name; no wildcard, so a new command must be named here.
fn name(c: &Command) -> &'static str {
    match c {
        Command::Account(c) => match c {
            AccountCmd::AuthStatus => "AuthStatus",
            AccountCmd::Setup { .. } => "Setup",
            AccountCmd::Login { .. } => "Login",
            AccountCmd::Resume { .. } => "Resume",
            AccountCmd::ChangePassword { .. } => "ChangePassword",
            AccountCmd::Logout => "Logout",
            AccountCmd::CheckSession => "CheckSession",
            AccountCmd::Touch => "Touch",
            AccountCmd::SetPreference { .. } => "SetPreference",
        },
        Command::Admin(c) => match c {
            AdminCmd::Users { .. } => "Users",
            AdminCmd::Groups { .. } => "Groups",
            AdminCmd::AllowList => "AllowList",
            AdminCmd::Settings => "Settings",
            AdminCmd::Op(_) => "Op",
            AdminCmd::AuditLog(_) => "AuditLog",
            AdminCmd::ExportAudit { .. } => "ExportAudit",
            AdminCmd::VerifyAudit => "VerifyAudit",
            AdminCmd::Backup { .. } => "Backup",
            AdminCmd::RenewRecoveryKey => "RenewRecoveryKey",
            AdminCmd::ScheduledBackup => "ScheduledBackup",
        },
        Command::Import(c) => match c {
            ImportCmd::EnsureDemo => "EnsureDemo",
            ImportCmd::Preview { .. } => "Preview",
            ImportCmd::Import { .. } => "Import",
            ImportCmd::ImportTable { .. } => "ImportTable",
            ImportCmd::Stats => "Stats",
            ImportCmd::Rejects { .. } => "Rejects",
        },
        Command::Map(c) => match c {
            MapCmd::LoadMap => "LoadMap",
            MapCmd::Uptake { .. } => "Uptake",
            MapCmd::AreaUptake { .. } => "AreaUptake",
            MapCmd::Facilities { .. } => "Facilities",
            MapCmd::InsuredPoints { .. } => "InsuredPoints",
            MapCmd::ImportLayer { .. } => "ImportLayer",
            MapCmd::Layers => "Layers",
            MapCmd::DeleteLayer { .. } => "DeleteLayer",
            MapCmd::SaveMap { .. } => "SaveMap",
            MapCmd::ListMaps => "ListMaps",
            MapCmd::OpenMap { .. } => "OpenMap",
            MapCmd::DeleteMap { .. } => "DeleteMap",
            MapCmd::RenderMap { .. } => "RenderMap",
            MapCmd::Basemaps => "Basemaps",
            MapCmd::BuildTiles { .. } => "BuildTiles",
        },
        Command::Geocode(c) => match c {
            GeocodeCmd::Geocode => "Geocode",
            GeocodeCmd::GeocodeStatus => "GeocodeStatus",
            GeocodeCmd::Unmatched { .. } => "Unmatched",
        },
        Command::Search(c) => match c {
            SearchCmd::Count { .. } => "Count",
            SearchCmd::List { .. } => "List",
            SearchCmd::Keys { .. } => "Keys",
            SearchCmd::Save { .. } => "Save",
            SearchCmd::Saved => "Saved",
            SearchCmd::Open { .. } => "Open",
            SearchCmd::Rename { .. } => "Rename",
            SearchCmd::Delete { .. } => "Delete",
            SearchCmd::Nearest { .. } => "Nearest",
            SearchCmd::Jump { .. } => "Jump",
            SearchCmd::Choices => "Choices",
            SearchCmd::SetIcdGroup { .. } => "SetIcdGroup",
        },
        Command::Extract(c) => match c {
            ExtractCmd::Extract { .. } => "Extract",
            ExtractCmd::Lists => "Lists",
            ExtractCmd::Show { .. } => "Show",
            ExtractCmd::Rename { .. } => "RenameExtraction",
            ExtractCmd::Delete { .. } => "DeleteExtraction",
            ExtractCmd::Combine { .. } => "Combine",
            ExtractCmd::Match { .. } => "Match",
            ExtractCmd::Exclude { .. } => "Exclude",
            ExtractCmd::Partners => "Partners",
            ExtractCmd::Within { .. } => "Within",
        },
        Command::Data(c) => match c {
            DataCmd::Tables => "DataTables",
            DataCmd::Browse { .. } => "Browse",
            DataCmd::Add { .. } => "AddRow",
            DataCmd::Edit { .. } => "EditRow",
            DataCmd::Delete { .. } => "DeleteRow",
            DataCmd::History { .. } => "DataHistory",
        },
        Command::Mark(c) => match c {
            MarkCmd::Set { .. } => "SetMark",
            MarkCmd::Show { .. } => "ShowMarks",
        },
        Command::Export(c) => match c {
            ExportCmd::Write(_) => "Export",
            ExportCmd::Atlas(_) => "Atlas",
        },
        Command::Print(c) => match c {
            PrintCmd::Layouts => "Layouts",
            PrintCmd::OpenLayout { .. } => "OpenLayout",
            PrintCmd::SaveLayout(_) => "SaveLayout",
            PrintCmd::DeleteLayout { .. } => "DeleteLayout",
            PrintCmd::ExportLayout { .. } => "ExportLayout",
            PrintCmd::Print { .. } => "Print",
            PrintCmd::Preview { .. } => "LayoutPreview",
            PrintCmd::RecoveryKey { .. } => "PrintRecoveryKey",
        },
    }
}

/// One instance of every command (files under `dir`), and the command line that sends
/// the same command, where the CLI has one.
fn every(dir: &Path) -> Vec<(Command, Option<Vec<String>>)> {
    let p = |f: &str| dir.join(f);
    let s = |v: &[&str]| Some(v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
    let csv = p("kokuho.csv");
    let png = p("out.png");
    let audit_csv = p("log.csv");
    let backups = p("backups");
    let geojson = p("missing.geojson");
    let password = || Secret("x".repeat(13));
    let doc = Box::new(kenshin_atlas::ui::map::MapState::default().to_document());
    let query = kenshin_atlas::search::Query::parse(
        r#"{"version": 1, "subject": "insured", "fy": 2021, "where": {"field": "attended", "op": "=", "value": false}}"#,
    )
    .unwrap();
    // Outside `dir`: a refused command must leave `dir` as it was.
    let query_file = std::env::temp_dir().join(format!(
        "kenshin-commands-query-{}.json",
        std::process::id()
    ));
    std::fs::write(&query_file, query.to_json_string()).unwrap();
    let uptake_csv = p("uptake.csv").display().to_string();
    let atlas_pdf = p("atlas.pdf").display().to_string();
    let layout_pdf = p("layout.pdf").display().to_string();
    let template = || kenshin_atlas::layout::templates::named(MAP_TEMPLATE).unwrap();
    vec![
        (
            ExportCmd::Write(Box::new(ExportJob::new(
                What::Uptake {
                    level: kenshin_atlas::analysis::uptake::Level::Municipality,
                    fy: 2021,
                },
                Format::Csv,
                p("uptake.csv"),
            )))
            .into(),
            s(&[
                "export",
                "--what",
                "uptake:municipality:2021",
                "--format",
                "csv",
                "--out",
                &uptake_csv,
            ]),
        ),
        (
            ExportCmd::Atlas(kenshin_atlas::app::domain::export::AtlasJob {
                fy: 2021,
                out: p("atlas.pdf"),
                png_dir: None,
                dpi: 300,
            })
            .into(),
            s(&["atlas", "--fy", "2021", "--out", &atlas_pdf]),
        ),
        (PrintCmd::Layouts.into(), s(&["layout", "list"])),
        (
            PrintCmd::RecoveryKey {
                key: kenshin_atlas::app::Secret("AGE-SECRET-KEY-1TEST".into()),
                copies: 1,
            }
            .into(),
            None,
        ),
        (
            PrintCmd::Preview {
                layout: Box::new(template()),
                dpi: 20,
            }
            .into(),
            None,
        ),
        (
            PrintCmd::OpenLayout {
                name: MAP_TEMPLATE.into(),
            }
            .into(),
            None,
        ),
        (
            PrintCmd::SaveLayout(Box::new({
                let mut l = template();
                l.name = "probe".into();
                l
            }))
            .into(),
            None,
        ),
        (
            PrintCmd::DeleteLayout {
                name: "probe".into(),
            }
            .into(),
            None,
        ),
        (
            PrintCmd::ExportLayout {
                layout: Box::new(template()),
                format: PageFormat::Pdf,
                out: p("layout.pdf"),
                dpi: 300,
                confirm_personal: false,
            }
            .into(),
            s(&["layout", "export", MAP_TEMPLATE, "--out", &layout_pdf]),
        ),
        (
            PrintCmd::Print {
                layout: Box::new(template()),
                copies: 1,
            }
            .into(),
            s(&["print", "--layout", MAP_TEMPLATE]),
        ),
        (AccountCmd::AuthStatus.into(), None),
        (
            AccountCmd::Setup {
                admin: "other".into(),
                password: password(),
            }
            .into(),
            None,
        ),
        (
            AccountCmd::Login {
                user: "nobody".into(),
                password: password(),
            }
            .into(),
            None,
        ),
        (
            AccountCmd::Resume {
                password: password(),
            }
            .into(),
            None,
        ),
        (
            AccountCmd::ChangePassword {
                old: password(),
                new: password(),
            }
            .into(),
            None,
        ),
        (AccountCmd::Logout.into(), None),
        (AccountCmd::CheckSession.into(), None),
        (AccountCmd::Touch.into(), None),
        (
            AccountCmd::SetPreference {
                key: "look".into(),
                value: "dark".into(),
            }
            .into(),
            None,
        ),
        (
            AdminCmd::Users {
                search: String::new(),
            }
            .into(),
            s(&["user", "list"]),
        ),
        (
            AdminCmd::Groups {
                search: String::new(),
            }
            .into(),
            s(&["user", "groups"]),
        ),
        (AdminCmd::AllowList.into(), None),
        (AdminCmd::Settings.into(), None),
        (
            AdminCmd::Op(AdminOp::Unlock("nobody".into())).into(),
            s(&["user", "unlock", "nobody"]),
        ),
        (AdminCmd::AuditLog(Default::default()).into(), None),
        (
            AdminCmd::ExportAudit {
                filter: Default::default(),
                path: audit_csv.clone(),
            }
            .into(),
            s(&["audit", "export", "--out", &audit_csv.display().to_string()]),
        ),
        (AdminCmd::VerifyAudit.into(), s(&["audit", "verify"])),
        (
            AdminCmd::Backup {
                dir: Some(backups.clone()),
                keep: None,
            }
            .into(),
            s(&["backup", "--out", &backups.display().to_string()]),
        ),
        (AdminCmd::RenewRecoveryKey.into(), s(&["recovery-key"])),
        (AdminCmd::ScheduledBackup.into(), None),
        (ImportCmd::EnsureDemo.into(), None),
        (
            ImportCmd::Preview {
                file: csv.clone(),
                opts: ImportOptions::default(),
            }
            .into(),
            None,
        ),
        (
            ImportCmd::Import {
                files: vec![csv.clone()],
                opts: ImportOptions::default(),
            }
            .into(),
            s(&["import", &csv.display().to_string()]),
        ),
        (
            ImportCmd::ImportTable {
                file: csv.clone(),
                opts: UserTableOptions {
                    name: "独自".into(),
                    ..Default::default()
                },
            }
            .into(),
            s(&[
                "import",
                "--kind",
                "table",
                "--name",
                "独自",
                &csv.display().to_string(),
            ]),
        ),
        (ImportCmd::Stats.into(), s(&["stats"])),
        (
            ImportCmd::Rejects { import_id: 1 }.into(),
            s(&["import", "rejects", "1"]),
        ),
        (MapCmd::LoadMap.into(), None),
        (
            MapCmd::Uptake {
                level: kenshin_atlas::analysis::uptake::Level::Municipality,
                fy: 2021,
                reveal: true,
            }
            .into(),
            s(&["uptake", "--fy", "2021", "--reveal"]),
        ),
        (
            MapCmd::AreaUptake {
                level: kenshin_atlas::analysis::uptake::Level::Municipality,
                fy: 2021,
                filter: Default::default(),
                reveal: false,
            }
            .into(),
            None,
        ),
        (MapCmd::Facilities { fy: 2021 }.into(), None),
        (MapCmd::InsuredPoints { fy: 2021 }.into(), None),
        (
            MapCmd::ImportLayer {
                file: geojson.clone(),
                opts: Default::default(),
            }
            .into(),
            s(&["layer", "import", &geojson.display().to_string()]),
        ),
        (MapCmd::Layers.into(), s(&["layer", "list"])),
        (
            MapCmd::DeleteLayer {
                name: "なし".into(),
            }
            .into(),
            s(&["layer", "delete", "なし"]),
        ),
        (
            MapCmd::SaveMap {
                name: "地図".into(),
                doc,
            }
            .into(),
            None,
        ),
        (MapCmd::ListMaps.into(), None),
        (
            MapCmd::OpenMap {
                name: "なし".into(),
            }
            .into(),
            None,
        ),
        (
            MapCmd::DeleteMap {
                name: "地図".into(),
            }
            .into(),
            None,
        ),
        (
            MapCmd::RenderMap {
                spec: MapPng {
                    width: 64,
                    height: 48,
                    ..Default::default()
                },
                out: png.clone(),
            }
            .into(),
            s(&[
                "render",
                "--out",
                &png.display().to_string(),
                "--width",
                "64",
                "--height",
                "48",
            ]),
        ),
        (MapCmd::Basemaps.into(), s(&["tiles", "list"])),
        (
            MapCmd::BuildTiles {
                max_zoom: 1,
                format: TileFormat::Xyz,
                out: None,
            }
            .into(),
            s(&["tiles", "build", "--max-zoom", "1"]),
        ),
        (GeocodeCmd::Geocode.into(), s(&["geocode"])),
        (GeocodeCmd::GeocodeStatus.into(), None),
        (
            GeocodeCmd::Unmatched { limit: 5 }.into(),
            s(&["geocode", "--unmatched", "5"]),
        ),
        (
            SearchCmd::Count {
                query: query.clone(),
            }
            .into(),
            None,
        ),
        (
            SearchCmd::List {
                query: query.clone(),
            }
            .into(),
            None,
        ),
        (
            SearchCmd::Keys {
                query: query.clone(),
            }
            .into(),
            s(&[
                "search",
                "--query",
                &query_file.display().to_string(),
                "--json",
            ]),
        ),
        (
            SearchCmd::Save {
                name: "検索".into(),
                query: query.clone(),
                shared: false,
            }
            .into(),
            s(&[
                "search",
                "save",
                "検索",
                "--query",
                &query_file.display().to_string(),
            ]),
        ),
        (SearchCmd::Saved.into(), s(&["search", "list"])),
        (
            SearchCmd::Open {
                name: "なし".into(),
            }
            .into(),
            None,
        ),
        (
            SearchCmd::Rename {
                name: "検索".into(),
                to: "検索2".into(),
            }
            .into(),
            s(&["search", "rename", "検索", "検索2"]),
        ),
        (
            SearchCmd::Delete {
                name: "検索2".into(),
            }
            .into(),
            s(&["search", "delete", "検索2"]),
        ),
        (
            SearchCmd::Nearest {
                lon: 135.8,
                lat: 34.68,
                n: 3,
            }
            .into(),
            s(&[
                "nearest", "--lon", "135.8", "--lat", "34.68", "--n", "3", "--json",
            ]),
        ),
        (
            SearchCmd::Jump {
                text: "奈良市".into(),
            }
            .into(),
            None,
        ),
        (SearchCmd::Choices.into(), None),
        (
            SearchCmd::SetIcdGroup {
                name: "腎臓病".into(),
                prefixes: "N18".into(),
            }
            .into(),
            s(&[
                "search",
                "icd-groups",
                "--set",
                "腎臓病",
                "--prefixes",
                "N18",
            ]),
        ),
        (
            ExtractCmd::Extract {
                name: "抽出".into(),
                query: query.clone(),
            }
            .into(),
            s(&[
                "extract",
                "--query",
                &query_file.display().to_string(),
                "--name",
                "抽出",
            ]),
        ),
        (ExtractCmd::Lists.into(), s(&["extract", "list"])),
        (
            ExtractCmd::Show {
                name: "抽出".into(),
            }
            .into(),
            s(&["extract", "show", "抽出"]),
        ),
        (
            ExtractCmd::Combine {
                a: "抽出".into(),
                op: SetOp::Minus,
                b: "抽出".into(),
                name: "差".into(),
            }
            .into(),
            s(&[
                "extract", "combine", "抽出", "--minus", "抽出", "--name", "差",
            ]),
        ),
        (
            ExtractCmd::Match {
                name: "抽出".into(),
                with: Partner::Recommendation,
                keys: vec![MatchKey::KigoBango, MatchKey::KanaBirth],
                keep: Keep::NonMatch,
                result: "突合".into(),
            }
            .into(),
            s(&[
                "extract",
                "match",
                "抽出",
                "--with",
                "recommendation",
                "--keys",
                "kigo_bango,kana_birth",
                "--keep",
                "nonmatch",
                "--name",
                "突合",
                "--json",
            ]),
        ),
        (ExtractCmd::Partners.into(), None),
        (
            ExtractCmd::Within {
                name: "抽出".into(),
                place: kenshin_atlas::search::Place::Rect([135.8, 34.6, 135.9, 34.7]),
            }
            .into(),
            None,
        ),
        (DataCmd::Tables.into(), None),
        (
            DataCmd::Browse {
                table: DataTable::Kind(Kind::Insurers),
                browse: Default::default(),
            }
            .into(),
            None,
        ),
        (
            DataCmd::History {
                table: DataTable::Kind(Kind::Insurers),
            }
            .into(),
            None,
        ),
        (
            DataCmd::Add {
                table: DataTable::Kind(Kind::Insurers),
                values: vec!["999999".into(), "テスト".into(), "29201".into()],
            }
            .into(),
            None,
        ),
        (
            DataCmd::Edit {
                table: DataTable::Kind(Kind::Insurers),
                rowid: 0,
                expected: vec![],
                values: vec![],
            }
            .into(),
            None,
        ),
        (
            DataCmd::Delete {
                table: DataTable::Kind(Kind::Insurers),
                rowid: 0,
                expected: vec![],
            }
            .into(),
            None,
        ),
        (
            ExtractCmd::Exclude {
                name: "抽出".into(),
                keys: vec!["2900000001".into()],
                reason: "入院中".into(),
            }
            .into(),
            s(&[
                "extract",
                "exclude",
                "抽出",
                "--keys",
                "2900000001",
                "--reason",
                "入院中",
            ]),
        ),
        (
            MarkCmd::Set {
                ids: vec!["2900000001".into()],
                mark: Some(NewMark {
                    mark: MarkKind::Excluded,
                    reason: Reason::Hospital,
                    note: Some("長期入院".into()),
                }),
            }
            .into(),
            s(&[
                "mark",
                "insured",
                "2900000001",
                "--exclude",
                "--reason",
                "hospital",
                "--comment",
                "長期入院",
            ]),
        ),
        (
            MarkCmd::Show {
                ids: vec!["2900000001".into()],
            }
            .into(),
            s(&["mark", "show", "2900000001"]),
        ),
        (
            ExtractCmd::Rename {
                name: "差".into(),
                to: "差2".into(),
            }
            .into(),
            s(&["extract", "rename", "差", "差2"]),
        ),
        (
            ExtractCmd::Delete {
                name: "差2".into()
            }
            .into(),
            s(&["extract", "delete", "差2"]),
        ),
    ]
}

/// The refusals of `user` in the log: (action, target, right key).
fn refusals(log: &AuditLog, user: &str) -> Vec<(String, String, String)> {
    log.entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.user == user && e.result == R::Denied)
        .map(|e| (format!("{:?}", e.action), e.target, e.detail))
        .collect()
}

#[test]
fn every_command_is_listed_once() {
    let dir = Path::new("unused");
    let names: Vec<&str> = every(dir).iter().map(|(c, _)| name(c)).collect();
    let distinct: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(names.len(), distinct.len(), "a command listed twice");
    // Every right is guarded by at least one command, except writing to removable drives
    // (checked with 外部出力, on the destination).
    let guarded: BTreeSet<Right> = every(dir)
        .iter()
        .filter_map(|(c, _)| c.spec().right_needed())
        .collect();
    for r in Right::ALL {
        assert!(
            guarded.contains(&r) || r == Right::ExportRemovable,
            "{r:?} guards nothing"
        );
    }
}

#[test]
fn every_command_is_refused_without_its_right_on_both_paths_and_the_refusal_is_logged() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let files = root.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("kokuho.csv"), "a,b\n1,2\n").unwrap();
    let mut e = admin_engine(Store::open(&data).unwrap(), Box::new(SystemClock));
    // The bundled layers stored, so that address matching can run for the CLI's
    // `geocode --unmatched` (it matches first, then lists).
    assert!(matches!(
        run(&mut e, MapCmd::LoadMap.into()),
        Outcome::Map(_)
    ));
    // One user per right holding every other right, and one holding none.
    let lacking = |r: Right| format!("no_{}", r.key());
    for r in Right::ALL {
        user_with(
            &mut e,
            &lacking(r),
            Right::ALL.into_iter().filter(|x| *x != r).collect(),
        );
    }
    user_with(&mut e, "bare", BTreeSet::new());
    run(&mut e, AccountCmd::Logout.into());

    let commands = every(&files);
    let mut by_gate: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (c, _) in &commands {
        let spec = c.spec();
        let gate = match spec.gate {
            Gate::Open => "open",
            Gate::System => "system",
            Gate::Login => "login",
            Gate::Right(_) => "right",
        };
        by_gate.entry(gate).or_default().push(name(c));
        match spec.gate {
            // Without the right: refused, naming it, logged with the command's action
            // and target; nothing written.
            Gate::Right(r) => {
                let user = lacking(r);
                login(&mut e, &user, USER_PASSWORD);
                let before = refusals(&e.audit, &user).len();
                match run(&mut e, c.clone()) {
                    Outcome::Denied(m) => assert!(m.contains(r.label()), "{}: {m}", name(c)),
                    o => panic!("{} ran without {r:?}: {o:?}", name(c)),
                }
                let after = refusals(&e.audit, &user);
                assert_eq!(after.len(), before + 1, "{}: one refusal logged", name(c));
                assert_eq!(
                    after.last().unwrap(),
                    &(
                        format!("{:?}", spec.action),
                        spec.target.clone(),
                        r.key().to_string()
                    ),
                    "{}",
                    name(c)
                );
                run(&mut e, AccountCmd::Logout.into());
            }
            // Any logged-in user, with no right at all: not refused.
            Gate::Login => {
                login(&mut e, "bare", USER_PASSWORD);
                let o = run(&mut e, c.clone());
                assert!(
                    !matches!(o, Outcome::Denied(_) | Outcome::SessionEnded(_)),
                    "{}: {o:?}",
                    name(c)
                );
                run(&mut e, AccountCmd::Logout.into());
            }
            Gate::Open | Gate::System => {}
        }
    }
    assert!(
        !png_or_csv_written(&files),
        "a refused command wrote a file"
    );
    drop(e);

    // The command line sends the same commands to its own engine.
    for (c, args) in &commands {
        let (Some(args), Gate::Right(r)) = (args, c.spec().gate) else {
            continue;
        };
        let spec = c.spec();
        let user = lacking(r);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = cli(&data, Some(&user), USER_PASSWORD, &argv);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{argv:?} ran without {r:?}");
        assert!(stderr.contains(r.label()), "{argv:?}: {stderr}");
        let log = AuditLog::open(&data).unwrap();
        let last = refusals(&log, &user).pop();
        assert_eq!(
            last,
            Some((
                format!("{:?}", spec.action),
                spec.target.clone(),
                r.key().to_string()
            )),
            "{argv:?}: the CLI's refusal is logged as the window's"
        );
    }
    assert!(
        !png_or_csv_written(&files),
        "a refused CLI command wrote a file"
    );
    // The gates as declared (a change here is a change of who may do what).
    assert_eq!(by_gate["system"], vec!["ScheduledBackup"]);
    assert!(by_gate["right"].len() >= 20, "{by_gate:?}");
}

/// Whether anything but the input CSV appeared in `dir`.
fn png_or_csv_written(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| e.file_name() != "kokuho.csv")
}
