//! Map layers: boundary shapefiles and GeoJSON read with their CRS and encoding, checked
//! (the `.dbf` header and text, every coordinate in Japan once converted), dissolved by an
//! attribute when asked, stored in DuckDB (WKB + bbox + attribute columns) and loaded into
//! memory with an R-tree. Plain Rust: the CLI, the worker and tests drive it.

pub mod bundled;
pub use kenshin_parse::dbf_check;
pub mod dissolve;
pub mod geojson_read;
pub mod index;
pub mod model;
mod place;
pub mod shapefile_read;
pub mod storage;

use std::path::{Path, PathBuf};

pub use index::LayerIndex;
pub use model::{AttrValue, Feature, FieldDef, FieldType, GeometryType, RawLayer};
pub use storage::LayerInfo;

use crate::geo::crs::Crs;
use crate::import::encoding::TextEncoding;
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("{path} を読めません: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: {msg}。データベースは変更していません。")]
    Invalid { file: String, msg: String },
    /// Coordinates that are not numbers, or lie outside Japan once converted; `suggest` is
    /// the CRS that fits them, when one does (the screen preselects it).
    #[error("{file}: {msg}。データベースは変更していません。")]
    Coordinates {
        file: String,
        msg: String,
        suggest: Option<Crs>,
    },
    #[error("{file}: 座標系ファイル（.prj）がありません。{}", no_crs_hint(guess))]
    NoCrs {
        file: String,
        guess: Option<(Crs, String)>,
    },
    #[error(
        "レイヤ「{0}」は既にあります。別の名前を付けるか、置き換えを指定してください（--replace）。"
    )]
    Exists(String),
    #[error("レイヤ「{0}」はありません。")]
    NotFound(String),
    #[error(
        "{0} は取り込める地図ファイルではありません。.shp（.shx・.dbf と一緒に）か .geojson を指定してください。"
    )]
    UnknownFormat(String),
    #[error("データベースの処理に失敗しました: {0}")]
    Sql(#[from] duckdb::Error),
}

fn no_crs_hint(guess: &Option<(Crs, String)>) -> String {
    match guess {
        Some((crs, why)) => format!(
            "{why}。{} と推定しました。正しければ --crs {} を付けて取り込んでください（画面では座標系を選べます）。",
            crs.label(),
            crs.epsg()
        ),
        None => "座標の範囲からも推定できません。--crs で EPSG コードを指定してください。".into(),
    }
}

#[derive(Debug, Clone, Default)]
pub struct LayerOptions {
    /// The layer name; defaults to the file stem.
    pub name: Option<String>,
    /// The attribute encoding; `None` = `.cpg`, else detected.
    pub encoding: Option<TextEncoding>,
    /// The CRS, overriding (or standing in for) the `.prj`.
    pub crs: Option<Crs>,
    /// Dissolve by this field.
    pub dissolve: Option<String>,
    /// Replace a layer of the same name.
    pub replace: bool,
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
        _ => return Err(LayerError::UnknownFormat(path.display().to_string())),
    };
    match &opts.dissolve {
        Some(field) => {
            dissolve::dissolve(raw, field, &dissolve::DEFAULT_SUM_FIELDS).map_err(|msg| {
                LayerError::Invalid {
                    file: path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    msg,
                }
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
