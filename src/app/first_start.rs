//! The first start: when the database is empty, generate the `small` demo data set in a
//! working folder outside the data directory, import every file, and remove the folder.

use super::error::AppError;
use crate::demo::{self, DemoOptions, Scale};
use crate::import::{ImportOptions, ImportReport, import_file};
use crate::job::Progress;
use crate::paths;
use crate::store::Store;

/// The seed of the bundled demo data.
pub const DEMO_SEED: u64 = 2021;

/// Builds and imports the demo data if nothing has been imported yet. Returns the import
/// reports, or `None` when there was data already.
pub fn ensure_demo(
    store: &Store,
    progress: &Progress,
) -> Result<Option<Vec<ImportReport>>, AppError> {
    if !store.is_empty()? {
        // A database from before address matching existed: place the insured once.
        if crate::geocode::needs_run(store.conn())? {
            crate::geocode::run(store, &Default::default(), progress)?;
        } else if crate::geocode::institutions::needs_place(store.conn())? {
            // A database from before institutions were placed at import: once.
            crate::geocode::institutions::place(store.conn(), &Default::default())?;
        }
        return Ok(None);
    }
    let work = paths::demo_work_dir();
    let result = build_and_import(store, &work, progress);
    let _ = std::fs::remove_dir_all(&work);
    result.map(Some)
}

fn build_and_import(
    store: &Store,
    work: &std::path::Path,
    progress: &Progress,
) -> Result<Vec<ImportReport>, AppError> {
    let opts = DemoOptions {
        scale: Scale::Small,
        seed: DEMO_SEED,
        months: Scale::Small.default_months(),
        reference_dir: paths::reference_dir(),
        claims_only: false,
    };
    let gen_progress = Progress::new();
    let summary = demo::generate(work, &opts, &gen_progress)?;
    let mut reports = Vec::new();
    let n = summary.files.len().max(1) as f32;
    for (i, file) in summary.files.iter().enumerate() {
        if progress.is_cancelled() {
            return Err(AppError::Cancelled);
        }
        progress.set(
            i as f32 / n,
            format!(
                "デモデータを取り込んでいます（{}/{}）",
                i + 1,
                summary.files.len()
            ),
        );
        let r = import_file(store, file, &ImportOptions::default(), &Progress::new())?;
        if !r.is_success() {
            return Err(AppError::DemoImport(r.message));
        }
        reports.push(r);
    }
    progress.set(0.95, "デモデータ: 住所照合をしています");
    crate::geocode::run(store, &Default::default(), &Progress::new())?;
    crate::search::index::ensure(store.conn())?;
    progress.set(1.0, "デモデータの取込が終わりました");
    Ok(reports)
}
