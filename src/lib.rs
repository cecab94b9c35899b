//! 健診アトラス (Kenshin Atlas): offline spatial analytics of specific health checkup
//! uptake. The library holds everything but the window; `src/ui` is the only module that
//! touches egui, and `main.rs` only parses the command line.

/// Analyses: the uptake definition and per-area tables.
pub mod analysis;
/// Commands, the background worker that owns the database, first-start setup.
pub mod app;
/// The audit log (利用ログ): append-only, HMAC-chained JSON lines outside the database.
pub mod audit;
/// Accounts, rights, sessions and the admin settings, enforced in the core.
pub mod auth;
/// Encrypted backups (age) with manifest checks, generations and restore.
pub mod backup;
/// Offline basemaps: MBTiles, PMTiles, XYZ folders and the built-in 標準 tiles.
pub mod basemap;
/// Benchmarks run from the CLI.
pub mod bench;
/// The command line.
pub mod cli;
/// The Nara demo data generator.
pub mod demo;
/// Coordinate systems, boundary readers, distances.
pub use kenshin_parse::geo;
/// Exports: tables, maps and layers in the formats municipalities use.
pub mod export;
/// 住所照合: insured addresses → points and small areas.
pub mod geocode;
/// Import of customer files: encodings, wareki, profiles, validation, transactions.
pub mod import;
/// Progress and cancel for long jobs.
pub mod job;
/// Boundary and point layers: shapefile and GeoJSON readers, checks, storage.
pub mod layers;
/// Print layouts: pages, items in mm, templates, composition (no egui, no database).
pub mod layout;
/// What the map draws: views, scenes, choropleths, institutions, insured points.
pub mod map;
/// OS-specific code (single-instance lock, folder permissions), Windows and Unix.
pub mod os;
/// The painters of a scene below the renderer: raster, text, PNG.
pub mod paint;
/// Data, reference and working folders.
pub mod paths;
/// The CPU map renderer (map PNGs over basemap tiles, with furniture).
pub mod render;
/// Search: the query model, its SQL, places, nearest institutions, 場所移動.
pub mod search;
/// The DuckDB store: migrations, history, statistics.
pub mod store;
/// The egui user interface (the only egui code).
pub mod ui;
