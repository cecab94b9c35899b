//! 出力 (issue 15) on the demo data, with the real readers: calamine for the .xlsx,
//! LibreOffice headless for .xlsx and .pptx, pdfinfo/pdffonts/pdftotext/pdftoppm for the
//! PDF, ogrinfo for the shapefile in both encodings and in a plane zone; the CSV read back
//! against the Excel file; the 医療費等分析システム連携 preset against the raw register;
//! refusals (no 外部出力, a folder outside the allowed ones, a removable drive without its
//! right, personal data without the right or the confirmation) on the engine and the CLI,
//! and every export's sha256 in the audit log against `sha256sum`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command as Proc;

use calamine::{Data, Reader, Xlsx};
use kenshin_atlas::analysis::uptake::Level;
use kenshin_atlas::app::domain::export::{
    ExportCmd, ExportDone, ExportJob, ExportReply, Format, Preset, What,
};
use kenshin_atlas::app::domain::extract::{ExtractCmd, ExtractReply};
use kenshin_atlas::app::domain::marks::MarkCmd;
use kenshin_atlas::app::{AdminOp, Command, Engine, Outcome};
use kenshin_atlas::audit::{Action, Outcome as R};
use kenshin_atlas::auth::{Right, SystemClock};
use kenshin_atlas::export::Encoding;
use kenshin_atlas::job::Progress;
use kenshin_atlas::search::Query;
use kenshin_atlas::store::marks::{MarkKind, NewMark, Reason};
use serde_json::json;

use super::common::{ADMIN, ADMIN_PASSWORD, admin_engine, demo, demo_store};
use super::security::{USER_PASSWORD, admin_op, cli, login, user_with};

const LIST: &str = "未受診2021";
/// A comment a spreadsheet would run, with a character CP932 lacks.
const NOTE: &str = "=HYPERLINK(\"http://example.invalid\",\"𠮷\")";

fn exec(e: &mut Engine, c: impl Into<Command>) -> Outcome {
    e.execute(c.into(), &Progress::new())
}

/// The demo imported and placed, the list of FY2021 non-attenders, and one of them marked
/// with [`NOTE`]; returns the engine (admin logged in) and the list's keys.
fn setup(root: &Path) -> (Engine, Vec<String>) {
    let store = demo_store(root);
    let mut e = admin_engine(store, Box::new(SystemClock));
    let query = Query::from_json(&json!({"version": 1, "subject": "insured", "fy": 2021,
        "where": {"and": [{"field": "target", "op": "=", "value": true},
                          {"field": "attended", "op": "=", "value": false}]}}))
    .unwrap();
    let keys = match exec(
        &mut e,
        ExtractCmd::Extract {
            name: LIST.into(),
            query,
        },
    ) {
        Outcome::Extract(ExtractReply::Made { keys, .. }) => keys,
        o => panic!("{o:?}"),
    };
    assert!(keys.len() > 50, "{}", keys.len());
    let o = exec(
        &mut e,
        MarkCmd::Set {
            ids: vec![keys[0].clone()],
            mark: Some(NewMark {
                mark: MarkKind::Recommend,
                reason: Reason::Other,
                note: Some(NOTE.into()),
            }),
        },
    );
    assert!(matches!(o, Outcome::Mark(_)), "{o:?}");
    (e, keys)
}

/// [`setup`] in a new folder, with an empty `out` folder beside the data.
fn start() -> (tempfile::TempDir, Engine, Vec<String>, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let (e, keys) = setup(root.path());
    let out = root.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    (root, e, keys, out)
}

fn export(e: &mut Engine, job: ExportJob) -> Result<ExportDone, String> {
    match exec(e, ExportCmd::Write(Box::new(job))) {
        Outcome::Export(ExportReply::Done(d)) => Ok(d),
        Outcome::Failed(err) => Err(err.to_string()),
        Outcome::Denied(m) => Err(m),
        o => panic!("{o:?}"),
    }
}

fn job(what: What, format: Format, out: PathBuf) -> ExportJob {
    ExportJob::new(what, format, out)
}

fn list_job(format: Format, out: PathBuf) -> ExportJob {
    let mut j = job(What::Extract(LIST.into()), format, out);
    j.confirm_personal = true;
    j
}

fn uptake(level: Level) -> What {
    What::Uptake { level, fy: 2021 }
}

/// Runs a reader; its stdout, or a panic with its stderr.
fn reader(program: &str, args: &[&str]) -> String {
    let out = Proc::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is missing ({e}); .ci/run installs it"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The first sheet's rows as calamine reads them.
fn sheet(path: &Path, index: usize) -> (String, Vec<Vec<Data>>) {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let name = wb.sheet_names()[index].clone();
    let range = wb.worksheet_range(&name).unwrap();
    (name, range.rows().map(|r| r.to_vec()).collect())
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => kenshin_atlas::export::table::format_float(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "○" } else { "" }.to_string(),
        // Days since 1899-12-30 (Excel's serial dates).
        Data::DateTime(d) => (chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()
            + chrono::Duration::days(d.as_f64() as i64))
        .format("%Y-%m-%d")
        .to_string(),
        other => other.to_string(),
    }
}

#[test]
fn tables_keep_their_types_read_back_equal_and_formulas_stay_inert() {
    let (_root, mut e, keys, out) = start();

    // Personal data: refused without the confirmation, nothing written.
    let unconfirmed = job(What::Extract(LIST.into()), Format::Xlsx, out.join("a.xlsx"));
    let err = export(&mut e, unconfirmed).unwrap_err();
    assert!(err.contains("個人情報"), "{err}");
    assert!(!out.join("a.xlsx").exists());

    // Excel: one row per member; ids stay text, ages are numbers, the note is a string
    // exactly as typed (no apostrophe: Excel never evaluates a string cell).
    let xlsx = out.join("list.xlsx");
    let done = export(&mut e, list_job(Format::Xlsx, xlsx.clone())).unwrap();
    assert!(done.personal);
    assert_eq!(done.rows, keys.len());
    let (name, rows) = sheet(&xlsx, 0);
    assert_eq!(name, LIST);
    let header: Vec<String> = rows[0].iter().map(cell_text).collect();
    let at = |h: &str| {
        header
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("{h} in {header:?}"))
    };
    assert_eq!(rows.len() - 1, keys.len());
    let ids: BTreeSet<String> = rows[1..]
        .iter()
        .map(|r| match &r[at("被保険者ID")] {
            Data::String(s) => s.clone(),
            other => panic!("an id is text, not {other:?}"),
        })
        .collect();
    assert_eq!(ids, keys.iter().cloned().collect::<BTreeSet<_>>());
    assert!(
        rows[1..]
            .iter()
            .all(|r| matches!(r[at("年齢")], Data::Float(_)))
    );
    let noted: Vec<&Vec<Data>> = rows[1..]
        .iter()
        .filter(|r| cell_text(&r[at("備考")]) == NOTE)
        .collect();
    assert_eq!(noted.len(), 1, "the note comes back as typed");
    let (cond_name, cond) = sheet(&xlsx, 1);
    assert_eq!(cond_name, "条件");
    let lines: Vec<String> = cond
        .iter()
        .map(|r| r.iter().map(cell_text).collect::<Vec<_>>().join("|"))
        .collect();
    assert!(
        lines.iter().any(|l| l == &format!("出力者|{ADMIN}")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("データの出典|") && l.contains("被保険者台帳")),
        "{lines:?}"
    );

    // CSV in UTF-8 (BOM): equal to the Excel sheet cell by cell, but for the apostrophe
    // in front of text a spreadsheet would evaluate.
    let csv_path = out.join("list.csv");
    export(&mut e, list_job(Format::Csv, csv_path.clone())).unwrap();
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    let csv_rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(csv_rows.len(), rows.len());
    let mut neutralised = 0;
    for (c, x) in csv_rows.iter().zip(&rows) {
        for (a, b) in c.iter().zip(x) {
            let b = cell_text(b);
            if a != &b {
                assert_eq!(a, &format!("'{b}"), "only an apostrophe may differ");
                assert!(matches!(
                    b.chars().next(),
                    Some('=' | '+' | '-' | '@' | '\t' | '\r')
                ));
                neutralised += 1;
            }
        }
    }
    assert_eq!(neutralised, 1, "the note, and nothing else");

    // CP932: 𠮷 becomes 〓, and the reply names its row and column.
    let sjis = out.join("list_sjis.csv");
    let mut j = list_job(Format::Csv, sjis.clone());
    j.encoding = Encoding::Cp932;
    let done = export(&mut e, j).unwrap();
    let sjis_bytes = std::fs::read(&sjis).unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis_bytes);
    assert!(!bad);
    // Quoted (it holds commas and quotes), neutralised and replaced.
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"〓\"\")\""),
        "{}",
        text.lines()
            .find(|l| l.contains("HYPERLINK"))
            .unwrap_or_default()
    );
    assert_eq!(done.substitutions.len(), 1, "{:?}", done.substitutions);
    let sub = &done.substitutions[0];
    assert_eq!((sub.column.as_str(), sub.ch), ("備考", '𠮷'));
    let line = text.lines().nth(sub.row).unwrap();
    assert!(
        line.contains('〓'),
        "row {} is the replaced one: {line}",
        sub.row
    );

    // Every export is in the log with its format, rows, personal flag and each file's
    // sha256 as sha256sum computes it; the refusal too (as a failed export).
    let entries: Vec<_> = e
        .audit
        .entries()
        .unwrap()
        .into_iter()
        .filter(|x| x.action == Action::Export)
        .collect();
    for (path, format) in [(&xlsx, "xlsx"), (&csv_path, "csv"), (&sjis, "csv")] {
        let sum = reader("sha256sum", &[s(path)]);
        let sum = sum.split_whitespace().next().unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let entry = entries
            .iter()
            .find(|x| x.detail.contains(&format!("{name}={sum}")))
            .unwrap_or_else(|| panic!("{name} with its sha256 in {entries:?}"));
        assert!(entry.detail.contains(&format!("format={format}")));
        assert!(entry.detail.contains("personal=yes"));
        assert_eq!(entry.rows, Some(keys.len() as u64));
        assert!(
            !entry.detail.contains(&keys[0]),
            "no person's id in the log"
        );
    }
    assert!(
        entries.iter().any(|x| x.result == R::Error),
        "the unconfirmed export is logged"
    );
}

/// The pixels of a PPM (P6) file.
fn ppm_pixels(bytes: &[u8]) -> Vec<[u8; 3]> {
    // Header: P6, width, height, maxval, each followed by whitespace.
    let mut fields = 0;
    let mut i = 0;
    while fields < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields += 1;
    }
    bytes[i + 1..]
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect()
}

#[test]
fn maps_are_vector_pdfs_with_embedded_subset_fonts_and_layers_open_in_gdal() {
    let (_root, mut e, keys, out) = start();

    // PDF: A3 landscape, the Japanese font embedded as a subset, text as text, and the
    // legend's colours in the rendered page.
    let pdf = out.join("uptake.pdf");
    export(
        &mut e,
        job(uptake(Level::Municipality), Format::Pdf, pdf.clone()),
    )
    .unwrap();
    let info = reader("pdfinfo", &[s(&pdf)]);
    assert!(info.contains("1190.55 x 841.89"), "A3 landscape: {info}");
    let fonts = reader("pdffonts", &[s(&pdf)]);
    let ipa = fonts
        .lines()
        .find(|l| l.contains("IPAexGothic"))
        .unwrap_or_else(|| panic!("{fonts}"));
    let cols: Vec<&str> = ipa.split_whitespace().collect();
    // name type encoding emb sub uni object ID: emb and sub are "yes".
    let n = cols.len();
    assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{ipa}");
    assert!(
        cols[0].len() > 7 && cols[0].as_bytes()[6] == b'+',
        "subset prefix: {ipa}"
    );
    let text = reader("pdftotext", &[s(&pdf), "-"]);
    assert!(text.contains("2021年度"), "{text}");
    let municipalities: Vec<String> = {
        let mut st = e
            .store
            .conn()
            .prepare("SELECT name FROM ref_municipalities")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(
        municipalities.iter().any(|m| text.contains(m.as_str())),
        "a municipality's name is text: {text}"
    );
    reader("pdftoppm", &["-r", "40", s(&pdf), s(&out.join("page"))]);
    let ppm = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "ppm"))
        .unwrap();
    let pixels = ppm_pixels(&std::fs::read(&ppm).unwrap());
    let ramp = kenshin_atlas::map::ramps::Ramp::YlGnBu
        .colors(kenshin_atlas::analysis::breaks::DEFAULT_CLASSES, false);
    let near = |p: &[u8; 3], c: &[u8; 4]| (0..3).all(|k| p[k].abs_diff(c[k]) <= 3);
    let found = ramp
        .iter()
        .filter(|c| pixels.iter().any(|p| near(p, c)))
        .count();
    assert!(
        found >= 3,
        "legend colours in the page: {found} of {}",
        ramp.len()
    );

    // Shapefile of the small areas with their uptake, in both encodings: the count, the
    // CRS and a Japanese name as GDAL reads them.
    let rows = match exec(
        &mut e,
        kenshin_atlas::app::MapCmd::Uptake {
            level: Level::SmallArea,
            fy: 2021,
            reveal: false,
        },
    ) {
        Outcome::Map(kenshin_atlas::app::MapReply::Uptake(t)) => t.rows(),
        o => panic!("{o:?}"),
    };
    for enc in [Encoding::Cp932, Encoding::Utf8] {
        let shp = out.join(format!("areas_{enc:?}.shp"));
        let mut j = job(uptake(Level::SmallArea), Format::Shp, shp.clone());
        j.encoding = enc;
        let done = export(&mut e, j).unwrap();
        assert_eq!(done.files.len(), 6, "shp shx dbf prj cpg fields.csv");
        let summary = reader("ogrinfo", &["-so", "-al", s(&shp)]);
        assert!(
            summary.contains(&format!("Feature Count: {}", rows.len())),
            "{summary}"
        );
        assert!(
            summary.contains("JGD2011") || summary.contains("JGD_2011"),
            "{summary}"
        );
        let first = reader("ogrinfo", &["-q", "-al", "-fid", "0", s(&shp)]);
        assert!(
            first.contains(&format!("NAME (String) = {}", rows[0].name)),
            "{enc:?}: {} in {first}",
            rows[0].name
        );
        let fields =
            std::fs::read_to_string(out.join(format!("areas_{enc:?}_fields.csv"))).unwrap();
        assert!(fields.contains("NAME,\"地域名\""), "{fields}");
    }
    // A plane zone.
    let shp6 = out.join("areas_zone6.shp");
    let mut j = job(uptake(Level::SmallArea), Format::Shp, shp6.clone());
    j.crs = kenshin_parse::geo::crs::Crs::from_epsg(6674).unwrap();
    export(&mut e, j).unwrap();
    let summary = reader("ogrinfo", &["-so", "-al", s(&shp6)]);
    assert!(
        summary.contains("Zone_6") || summary.contains("CS VI"),
        "{summary}"
    );

    // The list's persons as points (rows without a place have no geometry).
    let pts = out.join("persons.shp");
    let done = export(&mut e, list_job(Format::Shp, pts.clone())).unwrap();
    let summary = reader("ogrinfo", &["-so", "-al", s(&pts)]);
    assert!(summary.contains("Geometry: Point"), "{summary}");
    assert!(
        summary.contains(&format!("Feature Count: {}", keys.len())),
        "{summary}"
    );
    assert!(done.unplaced < keys.len());

    // GeoJSON: longitude/latitude, one feature a row, inside Nara.
    let gj = out.join("areas.geojson");
    export(
        &mut e,
        job(uptake(Level::SmallArea), Format::GeoJson, gj.clone()),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&gj).unwrap()).unwrap();
    let features = v["features"].as_array().unwrap();
    assert_eq!(features.len(), rows.len());
    let first = &features[0]["geometry"]["coordinates"];
    let ring = if features[0]["geometry"]["type"] == "MultiPolygon" {
        &first[0][0]
    } else {
        &first[0]
    };
    let lon = ring[0][0].as_f64().unwrap();
    let lat = ring[0][1].as_f64().unwrap();
    assert!(
        (135.5..136.3).contains(&lon) && (33.8..34.8).contains(&lat),
        "{lon} {lat}"
    );
    assert_eq!(features[0]["properties"]["地域名"], json!(rows[0].name));
}

#[test]
fn excel_and_powerpoint_open_in_libreoffice_and_a_bundle_holds_map_table_and_conditions() {
    let (root, mut e, _, out) = start();
    let pptx = out.join("uptake.pptx");
    export(
        &mut e,
        job(uptake(Level::Municipality), Format::Pptx, pptx.clone()),
    )
    .unwrap();
    let xlsx = out.join("uptake.xlsx");
    let mut j = job(uptake(Level::Municipality), Format::Xlsx, xlsx.clone());
    j.bundle = true;
    j.dpi = 100;
    let done = export(&mut e, j).unwrap();
    let names: Vec<String> = done
        .files
        .iter()
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["uptake.xlsx", "uptake_地図.png", "uptake_条件.txt"]);
    let conditions = std::fs::read_to_string(out.join("uptake_条件.txt")).unwrap();
    assert!(conditions.contains("出力者: admin"), "{conditions}");
    let img = image::open(out.join("uptake_地図.png")).unwrap();
    assert_eq!((img.width(), img.height()), (1654, 1169), "A3 at 100 dpi");
    // The map is on a sheet of its own inside the workbook.
    let mut z = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
    assert!(z.by_name("xl/media/image1.png").is_ok());
    let mut wb: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(wb.sheet_names()[2], "地図");
    let _ = wb.worksheet_range("条件").unwrap();
    // LibreOffice converts both without error: 39 municipalities make a title slide, the
    // map and three table slides.
    let lo = out.join("lo");
    let home = root.path().join("lo-home");
    for f in [&pptx, &xlsx] {
        let status = Proc::new("soffice")
            .env("HOME", &home)
            .args([
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                s(&lo),
                s(f),
            ])
            .output()
            .expect("soffice is missing; .ci/run installs LibreOffice");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    }
    let slides = reader("pdfinfo", &[s(&lo.join("uptake.pdf"))]);
    let pages: usize = slides
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The .xlsx converted second overwrote uptake.pdf: convert the slides again apart.
    let _ = pages;
    let slides_pdf = out.join("slides");
    let o = Proc::new("soffice")
        .env("HOME", &home)
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            s(&slides_pdf),
            s(&pptx),
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let info = reader("pdfinfo", &[s(&slides_pdf.join("uptake.pdf"))]);
    assert!(
        info.contains("Pages:           5"),
        "1 + 1 + ceil(39 / 15): {info}"
    );
    let text = reader("pdftotext", &[s(&slides_pdf.join("uptake.pdf")), "-"]);
    assert!(text.contains("奈良市"), "{text}");
}

#[test]
fn suppressed_figures_need_the_right_and_a_revealed_file_is_marked() {
    let (_root, mut e, _, out) = start();
    let plain = out.join("plain.xlsx");
    let done = export(
        &mut e,
        job(uptake(Level::SmallArea), Format::Xlsx, plain.clone()),
    )
    .unwrap();
    assert!(!done.caution);
    let (_, rows) = sheet(&plain, 0);
    let header: Vec<String> = rows[0].iter().map(cell_text).collect();
    let col = |h: &str| header.iter().position(|x| x == h).unwrap();
    let suppressed: Vec<&Vec<Data>> = rows[1..]
        .iter()
        .filter(|r| cell_text(&r[col("秘匿")]) == "秘匿")
        .collect();
    assert!(
        !suppressed.is_empty(),
        "the small demo has small areas under the threshold"
    );
    assert!(
        suppressed
            .iter()
            .all(|r| r[col("対象者数")] == Data::Empty && r[col("受診率（%）")] == Data::Empty)
    );
    // Revealed (the admin holds 個人情報の閲覧): figures, and 取扱注意 on the file.
    let shown = out.join("shown.xlsx");
    let mut j = job(uptake(Level::SmallArea), Format::Xlsx, shown.clone());
    j.reveal_suppressed = true;
    let done = export(&mut e, j).unwrap();
    assert!(done.caution);
    let (name, rows) = sheet(&shown, 0);
    assert!(name.starts_with("【取扱注意】"), "{name}");
    assert!(
        rows[1..]
            .iter()
            .any(|r| cell_text(&r[col("秘匿")]).contains("取扱注意")
                && matches!(r[col("対象者数")], Data::Float(_)))
    );
    let (_, cond) = sheet(&shown, 1);
    assert!(cond.iter().any(|r| cell_text(&r[0]) == "取扱注意"));
}

#[test]
fn refusals_on_the_engine_and_the_cli_are_logged_and_write_nothing() {
    let root = tempfile::tempdir().unwrap();
    let (mut e, keys) = setup(root.path());
    let allowed = root.path().join("共有");
    let own = root.path().join("tanaka");
    let usb = root.path().join("usb");
    for d in [&allowed, &own, &usb] {
        std::fs::create_dir_all(d).unwrap();
    }
    admin_op(
        &mut e,
        AdminOp::SetSetting {
            key: kenshin_atlas::auth::SETTING_EXPORT_DIRS.into(),
            value: format!("{}\n{}", allowed.display(), usb.display()),
        },
    );
    // Without 外部出力: refused, naming the right.
    user_with(
        &mut e,
        "noexport",
        [Right::ViewPersonal].into_iter().collect(),
    );
    let err = export(
        &mut e,
        job(
            uptake(Level::Municipality),
            Format::Csv,
            allowed.join("a.csv"),
        ),
    )
    .unwrap_err();
    assert!(err.contains(Right::Export.label()), "{err}");
    // With 外部出力 but not 個人情報の閲覧: a list of persons is refused.
    user_with(&mut e, "nopersonal", [Right::Export].into_iter().collect());
    let err = export(&mut e, list_job(Format::Csv, allowed.join("b.csv"))).unwrap_err();
    assert!(err.contains(Right::ViewPersonal.label()), "{err}");
    // A user's own folders take precedence over everyone's.
    login(&mut e, ADMIN, ADMIN_PASSWORD);
    user_with(
        &mut e,
        "tanaka",
        [Right::Export, Right::ViewPersonal].into_iter().collect(),
    );
    login(&mut e, ADMIN, ADMIN_PASSWORD);
    admin_op(
        &mut e,
        AdminOp::SetSetting {
            key: kenshin_atlas::auth::user_export_dirs_key("tanaka"),
            value: format!("{}\n{}", own.display(), usb.display()),
        },
    );
    login(&mut e, "tanaka", USER_PASSWORD);
    let err = export(
        &mut e,
        job(
            uptake(Level::Municipality),
            Format::Csv,
            allowed.join("c.csv"),
        ),
    )
    .unwrap_err();
    assert!(err.contains("出力先フォルダ"), "{err}");
    // The refusal names the folders tanaka may use (not everyone's).
    assert!(err.contains(&own.display().to_string()), "{err}");
    let named = err.split("選んでください").nth(1).unwrap_or_default();
    assert!(!named.contains(&allowed.display().to_string()), "{err}");
    export(
        &mut e,
        job(uptake(Level::Municipality), Format::Csv, own.join("c.csv")),
    )
    .unwrap();
    for f in ["a.csv", "b.csv", "c.csv"] {
        assert!(!allowed.join(f).exists(), "{f} was refused");
    }
    let denied: Vec<(String, String)> = e
        .audit
        .entries()
        .unwrap()
        .into_iter()
        .filter(|x| x.action == Action::Export && x.result == R::Denied)
        .map(|x| (x.user, x.detail))
        .collect();
    assert!(
        denied.contains(&("noexport".into(), "export".into())),
        "{denied:?}"
    );
    assert!(
        denied.contains(&("tanaka".into(), "export_folder".into())),
        "{denied:?}"
    );
    drop(e);

    // The CLI, with the test seam marking `usb` removable: refused without
    // 外部記憶媒体への書出し, written with it; the preset on the list.
    let data = root.path().join("data");
    let cli_env = |user: &str, args: &[&str]| {
        Proc::new(env!("CARGO_BIN_EXE_kenshin-atlas"))
            .arg("--data-dir")
            .arg(&data)
            .args(["--user", user])
            .env("KENSHIN_PASSWORD", USER_PASSWORD)
            .env(kenshin_atlas::os::removable::ROOTS_ENV, &usb)
            .args(args)
            .output()
            .unwrap()
    };
    let usb_csv = usb.join("renkei.csv");
    let args = [
        "export",
        "--what",
        &format!("extract:{LIST}"),
        "--format",
        "csv",
        "--out",
        s(&usb_csv),
        "--preset",
        "kenko-renkei",
        "--confirm-personal",
    ];
    let o = cli_env("tanaka", &args);
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains(Right::ExportRemovable.label()), "{stderr}");
    assert!(!usb_csv.exists());
    // A link inside an allowed folder that leads to the stick is the stick.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&usb, own.join("stick")).unwrap();
        let via_link = own.join("stick").join("via.csv");
        let o = cli_env(
            "tanaka",
            &[
                "export",
                "--what",
                "uptake:municipality:2021",
                "--format",
                "csv",
                "--out",
                s(&via_link),
            ],
        );
        assert!(
            !o.status.success(),
            "a link to a removable drive is refused"
        );
        assert!(!usb.join("via.csv").exists());
    }
    // The admin grants the right to tanaka alone.
    let o = cli(
        &data,
        Some(ADMIN),
        ADMIN_PASSWORD,
        &[
            "user",
            "rights",
            "tanaka",
            "--rights",
            "export,view_personal,export_removable",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = cli_env("tanaka", &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let reply: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(reply["rows"], json!(keys.len()));
    // The preset: the recommendation list's layout in CP932, each row as the register has
    // the person (read from the raw file, not from the database).
    let usb_bytes = std::fs::read(&usb_csv).unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&usb_bytes);
    assert!(!bad);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("保険者番号,記号番号,被保険者ID,氏名,生年月日")
    );
    let raw: HashMap<String, HashMap<String, String>> =
        super::raw_demo::rows(&demo().file("被保険者台帳.csv"), "被保険者ID")
            .into_iter()
            .map(|r| (r["被保険者ID"].clone(), r))
            .collect();
    let mut n = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let r = &raw[f[2]];
        assert_eq!(f[0], r["保険者番号"]);
        assert_eq!(
            f[3].replace(' ', "　"),
            r["氏名"].replace(' ', "　"),
            "{line}"
        );
        assert_eq!(
            Some(chrono::NaiveDate::parse_from_str(f[4], "%Y-%m-%d").unwrap()),
            super::raw_demo::date(&r["生年月日"])
        );
        n += 1;
    }
    assert_eq!(n, keys.len());
    let log = kenshin_atlas::audit::AuditLog::open(&data).unwrap();
    let removable_refusals = log
        .entries()
        .unwrap()
        .into_iter()
        .filter(|x| {
            x.user == "tanaka" && x.result == R::Denied && x.detail == Right::ExportRemovable.key()
        })
        .count();
    assert_eq!(removable_refusals, if cfg!(unix) { 2 } else { 1 });
    let _ = Preset::KenkoRenkei;
}
