//! The map screen (地図): a layer panel and choropleth controls on the left, the map in the
//! middle. The map widget turns a core `map::scene::Scene` into egui shapes; panning,
//! wheel zoom around the cursor, double-click centring, +/−, a zoom list with scales and a
//! typed scale, a scale bar, a north arrow, the cursor in lon/lat and 平面直角 zone VI, and
//! identify on click. Data comes from the worker as commands' outcomes.

use eframe::egui::{self, Color32, Pos2, Rect, Sense, Shape, Stroke, Vec2};

use crate::analysis::breaks::Method;
use crate::analysis::uptake::{Level, TargetFilter, UptakeRow};
use crate::app::Command;
use crate::geo::crs::{Crs, Datum};
use crate::geo::mercator::{self, MAX_ZOOM, MIN_ZOOM};
use crate::map::choropleth::{self, Choropleth, ChoroplethSpec, Measure};
use crate::map::ramps::Ramp;
use crate::map::scene::{self, Fill, LayerStyle};
use crate::map::view::NARA_BBOX;
use crate::map::{MapLayers, Rgba, View};

pub struct MapState {
    pub layers: Option<MapLayers>,
    pub styles: Vec<LayerStyle>,
    pub view: Option<View>,
    pub level: Level,
    pub fy: i32,
    pub filter: TargetFilter,
    pub spec: ChoroplethSpec,
    pub rows: Option<(Level, i32, TargetFilter, Vec<UptakeRow>)>,
    pub choropleth: Option<(usize, Choropleth)>,
    /// The layer the choropleth last coloured.
    choropleth_layer: Option<usize>,
    pub cursor: Option<(f64, f64)>,
    pub identified: Option<(usize, usize)>,
    pub scale_text: String,
    pub requested: bool,
    /// The map's top-left corner on screen, last frame (for tests and overlays).
    pub map_origin: (f32, f32),
    rows_requested: Option<(Level, i32, TargetFilter)>,
    hatch: Option<egui::TextureHandle>,
    pub basemap: super::basemap_ui::BasemapState,
}

impl Default for MapState {
    fn default() -> Self {
        MapState {
            layers: None,
            styles: vec![],
            view: None,
            level: Level::Municipality,
            fy: 2021,
            filter: TargetFilter::default(),
            spec: ChoroplethSpec::default(),
            rows: None,
            choropleth: None,
            choropleth_layer: None,
            cursor: None,
            identified: None,
            scale_text: String::new(),
            requested: false,
            map_origin: (0.0, 0.0),
            rows_requested: None,
            hatch: None,
            basemap: Default::default(),
        }
    }
}

fn c32(c: Rgba) -> Color32 {
    Color32::from_rgba_unmultiplied(c[0], c[1], c[2], c[3])
}

impl MapState {
    pub fn set_layers(&mut self, layers: MapLayers) {
        self.styles = crate::map::style::default_styles(&layers);
        self.layers = Some(layers);
        self.choropleth = None;
        self.choropleth_layer = None;
        self.identified = None;
    }

    /// New data was imported: the uptake rows are asked for again on the next frame.
    pub fn data_changed(&mut self) {
        self.rows = None;
        self.rows_requested = None;
    }

    pub fn set_rows(&mut self, level: Level, fy: i32, filter: TargetFilter, rows: Vec<UptakeRow>) {
        self.rows = Some((level, fy, filter, rows));
        self.choropleth = None;
    }

    fn area_layer(&self) -> (&'static str, &'static str) {
        choropleth::level_layer(self.level)
    }

    /// Recomputes the choropleth from the rows and puts its colours and hatching into
    /// the area layer's style (the UI thread does this only when the settings or the rows
    /// change, never per frame). A newly chosen area layer is switched on.
    fn refresh_choropleth(&mut self) {
        let (Some(layers), Some((level, _, _, rows))) = (&self.layers, &self.rows) else {
            return;
        };
        if *level != self.level {
            return;
        }
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
    let want = (st.level, st.fy, st.filter);
    if st.rows.as_ref().map(|r| (r.0, r.1, r.2)) != Some(want) && st.rows_requested != Some(want) {
        st.rows_requested = Some(want);
        cmds.push(Command::AreaUptake {
            level: st.level,
            fy: st.fy,
            filter: st.filter,
        });
    }
    if st.choropleth.is_none() {
        st.refresh_choropleth();
    }
    egui::Panel::left("map_side")
        .resizable(true)
        .default_size(330.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                if choropleth_controls_ui(ui, st) {
                    st.choropleth = None;
                }
                ui.separator();
                legend_ui(ui, st);
                ui.separator();
                layers_panel_ui(ui, st);
                ui.separator();
                identify_ui(ui, st);
            });
        });
    egui::CentralPanel::default().show(ui, |ui| map_view_ui(ui, st));
    cmds
}

/// Level, FY, sex, age band, measure, classes. Returns true when the choropleth changed.
/// One labelled row of a grid: `current` picked from a list of (value, text).
fn choice_row<T: PartialEq + Copy>(
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
            (2017..=2021).map(|fy| (fy, format!("{fy}年度"))),
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
        let lbl = ui.label("非表示の基準");
        ui.add(
            egui::DragValue::new(&mut st.spec.min_targets)
                .range(0..=1000)
                .suffix(" 人未満"),
        )
        .labelled_by(lbl.id);
        ui.end_row();
    });
    if st.spec.method == Method::Manual {
        ui.label("境界値（カンマ区切り、受診率は 0.35 のように）");
        let mut text = st
            .spec
            .manual
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(",");
        if ui.text_edit_singleline(&mut text).changed() {
            st.spec.manual = text
                .split([',', '、'])
                .filter_map(|t| t.trim().parse().ok())
                .collect();
        }
    }
    before != (st.level, st.spec.clone())
}

fn legend_ui(ui: &mut egui::Ui, st: &mut MapState) {
    let Some((_, ch)) = &st.choropleth else {
        ui.label("集計中…");
        return;
    };
    let (fy, filter) = st
        .rows
        .as_ref()
        .map(|r| (r.1, r.2))
        .unwrap_or((st.fy, st.filter));
    ui.strong(format!(
        "{}年度 {}（{}）",
        fy,
        st.spec.measure.label(),
        filter.label()
    ));
    let mut edited: Option<(usize, Rgba)> = None;
    for (i, class) in ch.legend.iter().enumerate() {
        ui.horizontal(|ui| {
            let mut c = [class.color[0], class.color[1], class.color[2]];
            if ui.color_edit_button_srgb(&mut c).changed() {
                edited = Some((i, [c[0], c[1], c[2], 255]));
            }
            ui.label(format!("{}（{}）", class.label, class.count));
        });
    }
    ui.horizontal(|ui| {
        let (r, _) = ui.allocate_exact_size(Vec2::new(18.0, 14.0), Sense::hover());
        ui.painter()
            .rect_filled(r, 0.0, c32(choropleth::SUPPRESSED));
        ui.label(format!(
            "{}（{}）",
            choropleth::SUPPRESSED_LABEL,
            ch.suppressed_count
        ));
    });
    if let Some((i, c)) = edited {
        if st.spec.colors.len() <= i {
            st.spec.colors.resize(i + 1, None);
        }
        st.spec.colors[i] = Some(c);
        st.choropleth = None;
    }
    if !st.spec.colors.is_empty() && ui.small_button("配色を元に戻す").clicked() {
        st.spec.colors.clear();
        st.choropleth = None;
    }
}

fn layers_panel_ui(ui: &mut egui::Ui, st: &mut MapState) {
    ui.heading("レイヤ");
    super::basemap_ui::basemap_picker_ui(ui, &mut st.basemap);
    let Some(layers) = &st.layers else { return };
    // Top of the list = drawn last, as in QGIS.
    for i in (0..layers.0.len()).rev() {
        let info = &layers.0[i].index.info;
        let style = &mut st.styles[i];
        ui.horizontal(|ui| {
            ui.checkbox(&mut style.visible, &info.name);
            ui.add(egui::Slider::new(&mut style.opacity, 0.0..=1.0).show_value(false))
                .on_hover_text("不透明度");
        });
    }
}

fn identify_ui(ui: &mut egui::Ui, st: &MapState) {
    let (Some(layers), Some((li, fi))) = (&st.layers, st.identified) else {
        ui.weak("地図をクリックすると属性を表示します");
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
            ui.label("対象者");
            ui.label(row.targets.to_string());
            ui.end_row();
            ui.label("受診者");
            ui.label(row.attendees.to_string());
            ui.end_row();
            ui.label("受診率");
            ui.label(if ch.suppressed[fi] {
                choropleth::SUPPRESSED_LABEL.to_string()
            } else {
                format!("{:.1}%", row.rate * 100.0)
            });
            ui.end_row();
        }
    });
}

pub(crate) fn hatch_texture(ctx: &egui::Context) -> egui::TextureHandle {
    let n = 12;
    let mut img = egui::ColorImage::filled([n, n], Color32::TRANSPARENT);
    for i in 0..n {
        for w in 0..2 {
            img[((i + w) % n, i)] = Color32::from_rgb(110, 110, 110);
        }
    }
    let opts = egui::TextureOptions {
        wrap_mode: egui::TextureWrapMode::Repeat,
        ..egui::TextureOptions::NEAREST
    };
    ctx.load_texture("hatch", img, opts)
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
        if let Some((lon, lat)) = st.cursor {
            let zone6 = Crs::PlaneRect {
                zone: 6,
                datum: Datum::Jgd2011,
            };
            let plane = zone6
                .from_lonlat(lon, lat)
                .map(|(e, n)| format!("  平面直角VI系 X={n:.1} Y={e:.1}"))
                .unwrap_or_default();
            ui.label(format!("経度 {lon:.5} 緯度 {lat:.5}{plane}"));
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
            .find_map(|i| layers.0[i].index.hit(lon, lat, tol).map(|f| (i, f)));
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
    let hatch = st.hatch.get_or_insert_with(|| hatch_texture(ui.ctx())).id();
    for ls in &scene.layers {
        painter.extend(layer_shapes(rect.min, ls, hatch));
    }
    paint_labels(&painter, rect.min, &scene.labels);
    painter.text(
        rect.center_bottom() + Vec2::new(0.0, -4.0),
        egui::Align2::CENTER_BOTTOM,
        crate::render::CREDITS,
        egui::FontId::proportional(10.0),
        Color32::from_rgb(70, 70, 70),
    );
    scale_bar(&painter, rect, &view);
    north_arrow(&painter, rect);
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

/// One layer's part of the scene as egui shapes (also used by `bench map`).
pub(crate) fn layer_shapes(
    origin: Pos2,
    ls: &scene::LayerScene,
    hatch: egui::TextureId,
) -> Vec<Shape> {
    let mut out = Vec::new();
    if !ls.fills.indices.is_empty() {
        out.push(Shape::mesh(to_mesh(origin, &ls.fills, None)));
    }
    if !ls.hatch.indices.is_empty() {
        out.push(Shape::mesh(to_mesh(origin, &ls.hatch, Some(hatch))));
    }
    for s in &ls.strokes {
        let pts: Vec<Pos2> = s
            .points
            .iter()
            .map(|p| origin + Vec2::new(p[0], p[1]))
            .collect();
        out.push(Shape::line(pts, Stroke::new(s.width, c32(s.color))));
    }
    out.extend(marker_shapes(origin, &ls.markers));
    out
}

pub(crate) fn marker_shapes<'a>(
    origin: Pos2,
    markers: &'a [scene::Marker],
) -> impl Iterator<Item = Shape> + 'a {
    markers.iter().map(move |m| {
        Shape::Circle(egui::epaint::CircleShape {
            center: origin + Vec2::new(m.pos[0], m.pos[1]),
            radius: m.radius,
            fill: c32(m.color),
            stroke: Stroke::new(1.0, Color32::WHITE),
        })
    })
}

/// Labels with a white halo, as the map draws them: each text is laid out once and the
/// galley drawn five times (four halo offsets, then the text).
pub(crate) fn paint_labels(painter: &egui::Painter, origin: Pos2, labels: &[scene::Label]) {
    for l in labels {
        let galley = painter.layout_no_wrap(
            l.text.clone(),
            egui::FontId::proportional(l.size),
            Color32::from_rgb(30, 30, 30),
        );
        let top_left = origin + Vec2::new(l.pos[0], l.pos[1]) - galley.size() / 2.0;
        for d in [
            Vec2::new(-1.0, 0.0),
            Vec2::new(1.0, 0.0),
            Vec2::new(0.0, -1.0),
            Vec2::new(0.0, 1.0),
        ] {
            painter.galley_with_override_text_color(top_left + d, galley.clone(), Color32::WHITE);
        }
        painter.galley(top_left, galley, Color32::from_rgb(30, 30, 30));
    }
}

/// A scene mesh as an egui mesh: flat colours, or a repeating pattern texture (one tile per
/// 12 points of screen) tinted by the vertex colour.
fn to_mesh(origin: Pos2, m: &scene::FillMesh, texture: Option<egui::TextureId>) -> egui::Mesh {
    let mut mesh = egui::Mesh::default();
    if let Some(t) = texture {
        mesh.texture_id = t;
    }
    mesh.vertices = m
        .pos
        .iter()
        .zip(&m.color)
        .map(|(p, c)| {
            let pos = origin + Vec2::new(p[0], p[1]);
            let uv = if texture.is_some() {
                Pos2::new(pos.x / 12.0, pos.y / 12.0)
            } else {
                egui::epaint::WHITE_UV
            };
            egui::epaint::Vertex {
                pos,
                uv,
                color: c32(*c),
            }
        })
        .collect();
    mesh.indices = m.indices.clone();
    mesh
}

fn group(v: f64) -> String {
    choropleth::group_digits(v.round() as i64)
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
