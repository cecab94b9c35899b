//! What the UI (or any other front end) can ask of the worker, and what comes back.

use std::path::PathBuf;

use crate::analysis::uptake::{Level, TargetFilter, UptakeRow};
use crate::geocode::{GeocodeReport, Unmatched};
use crate::import::user_table::UserTableReport;
use crate::import::{ImportOptions, ImportReport, Preview, UserTableOptions};
use std::sync::Arc;

use crate::map::MapLayers;
use crate::map::document::{MapDocument, SavedMap};
use crate::map::facilities::FacilityLayer;
use crate::map::insured::InsuredPoints;
use crate::store::{ImportRecord, Reject, Stats};

#[derive(Debug, Clone)]
pub enum Command {
    /// Build and import the demo data if the database is empty.
    EnsureDemo,
    /// Look at a file before importing it.
    Preview {
        file: PathBuf,
        opts: ImportOptions,
    },
    /// Import files, one transaction each.
    Import {
        files: Vec<PathBuf>,
        opts: ImportOptions,
    },
    /// Make a user table from a CSV/Excel file.
    ImportTable {
        file: PathBuf,
        opts: UserTableOptions,
    },
    Stats,
    Uptake {
        level: Level,
        fy: i32,
    },
    Rejects {
        import_id: i64,
    },
    /// Store the bundled layers if missing; load and prepare every layer for the map.
    LoadMap,
    /// Match every insured person's address to a point and small area.
    Geocode,
    /// The match rates stored by the last run.
    GeocodeStatus,
    /// The addresses not placed at 街区 level (personal data: shown, never logged).
    Unmatched {
        limit: usize,
    },
    /// Uptake per area for the map, for one sex/age band.
    AreaUptake {
        level: Level,
        fy: i32,
        filter: TargetFilter,
    },
    /// The institutions as a map layer, with users in fiscal year `fy`.
    Facilities {
        fy: i32,
    },
    /// The located targets of `fy` with attendance and 3-year pattern (personal data).
    InsuredPoints {
        fy: i32,
    },
    /// Read and store a layer file (one transaction); the map reloads after it.
    ImportLayer {
        file: PathBuf,
        opts: crate::layers::LayerOptions,
    },
    /// Save the map's settings under a name; answers with the list of saved maps.
    SaveMap {
        name: String,
        doc: Box<MapDocument>,
    },
    ListMaps,
    OpenMap {
        name: String,
    },
    DeleteMap {
        name: String,
    },
}

impl Command {
    /// A short Japanese label for progress displays.
    pub fn label(&self) -> &'static str {
        match self {
            Command::EnsureDemo => "デモデータの準備",
            Command::Preview { .. } => "ファイルの確認",
            Command::Import { .. } => "取込",
            Command::ImportTable { .. } => "独自データの取込",
            Command::Stats => "件数の集計",
            Command::Uptake { .. } => "受診率の集計",
            Command::Rejects { .. } => "除外行の表示",
            Command::LoadMap => "地図の準備",
            Command::AreaUptake { .. } => "地域別受診率の集計",
            Command::Geocode => "住所照合",
            Command::GeocodeStatus => "照合率の表示",
            Command::Unmatched { .. } => "未照合住所の表示",
            Command::Facilities { .. } => "医療機関の読込",
            Command::InsuredPoints { .. } => "被保険者の位置の読込",
            Command::SaveMap { .. } => "地図の保存",
            Command::ImportLayer { .. } => "レイヤの取込",
            Command::ListMaps => "保存した地図の一覧",
            Command::OpenMap { .. } => "地図を開く",
            Command::DeleteMap { .. } => "保存した地図の削除",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Outcome {
    DemoReady {
        imported: usize,
        message: String,
    },
    Preview(Box<Preview>),
    /// Import reports, and the address matching re-run when the insured or the address
    /// points changed (`None` when it did not run).
    Imported {
        reports: Vec<ImportReport>,
        geocode: Option<Result<GeocodeReport, String>>,
    },
    Geocoded(GeocodeReport),
    Unmatched(Vec<Unmatched>),
    TableImported(UserTableReport),
    Stats(Box<Stats>),
    History(Vec<ImportRecord>),
    Uptake {
        level: Level,
        fy: i32,
        rows: Vec<UptakeRow>,
    },
    Rejects {
        import_id: i64,
        rejects: Vec<Reject>,
    },
    MapLayers(MapLayers),
    AreaUptake {
        level: Level,
        fy: i32,
        filter: TargetFilter,
        rows: Vec<UptakeRow>,
    },
    Facilities(Arc<FacilityLayer>),
    SavedMaps(Vec<SavedMap>),
    /// A layer import's result. Without a `.prj` the error carries the guessed CRS, so
    /// the screen can ask for one (`needs_crs`).
    LayerImported {
        file: PathBuf,
        result: Result<crate::layers::LayerInfo, String>,
        needs_crs: bool,
        guess: Option<crate::geo::crs::Crs>,
    },
    MapOpened {
        name: String,
        doc: Box<MapDocument>,
    },
    InsuredPoints {
        fy: i32,
        points: Arc<InsuredPoints>,
    },
    Failed(String),
}
