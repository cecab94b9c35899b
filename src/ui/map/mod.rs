//! The map screen (地図): a layer panel and choropleth controls on the left, the map in the
//! middle. The map widget turns a core `map::scene::Scene` into egui shapes; panning,
//! wheel zoom around the cursor, double-click centring, +/−, a zoom list with scales and a
//! typed scale, a scale bar, a north arrow, the cursor in lon/lat and 平面直角 zone VI, and
//! identify on click. Data comes from the worker as commands' outcomes.
//!
//! The folder: [`state`] (the model, in parts), [`canvas`] (the map widget), [`paint`]
//! (scene → egui shapes), [`basemap`] (tiles on screen), `tools/` (identify; room for
//! measure, select and draw) and `panels/` (the side panels and the layer import window).

pub mod basemap;
mod canvas;
pub(crate) mod paint;
mod panels;
pub mod state;
pub mod tools;

use crate::app::MapCmd;
use eframe::egui;

use crate::app::Command;

pub use state::MapState;

/// Draws the map screen. Returns commands for the worker.
pub fn map_ui(ui: &mut egui::Ui, st: &mut MapState) -> Vec<Command> {
    let mut cmds = Vec::new();
    if st.layers.loaded.is_none() {
        if !st.layers.requested {
            st.layers.requested = true;
            cmds.push(Command::from(MapCmd::LoadMap));
        }
        ui.label("地図を準備しています…");
        return cmds;
    }
    let want = st.wanted();
    if st
        .choropleth
        .rows
        .as_ref()
        .map(|t| (t.level, t.fy, t.filter, t.reveal))
        != Some(want)
        && st.choropleth.rows_requested != Some(want)
    {
        st.choropleth.rows_requested = Some(want);
        cmds.push(Command::from(MapCmd::AreaUptake {
            level: want.0,
            fy: want.1,
            filter: want.2,
            reveal: want.3,
        }));
    }
    cmds.extend(panels::layer_import::layer_import_window(
        ui.ctx(),
        &mut st.layers.import,
    ));
    if !st.saved.requested {
        st.saved.requested = true;
        cmds.push(Command::from(MapCmd::ListMaps));
    }
    if st.facilities.requested != Some(st.choropleth.fy) {
        st.facilities.requested = Some(st.choropleth.fy);
        cmds.push(Command::from(MapCmd::Facilities {
            fy: st.choropleth.fy,
        }));
    }
    if st.insured.on
        && st.insured.points.as_ref().map(|i| i.0) != Some(st.choropleth.fy)
        && st.insured.requested != Some(st.choropleth.fy)
    {
        st.insured.requested = Some(st.choropleth.fy);
        cmds.push(Command::from(MapCmd::InsuredPoints {
            fy: st.choropleth.fy,
        }));
    }
    if st.choropleth.built.is_none() {
        st.refresh_choropleth();
    }
    egui::Panel::left("map_side")
        .resizable(true)
        .default_size(400.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                cmds.extend(panels::saved_maps::saved_maps_ui(ui, st));
                ui.separator();
                if panels::choropleth::choropleth_controls_ui(ui, st) {
                    st.choropleth.built = None;
                }
                ui.separator();
                panels::legend::legend_ui(ui, st);
                ui.separator();
                panels::layers::layers_panel_ui(ui, st);
                ui.separator();
                panels::layers::facilities_panel_ui(ui, st);
                ui.separator();
                panels::layers::insured_panel_ui(ui, st);
            });
        });
    egui::CentralPanel::default().show(ui, |ui| {
        ui.horizontal(|ui| {
            cmds.extend(tools::jump::jump_ui(ui, st));
        });
        cmds.extend(tools::spatial::toolbar_ui(ui, st));
        cmds.extend(canvas::canvas_ui(ui, st));
    });
    tools::spatial::results_window(ui.ctx(), st);
    if st.tools.identified.is_some() {
        let mut open = true;
        egui::Window::new("属性")
            .id(egui::Id::unique("identify_window"))
            .open(&mut open)
            .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-70.0, 90.0))
            .default_width(320.0)
            .resizable(false)
            .show(ui.ctx(), |ui| tools::identify::identify_ui(ui, st));
        if !open {
            st.tools.identified = None;
        }
    }
    cmds
}

impl super::AtlasApp {
    /// The map domain's answers: the map takes its own; the 集計 table is the home
    /// screen's.
    pub(super) fn on_map(&mut self, reply: crate::app::MapReply) -> Vec<Command> {
        use crate::app::MapReply;
        match self.map.receive(reply) {
            Ok(follow_up) => follow_up,
            Err(MapReply::Uptake(t)) => {
                self.home.set_uptake(t);
                Vec::new()
            }
            // Answers for the command line (layer list, tiles, images).
            Err(_) => Vec::new(),
        }
    }
}

/// The map's share of the search domain's answers (spatial search, nearest, 場所移動);
/// the others are given back.
pub fn receive_search(
    st: &mut MapState,
    reply: crate::app::domain::search::SearchReply,
) -> Result<(), crate::app::domain::search::SearchReply> {
    tools::spatial::receive(st, reply).or_else(|r| tools::jump::receive(st, r))
}
