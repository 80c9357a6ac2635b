//! Word associations learned from the vocabularies' own labels: two words are associates when
//! they name the same concepts (`clerk` and `assistant`, `operator` and `driver`), measured by the
//! Dice coefficient over the concepts whose labels (preferred, alternative, hidden) use them.
//! Full search uses them to reach a label that says the same thing in other words.

use std::collections::HashMap;

use crate::index::IndexedLabel;
use crate::vocab::Model;

/// Pairs seen in fewer concepts than this are coincidences of one concept's label list.
const MIN_SHARED_CONCEPTS: u32 = 3;
/// Weaker associations than this add more noise than reach (tuned on the job-title dev file:
/// 0.05 and 0.2 were both worse than 0.1).
const MIN_DICE: f32 = 0.1;
/// Associates kept per word, strongest first.
const MAX_ASSOCIATES: usize = 8;

/// Associates of each folded word, strongest first, with their Dice coefficient.
pub type Associates = HashMap<String, Vec<(String, f32)>>;

pub fn learn(model: &Model, labels: &[IndexedLabel]) -> Associates {
    // Content words of each (concept, language), as ids.
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut sets: HashMap<(u32, crate::text::Lang), Vec<u32>> = HashMap::new();
    for l in labels {
        let lang = model.concept(l.concept).labels[l.label as usize].lang;
        let set = sets.entry((l.concept, lang)).or_default();
        for w in l
            .words
            .iter()
            .filter(|w| !w.stopword && w.folded.chars().count() > 2)
        {
            let id = *ids.entry(w.folded.as_str()).or_insert_with(|| {
                names.push(w.folded.as_str());
                (names.len() - 1) as u32
            });
            set.push(id);
        }
    }
    let mut concepts_with = vec![0u32; names.len()];
    let mut pairs: HashMap<(u32, u32), u32> = HashMap::new();
    for set in sets.values_mut() {
        set.sort_unstable();
        set.dedup();
        for (i, &a) in set.iter().enumerate() {
            concepts_with[a as usize] += 1;
            for &b in &set[i + 1..] {
                *pairs.entry((a, b)).or_insert(0) += 1;
            }
        }
    }
    let mut out: HashMap<String, Vec<(String, f32)>> = HashMap::new();
    for ((a, b), shared) in pairs {
        if shared < MIN_SHARED_CONCEPTS {
            continue;
        }
        let dice =
            2.0 * shared as f32 / (concepts_with[a as usize] + concepts_with[b as usize]) as f32;
        if dice < MIN_DICE {
            continue;
        }
        out.entry(names[a as usize].to_string())
            .or_default()
            .push((names[b as usize].to_string(), dice));
        out.entry(names[b as usize].to_string())
            .or_default()
            .push((names[a as usize].to_string(), dice));
    }
    for list in out.values_mut() {
        list.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
        list.truncate(MAX_ASSOCIATES);
    }
    out
}
