//! Numbered schema migrations, recorded in `schema_version`. Each migration runs in its own
//! transaction. A database whose version is newer than this binary knows is refused.

use std::collections::BTreeSet;

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
    (
        7,
        "user_tables",
        include_str!("migrations/0007_user_tables.sql"),
    ),
    (
        8,
        "user_prefs",
        include_str!("migrations/0008_user_prefs.sql"),
    ),
    (
        9,
        "group_suspend",
        include_str!("migrations/0009_group_suspend.sql"),
    ),
    (
        10,
        "institution_locations",
        include_str!("migrations/0010_institution_locations.sql"),
    ),
    (11, "search", include_str!("migrations/0011_search.sql")),
    (
        12,
        "search_index",
        include_str!("migrations/0012_search_index.sql"),
    ),
    (
        13,
        "extractions",
        include_str!("migrations/0013_extractions.sql"),
    ),
    (
        14,
        "matching_marks",
        include_str!("migrations/0014_matching_marks.sql"),
    ),
    (
        15,
        "data_edits",
        include_str!("migrations/0015_data_edits.sql"),
    ),
    (16, "layouts", include_str!("migrations/0016_layouts.sql")),
];

pub const LATEST_VERSION: i64 = 16;

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
    migrate_to(conn, LATEST_VERSION)
}

/// Brings the schema up to `target` (the latest, except in tests of a migration).
fn migrate_to(conn: &Connection, target: i64) -> Result<()> {
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
    for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current && m.0 <= target) {
        super::in_transaction(conn, || -> Result<()> {
            conn.execute_batch(sql)?;
            if version == 1 {
                seed_municipalities(conn)?;
            }
            if version == 7 {
                // The legacy user tables' names are data: moving them needs code.
                super::user_tables::move_legacy(conn, &own_tables(6)?)?;
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

/// The tables (lower case) of the application's schema at `version`, from an empty
/// in-memory database brought to that version.
fn own_tables(version: i64) -> Result<BTreeSet<String>> {
    let mem = Connection::open_in_memory()?;
    migrate_to(&mem, version)?;
    let mut stmt = mem.prepare("SELECT lower(table_name) FROM duckdb_tables()")?;
    let names = stmt
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(names)
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
        for def in crate::store::kinds::KINDS {
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

    /// Migration 0007 moves the user tables made under the old naming to generated names,
    /// keeps their rows, types and headers, and leaves a table of the application that an
    /// old user table had taken the name of where it is.
    #[test]
    fn user_tables_move_to_generated_names() {
        let conn = Connection::open_in_memory().unwrap();
        migrate_to(&conn, 6).unwrap();
        conn.execute_batch(
            "CREATE TABLE \"健診会場\" (\"会場\" VARCHAR, \"定員\" BIGINT, \"開設日\" DATE);
             INSERT INTO \"健診会場\" VALUES ('中央公民館', 40, DATE '2021-04-01'), ('西小学校', NULL, NULL), ('東体育館', 120, DATE '2022-01-15');
             INSERT INTO user_tables VALUES ('健診会場', '会場.csv', NULL, 2, '会場', NULL, 3, 1);
             -- What the old naming allowed: a user table in place of the rights.
             DROP TABLE user_rights;
             CREATE TABLE user_rights (user_id VARCHAR, right_key VARCHAR);
             INSERT INTO user_rights VALUES ('kato', 'manage_users');
             INSERT INTO user_tables VALUES ('user_rights', 'r.csv', NULL, 1, NULL, NULL, 1, 2);
             INSERT INTO user_tables VALUES ('Layer_1', 'l.csv', NULL, 1, NULL, NULL, 0, 3);
             INSERT INTO user_tables VALUES ('消えた表', 'g.csv', NULL, 1, NULL, NULL, 0, 4);",
        )
        .unwrap();
        migrate(&conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION);
        let listed = crate::store::user_tables::list(&conn).unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].name, "健診会場");
        assert_eq!(listed[0].rows, 3);
        let t = crate::store::user_tables::physical_table(listed[0].id);
        let mut stmt = conn
            .prepare(&format!(
                "SELECT c1, c2, strftime(c3, '%Y-%m-%d') FROM {t} ORDER BY c1"
            ))
            .unwrap();
        let rows: Vec<(String, Option<i64>, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            rows,
            vec![
                ("中央公民館".into(), Some(40), Some("2021-04-01".into())),
                ("東体育館".into(), Some(120), Some("2022-01-15".into())),
                ("西小学校".into(), None, None),
            ]
        );
        let mut stmt = conn
            .prepare("SELECT col_no, name, sql_type FROM user_table_columns ORDER BY col_no")
            .unwrap();
        let cols: Vec<(i64, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            cols,
            vec![
                (1, "会場".into(), "VARCHAR".into()),
                (2, "定員".into(), "BIGINT".into()),
                (3, "開設日".into(), "DATE".into()),
            ]
        );
        let tables: Vec<String> = conn
            .prepare("SELECT table_name FROM duckdb_tables() ORDER BY 1")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(!tables.contains(&"健診会場".to_string()), "{tables:?}");
        assert!(!tables.contains(&"user_tables_legacy".to_string()));
        // The application's table is left where it was (its content is what it is).
        let n: i64 = conn
            .query_row("SELECT count(*) FROM user_rights", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
