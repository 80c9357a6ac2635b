//! The SKOS mapping relation of a mapping, decided by one documented rule.

use serde::{Deserialize, Serialize};

/// A SKOS mapping property, read as "the subject … the object".
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    bincode::Encode,
    bincode::Decode,
)]
pub enum Relation {
    #[serde(rename = "exactMatch")]
    Exact,
    #[serde(rename = "closeMatch")]
    Close,
    /// The object is broader than the subject.
    #[serde(rename = "broadMatch")]
    Broad,
    /// The object is narrower than the subject.
    #[serde(rename = "narrowMatch")]
    Narrow,
    #[serde(rename = "relatedMatch")]
    Related,
}

impl Relation {
    pub const ALL: [Relation; 5] = [
        Relation::Exact,
        Relation::Close,
        Relation::Broad,
        Relation::Narrow,
        Relation::Related,
    ];

    /// The SKOS local name, as the API shows it (`exactMatch`).
    pub fn name(self) -> &'static str {
        match self {
            Relation::Exact => "exactMatch",
            Relation::Close => "closeMatch",
            Relation::Broad => "broadMatch",
            Relation::Narrow => "narrowMatch",
            Relation::Related => "relatedMatch",
        }
    }

    /// The SSSOM predicate (`skos:exactMatch`).
    pub fn predicate(self) -> String {
        format!("skos:{}", self.name())
    }

    pub fn parse_predicate(text: &str) -> Option<Relation> {
        let name = text.strip_prefix("skos:").unwrap_or(text);
        Relation::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The relation read from the object's side.
    pub fn inverse(self) -> Relation {
        match self {
            Relation::Broad => Relation::Narrow,
            Relation::Narrow => Relation::Broad,
            other => other,
        }
    }
}

/// At or above this confidence two concepts are taken as the same even when their preferred
/// labels differ (a synonym as preferred label, a plural). Chosen so that on the VKS→ESCO sample in
/// the README no exactMatch was judged wrong.
pub const EXACT_MIN_CONFIDENCE: f32 = 0.9;
/// At or above this confidence (and below exact) the mapping is a closeMatch: interchangeable for
/// search and matching. Below it a mapping is only relatedMatch.
pub const CLOSE_MIN_CONFIDENCE: f32 = 0.55;
/// Containment of labels is read as broader/narrower only for mappings at least this confident;
/// below it, "warehouse" inside "warehouse manager" says little.
pub const CONTAINMENT_MIN_CONFIDENCE: f32 = 0.35;

/// The facts the relation is decided from.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RelationFacts {
    /// The normalised (folded) preferred labels are equal in a language both concepts have.
    pub same_preferred_label: bool,
    pub confidence: f32,
    /// The content terms of the object's matched label are a strict subset of the subject's:
    /// "heftruckchauffeur" (object) in "heftruckchauffeur magazijn" (subject).
    pub object_label_inside_subject: bool,
    /// The content terms of the subject's matched label are a strict subset of the object's.
    pub subject_label_inside_object: bool,
    /// The object is a grouping (ISCO group, skill group) rather than a concept of the same kind.
    pub object_is_group: bool,
}

/// The rule, in order:
/// 1. exactMatch: the same normalised preferred label, or confidence ≥ [`EXACT_MIN_CONFIDENCE`];
/// 2. broadMatch: the object is a group, or (confidence ≥ [`CONTAINMENT_MIN_CONFIDENCE`]) the
///    object's label is contained in the subject's (the subject adds a specialisation);
/// 3. narrowMatch: the subject's label is contained in the object's;
/// 4. closeMatch: confidence ≥ [`CLOSE_MIN_CONFIDENCE`];
/// 5. relatedMatch otherwise.
pub fn decide(f: &RelationFacts) -> Relation {
    if f.same_preferred_label || f.confidence >= EXACT_MIN_CONFIDENCE {
        return Relation::Exact;
    }
    let containment = f.confidence >= CONTAINMENT_MIN_CONFIDENCE;
    if f.object_is_group || (containment && f.object_label_inside_subject) {
        return Relation::Broad;
    }
    if containment && f.subject_label_inside_object {
        return Relation::Narrow;
    }
    if f.confidence >= CLOSE_MIN_CONFIDENCE {
        Relation::Close
    } else {
        Relation::Related
    }
}

/// Whether `inner` is a strict, non-empty subset of `outer` (both sorted).
pub fn strictly_inside<T: Ord>(inner: &[T], outer: &[T]) -> bool {
    !inner.is_empty()
        && inner.len() < outer.len()
        && inner.iter().all(|t| outer.binary_search(t).is_ok())
}
