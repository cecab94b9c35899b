//! Import: files (KDB CSVs, masters, Excel) and their preview, user tables, the rows an
//! import left out, the counts, and the demo data of the first start.

use std::path::PathBuf;

use super::{Audited, Cx, Domain};
use crate::app::error::AppError;
use crate::app::spec::Spec;
use crate::audit::Action;
use crate::auth::Right;
use crate::geocode::{GeocodeError, GeocodeReport};
use crate::import::user_table::UserTableReport;
use crate::import::{
    ImportError, ImportOptions, ImportReport, Preview, UserTableOptions, display_name, import_file,
    import_user_table, preview, profile,
};
use crate::store::{Reject, Stats};

#[derive(Debug, Clone)]
pub enum ImportCmd {
    /// Build and import the demo data if the database is empty.
    EnsureDemo,
    /// Look at a file before importing it.
    Preview { file: PathBuf, opts: ImportOptions },
    /// Import files, one transaction each.
    Import {
        files: Vec<PathBuf>,
        opts: ImportOptions,
    },
    /// Make a user table from a CSV/Excel file.
    ImportTable {
        file: PathBuf,
        opts: UserTableOptions,
    },
    /// The rows per table and the import history.
    Stats,
    /// The rows an import left out (personal data).
    Rejects { import_id: i64 },
}

#[derive(Debug)]
pub enum ImportReply {
    DemoReady {
        imported: usize,
        message: String,
    },
    Preview(Box<Preview>),
    /// Import reports; the files that could not be read at all, with why; and the address
    /// matching re-run when the insured or the address points changed (`None` when it did
    /// not run).
    Imported {
        reports: Vec<ImportReport>,
        failed: Vec<ImportError>,
        geocode: Option<Result<GeocodeReport, GeocodeError>>,
    },
    TableImported(UserTableReport),
    Stats(Box<Stats>),
    Rejects {
        import_id: i64,
        rejects: Vec<Reject>,
    },
}

impl Domain for ImportCmd {
    type Reply = ImportReply;

    fn spec(&self) -> Spec {
        let import = |label, target| {
            Spec::login(label)
                .right(Right::Import, Action::Import, target)
                .logged()
        };
        match self {
            ImportCmd::EnsureDemo => import("デモデータの準備", "demo".into()),
            // A preview shows the file's first rows: personal data, logged as a view.
            ImportCmd::Preview { file, .. } => Spec::login("ファイルの確認")
                .right(Right::Import, Action::ViewPersonal, display_name(file))
                .logged(),
            ImportCmd::Import { files, .. } => import(
                "取込",
                files
                    .iter()
                    .map(|p| display_name(p))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            ImportCmd::ImportTable { file, .. } => import("独自データの取込", display_name(file)),
            ImportCmd::Stats => Spec::login("件数の集計"),
            ImportCmd::Rejects { import_id } => Spec::login("除外行の表示")
                .right(
                    Right::ViewPersonal,
                    Action::ViewPersonal,
                    format!("import_rejects:{import_id}"),
                )
                .logged(),
        }
    }

    fn run(self, cx: &mut Cx<'_>) -> Result<ImportReply, AppError> {
        let (store, progress) = (cx.store, cx.progress);
        Ok(match self {
            ImportCmd::EnsureDemo => match crate::app::first_start::ensure_demo(store, progress)? {
                Some(reports) => ImportReply::DemoReady {
                    imported: reports.len(),
                    message: format!("デモデータ {} ファイルを取り込みました", reports.len()),
                },
                None => ImportReply::DemoReady {
                    imported: 0,
                    message: "データは取込済みです".into(),
                },
            },
            ImportCmd::Preview { file, opts } => ImportReply::Preview(Box::new(preview(
                &file,
                &opts,
                &profile::profiles_dir(store.data_dir()),
            )?)),
            ImportCmd::Import { files, opts } => {
                let mut reports = Vec::new();
                let mut failed = Vec::new();
                for file in &files {
                    if progress.is_cancelled() {
                        break;
                    }
                    // The fraction restarts for each file; the message names the file. A
                    // file that cannot be read does not stop the others.
                    match import_file(store, file, &opts, progress) {
                        Ok(r) => reports.push(r),
                        Err(e) => failed.push(e),
                    }
                }
                let tables: Vec<&str> = reports
                    .iter()
                    .filter(|r| r.is_success())
                    .filter_map(|r| r.table)
                    .collect();
                let geocode = crate::geocode::after_import(store, &tables, progress);
                if tables
                    .iter()
                    .any(|t| *t == "claims" || *t == "claim_diseases")
                {
                    // The claims per year as searches read them, built now rather than at
                    // the next search. A failure here is not the import's: the next search
                    // builds the index again and reports it.
                    progress.set(0.98, "検索用にレセプトを年度ごとにまとめています");
                    let _ = crate::search::index::ensure(store.conn());
                }
                ImportReply::Imported {
                    reports,
                    failed,
                    geocode,
                }
            }
            ImportCmd::ImportTable { file, opts } => {
                ImportReply::TableImported(import_user_table(store, &file, &opts, progress)?)
            }
            ImportCmd::Stats => ImportReply::Stats(Box::new(store.stats()?)),
            ImportCmd::Rejects { import_id } => ImportReply::Rejects {
                import_id,
                rejects: store.rejects(import_id)?,
            },
        })
    }

    fn audited(reply: &ImportReply) -> Option<Audited> {
        Some(match reply {
            ImportReply::Imported {
                reports, failed, ..
            } => Audited {
                failed: !failed.is_empty() || !reports.iter().all(|r| r.is_success()),
                rows: Some(reports.iter().map(|r| r.rows).sum()),
                // The periods replaced (or refused) with noticeably fewer rows.
                detail: reports
                    .iter()
                    .filter_map(|r| r.audit_detail())
                    .collect::<Vec<_>>()
                    .join("; "),
                target: None,
            },
            ImportReply::Rejects { rejects, .. } => Audited::rows(rejects.len() as u64),
            _ => Audited::default(),
        })
    }
}
