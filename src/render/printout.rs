//! A print layout with its content, ready to paint: the map its frames show (the layout's
//! saved map settings, or the municipalities' uptake of the latest year) with the
//! institutions as the map screen shows them, the persons' points when the map has them
//! on, and its basemap; that map's legend; and its table (uptake per area of the map's
//! level, suppressed), laid out into as many pages as the table needs (the page repeats
//! with the table continued).

use super::export::{MapFormat, MapPng, MapPngError, PreparedMap, prepare_map_on};
use crate::analysis::figures::area_table;
use crate::analysis::suppression;
use crate::analysis::uptake::{Level, TargetFilter};
use crate::layout::numbers::{HIDDEN, count, percent};
use crate::layout::{Composed, Content, Layout, PageTable, compose};
use crate::store::Store;

/// The pages of a layout and the map they draw.
pub struct Printout {
    pub title: String,
    map: PreparedMap,
    pub pages: Vec<Composed>,
    /// The persons' points are drawn (personal data on the page).
    pub personal: bool,
}

/// Whether `layout`'s map draws the persons' points (the caller checks 個人情報の閲覧
/// before [`prepare`]).
pub fn shows_persons(layout: &Layout) -> bool {
    layout.map.as_ref().is_some_and(|d| d.insured_on)
}

/// The uptake table of a level, as printed.
fn uptake_table(
    store: &Store,
    level: Level,
    fy: i32,
    filter: TargetFilter,
) -> Result<PageTable, MapPngError> {
    let threshold = suppression::threshold(store.conn())?;
    let rows = area_table(store.conn(), level, fy, filter, threshold, false)?.rows();
    let shown = |v: Option<String>| v.unwrap_or_else(|| HIDDEN.into());
    Ok(PageTable {
        columns: ["コード", level.label(), "対象者", "受診者", "受診率"]
            .map(String::from)
            .to_vec(),
        numeric: vec![false, false, true, true, true],
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    r.code,
                    r.name,
                    shown(r.targets.map(count)),
                    shown(r.attendees.map(count)),
                    shown(r.rate.map(percent)),
                ]
            })
            .collect(),
    })
}

/// Lays `layout` out with its map and table; the map's layers and institutions come from
/// `maps` (kept between commands).
pub fn prepare(
    store: &Store,
    layout: &Layout,
    maps: &mut crate::map::cache::MapCache,
) -> Result<Printout, MapPngError> {
    let layers = maps.layers(store, &crate::paths::reference_dir())?;
    let latest = crate::store::fiscal_years(store.conn())
        .ok()
        .and_then(|y| y.last().copied())
        .unwrap_or(2021);
    let (level, fy, filter, style) = match &layout.map {
        Some(d) => (d.level, d.fy, d.filter, d.spec.clone()),
        None => (
            Level::Municipality,
            latest,
            TargetFilter::default(),
            Default::default(),
        ),
    };
    let spec = MapPng {
        format: MapFormat::Pdf,
        paper: Some(layout.page.size_mm()),
        choropleth: Some(level),
        fy,
        filter,
        style,
        basemap: layout.map.as_ref().and_then(|d| d.basemap.clone()),
        ..Default::default()
    };
    let mut map = prepare_map_on(store, &spec, layers)?;
    // The institutions, counts under the threshold withheld whoever prints (paper leaves
    // the room); drawn from zoom 11 unless the map says otherwise; every layer as the map
    // has it.
    let fl = maps.facilities(store, fy)?;
    let doc = layout.map.as_ref();
    let measure = super::page::measure().map_err(MapPngError::Render)?;
    // The frames' zooms (the legend names the institutions only if a frame draws them).
    let bare = Content {
        credits: super::CREDITS,
        ..Default::default()
    };
    let max_zoom = compose(layout, &bare, &measure)
        .maps
        .iter()
        .map(|m| m.view.zoom)
        .max()
        .unwrap_or(0);
    map.add_facilities(
        &fl,
        &doc.map(|d| d.facility_filter.clone()).unwrap_or_default(),
        doc.map_or(&[][..], |d| &d.facility_hidden),
        doc.map_or(&[][..], |d| &d.layers),
        max_zoom,
    );
    let personal = shows_persons(layout);
    if let Some(d) = doc.filter(|_| personal) {
        let points = crate::map::insured::InsuredPoints::load(store.conn(), fy)?;
        map.set_insured(points, d.insured_coloring, d.insured_from_zoom);
    }
    let has_table = layout
        .items
        .iter()
        .any(|i| i.kind == crate::layout::ItemKind::Table);
    let table = if has_table {
        Some(uptake_table(store, level, fy, filter)?)
    } else {
        None
    };
    let mut pages = Vec::new();
    let mut from = 0;
    loop {
        let content = Content {
            legend: map.legend(),
            table: table.as_ref(),
            table_from: from,
            credits: super::CREDITS,
            ..Default::default()
        };
        let page = compose(layout, &content, &measure);
        let rest = page.table_rest;
        pages.push(page);
        match &table {
            Some(t) if rest > 0 => from = t.rows.len() - rest,
            _ => break,
        }
    }
    Ok(Printout {
        title: layout.name.clone(),
        map,
        pages,
        personal,
    })
}

impl Printout {
    /// All pages as one PDF.
    pub fn pdf(&self) -> Result<Vec<u8>, MapPngError> {
        let pages: Vec<super::page::PdfPage<'_>> = self
            .pages
            .iter()
            .map(|p| super::page::PdfPage {
                page: p,
                bookmark: None,
            })
            .collect();
        super::page::pdf(&pages, &self.map.frames(), &self.title).map_err(MapPngError::Render)
    }

    /// Page `i` as a PNG at `dpi`.
    pub fn png(&self, i: usize, dpi: u32) -> Result<Vec<u8>, MapPngError> {
        let pages: Vec<&Composed> = self.pages.iter().collect();
        super::page::page_png(&pages, i, &self.map.frames(), dpi)
    }

    /// Page `i` rasterised `k` pixels a point (a printer's resolution, or a preview).
    pub fn raster(&self, i: usize, k: f32) -> Result<tiny_skia::Pixmap, MapPngError> {
        let p = self
            .pages
            .get(i)
            .ok_or_else(|| MapPngError::Render("ページがありません".into()))?;
        super::page::raster(p, &self.map.frames(), k).map_err(MapPngError::Render)
    }
}
