//! Suggest and search: query text → candidate labels from tantivy → ranked concepts.
//!
//! Tantivy finds candidate labels cheaply (exact words, stems, compound parts, typo-tolerant and
//! prefix automata); the ranker then scores each candidate label with the analysed words kept in
//! the catalog, so that every weight below is ours, named, and the same whatever tantivy's BM25
//! thinks of field lengths. Synchronous and free of HTTP; the API calls it in `spawn_blocking`.

use std::collections::{BTreeMap, HashMap};

use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::index::{Catalog, Fields, IndexedLabel, LabelWord, Manifest, OpenIndex};
use crate::text::{self, Analyzer, Lang};
use crate::vocab::{ConceptIdx, Kind, LabelForm, Model};
use crate::{Error, Result};

/// Longest query accepted, in chars: the longest ESCO label is 180 chars.
pub const MAX_QUERY_CHARS: usize = 256;
/// Most words of a query that are looked up; the rest of a pasted paragraph is ignored.
const MAX_QUERY_WORDS: usize = 12;
pub const MAX_LIMIT: usize = 100;
pub const DEFAULT_LIMIT: usize = 10;
/// Labels fetched from tantivy before ranking. With 200, the generated search-box queries
/// (`skillbridge eval search`) reach recall ≥ 0.976 in every type and language at p99 2.2 ms;
/// a larger pool was not tried, as ranking, not retrieval, decides the remaining misses.
const SUGGEST_CANDIDATES: usize = 200;
/// Full search and facets look deeper; facets and `total` count the concepts among these.
const SEARCH_CANDIDATES: usize = 1000;

// Candidate boosts in tantivy: only their order matters, since the ranker rescoring follows.
const BOOST_EXACT: f32 = 4.0;
const BOOST_STEM: f32 = 3.0;
const BOOST_PART: f32 = 2.0;
const BOOST_PREFIX: f32 = 2.0;
const BOOST_FUZZY: f32 = 1.0;
const BOOST_ASSOCIATE: f32 = 0.5;

// Quality of a query word's match with a label word, 0–1. Exact > stem > split/joined compound >
// prefix > typo: the order a person would rank them; the values were tuned on the generated
// queries (eval search) and the job-title development file.
const MATCH_EXACT: f32 = 1.0;
const MATCH_STEM: f32 = 0.95;
const MATCH_COMPOUND: f32 = 0.9;
/// A prefix is worth between these two, more the more of the word it covers.
const MATCH_PREFIX_MIN: f32 = 0.75;
const MATCH_PREFIX_MAX: f32 = 0.9;
const MATCH_PART: f32 = 0.85;
/// One typo; each further edit costs `MATCH_PER_EDIT`.
const MATCH_TYPO: f32 = 0.8;
const MATCH_PER_EDIT: f32 = 0.15;
const MATCH_TYPO_PREFIX: f32 = 0.65;
/// An associate word ([`crate::index::associates`]) counts this times its Dice coefficient
/// (0.5, 1.0 and 1.5 scored the same on the job-title dev file).
const MATCH_ASSOCIATE: f32 = 1.0;
/// A typo inside an unfinished word is looked for from this length on: a one-edit prefix
/// automaton on a shorter start accepts most of the dictionary and costs milliseconds.
const MIN_TYPO_PREFIX_CHARS: usize = 5;

/// A query word found in at least this many labels is taken as written: `extrusion` is not a
/// typo of `excursion`. Its typo matches count `KNOWN_WORD_TYPO_FACTOR` of a real typo's.
const KNOWN_WORD_MIN_LABELS: u32 = 2;
const KNOWN_WORD_TYPO_FACTOR: f32 = 0.5;

/// Stop words still count, a little: "officer of the court" vs "court officer".
const STOPWORD_WEIGHT: f32 = 0.1;
/// Share of the score that does not depend on how much of the label the query covers; the rest
/// rewards labels the query covers fully (`boekhouder` before `boekhouder-kassier`). On the
/// job-title dev file 0.4 beat 0.6 and 0.8 (Acc@1 +0.3); the generated queries did not move.
const LABEL_COVERAGE_FLOOR: f32 = 0.4;
/// Concepts with many labels are the common ones that people search for: the score grows by
/// this times ln(1 + labels). 0.03 gave Acc@1 +0.5 on the job-title dev file; 0.08 overshot.
const LABEL_COUNT_PRIOR: f32 = 0.03;
const FORM_WEIGHT_ALTERNATIVE: f32 = 0.97;
const FORM_WEIGHT_HIDDEN: f32 = 0.9;
/// A label in another language than the one asked for.
const OTHER_LANGUAGE_WEIGHT: f32 = 0.9;
/// Query words found in another order than the label's: `forklift op` is more likely
/// `forklift operator` than `operate forklift`. Small, so that word order never outweighs a
/// better match.
const OUT_OF_ORDER_WEIGHT: f32 = 0.97;
/// Full search lifts a concept whose description uses the query's words by up to this share.
/// On the job-title dev file 0.3 gave Acc@1 +0.5 (0.1: +0.3, 0.6: +0.2, 1.0: −0.2).
const DESCRIPTION_WEIGHT: f32 = 0.3;
/// Full search puts specific occupations a little before broad ones: an occupation's score is
/// divided by 1 + this × ln(1 + its narrower occupations). The broad ones carry the short generic
/// labels (`electrician`, `plant manager`) that most titles share a word with: 9% of ESCO's
/// occupations have narrower ones, yet 19% of our first answers on the job-title dev file were
/// such, where the file's own answers name them for 4.6% of titles. On that file (Acc@1 / Acc@5 /
/// MRR, `eval job-titles --broad-priors`) lexical only: 0 → 26.4 / 44.8 / 35.1, 0.04 → 27.5 /
/// 45.1 / 35.9, 0.06 → 27.7 / 45.3 / 36.1, 0.08 → 27.7 / 45.4 / 36.1; with the model 0 → 30.1 /
/// 51.8 / 40.0, 0.06 → 31.3 / 53.0 / 41.2. An exact query for a broad occupation is left alone
/// (see `prefer_specific_occupations`).
const BROAD_OCCUPATION_PRIOR: f32 = 0.06;
/// Taxonomy nodes (ISCO groups, skill groups) are rarely what the search box is after.
const GROUP_WEIGHT: f32 = 0.8;
/// Full search for occupations with the sentence-embedding model installed ([`crate::embed`]):
/// a hit's score becomes its lexical score relative to the best hit's, plus this times the cosine
/// of the query with the occupation's nearest English label. On the job-title dev file (Acc@1 /
/// Acc@5 / MRR; lexical only 26.4 / 44.8 / 35.1; `eval job-titles --semantic-weights …
/// --description-weights 0 --broad-priors 0`): 0.5 → 27.3 / 47.2 / 36.8, 1 → 27.9 / 48.8 /
/// 37.6, 2 → 28.5 / 50.1 / 38.4, 3.5 → 28.9 / 50.6 / 38.8, 6 → 28.8 / 50.4 / 38.6. With the
/// description cosine and the broad-occupation prior below (`eval job-titles --semantic-weights`):
/// 1 → 30.8 / 51.8 / 40.5, 2 → 31.1 / 52.7 / 41.0, 3.5 → 31.3 / 53.0 / 41.2, 6 → 31.2 / 52.8 / 41.0.
pub const SEMANTIC_WEIGHT: f32 = 3.5;
/// With the model, an occupation's score also grows by this times the cosine of the query with
/// its English description, which says in plain words what the job does where the labels are
/// terse. On the job-title dev file, with the label cosine at 3.5 and no broad-occupation prior
/// (Acc@1 / Acc@5 / MRR, `eval job-titles --description-weights 0,1,1.5,2,3 --broad-priors 0`):
/// 0 → 28.9 / 50.6 / 38.8, 1 → 29.9 / 51.6 / 39.7, 1.5 → 30.1 / 51.7 / 40.0, 2 → 30.1 / 51.8 /
/// 40.0, 3 → 29.9 / 51.7 / 39.9.
const SEMANTIC_DESCRIPTION_WEIGHT: f32 = 2.0;
/// The weights of full search that the job-title evaluation sweeps (`eval job-titles
/// --semantic-weights --description-weights --broad-priors`); the defaults are the constants above.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FullSearchWeights {
    /// [`SEMANTIC_WEIGHT`]
    pub semantic_label: f32,
    /// [`SEMANTIC_DESCRIPTION_WEIGHT`]
    pub semantic_description: f32,
    /// [`BROAD_OCCUPATION_PRIOR`]
    pub broad_occupation_prior: f32,
}

impl Default for FullSearchWeights {
    fn default() -> Self {
        FullSearchWeights {
            semantic_label: SEMANTIC_WEIGHT,
            semantic_description: SEMANTIC_DESCRIPTION_WEIGHT,
            broad_occupation_prior: BROAD_OCCUPATION_PRIOR,
        }
    }
}

/// Occupations nearest to the query in meaning that join the lexical candidates: a vacancy title
/// often shares no word with the occupation's labels (28% of the dev file's gold occupations are
/// not among the lexical top 100). Not tuned: with the weight above, an occupation beyond the
/// 100 nearest rarely outranks those within.
const SEMANTIC_CANDIDATES: usize = 100;

/// What the caller asks for.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    pub lang: Option<Lang>,
    pub vocabs: Vec<String>,
    pub kinds: Vec<Kind>,
    pub limit: usize,
    pub offset: usize,
}

/// Search-as-you-type treats the last word as a prefix; full search does not, and also reads
/// word associates and descriptions; a lookup of a complete label does neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Suggest,
    Search,
    Lookup,
}

/// One ranked concept with the label that matched best.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub concept: ConceptIdx,
    /// Position of the matched label in the concept's labels.
    pub matched: u16,
    pub score: f32,
}

#[derive(Debug, Clone, Default)]
pub struct Facets {
    pub vocab: BTreeMap<String, usize>,
    pub kind: BTreeMap<Kind, usize>,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

/// The search engine over an opened index. One per process; cheap to share behind an `Arc`.
pub struct Engine {
    catalog: Catalog,
    reader: tantivy::IndexReader,
    fields: Fields,
    analyzer: Analyzer,
    manifest: Manifest,
    languages: Vec<Lang>,
    /// The tagger's tables, built on first use (`tag` only).
    tagger: std::sync::OnceLock<crate::tag::Tagger>,
    /// The matcher's skill weights, built on first use (`match` only).
    matcher: std::sync::OnceLock<crate::matching::Matcher>,
    /// The sentence-embedding signal, when the model is installed: set at opening, or by `serve`
    /// in the background once the vectors are read or built (search stays lexical until then).
    semantic: std::sync::OnceLock<crate::embed::Semantic>,
    /// Set while `serve` loads the model in the background.
    semantic_loading: std::sync::atomic::AtomicBool,
    weights: FullSearchWeights,
}

/// A word of the query with everything the ranker compares.
#[derive(Debug)]
struct QueryWord {
    folded: String,
    stems: Vec<String>,
    /// Compound parts, when the query word splits into known words.
    parts: Vec<String>,
    typos: u8,
    weight: f32,
    stopword: bool,
    /// The last word while typing: it may be the start of a longer word.
    prefix: bool,
    /// The word occurs in labels itself, so a typo is an unlikely reading of it.
    known: bool,
    /// Words that name the same concepts, with their strength (full search only).
    associates: Vec<(String, f32)>,
}

impl Engine {
    pub fn new(open: OpenIndex) -> Engine {
        let languages = open.catalog.model.languages();
        Engine {
            catalog: open.catalog,
            reader: open.reader,
            fields: open.fields,
            analyzer: Analyzer::new(),
            manifest: open.manifest,
            languages,
            tagger: std::sync::OnceLock::new(),
            matcher: std::sync::OnceLock::new(),
            semantic: std::sync::OnceLock::new(),
            semantic_loading: std::sync::atomic::AtomicBool::new(false),
            weights: FullSearchWeights::default(),
        }
    }

    /// Adds the sentence-embedding signal to full search for occupations.
    pub fn with_semantic(self, semantic: Option<crate::embed::Semantic>) -> Engine {
        self.install_semantic(semantic);
        self
    }

    /// Says that the signal is being loaded elsewhere ([`Engine::semantic_status`] `loading`).
    pub fn expect_semantic(&self) {
        self.semantic_loading
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Installs the signal loaded in the background (`None`: there is none, search stays lexical).
    /// The first one installed stays.
    pub fn install_semantic(&self, semantic: Option<crate::embed::Semantic>) {
        if let Some(semantic) = semantic {
            let _ = self.semantic.set(semantic);
        }
        self.semantic_loading
            .store(false, std::sync::atomic::Ordering::Release);
    }

    /// `ready` when full search compares meanings, `loading` while the model is being read, `off`
    /// without a model.
    pub fn semantic_status(&self) -> &'static str {
        if self.semantic.get().is_some() {
            "ready"
        } else if self
            .semantic_loading
            .load(std::sync::atomic::Ordering::Acquire)
        {
            "loading"
        } else {
            "off"
        }
    }

    /// Overrides the weights of full search (evaluation only).
    pub fn set_full_search_weights(&mut self, weights: FullSearchWeights) {
        self.weights = weights;
    }

    pub fn semantic(&self) -> Option<&crate::embed::Semantic> {
        self.semantic.get()
    }

    pub fn model(&self) -> &Model {
        &self.catalog.model
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The tagger's tables, built on first use (about a second; `serve` builds them up front).
    pub fn tagger(&self) -> &crate::tag::Tagger {
        self.tagger
            .get_or_init(|| crate::tag::Tagger::new(&self.catalog, &self.analyzer))
    }

    /// The matcher's skill weights, built on first use (milliseconds).
    pub fn matcher(&self) -> &crate::matching::Matcher {
        self.matcher
            .get_or_init(|| crate::matching::Matcher::new(self.model()))
    }

    /// Checks a request against what the index holds; the messages list what is allowed.
    pub fn validate(&self, request: &SearchRequest) -> Result<()> {
        let text = request.text.trim();
        if text.is_empty() {
            return Err(Error::invalid("empty_query", "q must not be empty"));
        }
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(Error::invalid(
                "query_too_long",
                format!("q is longer than {MAX_QUERY_CHARS} characters"),
            ));
        }
        self.check_filters(request.limit, request.lang, &request.vocabs)
    }

    /// The checks every ranked answer shares: `limit` within 1–100, a language and vocabularies
    /// the index holds.
    pub fn check_filters(&self, limit: usize, lang: Option<Lang>, vocabs: &[String]) -> Result<()> {
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::invalid(
                "invalid_limit",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        if let Some(lang) = lang {
            self.check_lang(lang)?;
        }
        for v in vocabs {
            self.check_vocab(v)?;
        }
        Ok(())
    }

    pub fn check_lang(&self, lang: Lang) -> Result<()> {
        if self.languages.contains(&lang) {
            Ok(())
        } else {
            Err(Error::invalid(
                "unknown_lang",
                format!(
                    "unknown lang {lang}; allowed: {}",
                    join(self.languages.iter())
                ),
            ))
        }
    }

    pub fn check_vocab(&self, vocab: &str) -> Result<()> {
        if self.model().vocabulary(vocab).is_some() {
            Ok(())
        } else {
            Err(Error::invalid(
                "unknown_vocab",
                format!(
                    "unknown vocab {vocab:?}; allowed: {}",
                    join(self.model().vocabularies.iter().map(|v| &v.id))
                ),
            ))
        }
    }

    /// Search-as-you-type: the best `limit` concepts.
    pub fn suggest(&self, request: &SearchRequest) -> Result<Vec<Hit>> {
        self.validate(request)?;
        let ranked = self.rank(request, Mode::Suggest, SUGGEST_CANDIDATES, None)?;
        Ok(ranked.into_iter().take(request.limit).collect())
    }

    /// The concepts a complete label names, best first: whole words, labels only, over the
    /// candidate pool of suggest (profile matching looks up many labels per request).
    pub fn lookup(&self, request: &SearchRequest) -> Result<Vec<Hit>> {
        self.validate(request)?;
        let ranked = self.rank(request, Mode::Lookup, SUGGEST_CANDIDATES, None)?;
        Ok(ranked.into_iter().take(request.limit).collect())
    }

    /// Full search with paging and facets.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        self.search_with_vector(request, None)
    }

    /// Full search with the query's sentence vector computed beforehand (evaluations embed
    /// their queries in batches, which is several times faster than one by one).
    pub fn search_with_vector(
        &self,
        request: &SearchRequest,
        query_vector: Option<&[f32]>,
    ) -> Result<SearchResults> {
        self.validate(request)?;
        let ranked = self.rank(request, Mode::Search, SEARCH_CANDIDATES, query_vector)?;
        let mut facets = Facets::default();
        for hit in &ranked {
            let c = self.model().concept(hit.concept);
            *facets.vocab.entry(c.vocab.clone()).or_insert(0) += 1;
            *facets.kind.entry(c.kind).or_insert(0) += 1;
        }
        Ok(SearchResults {
            total: ranked.len(),
            hits: ranked
                .into_iter()
                .skip(request.offset)
                .take(request.limit)
                .collect(),
            facets,
        })
    }

    /// All matching concepts among the candidates, best first.
    fn rank(
        &self,
        request: &SearchRequest,
        mode: Mode,
        candidates: usize,
        query_vector: Option<&[f32]>,
    ) -> Result<Vec<Hit>> {
        let words = self.analyse_query(&request.text, request.lang, mode);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let query = self.candidate_query(&words, request, mode);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &tantivy::collector::TopDocs::with_limit(candidates))?;
        let mut columns = HashMap::new();
        let mut best: HashMap<ConceptIdx, Hit> = HashMap::new();
        for (_, address) in top {
            let column = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(
                    searcher
                        .segment_reader(address.segment_ord)
                        .fast_fields()
                        .u64("label_ref")?,
                ),
            };
            let Some(label_ref) = column.first(address.doc_id) else {
                continue;
            };
            let label = &self.catalog.labels[label_ref as usize];
            let Some(score) = self.score_label(&words, label, request.lang) else {
                continue;
            };
            let hit = Hit {
                concept: label.concept,
                matched: label.label,
                score,
            };
            match best.entry(label.concept) {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    if better(self.model(), &hit, e.get()) {
                        e.insert(hit);
                    }
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(hit);
                }
            }
        }
        let mut hits: Vec<Hit> = best.into_values().collect();
        if mode == Mode::Search {
            for hit in &mut hits {
                hit.score *=
                    1.0 + DESCRIPTION_WEIGHT * self.description_coverage(&words, hit.concept);
            }
            if let Some(semantic) = self.semantic_for(request) {
                self.add_semantic(semantic, request, query_vector, &mut hits);
            }
            self.prefer_specific_occupations(&request.text, &mut hits);
        }
        hits.sort_by(|a, b| {
            if better(self.model(), a, b) {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Greater
            }
        });
        Ok(hits)
    }

    /// The semantic signal when it applies: installed, the request asks for occupations only,
    /// in English or in any language (the model reads English).
    fn semantic_for(&self, request: &SearchRequest) -> Option<&crate::embed::Semantic> {
        let occupations =
            !request.kinds.is_empty() && request.kinds.iter().all(|k| *k == Kind::Occupation);
        let english = request.lang.is_none_or(|l| l == Lang::EN);
        let weighted = self.weights.semantic_label > 0.0 || self.weights.semantic_description > 0.0;
        if occupations && english && weighted {
            self.semantic.get()
        } else {
            None
        }
    }

    /// Rescores `hits` as lexical score relative to the best plus the weighted cosine, and adds
    /// the occupations nearest in meaning that the lexical candidates missed.
    fn add_semantic(
        &self,
        semantic: &crate::embed::Semantic,
        request: &SearchRequest,
        query_vector: Option<&[f32]>,
        hits: &mut Vec<Hit>,
    ) {
        let embedded;
        let query = match query_vector {
            Some(v) => v,
            None => {
                embedded = semantic.query_vector(&request.text);
                &embedded
            }
        };
        let nearest = semantic.occupations.nearest(query);
        let mut meaning: HashMap<ConceptIdx, f32> = nearest
            .iter()
            .map(|n| (n.concept, self.weights.semantic_label * n.cosine))
            .collect();
        for (concept, cosine) in semantic.occupations.description_cosines(query) {
            *meaning.entry(concept).or_insert(0.0) += self.weights.semantic_description * cosine;
        }
        let best = hits.iter().map(|h| h.score).fold(0.0, f32::max);
        for hit in hits.iter_mut() {
            let lexical = if best > 0.0 { hit.score / best } else { 0.0 };
            hit.score = lexical + meaning.get(&hit.concept).copied().unwrap_or(0.0);
        }
        let present: std::collections::HashSet<ConceptIdx> =
            hits.iter().map(|h| h.concept).collect();
        let wanted = |concept: ConceptIdx| {
            let c = self.model().concept(concept);
            request.vocabs.is_empty() || request.vocabs.contains(&c.vocab)
        };
        for n in nearest
            .iter()
            .filter(|n| wanted(n.concept))
            .take(SEMANTIC_CANDIDATES)
        {
            if !present.contains(&n.concept) {
                hits.push(Hit {
                    concept: n.concept,
                    matched: n.label,
                    score: meaning[&n.concept],
                });
            }
        }
    }

    /// Divides the score of each broad occupation by its [`BROAD_OCCUPATION_PRIOR`] factor,
    /// unless the query is the very label it was found by: `accountant` asks for accountant.
    fn prefer_specific_occupations(&self, query: &str, hits: &mut [Hit]) {
        let asked = text::words(query);
        for hit in hits {
            let concept = self.model().concept(hit.concept);
            if concept.kind != Kind::Occupation || concept.narrower.is_empty() {
                continue;
            }
            if text::words(&concept.labels[hit.matched as usize].text) == asked {
                continue;
            }
            hit.score /= 1.0
                + self.weights.broad_occupation_prior * (1.0 + concept.narrower.len() as f32).ln();
        }
    }

    /// Share of the query (idf-weighted) whose stems the concept's descriptions use.
    fn description_coverage(&self, words: &[QueryWord], concept: ConceptIdx) -> f32 {
        let stems = &self.catalog.description_stems[concept as usize];
        let (mut found, mut total) = (0.0, 0.0);
        for w in words.iter().filter(|w| !w.stopword) {
            total += w.weight;
            if w.stems.iter().any(|s| stems.binary_search(s).is_ok()) {
                found += w.weight;
            }
        }
        if total > 0.0 {
            found / total
        } else {
            0.0
        }
    }

    fn analyse_query(&self, text: &str, lang: Option<Lang>, mode: Mode) -> Vec<QueryWord> {
        let langs: Vec<Lang> = match lang {
            Some(l) => vec![l],
            None => self.languages.clone(),
        };
        let tokens = text::tokens(text);
        // While typing, the last word is unfinished unless a space or punctuation follows it.
        let typing = mode == Mode::Suggest
            && text.chars().last().is_some_and(|c| {
                c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
            });
        let count = tokens.len().min(MAX_QUERY_WORDS);
        let mut words: Vec<QueryWord> = tokens
            .into_iter()
            .take(count)
            .enumerate()
            .map(|(i, t)| {
                let stopword = langs.iter().any(|l| {
                    self.analyzer.is_stopword(*l, &t.folded)
                        || self.analyzer.is_filler(*l, &t.folded)
                });
                let mut stems: Vec<String> = langs
                    .iter()
                    .map(|l| self.analyzer.stem(*l, &t.folded))
                    .collect();
                stems.sort();
                stems.dedup();
                let parts = langs
                    .iter()
                    .find_map(|l| self.catalog.lexicon.split(*l, &t.folded))
                    .unwrap_or_default();
                let weight =
                    self.catalog.idf(&t.folded) * if stopword { STOPWORD_WEIGHT } else { 1.0 };
                let associates = match mode {
                    Mode::Search => self
                        .catalog
                        .associates
                        .get(&t.folded)
                        .cloned()
                        .unwrap_or_default(),
                    Mode::Suggest | Mode::Lookup => Vec::new(),
                };
                QueryWord {
                    associates,
                    known: self
                        .catalog
                        .word_labels
                        .get(&t.folded)
                        .is_some_and(|&n| n >= KNOWN_WORD_MIN_LABELS),
                    typos: typo_limit(mode, &t.folded),
                    folded: t.folded,
                    stems,
                    parts,
                    weight,
                    stopword,
                    prefix: typing && i + 1 == count,
                }
            })
            .collect();
        // A query of stop words only ("de") still searches for them.
        if words.iter().all(|w| w.stopword) {
            for w in &mut words {
                w.stopword = false;
            }
        }
        words
    }

    fn candidate_query(
        &self,
        words: &[QueryWord],
        request: &SearchRequest,
        mode: Mode,
    ) -> Box<dyn Query> {
        let f = &self.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut add = |q: Box<dyn Query>, boost: f32| {
            should.push((Occur::Should, Box::new(BoostQuery::new(q, boost))))
        };
        for w in words.iter().filter(|w| !w.stopword) {
            add(term(f.words, &w.folded), BOOST_EXACT);
            add(term(f.parts, &w.folded), BOOST_PART);
            for s in &w.stems {
                add(term(f.stems, s), BOOST_STEM);
            }
            for p in &w.parts {
                add(term(f.words, p), BOOST_PART);
            }
            for (a, _) in &w.associates {
                add(term(f.words, a), BOOST_ASSOCIATE);
            }
            // A word the labels use is taken as written: its typo automata would walk a large
            // part of the term dictionary (the slowest part of a query) to find other words.
            if w.typos > 0 && !w.known {
                add(fuzzy(f.words, &w.folded, w.typos, false), BOOST_FUZZY);
                add(fuzzy(f.parts, &w.folded, w.typos, false), BOOST_FUZZY);
            }
            if w.prefix {
                add(fuzzy(f.words, &w.folded, 0, true), BOOST_PREFIX);
                add(fuzzy(f.parts, &w.folded, 0, true), BOOST_PREFIX);
                if w.folded.chars().count() >= MIN_TYPO_PREFIX_CHARS {
                    add(fuzzy(f.words, &w.folded, 1, true), BOOST_FUZZY);
                }
            }
        }
        for pair in words.windows(2) {
            let joined = format!("{}{}", pair[0].folded, pair[1].folded);
            add(term(f.words, &joined), BOOST_EXACT);
            if pair[1].prefix {
                add(fuzzy(f.words, &joined, 0, true), BOOST_PREFIX);
            } else if !(pair[0].known && pair[1].known) {
                add(
                    fuzzy(f.words, &joined, typo_limit(mode, &joined), false),
                    BOOST_FUZZY,
                );
            }
        }
        let text_query: Box<dyn Query> = Box::new(BooleanQuery::new(should));
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
        if !request.vocabs.is_empty() {
            let any = request
                .vocabs
                .iter()
                .map(|v| (Occur::Should, term(f.vocab, v)))
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if !request.kinds.is_empty() {
            let any = request
                .kinds
                .iter()
                .map(|k| (Occur::Should, term(f.kind, k.as_str())))
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        Box::new(BooleanQuery::new(must))
    }

    /// The ranking score of one label for the query, or `None` when no meaningful word matches.
    fn score_label(
        &self,
        query: &[QueryWord],
        label: &IndexedLabel,
        lang: Option<Lang>,
    ) -> Option<f32> {
        let words = &label.words;
        if words.is_empty() {
            return None;
        }
        let concept = self.catalog.model.concept(label.concept);
        let label_meta = &concept.labels[label.label as usize];
        let same_language = lang.is_none_or(|l| l == label_meta.lang);
        // How well each query word is matched, and how much of each label word is covered.
        let mut quality = vec![0f32; query.len()];
        let mut position = vec![usize::MAX; query.len()];
        let mut covered = vec![0f32; words.len()];
        for (i, q) in query.iter().enumerate() {
            for (j, w) in words.iter().enumerate() {
                let (m, cover) = word_match(q, w, same_language);
                if m > quality[i] {
                    quality[i] = m;
                    position[i] = j;
                }
                if m > 0.0 && cover > covered[j] {
                    covered[j] = cover;
                }
            }
        }
        // Compounds across the word boundary: query "heftruck chauffeur" vs label
        // "heftruckchauffeur", and query "heftruckchauffeur" vs label "heftruck chauffeur".
        for i in 0..query.len() {
            for (j, w) in words.iter().enumerate() {
                if let Some(next) = query.get(i + 1) {
                    let joined_matches = if next.prefix {
                        w.folded
                            .starts_with(&format!("{}{}", query[i].folded, next.folded))
                    } else {
                        w.folded.len() == query[i].folded.len() + next.folded.len()
                            && w.folded.starts_with(&query[i].folded)
                            && w.folded.ends_with(&next.folded)
                    };
                    if joined_matches {
                        quality[i] = quality[i].max(MATCH_COMPOUND);
                        quality[i + 1] = quality[i + 1].max(MATCH_COMPOUND);
                        covered[j] = 1.0;
                    }
                }
                let parts = &query[i].parts;
                if !parts.is_empty()
                    && j + parts.len() <= words.len()
                    && parts.iter().zip(&words[j..]).all(|(p, w)| {
                        *p == w.folded || (query[i].prefix && w.folded.starts_with(p.as_str()))
                    })
                {
                    quality[i] = quality[i].max(MATCH_COMPOUND);
                    for c in &mut covered[j..j + parts.len()] {
                        *c = 1.0;
                    }
                }
            }
        }
        let total_weight: f32 = query.iter().map(|q| q.weight).sum();
        let matched_weight: f32 = query.iter().zip(&quality).map(|(q, m)| q.weight * m).sum();
        let meaningful = query
            .iter()
            .zip(&quality)
            .any(|(q, m)| !q.stopword && *m > 0.0);
        if !meaningful || total_weight <= 0.0 {
            return None;
        }
        let query_coverage = matched_weight / total_weight;
        let content: Vec<usize> = (0..words.len()).filter(|&j| !words[j].stopword).collect();
        let label_coverage = if content.is_empty() {
            covered.iter().sum::<f32>() / words.len() as f32
        } else {
            content.iter().map(|&j| covered[j]).sum::<f32>() / content.len() as f32
        };
        let form = match label_meta.form {
            LabelForm::Preferred => 1.0,
            LabelForm::Alternative => FORM_WEIGHT_ALTERNATIVE,
            LabelForm::Hidden => FORM_WEIGHT_HIDDEN,
        };
        let language = match lang {
            Some(l) if l != label_meta.lang => OTHER_LANGUAGE_WEIGHT,
            _ => 1.0,
        };
        let kind = if concept.kind == Kind::Group {
            GROUP_WEIGHT
        } else {
            1.0
        };
        let matched_positions: Vec<usize> =
            position.into_iter().filter(|&p| p != usize::MAX).collect();
        let order = if matched_positions.windows(2).all(|w| w[0] <= w[1]) {
            1.0
        } else {
            OUT_OF_ORDER_WEIGHT
        };
        Some(
            query_coverage
                * (LABEL_COVERAGE_FLOOR + (1.0 - LABEL_COVERAGE_FLOOR) * label_coverage)
                * (1.0 + LABEL_COUNT_PRIOR * (1.0 + concept.labels.len() as f32).ln())
                * form
                * language
                * kind
                * order,
        )
    }
}

/// Match quality of a query word against a label word, and the share of the label word covered.
///
/// Typos are forgiven only within the query's language (`typos`): across languages a one- or
/// two-letter difference is mostly another word (`director` / `directeur`).
fn word_match(q: &QueryWord, w: &LabelWord, typos: bool) -> (f32, f32) {
    if q.folded == w.folded {
        return (MATCH_EXACT, 1.0);
    }
    if q.stems.contains(&w.stem) {
        return (MATCH_STEM, 1.0);
    }
    let q_len = q.folded.chars().count();
    let w_len = w.folded.chars().count();
    if q.prefix && w.folded.starts_with(&q.folded) {
        let share = q_len as f32 / w_len as f32;
        return (
            MATCH_PREFIX_MIN + (MATCH_PREFIX_MAX - MATCH_PREFIX_MIN) * share,
            1.0,
        );
    }
    let part_share = 1.0 / w.parts.len().max(1) as f32;
    if w.parts.contains(&q.folded) {
        return (MATCH_PART, part_share);
    }
    let mut best = (0.0, 0.0);
    if typos && q.typos > 0 {
        if q_len.abs_diff(w_len) <= q.typos as usize {
            let d = strsim::damerau_levenshtein(&q.folded, &w.folded);
            if d <= q.typos as usize {
                let known = if q.known { KNOWN_WORD_TYPO_FACTOR } else { 1.0 };
                best = (
                    (MATCH_TYPO - MATCH_PER_EDIT * (d as f32 - 1.0)) * known,
                    1.0,
                );
            }
        }
        if best.0 == 0.0 {
            for p in &w.parts {
                if q_len.abs_diff(p.chars().count()) <= q.typos as usize
                    && strsim::damerau_levenshtein(&q.folded, p) <= q.typos as usize
                {
                    best = (MATCH_PART * MATCH_TYPO, part_share);
                    break;
                }
            }
        }
        if best.0 == 0.0 && q.prefix && w_len > q_len && q_len >= MIN_TYPO_PREFIX_CHARS {
            // A typo in an unfinished word: compare with the label word's start of the same length.
            let start: String = w.folded.chars().take(q_len).collect();
            if strsim::damerau_levenshtein(&q.folded, &start) <= 1 {
                best = (MATCH_TYPO_PREFIX, 1.0);
            }
        }
    }
    if best.0 == 0.0 {
        if let Some((_, dice)) = q.associates.iter().find(|(a, _)| *a == w.folded) {
            best = (MATCH_ASSOCIATE * dice, 1.0);
        }
    }
    if best.0 == 0.0 && q.prefix && q_len >= 3 {
        if let Some(p) = w.parts.iter().find(|p| p.starts_with(&q.folded)) {
            let share = q_len as f32 / p.chars().count() as f32;
            best = (
                MATCH_PART * (MATCH_PREFIX_MIN + (MATCH_PREFIX_MAX - MATCH_PREFIX_MIN) * share),
                part_share,
            );
        }
    }
    best
}

/// Whether hit `a` ranks before hit `b`: higher score, then the shorter matched label, then id.
fn better(model: &Model, a: &Hit, b: &Hit) -> bool {
    if a.score != b.score {
        return a.score > b.score;
    }
    let label_len = |h: &Hit| {
        model.concept(h.concept).labels[h.matched as usize]
            .text
            .len()
    };
    let (la, lb) = (label_len(a), label_len(b));
    if la != lb {
        return la < lb;
    }
    model.concept(a.concept).id < model.concept(b.concept).id
}

/// Edits allowed in a word: [`text::typo_budget`], but one at most in a lookup, which runs once
/// per label of a profile: two-edit automata are the slowest part of a query, and people type a
/// known skill's label with one slip far more often than with two (`eval match`, 300 profiles:
/// resolution of misspelt labels 0.890 → 0.893, p50 of a 15-label profile 15 → 10 ms).
fn typo_limit(mode: Mode, word: &str) -> u8 {
    match mode {
        Mode::Lookup => text::typo_budget(word).min(1),
        Mode::Suggest | Mode::Search => text::typo_budget(word),
    }
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn fuzzy(field: Field, text: &str, distance: u8, prefix: bool) -> Box<dyn Query> {
    let t = Term::from_field_text(field, text);
    Box::new(if prefix {
        FuzzyTermQuery::new_prefix(t, distance, true)
    } else {
        FuzzyTermQuery::new(t, distance, true)
    })
}

fn join<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    items.map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}
