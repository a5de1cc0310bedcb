//! The repository stands alone: a fresh clone with nothing beside it has every
//! document, fixture and link it needs.
//!
//! - No tracked text file names the planning directory that used to sit beside
//!   the checkout, or an absolute path of one machine (its work, home or root
//!   directories). Lock files, which record registry paths, and binary files are
//!   left out.
//! - Every relative link in every tracked Markdown file (`[text](path)`,
//!   `![alt](path)` and `[label]: path`) leads to a tracked file, or to a
//!   directory holding one, inside the repository. Web links, `mailto:` and
//!   anchors within the same page are not checked; a link's own `#anchor` is
//!   dropped before its path is looked up.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use switchyard_e2e::repo_root;

/// Files that may name machine paths: lock files record where packages came from.
const LOCK_FILES: &[&str] = &["Cargo.lock", "ui/package-lock.json"];

/// The text no tracked file may hold. Built from pieces, so that this file
/// does not hold it either.
fn forbidden() -> Vec<String> {
    let sibling = ["..", "shared"].join("/");
    let mut out = vec![sibling];
    out.extend(["work", "home", "root"].map(|dir| format!("/{dir}/")));
    out
}

/// Every tracked path, relative to the root, with `/` separators.
fn tracked_files(root: &Path) -> Vec<String> {
    let output = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output()
        .unwrap_or_else(|e| panic!("running `git ls-files` in {}: {e}", root.display()));
    assert!(
        output.status.success(),
        "`git ls-files` failed in {}: {}",
        root.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let files: Vec<String> = output
        .stdout
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect();
    assert!(!files.is_empty(), "`git ls-files` listed nothing");
    files
}

/// The file's text, or `None` for a binary file (a NUL byte, or not UTF-8) or
/// one deleted from the working tree but still in the index.
fn text_of(root: &Path, file: &str) -> Option<String> {
    let bytes = match std::fs::read(root.join(file)) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("{file}: {e}"),
    };
    if bytes.contains(&0) {
        return None;
    }
    String::from_utf8(bytes).ok()
}

#[test]
fn no_tracked_file_names_a_path_outside_the_repository() {
    let root = repo_root();
    let forbidden = forbidden();
    let mut found = Vec::new();
    for file in tracked_files(&root) {
        if LOCK_FILES.contains(&file.as_str()) {
            continue;
        }
        let Some(text) = text_of(&root, &file) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            for needle in &forbidden {
                if line.contains(needle.as_str()) {
                    found.push(format!("{file}:{}: `{needle}` in: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "tracked files name paths outside the repository (point at docs/ or fixtures/ instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn every_relative_markdown_link_resolves() {
    let root = repo_root();
    let files = tracked_files(&root);
    let tracked = Tracked::new(&files);
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in files.iter().filter(|f| f.ends_with(".md")) {
        let Some(text) = text_of(&root, file) else {
            continue;
        };
        let dir = Path::new(file).parent().unwrap_or(Path::new(""));
        for (line, target) in links(&text) {
            let Some(path) = local_path(&target) else {
                continue;
            };
            checked += 1;
            let joined = if let Some(from_root) = path.strip_prefix('/') {
                PathBuf::from(from_root)
            } else {
                dir.join(&path)
            };
            match normalize(&joined) {
                None => broken.push(format!(
                    "{file}:{line}: `{target}` leads outside the repository"
                )),
                Some(rel) if !tracked.contains(&rel) => broken.push(format!(
                    "{file}:{line}: `{target}` names `{rel}`, which is not a tracked file or directory"
                )),
                Some(_) => {}
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(
        checked > 20,
        "only {checked} relative links found: is the link parser broken?"
    );
}

/// The tracked files and every directory above them.
struct Tracked {
    paths: BTreeSet<String>,
}

impl Tracked {
    fn new(files: &[String]) -> Self {
        let mut paths = BTreeSet::new();
        for file in files {
            paths.insert(file.clone());
            let mut dir = file.as_str();
            while let Some(cut) = dir.rfind('/') {
                dir = &dir[..cut];
                paths.insert(dir.to_owned());
            }
        }
        paths.insert(String::new());
        Self { paths }
    }

    fn contains(&self, rel: &str) -> bool {
        self.paths.contains(rel.trim_end_matches('/'))
    }
}

/// `path` relative to the root without `.` and `..`, with `/` separators;
/// `None` when it climbs above the root.
fn normalize(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

/// The path a link target names in the repository, or `None` for a web link,
/// a mail address or an anchor in the same page. The `#anchor` is dropped and
/// `%XX` escapes are decoded.
fn local_path(target: &str) -> Option<String> {
    let lower = target.to_ascii_lowercase();
    if target.is_empty()
        || target.starts_with('#')
        || ["http://", "https://", "mailto:"]
            .iter()
            .any(|scheme| lower.starts_with(scheme))
    {
        return None;
    }
    let path = target.split('#').next().unwrap_or(target);
    (!path.is_empty()).then(|| percent_decode(path))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every link target in a Markdown text, with its 1-based line: inline links
/// and images (`[text](target)`, `![alt](target)`) and link definitions
/// (`[label]: target`). Fenced code blocks and inline code spans are skipped.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        if let Some(open) = &fence {
            if trimmed.starts_with(open.as_str()) {
                fence = None;
            }
            continue;
        }
        if let Some(marker) = fence_marker(trimmed) {
            fence = Some(marker);
            continue;
        }
        let line = without_code_spans(raw);
        if let Some(target) = definition(&line) {
            out.push((n + 1, target));
        }
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let (target, used) = destination(after);
            if let Some(target) = target {
                out.push((n + 1, target));
            }
            rest = &after[used..];
        }
    }
    out
}

/// The fence that opens a code block on this line (three or more backticks
/// or tildes), if any.
fn fence_marker(line: &str) -> Option<String> {
    for mark in ['`', '~'] {
        let count = line.chars().take_while(|&c| c == mark).count();
        if count >= 3 {
            return Some(mark.to_string().repeat(count));
        }
    }
    None
}

/// The line with the contents of its inline code spans blanked out.
fn without_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&c| c == '`').count();
        let body = i + run;
        let close = (body..chars.len()).find(|&j| {
            chars[j..].iter().take_while(|&&c| c == '`').count() == run
                && (j == 0 || chars[j - 1] != '`')
        });
        match close {
            Some(j) => {
                out.extend(std::iter::repeat_n(' ', j + run - i));
                i = j + run;
            }
            None => {
                out.extend(&chars[i..body]);
                i = body;
            }
        }
    }
    out
}

/// The target of a link definition line, `[label]: target`.
fn definition(line: &str) -> Option<String> {
    let line = line.trim_start();
    let rest = line.strip_prefix('[')?;
    let close = rest.find("]:")?;
    if close == 0 || rest[..close].contains('[') {
        return None;
    }
    let target = rest[close + 2..].split_whitespace().next()?;
    Some(
        target
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_owned(),
    )
}

/// The destination at the start of `after` (the text after `](`), and how many
/// bytes it spans. `<...>` destinations may hold spaces; bare ones end at a
/// space or at the `)` that balances the opening one.
fn destination(after: &str) -> (Option<String>, usize) {
    if let Some(inner) = after.strip_prefix('<') {
        return match inner.find('>') {
            Some(end) => (Some(inner[..end].to_owned()), end + 2),
            None => (None, 0),
        };
    }
    let mut depth = 0usize;
    for (i, c) in after.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return (Some(after[..i].to_owned()), i + 1),
            ')' => depth -= 1,
            c if c.is_whitespace() => {
                let end = after[i..].find(')').map_or(after.len(), |j| i + j + 1);
                return (Some(after[..i].to_owned()), end);
            }
            _ => {}
        }
    }
    (None, after.len())
}

#[test]
fn the_link_parser_reads_what_markdown_means() {
    let text = "See [the model](docs/MODEL.md#3-figures) and ![shot](a/b.png \"title\").\n\
                `[not](a-link)` and [web](https://example.com/x) and [here](#top).\n\
                ```\n[in](code-block)\n```\n\
                [ref]: fixtures/litellm/SOURCE.md\n\
                [spaced](<a b.md>) [paren](f(x).md)\n";
    let targets: Vec<String> = links(text).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        targets,
        [
            "docs/MODEL.md#3-figures",
            "a/b.png",
            "https://example.com/x",
            "#top",
            "fixtures/litellm/SOURCE.md",
            "a b.md",
            "f(x).md",
        ]
    );
    assert_eq!(local_path("https://example.com/x"), None);
    assert_eq!(local_path("#top"), None);
    assert_eq!(local_path("MODEL.md#1-things").as_deref(), Some("MODEL.md"));
    assert_eq!(local_path("a%20b.md").as_deref(), Some("a b.md"));
    assert_eq!(
        normalize(Path::new("docs/../fixtures/./x")).as_deref(),
        Some("fixtures/x")
    );
    assert_eq!(normalize(Path::new("docs/../../outside")), None);
}

#[test]
fn the_forbidden_text_is_what_the_check_looks_for() {
    let forbidden = forbidden();
    assert_eq!(forbidden.len(), 4);
    assert!(forbidden.iter().all(|f| f.contains('/')));
    assert!(forbidden[0].starts_with(".."));
}
