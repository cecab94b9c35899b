//! Reading a layer file (shapefile or GeoJSON) into memory with its CRS and encoding,
//! every coordinate checked to lie in Japan once converted: no database. The main crate's
//! `layers` stores and indexes what these read.

pub mod geojson_read;
pub mod model;
pub mod place;
pub mod shapefile_read;

use std::path::PathBuf;

use crate::encoding::TextEncoding;
use crate::geo::crs::Crs;

/// What is wrong with a layer file itself.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
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
        "{0} は取り込める地図ファイルではありません。.shp（.shx・.dbf と一緒に）か .geojson を指定してください。"
    )]
    UnknownFormat(String),
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
