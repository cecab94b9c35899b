//! Spatial search on the map (範囲検索): draw a rectangle (drag), a polygon (clicks; a
//! double-click closes it), a circle (drag from the centre, or click with a typed radius),
//! or click "this area" (a municipality or small area); or click a point for the nearest
//! checkup institutions. The shape goes to the engine as a place condition: the count of
//! the year's non-attending targets inside, the checkup institutions inside, and — with
//! 個人情報の閲覧 only — the list of those persons. Results are outlined on the map;
//! persons are drawn only from the insured layer's zoom, as the insured layer is.

use std::sync::Arc;

use eframe::egui::{self, Color32, Pos2, Shape, Stroke, Vec2};
use serde_json::json;

use crate::analysis::frame::{self, DataFrame};
use crate::app::Command;
use crate::app::domain::search::{SearchCmd, SearchReply};
use crate::geo::{geodesic, mercator};
use crate::layers::bundled;
use crate::map::View;
use crate::search::nearest::Nearest;
use crate::search::run::col;
use crate::search::{Cond, FieldCond, Op, Place, Query};
use crate::ui::map::MapState;
use crate::ui::result_table::ResultTable;

/// What a click or drag on the map does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// 属性 (identify).
    #[default]
    Identify,
    Rect,
    Polygon,
    Circle,
    /// この地域: the municipality or small area clicked.
    Area,
    /// 最寄りの健診機関.
    Nearest,
}

impl Mode {
    pub const ALL: [Mode; 6] = [
        Mode::Identify,
        Mode::Rect,
        Mode::Polygon,
        Mode::Circle,
        Mode::Area,
        Mode::Nearest,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Mode::Identify => "属性",
            Mode::Rect => "矩形",
            Mode::Polygon => "多角形",
            Mode::Circle => "円",
            Mode::Area => "この地域",
            Mode::Nearest => "最寄りの健診機関",
        }
    }
    pub fn hint(self) -> &'static str {
        match self {
            Mode::Identify => "クリックで地物の属性を表示",
            Mode::Rect => "ドラッグで矩形を描いて検索",
            Mode::Polygon => "クリックで頂点を置き、ダブルクリックで閉じて検索",
            Mode::Circle => "中心からドラッグ、または半径を入れて中心をクリック",
            Mode::Area => "市町村または町丁・字をクリックして検索",
            Mode::Nearest => "クリックした地点から近い健診機関を一覧",
        }
    }
    /// Whether a drag draws instead of panning.
    pub fn drags(self) -> bool {
        matches!(self, Mode::Rect | Mode::Circle)
    }
}

/// The area level "this area" picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AreaLevel {
    #[default]
    Municipality,
    SmallArea,
}

/// A found thing to mark on the map: (lon, lat).
pub type Spot = (f64, f64);

/// The state of spatial search.
pub struct SpatialState {
    pub mode: Mode,
    pub area_level: AreaLevel,
    /// The circle's radius as typed (metres).
    pub radius_text: String,
    /// How many nearest institutions to list.
    pub nearest_n: usize,
    /// Polygon vertices placed so far, or a drag's start (lon, lat).
    pub drawing: Vec<Spot>,
    pub drag_now: Option<Spot>,
    /// The searched shape's outline (lon, lat rings) and its place condition.
    pub shape: Option<(Vec<Vec<Spot>>, Place)>,
    /// The queries sent for the shape (to recognise their answers).
    pub sent: Vec<Query>,
    /// 「2021年度 特定健診対象者 かつ 未受診 かつ 描いた矩形の範囲：123人」
    pub count_text: Option<String>,
    pub persons: Option<(Arc<DataFrame>, ResultTable)>,
    pub institutions: Option<(Arc<DataFrame>, ResultTable)>,
    pub person_spots: Vec<Spot>,
    pub institution_spots: Vec<Spot>,
    pub nearest: Option<(Spot, Vec<Nearest>)>,
    /// A marked place (場所移動, a clicked result) and its label.
    pub marker: Option<(Spot, String)>,
    pub window_open: bool,
}

impl Default for SpatialState {
    fn default() -> Self {
        SpatialState {
            mode: Mode::Identify,
            area_level: AreaLevel::Municipality,
            radius_text: "1000".into(),
            nearest_n: 10,
            drawing: Vec::new(),
            drag_now: None,
            shape: None,
            sent: Vec::new(),
            count_text: None,
            persons: None,
            institutions: None,
            person_spots: Vec::new(),
            institution_spots: Vec::new(),
            nearest: None,
            marker: None,
            window_open: false,
        }
    }
}

/// The tool bar above the map.
pub(crate) fn toolbar_ui(ui: &mut egui::Ui, st: &mut MapState) -> Vec<Command> {
    let mut cmds = Vec::new();
    let sp = &mut st.tools.spatial;
    ui.horizontal(|ui| {
        ui.label("操作:");
        for m in Mode::ALL {
            if ui
                .selectable_label(sp.mode == m, m.label())
                .on_hover_text(m.hint())
                .clicked()
            {
                sp.mode = m;
                sp.drawing.clear();
                sp.drag_now = None;
            }
        }
        match sp.mode {
            Mode::Circle => {
                let l = ui.label("半径(m)");
                ui.add(egui::TextEdit::singleline(&mut sp.radius_text).desired_width(70.0))
                    .labelled_by(l.id);
            }
            Mode::Area => {
                ui.selectable_value(&mut sp.area_level, AreaLevel::Municipality, "市町村");
                ui.selectable_value(&mut sp.area_level, AreaLevel::SmallArea, "町丁・字");
            }
            Mode::Nearest => {
                let l = ui.label("件数");
                ui.add(egui::DragValue::new(&mut sp.nearest_n).range(1..=50))
                    .labelled_by(l.id);
                // From a person's (or any marked) location: 場所移動 or a result row.
                if let Some(((lon, lat), _)) = sp.marker.clone()
                    && ui
                        .button("印の地点から")
                        .on_hover_text("場所移動や一覧で印を付けた地点から探す")
                        .clicked()
                {
                    cmds.push(ask_nearest(sp, (lon, lat)));
                }
            }
            Mode::Polygon if sp.drawing.len() >= 3 => {
                if ui.button("閉じて検索").clicked() {
                    sp.drag_now = Some((f64::NAN, f64::NAN));
                }
            }
            _ => {}
        }
        if (sp.shape.is_some() || sp.nearest.is_some() || sp.marker.is_some())
            && ui.button("検索結果を消す").clicked()
        {
            *sp = SpatialState {
                mode: sp.mode,
                area_level: sp.area_level,
                radius_text: sp.radius_text.clone(),
                nearest_n: sp.nearest_n,
                ..Default::default()
            };
        }
        ui.weak(sp.mode.hint());
    });
    cmds
}

/// Pointer handling on the map for the drawing modes. Returns the commands to send and
/// whether the map should not pan (a drag that draws).
pub(crate) fn pointer(
    st: &mut MapState,
    resp: &egui::Response,
    view: &View,
    local: impl Fn(Pos2) -> [f32; 2],
) -> (Vec<Command>, bool) {
    let mode = st.tools.spatial.mode;
    if mode == Mode::Identify {
        return (Vec::new(), false);
    }
    let at = |p: Pos2| view.screen_to_lonlat(local(p));
    let mut place: Option<(Vec<Vec<Spot>>, Place)> = None;
    let mut cmds = Vec::new();
    let sp = &mut st.tools.spatial;
    // The polygon's 閉じて検索 button.
    if mode == Mode::Polygon && sp.drag_now.is_some_and(|p| p.0.is_nan()) {
        sp.drag_now = None;
        place = close_polygon(sp);
    }
    match mode {
        Mode::Rect | Mode::Circle => {
            // From where the button went down (a drag starts only after a few points).
            if resp.drag_started()
                && let Some(p) = resp
                    .ctx
                    .input(|i| i.pointer.press_origin())
                    .or_else(|| resp.interact_pointer_pos())
            {
                sp.drawing = vec![at(p)];
            }
            if resp.dragged()
                && let Some(p) = resp.interact_pointer_pos()
            {
                sp.drag_now = Some(at(p));
            }
            if resp.drag_stopped()
                && let (Some(a), Some(b)) = (sp.drawing.first().copied(), sp.drag_now)
            {
                place = Some(if mode == Mode::Rect {
                    rect_place(a, b)
                } else {
                    circle_place(a, geodesic::distance_m(a, b))
                });
                sp.drawing.clear();
                sp.drag_now = None;
            }
            if mode == Mode::Circle
                && resp.clicked()
                && let Some(p) = resp.interact_pointer_pos()
                && let Ok(r) = sp.radius_text.trim().replace(',', "").parse::<f64>()
                && r > 0.0
                && r <= 100_000.0
            {
                place = Some(circle_place(at(p), r));
            }
        }
        Mode::Polygon => {
            if resp.double_clicked() {
                place = close_polygon(sp);
            } else if resp.clicked()
                && let Some(p) = resp.interact_pointer_pos()
            {
                sp.drawing.push(at(p));
            }
            sp.drag_now = resp.hover_pos().map(at);
        }
        Mode::Area => {
            if resp.clicked()
                && let (Some(p), Some(layers)) = (resp.interact_pointer_pos(), &st.layers.loaded)
            {
                let (name, field) = match sp.area_level {
                    AreaLevel::Municipality => {
                        (bundled::MUNICIPALITIES, bundled::MUNICIPALITY_CODE)
                    }
                    AreaLevel::SmallArea => (bundled::SMALL_AREAS, bundled::SMALL_AREA_CODE),
                };
                let (lon, lat) = at(p);
                if let Some((_, layer)) = layers.find(name)
                    && let Some(fi) = layer.index.hit(lon, lat, 0.0)
                    && let Some(code) = layer
                        .index
                        .info
                        .field_index(field)
                        .and_then(|i| layer.index.features[fi].attrs.get(i))
                        .map(|a| a.display())
                {
                    let rings = outline(&layer.index.features[fi].geom);
                    place = Some((
                        rings,
                        match sp.area_level {
                            AreaLevel::Municipality => Place::Municipality(vec![code]),
                            AreaLevel::SmallArea => Place::SmallArea(vec![code]),
                        },
                    ));
                }
            }
        }
        Mode::Nearest => {
            if resp.clicked()
                && let Some(p) = resp.interact_pointer_pos()
            {
                cmds.push(ask_nearest(sp, at(p)));
            }
        }
        Mode::Identify => {}
    }
    if let Some((rings, place)) = place {
        cmds.extend(search_place(st, rings, place));
    }
    (
        cmds,
        mode.drags() && (resp.dragged() || resp.drag_stopped()),
    )
}

/// The nearest checkup institutions of `at`, asked for (the window opens on them).
fn ask_nearest(sp: &mut SpatialState, at: Spot) -> Command {
    sp.nearest = Some((at, Vec::new()));
    sp.window_open = true;
    Command::from(SearchCmd::Nearest {
        lon: at.0,
        lat: at.1,
        n: sp.nearest_n,
    })
}

fn close_polygon(sp: &mut SpatialState) -> Option<(Vec<Vec<Spot>>, Place)> {
    let mut pts = std::mem::take(&mut sp.drawing);
    // A double-click also placed a vertex (or two) at the same spot.
    pts.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9);
    if pts.len() < 3 {
        return None;
    }
    let wkt = crate::geo::wkt::polygon_wkt(&pts);
    let mut ring = pts.clone();
    ring.push(pts[0]);
    Some((vec![ring], Place::Polygon(wkt)))
}

fn rect_place(a: Spot, b: Spot) -> (Vec<Vec<Spot>>, Place) {
    let (x0, y0, x1, y1) = (a.0.min(b.0), a.1.min(b.1), a.0.max(b.0), a.1.max(b.1));
    (
        vec![vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]],
        Place::Rect([x0, y0, x1, y1]),
    )
}

fn circle_place(c: Spot, r: f64) -> (Vec<Vec<Spot>>, Place) {
    let r = (r.max(1.0) * 10.0).round() / 10.0;
    (
        vec![geodesic::circle_ring(c, r, 96)],
        Place::Circle {
            lon: c.0,
            lat: c.1,
            radius_m: r,
        },
    )
}

fn outline(g: &geo::Geometry<f64>) -> Vec<Vec<Spot>> {
    let polys = match g {
        geo::Geometry::Polygon(p) => vec![p.clone()],
        geo::Geometry::MultiPolygon(m) => m.0.clone(),
        _ => Vec::new(),
    };
    polys
        .iter()
        .map(|p| p.exterior().0.iter().map(|c| (c.x, c.y)).collect())
        .collect()
}

/// The queries of a shape: the year's non-attending targets inside (count; the list too
/// with 個人情報の閲覧), and the checkup institutions inside.
pub fn shape_queries(fy: i32, place: &Place) -> (Query, Query) {
    let f = |k: &str, v: serde_json::Value| Cond::Field(FieldCond::new(k, Op::Eq, v));
    (
        Query::insured(
            fy,
            Cond::And(vec![
                f("target", json!(true)),
                f("attended", json!(false)),
                Cond::Place(place.clone()),
            ]),
        ),
        Query::institutions(
            fy,
            Cond::And(vec![f("checkup", json!(true)), Cond::Place(place.clone())]),
        ),
    )
}

fn search_place(st: &mut MapState, rings: Vec<Vec<Spot>>, place: Place) -> Vec<Command> {
    let fy = st.choropleth.fy;
    let may_list = st.choropleth.may_reveal;
    let sp = &mut st.tools.spatial;
    let (persons, institutions) = shape_queries(fy, &place);
    sp.shape = Some((rings, place));
    sp.count_text = None;
    sp.persons = None;
    sp.institutions = None;
    sp.person_spots.clear();
    sp.institution_spots.clear();
    sp.window_open = true;
    sp.sent = vec![persons.clone(), institutions.clone()];
    let mut cmds = vec![
        Command::from(SearchCmd::Count {
            query: persons.clone(),
        }),
        Command::from(SearchCmd::List {
            query: institutions,
        }),
    ];
    if may_list {
        cmds.push(Command::from(SearchCmd::List { query: persons }));
    }
    cmds
}

fn spots(df: &DataFrame) -> Vec<Spot> {
    let lon = frame::floats(df, col::LON).unwrap_or_default();
    let lat = frame::floats(df, col::LAT).unwrap_or_default();
    lon.into_iter()
        .zip(lat)
        .filter_map(|(a, b)| Some((a?, b?)))
        .collect()
}

/// Takes the answers to the spatial search's own commands; gives back any other.
pub(crate) fn receive(st: &mut MapState, reply: SearchReply) -> Result<(), SearchReply> {
    let sp = &mut st.tools.spatial;
    match reply {
        SearchReply::Count {
            query, description, ..
        } if sp.sent.first() == Some(&query) => {
            sp.count_text = Some(description);
        }
        SearchReply::List {
            query,
            frame,
            description,
            ..
        } if sp.sent.contains(&query) => {
            let table = ResultTable::new(
                &frame,
                &[col::KEY, col::LON, col::LAT],
                &[col::KANA, col::ADDRESS],
            );
            if query.subject == crate::search::Subject::Insured {
                sp.person_spots = spots(&frame);
                sp.count_text = Some(description);
                sp.persons = Some((frame, table));
            } else {
                sp.institution_spots = spots(&frame);
                sp.institutions = Some((frame, table));
            }
        }
        SearchReply::Nearest { lon, lat, list } => {
            sp.nearest = Some(((lon, lat), list));
            sp.window_open = true;
        }
        other => return Err(other),
    }
    Ok(())
}

/// Centres the map on (lon, lat) with a marker.
pub(crate) fn focus(st: &mut MapState, at: Spot, label: String, zoom: u8) {
    if let Some(view) = st.canvas.view.as_mut() {
        view.center = mercator::lonlat_to_world(at.0, at.1);
        if view.zoom < zoom {
            view.set_zoom(zoom);
        }
    }
    st.tools.spatial.marker = Some((at, label));
}

/// The results window.
pub(crate) fn results_window(ctx: &egui::Context, st: &mut MapState) {
    let sp = &st.tools.spatial;
    if !sp.window_open || (sp.shape.is_none() && sp.nearest.is_none()) {
        return;
    }
    let mut open = true;
    let mut go: Option<(Spot, String)> = None;
    // Opens at the bottom right; the user may move it off what it covers.
    let corner = ctx.content_rect().right_bottom() - egui::vec2(20.0, 40.0);
    egui::Window::new("検索結果")
        .id(egui::Id::unique("spatial_results"))
        .open(&mut open)
        .pivot(egui::Align2::RIGHT_BOTTOM)
        .default_pos(corner)
        .default_size([640.0, 420.0])
        .max_size([1000.0, 640.0])
        .resizable(true)
        .show(ctx, |ui| {
            let may_list = st.choropleth.may_reveal;
            let sp = &mut st.tools.spatial;
            if sp.shape.is_some() {
                ui.strong(sp.count_text.as_deref().unwrap_or("数えています…"));
                if !may_list {
                    ui.weak("個人の一覧は「個人情報の閲覧」の権限がある利用者だけに表示されます（件数のみ）。");
                }
                if let Some((df, table)) = sp.persons.as_mut() {
                    ui.collapsing(format!("未受診者の一覧（{} 人）", table.rows()), |ui| {
                        if let Some(r) = table.show(ui, "spatial_persons", 260.0) {
                            go = row_spot(df, r, col::ID);
                        }
                    });
                }
                match sp.institutions.as_mut() {
                    Some((df, table)) => {
                        ui.collapsing(format!("範囲内の健診機関（{} 機関）", table.rows()), |ui| {
                            if let Some(r) = table.show(ui, "spatial_institutions", 200.0) {
                                go = row_spot(df, r, col::INST_NAME);
                            }
                        });
                    }
                    None => {
                        ui.weak("健診機関を探しています…");
                    }
                }
            }
            if let Some((_, list)) = &sp.nearest {
                ui.separator();
                ui.strong(format!("最寄りの健診機関（直線距離、{} 件）", list.len()));
                egui::Grid::new("nearest").striped(true).show(ui, |ui| {
                    for h in ["距離", "名称", "所在地", "電話番号", "がん検診", "検査項目"] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for n in list {
                        ui.label(format!("{:.0} m", n.distance_m));
                        if ui.add(egui::Button::new(&n.name).frame(false)).clicked() {
                            go = Some(((n.lon, n.lat), n.name.clone()));
                        }
                        ui.label(&n.address);
                        ui.label(&n.phone);
                        ui.label(if n.cancer_screening { "○" } else { "" });
                        let items = n.test_items.join("・");
                        if items.chars().count() > 24 {
                            let short: String = items.chars().take(23).collect();
                            ui.label(format!("{short}…")).on_hover_text(items);
                        } else {
                            ui.label(items);
                        }
                        ui.end_row();
                    }
                });
            }
        });
    if !open {
        st.tools.spatial.window_open = false;
    }
    if let Some((at, label)) = go {
        focus(st, at, label, 15);
    }
}

fn row_spot(df: &DataFrame, row: usize, label_col: &str) -> Option<(Spot, String)> {
    let lon = frame::floats(df, col::LON)
        .ok()?
        .get(row)
        .copied()
        .flatten()?;
    let lat = frame::floats(df, col::LAT)
        .ok()?
        .get(row)
        .copied()
        .flatten()?;
    let label = frame::texts(df, label_col)
        .ok()?
        .get(row)
        .cloned()
        .flatten()
        .unwrap_or_default();
    Some(((lon, lat), label))
}

/// Draws the shape being drawn, the searched shape, the found institutions and persons,
/// the nearest institutions and the marker.
pub(crate) fn paint(painter: &egui::Painter, origin: Pos2, view: &View, st: &MapState) {
    let sp = &st.tools.spatial;
    let to = |p: Spot| {
        let (x, y) = mercator::lonlat_to_world(p.0, p.1);
        let s = view.world_to_screen(x, y);
        origin + Vec2::new(s[0], s[1])
    };
    let line = Stroke::new(2.5, Color32::from_rgb(230, 0, 120));
    if let Some((rings, _)) = &sp.shape {
        for r in rings {
            painter.add(Shape::line(r.iter().map(|p| to(*p)).collect(), line));
        }
    }
    // In progress.
    match (sp.mode, sp.drawing.first(), sp.drag_now) {
        (Mode::Rect, Some(a), Some(b)) => {
            let (rings, _) = rect_place(*a, b);
            painter.add(Shape::dashed_line(
                &rings[0].iter().map(|p| to(*p)).collect::<Vec<_>>(),
                line,
                6.0,
                4.0,
            ));
        }
        (Mode::Circle, Some(a), Some(b)) => {
            let (rings, _) = circle_place(*a, geodesic::distance_m(*a, b));
            painter.add(Shape::dashed_line(
                &rings[0].iter().map(|p| to(*p)).collect::<Vec<_>>(),
                line,
                6.0,
                4.0,
            ));
            painter.text(
                to(b) + Vec2::new(8.0, -8.0),
                egui::Align2::LEFT_BOTTOM,
                format!("{:.0} m", geodesic::distance_m(*a, b)),
                egui::FontId::proportional(14.0),
                Color32::from_rgb(230, 0, 120),
            );
        }
        (Mode::Polygon, Some(_), now) => {
            let mut pts: Vec<Pos2> = sp.drawing.iter().map(|p| to(*p)).collect();
            if let Some(n) = now.filter(|n| !n.0.is_nan()) {
                pts.push(to(n));
            }
            for p in &pts {
                painter.circle_filled(*p, 3.5, Color32::from_rgb(230, 0, 120));
            }
            painter.add(Shape::dashed_line(&pts, line, 6.0, 4.0));
        }
        _ => {}
    }
    // Persons only from the insured layer's zoom (the rule of the insured layer).
    if view.zoom >= st.insured.from_zoom {
        for p in &sp.person_spots {
            painter.circle(
                to(*p),
                4.0,
                Color32::from_rgb(230, 0, 120),
                Stroke::new(1.0, Color32::WHITE),
            );
        }
    }
    for p in &sp.institution_spots {
        painter.circle_stroke(
            to(*p),
            9.0,
            Stroke::new(3.0, Color32::from_rgb(0, 190, 255)),
        );
    }
    if let Some((c, list)) = &sp.nearest {
        let c = to(*c);
        for (i, n) in list.iter().enumerate() {
            let p = to((n.lon, n.lat));
            painter.line_segment([c, p], Stroke::new(1.0, Color32::from_rgb(0, 120, 200)));
            painter.circle_stroke(p, 9.0, Stroke::new(2.5, Color32::from_rgb(0, 120, 200)));
            painter.text(
                p + Vec2::new(10.0, -10.0),
                egui::Align2::LEFT_BOTTOM,
                format!("{}", i + 1),
                egui::FontId::proportional(13.0),
                Color32::from_rgb(0, 80, 160),
            );
        }
        painter.circle_filled(c, 5.0, Color32::from_rgb(0, 120, 200));
    }
    if let Some((p, label)) = &sp.marker {
        let p = to(*p);
        painter.circle_filled(
            p + Vec2::new(0.0, -14.0),
            7.0,
            Color32::from_rgb(220, 30, 30),
        );
        painter.add(Shape::convex_polygon(
            vec![p, p + Vec2::new(-6.0, -11.0), p + Vec2::new(6.0, -11.0)],
            Color32::from_rgb(220, 30, 30),
            Stroke::NONE,
        ));
        painter.text(
            p + Vec2::new(10.0, -14.0),
            egui::Align2::LEFT_CENTER,
            label,
            egui::FontId::proportional(14.0),
            Color32::from_rgb(120, 0, 0),
        );
    }
}
