//! An error's message with its causes.
//!
//! Many errors say only what failed and keep why in their sources: reqwest's "error sending
//! request", tera's "Failed to render 'features.html'". What a user is shown names the cause too
//! (the connection reset, the disk full).

/// `e`'s message followed by each of its sources', `: `-separated; a source whose text the message
/// already holds is not repeated.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|l| l as _)
        }
    }

    #[test]
    fn every_cause_is_named_once() {
        let e = Layer(
            "Failed to render 'features.html'",
            Some(Box::new(Layer(
                "Io error: No space left on device",
                Some(Box::new(Layer("No space left on device", None))),
            ))),
        );
        assert_eq!(
            chain(&e),
            "Failed to render 'features.html': Io error: No space left on device"
        );
        assert_eq!(chain(&Layer("alone", None)), "alone");
    }
}
