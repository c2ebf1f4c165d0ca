//! The expected outcome of every file in tests/agreements_corpus.

use seats::domain::agreement_rules::Rule;

/// A good file: how many sets it holds and the header line it has.
pub struct Good {
    pub file: &'static str,
    pub sets: usize,
    pub header: Option<usize>,
}

pub const GOOD: &[Good] = &[
    Good {
        file: "good_bom.csv",
        sets: 1,
        header: None,
    },
    Good {
        file: "good_crlf_blank_lines.csv",
        sets: 3,
        header: None,
    },
    Good {
        file: "good_quoted_commas.csv",
        sets: 2,
        header: None,
    },
    Good {
        file: "good_header.csv",
        sets: 2,
        header: Some(1),
    },
    Good {
        file: "good_two_columns.csv",
        sets: 2,
        header: None,
    },
    Good {
        file: "good_trailing_empty_cells.csv",
        sets: 2,
        header: None,
    },
];

/// A bad file and every (line, rule) it must be refused with, in order;
/// line None is the file as a whole.
/// (line, rule) of one expected problem.
pub type Expected = (Option<usize>, Rule);

pub const BAD: &[(&str, &[Expected])] = &[
    ("bad_pair_17_characters.csv", &[(Some(1), Rule::PairLength)]),
    (
        "bad_non_ascii_digits.csv",
        &[(Some(1), Rule::Ascii), (Some(2), Rule::Ascii)],
    ),
    (
        "bad_forbidden_name_characters.csv",
        &[
            (Some(1), Rule::NameCharacters),
            (Some(2), Rule::NameCharacters),
            (Some(3), Rule::NameCharacters),
            (Some(4), Rule::NameCharacters),
        ],
    ),
    (
        "bad_quoted_name_parenthesis.csv",
        &[(Some(2), Rule::NameCharacters)],
    ),
    ("bad_duplicate_name.csv", &[(Some(3), Rule::DuplicateName)]),
    ("bad_duplicate_pair.csv", &[(Some(2), Rule::DuplicatePair)]),
    ("bad_empty.csv", &[(None, Rule::SetCount)]),
    ("bad_blank_only.csv", &[(None, Rule::SetCount)]),
    ("bad_header_only.csv", &[(None, Rule::SetCount)]),
    ("bad_four_columns.csv", &[(Some(1), Rule::Columns)]),
    ("bad_one_column.csv", &[(Some(1), Rule::MissingNumber)]),
    ("bad_not_utf8_name.csv", &[(Some(1), Rule::Encoding)]),
    (
        "bad_every_line_listed.csv",
        &[
            (Some(2), Rule::MissingNumber),
            (Some(3), Rule::Ascii),
            (Some(5), Rule::NameCharacters),
            (Some(6), Rule::Columns),
        ],
    ),
];
