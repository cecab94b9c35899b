//! A result table as the writers see it: named columns, each of one kind. Built from any
//! result frame ([`Table::from_frame`]): integers, numbers and yes/no keep their kind; a
//! text column whose every value is a date (YYYY-MM-DD, as frames carry dates) becomes a
//! date column; every other text stays text, so codes keep their leading zeros.

use chrono::NaiveDate;
use polars::prelude::{AnyValue, DataFrame, DataType};

/// One column's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Flag(Vec<Option<bool>>),
    Date(Vec<Option<NaiveDate>>),
    Text(Vec<Option<String>>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
            Values::Flag(v) => v.len(),
            Values::Date(v) => v.len(),
            Values::Text(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A cell as text (CSV, shapefile text fields, slides): empty for null; yes/no as
    /// ○ and empty, as the screens show them; numbers in full.
    pub fn text(&self, row: usize) -> String {
        match self {
            Values::Int(v) => v.get(row).copied().flatten().map(|n| n.to_string()),
            Values::Float(v) => v.get(row).copied().flatten().map(format_float),
            Values::Flag(v) => v
                .get(row)
                .copied()
                .flatten()
                .map(|b| if b { "○" } else { "" }.to_string()),
            Values::Date(v) => v
                .get(row)
                .copied()
                .flatten()
                .map(|d| d.format("%Y-%m-%d").to_string()),
            Values::Text(v) => v.get(row).cloned().flatten(),
        }
        .unwrap_or_default()
    }
}

/// A number as text without float noise (0.1 + 0.2 prints as 0.3).
pub fn format_float(f: f64) -> String {
    if f.is_finite() && f == f.trunc() && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        let s = format!("{f:.10}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub values: Values,
}

/// A table to export: a title (the result's name) and its columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    pub columns: Vec<Column>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The table of a result frame, leaving out the columns named in `skip` (keys the
    /// screens hide).
    pub fn from_frame(title: &str, df: &DataFrame, skip: &[&str]) -> Table {
        let columns = df
            .get_columns()
            .iter()
            .filter(|c| !skip.contains(&c.name().as_str()))
            .map(|c| Column {
                name: c.name().to_string(),
                values: values_of(c.as_materialized_series()),
            })
            .collect();
        Table {
            title: title.to_string(),
            columns,
        }
    }

    /// The longest text of each column, header included, in display width (full-width
    /// characters count 2), for column widths.
    pub fn widths(&self) -> Vec<usize> {
        self.columns
            .iter()
            .map(|c| {
                let longest = (0..c.values.len().min(2000))
                    .map(|r| display_width(&c.values.text(r)))
                    .max()
                    .unwrap_or(0);
                longest.max(display_width(&c.name))
            })
            .collect()
    }
}

/// Display width: ASCII and half-width kana 1, everything else 2.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if c.is_ascii() || ('\u{FF61}'..='\u{FF9F}').contains(&c) {
                1
            } else {
                2
            }
        })
        .sum()
}

fn values_of(s: &polars::prelude::Series) -> Values {
    let n = s.len();
    let get = |i: usize| s.get(i).unwrap_or(AnyValue::Null);
    match s.dtype() {
        DataType::Boolean => Values::Flag(
            (0..n)
                .map(|i| match get(i) {
                    AnyValue::Boolean(b) => Some(b),
                    _ => None,
                })
                .collect(),
        ),
        d if d.is_integer() => Values::Int(
            (0..n)
                .map(|i| match get(i) {
                    AnyValue::Null => None,
                    v => v.extract::<i64>(),
                })
                .collect(),
        ),
        d if d.is_float() => Values::Float(
            (0..n)
                .map(|i| match get(i) {
                    AnyValue::Null => None,
                    v => v.extract::<f64>(),
                })
                .collect(),
        ),
        _ => {
            let texts: Vec<Option<String>> = (0..n)
                .map(|i| match get(i) {
                    AnyValue::Null => None,
                    AnyValue::String(t) => Some(t.to_string()),
                    AnyValue::StringOwned(t) => Some(t.to_string()),
                    v => Some(v.to_string()),
                })
                .collect();
            let dates: Option<Vec<Option<NaiveDate>>> = texts
                .iter()
                .map(|t| match t {
                    None => Some(None),
                    Some(t) if t.len() == 10 => {
                        NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().map(Some)
                    }
                    Some(_) => None,
                })
                .collect();
            match dates {
                Some(d) if d.iter().any(Option::is_some) => Values::Date(d),
                _ => Values::Text(texts),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::frame::Builder;

    #[test]
    fn kinds_follow_the_frame_and_dates_and_codes_are_told_apart() {
        let df = Builder::default()
            .text("キー", ["a", "b"])
            .text("コード", ["0012", "0034"])
            .text("生年月日", ["1950-04-01", "1961-12-31"])
            .int("人数", [Some(3), None])
            .float("率", [Some(0.25), Some(0.1 + 0.2)])
            .flag("秘匿", [true, false])
            .build()
            .unwrap();
        let t = Table::from_frame("受診率", &df, &["キー"]);
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["コード", "生年月日", "人数", "率", "秘匿"]);
        assert!(matches!(t.columns[0].values, Values::Text(_)));
        assert!(matches!(t.columns[1].values, Values::Date(_)));
        assert_eq!(t.columns[0].values.text(0), "0012");
        assert_eq!(t.columns[2].values.text(1), "");
        assert_eq!(t.columns[3].values.text(1), "0.3");
        assert_eq!(t.columns[4].values.text(0), "○");
        assert_eq!(t.rows(), 2);
        assert_eq!(t.widths()[0], 6, "コード is three full-width characters");
    }
}
