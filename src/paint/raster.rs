//! Draws a [`Scene`] (the same one the window draws) into a tiny-skia pixmap: area fills,
//! hatching of suppressed areas, lines, point symbols and labels.
//!
//! Fills are drawn as one path per run of triangles of one colour, so that the triangles
//! of an area never show seams between them.

use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Mask, Paint, PathBuilder, Pixmap, Stroke, Transform,
};

use super::text::TextPainter;
use crate::map::Rgba;
use crate::map::scene::{FillMesh, Marker, MarkerShape, Scene};

/// A tiny-skia pixmap of straight-alpha RGBA rows (a decoded tile or picture), its colours
/// premultiplied as tiny-skia keeps them.
pub fn pixmap_from_rgba(width: u32, height: u32, mut rgba: Vec<u8>) -> Option<Pixmap> {
    for px in rgba.chunks_exact_mut(4) {
        let a = px[3] as u16;
        for c in &mut px[..3] {
            *c = ((*c as u16 * a + 127) / 255) as u8;
        }
    }
    Pixmap::from_vec(rgba, tiny_skia::IntSize::from_wh(width, height)?)
}

fn paint(c: Rgba) -> Paint<'static> {
    let mut p = Paint {
        anti_alias: true,
        ..Default::default()
    };
    p.set_color(Color::from_rgba8(c[0], c[1], c[2], c[3]));
    p
}

/// One path per run of same-coloured triangles.
fn fill_mesh(pixmap: &mut Pixmap, mesh: &FillMesh, ts: Transform) {
    // The scene rows this pixmap shows (see `draw_scene_at`).
    let top = -ts.ty / ts.sx - 1.0;
    let bottom = (-ts.ty + pixmap.height() as f32) / ts.sx + 1.0;
    let mut run: Option<(Rgba, PathBuilder)> = None;
    let flush = |pixmap: &mut Pixmap, run: Option<(Rgba, PathBuilder)>| {
        if let Some((c, pb)) = run
            && let Some(path) = pb.finish()
        {
            pixmap.fill_path(&path, &paint(c), FillRule::Winding, ts, None);
        }
    };
    for tri in mesh.indices.chunks_exact(3) {
        let [a, b, c] = [tri[0] as usize, tri[1] as usize, tri[2] as usize];
        let (Some(pa), Some(pb_), Some(pc)) = (mesh.pos.get(a), mesh.pos.get(b), mesh.pos.get(c))
        else {
            continue;
        };
        if (pa[1] < top && pb_[1] < top && pc[1] < top)
            || (pa[1] > bottom && pb_[1] > bottom && pc[1] > bottom)
        {
            continue;
        }
        let color = mesh.color.get(a).copied().unwrap_or([0, 0, 0, 0]);
        if run.as_ref().is_none_or(|(rc, _)| *rc != color) {
            flush(pixmap, run.take());
            run = Some((color, PathBuilder::new()));
        }
        if let Some((_, pb)) = run.as_mut() {
            // Same orientation for every triangle, so the non-zero rule fills their union.
            let cross = (pb_[0] - pa[0]) * (pc[1] - pa[1]) - (pb_[1] - pa[1]) * (pc[0] - pa[0]);
            let (p1, p2) = if cross >= 0.0 { (pb_, pc) } else { (pc, pb_) };
            pb.move_to(pa[0], pa[1]);
            pb.line_to(p1[0], p1[1]);
            pb.line_to(p2[0], p2[1]);
            pb.close();
        }
    }
    flush(pixmap, run);
}

/// Diagonal grey hatching inside the mesh's triangles.
fn hatch_mesh(pixmap: &mut Pixmap, mesh: &FillMesh, ts: Transform) {
    if mesh.indices.is_empty() {
        return;
    }
    let mut pb = PathBuilder::new();
    for tri in mesh.indices.chunks_exact(3) {
        let (Some(a), Some(b), Some(c)) = (
            mesh.pos.get(tri[0] as usize),
            mesh.pos.get(tri[1] as usize),
            mesh.pos.get(tri[2] as usize),
        ) else {
            continue;
        };
        let cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
        let (p1, p2) = if cross >= 0.0 { (b, c) } else { (c, b) };
        pb.move_to(a[0], a[1]);
        pb.line_to(p1[0], p1[1]);
        pb.line_to(p2[0], p2[1]);
        pb.close();
    }
    let Some(area) = pb.finish() else { return };
    let Some(mut mask) = Mask::new(pixmap.width(), pixmap.height()) else {
        return;
    };
    mask.fill_path(&area, FillRule::Winding, true, ts);
    pixmap.fill_path(
        &area,
        &paint([235, 235, 235, 255]),
        FillRule::Winding,
        ts,
        None,
    );
    // The lines x + y = c of the whole image, `spacing` apart, in this pixmap's pixels
    // (it may be a band of the image, `ts.ty` pixels down): the pattern runs on across
    // bands. Only over the hatched areas' box, which the mask then cuts to the areas.
    let Some(b) = area.bounds().transform(ts) else {
        return;
    };
    let (w, h) = (pixmap.width() as f32, pixmap.height() as f32);
    let (x0, y0) = (b.left().max(0.0), b.top().max(0.0));
    let (x1, y1) = (b.right().min(w), b.bottom().min(h));
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let spacing = 7.0 * ts.sx;
    let mut lines = PathBuilder::new();
    // The first c at or before x0 + y0 that keeps the image's phase.
    let mut c = x0 + y0 - (x0 + y0 - ts.ty).rem_euclid(spacing) - spacing;
    while c < x1 + y1 + spacing {
        lines.move_to(c - y0 + spacing, y0 - spacing);
        lines.line_to(c - y1 - spacing, y1 + spacing);
        c += spacing;
    }
    if let Some(lines) = lines.finish() {
        let stroke = Stroke {
            width: 1.2 * ts.sx,
            ..Default::default()
        };
        let mut ink = paint([120, 120, 120, 255]);
        // Several pixels wide at print resolution: no anti-aliasing needed (as lines).
        ink.anti_alias = ts.sx < 2.0;
        pixmap.stroke_path(&lines, &ink, &stroke, Transform::identity(), Some(&mask));
    }
}

/// The outline of a point symbol at its position (the same shapes as the window's).
fn marker_path(m: &Marker) -> Option<tiny_skia::Path> {
    let (x, y, r) = (m.pos[0], m.pos[1], m.radius.max(0.5));
    match m.shape {
        MarkerShape::Circle => PathBuilder::from_circle(x, y, r),
        MarkerShape::Square => {
            tiny_skia::Rect::from_xywh(x - r * 0.8, y - r * 0.8, r * 1.6, r * 1.6)
                .map(PathBuilder::from_rect)
        }
        MarkerShape::Triangle => {
            let mut pb = PathBuilder::new();
            pb.move_to(x, y - r * 0.94);
            pb.line_to(x + r * 0.95, y + r * 0.72);
            pb.line_to(x - r * 0.95, y + r * 0.72);
            pb.close();
            pb.finish()
        }
    }
}

/// A point symbol with a white outline.
fn draw_marker(pixmap: &mut Pixmap, m: &Marker, ts: Transform) {
    let Some(path) = marker_path(m) else {
        return;
    };
    pixmap.fill_path(&path, &paint(m.color), FillRule::Winding, ts, None);
    let stroke = Stroke {
        width: 1.0,
        ..Default::default()
    };
    pixmap.stroke_path(&path, &paint([255, 255, 255, 220]), &stroke, ts, None);
}

/// Draws `scene` over what `pixmap` holds.
pub fn draw_scene(pixmap: &mut Pixmap, scene: &Scene, text: &TextPainter) {
    draw_scene_at(pixmap, scene, text, Transform::identity());
}

/// [`draw_scene`] of a scene laid out in points through `ts`: scaled `k` times (an export
/// at a chosen dpi: k = dpi / 72, so that lines, symbols and text keep their size on
/// paper) and moved up when the pixmap is a band of the image.
pub fn draw_scene_at(pixmap: &mut Pixmap, scene: &Scene, text: &TextPainter, ts: Transform) {
    let k = ts.sx;
    // At print resolution (k ≥ 2, 144 dpi and more) lines are several pixels wide and
    // their edges need no anti-aliasing, which costs most of a 300 dpi A3 map's time.
    let anti_alias_lines = k < 2.0;
    // The rows of the scene this pixmap shows (a band of a large image), with a margin for
    // line widths and symbols: lines wholly outside are not stroked here.
    let margin = 20.0;
    let top = -ts.ty / k - margin;
    let bottom = (-ts.ty + pixmap.height() as f32) / k + margin;
    let outside =
        |pts: &[[f32; 2]]| pts.iter().all(|p| p[1] < top) || pts.iter().all(|p| p[1] > bottom);
    for layer in &scene.layers {
        fill_mesh(pixmap, &layer.fills, ts);
        hatch_mesh(pixmap, &layer.hatch, ts);
        for s in &layer.strokes {
            if outside(&s.points) {
                continue;
            }
            let mut line_paint = paint(s.color);
            line_paint.anti_alias = anti_alias_lines;
            let mut pb = PathBuilder::new();
            let Some(first) = s.points.first() else {
                continue;
            };
            pb.move_to(first[0], first[1]);
            for p in &s.points[1..] {
                pb.line_to(p[0], p[1]);
            }
            if let Some(path) = pb.finish() {
                // Round joins turn every vertex into arcs; at print resolution bevels
                // look the same and stroke several times faster.
                let (line_join, line_cap) = if anti_alias_lines {
                    (LineJoin::Round, LineCap::Round)
                } else {
                    (LineJoin::Bevel, LineCap::Butt)
                };
                let stroke = Stroke {
                    width: s.width,
                    line_join,
                    line_cap,
                    ..Default::default()
                };
                pixmap.stroke_path(&path, &line_paint, &stroke, ts, None);
            }
        }
        for m in layer.markers.iter().filter(|m| !outside(&[m.pos])) {
            draw_marker(pixmap, m, ts);
        }
    }
    for l in scene.labels.iter().filter(|l| !outside(&[l.pos])) {
        text.label_scaled(pixmap, &l.text, l.size, l.pos, [30, 30, 30, 255], ts);
    }
}
