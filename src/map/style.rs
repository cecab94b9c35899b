//! The default look of each layer on the map and in exports: the bundled layers get their
//! own symbols, any other layer a plain outline or point.

use super::scene::LayerStyle;
use crate::layers::bundled;

/// The default look of each layer.
pub fn default_style(
    name: &str,
    ty: crate::layers::GeometryType,
    fields: &[crate::layers::FieldDef],
) -> LayerStyle {
    let field = |n: &str| fields.iter().position(|f| f.name == n);
    match name {
        bundled::MEDICAL_AREAS => LayerStyle {
            visible: false,
            stroke: Some((2.5, [90, 40, 120, 255])),
            ..Default::default()
        },
        bundled::MUNICIPALITIES => LayerStyle {
            stroke: Some((1.6, [40, 40, 40, 255])),
            label: field(bundled::MUNICIPALITY_NAME).map(|f| (f, 9)),
            ..Default::default()
        },
        bundled::SMALL_AREAS => LayerStyle {
            visible: false,
            stroke: Some((0.5, [120, 120, 120, 200])),
            label: field(bundled::SMALL_AREA_NAME).map(|f| (f, 14)),
            ..Default::default()
        },
        bundled::ROADS => LayerStyle {
            visible: false,
            stroke: Some((0.8, [200, 150, 60, 255])),
            ..Default::default()
        },
        bundled::RAILWAYS => LayerStyle {
            stroke: Some((2.0, [80, 80, 80, 255])),
            ..Default::default()
        },
        bundled::STATIONS => LayerStyle {
            stroke: None,
            marker: Some((3.5, [220, 30, 30, 255])),
            label: field("name").map(|f| (f, 12)),
            ..Default::default()
        },
        _ => match ty {
            crate::layers::GeometryType::Point => LayerStyle {
                stroke: None,
                marker: Some((3.0, [30, 90, 200, 255])),
                ..Default::default()
            },
            _ => LayerStyle::default(),
        },
    }
}

/// The default look of every layer of `layers`, in their order.
pub fn default_styles(layers: &super::MapLayers) -> Vec<LayerStyle> {
    layers
        .0
        .iter()
        .map(|l| {
            default_style(
                &l.index.info.name,
                l.index.info.geometry_type,
                &l.index.info.fields,
            )
        })
        .collect()
}
