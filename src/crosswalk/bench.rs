//! `skillbridge eval crosswalk`: O*NET imported through the generic CSV, ESCO occupations mapped
//! onto it and scored against the validation slice of the published ESCO→O*NET crosswalk; VKS→ESCO
//! coverage; timings; and the same with the bridge, the structure or the profiles switched off.
//!
//! The validation file is read only to score: it never enters the model or the index.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::{label_of, Crosswalks, Mapping, Options, CONFIDENT};
use crate::index::{self, Sources};
use crate::search::Engine;
use crate::vocab::{ExtraVocab, Kind};
use crate::{Error, Result};

/// The BM25 baseline of the benchmark (PRODUCT.md).
const BM25_ACC1: f64 = 18.5;
const BM25_ACC5: f64 = 36.5;

/// Converts O*NET's `O*NET-SOC Code, Title, Description` TSV into the import CSV.
pub fn onet_to_csv(tsv: &Path, csv_path: &Path) -> Result<usize> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .from_path(tsv)
        .map_err(|e| Error::bad_input(tsv, 0, e.to_string()))?;
    let mut writer = csv::Writer::from_path(csv_path)
        .map_err(|e| Error::bad_input(csv_path, 0, e.to_string()))?;
    let write_err = |e: csv::Error| Error::bad_input(csv_path, 0, e.to_string());
    writer
        .write_record(crate::vocab::import::HEADER)
        .map_err(write_err)?;
    let mut n = 0;
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::bad_input(tsv, i + 2, e.to_string()))?;
        let (code, title, description) = (&record[0], &record[1], record.get(2).unwrap_or(""));
        writer
            .write_record([code, "occupation", "en", title, "", description, ""])
            .map_err(write_err)?;
        n += 1;
    }
    writer.flush().map_err(|e| Error::io(csv_path, e))?;
    Ok(n)
}

/// `concept_uri → onet codes` of the validation slice.
fn read_validation(path: &Path) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| Error::bad_input(path, 0, e.to_string()))?;
    let mut gold: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::bad_input(path, i + 2, e.to_string()))?;
        gold.entry(record[0].to_string())
            .or_default()
            .insert(format!("onet:{}", &record[2]));
    }
    Ok(gold)
}

/// A temporary folder that is removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Accuracy {
    at1: f64,
    at5: f64,
    n: usize,
}

fn onet_accuracy(
    crosswalks: &Crosswalks,
    gold: &BTreeMap<String, BTreeSet<String>>,
) -> Result<(Accuracy, f64)> {
    let started = Instant::now();
    let mappings = crosswalks.crosswalk("esco", "onet", &[Kind::Occupation])?;
    let seconds = started.elapsed().as_secs_f64();
    let model = crosswalks.model();
    let mut by_subject: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in &mappings {
        by_subject
            .entry(model.concept(m.subject).id.as_str())
            .or_default()
            .push(model.concept(m.object).id.as_str());
    }
    let (mut at1, mut at5) = (0, 0);
    for (uri, codes) in gold {
        let ranked = by_subject.get(uri.as_str()).cloned().unwrap_or_default();
        if ranked.first().is_some_and(|t| codes.contains(*t)) {
            at1 += 1;
        }
        if ranked.iter().take(5).any(|t| codes.contains(*t)) {
            at5 += 1;
        }
    }
    let n = gold.len().max(1);
    Ok((
        Accuracy {
            at1: 100.0 * at1 as f64 / n as f64,
            at5: 100.0 * at5 as f64 / n as f64,
            n: gold.len(),
        },
        seconds,
    ))
}

/// Coverage of one VKS kind onto ESCO: share with ≥ 1 mapping and with a confident one.
fn coverage(mappings: &[Mapping], crosswalks: &Crosswalks, kind: Kind) -> (usize, f64, f64) {
    let model = crosswalks.model();
    let subjects: Vec<usize> = (0..model.concepts.len())
        .filter(|&i| model.concepts[i].vocab == "vks" && model.concepts[i].kind == kind)
        .collect();
    let mut any = BTreeSet::new();
    let mut confident = BTreeSet::new();
    for m in mappings
        .iter()
        .filter(|m| model.concept(m.subject).kind == kind)
    {
        any.insert(m.subject);
        if m.confidence >= CONFIDENT {
            confident.insert(m.subject);
        }
    }
    let n = subjects.len().max(1) as f64;
    (
        subjects.len(),
        100.0 * any.len() as f64 / n,
        100.0 * confident.len() as f64 / n,
    )
}

/// Runs the whole evaluation and returns the report.
pub fn run(data: &Path, benchmarks: &Path, sample: usize, quick: bool) -> Result<String> {
    let bench = benchmarks.join("crosswalk");
    let tmp = TempDir(
        std::env::temp_dir().join(format!("skillbridge-eval-crosswalk-{}", std::process::id())),
    );
    std::fs::create_dir_all(&tmp.0).map_err(|e| Error::io(&tmp.0, e))?;
    let onet_csv = tmp.0.join("onet.csv");
    let onet_count = onet_to_csv(&bench.join("onet_occupations.tsv"), &onet_csv)?;
    let gold = read_validation(&bench.join("esco_onet.validation.csv"))?;

    let started = Instant::now();
    let sources = Sources {
        data: data.to_path_buf(),
        extra: vec![ExtraVocab {
            id: "onet".into(),
            path: onet_csv.clone(),
        }],
    };
    let index_dir = tmp.0.join("index");
    index::build(&index_dir, &sources, false)?;
    let open = index::open(&index_dir)?;
    let semantic = crate::embed::Semantic::open(
        crate::embed::Encoder::locate().as_deref(),
        &index_dir,
        &open.manifest.fingerprint,
        &open.catalog.model,
        true,
    );
    let engine = Arc::new(Engine::new(open).with_semantic(semantic));
    let index_seconds = started.elapsed().as_secs_f64();

    let mut out = String::new();
    let _ = writeln!(out, "Crosswalk evaluation (O*NET: {onet_count} occupations imported as `onet`; index built in {index_seconds:.1}s)\n");

    let variants: [(&str, Options); 4] = [
        ("all parts", Options::default()),
        (
            "without the bridge",
            Options {
                bridge: false,
                ..Options::default()
            },
        ),
        (
            "without structure",
            Options {
                structure: false,
                ..Options::default()
            },
        ),
        (
            "without profiles (labels only)",
            Options {
                profiles: false,
                ..Options::default()
            },
        ),
    ];
    let _ = writeln!(out, "| variant | ESCO→O*NET Acc@1 | Acc@5 | VKS qualifications ≥1 / confident | VKS competences ≥1 / confident | VKS→ESCO s | ESCO→O*NET s |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    let _ = writeln!(
        out,
        "| BM25 baseline | {BM25_ACC1:.1} | {BM25_ACC5:.1} | | | | |"
    );
    let mut sample_rows = String::new();
    let variants = if quick { &variants[..1] } else { &variants[..] };
    for &(name, options) in variants {
        let started = Instant::now();
        let crosswalks = Crosswalks::new(engine.clone(), options);
        let setup = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let vks = if quick {
            Vec::new()
        } else {
            crosswalks.crosswalk("vks", "esco", &[])?
        };
        let vks_seconds = started.elapsed().as_secs_f64();
        let (nq, q_any, q_conf) = coverage(&vks, &crosswalks, Kind::Qualification);
        let (nc, c_any, c_conf) = coverage(&vks, &crosswalks, Kind::Competence);
        let (acc, onet_seconds) = onet_accuracy(&crosswalks, &gold)?;
        let _ = writeln!(
            out,
            "| {name} | {:.1} | {:.1} | {q_any:.1}% / {q_conf:.1}% (of {nq}) | {c_any:.1}% / {c_conf:.1}% (of {nc}) | {vks_seconds:.1} | {onet_seconds:.1} |",
            acc.at1, acc.at5
        );
        if name == "all parts" {
            let _ = writeln!(
                sample_rows,
                "\n{} validation pairs; terms analysed and bridge learned in {setup:.1}s ({} terms translated).",
                acc.n,
                crosswalks.bridge_size()
            );
            if sample > 0 {
                sample_rows.push_str(&sample_table(&crosswalks, &vks, sample));
            }
        }
    }
    out.push_str(&sample_rows);
    Ok(out)
}

/// Every n-th qualification and competence's best mapping, half and half.
fn sample_table(crosswalks: &Crosswalks, mappings: &[Mapping], size: usize) -> String {
    let model = crosswalks.model();
    let mut best: BTreeMap<u32, &Mapping> = BTreeMap::new();
    for m in mappings {
        best.entry(m.subject).or_insert(m);
    }
    let mut out = String::from("\n| VKS concept | best ESCO mapping | relation | confidence | evidence |\n|---|---|---|---|---|\n");
    for kind in [Kind::Qualification, Kind::Competence] {
        let of_kind: Vec<&&Mapping> = best
            .values()
            .filter(|m| model.concept(m.subject).kind == kind)
            .collect();
        let step = (of_kind.len() / (size / 2).max(1)).max(1);
        for m in of_kind.iter().step_by(step).take(size / 2) {
            let (s, o) = (model.concept(m.subject), model.concept(m.object));
            let e = &m.evidence;
            let mut evidence = Vec::new();
            if let Some(l) = &e.labels {
                evidence.push(format!(
                    "\"{}\" ~ \"{}\" ({})",
                    l.subject_label, l.object_label, l.languages
                ));
            }
            if !e.aligned.is_empty() {
                evidence.push(format!("{} competences aligned", e.aligned.len()));
            }
            if !e.context.is_empty() {
                evidence.push("needed by the occupation its qualification maps to".into());
            }
            let _ = writeln!(
                out,
                "| {} {} | {} | {} | {:.2} | {} |",
                s.id,
                label_of(s).replace('|', "/"),
                o.preferred_label(crate::text::Lang::EN)
                    .map(|(l, _)| l)
                    .unwrap_or(""),
                m.relation.name(),
                m.confidence,
                evidence.join("; ").replace('|', "/")
            );
        }
    }
    out
}
