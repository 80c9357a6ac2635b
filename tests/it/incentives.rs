use std::path::PathBuf;
use skillbridge::incentives::Catalog;

fn shipped() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("taxonomies/incentives")
}

#[test]
fn shipped_rules_load() {
    let catalog = Catalog::load(&shipped()).unwrap();
    assert_eq!(catalog.incentives().len(), 12);
}
