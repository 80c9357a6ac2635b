//! How well tagging works: TechWolf's skill-extraction validation sets (sentence → ESCO skills,
//! RP@5 and MRR as Decorte et al. define them) and a Dutch check without a gold file (the Dutch
//! description of each ESCO occupation should yield skills ESCO relates to that occupation).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use super::TagRequest;
use crate::search::Engine;
use crate::text::Lang;
use crate::vocab::{Kind, LabelForm};
use crate::{Error, Result};

/// A Dutch course page as training providers write them (written for this project): goals,
/// content as a list, practicalities and boilerplate; 300 words. The latency figure and the
/// criterion bench tag it.
pub const SAMPLE_COURSE_NL: &str = "\
Opleiding lasser MIG/MAG en TIG

Wil je aan de slag als lasser in de metaalsector? In deze opleiding van twaalf weken leer je \
de belangrijkste lastechnieken van de praktijk. Je werkt in een modern uitgeruste werkplaats \
onder begeleiding van ervaren lesgevers die zelf jarenlang in de industrie hebben gelast.

Wat leer je?
• technische tekeningen en lasplannen lezen en interpreteren;
• MIG/MAG-lassen van staal en roestvast staal in verschillende posities;
• TIG-lassen van aluminium en dunne plaat;
• de lasapparatuur instellen, onderhouden en veilig gebruiken;
• werkstukken voorbereiden: meten, aftekenen, zagen, slijpen en boren;
• lasnaden visueel controleren en fouten herkennen;
• veilig werken volgens de VCA-regels, met aandacht voor brandpreventie, ventilatie en \
persoonlijke beschermingsmiddelen.

Daarnaast besteden we aandacht aan communicatie op de werkvloer, samenwerken in een team en \
het plannen van je eigen werk. Je leert ook hoe je materialen kiest en de kwaliteit van je \
laswerk documenteert, zodat je klaar bent voor een kwalificatieproef volgens de Europese norm. Tijdens de opleiding \
krijg je ook een introductie in metaalbewerking en het lezen van een werkplanning.

Voor wie?
Werkzoekenden en werknemers die zich willen omscholen tot lasser of hun vaardigheden willen \
uitbreiden. Je hebt geen voorkennis nodig, maar technische interesse en een goede motoriek \
zijn een voordeel. Je moet vlot Nederlands begrijpen om de veiligheidsinstructies te volgen.

Praktisch
De opleiding bestaat uit theorie in de voormiddag en praktijk in de namiddag. Na afloop \
ontvang je een attest en, als je slaagt voor de proef, een erkend lascertificaat. Via de \
opleidingscheques of het Vlaams opleidingsverlof kun je een deel van de kosten terugkrijgen. \
Werkzoekenden volgen de opleiding gratis via de VDAB.

Interesse? Klik hier om je in te schrijven of contacteer ons voor meer informatie over de \
startdata, de prijs en de locatie. Schrijf je tijdig in, want het aantal plaatsen is beperkt.";

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

/// Latency and throughput of tagging on this machine.
#[derive(Debug, Clone, Copy, Default)]
pub struct Speed {
    /// Median time to tag [`SAMPLE_COURSE_NL`] on one thread, in milliseconds.
    pub median_ms: f64,
    pub p99_ms: f64,
    /// Texts per second when tagging the Dutch occupation descriptions on all cores.
    pub bulk_per_second: f64,
    pub bulk_texts: usize,
}

/// Times `runs` taggings of the sample course, then the bulk tagging of every Dutch ESCO
/// occupation description with rayon.
pub fn speed(engine: &Engine, runs: usize) -> Result<Speed> {
    let mut request = TagRequest::new(SAMPLE_COURSE_NL);
    request.lang = Some(Lang::NL);
    engine.tag(&request)?;
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            engine
                .tag(&request)
                .map(|_| started.elapsed().as_secs_f64() * 1000.0)
        })
        .collect::<Result<_>>()?;
    times.sort_by(f64::total_cmp);
    let texts: Vec<TagRequest> = engine
        .model()
        .concepts
        .iter()
        .filter(|c| c.vocab == "esco" && c.kind == Kind::Occupation)
        .filter_map(|c| c.descriptions.get(&Lang::NL))
        .map(|d| TagRequest::new(d.as_str()))
        .collect();
    let started = Instant::now();
    texts
        .par_iter()
        .try_for_each(|r| engine.tag(r).map(|_| ()))?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(Speed {
        median_ms: times[times.len() / 2],
        p99_ms: times[(times.len() * 99 / 100).min(times.len() - 1)],
        bulk_per_second: texts.len() as f64 / seconds,
        bulk_texts: texts.len(),
    })
}
