//! Benchmarks run from the CLI (`kenshin-atlas bench …`): figures to report, never timed
//! tests.

use std::io::{BufWriter, Read, Write};
use std::time::Instant;

use anyhow::Context;

use crate::demo::{self, DemoOptions, Scale};
use crate::import::encoding::{TextEncoding, Utf8Reader};
use crate::import::{ImportOptions, Kind, import_file};
use crate::job::Progress;
use crate::store::Store;

/// Generates claims at `scale`, imports the first month's claims file with validation, and
/// loads the same rows with DuckDB's own `read_csv` from a UTF-8 copy.
pub fn import(months: u32, scale: Scale, seed: u64) -> anyhow::Result<i32> {
    let work = std::env::temp_dir().join(format!("kenshin-bench-{}", std::process::id()));
    let result = run(&work, months, scale, seed);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn run(work: &std::path::Path, months: u32, scale: Scale, seed: u64) -> anyhow::Result<i32> {
    let files = work.join("files");
    let t = Instant::now();
    let opts = DemoOptions {
        scale,
        seed,
        months,
        reference_dir: crate::paths::reference_dir(),
        claims_only: true,
    };
    let summary = demo::generate(&files, &opts, &Progress::new())?;
    let claims = summary
        .files
        .first()
        .context("レセプトのファイルがありません")?
        .clone();
    let bytes = std::fs::metadata(&claims)?.len();
    eprintln!(
        "generated {} claims in {:.1} s ({:.0} MB)",
        summary.truth.counts.get("claims").copied().unwrap_or(0),
        t.elapsed().as_secs_f64(),
        bytes as f64 / 1e6
    );

    let store = Store::open(&work.join("data"))?;
    let t = Instant::now();
    let report = import_file(
        &store,
        &claims,
        &ImportOptions {
            kind: Some(Kind::Claims),
            ..Default::default()
        },
        &Progress::new(),
    )?;
    let ours = t.elapsed().as_secs_f64();
    anyhow::ensure!(report.is_success(), "取込に失敗: {}", report.message);
    let rows = report.rows as f64;
    println!(
        "kenshin import: {} rows in {ours:.2} s = {:.0} rows/s, {:.1} MB/s (CP932, validated)",
        report.rows,
        rows / ours,
        bytes as f64 / 1e6 / ours
    );

    let utf8 = work.join("claims_utf8.csv");
    {
        let mut r = Utf8Reader::new(
            std::io::BufReader::new(std::fs::File::open(&claims)?),
            TextEncoding::Cp932,
        );
        let mut w = BufWriter::new(std::fs::File::create(&utf8)?);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = r.read(&mut buf)?;
            if n == 0 {
                break;
            }
            w.write_all(&buf[..n])?;
        }
        w.flush()?;
    }
    let t = Instant::now();
    let path = utf8.to_string_lossy().to_string();
    let n: usize = store.conn().execute(
        "CREATE TABLE duck_claims AS SELECT * FROM read_csv(?)",
        [path],
    )?;
    let theirs = t.elapsed().as_secs_f64();
    println!(
        "duckdb read_csv: {n} rows in {theirs:.2} s = {:.0} rows/s (UTF-8, types auto-detected)",
        n as f64 / theirs
    );
    println!("import_vs_duckdb_ratio={:.2}", theirs / ours);
    Ok(0)
}
