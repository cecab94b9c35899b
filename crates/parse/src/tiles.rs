//! The errors of reading and writing tile sets (PMTiles here; MBTiles, XYZ folders and the
//! built-in basemap in the main crate's `basemap`).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum TileError {
    #[error("{path} を読み書きできません: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {msg}")]
    Invalid { path: PathBuf, msg: String },
    #[error("背景地図「{0}」は maps フォルダにありません。")]
    NotFound(String),
    #[error("タイル画像を作れません: {0}")]
    Encode(String),
}
