//! Crosswalks: for a concept of one vocabulary, the concepts of another that mean the same, more,
//! less or something related, with a confidence and the evidence a reviewer needs.
//!
//! For a source concept and a target vocabulary:
//! 1. **Candidates** come from the search engine (each label of the source, and its preferred
//!    label translated over the [`terms::Bridge`] when the target lacks the source's language),
//!    from a profile retrieval over labels and descriptions, and — for skills and competences —
//!    from the skills of the occupations that the source's qualification maps to (structure).
//! 2. **Scoring** combines label similarity (idf-weighted overlap of analysed terms and
//!    normalised Levenshtein on the folded labels, or overlap through the bridge across
//!    languages), profile similarity (labels + description), structure (competences of a
//!    qualification aligned with the skills of an occupation; a competence's qualification mapped
//!    onto an occupation that needs the skill) and codes both sides carry (ISCO, ISCED-F).
//! 3. The **relation** follows the rule in [`relation::decide`].
//!
//! Curated mappings ([`curated`]) come first and replace computed ones to the same object.
//! Results are computed lazily and cached per (concept, target vocabulary); the output is the same
//! for the same inputs (candidates in id order, ties broken by id).

pub mod bench;
pub mod curated;
pub mod hits;
pub mod relation;
pub mod sssom;
pub mod terms;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use serde::Serialize;

pub use hits::{HitMapping, HitMappings};
pub use relation::{Relation, RelationFacts};
use terms::{cosine, normalise, Profile, TermId, TermModel};

use crate::search::{Engine, SearchRequest};
use crate::text::{self, Lang};
use crate::vocab::{Concept, ConceptIdx, Kind, LabelForm, Model};
use crate::{Error, Result};

/// Mappings kept per source concept and target vocabulary.
pub const MAX_MAPPINGS: usize = 5;
/// Below this a candidate is noise: on the VKS→ESCO sample no mapping under 0.2 was judged close.
pub const MIN_CONFIDENCE: f32 = 0.2;
/// A mapping at least this confident is "confident" in the coverage figures (closeMatch and up
/// starts at 0.55; 0.5 also counts the strong broad/narrow matches).
pub const CONFIDENT: f32 = 0.5;

/// Source labels sent to the search engine as queries, preferred first.
const MAX_QUERY_LABELS: usize = 4;
/// Hits taken from each engine query.
const ENGINE_CANDIDATES: usize = 10;
/// Candidates taken from the profile retrieval.
const PROFILE_CANDIDATES: usize = 15;
/// Search queries are cut to this many chars (the engine rejects longer ones).
const MAX_QUERY_CHARS: usize = 200;
/// Labels longer than this (VKS competences are sentences) are not sent to the engine, whose
/// typo-tolerant query costs milliseconds per long query; the profile retrieval finds their
/// candidates. Occupation titles and ESCO skill labels are shorter.
const MAX_QUERY_WORDS: usize = 6;

/// Weights of the lexical score: best label pair vs the whole profile (labels + description).
/// The profile carries the descriptions, which decide many ESCO→O*NET cases where titles differ.
const LABEL_SHARE: f32 = 0.65;
const PROFILE_SHARE: f32 = 0.35;
/// With the sentence-embedding model, two occupations' lexical score is mixed with their cosine
/// in meaning: `(1 − share) · lexical + share · cosine`. With the best cosine of their English
/// labels, ESCO→O*NET
/// (`eval crosswalk --quick`, Acc@1 / Acc@5): 0 → 27.0 / 44.6, 0.3 → 30.0 / 50.4, 0.5 → 30.2 /
/// 53.2, 0.7 → 30.6 / 54.4. 0.5 rather than 0.7: the share also sets the confidence, and so the
/// SKOS relation, and the relation thresholds were judged on lexical confidences; past 0.5 the
/// cosine alone (0.8–0.9 between related occupations) would push mappings to closeMatch.
/// Since the cosine is that of the two descriptions where both have one
/// ([`crate::embed::OccupationVectors::similarity`]): 0.35 → 33.5 / 56.3, 0.5 → 37.5 / 62.1,
/// 0.65 → 40.5 / 62.9, 0.7 → 41.5 / 63.3, 0.8 → 39.3 / 64.3, 0.95 → 35.5 / 62.9; kept at 0.5
/// for the same reason.
pub const SEMANTIC_SHARE: f32 = 0.5;
/// Within a same-language label pair: term overlap vs character similarity of the folded labels.
const OVERLAP_SHARE: f32 = 0.8;
/// An alternative label matching counts slightly less than a preferred one.
const ALTERNATIVE_LABEL_FACTOR: f32 = 0.95;
/// A match across languages through the learned lexicon is less certain than a direct one.
const BRIDGE_FACTOR: f32 = 0.85;
/// Full structural agreement (all competences aligned, the context maps onto an occupation that
/// needs the candidate skill, every sibling occupation maps onto the candidate) raises the lexical
/// score by this share. Multiplicative: structure alone, without lexical ground, maps nothing (an
/// additive 0.35 filled the competences with unrelated skills of the right occupation).
const STRUCTURE_WEIGHT: f32 = 0.5;
/// Sibling occupations (same broader ISCO group or occupation) whose best mapping votes.
const MAX_SIBLINGS: usize = 20;
/// Candidates (best lexical first) whose skill neighbourhoods are compared.
const STRUCTURE_CANDIDATES: usize = 12;
/// Skills of an occupation compared per candidate.
const MAX_ALIGNED_SKILLS: usize = 40;
/// Qualifications/occupations of a skill used as its context, essential ones first.
const MAX_CONTEXT: usize = 4;
/// Mappings of each context concept followed.
const CONTEXT_MAPPINGS: usize = 3;
/// Code schemes compared when both sides carry them.
const CODE_SCHEMES: [&str; 2] = ["isco", "isced_f"];
const CODE_AGREE_BONUS: f32 = 0.1;
const CODE_DISAGREE_FACTOR: f32 = 0.9;

/// Which parts of the scoring run; all on in the product, switched off one by one in
/// `skillbridge eval crosswalk` to measure what each adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Translate over the learned Dutch–English lexicon.
    pub bridge: bool,
    /// Use the occupation–skill neighbourhoods.
    pub structure: bool,
    /// Compare whole profiles (labels + descriptions), not only labels.
    pub profiles: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            bridge: true,
            structure: true,
            profiles: true,
        }
    }
}

/// Whether a mapping was computed or reviewed by a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, bincode::Encode, bincode::Decode)]
#[serde(rename_all = "lowercase")]
pub enum MappingSource {
    Computed,
    Curated,
}

/// A label of the subject that matched a label of the object.
#[derive(Debug, Clone, PartialEq, Serialize, bincode::Encode, bincode::Decode)]
pub struct LabelMatch {
    pub subject_label: String,
    pub object_label: String,
    /// `nl`, or `nl→en` when matched through the bilingual lexicon.
    pub languages: String,
    #[serde(serialize_with = "crate::json::three_decimals")]
    pub similarity: f32,
}

/// A skill of the subject aligned with a skill of the object.
#[derive(Debug, Clone, PartialEq, Serialize, bincode::Encode, bincode::Decode)]
pub struct Aligned {
    pub subject_skill: String,
    pub subject_skill_label: String,
    pub object_skill: String,
    pub object_skill_label: String,
}

/// Why a mapping was made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, bincode::Encode, bincode::Decode)]
pub struct Evidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<LabelMatch>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aligned: Vec<Aligned>,
    /// For skills: the qualification or occupation mapping that made the object a neighbour.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    #[serde(serialize_with = "crate::json::three_decimals")]
    pub lexical: f32,
    #[serde(serialize_with = "crate::json::three_decimals")]
    pub structure: f32,
    /// For curated mappings: the file and line, and the curator's comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curated: Option<String>,
}

/// One mapping from a subject concept to an object concept.
#[derive(Debug, Clone, PartialEq, Serialize, bincode::Encode, bincode::Decode)]
pub struct Mapping {
    pub subject: ConceptIdx,
    pub object: ConceptIdx,
    pub relation: Relation,
    #[serde(serialize_with = "crate::json::three_decimals")]
    pub confidence: f32,
    pub source: MappingSource,
    pub evidence: Evidence,
}

/// Lexical-only mappings feed the structure of others (aligned competences); full ones are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Stage {
    Lexical,
    Full,
}

/// The kinds a concept of `kind` is mapped onto.
pub fn counterpart_kinds(kind: Kind) -> &'static [Kind] {
    match kind {
        Kind::Occupation | Kind::Qualification => &[Kind::Occupation, Kind::Qualification],
        Kind::Skill | Kind::Knowledge | Kind::Competence => {
            &[Kind::Skill, Kind::Knowledge, Kind::Competence]
        }
        Kind::Group => &[Kind::Group],
    }
}

/// An inverted index over one vocabulary's concepts of some kinds, for profile retrieval.
type Postings = HashMap<TermId, Vec<(ConceptIdx, f32)>>;
/// Computed mappings by (subject, target vocabulary, stage).
type Memo = HashMap<(ConceptIdx, String, Stage), Arc<Vec<Mapping>>>;

/// The crosswalk service over an engine: one per process, shared behind an `Arc`.
pub struct Crosswalks {
    engine: Arc<Engine>,
    terms: TermModel,
    options: Options,
    curated: curated::Curated,
    postings: Mutex<HashMap<(String, Kind), Arc<Postings>>>,
    memo: Mutex<Memo>,
    /// The search box's link table, once warmed ([`hits::warm`]).
    hits: OnceLock<HitMappings>,
}

impl Crosswalks {
    /// Analyses every concept for comparison and learns the bridge (about a second on the full data).
    pub fn new(engine: Arc<Engine>, options: Options) -> Crosswalks {
        let terms = TermModel::build(engine.catalog(), engine.analyzer());
        tracing::info!(
            bridge_terms = terms.bridge.len(),
            "crosswalk terms analysed"
        );
        Crosswalks {
            engine,
            terms,
            options,
            curated: curated::Curated::default(),
            postings: Mutex::new(HashMap::new()),
            memo: Mutex::new(HashMap::new()),
            hits: OnceLock::new(),
        }
    }

    /// Forgets the mappings computed so far, for a change in how they are scored: `serve` calls it
    /// once the sentence vectors are in, so that an occupation mapping asked for while they were
    /// loading is scored with them from then on.
    pub fn forget_computed(&self) {
        self.memo.lock().expect("memo lock").clear();
    }

    /// Loads the curated mapping files of `dir` (`*.sssom.tsv`). A malformed file is skipped as a
    /// whole and returned as an error naming its file and line; the others load.
    pub fn load_curated(&mut self, dir: &Path) -> Vec<Error> {
        let errors = self.curated.load_dir(self.engine.model(), dir);
        self.memo.lock().expect("memo lock").clear();
        errors
    }

    /// Loads one curated file; nothing of it is kept when it has an error.
    pub fn load_curated_file(&mut self, path: &Path) -> Result<usize> {
        let n = self.curated.load_file(self.engine.model(), path)?;
        self.memo.lock().expect("memo lock").clear();
        Ok(n)
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn model(&self) -> &Model {
        self.engine.model()
    }

    /// The best confident mappings of every concept, for search hits; `None` while warming.
    pub fn hit_mappings(&self) -> Option<&HitMappings> {
        self.hits.get()
    }

    /// The options the mappings are computed with.
    pub fn options(&self) -> Options {
        self.options
    }

    /// Number of terms the learned bilingual lexicon translates.
    pub fn bridge_size(&self) -> usize {
        self.terms.bridge.len()
    }

    /// The mappings of one concept into `target`, curated first; checks the vocabulary.
    pub fn concept_mappings(&self, subject: ConceptIdx, target: &str) -> Result<Arc<Vec<Mapping>>> {
        self.engine.check_vocab(target)?;
        Ok(self.mappings(subject, target, Stage::Full))
    }

    /// The whole mapping set from `from` to `to`, subjects in id order; `kinds` filters the
    /// subjects (default: every kind but groups). Computed in parallel.
    pub fn crosswalk(&self, from: &str, to: &str, kinds: &[Kind]) -> Result<Vec<Mapping>> {
        self.engine.check_vocab(from)?;
        self.engine.check_vocab(to)?;
        let model = self.model();
        let subjects = self.subjects(from, kinds);
        // Occupations first: the skills' structure reads their mappings from the cache.
        let (heads, rest): (Vec<ConceptIdx>, Vec<ConceptIdx>) = subjects
            .iter()
            .partition(|&&i| !model.concept(i).kind.is_skill_like());
        heads.par_iter().for_each(|&s| {
            self.mappings(s, to, Stage::Full);
        });
        rest.par_iter().for_each(|&s| {
            self.mappings(s, to, Stage::Full);
        });
        Ok(subjects
            .iter()
            .flat_map(|&s| {
                self.mappings(s, to, Stage::Full)
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .collect())
    }

    /// The concepts of `from` of `kinds` (default: every kind but groups), in id order.
    fn subjects(&self, from: &str, kinds: &[Kind]) -> Vec<ConceptIdx> {
        let model = self.model();
        let mut subjects: Vec<ConceptIdx> = (0..model.concepts.len() as ConceptIdx)
            .filter(|&i| {
                let c = model.concept(i);
                c.vocab == from
                    && if kinds.is_empty() {
                        c.kind != Kind::Group
                    } else {
                        kinds.contains(&c.kind)
                    }
            })
            .collect();
        subjects.sort_by(|a, b| model.concept(*a).id.cmp(&model.concept(*b).id));
        subjects
    }

    /// The best mapping into each other vocabulary, for the concept view.
    pub fn best_mappings(&self, subject: ConceptIdx) -> Vec<Mapping> {
        let model = self.model();
        let own = &model.concept(subject).vocab;
        model
            .vocabularies
            .iter()
            .filter(|v| &v.id != own)
            .filter_map(|v| self.mappings(subject, &v.id, Stage::Full).first().cloned())
            .collect()
    }

    fn mappings(&self, subject: ConceptIdx, target: &str, stage: Stage) -> Arc<Vec<Mapping>> {
        let key = (subject, target.to_string(), stage);
        if let Some(found) = self.memo.lock().expect("memo lock").get(&key) {
            return found.clone();
        }
        let computed = self.compute(subject, target, stage);
        let merged = Arc::new(self.curated.apply(subject, target, self.model(), computed));
        self.memo
            .lock()
            .expect("memo lock")
            .insert(key, merged.clone());
        merged
    }

    fn compute(&self, subject: ConceptIdx, target: &str, stage: Stage) -> Vec<Mapping> {
        let model = self.model();
        let source = model.concept(subject);
        let Some(vocabulary) = model.vocabulary(target) else {
            return Vec::new();
        };
        if source.vocab == target {
            return Vec::new();
        }
        let kinds = counterpart_kinds(source.kind);
        let target_langs = &vocabulary.languages;
        let profile = self.source_profile(subject, target_langs);

        let mut candidates: BTreeSet<ConceptIdx> = BTreeSet::new();
        for query in self.queries(source, subject, target_langs) {
            let request = SearchRequest {
                text: query,
                lang: None,
                vocabs: vec![target.to_string()],
                kinds: kinds.to_vec(),
                limit: ENGINE_CANDIDATES,
                offset: 0,
            };
            if let Ok(hits) = self.engine.suggest(&request) {
                candidates.extend(hits.iter().map(|h| h.concept));
            }
        }
        for kind in kinds {
            candidates.extend(self.retrieve(&profile, target, *kind));
        }
        let mut context_support: BTreeMap<ConceptIdx, (f32, String)> = BTreeMap::new();
        if stage == Stage::Full && self.options.structure {
            context_support = if source.kind.is_skill_like() {
                self.context_support(source, target, kinds)
            } else {
                self.sibling_votes(subject, target)
            };
            candidates.extend(context_support.keys().copied());
        }

        let mut scored: Vec<Scored> = candidates
            .into_iter()
            .filter_map(|object| self.score_lexical(subject, object, &profile))
            .collect();
        scored.sort_by(|a, b| by_confidence(model, &a.mapping, &b.mapping));

        if stage == Stage::Full && self.options.structure {
            if !source.kind.is_skill_like() && !source.skills.is_empty() {
                for s in scored.iter_mut().take(STRUCTURE_CANDIDATES) {
                    self.align_skills(source, &mut s.mapping, target);
                }
            }
            for s in &mut scored {
                if let Some((support, why)) = context_support.get(&s.mapping.object) {
                    let e = &mut s.mapping.evidence;
                    e.structure = e.structure.max(*support);
                    e.context.push(why.clone());
                }
            }
        }
        let mut scored: Vec<Mapping> = scored.into_iter().map(|s| self.finish(s)).collect();
        sort_mappings(model, &mut scored);
        scored.retain(|m| m.confidence >= MIN_CONFIDENCE);
        scored.truncate(MAX_MAPPINGS);
        scored
    }

    /// The search-engine queries for a source: its labels, and its preferred label translated.
    fn queries(&self, source: &Concept, subject: ConceptIdx, target_langs: &[Lang]) -> Vec<String> {
        let mut labels: Vec<usize> = (0..source.labels.len())
            .filter(|&i| source.labels[i].form != LabelForm::Hidden)
            .collect();
        labels.sort_by_key(|&i| (source.labels[i].form != LabelForm::Preferred, i));
        let short = |i: &usize| self.terms.label(subject, *i).len() <= MAX_QUERY_WORDS;
        let mut queries: Vec<String> = labels
            .iter()
            .filter(|i| short(i))
            .take(MAX_QUERY_LABELS)
            .map(|&i| query_text(&source.labels[i].text))
            .collect();
        if self.options.bridge {
            if let Some(&i) = labels.first().filter(|i| short(i)) {
                let label = &source.labels[i];
                if !target_langs.contains(&label.lang) {
                    for lang in target_langs {
                        let words: Vec<&str> = self
                            .terms
                            .label(subject, i)
                            .iter()
                            .filter_map(|t| {
                                self.terms
                                    .bridge
                                    .translate(&self.terms.terms, *t, *lang)
                                    .next()
                            })
                            .map(|(t, _)| self.terms.terms.surface(t))
                            .collect();
                        if !words.is_empty() {
                            queries.push(query_text(&words.join(" ")));
                        }
                    }
                }
            }
        }
        queries
    }

    /// The subject's profile, with its terms also translated into the target's languages that
    /// the subject has no label in.
    fn source_profile(&self, subject: ConceptIdx, target_langs: &[Lang]) -> Profile {
        let own = &self.terms.profiles[subject as usize];
        if !self.options.bridge {
            return own.clone();
        }
        let mut weights: BTreeMap<TermId, f32> = own.iter().copied().collect();
        let source_langs: Vec<Lang> = self
            .model()
            .concept(subject)
            .labels
            .iter()
            .map(|l| l.lang)
            .collect();
        for lang in target_langs.iter().filter(|l| !source_langs.contains(l)) {
            for (term, w) in own {
                for (translated, dice) in
                    self.terms.bridge.translate(&self.terms.terms, *term, *lang)
                {
                    *weights.entry(translated).or_insert(0.0) += w * dice;
                }
            }
        }
        let mut v: Profile = weights.into_iter().collect();
        normalise(&mut v);
        v
    }

    /// The concepts of `target` of `kind` with the most similar profiles.
    fn retrieve(&self, profile: &Profile, target: &str, kind: Kind) -> Vec<ConceptIdx> {
        let postings = self.postings(target, kind);
        let mut scores: HashMap<ConceptIdx, f32> = HashMap::new();
        for (term, w) in profile {
            if let Some(list) = postings.get(term) {
                for (c, v) in list {
                    *scores.entry(*c).or_insert(0.0) += w * v;
                }
            }
        }
        let mut ranked: Vec<(ConceptIdx, f32)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
            .into_iter()
            .take(PROFILE_CANDIDATES)
            .map(|(c, _)| c)
            .collect()
    }

    fn postings(&self, target: &str, kind: Kind) -> Arc<Postings> {
        let key = (target.to_string(), kind);
        if let Some(p) = self.postings.lock().expect("postings lock").get(&key) {
            return p.clone();
        }
        let mut postings: Postings = HashMap::new();
        for (i, c) in self.model().concepts.iter().enumerate() {
            if c.vocab == target && c.kind == kind {
                for (term, w) in &self.terms.profiles[i] {
                    postings
                        .entry(*term)
                        .or_default()
                        .push((i as ConceptIdx, *w));
                }
            }
        }
        let postings = Arc::new(postings);
        self.postings
            .lock()
            .expect("postings lock")
            .insert(key, postings.clone());
        postings
    }

    /// Lexical score of one candidate, with the best label pair as evidence.
    fn score_lexical(
        &self,
        subject: ConceptIdx,
        object: ConceptIdx,
        profile: &Profile,
    ) -> Option<Scored> {
        let best = self.best_label_pair(subject, object);
        let label_similarity = best.as_ref().map_or(0.0, |b| b.similarity);
        let lexical = if self.options.profiles {
            LABEL_SHARE * label_similarity
                + PROFILE_SHARE * cosine(profile, &self.terms.profiles[object as usize])
        } else {
            label_similarity
        };
        if lexical <= 0.0 {
            return None;
        }
        let lexical = match self
            .engine
            .semantic()
            .and_then(|s| s.occupations.similarity(subject, object))
        {
            Some(cosine) => (1.0 - SEMANTIC_SHARE) * lexical + SEMANTIC_SHARE * cosine.max(0.0),
            None => lexical,
        };
        let containment = best.as_ref().map_or((false, false), |b| {
            (b.subject_inside_object, b.object_inside_subject)
        });
        Some(Scored {
            mapping: Mapping {
                subject,
                object,
                relation: Relation::Related,
                confidence: lexical,
                source: MappingSource::Computed,
                evidence: Evidence {
                    labels: best.map(|b| b.evidence),
                    lexical,
                    ..Default::default()
                },
            },
            subject_inside_object: containment.0,
            object_inside_subject: containment.1,
        })
    }

    fn best_label_pair(&self, subject: ConceptIdx, object: ConceptIdx) -> Option<LabelPair> {
        let model = self.model();
        let (s, o) = (model.concept(subject), model.concept(object));
        let mut best: Option<LabelPair> = None;
        for (i, ls) in s
            .labels
            .iter()
            .enumerate()
            .filter(|(_, l)| l.form != LabelForm::Hidden)
        {
            let a = self.terms.label(subject, i);
            for (j, lo) in o
                .labels
                .iter()
                .enumerate()
                .filter(|(_, l)| l.form != LabelForm::Hidden)
            {
                let b = self.terms.label(object, j);
                let (similarity, languages) = if ls.lang == lo.lang {
                    let overlap = self.overlap(a, b);
                    if overlap <= 0.0 {
                        // Labels without a common term are not the same words misspelt.
                        continue;
                    }
                    let chars = strsim::normalized_levenshtein(
                        self.terms.folded(subject, i),
                        self.terms.folded(object, j),
                    ) as f32;
                    (
                        OVERLAP_SHARE * overlap + (1.0 - OVERLAP_SHARE) * chars,
                        ls.lang.to_string(),
                    )
                } else if self.options.bridge {
                    (
                        BRIDGE_FACTOR * self.bridged_overlap(a, b, lo.lang),
                        format!("{}→{}", ls.lang, lo.lang),
                    )
                } else {
                    continue;
                };
                let form = if ls.form == LabelForm::Preferred && lo.form == LabelForm::Preferred {
                    1.0
                } else {
                    ALTERNATIVE_LABEL_FACTOR
                };
                let similarity = similarity * form;
                if similarity > best.as_ref().map_or(0.0, |b| b.evidence.similarity) {
                    best = Some(LabelPair {
                        evidence: LabelMatch {
                            subject_label: ls.text.clone(),
                            object_label: lo.text.clone(),
                            languages,
                            similarity: round3(similarity),
                        },
                        similarity,
                        subject_inside_object: ls.lang == lo.lang
                            && relation::strictly_inside(a, b),
                        object_inside_subject: ls.lang == lo.lang
                            && relation::strictly_inside(b, a),
                    });
                }
            }
        }
        best
    }

    /// idf-weighted Dice overlap of two term sets.
    fn overlap(&self, a: &[TermId], b: &[TermId]) -> f32 {
        let idf = |t: &TermId| self.terms.terms.idf(*t);
        let total: f32 = a.iter().map(idf).sum::<f32>() + b.iter().map(idf).sum::<f32>();
        if total <= 0.0 {
            return 0.0;
        }
        let matched: f32 = a
            .iter()
            .filter(|t| b.binary_search(t).is_ok())
            .map(idf)
            .sum::<f32>()
            + b.iter()
                .filter(|t| a.binary_search(t).is_ok())
                .map(idf)
                .sum::<f32>();
        matched / total
    }

    /// The same overlap with `a`'s terms translated into `lang`, each match weighted by its Dice.
    fn bridged_overlap(&self, a: &[TermId], b: &[TermId], lang: Lang) -> f32 {
        let terms = &self.terms.terms;
        let total: f32 = a.iter().chain(b).map(|t| terms.idf(*t)).sum();
        if total <= 0.0 {
            return 0.0;
        }
        let mut matched_b = vec![0f32; b.len()];
        let mut matched = 0.0;
        for t in a {
            let mut best = 0f32;
            for (u, dice) in self.terms.bridge.translate(terms, *t, lang) {
                if let Ok(pos) = b.binary_search(&u) {
                    best = best.max(dice);
                    matched_b[pos] = matched_b[pos].max(dice);
                }
            }
            matched += terms.idf(*t) * best.min(1.0);
        }
        matched += b
            .iter()
            .zip(&matched_b)
            .map(|(t, m)| terms.idf(*t) * m)
            .sum::<f32>();
        matched / total
    }

    /// Occupations and qualifications: how many of the subject's skills map (lexically) onto
    /// skills of the candidate.
    fn align_skills(&self, source: &Concept, m: &mut Mapping, target: &str) {
        let model = self.model();
        let object = model.concept(m.object);
        if object.skills.is_empty() {
            return;
        }
        let object_skills: BTreeSet<ConceptIdx> = object.skills.iter().map(|(s, _)| *s).collect();
        let compared: Vec<ConceptIdx> = source
            .skills
            .iter()
            .take(MAX_ALIGNED_SKILLS)
            .map(|(s, _)| *s)
            .collect();
        for skill in &compared {
            let mapped = self.mappings(*skill, target, Stage::Lexical);
            if let Some(hit) = mapped.iter().find(|x| object_skills.contains(&x.object)) {
                m.evidence.aligned.push(Aligned {
                    subject_skill: model.concept(*skill).id.clone(),
                    subject_skill_label: label_of(model.concept(*skill)),
                    object_skill: model.concept(hit.object).id.clone(),
                    object_skill_label: label_of(model.concept(hit.object)),
                });
            }
        }
        m.evidence.structure = m.evidence.aligned.len() as f32 / compared.len().max(1) as f32;
    }

    /// Skills and competences: the skills of the concepts that the subject's qualifications or
    /// occupations map to, with the confidence of that mapping and why.
    fn context_support(
        &self,
        source: &Concept,
        target: &str,
        kinds: &[Kind],
    ) -> BTreeMap<ConceptIdx, (f32, String)> {
        let model = self.model();
        let mut context: Vec<_> = source.required_by.clone();
        context.sort_by_key(|(c, r)| {
            (
                *r != crate::vocab::Relevance::Essential,
                model.concept(*c).id.clone(),
            )
        });
        let mut support: BTreeMap<ConceptIdx, (f32, String)> = BTreeMap::new();
        for (parent, _) in context.into_iter().take(MAX_CONTEXT) {
            let mapped = self.mappings(parent, target, Stage::Full);
            for pm in mapped.iter().take(CONTEXT_MAPPINGS) {
                let why = format!(
                    "{} ({}) maps to {} ({}), which needs it",
                    model.concept(parent).id,
                    label_of(model.concept(parent)),
                    model.concept(pm.object).id,
                    label_of(model.concept(pm.object)),
                );
                for (skill, _) in &model.concept(pm.object).skills {
                    if !kinds.contains(&model.concept(*skill).kind) {
                        continue;
                    }
                    let entry = support.entry(*skill).or_insert((0.0, String::new()));
                    if pm.confidence > entry.0 {
                        *entry = (pm.confidence, why.clone());
                    }
                }
            }
        }
        support
    }

    /// Occupations: the best lexical mappings of the sibling occupations (same broader group or
    /// occupation), as votes — "parents already mapped" read from below: where a group's members
    /// land, a member probably lands too.
    fn sibling_votes(
        &self,
        subject: ConceptIdx,
        target: &str,
    ) -> BTreeMap<ConceptIdx, (f32, String)> {
        let model = self.model();
        let source = model.concept(subject);
        let mut siblings: BTreeSet<ConceptIdx> = BTreeSet::new();
        for parent in &source.broader {
            siblings.extend(
                model
                    .concept(*parent)
                    .narrower
                    .iter()
                    .filter(|&&n| n != subject && model.concept(n).kind == source.kind),
            );
        }
        let siblings: Vec<ConceptIdx> = siblings.into_iter().take(MAX_SIBLINGS).collect();
        let mut votes: BTreeMap<ConceptIdx, (f32, usize)> = BTreeMap::new();
        for sibling in &siblings {
            if let Some(top) = self.mappings(*sibling, target, Stage::Lexical).first() {
                let v = votes.entry(top.object).or_insert((0.0, 0));
                v.0 += top.confidence;
                v.1 += 1;
            }
        }
        let n = siblings.len().max(1) as f32;
        votes
            .into_iter()
            .map(|(object, (sum, count))| {
                let why = format!("{count} of {} sibling occupations map here", siblings.len());
                (object, ((sum / n).min(1.0), why))
            })
            .collect()
    }

    /// Codes, confidence and relation.
    fn finish(&self, scored: Scored) -> Mapping {
        let mut m = scored.mapping;
        let model = self.model();
        let (s, o) = (model.concept(m.subject), model.concept(m.object));
        let mut bonus = 0.0;
        let mut factor = 1.0;
        for scheme in CODE_SCHEMES {
            if let (Some(a), Some(b)) = (s.code(scheme), o.code(scheme)) {
                if a.starts_with(b) || b.starts_with(a) {
                    bonus += CODE_AGREE_BONUS;
                    m.evidence.codes.push(format!("{scheme} {a} ~ {b}"));
                } else {
                    factor *= CODE_DISAGREE_FACTOR;
                }
            }
        }
        let structure = 1.0 + STRUCTURE_WEIGHT * m.evidence.structure;
        let confidence = ((m.evidence.lexical * structure + bonus) * factor).min(1.0);
        m.confidence = round3(confidence);
        m.evidence.lexical = round3(m.evidence.lexical);
        m.evidence.structure = round3(m.evidence.structure);
        m.relation = relation::decide(&RelationFacts {
            same_preferred_label: same_preferred_label(s, o),
            confidence: m.confidence,
            object_label_inside_subject: scored.object_inside_subject,
            subject_label_inside_object: scored.subject_inside_object,
            object_is_group: o.kind == Kind::Group && s.kind != Kind::Group,
        });
        m
    }
}

/// A candidate after lexical scoring, with the containment of its best label pair.
struct Scored {
    mapping: Mapping,
    subject_inside_object: bool,
    object_inside_subject: bool,
}

struct LabelPair {
    evidence: LabelMatch,
    similarity: f32,
    subject_inside_object: bool,
    object_inside_subject: bool,
}

/// Best first; ties by object id, so the output is the same on every run.
fn sort_mappings(model: &Model, mappings: &mut [Mapping]) {
    mappings.sort_by(|a, b| by_confidence(model, a, b));
}

fn by_confidence(model: &Model, a: &Mapping, b: &Mapping) -> std::cmp::Ordering {
    b.confidence
        .total_cmp(&a.confidence)
        .then_with(|| model.concept(a.object).id.cmp(&model.concept(b.object).id))
}

fn same_preferred_label(a: &Concept, b: &Concept) -> bool {
    a.labels
        .iter()
        .filter(|l| l.form == LabelForm::Preferred)
        .any(|la| {
            b.labels.iter().any(|lb| {
                lb.form == LabelForm::Preferred
                    && lb.lang == la.lang
                    && text::fold(&lb.text) == text::fold(&la.text)
            })
        })
}

/// A concept's preferred label in Dutch when it has one, else English, else any.
pub fn label_of(c: &Concept) -> String {
    c.preferred_label(Lang::NL)
        .map(|(l, _)| l.to_string())
        .unwrap_or_default()
}

fn query_text(label: &str) -> String {
    // A trailing space: the label is complete, not a prefix being typed.
    let mut text: String = label.chars().take(MAX_QUERY_CHARS).collect();
    text.push(' ');
    text
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// Parses a `min_confidence` parameter: a number from 0 to 1.
pub fn parse_min_confidence(text: Option<&str>) -> Result<f32> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(0.0),
        Some(raw) => raw
            .parse::<f32>()
            .ok()
            .filter(|c| (0.0..=1.0).contains(c))
            .ok_or_else(|| {
                Error::invalid(
                    "invalid_min_confidence",
                    format!("min_confidence must be a number from 0 to 1, got {raw:?}"),
                )
            }),
    }
}
