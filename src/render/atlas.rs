//! The municipal atlas (市町村別地図帳): one A3 landscape page per municipality, in code
//! order. Each page holds the map zoomed to the municipality with its small areas' uptake,
//! its figures by sex and age band (targets, attendees, rate, and the change from the
//! previous fiscal year), the legend and the credits. The classes are computed once over
//! every small area, so the same colour means the same rate on every page. Figures follow
//! the suppression rule (never revealed here). One PDF with a bookmark per municipality,
//! or one PNG per page.

use geo::BoundingRect;

use super::export::{A3_LANDSCAPE, MapFormat, MapPng, MapPngError, PreparedMap, prepare_map};
use crate::analysis::figures::{AreaRow, every_cell};
use crate::analysis::suppression;
use crate::analysis::uptake::{Level, TargetFilter};
use crate::layout::numbers::{HIDDEN, count, percent, points};
use crate::layout::{Composed, Content, PageTable, compose, templates};
use crate::map::choropleth;
use crate::store::Store;

/// One municipality's page.
pub struct AtlasPage {
    pub code: String,
    pub name: String,
    pub composed: Composed,
}

/// The atlas laid out: the styled map every page draws, and the pages.
pub struct Atlas {
    pub fy: i32,
    map: PreparedMap,
    pub pages: Vec<AtlasPage>,
}

/// A municipality's table: a row per sex × age cell.
fn figures_table(
    now: &[(TargetFilter, Vec<AreaRow>)],
    before: &[(TargetFilter, Vec<AreaRow>)],
    code: &str,
) -> PageTable {
    let find = |cells: &[(TargetFilter, Vec<AreaRow>)], f: TargetFilter| -> Option<AreaRow> {
        let (_, rows) = cells.iter().find(|(g, _)| *g == f)?;
        rows.iter().find(|r| r.code == code).cloned()
    };
    let mut rows = Vec::new();
    for (f, _) in now {
        let Some(r) = find(now, *f) else { continue };
        let prev = find(before, *f);
        let shown = |v: Option<String>| v.unwrap_or_else(|| HIDDEN.into());
        let change = match (
            r.rate,
            prev.and_then(|p| p.rate.filter(|_| p.targets > Some(0))),
        ) {
            (Some(a), Some(b)) => points((a - b) * 100.0),
            _ => "—".into(),
        };
        rows.push(vec![
            f.label(),
            shown(r.targets.map(count)),
            shown(r.attendees.map(count)),
            shown(r.rate.map(percent)),
            if r.suppressed { HIDDEN.into() } else { change },
        ]);
    }
    PageTable {
        columns: ["区分", "対象者", "受診者", "受診率", "前年度差(pt)"]
            .map(String::from)
            .to_vec(),
        numeric: vec![false, true, true, true, true],
        rows,
    }
}

/// Lays out the atlas of fiscal year `fy`.
pub fn prepare(store: &Store, fy: i32) -> Result<Atlas, MapPngError> {
    let years =
        crate::store::fiscal_years(store.conn()).map_err(|e| MapPngError::Render(e.to_string()))?;
    if !years.contains(&fy) {
        return Err(MapPngError::Render(format!(
            "{fy}年度の対象者がいません（健診結果のある年度: {years:?}）。年度を確かめるか、その年度の被保険者台帳と健診結果を取り込んでください。"
        )));
    }
    let spec = MapPng {
        format: MapFormat::Pdf,
        paper: Some(A3_LANDSCAPE),
        choropleth: Some(Level::SmallArea),
        fy,
        ..Default::default()
    };
    let map = prepare_map(store, &spec)?;
    let threshold = suppression::threshold(store.conn())?;
    let now = every_cell(store.conn(), Level::Municipality, fy, threshold, false)?;
    let before = every_cell(store.conn(), Level::Municipality, fy - 1, threshold, false)?;
    // Each municipality's extent from its boundaries.
    let (layer, field) = choropleth::level_layer(Level::Municipality);
    let (_, muni) = map.layers().find(layer).ok_or(MapPngError::NoLevelLayer {
        level: Level::Municipality.label(),
        layer,
    })?;
    let codes = muni.index.column_text(field).ok_or_else(|| {
        MapPngError::Render(format!("レイヤ「{layer}」に列「{field}」がありません。"))
    })?;
    let extent = |code: &str| -> Option<[f64; 4]> {
        let mut b: Option<[f64; 4]> = None;
        for (i, c) in codes.iter().enumerate() {
            if c != code {
                continue;
            }
            let Some(r) = muni.index.features[i].geom.bounding_rect() else {
                continue;
            };
            let [x0, y0, x1, y1] = [r.min().x, r.min().y, r.max().x, r.max().y];
            b = Some(match b {
                Some(o) => [o[0].min(x0), o[1].min(y0), o[2].max(x1), o[3].max(y1)],
                None => [x0, y0, x1, y1],
            });
        }
        b
    };
    let layout = templates::atlas_page();
    let measure = super::page::measure().map_err(MapPngError::Render)?;
    let subtitle = "町丁・字別 特定健診受診率（階級は全市町村共通）と性別・年齢階層別の実績";
    let totals = &now
        .iter()
        .find(|(f, _)| *f == TargetFilter::default())
        .map(|(_, rows)| rows.clone())
        .unwrap_or_default();
    let mut pages = Vec::new();
    for m in totals {
        let table = figures_table(&now, &before, &m.code);
        let title = format!("{}　{fy}年度 特定健診受診率", m.name);
        let content = Content {
            legend: map.legend(),
            table: Some(&table),
            table_from: 0,
            credits: super::CREDITS,
            extent: extent(&m.code),
            title: Some(&title),
            subtitle: Some(subtitle),
        };
        let composed = compose(&layout, &content, &measure);
        if composed.table_rest > 0 {
            return Err(MapPngError::Render(format!(
                "{}の表がページに収まりません（{} 行が残ります）。",
                m.name, composed.table_rest
            )));
        }
        pages.push(AtlasPage {
            code: m.code.clone(),
            name: m.name.clone(),
            composed,
        });
    }
    Ok(Atlas { fy, map, pages })
}

impl Atlas {
    /// One PDF, a page and a bookmark per municipality.
    pub fn pdf(&self) -> Result<Vec<u8>, MapPngError> {
        let pages: Vec<super::page::PdfPage<'_>> = self
            .pages
            .iter()
            .map(|p| super::page::PdfPage {
                page: &p.composed,
                bookmark: Some(format!("{} {}", p.code, p.name)),
            })
            .collect();
        let title = format!("{}年度 市町村別 特定健診受診率 地図帳", self.fy);
        super::page::pdf(&pages, &self.map.frames(), &title).map_err(MapPngError::Render)
    }

    /// Page `i` as a PNG at `dpi`.
    pub fn png(&self, i: usize, dpi: u32) -> Result<Vec<u8>, MapPngError> {
        let pages: Vec<&Composed> = self.pages.iter().map(|p| &p.composed).collect();
        super::page::page_png(&pages, i, &self.map.frames(), dpi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_withheld_cell_shows_no_figure_and_no_change() {
        let row = |code: &str, t: Option<i64>, a: Option<i64>, suppressed: bool| AreaRow {
            code: code.into(),
            name: "町".into(),
            targets: t,
            attendees: a,
            rate: t.zip(a).map(|(t, a)| a as f64 / t as f64),
            suppressed,
            revealed: false,
        };
        let total = TargetFilter::default();
        let men = TargetFilter {
            sex: Some(1),
            age_band: None,
        };
        let now = vec![
            (total, vec![row("1", Some(200), Some(90), false)]),
            (men, vec![row("1", None, None, true)]),
        ];
        let before = vec![
            (total, vec![row("1", Some(200), Some(80), false)]),
            (men, vec![row("1", Some(90), Some(30), false)]),
        ];
        let t = figures_table(&now, &before, "1");
        assert_eq!(t.rows[0][1..], ["200", "90", "45.0%", "+5.0"]);
        assert_eq!(t.rows[1][1..], [HIDDEN, HIDDEN, HIDDEN, HIDDEN]);
    }
}
