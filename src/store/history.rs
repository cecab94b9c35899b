//! Import history (one row per attempt, whatever its result) and rejected rows. Rejected
//! rows hold personal data, so they live only in the database, never in loose files.

use duckdb::{Connection, params};

use super::Result;

/// How an import attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportResult {
    Running,
    Ok,
    /// The same file (same sha256) was imported before.
    Skipped,
    /// Validation failed; nothing was written.
    Rejected,
    Cancelled,
    Error,
}

impl ImportResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportResult::Running => "running",
            ImportResult::Ok => "ok",
            ImportResult::Skipped => "skipped",
            ImportResult::Rejected => "rejected",
            ImportResult::Cancelled => "cancelled",
            ImportResult::Error => "error",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ImportResult::Running => "取込中",
            ImportResult::Ok => "完了",
            ImportResult::Skipped => "取込済みのためスキップ",
            ImportResult::Rejected => "不正な行があり中止",
            ImportResult::Cancelled => "取消",
            ImportResult::Error => "エラー",
        }
    }
    fn parse(s: &str) -> ImportResult {
        match s {
            "ok" => ImportResult::Ok,
            "skipped" => ImportResult::Skipped,
            "rejected" => ImportResult::Rejected,
            "cancelled" => ImportResult::Cancelled,
            "running" => ImportResult::Running,
            _ => ImportResult::Error,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportRecord {
    pub id: i64,
    pub file: String,
    pub sha256: String,
    pub kind: Option<String>,
    pub encoding: Option<String>,
    pub rows: i64,
    pub rejected: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub result: ImportResult,
    pub message: Option<String>,
    /// `file`, or `manual` for rows added by hand (手入力).
    pub source: String,
    /// Rows of this import deleted by hand afterwards (データの削除).
    pub deleted_by_hand: i64,
}

/// A rejected row: the file's own line number (header counted), the column, the raw value
/// and the reason, in Japanese.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reject {
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

/// Records the start of an attempt and returns its id. `sha256` may be empty when the
/// hash is computed while the file is read ([`set_sha`] then fills it in).
pub(crate) fn begin(
    conn: &Connection,
    file: &str,
    sha256: &str,
    bytes: u64,
    kind: Option<&str>,
    encoding: Option<&str>,
) -> Result<i64> {
    let id: i64 = conn.query_row("SELECT nextval('import_id_seq')", [], |r| r.get(0))?;
    conn.execute(
        "INSERT INTO import_history (id, file_name, sha256, file_bytes, kind, encoding, started_at, result) VALUES (?, ?, ?, ?, ?, ?, current_timestamp, 'running')",
        params![id, file, sha256, bytes as i64, kind, encoding],
    )?;
    Ok(id)
}

pub(crate) fn finish(
    conn: &Connection,
    id: i64,
    rows: u64,
    rejected: u64,
    result: ImportResult,
    message: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE import_history SET rows = ?, rejected = ?, result = ?, message = ?, finished_at = current_timestamp WHERE id = ?",
        params![rows as i64, rejected as i64, result.as_str(), message, id],
    )?;
    Ok(())
}

/// Records the hash of a file hashed while it was read.
pub(crate) fn set_sha(conn: &Connection, id: i64, sha256: &str) -> Result<()> {
    conn.execute(
        "UPDATE import_history SET sha256 = ? WHERE id = ?",
        params![sha256, id],
    )?;
    Ok(())
}

/// Whether an earlier successful import may have been this very file: one of the same size
/// (or of unknown size, from before sizes were kept).
pub(crate) fn may_be_imported(conn: &Connection, bytes: u64) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT count(*) > 0 FROM import_history WHERE result = 'ok' AND (file_bytes = ? OR file_bytes IS NULL)",
        params![bytes as i64],
        |r| r.get(0),
    )?)
}

/// The id of an earlier successful import of a file with this hash.
pub(crate) fn find_imported(conn: &Connection, sha256: &str) -> Result<Option<i64>> {
    let mut stmt = conn.prepare(
        "SELECT id FROM import_history WHERE sha256 = ? AND result = 'ok' ORDER BY id LIMIT 1",
    )?;
    let mut rows = stmt.query(params![sha256])?;
    Ok(match rows.next()? {
        Some(r) => Some(r.get(0)?),
        None => None,
    })
}

pub(crate) fn add_rejects(conn: &Connection, id: i64, rejects: &[Reject]) -> Result<()> {
    let mut app = conn.appender("import_rejects")?;
    for r in rejects {
        app.append_row(params![
            id,
            r.line as i64,
            r.column.as_deref(),
            r.value.as_deref(),
            r.reason.as_str()
        ])?;
    }
    app.flush()?;
    Ok(())
}

pub(crate) fn list(conn: &Connection) -> Result<Vec<ImportRecord>> {
    let mut stmt = conn.prepare(
        "SELECT id, file_name, sha256, kind, encoding, rows, rejected, strftime(started_at, '%Y-%m-%d %H:%M:%S'),
                strftime(finished_at, '%Y-%m-%d %H:%M:%S'), result, message, coalesce(source, 'file'),
                (SELECT count(*) FROM data_edits d WHERE d.op = 'delete' AND d.import_id = h.id)
         FROM import_history h ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ImportRecord {
            id: r.get(0)?,
            file: r.get(1)?,
            sha256: r.get(2)?,
            kind: r.get(3)?,
            encoding: r.get(4)?,
            rows: r.get(5)?,
            rejected: r.get(6)?,
            started_at: r.get(7)?,
            finished_at: r.get(8)?,
            result: ImportResult::parse(&r.get::<_, String>(9)?),
            message: r.get(10)?,
            source: r.get(11)?,
            deleted_by_hand: r.get(12)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

pub(crate) fn rejects(conn: &Connection, id: i64) -> Result<Vec<Reject>> {
    let mut stmt =
        conn.prepare("SELECT line, column_name, value, reason FROM import_rejects WHERE import_id = ? ORDER BY line, column_name")?;
    let rows = stmt.query_map(params![id], |r| {
        Ok(Reject {
            line: r.get::<_, i64>(0)? as u64,
            column: r.get(1)?,
            value: r.get(2)?,
            reason: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The latest successful import of each kind: (the kind's Japanese label, when it
/// finished as YYYY-MM-DD), for an export's 出典 line.
pub fn latest_imports(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT kind, strftime(max(finished_at), '%Y-%m-%d') FROM import_history
         WHERE result = 'ok' AND kind IS NOT NULL GROUP BY kind ORDER BY kind",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, at) = row?;
        let label = super::kinds::Kind::from_id(&kind)
            .map(|k| k.def().label.to_string())
            .unwrap_or(kind);
        out.push((label, at));
    }
    Ok(out)
}
