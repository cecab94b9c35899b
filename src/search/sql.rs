//! A query compiled to one parameterised SQL statement. Values are always bound (`?`);
//! the only identifiers written into the text come from fixed definitions
//! ([`super::fields`]) or integer ids (`ut_<id>.c<n>`, `search_keys_<n>`).
//!
//! Place conditions and the width-folded name match are evaluated in Rust first (the
//! R-tree prefilter of [`super::cache`]), and their keys go to temporary tables
//! `search_keys_<n>` that the statement reads; everything else is SQL over the subject's
//! base rows `b`.

use chrono::NaiveDate;
use duckdb::Connection;
use duckdb::types::Value as Sql;
use serde_json::Value;

use super::SearchError;
use super::cache::SearchCache;
use super::fields::{self, CHECKUP_ITEMS, TEST_ITEMS, ValueKind, text_of, values_of};
use super::place;
use super::query::{Cond, FieldCond, Op, Place, Query, Subject};

pub use super::query::fy_dates;

/// A compiled query: the base CTE of its subject, the WHERE over `b`, the parameters in
/// order, and the key sets to load into `search_keys_<n>` before running.
#[derive(Debug)]
pub struct Compiled {
    pub base: String,
    pub base_params: Vec<Sql>,
    pub filter: String,
    pub params: Vec<Sql>,
    pub key_sets: Vec<Vec<String>>,
    /// The key column of `b`.
    pub key: &'static str,
}

impl Compiled {
    /// `WITH b AS (…) SELECT <select> FROM b WHERE <filter> <tail>` and its parameters.
    pub fn statement(&self, select: &str, tail: &str) -> (String, Vec<Sql>) {
        let sql = format!(
            "WITH {} SELECT {select} FROM b WHERE {} {tail}",
            self.base, self.filter
        );
        let mut p = self.base_params.clone();
        p.extend(self.params.iter().cloned());
        (sql, p)
    }
}

struct Compiler<'a> {
    conn: &'a Connection,
    cache: &'a mut SearchCache,
    subject: Subject,
    fy: i32,
    params: Vec<Sql>,
    key_sets: Vec<Vec<String>>,
    needs_users: bool,
    /// A condition reads the claims' index ([`super::index`]).
    needs_index: bool,
    /// A condition reads the insured's locations.
    needs_location: bool,
    /// Key tables of top-level place conditions (the base is narrowed by them).
    restrict: Vec<KeyTable>,
    /// For a user table: its id, and the key column and what it links to.
    user_table: Option<(i64, Option<usize>, Option<String>)>,
}

fn date(d: NaiveDate) -> Sql {
    Sql::Text(d.format("%Y-%m-%d").to_string())
}

/// The insured of fiscal year `fy`: everyone insured at some time in it (binds s, e as ?1,
/// ?2). `restrict` narrows it early (the top-level place conditions' key tables); the
/// locations are joined only when something reads them.
fn insured_base(restrict: &[KeyTable], location: bool) -> String {
    let (loc_cols, loc_join) = if location {
        (
            "l.key_code, coalesce(l.match_level, 0) AS match_level, l.lon, l.lat",
            "LEFT JOIN insured_locations l ON l.insured_id = i.insured_id",
        )
    } else {
        (
            "CAST(NULL AS VARCHAR) AS key_code, 0 AS match_level, CAST(NULL AS DOUBLE) AS lon, CAST(NULL AS DOUBLE) AS lat",
            "",
        )
    };
    let extra: String = restrict
        .iter()
        .map(|t| format!(" AND i.insured_id IN (SELECT k FROM {})", t.name()))
        .collect();
    format!(
        "b AS (
    SELECT i.insured_id, i.insurer_no, i.symbol_no, i.name, i.kana_name, i.address, i.sex,
           i.municipality_code, i.acquired_date, i.lost_date,
           year(CAST(?2 AS DATE)) - year(i.birth_date)
             - CASE WHEN month(i.birth_date) * 100 + day(i.birth_date) > 331 THEN 1 ELSE 0 END AS age,
           {loc_cols}
    FROM insured i {loc_join}
    WHERE i.acquired_date <= CAST(?2 AS DATE)
      AND (i.lost_date IS NULL OR i.lost_date > CAST(?1 AS DATE)){extra})"
    )
}

/// Both masters by code, test items, and (when a condition needs it) users in the year.
/// Every base binds the year's first and last day as ?1 and ?2 (here at least in a
/// predicate that always holds, so that the parameter count never depends on the query).
fn institutions_base(users: bool) -> String {
    let items: String = TEST_ITEMS
        .iter()
        .map(|(k, _)| format!(", coalesce(c.{k}, false) AS {k}"))
        .collect();
    let (u_cte, u_join, u_col) = if users {
        (
            ", v AS (SELECT institution_code AS code, insured_id FROM claims
                     WHERE service_month BETWEEN CAST(?1 AS DATE) AND CAST(?2 AS DATE)
                     UNION SELECT institution_code, insured_id FROM checkups
                     WHERE checkup_date BETWEEN CAST(?1 AS DATE) AND CAST(?2 AS DATE)),
               u AS (SELECT code, count(DISTINCT insured_id) AS users FROM v GROUP BY code)",
            "LEFT JOIN u ON u.code = coalesce(m.code, c.code)",
            "coalesce(u.users, 0)",
        )
    } else {
        // Not counted: no number rather than a false 0.
        ("", "", "CAST(NULL AS BIGINT)")
    };
    format!(
        "m AS (SELECT code, name, address, phone, lat, lon FROM medical_institutions
               QUALIFY row_number() OVER (PARTITION BY code ORDER BY import_id DESC, name) = 1),
         c AS (SELECT * FROM checkup_institutions
               QUALIFY row_number() OVER (PARTITION BY code ORDER BY import_id DESC, name) = 1)
         {u_cte},
         b AS (SELECT coalesce(m.code, c.code) AS code,
                      coalesce(nullif(trim(m.name), ''), c.name, '') AS name,
                      coalesce(m.address, '') AS address, coalesce(m.phone, '') AS phone,
                      m.code IS NOT NULL AS medical, coalesce(c.does_checkup, false) AS checkup,
                      coalesce(c.does_cancer_screening, false) AS cancer_screening {items},
                      {u_col} AS users,
                      coalesce(m.lon, l.lon) AS lon, coalesce(m.lat, l.lat) AS lat
               FROM m FULL JOIN c ON m.code = c.code
               LEFT JOIN institution_locations l ON l.institution_code = coalesce(m.code, c.code)
               {u_join}
               WHERE CAST(?1 AS DATE) <= CAST(?2 AS DATE))"
    )
}

/// Compiles `q` (validated on the way: fields, operators and values). `location`: the
/// result reads the insured's locations (a listing).
pub fn compile(
    conn: &Connection,
    cache: &mut SearchCache,
    q: &Query,
    location: bool,
) -> Result<Compiled, SearchError> {
    let fy = q.fy.unwrap_or(2021);
    let (s, e) = fy_dates(fy);
    let user_table = match &q.subject {
        Subject::UserTable(name) => Some(user_table_info(conn, name)?),
        _ => None,
    };
    let mut c = Compiler {
        conn,
        cache,
        subject: q.subject.clone(),
        fy,
        params: Vec::new(),
        key_sets: Vec::new(),
        needs_users: false,
        needs_index: false,
        needs_location: location,
        restrict: Vec::new(),
        user_table,
    };
    // Parameters ?1 and ?2 are the year's first and last day; numbered ones follow.
    c.params.push(date(s));
    c.params.push(date(e));
    let filter = c.top(&q.cond)?;
    if c.needs_users && q.fy.is_none() {
        return Err(SearchError::UsersNeedYear);
    }
    if c.needs_index {
        super::index::ensure(conn)?;
    }
    let (base, key) = match &q.subject {
        Subject::Insured => (insured_base(&c.restrict, c.needs_location), "insured_id"),
        Subject::Institutions => (institutions_base(c.needs_users), "code"),
        Subject::UserTable(_) => {
            let (id, _, _) = c.user_table.clone().unwrap_or_default();
            (
                format!(
                    "b AS (SELECT CAST(rowid AS VARCHAR) AS row_key, * FROM {}
                           WHERE CAST(?1 AS DATE) <= CAST(?2 AS DATE))",
                    crate::store::user_tables::physical_table(id)
                ),
                "row_key",
            )
        }
    };
    Ok(Compiled {
        base,
        base_params: Vec::new(),
        filter,
        params: c.params,
        key_sets: c.key_sets,
        key,
    })
}

/// A user table's id, its key column's number and what it links to.
fn user_table_info(
    conn: &Connection,
    name: &str,
) -> Result<(i64, Option<usize>, Option<String>), SearchError> {
    let mut stmt = conn.prepare(
        "SELECT t.table_id, t.link_to, c.col_no FROM user_tables t
         LEFT JOIN user_table_columns c ON c.table_id = t.table_id AND c.name = t.key_column
         WHERE t.name = ?",
    )?;
    let mut rows = stmt.query(duckdb::params![name])?;
    match rows.next()? {
        Some(r) => {
            let id: i64 = r.get(0)?;
            let link: Option<String> = r.get(1)?;
            let col: Option<i32> = r.get(2)?;
            Ok((id, col.map(|c| c as usize), link))
        }
        None => Err(SearchError::NoUserTable(name.to_string())),
    }
}

/// A user table column's number and SQL type, by header.
fn user_column(conn: &Connection, id: i64, header: &str) -> Result<(usize, String), SearchError> {
    let mut stmt = conn.prepare(
        "SELECT col_no, sql_type FROM user_table_columns WHERE table_id = ? AND name = ?",
    )?;
    let mut rows = stmt.query(duckdb::params![id, header])?;
    match rows.next()? {
        Some(r) => Ok((r.get::<_, i32>(0)? as usize, r.get(1)?)),
        None => Err(SearchError::NoColumn(header.to_string())),
    }
}

impl Compiler<'_> {
    fn bind(&mut self, v: Sql) -> String {
        self.params.push(v);
        format!("?{}", self.params.len())
    }

    fn bind_json(&mut self, v: &Value, kind: ValueKind) -> String {
        let p = match (kind, v) {
            (_, Value::Bool(b)) => Sql::Boolean(*b),
            (ValueKind::Int, v) => Sql::BigInt(v.as_i64().unwrap_or_default()),
            (ValueKind::Float, v) => Sql::Double(v.as_f64().unwrap_or_default()),
            (ValueKind::Date, v) => Sql::Text(text_of(v)),
            (_, v) => Sql::Text(text_of(v)),
        };
        let slot = self.bind(p);
        match kind {
            ValueKind::Date => format!("CAST({slot} AS DATE)"),
            ValueKind::Int => format!("CAST({slot} AS BIGINT)"),
            ValueKind::Float => format!("CAST({slot} AS DOUBLE)"),
            _ => slot,
        }
    }

    /// `expr <op> value` for a comparison, `between` or a list.
    fn compare(&mut self, expr: &str, f: &FieldCond, kind: ValueKind) -> String {
        match f.op {
            Op::Between => {
                let a = values_of(&f.value);
                let lo = self.bind_json(a[0], kind);
                let hi = self.bind_json(a.get(1).copied().unwrap_or(a[0]), kind);
                format!("({expr} BETWEEN {lo} AND {hi})")
            }
            Op::In | Op::Eq if f.value.is_array() || f.op == Op::In => {
                let list: Vec<String> = values_of(&f.value)
                    .into_iter()
                    .map(|v| self.bind_json(v, kind))
                    .collect();
                format!("({expr} IN ({}))", list.join(", "))
            }
            op => {
                let v = self.bind_json(&f.value, kind);
                format!("({expr} {} {v})", op.sql())
            }
        }
    }

    fn list(&mut self, f: &FieldCond) -> String {
        let list: Vec<String> = values_of(&f.value)
            .into_iter()
            .map(|v| self.bind(Sql::Text(text_of(v))))
            .collect();
        list.join(", ")
    }

    fn in_keys(&mut self, keys: Vec<String>) -> KeyTable {
        self.key_sets.push(keys);
        KeyTable(self.key_sets.len())
    }

    /// `<column> IN (the keys found in Rust)`. `column` is written by this file from
    /// fixed names and generated ones (`b.code`, `b.c<n>`), never from the query.
    fn member(&mut self, column: &str, keys: Vec<String>) -> String {
        let t = self.in_keys(keys);
        format!("({column} IN (SELECT k FROM {}))", t.name())
    }

    /// The whole condition: a top-level place (or one in a top-level AND) also narrows the
    /// insured base early, so that the rest runs over the people inside only.
    fn top(&mut self, c: &Cond) -> Result<String, SearchError> {
        if self.subject != Subject::Insured {
            return self.cond(c, "where");
        }
        let parts: Vec<(usize, &Cond)> = match c {
            Cond::And(v) => v.iter().enumerate().collect(),
            other => vec![(0, other)],
        };
        let mut out = Vec::new();
        for (i, part) in parts {
            let path = if matches!(c, Cond::And(_)) {
                format!("where.and[{i}]")
            } else {
                "where".to_string()
            };
            let sql = self.cond(part, &path)?;
            if matches!(part, Cond::Place(_)) {
                self.restrict.push(KeyTable(self.key_sets.len()));
            }
            out.push(sql);
        }
        Ok(if out.is_empty() {
            "true".into()
        } else {
            format!("({})", out.join(" AND "))
        })
    }

    fn cond(&mut self, c: &Cond, path: &str) -> Result<String, SearchError> {
        Ok(match c {
            Cond::And(v) | Cond::Or(v) if v.is_empty() => {
                if matches!(c, Cond::And(_)) {
                    "true".into()
                } else {
                    "false".into()
                }
            }
            Cond::And(v) | Cond::Or(v) => {
                let (word, key) = if matches!(c, Cond::And(_)) {
                    (" AND ", "and")
                } else {
                    (" OR ", "or")
                };
                let parts = v
                    .iter()
                    .enumerate()
                    .map(|(i, c)| self.cond(c, &format!("{path}.{key}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("({})", parts.join(word))
            }
            Cond::Not(c) => format!(
                "(NOT coalesce({}, false))",
                self.cond(c, &format!("{path}.not"))?
            ),
            Cond::Place(p) => self.place(p)?,
            Cond::Field(f) => {
                let def = fields::check(&self.subject, f, path)?;
                match self.subject {
                    Subject::Insured => self.insured_field(f, def.kind)?,
                    Subject::Institutions => self.institution_field(f, def.kind)?,
                    Subject::UserTable(_) => self.user_table_field(f)?,
                }
            }
        })
    }

    fn place(&mut self, p: &Place) -> Result<String, SearchError> {
        let region = place::resolve(self.conn, self.cache, p)?;
        let keys: Vec<String> = match &self.subject {
            Subject::Insured => {
                let idx = self.cache.insured(self.conn)?;
                idx.inside(&region)
                    .into_iter()
                    .map(|i| idx.keys[i as usize].clone())
                    .collect()
            }
            Subject::Institutions => self.institutions_inside(&region)?,
            Subject::UserTable(_) => {
                let (_, key, link) = self.user_table.clone().unwrap_or_default();
                let key = key.ok_or(SearchError::UnplacedTable)?;
                let keys = match link.as_deref() {
                    Some("insured") => {
                        let idx = self.cache.insured(self.conn)?;
                        idx.inside(&region)
                            .into_iter()
                            .map(|i| idx.keys[i as usize].clone())
                            .collect()
                    }
                    Some("medical_institutions" | "checkup_institutions") => {
                        self.institutions_inside(&region)?
                    }
                    _ => return Err(SearchError::UnplacedTable),
                };
                let column = format!(
                    "CAST(b.{} AS VARCHAR)",
                    crate::store::user_tables::physical_column(key)
                );
                return Ok(self.member(&column, keys));
            }
        };
        let column = if self.subject == Subject::Insured {
            "b.insured_id"
        } else {
            "b.code"
        };
        Ok(self.member(column, keys))
    }

    fn institutions_inside(&mut self, region: &place::Region) -> Result<Vec<String>, SearchError> {
        let inst = self.cache.institutions(self.conn)?;
        Ok(inst
            .placed
            .inside(region)
            .into_iter()
            .filter_map(|i| inst.placed.keys[i as usize].parse::<usize>().ok())
            .map(|i| inst.list[i].code.clone())
            .collect())
    }

    fn bool_of(f: &FieldCond) -> bool {
        f.value.as_bool().unwrap_or(true)
    }

    fn yes_no(expr: String, f: &FieldCond) -> String {
        if Self::bool_of(f) {
            expr
        } else {
            format!("(NOT {expr})")
        }
    }

    fn insured_field(&mut self, f: &FieldCond, kind: ValueKind) -> Result<String, SearchError> {
        let (s, e) = ("CAST(?1 AS DATE)", "CAST(?2 AS DATE)");
        Ok(match f.field.as_str() {
            "target" => Self::yes_no(
                format!(
                    "(b.acquired_date <= {s} AND (b.lost_date IS NULL OR b.lost_date > {e}) AND b.age BETWEEN 40 AND 74)"
                ),
                f,
            ),
            "attended" => Self::yes_no(
                format!(
                    "(b.insured_id IN (SELECT insured_id FROM checkups WHERE checkup_date BETWEEN {s} AND {e}))"
                ),
                f,
            ),
            "age" => self.compare("b.age", f, kind),
            "age_band" => {
                let mut parts = Vec::new();
                for v in values_of(&f.value) {
                    let t = text_of(v);
                    let (lo, hi) = age_band(&t).ok_or_else(|| SearchError::Shape {
                        path: "age_band".into(),
                        want: format!("「65-69」の形の年齢階級（「{t}」）"),
                    })?;
                    let lo = self.bind(Sql::BigInt(lo));
                    let hi = self.bind(Sql::BigInt(hi));
                    parts.push(format!("b.age BETWEEN {lo} AND {hi}"));
                }
                format!("({})", parts.join(" OR "))
            }
            "sex" => self.compare("b.sex", f, kind),
            "checkup_count" => {
                let years = f.years.unwrap_or(3) as i32;
                let from = self.bind(date(fy_dates(self.fy - years + 1).0));
                let expr = format!(
                    "coalesce((SELECT count(DISTINCT year(c.checkup_date - INTERVAL 3 MONTH)) FROM checkups c
                      WHERE c.insured_id = b.insured_id AND c.checkup_date BETWEEN CAST({from} AS DATE) AND {e}), 0)"
                );
                self.compare(&expr, f, kind)
            }
            "past_institution" => {
                let l = self.list(f);
                format!(
                    "(b.insured_id IN (SELECT insured_id FROM checkups WHERE checkup_date <= {e} AND institution_code IN ({l})))"
                )
            }
            "visited" => {
                self.needs_index = true;
                let fy = self.bind(Sql::Int(self.fy));
                Self::yes_no(
                    format!(
                        "(b.insured_id IN (SELECT insured_id FROM visit_index WHERE fy = {fy}))"
                    ),
                    f,
                )
            }
            "disease_group" | "icd10" => {
                let prefixes = if f.field == "icd10" {
                    values_of(&f.value)
                        .into_iter()
                        .map(|v| {
                            crate::import::normalize::fold_width(&text_of(v))
                                .trim()
                                .to_ascii_uppercase()
                        })
                        .collect::<Vec<_>>()
                } else {
                    let mut out = Vec::new();
                    for v in values_of(&f.value) {
                        let name = text_of(v);
                        out.extend(icd_group(self.conn, &name)?);
                    }
                    out
                };
                self.needs_index = true;
                let tests: Vec<String> = prefixes
                    .into_iter()
                    .map(|p| format!("starts_with(icd10, {})", self.bind(Sql::Text(p))))
                    .collect();
                let fy = self.bind(Sql::Int(self.fy));
                format!(
                    "(b.insured_id IN (SELECT insured_id FROM disease_index WHERE fy = {fy} AND ({})))",
                    tests.join(" OR ")
                )
            }
            "treated_at" => {
                self.needs_index = true;
                let l = self.list(f);
                let fy = self.bind(Sql::Int(self.fy));
                format!(
                    "(b.insured_id IN (SELECT insured_id FROM visit_index WHERE fy = {fy} AND institution_code IN ({l})))"
                )
            }
            "acquired_date" => self.compare("b.acquired_date", f, kind),
            // On the latest list of the person's insurer (the list is made once a year, for
            // the coming year: its date is not the fiscal year searched).
            // Found in Rust (記号・番号 folded), once per data change: see `recommended`.
            "recommended" => {
                let keys = self.cache.recommended(self.conn)?;
                Self::yes_no(self.member("b.insured_id", keys.to_vec()), f)
            }
            "mark" => {
                let l = self.list(f);
                format!(
                    "(b.insured_id IN (SELECT insured_id FROM insured_marks WHERE mark IN ({l})))"
                )
            }
            "in_list" => {
                // A list renamed or deleted since a search was saved: said, not 0 rows.
                for v in values_of(&f.value) {
                    let name = text_of(v);
                    if crate::store::extractions::find(self.conn, &name)?.is_none() {
                        return Err(SearchError::Unknown {
                            path: "in_list.value".into(),
                            what: format!("抽出リスト「{name}」"),
                        });
                    }
                }
                let l = self.list(f);
                format!(
                    "(b.insured_id IN (SELECT m.member_key FROM extraction_members m
                      JOIN extractions x ON x.id = m.extraction_id
                      WHERE x.subject = 'insured' AND x.name IN ({l})))"
                )
            }
            "municipality" => self.compare("b.municipality_code", f, kind),
            "small_area" => {
                self.needs_location = true;
                self.compare("b.key_code", f, kind)
            }
            "match_level" => {
                self.needs_location = true;
                self.compare("b.match_level", f, kind)
            }
            "user_table" => {
                let table = f.table.clone().unwrap_or_default();
                let (id, key, link) = user_table_info(self.conn, &table)?;
                let key = match (key, link.as_deref()) {
                    (Some(k), Some("insured")) => k,
                    _ => return Err(SearchError::NotLinked(table)),
                };
                let (col, ty) =
                    user_column(self.conn, id, f.column.as_deref().unwrap_or_default())?;
                self.user_value(id, col, &ty, Some(key), f)?
            }
            other => {
                let Some(item) = other.strip_prefix("checkup.") else {
                    return Err(SearchError::Unknown {
                        path: other.into(),
                        what: "項目".into(),
                    });
                };
                // The column name comes from the fixed list, never from the query.
                let col = CHECKUP_ITEMS
                    .iter()
                    .find(|(k, _)| *k == item)
                    .map(|(k, _)| *k)
                    .ok_or_else(|| SearchError::Unknown {
                        path: other.into(),
                        what: "健診項目".into(),
                    })?;
                let test = self.compare(col, f, kind);
                format!(
                    "(b.insured_id IN (SELECT insured_id FROM checkups WHERE checkup_date BETWEEN {s} AND {e} AND {test}))"
                )
            }
        })
    }

    /// A user-table column test: numbers against numeric columns (a number typed as text
    /// too), text otherwise. `contains` is matched in Rust, both sides width- and
    /// kana-folded: `key` is the column giving the keys (`None`: the row key), and the
    /// answer is `<key> IN (key table)`.
    fn user_value(
        &mut self,
        id: i64,
        col: usize,
        ty: &str,
        key: Option<usize>,
        f: &FieldCond,
    ) -> Result<String, SearchError> {
        let table = crate::store::user_tables::physical_table(id);
        let column = crate::store::user_tables::physical_column(col);
        if f.op == Op::Contains {
            let needle = crate::import::normalize::fold_for_search(&text_of(&f.value));
            let key_sql = match key {
                Some(k) => format!(
                    "CAST({} AS VARCHAR)",
                    crate::store::user_tables::physical_column(k)
                ),
                None => "CAST(rowid AS VARCHAR)".to_string(),
            };
            let mut stmt = self.conn.prepare(&format!(
                "SELECT {key_sql}, CAST({column} AS VARCHAR) FROM {table} WHERE {column} IS NOT NULL"
            ))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let keys: Vec<String> = rows
                .into_iter()
                .filter(|(_, v)| crate::import::normalize::fold_for_search(v).contains(&needle))
                .filter_map(|(k, _)| k)
                .collect();
            let outer = if key.is_some() {
                "b.insured_id"
            } else {
                "b.row_key"
            };
            return Ok(self.member(outer, keys));
        }
        let number = |v: &Value| match v {
            Value::Number(_) => true,
            Value::String(s) => s.trim().parse::<f64>().is_ok(),
            _ => false,
        };
        let numeric =
            matches!(ty, "BIGINT" | "DOUBLE") && values_of(&f.value).into_iter().all(number);
        let qualified = if key.is_some() {
            format!("u.{column}")
        } else {
            format!("b.{column}")
        };
        let test = if numeric {
            let mut g = f.clone();
            g.value = match &f.value {
                Value::Array(a) => Value::Array(
                    a.iter()
                        .map(|v| {
                            serde_json::json!(text_of(v).trim().parse::<f64>().unwrap_or_default())
                        })
                        .collect(),
                ),
                v => serde_json::json!(text_of(v).trim().parse::<f64>().unwrap_or_default()),
            };
            self.compare(
                &format!("CAST({qualified} AS DOUBLE)"),
                &g,
                ValueKind::Float,
            )
        } else if ty == "DATE" {
            self.compare(&qualified, f, ValueKind::Date)
        } else {
            self.compare(&format!("CAST({qualified} AS VARCHAR)"), f, ValueKind::Text)
        };
        Ok(match key {
            Some(k) => format!(
                "(b.insured_id IN (SELECT CAST(u.{} AS VARCHAR) FROM {table} u WHERE {test}))",
                crate::store::user_tables::physical_column(k)
            ),
            None => test,
        })
    }

    fn institution_field(&mut self, f: &FieldCond, kind: ValueKind) -> Result<String, SearchError> {
        Ok(match f.field.as_str() {
            "name" => {
                let needle = crate::import::normalize::fold_for_search(&text_of(&f.value));
                let inst = self.cache.institutions(self.conn)?;
                let keys: Vec<String> = inst
                    .list
                    .iter()
                    .filter(|i| i.folded.contains(&needle))
                    .map(|i| i.code.clone())
                    .collect();
                self.member("b.code", keys)
            }
            "code" => self.compare("b.code", f, kind),
            "checkup" => Self::yes_no("b.checkup".into(), f),
            "cancer_screening" => Self::yes_no("b.cancer_screening".into(), f),
            "medical" => Self::yes_no("b.medical".into(), f),
            "test_item" => {
                let mut cols = Vec::new();
                for v in values_of(&f.value) {
                    let t = text_of(v);
                    if let Some((k, _)) = TEST_ITEMS.iter().find(|(k, _)| *k == t) {
                        cols.push(format!("b.{k}"));
                    }
                }
                format!("({})", cols.join(" AND "))
            }
            "users" => {
                self.needs_users = true;
                self.compare("b.users", f, kind)
            }
            other => {
                return Err(SearchError::Unknown {
                    path: other.into(),
                    what: "項目".into(),
                });
            }
        })
    }

    fn user_table_field(&mut self, f: &FieldCond) -> Result<String, SearchError> {
        let (id, _, _) = self.user_table.clone().unwrap_or_default();
        let (col, ty) = user_column(self.conn, id, f.column.as_deref().unwrap_or_default())?;
        self.user_value(id, col, &ty, None, f)
    }
}

/// `65-69` (or `65〜69`, `65～69`) as (65, 69).
pub fn age_band(t: &str) -> Option<(i64, i64)> {
    let t = crate::import::normalize::fold_width(t);
    let (a, b) = t.split_once(['-', '〜', '～', '~'])?;
    let lo: i64 = a.trim().trim_end_matches('歳').parse().ok()?;
    let hi: i64 = b.trim().trim_end_matches('歳').parse().ok()?;
    (lo <= hi).then_some((lo, hi))
}

/// The prefixes of ICD-10 group `name`.
pub fn icd_group(conn: &Connection, name: &str) -> Result<Vec<String>, SearchError> {
    let mut stmt = conn.prepare("SELECT prefixes FROM icd_groups WHERE name = ?")?;
    let mut rows = stmt.query(duckdb::params![name])?;
    match rows.next()? {
        Some(r) => {
            let p: String = r.get(0)?;
            Ok(split_prefixes(&p))
        }
        None => Err(SearchError::NoIcdGroup(name.to_string())),
    }
}

/// `I10, I11,i12` as ["I10", "I11", "I12"].
pub fn split_prefixes(p: &str) -> Vec<String> {
    crate::import::normalize::fold_width(p)
        .split([',', '、', ' '])
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The ICD-10 groups: name and prefixes, in their order.
pub fn icd_groups(conn: &Connection) -> Result<Vec<(String, Vec<String>)>, SearchError> {
    let mut stmt =
        conn.prepare("SELECT name, prefixes FROM icd_groups ORDER BY sort_order, name")?;
    let rows = stmt.query_map([], |r| {
        let n: String = r.get(0)?;
        let p: String = r.get(1)?;
        Ok((n, split_prefixes(&p)))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Adds or replaces group `name` (prefixes of 1–7 letters and digits, at least one).
pub fn set_icd_group(conn: &Connection, name: &str, prefixes: &str) -> Result<(), SearchError> {
    let list = split_prefixes(prefixes);
    let name = name.trim();
    if name.is_empty()
        || list.is_empty()
        || list
            .iter()
            .any(|p| p.len() > 7 || !p.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(SearchError::Shape {
            path: "傷病グループ".into(),
            want: "名前と、カンマ区切りの ICD-10 コード（例 E10,E11）".into(),
        });
    }
    conn.execute(
        "INSERT OR REPLACE INTO icd_groups (name, prefixes, sort_order)
         VALUES (?, ?, coalesce((SELECT sort_order FROM icd_groups WHERE name = ?),
                                (SELECT coalesce(max(sort_order), 0) + 1 FROM icd_groups)))",
        duckdb::params![name, list.join(","), name],
    )?;
    Ok(())
}

/// A temporary table of keys found in Rust, `search_keys_<n>`: its name is made from the
/// number only.
#[derive(Debug, Clone, Copy)]
pub struct KeyTable(usize);

impl KeyTable {
    fn name(self) -> String {
        format!("search_keys_{}", self.0)
    }
}

/// Loads the key sets into `search_keys_<n>` (temporary, this connection only).
pub fn load_keys(conn: &Connection, sets: &[Vec<String>]) -> Result<(), SearchError> {
    for (i, keys) in sets.iter().enumerate() {
        let t = KeyTable(i + 1).name();
        conn.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE {t} (k VARCHAR)"))?;
        let mut app = conn.appender(&t)?;
        for k in keys {
            app.append_row(duckdb::params![k])?;
        }
        app.flush()?;
    }
    Ok(())
}

/// Drops the key tables.
pub fn drop_keys(conn: &Connection, n: usize) {
    for i in 1..=n {
        let _ = conn.execute_batch(&format!("DROP TABLE IF EXISTS temp.{}", KeyTable(i).name()));
    }
}
