//! The shipped layouts: 「A3横 市町村地図」 (the municipalities' handout), 「A3縦 地図と
//! 一覧」 (a map over its result table) and 「A4横」. Items in mm from the top-left corner.

use super::model::{Item, ItemKind, Layout, VERSION};
use super::page::{Orientation, Page, Paper};

pub const A3_LANDSCAPE_MAP: &str = "A3横 市町村地図";
pub const A3_PORTRAIT_TABLE: &str = "A3縦 地図と一覧";
pub const A4_LANDSCAPE: &str = "A4横";

fn item(rect: [f32; 4], kind: ItemKind) -> Item {
    Item { rect, kind }
}

fn title(text: &str) -> ItemKind {
    ItemKind::Title { text: text.into() }
}

fn subtitle(text: &str) -> ItemKind {
    ItemKind::Subtitle { text: text.into() }
}

fn map() -> ItemKind {
    ItemKind::Map {
        extent: None,
        scale: None,
    }
}

/// The three templates, in the order the layout screen lists them.
pub fn all() -> Vec<Layout> {
    let page = |paper, orientation| Page {
        paper,
        orientation,
        margin: 10.0,
    };
    vec![
        Layout {
            version: VERSION,
            name: A3_LANDSCAPE_MAP.into(),
            page: page(Paper::A3, Orientation::Landscape),
            items: vec![
                item([10.0, 34.0, 400.0, 238.0], map()),
                item([10.0, 10.0, 400.0, 14.0], title("特定健診 受診率")),
                item(
                    [10.0, 25.0, 400.0, 7.0],
                    subtitle("奈良県国民健康保険団体連合会"),
                ),
                item([325.0, 190.0, 80.0, 78.0], ItemKind::Legend),
                item([14.0, 252.0, 90.0, 18.0], ItemKind::ScaleBar),
                item([386.0, 36.0, 22.0, 27.0], ItemKind::NorthArrow),
                item([10.0, 278.0, 400.0, 9.0], ItemKind::Credits),
            ],
            map: None,
        },
        Layout {
            version: VERSION,
            name: A3_PORTRAIT_TABLE.into(),
            page: page(Paper::A3, Orientation::Portrait),
            items: vec![
                item([10.0, 34.0, 277.0, 222.0], map()),
                item([10.0, 10.0, 277.0, 14.0], title("特定健診 受診率")),
                item(
                    [10.0, 25.0, 277.0, 7.0],
                    subtitle("奈良県国民健康保険団体連合会"),
                ),
                item([207.0, 176.0, 76.0, 76.0], ItemKind::Legend),
                item([14.0, 236.0, 90.0, 18.0], ItemKind::ScaleBar),
                item([263.0, 36.0, 22.0, 27.0], ItemKind::NorthArrow),
                item([10.0, 262.0, 277.0, 138.0], ItemKind::Table),
                item([10.0, 402.0, 277.0, 9.0], ItemKind::Credits),
            ],
            map: None,
        },
        Layout {
            version: VERSION,
            name: A4_LANDSCAPE.into(),
            page: page(Paper::A4, Orientation::Landscape),
            items: vec![
                item([10.0, 24.0, 277.0, 164.0], map()),
                item([10.0, 10.0, 277.0, 12.0], title("特定健診 受診率")),
                item([212.0, 122.0, 72.0, 64.0], ItemKind::Legend),
                item([13.0, 168.0, 80.0, 18.0], ItemKind::ScaleBar),
                item([264.0, 26.0, 22.0, 27.0], ItemKind::NorthArrow),
                item([10.0, 191.0, 277.0, 9.0], ItemKind::Credits),
            ],
            map: None,
        },
    ]
}

/// The municipal atlas's page (A3 landscape): the municipality's map on the left, its
/// figures by sex and age band on the right over the legend, the credits along the foot.
/// The title and subtitle are each page's.
pub fn atlas_page() -> Layout {
    Layout {
        version: VERSION,
        name: "市町村別地図帳".into(),
        page: Page {
            paper: Paper::A3,
            orientation: Orientation::Landscape,
            margin: 10.0,
        },
        items: vec![
            item([10.0, 32.0, 262.0, 240.0], map()),
            item([10.0, 10.0, 400.0, 14.0], title("")),
            item([10.0, 24.0, 400.0, 7.0], subtitle("")),
            item([280.0, 32.0, 130.0, 150.0], ItemKind::Table),
            item([280.0, 188.0, 130.0, 84.0], ItemKind::Legend),
            item([14.0, 252.0, 90.0, 18.0], ItemKind::ScaleBar),
            item([248.0, 34.0, 22.0, 27.0], ItemKind::NorthArrow),
            item([10.0, 278.0, 400.0, 9.0], ItemKind::Credits),
        ],
        map: None,
    }
}

/// A template by name.
pub fn named(name: &str) -> Option<Layout> {
    all().into_iter().find(|l| l.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_fits_its_page_and_carries_the_credits() {
        let names: Vec<String> = all().into_iter().map(|l| l.name).collect();
        assert_eq!(names, [A3_LANDSCAPE_MAP, A3_PORTRAIT_TABLE, A4_LANDSCAPE]);
        for l in all() {
            l.check().unwrap();
            assert!(
                l.items.iter().any(|i| i.kind == ItemKind::Credits),
                "{}",
                l.name
            );
            assert!(
                l.items
                    .iter()
                    .any(|i| matches!(i.kind, ItemKind::Map { .. }))
            );
        }
        assert!(named(A4_LANDSCAPE).is_some() && named("B5").is_none());
        atlas_page().check().unwrap();
    }
}
