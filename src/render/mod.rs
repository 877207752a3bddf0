//! Output that looks like docker's: tables, relative times, sizes, Go templates.

pub mod formatter;
pub mod json;
pub mod table;
pub mod template;
pub mod units;

// The tutor's own output: lesson markdown and semantic colours.
pub mod markdown;
pub mod style;
