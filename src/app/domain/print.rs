//! 印刷: print layouts (the templates and the saved ones: list, open, save, delete), a
//! layout written as a PDF or PNG pages (外部出力, as every export), and a layout printed
//! (印刷: the Windows dialog and GDI, or `lp`; logged with the pages and copies).

use std::path::PathBuf;

use super::export::{ExportDone, Staged, done_audited};
use super::{Audited, Cx, Domain};
use crate::app::error::AppError;
use crate::app::spec::Spec;
use crate::audit::Action;
use crate::auth::Right;
use crate::layout::Layout;
use crate::layout::saved::{self, Listed};
use crate::os::print::{Pages, Printed};
use crate::render::printout::{self, Printout};

/// How a layout is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageFormat {
    Pdf,
    Png,
}

impl PageFormat {
    pub fn parse(s: &str) -> Result<PageFormat, String> {
        match s.to_ascii_lowercase().as_str() {
            "pdf" => Ok(PageFormat::Pdf),
            "png" => Ok(PageFormat::Png),
            other => Err(format!("--format は pdf か png です（「{other}」）。")),
        }
    }
}

#[derive(Debug, Clone)]
pub enum PrintCmd {
    /// The templates, then the saved layouts.
    Layouts,
    OpenLayout {
        name: String,
    },
    SaveLayout(Box<Layout>),
    DeleteLayout {
        name: String,
    },
    /// Writes every page: one PDF, or one PNG a page (`out`, then `<stem>_2.png` …).
    ExportLayout {
        layout: Box<Layout>,
        format: PageFormat,
        out: PathBuf,
        dpi: u32,
        /// The user confirmed a file with the persons' points (as other exports ask).
        confirm_personal: bool,
    },
    Print {
        layout: Box<Layout>,
        copies: u32,
    },
    /// The backup recovery key on one A4 page, with the date and what it is for (the
    /// first-setup screen's 「印刷」). The key is never logged.
    RecoveryKey {
        key: crate::app::spec::Secret,
        copies: u32,
    },
    /// The first page rasterised at `dpi`, for the layout screen (not logged: nothing
    /// leaves the machine).
    Preview {
        layout: Box<Layout>,
        dpi: u32,
    },
}

#[derive(Debug)]
pub enum PrintReply {
    Layouts(Vec<Listed>),
    Layout(Box<Layout>),
    Saved,
    Deleted,
    Written(ExportDone),
    /// Printed; `personal`: the persons' points were on the pages.
    Printed {
        printed: Printed,
        personal: bool,
    },
    /// RGBA pixels of the first page, and how many pages there are.
    Preview {
        width: u32,
        height: u32,
        rgba: Vec<u8>,
        pages: usize,
    },
}

impl Domain for PrintCmd {
    type Reply = PrintReply;

    fn spec(&self) -> Spec {
        let edit = |label, name: &str| {
            Spec::login(label)
                .right(Right::Edit, Action::Edit, format!("layout:{name}"))
                .logged()
        };
        match self {
            PrintCmd::Layouts => Spec::login("印刷レイアウトの一覧"),
            PrintCmd::OpenLayout { .. } => Spec::login("印刷レイアウトを開く"),
            PrintCmd::SaveLayout(l) => edit("印刷レイアウトの保存", &l.name),
            PrintCmd::DeleteLayout { name } => edit("印刷レイアウトの削除", name),
            PrintCmd::ExportLayout { layout, out, .. } => Spec::login("印刷レイアウトの出力")
                .right(
                    Right::Export,
                    Action::Export,
                    format!("レイアウト「{}」", layout.name),
                )
                .logged()
                .export(out),
            // A preview with the persons' points shows personal data: gated and logged as
            // the map screen's loading of those points is.
            PrintCmd::Preview { layout, .. } if printout::shows_persons(layout) => {
                Spec::login("印刷プレビュー")
                    .right(
                        Right::ViewPersonal,
                        Action::ViewPersonal,
                        format!("レイアウト「{}」の被保険者の点", layout.name),
                    )
                    .logged()
            }
            PrintCmd::Preview { .. } => Spec::login("印刷プレビュー"),
            PrintCmd::RecoveryKey { .. } => Spec::login("復旧鍵の印刷")
                .right(Right::Print, Action::Print, "復旧鍵")
                .logged(),
            PrintCmd::Print { layout, .. } => Spec::login("印刷")
                .right(
                    Right::Print,
                    Action::Print,
                    format!("レイアウト「{}」", layout.name),
                )
                .logged(),
        }
    }

    fn run(self, cx: &mut Cx<'_>) -> Result<PrintReply, AppError> {
        let conn = cx.store.conn();
        Ok(match self {
            PrintCmd::Layouts => PrintReply::Layouts(saved::list(conn)?),
            PrintCmd::OpenLayout { name } => {
                PrintReply::Layout(Box::new(saved::open(conn, &name)?))
            }
            PrintCmd::SaveLayout(l) => {
                saved::save(conn, &l)?;
                PrintReply::Saved
            }
            PrintCmd::DeleteLayout { name } => {
                saved::delete(conn, &name)?;
                PrintReply::Deleted
            }
            PrintCmd::ExportLayout {
                layout,
                format,
                out,
                dpi,
                confirm_personal,
            } => {
                if printout::shows_persons(&layout) && !confirm_personal {
                    return Err(crate::export::ExportError::Unconfirmed.into());
                }
                PrintReply::Written(export_layout(cx, &layout, format, &out, dpi)?)
            }
            PrintCmd::Preview { layout, dpi } => {
                layout
                    .check()
                    .map_err(crate::layout::saved::SavedError::from)?;
                may_show_persons(cx, &layout)?;
                let p = printout::prepare(cx.store, &layout, cx.maps)?;
                let pm = p.raster(0, dpi.clamp(10, 150) as f32 / 72.0)?;
                let (width, height) = (pm.width(), pm.height());
                PrintReply::Preview {
                    width,
                    height,
                    rgba: pm.take(),
                    pages: p.pages.len(),
                }
            }
            PrintCmd::RecoveryKey { key, copies } => {
                let today = chrono::DateTime::from_timestamp(cx.clock.now(), 0)
                    .map(|t| {
                        t.with_timezone(&chrono::Local)
                            .format("%Y年%m月%d日")
                            .to_string()
                    })
                    .unwrap_or_default();
                let page = KeyPage::new(&key.0, &today)?;
                PrintReply::Printed {
                    printed: crate::os::print::print("健診アトラス 復旧鍵", &page, copies)?,
                    personal: false,
                }
            }
            PrintCmd::Print { layout, copies } => {
                layout
                    .check()
                    .map_err(crate::layout::saved::SavedError::from)?;
                may_show_persons(cx, &layout)?;
                cx.progress.set(0.1, "ページを組んでいます");
                let p = printout::prepare(cx.store, &layout, cx.maps)?;
                cx.progress.set(0.4, "印刷しています");
                PrintReply::Printed {
                    printed: crate::os::print::print(&layout.name, &p, copies)?,
                    personal: p.personal,
                }
            }
        })
    }

    fn audited(reply: &PrintReply) -> Option<Audited> {
        Some(match reply {
            PrintReply::Written(d) => done_audited(d),
            PrintReply::Printed {
                printed: p,
                personal,
            } => Audited {
                rows: Some(p.pages as u64),
                detail: format!(
                    "pages={} copies={} printer={} percent={} personal={}",
                    p.pages,
                    p.copies,
                    p.printer,
                    p.percent,
                    if *personal { "yes" } else { "no" }
                ),
                ..Default::default()
            },
            _ => Audited::default(),
        })
    }

    /// A printer refused for writing files is named (an admin sees who tried which).
    fn failed_detail(error: &AppError) -> String {
        match error {
            AppError::Print(crate::os::print::PrintError::WritesFiles(printer)) => {
                format!("refused printer={printer} (writes files)")
            }
            _ => String::new(),
        }
    }
}

/// The files of a layout: the PDF, or a PNG a page beside `out`.
/// A layout whose map shows the persons' points needs 個人情報の閲覧 besides its own right
/// (the map screen loads those points only with it).
fn may_show_persons(cx: &Cx<'_>, layout: &Layout) -> Result<(), AppError> {
    if printout::shows_persons(layout) && !cx.has(Right::ViewPersonal) {
        return Err(crate::auth::AuthError::Denied(Right::ViewPersonal).into());
    }
    Ok(())
}

fn export_layout(
    cx: &mut Cx<'_>,
    layout: &Layout,
    format: PageFormat,
    out: &std::path::Path,
    dpi: u32,
) -> Result<ExportDone, AppError> {
    let ext = match format {
        PageFormat::Pdf => "pdf",
        PageFormat::Png => "png",
    };
    if !out.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)) {
        return Err(crate::export::ExportError::Extension {
            path: out.to_path_buf(),
            expected: ext,
        }
        .into());
    }
    layout
        .check()
        .map_err(crate::layout::saved::SavedError::from)?;
    may_show_persons(cx, layout)?;
    cx.progress.set(0.1, "ページを組んでいます");
    let p = printout::prepare(cx.store, layout, cx.maps)?;
    cx.progress.set(0.5, "ファイルを作っています");
    // Each file goes to its temporary as soon as it is made (a cancel leaves none).
    let mut staged = Staged::default();
    match format {
        PageFormat::Pdf => staged.add(out.to_path_buf(), &p.pdf()?)?,
        PageFormat::Png => {
            let stem = out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            for i in 0..p.pages.len() {
                if cx.progress.is_cancelled() {
                    return Err(crate::export::ExportError::Cancelled.into());
                }
                let path = if i == 0 {
                    out.to_path_buf()
                } else {
                    out.with_file_name(format!("{stem}_{}.png", i + 1))
                };
                staged.add(path, &p.png(i, dpi)?)?;
            }
        }
    }
    if cx.progress.is_cancelled() {
        return Err(crate::export::ExportError::Cancelled.into());
    }
    Ok(ExportDone {
        format: ext,
        files: staged.commit()?,
        rows: p.pages.len(),
        personal: p.personal,
        caution: false,
        substitutions: vec![],
        unplaced: 0,
    })
}

impl Pages for Printout {
    fn count(&self) -> usize {
        self.pages.len()
    }

    fn size_mm(&self, i: usize) -> [f32; 2] {
        self.pages
            .get(i)
            .map_or([0.0; 2], |p| p.size.map(|v| v / 72.0 * 25.4))
    }

    fn pdf(&self) -> Result<Vec<u8>, String> {
        Printout::pdf(self).map_err(|e| e.to_string())
    }

    fn raster(&self, i: usize, dpi: u32) -> Result<(u32, u32, Vec<u8>), String> {
        let pm = Printout::raster(self, i, dpi as f32 / 72.0).map_err(|e| e.to_string())?;
        Ok((pm.width(), pm.height(), pm.take()))
    }
}

/// The recovery key's page: A4 portrait, what the key is for, the date, the key in lines
/// of 24 characters, and how to keep it. No map, no data.
pub struct KeyPage {
    page: crate::layout::Composed,
}

impl KeyPage {
    pub fn new(key: &str, date: &str) -> Result<KeyPage, AppError> {
        use crate::layout::{Item, ItemKind, Orientation, Page, Paper, model::VERSION};
        // The screen shows the whole identity file (comments, the public key, the secret
        // key): the page carries the secret key line, which restores.
        let secret = key
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("AGE-SECRET-KEY-"))
            .unwrap_or(key.trim());
        let chars: Vec<char> = secret.chars().collect();
        let key_lines: Vec<String> = chars.chunks(24).map(|c| c.iter().collect()).collect();
        let text = |rect: [f32; 4], text: String, size: f32| Item {
            rect,
            kind: ItemKind::Text { text, size },
        };
        let layout = Layout {
            version: VERSION,
            name: "復旧鍵".into(),
            page: Page {
                paper: Paper::A4,
                orientation: Orientation::Portrait,
                margin: 15.0,
            },
            items: vec![
                Item {
                    rect: [15.0, 20.0, 180.0, 14.0],
                    kind: ItemKind::Title {
                        text: "健診アトラス バックアップの復旧鍵".into(),
                    },
                },
                text(
                    [20.0, 45.0, 170.0, 40.0],
                    format!(
                        "作成日: {date}\n用途: バックアップの復号（別のマシンへの復元、標準の age での復号）。\nバックアップはこの鍵とアプリの鍵の二つで暗号化されています。"
                    ),
                    11.0,
                ),
                text([20.0, 95.0, 170.0, 60.0], key_lines.join("\n"), 18.0),
                text(
                    [20.0, 170.0, 170.0, 40.0],
                    "この紙は金庫などに保管し、コピーや写真を取らないでください。\n鍵が漏れたときは、管理者設定で新しい復旧鍵を作り直してください。".into(),
                    11.0,
                ),
                Item {
                    rect: [15.0, 270.0, 180.0, 8.0],
                    kind: ItemKind::Credits,
                },
            ],
            map: None,
        };
        let measure = crate::render::page::measure().map_err(crate::os::print::PrintError::Page)?;
        let content = crate::layout::Content {
            credits: "健診アトラス（奈良県国民健康保険団体連合会）",
            ..Default::default()
        };
        let page = crate::layout::compose(&layout, &content, &measure);
        // Every line of the key must be on the page (a text box drops lines that do not
        // fit): a page without the whole key would look finished and restore nothing.
        let texts = crate::map::furniture::texts(&page.marks);
        if key_lines.is_empty() || key_lines.iter().any(|l| !texts.contains(&l.as_str())) {
            return Err(
                crate::os::print::PrintError::Page("復旧鍵がページに収まりません".into()).into(),
            );
        }
        Ok(KeyPage { page })
    }
}

impl Pages for KeyPage {
    fn count(&self) -> usize {
        1
    }

    fn size_mm(&self, _: usize) -> [f32; 2] {
        self.page.size.map(|v| v / 72.0 * 25.4)
    }

    fn pdf(&self) -> Result<Vec<u8>, String> {
        let page = crate::render::page::PdfPage {
            page: &self.page,
            bookmark: None,
        };
        crate::render::page::pdf(&[page], &Default::default(), "健診アトラス 復旧鍵")
    }

    fn raster(&self, _: usize, dpi: u32) -> Result<(u32, u32, Vec<u8>), String> {
        let pm = crate::render::page::raster(&self.page, &Default::default(), dpi as f32 / 72.0)?;
        Ok((pm.width(), pm.height(), pm.take()))
    }
}
