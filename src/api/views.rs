//! The JSON shapes of API.md, kept apart from the core types.

use serde::Serialize;

use crate::search::{Engine, Hit};
use crate::text::Lang;
use crate::vocab::{ConceptIdx, Kind};

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
        let (label, label_lang) = c.preferred_label(lang.unwrap_or(Lang::EN)).unwrap_or(("", Lang::EN));
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
    pub score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl SuggestItem {
    /// Without `lang`, labels come in the language of the label that matched.
    pub fn new(engine: &Engine, hit: &Hit, lang: Option<Lang>, with_description: bool) -> SuggestItem {
        let c = engine.model().concept(hit.concept);
        let matched = &c.labels[hit.matched as usize];
        let display_lang = lang.unwrap_or(matched.lang);
        SuggestItem {
            concept: ConceptRef::new(engine, hit.concept, Some(display_lang)),
            matched: matched.text.clone(),
            matched_lang: matched.lang,
            // Three decimals are all the ranking distinguishes.
            score: (hit.score * 1000.0).round() / 1000.0,
            description: with_description
                .then(|| c.description(display_lang).map(|(d, _)| d.to_string()))
                .flatten(),
        }
    }
}
