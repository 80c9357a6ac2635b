//! Training and career incentives as data, and the evaluator that says, with reasons, which ones a
//! person can use for a training on a given day.
//!
//! - [`facts`]: the person and training facts of the API contract, all optional.
//! - [`rule`]: the rule model read from `taxonomies/incentives/<id>.toml`; conditions are declarative
//!   predicates with an explanation per outcome, a source, and a validity period per variant.
//! - [`Catalog`]: loads and checks every rule file, lists the incentives in force on a date,
//!   evaluates a person (three-valued: a missing fact gives `unknown`, never a guess) and compares
//!   the rights under other statuses (the "what if I became self-employed" view).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Defines a closed set of snake_case values (a status, a region, …) whose parse error lists what is
/// allowed, so that both a client and a rule author see how to fix a typo.
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            /// Every value, in the order the contract lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The wire names of [`Self::ALL`].
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses a wire name; the error lists the allowed values.
            pub fn parse(text: &str) -> std::result::Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == text)
                    .ok_or_else(|| $crate::incentives::unknown_choice($what, text, Self::NAMES))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) fn unknown_choice(what: &str, text: &str, allowed: &[&str]) -> String {
    format!("unknown {what} `{text}`; allowed: {}", allowed.join(", "))
}

mod evaluate;
pub mod facts;
pub mod report;
pub mod rule;

pub use evaluate::{Assessment, Comparison, IncentiveVerdict, Reason, Scenario, Verdict};
pub use facts::{Diploma, EnterpriseSize, Fact, Person, Region, Sector, Status, Training};
pub use rule::{Incentive, Period, Predicate};

/// The language of explanations and names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    /// The rules' language for a text language: they are written in Dutch and English, so other
    /// languages read English.
    pub fn for_text(lang: crate::text::Lang) -> Lang {
        if lang == crate::text::Lang::NL {
            Lang::Nl
        } else {
            Lang::En
        }
    }
}

/// Every incentive rule the engine knows, loaded once and shared read-only.
#[derive(Debug, Clone)]
pub struct Catalog {
    incentives: Vec<Incentive>,
}

impl Catalog {
    /// Loads every `*.toml` in `dir`, one incentive per file named after its id. Any problem (bad
    /// TOML, an unknown fact, operator or status, a literal of the wrong kind) fails the whole load
    /// with the file and line, so a broken rule never half-applies.
    pub fn load(dir: &Path) -> Result<Catalog> {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut paths = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| Error::io(dir, e))?.path();
            if path.extension().is_some_and(|ext| ext == "toml") {
                paths.push(path);
            }
        }
        paths.sort();
        if paths.is_empty() {
            return Err(Error::bad_input(
                dir,
                0,
                "no incentive rules (*.toml) in this folder",
            ));
        }
        let incentives = paths
            .iter()
            .map(|path| load_incentive(path))
            .collect::<Result<Vec<_>>>()?;
        Ok(Catalog { incentives })
    }

    pub fn incentives(&self) -> &[Incentive] {
        &self.incentives
    }

    pub fn get(&self, id: &str) -> Option<&Incentive> {
        self.incentives.iter().find(|incentive| incentive.id == id)
    }

    /// The incentives that exist on `date`.
    pub fn in_force(&self, date: NaiveDate) -> Vec<&Incentive> {
        self.incentives
            .iter()
            .filter(|incentive| incentive.period().covers(date))
            .collect()
    }
}

fn load_incentive(path: &Path) -> Result<Incentive> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let incentive: Incentive = toml::from_str(&text).map_err(|e| {
        let line = e.span().map_or(0, |span| line_of(&text, span.start));
        Error::bad_input(path, line, e.message())
    })?;
    check_incentive(&incentive, path, &text)?;
    Ok(incentive)
}

/// Checks what the types cannot: the id matches the file name, ids are unique, periods run forward.
fn check_incentive(incentive: &Incentive, path: &Path, text: &str) -> Result<()> {
    let fail = |needle: &str, message: String| {
        let line = text.find(needle).map_or(0, |at| line_of(text, at));
        Err(Error::bad_input(PathBuf::from(path), line, message))
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if incentive.id != stem {
        return fail(
            "id",
            format!("id `{}` must equal the file name `{stem}`", incentive.id),
        );
    }
    if incentive.statuses.is_empty() {
        return fail(
            "statuses",
            "`statuses` must name at least one status".into(),
        );
    }
    for (i, condition) in incentive.conditions.iter().enumerate() {
        if incentive.conditions[..i]
            .iter()
            .any(|c| c.id == condition.id)
        {
            let id = &condition.id;
            return fail(
                &format!("id = \"{id}\""),
                format!("condition id `{id}` is used twice"),
            );
        }
    }
    // Each period with the text that locates it in the file.
    let periods = std::iter::once((format!("id = \"{}\"", incentive.id), incentive.period()))
        .chain(
            incentive
                .conditions
                .iter()
                .map(|c| (format!("id = \"{}\"", c.id), c.period())),
        )
        .chain(
            incentive
                .benefit
                .limits
                .iter()
                .map(|l| (l.what.en.clone(), l.period())),
        );
    for (needle, period) in periods {
        if let (Some(from), Some(until)) = (period.from, period.until) {
            if from > until {
                return fail(
                    &needle,
                    format!("valid_from {from} is after valid_until {until}"),
                );
            }
        }
    }
    Ok(())
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let before = &text.as_bytes()[..offset.min(text.len())];
    before.iter().filter(|&&b| b == b'\n').count() + 1
}
