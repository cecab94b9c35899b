//! The municipal atlas (市町村別地図帳) through the engine, read back with poppler: a
//! page and a bookmark per municipality of the N03 boundaries (read here from the GeoJSON
//! itself), in code order, each page naming its municipality and showing its figures as
//! the suppression rule allows; the same legend on every page; PNG pages; the audit
//! entry; and the gate on the PNG folder.

use std::path::Path;
use std::process::Command as Proc;

use kenshin_atlas::analysis::figures::area_table;
use kenshin_atlas::analysis::uptake::{Level, TargetFilter};
use kenshin_atlas::app::domain::export::{AtlasJob, ExportCmd, ExportDone, ExportReply};
use kenshin_atlas::app::{AdminOp, Engine, Outcome};
use kenshin_atlas::audit::{Action, Outcome as R};
use kenshin_atlas::auth::SystemClock;
use kenshin_atlas::job::Progress;

use super::common::{admin_engine, demo_store};
use super::security::admin_op;

fn reader(program: &str, args: &[&str]) -> String {
    let out = Proc::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is missing ({e}); .ci/run installs it"));
    assert!(out.status.success(), "{program} {args:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn atlas(e: &mut Engine, job: AtlasJob) -> Result<ExportDone, String> {
    match e.execute(
        kenshin_atlas::app::Command::from(ExportCmd::Atlas(job)),
        &Progress::new(),
    ) {
        Outcome::Export(ExportReply::Done(d)) => Ok(d),
        Outcome::Failed(err) => Err(err.to_string()),
        Outcome::Denied(m) => Err(m),
        o => panic!("{o:?}"),
    }
}

/// The municipalities of the N03 file, (code, name) in code order, read with serde_json.
fn n03_municipalities() -> Vec<(String, String)> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference/N03-21_29_210101.geojson");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for f in v["features"].as_array().unwrap() {
        let p = &f["properties"];
        if let (Some(code), Some(name)) = (p["N03_007"].as_str(), p["N03_004"].as_str())
            && !code.is_empty()
        {
            out.insert(code.to_string(), name.to_string());
        }
    }
    out.into_iter().collect()
}

#[test]
fn the_atlas_has_a_page_and_a_bookmark_per_municipality_in_code_order() {
    let root = tempfile::tempdir().unwrap();
    let store = demo_store(root.path());
    let mut e = admin_engine(store, Box::new(SystemClock));
    let out = root.path().join("out");
    let pdf = out.join("地図帳.pdf");
    let pages_dir = out.join("pages");
    let done = atlas(
        &mut e,
        AtlasJob {
            fy: 2021,
            out: pdf.clone(),
            png_dir: Some(pages_dir.clone()),
            dpi: 40,
        },
    )
    .unwrap();
    let munis = n03_municipalities();
    assert_eq!(munis.len(), 39);
    assert_eq!(done.rows, 39);
    let p = pdf.to_str().unwrap();
    let info = reader("pdfinfo", &[p]);
    assert!(info.contains("Pages:           39"), "{info}");
    assert!(
        info.contains("Page size:       1190.55 x 841.89 pts (A3)"),
        "{info}"
    );
    let fonts = reader("pdffonts", &[p]);
    assert!(
        fonts
            .lines()
            .any(|l| l.contains("IPAex") && l.contains("yes yes")),
        "{fonts}"
    );
    // A bookmark per municipality, pointing at its own page.
    let xml = reader("pdftohtml", &["-xml", "-stdout", "-i", "-q", p]);
    let items: Vec<&str> = xml
        .lines()
        .filter(|l| l.starts_with("<item page="))
        .collect();
    assert_eq!(items.len(), 39, "{items:?}");
    let table = area_table(
        e.store.conn(),
        Level::Municipality,
        2021,
        TargetFilter::default(),
        kenshin_atlas::analysis::suppression::DEFAULT_THRESHOLD,
        false,
    )
    .unwrap()
    .rows();
    let mut legends = std::collections::BTreeSet::new();
    let mut hidden_pages = 0;
    for (i, (code, name)) in munis.iter().enumerate() {
        assert_eq!(
            items[i],
            format!("<item page=\"{}\">{code} {name}</item>", i + 1)
        );
        let n = (i + 1).to_string();
        let text = reader("pdftotext", &["-layout", "-f", &n, "-l", &n, p, "-"]);
        let title = text.lines().find(|l| l.contains("2021年度 特定健診受診率"));
        assert!(
            title.is_some_and(|l| l.split_whitespace().next() == Some(name.as_str())),
            "page {n}: {name} in {title:?}"
        );
        // The total row: the figures where shown, 非表示 where withheld.
        let row = table.iter().find(|r| &r.code == code).unwrap();
        let line = text
            .lines()
            .find(|l| l.contains("男女計・40〜74歳"))
            .unwrap();
        match row.targets {
            Some(t) => {
                let t = t.to_string();
                let digits: String = line.chars().filter(|c| c.is_ascii_digit()).collect();
                assert!(digits.contains(&t), "{name}: {line} holds {t}");
            }
            None => {
                hidden_pages += 1;
                assert!(
                    line.contains("非表示") && !line.contains('%'),
                    "{name}: {line}"
                );
            }
        }
        // The legend's class labels (lines with a range) are the same on every page.
        // (Map labels may share a line: only the "a% 〜 b%（n）" words are taken.)
        let legend: Vec<String> = text
            .lines()
            .filter_map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                let i = w.iter().position(|x| *x == "〜")?;
                Some(format!(
                    "{} 〜 {}",
                    w.get(i.checked_sub(1)?)?,
                    w.get(i + 1)?
                ))
            })
            .collect();
        assert!(!legend.is_empty(), "page {n} has a legend");
        legends.insert(legend);
    }
    assert_eq!(legends.len(), 1, "one legend for all pages: {legends:?}");
    assert!(
        hidden_pages > 0,
        "the small demo withholds some municipalities"
    );
    // One PNG per page at the asked dpi: A3 at 40 dpi is 661 × 468.
    let mut pngs: Vec<_> = std::fs::read_dir(&pages_dir)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    pngs.sort();
    assert_eq!(pngs.len(), 39);
    assert!(
        pngs[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("01_29201_奈良市")
    );
    let img = image::open(&pngs[0]).unwrap();
    assert_eq!((img.width(), img.height()), (661, 468));
    // Logged with the files' checksums.
    let entry = e
        .audit
        .entries()
        .unwrap()
        .into_iter()
        .rfind(|x| x.action == Action::Export)
        .unwrap();
    assert_eq!(entry.result, R::Ok);
    assert_eq!(entry.target, "地図帳 2021年度");
    let sum = kenshin_atlas::export::atomic::sha256(&std::fs::read(&pdf).unwrap());
    assert!(
        entry.detail.contains(&format!("地図帳.pdf={sum}")),
        "{}",
        entry.detail
    );
    // And the folders they went to: the PDF's and the PNGs'.
    let folders = format!(
        "folders={};{}",
        pdf.parent().unwrap().display(),
        pngs[0].parent().unwrap().display()
    );
    assert!(
        entry.detail.contains(&folders),
        "{folders} in {}",
        entry.detail
    );
}

#[test]
fn a_png_folder_outside_the_allowed_ones_stops_the_whole_atlas() {
    let root = tempfile::tempdir().unwrap();
    let store = demo_store(root.path());
    let mut e = admin_engine(store, Box::new(SystemClock));
    let allowed = root.path().join("共有");
    std::fs::create_dir_all(&allowed).unwrap();
    admin_op(
        &mut e,
        AdminOp::SetSetting {
            key: kenshin_atlas::auth::SETTING_EXPORT_DIRS.into(),
            value: allowed.display().to_string(),
        },
    );
    let stray = root.path().join("stray");
    let err = atlas(
        &mut e,
        AtlasJob {
            fy: 2021,
            out: allowed.join("a.pdf"),
            png_dir: Some(stray.clone()),
            dpi: 40,
        },
    )
    .unwrap_err();
    assert!(err.contains("出力先フォルダ"), "{err}");
    assert!(!allowed.join("a.pdf").exists() && !stray.exists());
    let denied = e
        .audit
        .entries()
        .unwrap()
        .into_iter()
        .filter(|x| x.action == Action::Export && x.result == R::Denied)
        .count();
    assert_eq!(denied, 1);
    // A year without data is refused with what to do, and nothing is written.
    let err = atlas(
        &mut e,
        AtlasJob {
            fy: 2030,
            out: allowed.join("b.pdf"),
            png_dir: None,
            dpi: 40,
        },
    )
    .unwrap_err();
    assert!(err.contains("2030年度の対象者がいません"), "{err}");
    assert!(!allowed.join("b.pdf").exists());
    // The PDF alone, in the allowed folder, is written.
    atlas(
        &mut e,
        AtlasJob {
            fy: 2021,
            out: allowed.join("a.pdf"),
            png_dir: None,
            dpi: 40,
        },
    )
    .unwrap();
    assert!(allowed.join("a.pdf").exists());
}
