//! The CPU map renderer (tiny-skia): the same [`Scene`](crate::map::scene::Scene) the
//! window draws, rasterised for basemap tiles and map exports, with optional legend, scale
//! bar, north arrow and credits. No egui here: the CLI and tests render without a window.

pub mod export;

use tiny_skia::{Color, Pixmap};

use crate::basemap::Source;
use crate::map::PreparedLayer;
use crate::map::Rgba;
use crate::map::furniture as layout;
use crate::map::scene::{self, LayerStyle};
use crate::map::view::View;
use crate::paint::{marks, raster, text};

/// The map's credits (window and exports): the sources, and which parts are synthetic.
pub const CREDITS: &str = "出典: 国土数値情報（行政区域）、e-Stat 小地域（2015）の属性・代表点、駅。小地域の形状・道路・鉄道線・位置参照情報・被保険者は合成データ。";

/// What goes on an exported map besides the layers.
#[derive(Debug, Clone, Default)]
pub struct Furniture {
    /// Legend title and entries (colour, label, hatched).
    pub legend: Option<(String, Vec<(Rgba, String, bool)>)>,
    pub scale_bar: bool,
    pub north_arrow: bool,
    pub credits: Option<String>,
}

/// Draws the basemap tiles under `view` (scaled from the nearest zoom the set has).
fn draw_basemap(pm: &mut Pixmap, view: &View, source: &Source) {
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
            let Some(size) = tiny_skia::IntSize::from_wh(tw, th) else {
                continue;
            };
            // Premultiply for tiny-skia.
            let mut data = rgba;
            for px in data.chunks_exact_mut(4) {
                let a = px[3] as u16;
                for c in &mut px[..3] {
                    *c = ((*c as u16 * a + 127) / 255) as u8;
                }
            }
            let Some(tile) = Pixmap::from_vec(data, size) else {
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
            );
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

/// Renders `layers` for `view` (size in pixels) over an optional basemap.
pub fn render(
    view: &View,
    layers: &[(&PreparedLayer, &LayerStyle)],
    basemap: Option<&Source>,
    furniture: &Furniture,
) -> Result<Pixmap, String> {
    let mut pm = Pixmap::new(view.size.0.max(1.0) as u32, view.size.1.max(1.0) as u32)
        .ok_or("画像の大きさが不正です")?;
    pm.fill(Color::WHITE);
    if let Some(src) = basemap {
        draw_basemap(&mut pm, view, src);
    }
    let text = text::TextPainter::new().ok_or("フォントを読み込めません")?;
    let scene = scene::build(view, layers);
    raster::draw_scene(&mut pm, &scene, &text);
    let frame = [0.0, 0.0, pm.width() as f32, pm.height() as f32];
    let measure = |t: &str, size: f32| text.width(t, size);
    let mut items = Vec::new();
    if furniture.scale_bar {
        items.extend(layout::scale_bar(view, frame, &measure));
    }
    if furniture.north_arrow {
        items.extend(layout::north_arrow(frame, &measure));
    }
    if let Some((title, entries)) = &furniture.legend {
        items.extend(layout::legend(title, entries, frame, &measure));
    }
    if let Some(c) = &furniture.credits {
        items.extend(layout::credits(c, frame, &measure));
    }
    marks::draw_marks(&mut pm, &items, &text);
    Ok(pm)
}
