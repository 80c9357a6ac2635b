//! Curated mappings: SSSOM TSV files reviewed by people (`taxonomies/mappings/*.sssom.tsv`).
//! They come before computed mappings and replace a computed mapping to the same object; each
//! also holds read from its object's side (broad and narrow swapped).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::relation::Relation;
use super::sssom::from_curie;
use super::{Evidence, Mapping, MappingSource, MAX_MAPPINGS};
use crate::vocab::{ConceptIdx, Model};
use crate::{Error, Result};

const REQUIRED: [&str; 4] = [
    "subject_id",
    "predicate_id",
    "object_id",
    "mapping_justification",
];

#[derive(Debug, Default)]
pub struct Curated {
    by_subject: HashMap<ConceptIdx, Vec<Mapping>>,
    /// The content hash of each file read (name and bytes), in load order: what the cached
    /// warm-up ([`super::hits`]) depends on besides the index.
    files: Vec<blake3::Hash>,
}

impl Curated {
    /// Loads every `*.sssom.tsv` in `dir` (sorted by name); returns the errors of skipped files.
    pub fn load_dir(&mut self, model: &Model, dir: &Path) -> Vec<Error> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".sssom.tsv"))
            .collect();
        files.sort();
        files
            .iter()
            .filter_map(|f| self.load_file(model, f).err())
            .inspect(|e| tracing::warn!(error = %e, "curated mapping file skipped"))
            .collect()
    }

    /// Loads one file; on any error nothing of it is kept.
    pub fn load_file(&mut self, model: &Model, path: &Path) -> Result<usize> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(path.file_name().unwrap_or_default().as_encoded_bytes());
        hasher.update(text.as_bytes());
        self.files.push(hasher.finalize());
        let mut columns: Option<HashMap<String, usize>> = None;
        let mut loaded = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let bad = |message: String| Error::bad_input(path, line_no, message);
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
            let Some(cols) = &columns else {
                let header: HashMap<String, usize> = cells
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.to_string(), i))
                    .collect();
                if let Some(missing) = REQUIRED.iter().find(|r| !header.contains_key(**r)) {
                    return Err(bad(format!(
                        "the header lacks the required column {missing}"
                    )));
                }
                columns = Some(header);
                continue;
            };
            let cell = |name: &str| {
                cols.get(name)
                    .and_then(|&i| cells.get(i))
                    .copied()
                    .unwrap_or("")
            };
            let concept = |slot: &str| {
                let raw = cell(slot);
                if raw.is_empty() {
                    return Err(bad(format!("{slot} is empty")));
                }
                model
                    .find(raw)
                    .or_else(|| model.find(&from_curie(raw)))
                    .ok_or_else(|| bad(format!("{slot} {raw} is not a known concept")))
            };
            let subject = concept("subject_id")?;
            let object = concept("object_id")?;
            let predicate = cell("predicate_id");
            let relation = Relation::parse_predicate(predicate).ok_or_else(|| {
                bad(format!(
                    "predicate_id {predicate:?} is not one of {}",
                    Relation::ALL.map(|r| r.predicate()).join(", ")
                ))
            })?;
            if cell("mapping_justification").is_empty() {
                return Err(bad("mapping_justification is empty".into()));
            }
            let confidence = match cell("confidence") {
                "" => 1.0,
                raw => raw
                    .parse::<f32>()
                    .ok()
                    .filter(|c| (0.0..=1.0).contains(c))
                    .ok_or_else(|| {
                        bad(format!(
                            "confidence {raw:?} is not a number between 0 and 1"
                        ))
                    })?,
            };
            let note = match cell("comment") {
                "" => format!("{}:{line_no}", path.display()),
                c => format!("{}:{line_no}: {c}", path.display()),
            };
            loaded.push((subject, object, relation, confidence, note));
        }
        if columns.is_none() {
            return Err(Error::bad_input(
                path,
                text.lines().count(),
                "no header line with the SSSOM columns",
            ));
        }
        let n = loaded.len();
        for (subject, object, relation, confidence, note) in loaded {
            let mapping = |subject, object, relation| Mapping {
                subject,
                object,
                relation,
                confidence,
                source: MappingSource::Curated,
                evidence: Evidence {
                    curated: Some(note.clone()),
                    ..Default::default()
                },
            };
            self.add(mapping(subject, object, relation));
            self.add(mapping(object, subject, relation.inverse()));
        }
        Ok(n)
    }

    /// One hash over the content of every curated file read, good or skipped.
    pub fn fingerprint(&self) -> String {
        let mut hasher = blake3::Hasher::new();
        for file in &self.files {
            hasher.update(file.as_bytes());
        }
        hasher.finalize().to_hex().to_string()
    }

    fn add(&mut self, m: Mapping) {
        let list = self.by_subject.entry(m.subject).or_default();
        list.retain(|x| x.object != m.object);
        list.push(m);
    }

    /// The curated mappings of `subject` into `target` first, then the computed ones to other objects.
    pub fn apply(
        &self,
        subject: ConceptIdx,
        target: &str,
        model: &Model,
        computed: Vec<Mapping>,
    ) -> Vec<Mapping> {
        let Some(curated) = self.by_subject.get(&subject) else {
            return computed;
        };
        let mut out: Vec<Mapping> = curated
            .iter()
            .filter(|m| model.concept(m.object).vocab == target)
            .cloned()
            .collect();
        out.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.object.cmp(&b.object))
        });
        let curated_objects: Vec<ConceptIdx> = out.iter().map(|m| m.object).collect();
        out.extend(
            computed
                .into_iter()
                .filter(|m| !curated_objects.contains(&m.object)),
        );
        out.truncate(MAX_MAPPINGS.max(curated_objects.len()));
        out
    }
}
