//! Row counts of the data tables and of the users' own tables, with the import history,
//! the fiscal years of the checkups and how their institution codes match the masters:
//! what `kenshin-atlas stats --json` prints, and what the screens' year lists come from.

use std::collections::BTreeMap;

use duckdb::Connection;

use super::{ImportRecord, InstitutionMatch, Result, history, institution_match};

#[derive(Debug, Clone, serde::Serialize)]
pub struct TableCount {
    pub table: String,
    pub label: String,
    pub rows: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Stats {
    /// Data tables (one per kind), by table name. System and reference tables are not
    /// listed here.
    pub tables: BTreeMap<String, i64>,
    /// User tables (独自データ), by the name the user gave them: a name of any text, which
    /// may equal a data table's name, so they are kept apart from `tables`.
    pub user_tables: BTreeMap<String, i64>,
    pub labelled: Vec<TableCount>,
    pub imports: Vec<ImportRecord>,
    /// The fiscal years that have checkups, oldest first.
    pub fiscal_years: Vec<i32>,
    pub institution_match: InstitutionMatch,
}

/// The fiscal years that have checkups, oldest first.
pub fn fiscal_years(conn: &Connection) -> Result<Vec<i32>> {
    let mut stmt = conn.prepare("SELECT DISTINCT fy FROM checkups ORDER BY fy")?;
    let years = stmt
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(years)
}

/// The rows of each data table, in the order of the kinds.
pub fn data_table_counts(
    conn: &Connection,
) -> Result<Vec<(&'static crate::store::kinds::KindDef, i64)>> {
    let mut out = Vec::new();
    for def in crate::store::kinds::KINDS {
        // Table names come from the fixed kind list, never from input.
        let rows: i64 =
            conn.query_row(&format!("SELECT count(*) FROM {}", def.table), [], |r| {
                r.get(0)
            })?;
        out.push((def, rows));
    }
    Ok(out)
}

pub(crate) fn collect(conn: &Connection) -> Result<Stats> {
    let mut tables = BTreeMap::new();
    let mut labelled = Vec::new();
    for (def, rows) in data_table_counts(conn)? {
        tables.insert(def.table.to_string(), rows);
        labelled.push(TableCount {
            table: def.table.into(),
            label: def.label.into(),
            rows,
        });
    }
    let mut user_tables = BTreeMap::new();
    for t in super::user_tables::list(conn)? {
        // The physical name is made from the table's id, never from its display name.
        let rows: i64 = conn.query_row(
            &format!(
                "SELECT count(*) FROM {}",
                super::user_tables::physical_table(t.id)
            ),
            [],
            |r| r.get(0),
        )?;
        user_tables.insert(t.name.clone(), rows);
        labelled.push(TableCount {
            table: t.name.clone(),
            label: format!("独自データ: {}", t.name),
            rows,
        });
    }
    Ok(Stats {
        tables,
        user_tables,
        labelled,
        imports: history::list(conn)?,
        fiscal_years: fiscal_years(conn)?,
        institution_match: institution_match::collect(conn)?,
    })
}
