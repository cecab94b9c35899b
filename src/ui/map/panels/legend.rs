//! The legend editor (凡例): per class its colour, range (editing an edge turns the
//! classification manual on the current edges), label and the number format (% or
//! number, decimals); whether the legend is drawn on the map. Everything edited lives in
//! the choropleth spec, so it is saved with the map (`地図の保存`).

use eframe::egui::{self, Sense, Vec2};

use crate::map::Rgba;
use crate::map::choropleth::{self, ChoroplethSpec, Measure, NumberStyle};
use crate::ui::map::MapState;
use crate::ui::map::paint::c32;
use crate::ui::widgets::choice_row;

pub(crate) fn legend_ui(ui: &mut egui::Ui, st: &mut MapState) {
    let Some((_, ch)) = &st.choropleth.built else {
        ui.label("集計中…");
        return;
    };
    let (fy, filter, threshold) = st.choropleth.rows.as_ref().map_or(
        (
            st.choropleth.fy,
            st.choropleth.filter,
            crate::analysis::suppression::DEFAULT_THRESHOLD,
        ),
        |t| (t.fy, t.filter, t.threshold),
    );
    ui.strong(format!(
        "{}年度 {}（{}）",
        fy,
        st.choropleth.spec.measure.label(),
        filter.label()
    ));
    let spec = &st.choropleth.spec;
    let percent = match (spec.format.style, spec.measure) {
        (NumberStyle::Percent, _) | (NumberStyle::Auto, Measure::Rate) => true,
        _ => false,
    };
    let scale = if percent { 100.0 } else { 1.0 };
    let mut edited: Option<ChoroplethSpec> = None;
    let mut color: Option<(usize, Rgba)> = None;
    let mut label: Option<(usize, String)> = None;
    egui::Grid::new("legend_edit")
        .num_columns(5)
        .striped(true)
        .show(ui, |ui| {
            ui.label("色");
            ui.label("下限");
            ui.label("上限");
            ui.label("表示名（空欄=自動）");
            ui.label("数");
            ui.end_row();
            for (i, class) in ch.legend.iter().enumerate() {
                let mut c = [class.color[0], class.color[1], class.color[2]];
                if ui.color_edit_button_srgb(&mut c).changed() {
                    color = Some((i, [c[0], c[1], c[2], 255]));
                }
                for e in [i, i + 1] {
                    // Inner edges are shared: the lower edge is editable on the first row
                    // only, each upper edge on its own row.
                    if e == i && i > 0 {
                        ui.label("");
                        continue;
                    }
                    let mut x = ch.edges[e] * scale;
                    let resp = ui.add(
                        egui::DragValue::new(&mut x)
                            .speed(if percent { 0.1 } else { 1.0 })
                            .max_decimals(3)
                            .suffix(if percent { "%" } else { "" }),
                    );
                    if resp.changed() {
                        edited = Some(choropleth::with_edge(spec, &ch.edges, e, x / scale));
                    }
                }
                let auto = format!(
                    "{} 〜 {}",
                    spec.format.format(spec.measure, class.lower),
                    spec.format.format(spec.measure, class.upper)
                );
                let mut text = spec.labels.get(i).cloned().flatten().unwrap_or_default();
                if ui
                    .add(
                        egui::TextEdit::singleline(&mut text)
                            .hint_text(auto)
                            .desired_width(130.0),
                    )
                    .changed()
                {
                    label = Some((i, text));
                }
                ui.label(class.count.to_string());
                ui.end_row();
            }
        });
    swatch_row(
        ui,
        choropleth::SUPPRESSED,
        &choropleth::suppressed_legend(threshold, ch.suppressed_count),
    );
    if ch.revealed_count > 0 {
        swatch_row(
            ui,
            choropleth::REVEALED,
            &format!("{}（{}）", choropleth::REVEALED_LABEL, ch.revealed_count),
        );
    }
    if ch.outside_count > 0 {
        swatch_row(
            ui,
            choropleth::OUTSIDE,
            &format!("{}（{}）", choropleth::OUTSIDE_LABEL, ch.outside_count),
        );
    }
    let mut format = st.choropleth.spec.format;
    egui::Grid::new("legend_format")
        .num_columns(2)
        .show(ui, |ui| {
            choice_row(
                ui,
                "数値の書式",
                "num_style",
                &mut format.style,
                NumberStyle::ALL.map(|s| (s, s.label().to_string())),
            );
            choice_row(
                ui,
                "小数点以下",
                "num_decimals",
                &mut format.decimals,
                [None, Some(0), Some(1), Some(2), Some(3)]
                    .map(|d| (d, d.map_or("自動".to_string(), |d| format!("{d} 桁")))),
            );
        });
    ui.checkbox(&mut st.choropleth.legend_on_map, "凡例を地図に表示");
    let customised = !st.choropleth.spec.colors.is_empty()
        || st.choropleth.spec.labels.iter().any(|l| l.is_some());
    let reset = customised && ui.small_button("色と表示名を元に戻す").clicked();

    let spec = &mut st.choropleth.spec;
    let before = spec.clone();
    if let Some(s) = edited {
        *spec = s;
    }
    spec.format = format;
    if let Some((i, c)) = color {
        if spec.colors.len() <= i {
            spec.colors.resize(i + 1, None);
        }
        spec.colors[i] = Some(c);
    }
    if let Some((i, text)) = label {
        if spec.labels.len() <= i {
            spec.labels.resize(i + 1, None);
        }
        spec.labels[i] = (!text.trim().is_empty()).then_some(text);
    }
    if reset {
        spec.colors.clear();
        spec.labels.clear();
    }
    if *spec != before {
        st.choropleth.built = None;
    }
}

fn swatch_row(ui: &mut egui::Ui, color: Rgba, text: &str) {
    ui.horizontal(|ui| {
        let (r, _) = ui.allocate_exact_size(Vec2::new(18.0, 14.0), Sense::hover());
        ui.painter().rect_filled(r, 0.0, c32(color));
        ui.label(text);
    });
}
