//! The Dutch → English word bridge: most ESCO skills have only English labels, so Dutch text
//! reaches them through stems translated word by word.
//!
//! The table is learned from the vocabularies themselves: every concept with both Dutch and
//! English labels (all ESCO occupations, ISCO and skill groups, the 2,218 Dutch-labelled skills) is
//! one aligned pair of word sets. A Dutch stem and an English stem that occur in the labels of the
//! same concepts much more often than by chance translate each other; the Dice coefficient over
//! concepts measures how much (`lass` ~ `weld`, `boekhoud` ~ `bookkeep`).

use std::collections::{HashMap, HashSet};

use crate::index::Catalog;
use crate::text::{Analyzer, Lang};
use crate::vocab::ConceptIdx;

/// A pair must share this many concepts: one shared label is a coincidence of that label.
const MIN_SHARED_CONCEPTS: u32 = 2;
/// Weaker pairs are noise; 0.15 keeps `lass` → `weld` and drops `lass` → `equip` (measured on the
/// Dutch occupation-description check, `skillbridge eval tag`).
const MIN_DICE: f32 = 0.15;
/// A Dice coefficient from here on counts as a full translation; weaker pairs count in proportion.
const CONFIDENT_DICE: f32 = 0.5;
/// Translations kept per Dutch stem; a word rarely has more than two good English renderings.
const MAX_TRANSLATIONS: usize = 3;
/// Stems shorter than this are mostly abbreviations and leftovers of stemming (`ict`, `a`).
const MIN_STEM_CHARS: usize = 3;

/// Dutch stem → English stems, each with a confidence in (0, 1].
#[derive(Debug, Default)]
pub struct Bridge {
    translations: HashMap<String, Vec<(String, f32)>>,
}

impl Bridge {
    /// Learns the table from the concepts that have labels in both languages.
    pub fn learn(catalog: &Catalog, analyzer: &Analyzer) -> Bridge {
        let mut sides: HashMap<ConceptIdx, (HashSet<String>, HashSet<String>)> = HashMap::new();
        for label in &catalog.labels {
            let lang = catalog.model.concept(label.concept).labels[label.label as usize].lang;
            if lang != Lang::NL && lang != Lang::EN {
                continue;
            }
            let side = sides.entry(label.concept).or_default();
            let set = if lang == Lang::NL { &mut side.0 } else { &mut side.1 };
            for word in label.words.iter().filter(|w| !w.stopword) {
                set.insert(word.stem.clone());
                // Dutch compounds carry several English words: `lasapparatuur` ~ `welding equipment`.
                for part in &word.parts {
                    set.insert(analyzer.stem(lang, part));
                }
            }
        }
        let mut dutch: HashMap<String, u32> = HashMap::new();
        let mut english: HashMap<String, u32> = HashMap::new();
        let mut pairs: HashMap<(String, String), u32> = HashMap::new();
        for (nl, en) in sides.values() {
            let nl: Vec<&String> = nl.iter().filter(|s| s.chars().count() >= MIN_STEM_CHARS).collect();
            let en: Vec<&String> = en.iter().filter(|s| s.chars().count() >= MIN_STEM_CHARS).collect();
            if nl.is_empty() || en.is_empty() {
                continue;
            }
            for n in &nl {
                *dutch.entry((*n).clone()).or_insert(0) += 1;
            }
            for e in &en {
                *english.entry((*e).clone()).or_insert(0) += 1;
            }
            for n in &nl {
                for e in &en {
                    *pairs.entry(((*n).clone(), (*e).clone())).or_insert(0) += 1;
                }
            }
        }
        let mut translations: HashMap<String, Vec<(String, f32)>> = HashMap::new();
        for ((n, e), shared) in pairs {
            if shared < MIN_SHARED_CONCEPTS {
                continue;
            }
            let dice = 2.0 * shared as f32 / (dutch[&n] + english[&e]) as f32;
            if dice >= MIN_DICE {
                translations.entry(n).or_default().push((e, (dice / CONFIDENT_DICE).min(1.0)));
            }
        }
        for list in translations.values_mut() {
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            list.truncate(MAX_TRANSLATIONS);
        }
        Bridge { translations }
    }

    /// The English stems a Dutch stem translates to, most confident first.
    pub fn translate(&self, dutch_stem: &str) -> &[(String, f32)] {
        self.translations.get(dutch_stem).map_or(&[], Vec::as_slice)
    }

    /// Number of Dutch stems with a translation.
    pub fn len(&self) -> usize {
        self.translations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.translations.is_empty()
    }
}
