//! Output that looks like docker's: tables, relative times, sizes, Go templates.

pub mod formatter;
pub mod json;
pub mod table;
pub mod template;
pub mod units;
