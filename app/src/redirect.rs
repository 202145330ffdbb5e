//! Where a redirect may send a browser: a path on this site, never another site. Every
//! redirect target that comes from a request (a `next` field, a page's own address, a
//! server function's way back) goes through [`same_site_path`].

/// `target` (trimmed) if it is a path on this site: it starts with one `/`, and holds no `\`
/// and no control character, which browsers read as the start of another host
/// (`//evil.example/`, `/\evil.example/`, `/\t/evil.example/`).
pub fn same_site_path(target: &str) -> Option<&str> {
    let path = target.trim();
    let safe = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control);
    safe.then_some(path)
}

/// `target` if it is a path on this site, else `fallback`.
pub fn same_site_or(target: Option<&str>, fallback: &str) -> String {
    target
        .and_then(same_site_path)
        .unwrap_or(fallback)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        for good in ["/", "/tasks?tag=home", " /account ", "/a//b", "/tasks#x"] {
            assert_eq!(same_site_path(good), Some(good.trim()), "{good:?}");
        }
        for bad in [
            "//evil.example/",
            "/\\evil.example/",
            "\\\\evil.example",
            "/\t/evil.example",
            "https://evil.example/",
            "evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(same_site_path(bad), None, "{bad:?}");
        }
        assert_eq!(same_site_or(Some("//x"), "/tasks"), "/tasks");
        assert_eq!(same_site_or(None, "/"), "/");
    }
}
