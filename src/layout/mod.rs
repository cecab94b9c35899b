//! Print layouts (印刷レイアウト): a page (A3 or A4, portrait or landscape, margins) with
//! items placed in millimetres — map frames with their own view or typed scale, legend,
//! title, subtitle, scale bar, north arrow, text, a paged result table and the data
//! credits — the shipped templates, and the composition the painters draw
//! (`render::page`: PDF as vectors, PNG at a dpi, and the printer). Plain Rust, no egui;
//! `saved` keeps layouts in the database.

pub mod compose;
pub mod model;
pub mod numbers;
pub mod page;
pub mod picture;
pub mod saved;
pub mod templates;

pub use compose::{Composed, Content, MapFrame, PageTable, compose};
pub use model::{Item, ItemKind, Layout, LayoutError};
pub use page::{Orientation, Page, Paper};
