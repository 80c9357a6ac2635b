//! The whole answer to a profile: ranked occupations, the offers that teach what is missing, and
//! — for a person — the incentives that can pay for those offers.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::{MatchRequest, OccupationMatch, Profile, Scoring};
use crate::incentives::{self, Assessment, Catalog, Person, Training};
use crate::offers::{Offer, OfferQuery, OfferStore};
use crate::search::Engine;
use crate::vocab::ConceptIdx;
use crate::Result;

/// Offers fetched that teach any missing skill, before ranking by how many they teach. Newest
/// first when more match; a catalogue of offers per skill this deep is far off.
const OFFER_POOL: usize = 200;

/// Who asks, for the incentives part.
#[derive(Debug, Clone)]
pub struct PersonQuestion {
    pub person: Person,
    pub date: NaiveDate,
    pub lang: incentives::Lang,
}

/// An offer that teaches skills a ranked occupation misses.
#[derive(Debug, Clone)]
pub struct OfferMatch {
    pub offer: Offer,
    /// The missing essential skills it teaches, most wanted first.
    pub teaches: Vec<ConceptIdx>,
    /// The ranked occupations that miss them, in rank order.
    pub occupations: Vec<ConceptIdx>,
}

/// An incentive's best verdict over the offers, and the offers it has that verdict for.
#[derive(Debug, Clone)]
pub struct Payer {
    /// The assessment for the first offer with the best verdict (or for no training, when no
    /// offer was found).
    pub assessment: Assessment,
    pub offers: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub profile: Profile,
    pub occupations: Vec<OccupationMatch>,
    pub offers: Vec<OfferMatch>,
    pub incentives: Vec<Payer>,
}

pub fn answer(
    engine: &Engine,
    store: &OfferStore,
    catalog: &Catalog,
    request: &MatchRequest,
    person: Option<&PersonQuestion>,
) -> Result<Answer> {
    let (profile, occupations) = engine.match_profile(request, &Scoring::default())?;
    let offers = teaching_offers(engine, store, &occupations, request.limit)?;
    let incentives = match person {
        Some(question) => payers(catalog, question, &offers),
        None => Vec::new(),
    };
    Ok(Answer {
        profile,
        occupations,
        offers,
        incentives,
    })
}

/// Offers tagged with the ranked occupations' missing essential skills; an offer that teaches
/// more of them comes first, then one that serves a better-ranked occupation.
fn teaching_offers(
    engine: &Engine,
    store: &OfferStore,
    occupations: &[OccupationMatch],
    limit: usize,
) -> Result<Vec<OfferMatch>> {
    let model = engine.model();
    // Missing skill id → (skill, the occupations that miss it in rank order).
    let mut missing: BTreeMap<&str, (ConceptIdx, Vec<ConceptIdx>)> = BTreeMap::new();
    for m in occupations {
        for &skill in &m.missing_essential {
            missing
                .entry(model.concept(skill).id.as_str())
                .or_insert_with(|| (skill, Vec::new()))
                .1
                .push(m.occupation);
        }
    }
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let page = store.list(&OfferQuery {
        concepts: Some(missing.keys().map(|id| id.to_string()).collect()),
        text: None,
        limit: OFFER_POOL,
        offset: 0,
    })?;
    let rank_of: HashMap<ConceptIdx, usize> = occupations
        .iter()
        .enumerate()
        .map(|(i, m)| (m.occupation, i))
        .collect();
    let mut found: Vec<OfferMatch> = page
        .offers
        .into_iter()
        .map(|offer| {
            // (missing skill, how many ranked occupations miss it)
            let mut teaches: Vec<(ConceptIdx, usize)> = Vec::new();
            let mut served: Vec<ConceptIdx> = Vec::new();
            for tag in &offer.tags {
                if let Some((skill, occupations)) = missing.get(tag.id.as_str()) {
                    if !teaches.iter().any(|(s, _)| s == skill) {
                        teaches.push((*skill, occupations.len()));
                    }
                    served.extend(occupations);
                }
            }
            served.sort_by_key(|o| rank_of.get(o).copied().unwrap_or(usize::MAX));
            served.dedup();
            teaches.sort_by_key(|&(_, wanted_by)| std::cmp::Reverse(wanted_by));
            OfferMatch {
                offer,
                teaches: teaches.into_iter().map(|(skill, _)| skill).collect(),
                occupations: served,
            }
        })
        .collect();
    // A stable sort keeps the store's newest-first order among equals.
    found.sort_by_key(|m| {
        let best_served = m.occupations.first().and_then(|o| rank_of.get(o));
        (
            std::cmp::Reverse(m.teaches.len()),
            best_served.copied().unwrap_or(usize::MAX),
        )
    });
    found.truncate(limit);
    Ok(found)
}

/// Every incentive in force with its best verdict over the offers: can any of them be paid for,
/// and which. Without offers, the person's verdicts for training in general.
fn payers(catalog: &Catalog, question: &PersonQuestion, offers: &[OfferMatch]) -> Vec<Payer> {
    let evaluate = |training: Option<&Training>| {
        catalog.evaluate(&question.person, training, question.date, question.lang)
    };
    if offers.is_empty() {
        return evaluate(None)
            .into_iter()
            .map(|assessment| Payer {
                assessment,
                offers: Vec::new(),
            })
            .collect();
    }
    let mut payers: Vec<Payer> = Vec::new();
    for m in offers {
        let training = m.offer.draft.training_facts();
        for assessment in evaluate(Some(&training)) {
            let id = m.offer.id.clone();
            match payers
                .iter_mut()
                .find(|p| p.assessment.incentive == assessment.incentive)
            {
                None => payers.push(Payer {
                    assessment,
                    offers: vec![id],
                }),
                Some(p) => {
                    let (old, new) = (
                        p.assessment.verdict.display_rank(),
                        assessment.verdict.display_rank(),
                    );
                    if new < old {
                        *p = Payer {
                            assessment,
                            offers: vec![id],
                        };
                    } else if new == old {
                        p.offers.push(id);
                    }
                }
            }
        }
    }
    payers.sort_by_key(|p| p.assessment.verdict.display_rank());
    payers
}
