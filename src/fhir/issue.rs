//! Validation issues.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Severity of an [`Issue`] (serialised lowercase).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
        })
    }
}

/// One finding of the validator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub severity: Severity,
    /// FHIRPath-style location, e.g. `Bundle.entry[3].resource.ofType(Patient).identifier[0].system`.
    pub location: String,
    /// Canonical URL of the profile (or base definition) the rule comes from.
    pub profile: Option<String>,
    /// Element id in that profile (`Patient.identifier:nhsNumber.system`).
    pub element: Option<String>,
    pub message: String,
    /// Set on the issue that closes a run of one kind cut short by [`cap_per_kind`]: how many
    /// issues it stands for (they are not listed). Counts of issues add this instead of one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omitted: Option<usize>,
}

impl Issue {
    pub fn new(
        severity: Severity,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Issue {
            severity,
            location: location.into(),
            profile: None,
            element: None,
            message: message.into(),
            omitted: None,
        }
    }
    pub fn error(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, location, message)
    }
    /// How many issues this one counts for: one, or those a summary stands for.
    pub fn count(&self) -> usize {
        self.omitted.unwrap_or(1)
    }

    pub fn from_rule(mut self, profile: &str, element: &str) -> Self {
        self.profile = Some(profile.to_string());
        self.element = Some(element.to_string());
        self
    }
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.severity, self.location, self.message)?;
        if let Some(p) = &self.profile {
            write!(f, " [{}", p)?;
            if let Some(e) = &self.element {
                write!(f, " {e}")?;
            }
            write!(f, "]")?;
        }
        Ok(())
    }
}

/// Issues of one kind listed per resource; the rest are counted in one closing issue.
///
/// A body with thousands of unknown elements (or of any one mistake repeated) would otherwise
/// bury everything else in the report and cost time and memory in every writer.
pub const MAX_ISSUES_OF_A_KIND: usize = 10;

/// Keeps the first [`MAX_ISSUES_OF_A_KIND`] issues of each kind in each resource and replaces the
/// rest with one issue saying how many were left out, placed after the last one kept (so a
/// report still shows every kind of problem, and whether the resource has errors).
///
/// Two issues are of one kind when they are in the same resource (their locations share the
/// resource part, up to the last `.ofType(..)`), have the same severity, come from the same
/// profile element, and their messages differ only inside quotes (the element name, the code).
pub fn cap_per_kind(issues: &mut Vec<Issue>) {
    if issues.len() <= MAX_ISSUES_OF_A_KIND {
        return;
    }
    // (index of the last issue kept, how many left out) per kind
    let mut kinds: HashMap<Kind, (usize, usize)> = HashMap::new();
    let mut keep = vec![true; issues.len()];
    let mut counts: HashMap<Kind, usize> = HashMap::new();
    for (i, issue) in issues.iter().enumerate() {
        let kind = Kind::of(issue);
        let seen = counts.entry(kind.clone()).or_insert(0);
        *seen += 1;
        if *seen <= MAX_ISSUES_OF_A_KIND {
            kinds.insert(kind, (i, 0));
        } else {
            keep[i] = false;
            if let Some(k) = kinds.get_mut(&kind) {
                k.1 += 1;
            }
        }
    }
    let mut summaries: HashMap<usize, Issue> = kinds
        .into_iter()
        .filter(|(_, (_, left_out))| *left_out > 0)
        .map(|(kind, (last, left_out))| {
            let first = &issues[last];
            let summary = Issue {
                severity: first.severity,
                location: kind.resource.clone(),
                profile: first.profile.clone(),
                element: first.element.clone(),
                message: format!(
                    "... and {} more issues like \"{}\" in this resource, not listed (the first {MAX_ISSUES_OF_A_KIND} are)",
                    thousands(left_out),
                    short_template(&kind.template)
                ),
                omitted: Some(left_out),
            };
            (last, summary)
        })
        .collect();
    let all = std::mem::take(issues);
    issues.reserve(keep.iter().filter(|k| **k).count() + summaries.len());
    for (i, issue) in all.into_iter().enumerate() {
        if keep[i] {
            issues.push(issue);
        }
        if let Some(s) = summaries.remove(&i) {
            issues.push(s);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Kind {
    resource: String,
    severity: Severity,
    profile: Option<String>,
    element: Option<String>,
    template: String,
}

impl Kind {
    fn of(i: &Issue) -> Kind {
        Kind {
            resource: resource_part(&i.location).to_string(),
            severity: i.severity,
            profile: i.profile.clone(),
            element: i.element.clone(),
            template: template(&i.message),
        }
    }
}

/// `Bundle.entry[2].resource.ofType(Patient).name[0]` -> `Bundle.entry[2].resource.ofType(Patient)`;
/// `Patient.name[0]` -> `Patient`.
fn resource_part(location: &str) -> &str {
    if let Some(at) = location.rfind(".ofType(") {
        if let Some(close) = location[at..].find(')') {
            return &location[..at + close + 1];
        }
    }
    location.split(['.', '[']).next().unwrap_or(location)
}

/// The message with quoted parts blanked: `Unknown element 'x': ...` -> `Unknown element '…': ...`.
fn template(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '\'' {
            if !quoted {
                out.push_str("'…");
            }
            quoted = !quoted;
            if !quoted {
                out.push('\'');
            }
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

fn short_template(t: &str) -> String {
    const SHOWN: usize = 60;
    if t.chars().count() > SHOWN {
        format!("{}…", t.chars().take(SHOWN).collect::<String>().trim_end())
    } else {
        t.to_string()
    }
}

/// 99990 -> `99,990`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(loc: &str, name: &str) -> Issue {
        Issue::error(
            format!("{loc}.{name}"),
            format!("Unknown element '{name}': Patient has no such element"),
        )
        .from_rule("http://hl7.org/fhir/StructureDefinition/Patient", "Patient")
    }

    #[test]
    fn many_of_one_kind_are_counted_after_the_first_ones() {
        let mut issues: Vec<Issue> = (0..25)
            .map(|i| unknown("Patient", &format!("e{i}")))
            .collect();
        issues.push(Issue::error(
            "Patient.gender",
            "Code 'boy' is not in value set",
        ));
        cap_per_kind(&mut issues);
        assert_eq!(issues.len(), MAX_ISSUES_OF_A_KIND + 2, "{issues:#?}");
        assert_eq!(issues[MAX_ISSUES_OF_A_KIND - 1].location, "Patient.e9");
        let summary = &issues[MAX_ISSUES_OF_A_KIND];
        assert_eq!(summary.location, "Patient");
        assert_eq!(summary.severity, Severity::Error);
        assert_eq!(summary.omitted, Some(15));
        assert_eq!(issues.iter().map(Issue::count).sum::<usize>(), 26);
        assert!(
            summary
                .message
                .starts_with("... and 15 more issues like \"Unknown element '…': Patient"),
            "{}",
            summary.message
        );
        assert_eq!(issues[MAX_ISSUES_OF_A_KIND + 1].location, "Patient.gender");
    }

    #[test]
    fn kinds_are_per_resource_severity_and_rule() {
        let entry = "Bundle.entry[1].resource.ofType(Patient)";
        let mut issues: Vec<Issue> = (0..MAX_ISSUES_OF_A_KIND)
            .flat_map(|i| {
                [
                    unknown("Patient", &format!("e{i}")),
                    unknown(entry, &format!("e{i}")),
                    Issue::new(
                        Severity::Warning,
                        format!("Patient.w{i}"),
                        format!("Unknown element 'w{i}': Patient has no such element"),
                    ),
                ]
            })
            .collect();
        let before = issues.clone();
        cap_per_kind(&mut issues);
        assert_eq!(issues, before, "no kind has more than the limit");
        issues.push(unknown(entry, "one-more"));
        cap_per_kind(&mut issues);
        let at = issues
            .iter()
            .position(|i| i.message.starts_with("... and 1 more"))
            .expect("a summary");
        assert_eq!(issues[at].location, entry);
        // right after the last one listed of its kind
        assert_eq!(issues[at - 1].location, format!("{entry}.e9"));
        assert_eq!(issues.len(), before.len() + 1);
    }

    #[test]
    fn helpers() {
        assert_eq!(
            resource_part("Bundle.entry[2].resource.ofType(Patient).name[0]"),
            "Bundle.entry[2].resource.ofType(Patient)"
        );
        assert_eq!(resource_part("Patient.name[0].given"), "Patient");
        assert_eq!(resource_part("(body)"), "(body)");
        assert_eq!(template("Missing 'a': x 'b' y"), "Missing '…': x '…' y");
        assert_eq!(thousands(99_990), "99,990");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
