//! Search against an independent recomputation: every insured condition is recomputed in
//! plain Rust from the demo's raw files (the CSVs as the generator wrote them: CP932,
//! wareki months, ICD codes with dots), never through the app's SQL; place searches are
//! checked against a brute-force point-in-polygon written here (ray casting) over all
//! insured locations; `nearest` against a brute-force sort. The privacy rules are checked
//! on the engine (listing refused and logged without 個人情報の閲覧, small counts withheld).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

use chrono::NaiveDate;
use kenshin_atlas::app::domain::search::{SearchCmd, SearchReply};
use kenshin_atlas::app::{Command, Engine, Outcome};
use kenshin_atlas::auth::{Right, SystemClock};
use kenshin_atlas::import::{ImportOptions, import_file};
use kenshin_atlas::job::Progress;
use kenshin_atlas::search::Query;
use kenshin_atlas::store::ImportResult;
use kenshin_atlas::store::Store;
use serde_json::json;

use super::common::{admin_engine, demo};
use super::raw_demo::{self, Person, attended, checkup_dates, date, insured};

const FY: i32 = 2021;

pub(super) struct World {
    _dir: tempfile::TempDir,
    engine: Engine,
}

/// The whole demo imported and placed, with the admin (every right) logged in.
pub(super) fn world() -> &'static Mutex<World> {
    static W: OnceLock<Mutex<World>> = OnceLock::new();
    W.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for f in &demo().summary.files {
            let r = import_file(&store, f, &ImportOptions::default(), &Progress::new()).unwrap();
            assert_eq!(r.result, ImportResult::Ok, "{}: {}", f.display(), r.message);
        }
        kenshin_atlas::layers::bundled::ensure(
            &store,
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference"),
        )
        .unwrap();
        kenshin_atlas::geocode::run(&store, &Default::default(), &Progress::new()).unwrap();
        let engine = admin_engine(store, Box::new(SystemClock));
        Mutex::new(World { _dir: dir, engine })
    })
}

/// The world's engine, logged in as the admin (another test may have left a viewer in).
pub(super) fn as_admin(w: &mut World) -> &mut Engine {
    super::security::login(
        &mut w.engine,
        super::common::ADMIN,
        super::common::ADMIN_PASSWORD,
    );
    &mut w.engine
}

fn run(e: &mut Engine, c: SearchCmd) -> Outcome {
    e.execute(Command::from(c), &Progress::new())
}

fn keys_of(e: &mut Engine, q: serde_json::Value) -> BTreeSet<String> {
    let query = Query::from_json(&q).unwrap_or_else(|err| panic!("{err}: {q}"));
    match run(e, SearchCmd::Keys { query }) {
        Outcome::Search(SearchReply::Keys { keys, .. }) => keys.into_iter().collect(),
        o => panic!("{q}: {o:?}"),
    }
}

fn insured_q(cond: serde_json::Value) -> serde_json::Value {
    json!({"version": 1, "subject": "insured", "fy": FY, "where": cond})
}

/// The insured of the year as the app defines its subject: insured at some time in it.
fn in_year(p: &Person) -> bool {
    let (s, e) = (
        NaiveDate::from_ymd_opt(FY, 4, 1).unwrap(),
        NaiveDate::from_ymd_opt(FY + 1, 3, 31).unwrap(),
    );
    p.acquired <= e && p.lost.is_none_or(|l| l > s)
}

fn raw_set(pred: impl Fn(&str, &Person) -> bool) -> BTreeSet<String> {
    insured()
        .iter()
        .filter(|(id, p)| in_year(p) && pred(id, p))
        .map(|(id, _)| id.clone())
        .collect()
}

/// `R04.02` / `202202` / `H31.04` as the first day of the month.
fn month(t: &str) -> NaiveDate {
    let t = t.trim();
    if let Some(r) = t.strip_prefix('R').or_else(|| t.strip_prefix('H')) {
        let (y, m) = r.split_once('.').unwrap();
        let base = if t.starts_with('R') { 2018 } else { 1988 };
        return NaiveDate::from_ymd_opt(base + y.parse::<i32>().unwrap(), m.parse().unwrap(), 1)
            .unwrap();
    }
    NaiveDate::from_ymd_opt(t[..4].parse().unwrap(), t[4..6].parse().unwrap(), 1).unwrap()
}

fn files(prefix: &str) -> Vec<std::path::PathBuf> {
    demo()
        .summary
        .files
        .iter()
        .filter(|f| f.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .cloned()
        .collect()
}

/// Claims of the year: (claim key, insured, institution).
fn raw_claims() -> Vec<((String, String, NaiveDate), String, String)> {
    let mut out = Vec::new();
    for f in files("医療レセプト管理") {
        for r in raw_demo::rows(&f, "レセプト番号") {
            let m = month(&r["診療年月"]);
            if m >= NaiveDate::from_ymd_opt(FY, 4, 1).unwrap()
                && m <= NaiveDate::from_ymd_opt(FY + 1, 3, 31).unwrap()
            {
                out.push((
                    (r["レセプト番号"].clone(), r["保険者番号"].clone(), m),
                    r["被保険者ID"].clone(),
                    r["医療機関コード"].clone(),
                ));
            }
        }
    }
    out
}

fn raw_diseases() -> HashMap<(String, String, NaiveDate), Vec<String>> {
    let mut out: HashMap<_, Vec<String>> = HashMap::new();
    for f in files("医療傷病名") {
        for r in raw_demo::rows(&f, "レセプト番号") {
            out.entry((
                r["レセプト番号"].clone(),
                r["保険者番号"].clone(),
                month(&r["診療年月"]),
            ))
            .or_default()
            .push(r["ICD10コード"].trim().to_string());
        }
    }
    out
}

/// Every checkup row: (insured, date, institution, HbA1c).
fn raw_checkups() -> Vec<(String, NaiveDate, String, Option<f64>)> {
    let mut out = Vec::new();
    for f in files("健診結果_") {
        for r in raw_demo::rows(&f, "被保険者ID") {
            out.push((
                r["被保険者ID"].clone(),
                date(&r["健診受診日"]).unwrap(),
                r.get("健診機関コード").cloned().unwrap_or_default(),
                r["HbA1c"].trim().parse().ok(),
            ));
        }
    }
    out
}

use chrono::Datelike;

#[test]
fn every_insured_condition_matches_a_recomputation_from_the_raw_files() {
    let mut w = world().lock().unwrap_or_else(|p| p.into_inner());
    let e = as_admin(&mut w);
    let people = insured();
    let dates = checkup_dates();
    let (s, end) = (
        NaiveDate::from_ymd_opt(FY, 4, 1).unwrap(),
        NaiveDate::from_ymd_opt(FY + 1, 3, 31).unwrap(),
    );

    // Non-attending targets.
    let got = keys_of(
        e,
        insured_q(
            json!({"and": [{"field": "target", "op": "=", "value": true},
                                 {"field": "attended", "op": "=", "value": false}]}),
        ),
    );
    let want = raw_set(|id, p| p.target(FY) && !attended(dates.get(id), FY));
    assert!(want.len() > 1000, "{}", want.len());
    assert_eq!(got, want, "未受診の対象者");

    // Age on 31 March, between; sex and age bands.
    let got = keys_of(
        e,
        insured_q(json!({"field": "age", "op": "between", "value": [65, 74]})),
    );
    assert_eq!(
        got,
        raw_set(|_, p| (65..=74).contains(&p.age(FY))),
        "65〜74歳"
    );
    let got = keys_of(
        e,
        insured_q(json!({"and": [{"field": "sex", "op": "=", "value": 2},
                                 {"field": "age_band", "op": "in", "value": ["40-44", "70〜74"]}]})),
    );
    assert_eq!(
        got,
        raw_set(
            |_, p| p.sex == 2 && ((40..=44).contains(&p.age(FY)) || (70..=74).contains(&p.age(FY)))
        ),
        "女性・年齢階級"
    );

    // Checkups in the past 3 years: at least 2 fiscal years with one.
    let got = keys_of(
        e,
        insured_q(json!({"field": "checkup_count", "years": 3, "op": ">=", "value": 2})),
    );
    let want = raw_set(|id, _| {
        let years: BTreeSet<i32> = dates
            .get(id)
            .into_iter()
            .flatten()
            .filter(|d| **d >= NaiveDate::from_ymd_opt(FY - 2, 4, 1).unwrap() && **d <= end)
            .map(|d| {
                if d.month() >= 4 {
                    d.year()
                } else {
                    d.year() - 1
                }
            })
            .collect();
        years.len() >= 2
    });
    assert!(!want.is_empty());
    assert_eq!(got, want, "過去3年に2回以上");

    // Past checkup institution, and checkup values in the year.
    let checkups = raw_checkups();
    let inst = checkups
        .iter()
        .find(|c| !c.2.is_empty())
        .map(|c| c.2.clone())
        .expect("a checkup with an institution");
    let got = keys_of(
        e,
        insured_q(json!({"field": "past_institution", "op": "in", "value": [inst]})),
    );
    let at: BTreeSet<String> = checkups
        .iter()
        .filter(|c| c.2 == inst && c.1 <= end)
        .map(|c| c.0.clone())
        .collect();
    assert_eq!(got, raw_set(|id, _| at.contains(id)), "過去の健診機関");
    let got = keys_of(
        e,
        insured_q(json!({"field": "checkup.hba1c", "op": ">=", "value": 6.5})),
    );
    let high: BTreeSet<String> = checkups
        .iter()
        .filter(|c| c.1 >= s && c.1 <= end && c.3.is_some_and(|v| v >= 6.5))
        .map(|c| c.0.clone())
        .collect();
    assert!(!high.is_empty());
    assert_eq!(got, raw_set(|id, _| high.contains(id)), "HbA1c ≥ 6.5");

    // Claims: any visit, a disease group, an ICD prefix, an institution.
    let claims = raw_claims();
    assert!(!claims.is_empty());
    let visited: BTreeSet<String> = claims.iter().map(|c| c.1.clone()).collect();
    let got = keys_of(
        e,
        insured_q(json!({"field": "visited", "op": "=", "value": true})),
    );
    assert_eq!(
        got,
        raw_set(|id, _| visited.contains(id)),
        "医療機関受診あり"
    );
    let got = keys_of(
        e,
        insured_q(json!({"field": "visited", "op": "=", "value": false})),
    );
    assert_eq!(
        got,
        raw_set(|id, _| !visited.contains(id)),
        "医療機関受診なし"
    );
    let diseases = raw_diseases();
    let with = |prefixes: &[&str]| -> BTreeSet<String> {
        claims
            .iter()
            .filter(|c| {
                diseases
                    .get(&c.0)
                    .is_some_and(|d| d.iter().any(|x| prefixes.iter().any(|p| x.starts_with(p))))
            })
            .map(|c| c.1.clone())
            .collect()
    };
    let dm = with(&["E10", "E11", "E12", "E13", "E14"]);
    assert!(!dm.is_empty());
    let got = keys_of(
        e,
        insured_q(json!({"field": "disease_group", "op": "in", "value": ["糖尿病"]})),
    );
    assert_eq!(got, raw_set(|id, _| dm.contains(id)), "糖尿病");
    let i1 = with(&["I1"]);
    let got = keys_of(
        e,
        insured_q(json!({"field": "icd10", "op": "in", "value": ["ｉ1"]})),
    );
    assert_eq!(got, raw_set(|id, _| i1.contains(id)), "ICD-10 I1*");
    let clinic = claims[0].2.clone();
    let there: BTreeSet<String> = claims
        .iter()
        .filter(|c| c.2 == clinic)
        .map(|c| c.1.clone())
        .collect();
    let got = keys_of(
        e,
        insured_q(json!({"field": "treated_at", "op": "in", "value": [clinic]})),
    );
    assert_eq!(got, raw_set(|id, _| there.contains(id)), "受療した医療機関");

    // Qualification acquired in a range; residence municipality.
    let got = keys_of(
        e,
        insured_q(
            json!({"field": "acquired_date", "op": "between", "value": ["2015-04-01", "2020-03-31"]}),
        ),
    );
    let (a, b) = (
        NaiveDate::from_ymd_opt(2015, 4, 1).unwrap(),
        NaiveDate::from_ymd_opt(2020, 3, 31).unwrap(),
    );
    assert_eq!(
        got,
        raw_set(|_, p| p.acquired >= a && p.acquired <= b),
        "資格取得日"
    );
    let got = keys_of(
        e,
        insured_q(json!({"field": "municipality", "op": "=", "value": "29201"})),
    );
    assert_eq!(
        got,
        raw_set(|_, p| p.municipality == "29201"),
        "住所地 奈良市"
    );

    // Residence: small area and match level, from the address matching's own rows.
    let placed: Vec<(String, Option<String>, i64)> = {
        let mut stmt = e
            .store
            .conn()
            .prepare(
                "SELECT insured_id, key_code, CAST(match_level AS BIGINT) FROM insured_locations",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let area = placed
        .iter()
        .find_map(|p| p.1.clone())
        .expect("a placed person");
    let got = keys_of(
        e,
        insured_q(json!({"field": "small_area", "op": "in", "value": [area]})),
    );
    let want: BTreeSet<String> = placed
        .iter()
        .filter(|p| p.1.as_deref() == Some(area.as_str()) && people.get(&p.0).is_some_and(in_year))
        .map(|p| p.0.clone())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want, "住所地の町丁・字");
    let got = keys_of(
        e,
        insured_q(json!({"field": "match_level", "op": "in", "value": [0, 3]})),
    );
    let want: BTreeSet<String> = placed
        .iter()
        .filter(|p| (p.2 == 0 || p.2 == 3) && people.get(&p.0).is_some_and(in_year))
        .map(|p| p.0.clone())
        .collect();
    assert!(!want.is_empty(), "the demo has unplaced addresses");
    assert_eq!(got, want, "一致レベル 不明・曖昧");

    // On the latest recommendation list (rows without an ID are matched by 保険者番号 and
    // 記号・番号, as the register has them).
    let register: HashMap<(String, String), String> =
        raw_demo::rows(&demo().file("被保険者台帳.csv"), "被保険者ID")
            .into_iter()
            .map(|r| {
                (
                    (r["保険者番号"].clone(), plain_symbol(&r["記号番号"])),
                    r["被保険者ID"].clone(),
                )
            })
            .collect();
    let listed: BTreeSet<String> = files("受診勧奨対象者リスト")
        .iter()
        .flat_map(|f| raw_demo::rows(f, "保険者番号"))
        .filter_map(|r| {
            if r["被保険者ID"].is_empty() {
                register
                    .get(&(r["保険者番号"].clone(), plain_symbol(&r["記号番号"])))
                    .cloned()
            } else {
                Some(r["被保険者ID"].clone())
            }
        })
        .collect();
    assert!(!listed.is_empty());
    let got = keys_of(
        e,
        insured_q(json!({"field": "recommended", "op": "=", "value": true})),
    );
    assert_eq!(
        got,
        raw_set(|id, _| listed.contains(id)),
        "受診勧奨対象者リスト"
    );

    // Marks (set here as the next issue's screen will), with NOT and OR.
    let some: Vec<&String> = people
        .keys()
        .filter(|id| in_year(&people[*id]))
        .take(5)
        .collect();
    for id in &some {
        e.store
            .conn()
            .execute(
                "INSERT INTO insured_marks VALUES (?, 'excluded', 'other', NULL, 'admin', now())",
                [id.as_str()],
            )
            .unwrap();
    }
    let marked: BTreeSet<String> = some.iter().map(|s| s.to_string()).collect();
    let got = keys_of(
        e,
        insured_q(json!({"field": "mark", "op": "=", "value": "excluded"})),
    );
    assert_eq!(got, marked);
    let got = keys_of(
        e,
        insured_q(json!({"and": [
            {"not": {"field": "mark", "op": "=", "value": "excluded"}},
            {"or": [{"field": "sex", "op": "=", "value": 1}, {"field": "age", "op": ">=", "value": 70}]},
            {"field": "attended", "op": "=", "value": false}]})),
    );
    let want = raw_set(|id, p| {
        !marked.contains(id) && (p.sex == 1 || p.age(FY) >= 70) && !attended(dates.get(id), FY)
    });
    assert_eq!(got, want, "NOT / OR / AND");

    // 勤務地: a user table linked by insured id.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("勤務先.csv");
    let ids: Vec<&String> = people.keys().take(40).collect();
    let mut text = String::from("被保険者ID,勤務地,勤務地カナ,従業員数\n");
    for (i, id) in ids.iter().enumerate() {
        text.push_str(&format!(
            "{id},{},{},{}\n",
            if i % 2 == 0 { "奈良市" } else { "大阪市" },
            if i % 2 == 0 {
                "ナラシ"
            } else {
                "オオサカシ"
            },
            i * 10
        ));
    }
    std::fs::write(&path, text).unwrap();
    kenshin_atlas::import::import_user_table(
        &e.store,
        &path,
        &kenshin_atlas::import::UserTableOptions {
            name: "勤務先".into(),
            key_column: Some("被保険者ID".into()),
            link_to: Some("insured".into()),
            ..Default::default()
        },
        &Progress::new(),
    )
    .unwrap();
    // The cache of searches is the engine's; this import went around it, as no screen does.
    let got = keys_of(
        e,
        insured_q(
            json!({"field": "user_table", "table": "勤務先", "column": "勤務地", "op": "=", "value": "大阪市"}),
        ),
    );
    let want: BTreeSet<String> = ids
        .iter()
        .enumerate()
        .filter(|(i, id)| i % 2 == 1 && in_year(&people[**id]))
        .map(|(_, id)| id.to_string())
        .collect();
    assert_eq!(got, want, "勤務地（独自データ）");
    // Contains, width and kana folded on both sides: half-width and hiragana find katakana.
    for typed in ["ｵｵｻｶ", "おおさか"] {
        let got = keys_of(
            e,
            insured_q(
                json!({"field": "user_table", "table": "勤務先", "column": "勤務地カナ", "op": "contains", "value": typed}),
            ),
        );
        assert_eq!(got, want, "勤務地カナ に {typed}");
    }
    // A number typed as text compares as a number on a numeric column.
    let got = keys_of(
        e,
        insured_q(
            json!({"field": "user_table", "table": "勤務先", "column": "従業員数", "op": ">=", "value": "100"}),
        ),
    );
    let want: BTreeSet<String> = ids
        .iter()
        .enumerate()
        .filter(|(i, id)| i * 10 >= 100 && in_year(&people[**id]))
        .map(|(_, id)| id.to_string())
        .collect();
    assert_eq!(got, want, "従業員数 ≧ 100");
}

/// Ray casting, written here independently of the geo crate.
fn inside(ring: &[(f64, f64)], p: (f64, f64)) -> bool {
    let mut c = false;
    let n = ring.len();
    let mut j = n - 1;
    for i in 0..n {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if (yi > p.1) != (yj > p.1) && p.0 < (xj - xi) * (p.1 - yi) / (yj - yi) + xi {
            c = !c;
        }
        j = i;
    }
    c
}

fn locations(e: &Engine) -> Vec<(String, f64, f64)> {
    let mut stmt = e
        .store
        .conn()
        .prepare("SELECT insured_id, lon, lat FROM insured_locations WHERE lon IS NOT NULL")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn place_searches_equal_brute_force_over_every_insured_location() {
    let mut w = world().lock().unwrap_or_else(|p| p.into_inner());
    let e = as_admin(&mut w);
    let locs = locations(e);
    let people = insured();
    let year = |id: &str| people.get(id).is_some_and(in_year);
    // A drawn polygon (concave) over central Nara.
    let ring = [
        (135.78, 34.66),
        (135.84, 34.66),
        (135.84, 34.71),
        (135.81, 34.685),
        (135.78, 34.71),
        (135.78, 34.66),
    ];
    let wkt = kenshin_atlas::geo::wkt::polygon_wkt(&ring);
    let got = keys_of(e, insured_q(json!({"place": "polygon", "wkt": wkt})));
    let want: BTreeSet<String> = locs
        .iter()
        .filter(|l| year(&l.0) && inside(&ring, (l.1, l.2)))
        .map(|l| l.0.clone())
        .collect();
    assert!(want.len() > 100, "{}", want.len());
    assert_eq!(got, want, "多角形");
    // A rectangle.
    let got = keys_of(
        e,
        insured_q(json!({"place": "rect", "bbox": [135.70, 34.50, 135.80, 34.60]})),
    );
    let want: BTreeSet<String> = locs
        .iter()
        .filter(|l| year(&l.0) && l.1 > 135.70 && l.1 < 135.80 && l.2 > 34.50 && l.2 < 34.60)
        .map(|l| l.0.clone())
        .collect();
    assert_eq!(got, want, "矩形");
    // A 2 km circle: geodesic distance, checked by brute force over everyone.
    let c = (135.8048, 34.6851);
    let got = keys_of(
        e,
        insured_q(json!({"place": "circle", "lon": c.0, "lat": c.1, "radius_m": 2000})),
    );
    let want: BTreeSet<String> = locs
        .iter()
        .filter(|l| year(&l.0) && kenshin_atlas::geo::geodesic::distance_m(c, (l.1, l.2)) <= 2000.0)
        .map(|l| l.0.clone())
        .collect();
    assert!(want.len() > 50);
    assert_eq!(got, want, "半径2km");
    // A municipality's polygons (N03, several parts), ray-cast here.
    let (info, feats) = kenshin_atlas::layers::storage::load(
        e.store.conn(),
        kenshin_atlas::layers::bundled::MUNICIPALITIES,
    )
    .unwrap();
    let code_field = info
        .field_index(kenshin_atlas::layers::bundled::MUNICIPALITY_CODE)
        .unwrap();
    let mut polys: Vec<Vec<Vec<(f64, f64)>>> = Vec::new();
    for f in feats
        .iter()
        .filter(|f| f.attrs[code_field].display() == "29206")
    {
        let ps = match &f.geom {
            geo::Geometry::MultiPolygon(m) => m.0.clone(),
            geo::Geometry::Polygon(p) => vec![p.clone()],
            _ => vec![],
        };
        for p in ps {
            let mut rings = vec![
                p.exterior()
                    .0
                    .iter()
                    .map(|c| (c.x, c.y))
                    .collect::<Vec<_>>(),
            ];
            rings.extend(
                p.interiors()
                    .iter()
                    .map(|r| r.0.iter().map(|c| (c.x, c.y)).collect()),
            );
            polys.push(rings);
        }
    }
    assert!(!polys.is_empty());
    let in_muni = |p: (f64, f64)| {
        polys
            .iter()
            .any(|rings| inside(&rings[0], p) && !rings[1..].iter().any(|h| inside(h, p)))
    };
    let got = keys_of(
        e,
        insured_q(json!({"place": "municipality", "codes": ["29206"]})),
    );
    let want: BTreeSet<String> = locs
        .iter()
        .filter(|l| year(&l.0) && in_muni((l.1, l.2)))
        .map(|l| l.0.clone())
        .collect();
    assert!(want.len() > 100);
    assert_eq!(got, want, "桜井市の範囲");
    // A place and attributes together, inside an OR.
    let dates = checkup_dates();
    let got = keys_of(
        e,
        insured_q(
            json!({"and": [{"field": "attended", "op": "=", "value": false},
            {"or": [{"place": "rect", "bbox": [135.70, 34.50, 135.80, 34.60]},
                    {"place": "circle", "lon": c.0, "lat": c.1, "radius_m": 2000}]}]}),
        ),
    );
    let want: BTreeSet<String> = locs
        .iter()
        .filter(|l| {
            year(&l.0)
                && !attended(dates.get(&l.0), FY)
                && ((l.1 > 135.70 && l.1 < 135.80 && l.2 > 34.50 && l.2 < 34.60)
                    || kenshin_atlas::geo::geodesic::distance_m(c, (l.1, l.2)) <= 2000.0)
        })
        .map(|l| l.0.clone())
        .collect();
    assert_eq!(got, want, "未受診 かつ（矩形 または 円）");
}

#[test]
fn institutions_by_name_items_and_place_and_the_nearest_by_brute_force() {
    let mut w = world().lock().unwrap_or_else(|p| p.into_inner());
    let e = as_admin(&mut w);
    // The checkup master as written.
    let master = raw_demo::rows(&demo().file("健診機関マスタ.csv"), "健診機関コード");
    let yes = |r: &HashMap<String, String>, k: &str| r[k] == "○";
    let want: BTreeSet<String> = master
        .iter()
        .filter(|r| yes(r, "心電図") && yes(r, "眼底検査"))
        .map(|r| r["健診機関コード"].clone())
        .collect();
    assert!(!want.is_empty());
    let got = keys_of(
        e,
        json!({"version": 1, "subject": "institutions", "fy": FY,
               "where": {"field": "test_item", "op": "has", "value": ["ecg", "fundus"]}}),
    );
    assert_eq!(got, want, "心電図と眼底");
    // Name, width- and kana-insensitive: a name written in half-width kana finds it.
    let name = master
        .iter()
        .map(|r| r["健診機関名"].clone())
        .find(|n| n.contains("クリニック"))
        .expect("a クリニック");
    let got = keys_of(
        e,
        json!({"version": 1, "subject": "institutions",
               "where": {"field": "name", "op": "contains", "value": "ｸﾘﾆｯｸ"}}),
    );
    assert!(got.len() > 1);
    let codes_named: BTreeSet<String> = master
        .iter()
        .filter(|r| r["健診機関名"] == name)
        .map(|r| r["健診機関コード"].clone())
        .collect();
    assert!(codes_named.is_subset(&got));

    // Nearest: a brute-force sort of every placed checkup institution.
    let q = Query::from_json(&json!({"version": 1, "subject": "institutions",
        "where": {"field": "checkup", "op": "=", "value": true}}))
    .unwrap();
    let frame = match run(e, SearchCmd::List { query: q }) {
        Outcome::Search(SearchReply::List { frame, .. }) => frame,
        o => panic!("{o:?}"),
    };
    use kenshin_atlas::analysis::frame as fr;
    use kenshin_atlas::search::run::col;
    let codes = fr::texts(&frame, col::CODE).unwrap();
    let lons = fr::floats(&frame, col::LON).unwrap();
    let lats = fr::floats(&frame, col::LAT).unwrap();
    let p = (135.8048, 34.6851);
    let mut all: Vec<(f64, String)> = codes
        .iter()
        .zip(lons.iter().zip(&lats))
        .filter_map(|(c, (lo, la))| {
            Some((
                kenshin_atlas::geo::geodesic::distance_m(p, ((*lo)?, (*la)?)),
                c.clone()?,
            ))
        })
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let list = match run(
        e,
        SearchCmd::Nearest {
            lon: p.0,
            lat: p.1,
            n: 10,
        },
    ) {
        Outcome::Search(SearchReply::Nearest { list, .. }) => list,
        o => panic!("{o:?}"),
    };
    assert_eq!(list.len(), 10);
    let got: Vec<String> = list.iter().map(|n| n.code.clone()).collect();
    let want: Vec<String> = all.iter().take(10).map(|a| a.1.clone()).collect();
    assert_eq!(got, want);
    assert!(list.windows(2).all(|w| w[0].distance_m <= w[1].distance_m));
    assert!((list[0].distance_m - all[0].0).abs() < 1e-6);
}

#[test]
fn without_the_personal_data_right_persons_are_counted_not_listed() {
    let mut w = world().lock().unwrap_or_else(|p| p.into_inner());
    let e = as_admin(&mut w);
    // A circle around a placed person holding 1 to 9 of the year's insured.
    let people = insured();
    let locs: Vec<(String, f64, f64)> = locations(e)
        .into_iter()
        .filter(|l| people.get(&l.0).is_some_and(in_year))
        .collect();
    let (centre, radius) = locs
        .iter()
        .step_by(97)
        .flat_map(|l| [10.0, 20.0, 40.0, 60.0, 100.0].map(|r| ((l.1, l.2), r)))
        .find(|(c, r)| {
            let n = locs
                .iter()
                .filter(|l| kenshin_atlas::geo::geodesic::distance_m(*c, (l.1, l.2)) <= *r)
                .count();
            (1..10).contains(&n)
        })
        .expect("a small circle");
    super::security::user_with(e, "kensaku", BTreeSet::from([Right::Edit]));
    let small = Query::from_json(&insured_q(
        json!({"place": "circle", "lon": centre.0, "lat": centre.1, "radius_m": radius}),
    ))
    .unwrap();
    let radius_text = format!("半径{}m", radius as u64);
    // Listing and keys are refused, and the refusal is logged.
    for c in [
        SearchCmd::List {
            query: small.clone(),
        },
        SearchCmd::Keys {
            query: small.clone(),
        },
    ] {
        assert!(matches!(run(e, c), Outcome::Denied(_)));
    }
    let denied = e
        .audit
        .entries()
        .unwrap()
        .iter()
        .filter(|x| {
            x.user == "kensaku"
                && x.result == kenshin_atlas::audit::Outcome::Denied
                && x.detail == Right::ViewPersonal.key()
        })
        .count();
    assert_eq!(denied, 2);
    // A small count reads 「10人未満」; institutions may still be listed.
    match run(
        e,
        SearchCmd::Count {
            query: small.clone(),
        },
    ) {
        Outcome::Search(SearchReply::Count {
            count, description, ..
        }) => {
            assert_eq!(count, None, "{description}");
            assert!(description.ends_with("10人未満"), "{description}");
        }
        o => panic!("{o:?}"),
    }
    // Jump does not look for persons; a typed name is logged masked.
    match run(
        e,
        SearchCmd::Jump {
            text: "山田 太郎".into(),
        },
    ) {
        Outcome::Search(SearchReply::Jump { hits, logged_as }) => {
            assert!(
                hits.iter().all(|h| !matches!(
                    h.kind,
                    kenshin_atlas::search::jump::JumpKind::Person { .. }
                ))
            );
            assert!(logged_as.starts_with("（氏名）"), "{logged_as}");
            assert!(!logged_as.contains("山田"), "{logged_as}");
        }
        o => panic!("{o:?}"),
    }
    // Nobody is a count too: 0 reads 「10人未満」 as well.
    let nobody = Query::from_json(&insured_q(
        json!({"place": "circle", "lon": 136.5, "lat": 33.0, "radius_m": 5}),
    ))
    .unwrap();
    match run(e, SearchCmd::Count { query: nobody }) {
        Outcome::Search(SearchReply::Count { count, .. }) => assert_eq!(count, None),
        o => panic!("{o:?}"),
    }
    // A user table may hold persons: listed only with the right.
    let ut = Query::parse(r#"{"version": 1, "subject": {"user_table": "勤務先"}}"#).unwrap();
    assert!(matches!(
        run(e, SearchCmd::List { query: ut }),
        Outcome::Denied(_)
    ));
    // Institutions singled out by a small user count (withheld in their listing): refused.
    let few = Query::parse(
        r#"{"version": 1, "subject": "institutions", "fy": 2021, "where": {"field": "users", "op": "=", "value": 3}}"#,
    )
    .unwrap();
    match run(e, SearchCmd::List { query: few }) {
        Outcome::Failed(err) => assert!(err.to_string().contains("個人情報の閲覧"), "{err}"),
        o => panic!("{o:?}"),
    }
    // Back to the admin: the listing is logged with its description and row count.
    super::security::login(e, super::common::ADMIN, super::common::ADMIN_PASSWORD);
    let n = match run(
        e,
        SearchCmd::List {
            query: small.clone(),
        },
    ) {
        Outcome::Search(SearchReply::List {
            count, description, ..
        }) => {
            assert!(description.contains(&radius_text), "{description}");
            count
        }
        o => panic!("{o:?}"),
    };
    let last = e.audit.entries().unwrap().into_iter().last().unwrap();
    assert_eq!(last.action, kenshin_atlas::audit::Action::ViewPersonal);
    assert_eq!(last.rows, Some(n));
    assert!(last.detail.contains(&radius_text));
    // A person found by name: logged as 「（氏名）」, never in clear.
    let name: String = e
        .store
        .conn()
        .query_row("SELECT name FROM insured i JOIN insured_locations l USING (insured_id) WHERE l.lon IS NOT NULL LIMIT 1", [], |r| r.get(0))
        .unwrap();
    match run(e, SearchCmd::Jump { text: name.clone() }) {
        Outcome::Search(SearchReply::Jump { hits, logged_as }) => {
            assert!(
                hits.iter().any(|h| matches!(
                    h.kind,
                    kenshin_atlas::search::jump::JumpKind::Person { .. }
                ))
            );
            assert!(
                logged_as.starts_with("（氏名）") && logged_as.contains("被保険者"),
                "{logged_as}"
            );
        }
        o => panic!("{o:?}"),
    }
    let log = std::fs::read_dir(e.store.data_dir().join("audit"))
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .collect::<String>();
    assert!(!log.contains(&name), "a name reached the audit log");
}

#[test]
fn saved_searches_are_per_user_with_sharing() {
    let mut w = world().lock().unwrap_or_else(|p| p.into_inner());
    let e = as_admin(&mut w);
    super::security::login(e, super::common::ADMIN, super::common::ADMIN_PASSWORD);
    let q = Query::from_json(&insured_q(
        json!({"field": "attended", "op": "=", "value": false}),
    ))
    .unwrap();
    for (name, shared) in [("私の検索", false), ("みんなの検索", true)] {
        assert!(matches!(
            run(
                e,
                SearchCmd::Save {
                    name: name.into(),
                    query: q.clone(),
                    shared
                }
            ),
            Outcome::Search(SearchReply::Saved(_))
        ));
    }
    match run(
        e,
        SearchCmd::Rename {
            name: "私の検索".into(),
            to: "未受診".into(),
        },
    ) {
        Outcome::Search(SearchReply::Saved(l)) => {
            assert!(l.iter().any(|s| s.name == "未受診") && !l.iter().any(|s| s.name == "私の検索"))
        }
        o => panic!("{o:?}"),
    }
    match run(
        e,
        SearchCmd::Open {
            name: "未受診".into(),
        },
    ) {
        Outcome::Search(SearchReply::Opened { query, .. }) => assert_eq!(query, q),
        o => panic!("{o:?}"),
    }
    // Another user sees the shared one only, and cannot delete it.
    super::security::user_with(e, "hoka", BTreeSet::from([Right::Edit]));
    match run(e, SearchCmd::Saved) {
        Outcome::Search(SearchReply::Saved(l)) => {
            let names: Vec<&str> = l.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(names, ["みんなの検索"]);
        }
        o => panic!("{o:?}"),
    }
    assert!(matches!(
        run(
            e,
            SearchCmd::Delete {
                name: "みんなの検索".into()
            }
        ),
        Outcome::Failed(_)
    ));
    assert!(matches!(
        run(
            e,
            SearchCmd::Open {
                name: "未受診".into()
            }
        ),
        Outcome::Failed(_)
    ));
    super::security::login(e, super::common::ADMIN, super::common::ADMIN_PASSWORD);
}

#[test]
fn the_readme_examples_parse_and_run() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let section = readme
        .split("## 検索条件（JSON）")
        .nth(1)
        .expect("the README documents the query")
        .split("\n## ")
        .next()
        .unwrap();
    let blocks: Vec<&str> = section
        .split("```json")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), 4, "the shape and three examples");
    let mut w = world().lock().unwrap_or_else(|p| p.into_inner());
    let e = as_admin(&mut w);
    super::security::login(e, super::common::ADMIN, super::common::ADMIN_PASSWORD);
    for b in blocks {
        let q = Query::parse(b).unwrap_or_else(|err| panic!("{err}: {b}"));
        match run(e, SearchCmd::Keys { query: q }) {
            Outcome::Search(SearchReply::Keys { description, .. }) => {
                assert!(description.contains('：'), "{description}")
            }
            o => panic!("{b}: {o:?}"),
        }
    }
}

#[test]
fn the_command_line_prints_keys_and_counts_and_the_nearest() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let q = insured_q(
        json!({"and": [{"field": "target", "op": "=", "value": true},
                                     {"field": "attended", "op": "=", "value": false},
                                     {"place": "circle", "lon": 135.8048, "lat": 34.6851, "radius_m": 1500}]}),
    );
    let (want, nearest) = {
        let store = Store::open(&data).unwrap();
        for f in demo().summary.files.iter().filter(|f| {
            let n = f.file_name().unwrap().to_string_lossy();
            [
                "被保険者台帳",
                "位置参照情報",
                "健診結果",
                "医療機関マスタ.csv",
                "健診機関マスタ",
            ]
            .iter()
            .any(|p| n.starts_with(p))
        }) {
            let r = import_file(&store, f, &ImportOptions::default(), &Progress::new()).unwrap();
            assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
        }
        kenshin_atlas::geocode::run(&store, &Default::default(), &Progress::new()).unwrap();
        let mut e = admin_engine(store, Box::new(SystemClock));
        let want = keys_of(&mut e, q.clone());
        let nearest = match run(
            &mut e,
            SearchCmd::Nearest {
                lon: 135.8048,
                lat: 34.6851,
                n: 5,
            },
        ) {
            Outcome::Search(SearchReply::Nearest { list, .. }) => list,
            o => panic!("{o:?}"),
        };
        (want, nearest)
    };
    let file = dir.path().join("q.json");
    std::fs::write(&file, q.to_string()).unwrap();
    let pw = super::common::ADMIN_PASSWORD;
    let out = super::security::cli(
        &data,
        Some(super::common::ADMIN),
        pw,
        &["search", "--query", file.to_str().unwrap(), "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["count"].as_u64(), Some(want.len() as u64));
    let keys: BTreeSet<String> = v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, want);
    assert!(
        v["description"].as_str().unwrap().contains("半径1,500m"),
        "{v}"
    );
    assert_eq!(
        v.as_object().unwrap().len(),
        3,
        "keys, count and description only: {v}"
    );
    // Saved, listed, run by name.
    for args in [
        vec![
            "search",
            "save",
            "駅の近く",
            "--query",
            file.to_str().unwrap(),
            "--shared",
        ],
        vec!["search", "list"],
    ] {
        let out = super::security::cli(&data, Some(super::common::ADMIN), pw, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = super::security::cli(
        &data,
        Some(super::common::ADMIN),
        pw,
        &["search", "run", "駅の近く", "--json"],
    );
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["keys"], v["keys"]);
    // Nearest, as the engine answers.
    let out = super::security::cli(
        &data,
        Some(super::common::ADMIN),
        pw,
        &[
            "nearest", "--lon", "135.8048", "--lat", "34.6851", "--n", "5", "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = list.iter().map(|r| r["code"].as_str().unwrap()).collect();
    let want_codes: Vec<&str> = nearest.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(codes, want_codes);
    for k in [
        "code",
        "name",
        "address",
        "lon",
        "lat",
        "distance_m",
        "cancer_screening",
        "test_items",
    ] {
        assert!(list[0].get(k).is_some(), "{k} in {}", list[0]);
    }
    // Kept as an extraction list and shown: the same keys.
    let out = super::security::cli(
        &data,
        Some(super::common::ADMIN),
        pw,
        &[
            "extract",
            "--query",
            file.to_str().unwrap(),
            "--name",
            "駅の近くの未受診者",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = super::security::cli(
        &data,
        Some(super::common::ADMIN),
        pw,
        &["extract", "show", "駅の近くの未受診者"],
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["keys"], v["keys"]);
    assert_eq!(shown["count"], v["count"]);
    assert_eq!(shown["fy"], 2021);
    // A query file that is not one: a Japanese message naming the place.
    std::fs::write(&file, r#"{"version": 1, "subject": "insured", "fy": 2021, "where": {"field": "agee", "op": "=", "value": 1}}"#).unwrap();
    let out = super::security::cli(
        &data,
        Some(super::common::ADMIN),
        pw,
        &["search", "--query", file.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("where.field") && err.contains("agee"), "{err}");
}

#[test]
fn importing_claims_builds_the_search_index_of_their_years() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = admin_engine(Store::open(dir.path()).unwrap(), Box::new(SystemClock));
    let files: Vec<std::path::PathBuf> = files("医療レセプト管理")
        .into_iter()
        .chain(files("医療傷病名"))
        .collect();
    match e.execute(
        Command::from(kenshin_atlas::app::ImportCmd::Import {
            files,
            opts: ImportOptions::default(),
        }),
        &Progress::new(),
    ) {
        Outcome::Import(kenshin_atlas::app::ImportReply::Imported { failed, .. }) => {
            assert!(failed.is_empty(), "{failed:?}")
        }
        o => panic!("{o:?}"),
    }
    // Built at import, from the newest import: the pairs are those of the raw files.
    let conn = e.store.conn();
    let state: i64 = conn
        .query_row("SELECT max(last_import) FROM search_index_state", [], |r| {
            r.get(0)
        })
        .unwrap();
    let newest: i64 = conn
        .query_row("SELECT max(id) FROM import_history", [], |r| r.get(0))
        .unwrap();
    assert_eq!(state, newest);
    let pairs = |sql: &str| -> BTreeSet<(String, String)> {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let claims = raw_claims();
    let want: BTreeSet<(String, String)> =
        claims.iter().map(|c| (c.1.clone(), c.2.clone())).collect();
    assert_eq!(
        pairs("SELECT insured_id, institution_code FROM visit_index WHERE fy = 2021"),
        want
    );
    let diseases = raw_diseases();
    let want: BTreeSet<(String, String)> = claims
        .iter()
        .flat_map(|c| {
            diseases
                .get(&c.0)
                .into_iter()
                .flatten()
                .map(|d| (c.1.clone(), d.clone()))
        })
        .collect();
    assert!(!want.is_empty());
    assert_eq!(
        pairs("SELECT insured_id, icd10 FROM disease_index WHERE fy = 2021"),
        want
    );
}

#[test]
fn extraction_lists_are_snapshots_and_combine_as_sets() {
    use kenshin_atlas::app::domain::extract::{ExtractCmd, ExtractReply, SetOp};
    let mut w = world().lock().unwrap_or_else(|p| p.into_inner());
    let e = as_admin(&mut w);
    let ex = |e: &mut Engine, c: ExtractCmd| match e.execute(Command::from(c), &Progress::new()) {
        Outcome::Extract(ExtractReply::Made { keys, .. } | ExtractReply::Shown { keys, .. }) => {
            keys.into_iter().collect::<BTreeSet<String>>()
        }
        o => panic!("{o:?}"),
    };
    let q = |cond: serde_json::Value| Query::from_json(&insured_q(cond)).unwrap();
    let non = q(
        json!({"and": [{"field": "target", "op": "=", "value": true},
                               {"field": "attended", "op": "=", "value": false}]}),
    );
    let listed = q(json!({"field": "recommended", "op": "=", "value": true}));
    let a = ex(
        e,
        ExtractCmd::Extract {
            name: "未受診".into(),
            query: non.clone(),
        },
    );
    let b = ex(
        e,
        ExtractCmd::Extract {
            name: "勧奨リスト".into(),
            query: listed,
        },
    );
    // The same as the raw files say.
    let dates = checkup_dates();
    assert_eq!(
        a,
        raw_set(|id, p| p.target(FY) && !attended(dates.get(id), FY))
    );
    // A ∩ B, A − B, A ∪ B.
    for (op, name, want) in [
        (
            SetOp::And,
            "未受診∩勧奨",
            a.intersection(&b).cloned().collect::<BTreeSet<_>>(),
        ),
        (
            SetOp::Minus,
            "未受診−勧奨",
            a.difference(&b).cloned().collect(),
        ),
        (SetOp::Or, "未受診∪勧奨", a.union(&b).cloned().collect()),
    ] {
        let got = ex(
            e,
            ExtractCmd::Combine {
                a: "未受診".into(),
                op,
                b: "勧奨リスト".into(),
                name: name.into(),
            },
        );
        assert_eq!(got, want, "{name}");
        assert_eq!(ex(e, ExtractCmd::Show { name: name.into() }), want);
    }
    assert!(!a.intersection(&b).next().is_none());
    // A snapshot: a mark set afterwards changes a search, not the list.
    let first = a.iter().next().unwrap().clone();
    e.store
        .conn()
        .execute(
            "INSERT OR REPLACE INTO insured_marks VALUES (?, 'recommend', 'other', NULL, 'admin', now())",
            [first.as_str()],
        )
        .unwrap();
    let mut now_q = non.clone();
    now_q.cond = kenshin_atlas::search::Cond::And(vec![
        non.cond.clone(),
        kenshin_atlas::search::Cond::Not(Box::new(kenshin_atlas::search::Cond::Field(
            kenshin_atlas::search::FieldCond::new(
                "mark",
                kenshin_atlas::search::Op::Eq,
                json!("recommend"),
            ),
        ))),
    ]);
    assert!(!keys_of(e, now_q.to_json()).contains(&first));
    assert!(
        ex(
            e,
            ExtractCmd::Show {
                name: "未受診".into()
            }
        )
        .contains(&first)
    );
    // Opening is logged with its row count; a name in use is refused in Japanese.
    let last = e.audit.entries().unwrap().into_iter().last().unwrap();
    assert_eq!(last.action, kenshin_atlas::audit::Action::ViewPersonal);
    assert_eq!(last.rows, Some(a.len() as u64));
    match e.execute(
        Command::from(ExtractCmd::Extract {
            name: "未受診".into(),
            query: non,
        }),
        &Progress::new(),
    ) {
        Outcome::Failed(err) => assert!(err.to_string().contains("もう使われています"), "{err}"),
        o => panic!("{o:?}"),
    }
    // Renamed and deleted.
    for c in [
        ExtractCmd::Rename {
            name: "未受診∪勧奨".into(),
            to: "和".into(),
        },
        ExtractCmd::Delete { name: "和".into() },
    ] {
        assert!(matches!(
            e.execute(Command::from(c), &Progress::new()),
            Outcome::Extract(_)
        ));
    }
    match e.execute(Command::from(ExtractCmd::Lists), &Progress::new()) {
        Outcome::Extract(ExtractReply::Lists(l)) => {
            assert!(l.iter().all(|x| x.name != "和" && x.name != "未受診∪勧奨"));
            assert!(
                l.iter()
                    .any(|x| x.name == "未受診∩勧奨" && x.origin.contains('∩'))
            );
        }
        o => panic!("{o:?}"),
    }
}

/// 記号・番号 as the test folds it (independently of the app): full-width digits to ASCII,
/// spaces and hyphens dropped.
pub fn plain_symbol(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            ' ' | '　' | '-' | '－' | 'ー' => None,
            _ => Some(c),
        })
        .collect()
}
