//! The generic CSV import (`--extra-vocab ID=PATH`):
//! `id,kind,lang,preferred_label,alt_labels,description,broader`.
//!
//! A concept may take several rows, one per language. Every row is checked before anything is
//! kept, so a bad file loads nothing.

use std::collections::HashMap;
use std::path::Path;

use super::esco::CsvTable;
use super::{Kind, LabelForm, Vocabulary, VocabularyBuilder};
use crate::text::Lang;
use crate::Result;

pub const HEADER: [&str; 7] = [
    "id",
    "kind",
    "lang",
    "preferred_label",
    "alt_labels",
    "description",
    "broader",
];

/// Loads an imported vocabulary with id `vocab` from `path`.
pub fn load(vocab: &str, path: &Path) -> Result<(Vocabulary, VocabularyBuilder)> {
    let mut b = VocabularyBuilder::new(path);
    // Broader ids are resolved after every row is read: a parent may come after its child.
    let mut broader: Vec<(String, String, usize)> = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let table = CsvTable::open(path, &HEADER)?;
    let mut last_line = 1;
    table.for_each(|row| {
        last_line = row.line;
        let raw_id = row.required("id")?;
        let id = concept_id(vocab, raw_id);
        let kind_text = row.required("kind")?;
        let kind = Kind::parse(kind_text).ok_or_else(|| {
            row.error(format!(
                "unknown kind {kind_text:?}; allowed: {}",
                Kind::ALL.map(Kind::as_str).join(", ")
            ))
        })?;
        let lang_text = row.required("lang")?;
        let lang = Lang::parse(lang_text)
            .ok_or_else(|| row.error(format!("lang {lang_text:?} is not an ISO 639-1 code")))?;
        let label = row.required("preferred_label")?;
        let line = *first_line.entry(id.clone()).or_insert(row.line);
        let concept = b.entry(&id, vocab, kind);
        if concept.kind != kind {
            return Err(row.error(format!("{raw_id} has kind {} on line {line}", concept.kind)));
        }
        if concept.has_preferred(lang) {
            return Err(row.error(format!("{raw_id} already has a {lang} preferred label on line {line}")));
        }
        concept.add_label(lang, LabelForm::Preferred, label);
        for alt in row.get("alt_labels").split('|') {
            concept.add_label(lang, LabelForm::Alternative, alt);
        }
        let description = row.get("description");
        if !description.is_empty() {
            concept.descriptions.insert(lang, description.to_string());
        }
        let parent = row.get("broader");
        if !parent.is_empty() {
            broader.push((id, concept_id(vocab, parent), row.line));
        }
        Ok(())
    })?;
    if b.is_empty() {
        return Err(crate::Error::bad_input(path, last_line, "no concepts: the file has only a header"));
    }
    for (child, parent, line) in broader {
        let parent_idx = b.find(&parent).ok_or_else(|| {
            crate::Error::bad_input(path, line, format!("broader {parent} is not an id in this file"))
        })?;
        let child_idx = b.find(&child).expect("read above");
        if parent_idx == child_idx {
            return Err(crate::Error::bad_input(path, line, format!("{child} is its own broader concept")));
        }
        let c = b.get_mut(child_idx);
        if !c.broader.contains(&parent_idx) {
            c.broader.push(parent_idx);
        }
    }
    let vocabulary = Vocabulary {
        id: vocab.to_string(),
        title: format!("Imported vocabulary {vocab}"),
        version: file_date(path),
        languages: Vec::new(),
        counts: Default::default(),
        licence: "as given by the importer".into(),
        attribution: String::new(),
        source: path.display().to_string(),
    };
    Ok((vocabulary, b))
}

/// `ID:<id>`, unless the id already is a URI.
fn concept_id(vocab: &str, raw: &str) -> String {
    if raw.starts_with("http://") || raw.starts_with("https://") {
        raw.to_string()
    } else {
        format!("{vocab}:{raw}")
    }
}

fn file_date(path: &Path) -> String {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(|t| chrono::DateTime::<chrono::Utc>::from(t).format("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| "unknown".into())
}
