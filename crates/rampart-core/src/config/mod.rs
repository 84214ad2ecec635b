//! The whole configuration from a file (feature `config`): header set, CSP,
//! CSRF, proxy trust, allowed hosts and reporting, in TOML, starting from a
//! preset that the file overrides key by key.
//!
//! ```toml
//! preset = "strict"          # or "talisman", "api"
//!
//! [proxy]
//! trust = "loopback"         # none | loopback | peers | all
//! headers = ["x-forwarded-proto", "x-forwarded-host", "x-forwarded-for"]
//!
//! [https]
//! allowed_hosts = ["shop.example"]
//!
//! [csp]
//! policy = "default-src 'self'; script-src 'self'"
//! nonce_in = ["script-src"]
//! ```
//!
//! - **Presets** are complete configurations (`crates/rampart-core/src/config/presets/`):
//!   `strict` is rampart's defaults with [`Policy::strict`](crate::csp::Policy::strict);
//!   `talisman` is Flask-Talisman 1.1's defaults, with the few deliberate differences
//!   listed at the top of its file; `api` drops the headers only documents need and
//!   checks CSRF by Fetch Metadata and `Origin`, without tokens.
//! - **Secrets and per-deploy values** come from the environment, never the
//!   file: [`with_env`](Config::with_env) reads `RAMPART_ALLOWED_HOSTS` and
//!   `RAMPART_TRUSTED_PROXIES` (comma-separated) and `RAMPART_CSP_REPORT_URI`; the CSRF
//!   key ring is read from the variable `csrf.key_env` names (`RAMPART_CSRF_KEY`).
//! - **Errors** name the file, the line and the key, and say what to write
//!   instead; every problem found is reported at once.
//! - **Round trip**: [`to_toml`](Config::to_toml) prints the effective
//!   configuration, every key written out, and that text loads back to the
//!   same configuration.
//!
//! Keyword headers take their value, or `""` for no header. Serde reads the
//! same shape from YAML or JSON: [`from_value`](Config::from_value).
//!
//! ```
//! use rampart_core::config::Config;
//!
//! let cfg = Config::from_toml("preset = \"api\"\n[https]\nallowed_hosts = [\"api.example\"]\n").unwrap();
//! let headers = cfg.secure_headers().unwrap();
//! let values = headers.header_values();
//! assert!(values.iter().all(|(name, _)| name != "x-frame-options"));
//! assert_eq!(Config::from_toml(&cfg.to_toml()).unwrap(), cfg);
//!
//! let e = Config::from_toml("[headers]\nframe_options = \"allow-from x\"\n").unwrap_err();
//! assert_eq!(e.setting(), "<string>:2: headers.frame_options");
//! ```

mod build;
mod schema;

use std::path::Path;

use crate::ConfigError;
use schema::File;

const PRESETS: [(&str, &str); 3] = [
    ("strict", include_str!("presets/strict.toml")),
    ("talisman", include_str!("presets/talisman.toml")),
    ("api", include_str!("presets/api.toml")),
];

/// A loaded configuration: a preset with a file's keys over it (and, after
/// [`with_env`](Self::with_env), the environment's). Build the layers' settings
/// from it with [`secure_headers`](Self::secure_headers), [`csrf`](Self::csrf)
/// and [`report_collector`](Self::report_collector).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    effective: File,
    /// The file's name and text, for error lines.
    source: Source,
}

#[derive(Debug, Clone, Default)]
struct Source {
    name: String,
    text: String,
}

/// Two configurations are the same when their effective settings are.
impl PartialEq for Source {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Config {
    /// A preset by name: `strict`, `talisman` or `api`.
    ///
    /// ```
    /// # use rampart_core::config::Config;
    /// assert!(Config::preset("talisman").is_ok());
    /// assert!(Config::preset("lax").unwrap_err().message().contains("strict, talisman, api"));
    /// ```
    pub fn preset(name: &str) -> Result<Self, ConfigError> {
        Self::load(
            &format!("preset = \"{}\"\n", name.replace('"', "")),
            "<preset>",
        )
    }

    /// Reads a TOML file (errors name it).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(
                path.display().to_string(),
                format!("cannot read the configuration file: {e}"),
            )
        })?;
        Self::load(&text, &path.display().to_string())
    }

    /// Reads TOML text (errors name it `<string>`).
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Self::load(text, "<string>")
    }

    /// The same shape from any serde format (YAML, JSON, ...): deserialize it
    /// to a `toml::Value` table first. Errors name it `<value>`.
    pub fn from_value(value: toml::Value) -> Result<Self, ConfigError> {
        let text = toml::to_string(&value)
            .map_err(|e| ConfigError::new("<value>", format!("not a configuration table: {e}")))?;
        Self::load(&text, "<value>")
    }

    fn load(text: &str, name: &str) -> Result<Self, ConfigError> {
        let source = Source {
            name: name.to_owned(),
            text: text.to_owned(),
        };
        let file: File = toml::from_str(text).map_err(|e| source.toml_error(&e))?;
        let preset_name = file.preset.clone().unwrap_or_else(|| "strict".into());
        let Some((_, preset_text)) = PRESETS.iter().find(|(n, _)| *n == preset_name) else {
            return Err(source.error(
                "preset",
                format!(
                    "unknown preset `{preset_name}`; use one of {}",
                    PRESETS.map(|(n, _)| n).join(", ")
                ),
            ));
        };
        let preset: toml::Value = toml::from_str(preset_text).expect("presets parse");
        Self::layered(preset, file, source)
    }

    /// `file`'s keys over `base` (its `preset` key aside), read back as the
    /// effective configuration, every value checked now rather than when a
    /// layer is built.
    fn layered(mut base: toml::Value, mut file: File, source: Source) -> Result<Self, ConfigError> {
        file.preset = None;
        merge(
            &mut base,
            toml::Value::try_from(&file).expect("a parsed file serialises"),
        );
        let effective: File = base
            .try_into()
            .map_err(|e: toml::de::Error| source.error("", e.message().to_owned()))?;
        let config = Config { effective, source };
        config.check()?;
        Ok(config)
    }

    /// Another layer of TOML over this configuration, key by key (a file per
    /// deploy over a shared one, or settings from the command line). A
    /// `preset` key is not allowed in a layer.
    ///
    /// ```
    /// # use rampart_core::config::Config;
    /// let cfg = Config::preset("strict").unwrap().overlay("[https]\nredirect = false\n").unwrap();
    /// assert!(cfg.to_toml().contains("redirect = false"));
    /// ```
    pub fn overlay(&self, text: &str) -> Result<Self, ConfigError> {
        let source = Source {
            name: format!("{} + overlay", self.source.name),
            text: text.to_owned(),
        };
        let file: File = toml::from_str(text).map_err(|e| source.toml_error(&e))?;
        if file.preset.is_some() {
            return Err(source.error(
                "preset",
                "a preset starts a configuration; an overlay cannot change it".into(),
            ));
        }
        let base = toml::Value::try_from(&self.effective).expect("a configuration serialises");
        Self::layered(base, file, source)
    }

    /// Applies the environment: `RAMPART_ALLOWED_HOSTS` and
    /// `RAMPART_TRUSTED_PROXIES` (comma-separated; proxies set `proxy.trust =
    /// "peers"`) and `RAMPART_CSP_REPORT_URI`. The CSRF key is read when
    /// [`csrf`](Self::csrf) builds, from the variable `csrf.key_env` names.
    pub fn with_env(self) -> Result<Self, ConfigError> {
        self.with_vars(|k| std::env::var(k).ok())
    }

    fn with_vars(mut self, var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let list = |v: String| -> Vec<String> {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let e = &mut self.effective;
        if let Some(v) = var("RAMPART_ALLOWED_HOSTS") {
            e.https.get_or_insert_with(Default::default).allowed_hosts = Some(list(v));
        }
        if let Some(v) = var("RAMPART_TRUSTED_PROXIES") {
            let proxy = e.proxy.get_or_insert_with(Default::default);
            proxy.trust = Some("peers".into());
            proxy.peers = Some(list(v));
        }
        if let Some(v) = var("RAMPART_CSP_REPORT_URI") {
            e.csp.get_or_insert_with(Default::default).report_uri = Some(v.trim().to_owned());
        }
        self.source.name = format!("{} (with RAMPART_* environment)", self.source.name);
        self.check()?;
        Ok(self)
    }

    /// The effective configuration as TOML, every key written out; it loads
    /// back to the same configuration.
    pub fn to_toml(&self) -> String {
        let mut e = self.effective.clone();
        e.preset = None;
        toml::to_string_pretty(&e).expect("a configuration serialises")
    }

    /// The CSP report path, when reports are collected (`csp.report_uri`).
    pub fn csp_report_uri(&self) -> Option<&str> {
        self.effective
            .csp
            .as_ref()
            .and_then(|c| c.report_uri.as_deref())
            .filter(|u| !u.is_empty())
    }
}

impl Source {
    /// An error at `key` (dotted), with the file and the line that sets it.
    fn error(&self, key: &str, message: String) -> ConfigError {
        let at = match line_of(&self.text, key) {
            Some(line) => format!("{}:{line}: {key}", self.name),
            None if key.is_empty() => self.name.clone(),
            None => format!("{}: {key}", self.name),
        };
        ConfigError::new(at, message)
    }

    fn toml_error(&self, e: &toml::de::Error) -> ConfigError {
        let line = e.span().map(|s| {
            self.text[..s.start.min(self.text.len())]
                .matches('\n')
                .count()
                + 1
        });
        let at = match line {
            Some(l) => format!("{}:{l}", self.name),
            None => self.name.clone(),
        };
        ConfigError::new(at, e.message().trim().to_owned())
    }
}

/// The line (1-based) where `key` (`section.sub.name`) is set: under its
/// `[section.sub]` header, or as a dotted or inline key.
fn line_of(text: &str, key: &str) -> Option<usize> {
    let (table, leaf) = match key.rsplit_once('.') {
        Some((t, l)) => (t, l),
        None => ("", key),
    };
    if leaf.is_empty() {
        return None;
    }
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if let Some(h) = l.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            current = h.trim().to_owned();
            continue;
        }
        let Some((k, _)) = l.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_matches('"');
        let full = if current.is_empty() {
            k.to_owned()
        } else {
            format!("{current}.{k}")
        };
        if full == key || (current == table && k == leaf) {
            return Some(i + 1);
        }
    }
    None
}

/// Deep merge: tables key by key, anything else replaced.
fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

#[cfg(test)]
mod tests;
