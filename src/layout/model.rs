//! A print layout (印刷レイアウト): a page and the items placed on it in millimetres from
//! the page's top-left corner, drawn in their order (later items over earlier ones), with
//! the map settings its map frames show. Saved as JSON; the display name is data.

use serde::{Deserialize, Serialize};

use super::page::Page;
use crate::map::document::MapDocument;

/// The JSON form's version.
pub const VERSION: u32 = 1;

/// What an item is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum ItemKind {
    /// The map: the layout's map settings over `extent` (lon/lat; the whole prefecture
    /// when `None`), fitted to the frame, or at a typed scale 1:`scale` around the
    /// extent's centre.
    Map {
        extent: Option<[f64; 4]>,
        scale: Option<u32>,
    },
    /// The map's legend (its classes and labels, as on the screen).
    Legend,
    Title {
        text: String,
    },
    Subtitle {
        text: String,
    },
    /// The first map frame's scale bar.
    ScaleBar,
    NorthArrow,
    /// Free text, `size` points high; lines split at line breaks.
    Text {
        text: String,
        size: f32,
    },
    /// The result table, as many rows as fit (the rest on further pages).
    Table,
    /// The data's sources and which parts are synthetic. A page always carries them: a
    /// layout without this item gets them along its bottom margin.
    Credits,
    /// A picture (a logo), as large as fits the item, its proportions kept.
    Image {
        picture: super::picture::Picture,
    },
}

impl ItemKind {
    /// The kinds the layout screen adds (an image comes from its file), with their texts.
    pub fn addable() -> Vec<ItemKind> {
        vec![
            ItemKind::Text {
                text: "テキスト".into(),
                size: 12.0,
            },
            ItemKind::Title {
                text: "タイトル".into(),
            },
            ItemKind::Subtitle {
                text: "サブタイトル".into(),
            },
            ItemKind::Map {
                extent: None,
                scale: None,
            },
            ItemKind::Legend,
            ItemKind::ScaleBar,
            ItemKind::NorthArrow,
            ItemKind::Table,
            ItemKind::Credits,
        ]
    }

    /// The size (mm) an added item starts with.
    fn start_size(&self) -> [f32; 2] {
        match self {
            ItemKind::Map { .. } => [120.0, 90.0],
            ItemKind::Legend => [70.0, 60.0],
            ItemKind::Title { .. } => [160.0, 12.0],
            ItemKind::Subtitle { .. } => [160.0, 8.0],
            ItemKind::ScaleBar => [70.0, 18.0],
            ItemKind::NorthArrow => [22.0, 27.0],
            ItemKind::Text { .. } => [80.0, 20.0],
            ItemKind::Table => [130.0, 120.0],
            ItemKind::Credits => [200.0, 9.0],
            ItemKind::Image { picture } => match picture.decode() {
                Ok(d) => [40.0, 40.0 * d.height as f32 / d.width as f32],
                Err(_) => [40.0, 40.0],
            },
        }
    }

    /// The item's name in the layout screen.
    pub fn label(&self) -> &'static str {
        match self {
            ItemKind::Map { .. } => "地図",
            ItemKind::Legend => "凡例",
            ItemKind::Title { .. } => "タイトル",
            ItemKind::Subtitle { .. } => "サブタイトル",
            ItemKind::ScaleBar => "縮尺",
            ItemKind::NorthArrow => "方位",
            ItemKind::Text { .. } => "テキスト",
            ItemKind::Table => "表",
            ItemKind::Credits => "出典",
            ItemKind::Image { .. } => "画像",
        }
    }
}

/// One item: where (x, y, width, height in mm) and what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub rect: [f32; 4],
    #[serde(flatten)]
    pub kind: ItemKind,
}

/// A layout: its name, page, items, and the map its map frames draw (`None`: the
/// municipalities' uptake of the latest year, the map the app opens with).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    pub version: u32,
    pub name: String,
    pub page: Page,
    pub items: Vec<Item>,
    #[serde(default)]
    pub map: Option<MapDocument>,
}

#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("レイアウトを読めません（{0}）。保存し直してください。")]
    Json(#[from] serde_json::Error),
    #[error("レイアウトの形式 {0} はこの版では読めません（{VERSION} まで）。")]
    Version(u32),
    #[error(
        "レイアウトの項目「{label}」の位置 {rect:?} mm がページ（{w}×{h} mm）の外か、大きさが 0 です。"
    )]
    Outside {
        label: &'static str,
        rect: [f32; 4],
        w: f32,
        h: f32,
    },
    #[error(transparent)]
    Picture(#[from] super::picture::PictureError),
}

impl Layout {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A layout from its JSON, checked ([`Layout::check`]).
    pub fn from_json(s: &str) -> Result<Layout, LayoutError> {
        let l: Layout = serde_json::from_str(s)?;
        l.check()?;
        Ok(l)
    }

    /// Every item has a size and lies on the page.
    pub fn check(&self) -> Result<(), LayoutError> {
        if self.version > VERSION {
            return Err(LayoutError::Version(self.version));
        }
        let [w, h] = self.page.size_mm();
        for it in &self.items {
            let [x, y, iw, ih] = it.rect;
            let ok = [x, y, iw, ih].iter().all(|v| v.is_finite())
                && iw > 0.0
                && ih > 0.0
                && x >= 0.0
                && y >= 0.0
                && x + iw <= w + 0.01
                && y + ih <= h + 0.01;
            if !ok {
                return Err(LayoutError::Outside {
                    label: it.kind.label(),
                    rect: it.rect,
                    w,
                    h,
                });
            }
            if let ItemKind::Image { picture } = &it.kind {
                picture.decode()?;
            }
        }
        Ok(())
    }

    /// The first item of a kind (by its label), e.g. the title to edit.
    pub fn item_mut(&mut self, label: &str) -> Option<&mut Item> {
        self.items.iter_mut().find(|i| i.kind.label() == label)
    }

    /// Moves item `i` by (dx, dy) mm, kept on the page.
    pub fn move_item(&mut self, i: usize, dx: f32, dy: f32) {
        let [w, h] = self.page.size_mm();
        if let Some(it) = self.items.get_mut(i) {
            let [x, y, iw, ih] = it.rect;
            it.rect[0] = (x + dx).clamp(0.0, (w - iw).max(0.0));
            it.rect[1] = (y + dy).clamp(0.0, (h - ih).max(0.0));
        }
    }

    /// Adds an item of `kind` in the middle of the page at its starting size (within the
    /// margins); returns its index. It is drawn over the others.
    pub fn add_item(&mut self, kind: ItemKind) -> usize {
        let [cx, cy, cw, ch] = self.page.content_mm();
        let [w, h] = kind.start_size();
        let (w, h) = (w.min(cw), h.min(ch));
        self.items.push(Item {
            rect: [cx + (cw - w) / 2.0, cy + (ch - h) / 2.0, w, h],
            kind,
        });
        self.items.len() - 1
    }

    /// Removes item `i`. The credits stay on the page without their item (along the
    /// bottom margin).
    pub fn remove_item(&mut self, i: usize) -> Option<Item> {
        (i < self.items.len()).then(|| self.items.remove(i))
    }

    /// Moves item `i` over all others (drawn last); returns its new index.
    pub fn bring_to_front(&mut self, i: usize) -> usize {
        if i < self.items.len() {
            let it = self.items.remove(i);
            self.items.push(it);
            self.items.len() - 1
        } else {
            i
        }
    }

    /// Resizes item `i` by (dw, dh) mm from its bottom-right corner, at least 5 mm and
    /// kept on the page.
    pub fn resize_item(&mut self, i: usize, dw: f32, dh: f32) {
        let [w, h] = self.page.size_mm();
        if let Some(it) = self.items.get_mut(i) {
            let [x, y, iw, ih] = it.rect;
            it.rect[2] = (iw + dw).clamp(5.0, (w - x).max(5.0));
            it.rect[3] = (ih + dh).clamp(5.0, (h - y).max(5.0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::templates;
    use super::*;

    #[test]
    fn a_layout_reads_back_from_its_json_and_bad_ones_are_refused() {
        for t in templates::all() {
            let back = Layout::from_json(&t.to_json()).unwrap();
            assert_eq!(back, t);
        }
        let mut l = templates::all().remove(0);
        l.items[0].rect = [400.0, 10.0, 50.0, 10.0];
        let err = Layout::from_json(&l.to_json()).unwrap_err().to_string();
        assert!(
            err.contains("ページ") && err.contains(l.items[0].kind.label()),
            "{err}"
        );
        assert!(Layout::from_json("{").is_err());
        let mut l = templates::all().remove(0);
        l.version = VERSION + 1;
        assert!(matches!(Layout::check(&l), Err(LayoutError::Version(_))));
    }

    #[test]
    fn items_are_added_in_the_middle_removed_and_brought_to_front() {
        let mut l = templates::named(templates::A4_LANDSCAPE).unwrap();
        let n = l.items.len();
        for kind in ItemKind::addable() {
            let i = l.add_item(kind.clone());
            assert_eq!(l.items[i].kind, kind);
            let [x, y, w, h] = l.items[i].rect;
            // Centred on the A4 landscape page (297 × 210 mm).
            assert!(((x + w / 2.0) - 148.5).abs() < 0.01 && ((y + h / 2.0) - 105.0).abs() < 0.01);
        }
        l.check().unwrap();
        assert_eq!(l.items.len(), n + ItemKind::addable().len());
        let last = l.items.len() - 1;
        let moved = l.items[0].clone();
        assert_eq!(l.bring_to_front(0), last);
        assert_eq!(l.items[last], moved);
        assert_eq!(l.remove_item(last), Some(moved));
        assert_eq!(l.remove_item(99), None);
        // A table's starting size is cut to an A4 page's content.
        let mut small = templates::named(templates::A4_LANDSCAPE).unwrap();
        small.page.margin = 50.0;
        let i = small.add_item(ItemKind::Table);
        let [_, _, w, h] = small.items[i].rect;
        assert!(w <= 297.0 - 100.0 && h <= 210.0 - 100.0);
        small.check().unwrap();
    }

    #[test]
    fn items_move_and_resize_within_the_page() {
        let mut l = templates::all().remove(0);
        let [w, h] = l.page.size_mm();
        l.move_item(0, 10_000.0, 10_000.0);
        let r = l.items[0].rect;
        assert!(
            (r[0] + r[2] - w).abs() < 1e-3 && (r[1] + r[3] - h).abs() < 1e-3,
            "{r:?}"
        );
        l.move_item(0, -10_000.0, -10_000.0);
        assert_eq!(&l.items[0].rect[..2], &[0.0, 0.0]);
        l.resize_item(0, -10_000.0, -10_000.0);
        assert_eq!(&l.items[0].rect[2..], &[5.0, 5.0]);
        l.check().unwrap();
    }
}
