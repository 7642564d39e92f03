//! Resources that validated clean, remembered so that the same resource met again is not walked
//! again.
//!
//! Why: a provider answers with the same resources over and over (the same Slots in every free
//! slot search, the same Practitioner and Organization in every record). In a full run against
//! the reference provider, 44,700 resources come back and fewer than 3,000 of them differ; walking
//! each against its profiles (base schema, slicing, bindings, invariants) is the largest part of
//! what validation costs.
//!
//! What makes this safe: a walk reads more than the resource. It reads the profile set, the
//! profile the interaction expects, how deep the resource sits, the contained resources around it,
//! and, for reference resolution, which of its strings are `fullUrl`s of the Bundle it came in. A
//! key is the SHA-256 of all of these (every string of the resource with the Bundle entry type it
//! names, if any), so two walks share a key only when every input they read is the same. Only a
//! walk that reported nothing is remembered (with the invariants it could not evaluate, which the
//! run lists), so a finding always comes from a walk of its own.
//!
//! What is remembered: each entry of a Bundle, and a resource answered on its own. Used by the run
//! (`steps::validation`), never by `gpc-assure validate` or the validator's benchmarks, whose
//! figures are the cost of a walk.

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::ProfileSet;

/// The key of one walk: SHA-256 of its inputs (see the module documentation).
pub(crate) type WalkKey = [u8; 32];

/// Past this many keys the memory is emptied and starts again (each key holds 32 bytes and,
/// almost always, an empty list): a bound for runs of any length.
const MAX_REMEMBERED: usize = 200_000;

/// Walks that reported nothing, by key, with the invariants each could not evaluate.
#[derive(Default)]
pub struct CleanResources {
    walks: Mutex<FxHashMap<WalkKey, Arc<[String]>>>,
}

impl std::fmt::Debug for CleanResources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CleanResources({} walks)", self.len())
    }
}

impl CleanResources {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many walks are remembered.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FxHashMap<WalkKey, Arc<[String]>>> {
        self.walks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The invariants a remembered clean walk with this key could not evaluate; `None` if no clean
    /// walk has this key.
    pub(crate) fn get(&self, key: &WalkKey) -> Option<Arc<[String]>> {
        self.lock().get(key).cloned()
    }

    /// Remember a walk that reported nothing.
    pub(crate) fn insert(&self, key: WalkKey, unchecked: impl IntoIterator<Item = String>) {
        let unchecked: Arc<[String]> = unchecked.into_iter().collect();
        let mut walks = self.lock();
        if walks.len() >= MAX_REMEMBERED {
            walks.clear();
        }
        walks.insert(key, unchecked);
    }
}

/// What a walk of `resource` reads besides its profiles: the key of [`CleanResources`].
pub(crate) fn walk_key(
    set: ProfileSet,
    expected: Option<&str>,
    depth: usize,
    contained: &[FxHashMap<String, String>],
    full_urls: &FxHashMap<String, String>,
    resource: &Value,
) -> WalkKey {
    let mut h = KeyHasher(Vec::with_capacity(4096));
    h.text(match set {
        ProfileSet::V1_2 => "1.2",
        ProfileSet::Latest => "latest",
        ProfileSet::Dstu2 => "dstu2",
    });
    match expected {
        Some(p) => {
            h.tag(b'p');
            h.text(p);
        }
        None => h.tag(b'-'),
    }
    h.count(depth);
    h.count(contained.len());
    for level in contained {
        let mut ids: Vec<(&String, &String)> = level.iter().collect();
        ids.sort();
        h.count(ids.len());
        for (id, ty) in ids {
            h.text(id);
            h.text(ty);
        }
    }
    h.value(resource, full_urls);
    Sha256::digest(&h.0).into()
}

/// Writes a value out for SHA-256 so that different values never give the same bytes: every item
/// starts with a tag, every string and list with its length. (Written to a buffer and hashed once:
/// feeding the hasher a byte at a time costs more than the hash.)
struct KeyHasher(Vec<u8>);

impl KeyHasher {
    fn tag(&mut self, t: u8) {
        self.0.push(t);
    }

    fn count(&mut self, n: usize) {
        self.0.extend_from_slice(&(n as u64).to_le_bytes());
    }

    fn text(&mut self, s: &str) {
        self.count(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    fn value(&mut self, v: &Value, full_urls: &FxHashMap<String, String>) {
        match v {
            Value::Null => self.tag(b'n'),
            Value::Bool(b) => self.tag(if *b { b't' } else { b'f' }),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    self.tag(b'u');
                    self.0.extend_from_slice(&u.to_le_bytes());
                } else if let Some(i) = n.as_i64() {
                    self.tag(b'i');
                    self.0.extend_from_slice(&i.to_le_bytes());
                } else {
                    self.tag(b'd');
                    let bits = n.as_f64().unwrap_or(f64::NAN).to_bits();
                    self.0.extend_from_slice(&bits.to_le_bytes());
                }
            }
            Value::String(s) => {
                self.tag(b's');
                self.text(s);
                // reference resolution (the walk's and FHIRPath's `resolve()`) looks strings up
                // among the Bundle's fullUrls: what each string finds there is an input too
                match full_urls.get(s) {
                    Some(ty) => {
                        self.tag(b'=');
                        self.text(ty);
                    }
                    None => self.tag(b'.'),
                }
            }
            Value::Array(items) => {
                self.tag(b'a');
                self.count(items.len());
                for item in items {
                    self.value(item, full_urls);
                }
            }
            Value::Object(map) => {
                self.tag(b'o');
                self.count(map.len());
                for (k, item) in map {
                    self.text(k);
                    self.value(item, full_urls);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key_of(v: &Value, urls: &FxHashMap<String, String>) -> WalkKey {
        walk_key(ProfileSet::Latest, None, 1, &[], urls, v)
    }

    /// A Bundle's fullUrls (or contained ids), each with the type it names.
    fn names(pairs: &[(&str, &str)]) -> FxHashMap<String, String> {
        pairs
            .iter()
            .map(|(k, t)| (k.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn every_input_of_a_walk_changes_the_key() {
        let none = FxHashMap::default();
        let slot =
            json!({"resourceType": "Slot", "id": "1", "schedule": {"reference": "Schedule/1"}});
        let base = key_of(&slot, &none);
        assert_eq!(base, key_of(&slot.clone(), &none), "same inputs, same key");

        let mut other = slot.clone();
        other["id"] = json!("2");
        assert_ne!(base, key_of(&other, &none), "content");
        assert_ne!(
            base,
            key_of(
                &json!({"resourceType": "Slot", "id": 1, "schedule": {"reference": "Schedule/1"}}),
                &none
            ),
            "a number is not the string of its digits"
        );
        let urls = names(&[("Schedule/1", "Schedule")]);
        assert_ne!(
            base,
            key_of(&slot, &urls),
            "what a reference resolves to in the Bundle"
        );
        let urls2 = names(&[("Schedule/1", "Location")]);
        assert_ne!(key_of(&slot, &urls), key_of(&slot, &urls2));
        let unrelated = names(&[("Slot/9", "Slot")]);
        assert_eq!(
            base,
            key_of(&slot, &unrelated),
            "a fullUrl no string of the resource names is not read by its walk"
        );
        assert_ne!(
            base,
            walk_key(ProfileSet::V1_2, None, 1, &[], &none, &slot),
            "set"
        );
        assert_ne!(
            base,
            walk_key(
                ProfileSet::Latest,
                Some("https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Slot-1"),
                1,
                &[],
                &none,
                &slot
            ),
            "expected profile"
        );
        assert_ne!(
            base,
            walk_key(ProfileSet::Latest, None, 2, &[], &none, &slot),
            "depth"
        );
        let ids = names(&[("a", "Patient")]);
        assert_ne!(
            base,
            walk_key(ProfileSet::Latest, None, 1, &[ids], &none, &slot),
            "contained"
        );
        assert_ne!(
            key_of(&json!(["ab", "c"]), &none),
            key_of(&json!(["a", "bc"]), &none),
            "strings are delimited"
        );
    }

    #[test]
    fn only_what_was_inserted_is_found_and_memory_is_bounded() {
        let memo = CleanResources::new();
        let k1 = [1u8; 32];
        assert!(memo.get(&k1).is_none());
        memo.insert(k1, vec!["bdl-9 (x)".to_string()]);
        assert_eq!(
            memo.get(&k1).as_deref(),
            Some(&["bdl-9 (x)".to_string()][..])
        );
        assert!(memo.get(&[2u8; 32]).is_none());
        for i in 0..MAX_REMEMBERED {
            let mut k = [0u8; 32];
            k[..8].copy_from_slice(&(i as u64 + 10).to_le_bytes());
            memo.insert(k, Vec::new());
        }
        assert!(memo.len() <= MAX_REMEMBERED);
        assert!(memo.get(&k1).is_none(), "emptied when full");
    }
}
