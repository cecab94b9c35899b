//! The map tools, each a file with its state in [`super::state::ToolsState`]: identify
//! (属性), spatial search (矩形・多角形・円・この地域, the nearest checkup institutions) and
//! 場所移動.

pub(crate) mod identify;
pub mod jump;
pub mod spatial;
