//! The map furniture's [`Mark`]s painted with tiny-skia: the paper side of
//! [`crate::map::furniture`] (the window paints the same marks with egui).

use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

use super::text::TextPainter;
use crate::map::Rgba;
use crate::map::furniture::{Mark, hatch_segments};

fn paint(c: Rgba) -> Paint<'static> {
    let mut p = Paint {
        anti_alias: true,
        ..Default::default()
    };
    p.set_color(Color::from_rgba8(c[0], c[1], c[2], c[3]));
    p
}

fn stroke(width: f32) -> Stroke {
    Stroke {
        width,
        ..Default::default()
    }
}

/// Paints `marks` in order.
pub fn draw_marks(pixmap: &mut Pixmap, marks: &[Mark], text: &TextPainter) {
    draw_marks_at(pixmap, marks, text, Transform::identity());
}

/// [`draw_marks`] of marks laid out in points, drawn through `ts` (an export's scale, and
/// a band's offset).
pub fn draw_marks_at(pixmap: &mut Pixmap, marks: &[Mark], text: &TextPainter, ts: Transform) {
    let id = ts;
    for m in marks {
        match m {
            Mark::Rect {
                rect: [x, y, w, h],
                fill,
                stroke: line,
            } => {
                let Some(r) = Rect::from_xywh(*x, *y, *w, *h) else {
                    continue;
                };
                if let Some(c) = fill {
                    pixmap.fill_rect(r, &paint(*c), id, None);
                }
                if let Some((c, width)) = line {
                    let path = PathBuilder::from_rect(r);
                    pixmap.stroke_path(&path, &paint(*c), &stroke(*width), id, None);
                }
            }
            Mark::Hatch {
                rect,
                color,
                spacing,
            } => {
                let mut pb = PathBuilder::new();
                for [a, b] in hatch_segments(*rect, *spacing) {
                    pb.move_to(a[0], a[1]);
                    pb.line_to(b[0], b[1]);
                }
                if let Some(p) = pb.finish() {
                    pixmap.stroke_path(&p, &paint(*color), &stroke(1.0), id, None);
                }
            }
            Mark::Polygon {
                points,
                fill,
                stroke: line,
            } => {
                let mut pb = PathBuilder::new();
                for (i, p) in points.iter().enumerate() {
                    if i == 0 {
                        pb.move_to(p[0], p[1]);
                    } else {
                        pb.line_to(p[0], p[1]);
                    }
                }
                pb.close();
                let Some(path) = pb.finish() else { continue };
                pixmap.fill_path(&path, &paint(*fill), FillRule::Winding, id, None);
                if let Some((c, width)) = line {
                    pixmap.stroke_path(&path, &paint(*c), &stroke(*width), id, None);
                }
            }
            Mark::Image {
                rect: [x, y, w, h],
                image,
            } => {
                let Some(pic) =
                    super::raster::pixmap_from_rgba(image.width, image.height, image.rgba.clone())
                else {
                    continue;
                };
                let t = Transform::from_row(
                    w / image.width as f32,
                    0.0,
                    0.0,
                    h / image.height as f32,
                    *x,
                    *y,
                )
                .post_concat(ts);
                let paint = tiny_skia::PixmapPaint {
                    quality: tiny_skia::FilterQuality::Bicubic,
                    ..Default::default()
                };
                pixmap.draw_pixmap(0, 0, pic.as_ref(), &paint, t, None);
            }
            Mark::Text {
                at,
                text: t,
                size,
                color,
                halo,
            } => {
                let baseline = at[1] + text.ascent(*size);
                text.draw_scaled(pixmap, t, *size, at[0], baseline, *color, *halo, id);
            }
        }
    }
}
