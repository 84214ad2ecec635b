//! Human tables (coloured only on a terminal, never with `NO_COLOR`) or one
//! JSON document.

use std::io::IsTerminal;

pub(crate) struct Out {
    pub(crate) json: bool,
    colour: bool,
}

/// A cell's tone: coloured on a terminal, plain elsewhere.
#[derive(Clone, Copy)]
pub(crate) enum Tone {
    Plain,
    Good,
    Warn,
    Bad,
}

impl Out {
    pub(crate) fn new(json: bool) -> Self {
        let colour =
            !json && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Out { json, colour }
    }

    pub(crate) fn paint(&self, text: &str, tone: Tone) -> String {
        let code = match tone {
            Tone::Plain => return text.to_owned(),
            Tone::Good => "32",
            Tone::Warn => "33",
            Tone::Bad => "31",
        };
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// A table: a header row and rows of (text, tone) cells, columns padded.
    pub(crate) fn table(&self, header: &[&str], rows: &[Vec<(String, Tone)>]) {
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (i, (cell, _)) in row.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(cell.chars().count());
                }
            }
        }
        let line = |cells: Vec<(String, Tone)>| {
            let last = cells.len().saturating_sub(1);
            let mut s = String::new();
            for (i, (cell, tone)) in cells.into_iter().enumerate() {
                let pad = if i == last {
                    0
                } else {
                    widths[i] - cell.chars().count()
                };
                s.push_str(&self.paint(&cell, tone));
                s.push_str(&" ".repeat(pad));
                if i != last {
                    s.push_str("  ");
                }
            }
            println!("{}", s.trim_end());
        };
        line(
            header
                .iter()
                .map(|h| (h.to_uppercase(), Tone::Plain))
                .collect(),
        );
        for row in rows {
            line(row.clone());
        }
    }

    pub(crate) fn json(&self, value: &serde_json::Value) {
        println!(
            "{}",
            serde_json::to_string_pretty(value).expect("JSON values serialise")
        );
    }

    pub(crate) fn fatal(&self, msg: &str) {
        if self.json {
            self.json(&serde_json::json!({ "error": msg }));
        } else {
            eprintln!("rampart: {msg}");
        }
    }
}

pub(crate) fn plain(s: impl Into<String>) -> (String, Tone) {
    (s.into(), Tone::Plain)
}
