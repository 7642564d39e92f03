//! `GPC_ASSURE_<SECTION>_<KEY>` environment variables: read from the process, checked against the
//! settings that exist and typed as the setting they override, so that a misspelt name or a value of
//! the wrong kind stops the run with the variable named instead of being ignored.

use std::cell::Cell;

use serde::de::{self, Deserialize, Visitor};

use super::{Config, ConfigError, ENV_PREFIX};
use crate::gpconnect::jwt::ConsumerIdentity;

/// The kinds of test-data names a variable can map: `GPC_ASSURE_DATA_<KIND>_<ALIAS>`.
const DATA_KINDS: [&str; 4] = ["patients", "organizations", "practitioners", "locations"];

/// The `GPC_ASSURE_*` variables of this process. A variable of ours whose name or value is not
/// Unicode is an error (the others are none of our business).
pub fn environment() -> Result<Vec<(String, String)>, ConfigError> {
    let mut out = Vec::new();
    for (name, value) in std::env::vars_os() {
        let lossy = name.to_string_lossy();
        if !lossy.starts_with(ENV_PREFIX) {
            continue;
        }
        let (Some(name), Some(value)) = (name.to_str(), value.to_str()) else {
            return Err(ConfigError::Env {
                var: lossy.into_owned(),
                value: None,
                message: "is not valid UTF-8 text; set it to plain text".into(),
            });
        };
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

/// The field names a struct deserializes from, as serde derives them (so the list of settings is the
/// structs themselves, not a copy that could fall behind).
fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let found = Cell::new(&[][..]);
    let _ = T::deserialize(FieldNames(&found));
    found.get()
}

/// A deserializer that only records the field list a struct asks for, then stops.
struct FieldNames<'a>(&'a Cell<&'static [&'static str]>);

impl<'de> de::Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.set(fields);
        Err(de::Error::custom("field names recorded"))
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// The settings of one section (`target`, `http`...), by field name.
fn section_fields(section: &str) -> &'static [&'static str] {
    match section {
        "target" => fields_of::<super::TargetConfig>(),
        "consumer" => fields_of::<ConsumerIdentity>(),
        "http" => fields_of::<super::HttpConfig>(),
        "tls" => fields_of::<super::TlsConfig>(),
        "report" => fields_of::<super::ReportConfig>(),
        _ => &[],
    }
}

/// Every variable name a setting can be given by (`GPC_ASSURE_DATA_<KIND>_` prefixes included), for
/// suggestions.
fn known_names() -> Vec<String> {
    let mut names = Vec::new();
    for section in fields_of::<Config>() {
        if *section == "data" {
            for kind in DATA_KINDS {
                names.push(format!("{ENV_PREFIX}DATA_{}_", kind.to_uppercase()));
            }
            continue;
        }
        for key in section_fields(section) {
            names.push(format!("{ENV_PREFIX}{section}_{key}").to_uppercase());
        }
    }
    names
}

/// The known name closest to `var` (ignoring case), if it is close enough to be a slip or `var` is
/// it without its last word (`..._HTTP_TIMEOUT` for `..._HTTP_TIMEOUT_SECONDS`).
fn closest<'a>(var: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let var = var.to_uppercase();
    candidates
        .into_iter()
        .map(|c| {
            let upper = c.to_uppercase();
            let last_word_missing = upper
                .strip_prefix(var.as_str())
                .and_then(|tail| tail.strip_prefix('_'))
                .is_some_and(|word| !word.is_empty() && !word.contains('_'));
            let distance = if last_word_missing {
                1
            } else {
                strsim::osa_distance(&var, &upper)
            };
            (distance, c)
        })
        .filter(|(d, c)| *d <= (c.len() / 6).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn unknown_variable(var: &str) -> ConfigError {
    let rest = &var[ENV_PREFIX.len()..];
    // A data mapping with a misspelt kind: suggest the same alias under the closest kind.
    let suggestion = match rest.to_ascii_lowercase().strip_prefix("data_") {
        Some(tail) => {
            let (kind, alias) = match tail.split_once('_') {
                // The alias as written (lower-casing keeps byte lengths, so the tail is the same slice).
                Some((kind, alias)) => (kind, &var[var.len() - alias.len()..]),
                None => (tail, "<ALIAS>"),
            };
            closest(kind, DATA_KINDS)
                .map(|k| format!("{ENV_PREFIX}DATA_{}_{alias}", k.to_uppercase()))
        }
        None => closest(var, known_names().iter().map(String::as_str)).map(str::to_string),
    };
    let lower = rest.to_ascii_lowercase();
    let section = fields_of::<Config>()
        .iter()
        .find(|s| lower.starts_with(&format!("{s}_")) && **s != "data");
    let explanation = match section {
        Some(s) => format!("the keys of [{s}] are {}", section_fields(s).join(", ")),
        None => format!(
            "configuration variables are {ENV_PREFIX}<SECTION>_<KEY> with a \
             section and key of the config file (e.g. {ENV_PREFIX}TLS_VERIFY), or \
             {ENV_PREFIX}DATA_<PATIENTS|ORGANIZATIONS|PRACTITIONERS|LOCATIONS>_<ALIAS>"
        ),
    };
    let mut message = "is not a setting".to_string();
    if let Some(s) = suggestion {
        message.push_str(&format!("; did you mean {s}?"));
    }
    message.push_str(&format!(" ({explanation})"));
    ConfigError::Env {
        var: var.to_string(),
        value: None,
        message,
    }
}

/// Apply `GPC_ASSURE_<SECTION>_<KEY>=value` overrides to the file's table. Section and key are matched
/// case-insensitively; `data` takes `GPC_ASSURE_DATA_<KIND>_<ALIAS>` (the alias keeps its case).
/// Values are typed by the setting they override: a whole number for counts, `true`/`false` for
/// switches, text otherwise.
pub(super) fn apply(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<usize, ConfigError> {
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with(ENV_PREFIX))
        .collect();
    vars.sort();
    let defaults = toml::Table::try_from(Config::default()).unwrap_or_default();
    let sections = fields_of::<Config>();
    let applied = vars.len();
    for (var, value) in vars {
        let rest = var[ENV_PREFIX.len()..].to_ascii_lowercase();
        let Some(section) = sections.iter().find(|s| rest.starts_with(&format!("{s}_"))) else {
            return Err(unknown_variable(&var));
        };
        let key = rest[section.len() + 1..].to_string();
        let entry = table
            .entry(section.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let Some(section_table) = entry.as_table_mut() else {
            return Err(ConfigError::Env {
                var,
                value: None,
                message: format!("cannot apply: [{section}] in the config file is not a table"),
            });
        };
        if *section == "data" {
            let Some(kind) = DATA_KINDS
                .iter()
                .find(|k| key.starts_with(&format!("{k}_")))
            else {
                return Err(unknown_variable(&var));
            };
            // Aliases keep the case the user wrote in the variable name after the kind.
            let alias = var[ENV_PREFIX.len() + "data_".len() + kind.len() + 1..].to_string();
            let kind_table = section_table
                .entry(kind.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let Some(t) = kind_table.as_table_mut() else {
                return Err(ConfigError::Env {
                    var,
                    value: None,
                    message: format!("cannot apply: data.{kind} in the config file is not a table"),
                });
            };
            t.insert(alias, toml::Value::String(value));
            continue;
        }
        if !section_fields(section).contains(&key.as_str()) {
            return Err(unknown_variable(&var));
        }
        let default = defaults.get(*section).and_then(|s| s.get(&key)).cloned();
        let typed = typed_like(default.as_ref(), &value).map_err(|message| ConfigError::Env {
            var: var.clone(),
            value: Some(value.clone()),
            message,
        })?;
        section_table.insert(key, typed);
    }
    Ok(applied)
}

/// `raw` as the kind of value `default` is (text when the setting has no default value).
fn typed_like(default: Option<&toml::Value>, raw: &str) -> Result<toml::Value, String> {
    match default {
        // Every numeric setting is a count or a size.
        Some(toml::Value::Integer(_)) => raw
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(toml::Value::Integer)
            .ok_or_else(|| "expected a whole number".to_string()),
        Some(toml::Value::Boolean(_)) => match raw.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(toml::Value::Boolean(true)),
            "false" => Ok(toml::Value::Boolean(false)),
            _ => Err("expected true or false".into()),
        },
        Some(toml::Value::Array(_)) | Some(toml::Value::Table(_)) => {
            Err("is a list: set it in the config file, not in a variable".into())
        }
        _ => Ok(toml::Value::String(raw.to_string())),
    }
}
