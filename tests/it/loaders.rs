//! The loaders on hand-made files: what they read, and that a bad file names itself and its line.

use skillbridge::index::{self, Sources};
use skillbridge::text::Lang;
use skillbridge::vocab::{self, ExtraVocab, Kind, LabelForm, Relevance};
use skillbridge::Error;

use super::support::fixtures;

fn load_mini() -> vocab::Model {
    let extra = vec![ExtraVocab {
        id: "sector".into(),
        path: fixtures().join("sector.csv"),
    }];
    vocab::load_model(&fixtures().join("mini"), &extra).expect("fixtures load")
}

#[test]
fn esco_loader_reads_every_language_and_relation() {
    let model = load_mini();
    let esco = model.vocabulary("esco").unwrap();
    assert_eq!(esco.version, "9.9.9");
    assert_eq!(esco.languages, vec![Lang::EN, Lang::NL]);
    assert_eq!(esco.counts[&Kind::Occupation], 6);
    assert_eq!(esco.counts[&Kind::Skill], 3);
    assert_eq!(esco.counts[&Kind::Knowledge], 1);

    let forklift = model.concept(
        model
            .find("http://data.europa.eu/esco/occupation/test-forklift")
            .unwrap(),
    );
    assert_eq!(
        forklift.preferred_label(Lang::NL).unwrap().0,
        "heftruckchauffeur"
    );
    assert_eq!(
        forklift.preferred_label(Lang::EN).unwrap().0,
        "forklift operator"
    );
    assert!(forklift.labels.iter().any(|l| l.lang == Lang::NL
        && l.form == LabelForm::Alternative
        && l.text == "vorkheftruckbestuurder"));
    assert_eq!(forklift.code("isco"), Some("8344"));
    let essential: Vec<&str> = forklift
        .skills
        .iter()
        .filter(|(_, r)| *r == Relevance::Essential)
        .map(|(s, _)| model.concept(*s).id.as_str())
        .collect();
    assert_eq!(
        essential,
        ["http://data.europa.eu/esco/skill/test-operate-forklift"]
    );
    let group = model.concept(forklift.broader[0]);
    assert_eq!(group.kind, Kind::Group);
    assert_eq!(group.narrower.len(), 1);
    // An occupation under another occupation: both sides of the relation.
    let electrician = model
        .find("http://data.europa.eu/esco/occupation/test-electrician")
        .unwrap();
    let building = model
        .find("http://data.europa.eu/esco/occupation/test-building-electrician")
        .unwrap();
    assert_eq!(model.concept(building).broader, [electrician]);
    assert_eq!(model.concept(electrician).narrower, [building]);

    // The Dutch label of a skill comes from a collection file; the hidden label is kept as such.
    let safety = model.concept(
        model
            .find("http://data.europa.eu/esco/skill/test-safety")
            .unwrap(),
    );
    assert_eq!(
        safety.preferred_label(Lang::NL).unwrap().0,
        "veiligheidsprocedures volgen"
    );
    assert_eq!(safety.required_by.len(), 2);
    let bookkeeper = model.concept(
        model
            .find("http://data.europa.eu/esco/occupation/test-bookkeeper")
            .unwrap(),
    );
    assert!(bookkeeper
        .labels
        .iter()
        .any(|l| l.form == LabelForm::Hidden && l.text == "bookeeper"));
}

#[test]
fn vks_loader_reads_qualifications_and_competences() {
    let model = load_mini();
    let q = model.concept(model.find("vks:BK-9001-1").unwrap());
    assert_eq!(q.kind, Kind::Qualification);
    assert_eq!(q.preferred_label(Lang::NL).unwrap().0, "Magazijnmedewerker");
    let alts: Vec<&str> = q
        .labels
        .iter()
        .filter(|l| l.form == LabelForm::Alternative)
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(alts, ["Magazijnier", "Orderpicker"]);
    assert_eq!(q.code("vks_level"), Some("2"));
    assert_eq!(q.code("isced_f"), Some("0416"));
    assert_eq!(q.skills.len(), 2);
    let competence = model.concept(q.skills[0].0);
    assert_eq!(competence.id, "vks:bkc9000001");
    assert_eq!(competence.kind, Kind::Competence);
    assert!(competence
        .description(Lang::NL)
        .unwrap()
        .0
        .contains("Rijdt met een heftruck"));
    assert_eq!(competence.code("competent"), Some("SK-0001-c"));
    assert_eq!(
        model.vocabulary("vks").unwrap().version,
        "harvested 2026-01-02"
    );
}

#[test]
fn import_merges_languages_and_resolves_broader() {
    let model = load_mini();
    let picker = model.concept(model.find("sector:LOG-01").unwrap());
    assert_eq!(picker.preferred_label(Lang::EN).unwrap().0, "Order picker");
    assert_eq!(picker.preferred_label(Lang::NL).unwrap().0, "Orderpicker");
    assert_eq!(model.concept(picker.broader[0]).id, "sector:LOG");
    assert_eq!(
        model.vocabulary("sector").unwrap().languages,
        vec![Lang::EN, Lang::NL]
    );
}

/// Asserts the error is a bad-input error naming `file` and `line`, and returns its message.
fn bad_input(result: Result<vocab::Model, Error>, file: &str, line: usize) -> String {
    match result {
        Err(Error::BadInput {
            path,
            line: l,
            message,
        }) => {
            assert!(path.ends_with(file), "{path:?} should name {file}");
            assert_eq!(l, line, "{message}");
            message
        }
        Err(other) => panic!("expected a bad-input error, got {other}"),
        Ok(_) => panic!("a bad file loaded"),
    }
}

fn import(file: &str) -> Result<vocab::Model, Error> {
    let extra = vec![ExtraVocab {
        id: "bad".into(),
        path: fixtures().join("bad").join(file),
    }];
    vocab::load_model(&fixtures().join("mini"), &extra)
}

#[test]
fn import_rejects_an_unknown_kind_naming_the_line() {
    let message = bad_input(
        import("import-unknown-kind.csv"),
        "import-unknown-kind.csv",
        3,
    );
    assert!(
        message.contains("profession") && message.contains("occupation"),
        "{message}"
    );
}

#[test]
fn import_rejects_an_unknown_broader_id() {
    let message = bad_input(
        import("import-unknown-broader.csv"),
        "import-unknown-broader.csv",
        3,
    );
    assert!(message.contains("bad:ZZZ"), "{message}");
}

#[test]
fn import_rejects_a_wrong_header() {
    let message = bad_input(
        import("import-wrong-header.csv"),
        "import-wrong-header.csv",
        1,
    );
    assert!(message.contains("missing column"), "{message}");
}

#[test]
fn esco_loader_rejects_an_unknown_skill_type() {
    let result = vocab::load_model(&fixtures().join("bad/esco-skilltype"), &[]);
    let message = bad_input(result, "skills_en.csv", 3);
    assert!(message.contains("attitude"), "{message}");
}

#[test]
fn vks_loader_rejects_broken_json() {
    let result = vocab::load_model(&fixtures().join("bad/vks-broken"), &[]);
    bad_input(result, "BK-9002-1.json", 6);
}

#[test]
fn extra_vocab_argument_is_checked() {
    assert!("onet=/tmp/x.csv".parse::<ExtraVocab>().is_ok());
    assert!("esco=/tmp/x.csv".parse::<ExtraVocab>().is_err());
    assert!("No Id=/tmp/x.csv".parse::<ExtraVocab>().is_err());
    assert!("onet".parse::<ExtraVocab>().is_err());
}

#[test]
fn a_bad_import_leaves_the_previous_index_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let good = Sources {
        data: fixtures().join("mini"),
        extra: Vec::new(),
    };
    let built = index::build(&dir.path().join("index"), &good, false).unwrap();
    let bad = Sources {
        data: fixtures().join("mini"),
        extra: vec![ExtraVocab {
            id: "bad".into(),
            path: fixtures().join("bad/import-unknown-kind.csv"),
        }],
    };
    assert!(index::build(&dir.path().join("index"), &bad, false).is_err());
    let still = index::read_manifest(&dir.path().join("index")).expect("old index kept");
    assert_eq!(still.fingerprint, built.fingerprint);
    assert!(index::open(&dir.path().join("index")).is_ok());
}

#[test]
fn the_index_is_rebuilt_when_the_inputs_change() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_dir(&fixtures().join("mini"), &data);
    let sources = Sources {
        data: data.clone(),
        extra: Vec::new(),
    };
    let index_dir = dir.path().join("index");
    let first = index::open_or_build(&index_dir, &sources, false)
        .unwrap()
        .manifest;
    let again = index::open_or_build(&index_dir, &sources, false)
        .unwrap()
        .manifest;
    assert_eq!(
        first.built_at, again.built_at,
        "an up-to-date index is not rebuilt"
    );
    let qualification = data.join("vks/bk/BK-9001-1.json");
    let text = std::fs::read_to_string(&qualification).unwrap();
    std::fs::write(
        &qualification,
        text.replace("Magazijnier", "Magazijnbediende"),
    )
    .unwrap();
    let rebuilt = index::open_or_build(&index_dir, &sources, false).unwrap();
    assert_ne!(rebuilt.manifest.fingerprint, first.fingerprint);
    let model = &rebuilt.catalog.model;
    let q = model.concept(model.find("vks:BK-9001-1").unwrap());
    assert!(q.labels.iter().any(|l| l.text == "Magazijnbediende"));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
