//! Boundary layers: the real N03 and e-Stat files import with no editing (counts, Japanese
//! attributes, bboxes), a zone VI shapefile round-trips within a millimetre, bad shapefile
//! sets are refused with their reason and change nothing, hostile files written here
//! (impossible coordinates, a wrong `.cpg`, a `.dbf` header that lies) are refused saying
//! what to choose, and the map's municipality choropleth carries exactly the uptake of
//! `truth.json`.

use std::path::{Path, PathBuf};

use kenshin_atlas::analysis::figures::area_table;
use kenshin_atlas::analysis::uptake::Level;
use kenshin_atlas::geo::crs::Crs;
use kenshin_atlas::layers::{
    AttrValue, LayerError, LayerOptions, ReadError, bundled, import_layer, storage,
};
use kenshin_atlas::map::choropleth::{self, ChoroplethSpec};
use kenshin_atlas::store::Store;

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference")
}

fn text(a: &AttrValue) -> String {
    a.display()
}

#[test]
fn real_n03_and_estat_files_import_intact() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let n03 = import_layer(
        &store,
        &reference().join("municipalities/N03-21_29_210101.shp"),
        &LayerOptions::default(),
    )
    .unwrap();
    assert_eq!(
        (
            n03.feature_count,
            n03.source_crs.as_str(),
            n03.encoding.as_deref()
        ),
        (39, "JGD2011 経緯度 (EPSG:6668)", Some("Shift_JIS (CP932)"))
    );
    let b = n03.bbox;
    assert!(
        (b[0] - 135.5397).abs() < 1e-3
            && (b[1] - 33.8616).abs() < 1e-3
            && (b[2] - 136.2290).abs() < 1e-3
            && (b[3] - 34.7775).abs() < 1e-3,
        "{b:?}"
    );
    let (_, feats) = storage::load(store.conn(), &n03.name).unwrap();
    let name_ix = n03.fields.iter().position(|f| f.name == "N03_004").unwrap();
    let code_ix = n03.fields.iter().position(|f| f.name == "N03_007").unwrap();
    let nara = feats
        .iter()
        .find(|f| text(&f.attrs[code_ix]) == "29201")
        .unwrap();
    assert_eq!(text(&nara.attrs[name_ix]), "奈良市");
    assert!(feats.iter().any(|f| text(&f.attrs[name_ix]) == "十津川村"));

    // The e-Stat small areas: 3,162 records, 3,079 KEY_CODEs after dissolving, populations summed.
    let raw = import_layer(
        &store,
        &reference().join("smallareas/h27ka29.shp"),
        &LayerOptions {
            name: Some("raw".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(raw.feature_count, 3162);
    let sa = import_layer(
        &store,
        &reference().join("smallareas/h27ka29.shp"),
        &LayerOptions {
            dissolve: Some("KEY_CODE".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        (sa.feature_count, sa.source_crs.as_str()),
        (3079, "JGD2000 経緯度 (EPSG:4612)")
    );
    let (_, feats) = storage::load(store.conn(), "h27ka29").unwrap();
    let ix = |n: &str| sa.fields.iter().position(|f| f.name == n).unwrap();
    let pop: i64 = feats
        .iter()
        .map(|f| {
            if let AttrValue::Int(p) = f.attrs[ix("JINKO")] {
                p
            } else {
                0
            }
        })
        .sum();
    assert_eq!(
        pop, 1_364_316,
        "the 2015 population of Nara, summed over the dissolved areas"
    );
    let hiramatsu = feats
        .iter()
        .find(|f| text(&f.attrs[ix("KEY_CODE")]) == "29201539004")
        .unwrap();
    assert_eq!(text(&hiramatsu.attrs[ix("MOJI")]), "平松４丁目");
    // Stations from GeoJSON.
    let st = import_layer(
        &store,
        &reference().join("stations.geojson"),
        &LayerOptions::default(),
    )
    .unwrap();
    assert_eq!(st.feature_count, 143);
    let listed: Vec<String> = storage::list(store.conn())
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(listed, ["N03-21_29_210101", "raw", "h27ka29", "stations"]);
}

/// Writes the N03 municipalities as a shapefile in 平面直角 zone VI with a `.prj`, then
/// imports it back and compares every vertex with the original lon/lat.
#[test]
fn a_zone_vi_shapefile_round_trips_within_a_millimetre() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let src = kenshin_atlas::layers::read_file(
        &reference().join("municipalities/N03-21_29_210101.shp"),
        &LayerOptions::default(),
    )
    .unwrap();
    let zone6 = Crs::from_epsg(6674).unwrap();
    let shp = dir.path().join("zone6.shp");
    let polys: Vec<shapefile::Polygon> = src
        .features
        .iter()
        .map(|f| {
            let geo::Geometry::MultiPolygon(m) = &f.geom else {
                panic!("polygon layer")
            };
            let rings =
                m.0.iter()
                    .map(|p| {
                        shapefile::PolygonRing::Outer(
                            p.exterior()
                                .0
                                .iter()
                                .map(|c| {
                                    let (x, y) = zone6.from_lonlat(c.x, c.y).unwrap();
                                    shapefile::Point::new(x, y)
                                })
                                .collect(),
                        )
                    })
                    .collect();
            shapefile::Polygon::with_rings(rings)
        })
        .collect();
    let table = dbase::TableWriterBuilder::new().add_character_field("CODE".try_into().unwrap(), 5);
    let mut w = shapefile::Writer::from_path(&shp, table).unwrap();
    for (p, f) in polys.iter().zip(&src.features) {
        let mut rec = dbase::Record::default();
        rec.insert(
            "CODE".into(),
            dbase::FieldValue::Character(Some(f.attrs[4].display())),
        );
        w.write_shape_and_record(p, &rec).unwrap();
    }
    drop(w);
    std::fs::write(dir.path().join("zone6.prj"), r#"PROJCS["JGD_2011_Japan_Zone_6",GEOGCS["GCS_JGD_2011",DATUM["D_JGD_2011",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["Central_Meridian",136.0],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",36.0],UNIT["Meter",1.0]]"#).unwrap();
    let info = import_layer(&store, &shp, &LayerOptions::default()).unwrap();
    assert_eq!(
        info.source_crs,
        "JGD2011 / 平面直角座標系 第VI系 (EPSG:6674)"
    );
    let (_, back) = storage::load(store.conn(), "zone6").unwrap();
    let mut worst: f64 = 0.0;
    for (a, b) in src.features.iter().zip(&back) {
        let (geo::Geometry::MultiPolygon(ma), geo::Geometry::MultiPolygon(mb)) = (&a.geom, &b.geom)
        else {
            panic!()
        };
        // The shapefile writer may reverse ring order to clockwise; compare as sets of points.
        for (pa, pb) in ma.0.iter().zip(&mb.0) {
            let ca = &pa.exterior().0;
            let cb = &pb.exterior().0;
            assert_eq!(ca.len(), cb.len());
            for c in ca {
                let d = cb
                    .iter()
                    .map(|q| kenshin_atlas::geo::distance::haversine_m((c.x, c.y), (q.x, q.y)))
                    .fold(f64::INFINITY, f64::min);
                worst = worst.max(d);
            }
        }
    }
    assert!(worst < 0.001, "worst vertex error {worst} m");
}

fn copy_set(dir: &Path, stem: &str) -> PathBuf {
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        std::fs::copy(
            reference().join(format!("municipalities/N03-21_29_210101.{ext}")),
            dir.join(format!("{stem}.{ext}")),
        )
        .unwrap();
    }
    dir.join(format!("{stem}.shp"))
}

#[test]
fn bad_shapefile_sets_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let before = storage::list(store.conn()).unwrap().len();
    let cases: Vec<(&str, Box<dyn Fn(&Path)>, &str)> = vec![
        (
            "no_shx",
            Box::new(|p: &Path| std::fs::remove_file(p.with_extension("shx")).unwrap()),
            ".shx）ファイル「no_shx.shx」がありません",
        ),
        (
            "no_dbf",
            Box::new(|p: &Path| std::fs::remove_file(p.with_extension("dbf")).unwrap()),
            "属性（.dbf）ファイル「no_dbf.dbf」がありません",
        ),
        (
            "truncated",
            Box::new(|p: &Path| {
                let b = std::fs::read(p).unwrap();
                std::fs::write(p, &b[..b.len() / 2]).unwrap();
            }),
            "途中で切れています",
        ),
        (
            "count",
            Box::new(|p: &Path| {
                // Drop the last index entry: .shx says 38, .dbf 39.
                let mut b = std::fs::read(p.with_extension("shx")).unwrap();
                b.truncate(b.len() - 8);
                let words = (b.len() / 2) as i32;
                b[24..28].copy_from_slice(&words.to_be_bytes());
                std::fs::write(p.with_extension("shx"), b).unwrap();
            }),
            "件数が合いません（.shx は 38 件、.dbf は 39 件）",
        ),
        (
            "unknown_prj",
            Box::new(|p: &Path| {
                std::fs::write(
                    p.with_extension("prj"),
                    r#"PROJCS["NAD83 / UTM zone 10N",GEOGCS["NAD83"]]"#,
                )
                .unwrap()
            }),
            "座標系（.prj）を判別できません",
        ),
    ];
    for (stem, damage, want) in cases {
        let shp = copy_set(dir.path(), stem);
        damage(&shp);
        let err = import_layer(&store, &shp, &LayerOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{stem}: {err}");
        assert!(
            err.contains(stem),
            "{stem}: the message names the file: {err}"
        );
    }
    // No .prj: refused with the guess, and --crs makes it import.
    let shp = copy_set(dir.path(), "no_prj");
    std::fs::remove_file(shp.with_extension("prj")).unwrap();
    let err = import_layer(&store, &shp, &LayerOptions::default()).unwrap_err();
    assert!(
        matches!(&err, LayerError::Read(ReadError::NoCrs { guess: Some((c, _)), .. }) if c.epsg() == 6668),
        "{err}"
    );
    assert!(err.to_string().contains("--crs 6668"), "{err}");
    assert_eq!(
        storage::list(store.conn()).unwrap().len(),
        before,
        "nothing was stored"
    );
    let ok = import_layer(
        &store,
        &shp,
        &LayerOptions {
            crs: Some(Crs::from_epsg(6668).unwrap()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ok.feature_count, 39);
    // A second import under the same name is refused unless replacing.
    assert!(matches!(
        import_layer(
            &store,
            &shp,
            &LayerOptions {
                crs: ok_crs(),
                ..Default::default()
            }
        ),
        Err(LayerError::Exists(_))
    ));
    assert!(
        import_layer(
            &store,
            &shp,
            &LayerOptions {
                crs: ok_crs(),
                replace: true,
                ..Default::default()
            }
        )
        .is_ok()
    );
    assert_eq!(storage::list(store.conn()).unwrap().len(), before + 1);
}

fn ok_crs() -> Option<Crs> {
    Crs::from_epsg(6668).ok()
}

#[test]
fn municipality_choropleth_equals_truth() {
    let demo = super::common::demo();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    for f in &demo.summary.files {
        if f.to_string_lossy().contains("医療") {
            continue; // claims are not needed for uptake
        }
        let r = kenshin_atlas::import::import_file(
            &store,
            f,
            &Default::default(),
            &kenshin_atlas::job::Progress::new(),
        )
        .unwrap();
        assert!(r.is_success(), "{}", r.message);
    }
    let layers = kenshin_atlas::map::load_layers(&store, &reference()).unwrap();
    let (_, munis) = layers.find(bundled::MUNICIPALITIES).unwrap();
    let codes = munis.index.column_text(bundled::MUNICIPALITY_CODE).unwrap();
    for fy in 2017..=2021 {
        // A threshold of 1 suppresses only municipalities without targets (an empty
        // area gives nothing away, so no other is hidden with it).
        let table = area_table(
            store.conn(),
            Level::Municipality,
            fy,
            Default::default(),
            1,
            false,
        )
        .unwrap();
        let spec = ChoroplethSpec::default();
        let rows = table.rows();
        let ch = choropleth::build(
            &choropleth::rows_values(rows.clone(), spec.measure),
            &codes,
            &spec,
        );
        for ((code, value), colour) in codes.iter().zip(&ch.values).zip(&ch.colors) {
            assert!(value.is_some(), "{code} has a value");
            let row = rows
                .iter()
                .find(|r| &r.code == code)
                .unwrap_or_else(|| panic!("{code} has a row"));
            let t = demo
                .summary
                .truth
                .uptake
                .iter()
                .find(|u| &u.code == code && u.fy == fy)
                .unwrap();
            if t.targets == 0 {
                assert!(row.suppressed && colour.is_none(), "{code} FY{fy}");
                continue;
            }
            assert_eq!(
                (row.targets, row.attendees),
                (Some(t.targets as i64), Some(t.attendees as i64)),
                "{code} FY{fy}"
            );
            assert!(colour.is_some(), "{code} FY{fy} is classed");
        }
    }
    // The medical-area layer covers the 5 areas.
    let (_, areas) = layers.find(bundled::MEDICAL_AREAS).unwrap();
    assert_eq!(areas.index.features.len(), 5);
}

// Hostile layer files: each class of impossible input gets a fixture written here, is
// refused with a message that names the file and the feature, says what looks wrong and
// what to choose, and stores nothing.

const JGD2011_PRJ: &str = r#"GEOGCS["GCS_JGD_2011",DATUM["D_JGD_2011",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
const ZONE6_PRJ: &str = r#"PROJCS["JGD_2011_Japan_Zone_6",GEOGCS["GCS_JGD_2011",DATUM["D_JGD_2011",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["Central_Meridian",136.0],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",36.0],UNIT["Meter",1.0]]"#;
/// 奈良市 and 桜井市 in CP932.
const NARA_SJIS: &[u8] = b"\x93\xde\x97\xc7\x8e\x73";
const SAKURAI_SJIS: &[u8] = b"\x8d\xf7\x88\xe4\x8e\x73";

/// A dBase III table of character fields, written byte by byte as the format describes
/// (not by the crate the reader uses): (name, width) and each row's already encoded values.
fn dbf_bytes(fields: &[(&str, u8)], rows: &[Vec<&[u8]>]) -> Vec<u8> {
    let record_len = 1 + fields.iter().map(|f| f.1 as usize).sum::<usize>();
    let header_len = 32 + 32 * fields.len() + 1;
    let mut b = vec![0u8; 32];
    b[0] = 0x03;
    b[1..4].copy_from_slice(&[125, 4, 1]); // last update: 2025-04-01
    b[4..8].copy_from_slice(&(rows.len() as u32).to_le_bytes());
    b[8..10].copy_from_slice(&(header_len as u16).to_le_bytes());
    b[10..12].copy_from_slice(&(record_len as u16).to_le_bytes());
    for (name, width) in fields {
        let mut d = [0u8; 32];
        d[..name.len()].copy_from_slice(name.as_bytes());
        d[11] = b'C';
        d[16] = *width;
        b.extend_from_slice(&d);
    }
    b.push(0x0D);
    for row in rows {
        b.push(b' ');
        for (v, (_, width)) in row.iter().zip(fields) {
            let mut cell = v.to_vec();
            cell.resize(*width as usize, b' ');
            b.extend_from_slice(&cell);
        }
    }
    b.push(0x1A);
    b
}

/// A one-field table (NAME) with a plain ASCII name per feature.
fn names_dbf(n: usize) -> Vec<u8> {
    let names: Vec<String> = (1..=n).map(|i| format!("area{i}")).collect();
    let rows: Vec<Vec<&[u8]>> = names.iter().map(|s| vec![s.as_bytes()]).collect();
    dbf_bytes(&[("NAME", 20)], &rows)
}

/// Writes `stem`.shp/.shx with `shapes`, the `.dbf` bytes, and a `.prj`/`.cpg` when given.
fn write_set<S: shapefile::record::EsriShape>(
    dir: &Path,
    stem: &str,
    shapes: &[S],
    dbf: &[u8],
    prj: Option<&str>,
    cpg: Option<&str>,
) -> PathBuf {
    let shp = dir.join(format!("{stem}.shp"));
    // Writes the shapes, then the headers (with the bbox and length).
    shapefile::ShapeWriter::from_path(&shp)
        .unwrap()
        .write_shapes(shapes)
        .unwrap();
    std::fs::write(shp.with_extension("dbf"), dbf).unwrap();
    if let Some(p) = prj {
        std::fs::write(shp.with_extension("prj"), p).unwrap();
    }
    if let Some(c) = cpg {
        std::fs::write(shp.with_extension("cpg"), c).unwrap();
    }
    shp
}

/// A closed polygon through `pts` (x, y).
fn polygon(pts: &[(f64, f64)]) -> shapefile::Polygon {
    shapefile::Polygon::new(shapefile::PolygonRing::Outer(
        pts.iter()
            .map(|&(x, y)| shapefile::Point::new(x, y))
            .collect(),
    ))
}

/// A square of side `d` with its lower left corner at (x, y).
fn square(x: f64, y: f64, d: f64) -> shapefile::Polygon {
    polygon(&[(x, y), (x, y + d), (x + d, y + d), (x + d, y), (x, y)])
}

fn refused(store: &Store, path: &Path, opts: &LayerOptions) -> String {
    match import_layer(store, path, opts) {
        Ok(info) => panic!(
            "{} was imported ({} features, bbox {:?})",
            path.display(),
            info.feature_count,
            info.bbox
        ),
        Err(e) => e.to_string(),
    }
}

#[test]
fn impossible_coordinates_are_refused_with_what_to_choose() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let d = dir.path();
    let ok = square(135.80, 34.68, 0.01);
    // Nara in zone VI metres: about 16 km west and 150 km south of the origin.
    let metres = square(-16_000.0, -150_000.0, 1_000.0);
    let cases: Vec<(PathBuf, Vec<&str>)> = vec![
        (
            write_set(
                d,
                "nan_vertex",
                &[
                    ok.clone(),
                    polygon(&[
                        (135.8, 34.6),
                        (f64::NAN, 34.7),
                        (135.9, 34.7),
                        (135.8, 34.6),
                    ]),
                ],
                &names_dbf(2),
                Some(JGD2011_PRJ),
                None,
            ),
            vec!["2件目の図形の 2 点目の座標が数値ではありません（x=NaN, y=34.7）"],
        ),
        (
            write_set(
                d,
                "infinite_point",
                &[
                    shapefile::Point::new(135.8, 34.68),
                    shapefile::Point::new(f64::INFINITY, 34.68),
                ],
                &names_dbf(2),
                Some(JGD2011_PRJ),
                None,
            ),
            vec!["2件目の図形の 1 点目の座標が数値ではありません（x=inf"],
        ),
        (
            write_set(
                d,
                "swapped",
                &[square(34.68, 135.80, 0.01)],
                &names_dbf(1),
                Some(JGD2011_PRJ),
                None,
            ),
            vec![
                "1件目の図形の点（x=34.6",
                "緯度が 135.8",
                "経度と緯度が入れ替わっていないか確認してください",
            ],
        ),
        (
            write_set(
                d,
                "paris",
                &[ok.clone(), square(2.35, 48.85, 0.01)],
                &names_dbf(2),
                Some(JGD2011_PRJ),
                None,
            ),
            vec![
                "2件目の図形の点（x=2.3",
                "日本の範囲（経度 122〜154 度、緯度 20〜46 度）の外です",
                "JGD2011 経緯度 (EPSG:6668)",
            ],
        ),
        (
            write_set(
                d,
                "metres_in_degrees",
                &[metres.clone()],
                &names_dbf(1),
                Some(JGD2011_PRJ),
                None,
            ),
            vec![
                "1件目の図形の点（x=-1",
                "平面直角座標系",
                "座標系に JGD2011 / 平面直角座標系 第VI系 (EPSG:6674) を選んでください（--crs 6674",
            ],
        ),
        (
            write_set(
                d,
                "degrees_in_zone6",
                &[ok.clone(), square(135.70, 34.50, 0.01)],
                &names_dbf(2),
                Some(ZONE6_PRJ),
                None,
            ),
            vec![
                "すべての図形の座標（x 135.7〜135.81、y 34.5〜34.69）が度（経度・緯度）の値なのに",
                "座標系は JGD2011 / 平面直角座標系 第VI系 (EPSG:6674)（メートル単位）",
                "座標系に JGD2011 経緯度 (EPSG:6668) を選んでください（--crs 6668",
            ],
        ),
        (
            write_set(
                d,
                "thin_ring",
                &[
                    ok.clone(),
                    polygon(&[(135.8, 34.6), (135.9, 34.6), (135.8, 34.6)]),
                ],
                &names_dbf(2),
                Some(JGD2011_PRJ),
                None,
            ),
            vec!["2件目の図形に 3 点しかない輪があります", "4 点以上必要です"],
        ),
    ];
    for (shp, wants) in &cases {
        let err = refused(&store, shp, &LayerOptions::default());
        let stem = shp.file_stem().unwrap().to_string_lossy();
        assert!(err.starts_with(&format!("{stem}.shp: ")), "{err}");
        for want in wants {
            assert!(err.contains(want), "{stem}: wants «{want}» in {err}");
        }
    }
    assert!(
        storage::list(store.conn()).unwrap().is_empty(),
        "nothing was stored"
    );
    // The refusal carries the CRS it names, for the import window to preselect.
    for (stem, epsg) in [
        ("degrees_in_zone6", Some(6668)),
        ("metres_in_degrees", Some(6674)),
        ("swapped", None),
        ("paris", None),
    ] {
        match import_layer(
            &store,
            &d.join(format!("{stem}.shp")),
            &LayerOptions::default(),
        ) {
            Err(LayerError::Read(ReadError::Coordinates { suggest, .. })) => {
                assert_eq!(suggest.map(|c| c.epsg()), epsg, "{stem}")
            }
            other => panic!("{stem}: {other:?}"),
        }
    }

    // The CRS each refusal named imports the file where it belongs: near Nara.
    for (stem, epsg) in [("degrees_in_zone6", 6668), ("metres_in_degrees", 6674)] {
        let info = import_layer(
            &store,
            &d.join(format!("{stem}.shp")),
            &LayerOptions {
                crs: Some(Crs::from_epsg(epsg).unwrap()),
                ..Default::default()
            },
        )
        .unwrap();
        let b = info.bbox;
        assert!(
            b[0] > 135.5 && b[2] < 136.0 && b[1] > 34.4 && b[3] < 34.8,
            "{stem}: {b:?}"
        );
    }
    // Choosing a CRS does not get past the check either: zone VI over degrees.
    let err = refused(
        &store,
        &d.join("swapped.shp"),
        &LayerOptions {
            crs: Some(Crs::from_epsg(6674).unwrap()),
            name: Some("again".into()),
            ..Default::default()
        },
    );
    assert!(err.contains("緯度が 135.8"), "{err}");
    assert!(err.contains("--crs 6668"), "{err}");
}

#[test]
fn geojson_coordinates_get_the_same_checks() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let fc = |crs: &str, geoms: &[&str]| {
        let feats: Vec<String> = geoms
            .iter()
            .map(|g| format!(r#"{{"type":"Feature","properties":{{}},"geometry":{g}}}"#))
            .collect();
        format!(
            r#"{{"type":"FeatureCollection",{crs}"features":[{}]}}"#,
            feats.join(",")
        )
    };
    let point = r#"{"type":"Point","coordinates":[135.8,34.68]}"#;
    let zone6 = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::6674"}},"#;
    let cases = [
        (
            "swapped",
            fc(
                "",
                &[point, r#"{"type":"Point","coordinates":[34.68,135.8]}"#],
            ),
            vec![
                "2件目",
                "緯度が 135.8 です。経度と緯度が入れ替わっていないか確認してください",
            ],
        ),
        (
            "new_york",
            fc("", &[r#"{"type":"Point","coordinates":[-74.0,40.7]}"#]),
            vec![
                "1件目",
                "日本の範囲（経度 122〜154 度、緯度 20〜46 度）の外です",
            ],
        ),
        (
            "thin_ring",
            fc(
                "",
                &[r#"{"type":"Polygon","coordinates":[[[135.8,34.6],[135.9,34.6],[135.8,34.6]]]}"#],
            ),
            vec!["1件目の図形に 3 点しかない輪があります"],
        ),
        (
            "short_line",
            fc(
                "",
                &[r#"{"type":"LineString","coordinates":[[135.8,34.6]]}"#],
            ),
            vec!["1件目の図形に 1 点しかない線があります"],
        ),
        (
            "degrees_in_zone6",
            fc(zone6, &[point]),
            vec!["度（経度・緯度）の値なのに", "--crs 6668"],
        ),
    ];
    for (stem, text, wants) in &cases {
        let path = dir.path().join(format!("{stem}.geojson"));
        std::fs::write(&path, text).unwrap();
        let err = refused(&store, &path, &LayerOptions::default());
        assert!(err.starts_with(&format!("{stem}.geojson: ")), "{err}");
        for want in wants {
            assert!(err.contains(want), "{stem}: wants «{want}» in {err}");
        }
    }
    assert!(storage::list(store.conn()).unwrap().is_empty());
}

#[test]
fn a_cpg_that_does_not_decode_is_refused_naming_the_one_that_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let d = dir.path();
    let shapes = [square(135.80, 34.68, 0.01), square(135.84, 34.52, 0.01)];
    let sjis = dbf_bytes(&[("NAME", 20)], &[vec![NARA_SJIS], vec![SAKURAI_SJIS]]);
    let shp = write_set(
        d,
        "cpg_utf8",
        &shapes,
        &sjis,
        Some(JGD2011_PRJ),
        Some("UTF-8\r\n"),
    );
    let err = refused(&store, &shp, &LayerOptions::default());
    for want in [
        "cpg_utf8.shp: ",
        "文字コードファイル「cpg_utf8.cpg」は UTF-8 ですが、属性ファイル「cpg_utf8.dbf」は UTF-8 として読めません（1件目の「NAME」）",
        "Shift_JIS (CP932) なら読めます",
        "--encoding cp932",
    ] {
        assert!(err.contains(want), "wants «{want}» in {err}");
    }
    // The encoding it offered reads the names.
    let info = import_layer(
        &store,
        &shp,
        &LayerOptions {
            encoding: Some(kenshin_atlas::import::TextEncoding::Cp932),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(info.encoding.as_deref(), Some("Shift_JIS (CP932)"));
    let (_, feats) = storage::load(store.conn(), "cpg_utf8").unwrap();
    let names: Vec<String> = feats.iter().map(|f| text(&f.attrs[0])).collect();
    assert_eq!(names, ["奈良市", "桜井市"]);

    // The other way round: a .cpg saying CP932 over UTF-8 text.
    let utf8 = dbf_bytes(
        &[("NAME", 20)],
        &[vec!["奈良市".as_bytes()], vec!["桜井市".as_bytes()]],
    );
    let shp = write_set(
        d,
        "cpg_sjis",
        &shapes,
        &utf8,
        Some(JGD2011_PRJ),
        Some("CP932"),
    );
    let err = refused(&store, &shp, &LayerOptions::default());
    assert!(
        err.contains("「cpg_sjis.cpg」は Shift_JIS (CP932) としていますが")
            && err.contains("UTF-8 なら読めます")
            && err.contains("--encoding utf8"),
        "{err}"
    );
    // Without a .cpg each is detected.
    for (stem, bytes, want) in [
        ("auto_sjis", &sjis, "奈良市"),
        ("auto_utf8", &utf8, "奈良市"),
    ] {
        let shp = write_set(d, stem, &shapes, bytes, Some(JGD2011_PRJ), None);
        import_layer(&store, &shp, &LayerOptions::default()).unwrap();
        let (_, feats) = storage::load(store.conn(), stem).unwrap();
        assert_eq!(text(&feats[0].attrs[0]), want, "{stem}");
    }
}

#[test]
fn a_dbf_whose_header_lies_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let d = dir.path();
    let shapes = [square(135.80, 34.68, 0.01), square(135.84, 34.52, 0.01)];
    let good = dbf_bytes(
        &[("CODE", 5), ("NAME", 20)],
        &[vec![b"29201", NARA_SJIS], vec![b"29206", SAKURAI_SJIS]],
    );
    // Two descriptors: the header is 32 + 2 × 32 + 1 = 97 bytes, a record 1 + 5 + 20 = 26.
    assert_eq!((good[8], good[10]), (97, 26));
    let patch = |at: usize, v: u16| {
        let mut b = good.clone();
        b[at..at + 2].copy_from_slice(&v.to_le_bytes());
        b
    };
    let cases = [
        (
            "header_long",
            patch(8, 129),
            "属性ファイル「header_long.dbf」のヘッダー長が項目の定義と合いません（ヘッダーでは 129 バイト、2 項目の定義からは 97 バイト）",
        ),
        (
            "header_short",
            patch(8, 65),
            "ヘッダーでは 65 バイト、2 項目の定義からは 97 バイト",
        ),
        (
            "record_long",
            patch(10, 40),
            "1 件の長さが項目の定義と合いません（ヘッダーでは 40 バイト、2 項目の長さの合計と削除フラグで 26 バイト）",
        ),
    ];
    for (stem, dbf, want) in &cases {
        let shp = write_set(d, stem, &shapes, dbf, Some(JGD2011_PRJ), Some("CP932"));
        let err = refused(&store, &shp, &LayerOptions::default());
        assert!(err.starts_with(&format!("{stem}.shp: ")), "{err}");
        assert!(err.contains(want), "{stem}: wants «{want}» in {err}");
    }
    assert!(storage::list(store.conn()).unwrap().is_empty());
    // The true header reads both fields.
    let shp = write_set(
        d,
        "honest",
        &shapes,
        &good,
        Some(JGD2011_PRJ),
        Some("CP932"),
    );
    import_layer(&store, &shp, &LayerOptions::default()).unwrap();
    let (_, feats) = storage::load(store.conn(), "honest").unwrap();
    let rows: Vec<(String, String)> = feats
        .iter()
        .map(|f| (text(&f.attrs[0]), text(&f.attrs[1])))
        .collect();
    assert_eq!(
        rows,
        [
            ("29201".to_string(), "奈良市".to_string()),
            ("29206".to_string(), "桜井市".to_string())
        ]
    );
}
