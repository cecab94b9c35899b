//! Bad and unusual input: encodings, a truncated file, a bad date on a known line, a cancel
//! mid-import, an Excel sheet with a title row, and user tables. Every refusal leaves the
//! database exactly as it was.

use kenshin_atlas::import::{
    ImportOptions, Kind, UserTableOptions, import_file, import_user_table,
};
use kenshin_atlas::job::Progress;
use kenshin_atlas::store::{ImportResult, Store};

use super::common::{counts, demo, write_cp932};

const INSURED_HEADER: &str = "\"被保険者ID\",\"保険者番号\",\"記号番号\",\"氏名\",\"カナ氏名\",\"性別\",\"生年月日\",\"郵便番号\",\"住所\",\"市町村コード\",\"資格取得日\",\"資格喪失日\"";

fn insured_rows() -> String {
    [
        "\"2900000001\",\"290016\",\"奈01-000001\",\"髙橋　﨑子\",\"ﾀｶﾊｼ ｻｷｺ\",\"2\",\"S22.05.03\",\"630-8213\",\"奈良市登大路町３０\",\"29201\",\"H29.4.1\",\"\"",
        "\"2900000002\",\"290016\",\"奈01-000002\",\"山田　太郎\",\"ヤマダ タロウ\",\"1\",\"昭和30年1月2日\",\"630-8213\",\"奈良県奈良市二条大路南１丁目1-1\",\"29201\",\"R030401\",\"令和4年4月1日\"",
        "\"2900000003\",\"290016\",\"奈01-000003\",\"佐藤　花子\",\"サトウ ハナコ\",\"女\",\"4310401\",\"\",\"奈良市西大寺国見町一丁目２番３号 メゾン101号\",\"29201\",\"44287\",\"-\"",
    ]
    .join("\r\n")
}

#[test]
fn cp932_and_utf8_bom_files_import_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let sjis = dir.path().join("台帳_sjis.csv");
    write_cp932(
        &sjis,
        &format!(
            "\"帳票名\",\"被保険者台帳\"\r\n\r\n{INSURED_HEADER}\r\n{}\r\n\"合計\",\"3件\"\r\n",
            insured_rows()
        ),
    );
    let r = import_file(&store, &sjis, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    assert_eq!(
        (r.kind, r.encoding, r.rows, r.total_rows_dropped),
        (Some("insured"), Some("Shift_JIS (CP932)"), 3, 1)
    );
    let name: String = store
        .conn()
        .query_row(
            "SELECT name FROM insured WHERE insured_id = '2900000001'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Text is stored width-folded (the ideographic space becomes ASCII) so that names and
    // addresses match across files whatever their source wrote.
    assert_eq!(name, "髙橋 﨑子");
    let kana: String = store
        .conn()
        .query_row(
            "SELECT kana_name FROM insured WHERE insured_id = '2900000001'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kana, "タカハシ サキコ");
    let (birth, acq): (String, String) = store
        .conn()
        .query_row("SELECT CAST(birth_date AS VARCHAR), CAST(acquired_date AS VARCHAR) FROM insured WHERE insured_id = '2900000003'", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((birth.as_str(), acq.as_str()), ("2019-04-01", "2021-04-01"));

    // The same rows in UTF-8 with a BOM (as Excel saves) replace them by key.
    let utf8 = dir.path().join("台帳_utf8.csv");
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(format!("{INSURED_HEADER}\r\n{}\r\n", insured_rows()).into_bytes());
    std::fs::write(&utf8, bytes).unwrap();
    let r = import_file(&store, &utf8, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!(
        (r.result, r.encoding, r.rows, r.replaced),
        (ImportResult::Ok, Some("UTF-8"), 3, 3),
        "{}",
        r.message
    );
    assert_eq!(counts(&store)["insured"], 3);
}

#[test]
fn bad_date_on_line_n_names_it_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let good = dir.path().join("good.csv");
    write_cp932(
        &good,
        &format!("{INSURED_HEADER}\r\n{}\r\n", insured_rows()),
    );
    import_file(&store, &good, &ImportOptions::default(), &Progress::new()).unwrap();
    let before = counts(&store);
    // Line 1 is a report line, 2 blank, 3 the header; the bad date is on line 6.
    let bad = dir.path().join("bad.csv");
    let rows = insured_rows()
        .replace("\"4310401\"", "\"R03.13.01\"")
        .replace("2900000003", "2900000009");
    write_cp932(
        &bad,
        &format!(
            "\"帳票名\",\"被保険者台帳\"\r\n\r\n{INSURED_HEADER}\r\n{}\r\n",
            rows.replace("2900000001", "2900000007")
                .replace("2900000002", "2900000008")
        ),
    );
    let r = import_file(&store, &bad, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!(r.result, ImportResult::Rejected);
    assert!(
        r.message
            .contains("bad.csv 6行目「生年月日」: 値「R03.13.01」"),
        "{}",
        r.message
    );
    assert_eq!(counts(&store), before, "the database is unchanged");
    // The rejects are kept in the database, tied to that import.
    let rejects = store.rejects(r.import_id.unwrap()).unwrap();
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].line, 6);

    // With skip_invalid the two good rows go in and the bad one is recorded.
    let r = import_file(
        &store,
        &bad,
        &ImportOptions {
            skip_invalid: true,
            ..Default::default()
        },
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(
        (r.result, r.rows, r.rejected),
        (ImportResult::Ok, 2, 1),
        "{}",
        r.message
    );
    assert_eq!(store.rejects(r.import_id.unwrap()).unwrap().len(), 1);
    assert_eq!(counts(&store)["insured"], 5);
}

#[test]
fn truncated_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let full = format!("{INSURED_HEADER}\r\n{}\r\n", insured_rows());
    let bytes = kenshin_atlas::import::encoding::encode_cp932(&full).unwrap();
    let cut = dir.path().join("cut.csv");
    std::fs::write(&cut, &bytes[..bytes.len() - 60]).unwrap();
    let r = import_file(&store, &cut, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!(r.result, ImportResult::Rejected, "{}", r.message);
    assert!(r.message.contains("4行目"), "{}", r.message);
    assert!(r.message.contains("途中で切れて"), "{}", r.message);
    assert_eq!(counts(&store)["insured"], 0);
}

/// Row count and checksum of every table but the import history (which records the
/// attempt).
fn table_sums(store: &Store) -> String {
    let mut sums = kenshin_atlas::backup::manifest::table_sums(store.conn()).unwrap();
    assert!(sums.remove("import_history").is_some());
    format!("{sums:?}")
}

#[test]
fn cancel_mid_import_leaves_the_database_unchanged() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let demo = demo();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let procs = demo
        .summary
        .files
        .iter()
        .find(|f| f.to_string_lossy().contains("医療摘要_"))
        .unwrap();
    // Data first, among it the same months of the same kind, which the cancelled import
    // would replace.
    let mut first_rows = 0;
    for f in [
        &demo.file("保険者情報.csv"),
        &demo.file("被保険者台帳.csv"),
        procs,
    ] {
        let r = import_file(&store, f, &ImportOptions::default(), &Progress::new()).unwrap();
        assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
        first_rows = r.rows;
    }
    assert!(
        first_rows > 3 * 2048,
        "the file spans several chunks: {first_rows}"
    );
    let before = table_sums(&store);
    // A new file for the same months, cancelled once more than a full chunk of checked
    // rows has gone to the database (the feed reports "N 行を検査・取込中" after handing a
    // chunk over; the first chunk holds the rows read with the header).
    let again = dir.path().join("医療摘要_再提出.csv");
    let mut bytes = std::fs::read(procs).unwrap();
    bytes.extend_from_slice(b"\r\n");
    std::fs::write(&again, bytes).unwrap();
    let progress = Progress::new();
    let at = Arc::new(AtomicU64::new(0));
    let seen = at.clone();
    progress.cancel_when(move |_, message| {
        let rows = message
            .strip_suffix(" 行を検査・取込中")
            .and_then(|m| m.rsplit(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
        let enough = rows > 2048;
        if enough {
            let _ = seen.compare_exchange(0, rows, Ordering::SeqCst, Ordering::SeqCst);
        }
        enough
    });
    let r = import_file(&store, &again, &ImportOptions::default(), &progress).unwrap();
    assert_eq!(r.result, ImportResult::Cancelled, "{}", r.message);
    let written = at.load(Ordering::SeqCst);
    assert!(
        written > 2048 && written < first_rows,
        "cancelled mid-import, after {written} of {first_rows} rows"
    );
    // Every table as before: counts and checksums.
    assert_eq!(table_sums(&store), before);
    // The history records the attempt as cancelled, with no rows.
    let last = store.imports().unwrap().last().unwrap().clone();
    assert_eq!(last.file, "医療摘要_再提出.csv");
    assert_eq!(last.result, ImportResult::Cancelled);
    assert_eq!(last.rows, 0);
    // And the same file still imports afterwards (a cancelled attempt is not a duplicate),
    // replacing the rows of its months.
    let r = import_file(&store, &again, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    assert_eq!((r.rows, r.replaced), (first_rows, first_rows));
}

#[test]
fn xlsx_with_title_row_imports() {
    let demo = demo();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let r = import_file(
        &store,
        &demo.file("医療機関マスタ.xlsx"),
        &ImportOptions::default(),
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(
        (r.result, r.kind),
        (ImportResult::Ok, Some("medical_institutions")),
        "{}",
        r.message
    );
    assert_eq!(
        r.rows as u64,
        demo.summary.truth.counts["medical_institutions"]
    );
    // The CSV of the same master upserts by code.
    let r = import_file(
        &store,
        &demo.file("医療機関マスタ.csv"),
        &ImportOptions::default(),
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(r.replaced, r.rows);
    assert_eq!(
        counts(&store)["medical_institutions"] as u64,
        demo.summary.truth.counts["medical_institutions"]
    );
}

#[test]
fn user_table_from_excel_header_on_row_3() {
    let demo = demo();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let opts = UserTableOptions {
        name: "医療機関一覧".into(),
        header_row: Some(3),
        ..Default::default()
    };
    let r = import_user_table(
        &store,
        &demo.file("医療機関マスタ.xlsx"),
        &opts,
        &Progress::new(),
    )
    .unwrap();
    // The note under the table (after an empty row) is not data.
    assert_eq!(
        r.rows as u64,
        demo.summary.truth.counts["medical_institutions"]
    );
    assert_eq!(
        r.columns[0],
        ("医療機関コード".to_string(), "BIGINT".to_string())
    );
    assert_eq!(
        store.stats().unwrap().user_tables["医療機関一覧"] as u64,
        r.rows
    );
    // A forced kind that does not fit is refused with the missing columns named.
    let csv = demo.file("健診機関マスタ.csv");
    let r = import_file(
        &store,
        &csv,
        &ImportOptions {
            kind: Some(Kind::Claims),
            ..Default::default()
        },
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(r.result, ImportResult::Rejected);
    assert!(r.message.contains("見出し行"), "{}", r.message);
}

#[test]
fn a_file_of_a_known_size_but_new_content_is_imported_with_its_own_hash() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let first = dir.path().join("台帳1.csv");
    write_cp932(
        &first,
        &format!("{INSURED_HEADER}\r\n{}\r\n", insured_rows()),
    );
    let r = import_file(&store, &first, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!(r.result, ImportResult::Ok, "{}", r.message);
    // The same size, one digit different: hashed before reading (a size seen before), and
    // imported because the hash is new.
    let second = dir.path().join("台帳2.csv");
    let text =
        format!("{INSURED_HEADER}\r\n{}\r\n", insured_rows()).replace("630-8213", "630-8214");
    write_cp932(&second, &text);
    assert_eq!(
        std::fs::metadata(&first).unwrap().len(),
        std::fs::metadata(&second).unwrap().len()
    );
    let r = import_file(&store, &second, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!((r.result, r.rows), (ImportResult::Ok, 3), "{}", r.message);
    let imports = store.imports().unwrap();
    for (path, name) in [(&first, "台帳1.csv"), (&second, "台帳2.csv")] {
        let rec = imports.iter().find(|i| i.file == name).unwrap();
        assert_eq!(
            rec.sha256,
            kenshin_atlas::import::sha256_file(path).unwrap(),
            "{name}"
        );
    }
    let postal: String = store
        .conn()
        .query_row(
            "SELECT postal_code FROM insured WHERE insured_id = '2900000001'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(postal, "630-8214");
    // And the second file again is skipped.
    let r = import_file(&store, &second, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!(r.result, ImportResult::Skipped, "{}", r.message);
}
