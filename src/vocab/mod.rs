//! The concept model: every vocabulary's concepts, labels, codes and relations in one shape,
//! and one loader per source ([`esco`], [`vks`], [`import`]).

pub mod esco;
pub mod import;
pub mod vks;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::text::Lang;
use crate::{Error, Result};

/// Position of a concept in [`Model::concepts`].
pub type ConceptIdx = u32;

/// What a concept is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Occupation,
    /// An ESCO skill/competence.
    Skill,
    Knowledge,
    /// A competence of a Flemish professional qualification.
    Competence,
    /// A Flemish professional qualification.
    Qualification,
    /// An ISCO group, skill group or hierarchy node.
    Group,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Occupation,
        Kind::Skill,
        Kind::Knowledge,
        Kind::Competence,
        Kind::Qualification,
        Kind::Group,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Occupation => "occupation",
            Kind::Skill => "skill",
            Kind::Knowledge => "knowledge",
            Kind::Competence => "competence",
            Kind::Qualification => "qualification",
            Kind::Group => "group",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Kinds that describe what someone can do (the targets of occupation–skill relations).
    pub fn is_skill_like(self) -> bool {
        matches!(self, Kind::Skill | Kind::Knowledge | Kind::Competence)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a label is the preferred term, an alternative or a hidden (misspelt, outdated) one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelForm {
    Preferred,
    Alternative,
    Hidden,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub lang: Lang,
    pub form: LabelForm,
    pub text: String,
}

/// A code in an outside classification: ISCO, ISCED-F, VKS level, Competent reference, ….
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub scheme: String,
    pub value: String,
}

/// How much an occupation needs a skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relevance {
    Essential,
    Optional,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Concept {
    pub id: String,
    pub vocab: String,
    pub kind: Kind,
    pub labels: Vec<Label>,
    pub descriptions: BTreeMap<Lang, String>,
    pub codes: Vec<Code>,
    pub broader: Vec<ConceptIdx>,
    pub narrower: Vec<ConceptIdx>,
    /// For occupations and qualifications: the skills or competences they call for.
    pub skills: Vec<(ConceptIdx, Relevance)>,
    /// For skills and competences: the occupations and qualifications that call for them.
    pub required_by: Vec<(ConceptIdx, Relevance)>,
}

impl Concept {
    pub fn new(id: impl Into<String>, vocab: impl Into<String>, kind: Kind) -> Self {
        Concept {
            id: id.into(),
            vocab: vocab.into(),
            kind,
            labels: Vec::new(),
            descriptions: BTreeMap::new(),
            codes: Vec::new(),
            broader: Vec::new(),
            narrower: Vec::new(),
            skills: Vec::new(),
            required_by: Vec::new(),
        }
    }

    /// Adds a label unless the same text is already there in that language.
    pub fn add_label(&mut self, lang: Lang, form: LabelForm, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        if let Some(existing) = self
            .labels
            .iter_mut()
            .find(|l| l.lang == lang && l.text == text)
        {
            // A preferred label that was also listed as an alternative stays preferred.
            if form == LabelForm::Preferred {
                existing.form = form;
            }
            return;
        }
        self.labels.push(Label {
            lang,
            form,
            text: text.to_string(),
        });
    }

    pub fn has_preferred(&self, lang: Lang) -> bool {
        self.labels
            .iter()
            .any(|l| l.lang == lang && l.form == LabelForm::Preferred)
    }

    /// The preferred label in `lang`, else in English, else any; with its language.
    pub fn preferred_label(&self, lang: Lang) -> Option<(&str, Lang)> {
        let preferred = |l: Lang| {
            self.labels
                .iter()
                .find(|x| x.lang == l && x.form == LabelForm::Preferred)
        };
        preferred(lang)
            .or_else(|| preferred(Lang::EN))
            .or_else(|| self.labels.iter().find(|x| x.form == LabelForm::Preferred))
            .or_else(|| self.labels.first())
            .map(|l| (l.text.as_str(), l.lang))
    }

    /// The description in `lang`, else in English, else any.
    pub fn description(&self, lang: Lang) -> Option<(&str, Lang)> {
        self.descriptions
            .get(&lang)
            .map(|d| (d.as_str(), lang))
            .or_else(|| self.descriptions.get(&Lang::EN).map(|d| (d.as_str(), Lang::EN)))
            .or_else(|| self.descriptions.iter().next().map(|(l, d)| (d.as_str(), *l)))
    }

    pub fn code(&self, scheme: &str) -> Option<&str> {
        self.codes
            .iter()
            .find(|c| c.scheme == scheme)
            .map(|c| c.value.as_str())
    }
}

/// A vocabulary as `/v1/vocabularies` shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vocabulary {
    pub id: String,
    pub title: String,
    pub version: String,
    pub languages: Vec<Lang>,
    pub counts: BTreeMap<Kind, usize>,
    pub licence: String,
    pub attribution: String,
    pub source: String,
}

/// Every loaded vocabulary, with relations resolved to positions.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Model {
    pub vocabularies: Vec<Vocabulary>,
    pub concepts: Vec<Concept>,
    by_id: HashMap<String, ConceptIdx>,
}

impl Model {
    pub fn concept(&self, idx: ConceptIdx) -> &Concept {
        &self.concepts[idx as usize]
    }

    pub fn find(&self, id: &str) -> Option<ConceptIdx> {
        self.by_id.get(id).copied()
    }

    pub fn vocabulary(&self, id: &str) -> Option<&Vocabulary> {
        self.vocabularies.iter().find(|v| v.id == id)
    }

    /// All languages any vocabulary has labels in.
    pub fn languages(&self) -> Vec<Lang> {
        let mut langs: Vec<Lang> = self
            .vocabularies
            .iter()
            .flat_map(|v| v.languages.iter().copied())
            .collect();
        langs.sort();
        langs.dedup();
        langs
    }

    /// Adds a vocabulary's concepts, which must have ids not yet in the model.
    pub(crate) fn add_vocabulary(&mut self, mut vocabulary: Vocabulary, builder: VocabularyBuilder) -> Result<()> {
        let offset = self.concepts.len() as ConceptIdx;
        for (i, concept) in builder.concepts.iter().enumerate() {
            if self.by_id.contains_key(&concept.id) {
                return Err(Error::bad_input(
                    &builder.path,
                    0,
                    format!("concept id {} is already defined by another vocabulary", concept.id),
                ));
            }
            self.by_id.insert(concept.id.clone(), offset + i as ConceptIdx);
        }
        let mut langs = std::collections::BTreeSet::new();
        for mut concept in builder.concepts {
            for l in &concept.labels {
                langs.insert(l.lang);
            }
            *vocabulary.counts.entry(concept.kind).or_insert(0) += 1;
            shift(&mut concept, offset);
            self.concepts.push(concept);
        }
        vocabulary.languages = langs.into_iter().collect();
        self.vocabularies.push(vocabulary);
        Ok(())
    }

    /// Fills `narrower` and `required_by` from `broader` and `skills`.
    pub(crate) fn link_inverse_relations(&mut self) {
        for c in &mut self.concepts {
            c.narrower.clear();
            c.required_by.clear();
        }
        for idx in 0..self.concepts.len() {
            let broader = self.concepts[idx].broader.clone();
            for b in broader {
                self.concepts[b as usize].narrower.push(idx as ConceptIdx);
            }
            let skills = self.concepts[idx].skills.clone();
            for (s, relevance) in skills {
                self.concepts[s as usize]
                    .required_by
                    .push((idx as ConceptIdx, relevance));
            }
        }
    }
}

fn shift(concept: &mut Concept, offset: ConceptIdx) {
    for b in &mut concept.broader {
        *b += offset;
    }
    for (s, _) in &mut concept.skills {
        *s += offset;
    }
}

/// Collects one vocabulary's concepts while a loader reads its files; relations point at
/// positions within this vocabulary until [`Model::add_vocabulary`] shifts them.
#[derive(Debug, Default)]
pub struct VocabularyBuilder {
    pub(crate) path: PathBuf,
    pub(crate) concepts: Vec<Concept>,
    pub(crate) by_id: HashMap<String, ConceptIdx>,
}

impl VocabularyBuilder {
    pub fn new(path: &Path) -> Self {
        VocabularyBuilder {
            path: path.to_path_buf(),
            ..Default::default()
        }
    }

    /// The concept with this id, created with `kind` if new.
    pub fn entry(&mut self, id: &str, vocab: &str, kind: Kind) -> &mut Concept {
        let idx = match self.by_id.get(id) {
            Some(&idx) => idx,
            None => {
                let idx = self.concepts.len() as ConceptIdx;
                self.concepts.push(Concept::new(id, vocab, kind));
                self.by_id.insert(id.to_string(), idx);
                idx
            }
        };
        &mut self.concepts[idx as usize]
    }

    pub fn find(&self, id: &str) -> Option<ConceptIdx> {
        self.by_id.get(id).copied()
    }

    pub fn get_mut(&mut self, idx: ConceptIdx) -> &mut Concept {
        &mut self.concepts[idx as usize]
    }

    pub fn len(&self) -> usize {
        self.concepts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }
}

/// A vocabulary given with `--extra-vocab ID=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraVocab {
    pub id: String,
    pub path: PathBuf,
}

impl std::str::FromStr for ExtraVocab {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (id, path) = s
            .split_once('=')
            .ok_or_else(|| format!("expected ID=PATH, got {s:?}"))?;
        let valid = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid {
            return Err(format!(
                "vocabulary id {id:?} must be lower-case letters, digits, '-' or '_'"
            ));
        }
        if matches!(id, "esco" | "vks") {
            return Err(format!("vocabulary id {id:?} is taken by a built-in vocabulary"));
        }
        Ok(ExtraVocab {
            id: id.to_string(),
            path: PathBuf::from(path),
        })
    }
}

/// Loads every vocabulary found in the data directory, plus the imported ones.
pub fn load_model(data: &Path, extra: &[ExtraVocab]) -> Result<Model> {
    let mut model = Model::default();
    if let Some(esco_dir) = esco::find_release(data)? {
        let (vocabulary, builder) = esco::load(&esco_dir)?;
        model.add_vocabulary(vocabulary, builder)?;
    }
    let vks_dir = data.join("vks");
    if vks_dir.join("bk").is_dir() {
        let (vocabulary, builder) = vks::load(&vks_dir)?;
        model.add_vocabulary(vocabulary, builder)?;
    }
    for e in extra {
        let (vocabulary, builder) = import::load(&e.id, &e.path)?;
        model.add_vocabulary(vocabulary, builder)?;
    }
    if model.concepts.is_empty() {
        return Err(Error::bad_input(
            data,
            0,
            "no vocabulary found: expected esco-v*/ (with relations/) or vks/bk/ in the data directory",
        ));
    }
    model.link_inverse_relations();
    Ok(model)
}

/// Every input file a model is built from, for the index fingerprint.
pub fn input_files(data: &Path, extra: &[ExtraVocab]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if let Some(esco_dir) = esco::find_release(data)? {
        collect_files(&esco_dir, &mut files)?;
    }
    let bk = data.join("vks").join("bk");
    if bk.is_dir() {
        collect_files(&bk, &mut files)?;
    }
    files.extend(extra.iter().map(|e| e.path.clone()));
    Ok(files)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}
