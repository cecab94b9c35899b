//! Text for the CPU renderer: glyph outlines of the bundled Japanese font (IPAexGothic)
//! turned into tiny-skia paths, drawn with a white halo so labels read on any fill.

use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{FontRef, MetadataProvider};
use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke, Transform,
};

/// The bundled Japanese font (also used by the window).
pub const JAPANESE_FONT: &[u8] = include_bytes!("../../assets/fonts/ipaexg.ttf");

struct Pen<'a> {
    path: &'a mut PathBuilder,
    x: f32,
    y: f32,
}

impl OutlinePen for Pen<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        self.path.move_to(self.x + x, self.y - y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.path.line_to(self.x + x, self.y - y);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.path
            .quad_to(self.x + cx0, self.y - cy0, self.x + x, self.y - y);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.path.cubic_to(
            self.x + cx0,
            self.y - cy0,
            self.x + cx1,
            self.y - cy1,
            self.x + x,
            self.y - y,
        );
    }
    fn close(&mut self) {
        self.path.close();
    }
}

/// Lays out and draws single-line text.
pub struct TextPainter {
    font: FontRef<'static>,
}

impl TextPainter {
    pub fn new() -> Option<TextPainter> {
        FontRef::new(JAPANESE_FONT)
            .ok()
            .map(|font| TextPainter { font })
    }

    /// Whether the bundled font can draw `c` (the window falls back to nothing else for
    /// Japanese text, and a missing glyph is an empty box or a panic in debug builds).
    pub fn has_glyph(&self, c: char) -> bool {
        self.font.charmap().map(c).is_some()
    }

    /// Width of `text` at `size` pixels.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let metrics = self
            .font
            .glyph_metrics(Size::new(size), LocationRef::default());
        let map = self.font.charmap();
        text.chars()
            .filter_map(|c| map.map(c))
            .map(|g| metrics.advance_width(g).unwrap_or(size))
            .sum()
    }

    /// The distance from the top of a line of text at `size` to its baseline.
    pub fn ascent(&self, size: f32) -> f32 {
        self.font
            .metrics(Size::new(size), LocationRef::default())
            .ascent
    }

    /// The outline of `text` with its baseline's left end at (x, y).
    pub fn path(&self, text: &str, size: f32, x: f32, y: f32) -> Option<tiny_skia::Path> {
        let metrics = self
            .font
            .glyph_metrics(Size::new(size), LocationRef::default());
        let outlines = self.font.outline_glyphs();
        let map = self.font.charmap();
        let mut pb = PathBuilder::new();
        let mut pen_x = x;
        for c in text.chars() {
            let Some(g) = map.map(c) else {
                pen_x += size * 0.5;
                continue;
            };
            if let Some(glyph) = outlines.get(g) {
                let mut pen = Pen {
                    path: &mut pb,
                    x: pen_x,
                    y,
                };
                let _ = glyph.draw(
                    DrawSettings::unhinted(Size::new(size), LocationRef::default()),
                    &mut pen,
                );
            }
            pen_x += metrics.advance_width(g).unwrap_or(size);
        }
        pb.finish()
    }

    /// Draws `text` centred on `centre` (x centre, y middle), dark with a white halo.
    pub fn label(
        &self,
        pixmap: &mut Pixmap,
        text: &str,
        size: f32,
        centre: [f32; 2],
        color: [u8; 4],
    ) {
        self.label_scaled(pixmap, text, size, centre, color, Transform::identity());
    }

    /// [`TextPainter::label`] in points, drawn through `ts` (an export's scale).
    pub fn label_scaled(
        &self,
        pixmap: &mut Pixmap,
        text: &str,
        size: f32,
        centre: [f32; 2],
        color: [u8; 4],
        ts: Transform,
    ) {
        let w = self.width(text, size);
        let x = centre[0] - w / 2.0;
        let y = centre[1] + size * 0.35;
        self.draw_scaled(pixmap, text, size, x, y, color, true, ts);
    }

    /// Draws `text` with its baseline's left end at (x, y).
    pub fn draw(
        &self,
        pixmap: &mut Pixmap,
        text: &str,
        size: f32,
        x: f32,
        y: f32,
        color: [u8; 4],
        halo: bool,
    ) {
        self.draw_scaled(pixmap, text, size, x, y, color, halo, Transform::identity());
    }

    /// [`TextPainter::draw`] in points, drawn through `ts`.
    #[allow(clippy::too_many_arguments)]
    pub fn draw_scaled(
        &self,
        pixmap: &mut Pixmap,
        text: &str,
        size: f32,
        x: f32,
        y: f32,
        color: [u8; 4],
        halo: bool,
        ts: Transform,
    ) {
        let Some(path) = self.path(text, size, x, y) else {
            return;
        };
        let mut paint = Paint {
            anti_alias: true,
            ..Default::default()
        };
        if halo {
            paint.set_color(Color::from_rgba8(255, 255, 255, 230));
            let stroke = Stroke {
                width: (size * 0.22).max(2.0),
                line_join: LineJoin::Round,
                line_cap: LineCap::Round,
                ..Default::default()
            };
            pixmap.stroke_path(&path, &paint, &stroke, ts, None);
        }
        paint.set_color(Color::from_rgba8(color[0], color[1], color[2], color[3]));
        pixmap.fill_path(&path, &paint, FillRule::Winding, ts, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_text_is_drawn_inside_its_box() {
        let t = TextPainter::new().expect("font");
        let w = t.width("奈良市", 20.0);
        assert!(
            (55.0..65.0).contains(&w),
            "three full-width glyphs at 20 px: {w}"
        );
        let mut pm = Pixmap::new(100, 40).expect("pixmap");
        t.draw(&mut pm, "奈良市", 20.0, 10.0, 28.0, [0, 0, 0, 255], false);
        let inked: Vec<(u32, u32)> = (0..40)
            .flat_map(|y| (0..100).map(move |x| (x, y)))
            .filter(|&(x, y)| pm.pixel(x, y).is_some_and(|p| p.alpha() > 128))
            .collect();
        assert!(inked.len() > 100, "glyphs put ink down");
        assert!(
            inked
                .iter()
                .all(|&(x, y)| (9..=72).contains(&x) && (8..=32).contains(&y))
        );
    }
}
