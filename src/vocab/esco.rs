//! ESCO's official CSV export: `<release>/<lang>/*.csv` per language and `<release>/relations/`.
//!
//! Languages are whatever two-letter folders the release holds. Per language the loader reads
//! occupations, skills, ISCO groups and skill groups; the collection files (`*Collection_<lang>.csv`)
//! add labels for concepts whose main file is missing in that language (the Dutch skills here).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{Code, Concept, Kind, LabelForm, Relevance, Vocabulary, VocabularyBuilder};
use crate::text::Lang;
use crate::{Error, Result};

const VOCAB: &str = "esco";

/// The ESCO release folder to load: the newest `esco-v*` that has `relations/`.
pub fn find_release(data: &Path) -> Result<Option<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(data) else {
        return Ok(None);
    };
    let mut releases: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let version = name.strip_prefix("esco-v")?;
            let parts: Option<Vec<u32>> = version.split('.').map(|p| p.parse().ok()).collect();
            let path = e.path();
            path.join("relations").is_dir().then_some((parts?, path))
        })
        .collect();
    releases.sort();
    Ok(releases.pop().map(|(_, p)| p))
}

/// A CSV file read by column name, with 1-based line numbers for errors.
pub(crate) struct CsvTable {
    path: PathBuf,
    reader: csv::Reader<std::fs::File>,
    columns: HashMap<String, usize>,
}

pub(crate) struct Row<'a> {
    table: &'a CsvTable,
    record: csv::StringRecord,
    pub line: usize,
}

impl CsvTable {
    pub fn open(path: &Path, required: &[&str]) -> Result<CsvTable> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(file);
        let headers = reader
            .headers()
            .map_err(|e| Error::bad_input(path, 1, format!("unreadable header: {e}")))?;
        let columns: HashMap<String, usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim_start_matches('\u{feff}').to_string(), i))
            .collect();
        for column in required {
            if !columns.contains_key(*column) {
                return Err(Error::bad_input(
                    path,
                    1,
                    format!("missing column {column:?}; the header has {:?}", headers.iter().collect::<Vec<_>>()),
                ));
            }
        }
        Ok(CsvTable {
            path: path.to_path_buf(),
            reader,
            columns,
        })
    }

    /// Calls `each` for every row; the first error stops the read.
    pub fn for_each(mut self, mut each: impl FnMut(&Row) -> Result<()>) -> Result<()> {
        let mut record = csv::StringRecord::new();
        loop {
            let more = self.reader.read_record(&mut record).map_err(|e| {
                let line = e.position().map_or(0, |p| p.line() as usize);
                Error::bad_input(&self.path, line, format!("malformed CSV: {e}"))
            })?;
            if !more {
                return Ok(());
            }
            let line = record.position().map_or(0, |p| p.line() as usize);
            let row = Row {
                table: &self,
                record: std::mem::take(&mut record),
                line,
            };
            each(&row)?;
            record = row.record;
        }
    }
}

impl Row<'_> {
    /// The trimmed value of a column; empty when the column is absent.
    pub fn get(&self, column: &str) -> &str {
        self.table
            .columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .map_or("", str::trim)
    }

    /// A value that must not be empty.
    pub fn required(&self, column: &str) -> Result<&str> {
        let value = self.get(column);
        if value.is_empty() {
            Err(self.error(format!("empty {column}")))
        } else {
            Ok(value)
        }
    }

    pub fn error(&self, message: impl Into<String>) -> Error {
        Error::bad_input(&self.table.path, self.line, message)
    }
}

/// ESCO lists alternative labels one per line in the main files and separated by ` | ` in the
/// collection files.
fn split_labels(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(['\n', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn esco_uri(row: &Row) -> Result<String> {
    let uri = row.required("conceptUri")?;
    if !uri.starts_with("http://data.europa.eu/esco/") {
        return Err(row.error(format!("conceptUri {uri:?} is not an ESCO URI")));
    }
    Ok(uri.to_string())
}

fn add_labels(concept: &mut Concept, lang: Lang, row: &Row) {
    concept.add_label(lang, LabelForm::Preferred, row.get("preferredLabel"));
    for alt in split_labels(row.get("altLabels")) {
        concept.add_label(lang, LabelForm::Alternative, alt);
    }
    for hidden in split_labels(row.get("hiddenLabels")) {
        concept.add_label(lang, LabelForm::Hidden, hidden);
    }
    let description = row.get("description");
    if !description.is_empty() {
        concept.descriptions.insert(lang, description.to_string());
    }
}

fn skill_kind(row: &Row) -> Result<Kind> {
    match row.get("skillType") {
        "knowledge" => Ok(Kind::Knowledge),
        // Six released skills carry no type; ESCO's own browser shows them as skills.
        "skill/competence" | "" => Ok(Kind::Skill),
        other => Err(row.error(format!("unknown skillType {other:?}"))),
    }
}

fn push_code(concept: &mut Concept, scheme: &str, value: &str) {
    if !value.is_empty() && concept.code(scheme).is_none() {
        concept.codes.push(Code {
            scheme: scheme.into(),
            value: value.into(),
        });
    }
}

/// Loads one ESCO release folder.
pub fn load(release: &Path) -> Result<(Vocabulary, VocabularyBuilder)> {
    let mut b = VocabularyBuilder::new(release);
    let mut langs: Vec<(Lang, PathBuf)> = std::fs::read_dir(release)
        .map_err(|e| Error::io(release, e))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let lang = Lang::parse(&e.file_name().to_string_lossy())?;
            e.path().is_dir().then(|| (lang, e.path()))
        })
        .collect();
    // English first: it is the complete language of this export, so kinds are set from it.
    langs.sort_by_key(|(l, _)| (*l != Lang::EN, *l));

    for (lang, dir) in &langs {
        load_language(&mut b, *lang, dir)?;
    }
    load_relations(&mut b, &release.join("relations"))?;

    let version = release
        .file_name()
        .map(|n| n.to_string_lossy().trim_start_matches("esco-v").to_string())
        .unwrap_or_default();
    let vocabulary = Vocabulary {
        id: VOCAB.into(),
        title: "ESCO — European Skills, Competences, Qualifications and Occupations".into(),
        version,
        languages: Vec::new(),
        counts: Default::default(),
        licence: "European Commission, free reuse with attribution".into(),
        attribution: "This service uses the ESCO classification of the European Commission.".into(),
        source: "https://esco.ec.europa.eu/en/use-esco/download".into(),
    };
    Ok((vocabulary, b))
}

fn file(dir: &Path, stem: &str, lang: Lang) -> PathBuf {
    dir.join(format!("{stem}_{lang}.csv"))
}

fn load_language(b: &mut VocabularyBuilder, lang: Lang, dir: &Path) -> Result<()> {
    let occupations = file(dir, "occupations", lang);
    if occupations.exists() {
        CsvTable::open(&occupations, &["conceptUri", "preferredLabel"])?.for_each(|row| {
            let uri = esco_uri(row)?;
            let c = b.entry(&uri, VOCAB, Kind::Occupation);
            add_labels(c, lang, row);
            push_code(c, "isco", row.get("iscoGroup"));
            push_code(c, "esco", row.get("code"));
            Ok(())
        })?;
    }
    let skills = file(dir, "skills", lang);
    if skills.exists() {
        CsvTable::open(&skills, &["conceptUri", "preferredLabel", "skillType"])?.for_each(|row| {
            let uri = esco_uri(row)?;
            let kind = skill_kind(row)?;
            let c = b.entry(&uri, VOCAB, kind);
            add_labels(c, lang, row);
            push_code(c, "reuse_level", row.get("reuseLevel"));
            Ok(())
        })?;
    }
    let isco = file(dir, "ISCOGroups", lang);
    if isco.exists() {
        CsvTable::open(&isco, &["conceptUri", "preferredLabel", "code"])?.for_each(|row| {
            let uri = esco_uri(row)?;
            let c = b.entry(&uri, VOCAB, Kind::Group);
            add_labels(c, lang, row);
            push_code(c, "isco", row.get("code"));
            Ok(())
        })?;
    }
    let groups = file(dir, "skillGroups", lang);
    if groups.exists() {
        CsvTable::open(&groups, &["conceptUri", "preferredLabel"])?.for_each(|row| {
            let uri = esco_uri(row)?;
            let c = b.entry(&uri, VOCAB, Kind::Group);
            add_labels(c, lang, row);
            let code = row.get("code");
            let scheme = if uri.contains("/isced-f/") { "isced_f" } else { "esco" };
            push_code(c, scheme, code);
            Ok(())
        })?;
    }
    // Collections fill in labels of concepts the main files of this language do not cover.
    let suffix = format!("Collection_{lang}.csv");
    let mut collections: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(&suffix)))
        .collect();
    collections.sort();
    for path in collections {
        let table = CsvTable::open(&path, &["conceptUri", "preferredLabel", "conceptType"])?;
        table.for_each(|row| {
            let uri = esco_uri(row)?;
            let kind = match row.get("conceptType") {
                "Occupation" => Kind::Occupation,
                "KnowledgeSkillCompetence" => skill_kind(row)?,
                other => return Err(row.error(format!("unknown conceptType {other:?}"))),
            };
            let c = b.entry(&uri, VOCAB, kind);
            if !c.has_preferred(lang) {
                add_labels(c, lang, row);
            }
            Ok(())
        })?;
    }
    Ok(())
}

fn load_relations(b: &mut VocabularyBuilder, dir: &Path) -> Result<()> {
    let mut dangling = 0usize;
    let occupation_skills = dir.join("occupationSkillRelations.csv");
    CsvTable::open(&occupation_skills, &["occupationUri", "relationType", "skillUri"])?.for_each(|row| {
        let relevance = match row.get("relationType") {
            "essential" => Relevance::Essential,
            "optional" => Relevance::Optional,
            other => return Err(row.error(format!("relationType {other:?} is neither essential nor optional"))),
        };
        match (b.find(row.required("occupationUri")?), b.find(row.required("skillUri")?)) {
            (Some(occupation), Some(skill)) => b.get_mut(occupation).skills.push((skill, relevance)),
            _ => dangling += 1,
        }
        Ok(())
    })?;
    for name in ["broaderRelationsOccPillar.csv", "broaderRelationsSkillPillar.csv"] {
        CsvTable::open(&dir.join(name), &["conceptUri", "broaderUri"])?.for_each(|row| {
            match (b.find(row.required("conceptUri")?), b.find(row.required("broaderUri")?)) {
                (Some(narrower), Some(broader)) if narrower != broader => {
                    let c = b.get_mut(narrower);
                    if !c.broader.contains(&broader) {
                        c.broader.push(broader);
                    }
                }
                _ => dangling += 1,
            }
            Ok(())
        })?;
    }
    if dangling > 0 {
        tracing::warn!(dangling, "ESCO relations that name a concept without labels were skipped");
    }
    Ok(())
}
