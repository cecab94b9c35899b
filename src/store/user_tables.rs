//! The catalogue of user tables (独自データ). The name a user gives a table and the headers
//! of its file are data: rows of `user_tables` and `user_table_columns`. The rows live in a
//! table named `ut_<table_id>` with columns `c1, c2, …`, names made from integers only, so
//! no text a user typed or a file held ever becomes an SQL identifier, and a user table can
//! never replace a table of the application (accounts, rights, data, settings).
//! Also here: the move of the user tables made before migration 0007, whose names were
//! identifiers in the main schema.

use std::collections::BTreeSet;

use duckdb::{Connection, params};

use super::{Result, StoreError};

/// The longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The column types a user table may have (what the importer infers).
const SQL_TYPES: &[&str] = &["BIGINT", "DOUBLE", "DATE", "VARCHAR"];

/// The physical table of user table `id`.
pub fn physical_table(id: i64) -> String {
    format!("ut_{id}")
}

/// The physical name of column `col_no` (from 1) of a user table.
pub fn physical_column(col_no: usize) -> String {
    format!("c{col_no}")
}

/// Checks a display name: any text of 1 to 100 characters (surrounding spaces are dropped).
/// Returns the name as it is stored.
pub fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::EmptyTableName);
    }
    let n = name.chars().count();
    if n > MAX_NAME_CHARS {
        return Err(StoreError::LongTableName(n));
    }
    Ok(name.to_string())
}

/// A user table as listed: its id, display name and row count (from the catalogue).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UserTable {
    pub id: i64,
    pub name: String,
    pub rows: i64,
}

/// Every user table, by display name.
pub fn list(conn: &Connection) -> Result<Vec<UserTable>> {
    let mut stmt = conn.prepare("SELECT table_id, name, rows FROM user_tables ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(UserTable {
            id: r.get(0)?,
            name: r.get(1)?,
            rows: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The id of the user table called `name`.
pub fn find(conn: &Connection, name: &str) -> Result<Option<i64>> {
    let mut stmt = conn.prepare("SELECT table_id FROM user_tables WHERE name = ?")?;
    let mut rows = stmt.query(params![name])?;
    Ok(match rows.next()? {
        Some(r) => Some(r.get(0)?),
        None => None,
    })
}

/// Removes user table `id`: its rows, its columns and its catalogue entry.
pub fn remove(conn: &Connection, id: i64) -> Result<()> {
    conn.execute_batch(&format!("DROP TABLE IF EXISTS {}", physical_table(id)))?;
    conn.execute(
        "DELETE FROM user_table_columns WHERE table_id = ?",
        params![id],
    )?;
    conn.execute("DELETE FROM user_tables WHERE table_id = ?", params![id])?;
    Ok(())
}

/// What the catalogue keeps about a new user table.
#[derive(Debug, Clone)]
pub struct NewUserTable<'a> {
    /// The display name, checked by [`check_name`].
    pub name: &'a str,
    pub source_file: &'a str,
    pub sheet: Option<&'a str>,
    pub header_row: i64,
    pub key_column: Option<&'a str>,
    pub link_to: Option<&'a str>,
    pub rows: i64,
    pub import_id: i64,
    /// (header, SQL type) per column, in file order.
    pub columns: &'a [(String, &'static str)],
}

/// Records a new user table and creates its empty physical table; returns its id. Rows
/// are then appended to [`physical_table`]`(id)`, in the order of `columns`. Call it inside
/// the import's transaction, after [`remove`] of a table of the same name.
pub fn create(conn: &Connection, t: &NewUserTable) -> Result<i64> {
    let id = next_id(conn)?;
    conn.execute(
        "INSERT INTO user_tables (table_id, name, source_file, sheet, header_row, key_column, link_to, rows, import_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            t.name,
            t.source_file,
            t.sheet,
            t.header_row,
            t.key_column,
            t.link_to,
            t.rows,
            t.import_id
        ],
    )?;
    let mut cols = Vec::with_capacity(t.columns.len());
    for (i, (header, ty)) in t.columns.iter().enumerate() {
        // Types come from the importer's fixed list; anything else is a programming error
        // and refused rather than spliced.
        let ty = SQL_TYPES
            .iter()
            .find(|s| **s == *ty)
            .ok_or_else(|| StoreError::BadColumnType(ty.to_string()))?;
        cols.push(format!("{} {ty}", physical_column(i + 1)));
        conn.execute(
            "INSERT INTO user_table_columns (table_id, col_no, name, sql_type) VALUES (?, ?, ?, ?)",
            params![id, (i + 1) as i64, header, ty],
        )?;
    }
    conn.execute_batch(&format!(
        "CREATE TABLE {} ({})",
        physical_table(id),
        cols.join(", ")
    ))?;
    Ok(id)
}

/// The next table id whose physical table does not exist yet.
fn next_id(conn: &Connection) -> Result<i64> {
    loop {
        let id: i64 = conn.query_row("SELECT nextval('user_table_id_seq')", [], |r| r.get(0))?;
        if !table_exists(conn, &physical_table(id))? {
            return Ok(id);
        }
    }
}

/// Whether the main schema has a table of this name (as DuckDB compares names: ignoring
/// case).
fn table_exists(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT count(*) > 0 FROM duckdb_tables()
         WHERE database_name = current_database() AND schema_name = 'main'
           AND lower(table_name) = lower(?)",
        params![name],
        |r| r.get(0),
    )?)
}

/// Migration 0007: moves each user table listed in `user_tables_legacy` from the table that
/// carried its name to `ut_<id>` (columns `c1…`, headers kept in `user_table_columns`),
/// then drops `user_tables_legacy`. `own_tables` are the tables of the application's schema
/// before 0007, in lower case: a legacy entry with such a name (or a layer's `layer_<n>`)
/// is what the old naming let a user overwrite; that table is left where it is, and only
/// the entry is dropped. So is an entry whose table no longer exists.
pub(super) fn move_legacy(conn: &Connection, own_tables: &BTreeSet<String>) -> Result<()> {
    type Legacy = (
        String,
        String,
        Option<String>,
        i64,
        Option<String>,
        Option<String>,
        i64,
        i64,
    );
    let mut stmt = conn.prepare(
        "SELECT name, source_file, sheet, header_row, key_column, link_to, rows, import_id
         FROM user_tables_legacy ORDER BY name",
    )?;
    let legacy: Vec<Legacy> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })?
        .collect::<std::result::Result<_, _>>()?;
    for (name, source_file, sheet, header_row, key_column, link_to, rows, import_id) in legacy {
        let lower = name.to_lowercase();
        if own_tables.contains(&lower) || is_layer_table(&lower) || !legacy_name_ok(&name) {
            continue;
        }
        let mut stmt = conn.prepare(
            "SELECT column_name, data_type FROM duckdb_columns()
             WHERE database_name = current_database() AND schema_name = 'main'
               AND lower(table_name) = lower(?)
             ORDER BY column_index",
        )?;
        let cols: Vec<(String, String)> = stmt
            .query_map(params![name], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        if cols.is_empty() {
            continue;
        }
        let id = next_id(conn)?;
        conn.execute(
            "INSERT INTO user_tables (table_id, name, source_file, sheet, header_row, key_column, link_to, rows, import_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                id,
                name,
                source_file,
                sheet,
                header_row,
                key_column,
                link_to,
                rows,
                import_id
            ],
        )?;
        let select: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{} AS {}", quote_legacy(c), physical_column(i + 1)))
            .collect();
        // The legacy names were checked as letters, digits and _ when they were made (and
        // again above); quoted, they name the old table once, to copy and drop it.
        conn.execute_batch(&format!(
            "CREATE TABLE {} AS SELECT {} FROM {old}; DROP TABLE {old}",
            physical_table(id),
            select.join(", "),
            old = quote_legacy(&name),
        ))?;
        for (i, (c, ty)) in cols.iter().enumerate() {
            conn.execute(
                "INSERT INTO user_table_columns (table_id, col_no, name, sql_type) VALUES (?, ?, ?, ?)",
                params![id, (i + 1) as i64, c, ty],
            )?;
        }
    }
    conn.execute_batch("DROP TABLE user_tables_legacy")?;
    Ok(())
}

/// A layer's feature table, `layer_<digits>`.
fn is_layer_table(lower: &str) -> bool {
    lower
        .strip_prefix("layer_")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The rule names had before 0007: letters, digits and _, not starting with a digit.
fn legacy_name_ok(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn quote_legacy(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_checked_by_length_only() {
        assert!(matches!(check_name(""), Err(StoreError::EmptyTableName)));
        assert!(matches!(
            check_name("  　"),
            Err(StoreError::EmptyTableName)
        ));
        let long: String = "あ".repeat(101);
        assert!(matches!(
            check_name(&long),
            Err(StoreError::LongTableName(101))
        ));
        assert_eq!(check_name(&"あ".repeat(100)).unwrap(), "あ".repeat(100));
        for odd in [
            "users",
            "main.users",
            "\"x\"; DROP TABLE users; --",
            " 健診会場 ",
        ] {
            assert_eq!(check_name(odd).unwrap(), odd.trim());
        }
        assert!(
            StoreError::EmptyTableName.to_string().contains("名前"),
            "a Japanese message"
        );
        assert!(StoreError::LongTableName(101).to_string().contains("100"));
    }

    #[test]
    fn layer_tables_are_recognised() {
        assert!(is_layer_table("layer_12"));
        assert!(!is_layer_table("layer_"));
        assert!(!is_layer_table("layers"));
        assert!(!is_layer_table("layer_1a"));
    }
}
