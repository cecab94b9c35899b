//! Offline basemaps: tile sets found in `maps/` (MBTiles, PMTiles, or an XYZ folder of
//! PNG/JPEG tiles as `{z}/{x}/{y}.png`), plus the built-in 標準 basemap rendered from the
//! bundled layers into `maps/標準/` (an XYZ folder), up to zoom 14 by `tiles build`
//! and lazily beyond. An admin installs an aerial set by copying its file into `maps/`.

pub mod builtin;
pub mod loader;
pub mod mbtiles;
pub use kenshin_parse::pmtiles;

use std::path::{Path, PathBuf};

pub use kenshin_parse::tiles::TileError;

/// The basemap directory: `$KENSHIN_MAPS_DIR`, else `maps/` in the working directory.
pub fn default_maps_dir() -> PathBuf {
    std::env::var_os("KENSHIN_MAPS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("maps"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Kind {
    /// Rendered from the bundled layers (cache in `maps/標準`).
    Builtin,
    Xyz,
    MbTiles,
    PmTiles,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Builtin => "内蔵",
            Kind::Xyz => "XYZ フォルダ",
            Kind::MbTiles => "MBTiles",
            Kind::PmTiles => "PMTiles",
        }
    }
}

/// One basemap the UI can offer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BasemapInfo {
    pub name: String,
    pub kind: Kind,
    pub path: PathBuf,
}

fn is_xyz_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.flatten()
            .any(|e| e.path().is_dir() && e.file_name().to_string_lossy().parse::<u8>().is_ok())
    })
}

/// Every basemap in `maps_dir`, the built-in 標準 first. (なし — no basemap — is the UI's.)
pub fn list(maps_dir: &Path) -> Vec<BasemapInfo> {
    let mut out = vec![BasemapInfo {
        name: builtin::NAME.to_string(),
        kind: Kind::Builtin,
        path: maps_dir.join(builtin::NAME),
    }];
    let mut found: Vec<BasemapInfo> = std::fs::read_dir(maps_dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    let path = e.path();
                    // Files by their full name (a.mbtiles and a.pmtiles may sit side by side).
                    let name = path.file_name()?.to_string_lossy().into_owned();
                    if name == builtin::NAME && path.is_dir() {
                        return None;
                    }
                    let ext = path
                        .extension()
                        .map(|x| x.to_string_lossy().to_ascii_lowercase());
                    let kind = match ext.as_deref() {
                        Some("mbtiles") => Kind::MbTiles,
                        Some("pmtiles") => Kind::PmTiles,
                        _ if path.is_dir() && is_xyz_dir(&path) => Kind::Xyz,
                        _ => return None,
                    };
                    Some(BasemapInfo { name, kind, path })
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(found);
    out
}

/// An open tile set.
pub enum Source {
    Xyz(PathBuf),
    MbTiles(mbtiles::MbTiles),
    PmTiles(pmtiles::PmTiles),
    Builtin(builtin::Builtin),
}

impl Source {
    /// Opens `info`. The built-in set renders missing tiles from `layers`.
    pub fn open(
        info: &BasemapInfo,
        layers: Option<crate::map::MapLayers>,
    ) -> Result<Source, TileError> {
        Ok(match info.kind {
            Kind::Xyz => Source::Xyz(info.path.clone()),
            Kind::MbTiles => Source::MbTiles(mbtiles::MbTiles::open(&info.path)?),
            Kind::PmTiles => Source::PmTiles(pmtiles::PmTiles::open(&info.path)?),
            Kind::Builtin => Source::Builtin(builtin::Builtin::new(info.path.clone(), layers)),
        })
    }

    /// The lowest and highest zoom the set has (the built-in set renders any zoom).
    pub fn zoom_range(&self) -> Option<(u8, u8)> {
        match self {
            Source::Xyz(dir) => std::fs::read_dir(dir)
                .ok()?
                .flatten()
                .filter_map(|e| e.file_name().to_string_lossy().parse::<u8>().ok())
                .fold(None, |r, z| {
                    Some(r.map_or((z, z), |(a, b): (u8, u8)| (a.min(z), b.max(z))))
                }),
            Source::MbTiles(m) => m.zoom_range(),
            Source::PmTiles(p) => Some(p.zoom_range()),
            Source::Builtin(_) => Some((
                crate::geo::mercator::MIN_ZOOM,
                crate::geo::mercator::MAX_ZOOM,
            )),
        }
    }

    /// The encoded image of tile z/x/y, or `None` where the set has no tile.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Option<Vec<u8>> {
        match self {
            Source::Xyz(dir) => ["png", "jpg", "jpeg"]
                .iter()
                .find_map(|ext| std::fs::read(dir.join(format!("{z}/{x}/{y}.{ext}"))).ok()),
            Source::MbTiles(m) => m.tile(z, x, y),
            Source::PmTiles(p) => p.tile(z, x, y),
            Source::Builtin(b) => b.tile(z, x, y),
        }
    }
}

/// Decodes a PNG or JPEG tile to RGBA (width, height, pixels).
pub fn decode(bytes: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    let img = image::load_from_memory(bytes).ok()?.to_rgba8();
    Some((img.width(), img.height(), img.into_raw()))
}

/// Finds a basemap by name in `maps_dir`.
pub fn find(maps_dir: &Path, name: &str) -> Result<BasemapInfo, TileError> {
    list(maps_dir)
        .into_iter()
        .find(|b| b.name == name)
        .ok_or_else(|| TileError::NotFound(name.to_string()))
}
