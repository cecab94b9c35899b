//! Row counts of the data tables and of the users' own tables, with the import history:
//! what `kenshin-atlas stats --json` prints.

use std::collections::BTreeMap;

use duckdb::Connection;

use super::{ImportRecord, Result, history};

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
}

pub(crate) fn collect(conn: &Connection) -> Result<Stats> {
    let mut tables = BTreeMap::new();
    let mut labelled = Vec::new();
    for def in crate::import::kinds::KINDS {
        // Table names come from the fixed kind list, never from input.
        let rows: i64 =
            conn.query_row(&format!("SELECT count(*) FROM {}", def.table), [], |r| {
                r.get(0)
            })?;
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
    })
}
