//! Text analysis shared by the index, the query side and the tagger.
//!
//! The chain is: Unicode words (UAX #29, `unicode-segmentation`) → NFKD with combining marks
//! removed (diacritic folding: `coördinator` → `coordinator`) → lower case → apostrophes dropped
//! (`programma's` → `programmas`). On top of the folded words sit the per-language stemmer
//! ([`Analyzer::stem`]) and the compound splitter ([`compound::Lexicon`]).

pub mod compound;
pub mod detect;
pub mod lang;

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

pub use compound::Lexicon;
pub use detect::detect;
pub use lang::Lang;

/// One word of a text: its folded form and where it stands in the original, in chars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub folded: String,
    /// Offset of the first char of the word in the original text (Unicode scalar values).
    pub start: usize,
    /// Offset one past the last char of the word (Unicode scalar values).
    pub end: usize,
}

/// Folds one word or phrase: NFKD, combining marks removed, lower case, apostrophes dropped.
pub fn fold(text: &str) -> String {
    text.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .filter(|c| !matches!(c, '\'' | '’' | '‘' | 'ʼ'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The folded words of `text` with their char offsets.
pub fn tokens(text: &str) -> Vec<Token> {
    // UAX #29 works on byte offsets; walk chars alongside to report char offsets.
    let mut out = Vec::new();
    let mut chars_before = 0usize;
    let mut bytes_seen = 0usize;
    for (byte_start, word) in text.unicode_word_indices() {
        chars_before += text[bytes_seen..byte_start].chars().count();
        let len = word.chars().count();
        let folded = fold(word);
        if !folded.is_empty() {
            out.push(Token {
                folded,
                start: chars_before,
                end: chars_before + len,
            });
        }
        chars_before += len;
        bytes_seen = byte_start + word.len();
    }
    out
}

/// The folded words of `text`, without offsets.
pub fn words(text: &str) -> Vec<String> {
    tokens(text).into_iter().map(|t| t.folded).collect()
}

/// How many edits a query word may be away from a label word and still match.
///
/// Short words get none: at three letters one edit turns most words into another real word.
/// The limits are a little stricter than Elasticsearch's `AUTO` fuzziness (3/6), since two-edit
/// automata are the slowest part of a query; with 4/8 the generated typo queries
/// (`skillbridge eval search`) keep recall@5 ≥ 0.996. Other limits were not compared.
pub fn typo_budget(word: &str) -> u8 {
    const ONE_EDIT_FROM: usize = 4;
    const TWO_EDITS_FROM: usize = 8;
    let len = word.chars().count();
    if len >= TWO_EDITS_FROM {
        2
    } else if len >= ONE_EDIT_FROM {
        1
    } else {
        0
    }
}

/// Per-language analysis: stemming and stop words.
pub struct Analyzer {
    stemmers: std::collections::HashMap<Lang, rust_stemmers::Stemmer>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    pub fn new() -> Self {
        let stemmers = Lang::ALL
            .iter()
            .filter_map(|lang| {
                lang.stemmer_algorithm()
                    .map(|a| (*lang, rust_stemmers::Stemmer::create(a)))
            })
            .collect();
        Analyzer { stemmers }
    }

    /// The stem of a folded word in `lang`; the word itself when the language has no stemmer.
    pub fn stem(&self, lang: Lang, folded: &str) -> String {
        match self.stemmers.get(&lang) {
            Some(stemmer) => stemmer.stem(folded).into_owned(),
            None => folded.to_string(),
        }
    }

    /// Whether a folded word carries no meaning of its own in `lang`.
    pub fn is_stopword(&self, lang: Lang, folded: &str) -> bool {
        lang.stopwords().binary_search(&folded).is_ok()
    }

    /// Whether a folded word only qualifies a job (`junior`, `m/v`, `internship`).
    pub fn is_filler(&self, lang: Lang, folded: &str) -> bool {
        lang.fillers().binary_search(&folded).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_diacritics_case_and_apostrophes() {
        assert_eq!(fold("Coördinator"), "coordinator");
        assert_eq!(fold("ÉCOLE"), "ecole");
        assert_eq!(fold("programma's"), "programmas");
        assert_eq!(fold("ﬁlm"), "film");
    }

    #[test]
    fn tokens_report_char_offsets_of_the_original() {
        let text = "Café-uitbater 👩‍🍳 en coördinator";
        let toks = tokens(text);
        let words: Vec<&str> = toks.iter().map(|t| t.folded.as_str()).collect();
        assert_eq!(words, ["cafe", "uitbater", "en", "coordinator"]);
        let chars: Vec<char> = text.chars().collect();
        for t in &toks {
            let quoted: String = chars[t.start..t.end].iter().collect();
            assert_eq!(fold(&quoted), t.folded);
        }
    }

    #[test]
    fn typo_budget_grows_with_word_length() {
        assert_eq!(typo_budget("las"), 0);
        assert_eq!(typo_budget("lasser"), 1);
        assert_eq!(typo_budget("heftruckchauffeur"), 2);
    }

    #[test]
    fn stemming_is_per_language() {
        let a = Analyzer::new();
        assert_eq!(a.stem(Lang::EN, "managing"), a.stem(Lang::EN, "manage"));
        assert_eq!(
            a.stem(Lang::NL, "boekhouders"),
            a.stem(Lang::NL, "boekhouder")
        );
        assert!(a.is_stopword(Lang::NL, "de"));
        assert!(!a.is_stopword(Lang::NL, "lasser"));
    }
}
