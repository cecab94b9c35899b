//! A background thread that reads and decodes basemap tiles for the window, newest
//! request first, so that panning never waits on disk or on the built-in renderer.

use std::thread;

use crossbeam_channel::{Receiver, Sender, unbounded};

use super::{BasemapInfo, Source};
use crate::map::MapLayers;

enum Msg {
    Open {
        info: Option<BasemapInfo>,
        layers: Option<MapLayers>,
        generation: u64,
    },
    Tile {
        generation: u64,
        z: u8,
        x: u32,
        y: u32,
    },
}

/// A decoded tile (RGBA), or `None` where the set has no tile.
pub struct Loaded {
    pub generation: u64,
    pub key: (u8, u32, u32),
    pub image: Option<(u32, u32, Vec<u8>)>,
}

pub struct TileLoader {
    tx: Sender<Msg>,
    rx: Receiver<Loaded>,
    generation: u64,
}

impl TileLoader {
    /// Starts the thread; `notify` is called after each tile (the UI repaints).
    pub fn start(notify: impl Fn() + Send + 'static) -> TileLoader {
        let (tx, in_rx) = unbounded::<Msg>();
        let (out_tx, rx) = unbounded::<Loaded>();
        thread::Builder::new()
            .name("tiles".into())
            .spawn(move || {
                let mut source: Option<Source> = None;
                let mut current = 0u64;
                // Requests not served yet; the newest (the tiles in view now) at the end.
                let mut queue: Vec<(u8, u32, u32)> = Vec::new();
                loop {
                    let mut msgs: Vec<Msg> = Vec::new();
                    if queue.is_empty() {
                        match in_rx.recv() {
                            Ok(m) => msgs.push(m),
                            Err(_) => return,
                        }
                    }
                    msgs.extend(in_rx.try_iter());
                    for m in msgs {
                        match m {
                            Msg::Open {
                                info,
                                layers,
                                generation,
                            } => {
                                current = generation;
                                queue.clear();
                                source = info.and_then(|i| Source::open(&i, layers).ok());
                            }
                            Msg::Tile {
                                generation,
                                z,
                                x,
                                y,
                            } if generation == current => queue.push((z, x, y)),
                            Msg::Tile { .. } => {}
                        }
                    }
                    let Some((z, x, y)) = queue.pop() else {
                        continue;
                    };
                    let image = source
                        .as_ref()
                        .and_then(|s| s.tile(z, x, y))
                        .and_then(|b| super::decode(&b));
                    if out_tx
                        .send(Loaded {
                            generation: current,
                            key: (z, x, y),
                            image,
                        })
                        .is_err()
                    {
                        return;
                    }
                    notify();
                }
            })
            .ok();
        TileLoader {
            tx,
            rx,
            generation: 0,
        }
    }

    /// Switches to another tile set (or none). Tiles of the previous set still coming in
    /// carry the old generation and are dropped by the caller.
    pub fn open(&mut self, info: Option<BasemapInfo>, layers: Option<MapLayers>) -> u64 {
        self.generation += 1;
        let _ = self.tx.send(Msg::Open {
            info,
            layers,
            generation: self.generation,
        });
        self.generation
    }

    pub fn request(&self, z: u8, x: u32, y: u32) {
        let _ = self.tx.send(Msg::Tile {
            generation: self.generation,
            z,
            x,
            y,
        });
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn poll(&self) -> Vec<Loaded> {
        self.rx.try_iter().collect()
    }
}
