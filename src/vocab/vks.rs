//! The Flemish professional qualifications (beroepskwalificaties), one JSON file each in `vks/bk/`.
//!
//! A qualification becomes a `qualification` concept (`vks:BK-0002-3`); each of its competences a
//! `competence` concept (`vks:bkc0044869`) that the qualification calls for as essential, with its
//! knowledge and skill items as the description.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Code, Kind, LabelForm, Relevance, Vocabulary, VocabularyBuilder};
use crate::text::Lang;
use crate::{Error, Result};

const VOCAB: &str = "vks";

#[derive(Deserialize)]
struct QualificationFile {
    bk: String,
    titel: String,
    #[serde(default)]
    definitie: Option<String>,
    #[serde(default)]
    vks: Option<u8>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    opgehaald: Option<String>,
    competenties: Vec<CompetenceEntry>,
    #[serde(default)]
    extra: Extra,
}

#[derive(Deserialize)]
struct CompetenceEntry {
    id: String,
    tekst: String,
    #[serde(default)]
    kennis: Vec<Item>,
    #[serde(default)]
    vaardigheden: Vec<Item>,
    #[serde(default)]
    referenties: Vec<String>,
}

#[derive(Deserialize)]
struct Item {
    tekst: String,
}

#[derive(Deserialize, Default)]
struct Extra {
    #[serde(default)]
    synoniemen: Vec<Value>,
    #[serde(default)]
    domeinen: Vec<Domain>,
    #[serde(default)]
    isced: Option<Isced>,
    #[serde(default)]
    omschrijving_kort: Option<String>,
}

#[derive(Deserialize)]
struct Value {
    waarde: String,
}

#[derive(Deserialize)]
struct Domain {
    #[serde(default)]
    pad_tekst: Option<String>,
}

#[derive(Deserialize)]
struct Isced {
    studiegebieden: Option<StudyFields>,
}

#[derive(Deserialize)]
struct StudyFields {
    detail: Option<IscedCode>,
}

#[derive(Deserialize)]
struct IscedCode {
    code: String,
}

/// Loads `vks_dir/bk/*.json`.
pub fn load(vks_dir: &Path) -> Result<(Vocabulary, VocabularyBuilder)> {
    let bk_dir = vks_dir.join("bk");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&bk_dir)
        .map_err(|e| Error::io(&bk_dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut b = VocabularyBuilder::new(&bk_dir);
    let mut harvested = String::new();
    for path in &files {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let q: QualificationFile = serde_json::from_str(&text)
            .map_err(|e| Error::bad_input(path, e.line(), format!("not a qualification file: {e}")))?;
        if !q.bk.starts_with("BK-") {
            return Err(Error::bad_input(path, 0, format!("qualification code {:?} does not start with BK-", q.bk)));
        }
        if let Some(date) = &q.opgehaald {
            harvested = harvested.max(date.chars().take(10).collect());
        }
        add_qualification(&mut b, path, q)?;
    }
    let vocabulary = Vocabulary {
        id: VOCAB.into(),
        title: "Vlaamse kwalificatiestructuur — beroepskwalificaties".into(),
        version: if harvested.is_empty() { "unknown".into() } else { format!("harvested {harvested}") },
        languages: Vec::new(),
        counts: Default::default(),
        licence: "Flemish government open data (licence to be confirmed by the publisher)".into(),
        attribution: "Bron: Vlaamse overheid, Vlaamse kwalificatiestructuur (API Beroepskwalificaties)".into(),
        source: "https://onderwijs-api-portaal.vlaanderen.be/".into(),
    };
    Ok((vocabulary, b))
}

fn add_qualification(b: &mut VocabularyBuilder, path: &Path, q: QualificationFile) -> Result<()> {
    let id = format!("vks:{}", q.bk);
    if b.find(&id).is_some() {
        return Err(Error::bad_input(path, 0, format!("qualification {} is defined twice", q.bk)));
    }
    let mut competences = Vec::with_capacity(q.competenties.len());
    for comp in &q.competenties {
        let comp_id = format!("vks:{}", comp.id);
        if b.find(&comp_id).is_some() {
            return Err(Error::bad_input(path, 0, format!("competence {} also belongs to another qualification", comp.id)));
        }
        let c = b.entry(&comp_id, VOCAB, Kind::Competence);
        c.add_label(Lang::NL, LabelForm::Preferred, &comp.tekst);
        let items: Vec<&str> = comp
            .kennis
            .iter()
            .chain(&comp.vaardigheden)
            .map(|i| i.tekst.trim())
            .filter(|t| !t.is_empty())
            .collect();
        if !items.is_empty() {
            c.descriptions.insert(Lang::NL, items.join("\n"));
        }
        for r in &comp.referenties {
            c.codes.push(Code {
                scheme: "competent".into(),
                value: r.clone(),
            });
        }
        competences.push(b.find(&comp_id).expect("just added"));
    }
    let c = b.entry(&id, VOCAB, Kind::Qualification);
    c.add_label(Lang::NL, LabelForm::Preferred, &q.titel);
    for s in &q.extra.synoniemen {
        c.add_label(Lang::NL, LabelForm::Alternative, &s.waarde);
    }
    let description = q
        .definitie
        .as_deref()
        .or(q.extra.omschrijving_kort.as_deref())
        .unwrap_or("");
    if !description.trim().is_empty() {
        c.descriptions.insert(Lang::NL, description.trim().to_string());
    }
    let mut code = |scheme: &str, value: String| c.codes.push(Code { scheme: scheme.into(), value });
    code("bk", q.bk.clone());
    if let Some(level) = q.vks {
        code("vks_level", level.to_string());
    }
    if let Some(status) = q.status {
        code("status", status);
    }
    if let Some(detail) = q.extra.isced.and_then(|i| i.studiegebieden).and_then(|s| s.detail) {
        code("isced_f", detail.code);
    }
    for d in q.extra.domeinen {
        if let Some(p) = d.pad_tekst {
            code("domain", p);
        }
    }
    c.skills = competences.into_iter().map(|s| (s, Relevance::Essential)).collect();
    Ok(())
}
