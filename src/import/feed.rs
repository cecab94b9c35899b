//! The rows of one import on their way into DuckDB: each of DuckDB's threads takes the
//! next chunk of raw records from the file (one reader at a time, under a lock), checks it
//! field by field and writes the good rows straight into DuckDB's vectors (see
//! [`crate::store::feed`]). The thread that read a chunk checks it while its text is still
//! in that core's cache, and no thread of our own competes with DuckDB's for the cores.
//! Chunks of claim-like kinds are checked by all of DuckDB's threads at once; kinds keyed
//! by code (masters, the register) one chunk at a time, in file order, so that "duplicate
//! of line N" names the first line.
//!
//! What the checking finds (rows, rejects, replacement keys, a read failure, a cancel) is
//! gathered here and taken by the loader when the statement is over.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::ImportError;
use super::columns::{LastValue, Val, column_type};
use super::csv_scan::UnclosedQuote;
use super::rows::{Row, RowBatch};
use super::source::RowSource;
use crate::job::Progress;
use crate::store::Reject;
use crate::store::feed::{ChunkWriter, ColumnType, RowFeed};
use crate::store::kinds::{KindDef, Replace};

/// In strict mode, how many bad rows are collected before giving up on a file.
pub const STRICT_REJECT_LIMIT: usize = 100;

/// What the checking of a whole file found.
#[derive(Default)]
pub struct Loaded {
    pub rows: u64,
    pub rejected_rows: u64,
    /// Sorted by line.
    pub rejects: Vec<Reject>,
    pub totals_dropped: u64,
    pub cancelled: bool,
    /// Distinct replacement keys seen (typed), for deleting what they replace.
    pub keys: Vec<Vec<duckdb::types::Value>>,
}

#[derive(Default)]
struct State {
    loaded: Loaded,
    /// Keys already in `loaded.keys` (period kinds).
    periods: HashSet<Vec<String>>,
    /// First line of each key (kinds keyed by code).
    first_line: HashMap<Vec<String>, u64>,
    /// Why the file could not be read to the end.
    failed: Option<String>,
    /// Rows already read and still to check: the rows under the header that the header
    /// search read, or the rest of a chunk larger than one DuckDB chunk.
    leftover: Vec<(RowBatch, f32)>,
}

pub struct ImportFeed {
    def: &'static KindDef,
    /// For each field, its source column.
    mapping: Vec<Option<usize>>,
    /// The header row's cells, to name a column no field maps.
    headers: Vec<String>,
    /// The header's number of fields (a CSV row must have as many).
    header_len: usize,
    /// The columns under a header cell: up to the last non-empty one. A sheet's rows are
    /// filled to the used width, so a sheet's row has too many fields when it has a value
    /// from here on.
    header_used: usize,
    sheet: bool,
    import_id: i64,
    file: String,
    skip_invalid: bool,
    key_fields: Vec<usize>,
    /// Kinds keyed by code: a key may appear once in a file.
    unique_keys: bool,
    /// The file; `None` once it has been read to its end (or could not be).
    source: Mutex<Option<RowSource>>,
    /// Spent chunks, to be filled again.
    spare: Mutex<Vec<RowBatch>>,
    progress: Progress,
    /// No more rows will be written (end, failure, cancel, or too many rejects).
    done: AtomicBool,
    /// Strict mode saw a bad row: keep checking, write nothing more.
    invalid_seen: AtomicBool,
    state: Mutex<State>,
}

impl ImportFeed {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        def: &'static KindDef,
        mapping: Vec<Option<usize>>,
        headers: Vec<String>,
        import_id: i64,
        file: String,
        skip_invalid: bool,
        source: RowSource,
        pending: RowBatch,
        progress: Progress,
    ) -> ImportFeed {
        let key_fields: Vec<usize> = match def.replace {
            Replace::Period { insurer, period } => {
                vec![def.field_index(insurer), def.field_index(period)]
            }
            Replace::Key(k) => k.iter().map(|n| def.field_index(n)).collect(),
        }
        .into_iter()
        .flatten()
        .collect();
        let header_len = headers.len();
        let header_used = headers
            .iter()
            .rposition(|h| !h.trim().is_empty())
            .map_or(0, |i| i + 1);
        let sheet = source.is_sheet();
        ImportFeed {
            def,
            mapping,
            headers,
            header_len,
            header_used,
            sheet,
            import_id,
            file,
            skip_invalid,
            key_fields,
            unique_keys: matches!(def.replace, Replace::Key(_)),
            source: Mutex::new(Some(source)),
            spare: Mutex::new(Vec::new()),
            progress,
            done: AtomicBool::new(false),
            invalid_seen: AtomicBool::new(false),
            state: Mutex::new(State {
                leftover: if pending.is_empty() {
                    Vec::new()
                } else {
                    vec![(pending, 0.0)]
                },
                ..State::default()
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops reading and closes the file.
    pub fn close(&self) {
        self.done.store(true, Ordering::SeqCst);
        if let Ok(mut source) = self.source.lock() {
            source.take();
        }
    }

    /// What was found, once the statement is over: the rows, rejects (by line) and keys, or
    /// why the file could not be read.
    pub fn finish(&self) -> Result<Loaded, ImportError> {
        let mut st = self.state();
        if let Some(msg) = st.failed.take() {
            return Err(ImportError::Invalid(msg));
        }
        let mut loaded = std::mem::take(&mut st.loaded);
        loaded.rejects.sort_by_key(|r| r.line);
        if loaded.rows == 0 && loaded.rejected_rows == 0 {
            // An empty file replaces nothing.
            loaded.keys.clear();
        }
        Ok(loaded)
    }

    /// The next chunk of raw rows and the fraction of the file read, or `None` when there
    /// is none (the end, or a read error, which is kept for [`ImportFeed::finish`]).
    fn next_chunk(&self, max: usize) -> Option<(RowBatch, f32)> {
        if let Some(chunk) = self.state().leftover.pop() {
            return Some(chunk);
        }
        let mut source = self.source.lock().ok()?;
        let src = source.as_mut()?;
        let mut rows = self
            .spare
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_default();
        rows.clear();
        match src.next_batch(&mut rows, max) {
            Ok(true) => Some((rows, src.fraction())),
            Ok(false) => {
                source.take();
                None
            }
            Err(e) => {
                let line = src.line();
                source.take();
                drop(source);
                let mut st = self.state();
                if let Some(u) = UnclosedQuote::of(&e) {
                    // The file was cut short: a bad line of the file, reported and counted
                    // as one. The rows before it were read (and are checked as usual).
                    st.loaded.rejected_rows += 1;
                    st.loaded.rejects.push(Reject {
                        line: u.line,
                        column: None,
                        value: None,
                        reason: UnclosedQuote::REASON.to_string(),
                    });
                    if !self.skip_invalid {
                        self.invalid_seen.store(true, Ordering::SeqCst);
                    }
                    drop(st);
                    if rows.is_empty() {
                        return None;
                    }
                    return Some((rows, 1.0));
                }
                st.failed = Some(format!("{}行目付近を CSV として読めません（{e}）", line));
                self.done.store(true, Ordering::SeqCst);
                None
            }
        }
    }

    /// Checks one chunk and writes its good rows; returns how many were written.
    fn check(&self, rows: &RowBatch, out: &mut ChunkWriter<'_>) -> usize {
        let def = self.def;
        let strict = !self.skip_invalid;
        let mut memos: Vec<LastValue> = def.fields.iter().map(|_| LastValue::default()).collect();
        let mut vals: Vec<Val<'_>> = Vec::with_capacity(def.fields.len());
        let mut rejects: Vec<Reject> = Vec::new();
        let mut rejected_rows = 0u64;
        let mut totals = 0u64;
        let mut last_period: Vec<Val<'static>> = Vec::new();
        let mut periods: Vec<(Vec<String>, Vec<duckdb::types::Value>)> = Vec::new();
        // Kinds keyed by code are checked one chunk at a time: hold the state throughout.
        let mut held = self.unique_keys.then(|| self.state());
        let mut n = 0usize;
        // One UTF-8 check for the whole chunk; a row is then a slice of it (at char
        // boundaries, which `str::get` checks). A chunk that is not valid UTF-8 as a whole
        // is checked row by row.
        let chunk_text = rows.text_str();
        for rec in rows.rows() {
            let line = rec.line;
            if rec
                .iter()
                .all(|c| c.iter().all(|b| b.is_ascii_whitespace()))
            {
                continue;
            }
            if is_total_or_note_row(&rec) {
                totals += 1;
                continue;
            }
            vals.clear();
            let mut row_rejects: Vec<Reject> = Vec::new();
            if let Some(r) = self.nul_or_extra_field(&rec) {
                row_rejects.push(r);
            } else if !self.sheet && rec.len() < self.header_len {
                row_rejects.push(Reject {
                    line,
                    column: None,
                    value: None,
                    reason: format!(
                        "列の数が足りません（見出しは {} 列、この行は {} 列）。ファイルが途中で切れていないか確認してください",
                        self.header_len,
                        rec.len()
                    ),
                });
            } else {
                // The record's text, and one look for U+FFFD (EF BF BD) in it; a field is
                // then a slice of that text at char boundaries (`str::get`). A record that
                // is not valid UTF-8 as a whole is checked field by field.
                let bytes = rec.text();
                let text = match chunk_text {
                    Some(all) => rec.text_in(all),
                    None => std::str::from_utf8(bytes).ok(),
                };
                let may_be_garbled = memchr::memchr(0xEF, bytes).is_some();
                for ((field, col), memo) in def.fields.iter().zip(&self.mapping).zip(&mut memos) {
                    let raw: &[u8] = col.and_then(|c| rec.get(c)).unwrap_or(b"");
                    let cell = match (text, col.and_then(|c| rec.span(c))) {
                        (Some(t), Some((a, b))) => t.get(a..b),
                        (_, None) => Some(""),
                        (None, Some(_)) => std::str::from_utf8(raw).ok(),
                    };
                    let parsed =
                        match cell {
                            Some(cell) => memo.parse(field, cell, may_be_garbled),
                            None => Err("文字コードが正しくありません（UTF-8 として読めません）"
                                .to_string()),
                        };
                    match parsed {
                        Ok(v) => vals.push(v),
                        Err(reason) => {
                            row_rejects.push(Reject {
                                line,
                                column: Some(field.label.to_string()),
                                value: Some(String::from_utf8_lossy(raw).into_owned()),
                                reason,
                            });
                            vals.push(Val::Null);
                        }
                    }
                }
            }
            // Rows of one (insurer, period) come together: the same period as the last row
            // is recognised without building its key.
            let same_period = !self.unique_keys
                && last_period.len() == self.key_fields.len()
                && self
                    .key_fields
                    .iter()
                    .zip(&last_period)
                    .all(|(&i, k)| vals[i] == *k);
            if row_rejects.is_empty() && !self.key_fields.is_empty() && !same_period {
                let key: Vec<String> = self.key_fields.iter().map(|&i| vals[i].key()).collect();
                let typed = || {
                    self.key_fields
                        .iter()
                        .map(|&i| vals[i].to_duckdb())
                        .collect()
                };
                if let Some(st) = held.as_mut() {
                    if let Some(first) = st.first_line.get(&key) {
                        row_rejects.push(Reject {
                            line,
                            column: Some(def.fields[self.key_fields[0]].label.to_string()),
                            value: Some(key.join(" / ")),
                            reason: format!("ファイル内で重複しています（{first}行目と同じキー）"),
                        });
                    } else {
                        st.loaded.keys.push(typed());
                        st.first_line.insert(key, line);
                    }
                } else {
                    if !periods.iter().any(|(k, _)| *k == key) {
                        periods.push((key, typed()));
                    }
                    last_period = self
                        .key_fields
                        .iter()
                        .map(|&i| vals[i].to_static())
                        .collect();
                }
            }
            if !row_rejects.is_empty() {
                rejected_rows += 1;
                rejects.extend(row_rejects);
                if strict {
                    self.invalid_seen.store(true, Ordering::SeqCst);
                }
                continue;
            }
            if self.invalid_seen.load(Ordering::Relaxed) || n >= out.capacity() {
                continue; // strict mode: keep checking for more errors, write nothing
            }
            for (col, v) in vals.iter().enumerate() {
                match v {
                    Val::Null => out.null(col, n),
                    Val::Str(s) => out.text(col, n, s),
                    Val::Int(i) => out.int(col, n, *i),
                    Val::Float(f) => out.float(col, n, *f),
                    Val::Date(d) => out.date(col, n, *d),
                    Val::Bool(b) => out.boolean(col, n, *b),
                }
            }
            out.int(vals.len(), n, self.import_id);
            n += 1;
        }
        let mut st = match held {
            Some(st) => st,
            None => self.state(),
        };
        st.loaded.rows += n as u64;
        st.loaded.rejected_rows += rejected_rows;
        st.loaded.rejects.extend(rejects);
        st.loaded.totals_dropped += totals;
        for (key, typed) in periods {
            if st.periods.insert(key) {
                st.loaded.keys.push(typed);
            }
        }
        if strict && st.loaded.rejected_rows as usize >= STRICT_REJECT_LIMIT {
            self.done.store(true, Ordering::SeqCst);
        }
        n
    }
}

impl ImportFeed {
    /// A NUL byte in a field (no text file has one: a binary file, or a broken one), or a
    /// value beyond the header's columns (a CSV row with more fields than the header, as
    /// when an unquoted comma splits a value and shifts every field after it).
    fn nul_or_extra_field(&self, rec: &Row<'_>) -> Option<Reject> {
        if memchr::memchr(0, rec.text()).is_some() {
            let col = rec.iter().position(|f| f.contains(&0)).unwrap_or(0);
            let raw = rec.get(col).unwrap_or(b"");
            return Some(Reject {
                line: rec.line,
                column: Some(self.column_label(col)),
                value: Some(String::from_utf8_lossy(raw).replace('\0', "\\0")),
                reason: "NUL 文字（0x00）が含まれています。文字のファイル（CSV）ではないか、壊れています。元のファイルを確認してください".into(),
            });
        }
        if self.sheet {
            let col = (self.header_used..rec.len())
                .find(|&i| rec.get(i).is_some_and(|f| !trimmed_cell(f).is_empty()))?;
            let raw = rec.get(col).unwrap_or(b"");
            return Some(Reject {
                line: rec.line,
                column: Some(format!("{}列", super::workbook::column_name(col))),
                value: Some(String::from_utf8_lossy(raw).into_owned()),
                reason: format!(
                    "見出しのない列に値があります（見出しは {} 列目まで）。列がずれていないか確認してください",
                    super::workbook::column_name(self.header_used.saturating_sub(1))
                ),
            });
        }
        if rec.len() > self.header_len {
            return Some(Reject {
                line: rec.line,
                column: None,
                value: None,
                reason: format!(
                    "列の数が多すぎます（見出しは {} 列、この行は {} 列）。値の中のカンマ（,）が引用符（\"）で囲まれているか、列がずれていないか確認してください",
                    self.header_len,
                    rec.len()
                ),
            });
        }
        None
    }

    /// A column's name for a message: the field it is mapped to, or its header, or its
    /// number.
    fn column_label(&self, col: usize) -> String {
        if let Some(f) = self.mapping.iter().position(|m| *m == Some(col)) {
            return self.def.fields[f].label.to_string();
        }
        match self.headers.get(col).map(|h| h.trim()) {
            Some(h) if !h.is_empty() => h.to_string(),
            _ => format!("{}列目", col + 1),
        }
    }
}

impl RowFeed for ImportFeed {
    fn columns(&self) -> Vec<(String, ColumnType)> {
        let mut cols: Vec<(String, ColumnType)> = self
            .def
            .fields
            .iter()
            .map(|f| (f.name.to_string(), column_type(f.ty)))
            .collect();
        cols.push(("import_id".to_string(), ColumnType::BigInt));
        cols
    }

    fn parallel(&self) -> bool {
        !self.unique_keys
    }

    fn fill(&self, out: &mut ChunkWriter<'_>) -> Result<usize, String> {
        loop {
            if self.done.load(Ordering::SeqCst) {
                return Ok(0);
            }
            if self.progress.is_cancelled() {
                self.state().loaded.cancelled = true;
                self.done.store(true, Ordering::SeqCst);
                return Ok(0);
            }
            let Some((mut rows, fraction)) = self.next_chunk(out.capacity()) else {
                return Ok(0);
            };
            if rows.len() > out.capacity() {
                let rest = rows.split_off(out.capacity());
                self.state().leftover.push((rest, fraction));
            }
            let n = self.check(&rows, out);
            let done = self.state().loaded.rows;
            self.progress.set(
                fraction * 0.95,
                format!("{}: {done} 行を検査・取込中", self.file),
            );
            if let Ok(mut spare) = self.spare.lock() {
                spare.push(rows);
            }
            if n > 0 {
                return Ok(n);
            }
        }
    }
}

/// A cell as text without surrounding (also ideographic) spaces; "" if not UTF-8.
fn trimmed_cell(c: &[u8]) -> &str {
    std::str::from_utf8(c)
        .map(|t| t.trim_matches(|ch: char| ch.is_whitespace() || ch == '\u{3000}'))
        .unwrap_or("")
}

/// A total row (合計・総計・小計・計 in its first filled cell) or a footnote row (a single
/// filled cell starting with ※, 注, ＊ or （注）), as KDB reports and office sheets end.
/// Neither is data; both are counted and reported as dropped.
fn is_total_or_note_row(rec: &Row<'_>) -> bool {
    // Runs on every row: look at borrowed cells, allocate nothing. No marker starts with
    // an ASCII letter or digit, so a row whose first cell does is decided at once.
    if rec
        .get(0)
        .and_then(|c| c.first())
        .is_some_and(|b| b.is_ascii_alphanumeric())
    {
        return false;
    }
    let mut filled = rec.iter().map(trimmed_cell).filter(|c| !c.is_empty());
    let Some(first) = filled.next() else {
        return false;
    };
    if ["合計", "総計", "小計"]
        .iter()
        .any(|m| first.starts_with(m))
        || first == "計"
    {
        return true;
    }
    let note = ["※", "注", "＊", "*", "（注", "(注"]
        .iter()
        .any(|m| first.starts_with(m));
    note && filled.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `is_total_or_note_row` of a record of these cells.
    fn total_or_note(cells: &[&str]) -> bool {
        let mut batch = RowBatch::default();
        batch.push_fields(1, cells.iter().map(|c| c.as_bytes()));
        batch.row(0).is_some_and(|r| is_total_or_note_row(&r))
    }

    #[test]
    fn totals_and_footnotes_are_not_data() {
        assert!(total_or_note(&["合計", "3件"]));
        assert!(total_or_note(&["", "　総計", "12"]));
        assert!(total_or_note(&["※ 緯度経度が空欄の機関は未調査", "", ""]));
        assert!(total_or_note(&["（注）令和2年度は集団健診を中止", ""]));
        // A note-like first cell with more cells filled is a data row and gets validated.
        assert!(!total_or_note(&["※123", "奈良市"]));
        assert!(!total_or_note(&["2900000001", "合計"]));
        assert!(!total_or_note(&["計算センター", "x"]));
    }
}
