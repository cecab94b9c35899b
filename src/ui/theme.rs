//! Fonts and spacing. The Japanese font (IPAexGothic) is bundled so that the UI renders on a
//! machine without Japanese fonts.

use eframe::egui;

use crate::render::text::JAPANESE_FONT as IPAEX_GOTHIC;

pub fn install(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "ipaexg".into(),
        std::sync::Arc::new(egui::FontData::from_static(IPAEX_GOTHIC)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .insert(0, "ipaexg".into());
    }
    ctx.set_fonts(fonts);
}
