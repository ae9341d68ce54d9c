//! A plain tree of TOML values, each remembering where it came from (a line of the file,
//! or a `--set` override). The parser reads the file with `toml_edit` (which keeps byte
//! spans), converts it to this tree, applies the overrides to the tree, and validates the
//! tree. Keeping our own tree makes overrides simple and keeps `toml_edit` types out of
//! the validation code.

use super::error::FieldError;
use std::fmt;
use toml_edit::{Item, Value};

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A 1-based line of the scenario file (`None` if the parser gave no span).
    File(Option<usize>),
    /// A `--set key=value` override.
    Set,
}

impl Origin {
    pub(crate) fn line(self) -> Option<usize> {
        match self {
            Origin::File(line) => line,
            Origin::Set => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub kind: Kind,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A TOML date/time literal, kept as its text.
    Datetime(String),
    Array(Vec<Node>),
    Table(Vec<Entry>),
}

/// One `key = value` of a table, in file order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub key: String,
    /// Where the key was written (for "unknown field" errors).
    pub key_origin: Origin,
    pub node: Node,
}

impl Node {
    pub(crate) fn table(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Table(entries) => Some(entries),
            _ => None,
        }
    }
}

/// Describes a value for "found ..." in error messages: `string "abc"`, `integer 5`.
pub(crate) struct Found<'a>(pub &'a Node);

impl fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            Kind::Str(s) => write!(f, "string {s:?}"),
            Kind::Int(i) => write!(f, "integer {i}"),
            Kind::Float(x) => write!(f, "float {x}"),
            Kind::Bool(b) => write!(f, "boolean {b}"),
            Kind::Datetime(d) => write!(f, "datetime {d}"),
            Kind::Array(items) => write!(f, "an array of {} item(s)", items.len()),
            Kind::Table(_) => write!(f, "a table"),
        }
    }
}

/// Turns byte offsets into 1-based line numbers.
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }

    pub(crate) fn column(&self, offset: usize) -> usize {
        let line = self.line(offset);
        offset - self.starts[line - 1] + 1
    }

    fn origin(&self, span: Option<std::ops::Range<usize>>, fallback: Origin) -> Origin {
        match span {
            Some(span) => Origin::File(Some(self.line(span.start))),
            None => fallback,
        }
    }
}

/// Converts the parsed document's root table.
pub(crate) fn from_document(root: &toml_edit::Table, lines: &Lines) -> Node {
    // The root table has no header: it has no line of its own.
    from_table(root, Origin::File(None), lines)
}

fn from_table(table: &toml_edit::Table, origin: Origin, lines: &Lines) -> Node {
    let mut entries = Vec::with_capacity(table.len());
    for (key, item) in table.iter() {
        let key_origin = lines.origin(table.key(key).and_then(|k| k.span()), origin);
        if let Some(node) = from_item(item, key_origin, lines) {
            entries.push(Entry {
                key: key.to_string(),
                key_origin,
                node,
            });
        }
    }
    Node {
        kind: Kind::Table(entries),
        origin,
    }
}

fn from_item(item: &Item, fallback: Origin, lines: &Lines) -> Option<Node> {
    match item {
        Item::None => None,
        Item::Value(value) => Some(from_value(value, fallback, lines)),
        Item::Table(table) => Some(from_table(table, lines.origin(table.span(), fallback), lines)),
        Item::ArrayOfTables(array) => {
            let origin = lines.origin(array.span(), fallback);
            let items = array
                .iter()
                .map(|t| from_table(t, lines.origin(t.span(), origin), lines))
                .collect();
            Some(Node {
                kind: Kind::Array(items),
                origin,
            })
        }
    }
}

fn from_value(value: &Value, fallback: Origin, lines: &Lines) -> Node {
    let origin = lines.origin(value.span(), fallback);
    let kind = match value {
        Value::String(s) => Kind::Str(s.value().clone()),
        Value::Integer(i) => Kind::Int(*i.value()),
        Value::Float(x) => Kind::Float(*x.value()),
        Value::Boolean(b) => Kind::Bool(*b.value()),
        Value::Datetime(d) => Kind::Datetime(d.value().to_string()),
        Value::Array(array) => Kind::Array(array.iter().map(|v| from_value(v, origin, lines)).collect()),
        Value::InlineTable(table) => {
            let mut entries = Vec::with_capacity(table.len());
            for (key, v) in table.iter() {
                let key_origin = lines.origin(table.key(key).and_then(|k| k.span()), origin);
                entries.push(Entry {
                    key: key.to_string(),
                    key_origin,
                    node: from_value(v, key_origin, lines),
                });
            }
            Kind::Table(entries)
        }
    };
    Node { kind, origin }
}

/// Marks a whole subtree as coming from `--set`.
fn mark_set(node: &mut Node) {
    node.origin = Origin::Set;
    match &mut node.kind {
        Kind::Array(items) => items.iter_mut().for_each(mark_set),
        Kind::Table(entries) => {
            for entry in entries {
                entry.key_origin = Origin::Set;
                mark_set(&mut entry.node);
            }
        }
        _ => {}
    }
}

/// Parses an override's value: a TOML value if it is one, else the text as a bare string.
fn override_value(text: &str) -> Node {
    let lines = Lines::new(text);
    let mut node = match text.parse::<Value>() {
        Ok(value) => from_value(&value, Origin::Set, &lines),
        Err(_) => Node {
            kind: Kind::Str(text.to_string()),
            origin: Origin::Set,
        },
    };
    mark_set(&mut node);
    node
}

/// Applies one `--set key=value` override to the tree. A numeric key segment indexes an
/// array (the index one past the end appends a new table). Returns the problem if the
/// override is malformed or its path runs through something that is not a table or array.
pub(crate) fn apply_override(root: &mut Node, text: &str) -> Result<(), FieldError> {
    let set_error = |path: &str, message: String| FieldError::new(path, None, format!("(--set) {message}"));
    let Some((key, value)) = text.split_once('=') else {
        return Err(set_error("", format!("{text:?}: expected key=value")));
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(set_error("", format!("{text:?}: empty key, expected key=value")));
    }
    let segments: Vec<&str> = key.split('.').map(str::trim).collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(set_error(key, format!("{text:?}: empty segment in key")));
    }
    let value = override_value(value.trim());

    let mut node = root;
    let mut walked = String::new();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let here = if walked.is_empty() {
            "the document".to_string()
        } else {
            format!("`{walked}`")
        };
        if !matches!(node.kind, Kind::Table(_) | Kind::Array(_)) {
            let found = Found(node);
            return Err(set_error(
                key,
                format!("cannot set a field inside {here}: it is {found}, not a table"),
            ));
        }
        node = match &mut node.kind {
            Kind::Table(entries) => {
                let position = match entries.iter().position(|e| e.key == *segment) {
                    Some(position) => position,
                    None => {
                        let node = Node {
                            kind: Kind::Table(Vec::new()),
                            origin: Origin::Set,
                        };
                        entries.push(Entry {
                            key: segment.to_string(),
                            key_origin: Origin::Set,
                            node,
                        });
                        entries.len() - 1
                    }
                };
                if last {
                    entries[position].key_origin = Origin::Set;
                }
                &mut entries[position].node
            }
            Kind::Array(items) => {
                let Ok(index) = segment.parse::<usize>() else {
                    return Err(set_error(
                        key,
                        format!("{here} is an array: expected a numeric index, found {segment:?}"),
                    ));
                };
                if index > items.len() {
                    return Err(set_error(
                        key,
                        format!("index {index} is out of range: {here} has {} item(s)", items.len()),
                    ));
                }
                if index == items.len() {
                    items.push(Node {
                        kind: Kind::Table(Vec::new()),
                        origin: Origin::Set,
                    });
                }
                &mut items[index]
            }
            _ => unreachable!("checked above: tables and arrays only"),
        };
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(segment);
    }
    *node = value;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Node {
        let doc = toml_edit::Document::parse(text).unwrap();
        from_document(doc.as_table(), &Lines::new(text))
    }

    fn get<'a>(node: &'a Node, key: &str) -> &'a Node {
        &node.table().unwrap().iter().find(|e| e.key == key).unwrap().node
    }

    #[test]
    fn lines_from_offsets() {
        let lines = Lines::new("a\nbc\n\nd");
        assert_eq!(lines.line(0), 1);
        assert_eq!(lines.line(1), 1);
        assert_eq!(lines.line(2), 2);
        assert_eq!(lines.line(5), 3);
        assert_eq!(lines.line(6), 4);
        assert_eq!(lines.column(3), 2);
    }

    #[test]
    fn converts_with_lines() {
        let root = tree("# c\na = 1\nb.c = \"x\"\n\n[t]\nd = [1.5, true]\n\n[[arr]]\ne = 1\n[[arr]]\ne = 2\n");
        assert_eq!(
            get(&root, "a"),
            &Node {
                kind: Kind::Int(1),
                origin: Origin::File(Some(2))
            }
        );
        assert_eq!(get(get(&root, "b"), "c").kind, Kind::Str("x".into()));
        assert_eq!(get(&root, "t").origin, Origin::File(Some(5)));
        let Kind::Array(items) = &get(get(&root, "t"), "d").kind else {
            panic!()
        };
        assert_eq!(items[0].kind, Kind::Float(1.5));
        assert_eq!(items[1].origin, Origin::File(Some(6)));
        let Kind::Array(tables) = &get(&root, "arr").kind else {
            panic!()
        };
        assert_eq!(tables[1].origin, Origin::File(Some(10)));
        assert_eq!(get(&tables[1], "e").origin, Origin::File(Some(11)));
    }

    #[test]
    fn overrides_set_replace_and_append() {
        let mut root = tree("a = 1\n[[arr]]\ne = 1\n");
        apply_override(&mut root, "a=2.5").unwrap();
        assert_eq!(
            get(&root, "a"),
            &Node {
                kind: Kind::Float(2.5),
                origin: Origin::Set
            }
        );
        apply_override(&mut root, "t.u = fixed_bps").unwrap();
        assert_eq!(get(get(&root, "t"), "u").kind, Kind::Str("fixed_bps".into()));
        apply_override(&mut root, "arr.0.e=\"s\"").unwrap();
        apply_override(&mut root, "arr.1.e=[1, 2]").unwrap();
        let Kind::Array(tables) = &get(&root, "arr").kind else {
            panic!()
        };
        assert_eq!(get(&tables[0], "e").kind, Kind::Str("s".into()));
        assert!(matches!(&get(&tables[1], "e").kind, Kind::Array(v) if v.len() == 2));
    }

    #[test]
    fn malformed_overrides() {
        let mut root = tree("a = 1\n[[arr]]\ne = 1\n");
        for bad in ["novalue", "=3", "a..b=1", "a.b=1", "arr.x=1", "arr.5.e=1"] {
            let err = apply_override(&mut root, bad).unwrap_err();
            assert!(err.message.starts_with("(--set) "), "{bad}: {err:?}");
            assert_eq!(err.line, None);
        }
    }
}
