//! The two sides of a match (突合), read from DuckDB as [`MatchRow`]s: the members of an
//! extraction list with their register values (left), and the partner (right): the latest
//! recommendation list of each insurer, or a user table whose columns are picked by the
//! user or recognised by their headers (記号番号, カナ氏名, 生年月日 …).

use std::collections::BTreeMap;

use duckdb::{Connection, params};

use super::SearchError;
use super::matching::{MatchField, MatchRow};
use crate::import::normalize::fold_for_search;
use crate::import::wareki::parse_date;
use crate::store::user_tables;

/// What a list is matched with.
#[derive(Debug, Clone, PartialEq)]
pub enum Partner {
    /// The latest 特定健康診査受診勧奨対象者リスト of each insurer.
    Recommendation,
    /// A user table; `columns` picks the header of a field (the rest are recognised).
    UserTable {
        name: String,
        columns: BTreeMap<MatchField, String>,
    },
}

impl Partner {
    pub fn label(&self) -> String {
        match self {
            Partner::Recommendation => "受診勧奨対象者リスト".into(),
            Partner::UserTable { name, .. } => format!("独自データ「{name}」"),
        }
    }
}

fn date(v: Option<String>) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(v.as_deref()?, "%Y-%m-%d").ok()
}

fn text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The whole register with the members of list `extraction_id` marked: a key value is
/// ambiguous when two persons hold it, on the list or not. A member no longer in the
/// register keeps its id only.
pub fn register_rows(conn: &Connection, extraction_id: i64) -> Result<Vec<MatchRow>, SearchError> {
    let mut stmt = conn.prepare(
        "SELECT coalesce(i.insured_id, m.member_key), i.insurer_no, i.symbol_no, i.name,
                i.kana_name, strftime(i.birth_date, '%Y-%m-%d'), m.member_key IS NOT NULL
         FROM insured i
         FULL OUTER JOIN (SELECT member_key FROM extraction_members WHERE extraction_id = ?) m
           ON m.member_key = i.insured_id
         ORDER BY 1",
    )?;
    let rows = stmt.query_map(params![extraction_id], |r| {
        let id: String = r.get(0)?;
        Ok(MatchRow {
            insured_id: Some(id.clone()),
            id,
            insurer: text(r.get(1)?),
            symbol: text(r.get(2)?),
            name: text(r.get(3)?),
            kana: text(r.get(4)?),
            birth: date(r.get(5)?),
            member: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The partner's rows. `needed` are the fields the keys read.
pub fn partner_rows(
    conn: &Connection,
    partner: &Partner,
    needed: &[MatchField],
) -> Result<Vec<MatchRow>, SearchError> {
    match partner {
        Partner::Recommendation => recommendation_rows(conn),
        Partner::UserTable { name, columns } => user_table_rows(conn, name, columns, needed),
    }
}

/// Each insurer's latest list, numbered 行 1, 行 2 … in the order of the file.
fn recommendation_rows(conn: &Connection) -> Result<Vec<MatchRow>, SearchError> {
    let mut stmt = conn.prepare(
        "SELECT r.insured_id, r.symbol_no, r.name, r.kana_name, strftime(r.birth_date, '%Y-%m-%d'),
                r.insurer_no
         FROM recommendation_targets r
         WHERE r.list_date = (SELECT max(list_date) FROM recommendation_targets r2
                              WHERE r2.insurer_no = r.insurer_no)
         ORDER BY r.import_id, r.rowid",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(MatchRow {
            id: String::new(),
            insured_id: text(r.get(0)?),
            symbol: text(r.get(1)?),
            name: text(r.get(2)?),
            kana: text(r.get(3)?),
            birth: date(r.get(4)?),
            insurer: text(r.get(5)?),
            member: false,
        })
    })?;
    let mut out: Vec<MatchRow> = rows.collect::<Result<_, _>>()?;
    for (i, r) in out.iter_mut().enumerate() {
        r.id = format!("勧奨リスト {} 行目", i + 1);
    }
    Ok(out)
}

/// The headers a field is recognised by (compared folded).
fn aliases(f: MatchField) -> &'static [&'static str] {
    match f {
        MatchField::InsuredId => &["被保険者ID", "個人番号", "insured_id", "宛名番号"],
        MatchField::Symbol => &[
            "記号番号",
            "記号・番号",
            "被保険者証記号番号",
            "記号・番号（被保険者証）",
        ],
        MatchField::Name => &["氏名", "漢字氏名", "名前", "氏名（漢字）"],
        MatchField::Kana => &["カナ氏名", "氏名カナ", "フリガナ", "カナ", "氏名（カナ）"],
        MatchField::Birth => &["生年月日", "誕生日"],
    }
}

/// The header of `headers` that field `f` is recognised by.
pub fn guess_column(f: MatchField, headers: &[String]) -> Option<String> {
    let want: Vec<String> = aliases(f).iter().map(|a| fold_for_search(a)).collect();
    headers
        .iter()
        .find(|h| want.contains(&fold_for_search(h)))
        .cloned()
}

/// A user table's headers, in column order.
pub fn user_table_headers(conn: &Connection, name: &str) -> Result<Vec<String>, SearchError> {
    let id = user_tables::find(conn, name)?.ok_or_else(|| SearchError::NoUserTable(name.into()))?;
    let mut stmt =
        conn.prepare("SELECT name FROM user_table_columns WHERE table_id = ? ORDER BY col_no")?;
    let rows = stmt.query_map(params![id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn user_table_rows(
    conn: &Connection,
    name: &str,
    chosen: &BTreeMap<MatchField, String>,
    needed: &[MatchField],
) -> Result<Vec<MatchRow>, SearchError> {
    let id = user_tables::find(conn, name)?.ok_or_else(|| SearchError::NoUserTable(name.into()))?;
    let headers = user_table_headers(conn, name)?;
    // The physical column of each needed field: c<number>, never the header.
    let mut cols: Vec<(MatchField, String)> = Vec::new();
    for f in needed {
        let header = match chosen.get(f) {
            Some(h) => h.clone(),
            None => guess_column(*f, &headers).ok_or_else(|| SearchError::NoMatchColumn {
                table: name.to_string(),
                field: f.label(),
                key: field_key(*f),
            })?,
        };
        let no = headers
            .iter()
            .position(|h| *h == header)
            .ok_or_else(|| SearchError::NoColumn(header.clone()))?;
        cols.push((*f, user_tables::physical_column(no + 1)));
    }
    // 記号・番号 are numbered within an insurer: compared within it when the table has a
    // 保険者番号 column.
    let insurer_col = if needed.contains(&MatchField::Symbol) {
        let want = fold_for_search("保険者番号");
        headers
            .iter()
            .position(|h| fold_for_search(h) == want)
            .map(|no| user_tables::physical_column(no + 1))
    } else {
        None
    };
    let mut select: Vec<String> = cols
        .iter()
        .map(|(_, c)| format!("CAST({c} AS VARCHAR)"))
        .collect();
    if let Some(c) = &insurer_col {
        select.push(format!("CAST({c} AS VARCHAR)"));
    }
    let sql = format!(
        "SELECT {} FROM {} ORDER BY rowid",
        if select.is_empty() {
            "NULL".to_string()
        } else {
            select.join(", ")
        },
        user_tables::physical_table(id)
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut m = MatchRow {
            id: format!("{name} {} 行目", out.len() + 1),
            ..Default::default()
        };
        if insurer_col.is_some() {
            m.insurer = text(r.get(cols.len())?);
        }
        for (i, (f, _)) in cols.iter().enumerate() {
            let v = text(r.get(i)?);
            match f {
                MatchField::InsuredId => m.insured_id = v,
                MatchField::Symbol => m.symbol = v,
                MatchField::Name => m.name = v,
                MatchField::Kana => m.kana = v,
                MatchField::Birth => m.birth = v.as_deref().and_then(parse_date),
            }
        }
        out.push(m);
    }
    Ok(out)
}

/// The name a field's column is given by on the command line (`--column kana=フリガナ`).
pub fn field_key(f: MatchField) -> &'static str {
    match f {
        MatchField::InsuredId => "insured_id",
        MatchField::Symbol => "kigo_bango",
        MatchField::Name => "name",
        MatchField::Kana => "kana",
        MatchField::Birth => "birth",
    }
}

/// `kana` → the field.
pub fn field_from_key(s: &str) -> Option<MatchField> {
    MatchField::ALL
        .into_iter()
        .find(|f| field_key(*f) == s.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_recognised_by_their_usual_headers() {
        let h: Vec<String> = ["No", "ﾌﾘｶﾞﾅ", "記号・番号", "生年月日", "氏名"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(guess_column(MatchField::Kana, &h).as_deref(), Some("ﾌﾘｶﾞﾅ"));
        assert_eq!(
            guess_column(MatchField::Symbol, &h).as_deref(),
            Some("記号・番号")
        );
        assert_eq!(guess_column(MatchField::Name, &h).as_deref(), Some("氏名"));
        assert_eq!(guess_column(MatchField::InsuredId, &h), None);
    }
}
