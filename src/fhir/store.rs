//! Reading and writing the compact compiled files under `schemas/` (gzip-compressed JSON).

use std::io::{Read, Write};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Decodes gzip-compressed JSON (an empty input is an error).
pub fn decode_gz_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    if bytes.is_empty() {
        return Err("empty compiled file (see schemas/README.md to regenerate it)".into());
    }
    let mut raw = Vec::with_capacity(bytes.len() * 8);
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut raw)
        .map_err(|e| format!("cannot decompress: {e}"))?;
    serde_json::from_slice(&raw).map_err(|e| format!("cannot decode: {e}"))
}

/// Encodes a value as gzip-compressed JSON.
pub fn encode_gz_json<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    let raw = serde_json::to_vec(value).map_err(|e| e.to_string())?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&raw).map_err(|e| e.to_string())?;
    enc.finish().map_err(|e| e.to_string())
}
