//! How well tagging works: TechWolf's skill-extraction validation sets (sentence → ESCO skills,
//! RP@5 and MRR as Decorte et al. define them) and a Dutch check without a gold file (the Dutch
//! description of each ESCO occupation should yield skills ESCO relates to that occupation).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;

use super::TagRequest;
use crate::search::Engine;
use crate::text::Lang;
use crate::vocab::{Kind, LabelForm};
use crate::{Error, Result};

/// Annotations that name no ESCO skill.
const NO_LABEL: [&str; 2] = ["LABEL NOT PRESENT", "UNDERSPECIFIED"];
/// RP@K's K (the papers' RP@5).
const RP_K: usize = 5;
/// Tags asked for per sentence: deep enough for MRR.
const RANKED: usize = 100;
/// Tags per occupation description in the Dutch check.
pub const DUTCH_TOP: usize = 10;

/// One annotated sentence: its text and the preferred labels of its ESCO skills.
#[derive(Debug, Clone)]
pub struct Sentence {
    pub text: String,
    pub gold: HashSet<String>,
}

/// Reads an annotation file (`sentence,span,sub_span,label`), grouping rows by sentence; sentences
/// without a gold skill are left out.
pub fn read_annotations(path: &Path) -> Result<Vec<Sentence>> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| Error::bad_input(path, 0, e.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|e| Error::bad_input(path, 1, e.to_string()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::bad_input(path, 1, format!("no column {name}")))
    };
    let (sentence_col, label_col) = (column("sentence")?, column("label")?);
    let mut order: Vec<String> = Vec::new();
    let mut gold: HashMap<String, HashSet<String>> = HashMap::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| Error::bad_input(path, i + 2, e.to_string()))?;
        let sentence = row.get(sentence_col).unwrap_or("").to_string();
        let label = row.get(label_col).unwrap_or("").trim();
        if !gold.contains_key(&sentence) {
            order.push(sentence.clone());
        }
        let set = gold.entry(sentence).or_default();
        if !label.is_empty() && !NO_LABEL.contains(&label) {
            set.insert(label.to_lowercase());
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|text| {
            let gold = gold.remove(&text)?;
            (!gold.is_empty()).then_some(Sentence { text, gold })
        })
        .collect())
}

/// RP@5 and MRR over a set of sentences, in percent.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExtractionScore {
    pub sentences: usize,
    pub rp5: f64,
    pub mrr: f64,
}

/// Tags every sentence as English, restricted to ESCO skills and knowledge, and scores the ranking
/// against the gold preferred labels.
pub fn skill_extraction(engine: &Engine, sentences: &[Sentence]) -> Result<ExtractionScore> {
    let per_sentence: Vec<(f64, f64)> = sentences
        .par_iter()
        .map(|s| {
            let mut request = TagRequest::new(s.text.clone());
            request.lang = Some(Lang::EN);
            request.vocabs = vec!["esco".into()];
            request.kinds = vec![Kind::Skill, Kind::Knowledge];
            request.limit = RANKED;
            let tagging = engine.tag(&request)?;
            let hits: Vec<bool> = tagging
                .tags
                .iter()
                .map(|t| {
                    engine
                        .model()
                        .concept(t.concept)
                        .labels
                        .iter()
                        .find(|l| l.lang == Lang::EN && l.form == LabelForm::Preferred)
                        .is_some_and(|l| s.gold.contains(&l.text.to_lowercase()))
                })
                .collect();
            let in_top = hits.iter().take(RP_K).filter(|h| **h).count();
            let rp = in_top as f64 / RP_K.min(s.gold.len()) as f64;
            let rr = hits
                .iter()
                .position(|h| *h)
                .map_or(0.0, |rank| 1.0 / (rank + 1) as f64);
            Ok((rp, rr))
        })
        .collect::<Result<_>>()?;
    let n = per_sentence.len().max(1) as f64;
    Ok(ExtractionScore {
        sentences: per_sentence.len(),
        rp5: 100.0 * per_sentence.iter().map(|p| p.0).sum::<f64>() / n,
        mrr: 100.0 * per_sentence.iter().map(|p| p.1).sum::<f64>() / n,
    })
}

/// The Dutch check: how many of the top skills found in an occupation's Dutch description ESCO
/// relates to that occupation.
#[derive(Debug, Clone, Copy, Default)]
pub struct DutchScore {
    pub descriptions: usize,
    /// Descriptions that yielded at least one skill.
    pub with_tags: usize,
    /// Related skills among the top 10 divided by 10, in percent.
    pub precision_at_10: f64,
    /// Related skills among those returned (at most 10), over descriptions with tags, in percent.
    pub precision_returned: f64,
}

pub fn dutch_occupations(engine: &Engine, bridge: bool) -> Result<DutchScore> {
    let model = engine.model();
    let occupations: Vec<_> = model
        .concepts
        .iter()
        .filter(|c| c.vocab == "esco" && c.kind == Kind::Occupation)
        .filter_map(|c| Some((c, c.descriptions.get(&Lang::NL)?)))
        .collect();
    let counts: Vec<(usize, usize)> = occupations
        .par_iter()
        .map(|(occupation, description)| {
            let mut request = TagRequest::new(description.as_str());
            request.lang = Some(Lang::NL);
            request.vocabs = vec!["esco".into()];
            request.kinds = vec![Kind::Skill, Kind::Knowledge];
            request.limit = DUTCH_TOP;
            request.bridge = bridge;
            let related: HashSet<_> = occupation.skills.iter().map(|(s, _)| *s).collect();
            let tags = engine.tag(&request)?.tags;
            Ok((
                tags.iter().filter(|t| related.contains(&t.concept)).count(),
                tags.len(),
            ))
        })
        .collect::<Result<_>>()?;
    let with_tags: Vec<&(usize, usize)> = counts.iter().filter(|(_, n)| *n > 0).collect();
    let n = counts.len().max(1) as f64;
    Ok(DutchScore {
        descriptions: counts.len(),
        with_tags: with_tags.len(),
        precision_at_10: 100.0
            * counts
                .iter()
                .map(|(h, _)| *h as f64 / DUTCH_TOP as f64)
                .sum::<f64>()
            / n,
        precision_returned: 100.0
            * with_tags
                .iter()
                .map(|(h, r)| *h as f64 / *r as f64)
                .sum::<f64>()
            / with_tags.len().max(1) as f64,
    })
}
