//! The basemap on screen: the list of tile sets in `maps/` (plus なし), and the tiles of
//! the view, decoded by the tile thread and kept as textures. Missing tiles are drawn from
//! a lower zoom's tile, scaled, until they arrive.

use std::collections::{HashMap, HashSet};

use eframe::egui::{self, Color32, Rect, Vec2, pos2};

use crate::basemap::loader::TileLoader;
use crate::basemap::{self, BasemapInfo};
use crate::map::MapLayers;
use crate::map::view::View;

type Key = (u8, u32, u32);

pub struct BasemapState {
    pub list: Vec<BasemapInfo>,
    /// Index into `list`; `None` = なし.
    pub selected: Option<usize>,
    opened: Option<Option<usize>>,
    loader: Option<TileLoader>,
    textures: HashMap<Key, Option<egui::TextureHandle>>,
    pending: HashSet<Key>,
}

impl BasemapState {
    /// Takes this state out, leaving an empty one behind (no folder is read).
    pub fn take(&mut self) -> BasemapState {
        std::mem::replace(self, Self::with_list(Vec::new()))
    }
}

impl Default for BasemapState {
    fn default() -> Self {
        Self::in_dir(&basemap::default_maps_dir())
    }
}

impl BasemapState {
    /// The basemaps of `maps_dir` (tests use a temporary one), 標準 selected.
    pub fn in_dir(maps_dir: &std::path::Path) -> Self {
        Self::with_list(basemap::list(maps_dir))
    }

    /// A state over an already read list (no folder is read).
    fn with_list(list: Vec<BasemapInfo>) -> Self {
        BasemapState {
            selected: (!list.is_empty()).then_some(0),
            list,
            opened: None,
            loader: None,
            textures: HashMap::new(),
            pending: HashSet::new(),
        }
    }
}

/// The basemap choice, for the layer panel.
pub fn basemap_picker_ui(ui: &mut egui::Ui, st: &mut BasemapState) {
    let name = |i: Option<usize>, list: &[BasemapInfo]| {
        i.and_then(|i| list.get(i)).map_or("なし".to_string(), |b| {
            format!("{}（{}）", b.name, b.kind.label())
        })
    };
    egui::ComboBox::from_label("背景地図")
        .selected_text(name(st.selected, &st.list))
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut st.selected, None, "なし");
            for i in 0..st.list.len() {
                ui.selectable_value(&mut st.selected, Some(i), name(Some(i), &st.list));
            }
        });
}

/// Paints the basemap under the layers.
pub fn paint_basemap(
    ui: &egui::Ui,
    painter: &egui::Painter,
    rect: Rect,
    view: &View,
    st: &mut BasemapState,
    layers: &MapLayers,
) {
    let ctx = ui.ctx().clone();
    let loader = st.loader.get_or_insert_with(|| {
        let repaint = ctx.clone();
        TileLoader::start(move || repaint.request_repaint())
    });
    if st.opened != Some(st.selected) {
        st.opened = Some(st.selected);
        st.textures.clear();
        st.pending.clear();
        loader.open(
            st.selected.and_then(|i| st.list.get(i)).cloned(),
            Some(layers.clone()),
        );
    }
    let generation = loader.generation();
    for t in loader.poll() {
        if t.generation != generation {
            continue;
        }
        st.pending.remove(&t.key);
        let tex = t.image.map(|(w, h, rgba)| {
            let img = egui::ColorImage::from_rgba_unmultiplied([w as usize, h as usize], &rgba);
            ctx.load_texture(
                format!("tile{:?}", t.key),
                img,
                egui::TextureOptions::LINEAR,
            )
        });
        st.textures.insert(t.key, tex);
    }
    if st.selected.is_none() {
        return;
    }
    let z = view.zoom;
    // A tile's size on screen (the view may be magnified).
    let ts = 256.0 * view.magnify;
    let scale = view.scale();
    let (left, top) = (
        view.center.0 * scale - view.size.0 as f64 / 2.0,
        view.center.1 * scale - view.size.1 as f64 / 2.0,
    );
    let n = 1u32 << z;
    let tx0 = (left / ts).floor().max(0.0) as u32;
    let ty0 = (top / ts).floor().max(0.0) as u32;
    let tx1 = (((left + view.size.0 as f64) / ts).floor().max(0.0) as u32).min(n - 1);
    let ty1 = (((top + view.size.1 as f64) / ts).floor().max(0.0) as u32).min(n - 1);
    let mut visible = HashSet::new();
    for tx in tx0..=tx1 {
        for ty in ty0..=ty1 {
            let key = (z, tx, ty);
            visible.insert(key);
            let screen = Rect::from_min_size(
                rect.min
                    + Vec2::new(
                        (tx as f64 * ts - left) as f32,
                        (ty as f64 * ts - top) as f32,
                    ),
                Vec2::splat(ts as f32),
            );
            match st.textures.get(&key) {
                Some(Some(tex)) => {
                    painter.image(
                        tex.id(),
                        screen,
                        Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
                        Color32::WHITE,
                    );
                    continue;
                }
                Some(None) => continue,
                None => {
                    if st.pending.insert(key) {
                        loader.request(z, tx, ty);
                    }
                }
            }
            // Until it arrives: the part of a lower zoom's tile that covers it.
            for up in 1..=4u8.min(z) {
                let pk = (z - up, tx >> up, ty >> up);
                if let Some(Some(tex)) = st.textures.get(&pk) {
                    visible.insert(pk);
                    let k = (1u32 << up) as f32;
                    let (ox, oy) = (
                        (tx - (pk.1 << up)) as f32 / k,
                        (ty - (pk.2 << up)) as f32 / k,
                    );
                    let uv = Rect::from_min_max(pos2(ox, oy), pos2(ox + 1.0 / k, oy + 1.0 / k));
                    painter.image(tex.id(), screen, uv, Color32::WHITE);
                    break;
                }
            }
        }
    }
    // Keep the cache bounded: drop textures far from the view.
    if st.textures.len() > 800 {
        st.textures
            .retain(|k, _| visible.contains(k) || (k.0 + 1 == z || k.0 == z + 1));
    }
}
