//! Stable scenario names: how CI tools (JUnit, Cucumber JSON) and `gpc-assure diff` tell scenarios
//! apart from one run to the next.
//!
//! A line number is not a name: adding a scenario above another moves it, and CI dashboards would
//! see one test vanish and a new one appear. But every Examples row of a Scenario Outline shares its
//! outline's name (unless the name uses the row's placeholders), and most CI systems merge or drop
//! test cases with duplicate names. So a scenario is named by its name alone when that is unique in
//! its feature, and otherwise by its name and its row among the scenarios of the feature that share
//! the name, in file order: `Amending the description [row 2]`. The row only changes when a row is
//! inserted before it.

use std::fmt;

/// A scenario's stable name within its feature.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StableName {
    /// The scenario's name as written (placeholders already filled in).
    pub name: String,
    /// 1-based row among the scenarios of the feature sharing `name`; `None` when the name is unique.
    pub row: Option<usize>,
}

impl fmt::Display for StableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row {
            Some(row) => write!(f, "{} [row {row}]", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// The stable names of one feature's scenarios, given as `(name, line)` in any order; the result is
/// in the same order as the input.
pub fn stable_names<'a>(scenarios: impl IntoIterator<Item = (&'a str, usize)>) -> Vec<StableName> {
    let scenarios: Vec<(&str, usize)> = scenarios.into_iter().collect();
    let mut order: Vec<usize> = (0..scenarios.len()).collect();
    // File order within each name; equal lines keep their input order.
    order.sort_by(|&a, &b| {
        scenarios[a]
            .0
            .cmp(scenarios[b].0)
            .then(scenarios[a].1.cmp(&scenarios[b].1))
    });
    let mut names: Vec<Option<StableName>> = vec![None; scenarios.len()];
    let mut start = 0;
    while start < order.len() {
        let name = scenarios[order[start]].0;
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| scenarios[i].0 == name)
                .count();
        let shared = end - start > 1;
        for (row, &i) in order[start..end].iter().enumerate() {
            names[i] = Some(StableName {
                name: name.to_string(),
                row: shared.then_some(row + 1),
            });
        }
        start = end;
    }
    names.into_iter().flatten().collect()
}

/// The stable names of a feature's scenarios, in the feature's order.
pub fn of_feature(feature: &super::FeatureResult) -> Vec<StableName> {
    stable_names(feature.scenarios.iter().map(|s| (s.name.as_str(), s.line)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(input: &[(&str, usize)]) -> Vec<String> {
        stable_names(input.iter().copied())
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn unique_names_are_kept_as_written() {
        assert_eq!(shown(&[("Read", 7), ("Search", 12)]), ["Read", "Search"]);
    }

    #[test]
    fn rows_sharing_a_name_are_numbered_in_file_order_whatever_the_input_order() {
        assert_eq!(
            shown(&[("Amend", 40), ("Read", 3), ("Amend", 38), ("Amend", 39)]),
            ["Amend [row 3]", "Read", "Amend [row 1]", "Amend [row 2]"]
        );
    }

    #[test]
    fn names_do_not_depend_on_lines() {
        let before = shown(&[("Read", 7), ("Amend", 20), ("Amend", 21)]);
        let moved = shown(&[("Read", 9), ("Amend", 31), ("Amend", 32)]);
        assert_eq!(before, moved);
    }

    #[test]
    fn empty_input_gives_no_names() {
        assert!(stable_names(std::iter::empty()).is_empty());
    }
}
