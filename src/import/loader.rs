//! The import of one file of a known kind, as one transaction.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use csv::ByteRecord;
use duckdb::{Connection, params};

use super::columns::{BatchBuilder, Val, parse_field};
use super::detect::{self, HeaderMatch};
use super::kinds::{KindDef, Replace};
use super::source::RowSource;
use super::{ImportError, ImportOptions, ImportReport, display_name, profile, sha256_file};
use crate::job::Progress;
use crate::store::{ImportResult, Reject, Store, history};

/// Rows per Arrow batch appended to DuckDB.
const BATCH_ROWS: usize = 32 * 1024;
/// In strict mode, how many bad rows are collected before giving up on a file.
const STRICT_REJECT_LIMIT: usize = 100;
/// Rows between checks for a cancel request (and progress updates). A cancel that arrives
/// after the last check is still honoured before the commit.
const CANCEL_CHECK_ROWS: usize = 4096;
/// How many rejects a report carries for display (all are kept in the database).
const REPORT_REJECTS: usize = 100;

/// Imports one file. Returns a report for every outcome the user should see (imported,
/// skipped as a duplicate, rejected, cancelled); `Err` only when the file cannot be read
/// or the database fails.
pub fn import_file(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
    progress: &Progress,
) -> Result<ImportReport, ImportError> {
    let file = display_name(path);
    let conn = store.conn();
    progress.set(0.0, format!("{file}: 確認しています"));
    let sha = sha256_file(path)?;
    let mut report = ImportReport {
        import_id: None,
        file: file.clone(),
        kind: None,
        table: None,
        encoding: None,
        result: ImportResult::Running,
        rows: 0,
        rejected: 0,
        total_rows_dropped: 0,
        replaced: 0,
        message: String::new(),
        rejects: Vec::new(),
        warnings: Vec::new(),
    };
    if let Some(prev) = history::find_imported(conn, &sha)? {
        let id = history::begin(conn, &file, &sha, None, None)?;
        report.message = format!(
            "{file} は取込済みです（取込ID {prev} と同じ内容）。取り込まずにスキップしました。"
        );
        history::finish(conn, id, 0, 0, ImportResult::Skipped, Some(&report.message))?;
        report.import_id = Some(id);
        report.result = ImportResult::Skipped;
        return Ok(report);
    }

    let dir = profile::profiles_dir(store.data_dir());
    let mut profiles = match (&opts.custom_profile, &opts.profile) {
        (Some(custom), _) => vec![custom.clone()],
        (None, Some(name)) => vec![profile::find(&dir, name)?],
        (None, None) => profile::load_all(&dir)?,
    };
    if let Some(kind) = opts.kind {
        profiles.retain(|p| p.kind() == Some(kind));
    }
    let mut src = RowSource::open(path, opts.encoding, opts.sheet.as_deref())?;
    report.encoding = src.encoding.map(|e| e.label());
    let mut head: Vec<(u64, ByteRecord)> = Vec::new();
    while head.len() < detect::HEADER_SCAN_ROWS {
        let mut rec = ByteRecord::new();
        match src.next_row(&mut rec) {
            Ok(Some(line)) => head.push((line, rec)),
            Ok(None) => break,
            Err(e) => {
                return Err(ImportError::Invalid(format!(
                    "{file}: CSV として読めません: {e}"
                )));
            }
        }
    }
    let records: Vec<ByteRecord> = head.iter().map(|(_, r)| r.clone()).collect();
    let hm = match detect::find_header(&records, &profiles) {
        Ok(m) => m,
        Err(partial) => {
            let msg = no_header_message(
                &file,
                partial.as_ref(),
                head.get(partial.as_ref().map_or(0, |p| p.row)).map(|h| h.0),
            );
            let id = history::begin(
                conn,
                &file,
                &sha,
                opts.kind.map(|k| k.def().id),
                report.encoding,
            )?;
            history::finish(conn, id, 0, 0, ImportResult::Rejected, Some(&msg))?;
            report.import_id = Some(id);
            report.result = ImportResult::Rejected;
            report.message = msg;
            return Ok(report);
        }
    };
    let def = hm.def();
    report.kind = Some(def.id);
    report.table = Some(def.table);
    let missing = hm.missing(false);
    if !missing.is_empty() {
        report.warnings.push(format!(
            "{file}: 次の列がないため空欄として取り込みます: {}",
            missing.join("、")
        ));
    }
    let id = history::begin(conn, &file, &sha, Some(def.id), report.encoding)?;
    report.import_id = Some(id);

    conn.execute_batch("BEGIN TRANSACTION")?;
    let loaded = load_rows(
        conn,
        id,
        &file,
        &hm,
        head,
        &mut src,
        opts.skip_invalid,
        progress,
    );
    let (result, message) = match loaded {
        Ok(l) if l.cancelled => {
            conn.execute_batch("ROLLBACK")?;
            report.rows = 0;
            (
                ImportResult::Cancelled,
                format!("{file}: 取込を取り消しました。データベースは変更していません。"),
            )
        }
        Ok(l) if !opts.skip_invalid && l.rejected_rows > 0 => {
            conn.execute_batch("ROLLBACK")?;
            history::add_rejects(conn, id, &l.rejects)?;
            report.rejected = l.rejected_rows;
            report.rejects = l.rejects.into_iter().take(REPORT_REJECTS).collect();
            let first = report
                .rejects
                .first()
                .map(|r| describe_reject(&file, r))
                .unwrap_or_default();
            let more = if report.rejected > 1 {
                format!("（ほか {} 行）", report.rejected - 1)
            } else {
                String::new()
            };
            (
                ImportResult::Rejected,
                format!(
                    "{first}{more}。このファイルは取り込んでいません（データベースは変更していません）。修正して取り込み直すか、正しい行だけ取り込む指定（--skip-invalid）を使ってください。"
                ),
            )
        }
        Ok(l) => match finish_ok(conn, id, def, &l) {
            Ok(replaced) => {
                conn.execute_batch("COMMIT")?;
                report.rows = l.rows;
                report.rejected = l.rejected_rows;
                report.replaced = replaced;
                report.total_rows_dropped = l.totals_dropped;
                report.rejects = l.rejects.into_iter().take(REPORT_REJECTS).collect();
                let mut msg = format!("{file}: {} を {} 行取り込みました", def.label, l.rows);
                if replaced > 0 {
                    msg += &format!("（同じ期間・キーの既存 {replaced} 行を置き換え）");
                }
                if report.rejected > 0 {
                    msg += &format!(
                        "。不正な {} 行は除外し、取込結果に記録しました",
                        report.rejected
                    );
                }
                if l.totals_dropped > 0 {
                    msg += &format!("。合計行・注記行 {} 行は除きました", l.totals_dropped);
                }
                (ImportResult::Ok, msg)
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                (
                    ImportResult::Error,
                    format!("{file}: {e}。データベースは変更していません。"),
                )
            }
        },
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            (
                ImportResult::Error,
                format!("{file}: {e}。データベースは変更していません。"),
            )
        }
    };
    history::finish(
        conn,
        id,
        report.rows,
        report.rejected,
        result,
        Some(&message),
    )?;
    progress.set(1.0, message.clone());
    report.result = result;
    report.message = message;
    Ok(report)
}

/// "file 12行目「健診受診日」: 値「R03.13.01」は日付として読めません…"
pub fn describe_reject(file: &str, r: &Reject) -> String {
    let col = r
        .column
        .as_deref()
        .map(|c| format!("「{c}」"))
        .unwrap_or_default();
    let val = r
        .value
        .as_deref()
        .map(|v| format!(": 値「{v}」は"))
        .unwrap_or_else(|| ": ".into());
    format!("{file} {}行目{col}{val}{}", r.line, r.reason)
}

fn no_header_message(file: &str, partial: Option<&HeaderMatch>, line: Option<u64>) -> String {
    match partial {
        Some(p) => format!(
            "{file}: 見出し行を判別できません。{}行目が「{}」に最も近いですが、必須の列 {} がありません。列の対応（プロファイル）を確認するか、種類を指定してください。",
            line.unwrap_or(0),
            p.def().label,
            p.missing(true)
                .iter()
                .map(|m| format!("「{m}」"))
                .collect::<Vec<_>>()
                .join("")
        ),
        None => format!(
            "{file}: 見出し行が見つかりません（先頭 {} 行を調べました）。取り込める種類のファイルか、文字コードが正しいかを確認してください。",
            detect::HEADER_SCAN_ROWS
        ),
    }
}

struct Loaded {
    rows: u64,
    rejected_rows: u64,
    rejects: Vec<Reject>,
    totals_dropped: u64,
    cancelled: bool,
    /// Distinct replacement keys seen (typed), for deleting what they replace.
    keys: Vec<Vec<duckdb::types::Value>>,
}

/// A total row (合計・総計・小計・計 in its first filled cell) or a footnote row (a single
/// filled cell starting with ※, 注, ＊ or （注）), as KDB reports and office sheets end.
/// Neither is data; both are counted and reported as dropped.
/// A cell as text without surrounding (also ideographic) spaces; "" if not UTF-8.
fn trimmed_cell(c: &[u8]) -> &str {
    std::str::from_utf8(c)
        .map(|t| t.trim_matches(|ch: char| ch.is_whitespace() || ch == '\u{3000}'))
        .unwrap_or("")
}

fn is_total_or_note_row(rec: &ByteRecord) -> bool {
    // Runs on every row: look at borrowed cells, allocate nothing.
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

#[allow(clippy::too_many_arguments)]
fn load_rows(
    conn: &Connection,
    import_id: i64,
    file: &str,
    hm: &HeaderMatch,
    head: Vec<(u64, ByteRecord)>,
    src: &mut RowSource,
    skip_invalid: bool,
    progress: &Progress,
) -> Result<Loaded, ImportError> {
    let def = hm.def();
    let header_len = hm.headers.len();
    let key_fields: Vec<usize> = match def.replace {
        Replace::Period { insurer, period } => {
            vec![def.field_index(insurer), def.field_index(period)]
        }
        Replace::Key(k) => k.iter().map(|n| def.field_index(n)).collect(),
    }
    .into_iter()
    .flatten()
    .collect();
    let unique_keys = matches!(def.replace, Replace::Key(_));
    let mut seen_keys: HashMap<Vec<String>, u64> = HashMap::new();
    let mut period_keys: HashSet<Vec<String>> = HashSet::new();
    let mut last_period: Vec<String> = Vec::new();
    let mut loaded = Loaded {
        rows: 0,
        rejected_rows: 0,
        rejects: Vec::new(),
        totals_dropped: 0,
        cancelled: false,
        keys: Vec::new(),
    };
    let mut builder = BatchBuilder::new(def.fields, import_id);
    let mut app = conn.appender(def.table)?;
    let mut pending: std::collections::VecDeque<(u64, ByteRecord)> =
        head.into_iter().skip(hm.row + 1).collect();
    // Decoding and CSV parsing run on a second thread, a chunk of rows ahead of the
    // checking and appending here (the console has cores to spare; DuckDB's own reader
    // uses them too). Spent records go back to be reused.
    std::thread::scope(|scope| -> Result<Loaded, ImportError> {
        let (tx, rx) = crossbeam_channel::bounded::<Chunk>(4);
        let (spare_tx, spare_rx) = crossbeam_channel::bounded::<Vec<ByteRecord>>(4);
        scope.spawn(move || read_ahead(src, &tx, &spare_rx));
        let mut fraction = 0.0f32;
        let mut chunk: std::vec::IntoIter<(u64, ByteRecord)> = Vec::new().into_iter();
        let mut spent: Vec<ByteRecord> = Vec::with_capacity(READ_AHEAD_ROWS);
        let mut rec = ByteRecord::new();
        let mut invalid_seen = false;
        let mut since_check = 0usize;
        loop {
            let next = match pending.pop_front() {
                Some(r) => Some(r),
                None => chunk.next(),
            };
            let line = if let Some((line, r)) = next {
                spent.push(std::mem::replace(&mut rec, r));
                if spent.len() >= READ_AHEAD_ROWS {
                    let _ = spare_tx.try_send(std::mem::take(&mut spent));
                }
                line
            } else {
                match rx.recv() {
                    Ok(Chunk::Rows(rows, f)) => {
                        fraction = f;
                        chunk = rows.into_iter();
                        continue;
                    }
                    Ok(Chunk::Failed(msg)) => return Err(ImportError::Invalid(msg)),
                    Err(_) => break,
                }
            };
            since_check += 1;
            if since_check >= CANCEL_CHECK_ROWS {
                since_check = 0;
                if progress.is_cancelled() {
                    loaded.cancelled = true;
                    return Ok(loaded);
                }
                progress.set(
                    fraction * 0.95,
                    format!("{file}: {} 行を検査・取込中", loaded.rows),
                );
            }
            if rec
                .iter()
                .all(|c| c.iter().all(|b| b.is_ascii_whitespace()))
            {
                continue;
            }
            if is_total_or_note_row(&rec) {
                loaded.totals_dropped += 1;
                continue;
            }
            let mut row_rejects: Vec<Reject> = Vec::new();
            if rec.len() < header_len {
                row_rejects.push(Reject {
                line,
                column: None,
                value: None,
                reason: format!(
                    "列の数が足りません（見出しは {header_len} 列、この行は {} 列）。ファイルが途中で切れていないか確認してください",
                    rec.len()
                ),
            });
            }
            let mut vals: Vec<Val> = Vec::with_capacity(def.fields.len());
            if row_rejects.is_empty() {
                for (field, col) in def.fields.iter().zip(&hm.mapping) {
                    let raw: &[u8] = col.and_then(|c| rec.get(c)).unwrap_or(b"");
                    let parsed =
                        match std::str::from_utf8(raw) {
                            Ok(text) => parse_field(field, text),
                            Err(_) => Err("文字コードが正しくありません（UTF-8 として読めません）"
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
            // Rows of one (insurer, period) come together: the same period as the last row is
            // recognised without building its key.
            let same_period = !unique_keys
                && last_period.len() == key_fields.len()
                && key_fields
                    .iter()
                    .zip(&last_period)
                    .all(|(&i, k)| vals[i].key_eq(k));
            if row_rejects.is_empty() && !key_fields.is_empty() && !same_period {
                let key: Vec<String> = key_fields.iter().map(|&i| vals[i].key()).collect();
                if unique_keys {
                    if let Some(first) = seen_keys.get(&key) {
                        row_rejects.push(Reject {
                            line,
                            column: Some(def.fields[key_fields[0]].label.to_string()),
                            value: Some(key.join(" / ")),
                            reason: format!("ファイル内で重複しています（{first}行目と同じキー）"),
                        });
                    } else {
                        seen_keys.insert(key, line);
                        loaded
                            .keys
                            .push(key_fields.iter().map(|&i| vals[i].to_duckdb()).collect());
                    }
                } else {
                    if !period_keys.contains(&key) {
                        loaded
                            .keys
                            .push(key_fields.iter().map(|&i| vals[i].to_duckdb()).collect());
                        period_keys.insert(key.clone());
                    }
                    last_period = key;
                }
            }
            if !row_rejects.is_empty() {
                loaded.rejected_rows += 1;
                loaded.rejects.extend(row_rejects);
                if !skip_invalid {
                    invalid_seen = true;
                    if loaded.rejected_rows as usize >= STRICT_REJECT_LIMIT {
                        break;
                    }
                }
                continue;
            }
            if invalid_seen {
                continue; // strict mode: keep checking for more errors, write nothing
            }
            builder.push(&vals);
            loaded.rows += 1;
            if builder.len() >= BATCH_ROWS {
                let batch = builder
                    .finish()
                    .map_err(|e| ImportError::Invalid(e.to_string()))?;
                app.append_record_batch(batch)?;
            }
        }
        if progress.is_cancelled() {
            loaded.cancelled = true;
            return Ok(loaded);
        }
        if !invalid_seen && !builder.is_empty() {
            let batch = builder
                .finish()
                .map_err(|e| ImportError::Invalid(e.to_string()))?;
            app.append_record_batch(batch)?;
        }
        app.flush()?;
        if loaded.rows == 0 && loaded.rejected_rows == 0 {
            // An empty file replaces nothing.
            loaded.keys.clear();
        }
        Ok(loaded)
    })
}

/// Rows handed from the reading thread: a chunk and the file fraction read, or why the
/// file cannot be read as CSV.
enum Chunk {
    Rows(Vec<(u64, ByteRecord)>, f32),
    Failed(String),
}

const READ_AHEAD_ROWS: usize = 2048;

/// Reads rows in chunks until the end, an error, or the checking side stops listening.
fn read_ahead(
    src: &mut RowSource,
    tx: &crossbeam_channel::Sender<Chunk>,
    spare: &crossbeam_channel::Receiver<Vec<ByteRecord>>,
) {
    let mut pool: Vec<ByteRecord> = Vec::new();
    loop {
        let mut rows = Vec::with_capacity(READ_AHEAD_ROWS);
        while rows.len() < READ_AHEAD_ROWS {
            if pool.is_empty()
                && let Ok(v) = spare.try_recv()
            {
                pool = v;
            }
            let mut rec = pool.pop().unwrap_or_default();
            match src.next_row(&mut rec) {
                Ok(Some(line)) => rows.push((line, rec)),
                Ok(None) => {
                    if !rows.is_empty() {
                        let _ = tx.send(Chunk::Rows(rows, src.fraction()));
                    }
                    return;
                }
                Err(e) => {
                    if !rows.is_empty() && tx.send(Chunk::Rows(rows, src.fraction())).is_err() {
                        return;
                    }
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    let _ = tx.send(Chunk::Failed(format!(
                        "{line}行目付近を CSV として読めません（{e}）"
                    )));
                    return;
                }
            }
        }
        if tx.send(Chunk::Rows(rows, src.fraction())).is_err() {
            return;
        }
    }
}

/// Deletes the earlier rows that this import replaces (same insurer and period, or same
/// key), and stores the rejects of a `--skip-invalid` import. Inside the transaction.
fn finish_ok(
    conn: &Connection,
    import_id: i64,
    def: &KindDef,
    loaded: &Loaded,
) -> Result<u64, ImportError> {
    if !loaded.rejects.is_empty() {
        history::add_rejects(conn, import_id, &loaded.rejects)?;
    }
    if loaded.keys.is_empty() {
        return Ok(0);
    }
    let key_cols: Vec<&str> = match def.replace {
        Replace::Period { insurer, period } => vec![insurer, period],
        Replace::Key(k) => k.to_vec(),
    };
    // Identifiers come from the fixed kind definitions; values are appended, not spliced.
    let select: Vec<String> = key_cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} AS k{i}"))
        .collect();
    conn.execute_batch(&format!(
        "DROP TABLE IF EXISTS import_keys; CREATE TEMP TABLE import_keys AS SELECT {} FROM {} LIMIT 0",
        select.join(", "),
        def.table
    ))?;
    {
        let mut app = conn.appender("import_keys")?;
        for key in &loaded.keys {
            app.append_row(duckdb::appender_params_from_iter(key.iter()))?;
        }
        app.flush()?;
    }
    let cond: Vec<String> = key_cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("t.{c} IS NOT DISTINCT FROM k.k{i}"))
        .collect();
    let deleted = conn.execute(
        &format!(
            "DELETE FROM {} t USING import_keys k WHERE {} AND t.import_id <> ?",
            def.table,
            cond.join(" AND ")
        ),
        params![import_id],
    )?;
    conn.execute_batch("DROP TABLE import_keys")?;
    Ok(deleted as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(cells: &[&str]) -> ByteRecord {
        ByteRecord::from(cells.to_vec())
    }

    #[test]
    fn totals_and_footnotes_are_not_data() {
        assert!(is_total_or_note_row(&rec(&["合計", "3件"])));
        assert!(is_total_or_note_row(&rec(&["", "　総計", "12"])));
        assert!(is_total_or_note_row(&rec(&[
            "※ 緯度経度が空欄の機関は未調査",
            "",
            ""
        ])));
        assert!(is_total_or_note_row(&rec(&[
            "（注）令和2年度は集団健診を中止",
            ""
        ])));
        // A note-like first cell with more cells filled is a data row and gets validated.
        assert!(!is_total_or_note_row(&rec(&["※123", "奈良市"])));
        assert!(!is_total_or_note_row(&rec(&["2900000001", "合計"])));
        assert!(!is_total_or_note_row(&rec(&["計算センター", "x"])));
    }
}
