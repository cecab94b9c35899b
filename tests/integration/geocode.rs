//! 住所照合 on the demo data: the insured are placed at 街区 level (≥ 99%), small-area
//! uptake agrees with where the generator put each person, and the many writings of one
//! address (quirks list) land on the same block.

use kenshin_atlas::analysis::uptake::{Level, uptake};
use kenshin_atlas::demo::truth::Truth;
use kenshin_atlas::geocode::{self, GeocodeOptions, Geocoder, MatchLevel};
use kenshin_atlas::import::{ImportOptions, import_file};
use kenshin_atlas::job::Progress;
use kenshin_atlas::store::{ImportResult, Store};

use super::common::demo;

fn reference_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference")
}

fn options() -> GeocodeOptions {
    GeocodeOptions {
        reference_dir: reference_dir(),
        ..Default::default()
    }
}

/// A store with the insured, the address points and the checkups of the demo.
fn store_with_people() -> (tempfile::TempDir, Store) {
    let demo = demo();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for f in demo.summary.files.iter().filter(|f| {
        let n = f.file_name().unwrap().to_string_lossy();
        n.starts_with("被保険者台帳") || n.starts_with("位置参照情報") || n.starts_with("健診結果")
    }) {
        let r = import_file(&store, f, &ImportOptions::default(), &Progress::new()).unwrap();
        assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    }
    (dir, store)
}

#[test]
fn insured_are_placed_and_small_area_uptake_matches_truth() {
    let (_dir, store) = store_with_people();
    let report = geocode::run(&store, &options(), &Progress::new()).unwrap();
    let insured = demo().summary.truth.counts["insured"];
    assert_eq!(report.total.total(), insured);
    assert_eq!(report.rows.len(), 39);
    assert!(
        report.total.block_rate() >= 0.99,
        "街区 share {:.4}",
        report.total.block_rate()
    );
    // The register slips the generator writes (town left out) are listed, never guessed.
    assert!(
        report.total.none > 0,
        "the demo has a few unplaceable addresses"
    );
    let unmatched = geocode::unmatched(store.conn(), 10_000).unwrap();
    assert_eq!(
        unmatched.len() as u64,
        report.total.total() - report.total.block
    );
    assert!(
        unmatched
            .iter()
            .all(|u| u.level == MatchLevel::None && !u.address.is_empty())
    );

    // Small-area uptake: a person is counted where the generator put them, or left out
    // when their address could not be placed; never in another area.
    let truth: &Truth = &demo().summary.truth;
    for fy in [2017, 2021] {
        let rows = uptake(store.conn(), Level::SmallArea, fy).unwrap();
        assert_eq!(rows.len(), 3079);
        let (mut app_t, mut true_t, mut misplaced) = (0i64, 0u64, 0i64);
        for t in truth.small_area_uptake.iter().filter(|t| t.fy == fy) {
            true_t += t.targets;
        }
        for r in &rows {
            let t = truth
                .small_area_uptake
                .iter()
                .find(|t| t.fy == fy && t.code == r.code)
                .map_or((0, 0), |t| (t.targets as i64, t.attendees as i64));
            app_t += r.targets;
            misplaced += (r.targets - t.0).max(0) + (r.attendees - t.1).max(0);
        }
        assert_eq!(
            misplaced, 0,
            "FY{fy}: nobody is counted in an area they do not live in"
        );
        assert!(
            app_t as f64 >= 0.99 * true_t as f64,
            "FY{fy}: {app_t} of {true_t} targets placed"
        );
        // The municipality level is not affected by matching.
        let munis: i64 = uptake(store.conn(), Level::Municipality, fy)
            .unwrap()
            .iter()
            .map(|r| r.targets)
            .sum();
        assert_eq!(munis as u64, true_t);
    }
}

#[test]
fn every_writing_of_one_address_lands_on_its_block() {
    let (_dir, store) = store_with_people();
    kenshin_atlas::layers::bundled::ensure(&store, &reference_dir()).unwrap();
    let (book, index, key_field) = geocode::load_book(store.conn(), &options()).unwrap();
    let g = Geocoder {
        book: &book,
        polygons: &index,
        key_field,
    };
    // A block of a 丁目 town in 奈良市, straight from the reference.
    let (oaza, block): (String, String) = store
        .conn()
        .query_row(
            "SELECT oaza, block FROM address_points WHERE city_name = '奈良市' AND oaza LIKE '%丁目' ORDER BY oaza, block LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let (stem, chome) = geocode::address::split_chome(&oaza);
    let chome = chome.unwrap();
    let full = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_digit() || c == '-' {
                    char::from_u32(c as u32 + 0xFEE0).unwrap()
                } else {
                    c
                }
            })
            .collect()
    };
    let kanji = kenshin_atlas::demo::population::kanji_number;
    let forms = [
        format!("奈良県奈良市{stem}{chome}丁目{block}番5号"),
        format!("奈良市 {stem} {}丁目 {block}-5", kanji(chome)),
        full(&format!("奈良市{stem}{chome}丁目{block}-5")),
        format!("奈良市{stem}{chome}-{block}-5 メゾン奈良101号"),
        // No municipality in the text: the register's code is used.
        format!("{stem}{}丁目{block}番地の5", kanji(chome)),
    ];
    let first = g.locate(&forms[0], "29201");
    assert_eq!(first.level, MatchLevel::Block, "{}", forms[0]);
    assert!(
        first
            .key_code
            .as_deref()
            .is_some_and(|k| k.starts_with("29201"))
    );
    for f in &forms[1..] {
        let loc = g.locate(f, "29201");
        assert_eq!(
            (loc.level, &loc.key_code, loc.point),
            (first.level, &first.key_code, first.point),
            "{f}"
        );
    }

    // 芝辻町 is four small areas in 奈良市: with no known block it is ambiguous, with the
    // candidates recorded.
    let loc = g.locate("奈良市芝辻町9999番地", "29201");
    assert_eq!(loc.level, MatchLevel::Ambiguous);
    assert_eq!(loc.candidates.len(), 4, "{:?}", loc.candidates);
    // A town named once, with a block the reference does not have: placed by name.
    let loc = g.locate("奈良市北向町9999番地", "29201");
    assert_eq!(
        (loc.level, loc.key_code.as_deref()),
        (MatchLevel::Town, Some("292012140"))
    );
    // Nothing to go on.
    assert_eq!(
        g.locate("奈良市どこにもない町1番地", "29201").level,
        MatchLevel::None
    );
    assert_eq!(g.locate("", "29201").level, MatchLevel::None);
}
