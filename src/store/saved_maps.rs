//! The `saved_maps` table (地図の保存): a map's settings as a JSON body under a name,
//! with the local time it was saved. What the body holds is `map::document`'s concern;
//! this only stores and finds it.

use duckdb::{Connection, params};

use super::Result;

/// A saved map's name and when it was saved (local time, as text).
#[derive(Debug, Clone, PartialEq)]
pub struct SavedMap {
    pub name: String,
    pub saved_at: String,
}

/// Stores `body` as `name` (replacing a map of that name), stamped with the local time.
pub fn put(conn: &Connection, name: &str, body: &str) -> Result<()> {
    // Local wall-clock time from Rust (DuckDB's local-time functions need ICU).
    let now = chrono::Local::now()
        .naive_local()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    conn.execute(
        "INSERT OR REPLACE INTO saved_maps (name, saved_at, body) VALUES (?, CAST(? AS TIMESTAMP), ?)",
        params![name, now, body],
    )?;
    Ok(())
}

/// The saved maps, newest first.
pub fn list(conn: &Connection) -> Result<Vec<SavedMap>> {
    let mut stmt = conn.prepare(
        "SELECT name, strftime(saved_at, '%Y-%m-%d %H:%M') FROM saved_maps ORDER BY saved_at DESC, name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(SavedMap {
            name: r.get(0)?,
            saved_at: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The body saved as `name`, if any.
pub fn get(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare("SELECT body FROM saved_maps WHERE name = ?")?
        .query_map(params![name], |r| r.get(0))?
        .next()
        .transpose()?)
}

/// Removes `name`; whether there was one.
pub fn remove(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM saved_maps WHERE name = ?", params![name])? > 0)
}
