//! Text encodings of input files: UTF-8 (with or without BOM) and CP932 (Windows-31J, what
//! KDB and most Japanese offices write). Detection looks at the first bytes; decoding
//! streams, so a large file never has to be held in memory twice.

use std::io::{self, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextEncoding {
    Utf8,
    Cp932,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Cp932 => "Shift_JIS (CP932)",
        }
    }
    /// Parses a CLI/profile value; `auto` is `None`.
    pub fn parse(s: &str) -> Result<Option<TextEncoding>, String> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "auto" => Ok(None),
            "utf8" | "utf8bom" => Ok(Some(TextEncoding::Utf8)),
            "cp932" | "sjis" | "shiftjis" | "windows31j" => Ok(Some(TextEncoding::Cp932)),
            _ => Err(format!(
                "文字コード「{s}」は指定できません。auto / cp932 / utf8 のいずれかを指定してください。"
            )),
        }
    }
}

/// Guesses the encoding from a sample of the file's first bytes.
pub fn detect(sample: &[u8]) -> TextEncoding {
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return TextEncoding::Utf8;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => TextEncoding::Utf8,
        // A sample cut inside a multi-byte character is still UTF-8.
        Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
        Err(_) => TextEncoding::Cp932,
    }
}

/// A reader that yields UTF-8, decoding CP932 on the fly or skipping a UTF-8 BOM.
/// Malformed input becomes U+FFFD, which the validator reports as 文字化け.
pub struct Utf8Reader<R> {
    inner: R,
    decoder: Option<encoding_rs::Decoder>,
    in_buf: Vec<u8>,
    in_start: usize,
    in_end: usize,
    eof: bool,
    bom_checked: bool,
    /// Decoded bytes that did not fit a caller's tiny buffer.
    spill: Vec<u8>,
    /// All input decoded and handed out.
    finished: bool,
}

impl<R: Read> Utf8Reader<R> {
    pub fn new(inner: R, encoding: TextEncoding) -> Self {
        let decoder = match encoding {
            TextEncoding::Cp932 => Some(encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling()),
            TextEncoding::Utf8 => None,
        };
        Utf8Reader {
            inner,
            decoder,
            in_buf: vec![0; 256 * 1024],
            in_start: 0,
            in_end: 0,
            eof: false,
            bom_checked: false,
            spill: Vec::new(),
            finished: false,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        if self.in_start > 0 {
            self.in_buf.copy_within(self.in_start..self.in_end, 0);
            self.in_end -= self.in_start;
            self.in_start = 0;
        }
        while !self.eof && self.in_end < self.in_buf.len() {
            let n = self.inner.read(&mut self.in_buf[self.in_end..])?;
            if n == 0 {
                self.eof = true;
            }
            self.in_end += n;
            if self.in_end >= 4 {
                break;
            }
        }
        if !self.bom_checked && (self.in_end >= 3 || self.eof) {
            self.bom_checked = true;
            if self.decoder.is_none() && self.in_buf[..self.in_end].starts_with(&[0xEF, 0xBB, 0xBF])
            {
                self.in_start = 3;
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if !self.spill.is_empty() {
            let k = self.spill.len().min(out.len());
            out[..k].copy_from_slice(&self.spill[..k]);
            self.spill.drain(..k);
            return Ok(k);
        }
        if self.finished {
            return Ok(0);
        }
        if self.decoder.is_some() && out.len() < 4 {
            // The decoder needs room for a whole character: decode into a spare buffer.
            let mut tmp = [0u8; 4];
            let n = self.read(&mut tmp)?;
            let k = n.min(out.len());
            out[..k].copy_from_slice(&tmp[..k]);
            self.spill.extend_from_slice(&tmp[k..n]);
            return Ok(k);
        }
        loop {
            if self.in_start == self.in_end || !self.bom_checked {
                self.fill()?;
            }
            let input = &self.in_buf[self.in_start..self.in_end];
            match &mut self.decoder {
                None => {
                    let n = input.len().min(out.len());
                    out[..n].copy_from_slice(&input[..n]);
                    self.in_start += n;
                    if n == 0 && self.eof {
                        self.finished = true;
                    }
                    if n > 0 || self.eof {
                        return Ok(n);
                    }
                }
                Some(decoder) => {
                    // `last` may be passed only once all input is in the buffer; after a
                    // call with `last` that consumed everything, the decoder is spent.
                    let last = self.eof;
                    let (_res, read, written, _) = decoder.decode_to_utf8(input, out, last);
                    self.in_start += read;
                    if last && self.in_start == self.in_end {
                        self.finished = true;
                        return Ok(written);
                    }
                    if written > 0 {
                        return Ok(written);
                    }
                }
            }
        }
    }
}

/// Encodes text as CP932 for the demo writer and exports. Look-alike characters that CP932
/// lacks are mapped first (〜→～, −→－); anything still unencodable is an error, never a
/// silent `&#…;` reference.
pub fn encode_cp932(s: &str) -> Result<Vec<u8>, char> {
    let mapped: std::borrow::Cow<str> = if s
        .chars()
        .any(|c| matches!(c, '\u{301C}' | '\u{2212}' | '\u{2016}'))
    {
        s.chars()
            .map(|c| match c {
                '\u{301C}' => '\u{FF5E}',
                '\u{2212}' => '\u{FF0D}',
                '\u{2016}' => '\u{2225}',
                c => c,
            })
            .collect::<String>()
            .into()
    } else {
        s.into()
    };
    let mut encoder = encoding_rs::SHIFT_JIS.new_encoder();
    let mut out = Vec::with_capacity(mapped.len() * 2);
    let mut buf = [0u8; 1024];
    let mut input: &str = &mapped;
    loop {
        let (res, read, written) =
            encoder.encode_from_utf8_without_replacement(input, &mut buf, true);
        out.extend_from_slice(&buf[..written]);
        input = &input[read..];
        match res {
            encoding_rs::EncoderResult::InputEmpty => return Ok(out),
            encoding_rs::EncoderResult::OutputFull => continue,
            encoding_rs::EncoderResult::Unmappable(c) => return Err(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_and_decodes_cp932() {
        let bytes = encode_cp932("被保険者ID,氏名\r\n1,髙橋 﨑子 ①\r\n").unwrap();
        assert_eq!(detect(&bytes), TextEncoding::Cp932);
        let mut s = String::new();
        Utf8Reader::new(&bytes[..], TextEncoding::Cp932)
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "被保険者ID,氏名\r\n1,髙橋 﨑子 ①\r\n");
    }

    #[test]
    fn strips_utf8_bom() {
        let bytes = b"\xEF\xBB\xBFa,b\r\n".to_vec();
        assert_eq!(detect(&bytes), TextEncoding::Utf8);
        let mut s = String::new();
        Utf8Reader::new(&bytes[..], TextEncoding::Utf8)
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "a,b\r\n");
    }

    #[test]
    fn a_file_cut_inside_a_character_reads_to_the_end_once() {
        let mut bytes = encode_cp932("a,髙橋\r\n").unwrap();
        bytes.truncate(bytes.len() - 3); // cut inside 橋
        let mut r = Utf8Reader::new(&bytes[..], TextEncoding::Cp932);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "a,髙\u{FFFD}");
        // Reading again after the end stays at the end instead of reusing a spent decoder.
        assert_eq!(r.read(&mut [0u8; 16]).unwrap(), 0);
        assert_eq!(r.read(&mut [0u8; 2]).unwrap(), 0);
    }

    #[test]
    fn maps_look_alikes_and_refuses_the_rest() {
        assert!(encode_cp932("1〜2").is_ok());
        assert_eq!(encode_cp932("😀"), Err('😀'));
    }
}
