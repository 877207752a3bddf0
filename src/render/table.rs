//! Go's `text/tabwriter` as the docker CLI configures it for tables
//! (`tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`): every cell but the last in a row is padded
//! to the column's width plus 3, and to at least 10.

const MIN_WIDTH: usize = 10;
const PADDING: usize = 3;

/// Lay out rows of cells; the last cell of each row is not padded.
pub fn tabulate(rows: &[Vec<String>]) -> String {
    let mut text = String::new();
    for row in rows {
        text.push_str(&row.join("\t"));
        text.push('\n');
    }
    tabwrite(&text)
}

/// Align tab-separated text as Go's tabwriter does: a column's width is computed over each
/// block of consecutive lines that have a cell in that column.
pub fn tabwrite(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text
        .split_inclusive('\n')
        .map(|l| l.trim_end_matches('\n').split('\t').collect())
        .collect();
    let ends_with_newline: Vec<bool> = text
        .split_inclusive('\n')
        .map(|l| l.ends_with('\n'))
        .collect();
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<Vec<usize>> = lines
        .iter()
        .map(|cells| vec![0; cells.len().saturating_sub(1)])
        .collect();
    let max_cols = lines
        .iter()
        .map(|c| c.len().saturating_sub(1))
        .max()
        .unwrap_or(0);
    for col in 0..max_cols {
        let mut start = 0;
        while start < lines.len() {
            if lines[start].len().saturating_sub(1) <= col {
                start += 1;
                continue;
            }
            let mut end = start;
            while end < lines.len() && lines[end].len().saturating_sub(1) > col {
                end += 1;
            }
            let w = (start..end)
                .map(|i| width(lines[i][col]) + PADDING)
                .max()
                .unwrap_or(0)
                .max(MIN_WIDTH);
            for row in widths.iter_mut().take(end).skip(start) {
                row[col] = w;
            }
            start = end;
        }
    }
    let mut out = String::new();
    for (i, cells) in lines.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if c + 1 < cells.len() {
                let pad = widths[i][c].saturating_sub(width(cell));
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        if ends_with_newline[i] {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_ps_header_matches_docker() {
        let header = [
            "CONTAINER ID",
            "IMAGE",
            "COMMAND",
            "CREATED",
            "STATUS",
            "PORTS",
            "NAMES",
        ];
        let out = tabulate(&[header.iter().map(|s| s.to_string()).collect()]);
        assert_eq!(
            out,
            "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"
        );
    }

    #[test]
    fn history_pads_an_empty_last_column() {
        let rows = vec![
            vec!["IMAGE".to_string(), "SIZE".into(), "COMMENT".into()],
            vec!["ddaaa3f310a0".into(), "0B".into(), "".into()],
        ];
        assert_eq!(
            tabulate(&rows),
            "IMAGE          SIZE      COMMENT\nddaaa3f310a0   0B        \n"
        );
    }

    #[test]
    fn unicode_counts_as_one_column() {
        let rows = vec![
            vec!["\"sleep…\"".to_string(), "x".into()],
            vec!["ab".into(), "y".into()],
        ];
        assert_eq!(tabulate(&rows), "\"sleep…\"   x\nab         y\n");
    }
}
