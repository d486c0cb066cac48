//! Every text the JVM can hand to the native edge — measurement requests, plans, budgets, constraints, column
//! lists, partial specs — gives `Ok` or an `Err`, never a panic (issue 11 #8: a panic would reach the JVM as
//! an internal error at best). Inputs: valid texts mutated byte by byte (deletions, insertions and
//! replacements from the grammar's own punctuation and digits, and arbitrary characters), and arbitrary
//! strings. Each run draws new cases; proptest shrinks a failing input and prints it, to add here as a case.
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

use sparkdp::kernels::edge_ops;

const SECRET: [u8; 32] = [7; 32];

/// Valid texts of every kind the edge parses, to mutate.
fn seeds() -> Vec<String> {
    let requests = [
        "aggregation=count\nbudget=pure:1\nchange=AddRowsWithID\nconstraints=MaxRowsPerID:20\ngroupby=5:title\nmechanism=default",
        "aggregation=sum\nbudget=zcdp:1/2\nchange=AddOneRow\nconstraints=\ngroupby=\nmechanism=gaussian\ncolumn=3:age\ncolumn_type=int\nlow=-2\nhigh=5",
        "aggregation=average\nbudget=approx:1:1/1000000\nchange=AddMaxRows:3\nconstraints=\ngroupby=4:shop\nmechanism=laplace\ncolumn=5:price\ncolumn_type=float\nlow=0.0\nhigh=1.0E10",
        "aggregation=quantile\nbudget=pure:2\nchange=AddRowsWithID\nconstraints=MaxGroupsPerID:2:4:shop;MaxRowsPerGroupPerID:3:4:shop\ngroupby=4:shop\nmechanism=default\ncolumn=1:x\ncolumn_type=float\nlow=-1.5\nhigh=1.5\nquantile=0.5",
        "aggregation=get_groups\nbudget=approx:1:1/100000\nchange=AddOneRow\nconstraints=\ngroupby=4:shop\nmechanism=default",
        "aggregation=count_distinct\nbudget=pure:inf\nchange=AddMaxRowsInMaxGroups:2:3:4:shop\nconstraints=\ngroupby=4:shop\nmechanism=default",
    ];
    let mut seeds: Vec<String> = requests.iter().map(|s| s.to_string()).collect();
    for request in requests {
        if let Ok(plan) = edge_ops::plan_measurement_text(request) {
            seeds.push(plan);
        }
    }
    seeds.extend(
        [
            "pure:1",
            "approx:1:1/1000000",
            "zcdp:1/2",
            "pure:inf",
            "MaxRowsPerID:20;MaxGroupsPerID:2:4:shop",
            "5:title;6:author",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    seeds
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Insert(usize, char),
    Replace(usize, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let interesting = prop_oneof![
        prop::sample::select(vec![
            ':', ';', '=', '\n', '/', '-', '.', 'e', 'E', '0', '1', '9', ' ', '\u{0}', 'é'
        ]),
        any::<char>(),
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), interesting.clone()).prop_map(|(at, c)| Edit::Insert(at, c)),
        (any::<usize>(), interesting).prop_map(|(at, c)| Edit::Replace(at, c)),
    ]
}

fn apply(seed: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for edit in edits {
        let len = chars.len();
        match *edit {
            Edit::Delete(at) if len > 0 => {
                chars.remove(at % len);
            }
            Edit::Insert(at, c) => chars.insert(at % (len + 1), c),
            Edit::Replace(at, c) if len > 0 => chars[at % len] = c,
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// Calls every text-taking edge function with `text` (handles opened are closed again). Returning at all is
/// the property: a panic fails the test.
fn feed(text: &str) {
    let _ = edge_ops::plan_measurement_text(text);
    let _ = edge_ops::budget_charge(text, "pure:1");
    let _ = edge_ops::budget_charge("approx:1:1/2", text);
    let _ = edge_ops::budget_subtract(text, text);
    let _ = edge_ops::budget_to_doubles(text, false);
    let _ = edge_ops::number_to_double(text, true);
    if let Ok(handle) = edge_ops::truncation_open(text, "") {
        let _ = edge_ops::truncation_close(handle);
    }
    if let Ok(handle) = edge_ops::truncation_open("MaxRowsPerID:2", text) {
        let _ = edge_ops::truncation_close(handle);
    }
    if let Ok(handle) = edge_ops::truncation_open_partial("", "", text) {
        let _ = edge_ops::truncation_close(handle);
    }
    if let Ok(handle) = edge_ops::release_open(text, &SECRET, 0) {
        let _ = edge_ops::release_finish(handle);
        let _ = edge_ops::release_close(handle);
    }
}

fn config() -> Config {
    Config {
        cases: 3000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_valid_texts_never_panic(seed in prop::sample::select(seeds()), edits in prop::collection::vec(edit(), 1..6)) {
        feed(&apply(&seed, &edits));
    }

    #[test]
    fn arbitrary_strings_never_panic(text in ".{0,200}") {
        feed(&text);
    }
}

#[test]
fn the_seeds_are_valid_so_mutations_start_from_deep_inside_the_parsers() {
    // Every request seed plans; every plan seed opens a release pass. Without this the mutations would only
    // ever exercise the first line of each parser.
    let seeds = seeds();
    let plans: Vec<&String> = seeds.iter().filter(|s| s.starts_with("measure=")).collect();
    assert_eq!(plans.len(), 6, "every request seed must plan");
    for plan in plans {
        let handle =
            edge_ops::release_open(plan, &SECRET, 0).expect("a planned text opens a release");
        edge_ops::release_close(handle).unwrap();
    }
}
