//! Evaluation: how well the search box and the job-title search work, measured on queries
//! generated from the vocabularies' own labels (fixed seed) and on the JobBERT validation titles;
//! and the same generated queries against the everyday peer, an SQLite FTS5 prefix search.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::search::{Engine, SearchRequest};
use crate::text::{self, Lang};
use crate::vocab::{ConceptIdx, Kind, LabelForm, Model};
use crate::{Error, Result};

/// The seed of the generated queries; fixed so that every run asks the same questions.
pub const DEFAULT_SEED: u64 = 20261126;
/// Queries per type and language: enough for a ±2-point 95% interval at recall 0.95.
pub const DEFAULT_PER_TYPE: usize = 500;
/// Labels longer than this are sentences (VKS competences), not search-box input.
const MAX_LABEL_WORDS: usize = 6;
/// A typo is put in a word at least this long: in shorter words one edit is another word.
const MIN_TYPO_WORD_CHARS: usize = 5;

/// How a generated query was derived from its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QueryType {
    /// One edit (substitution, deletion, insertion or transposition) in one word.
    Typo,
    /// The label typed up to half of its last word.
    Prefix,
    /// Diacritics removed and hyphens turned into spaces.
    Folded,
    /// A compound word of the label written as two words.
    Split,
}

impl QueryType {
    pub const ALL: [QueryType; 4] = [
        QueryType::Typo,
        QueryType::Prefix,
        QueryType::Folded,
        QueryType::Split,
    ];

    pub fn name(self) -> &'static str {
        match self {
            QueryType::Typo => "typo",
            QueryType::Prefix => "prefix",
            QueryType::Folded => "folded",
            QueryType::Split => "split",
        }
    }

    /// Recall is counted in the top 5, or the top 10 for an unfinished prefix (the targets).
    pub fn cutoff(self) -> usize {
        if self == QueryType::Prefix {
            10
        } else {
            5
        }
    }
}

#[derive(Debug, Clone)]
pub struct GeneratedQuery {
    pub query_type: QueryType,
    pub lang: Lang,
    pub text: String,
    /// The concept whose label the query was made from.
    pub target: ConceptIdx,
    /// The label it was made from.
    pub label: String,
}

/// The labels a citizen would search for: preferred and alternative labels of occupations,
/// skills, knowledge and qualifications, up to [`MAX_LABEL_WORDS`] words.
fn source_labels(model: &Model, lang: Lang) -> Vec<(ConceptIdx, &str)> {
    let mut out = Vec::new();
    for (idx, c) in model.concepts.iter().enumerate() {
        if !matches!(
            c.kind,
            Kind::Occupation | Kind::Skill | Kind::Knowledge | Kind::Qualification
        ) {
            continue;
        }
        for l in &c.labels {
            if l.lang == lang
                && l.form != LabelForm::Hidden
                && text::words(&l.text).len() <= MAX_LABEL_WORDS
            {
                out.push((idx as ConceptIdx, l.text.as_str()));
            }
        }
    }
    out
}

/// Generates up to `per_type` queries per type for each of `langs`.
pub fn generate(
    engine: &Engine,
    langs: &[Lang],
    per_type: usize,
    seed: u64,
) -> Vec<GeneratedQuery> {
    let mut out = Vec::new();
    for &lang in langs {
        let labels = source_labels(engine.model(), lang);
        for query_type in QueryType::ALL {
            let mut rng =
                ChaCha8Rng::seed_from_u64(seed ^ (query_type as u64) << 8 ^ lang_seed(lang));
            let mut order: Vec<usize> = (0..labels.len()).collect();
            order.shuffle(&mut rng);
            let mut made = 0;
            for i in order {
                if made == per_type {
                    break;
                }
                let (target, label) = labels[i];
                if let Some(text) = derive(engine, query_type, lang, label, &mut rng) {
                    out.push(GeneratedQuery {
                        query_type,
                        lang,
                        text,
                        target,
                        label: label.to_string(),
                    });
                    made += 1;
                }
            }
        }
    }
    out
}

fn lang_seed(lang: Lang) -> u64 {
    lang.as_str()
        .bytes()
        .fold(0u64, |acc, b| acc << 8 | u64::from(b))
}

/// The query of one type made from one label, or `None` when the label does not lend itself.
fn derive(
    engine: &Engine,
    query_type: QueryType,
    lang: Lang,
    label: &str,
    rng: &mut ChaCha8Rng,
) -> Option<String> {
    let lower = label.to_lowercase();
    match query_type {
        QueryType::Typo => misspell(&lower, rng),
        QueryType::Prefix => {
            let words: Vec<&str> = lower.split_whitespace().collect();
            let last = words.last()?;
            let chars: Vec<char> = last.chars().collect();
            if chars.len() < 4 {
                return None;
            }
            let keep = chars.len().div_ceil(2).max(3);
            let mut out: Vec<String> = words[..words.len() - 1]
                .iter()
                .map(|w| w.to_string())
                .collect();
            out.push(chars[..keep].iter().collect());
            Some(out.join(" "))
        }
        QueryType::Folded => {
            let folded = text::fold(label);
            let changed = folded != lower || label.contains('-');
            changed.then(|| folded.replace('-', " "))
        }
        QueryType::Split => {
            let words: Vec<&str> = lower.split_whitespace().collect();
            let lexicon = &engine.catalog().lexicon;
            let (i, parts) = words
                .iter()
                .enumerate()
                .find_map(|(i, w)| lexicon.split(lang, &text::fold(w)).map(|p| (i, p)))?;
            // Keep the rest of the label as written; the split word loses its diacritics, as
            // the splitter works on folded words.
            let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            out[i] = parts.join(" ");
            Some(out.join(" "))
        }
    }
}

/// `label` in lower case with one random edit in one of its longer words, as a person types it;
/// `None` when no word is long enough.
pub fn misspell(label: &str, rng: &mut ChaCha8Rng) -> Option<String> {
    let lower = label.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let candidates: Vec<usize> = (0..words.len())
        .filter(|&i| {
            words[i].chars().count() >= MIN_TYPO_WORD_CHARS
                && words[i].chars().all(char::is_alphabetic)
        })
        .collect();
    let &i = candidates.get(rng.random_range(0..candidates.len().max(1)))?;
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    out[i] = one_edit(words[i], rng);
    Some(out.join(" "))
}

/// One random edit of a word: substitution, deletion, insertion or transposition of neighbours.
fn one_edit(word: &str, rng: &mut ChaCha8Rng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let pos = rng.random_range(0..chars.len());
    match rng.random_range(0..4) {
        0 => {
            let mut c = (b'a' + rng.random_range(0..26u8)) as char;
            if c == chars[pos] {
                c = if c == 'z' { 'a' } else { (c as u8 + 1) as char };
            }
            chars[pos] = c;
        }
        1 => {
            chars.remove(pos);
        }
        2 => chars.insert(pos, (b'a' + rng.random_range(0..26u8)) as char),
        _ => {
            let p = pos.min(chars.len() - 2);
            if chars[p] == chars[p + 1] {
                chars.remove(p);
            } else {
                chars.swap(p, p + 1);
            }
        }
    }
    chars.into_iter().collect()
}

/// Recall and MRR of one group of queries.
#[derive(Debug, Clone, Default)]
pub struct Score {
    pub queries: usize,
    pub hits: usize,
    pub reciprocal_rank_sum: f64,
}

impl Score {
    pub fn recall(&self) -> f64 {
        self.hits as f64 / self.queries.max(1) as f64
    }
    pub fn mrr(&self) -> f64 {
        self.reciprocal_rank_sum / self.queries.max(1) as f64
    }
    fn add(&mut self, rank: Option<usize>, cutoff: usize) {
        self.queries += 1;
        if let Some(r) = rank {
            if r < cutoff {
                self.hits += 1;
            }
            self.reciprocal_rank_sum += 1.0 / (r as f64 + 1.0);
        }
    }
}

/// Rank of the first correct answer: the target, or a concept that carries the very label the
/// query was made from (two concepts sharing a label are indistinguishable from it).
fn first_correct(model: &Model, ranked: &[ConceptIdx], query: &GeneratedQuery) -> Option<usize> {
    let label = text::fold(&query.label);
    ranked.iter().position(|&c| {
        c == query.target
            || model
                .concept(c)
                .labels
                .iter()
                .any(|l| l.lang == query.lang && text::fold(&l.text) == label)
    })
}

/// Scores per (type, language).
pub type Table = BTreeMap<(QueryType, Lang), Score>;

/// Runs the generated queries through `answer` (top 10 concepts) and scores them.
pub fn score_queries(
    model: &Model,
    queries: &[GeneratedQuery],
    answer: impl Fn(&GeneratedQuery) -> Vec<ConceptIdx> + Sync,
) -> Table {
    let ranks: Vec<Option<usize>> = queries
        .par_iter()
        .map(|q| first_correct(model, &answer(q), q))
        .collect();
    let mut table = Table::new();
    for (q, rank) in queries.iter().zip(ranks) {
        table
            .entry((q.query_type, q.lang))
            .or_default()
            .add(rank, q.query_type.cutoff());
    }
    table
}

/// skillbridge's answer to a generated query: `suggest` in the query's language.
pub fn engine_answer(engine: &Engine, q: &GeneratedQuery) -> Vec<ConceptIdx> {
    let request = SearchRequest {
        text: q.text.clone(),
        lang: Some(q.lang),
        limit: 10,
        ..Default::default()
    };
    engine
        .suggest(&request)
        .map(|hits| hits.into_iter().map(|h| h.concept).collect())
        .unwrap_or_default()
}

/// The everyday alternative: SQLite FTS5 over the same labels (unicode61 tokenizer with
/// diacritics removed), every query word as a prefix, ranked by FTS5's BM25.
pub struct Fts5Peer {
    conn: std::sync::Mutex<rusqlite::Connection>,
}

impl Fts5Peer {
    pub fn build(model: &Model) -> Result<Fts5Peer> {
        let conn = rusqlite::Connection::open_in_memory()?;
        conn.execute_batch(
            "CREATE VIRTUAL TABLE labels USING fts5(label, concept UNINDEXED, lang UNINDEXED,
             tokenize = 'unicode61 remove_diacritics 2');",
        )?;
        {
            let tx = conn.unchecked_transaction()?;
            let mut insert =
                tx.prepare("INSERT INTO labels(label, concept, lang) VALUES (?1, ?2, ?3)")?;
            for (idx, c) in model.concepts.iter().enumerate() {
                for l in &c.labels {
                    insert.execute(rusqlite::params![l.text, idx as i64, l.lang.as_str()])?;
                }
            }
            drop(insert);
            tx.commit()?;
        }
        Ok(Fts5Peer {
            conn: std::sync::Mutex::new(conn),
        })
    }

    /// The top `limit` distinct concepts for a query.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<ConceptIdx>> {
        let words = text::words(query);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let expr = words
            .iter()
            .map(|w| format!("\"{}\"*", w.replace('"', "")))
            .collect::<Vec<_>>()
            .join(" ");
        let conn = self
            .conn
            .lock()
            .map_err(|_| Error::Internal("fts5 lock poisoned".into()))?;
        let mut stmt = conn.prepare_cached(
            "SELECT concept FROM labels WHERE labels MATCH ?1 ORDER BY rank LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![expr, (limit * 5) as i64], |r| {
            r.get::<_, i64>(0)
        })?;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for row in rows {
            let c = row? as ConceptIdx;
            if seen.insert(c) {
                out.push(c);
                if out.len() == limit {
                    break;
                }
            }
        }
        Ok(out)
    }
}

/// (title, gold occupation URI) pairs of a job-title file.
fn read_job_titles(file: &Path) -> Result<Vec<(String, String)>> {
    let mut reader =
        csv::Reader::from_path(file).map_err(|e| Error::bad_input(file, 0, e.to_string()))?;
    let mut pairs = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::bad_input(file, i + 2, e.to_string()))?;
        let title = record.get(1).unwrap_or("").to_string();
        let uri = record.get(2).unwrap_or("").to_string();
        if !title.trim().is_empty() {
            pairs.push((title, uri));
        }
    }
    Ok(pairs)
}

/// The search the job-title evaluation asks: full search, English, ESCO occupations, top 100.
fn job_title_request(title: &str) -> SearchRequest {
    SearchRequest {
        text: title.chars().take(crate::search::MAX_QUERY_CHARS).collect(),
        lang: Some(Lang::EN),
        vocabs: vec!["esco".into()],
        kinds: vec![Kind::Occupation],
        limit: 100,
        offset: 0,
    }
}

/// The first `count` titles of a job-title file as search requests, for timing.
pub fn job_title_queries(file: &Path, count: usize) -> Result<Vec<SearchRequest>> {
    Ok(read_job_titles(file)?
        .iter()
        .take(count)
        .map(|(title, _)| job_title_request(title))
        .collect())
}

/// Accuracy of the job-title search on `titles.validation.csv` (vacancy title → ESCO occupation).
#[derive(Debug, Clone, Default)]
pub struct JobTitleScore {
    pub titles: usize,
    pub at1: usize,
    pub at5: usize,
    pub reciprocal_rank_sum: f64,
    /// Titles and hits at 1 on the even and on the odd rows of the file: every weight is tuned on
    /// this one file, so a change that helps only one half is likely noise.
    pub halves: [(usize, usize); 2],
}

impl JobTitleScore {
    pub fn acc1(&self) -> f64 {
        100.0 * self.at1 as f64 / self.titles.max(1) as f64
    }
    pub fn acc5(&self) -> f64 {
        100.0 * self.at5 as f64 / self.titles.max(1) as f64
    }
    pub fn mrr(&self) -> f64 {
        100.0 * self.reciprocal_rank_sum / self.titles.max(1) as f64
    }
    /// Acc@1 on the even rows and on the odd rows.
    pub fn acc1_halves(&self) -> [f64; 2] {
        self.halves
            .map(|(titles, at1)| 100.0 * at1 as f64 / titles.max(1) as f64)
    }
}

/// Ranks ESCO occupations for each title (full search, English, top 100) against the gold URI.
/// With `misses`, writes every title whose gold occupation is not first there, as JSON lines.
pub fn job_titles(engine: &Engine, file: &Path, misses: Option<&Path>) -> Result<JobTitleScore> {
    let pairs = read_job_titles(file)?;
    // Titles embedded up front in batches: several times faster than one by one in the search.
    let vectors: Vec<Option<Vec<f32>>> = match engine.semantic() {
        Some(semantic) => {
            let truncated: Vec<String> = pairs
                .iter()
                .map(|(t, _)| t.chars().take(crate::search::MAX_QUERY_CHARS).collect())
                .collect();
            let texts: Vec<&str> = truncated.iter().map(String::as_str).collect();
            let bar = crate::index::progress_bar(texts.len(), "embedding", true);
            let vectors = semantic.encoder.embed_all(&texts, &bar);
            bar.finish_and_clear();
            vectors.into_iter().map(Some).collect()
        }
        None => vec![None; pairs.len()],
    };
    let results: Vec<(Option<usize>, Vec<crate::search::Hit>)> = pairs
        .par_iter()
        .zip(&vectors)
        .map(|((title, uri), vector)| {
            let request = job_title_request(title);
            let hits = engine
                .search_with_vector(&request, vector.as_deref())
                .map(|r| r.hits)
                .unwrap_or_default();
            (
                hits.iter()
                    .position(|h| engine.model().concept(h.concept).id == *uri),
                hits,
            )
        })
        .collect();
    if let Some(path) = misses {
        let label = |idx: ConceptIdx| {
            engine
                .model()
                .concept(idx)
                .preferred_label(Lang::EN)
                .map_or("", |l| l.0)
        };
        let mut out = String::new();
        for ((title, uri), (rank, hits)) in pairs.iter().zip(&results) {
            if *rank == Some(0) {
                continue;
            }
            let gold = engine.model().find(uri).map_or("?", label);
            let top: Vec<serde_json::Value> = hits
                .iter()
                .take(3)
                .map(|h| {
                    let c = engine.model().concept(h.concept);
                    serde_json::json!([
                        label(h.concept),
                        c.labels[h.matched as usize].text,
                        h.score
                    ])
                })
                .collect();
            let line = serde_json::json!({"title": title, "gold": gold, "rank": rank, "top": top});
            out.push_str(&line.to_string());
            out.push('\n');
        }
        std::fs::write(path, out).map_err(|e| Error::io(path, e))?;
    }
    let ranks: Vec<Option<usize>> = results.into_iter().map(|(r, _)| r).collect();
    let mut score = JobTitleScore {
        titles: pairs.len(),
        ..Default::default()
    };
    for (row, rank) in ranks.into_iter().enumerate() {
        let half = &mut score.halves[row % 2];
        half.0 += 1;
        let Some(rank) = rank else {
            continue;
        };
        if rank == 0 {
            score.at1 += 1;
            half.1 += 1;
        }
        if rank < 5 {
            score.at5 += 1;
        }
        score.reciprocal_rank_sum += 1.0 / (rank as f64 + 1.0);
    }
    Ok(score)
}

/// Latency percentiles of one engine over a set of requests, answered one after the other (the
/// in-process figure of PRODUCT.md's targets).
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

pub fn latency<T>(queries: &[T], mut answer: impl FnMut(&T)) -> Latency {
    let mut times: Vec<f64> = queries
        .iter()
        .map(|q| {
            let started = std::time::Instant::now();
            answer(q);
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    Latency {
        p50_ms: at(0.50),
        p95_ms: at(0.95),
        p99_ms: at(0.99),
        max_ms: *times.last().unwrap_or(&0.0),
    }
}

/// A markdown table of the generated-query scores, skillbridge beside FTS5 when given.
pub fn render_table(ours: &Table, peer: Option<&Table>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| query type | lang | queries | recall@k (k) | MRR |{}",
        if peer.is_some() {
            " FTS5 recall@k | FTS5 MRR |"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "|---|---|---|---|---|{}",
        if peer.is_some() { "---|---|" } else { "" }
    );
    for ((t, lang), s) in ours {
        let _ = write!(
            out,
            "| {} | {} | {} | {:.3} ({}) | {:.3} |",
            t.name(),
            lang,
            s.queries,
            s.recall(),
            t.cutoff(),
            s.mrr()
        );
        if let Some(p) = peer.and_then(|p| p.get(&(*t, *lang))) {
            let _ = write!(out, " {:.3} | {:.3} |", p.recall(), p.mrr());
        }
        out.push('\n');
    }
    out
}
