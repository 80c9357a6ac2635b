//! The offers database: one SQLite file in WAL mode with `synchronous=FULL`, so that a write the
//! API acknowledged is on disk when the process is killed right after. Every write is one
//! transaction: an offer and its tags appear, change and disappear together.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rand::RngCore;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, Transaction};

use super::{Mode, Offer, OfferDraft, Tag, TagSource};
use crate::incentives::Training;
use crate::text::{fold, Lang};
use crate::vocab::Kind;
use crate::{Error, Result};

/// Raised whenever the schema changes; `open` migrates older files step by step.
const SCHEMA_VERSION: i64 = 1;

/// Version 1: provider keys (hash only), offers, and their tags indexed by concept.
const SCHEMA_V1: &str = "
CREATE TABLE provider_keys (
    key_hash   TEXT PRIMARY KEY,
    provider   TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE offers (
    id          TEXT PRIMARY KEY,
    provider    TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    language    TEXT NOT NULL,
    mode        TEXT,
    location    TEXT,
    price_eur   REAL,
    training    TEXT NOT NULL, -- the training facts, as JSON with the API's field names
    search_text TEXT NOT NULL, -- folded title and description, for the text filter
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX offers_provider ON offers(provider);
CREATE TABLE offer_tags (
    offer_id   TEXT NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    concept_id TEXT NOT NULL,
    vocab      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    label      TEXT NOT NULL,
    source     TEXT NOT NULL,
    PRIMARY KEY (offer_id, concept_id)
);
CREATE INDEX offer_tags_concept ON offer_tags(concept_id);
";

/// A provider key carries 256 random bits; unguessable, so a fast hash is enough to store it.
const KEY_BYTES: usize = 32;
/// Makes a leaked key recognisable to secret scanners and people.
const KEY_PREFIX: &str = "sbk_";
/// Offer ids: 96 random bits, unique without coordination and not enumerable.
const OFFER_ID_BYTES: usize = 12;
/// Provider names are shown to users; a short line.
const MAX_PROVIDER_CHARS: usize = 100;
/// Another process (a `keys add` beside the server) may hold the write lock for a moment.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// SQLite's default limit of bound parameters is 32766; the concept filter stays well below it.
pub const MAX_FILTER_CONCEPTS: usize = 10_000;

/// Which offers to list.
#[derive(Debug, Clone, Default)]
pub struct OfferQuery {
    /// Offers tagged with any of these concept ids; `None` means no concept filter.
    pub concepts: Option<Vec<String>>,
    /// Words that title or description must contain (case and accents ignored).
    pub text: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

/// One page of offers, newest first, and how many match in all.
#[derive(Debug, Clone)]
pub struct OfferPage {
    pub total: usize,
    pub offers: Vec<Offer>,
}

/// The offers database. One connection behind a mutex: SQLite writes one transaction at a time
/// anyway, and a lookup takes microseconds, far below what a pool would save.
pub struct OfferStore {
    conn: Mutex<Connection>,
}

impl OfferStore {
    /// Opens (or creates) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<OfferStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Internal(format!(
                "{}: could not switch to WAL (got {mode})",
                path.display()
            )));
        }
        // FULL syncs the WAL on every commit: an acknowledged write survives a crash or kill -9.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(Error::bad_input(
                path,
                0,
                format!("database schema version {version} is newer than this build knows ({SCHEMA_VERSION})"),
            ));
        }
        if version < 1 {
            let tx = conn.unchecked_transaction()?;
            tx.execute_batch(SCHEMA_V1)?;
            tx.pragma_update(None, "user_version", 1)?;
            tx.commit()?;
        }
        Ok(OfferStore {
            conn: Mutex::new(conn),
        })
    }

    /// A panic while the lock was held unwound through a `Transaction`, which rolled back; the
    /// connection itself is intact, so poisoning carries no information here.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates a key for `provider` and returns it; only its hash is stored, so this is the one
    /// time anybody sees it.
    pub fn add_key(&self, provider: &str) -> Result<String> {
        let provider = provider.trim();
        if provider.is_empty()
            || provider.chars().count() > MAX_PROVIDER_CHARS
            || provider.chars().any(char::is_control)
        {
            return Err(Error::invalid(
                "invalid_provider",
                format!("a provider name is 1 to {MAX_PROVIDER_CHARS} characters without control characters"),
            ));
        }
        let key = format!("{KEY_PREFIX}{}", random_hex(KEY_BYTES));
        self.conn().execute(
            "INSERT INTO provider_keys (key_hash, provider, created_at) VALUES (?1, ?2, ?3)",
            params![key_hash(&key), provider, now()],
        )?;
        Ok(key)
    }

    /// The provider a key belongs to, if it is one of ours.
    pub fn provider_of_key(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT provider FROM provider_keys WHERE key_hash = ?1",
                [key_hash(key)],
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn create(&self, provider: &str, draft: &OfferDraft, tags: &[Tag]) -> Result<Offer> {
        let id = random_hex(OFFER_ID_BYTES);
        let now = now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO offers (id, provider, title, description, language, mode, location, price_eur,
                                 training, search_text, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            params![
                id,
                provider,
                draft.title,
                draft.description,
                draft.language.as_str(),
                draft.mode.map(Mode::as_str),
                draft.location,
                draft.price_eur,
                training_json(&draft.training)?,
                search_text(draft),
                now,
            ],
        )?;
        write_tags(&tx, &id, tags)?;
        let offer =
            read_offer(&tx, &id)?.ok_or_else(|| Error::Internal(format!("offer {id} vanished")))?;
        tx.commit()?;
        Ok(offer)
    }

    pub fn get(&self, id: &str) -> Result<Offer> {
        read_offer(&self.conn(), id)?.ok_or_else(|| unknown_offer(id))
    }

    /// Replaces an offer's content and tags; only its provider may.
    pub fn update(
        &self,
        provider: &str,
        id: &str,
        draft: &OfferDraft,
        tags: &[Tag],
    ) -> Result<Offer> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        check_owner(&tx, provider, id)?;
        tx.execute(
            "UPDATE offers SET title = ?2, description = ?3, language = ?4, mode = ?5, location = ?6,
                               price_eur = ?7, training = ?8, search_text = ?9, updated_at = ?10
             WHERE id = ?1",
            params![
                id,
                draft.title,
                draft.description,
                draft.language.as_str(),
                draft.mode.map(Mode::as_str),
                draft.location,
                draft.price_eur,
                training_json(&draft.training)?,
                search_text(draft),
                now(),
            ],
        )?;
        tx.execute("DELETE FROM offer_tags WHERE offer_id = ?1", [id])?;
        write_tags(&tx, id, tags)?;
        let offer = read_offer(&tx, id)?.ok_or_else(|| unknown_offer(id))?;
        tx.commit()?;
        Ok(offer)
    }

    /// Deletes an offer and its tags; only its provider may.
    pub fn delete(&self, provider: &str, id: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        check_owner(&tx, provider, id)?;
        tx.execute("DELETE FROM offers WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }

    /// The offers that match `query`, newest first.
    pub fn list(&self, query: &OfferQuery) -> Result<OfferPage> {
        let mut conditions: Vec<String> = Vec::new();
        let mut values: Vec<SqlValue> = Vec::new();
        if let Some(concepts) = &query.concepts {
            if concepts.is_empty() {
                return Ok(OfferPage {
                    total: 0,
                    offers: Vec::new(),
                });
            }
            if concepts.len() > MAX_FILTER_CONCEPTS {
                return Err(Error::invalid(
                    "concept_too_broad",
                    format!("the concept has more than {MAX_FILTER_CONCEPTS} narrower concepts; pick a narrower one"),
                ));
            }
            let placeholders = vec!["?"; concepts.len()].join(", ");
            conditions.push(format!(
                "id IN (SELECT offer_id FROM offer_tags WHERE concept_id IN ({placeholders}))"
            ));
            values.extend(concepts.iter().cloned().map(SqlValue::Text));
        }
        if let Some(text) = query
            .text
            .as_deref()
            .map(fold)
            .filter(|t| !t.trim().is_empty())
        {
            // One condition per word, so that word order and other words in between do not matter.
            for word in text.split_whitespace() {
                conditions.push("instr(search_text, ?) > 0".into());
                values.push(SqlValue::Text(word.to_string()));
            }
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let conn = self.conn();
        let total: i64 = conn.query_row(
            &format!("SELECT count(*) FROM offers {filter}"),
            params_from_iter(values.iter()),
            |row| row.get(0),
        )?;
        let mut page_values = values;
        page_values.push(SqlValue::Integer(
            i64::try_from(query.limit).unwrap_or(i64::MAX),
        ));
        page_values.push(SqlValue::Integer(
            i64::try_from(query.offset).unwrap_or(i64::MAX),
        ));
        let ids: Vec<String> = conn
            .prepare(&format!(
                "SELECT id FROM offers {filter} ORDER BY rowid DESC LIMIT ? OFFSET ?"
            ))?
            .query_map(params_from_iter(page_values.iter()), |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let offers = ids
            .iter()
            .map(|id| read_offer(&conn, id)?.ok_or_else(|| unknown_offer(id)))
            .collect::<Result<Vec<_>>>()?;
        Ok(OfferPage {
            total: usize::try_from(total).unwrap_or_default(),
            offers,
        })
    }
}

fn unknown_offer(id: &str) -> Error {
    Error::not_found("unknown_offer", format!("no offer with id {id:?}"))
}

fn check_owner(tx: &Transaction<'_>, provider: &str, id: &str) -> Result<()> {
    let owner: Option<String> = tx
        .query_row("SELECT provider FROM offers WHERE id = ?1", [id], |row| {
            row.get(0)
        })
        .optional()?;
    match owner {
        None => Err(unknown_offer(id)),
        Some(owner) if owner != provider => Err(Error::Forbidden(format!(
            "offer {id:?} belongs to another provider; a provider changes only its own offers"
        ))),
        Some(_) => Ok(()),
    }
}

fn write_tags(tx: &Transaction<'_>, offer_id: &str, tags: &[Tag]) -> Result<()> {
    let mut insert = tx.prepare(
        "INSERT INTO offer_tags (offer_id, position, concept_id, vocab, kind, label, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (position, tag) in tags.iter().enumerate() {
        insert.execute(params![
            offer_id,
            position as i64,
            tag.id,
            tag.vocab,
            tag.kind.as_str(),
            tag.label,
            tag.source.as_str(),
        ])?;
    }
    Ok(())
}

/// Reads one offer with its tags; `conn` may be a transaction, which derefs to a connection.
fn read_offer(conn: &Connection, id: &str) -> Result<Option<Offer>> {
    let row = conn
        .query_row(
            "SELECT id, provider, title, description, language, mode, location, price_eur, training,
                    created_at, updated_at
             FROM offers WHERE id = ?1",
            [id],
            |row| Ok(OfferRow::read(row)),
        )
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let row = row?;
    let mut statement = conn.prepare(
        "SELECT concept_id, vocab, kind, label, source FROM offer_tags WHERE offer_id = ?1 ORDER BY position",
    )?;
    let tags = statement
        .query_map([id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
            ))
        })?
        .map(|tag| {
            let (id, vocab, kind, label, source) = tag?;
            Ok(Tag {
                kind: Kind::parse(&kind).ok_or_else(|| corrupt(&id, "kind", &kind))?,
                source: TagSource::parse(&source).ok_or_else(|| corrupt(&id, "source", &source))?,
                id,
                vocab,
                label,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(Offer {
        id: row.id,
        provider: row.provider,
        draft: row.draft,
        tags,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }))
}

struct OfferRow {
    id: String,
    provider: String,
    draft: OfferDraft,
    created_at: String,
    updated_at: String,
}

impl OfferRow {
    /// Column values the store wrote itself; one that does not parse means the file was edited.
    fn read(row: &Row<'_>) -> Result<OfferRow> {
        let id: String = row.get(0)?;
        let language: String = row.get(4)?;
        let mode: Option<String> = row.get(5)?;
        let training: String = row.get(8)?;
        Ok(OfferRow {
            draft: OfferDraft {
                title: row.get(2)?,
                description: row.get(3)?,
                language: Lang::parse(&language)
                    .ok_or_else(|| corrupt(&id, "language", &language))?,
                mode: match mode {
                    None => None,
                    Some(mode) => {
                        Some(Mode::parse(&mode).ok_or_else(|| corrupt(&id, "mode", &mode))?)
                    }
                },
                location: row.get(6)?,
                price_eur: row.get(7)?,
                training: serde_json::from_str::<Training>(&training)
                    .map_err(|e| corrupt(&id, "training", &e.to_string()))?,
            },
            provider: row.get(1)?,
            created_at: row.get(9)?,
            updated_at: row.get(10)?,
            id,
        })
    }
}

fn corrupt(id: &str, column: &str, value: &str) -> Error {
    Error::Internal(format!(
        "offer {id}: unreadable {column} {value:?} in the database"
    ))
}

fn training_json(training: &Training) -> Result<String> {
    serde_json::to_string(training).map_err(|e| Error::Internal(format!("training facts: {e}")))
}

fn search_text(draft: &OfferDraft) -> String {
    fold(&format!("{}\n{}", draft.title, draft.description))
}

fn key_hash(key: &str) -> String {
    blake3::hash(key.as_bytes()).to_hex().to_string()
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
