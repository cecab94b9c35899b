//! The built-in 標準 basemap of Nara, rendered from the bundled layers with the CPU
//! renderer: land and the prefecture outline, municipality boundaries, faint small-area
//! lines (zoom 12+), railway lines and stations, and labels (municipalities from zoom 8,
//! stations from 12, small areas from 14).
//!
//! Tiles are rendered in blocks of up to 8×8 (a metatile), so that labels are placed
//! once per block rather than cut at every tile edge, and cached as an XYZ folder.
//! `tiles build` fills the cache up to zoom 14 (about 2,600 tiles touch Nara); beyond it
//! tiles are rendered when first asked for and cached.

use std::path::{Path, PathBuf};

use tiny_skia::{Color, Pixmap};

use super::TileError;
use crate::geo::mercator;
use crate::job::Progress;
use crate::layers::bundled;
use crate::map::MapLayers;
use crate::map::scene::{self, Fill, LayerStyle};
use crate::map::view::{NARA_BBOX, View};
use crate::paint::text::TextPainter;

pub const NAME: &str = "標準";
/// Zoom up to which `tiles build` fills the cache.
pub const PREBUILT_MAX_ZOOM: u8 = 14;
const TILE: u32 = 256;
const BACKGROUND: [u8; 4] = [226, 228, 230, 255];

/// The layers of the basemap and their look, bottom to top.
fn styles(layers: &MapLayers) -> Vec<(usize, LayerStyle)> {
    let field = |name: &str, f: &str| {
        layers
            .find(name)
            .and_then(|(_, l)| l.index.info.field_index(f))
    };
    let mut out = Vec::new();
    let mut add = |name: &str, style: LayerStyle| {
        if let Some((i, _)) = layers.find(name) {
            out.push((i, style));
        }
    };
    // The prefecture outline: a wide stroke under the land fill shows only outside.
    add(
        bundled::MUNICIPALITIES,
        LayerStyle {
            stroke: Some((4.0, [110, 90, 150, 255])),
            ..Default::default()
        },
    );
    add(
        bundled::MUNICIPALITIES,
        LayerStyle {
            fill: Fill::Solid([250, 248, 242, 255]),
            stroke: None,
            ..Default::default()
        },
    );
    add(
        bundled::SMALL_AREAS,
        LayerStyle {
            stroke: Some((0.6, [215, 208, 196, 255])),
            ..Default::default()
        },
    );
    add(
        bundled::MUNICIPALITIES,
        LayerStyle {
            stroke: Some((1.2, [150, 138, 176, 255])),
            label: field(bundled::MUNICIPALITIES, bundled::MUNICIPALITY_NAME).map(|f| (f, 8)),
            ..Default::default()
        },
    );
    add(
        bundled::RAILWAYS,
        LayerStyle {
            stroke: Some((2.0, [90, 90, 90, 255])),
            ..Default::default()
        },
    );
    add(
        bundled::STATIONS,
        LayerStyle {
            stroke: None,
            marker: Some((3.5, [60, 60, 60, 255])),
            label: field(bundled::STATIONS, "name").map(|f| (f, 12)),
            ..Default::default()
        },
    );
    add(
        bundled::SMALL_AREAS,
        LayerStyle {
            stroke: None,
            label: field(bundled::SMALL_AREAS, bundled::SMALL_AREA_NAME).map(|f| (f, 14)),
            ..Default::default()
        },
    );
    // Small-area lines only from zoom 12: at lower zooms they would be a grey smear.
    out
}

/// Renders an n×n block of tiles whose top-left tile is (x, y) at zoom z.
pub fn render_block(
    layers: &MapLayers,
    text: &TextPainter,
    z: u8,
    x: u32,
    y: u32,
    n: u32,
) -> Option<Pixmap> {
    let size = TILE * n;
    let scale = mercator::world_px(z as f64);
    let view = View::new(
        (
            (x as f64 * 256.0 + size as f64 / 2.0) / scale,
            (y as f64 * 256.0 + size as f64 / 2.0) / scale,
        ),
        z,
        (size as f32, size as f32),
    );
    let styles: Vec<(usize, LayerStyle)> = styles(layers)
        .into_iter()
        .filter(|(i, s)| {
            // Small-area outlines from zoom 12.
            !(layers.0[*i].index.info.name == bundled::SMALL_AREAS && s.stroke.is_some() && z < 12)
        })
        .collect();
    let refs: Vec<(&crate::map::PreparedLayer, &LayerStyle)> = styles
        .iter()
        .map(|(i, s)| (layers.0[*i].as_ref(), s))
        .collect();
    let scene = scene::build(&view, &refs);
    let mut pm = Pixmap::new(size, size)?;
    pm.fill(Color::from_rgba8(
        BACKGROUND[0],
        BACKGROUND[1],
        BACKGROUND[2],
        BACKGROUND[3],
    ));
    crate::paint::raster::draw_scene(&mut pm, &scene, text);
    Some(pm)
}

/// Cuts tile (i, j) of a rendered block and encodes it as PNG.
fn cut_png(block: &Pixmap, i: u32, j: u32) -> Result<Vec<u8>, TileError> {
    let rect = tiny_skia::IntRect::from_xywh((i * TILE) as i32, (j * TILE) as i32, TILE, TILE)
        .ok_or_else(|| TileError::Encode("tile rectangle".into()))?;
    let tile = block
        .clone_rect(rect)
        .ok_or_else(|| TileError::Encode("tile cut".into()))?;
    crate::paint::encode_png(&tile).map_err(TileError::Encode)
}

/// The tiles touching Nara at zoom z: (x0, y0, x1, y1) inclusive.
pub fn nara_tiles(z: u8) -> (u32, u32, u32, u32) {
    let (wx0, wy0) = mercator::lonlat_to_world(NARA_BBOX[0], NARA_BBOX[3]);
    let (wx1, wy1) = mercator::lonlat_to_world(NARA_BBOX[2], NARA_BBOX[1]);
    let (x0, y0) = mercator::tile_of(wx0, wy0, z);
    let (x1, y1) = mercator::tile_of(wx1, wy1, z);
    (x0, y0, x1, y1)
}

/// Renders every tile touching Nara from zoom 1 to `max_zoom` and hands each PNG to `sink`.
/// Returns the number of tiles rendered (fewer when cancelled).
pub fn render_tiles(
    layers: &MapLayers,
    max_zoom: u8,
    progress: &Progress,
    mut sink: impl FnMut((u8, u32, u32), Vec<u8>) -> Result<(), TileError>,
) -> Result<u64, TileError> {
    const META: u32 = 8;
    let text = TextPainter::new().ok_or_else(|| TileError::Encode("font".into()))?;
    let mut written = 0u64;
    let max_zoom = max_zoom.clamp(mercator::MIN_ZOOM, mercator::MAX_ZOOM);
    for z in mercator::MIN_ZOOM..=max_zoom {
        let (x0, y0, x1, y1) = nara_tiles(z);
        for bx in (x0..=x1).step_by(META as usize) {
            for by in (y0..=y1).step_by(META as usize) {
                if progress.is_cancelled() {
                    return Ok(written);
                }
                let n = META.min(x1 - bx + 1).max(META.min(y1 - by + 1));
                let Some(block) = render_block(layers, &text, z, bx, by, n) else {
                    continue;
                };
                for i in 0..n.min(x1 - bx + 1) {
                    for j in 0..n.min(y1 - by + 1) {
                        sink((z, bx + i, by + j), cut_png(&block, i, j)?)?;
                        written += 1;
                    }
                }
            }
        }
        progress.set(
            z as f32 / max_zoom as f32,
            format!("背景地図「{NAME}」: ズーム {z} まで {written} 枚"),
        );
    }
    Ok(written)
}

/// [`render_tiles`] into `dir` as an XYZ folder (`{z}/{x}/{y}.png`).
pub fn build_cache(
    layers: &MapLayers,
    dir: &Path,
    max_zoom: u8,
    progress: &Progress,
) -> Result<u64, TileError> {
    render_tiles(layers, max_zoom, progress, |(z, x, y), png| {
        let folder = dir.join(format!("{z}/{x}"));
        let path = folder.join(format!("{y}.png"));
        std::fs::create_dir_all(&folder)
            .and_then(|()| std::fs::write(&path, png))
            .map_err(|source| TileError::Io { path, source })
    })
}

/// How [`export`] stores a tile set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileFormat {
    /// A folder `{z}/{x}/{y}.png`.
    Xyz,
    /// One SQLite file.
    Mbtiles,
    /// One PMTiles v3 file.
    Pmtiles,
}

/// Renders the built-in basemap to zoom `max_zoom` as `format` at `out` (default: the
/// cache folder `maps/標準`, or `maps/標準_書き出し.mbtiles|pmtiles`). Returns the tiles
/// written and where.
pub fn export(
    layers: &MapLayers,
    maps_dir: &Path,
    format: TileFormat,
    max_zoom: u8,
    out: Option<PathBuf>,
    progress: &Progress,
) -> Result<(u64, PathBuf), TileError> {
    if format == TileFormat::Xyz {
        let dir = out.unwrap_or_else(|| maps_dir.join(NAME));
        return Ok((build_cache(layers, &dir, max_zoom, progress)?, dir));
    }
    let ext = if format == TileFormat::Mbtiles {
        "mbtiles"
    } else {
        "pmtiles"
    };
    let path = out.unwrap_or_else(|| maps_dir.join(format!("{NAME}_書き出し.{ext}")));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| TileError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let mut tiles = Vec::new();
    let n = render_tiles(layers, max_zoom, progress, |k, png| {
        tiles.push((k, png));
        Ok(())
    })?;
    if format == TileFormat::Mbtiles {
        super::mbtiles::write(&path, NAME, &tiles, true, NARA_BBOX)?;
    } else {
        super::pmtiles::write(&path, &tiles, true, NARA_BBOX)?;
    }
    Ok((n, path))
}

/// The built-in set: the cache folder, and the layers to render missing tiles from.
pub struct Builtin {
    dir: PathBuf,
    layers: Option<MapLayers>,
    text: Option<TextPainter>,
}

impl Builtin {
    pub fn new(dir: PathBuf, layers: Option<MapLayers>) -> Builtin {
        Builtin {
            dir,
            layers,
            text: TextPainter::new(),
        }
    }

    /// A cached tile, or one rendered now (and cached) when the layers are at hand.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Option<Vec<u8>> {
        let path = self.dir.join(format!("{z}/{x}/{y}.png"));
        if let Ok(bytes) = std::fs::read(&path) {
            return Some(bytes);
        }
        let (layers, text) = (self.layers.as_ref()?, self.text.as_ref()?);
        let block = render_block(layers, text, z, x, y, 1)?;
        let png = cut_png(&block, 0, 0).ok()?;
        // A cache that cannot be written (read-only folder) still gives the tile.
        if let Some(parent) = path.parent()
            && std::fs::create_dir_all(parent).is_ok()
        {
            let tmp = path.with_extension("png.tmp");
            if std::fs::write(&tmp, &png).is_ok() {
                let _ = std::fs::rename(&tmp, &path);
            }
        }
        Some(png)
    }
}
