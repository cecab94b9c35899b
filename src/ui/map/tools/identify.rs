//! 属性 (identify): the clicked feature's attributes, the figures of a choropleth area (or
//! 「少数のため非表示」), and for an institution a button that hides it. [`hit`] finds the
//! feature under a click, topmost visible layer first.

use eframe::egui;

use crate::analysis::suppression;
use crate::map::facilities;
use crate::map::scene::LayerStyle;
use crate::map::{MapLayers, View};
use crate::ui::map::MapState;

pub(crate) fn identify_ui(ui: &mut egui::Ui, st: &mut MapState) {
    let (Some(layers), Some((li, fi))) = (&st.layers.loaded, st.tools.identified) else {
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
        if let Some((ix, ch)) = &st.choropleth.built
            && *ix == li
            && let Some(Some(area)) = ch.values.get(fi)
        {
            // A suppressed area has no figures here: the engine did not send them.
            for (k, v) in &area.details {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            }
            if area.revealed {
                ui.label("");
                ui.label(suppression::REVEALED_LABEL);
                ui.end_row();
            }
        }
    });
    if layer.index.info.name == facilities::LAYER_NAME
        && let Some(code) = feature.attrs.first().map(|a| a.display())
        && ui.button("この機関を非表示にする").clicked()
    {
        st.facilities.clicked.push(code);
        st.tools.identified = None;
        st.refresh_facility_style();
    }
}

/// The feature under screen point `p` (map-local): the topmost visible layer's first
/// feature within 6 points that the layer's style does not hide.
pub(crate) fn hit(
    view: &View,
    layers: &MapLayers,
    styles: &[LayerStyle],
    p: [f32; 2],
) -> Option<(usize, usize)> {
    let (lon, lat) = view.screen_to_lonlat(p);
    let tol = view.meters_per_point() * 6.0 / 111_000.0;
    (0..layers.0.len())
        .rev()
        .filter(|&i| styles.get(i).is_some_and(|s| s.visible))
        .find_map(|i| {
            let hidden = &styles[i].hidden;
            layers.0[i]
                .index
                .hit_where(lon, lat, tol, |f| !hidden.get(f).copied().unwrap_or(false))
                .map(|f| (i, f))
        })
}
