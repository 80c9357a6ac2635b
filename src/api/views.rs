//! The JSON shapes of API.md, kept apart from the core types.

use serde::Serialize;

use crate::crosswalk::{HitMappings, MappingSource, Relation};
use crate::search::{Engine, Hit};
use crate::text::Lang;
use crate::vocab::{ConceptIdx, Kind, Model};

/// A concept in a list: suggest items, search items, related concepts.
#[derive(Debug, Serialize)]
pub struct ConceptRef {
    pub id: String,
    pub vocab: String,
    pub kind: Kind,
    pub label: String,
    pub label_lang: Lang,
}

impl ConceptRef {
    pub fn new(engine: &Engine, idx: ConceptIdx, lang: Option<Lang>) -> ConceptRef {
        let c = engine.model().concept(idx);
        let (label, label_lang) = c
            .preferred_label(lang.unwrap_or(Lang::EN))
            .unwrap_or(("", Lang::EN));
        ConceptRef {
            id: c.id.clone(),
            vocab: c.vocab.clone(),
            kind: c.kind,
            label: label.to_string(),
            label_lang,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SuggestItem {
    #[serde(flatten)]
    pub concept: ConceptRef,
    /// The label or alternative label that matched.
    pub matched: String,
    pub matched_lang: Lang,
    #[serde(serialize_with = "crate::json::three_decimals")]
    pub score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The hit's best confident mapping into each other vocabulary; empty while the hit
    /// mappings are warming or when none is confident enough; left out by the CLI, which does
    /// not warm them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mappings: Option<Vec<MappingRef>>,
}

impl SuggestItem {
    /// Without `lang`, labels come in the language of the label that matched.
    pub fn new(
        engine: &Engine,
        hit: &Hit,
        lang: Option<Lang>,
        with_description: bool,
    ) -> SuggestItem {
        let c = engine.model().concept(hit.concept);
        let matched = &c.labels[hit.matched as usize];
        let display_lang = lang.unwrap_or(matched.lang);
        SuggestItem {
            concept: ConceptRef::new(engine, hit.concept, Some(display_lang)),
            matched: matched.text.clone(),
            matched_lang: matched.lang,
            score: hit.score,
            description: with_description
                .then(|| c.description(display_lang).map(|(d, _)| d.to_string()))
                .flatten(),
            mappings: None,
        }
    }

    /// Adds the hit's mappings from the warmed table (a lookup, no computation), labelled in the
    /// hit's language; none while `hits` is still warming.
    pub fn with_mappings(mut self, model: &Model, hits: Option<&HitMappings>, hit: &Hit) -> Self {
        let lang = self.concept.label_lang;
        self.mappings = Some(
            hits.map(|hits| hits.of(hit.concept))
                .unwrap_or_default()
                .iter()
                .map(|m| MappingRef::new(model, m.object, m.relation, m.confidence, m.source, lang))
                .collect(),
        );
        self
    }
}

/// Where a concept lands in another vocabulary: a mapping as lists show it (search hits, and
/// with its evidence `/v1/concepts/{id}/mappings`).
#[derive(Debug, Serialize)]
pub struct MappingRef {
    pub target_id: String,
    pub target_vocab: String,
    pub target_kind: Kind,
    pub target_label: String,
    /// The SKOS name read from the subject's side: `exactMatch`, `closeMatch`, …
    pub relation: Relation,
    #[serde(serialize_with = "crate::json::three_decimals")]
    pub confidence: f32,
    pub source: MappingSource,
}

impl MappingRef {
    /// The target labelled in `lang`, falling back to another language it has.
    pub fn new(
        model: &Model,
        target: ConceptIdx,
        relation: Relation,
        confidence: f32,
        source: MappingSource,
        lang: Lang,
    ) -> MappingRef {
        let c = model.concept(target);
        MappingRef {
            target_id: c.id.clone(),
            target_vocab: c.vocab.clone(),
            target_kind: c.kind,
            target_label: c
                .preferred_label(lang)
                .map(|(l, _)| l.to_string())
                .unwrap_or_default(),
            relation,
            confidence,
            source,
        }
    }
}
