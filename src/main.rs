//! The binary: parse the command line, then open the window or run one command.

use clap::Parser;
use kenshin_atlas::cli::{Cli, Cmd};

fn main() {
    let cli = Cli::parse();
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(kenshin_atlas::paths::default_data_dir);
    let code = match cli.command {
        None | Some(Cmd::Gui) => match kenshin_atlas::ui::run(data_dir) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("画面を開けません: {e}");
                1
            }
        },
        Some(_) => match kenshin_atlas::cli::run(cli) {
            Ok(code) => code,
            Err(e) if is_broken_pipe(&e) => 0,
            Err(e) => {
                eprintln!("エラー: {e:#}");
                2
            }
        },
    };
    std::process::exit(code);
}

/// The reader of our output went away (`… | head`): not an error of ours.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
