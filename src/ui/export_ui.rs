//! The 出力 window: one dialog for every result (the 検索 result table, an extraction
//! list, the 集計 table, the map's choropleth). The screens ask for it with a
//! [`Request`]; the user picks the format, the folder and file name, the encoding, the
//! shapefile's coordinate system, the map's dpi and whether to bundle map, table and
//! conditions; a result holding names or addresses asks for a confirmation first. The
//! engine checks the rights and folders and logs the export; the window shows the files
//! written, their sha256 and the characters CP932 could not hold.

use std::path::PathBuf;

use eframe::egui;
use kenshin_parse::geo::crs::{Crs, Datum};

use crate::app::Command;
use crate::app::domain::export::{ExportCmd, ExportDone, ExportJob, Format, Preset, What};
use crate::export::Encoding;

/// A screen's request to open the window for a result.
#[derive(Debug, Clone)]
pub struct Request {
    pub what: What,
    /// A short name for the file (the result's title).
    pub name: String,
    /// The result holds names or addresses.
    pub personal: bool,
    /// The result is an extraction list of persons (the 連携 preset applies).
    pub list: bool,
    /// The result has figures that may be suppressed (uptake).
    pub figures: bool,
    /// The map screen's classes and colours, for the exported map.
    pub style: Option<crate::map::choropleth::ChoroplethSpec>,
}

#[derive(Default)]
pub struct ExportDialog {
    pub request: Option<Request>,
    pub format: Option<Format>,
    pub folder: String,
    pub file: String,
    pub encoding: Encoding,
    pub bundle: bool,
    pub renkei: bool,
    /// 0: JGD2011 経緯度; 1–19: 平面直角座標系 (JGD2011).
    pub zone: u8,
    pub dpi: u32,
    pub confirm_personal: bool,
    pub reveal: bool,
    /// The export sent and not yet answered.
    pub waiting: Option<crate::app::JobId>,
    pub done: Option<ExportDone>,
    pub error: Option<String>,
}

/// Characters a file name may not hold on Windows.
pub(crate) fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if "\\/:*?\"<>|".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

impl ExportDialog {
    /// Opens the window for `r` (keeping the folder and settings of the last export).
    pub fn open(&mut self, r: Request) {
        // A folder of one's own the first time (made at the first export if missing;
        // the engine refuses it when the admin has allowed other folders only).
        if self.folder.is_empty() {
            self.folder = std::env::current_dir()
                .unwrap_or_default()
                .join("出力")
                .display()
                .to_string();
        }
        if self.dpi == 0 {
            self.dpi = 300;
        }
        let format = self.format.unwrap_or(Format::Xlsx);
        self.format = Some(format);
        self.file = format!("{}.{}", safe_name(&r.name), format.extension());
        self.confirm_personal = false;
        self.reveal = false;
        self.renkei = false;
        self.done = None;
        self.error = None;
        self.waiting = None;
        self.request = Some(r);
    }

    /// The command the window sent is on its way as job `id`.
    pub fn sent(&mut self, id: crate::app::JobId) {
        self.waiting = Some(id);
    }

    /// A job finished: taken when it is the export the window sent.
    pub fn finished(&mut self, id: crate::app::JobId, result: Result<ExportDone, String>) {
        if self.waiting != Some(id) {
            return;
        }
        self.waiting = None;
        match result {
            Ok(d) => self.done = Some(d),
            Err(e) => self.error = Some(e),
        }
    }

    fn set_format(&mut self, f: Format) {
        self.format = Some(f);
        let stem = std::path::Path::new(&self.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.file = format!("{stem}.{}", f.extension());
    }

    fn job(&self, r: &Request) -> Option<ExportJob> {
        let format = self.format?;
        let out = PathBuf::from(self.folder.trim()).join(self.file.trim());
        let mut job = ExportJob::new(r.what.clone(), format, out);
        job.bundle = self.bundle;
        job.encoding = self.encoding;
        job.preset = (self.renkei && r.list).then_some(Preset::KenkoRenkei);
        job.crs = if self.zone == 0 {
            Crs::Geographic(Datum::Jgd2011)
        } else {
            Crs::PlaneRect {
                zone: self.zone,
                datum: Datum::Jgd2011,
            }
        };
        job.dpi = self.dpi;
        job.confirm_personal = self.confirm_personal;
        job.reveal_suppressed = self.reveal;
        job.style = r.style.clone();
        Some(job)
    }
}

/// Draws the window while a result is picked; returns the export command when asked (the
/// caller tells the window its job id with [`ExportDialog::sent`]).
pub fn export_window(ctx: &egui::Context, st: &mut ExportDialog) -> Option<Command> {
    let r = st.request.take()?;
    let mut cmd = None;
    let mut open = true;
    egui::Window::new("出力")
        .open(&mut open)
        .collapsible(false)
        .default_width(560.0)
        .show(ctx, |ui| {
            ui.label(format!("出力するもの: {}", r.name));
            ui.separator();
            let current = st.format.unwrap_or(Format::Xlsx);
            egui::Grid::new("export_form").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
                // Tables and layers on one row, maps on the next: every format in sight.
                ui.label("形式");
                ui.vertical(|ui| {
                    for maps in [false, true] {
                        ui.horizontal(|ui| {
                            for f in Format::ALL.into_iter().filter(|f| f.is_map() == maps) {
                                if ui.selectable_label(current == f, f.label()).clicked() {
                                    st.set_format(f);
                                }
                            }
                        });
                    }
                });
                ui.end_row();
                ui.label("フォルダ");
                ui.add(egui::TextEdit::singleline(&mut st.folder).desired_width(380.0));
                ui.end_row();
                ui.label("ファイル名");
                ui.add(egui::TextEdit::singleline(&mut st.file).desired_width(380.0));
                ui.end_row();
                if matches!(current, Format::Csv | Format::Shp) {
                    ui.label("文字コード");
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut st.encoding, Encoding::Utf8, Encoding::Utf8.label());
                        ui.radio_value(&mut st.encoding, Encoding::Cp932, Encoding::Cp932.label());
                    });
                    ui.end_row();
                }
                if current == Format::Shp {
                    ui.label("座標系");
                    let text = if st.zone == 0 {
                        "JGD2011 経緯度".to_string()
                    } else {
                        Crs::PlaneRect { zone: st.zone, datum: Datum::Jgd2011 }.label()
                    };
                    egui::ComboBox::from_id_salt("export_crs").selected_text(text).show_ui(ui, |ui| {
                        ui.selectable_value(&mut st.zone, 0, "JGD2011 経緯度");
                        for z in 1..=19u8 {
                            let label = Crs::PlaneRect { zone: z, datum: Datum::Jgd2011 }.label();
                            ui.selectable_value(&mut st.zone, z, label);
                        }
                    });
                    ui.end_row();
                }
                if matches!(current, Format::Png | Format::Jpeg) || st.bundle {
                    ui.label("解像度（A3 横）");
                    ui.add(egui::DragValue::new(&mut st.dpi).range(72..=600).suffix(" dpi"));
                    ui.end_row();
                }
            });
            ui.checkbox(&mut st.bundle, "地図・表・条件をまとめて出力する（地図は結果を重ねて描きます）");
            if r.list {
                ui.checkbox(&mut st.renkei, "医療費等分析システム連携の様式（CP932 の CSV）");
                if st.renkei && current != Format::Csv {
                    st.set_format(Format::Csv);
                }
            }
            if r.figures {
                ui.checkbox(&mut st.reveal, "秘匿対象の数値も出力する（個人情報の閲覧の権限。ファイルは「取扱注意」になります）");
            }
            if r.personal || st.renkei {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "この出力には氏名・住所などの個人情報が含まれます。持ち出し・保管は規程に従ってください。",
                );
                ui.checkbox(&mut st.confirm_personal, "個人情報を含むことを確認しました");
            }
            ui.separator();
            let busy = st.waiting.is_some();
            let ready = !busy && !st.folder.trim().is_empty() && !st.file.trim().is_empty();
            ui.horizontal(|ui| {
                if ui.add_enabled(ready, egui::Button::new("出力")).clicked()
                    && let Some(job) = st.job(&r)
                {
                    st.done = None;
                    st.error = None;
                    cmd = Some(Command::from(ExportCmd::Write(Box::new(job))));
                }
                if busy {
                    ui.spinner();
                    ui.label("出力しています（下の状態欄で取り消せます）");
                }
            });
            if let Some(e) = &st.error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            if let Some(d) = &st.done {
                ui.label(format!("{} 行を出力しました。", d.rows));
                for f in &d.files {
                    ui.monospace(format!("{}  ({} バイト)", f.path.display(), f.bytes));
                    ui.small(format!("sha256 {}", f.sha256));
                }
                if d.unplaced > 0 {
                    ui.label(format!("位置が分からない {} 行は図形なしで出力しました。", d.unplaced));
                }
                if !d.substitutions.is_empty() {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        format!("Shift_JIS で表せない文字 {} 個を「〓」にしました:", d.substitutions.len()),
                    );
                    let row_h = ui.text_style_height(&egui::TextStyle::Body);
                    egui::ScrollArea::vertical().max_height(120.0).show_rows(
                        ui,
                        row_h,
                        d.substitutions.len(),
                        |ui, range| {
                            for s in &d.substitutions[range] {
                                let row = if s.row == 0 {
                                    "見出し".to_string()
                                } else {
                                    format!("{} 行目", s.row)
                                };
                                ui.label(format!("{row}「{}」列: {}", s.column, s.ch));
                            }
                        },
                    );
                }
            }
        });
    if open {
        st.request = Some(r);
    }
    cmd
}
