//! A saved map (地図の保存): what the analyst set up, so that the same map (legend edits
//! included) can be opened again, printed or exported later. Stored as JSON in the
//! `saved_maps` table, one row per name; saving under an existing name replaces it.

use duckdb::Connection;

use super::choropleth::ChoroplethSpec;
use super::facilities::FacilityFilter;
use super::insured::PointColoring;
use crate::analysis::uptake::{Level, TargetFilter};
use crate::store::saved_maps;

/// One layer's look, by layer name (layers are matched by name when opened).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LayerState {
    pub name: String,
    pub visible: bool,
    pub opacity: f32,
    /// Drawn from this zoom on.
    #[serde(default)]
    pub min_zoom: u8,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapDocument {
    pub level: Level,
    pub fy: i32,
    pub filter: TargetFilter,
    /// The classification and the edited legend (colours, ranges, labels, format).
    pub spec: ChoroplethSpec,
    pub legend_on_map: bool,
    pub layers: Vec<LayerState>,
    /// Centre (lon, lat) and zoom.
    pub view: Option<(f64, f64, u8)>,
    /// The basemap's name; `None` = なし.
    pub basemap: Option<String>,
    pub facility_filter: FacilityFilter,
    /// Institution codes hidden by clicking.
    pub facility_hidden: Vec<String>,
    pub insured_on: bool,
    pub insured_coloring: PointColoring,
    pub insured_from_zoom: u8,
}

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("地図の名前を入力してください。")]
    EmptyName,
    #[error("保存した地図「{0}」はありません。")]
    NotFound(String),
    #[error("保存した地図「{name}」を読めません（{source}）。保存し直してください。")]
    Corrupt {
        name: String,
        source: serde_json::Error,
    },
    #[error("地図の保存に失敗しました: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("地図の設定を書き出せません: {0}")]
    Json(#[from] serde_json::Error),
}

pub use crate::store::saved_maps::SavedMap;

/// Saves `doc` as `name` (replacing a map of that name).
pub fn save(conn: &Connection, name: &str, doc: &MapDocument) -> Result<(), DocumentError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DocumentError::EmptyName);
    }
    saved_maps::put(
        conn,
        saved_maps::Shelf::Maps,
        name,
        &serde_json::to_string(doc)?,
    )?;
    Ok(())
}

/// The saved maps, newest first.
pub fn list(conn: &Connection) -> Result<Vec<SavedMap>, DocumentError> {
    Ok(saved_maps::list(conn, saved_maps::Shelf::Maps)?)
}

pub fn load(conn: &Connection, name: &str) -> Result<MapDocument, DocumentError> {
    let body = saved_maps::get(conn, saved_maps::Shelf::Maps, name)?
        .ok_or_else(|| DocumentError::NotFound(name.to_string()))?;
    serde_json::from_str(&body).map_err(|source| DocumentError::Corrupt {
        name: name.to_string(),
        source,
    })
}

pub fn delete(conn: &Connection, name: &str) -> Result<(), DocumentError> {
    if !saved_maps::remove(conn, saved_maps::Shelf::Maps, name)? {
        return Err(DocumentError::NotFound(name.to_string()));
    }
    Ok(())
}
