//! A layout laid out for painting: its items turned into map frames (a view fitted to the
//! frame or at a typed scale) and furniture [`Mark`]s (texts, legend, scale bar, north
//! arrow, table, credits), in points from the page's top-left corner. The PDF and raster
//! painters (`render::page`) and the layout screen draw this same composition.

use super::model::{ItemKind, Layout};
use super::page::mm_to_pt;
use crate::map::Rgba;
use crate::map::furniture::{self as f, Frame, Mark};
use crate::map::view::{NARA_BBOX, View};

/// A result table for a page: column names, which columns are numbers (right-aligned),
/// and the rows as text (figures already formatted and suppressed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageTable {
    pub columns: Vec<String>,
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

/// A legend: its title and entries (colour, label, hatched).
pub type Legend = (String, Vec<(Rgba, String, bool)>);

/// What the items show besides their own texts.
#[derive(Debug, Clone, Default)]
pub struct Content<'a> {
    /// Legend title and entries (colour, label, hatched), as the map screen shows them.
    pub legend: Option<&'a Legend>,
    pub table: Option<&'a PageTable>,
    /// The first row of `table` on this page.
    pub table_from: usize,
    pub credits: &'a str,
    /// The extent of map frames without their own (lon/lat); the prefecture if `None`.
    pub extent: Option<[f64; 4]>,
    /// Texts that replace the layout's title and subtitle (an atlas page's).
    pub title: Option<&'a str>,
    pub subtitle: Option<&'a str>,
}

/// A map frame: where on the page (points) and what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MapFrame {
    pub rect: Frame,
    pub view: View,
}

/// A page ready to paint: its size in points, its map frames (painted first), and the
/// marks over them in item order.
#[derive(Debug, Clone, PartialEq)]
pub struct Composed {
    pub size: [f32; 2],
    pub maps: Vec<MapFrame>,
    pub marks: Vec<Mark>,
    /// The table's rows that did not fit (they go on the next page).
    pub table_rest: usize,
}

const INK: Rgba = [30, 30, 30, 255];
const FRAME: Rgba = [90, 90, 90, 255];

fn pt_rect(mm: [f32; 4]) -> Frame {
    mm.map(mm_to_pt)
}

/// The view of a map item in a frame `size` points large.
fn map_view(extent: Option<[f64; 4]>, scale: Option<u32>, size: (f32, f32)) -> View {
    let b = extent.unwrap_or(NARA_BBOX);
    match scale {
        Some(n) if n > 0 => {
            View::at_scale(((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0), n as f64, size)
        }
        _ => View::fit(b, size),
    }
}

/// Lays `layout` out with `content`; `measure` is the painters' text width.
pub fn compose(
    layout: &Layout,
    content: &Content<'_>,
    measure: &dyn Fn(&str, f32) -> f32,
) -> Composed {
    let size = layout.page.size_pt();
    let mut maps = Vec::new();
    let mut marks = Vec::new();
    let mut table_rest = 0;
    let mut credited = false;
    // The map frames first: the scale bar needs the first one's view wherever it stands.
    for it in &layout.items {
        if let ItemKind::Map { extent, scale } = &it.kind {
            let r = pt_rect(it.rect);
            let view = map_view(extent.or(content.extent), *scale, (r[2], r[3]));
            maps.push(MapFrame { rect: r, view });
        }
    }
    for it in &layout.items {
        let r = pt_rect(it.rect);
        match &it.kind {
            ItemKind::Map { .. } => marks.push(Mark::Rect {
                rect: r,
                fill: None,
                stroke: Some((FRAME, 0.8)),
            }),
            ItemKind::Title { text } => {
                let t = content.title.unwrap_or(text);
                marks.extend(centred(t, r, r[3] * 0.72, measure));
            }
            ItemKind::Subtitle { text } => {
                let t = content.subtitle.unwrap_or(text);
                marks.extend(centred(t, r, r[3] * 0.7, measure));
            }
            ItemKind::Legend => {
                if let Some((title, entries)) = content.legend {
                    let corner = f::Corner::At(r[0], r[1]);
                    let mut legend = f::legend_in(title, entries, &[], r, measure, corner);
                    // A legend wider than its item keeps its right edge on the item's, and a
                    // taller one its bottom edge (it grows up over the map, not off the
                    // page), as far as the page allows.
                    if let Some(Mark::Rect { rect, .. }) = legend.first() {
                        let over = [rect[2] - r[2], rect[3] - r[3]];
                        let dx = if over[0] > 0.0 {
                            -over[0].min(r[0])
                        } else {
                            0.0
                        };
                        let dy = if over[1] > 0.0 {
                            -over[1].min(r[1])
                        } else {
                            0.0
                        };
                        shift(&mut legend, dx, dy);
                    }
                    marks.extend(legend);
                }
            }
            ItemKind::ScaleBar => {
                if let Some(m) = maps.first() {
                    // The bar is measured on the map frame's view and drawn in this item.
                    // `scale_bar` makes a bar of at most a quarter of the frame's width; the
                    // item's width is three quarters of a frame three times as wide, so
                    // the bar takes up to three quarters of the item and its label the rest.
                    let frame = [r[0] - 10.0, r[1], r[2] * 3.0, r[3] + 4.0];
                    marks.extend(f::scale_bar(&m.view, frame, measure));
                }
            }
            ItemKind::NorthArrow => {
                let frame = [r[0], r[1] - 20.0, r[2] + 22.0, r[3]];
                marks.extend(f::north_arrow(frame, measure));
            }
            ItemKind::Text { text, size } => {
                let size = size.clamp(4.0, 200.0);
                for (i, line) in text.lines().enumerate() {
                    let y = r[1] + i as f32 * size * 1.4;
                    if y + size > r[1] + r[3] + 0.5 {
                        break;
                    }
                    marks.push(text_mark([r[0], y], line, size));
                }
            }
            ItemKind::Table => {
                if let Some(t) = content.table {
                    let (m, rest) = table(t, content.table_from, r, measure);
                    marks.extend(m);
                    table_rest = rest;
                }
            }
            ItemKind::Credits => {
                credited = true;
                marks.extend(credits(content.credits, r, measure));
            }
            ItemKind::Image { picture } => match picture.decode() {
                Ok(image) => marks.push(Mark::Image {
                    rect: image.fit(r),
                    image,
                }),
                // `Layout::check` refuses such a layout; drawn as a marked box if not.
                Err(_) => {
                    marks.push(Mark::Rect {
                        rect: r,
                        fill: None,
                        stroke: Some((FRAME, 0.8)),
                    });
                    marks.push(text_mark([r[0] + 2.0, r[1] + 2.0], "画像を読めません", 9.0));
                }
            },
        }
    }
    if !credited {
        let m = mm_to_pt(layout.page.content_mm()[0]);
        let r = [m, size[1] - m - 14.0, size[0] - 2.0 * m, 14.0];
        marks.extend(credits(content.credits, r, measure));
    }
    Composed {
        size,
        maps,
        marks,
        table_rest,
    }
}

/// Moves marks `dx` to the right.
fn shift(marks: &mut [Mark], dx: f32, dy: f32) {
    for m in marks {
        match m {
            Mark::Rect { rect, .. } | Mark::Hatch { rect, .. } | Mark::Image { rect, .. } => {
                rect[0] += dx;
                rect[1] += dy;
            }
            Mark::Polygon { points, .. } => points.iter_mut().for_each(|p| {
                p[0] += dx;
                p[1] += dy;
            }),
            Mark::Text { at, .. } => {
                at[0] += dx;
                at[1] += dy;
            }
        }
    }
}

fn text_mark(at: [f32; 2], text: &str, size: f32) -> Mark {
    Mark::Text {
        at,
        text: text.to_string(),
        size,
        color: INK,
        halo: false,
    }
}

/// One line centred in `r`, shrunk to fit its width.
fn centred(text: &str, r: Frame, size: f32, measure: &dyn Fn(&str, f32) -> f32) -> Vec<Mark> {
    let mut size = size.max(4.0);
    let w = measure(text, size);
    if w > r[2] && w > 0.0 {
        size *= r[2] / w;
    }
    let w = measure(text, size);
    vec![text_mark(
        [r[0] + (r[2] - w) / 2.0, r[1] + (r[3] - size) / 2.0],
        text,
        size,
    )]
}

/// The credits in `r`: 9 pt, wrapped onto a second line when too long, centred.
fn credits(line: &str, r: Frame, measure: &dyn Fn(&str, f32) -> f32) -> Vec<Mark> {
    let size = 9.0f32.min(r[3] * 0.45).max(5.0);
    let mut lines = vec![line.to_string()];
    if measure(line, size) > r[2] {
        // Split after the sentence that ends nearest the middle.
        let chars: Vec<char> = line.chars().collect();
        let mid = chars.len() / 2;
        let cut = (0..chars.len())
            .filter(|&i| chars[i] == '。' || chars[i] == '、')
            .min_by_key(|&i| i.abs_diff(mid))
            .map_or(mid, |i| i + 1);
        lines = vec![chars[..cut].iter().collect(), chars[cut..].iter().collect()];
    }
    let top = r[1] + (r[3] - size * 1.3 * lines.len() as f32).max(0.0) / 2.0;
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let w = measure(l, size).min(r[2]);
            Mark::Text {
                at: [r[0] + (r[2] - w) / 2.0, top + i as f32 * size * 1.3],
                text: l.clone(),
                size,
                color: [60, 60, 60, 255],
                halo: false,
            }
        })
        .collect()
}

/// The table from row `from` in `r`: a shaded header and ruled rows at 9 pt (smaller when
/// the columns do not fit the width, at least 6 pt); returns its marks and the rows left.
fn table(
    t: &PageTable,
    from: usize,
    r: Frame,
    measure: &dyn Fn(&str, f32) -> f32,
) -> (Vec<Mark>, usize) {
    let n = t.columns.len();
    if n == 0 {
        return (vec![], 0);
    }
    let pad = 4.0;
    let natural = |size: f32| -> Vec<f32> {
        (0..n)
            .map(|c| {
                let rows = t.rows.iter().filter_map(|row| row.get(c));
                rows.chain(std::iter::once(&t.columns[c]))
                    .map(|s| measure(s, size))
                    .fold(0.0f32, f32::max)
                    + 2.0 * pad
            })
            .collect()
    };
    let mut size = 9.0f32;
    let total: f32 = natural(size).iter().sum();
    if total > r[2] {
        size = (size * r[2] / total).max(6.0);
    }
    let widths = natural(size);
    let sum: f32 = widths.iter().sum();
    // Spare width is shared out; a table still too wide is squeezed (text may overrun).
    let widths: Vec<f32> = widths.iter().map(|w| w * r[2] / sum).collect();
    let row_h = size * 1.7;
    // At least one row a page, so that paging always moves on.
    let fit = ((r[3] / row_h).floor() as usize).saturating_sub(1).max(1);
    let rows: Vec<&Vec<String>> = t.rows.iter().skip(from).take(fit).collect();
    let rest = t.rows.len().saturating_sub(from + rows.len());
    let mut marks = vec![Mark::Rect {
        rect: [r[0], r[1], r[2], row_h],
        fill: Some([228, 232, 238, 255]),
        stroke: None,
    }];
    let mut cell = |y: f32, c: usize, x: f32, s: &str| {
        let w = measure(s, size);
        let x = if t.numeric.get(c).copied().unwrap_or(false) {
            x + widths[c] - pad - w
        } else {
            x + pad
        };
        marks.push(text_mark([x, y + (row_h - size) / 2.0], s, size));
    };
    let mut x = r[0];
    for (c, name) in t.columns.iter().enumerate() {
        cell(r[1], c, x, name);
        x += widths[c];
    }
    for (i, row) in rows.iter().enumerate() {
        let y = r[1] + row_h * (i as f32 + 1.0);
        let mut x = r[0];
        for (c, s) in row.iter().enumerate().take(n) {
            cell(y, c, x, s);
            x += widths[c];
        }
    }
    let height = row_h * (rows.len() as f32 + 1.0);
    let line = |rect: [f32; 4]| Mark::Rect {
        rect,
        fill: None,
        stroke: Some(([150, 150, 150, 255], 0.5)),
    };
    for i in 0..=rows.len() + 1 {
        marks.push(line([r[0], r[1] + row_h * i as f32, r[2], 0.0]));
    }
    let mut x = r[0];
    for w in widths.iter().take(n) {
        marks.push(line([x, r[1], 0.0, height]));
        x += w;
    }
    marks.push(line([r[0] + r[2], r[1], 0.0, height]));
    (marks, rest)
}

#[cfg(test)]
mod tests {
    use super::super::templates;
    use super::*;

    /// Every character 0.5 em wide, as a stand-in for the font.
    fn measure(t: &str, size: f32) -> f32 {
        t.chars().count() as f32 * size * 0.5
    }

    #[test]
    fn a_template_composes_its_items_on_the_page() {
        let l = templates::named(templates::A3_LANDSCAPE_MAP).unwrap();
        let legend = (
            "受診率".to_string(),
            vec![([200, 0, 0, 255], "40% 以上".to_string(), false)],
        );
        let c = Content {
            legend: Some(&legend),
            credits: "出典: テスト",
            title: Some("奈良市"),
            ..Default::default()
        };
        let p = compose(&l, &c, &measure);
        assert!((p.size[0] - 1190.55).abs() < 0.01);
        assert_eq!(p.maps.len(), 1);
        // The map frame is the item's rectangle in points, and the prefecture fills it.
        let m = &p.maps[0];
        assert!((m.rect[0] - mm_to_pt(10.0)).abs() < 1e-3);
        let b = m.view.lonlat_bbox();
        assert!(b[0] <= NARA_BBOX[0] && b[2] >= NARA_BBOX[2] && b[1] <= NARA_BBOX[1]);
        let texts = f::texts(&p.marks);
        for t in ["奈良市", "受診率", "40% 以上", "出典: テスト", "N"] {
            assert!(texts.contains(&t), "{t} in {texts:?}");
        }
        // A legend with a long title keeps its right edge on its item's.
        let wide = ("とても長い凡例の題名".repeat(8), legend.1.clone());
        let c2 = Content {
            legend: Some(&wide),
            ..Default::default()
        };
        let p2 = compose(&l, &c2, &measure);
        let item = l.items.iter().find(|i| i.kind == ItemKind::Legend).unwrap();
        let right = mm_to_pt(item.rect[0] + item.rect[2]);
        let panel = p2.marks.iter().find_map(|m| match m {
            Mark::Rect {
                rect,
                fill: Some(_),
                ..
            } if rect[2] > 300.0 => Some(*rect),
            _ => None,
        });
        let panel = panel.expect("the legend panel");
        assert!(
            (panel[0] + panel[2] - right).abs() < 0.01,
            "{panel:?} ends at {right}"
        );
        // A legend with many entries keeps its bottom edge on its item's: it grows up over
        // the map, never off the page.
        let long = (
            "受診率".to_string(),
            (0..30)
                .map(|i| ([0, 0, 200, 255], format!("階級 {i}"), false))
                .collect::<Vec<_>>(),
        );
        let c3 = Content {
            legend: Some(&long),
            ..Default::default()
        };
        let p3 = compose(&l, &c3, &measure);
        let bottom = mm_to_pt(item.rect[1] + item.rect[3]);
        let panel = p3
            .marks
            .iter()
            .find_map(|m| match m {
                Mark::Rect {
                    rect,
                    fill: Some(_),
                    ..
                } if rect[3] > mm_to_pt(item.rect[3]) => Some(*rect),
                _ => None,
            })
            .expect("the tall legend panel");
        assert!(
            (panel[1] + panel[3] - bottom).abs() < 0.01,
            "{panel:?} ends at {bottom}"
        );
        let texts = f::texts(&p3.marks);
        assert!(texts.contains(&"階級 29"));
        // Every mark lies on the page.
        for t in p.marks.iter().chain(&p3.marks) {
            if let Mark::Text { at, .. } = t {
                assert!(at[0] >= 0.0 && at[1] >= 0.0 && at[0] < p.size[0] && at[1] < p.size[1]);
            }
        }
    }

    #[test]
    fn a_layout_without_credits_still_carries_them() {
        let mut l = templates::named(templates::A4_LANDSCAPE).unwrap();
        l.items.retain(|i| i.kind != ItemKind::Credits);
        let c = Content {
            credits: "出典: テスト",
            ..Default::default()
        };
        let p = compose(&l, &c, &measure);
        assert!(f::texts(&p.marks).contains(&"出典: テスト"));
    }

    #[test]
    fn a_long_table_continues_where_the_page_ends() {
        let l = templates::named(templates::A3_PORTRAIT_TABLE).unwrap();
        let t = PageTable {
            columns: vec!["市町村".into(), "受診率".into()],
            numeric: vec![false, true],
            rows: (0..500)
                .map(|i| vec![format!("町{i}"), format!("{i}.0%")])
                .collect(),
        };
        let mut from = 0;
        let mut pages = 0;
        let mut seen = Vec::new();
        loop {
            let c = Content {
                table: Some(&t),
                table_from: from,
                credits: "",
                ..Default::default()
            };
            let p = compose(&l, &c, &measure);
            let texts = f::texts(&p.marks);
            seen.extend(
                texts
                    .iter()
                    .filter(|s| s.starts_with('町'))
                    .map(|s| s.to_string()),
            );
            pages += 1;
            if p.table_rest == 0 {
                break;
            }
            from = t.rows.len() - p.table_rest;
        }
        assert!(pages > 1);
        // Each row exactly once, in order.
        let want: Vec<String> = (0..500).map(|i| format!("町{i}")).collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn a_typed_scale_sets_the_frame_view() {
        let mut l = templates::named(templates::A4_LANDSCAPE).unwrap();
        l.items[0].kind = ItemKind::Map {
            extent: Some([135.78, 34.65, 135.88, 34.72]),
            scale: Some(25_000),
        };
        let p = compose(&l, &Content::default(), &measure);
        let v = p.maps[0].view;
        let mm_per_pt = 25.4 / 72.0;
        let denominator = v.meters_per_point() * 1000.0 / mm_per_pt;
        assert!((denominator - 25_000.0).abs() < 1.0, "{denominator}");
    }
}
