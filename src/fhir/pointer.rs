//! JSON Pointers (RFC 6901) read without allocating.
//!
//! `serde_json::Value::pointer` builds two new strings for every token it reads (it unescapes `~1`
//! and `~0` whether or not the token has them); the checks read pointers such as
//! `/meta/versionId` thousands of times a run. [`Pointer::at`] gives the same answer and copies a
//! token only when it has a `~` to unescape.

use std::borrow::Cow;

use serde_json::Value;

/// What a JSON Pointer names in a value.
pub trait Pointer {
    /// The value `pointer` names: exactly what `serde_json::Value::pointer` gives.
    fn at(&self, pointer: &str) -> Option<&Value>;
}

impl Pointer for Value {
    fn at(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |target, token| {
            let token = unescape(token);
            match target {
                Value::Object(map) => map.get(token.as_ref()),
                Value::Array(items) => index(&token).and_then(|i| items.get(i)),
                _ => None,
            }
        })
    }
}

/// A token with `~1` read as `/` and then `~0` as `~`.
fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// An array index as RFC 6901 writes one: digits without a sign or a leading zero.
fn index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_pointer_names_what_serde_json_names() {
        let doc = json!({
            "meta": {"versionId": "3", "profile": ["a", "b"]},
            "a/b": 1, "m~n": 2, "~1": 3, "": {"": 4}, "0": "zero",
            "list": [10, 11, {"x": [12]}],
            "n": null, "s": "text",
        });
        let pointers = [
            "",
            "/",
            "//",
            "/meta",
            "/meta/versionId",
            "/meta/profile/1",
            "/meta/profile/2",
            "/meta/profile/01",
            "/meta/profile/+1",
            "/meta/profile/-1",
            "/meta/profile/",
            "/a~1b",
            "/m~0n",
            "/~01",
            "/~1",
            "/a/b",
            "/0",
            "/list/0",
            "/list/00",
            "/list/2/x/0",
            "/list/2/x/0/y",
            "/list/x",
            "/n",
            "/n/x",
            "/s/0",
            "meta",
            "/missing",
            "/meta/versionId/",
            "/list/18446744073709551616",
        ];
        for p in pointers {
            assert_eq!(doc.at(p), doc.pointer(p), "{p:?}");
        }
        // and something is found, so the comparison is not of nothing with nothing
        assert_eq!(doc.at("/a~1b"), Some(&json!(1)));
        assert_eq!(doc.at("/list/2/x/0"), Some(&json!(12)));
    }
}
