//! Import of customer files into the store. A file goes through: hash (a file imported
//! before is skipped) → encoding detection and decoding (a workbook within the limits of
//! [`workbook`]) → header and kind detection → profile mapping → per-row normalisation and
//! validation → rows fed to DuckDB inside one transaction → replacement of the periods or
//! keys it covers (refused when a period would shrink by more than [`FEWER_ROWS_PERCENT`]%,
//! unless allowed) → commit. Any error or a cancel rolls back; only the import history
//! records the attempt.

pub mod columns;
pub use kenshin_parse::csv_scan;
pub mod detect;
pub use kenshin_parse::encoding;
mod feed;
pub mod hand_entry;
mod loader;
pub use kenshin_parse::normalize;
pub mod preview;
pub mod profile;
pub use kenshin_parse::rows;
pub mod source;
pub mod user_table;
pub use kenshin_parse::wareki;
pub use kenshin_parse::workbook;
pub use kenshin_parse::xls_check;

use std::path::{Path, PathBuf};

pub use crate::store::kinds::Kind;
pub use encoding::TextEncoding;
pub use loader::{describe_reject, import_file};
pub use preview::{Preview, preview};
pub use user_table::{UserTableOptions, import_user_table};

use crate::store::{ImportResult, Reject, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("ファイル {path} を読めません: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Excel ファイル {path} を読めません: {msg}")]
    Excel { path: PathBuf, msg: String },
    #[error(transparent)]
    Profile(#[from] profile::ProfileError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(String),
    /// A fault at a place in the file: the message names it too.
    #[error("{file}: {line} 行目{}: {msg}", column.as_ref().map(|c| format!("の列「{c}」")).unwrap_or_default())]
    At {
        file: String,
        line: u64,
        column: Option<String>,
        msg: String,
    },
    /// The import would replace periods with noticeably fewer rows than they hold, and the
    /// options do not allow that: rolled back.
    #[error(
        "{}の行数が {}% を超えて減るため、取り込んでいません（データベースは変更していません）。ファイルが途中で切れていないか確認してください。このまま置き換える場合は、画面では「行数が減っても置き換える」を押し、コマンドラインでは --allow-fewer を付けてください",
        describe_fewer(.0),
        FEWER_ROWS_PERCENT
    )]
    FewerRows(Vec<FewerRows>),
}

/// A re-import may replace a period with at most this many percent fewer rows without being
/// asked (see [`ImportOptions::allow_fewer`]).
pub const FEWER_ROWS_PERCENT: u64 = 5;

/// A period (insurer and period) that an import replaces with fewer rows than it held.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FewerRows {
    pub insurer: String,
    /// The period as shown (a month "2021-04", a fiscal year, a date).
    pub period: String,
    /// What the period's label is (診療年月, 年度, 作成日).
    pub period_label: &'static str,
    /// Rows the period held before.
    pub before: u64,
    /// Rows this import brings.
    pub after: u64,
}

impl FewerRows {
    /// Whether `after` is more than [`FEWER_ROWS_PERCENT`] below `before`.
    pub fn is_noticeable(before: u64, after: u64) -> bool {
        u128::from(after) * 100 < u128::from(before) * u128::from(100 - FEWER_ROWS_PERCENT)
    }
}

/// "保険者 290016 の診療年月 2021-04（17848 行 → 15702 行）、…"
pub fn describe_fewer(periods: &[FewerRows]) -> String {
    periods
        .iter()
        .map(|p| {
            format!(
                "保険者 {} の{} {}（{} 行 → {} 行）",
                p.insurer, p.period_label, p.period, p.before, p.after
            )
        })
        .collect::<Vec<_>>()
        .join("、")
}

impl From<workbook::WorkbookError> for ImportError {
    fn from(e: workbook::WorkbookError) -> Self {
        match e {
            workbook::WorkbookError::Io { path, source } => ImportError::Io { path, source },
            workbook::WorkbookError::Excel { path, msg } => ImportError::Excel { path, msg },
        }
    }
}

impl From<duckdb::Error> for ImportError {
    fn from(e: duckdb::Error) -> Self {
        ImportError::Store(StoreError::Sql(e))
    }
}

/// What the user chose for an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Force the kind instead of detecting it from the headers.
    pub kind: Option<Kind>,
    /// Use this profile (file stem in the profiles folder, or a path).
    pub profile: Option<String>,
    /// Force the text encoding (CSV).
    pub encoding: Option<TextEncoding>,
    /// Import the good rows and keep the bad ones as rejects, instead of refusing the file.
    pub skip_invalid: bool,
    /// The Excel sheet to read (default: the first).
    pub sheet: Option<String>,
    /// A mapping the user made on the import screen, used instead of the saved profiles.
    pub custom_profile: Option<profile::Profile>,
    /// Replace a period even with more than [`FEWER_ROWS_PERCENT`]% fewer rows than it held
    /// (the user saw the counts and confirmed, or the CLI's `--allow-fewer`).
    pub allow_fewer: bool,
}

/// The outcome of one file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportReport {
    pub import_id: Option<i64>,
    pub file: String,
    pub kind: Option<&'static str>,
    pub table: Option<&'static str>,
    pub encoding: Option<&'static str>,
    pub result: ImportResult,
    /// Rows written.
    pub rows: u64,
    /// Rows refused (kept in the database when `skip_invalid`).
    pub rejected: u64,
    /// 合計/小計 rows below the data, dropped on purpose.
    pub total_rows_dropped: u64,
    /// Earlier rows replaced by this import (same period or key).
    pub replaced: u64,
    pub message: String,
    /// The first rejected rows, for display.
    pub rejects: Vec<Reject>,
    pub warnings: Vec<String>,
    /// After checkups or an institution master went in: how the checkups' institution
    /// codes match the masters (its summary ends the message).
    pub institution_match: Option<crate::store::InstitutionMatch>,
    /// Periods replaced (or, when refused, that would have been) by noticeably fewer rows.
    pub fewer_rows: Vec<FewerRows>,
}

impl ImportReport {
    pub fn is_success(&self) -> bool {
        matches!(self.result, ImportResult::Ok | ImportResult::Skipped)
    }

    /// Refused because periods would have shrunk: the user may confirm and import again
    /// with [`ImportOptions::allow_fewer`].
    pub fn needs_fewer_confirmation(&self) -> bool {
        !self.is_success() && !self.fewer_rows.is_empty()
    }

    /// The audit log's note on this file, when there is one to make: periods replaced by
    /// noticeably fewer rows, refused or allowed, with their counts (no personal data).
    pub fn audit_detail(&self) -> Option<String> {
        if self.fewer_rows.is_empty() {
            return None;
        }
        let what = if self.is_success() {
            "fewer_rows_allowed"
        } else {
            "fewer_rows_refused"
        };
        let periods: Vec<String> = self
            .fewer_rows
            .iter()
            .map(|p| format!("{} {} {}→{}", p.insurer, p.period, p.before, p.after))
            .collect();
        Some(format!("{what}: {}: {}", self.file, periods.join(", ")))
    }
}

pub use kenshin_parse::display_name;

/// The size of a file in bytes.
pub fn file_bytes(path: &Path) -> Result<u64, ImportError> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|source| ImportError::Io {
            path: path.into(),
            source,
        })
}

/// The sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String, ImportError> {
    use sha2::Digest;
    use std::io::Read;
    let io = |source| ImportError::Io {
        path: path.into(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}
