//! Numbered schema migrations, recorded in `schema_version`. Each migration runs in its own
//! transaction. A database whose version is newer than this binary knows is refused.

use duckdb::{Connection, params};

use super::{Result, StoreError};

/// (version, name, SQL). Never edit a released migration: add a new one.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("migrations/0001_initial.sql")),
    (2, "layers", include_str!("migrations/0002_layers.sql")),
    (
        3,
        "locations",
        include_str!("migrations/0003_locations.sql"),
    ),
    (
        4,
        "saved_maps",
        include_str!("migrations/0004_saved_maps.sql"),
    ),
    (5, "accounts", include_str!("migrations/0005_accounts.sql")),
    (
        6,
        "import_bytes",
        include_str!("migrations/0006_import_bytes.sql"),
    ),
];

pub const LATEST_VERSION: i64 = 6;

/// The municipality reference (code, name, secondary medical area), shipped with the app.
const MUNICIPALITIES_CSV: &str = include_str!("../../data/reference/secondary_medical_areas.csv");

pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(max(version), 0) FROM schema_version",
        [],
        |r| r.get(0),
    )?)
}

pub fn migrate(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)",
    )?;
    let current = schema_version(conn)?;
    if current > LATEST_VERSION {
        return Err(StoreError::NewerSchema {
            found: current,
            supported: LATEST_VERSION,
        });
    }
    for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        super::in_transaction(conn, || -> Result<()> {
            conn.execute_batch(sql)?;
            if version == 1 {
                seed_municipalities(conn)?;
            }
            conn.execute(
                "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                params![version, name],
            )?;
            Ok(())
        })?;
    }
    Ok(())
}

fn seed_municipalities(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE ref_municipalities (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, medical_area_code VARCHAR NOT NULL, medical_area_name VARCHAR NOT NULL);
         COMMENT ON TABLE ref_municipalities IS '市町村と二次医療圏（参照データ）';",
    )?;
    let mut stmt = conn.prepare("INSERT INTO ref_municipalities VALUES (?, ?, ?, ?)")?;
    for line in MUNICIPALITIES_CSV.lines().skip(1) {
        let cols: Vec<&str> = line.trim().split(',').collect();
        if cols.len() == 4 {
            stmt.execute(params![cols[0], cols[1], cols[2], cols[3]])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_newer() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        migrate(&conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM ref_municipalities", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 39);
        conn.execute(
            "INSERT INTO schema_version (version, name) VALUES (99, 'future')",
            [],
        )
        .unwrap();
        assert!(matches!(
            migrate(&conn),
            Err(StoreError::NewerSchema { found: 99, .. })
        ));
    }

    /// The importer appends Arrow batches in the order of `kinds.rs`; the tables must agree.
    #[test]
    fn tables_match_kind_definitions() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        for def in crate::import::kinds::KINDS {
            let mut stmt = conn
                .prepare("SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position")
                .unwrap();
            let cols: Vec<String> = stmt
                .query_map([def.table], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            let mut want: Vec<String> = def.fields.iter().map(|f| f.name.to_string()).collect();
            want.push("import_id".into());
            assert_eq!(cols, want, "table {}", def.table);
        }
    }
}
