//! The sentence encoder: its tokenizer on hand-made cases, search without the model, and (only
//! where the model is installed) the encoder and the semantic signal.

use skillbridge::embed::wordpiece::{basic_tokens, WordPiece, MAX_TOKENS};
use skillbridge::embed::{Encoder, Semantic};
use skillbridge::search::SearchRequest;
use skillbridge::text::Lang;
use skillbridge::vocab::Kind;

use super::support::{fixtures, mini};

const BOOKKEEPER: &str = "http://data.europa.eu/esco/occupation/test-bookkeeper";

fn wordpiece() -> WordPiece {
    WordPiece::from_file(&fixtures().join("embed/vocab.txt")).expect("fixture vocabulary")
}

/// Token ids back to their vocabulary entries (line numbers of the fixture).
fn pieces(text: &str) -> Vec<String> {
    let vocab = std::fs::read_to_string(fixtures().join("embed/vocab.txt")).unwrap();
    let entries: Vec<&str> = vocab.lines().collect();
    wordpiece()
        .encode(text)
        .into_iter()
        .map(|id| entries[id as usize].to_string())
        .collect()
}

#[test]
fn basic_tokens_fold_case_and_accents_and_split_punctuation() {
    assert_eq!(basic_tokens("Café MANAGER"), ["cafe", "manager"]);
    assert_eq!(basic_tokens("C++/Java"), ["c", "+", "+", "/", "java"]);
    assert_eq!(basic_tokens("sales – retail"), ["sales", "–", "retail"]);
}

#[test]
fn invisible_characters_are_dropped_and_cjk_and_fullwidth_punctuation_split() {
    // A zero-width space inside a title, as pasted from job boards.
    assert_eq!(
        basic_tokens("forklift\u{200b} driver"),
        ["forklift", "driver"]
    );
    assert_eq!(basic_tokens("职位：driver"), ["职", "位", "：", "driver"]);
    // Fullwidth symbols are not punctuation for BERT.
    assert_eq!(basic_tokens("a＋b"), ["a＋b"]);
}

#[test]
fn wordpiece_takes_the_longest_piece_then_continuations() {
    assert_eq!(
        pieces("Forklift drivers"),
        ["[CLS]", "forklift", "driver", "##s", "[SEP]"]
    );
    assert_eq!(
        pieces("unaffordable"),
        ["[CLS]", "un", "##afford", "##able", "[SEP]"]
    );
}

#[test]
fn a_word_with_an_unknown_rest_is_one_unknown_token() {
    assert_eq!(
        pieces("forkliftx driver"),
        ["[CLS]", "[UNK]", "driver", "[SEP]"]
    );
}

#[test]
fn long_input_is_cut_to_the_model_length() {
    let ids = wordpiece().encode(&"driver ".repeat(500));
    assert_eq!(ids.len(), MAX_TOKENS);
    assert_eq!(ids.last(), wordpiece().encode("").last());
}

#[test]
fn a_vocabulary_without_special_tokens_is_refused() {
    assert!(WordPiece::from_vocab(["a", "b"]).is_none());
}

#[test]
fn without_a_model_search_stays_lexical() {
    let empty = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    let engine = mini();
    let semantic = Semantic::open(
        Some(empty.path()),
        index.path(),
        "fingerprint",
        engine.model(),
        false,
    );
    assert!(semantic.is_none());
    assert!(Semantic::open(None, index.path(), "fingerprint", engine.model(), false).is_none());
    assert!(engine.semantic().is_none());
    let results = engine.search(&occupations("forklift driver")).unwrap();
    let first = engine.model().concept(results.hits[0].concept);
    assert_eq!(
        first.id,
        "http://data.europa.eu/esco/occupation/test-forklift"
    );
}

fn occupations(text: &str) -> SearchRequest {
    SearchRequest {
        text: text.into(),
        lang: Some(Lang::EN),
        kinds: vec![Kind::Occupation],
        limit: 5,
        ..Default::default()
    }
}

/// The installed model, or a printed note and `None`: CI runs without the 90 MB download.
fn installed_model() -> Option<std::path::PathBuf> {
    let dir = Encoder::locate();
    if dir.is_none() {
        eprintln!("note: no sentence-embedding model installed (scripts/fetch-model.sh); skipped");
    }
    dir
}

#[test]
fn the_encoder_reproduces_the_reference_similarities() {
    let Some(dir) = installed_model() else {
        return;
    };
    let encoder = Encoder::load(&dir).unwrap();
    let cosine = |a: &str, b: &str| skillbridge::embed::dot(&encoder.embed(a), &encoder.embed(b));
    // The values the sentence-transformers quickstart prints for this model.
    let lovely = "The weather is lovely today.";
    assert!((cosine(lovely, "It's so sunny outside!") - 0.6660).abs() < 1e-3);
    assert!((cosine(lovely, "He drove to the stadium.") - 0.1046).abs() < 1e-3);
    assert!(
        cosine("forklift driver", "forklift operator")
            > cosine("forklift driver", "accountant") + 0.3
    );
}

#[test]
fn with_the_model_an_occupation_is_found_by_meaning() {
    let Some(dir) = installed_model() else {
        return;
    };
    let index = tempfile::tempdir().unwrap();
    // Vectors of an earlier index or model are removed when new ones are written.
    std::fs::write(index.path().join("embeddings-0123456789abcdef.bin"), b"old").unwrap();
    let engine = super::support::engine_for(&fixtures().join("mini"), Vec::new());
    let semantic = Semantic::open(
        Some(&dir),
        index.path(),
        "fingerprint",
        engine.model(),
        false,
    );
    assert!(semantic.is_some());
    let engine = engine.with_semantic(semantic);
    // No word of the query is in any occupation's labels.
    let results = engine.search(&occupations("payroll and invoices")).unwrap();
    let first = engine.model().concept(results.hits[0].concept);
    assert_eq!(first.id, BOOKKEEPER);
    // The vectors are cached beside the index, so the second opening reads them; only they.
    let cached = std::fs::read_dir(index.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("embeddings-"))
        .count();
    assert_eq!(cached, 1);
}

#[test]
fn search_stays_lexical_until_the_model_loaded_in_the_background_is_in() {
    let engine = super::support::engine_for(&fixtures().join("mini"), Vec::new());
    assert_eq!(engine.semantic_status(), "off");
    // What `serve` does: answer at once, load the model on another thread.
    engine.expect_semantic();
    assert_eq!(engine.semantic_status(), "loading");
    let meanwhile = engine.search(&occupations("payroll and invoices")).unwrap();
    assert!(
        meanwhile.hits.is_empty(),
        "no word of the query is in a label"
    );

    let index = tempfile::tempdir().unwrap();
    let semantic = installed_model().and_then(|dir| {
        Semantic::open(
            Some(&dir),
            index.path(),
            "fingerprint",
            engine.model(),
            false,
        )
    });
    let loaded = semantic.is_some();
    engine.install_semantic(semantic);
    if !loaded {
        // No model here: the loading ends with a lexical engine, said plainly.
        assert_eq!(engine.semantic_status(), "off");
        return;
    }
    assert_eq!(engine.semantic_status(), "ready");
    let results = engine.search(&occupations("payroll and invoices")).unwrap();
    assert_eq!(
        engine.model().concept(results.hits[0].concept).id,
        BOOKKEEPER
    );
}
