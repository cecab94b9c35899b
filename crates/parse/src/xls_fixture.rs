//! Test support: writes small legacy Excel files (.xls), BIFF8 records in a `Workbook`
//! stream of a version-3 compound file (512-byte sectors), as Excel 97–2003 saves them.
//! A stream under 4,096 bytes goes to the mini stream, a larger one to ordinary sectors.
//!
//! Only what calamine needs to read cells back: the globals (BOF, CODEPAGE 1200,
//! BOUNDSHEET8 per sheet, any records given, EOF), then each sheet's BOF, the records
//! given, EOF; and the records the tests give (DIMENSIONS, NUMBER, LABEL, MULRK, SST,
//! LABELSST, LBL, FORMULA).

/// The end of a sector chain.
const END: u32 = 0xFFFF_FFFE;
const FREE: u32 = 0xFFFF_FFFF;
const FAT_SECTOR: u32 = 0xFFFF_FFFD;

/// One BIFF record: type, length, data.
pub fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).expect("a record holds at most 65,535 bytes");
    let mut r = Vec::with_capacity(4 + data.len());
    r.extend(typ.to_le_bytes());
    r.extend(len.to_le_bytes());
    r.extend(data);
    r
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// BOF (BIFF8) of the globals (`dt` 0x0005) or of a worksheet (0x0010).
pub fn bof(dt: u16) -> Vec<u8> {
    let data = cat(&[&0x0600u16.to_le_bytes(), &dt.to_le_bytes(), &[0; 12]]);
    record(0x0809, &data)
}

pub fn eof() -> Vec<u8> {
    record(0x000A, &[])
}

/// DIMENSIONS (BIFF8): first row, last row + 1, first column, last column + 1.
pub fn dimensions(rw_first: u32, rw_last: u32, col_first: u16, col_last: u16) -> Vec<u8> {
    let data = cat(&[
        &rw_first.to_le_bytes(),
        &rw_last.to_le_bytes(),
        &col_first.to_le_bytes(),
        &col_last.to_le_bytes(),
        &[0, 0],
    ]);
    record(0x0200, &data)
}

/// NUMBER: a float at (row, col), cell format 0.
pub fn number(row: u16, col: u16, v: f64) -> Vec<u8> {
    let data = cat(&[
        &row.to_le_bytes(),
        &col.to_le_bytes(),
        &[0, 0],
        &v.to_le_bytes(),
    ]);
    record(0x0203, &data)
}

/// LABEL: text at (row, col), written as UTF-16 (fHighByte set).
pub fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut data = cat(&[&row.to_le_bytes(), &col.to_le_bytes(), &[0, 0]]);
    data.extend((units.len() as u16).to_le_bytes());
    data.push(1);
    data.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    record(0x0204, &data)
}

/// MULRK: the integers 1..=n in row `row` from column `col_first`.
pub fn mulrk(row: u16, col_first: u16, n: u16) -> Vec<u8> {
    let mut data = cat(&[&row.to_le_bytes(), &col_first.to_le_bytes()]);
    for i in 1..=u32::from(n) {
        data.extend([0, 0]);
        data.extend(((i << 2) | 2).to_le_bytes()); // RK: an integer
    }
    data.extend(col_first.wrapping_add(n).wrapping_sub(1).to_le_bytes());
    record(0x00BD, &data)
}

/// BOUNDSHEET8 of a visible worksheet whose BOF is at `pos` in the stream.
fn boundsheet(pos: u32, name: &str) -> Vec<u8> {
    let units: Vec<u16> = name.encode_utf16().collect();
    let mut data = cat(&[&pos.to_le_bytes(), &[0, 0], &[units.len() as u8, 1]]);
    data.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    record(0x0085, &data)
}

/// A string as BIFF8 writes it after its length: the flags (compressed when ASCII), the
/// characters.
fn chars(text: &str) -> Vec<u8> {
    if text.is_ascii() {
        cat(&[&[0], text.as_bytes()])
    } else {
        let units = text.encode_utf16().flat_map(|u| u.to_le_bytes());
        std::iter::once(1).chain(units).collect()
    }
}

/// SST: the shared strings (one record, no CONTINUE).
pub fn sst(strings: &[&str]) -> Vec<u8> {
    let n = (strings.len() as u32).to_le_bytes();
    let mut data = cat(&[&n, &n]);
    for s in strings {
        data.extend((s.encode_utf16().count() as u16).to_le_bytes());
        data.extend(chars(s));
    }
    record(0x00FC, &data)
}

/// LABELSST: shared string `index` at (row, col).
pub fn labelsst(row: u16, col: u16, index: u32) -> Vec<u8> {
    let data = cat(&[
        &row.to_le_bytes(),
        &col.to_le_bytes(),
        &[0, 0],
        &index.to_le_bytes(),
    ]);
    record(0x00FD, &data)
}

/// LBL: a defined name (no formula); formulas refer to the n-th from 1.
pub fn lbl(name: &str) -> Vec<u8> {
    let cch = name.encode_utf16().count() as u8;
    let data = cat(&[&[0, 0, 0, cch], &[0; 10], &chars(name)]);
    record(0x0018, &data)
}

/// FORMULA at (row, col) with value 0 and these parsed tokens.
pub fn formula(row: u16, col: u16, rgce: &[u8]) -> Vec<u8> {
    let head = cat(&[
        &row.to_le_bytes(),
        &col.to_le_bytes(),
        &[0, 0],
        &0f64.to_le_bytes(),
    ]);
    let cce = (rgce.len() as u16).to_le_bytes();
    record(0x0006, &cat(&[&head, &[0; 6], &cce, rgce]))
}

/// A `Workbook` stream: the globals, then each sheet (its records between BOF and EOF).
pub fn workbook(sheets: &[(&str, Vec<u8>)]) -> Vec<u8> {
    workbook_with(&[], sheets)
}

/// The same with more records (SST, LBL, …) in the globals.
pub fn workbook_with(globals: &[u8], sheets: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let head = cat(&[
        &bof(0x0005),
        &record(0x0042, &1200u16.to_le_bytes()),
        globals,
    ]);
    let mut pos = head.len() + eof().len();
    pos += sheets
        .iter()
        .map(|(n, _)| boundsheet(0, n).len())
        .sum::<usize>();
    let mut globals = head;
    let mut body = Vec::new();
    for (name, records) in sheets {
        globals.extend(boundsheet((pos + body.len()) as u32, name));
        body.extend(cat(&[&bof(0x0010), records, &eof()]));
    }
    cat(&[&globals, &eof(), &body])
}

/// An .xls file holding these sheets.
pub fn xls(sheets: &[(&str, Vec<u8>)]) -> Vec<u8> {
    cfb(&workbook(sheets))
}

/// The same with the stream padded (with empty records of type 0 after the last EOF) to
/// 4,096 bytes or more, so that it lies in ordinary sectors: the FAT is sector 0, the
/// directory sector 1, the stream from sector 2 on.
pub fn xls_padded(sheets: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut stream = workbook(sheets);
    stream.resize(stream.len().max(4096), 0);
    cfb(&stream)
}

/// A 128-byte directory entry.
fn dir_entry(name: &str, kind: u8, child: u32, start: u32, size: u32) -> Vec<u8> {
    let mut e = vec![0u8; 128];
    let units: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    e[..units.len()].copy_from_slice(&units);
    if !name.is_empty() {
        e[64..66].copy_from_slice(&(units.len() as u16 + 2).to_le_bytes());
    }
    e[66] = kind;
    e[67] = 1; // black
    for at in [68, 72] {
        e[at..at + 4].copy_from_slice(&FREE.to_le_bytes()); // no siblings
    }
    e[76..80].copy_from_slice(&child.to_le_bytes());
    e[116..120].copy_from_slice(&start.to_le_bytes());
    e[120..124].copy_from_slice(&size.to_le_bytes());
    e
}

/// Sector numbers `first..first + n` chained in `fat`.
fn chain(fat: &mut [u32], first: usize, n: usize) {
    for (i, next) in fat[first..first + n].iter_mut().enumerate() {
        *next = if i + 1 < n {
            (first + i + 1) as u32
        } else {
            END
        };
    }
}

/// A compound file (version 3) whose only stream is `Workbook`: the FAT from sector 0,
/// then the directory, then (a stream under 4,096 bytes) the mini FAT and the mini
/// stream, or the stream.
pub fn cfb(stream: &[u8]) -> Vec<u8> {
    let mini = stream.len() < 4096;
    // Sectors after the FAT: directory, then (mini) the mini FAT and the mini stream, or
    // the stream itself.
    let data_bytes = if mini {
        stream.len().div_ceil(64) * 64
    } else {
        stream.len()
    };
    let data = data_bytes.div_ceil(512);
    let others = 1 + usize::from(mini) + data;
    let mut nfat = 1;
    while nfat * 128 < nfat + others {
        nfat += 1;
    }
    assert!(nfat <= 109, "the fixture has no DIFAT sectors");
    let total = nfat + others;
    let mut fat = vec![FREE; nfat * 128];
    fat[..nfat].fill(FAT_SECTOR);
    let dir = nfat;
    fat[dir] = END;
    let first_data = dir + 1 + usize::from(mini);
    chain(&mut fat, first_data, data);
    let (root_start, root_size, wb_start) = if mini {
        fat[dir + 1] = END;
        (first_data as u32, data_bytes as u32, 0)
    } else {
        (END, 0, first_data as u32)
    };

    let mut h = vec![0u8; 512];
    h[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let fields: [(usize, &[u8]); 10] = [
        (24, &0x003Eu16.to_le_bytes()),
        (26, &3u16.to_le_bytes()),
        (28, &0xFFFEu16.to_le_bytes()),
        (30, &9u16.to_le_bytes()),
        (32, &6u16.to_le_bytes()),
        (44, &(nfat as u32).to_le_bytes()),
        (48, &(dir as u32).to_le_bytes()),
        (56, &4096u32.to_le_bytes()),
        (64, &u32::from(mini).to_le_bytes()),
        (68, &END.to_le_bytes()),
    ];
    for (at, v) in fields {
        h[at..at + v.len()].copy_from_slice(v);
    }
    let mini_fat_start = if mini { dir as u32 + 1 } else { END };
    h[60..64].copy_from_slice(&mini_fat_start.to_le_bytes());
    for i in 0..109 {
        let id = if i < nfat { i as u32 } else { FREE };
        h[76 + 4 * i..80 + 4 * i].copy_from_slice(&id.to_le_bytes());
    }

    let mut out = h;
    out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    let mut dirs = dir_entry("Root Entry", 5, 1, root_start, root_size);
    dirs.extend(dir_entry(
        "Workbook",
        2,
        FREE,
        wb_start,
        stream.len() as u32,
    ));
    dirs.extend(dir_entry("", 0, FREE, 0, 0));
    dirs.extend(dir_entry("", 0, FREE, 0, 0));
    out.extend(dirs);
    if mini {
        let mut minifat = vec![FREE; 128];
        chain(&mut minifat, 0, data_bytes / 64);
        out.extend(minifat.iter().flat_map(|v| v.to_le_bytes()));
    }
    out.extend(stream);
    out.resize(512 * (1 + total), 0);
    out
}
