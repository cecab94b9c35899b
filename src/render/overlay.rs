//! Map furniture drawn over an exported map: scale bar, north arrow, legend, credits.

use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

use super::text::TextPainter;
use crate::map::Rgba;
use crate::map::view::View;

fn paint(c: Rgba) -> Paint<'static> {
    let mut p = Paint {
        anti_alias: true,
        ..Default::default()
    };
    p.set_color(Color::from_rgba8(c[0], c[1], c[2], c[3]));
    p
}

/// A "nice" length (1, 2, 5 × 10ⁿ metres) not longer than `max_m`.
pub fn nice_length(max_m: f64) -> f64 {
    if max_m <= 0.0 || !max_m.is_finite() {
        return 0.0;
    }
    let p = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|k| k * p)
        .find(|&l| l <= max_m)
        .unwrap_or(p)
}

pub fn format_length(m: f64) -> String {
    if m >= 1000.0 {
        format!("{} km", m / 1000.0)
    } else {
        format!("{m} m")
    }
}

/// A scale bar at the bottom left, at most a quarter of the width long.
pub fn scale_bar(pixmap: &mut Pixmap, view: &View, text: &TextPainter) {
    let mpp = view.meters_per_point();
    let len_m = nice_length(mpp * pixmap.width() as f64 / 4.0);
    if len_m <= 0.0 {
        return;
    }
    let len = (len_m / mpp) as f32;
    let (x, y) = (16.0, pixmap.height() as f32 - 22.0);
    if let Some(bg) = Rect::from_xywh(x - 6.0, y - 22.0, len + 60.0, 34.0) {
        pixmap.fill_rect(
            bg,
            &paint([255, 255, 255, 200]),
            Transform::identity(),
            None,
        );
    }
    for (i, c) in [[40, 40, 40, 255], [255, 255, 255, 255]]
        .iter()
        .cycle()
        .take(4)
        .enumerate()
    {
        let seg = len / 4.0;
        if let Some(r) = Rect::from_xywh(x + seg * i as f32, y, seg, 6.0) {
            pixmap.fill_rect(r, &paint(*c), Transform::identity(), None);
        }
    }
    if let Some(r) = Rect::from_xywh(x, y, len, 6.0) {
        let path = PathBuilder::from_rect(r);
        pixmap.stroke_path(
            &path,
            &paint([40, 40, 40, 255]),
            &Stroke::default(),
            Transform::identity(),
            None,
        );
    }
    text.draw(
        pixmap,
        "0",
        12.0,
        x - 3.0,
        y - 4.0,
        [30, 30, 30, 255],
        false,
    );
    text.draw(
        pixmap,
        &format_length(len_m),
        12.0,
        x + len - 8.0,
        y - 4.0,
        [30, 30, 30, 255],
        false,
    );
}

/// A north arrow at the top right (Web Mercator: north is up).
pub fn north_arrow(pixmap: &mut Pixmap, text: &TextPainter) {
    let cx = pixmap.width() as f32 - 36.0;
    let top = 24.0;
    let mut pb = PathBuilder::new();
    pb.move_to(cx, top);
    pb.line_to(cx + 11.0, top + 34.0);
    pb.line_to(cx, top + 26.0);
    pb.line_to(cx - 11.0, top + 34.0);
    pb.close();
    if let Some(p) = pb.finish() {
        pixmap.fill_path(
            &p,
            &paint([40, 40, 40, 255]),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
    text.label(pixmap, "N", 14.0, [cx, top + 46.0], [30, 30, 30, 255]);
}

/// A legend: a title and one swatch per class, at the bottom right.
pub fn legend(
    pixmap: &mut Pixmap,
    title: &str,
    entries: &[(Rgba, String, bool)],
    text: &TextPainter,
) {
    if entries.is_empty() {
        return;
    }
    let size = 13.0;
    let row = 20.0;
    let width = entries
        .iter()
        .map(|e| text.width(&e.1, size))
        .chain(std::iter::once(text.width(title, size + 1.0)))
        .fold(0.0f32, f32::max)
        + 48.0;
    let height = row * (entries.len() as f32 + 1.0) + 14.0;
    let x = pixmap.width() as f32 - width - 12.0;
    let y = pixmap.height() as f32 - height - 12.0;
    if let Some(bg) = Rect::from_xywh(x, y, width, height) {
        pixmap.fill_rect(
            bg,
            &paint([255, 255, 255, 230]),
            Transform::identity(),
            None,
        );
        let path = PathBuilder::from_rect(bg);
        pixmap.stroke_path(
            &path,
            &paint([150, 150, 150, 255]),
            &Stroke::default(),
            Transform::identity(),
            None,
        );
    }
    text.draw(
        pixmap,
        title,
        size + 1.0,
        x + 8.0,
        y + 20.0,
        [20, 20, 20, 255],
        false,
    );
    for (i, (c, label, hatched)) in entries.iter().enumerate() {
        let ry = y + row * (i as f32 + 1.0) + 8.0;
        if let Some(r) = Rect::from_xywh(x + 8.0, ry, 24.0, 14.0) {
            pixmap.fill_rect(r, &paint(*c), Transform::identity(), None);
            if *hatched {
                let mut pb = PathBuilder::new();
                for k in 0..4 {
                    let sx = x + 8.0 + k as f32 * 7.0;
                    pb.move_to(sx, ry + 14.0);
                    pb.line_to(
                        (sx + 14.0).min(x + 32.0),
                        ry + 14.0 - (x + 32.0 - sx).min(14.0),
                    );
                }
                if let Some(p) = pb.finish() {
                    pixmap.stroke_path(
                        &p,
                        &paint([110, 110, 110, 255]),
                        &Stroke::default(),
                        Transform::identity(),
                        None,
                    );
                }
            }
            let path = PathBuilder::from_rect(r);
            pixmap.stroke_path(
                &path,
                &paint([90, 90, 90, 255]),
                &Stroke::default(),
                Transform::identity(),
                None,
            );
        }
        text.draw(
            pixmap,
            label,
            size,
            x + 40.0,
            ry + 12.0,
            [20, 20, 20, 255],
            false,
        );
    }
}

/// Small credits line at the bottom centre.
pub fn credits(pixmap: &mut Pixmap, line: &str, text: &TextPainter) {
    let w = text.width(line, 10.0);
    let x = (pixmap.width() as f32 - w) / 2.0;
    text.draw(
        pixmap,
        line,
        10.0,
        x,
        pixmap.height() as f32 - 6.0,
        [60, 60, 60, 255],
        true,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_lengths_are_round() {
        assert_eq!(nice_length(7300.0), 5000.0);
        assert_eq!(nice_length(1999.0), 1000.0);
        assert_eq!(nice_length(2000.0), 2000.0);
        assert_eq!(nice_length(0.0), 0.0);
        assert_eq!(format_length(5000.0), "5 km");
        assert_eq!(format_length(200.0), "200 m");
    }
}
