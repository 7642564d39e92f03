//! Finding a step's definition: one search of a `RegexSet` per step.
//!
//! cucumber finds a step's definition by running the regex of every definition of its keyword in
//! turn, 164 of them for a `Then`: a tenth of the harness's CPU over a full run
//! (benches/README.md). Here cucumber is given one definition per keyword that matches any step
//! ([`collection`]); it calls [`Lookup::find`], which runs one `RegexSet` over the step and the
//! regex of the one definition that matches, and calls that definition with the same captures
//! cucumber would have given it.
//!
//! A run has about 12,000 steps and fewer than 2,000 distinct texts, so each table remembers what it
//! found for a step's text (the definition, or why there is none, and the captures) and answers a
//! text it has seen without searching again.
//!
//! What cucumber reported stays as it was: a step no definition matches is the run's error with
//! [`UNDEFINED_STEP`] (cucumber skipped it, which the collector made that error), and a step that
//! several match is the run's error naming each of them.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use cucumber::codegen::{inventory, StepConstructor, WorldInventory};
use cucumber::gherkin::{self, StepType};
use cucumber::step::{Collection, Context, Location};
use cucumber::Step;
use futures::future::{FutureExt as _, LocalBoxFuture};
use regex::{Regex, RegexSet};

use crate::steps::Assurance;
use crate::verdict::{Problem, UNDEFINED_STEP};

/// Every step definition of a world, by keyword.
pub struct Lookup<W> {
    given: Table<W>,
    when: Table<W>,
    then: Table<W>,
}

/// The definitions of one keyword and a set of all their regexes, in the same order, with what was
/// found for each step text met so far.
struct Table<W> {
    set: RegexSet,
    defs: Vec<Definition<W>>,
    found: Mutex<HashMap<String, Found>>,
}

/// What a step text finds in a table: the index of its one definition and the captures (name,
/// text), or why it has none.
type Found = Result<(usize, Vec<(Option<String>, String)>), Miss>;

/// One `#[given]`, `#[when]` or `#[then]` function.
struct Definition<W> {
    regex: Regex,
    location: Location,
    step: Step<W>,
}

/// Why a step has no definition to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// No definition matches.
    Undefined,
    /// Several do: where each is written.
    Ambiguous(Vec<Location>),
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Miss::Undefined => f.write_str(UNDEFINED_STEP),
            Miss::Ambiguous(at) => {
                f.write_str("several step definitions match this step:")?;
                for l in at {
                    write!(f, " {}:{}", l.path, l.line)?;
                }
                Ok(())
            }
        }
    }
}

impl<W: WorldInventory> Lookup<W> {
    /// The definitions the world's `#[given]`, `#[when]` and `#[then]` attributes registered.
    pub fn of_world() -> Result<Self, regex::Error> {
        fn table<W, C>() -> Result<Table<W>, regex::Error>
        where
            C: StepConstructor<W> + inventory::Collect,
        {
            Table::new(inventory::iter::<C>.into_iter().map(|c| {
                let (location, regex, step) = c.inner();
                (location, regex(), step)
            }))
        }
        Ok(Lookup {
            given: table::<W, W::Given>()?,
            when: table::<W, W::When>()?,
            then: table::<W, W::Then>()?,
        })
    }
}

impl<W> Table<W> {
    fn new(
        defs: impl IntoIterator<Item = (Location, Regex, Step<W>)>,
    ) -> Result<Self, regex::Error> {
        let defs: Vec<Definition<W>> = defs
            .into_iter()
            .map(|(location, regex, step)| Definition {
                regex,
                location,
                step,
            })
            .collect();
        let set = RegexSet::new(defs.iter().map(|d| d.regex.as_str()))?;
        Ok(Table {
            set,
            defs,
            found: Mutex::new(HashMap::new()),
        })
    }

    /// What `text` finds, remembered for the next step with the same text (the regexes are
    /// fixed, so the answer is too).
    fn find(&self, text: &str) -> Found {
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(f) = found.get(text) {
            return f.clone();
        }
        let f = self.search(text);
        found.insert(text.to_owned(), f.clone());
        f
    }

    /// One search of the set, then the captures of the one definition that matched.
    fn search(&self, text: &str) -> Found {
        let hits = self.set.matches(text);
        let mut each = hits.iter();
        let first = match (each.next(), each.next()) {
            (Some(only), None) => only,
            (None, _) => return Err(Miss::Undefined),
            (Some(_), Some(_)) => {
                let at = hits.iter().map(|i| self.defs[i].location).collect();
                return Err(Miss::Ambiguous(at));
            }
        };
        let regex = &self.defs[first].regex;
        let caps = regex.captures(text).ok_or(Miss::Undefined)?;
        let matches = regex
            .capture_names()
            .map(|name| name.map(str::to_owned))
            .zip(caps.iter().map(|m| m.map_or("", |m| m.as_str()).to_owned()))
            .collect();
        Ok((first, matches))
    }
}

impl<W> Lookup<W> {
    /// The definition of `step` and the context to call it with: the step, the whole match and
    /// each capture group (by name, empty when it took no part), as cucumber gives them.
    pub fn find(&self, step: &gherkin::Step) -> Result<(Step<W>, Location, Context), Miss> {
        let table = match step.ty {
            StepType::Given => &self.given,
            StepType::When => &self.when,
            StepType::Then => &self.then,
        };
        let (index, matches) = table.find(&step.value)?;
        let def = &table.defs[index];
        let context = Context {
            step: step.clone(),
            matches,
        };
        Ok((def.step, def.location, context))
    }
}

/// The harness's step definitions, found once per process by [`assurance`].
static ASSURANCE: OnceLock<Result<Lookup<Assurance>, regex::Error>> = OnceLock::new();

/// Runs the definition of whatever step cucumber hands it.
fn any_step(world: &mut Assurance, context: Context) -> LocalBoxFuture<'_, ()> {
    let found = match ASSURANCE.get() {
        Some(Ok(lookup)) => lookup.find(&context.step),
        // `collection` fills it (or fails) before cucumber can call this
        _ => Err(Miss::Undefined),
    };
    match found {
        Ok((step, _, context)) => step(world, context),
        Err(miss) => {
            let message = Problem::error(miss.to_string()).to_string();
            async move { std::panic::panic_any(message) }.boxed_local()
        }
    }
}

/// The collection cucumber runs with: one definition per keyword, matching every step, that
/// hands the step to the harness's [`Lookup`].
pub fn collection() -> Result<Collection<Assurance>, regex::Error> {
    assurance()?;
    // an empty pattern matches any text at once
    let any = || Regex::new("").unwrap_or_else(|e| unreachable!("the empty pattern: {e}"));
    Ok(Collection::new()
        .given(None, any(), any_step)
        .when(None, any(), any_step)
        .then(None, any(), any_step))
}

/// The harness's step definitions, compiled by the first caller (another waits for it).
pub fn assurance() -> Result<&'static Lookup<Assurance>, regex::Error> {
    ASSURANCE
        .get_or_init(Lookup::of_world)
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    type World = Vec<&'static str>;

    fn first(w: &mut World, _: Context) -> LocalBoxFuture<'_, ()> {
        w.push("first");
        async {}.boxed_local()
    }

    fn second(w: &mut World, _: Context) -> LocalBoxFuture<'_, ()> {
        w.push("second");
        async {}.boxed_local()
    }

    fn at(line: u32) -> Location {
        Location {
            path: "steps.rs",
            line,
            column: 1,
        }
    }

    fn re(p: &str) -> Regex {
        Regex::new(p).unwrap()
    }

    fn lookup(then: Vec<(Location, Regex, Step<World>)>) -> Lookup<World> {
        Lookup {
            given: Table::new(vec![(
                at(1),
                re("^the response status is (\\d+)$"),
                first as Step<World>,
            )])
            .unwrap(),
            when: Table::new(Vec::new()).unwrap(),
            then: Table::new(then).unwrap(),
        }
    }

    fn step(ty: StepType, value: &str) -> gherkin::Step {
        gherkin::Step {
            keyword: "Then ".into(),
            ty,
            value: value.into(),
            docstring: None,
            table: None,
            span: gherkin::Span { start: 0, end: 0 },
            position: gherkin::LineCol { line: 7, col: 5 },
        }
    }

    #[test]
    fn the_one_matching_definition_gets_the_whole_match_and_every_group() {
        let l = lookup(vec![
            (
                at(10),
                re("^the response status is (?P<code>\\d+)( or (\\d+))?$"),
                first,
            ),
            (at(20), re("^the body is empty$"), second),
        ]);
        let (run, location, context) = l
            .find(&step(StepType::Then, "the response status is 200"))
            .unwrap();
        assert_eq!(location, at(10));
        assert_eq!(
            context.matches,
            vec![
                (None, "the response status is 200".to_string()),
                (Some("code".to_string()), "200".to_string()),
                // groups that took no part are empty, as cucumber gives them
                (None, String::new()),
                (None, String::new()),
            ]
        );
        assert_eq!(context.step.value, "the response status is 200");
        let mut world = World::new();
        futures::executor::block_on(run(&mut world, context));
        assert_eq!(world, ["first"]);

        let (run, location, _) = l.find(&step(StepType::Then, "the body is empty")).unwrap();
        assert_eq!(location, at(20));
        futures::executor::block_on(run(
            &mut world,
            Context {
                step: step(StepType::Then, "the body is empty"),
                matches: Vec::new(),
            },
        ));
        assert_eq!(world, ["first", "second"]);
    }

    #[test]
    fn a_step_no_definition_of_its_keyword_matches_is_undefined() {
        let l = lookup(vec![(at(10), re("^the body is empty$"), first)]);
        let miss = l.find(&step(StepType::Then, "the body is emptyish")).err();
        assert_eq!(miss, Some(Miss::Undefined));
        assert_eq!(Miss::Undefined.to_string(), UNDEFINED_STEP);
        // a Given's pattern does not serve a When
        let miss = l
            .find(&step(StepType::When, "the response status is 200"))
            .err();
        assert_eq!(miss, Some(Miss::Undefined));
        assert!(l
            .find(&step(StepType::Given, "the response status is 200"))
            .is_ok());
    }

    #[test]
    fn a_step_several_definitions_match_names_each_of_them() {
        let l = lookup(vec![
            (at(10), re("^the body is (.*)$"), first),
            (at(20), re("^the body is empty$"), second),
            (at(30), re("^the status is (\\d+)$"), second),
        ]);
        let miss = l.find(&step(StepType::Then, "the body is empty")).err();
        assert_eq!(miss, Some(Miss::Ambiguous(vec![at(10), at(20)])));
        let text = miss.unwrap().to_string();
        assert!(
            text.contains("steps.rs:10") && text.contains("steps.rs:20"),
            "{text}"
        );
        assert!(!text.contains("steps.rs:30"), "{text}");
    }

    #[test]
    fn a_text_met_again_finds_what_it_found_the_first_time_without_searching() {
        let l = lookup(vec![
            (at(10), re("^the response status is (\\d+)$"), first),
            (at(20), re("^the body is (.*)$"), second),
            (at(30), re("^the body is empty$"), second),
        ]);
        let texts = [
            "the response status is 200",
            "the response status is 404",
            "the body is empty",
            "the body is absent",
            "no such step",
        ];
        let once: Vec<_> = texts.iter().map(|t| l.then.find(t)).collect();
        assert_eq!(l.then.found.lock().unwrap().len(), texts.len());
        let again: Vec<_> = texts.iter().map(|t| l.then.find(t)).collect();
        assert_eq!(once, again);
        // each answer is the one a fresh search gives, for its own text
        for (t, f) in texts.iter().zip(&again) {
            assert_eq!(f, &l.then.search(t), "{t}");
        }
        assert_eq!(again[1].as_ref().unwrap().1[1].1, "404");
        assert_eq!(again[2], Err(Miss::Ambiguous(vec![at(20), at(30)])));
        assert_eq!(again[4], Err(Miss::Undefined));
        // remembered per keyword: a Given does not take a Then's answer
        assert_eq!(l.given.found.lock().unwrap().len(), 0);
        assert!(l
            .find(&step(StepType::Given, "the body is absent"))
            .is_err());
    }

    #[test]
    fn the_collection_hands_every_step_to_the_lookup() {
        let c = collection().unwrap();
        for ty in [StepType::Given, StepType::When, StepType::Then] {
            let s = step(ty, "a step no feature has");
            let (_, _, location, context) = c.find(&s).unwrap().expect("the catch-all matches");
            assert_eq!(location, None);
            assert_eq!(context.step.value, "a step no feature has");
        }
    }
}
