//! The map renderers below the window: the same [`Scene`](crate::map::scene::Scene) the
//! window draws, rasterised (tiny-skia) for basemap tiles and map images, or painted as
//! vectors into a PDF (krilla), with optional title, legend, scale bar, north arrow and
//! credits laid out once by `map::furniture`. A map on paper is laid out in points and
//! rasterised `dpi / 72` times larger, so lines and text keep their size at any dpi. No
//! egui here: the CLI and tests render without a window.

pub mod atlas;
pub mod export;
pub mod page;
pub mod printout;

use tiny_skia::{Color, Pixmap};

use crate::basemap::Source;
use crate::map::PreparedLayer;
use crate::map::furniture as layout;
use crate::map::scene::{self, LayerStyle};
use crate::map::view::View;
use crate::paint::{marks, raster, text};

/// The map's credits (window and exports): the sources, and which parts are synthetic.
pub const CREDITS: &str = "出典: 国土数値情報（行政区域）、e-Stat 小地域（2015）の属性・代表点、駅。小地域の形状・道路・鉄道線・位置参照情報・被保険者は合成データ。";

/// The persons' points a map draws over its layers, as the map screen draws them: cells
/// below `from_zoom`, single persons from it, coloured by `coloring`; under the layer
/// `under` (the institutions, which stay on top) or over all layers.
#[derive(Debug)]
pub struct InsuredOnMap {
    pub points: crate::map::insured::InsuredPoints,
    pub coloring: crate::map::insured::PointColoring,
    pub from_zoom: u8,
    pub under: Option<usize>,
}

impl InsuredOnMap {
    /// `scene` with the points of `view` put in as a layer of their own.
    pub fn add_to(&self, scene: &mut scene::Scene, view: &View) {
        let people = scene::LayerScene {
            markers: self.points.markers(view, self.from_zoom, self.coloring),
            ..Default::default()
        };
        let at = self.under.unwrap_or(usize::MAX).min(scene.layers.len());
        scene.layers.insert(at, people);
    }
}

/// The scene of `view`, with the persons' points when `furniture` has them.
fn scene_of(
    view: &View,
    layers: &[(&PreparedLayer, &LayerStyle)],
    furniture: &Furniture,
    rings: scene::Rings,
) -> scene::Scene {
    let mut sc = scene::build_with(view, layers, rings);
    if let Some(people) = &furniture.insured {
        people.add_to(&mut sc, view);
    }
    sc
}

/// What every map frame of the pages draws: the layers with their styles, the persons'
/// points over them, and a basemap under them.
#[derive(Default)]
pub struct Frames<'a> {
    pub layers: Vec<(&'a PreparedLayer, &'a LayerStyle)>,
    pub insured: Option<std::sync::Arc<InsuredOnMap>>,
    pub basemap: Option<&'a Source>,
}

impl Frames<'_> {
    pub(crate) fn furniture(&self) -> Furniture {
        Furniture {
            insured: self.insured.clone(),
            ..Default::default()
        }
    }
}

/// What goes on an exported map besides the layers.
#[derive(Debug, Clone, Default)]
pub struct Furniture {
    /// The persons' points (personal data: only when the user may see them).
    pub insured: Option<std::sync::Arc<InsuredOnMap>>,
    /// A title at the top.
    pub title: Option<String>,
    /// Legend title and entries (colour, label, hatched).
    pub legend: Option<crate::layout::compose::Legend>,
    pub scale_bar: bool,
    pub north_arrow: bool,
    pub credits: Option<String>,
}

/// Draws the basemap tiles under `view` (scaled from the nearest zoom the set has), onto a
/// pixmap `k` times the view's size.
fn draw_basemap(pm: &mut Pixmap, view: &View, source: &Source, k: f32) {
    let z = view.zoom;
    // A tile's size in the image (the view may be magnified).
    let ts = 256.0 * view.magnify;
    let scale = view.scale();
    let (cx, cy) = (view.center.0 * scale, view.center.1 * scale);
    let (w, h) = (view.size.0 as f64, view.size.1 as f64);
    let (left, top) = (cx - w / 2.0, cy - h / 2.0);
    let n = 1u32 << z;
    let tx0 = (left / ts).floor().max(0.0) as u32;
    let ty0 = (top / ts).floor().max(0.0) as u32;
    let tx1 = (((left + w) / ts).floor().max(0.0) as u32).min(n - 1);
    let ty1 = (((top + h) / ts).floor().max(0.0) as u32).min(n - 1);
    for tx in tx0..=tx1 {
        for ty in ty0..=ty1 {
            let Some((tw, th, rgba)) = source
                .tile(z, tx, ty)
                .and_then(|b| crate::basemap::decode(&b))
            else {
                continue;
            };
            let Some(tile) = raster::pixmap_from_rgba(tw, th, rgba) else {
                continue;
            };
            let x = (tx as f64 * ts - left) as f32;
            let y = (ty as f64 * ts - top) as f32;
            let t = tiny_skia::Transform::from_row(
                ts as f32 / tw as f32,
                0.0,
                0.0,
                ts as f32 / th as f32,
                x,
                y,
            )
            .post_scale(k, k);
            pm.draw_pixmap(
                0,
                0,
                tile.as_ref(),
                &tiny_skia::PixmapPaint::default(),
                t,
                None,
            );
        }
    }
}

/// The furniture's marks in the frame `[0, 0, view size]`.
fn furniture_marks(
    view: &View,
    furniture: &Furniture,
    measure: &dyn Fn(&str, f32) -> f32,
) -> Vec<layout::Mark> {
    let frame = [0.0, 0.0, view.size.0, view.size.1];
    let mut items = Vec::new();
    if furniture.scale_bar {
        items.extend(layout::scale_bar(view, frame, measure));
    }
    if furniture.north_arrow {
        items.extend(layout::north_arrow(frame, measure));
    }
    if let Some((title, entries)) = &furniture.legend {
        items.extend(layout::legend(title, entries, frame, measure));
    }
    if let Some(c) = &furniture.credits {
        items.extend(layout::credits(c, frame, measure));
    }
    if let Some(t) = &furniture.title {
        items.extend(layout::title(t, frame, measure));
    }
    items
}

/// Renders `layers` for `view` (size in pixels) over an optional basemap.
pub fn render(
    view: &View,
    layers: &[(&PreparedLayer, &LayerStyle)],
    basemap: Option<&Source>,
    furniture: &Furniture,
) -> Result<Pixmap, String> {
    render_scaled(view, layers, basemap, furniture, 1.0)
}

/// The size in pixels of `view` (laid out in points) rendered `k` times larger.
pub fn scaled_size(view: &View, k: f32) -> (u32, u32) {
    let w = (view.size.0 * k).round().max(1.0) as u32;
    let h = (view.size.1 * k).round().max(1.0) as u32;
    (w, h)
}

/// Renders `layers` for `view` (laid out in points) onto a pixmap `k` times larger.
pub fn render_scaled(
    view: &View,
    layers: &[(&PreparedLayer, &LayerStyle)],
    basemap: Option<&Source>,
    furniture: &Furniture,
    k: f32,
) -> Result<Pixmap, String> {
    let mut parts = Vec::new();
    let (w, h) = render_bands(view, layers, basemap, furniture, k, &mut |band| {
        parts.push(band);
        Ok(())
    })?;
    if parts.len() == 1 {
        return parts.pop().ok_or_else(|| "地図を描けません".into());
    }
    let mut data = Vec::with_capacity(w as usize * h as usize * 4);
    for part in &parts {
        data.extend_from_slice(part.data());
    }
    let size = tiny_skia::IntSize::from_wh(w, h).ok_or("画像の大きさが不正です")?;
    Pixmap::from_vec(data, size).ok_or_else(|| "地図を描けません".into())
}

/// Renders `layers` for `view` (laid out in points) `k` times larger, handing the image to
/// `sink` in horizontal bands, top to bottom; returns the image's size. A large image
/// without a basemap is painted by every core, a band at a time from a queue (a map's
/// detail is uneven: equal halves left one core idle a third of the time), and `sink`
/// (an encoder) works on the top while the cores paint further down.
pub fn render_bands(
    view: &View,
    layers: &[(&PreparedLayer, &LayerStyle)],
    basemap: Option<&Source>,
    furniture: &Furniture,
    k: f32,
    sink: &mut dyn FnMut(Pixmap) -> Result<(), String>,
) -> Result<(u32, u32), String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    let (w, h) = scaled_size(view, k);
    let text = text::TextPainter::new().ok_or("フォントを読み込めません")?;
    let scene = scene_of(view, layers, furniture, scene::Rings::Triangles);
    let items = furniture_marks(view, furniture, &|t: &str, size: f32| text.width(t, size));
    let band = |y0: u32, bh: u32, basemap: Option<&Source>| -> Result<Pixmap, String> {
        let mut pm = Pixmap::new(w, bh).ok_or("画像の大きさが不正です")?;
        pm.fill(Color::WHITE);
        if let Some(src) = basemap {
            draw_basemap(&mut pm, view, src, k);
        }
        let ts = tiny_skia::Transform::from_row(k, 0.0, 0.0, k, 0.0, -(y0 as f32));
        raster::draw_scene_at(&mut pm, &scene, &text, ts);
        marks::draw_marks_at(&mut pm, &items, &text, ts);
        Ok(pm)
    };
    // The basemap's tile source is not shared between threads.
    if basemap.is_some() || u64::from(w) * u64::from(h) < 4_000_000 {
        sink(band(0, h, basemap)?)?;
        return Ok((w, h));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.clamp(1, 4);
    let bh = h.div_ceil(threads as u32 * 4).max(64);
    let count = h.div_ceil(bh);
    let next = AtomicU32::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<(u32, Result<Pixmap, String>)>();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let (band, next, tx) = (&band, &next, tx.clone());
            s.spawn(move || {
                loop {
                    let b = next.fetch_add(1, Ordering::Relaxed);
                    if b >= count {
                        break;
                    }
                    let y0 = b * bh;
                    // A panic in a painter is this band's error, not the worker's end.
                    let part = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        band(y0, bh.min(h - y0), None)
                    }))
                    .unwrap_or_else(|_| Err("地図を描けません（描画の内部エラー）".into()));
                    if part.is_err() {
                        next.store(count, Ordering::Relaxed);
                    }
                    if tx.send((b, part)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut due = 0;
        let mut outcome = Ok(());
        for (b, part) in rx {
            waiting.insert(b, part);
            while let Some(part) = waiting.remove(&due) {
                due += 1;
                if outcome.is_ok() {
                    outcome = part.and_then(&mut *sink);
                }
                if outcome.is_err() {
                    // The other cores stop after their current band.
                    next.store(count, Ordering::Relaxed);
                }
            }
        }
        if outcome.is_ok() && due < count {
            outcome = Err("地図を描けません".into());
        }
        outcome
    })?;
    Ok((w, h))
}

/// The basemap under `view` as an image in a PDF, at [`PDF_BASEMAP_DPI`] (the layers over
/// it stay vectors).
pub fn pdf_basemap(surface: &mut krilla::surface::Surface<'_>, view: &View, source: &Source) {
    let k = PDF_BASEMAP_DPI / 72.0;
    let (w, h) = scaled_size(view, k);
    let Some(mut pm) = Pixmap::new(w, h) else {
        return;
    };
    pm.fill(Color::WHITE);
    draw_basemap(&mut pm, view, source, k);
    let image = krilla::image::Image::from_rgba8(pm.take(), w, h);
    if let Some(size) = krilla::geom::Size::from_wh(view.size.0, view.size.1) {
        surface.draw_image(image, size);
    }
}

/// The resolution of a basemap under a PDF's vectors (tiles are 256 px; finer adds size,
/// not detail).
pub const PDF_BASEMAP_DPI: f32 = 150.0;

/// A one-page PDF of `layers` for `view` (its size in points is the page's): areas,
/// lines and symbols as vectors, text as text in the embedded (subset) Japanese font,
/// over the basemap as an image.
pub fn render_pdf(
    view: &View,
    layers: &[(&PreparedLayer, &LayerStyle)],
    basemap: Option<&Source>,
    furniture: &Furniture,
    title: &str,
) -> Result<Vec<u8>, String> {
    use krilla::page::PageSettings;
    let font = crate::paint::pdf::PdfFont::new().ok_or("フォントを読み込めません")?;
    let mut doc = krilla::Document::new();
    doc.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title.to_string())
            .creator("健診アトラス".to_string()),
    );
    let settings =
        PageSettings::from_wh(view.size.0, view.size.1).ok_or("ページの大きさが不正です")?;
    let mut page = doc.start_page_with(settings);
    let mut surface = page.surface();
    if let Some(src) = basemap {
        pdf_basemap(&mut surface, view, src);
    }
    let scene = scene_of(view, layers, furniture, scene::Rings::Keep);
    crate::paint::pdf::draw_scene(&mut surface, &scene, &font);
    let items = furniture_marks(view, furniture, &|t: &str, size: f32| {
        crate::paint::pdf::text_width(&font, t, size)
    });
    crate::paint::pdf::draw_marks(&mut surface, &items, &font);
    surface.finish();
    page.finish();
    doc.finish().map_err(|e| format!("{e:?}"))
}
