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
use skillbridge::eval;
use skillbridge::index;
use skillbridge::search::{Engine, SearchRequest, DEFAULT_LIMIT};
use skillbridge::text::Lang;
use skillbridge::vocab::{ExtraVocab, Kind};

#[derive(Parser)]
#[command(name = "skillbridge", version, about = "Search and matching over competence vocabularies")]
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
    },
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
    }
}

fn open_engine(settings: &Settings) -> anyhow::Result<Engine> {
    let open = index::open_or_build(&settings.index, &settings.sources(), true)
        .with_context(|| format!("opening the index in {}", settings.index.display()))?;
    Ok(Engine::new(open))
}

/// The crosswalks over an engine, with the curated mappings of `taxonomies/mappings/`.
fn open_crosswalks(settings: &Settings, engine: Arc<Engine>) -> Crosswalks {
    let started = std::time::Instant::now();
    let mut crosswalks = Crosswalks::new(engine, crosswalk::Options::default());
    for e in crosswalks.load_curated(&settings.taxonomies().join("mappings")) {
        eprintln!("warning: curated mappings skipped: {e}");
    }
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "crosswalks ready");
    crosswalks
}

fn parse_kinds(kinds: &[String]) -> anyhow::Result<Vec<Kind>> {
    kinds
        .iter()
        .map(|k| Kind::parse(k).with_context(|| format!("unknown kind {k:?}; allowed: {}", Kind::ALL.map(Kind::as_str).join(", "))))
        .collect()
}

fn serve(settings: &Settings, addr: SocketAddr) -> anyhow::Result<ExitCode> {
    let engine = Arc::new(open_engine(settings)?);
    let crosswalks = Arc::new(open_crosswalks(settings, engine.clone()));
    let state = AppState { engine, crosswalks };
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

fn query(settings: &Settings, args: QueryArgs, offset: Option<usize>) -> anyhow::Result<ExitCode> {
    let engine = open_engine(settings)?;
    let lang = match &args.lang {
        Some(l) => Some(Lang::parse(l).with_context(|| format!("--lang {l:?} is not an ISO 639-1 code"))?),
        None => None,
    };
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
                item.score, item.concept.vocab, item.concept.kind.as_str(), item.concept.label, item.matched, item.concept.id
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_eval(settings: &Settings, what: EvalCommand) -> anyhow::Result<ExitCode> {
    if let EvalCommand::Crosswalk { sample, quick } = what {
        // Builds its own index with O*NET imported, in a temporary folder.
        let report = crosswalk::bench::run(&settings.data, &settings.benchmarks(), sample, quick)?;
        print!("{report}");
        return Ok(ExitCode::SUCCESS);
    }
    let engine = open_engine(settings)?;
    match what {
        EvalCommand::Search { per_type, seed, no_peer } => {
            let langs = [Lang::NL, Lang::EN];
            let queries = eval::generate(&engine, &langs, per_type, seed);
            let started = std::time::Instant::now();
            let ours = eval::score_queries(engine.model(), &queries, |q| eval::engine_answer(&engine, q));
            eprintln!("skillbridge: {} queries in {:.2}s", queries.len(), started.elapsed().as_secs_f64());
            let peer = if no_peer {
                None
            } else {
                let fts = eval::Fts5Peer::build(engine.model())?;
                let started = std::time::Instant::now();
                let table = eval::score_queries(engine.model(), &queries, |q| fts.search(&q.text, 10).unwrap_or_default());
                eprintln!("FTS5: {} queries in {:.2}s", queries.len(), started.elapsed().as_secs_f64());
                Some(table)
            };
            println!("Generated search-box queries (seed {seed}, {per_type} per type and language):\n");
            print!("{}", eval::render_table(&ours, peer.as_ref()));
        }
        EvalCommand::Crosswalk { .. } => {}
        EvalCommand::JobTitles { file, misses } => {
            let file = file.unwrap_or_else(|| settings.benchmarks().join("job-titles/titles.validation.csv"));
            let started = std::time::Instant::now();
            let s = eval::job_titles(&engine, &file, misses.as_deref())?;
            println!(
                "Job titles ({}, {} titles, {:.1}s): Acc@1 {:.1}  Acc@5 {:.1}  MRR {:.1}   (BM25 baseline: Acc@1 19.8, MRR 29.0)",
                file.display(),
                s.titles,
                started.elapsed().as_secs_f64(),
                s.acc1(),
                s.acc5(),
                s.mrr()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
