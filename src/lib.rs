//! skillbridge: search and matching over competence vocabularies.
pub mod api;
pub mod config;
pub mod crosswalk;
pub mod embed;
pub mod error;
pub mod eval;
pub mod incentives;
pub mod index;
pub mod json;
pub mod matching;
pub mod offers;
pub mod search;
pub mod tag;
pub mod text;
pub mod vocab;

pub use error::{Error, Result};
