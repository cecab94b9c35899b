//! The `saved_searches` table (よく使う検索): a query's JSON under a name, per user, with a
//! 共有 flag that lets every user see and run it (only its owner renames or deletes it).

use duckdb::{Connection, params};

use super::Result;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SavedSearch {
    pub name: String,
    pub owner: String,
    pub shared: bool,
    pub query: String,
    pub saved_at: String,
}

fn now() -> String {
    chrono::Local::now()
        .naive_local()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Stores `query` as `owner`'s search `name` (replacing one of that name).
pub fn put(conn: &Connection, owner: &str, name: &str, query: &str, shared: bool) -> Result<()> {
    conn.execute(
        "INSERT INTO saved_searches (owner, name, shared, query, saved_at)
         VALUES (?, ?, ?, ?, CAST(? AS TIMESTAMP))
         ON CONFLICT (owner, name) DO UPDATE SET shared = excluded.shared, query = excluded.query,
             saved_at = excluded.saved_at",
        params![owner, name, shared, query, now()],
    )?;
    Ok(())
}

/// `user`'s own searches and everyone's shared ones, own first, by name.
pub fn list(conn: &Connection, user: &str) -> Result<Vec<SavedSearch>> {
    let mut stmt = conn.prepare(
        "SELECT name, owner, shared, query, strftime(saved_at, '%Y-%m-%d %H:%M') FROM saved_searches
         WHERE owner = ? OR shared ORDER BY owner <> ?, name, owner",
    )?;
    let rows = stmt.query_map(params![user, user], |r| {
        Ok(SavedSearch {
            name: r.get(0)?,
            owner: r.get(1)?,
            shared: r.get(2)?,
            query: r.get(3)?,
            saved_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The search `name` that `user` may run: their own, else a shared one.
pub fn get(conn: &Connection, user: &str, name: &str) -> Result<Option<SavedSearch>> {
    Ok(list(conn, user)?.into_iter().find(|s| s.name == name))
}

/// Renames `owner`'s search; whether there was one.
pub fn rename(conn: &Connection, owner: &str, name: &str, to: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE saved_searches SET name = ? WHERE owner = ? AND name = ?",
        params![to, owner, name],
    )? > 0)
}

/// Removes `owner`'s search; whether there was one.
pub fn remove(conn: &Connection, owner: &str, name: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM saved_searches WHERE owner = ? AND name = ?",
        params![owner, name],
    )? > 0)
}
