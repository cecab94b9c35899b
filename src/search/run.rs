//! Running a compiled search: the count, the keys, or the listing as the project's result
//! table (a polars frame with named columns, [`col`]). The key tables of place conditions
//! are loaded before and dropped after, whatever happens.

use duckdb::Connection;

use super::SearchError;
use super::cache::SearchCache;
use super::fields::TEST_ITEMS;
use super::query::{Query, Subject};
use super::sql::{self, Compiled};
use crate::analysis::frame::{self, DataFrame};

/// The result table's column names.
pub mod col {
    pub const KEY: &str = "キー";
    pub const ID: &str = "被保険者ID";
    pub const NAME: &str = "氏名";
    pub const KANA: &str = "カナ氏名";
    pub const SEX: &str = "性別";
    pub const AGE: &str = "年齢";
    pub const MUNICIPALITY: &str = "市町村";
    pub const SMALL_AREA: &str = "町丁・字";
    pub const ADDRESS: &str = "住所";
    pub const ATTENDED: &str = "受診";
    pub const MATCH: &str = "住所照合";
    pub const MARK: &str = "印";
    pub const NOTE: &str = "備考";
    pub const CODE: &str = "機関コード";
    pub const INST_NAME: &str = "名称";
    pub const PHONE: &str = "電話番号";
    pub const CHECKUP: &str = "特定健診";
    pub const CANCER: &str = "がん検診";
    pub const ITEMS: &str = "検査項目";
    pub const USERS: &str = "利用者数";
    pub const LON: &str = "経度";
    pub const LAT: &str = "緯度";
}

fn with_keys<T>(
    conn: &Connection,
    c: &Compiled,
    f: impl FnOnce() -> Result<T, SearchError>,
) -> Result<T, SearchError> {
    let out = sql::load_keys(conn, &c.key_sets).and_then(|()| f());
    sql::drop_keys(conn, c.key_sets.len());
    out
}

/// How many rows match.
pub fn count(conn: &Connection, cache: &mut SearchCache, q: &Query) -> Result<u64, SearchError> {
    let c = sql::compile(conn, cache, q, false)?;
    with_keys(conn, &c, || {
        let (sql, params) = c.statement("count(*)", "");
        let n: i64 = conn.query_row(&sql, duckdb::params_from_iter(params), |r| r.get(0))?;
        Ok(n.max(0) as u64)
    })
}

/// The keys of the matching rows, sorted (insured ids, institution codes, or row numbers of
/// a user table).
pub fn keys(
    conn: &Connection,
    cache: &mut SearchCache,
    q: &Query,
) -> Result<Vec<String>, SearchError> {
    let c = sql::compile(conn, cache, q, false)?;
    with_keys(conn, &c, || {
        let (sql, params) = c.statement(&format!("b.{}", c.key), "ORDER BY 1");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(duckdb::params_from_iter(params), |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// The matching rows with their display columns (the insured: personal data, behind the
/// engine's 個人情報の閲覧 gate). Institutions' user counts from 1 to `threshold − 1` are
/// withheld (null) unless `reveal`.
pub fn list(
    conn: &Connection,
    cache: &mut SearchCache,
    q: &Query,
    threshold: i64,
    reveal: bool,
) -> Result<DataFrame, SearchError> {
    let mut q = q.clone();
    if q.subject == Subject::Institutions && q.fy.is_some() {
        // The listing shows the year's users: count them (a condition that always holds).
        q.cond = super::query::Cond::And(vec![
            q.cond.clone(),
            super::query::Cond::Field(super::query::FieldCond::new(
                "users",
                super::query::Op::Ge,
                serde_json::json!(0),
            )),
        ]);
    }
    let c = sql::compile(conn, cache, &q, true)?;
    // The mark and its reason in Japanese (labels from the fixed definitions).
    let reasons: String = crate::store::marks::Reason::ALL
        .iter()
        .map(|r| format!(" WHEN '{}' THEN '{}'", r.id(), r.label()))
        .collect();
    let select = match &q.subject {
        Subject::Insured => format!(
            "b.insured_id AS \"{}\", b.insured_id AS \"{}\", b.name AS \"{}\", b.kana_name AS \"{}\",
             CASE b.sex WHEN 1 THEN '男' WHEN 2 THEN '女' ELSE '' END AS \"{}\", b.age AS \"{}\",
             (SELECT name FROM ref_municipalities m WHERE m.code = b.municipality_code) AS \"{}\",
             (SELECT name FROM ref_small_areas s WHERE s.key_code = b.key_code) AS \"{}\",
             b.address AS \"{}\",
             CASE WHEN b.insured_id IN (SELECT insured_id FROM checkups
                              WHERE checkup_date BETWEEN CAST(?1 AS DATE) AND CAST(?2 AS DATE))
                  THEN '受診' ELSE '未受診' END AS \"{}\",
             CASE b.match_level WHEN 1 THEN '街区' WHEN 2 THEN '町丁・字' WHEN 3 THEN '曖昧' ELSE '不明' END AS \"{}\",
             (SELECT CASE mk.mark WHEN 'excluded' THEN '除外' ELSE '勧奨対象' END
                     || '（' || CASE mk.reason{reasons} ELSE mk.reason END || '）'
              FROM insured_marks mk WHERE mk.insured_id = b.insured_id) AS \"{}\",
             (SELECT mk.note FROM insured_marks mk WHERE mk.insured_id = b.insured_id) AS \"{}\",
             b.lon AS \"{}\", b.lat AS \"{}\"",
            col::KEY,
            col::ID,
            col::NAME,
            col::KANA,
            col::SEX,
            col::AGE,
            col::MUNICIPALITY,
            col::SMALL_AREA,
            col::ADDRESS,
            col::ATTENDED,
            col::MATCH,
            col::MARK,
            col::NOTE,
            col::LON,
            col::LAT
        ),
        Subject::Institutions => {
            let items: Vec<String> = TEST_ITEMS
                .iter()
                .map(|(k, l)| format!("CASE WHEN b.{k} THEN '{l}' END"))
                .collect();
            let users = if reveal {
                "b.users".to_string()
            } else {
                format!(
                    "CASE WHEN b.users > 0 AND b.users < {} THEN NULL ELSE b.users END",
                    threshold.max(1)
                )
            };
            format!(
                "b.code AS \"{}\", b.code AS \"{}\", b.name AS \"{}\", b.address AS \"{}\", b.phone AS \"{}\",
                 b.checkup AS \"{}\", b.cancer_screening AS \"{}\",
                 concat_ws('・', {}) AS \"{}\", {users} AS \"{}\", b.lon AS \"{}\", b.lat AS \"{}\"",
                col::KEY,
                col::CODE,
                col::INST_NAME,
                col::ADDRESS,
                col::PHONE,
                col::CHECKUP,
                col::CANCER,
                items.join(", "),
                col::ITEMS,
                col::USERS,
                col::LON,
                col::LAT
            )
        }
        Subject::UserTable(_) => format!("b.row_key AS \"{}\", b.* EXCLUDE (row_key)", col::KEY),
    };
    with_keys(conn, &c, || {
        let (sql, params) = c.statement(&select, &format!("ORDER BY b.{}", c.key));
        let df = frame::query(conn, &sql, duckdb::params_from_iter(params))
            .map_err(|e| SearchError::Frame(e.to_string()))?;
        Ok(match &q.subject {
            Subject::UserTable(name) => rename_user_columns(conn, name, df)?,
            _ => df,
        })
    })
}

/// A user table's listing with its headers instead of `c<n>`.
fn rename_user_columns(
    conn: &Connection,
    name: &str,
    mut df: DataFrame,
) -> Result<DataFrame, SearchError> {
    let mut stmt = conn.prepare(
        "SELECT c.col_no, c.name FROM user_table_columns c JOIN user_tables t USING (table_id)
         WHERE t.name = ? ORDER BY c.col_no",
    )?;
    let cols = stmt
        .query_map(duckdb::params![name], |r| {
            Ok((r.get::<_, i32>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (no, header) in cols {
        let from = crate::store::user_tables::physical_column(no as usize);
        if df.get_column_index(&from).is_some() && df.get_column_index(&header).is_none() {
            let _ = df.rename(&from, header.as_str().into());
        }
    }
    Ok(df)
}
