//! 場所移動: one box for an address (through the geocoder, with the level reached and a
//! confidence), a person (by ID, 記号・番号, name or kana: only with 個人情報の閲覧, and
//! logged masked) or an institution (by name or code). The first hit centres the map with
//! a marker; the others are listed under the box.

use eframe::egui;

use crate::app::Command;
use crate::app::domain::search::{SearchCmd, SearchReply};
use crate::search::jump::{JumpHit, JumpKind};
use crate::ui::map::MapState;

#[derive(Default)]
pub struct JumpState {
    pub text: String,
    pub hits: Option<Vec<JumpHit>>,
}

/// The box, on the tool bar's row.
pub(crate) fn jump_ui(ui: &mut egui::Ui, st: &mut MapState) -> Vec<Command> {
    let mut cmds = Vec::new();
    ui.horizontal(|ui| {
        let l = ui.label("場所移動:");
        let resp = ui
            .add(
                egui::TextEdit::singleline(&mut st.tools.jump.text)
                    .desired_width(260.0)
                    .hint_text("住所・機関名・被保険者ID・氏名"),
            )
            .labelled_by(l.id);
        let enter = resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("移動").clicked() || enter) && !st.tools.jump.text.trim().is_empty() {
            st.tools.jump.hits = None;
            cmds.push(Command::from(SearchCmd::Jump {
                text: st.tools.jump.text.trim().to_string(),
            }));
        }
        if let Some(hits) = &st.tools.jump.hits {
            if hits.is_empty() {
                ui.weak("見つかりませんでした");
            } else {
                let mut go = None;
                egui::ComboBox::from_id_salt("jump_hits")
                    .selected_text(format!("候補 {} 件", hits.len()))
                    .width(360.0)
                    .show_ui(ui, |ui| {
                        for h in hits {
                            if ui.selectable_label(false, kind_label(h)).clicked() {
                                go = Some(h.clone());
                            }
                        }
                    });
                if let Some(h) = go {
                    super::spatial::focus(st, (h.lon, h.lat), h.label.clone(), 15);
                }
            }
        }
    });
    cmds
}

fn kind_label(h: &JumpHit) -> String {
    let kind = match &h.kind {
        JumpKind::Address { .. } => "住所",
        JumpKind::Person { .. } => "被保険者",
        JumpKind::Institution { .. } => "機関",
    };
    format!("［{kind}］{}", h.label)
}

/// Takes a jump's answer: centres on the first hit.
pub(crate) fn receive(st: &mut MapState, reply: SearchReply) -> Result<(), SearchReply> {
    match reply {
        SearchReply::Jump { hits, .. } => {
            if let Some(h) = hits.first() {
                let zoom = match &h.kind {
                    JumpKind::Address { level, .. } if level == "市区町村" => 12,
                    JumpKind::Address { level, .. } if level.starts_with("町丁") => 15,
                    _ => 16,
                };
                super::spatial::focus(st, (h.lon, h.lat), h.label.clone(), zoom);
            }
            st.tools.jump.hits = Some(hits);
            Ok(())
        }
        other => Err(other),
    }
}
