//! `POST /v1/match`: a person's skills → occupations, what is missing, offers, incentives.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use serde_json::Value;

use super::extract::{BodyFields, JsonBody};
use super::incentives::parse_date;
use super::views::{ConceptRef, MappingRef};
use super::{blocking, ApiError, ApiResult, AppState};
use crate::crosswalk::hits::HitMappings;
use crate::incentives::{self, Assessment, Person};
use crate::matching::answer::{self, Answer, PersonQuestion};
use crate::matching::{MatchRequest, Resolved};
use crate::offers::Offer;
use crate::search::{Engine, DEFAULT_LIMIT};
use crate::text::Lang;
use crate::vocab::{ConceptIdx, Relevance};

const FIELDS: &[&str] = &["skills", "text", "lang", "person", "limit", "vocab", "date"];

/// A match question read from a request body (or built by the CLI).
pub struct Question {
    pub request: MatchRequest,
    pub person: Option<PersonQuestion>,
}

/// Reads and checks the body; everything a client can get wrong is a 400 naming the field.
pub fn question(engine: &Engine, body: &Value) -> ApiResult<Question> {
    let fields = BodyFields::new(body, FIELDS)?;
    let lang = match fields.text("lang")? {
        None | Some("") => None,
        Some(code) => {
            let lang = Lang::parse(code).ok_or_else(|| {
                ApiError::bad_request(
                    "unknown_lang",
                    format!("lang {code:?} is not an ISO 639-1 code"),
                )
            })?;
            engine.check_lang(lang)?;
            Some(lang)
        }
    };
    let limit = match fields.get("limit") {
        None => DEFAULT_LIMIT,
        Some(value) => value
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| {
                ApiError::bad_request("invalid_limit", "limit must be a whole number")
            })?,
    };
    let request = MatchRequest {
        skills: fields.texts("skills")?,
        text: fields.text("text")?.map(String::from),
        lang,
        vocabs: fields.texts("vocab")?,
        limit,
    };
    engine.validate_match(&request)?;
    let person = match fields.get("person") {
        None => None,
        Some(person) => Some(PersonQuestion {
            person: Person::from_json(person)?,
            date: parse_date(fields.text("date")?)?,
            lang: lang.map_or_else(incentives::Lang::default, incentives::Lang::for_text),
        }),
    };
    Ok(Question { request, person })
}

/// `POST /v1/match`.
pub async fn match_profile(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    let question = question(&state.engine, &body)?;
    let answer = blocking(move || {
        let answer = answer::answer(
            &state.engine,
            &state.offers,
            &state.incentives,
            &question.request,
            question.person.as_ref(),
        )?;
        let warming = HitMappings::default();
        let hits = state.crosswalks.hit_mappings().unwrap_or(&warming);
        Ok(view(&state.engine, &answer, Some(hits)))
    })
    .await?;
    Ok(Json(answer))
}

#[derive(Debug, Serialize)]
struct ResolvedView {
    input: String,
    via: &'static str,
    #[serde(flatten)]
    concept: ConceptRef,
    #[serde(serialize_with = "crate::json::three_decimals")]
    score: f32,
    /// How much it counts in the ranking (0–1).
    #[serde(serialize_with = "crate::json::three_decimals")]
    confidence: f32,
    /// For text: where the words are (chars).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    spans: Vec<[usize; 2]>,
}

#[derive(Debug, Serialize)]
struct UnresolvedView<'a> {
    input: &'a str,
    code: &'static str,
    message: &'a str,
}

#[derive(Debug, Serialize)]
struct CoverageView {
    have: usize,
    total: usize,
}

#[derive(Debug, Serialize)]
struct MatchedView {
    #[serde(flatten)]
    skill: ConceptRef,
    relevance: Relevance,
    /// The person's inputs that resolved to this skill.
    inputs: Vec<String>,
}

#[derive(Debug, Serialize)]
struct OccupationView {
    #[serde(flatten)]
    concept: ConceptRef,
    #[serde(serialize_with = "crate::json::three_decimals")]
    score: f32,
    essential: CoverageView,
    optional: CoverageView,
    matched: Vec<MatchedView>,
    missing_essential: Vec<ConceptRef>,
    /// Its counterparts in the other vocabularies (the search hits' table): an ESCO occupation's
    /// Flemish qualification and back. Left out by the CLI, which does not warm the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    mappings: Option<Vec<MappingRef>>,
}

#[derive(Debug, Serialize)]
struct OfferView<'a> {
    #[serde(flatten)]
    offer: &'a Offer,
    /// The missing essential skills it teaches.
    teaches: Vec<ConceptRef>,
    /// The ranked occupations that miss them.
    for_occupations: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PayerView<'a> {
    #[serde(flatten)]
    assessment: &'a Assessment,
    /// The offers it has this verdict for.
    offers: &'a [String],
}

#[derive(Debug, Serialize)]
struct AnswerView<'a> {
    lang: Lang,
    resolved: Vec<ResolvedView>,
    unresolved: Vec<UnresolvedView<'a>>,
    occupations: Vec<OccupationView>,
    offers: Vec<OfferView<'a>>,
    incentives: Vec<PayerView<'a>>,
}

/// The JSON answer of API.md, shared by the HTTP call and `skillbridge match`; `hits` is the
/// warmed table of confident mappings, when there is one.
pub fn view(engine: &Engine, answer: &Answer, hits: Option<&HitMappings>) -> Value {
    let profile = &answer.profile;
    let lang = Some(profile.lang);
    let concept = |idx: ConceptIdx| ConceptRef::new(engine, idx, lang);
    let inputs_of = |positions: &[usize]| -> Vec<String> {
        positions
            .iter()
            .map(|&i| profile.resolved[i].input.clone())
            .collect()
    };
    let document = AnswerView {
        lang: profile.lang,
        resolved: profile
            .resolved
            .iter()
            .map(|r: &Resolved| ResolvedView {
                input: r.input.clone(),
                via: r.via.as_str(),
                concept: concept(r.concept),
                score: r.score,
                confidence: r.confidence,
                spans: r.spans.iter().map(|s| [s.start, s.end]).collect(),
            })
            .collect(),
        unresolved: profile
            .unresolved
            .iter()
            .map(|u| UnresolvedView {
                input: &u.input,
                code: u.code,
                message: &u.message,
            })
            .collect(),
        occupations: answer
            .occupations
            .iter()
            .map(|m| OccupationView {
                concept: concept(m.occupation),
                score: m.score,
                essential: CoverageView {
                    have: m.essential.have,
                    total: m.essential.total,
                },
                optional: CoverageView {
                    have: m.optional.have,
                    total: m.optional.total,
                },
                matched: m
                    .matched
                    .iter()
                    .map(|s| MatchedView {
                        skill: concept(s.skill),
                        relevance: s.relevance,
                        inputs: inputs_of(&s.inputs),
                    })
                    .collect(),
                missing_essential: m.missing_essential.iter().map(|&s| concept(s)).collect(),
                mappings: hits.map(|hits| {
                    hits.of(m.occupation)
                        .iter()
                        .map(|h| {
                            MappingRef::new(
                                engine.model(),
                                h.object,
                                h.relation,
                                h.confidence,
                                h.source,
                                profile.lang,
                            )
                        })
                        .collect()
                }),
            })
            .collect(),
        offers: answer
            .offers
            .iter()
            .map(|o| OfferView {
                offer: &o.offer,
                teaches: o.teaches.iter().map(|&s| concept(s)).collect(),
                for_occupations: o
                    .occupations
                    .iter()
                    .map(|&c| engine.model().concept(c).id.clone())
                    .collect(),
            })
            .collect(),
        incentives: answer
            .incentives
            .iter()
            .map(|p| PayerView {
                assessment: &p.assessment,
                offers: &p.offers,
            })
            .collect(),
    };
    serde_json::to_value(document).unwrap_or(Value::Null)
}
