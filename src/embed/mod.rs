//! Sentence embeddings as an extra, optional signal for full search: all-MiniLM-L6-v2
//! (sentence-transformers, Apache-2.0) turns a query, every English occupation label and every
//! English occupation description into a unit vector; their dot products are the cosines that
//! [`crate::search`] adds to the lexical score.
//!
//! The model is not part of the build: it lives in `models/all-minilm-l6-v2/` of the checkout or
//! wherever `SKILLBRIDGE_MODEL` points (`scripts/fetch-model.sh` puts it there). Without it the
//! engine stays lexical. The label vectors are computed once per index and model and cached
//! beside the index (`embeddings-<fingerprint>.bin`).

mod bert;
pub mod wordpiece;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::text::Lang;
use crate::vocab::{ConceptIdx, Kind, LabelForm, Model};
use crate::{Error, Result};

use bert::Bert;
pub use bert::HIDDEN;
use wordpiece::WordPiece;

/// Environment variable naming the model folder, overriding the default.
pub const MODEL_ENV: &str = "SKILLBRIDGE_MODEL";
/// The model folder inside the checkout (git-ignored).
pub const MODEL_DIR: &str = "models/all-minilm-l6-v2";
/// Sentences encoded together: their tokens share the dense layers' matrix products, which run
/// faster on a tall matrix than sentence by sentence.
const BATCH: usize = 64;
/// Bumped when what is embedded changes, so that cached vectors are rebuilt.
const EMBEDDING_VERSION: u32 = 2;

/// The tokenizer and the network, ready to embed text.
pub struct Encoder {
    wordpiece: WordPiece,
    bert: Bert,
    /// blake3 of the weights and vocabulary, part of the cache's fingerprint.
    fingerprint: String,
}

impl Encoder {
    /// The model folder: `SKILLBRIDGE_MODEL`, else `models/all-minilm-l6-v2` of the checkout;
    /// `None` when it holds no `model.safetensors`.
    pub fn locate() -> Option<PathBuf> {
        let dir = std::env::var_os(MODEL_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| crate::config::project_dir().join(MODEL_DIR));
        dir.join("model.safetensors").is_file().then_some(dir)
    }

    /// Loads `model.safetensors` and `vocab.txt` from `dir` (about 0.3 s).
    pub fn load(dir: &Path) -> Result<Encoder> {
        let started = Instant::now();
        let weights = dir.join("model.safetensors");
        let vocab = dir.join("vocab.txt");
        let mut hasher = blake3::Hasher::new();
        for path in [&weights, &vocab] {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            hasher.update(&bytes);
        }
        let encoder = Encoder {
            wordpiece: WordPiece::from_file(&vocab)?,
            bert: Bert::from_file(&weights)?,
            fingerprint: hasher.finalize().to_hex().to_string(),
        };
        tracing::info!(model = %dir.display(), ms = started.elapsed().as_millis() as u64, "sentence encoder loaded");
        Ok(encoder)
    }

    /// The unit vector of one text.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        self.bert
            .embed(&[self.wordpiece.encode(text)])
            .pop()
            .unwrap_or_else(|| vec![0.0; HIDDEN])
    }

    /// The unit vectors of many texts, in order, on all cores.
    pub fn embed_all(&self, texts: &[&str], progress: &indicatif::ProgressBar) -> Vec<Vec<f32>> {
        let tokens: Vec<Vec<u32>> = texts.iter().map(|t| self.wordpiece.encode(t)).collect();
        // Sentences of similar length together keep the attention blocks even.
        let mut order: Vec<usize> = (0..tokens.len()).collect();
        order.sort_by_key(|&i| tokens[i].len());
        let batches: Vec<Vec<usize>> = order.chunks(BATCH).map(|c| c.to_vec()).collect();
        let embedded: Vec<(Vec<usize>, Vec<Vec<f32>>)> = batches
            .into_par_iter()
            .map(|batch| {
                let sentences: Vec<Vec<u32>> = batch.iter().map(|&i| tokens[i].clone()).collect();
                let vectors = self.bert.embed(&sentences);
                progress.inc(batch.len() as u64);
                (batch, vectors)
            })
            .collect();
        let mut out = vec![Vec::new(); texts.len()];
        for (batch, vectors) in embedded {
            for (i, v) in batch.into_iter().zip(vectors) {
                out[i] = v;
            }
        }
        out
    }
}

/// The vectors of the English labels of every occupation, with the label each belongs to, and of
/// their English descriptions.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct OccupationVectors {
    fingerprint: String,
    /// (concept, position of the label in the concept's labels), one per vector.
    labels: Vec<(ConceptIdx, u16)>,
    /// `labels.len()` × [`HIDDEN`] floats.
    vectors: Vec<f32>,
    /// The occupations with an English description, in concept order, one per vector.
    described: Vec<ConceptIdx>,
    /// `described.len()` × [`HIDDEN`] floats.
    descriptions: Vec<f32>,
}

/// The best label of one concept for a query vector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    pub concept: ConceptIdx,
    pub label: u16,
    pub cosine: f32,
}

impl OccupationVectors {
    /// The labels embedded: English preferred and alternative labels of occupations. Hidden
    /// labels are mostly misspellings and outdated terms, which the lexical side already reads.
    fn labels_of(model: &Model) -> Vec<(ConceptIdx, u16)> {
        let mut labels = Vec::new();
        for (i, c) in model.concepts.iter().enumerate() {
            if c.kind != Kind::Occupation {
                continue;
            }
            for (j, l) in c.labels.iter().enumerate() {
                if l.lang == Lang::EN && l.form != LabelForm::Hidden {
                    labels.push((i as ConceptIdx, j as u16));
                }
            }
        }
        labels
    }

    /// The occupations whose English description is embedded, in concept order.
    fn described_of(model: &Model) -> Vec<ConceptIdx> {
        (0..model.concepts.len() as ConceptIdx)
            .filter(|&c| {
                let concept = model.concept(c);
                concept.kind == Kind::Occupation
                    && concept
                        .descriptions
                        .get(&Lang::EN)
                        .is_some_and(|d| !d.trim().is_empty())
            })
            .collect()
    }

    /// Reads the cached vectors for this index and model from `index_dir`, or embeds the labels
    /// and writes the cache (minutes on two cores; once per index and model).
    pub fn load_or_build(
        index_dir: &Path,
        index_fingerprint: &str,
        model: &Model,
        encoder: &Encoder,
        progress: bool,
    ) -> Result<OccupationVectors> {
        let fingerprint = {
            let mut h = blake3::Hasher::new();
            h.update(index_fingerprint.as_bytes());
            h.update(encoder.fingerprint.as_bytes());
            h.update(&EMBEDDING_VERSION.to_le_bytes());
            h.finalize().to_hex()[..16].to_string()
        };
        let path = index_dir.join(format!("embeddings-{fingerprint}.bin"));
        if let Ok(bytes) = std::fs::read(&path) {
            match bincode::serde::decode_from_slice::<OccupationVectors, _>(
                &bytes,
                bincode::config::standard(),
            ) {
                Ok((cached, _)) if cached.fingerprint == fingerprint => {
                    tracing::info!(path = %path.display(), labels = cached.labels.len(), "occupation vectors loaded");
                    return Ok(cached);
                }
                _ => {
                    tracing::warn!(path = %path.display(), "unreadable occupation vectors; rebuilding")
                }
            }
        }
        let started = Instant::now();
        let labels = Self::labels_of(model);
        let described = Self::described_of(model);
        let mut texts: Vec<&str> = labels
            .iter()
            .map(|&(c, l)| model.concept(c).labels[l as usize].text.as_str())
            .collect();
        texts.extend(
            described
                .iter()
                .map(|&c| model.concept(c).descriptions[&Lang::EN].as_str()),
        );
        tracing::info!(
            labels = labels.len(),
            descriptions = described.len(),
            "embedding occupation labels and descriptions"
        );
        let bar = crate::index::progress_bar(texts.len(), "embedding", progress);
        let mut vectors = encoder.embed_all(&texts, &bar).concat();
        bar.finish_and_clear();
        let descriptions = vectors.split_off(labels.len() * HIDDEN);
        let built = OccupationVectors {
            fingerprint,
            labels,
            vectors,
            described,
            descriptions,
        };
        let bytes = bincode::serde::encode_to_vec(&built, bincode::config::standard())
            .map_err(|e| Error::Internal(format!("encoding occupation vectors: {e}")))?;
        let temporary = path.with_extension("bin.tmp");
        std::fs::write(&temporary, bytes).map_err(|e| Error::io(&temporary, e))?;
        std::fs::rename(&temporary, &path).map_err(|e| Error::io(&path, e))?;
        crate::index::remove_stale_caches(&path, "embeddings-");
        tracing::info!(path = %path.display(), labels = built.labels.len(), seconds = started.elapsed().as_secs_f64(), "occupation vectors written");
        Ok(built)
    }

    /// Per occupation, its label nearest to `query` (a unit vector), best first.
    pub fn nearest(&self, query: &[f32]) -> Vec<Nearest> {
        let cosines = self.cosines(query);
        // Labels are stored in concept order: each concept's labels are one run.
        let mut out: Vec<Nearest> = Vec::new();
        for (&(concept, label), &cosine) in self.labels.iter().zip(&cosines) {
            match out.last_mut() {
                Some(last) if last.concept == concept => {
                    if cosine > last.cosine {
                        last.label = label;
                        last.cosine = cosine;
                    }
                }
                _ => out.push(Nearest {
                    concept,
                    label,
                    cosine,
                }),
            }
        }
        out.sort_by(|a, b| {
            b.cosine
                .total_cmp(&a.cosine)
                .then(a.concept.cmp(&b.concept))
        });
        out
    }

    /// Per occupation with an English description, the cosine of `query` with it.
    pub fn description_cosines<'a>(
        &'a self,
        query: &'a [f32],
    ) -> impl Iterator<Item = (ConceptIdx, f32)> + 'a {
        self.described.iter().copied().zip(
            self.descriptions
                .chunks_exact(HIDDEN)
                .map(move |v| dot(v, query)),
        )
    }

    /// The cosine of `query` with every label vector.
    fn cosines(&self, query: &[f32]) -> Vec<f32> {
        self.vectors
            .chunks_exact(HIDDEN)
            .map(|v| dot(v, query))
            .collect()
    }

    /// How alike two occupations are in meaning: the cosine of their English descriptions when both
    /// have one (a description says what the job does; labels are terse, and two jobs share a title
    /// word more often than their tasks), else the highest cosine between a label of `a` and a
    /// label of `b`; `None` when either has no vector (not an occupation, nothing in English).
    /// On the ESCO→O*NET validation slice (Acc@1 / Acc@5, `SEMANTIC_SHARE` 0.5): labels only 30.2 /
    /// 53.2, ½ label + ½ description 34.3 / 58.1, the larger of the two 31.3 / 54.6, description
    /// only 37.5 / 62.1.
    pub fn similarity(&self, a: ConceptIdx, b: ConceptIdx) -> Option<f32> {
        if let (Some(x), Some(y)) = (self.description_of(a), self.description_of(b)) {
            return Some(dot(x, y));
        }
        let (va, vb) = (self.vectors_of(a), self.vectors_of(b));
        if va.is_empty() || vb.is_empty() {
            return None;
        }
        let best = va
            .chunks_exact(HIDDEN)
            .flat_map(|x| vb.chunks_exact(HIDDEN).map(move |y| dot(x, y)))
            .fold(f32::MIN, f32::max);
        Some(best)
    }

    /// The description vector of one concept, when it has an English description.
    fn description_of(&self, concept: ConceptIdx) -> Option<&[f32]> {
        let i = self.described.binary_search(&concept).ok()?;
        Some(&self.descriptions[i * HIDDEN..(i + 1) * HIDDEN])
    }

    /// The label vectors of one concept: labels are stored in concept order.
    fn vectors_of(&self, concept: ConceptIdx) -> &[f32] {
        let start = self.labels.partition_point(|&(c, _)| c < concept);
        let end = self.labels.partition_point(|&(c, _)| c <= concept);
        &self.vectors[start * HIDDEN..end * HIDDEN]
    }

    /// Of the index, the model and what is embedded: caches built on these vectors key on it.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// Dot product in 16 independent lanes, which the compiler vectorises (a plain float sum it may
/// not reorder, so it would run one multiply at a time).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 16];
    let (a_chunks, b_chunks) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for k in 0..16 {
            lanes[k] += x[k] * y[k];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// The encoder with the occupation vectors of one index: what full search needs.
pub struct Semantic {
    pub encoder: Encoder,
    pub occupations: OccupationVectors,
    queries: QueryCache,
}

/// Query vectors kept per generation: 4,096 × 384 floats is 6 MB, two generations 12 MB.
const QUERY_CACHE_GENERATION: usize = 4096;

/// The vectors of recent queries. Embedding one costs about 12 ms on this machine, most of a full
/// search for occupations; people repeat popular queries. Two generations bound the memory: when
/// the current one is full it becomes the previous one, and a query found there moves back.
#[derive(Default)]
struct QueryCache {
    generations: std::sync::Mutex<[HashMap<String, Arc<[f32]>>; 2]>,
}

impl QueryCache {
    fn get_or_embed(&self, text: &str, embed: impl FnOnce() -> Vec<f32>) -> Arc<[f32]> {
        // The model folds case and splits on white space itself: these read the same to it.
        let key = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        {
            let mut generations = self.generations.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(found) = generations[0].get(&key) {
                return found.clone();
            }
            if let Some(found) = generations[1].remove(&key) {
                Self::insert(&mut generations, key, found.clone());
                return found;
            }
        }
        // Embedded outside the lock: other queries need not wait for this one.
        let vector: Arc<[f32]> = embed().into();
        let mut generations = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        Self::insert(&mut generations, key, vector.clone());
        vector
    }

    fn insert(generations: &mut [HashMap<String, Arc<[f32]>>; 2], key: String, v: Arc<[f32]>) {
        if generations[0].len() >= QUERY_CACHE_GENERATION {
            generations[1] = std::mem::take(&mut generations[0]);
        }
        generations[0].insert(key, v);
    }
}

impl Semantic {
    /// The unit vector of a query, from the cache of recent ones when it is there.
    pub fn query_vector(&self, text: &str) -> Arc<[f32]> {
        self.queries.get_or_embed(text, || self.encoder.embed(text))
    }

    /// The semantic signal for the index in `index_dir` with the model in `model_dir` (usually
    /// [`Encoder::locate`]); `None`, logged once, when there is no model or it cannot be read.
    pub fn open(
        model_dir: Option<&Path>,
        index_dir: &Path,
        index_fingerprint: &str,
        model: &Model,
        progress: bool,
    ) -> Option<Semantic> {
        let Some(dir) = model_dir.filter(|d| d.join("model.safetensors").is_file()) else {
            tracing::info!(
                "no sentence-embedding model (models/all-minilm-l6-v2 or {MODEL_ENV}); search is lexical only — scripts/fetch-model.sh installs it"
            );
            return None;
        };
        let opened = Encoder::load(dir).and_then(|encoder| {
            let occupations = OccupationVectors::load_or_build(
                index_dir,
                index_fingerprint,
                model,
                &encoder,
                progress,
            )?;
            Ok(Semantic {
                encoder,
                occupations,
                queries: QueryCache::default(),
            })
        });
        match opened {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "sentence-embedding model unusable; search is lexical only");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_query_is_embedded_once_and_the_cache_stays_bounded() {
        let cache = QueryCache::default();
        let embedded = std::cell::Cell::new(0);
        let embed = |text: &str| {
            cache.get_or_embed(text, || {
                embedded.set(embedded.get() + 1);
                vec![embedded.get() as f32]
            })
        };
        let first = embed("Payroll  Clerk");
        assert_eq!(
            embed("payroll clerk"),
            first,
            "case and spacing read the same"
        );
        assert_eq!(embedded.get(), 1);
        for i in 0..2 * QUERY_CACHE_GENERATION {
            embed(&format!("query {i}"));
        }
        assert_eq!(embedded.get(), 1 + 2 * QUERY_CACHE_GENERATION);
        let generations = cache.generations.lock().unwrap();
        assert!(generations.iter().map(HashMap::len).sum::<usize>() <= 2 * QUERY_CACHE_GENERATION);
        assert!(!generations.iter().any(|g| g.contains_key("payroll clerk")));
    }
}
