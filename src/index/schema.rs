//! Every field of the tantivy index, in one place.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STRING,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::Index;

use crate::{Error, Result};

/// The tokenizer of the text fields: our own analysis ([`crate::text`]) has already folded and
/// split the words, so tantivy only splits on the spaces we put between them.
pub const ANALYSED: &str = "analysed";

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Position of the label in [`super::Catalog::labels`].
    pub label_ref: Field,
    pub vocab: Field,
    pub kind: Field,
    pub lang: Field,
    pub preferred: Field,
    /// Folded words of the label.
    pub words: Field,
    /// Stems of the words, in the label's language.
    pub stems: Field,
    /// Compound parts of the words and adjacent words joined.
    pub parts: Field,
}

impl Fields {
    pub fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYSED)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            label_ref: b.add_u64_field("label_ref", FAST),
            vocab: b.add_text_field("vocab", STRING),
            kind: b.add_text_field("kind", STRING),
            lang: b.add_text_field("lang", STRING),
            preferred: b.add_u64_field("preferred", INDEXED | FAST),
            words: b.add_text_field("words", text.clone()),
            stems: b.add_text_field("stems", text.clone()),
            parts: b.add_text_field("parts", text),
        };
        (b.build(), fields)
    }

    pub fn from_schema(schema: &Schema) -> Result<Fields> {
        let get = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| Error::Internal(format!("index has no field {name}; rebuild it")))
        };
        Ok(Fields {
            label_ref: get("label_ref")?,
            vocab: get("vocab")?,
            kind: get("kind")?,
            lang: get("lang")?,
            preferred: get("preferred")?,
            words: get("words")?,
            stems: get("stems")?,
            parts: get("parts")?,
        })
    }
}

pub fn register_tokenizers(index: &Index) {
    index
        .tokenizers()
        .register(ANALYSED, TextAnalyzer::builder(WhitespaceTokenizer::default()).build());
}
