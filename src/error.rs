//! The one error type of the core. The HTTP edge maps each variant to a status and a
//! stable snake_case code (see `api::error`).

use std::path::PathBuf;

/// Everything the core can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file is malformed; `line` is 1-based where known.
    #[error("{path}:{line}: {message}")]
    BadInput {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A request parameter is invalid; `code` is the stable error code shown to clients.
    #[error("{message}")]
    InvalidParameter { code: &'static str, message: String },
    /// Something asked for does not exist.
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// A write came without a valid provider key.
    #[error("{0}")]
    Unauthorized(String),
    /// A provider tried to change what belongs to another provider.
    #[error("{0}")]
    Forbidden(String),
    /// The search index failed.
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The offers database failed.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// An invariant of the engine broke; never caused by a client.
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn bad_input(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Error::BadInput {
            path: path.into(),
            line,
            message: message.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidParameter {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Error::NotFound {
            code,
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
