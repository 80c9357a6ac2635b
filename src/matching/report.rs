//! The answer as text for the shell (`skillbridge match` without `--json`).

use std::fmt::Write;

use super::answer::Answer;
use crate::incentives::report::verdict_text;
use crate::incentives::Lang;
use crate::search::Engine;
use crate::vocab::ConceptIdx;

/// Missing skills listed per occupation; the JSON has them all.
const MISSING_SHOWN: usize = 5;

pub fn text(engine: &Engine, answer: &Answer) -> String {
    let model = engine.model();
    let profile = &answer.profile;
    let label = |idx: ConceptIdx| {
        model
            .concept(idx)
            .preferred_label(profile.lang)
            .map_or(String::new(), |(l, _)| l.to_string())
    };
    let mut out = String::new();
    let _ = writeln!(out, "Understood as:");
    for r in &profile.resolved {
        let c = model.concept(r.concept);
        let _ = writeln!(
            out,
            "  {:<32} → {} [{} {}] ({}, {:.2})",
            r.input,
            label(r.concept),
            c.vocab,
            c.kind,
            r.via.as_str(),
            r.score
        );
    }
    for u in &profile.unresolved {
        let _ = writeln!(out, "  {:<32} → not understood: {}", u.input, u.message);
    }
    let _ = writeln!(out, "\nOccupations and qualifications:");
    if answer.occupations.is_empty() {
        let _ = writeln!(out, "  none: no resolved skill is needed by any occupation");
    }
    for (rank, m) in answer.occupations.iter().enumerate() {
        let c = model.concept(m.occupation);
        let _ = writeln!(
            out,
            "{:>3}. {} [{} {}]  score {:.3}  essential {}/{}  optional {}/{}",
            rank + 1,
            label(m.occupation),
            c.vocab,
            c.kind,
            m.score,
            m.essential.have,
            m.essential.total,
            m.optional.have,
            m.optional.total
        );
        let matched: Vec<String> = m.matched.iter().map(|s| label(s.skill)).collect();
        let _ = writeln!(out, "     has: {}", matched.join("; "));
        if !m.missing_essential.is_empty() {
            let missing: Vec<String> = m
                .missing_essential
                .iter()
                .take(MISSING_SHOWN)
                .map(|&s| label(s))
                .collect();
            let more = m.missing_essential.len().saturating_sub(MISSING_SHOWN);
            let _ = writeln!(
                out,
                "     missing: {}{}",
                missing.join("; "),
                if more > 0 {
                    format!(" (and {more} more)")
                } else {
                    String::new()
                }
            );
        }
    }
    if !answer.offers.is_empty() {
        let _ = writeln!(out, "\nOffers that teach what is missing:");
        for o in &answer.offers {
            let teaches: Vec<String> = o.teaches.iter().map(|&s| label(s)).collect();
            let _ = writeln!(
                out,
                "  {} ({}, {}): {}",
                o.offer.draft.title,
                o.offer.provider,
                o.offer.id,
                teaches.join("; ")
            );
        }
    }
    if !answer.incentives.is_empty() {
        let _ = writeln!(out, "\nIncentives:");
        for p in &answer.incentives {
            let _ = writeln!(
                out,
                "  {:<14} {} — {}",
                verdict_text(p.assessment.verdict, Lang::for_text(profile.lang)),
                p.assessment.name,
                p.assessment.next_step.text
            );
        }
    }
    out
}
