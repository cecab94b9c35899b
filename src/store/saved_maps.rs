//! Named JSON documents on a shelf: the `saved_maps` table (地図の保存) and the `layouts`
//! table (印刷レイアウト), each a body under a name with the local time it was saved. What a
//! body holds is `map::document`'s or `layout`'s concern; this only stores and finds it.
//! The table names are fixed here; a document's name is data.

use duckdb::{Connection, params};

use super::Result;

/// A saved document's name and when it was saved (local time, as text).
#[derive(Debug, Clone, PartialEq)]
pub struct SavedMap {
    pub name: String,
    pub saved_at: String,
}

/// Which table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shelf {
    Maps,
    Layouts,
}

impl Shelf {
    fn table(self) -> &'static str {
        match self {
            Shelf::Maps => "saved_maps",
            Shelf::Layouts => "layouts",
        }
    }
}

/// Stores `body` as `name` (replacing one of that name), stamped with the local time.
pub fn put(conn: &Connection, shelf: Shelf, name: &str, body: &str) -> Result<()> {
    // Local wall-clock time from Rust (DuckDB's local-time functions need ICU).
    let now = chrono::Local::now()
        .naive_local()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    conn.execute(
        &format!(
            "INSERT OR REPLACE INTO {} (name, saved_at, body) VALUES (?, CAST(? AS TIMESTAMP), ?)",
            shelf.table()
        ),
        params![name, now, body],
    )?;
    Ok(())
}

/// The documents on `shelf`, newest first.
pub fn list(conn: &Connection, shelf: Shelf) -> Result<Vec<SavedMap>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT name, strftime(saved_at, '%Y-%m-%d %H:%M') FROM {} ORDER BY saved_at DESC, name",
        shelf.table()
    ))?;
    let rows = stmt.query_map([], |r| {
        Ok(SavedMap {
            name: r.get(0)?,
            saved_at: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The body saved as `name`, if any.
pub fn get(conn: &Connection, shelf: Shelf, name: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare(&format!(
            "SELECT body FROM {} WHERE name = ?",
            shelf.table()
        ))?
        .query_map(params![name], |r| r.get(0))?
        .next()
        .transpose()?)
}

/// Removes `name`; whether there was one.
pub fn remove(conn: &Connection, shelf: Shelf, name: &str) -> Result<bool> {
    let sql = format!("DELETE FROM {} WHERE name = ?", shelf.table());
    Ok(conn.execute(&sql, params![name])? > 0)
}
