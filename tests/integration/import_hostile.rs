//! Hostile and damaged import files: workbooks crafted to make the reader reserve
//! terabytes, a file cut short inside a quote, a re-import that would replace a month with
//! far fewer rows, and rows that are not what they seem (a NUL byte, more fields than the
//! header, a header naming a column twice, a formula error in a mapped cell). Each is
//! refused with a Japanese message naming the file and line (the formula error is a
//! warning), and the database is left as it was.

use kenshin_atlas::app::{ImportCmd, ImportReply};
use std::io::Write;
use std::path::Path;

use kenshin_atlas::app::{Command, Outcome};
use kenshin_atlas::audit::{Action, AuditLog};
use kenshin_atlas::auth::SystemClock;
use kenshin_atlas::import::{
    FewerRows, ImportError, ImportOptions, UserTableOptions, import_file, import_user_table,
    preview, source, workbook,
};
use kenshin_atlas::job::Progress;
use kenshin_atlas::store::{ImportResult, Store};

use super::common::{ADMIN, ADMIN_PASSWORD, admin_engine, counts, write_cp932};

const INSURED_HEADER: &[&str] = &[
    "被保険者ID",
    "保険者番号",
    "記号番号",
    "氏名",
    "カナ氏名",
    "性別",
    "生年月日",
    "郵便番号",
    "住所",
    "市町村コード",
    "資格取得日",
    "資格喪失日",
];

/// An insured row (12 fields) for id `n`.
fn insured_row(n: u32) -> Vec<String> {
    [
        format!("29{n:08}"),
        "290016".into(),
        format!("奈01-{n:06}"),
        "山田 太郎".into(),
        "ヤマダ タロウ".into(),
        "1".into(),
        "S30.01.02".into(),
        "630-8213".into(),
        "奈良市登大路町３０".into(),
        "29201".into(),
        "H29.4.1".into(),
        String::new(),
    ]
    .to_vec()
}

fn quoted(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| format!("\"{f}\""))
        .collect::<Vec<_>>()
        .join(",")
}

/// An insured CSV: the header, then the rows given.
fn insured_csv(rows: &[Vec<String>]) -> String {
    let header: Vec<String> = INSURED_HEADER.iter().map(|h| h.to_string()).collect();
    let mut text = quoted(&header) + "\r\n";
    for r in rows {
        text += &(quoted(r) + "\r\n");
    }
    text
}

/// The claims header, with a last column the import does not read (often empty).
const CLAIMS_HEADER: &str = "\"レセプト番号\",\"被保険者ID\",\"保険者番号\",\"診療年月\",\"医療機関コード\",\"入外区分\",\"診療実日数\",\"決定点数\",\"備考\"";

/// A claims CSV with `n` rows for each (month YYYYMM, n).
fn claims_csv(months: &[(&str, u32)]) -> String {
    let mut text = format!("{CLAIMS_HEADER}\r\n");
    let mut id = 0u32;
    for (month, n) in months {
        for i in 0..*n {
            id += 1;
            text += &format!(
                "\"{:010}\",\"29{:08}\",\"290016\",\"{month}\",\"2910{:06}\",\"外来\",\"{}\",\"{}\",\"\"\r\n",
                1_000_000_000 + id,
                i,
                i % 50,
                1 + i % 3,
                200 + i
            );
        }
    }
    text
}

fn claims_in(store: &Store, month: &str) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT count(*) FROM claims WHERE strftime(service_month, '%Y%m') = ?",
            [month],
            |r| r.get(0),
        )
        .unwrap()
}

// ---- Hand-made workbooks --------------------------------------------------------------

/// Writes a minimal .xlsx by hand: one sheet (`sheet_xml` is its `<sheetData>` content,
/// `dimension` its declared used range) and, if given, a shared-strings part.
fn write_xlsx(path: &Path, dimension: &str, sheet_data: &str, shared_strings: Option<&str>) {
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let pkg = "http://schemas.openxmlformats.org/package/2006/relationships";
    let mut parts: Vec<(&str, String)> = vec![
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
             <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
             <Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>\
             </Types>"
                .to_string(),
        ),
        (
            "_rels/.rels",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{pkg}\">\
                 <Relationship Id=\"rId1\" Type=\"{rel}/officeDocument\" Target=\"xl/workbook.xml\"/>\
                 </Relationships>"
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{main}\" xmlns:r=\"{rel}\">\
                 <sheets><sheet name=\"台帳\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{pkg}\">\
                 <Relationship Id=\"rId1\" Type=\"{rel}/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
                 <Relationship Id=\"rId2\" Type=\"{rel}/sharedStrings\" Target=\"sharedStrings.xml\"/>\
                 </Relationships>"
            ),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{main}\" xmlns:r=\"{rel}\">\
                 <dimension ref=\"{dimension}\"/><sheetData>{sheet_data}</sheetData></worksheet>"
            ),
        ),
    ];
    if let Some(sst) = shared_strings {
        parts.push(("xl/sharedStrings.xml", sst.to_string()));
    }
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        z.start_file(name, opts).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap();
}

/// An inline-string cell.
fn s_cell(at: &str, text: &str) -> String {
    format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
}

/// A cell whose formula ended in an error: Excel keeps only the error.
fn err_cell(at: &str, error: &str) -> String {
    format!("<c r=\"{at}\" t=\"e\"><f>#REF!+1</f><v>{error}</v></c>")
}

/// A row of inline strings from column A, with other cells (column, XML) put in their
/// place: cells are written left to right, as Excel writes them.
fn row_xml(row: u32, cells: &[String], extra: &[(usize, String)]) -> String {
    let mut all: Vec<(usize, String)> = cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
        .map(|(i, c)| (i, s_cell(&format!("{}{row}", workbook::column_name(i)), c)))
        .chain(extra.iter().cloned())
        .collect();
    all.sort_by_key(|(i, _)| *i);
    let cells: String = all.into_iter().map(|(_, c)| c).collect();
    format!("<row r=\"{row}\">{cells}</row>")
}

fn insured_header_row() -> String {
    let header: Vec<String> = INSURED_HEADER.iter().map(|h| h.to_string()).collect();
    row_xml(1, &header, &[])
}

// ---- The two crashes ------------------------------------------------------------------

#[test]
fn xlsx_declaring_trillions_of_shared_strings_is_refused_not_fatal() {
    // Before the guard this aborted the process: calamine reserved uniqueCount strings
    // (5×10¹² × 24 bytes = 120 TB) when the workbook was opened.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let path = dir.path().join("共有文字列.xlsx");
    let sst = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
               <sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
               count=\"5000000000000\" uniqueCount=\"5000000000000\"><si><t>被保険者ID</t></si></sst>";
    write_xlsx(
        &path,
        "A1",
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>",
        Some(sst),
    );
    let before = counts(&store);
    let check = |e: ImportError| {
        let msg = e.to_string();
        assert!(matches!(e, ImportError::Excel { .. }), "{msg}");
        assert!(
            msg.contains("共有文字列.xlsx")
                && msg.contains("共有文字列の数が 5000000000000")
                && msg.contains("上限"),
            "{msg}"
        );
    };
    check(import_file(&store, &path, &ImportOptions::default(), &Progress::new()).unwrap_err());
    check(source::sheet_names(&path).unwrap_err());
    check(
        preview(
            &path,
            &ImportOptions::default(),
            &dir.path().join("data/profiles"),
        )
        .unwrap_err(),
    );
    check(
        import_user_table(
            &store,
            &path,
            &UserTableOptions {
                name: "独自".into(),
                ..Default::default()
            },
            &Progress::new(),
        )
        .unwrap_err(),
    );
    assert_eq!(counts(&store), before);

    // The same workbook with an honest count reads (the guard is the count, not the file).
    let sst = sst.replace("5000000000000", "1");
    write_xlsx(
        &path,
        "A1",
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>",
        Some(&sst),
    );
    assert_eq!(
        source::sheet_names(&path).unwrap(),
        vec!["台帳".to_string()]
    );
}

#[test]
fn xlsx_with_cells_at_a1_and_xfd1048576_is_read_cell_by_cell() {
    // Before the fix this aborted the process: the sheet became a dense grid of
    // 1,048,576 × 16,384 = 17 billion cells.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let path = dir.path().join("遠いセル.xlsx");
    let data = format!(
        "{}{}<row r=\"1048576\">{}</row>",
        insured_header_row(),
        row_xml(2, &insured_row(1), &[]),
        s_cell("XFD1048576", "x")
    );
    write_xlsx(&path, "A1:XFD1048576", &data, None);
    let r = import_file(&store, &path, &ImportOptions::default(), &Progress::new()).unwrap();
    // The far cell is a value under no header: the file is refused, naming it.
    assert_eq!(r.result, ImportResult::Rejected, "{}", r.message);
    assert!(
        r.message.contains("遠いセル.xlsx 1048576行目「XFD列」")
            && r.message.contains("見出しのない列"),
        "{}",
        r.message
    );
    assert_eq!(counts(&store)["insured"], 0);
    // Without the far cell the same sheet imports.
    let data = format!(
        "{}{}",
        insured_header_row(),
        row_xml(2, &insured_row(1), &[])
    );
    write_xlsx(&path, "A1:XFD1048576", &data, None);
    let r = import_file(&store, &path, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!((r.result, r.rows), (ImportResult::Ok, 1), "{}", r.message);
}

#[test]
fn xlsx_whose_used_range_is_too_large_to_fill_gets_a_japanese_error() {
    // One value at XFD1 and 3,100 rows with a value in A: held sparsely that is small, but
    // filled to the used width it would be 3,101 × 16,384 = 50.8 million cells.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let path = dir.path().join("広い.xlsx");
    let mut data = format!("<row r=\"1\">{}</row>", s_cell("XFD1", "端"));
    for r in 2..=3101 {
        data += &format!("<row r=\"{r}\">{}</row>", s_cell(&format!("A{r}"), "1"));
    }
    write_xlsx(&path, "A1:XFD3101", &data, None);
    let want_cells = 3101u64 * 16384;
    assert!(want_cells > workbook::MAX_SHEET_CELLS);
    let e = import_file(&store, &path, &ImportOptions::default(), &Progress::new()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("広い.xlsx")
            && msg.contains("使用範囲が大きすぎます")
            && msg.contains(&want_cells.to_string()),
        "{msg}"
    );
}

// ---- Legacy .xls --------------------------------------------------------------------

/// The library's own .xls writer (test support, plain Rust).
#[path = "../../crates/parse/src/xls_fixture.rs"]
#[allow(dead_code)]
mod xls_fixture;

#[test]
fn crafted_xls_files_are_refused_before_calamine_reads_them_and_a_real_one_imports() {
    use xls_fixture as x;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let before = counts(&store);
    let import = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        import_user_table(
            &store,
            &path,
            &UserTableOptions {
                name: "会場一覧".into(),
                ..Default::default()
            },
            &Progress::new(),
        )
    };
    // Each of these aborted the process (or panicked) in calamine before the check: a
    // DIMENSIONS record asking for 2³² rows, one inverted, and two cells 4.3 billion
    // cells apart. The name does not matter: an upper-case extension is an .xls too.
    let sheet = |records: Vec<Vec<u8>>| x::xls(&[("Sheet1", records.concat())]);
    let crafted = [
        (
            "巨大.xls",
            sheet(vec![
                x::dimensions(0, u32::MAX, 0, 256),
                x::label(0, 0, "会場"),
            ]),
        ),
        (
            "逆転.xls",
            sheet(vec![x::dimensions(10, 3, 0, 2), x::label(0, 0, "会場")]),
        ),
        (
            "遠いセル.XLS",
            sheet(vec![x::label(0, 0, "会場"), x::number(65535, 65535, 1.0)]),
        ),
    ];
    for (name, bytes) in &crafted {
        let e = import(name, bytes).unwrap_err().to_string();
        assert!(
            e.contains(name) && e.contains("細工されたファイル"),
            "{name}: {e}"
        );
    }
    // A sector chain that loops: broken, said so.
    let mut looped = x::xls_padded(&[("Sheet1", x::label(0, 0, "会場"))]);
    // The FAT is sector 0 (file offset 512): let the stream's first sector point to itself.
    looped[512 + 2 * 4..512 + 3 * 4].copy_from_slice(&2u32.to_le_bytes());
    let e = import("輪.xls", &looped).unwrap_err().to_string();
    assert!(e.contains("輪.xls") && e.contains("壊れています"), "{e}");
    assert_eq!(counts(&store), before, "nothing was written");

    // A real sheet: a header and three rows, in the mini stream and in ordinary sectors.
    let rows = [
        x::label(0, 0, "会場"),
        x::label(0, 1, "定員"),
        x::label(1, 0, "中央公民館"),
        x::number(1, 1, 40.0),
        x::label(2, 0, "西小学校"),
        x::number(2, 1, 30.0),
        x::label(3, 0, "東体育館"),
        x::number(3, 1, 120.0),
    ]
    .concat();
    for (name, bytes) in [
        ("会場.xls", x::xls(&[("会場", rows.clone())])),
        ("会場2.xls", x::xls_padded(&[("会場", rows.clone())])),
    ] {
        let r = import(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.rows, 3, "{name}");
    }
    let listed = kenshin_atlas::store::user_tables::list(store.conn()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].name.as_str(), listed[0].rows), ("会場一覧", 3));
}

// ---- A file cut short, and a period replaced by fewer rows ----------------------------

#[test]
fn a_claims_file_cut_at_60_percent_inside_a_quote_is_refused_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let full = dir.path().join("医療レセプト管理_202104.csv");
    write_cp932(&full, &claims_csv(&[("202104", 400)]));
    let r = import_file(&store, &full, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!((r.result, r.rows), (ImportResult::Ok, 400), "{}", r.message);

    // Cut at 60%, just after the quote that opens the (empty) last field of a line: the
    // file ends in a lone ", and the cut line still has all its fields. Before the fix
    // that line was read as complete and the cut file replaced the month.
    let bytes = std::fs::read(&full).unwrap();
    let at = (bytes.len() * 6 / 10..bytes.len())
        .find(|&i| bytes[i - 1..].starts_with(b",\"\"\r\n"))
        .unwrap();
    let cut_bytes = &bytes[..=at];
    assert_eq!(cut_bytes.last(), Some(&b'"'));
    let cut_line = cut_bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    let cut = dir.path().join("医療レセプト管理_202104_cut.csv");
    std::fs::write(&cut, cut_bytes).unwrap();
    for skip_invalid in [false, true] {
        let opts = ImportOptions {
            skip_invalid,
            ..Default::default()
        };
        let r = import_file(&store, &cut, &opts, &Progress::new()).unwrap();
        assert_eq!(r.result, ImportResult::Rejected, "{}", r.message);
        if skip_invalid {
            // The rows before the cut are good, but far fewer than the month holds.
            assert_eq!(r.fewer_rows.len(), 1, "{}", r.message);
            assert_eq!(
                (r.fewer_rows[0].before, r.fewer_rows[0].after),
                (400, cut_line as u64 - 2)
            );
        } else {
            assert!(
                r.message.contains(&format!(
                    "医療レセプト管理_202104_cut.csv {cut_line}行目: 開いた引用符"
                )) && r.message.contains("途中で切れて"),
                "{}",
                r.message
            );
        }
        assert_eq!(r.rejects[0].line, cut_line as u64);
        assert_eq!(claims_in(&store, "202104"), 400, "the month is untouched");
    }
}

#[test]
fn a_period_replaced_by_noticeably_fewer_rows_asks_first_and_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut engine = admin_engine(Store::open(&data).unwrap(), Box::new(SystemClock));
    let import =
        |engine: &mut kenshin_atlas::app::Engine, path: &Path, allow_fewer: bool| match engine
            .execute(
                Command::from(ImportCmd::Import {
                    files: vec![path.to_path_buf()],
                    opts: ImportOptions {
                        allow_fewer,
                        ..Default::default()
                    },
                }),
                &Progress::new(),
            ) {
            Outcome::Import(ImportReply::Imported { mut reports, .. }) => reports.remove(0),
            o => panic!("{o:?}"),
        };
    let full = dir.path().join("レセプト_全件.csv");
    write_cp932(&full, &claims_csv(&[("202104", 400), ("202105", 100)]));
    let r = import(&mut engine, &full, false);
    assert_eq!((r.result, r.rows), (ImportResult::Ok, 500), "{}", r.message);

    // April shrinks by 25%, May grows: only April is held back, and nothing changes.
    let short = dir.path().join("レセプト_一部.csv");
    write_cp932(&short, &claims_csv(&[("202104", 300), ("202105", 150)]));
    let r = import(&mut engine, &short, false);
    assert_eq!(r.result, ImportResult::Rejected, "{}", r.message);
    assert!(r.needs_fewer_confirmation());
    let april = FewerRows {
        insurer: "290016".into(),
        period: "2021-04".into(),
        period_label: "診療年月",
        before: 400,
        after: 300,
    };
    assert_eq!(r.fewer_rows, vec![april.clone()]);
    assert!(
        r.message
            .contains("保険者 290016 の診療年月 2021-04（400 行 → 300 行）")
            && r.message.contains("--allow-fewer"),
        "{}",
        r.message
    );
    assert_eq!(
        (
            claims_in(&engine.store, "202104"),
            claims_in(&engine.store, "202105")
        ),
        (400, 100)
    );

    // Exactly 5% fewer is not "noticeably" fewer: replaced without asking.
    let five = dir.path().join("レセプト_5%減.csv");
    write_cp932(&five, &claims_csv(&[("202104", 380)]));
    let r = import(&mut engine, &five, false);
    assert_eq!(
        (r.result, r.replaced),
        (ImportResult::Ok, 400),
        "{}",
        r.message
    );
    assert!(r.fewer_rows.is_empty());

    // Confirmed: April goes from 380 to 300, May from 100 to 150.
    let r = import(&mut engine, &short, true);
    assert_eq!((r.result, r.rows), (ImportResult::Ok, 450), "{}", r.message);
    assert_eq!(
        r.fewer_rows,
        vec![FewerRows {
            before: 380,
            ..april
        }]
    );
    assert_eq!(
        (
            claims_in(&engine.store, "202104"),
            claims_in(&engine.store, "202105")
        ),
        (300, 150)
    );

    // Both the refusal and the confirmed replacement are in the audit log, with counts.
    let imports: Vec<_> = engine
        .audit
        .entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == Action::Import)
        .collect();
    let refused = imports
        .iter()
        .find(|e| e.detail.starts_with("fewer_rows_refused"))
        .expect("the refusal is logged");
    assert_eq!(refused.result, kenshin_atlas::audit::Outcome::Error);
    assert!(
        refused.detail.contains("290016 2021-04 400→300"),
        "{}",
        refused.detail
    );
    let allowed = imports
        .iter()
        .find(|e| e.detail.starts_with("fewer_rows_allowed"))
        .expect("the confirmed replacement is logged");
    assert_eq!(allowed.result, kenshin_atlas::audit::Outcome::Ok);
    assert!(
        allowed.detail.contains("290016 2021-04 380→300"),
        "{}",
        allowed.detail
    );
}

#[test]
fn the_cli_refuses_fewer_rows_unless_allow_fewer_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(admin_engine(
        Store::open(&data).unwrap(),
        Box::new(SystemClock),
    ));
    let cli = |args: &[&str], file: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kenshin-atlas"))
            .arg("--data-dir")
            .arg(&data)
            .args(["--user", ADMIN, "import"])
            .arg(file)
            .args(args)
            .env("KENSHIN_PASSWORD", ADMIN_PASSWORD)
            .output()
            .unwrap()
    };
    let full = dir.path().join("full.csv");
    write_cp932(&full, &claims_csv(&[("202104", 200)]));
    let o = cli(&[], &full);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let short = dir.path().join("short.csv");
    write_cp932(&short, &claims_csv(&[("202104", 120)]));
    let o = cli(&[], &short);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("200 行 → 120 行") && err.contains("--allow-fewer"),
        "{err}"
    );
    let o = cli(&["--allow-fewer"], &short);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let store = Store::open(&data).unwrap();
    assert_eq!(claims_in(&store, "202104"), 120);
    let details: Vec<String> = AuditLog::open(&data)
        .unwrap()
        .entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == Action::Import)
        .map(|e| e.detail)
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d == "fewer_rows_refused: short.csv: 290016 2021-04 200→120"),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d == "fewer_rows_allowed: short.csv: 290016 2021-04 200→120"),
        "{details:?}"
    );
}

// ---- Rows that are not what they seem -------------------------------------------------

/// Imports `text` as a CP932 CSV named `name` into an empty store; the report and the
/// store.
fn import_csv(dir: &Path, name: &str, text: &str) -> (kenshin_atlas::import::ImportReport, Store) {
    let store = Store::open(&dir.join(format!("data-{name}"))).unwrap();
    let path = dir.join(name);
    write_cp932(&path, text);
    let r = import_file(&store, &path, &ImportOptions::default(), &Progress::new()).unwrap();
    (r, store)
}

#[test]
fn a_nul_byte_in_a_field_is_an_error_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = vec![insured_row(1), insured_row(2), insured_row(3)];
    rows[1][3] = "山田\0花子".into();
    let (r, store) = import_csv(dir.path(), "nul.csv", &insured_csv(&rows));
    assert_eq!(r.result, ImportResult::Rejected, "{}", r.message);
    assert!(
        r.message.contains("nul.csv 3行目「氏名」") && r.message.contains("NUL 文字"),
        "{}",
        r.message
    );
    assert_eq!(counts(&store)["insured"], 0);
}

#[test]
fn a_row_with_more_fields_than_the_header_is_an_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    // A good row with one field too many (before the fix, the extra field was ignored).
    let mut long = insured_row(2);
    long.push("余分".into());
    let (r, store) = import_csv(
        dir.path(),
        "長い.csv",
        &insured_csv(&[insured_row(1), long, insured_row(3)]),
    );
    assert_eq!(r.result, ImportResult::Rejected, "{}", r.message);
    assert!(
        r.message
            .contains("長い.csv 3行目: 列の数が多すぎます（見出しは 12 列、この行は 13 列）"),
        "{}",
        r.message
    );
    assert_eq!(counts(&store)["insured"], 0);
    let mut text = insured_csv(&[insured_row(1), insured_row(2)]);
    // An address with an unquoted comma: every field after it moves one to the right.
    let mut shifted = insured_row(3);
    shifted[8] = "奈良市登大路町\",\"３０".into();
    text += &(quoted(&shifted) + "\r\n");
    let (r, store) = import_csv(dir.path(), "ずれ.csv", &text);
    assert_eq!(r.result, ImportResult::Rejected, "{}", r.message);
    assert!(
        r.message
            .contains("ずれ.csv 4行目: 列の数が多すぎます（見出しは 12 列、この行は 13 列）"),
        "{}",
        r.message
    );
    assert_eq!(counts(&store)["insured"], 0);
}

#[test]
fn a_header_naming_a_column_twice_is_an_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut header: Vec<String> = INSURED_HEADER.iter().map(|h| h.to_string()).collect();
    header.push("氏名".into());
    let mut text = "\"帳票名\",\"被保険者台帳\"\r\n".to_string() + &quoted(&header) + "\r\n";
    let mut row = insured_row(1);
    row.push("別の氏名".into());
    text += &(quoted(&row) + "\r\n");
    let (r, store) = import_csv(dir.path(), "二重.csv", &text);
    assert_eq!(r.result, ImportResult::Rejected, "{}", r.message);
    assert!(
        r.message
            .contains("二重.csv 2行目: 見出し「氏名」が 4列目 と 13列目 の二つにあります"),
        "{}",
        r.message
    );
    assert_eq!(counts(&store)["insured"], 0);
    // The preview says so too.
    let p = preview(
        &dir.path().join("二重.csv"),
        &ImportOptions::default(),
        &dir.path().join("data-二重.csv/profiles"),
    )
    .unwrap();
    assert!(p.problem.unwrap_or_default().contains("氏名"));
}

#[test]
fn a_formula_error_in_a_mapped_cell_is_a_warning_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let path = dir.path().join("数式.xlsx");
    let mut header: Vec<String> = INSURED_HEADER.iter().map(|h| h.to_string()).collect();
    header.push("備考".into());
    let mut data = row_xml(1, &header, &[]);
    data += &row_xml(2, &insured_row(1), &[]);
    // Row 3: 郵便番号 (H) lost to #REF!; row 4: #DIV/0! under 備考, which is not imported.
    let mut r3 = insured_row(2);
    r3[7] = String::new();
    data += &row_xml(3, &r3, &[(7, err_cell("H3", "#REF!"))]);
    data += &row_xml(4, &insured_row(3), &[(12, err_cell("M4", "#DIV/0!"))]);
    write_xlsx(&path, "A1:M4", &data, None);
    let r = import_file(&store, &path, &ImportOptions::default(), &Progress::new()).unwrap();
    assert_eq!((r.result, r.rows), (ImportResult::Ok, 3), "{}", r.message);
    let lost: Vec<&String> = r
        .warnings
        .iter()
        .filter(|w| w.contains("数式のエラー"))
        .collect();
    assert_eq!(lost.len(), 1, "{:?}", r.warnings);
    assert!(
        lost[0].contains("数式.xlsx 3行目「郵便番号」（セル H3）: 数式のエラー #REF!")
            && lost[0].contains("空欄ではありません"),
        "{}",
        lost[0]
    );
    let postal: Option<String> = store
        .conn()
        .query_row(
            "SELECT postal_code FROM insured WHERE insured_id = '2900000002'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(postal, None);
}
