//! 利用ログ分析 (for users with the 利用ログの閲覧 right): filter by user, action, period
//! and result; counts per user, day and action as bar charts; unusual entries highlighted
//! (repeated failed logins, large exports, use outside office hours, refusals); the
//! filtered log written as CSV, which is itself logged as an export.

use crate::app::AdminCmd;
use eframe::egui::{self, Color32, Vec2};

use crate::app::Command;
use crate::audit::{Action, Entry, Filter, Flag, Outcome};

#[derive(Default)]
pub struct AuditState {
    pub user: String,
    pub action: Option<Action>,
    pub result: Option<Outcome>,
    pub from: String,
    pub to: String,
    pub entries: Option<Vec<Entry>>,
    flags: Vec<Vec<Flag>>,
    counts: crate::audit::Counts,
    pub only_flagged: bool,
    pub export_path: String,
    pub message: Option<String>,
    requested: bool,
}

impl AuditState {
    fn filter(&self) -> Filter {
        Filter {
            user: Some(self.user.trim().to_string()).filter(|u| !u.is_empty()),
            action: self.action,
            result: self.result,
            from: Some(self.from.trim().to_string()).filter(|s| !s.is_empty()),
            to: Some(self.to.trim().to_string()).filter(|s| !s.is_empty()),
        }
    }

    pub fn set_entries(&mut self, entries: Vec<Entry>) {
        self.flags = crate::audit::flags(&entries);
        self.counts = crate::audit::counts(&entries);
        self.entries = Some(entries);
    }
}

/// Horizontal bars for one count table (largest first, at most `max` rows).
fn bars(ui: &mut egui::Ui, title: &str, rows: Vec<(String, u64)>, max: usize) {
    ui.strong(title);
    let top = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1) as f32;
    for (label, n) in rows.into_iter().take(max) {
        ui.horizontal(|ui| {
            ui.add_sized([110.0, 16.0], egui::Label::new(label).truncate());
            let w = 160.0 * n as f32 / top;
            let (r, _) = ui.allocate_exact_size(Vec2::new(160.0, 12.0), egui::Sense::hover());
            ui.painter().rect_filled(
                egui::Rect::from_min_size(r.min, Vec2::new(w.max(1.0), 12.0)),
                2.0,
                Color32::from_rgb(70, 130, 180),
            );
            ui.label(n.to_string());
        });
    }
}

pub fn audit_ui(ui: &mut egui::Ui, st: &mut AuditState) -> Vec<Command> {
    let mut cmds = Vec::new();
    if !st.requested {
        st.requested = true;
        cmds.push(Command::from(AdminCmd::AuditLog(st.filter())));
    }
    super::theme::heading(ui, "利用ログ分析");
    let mut search = false;
    ui.horizontal_wrapped(|ui| {
        let lbl = ui.label("利用者 ID");
        ui.add(egui::TextEdit::singleline(&mut st.user).desired_width(100.0))
            .labelled_by(lbl.id);
        egui::ComboBox::from_label("操作")
            .selected_text(st.action.map_or("すべて", |a| a.label()))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut st.action, None, "すべて");
                for a in Action::ALL {
                    ui.selectable_value(&mut st.action, Some(a), a.label());
                }
            });
        egui::ComboBox::from_label("結果")
            .selected_text(st.result.map_or("すべて", |r| r.label()))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut st.result, None, "すべて");
                for r in [Outcome::Ok, Outcome::Denied, Outcome::Error] {
                    ui.selectable_value(&mut st.result, Some(r), r.label());
                }
            });
        let lbl = ui.label("期間");
        ui.add(
            egui::TextEdit::singleline(&mut st.from)
                .hint_text("2026-04-01")
                .desired_width(90.0),
        )
        .labelled_by(lbl.id);
        ui.label("〜");
        ui.add(
            egui::TextEdit::singleline(&mut st.to)
                .hint_text("2027-03-31")
                .desired_width(90.0),
        )
        .on_hover_text("期間の終わり");
        search = ui.button("検索").clicked();
        ui.checkbox(&mut st.only_flagged, "注意の記録だけ");
    });
    if search {
        cmds.push(Command::from(AdminCmd::AuditLog(st.filter())));
    }
    let Some(entries) = st.entries.take() else {
        ui.spinner();
        return cmds;
    };
    let flagged = st.flags.iter().filter(|f| !f.is_empty()).count();
    ui.label(format!(
        "{} 件（注意 {} 件: ログイン失敗の繰り返し・大量の外部出力・時間外の利用・権限のない操作）",
        entries.len(),
        flagged
    ));
    ui.columns(3, |cols| {
        let mut users: Vec<(String, u64)> = st
            .counts
            .per_user
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        users.sort_by(|a, b| b.1.cmp(&a.1));
        bars(&mut cols[0], "利用者別", users, 10);
        let days: Vec<(String, u64)> = st
            .counts
            .per_day
            .iter()
            .rev()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        bars(&mut cols[1], "日別（新しい順）", days, 10);
        let mut actions: Vec<(String, u64)> = st
            .counts
            .per_action
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        actions.sort_by(|a, b| b.1.cmp(&a.1));
        bars(&mut cols[2], "操作別", actions, 10);
    });
    ui.separator();
    ui.horizontal(|ui| {
        let lbl = ui.label("CSV の書き出し先");
        ui.add(
            egui::TextEdit::singleline(&mut st.export_path)
                .hint_text("D:\\\\出力\\\\利用ログ.csv")
                .desired_width(320.0),
        )
        .labelled_by(lbl.id);
        if ui
            .add_enabled(
                !st.export_path.trim().is_empty(),
                egui::Button::new("絞り込んだログを書き出す"),
            )
            .clicked()
        {
            cmds.push(Command::from(AdminCmd::ExportAudit {
                filter: st.filter(),
                path: st.export_path.trim().into(),
            }));
        }
    });
    if let Some(m) = &st.message {
        ui.label(m);
    }
    let shown: Vec<usize> = (0..entries.len())
        .rev()
        .filter(|&i| !st.only_flagged || !st.flags[i].is_empty())
        .collect();
    let row_h = 18.0;
    egui::ScrollArea::vertical()
        .id_salt("audit_rows")
        .auto_shrink([false, false])
        .show_rows(ui, row_h, shown.len(), |ui, range| {
            egui::Grid::new("audit_grid").striped(true).show(ui, |ui| {
                for &i in &shown[range] {
                    let e = &entries[i];
                    let warn = !st.flags[i].is_empty();
                    let color = if warn {
                        Color32::from_rgb(220, 120, 40)
                    } else {
                        ui.visuals().text_color()
                    };
                    ui.colored_label(color, e.seq.to_string());
                    ui.colored_label(color, e.local_time());
                    ui.colored_label(
                        color,
                        if e.user.is_empty() {
                            "（不明な ID）"
                        } else {
                            &e.user
                        },
                    );
                    ui.colored_label(color, e.action.label());
                    ui.colored_label(color, &e.target);
                    ui.colored_label(color, e.rows.map(|r| r.to_string()).unwrap_or_default());
                    ui.colored_label(color, e.result.label());
                    ui.colored_label(
                        color,
                        st.flags[i]
                            .iter()
                            .map(|f| f.label())
                            .collect::<Vec<_>>()
                            .join("、"),
                    );
                    ui.end_row();
                }
            });
        });
    st.entries = Some(entries);
    cmds
}

impl AuditState {
    /// The usage log's answers.
    pub fn receive(&mut self, reply: crate::app::AdminReply) {
        use crate::app::AdminReply;
        match reply {
            AdminReply::AuditLog(entries) => self.set_entries(entries),
            AdminReply::Exported { path, rows } => {
                self.message = Some(format!("{} 件を {} に書き出しました", rows, path.display()));
            }
            AdminReply::AuditVerified(r) => self.message = Some(r.message()),
            _ => {}
        }
    }
}
