//! Training offers that providers publish, with the competences they teach and the training facts
//! that decide which incentives can pay for them.
//!
//! - [`OfferInput::from_json`]: reads and checks what a provider sends (every field bounded, the
//!   training facts under the names of [`Training`], so the evaluator reads them as they are).
//! - [`resolve_tags`]: turns the concept ids a provider gives into tags with label, vocabulary and
//!   kind; an id the search model does not know is refused.
//! - [`store::OfferStore`]: the SQLite database of offers and provider keys.

pub mod store;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::incentives::{Fact, Training};
use crate::search::Engine;
use crate::text::Lang;
use crate::vocab::{Kind, Model};
use crate::{Error, Result};

pub use store::{OfferPage, OfferQuery, OfferStore};

/// A course title is a line, not a text; 200 chars hold the longest titles in the VDAB catalogue.
pub const MAX_TITLE_CHARS: usize = 200;
/// A description is a few paragraphs; this leaves room for a full syllabus while keeping one
/// offer far below the 1 MiB body limit.
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// Location and similar one-line fields.
pub const MAX_LINE_CHARS: usize = 200;
/// More tags than this is no longer a description of what a course teaches.
pub const MAX_TAGS: usize = 100;

/// How a course is taught.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    InPerson,
    Online,
    Blended,
}

impl Mode {
    pub const ALL: &'static [Mode] = &[Mode::InPerson, Mode::Online, Mode::Blended];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::InPerson => "in_person",
            Mode::Online => "online",
            Mode::Blended => "blended",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        Mode::ALL.iter().copied().find(|mode| mode.as_str() == text)
    }
}

/// Whether a person (the provider) confirmed a tag or the tagger only suggested it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagSource {
    Suggested,
    Confirmed,
}

impl TagSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TagSource::Suggested => "suggested",
            TagSource::Confirmed => "confirmed",
        }
    }

    pub fn parse(text: &str) -> Option<TagSource> {
        match text {
            "suggested" => Some(TagSource::Suggested),
            "confirmed" => Some(TagSource::Confirmed),
            _ => None,
        }
    }
}

/// A competence an offer teaches. Label, vocabulary and kind are copied from the model when the tag
/// is written, so an offer still reads well after a vocabulary update drops the concept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tag {
    pub id: String,
    pub vocab: String,
    pub kind: Kind,
    pub label: String,
    pub source: TagSource,
}

/// A tag as a provider sends it: the concept id, and whether they confirm it (the default: a tag a
/// provider sends is one they stand by). Other fields of a stored tag are accepted and ignored so
/// that a client can send back what it read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TagRequest {
    pub id: String,
    #[serde(default = "confirmed")]
    pub source: TagSource,
}

fn confirmed() -> TagSource {
    TagSource::Confirmed
}

/// What a provider writes about an offer; the store adds the id, the owner and the times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferDraft {
    pub title: String,
    pub description: String,
    pub language: Lang,
    pub mode: Option<Mode>,
    pub location: Option<String>,
    pub price_eur: Option<f64>,
    /// The training facts of API.md; `contact_hours` and `study_points` are the offer's own.
    #[serde(flatten)]
    pub training: Training,
}

impl OfferDraft {
    /// The facts the incentive rules read. A provider that gives a price but no separate
    /// `cost_eur` charges that price, so it is the cost an incentive would cover.
    pub fn training_facts(&self) -> Training {
        Training {
            cost_eur: self.training.cost_eur.or(self.price_eur),
            ..self.training.clone()
        }
    }
}

/// A stored offer as every client sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    pub id: String,
    pub provider: String,
    #[serde(flatten)]
    pub draft: OfferDraft,
    pub tags: Vec<Tag>,
    pub created_at: String,
    pub updated_at: String,
}

/// A create or replace request: the draft, and the tags when the provider gave them.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferInput {
    pub draft: OfferDraft,
    pub tags: Option<Vec<TagRequest>>,
}

/// The fields of an offer body other than the training facts.
#[derive(Deserialize)]
struct RawOffer {
    title: Option<String>,
    #[serde(default)]
    description: String,
    language: Option<String>,
    mode: Option<String>,
    location: Option<String>,
    price_eur: Option<f64>,
    tags: Option<Vec<TagRequest>>,
    /// Read-only fields a client may send back from a GET; the store owns them.
    #[serde(default, rename = "id")]
    _id: Option<Value>,
    #[serde(default, rename = "provider")]
    _provider: Option<Value>,
    #[serde(default, rename = "created_at")]
    _created_at: Option<Value>,
    #[serde(default, rename = "updated_at")]
    _updated_at: Option<Value>,
    /// Everything else: training facts, or a mistake to report.
    #[serde(flatten)]
    rest: Map<String, Value>,
}

const OFFER_FIELDS: &[&str] = &[
    "title",
    "description",
    "language",
    "mode",
    "location",
    "price_eur",
    "tags",
];

/// The training fact names of API.md, as the evaluator knows them.
fn training_fields() -> impl Iterator<Item = &'static str> {
    Fact::ALL
        .iter()
        .filter_map(|fact| fact.name().strip_prefix("training."))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid("invalid_offer", message)
}

impl OfferInput {
    /// Reads an offer body. Every problem is a 400 `invalid_offer` (or `invalid_training` for a
    /// training fact) whose message says what is allowed; a misspelt field is refused rather than
    /// silently dropped, since a dropped training fact would change verdicts.
    pub fn from_json(value: &Value) -> Result<OfferInput> {
        if !value.is_object() {
            return Err(invalid("the offer must be a JSON object"));
        }
        let raw: RawOffer = serde_json::from_value(value.clone())
            .map_err(|e| invalid(format!("invalid offer: {e}")))?;
        let mut training = Map::new();
        for (key, field) in raw.rest {
            if training_fields().any(|name| name == key) {
                // Checked one at a time so that the message names the field; serde's does not.
                let alone = Value::Object(Map::from_iter([(key.clone(), field.clone())]));
                Training::from_json(&alone).map_err(|e| match e {
                    Error::InvalidParameter { code, message } => {
                        Error::invalid(code, format!("{key}: {message}"))
                    }
                    other => other,
                })?;
                training.insert(key, field);
            } else {
                let allowed: Vec<&str> = OFFER_FIELDS
                    .iter()
                    .copied()
                    .chain(training_fields())
                    .collect();
                return Err(invalid(format!(
                    "unknown field `{key}`; allowed: {}",
                    allowed.join(", ")
                )));
            }
        }
        let training = Training::from_json(&Value::Object(training))?;

        let title = raw.title.as_deref().map(str::trim).unwrap_or_default();
        if title.is_empty() {
            return Err(invalid("title is required and must not be empty"));
        }
        check_length("title", title, MAX_TITLE_CHARS)?;
        let description = raw.description.trim();
        check_length("description", description, MAX_DESCRIPTION_CHARS)?;
        let language = match raw.language.as_deref() {
            None => {
                return Err(invalid(
                    "language is required: an ISO 639-1 code such as nl or en",
                ))
            }
            Some(text) => Lang::parse(text).ok_or_else(|| {
                invalid(format!(
                    "language {text:?} is not an ISO 639-1 code such as nl or en"
                ))
            })?,
        };
        let mode = match raw.mode.as_deref() {
            None => None,
            Some(text) => Some(Mode::parse(text).ok_or_else(|| {
                let allowed: Vec<&str> = Mode::ALL.iter().map(|m| m.as_str()).collect();
                invalid(format!(
                    "unknown mode `{text}`; allowed: {}",
                    allowed.join(", ")
                ))
            })?),
        };
        let location = raw
            .location
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty());
        if let Some(location) = location {
            check_length("location", location, MAX_LINE_CHARS)?;
        }
        if raw.price_eur.is_some_and(|price| price < 0.0) {
            return Err(invalid("price_eur must not be negative"));
        }
        if raw.tags.as_ref().is_some_and(|tags| tags.len() > MAX_TAGS) {
            return Err(invalid(format!("at most {MAX_TAGS} tags")));
        }
        Ok(OfferInput {
            draft: OfferDraft {
                title: title.to_string(),
                description: description.to_string(),
                language,
                mode,
                location: location.map(String::from),
                price_eur: raw.price_eur,
                training,
            },
            tags: raw.tags,
        })
    }
}

fn check_length(field: &str, text: &str, max_chars: usize) -> Result<()> {
    if text.chars().count() > max_chars {
        return Err(invalid(format!(
            "{field} is longer than {max_chars} characters"
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(invalid(format!("{field} contains control characters")));
    }
    Ok(())
}

/// Turns the ids a provider gave into tags, labelled in the offer's language where the concept has
/// one. An id twice keeps its first occurrence.
pub fn resolve_tags(model: &Model, requests: &[TagRequest], lang: Lang) -> Result<Vec<Tag>> {
    let mut tags: Vec<Tag> = Vec::with_capacity(requests.len());
    for request in requests {
        let idx = model.find(&request.id).ok_or_else(|| {
            Error::invalid(
                "unknown_concept",
                format!("tag {:?} is not a concept id of any vocabulary", request.id),
            )
        })?;
        if tags.iter().any(|tag| tag.id == request.id) {
            continue;
        }
        let concept = model.concept(idx);
        let label = concept
            .preferred_label(lang)
            .map(|(label, _)| label)
            .unwrap_or_default();
        tags.push(Tag {
            id: concept.id.clone(),
            vocab: concept.vocab.clone(),
            kind: concept.kind,
            label: label.to_string(),
            source: request.source,
        });
    }
    Ok(tags)
}

/// How many tags the tagger suggests for an offer: a provider reviews them, and past ten the
/// suggestions are mostly weak single-word matches.
const SUGGESTED_TAGS: usize = 10;

/// The tags the tagger (`POST /v1/tag`'s core) suggests for an offer the provider sent without
/// tags, read from its title and description in the offer's language. A text the tagger cannot
/// read (only boilerplate, say) leaves the offer untagged rather than failing the write.
pub fn suggest_tags(engine: &Engine, title: &str, description: &str, language: Lang) -> Vec<Tag> {
    let mut request = crate::tag::TagRequest::new(format!("{title}\n{description}"));
    request.limit = SUGGESTED_TAGS;
    request.lang = engine.check_lang(language).is_ok().then_some(language);
    let Ok(tagging) = engine.tag(&request) else {
        return Vec::new();
    };
    let model = engine.model();
    tagging
        .tags
        .iter()
        .map(|t| {
            let concept = model.concept(t.concept);
            Tag {
                id: concept.id.clone(),
                vocab: concept.vocab.clone(),
                kind: concept.kind,
                label: concept
                    .preferred_label(language)
                    .map(|(l, _)| l.to_string())
                    .unwrap_or_default(),
                source: TagSource::Suggested,
            }
        })
        .collect()
}
