//! Rows of the data tables and user tables as the data browser sees them (データの検索・
//! 追加・削除): a page filtered by one column's text and sorted by one column, and rows
//! added, edited or deleted by hand, each change kept in `data_edits`.
//!
//! Identifiers come from the fixed kind definitions (`store::kinds`) or are made from
//! integers (`ut_<id>`, `c<n>`); what a user types is bound as a value. A row is named by
//! its DuckDB `rowid` together with the values the user saw: an edit or a deletion checks
//! them first, so a row changed in the meantime is never overwritten blindly.
//!
//! A row added by hand to a data table carries the id of an `import_history` record of
//! source `manual` (手入力), which imports never replace (see `import::loader`). Values
//! arrive typed: validation is the importer's (`import::hand_entry`).

use duckdb::types::Value;
use duckdb::{Connection, params, params_from_iter};

use super::kinds::{Kind, KindDef};
use super::{Result, StoreError, user_tables};

/// A table the browser shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataTable {
    Kind(Kind),
    /// A user table, by id.
    User(i64),
}

/// A column: its physical name and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub ident: String,
    pub label: String,
    /// The user table column's SQL type, or `None` for a data table (typed by its kind).
    pub sql_type: Option<String>,
}

/// What page of which rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Browse {
    /// Column index and the text its value must contain (case-insensitive).
    pub filter: Option<(usize, String)>,
    /// Column index and descending.
    pub sort: Option<(usize, bool)>,
    pub offset: u64,
    pub limit: u64,
}

/// A row as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct DataRow {
    pub rowid: i64,
    pub values: Vec<Option<String>>,
    /// Added by hand (手入力).
    pub manual: bool,
    /// The import the row came from (data tables).
    pub import_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub total: u64,
    pub rows: Vec<DataRow>,
}

/// One hand change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EditRecord {
    pub op: String,
    pub import_id: Option<i64>,
    pub old_values: Option<String>,
    pub new_values: Option<String>,
    pub by: String,
    pub at: String,
}

const MANUAL: &str = "(SELECT id FROM import_history WHERE source = 'manual')";

fn def(k: Kind) -> &'static KindDef {
    k.def()
}

impl DataTable {
    /// The physical table.
    pub fn physical(self) -> String {
        match self {
            DataTable::Kind(k) => def(k).table.to_string(),
            DataTable::User(id) => user_tables::physical_table(id),
        }
    }
    /// The name the history and the audit log use.
    pub fn key(self) -> String {
        match self {
            DataTable::Kind(k) => def(k).id.to_string(),
            DataTable::User(id) => format!("user_table:{id}"),
        }
    }
}

/// The columns of a table, in order.
pub fn columns(conn: &Connection, t: DataTable) -> Result<Vec<Column>> {
    match t {
        DataTable::Kind(k) => Ok(def(k)
            .fields
            .iter()
            .map(|f| Column {
                ident: f.name.to_string(),
                label: f.label.to_string(),
                sql_type: None,
            })
            .collect()),
        DataTable::User(id) => {
            let mut stmt = conn.prepare(
                "SELECT col_no, name, sql_type FROM user_table_columns WHERE table_id = ? ORDER BY col_no",
            )?;
            let rows = stmt.query_map(params![id], |r| {
                let no: i32 = r.get(0)?;
                Ok(Column {
                    ident: user_tables::physical_column(no.max(1) as usize),
                    label: r.get(1)?,
                    sql_type: Some(r.get(2)?),
                })
            })?;
            let cols: Vec<Column> = rows.collect::<std::result::Result<_, _>>()?;
            if cols.is_empty() {
                return Err(StoreError::NotFound(format!("独自データ（ID {id}）")));
            }
            Ok(cols)
        }
    }
}

fn select_list(t: DataTable, cols: &[Column]) -> String {
    let mut s: Vec<String> = vec!["rowid".into()];
    s.extend(cols.iter().map(|c| format!("CAST({} AS VARCHAR)", c.ident)));
    match t {
        DataTable::Kind(_) => {
            s.push(format!("import_id IN {MANUAL}"));
            s.push("import_id".into());
        }
        DataTable::User(_) => {
            s.push("false".into());
            s.push("NULL::BIGINT".into());
        }
    }
    s.join(", ")
}

fn read_row(r: &duckdb::Row, n: usize) -> duckdb::Result<DataRow> {
    let mut values = Vec::with_capacity(n);
    for i in 0..n {
        values.push(r.get(i + 1)?);
    }
    Ok(DataRow {
        rowid: r.get(0)?,
        values,
        manual: r.get(n + 1)?,
        import_id: r.get(n + 2)?,
    })
}

/// One page of `t`, filtered and sorted, with the number of rows the filter keeps.
pub fn page(conn: &Connection, t: DataTable, b: &Browse) -> Result<Page> {
    let cols = columns(conn, t)?;
    let table = t.physical();
    let mut args: Vec<Value> = Vec::new();
    let filter = match &b.filter {
        Some((c, text)) if !text.trim().is_empty() => {
            let col = cols
                .get(*c)
                .ok_or_else(|| StoreError::NotFound(format!("{c} 番目の列")))?;
            args.push(Value::Text(text.trim().to_lowercase()));
            format!("WHERE contains(lower(CAST({} AS VARCHAR)), ?)", col.ident)
        }
        _ => String::new(),
    };
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM {table} {filter}"),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let order = match b.sort {
        Some((c, desc)) if c < cols.len() => format!(
            "ORDER BY {} {} NULLS LAST, rowid",
            cols[c].ident,
            if desc { "DESC" } else { "ASC" }
        ),
        _ => "ORDER BY rowid".into(),
    };
    args.push(Value::BigInt(b.limit.clamp(1, 10_000) as i64));
    args.push(Value::BigInt(b.offset as i64));
    let sql = format!(
        "SELECT {} FROM {table} {filter} {order} LIMIT ? OFFSET ?",
        select_list(t, &cols)
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args.iter()), |r| read_row(r, cols.len()))?;
    Ok(Page {
        total: total.max(0) as u64,
        rows: rows.collect::<std::result::Result<_, _>>()?,
    })
}

/// Row `rowid` of `t` as it is now.
pub fn current(conn: &Connection, t: DataTable, rowid: i64) -> Result<Option<DataRow>> {
    let cols = columns(conn, t)?;
    let sql = format!(
        "SELECT {} FROM {} WHERE rowid = ?",
        select_list(t, &cols),
        t.physical()
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params![rowid])?;
    Ok(match rows.next()? {
        Some(r) => Some(read_row(r, cols.len())?),
        None => None,
    })
}

fn now() -> String {
    chrono::Local::now()
        .naive_local()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Column label → value, as JSON text (the history's old and new values).
fn as_json(cols: &[Column], values: &[Option<String>]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = cols
        .iter()
        .zip(values)
        .map(|(c, v)| {
            (
                c.label.clone(),
                v.as_ref().map_or(serde_json::Value::Null, |s| {
                    serde_json::Value::String(s.clone())
                }),
            )
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn record(
    conn: &Connection,
    t: DataTable,
    op: &str,
    import_id: Option<i64>,
    old: Option<String>,
    new: Option<String>,
    by: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO data_edits (table_name, op, import_id, old_values, new_values, changed_by, changed_at)
         VALUES (?, ?, ?, ?, ?, ?, CAST(? AS TIMESTAMP))",
        params![t.key(), op, import_id, old, new, by, now()],
    )?;
    Ok(())
}

/// Refuses unless row `rowid` still holds `expected`.
fn check_unchanged(
    conn: &Connection,
    t: DataTable,
    rowid: i64,
    expected: &[Option<String>],
) -> Result<DataRow> {
    match current(conn, t, rowid)? {
        Some(row) if row.values == expected => Ok(row),
        Some(_) => Err(StoreError::Mismatch(
            "表示したあとでこの行が変わりました（取込または他の利用者の修正）。表示し直してから、もう一度操作してください".into(),
        )),
        None => Err(StoreError::NotFound(
            "この行（表示したあとで削除または置き換えられました）".into(),
        )),
    }
}

/// Refuses a row whose key (a keyed kind: masters, the register) another row holds: two
/// rows of one insured id would count the person twice.
fn check_key_free(
    conn: &Connection,
    t: DataTable,
    values: &[Value],
    except: Option<i64>,
) -> Result<()> {
    let DataTable::Kind(k) = t else {
        return Ok(());
    };
    let super::kinds::Replace::Key(keys) = def(k).replace else {
        return Ok(());
    };
    let mut conds = Vec::new();
    let mut args = Vec::new();
    let mut shown = Vec::new();
    for key in keys {
        let Some(i) = def(k).field_index(key) else {
            continue;
        };
        conds.push(format!("{key} IS NOT DISTINCT FROM ?"));
        args.push(values[i].clone());
        shown.push(format!(
            "{}={}",
            def(k).fields[i].label,
            value_text(&values[i])
        ));
    }
    if let Some(rowid) = except {
        conds.push("rowid <> ?".into());
        args.push(Value::BigInt(rowid));
    }
    let n: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM {} WHERE {}",
            def(k).table,
            conds.join(" AND ")
        ),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    if n > 0 {
        return Err(StoreError::Mismatch(format!(
            "同じキー（{}）の行がすでにあります。その行を選んで修正してください",
            shown.join("、")
        )));
    }
    Ok(())
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::BigInt(i) => i.to_string(),
        Value::Double(f) => f.to_string(),
        Value::Null => String::new(),
        other => format!("{other:?}"),
    }
}

/// After a hand change of the claims, the search index is built again before the next
/// search that reads it (an edit keeps the row's import, which the index goes by).
fn claims_changed(conn: &Connection, t: DataTable) -> Result<()> {
    if matches!(
        t,
        DataTable::Kind(Kind::Claims) | DataTable::Kind(Kind::ClaimDiseases)
    ) {
        conn.execute("DELETE FROM search_index_state", [])?;
    }
    Ok(())
}

/// The values of a row as text, as [`page`] shows them (for the history).
fn shown(conn: &Connection, t: DataTable, rowid: i64) -> Result<Vec<Option<String>>> {
    Ok(current(conn, t, rowid)?
        .map(|r| r.values)
        .unwrap_or_default())
}

/// Adds a row by hand (typed values, one per column). A data table's row gets a new
/// 手入力 import record of its own; a keyed kind refuses a key another row holds. One
/// transaction.
pub fn insert(conn: &Connection, t: DataTable, values: &[Value], by: &str) -> Result<()> {
    let cols = columns(conn, t)?;
    if values.len() != cols.len() {
        return Err(StoreError::Mismatch(format!(
            "値の数（{}）が列の数（{}）と合いません",
            values.len(),
            cols.len()
        )));
    }
    super::in_transaction(conn, || -> Result<()> {
        check_key_free(conn, t, values, None)?;
        let mut idents: Vec<String> = cols.iter().map(|c| c.ident.clone()).collect();
        let mut args: Vec<Value> = values.to_vec();
        let import_id = match t {
            DataTable::Kind(k) => {
                let id = super::history::begin(conn, "手入力", "", 0, Some(def(k).id), None)?;
                conn.execute(
                    "UPDATE import_history SET source = 'manual', result = 'ok', rows = 1,
                            message = ?, finished_at = current_timestamp WHERE id = ?",
                    params![format!("{}が手入力で 1 行を追加しました", by), id],
                )?;
                idents.push("import_id".into());
                args.push(Value::BigInt(id));
                Some(id)
            }
            DataTable::User(id) => {
                conn.execute(
                    "UPDATE user_tables SET rows = rows + 1 WHERE table_id = ?",
                    params![id],
                )?;
                None
            }
        };
        let marks = vec!["?"; args.len()].join(", ");
        conn.execute(
            &format!(
                "INSERT INTO {} ({}) VALUES ({marks})",
                t.physical(),
                idents.join(", ")
            ),
            params_from_iter(args.iter()),
        )?;
        // An appended row takes the highest rowid (inside this transaction, no other
        // writer: the worker owns the connection).
        let rowid: i64 = conn.query_row(
            &format!("SELECT max(rowid) FROM {}", t.physical()),
            [],
            |r| r.get(0),
        )?;
        let new = shown(conn, t, rowid)?;
        record(
            conn,
            t,
            "add",
            import_id,
            None,
            Some(as_json(&cols, &new)),
            by,
        )?;
        claims_changed(conn, t)
    })
}

/// Replaces the values of row `rowid` (which must still hold `expected`). The row keeps
/// its import: a later import of its key or period replaces the edit.
pub fn update(
    conn: &Connection,
    t: DataTable,
    rowid: i64,
    expected: &[Option<String>],
    values: &[Value],
    by: &str,
) -> Result<()> {
    let cols = columns(conn, t)?;
    if values.len() != cols.len() {
        return Err(StoreError::Mismatch("値の数が列の数と合いません".into()));
    }
    super::in_transaction(conn, || -> Result<()> {
        let before = check_unchanged(conn, t, rowid, expected)?;
        check_key_free(conn, t, values, Some(rowid))?;
        let set: Vec<String> = cols.iter().map(|c| format!("{} = ?", c.ident)).collect();
        let mut args = values.to_vec();
        args.push(Value::BigInt(rowid));
        conn.execute(
            &format!(
                "UPDATE {} SET {} WHERE rowid = ?",
                t.physical(),
                set.join(", ")
            ),
            params_from_iter(args.iter()),
        )?;
        let after = shown(conn, t, rowid)?;
        record(
            conn,
            t,
            "edit",
            before.import_id,
            Some(as_json(&cols, &before.values)),
            Some(as_json(&cols, &after)),
            by,
        )?;
        claims_changed(conn, t)
    })
}

/// Deletes row `rowid` (which must still hold `expected`), recording it with its import.
pub fn delete(
    conn: &Connection,
    t: DataTable,
    rowid: i64,
    expected: &[Option<String>],
    by: &str,
) -> Result<()> {
    let cols = columns(conn, t)?;
    super::in_transaction(conn, || -> Result<()> {
        let before = check_unchanged(conn, t, rowid, expected)?;
        conn.execute(
            &format!("DELETE FROM {} WHERE rowid = ?", t.physical()),
            params![rowid],
        )?;
        if let DataTable::User(id) = t {
            conn.execute(
                "UPDATE user_tables SET rows = greatest(rows - 1, 0) WHERE table_id = ?",
                params![id],
            )?;
        }
        record(
            conn,
            t,
            "delete",
            before.import_id,
            Some(as_json(&cols, &before.values)),
            None,
            by,
        )?;
        claims_changed(conn, t)
    })
}

/// The hand changes of `t`, oldest first.
pub fn edits(conn: &Connection, t: DataTable) -> Result<Vec<EditRecord>> {
    let mut stmt = conn.prepare(
        "SELECT op, import_id, old_values, new_values, changed_by,
                strftime(changed_at, '%Y-%m-%d %H:%M:%S')
         FROM data_edits WHERE table_name = ? ORDER BY id",
    )?;
    let rows = stmt.query_map(params![t.key()], |r| {
        Ok(EditRecord {
            op: r.get(0)?,
            import_id: r.get(1)?,
            old_values: r.get(2)?,
            new_values: r.get(3)?,
            by: r.get(4)?,
            at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}
