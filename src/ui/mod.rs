//! The egui user interface: the only module that uses egui/eframe. Screens send
//! [`Command`]s to the worker and draw what comes back; no SQL and no file parsing here.

mod admin_ui;
mod audit_ui;
pub mod data_ui;
pub mod export_ui;
pub mod extract_ui;
mod folder_ui;
pub mod frame_cost;
mod geocode_ui;
mod home_ui;
mod import_ui;
pub mod layout_ui;
pub mod login_ui;
pub mod map;

pub use theme::install as install_theme;
mod result_table;
pub mod search_ui;
mod theme;
pub mod widgets;

use crate::app::{AccountCmd, AccountReply, AdminCmd, GeocodeCmd, ImportCmd};
use std::path::PathBuf;

use eframe::egui;

use crate::app::{Command, Event, JobId, Outcome, Worker};
use crate::job::Progress;

/// Opens the window on `data_dir` (wgpu renderer: the target console has no OpenGL 3).
/// A second instance on the same data folder shows why it cannot open instead.
pub fn run(data_dir: PathBuf) -> Result<(), String> {
    let lock = match crate::os::InstanceLock::acquire(&data_dir, "画面（ログイン前）") {
        Ok(l) => std::sync::Arc::new(l),
        Err(e) => return refusal(e.to_string()),
    };
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Wgpu,
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1920.0, 1080.0])
            .with_maximized(true)
            .with_title("健診アトラス"),
        ..Default::default()
    };
    eframe::run_native(
        "健診アトラス",
        options,
        Box::new(move |cc| {
            let mut app = AtlasApp::new(&cc.egui_ctx, data_dir);
            app.lock = Some(lock);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| e.to_string())
}

/// A small window that only says why the app cannot open (and the same on stderr).
/// A failure as the status line shows it: the message, and the file, row and column
/// when the error names them.
pub(crate) fn error_text(e: &crate::app::AppError) -> String {
    e.with_location()
}

fn refusal(message: String) -> Result<(), String> {
    eprintln!("{message}");
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Wgpu,
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([560.0, 180.0])
            .with_title("健診アトラス"),
        ..Default::default()
    };
    let shown = message.clone();
    let mut themed = false;
    eframe::run_ui_native("健診アトラス", options, move |ui, _| {
        if !themed {
            theme::install(ui.ctx());
            themed = true;
        }
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(20.0);
            ui.label(&shown);
            if ui.button("閉じる").clicked() {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
    })
    .map_err(|e| e.to_string())?;
    Err(message)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Map,
    Search,
    Extract,
    Data,
    Home,
    Geocode,
    Import,
    Layout,
    Admin,
    Audit,
}

impl Screen {
    /// Every screen behind the login, in the order of the top bar.
    pub const ALL: [Screen; 10] = [
        Screen::Map,
        Screen::Search,
        Screen::Extract,
        Screen::Data,
        Screen::Home,
        Screen::Geocode,
        Screen::Import,
        Screen::Layout,
        Screen::Admin,
        Screen::Audit,
    ];

    /// The screen's chapter of the user manual: `manuals/user/<chapter>.md` (the login
    /// gate's chapter is [`LOGIN_CHAPTER`]).
    pub fn chapter(self) -> &'static str {
        match self {
            Screen::Map => "map",
            Screen::Search => "search",
            Screen::Extract => "extract",
            Screen::Data => "data",
            Screen::Home => "home",
            Screen::Geocode => "geocode",
            Screen::Import => "import",
            Screen::Layout => "print",
            Screen::Admin => "admin",
            Screen::Audit => "audit",
        }
    }
}

/// The user manual's chapter of the login, first setup and lock screens.
pub const LOGIN_CHAPTER: &str = "login";

/// A job under way, as the UI shows it.
pub struct Running {
    pub id: JobId,
    pub label: &'static str,
    pub progress: Progress,
}

pub struct AtlasApp {
    worker: Worker,
    pub screen: Screen,
    pub running: Vec<Running>,
    pub home: home_ui::HomeState,
    pub import: import_ui::ImportState,
    pub map: map::MapState,
    pub search: search_ui::SearchState,
    pub extract: extract_ui::ExtractState,
    pub data: data_ui::DataState,
    pub geocode: geocode_ui::GeocodeState,
    pub login: login_ui::LoginState,
    pub admin: admin_ui::AdminState,
    pub audit: audit_ui::AuditState,
    pub layout: layout_ui::LayoutState,
    /// The 出力 window (one for every screen).
    pub export: export_ui::ExportDialog,
    pub last_error: Option<String>,
    /// When the engine last heard of activity or was asked about the session.
    last_touch: std::time::Instant,
    last_check: std::time::Instant,
    /// The single-instance lock (its holder text names the logged-in user).
    pub lock: Option<std::sync::Arc<crate::os::InstanceLock>>,
    /// When the engine was last asked whether the daily backup is due.
    last_backup_check: std::time::Instant,
    /// The logged-in user's light or dark look, and the one the context has.
    pub look: theme::Look,
    applied_look: Option<theme::Look>,
    /// The last import and 住所照合 jobs (their screens are busy while these run).
    import_job: Option<JobId>,
    geocode_job: Option<JobId>,
}

impl AtlasApp {
    pub fn new(ctx: &egui::Context, data_dir: PathBuf) -> AtlasApp {
        theme::install(ctx);
        let repaint = ctx.clone();
        let worker = Worker::start(data_dir.clone(), move || repaint.request_repaint());
        let mut app = AtlasApp {
            worker,
            screen: Screen::Map,
            running: Vec::new(),
            home: home_ui::HomeState::default(),
            import: import_ui::ImportState::new(std::env::current_dir().unwrap_or_default()),
            map: map::MapState::default(),
            search: search_ui::SearchState::default(),
            extract: extract_ui::ExtractState::default(),
            data: data_ui::DataState::default(),
            geocode: geocode_ui::GeocodeState::default(),
            login: login_ui::LoginState::default(),
            admin: admin_ui::AdminState::default(),
            audit: audit_ui::AuditState::default(),
            layout: layout_ui::LayoutState::default(),
            export: export_ui::ExportDialog::default(),
            last_error: None,
            last_touch: std::time::Instant::now(),
            last_check: std::time::Instant::now(),
            lock: None,
            last_backup_check: std::time::Instant::now(),
            look: theme::Look::Light,
            applied_look: None,
            import_job: None,
            geocode_job: None,
        };
        app.send(Command::from(AccountCmd::AuthStatus));
        app
    }

    /// A session opened: the data is loaded (the demo on a first start).
    fn opened(&mut self) {
        self.screen = Screen::Map;
        self.map = map::MapState::with_basemap(self.map.basemap.take());
        self.admin = admin_ui::AdminState::default();
        self.search = search_ui::SearchState::default();
        self.extract = extract_ui::ExtractState::default();
        self.data = data_ui::DataState::default();
        self.send(Command::from(ImportCmd::EnsureDemo));
        self.send(Command::from(ImportCmd::Stats));
    }

    /// Forgets what was shown of personal data (at logout or when a session ends).
    fn closed(&mut self) {
        self.look = theme::Look::Light;
        self.map.insured.points = None;
        self.map.insured.on = false;
        // Search results and the lists of persons found.
        self.search = search_ui::SearchState::default();
        self.extract = extract_ui::ExtractState::default();
        self.data = data_ui::DataState::default();
        self.map.tools.spatial = Default::default();
        self.map.tools.jump = Default::default();
        self.geocode.unmatched = None;
        self.import.rejects = None;
        self.admin = admin_ui::AdminState::default();
        self.audit = audit_ui::AuditState::default();
        self.export = export_ui::ExportDialog::default();
        self.layout = layout_ui::LayoutState::default();
    }

    /// Tells the engine about activity (at most every 30 s) and asks about the session
    /// (every 10 s even when idle), so that the idle lock and a suspension take effect
    /// within seconds; the daily backup is checked every 5 minutes, also while the screen
    /// is idle-locked.
    fn keep_session(&mut self, ctx: &egui::Context) {
        use std::time::{Duration, Instant};
        match self.login.gate {
            login_ui::Gate::Open => {}
            login_ui::Gate::Locked => {
                self.daily_backup_check();
                ctx.request_repaint_after(Duration::from_secs(10));
                return;
            }
            _ => return,
        }
        let active = ctx.input(|i| !i.events.is_empty() || i.pointer.is_moving());
        if active && self.last_touch.elapsed() > Duration::from_secs(30) {
            self.last_touch = Instant::now();
            self.last_check = Instant::now();
            self.send(Command::from(AccountCmd::Touch));
        } else if self.last_check.elapsed() > Duration::from_secs(10) {
            self.last_check = Instant::now();
            self.send(Command::from(AccountCmd::CheckSession));
            self.daily_backup_check();
        }
        ctx.request_repaint_after(Duration::from_secs(10));
    }

    /// Every 5 minutes, asks the engine to make the daily backup if it is due. The engine
    /// runs it as the system, not as the logged-in user: a screen left locked overnight
    /// gets its backup, and the check is not the user's activity.
    fn daily_backup_check(&mut self) {
        if self.last_backup_check.elapsed() > std::time::Duration::from_secs(300) {
            self.last_backup_check = std::time::Instant::now();
            self.send(Command::from(AdminCmd::ScheduledBackup));
        }
    }

    /// Whether job `id` is still running (the reply with its id has not come).
    pub fn is_running(&self, id: Option<JobId>) -> bool {
        id.is_some_and(|id| self.running.iter().any(|r| r.id == id))
    }

    /// Sends a command to the worker and tracks it.
    pub fn send(&mut self, command: Command) -> JobId {
        let label = command.label();
        let import = matches!(
            command,
            Command::Import(ImportCmd::Import { .. } | ImportCmd::ImportTable { .. })
        );
        let geocode = matches!(command, Command::Geocode(GeocodeCmd::Geocode));
        let (id, progress) = self.worker.submit(command);
        if import {
            self.import_job = Some(id);
        }
        if geocode {
            self.geocode_job = Some(id);
        }
        self.running.push(Running {
            id,
            label,
            progress,
        });
        id
    }

    fn receive(&mut self) {
        for Event::Finished { job, outcome } in self.worker.poll() {
            self.running.retain(|r| r.id != job);
            if self.login.answered(&outcome) {
                if let (Some(lock), Some(s)) = (&self.lock, &self.login.session) {
                    lock.set_holder(&format!("利用者 {}、画面", s.user_id));
                }
                self.look = self
                    .login
                    .session
                    .as_ref()
                    .and_then(|s| s.prefs.get(theme::PREF_LOOK))
                    .map_or(theme::Look::Light, |v| theme::Look::from_key(v));
                self.opened();
            }
            let follow_up = match outcome {
                Outcome::SessionEnded(_) | Outcome::Account(AccountReply::LoggedOut) => {
                    self.closed();
                    Vec::new()
                }
                Outcome::ScreenLocked => {
                    // The login screen took it above; a job it stopped is not coming back.
                    self.layout.job_failed(job);
                    Vec::new()
                }
                // The login screen took these above.
                Outcome::Account(_) => Vec::new(),
                Outcome::Denied(msg) if self.login.gate == login_ui::Gate::Recovery => {
                    self.login.busy = false;
                    self.login.message = Some(msg);
                    Vec::new()
                }
                Outcome::Failed(e) if self.login.gate == login_ui::Gate::Recovery => {
                    self.login.busy = false;
                    self.login.message = Some(error_text(&e));
                    Vec::new()
                }
                Outcome::Print(crate::app::domain::print::PrintReply::Printed {
                    printed: p,
                    ..
                }) if self.login.gate == login_ui::Gate::Recovery => {
                    self.login.busy = false;
                    self.login.message = Some(format!(
                        "{}紙を保管してから「次へ」を押してください。",
                        crate::os::print::summary(&p)
                    ));
                    Vec::new()
                }
                Outcome::Denied(msg) => {
                    self.layout.job_failed(job);
                    self.export.finished(job, Err(msg.clone()));
                    self.last_error = Some(msg);
                    Vec::new()
                }
                Outcome::Failed(e) => {
                    self.layout.job_failed(job);
                    self.export.finished(job, Err(error_text(&e)));
                    self.last_error = Some(error_text(&e));
                    Vec::new()
                }
                Outcome::Export(crate::app::domain::export::ExportReply::Done(d)) => {
                    let files: Vec<PathBuf> = d.files.iter().map(|f| f.path.clone()).collect();
                    self.layout.atlas_done(job, &files);
                    self.export.finished(job, Ok(d));
                    Vec::new()
                }
                Outcome::Admin(r) => self.on_admin(r),
                Outcome::Import(r) => self.on_import(r),
                Outcome::Map(r) => self.on_map(r),
                Outcome::Geocode(r) => self.on_geocode(r),
                Outcome::Search(r) => self.on_search(r),
                Outcome::Extract(r) => self.on_extract(r),
                Outcome::Mark(r) => self.on_mark(r),
                Outcome::Data(r) => self.on_data(r),
                Outcome::Print(r) => {
                    self.layout.on_reply(r);
                    Vec::new()
                }
            };
            for c in follow_up {
                self.send(c);
            }
        }
    }

    /// Draws one frame (shared by eframe and the UI tests).
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        if self.applied_look != Some(self.look) {
            theme::set_look(ui.ctx(), self.look);
            self.applied_look = Some(self.look);
        }
        self.receive();
        self.keep_session(ui.ctx());
        if self.login.gate != login_ui::Gate::Open {
            egui::CentralPanel::default().show(ui, |ui| {
                for c in login_ui::login_ui(ui, &mut self.login) {
                    self.send(c);
                }
            });
            return;
        }
        if std::mem::take(&mut self.login.opened_pending) {
            self.opened();
        }
        let rights = self
            .login
            .session
            .as_ref()
            .map(|s| s.rights.clone())
            .unwrap_or_default();
        // Suppressed figures are offered to 個人情報の閲覧 only (the engine checks again).
        let may_reveal = rights.contains(&crate::auth::Right::ViewPersonal);
        self.map.choropleth.may_reveal = may_reveal;
        self.search.may_list = may_reveal;
        self.search.may_edit = rights.contains(&crate::auth::Right::Edit);
        self.extract.may_list = may_reveal;
        self.extract.may_edit = rights.contains(&crate::auth::Right::Edit);
        self.data.may_view = may_reveal;
        self.data.may_edit = rights.contains(&crate::auth::Right::Edit);
        self.search.map_shape = self.map.tools.spatial.shape.as_ref().map(|s| s.1.clone());
        self.extract.map_shape = self.search.map_shape.clone();
        self.search.user = self
            .login
            .session
            .as_ref()
            .map(|s| s.user_id.clone())
            .unwrap_or_default();
        self.home.may_reveal = may_reveal;
        self.layout.may_edit = rights.contains(&crate::auth::Right::Edit);
        self.layout.may_export = rights.contains(&crate::auth::Right::Export);
        self.layout.may_print = rights.contains(&crate::auth::Right::Print);
        egui::Panel::top("top").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("健診アトラス");
                ui.separator();
                ui.selectable_value(&mut self.screen, Screen::Map, "地図");
                ui.selectable_value(&mut self.screen, Screen::Search, "検索");
                ui.selectable_value(&mut self.screen, Screen::Extract, "抽出リスト");
                ui.selectable_value(&mut self.screen, Screen::Data, "データ");
                ui.selectable_value(&mut self.screen, Screen::Home, "集計");
                ui.selectable_value(&mut self.screen, Screen::Geocode, "住所照合");
                ui.selectable_value(&mut self.screen, Screen::Import, "取込");
                ui.selectable_value(&mut self.screen, Screen::Layout, "印刷");
                if rights.contains(&crate::auth::Right::ManageUsers) {
                    ui.selectable_value(&mut self.screen, Screen::Admin, "管理者設定");
                }
                if rights.contains(&crate::auth::Right::ViewAudit) {
                    ui.selectable_value(&mut self.screen, Screen::Audit, "利用ログ");
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button("ログアウト").clicked() {
                        self.send(Command::from(AccountCmd::Logout));
                    }
                    let before = self.look;
                    egui::ComboBox::from_id_salt("look")
                        .selected_text(format!("表示: {}", self.look.label()))
                        .show_ui(ui, |ui| {
                            for l in theme::Look::ALL {
                                ui.selectable_value(&mut self.look, l, l.label());
                            }
                        });
                    if self.look != before {
                        self.send(Command::from(AccountCmd::SetPreference {
                            key: theme::PREF_LOOK.into(),
                            value: self.look.key().into(),
                        }));
                    }
                    let who = self
                        .login
                        .session
                        .as_ref()
                        .map(|s| s.user_id.clone())
                        .unwrap_or_default();
                    ui.label(format!("利用者 {who}"));
                });
            });
        });
        egui::Panel::bottom("status")
            .show(ui, |ui| status_ui(ui, &self.running, &mut self.last_error));
        egui::CentralPanel::default().show(ui, |ui| match self.screen {
            Screen::Map => {
                for c in map::map_ui(ui, &mut self.map) {
                    self.send(c);
                }
            }
            Screen::Search => {
                let years = self
                    .map
                    .choropleth
                    .fiscal_years
                    .clone()
                    .unwrap_or_else(|| vec![self.map.choropleth.fy]);
                for c in search_ui::search_ui(ui, &mut self.search, &years) {
                    self.send(c);
                }
                if let Some((at, label)) = self.search.focus.take() {
                    map::tools::spatial::focus(&mut self.map, at, label, 16);
                    self.screen = Screen::Map;
                }
            }
            Screen::Extract => {
                for c in extract_ui::extract_ui(ui, &mut self.extract) {
                    self.send(c);
                }
            }
            Screen::Data => {
                for c in data_ui::data_ui(ui, &mut self.data) {
                    self.send(c);
                }
            }
            Screen::Home => {
                let cmds = home_ui::home_ui(ui, &mut self.home, !self.running.is_empty());
                for c in cmds {
                    self.send(c);
                }
            }
            Screen::Geocode => {
                let busy = self.is_running(self.geocode_job);
                for c in geocode_ui::geocode_ui(ui, &mut self.geocode, busy) {
                    self.send(c);
                }
            }
            Screen::Import => {
                let busy = self.is_running(self.import_job);
                let cmds = import_ui::import_ui(ui, &mut self.import, busy);
                for c in cmds {
                    self.send(c);
                }
            }
            Screen::Layout => {
                for c in layout_ui::layout_ui(ui, &mut self.layout) {
                    let atlas = matches!(
                        c,
                        Command::Export(crate::app::domain::export::ExportCmd::Atlas(_))
                    );
                    let preview = matches!(
                        c,
                        Command::Print(crate::app::domain::print::PrintCmd::Preview { .. })
                    );
                    let id = self.send(c);
                    if atlas {
                        self.layout.atlas_job = Some(id);
                    }
                    if preview {
                        self.layout.preview_job = Some(id);
                    }
                }
                if std::mem::take(&mut self.layout.want_map) {
                    self.layout.take_map(self.map.to_document());
                }
            }
            Screen::Admin => {
                for c in admin_ui::admin_ui(ui, &mut self.admin) {
                    self.send(c);
                }
            }
            Screen::Audit => {
                for c in audit_ui::audit_ui(ui, &mut self.audit) {
                    self.send(c);
                }
            }
        });
        let asked = [
            self.search.export.take(),
            self.extract.export.take(),
            self.home.export.take(),
            self.map.export.take(),
        ];
        if let Some(r) = asked.into_iter().flatten().last() {
            self.export.open(r);
        }
        if let Some(c) = export_ui::export_window(ui.ctx(), &mut self.export) {
            let id = self.send(c);
            self.export.sent(id);
        }
        if !self.running.is_empty() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }
}

impl eframe::App for AtlasApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }
}

/// The status bar: each running job with its progress bar and a cancel button.
fn status_ui(ui: &mut egui::Ui, running: &[Running], last_error: &mut Option<String>) {
    for r in running {
        let (f, msg) = r.progress.get();
        ui.horizontal(|ui| {
            ui.label(r.label);
            ui.add(
                egui::ProgressBar::new(f)
                    .desired_width(300.0)
                    .show_percentage(),
            );
            ui.label(msg);
            if ui.button("取消").clicked() {
                r.progress.cancel();
            }
        });
    }
    if let Some(err) = last_error.clone() {
        ui.horizontal(|ui| {
            ui.colored_label(egui::Color32::from_rgb(200, 40, 40), err);
            if ui.button("閉じる").clicked() {
                *last_error = None;
            }
        });
    }
    if running.is_empty() && last_error.is_none() {
        ui.label("待機中");
    }
}
