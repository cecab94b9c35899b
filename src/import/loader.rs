//! The import of one file of a known kind, as one transaction.

use std::path::Path;
use std::sync::Arc;

use csv::ByteRecord;
use duckdb::{Connection, params};

use super::csv_scan::UnclosedQuote;
use super::detect::{self, HeaderMatch};
use super::feed::{ImportFeed, Loaded};
use super::rows::RowBatch;
use super::source::RowSource;
use super::{
    FewerRows, ImportError, ImportOptions, ImportReport, display_name, file_bytes, profile,
    sha256_file,
};
use crate::job::Progress;
use crate::store::feed as store_feed;
use crate::store::kinds::{Kind, KindDef, Replace};
use crate::store::{ImportResult, Reject, Store, history};

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
    let bytes = file_bytes(path)?;
    // A file of a size that no earlier successful import had cannot be a re-import: its
    // hash is computed as it is read, not in a pass of its own before. Otherwise (and for
    // workbooks, read whole anyway) it is computed first, so that a re-import is skipped
    // at once.
    let known_sha = if super::source::is_excel(path) || history::may_be_imported(conn, bytes)? {
        Some(sha256_file(path)?)
    } else {
        None
    };
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
        institution_match: None,
        fewer_rows: Vec::new(),
    };
    if let Some(sha) = &known_sha
        && let Some(prev) = history::find_imported(conn, sha)?
    {
        let id = history::begin(conn, &file, sha, bytes, None, None)?;
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
    // Not hashed yet: hashed on the way.
    let hash = known_sha.is_none().then(|| src.hash_while_reading());
    report.encoding = src.encoding.map(|e| e.label());
    let mut head: Vec<(u64, ByteRecord)> = Vec::new();
    while head.len() < detect::HEADER_SCAN_ROWS {
        let mut rec = ByteRecord::new();
        match src.next_row(&mut rec) {
            Ok(Some(line)) => head.push((line, rec)),
            Ok(None) => break,
            // Cut short within the first rows: the rows before it are looked at, and the
            // unclosed quote is reported when the rows are read again below.
            Err(e) if UnclosedQuote::of(&e).is_some() => break,
            Err(e) => {
                return Err(ImportError::Invalid(format!(
                    "{file}: CSV として読めません: {e}"
                )));
            }
        }
    }
    let records: Vec<ByteRecord> = head.iter().map(|(_, r)| r.clone()).collect();
    // A file refused before its rows are read: the attempt is recorded all the same.
    let refuse = |mut report: ImportReport, msg: String| -> Result<ImportReport, ImportError> {
        let sha = match &known_sha {
            Some(s) => s.clone(),
            None => sha256_file(path)?,
        };
        let id = history::begin(
            conn,
            &file,
            &sha,
            bytes,
            opts.kind.map(|k| k.def().id),
            report.encoding,
        )?;
        history::finish(conn, id, 0, 0, ImportResult::Rejected, Some(&msg))?;
        report.import_id = Some(id);
        report.result = ImportResult::Rejected;
        report.message = msg;
        Ok(report)
    };
    let hm = match detect::find_header(&records, &profiles) {
        Ok(m) => m,
        Err(partial) => {
            let line = head.get(partial.as_ref().map_or(0, |p| p.row)).map(|h| h.0);
            return refuse(report, no_header_message(&file, partial.as_ref(), line));
        }
    };
    if let Some((name, a, b)) = detect::duplicate_header(&hm.headers) {
        let msg = duplicate_header_message(&file, head[hm.row].0, &name, a, b, src.is_sheet());
        return refuse(report, msg);
    }
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
    report.warnings.extend(cell_error_warnings(
        &file,
        &hm,
        head[hm.row].0,
        src.cell_errors(),
    ));
    let id = history::begin(
        conn,
        &file,
        known_sha.as_deref().unwrap_or(""),
        bytes,
        Some(def.id),
        report.encoding,
    )?;
    report.import_id = Some(id);

    conn.execute_batch("BEGIN TRANSACTION")?;
    let loaded = load_rows(conn, id, &file, &hm, head, src, opts.skip_invalid, progress);
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
        Ok(l) => match finish_ok(conn, id, def, &l, opts.allow_fewer) {
            Ok((replaced, fewer, kept_manual, manual_kept_beside)) => {
                conn.execute_batch("COMMIT")?;
                report.fewer_rows = fewer;
                report.rows = l.rows - kept_manual;
                report.rejected = l.rejected_rows;
                report.replaced = replaced;
                report.total_rows_dropped = l.totals_dropped;
                report.rejects = l.rejects.into_iter().take(REPORT_REJECTS).collect();
                let mut msg = format!("{file}: {} を {} 行取り込みました", def.label, report.rows);
                if replaced > 0 {
                    msg += &format!("（同じ期間・キーの既存 {replaced} 行を置き換え）");
                }
                if kept_manual > 0 {
                    msg += &format!(
                        "。手入力の行と同じキーの {kept_manual} 行は取り込まず、手入力の行を残しました"
                    );
                }
                if manual_kept_beside > 0 {
                    msg += &format!(
                        "。この期間の手入力の行 {manual_kept_beside} 行は残しました（ファイルと重なる行はデータの画面で削除してください）"
                    );
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
                add_institution_match(store, def, &mut report, &mut msg);
                if !report.fewer_rows.is_empty() {
                    msg += &format!(
                        "。行数が減ることを確認のうえ置き換えました: {}",
                        super::describe_fewer(&report.fewer_rows)
                    );
                }
                (ImportResult::Ok, msg)
            }
            Err(ImportError::FewerRows(fewer)) => {
                conn.execute_batch("ROLLBACK")?;
                // As for a strict refusal: the bad rows a --skip-invalid import found are
                // kept with the attempt.
                history::add_rejects(conn, id, &l.rejects)?;
                report.rejected = l.rejected_rows;
                report.rejects = l.rejects.into_iter().take(REPORT_REJECTS).collect();
                let e = ImportError::FewerRows(fewer.clone());
                report.fewer_rows = fewer;
                (ImportResult::Rejected, format!("{file}: {e}。"))
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
    if known_sha.is_none() {
        // Read to the end, the file was hashed on the way; otherwise hash it now.
        let sha = match hash.and_then(|h| h.sha256()) {
            Some(s) => s,
            None => sha256_file(path)?,
        };
        history::set_sha(conn, id, &sha)?;
    }
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

/// After checkups or an institution master went in: how the checkups' institution codes
/// now match the masters, in the report and at the end of its message.
fn add_institution_match(
    store: &Store,
    def: &KindDef,
    report: &mut ImportReport,
    msg: &mut String,
) {
    if !matches!(
        def.kind,
        Kind::Checkups | Kind::MedicalInstitutions | Kind::CheckupInstitutions
    ) {
        return;
    }
    match store.institution_match() {
        Ok(m) => {
            if let Some(s) = m.summary() {
                msg.push('。');
                msg.push_str(&s);
            }
            report.institution_match = Some(m);
        }
        Err(e) => report
            .warnings
            .push(format!("健診機関コードの照合を集計できませんでした: {e}")),
    }
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

fn duplicate_header_message(
    file: &str,
    line: u64,
    name: &str,
    a: usize,
    b: usize,
    sheet: bool,
) -> String {
    let col = |i: usize| {
        if sheet {
            format!("{}列", super::workbook::column_name(i))
        } else {
            format!("{}列目", i + 1)
        }
    };
    format!(
        "{file} {line}行目: 見出し「{name}」が {} と {} の二つにあります。どちらの列を取り込むか決められないため、取り込んでいません。見出しを直してから取り込んでください。",
        col(a),
        col(b)
    )
}

/// How many cells with a formula error are named one by one; the rest are counted.
const CELL_ERROR_WARNINGS: usize = 10;

/// Warnings for the cells under the header, in a column the import reads, that hold a
/// formula error: their value is lost (read as blank), which the user should know.
fn cell_error_warnings(
    file: &str,
    hm: &HeaderMatch,
    header_line: u64,
    errors: &[super::workbook::CellError],
) -> Vec<String> {
    let def = hm.def();
    let used: Vec<(&super::workbook::CellError, &str)> = errors
        .iter()
        .filter(|e| e.line > header_line)
        .filter_map(|e| {
            let f = hm.mapping.iter().position(|m| *m == Some(e.column))?;
            Some((e, def.fields[f].label))
        })
        .collect();
    let mut out: Vec<String> = used
        .iter()
        .take(CELL_ERROR_WARNINGS)
        .map(|(e, label)| {
            format!(
                "{file} {}行目「{label}」（セル {}）: 数式のエラー {} で値が失われています。空欄として扱いましたが、元の値は空欄ではありません。Excel で数式を確認してください",
                e.line,
                super::workbook::cell_name((e.line - 1) as u32, e.column as u32),
                e.error
            )
        })
        .collect();
    if used.len() > CELL_ERROR_WARNINGS {
        out.push(format!(
            "{file}: ほかに {} セルが数式のエラーで値が失われています",
            used.len() - CELL_ERROR_WARNINGS
        ));
    }
    out
}

/// Reads the rows under the header and inserts the good ones with one statement (see
/// [`super::feed`]): DuckDB's threads read, check and insert the chunks. The source is
/// closed when the statement is over.
#[allow(clippy::too_many_arguments)]
fn load_rows(
    conn: &Connection,
    import_id: i64,
    file: &str,
    hm: &HeaderMatch,
    head: Vec<(u64, ByteRecord)>,
    src: RowSource,
    skip_invalid: bool,
    progress: &Progress,
) -> Result<Loaded, ImportError> {
    let def = hm.def();
    let mut pending = RowBatch::default();
    for (line, rec) in head.iter().skip(hm.row + 1) {
        pending.push_record(*line, rec);
    }
    let feed = Arc::new(ImportFeed::new(
        def,
        hm.mapping.clone(),
        hm.headers.clone(),
        import_id,
        file.to_string(),
        skip_invalid,
        src,
        pending,
        progress.clone(),
    ));
    let inserted = store_feed::insert_all(conn, def.table, feed.clone());
    feed.close();
    let mut loaded = feed.finish()?;
    inserted?;
    if progress.is_cancelled() {
        // A cancel after the last chunk is still honoured before the commit.
        loaded.cancelled = true;
    }
    Ok(loaded)
}

/// Deletes the earlier rows that this import replaces (same insurer and period, or same
/// key), and stores the rejects of a `--skip-invalid` import. Inside the transaction.
/// Returns the rows deleted, the periods replaced by noticeably fewer rows (those are an
/// error, [`ImportError::FewerRows`], nothing deleted, unless `allow_fewer`), the rows of
/// this import not kept because a hand-added row (手入力) holds their key, and the
/// hand-added rows kept in the periods replaced.
///
/// Rows added by hand are never replaced: the deletion spares rows of 'manual' import
/// records, and a keyed kind keeps the hand-added row over the file's row of that key.
fn finish_ok(
    conn: &Connection,
    import_id: i64,
    def: &KindDef,
    loaded: &Loaded,
    allow_fewer: bool,
) -> Result<(u64, Vec<FewerRows>, u64, u64), ImportError> {
    if !loaded.rejects.is_empty() {
        history::add_rejects(conn, import_id, &loaded.rejects)?;
    }
    if loaded.keys.is_empty() {
        return Ok((0, Vec::new(), 0, 0));
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
    let fewer = match def.replace {
        Replace::Period { period, .. } => fewer_rows(conn, import_id, def, period, &cond)?,
        // A key replaces the row of that key: nothing can shrink.
        Replace::Key(_) => Vec::new(),
    };
    if !fewer.is_empty() && !allow_fewer {
        conn.execute_batch("DROP TABLE import_keys")?;
        return Err(ImportError::FewerRows(fewer));
    }
    let manual = "(SELECT id FROM import_history WHERE source = 'manual')";
    let deleted = conn.execute(
        &format!(
            "DELETE FROM {} t USING import_keys k WHERE {} AND t.import_id <> ? AND t.import_id NOT IN {manual}",
            def.table,
            cond.join(" AND ")
        ),
        params![import_id],
    )?;
    // Hand-added rows of the periods replaced stay; counted, so the report can say so.
    let manual_in_periods: i64 = match def.replace {
        Replace::Period { .. } => conn.query_row(
            &format!(
                "SELECT count(*) FROM {} t, import_keys k WHERE {} AND t.import_id IN {manual}",
                def.table,
                cond.join(" AND ")
            ),
            [],
            |r| r.get(0),
        )?,
        Replace::Key(_) => 0,
    };
    conn.execute_batch("DROP TABLE import_keys")?;
    let kept_manual = match def.replace {
        Replace::Key(keys) => {
            let same: Vec<String> = keys
                .iter()
                .map(|c| format!("t.{c} IS NOT DISTINCT FROM m.{c}"))
                .collect();
            conn.execute(
                &format!(
                    "DELETE FROM {table} t USING (SELECT {cols} FROM {table} WHERE import_id IN {manual}) m
                     WHERE t.import_id = ? AND {}",
                    same.join(" AND "),
                    table = def.table,
                    cols = keys.join(", ")
                ),
                params![import_id],
            )? as u64
        }
        Replace::Period { .. } => 0,
    };
    Ok((
        deleted as u64,
        fewer,
        kept_manual,
        manual_in_periods.max(0) as u64,
    ))
}

/// The periods in `import_keys` that this import would replace by more than
/// [`super::FEWER_ROWS_PERCENT`]% fewer rows: the rows of earlier imports against this
/// import's, per (insurer, period), counted in the table inside the transaction.
fn fewer_rows(
    conn: &Connection,
    import_id: i64,
    def: &KindDef,
    period: &'static str,
    cond: &[String],
) -> Result<Vec<FewerRows>, ImportError> {
    let label = def
        .field_index(period)
        .map_or(period, |i| def.fields[i].label);
    let month = def
        .field_index(period)
        .is_some_and(|i| matches!(def.fields[i].ty, crate::store::kinds::FieldType::Month));
    let mut stmt = conn.prepare(&format!(
        "SELECT CAST(k.k0 AS VARCHAR), CAST(k.k1 AS VARCHAR), \
                count(*) FILTER (WHERE t.import_id <> ? AND t.import_id NOT IN \
                                 (SELECT id FROM import_history WHERE source = 'manual')), \
                count(*) FILTER (WHERE t.import_id = ?) \
         FROM import_keys k JOIN {} t ON {} GROUP BY 1, 2 ORDER BY 1, 2",
        def.table,
        cond.join(" AND ")
    ))?;
    let rows = stmt.query_map(params![import_id, import_id], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (insurer, period, before, after) = row?;
        let (before, after) = (before.max(0) as u64, after.max(0) as u64);
        if !FewerRows::is_noticeable(before, after) {
            continue;
        }
        let mut period = period.unwrap_or_default();
        if month && period.len() == 10 {
            period.truncate(7); // 2021-04-01 → 2021-04
        }
        out.push(FewerRows {
            insurer: insurer.unwrap_or_default(),
            period,
            period_label: label,
            before,
            after,
        });
    }
    Ok(out)
}
