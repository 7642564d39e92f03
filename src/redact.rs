//! Credentials kept out of what a run records and sends.
//!
//! A service root may carry credentials for a gateway in front of the provider
//! (`https://user:secret@provider.example/...`). The client uses them to connect, but a copy in the
//! reports would hand them to every reader of the evidence, and a copy in the JWT `aud` claim would
//! send them to the provider inside the token. [`userinfo`] hides them in what is recorded;
//! [`without_userinfo`] removes them from what is sent as a claim.

use std::borrow::Cow;

/// Where the userinfo of `url` is: the byte range before the `@` of its authority, if it has one.
fn userinfo_range(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://")? + 3;
    let authority_len = url[start..]
        .find(['/', '?', '#'])
        .unwrap_or(url.len() - start);
    let at = url[start..start + authority_len].rfind('@')?;
    Some((start, start + at))
}

/// `url` with its userinfo replaced by `***` (`***:***` when it held a password): what may be shown
/// or recorded. URLs without userinfo are returned as they are.
pub fn userinfo(url: &str) -> Cow<'_, str> {
    match userinfo_range(url) {
        None => Cow::Borrowed(url),
        Some((start, end)) => {
            let mask = if url[start..end].contains(':') {
                "***:***"
            } else {
                "***"
            };
            Cow::Owned(format!("{}{mask}{}", &url[..start], &url[end..]))
        }
    }
}

/// `url` with its userinfo and the `@` removed: the address itself, for a JWT audience.
pub fn without_userinfo(url: &str) -> Cow<'_, str> {
    match userinfo_range(url) {
        None => Cow::Borrowed(url),
        Some((start, end)) => Cow::Owned(format!("{}{}", &url[..start], &url[end + 1..])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_and_password_are_masked() {
        assert_eq!(
            userinfo("https://alice:s3cret@p.example/B82617/STU3/1/gpconnect/Patient/1"),
            "https://***:***@p.example/B82617/STU3/1/gpconnect/Patient/1"
        );
        assert_eq!(
            userinfo("https://token@p.example:8443/fhir?x=1"),
            "https://***@p.example:8443/fhir?x=1"
        );
    }

    #[test]
    fn an_at_sign_after_the_authority_is_not_userinfo() {
        let url = "https://p.example/fhir/Patient?identifier=a@b#c@d";
        assert_eq!(userinfo(url), url);
        assert_eq!(without_userinfo(url), url);
        assert_eq!(
            userinfo("https://u:p@p.example/a@b"),
            "https://***:***@p.example/a@b"
        );
    }

    #[test]
    fn a_password_containing_at_signs_is_masked_whole() {
        assert_eq!(userinfo("http://u:p@ss@h/x"), "http://***:***@h/x");
        assert_eq!(without_userinfo("http://u:p@ss@h/x"), "http://h/x");
    }

    #[test]
    fn audiences_lose_the_userinfo() {
        assert_eq!(
            without_userinfo("https://alice:s3cret@p.example/gpconnect"),
            "https://p.example/gpconnect"
        );
        assert_eq!(
            without_userinfo("https://p.example/gpconnect"),
            "https://p.example/gpconnect"
        );
        assert_eq!(without_userinfo("not a url"), "not a url");
    }
}
