//! Rendering the results as one Markdown table, with ratios to the first implementation and
//! numbered notes under it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::cli::{Impl, Opts};
use crate::outcome::{spread, Cell2, Outcome};
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

/// One row's cell for `imp`; `k` is the row's index in its scenario, `base` ours's value
/// (`None` when the cells show no ratio).
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

/// A figure (the median of the rounds, with their spread after it when there were
/// several), with its ratio to `base` when `ratio`.
fn value_text(row: &Row, o: &Outcome, base: Option<f64>, ratio: bool) -> String {
    let Some((v, lo, hi)) = spread(o, row.get) else {
        return "–".to_owned();
    };
    let mut t = (row.fmt)(v);
    if o.rounds.len() > 1 {
        let _ = write!(t, " ({}–{})", (row.fmt)(lo), (row.fmt)(hi));
    }
    match base {
        Some(b) if b > 0.0 && ratio => format!("{t} ({:.2}×)", v / b),
        _ => t,
    }
}

/// The median of a row's figure in the cell of `imp`, if it has one.
fn figure(results: &Results, s: &Scenario, imp: &str, row: &Row) -> Option<f64> {
    match results.get(&(s.id.to_owned(), imp.to_owned())) {
        Some(Cell2::Ok(o)) => spread(o, row.get).map(|(v, _, _)| v),
        _ => None,
    }
}

/// The `ours / vs` column's text for one row.
fn vs_text(ours: Option<f64>, vs: Option<f64>) -> String {
    match (ours, vs) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".to_owned(),
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
    header.extend(opts.vs.iter().map(|v| format!("{ours} / {v}")));
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
            let base = figure(results, s, ours, row);
            // With a `vs` column the cells show no ratio.
            let cell_base = base.filter(|_| opts.vs.is_none());
            for imp in &opts.impls {
                let result = results.get(&(s.id.to_owned(), imp.name.clone()));
                line.push(cell_text(s, imp, ours, (k, row, cell_base), result, notes));
            }
            if let Some(v) = &opts.vs {
                line.push(vs_text(base, figure(results, s, v, row)));
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
    match &opts.vs {
        Some(v) => {
            let _ = writeln!(
                out,
                "\nThe last column is {ours}'s value / {v}'s value for the same row (↑: higher is better, ↓: lower is better)."
            );
        }
        None => {
            let _ = writeln!(
                out,
                "\nRatios are value / {ours}'s value for the same row (↑: higher is better, ↓: lower is better)."
            );
        }
    }
    if opts.rounds > 1 {
        let _ = writeln!(
            out,
            "Each figure is the median of {} rounds, each in a fresh server process; (min–max) of the rounds after it.",
            opts.rounds
        );
    }
    if let Some(c) = &opts.context {
        let _ = writeln!(out, "{c}");
    }
    for (name, why) in &opts.skipped {
        let _ = writeln!(out, "{name}: skipped ({why})");
    }
    for (i, n) in notes.0.iter().enumerate() {
        let _ = writeln!(out, "[{}] {n}", i + 1);
    }
    out
}
