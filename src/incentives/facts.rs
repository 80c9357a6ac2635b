//! The facts a rule can ask about: a person's situation and a training's properties, with exactly the
//! field names of the API contract (API.md, "Person facts" and "Training facts"). Every fact is optional:
//! a rule that needs a missing one answers "unknown" rather than guessing.

use serde::{Deserialize, Serialize};

use super::unknown_choice;
use crate::{Error, Result};

choice!(
    /// What a person does now; the rights shown follow it.
    Status, "status" {
        Employee = "employee",
        Jobseeker = "jobseeker",
        SelfEmployed = "self_employed",
        Employer = "employer",
        Inactive = "inactive",
    }
);

choice!(
    /// Whether the employer is a private company (incl. non-profits) or a public body.
    Sector, "sector" {
        Private = "private",
        Public = "public",
    }
);

choice!(
    /// Where someone works or lives, at the granularity the Belgian regional rules need.
    Region, "region" {
        Flanders = "flanders",
        Brussels = "brussels",
        Wallonia = "wallonia",
        OtherEu = "other_eu",
        Other = "other",
    }
);

choice!(
    /// The highest diploma obtained; `higher_vocational` is HBO5/graduaat.
    Diploma, "diploma" {
        None = "none",
        Secondary = "secondary",
        HigherVocational = "higher_vocational",
        Bachelor = "bachelor",
        Master = "master",
    }
);

choice!(
    /// Enterprise size in the EU SME sense (headcount and turnover or balance sheet).
    EnterpriseSize, "enterprise size" {
        Small = "small",
        Medium = "medium",
        Large = "large",
    }
);

impl Status {
    /// The statuses a what-if comparison shows by default: every one but the person's own.
    pub fn all_but(current: Option<Status>) -> Vec<Status> {
        Status::ALL
            .iter()
            .copied()
            .filter(|&s| Some(s) != current)
            .collect()
    }
}

/// A person's situation as a client states it. Unknown fields are refused so that a misspelt fact
/// is reported instead of silently turning a verdict into "unknown".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub status: Option<Status>,
    pub sector: Option<Sector>,
    pub work_region: Option<Region>,
    pub residence_region: Option<Region>,
    pub highest_diploma: Option<Diploma>,
    /// Share of a full-time job, 0–1.
    pub employment_fraction: Option<f64>,
    pub weekly_hours: Option<f64>,
    pub years_of_work_experience: Option<f64>,
    pub career_cheque_used_within_6_years: Option<bool>,
    pub receives_unemployment_benefit: Option<bool>,
    pub temporarily_unemployed: Option<bool>,
    pub employer_headcount: Option<u32>,
    pub enterprise_size: Option<EnterpriseSize>,
    pub age: Option<u32>,
}

/// A training's properties that decide which incentives can pay for it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    /// Registered in the Flemish training-incentives database (opleidingsdatabank).
    pub in_training_database: Option<bool>,
    /// Part of a personal development plan after career guidance, certificate under 6 years old.
    pub in_personal_development_plan: Option<bool>,
    pub vdab_recognised: Option<bool>,
    pub leads_to_shortage_occupation: Option<bool>,
    pub leads_to_qualification: Option<bool>,
    pub contact_hours: Option<f64>,
    pub study_points: Option<f64>,
    pub kmo_portefeuille_registered_provider: Option<bool>,
    pub cost_eur: Option<f64>,
}

impl Person {
    /// Reads a person from a JSON request body. An unknown status gets its own code because clients
    /// branch on it; every other problem is `invalid_person`. Messages list what is allowed.
    pub fn from_json(value: &serde_json::Value) -> Result<Person> {
        if let Some(status) = value.get("status").and_then(|status| status.as_str()) {
            Status::parse(status).map_err(|message| Error::invalid("unknown_status", message))?;
        }
        let person: Person = serde_json::from_value(value.clone())
            .map_err(|e| Error::invalid("invalid_person", format!("invalid person: {e}")))?;
        person.check_ranges()?;
        Ok(person)
    }

    fn check_ranges(&self) -> Result<()> {
        let invalid = |message: &str| Err(Error::invalid("invalid_person", message.to_string()));
        if self
            .employment_fraction
            .is_some_and(|f| !(0.0..=1.0).contains(&f))
        {
            return invalid("invalid person: employment_fraction must be between 0 and 1");
        }
        // A week has 168 hours; anything above is a typo, not a long week.
        if self
            .weekly_hours
            .is_some_and(|h| !(0.0..=168.0).contains(&h))
        {
            return invalid("invalid person: weekly_hours must be between 0 and 168");
        }
        if self.years_of_work_experience.is_some_and(|y| y < 0.0) {
            return invalid("invalid person: years_of_work_experience must not be negative");
        }
        Ok(())
    }
}

impl Training {
    /// Reads a training from a JSON request body; problems are `invalid_training`.
    pub fn from_json(value: &serde_json::Value) -> Result<Training> {
        let training: Training = serde_json::from_value(value.clone())
            .map_err(|e| Error::invalid("invalid_training", format!("invalid training: {e}")))?;
        let negative = [
            training.contact_hours,
            training.study_points,
            training.cost_eur,
        ]
        .into_iter()
        .flatten()
        .any(|n| n < 0.0);
        if negative {
            return Err(Error::invalid(
                "invalid_training",
                "invalid training: contact_hours, study_points and cost_eur must not be negative",
            ));
        }
        Ok(training)
    }
}

/// The kind of value a fact holds, which decides the operators and literals a rule may use with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactKind {
    /// One of a closed set of names.
    Choice(&'static [&'static str]),
    Number,
    Flag,
}

/// A fact's value for one person and training.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FactValue {
    Choice(&'static str),
    Number(f64),
    Flag(bool),
}

macro_rules! facts {
    ($($variant:ident = $name:literal, $kind:expr, |$p:ident, $t:ident| $get:expr;)+) => {
        /// A fact a rule condition can test, named as in the API (`person.status`, `training.cost_eur`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fact {
            $($variant),+
        }

        impl Fact {
            pub const ALL: &'static [Fact] = &[$(Fact::$variant),+];

            pub fn name(self) -> &'static str {
                match self {
                    $(Fact::$variant => $name),+
                }
            }

            pub fn kind(self) -> FactKind {
                match self {
                    $(Fact::$variant => $kind),+
                }
            }

            /// The fact's value, or `None` when the client did not give it (or gave no training).
            pub fn value(self, person: &Person, training: Option<&Training>) -> Option<FactValue> {
                match self {
                    $(Fact::$variant => {
                        let ($p, $t) = (person, training);
                        $get
                    }),+
                }
            }
        }
    };
}

use FactKind::{Choice, Flag, Number};

fn choice<T>(value: Option<T>, name: fn(T) -> &'static str) -> Option<FactValue> {
    value.map(|v| FactValue::Choice(name(v)))
}
fn number(value: Option<f64>) -> Option<FactValue> {
    value.map(FactValue::Number)
}
fn count(value: Option<u32>) -> Option<FactValue> {
    value.map(|n| FactValue::Number(f64::from(n)))
}
fn flag(value: Option<bool>) -> Option<FactValue> {
    value.map(FactValue::Flag)
}

facts! {
    Status = "person.status", Choice(Status::NAMES), |p, _t| choice(p.status, Status::as_str);
    Sector = "person.sector", Choice(Sector::NAMES), |p, _t| choice(p.sector, Sector::as_str);
    WorkRegion = "person.work_region", Choice(Region::NAMES), |p, _t| choice(p.work_region, Region::as_str);
    ResidenceRegion = "person.residence_region", Choice(Region::NAMES), |p, _t| choice(p.residence_region, Region::as_str);
    HighestDiploma = "person.highest_diploma", Choice(Diploma::NAMES), |p, _t| choice(p.highest_diploma, Diploma::as_str);
    EmploymentFraction = "person.employment_fraction", Number, |p, _t| number(p.employment_fraction);
    WeeklyHours = "person.weekly_hours", Number, |p, _t| number(p.weekly_hours);
    YearsOfWorkExperience = "person.years_of_work_experience", Number, |p, _t| number(p.years_of_work_experience);
    CareerChequeUsedWithin6Years = "person.career_cheque_used_within_6_years", Flag, |p, _t| flag(p.career_cheque_used_within_6_years);
    ReceivesUnemploymentBenefit = "person.receives_unemployment_benefit", Flag, |p, _t| flag(p.receives_unemployment_benefit);
    TemporarilyUnemployed = "person.temporarily_unemployed", Flag, |p, _t| flag(p.temporarily_unemployed);
    EmployerHeadcount = "person.employer_headcount", Number, |p, _t| count(p.employer_headcount);
    EnterpriseSize = "person.enterprise_size", Choice(EnterpriseSize::NAMES), |p, _t| choice(p.enterprise_size, EnterpriseSize::as_str);
    Age = "person.age", Number, |p, _t| count(p.age);
    InTrainingDatabase = "training.in_training_database", Flag, |_p, t| flag(t.and_then(|t| t.in_training_database));
    InPersonalDevelopmentPlan = "training.in_personal_development_plan", Flag, |_p, t| flag(t.and_then(|t| t.in_personal_development_plan));
    VdabRecognised = "training.vdab_recognised", Flag, |_p, t| flag(t.and_then(|t| t.vdab_recognised));
    LeadsToShortageOccupation = "training.leads_to_shortage_occupation", Flag, |_p, t| flag(t.and_then(|t| t.leads_to_shortage_occupation));
    LeadsToQualification = "training.leads_to_qualification", Flag, |_p, t| flag(t.and_then(|t| t.leads_to_qualification));
    ContactHours = "training.contact_hours", Number, |_p, t| number(t.and_then(|t| t.contact_hours));
    StudyPoints = "training.study_points", Number, |_p, t| number(t.and_then(|t| t.study_points));
    KmoPortefeuilleRegisteredProvider = "training.kmo_portefeuille_registered_provider", Flag, |_p, t| flag(t.and_then(|t| t.kmo_portefeuille_registered_provider));
    CostEur = "training.cost_eur", Number, |_p, t| number(t.and_then(|t| t.cost_eur));
}

impl Fact {
    pub fn parse(name: &str) -> std::result::Result<Fact, String> {
        Fact::ALL
            .iter()
            .copied()
            .find(|fact| fact.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Fact::ALL.iter().map(|f| f.name()).collect();
                unknown_choice("fact", name, &names)
            })
    }
}

impl Serialize for Fact {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}
