//! Did-you-mean suggestions for misspelt field names and references.

/// The closest candidate to `word`, if one is close enough to be a plausible typo.
pub(crate) fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    // Allow roughly one edit per three characters, at least one.
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// `did you mean `x`?` or nothing.
pub(crate) fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("stke", ["stake", "name"]), Some("stake"));
        assert_eq!(closest("tempoo", ["tempo", "kappa"]), Some("tempo"));
        assert_eq!(closest("m-fsat", ["m-fast", "m-slow"]), Some("m-fast"));
        assert_eq!(closest("zzzzzz", ["stake", "name"]), None);
    }
}
