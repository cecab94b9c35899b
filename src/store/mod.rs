//! The DuckDB store: one database file per data directory, the schema of the data tables
//! ([`kinds`]), numbered migrations, import history and rejects, the catalogue of user
//! tables, and table statistics. Only the background worker (and the CLI and tests, which
//! have no UI thread to block) hold a [`Store`].

pub mod data_rows;
pub mod extractions;
pub mod feed;
pub(crate) mod history;
pub mod institution_match;
pub mod kinds;
pub mod marks;
mod migrations;
pub mod saved_maps;
pub mod saved_searches;
mod stats;
pub mod user_tables;

pub use history::{ImportRecord, ImportResult, Reject};
pub use institution_match::InstitutionMatch;
pub use migrations::{LATEST_VERSION, schema_version};
pub use stats::{Stats, TableCount, data_table_counts, fiscal_years};

use std::path::{Path, PathBuf};

use duckdb::{Config, Connection};

/// The database file name inside a data directory.
pub const DB_FILE: &str = "kenshin.duckdb";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("データフォルダ {path} を作成できません: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "データベース {path} を開けません: {source}。別の健診アトラスが起動中でないか確認してください。"
    )]
    Open {
        path: PathBuf,
        source: duckdb::Error,
    },
    #[error(
        "データベースのスキーマ版 {found} は、このプログラムが扱える版 {supported} より新しいため開けません。新しい版の健診アトラスを使ってください。"
    )]
    NewerSchema { found: i64, supported: i64 },
    #[error("データベースの処理に失敗しました: {0}")]
    Sql(#[from] duckdb::Error),
    #[error("「{0}」という名前はもう使われています。別の名前にしてください。")]
    Exists(String),
    #[error("{0}がありません。一覧で名前を確かめてください。")]
    NotFound(String),
    #[error("{0}")]
    Mismatch(String),
    #[error("独自データの名前が空です。名前を入力してください。")]
    EmptyTableName,
    #[error("独自データの名前が長すぎます（{0} 文字）。100 文字以内にしてください。")]
    LongTableName(usize),
    #[error("独自データの列の型「{0}」は扱えません。")]
    BadColumnType(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open database with its data directory.
pub struct Store {
    conn: Connection,
    data_dir: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to
    /// date. A database written by a newer version is refused.
    pub fn open(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::CreateDir {
            path: data_dir.into(),
            source,
        })?;
        let tmp = data_dir.join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|source| StoreError::CreateDir {
            path: tmp.clone(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        // DuckDB spills to its temp directory; keep it inside the data directory so that no
        // personal data lands in the system temp folder. No extension may be auto-loaded.
        let config = Config::default()
            .enable_autoload_extension(false)
            .and_then(|c| c.with("temp_directory", tmp.to_string_lossy()))
            .and_then(|c| c.with("autoinstall_known_extensions", "false"))
            .map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
        let conn =
            Connection::open_with_flags(&path, config).map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
        migrations::migrate(&conn)?;
        feed::register(&conn).map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        Ok(Store {
            conn,
            data_dir: data_dir.to_path_buf(),
        })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Row counts of the data tables and the user tables, the import history, the fiscal
    /// years of the checkups and how their institution codes match the masters.
    pub fn stats(&self) -> Result<Stats> {
        stats::collect(&self.conn)
    }

    /// How the checkups' institution codes match the institution masters.
    pub fn institution_match(&self) -> Result<InstitutionMatch> {
        institution_match::collect(&self.conn)
    }

    /// True when no data has been imported yet (the first start).
    pub fn is_empty(&self) -> Result<bool> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM import_history WHERE result = 'ok'",
            [],
            |r| r.get(0),
        )?;
        Ok(n == 0)
    }

    pub fn imports(&self) -> Result<Vec<ImportRecord>> {
        history::list(&self.conn)
    }

    pub fn rejects(&self, import_id: i64) -> Result<Vec<Reject>> {
        history::rejects(&self.conn, import_id)
    }
}

/// Runs `f` inside one transaction: COMMIT when it returns `Ok`, ROLLBACK otherwise.
pub fn in_transaction<T, E: From<duckdb::Error>>(
    conn: &Connection,
    f: impl FnOnce() -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    conn.execute_batch("BEGIN TRANSACTION")?;
    match f() {
        Ok(v) => {
            conn.execute_batch("COMMIT")?;
            Ok(v)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}
