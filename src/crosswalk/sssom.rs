//! SSSOM (Simple Standard for Sharing Ontological Mappings): the TSV export with its metadata
//! header, the JSON rows with the same slot names, and the CURIEs both use.

use serde::Serialize;

use super::{label_of, Mapping, MappingSource};
use crate::vocab::Model;

/// ESCO URIs are written as `esco:occupation/…` in SSSOM.
const ESCO_BASE: &str = "http://data.europa.eu/esco/";
/// Vocabularies without URIs of their own (`vks:BK-0002-3`, `onet:11-1011.00`) expand under this
/// URN, so that every CURIE in the file has a prefix in `curie_map`.
const LOCAL_BASE: &str = "urn:skillbridge:";
const MAPPING_SET_BASE: &str = "https://w3id.org/skillbridge/crosswalks/";
const LICENSE: &str = "https://creativecommons.org/licenses/by/4.0/";

/// The required slots and the optional ones we fill, in column order.
pub const COLUMNS: [&str; 9] = [
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "mapping_source",
    "comment",
];

pub const JUSTIFICATION_LEXICAL: &str = "semapv:LexicalMatching";
pub const JUSTIFICATION_COMPOSITE: &str = "semapv:CompositeMatching";
pub const JUSTIFICATION_CURATED: &str = "semapv:ManualMappingCuration";

/// One mapping as an SSSOM row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    pub subject_id: String,
    pub subject_label: String,
    pub predicate_id: String,
    pub object_id: String,
    pub object_label: String,
    pub mapping_justification: &'static str,
    #[serde(serialize_with = "crate::json::three_decimals")]
    pub confidence: f32,
    /// `computed` or `curated`.
    pub mapping_source: MappingSource,
    /// The evidence in a sentence, for the reviewer.
    pub comment: String,
}

impl Row {
    /// `curie` writes ids as CURIEs (the TSV); otherwise they stay the API's ids (JSON).
    pub fn new(model: &Model, m: &Mapping, curie: bool) -> Row {
        let (s, o) = (model.concept(m.subject), model.concept(m.object));
        let id = |id: &str| if curie { to_curie(id) } else { id.to_string() };
        let justification = match m.source {
            MappingSource::Curated => JUSTIFICATION_CURATED,
            MappingSource::Computed
                if m.evidence.structure > 0.0 || !m.evidence.codes.is_empty() =>
            {
                JUSTIFICATION_COMPOSITE
            }
            MappingSource::Computed => JUSTIFICATION_LEXICAL,
        };
        Row {
            subject_id: id(&s.id),
            subject_label: label_of(s),
            predicate_id: m.relation.predicate(),
            object_id: id(&o.id),
            object_label: label_of(o),
            mapping_justification: justification,
            confidence: m.confidence,
            mapping_source: m.source,
            comment: comment(m),
        }
    }
}

fn comment(m: &Mapping) -> String {
    let e = &m.evidence;
    let mut parts = Vec::new();
    if let Some(c) = &e.curated {
        parts.push(c.clone());
    }
    if let Some(l) = &e.labels {
        parts.push(format!(
            "label {:?} ~ {:?} ({}, {:.2})",
            l.subject_label, l.object_label, l.languages, l.similarity
        ));
    }
    if !e.aligned.is_empty() {
        parts.push(format!("{} aligned skills", e.aligned.len()));
    }
    if let Some(c) = e.context.first() {
        parts.push(c.clone());
    }
    parts.extend(e.codes.iter().cloned());
    parts.join("; ").replace(['\t', '\n'], " ")
}

/// `http://data.europa.eu/esco/occupation/x` → `esco:occupation/x`; `vks:BK-1` stays.
pub fn to_curie(id: &str) -> String {
    match id.strip_prefix(ESCO_BASE) {
        Some(rest) => format!("esco:{rest}"),
        None => id.to_string(),
    }
}

/// The inverse of [`to_curie`] for ESCO; other CURIEs are the model's ids already.
pub fn from_curie(curie: &str) -> String {
    match curie.strip_prefix("esco:") {
        Some(rest) => format!("{ESCO_BASE}{rest}"),
        None => curie.to_string(),
    }
}

/// The SSSOM TSV: metadata header, column names, one row per mapping.
pub fn to_tsv(model: &Model, from: &str, to: &str, mappings: &[Mapping], date: &str) -> String {
    let version = |v: &str| {
        model
            .vocabulary(v)
            .map(|x| x.version.clone())
            .unwrap_or_default()
    };
    let mut prefixes: Vec<(String, String)> = vec![
        ("esco".into(), ESCO_BASE.into()),
        ("semapv".into(), "https://w3id.org/semapv/vocab/".into()),
        ("skos".into(), "http://www.w3.org/2004/02/skos/core#".into()),
    ];
    for v in [from, to] {
        if v != "esco" && !prefixes.iter().any(|(p, _)| p == v) {
            prefixes.push((v.to_string(), format!("{LOCAL_BASE}{v}:")));
        }
    }
    prefixes.sort();
    let mut out = String::from("#curie_map:\n");
    for (p, base) in &prefixes {
        out.push_str(&format!("#  {p}: \"{base}\"\n"));
    }
    out.push_str(&format!("#mapping_set_id: {MAPPING_SET_BASE}{from}/{to}\n"));
    out.push_str(&format!(
        "#mapping_set_title: skillbridge crosswalk {from} to {to}\n"
    ));
    out.push_str(&format!("#license: {LICENSE}\n"));
    out.push_str(&format!("#subject_source: {}{from}\n", source_prefix(from)));
    out.push_str(&format!("#subject_source_version: \"{}\"\n", version(from)));
    out.push_str(&format!("#object_source: {}{to}\n", source_prefix(to)));
    out.push_str(&format!("#object_source_version: \"{}\"\n", version(to)));
    out.push_str(&format!("#mapping_date: {date}\n"));
    out.push_str(&format!(
        "#mapping_tool: skillbridge {}\n",
        env!("CARGO_PKG_VERSION")
    ));
    out.push_str(&COLUMNS.join("\t"));
    out.push('\n');
    for m in mappings {
        let r = Row::new(model, m, true);
        let source = match r.mapping_source {
            MappingSource::Computed => "computed",
            MappingSource::Curated => "curated",
        };
        let cells = [
            r.subject_id,
            clean(&r.subject_label),
            r.predicate_id,
            r.object_id,
            clean(&r.object_label),
            r.mapping_justification.to_string(),
            format!("{:.3}", r.confidence),
            source.to_string(),
            r.comment,
        ];
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

fn source_prefix(vocab: &str) -> &'static str {
    if vocab == "esco" {
        "http://data.europa.eu/esco/"
    } else {
        LOCAL_BASE
    }
}

fn clean(text: &str) -> String {
    text.replace(['\t', '\n', '\r'], " ")
}

/// The two shapes of a mapping set document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Sssom,
}

impl Format {
    pub fn parse(text: &str) -> crate::Result<Format> {
        match text {
            "" | "json" => Ok(Format::Json),
            "sssom" | "tsv" => Ok(Format::Sssom),
            other => Err(crate::Error::invalid(
                "invalid_format",
                format!("format {other:?} is not one of json, sssom"),
            )),
        }
    }
}

/// The mapping set as the HTTP call and the command line print it.
pub fn document(
    model: &Model,
    from: &str,
    to: &str,
    mappings: &[Mapping],
    format: Format,
) -> String {
    match format {
        Format::Sssom => to_tsv(
            model,
            from,
            to,
            mappings,
            &chrono::Utc::now().format("%Y-%m-%d").to_string(),
        ),
        Format::Json => {
            let items: Vec<Row> = mappings.iter().map(|m| Row::new(model, m, false)).collect();
            serde_json::json!({ "items": items }).to_string()
        }
    }
}
