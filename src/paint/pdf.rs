//! The PDF painter (krilla): the same [`Scene`] and furniture [`Mark`]s the rasteriser
//! paints, as vectors. Areas are filled as paths from their rings (even-odd, so holes stay
//! open), suppressed areas are hatched with lines clipped to the area, lines and point
//! symbols are paths, and text is text: glyphs of the bundled IPAex Gothic, which krilla
//! embeds as a subset with a ToUnicode map (so `pdftotext` and search find the words).
//! Coordinates are the scene's, in PDF points, top-left origin as on screen.

use krilla::color::rgb;
use krilla::geom::{Path, PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, FillRule, LineCap, LineJoin, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use super::text::JAPANESE_FONT;
use crate::map::Rgba;
use crate::map::furniture::{Mark, hatch_segments};
use crate::map::scene::{Area, FillMesh, Marker, MarkerShape, Scene};

/// The Japanese font, for krilla (embedding) and skrifa (glyph ids and advances).
pub struct PdfFont {
    font: Font,
    face: FontRef<'static>,
}

impl PdfFont {
    pub fn new() -> Option<PdfFont> {
        Some(PdfFont {
            font: Font::new(JAPANESE_FONT.to_vec().into(), 0)?,
            face: FontRef::new(JAPANESE_FONT).ok()?,
        })
    }

    /// The glyphs of `text` with advances in em (krilla's unit); characters the font
    /// lacks get glyph 0 and half an em, as the rasteriser leaves them.
    fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        let map = self.face.charmap();
        let metrics = self
            .face
            .glyph_metrics(Size::unscaled(), LocationRef::default());
        let upem = self
            .face
            .metrics(Size::unscaled(), LocationRef::default())
            .units_per_em
            .max(1) as f32;
        text.char_indices()
            .map(|(i, c)| {
                let (gid, adv) = match map.map(c) {
                    Some(g) => (g.to_u32(), metrics.advance_width(g).unwrap_or(upem) / upem),
                    None => (0, 0.5),
                };
                KrillaGlyph::new(
                    GlyphId::new(gid),
                    adv,
                    0.0,
                    0.0,
                    0.0,
                    i..i + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }

    /// The font's ascent at `size` (a line box's top to its baseline).
    fn ascent(&self, size: f32) -> f32 {
        self.face
            .metrics(Size::new(size), LocationRef::default())
            .ascent
    }
}

fn color(c: Rgba) -> (rgb::Color, NormalizedF32) {
    (
        rgb::Color::new(c[0], c[1], c[2]),
        NormalizedF32::new(c[3] as f32 / 255.0).unwrap_or(NormalizedF32::ONE),
    )
}

fn fill(c: Rgba, rule: FillRule) -> Fill {
    let (paint, opacity) = color(c);
    Fill {
        paint: paint.into(),
        opacity,
        rule,
    }
}

fn stroke(c: Rgba, width: f32, round: bool) -> Stroke {
    let (paint, opacity) = color(c);
    Stroke {
        paint: paint.into(),
        width,
        opacity,
        line_cap: if round { LineCap::Round } else { LineCap::Butt },
        line_join: if round {
            LineJoin::Round
        } else {
            LineJoin::Miter
        },
        ..Default::default()
    }
}

fn rings_path(rings: &[Vec<[f32; 2]>]) -> Option<Path> {
    let mut pb = PathBuilder::new();
    for r in rings {
        let Some(first) = r.first() else { continue };
        pb.move_to(first[0], first[1]);
        for p in &r[1..] {
            pb.line_to(p[0], p[1]);
        }
        pb.close();
    }
    pb.finish()
}

fn fill_path(s: &mut Surface, path: &Path, f: Fill) {
    s.set_stroke(None);
    s.set_fill(Some(f));
    s.draw_path(path);
}

fn stroke_path(s: &mut Surface, path: &Path, st: Stroke) {
    s.set_fill(None);
    s.set_stroke(Some(st));
    s.draw_path(path);
}

/// Triangles, for a scene built without rings (one path per colour run).
fn fill_mesh(s: &mut Surface, mesh: &FillMesh) {
    let mut i = 0;
    let tris: Vec<&[u32]> = mesh.indices.chunks_exact(3).collect();
    while i < tris.len() {
        let c = mesh
            .color
            .get(tris[i][0] as usize)
            .copied()
            .unwrap_or([0; 4]);
        let mut pb = PathBuilder::new();
        while i < tris.len()
            && mesh
                .color
                .get(tris[i][0] as usize)
                .copied()
                .unwrap_or([0; 4])
                == c
        {
            let p: Vec<[f32; 2]> = tris[i]
                .iter()
                .filter_map(|k| mesh.pos.get(*k as usize).copied())
                .collect();
            if p.len() == 3 {
                pb.move_to(p[0][0], p[0][1]);
                pb.line_to(p[1][0], p[1][1]);
                pb.line_to(p[2][0], p[2][1]);
                pb.close();
            }
            i += 1;
        }
        if let Some(path) = pb.finish() {
            fill_path(s, &path, fill(c, FillRule::NonZero));
        }
    }
}

/// Grey with diagonal lines, clipped to the area: the mark of a suppressed area.
fn hatch_area(s: &mut Surface, a: &Area) {
    let Some(path) = rings_path(&a.rings) else {
        return;
    };
    fill_path(s, &path, fill([235, 235, 235, 255], FillRule::EvenOdd));
    let pts = a.rings.iter().flatten();
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in pts {
        x0 = x0.min(p[0]);
        y0 = y0.min(p[1]);
        x1 = x1.max(p[0]);
        y1 = y1.max(p[1]);
    }
    s.push_clip_path(&path, &FillRule::EvenOdd);
    let mut pb = PathBuilder::new();
    for [p, q] in hatch_segments([x0, y0, x1 - x0, y1 - y0], 5.0) {
        pb.move_to(p[0], p[1]);
        pb.line_to(q[0], q[1]);
    }
    if let Some(lines) = pb.finish() {
        stroke_path(s, &lines, stroke([120, 120, 120, 255], 0.8, false));
    }
    s.pop();
}

fn marker_path(m: &Marker) -> Option<Path> {
    let (x, y, r) = (m.pos[0], m.pos[1], m.radius.max(0.5));
    let mut pb = PathBuilder::new();
    match m.shape {
        MarkerShape::Circle => {
            // Four cubic arcs (k = 0.5523 of the radius).
            let k = 0.552_284_8 * r;
            pb.move_to(x + r, y);
            pb.cubic_to(x + r, y + k, x + k, y + r, x, y + r);
            pb.cubic_to(x - k, y + r, x - r, y + k, x - r, y);
            pb.cubic_to(x - r, y - k, x - k, y - r, x, y - r);
            pb.cubic_to(x + k, y - r, x + r, y - k, x + r, y);
            pb.close();
        }
        MarkerShape::Square => {
            pb.push_rect(Rect::from_xywh(x - r * 0.8, y - r * 0.8, r * 1.6, r * 1.6)?)
        }
        MarkerShape::Triangle => {
            pb.move_to(x, y - r * 0.94);
            pb.line_to(x + r * 0.95, y + r * 0.72);
            pb.line_to(x - r * 0.95, y + r * 0.72);
            pb.close();
        }
    }
    pb.finish()
}

/// Text with its line box's top-left at `at` (as furniture places it), or centred on
/// `centre` (labels); a white halo is a wide white stroke of the glyph outlines under the
/// text, as on screen.
fn text(s: &mut Surface, f: &PdfFont, t: &str, size: f32, baseline: [f32; 2], c: Rgba, halo: bool) {
    let glyphs = f.glyphs(t);
    if glyphs.is_empty() {
        return;
    }
    let start = Point::from_xy(baseline[0], baseline[1]);
    if halo {
        s.set_fill(None);
        s.set_stroke(Some(stroke(
            [255, 255, 255, 230],
            (size * 0.22).max(1.5),
            true,
        )));
        s.draw_glyphs(start, &glyphs, f.font.clone(), t, size, true);
    }
    s.set_stroke(None);
    s.set_fill(Some(fill(c, FillRule::NonZero)));
    s.draw_glyphs(start, &glyphs, f.font.clone(), t, size, false);
}

/// Width of `t` at `size` (the same measure as the rasteriser's).
pub fn text_width(f: &PdfFont, t: &str, size: f32) -> f32 {
    f.glyphs(t).iter().map(|g| g.x_advance * size).sum()
}

/// Paints a scene.
pub fn draw_scene(s: &mut Surface, scene: &Scene, f: &PdfFont) {
    for layer in &scene.layers {
        fill_mesh(s, &layer.fills);
        for a in &layer.areas {
            if let Some(path) = rings_path(&a.rings) {
                fill_path(s, &path, fill(a.color, FillRule::EvenOdd));
            }
        }
        for a in &layer.hatch_areas {
            hatch_area(s, a);
        }
        // Lines of one colour and width go into one path.
        let mut i = 0;
        while i < layer.strokes.len() {
            let (c, w) = (layer.strokes[i].color, layer.strokes[i].width);
            let mut pb = PathBuilder::new();
            while i < layer.strokes.len()
                && layer.strokes[i].color == c
                && layer.strokes[i].width == w
            {
                let pts = &layer.strokes[i].points;
                if let Some(first) = pts.first() {
                    pb.move_to(first[0], first[1]);
                    for p in &pts[1..] {
                        pb.line_to(p[0], p[1]);
                    }
                }
                i += 1;
            }
            if let Some(path) = pb.finish() {
                stroke_path(s, &path, stroke(c, w, true));
            }
        }
        for m in &layer.markers {
            if let Some(path) = marker_path(m) {
                fill_path(s, &path, fill(m.color, FillRule::NonZero));
                stroke_path(s, &path, stroke([255, 255, 255, 220], 1.0, false));
            }
        }
    }
    for l in &scene.labels {
        let w = text_width(f, &l.text, l.size);
        let at = [l.pos[0] - w / 2.0, l.pos[1] + l.size * 0.35];
        text(s, f, &l.text, l.size, at, [30, 30, 30, 255], true);
    }
}

/// Paints furniture marks.
pub fn draw_marks(s: &mut Surface, marks: &[Mark], f: &PdfFont) {
    for m in marks {
        match m {
            Mark::Rect {
                rect: [x, y, w, h],
                fill: bg,
                stroke: line,
            } => {
                let Some(r) = Rect::from_xywh(*x, *y, *w, *h) else {
                    continue;
                };
                let mut pb = PathBuilder::new();
                pb.push_rect(r);
                let Some(path) = pb.finish() else { continue };
                if let Some(c) = bg {
                    fill_path(s, &path, fill(*c, FillRule::NonZero));
                }
                if let Some((c, width)) = line {
                    stroke_path(s, &path, stroke(*c, *width, false));
                }
            }
            Mark::Hatch {
                rect,
                color: c,
                spacing,
            } => {
                let mut pb = PathBuilder::new();
                for [a, b] in hatch_segments(*rect, *spacing) {
                    pb.move_to(a[0], a[1]);
                    pb.line_to(b[0], b[1]);
                }
                if let Some(p) = pb.finish() {
                    stroke_path(s, &p, stroke(*c, 1.0, false));
                }
            }
            Mark::Polygon {
                points,
                fill: bg,
                stroke: line,
            } => {
                let Some(path) = rings_path(std::slice::from_ref(points)) else {
                    continue;
                };
                fill_path(s, &path, fill(*bg, FillRule::NonZero));
                if let Some((c, width)) = line {
                    stroke_path(s, &path, stroke(*c, *width, false));
                }
            }
            Mark::Text {
                at,
                text: t,
                size,
                color: c,
                halo,
            } => {
                let baseline = [at[0], at[1] + f.ascent(*size)];
                text(s, f, t, *size, baseline, *c, *halo);
            }
            Mark::Image {
                rect: [x, y, w, h],
                image,
            } => {
                let pic =
                    krilla::image::Image::from_rgba8(image.rgba.clone(), image.width, image.height);
                let Some(size) = krilla::geom::Size::from_wh(*w, *h) else {
                    continue;
                };
                s.push_transform(&krilla::geom::Transform::from_translate(*x, *y));
                s.draw_image(pic, size);
                s.pop();
            }
        }
    }
}
