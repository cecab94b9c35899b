//! PNG encoding of a painted pixmap.

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
