//! Compound words, in both directions: `heftruckchauffeur` ~ `heftruck chauffeur`.
//!
//! The lexicon is learned from the vocabularies themselves: every folded word that occurs in a
//! label, with how often. A word splits into parts that are each a known word of the same
//! language; Dutch may glue parts with a linking `s` or `e(n)` (`arbeid·s·bemiddelaar`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::Lang;

/// Parts shorter than this are not trusted: `ei`, `en`, `op` would split half the language.
const MIN_PART_CHARS: usize = 3;
/// More parts than this is rarely a real compound and mostly a coincidence of short words.
const MAX_PARTS: usize = 3;
/// Linking morphemes of Dutch compounds (tussenklanken).
const NL_LINKS: &[&str] = &["s", "en", "e"];

/// Known words per language, with their frequency in the vocabularies' labels.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Lexicon {
    words: HashMap<Lang, HashMap<String, u32>>,
}

impl Lexicon {
    /// Counts one occurrence of a folded word.
    pub fn add(&mut self, lang: Lang, folded: &str) {
        if folded.chars().count() >= MIN_PART_CHARS && folded.chars().all(char::is_alphabetic) {
            *self.words.entry(lang).or_default().entry(folded.to_string()).or_insert(0) += 1;
        }
    }

    /// How often a folded word occurs in `lang`'s labels.
    pub fn frequency(&self, lang: Lang, folded: &str) -> u32 {
        self.words
            .get(&lang)
            .and_then(|w| w.get(folded))
            .copied()
            .unwrap_or(0)
    }

    /// Whether the word is known in any language.
    pub fn contains_any(&self, folded: &str) -> bool {
        self.words.values().any(|w| w.contains_key(folded))
    }

    /// Number of distinct words known in `lang`.
    pub fn len(&self, lang: Lang) -> usize {
        self.words.get(&lang).map_or(0, HashMap::len)
    }

    pub fn is_empty(&self) -> bool {
        self.words.values().all(HashMap::is_empty)
    }

    /// Splits a folded word into two or three known words, or `None` when it is not a compound
    /// of known words. Among the possible splits the one with the fewest parts wins, then the one
    /// whose rarest part is most frequent (the least surprising reading).
    pub fn split(&self, lang: Lang, word: &str) -> Option<Vec<String>> {
        let known = self.words.get(&lang)?;
        let chars: Vec<char> = word.chars().collect();
        if chars.len() < 2 * MIN_PART_CHARS {
            return None;
        }
        let links: &[&str] = if lang == Lang::NL { NL_LINKS } else { &[] };
        let mut best: Option<(usize, u32, Vec<String>)> = None;
        let mut parts = Vec::new();
        split_from(known, links, &chars, 0, &mut parts, &mut best);
        best.map(|(_, _, parts)| parts)
    }
}

/// Depth-first search over split points; `best` keeps (parts, rarest frequency, parts).
fn split_from(
    known: &HashMap<String, u32>,
    links: &[&str],
    chars: &[char],
    start: usize,
    parts: &mut Vec<(String, u32)>,
    best: &mut Option<(usize, u32, Vec<String>)>,
) {
    if start == chars.len() {
        if parts.len() >= 2 {
            let rarest = parts.iter().map(|(_, f)| *f).min().unwrap_or(0);
            let better = match best {
                None => true,
                Some((n, f, _)) => parts.len() < *n || (parts.len() == *n && rarest > *f),
            };
            if better {
                *best = Some((parts.len(), rarest, parts.iter().map(|(p, _)| p.clone()).collect()));
            }
        }
        return;
    }
    if parts.len() == MAX_PARTS {
        return;
    }
    for end in (start + MIN_PART_CHARS)..=chars.len() {
        // The last part must reach the end; a whole word is no split.
        if start == 0 && end == chars.len() {
            continue;
        }
        let candidate: String = chars[start..end].iter().collect();
        let Some(&freq) = known.get(&candidate) else {
            continue;
        };
        parts.push((candidate, freq));
        split_from(known, links, chars, end, parts, best);
        // A linking morpheme may follow a part that is not the last one.
        if end < chars.len() {
            for link in links {
                let link_len = link.chars().count();
                let rest = &chars[end..];
                if rest.len() > link_len + MIN_PART_CHARS - 1
                    && rest.iter().take(link_len).copied().eq(link.chars())
                {
                    split_from(known, links, chars, end + link_len, parts, best);
                }
            }
        }
        parts.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(words: &[&str]) -> Lexicon {
        let mut lex = Lexicon::default();
        for w in words {
            lex.add(Lang::NL, w);
        }
        lex
    }

    #[test]
    fn splits_dutch_compounds_into_known_words() {
        let lex = lexicon(&["heftruck", "chauffeur", "arbeid", "bemiddelaar", "magazijn", "medewerker"]);
        assert_eq!(lex.split(Lang::NL, "heftruckchauffeur").unwrap(), ["heftruck", "chauffeur"]);
        assert_eq!(lex.split(Lang::NL, "magazijnmedewerker").unwrap(), ["magazijn", "medewerker"]);
    }

    #[test]
    fn handles_the_linking_s() {
        let lex = lexicon(&["arbeid", "bemiddelaar"]);
        assert_eq!(lex.split(Lang::NL, "arbeidsbemiddelaar").unwrap(), ["arbeid", "bemiddelaar"]);
    }

    #[test]
    fn unknown_or_whole_words_do_not_split() {
        let lex = lexicon(&["heftruck", "chauffeur"]);
        assert_eq!(lex.split(Lang::NL, "chauffeur"), None);
        assert_eq!(lex.split(Lang::NL, "lasser"), None);
        assert_eq!(lex.split(Lang::EN, "heftruckchauffeur"), None);
    }

    #[test]
    fn prefers_fewer_parts() {
        let lex = lexicon(&["boek", "houder", "hou", "der", "boekhouder", "programma"]);
        assert_eq!(lex.split(Lang::NL, "boekhouderprogramma").unwrap(), ["boekhouder", "programma"]);
    }
}
