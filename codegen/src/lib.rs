//! vapi-codegen
pub mod ast;
pub mod decode;
pub mod diag;
pub mod docs;
pub mod emit;
pub mod ir;
pub mod load;
pub mod naming;
pub mod render;
pub mod resolve;
pub mod yaml;
