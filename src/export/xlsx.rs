//! Excel (.xlsx, rust_xlsxwriter): the table on its first sheet with a styled, frozen
//! header and an autofilter, its columns sized to their text; numbers as numbers, dates as
//! dates, and text (codes included) as strings, so leading zeros stay and no cell is ever
//! evaluated as a formula. A second sheet, 条件, holds the conditions, the data's source
//! and who exported it; a bundle adds the map as a picture on a sheet of its own.

use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatBorder, Image, Workbook, Worksheet};

use super::{ExportError, Meta, Table, Values};

/// Excel's last row.
pub const MAX_ROWS: usize = 1_048_575;

/// A sheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .take(31)
        .collect();
    // The other sheets' names are taken.
    if clean.trim().is_empty() || clean == "条件" || clean == "地図" {
        format!("結果_{clean}").chars().take(31).collect()
    } else {
        clean
    }
}

/// The workbook: the table, 条件, and `map` (a PNG) on a sheet 地図.
pub fn to_bytes(table: &Table, meta: &Meta, map: Option<&[u8]>) -> Result<Vec<u8>, ExportError> {
    if table.rows() > MAX_ROWS {
        return Err(rust_xlsxwriter::XlsxError::RowColumnLimitError.into());
    }
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x1F4E79))
        .set_font_color(Color::White)
        .set_border(FormatBorder::Thin);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let float = Format::new().set_num_format("0.0##");
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(&meta.shown_title()))?;
    data_sheet(ws, table, &header, &date, &float)?;
    let ws = wb.add_worksheet();
    ws.set_name("条件")?;
    conditions_sheet(ws, meta, &header)?;
    if let Some(png) = map {
        let ws = wb.add_worksheet();
        ws.set_name("地図")?;
        ws.write_string_with_format(0, 0, meta.shown_title(), &Format::new().set_bold())?;
        // Shown about as wide as a screen, the pixels kept for zooming and printing.
        let img = Image::new_from_buffer(png)?.set_scale_to_size(1400, 990, true);
        ws.insert_image(2, 0, &img)?;
    }
    Ok(wb.save_to_buffer()?)
}

fn data_sheet(
    ws: &mut Worksheet,
    table: &Table,
    header: &Format,
    date: &Format,
    float: &Format,
) -> Result<(), ExportError> {
    let widths = table.widths();
    for (c, col) in table.columns.iter().enumerate() {
        let c16 = c as u16;
        ws.write_string_with_format(0, c16, &col.name, header)?;
        let w = widths.get(c).copied().unwrap_or(8).clamp(6, 60) as f64 + 2.0;
        ws.set_column_width(c16, w)?;
        for r in 0..col.values.len() {
            let row = (r + 1) as u32;
            match &col.values {
                Values::Int(v) => {
                    if let Some(n) = v[r] {
                        ws.write_number(row, c16, n as f64)?;
                    }
                }
                Values::Float(v) => {
                    if let Some(f) = v[r].filter(|f| f.is_finite()) {
                        ws.write_number_with_format(row, c16, f, float)?;
                    }
                }
                Values::Flag(v) => {
                    if let Some(b) = v[r] {
                        ws.write_boolean(row, c16, b)?;
                    }
                }
                Values::Date(v) => {
                    use chrono::Datelike;
                    // Excel's dates start in 1900: an earlier one stays text.
                    match v[r] {
                        Some(d) if d.year() >= 1900 => {
                            let dt = ExcelDateTime::from_ymd(
                                d.year() as u16,
                                d.month() as u8,
                                d.day() as u8,
                            )?;
                            ws.write_datetime_with_format(row, c16, &dt, date)?;
                        }
                        Some(_) => {
                            ws.write_string(row, c16, col.values.text(r))?;
                        }
                        None => {}
                    }
                }
                Values::Text(v) => {
                    if let Some(t) = &v[r] {
                        ws.write_string(row, c16, t)?;
                    }
                }
            }
        }
    }
    if !table.columns.is_empty() {
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(
            0,
            0,
            table.rows().max(1) as u32,
            (table.columns.len() - 1) as u16,
        )?;
    }
    Ok(())
}

fn conditions_sheet(ws: &mut Worksheet, meta: &Meta, header: &Format) -> Result<(), ExportError> {
    ws.write_string_with_format(0, 0, "項目", header)?;
    ws.write_string_with_format(0, 1, "内容", header)?;
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 100)?;
    let bold = Format::new()
        .set_bold()
        .set_font_color(Color::RGB(0xC00000));
    for (i, (k, v)) in meta.lines().into_iter().enumerate() {
        let row = (i + 1) as u32;
        if k == super::meta::CAUTION {
            ws.write_string_with_format(row, 0, &k, &bold)?;
            ws.write_string_with_format(row, 1, &v, &bold)?;
        } else {
            ws.write_string(row, 0, &k)?;
            ws.write_string(row, 1, &v)?;
        }
    }
    Ok(())
}
