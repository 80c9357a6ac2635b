//! The plain-text view of an eligibility answer, for `skillbridge eligibility`: per incentive the
//! verdict, each reason marked ✓ (met), ✗ (not met) or ? (a fact is missing), the benefit and the
//! next step. The JSON document of the API carries the same content.

use std::fmt::Write;

use super::evaluate::{Assessment, Comparison, Verdict};
use super::rule::{Per, Unit};
use super::Lang;

pub fn verdict_text(verdict: Verdict, lang: Lang) -> &'static str {
    match (verdict, lang) {
        (Verdict::Eligible, Lang::Nl) => "recht",
        (Verdict::NotEligible, Lang::Nl) => "geen recht",
        (Verdict::Unknown, Lang::Nl) => "onbekend",
        (Verdict::Eligible, Lang::En) => "eligible",
        (Verdict::NotEligible, Lang::En) => "not eligible",
        (Verdict::Unknown, Lang::En) => "unknown",
    }
}

fn mark(met: Option<bool>) -> char {
    match met {
        Some(true) => '✓',
        Some(false) => '✗',
        None => '?',
    }
}

/// `250`, `12.5`: amounts as people write them.
fn amount(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// The snake_case wire name of a unit or period, in words.
fn words<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

fn quantity(from: Option<f64>, to: Option<f64>, unit: Unit, per: Option<Per>) -> String {
    let Some(from) = from else {
        return String::new();
    };
    let range = match to {
        Some(to) => format!("{}–{}", amount(from), amount(to)),
        None => amount(from),
    };
    let unit = match unit {
        Unit::Eur => "EUR".to_string(),
        Unit::Percent => "%".to_string(),
        other => words(other),
    };
    let per = per.map(|p| format!(" / {}", words(p))).unwrap_or_default();
    format!(": {range} {unit}{per}")
}

/// One block per incentive, in the order given (eligible first, as the evaluator sorts them).
pub fn assessments_text(assessments: &[Assessment], lang: Lang) -> String {
    let (benefit, next) = match lang {
        Lang::Nl => ("Voordeel", "Volgende stap"),
        Lang::En => ("Benefit", "Next step"),
    };
    let mut out = String::new();
    for a in assessments {
        let uncertain = if a.uncertain { " (*)" } else { "" };
        let _ = writeln!(
            out,
            "{} [{}]: {}{uncertain}",
            a.name,
            a.incentive,
            verdict_text(a.verdict, lang)
        );
        for reason in &a.reasons {
            let _ = writeln!(out, "  {} {}", mark(reason.met), reason.explanation);
        }
        let _ = writeln!(out, "  {benefit}: {}", a.benefit.summary);
        for limit in &a.benefit.limits {
            let _ = writeln!(
                out,
                "    - {}{}",
                limit.what,
                quantity(limit.amount, limit.amount_to, limit.unit, limit.per)
            );
        }
        let _ = writeln!(out, "  {next}: {} <{}>", a.next_step.text, a.next_step.url);
        if let Some(note) = &a.note {
            let _ = writeln!(out, "  {note}");
        }
        out.push('\n');
    }
    if assessments.iter().any(|a| a.uncertain) {
        out.push_str(match lang {
            Lang::Nl => "(*) steunt deels op een ontwerp- of secundaire bron\n",
            Lang::En => "(*) rests partly on a draft or secondary source\n",
        });
    }
    out
}

/// The what-if view: per status asked about, the verdicts and what changes against now.
pub fn comparison_text(comparison: &Comparison, lang: Lang) -> String {
    let (now, gained, lost, none) = match lang {
        Lang::Nl => ("Nu", "erbij", "kwijt", "niets"),
        Lang::En => ("Now", "gained", "lost", "nothing"),
    };
    let list = |ids: &[String]| {
        if ids.is_empty() {
            none.to_string()
        } else {
            ids.join(", ")
        }
    };
    let mut out = String::new();
    let current = comparison.current_status.map_or("?", |s| s.as_str());
    let _ = writeln!(out, "{now} ({current}):");
    for v in &comparison.current {
        let _ = writeln!(out, "  {:<14} {}", verdict_text(v.verdict, lang), v.name);
    }
    for scenario in &comparison.scenarios {
        let _ = writeln!(out, "\n{} → {}:", current, scenario.status);
        for v in &scenario.verdicts {
            let _ = writeln!(out, "  {:<14} {}", verdict_text(v.verdict, lang), v.name);
        }
        let _ = writeln!(out, "  + {gained}: {}", list(&scenario.gained));
        let _ = writeln!(out, "  - {lost}: {}", list(&scenario.lost));
    }
    out
}
