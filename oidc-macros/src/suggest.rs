//! "Did you mean" hints.

/// The candidate closest to `input`, if it is close enough to be a typo.
pub(crate) fn closest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let input_lower = input.to_ascii_lowercase().replace('-', "_");
    candidates
        .iter()
        .map(|c| (distance(&input_lower, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(input.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// ` did you mean `x`?` (with `quote` around the candidate) or nothing.
pub(crate) fn did_you_mean(input: &str, candidates: &[&str], quote: &str) -> String {
    closest(input, candidates)
        .map(|c| format!(" did you mean {quote}{c}{quote}?"))
        .unwrap_or_default()
}

/// Optimal string alignment distance (Levenshtein plus transpositions).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_suggested_and_strangers_are_not() {
        let keys = ["issuer", "scopes", "response_mode", "prompt", "auth_method"];
        assert_eq!(closest("scope", &keys), Some("scopes"));
        assert_eq!(closest("isuer", &keys), Some("issuer"));
        assert_eq!(closest("respones_mode", &keys), Some("response_mode"));
        assert_eq!(
            closest("form-post", &["form_post", "query"]),
            Some("form_post")
        );
        assert_eq!(closest("colour", &keys), None);
        assert_eq!(closest("x", &["none"]), None);
    }
}
