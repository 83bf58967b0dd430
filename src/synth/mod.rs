//! Synthetic data: the demo project's submissions (being written).

/// Writes the demo submissions under `root/submissions/`.
pub fn write_demo(
    _geo: &crate::geography::Geography,
    _root: &std::path::Path,
    _seed: u64,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    anyhow::bail!("the demo generator is not written yet")
}
