//! A look at a file before importing it: detected encoding, kind, header row, how each
//! field maps to a column, and the first rows. The import screen shows this and lets the
//! user pick another column for a field.

use std::path::Path;

use csv::ByteRecord;

use super::csv_scan::UnclosedQuote;
use super::detect::{self, cells};
use super::source::RowSource;
use super::{ImportError, ImportOptions, display_name, profile};

#[derive(Debug, Clone, Default)]
pub struct Preview {
    pub file: String,
    pub encoding: Option<&'static str>,
    pub sheet: Option<String>,
    /// Detected (or forced) kind id and label; `None` when no header matched.
    pub kind: Option<&'static str>,
    pub kind_label: Option<&'static str>,
    pub profile_label: Option<String>,
    /// The header row's line number in the file.
    pub header_line: Option<u64>,
    pub headers: Vec<String>,
    /// (field label, required, mapped header).
    pub mapping: Vec<(String, bool, Option<String>)>,
    /// The first data rows, as text.
    pub rows: Vec<Vec<String>>,
    /// Why no kind was found, if so.
    pub problem: Option<String>,
}

/// Reads the head of a file and matches it to a profile. Reads at most the first rows.
pub fn preview(
    path: &Path,
    opts: &ImportOptions,
    profiles_dir: &Path,
) -> Result<Preview, ImportError> {
    let mut profiles = match (&opts.custom_profile, &opts.profile) {
        (Some(custom), _) => vec![custom.clone()],
        (None, Some(name)) => vec![profile::find(profiles_dir, name)?],
        (None, None) => profile::load_all(profiles_dir)?,
    };
    if let Some(kind) = opts.kind {
        profiles.retain(|p| p.kind() == Some(kind));
    }
    let mut src = RowSource::open(path, opts.encoding, opts.sheet.as_deref())?;
    let mut recs: Vec<(u64, ByteRecord)> = Vec::new();
    let mut unclosed = None;
    while recs.len() < detect::HEADER_SCAN_ROWS + 20 {
        let mut rec = ByteRecord::new();
        match src.next_row(&mut rec) {
            Ok(Some(line)) => recs.push((line, rec)),
            Ok(None) => break,
            Err(e) if UnclosedQuote::of(&e).is_some() => {
                unclosed = UnclosedQuote::of(&e);
                break;
            }
            Err(e) => {
                return Err(ImportError::Invalid(format!(
                    "{}: CSV として読めません: {e}",
                    display_name(path)
                )));
            }
        }
    }
    let mut p = Preview {
        file: display_name(path),
        encoding: src.encoding.map(|e| e.label()),
        sheet: src.sheet.clone(),
        ..Preview::default()
    };
    let only: Vec<ByteRecord> = recs.iter().map(|(_, r)| r.clone()).collect();
    match detect::find_header(&only, &profiles) {
        Ok(m) => {
            p.kind = Some(m.def().id);
            p.kind_label = Some(m.def().label);
            p.profile_label = Some(m.profile.label.clone());
            p.header_line = Some(recs[m.row].0);
            p.mapping = m
                .def()
                .fields
                .iter()
                .zip(&m.mapping)
                .map(|(f, c)| {
                    (
                        f.label.to_string(),
                        f.required,
                        c.map(|i| m.headers[i].clone()),
                    )
                })
                .collect();
            p.headers = m.headers.clone();
            p.rows = recs
                .iter()
                .skip(m.row + 1)
                .take(20)
                .map(|(_, r)| cells(r))
                .collect();
            if let Some((name, _, _)) = detect::duplicate_header(&m.headers) {
                p.problem = Some(format!(
                    "見出し「{name}」が二つあります。どちらの列を取り込むか決められないため、このままでは取り込めません"
                ));
            } else if let Some(u) = unclosed {
                p.problem = Some(u.to_string());
            }
        }
        Err(partial) => {
            p.problem = Some(match partial {
                Some(m) => format!(
                    "「{}」に近い見出しですが、必須の列 {} が見つかりません",
                    m.def().label,
                    m.missing(true).join("、")
                ),
                None => "取り込める種類の見出し行が見つかりません".into(),
            });
            p.rows = recs.iter().take(20).map(|(_, r)| cells(r)).collect();
        }
    }
    Ok(p)
}
