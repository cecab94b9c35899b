//! A scene: what one frame of the map draws, in screen points. Built from prepared layers
//! and their styles for a view: features outside the view are culled with the R-tree, the
//! zoom band's simplified geometry is projected, and labels are placed without overlaps.

use super::view::View;
use super::{PreparedLayer, Rgba};

/// How a layer is drawn.
#[derive(Debug, Clone)]
pub struct LayerStyle {
    pub visible: bool,
    /// 0–1, applied to every colour of the layer.
    pub opacity: f32,
    /// Fill of areas: one colour, or per feature (`None` = not filled).
    pub fill: Fill,
    /// Outline or line colour and width in points.
    pub stroke: Option<(f32, Rgba)>,
    /// Point symbols: radius and colour.
    pub marker: Option<(f32, Rgba)>,
    /// Per-feature point symbols (institutions by kind and users); when not empty they
    /// replace `marker`, and a `None` leaves the feature's point undrawn.
    pub symbols: Vec<Option<Symbol>>,
    /// The attribute to label features with, and the zoom from which labels show.
    pub label: Option<(usize, u8)>,
    /// The layer is drawn from this zoom on (scale-dependent visibility, as in QGIS).
    pub min_zoom: u8,
    /// Features to leave out (hidden by the user).
    pub hidden: Vec<bool>,
    /// Features to draw hatched over their fill (a choropleth's suppressed areas).
    pub hatched: Vec<bool>,
}

#[derive(Debug, Clone)]
pub enum Fill {
    None,
    Solid(Rgba),
    PerFeature(Vec<Option<Rgba>>),
}

impl Default for LayerStyle {
    fn default() -> Self {
        LayerStyle {
            visible: true,
            opacity: 1.0,
            fill: Fill::None,
            stroke: Some((1.0, [60, 60, 60, 255])),
            marker: None,
            symbols: vec![],
            label: None,
            min_zoom: 0,
            hidden: vec![],
            hatched: vec![],
        }
    }
}

#[derive(Debug, Default)]
pub struct FillMesh {
    pub pos: Vec<[f32; 2]>,
    pub color: Vec<Rgba>,
    pub indices: Vec<u32>,
}

impl FillMesh {
    /// Appends a feature's triangles, projected, in one colour.
    fn push(
        &mut self,
        sh: &super::prepared::Shapes,
        c: Rgba,
        project: &dyn Fn(&[f64; 2]) -> [f32; 2],
    ) {
        let base = self.pos.len() as u32;
        self.pos.extend(sh.tri_vertices.iter().map(project));
        self.color
            .extend(std::iter::repeat_n(c, sh.tri_vertices.len()));
        self.indices
            .extend(sh.tri_indices.iter().map(|&k| base + k));
    }
}

#[derive(Debug)]
pub struct Stroke {
    pub points: Vec<[f32; 2]>,
    pub width: f32,
    pub color: Rgba,
}

/// The outline of a point symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum MarkerShape {
    #[default]
    Circle,
    Square,
    Triangle,
}

/// A point symbol: shape, radius in points and colour (drawn with a white outline).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Symbol {
    pub shape: MarkerShape,
    pub radius: f32,
    pub color: Rgba,
}

#[derive(Debug, Clone, Copy)]
pub struct Marker {
    pub pos: [f32; 2],
    pub radius: f32,
    pub color: Rgba,
    pub shape: MarkerShape,
}

#[derive(Debug)]
pub struct Label {
    pub pos: [f32; 2],
    pub text: String,
    pub size: f32,
}

/// An area as its rings (outer and holes, closed), for painters that fill paths rather
/// than triangles (PDF: no seams between triangles, smaller files). Filled even-odd.
#[derive(Debug)]
pub struct Area {
    pub rings: Vec<Vec<[f32; 2]>>,
    pub color: Rgba,
}

/// One layer's part of a frame, in drawing order.
#[derive(Debug, Default)]
pub struct LayerScene {
    pub fills: FillMesh,
    /// Areas to hatch (drawn over `fills` with a pattern; colours unused).
    pub hatch: FillMesh,
    /// With [`Rings::Keep`]: the filled areas as rings (`fills` then stays empty).
    pub areas: Vec<Area>,
    /// With [`Rings::Keep`]: the hatched areas as rings (`hatch` then stays empty).
    pub hatch_areas: Vec<Area>,
    pub strokes: Vec<Stroke>,
    pub markers: Vec<Marker>,
}

#[derive(Debug, Default)]
pub struct Scene {
    pub layers: Vec<LayerScene>,
    /// Labels of all layers, drawn last, collision-free.
    pub labels: Vec<Label>,
    /// Features drawn, for the benchmark and the status bar.
    pub features_drawn: usize,
}

/// Label text size in points.
pub const LABEL_SIZE: f32 = 13.0;

fn fade(c: Rgba, opacity: f32) -> Rgba {
    [
        c[0],
        c[1],
        c[2],
        (c[3] as f32 * opacity.clamp(0.0, 1.0)).round() as u8,
    ]
}

/// How areas are handed to the painter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rings {
    /// As triangles (the window and the rasteriser).
    Triangles,
    /// As rings (the PDF painter).
    Keep,
}

/// Builds the scene for `view` from layers drawn bottom to top.
pub fn build(view: &View, layers: &[(&PreparedLayer, &LayerStyle)]) -> Scene {
    build_with(view, layers, Rings::Triangles)
}

/// [`build`], with areas as triangles or as rings.
pub fn build_with(view: &View, layers: &[(&PreparedLayer, &LayerStyle)], rings: Rings) -> Scene {
    let mut scene = Scene::default();
    let bbox = view.lonlat_bbox();
    // Cull with a margin so lines leaving the view are not cut short.
    let m = [(bbox[2] - bbox[0]) * 0.02, (bbox[3] - bbox[1]) * 0.02];
    let cull = [
        bbox[0] - m[0],
        bbox[1] - m[1],
        bbox[2] + m[0],
        bbox[3] + m[1],
    ];
    let (cx, cy) = view.center;
    let s = view.scale();
    let (hw, hh) = (view.size.0 as f64 / 2.0, view.size.1 as f64 / 2.0);
    let project = |p: &[f64; 2]| -> [f32; 2] {
        [((p[0] - cx) * s + hw) as f32, ((p[1] - cy) * s + hh) as f32]
    };
    let mut placed: Vec<[f32; 4]> = Vec::new();
    let mut label_candidates: Vec<(usize, Label)> = Vec::new();
    for (layer, style) in layers {
        let mut ls = LayerScene::default();
        if !style.visible || view.zoom < style.min_zoom {
            scene.layers.push(ls);
            continue;
        }
        let mut ids: Vec<usize> = layer.index.in_bbox(cull).collect();
        ids.sort_unstable();
        for i in ids {
            if style.hidden.get(i).copied().unwrap_or(false) {
                continue;
            }
            scene.features_drawn += 1;
            let sh = layer.shapes(i, view.zoom);
            let fill = match &style.fill {
                Fill::None => None,
                Fill::Solid(c) => Some(*c),
                Fill::PerFeature(v) => v.get(i).copied().flatten(),
            };
            let area_rings = || -> Vec<Vec<[f32; 2]>> {
                sh.lines
                    .iter()
                    .map(|l| l.iter().map(project).collect())
                    .collect()
            };
            let is_area = !sh.tri_indices.is_empty();
            if let Some(c) = fill {
                if rings == Rings::Keep && is_area {
                    ls.areas.push(Area {
                        rings: area_rings(),
                        color: fade(c, style.opacity),
                    });
                } else {
                    ls.fills.push(sh, fade(c, style.opacity), &project);
                }
            }
            if style.hatched.get(i).copied().unwrap_or(false) {
                if rings == Rings::Keep && is_area {
                    ls.hatch_areas.push(Area {
                        rings: area_rings(),
                        color: [255, 255, 255, 255],
                    });
                } else {
                    ls.hatch
                        .push(sh, fade([255, 255, 255, 255], style.opacity), &project);
                }
            }
            if let Some((w, c)) = style.stroke {
                let c = fade(c, style.opacity);
                for line in &sh.lines {
                    let pts: Vec<[f32; 2]> = line.iter().map(project).collect();
                    if pts.len() >= 2 {
                        ls.strokes.push(Stroke {
                            points: pts,
                            width: w,
                            color: c,
                        });
                    }
                }
            }
            let symbol = if style.symbols.is_empty() {
                style.marker.map(|(radius, color)| Symbol {
                    shape: MarkerShape::Circle,
                    radius,
                    color,
                })
            } else {
                style.symbols.get(i).copied().flatten()
            };
            if let Some(sym) = symbol {
                let c = fade(sym.color, style.opacity);
                ls.markers.extend(sh.points.iter().map(|p| Marker {
                    pos: project(p),
                    radius: sym.radius,
                    color: c,
                    shape: sym.shape,
                }));
            }
            if let Some((field, min_zoom)) = style.label
                && view.zoom >= min_zoom
                && let Some(anchor) = layer.anchors[i]
            {
                let text = layer.index.features[i]
                    .attrs
                    .get(field)
                    .map(|a| a.display())
                    .unwrap_or_default();
                if !text.is_empty() {
                    // A point's label sits above its symbol, not on it.
                    let mut pos = project(&anchor);
                    if let Some(r) = symbol.map(|s| s.radius) {
                        pos[1] -= r + LABEL_SIZE * 0.75;
                    }
                    label_candidates.push((
                        label_candidates.len(),
                        Label {
                            pos,
                            text,
                            size: LABEL_SIZE,
                        },
                    ));
                }
            }
        }
        scene.layers.push(ls);
    }
    // Later layers' labels win; within a layer, the order of the features.
    for (_, label) in label_candidates.into_iter().rev() {
        let w = label.text.chars().count() as f32 * label.size;
        let r = [
            label.pos[0] - w / 2.0,
            label.pos[1] - label.size / 2.0,
            label.pos[0] + w / 2.0,
            label.pos[1] + label.size / 2.0,
        ];
        let inside = r[0] >= 0.0 && r[1] >= 0.0 && r[2] <= view.size.0 && r[3] <= view.size.1;
        if inside
            && !placed
                .iter()
                .any(|p| r[0] < p[2] && p[0] < r[2] && r[1] < p[3] && p[1] < r[3])
        {
            placed.push(r);
            scene.labels.push(label);
        }
    }
    scene
}
