//! A saved map (地図の保存): what the analyst set up, so that the same map (legend edits
//! included) can be opened again, printed or exported later. Stored as JSON in the
//! `saved_maps` table, one row per name; saving under an existing name replaces it.

use duckdb::{Connection, params};

use super::choropleth::ChoroplethSpec;
use super::facilities::FacilityFilter;
use super::insured::PointColoring;
use crate::analysis::uptake::{Level, TargetFilter};

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
    Sql(#[from] duckdb::Error),
    #[error("地図の設定を書き出せません: {0}")]
    Json(#[from] serde_json::Error),
}

/// A saved map's name and when it was saved (local time, as text).
#[derive(Debug, Clone, PartialEq)]
pub struct SavedMap {
    pub name: String,
    pub saved_at: String,
}

/// Saves `doc` as `name` (replacing a map of that name).
pub fn save(conn: &Connection, name: &str, doc: &MapDocument) -> Result<(), DocumentError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DocumentError::EmptyName);
    }
    let body = serde_json::to_string(doc)?;
    // Local wall-clock time from Rust (DuckDB's local-time functions need ICU).
    let now = chrono::Local::now()
        .naive_local()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    conn.execute(
        "INSERT OR REPLACE INTO saved_maps (name, saved_at, body) VALUES (?, CAST(? AS TIMESTAMP), ?)",
        params![name, now, body],
    )?;
    Ok(())
}

/// The saved maps, newest first.
pub fn list(conn: &Connection) -> Result<Vec<SavedMap>, DocumentError> {
    let mut stmt = conn.prepare(
        "SELECT name, strftime(saved_at, '%Y-%m-%d %H:%M') FROM saved_maps ORDER BY saved_at DESC, name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(SavedMap {
            name: r.get(0)?,
            saved_at: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn load(conn: &Connection, name: &str) -> Result<MapDocument, DocumentError> {
    let body: Option<String> = conn
        .prepare("SELECT body FROM saved_maps WHERE name = ?")?
        .query_map(params![name], |r| r.get(0))?
        .next()
        .transpose()?;
    let body = body.ok_or_else(|| DocumentError::NotFound(name.to_string()))?;
    serde_json::from_str(&body).map_err(|source| DocumentError::Corrupt {
        name: name.to_string(),
        source,
    })
}

pub fn delete(conn: &Connection, name: &str) -> Result<(), DocumentError> {
    let n = conn.execute("DELETE FROM saved_maps WHERE name = ?", params![name])?;
    if n == 0 {
        return Err(DocumentError::NotFound(name.to_string()));
    }
    Ok(())
}
