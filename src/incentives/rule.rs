//! The rule model: what one `taxonomies/incentives/<id>.toml` file holds. Conditions are data
//! (declarative predicates over the facts of [`super::facts`]), so a rule change is a reviewed edit of
//! a file with its source next to it, not a code change.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::facts::{Fact, FactKind, FactValue, Status};
use super::Lang;

/// A text in both languages the account is offered in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub nl: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.nl,
            Lang::En => &self.en,
        }
    }
}

/// The days on which something holds, both ends included; an open end is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Period {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= date) && self.until.is_none_or(|until| date <= until)
    }
}

/// Where a fact comes from, and when it was read there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub url: String,
    pub seen: NaiveDate,
}

/// Who pays or decides: the level of government an incentive belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Flemish,
    Federal,
}

/// One incentive (training leave, vouchers, SME wallet, …) with its rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incentive {
    pub id: String,
    pub name: Text,
    pub level: Level,
    pub administering_body: Text,
    /// The statuses it serves; a person with another status is not eligible.
    pub statuses: Vec<Status>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// The incentive's existence or validity itself rests on a draft or secondary source.
    #[serde(default)]
    pub uncertain: bool,
    /// What the user should know beyond the conditions (e.g. an announced reform).
    pub note: Option<Text>,
    pub conditions: Vec<Condition>,
    pub benefit: Benefit,
    pub next_step: NextStep,
    pub sources: Vec<Source>,
}

impl Incentive {
    pub fn period(&self) -> Period {
        Period {
            from: self.valid_from,
            until: self.valid_until,
        }
    }

    /// The conditions that apply on `date` (a rule that changed has one variant per period).
    pub fn conditions_on(&self, date: NaiveDate) -> impl Iterator<Item = &Condition> {
        self.conditions
            .iter()
            .filter(move |c| c.period().covers(date))
    }

    /// The limits and amounts that apply on `date`.
    pub fn limits_on(&self, date: NaiveDate) -> impl Iterator<Item = &Limit> {
        self.benefit
            .limits
            .iter()
            .filter(move |l| l.period().covers(date))
    }
}

/// One condition with its explanations for each outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub id: String,
    pub test: Predicate,
    /// The requirement in words, shown when a fact is missing.
    pub requires: Text,
    pub met: Text,
    pub not_met: Text,
    /// The research marks this fact as draft, secondary or undated.
    #[serde(default)]
    pub uncertain: bool,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub source: String,
    pub seen: NaiveDate,
}

impl Condition {
    pub fn period(&self) -> Period {
        Period {
            from: self.valid_from,
            until: self.valid_until,
        }
    }
}

/// What the incentive gives: a summary and its quantified limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benefit {
    pub summary: Text,
    #[serde(default)]
    pub limits: Vec<Limit>,
}

/// A quantified benefit or limit (hours, euros, a share), valid for a period.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub what: Text,
    /// The amount, or the lower end of a range; absent when the research did not find a figure.
    pub amount: Option<f64>,
    /// The upper end when the amount is a range (e.g. a premium by wage class).
    pub amount_to: Option<f64>,
    pub unit: Unit,
    pub per: Option<Per>,
    #[serde(default)]
    pub uncertain: bool,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub source: String,
    pub seen: NaiveDate,
}

impl Limit {
    pub fn period(&self) -> Period {
        Period {
            from: self.valid_from,
            until: self.valid_until,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Hours,
    Days,
    Months,
    Eur,
    Percent,
    Cheques,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    SchoolYear,
    Year,
    SixYears,
    Career,
    Month,
    Hour,
    Km,
    Cheque,
    Fte,
}

/// Where and how to apply.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextStep {
    pub text: Text,
    pub url: String,
}

choice!(
    /// A comparison operator of a fact test.
    Op, "operator" {
        Eq = "==",
        Ne = "!=",
        Lt = "<",
        Le = "<=",
        Gt = ">",
        Ge = ">=",
        In = "in",
        NotIn = "not_in",
    }
);

impl Op {
    fn takes_list(self) -> bool {
        matches!(self, Op::In | Op::NotIn)
    }

    fn allowed_for(self, kind: FactKind) -> bool {
        match kind {
            FactKind::Choice(_) => matches!(self, Op::Eq | Op::Ne | Op::In | Op::NotIn),
            FactKind::Number => !self.takes_list(),
            FactKind::Flag => matches!(self, Op::Eq | Op::Ne),
        }
    }
}

/// A literal in a rule file: `true`, `0.8`, `"employee"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Literal {
    Flag(bool),
    Number(f64),
    Text(String),
}

/// A test of one fact, checked at load time against the fact's kind.
#[derive(Debug, Clone, PartialEq)]
pub struct FactTest {
    pub fact: Fact,
    pub op: Op,
    /// One literal, or the list for `in` / `not_in`.
    pub operands: Vec<Literal>,
}

impl FactTest {
    /// Whether the fact's value passes the test.
    pub fn holds(&self, value: FactValue) -> bool {
        let matches = |literal: &Literal| match (value, literal) {
            (FactValue::Choice(v), Literal::Text(l)) => v == l,
            (FactValue::Flag(v), Literal::Flag(l)) => v == *l,
            (FactValue::Number(v), Literal::Number(l)) => v == *l,
            _ => false,
        };
        let number = |literal: &Literal| match literal {
            Literal::Number(l) => *l,
            _ => f64::NAN,
        };
        let Some(operand) = self.operands.first() else {
            return false;
        };
        match (self.op, value) {
            (Op::In, _) => self.operands.iter().any(matches),
            (Op::NotIn, _) => !self.operands.iter().any(matches),
            (Op::Eq, _) => matches(operand),
            (Op::Ne, _) => !matches(operand),
            (Op::Lt, FactValue::Number(v)) => v < number(operand),
            (Op::Le, FactValue::Number(v)) => v <= number(operand),
            (Op::Gt, FactValue::Number(v)) => v > number(operand),
            (Op::Ge, FactValue::Number(v)) => v >= number(operand),
            _ => false,
        }
    }
}

/// A condition's logic: a fact test or a combination of predicates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPredicate", into = "RawPredicate")]
pub enum Predicate {
    Test(FactTest),
    All(Vec<Predicate>),
    Any(Vec<Predicate>),
    Not(Box<Predicate>),
}

/// The predicate as written: `{fact, op, value|values}` or `{all=[…]}` / `{any=[…]}` / `{not={…}}`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPredicate {
    #[serde(skip_serializing_if = "Option::is_none")]
    fact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    op: Option<Op>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Literal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<Vec<Literal>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    all: Option<Vec<Predicate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    any: Option<Vec<Predicate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not: Option<Box<Predicate>>,
}

impl TryFrom<RawPredicate> for Predicate {
    type Error = String;

    fn try_from(raw: RawPredicate) -> Result<Self, String> {
        let forms = [
            raw.fact.is_some(),
            raw.all.is_some(),
            raw.any.is_some(),
            raw.not.is_some(),
        ];
        if forms.iter().filter(|&&present| present).count() != 1 {
            return Err("a predicate needs exactly one of `fact`, `all`, `any`, `not`".into());
        }
        if let Some(children) = raw.all {
            return non_empty(children, "all").map(Predicate::All);
        }
        if let Some(children) = raw.any {
            return non_empty(children, "any").map(Predicate::Any);
        }
        if let Some(child) = raw.not {
            return Ok(Predicate::Not(child));
        }
        let fact = Fact::parse(raw.fact.as_deref().unwrap_or_default())?;
        let op = raw
            .op
            .ok_or_else(|| format!("`{}` needs an `op`", fact.name()))?;
        if !op.allowed_for(fact.kind()) {
            return Err(format!(
                "operator `{}` cannot be used with `{}`",
                op.as_str(),
                fact.name()
            ));
        }
        let operands = match (op.takes_list(), raw.value, raw.values) {
            (true, None, Some(values)) if !values.is_empty() => values,
            (false, Some(value), None) => vec![value],
            (true, ..) => return Err(format!("`{}` needs a non-empty `values` list", op.as_str())),
            (false, ..) => return Err(format!("`{}` needs one `value`", op.as_str())),
        };
        for operand in &operands {
            check_literal(fact, operand)?;
        }
        Ok(Predicate::Test(FactTest { fact, op, operands }))
    }
}

fn non_empty(children: Vec<Predicate>, combinator: &str) -> Result<Vec<Predicate>, String> {
    if children.is_empty() {
        return Err(format!("`{combinator}` needs at least one predicate"));
    }
    Ok(children)
}

fn check_literal(fact: Fact, literal: &Literal) -> Result<(), String> {
    match (fact.kind(), literal) {
        (FactKind::Choice(allowed), Literal::Text(text)) if allowed.contains(&text.as_str()) => {
            Ok(())
        }
        (FactKind::Choice(allowed), _) => Err(format!(
            "`{}` must be one of: {}; got {}",
            fact.name(),
            allowed.join(", "),
            literal_text(literal)
        )),
        (FactKind::Number, Literal::Number(_)) | (FactKind::Flag, Literal::Flag(_)) => Ok(()),
        (FactKind::Number, _) => Err(format!(
            "`{}` is a number; got {}",
            fact.name(),
            literal_text(literal)
        )),
        (FactKind::Flag, _) => Err(format!(
            "`{}` is true or false; got {}",
            fact.name(),
            literal_text(literal)
        )),
    }
}

fn literal_text(literal: &Literal) -> String {
    match literal {
        Literal::Flag(b) => b.to_string(),
        Literal::Number(n) => n.to_string(),
        Literal::Text(t) => format!("`{t}`"),
    }
}

impl From<Predicate> for RawPredicate {
    fn from(predicate: Predicate) -> Self {
        match predicate {
            Predicate::Test(FactTest {
                fact,
                op,
                mut operands,
            }) => {
                let (value, values) = if op.takes_list() {
                    (None, Some(operands))
                } else {
                    (operands.pop(), None)
                };
                RawPredicate {
                    fact: Some(fact.name().to_string()),
                    op: Some(op),
                    value,
                    values,
                    ..RawPredicate::default()
                }
            }
            Predicate::All(children) => RawPredicate {
                all: Some(children),
                ..RawPredicate::default()
            },
            Predicate::Any(children) => RawPredicate {
                any: Some(children),
                ..RawPredicate::default()
            },
            Predicate::Not(child) => RawPredicate {
                not: Some(child),
                ..RawPredicate::default()
            },
        }
    }
}
