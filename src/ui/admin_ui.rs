//! 管理者設定: the user list (search; suspend, resume, unlock, reset the password,
//! delete; rights per user), the allow-list with usage periods and registration, and the
//! settings (idle lock minutes, allowed export folders, the threshold of 少数のため非表示).
//! Shown to users with the
//! 利用者の管理 right; the engine checks the right again for every change.

use crate::app::AdminCmd;
use eframe::egui;

use super::theme::section;

use crate::app::{AdminOp, Command};
use crate::auth::admin::UserInfo;
use crate::auth::{Right, Role};

#[derive(Default)]
pub struct AdminState {
    pub users: Option<Vec<UserInfo>>,
    pub search: String,
    requested: bool,
    pub allow_id: String,
    pub allow_until: String,
    pub allow_note: String,
    pub register_role: Option<Role>,
    pub idle_minutes: String,
    pub export_dirs: String,
    pub suppression_threshold: String,
    pub backup_dir: String,
    pub backup_keep: String,
    pub backup_time: String,
    /// The last change's message (a new initial password is shown here once).
    pub message: Option<String>,
    pub groups: Option<Vec<crate::auth::admin::GroupInfo>>,
    pub allowed: Option<Vec<crate::auth::admin::AllowedId>>,
    pub group_name: String,
    pub group_rights: std::collections::BTreeSet<Right>,
    pub group_members: String,
    /// The group list's name filter.
    pub group_search: String,
    /// The user whose rights are being edited.
    pub selected: Option<String>,
    /// Every stored setting (the per-user export folders are read from it).
    settings: std::collections::BTreeMap<String, String>,
    /// The selected user's own export folders as edited, and whose they are.
    pub user_dirs: (String, String),
    /// A destructive change waiting for confirmation: (label, op).
    confirm: Option<(String, AdminOp)>,
    /// The 「復旧鍵を作り直す」 button was pressed once and waits for 「作り直す」.
    confirm_renew: bool,
}

impl AdminState {
    pub fn set_users(&mut self, users: Vec<UserInfo>) {
        self.users = Some(users);
    }
    /// Shows the stored settings in their fields.
    pub fn set_settings(&mut self, m: &std::collections::BTreeMap<String, String>) {
        use crate::backup::{SETTING_DIR, SETTING_GENERATIONS, SETTING_TIME};
        let get = |k: &str| m.get(k).cloned().unwrap_or_default();
        self.idle_minutes = get(crate::auth::SETTING_IDLE_MINUTES);
        self.export_dirs = get(crate::auth::SETTING_EXPORT_DIRS);
        self.suppression_threshold = get(crate::analysis::suppression::SETTING_THRESHOLD);
        self.backup_dir = get(SETTING_DIR);
        self.backup_keep = get(SETTING_GENERATIONS);
        self.backup_time = get(SETTING_TIME);
        self.settings = m.clone();
        self.user_dirs = Default::default();
    }

    pub fn done(&mut self, message: String, users: Vec<UserInfo>) {
        self.message = Some(message);
        self.users = Some(users);
    }
}

pub fn admin_ui(ui: &mut egui::Ui, st: &mut AdminState) -> Vec<Command> {
    let mut cmds = Vec::new();
    if !st.requested {
        st.requested = true;
        cmds.push(Command::from(AdminCmd::Users {
            search: String::new(),
        }));
        cmds.push(Command::from(AdminCmd::Groups {
            search: String::new(),
        }));
        cmds.push(Command::from(AdminCmd::AllowList));
        cmds.push(Command::from(AdminCmd::Settings));
    }
    super::theme::heading(ui, "管理者設定");
    if let Some(m) = st.message.clone() {
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(m).strong());
            if ui.small_button("閉じる").clicked() {
                st.message = None;
            }
        });
    }
    if let Some((label, op)) = st.confirm.clone() {
        ui.horizontal(|ui| {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("{label}。よろしいですか？"),
            );
            if ui.button("実行").clicked() {
                cmds.push(Command::from(AdminCmd::Op(op)));
                st.confirm = None;
            }
            if ui.button("やめる").clicked() {
                st.confirm = None;
            }
        });
    }
    ui.columns(2, |cols| {
        section(&mut cols[0], "利用者", |ui| users_ui(ui, st, &mut cmds));
        egui::ScrollArea::vertical()
            .id_salt("admin_right")
            .show(&mut cols[1], |ui| {
                section(ui, "許可リストと登録", |ui| {
                    allow_ui(ui, st, &mut cmds)
                });
                section(
                    ui,
                    "グループ（利用者の権限は本人とグループの和）",
                    |ui| groups_ui(ui, st, &mut cmds),
                );
                section(ui, "設定", |ui| settings_ui(ui, st, &mut cmds));
                section(ui, "バックアップ", |ui| backup_ui(ui, st, &mut cmds));
            });
    });
    cmds
}

fn users_ui(ui: &mut egui::Ui, st: &mut AdminState, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let lbl = ui.label("ID で検索");
        let r = ui.text_edit_singleline(&mut st.search).labelled_by(lbl.id);
        if r.changed() {
            cmds.push(Command::from(AdminCmd::Users {
                search: st.search.clone(),
            }));
        }
    });
    let Some(users) = st.users.clone() else {
        ui.spinner();
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("users")
        .max_height(560.0)
        .show(ui, |ui| {
            egui::Grid::new("users_grid")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    ui.label("ID（選ぶと権限を編集）");
                    ui.label("状態");
                    ui.label("利用期間");
                    ui.label("操作");
                    ui.end_row();
                    for u in &users {
                        let selected = st.selected.as_deref() == Some(u.user_id.as_str());
                        if ui.selectable_label(selected, &u.user_id).clicked() {
                            st.selected = Some(u.user_id.clone());
                        }
                        ui.label(u.state_label());
                        ui.label(u.valid_until.clone().unwrap_or_else(|| "無期限".into()));
                        ui.horizontal(|ui| {
                            let id = u.user_id.clone();
                            if u.suspended {
                                if ui.small_button(format!("{id} を再開")).clicked() {
                                    cmds.push(Command::from(AdminCmd::Op(AdminOp::Resume(
                                        id.clone(),
                                    ))));
                                }
                            } else if ui.small_button(format!("{id} を停止")).clicked() {
                                st.confirm = Some((
                                    format!("{id} の利用を停止します（ログイン中なら直ちに終了）"),
                                    AdminOp::Suspend(id.clone()),
                                ));
                            }
                            if u.locked && ui.small_button("ロック解除").clicked() {
                                cmds.push(Command::from(AdminCmd::Op(AdminOp::Unlock(id.clone()))));
                            }
                            if ui.small_button("再発行").clicked() {
                                st.confirm = Some((
                                    format!("{id} の初期パスワードを再発行します"),
                                    AdminOp::ResetPassword(id.clone()),
                                ));
                            }
                            if ui.small_button("削除").clicked() {
                                st.confirm = Some((
                                    format!("{id} を削除します"),
                                    AdminOp::Delete(id.clone()),
                                ));
                            }
                        });
                        ui.end_row();
                    }
                });
        });
    if let Some(u) = st
        .selected
        .as_ref()
        .and_then(|id| users.iter().find(|u| &u.user_id == id))
    {
        ui.separator();
        ui.strong(format!("{} の権限（グループの権限を含む）", u.user_id));
        if !u.groups.is_empty() {
            ui.label(format!("グループ: {}", u.groups.join("、")));
        }
        for r in Right::ALL {
            let mut on = u.rights.contains(&r);
            if ui.checkbox(&mut on, r.label()).changed() {
                let mut rights = u.rights.clone();
                if on {
                    rights.insert(r);
                } else {
                    rights.remove(&r);
                }
                cmds.push(Command::from(AdminCmd::Op(AdminOp::SetRights {
                    id: u.user_id.clone(),
                    rights,
                })));
            }
        }
        if st.user_dirs.0 != u.user_id {
            let key = crate::auth::user_export_dirs_key(&u.user_id);
            st.user_dirs = (
                u.user_id.clone(),
                st.settings.get(&key).cloned().unwrap_or_default(),
            );
        }
        ui.horizontal(|ui| {
            let lbl = ui.label("この利用者の出力先フォルダ（1 行に 1 つ）");
            ui.add_sized(
                [300.0, 48.0],
                egui::TextEdit::multiline(&mut st.user_dirs.1)
                    .hint_text("空欄: 全員用の出力先フォルダ"),
            )
            .labelled_by(lbl.id);
            if ui.button("保存").clicked() {
                let key = crate::auth::user_export_dirs_key(&u.user_id);
                st.settings
                    .insert(key.clone(), st.user_dirs.1.trim().to_string());
                cmds.push(Command::from(AdminCmd::Op(AdminOp::SetSetting {
                    key,
                    value: st.user_dirs.1.clone(),
                })));
            }
        });
        ui.horizontal(|ui| {
            ui.label("ロールを適用:");
            for role in Role::ALL {
                if ui.small_button(role.label()).clicked() {
                    cmds.push(Command::from(AdminCmd::Op(AdminOp::SetRights {
                        id: u.user_id.clone(),
                        rights: role.rights(),
                    })));
                }
            }
        });
    }
}

fn allow_ui(ui: &mut egui::Ui, st: &mut AdminState, cmds: &mut Vec<Command>) {
    ui.label("登録できるのは、先に許可リストに入れた ID だけです。");
    egui::Grid::new("allow_grid").num_columns(2).show(ui, |ui| {
        let lbl = ui.label("ID");
        ui.text_edit_singleline(&mut st.allow_id)
            .labelled_by(lbl.id);
        ui.end_row();
        let lbl = ui.label("利用期間（終了日）");
        ui.add(
            egui::TextEdit::singleline(&mut st.allow_until).hint_text("2027-03-31（空欄は無期限）"),
        )
        .labelled_by(lbl.id);
        ui.end_row();
        let lbl = ui.label("メモ");
        ui.text_edit_singleline(&mut st.allow_note)
            .labelled_by(lbl.id);
        ui.end_row();
        super::widgets::choice_row(
            ui,
            "ロール",
            "register_role",
            &mut st.register_role,
            std::iter::once((None, "（登録しない）".to_string()))
                .chain(Role::ALL.map(|r| (Some(r), r.label().to_string()))),
        );
    });
    if let Some(list) = st.allowed.clone() {
        egui::Grid::new("allow_list")
            .striped(true)
            .num_columns(4)
            .show(ui, |ui| {
                ui.label("許可 ID（選ぶと下に入る）");
                ui.label("利用期間");
                ui.label("登録");
                ui.label("メモ");
                ui.end_row();
                for a in list {
                    if ui
                        .selectable_label(st.allow_id == a.user_id, &a.user_id)
                        .clicked()
                    {
                        st.allow_id = a.user_id.clone();
                        st.allow_until = a.valid_until.clone().unwrap_or_default();
                        st.allow_note = a.note.clone();
                    }
                    ui.label(a.valid_until.as_deref().unwrap_or("無期限"));
                    ui.label(if a.registered {
                        "登録済み"
                    } else {
                        "未登録"
                    });
                    ui.label(&a.note);
                    ui.end_row();
                }
            });
    }
    let id = st.allow_id.trim().to_string();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                !id.is_empty(),
                egui::Button::new("許可リストに登録・利用期間を更新"),
            )
            .clicked()
        {
            cmds.push(Command::from(AdminCmd::Op(AdminOp::Allow {
                id: id.clone(),
                valid_until: Some(st.allow_until.trim().to_string()).filter(|s| !s.is_empty()),
                note: st.allow_note.clone(),
            })));
        }
        if let Some(role) = st.register_role
            && ui
                .add_enabled(!id.is_empty(), egui::Button::new("利用者として登録"))
                .clicked()
        {
            cmds.push(Command::from(AdminCmd::Op(AdminOp::Register {
                id: id.clone(),
                role,
            })));
        }
    });
}

fn groups_ui(ui: &mut egui::Ui, st: &mut AdminState, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let lbl = ui.label("グループ名で検索");
        let r = ui
            .text_edit_singleline(&mut st.group_search)
            .labelled_by(lbl.id);
        if r.changed() {
            cmds.push(Command::from(AdminCmd::Groups {
                search: st.group_search.clone(),
            }));
        }
    });
    if let Some(groups) = st.groups.clone() {
        egui::Grid::new("groups_list")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                ui.label("グループ（選ぶと編集）");
                ui.label("状態");
                ui.label("操作");
                ui.end_row();
                for g in groups {
                    if ui
                        .selectable_label(st.group_name == g.name, &g.name)
                        .on_hover_text(format!("所属: {}", g.members.join("、")))
                        .clicked()
                    {
                        st.group_name = g.name.clone();
                        st.group_rights = g.rights.clone();
                        st.group_members = g.members.join(",");
                    }
                    ui.label(if g.suspended { "停止中" } else { "有効" });
                    ui.horizontal(|ui| {
                        let name = g.name.clone();
                        if g.suspended {
                            if ui.small_button(format!("{name} を再開")).clicked() {
                                cmds.push(Command::from(AdminCmd::Op(AdminOp::ResumeGroup(
                                    name.clone(),
                                ))));
                            }
                        } else if ui.small_button(format!("{name} を停止")).clicked() {
                            st.confirm = Some((
                                format!(
                                    "グループ {name} を停止します（再開するまで、このグループの権限は働きません）"
                                ),
                                AdminOp::SuspendGroup(name.clone()),
                            ));
                        }
                        if ui.small_button(format!("{name} を削除")).clicked() {
                            st.confirm = Some((
                                format!("グループ {name} を削除します（利用者は残ります）"),
                                AdminOp::DeleteGroup(name.clone()),
                            ));
                        }
                    });
                    ui.end_row();
                }
            });
    }
    egui::Grid::new("group_grid").num_columns(2).show(ui, |ui| {
        let lbl = ui.label("グループ名");
        ui.text_edit_singleline(&mut st.group_name)
            .labelled_by(lbl.id);
        ui.end_row();
        let lbl = ui.label("所属する ID（カンマ区切り）");
        ui.text_edit_singleline(&mut st.group_members)
            .labelled_by(lbl.id);
        ui.end_row();
    });
    ui.horizontal_wrapped(|ui| {
        for r in Right::ALL {
            let mut on = st.group_rights.contains(&r);
            if ui.checkbox(&mut on, r.label()).changed() {
                if on {
                    st.group_rights.insert(r);
                } else {
                    st.group_rights.remove(&r);
                }
            }
        }
    });
    if ui
        .add_enabled(
            !st.group_name.trim().is_empty(),
            egui::Button::new("グループを保存"),
        )
        .clicked()
    {
        cmds.push(Command::from(AdminCmd::Op(AdminOp::SetGroup {
            name: st.group_name.trim().to_string(),
            rights: st.group_rights.clone(),
            members: st
                .group_members
                .split([',', '、'])
                .map(|m| m.trim().to_string())
                .filter(|m| !m.is_empty())
                .collect(),
        })));
    }
}

fn settings_ui(ui: &mut egui::Ui, st: &mut AdminState, cmds: &mut Vec<Command>) {
    egui::Grid::new("settings_grid")
        .num_columns(3)
        .show(ui, |ui| {
            let lbl = ui.label("画面ロックまでの分数");
            ui.add(
                egui::TextEdit::singleline(&mut st.idle_minutes)
                    .hint_text("15")
                    .desired_width(60.0),
            )
            .labelled_by(lbl.id);
            if ui.button("保存").clicked() {
                cmds.push(Command::from(AdminCmd::Op(AdminOp::SetSetting {
                    key: crate::auth::SETTING_IDLE_MINUTES.into(),
                    value: st.idle_minutes.trim().to_string(),
                })));
            }
            ui.end_row();
            let lbl = ui.label("出力先フォルダ（1 行に 1 つ）");
            ui.add_sized(
                [300.0, 60.0],
                egui::TextEdit::multiline(&mut st.export_dirs)
                    .hint_text("空欄: 外部出力の権限があればどこでも"),
            )
            .labelled_by(lbl.id);
            if ui.button("保存").clicked() {
                cmds.push(Command::from(AdminCmd::Op(AdminOp::SetSetting {
                    key: crate::auth::SETTING_EXPORT_DIRS.into(),
                    value: st.export_dirs.clone(),
                })));
            }
            ui.end_row();
            let lbl = ui.label("少数のため非表示の基準（対象者数、1〜1000 人）");
            ui.add(
                egui::TextEdit::singleline(&mut st.suppression_threshold)
                    .hint_text(crate::analysis::suppression::DEFAULT_THRESHOLD.to_string())
                    .desired_width(60.0),
            )
            .labelled_by(lbl.id)
            .on_hover_text("対象者がこの人数未満の地域（と、差し引きで分かってしまう地域）は地図・表・コマンドで数値を出しません");
            if ui.button("保存").clicked() {
                cmds.push(Command::from(AdminCmd::Op(AdminOp::SetSetting {
                    key: crate::analysis::suppression::SETTING_THRESHOLD.into(),
                    value: st.suppression_threshold.trim().to_string(),
                })));
            }
            ui.end_row();
        });
}

fn backup_ui(ui: &mut egui::Ui, st: &mut AdminState, cmds: &mut Vec<Command>) {
    use crate::backup::{SETTING_DIR, SETTING_GENERATIONS, SETTING_TIME};
    ui.label("アプリの鍵と復旧鍵の二つの宛先に age で暗号化し、書いた後に検証します。");
    egui::Grid::new("backup_grid")
        .num_columns(3)
        .show(ui, |ui| {
            let rows: [(&str, &mut String, &str, &str); 3] = [
                (
                    "保存先フォルダ",
                    &mut st.backup_dir,
                    "D:\\backup",
                    SETTING_DIR,
                ),
                ("残す世代数", &mut st.backup_keep, "5", SETTING_GENERATIONS),
                (
                    "毎日の時刻（起動中）",
                    &mut st.backup_time,
                    "18:30（空欄は自動なし）",
                    SETTING_TIME,
                ),
            ];
            for (label, value, hint, key) in rows {
                let lbl = ui.label(label);
                ui.add_sized(
                    [240.0, 20.0],
                    egui::TextEdit::singleline(value).hint_text(hint),
                )
                .labelled_by(lbl.id);
                if ui.button("保存").on_hover_text(label).clicked() {
                    cmds.push(Command::from(AdminCmd::Op(AdminOp::SetSetting {
                        key: key.into(),
                        value: value.trim().to_string(),
                    })));
                }
                ui.end_row();
            }
        });
    ui.horizontal(|ui| {
        if ui.button("今すぐバックアップ").clicked() {
            cmds.push(Command::from(AdminCmd::Backup { dir: None, keep: None }));
        }
        if st.confirm_renew {
            ui.label("今の復旧鍵では、これからのバックアップを開けなくなります。");
            if ui.button("作り直す").clicked() {
                st.confirm_renew = false;
                cmds.push(Command::from(AdminCmd::RenewRecoveryKey));
            }
            if ui.button("やめる").clicked() {
                st.confirm_renew = false;
            }
        } else if ui
            .button("復旧鍵を作り直す")
            .on_hover_text(
                "別のマシンへの復元に使う復旧鍵を新しく作り、この画面に一度だけ表示します（印刷して保管）。\
                 なくした・漏れたときに使います。作る前のバックアップは前の鍵で開けます",
            )
            .clicked()
        {
            st.confirm_renew = true;
        }
    });
}

impl super::AtlasApp {
    /// The admin domain's answers: users, groups, settings and backups here; the usage
    /// log's on its screen.
    pub(super) fn on_admin(&mut self, reply: crate::app::AdminReply) -> Vec<Command> {
        use crate::app::AdminReply;
        match reply {
            AdminReply::Users(u) => self.admin.set_users(u),
            // The change ended the admin's own session: the login screen, with the
            // message (a new initial password of their own is shown there, once).
            AdminReply::Done {
                message,
                ended: true,
                ..
            } => {
                self.closed();
                self.login.clear_secrets();
                self.login.session = None;
                self.login.gate = super::login_ui::Gate::Login;
                self.login.message = Some(message);
            }
            AdminReply::Done {
                message,
                users,
                groups,
                allowed,
                ended: false,
            } => {
                self.admin.done(message, users);
                // The threshold of 少数のため非表示 may have changed.
                self.map.figures_changed();
                self.home.uptake = None;
                self.admin.groups = Some(groups);
                self.admin.allowed = Some(allowed);
            }
            AdminReply::Groups(g) => self.admin.groups = Some(g),
            AdminReply::AllowList(a) => self.admin.allowed = Some(a),
            AdminReply::Settings(m) => self.admin.set_settings(&m),
            AdminReply::BackupDone(rep) => {
                let mut m = format!(
                    "バックアップしました: {}（{} テーブル {} 行、検証済み）",
                    rep.file.display(),
                    rep.tables,
                    rep.rows
                );
                if rep.recovery_missing {
                    m.push_str(
                        "\n注意: 復旧鍵がないため、このバックアップはこのマシンでしか復元できません。\
                         バックアップの権限のある利用者が管理画面の「復旧鍵を作り直す」で作ってください",
                    );
                }
                self.admin.message = Some(m);
            }
            AdminReply::RecoveryKey(k) => {
                self.admin.message = Some(format!(
                    "新しい復旧鍵です。ここでしか表示しません。印刷して金庫などに保管してください\
                     （別のマシンへの復元と、標準の age での復号に使います）:\n{k}"
                ));
            }
            AdminReply::BackupNotDue => {}
            other => self.audit.receive(other),
        }
        Vec::new()
    }
}
