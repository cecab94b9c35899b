//! A core `map::scene::Scene` as egui shapes: fill meshes, the hatch pattern, lines, point
//! symbols and labels with a halo. Point symbols are sprites: one textured quad per
//! symbol from a small shape atlas (circle, square, triangle), drawn twice (a white
//! outline, then the colour). Tens of thousands of insured points then cost 8 vertices
//! each instead of a tessellated circle (about 70). Shared by the map view and
//! `bench map` (through `frame_cost`).

use eframe::egui::{self, Color32, Pos2, Shape, Vec2};

use crate::map::Rgba;
use crate::map::furniture::{Mark, hatch_segments};
use crate::map::scene::{self, MarkerShape};

pub(crate) fn c32(c: Rgba) -> Color32 {
    Color32::from_rgba_unmultiplied(c[0], c[1], c[2], c[3])
}

/// The textures the map draws with, made once per egui context.
pub(crate) struct MapTextures {
    pub hatch: egui::TextureHandle,
    pub sprites: egui::TextureHandle,
}

impl MapTextures {
    pub fn new(ctx: &egui::Context) -> MapTextures {
        MapTextures {
            hatch: hatch_texture(ctx),
            sprites: sprite_texture(ctx),
        }
    }
}

fn hatch_texture(ctx: &egui::Context) -> egui::TextureHandle {
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

const SPRITE_PX: usize = 32;
const SHAPES: [MarkerShape; 3] = [
    MarkerShape::Circle,
    MarkerShape::Square,
    MarkerShape::Triangle,
];

/// Whether (x, y) in [-1, 1]² lies inside `shape` (the symbol's radius is 1).
fn inside(shape: MarkerShape, x: f32, y: f32) -> bool {
    match shape {
        MarkerShape::Circle => x * x + y * y <= 0.94 * 0.94,
        MarkerShape::Square => x.abs() <= 0.8 && y.abs() <= 0.8,
        MarkerShape::Triangle => y <= 0.72 && x.abs() <= 0.95 * (y + 0.94) / 1.66,
    }
}

/// A white atlas of the shapes, anti-aliased by 4×4 supersampling; tinted per vertex.
fn sprite_texture(ctx: &egui::Context) -> egui::TextureHandle {
    let n = SPRITE_PX;
    let mut img = egui::ColorImage::filled([n * SHAPES.len(), n], Color32::TRANSPARENT);
    for (k, shape) in SHAPES.iter().enumerate() {
        for py in 0..n {
            for px in 0..n {
                let mut hits = 0u32;
                for sy in 0..4 {
                    for sx in 0..4 {
                        let x = (px as f32 + (sx as f32 + 0.5) / 4.0) / n as f32 * 2.0 - 1.0;
                        let y = (py as f32 + (sy as f32 + 0.5) / 4.0) / n as f32 * 2.0 - 1.0;
                        hits += inside(*shape, x, y) as u32;
                    }
                }
                img[(k * n + px, py)] = Color32::from_white_alpha((hits * 255 / 16) as u8);
            }
        }
    }
    ctx.load_texture("map-symbols", img, egui::TextureOptions::LINEAR)
}

/// One layer's part of the scene as egui shapes.
pub(crate) fn layer_shapes(origin: Pos2, ls: &scene::LayerScene, tex: &MapTextures) -> Vec<Shape> {
    let mut out = Vec::new();
    if !ls.fills.indices.is_empty() {
        out.push(Shape::mesh(to_mesh(origin, &ls.fills, None)));
    }
    if !ls.hatch.indices.is_empty() {
        out.push(Shape::mesh(to_mesh(
            origin,
            &ls.hatch,
            Some(tex.hatch.id()),
        )));
    }
    for s in &ls.strokes {
        let pts: Vec<Pos2> = s
            .points
            .iter()
            .map(|p| origin + Vec2::new(p[0], p[1]))
            .collect();
        out.push(Shape::line(pts, egui::Stroke::new(s.width, c32(s.color))));
    }
    if !ls.markers.is_empty() {
        out.push(markers_shape(origin, &ls.markers, tex));
    }
    out
}

/// Point symbols as one sprite mesh: per symbol a white quad one point larger (the
/// outline), then the coloured quad.
pub(crate) fn markers_shape(origin: Pos2, markers: &[scene::Marker], tex: &MapTextures) -> Shape {
    let mut mesh = egui::Mesh::with_texture(tex.sprites.id());
    mesh.vertices.reserve(markers.len() * 8);
    mesh.indices.reserve(markers.len() * 12);
    let cell = 1.0 / SHAPES.len() as f32;
    let mut quad = |c: Pos2, r: f32, shape: MarkerShape, color: Color32| {
        let k = SHAPES.iter().position(|s| *s == shape).unwrap_or(0) as f32;
        let rect = egui::Rect::from_center_size(c, Vec2::splat(2.0 * r));
        let uv =
            egui::Rect::from_min_max(Pos2::new(k * cell, 0.0), Pos2::new((k + 1.0) * cell, 1.0));
        mesh.add_rect_with_uv(rect, uv, color);
    };
    for m in markers {
        let c = origin + Vec2::new(m.pos[0], m.pos[1]);
        let outline = Color32::from_white_alpha(m.color[3].min(235));
        quad(c, m.radius + 1.2, m.shape, outline);
        quad(c, m.radius, m.shape, c32(m.color));
    }
    Shape::mesh(mesh)
}

/// Labels with a white halo: each text is laid out once and the galley drawn five times
/// (four halo offsets, then the text).
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

/// A legend swatch of a point symbol, for the side panel.
pub(crate) fn symbol_swatch(ui: &mut egui::Ui, shape: MarkerShape, radius: f32, color: Rgba) {
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(22.0), egui::Sense::hover());
    symbol_swatch_at(ui.painter(), rect.center(), shape, radius, color);
}

/// A point symbol painted at `c` (legends).
pub(crate) fn symbol_swatch_at(
    painter: &egui::Painter,
    c: Pos2,
    shape: MarkerShape,
    radius: f32,
    color: Rgba,
) {
    let fill = c32(color);
    let stroke = egui::Stroke::new(1.0, Color32::from_gray(60));
    match shape {
        MarkerShape::Circle => {
            painter.circle(c, radius, fill, stroke);
        }
        MarkerShape::Square => {
            painter.rect(
                egui::Rect::from_center_size(c, Vec2::splat(radius * 1.6)),
                0.0,
                fill,
                stroke,
                egui::StrokeKind::Middle,
            );
        }
        MarkerShape::Triangle => {
            painter.add(Shape::convex_polygon(
                vec![
                    c + Vec2::new(0.0, -radius),
                    c + Vec2::new(radius, radius * 0.72),
                    c + Vec2::new(-radius, radius * 0.72),
                ],
                fill,
                stroke,
            ));
        }
    }
}

/// Paints the furniture's marks ([`crate::map::furniture`]) at `origin`: the screen side
/// of what the exports paint with tiny-skia.
pub(crate) fn paint_marks(painter: &egui::Painter, origin: Pos2, marks: &[Mark]) {
    let at = |p: [f32; 2]| origin + Vec2::new(p[0], p[1]);
    let rect = |r: [f32; 4]| egui::Rect::from_min_size(at([r[0], r[1]]), Vec2::new(r[2], r[3]));
    for m in marks {
        match m {
            Mark::Rect {
                rect: r,
                fill,
                stroke,
            } => {
                if let Some(c) = fill {
                    painter.rect_filled(rect(*r), 0.0, c32(*c));
                }
                if let Some((c, w)) = stroke {
                    painter.rect_stroke(
                        rect(*r),
                        0.0,
                        egui::Stroke::new(*w, c32(*c)),
                        egui::StrokeKind::Middle,
                    );
                }
            }
            Mark::Hatch {
                rect: r,
                color,
                spacing,
            } => {
                for [a, b] in hatch_segments(*r, *spacing) {
                    painter.line_segment([at(a), at(b)], egui::Stroke::new(1.0, c32(*color)));
                }
            }
            Mark::Polygon {
                points,
                fill,
                stroke,
            } => {
                let stroke =
                    stroke.map_or(egui::Stroke::NONE, |(c, w)| egui::Stroke::new(w, c32(c)));
                painter.add(Shape::convex_polygon(
                    points.iter().map(|p| at(*p)).collect(),
                    c32(*fill),
                    stroke,
                ));
            }
            Mark::Text {
                at: p,
                text,
                size,
                color,
                halo,
            } => {
                let font = egui::FontId::proportional(*size);
                if *halo {
                    for d in [[-1.0, 0.0], [1.0, 0.0], [0.0, -1.0], [0.0, 1.0]] {
                        painter.text(
                            at([p[0] + d[0], p[1] + d[1]]),
                            egui::Align2::LEFT_TOP,
                            text,
                            font.clone(),
                            Color32::from_white_alpha(230),
                        );
                    }
                }
                painter.text(at(*p), egui::Align2::LEFT_TOP, text, font, c32(*color));
            }
            // The map screen's furniture holds no pictures (a layout's logo is previewed by
            // the raster painter); a box marks where one would be.
            Mark::Image {
                rect: [x, y, w, h], ..
            } => {
                let r = egui::Rect::from_two_pos(at([*x, *y]), at([x + w, y + h]));
                painter.rect_stroke(
                    r,
                    0.0,
                    egui::Stroke::new(1.0, Color32::GRAY),
                    egui::StrokeKind::Inside,
                );
            }
        }
    }
}
