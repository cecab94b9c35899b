//! Import of customer files into the store. A file goes through: hash (a file imported
//! before is skipped) → encoding detection and decoding → header and kind detection →
//! profile mapping → per-row normalisation and validation → Arrow batches appended inside
//! one transaction → replacement of the periods or keys it covers → commit. Any error or a
//! cancel rolls back; only the import history records the attempt.

pub mod columns;
mod csv_scan;
pub mod detect;
pub mod encoding;
mod feed;
pub mod kinds;
mod loader;
pub mod normalize;
pub mod preview;
pub mod profile;
pub mod rows;
pub mod source;
pub mod user_table;
pub mod wareki;

use std::path::{Path, PathBuf};

pub use encoding::TextEncoding;
pub use kinds::Kind;
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
}

impl ImportReport {
    pub fn is_success(&self) -> bool {
        matches!(self.result, ImportResult::Ok | ImportResult::Skipped)
    }
}

/// The file name shown in messages and history (not the full path).
pub(crate) fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

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
