//! Docker's human units (go-units): durations ("About a minute") and sizes ("77.9MB").

use chrono::Duration;

/// go-units `HumanDuration`: what `docker ps` shows in CREATED ("… ago") and STATUS ("Up …").
pub fn human_duration(d: Duration) -> String {
    let seconds = d.num_seconds();
    if seconds < 1 {
        return "Less than a second".into();
    }
    if seconds == 1 {
        return "1 second".into();
    }
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = d.num_minutes();
    if minutes == 1 {
        return "About a minute".into();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    // go-units rounds hours to the nearest whole hour here.
    let hours = ((d.num_milliseconds() as f64) / 3_600_000.0 + 0.5) as i64;
    if hours == 1 {
        return "About an hour".into();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", d.num_hours() / 24 / 365)
}

/// go-units `HumanSizeWithPrecision(size, 3)` with decimal units: `0B`, `13.3kB`, `77.9MB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    format!("{}{}", format_g3(size), UNITS[unit])
}

/// go-units `BytesSize`: binary units with four significant digits (`7.773MiB`, `1.953GiB`),
/// as `docker stats` and `docker info` print memory.
pub fn binary_size(bytes: u64) -> String {
    const UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit < UNITS.len() - 1 {
        size /= 1024.0;
        unit += 1;
    }
    format!("{}{}", format_g(size, 4), UNITS[unit])
}

/// Go's `%.3g`: three significant digits, trailing zeros trimmed.
fn format_g3(v: f64) -> String {
    format_g(v, 3)
}

/// Go's `%.Ng` for values below 10^N (the only ones these units produce).
fn format_g(v: f64, significant: i32) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits_before = v.abs().log10().floor() as i32 + 1;
    let decimals = (significant - digits_before).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Docker's 12-character short id, without a `sha256:` prefix.
pub fn short_id(id: &str) -> String {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    id.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_match_go_units() {
        let table = [
            (0, "Less than a second"),
            (1, "1 second"),
            (12, "12 seconds"),
            (59, "59 seconds"),
            (60, "About a minute"),
            (119, "About a minute"),
            (120, "2 minutes"),
            (32 * 60, "32 minutes"),
            (59 * 60 + 59, "59 minutes"),
            (60 * 60, "About an hour"),
            (90 * 60, "2 hours"),
            (47 * 3600, "47 hours"),
            (48 * 3600, "2 days"),
            (14 * 86400, "2 weeks"),
            (60 * 86400, "2 months"),
            (3 * 365 * 86400, "3 years"),
        ];
        for (secs, want) in table {
            assert_eq!(human_duration(Duration::seconds(secs)), want, "{secs}s");
        }
    }

    #[test]
    fn binary_sizes_match_go_units() {
        assert_eq!(binary_size(0), "0B");
        assert_eq!(binary_size(8_151_040), "7.773MiB");
        assert_eq!(binary_size(2_097_152_000), "1.953GiB");
        assert_eq!(binary_size(1024), "1KiB");
    }

    #[test]
    fn sizes_match_go_units() {
        let table = [
            (0, "0B"),
            (999, "999B"),
            (1000, "1kB"),
            (13_256, "13.3kB"),
            (1_990_000, "1.99MB"),
            (77_863_323, "77.9MB"),
            (4_261_550, "4.26MB"),
            (224_000_000, "224MB"),
            (1_500_000_000, "1.5GB"),
        ];
        for (bytes, want) in table {
            assert_eq!(human_size(bytes), want, "{bytes}");
        }
    }
}
