//! The user's own data: any CSV or Excel sheet becomes a table. The user chooses the header
//! row (sheets often have a title row or merged cells above it); column types are inferred
//! (integer, number, date, text); the table ends at its first empty row, since notes under
//! a table are not data. A key column can link the table to insured persons or institutions.
//! The table's name and its headers are data in the catalogue ([`crate::store::user_tables`]);
//! the rows go to a table named from its id, so no name becomes an SQL identifier. A file
//! whose cells hold control characters or undecodable bytes (a binary file) is refused.

use std::path::Path;

use csv::ByteRecord;

use super::columns::date_to_days;
use super::normalize::{fold_width, is_null, parse_integer, parse_number};
use super::source::RowSource;
use super::wareki::parse_date;
use super::{ImportError, TextEncoding, display_name, file_bytes, sha256_file};
use crate::job::Progress;
use crate::store::user_tables::{self, NewUserTable};
use crate::store::{ImportResult, Store, history};

#[derive(Debug, Clone, Default)]
pub struct UserTableOptions {
    /// The display name: any text of 1 to 100 characters. Importing again under the same
    /// name replaces that user table.
    pub name: String,
    pub sheet: Option<String>,
    /// The header row, counting from 1. `None`: the first non-empty row.
    pub header_row: Option<u64>,
    pub encoding: Option<TextEncoding>,
    /// A column whose values are keys of another table.
    pub key_column: Option<String>,
    /// What the key links to: `insured`, `medical_institutions`, `checkup_institutions`.
    pub link_to: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColType {
    Integer,
    Number,
    Date,
    Text,
}

impl ColType {
    fn sql(self) -> &'static str {
        match self {
            ColType::Integer => "BIGINT",
            ColType::Number => "DOUBLE",
            ColType::Date => "DATE",
            ColType::Text => "VARCHAR",
        }
    }
    fn accepts(self, v: &str) -> bool {
        match self {
            ColType::Integer => parse_integer(v).is_some() && !v.contains(['/', '年']),
            ColType::Number => parse_number(v).is_some(),
            ColType::Date => parse_date(v).is_some() && !v.chars().all(|c| c.is_ascii_digit()),
            ColType::Text => true,
        }
    }
}

/// The result of a user-table import.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UserTableReport {
    pub import_id: i64,
    /// The display name.
    pub table: String,
    pub rows: u64,
    /// (header, SQL type) per column.
    pub columns: Vec<(String, String)>,
    pub message: String,
}

/// Creates or replaces a user table from a file, in one transaction.
pub fn import_user_table(
    store: &Store,
    path: &Path,
    opts: &UserTableOptions,
    progress: &Progress,
) -> Result<UserTableReport, ImportError> {
    let file = display_name(path);
    let name = user_tables::check_name(&opts.name)
        .map_err(|e| ImportError::Invalid(format!("{file}: {e}")))?;
    let conn = store.conn();
    let sha = sha256_file(path)?;
    let bytes = file_bytes(path)?;
    let mut src = RowSource::open(path, opts.encoding, opts.sheet.as_deref())?;
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    let mut rec = ByteRecord::new();
    let mut header: Option<(u64, Vec<String>)> = None;
    loop {
        let line = match src.next_row(&mut rec) {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                return Err(ImportError::Invalid(format!(
                    "{file}: CSV として読めません: {e}"
                )));
            }
        };
        let cells: Vec<String> = rec
            .iter()
            .map(|c| fold_width(String::from_utf8_lossy(c).trim()).into_owned())
            .collect();
        let empty = cells.iter().all(|c| c.is_empty());
        let kept = match &header {
            None => opts.header_row.is_none_or(|n| line == n),
            Some(_) => !empty,
        };
        if kept && let Some(col) = cells.iter().position(|c| unreadable(c)) {
            return Err(ImportError::At {
                file: file.to_string(),
                line,
                column: Some((col + 1).to_string()),
                msg: "文字として読めないデータ（制御文字や文字化け）があります。表ではないファイル（画像・圧縮ファイルなど）か、文字コードの違うファイルです。取り込んでいません。CSV（Shift_JIS または UTF-8）か Excel の表を選んでください。".into(),
            });
        }
        match &header {
            None => {
                let is_header = match opts.header_row {
                    Some(n) => line == n,
                    None => !empty,
                };
                if is_header {
                    if empty {
                        return Err(ImportError::Invalid(format!(
                            "{file}: 見出し行に指定した {line} 行目が空です。"
                        )));
                    }
                    header = Some((line, cells));
                } else if opts.header_row.is_some_and(|n| line > n) {
                    break;
                }
            }
            Some(_) => {
                if empty {
                    break; // the table ends at its first empty row
                }
                rows.push((line, cells));
            }
        }
    }
    let (header_line, raw_headers) = header.ok_or_else(|| {
        ImportError::Invalid(format!(
            "{file}: 見出し行（{}行目）が見つかりません。",
            opts.header_row.unwrap_or(1)
        ))
    })?;
    let names = column_names(&raw_headers);
    let types: Vec<ColType> = (0..names.len())
        .map(|i| {
            let values = rows
                .iter()
                .filter_map(|(_, r)| r.get(i))
                .filter(|v| !is_null(v));
            [ColType::Integer, ColType::Number, ColType::Date]
                .into_iter()
                .find(|t| values.clone().all(|v| t.accepts(v)) && values.clone().next().is_some())
                .unwrap_or(ColType::Text)
        })
        .collect();
    if let Some(k) = &opts.key_column
        && !names.contains(k)
    {
        return Err(ImportError::Invalid(format!(
            "{file}: キー列「{k}」がありません（列: {}）",
            names.join("、")
        )));
    }
    let columns: Vec<(String, &'static str)> = names
        .iter()
        .cloned()
        .zip(types.iter().map(|t| t.sql()))
        .collect();
    let id = history::begin(
        conn,
        &file,
        &sha,
        bytes,
        Some("table"),
        src.encoding.map(|e| e.label()),
    )?;
    conn.execute_batch("BEGIN TRANSACTION")?;
    let result = (|| -> Result<(), ImportError> {
        // A table of the same display name is replaced; nothing else is touched.
        if let Some(old) = user_tables::find(conn, &name)? {
            user_tables::remove(conn, old)?;
        }
        let table_id = user_tables::create(
            conn,
            &NewUserTable {
                name: &name,
                source_file: &file,
                sheet: src.sheet.as_deref(),
                header_row: header_line as i64,
                key_column: opts.key_column.as_deref(),
                link_to: opts.link_to.as_deref(),
                rows: rows.len() as i64,
                import_id: id,
                columns: &columns,
            },
        )?;
        let mut app = conn.appender(&user_tables::physical_table(table_id))?;
        for (n, (_, row)) in rows.iter().enumerate() {
            let vals: Vec<duckdb::types::Value> = types
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let v = row.get(i).map(String::as_str).unwrap_or("");
                    if is_null(v) {
                        return duckdb::types::Value::Null;
                    }
                    match t {
                        ColType::Integer => parse_integer(v)
                            .map_or(duckdb::types::Value::Null, duckdb::types::Value::BigInt),
                        ColType::Number => parse_number(v)
                            .map_or(duckdb::types::Value::Null, duckdb::types::Value::Double),
                        ColType::Date => parse_date(v).map_or(duckdb::types::Value::Null, |d| {
                            duckdb::types::Value::Date32(date_to_days(d))
                        }),
                        ColType::Text => duckdb::types::Value::Text(v.to_string()),
                    }
                })
                .collect();
            app.append_row(duckdb::appender_params_from_iter(vals))?;
            if n % 10_000 == 0 {
                if progress.is_cancelled() {
                    return Err(ImportError::Invalid("取り消しました".into()));
                }
                progress.set(
                    n as f32 / rows.len().max(1) as f32,
                    format!("{file}: {n} 行"),
                );
            }
        }
        app.flush()?;
        Ok(())
    })();
    match result {
        Ok(()) => {
            conn.execute_batch("COMMIT")?;
            let message = format!(
                "{file}: 独自データ「{name}」を {} 行で作成しました（見出し {header_line} 行目）",
                rows.len()
            );
            history::finish(
                conn,
                id,
                rows.len() as u64,
                0,
                ImportResult::Ok,
                Some(&message),
            )?;
            Ok(UserTableReport {
                import_id: id,
                table: name,
                rows: rows.len() as u64,
                columns: columns
                    .into_iter()
                    .map(|(n, t)| (n, t.to_string()))
                    .collect(),
                message,
            })
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            let msg = format!("{file}: {e}。データベースは変更していません。");
            history::finish(conn, id, 0, 0, ImportResult::Error, Some(&msg))?;
            Err(ImportError::Invalid(msg))
        }
    }
}

/// Whether a cell holds what no text table does: a control character (other than tab and
/// the line breaks a quoted cell may hold) or U+FFFD, what undecodable bytes become.
fn unreadable(cell: &str) -> bool {
    cell.chars()
        .any(|c| c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r')))
}

/// Column headers as shown and kept in the catalogue (they are never SQL identifiers): the
/// width-folded header text, blanks named 列N, duplicates suffixed _2, _3, …
fn column_names(headers: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let mut name = if h.is_empty() {
            format!("列{}", i + 1)
        } else {
            h.clone()
        };
        let base = name.clone();
        let mut n = 2;
        while out.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        out.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_kept_as_written() {
        let h: Vec<String> = ["会場", "", "x\"); DROP TABLE users; --", "会場", "定員(人)"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            column_names(&h),
            [
                "会場",
                "列2",
                "x\"); DROP TABLE users; --",
                "会場_2",
                "定員(人)"
            ]
        );
    }

    #[test]
    fn control_characters_and_replacement_marks_are_unreadable() {
        assert!(unreadable("ab\u{0}c"));
        assert!(unreadable("\u{FFFD}"));
        assert!(unreadable("\u{7F}"));
        assert!(unreadable("\u{85}"));
        assert!(!unreadable("奈良市\t西町\r\n2丁目"));
        assert!(!unreadable("ｶﾅ・漢字・ABC 123"));
    }
}
