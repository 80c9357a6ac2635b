//! Language detection for the two languages of the account: Dutch or English.
//!
//! Counts the words of each language's function-word list in the text. Function words are the
//! most frequent words of any text, so a few sentences are enough; the lists are short and
//! chosen so that no word is in both (`in`, `is`, `of`, `we` count for neither).

use super::{tokens, Lang};

/// Frequent Dutch function words that are not English words. Sorted.
const NL_MARKERS: &[&str] = &[
    "aan", "als", "bij", "dat", "de", "deze", "die", "dit", "door", "een", "en", "er", "het",
    "hoe", "je", "jij", "kan", "kunnen", "leer", "met", "naar", "niet", "ook", "op", "te", "tot",
    "u", "uw", "van", "voor", "wat", "wij", "worden", "wordt", "zal", "zijn",
];
/// Frequent English function words that are not Dutch words. Sorted.
const EN_MARKERS: &[&str] = &[
    "a", "about", "and", "are", "be", "by", "can", "for", "from", "has", "have", "how", "learn",
    "on", "or", "our", "that", "the", "this", "to", "what", "which", "will", "with", "you", "your",
];

/// The language of `text` among Dutch and English, or `None` when the text has no function word
/// of either (a bare list of terms) or as many of each.
pub fn detect(text: &str) -> Option<Lang> {
    let (mut nl, mut en) = (0usize, 0usize);
    for token in tokens(text) {
        let word = token.folded.as_str();
        if NL_MARKERS.binary_search(&word).is_ok() {
            nl += 1;
        } else if EN_MARKERS.binary_search(&word).is_ok() {
            en += 1;
        }
    }
    match nl.cmp(&en) {
        std::cmp::Ordering::Greater => Some(Lang::NL),
        std::cmp::Ordering::Less => Some(Lang::EN),
        std::cmp::Ordering::Equal => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_lists_are_sorted() {
        for list in [NL_MARKERS, EN_MARKERS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    #[test]
    fn tells_dutch_from_english() {
        assert_eq!(
            detect("In deze opleiding leer je lassen met de MIG-techniek."),
            Some(Lang::NL)
        );
        assert_eq!(
            detect("In this course you learn to weld with the MIG technique."),
            Some(Lang::EN)
        );
        assert_eq!(detect("Python, SQL"), None);
    }
}
