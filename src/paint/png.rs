//! PNG and JPEG encoding of a painted pixmap.

use image::ImageEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use tiny_skia::Pixmap;

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

/// The pixmap's colours without alpha (a map export is painted on white, so opaque).
fn rgb(pm: &Pixmap) -> Vec<u8> {
    let data = pm.data();
    let mut out = vec![0u8; data.len() / 4 * 3];
    for (o, p) in out.chunks_exact_mut(3).zip(data.chunks_exact(4)) {
        o.copy_from_slice(&p[..3]);
    }
    out
}

/// An opaque map as an RGB PNG with fast compression: at A3 300 dpi (17 megapixels) the
/// default compression costs several times the painting; the file grows by about a third.
pub fn encode_map_png(pm: &Pixmap) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let e = PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Sub);
    write_rgb(pm, e)?;
    Ok(out)
}

/// An opaque map as JPEG at `quality` (1–100).
pub fn encode_jpeg(pm: &Pixmap, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    write_rgb(
        pm,
        JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100)),
    )?;
    Ok(out)
}

fn write_rgb(pm: &Pixmap, encoder: impl ImageEncoder) -> Result<(), String> {
    let (w, h) = (pm.width(), pm.height());
    encoder
        .write_image(&rgb(pm), w, h, image::ExtendedColorType::Rgb8)
        .map_err(|e| e.to_string())
}
