//! Languages as ISO 639-1 codes. The set is open: whatever languages the vocabulary files carry
//! get indexed; stemming and stop words exist for the languages listed in [`Lang::stemmer_algorithm`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// An ISO 639-1 language code such as `nl` or `en`: two lower-case ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Lang([u8; 2]);

impl Lang {
    pub const NL: Lang = Lang(*b"nl");
    pub const EN: Lang = Lang(*b"en");

    /// Languages with a stemmer, so that the analyzer can prepare them up front.
    pub const ALL: &'static [Lang] = &[
        Lang(*b"nl"),
        Lang(*b"en"),
        Lang(*b"fr"),
        Lang(*b"de"),
        Lang(*b"es"),
        Lang(*b"it"),
        Lang(*b"pt"),
        Lang(*b"sv"),
        Lang(*b"da"),
        Lang(*b"fi"),
        Lang(*b"hu"),
        Lang(*b"ro"),
        Lang(*b"no"),
        Lang(*b"el"),
    ];

    /// Parses a two-letter code; upper case is accepted and folded.
    pub fn parse(code: &str) -> Option<Lang> {
        let bytes = code.as_bytes();
        if bytes.len() == 2 && bytes.iter().all(u8::is_ascii_alphabetic) {
            Some(Lang([bytes[0].to_ascii_lowercase(), bytes[1].to_ascii_lowercase()]))
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a Lang holds two ASCII letters")
    }

    pub(crate) fn stemmer_algorithm(&self) -> Option<rust_stemmers::Algorithm> {
        use rust_stemmers::Algorithm::*;
        Some(match &self.0 {
            b"nl" => Dutch,
            b"en" => English,
            b"fr" => French,
            b"de" => German,
            b"es" => Spanish,
            b"it" => Italian,
            b"pt" => Portuguese,
            b"sv" => Swedish,
            b"da" => Danish,
            b"fi" => Finnish,
            b"hu" => Hungarian,
            b"ro" => Romanian,
            b"no" => Norwegian,
            b"el" => Greek,
            _ => return None,
        })
    }

    /// Folded words that qualify a job or a course without naming it (seniority, contract,
    /// gender markers of vacancies), sorted. They count like stop words.
    pub(crate) fn fillers(&self) -> &'static [&'static str] {
        match &self.0 {
            b"nl" => NL_FILLERS,
            b"en" => EN_FILLERS,
            _ => &[],
        }
    }

    /// Folded stop words, sorted for binary search. Only the two languages of the account have them.
    pub(crate) fn stopwords(&self) -> &'static [&'static str] {
        match &self.0 {
            b"nl" => NL_STOPWORDS,
            b"en" => EN_STOPWORDS,
            _ => &[],
        }
    }
}

// Function words that never identify a concept on their own (Snowball's lists, shortened to the
// words that occur in ESCO and VKS labels). Sorted.
const NL_STOPWORDS: &[&str] = &[
    "aan", "al", "als", "bij", "dan", "dat", "de", "der", "des", "die", "dit", "door", "een", "en",
    "er", "het", "hun", "in", "is", "met", "na", "naar", "niet", "of", "om", "ook", "op", "over",
    "te", "tot", "uit", "van", "volgens", "voor", "zijn", "zoals",
];
const EN_STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "of",
    "on", "or", "such", "that", "the", "their", "to", "with",
];

// Vacancy-title qualifiers, from general knowledge of job ads (not from any benchmark). Sorted.
const NL_FILLERS: &[&str] = &[
    "deeltijds", "ervaren", "freelance", "fulltime", "interim", "junior", "jobstudent", "m", "medior",
    "parttime", "senior", "stage", "stagiair", "stagiaire", "tijdelijk", "v", "vacature", "voltijds", "x",
];
const EN_FILLERS: &[&str] = &[
    "contract", "entry", "experienced", "f", "female", "fresh", "freelance", "full", "fulltime",
    "graduate", "hybrid", "i", "ii", "iii", "intern", "internship", "junior", "level", "m", "male",
    "only", "part", "parttime", "permanent", "remote", "senior", "temporary", "time", "trainee",
    "urgent", "vacancy",
];

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Lang {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Lang::parse(&value).ok_or_else(|| format!("not an ISO 639-1 language code: {value:?}"))
    }
}

impl From<Lang> for String {
    fn from(lang: Lang) -> String {
        lang.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopword_lists_are_sorted_for_binary_search() {
        for list in [NL_STOPWORDS, EN_STOPWORDS, NL_FILLERS, EN_FILLERS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    #[test]
    fn parses_two_letter_codes_only() {
        assert_eq!(Lang::parse("NL"), Some(Lang::NL));
        assert_eq!(Lang::parse("nld"), None);
        assert_eq!(Lang::parse("n1"), None);
    }
}
