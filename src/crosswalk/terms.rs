//! What the crosswalk compares: every label as a set of content terms (a stem in a language),
//! every concept as an idf-weighted profile of its labels and description, and the
//! Dutch–English [`Bridge`] learned from the concepts that carry labels in both languages.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::index::Catalog;
use crate::text::{self, Analyzer, Lang};
use crate::vocab::{ConceptIdx, LabelForm};

/// An interned (language, stem) pair.
pub type TermId = u32;

/// A sparse vector over terms, sorted by term, with unit length.
pub type Profile = Vec<(TermId, f32)>;

/// Description words count for less than label words in a profile: a description also talks
/// about the context of the work, a label only about the work.
const DESCRIPTION_WEIGHT: f32 = 0.5;

/// A translation is kept when its Dice coefficient reaches this value and the pair was seen in
/// at least [`BRIDGE_MIN_PAIRS`] concepts. 0.2 keeps `magazijn → warehouse` (Dice 0.58) and
/// `heftruck → forklift` while dropping the co-occurrences of frequent words (`medewerker →
/// worker` survives; `medewerker → food` does not).
const BRIDGE_MIN_DICE: f32 = 0.2;
const BRIDGE_MIN_PAIRS: u32 = 2;
/// Translations kept per term, best first.
const BRIDGE_MAX_TRANSLATIONS: usize = 3;

/// The interned terms with their surface forms and weights.
#[derive(Debug, Default)]
pub struct Terms {
    ids: HashMap<(Lang, String), TermId>,
    langs: Vec<Lang>,
    /// A folded word that has this stem, for queries written with translated words.
    surface: Vec<String>,
    idf: Vec<f32>,
}

impl Terms {
    fn intern(&mut self, lang: Lang, stem: &str, surface: &str) -> TermId {
        if let Some(&id) = self.ids.get(&(lang, stem.to_string())) {
            return id;
        }
        let id = self.langs.len() as TermId;
        self.ids.insert((lang, stem.to_string()), id);
        self.langs.push(lang);
        self.surface.push(surface.to_string());
        id
    }

    pub fn lang(&self, id: TermId) -> Lang {
        self.langs[id as usize]
    }

    pub fn surface(&self, id: TermId) -> &str {
        &self.surface[id as usize]
    }

    pub fn idf(&self, id: TermId) -> f32 {
        self.idf[id as usize]
    }
}

/// One analysed word: (stem, folded surface).
type Word = (String, String);

/// The content words of a text in `lang`: stop words dropped, compounds replaced by their parts
/// (so `heftruckchauffeur` and `heftruck chauffeur` have the same terms).
fn content_words(analyzer: &Analyzer, catalog: &Catalog, lang: Lang, text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    for folded in text::words(text) {
        if analyzer.is_stopword(lang, &folded) || folded.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        match catalog.lexicon.split(lang, &folded) {
            Some(parts) => out.extend(parts.into_iter().map(|p| (analyzer.stem(lang, &p), p))),
            None => out.push((analyzer.stem(lang, &folded), folded)),
        }
    }
    out
}

/// Every concept's label terms and profile, and the bridge.
#[derive(Debug, Default)]
pub struct TermModel {
    pub terms: Terms,
    /// Per concept, per label (position in `labels`): its sorted content terms.
    pub label_terms: Vec<Vec<Vec<TermId>>>,
    /// Per concept, per label: the folded label, for character similarity.
    pub folded_labels: Vec<Vec<String>>,
    /// Per concept: its labels and description as a unit-length idf-weighted vector.
    pub profiles: Vec<Profile>,
    pub bridge: Bridge,
}

impl TermModel {
    pub fn build(catalog: &Catalog, analyzer: &Analyzer) -> TermModel {
        let model = &catalog.model;
        // Analysis in parallel; interning after, in concept order, so ids are deterministic.
        type Analysed = (Vec<(Lang, Vec<Word>)>, Vec<(Lang, Vec<Word>)>);
        let analysed: Vec<Analysed> = model
            .concepts
            .par_iter()
            .map(|c| {
                let labels = c
                    .labels
                    .iter()
                    .map(|l| (l.lang, content_words(analyzer, catalog, l.lang, &l.text)))
                    .collect();
                let descriptions = c
                    .descriptions
                    .iter()
                    .map(|(lang, d)| (*lang, content_words(analyzer, catalog, *lang, d)))
                    .collect();
                (labels, descriptions)
            })
            .collect();
        let mut terms = Terms::default();
        let mut label_terms = Vec::with_capacity(analysed.len());
        let mut bags: Vec<HashMap<TermId, f32>> = Vec::with_capacity(analysed.len());
        for (labels, descriptions) in &analysed {
            let mut bag: HashMap<TermId, f32> = HashMap::new();
            let mut per_label = Vec::with_capacity(labels.len());
            for (lang, words) in labels {
                let mut ids: Vec<TermId> = words
                    .iter()
                    .map(|(s, f)| terms.intern(*lang, s, f))
                    .collect();
                for id in &ids {
                    *bag.entry(*id).or_insert(0.0) += 1.0;
                }
                ids.sort_unstable();
                ids.dedup();
                per_label.push(ids);
            }
            for (lang, words) in descriptions {
                for (s, f) in words {
                    *bag.entry(terms.intern(*lang, s, f)).or_insert(0.0) += DESCRIPTION_WEIGHT;
                }
            }
            label_terms.push(per_label);
            bags.push(bag);
        }
        let mut df = vec![0u32; terms.langs.len()];
        for bag in &bags {
            for id in bag.keys() {
                df[*id as usize] += 1;
            }
        }
        let n = bags.len().max(1) as f32;
        terms.idf = df
            .iter()
            .map(|&d| (1.0 + (n - d as f32 + 0.5) / (d as f32 + 0.5)).ln())
            .collect();
        let profiles = bags
            .into_iter()
            .map(|bag| {
                let mut v: Profile = bag
                    .into_iter()
                    .map(|(id, tf)| (id, (1.0 + tf.ln().max(0.0)) * terms.idf(id)))
                    .collect();
                normalise(&mut v);
                v
            })
            .collect();
        let bridge = Bridge::learn(catalog, &label_terms, &terms);
        let folded_labels = model
            .concepts
            .par_iter()
            .map(|c| c.labels.iter().map(|l| text::fold(&l.text)).collect())
            .collect();
        TermModel {
            terms,
            label_terms,
            folded_labels,
            profiles,
            bridge,
        }
    }

    /// The terms of a concept's label.
    pub fn label(&self, concept: ConceptIdx, label: usize) -> &[TermId] {
        &self.label_terms[concept as usize][label]
    }

    /// The folded text of a concept's label.
    pub fn folded(&self, concept: ConceptIdx, label: usize) -> &str {
        &self.folded_labels[concept as usize][label]
    }
}

/// Sorts by term and scales to unit length.
pub fn normalise(v: &mut Profile) {
    v.sort_unstable_by_key(|(id, _)| *id);
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, w) in v.iter_mut() {
            *w /= norm;
        }
    }
}

/// Cosine of two unit-length sparse vectors.
pub fn cosine(a: &Profile, b: &Profile) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// A bilingual word lexicon learned from the concepts that have labels in two languages: words
/// of the Dutch and the English labels of the same concept are aligned by how often they occur
/// together (Dice coefficient over concepts).
#[derive(Debug, Default)]
pub struct Bridge {
    translations: HashMap<TermId, Vec<(TermId, f32)>>,
}

impl Bridge {
    fn learn(catalog: &Catalog, label_terms: &[Vec<Vec<TermId>>], terms: &Terms) -> Bridge {
        let mut single: HashMap<TermId, u32> = HashMap::new();
        let mut pairs: HashMap<(TermId, TermId), u32> = HashMap::new();
        for (concept, labels) in catalog.model.concepts.iter().zip(label_terms) {
            let mut by_lang: Vec<(Lang, Vec<TermId>)> = Vec::new();
            for (label, ids) in concept.labels.iter().zip(labels) {
                if label.form == LabelForm::Hidden {
                    continue;
                }
                match by_lang.iter_mut().find(|(l, _)| *l == label.lang) {
                    Some((_, all)) => all.extend(ids),
                    None => by_lang.push((label.lang, ids.clone())),
                }
            }
            if by_lang.len() < 2 {
                continue;
            }
            for (_, ids) in &mut by_lang {
                ids.sort_unstable();
                ids.dedup();
                for id in ids.iter() {
                    *single.entry(*id).or_insert(0) += 1;
                }
            }
            for (a, (_, left)) in by_lang.iter().enumerate() {
                for (_, right) in &by_lang[a + 1..] {
                    for &x in left {
                        for &y in right {
                            *pairs.entry((x, y)).or_insert(0) += 1;
                            *pairs.entry((y, x)).or_insert(0) += 1;
                        }
                    }
                }
            }
        }
        let mut translations: HashMap<TermId, Vec<(TermId, f32)>> = HashMap::new();
        for ((x, y), n) in pairs {
            if n < BRIDGE_MIN_PAIRS {
                continue;
            }
            let dice = 2.0 * n as f32 / (single[&x] + single[&y]) as f32;
            if dice >= BRIDGE_MIN_DICE {
                translations.entry(x).or_default().push((y, dice));
            }
        }
        for list in translations.values_mut() {
            // Ties broken by the term's surface form, so the lexicon is the same on every run.
            list.sort_by(|a, b| {
                b.1.total_cmp(&a.1)
                    .then_with(|| terms.surface(a.0).cmp(terms.surface(b.0)))
            });
            list.truncate(BRIDGE_MAX_TRANSLATIONS);
        }
        Bridge { translations }
    }

    /// The translations of a term into `lang`, best first, with their Dice coefficients.
    pub fn translate<'a>(
        &'a self,
        terms: &'a Terms,
        term: TermId,
        lang: Lang,
    ) -> impl Iterator<Item = (TermId, f32)> + 'a {
        self.translations
            .get(&term)
            .into_iter()
            .flatten()
            .filter(move |(t, _)| terms.lang(*t) == lang)
            .copied()
    }

    /// Number of terms with at least one translation.
    pub fn len(&self) -> usize {
        self.translations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.translations.is_empty()
    }
}
