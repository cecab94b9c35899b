//! What searches read of the claims, kept per fiscal year: `visit_index` (who visited
//! which institution) and `disease_index` (who was treated for which ICD-10 code), both
//! distinct. A search over a year of claims then reads a few hundred thousand rows instead
//! of joining millions of claims with their diseases.
//!
//! The tables follow the claims lazily: before a search that needs them, [`ensure`] looks
//! at the newest import of claims or diseases; when it is newer than the one the index was
//! built from, the fiscal years of the rows imported since are rebuilt (a replaced period
//! is re-imported rows of the same months, so its years are among them). A restored
//! backup brings its own index with its own data.

use duckdb::{Connection, params};

use super::SearchError;
use super::query::fy_dates;

/// The newest import of the claims or their diseases (0 when none).
fn newest_import(conn: &Connection) -> Result<i64, duckdb::Error> {
    conn.query_row(
        "SELECT coalesce(max(import_id), 0) FROM (
             SELECT max(import_id) AS import_id FROM claims
             UNION ALL SELECT max(import_id) FROM claim_diseases)",
        [],
        |r| r.get(0),
    )
}

fn built_from(conn: &Connection) -> Result<Option<i64>, duckdb::Error> {
    let mut stmt = conn.prepare("SELECT max(last_import) FROM search_index_state")?;
    stmt.query_row([], |r| r.get(0))
}

/// The fiscal year of a date column, as SQL.
const FY_OF: &str = "CAST(year(service_month - INTERVAL 3 MONTH) AS INTEGER)";

/// Brings the index up to date with the claims. Returns the years rebuilt.
pub fn ensure(conn: &Connection) -> Result<Vec<i32>, SearchError> {
    let newest = newest_import(conn)?;
    let from = built_from(conn)?;
    if from == Some(newest) {
        return Ok(Vec::new());
    }
    let since = from.unwrap_or(-1);
    // The years with rows imported since (every year when the index was never built).
    let years: Vec<i32> = {
        let sql = format!(
            "SELECT DISTINCT {FY_OF} FROM claims WHERE import_id > ?
             UNION SELECT DISTINCT {FY_OF} FROM claim_diseases WHERE import_id > ?
             ORDER BY 1"
        );
        let mut stmt = conn.prepare(&sql)?;
        stmt.query_map(params![since, since], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    };
    crate::store::in_transaction(conn, || -> Result<(), duckdb::Error> {
        for &fy in &years {
            rebuild_year(conn, fy)?;
        }
        conn.execute("DELETE FROM search_index_state", [])?;
        conn.execute("INSERT INTO search_index_state VALUES (?)", params![newest])?;
        Ok(())
    })?;
    Ok(years)
}

fn rebuild_year(conn: &Connection, fy: i32) -> Result<(), duckdb::Error> {
    let (s, e) = fy_dates(fy);
    let (s, e) = (
        s.format("%Y-%m-%d").to_string(),
        e.format("%Y-%m-%d").to_string(),
    );
    conn.execute("DELETE FROM visit_index WHERE fy = ?", params![fy])?;
    conn.execute("DELETE FROM disease_index WHERE fy = ?", params![fy])?;
    conn.execute(
        "INSERT INTO visit_index
         SELECT DISTINCT CAST(? AS INTEGER), insured_id, institution_code FROM claims
         WHERE service_month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)",
        params![fy, s, e],
    )?;
    conn.execute(
        "INSERT INTO disease_index
         SELECT DISTINCT CAST(? AS INTEGER), c.insured_id, d.icd10
         FROM claims c JOIN claim_diseases d
           ON d.claim_id = c.claim_id AND d.insurer_no = c.insurer_no AND d.service_month = c.service_month
         WHERE c.service_month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)
           AND d.service_month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)",
        params![fy, s, e, s, e],
    )?;
    Ok(())
}
