//! Reading what users bring, with no database and no window (so that a fuzz build of it
//! compiles neither DuckDB nor egui). The main crate re-exports these modules where they
//! always were (`geo`, `import::{encoding, normalize, wareki, rows, csv_scan, workbook,
//! xls_check}`,
//! `geocode::address`, `layers::{dbf_check, model, geojson_read, shapefile_read}`,
//! `basemap::{pmtiles, TileError}`, `import::display_name`).
//!
//! - `geo`: coordinate systems (`.prj`, EPSG, 平面直角座標系, the Tokyo datum), Japan's
//!   valid area, Web Mercator, WKB, distances.
//! - `encoding`, `normalize`, `wareki`: text encodings (CP932, UTF-8 and the BOMs), width
//!   folding, Japanese era dates.
//! - `rows`, `csv_scan`: the CSV tokenizer over decoded text, and the file scan.
//! - `workbook`: Excel sheets read cell by cell within a memory budget, the `.xlsx` parts
//!   checked before calamine opens them.
//! - `xls_check`: the OLE2/BIFF check of a legacy `.xls` before calamine reads it.
//! - `address`: folding of Japanese addresses for matching.
//! - `dbf_check`: the `.dbf` header and record checks of a shapefile.
//! - `pmtiles` (with `tiles::TileError`): the PMTiles v3 reader and writer.
//! - `layers`: the shapefile and GeoJSON readers with their coordinate checks.

use std::path::Path;

pub mod address;
pub mod csv_scan;
pub mod dbf_check;
pub mod encoding;
pub mod geo;
pub mod layers;
pub mod normalize;
pub mod pmtiles;
pub mod rows;
pub mod tiles;
pub mod wareki;
pub mod workbook;
pub mod xls_check;
#[cfg(test)]
mod xls_fixture;

/// The file name shown in messages and history (not the full path).
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
