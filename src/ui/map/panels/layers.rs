//! The map's side panels for layers: the QGIS-like layer list (visibility, opacity), the
//! institutions (symbol legend, combinable conditions, facilities hidden by click) and
//! the insured as points (personal data: off by default, single persons only from a set
//! zoom, coloured by attendance or by the past-3-year pattern).

use eframe::egui;

use crate::map::facilities::{CHECKUP_COLOR, Combine, OTHER_COLOR, YesNo};
use crate::map::insured::PointColoring;
use crate::map::scene::MarkerShape;
use crate::ui::map::MapState;
use crate::ui::map::paint::{c32, symbol_swatch, symbol_swatch_at};
use crate::ui::widgets::choice_row;

pub(crate) fn layers_panel_ui(ui: &mut egui::Ui, st: &mut MapState) {
    ui.horizontal(|ui| {
        ui.heading("レイヤ");
        if ui.button("レイヤを取り込む…").clicked() {
            st.layers.import.open = true;
        }
    });
    crate::ui::map::basemap::basemap_picker_ui(ui, &mut st.basemap);
    let Some(layers) = &st.layers.loaded else {
        return;
    };
    // Top of the list = drawn last, as in QGIS.
    let n = layers.0.len();
    let mut moved: Option<(usize, bool)> = None;
    for i in (0..n).rev() {
        let info = &layers.0[i].index.info;
        let Some(style) = st.layers.styles.get_mut(i) else {
            continue;
        };
        ui.horizontal(|ui| {
            if ui
                .add_enabled(i + 1 < n, egui::Button::new("▲").small())
                .on_hover_text(format!("{} を上へ", info.name))
                .clicked()
            {
                moved = Some((i, true));
            }
            if ui
                .add_enabled(i > 0, egui::Button::new("▼").small())
                .on_hover_text(format!("{} を下へ", info.name))
                .clicked()
            {
                moved = Some((i, false));
            }
            layer_swatch(ui, style, info.geometry_type);
            ui.checkbox(&mut style.visible, &info.name);
            ui.add(egui::Slider::new(&mut style.opacity, 0.0..=1.0).show_value(false))
                .on_hover_text("不透明度");
        });
    }
    if let Some((i, up)) = moved {
        st.move_layer(i, up);
    }
}

/// The layer's symbol in the list (its legend): an area's outline and fill, a line, or a
/// point symbol.
fn layer_swatch(
    ui: &mut egui::Ui,
    style: &crate::map::scene::LayerStyle,
    ty: crate::layers::GeometryType,
) {
    use crate::layers::GeometryType;
    use crate::map::scene::Fill;
    let (rect, _) = ui.allocate_exact_size(egui::vec2(22.0, 14.0), egui::Sense::hover());
    let p = ui.painter();
    let stroke = style.stroke.map_or(egui::Stroke::NONE, |(w, c)| {
        egui::Stroke::new(w.min(2.5), c32(c))
    });
    match ty {
        GeometryType::Polygon => {
            let fill = match &style.fill {
                Fill::Solid(c) => c32(*c),
                Fill::PerFeature(_) => egui::Color32::from_rgb(120, 180, 200),
                Fill::None => egui::Color32::TRANSPARENT,
            };
            p.rect(
                rect.shrink(2.0),
                0.0,
                fill,
                stroke,
                egui::StrokeKind::Inside,
            );
        }
        GeometryType::Line => {
            p.line_segment([rect.left_center(), rect.right_center()], stroke);
        }
        GeometryType::Point => {
            let (shape, r, c) = match (style.symbols.iter().flatten().next(), style.marker) {
                (Some(s), _) => (s.shape, 5.0, s.color),
                (None, Some((r, c))) => (MarkerShape::Circle, r.min(6.0), c),
                (None, None) => (MarkerShape::Circle, 4.0, [120, 120, 120, 255]),
            };
            symbol_swatch_at(p, rect.center(), shape, r, c);
        }
    }
}

pub(crate) fn facilities_panel_ui(ui: &mut egui::Ui, st: &mut MapState) {
    ui.heading("医療機関・健診機関");
    let Some(fl) = st.facilities.layer.clone() else {
        ui.weak("読み込み中…");
        return;
    };
    ui.horizontal(|ui| {
        symbol_swatch(ui, MarkerShape::Square, 6.0, CHECKUP_COLOR);
        ui.label("特定健診実施機関");
        symbol_swatch(ui, MarkerShape::Circle, 6.0, OTHER_COLOR);
        ui.label("その他");
    });
    ui.label(format!(
        "大きさ: {}年度の利用者数（自然分類 5 階級）",
        fl.fy
    ));
    for (r, text) in fl.size_legend() {
        ui.horizontal(|ui| {
            symbol_swatch(ui, MarkerShape::Circle, r, OTHER_COLOR);
            ui.label(text);
        });
    }
    ui.weak(crate::map::facilities::NAME_RULE);
    if let Some((ix, _)) = st
        .layers
        .loaded
        .as_ref()
        .and_then(|l| l.find(crate::map::facilities::LAYER_NAME))
        && let Some(style) = st.layers.styles.get_mut(ix)
    {
        ui.horizontal(|ui| {
            let lbl = ui.label("表示するズーム");
            ui.add(egui::Slider::new(&mut style.min_zoom, 1..=18).suffix(" 以上"))
                .labelled_by(lbl.id);
        });
    }
    let before = (st.facilities.filter.clone(), st.facilities.clicked.len());
    egui::CollapsingHeader::new("表示する機関の条件")
        .default_open(st.facilities.filter.is_set())
        .show(ui, |ui| {
            let f = &mut st.facilities.filter;
            egui::Grid::new("facility_filter")
                .num_columns(2)
                .show(ui, |ui| {
                    let yes_no = YesNo::ALL.map(|v| (v, v.label().to_string()));
                    choice_row(ui, "特定健診", "f_checkup", &mut f.checkup, yes_no.clone());
                    choice_row(
                        ui,
                        "がん検診",
                        "f_cancer",
                        &mut f.cancer_screening,
                        yes_no.clone(),
                    );
                    choice_row(ui, "医療機関マスタ", "f_medical", &mut f.medical, yes_no);
                    let lbl = ui.label("利用者数");
                    ui.add(
                        egui::DragValue::new(&mut f.min_users)
                            .range(0..=1_000_000)
                            .suffix(" 人以上"),
                    )
                    .labelled_by(lbl.id);
                    ui.end_row();
                    let lbl = ui.label("名称に含む");
                    ui.text_edit_singleline(&mut f.name_contains)
                        .labelled_by(lbl.id);
                    ui.end_row();
                    choice_row(
                        ui,
                        "条件の組合せ",
                        "f_combine",
                        &mut f.combine,
                        [
                            (Combine::All, "すべて満たす（AND）".to_string()),
                            (Combine::Any, "いずれかを満たす（OR）".to_string()),
                        ],
                    );
                });
            if f.is_set() && ui.small_button("条件を解除").clicked() {
                *f = Default::default();
            }
        });
    if !st.facilities.clicked.is_empty() {
        ui.horizontal(|ui| {
            ui.label(format!(
                "クリックで非表示: {} 件",
                st.facilities.clicked.len()
            ));
            if ui.small_button("すべて再表示").clicked() {
                st.facilities.clicked.clear();
            }
        });
    }
    if before != (st.facilities.filter.clone(), st.facilities.clicked.len()) {
        st.refresh_facility_style();
    }
    let shown = fl
        .hidden(&st.facilities.filter, &st.facilities.clicked)
        .iter()
        .filter(|h| !**h)
        .count();
    ui.label(format!(
        "表示 {shown} / {} 機関（位置不明 {}）",
        fl.facilities.len(),
        fl.unplaced
    ));
    ui.weak("機関をクリックすると属性と「非表示」ボタンが出ます");
}

pub(crate) fn insured_panel_ui(ui: &mut egui::Ui, st: &mut MapState) {
    ui.heading("被保険者（個人の位置）");
    ui.checkbox(&mut st.insured.on, "表示する（個人情報）");
    if !st.insured.on {
        return;
    }
    egui::Grid::new("insured_grid")
        .num_columns(2)
        .show(ui, |ui| {
            choice_row(
                ui,
                "色分け",
                "insured_coloring",
                &mut st.insured.coloring,
                PointColoring::ALL.map(|c| (c, c.label().to_string())),
            );
            let lbl = ui.label("個人を表示するズーム");
            ui.add(egui::Slider::new(&mut st.insured.from_zoom, 13..=18))
                .labelled_by(lbl.id);
            ui.end_row();
        });
    ui.weak("それより広い表示では 32 点四方ごとの集計（大きさ=人数、色=未受診の割合）");
    let Some((fy, points)) = &st.insured.points else {
        ui.weak("読み込み中…");
        return;
    };
    let counts = points.pattern_counts();
    ui.label(format!(
        "{fy}年度の対象者 {} 人（位置が分かる人）",
        points.count
    ));
    for (i, (color, text)) in st.insured.coloring.legend().into_iter().enumerate() {
        ui.horizontal(|ui| {
            symbol_swatch(ui, MarkerShape::Circle, 5.0, color);
            match st.insured.coloring {
                PointColoring::Pattern => ui.label(format!("{text}（{}）", counts[i])),
                PointColoring::Attendance => ui.label(text),
            };
        });
    }
    if st.insured.coloring == PointColoring::Pattern {
        for d in crate::map::insured::Pattern::DEFINITIONS {
            ui.weak(d);
        }
    }
    let [excluded, recommend] = points.mark_counts();
    ui.horizontal(|ui| {
        symbol_swatch(ui, MarkerShape::Square, 5.0, crate::map::insured::EXCLUDED);
        ui.label(format!("除外の印 {excluded} 人"));
        symbol_swatch(ui, MarkerShape::Triangle, 5.0, [40, 40, 40, 235]);
        ui.label(format!("勧奨対象の印 {recommend} 人"));
    });
}
