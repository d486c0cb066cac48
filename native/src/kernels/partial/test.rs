use super::*;

#[test]
fn i128_travels_as_hi_lo_pairs() {
    for value in [
        0i128,
        1,
        -1,
        i128::MAX,
        i128::MIN,
        1 << 64,
        -(1 << 64) + 5,
        (1 << 100) + 77,
    ] {
        let (hi, lo) = split_i128(value);
        assert_eq!(join_i128(hi, lo), value);
    }
}

#[test]
fn moments_overflow_is_an_error_naming_the_column() {
    let mut moments = Moments {
        count: 0,
        sum: i128::MAX - 1,
        sum_of_squares: 0,
    };
    let message = moments.add(5, "value_0").unwrap_err().to_string();
    assert!(
        message.contains("value_0") && message.contains("sum"),
        "{message}"
    );
}

#[test]
fn column_names_follow_the_spec() {
    let names: Vec<String> = partial_schema(&PartialSpec::Distinct)
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["fp", "item_0", "item_1"]);
    assert_eq!(partial_schema(&PartialSpec::Count).fields().len(), 2);
}
