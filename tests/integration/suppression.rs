//! 少数のため非表示 on every path that reports an area's counts: the engine's commands
//! (the map's `AreaUptake`, the 集計 tab's `Uptake`) as a viewer and as an admin, the map's
//! identify window, the CLI `uptake --json`, and saved maps from before. The true counts
//! are computed here, in Rust, from the raw rows of the base tables (not with the app's
//! SQL). A viewer reads no count below the threshold, and no hidden area is left alone in
//! a sum they can see (a shown total minus its visible parts); an admin with 個人情報の閲覧
//! reads the hidden figures, marked, and the audit log records it.

use kenshin_atlas::app::{AccountCmd, AccountReply, AdminCmd, AdminReply, MapCmd, MapReply};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kenshin_atlas::analysis::figures::{AreaRow, AreaTable};
use kenshin_atlas::analysis::suppression::{self, SETTING_THRESHOLD};
use kenshin_atlas::analysis::uptake::{Level, TargetFilter};
use kenshin_atlas::app::{AdminOp, Command, Engine, Outcome, Secret};
use kenshin_atlas::audit::{Action, AuditLog, Outcome as R};
use kenshin_atlas::auth::{Role, Security, SystemClock};
use kenshin_atlas::import::{ImportOptions, import_file};
use kenshin_atlas::job::Progress;
use kenshin_atlas::layers::bundled;
use kenshin_atlas::map::choropleth;
use kenshin_atlas::map::document;
use kenshin_atlas::store::{ImportResult, Store};
use kenshin_atlas::ui::map::{MapState, map_ui};

use super::common::{ADMIN, ADMIN_PASSWORD, admin_engine, demo};

const FY: i32 = 2021;
const VIEWER: &str = "etsuran";
const VIEWER_PASSWORD: &str = "飛火野の鹿は今日もせんべいを待つ";
/// The sex × age cells every area is reported in (the independent counts below are made
/// per cell).
use kenshin_atlas::analysis::suppression::{BANDS, SEXES};

fn reference_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference")
}

/// Every demo file imported into the data folder `data`, the addresses matched.
fn fill(data: &Path) {
    let store = Store::open(data).unwrap();
    for f in &demo().summary.files {
        if f.to_string_lossy().contains("医療") {
            continue; // claims play no part in uptake
        }
        let r = import_file(&store, f, &ImportOptions::default(), &Progress::new()).unwrap();
        assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    }
    let opts = kenshin_atlas::geocode::GeocodeOptions {
        reference_dir: reference_dir(),
        ..Default::default()
    };
    kenshin_atlas::geocode::run(&store, &opts, &Progress::new()).unwrap();
}

fn filters() -> Vec<TargetFilter> {
    SEXES
        .iter()
        .flat_map(|&sex| {
            BANDS
                .iter()
                .map(move |&age_band| TargetFilter { sex, age_band })
        })
        .collect()
}

type Key = (Level, String);

/// The true counts, from the raw rows, and the hierarchy from the reference tables.
struct Truth {
    /// (targets, attendees) per area and filter.
    counts: HashMap<(Key, TargetFilter), (i64, i64)>,
    /// Every area of every level.
    areas: Vec<Key>,
    /// Medical area → municipalities; municipality → small areas.
    children: BTreeMap<Key, Vec<Key>>,
    /// Targets per municipality and filter not placed in one of its small areas (the
    /// viewer is assumed to know them: the worst case).
    unplaced: HashMap<(String, TargetFilter), (i64, i64)>,
}

impl Truth {
    fn of(store: &Store) -> Truth {
        let conn = store.conn();
        let strings = |sql: &str| -> Vec<Vec<Option<String>>> {
            let mut stmt = conn.prepare(sql).unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    (0..n).map(|i| r.get::<_, Option<String>>(i)).collect()
                })
                .unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        let (start, end) = (format!("{FY}-04-01"), format!("{}-03-31", FY + 1));
        let attended: HashSet<String> =
            strings("SELECT insured_id, strftime(checkup_date, '%Y-%m-%d') FROM checkups")
                .into_iter()
                .filter(|r| r[1].as_ref().is_some_and(|d| *d >= start && *d <= end))
                .filter_map(|r| r[0].clone())
                .collect();
        let placed: HashMap<String, String> = strings(
            "SELECT insured_id, key_code FROM insured_locations WHERE key_code IS NOT NULL",
        )
        .into_iter()
        .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
        .collect();
        let mut t = Truth {
            counts: HashMap::new(),
            areas: vec![],
            children: BTreeMap::new(),
            unplaced: HashMap::new(),
        };
        let mut muni_of_small: HashMap<String, String> = HashMap::new();
        for r in strings("SELECT code, medical_area_code FROM ref_municipalities") {
            let (m, ma) = (r[0].clone().unwrap(), r[1].clone().unwrap());
            t.children
                .entry((Level::MedicalArea, ma))
                .or_default()
                .push((Level::Municipality, m));
        }
        for r in strings("SELECT key_code, municipality_code FROM ref_small_areas") {
            let (s, m) = (r[0].clone().unwrap(), r[1].clone().unwrap());
            muni_of_small.insert(s.clone(), m.clone());
            t.children
                .entry((Level::Municipality, m))
                .or_default()
                .push((Level::SmallArea, s));
        }
        let medical_of: HashMap<String, String> = t
            .children
            .iter()
            .filter(|(k, _)| k.0 == Level::MedicalArea)
            .flat_map(|(ma, ms)| ms.iter().map(move |m| (m.1.clone(), ma.1.clone())))
            .collect();
        t.areas.extend(
            t.children
                .keys()
                .filter(|k| k.0 == Level::MedicalArea)
                .cloned(),
        );
        t.areas
            .extend(medical_of.keys().map(|m| (Level::Municipality, m.clone())));
        t.areas
            .extend(muni_of_small.keys().map(|s| (Level::SmallArea, s.clone())));
        for key in &t.areas {
            for f in filters() {
                t.counts.insert((key.clone(), f), (0, 0));
            }
        }
        let insured = strings(
            "SELECT insured_id, municipality_code, CAST(sex AS VARCHAR),
                    strftime(birth_date, '%Y-%m-%d'), strftime(acquired_date, '%Y-%m-%d'),
                    strftime(lost_date, '%Y-%m-%d')
             FROM insured",
        );
        let mut targets = 0;
        for r in insured {
            let (id, muni, sex, birth) = (
                r[0].clone().unwrap(),
                r[1].clone().unwrap_or_default(),
                r[2].clone().unwrap(),
                r[3].clone().unwrap(),
            );
            // A target: enrolled the whole year, aged 40–74 on 31 March at its end.
            if r[4].as_ref().is_none_or(|a| *a > start) || r[5].as_ref().is_some_and(|l| *l <= end)
            {
                continue;
            }
            let year: i32 = birth[..4].parse().unwrap();
            let age = FY + 1 - year - i32::from(&birth[5..] > "03-31");
            if !(40..=74).contains(&age) {
                continue;
            }
            targets += 1;
            let sex: i8 = sex.parse().unwrap();
            let band = age / 5 * 5;
            let att = i64::from(attended.contains(&id));
            let small = placed.get(&id);
            for f in filters() {
                if f.sex.is_some_and(|s| s != sex) || f.age_band.is_some_and(|a| a != band) {
                    continue;
                }
                let mut add = |key: Key| {
                    if let Some(c) = t.counts.get_mut(&(key, f)) {
                        c.0 += 1;
                        c.1 += att;
                    }
                };
                add((Level::Municipality, muni.clone()));
                if let Some(ma) = medical_of.get(&muni) {
                    add((Level::MedicalArea, ma.clone()));
                }
                if let Some(s) = small {
                    add((Level::SmallArea, s.clone()));
                }
                // Not placed in one of the municipality's own small areas: unplaced for
                // its sum (placed elsewhere counts there, and is subtracted here).
                let here = small.and_then(|s| muni_of_small.get(s)) == Some(&muni);
                if !here {
                    let u = t.unplaced.entry((muni.clone(), f)).or_default();
                    u.0 += 1;
                    u.1 += att;
                }
                if let Some(other) = small.and_then(|s| muni_of_small.get(s))
                    && *other != muni
                {
                    let u = t.unplaced.entry((other.clone(), f)).or_default();
                    u.0 -= 1;
                    u.1 -= att;
                }
            }
        }
        assert!(targets > 3000, "targets of FY{FY}: {targets}");
        t
    }

    fn targets(&self, key: &Key, f: TargetFilter) -> i64 {
        self.counts[&(key.clone(), f)].0
    }

    /// Every sum a viewer sees, for every filter: (total, parts); `None` is the
    /// prefecture (known). Within each area: a sex's total = its bands, a band's total =
    /// its two sexes.
    fn sums(&self) -> Vec<(Option<(Key, TargetFilter)>, Vec<(Key, TargetFilter)>)> {
        let mut out = Vec::new();
        for f in filters() {
            let medical: Vec<(Key, TargetFilter)> = self
                .children
                .keys()
                .filter(|k| k.0 == Level::MedicalArea)
                .map(|k| (k.clone(), f))
                .collect();
            out.push((None, medical));
            for (total, parts) in &self.children {
                out.push((
                    Some((total.clone(), f)),
                    parts.iter().map(|p| (p.clone(), f)).collect(),
                ));
            }
        }
        for key in &self.areas {
            for sex in SEXES {
                let parts = BANDS[1..]
                    .iter()
                    .map(|&age_band| (key.clone(), TargetFilter { sex, age_band }))
                    .collect();
                let total = TargetFilter {
                    sex,
                    age_band: None,
                };
                out.push((Some((key.clone(), total)), parts));
            }
            for age_band in BANDS {
                let parts = SEXES[1..]
                    .iter()
                    .map(|&sex| (key.clone(), TargetFilter { sex, age_band }))
                    .collect();
                out.push((
                    Some((
                        key.clone(),
                        TargetFilter {
                            sex: None,
                            age_band,
                        },
                    )),
                    parts,
                ));
            }
        }
        out
    }
}

/// What a user was shown: per area and filter, the targets (`None`: suppressed).
type Shown = HashMap<(Key, TargetFilter), Option<i64>>;

/// Checks one table against the truth: withheld figures are all absent; shown ones are
/// the true counts and at least `threshold`; every area below it is withheld; nothing is
/// marked revealed.
fn check_table(t: &AreaTable, truth: &Truth, threshold: i64, shown: &mut Shown) {
    assert_eq!(t.threshold, threshold);
    assert!(!t.reveal);
    let rows = t.rows();
    let codes: HashSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    let expected = truth.areas.iter().filter(|k| k.0 == t.level).count();
    assert_eq!(
        codes.len(),
        expected,
        "{:?}: every area listed once",
        t.level
    );
    for r in &rows {
        let key = (t.level, r.code.clone());
        let (targets, attendees) = truth.counts[&(key.clone(), t.filter)];
        assert!(!r.revealed);
        assert_eq!(r.suppressed, r.targets.is_none(), "{r:?}");
        assert_eq!(r.suppressed, r.attendees.is_none(), "{r:?}");
        assert_eq!(r.suppressed, r.rate.is_none(), "{r:?}");
        match r.targets {
            Some(n) => {
                assert_eq!(
                    (n, r.attendees),
                    (targets, Some(attendees)),
                    "{key:?} {:?}",
                    t.filter
                );
                assert!(n >= threshold, "{key:?} {:?}: {n} shown", t.filter);
            }
            None => {}
        }
        if targets < threshold {
            assert!(
                r.suppressed,
                "{key:?} {:?}: {targets} not suppressed",
                t.filter
            );
        }
        shown.insert((key, t.filter), r.targets);
    }
}

/// No sum the viewer sees has exactly one hidden member with targets: a shown total
/// minus the visible parts never leaves one area's count. Also, literally: a shown
/// municipality minus its visible small areas (and minus its unplaced targets, as if
/// known) is more than any one hidden small area.
fn check_sums(truth: &Truth, shown: &Shown) -> usize {
    let mut hidden_sums = 0;
    for (total, parts) in truth.sums() {
        let hidden: Vec<&(Key, TargetFilter)> = total
            .iter()
            .chain(&parts)
            .filter(|k| shown[*k].is_none() && truth.counts[*k].0 > 0)
            .collect();
        assert_ne!(
            hidden.len(),
            1,
            "{:?} is the only hidden member of the sum of {total:?}",
            hidden.first()
        );
        hidden_sums += usize::from(!hidden.is_empty());
        if let Some((m, f)) = &total
            && m.0 == Level::Municipality
            && parts.first().is_some_and(|p| p.0.0 == Level::SmallArea)
            && let Some(Some(m_shown)) = shown.get(&(m.clone(), *f))
        {
            let visible: i64 = parts.iter().filter_map(|p| shown[p]).sum();
            let unplaced = truth.unplaced.get(&(m.1.clone(), *f)).map_or(0, |u| u.0);
            let leftover = m_shown - visible - unplaced;
            let hidden_parts: Vec<i64> = parts
                .iter()
                .filter(|p| shown[*p].is_none())
                .map(|p| truth.counts[p].0)
                .collect();
            assert_eq!(leftover, hidden_parts.iter().sum::<i64>());
            if let Some(max) = hidden_parts.iter().max()
                && *max > 0
            {
                assert!(
                    leftover > *max,
                    "{m:?} {f:?}: {leftover} gives a hidden area"
                );
            }
        }
    }
    hidden_sums
}

fn run(e: &mut Engine, c: Command) -> Outcome {
    e.execute(c, &Progress::new())
}

fn admin_op(e: &mut Engine, op: AdminOp) -> Outcome {
    run(e, Command::from(AdminCmd::Op(op)))
}

fn login(e: &mut Engine, user: &str, pw: &str) {
    match run(
        e,
        Command::from(AccountCmd::Login {
            user: user.into(),
            password: Secret(pw.into()),
        }),
    ) {
        Outcome::Account(AccountReply::LoggedIn(_)) => {}
        o => panic!("login {user}: {o:?}"),
    }
}

/// Registers the viewer (閲覧のみ) and changes the initial password; leaves the admin
/// logged in.
fn add_viewer(e: &mut Engine) {
    admin_op(
        e,
        AdminOp::Allow {
            id: VIEWER.into(),
            valid_until: None,
            note: String::new(),
        },
    );
    let Outcome::Admin(AdminReply::Done { message, .. }) = admin_op(
        e,
        AdminOp::Register {
            id: VIEWER.into(),
            role: Role::ViewOnly,
        },
    ) else {
        panic!("register")
    };
    let initial = message.rsplit(' ').next().unwrap().to_string();
    run(e, Command::from(AccountCmd::Logout));
    login(e, VIEWER, &initial);
    assert!(matches!(
        run(
            e,
            Command::from(AccountCmd::ChangePassword {
                old: Secret(initial),
                new: Secret(VIEWER_PASSWORD.into()),
            }),
        ),
        Outcome::Account(AccountReply::PasswordChanged(_))
    ));
    run(e, Command::from(AccountCmd::Logout));
    login(e, ADMIN, ADMIN_PASSWORD);
}

fn area_uptake(e: &mut Engine, level: Level, filter: TargetFilter, reveal: bool) -> Outcome {
    run(
        e,
        Command::from(MapCmd::AreaUptake {
            level,
            fy: FY,
            filter,
            reveal,
        }),
    )
}

fn table(o: Outcome) -> AreaTable {
    match o {
        Outcome::Map(MapReply::AreaUptake(t)) | Outcome::Map(MapReply::Uptake(t)) => t,
        o => panic!("{o:?}"),
    }
}

/// Every level and filter as the engine gives them to the current user.
fn sweep(e: &mut Engine, truth: &Truth, threshold: i64) -> Shown {
    let mut shown = Shown::new();
    for level in Level::ALL {
        for f in filters() {
            let t = table(area_uptake(e, level, f, false));
            check_table(&t, truth, threshold, &mut shown);
        }
    }
    shown
}

#[test]
fn a_viewer_reads_no_small_count_and_an_admin_reads_them_logged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    fill(&data);
    let store = Store::open(&data).unwrap();
    let truth = Truth::of(&store);
    let mut e = admin_engine(store, Box::new(SystemClock));
    add_viewer(&mut e);

    // The threshold is the admin's: at least 1; a viewer may not change it.
    let bad = admin_op(
        &mut e,
        AdminOp::SetSetting {
            key: SETTING_THRESHOLD.into(),
            value: "0".into(),
        },
    );
    assert!(
        matches!(bad, Outcome::Failed(ref m) if m.to_string().contains("1〜1000")),
        "{bad:?}"
    );
    run(&mut e, Command::from(AccountCmd::Logout));
    login(&mut e, VIEWER, VIEWER_PASSWORD);
    assert!(matches!(
        admin_op(
            &mut e,
            AdminOp::SetSetting {
                key: SETTING_THRESHOLD.into(),
                value: "1".into(),
            },
        ),
        Outcome::Denied(_)
    ));

    // As the viewer, at the default threshold: the map's tables and the 集計 tab's.
    let shown = sweep(&mut e, &truth, suppression::DEFAULT_THRESHOLD);
    let hidden_sums = check_sums(&truth, &shown);
    assert!(hidden_sums > 100, "sums with hidden members: {hidden_sums}");
    let small_hidden = shown
        .iter()
        .filter(|((k, f), v)| {
            k.0 == Level::SmallArea && *f == TargetFilter::default() && v.is_none()
        })
        .count();
    assert!(small_hidden > 50, "small areas suppressed: {small_hidden}");
    // Complementary suppression hid some areas with enough targets.
    let complementary = shown
        .iter()
        .filter(|(k, v)| v.is_none() && truth.counts[*k].0 >= suppression::DEFAULT_THRESHOLD)
        .count();
    assert!(complementary > 0);
    let tab = table(run(
        &mut e,
        Command::from(MapCmd::Uptake {
            level: Level::SmallArea,
            fy: FY,
            reveal: false,
        }),
    ));
    let map = table(area_uptake(
        &mut e,
        Level::SmallArea,
        TargetFilter::default(),
        false,
    ));
    assert_eq!(
        tab.rows(),
        map.rows(),
        "the 集計 tab shows what the map shows"
    );
    // Asking for the hidden figures needs 個人情報の閲覧: refused and logged.
    let refused = area_uptake(&mut e, Level::SmallArea, TargetFilter::default(), true);
    assert!(
        matches!(refused, Outcome::Denied(ref m) if m.contains("個人情報の閲覧")),
        "{refused:?}"
    );
    let refused = run(
        &mut e,
        Command::from(MapCmd::Uptake {
            level: Level::Municipality,
            fy: FY,
            reveal: true,
        }),
    );
    assert!(matches!(refused, Outcome::Denied(_)));
    let denials = e
        .audit
        .entries()
        .unwrap()
        .into_iter()
        .filter(|x| x.user == VIEWER && x.result == R::Denied && x.detail == "view_personal")
        .count();
    assert_eq!(denials, 2);

    // The admin (every right) sees the same unless they ask; then every figure, the
    // hidden ones marked, and the viewing is logged.
    run(&mut e, Command::from(AccountCmd::Logout));
    login(&mut e, ADMIN, ADMIN_PASSWORD);
    let plain = table(area_uptake(
        &mut e,
        Level::SmallArea,
        TargetFilter::default(),
        false,
    ));
    assert_eq!(plain.rows(), map.rows());
    let before = e.audit.entries().unwrap().len();
    let open = table(area_uptake(
        &mut e,
        Level::SmallArea,
        TargetFilter::default(),
        true,
    ));
    assert!(open.reveal);
    assert_eq!(open.rows().len(), map.rows().len());
    for (o, v) in open.rows().iter().zip(&map.rows()) {
        let key = (Level::SmallArea, o.code.clone());
        let (t, a) = truth.counts[&(key, TargetFilter::default())];
        assert_eq!((o.targets, o.attendees), (Some(t), Some(a)), "{}", o.code);
        assert!(!o.suppressed);
        assert_eq!(
            o.revealed, v.suppressed,
            "{}: marked iff hidden to others",
            o.code
        );
    }
    let logged: Vec<_> = e
        .audit
        .entries()
        .unwrap()
        .into_iter()
        .skip(before)
        .collect();
    let entry = logged
        .iter()
        .find(|x| x.action == Action::ViewPersonal)
        .expect("the viewing is logged");
    assert_eq!(entry.user, ADMIN);
    assert_eq!(entry.result, R::Ok);
    assert!(
        entry.target.starts_with("area_uptake:SmallArea:2021"),
        "{}",
        entry.target
    );
    assert_eq!(
        entry.detail,
        format!("suppressed_shown:{}", map.suppressed_count())
    );

    // A higher threshold set by the admin applies to everyone at once.
    assert!(matches!(
        admin_op(
            &mut e,
            AdminOp::SetSetting {
                key: SETTING_THRESHOLD.into(),
                value: "15".into(),
            },
        ),
        Outcome::Admin(AdminReply::Done { .. })
    ));
    run(&mut e, Command::from(AccountCmd::Logout));
    login(&mut e, VIEWER, VIEWER_PASSWORD);
    let shown15 = sweep(&mut e, &truth, 15);
    check_sums(&truth, &shown15);
    let hidden = |s: &Shown| s.values().filter(|v| v.is_none()).count();
    assert!(hidden(&shown15) > hidden(&shown));

    // A map saved before, with the old per-map threshold at 0, opens; the threshold in
    // it is ignored.
    let mut body = serde_json::to_value(MapState::default().to_document()).unwrap();
    body["spec"]["min_targets"] = 0.into();
    body["level"] = serde_json::to_value(Level::SmallArea).unwrap();
    e.store
        .conn()
        .execute(
            "INSERT INTO saved_maps (name, saved_at, body) VALUES ('古い地図', TIMESTAMP '2025-01-01 09:00:00', ?)",
            duckdb::params![body.to_string()],
        )
        .unwrap();
    let doc = document::load(e.store.conn(), "古い地図").unwrap();
    let layers = kenshin_atlas::map::load_layers(&e.store, &reference_dir()).unwrap();
    let (_, small) = layers.find(bundled::SMALL_AREAS).unwrap();
    let codes = small.index.column_text(bundled::SMALL_AREA_CODE).unwrap();
    let viewer_map = table(area_uptake(
        &mut e,
        Level::SmallArea,
        TargetFilter::default(),
        false,
    ));
    let viewer_rows = viewer_map.rows();
    let ch = choropleth::build(
        &choropleth::rows_values(viewer_rows.clone(), doc.spec.measure),
        &codes,
        &doc.spec,
    );
    assert_eq!(ch.suppressed_count, viewer_map.suppressed_count());
    assert!(ch.suppressed_count > 50);
    // No shown feature carries a count below the threshold.
    assert!(
        ch.values
            .iter()
            .flatten()
            .filter(|v| !v.suppressed)
            .all(|v| viewer_rows
                .iter()
                .find(|r| r.code == v.code)
                .is_some_and(|r| r.targets.is_none_or(|t| t >= 15)))
    );
}

#[test]
fn the_identify_window_shows_no_figures_of_a_suppressed_area() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    fill(&data);
    let store = Store::open(&data).unwrap();
    let truth = Truth::of(&store);
    let layers = kenshin_atlas::map::load_layers(&store, &reference_dir()).unwrap();
    let mut e = admin_engine(store, Box::new(SystemClock));
    add_viewer(&mut e);
    run(&mut e, Command::from(AccountCmd::Logout));
    login(&mut e, VIEWER, VIEWER_PASSWORD);
    let t = table(area_uptake(
        &mut e,
        Level::SmallArea,
        TargetFilter::default(),
        false,
    ));
    let (li, codes) = {
        let (li, small) = layers.find(bundled::SMALL_AREAS).unwrap();
        (
            li,
            small.index.column_text(bundled::SMALL_AREA_CODE).unwrap(),
        )
    };
    let t_rows = t.rows();
    let row_of = |code: &str| -> &AreaRow { t_rows.iter().find(|r| r.code == code).unwrap() };
    let hidden = codes
        .iter()
        .position(|c| {
            let key = (Level::SmallArea, c.clone());
            row_of(c).suppressed && truth.targets(&key, TargetFilter::default()) > 0
        })
        .unwrap();
    let shown = codes.iter().position(|c| !row_of(c).suppressed).unwrap();

    let mut state = MapState::default();
    state.basemap = kenshin_atlas::ui::map::basemap::BasemapState::in_dir(&dir.path().join("maps"));
    state.set_layers(layers);
    state.choropleth.level = Level::SmallArea;
    state.set_rows(t.clone());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_max_steps(20)
        .with_context_setup(kenshin_atlas::ui::install_theme)
        .build_ui_state(
            |ui, st: &mut MapState| {
                let _ = map_ui(ui, st);
            },
            state,
        );
    // A shown area: its counts are listed.
    h.state_mut().tools.identified = Some((li, shown));
    h.run();
    let n = row_of(&codes[shown]).targets.unwrap();
    assert!(h.query_by_label("対象者").is_some());
    assert!(h.query_by_label(&n.to_string()).is_some());
    // A suppressed one: the label, no counts (the engine did not send any).
    h.state_mut().tools.identified = Some((li, hidden));
    h.run();
    assert!(h.query_by_label("対象者").is_none());
    assert!(h.query_by_label("受診者").is_none());
    assert!(h.query_by_label(suppression::LABEL).is_some());
    assert!(
        h.query_by_label("非表示の地域も数値を表示（個人情報の閲覧、利用ログに記録）")
            .is_none()
    );
    // The threshold is shown, not edited, on the map.
    assert!(h.query_by_label("対象者 10 人未満（管理者設定）").is_some());
}

fn cli(data: &Path, user: &str, pw: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kenshin-atlas"))
        .arg("--data-dir")
        .arg(data)
        .args(["--user", user])
        .env("KENSHIN_PASSWORD", pw)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn the_cli_suppresses_like_the_window_and_logs_a_reveal() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kenshin-atlas"))
        .arg("--data-dir")
        .arg(&data)
        .args(["setup", "--admin", ADMIN])
        .env("KENSHIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .unwrap();
    ok(&out);
    fill(&data);
    ok(&cli(
        &data,
        ADMIN,
        ADMIN_PASSWORD,
        &["user", "allow", VIEWER],
    ));
    let text = ok(&cli(
        &data,
        ADMIN,
        ADMIN_PASSWORD,
        &["user", "register", VIEWER, "--role", "viewer"],
    ));
    let initial = text.trim().rsplit(' ').next().unwrap().to_string();
    // The initial password changed in the core (the window does it; the CLI has no
    // command for it), and the admin's threshold set there later.
    let in_core = |f: &dyn Fn(&Security)| {
        let store = Store::open(&data).unwrap();
        let log = AuditLog::open(&data).unwrap();
        let clock = SystemClock;
        f(&Security {
            conn: store.conn(),
            audit: &log,
            clock: &clock,
        });
    };
    in_core(&|sec| {
        let mut s = sec.login(VIEWER, &initial).unwrap();
        sec.change_password(&mut s, &initial, VIEWER_PASSWORD)
            .unwrap();
    });
    let truth = Truth::of(&Store::open(&data).unwrap());

    let json = |level: &str, user: &str, pw: &str, extra: &[&str]| -> Vec<serde_json::Value> {
        let mut args = vec!["uptake", "--level", level, "--fy", "2021", "--json"];
        args.extend(extra);
        serde_json::from_str(&ok(&cli(&data, user, pw, &args))).unwrap()
    };
    // Every level as the viewer reads it, checked against the truth and the sums.
    let viewer_reads = |threshold: i64| -> Shown {
        let mut shown = Shown::new();
        for (name, level) in [
            ("small-area", Level::SmallArea),
            ("municipality", Level::Municipality),
            ("medical-area", Level::MedicalArea),
        ] {
            for r in json(name, VIEWER, VIEWER_PASSWORD, &[]) {
                let code = r["code"].as_str().unwrap().to_string();
                let key = (level, code);
                let (t, a) = truth.counts[&(key.clone(), TargetFilter::default())];
                let suppressed = r["suppressed"].as_bool().unwrap();
                if suppressed {
                    // "targets": null, "attendees": null, "rate": null, "suppressed": true
                    assert!(
                        r["targets"].is_null() && r["attendees"].is_null() && r["rate"].is_null(),
                        "{r}"
                    );
                } else {
                    assert_eq!(r["targets"].as_i64(), Some(t), "{key:?}");
                    assert_eq!(r["attendees"].as_i64(), Some(a), "{key:?}");
                    assert!(t >= threshold, "{key:?}: {t} shown");
                }
                if t < threshold {
                    assert!(suppressed, "{key:?}: {t}");
                }
                assert_eq!(r["revealed"], false);
                shown.insert((key, TargetFilter::default()), r["targets"].as_i64());
            }
        }
        // The sums of one filter (the CLI has no other): none leaves one hidden area.
        let mut checked = 0;
        for (total, parts) in truth.sums() {
            let all_total = total
                .as_ref()
                .is_none_or(|t| t.1 == TargetFilter::default());
            if !all_total || parts.iter().any(|p| p.1 != TargetFilter::default()) {
                continue;
            }
            let hidden = total
                .iter()
                .chain(&parts)
                .filter(|k| shown[*k].is_none() && truth.counts[*k].0 > 0)
                .count();
            assert_ne!(hidden, 1, "{total:?}");
            checked += 1;
        }
        assert!(checked > 40);
        shown
    };
    let shown10 = viewer_reads(suppression::DEFAULT_THRESHOLD);
    let threshold = 12;
    in_core(&|sec| {
        let mut a = sec.login(ADMIN, ADMIN_PASSWORD).unwrap();
        sec.set_setting(&mut a, SETTING_THRESHOLD, &threshold.to_string())
            .unwrap();
    });
    let shown = viewer_reads(threshold);
    let hidden = |s: &Shown| s.values().filter(|v| v.is_none()).count();
    assert!(hidden(&shown) > hidden(&shown10));
    // The text output says 少数のため非表示 for them.
    let text = ok(&cli(
        &data,
        VIEWER,
        VIEWER_PASSWORD,
        &["uptake", "--level", "small-area", "--fy", "2021"],
    ));
    assert!(text.contains(suppression::LABEL));

    // --reveal needs 個人情報の閲覧.
    let out = cli(
        &data,
        VIEWER,
        VIEWER_PASSWORD,
        &[
            "uptake",
            "--level",
            "small-area",
            "--fy",
            "2021",
            "--json",
            "--reveal",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("個人情報の閲覧"));
    // The admin reads every figure, marked, and the log has it.
    let open = json("small-area", ADMIN, ADMIN_PASSWORD, &["--reveal"]);
    let mut revealed = 0;
    for r in &open {
        let key = (Level::SmallArea, r["code"].as_str().unwrap().to_string());
        assert_eq!(
            r["targets"].as_i64(),
            Some(truth.targets(&key, TargetFilter::default()))
        );
        assert_eq!(r["suppressed"], false);
        let was_hidden = shown[&(key, TargetFilter::default())].is_none();
        assert_eq!(r["revealed"].as_bool(), Some(was_hidden));
        revealed += usize::from(was_hidden);
    }
    assert!(revealed > 50);
    let entries = AuditLog::open(&data).unwrap().entries().unwrap();
    let viewed: Vec<_> = entries
        .iter()
        .filter(|x| x.user == ADMIN && x.action == Action::ViewPersonal)
        .collect();
    assert_eq!(viewed.len(), 1, "{viewed:?}");
    assert_eq!(viewed[0].target, "uptake:SmallArea:2021:suppressed_figures");
    assert_eq!(viewed[0].detail, format!("suppressed_shown:{revealed}"));
    assert!(
        entries
            .iter()
            .any(|x| x.user == VIEWER && x.action == Action::ViewPersonal && x.result == R::Denied)
    );
}
