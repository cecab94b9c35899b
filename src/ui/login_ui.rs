//! The gate in front of the app: first setup (the first admin), login, the idle lock
//! screen (the password resumes the same work) and the forced change of an initial
//! password. Only commands go out; the engine decides.

use crate::app::{AccountCmd, AccountReply};
use eframe::egui;

use crate::app::{Command, Secret, SessionInfo};
use crate::auth::password;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Asking the engine whether setup was done.
    Checking,
    Setup,
    Login,
    /// Idle lock: the session waits for the password.
    Locked,
    /// An initial password must be changed first.
    MustChange,
    /// After first setup: the backup recovery key, shown this once.
    Recovery,
    Open,
}

pub struct LoginState {
    pub gate: Gate,
    pub id: String,
    pub password: String,
    pub confirm: String,
    pub new_password: String,
    pub message: Option<String>,
    pub busy: bool,
    pub session: Option<SessionInfo>,
    /// The recovery key to show once (first setup).
    pub recovery_key: Option<String>,
    /// Set when the recovery screen was acknowledged: the app opens on the next frame.
    pub opened_pending: bool,
}

impl Default for LoginState {
    fn default() -> Self {
        LoginState {
            gate: Gate::Checking,
            id: String::new(),
            password: String::new(),
            confirm: String::new(),
            new_password: String::new(),
            message: None,
            busy: false,
            session: None,
            recovery_key: None,
            opened_pending: false,
        }
    }
}

impl LoginState {
    pub(crate) fn clear_secrets(&mut self) {
        self.password.clear();
        self.confirm.clear();
        self.new_password.clear();
    }

    /// An answer of the engine about the account; `true` when the app has just opened
    /// for a new session (the caller loads the data then).
    pub fn answered(&mut self, outcome: &crate::app::Outcome) -> bool {
        use crate::app::Outcome;
        self.busy = false;
        match outcome {
            Outcome::Account(AccountReply::AuthStatus { set_up }) => {
                self.gate = if *set_up { Gate::Login } else { Gate::Setup };
                false
            }
            Outcome::Account(AccountReply::LoggedIn(info))
            | Outcome::Account(AccountReply::PasswordChanged(info)) => {
                let before = self.gate.clone();
                self.clear_secrets();
                self.message = None;
                self.session = Some(info.clone());
                self.gate = if info.must_change_password {
                    Gate::MustChange
                } else {
                    Gate::Open
                };
                // A resumed lock continues the same work; anything else opens anew.
                self.gate == Gate::Open && !matches!(before, Gate::Locked | Gate::Open)
            }
            Outcome::Account(AccountReply::SetupDone { info, recovery_key }) => {
                self.clear_secrets();
                self.message = None;
                self.session = Some(info.clone());
                match recovery_key {
                    Some(k) => {
                        self.recovery_key = Some(k.clone());
                        self.gate = Gate::Recovery;
                        false
                    }
                    None => {
                        self.gate = Gate::Open;
                        true
                    }
                }
            }
            Outcome::Account(AccountReply::AuthFailed(e)) => {
                self.clear_secrets();
                self.message = Some(e.to_string());
                false
            }
            Outcome::ScreenLocked => {
                if self.session.is_some() {
                    self.gate = Gate::Locked;
                }
                false
            }
            Outcome::SessionEnded(_) | Outcome::Account(AccountReply::LoggedOut) => {
                if self.gate != Gate::Setup {
                    self.clear_secrets();
                    self.session = None;
                    self.gate = Gate::Login;
                    self.message = match outcome {
                        Outcome::SessionEnded(m) => Some(m.clone()),
                        _ => None,
                    };
                }
                false
            }
            _ => false,
        }
    }
}

fn password_field(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    ui.horizontal(|ui| {
        let lbl = ui.add_sized([150.0, 20.0], egui::Label::new(label));
        ui.add(
            egui::TextEdit::singleline(value)
                .password(true)
                .desired_width(260.0),
        )
        .labelled_by(lbl.id)
    })
    .inner
}

fn text_field(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    ui.horizontal(|ui| {
        let lbl = ui.add_sized([150.0, 20.0], egui::Label::new(label));
        ui.add(egui::TextEdit::singleline(value).desired_width(260.0))
            .labelled_by(lbl.id)
    })
    .inner
}

/// Draws the gate; returns the commands to send.
pub fn login_ui(ui: &mut egui::Ui, st: &mut LoginState) -> Vec<Command> {
    let mut cmds = Vec::new();
    ui.vertical_centered(|ui| {
        ui.add_space(120.0);
        ui.heading("健診アトラス");
        ui.add_space(20.0);
        egui::Frame::group(ui.style())
            .inner_margin(20.0)
            .show(ui, |ui| {
                ui.set_max_width(460.0);
                match st.gate {
                    Gate::Checking => {
                        ui.spinner();
                    }
                    Gate::Setup => setup(ui, st, &mut cmds),
                    Gate::Login => login(ui, st, &mut cmds),
                    Gate::Locked => locked(ui, st, &mut cmds),
                    Gate::MustChange => must_change(ui, st, &mut cmds),
                    Gate::Recovery => recovery(ui, st, &mut cmds),
                    Gate::Open => {}
                }
                if let Some(m) = &st.message {
                    ui.add_space(8.0);
                    ui.colored_label(ui.visuals().error_fg_color, m);
                }
                if st.busy {
                    ui.spinner();
                }
            });
    });
    cmds
}

fn recovery(ui: &mut egui::Ui, st: &mut LoginState, cmds: &mut Vec<Command>) {
    ui.strong("バックアップの復旧鍵");
    ui.label(
        "バックアップはこの鍵とアプリの鍵の二つで暗号化されます。この鍵は別のマシンへの復元と、標準の age での復号に使います。この画面でしか表示しません。印刷して金庫などに保管してください。",
    );
    let mut text = st.recovery_key.clone().unwrap_or_default();
    ui.add(
        egui::TextEdit::multiline(&mut text)
            .font(egui::TextStyle::Monospace)
            .desired_width(440.0)
            .desired_rows(3),
    );
    if ui
        .add_enabled(!st.busy, egui::Button::new("印刷する"))
        .on_hover_text(
            "A4 1 枚に、鍵と作成日・用途を印刷します（Windows では印刷ダイアログが開きます）",
        )
        .clicked()
        && let Some(k) = &st.recovery_key
    {
        st.message = None;
        st.busy = true;
        cmds.push(Command::from(
            crate::app::domain::print::PrintCmd::RecoveryKey {
                key: crate::app::Secret(k.clone()),
                copies: 1,
            },
        ));
    }
    if ui
        .add_enabled(!st.busy, egui::Button::new("印刷・保管しました（次へ）"))
        .clicked()
    {
        st.recovery_key = None;
        st.gate = Gate::Open;
        st.opened_pending = true;
    }
}

fn policy_note(ui: &mut egui::Ui) {
    ui.label(format!(
        "新しいパスワードは {}〜{} 文字。よく使われるものは使えません。",
        password::MIN_LEN,
        password::MAX_LEN
    ));
}

/// The two typed passwords agree and pass the policy; otherwise the message is set and
/// the fields are cleared.
fn new_password_ok(st: &mut LoginState, new: &str, id: &str) -> bool {
    let problem = if new != st.confirm {
        Some("二つのパスワードが違います。".to_string())
    } else {
        password::check_policy(new, id).err().map(|e| e.to_string())
    };
    match problem {
        Some(m) => {
            st.message = Some(m);
            st.clear_secrets();
            false
        }
        None => true,
    }
}

fn enter(ui: &egui::Ui, r: &egui::Response) -> bool {
    r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

fn setup(ui: &mut egui::Ui, st: &mut LoginState, cmds: &mut Vec<Command>) {
    ui.strong("初期設定: 最初の管理者を作ります");
    policy_note(ui);
    text_field(ui, "管理者 ID", &mut st.id);
    password_field(ui, "パスワード", &mut st.password);
    let r = password_field(ui, "パスワード（確認）", &mut st.confirm);
    let go = ui
        .add_enabled(!st.busy, egui::Button::new("管理者を作成"))
        .clicked()
        || enter(ui, &r);
    if go {
        let (new, id) = (st.password.clone(), st.id.clone());
        if new_password_ok(st, &new, &id) {
            st.busy = true;
            cmds.push(Command::from(AccountCmd::Setup {
                admin: st.id.trim().to_string(),
                password: Secret(std::mem::take(&mut st.password)),
            }));
            st.confirm.clear();
        }
    }
}

fn login(ui: &mut egui::Ui, st: &mut LoginState, cmds: &mut Vec<Command>) {
    ui.strong("ログイン");
    text_field(ui, "ID", &mut st.id);
    let r = password_field(ui, "パスワード", &mut st.password);
    if (ui
        .add_enabled(!st.busy, egui::Button::new("ログイン"))
        .clicked()
        || enter(ui, &r))
        && !st.id.trim().is_empty()
    {
        st.busy = true;
        cmds.push(Command::from(AccountCmd::Login {
            user: st.id.trim().to_string(),
            password: Secret(std::mem::take(&mut st.password)),
        }));
    }
}

fn locked(ui: &mut egui::Ui, st: &mut LoginState, cmds: &mut Vec<Command>) {
    let who = st
        .session
        .as_ref()
        .map(|s| s.user_id.clone())
        .unwrap_or_default();
    ui.strong(format!("画面をロックしました（{who}）"));
    ui.label("パスワードを入力すると、作業を続けられます。");
    let r = password_field(ui, "パスワード", &mut st.password);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!st.busy, egui::Button::new("再開"))
            .clicked()
            || enter(ui, &r)
        {
            st.busy = true;
            cmds.push(Command::from(AccountCmd::Resume {
                password: Secret(std::mem::take(&mut st.password)),
            }));
        }
        if ui.button("別の利用者でログイン").clicked() {
            cmds.push(Command::from(AccountCmd::Logout));
        }
    });
}

fn must_change(ui: &mut egui::Ui, st: &mut LoginState, cmds: &mut Vec<Command>) {
    ui.strong("初期パスワードを変更してください");
    policy_note(ui);
    password_field(ui, "今のパスワード", &mut st.password);
    password_field(ui, "新しいパスワード", &mut st.new_password);
    let r = password_field(ui, "新しいパスワード（確認）", &mut st.confirm);
    if ui
        .add_enabled(!st.busy, egui::Button::new("変更"))
        .clicked()
        || enter(ui, &r)
    {
        let id = st
            .session
            .as_ref()
            .map(|s| s.user_id.clone())
            .unwrap_or_default();
        let new = st.new_password.clone();
        if new_password_ok(st, &new, &id) {
            st.busy = true;
            cmds.push(Command::from(AccountCmd::ChangePassword {
                old: Secret(std::mem::take(&mut st.password)),
                new: Secret(std::mem::take(&mut st.new_password)),
            }));
            st.confirm.clear();
        }
    }
}
