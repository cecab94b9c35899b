//! A map written as a file (外部出力): PNG, JPEG or vector PDF. The map layers in their
//! default styles, an optional uptake choropleth with its legend, an optional result drawn
//! over it (a search's or a list's located persons or institutions), a basemap (images
//! only), the title, scale bar, north arrow and credits. A map on paper (`paper`, in mm)
//! is laid out in points and rasterised at `dpi`. `app::Command::RenderMap` and the
//! export domain run it after the engine has checked 外部出力 and the allowed folders.

use std::path::Path;

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

/// The file a map is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MapFormat {
    #[default]
    Png,
    Jpeg,
    Pdf,
}

/// A result drawn over the map: its located points, named in the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    pub name: String,
    /// JGD2011 (lon, lat).
    pub points: Vec<[f64; 2]>,
}

/// The colour of a result drawn over the map.
pub const OVERLAY_COLOR: crate::map::Rgba = [200, 30, 45, 255];

/// The largest image drawn on paper, in pixels (A3 at 600 dpi is 70 million).
const MAX_PIXELS: f64 = 120e6;

/// A3 landscape, in mm.
pub const A3_LANDSCAPE: [f32; 2] = [420.0, 297.0];

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPng {
    pub format: MapFormat,
    /// Paper size in mm (then `width`/`height` are ignored and the image has `dpi`).
    pub paper: Option<[f32; 2]>,
    /// Dots per inch of an image on paper.
    pub dpi: u32,
    /// A title at the top of the map.
    pub title: Option<String>,
    pub overlay: Option<Overlay>,
    pub width: u32,
    pub height: u32,
    /// The extent (min lon, min lat, max lon, max lat); else `layer`'s; else all Nara.
    pub bbox: Option<[f64; 4]>,
    /// A layer (by its display name) whose extent is drawn.
    pub layer: Option<String>,
    /// Uptake per area of this level, fiscal year `fy`.
    pub choropleth: Option<Level>,
    /// How the choropleth is classed and coloured (the map screen's, or the default).
    pub style: ChoroplethSpec,
    /// The targets counted (sex, age band).
    pub filter: TargetFilter,
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
            format: MapFormat::Png,
            paper: None,
            dpi: 300,
            title: None,
            overlay: None,
            width: 1600,
            height: 1200,
            bbox: None,
            layer: None,
            choropleth: None,
            style: ChoroplethSpec::default(),
            filter: TargetFilter::default(),
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
    #[error(transparent)]
    Write(#[from] crate::export::ExportError),
    #[error("解像度は 36〜1200 dpi で指定してください（{0} dpi は描けません）。")]
    Dpi(u32),
    #[error(
        "画像が大きすぎます（{0}×{1} ピクセル。1 億 2000 万ピクセルまで）。解像度を下げてください（A3 なら 600 dpi まで）。"
    )]
    TooManyPixels(u32, u32),
}

/// A map drawn into a file's bytes.
pub struct DrawnMap {
    pub bytes: Vec<u8>,
    /// The zoom it was drawn at.
    pub zoom: u8,
    /// Its size in pixels (images) or points (PDF).
    pub size: [u32; 2],
}

/// Draws the map of `spec` and writes it to `out` (whole or not at all); returns the zoom
/// it was drawn at.
pub fn write_map_png(store: &Store, spec: &MapPng, out: &Path) -> Result<u8, MapPngError> {
    let drawn = draw_map(store, spec)?;
    crate::export::atomic::write(out, &drawn.bytes)?;
    Ok(drawn.zoom)
}

/// The map's size in points (the layout) and the raster scale.
fn layout_size(spec: &MapPng) -> Result<((f32, f32), f32), MapPngError> {
    match spec.paper {
        Some([w_mm, h_mm]) => {
            if !(36..=1200).contains(&spec.dpi) {
                return Err(MapPngError::Dpi(spec.dpi));
            }
            let pt = |mm: f32| mm / 25.4 * 72.0;
            let k = spec.dpi as f32 / 72.0;
            let (w, h) = (pt(w_mm), pt(h_mm));
            let size_ok =
                |v: f32| (SIZE_RANGE.0 as f32..=SIZE_RANGE.1 as f32).contains(&(v * k).round());
            if spec.format != MapFormat::Pdf {
                if !size_ok(w) || !size_ok(h) {
                    return Err(MapPngError::Size((w * k) as u32, (h * k) as u32));
                }
                // The pixmap is 4 bytes a pixel: 120 megapixels is 480 MB.
                if (w * k) as f64 * (h * k) as f64 > MAX_PIXELS {
                    return Err(MapPngError::TooManyPixels((w * k) as u32, (h * k) as u32));
                }
            }
            Ok(((w, h), k))
        }
        None => {
            let size_ok = |v: u32| (SIZE_RANGE.0..=SIZE_RANGE.1).contains(&v);
            if !size_ok(spec.width) || !size_ok(spec.height) {
                return Err(MapPngError::Size(spec.width, spec.height));
            }
            Ok(((spec.width as f32, spec.height as f32), 1.0))
        }
    }
}

/// The overlay as a point layer.
fn overlay_layer(o: &Overlay) -> crate::map::PreparedLayer {
    use crate::layers::{LayerIndex, LayerInfo};
    let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    let features: Vec<kenshin_parse::layers::model::Feature> = o
        .points
        .iter()
        .map(|p| {
            bbox = [
                bbox[0].min(p[0]),
                bbox[1].min(p[1]),
                bbox[2].max(p[0]),
                bbox[3].max(p[1]),
            ];
            kenshin_parse::layers::model::Feature {
                geom: geo::Geometry::Point(geo::Point::new(p[0], p[1])),
                attrs: vec![],
            }
        })
        .collect();
    if features.is_empty() {
        bbox = [0.0; 4];
    }
    let info = LayerInfo {
        id: -1,
        name: o.name.clone(),
        geometry_type: kenshin_parse::layers::model::GeometryType::Point,
        feature_count: features.len() as u64,
        source_crs: String::new(),
        bbox,
        fields: vec![],
        source_file: None,
        encoding: None,
        notes: vec![],
    };
    crate::map::PreparedLayer::new(LayerIndex::new(info, features))
}

/// Draws the map of `spec` into the bytes of its format.
pub fn draw_map(store: &Store, spec: &MapPng) -> Result<DrawnMap, MapPngError> {
    prepare_map(store, spec)?.paint(spec.format)
}

/// A map ready to paint: its layers styled (the choropleth applied), the overlay, the
/// view, the furniture and the basemap. `bench export` times [`PreparedMap::paint`].
pub struct PreparedMap {
    layers: crate::map::MapLayers,
    styles: Vec<LayerStyle>,
    overlay: Option<(crate::map::PreparedLayer, LayerStyle)>,
    view: View,
    /// Raster scale (dpi / 72 on paper).
    k: f32,
    furniture: super::Furniture,
    source: Option<Source>,
    title: String,
}

impl PreparedMap {
    /// The layers with their styles (the choropleth applied), the overlay last.
    pub fn refs(&self) -> Vec<(&crate::map::PreparedLayer, &LayerStyle)> {
        let mut refs: Vec<(&crate::map::PreparedLayer, &LayerStyle)> = self
            .layers
            .0
            .iter()
            .map(|l| l.as_ref())
            .zip(self.styles.iter())
            .collect();
        if let Some((l, s)) = &self.overlay {
            refs.push((l, s));
        }
        refs
    }

    /// Shows, hides and fades layers as a saved map has them (layers matched by name).
    pub fn apply_layer_states(&mut self, states: &[crate::map::document::LayerState]) {
        for st in states {
            if let Some((i, _)) = self.layers.find(&st.name)
                && let Some(style) = self.styles.get_mut(i)
            {
                style.visible = st.visible;
                style.opacity = st.opacity.clamp(0.0, 1.0);
                style.min_zoom = st.min_zoom;
            }
        }
    }

    /// The legend's title and entries, as the map screen shows them.
    pub fn legend(&self) -> Option<&(String, Vec<(crate::map::Rgba, String, bool)>)> {
        self.furniture.legend.as_ref()
    }

    /// The loaded layers.
    pub fn layers(&self) -> &crate::map::MapLayers {
        &self.layers
    }

    /// What the map frames of a page draw: the layers, the persons' points and the
    /// basemap.
    pub fn frames(&self) -> super::Frames<'_> {
        super::Frames {
            layers: self.refs(),
            insured: self.furniture.insured.clone(),
            basemap: self.source.as_ref(),
        }
    }

    /// Puts the institutions on top, as the map screen shows them (its conditions, the
    /// ones hidden by click, shown from zoom 11), then gives every layer its look from
    /// `states` (a saved map's; the institutions' included); and names their two kinds in
    /// the legend when a frame (the largest at `max_zoom`) draws them.
    pub fn add_facilities(
        &mut self,
        fl: &crate::map::facilities::FacilityLayer,
        filter: &crate::map::facilities::FacilityFilter,
        hidden: &[String],
        states: &[crate::map::document::LayerState],
        max_zoom: u8,
    ) {
        use crate::map::facilities::{CHECKUP_COLOR, DEFAULT_MIN_ZOOM, OTHER_COLOR};
        let ix = self.layers.upsert(fl.layer.clone());
        let mut style = LayerStyle {
            min_zoom: DEFAULT_MIN_ZOOM,
            ..Default::default()
        };
        fl.apply(&mut style, filter, hidden);
        if ix < self.styles.len() {
            self.styles[ix] = style;
        } else {
            self.styles.push(style);
        }
        self.apply_layer_states(states);
        let shown = self
            .styles
            .get(ix)
            .is_some_and(|s| s.visible && max_zoom >= s.min_zoom);
        if shown {
            self.legend_entries([
                (CHECKUP_COLOR, "健診実施機関（□）".to_string()),
                (OTHER_COLOR, "その他の医療機関（○）".to_string()),
            ]);
        }
    }

    /// Draws the persons' points (under the institutions) and adds their colours to the
    /// legend. Personal data: the caller has checked 個人情報の閲覧.
    pub fn set_insured(
        &mut self,
        points: crate::map::insured::InsuredPoints,
        coloring: crate::map::insured::PointColoring,
        from_zoom: u8,
    ) {
        let under = self
            .layers
            .find(crate::map::facilities::LAYER_NAME)
            .map(|(i, _)| i);
        self.furniture.insured = Some(std::sync::Arc::new(super::InsuredOnMap {
            points,
            coloring,
            from_zoom,
            under,
        }));
        self.legend_entries(
            coloring
                .legend()
                .into_iter()
                .map(|(c, l)| (c, format!("被保険者 {l}"))),
        );
    }

    fn legend_entries(&mut self, entries: impl IntoIterator<Item = (crate::map::Rgba, String)>) {
        let (_, list) = self
            .furniture
            .legend
            .get_or_insert_with(|| ("凡例".to_string(), Vec::new()));
        list.extend(entries.into_iter().map(|(c, l)| (c, l, false)));
    }

    /// The map rasterised at its dpi (an image before encoding).
    pub fn raster(&self) -> Result<tiny_skia::Pixmap, MapPngError> {
        self.raster_at(self.k)
    }

    fn raster_at(&self, k: f32) -> Result<tiny_skia::Pixmap, MapPngError> {
        super::render_scaled(
            &self.view,
            &self.refs(),
            self.source.as_ref(),
            &self.furniture,
            k,
        )
        .map_err(MapPngError::Render)
    }

    /// Paints the map as `format` at its own dpi.
    pub fn paint(&self, format: MapFormat) -> Result<DrawnMap, MapPngError> {
        self.paint_at(format, self.k)
    }

    /// Paints the map as `format`, an image `k` pixels a point (dpi / 72): one prepared
    /// map gives an export's picture and its smaller copy for a slide or a sheet.
    pub fn paint_at(&self, format: MapFormat, k: f32) -> Result<DrawnMap, MapPngError> {
        let view = &self.view;
        let bytes = match format {
            MapFormat::Pdf => super::render_pdf(
                view,
                &self.refs(),
                self.source.as_ref(),
                &self.furniture,
                &self.title,
            )
            .map_err(MapPngError::Render)?,
            MapFormat::Png => {
                let (w, h) = super::scaled_size(view, k);
                let refs = self.refs();
                crate::paint::png::encode_map_png_bands(w, h, |sink| {
                    let source = self.source.as_ref();
                    super::render_bands(view, &refs, source, &self.furniture, k, sink).map(|_| ())
                })
                .map_err(MapPngError::Render)?
            }
            MapFormat::Jpeg => {
                let pm = self.raster_at(k)?;
                crate::paint::png::encode_jpeg(&pm, 90).map_err(MapPngError::Render)?
            }
        };
        let (w, h) = view.size;
        let size = match format {
            MapFormat::Pdf => [w.round() as u32, h.round() as u32],
            _ => [(w * k).round() as u32, (h * k).round() as u32],
        };
        Ok(DrawnMap {
            bytes,
            zoom: view.zoom,
            size,
        })
    }
}

/// Loads and styles what `spec` draws.
pub fn prepare_map(store: &Store, spec: &MapPng) -> Result<PreparedMap, MapPngError> {
    let layers = crate::map::load_layers(store, &crate::paths::reference_dir())?;
    prepare_map_on(store, spec, layers)
}

/// Styles what `spec` draws over `layers` (loaded already, or kept between commands).
pub fn prepare_map_on(
    store: &Store,
    spec: &MapPng,
    layers: crate::map::MapLayers,
) -> Result<PreparedMap, MapPngError> {
    let ((w, h), k) = layout_size(spec)?;
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
    let view = View::fit(bbox, (w, h));
    let mut legend = None;
    if let Some(level) = spec.choropleth {
        // Suppressed at the admin's threshold, as the window shows it to everyone (a PNG
        // never reveals suppressed figures).
        let threshold = suppression::threshold(store.conn())?;
        let table = area_table(store.conn(), level, spec.fy, spec.filter, threshold, false)?;
        let cs = &spec.style;
        let (_, ch) = choropleth::apply_level(
            &layers,
            &mut styles,
            level,
            &choropleth::uptake_values(&table, cs.measure),
            cs,
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
    let overlay = spec.overlay.as_ref().map(overlay_layer);
    let overlay_style = LayerStyle {
        marker: Some((3.5, OVERLAY_COLOR)),
        stroke: None,
        ..Default::default()
    };
    if let Some(o) = &spec.overlay
        && spec.legend
    {
        let entry = (
            OVERLAY_COLOR,
            format!("{}（{}件）", o.name, o.points.len()),
            false,
        );
        match &mut legend {
            Some((_, entries)) => entries.push(entry),
            None => legend = Some((o.name.clone(), vec![entry])),
        }
    }
    let source = match &spec.basemap {
        Some(name) if name != "なし" => {
            let info = basemap::find(&basemap::default_maps_dir(), name)?;
            Some(Source::open(&info, Some(layers.clone()))?)
        }
        _ => None,
    };
    let furniture = super::Furniture {
        title: spec.title.clone(),
        legend,
        scale_bar: spec.scale_bar,
        north_arrow: spec.north_arrow,
        credits: Some(super::CREDITS.to_string()),
        insured: None,
    };
    Ok(PreparedMap {
        layers,
        styles,
        overlay: overlay.map(|o| (o, overlay_style)),
        view,
        k,
        furniture,
        source,
        title: spec.title.clone().unwrap_or_else(|| "地図".into()),
    })
}
