//! ftc: the library behind the `ftc` command.
//!
//! The build is one pipeline, each stage a module with one input type and one output type:
//! ingest (files → [`ingest::Submissions`]) → validate (→ [`validate::Dataset`]) → analyse →
//! disclose → render → publish. See `build.rs` for the order.

pub mod analyse;
pub mod build;
pub mod check;
pub mod disclose;
pub mod finding;
pub mod geography;
pub mod ingest;
pub mod init;
pub mod period;
pub mod project;
pub mod publish;
pub mod render;
#[cfg(feature = "serve")]
pub mod serve;
pub mod synth;
pub mod template;
pub mod validate;
