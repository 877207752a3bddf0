use std::fmt;
use std::str::FromStr;

/// `--shard I/N`: run the I-th of N stable slices of the files (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Files are dealt round-robin in sorted order, so shards stay balanced and stable.
    pub fn select<T>(&self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.count == self.index - 1)
            .map(|(_, x)| x)
            .collect()
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("invalid shard `{s}`: expected I/N with 1 <= I <= N, like `1/3`");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_partition() {
        for bad in ["0/2", "3/2", "1/0", "x", "1-2", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let items: Vec<u32> = (0..7).collect();
        let mut all: Vec<u32> = (1..=3)
            .flat_map(|i| Shard { index: i, count: 3 }.select(items.clone()))
            .collect();
        all.sort();
        assert_eq!(all, items);
        assert_eq!("2/3".parse::<Shard>().unwrap().select(items), vec![1, 4]);
    }
}
