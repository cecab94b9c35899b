//! The manifest of a backup: when, by whom, the schema version, the audit head at that
//! moment, and per table its row count and an order-independent checksum
//! (`bit_xor(hash(row))`), plus the SHA-256 of every file in the archive. A restore
//! recomputes the table figures on the restored database before switching over.

use std::collections::BTreeMap;

use duckdb::Connection;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TableSum {
    pub rows: i64,
    /// `bit_xor` of every row's hash, as decimal text (u64).
    pub checksum: String,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub app_version: String,
    pub created_utc: String,
    pub created_by: String,
    pub schema_version: i64,
    /// The audit log's head when the backup was taken.
    pub audit_head: crate::audit::Head,
    pub tables: BTreeMap<String, TableSum>,
    /// Archive member → SHA-256 (hex).
    pub files: BTreeMap<String, String>,
}

pub const FORMAT: u32 = 1;

/// A quoted SQL identifier (table names come from the catalogue, never from input).
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The base tables of the main schema of the current database.
pub fn tables(conn: &Connection) -> Result<Vec<String>, duckdb::Error> {
    let mut stmt = conn.prepare(
        "SELECT table_name FROM information_schema.tables
         WHERE table_catalog = current_database() AND table_schema = 'main'
           AND table_type = 'BASE TABLE' ORDER BY 1",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// Row count and checksum of every table.
pub fn table_sums(conn: &Connection) -> Result<BTreeMap<String, TableSum>, duckdb::Error> {
    let mut out = BTreeMap::new();
    for t in tables(conn)? {
        let sql = format!(
            "SELECT count(*), coalesce(bit_xor(hash(x)), 0)::VARCHAR FROM {} AS x",
            ident(&t)
        );
        let (rows, checksum) = conn.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        out.insert(t, TableSum { rows, checksum });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_see_a_changed_value_but_not_the_row_order() {
        let a = Connection::open_in_memory().unwrap();
        a.execute_batch(
            "CREATE TABLE t (id INTEGER, name VARCHAR, g BLOB);
             INSERT INTO t VALUES (1, '奈良', '\\x01\\x02'::BLOB), (2, '大和', NULL);",
        )
        .unwrap();
        let b = Connection::open_in_memory().unwrap();
        b.execute_batch(
            "CREATE TABLE t (id INTEGER, name VARCHAR, g BLOB);
             INSERT INTO t VALUES (2, '大和', NULL), (1, '奈良', '\\x01\\x02'::BLOB);",
        )
        .unwrap();
        assert_eq!(table_sums(&a).unwrap(), table_sums(&b).unwrap());
        b.execute_batch("UPDATE t SET name = '大和郡山' WHERE id = 2")
            .unwrap();
        let (sa, sb) = (table_sums(&a).unwrap(), table_sums(&b).unwrap());
        assert_eq!(sa["t"].rows, sb["t"].rows);
        assert_ne!(sa["t"].checksum, sb["t"].checksum);
    }
}
