//! The newcomer's map (`docs/architecture.md`) names every module of the store, so a reader
//! finds where each document's storage lives.

#[test]
fn every_store_module_is_on_the_map() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = std::fs::read_to_string(root.join("../../docs/architecture.md"))
        .expect("docs/architecture.md");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root.join("src")).expect("src") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("file name")
            .to_owned();
        let listed = if path.is_dir() {
            format!("`{name}/`")
        } else if name == "lib.rs" {
            continue;
        } else {
            format!("`{name}`")
        };
        if !map.contains(&listed) {
            missing.push(listed);
        }
    }
    assert!(
        missing.is_empty(),
        "modules missing from docs/architecture.md: {missing:?}"
    );
}
