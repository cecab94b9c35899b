//! Widgets that several screens use.

use eframe::egui;

/// One labelled row of a grid: `current` picked from a list of (value, text).
pub(crate) fn choice_row<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    label: &str,
    id: &str,
    current: &mut T,
    options: impl IntoIterator<Item = (T, String)>,
) {
    let options: Vec<(T, String)> = options.into_iter().collect();
    let lbl = ui.label(label);
    let text = options
        .iter()
        .find(|o| o.0 == *current)
        .map(|o| o.1.clone())
        .unwrap_or_default();
    egui::ComboBox::from_id_salt(id)
        .selected_text(text)
        .show_ui(ui, |ui| {
            for (v, t) in options {
                ui.selectable_value(current, v, t);
            }
        })
        .response
        .labelled_by(lbl.id);
    ui.end_row();
}
