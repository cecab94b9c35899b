//! The map: its layers (load, import, list, delete), uptake per area (the 集計 table and
//! the choropleth), institutions, the insured as points, saved maps, map images and the
//! basemap's tile sets.

use std::path::PathBuf;
use std::sync::Arc;

use super::{Audited, Cx, Domain};
use crate::analysis::figures::AreaTable;
use crate::analysis::uptake::{Level, TargetFilter};
use crate::app::error::AppError;
use crate::app::spec::Spec;
use crate::audit::Action;
use crate::auth::Right;
use crate::basemap::builtin::TileFormat;
use crate::basemap::{BasemapInfo, TileError};
use crate::import::display_name;
use crate::layers::{LayerError, LayerInfo, ReadError};
use crate::map::MapLayers;
use crate::map::document::{MapDocument, SavedMap};
use crate::map::facilities::FacilityLayer;
use crate::map::insured::InsuredPoints;

#[derive(Debug, Clone)]
pub enum MapCmd {
    /// Store the bundled layers if missing; load and prepare every layer for the map.
    LoadMap,
    /// The uptake table of the 集計 tab. Suppressed areas come without figures; with
    /// `reveal` (個人情報の閲覧, logged as a view of personal data) they come marked.
    Uptake {
        level: Level,
        fy: i32,
        reveal: bool,
    },
    /// Uptake per area for the map, for one sex/age band (suppression and `reveal` as
    /// for [`MapCmd::Uptake`]).
    AreaUptake {
        level: Level,
        fy: i32,
        filter: TargetFilter,
        reveal: bool,
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
    /// The stored layers.
    Layers,
    DeleteLayer {
        name: String,
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
    /// Draw a map as a PNG file (外部出力, in an allowed folder).
    RenderMap {
        spec: crate::render::export::MapPng,
        out: PathBuf,
    },
    /// The basemaps of the maps folder, with their zoom ranges.
    Basemaps,
    /// Render the built-in basemap as a tile set (地図レイヤの管理; 外部出力 when `out`
    /// leaves the maps folder).
    BuildTiles {
        max_zoom: u8,
        format: TileFormat,
        out: Option<PathBuf>,
    },
}

/// A basemap and its zoom range (`Ok(None)`: no tiles yet), or why it does not open.
#[derive(Debug)]
pub struct BasemapEntry {
    pub info: BasemapInfo,
    pub zooms: Result<Option<(u8, u8)>, TileError>,
}

#[derive(Debug)]
pub enum MapReply {
    MapLayers(MapLayers),
    Uptake(AreaTable),
    AreaUptake(AreaTable),
    Facilities(Arc<FacilityLayer>),
    InsuredPoints {
        fy: i32,
        points: Arc<InsuredPoints>,
    },
    /// A layer import's result. Without a `.prj`, or with coordinates that fit another CRS
    /// than the one given, the error carries the CRS that fits, so the screen can ask for
    /// one (`needs_crs`).
    LayerImported {
        file: PathBuf,
        result: Result<LayerInfo, LayerError>,
        needs_crs: bool,
        guess: Option<crate::geo::crs::Crs>,
    },
    Layers(Vec<LayerInfo>),
    LayerDeleted(String),
    SavedMaps(Vec<SavedMap>),
    MapOpened {
        name: String,
        doc: Box<MapDocument>,
    },
    /// A map PNG written, and the zoom it was drawn at.
    MapRendered {
        path: PathBuf,
        zoom: u8,
    },
    Basemaps(Vec<BasemapEntry>),
    TilesBuilt {
        tiles: u64,
        path: PathBuf,
    },
}

impl Domain for MapCmd {
    type Reply = MapReply;

    fn spec(&self) -> Spec {
        let personal = |label, target: String| {
            Spec::login(label)
                .right(Right::ViewPersonal, Action::ViewPersonal, target)
                .logged()
        };
        let edit = |label, target: String| {
            Spec::login(label)
                .right(Right::Edit, Action::Edit, target)
                .logged()
        };
        let layers = |label, action, target: String| {
            Spec::login(label)
                .right(Right::ManageLayers, action, target)
                .logged()
        };
        match self {
            MapCmd::LoadMap => Spec::login("地図の準備"),
            MapCmd::Uptake { level, fy, reveal } => {
                figures("受診率の集計", format!("uptake:{level:?}:{fy}"), *reveal)
            }
            MapCmd::AreaUptake {
                level,
                fy,
                filter,
                reveal,
            } => figures(
                "地域別受診率の集計",
                format!(
                    "area_uptake:{level:?}:{fy}:{}:{}",
                    filter.sex.map_or("all".into(), |s| s.to_string()),
                    filter.age_band.map_or("all".into(), |a| a.to_string())
                ),
                *reveal,
            ),
            MapCmd::Facilities { .. } => Spec::login("医療機関の読込"),
            MapCmd::InsuredPoints { fy } => {
                personal("被保険者の位置の読込", format!("insured_points:{fy}"))
            }
            MapCmd::ImportLayer { file, .. } => {
                layers("レイヤの取込", Action::Import, display_name(file))
            }
            MapCmd::Layers => Spec::login("レイヤの一覧"),
            MapCmd::DeleteLayer { name } => {
                layers("レイヤの削除", Action::Edit, format!("layer:{name}"))
            }
            MapCmd::SaveMap { name, .. } => edit("地図の保存", format!("saved_map:{name}")),
            MapCmd::ListMaps => Spec::login("保存した地図の一覧"),
            MapCmd::OpenMap { .. } => Spec::login("地図を開く"),
            MapCmd::DeleteMap { name } => edit("保存した地図の削除", format!("saved_map:{name}")),
            MapCmd::RenderMap { out, .. } => Spec::login("地図の画像出力")
                .right(Right::Export, Action::Export, out.display().to_string())
                .logged()
                .export(out),
            MapCmd::Basemaps => Spec::login("背景地図の一覧"),
            MapCmd::BuildTiles { out, .. } => {
                let spec = layers("背景地図のタイル作成", Action::Edit, "maps".into());
                // A tile set written elsewhere than maps/ leaves the data folder: 外部出力.
                match out {
                    Some(out) => spec.export(out),
                    None => spec,
                }
            }
        }
    }

    fn run(self, cx: &mut Cx<'_>) -> Result<MapReply, AppError> {
        let (store, conn) = (cx.store, cx.store.conn());
        Ok(match self {
            MapCmd::LoadMap => MapReply::MapLayers(crate::map::load_layers(
                store,
                &crate::paths::reference_dir(),
            )?),
            // Suppressed in the core, at the admin's threshold, before the rows leave the
            // engine; `reveal` passed the 個人情報の閲覧 check at the gate.
            MapCmd::Uptake { level, fy, reveal } => {
                MapReply::Uptake(area_table(cx, level, fy, Default::default(), reveal)?)
            }
            MapCmd::AreaUptake {
                level,
                fy,
                filter,
                reveal,
            } => MapReply::AreaUptake(area_table(cx, level, fy, filter, reveal)?),
            // Counts of users under the suppression threshold are withheld for a user
            // without 個人情報の閲覧 (「10人未満」), before they leave the engine.
            MapCmd::Facilities { fy } => {
                let mut list = crate::map::facilities::load(conn, fy)?;
                let threshold = cx.sec().suppression_threshold();
                let may_see = cx.has(Right::ViewPersonal);
                if !may_see {
                    crate::map::facilities::withhold_small_counts(&mut list, threshold);
                }
                MapReply::Facilities(Arc::new(FacilityLayer::new(fy, list, threshold)))
            }
            MapCmd::InsuredPoints { fy } => MapReply::InsuredPoints {
                fy,
                points: Arc::new(InsuredPoints::load(conn, fy)?),
            },
            MapCmd::ImportLayer { file, opts } => {
                let result = crate::layers::import_layer(store, &file, &opts);
                let (needs_crs, guess) = match &result {
                    Err(LayerError::Read(ReadError::NoCrs { guess, .. })) => {
                        (true, guess.as_ref().map(|g| g.0))
                    }
                    Err(LayerError::Read(ReadError::Coordinates {
                        suggest: Some(c), ..
                    })) => (true, Some(*c)),
                    _ => (false, None),
                };
                MapReply::LayerImported {
                    file,
                    result,
                    needs_crs,
                    guess,
                }
            }
            MapCmd::Layers => MapReply::Layers(crate::layers::storage::list(conn)?),
            MapCmd::DeleteLayer { name } => {
                crate::layers::storage::delete(conn, &name)?;
                MapReply::LayerDeleted(name)
            }
            MapCmd::SaveMap { name, doc } => {
                crate::map::document::save(conn, &name, &doc)?;
                MapReply::SavedMaps(crate::map::document::list(conn)?)
            }
            MapCmd::ListMaps => MapReply::SavedMaps(crate::map::document::list(conn)?),
            MapCmd::OpenMap { name } => {
                let doc = Box::new(crate::map::document::load(conn, &name)?);
                MapReply::MapOpened { name, doc }
            }
            MapCmd::DeleteMap { name } => {
                crate::map::document::delete(conn, &name)?;
                MapReply::SavedMaps(crate::map::document::list(conn)?)
            }
            MapCmd::RenderMap { spec, out } => {
                let zoom = crate::render::export::write_map_png(store, &spec, &out)?;
                MapReply::MapRendered { path: out, zoom }
            }
            MapCmd::Basemaps => MapReply::Basemaps(
                crate::basemap::list(&crate::basemap::default_maps_dir())
                    .into_iter()
                    .map(|info| BasemapEntry {
                        zooms: crate::basemap::Source::open(&info, None).map(|s| s.zoom_range()),
                        info,
                    })
                    .collect(),
            ),
            MapCmd::BuildTiles {
                max_zoom,
                format,
                out,
            } => {
                let layers = crate::map::load_layers(store, &crate::paths::reference_dir())?;
                let (tiles, path) = crate::basemap::builtin::export(
                    &layers,
                    &crate::basemap::default_maps_dir(),
                    format,
                    max_zoom,
                    out,
                    cx.progress,
                )?;
                MapReply::TilesBuilt { tiles, path }
            }
        })
    }

    fn audited(reply: &MapReply) -> Option<Audited> {
        Some(match reply {
            MapReply::Uptake(t) | MapReply::AreaUptake(t) => Audited {
                detail: if t.reveal {
                    format!("suppressed_shown:{}", t.revealed_count())
                } else {
                    String::new()
                },
                ..Audited::rows(t.len() as u64)
            },
            MapReply::InsuredPoints { points, .. } => Audited::rows(points.count as u64),
            MapReply::LayerImported { result, .. } => Audited {
                failed: result.is_err(),
                rows: result.as_ref().ok().map(|i| i.feature_count),
                ..Default::default()
            },
            MapReply::TilesBuilt { tiles, .. } => Audited::rows(*tiles),
            _ => Audited::default(),
        })
    }
}

/// Uptake figures: any logged-in user, as a search; revealing suppressed figures needs
/// 個人情報の閲覧 and is logged as a view of personal data.
fn figures(label: &'static str, target: String, reveal: bool) -> Spec {
    if reveal {
        Spec::login(label)
            .right(
                Right::ViewPersonal,
                Action::ViewPersonal,
                format!("{target}:suppressed_figures"),
            )
            .logged()
    } else {
        Spec::login(label).acts(Action::Search, target).logged()
    }
}

/// Uptake per area at the admin's suppression threshold.
fn area_table(
    cx: &Cx<'_>,
    level: Level,
    fy: i32,
    filter: TargetFilter,
    reveal: bool,
) -> Result<AreaTable, AppError> {
    let sec = cx.sec();
    Ok(crate::analysis::figures::area_table(
        sec.conn,
        level,
        fy,
        filter,
        sec.suppression_threshold(),
        reveal,
    )?)
}
