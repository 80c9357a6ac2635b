//! The search box on the fixture vocabularies: folding, compounds both ways, typos, prefixes.

use skillbridge::search::{SearchRequest, MAX_QUERY_CHARS};
use skillbridge::text::Lang;
use skillbridge::vocab::Kind;
use skillbridge::Error;

use super::support::mini;

const FORKLIFT: &str = "http://data.europa.eu/esco/occupation/test-forklift";
const BOOKKEEPER: &str = "http://data.europa.eu/esco/occupation/test-bookkeeper";
const COORDINATOR: &str = "http://data.europa.eu/esco/occupation/test-coordinator";
/// A broad occupation with one narrower one, `building electrician`, whose alternative label is
/// `electrician`.
const ELECTRICIAN: &str = "http://data.europa.eu/esco/occupation/test-electrician";
const BUILDING_ELECTRICIAN: &str =
    "http://data.europa.eu/esco/occupation/test-building-electrician";

fn suggest(text: &str, lang: Option<Lang>) -> Vec<String> {
    let engine = mini();
    let request = SearchRequest {
        text: text.into(),
        lang,
        limit: 5,
        ..Default::default()
    };
    engine
        .suggest(&request)
        .unwrap()
        .iter()
        .map(|h| engine.model().concept(h.concept).id.clone())
        .collect()
}

fn first(text: &str, lang: Option<Lang>) -> String {
    suggest(text, lang).into_iter().next().unwrap_or_default()
}

#[test]
fn a_split_compound_finds_the_closed_one_and_back() {
    assert_eq!(first("heftruck chauffeur", Some(Lang::NL)), FORKLIFT);
    assert_eq!(first("heftruckchauffeur", Some(Lang::NL)), FORKLIFT);
    // `vorkheftruckbestuurder` is only an alternative label.
    assert_eq!(first("vorkheftruck bestuurder", Some(Lang::NL)), FORKLIFT);
}

#[test]
fn diacritics_and_case_fold() {
    assert_eq!(first("coordinator jeugdwerk", Some(Lang::NL)), COORDINATOR);
    assert_eq!(first("COÖRDINATOR", Some(Lang::NL)), COORDINATOR);
}

#[test]
fn typos_are_forgiven_by_word_length() {
    assert_eq!(first("heftruk", Some(Lang::NL)), FORKLIFT);
    assert_eq!(first("bokhouder", Some(Lang::NL)), BOOKKEEPER);
    assert_eq!(first("forklfit operator", Some(Lang::EN)), FORKLIFT);
    // Three letters get no typo budget: `xyz` matches nothing.
    assert!(suggest("xyz", None).is_empty());
}

#[test]
fn the_last_word_is_a_prefix_while_typing() {
    assert_eq!(first("boekhou", Some(Lang::NL)), BOOKKEEPER);
    assert_eq!(first("forklift op", Some(Lang::EN)), FORKLIFT);
    // A trailing space ends the word: `boekhou ` is no longer a prefix.
    assert!(!suggest("boekhou ", Some(Lang::NL)).contains(&BOOKKEEPER.to_string()));
}

#[test]
fn results_span_vocabularies_and_filter_by_vocab_and_kind() {
    let engine = mini();
    let mut request = SearchRequest {
        text: "heftruck".into(),
        lang: Some(Lang::NL),
        limit: 10,
        ..Default::default()
    };
    let all = engine.search(&request).unwrap();
    let vocabs: std::collections::BTreeSet<&str> = all
        .hits
        .iter()
        .map(|h| engine.model().concept(h.concept).vocab.as_str())
        .collect();
    assert!(
        vocabs.contains("esco") && vocabs.contains("vks"),
        "{vocabs:?}"
    );
    assert_eq!(all.facets.vocab.values().sum::<usize>(), all.total);

    request.vocabs = vec!["vks".into()];
    request.kinds = vec![Kind::Competence];
    let vks = engine.search(&request).unwrap();
    assert_eq!(vks.total, 1);
    assert_eq!(
        engine.model().concept(vks.hits[0].concept).id,
        "vks:bkc9000001"
    );
}

/// Full search for occupations, best first.
fn occupations(text: &str) -> Vec<String> {
    let engine = mini();
    let request = SearchRequest {
        text: text.into(),
        lang: Some(Lang::EN),
        kinds: vec![Kind::Occupation],
        limit: 5,
        ..Default::default()
    };
    engine
        .search(&request)
        .unwrap()
        .hits
        .iter()
        .map(|h| engine.model().concept(h.concept).id.clone())
        .collect()
}

#[test]
fn full_search_puts_specific_occupations_before_broad_ones() {
    // A vacancy's `Electricians` matches both by stem; the specific occupation comes first.
    assert_eq!(
        occupations("Electricians")[..2],
        [BUILDING_ELECTRICIAN, ELECTRICIAN]
    );
    // But the broad occupation's own label finds it first, though the narrower one has it too.
    assert_eq!(
        occupations("electrician")[..2],
        [ELECTRICIAN, BUILDING_ELECTRICIAN]
    );
    // The search box does not lean either way: the preferred label wins.
    assert_eq!(first("electricians", Some(Lang::EN)), ELECTRICIAN);
}

#[test]
fn an_imported_vocabulary_is_searchable() {
    assert_eq!(first("orderverzamelaar", None), "sector:LOG-01");
}

#[test]
fn bad_requests_name_what_is_allowed() {
    let engine = mini();
    let check = |request: SearchRequest, code: &str| match engine.suggest(&request) {
        Err(Error::InvalidParameter { code: c, message }) => {
            assert_eq!(c, code, "{message}");
            message
        }
        other => panic!("expected {code}, got {other:?}"),
    };
    let ok = SearchRequest {
        text: "lasser".into(),
        limit: 5,
        ..Default::default()
    };
    check(
        SearchRequest {
            text: "  ".into(),
            ..ok.clone()
        },
        "empty_query",
    );
    check(
        SearchRequest {
            text: "a".repeat(MAX_QUERY_CHARS + 1),
            ..ok.clone()
        },
        "query_too_long",
    );
    check(
        SearchRequest {
            limit: 0,
            ..ok.clone()
        },
        "invalid_limit",
    );
    let message = check(
        SearchRequest {
            lang: Some(Lang::parse("fr").unwrap()),
            ..ok.clone()
        },
        "unknown_lang",
    );
    assert!(message.contains("en, nl"), "{message}");
    let message = check(
        SearchRequest {
            vocabs: vec!["rome".into()],
            ..ok.clone()
        },
        "unknown_vocab",
    );
    assert!(
        message.contains("esco") && message.contains("sector"),
        "{message}"
    );
}
