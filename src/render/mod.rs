//! Output that looks like docker's: tables, relative times, sizes, Go templates; and lesson
//! markdown for the terminal.

pub mod units;
