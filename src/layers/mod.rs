//! Map layers: boundary shapefiles and GeoJSON read with their CRS and encoding, checked
//! (the `.dbf` header and text, every coordinate in Japan once converted), dissolved by an
//! attribute when asked, stored in DuckDB (WKB + bbox + attribute columns) and loaded into
//! memory with an R-tree. Plain Rust: the CLI, the worker and tests drive it.

pub mod bundled;
pub use kenshin_parse::dbf_check;
pub mod dissolve;
pub use kenshin_parse::layers::{LayerOptions, ReadError, geojson_read, model, shapefile_read};
pub mod index;
pub mod storage;

use std::path::Path;

pub use index::LayerIndex;
pub use model::{AttrValue, Feature, FieldDef, FieldType, GeometryType, RawLayer};
pub use storage::LayerInfo;

use crate::store::Store;

/// A layer that could not be read, stored or found. What a file itself gets wrong is a
/// [`ReadError`] (from `kenshin-parse`, the readers with no database).
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(
        "レイヤ「{0}」は既にあります。別の名前を付けるか、置き換えを指定してください（--replace）。"
    )]
    Exists(String),
    #[error("レイヤ「{0}」はありません。")]
    NotFound(String),
    #[error("データベースの処理に失敗しました: {0}")]
    Sql(#[from] duckdb::Error),
}

/// Reads a layer file (shapefile or GeoJSON) without storing it, dissolving if asked.
pub fn read_file(path: &Path, opts: &LayerOptions) -> Result<RawLayer, LayerError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let raw = match ext.as_str() {
        "shp" => shapefile_read::read(path, opts)?,
        "geojson" | "json" => geojson_read::read(path, opts)?,
        _ => return Err(ReadError::UnknownFormat(path.display().to_string()).into()),
    };
    match &opts.dissolve {
        Some(field) => {
            dissolve::dissolve(raw, field, &dissolve::DEFAULT_SUM_FIELDS).map_err(|msg| {
                ReadError::Invalid {
                    file: path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    msg,
                }
                .into()
            })
        }
        None => Ok(raw),
    }
}

/// Reads and stores a layer file in one transaction.
pub fn import_layer(
    store: &Store,
    path: &Path,
    opts: &LayerOptions,
) -> Result<LayerInfo, LayerError> {
    let raw = read_file(path, opts)?;
    let name = opts.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "layer".into())
    });
    let file = Some(crate::import::display_name(path));
    storage::save(store.conn(), &name, file.as_deref(), &raw, opts.replace)
}
