//! From what a caller sends to concepts: ids as they are, labels through the search index
//! (misspellings included), text through the tagger. Every input is accounted for — resolved,
//! with what it became and how sure that is, or unresolved with the reason — so that a caller can
//! show it and let the person correct it.

use std::collections::HashMap;

use rayon::prelude::*;

use super::{MatchRequest, SKILL_KINDS};
use crate::search::{Engine, SearchRequest, MAX_QUERY_CHARS};
use crate::tag::{self, Span, TagRequest};
use crate::text::{self, Lang};
use crate::vocab::{ConceptIdx, Model};
use crate::{Error, Result};

/// A label whose best hit scores below this names no skill we know (a word-for-word match of a
/// whole label scores about 1; one typo about 0.8; half the words of a label about 0.6).
const LABEL_MIN_SCORE: f32 = 0.5;
/// A label that is word for word a skill's label, which needs no search.
const EXACT_LABEL_SCORE: f32 = 1.0;
/// A label also resolves to the best hit of each other vocabulary that scores at least this share
/// of the best hit: "lassen" is an ESCO skill and a VKS competence, and each vocabulary's
/// occupations need their own.
const OTHER_VOCAB_SHARE: f32 = 0.9;
/// Below this best search score a label is also read through the Dutch–English bridge.
const BRIDGE_BELOW: f32 = 0.9;
/// The least tagger score a bridged reading must have. Tagger scores of a one- or two-word text
/// are small (the label's share of the text's words times the bridge's confidence): "lassen" →
/// "join metals" scores 0.07 and "boekhouding" → "accounting" 0.013.
const BRIDGED_MIN_SCORE: f32 = 0.01;
/// A reading through the bridge counts this much of a direct one: the learned lexicon is right
/// about most words, not all ("lassen" is also the joints of a carpenter).
const BRIDGED_CONFIDENCE: f32 = 0.5;
/// Hits looked at per label: enough to see each vocabulary's best.
const LABEL_HITS: usize = 10;
/// Skills read from a text at most; a CV names fewer.
const TEXT_SKILLS: usize = 30;
/// Language of labels shown when neither the request nor the text says.
const FALLBACK_LANG: Lang = Lang::EN;

/// How an input became a concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Id,
    Label,
    Text,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Id => "id",
            Via::Label => "label",
            Via::Text => "text",
        }
    }
}

/// One input and the concept it resolved to.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The skill as sent, or for text the words that named the concept.
    pub input: String,
    pub via: Via,
    pub concept: ConceptIdx,
    /// 1 for ids; the search or tagger score otherwise.
    pub score: f32,
    /// How much the skill counts in matching, 0–1: 1 for ids and whole labels, the search score
    /// for a label found with a typo or in part, and for text the tag's score relative to the
    /// text's best tag (a text's weakest tags are mostly generic words read as skills).
    pub confidence: f32,
    /// For text: where in the text (chars).
    pub spans: Vec<Span>,
}

/// An input that named nothing the engine knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Unresolved {
    pub input: String,
    /// `unknown_id`, `not_a_skill`, `no_match` or `label_too_long`.
    pub code: &'static str,
    pub message: String,
}

/// A person's skills as the engine understood them.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The language labels are shown in.
    pub lang: Lang,
    pub resolved: Vec<Resolved>,
    pub unresolved: Vec<Unresolved>,
}

/// One distinct skill of the person.
#[derive(Debug, Clone, Default)]
pub struct PersonSkill {
    /// Positions in [`Profile::resolved`] of the inputs that named it.
    pub inputs: Vec<usize>,
    /// The best confidence of those inputs.
    pub confidence: f32,
}

impl Profile {
    /// Each distinct skill, with the inputs that named it.
    pub fn skills(&self) -> HashMap<ConceptIdx, PersonSkill> {
        let mut skills: HashMap<ConceptIdx, PersonSkill> = HashMap::new();
        for (i, r) in self.resolved.iter().enumerate() {
            let skill = skills.entry(r.concept).or_default();
            skill.inputs.push(i);
            skill.confidence = skill.confidence.max(r.confidence);
        }
        skills
    }
}

/// An input without spaces and with a colon (`vks:BK-0002-3`, `http://…`, `sector:A12`) is meant
/// as an id; anything else is a label.
fn looks_like_id(input: &str) -> bool {
    input.contains(':') && !input.contains(char::is_whitespace)
}

/// What one entry of `skills` resolves to.
enum Outcome {
    Resolved(Vec<Resolved>),
    Unresolved(Unresolved),
}

pub fn resolve(engine: &Engine, request: &MatchRequest) -> Result<Profile> {
    let inputs: Vec<&str> = request
        .skills
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    // Labels cost a search each (about a millisecond); both cores share them.
    let outcomes: Vec<Outcome> = inputs
        .par_iter()
        .map(|input| resolve_one(engine, input, request.lang))
        .collect::<Result<_>>()?;
    let mut profile = Profile {
        lang: FALLBACK_LANG,
        resolved: Vec::new(),
        unresolved: Vec::new(),
    };
    for outcome in outcomes {
        match outcome {
            Outcome::Resolved(r) => profile.resolved.extend(r),
            Outcome::Unresolved(u) => profile.unresolved.push(u),
        }
    }
    let mut text_lang = None;
    if let Some(text) = request.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let tagging = engine.tag(&TagRequest {
            lang: request.lang,
            kinds: SKILL_KINDS.to_vec(),
            limit: TEXT_SKILLS,
            ..TagRequest::new(text)
        })?;
        let chars: Vec<char> = text.chars().collect();
        text_lang = Some(tagging.lang);
        let best = tagging.tags.first().map_or(1.0, |t| t.score);
        profile.resolved.extend(tagging.tags.into_iter().map(|t| {
            Resolved {
                input: t
                    .spans
                    .iter()
                    .map(|&s| tag::quote(&chars, s))
                    .collect::<Vec<_>>()
                    .join(" … "),
                via: Via::Text,
                concept: t.concept,
                score: t.score,
                confidence: t.score / best,
                spans: t.spans,
            }
        }));
    }
    profile.lang = request
        .lang
        .or(text_lang)
        .or_else(|| text::detect(&inputs.join(", ")))
        .unwrap_or(FALLBACK_LANG);
    Ok(profile)
}

fn resolve_one(engine: &Engine, input: &str, lang: Option<Lang>) -> Result<Outcome> {
    let model = engine.model();
    let unresolved = |code, message: String| {
        Ok(Outcome::Unresolved(Unresolved {
            input: input.to_string(),
            code,
            message,
        }))
    };
    if let Some(idx) = model.find(input) {
        let concept = model.concept(idx);
        if !concept.kind.is_skill_like() {
            return unresolved(
                "not_a_skill",
                format!(
                    "{input} is a {}; give skills, knowledge or competences",
                    concept.kind
                ),
            );
        }
        return Ok(Outcome::Resolved(vec![Resolved {
            input: input.to_string(),
            via: Via::Id,
            concept: idx,
            score: 1.0,
            confidence: 1.0,
            spans: Vec::new(),
        }]));
    }
    if looks_like_id(input) {
        return unresolved("unknown_id", format!("no concept with id {input:?}"));
    }
    if input.chars().count() > MAX_QUERY_CHARS {
        return unresolved(
            "label_too_long",
            format!("a label is at most {MAX_QUERY_CHARS} characters; send long text as `text`"),
        );
    }
    let exact = engine.matcher().exact(model, input);
    if !exact.is_empty() {
        return Ok(Outcome::Resolved(
            exact
                .into_iter()
                .map(|concept| Resolved {
                    input: input.to_string(),
                    via: Via::Label,
                    concept,
                    score: EXACT_LABEL_SCORE,
                    confidence: 1.0,
                    spans: Vec::new(),
                })
                .collect(),
        ));
    }
    let hits = match engine.lookup(&SearchRequest {
        text: input.to_string(),
        lang,
        kinds: SKILL_KINDS.to_vec(),
        limit: LABEL_HITS,
        ..SearchRequest::default()
    }) {
        Ok(hits) => hits,
        // A label of stop words or punctuation only: nothing to look up.
        Err(Error::InvalidParameter { .. }) => Vec::new(),
        Err(e) => return Err(e),
    };
    let best_score = hits.first().map_or(0.0, |h| h.score);
    let mut resolved: Vec<Resolved> = Vec::new();
    if best_score >= LABEL_MIN_SCORE {
        for h in hits
            .iter()
            .filter(|h| h.score >= best_score * OTHER_VOCAB_SHARE)
        {
            add_best_of_vocab(
                &mut resolved,
                model,
                input,
                h.concept,
                h.score,
                h.score.min(1.0),
            );
        }
    }
    // Most ESCO skills have no Dutch label (PRODUCT.md), so a Dutch label the search does not
    // find nearly word for word is also read by the tagger, whose learned Dutch–English bridge
    // reaches English labels ("lassen" → "join metals"); it adds the best of each vocabulary the
    // search left without a hit. Without a language, only a label the search does not find at
    // all is tried this way: the bridge costs about as much as the search, and a misspelt
    // English label, which the search finds, gains nothing from it.
    let try_bridge = match lang {
        Some(lang) => lang != Lang::EN && best_score < BRIDGE_BELOW,
        None => best_score < LABEL_MIN_SCORE,
    };
    if try_bridge {
        let tagging = match engine.tag(&TagRequest {
            lang,
            kinds: SKILL_KINDS.to_vec(),
            limit: LABEL_HITS,
            ..TagRequest::new(input)
        }) {
            Ok(tagging) => Some(tagging),
            Err(Error::InvalidParameter { .. }) => None,
            Err(e) => return Err(e),
        };
        let tags = tagging
            .filter(|t| t.lang != Lang::EN)
            .map(|t| t.tags)
            .unwrap_or_default();
        let best = tags.first().map_or(1.0, |t| t.score);
        for tag in tags.iter().filter(|t| t.score >= BRIDGED_MIN_SCORE) {
            let confidence = BRIDGED_CONFIDENCE * tag.score / best;
            add_best_of_vocab(
                &mut resolved,
                model,
                input,
                tag.concept,
                tag.score,
                confidence,
            );
        }
    }
    if resolved.is_empty() {
        return unresolved(
            "no_match",
            format!("no skill, knowledge or competence matches {input:?}"),
        );
    }
    Ok(Outcome::Resolved(resolved))
}

/// Adds `concept` as what `input` names unless its vocabulary already has a (better) concept.
fn add_best_of_vocab(
    resolved: &mut Vec<Resolved>,
    model: &Model,
    input: &str,
    concept: ConceptIdx,
    score: f32,
    confidence: f32,
) {
    let vocab = &model.concept(concept).vocab;
    if resolved
        .iter()
        .any(|r| &model.concept(r.concept).vocab == vocab)
    {
        return;
    }
    resolved.push(Resolved {
        input: input.to_string(),
        via: Via::Label,
        concept,
        score,
        confidence,
        spans: Vec::new(),
    });
}
