//! Where things are: the data directory, the index, the database, the address; resolved once
//! from flags, then environment, then defaults (API.md, "Command line").

use std::path::{Path, PathBuf};

use crate::index::Sources;
use crate::search::Engine;
use crate::vocab::ExtraVocab;

/// Finished settings every command shares.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data: PathBuf,
    pub index: PathBuf,
    pub db: PathBuf,
    pub extra: Vec<ExtraVocab>,
}

impl Settings {
    /// Applies the defaults to what the flags and environment gave.
    pub fn resolve(
        data: Option<PathBuf>,
        index: Option<PathBuf>,
        db: Option<PathBuf>,
        extra: Vec<ExtraVocab>,
    ) -> Settings {
        Settings {
            data: data.unwrap_or_else(default_data_dir),
            index: index.unwrap_or_else(|| PathBuf::from("index")),
            db: db.unwrap_or_else(|| PathBuf::from("skillbridge.db")),
            extra,
        }
    }

    pub fn sources(&self) -> Sources {
        Sources {
            data: self.data.clone(),
            extra: self.extra.clone(),
        }
    }

    /// The search engine over the index, built first when it is missing or stale, with the
    /// sentence-embedding signal when the model is installed.
    pub fn open_engine(&self, progress: bool) -> crate::Result<Engine> {
        let engine = self.open_lexical_engine(progress)?;
        let semantic = self.open_semantic(&engine, progress);
        Ok(engine.with_semantic(semantic))
    }

    /// The search engine without the sentence-embedding signal (`serve` adds it later).
    pub fn open_lexical_engine(&self, progress: bool) -> crate::Result<Engine> {
        let open = crate::index::open_or_build(&self.index, &self.sources(), progress)?;
        Ok(Engine::new(open))
    }

    /// The sentence-embedding signal for `engine`'s index; `None` without a model. The first
    /// time per index and model this embeds every occupation label and description (minutes).
    pub fn open_semantic(&self, engine: &Engine, progress: bool) -> Option<crate::embed::Semantic> {
        crate::embed::Semantic::open(
            crate::embed::Encoder::locate().as_deref(),
            &self.index,
            &engine.manifest().fingerprint,
            engine.model(),
            progress,
        )
    }

    /// The benchmarks folder that sits beside the shared data folder.
    pub fn benchmarks(&self) -> PathBuf {
        self.data
            .parent()
            .map(|p| p.join("benchmarks"))
            .unwrap_or_else(|| PathBuf::from("../shared/benchmarks"))
    }

    /// The project's own files (incentive rules, curated mappings).
    pub fn taxonomies(&self) -> PathBuf {
        project_dir().join("taxonomies")
    }
}

/// `../shared/data` next to the checkout when it exists, else `taxonomies/`.
pub fn default_data_dir() -> PathBuf {
    let beside_cwd = PathBuf::from("../shared/data");
    if beside_cwd.is_dir() {
        return beside_cwd;
    }
    let beside_checkout = project_dir().join("../shared/data");
    if beside_checkout.is_dir() {
        return beside_checkout;
    }
    project_dir().join("taxonomies")
}

/// The checkout this binary was built from, or the working directory when it has moved.
pub(crate) fn project_dir() -> PathBuf {
    let built_in = Path::new(env!("CARGO_MANIFEST_DIR"));
    if built_in.is_dir() {
        built_in.to_path_buf()
    } else {
        PathBuf::from(".")
    }
}
