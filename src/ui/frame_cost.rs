//! What one map frame costs the UI thread, measured off screen for `bench map`: the scene
//! turned into egui shapes (labels laid out with the bundled font) and tessellated, with
//! the same code the map view uses.

use eframe::egui;

use crate::map::scene::{Marker, Scene};

/// A headless egui context with the app's fonts.
pub struct FrameCost {
    ctx: egui::Context,
    textures: Option<super::map::paint::MapTextures>,
}

impl Default for FrameCost {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameCost {
    pub fn new() -> FrameCost {
        let ctx = egui::Context::default();
        super::theme::install(&ctx);
        FrameCost {
            ctx,
            textures: None,
        }
    }

    /// Paints `scene` plus `extra` markers (the insured) into a frame of `size` points and
    /// tessellates it. Returns the number of triangles' vertices produced.
    pub fn frame(&mut self, scene: &Scene, extra: &[Marker], size: (f32, f32)) -> usize {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(size.0, size.1),
            )),
            ..Default::default()
        };
        let slot = &mut self.textures;
        let output = self.ctx.run_ui(input, |ui| {
            let tex = slot.get_or_insert_with(|| super::map::paint::MapTextures::new(ui.ctx()));
            let painter = ui.painter().clone();
            let origin = egui::Pos2::ZERO;
            for ls in &scene.layers {
                painter.extend(super::map::paint::layer_shapes(origin, ls, tex));
            }
            painter.add(super::map::paint::markers_shape(origin, extra, tex));
            super::map::paint::paint_labels(&painter, origin, &scene.labels);
        });
        let mut output = output;
        // No GPU here: the texture uploads a renderer would do are dropped.
        output.textures_delta.clear();
        let prims = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        prims
            .iter()
            .map(|p| match &p.primitive {
                egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
                egui::epaint::Primitive::Callback(_) => 0,
            })
            .sum()
    }
}
