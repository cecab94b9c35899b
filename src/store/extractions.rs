//! The `extractions` tables (検索結果の抽出): a named snapshot of a search's member keys,
//! with the query, the fiscal year, who made it and when, and how (a search, or a
//! combination of two lists). Members are keys only; names are looked up on screen. Rows
//! taken out of a list keep their reason in `extraction_excluded`.

use duckdb::{Connection, params};

use super::{Result, StoreError};

/// A list as listed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Extraction {
    pub id: i64,
    pub name: String,
    /// `insured`, `institutions` or `user_table:<name>`.
    pub subject: String,
    pub fy: Option<i32>,
    pub query: Option<String>,
    pub made_by: String,
    pub made_at: String,
    pub origin: String,
    pub count: i64,
}

/// What a new list holds.
pub struct NewExtraction<'a> {
    pub name: &'a str,
    pub subject: &'a str,
    pub fy: Option<i32>,
    pub query: Option<&'a str>,
    pub made_by: &'a str,
    pub origin: &'a str,
    pub keys: &'a [String],
}

/// Stores a new list (one transaction); a list of that name already there is an error.
pub fn create(conn: &Connection, x: &NewExtraction) -> Result<i64> {
    if find(conn, x.name)?.is_some() {
        return Err(StoreError::Exists(x.name.to_string()));
    }
    let now = chrono::Local::now()
        .naive_local()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    super::in_transaction(conn, || -> Result<i64> {
        let id: i64 = conn.query_row(
            "INSERT INTO extractions (name, subject, fy, query, made_by, made_at, origin)
             VALUES (?, ?, ?, ?, ?, CAST(? AS TIMESTAMP), ?) RETURNING id",
            params![x.name, x.subject, x.fy, x.query, x.made_by, now, x.origin],
            |r| r.get(0),
        )?;
        let mut app = conn.appender("extraction_members")?;
        let mut keys: Vec<&String> = x.keys.iter().collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            app.append_row(params![id, k])?;
        }
        app.flush()?;
        Ok(id)
    })
}

/// The lists whose name is `name` (every list when `None`), by name, with their counts.
fn select(conn: &Connection, name: Option<&str>) -> Result<Vec<Extraction>> {
    let mut stmt = conn.prepare(
        "SELECT e.id, e.name, e.subject, e.fy, e.query, e.made_by,
                strftime(e.made_at, '%Y-%m-%d %H:%M'), e.origin,
                (SELECT count(*) FROM extraction_members m WHERE m.extraction_id = e.id)
         FROM extractions e WHERE ?1 IS NULL OR e.name = ?1 ORDER BY e.name",
    )?;
    let rows = stmt.query_map(params![name], |r| {
        Ok(Extraction {
            id: r.get(0)?,
            name: r.get(1)?,
            subject: r.get(2)?,
            fy: r.get(3)?,
            query: r.get(4)?,
            made_by: r.get(5)?,
            made_at: r.get(6)?,
            origin: r.get(7)?,
            count: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Every list, by name, with its member count.
pub fn list(conn: &Connection) -> Result<Vec<Extraction>> {
    select(conn, None)
}

/// The list called `name` (only its own members counted).
pub fn find(conn: &Connection, name: &str) -> Result<Option<Extraction>> {
    Ok(select(conn, Some(name))?.pop())
}

/// A list's member keys, sorted.
pub fn members(conn: &Connection, id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT member_key FROM extraction_members WHERE extraction_id = ? ORDER BY member_key",
    )?;
    let rows = stmt.query_map(params![id], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Renames a list; whether there was one.
pub fn rename(conn: &Connection, name: &str, to: &str) -> Result<bool> {
    if find(conn, to)?.is_some() {
        return Err(StoreError::Exists(to.to_string()));
    }
    Ok(conn.execute(
        "UPDATE extractions SET name = ? WHERE name = ?",
        params![to, name],
    )? > 0)
}

/// A row taken out of a list, with the reason.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Excluded {
    pub key: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

/// Takes `keys` out of list `id` with `reason` (one transaction); keys not in the list are
/// left alone. Returns how many were taken out.
pub fn exclude(
    conn: &Connection,
    id: i64,
    keys: &[String],
    reason: &str,
    by: &str,
) -> Result<usize> {
    let now = chrono::Local::now()
        .naive_local()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    super::in_transaction(conn, || -> Result<usize> {
        let mut n = 0;
        for k in keys {
            if conn.execute(
                "DELETE FROM extraction_members WHERE extraction_id = ? AND member_key = ?",
                params![id, k],
            )? > 0
            {
                conn.execute(
                    "INSERT OR REPLACE INTO extraction_excluded VALUES (?, ?, ?, ?, CAST(? AS TIMESTAMP))",
                    params![id, k, reason, by, now],
                )?;
                n += 1;
            }
        }
        Ok(n)
    })
}

/// The rows taken out of list `id`, by key.
pub fn excluded(conn: &Connection, id: i64) -> Result<Vec<Excluded>> {
    let mut stmt = conn.prepare(
        "SELECT member_key, reason, excluded_by, strftime(excluded_at, '%Y-%m-%d %H:%M')
         FROM extraction_excluded WHERE extraction_id = ? ORDER BY member_key",
    )?;
    let rows = stmt.query_map(params![id], |r| {
        Ok(Excluded {
            key: r.get(0)?,
            reason: r.get(1)?,
            by: r.get(2)?,
            at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Removes a list, its members and its rows taken out (one transaction); whether there
/// was one.
pub fn remove(conn: &Connection, name: &str) -> Result<bool> {
    let Some(x) = find(conn, name)? else {
        return Ok(false);
    };
    super::in_transaction(conn, || -> Result<()> {
        for sql in [
            "DELETE FROM extraction_members WHERE extraction_id = ?",
            "DELETE FROM extraction_excluded WHERE extraction_id = ?",
            "DELETE FROM extractions WHERE id = ?",
        ] {
            conn.execute(sql, params![x.id])?;
        }
        Ok(())
    })?;
    Ok(true)
}

/// A member's linkage columns from the register, as the recommendation list has them.
#[derive(Debug, Clone, PartialEq)]
pub struct Linkage {
    pub insurer_no: Option<String>,
    pub symbol_no: Option<String>,
    pub insured_id: Option<String>,
    pub name: Option<String>,
    /// YYYY-MM-DD.
    pub birth_date: Option<String>,
}

/// The members of list `id` with their register linkage columns, in member order (a
/// member no longer in the register keeps its id, the rest empty).
pub fn linkage(conn: &Connection, id: i64) -> Result<Vec<Linkage>> {
    let mut stmt = conn.prepare(
        "SELECT i.insurer_no, i.symbol_no, m.member_key, i.name, strftime(i.birth_date, '%Y-%m-%d')
         FROM extraction_members m LEFT JOIN insured i ON i.insured_id = m.member_key
         WHERE m.extraction_id = ? ORDER BY m.member_key",
    )?;
    let rows = stmt.query_map(params![id], |r| {
        Ok(Linkage {
            insurer_no: r.get(0)?,
            symbol_no: r.get(1)?,
            insured_id: r.get(2)?,
            name: r.get(3)?,
            birth_date: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}
