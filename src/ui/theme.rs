//! The look every screen shares: the bundled Japanese font (IPAexGothic, so that the UI
//! renders on a machine without Japanese fonts), a light theme by default (as office
//! software on Windows looks, and as a printout will; dark is a per-user option), the
//! spacing, and the two building blocks of a screen: [`heading`] (the screen's title)
//! and [`section`] (a framed, titled group of related fields).

use eframe::egui;

use crate::paint::text::JAPANESE_FONT as IPAEX_GOTHIC;

/// The light or dark look, chosen per user (stored with the user's preferences).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Look {
    #[default]
    Light,
    Dark,
}

impl Look {
    pub const ALL: [Look; 2] = [Look::Light, Look::Dark];

    pub fn label(self) -> &'static str {
        match self {
            Look::Light => "明るい",
            Look::Dark => "暗い",
        }
    }

    /// The stored value.
    pub fn key(self) -> &'static str {
        match self {
            Look::Light => "light",
            Look::Dark => "dark",
        }
    }

    /// A stored value; anything else is the light default.
    pub fn from_key(v: &str) -> Look {
        match v {
            "dark" => Look::Dark,
            _ => Look::Light,
        }
    }
}

/// The preference key of [`Look`].
pub const PREF_LOOK: &str = "look";

/// Fonts, spacing and the light look.
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
    ctx.all_styles_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 3.0);
        style.spacing.interact_size.y = 24.0;
    });
    set_look(ctx, Look::Light);
}

/// Switches between the light and the dark look.
pub fn set_look(ctx: &egui::Context, look: Look) {
    ctx.set_theme(match look {
        Look::Light => egui::Theme::Light,
        Look::Dark => egui::Theme::Dark,
    });
}

/// A screen's title.
pub fn heading(ui: &mut egui::Ui, text: &str) {
    ui.add_space(4.0);
    ui.label(egui::RichText::new(text).size(20.0).strong());
    ui.add_space(6.0);
}

/// A framed group of related fields under a title (a subsection of a screen).
pub fn section<R>(ui: &mut egui::Ui, title: &str, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    let r = egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::same(10))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(egui::RichText::new(title).size(15.0).strong());
            ui.add_space(4.0);
            add(ui)
        })
        .inner;
    ui.add_space(8.0);
    r
}
