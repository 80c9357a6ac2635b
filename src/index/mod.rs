//! The search index on disk: a tantivy index with one document per label, beside a snapshot of
//! the concept model and of each label's analysed words (used to rank candidates), and a manifest
//! with the fingerprint of the input data and of the analysis settings.
//!
//! Layout of the index folder:
//! - `manifest.json`: fingerprint, counts, build time;
//! - `catalog.bin`: [`Catalog`] (bincode);
//! - `tantivy/`: the label index (fields in [`Fields`]).
//!
//! A build writes into a sibling temporary folder and swaps it in when complete, so a reader never
//! sees half an index.

pub mod associates;
mod schema;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use tantivy::{doc, Index, IndexReader, ReloadPolicy};

pub use schema::Fields;

use crate::text::{self, Analyzer, Lang, Lexicon};
use crate::vocab::{self, ConceptIdx, ExtraVocab, LabelForm, Model};
use crate::{Error, Result};

/// Bump when tokenisation, folding, stemming or compound splitting changes what is indexed:
/// it is part of the fingerprint, so every index built before is rebuilt.
pub const ANALYSIS_VERSION: &str =
    "analysis-6: uax29 words, nfkd fold, snowball stems, lexicon compounds, label-word associates, description stems";

/// One analysed word of a label.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LabelWord {
    pub folded: String,
    pub stem: String,
    /// Compound parts when the word splits into known words; empty otherwise.
    pub parts: Vec<String>,
    pub stopword: bool,
}

/// A label as the ranker sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexedLabel {
    pub concept: ConceptIdx,
    /// Position in the concept's `labels`.
    pub label: u16,
    pub words: Vec<LabelWord>,
}

/// Everything besides tantivy that the search needs in memory.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Catalog {
    pub model: Model,
    pub labels: Vec<IndexedLabel>,
    pub lexicon: Lexicon,
    /// In how many labels each folded word occurs, for inverse document frequency.
    pub word_labels: HashMap<String, u32>,
    /// Words that name the same concepts ([`associates`]).
    pub associates: associates::Associates,
    /// Per concept, the sorted stems of its descriptions (all languages), for full search.
    pub description_stems: Vec<Vec<String>>,
}

impl Catalog {
    /// Inverse label frequency of a folded word; unknown words count as the rarest.
    pub fn idf(&self, folded: &str) -> f32 {
        let n = self.labels.len().max(1) as f32;
        let df = self.word_labels.get(folded).copied().unwrap_or(0) as f32;
        // BM25's idf, which stays positive for words in more than half the labels.
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub fingerprint: String,
    pub analysis_version: String,
    pub concepts: usize,
    pub labels: usize,
    pub built_at: String,
    pub build_seconds: f64,
}

/// Where the inputs are and where the index goes.
#[derive(Debug, Clone)]
pub struct Sources {
    pub data: PathBuf,
    pub extra: Vec<ExtraVocab>,
}

/// The fingerprint of the input files' contents and the analysis settings.
pub fn fingerprint(sources: &Sources) -> Result<String> {
    let mut hasher = blake3::Hasher::new();
    hasher.update(ANALYSIS_VERSION.as_bytes());
    for e in &sources.extra {
        hasher.update(e.id.as_bytes());
    }
    for path in vocab::input_files(&sources.data, &sources.extra)? {
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let name = path.strip_prefix(&sources.data).unwrap_or(&path);
        hasher.update(name.to_string_lossy().as_bytes());
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(hasher.finalize().to_hex().to_string())
}

/// An opened index: the catalog in memory and one tantivy reader for the process.
pub struct OpenIndex {
    pub catalog: Catalog,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub manifest: Manifest,
}

/// Reads the manifest of a built index, if there is one.
pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// Opens the index in `dir`, building it first when it is missing or its fingerprint differs
/// from the inputs'.
pub fn open_or_build(dir: &Path, sources: &Sources, progress: bool) -> Result<OpenIndex> {
    let wanted = fingerprint(sources)?;
    match read_manifest(dir) {
        Some(m) if m.fingerprint == wanted => {
            tracing::info!(index = %dir.display(), "index is up to date");
        }
        Some(_) => {
            tracing::info!(index = %dir.display(), "inputs or analysis changed; rebuilding the index");
            build(dir, sources, progress)?;
        }
        None => {
            tracing::info!(index = %dir.display(), "no index yet; building it");
            build(dir, sources, progress)?;
        }
    }
    open(dir)
}

/// Opens a built index read-only.
pub fn open(dir: &Path) -> Result<OpenIndex> {
    let manifest = read_manifest(dir).ok_or_else(|| {
        Error::bad_input(
            dir.join("manifest.json"),
            0,
            "no built index here; run `skillbridge index`",
        )
    })?;
    let catalog_path = dir.join("catalog.bin");
    let bytes = std::fs::read(&catalog_path).map_err(|e| Error::io(&catalog_path, e))?;
    let (catalog, _): (Catalog, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard())
            .map_err(|e| Error::bad_input(&catalog_path, 0, format!("unreadable catalog: {e}")))?;
    let index = Index::open_in_dir(dir.join("tantivy"))?;
    let fields = Fields::from_schema(&index.schema())?;
    schema::register_tokenizers(&index);
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    Ok(OpenIndex {
        catalog,
        index,
        reader,
        fields,
        manifest,
    })
}

/// Builds the index from the sources into `dir`, replacing what was there only once complete.
pub fn build(dir: &Path, sources: &Sources, progress: bool) -> Result<Manifest> {
    let started = Instant::now();
    let fingerprint = fingerprint(sources)?;
    let model = vocab::load_model(&sources.data, &sources.extra)?;
    tracing::info!(
        concepts = model.concepts.len(),
        seconds = started.elapsed().as_secs_f64(),
        "vocabularies loaded"
    );
    let catalog = analyse(model, progress);

    let tmp = sibling(dir, "building");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    }
    let tantivy_dir = tmp.join("tantivy");
    std::fs::create_dir_all(&tantivy_dir).map_err(|e| Error::io(&tantivy_dir, e))?;
    write_tantivy(&tantivy_dir, &catalog, progress)?;

    let bytes = bincode::serde::encode_to_vec(&catalog, bincode::config::standard())
        .map_err(|e| Error::Internal(format!("catalog encoding: {e}")))?;
    let catalog_path = tmp.join("catalog.bin");
    std::fs::write(&catalog_path, bytes).map_err(|e| Error::io(&catalog_path, e))?;
    let manifest = Manifest {
        fingerprint,
        analysis_version: ANALYSIS_VERSION.to_string(),
        concepts: catalog.model.concepts.len(),
        labels: catalog.labels.len(),
        built_at: chrono::Utc::now().to_rfc3339(),
        build_seconds: started.elapsed().as_secs_f64(),
    };
    let manifest_path = tmp.join("manifest.json");
    let json =
        serde_json::to_string_pretty(&manifest).map_err(|e| Error::Internal(e.to_string()))?;
    std::fs::write(&manifest_path, json).map_err(|e| Error::io(&manifest_path, e))?;

    // Swap the new index in: the old one moves aside first, so a failure leaves one of them whole.
    let old = sibling(dir, "old");
    if dir.exists() {
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        std::fs::rename(dir, &old).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::rename(&tmp, dir).map_err(|e| Error::io(dir, e))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    tracing::info!(
        concepts = manifest.concepts,
        labels = manifest.labels,
        seconds = manifest.build_seconds,
        "index built"
    );
    Ok(manifest)
}

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "index".into());
    dir.with_file_name(format!(".{name}.{suffix}"))
}

pub(crate) fn progress_bar(len: usize, message: &'static str, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({elapsed})")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}

/// Analyses every label: folded words, stems, compound parts; and the word statistics.
pub fn analyse(model: Model, progress: bool) -> Catalog {
    let analyzer = Analyzer::new();
    let mut lexicon = Lexicon::default();
    for concept in &model.concepts {
        for label in &concept.labels {
            for word in text::words(&label.text) {
                lexicon.add(label.lang, &word);
            }
        }
    }
    let total: usize = model.concepts.iter().map(|c| c.labels.len()).sum();
    let bar = progress_bar(total, "analysing", progress);
    let mut split_cache: HashMap<(Lang, String), Vec<String>> = HashMap::new();
    let mut labels = Vec::with_capacity(total);
    let mut word_labels: HashMap<String, u32> = HashMap::new();
    for (idx, concept) in model.concepts.iter().enumerate() {
        for (pos, label) in concept.labels.iter().enumerate() {
            let mut words = Vec::new();
            for folded in text::words(&label.text) {
                let parts = split_cache
                    .entry((label.lang, folded.clone()))
                    .or_insert_with(|| lexicon.split(label.lang, &folded).unwrap_or_default())
                    .clone();
                words.push(LabelWord {
                    stem: analyzer.stem(label.lang, &folded),
                    stopword: analyzer.is_stopword(label.lang, &folded),
                    folded,
                    parts,
                });
            }
            let mut seen: Vec<&str> = words.iter().map(|w| w.folded.as_str()).collect();
            seen.sort_unstable();
            seen.dedup();
            for w in seen {
                *word_labels.entry(w.to_string()).or_insert(0) += 1;
            }
            labels.push(IndexedLabel {
                concept: idx as ConceptIdx,
                label: u16::try_from(pos).unwrap_or(u16::MAX),
                words,
            });
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    let associates = associates::learn(&model, &labels);
    let description_stems = model
        .concepts
        .iter()
        .map(|c| {
            let mut stems: Vec<String> = c
                .descriptions
                .iter()
                .flat_map(|(lang, text)| {
                    text::words(text)
                        .into_iter()
                        .filter(|w| !analyzer.is_stopword(*lang, w))
                        .map(|w| analyzer.stem(*lang, &w))
                        .collect::<Vec<_>>()
                })
                .collect();
            stems.sort_unstable();
            stems.dedup();
            stems
        })
        .collect();
    Catalog {
        description_stems,
        model,
        labels,
        lexicon,
        word_labels,
        associates,
    }
}

/// Writes one tantivy document per label.
fn write_tantivy(dir: &Path, catalog: &Catalog, progress: bool) -> Result<()> {
    let (schema, fields) = Fields::schema();
    let index = Index::create_in_dir(dir, schema)?;
    schema::register_tokenizers(&index);
    // 2 indexing threads on the 2-core machine; the budget is tantivy's minimum per thread × 4,
    // which keeps the ~190k small documents in few segments without swapping.
    let mut writer = index.writer_with_num_threads(2, 120_000_000)?;
    let bar = progress_bar(catalog.labels.len(), "indexing", progress);
    for (label_ref, l) in catalog.labels.iter().enumerate() {
        let concept = catalog.model.concept(l.concept);
        let label = &concept.labels[l.label as usize];
        let words: Vec<&str> = l.words.iter().map(|w| w.folded.as_str()).collect();
        let stems: Vec<&str> = l.words.iter().map(|w| w.stem.as_str()).collect();
        // Parts of compounds, so that `heftruck chauffeur` finds `heftruckchauffeur`; the other
        // direction splits the query word (see `search`).
        let parts: Vec<&str> = l
            .words
            .iter()
            .flat_map(|w| w.parts.iter().map(String::as_str))
            .collect();
        writer.add_document(doc!(
            fields.label_ref => label_ref as u64,
            fields.vocab => concept.vocab.as_str(),
            fields.kind => concept.kind.as_str(),
            fields.lang => label.lang.as_str(),
            fields.preferred => u64::from(label.form == LabelForm::Preferred),
            fields.words => words.join(" "),
            fields.stems => stems.join(" "),
            fields.parts => parts.join(" "),
        ))?;
        bar.inc(1);
    }
    writer.commit()?;
    // One segment keeps per-request work (and the fast-field lookups) to a single pass.
    let segments = index.searchable_segment_ids()?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    writer.wait_merging_threads()?;
    bar.finish_and_clear();
    Ok(())
}

/// Removes the cache files beside the index (`<prefix><key>.bin`) of earlier keys than `current`'s,
/// so that an upgrade or a data change does not leave the old ones behind.
pub fn remove_stale_caches(current: &Path, prefix: &str) {
    let (Some(dir), Some(name)) = (current.parent(), current.file_name()) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let other = entry.file_name();
        let other = other.to_string_lossy();
        if other.starts_with(prefix) && other.ends_with(".bin") && *other != *name {
            if let Err(e) = std::fs::remove_file(entry.path()) {
                tracing::warn!(file = %entry.path().display(), error = %e, "stale cache file not removed");
            }
        }
    }
}
