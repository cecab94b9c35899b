//! A row typed by hand (データの追加・修正): each value read with the importer's own rules
//! for its column (`columns::parse_field` for a data table: wareki dates, full-width
//! digits, codes padded, ranges checked; the column's SQL type for a user table), so a
//! hand-made row passes the checks an imported one does. A value that does not read names
//! its column in Japanese.

use duckdb::types::Value;

use super::columns::{date_to_days, parse_field};
use super::normalize::{is_null, parse_integer, parse_number};
use super::wareki::parse_date;
use crate::store::data_rows::{Column, DataTable};

/// Why a typed row is refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum HandEntryError {
    #[error("「{column}」の値「{value}」: {reason}。直してから保存してください")]
    Field {
        column: String,
        value: String,
        reason: String,
    },
    #[error("値の数（{got}）が列の数（{want}）と合いません")]
    Count { got: usize, want: usize },
}

/// The typed values of `raw` (one per column of `cols`).
pub fn typed(t: DataTable, cols: &[Column], raw: &[String]) -> Result<Vec<Value>, HandEntryError> {
    if raw.len() != cols.len() {
        return Err(HandEntryError::Count {
            got: raw.len(),
            want: cols.len(),
        });
    }
    let bad = |c: &Column, v: &str, reason: String| HandEntryError::Field {
        column: c.label.clone(),
        value: v.to_string(),
        reason,
    };
    let mut out = Vec::with_capacity(raw.len());
    for (i, (c, v)) in cols.iter().zip(raw).enumerate() {
        let value = match t {
            DataTable::Kind(k) => {
                let field = &k.def().fields[i];
                parse_field(field, v)
                    .map_err(|reason| bad(c, v, reason))?
                    .to_duckdb()
            }
            DataTable::User(_) => {
                if is_null(v) {
                    Value::Null
                } else {
                    match c.sql_type.as_deref() {
                        Some("BIGINT") => Value::BigInt(
                            parse_integer(v)
                                .ok_or_else(|| bad(c, v, "整数ではありません".into()))?,
                        ),
                        Some("DOUBLE") => Value::Double(
                            parse_number(v)
                                .ok_or_else(|| bad(c, v, "数値ではありません".into()))?,
                        ),
                        Some("DATE") => {
                            Value::Date32(date_to_days(parse_date(v).ok_or_else(|| {
                                bad(
                                    c,
                                    v,
                                    "日付として読めません（例 2021/4/1、R03.04.01）".into(),
                                )
                            })?))
                        }
                        _ => Value::Text(v.trim().to_string()),
                    }
                }
            }
        };
        out.push(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::kinds::Kind;

    fn cols(k: Kind) -> Vec<Column> {
        k.def()
            .fields
            .iter()
            .map(|f| Column {
                ident: f.name.into(),
                label: f.label.into(),
                sql_type: None,
            })
            .collect()
    }

    #[test]
    fn a_hand_row_is_read_as_an_imported_one_and_errors_name_the_column() {
        let c = cols(Kind::Insurers);
        let v = typed(
            DataTable::Kind(Kind::Insurers),
            &c,
            &["１２３".into(), "テスト町".into(), "29201".into()],
        )
        .unwrap();
        assert_eq!(
            v[0],
            Value::Text("000123".into()),
            "padded as the importer does"
        );
        let c = cols(Kind::MedicalInstitutions);
        let err = typed(
            DataTable::Kind(Kind::MedicalInstitutions),
            &c,
            &[
                "2910000001".into(),
                "テスト医院".into(),
                "".into(),
                "".into(),
                "99".into(),
                "135.8".into(),
            ],
        )
        .unwrap_err();
        assert!(err.to_string().contains("「緯度」の値「99」"), "{err}");
        assert!(matches!(
            typed(
                DataTable::Kind(Kind::Insurers),
                &cols(Kind::Insurers),
                &["1".into()]
            ),
            Err(HandEntryError::Count { got: 1, want: 3 })
        ));
    }
}
