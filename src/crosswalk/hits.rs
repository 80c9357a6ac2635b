//! Hit mappings: for every concept, its best confident mapping into each other vocabulary, so a
//! search-box hit shows where it lands elsewhere and one query reaches every vocabulary
//! (issue #3, "no wrong door").
//!
//! Computing one concept's mappings cold costs 65–300 ms, far over the search box's budget, so
//! the table is built ahead ([`warm`]): the whole crosswalk of every small source vocabulary
//! ([`MAX_WARM_SOURCE`]) into every other one, read forward and, with the inverse relation, from
//! the object's side. ESCO is never a warmed source (too large), but its concepts get VKS and
//! imported counterparts by inversion. A request then only looks the concept up.
//!
//! The warmed mapping sets are written next to the index (`hit-mappings-<key>.bin`, bincode)
//! under a key of the index fingerprint, the curated mapping files' content and the settings
//! below; a restart on the same inputs reads them back in milliseconds and also primes the
//! crosswalk cache, so `/v1/crosswalks/vks/esco` answers at once. A missing, corrupt or foreign
//! file is ignored and rebuilt.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::{Crosswalks, Mapping, MappingSource, Relation, Stage};
use crate::vocab::{ConceptIdx, Kind, Model};
use crate::{Error, Result};

/// A computed mapping is shown on a search hit only from this confidence on: a wrong counterpart
/// shown to a citizen is worse than none. Of the hand-judged best VKS → ESCO qualification
/// mappings in the README ("Hit mappings"), 1 of 15 at ≥ 0.75 was wrong, 6 of 14 at 0.70–0.75 and
/// 3 of 4 at 0.55–0.70 (the closeMatch threshold). No competence mapping reaches it (the best
/// judged one is at 0.4). Curated mappings are shown whatever their confidence.
pub const HIT_MIN_CONFIDENCE: f32 = 0.75;
/// Vocabularies with at most this many concepts (groups not counted) are warmed as sources: VKS
/// (4,528 qualifications and competences, 14.7 s into ESCO on 2 cores) and imported sector
/// vocabularies. ESCO (about 17,000 occupations, skills and knowledge concepts, 65–300 ms each
/// for the skills) would take minutes; its counterparts come from the inverse.
pub const MAX_WARM_SOURCE: usize = 10_000;
/// Bump when the scoring, the relation rule or this file's format changes: it is part of the
/// cache key, so every cached warm-up made before is recomputed.
const FORMAT: &str = "hit-mappings-2";
/// A cache file claiming more than this is corrupt: the real one is a few MB. Bounds what a
/// damaged length field can make the decoder allocate.
const MAX_CACHE_BYTES: usize = 1 << 30;

/// One shown mapping of a hit: the object in another vocabulary, read from the hit's side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HitMapping {
    pub object: ConceptIdx,
    pub relation: Relation,
    pub confidence: f32,
    pub source: MappingSource,
}

/// Per concept, its best shown mapping into each other vocabulary, in vocabulary order.
#[derive(Debug, Default)]
pub struct HitMappings {
    by_subject: HashMap<ConceptIdx, Vec<HitMapping>>,
}

impl HitMappings {
    /// The mappings shown with a hit on `subject` (empty when none is confident enough).
    pub fn of(&self, subject: ConceptIdx) -> &[HitMapping] {
        self.by_subject.get(&subject).map_or(&[], Vec::as_slice)
    }

    /// Concepts with at least one shown mapping.
    pub fn concepts(&self) -> usize {
        self.by_subject.len()
    }

    /// The table read from warmed mapping sets: each kept mapping forward and inverted, the best
    /// per (concept, vocabulary) — curated first, then by confidence, then by object id.
    pub fn from_sets(model: &Model, sets: &[MappingSet]) -> HitMappings {
        let mut best: HashMap<(ConceptIdx, &str), HitMapping> = HashMap::new();
        let mut offer = |subject: ConceptIdx, candidate: HitMapping| {
            let vocab = model.concept(candidate.object).vocab.as_str();
            best.entry((subject, vocab))
                .and_modify(|held| {
                    if better(model, &candidate, held) {
                        *held = candidate;
                    }
                })
                .or_insert(candidate);
        };
        for set in sets {
            for (_, mappings) in &set.subjects {
                for m in mappings.iter().filter(|m| shown(m)) {
                    offer(
                        m.subject,
                        HitMapping {
                            object: m.object,
                            relation: m.relation,
                            confidence: m.confidence,
                            source: m.source,
                        },
                    );
                    offer(
                        m.object,
                        HitMapping {
                            object: m.subject,
                            relation: m.relation.inverse(),
                            confidence: m.confidence,
                            source: m.source,
                        },
                    );
                }
            }
        }
        let order: HashMap<&str, usize> = model
            .vocabularies
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.as_str(), i))
            .collect();
        let mut by_subject: HashMap<ConceptIdx, Vec<(usize, HitMapping)>> = HashMap::new();
        for ((subject, vocab), m) in best {
            let rank = order.get(vocab).copied().unwrap_or(usize::MAX);
            by_subject.entry(subject).or_default().push((rank, m));
        }
        HitMappings {
            by_subject: by_subject
                .into_iter()
                .map(|(subject, mut list)| {
                    list.sort_by_key(|(rank, _)| *rank);
                    (subject, list.into_iter().map(|(_, m)| m).collect())
                })
                .collect(),
        }
    }
}

/// Whether a mapping may be shown on a search hit.
fn shown(m: &Mapping) -> bool {
    m.source == MappingSource::Curated || m.confidence >= HIT_MIN_CONFIDENCE
}

fn better(model: &Model, a: &HitMapping, b: &HitMapping) -> bool {
    let curated = |m: &HitMapping| m.source == MappingSource::Curated;
    (curated(a), a.confidence, &model.concept(b.object).id)
        .partial_cmp(&(curated(b), b.confidence, &model.concept(a.object).id))
        .is_some_and(|o| o.is_gt())
}

/// The whole crosswalk from one vocabulary into another: every subject with its mappings (empty
/// ones too, so that priming the cache leaves nothing to recompute).
#[derive(Debug, Clone, bincode::Encode, bincode::Decode)]
pub struct MappingSet {
    pub from: String,
    pub to: String,
    pub subjects: Vec<(ConceptIdx, Vec<Mapping>)>,
}

/// What is written next to the index.
#[derive(bincode::Encode, bincode::Decode)]
struct CacheFile {
    format: String,
    key: String,
    concepts: u32,
    sets: Vec<MappingSet>,
}

/// How a warm-up went.
#[derive(Debug, Clone)]
pub struct Warmed {
    /// Read from the cache file rather than computed.
    pub from_cache: bool,
    /// The cache file (read or written); `None` without a cache folder.
    pub file: Option<PathBuf>,
    /// (from, to) pairs warmed.
    pub pairs: Vec<(String, String)>,
    /// Concepts with at least one shown mapping.
    pub concepts: usize,
    pub seconds: f64,
}

/// The pairs warmed: every small vocabulary into every other one, in vocabulary order.
pub fn warm_pairs(model: &Model) -> Vec<(String, String)> {
    let small = model.vocabularies.iter().filter(|v| {
        v.counts
            .iter()
            .filter(|(kind, _)| **kind != Kind::Group)
            .map(|(_, n)| n)
            .sum::<usize>()
            <= MAX_WARM_SOURCE
    });
    small
        .flat_map(|from| {
            model
                .vocabularies
                .iter()
                .filter(move |to| to.id != from.id)
                .map(move |to| (from.id.clone(), to.id.clone()))
        })
        .collect()
}

/// The cache key: the index, the curated files, the scoring options, the sentence vectors (they
/// change occupation scores) and this file's settings.
pub fn cache_key(crosswalks: &Crosswalks) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(FORMAT.as_bytes());
    hasher.update(crosswalks.engine().manifest().fingerprint.as_bytes());
    hasher.update(crosswalks.curated.fingerprint().as_bytes());
    hasher.update(format!("{:?}", crosswalks.options()).as_bytes());
    let semantic = crosswalks.engine().semantic();
    hasher.update(
        semantic
            .map_or("lexical", |s| s.occupations.fingerprint())
            .as_bytes(),
    );
    hasher.update(&super::SEMANTIC_SHARE.to_le_bytes());
    hasher.update(&HIT_MIN_CONFIDENCE.to_le_bytes());
    hasher.update(&(MAX_WARM_SOURCE as u64).to_le_bytes());
    hasher.finalize().to_hex().to_string()
}

/// The cache file's name for a key; 16 hex digits tell keys apart, the full key is inside.
fn file_name(key: &str) -> String {
    format!("hit-mappings-{}.bin", &key[..16])
}

/// Builds the hit mappings and installs them in `crosswalks`, reading and writing the cache in
/// `cache_dir` when given. Synchronous: `serve` runs it on a background thread, tests call it
/// directly. A cache that cannot be read or written is logged and bypassed, never fatal.
pub fn warm(crosswalks: &Crosswalks, cache_dir: Option<&Path>) -> Result<Warmed> {
    let started = Instant::now();
    let model = crosswalks.model();
    let key = cache_key(crosswalks);
    let file = cache_dir.map(|dir| dir.join(file_name(&key)));
    let cached = file.as_deref().and_then(|path| match read(path, &key, model) {
        Ok(sets) => sets,
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "hit mappings cache ignored; recomputing");
            None
        }
    });
    let from_cache = cached.is_some();
    let sets = match cached {
        Some(sets) => {
            prime(crosswalks, &sets);
            sets
        }
        None => {
            let sets = compute(crosswalks)?;
            if let Some(path) = &file {
                match write(path, &key, model, &sets) {
                    Ok(()) => crate::index::remove_stale_caches(path, "hit-mappings-"),
                    Err(e) => {
                        tracing::warn!(file = %path.display(), error = %e, "hit mappings cache not written")
                    }
                }
            }
            sets
        }
    };
    let table = HitMappings::from_sets(model, &sets);
    let warmed = Warmed {
        from_cache,
        file,
        pairs: sets
            .iter()
            .map(|s| (s.from.clone(), s.to.clone()))
            .collect(),
        concepts: table.concepts(),
        seconds: started.elapsed().as_secs_f64(),
    };
    // A second warm-up of the same crosswalks computes the same table; the first one stays.
    let _ = crosswalks.hits.set(table);
    tracing::info!(
        from_cache,
        concepts = warmed.concepts,
        seconds = warmed.seconds,
        "hit mappings ready"
    );
    Ok(warmed)
}

/// Computes every warmed pair (in parallel within a pair).
fn compute(crosswalks: &Crosswalks) -> Result<Vec<MappingSet>> {
    let pairs = warm_pairs(crosswalks.model());
    tracing::info!(pairs = pairs.len(), "warming crosswalks for search hits");
    pairs
        .into_iter()
        .map(|(from, to)| {
            let started = Instant::now();
            crosswalks.crosswalk(&from, &to, &[])?;
            let subjects: Vec<(ConceptIdx, Vec<Mapping>)> = crosswalks
                .subjects(&from, &[])
                .into_iter()
                .map(|s| (s, crosswalks.mappings(s, &to, Stage::Full).to_vec()))
                .collect();
            tracing::info!(
                %from,
                %to,
                subjects = subjects.len(),
                seconds = started.elapsed().as_secs_f64(),
                "crosswalk warmed"
            );
            Ok(MappingSet { from, to, subjects })
        })
        .collect()
}

/// Puts cached mapping sets into the crosswalk cache, as if computed.
fn prime(crosswalks: &Crosswalks, sets: &[MappingSet]) {
    let mut memo = crosswalks.memo.lock().expect("memo lock");
    for set in sets {
        for (subject, mappings) in &set.subjects {
            memo.insert(
                (*subject, set.to.clone(), Stage::Full),
                Arc::new(mappings.clone()),
            );
        }
    }
}

/// The cached sets when the file is there and made for `key` over this model; `Ok(None)` when
/// there is no file, an error when it is unreadable or foreign.
fn read(path: &Path, key: &str, model: &Model) -> Result<Option<Vec<MappingSet>>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    let bad = |message: String| Error::bad_input(path, 0, message);
    let config = bincode::config::standard().with_limit::<MAX_CACHE_BYTES>();
    let (file, _): (CacheFile, usize) =
        bincode::decode_from_slice(&bytes, config).map_err(|e| bad(format!("unreadable: {e}")))?;
    if file.format != FORMAT || file.key != key {
        return Err(bad("made for other inputs".into()));
    }
    let n = model.concepts.len();
    let known = |i: ConceptIdx| (i as usize) < n;
    let consistent = file.concepts as usize == n
        && file.sets.iter().all(|set| {
            model.vocabulary(&set.from).is_some()
                && model.vocabulary(&set.to).is_some()
                && set.subjects.iter().all(|(s, mappings)| {
                    known(*s) && mappings.iter().all(|m| m.subject == *s && known(m.object))
                })
        });
    if !consistent {
        return Err(bad("does not fit the index".into()));
    }
    Ok(Some(file.sets))
}

/// Writes the cache atomically: a temporary file beside it, then a rename.
fn write(path: &Path, key: &str, model: &Model, sets: &[MappingSet]) -> Result<()> {
    let file = CacheFile {
        format: FORMAT.to_string(),
        key: key.to_string(),
        concepts: model.concepts.len() as u32,
        sets: sets.to_vec(),
    };
    let bytes = bincode::encode_to_vec(&file, bincode::config::standard())
        .map_err(|e| Error::Internal(format!("hit mappings encoding: {e}")))?;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, &bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
    tracing::info!(file = %path.display(), bytes = bytes.len(), "hit mappings cached");
    Ok(())
}
