//! Paths in a scenario are written relative to the scenario file. These helpers resolve
//! them without touching the file system, and turn them back into the written form for
//! reports, so a report never depends on the working directory or the machine.

use std::path::{Component, Path, PathBuf};

/// Removes `.` and `name/..` pairs without touching the file system, so reports show
/// `data/x.csv` rather than `scenarios/../data/x.csv`. A leading `..` is kept.
pub fn lexically_normal(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

/// `path` relative to `base`, lexically (`data/a.csv` from `scenarios` is
/// `../data/a.csv`). Falls back to `path` as is when one is absolute and the other not.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let (path, base) = (lexically_normal(path), lexically_normal(base));
    if path.is_absolute() != base.is_absolute() {
        return path;
    }
    let path_parts: Vec<Component<'_>> = path.components().filter(|c| *c != Component::CurDir).collect();
    let base_parts: Vec<Component<'_>> = base.components().filter(|c| *c != Component::CurDir).collect();
    let common = path_parts.iter().zip(&base_parts).take_while(|(a, b)| a == b).count();
    if base_parts[common..].contains(&Component::ParentDir) {
        return path;
    }
    let mut out = PathBuf::new();
    for _ in common..base_parts.len() {
        out.push("..");
    }
    for part in &path_parts[common..] {
        out.push(part);
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_components_fold_lexically() {
        assert_eq!(
            lexically_normal(Path::new("scenarios/../data/a.csv")),
            Path::new("data/a.csv")
        );
        assert_eq!(lexically_normal(Path::new("./a/./b/../c.csv")), Path::new("a/c.csv"));
        assert_eq!(lexically_normal(Path::new("../data/a.csv")), Path::new("../data/a.csv"));
        assert_eq!(lexically_normal(Path::new("/x/y/../z")), Path::new("/x/z"));
        assert_eq!(lexically_normal(Path::new("a/..")), Path::new("."));
    }

    #[test]
    fn relative_to_gives_the_same_answer_from_anywhere() {
        // The same scenario opened as scenarios/s.toml, as s.toml from inside scenarios/,
        // and by an absolute path: the data file always reads ../data/a.csv.
        assert_eq!(
            relative_to(Path::new("data/a.csv"), Path::new("scenarios")),
            Path::new("../data/a.csv")
        );
        assert_eq!(
            relative_to(Path::new("../data/a.csv"), Path::new("")),
            Path::new("../data/a.csv")
        );
        assert_eq!(
            relative_to(Path::new("/work/main/data/a.csv"), Path::new("/work/main/scenarios")),
            Path::new("../data/a.csv")
        );
        assert_eq!(
            relative_to(Path::new("scenarios/sig.csv"), Path::new("scenarios")),
            Path::new("sig.csv")
        );
    }
}
