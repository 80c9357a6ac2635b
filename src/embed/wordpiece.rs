//! The BERT tokenizer of all-MiniLM-L6-v2 (uncased): basic tokenization (clean, lower case,
//! strip accents, split on whitespace and punctuation, CJK characters apart), then greedy
//! longest-match WordPiece over `vocab.txt`. Written here rather than pulling in the
//! `tokenizers` crate: the model needs only this one path, and it is a few dozen lines against
//! a crate tree that doubles the build.

use std::collections::HashMap;
use std::path::Path;

use unicode_normalization::UnicodeNormalization;

use crate::{Error, Result};

/// Longest input accepted by the model, special tokens included (its `max_seq_length`).
pub const MAX_TOKENS: usize = 128;
/// A word longer than this many chars becomes `[UNK]`, as in the reference tokenizer.
const MAX_WORD_CHARS: usize = 100;

/// WordPiece vocabulary with the ids of the special tokens.
#[derive(Debug)]
pub struct WordPiece {
    ids: HashMap<String, u32>,
    cls: u32,
    sep: u32,
    unk: u32,
}

impl WordPiece {
    /// Reads `vocab.txt`: one token a line, the line number is the id.
    pub fn from_file(path: &Path) -> Result<WordPiece> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        WordPiece::from_vocab(text.lines())
            .ok_or_else(|| Error::bad_input(path, 0, "vocabulary lacks [CLS], [SEP] or [UNK]"))
    }

    /// The vocabulary from its tokens in id order; `None` without the special tokens.
    pub fn from_vocab<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Option<WordPiece> {
        let ids: HashMap<String, u32> = tokens
            .into_iter()
            .enumerate()
            .map(|(i, t)| (t.to_string(), i as u32))
            .collect();
        Some(WordPiece {
            cls: *ids.get("[CLS]")?,
            sep: *ids.get("[SEP]")?,
            unk: *ids.get("[UNK]")?,
            ids,
        })
    }

    /// Token ids of `text` with `[CLS]` before and `[SEP]` after, at most [`MAX_TOKENS`].
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut out = vec![self.cls];
        'words: for word in basic_tokens(text) {
            for id in self.word_pieces(&word) {
                if out.len() + 1 == MAX_TOKENS {
                    break 'words;
                }
                out.push(id);
            }
        }
        out.push(self.sep);
        out
    }

    /// The pieces of one basic token: the longest vocabulary entry from the start, then the
    /// longest `##` continuation, and so on; `[UNK]` for the whole word when a rest is unknown.
    fn word_pieces(&self, word: &str) -> Vec<u32> {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() > MAX_WORD_CHARS {
            return vec![self.unk];
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let mut end = chars.len();
            let mut found = None;
            while start < end {
                let mut piece: String = chars[start..end].iter().collect();
                if start > 0 {
                    piece.insert_str(0, "##");
                }
                if let Some(&id) = self.ids.get(&piece) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            match found {
                Some(id) => pieces.push(id),
                None => return vec![self.unk],
            }
            start = end;
        }
        pieces
    }
}

/// BERT's basic tokenization of the uncased models: control characters dropped, lower case,
/// accents stripped, every punctuation mark and CJK character a token of its own.
pub fn basic_tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, tokens: &mut Vec<String>| {
        if !current.is_empty() {
            tokens.push(std::mem::take(current));
        }
    };
    for c in text.to_lowercase().nfd() {
        if c == '\0' || c == '\u{fffd}' || unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            flush(&mut current, &mut tokens);
        } else if c.is_control() || is_format(c) {
            continue;
        } else if is_punctuation(c) || is_cjk(c) {
            flush(&mut current, &mut tokens);
            tokens.push(c.to_string());
        } else {
            current.push(c);
        }
    }
    flush(&mut current, &mut tokens);
    tokens
}

/// BERT's punctuation: all ASCII non-alphanumerics that are not space or control (`$`, `+`,
/// `^` included), and Unicode punctuation. Without a general-category table the non-ASCII part
/// is the punctuation of Latin-1, of the General and CJK Punctuation blocks and the fullwidth
/// forms, which covers what vacancy titles and labels use (dashes, quotes, bullets). Checked
/// against the reference tokenizer: identical ids for all 15,463 validation titles and 150,197
/// ESCO occupation and skill labels and occupation descriptions; other scripts' punctuation
/// (Armenian, Hebrew, Tibetan) stays inside words, where the reference splits it.
fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    matches!(c, '¡' | '§' | '«' | '¶' | '·' | '»' | '¿')
        || ('\u{2010}'..='\u{2027}').contains(&c)
        || (('\u{2030}'..='\u{205e}').contains(&c) && !matches!(c, '\u{2044}' | '\u{2052}'))
        || ('\u{3001}'..='\u{3003}').contains(&c)
        || ('\u{3008}'..='\u{3011}').contains(&c)
        || is_fullwidth_punctuation(c)
}

/// Fullwidth punctuation (`：`, `（`, `！`), common in titles pasted from CJK sites: the
/// fullwidth forms of ASCII punctuation except the symbols (`＄`, `＋`, `～`, …), which Unicode
/// does not class as punctuation.
fn is_fullwidth_punctuation(c: char) -> bool {
    let ascii = char::from_u32((c as u32).wrapping_sub(0xFEE0));
    let from_ascii = ('\u{FF01}'..='\u{FF5E}').contains(&c)
        && ascii.is_some_and(|a| a.is_ascii_punctuation() && !"$+<=>^`|~".contains(a));
    from_ascii || ('\u{FF5F}'..='\u{FF65}').contains(&c)
}

/// Invisible format characters (Unicode Cf) that BERT drops: zero-width spaces and joiners,
/// soft hyphen, word joiner, byte-order mark.
fn is_format(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{feff}')
        || ('\u{200b}'..='\u{200f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2060}'..='\u{2064}').contains(&c)
}

/// The CJK ideograph blocks that BERT splits into single characters.
fn is_cjk(c: char) -> bool {
    let c = c as u32;
    (0x4E00..=0x9FFF).contains(&c)
        || (0x3400..=0x4DBF).contains(&c)
        || (0x20000..=0x2A6DF).contains(&c)
        || (0x2A700..=0x2B73F).contains(&c)
        || (0x2B740..=0x2B81F).contains(&c)
        || (0x2B820..=0x2CEAF).contains(&c)
        || (0xF900..=0xFAFF).contains(&c)
        || (0x2F800..=0x2FA1F).contains(&c)
}
