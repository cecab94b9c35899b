//! 印刷レイアウト: pick a template or a saved layout, add items (texts, a map frame, the
//! legend, a logo from a PNG or JPEG file …) and remove them, edit their texts, move an
//! item by dragging it and resize it by its corner handle over a preview of the page (the
//! same raster painter as the PNG and the printer, asked of the engine after each change),
//! save it, write it as PDF or PNG (外部出力), or print it (印刷).

use eframe::egui;

use crate::app::Command;
use crate::app::domain::print::{PageFormat, PrintCmd, PrintReply};
use crate::layout::picture::Picture;
use crate::layout::saved::Listed;
use crate::layout::{ItemKind, Layout};

/// The preview's resolution (A3 is 661 × 468 pixels).
const PREVIEW_DPI: u32 = 40;

pub struct LayoutState {
    pub list: Option<Vec<Listed>>,
    pub layout: Option<Layout>,
    pub selected: Option<usize>,
    /// The preview to upload, its texture, the page count, and whether it is stale.
    image: Option<egui::ColorImage>,
    texture: Option<egui::TextureHandle>,
    pub pages: usize,
    stale: bool,
    /// A preview asked and not answered.
    pub previewing: bool,
    pub folder: String,
    pub file: String,
    pub format: PageFormat,
    pub dpi: u32,
    pub copies: u32,
    /// What the last command did.
    pub message: Option<String>,
    pub may_edit: bool,
    pub may_export: bool,
    pub may_print: bool,
    asked_list: bool,
    /// Where the page was drawn last and its points per mm (for tests that drag).
    pub view: Option<(egui::Rect, f32)>,
    /// The atlas's fiscal year, and the atlas job sent (its answer is shown here).
    pub atlas_fy: i32,
    pub atlas_job: Option<crate::app::JobId>,
    /// The preview job sent (a failure or a lock of that job lets the next one go).
    pub preview_job: Option<crate::app::JobId>,
    /// Asked to take the map screen's map (the app fills it in).
    pub want_map: bool,
    /// The item being dragged (chosen where the press began).
    dragging: Option<usize>,
    /// The kind 「追加」 adds (index into [`ItemKind::addable`]), and the picture file
    /// 「画像を追加」 takes.
    pub add_kind: usize,
    pub picture_path: String,
    /// The user confirmed writing a file with the persons' points.
    pub confirm_personal: bool,
}

impl Default for LayoutState {
    fn default() -> LayoutState {
        LayoutState {
            list: None,
            layout: None,
            selected: None,
            image: None,
            texture: None,
            pages: 0,
            stale: false,
            previewing: false,
            folder: std::env::current_dir()
                .unwrap_or_default()
                .join("出力")
                .display()
                .to_string(),
            file: String::new(),
            format: PageFormat::Pdf,
            dpi: 300,
            copies: 1,
            message: None,
            may_edit: false,
            may_export: false,
            may_print: false,
            asked_list: false,
            view: None,
            atlas_fy: 2021,
            atlas_job: None,
            preview_job: None,
            want_map: false,
            dragging: None,
            add_kind: 0,
            picture_path: String::new(),
            confirm_personal: false,
        }
    }
}

impl LayoutState {
    /// Takes a reply of the print domain.
    pub fn on_reply(&mut self, reply: PrintReply) {
        match reply {
            PrintReply::Layouts(v) => {
                self.list = Some(v);
            }
            PrintReply::Layout(l) => self.set_layout(*l),
            PrintReply::Saved => self.message = Some("保存しました。".into()),
            PrintReply::Deleted => self.message = Some("削除しました。".into()),
            PrintReply::Written(d) => {
                let files: Vec<String> = d
                    .files
                    .iter()
                    .map(|f| f.path.display().to_string())
                    .collect();
                self.message = Some(format!("出力しました: {}", files.join("、")));
            }
            PrintReply::Printed { printed: p, .. } => {
                self.message = Some(crate::os::print::summary(&p));
            }
            PrintReply::Preview {
                width,
                height,
                rgba,
                pages,
            } => {
                self.previewing = false;
                self.preview_job = None;
                self.pages = pages;
                if rgba.len() == width as usize * height as usize * 4 {
                    self.image = Some(egui::ColorImage::from_rgba_premultiplied(
                        [width as usize, height as usize],
                        &rgba,
                    ));
                }
            }
        }
    }

    /// Opens `l` (its preview is asked at the next frame).
    pub fn set_layout(&mut self, l: Layout) {
        self.file = format!(
            "{}.{}",
            super::export_ui::safe_name(&l.name),
            ext(self.format)
        );
        self.layout = Some(l);
        self.selected = None;
        self.dragging = None;
        self.confirm_personal = false;
        self.stale = true;
        self.message = None;
    }

    /// The atlas job `id` finished.
    pub fn atlas_done(&mut self, id: crate::app::JobId, files: &[std::path::PathBuf]) {
        if self.atlas_job == Some(id) {
            self.atlas_job = None;
            let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            self.message = Some(format!("地図帳を出力しました: {}", names.join("、")));
        }
    }

    /// A command answered with a failure or a refusal while this screen waited.
    pub fn failed(&mut self) {
        self.previewing = false;
    }

    /// Job `id` ended without its reply (failed, refused, or the screen locked).
    pub fn job_failed(&mut self, id: crate::app::JobId) {
        if self.preview_job == Some(id) {
            self.preview_job = None;
            self.previewing = false;
        }
        if self.atlas_job == Some(id) {
            self.atlas_job = None;
        }
    }

    /// The map screen's map, for the layout's map frames.
    pub fn take_map(&mut self, doc: crate::map::document::MapDocument) {
        if let Some(l) = &mut self.layout {
            l.map = Some(doc);
            self.stale = true;
            self.message = Some("地図の画面の地図（年度・階層・凡例・レイヤ）を使います。".into());
        }
    }

    /// Whether the preview has been drawn.
    pub fn has_preview(&self) -> bool {
        self.texture.is_some()
    }
}

fn ext(f: PageFormat) -> &'static str {
    match f {
        PageFormat::Pdf => "pdf",
        PageFormat::Png => "png",
    }
}

/// Draws the screen; returns the commands to send.
pub fn layout_ui(ui: &mut egui::Ui, st: &mut LayoutState) -> Vec<Command> {
    let mut cmds = Vec::new();
    if !st.asked_list {
        st.asked_list = true;
        cmds.push(Command::from(PrintCmd::Layouts));
    }
    if st.layout.is_none()
        && let Some(first) = st.list.as_ref().and_then(|l| l.first())
        && !st.stale
    {
        st.stale = true;
        cmds.push(Command::from(PrintCmd::OpenLayout {
            name: first.name.clone(),
        }));
    }
    if let Some(img) = st.image.take() {
        st.texture = Some(
            ui.ctx()
                .load_texture("layout-preview", img, Default::default()),
        );
    }
    if st.stale
        && !st.previewing
        && let Some(l) = &st.layout
    {
        st.stale = false;
        st.previewing = true;
        cmds.push(Command::from(PrintCmd::Preview {
            layout: Box::new(l.clone()),
            dpi: PREVIEW_DPI,
        }));
    }
    egui::Panel::left("layout-side")
        .resizable(false)
        .default_size(340.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| side(ui, st, &mut cmds));
        });
    egui::CentralPanel::default().show(ui, |ui| page(ui, st));
    cmds
}

fn side(ui: &mut egui::Ui, st: &mut LayoutState, cmds: &mut Vec<Command>) {
    crate::ui::theme::heading(ui, "印刷レイアウト");
    ui.label("型か保存したレイアウトを開き、文字を直し、ページ上の項目をドラッグで動かします（右下の角で大きさを変えます）。");
    crate::ui::theme::section(ui, "開く", |ui| {
        if let Some(list) = &st.list {
            for l in list {
                ui.horizontal(|ui| {
                    if ui.button("開く").on_hover_text(&l.name).clicked() {
                        cmds.push(Command::from(PrintCmd::OpenLayout {
                            name: l.name.clone(),
                        }));
                    }
                    match &l.saved_at {
                        Some(at) => {
                            ui.label(format!("{}（{at} 保存）", l.name));
                            if ui
                                .add_enabled(st.may_edit, egui::Button::new("削除"))
                                .on_hover_text("保存したレイアウトを削除します（型は残ります）")
                                .clicked()
                            {
                                cmds.push(Command::from(PrintCmd::DeleteLayout {
                                    name: l.name.clone(),
                                }));
                                cmds.push(Command::from(PrintCmd::Layouts));
                            }
                        }
                        None => {
                            ui.label(format!("{}（型）", l.name));
                        }
                    };
                });
            }
        }
    });
    let Some(layout) = st.layout.as_mut() else {
        return;
    };
    let mut changed = false;
    crate::ui::theme::section(ui, "項目", |ui| {
        ui.label(format!(
            "{}（{} ページ）",
            layout.page.label(),
            st.pages.max(1)
        ));
        match &layout.map {
            Some(d) => ui.label(format!("地図: {}年度 {}別", d.fy, d.level.label())),
            None => ui.label("地図: 市町村別（最新の年度）"),
        };
        if ui
            .button("地図の画面の地図を使う")
            .on_hover_text(
                "地図の画面の年度・階層・性別年齢・凡例の階級と色・レイヤの表示を、このレイアウトの地図にします",
            )
            .clicked()
        {
            st.want_map = true;
        }
        for (i, it) in layout.items.iter().enumerate() {
            let label = format!(
                "{}  {:.0},{:.0} mm",
                it.kind.label(),
                it.rect[0],
                it.rect[1]
            );
            if ui.selectable_label(st.selected == Some(i), label).clicked() {
                st.selected = Some(i);
            }
        }
        if let Some(i) = st.selected.filter(|&i| i < layout.items.len()) {
            ui.horizontal(|ui| {
                if ui.button("この項目を削除").clicked() {
                    layout.remove_item(i);
                    st.selected = None;
                    st.dragging = None;
                    changed = true;
                }
                if ui
                    .button("最前面へ")
                    .on_hover_text("ほかの項目の上に描きます")
                    .clicked()
                {
                    st.selected = Some(layout.bring_to_front(i));
                    st.dragging = None;
                    changed = true;
                }
            });
        }
        if let Some(it) = st.selected.and_then(|i| layout.items.get_mut(i)) {
            ui.separator();
            match &mut it.kind {
                ItemKind::Title { text } | ItemKind::Subtitle { text } => {
                    let l = ui.label("文字");
                    changed |= ui
                        .add(egui::TextEdit::singleline(text).desired_width(300.0))
                        .labelled_by(l.id)
                        .lost_focus();
                }
                ItemKind::Text { text, size } => {
                    let l = ui.label("文字");
                    changed |= ui
                        .add(egui::TextEdit::multiline(text).desired_width(300.0))
                        .labelled_by(l.id)
                        .lost_focus();
                    let l = ui.label("大きさ");
                    changed |= ui
                        .add(egui::DragValue::new(size).range(4.0..=72.0).suffix(" pt"))
                        .labelled_by(l.id)
                        .drag_stopped();
                }
                ItemKind::Map { scale, .. } => {
                    let mut n = scale.unwrap_or(0);
                    ui.horizontal(|ui| {
                        let l = ui.label("縮尺 1:");
                        if ui
                            .add(egui::DragValue::new(&mut n).range(0..=5_000_000).speed(500))
                            .labelled_by(l.id)
                            .on_hover_text("0 は枠に合わせる")
                            .changed()
                        {
                            *scale = (n > 0).then_some(n);
                            changed = true;
                        }
                    });
                }
                ItemKind::Image { picture } => {
                    ui.label(format!("画像: {}", picture.name));
                }
                _ => {}
            }
        }
        ui.separator();
        ui.horizontal(|ui| {
            let kinds = ItemKind::addable();
            let shown = kinds.get(st.add_kind).map_or("", |k| k.label());
            let l = ui.label("追加する項目");
            egui::ComboBox::from_id_salt("layout-add-kind")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    for (i, k) in kinds.iter().enumerate() {
                        ui.selectable_value(&mut st.add_kind, i, k.label());
                    }
                })
                .response
                .labelled_by(l.id);
            if ui
                .button("項目を追加")
                .on_hover_text("ページの中央に置きます。ドラッグで動かしてください")
                .clicked()
                && let Some(k) = kinds.get(st.add_kind)
            {
                st.selected = Some(layout.add_item(k.clone()));
                changed = true;
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label("画像ファイル");
            ui.add(egui::TextEdit::singleline(&mut st.picture_path).desired_width(200.0))
                .labelled_by(l.id)
                .on_hover_text(
                    "ロゴなどの PNG か JPEG（2 MB まで）。画像はレイアウトに保存されます",
                );
            if ui.button("画像を追加").clicked() {
                // A small, bounded read (2 MB at most), once per click.
                match Picture::from_file(std::path::Path::new(st.picture_path.trim())) {
                    Ok(picture) => {
                        st.selected = Some(layout.add_item(ItemKind::Image { picture }));
                        changed = true;
                    }
                    Err(e) => st.message = Some(e.to_string()),
                }
            }
        });
    });
    if changed {
        st.stale = true;
    }
    crate::ui::theme::section(ui, "保存", |ui| {
        ui.horizontal(|ui| {
            let l = ui.label("名前");
            ui.add(egui::TextEdit::singleline(&mut layout.name).desired_width(220.0))
                .labelled_by(l.id);
        });
        if ui
            .add_enabled(st.may_edit, egui::Button::new("レイアウトを保存"))
            .on_disabled_hover_text("編集の権限が必要です")
            .clicked()
        {
            cmds.push(Command::from(PrintCmd::SaveLayout(Box::new(
                layout.clone(),
            ))));
            cmds.push(Command::from(PrintCmd::Layouts));
        }
    });
    crate::ui::theme::section(ui, "出力", |ui| {
        ui.horizontal(|ui| {
            for f in [PageFormat::Pdf, PageFormat::Png] {
                if ui.radio(st.format == f, ext(f).to_uppercase()).clicked() {
                    st.format = f;
                    let stem = std::path::Path::new(&st.file)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    st.file = format!("{stem}.{}", ext(f));
                }
            }
            if st.format == PageFormat::Png {
                let l = ui.label("解像度");
                ui.add(
                    egui::DragValue::new(&mut st.dpi)
                        .range(36..=600)
                        .suffix(" dpi"),
                )
                .labelled_by(l.id);
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label("フォルダ");
            ui.add(egui::TextEdit::singleline(&mut st.folder).desired_width(250.0))
                .labelled_by(l.id);
        });
        ui.horizontal(|ui| {
            let l = ui.label("ファイル名");
            ui.add(egui::TextEdit::singleline(&mut st.file).desired_width(230.0))
                .labelled_by(l.id);
        });
        let personal = crate::render::printout::shows_persons(layout);
        if personal {
            ui.checkbox(
                &mut st.confirm_personal,
                "被保険者の点（個人の情報）を含むことを確認しました",
            );
        }
        if ui
            .add_enabled(
                st.may_export && (!personal || st.confirm_personal),
                egui::Button::new("レイアウトを出力"),
            )
            .on_disabled_hover_text("外部出力の権限が必要です")
            .clicked()
        {
            cmds.push(Command::from(PrintCmd::ExportLayout {
                layout: Box::new(layout.clone()),
                format: st.format,
                out: std::path::PathBuf::from(st.folder.trim()).join(st.file.trim()),
                dpi: st.dpi,
                confirm_personal: st.confirm_personal,
            }));
        }
    });
    crate::ui::theme::section(ui, "地図帳（市町村別 A3 横 39 ページ）", |ui| {
        ui.horizontal(|ui| {
            let l = ui.label("年度");
            ui.add(egui::DragValue::new(&mut st.atlas_fy).range(2000..=2100))
                .labelled_by(l.id);
            if ui
                .add_enabled(
                    st.may_export && st.atlas_job.is_none(),
                    egui::Button::new("地図帳を出力（PDF）"),
                )
                .on_hover_text("上の「フォルダ」に 地図帳_年度.pdf を書きます（外部出力）")
                .clicked()
            {
                let out = std::path::PathBuf::from(st.folder.trim())
                    .join(format!("地図帳_{}.pdf", st.atlas_fy));
                cmds.push(Command::from(crate::app::domain::export::ExportCmd::Atlas(
                    crate::app::domain::export::AtlasJob {
                        fy: st.atlas_fy,
                        out,
                        png_dir: None,
                        dpi: 300,
                    },
                )));
            }
        });
    });
    crate::ui::theme::section(ui, "印刷", |ui| {
        ui.horizontal(|ui| {
            let l = ui.label("部数");
            ui.add(egui::DragValue::new(&mut st.copies).range(1..=99))
                .labelled_by(l.id);
            if ui
                .add_enabled(st.may_print, egui::Button::new("印刷する"))
                .on_disabled_hover_text("印刷の権限が必要です")
                .clicked()
            {
                cmds.push(Command::from(PrintCmd::Print {
                    layout: Box::new(layout.clone()),
                    copies: st.copies,
                }));
            }
        });
        ui.small("Windows では印刷ダイアログでプリンタ・用紙（A3）・カラー・両面を選びます。");
    });
    if let Some(m) = &st.message {
        ui.separator();
        ui.label(m);
    }
}

/// The page at its true proportions: the preview, the items' outlines, dragging.
fn page(ui: &mut egui::Ui, st: &mut LayoutState) {
    let Some(layout) = st.layout.as_mut() else {
        ui.label("レイアウトを読み込んでいます…");
        return;
    };
    let [pw, ph] = layout.page.size_mm();
    let avail = ui.available_size();
    let s = ((avail.x - 20.0) / pw).min((avail.y - 20.0) / ph).max(0.1);
    let (area, _) = ui.allocate_exact_size(egui::vec2(pw * s, ph * s), egui::Sense::hover());
    let painter = ui.painter_at(area);
    painter.rect_filled(area, 0.0, egui::Color32::WHITE);
    if let Some(t) = &st.texture {
        let uv = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
        painter.image(t.id(), area, uv, egui::Color32::WHITE);
    }
    painter.rect_stroke(
        area,
        0.0,
        egui::Stroke::new(1.0, egui::Color32::GRAY),
        egui::StrokeKind::Outside,
    );
    let to_screen = |r: [f32; 4]| {
        egui::Rect::from_min_size(
            area.min + egui::vec2(r[0] * s, r[1] * s),
            egui::vec2(r[2] * s, r[3] * s),
        )
    };
    let mut moved = false;
    let mut released = false;
    st.view = Some((area, s));
    // One sensor over the page: the item a press lands on is the top-most (last) item whose
    // rectangle holds the press origin, whatever the pointer did in the same instant.
    let resp = ui.interact(
        area,
        ui.scope_id().with("layout-page"),
        egui::Sense::click_and_drag(),
    );
    let under = |p: Option<egui::Pos2>| {
        let p = p?;
        (0..layout.items.len())
            .rev()
            .find(|&i| to_screen(layout.items[i].rect).contains(p))
    };
    if resp.clicked() {
        st.selected = under(resp.interact_pointer_pos());
    }
    if resp.drag_started() {
        let origin = ui.input(|i| i.pointer.press_origin());
        st.dragging = under(origin);
        if st.dragging.is_some() {
            st.selected = st.dragging;
        }
    }
    if resp.dragged()
        && let Some(i) = st.dragging
    {
        let d = resp.drag_delta() / s;
        layout.move_item(i, d.x, d.y);
        moved = true;
    }
    if resp.drag_stopped() {
        released |= st.dragging.take().is_some();
    }
    if let Some(i) = st.selected.filter(|&i| i < layout.items.len()) {
        let rect = to_screen(layout.items[i].rect);
        let handle = egui::Rect::from_center_size(rect.max, egui::vec2(10.0, 10.0));
        let resp = ui.interact(
            handle,
            ui.scope_id().with("layout-resize"),
            egui::Sense::drag(),
        );
        if resp.dragged() {
            let d = resp.drag_delta() / s;
            layout.resize_item(i, d.x, d.y);
            moved = true;
        }
        released |= resp.drag_stopped();
        painter.rect_filled(handle, 1.0, egui::Color32::from_rgb(30, 100, 200));
    }
    for (i, it) in layout.items.iter().enumerate() {
        let rect = to_screen(it.rect);
        let selected = st.selected == Some(i);
        let color = if selected {
            egui::Color32::from_rgb(30, 100, 200)
        } else {
            egui::Color32::from_rgba_unmultiplied(30, 100, 200, 90)
        };
        painter.rect_stroke(
            rect,
            0.0,
            egui::Stroke::new(if selected { 2.0 } else { 1.0 }, color),
            egui::StrokeKind::Inside,
        );
        painter.text(
            rect.min + egui::vec2(3.0, 2.0),
            egui::Align2::LEFT_TOP,
            it.kind.label(),
            egui::FontId::proportional(11.0),
            color,
        );
    }
    if moved {
        ui.ctx().request_repaint();
    }
    if released {
        st.stale = true;
    }
}
