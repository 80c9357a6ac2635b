//! The Dutch → English word bridge: most ESCO skills have only English labels, so Dutch text
//! reaches them through stems translated word by word.
//!
//! The table is learned from the vocabularies themselves: every concept with both Dutch and
//! English labels (all ESCO occupations, ISCO and skill groups, the 2,218 Dutch-labelled skills) is
//! one aligned pair of word sets. A Dutch stem and an English stem that occur in the labels of the
//! same concepts much more often than by chance translate each other (`lass` ~ `weld`,
//! `boekhoud` ~ `account`); see [`Alignment::translations`]. The descriptions of
//! skills and groups, which ESCO gives in both languages, are aligned the same way, with less
//! weight.

use std::collections::{HashMap, HashSet};

use crate::index::Catalog;
use crate::text::{self, Analyzer, Lang};
use crate::vocab::{ConceptIdx, Kind};

/// A pair must share this many concepts: one shared label is a coincidence of that label.
/// Descriptions have many more words per concept, so more coincidences.
const MIN_SHARED_LABELS: u32 = 2;
const MIN_SHARED_DESCRIPTIONS: u32 = 3;
/// Added to the Dice denominator so that two rare words seen together twice (`lass` ~ `butt`
/// from `stuiklassen` ~ `butt welding`) do not outrank a frequent, consistent pair (`lass` ~
/// `weld`): without it, every pair seen exactly in the same two concepts scores 1.
const DICE_SMOOTHING: f32 = 4.0;
/// A Dutch stem linked to an English one in fewer of its concepts than this is noise (judgement).
const MIN_LINK_SHARE: f32 = 0.15;
/// A best link share from here on counts as a full translation; below, the square root of the
/// proportion, so that a stem whose links are split over near-synonyms still translates
/// (judgement; on the Dutch check precision@10 went from 8.7 to 8.8 against a linear scale).
const CONFIDENT_SHARE: f32 = 0.5;
/// Translations kept per Dutch stem; a word rarely has more than two good English renderings,
/// and each further one costs tagging time (3 took the sample course from 7.4 to 10.1 ms median
/// for the same Dutch precision@10, 13.4).
const MAX_TRANSLATIONS: usize = 2;
/// Descriptions are longer and looser than labels: their pairs count this much of a label pair
/// (judgement).
const DESCRIPTION_WEIGHT: f32 = 0.8;
/// Stems shorter than this are mostly abbreviations and leftovers of stemming (`ict`, `a`).
const MIN_STEM_CHARS: usize = 3;

/// Dutch stem → English stems, each with a confidence in (0, 1].
#[derive(Debug, Default)]
pub struct Bridge {
    translations: HashMap<String, Vec<(String, f32)>>,
}

impl Bridge {
    /// Learns the table from the concepts that have labels (and descriptions) in both languages.
    pub fn learn(catalog: &Catalog, analyzer: &Analyzer) -> Bridge {
        let mut from_labels = Alignment::default();
        let mut sides: HashMap<ConceptIdx, (HashSet<String>, HashSet<String>)> = HashMap::new();
        for label in &catalog.labels {
            let lang = catalog.model.concept(label.concept).labels[label.label as usize].lang;
            if lang != Lang::NL && lang != Lang::EN {
                continue;
            }
            let side = sides.entry(label.concept).or_default();
            let set = if lang == Lang::NL {
                &mut side.0
            } else {
                &mut side.1
            };
            for word in label.words.iter().filter(|w| !w.stopword) {
                set.insert(word.stem.clone());
                // Dutch compounds carry several English words: `lasapparatuur` ~ `welding equipment`.
                for part in &word.parts {
                    set.insert(analyzer.stem(lang, part));
                }
            }
        }
        for (nl, en) in sides.values() {
            from_labels.add(nl, en);
        }
        // Descriptions of skills and groups, not of occupations: the Dutch check tags the
        // occupations' descriptions, and a bridge learned from them would flatter it.
        let mut from_descriptions = Alignment::default();
        for concept in catalog
            .model
            .concepts
            .iter()
            .filter(|c| c.kind != Kind::Occupation)
        {
            let (Some(nl), Some(en)) = (
                concept.descriptions.get(&Lang::NL),
                concept.descriptions.get(&Lang::EN),
            ) else {
                continue;
            };
            let stems = |lang: Lang, description: &str| -> HashSet<String> {
                text::words(description)
                    .into_iter()
                    .filter(|w| !analyzer.is_stopword(lang, w))
                    .map(|w| analyzer.stem(lang, &w))
                    .collect()
            };
            from_descriptions.add(&stems(Lang::NL, nl), &stems(Lang::EN, en));
        }
        let mut translations: HashMap<String, Vec<(String, f32)>> = HashMap::new();
        for (source, weight, min_shared) in [
            (from_labels, 1.0, MIN_SHARED_LABELS),
            (
                from_descriptions,
                DESCRIPTION_WEIGHT,
                MIN_SHARED_DESCRIPTIONS,
            ),
        ] {
            for (n, e, share) in source.translations(min_shared) {
                let list = translations.entry(n).or_default();
                match list.iter_mut().find(|(x, _)| *x == e) {
                    Some(existing) => existing.1 = existing.1.max(share * weight),
                    None => list.push((e, share * weight)),
                }
            }
        }
        for list in translations.values_mut() {
            list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            list.truncate(MAX_TRANSLATIONS);
            // Near-synonyms split a stem's links (`las` → `weld`, `welder`, `arc`): the best
            // translation counts in full once it is confident, the others relative to it.
            let best = list.first().map_or(1.0, |(_, share)| *share);
            for (_, share) in list.iter_mut() {
                *share = (*share / best) * (best / CONFIDENT_SHARE).min(1.0).sqrt();
            }
        }
        Bridge { translations }
    }

    /// The English stems a Dutch stem translates to, most confident first.
    pub fn translate(&self, dutch_stem: &str) -> &[(String, f32)] {
        self.translations
            .get(&dutch_key(dutch_stem))
            .map_or(&[], Vec::as_slice)
    }

    /// Number of Dutch stems with a translation.
    pub fn len(&self) -> usize {
        self.translations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.translations.is_empty()
    }
}

/// A Dutch stem with a doubled final consonant undoubled: Snowball leaves `lassen` as `lass`
/// while the compound part is `las` (`lasapparatuur`), and only the second is frequent enough in
/// the labels to learn that it means `weld`.
fn dutch_key(stem: &str) -> String {
    let mut chars: Vec<char> = stem.chars().collect();
    if let [.., a, b] = chars[..] {
        if a == b && a.is_alphabetic() && !"aeiou".contains(a) {
            chars.pop();
        }
    }
    chars.into_iter().collect()
}

/// Co-occurrence counts of Dutch and English stems over aligned concepts.
#[derive(Debug, Default)]
struct Alignment {
    concepts: Vec<(Vec<String>, Vec<String>)>,
    dutch: HashMap<String, u32>,
    english: HashMap<String, u32>,
    pairs: HashMap<(String, String), u32>,
}

impl Alignment {
    /// Counts one concept: the stems of its Dutch side and of its English side.
    fn add(&mut self, nl: &HashSet<String>, en: &HashSet<String>) {
        let mut nl: Vec<String> = nl
            .iter()
            .map(|s| dutch_key(s))
            .filter(|s| s.chars().count() >= MIN_STEM_CHARS)
            .collect();
        nl.sort_unstable();
        nl.dedup();
        let en: Vec<String> = en
            .iter()
            .filter(|s| s.chars().count() >= MIN_STEM_CHARS)
            .cloned()
            .collect();
        if nl.is_empty() || en.is_empty() {
            return;
        }
        for n in &nl {
            *self.dutch.entry(n.clone()).or_insert(0) += 1;
        }
        for e in &en {
            *self.english.entry(e.clone()).or_insert(0) += 1;
        }
        for n in &nl {
            for e in &en {
                *self.pairs.entry((n.clone(), e.clone())).or_insert(0) += 1;
            }
        }
        self.concepts.push((nl, en));
    }

    /// Translations by competitive linking (Melamed 2000): within each concept, pairs are linked
    /// one to one, strongest association (smoothed Dice) first, so that `lass` links to `weld`
    /// once `stuik` has taken `butt` in `stuiklassen` ~ `butt welding`. A translation's
    /// confidence is the share of the Dutch stem's concepts in which it was linked to it.
    fn translations(self, min_shared: u32) -> impl Iterator<Item = (String, String, f32)> {
        let association = |n: &String, e: &String| -> f32 {
            let shared = self
                .pairs
                .get(&(n.clone(), e.clone()))
                .copied()
                .unwrap_or(0);
            if shared < min_shared {
                return 0.0;
            }
            2.0 * shared as f32 / ((self.dutch[n] + self.english[e]) as f32 + DICE_SMOOTHING)
        };
        let mut links: HashMap<(String, String), u32> = HashMap::new();
        for (nl, en) in &self.concepts {
            let mut candidates: Vec<(f32, &String, &String)> = nl
                .iter()
                .flat_map(|n| en.iter().map(move |e| (n, e)))
                .map(|(n, e)| (association(n, e), n, e))
                .filter(|(a, _, _)| *a > 0.0)
                .collect();
            candidates.sort_by(|a, b| {
                b.0.total_cmp(&a.0)
                    .then_with(|| (a.1, a.2).cmp(&(b.1, b.2)))
            });
            let mut linked_nl: HashSet<&String> = HashSet::new();
            let mut linked_en: HashSet<&String> = HashSet::new();
            for (_, n, e) in candidates {
                if !linked_nl.contains(n) && !linked_en.contains(e) {
                    linked_nl.insert(n);
                    linked_en.insert(e);
                    *links.entry((n.clone(), e.clone())).or_insert(0) += 1;
                }
            }
        }
        let dutch = self.dutch;
        links.into_iter().filter_map(move |((n, e), linked)| {
            let share = linked as f32 / (dutch[&n] as f32 + 1.0);
            (linked >= min_shared && share >= MIN_LINK_SHARE).then_some((n, e, share))
        })
    }
}
