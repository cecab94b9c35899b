//! A map written as a PNG file (外部出力): the map layers in their default styles, an
//! optional uptake choropleth with its legend, a basemap, the scale bar, north arrow and
//! credits. `app::Command::RenderMap` runs it after the engine has checked 外部出力 and
//! the allowed folders; the CLI's `render` sends that command.

use std::path::{Path, PathBuf};

use crate::analysis::figures::area_table;
use crate::analysis::suppression;
use crate::analysis::uptake::{Level, TargetFilter};
use crate::basemap::{self, Source};
use crate::map::choropleth::{self, ChoroplethSpec};
use crate::map::scene::LayerStyle;
use crate::map::view::{NARA_BBOX, View};
use crate::store::Store;

/// Smallest and largest width or height of an exported map, in pixels.
pub const SIZE_RANGE: (u32, u32) = (16, 20_000);

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPng {
    pub width: u32,
    pub height: u32,
    /// The extent (min lon, min lat, max lon, max lat); else `layer`'s; else all Nara.
    pub bbox: Option<[f64; 4]>,
    /// A layer (by its display name) whose extent is drawn.
    pub layer: Option<String>,
    /// Uptake per area of this level, fiscal year `fy`.
    pub choropleth: Option<Level>,
    pub fy: i32,
    /// A basemap in `maps/` by name (`None` or 「なし」: none).
    pub basemap: Option<String>,
    pub legend: bool,
    pub scale_bar: bool,
    pub north_arrow: bool,
}

impl Default for MapPng {
    fn default() -> MapPng {
        MapPng {
            width: 1600,
            height: 1200,
            bbox: None,
            layer: None,
            choropleth: None,
            fy: 2021,
            basemap: None,
            legend: true,
            scale_bar: true,
            north_arrow: true,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MapPngError {
    #[error("画像の幅と高さは 16〜20000 ピクセルで指定してください（{0}×{1} は描けません）。")]
    Size(u32, u32),
    #[error("レイヤ「{0}」はありません（layer list で確認できます）。")]
    NoLayer(String),
    #[error("{level}のレイヤ「{layer}」がありません。")]
    NoLevelLayer {
        level: &'static str,
        layer: &'static str,
    },
    #[error(transparent)]
    Layers(#[from] crate::layers::LayerError),
    #[error("受診率を集計できません: {0}")]
    Uptake(#[from] duckdb::Error),
    #[error(transparent)]
    Figures(#[from] crate::analysis::figures::FiguresError),
    #[error(transparent)]
    Basemap(#[from] basemap::TileError),
    #[error("地図を描けません: {0}")]
    Render(String),
    #[error("{path} に書けません（{source}）。書き込める場所を指定してください。")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Draws the map of `spec` and writes it to `out` as PNG; returns the zoom it was drawn at.
pub fn write_map_png(store: &Store, spec: &MapPng, out: &Path) -> Result<u8, MapPngError> {
    let size_ok = |v: u32| (SIZE_RANGE.0..=SIZE_RANGE.1).contains(&v);
    if !size_ok(spec.width) || !size_ok(spec.height) {
        return Err(MapPngError::Size(spec.width, spec.height));
    }
    let layers = crate::map::load_layers(store, &crate::paths::reference_dir())?;
    let mut styles: Vec<LayerStyle> = crate::map::style::default_styles(&layers);
    let bbox = match (&spec.bbox, &spec.layer) {
        (Some(b), _) => *b,
        (None, Some(name)) => {
            let (_, l) = layers
                .find(name)
                .ok_or_else(|| MapPngError::NoLayer(name.clone()))?;
            l.index.info.bbox
        }
        (None, None) => NARA_BBOX,
    };
    let view = View::fit(bbox, (spec.width as f32, spec.height as f32));
    let mut legend = None;
    if let Some(level) = spec.choropleth {
        // Suppressed at the admin's threshold, as the window shows it to everyone (a PNG
        // never reveals suppressed figures).
        let threshold = suppression::threshold(store.conn())?;
        let table = area_table(
            store.conn(),
            level,
            spec.fy,
            TargetFilter::default(),
            threshold,
            false,
        )?;
        let cs = ChoroplethSpec::default();
        let (_, ch) = choropleth::apply_level(
            &layers,
            &mut styles,
            level,
            &choropleth::uptake_values(&table, cs.measure),
            &cs,
            |_| true,
        )
        .ok_or(MapPngError::NoLevelLayer {
            level: level.label(),
            layer: choropleth::level_layer(level).0,
        })?;
        if spec.legend {
            legend = Some((
                choropleth::legend_title(&table, cs.measure),
                ch.legend_entries(table.threshold),
            ));
        }
    }
    let source = match &spec.basemap {
        Some(name) if name != "なし" => {
            let info = basemap::find(&basemap::default_maps_dir(), name)?;
            Some(Source::open(&info, Some(layers.clone()))?)
        }
        _ => None,
    };
    let refs: Vec<(&crate::map::PreparedLayer, &LayerStyle)> = layers
        .0
        .iter()
        .map(|l| l.as_ref())
        .zip(styles.iter())
        .collect();
    let furniture = super::Furniture {
        legend,
        scale_bar: spec.scale_bar,
        north_arrow: spec.north_arrow,
        credits: Some(super::CREDITS.to_string()),
    };
    let pm =
        super::render(&view, &refs, source.as_ref(), &furniture).map_err(MapPngError::Render)?;
    let png = crate::paint::encode_png(&pm).map_err(MapPngError::Render)?;
    std::fs::write(out, png).map_err(|source| MapPngError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(view.zoom)
}
