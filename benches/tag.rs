//! Tagging on the real index: a 300-word Dutch course description (written for this bench), and
//! bulk throughput over 200 texts (the Dutch descriptions of ESCO occupations) on all cores.
//! Each bench asserts what it found, so that a fast wrong answer fails.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;

use skillbridge::config::Settings;
use skillbridge::index;
use skillbridge::search::Engine;
use skillbridge::tag::TagRequest;
use skillbridge::text::Lang;
use skillbridge::vocab::Kind;

/// A course page as training providers write them: goals, content as a list, practicalities and
/// boilerplate. 300 words.
const COURSE: &str = "\
Opleiding lasser MIG/MAG en TIG

Wil je aan de slag als lasser in de metaalsector? In deze opleiding van twaalf weken leer je \
de belangrijkste lastechnieken van de praktijk. Je werkt in een modern uitgeruste werkplaats \
onder begeleiding van ervaren lesgevers die zelf jarenlang in de industrie hebben gelast.

Wat leer je?
• technische tekeningen en lasplannen lezen en interpreteren;
• MIG/MAG-lassen van staal en roestvast staal in verschillende posities;
• TIG-lassen van aluminium en dunne plaat;
• de lasapparatuur instellen, onderhouden en veilig gebruiken;
• werkstukken voorbereiden: meten, aftekenen, zagen, slijpen en boren;
• lasnaden visueel controleren en fouten herkennen;
• veilig werken volgens de VCA-regels, met aandacht voor brandpreventie, ventilatie en \
persoonlijke beschermingsmiddelen.

Daarnaast besteden we aandacht aan communicatie op de werkvloer, samenwerken in een team en \
het plannen van je eigen werk. Je leert ook hoe je materialen kiest en de kwaliteit van je \
laswerk documenteert, zodat je klaar bent voor een kwalificatieproef volgens de Europese norm. Tijdens de opleiding \
krijg je ook een introductie in metaalbewerking en het lezen van een werkplanning.

Voor wie?
Werkzoekenden en werknemers die zich willen omscholen tot lasser of hun vaardigheden willen \
uitbreiden. Je hebt geen voorkennis nodig, maar technische interesse en een goede motoriek \
zijn een voordeel. Je moet vlot Nederlands begrijpen om de veiligheidsinstructies te volgen.

Praktisch
De opleiding bestaat uit theorie in de voormiddag en praktijk in de namiddag. Na afloop \
ontvang je een attest en, als je slaagt voor de proef, een erkend lascertificaat. Via de \
opleidingscheques of het Vlaams opleidingsverlof kun je een deel van de kosten terugkrijgen. \
Werkzoekenden volgen de opleiding gratis via de VDAB.

Interesse? Klik hier om je in te schrijven of contacteer ons voor meer informatie over de \
startdata, de prijs en de locatie. Schrijf je tijdig in, want het aantal plaatsen is beperkt.";

fn engine() -> Engine {
    let settings = Settings::resolve(
        None,
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("index")),
        None,
        vec![],
    );
    Engine::new(
        index::open_or_build(&settings.index, &settings.sources(), false)
            .expect("the real index opens"),
    )
}

fn english_labels(engine: &Engine, request: &TagRequest) -> Vec<String> {
    let tagging = engine.tag(request).expect("tagging works");
    tagging
        .tags
        .iter()
        .map(|t| {
            engine
                .model()
                .concept(t.concept)
                .preferred_label(Lang::EN)
                .unwrap()
                .0
                .to_string()
        })
        .collect()
}

fn tag(c: &mut Criterion) {
    let engine = engine();
    engine.tagger();
    let words = COURSE.split_whitespace().count();
    assert!(
        (280..=320).contains(&words),
        "the course text has {words} words"
    );
    let mut request = TagRequest::new(COURSE);
    request.lang = Some(Lang::NL);
    let labels = english_labels(&engine, &request);
    assert!(
        labels.iter().any(|l| l.contains("weld")),
        "a welding skill among {labels:?}"
    );
    c.bench_function("tag a 300-word Dutch course", |b| {
        b.iter(|| engine.tag(&request).unwrap())
    });

    let texts: Vec<TagRequest> = engine
        .model()
        .concepts
        .iter()
        .filter(|c| c.vocab == "esco" && c.kind == Kind::Occupation)
        .filter_map(|c| c.descriptions.get(&Lang::NL))
        .take(200)
        .map(|d| TagRequest::new(d.as_str()))
        .collect();
    assert_eq!(texts.len(), 200);
    let found: usize = texts
        .par_iter()
        .map(|r| engine.tag(r).unwrap().tags.len())
        .sum();
    assert!(found > 200, "{found} tags for 200 descriptions");
    let mut group = c.benchmark_group("bulk");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.sample_size(10);
    group.bench_function("tag 200 Dutch occupation descriptions (rayon)", |b| {
        b.iter(|| {
            texts
                .par_iter()
                .map(|r| engine.tag(r).unwrap().tags.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, tag);
criterion_main!(benches);
