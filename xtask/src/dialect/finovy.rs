//! Finovy open-API endpoint pages. (Being written.)

use crate::diag::Rejection;
use crate::dialect::Parsed;
use crate::markdown::Block;
use std::path::Path;

/// `1.接口描述`, with or without a space after the number.
pub fn is_description_heading(text: &str) -> bool {
    let t = text.trim();
    t.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches(['.', '、', ' ']).starts_with("接口描述")
}

pub fn parse(file: &Path, _blocks: &[Block]) -> Result<Parsed, Rejection> {
    Err(Rejection::Unsupported { file: file.to_path_buf(), reason: "Finovy dialect not implemented yet".into() })
}
