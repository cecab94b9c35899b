//! The CSV writer for demo files, as KDB writes them: CP932, CRLF, every field quoted,
//! optional report metadata lines above the header and a 合計 row below the data.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::import::encoding::encode_cp932;

pub struct CsvOut {
    w: BufWriter<File>,
    path: PathBuf,
    line: String,
    pub rows: u64,
}

impl CsvOut {
    /// Creates the file and writes the metadata lines (if any) and the header.
    pub fn create(path: &Path, meta: &[(&str, &str)], header: &[&str]) -> std::io::Result<CsvOut> {
        let w = BufWriter::with_capacity(1 << 20, File::create(path)?);
        let mut out = CsvOut {
            w,
            path: path.into(),
            line: String::with_capacity(512),
            rows: 0,
        };
        for (k, v) in meta {
            out.write_line(&[k, v])?;
        }
        if !meta.is_empty() {
            out.w.write_all(b"\r\n")?;
        }
        out.write_line(header)?;
        Ok(out)
    }

    fn write_line<S: AsRef<str>>(&mut self, fields: &[S]) -> std::io::Result<()> {
        self.line.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            self.line.push('"');
            let f = f.as_ref();
            if f.contains('"') {
                self.line.push_str(&f.replace('"', "\"\""));
            } else {
                self.line.push_str(f);
            }
            self.line.push('"');
        }
        self.line.push_str("\r\n");
        let bytes = encode_cp932(&self.line).map_err(|c| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "{}: 文字「{c}」は Shift_JIS で書けません",
                    self.path.display()
                ),
            )
        })?;
        self.w.write_all(&bytes)
    }

    /// Writes one data row.
    pub fn row<S: AsRef<str>>(&mut self, fields: &[S]) -> std::io::Result<()> {
        self.rows += 1;
        self.write_line(fields)
    }

    /// Writes a 合計 row (not data) and closes the file.
    pub fn finish_with_total(mut self) -> std::io::Result<u64> {
        let total = format!("{}件", self.rows);
        self.write_line(&["合計", total.as_str()])?;
        self.finish()
    }

    pub fn finish(mut self) -> std::io::Result<u64> {
        self.w.flush()?;
        Ok(self.rows)
    }
}
