//! Finds the header row and the kind of a file. KDB report CSVs may carry metadata lines
//! (report name, output date, conditions) above the header, so the first rows are scanned
//! for the row that best matches a profile's headers.

use csv::ByteRecord;

use super::profile::{Profile, normalize_header};
use crate::store::kinds::{Kind, KindDef};

/// How far down a file the header may be.
pub const HEADER_SCAN_ROWS: usize = 30;

/// A header row matched to a profile.
#[derive(Debug, Clone)]
pub struct HeaderMatch {
    /// Index of the header row in the scanned rows.
    pub row: usize,
    pub profile: Profile,
    pub kind: Kind,
    /// For each field of the kind, the source column index (if found).
    pub mapping: Vec<Option<usize>>,
    /// The header row's cells, as written.
    pub headers: Vec<String>,
}

impl HeaderMatch {
    pub fn def(&self) -> &'static KindDef {
        self.kind.def()
    }
    /// Fields the profile maps but the file lacks.
    pub fn missing(&self, required_only: bool) -> Vec<&'static str> {
        self.def()
            .fields
            .iter()
            .zip(&self.mapping)
            .filter(|(f, m)| m.is_none() && (!required_only || f.required))
            .map(|(f, _)| f.label)
            .collect()
    }
}

/// Decodes a record's cells as text (lossy; validation reports bad bytes later).
pub fn cells(rec: &ByteRecord) -> Vec<String> {
    rec.iter()
        .map(|c| String::from_utf8_lossy(c).trim().to_string())
        .collect()
}

/// Two cells of a header row that name the same column (once folded as headers are
/// matched): the name as written and the two columns (from 0). Which of them is the data
/// cannot be told, so such a file is refused.
pub fn duplicate_header(headers: &[String]) -> Option<(String, usize, usize)> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (j, h) in headers.iter().enumerate() {
        let norm = normalize_header(h);
        if norm.is_empty() {
            continue;
        }
        if let Some(&i) = seen.get(&norm) {
            return Some((h.trim().to_string(), i, j));
        }
        seen.insert(norm, j);
    }
    None
}

/// Maps a header row to the fields of a profile's kind.
pub fn map_headers(headers: &[String], profile: &Profile, kind: Kind) -> Vec<Option<usize>> {
    let norm: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
    kind.def()
        .fields
        .iter()
        .map(|f| {
            profile
                .headers_for(f.name)
                .iter()
                .find_map(|alias| norm.iter().position(|h| h == alias))
        })
        .collect()
}

/// The best header match among the scanned rows. Returns the best partial match as `Err`
/// when no row has every required header of any candidate profile.
pub fn find_header(
    rows: &[ByteRecord],
    profiles: &[Profile],
) -> Result<HeaderMatch, Option<HeaderMatch>> {
    let mut best_partial: Option<(usize, HeaderMatch)> = None;
    for (i, rec) in rows.iter().enumerate().take(HEADER_SCAN_ROWS) {
        let headers = cells(rec);
        if headers.iter().all(|h| h.is_empty()) {
            continue;
        }
        let mut full: Vec<(f32, usize, HeaderMatch)> = Vec::new();
        for profile in profiles {
            let Some(kind) = profile.kind() else { continue };
            let mapping = map_headers(&headers, profile, kind);
            let found = mapping.iter().filter(|m| m.is_some()).count();
            let all_required = kind
                .def()
                .fields
                .iter()
                .zip(&mapping)
                .all(|(f, m)| !f.required || m.is_some());
            let m = HeaderMatch {
                row: i,
                profile: profile.clone(),
                kind,
                mapping,
                headers: headers.clone(),
            };
            if all_required {
                full.push((found as f32 / kind.def().fields.len() as f32, found, m));
            } else if found > best_partial.as_ref().map_or(0, |b| b.0) {
                best_partial = Some((found, m));
            }
        }
        if let Some(best) = full.into_iter().max_by(|a, b| {
            a.0.partial_cmp(&b.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.1.cmp(&b.1))
        }) {
            return Ok(best.2);
        }
    }
    Err(best_partial.map(|b| b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_naming_a_column_twice_is_found_after_folding() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(duplicate_header(&h(&["ID", "氏名", "", "", "住所"])), None);
        // Full-width and spaced forms are the same header, as the matching reads them.
        assert_eq!(
            duplicate_header(&h(&["ＩＤ", "氏名", "住所", "氏 名"])),
            Some(("氏 名".to_string(), 1, 3))
        );
    }
}
