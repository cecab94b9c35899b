//! `layout` and `print`: print layouts listed, written as PDF or PNG pages (外部出力), and
//! printed (印刷), through the engine's `Command::Print`. Prints JSON.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::Subcommand;

use super::session::Ctx;
use crate::app::Outcome;
use crate::app::domain::print::{PageFormat, PrintCmd, PrintReply};

#[derive(Debug, Subcommand)]
pub enum LayoutAction {
    /// 用意された型と保存したレイアウトの一覧（JSON）
    List,
    /// レイアウトを PDF（全ページ）か PNG（1 ページ 1 ファイル）に出力する（外部出力）
    Export {
        name: String,
        /// pdf | png
        #[arg(long, default_value = "pdf")]
        format: String,
        #[arg(long)]
        out: PathBuf,
        /// PNG の解像度
        #[arg(long, default_value_t = 300)]
        dpi: u32,
        /// 被保険者の点（個人の情報）を含む出力であることを確認した
        #[arg(long)]
        confirm_personal: bool,
    },
}

fn open(ctx: &mut Ctx, name: &str) -> anyhow::Result<crate::layout::Layout> {
    match ctx.execute(PrintCmd::OpenLayout {
        name: name.to_string(),
    })? {
        Outcome::Print(PrintReply::Layout(l)) => Ok(*l),
        other => bail!("予期しない応答: {other:?}"),
    }
}

fn json(v: &impl serde::Serialize) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(v)?)?;
    Ok(0)
}

pub fn layout(ctx: &mut Ctx, what: LayoutAction) -> anyhow::Result<i32> {
    match what {
        LayoutAction::List => match ctx.execute(PrintCmd::Layouts)? {
            Outcome::Print(PrintReply::Layouts(v)) => json(&v),
            other => bail!("予期しない応答: {other:?}"),
        },
        LayoutAction::Export {
            name,
            format,
            out,
            dpi,
            confirm_personal,
        } => {
            let format = PageFormat::parse(&format).map_err(anyhow::Error::msg)?;
            let layout = Box::new(open(ctx, &name)?);
            match ctx.execute(PrintCmd::ExportLayout {
                layout,
                format,
                out,
                dpi,
                confirm_personal,
            })? {
                Outcome::Print(PrintReply::Written(d)) => json(&d),
                other => bail!("予期しない応答: {other:?}"),
            }
        }
    }
}

/// `print --layout NAME [--copies N]`.
pub fn print(ctx: &mut Ctx, name: &str, copies: u32) -> anyhow::Result<i32> {
    let layout = Box::new(open(ctx, name)?);
    match ctx.execute(PrintCmd::Print { layout, copies })? {
        Outcome::Print(PrintReply::Printed { printed: p, .. }) => json(&p),
        other => bail!("予期しない応答: {other:?}"),
    }
}
