//! PMTiles v3 (a single-file tile archive): reading tiles by z/x/y, and writing an archive
//! (raster tiles, gzip-compressed directories) for `tiles build --format pmtiles` and tests.
//!
//! Layout: a 127-byte header, the root directory, metadata (JSON), leaf directories and
//! the tile data. Tiles are addressed by a Hilbert-curve tile id; a directory lists runs
//! of ids with their offset and length, or points to a leaf directory (run length 0).

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use crate::tiles::TileError;

const HEADER_LEN: usize = 127;

/// The tile id of z/x/y: the tiles of all lower zooms, plus the Hilbert index in zoom z.
pub fn tile_id(z: u8, x: u32, y: u32) -> u64 {
    let mut acc: u64 = 0;
    for i in 0..z {
        acc += 1u64 << (2 * i as u64);
    }
    let n: u64 = 1 << z;
    let (mut x, mut y) = (x as u64, y as u64);
    let mut d: u64 = 0;
    let mut s = n / 2;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    acc + d
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    tile_id: u64,
    offset: u64,
    length: u32,
    run_length: u32,
}

fn read_varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    let mut shift = 0;
    loop {
        let b = *buf.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn decode_directory(buf: &[u8]) -> Option<Vec<Entry>> {
    let mut pos = 0;
    let n = read_varint(buf, &mut pos)? as usize;
    if n > buf.len() {
        return None;
    }
    let mut entries = vec![
        Entry {
            tile_id: 0,
            offset: 0,
            length: 0,
            run_length: 0
        };
        n
    ];
    let mut last = 0u64;
    for e in entries.iter_mut() {
        last = last.checked_add(read_varint(buf, &mut pos)?)?;
        e.tile_id = last;
    }
    for e in entries.iter_mut() {
        e.run_length = read_varint(buf, &mut pos)? as u32;
    }
    for e in entries.iter_mut() {
        e.length = read_varint(buf, &mut pos)? as u32;
    }
    for i in 0..n {
        let v = read_varint(buf, &mut pos)?;
        entries[i].offset = if v == 0 && i > 0 {
            entries[i - 1]
                .offset
                .checked_add(entries[i - 1].length as u64)?
        } else {
            v.checked_sub(1)?
        };
    }
    Some(entries)
}

/// A directory gzip-compressed, as readers expect (the spec allows none, but common readers
/// always gunzip).
fn encode_directory_gz(entries: &[Entry]) -> Result<Vec<u8>, std::io::Error> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&encode_directory(entries))?;
    gz.finish()
}

fn encode_directory(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    write_varint(&mut out, entries.len() as u64);
    let mut last = 0;
    for e in entries {
        write_varint(&mut out, e.tile_id - last);
        last = e.tile_id;
    }
    for e in entries {
        write_varint(&mut out, e.run_length as u64);
    }
    for e in entries {
        write_varint(&mut out, e.length as u64);
    }
    for (i, e) in entries.iter().enumerate() {
        let contiguous = i > 0 && e.offset == entries[i - 1].offset + entries[i - 1].length as u64;
        write_varint(&mut out, if contiguous { 0 } else { e.offset + 1 });
    }
    out
}

struct Header {
    root: (u64, u64),
    leaves_offset: u64,
    data_offset: u64,
    internal_compression: u8,
    tile_compression: u8,
    tile_type: u8,
    min_zoom: u8,
    max_zoom: u8,
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// An open PMTiles archive.
pub struct PmTiles {
    file: Mutex<File>,
    header: Header,
    root: Vec<Entry>,
    leaves: Mutex<HashMap<u64, Vec<Entry>>>,
}

impl PmTiles {
    pub fn open(path: &Path) -> Result<PmTiles, TileError> {
        let bad = |msg: &str| TileError::Invalid {
            path: path.into(),
            msg: msg.into(),
        };
        let mut file = File::open(path).map_err(|e| TileError::Io {
            path: path.into(),
            source: e,
        })?;
        let mut h = [0u8; HEADER_LEN];
        file.read_exact(&mut h)
            .map_err(|_| bad("ヘッダ（127 バイト）が読めません"))?;
        if &h[..7] != b"PMTiles" || h[7] != 3 {
            return Err(bad("PMTiles 第3版のファイルではありません"));
        }
        let header = Header {
            root: (u64_at(&h, 8), u64_at(&h, 16)),
            leaves_offset: u64_at(&h, 40),
            data_offset: u64_at(&h, 56),
            internal_compression: h[97],
            tile_compression: h[98],
            tile_type: h[99],
            min_zoom: h[100],
            max_zoom: h[101],
        };
        if !matches!(header.tile_type, 2 | 3) {
            return Err(bad(
                "PNG・JPEG の画像タイルではありません（ベクトルタイルは未対応）",
            ));
        }
        if header.tile_compression > 1 {
            return Err(bad(
                "タイル画像が圧縮されています（PNG・JPEG は無圧縮で格納してください）",
            ));
        }
        let mut pm = PmTiles {
            file: Mutex::new(file),
            root: vec![],
            leaves: Mutex::new(HashMap::new()),
            header,
        };
        let root = pm
            .read_directory(pm.header.root.0, pm.header.root.1)
            .ok_or_else(|| bad("ルートディレクトリが壊れています"))?;
        pm.root = root;
        Ok(pm)
    }

    pub fn zoom_range(&self) -> (u8, u8) {
        (self.header.min_zoom, self.header.max_zoom)
    }

    fn read_bytes(&self, offset: u64, len: u64) -> Option<Vec<u8>> {
        if len > 64 * 1024 * 1024 {
            return None;
        }
        let mut f = self.file.lock().ok()?;
        f.seek(SeekFrom::Start(offset)).ok()?;
        let mut buf = vec![0u8; len as usize];
        f.read_exact(&mut buf).ok()?;
        Some(buf)
    }

    fn read_directory(&self, offset: u64, len: u64) -> Option<Vec<Entry>> {
        let raw = self.read_bytes(offset, len)?;
        let bytes = match self.header.internal_compression {
            0 | 1 => raw,
            2 => {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&raw[..])
                    .read_to_end(&mut out)
                    .ok()?;
                out
            }
            _ => return None,
        };
        decode_directory(&bytes)
    }

    fn find(entries: &[Entry], id: u64) -> Option<Entry> {
        let i = entries
            .partition_point(|e| e.tile_id <= id)
            .checked_sub(1)?;
        let e = entries[i];
        if e.run_length == 0 || id < e.tile_id.saturating_add(e.run_length as u64) {
            Some(e)
        } else {
            None
        }
    }

    /// The encoded tile z/x/y, or `None` when the archive does not have it.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Option<Vec<u8>> {
        let id = tile_id(z, x, y);
        let mut entry = Self::find(&self.root, id)?;
        for _ in 0..4 {
            if entry.run_length > 0 {
                return self
                    .read_bytes(self.header.data_offset + entry.offset, entry.length as u64);
            }
            let leaf_offset = self.header.leaves_offset + entry.offset;
            let cached = self.leaves.lock().ok()?.get(&leaf_offset).cloned();
            let leaf = match cached {
                Some(l) => l,
                None => {
                    let l = self.read_directory(leaf_offset, entry.length as u64)?;
                    self.leaves.lock().ok()?.insert(leaf_offset, l.clone());
                    l
                }
            };
            entry = Self::find(&leaf, id)?;
        }
        None
    }
}

/// Writes `tiles` ((z, x, y), encoded image) as a PMTiles v3 archive. `png` says whether
/// the tiles are PNG (else JPEG). Directories are gzip-compressed; entries beyond one
/// root directory go into leaf directories.
pub fn write(
    path: &Path,
    tiles: &[((u8, u32, u32), Vec<u8>)],
    png: bool,
    bounds: [f64; 4],
) -> Result<(), TileError> {
    let io = |e| TileError::Io {
        path: path.into(),
        source: e,
    };
    let mut sorted: Vec<(u64, &Vec<u8>)> = tiles
        .iter()
        .map(|((z, x, y), d)| (tile_id(*z, *x, *y), d))
        .collect();
    sorted.sort_by_key(|t| t.0);
    let mut data = Vec::new();
    let mut entries = Vec::with_capacity(sorted.len());
    for (id, bytes) in &sorted {
        entries.push(Entry {
            tile_id: *id,
            offset: data.len() as u64,
            length: bytes.len() as u32,
            run_length: 1,
        });
        data.extend_from_slice(bytes);
    }
    const LEAF: usize = 4096;
    let (root, leaves) = if entries.len() <= LEAF {
        (encode_directory_gz(&entries).map_err(io)?, Vec::new())
    } else {
        let mut leaves = Vec::new();
        let mut root_entries = Vec::new();
        for chunk in entries.chunks(LEAF) {
            let enc = encode_directory_gz(chunk).map_err(io)?;
            root_entries.push(Entry {
                tile_id: chunk[0].tile_id,
                offset: leaves.len() as u64,
                length: enc.len() as u32,
                run_length: 0,
            });
            leaves.extend_from_slice(&enc);
        }
        (encode_directory_gz(&root_entries).map_err(io)?, leaves)
    };
    let metadata = b"{\"name\":\"kenshin-atlas\"}".to_vec();
    let (min_z, max_z) = tiles.iter().fold((u8::MAX, 0u8), |(a, b), ((z, _, _), _)| {
        (a.min(*z), b.max(*z))
    });
    let root_off = HEADER_LEN as u64;
    let meta_off = root_off + root.len() as u64;
    let leaves_off = meta_off + metadata.len() as u64;
    let data_off = leaves_off + leaves.len() as u64;
    let mut h = Vec::with_capacity(HEADER_LEN);
    h.extend_from_slice(b"PMTiles");
    h.push(3);
    for v in [
        root_off,
        root.len() as u64,
        meta_off,
        metadata.len() as u64,
        leaves_off,
        leaves.len() as u64,
        data_off,
        data.len() as u64,
    ] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    for v in [
        sorted.len() as u64,
        entries.len() as u64,
        entries.len() as u64,
    ] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.push(1); // clustered
    h.push(2); // internal compression: gzip
    h.push(1); // tile compression: none
    h.push(if png { 2 } else { 3 });
    h.push(if min_z == u8::MAX { 0 } else { min_z });
    h.push(max_z);
    for v in bounds {
        h.extend_from_slice(&((v * 1e7) as i32).to_le_bytes());
    }
    h.push(min_z.min(max_z));
    h.extend_from_slice(&(((bounds[0] + bounds[2]) / 2.0 * 1e7) as i32).to_le_bytes());
    h.extend_from_slice(&(((bounds[1] + bounds[3]) / 2.0 * 1e7) as i32).to_le_bytes());
    debug_assert_eq!(h.len(), HEADER_LEN);
    let mut f = File::create(path).map_err(io)?;
    for part in [&h, &root, &metadata, &leaves, &data] {
        f.write_all(part).map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_ids_follow_the_spec() {
        assert_eq!(tile_id(0, 0, 0), 0);
        assert_eq!(tile_id(1, 0, 0), 1);
        assert_eq!(tile_id(1, 0, 1), 2);
        assert_eq!(tile_id(1, 1, 1), 3);
        assert_eq!(tile_id(1, 1, 0), 4);
        assert_eq!(tile_id(2, 0, 0), 5);
        // Every tile of a zoom gets its own id inside the zoom's range.
        let mut ids: Vec<u64> = (0..8)
            .flat_map(|x| (0..8).map(move |y| tile_id(3, x, y)))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 64);
        assert_eq!((ids[0], ids[63]), (21, 84));
    }

    #[test]
    fn directories_round_trip() {
        let entries = vec![
            Entry {
                tile_id: 5,
                offset: 0,
                length: 10,
                run_length: 1,
            },
            Entry {
                tile_id: 6,
                offset: 10,
                length: 7,
                run_length: 2,
            },
            Entry {
                tile_id: 30,
                offset: 100,
                length: 3,
                run_length: 1,
            },
        ];
        assert_eq!(decode_directory(&encode_directory(&entries)), Some(entries));
        assert_eq!(decode_directory(&[0x85]), None, "a cut varint is refused");
        // Offsets that overflow are refused, not a panic.
        let mut bad = Vec::new();
        for v in [
            2u64,
            1,
            0,
            1,
            1,
            u32::MAX as u64,
            u32::MAX as u64,
            u64::MAX,
            0,
        ] {
            write_varint(&mut bad, v);
        }
        assert_eq!(decode_directory(&bad), None);
    }

    #[test]
    fn written_archive_reads_back_with_leaves() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.pmtiles");
        // 5,000 tiles at zoom 7: more than one root directory holds, so leaves are used.
        let tiles: Vec<((u8, u32, u32), Vec<u8>)> = (0..5000u32)
            .map(|i| ((7u8, i % 128, i / 128), format!("tile {i}").into_bytes()))
            .collect();
        write(&path, &tiles, true, [135.0, 33.0, 137.0, 35.0]).expect("write");
        let pm = PmTiles::open(&path).expect("open");
        assert_eq!(pm.zoom_range(), (7, 7));
        for i in [0u32, 1, 4095, 4096, 4999] {
            assert_eq!(
                pm.tile(7, i % 128, i / 128),
                Some(format!("tile {i}").into_bytes())
            );
        }
        assert_eq!(pm.tile(7, 127, 127), None);
        assert_eq!(pm.tile(6, 0, 0), None);
    }
}
