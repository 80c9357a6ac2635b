//! skillbridge: search and matching over competence vocabularies.
pub mod error;
pub mod incentives;

pub use error::{Error, Result};
