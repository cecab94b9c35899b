//! The integration tests: one binary (each `tests/*.rs` would link DuckDB again), one
//! module per concern. They run on real files: the generated Nara demo data and the
//! fixtures written here in the encodings real offices use.

mod atlas;
mod backup;
mod commands;
mod common;
mod data_browser;
mod demo_round_trip;
mod export_ui;
mod exports;
mod extract_ui;
mod fiscal_years;
mod geocode;
mod house_rules;
mod import_errors;
mod import_hostile;
mod institutions;
mod layers;
mod layout_content;
mod layout_ui;
mod manuals;
mod map_features;
mod map_ui;
mod matching;
mod print;
mod raw_demo;
mod render;
mod screenshots;
mod search;
mod search_ui;
mod security;
mod suppression;
mod user_tables;
