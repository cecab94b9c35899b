//! Text in CP932 (Shift_JIS as Windows writes it) for CSV and shapefile attributes. A
//! character CP932 cannot hold (𠮷, 𩸽, emoji, …) becomes 〓 (the geta mark, as Japanese
//! systems print an unmappable character), and the caller lists it in the export's report.
//! Truncation to a byte length never cuts a two-byte character in half.

use encoding_rs::{EncoderResult, SHIFT_JIS};

/// 〓 in CP932.
const GETA: [u8; 2] = [0x81, 0xAC];

/// `text` in CP932, appended to `out`; returns the characters replaced with 〓.
pub fn encode_into(text: &str, out: &mut Vec<u8>) -> Vec<char> {
    encode_limited(text, out, usize::MAX)
}

/// Like [`encode_into`], writing at most `max` bytes: the text is cut before the first
/// character that would not fit whole.
pub fn encode_limited(text: &str, out: &mut Vec<u8>, max: usize) -> Vec<char> {
    let mut replaced = Vec::new();
    let mut encoder = SHIFT_JIS.new_encoder();
    let mut buf = [0u8; 8];
    let mut used = 0usize;
    for c in text.chars() {
        let mut s = [0u8; 4];
        let piece = c.encode_utf8(&mut s);
        let (result, _, written) =
            encoder.encode_from_utf8_without_replacement(piece, &mut buf, false);
        let bytes: &[u8] = match result {
            EncoderResult::Unmappable(_) => &GETA,
            _ => &buf[..written],
        };
        if used + bytes.len() > max {
            break;
        }
        if matches!(result, EncoderResult::Unmappable(_)) {
            replaced.push(c);
        }
        used += bytes.len();
        out.extend_from_slice(bytes);
    }
    replaced
}

/// `text` in CP932 (a convenience for whole files).
pub fn encode(text: &str) -> (Vec<u8>, Vec<char>) {
    let mut out = Vec::with_capacity(text.len());
    let replaced = encode_into(text, &mut out);
    (out, replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmappable_characters_become_geta_and_are_reported() {
        let (bytes, replaced) = encode("吉田と𠮷田😀");
        assert_eq!(replaced, vec!['𠮷', '😀']);
        let (back, _, bad) = SHIFT_JIS.decode(&bytes);
        assert!(!bad);
        assert_eq!(back, "吉田と〓田〓");
    }

    #[test]
    fn the_extensions_windows_writes_are_kept() {
        // NEC and IBM extensions (①, ㈱, 髙, 﨑) are in CP932.
        let (bytes, replaced) = encode("①㈱髙﨑");
        assert!(replaced.is_empty(), "{replaced:?}");
        assert_eq!(SHIFT_JIS.decode(&bytes).0, "①㈱髙﨑");
    }

    #[test]
    fn truncation_never_cuts_a_character() {
        let mut out = Vec::new();
        encode_limited("奈良市abc", &mut out, 5);
        assert_eq!(
            out.len(),
            4,
            "two 2-byte characters; the third would not fit"
        );
        let mut out = Vec::new();
        encode_limited("ab奈良", &mut out, 5);
        assert_eq!(SHIFT_JIS.decode(&out).0, "ab奈");
    }
}
