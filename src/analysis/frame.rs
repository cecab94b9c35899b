//! The one type of tabular results: a polars [`DataFrame`]. A query reads into it column
//! by column ([`query`]); results computed in Rust are built the same way ([`Builder`]).
//! The worker hands frames to the screens, and the screens, exports and charts read
//! their columns by name with the readers here, so none of them depends on a result's
//! row type.
//!
//! The duckdb crate's own `polars` feature (Arrow straight into a frame) is not used: it
//! turns on polars' default features, and those put reqwest, hyper and object_store into
//! Cargo.lock. Reading the rows here costs little: at 300,000 rows × 6 columns,
//! `kenshin-atlas bench frame` gives about 310 ms into a frame against 240 ms into Rust
//! tuples (this machine; the duckdb feature's Arrow path measured 105 ms).

use duckdb::types::{TimeUnit, ValueRef};
use duckdb::{Connection, Params};
pub use polars::prelude::DataFrame;
use polars::prelude::{AnyValue, Column, DataType, NamedFrom, PolarsError, Series};

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("集計に失敗しました: {0}")]
    Sql(#[from] duckdb::Error),
    #[error("表を組み立てられません: {0}")]
    Frame(#[from] PolarsError),
}

/// One column being read: its kind is that of its first non-null value (a column of a
/// query result has one type); a column of nulls only is text.
enum Cells {
    Unknown(usize),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Flag(Vec<Option<bool>>),
    Text(Vec<Option<String>>),
}

/// A cell as one of the four kinds a frame column here has.
enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Flag(bool),
    Text(String),
}

fn cell(v: ValueRef<'_>) -> Cell {
    use ValueRef as V;
    match v {
        V::Null => Cell::Null,
        V::Boolean(b) => Cell::Flag(b),
        V::TinyInt(i) => Cell::Int(i.into()),
        V::SmallInt(i) => Cell::Int(i.into()),
        V::Int(i) => Cell::Int(i.into()),
        V::BigInt(i) => Cell::Int(i),
        V::UTinyInt(i) => Cell::Int(i.into()),
        V::USmallInt(i) => Cell::Int(i.into()),
        V::UInt(i) => Cell::Int(i.into()),
        V::UBigInt(i) => i64::try_from(i).map_or(Cell::Float(i as f64), Cell::Int),
        V::HugeInt(i) => i64::try_from(i).map_or(Cell::Float(i as f64), Cell::Int),
        V::UHugeInt(i) => i64::try_from(i).map_or(Cell::Float(i as f64), Cell::Int),
        V::Float(f) => Cell::Float(f.into()),
        V::Double(f) => Cell::Float(f),
        V::Decimal(d) => Cell::Float(d.value() as f64 / 10f64.powi(d.scale().into())),
        V::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        // Days since 1970-01-01 (day 719,163 of the common era); `infinity` has none.
        V::Date32(days) => Cell::Text(
            days.checked_add(719_163)
                .and_then(chrono::NaiveDate::from_num_days_from_ce_opt)
                .map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string()),
        ),
        V::Timestamp(unit, v) => {
            let micros = match unit {
                TimeUnit::Second => v.saturating_mul(1_000_000),
                TimeUnit::Millisecond => v.saturating_mul(1_000),
                TimeUnit::Microsecond => v,
                TimeUnit::Nanosecond => v / 1_000,
            };
            Cell::Text(
                chrono::DateTime::from_timestamp_micros(micros)
                    .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M:%S").to_string()),
            )
        }
        // Blobs, lists, structs and the like are not shown in a table here.
        _ => Cell::Text(String::new()),
    }
}

impl Cells {
    fn push(&mut self, c: Cell) {
        if let (Cells::Unknown(nulls), c) = (&*self, &c)
            && !matches!(c, Cell::Null)
        {
            let n = *nulls;
            *self = match c {
                Cell::Int(_) => Cells::Int(vec![None; n]),
                Cell::Float(_) => Cells::Float(vec![None; n]),
                Cell::Flag(_) => Cells::Flag(vec![None; n]),
                _ => Cells::Text(vec![None; n]),
            };
        }
        // An integer column meeting a value beyond i64 becomes a number column.
        if let (Cells::Int(v), Cell::Float(_)) = (&*self, &c) {
            *self = Cells::Float(v.iter().map(|i| i.map(|i| i as f64)).collect());
        }
        match (self, c) {
            (Cells::Unknown(n), _) => *n += 1,
            (Cells::Int(v), Cell::Int(i)) => v.push(Some(i)),
            (Cells::Float(v), Cell::Float(f)) => v.push(Some(f)),
            (Cells::Float(v), Cell::Int(i)) => v.push(Some(i as f64)),
            (Cells::Flag(v), Cell::Flag(b)) => v.push(Some(b)),
            (Cells::Text(v), Cell::Text(t)) => v.push(Some(t)),
            (Cells::Int(v), _) => v.push(None),
            (Cells::Float(v), _) => v.push(None),
            (Cells::Flag(v), _) => v.push(None),
            (Cells::Text(v), _) => v.push(None),
        }
    }

    fn into_column(self, name: &str) -> Column {
        let name = name.into();
        match self {
            Cells::Unknown(n) => Series::new(name, vec![None::<&str>; n]).into(),
            Cells::Int(v) => Series::new(name, v).into(),
            Cells::Float(v) => Series::new(name, v).into(),
            Cells::Flag(v) => Series::new(name, v).into(),
            Cells::Text(v) => Series::new(name, v).into(),
        }
    }
}

/// Runs `sql` with `params` and returns the whole result as one frame: integers as
/// Int64, other numbers as Float64, booleans, and text (dates as YYYY-MM-DD).
pub fn query(conn: &Connection, sql: &str, params: impl Params) -> Result<DataFrame, FrameError> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(params)?;
    let (names, null_typed): (Vec<String>, Vec<bool>) = match rows.as_ref() {
        Some(s) => (
            s.column_names(),
            // A column of type NULL (`SELECT NULL AS x`): the duckdb crate cannot read
            // its cells (it panics), and they are all null anyway.
            (0..s.column_count())
                .map(|i| s.column_type(i) == duckdb::arrow::datatypes::DataType::Null)
                .collect(),
        ),
        None => Default::default(),
    };
    let mut cols: Vec<Cells> = names.iter().map(|_| Cells::Unknown(0)).collect();
    while let Some(row) = rows.next()? {
        for (i, col) in cols.iter_mut().enumerate() {
            if null_typed.get(i).copied().unwrap_or(true) {
                col.push(Cell::Null);
            } else {
                col.push(cell(row.get_ref(i)?));
            }
        }
    }
    Ok(DataFrame::new(
        cols.into_iter()
            .zip(&names)
            .map(|(c, n)| c.into_column(n))
            .collect(),
    )?)
}

/// A frame built column by column, in order.
#[derive(Default)]
pub struct Builder {
    columns: Vec<Column>,
}

impl Builder {
    pub fn text<'a>(mut self, name: &str, values: impl IntoIterator<Item = &'a str>) -> Self {
        let v: Vec<&str> = values.into_iter().collect();
        self.columns.push(Series::new(name.into(), v).into());
        self
    }
    pub fn int(mut self, name: &str, values: impl IntoIterator<Item = Option<i64>>) -> Self {
        let v: Vec<Option<i64>> = values.into_iter().collect();
        self.columns.push(Series::new(name.into(), v).into());
        self
    }
    pub fn float(mut self, name: &str, values: impl IntoIterator<Item = Option<f64>>) -> Self {
        let v: Vec<Option<f64>> = values.into_iter().collect();
        self.columns.push(Series::new(name.into(), v).into());
        self
    }
    pub fn flag(mut self, name: &str, values: impl IntoIterator<Item = bool>) -> Self {
        let v: Vec<bool> = values.into_iter().collect();
        self.columns.push(Series::new(name.into(), v).into());
        self
    }
    pub fn build(self) -> Result<DataFrame, FrameError> {
        Ok(DataFrame::new(self.columns)?)
    }
}

/// A text column's values (`None` for nulls).
pub fn texts(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, FrameError> {
    let s = df.column(name)?.cast(&DataType::String)?;
    Ok(s.str()?
        .into_iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// An integer column's values.
pub fn ints(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>, FrameError> {
    let s = df.column(name)?.cast(&DataType::Int64)?;
    Ok(s.i64()?.into_iter().collect())
}

/// A number column's values.
pub fn floats(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, FrameError> {
    let s = df.column(name)?.cast(&DataType::Float64)?;
    Ok(s.f64()?.into_iter().collect())
}

/// A yes/no column's values (null as no).
pub fn flags(df: &DataFrame, name: &str) -> Result<Vec<bool>, FrameError> {
    let s = df.column(name)?.cast(&DataType::Boolean)?;
    Ok(s.bool()?.into_iter().map(|v| v.unwrap_or(false)).collect())
}

/// A cell as text for a table on screen: empty for null, numbers as they are.
pub fn cell_text(df: &DataFrame, column: usize, row: usize) -> String {
    let Some(col) = df.get_columns().get(column) else {
        return String::new();
    };
    match col.get(row) {
        Ok(AnyValue::Null) | Err(_) => String::new(),
        Ok(AnyValue::String(s)) => s.to_string(),
        Ok(AnyValue::StringOwned(s)) => s.to_string(),
        Ok(AnyValue::Boolean(b)) => if b { "○" } else { "" }.to_string(),
        Ok(v) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_comes_back_whole_with_nulls_and_types() {
        let conn = Connection::open_in_memory().unwrap();
        // More rows than one DuckDB vector (2048), so that chunks are stacked.
        let df = query(
            &conn,
            "SELECT i AS id, CASE WHEN i % 3 = 0 THEN NULL ELSE 'k' || i END AS code,
                    i / 4.0 AS v, i % 2 = 0 AS even
             FROM range(5000) r(i) WHERE i >= ? ORDER BY i",
            [10],
        )
        .unwrap();
        assert_eq!(df.height(), 4990);
        let ids = ints(&df, "id").unwrap();
        assert_eq!(ids[0], Some(10));
        assert_eq!(ids[4989], Some(4999));
        let codes = texts(&df, "code").unwrap();
        assert_eq!(codes[0], Some("k10".into()));
        assert_eq!(codes[2], None, "12 % 3 == 0");
        assert_eq!(floats(&df, "v").unwrap()[1], Some(11.0 / 4.0));
        assert_eq!(flags(&df, "even").unwrap()[..3], [true, false, true]);
        assert_eq!(cell_text(&df, 1, 2), "");
        assert_eq!(cell_text(&df, 3, 0), "○");
        // No rows: the columns are still there, by name.
        // Dates and decimals come as text and numbers.
        let d = query(
            &conn,
            "SELECT DATE '2021-04-01' AS d, CAST(12.34 AS DECIMAL(9, 2)) AS x, NULL AS n",
            [],
        )
        .unwrap();
        assert_eq!(texts(&d, "d").unwrap(), [Some("2021-04-01".into())]);
        assert_eq!(floats(&d, "x").unwrap(), [Some(12.34)]);
        assert_eq!(texts(&d, "n").unwrap(), [None]);
        // A date without a calendar day, and an integer column past i64.
        let odd = query(
            &conn,
            "SELECT * FROM (VALUES (DATE 'infinity', CAST(1 AS HUGEINT)),
                                   (DATE '2021-04-01', CAST(170141183460469231731687303715884105727 AS HUGEINT))) t(d, h)",
            [],
        )
        .unwrap();
        assert_eq!(
            texts(&odd, "d").unwrap(),
            [Some(String::new()), Some("2021-04-01".into())]
        );
        assert_eq!(
            floats(&odd, "h").unwrap(),
            [Some(1.0), Some(1.7014118346046923e38)]
        );
        let empty = query(&conn, "SELECT 1 AS a, 'x' AS b WHERE false", []).unwrap();
        assert_eq!(empty.height(), 0);
        assert_eq!(
            empty
                .get_column_names()
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
    }

    #[test]
    fn a_built_frame_reads_back_its_columns() {
        let df = Builder::default()
            .text("code", ["a", "b"])
            .int("n", [Some(1), None])
            .float("r", [None, Some(0.5)])
            .flag("f", [false, true])
            .build()
            .unwrap();
        assert_eq!(
            texts(&df, "code").unwrap(),
            [Some("a".into()), Some("b".into())]
        );
        assert_eq!(ints(&df, "n").unwrap(), [Some(1), None]);
        assert_eq!(floats(&df, "r").unwrap(), [None, Some(0.5)]);
        assert_eq!(flags(&df, "f").unwrap(), [false, true]);
        assert_eq!(cell_text(&df, 1, 0), "1");
        assert!(texts(&df, "missing").is_err());
    }
}
