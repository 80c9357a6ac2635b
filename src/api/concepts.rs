//! `GET /health`, `GET /v1/vocabularies`, `GET /v1/concepts/{id}`.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use super::extract::Params;
use super::views::ConceptRef;
use super::{ApiError, ApiResult, AppState};
use crate::search::Engine;
use crate::text::Lang;
use crate::vocab::{Code, ConceptIdx, LabelForm, Relevance};

pub async fn health(State(state): State<AppState>) -> Json<Value> {
    let model = state.engine.model();
    let vocabularies: Vec<Value> = model
        .vocabularies
        .iter()
        .map(|v| json!({"id": v.id, "concepts": v.counts.values().sum::<usize>()}))
        .collect();
    // The search hits' mappings are warmed in the background after start.
    let crosswalks = match state.crosswalks.hit_mappings() {
        Some(_) => "ready",
        None => "warming",
    };
    Json(json!({
        "status": "ok",
        "vocabularies": vocabularies,
        "crosswalks": crosswalks,
        "semantic": state.engine.semantic_status(),
    }))
}

pub async fn vocabularies(State(state): State<AppState>) -> Json<Value> {
    Json(serde_json::to_value(&state.engine.model().vocabularies).unwrap_or(Value::Null))
}

#[derive(Debug, Default, Serialize)]
struct LabelsInLanguage {
    preferred: Option<String>,
    alternative: Vec<String>,
    hidden: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Related {
    #[serde(flatten)]
    concept: ConceptRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    relation: Option<Relevance>,
}

#[derive(Debug, Serialize)]
struct ConceptView {
    #[serde(flatten)]
    concept: ConceptRef,
    labels: BTreeMap<Lang, LabelsInLanguage>,
    description: Option<String>,
    description_lang: Option<Lang>,
    codes: Vec<Code>,
    broader: Vec<Related>,
    narrower: Vec<Related>,
    #[serde(skip_serializing_if = "Option::is_none")]
    essential_skills: Option<Vec<Related>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    optional_skills: Option<Vec<Related>>,
    /// For skills and competences: the occupations and qualifications that call for them.
    #[serde(skip_serializing_if = "Option::is_none")]
    occupations: Option<Vec<Related>>,
    mappings: Vec<Value>,
    vocabulary_version: String,
}

pub async fn concept(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let lang = params.lang()?;
    if let Some(l) = lang {
        state.engine.check_lang(l)?;
    }
    let engine = &state.engine;
    let idx = engine.model().find(&id).ok_or_else(|| {
        ApiError::not_found("unknown_concept", format!("no concept with id {id:?}"))
    })?;
    let mut view = concept_view(engine, idx, lang);
    let crosswalks = state.crosswalks.clone();
    view.mappings = super::blocking(move || {
        let best = crosswalks.best_mappings(idx);
        Ok(best
            .iter()
            .map(|m| super::crosswalk::mapping_item(crosswalks.model(), m))
            .collect())
    })
    .await?;
    Ok(Json(serde_json::to_value(view).unwrap_or(Value::Null)))
}

fn concept_view(engine: &Engine, idx: ConceptIdx, lang: Option<Lang>) -> ConceptView {
    let model = engine.model();
    let c = model.concept(idx);
    let display = lang.unwrap_or(Lang::EN);
    let mut labels: BTreeMap<Lang, LabelsInLanguage> = BTreeMap::new();
    for l in &c.labels {
        let entry = labels.entry(l.lang).or_default();
        match l.form {
            LabelForm::Preferred => entry.preferred = Some(l.text.clone()),
            LabelForm::Alternative => entry.alternative.push(l.text.clone()),
            LabelForm::Hidden => entry.hidden.push(l.text.clone()),
        }
    }
    let related =
        |items: &mut dyn Iterator<Item = (ConceptIdx, Option<Relevance>)>| -> Vec<Related> {
            items
                .map(|(i, relation)| Related {
                    concept: ConceptRef::new(engine, i, Some(display)),
                    relation,
                })
                .collect()
        };
    let skills_with = |relevance: Relevance| {
        (!c.skills.is_empty()).then(|| {
            related(
                &mut c
                    .skills
                    .iter()
                    .filter(|(_, r)| *r == relevance)
                    .map(|(i, _)| (*i, None)),
            )
        })
    };
    let description = c.description(display);
    ConceptView {
        concept: ConceptRef::new(engine, idx, Some(display)),
        labels,
        description: description.map(|(d, _)| d.to_string()),
        description_lang: description.map(|(_, l)| l),
        codes: c.codes.clone(),
        broader: related(&mut c.broader.iter().map(|i| (*i, None))),
        narrower: related(&mut c.narrower.iter().map(|i| (*i, None))),
        essential_skills: skills_with(Relevance::Essential),
        optional_skills: skills_with(Relevance::Optional),
        occupations: (c.kind.is_skill_like())
            .then(|| related(&mut c.required_by.iter().map(|(i, r)| (*i, Some(*r))))),
        mappings: Vec::new(),
        vocabulary_version: model
            .vocabulary(&c.vocab)
            .map(|v| v.version.clone())
            .unwrap_or_default(),
    }
}
