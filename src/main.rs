//! The `skillbridge` command: parse, set up tracing, call into the library.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use skillbridge::api::views::SuggestItem;
use skillbridge::api::{self, AppState};
use skillbridge::config::Settings;
use skillbridge::crosswalk::{self, sssom, Crosswalks};
use skillbridge::embed;
use skillbridge::eval;
use skillbridge::incentives::{self, Catalog, Person, Status, Training};
use skillbridge::index;
use skillbridge::matching;
use skillbridge::offers::OfferStore;
use skillbridge::search::{self, Engine, SearchRequest, DEFAULT_LIMIT};
use skillbridge::tag::{self, TagRequest};
use skillbridge::text::Lang;
use skillbridge::vocab::{ExtraVocab, Kind};

#[derive(Parser)]
#[command(
    name = "skillbridge",
    version,
    about = "Search and matching over competence vocabularies"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct GlobalArgs {
    /// Folder with the vocabularies (default: ../shared/data beside the checkout, else taxonomies/)
    #[arg(long, global = true, env = "SKILLBRIDGE_DATA")]
    data: Option<PathBuf>,
    /// Folder of the built index (default: index/)
    #[arg(long, global = true, env = "SKILLBRIDGE_INDEX")]
    index: Option<PathBuf>,
    /// SQLite database of offers and provider keys (default: skillbridge.db)
    #[arg(long, global = true, env = "SKILLBRIDGE_DB")]
    db: Option<PathBuf>,
    /// An imported vocabulary, ID=PATH to a CSV (id,kind,lang,preferred_label,alt_labels,description,broader)
    #[arg(long = "extra-vocab", global = true, value_name = "ID=PATH")]
    extra_vocab: Vec<ExtraVocab>,
}

#[derive(Subcommand)]
enum Command {
    /// Cosines between the sentence vectors of the texts (needs the model; for checking it)
    #[command(hide = true)]
    Similarity { texts: Vec<String> },
    /// Token ids of each line of stdin, as the sentence encoder reads them (for checking it)
    #[command(hide = true)]
    Tokenize,
    /// Open (or build) the index, then serve the HTTP API
    Serve {
        #[arg(long, env = "SKILLBRIDGE_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
    /// (Re)build the index
    Index,
    /// Search as you type, as GET /v1/suggest
    Suggest(QueryArgs),
    /// Full search, as GET /v1/search
    Search {
        #[command(flatten)]
        query: QueryArgs,
        #[arg(long, default_value_t = 0)]
        offset: usize,
    },
    /// Tag a text (FILE, or stdin with `-`) with the concepts it names, as POST /v1/tag
    Tag(TagArgs),
    /// Print the mapping set between two vocabularies, as GET /v1/crosswalks/{from}/{to}
    Crosswalk {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// Subject kinds, comma-separated (default: all but groups)
        #[arg(long, value_delimiter = ',')]
        kind: Vec<String>,
        /// json or sssom
        #[arg(long, default_value = "json")]
        format: String,
        /// Keep mappings at least this confident (0–1)
        #[arg(long)]
        min_confidence: Option<String>,
    },
    /// Measure quality on the generated queries and the development benchmarks
    Eval {
        #[command(subcommand)]
        what: EvalCommand,
    },
    /// Which incentives a person can use for a training, with reasons (as POST /v1/eligibility)
    Eligibility(EligibilityArgs),
    /// Occupations a person's skills lead to, what is missing, offers and incentives (as POST /v1/match)
    Match(MatchArgs),
    /// Provider keys for writing training offers
    Keys {
        #[command(subcommand)]
        what: KeysCommand,
    },
}

#[derive(Args)]
struct EligibilityArgs {
    /// JSON file with the person facts of API.md
    #[arg(long)]
    person: PathBuf,
    /// JSON file with the training facts of API.md
    #[arg(long)]
    training: Option<PathBuf>,
    /// The day the rules are judged on, YYYY-MM-DD (default: today)
    #[arg(long)]
    date: Option<chrono::NaiveDate>,
    /// Language of names and explanations: nl or en
    #[arg(long, default_value = "nl")]
    lang: String,
    /// Compare with other statuses (comma-separated; no value: every other status)
    #[arg(long, value_delimiter = ',', num_args = 0..)]
    compare: Option<Vec<String>>,
    /// Print the API's JSON instead of text
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct MatchArgs {
    /// Skills as ids or labels, comma-separated (repeat the flag for labels with commas)
    #[arg(long, value_delimiter = ',')]
    skills: Vec<String>,
    /// A text file (a CV, a description), or `-` for stdin
    #[arg(long)]
    text: Option<String>,
    /// JSON file with the person facts of API.md, for the incentives
    #[arg(long)]
    person: Option<PathBuf>,
    /// Language of labels and text (nl or en); detected when left out
    #[arg(long)]
    lang: Option<String>,
    /// Vocabularies whose occupations/qualifications are ranked, comma-separated (default: all)
    #[arg(long, value_delimiter = ',')]
    vocab: Vec<String>,
    /// The day incentive rules are judged on, YYYY-MM-DD (default: today)
    #[arg(long)]
    date: Option<String>,
    #[arg(long, default_value_t = DEFAULT_LIMIT)]
    limit: usize,
    /// Print the API's JSON instead of text
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key for a provider and print it, once; only its hash is stored
    Add {
        #[arg(long)]
        provider: String,
    },
}

#[derive(Args)]
struct QueryArgs {
    query: String,
    #[arg(long)]
    lang: Option<String>,
    /// Vocabulary ids, comma-separated
    #[arg(long, value_delimiter = ',')]
    vocab: Vec<String>,
    /// Kinds, comma-separated
    #[arg(long, value_delimiter = ',')]
    kind: Vec<String>,
    #[arg(long, default_value_t = DEFAULT_LIMIT)]
    limit: usize,
    /// Print the API's JSON instead of a table
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct TagArgs {
    /// The text file, or `-` for stdin
    #[arg(default_value = "-")]
    input: String,
    /// The text's language (nl or en); detected when left out
    #[arg(long)]
    lang: Option<String>,
    /// Read one JSON object per line ({"id","text"}) and write {"id","lang","items"} per line
    #[arg(long)]
    jsonl: bool,
    /// Vocabulary ids, comma-separated
    #[arg(long, value_delimiter = ',')]
    vocab: Vec<String>,
    /// Kinds, comma-separated
    #[arg(long, value_delimiter = ',')]
    kind: Vec<String>,
    #[arg(long, default_value_t = tag::DEFAULT_LIMIT)]
    limit: usize,
    /// Print the API's JSON instead of a table (one text)
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Search-box queries generated from the labels (typo, prefix, folded, split), beside FTS5
    Search {
        #[arg(long, default_value_t = eval::DEFAULT_PER_TYPE)]
        per_type: usize,
        #[arg(long, default_value_t = eval::DEFAULT_SEED)]
        seed: u64,
        /// Skip the SQLite FTS5 peer
        #[arg(long)]
        no_peer: bool,
    },
    /// Vacancy title → ESCO occupation on the JobBERT validation titles
    JobTitles {
        /// Default: <benchmarks>/job-titles/titles.validation.csv
        #[arg(long)]
        file: Option<PathBuf>,
        /// Write the titles whose occupation is not ranked first to this file (JSON lines)
        #[arg(long)]
        misses: Option<PathBuf>,
        /// Run once per weight of the label cosine (with --description-weights 0, 0 is lexical
        /// only); default `SEMANTIC_WEIGHT`. Needs the model (scripts/fetch-model.sh)
        #[arg(long, value_delimiter = ',')]
        semantic_weights: Vec<f32>,
        /// Run once per weight of the description cosine; default `SEMANTIC_DESCRIPTION_WEIGHT`
        #[arg(long, value_delimiter = ',')]
        description_weights: Vec<f32>,
        /// Run once per lean against broad occupations; default `BROAD_OCCUPATION_PRIOR`
        #[arg(long, value_delimiter = ',')]
        broad_priors: Vec<f32>,
    },
    /// Sentence → ESCO skills on TechWolf's HOUSE and TECH validation sets (RP@5, MRR), and the
    /// Dutch occupation descriptions with and without the NL→EN bridge (precision@10)
    Tag,
    /// ESCO→O*NET occupations (Acc@1/5 on the validation slice), VKS→ESCO coverage, timings,
    /// and what the bridge, the structure and the profiles add
    Crosswalk {
        /// Print this many VKS→ESCO mappings (qualifications and competences) as a markdown table
        #[arg(long, default_value_t = 0)]
        sample: usize,
        /// Only ESCO→O*NET with all parts on (for tuning)
        #[arg(long)]
        quick: bool,
    },
    /// Profiles generated from ESCO's occupation–skill relations, given as ids, alternative
    /// labels and text: top-5 recall beside a naive coverage ranking, and latency
    Match {
        #[arg(long, default_value_t = matching::eval::DEFAULT_PROFILES)]
        profiles: usize,
        /// The README's figures use the default; tune on others
        #[arg(long, default_value_t = matching::eval::DEFAULT_SEED)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tantivy=warn,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let g = cli.global;
    let settings = Settings::resolve(g.data, g.index, g.db, g.extra_vocab);
    match cli.command {
        Command::Similarity { texts } => {
            let dir = skillbridge::embed::Encoder::locate()
                .context("no model; run scripts/fetch-model.sh")?;
            let encoder = skillbridge::embed::Encoder::load(&dir)?;
            let vectors: Vec<Vec<f32>> = texts.iter().map(|t| encoder.embed(t)).collect();
            for (i, a) in vectors.iter().enumerate() {
                for (j, b) in vectors.iter().enumerate().skip(i + 1) {
                    let cosine: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
                    println!("{cosine:.4}\t{}\t{}", texts[i], texts[j]);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Tokenize => {
            let dir = skillbridge::embed::Encoder::locate()
                .context("no model; run scripts/fetch-model.sh")?;
            let wordpiece =
                skillbridge::embed::wordpiece::WordPiece::from_file(&dir.join("vocab.txt"))?;
            let mut out = std::io::stdout().lock();
            for line in std::io::stdin().lines() {
                let ids = wordpiece.encode(&line?);
                let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
                writeln!(out, "{}", ids.join(" "))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { addr } => serve(&settings, addr),
        Command::Index => {
            let manifest = index::build(&settings.index, &settings.sources(), true)?;
            println!(
                "indexed {} concepts, {} labels in {:.1}s into {}",
                manifest.concepts,
                manifest.labels,
                manifest.build_seconds,
                settings.index.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Suggest(q) => query(&settings, q, None),
        Command::Search { query: q, offset } => query(&settings, q, Some(offset)),
        Command::Tag(args) => tag_command(&settings, args),
        Command::Crosswalk {
            from,
            to,
            kind,
            format,
            min_confidence,
        } => {
            let format = sssom::Format::parse(&format)?;
            let min_confidence = crosswalk::parse_min_confidence(min_confidence.as_deref())?;
            let kinds = parse_kinds(&kind)?;
            let engine = Arc::new(open_engine(&settings)?);
            let crosswalks = open_crosswalks(&settings, engine);
            let mut mappings = crosswalks.crosswalk(&from, &to, &kinds)?;
            mappings.retain(|m| m.confidence >= min_confidence);
            let document = sssom::document(crosswalks.model(), &from, &to, &mappings, format);
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}", document.trim_end())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval { what } => run_eval(&settings, what),
        Command::Eligibility(args) => eligibility(&settings, args),
        Command::Match(args) => match_command(&settings, args),
        Command::Keys {
            what: KeysCommand::Add { provider },
        } => {
            let store = open_offers(&settings)?;
            let key = store.add_key(&provider)?;
            eprintln!("key for provider {provider:?} (shown once; only its hash is stored):");
            println!("{key}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn open_engine(settings: &Settings) -> anyhow::Result<Engine> {
    settings
        .open_engine(true)
        .with_context(|| format!("opening the index in {}", settings.index.display()))
}

fn load_incentives(settings: &Settings) -> anyhow::Result<Catalog> {
    let dir = settings.taxonomies().join("incentives");
    Catalog::load(&dir).with_context(|| format!("loading the incentive rules in {}", dir.display()))
}

fn open_offers(settings: &Settings) -> anyhow::Result<OfferStore> {
    OfferStore::open(&settings.db)
        .with_context(|| format!("opening the offers database {}", settings.db.display()))
}

/// The crosswalks over an engine, with the curated mappings of `taxonomies/mappings/`.
fn open_crosswalks(settings: &Settings, engine: Arc<Engine>) -> Crosswalks {
    let started = std::time::Instant::now();
    let mut crosswalks = Crosswalks::new(engine, crosswalk::Options::default());
    for e in crosswalks.load_curated(&settings.taxonomies().join("mappings")) {
        eprintln!("warning: curated mappings skipped: {e}");
    }
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "crosswalks ready"
    );
    crosswalks
}

fn serve(settings: &Settings, addr: SocketAddr) -> anyhow::Result<ExitCode> {
    // Rules and database first: a broken rule file should fail the start before a long index build.
    let incentives = Arc::new(load_incentives(settings)?);
    let offers = Arc::new(open_offers(settings)?);
    let engine = Arc::new(
        settings
            .open_lexical_engine(true)
            .with_context(|| format!("opening the index in {}", settings.index.display()))?,
    );
    // Built now rather than on the first POST /v1/tag.
    engine.tagger();
    let crosswalks = Arc::new(open_crosswalks(settings, engine.clone()));
    spawn_warm_up(settings.clone(), engine.clone(), crosswalks.clone())
        .context("starting the warm-up")?;
    let state = AppState {
        engine,
        offers,
        incentives,
        crosswalks,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        tracing::info!(%addr, "serving");
        axum::serve(listener, api::router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The service answers at once; on a background thread it then loads the sentence-embedding
/// model (full search for occupations compares meanings from then on; the first start per index
/// embeds every occupation label and description, minutes) and warms the search hits' mappings,
/// whose scores use it. `/health` tells both apart: `semantic`, `crosswalks`.
fn spawn_warm_up(
    settings: Settings,
    engine: Arc<Engine>,
    crosswalks: Arc<Crosswalks>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let model_installed = embed::Encoder::locate().is_some();
    if model_installed {
        engine.expect_semantic();
    }
    std::thread::Builder::new()
        .name("warm-up".into())
        .spawn(move || {
            if model_installed {
                engine.install_semantic(settings.open_semantic(&engine, false));
                crosswalks.forget_computed();
            }
            if let Err(e) = crosswalk::hits::warm(&crosswalks, Some(&settings.index)) {
                tracing::error!(error = %e, "hit mappings not warmed; hits show no mappings");
            }
        })
}

fn parse_lang(lang: Option<&str>) -> anyhow::Result<Option<Lang>> {
    lang.map(|l| Lang::parse(l).with_context(|| format!("--lang {l:?} is not an ISO 639-1 code")))
        .transpose()
}

fn parse_kinds(kinds: &[String]) -> anyhow::Result<Vec<Kind>> {
    kinds
        .iter()
        .map(|k| {
            Kind::parse(k).with_context(|| {
                format!(
                    "unknown kind {k:?}; allowed: {}",
                    Kind::ALL.map(Kind::as_str).join(", ")
                )
            })
        })
        .collect()
}

/// One line of `tag --jsonl` input.
#[derive(serde::Deserialize)]
struct TagLine {
    id: serde_json::Value,
    text: String,
}

fn tag_command(settings: &Settings, args: TagArgs) -> anyhow::Result<ExitCode> {
    use rayon::prelude::*;
    let input = if args.input == "-" {
        std::io::read_to_string(std::io::stdin().lock()).context("reading stdin")?
    } else {
        std::fs::read_to_string(&args.input).with_context(|| format!("reading {}", args.input))?
    };
    let engine = open_engine(settings)?;
    let request = |text: String| -> anyhow::Result<TagRequest> {
        let mut request = TagRequest::new(text);
        request.lang = parse_lang(args.lang.as_deref())?;
        request.vocabs = args.vocab.clone();
        request.kinds = parse_kinds(&args.kind)?;
        request.limit = args.limit;
        Ok(request)
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if !args.jsonl {
        let request = request(input)?;
        let tagging = engine.tag(&request)?;
        let response = api::tag::TagResponse::new(&engine, &request.text, &tagging);
        if args.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&response)?)?;
        } else {
            writeln!(out, "lang: {}", response.lang)?;
            for item in &response.items {
                let evidence: Vec<&str> = item.spans.iter().map(|s| s.text.as_str()).collect();
                writeln!(
                    out,
                    "{:.3}  {:<5} {:<13} {}  [{}]\n       {}",
                    item.score,
                    item.concept.vocab,
                    item.concept.kind.as_str(),
                    item.concept.label,
                    evidence.join(" | "),
                    item.concept.id
                )?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let lines: Vec<(usize, &str)> = input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    engine.tagger();
    let bar = indicatif::ProgressBar::new(lines.len() as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{msg:>8} [{bar:40}] {pos}/{len} ({per_sec}, {eta})",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    bar.set_message("tagging");
    let results: Vec<anyhow::Result<serde_json::Value>> = lines
        .par_iter()
        .map(|(number, line)| {
            let parsed: TagLine = serde_json::from_str(line)
                .with_context(|| format!("line {}: expected {{\"id\",\"text\"}}", number + 1))?;
            let request = request(parsed.text)?;
            let tagging = engine
                .tag(&request)
                .with_context(|| format!("line {}", number + 1))?;
            let response = api::tag::TagResponse::new(&engine, &request.text, &tagging);
            bar.inc(1);
            Ok(serde_json::json!({"id": parsed.id, "lang": response.lang, "items": response.items}))
        })
        .collect();
    bar.finish_and_clear();
    let mut failed = 0usize;
    for result in results {
        match result {
            Ok(line) => writeln!(out, "{line}")?,
            Err(e) => {
                failed += 1;
                eprintln!("error: {e:#}");
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn query(settings: &Settings, args: QueryArgs, offset: Option<usize>) -> anyhow::Result<ExitCode> {
    let engine = open_engine(settings)?;
    let lang = parse_lang(args.lang.as_deref())?;
    let kinds = parse_kinds(&args.kind)?;
    let request = SearchRequest {
        text: args.query.clone(),
        lang,
        vocabs: args.vocab.clone(),
        kinds,
        limit: args.limit,
        offset: offset.unwrap_or(0),
    };
    let (hits, total) = match offset {
        None => (engine.suggest(&request)?, None),
        Some(_) => {
            let r = engine.search(&request)?;
            (r.hits, Some(r.total))
        }
    };
    let items: Vec<SuggestItem> = hits
        .iter()
        .map(|h| SuggestItem::new(&engine, h, lang, total.is_some()))
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        let body = match total {
            None => serde_json::json!({ "items": items }),
            Some(t) => serde_json::json!({ "total": t, "items": items }),
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&body)?)?;
    } else {
        if let Some(t) = total {
            writeln!(out, "{t} concepts")?;
        }
        for item in &items {
            writeln!(
                out,
                "{:.3}  {:<5} {:<13} {}  (matched: {})\n       {}",
                item.score,
                item.concept.vocab,
                item.concept.kind.as_str(),
                item.concept.label,
                item.matched,
                item.concept.id
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_json(path: &std::path::Path) -> anyhow::Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn eligibility(settings: &Settings, args: EligibilityArgs) -> anyhow::Result<ExitCode> {
    let catalog = load_incentives(settings)?;
    let person = Person::from_json(&read_json(&args.person)?)
        .with_context(|| args.person.display().to_string())?;
    let training = match &args.training {
        Some(path) => Some(
            Training::from_json(&read_json(path)?).with_context(|| path.display().to_string())?,
        ),
        None => None,
    };
    let lang = match args.lang.as_str() {
        "nl" => incentives::Lang::Nl,
        "en" => incentives::Lang::En,
        other => anyhow::bail!("--lang {other:?}: allowed: nl, en"),
    };
    let date = args
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut out = std::io::stdout().lock();
    match args.compare {
        None => {
            let assessments = catalog.evaluate(&person, training.as_ref(), date, lang);
            if args.json {
                let body = serde_json::json!({ "items": assessments });
                writeln!(out, "{}", serde_json::to_string_pretty(&body)?)?;
            } else {
                write!(
                    out,
                    "{}",
                    incentives::report::assessments_text(&assessments, lang)
                )?;
            }
        }
        Some(names) => {
            let statuses = if names.is_empty() {
                Status::all_but(person.status)
            } else {
                names
                    .iter()
                    .map(|name| {
                        Status::parse(name)
                            .map_err(|message| anyhow::anyhow!("--compare: {message}"))
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?
            };
            let comparison = catalog.compare(&person, &statuses, training.as_ref(), date, lang);
            if args.json {
                writeln!(out, "{}", serde_json::to_string_pretty(&comparison)?)?;
            } else {
                write!(
                    out,
                    "{}",
                    incentives::report::comparison_text(&comparison, lang)
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn match_command(settings: &Settings, args: MatchArgs) -> anyhow::Result<ExitCode> {
    let text = match args.text.as_deref() {
        None => None,
        Some("-") => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
            Some(text)
        }
        Some(path) => {
            Some(std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?)
        }
    };
    let person = args.person.as_deref().map(read_json).transpose()?;
    // The same body as POST /v1/match, read by the same code.
    let body = serde_json::json!({
        "skills": args.skills,
        "text": text,
        "lang": args.lang,
        "vocab": args.vocab,
        "limit": args.limit,
        "person": person,
        "date": args.date,
    });
    let engine = open_engine(settings)?;
    let question = api::matching::question(&engine, &body)
        .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
    let offers = open_offers(settings)?;
    let catalog = load_incentives(settings)?;
    let answer = skillbridge::matching::answer::answer(
        &engine,
        &offers,
        &catalog,
        &question.request,
        question.person.as_ref(),
    )?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let document = api::matching::view(&engine, &answer, None);
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
    } else {
        write!(out, "{}", matching::report::text(&engine, &answer))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Titles timed one by one after the job-title accuracy.
const LATENCY_TITLES: usize = 500;

fn run_eval(settings: &Settings, what: EvalCommand) -> anyhow::Result<ExitCode> {
    if let EvalCommand::Crosswalk { sample, quick } = what {
        // Builds its own index with O*NET imported, in a temporary folder.
        let report = crosswalk::bench::run(&settings.data, &settings.benchmarks(), sample, quick)?;
        print!("{report}");
        return Ok(ExitCode::SUCCESS);
    }
    let engine = open_engine(settings)?;
    match what {
        EvalCommand::Search {
            per_type,
            seed,
            no_peer,
        } => {
            let langs = [Lang::NL, Lang::EN];
            let queries = eval::generate(&engine, &langs, per_type, seed);
            let started = std::time::Instant::now();
            let ours = eval::score_queries(engine.model(), &queries, |q| {
                eval::engine_answer(&engine, q)
            });
            eprintln!(
                "skillbridge: {} queries in {:.2}s",
                queries.len(),
                started.elapsed().as_secs_f64()
            );
            let fts = if no_peer {
                None
            } else {
                Some(eval::Fts5Peer::build(engine.model())?)
            };
            let peer = fts.as_ref().map(|fts| {
                eval::score_queries(engine.model(), &queries, |q| {
                    fts.search(&q.text, 10).unwrap_or_default()
                })
            });
            println!(
                "Generated search-box queries (seed {seed}, {per_type} per type and language):\n"
            );
            print!("{}", eval::render_table(&ours, peer.as_ref()));
            let ours = eval::latency(&queries, |q| {
                eval::engine_answer(&engine, q);
            });
            println!(
                "\nsuggest latency, one thread, {} queries: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                queries.len(),
                ours.p50_ms,
                ours.p95_ms,
                ours.p99_ms,
                ours.max_ms
            );
            if let Some(fts) = &fts {
                let theirs = eval::latency(&queries, |q| {
                    let _ = fts.search(&q.text, 10);
                });
                println!(
                    "FTS5 prefix latency, same queries: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                    theirs.p50_ms, theirs.p95_ms, theirs.p99_ms, theirs.max_ms
                );
            }
        }
        EvalCommand::Crosswalk { .. } => {}
        EvalCommand::JobTitles {
            file,
            misses,
            semantic_weights,
            description_weights,
            broad_priors,
        } => {
            let file = file.unwrap_or_else(|| {
                settings
                    .benchmarks()
                    .join("job-titles/titles.validation.csv")
            });
            let mut engine = engine;
            // Every combination of the weights asked for; each list defaults to the engine's.
            let defaults = search::FullSearchWeights::default();
            let or_default = |asked: Vec<f32>, default: f32| {
                if asked.is_empty() {
                    vec![default]
                } else {
                    asked
                }
            };
            let mut runs = Vec::new();
            for label in or_default(semantic_weights, defaults.semantic_label) {
                for description in
                    or_default(description_weights.clone(), defaults.semantic_description)
                {
                    for broad in or_default(broad_priors.clone(), defaults.broad_occupation_prior) {
                        runs.push(search::FullSearchWeights {
                            semantic_label: label,
                            semantic_description: description,
                            broad_occupation_prior: broad,
                        });
                    }
                }
            }
            for weights in runs {
                engine.set_full_search_weights(weights);
                let started = std::time::Instant::now();
                let s = eval::job_titles(&engine, &file, misses.as_deref())?;
                let semantic = match engine.semantic() {
                    None => "lexical only".to_string(),
                    Some(_) => format!(
                        "label cosine × {}, description cosine × {}",
                        weights.semantic_label, weights.semantic_description
                    ),
                };
                let semantic =
                    format!("{semantic}, broad prior {}", weights.broad_occupation_prior);
                let [even, odd] = s.acc1_halves();
                println!(
                    "Job titles ({}, {} titles, {semantic}, {:.1}s): Acc@1 {:.1}  Acc@5 {:.1}  MRR {:.1}   (Acc@1 even rows {even:.1}, odd rows {odd:.1}; BM25 baseline: Acc@1 19.8, MRR 29.0)",
                    file.display(),
                    s.titles,
                    started.elapsed().as_secs_f64(),
                    s.acc1(),
                    s.acc5(),
                    s.mrr()
                );
            }
            let titles = eval::job_title_queries(&file, LATENCY_TITLES)?;
            if titles.is_empty() {
                return Ok(ExitCode::SUCCESS);
            }
            // The latency of the shipped weights. Twice: first each query new, then again, when
            // the model finds its vector cached.
            engine.set_full_search_weights(defaults);
            for pass in [
                "new queries, embedded on the request path",
                "the same queries again",
            ] {
                let latency = eval::latency(&titles, |request| {
                    let _ = engine.search(request);
                });
                println!(
                    "full search latency, one thread, the first {} titles, {pass}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                    titles.len(),
                    latency.p50_ms,
                    latency.p95_ms,
                    latency.p99_ms,
                    latency.max_ms
                );
            }
        }
        EvalCommand::Tag => eval_tag(settings, &engine)?,
        EvalCommand::Match { profiles, seed } => {
            let started = std::time::Instant::now();
            engine.tagger();
            let report =
                matching::eval::run(&engine, profiles, seed, matching::eval::Recipe::default())?;
            print!("{report}");
            eprintln!("eval match: {:.1}s", started.elapsed().as_secs_f64());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn eval_tag(settings: &Settings, engine: &Engine) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    engine.tagger();
    eprintln!(
        "tagger tables built in {:.2}s ({} Dutch stems bridged to English)",
        started.elapsed().as_secs_f64(),
        engine.tagger().bridge().len()
    );
    println!("Skill extraction (ESCO skills and knowledge; RP@5 and MRR in %):\n");
    println!("| set | sentences | RP@5 | MRR | BM25 RP@5 | target (1.3×) | best published RP@5 |");
    println!("|---|---|---|---|---|---|---|");
    for (name, file, baseline, best) in
        [("HOUSE", "house", 24.7, 55.6), ("TECH", "tech", 37.2, 63.1)]
    {
        let path = settings.benchmarks().join(format!(
            "skill-extraction/{file}_validation_annotations.csv"
        ));
        let sentences = tag::eval::read_annotations(&path)?;
        let started = std::time::Instant::now();
        let s = tag::eval::skill_extraction(engine, &sentences)?;
        eprintln!(
            "{name}: {} sentences in {:.2}s",
            s.sentences,
            started.elapsed().as_secs_f64()
        );
        println!(
            "| {name} | {} | {:.1} | {:.1} | {baseline:.1} | {:.1} | {best:.1} |",
            s.sentences,
            s.rp5,
            s.mrr,
            baseline * 1.3
        );
    }
    println!(
        "\nDutch ESCO occupation descriptions → ESCO skills the occupation relates to (top {}):\n",
        tag::eval::DUTCH_TOP
    );
    println!("| NL→EN bridge | descriptions | with tags | precision@10 | precision of returned |");
    println!("|---|---|---|---|---|");
    for bridge in [false, true] {
        let started = std::time::Instant::now();
        let d = tag::eval::dutch_occupations(engine, bridge)?;
        eprintln!(
            "Dutch check (bridge {bridge}): {:.2}s",
            started.elapsed().as_secs_f64()
        );
        println!(
            "| {} | {} | {} | {:.1} | {:.1} |",
            if bridge { "with" } else { "without" },
            d.descriptions,
            d.with_tags,
            d.precision_at_10,
            d.precision_returned
        );
    }
    let speed = tag::eval::speed(engine, 200)?;
    println!(
        "\nSpeed: a 300-word Dutch course description in {:.2} ms (median; p99 {:.2} ms); bulk {:.0} descriptions/s ({} Dutch occupation descriptions, {} threads)",
        speed.median_ms,
        speed.p99_ms,
        speed.bulk_per_second,
        speed.bulk_texts,
        rayon::current_num_threads()
    );
    Ok(())
}
