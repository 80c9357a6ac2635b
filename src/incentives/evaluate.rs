//! Evaluation of the rules for one person: Kleene's three-valued logic, so that a missing fact
//! yields `unknown` with the fact named, and a verdict is only `eligible` when every condition holds.

use chrono::NaiveDate;
use serde::Serialize;

use super::facts::{Fact, Person, Status, Training};
use super::rule::{Incentive, Limit, Per, Period, Predicate, Source, Unit};
use super::{Catalog, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Eligible,
    NotEligible,
    Unknown,
}

impl Verdict {
    /// Eligible first, then the ones worth completing the profile for, then the rest.
    pub fn display_rank(self) -> u8 {
        match self {
            Verdict::Eligible => 0,
            Verdict::Unknown => 1,
            Verdict::NotEligible => 2,
        }
    }
}

/// One condition's outcome for the person, as shown to them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub condition: String,
    /// `None` when a fact it needs is missing; the explanation names that fact.
    pub met: Option<bool>,
    pub explanation: String,
    pub uncertain: bool,
}

/// A quantified benefit in the requested language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitView {
    pub what: String,
    pub amount: Option<f64>,
    pub amount_to: Option<f64>,
    pub unit: Unit,
    pub per: Option<Per>,
    pub uncertain: bool,
    pub valid: Period,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenefitView {
    pub summary: String,
    pub limits: Vec<LimitView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextStepView {
    pub text: String,
    pub url: String,
}

/// The answer for one incentive: the `POST /v1/eligibility` item of the API contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub incentive: String,
    pub name: String,
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
    pub benefit: BenefitView,
    pub next_step: NextStepView,
    pub sources: Vec<Source>,
    /// Some applicable fact rests on a draft, secondary or undated source.
    pub uncertain: bool,
    /// For an `unknown` verdict, the facts that would decide it.
    pub missing_facts: Vec<Fact>,
    pub administering_body: String,
    pub valid: Period,
    pub note: Option<String>,
}

/// An incentive's verdict under one status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncentiveVerdict {
    pub incentive: String,
    pub name: String,
    pub verdict: Verdict,
}

/// The rights under one status, and what changes against the person's current status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub status: Status,
    pub verdicts: Vec<IncentiveVerdict>,
    /// Eligible under this status but not now.
    pub gained: Vec<String>,
    /// Eligible now but not under this status.
    pub lost: Vec<String>,
}

/// The what-if view: the person's current verdicts and one scenario per status asked about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub current_status: Option<Status>,
    pub current: Vec<IncentiveVerdict>,
    pub scenarios: Vec<Scenario>,
}

impl Catalog {
    /// Assesses every incentive in force on `date`, eligible ones first, then unknown, then the rest.
    pub fn evaluate(
        &self,
        person: &Person,
        training: Option<&Training>,
        date: NaiveDate,
        lang: Lang,
    ) -> Vec<Assessment> {
        let mut assessments: Vec<Assessment> = self
            .in_force(date)
            .into_iter()
            .map(|incentive| assess(incentive, person, training, date, lang))
            .collect();
        assessments.sort_by_key(|a| a.verdict.display_rank());
        assessments
    }

    /// What the person's rights would be under each of `statuses`, all other facts kept.
    pub fn compare(
        &self,
        person: &Person,
        statuses: &[Status],
        training: Option<&Training>,
        date: NaiveDate,
        lang: Lang,
    ) -> Comparison {
        let verdicts = |person: &Person| -> Vec<IncentiveVerdict> {
            let mut verdicts: Vec<IncentiveVerdict> = self
                .evaluate(person, training, date, lang)
                .into_iter()
                .map(|a| IncentiveVerdict {
                    incentive: a.incentive,
                    name: a.name,
                    verdict: a.verdict,
                })
                .collect();
            verdicts.sort_by(|a, b| a.incentive.cmp(&b.incentive));
            verdicts
        };
        let current = verdicts(person);
        let eligible = |verdicts: &[IncentiveVerdict], id: &str| {
            verdicts
                .iter()
                .any(|v| v.incentive == id && v.verdict == Verdict::Eligible)
        };
        // Lists the incentives eligible in `from` but not in `to`.
        let only_in = |from: &[IncentiveVerdict], to: &[IncentiveVerdict]| -> Vec<String> {
            from.iter()
                .filter(|v| v.verdict == Verdict::Eligible && !eligible(to, &v.incentive))
                .map(|v| v.incentive.clone())
                .collect()
        };
        let scenarios = statuses
            .iter()
            .map(|&status| {
                let verdicts = verdicts(&Person {
                    status: Some(status),
                    ..person.clone()
                });
                Scenario {
                    status,
                    gained: only_in(&verdicts, &current),
                    lost: only_in(&current, &verdicts),
                    verdicts,
                }
            })
            .collect();
        Comparison {
            current_status: person.status,
            current,
            scenarios,
        }
    }
}

/// A predicate's three-valued outcome; `missing` lists the facts that left it undecided.
struct Outcome {
    met: Option<bool>,
    missing: Vec<Fact>,
}

impl Predicate {
    fn evaluate(&self, person: &Person, training: Option<&Training>) -> Outcome {
        match self {
            Predicate::Test(test) => match test.fact.value(person, training) {
                Some(value) => Outcome {
                    met: Some(test.holds(value)),
                    missing: vec![],
                },
                None => Outcome {
                    met: None,
                    missing: vec![test.fact],
                },
            },
            Predicate::All(children) => combine(children, false, person, training),
            Predicate::Any(children) => combine(children, true, person, training),
            Predicate::Not(child) => {
                let outcome = child.evaluate(person, training);
                Outcome {
                    met: outcome.met.map(|met| !met),
                    missing: outcome.missing,
                }
            }
        }
    }
}

/// `all` (decisive = false) or `any` (decisive = true): one decisive child settles it whatever the
/// unknown ones are; otherwise an unknown child leaves the result unknown.
fn combine(
    children: &[Predicate],
    decisive: bool,
    person: &Person,
    training: Option<&Training>,
) -> Outcome {
    let outcomes: Vec<Outcome> = children
        .iter()
        .map(|c| c.evaluate(person, training))
        .collect();
    if outcomes.iter().any(|o| o.met == Some(decisive)) {
        return Outcome {
            met: Some(decisive),
            missing: vec![],
        };
    }
    let missing: Vec<Fact> = outcomes.into_iter().flat_map(|o| o.missing).collect();
    Outcome {
        met: if missing.is_empty() {
            Some(!decisive)
        } else {
            None
        },
        missing,
    }
}

fn assess(
    incentive: &Incentive,
    person: &Person,
    training: Option<&Training>,
    date: NaiveDate,
    lang: Lang,
) -> Assessment {
    let mut missing_facts = Vec::new();
    let mut reasons = vec![status_reason(incentive, person.status, lang)];
    if person.status.is_none() {
        missing_facts.push(Fact::Status);
    }
    let mut sources = incentive.sources.clone();
    let mut uncertain = incentive.uncertain;
    for condition in incentive.conditions_on(date) {
        let outcome = condition.test.evaluate(person, training);
        let explanation = match outcome.met {
            Some(true) => condition.met.get(lang).to_string(),
            Some(false) => condition.not_met.get(lang).to_string(),
            None => missing_explanation(&outcome.missing, condition.requires.get(lang), lang),
        };
        reasons.push(Reason {
            condition: condition.id.clone(),
            met: outcome.met,
            explanation,
            uncertain: condition.uncertain,
        });
        missing_facts.extend(outcome.missing);
        uncertain |= condition.uncertain;
        add_source(&mut sources, &condition.source, condition.seen);
    }
    let limits: Vec<&Limit> = incentive.limits_on(date).collect();
    for limit in &limits {
        uncertain |= limit.uncertain;
        add_source(&mut sources, &limit.source, limit.seen);
    }
    let verdict = if reasons.iter().any(|r| r.met == Some(false)) {
        Verdict::NotEligible
    } else if reasons.iter().all(|r| r.met == Some(true)) {
        Verdict::Eligible
    } else {
        Verdict::Unknown
    };
    if verdict == Verdict::Unknown {
        missing_facts.sort();
        missing_facts.dedup();
    } else {
        missing_facts.clear();
    }
    Assessment {
        incentive: incentive.id.clone(),
        name: incentive.name.get(lang).to_string(),
        verdict,
        reasons,
        benefit: BenefitView {
            summary: incentive.benefit.summary.get(lang).to_string(),
            limits: limits.iter().map(|l| limit_view(l, lang)).collect(),
        },
        next_step: NextStepView {
            text: incentive.next_step.text.get(lang).to_string(),
            url: incentive.next_step.url.clone(),
        },
        sources,
        uncertain,
        missing_facts,
        administering_body: incentive.administering_body.get(lang).to_string(),
        valid: incentive.period(),
        note: incentive
            .note
            .as_ref()
            .map(|note| note.get(lang).to_string()),
    }
}

fn add_source(sources: &mut Vec<Source>, url: &str, seen: chrono::NaiveDate) {
    if !sources.iter().any(|s| s.url == url) {
        sources.push(Source {
            url: url.to_string(),
            seen,
        });
    }
}

fn limit_view(limit: &Limit, lang: Lang) -> LimitView {
    LimitView {
        what: limit.what.get(lang).to_string(),
        amount: limit.amount,
        amount_to: limit.amount_to,
        unit: limit.unit,
        per: limit.per,
        uncertain: limit.uncertain,
        valid: limit.period(),
    }
}

/// Every incentive serves some statuses only; this is its first reason, so no rule file repeats it.
fn status_reason(incentive: &Incentive, status: Option<Status>, lang: Lang) -> Reason {
    let served: Vec<&str> = incentive
        .statuses
        .iter()
        .map(|s| status_label(*s, lang))
        .collect();
    let served = served.join(", ");
    let (met, explanation) = match (status, lang) {
        (None, _) => (
            None,
            missing_explanation(&[Fact::Status], &status_requirement(&served, lang), lang),
        ),
        (Some(status), Lang::Nl) if incentive.statuses.contains(&status) => (
            Some(true),
            format!(
                "Je status ({}) komt in aanmerking.",
                status_label(status, lang)
            ),
        ),
        (Some(status), Lang::En) if incentive.statuses.contains(&status) => (
            Some(true),
            format!("Your status ({}) qualifies.", status_label(status, lang)),
        ),
        (Some(status), Lang::Nl) => (
            Some(false),
            format!(
                "Enkel voor: {served}; jouw status is {}.",
                status_label(status, lang)
            ),
        ),
        (Some(status), Lang::En) => (
            Some(false),
            format!(
                "Only for: {served}; your status is {}.",
                status_label(status, lang)
            ),
        ),
    };
    Reason {
        condition: "status".into(),
        met,
        explanation,
        uncertain: false,
    }
}

fn status_requirement(served: &str, lang: Lang) -> String {
    match lang {
        Lang::Nl => format!("Enkel voor: {served}."),
        Lang::En => format!("Only for: {served}."),
    }
}

fn status_label(status: Status, lang: Lang) -> &'static str {
    match (status, lang) {
        (Status::Employee, Lang::Nl) => "werknemer",
        (Status::Jobseeker, Lang::Nl) => "werkzoekende",
        (Status::SelfEmployed, Lang::Nl) => "zelfstandige",
        (Status::Employer, Lang::Nl) => "werkgever",
        (Status::Inactive, Lang::Nl) => "niet-beroepsactief",
        (Status::Employee, Lang::En) => "employee",
        (Status::Jobseeker, Lang::En) => "job seeker",
        (Status::SelfEmployed, Lang::En) => "self-employed",
        (Status::Employer, Lang::En) => "employer",
        (Status::Inactive, Lang::En) => "not working",
    }
}

/// Names the missing facts the way a client sends them (`person.sector`), then the requirement.
fn missing_explanation(missing: &[Fact], requirement: &str, lang: Lang) -> String {
    let mut names: Vec<&str> = missing.iter().map(|f| f.name()).collect();
    names.sort_unstable();
    names.dedup();
    let names = names.join(", ");
    match lang {
        Lang::Nl => format!("Onbekend: geef {names} op. Voorwaarde: {requirement}"),
        Lang::En => format!("Unknown: please provide {names}. Requirement: {requirement}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn predicate(toml_text: &str) -> Predicate {
        #[derive(serde::Deserialize)]
        struct Wrapper {
            test: Predicate,
        }
        toml::from_str::<Wrapper>(toml_text).unwrap().test
    }

    /// Kleene's truth tables, with `person.age` known (40) and `person.sector` missing.
    #[test]
    fn a_decisive_branch_settles_a_combination_with_a_missing_fact() {
        let person = Person {
            age: Some(40),
            ..Person::default()
        };
        let known_true = r#"{ fact = "person.age", op = ">=", value = 18 }"#;
        let known_false = r#"{ fact = "person.age", op = ">=", value = 65 }"#;
        let missing = r#"{ fact = "person.sector", op = "==", value = "public" }"#;
        let cases = [
            (
                format!("test = {{ any = [{known_true}, {missing}] }}"),
                Some(true),
            ),
            (
                format!("test = {{ any = [{known_false}, {missing}] }}"),
                None,
            ),
            (
                format!("test = {{ all = [{known_false}, {missing}] }}"),
                Some(false),
            ),
            (
                format!("test = {{ all = [{known_true}, {missing}] }}"),
                None,
            ),
            (format!("test = {{ not = {missing} }}"), None),
            (format!("test = {{ not = {known_false} }}"), Some(true)),
        ];
        for (text, expected) in cases {
            let outcome = predicate(&text).evaluate(&person, None);
            assert_eq!(outcome.met, expected, "{text}");
            let names_sector = outcome.missing == [Fact::Sector];
            assert_eq!(names_sector, expected.is_none(), "{text}");
        }
    }
}
