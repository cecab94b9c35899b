//! What a command that failed hands back: the domain's own error, typed, so the screen can
//! show its Japanese message and, where the error knows them, the file, row and column.

use std::path::PathBuf;

use crate::auth::AuthError;

/// A command's failure. Each variant wraps one domain's `thiserror` error unchanged; its
/// `Display` is the Japanese message the user reads.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Layer(#[from] crate::layers::LayerError),
    #[error(transparent)]
    Geocode(#[from] crate::geocode::GeocodeError),
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
    #[error(transparent)]
    Figures(#[from] crate::analysis::figures::FiguresError),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error(transparent)]
    Document(#[from] crate::map::document::DocumentError),
    #[error(transparent)]
    MapPng(#[from] crate::render::export::MapPngError),
    #[error(transparent)]
    Tiles(#[from] crate::basemap::TileError),
    #[error(transparent)]
    Demo(#[from] crate::demo::DemoError),
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
    #[error(transparent)]
    HandEntry(#[from] crate::import::hand_entry::HandEntryError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    #[error(transparent)]
    Layout(#[from] crate::layout::saved::SavedError),
    #[error(transparent)]
    Print(#[from] crate::os::print::PrintError),
    /// The demo data did not import (the report's message says why).
    #[error("デモデータの取込に失敗しました: {0}")]
    DemoImport(String),
    #[error("取り消しました。")]
    Cancelled,
    /// The data folder could not be opened when the worker started: every command answers
    /// with this.
    #[error("データフォルダを開けないため、操作できません: {0}")]
    Unavailable(String),
}

impl From<duckdb::Error> for AppError {
    fn from(e: duckdb::Error) -> Self {
        AppError::Store(crate::store::StoreError::Sql(e))
    }
}

/// Where in a file an error was found, for the screen to show beside the message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: String,
    /// 1-based line or row.
    pub line: Option<u64>,
    /// The column's name or number as the file has it.
    pub column: Option<String>,
}

impl Location {
    /// 「ファイル: a.csv　行: 3　列: 生年月日」
    pub fn describe(&self) -> String {
        let mut s = format!("ファイル: {}", self.file);
        if let Some(l) = self.line {
            s.push_str(&format!("　行: {l}"));
        }
        if let Some(c) = &self.column {
            s.push_str(&format!("　列: {c}"));
        }
        s
    }
}

impl AppError {
    /// The message, with the file, row and column on a line of their own when the error
    /// names a place its message does not already give.
    pub fn with_location(&self) -> String {
        let message = self.to_string();
        match self.location() {
            Some(l)
                if !message.contains(&l.file) || l.line.is_some() && !message.contains("行") =>
            {
                format!("{message}\n{}", l.describe())
            }
            _ => message,
        }
    }

    /// The file (and row and column) the error is about, when it is about one.
    pub fn location(&self) -> Option<Location> {
        use crate::import::ImportError as I;
        use crate::layers::{LayerError, ReadError as L};
        let file = |p: &PathBuf| Location {
            file: crate::import::display_name(p),
            ..Default::default()
        };
        let named = |f: &str| Location {
            file: f.to_string(),
            ..Default::default()
        };
        match self {
            AppError::Import(I::Io { path, .. } | I::Excel { path, .. }) => Some(file(path)),
            AppError::Import(I::At {
                file, line, column, ..
            }) => Some(Location {
                file: file.clone(),
                line: Some(*line),
                column: column.clone(),
            }),
            AppError::Layer(LayerError::Read(L::Io { path, .. })) => Some(file(path)),
            AppError::Layer(LayerError::Read(
                L::Invalid { file, .. } | L::Coordinates { file, .. } | L::NoCrs { file, .. },
            )) => Some(named(file)),
            AppError::Tiles(crate::basemap::TileError::Io { path, .. }) => Some(file(path)),
            _ => None,
        }
    }

    /// Whether the session is over (the screen goes back to the login).
    pub fn ends_session(&self) -> bool {
        matches!(
            self,
            AppError::Auth(
                AuthError::SessionEnded(_) | AuthError::SessionExpired | AuthError::NotLoggedIn
            )
        )
    }
}
