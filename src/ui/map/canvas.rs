//! The map widget: the core `map::scene::Scene` as egui shapes over the basemap, with
//! panning, wheel zoom around the cursor, double-click centring, +/−, a zoom list with
//! scales and a typed scale, a scale bar, a north arrow, the cursor in lon/lat and
//! 平面直角 zone VI, the legend, and a click handed to the identify tool.

use eframe::egui::{self, Color32, Pos2, Rect, Sense, Shape, Stroke, Vec2};

use crate::analysis::suppression;
use crate::geo::crs::{Crs, Datum};
use crate::geo::mercator::{self, MAX_ZOOM, MIN_ZOOM};
use crate::map::View;
use crate::map::choropleth;
use crate::map::facilities;
use crate::map::furniture;
use crate::map::scene;
use crate::map::view::NARA_BBOX;

use super::MapState;

pub(super) fn canvas_ui(ui: &mut egui::Ui, st: &mut MapState) -> Vec<crate::app::Command> {
    let mut cmds = Vec::new();
    ui.horizontal(|ui| {
        // The view is made below, once the map's size is known (the first frame).
        let Some(view) = st.canvas.view.as_mut() else {
            return;
        };
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
                "ズーム {:.1}（1:{}）",
                view.zoom_f(),
                group(view.scale_denominator())
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
            egui::TextEdit::singleline(&mut st.canvas.scale_text)
                .desired_width(80.0)
                .hint_text("25000"),
        );
        if resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            if let Ok(d) = st.canvas.scale_text.replace(',', "").trim().parse::<f64>() {
                view.set_zoom(mercator::zoom_for_scale(d, lat));
            }
            st.canvas.scale_text.clear();
        }
        if ui.button("奈良県全体").clicked() {
            *view = View::fit(NARA_BBOX, view.size);
        }
    });
    let (rect, resp) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
    st.canvas.origin = (rect.min.x, rect.min.y);
    // The first frame opens on the whole prefecture, fitted to the real map size.
    let view = st
        .canvas
        .view
        .get_or_insert_with(|| View::fit(NARA_BBOX, (rect.width(), rect.height())));
    view.size = (rect.width(), rect.height());
    let local = |p: Pos2| [p.x - rect.min.x, p.y - rect.min.y];
    let here = *view;
    let (tool_cmds, drawing) = super::tools::spatial::pointer(st, &resp, &here, local);
    cmds.extend(tool_cmds);
    let view = st
        .canvas
        .view
        .get_or_insert_with(|| View::fit(NARA_BBOX, (rect.width(), rect.height())));
    if resp.dragged() && !drawing {
        let d = resp.drag_delta();
        view.pan(d.x, d.y);
    }
    if resp.double_clicked()
        && st.tools.spatial.mode == super::tools::spatial::Mode::Identify
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
    st.canvas.cursor = resp.hover_pos().map(|p| view.screen_to_lonlat(local(p)));
    let view = *view;
    if resp.clicked()
        && st.tools.spatial.mode == super::tools::spatial::Mode::Identify
        && let (Some(p), Some(layers)) = (resp.interact_pointer_pos(), &st.layers.loaded)
    {
        st.tools.identified =
            super::tools::identify::hit(&view, layers, &st.layers.styles, local(p));
    }
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, Color32::from_rgb(242, 239, 233));
    let Some(layers) = &st.layers.loaded else {
        return cmds;
    };
    super::basemap::paint_basemap(ui, &painter, rect, &view, &mut st.basemap, layers);
    let pairs: Vec<_> = layers
        .0
        .iter()
        .zip(&st.layers.styles)
        .map(|(l, s)| (l.as_ref(), s))
        .collect();
    let scene = scene::build(&view, &pairs);
    if st.canvas.textures.is_none() {
        st.canvas.textures = Some(super::paint::MapTextures::new(ui.ctx()));
    }
    let Some(tex) = st.canvas.textures.as_ref() else {
        return cmds;
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
        painter.extend(super::paint::layer_shapes(rect.min, ls, tex));
    }
    if people_at == scene.layers.len() {
        paint_insured(&painter, rect.min, st, &view, tex);
    }
    super::paint::paint_labels(&painter, rect.min, &scene.labels);
    cursor_readout(&painter, rect, st.canvas.cursor);
    // The furniture, laid out as the exports lay it out.
    if st.canvas.text.is_none() {
        st.canvas.text = crate::paint::text::TextPainter::new();
    }
    let Some(text) = st.canvas.text.as_ref() else {
        return cmds;
    };
    let measure = |t: &str, size: f32| text.width(t, size);
    let frame = [0.0, 0.0, rect.width(), rect.height()];
    let mut marks = furniture::scale_bar(&view, frame, &measure);
    marks.extend(furniture::north_arrow(frame, &measure));
    if st.choropleth.legend_on_map
        && let Some((_, ch)) = &st.choropleth.built
    {
        let title = st
            .choropleth
            .rows
            .as_ref()
            .map(|t| choropleth::legend_title(t, st.choropleth.spec.measure))
            .unwrap_or_default();
        let threshold = st
            .choropleth
            .rows
            .as_ref()
            .map_or(suppression::DEFAULT_THRESHOLD, |t| t.threshold);
        marks.extend(furniture::legend(
            &title,
            &ch.legend_entries(threshold),
            frame,
            &measure,
        ));
    }
    // The insured points' classes, with their definitions, while the points are shown.
    if st.insured.on && st.insured.points.is_some() {
        let coloring = st.insured.coloring;
        let mut entries: Vec<_> = coloring
            .legend()
            .into_iter()
            .map(|(c, t)| (c, t.to_string(), false))
            .collect();
        // The marks' rows, when someone in the points is marked.
        if let Some((_, points)) = &st.insured.points {
            let counts = points.mark_counts();
            for (n, (c, t)) in counts.iter().zip(crate::map::insured::MARK_LEGEND) {
                if *n > 0 {
                    entries.push((c, t.to_string(), false));
                }
            }
        }
        let notes: &[&str] = match coloring {
            crate::map::insured::PointColoring::Pattern => {
                &crate::map::insured::Pattern::DEFINITIONS
            }
            crate::map::insured::PointColoring::Attendance => &[],
        };
        marks.extend(furniture::legend_in(
            &format!("被保険者（{}）", coloring.label()),
            &entries,
            notes,
            frame,
            &measure,
            furniture::Corner::TopLeft,
        ));
    }
    marks.extend(furniture::credits(crate::render::CREDITS, frame, &measure));
    super::paint::paint_marks(&painter, rect.min, &marks);
    super::tools::spatial::paint(&painter, rect.min, &view, st);
    if let Some((li, fi)) = st.tools.identified
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
    cmds
}

fn group(v: f64) -> String {
    choropleth::group_digits(v.round() as i64)
}

fn paint_insured(
    painter: &egui::Painter,
    origin: Pos2,
    st: &MapState,
    view: &View,
    tex: &super::paint::MapTextures,
) {
    if st.insured.on
        && let Some((_, points)) = &st.insured.points
    {
        let people = points.markers(view, st.insured.from_zoom, st.insured.coloring);
        painter.add(super::paint::markers_shape(origin, &people, tex));
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
