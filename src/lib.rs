//! skillbridge: search and matching over competence vocabularies.
pub mod error;

pub use error::{Error, Result};
