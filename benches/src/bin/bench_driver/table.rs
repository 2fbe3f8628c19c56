//! Rendering the results as one Markdown table, with ratios to the first implementation and
//! numbered notes under it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::cli::{Impl, Opts};
use crate::outcome::{Cell2, Outcome};
use crate::rows::{rows_for, Row};
use crate::scenario::{Kind, Scenario, Sizes};

/// Results by (scenario id, implementation name).
pub type Results = BTreeMap<(String, String), Cell2>;

/// The notes under the table, numbered from 1; the same text gets the same number.
#[derive(Default)]
struct Notes(Vec<String>);

impl Notes {
    fn number(&mut self, text: String) -> usize {
        if let Some(i) = self.0.iter().position(|n| *n == text) {
            return i + 1;
        }
        self.0.push(text);
        self.0.len()
    }
}

/// One row's cell for `imp`; `k` is the row's index in its scenario, `base` ours's value.
fn cell_text(
    s: &Scenario,
    imp: &Impl,
    ours: &str,
    (k, row, base): (usize, &Row, Option<f64>),
    result: Option<&Cell2>,
    notes: &mut Notes,
) -> String {
    match result {
        None => "–".to_owned(),
        Some(Cell2::Unsupported(_) | Cell2::Failed(_)) if k > 0 => "–".to_owned(),
        Some(Cell2::Unsupported(why)) => {
            let n = notes.number(format!("{}: unsupported; {why}", imp.name));
            format!("n/a [{n}]")
        }
        Some(Cell2::Failed(why)) => {
            let n = notes.number(format!("{} {}: {why}", imp.name, s.id));
            format!("FAIL [{n}]")
        }
        Some(Cell2::Ok(o)) => {
            let mut c = value_text(row, o, base, imp.name != ours);
            if let (0, Some(n), false) = (k, &o.note, matches!(s.kind, Kind::Slow)) {
                let n = notes.number(format!("{} {}: {n}", imp.name, s.id));
                let _ = write!(c, " [{n}]");
            }
            c
        }
    }
}

/// A figure, with its ratio to `base` when `ratio`.
fn value_text(row: &Row, o: &Outcome, base: Option<f64>, ratio: bool) -> String {
    match (row.get)(o) {
        Some(v) => match base {
            Some(b) if b > 0.0 && ratio => format!("{} ({:.2}×)", (row.fmt)(v), v / b),
            _ => (row.fmt)(v),
        },
        None => "–".to_owned(),
    }
}

/// The lines of the table (header first), cells as text.
fn lines(
    opts: &Opts,
    sizes: &Sizes,
    scenarios: &[&Scenario],
    results: &Results,
    notes: &mut Notes,
) -> Vec<Vec<String>> {
    let ours = &opts.impls[0].name;
    let mut header = vec!["scenario".to_owned(), "metric".to_owned()];
    header.extend(opts.impls.iter().map(|i| i.name.clone()));
    let mut lines = vec![header];
    for s in scenarios {
        for (k, row) in rows_for(s).iter().enumerate() {
            let title = if k == 0 {
                sizes.title_of(s)
            } else {
                String::new()
            };
            let arrow = if row.higher_is_better { "↑" } else { "↓" };
            let mut line = vec![title, format!("{} {arrow}", row.metric)];
            let base = match results.get(&(s.id.to_owned(), ours.clone())) {
                Some(Cell2::Ok(o)) => (row.get)(o),
                _ => None,
            };
            for imp in &opts.impls {
                let result = results.get(&(s.id.to_owned(), imp.name.clone()));
                line.push(cell_text(s, imp, ours, (k, row, base), result, notes));
            }
            lines.push(line);
        }
    }
    lines
}

/// Align `lines` into a Markdown table: the first two columns left, the rest right.
fn layout(lines: &[Vec<String>], out: &mut String) {
    let widths: Vec<usize> = (0..lines[0].len())
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (i, l) in lines.iter().enumerate() {
        out.push('|');
        for (c, cell) in l.iter().enumerate() {
            let pad = " ".repeat(widths[c] - cell.chars().count());
            if c < 2 {
                let _ = write!(out, " {cell}{pad} |");
            } else {
                let _ = write!(out, " {pad}{cell} |");
            }
        }
        out.push('\n');
        if i == 0 {
            out.push('|');
            for (c, w) in widths.iter().enumerate() {
                if c < 2 {
                    let _ = write!(out, "{}|", "-".repeat(w + 2));
                } else {
                    let _ = write!(out, "{}:|", "-".repeat(w + 1));
                }
            }
            out.push('\n');
        }
    }
}

pub fn render(opts: &Opts, sizes: &Sizes, scenarios: &[&Scenario], results: &Results) -> String {
    let mut notes = Notes::default();
    let lines = lines(opts, sizes, scenarios, results, &mut notes);
    let mut out = String::new();
    layout(&lines, &mut out);
    let ours = &opts.impls[0].name;
    let _ = writeln!(
        out,
        "\nRatios are value / {ours}'s value for the same row (↑: higher is better, ↓: lower is better)."
    );
    for (name, why) in &opts.skipped {
        let _ = writeln!(out, "{name}: skipped ({why})");
    }
    for (i, n) in notes.0.iter().enumerate() {
        let _ = writeln!(out, "[{}] {n}", i + 1);
    }
    out
}
