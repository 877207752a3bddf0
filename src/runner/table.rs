//! Column-aware comparison of docker's tables (`ps`, `images`, `history`, `top`): docker pads
//! columns to the widest cell, so a longer name or age moves every column after it. A header
//! line (upper-case cells separated by 2+ spaces) starts a table; each row is cut into cells at
//! the header's column positions and re-joined with one separator, so expected and actual rows
//! compare cell by cell whatever the widths. A blank line ends the table.

use super::matcher::is_ellipsis;

/// Joins cells in canonical rows; no docker output contains it.
pub const SEPARATOR: char = '\u{1f}';

/// `lines` with every table row in canonical form. In a pattern (`pattern`), `...` lines stay.
pub fn canonical(lines: &[&str], pattern: bool) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut columns: Option<Vec<usize>> = None;
    for line in lines {
        if line.trim().is_empty() {
            columns = None;
            out.push((*line).to_string());
        } else if pattern && is_ellipsis(line) {
            out.push((*line).to_string());
        } else if let Some(cells) = header(line) {
            out.push(join(cells.iter().map(|(_, t)| (*t).to_string()).collect()));
            columns = Some(cells.into_iter().map(|(start, _)| start).collect());
        } else if let Some(cols) = &columns {
            out.push(join(row(line, cols)));
        } else {
            out.push((*line).to_string());
        }
    }
    out
}

/// Chunks of a line separated by runs of two or more spaces, with their start column (chars).
fn chunks(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].1 == ' ' {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while end < chars.len() {
            let two_spaces = chars[end].1 == ' ' && chars.get(end + 1).is_some_and(|c| c.1 == ' ');
            if two_spaces {
                break;
            }
            end += 1;
        }
        let byte_end = chars.get(end).map_or(line.len(), |c| c.0);
        out.push((start, line[chars[start].0..byte_end].trim_end()));
        i = end;
    }
    out
}

/// A table header: two or more cells, each upper-case words (`CONTAINER ID`, `CPU %`).
fn header(line: &str) -> Option<Vec<(usize, &str)>> {
    let cells = chunks(line);
    let is_title = |t: &str| {
        t.chars().any(|c| c.is_ascii_uppercase())
            && t.chars()
                .all(|c| c.is_ascii_uppercase() || matches!(c, ' ' | '_' | '%' | '/' | '.' | '-'))
    };
    (cells.len() >= 2 && cells.iter().all(|(_, t)| is_title(t))).then_some(cells)
}

/// A row cut into the header's columns. Rows written by docker (or copied from its output)
/// have one chunk per non-empty cell, starting exactly at its column; a hand-written row whose
/// chunks do not line up (`[CID]` is shorter than an id) is taken in order, left to right;
/// a trailing `[..]` then covers the cells it leaves out.
fn row(line: &str, columns: &[usize]) -> Vec<String> {
    let parts = chunks(line);
    let mut cells = vec![String::new(); columns.len()];
    let aligned = parts.iter().all(|(start, _)| columns.contains(start));
    if aligned {
        for (start, text) in parts {
            let i = columns.iter().position(|&c| c == start).unwrap_or(0);
            cells[i] = text.to_string();
        }
    } else {
        let last = columns.len() - 1;
        for (i, (_, text)) in parts.into_iter().enumerate() {
            let cell = &mut cells[i.min(last)];
            if !cell.is_empty() {
                cell.push_str("  ");
            }
            cell.push_str(text);
        }
    }
    while cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    cells
}

fn join(cells: Vec<String>) -> String {
    cells.join(&SEPARATOR.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::matcher::matches;
    use super::*;

    const PS_NARROW: &str = "\
CONTAINER ID   IMAGE     COMMAND       CREATED         STATUS                     PORTS     NAMES
748bbf68455d   ubuntu    \"/bin/bash\"   5 seconds ago   Exited (0) 2 seconds ago             gigantic_wright
";

    const PS_WIDE: &str = "\
CONTAINER ID   IMAGE     COMMAND       CREATED          STATUS                      PORTS     NAMES
748bbf68455d   ubuntu    \"/bin/bash\"   17 seconds ago   Exited (0) 12 seconds ago             gigantic_wright
";

    #[test]
    fn rows_split_at_the_header_columns_keep_empty_cells() {
        let lines: Vec<&str> = PS_NARROW.lines().collect();
        let c = canonical(&lines, false);
        let cells: Vec<&str> = c[1].split(SEPARATOR).collect();
        assert_eq!(
            cells,
            [
                "748bbf68455d",
                "ubuntu",
                "\"/bin/bash\"",
                "5 seconds ago",
                "Exited (0) 2 seconds ago",
                "",
                "gigantic_wright"
            ]
        );
    }

    #[test]
    fn widths_that_change_with_content_do_not_fail() {
        // Aligned like docker's own output, with placeholders in the cells; PORTS is empty.
        let widths = [15, 10, 14, 14, 23, 10, 0];
        let line = |cells: [&str; 7]| {
            let mut l = String::new();
            for (c, w) in cells.iter().zip(widths) {
                l.push_str(&format!("{c:w$}"));
            }
            l.trim_end().to_string() + "\n"
        };
        let pattern = line([
            "CONTAINER ID",
            "IMAGE",
            "COMMAND",
            "CREATED",
            "STATUS",
            "PORTS",
            "NAMES",
        ]) + &line([
            "[CID]",
            "ubuntu",
            "\"/bin/bash\"",
            "[AGE] ago",
            "Exited (0) [AGE] ago",
            "",
            "[NAME]",
        ]);
        let pattern = pattern.as_str();
        assert!(matches(pattern, PS_NARROW));
        assert!(matches(pattern, PS_WIDE));
        // A cell is compared whole: `ubuntu` is not `ubuntu:latest`.
        let other = PS_WIDE.replace("ubuntu    ", "ubuntu:22 ");
        assert!(!matches(pattern, &other));
        // A different header is a difference.
        assert!(!matches(&pattern.replace("NAMES", "NAME"), PS_WIDE));
    }

    #[test]
    fn ellipsis_rows_and_trailing_wildcards() {
        let images = "\
REPOSITORY   TAG       IMAGE ID       CREATED         SIZE
busybox      latest    0123456789ab   2 weeks ago     4.26MB
ubuntu       latest    ba9876543210   3 weeks ago     77.8MB
";
        assert!(matches(
            "REPOSITORY  TAG  IMAGE ID  CREATED  SIZE\n...\nubuntu  latest  [..]\n",
            images
        ));
        assert!(matches(
            "REPOSITORY    TAG   IMAGE ID   CREATED   SIZE\nbusybox   latest   [IMAGE_ID]   [AGE] ago   [SIZE]\n...\n",
            images
        ));
        assert!(!matches(
            "REPOSITORY  TAG  IMAGE ID  CREATED  SIZE\nubuntu  latest  [..]\n",
            images
        ));
    }

    #[test]
    fn a_blank_line_ends_the_table_and_prose_is_untouched() {
        let lines = ["NAME  READY", "web   yes", "", "plain  text  here"];
        let c = canonical(&lines, false);
        assert_eq!(c[1], format!("web{SEPARATOR}yes"));
        assert_eq!(c[3], "plain  text  here");
    }
}
