//! Excel workbooks, read within a memory budget.
//!
//! A crafted workbook can make calamine reserve terabytes before a single cell is read (a
//! shared-strings part that declares 10¹² strings: the count goes straight into a
//! reservation), or fill a dense grid between two far-apart cells (one at A1 and one at
//! XFD1048576 make a range of 17 billion cells). Either aborts the whole process, and the
//! user loses the session and any unsaved work. So:
//! - before calamine opens a zip-based workbook (.xlsx, .xlsm, .xlsb, .ods), each part's
//!   declared size (which the `zip` crate enforces while inflating) and the string counts a
//!   shared-strings part declares are checked against the limits below;
//! - an .xlsx or .xlsb sheet is read cell by cell with calamine's streaming reader into one
//!   [`RowBatch`] (never as a dense range), and what it holds is counted against
//!   [`SHEET_BUDGET_BYTES`] as it grows; rows are filled to the used width only when they
//!   are handed out, and [`MAX_SHEET_CELLS`] bounds that.
//!
//! - a legacy .xls (an OLE2 compound file, found by its signature whatever its name) is
//!   checked record by record by [`crate::xls_check`] before calamine reads it whole: the
//!   sizes its records declare, the span of each sheet's cells against
//!   [`XLS_MAX_CELLS`], and the text calamine would build from them;
//! - an .ods is bounded by the part check and by calamine itself (100 million cells).
//!
//! A workbook beyond a limit gets a Japanese error naming the file instead. And a
//! workbook that makes calamine panic (its record parsers index without checks) is caught
//! ([`calamine_guarded`]) and refused as broken, so no file ends the session.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{Data, DataRef, Reader, Sheets};

use crate::rows::RowBatch;

/// The most memory the cells of one sheet may hold once read: their text and the indexes
/// of their fields and rows (1 GiB; the demo's institution master holds about 100 kB).
pub const SHEET_BUDGET_BYTES: usize = 1 << 30;

/// The most cells a sheet may hand out once its non-empty rows are filled to the width of
/// the used range (a million rows of 50 columns).
pub const MAX_SHEET_CELLS: u64 = 50_000_000;

/// The largest part of a workbook, inflated (1 GiB). The `zip` crate stops inflating at a
/// part's declared size, so no part can yield more than this.
pub const MAX_PART_BYTES: u64 = 1 << 30;

/// The largest shared-strings part, inflated (128 MiB). calamine keeps every shared
/// string; each takes at least 5 bytes of XML (`<si/>`), so this bounds them to about 27
/// million (≈ 650 MB of string headers at most).
pub const MAX_SHARED_STRINGS_BYTES: u64 = 128 << 20;

/// The most strings a shared-strings part may declare (`count`, `uniqueCount`): calamine
/// reserves room for `uniqueCount` strings up front (16,777,216 × 24 bytes ≈ 400 MB).
pub const MAX_SHARED_STRINGS: u64 = 1 << 24;

/// The rows and columns of an Excel sheet (A1:XFD1048576): no cell lies beyond them.
const EXCEL_ROWS: u32 = 1 << 20;
const EXCEL_COLUMNS: u32 = 1 << 14;

/// Cells in one batch handed to the import, at most (rows of a very wide sheet).
const BATCH_CELLS: usize = 1 << 20;

/// A cell holding a formula error (`#REF!`, `#DIV/0!`, …): its value is lost, which is not
/// the same as blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The sheet's row number (from 1), as the rows' line numbers.
    pub line: u64,
    /// The column, from 0.
    pub column: usize,
    /// The error as Excel shows it.
    pub error: String,
}

/// A sheet read into memory: one record per row from the first non-empty row to the last
/// (empty rows between them have no fields), each non-empty row with its fields up to its
/// last non-empty cell; the rows are filled to `width` when handed out.
pub struct SheetRows {
    pub name: String,
    rows: RowBatch,
    width: usize,
    pub errors: Vec<CellError>,
    pos: usize,
}

impl SheetRows {
    /// The number of rows, empty ones included.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows handed out so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next row, filled to the sheet's width; its line number, or `None` at the end.
    pub fn next_row(&mut self, rec: &mut csv::ByteRecord) -> Option<u64> {
        let row = self.rows.row(self.pos)?;
        self.pos += 1;
        rec.clear();
        for f in row.iter() {
            rec.push_field(f);
        }
        if !row.is_empty() {
            for _ in row.len()..self.width {
                rec.push_field(b"");
            }
        }
        Some(row.line)
    }

    /// Adds rows, filled to the sheet's width, until `out` holds `max` rows (or about a
    /// million cells) or the sheet ends; returns whether any row was added.
    pub fn next_batch(&mut self, out: &mut RowBatch, max: usize) -> bool {
        let before = out.len();
        while out.len() < max && out.field_count() < BATCH_CELLS {
            let Some(row) = self.rows.row(self.pos) else {
                break;
            };
            self.pos += 1;
            let fill = if row.is_empty() {
                0
            } else {
                self.width.saturating_sub(row.len())
            };
            out.push_fields(
                row.line,
                row.iter().chain(std::iter::repeat_n(&b""[..], fill)),
            );
        }
        out.len() > before
    }
}

/// A workbook that cannot be read (the main crate's `ImportError` takes both variants).
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error("ファイル {path} を読めません: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("Excel ファイル {path} を読めません: {msg}")]
    Excel {
        path: std::path::PathBuf,
        msg: String,
    },
}

fn excel_error(path: &Path, msg: impl Into<String>) -> WorkbookError {
    WorkbookError::Excel {
        path: path.into(),
        msg: msg.into(),
    }
}

/// The most cells an .xls sheet's grid may span: one whole Excel 97–2003 sheet (65,536
/// rows × 256 columns). calamine builds every sheet's grids when it opens the file.
pub const XLS_MAX_CELLS: u64 = 1 << 24;

/// Opens a workbook with calamine, after checking a zip-based one against the limits and
/// an .xls record by record.
pub fn open(path: &Path) -> Result<Sheets<BufReader<File>>, WorkbookError> {
    check_package(path)?;
    check_xls(path)?;
    calamine_guarded(path, || {
        calamine::open_workbook_auto(path).map_err(|e| excel_error(path, e.to_string()))
    })
}

/// Runs calamine's work, turning a panic inside it into an error naming the file.
fn calamine_guarded<T>(
    path: &Path,
    work: impl FnOnce() -> Result<T, WorkbookError>,
) -> Result<T, WorkbookError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| {
        Err(excel_error(
            path,
            "ファイルの中身が壊れていて読めません（Excel の形式として矛盾しています）。Excel で開いて保存し直すか、CSV で保存して取り込んでください",
        ))
    })
}

/// An OLE2 compound file (legacy .xls) is checked before calamine reads it whole.
fn check_xls(path: &Path) -> Result<(), WorkbookError> {
    const CFB: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let io = |source| WorkbookError::Io {
        path: path.into(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let mut magic = [0u8; 8];
    let n = file.read(&mut magic).map_err(io)?;
    if n < 8 || magic != CFB {
        return Ok(());
    }
    let len = file.metadata().map_err(io)?.len();
    if len > crate::xls_check::MAX_XLS_BYTES {
        return Err(excel_error(
            path,
            format!(
                "Excel 97–2003 形式（.xls）のファイルが大きすぎます（{} MB、上限 {} MB）。Excel で .xlsx か CSV に保存し直して取り込んでください",
                len >> 20,
                crate::xls_check::MAX_XLS_BYTES >> 20
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    crate::xls_check::check(&bytes, XLS_MAX_CELLS).map_err(|m| excel_error(path, m))
}

/// The names of the sheets in a workbook.
pub fn sheet_names(path: &Path) -> Result<Vec<String>, WorkbookError> {
    Ok(open(path)?.sheet_names().to_vec())
}

/// Reads the named sheet (default: the first) within the budget.
///
/// .xlsx and .xlsb are streamed cell by cell. .xls and .ods have no streaming reader in
/// calamine: their sheet is read whole as a range first (an .xls sheet has at most 65,536
/// rows; calamine stops an .ods sheet at 100 million cells), then copied like the others.
pub fn read_sheet(path: &Path, sheet: Option<&str>) -> Result<SheetRows, WorkbookError> {
    let wb = open(path)?;
    calamine_guarded(path, || read_opened(path, wb, sheet))
}

/// [`read_sheet`] on an opened workbook.
fn read_opened(
    path: &Path,
    mut wb: Sheets<BufReader<File>>,
    sheet: Option<&str>,
) -> Result<SheetRows, WorkbookError> {
    let names = wb.sheet_names().to_vec();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| {
                excel_error(
                    path,
                    format!(
                        "シート「{s}」がありません（あるシート: {}）",
                        names.join("、")
                    ),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| excel_error(path, "シートがありません"))?,
    };
    let mut b = Builder::new(name.clone());
    let err = |e: String| excel_error(path, e);
    match &mut wb {
        Sheets::Xlsx(x) => match x.worksheet_cells_reader(&name) {
            Ok(mut cells) => {
                while let Some(cell) = cells.next_cell().map_err(|e| err(e.to_string()))? {
                    b.cell(cell.get_position(), text_of_ref(cell.get_value()))
                        .map_err(err)?;
                }
            }
            // A chart sheet has no cells.
            Err(calamine::XlsxError::NotAWorksheet(_)) => {}
            Err(e) => return Err(err(e.to_string())),
        },
        Sheets::Xlsb(x) => {
            let mut cells = x
                .worksheet_cells_reader(&name)
                .map_err(|e| err(e.to_string()))?;
            while let Some(cell) = cells.next_cell().map_err(|e| err(e.to_string()))? {
                b.cell(cell.get_position(), text_of_ref(cell.get_value()))
                    .map_err(err)?;
            }
        }
        other => {
            let range = other
                .worksheet_range(&name)
                .map_err(|e| err(e.to_string()))?;
            let (row0, col0) = range.start().unwrap_or((0, 0));
            for (r, c, v) in range.used_cells() {
                let pos = (row0 + r as u32, col0 + c as u32);
                b.cell(pos, text_of(v)).map_err(err)?;
            }
        }
    }
    b.finish().map_err(err)
}

/// What a cell holds, as the import reads it.
enum CellText<'a> {
    Empty,
    Text(Cow<'a, str>),
    Error(String),
}

/// A cell as text. Dates become their Excel serial, which the date parser understands.
fn text_of_ref<'a>(cell: &'a DataRef<'_>) -> CellText<'a> {
    match cell {
        DataRef::Empty => CellText::Empty,
        DataRef::Error(e) => CellText::Error(e.to_string()),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            CellText::Text(Cow::Borrowed(s.as_str()))
        }
        DataRef::SharedString(s) => CellText::Text(Cow::Borrowed(*s)),
        DataRef::Int(i) => CellText::Text(Cow::Owned(i.to_string())),
        DataRef::Float(f) => CellText::Text(Cow::Owned(float_text(*f))),
        DataRef::Bool(b) => CellText::Text(Cow::Borrowed(if *b { "1" } else { "0" })),
        DataRef::DateTime(d) => {
            CellText::Text(Cow::Owned(format!("{}", d.as_f64().floor() as i64)))
        }
    }
}

/// [`text_of_ref`] for a cell of a range (.xls, .ods).
fn text_of(cell: &Data) -> CellText<'_> {
    match cell {
        Data::Empty => CellText::Empty,
        Data::Error(e) => CellText::Error(e.to_string()),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            CellText::Text(Cow::Borrowed(s.as_str()))
        }
        Data::Int(i) => CellText::Text(Cow::Owned(i.to_string())),
        Data::Float(f) => CellText::Text(Cow::Owned(float_text(*f))),
        Data::Bool(b) => CellText::Text(Cow::Borrowed(if *b { "1" } else { "0" })),
        Data::DateTime(d) => CellText::Text(Cow::Owned(format!("{}", d.as_f64().floor() as i64))),
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// "A1"-style name of a cell (row and column from 0).
pub fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_name(col as usize), row as u64 + 1)
}

/// "A", "B", …, "Z", "AA", … for a column from 0.
pub fn column_name(col: usize) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        let d = (n - 1) % 26;
        s.push(b'A' + d as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A sheet being read cell by cell, in the order of the file (row by row, left to right).
struct Builder {
    name: String,
    rows: RowBatch,
    width: usize,
    errors: Vec<CellError>,
    /// The row being filled and its next column.
    at: Option<(u32, u32)>,
    filled_rows: u64,
    /// [`SHEET_BUDGET_BYTES`] (smaller in tests).
    budget: usize,
}

impl Builder {
    fn new(name: String) -> Builder {
        Builder {
            name,
            rows: RowBatch::default(),
            width: 0,
            errors: Vec::new(),
            at: None,
            filled_rows: 0,
            budget: SHEET_BUDGET_BYTES,
        }
    }

    fn cell(&mut self, (row, col): (u32, u32), value: CellText<'_>) -> Result<(), String> {
        if row >= EXCEL_ROWS || col >= EXCEL_COLUMNS {
            // No spreadsheet has such a cell (the empty rows before it could not be held).
            return Err(format!(
                "シート「{}」の {}行目・{}列目にセルがあります。Excel のシートの範囲（{} 行 × {} 列）を超えているため、壊れているか細工されたファイルです",
                self.name,
                row as u64 + 1,
                col as u64 + 1,
                EXCEL_ROWS,
                EXCEL_COLUMNS
            ));
        }
        let text = match value {
            CellText::Empty => return Ok(()),
            CellText::Text(t) if t.is_empty() => return Ok(()),
            CellText::Text(t) => t,
            CellText::Error(error) => {
                // Read as blank, and remembered: the loader warns when the column is used.
                self.errors.push(CellError {
                    line: row as u64 + 1,
                    column: col as usize,
                    error,
                });
                return self.check_budget(row);
            }
        };
        match self.at {
            Some((r, next)) if row < r || (row == r && col < next) => {
                return Err(format!(
                    "シート「{}」のセル {} が、前のセルより前の位置に書かれています（行や列の順序が正しくありません）。Excel で開いて保存し直してから取り込んでください",
                    self.name,
                    cell_name(row, col)
                ));
            }
            Some((r, _)) if r == row => {}
            at => {
                // Rows without a value between the last filled row and this one.
                if let Some((r, _)) = at {
                    for empty in r + 1..row {
                        self.rows.begin_record(empty as u64 + 1);
                    }
                }
                self.rows.begin_record(row as u64 + 1);
                self.filled_rows += 1;
                self.at = Some((row, 0));
            }
        }
        let next = self.at.map_or(0, |(_, n)| n);
        for _ in next..col {
            self.rows.push_field(b"");
        }
        self.rows.push_field(text.as_bytes());
        self.at = Some((row, col + 1));
        self.width = self.width.max(col as usize + 1);
        self.check_budget(row)
    }

    fn check_budget(&self, row: u32) -> Result<(), String> {
        let held = self.rows.held_bytes()
            + self.errors.capacity() * std::mem::size_of::<CellError>()
            + self
                .errors
                .iter()
                .map(|e| e.error.capacity())
                .sum::<usize>();
        if held > self.budget {
            return Err(format!(
                "シート「{}」が大きすぎます（{}行目まで読んだところで、取り込める上限 {} MB を超えました）。必要な範囲だけを別のファイルに保存して取り込んでください",
                self.name,
                row as u64 + 1,
                self.budget >> 20
            ));
        }
        Ok(())
    }

    fn finish(self) -> Result<SheetRows, String> {
        let cells = self.filled_rows.saturating_mul(self.width as u64);
        if cells > MAX_SHEET_CELLS {
            return Err(format!(
                "シート「{}」の使用範囲が大きすぎます（値のある {} 行 × {} 列（{} 列まで）= {} セル、上限 {} セル）。離れた位置に値や書式のないセルがないか確認し、必要な範囲だけを別のファイルに保存して取り込んでください",
                self.name,
                self.filled_rows,
                self.width,
                column_name(self.width.saturating_sub(1)),
                cells,
                MAX_SHEET_CELLS
            ));
        }
        Ok(SheetRows {
            name: self.name,
            rows: self.rows,
            width: self.width,
            errors: self.errors,
            pos: 0,
        })
    }
}

/// Checks a zip-based workbook before calamine reads it: every part's declared size, and
/// the string counts each shared-strings part declares. Anything else (an .xls, which is
/// not a zip, or a file that is no workbook at all) is left to calamine.
fn check_package(path: &Path) -> Result<(), WorkbookError> {
    let io = |source| WorkbookError::Io {
        path: path.into(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let mut magic = [0u8; 4];
    let n = file.read(&mut magic).map_err(io)?;
    if n < 4 || magic != *b"PK\x03\x04" {
        return Ok(());
    }
    let file = File::open(path).map_err(io)?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| excel_error(path, format!("ZIP 形式として読めません（{e}）")))?;
    let mut shared = Vec::new();
    for i in 0..zip.len() {
        let entry = zip
            .by_index_data(i)
            .map_err(|e| excel_error(path, format!("ZIP 形式として読めません（{e}）")))?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let size = entry.size();
        let is_shared = name
            .to_ascii_lowercase()
            .replace('\\', "/")
            .ends_with("sharedstrings.xml");
        let limit = if is_shared {
            MAX_SHARED_STRINGS_BYTES
        } else {
            MAX_PART_BYTES
        };
        if size > limit {
            return Err(excel_error(
                path,
                format!(
                    "中の「{name}」が大きすぎます（展開すると {} MB、上限 {} MB）。壊れているか、取り込める大きさを超えたファイルです。必要な範囲だけを別のファイルに保存して取り込んでください",
                    size >> 20,
                    limit >> 20
                ),
            ));
        }
        if is_shared {
            shared.push((i, name));
        }
    }
    for (i, name) in shared {
        let part = zip
            .by_index(i)
            .map_err(|e| excel_error(path, format!("「{name}」を読めません（{e}）")))?;
        if let Some(n) = declared_count_over(part, MAX_SHARED_STRINGS)
            .map_err(|e| excel_error(path, format!("「{name}」を読めません（{e}）")))?
        {
            return Err(excel_error(
                path,
                format!(
                    "共有文字列の数が {n} と宣言されています（上限 {MAX_SHARED_STRINGS}）。壊れているか、細工されたファイルです。Excel で開いて保存し直すか、CSV で保存して取り込んでください"
                ),
            ));
        }
    }
    Ok(())
}

/// The first `count="N"` or `uniqueCount="N"` in a part (quotes `"` or `'`, spaces around
/// `=`, any prefix before the name) whose N is above `limit`. The whole part is scanned,
/// byte by byte: calamine takes the count from the first `sst` element wherever it is, and
/// this does not need to know where that is.
fn declared_count_over(mut part: impl Read, limit: u64) -> std::io::Result<Option<u64>> {
    #[derive(Clone, Copy)]
    enum St {
        Text,
        /// After a count's name: spaces, then `=`.
        Name,
        /// After `=`: spaces, then a quote.
        Eq,
        /// Digits inside quotes, and the value so far (saturating).
        Value(u64),
    }
    let mut st = St::Text;
    // The last bytes seen, newest last, to recognise the names.
    let mut recent = [0u8; 12];
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match part.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        for &b in &buf[..n] {
            recent.copy_within(1.., 0);
            recent[11] = b;
            st = match st {
                St::Value(v) if b.is_ascii_digit() => {
                    St::Value(v.saturating_mul(10).saturating_add(u64::from(b - b'0')))
                }
                St::Value(v) => {
                    if v > limit {
                        return Ok(Some(v));
                    }
                    St::Text
                }
                St::Name | St::Eq if b.is_ascii_whitespace() => st,
                St::Name if b == b'=' => St::Eq,
                St::Eq if b == b'"' || b == b'\'' => St::Value(0),
                _ if b == b't'
                    && (recent.ends_with(b"uniqueCount")
                        || (recent.ends_with(b"count") && !recent[6].is_ascii_alphanumeric())) =>
                {
                    St::Name
                }
                _ => St::Text,
            };
        }
    }
    Ok(match st {
        St::Value(v) if v > limit => Some(v),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_counts_are_found_wherever_and_however_written() {
        let over = |xml: &str| declared_count_over(xml.as_bytes(), 1000).unwrap();
        assert_eq!(
            over(
                r#"<?xml version="1.0"?><sst xmlns="http://x/2006/main" count="5" uniqueCount="3"><si><t>a</t></si></sst>"#
            ),
            None
        );
        assert_eq!(over(r#"<sst uniqueCount="1001">"#), Some(1001));
        assert_eq!(over(r#"<sst count = '5000' uniqueCount="3">"#), Some(5000));
        assert_eq!(
            over(r#"<!-- padding --><x:sst x:uniqueCount="000000099999999999999999999">"#),
            Some(u64::MAX)
        );
        // Leading zeros do not make a count large; other attributes are not counts.
        assert_eq!(
            over(r#"<sst uniqueCount="0000000000000000000000012" account="99999">"#),
            None
        );
        // A value cut by the end of the part still counts.
        assert_eq!(over(r#"<sst uniqueCount="123456"#), Some(123456));
        // Read in pieces: a name or value across two reads is still seen.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(out.len()).min(3);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        assert_eq!(
            declared_count_over(Trickle(br#"<sst uniqueCount="99999">"#), 1000).unwrap(),
            Some(99999)
        );
    }

    #[test]
    fn column_names_run_as_excel_names_them() {
        let names: Vec<String> = [0, 25, 26, 27, 701, 702, 16383]
            .iter()
            .map(|&c| column_name(c))
            .collect();
        assert_eq!(names, ["A", "Z", "AA", "AB", "ZZ", "AAA", "XFD"]);
        assert_eq!(cell_name(1_048_575, 16383), "XFD1048576");
    }

    #[test]
    fn a_sheet_beyond_the_budget_is_refused_while_it_is_read() {
        let mut b = Builder::new("大".into());
        b.budget = 4 << 20;
        // Far-apart cells cost their gaps: about 16 bytes per empty field between them.
        let mut refused = None;
        for row in 0..1000u32 {
            if let Err(e) = b.cell((row, 16383), CellText::Text("x".into())) {
                refused = Some((row, e));
                break;
            }
        }
        let (row, e) = refused.expect("refused before the end");
        // 16,384 fields of 16 bytes a row: 4 MiB are 16 rows (fewer once the buffers have
        // doubled past what they hold), far from the 1,000 asked for.
        assert!((4..=16).contains(&row), "refused at row {row}");
        assert!(
            e.contains("シート「大」が大きすぎます") && e.contains(&format!("{}行目", row + 1)),
            "{e}"
        );
    }

    #[test]
    fn rows_are_filled_to_the_width_when_handed_out() {
        let mut b = Builder::new("s".into());
        b.cell((2, 1), CellText::Text("h1".into())).unwrap();
        b.cell((2, 3), CellText::Text("h3".into())).unwrap();
        b.cell((5, 0), CellText::Text("x".into())).unwrap();
        b.cell((5, 2), CellText::Error("#REF!".into())).unwrap();
        let mut sheet = b.finish().unwrap();
        assert_eq!(
            sheet.errors,
            vec![CellError {
                line: 6,
                column: 2,
                error: "#REF!".into()
            }]
        );
        let mut rec = csv::ByteRecord::new();
        let mut got = Vec::new();
        while let Some(line) = sheet.next_row(&mut rec) {
            got.push((
                line,
                rec.iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect::<Vec<_>>(),
            ));
        }
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            got,
            vec![
                (3, s(&["", "h1", "", "h3"])),
                (4, vec![]),
                (5, vec![]),
                (6, s(&["x", "", "", ""])),
            ]
        );
        // A cell beyond the sheet's last row or column is refused.
        let mut b = Builder::new("s".into());
        b.cell((0, 0), CellText::Text("a".into())).unwrap();
        let e = b
            .cell((4_000_000_000, 0), CellText::Text("b".into()))
            .unwrap_err();
        assert!(e.contains("4000000001行目"), "{e}");
        assert!(b.cell((5, 16384), CellText::Text("c".into())).is_err());
        assert!(
            b.cell((1_048_575, 16383), CellText::Text("d".into()))
                .is_ok()
        );
        // A cell before the last one is refused, naming it.
        let mut b = Builder::new("s".into());
        b.cell((3, 2), CellText::Text("a".into())).unwrap();
        let e = b.cell((3, 1), CellText::Text("b".into())).unwrap_err();
        assert!(e.contains("B4"), "{e}");
    }
}
