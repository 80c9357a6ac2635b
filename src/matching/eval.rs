//! How well matching works, on profiles generated from ESCO's own occupation–skill relations with
//! a fixed seed: for an ESCO occupation, a share of its essential skills, some optional ones and
//! some unrelated noise, given three ways — as ids, as alternative labels, as a sentence of text.
//! The occupation the profile was drawn from should rank in the top 5.

use std::collections::HashSet;
use std::fmt::Write;

use rand::seq::{IndexedRandom, SliceRandom};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::{MatchRequest, OccupationMatch, Profile, Scoring};
use crate::eval::{latency, misspell};
use crate::search::Engine;
use crate::text::Lang;
use crate::vocab::{ConceptIdx, Kind, LabelForm, Model, Relevance};
use crate::Result;

/// The recipe of the issue: 30% of the essential skills, 2 optional, 4 noise.
#[derive(Debug, Clone, Copy)]
pub struct Recipe {
    pub essential_share: f64,
    pub optional: usize,
    pub noise: usize,
}

impl Default for Recipe {
    fn default() -> Self {
        Recipe {
            essential_share: 0.3,
            optional: 2,
            noise: 4,
        }
    }
}

/// The seed of the figures in the README; tuning used other seeds (`--seed`).
pub const DEFAULT_SEED: u64 = 20261126;
/// Profiles per run: the top-5 recall is then known to about ±2 points.
pub const DEFAULT_PROFILES: usize = 500;
/// Rank cut-off of the headline figure.
const TOP_K: usize = 5;
/// The ranking depth read to find the gold occupation for MRR.
const DEPTH: usize = 100;
/// Skills in the profiles of the latency figure (the target is for 15).
const LATENCY_SKILLS: usize = 15;
const VOCAB: &str = "esco";

/// A generated profile: the skills drawn and the occupation they were drawn from.
#[derive(Debug, Clone)]
pub struct GeneratedProfile {
    pub occupation: ConceptIdx,
    pub essential: Vec<ConceptIdx>,
    pub optional: Vec<ConceptIdx>,
    pub noise: Vec<ConceptIdx>,
}

impl GeneratedProfile {
    pub fn skills(&self) -> impl Iterator<Item = ConceptIdx> + '_ {
        self.essential
            .iter()
            .chain(&self.optional)
            .chain(&self.noise)
            .copied()
    }
}

/// The three ways a profile is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Ids,
    AltLabels,
    /// Alternative labels with one typo in one word, as people type them.
    MisspeltLabels,
    Text,
}

impl Form {
    pub const ALL: [Form; 4] = [Form::Ids, Form::AltLabels, Form::MisspeltLabels, Form::Text];

    pub fn name(self) -> &'static str {
        match self {
            Form::Ids => "ids",
            Form::AltLabels => "alternative labels",
            Form::MisspeltLabels => "misspelt alternative labels",
            Form::Text => "text",
        }
    }
}

/// Draws `count` profiles from ESCO occupations that have enough skills for the recipe.
pub fn generate(model: &Model, recipe: Recipe, count: usize, seed: u64) -> Vec<GeneratedProfile> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let skills = esco_skills(model);
    let mut occupations: Vec<ConceptIdx> = (0..model.concepts.len() as ConceptIdx)
        .filter(|&i| {
            let c = model.concept(i);
            c.vocab == VOCAB
                && c.kind == Kind::Occupation
                && !relevant(model, i, Relevance::Essential).is_empty()
                && relevant(model, i, Relevance::Optional).len() >= recipe.optional
        })
        .collect();
    occupations.shuffle(&mut rng);
    occupations
        .into_iter()
        .take(count)
        .map(|occupation| {
            let mut essential = relevant(model, occupation, Relevance::Essential);
            let take = ((essential.len() as f64 * recipe.essential_share).ceil() as usize).max(1);
            essential.shuffle(&mut rng);
            essential.truncate(take);
            let mut optional = relevant(model, occupation, Relevance::Optional);
            optional.shuffle(&mut rng);
            optional.truncate(recipe.optional);
            let mut noise = Vec::new();
            add_noise(
                model,
                occupation,
                &skills,
                &mut noise,
                recipe.noise,
                &mut rng,
            );
            GeneratedProfile {
                occupation,
                essential,
                optional,
                noise,
            }
        })
        .collect()
}

/// The profiles with more unrelated skills, up to `skills` each (the latency figure's 15).
pub fn pad(
    model: &Model,
    profiles: &[GeneratedProfile],
    skills: usize,
    seed: u64,
) -> Vec<GeneratedProfile> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pool = esco_skills(model);
    profiles
        .iter()
        .map(|p| {
            let mut p = p.clone();
            let given = p.essential.len() + p.optional.len();
            let noise = skills.saturating_sub(given);
            add_noise(model, p.occupation, &pool, &mut p.noise, noise, &mut rng);
            p
        })
        .collect()
}

/// Draws skills from `pool` that `occupation` does not need into `noise` until it holds `count`.
fn add_noise(
    model: &Model,
    occupation: ConceptIdx,
    pool: &[ConceptIdx],
    noise: &mut Vec<ConceptIdx>,
    count: usize,
    rng: &mut ChaCha8Rng,
) {
    let own: HashSet<ConceptIdx> = model
        .concept(occupation)
        .skills
        .iter()
        .map(|s| s.0)
        .collect();
    while noise.len() < count {
        let &s = pool.choose(rng).expect("ESCO has skills");
        if !own.contains(&s) && !noise.contains(&s) {
            noise.push(s);
        }
    }
}

/// The skills and knowledge noise is drawn from.
fn esco_skills(model: &Model) -> Vec<ConceptIdx> {
    (0..model.concepts.len() as ConceptIdx)
        .filter(|&i| {
            let c = model.concept(i);
            c.vocab == VOCAB && matches!(c.kind, Kind::Skill | Kind::Knowledge)
        })
        .collect()
}

fn relevant(model: &Model, occupation: ConceptIdx, relevance: Relevance) -> Vec<ConceptIdx> {
    model
        .concept(occupation)
        .skills
        .iter()
        .filter(|s| s.1 == relevance)
        .map(|s| s.0)
        .collect()
}

/// The request a person would send for a profile in one form. Labels and text are English: most
/// ESCO skills have no Dutch label (PRODUCT.md).
pub fn request(model: &Model, profile: &GeneratedProfile, form: Form, seed: u64) -> MatchRequest {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ u64::from(profile.occupation));
    let mut skills: Vec<ConceptIdx> = profile.skills().collect();
    skills.shuffle(&mut rng);
    let preferred = |s: ConceptIdx| {
        model
            .concept(s)
            .preferred_label(Lang::EN)
            .map_or(String::new(), |(l, _)| l.to_string())
    };
    let mut request = MatchRequest {
        vocabs: vec![VOCAB.to_string()],
        limit: DEPTH,
        ..MatchRequest::default()
    };
    match form {
        Form::Ids => {
            request.skills = skills
                .iter()
                .map(|&s| model.concept(s).id.clone())
                .collect();
        }
        Form::AltLabels | Form::MisspeltLabels => {
            request.skills = skills
                .iter()
                .map(|&s| {
                    let alternatives: Vec<&str> = model
                        .concept(s)
                        .labels
                        .iter()
                        .filter(|l| l.lang == Lang::EN && l.form == LabelForm::Alternative)
                        .map(|l| l.text.as_str())
                        .collect();
                    let label = alternatives
                        .choose(&mut rng)
                        .map_or_else(|| preferred(s), |l| l.to_string());
                    match form {
                        Form::MisspeltLabels => misspell(&label, &mut rng).unwrap_or(label),
                        _ => label,
                    }
                })
                .collect();
        }
        Form::Text => {
            let labels: Vec<String> = skills.iter().map(|&s| preferred(s)).collect();
            let (last, rest) = labels.split_last().expect("a profile has skills");
            request.text = Some(format!(
                "In my previous jobs I learned to {} and {last}.",
                rest.join(", ")
            ));
        }
    }
    request
}

/// Scores of one ranking over the profiles of one form.
#[derive(Debug, Clone, Copy, Default)]
pub struct Score {
    pub profiles: usize,
    pub top_k: usize,
    pub reciprocal_rank_sum: f64,
    /// Profiles whose gold occupation's `missing_essential` is exactly the essential skills not given.
    pub missing_exact: usize,
    /// Profiles whose gold occupation was ranked at all (within [`DEPTH`]).
    pub ranked: usize,
}

impl Score {
    pub fn recall(&self) -> f64 {
        self.top_k as f64 / self.profiles.max(1) as f64
    }
    pub fn mrr(&self) -> f64 {
        self.reciprocal_rank_sum / self.profiles.max(1) as f64
    }
}

/// A ranking to compare: ours with some scoring, or the naive coverage ranking.
#[derive(Debug, Clone, Copy)]
pub enum Ranker {
    Ours(Scoring),
    /// Share of the occupation's essential skills the person has; ties by the count.
    NaiveCoverage,
}

pub fn score(
    engine: &Engine,
    profiles: &[GeneratedProfile],
    form: Form,
    ranker: Ranker,
    seed: u64,
) -> Result<Score> {
    let model = engine.model();
    let outcomes: Vec<(Option<usize>, bool)> = profiles
        .par_iter()
        .map(|p| -> Result<(Option<usize>, bool)> {
            let request = request(model, p, form, seed);
            engine.validate_match(&request)?;
            let profile = super::resolve::resolve(engine, &request)?;
            let ranked = match ranker {
                Ranker::Ours(scoring) => {
                    engine
                        .matcher()
                        .rank(model, &profile, &request.vocabs, DEPTH, &scoring)
                }
                Ranker::NaiveCoverage => naive_coverage(engine, &profile, &request.vocabs),
            };
            let position = ranked.iter().position(|m| m.occupation == p.occupation);
            let exact = position.is_some_and(|i| {
                let given: HashSet<ConceptIdx> = p.essential.iter().copied().collect();
                let expected: Vec<ConceptIdx> = relevant(model, p.occupation, Relevance::Essential)
                    .into_iter()
                    .filter(|s| !given.contains(s))
                    .collect();
                ranked[i].missing_essential == expected
            });
            Ok((position, exact))
        })
        .collect::<Result<_>>()?;
    let mut score = Score {
        profiles: profiles.len(),
        ..Score::default()
    };
    for (position, exact) in outcomes {
        if let Some(rank) = position {
            score.ranked += 1;
            if rank < TOP_K {
                score.top_k += 1;
            }
            score.reciprocal_rank_sum += 1.0 / (rank as f64 + 1.0);
        }
        if exact {
            score.missing_exact += 1;
        }
    }
    Ok(score)
}

/// The baseline a developer would write first: rank by the share of essential skills covered.
fn naive_coverage(engine: &Engine, profile: &Profile, vocabs: &[String]) -> Vec<OccupationMatch> {
    let mut ranked = engine.matcher().rank(
        engine.model(),
        profile,
        vocabs,
        usize::MAX,
        &Scoring {
            rarity_exponent: 0.0,
            ..Scoring::default()
        },
    );
    for m in &mut ranked {
        m.score = m.essential.have as f32 / m.essential.total.max(1) as f32
            + m.essential.have as f32 * 1e-3;
    }
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
    ranked.truncate(DEPTH);
    ranked
}

/// The whole report: recall per form for our ranking and the baselines, then latency.
pub fn run(engine: &Engine, count: usize, seed: u64, recipe: Recipe) -> Result<String> {
    let model = engine.model();
    let profiles = generate(model, recipe, count, seed);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} profiles from ESCO occupations (seed {seed}): {:.0}% of the essential skills, {} optional, {} noise\n",
        profiles.len(),
        recipe.essential_share * 100.0,
        recipe.optional,
        recipe.noise
    );
    let _ = writeln!(
        out,
        "| form | ranking | top-5 recall | MRR | gold ranked (top {DEPTH}) | missing_essential = essentials not given |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    let rankers = [
        ("skillbridge", Ranker::Ours(Scoring::default())),
        (
            "without rarity",
            Ranker::Ours(Scoring {
                rarity_exponent: 0.0,
                ..Scoring::default()
            }),
        ),
        ("naive coverage", Ranker::NaiveCoverage),
    ];
    for form in Form::ALL {
        for (name, ranker) in rankers {
            let s = score(engine, &profiles, form, ranker, seed)?;
            let _ = writeln!(
                out,
                "| {} | {name} | {:.3} | {:.3} | {:.3} | {:.3} |",
                form.name(),
                s.recall(),
                s.mrr(),
                s.ranked as f64 / s.profiles.max(1) as f64,
                s.missing_exact as f64 / s.profiles.max(1) as f64,
            );
        }
    }
    let _ = writeln!(
        out,
        "\nLatency of one match (resolution + ranking), {LATENCY_SKILLS}-skill profiles, one after the other:\n"
    );
    let _ = writeln!(out, "| form | p50 ms | p95 ms | p99 ms | max ms |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    let padded = pad(model, &profiles, LATENCY_SKILLS, seed);
    for form in Form::ALL {
        let requests: Vec<MatchRequest> = padded
            .iter()
            .map(|p| MatchRequest {
                vocabs: Vec::new(),
                limit: 10,
                ..request(model, p, form, seed)
            })
            .collect();
        let mut failed = None;
        let l = latency(&requests, |r| {
            if let Err(e) = engine.match_profile(r, &Scoring::default()) {
                failed = Some(e);
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        let _ = writeln!(
            out,
            "| {} | {:.2} | {:.2} | {:.2} | {:.2} |",
            form.name(),
            l.p50_ms,
            l.p95_ms,
            l.p99_ms,
            l.max_ms
        );
    }
    Ok(out)
}
