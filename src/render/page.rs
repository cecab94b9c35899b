//! A composed layout page ([`crate::layout::Composed`]) painted: into a PDF as vectors
//! (each map frame's scene clipped to its frame, then the marks, text as text in the
//! embedded font), several pages making one PDF with a bookmark each (the atlas); or
//! rasterised at a dpi (each map frame rendered by [`super::render_scaled`] and placed,
//! then the marks), the same composition on screen, paper and image.

use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::FillRule;
use tiny_skia::{Color, Pixmap};

use crate::layout::Composed;
use crate::map::scene;
use crate::paint::{marks, pdf};

pub use super::Frames;

/// One page of a PDF: its composition and its bookmark (none for a single layout page).
pub struct PdfPage<'a> {
    pub page: &'a Composed,
    pub bookmark: Option<String>,
}

/// The text width both painters measure with (the bundled IPAex Gothic), for composing.
pub fn measure() -> Result<impl Fn(&str, f32) -> f32, String> {
    let text = crate::paint::text::TextPainter::new().ok_or("フォントを読み込めません")?;
    Ok(move |t: &str, size: f32| text.width(t, size))
}

/// A PDF of `pages` titled `title`, with an outline entry per bookmarked page.
pub fn pdf(pages: &[PdfPage<'_>], frames: &Frames<'_>, title: &str) -> Result<Vec<u8>, String> {
    let furniture = frames.furniture();
    let font = pdf::PdfFont::new().ok_or("フォントを読み込めません")?;
    let mut doc = krilla::Document::new();
    doc.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title.to_string())
            .creator("健診アトラス".to_string()),
    );
    let mut outline = Outline::new();
    for (i, p) in pages.iter().enumerate() {
        let c = p.page;
        let settings =
            PageSettings::from_wh(c.size[0], c.size[1]).ok_or("ページの大きさが不正です")?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        for m in &c.maps {
            let [x, y, w, h] = m.rect;
            let Some(frame) = Rect::from_xywh(0.0, 0.0, w, h) else {
                continue;
            };
            let mut pb = PathBuilder::new();
            pb.push_rect(frame);
            let Some(clip) = pb.finish() else { continue };
            surface.push_transform(&Transform::from_translate(x, y));
            surface.push_clip_path(&clip, &FillRule::NonZero);
            if let Some(src) = frames.basemap {
                super::pdf_basemap(&mut surface, &m.view, src);
            }
            let scene = super::scene_of(&m.view, &frames.layers, &furniture, scene::Rings::Keep);
            pdf::draw_scene(&mut surface, &scene, &font);
            surface.pop();
            surface.pop();
        }
        pdf::draw_marks(&mut surface, &c.marks, &font);
        surface.finish();
        page.finish();
        if let Some(b) = &p.bookmark {
            let to = krilla::destination::XyzDestination::new(i, Point::from_xy(0.0, 0.0));
            outline.push_child(OutlineNode::new(b.clone(), to));
        }
    }
    if pages.iter().any(|p| p.bookmark.is_some()) {
        doc.set_outline(outline);
    }
    doc.finish().map_err(|e| format!("{e:?}"))
}

/// The page rasterised `k` pixels a point (dpi / 72).
pub fn raster(c: &Composed, frames: &Frames<'_>, k: f32) -> Result<Pixmap, String> {
    let furniture = frames.furniture();
    let (w, h) = (
        (c.size[0] * k).round() as u32,
        (c.size[1] * k).round() as u32,
    );
    let mut pm = Pixmap::new(w.max(1), h.max(1)).ok_or("画像の大きさが不正です")?;
    pm.fill(Color::WHITE);
    for m in &c.maps {
        let frame = super::render_scaled(&m.view, &frames.layers, frames.basemap, &furniture, k)?;
        let (x, y) = (
            (m.rect[0] * k).round() as i32,
            (m.rect[1] * k).round() as i32,
        );
        pm.draw_pixmap(
            x,
            y,
            frame.as_ref(),
            &tiny_skia::PixmapPaint::default(),
            tiny_skia::Transform::identity(),
            None,
        );
    }
    let text = crate::paint::text::TextPainter::new().ok_or("フォントを読み込めません")?;
    marks::draw_marks_at(
        &mut pm,
        &c.marks,
        &text,
        tiny_skia::Transform::from_scale(k, k),
    );
    Ok(pm)
}

/// Page `i` of `pages` as a PNG at `dpi` (36–600), with the errors a file export gives.
pub fn page_png(
    pages: &[&Composed],
    i: usize,
    frames: &Frames<'_>,
    dpi: u32,
) -> Result<Vec<u8>, super::export::MapPngError> {
    use super::export::MapPngError;
    if !(36..=600).contains(&dpi) {
        return Err(MapPngError::Dpi(dpi));
    }
    let p = pages
        .get(i)
        .ok_or_else(|| MapPngError::Render("ページがありません".into()))?;
    png(p, frames, dpi).map_err(MapPngError::Render)
}

/// The page as a PNG at `dpi`.
pub fn png(c: &Composed, frames: &Frames<'_>, dpi: u32) -> Result<Vec<u8>, String> {
    let pm = raster(c, frames, dpi as f32 / 72.0)?;
    crate::paint::png::encode_map_png_bands(pm.width(), pm.height(), |sink| sink(pm))
}
