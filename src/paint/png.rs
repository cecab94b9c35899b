//! PNG and JPEG encoding of a painted pixmap.

use image::ImageEncoder;
use image::codecs::jpeg::JpegEncoder;
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

/// An opaque map of `width` × `height` as an RGB PNG with fast compression (at A3 300 dpi,
/// 17 megapixels, the default costs several times the painting; the file grows by about a
/// third) and the Sub filter, encoded band
/// by band: `paint` hands the bands, top to bottom, to the sink it is given, and each is
/// encoded while the next are still being painted.
pub fn encode_map_png_bands(
    width: u32,
    height: u32,
    paint: impl FnOnce(&mut dyn FnMut(Pixmap) -> Result<(), String>) -> Result<(), String>,
) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, width, height);
    e.set_color(png::ColorType::Rgb);
    e.set_depth(png::BitDepth::Eight);
    e.set_compression(png::Compression::Fast);
    e.set_filter(png::Filter::Sub);
    let mut writer = e.write_header().map_err(|e| e.to_string())?;
    let mut stream = writer.stream_writer().map_err(|e| e.to_string())?;
    paint(&mut |band: Pixmap| stream.write_all(&rgb(&band)).map_err(|e| e.to_string()))?;
    stream.finish().map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
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
