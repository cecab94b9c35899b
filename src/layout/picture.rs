//! An image item's picture (a logo, the federation's seal): a PNG or JPEG file taken into
//! the layout, kept as base64 in its JSON so that a saved layout carries its picture
//! (no path that may be gone when the layout is printed next year). Checked when taken in
//! and when a layout is read: at most 2 MB and 4,000 pixels a side, and it must decode.

use std::path::Path;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;

/// The largest picture file taken in.
pub const MAX_BYTES: usize = 2 << 20;
/// The longest side, in pixels.
pub const MAX_SIDE: u32 = 4000;

/// A picture as the layout keeps it: its file name (shown in the item list) and the file's
/// bytes.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Picture {
    pub name: String,
    #[serde(with = "base64_bytes")]
    pub data: Vec<u8>,
    /// Decoded once and shared by every page and painter that draws it.
    #[serde(skip)]
    decoded: std::sync::OnceLock<Arc<Decoded>>,
}

impl PartialEq for Picture {
    fn eq(&self, other: &Picture) -> bool {
        self.name == other.name && self.data == other.data
    }
}

/// The bytes are left out: a layout in a log or an error shows the name only.
impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Picture({}, {} bytes)", self.name, self.data.len())
    }
}

pub use crate::map::furniture::Raster as Decoded;

#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("画像「{name}」を読めません: {source}")]
    Read {
        name: String,
        source: std::io::Error,
    },
    #[error("画像「{name}」は {size} バイトあります。2 MB までの PNG か JPEG にしてください。")]
    TooLarge { name: String, size: u64 },
    #[error("画像「{name}」は PNG でも JPEG でもないか、壊れています（{why}）。")]
    Format { name: String, why: String },
    #[error("画像「{name}」は大きすぎます。一辺 {MAX_SIDE} ピクセルまでに縮めてください。")]
    Limits { name: String },
    #[error(
        "画像「{name}」は {w}×{h} ピクセルあります。一辺 {MAX_SIDE} ピクセルまでに縮めてください。"
    )]
    Side { name: String, w: u32, h: u32 },
}

impl Picture {
    /// A picture of `data` (checked when decoded).
    pub fn new(name: String, data: Vec<u8>) -> Picture {
        Picture {
            name,
            data,
            decoded: Default::default(),
        }
    }

    /// Takes in the file at `path`, checked.
    pub fn from_file(path: &Path) -> Result<Picture, PictureError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let size = std::fs::metadata(path)
            .map_err(|source| PictureError::Read {
                name: name.clone(),
                source,
            })?
            .len();
        if size > MAX_BYTES as u64 {
            return Err(PictureError::TooLarge { name, size });
        }
        let data = std::fs::read(path).map_err(|source| PictureError::Read {
            name: name.clone(),
            source,
        })?;
        let p = Picture::new(name, data);
        p.decode()?;
        Ok(p)
    }

    /// The picture decoded (once), its size checked.
    pub fn decode(&self) -> Result<Arc<Decoded>, PictureError> {
        if let Some(d) = self.decoded.get() {
            return Ok(d.clone());
        }
        let d = self.decode_now()?;
        Ok(self.decoded.get_or_init(|| d).clone())
    }

    fn decode_now(&self) -> Result<Arc<Decoded>, PictureError> {
        let name = || self.name.clone();
        if self.data.len() > MAX_BYTES {
            return Err(PictureError::TooLarge {
                name: name(),
                size: self.data.len() as u64,
            });
        }
        let format = match self.data.get(..4) {
            Some([0x89, b'P', b'N', b'G']) => image::ImageFormat::Png,
            Some([0xFF, 0xD8, 0xFF, _]) => image::ImageFormat::Jpeg,
            _ => {
                return Err(PictureError::Format {
                    name: name(),
                    why: "先頭が PNG・JPEG の形ではありません".into(),
                });
            }
        };
        let mut reader = image::ImageReader::with_format(std::io::Cursor::new(&self.data), format);
        // The limits stop a small file that claims a huge image before it is allocated.
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(4 * u64::from(MAX_SIDE) * u64::from(MAX_SIDE));
        reader.limits(limits);
        let img = reader.decode().map_err(|e| match e {
            image::ImageError::Limits(_) => PictureError::Limits { name: name() },
            e => PictureError::Format {
                name: name(),
                why: e.to_string(),
            },
        })?;
        let (w, h) = (img.width(), img.height());
        if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
            return Err(PictureError::Side { name: name(), w, h });
        }
        Ok(Arc::new(Decoded {
            width: w,
            height: h,
            rgba: img.into_rgba8().into_raw(),
        }))
    }
}

mod base64_bytes {
    use super::STANDARD;
    use base64::Engine as _;

    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(v))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s: String = serde::Deserialize::deserialize(d)?;
        STANDARD
            .decode(s.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_fn(w, h, |x, _| {
            if x < w / 2 {
                image::Rgba([200, 30, 45, 255])
            } else {
                image::Rgba([0, 0, 0, 0])
            }
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_png_is_taken_in_kept_as_base64_and_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ロゴ.png");
        std::fs::write(&path, png(40, 20)).unwrap();
        let p = Picture::from_file(&path).unwrap();
        assert_eq!(p.name, "ロゴ.png");
        let json = serde_json::to_string(&p).unwrap();
        assert!(
            json.contains("iVBORw0KGgo"),
            "base64 of the PNG signature: {json}"
        );
        let back: Picture = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        let d = back.decode().unwrap();
        assert_eq!((d.width, d.height), (40, 20));
        assert_eq!(&d.rgba[..4], &[200, 30, 45, 255]);
        assert_eq!(d.rgba[4 * 39 + 3], 0, "the right half is transparent");
        // Fitted into a square: full width, centred vertically.
        assert_eq!(d.fit([10.0, 10.0, 100.0, 100.0]), [10.0, 35.0, 100.0, 50.0]);
    }

    #[test]
    fn other_files_are_refused_with_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("名簿.csv");
        std::fs::write(&text, "氏名,住所\n").unwrap();
        let e = Picture::from_file(&text).unwrap_err().to_string();
        assert!(
            e.contains("名簿.csv") && e.contains("PNG でも JPEG でもない"),
            "{e}"
        );
        // A PNG cut short.
        let cut = dir.path().join("cut.png");
        std::fs::write(&cut, &png(40, 20)[..60]).unwrap();
        let e = Picture::from_file(&cut).unwrap_err().to_string();
        assert!(e.contains("cut.png"), "{e}");
        // A header claiming 100,000 × 100,000 pixels is stopped before it is allocated.
        let mut huge = png(1, 1);
        huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let p = Picture::new("huge.png".into(), huge);
        assert!(p.decode().is_err());
        let big = dir.path().join("big.png");
        std::fs::write(&big, vec![0u8; MAX_BYTES + 1]).unwrap();
        let e = Picture::from_file(&big).unwrap_err().to_string();
        assert!(e.contains("2 MB"), "{e}");
    }
}
