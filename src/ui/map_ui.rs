//! The map screen (地図): a layer panel and choropleth controls on the left, the map in the
//! middle. The map widget turns a core `map::scene::Scene` into egui shapes; panning,
//! wheel zoom around the cursor, double-click centring, +/−, a zoom list with scales and a
//! typed scale, a scale bar, a north arrow, the cursor in lon/lat and 平面直角 zone VI, and
//! identify on click. Data comes from the worker as commands' outcomes.

use eframe::egui::{self, Color32, Pos2, Rect, Sense, Shape, Stroke, Vec2};

use crate::analysis::breaks::Method;
use crate::analysis::figures::AreaTable;
use crate::analysis::suppression;
use crate::analysis::uptake::{Level, TargetFilter};
use crate::app::{Command, Outcome};
use crate::geo::crs::{Crs, Datum};
use crate::geo::mercator::{self, MAX_ZOOM, MIN_ZOOM};
use crate::map::choropleth::{self, Choropleth, ChoroplethSpec, Measure};
use crate::map::document::{LayerState, MapDocument, SavedMap};
use crate::map::facilities::{self, FacilityFilter, FacilityLayer};
use crate::map::insured::{InsuredPoints, POINTS_FROM_ZOOM, PointColoring};
use crate::map::ramps::Ramp;
use crate::map::scene::{self, Fill, LayerStyle};
use crate::map::view::NARA_BBOX;
use crate::map::{MapLayers, View};
use std::sync::Arc;

pub struct MapState {
    pub layers: Option<MapLayers>,
    pub styles: Vec<LayerStyle>,
    pub view: Option<View>,
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
    pub choropleth: Option<(usize, Choropleth)>,
    /// Draw the legend on the map too (as exports do).
    pub legend_on_map: bool,
    /// The layer the choropleth last coloured.
    choropleth_layer: Option<usize>,
    pub cursor: Option<(f64, f64)>,
    pub identified: Option<(usize, usize)>,
    pub scale_text: String,
    pub requested: bool,
    /// The map's top-left corner on screen, last frame (for tests and overlays).
    pub map_origin: (f32, f32),
    rows_requested: Option<(Level, i32, TargetFilter, bool)>,
    textures: Option<super::map_paint::MapTextures>,
    pub basemap: super::basemap_ui::BasemapState,
    /// The institutions layer (its index in `layers` is found by name).
    pub facilities: Option<Arc<FacilityLayer>>,
    pub facility_filter: FacilityFilter,
    /// Institution codes hidden by clicking.
    pub facility_clicked: Vec<String>,
    /// The FY the facilities were asked for (`None`: ask again).
    facilities_requested: Option<i32>,
    /// The insured as points (personal data): off until the user turns it on.
    pub insured_on: bool,
    pub insured: Option<(i32, Arc<InsuredPoints>)>,
    insured_requested: Option<i32>,
    pub insured_coloring: PointColoring,
    /// Single persons are drawn from this zoom; below it only cells of 32 points.
    pub insured_from_zoom: u8,
    /// Saved maps (`None` until listed), the name typed for saving, the map last opened.
    pub saved: Option<Vec<SavedMap>>,
    pub save_name: String,
    saved_requested: bool,
    /// Layer looks of an opened map, applied when the layers are there.
    pending_layers: Vec<LayerState>,
    pub layer_import: super::layer_import_ui::LayerImportState,
}

impl Default for MapState {
    fn default() -> Self {
        MapState::with_basemap(Default::default())
    }
}

impl MapState {
    /// A fresh map screen over an existing basemap state (its tile cache kept).
    pub fn with_basemap(basemap: super::basemap_ui::BasemapState) -> MapState {
        MapState {
            layers: None,
            styles: vec![],
            view: None,
            level: Level::Municipality,
            fy: 2021,
            fiscal_years: None,
            filter: TargetFilter::default(),
            spec: ChoroplethSpec::default(),
            rows: None,
            may_reveal: false,
            reveal: false,
            choropleth: None,
            legend_on_map: true,
            choropleth_layer: None,
            cursor: None,
            identified: None,
            scale_text: String::new(),
            requested: false,
            map_origin: (0.0, 0.0),
            rows_requested: None,
            textures: None,
            basemap,
            facilities: None,
            facility_filter: FacilityFilter::default(),
            facility_clicked: vec![],
            facilities_requested: None,
            insured_on: false,
            insured: None,
            insured_requested: None,
            insured_coloring: PointColoring::default(),
            insured_from_zoom: POINTS_FROM_ZOOM,
            saved: None,
            save_name: String::new(),
            saved_requested: false,
            pending_layers: vec![],
            layer_import: Default::default(),
        }
    }
}

impl MapState {
    /// New or reloaded layers: layers already shown keep their visibility and opacity.
    pub fn set_layers(&mut self, layers: MapLayers) {
        if self.layers.is_some() {
            let kept = self.to_document().layers;
            self.pending_layers.extend(kept);
        }
        self.styles = crate::map::style::default_styles(&layers);
        self.layers = Some(layers);
        self.choropleth = None;
        self.choropleth_layer = None;
        self.identified = None;
        // The facility layer is not stored: it is added again when it arrives.
        self.facilities = None;
        self.facilities_requested = None;
        self.apply_pending_layers();
    }

    /// The fiscal years the checkups have. The first time, a chosen year that the data
    /// does not have moves to the latest one.
    pub fn set_fiscal_years(&mut self, years: Vec<i32>) {
        if self.fiscal_years.is_none() {
            super::home_ui::adopt_latest_year(&mut self.fy, &years);
        }
        self.fiscal_years = Some(years);
    }

    /// New data was imported: uptake, facilities and insured points are asked for again
    /// (what is drawn stays until the new data arrives).
    pub fn data_changed(&mut self) {
        self.rows = None;
        self.rows_requested = None;
        self.facilities_requested = None;
        self.insured_requested = None;
        self.insured = None;
    }

    /// The admin changed the suppression threshold: the figures are asked for again.
    pub fn figures_changed(&mut self) {
        self.rows = None;
        self.rows_requested = None;
    }

    /// The institutions arrived: added (or replaced) on top of the layers, keeping the
    /// user's visibility, opacity, conditions and clicked-hidden facilities.
    pub fn set_facilities(&mut self, fl: Arc<FacilityLayer>) {
        let Some(layers) = self.layers.as_mut() else {
            return;
        };
        let ix = layers.upsert(fl.layer.clone());
        if ix >= self.styles.len() {
            self.styles.push(LayerStyle {
                min_zoom: facilities::DEFAULT_MIN_ZOOM,
                ..Default::default()
            });
        }
        self.facilities = Some(fl);
        self.apply_pending_layers();
        self.refresh_facility_style();
    }

    /// Re-applies the facility symbols and hiding after a condition or a click changed.
    pub fn refresh_facility_style(&mut self) {
        let (Some(fl), Some(layers)) = (&self.facilities, &self.layers) else {
            return;
        };
        if let Some((ix, _)) = layers.find(facilities::LAYER_NAME)
            && let Some(style) = self.styles.get_mut(ix)
        {
            fl.apply(style, &self.facility_filter, &self.facility_clicked);
        }
    }

    /// Everything needed to open this map again.
    pub fn to_document(&self) -> MapDocument {
        let layers = self
            .layers
            .iter()
            .flat_map(|l| l.0.iter())
            .zip(&self.styles)
            .map(|(l, s)| LayerState {
                name: l.index.info.name.clone(),
                visible: s.visible,
                opacity: s.opacity,
                min_zoom: s.min_zoom,
            })
            .collect();
        MapDocument {
            level: self.level,
            fy: self.fy,
            filter: self.filter,
            spec: self.spec.clone(),
            legend_on_map: self.legend_on_map,
            layers,
            view: self.view.map(|v| {
                let (lon, lat) = mercator::world_to_lonlat(v.center.0, v.center.1);
                (lon, lat, v.zoom)
            }),
            basemap: self
                .basemap
                .selected
                .and_then(|i| self.basemap.list.get(i))
                .map(|b| b.name.clone()),
            facility_filter: self.facility_filter.clone(),
            facility_hidden: self.facility_clicked.clone(),
            insured_on: self.insured_on,
            insured_coloring: self.insured_coloring,
            insured_from_zoom: self.insured_from_zoom,
        }
    }

    /// Opens a saved map: its settings replace the current ones; layers are matched by
    /// name (a layer deleted since is skipped).
    pub fn apply_document(&mut self, name: &str, doc: &MapDocument) {
        self.level = doc.level;
        self.fy = doc.fy;
        self.filter = doc.filter;
        self.spec = doc.spec.clone();
        self.legend_on_map = doc.legend_on_map;
        self.facility_filter = doc.facility_filter.clone();
        self.facility_clicked = doc.facility_hidden.clone();
        self.insured_on = doc.insured_on;
        self.insured_coloring = doc.insured_coloring;
        self.insured_from_zoom = doc.insured_from_zoom;
        self.basemap.selected = doc
            .basemap
            .as_ref()
            .and_then(|n| self.basemap.list.iter().position(|b| &b.name == n));
        if let (Some((lon, lat, zoom)), Some(view)) = (doc.view, self.view.as_mut()) {
            view.center = mercator::lonlat_to_world(lon, lat);
            view.set_zoom(zoom);
        }
        let names: Vec<String> = doc.layers.iter().map(|l| l.name.clone()).collect();
        self.reorder_like(&names);
        self.pending_layers = doc.layers.clone();
        self.apply_pending_layers();
        self.save_name = name.to_string();
        self.choropleth = None;
        self.refresh_facility_style();
    }

    fn apply_pending_layers(&mut self) {
        let Some(layers) = &self.layers else { return };
        self.pending_layers
            .retain(|ls| match layers.find(&ls.name) {
                Some((i, _)) => {
                    if let Some(s) = self.styles.get_mut(i) {
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
        let Some(layers) = self.layers.as_mut() else {
            return;
        };
        let j = if up { i + 1 } else { i.wrapping_sub(1) };
        if i >= layers.0.len() || j >= layers.0.len() {
            return;
        }
        layers.0.swap(i, j);
        self.styles.swap(i, j);
        let fix = |k: usize| {
            if k == i {
                j
            } else if k == j {
                i
            } else {
                k
            }
        };
        self.choropleth_layer = self.choropleth_layer.map(fix);
        if let Some((ix, _)) = self.choropleth.as_mut() {
            *ix = fix(*ix);
        }
        self.identified = self.identified.map(|(l, f)| (fix(l), f));
    }

    /// Puts the layers in the order of `names` (bottom to top); layers not named keep
    /// their place after them.
    fn reorder_like(&mut self, names: &[String]) {
        let Some(layers) = self.layers.as_mut() else {
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
        self.styles = order
            .iter()
            .filter_map(|&k| self.styles.get(k).cloned())
            .collect();
        self.choropleth = None;
        self.choropleth_layer = None;
        self.identified = None;
    }

    /// Takes the worker's answers meant for the map; returns commands to send next, or
    /// gives the outcome back when it is not the map's.
    pub fn receive(&mut self, outcome: Outcome) -> Result<Vec<Command>, Outcome> {
        match outcome {
            Outcome::MapLayers(layers) => self.set_layers(layers),
            Outcome::AreaUptake(table) => self.set_rows(table),
            Outcome::Facilities(fl) => self.set_facilities(fl),
            Outcome::InsuredPoints { fy, points } => self.set_insured(fy, points),
            Outcome::SavedMaps(list) => self.saved = Some(list),
            Outcome::MapOpened { name, doc } => self.apply_document(&name, &doc),
            Outcome::LayerImported {
                result,
                needs_crs,
                guess,
                ..
            } => {
                if self.layer_import.answered(result, needs_crs, guess) {
                    return Ok(vec![Command::LoadMap]);
                }
            }
            other => return Err(other),
        }
        Ok(vec![])
    }

    pub fn set_insured(&mut self, fy: i32, points: Arc<InsuredPoints>) {
        self.insured = Some((fy, points));
    }

    pub fn set_rows(&mut self, table: AreaTable) {
        self.rows = Some(table);
        self.choropleth = None;
    }

    /// The figures wanted now: level, FY, filter, and whether suppressed ones are shown.
    fn wanted(&self) -> (Level, i32, TargetFilter, bool) {
        (
            self.level,
            self.fy,
            self.filter,
            self.reveal && self.may_reveal,
        )
    }

    fn area_layer(&self) -> (&'static str, &'static str) {
        choropleth::level_layer(self.level)
    }

    /// Recomputes the choropleth from the rows and puts its colours and hatching into
    /// the area layer's style (the UI thread does this only when the settings or the rows
    /// change, never per frame). A newly chosen area layer is switched on.
    fn refresh_choropleth(&mut self) {
        let (Some(layers), Some(table)) = (&self.layers, &self.rows) else {
            return;
        };
        if table.level != self.level {
            return;
        }
        let rows = &table.rows;
        let (name, code_field) = self.area_layer();
        let Some((ix, layer)) = layers.find(name) else {
            return;
        };
        let Some(codes) = layer.index.column_text(code_field) else {
            return;
        };
        let ch = choropleth::build(rows, &codes, &self.spec);
        for s in &mut self.styles {
            s.fill = Fill::None;
            s.hatched.clear();
        }
        if let Some(s) = self.styles.get_mut(ix) {
            if self.choropleth_layer != Some(ix) {
                s.visible = true;
            }
            ch.apply(s);
        }
        self.choropleth_layer = Some(ix);
        self.choropleth = Some((ix, ch));
    }
}

/// Draws the map screen. Returns commands for the worker.
pub fn map_ui(ui: &mut egui::Ui, st: &mut MapState) -> Vec<Command> {
    let mut cmds = Vec::new();
    if st.layers.is_none() {
        if !st.requested {
            st.requested = true;
            cmds.push(Command::LoadMap);
        }
        ui.label("地図を準備しています…");
        return cmds;
    }
    let want = st.wanted();
    if st
        .rows
        .as_ref()
        .map(|t| (t.level, t.fy, t.filter, t.reveal))
        != Some(want)
        && st.rows_requested != Some(want)
    {
        st.rows_requested = Some(want);
        cmds.push(Command::AreaUptake {
            level: want.0,
            fy: want.1,
            filter: want.2,
            reveal: want.3,
        });
    }
    cmds.extend(super::layer_import_ui::layer_import_window(
        ui.ctx(),
        &mut st.layer_import,
    ));
    if !st.saved_requested {
        st.saved_requested = true;
        cmds.push(Command::ListMaps);
    }
    if st.facilities_requested != Some(st.fy) {
        st.facilities_requested = Some(st.fy);
        cmds.push(Command::Facilities { fy: st.fy });
    }
    if st.insured_on
        && st.insured.as_ref().map(|i| i.0) != Some(st.fy)
        && st.insured_requested != Some(st.fy)
    {
        st.insured_requested = Some(st.fy);
        cmds.push(Command::InsuredPoints { fy: st.fy });
    }
    if st.choropleth.is_none() {
        st.refresh_choropleth();
    }
    egui::Panel::left("map_side")
        .resizable(true)
        .default_size(400.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                cmds.extend(super::saved_maps_ui::saved_maps_ui(ui, st));
                ui.separator();
                if choropleth_controls_ui(ui, st) {
                    st.choropleth = None;
                }
                ui.separator();
                super::legend_ui::legend_ui(ui, st);
                ui.separator();
                super::map_layers_ui::layers_panel_ui(ui, st);
                ui.separator();
                super::map_layers_ui::facilities_panel_ui(ui, st);
                ui.separator();
                super::map_layers_ui::insured_panel_ui(ui, st);
            });
        });
    egui::CentralPanel::default().show(ui, |ui| map_view_ui(ui, st));
    if st.identified.is_some() {
        let mut open = true;
        egui::Window::new("属性")
            .id(egui::Id::unique("identify_window"))
            .open(&mut open)
            .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-70.0, 90.0))
            .default_width(320.0)
            .resizable(false)
            .show(ui.ctx(), |ui| identify_ui(ui, st));
        if !open {
            st.identified = None;
        }
    }
    cmds
}

/// Level, FY, sex, age band, measure, classes. Returns true when the choropleth changed.
/// One labelled row of a grid: `current` picked from a list of (value, text).
pub(crate) fn choice_row<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    label: &str,
    id: &str,
    current: &mut T,
    options: impl IntoIterator<Item = (T, String)>,
) {
    let options: Vec<(T, String)> = options.into_iter().collect();
    let lbl = ui.label(label);
    let text = options
        .iter()
        .find(|o| o.0 == *current)
        .map(|o| o.1.clone())
        .unwrap_or_default();
    egui::ComboBox::from_id_salt(id)
        .selected_text(text)
        .show_ui(ui, |ui| {
            for (v, t) in options {
                ui.selectable_value(current, v, t);
            }
        })
        .response
        .labelled_by(lbl.id);
    ui.end_row();
}

fn choropleth_controls_ui(ui: &mut egui::Ui, st: &mut MapState) -> bool {
    let before = (st.level, st.spec.clone());
    let years = super::home_ui::fy_choices(st.fiscal_years.as_deref().unwrap_or_default(), st.fy);
    ui.heading("受診率の塗り分け");
    egui::Grid::new("choro_grid").num_columns(2).show(ui, |ui| {
        choice_row(
            ui,
            "地域",
            "level",
            &mut st.level,
            Level::ALL.map(|l| (l, l.label().to_string())),
        );
        choice_row(
            ui,
            "年度",
            "fy",
            &mut st.fy,
            years.into_iter().map(|fy| (fy, format!("{fy}年度"))),
        );
        choice_row(
            ui,
            "性別",
            "sex",
            &mut st.filter.sex,
            [None, Some(1), Some(2)].map(|s| (s, TargetFilter::sex_label(s).to_string())),
        );
        choice_row(
            ui,
            "年齢階層",
            "age",
            &mut st.filter.age_band,
            std::iter::once(None)
                .chain(TargetFilter::AGE_BANDS.map(Some))
                .map(|a| (a, TargetFilter::age_label(a))),
        );
        choice_row(
            ui,
            "指標",
            "measure",
            &mut st.spec.measure,
            Measure::ALL.map(|m| (m, m.label().to_string())),
        );
        choice_row(
            ui,
            "分類方法",
            "method",
            &mut st.spec.method,
            Method::ALL.map(|m| (m, m.label().to_string())),
        );
        let lbl = ui.label("階級数");
        ui.add(egui::Slider::new(&mut st.spec.classes, 2..=9))
            .labelled_by(lbl.id);
        ui.end_row();
        choice_row(
            ui,
            "配色",
            "ramp",
            &mut st.spec.ramp,
            Ramp::ALL.map(|r| (r, r.label().to_string())),
        );
        ui.label("");
        ui.checkbox(&mut st.spec.reversed, "配色を反転");
        ui.end_row();
        ui.label("非表示の基準");
        ui.label(match &st.rows {
            Some(t) => format!("対象者 {} 人未満（管理者設定）", t.threshold),
            None => "管理者設定".to_string(),
        });
        ui.end_row();
    });
    if st.may_reveal {
        ui.checkbox(
            &mut st.reveal,
            "非表示の地域も数値を表示（個人情報の閲覧、利用ログに記録）",
        );
    }
    if st.spec.method == Method::Manual {
        ui.label("境界値（カンマ区切り、受診率は 0.35 のように）");
        let mut text = st
            .spec
            .manual
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(",");
        if ui
            .add(egui::TextEdit::singleline(&mut text).hint_text("0.3,0.35,0.4"))
            .on_hover_text("境界値")
            .changed()
        {
            st.spec.manual = text
                .split([',', '、'])
                .filter_map(|t| t.trim().parse().ok())
                .collect();
        }
    }
    before != (st.level, st.spec.clone())
}

fn identify_ui(ui: &mut egui::Ui, st: &mut MapState) {
    let (Some(layers), Some((li, fi))) = (&st.layers, st.identified) else {
        return;
    };
    let Some(layer) = layers.0.get(li) else {
        return;
    };
    let Some(feature) = layer.index.features.get(fi) else {
        return;
    };
    ui.strong(format!("{} の属性", layer.index.info.name));
    egui::Grid::new("identify").striped(true).show(ui, |ui| {
        for (f, v) in layer.index.info.fields.iter().zip(&feature.attrs) {
            ui.label(&f.name);
            ui.label(v.display());
            ui.end_row();
        }
        if let Some((ix, ch)) = &st.choropleth
            && *ix == li
            && let Some(row) = &ch.rows[fi]
        {
            // A suppressed area has no figures here: the engine did not send them.
            match (row.targets, row.attendees, row.rate) {
                (Some(t), Some(a), Some(rate)) => {
                    ui.label("対象者");
                    ui.label(t.to_string());
                    ui.end_row();
                    ui.label("受診者");
                    ui.label(a.to_string());
                    ui.end_row();
                    ui.label("受診率");
                    ui.label(format!("{:.1}%", rate * 100.0));
                    ui.end_row();
                    if row.revealed {
                        ui.label("");
                        ui.label(suppression::REVEALED_LABEL);
                        ui.end_row();
                    }
                }
                _ => {
                    ui.label("受診率");
                    ui.label(choropleth::SUPPRESSED_LABEL);
                    ui.end_row();
                }
            }
        }
    });
    if layer.index.info.name == facilities::LAYER_NAME
        && let Some(code) = feature.attrs.first().map(|a| a.display())
        && ui.button("この機関を非表示にする").clicked()
    {
        st.facility_clicked.push(code);
        st.identified = None;
        st.refresh_facility_style();
    }
}

fn map_view_ui(ui: &mut egui::Ui, st: &mut MapState) {
    ui.horizontal(|ui| {
        // The view is made below, once the map's size is known (the first frame).
        let Some(view) = st.view.as_mut() else { return };
        if ui.button("＋").on_hover_text("拡大").clicked() {
            view.set_zoom(view.zoom + 1);
        }
        if ui.button("－").on_hover_text("縮小").clicked() {
            view.set_zoom(view.zoom.saturating_sub(1));
        }
        let (_, lat) = mercator::world_to_lonlat(view.center.0, view.center.1);
        let lbl = ui.label("ズーム");
        egui::ComboBox::from_id_salt("zoom")
            .selected_text(format!(
                "ズーム {}（1:{}）",
                view.zoom,
                group(mercator::scale_denominator(view.zoom as f64, lat))
            ))
            .show_ui(ui, |ui| {
                for z in MIN_ZOOM..=MAX_ZOOM {
                    let mut zz = view.zoom;
                    if ui
                        .selectable_value(
                            &mut zz,
                            z,
                            format!(
                                "ズーム {z}（1:{}）",
                                group(mercator::scale_denominator(z as f64, lat))
                            ),
                        )
                        .clicked()
                    {
                        view.set_zoom(z);
                    }
                }
            })
            .response
            .labelled_by(lbl.id);
        ui.label("縮尺 1:");
        let resp = ui.add(
            egui::TextEdit::singleline(&mut st.scale_text)
                .desired_width(80.0)
                .hint_text("25000"),
        );
        if resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            if let Ok(d) = st.scale_text.replace(',', "").trim().parse::<f64>() {
                view.set_zoom(mercator::zoom_for_scale(d, lat));
            }
            st.scale_text.clear();
        }
        if ui.button("奈良県全体").clicked() {
            *view = View::fit(NARA_BBOX, view.size);
        }
    });
    let (rect, resp) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
    st.map_origin = (rect.min.x, rect.min.y);
    // The first frame opens on the whole prefecture, fitted to the real map size.
    let view = st
        .view
        .get_or_insert_with(|| View::fit(NARA_BBOX, (rect.width(), rect.height())));
    view.size = (rect.width(), rect.height());
    let local = |p: Pos2| [p.x - rect.min.x, p.y - rect.min.y];
    if resp.dragged() {
        let d = resp.drag_delta();
        view.pan(d.x, d.y);
    }
    if resp.double_clicked()
        && let Some(p) = resp.interact_pointer_pos()
    {
        view.center_on(local(p));
    }
    if resp.hovered() {
        // Whole wheel notches (not smoothed): one zoom level per notch direction.
        let scroll: f32 = ui.input(|i| {
            i.raw
                .events
                .iter()
                .map(|e| {
                    if let egui::Event::MouseWheel { delta, .. } = e {
                        delta.y
                    } else {
                        0.0
                    }
                })
                .sum()
        });
        if scroll.abs() > 0.5
            && let Some(p) = resp.hover_pos()
        {
            view.zoom_at(local(p), if scroll > 0.0 { 1 } else { -1 });
        }
    }
    st.cursor = resp.hover_pos().map(|p| view.screen_to_lonlat(local(p)));
    let view = *view;
    if resp.clicked()
        && let (Some(p), Some(layers)) = (resp.interact_pointer_pos(), &st.layers)
    {
        let (lon, lat) = view.screen_to_lonlat(local(p));
        let tol = view.meters_per_point() * 6.0 / 111_000.0;
        st.identified = (0..layers.0.len())
            .rev()
            .filter(|&i| st.styles.get(i).is_some_and(|s| s.visible))
            .find_map(|i| {
                let hidden = &st.styles[i].hidden;
                layers.0[i]
                    .index
                    .hit_where(lon, lat, tol, |f| !hidden.get(f).copied().unwrap_or(false))
                    .map(|f| (i, f))
            });
    }
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, Color32::from_rgb(242, 239, 233));
    let Some(layers) = &st.layers else { return };
    super::basemap_ui::paint_basemap(ui, &painter, rect, &view, &mut st.basemap, layers);
    let pairs: Vec<_> = layers
        .0
        .iter()
        .zip(&st.styles)
        .map(|(l, s)| (l.as_ref(), s))
        .collect();
    let scene = scene::build(&view, &pairs);
    if st.textures.is_none() {
        st.textures = Some(super::map_paint::MapTextures::new(ui.ctx()));
    }
    let Some(tex) = st.textures.as_ref() else {
        return;
    };
    // The insured go under the institutions (so that a clinic stays clickable), over
    // everything else.
    let people_at = layers
        .find(facilities::LAYER_NAME)
        .map_or(scene.layers.len(), |(i, _)| i);
    for (i, ls) in scene.layers.iter().enumerate() {
        if i == people_at {
            paint_insured(&painter, rect.min, st, &view, tex);
        }
        painter.extend(super::map_paint::layer_shapes(rect.min, ls, tex));
    }
    if people_at == scene.layers.len() {
        paint_insured(&painter, rect.min, st, &view, tex);
    }
    super::map_paint::paint_labels(&painter, rect.min, &scene.labels);
    painter.text(
        rect.center_bottom() + Vec2::new(0.0, -4.0),
        egui::Align2::CENTER_BOTTOM,
        crate::render::CREDITS,
        egui::FontId::proportional(10.0),
        Color32::from_rgb(70, 70, 70),
    );
    scale_bar(&painter, rect, &view);
    north_arrow(&painter, rect);
    cursor_readout(&painter, rect, st.cursor);
    if st.legend_on_map
        && let Some((_, ch)) = &st.choropleth
    {
        let title = st
            .rows
            .as_ref()
            .map(|t| {
                format!(
                    "{}年度 {}（{}）",
                    t.fy,
                    st.spec.measure.label(),
                    t.filter.label()
                )
            })
            .unwrap_or_default();
        let threshold = st
            .rows
            .as_ref()
            .map_or(suppression::DEFAULT_THRESHOLD, |t| t.threshold);
        super::map_paint::paint_legend(&painter, rect, &title, &ch.legend_entries(threshold));
    }
    if let Some((li, fi)) = st.identified
        && let Some(layer) = layers.0.get(li)
    {
        let sh = layer.shapes(fi, view.zoom);
        for line in &sh.lines {
            let pts: Vec<Pos2> = line
                .iter()
                .map(|p| {
                    let s = view.world_to_screen(p[0], p[1]);
                    rect.min + Vec2::new(s[0], s[1])
                })
                .collect();
            painter.add(Shape::line(
                pts,
                Stroke::new(3.0, Color32::from_rgb(0, 200, 255)),
            ));
        }
    }
}

fn group(v: f64) -> String {
    choropleth::group_digits(v.round() as i64)
}

fn paint_insured(
    painter: &egui::Painter,
    origin: Pos2,
    st: &MapState,
    view: &View,
    tex: &super::map_paint::MapTextures,
) {
    if st.insured_on
        && let Some((_, points)) = &st.insured
    {
        let people = points.markers(view, st.insured_from_zoom, st.insured_coloring);
        painter.add(super::map_paint::markers_shape(origin, &people, tex));
    }
}

/// The cursor in lon/lat and 平面直角 zone VI, top left of the map (drawn on the map so
/// that its changing width never moves the toolbar or resizes the map).
fn cursor_readout(painter: &egui::Painter, rect: Rect, cursor: Option<(f64, f64)>) {
    let Some((lon, lat)) = cursor else { return };
    let zone6 = Crs::PlaneRect {
        zone: 6,
        datum: Datum::Jgd2011,
    };
    let plane = zone6
        .from_lonlat(lon, lat)
        .map(|(e, n)| format!("  平面直角VI系 X={n:.1} Y={e:.1}"))
        .unwrap_or_default();
    let galley = painter.layout_no_wrap(
        format!("経度 {lon:.5} 緯度 {lat:.5}{plane}"),
        egui::FontId::proportional(12.0),
        Color32::BLACK,
    );
    let pos = rect.min + Vec2::new(8.0, 8.0);
    painter.rect_filled(
        Rect::from_min_size(pos - Vec2::splat(3.0), galley.size() + Vec2::splat(6.0)),
        3.0,
        Color32::from_white_alpha(215),
    );
    painter.galley(pos, galley, Color32::BLACK);
}

/// A scale bar of a round length (1, 2, 5 × 10ⁿ m) about 120 points long.
fn scale_bar(painter: &egui::Painter, rect: Rect, view: &View) {
    let mpp = view.meters_per_point();
    let target = mpp * 120.0;
    let mag = 10f64.powf(target.log10().floor());
    let len_m = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .rfind(|l| *l <= target)
        .unwrap_or(mag);
    let px = (len_m / mpp) as f32;
    let y = rect.max.y - 24.0;
    let x0 = rect.min.x + 20.0;
    painter.rect_filled(
        Rect::from_min_max(
            Pos2::new(x0 - 6.0, y - 18.0),
            Pos2::new(x0 + px + 6.0, y + 8.0),
        ),
        3.0,
        Color32::from_white_alpha(210),
    );
    painter.line_segment(
        [Pos2::new(x0, y), Pos2::new(x0 + px, y)],
        Stroke::new(3.0, Color32::BLACK),
    );
    for x in [x0, x0 + px] {
        painter.line_segment(
            [Pos2::new(x, y - 6.0), Pos2::new(x, y + 4.0)],
            Stroke::new(2.0, Color32::BLACK),
        );
    }
    let label = if len_m >= 1000.0 {
        format!("{} km", len_m / 1000.0)
    } else {
        format!("{len_m} m")
    };
    painter.text(
        Pos2::new(x0 + px / 2.0, y - 10.0),
        egui::Align2::CENTER_CENTER,
        label,
        egui::FontId::proportional(12.0),
        Color32::BLACK,
    );
}

fn north_arrow(painter: &egui::Painter, rect: Rect) {
    let c = Pos2::new(rect.max.x - 36.0, rect.min.y + 46.0);
    painter.add(Shape::convex_polygon(
        vec![
            c + Vec2::new(0.0, -24.0),
            c + Vec2::new(10.0, 12.0),
            c + Vec2::new(0.0, 5.0),
        ],
        Color32::BLACK,
        Stroke::NONE,
    ));
    painter.add(Shape::convex_polygon(
        vec![
            c + Vec2::new(0.0, -24.0),
            c + Vec2::new(0.0, 5.0),
            c + Vec2::new(-10.0, 12.0),
        ],
        Color32::WHITE,
        Stroke::new(1.0, Color32::BLACK),
    ));
    painter.text(
        c + Vec2::new(0.0, -34.0),
        egui::Align2::CENTER_CENTER,
        "N",
        egui::FontId::proportional(14.0),
        Color32::BLACK,
    );
}
