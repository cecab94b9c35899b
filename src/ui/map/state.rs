//! The map screen's state, in parts: where the map looks ([`CanvasState`]), the layers and
//! their looks ([`LayersState`]), the uptake choropleth ([`ChoroplethState`]), the
//! institutions ([`FacilitiesState`]), the insured as points ([`InsuredState`]), saved
//! maps ([`SavedMapsState`]) and the tools ([`ToolsState`]). [`MapState`] holds them and
//! the changes that touch several parts (new layers, an opened map, a moved layer).

use crate::app::{MapCmd, MapReply};
use std::sync::Arc;

use crate::analysis::figures::AreaTable;
use crate::analysis::uptake::{Level, TargetFilter};
use crate::app::Command;
use crate::geo::mercator;
use crate::map::choropleth::{self, Choropleth, ChoroplethSpec};
use crate::map::document::{LayerState, MapDocument, SavedMap};
use crate::map::facilities::{self, FacilityFilter, FacilityLayer};
use crate::map::insured::{InsuredPoints, POINTS_FROM_ZOOM, PointColoring};
use crate::map::scene::LayerStyle;
use crate::map::{MapLayers, View};

use super::basemap::BasemapState;
use super::paint::MapTextures;
use super::panels::layer_import::LayerImportState;

/// Where the map looks and what the pointer is over.
#[derive(Default)]
pub struct CanvasState {
    /// `None` until the first frame knows the map's size.
    pub view: Option<View>,
    /// The pointer in lon/lat.
    pub cursor: Option<(f64, f64)>,
    /// A scale typed as 1:N.
    pub scale_text: String,
    /// The map's top-left corner on screen, last frame (for tests and overlays).
    pub origin: (f32, f32),
    pub(super) textures: Option<MapTextures>,
    /// The bundled font's measures, for laying out the furniture (made once).
    pub(super) text: Option<crate::paint::text::TextPainter>,
}

/// The layers drawn (bottom to top), their looks, and layer import.
#[derive(Default)]
pub struct LayersState {
    pub loaded: Option<MapLayers>,
    pub styles: Vec<LayerStyle>,
    /// The layers were asked for.
    pub requested: bool,
    /// Layer looks of an opened map, applied when the layers are there.
    pub(super) pending: Vec<LayerState>,
    pub import: LayerImportState,
}

/// The uptake choropleth: which figures, how classed, and the figures themselves.
pub struct ChoroplethState {
    pub level: Level,
    pub fy: i32,
    /// The fiscal years the checkups have (`None` until the worker's counts arrive).
    pub fiscal_years: Option<Vec<i32>>,
    pub filter: TargetFilter,
    pub spec: ChoroplethSpec,
    /// The figures from the engine, suppressed there (`analysis::suppression`).
    pub rows: Option<AreaTable>,
    /// The user holds 個人情報の閲覧 (set by the app from the session): the choice to
    /// see suppressed figures is offered.
    pub may_reveal: bool,
    /// Ask for suppressed figures too (never saved with the map; logged by the engine).
    pub reveal: bool,
    /// The classes and colours computed from the rows, with the layer they colour.
    pub built: Option<(usize, Choropleth)>,
    /// Draw the legend on the map too (as exports do).
    pub legend_on_map: bool,
    /// The layer the choropleth last coloured.
    pub(super) layer: Option<usize>,
    pub(super) rows_requested: Option<(Level, i32, TargetFilter, bool)>,
}

impl Default for ChoroplethState {
    fn default() -> Self {
        ChoroplethState {
            level: Level::Municipality,
            fy: 2021,
            fiscal_years: None,
            filter: TargetFilter::default(),
            spec: ChoroplethSpec::default(),
            rows: None,
            may_reveal: false,
            reveal: false,
            built: None,
            legend_on_map: true,
            layer: None,
            rows_requested: None,
        }
    }
}

/// The institutions layer and what hides some of them.
#[derive(Default)]
pub struct FacilitiesState {
    /// The layer (its index in the layers is found by name).
    pub layer: Option<Arc<FacilityLayer>>,
    pub filter: FacilityFilter,
    /// Institution codes hidden by clicking.
    pub clicked: Vec<String>,
    /// The FY the facilities were asked for (`None`: ask again).
    pub(super) requested: Option<i32>,
}

/// The insured as points (personal data): off until the user turns them on.
pub struct InsuredState {
    pub on: bool,
    pub points: Option<(i32, Arc<InsuredPoints>)>,
    pub(super) requested: Option<i32>,
    pub coloring: PointColoring,
    /// Single persons are drawn from this zoom; below it only cells of 32 points.
    pub from_zoom: u8,
}

impl Default for InsuredState {
    fn default() -> Self {
        InsuredState {
            on: false,
            points: None,
            requested: None,
            coloring: PointColoring::default(),
            from_zoom: POINTS_FROM_ZOOM,
        }
    }
}

/// Saved maps (`None` until listed) and the name typed for saving (the map last opened).
#[derive(Default)]
pub struct SavedMapsState {
    pub list: Option<Vec<SavedMap>>,
    pub name: String,
    pub(super) requested: bool,
}

/// The map tools: identify, spatial search, 場所移動.
#[derive(Default)]
pub struct ToolsState {
    /// The feature shown in 属性: (layer, feature).
    pub identified: Option<(usize, usize)>,
    pub spatial: super::tools::spatial::SpatialState,
    pub jump: super::tools::jump::JumpState,
}

/// The map screen.
#[derive(Default)]
pub struct MapState {
    pub canvas: CanvasState,
    pub layers: LayersState,
    pub choropleth: ChoroplethState,
    pub facilities: FacilitiesState,
    pub insured: InsuredState,
    pub saved: SavedMapsState,
    pub tools: ToolsState,
    pub basemap: BasemapState,
    /// The 出力 window asked for (taken by the app).
    pub export: Option<crate::ui::export_ui::Request>,
}

impl MapState {
    /// A fresh map screen over an existing basemap state (its tile cache kept).
    pub fn with_basemap(basemap: BasemapState) -> MapState {
        MapState {
            basemap,
            ..Default::default()
        }
    }
}

impl MapState {
    /// New or reloaded layers: layers already shown keep their visibility and opacity.
    pub fn set_layers(&mut self, layers: MapLayers) {
        if self.layers.loaded.is_some() {
            let kept = self.to_document().layers;
            self.layers.pending.extend(kept);
        }
        self.layers.styles = crate::map::style::default_styles(&layers);
        self.layers.loaded = Some(layers);
        self.choropleth.built = None;
        self.choropleth.layer = None;
        self.tools.identified = None;
        // The facility layer is not stored: it is added again when it arrives.
        self.facilities.layer = None;
        self.facilities.requested = None;
        self.apply_pending_layers();
    }

    /// The fiscal years the checkups have. The first time, a chosen year that the data
    /// does not have moves to the latest one.
    pub fn set_fiscal_years(&mut self, years: Vec<i32>) {
        if self.choropleth.fiscal_years.is_none() {
            crate::ui::home_ui::adopt_latest_year(&mut self.choropleth.fy, &years);
        }
        self.choropleth.fiscal_years = Some(years);
    }

    /// New data was imported: uptake, facilities and insured points are asked for again
    /// (what is drawn stays until the new data arrives).
    pub fn data_changed(&mut self) {
        self.choropleth.rows = None;
        self.choropleth.rows_requested = None;
        self.facilities.requested = None;
        self.insured.requested = None;
        self.insured.points = None;
    }

    /// The admin changed the suppression threshold: the figures are asked for again.
    pub fn figures_changed(&mut self) {
        self.choropleth.rows = None;
        self.choropleth.rows_requested = None;
    }

    /// The institutions arrived: added (or replaced) on top of the layers, keeping the
    /// user's visibility, opacity, conditions and clicked-hidden facilities.
    pub fn set_facilities(&mut self, fl: Arc<FacilityLayer>) {
        let Some(layers) = self.layers.loaded.as_mut() else {
            return;
        };
        let ix = layers.upsert(fl.layer.clone());
        if ix >= self.layers.styles.len() {
            self.layers.styles.push(LayerStyle {
                min_zoom: facilities::DEFAULT_MIN_ZOOM,
                ..Default::default()
            });
        }
        self.facilities.layer = Some(fl);
        self.apply_pending_layers();
        self.refresh_facility_style();
    }

    /// Re-applies the facility symbols and hiding after a condition or a click changed.
    pub fn refresh_facility_style(&mut self) {
        let (Some(fl), Some(layers)) = (&self.facilities.layer, &self.layers.loaded) else {
            return;
        };
        if let Some((ix, _)) = layers.find(facilities::LAYER_NAME)
            && let Some(style) = self.layers.styles.get_mut(ix)
        {
            fl.apply(style, &self.facilities.filter, &self.facilities.clicked);
        }
    }

    /// Everything needed to open this map again.
    pub fn to_document(&self) -> MapDocument {
        let layers = self
            .layers
            .loaded
            .iter()
            .flat_map(|l| l.0.iter())
            .zip(&self.layers.styles)
            .map(|(l, s)| LayerState {
                name: l.index.info.name.clone(),
                visible: s.visible,
                opacity: s.opacity,
                min_zoom: s.min_zoom,
            })
            .collect();
        MapDocument {
            level: self.choropleth.level,
            fy: self.choropleth.fy,
            filter: self.choropleth.filter,
            spec: self.choropleth.spec.clone(),
            legend_on_map: self.choropleth.legend_on_map,
            layers,
            view: self.canvas.view.map(|v| {
                let (lon, lat) = mercator::world_to_lonlat(v.center.0, v.center.1);
                (lon, lat, v.zoom)
            }),
            basemap: self
                .basemap
                .selected
                .and_then(|i| self.basemap.list.get(i))
                .map(|b| b.name.clone()),
            facility_filter: self.facilities.filter.clone(),
            facility_hidden: self.facilities.clicked.clone(),
            insured_on: self.insured.on,
            insured_coloring: self.insured.coloring,
            insured_from_zoom: self.insured.from_zoom,
        }
    }

    /// Opens a saved map: its settings replace the current ones; layers are matched by
    /// name (a layer deleted since is skipped).
    pub fn apply_document(&mut self, name: &str, doc: &MapDocument) {
        self.choropleth.level = doc.level;
        self.choropleth.fy = doc.fy;
        self.choropleth.filter = doc.filter;
        self.choropleth.spec = doc.spec.clone();
        self.choropleth.legend_on_map = doc.legend_on_map;
        self.facilities.filter = doc.facility_filter.clone();
        self.facilities.clicked = doc.facility_hidden.clone();
        self.insured.on = doc.insured_on;
        self.insured.coloring = doc.insured_coloring;
        self.insured.from_zoom = doc.insured_from_zoom;
        self.basemap.selected = doc
            .basemap
            .as_ref()
            .and_then(|n| self.basemap.list.iter().position(|b| &b.name == n));
        if let (Some((lon, lat, zoom)), Some(view)) = (doc.view, self.canvas.view.as_mut()) {
            view.center = mercator::lonlat_to_world(lon, lat);
            view.set_zoom(zoom);
        }
        let names: Vec<String> = doc.layers.iter().map(|l| l.name.clone()).collect();
        self.reorder_like(&names);
        self.layers.pending = doc.layers.clone();
        self.apply_pending_layers();
        self.saved.name = name.to_string();
        self.choropleth.built = None;
        self.refresh_facility_style();
    }

    fn apply_pending_layers(&mut self) {
        let Some(layers) = &self.layers.loaded else {
            return;
        };
        self.layers
            .pending
            .retain(|ls| match layers.find(&ls.name) {
                Some((i, _)) => {
                    if let Some(s) = self.layers.styles.get_mut(i) {
                        s.visible = ls.visible;
                        s.opacity = ls.opacity;
                    }
                    false
                }
                // The facility layer arrives later: keep its look until then.
                None => ls.name == facilities::LAYER_NAME,
            });
    }

    /// Moves layer `i` one step up (drawn later, higher in the list) or down. The
    /// choropleth and the identified feature follow their layer.
    pub fn move_layer(&mut self, i: usize, up: bool) {
        let Some(layers) = self.layers.loaded.as_mut() else {
            return;
        };
        let j = if up { i + 1 } else { i.wrapping_sub(1) };
        if i >= layers.0.len() || j >= layers.0.len() {
            return;
        }
        layers.0.swap(i, j);
        self.layers.styles.swap(i, j);
        let fix = |k: usize| {
            if k == i {
                j
            } else if k == j {
                i
            } else {
                k
            }
        };
        self.choropleth.layer = self.choropleth.layer.map(fix);
        if let Some((ix, _)) = self.choropleth.built.as_mut() {
            *ix = fix(*ix);
        }
        self.tools.identified = self.tools.identified.map(|(l, f)| (fix(l), f));
    }

    /// Puts the layers in the order of `names` (bottom to top); layers not named keep
    /// their place after them.
    fn reorder_like(&mut self, names: &[String]) {
        let Some(layers) = self.layers.loaded.as_mut() else {
            return;
        };
        let key = |name: &str, k: usize| {
            names
                .iter()
                .position(|n| n == name)
                .unwrap_or(names.len() + k)
        };
        let mut order: Vec<usize> = (0..layers.0.len()).collect();
        order.sort_by_key(|&k| key(&layers.0[k].index.info.name, k));
        if order.iter().enumerate().all(|(a, b)| a == *b) {
            return;
        }
        layers.0 = order.iter().map(|&k| layers.0[k].clone()).collect();
        self.layers.styles = order
            .iter()
            .filter_map(|&k| self.layers.styles.get(k).cloned())
            .collect();
        self.choropleth.built = None;
        self.choropleth.layer = None;
        self.tools.identified = None;
    }

    /// Takes the worker's answers meant for the map; returns commands to send next, or
    /// gives the outcome back when it is not the map's.
    pub fn receive(&mut self, reply: MapReply) -> Result<Vec<Command>, MapReply> {
        match reply {
            MapReply::MapLayers(layers) => self.set_layers(layers),
            MapReply::AreaUptake(table) => self.set_rows(table),
            MapReply::Facilities(fl) => self.set_facilities(fl),
            MapReply::InsuredPoints { fy, points } => self.set_insured(fy, points),
            MapReply::SavedMaps(list) => self.saved.list = Some(list),
            MapReply::MapOpened { name, doc } => self.apply_document(&name, &doc),
            MapReply::LayerImported {
                result,
                needs_crs,
                guess,
                ..
            } => {
                if self.layers.import.answered(result, needs_crs, guess) {
                    return Ok(vec![Command::from(MapCmd::LoadMap)]);
                }
            }
            other => return Err(other),
        }
        Ok(vec![])
    }

    pub fn set_insured(&mut self, fy: i32, points: Arc<InsuredPoints>) {
        self.insured.points = Some((fy, points));
    }

    pub fn set_rows(&mut self, table: AreaTable) {
        self.choropleth.rows = Some(table);
        self.choropleth.built = None;
    }

    /// The figures wanted now: level, FY, filter, and whether suppressed ones are shown.
    pub(super) fn wanted(&self) -> (Level, i32, TargetFilter, bool) {
        (
            self.choropleth.level,
            self.choropleth.fy,
            self.choropleth.filter,
            self.choropleth.reveal && self.choropleth.may_reveal,
        )
    }

    pub(super) fn refresh_choropleth(&mut self) {
        let (Some(layers), Some(table)) = (&self.layers.loaded, &self.choropleth.rows) else {
            return;
        };
        if table.level != self.choropleth.level {
            return;
        }
        let before = self.choropleth.layer;
        if let Some((ix, ch)) = choropleth::apply_level(
            layers,
            &mut self.layers.styles,
            table.level,
            &choropleth::uptake_values(table, self.choropleth.spec.measure),
            &self.choropleth.spec,
            |ix| before != Some(ix),
        ) {
            self.choropleth.layer = Some(ix);
            self.choropleth.built = Some((ix, ch));
        }
    }
}
