//! Typed parsing of raw fields: one function turns a raw string into a typed value for a
//! [`Field`] (or a Japanese reason why not), and says which DuckDB type stores it.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};

use super::normalize::{fold_width, is_null, normalize_code, parse_integer, parse_number};
use super::wareki::{parse_date, parse_fiscal_year, parse_month};
use crate::store::feed::ColumnType;
use crate::store::kinds::{Field, FieldType};

/// A typed value of one field.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Null,
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    /// Days since 1970-01-01.
    Date(i32),
    Bool(bool),
}

impl Val<'_> {
    /// A hashable key form, for duplicate and period tracking.
    pub fn key(&self) -> String {
        match self {
            Val::Null => String::new(),
            Val::Str(s) => s.to_string(),
            Val::Int(i) => i.to_string(),
            Val::Float(f) => f.to_string(),
            Val::Date(d) => d.to_string(),
            Val::Bool(b) => b.to_string(),
        }
    }
    /// The same value, owning its text.
    pub fn to_static(&self) -> Val<'static> {
        match self {
            Val::Null => Val::Null,
            Val::Str(s) => Val::Str(Cow::Owned(s.to_string())),
            Val::Int(i) => Val::Int(*i),
            Val::Float(f) => Val::Float(*f),
            Val::Date(d) => Val::Date(*d),
            Val::Bool(b) => Val::Bool(*b),
        }
    }
    pub fn to_duckdb(&self) -> duckdb::types::Value {
        use duckdb::types::Value as V;
        match self {
            Val::Null => V::Null,
            Val::Str(s) => V::Text(s.to_string()),
            Val::Int(i) => V::BigInt(*i),
            Val::Float(f) => V::Double(*f),
            Val::Date(d) => V::Date32(*d),
            Val::Bool(b) => V::Boolean(*b),
        }
    }
}

const EPOCH_DAYS: i32 = 719_163; // NaiveDate(1970-01-01).num_days_from_ce()

pub fn date_to_days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_DAYS
}

/// Parses one raw field. Blank and the usual null spellings give `Val::Null`; a required
/// field that is null is an error.
pub fn parse_field<'a>(field: &Field, raw: &'a str) -> Result<Val<'a>, String> {
    parse_field_in(field, raw, true)
}

/// [`parse_field`]; `may_be_garbled` is false when the caller knows that `raw` holds no
/// U+FFFD (its whole record has no 0xEF byte), which spares a search per field.
pub fn parse_field_in<'a>(
    field: &Field,
    raw: &'a str,
    may_be_garbled: bool,
) -> Result<Val<'a>, String> {
    if is_null(raw) {
        return if field.required {
            Err("必須項目が空です".into())
        } else {
            Ok(Val::Null)
        };
    }
    // U+FFFD is EF BF BD in UTF-8: look for its first byte before searching for it.
    if may_be_garbled && memchr::memchr(0xEF, raw.as_bytes()).is_some() && raw.contains('\u{FFFD}')
    {
        return Err(
            "文字化けしています。文字コード（Shift_JIS / UTF-8）の指定を確認してください".into(),
        );
    }
    let in_range = |v: f64| field.range.is_none_or(|(lo, hi)| v >= lo && v <= hi);
    let range_msg = || {
        let (lo, hi) = field.range.unwrap_or((0.0, 0.0));
        format!("範囲外の値です（{lo}〜{hi}）")
    };
    let date_in_range = |d: NaiveDate| in_range(d.year() as f64);
    match field.ty {
        FieldType::Text => {
            let t = fold_width(raw.trim());
            Ok(Val::Str(match t {
                Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
                Cow::Owned(o) => Cow::Owned(o.trim().to_string()),
            }))
        }
        FieldType::Id => {
            // The usual id: ASCII letters, digits and marks, nothing to fold or strip.
            if raw.bytes().all(|b| b.is_ascii_graphic()) {
                return Ok(Val::Str(Cow::Borrowed(raw)));
            }
            let t = fold_width(raw.trim());
            if t.contains(char::is_whitespace) {
                Ok(Val::Str(Cow::Owned(
                    t.chars().filter(|c| !c.is_whitespace()).collect(),
                )))
            } else {
                Ok(Val::Str(match t {
                    Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
                    Cow::Owned(o) => Cow::Owned(o),
                }))
            }
        }
        // The usual code, already at its full width: answered here, not through
        // `normalize_code`'s returned `Option<Cow>` (a wide reload of a value just written
        // to the stack, which stalled the CPU on every field).
        FieldType::Code(width) if raw.len() == width && raw.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Val::Str(Cow::Borrowed(raw)))
        }
        FieldType::Code(width) => normalize_code(raw, width)
            .map(Val::Str)
            .ok_or_else(|| format!("{width}桁以内の数字のコードではありません")),
        FieldType::Int => {
            let v = parse_integer(raw).ok_or("整数として読めません")?;
            if in_range(v as f64) {
                Ok(Val::Int(v))
            } else {
                Err(range_msg())
            }
        }
        FieldType::Float => {
            let v = parse_number(raw).ok_or("数値として読めません")?;
            if in_range(v) {
                Ok(Val::Float(v))
            } else {
                Err(range_msg())
            }
        }
        FieldType::Date => {
            let d = parse_date(raw)
                .ok_or("日付として読めません（例: 2021/04/01、R03.04.01、令和3年4月1日）")?;
            if date_in_range(d) {
                Ok(Val::Date(date_to_days(d)))
            } else {
                Err(range_msg())
            }
        }
        FieldType::Month => {
            let d =
                parse_month(raw).ok_or("年月として読めません（例: 202104、2021/04、R03.04）")?;
            if date_in_range(d) {
                Ok(Val::Date(date_to_days(d)))
            } else {
                Err(range_msg())
            }
        }
        FieldType::FiscalYear => {
            let y = parse_fiscal_year(raw).ok_or("年度として読めません（例: 2021、令和3年度）")?;
            if in_range(y as f64) {
                Ok(Val::Int(y as i64))
            } else {
                Err(range_msg())
            }
        }
        FieldType::Flag => parse_flag(raw)
            .map(Val::Bool)
            .ok_or_else(|| "区分として読めません（1/0、あり/なし、○/×）".into()),
        FieldType::Sex => match fold_width(raw.trim()).as_ref() {
            "1" | "男" | "男性" | "M" | "m" => Ok(Val::Int(1)),
            "2" | "女" | "女性" | "F" | "f" => Ok(Val::Int(2)),
            _ => Err("性別として読めません（1/男、2/女）".into()),
        },
    }
}

/// Remembers one column's last raw text and value, for the types whose value repeats row
/// after row in KDB files (a service month, an in/outpatient flag) and holds no borrowed
/// text. Errors are never remembered.
#[derive(Default)]
pub struct LastValue {
    raw: Vec<u8>,
    val: Option<Val<'static>>,
}

impl LastValue {
    /// [`parse_field_in`], answered from memory when `raw` is the last text parsed.
    #[inline]
    pub fn parse<'a>(
        &mut self,
        field: &Field,
        raw: &'a str,
        may_be_garbled: bool,
    ) -> Result<Val<'a>, String> {
        let repeats = matches!(
            field.ty,
            FieldType::Date
                | FieldType::Month
                | FieldType::FiscalYear
                | FieldType::Flag
                | FieldType::Sex
        );
        if !repeats {
            return parse_field_in(field, raw, may_be_garbled);
        }
        if let Some(v) = &self.val
            && self.raw == raw.as_bytes()
        {
            return Ok(v.clone());
        }
        let v = parse_field_in(field, raw, may_be_garbled)?;
        let owned = (!matches!(v, Val::Str(_))).then(|| v.to_static());
        self.raw.clear();
        self.raw.extend_from_slice(raw.as_bytes());
        self.val = owned;
        Ok(v)
    }
}

fn parse_flag(raw: &str) -> Option<bool> {
    match fold_width(raw.trim()).as_ref() {
        "1" | "あり" | "有" | "○" | "〇" | "はい" | "true" | "TRUE" | "Y" | "y" | "入院" => {
            Some(true)
        }
        "0" | "なし" | "無" | "×" | "いいえ" | "false" | "FALSE" | "N" | "n" | "外来"
        | "入院外" => Some(false),
        _ => None,
    }
}

/// The DuckDB column type a field is stored as.
pub fn column_type(ty: FieldType) -> ColumnType {
    match ty {
        FieldType::Text | FieldType::Code(_) | FieldType::Id => ColumnType::Varchar,
        FieldType::Int | FieldType::FiscalYear => ColumnType::Integer,
        FieldType::Float => ColumnType::Double,
        FieldType::Date | FieldType::Month => ColumnType::Date,
        FieldType::Flag => ColumnType::Boolean,
        FieldType::Sex => ColumnType::TinyInt,
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::store::kinds::Kind;

    #[test]
    fn parses_typed_fields_with_reasons() {
        let def = Kind::Insured.def();
        let birth = def.field("birth_date").unwrap();
        assert_eq!(
            parse_field(birth, "S22.5.3").unwrap(),
            Val::Date(date_to_days(NaiveDate::from_ymd_opt(1947, 5, 3).unwrap()))
        );
        assert!(
            parse_field(birth, "R03.13.01")
                .unwrap_err()
                .contains("日付")
        );
        assert!(parse_field(birth, "").unwrap_err().contains("必須"));
        let code = def.field("municipality_code").unwrap();
        assert_eq!(
            parse_field(code, "２９２０１").unwrap(),
            Val::Str("29201".into())
        );
        let sex = def.field("sex").unwrap();
        assert_eq!(parse_field(sex, "女").unwrap(), Val::Int(2));
        let sbp = Kind::Checkups.def().field("sbp").unwrap();
        assert!(parse_field(sbp, "999").unwrap_err().contains("範囲外"));
        assert_eq!(parse_field(sbp, "-").unwrap(), Val::Null);
    }
}
