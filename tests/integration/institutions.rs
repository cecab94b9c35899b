//! The institution masters merged by code and matched against the checkups: a code both
//! masters name differently takes the name of the latest import (whichever order they came
//! in), and the attribute panel says which master it came from; the checkups' codes are
//! counted against the masters in the import result and in `stats --json`.

use std::path::{Path, PathBuf};

use kenshin_atlas::import::{ImportOptions, import_file};
use kenshin_atlas::job::Progress;
use kenshin_atlas::layers::model::AttrValue;
use kenshin_atlas::map::facilities::{self, FacilityLayer};
use kenshin_atlas::store::{ImportResult, InstitutionMatch, Store};

use super::common::{ADMIN, ADMIN_PASSWORD, write_cp932};

/// Both masters have 2910000011, under different names.
const SHARED: &str = "2910000011";
const MEDICAL_NAME: &str = "甲医院";
const CHECKUP_NAME: &str = "乙健診センター";

fn medical_master(dir: &Path) -> PathBuf {
    let p = dir.join("医療機関マスタ.csv");
    write_cp932(
        &p,
        "\"医療機関コード\",\"医療機関名\",\"所在地\",\"電話番号\",\"緯度\",\"経度\"\n\
         \"2910000011\",\"甲医院\",\"奈良市登大路町30\",\"0742-00-0001\",\"34.685\",\"135.832\"\n\
         \"2910000029\",\"丙クリニック\",\"奈良市二条大路南1丁目1-1\",\"0742-00-0002\",\"34.683\",\"135.805\"\n",
    );
    p
}

/// `extra` adds a row, so that the same master can come in again as a new file.
fn checkup_master(dir: &Path, file: &str, extra: &str) -> PathBuf {
    let p = dir.join(file);
    write_cp932(
        &p,
        &format!(
            "\"健診機関コード\",\"健診機関名\",\"特定健診実施\",\"がん検診実施\"\n\
             \"2910000011\",\"乙健診センター\",\"○\",\"○\"\n\
             \"5510000001\",\"奈良県集団健診協会\",\"○\",\"×\"\n\
             \"2910000037\",\"\",\"○\",\"×\"\n{extra}"
        ),
    );
    p
}

fn import(store: &Store, file: &Path) -> kenshin_atlas::import::ImportReport {
    let r = import_file(store, file, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    r
}

/// The name and the 「名称の出典」 attribute of the shared code, as the map shows them.
fn shared_name(store: &Store) -> (String, String) {
    let list = facilities::load(store.conn(), 2021).unwrap();
    let f = list.iter().find(|f| f.code == SHARED).unwrap().clone();
    let layer = FacilityLayer::new(2021, list, 10);
    let fields = &layer.layer.index.info.fields;
    let source_ix = fields.iter().position(|f| f.name == "名称の出典").unwrap();
    let feature = layer
        .layer
        .index
        .features
        .iter()
        .find(|x| matches!(&x.attrs[0], AttrValue::Text(c) if c == SHARED))
        .unwrap();
    (f.name, feature.attrs[source_ix].display())
}

#[test]
fn the_latest_master_names_a_shared_code_in_either_order() {
    // Medical master first, checkup master last: the checkup master's name.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    import(&store, &medical_master(dir.path()));
    import(
        &store,
        &checkup_master(dir.path(), "健診機関マスタ.csv", ""),
    );
    let (name, source) = shared_name(&store);
    assert_eq!(name, CHECKUP_NAME);
    assert_eq!(
        source,
        "健診機関マスタ（最新の取込。医療機関マスタでは「甲医院」）"
    );
    // Only one master names 2910000029; the blank checkup name of 2910000037 is no name.
    let list = facilities::load(store.conn(), 2021).unwrap();
    let by_code = |c: &str| list.iter().find(|f| f.code == c).unwrap();
    assert_eq!(by_code("2910000029").name, "丙クリニック");
    assert_eq!(by_code("2910000029").name_source.label(), "医療機関マスタ");
    assert_eq!(by_code("2910000037").name, "");
    // The medical master's place and phone stay whichever name wins.
    assert_eq!(by_code(SHARED).phone, "0742-00-0001");
    assert!(by_code(SHARED).checkup && by_code(SHARED).medical);

    // The other order: the medical master's name.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    import(
        &store,
        &checkup_master(dir.path(), "健診機関マスタ.csv", ""),
    );
    import(&store, &medical_master(dir.path()));
    let (name, source) = shared_name(&store);
    assert_eq!(name, MEDICAL_NAME);
    assert_eq!(
        source,
        "医療機関マスタ（最新の取込。健診機関マスタでは「乙健診センター」）"
    );
    // A newer checkup master (a new file) names it again.
    import(
        &store,
        &checkup_master(
            dir.path(),
            "健診機関マスタ_改訂.csv",
            "\"2910000045\",\"丁健診クリニック\",\"○\",\"○\"\n",
        ),
    );
    assert_eq!(shared_name(&store).0, CHECKUP_NAME);
}

/// Checkups with 7 rows over 6 distinct codes and a blank one.
fn checkups(dir: &Path) -> PathBuf {
    let p = dir.join("健診結果_2021.csv");
    let rows = [
        ("0000000001", "2910000011"), // both masters
        ("0000000002", "2910000011"),
        ("0000000003", "2910000029"), // medical master only
        ("0000000004", "5510000001"), // 55, in the checkup master
        ("0000000005", "5599999999"), // 55, in neither
        ("0000000006", "2910000037"), // checkup master, blank name
        ("0000000007", "2919999999"), // in neither
        ("0000000008", ""),           // no code
    ];
    let mut text =
        String::from("\"被保険者ID\",\"保険者番号\",\"健診受診日\",\"年度\",\"健診機関コード\"\n");
    for (id, code) in rows {
        text += &format!("\"{id}\",\"290016\",\"2021/06/01\",\"2021\",\"{code}\"\n");
    }
    write_cp932(&p, &text);
    p
}

#[test]
fn checkup_codes_are_matched_in_the_import_result_and_stats_json() {
    let want = InstitutionMatch {
        codes: 6,
        matched: 4,
        unmatched: 2,
        starts_55: 2,
        non55_without_name: vec!["2910000037".into(), "2919999999".into()],
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let store = Store::open(&data).unwrap();
        let r = import(&store, &medical_master(dir.path()));
        // No checkups yet: nothing to match, nothing said.
        assert_eq!(r.institution_match, Some(InstitutionMatch::default()));
        assert!(!r.message.contains("健診機関コード"), "{}", r.message);
        import(
            &store,
            &checkup_master(dir.path(), "健診機関マスタ.csv", ""),
        );
        let r = import(&store, &checkups(dir.path()));
        assert_eq!(r.institution_match.as_ref(), Some(&want));
        assert!(
            r.message.contains(
                "健診機関コード 6 件のうち、医療機関マスタ・健診機関マスタにあるもの 4 件、ないもの 2 件（55 で始まる集団健診のコード 2 件）"
            ),
            "{}",
            r.message
        );
        assert!(
            r.message
                .contains("名称のないコード 2 件: 2910000037、2919999999。"),
            "{}",
            r.message
        );
    }

    // The same in `stats --json`.
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kenshin-atlas"))
            .arg("--data-dir")
            .arg(&data)
            .env("KENSHIN_PASSWORD", ADMIN_PASSWORD)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    cli(&["setup", "--admin", ADMIN]);
    let json: serde_json::Value =
        serde_json::from_str(&cli(&["--user", ADMIN, "stats", "--json"])).unwrap();
    assert_eq!(
        json["institution_match"],
        serde_json::json!({
            "codes": 6,
            "matched": 4,
            "unmatched": 2,
            "starts_55": 2,
            "non55_without_name": ["2910000037", "2919999999"],
        })
    );
}

/// Institutions the master gives no lat/lon are matched by address once, when the files
/// are imported (through the engine, as the window does), and stored: each stored point
/// lies in the municipality its address names (checked here by point-in-polygon on the
/// N03 boundaries), and the map reads them back for any fiscal year even after the
/// small-area layer that matched them is gone (nothing is matched again). Their user
/// counts under the suppression threshold are withheld from a user without 個人情報の閲覧.
#[test]
fn institutions_are_placed_by_address_once_at_import_and_read_back_from_the_store() {
    use geo::Contains;
    use kenshin_atlas::app::{ImportCmd, ImportReply, MapCmd, MapReply, Outcome};
    use kenshin_atlas::layers::bundled;
    use kenshin_atlas::map::facilities::Placement;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let mut e = super::common::admin_engine(store, Box::new(kenshin_atlas::auth::SystemClock));
    let files = super::common::demo().summary.files.clone();
    match e.execute(
        ImportCmd::Import {
            files,
            opts: ImportOptions::default(),
        },
        &Progress::new(),
    ) {
        Outcome::Import(ImportReply::Imported {
            failed, geocode, ..
        }) => {
            assert!(failed.is_empty(), "{failed:?}");
            assert!(matches!(geocode, Some(Ok(_))), "{geocode:?}");
        }
        o => panic!("{o:?}"),
    }
    let conn = e.store.conn();
    let stored: Vec<(String, f64, f64, String)> = conn
        .prepare(
            "SELECT l.institution_code, l.lon, l.lat, m.address
             FROM institution_locations l JOIN medical_institutions m ON m.code = l.institution_code
             WHERE m.lat IS NULL
             QUALIFY row_number() OVER (PARTITION BY l.institution_code ORDER BY m.import_id DESC) = 1
             ORDER BY l.institution_code",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let all: i64 = conn
        .query_row("SELECT count(*) FROM institution_locations", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        stored.len() as i64,
        all,
        "only codes without the master's lat/lon"
    );
    assert!(stored.len() > 20, "placed by address: {}", stored.len());
    // Each point is in the municipality its address names.
    let (info, munis) =
        kenshin_atlas::layers::storage::load(conn, bundled::MUNICIPALITIES).unwrap();
    let name_ix = info
        .fields
        .iter()
        .position(|f| f.name == bundled::MUNICIPALITY_NAME)
        .unwrap();
    for (code, lon, lat, address) in &stored {
        let p = geo::Point::new(*lon, *lat);
        let inside: Vec<String> = munis
            .iter()
            .filter(|f| f.geom.contains(&p))
            .map(|f| f.attrs[name_ix].display())
            .collect();
        assert!(
            inside.iter().any(|m| address.contains(m.as_str())),
            "{code} 「{address}」 placed in {inside:?}"
        );
    }
    // Read back from the store: the same points for two fiscal years, and still there
    // once the small-area layer (the address book) is deleted.
    let placed = |e: &mut kenshin_atlas::app::Engine, fy: i32| -> Vec<(String, (f64, f64))> {
        match e.execute(MapCmd::Facilities { fy }, &Progress::new()) {
            Outcome::Map(MapReply::Facilities(l)) => l
                .facilities
                .iter()
                .filter(|f| matches!(f.placement, Placement::Address(_)))
                .map(|f| (f.code.clone(), f.point.unwrap()))
                .collect(),
            o => panic!("{o:?}"),
        }
    };
    let want: Vec<(String, (f64, f64))> = stored
        .iter()
        .map(|(c, lon, lat, _)| (c.clone(), (*lon, *lat)))
        .collect();
    assert_eq!(placed(&mut e, 2021), want);
    assert_eq!(placed(&mut e, 2020), want);
    assert!(matches!(
        e.execute(
            MapCmd::DeleteLayer {
                name: bundled::SMALL_AREAS.into()
            },
            &Progress::new()
        ),
        Outcome::Map(MapReply::LayerDeleted(_))
    ));
    assert_eq!(placed(&mut e, 2021), want);

    // Users per institution: exact for 個人情報の閲覧 (the admin), and for a user without
    // it the counts from 1 to 9 (threshold 10) are withheld and read 「10人未満」.
    let truth: std::collections::HashMap<String, i64> = facilities::load(e.store.conn(), 2021)
        .unwrap()
        .into_iter()
        .map(|f| (f.code, f.users.unwrap()))
        .collect();
    let users = |e: &mut kenshin_atlas::app::Engine| -> Vec<(String, Option<i64>, String)> {
        match e.execute(MapCmd::Facilities { fy: 2021 }, &Progress::new()) {
            Outcome::Map(MapReply::Facilities(l)) => {
                let ix = facilities::FIELDS
                    .iter()
                    .position(|(n, _)| *n == "利用者数")
                    .unwrap();
                l.facilities
                    .iter()
                    .zip(&l.layer.index.features)
                    .map(|(f, feat)| (f.code.clone(), f.users, feat.attrs[ix].display()))
                    .collect()
            }
            o => panic!("{o:?}"),
        }
    };
    for (code, shown, _) in users(&mut e) {
        assert_eq!(shown, Some(truth[&code]), "{code} for the admin");
    }
    super::security::user_with(
        &mut e,
        "viewer",
        [kenshin_atlas::auth::Right::Export].into_iter().collect(),
    );
    let mut withheld = 0;
    for (code, shown, attr) in users(&mut e) {
        let n = truth[&code];
        if (1..10).contains(&n) {
            assert_eq!((shown, attr.as_str()), (None, "10人未満"), "{code}: {n}");
            withheld += 1;
        } else {
            assert_eq!((shown, attr), (Some(n), n.to_string()), "{code}");
        }
    }
    assert!(withheld > 10, "withheld: {withheld}");
}
