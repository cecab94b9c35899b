//! Exports (外部出力): one writer per format, all plain Rust over a [`Table`] (any result
//! table), a [`Scene`](crate::map::Scene) (maps) or features with geometry. The engine's
//! export domain (`app::domain::export`) checks the rights and folders, builds what is
//! written, calls a writer here and logs the file's format, rows and sha256.
//!
//! The writers return bytes; the export domain makes every file of an export (a bundle's,
//! a shapefile's parts) first and then writes them together ([`atomic::Staging`]): each
//! to a temporary name beside its destination, synced, then renamed into place. A failed
//! or cancelled export leaves no half-written file.

pub mod atomic;
pub mod cp932;
pub mod csv;
pub mod features;
pub mod geojson;
pub mod meta;
pub mod neutralize;
pub mod pptx;
pub mod shapefile;
pub mod table;
pub mod xlsx;

pub use features::Features;
pub use meta::Meta;
pub use table::{Table, Values};

use std::path::PathBuf;

/// A character a CP932 file cannot hold, replaced with 〓: where it was (data row from 1;
/// 0 is the header; column name) and the character.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Substitution {
    pub row: usize,
    pub column: String,
    pub ch: char,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path} に書き込めません（{source}）。出力先のフォルダと空き容量を確認してください。")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Excel ファイルを作れません: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("シェープファイルを作れません: {0}")]
    Shapefile(String),
    #[error("PDF を作れません: {0}")]
    Pdf(String),
    #[error("画像を作れません: {0}")]
    Image(String),
    #[error("PowerPoint ファイルを作れません: {0}")]
    Pptx(String),
    #[error("表「{table}」に位置（経度・緯度の列）がないため、{format} には出力できません。")]
    NoLocation { table: String, format: &'static str },
    #[error("出力を取り消しました。ファイルは作られていません。")]
    Cancelled,
    #[error("ファイル名の拡張子を .{expected} にしてください（{path}）。")]
    Extension {
        path: PathBuf,
        expected: &'static str,
    },
    #[error("{0}")]
    TooLarge(String),
    #[error(
        "この出力には氏名・住所などの個人情報が含まれます。持ち出してよいか確認のうえ、「個人情報を含むことを確認しました」にチェックして（CLI では --confirm-personal を付けて）やり直してください。"
    )]
    Unconfirmed,
    #[error("{0} は{1}には出力できません。")]
    Unsupported(&'static str, &'static str),
    #[error("保存した検索「{0}」はありません（search list で確認できます）。")]
    NoSearch(String),
    #[error(
        "「{0}」は医療費等分析システム連携の様式で出力できません。被保険者の抽出リストを選んでください。"
    )]
    PresetNeedsList(String),
}

/// Encoding of a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// UTF-8 (CSV with a BOM, so that Excel reads it as UTF-8).
    #[default]
    Utf8,
    /// Shift_JIS as Windows writes it (CP932).
    Cp932,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Cp932 => "Shift_JIS（CP932）",
        }
    }
}
