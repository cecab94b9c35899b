//! Row sources: a CSV/TSV file split by [`super::csv_scan`] and decoded to UTF-8 as it
//! streams, or a sheet of an Excel workbook (calamine, within the memory budget of
//! [`super::workbook`]). Both yield rows (one at a time as
//! `csv::ByteRecord`s for the header look-ahead and previews, or in a
//! [`super::rows::RowBatch`] for the import) with the file's own line (or sheet row)
//! number, so validation and error messages do not care where a row came from.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use csv::ByteRecord;

use super::ImportError;
use super::csv_scan::CsvScanner;
use super::encoding::{TextEncoding, detect};
use super::rows::RowBatch;
use super::workbook::{self, CellError, SheetRows};

/// Counts the bytes read, for progress, and hashes them (sha256) when asked to.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
    hash: Arc<Mutex<Hashing>>,
}

/// The sha256 of the raw bytes, built as the file streams past.
#[derive(Default)]
struct Hashing {
    hasher: Option<sha2::Sha256>,
    /// The whole file has been read (and hashed).
    complete: bool,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        if let Ok(mut h) = self.hash.lock() {
            if let Some(hasher) = h.hasher.as_mut() {
                sha2::Digest::update(hasher, &buf[..n]);
            }
            if n == 0 && !buf.is_empty() {
                h.complete = true;
            }
        }
        Ok(n)
    }
}

type CsvReader = CsvScanner<Counting<File>>;

enum Inner {
    Csv { reader: Box<CsvReader> },
    Sheet(Box<SheetRows>),
}

pub struct RowSource {
    inner: Inner,
    /// The text encoding (CSV only).
    pub encoding: Option<TextEncoding>,
    /// The sheet read (Excel only).
    pub sheet: Option<String>,
    total: u64,
    read: Arc<AtomicU64>,
    hash: Arc<Mutex<Hashing>>,
}

/// The sha256 of a CSV source's bytes, built while it is read.
pub struct FileHash(Arc<Mutex<Hashing>>);

impl FileHash {
    /// The sha256 (hex) once the CSV has been read to its end; `None` before that and for
    /// workbooks.
    pub fn sha256(&self) -> Option<String> {
        let mut h = self.0.lock().ok()?;
        if !h.complete {
            return None;
        }
        let digest = sha2::Digest::finalize(h.hasher.take()?);
        Some(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

pub fn is_excel(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods"
        )
    })
}

impl RowSource {
    /// Opens a file. For CSV the encoding is detected unless given; for Excel the sheet is
    /// the named one or the first.
    pub fn open(
        path: &Path,
        encoding: Option<TextEncoding>,
        sheet: Option<&str>,
    ) -> Result<RowSource, ImportError> {
        if is_excel(path) {
            return open_sheet(path, sheet);
        }
        let io = |source| ImportError::Io {
            path: path.into(),
            source,
        };
        let mut file = File::open(path).map_err(io)?;
        let total = file.metadata().map_err(io)?.len();
        let mut sample = vec![0u8; 64 * 1024];
        let n = read_up_to(&mut file, &mut sample).map_err(io)?;
        sample.truncate(n);
        let encoding = encoding.unwrap_or_else(|| detect(&sample));
        let delimiter = guess_delimiter(&sample);
        let file = File::open(path).map_err(io)?;
        let read = Arc::new(AtomicU64::new(0));
        let hash: Arc<Mutex<Hashing>> = Arc::default();
        let counting = Counting {
            inner: file,
            count: read.clone(),
            hash: hash.clone(),
        };
        let reader = CsvScanner::new(counting, encoding, delimiter);
        Ok(RowSource {
            inner: Inner::Csv {
                reader: Box::new(reader),
            },
            encoding: Some(encoding),
            sheet: None,
            total: total.max(1),
            read,
            hash,
        })
    }

    /// Hashes the file's bytes (sha256) as they are read; the hash is there once the
    /// whole file has been read. Call it before the first row is read.
    pub fn hash_while_reading(&mut self) -> FileHash {
        if let Ok(mut h) = self.hash.lock() {
            h.hasher = Some(sha2::Digest::new());
        }
        FileHash(self.hash.clone())
    }

    /// Reads the next row into `rec`; returns its line number, or `None` at the end.
    pub fn next_row(&mut self, rec: &mut ByteRecord) -> std::io::Result<Option<u64>> {
        match &mut self.inner {
            Inner::Csv { reader } => reader.next_record(rec),
            Inner::Sheet(sheet) => {
                let line = sheet.next_row(rec);
                self.read.store(sheet.position() as u64, Ordering::Relaxed);
                Ok(line)
            }
        }
    }

    /// Adds rows to `out` until it holds `max` or the source ends; returns whether any row
    /// was added.
    pub fn next_batch(&mut self, out: &mut RowBatch, max: usize) -> std::io::Result<bool> {
        match &mut self.inner {
            Inner::Csv { reader } => reader.next_batch(out, max),
            Inner::Sheet(sheet) => {
                let added = sheet.next_batch(out, max);
                self.read.store(sheet.position() as u64, Ordering::Relaxed);
                Ok(added)
            }
        }
    }

    /// The line reached so far, for a message about a read error.
    pub fn line(&self) -> u64 {
        match &self.inner {
            Inner::Csv { reader } => reader.line(),
            Inner::Sheet(sheet) => sheet.position() as u64 + 1,
        }
    }

    /// Whether the rows come from a sheet (whose rows are filled to the used width, so
    /// that their number of fields says nothing about the row).
    pub fn is_sheet(&self) -> bool {
        matches!(self.inner, Inner::Sheet(_))
    }

    /// The cells of a sheet that hold a formula error (`#REF!`, …), read as blank.
    pub fn cell_errors(&self) -> &[CellError] {
        match &self.inner {
            Inner::Sheet(sheet) => &sheet.errors,
            Inner::Csv { .. } => &[],
        }
    }

    /// How much of the source has been read, 0–1.
    pub fn fraction(&self) -> f32 {
        (self.read.load(Ordering::Relaxed) as f64 / self.total as f64).min(1.0) as f32
    }
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = file.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}

/// Comma unless the first line has tabs and no commas.
fn guess_delimiter(sample: &[u8]) -> u8 {
    let first = sample.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let tabs = first.iter().filter(|&&b| b == b'\t').count();
    let commas = first.iter().filter(|&&b| b == b',').count();
    if tabs > 0 && commas == 0 { b'\t' } else { b',' }
}

/// The names of the sheets in a workbook.
pub fn sheet_names(path: &Path) -> Result<Vec<String>, ImportError> {
    Ok(workbook::sheet_names(path)?)
}

fn open_sheet(path: &Path, sheet: Option<&str>) -> Result<RowSource, ImportError> {
    let rows = workbook::read_sheet(path, sheet)?;
    let total = rows.len().max(1) as u64;
    Ok(RowSource {
        sheet: Some(rows.name.clone()),
        inner: Inner::Sheet(Box::new(rows)),
        encoding: None,
        total,
        read: Arc::new(AtomicU64::new(0)),
        hash: Arc::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &str) -> Vec<(u64, String)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        let mut src = RowSource::open(&path, None, None).unwrap();
        let mut rec = ByteRecord::new();
        let mut out = Vec::new();
        while let Some(line) = src.next_row(&mut rec).unwrap() {
            out.push((
                line,
                String::from_utf8_lossy(rec.get(0).unwrap()).into_owned(),
            ));
        }
        out
    }

    #[test]
    fn line_numbers_count_blank_lines_and_quoted_line_feeds() {
        let want = vec![
            (1, "帳票".to_string()),
            (3, "h".into()),
            (4, "a\r\nb".into()),
            (6, "c".into()),
            (9, "d".into()),
            (10, "e".into()),
        ];
        let crlf =
            "\"帳票\",x\r\n\r\n\"h\",y\r\n\"a\r\nb\",1\r\n\"c\",2\r\n\r\n,\r\n\"d\",3\r\n\"e\",4";
        let got = lines_of(crlf);
        // Line 8 is ",": a record of two empty fields, which the caller skips.
        assert_eq!(
            got.iter()
                .filter(|(_, f)| !f.is_empty())
                .cloned()
                .collect::<Vec<_>>(),
            want
        );
        let lf = crlf.replace("\r\n", "\n");
        let want_lf: Vec<_> = want
            .iter()
            .map(|(l, f)| (*l, f.replace("\r\n", "\n")))
            .collect();
        assert_eq!(
            lines_of(&lf)
                .into_iter()
                .filter(|(_, f)| !f.is_empty())
                .collect::<Vec<_>>(),
            want_lf
        );
    }
}
