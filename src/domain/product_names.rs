//! Product-name normalisation (issue 9, R-APP-10): detected software names
//! carry their architecture and build ("Adobe Acrobat Pro 2024 (64-bit)",
//! "7-Zip 23.01 (x64)", "Visio (build 16.0.17231)"), which would split one
//! title into several and undercount it against its agreements. A year or a
//! bare release number stays: "Visio 2019" and "Visio 2021" are different
//! titles, licensed apart.

/// Architecture and bitness words, compared lowercase.
const ARCH: &[&str] = &[
    "x64", "x86", "x86_64", "x86-64", "amd64", "arm64", "aarch64", "64-bit", "32-bit", "64bit", "32bit",
    "win64",
];

/// Separators left dangling once a suffix goes ("Foo - x64" → "Foo").
const DANGLING: &[char] = &['-', '–', '—', ',', ';', ':', '_', '/'];

/// The title `raw` counts as: whitespace collapsed, architecture suffixes
/// and parenthesised build numbers removed from the end, case kept. A name
/// made only of such noise is kept as written (collapsed).
pub fn normalise(raw: &str) -> String {
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut title = collapsed.as_str();
    loop {
        let shorter =
            strip_suffix(title).trim_end_matches(|c: char| c.is_whitespace() || DANGLING.contains(&c));
        if shorter.len() == title.len() || shorter.is_empty() {
            break;
        }
        title = shorter;
    }
    title.to_owned()
}

/// How titles compare: case-insensitive, whitespace collapsed, after
/// [`normalise`]. Two raw names with one key are one title.
pub fn title_key(name: &str) -> String {
    normalise(name).to_lowercase()
}

/// `text` without one trailing noise suffix (itself when it has none).
fn strip_suffix(text: &str) -> &str {
    if let Some(inner_start) = bracketed_tail(text) {
        let inner = &text[inner_start..text.len() - 1];
        if is_noise(inner) {
            return &text[..inner_start - 1];
        }
        return text;
    }
    // ASCII lowercase keeps byte offsets, so they cut `text` too.
    let lower = text.to_ascii_lowercase();
    // "64 bit", "32 bit" are two words.
    for two in ["64 bit", "32 bit"] {
        if lower.ends_with(two) && word_start(&lower, lower.len() - two.len()) {
            return &text[..text.len() - two.len()];
        }
    }
    match lower.rsplit_once(' ') {
        Some((_, last)) if ARCH.contains(&last) => &text[..text.len() - last.len()],
        _ => text,
    }
}

/// Whether a word starts at byte `at` of `text`.
fn word_start(text: &str, at: usize) -> bool {
    at == 0 || text[..at].ends_with(' ')
}

/// The byte where the contents of a final "(…)" or "[…]" begin, if the
/// text ends with one.
fn bracketed_tail(text: &str) -> Option<usize> {
    let open = match text.chars().last()? {
        ')' => '(',
        ']' => '[',
        _ => return None,
    };
    text.rfind(open).map(|at| at + open.len_utf8())
}

/// Whether the contents of a trailing bracket are noise: architecture
/// words only ("64-bit", "x64 / 64 bit"), or a build or version number ("build 22621", "16.0.17231.20236", "v2.3").
fn is_noise(inner: &str) -> bool {
    let lower = inner.trim().to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',' || c == '/')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return true;
    }
    let arch = words
        .iter()
        .all(|w| ARCH.contains(w) || *w == "bit" || *w == "64" || *w == "32");
    arch || is_build(&lower)
}

/// "build 22621", "version 2.3", "v2.3", "2.3.1": a number with dots, or
/// any number after "build" or "version".
fn is_build(text: &str) -> bool {
    let (worded, number) = [("build", true), ("version", true), ("ver.", true), ("v", false)]
        .iter()
        .find_map(|(p, worded)| text.strip_prefix(p).map(|rest| (*worded, rest.trim_start())))
        .unwrap_or((false, text));
    let numeric = number.starts_with(|c: char| c.is_ascii_digit())
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !number.ends_with('.');
    numeric && (worded || number.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (raw, title): the table the normaliser must keep.
    const CASES: &[(&str, &str)] = &[
        ("Adobe Acrobat Pro 2024 (64-bit)", "Adobe Acrobat Pro 2024"),
        ("Adobe Acrobat Pro 2024", "Adobe Acrobat Pro 2024"),
        ("  Adobe   Acrobat Pro 2024  ", "Adobe Acrobat Pro 2024"),
        ("7-Zip 23.01 (x64)", "7-Zip 23.01"),
        ("7-Zip 23.01 x64", "7-Zip 23.01"),
        ("Notepad++ (x86)", "Notepad++"),
        ("Mozilla Firefox (x64 en-US)", "Mozilla Firefox (x64 en-US)"),
        ("Python 3.12.1 (64-bit)", "Python 3.12.1"),
        ("Java 8 Update 401 (64-bit)", "Java 8 Update 401"),
        (
            "Microsoft Visio Professional 2021 - x64",
            "Microsoft Visio Professional 2021",
        ),
        ("Zoom Workplace 64 bit", "Zoom Workplace"),
        ("Zoom Workplace 64-bit", "Zoom Workplace"),
        ("AutoCAD 2025 [64-bit]", "AutoCAD 2025"),
        ("Visio (build 16.0.17231)", "Visio"),
        ("Visio (Build 22621)", "Visio"),
        ("Tableau Desktop (2024.1.3)", "Tableau Desktop"),
        ("Tableau Desktop (v2024.1)", "Tableau Desktop"),
        ("Snagit (x64) (22.1.0)", "Snagit"),
        ("Snagit (22.1.0) (x64)", "Snagit"),
        ("Office (2019)", "Office (2019)"),
        ("Foo (version 5)", "Foo"),
        ("Foo (V5)", "Foo (V5)"),
        ("Foo (build 5.)", "Foo (build 5.)"),
        ("Ünïcode Tool (64-bit)", "Ünïcode Tool"),
        (
            "Microsoft 365 Apps for enterprise",
            "Microsoft 365 Apps for enterprise",
        ),
        ("Box64", "Box64"),
        ("Ax64 Tools", "Ax64 Tools"),
        ("(x64)", "(x64)"),
        ("x64", "x64"),
        ("Foo ()", "Foo"),
        ("Foo (ARM64)", "Foo"),
        ("Foo (32-bit)", "Foo"),
        ("Foo x86_64", "Foo"),
    ];

    #[test]
    fn every_raw_name_of_the_table_gives_its_title() {
        for (raw, title) in CASES {
            assert_eq!(normalise(raw), *title, "raw name {raw:?}");
        }
    }

    #[test]
    fn titles_compare_without_case_or_architecture() {
        assert_eq!(
            title_key("Adobe Acrobat Pro 2024 (64-bit)"),
            title_key("adobe acrobat PRO 2024")
        );
        assert_ne!(title_key("Visio 2019"), title_key("Visio 2021"));
    }

    #[test]
    fn normalising_twice_is_normalising_once() {
        for (raw, _) in CASES {
            assert_eq!(normalise(&normalise(raw)), normalise(raw), "raw name {raw:?}");
        }
    }
}
