//! The CPU map renderer (tiny-skia): the same [`Scene`](crate::map::scene::Scene) the
//! window draws, rasterised for basemap tiles and map exports, with optional legend, scale
//! bar, north arrow and credits. No egui here: the CLI and tests render without a window.

pub mod export;
pub mod overlay;
pub mod raster;
pub mod text;

use tiny_skia::{Color, Pixmap};

use crate::basemap::Source;
use crate::map::PreparedLayer;
use crate::map::Rgba;
use crate::map::scene::{self, LayerStyle};
use crate::map::view::View;

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

/// Encodes a pixmap (premultiplied RGBA) as PNG.
pub fn encode_png(pm: &Pixmap) -> Result<Vec<u8>, String> {
    let mut rgba = Vec::with_capacity(pm.data().len());
    for p in pm.pixels() {
        let c = p.demultiply();
        rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    let img = image::RgbaImage::from_raw(pm.width(), pm.height(), rgba)
        .ok_or("画像の大きさが不正です")?;
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// Draws the basemap tiles under `view` (scaled from the nearest zoom the set has).
fn draw_basemap(pm: &mut Pixmap, view: &View, source: &Source) {
    let z = view.zoom;
    let scale = crate::geo::mercator::world_px(z as f64);
    let (cx, cy) = (view.center.0 * scale, view.center.1 * scale);
    let (w, h) = (view.size.0 as f64, view.size.1 as f64);
    let (left, top) = (cx - w / 2.0, cy - h / 2.0);
    let n = 1u32 << z;
    let tx0 = (left / 256.0).floor().max(0.0) as u32;
    let ty0 = (top / 256.0).floor().max(0.0) as u32;
    let tx1 = (((left + w) / 256.0).floor() as u32).min(n - 1);
    let ty1 = (((top + h) / 256.0).floor() as u32).min(n - 1);
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
            let x = (tx as f64 * 256.0 - left) as f32;
            let y = (ty as f64 * 256.0 - top) as f32;
            let t = tiny_skia::Transform::from_row(
                256.0 / tw as f32,
                0.0,
                0.0,
                256.0 / th as f32,
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
    if let Some((title, entries)) = &furniture.legend {
        overlay::legend(&mut pm, title, entries, &text);
    }
    if furniture.scale_bar {
        overlay::scale_bar(&mut pm, view, &text);
    }
    if furniture.north_arrow {
        overlay::north_arrow(&mut pm, &text);
    }
    if let Some(c) = &furniture.credits {
        overlay::credits(&mut pm, c, &text);
    }
    Ok(pm)
}
