//! `textkg query --named`: the shipped analyses, listed or run by name.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};

use textkg::query::named;

use super::text_arg;

/// The query text to run: inline, from a file or shipped (`--named NAME`),
/// with `--bind` parameters filled. `None` when `--named` alone listed the
/// shipped queries and there is nothing to run.
pub(super) fn query_text(
    inline: Option<String>,
    file: Option<PathBuf>,
    named: Option<String>,
    bind: &[String],
) -> Result<Option<String>> {
    let text = match named.as_deref() {
        Some("") => {
            let mut out = std::io::stdout().lock();
            for q in named::all() {
                let params = named::parameters(q.text);
                let params = if params.is_empty() {
                    String::new()
                } else {
                    format!(
                        " [--bind {}]",
                        params.iter().map(|p| format!("{p}=…")).collect::<Vec<_>>().join(" ")
                    )
                };
                writeln!(out, "{:<18} {}{params}", q.name, q.description)?;
            }
            return Ok(None);
        }
        Some(name) => match named::find(name) {
            Some(q) => q.text.to_string(),
            None => {
                let names: Vec<&str> = named::all().iter().map(|q| q.name).collect();
                bail!(
                    "no shipped query {name:?}; the shipped queries are: {}",
                    names.join(", ")
                )
            }
        },
        None => text_arg(inline, file, "query")?,
    };
    Ok(Some(named::bind(&text, bind)?))
}
