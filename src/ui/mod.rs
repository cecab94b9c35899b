//! The egui user interface: the only module that uses egui/eframe. Screens send
//! [`Command`]s to the worker and draw what comes back; no SQL and no file parsing here.

pub mod basemap_ui;
pub mod frame_cost;
mod geocode_ui;
mod home_ui;
mod import_ui;
mod layer_import_ui;
mod legend_ui;
mod map_layers_ui;
mod map_paint;
pub mod map_ui;
mod saved_maps_ui;

pub use theme::install as install_theme;
mod theme;

use std::path::PathBuf;

use eframe::egui;

use crate::app::{Command, Event, JobId, Outcome, Worker};
use crate::job::Progress;

/// Opens the window on `data_dir` (wgpu renderer: the target console has no OpenGL 3).
pub fn run(data_dir: PathBuf) -> Result<(), String> {
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Wgpu,
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1600.0, 960.0])
            .with_maximized(true)
            .with_title("健診アトラス"),
        ..Default::default()
    };
    eframe::run_native(
        "健診アトラス",
        options,
        Box::new(move |cc| Ok(Box::new(AtlasApp::new(&cc.egui_ctx, data_dir)))),
    )
    .map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Map,
    Home,
    Geocode,
    Import,
}

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
    pub map: map_ui::MapState,
    pub geocode: geocode_ui::GeocodeState,
    pub last_error: Option<String>,
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
            map: map_ui::MapState::default(),
            geocode: geocode_ui::GeocodeState::default(),
            last_error: None,
        };
        app.send(Command::EnsureDemo);
        app.send(Command::Stats);
        app
    }

    /// Sends a command to the worker and tracks it.
    pub fn send(&mut self, command: Command) -> JobId {
        let label = command.label();
        let (id, progress) = self.worker.submit(command);
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
            let outcome = match self.map.receive(outcome) {
                Ok(follow_up) => {
                    for c in follow_up {
                        self.send(c);
                    }
                    continue;
                }
                Err(other) => other,
            };
            match outcome {
                Outcome::DemoReady { .. } => {
                    self.send(Command::Stats);
                    self.send(Command::Uptake {
                        level: self.home.level,
                        fy: self.home.fy,
                    });
                }
                Outcome::Stats(s) => self.home.stats = Some(*s),
                Outcome::Uptake { rows, fy, .. } => self.home.uptake = Some((fy, rows)),
                Outcome::Preview(p) => self.import.set_preview(*p),
                Outcome::Imported { reports, geocode } => {
                    self.import.reports = reports;
                    match geocode {
                        Some(Ok(r)) => self.geocode.set_report(r),
                        Some(Err(e)) => self.last_error = Some(e),
                        None => {}
                    }
                    self.map.data_changed();
                    self.send(Command::Stats);
                }
                Outcome::Geocoded(r) => {
                    self.geocode.set_report(r);
                    self.map.data_changed();
                }
                Outcome::Unmatched(rows) => self.geocode.unmatched = Some(rows),
                Outcome::TableImported(r) => {
                    self.import.table_message = Some(r.message);
                    self.send(Command::Stats);
                }
                Outcome::Rejects { import_id, rejects } => {
                    self.import.rejects = Some((import_id, rejects))
                }
                Outcome::History(_) => {}
                Outcome::Failed(msg) => self.last_error = Some(msg),
                // Answers for the map are taken by `self.map.receive` above.
                _ => {}
            }
        }
    }

    /// Draws one frame (shared by eframe and the UI tests).
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        self.receive();
        egui::Panel::top("top").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("健診アトラス");
                ui.separator();
                ui.selectable_value(&mut self.screen, Screen::Map, "地図");
                ui.selectable_value(&mut self.screen, Screen::Home, "集計");
                ui.selectable_value(&mut self.screen, Screen::Geocode, "住所照合");
                ui.selectable_value(&mut self.screen, Screen::Import, "取込");
            });
        });
        egui::Panel::bottom("status")
            .show(ui, |ui| status_ui(ui, &self.running, &mut self.last_error));
        egui::CentralPanel::default().show(ui, |ui| match self.screen {
            Screen::Map => {
                for c in map_ui::map_ui(ui, &mut self.map) {
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
                let busy = self.running.iter().any(|r| r.label == "住所照合");
                for c in geocode_ui::geocode_ui(ui, &mut self.geocode, busy) {
                    self.send(c);
                }
            }
            Screen::Import => {
                let busy = self.running.iter().any(|r| r.label == "取込");
                let cmds = import_ui::import_ui(ui, &mut self.import, busy);
                for c in cmds {
                    self.send(c);
                }
            }
        });
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
