//! Generate the `small` demo set, import every file, and compare with `truth.json`.

use kenshin_atlas::analysis::uptake::{Level, uptake};
use kenshin_atlas::demo::truth::Truth;
use kenshin_atlas::import::{ImportOptions, import_file};
use kenshin_atlas::job::Progress;
use kenshin_atlas::store::{ImportResult, Store};

use super::common::{counts, demo};

#[test]
fn demo_imports_and_matches_truth() {
    let demo = demo();
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    for f in &demo.summary.files {
        let r = import_file(&store, f, &ImportOptions::default(), &Progress::new()).unwrap();
        assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    }
    // truth.json on disk is what the generator returned.
    let dir = demo.summary.files[0].parent().unwrap();
    let truth: Truth =
        serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap();
    let tables = counts(&store);
    for (table, n) in &truth.counts {
        assert_eq!(
            tables.get(table).copied(),
            Some(*n as i64),
            "rows of {table}"
        );
    }
    assert!(
        truth.counts["insured"] > 8000,
        "small scale has a few % of 300k insured"
    );
    // The 合計 row under the insured register is not data.
    // Uptake per municipality per FY, computed with SQL, equals the generator's.
    let mut total_t = 0;
    let mut total_a = 0;
    for fy in 2017..=2021 {
        let rows = uptake(store.conn(), Level::Municipality, fy).unwrap();
        assert_eq!(rows.len(), 39);
        for r in &rows {
            let t = truth
                .uptake
                .iter()
                .find(|u| u.code == r.code && u.fy == fy)
                .unwrap();
            assert_eq!(
                (r.targets as u64, r.attendees as u64),
                (t.targets, t.attendees),
                "{} {fy}",
                r.name
            );
            total_t += r.targets;
            total_a += r.attendees;
        }
    }
    let overall = total_a as f64 / total_t as f64;
    assert!((0.28..0.42).contains(&overall), "overall uptake {overall}");

    // Every import recorded the file's sha256, also those hashed while they were read.
    let imports = store.imports().unwrap();
    for path in &demo.summary.files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let rec = imports.iter().find(|i| i.file == name).unwrap();
        assert_eq!(
            rec.sha256,
            kenshin_atlas::import::sha256_file(path).unwrap(),
            "{name}"
        );
    }

    // Importing the same file again is detected and skipped.
    let insured = demo.file("被保険者台帳.csv");
    let before = counts(&store);
    let r = import_file(
        &store,
        &insured,
        &ImportOptions::default(),
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(r.result, ImportResult::Skipped);
    assert_eq!(counts(&store), before);

    // Re-importing a period (a changed file for the same months) replaces, never duplicates.
    let claims = demo
        .summary
        .files
        .iter()
        .find(|f| f.to_string_lossy().contains("医療レセプト管理_"))
        .unwrap();
    let changed = data.path().join("claims_again.csv");
    let mut bytes = std::fs::read(claims).unwrap();
    bytes.extend_from_slice(b"\r\n");
    std::fs::write(&changed, bytes).unwrap();
    let r = import_file(
        &store,
        &changed,
        &ImportOptions::default(),
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    assert_eq!(r.replaced, r.rows);
    assert_eq!(counts(&store), before);
}

#[test]
fn generator_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let opts = kenshin_atlas::demo::DemoOptions {
        scale: kenshin_atlas::demo::Scale::Small,
        seed: 7,
        months: 1,
        reference_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference"),
        claims_only: false,
    };
    let a = kenshin_atlas::demo::generate(&dir.path().join("a"), &opts, &Progress::new()).unwrap();
    let b = kenshin_atlas::demo::generate(&dir.path().join("b"), &opts, &Progress::new()).unwrap();
    for (fa, fb) in a.files.iter().zip(&b.files) {
        if fa.extension().is_some_and(|e| e == "xlsx") {
            continue; // xlsx embeds a creation time
        }
        assert_eq!(
            std::fs::read(fa).unwrap(),
            std::fs::read(fb).unwrap(),
            "{}",
            fa.display()
        );
    }
    // The files are CP932 with CRLF, and the register starts with report lines.
    let bytes = std::fs::read(
        a.files
            .iter()
            .find(|f| f.ends_with("被保険者台帳.csv"))
            .unwrap(),
    )
    .unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "not UTF-8");
    assert!(bytes.windows(2).any(|w| w == b"\r\n"));
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    assert!(text.starts_with("\"帳票名\",\"被保険者台帳\""));
    assert!(text.contains("\"合計\""));
}
