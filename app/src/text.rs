//! Rules every user-supplied text field shares, in the browser and on the server.
//!
//! No control characters but tab and newline: NUL cannot be stored by PostgreSQL at all,
//! and the others only confuse whatever shows the text later.

use std::borrow::Cow;

use crate::error::FieldError;

/// Line breaks as a single `\n`: browsers send `<textarea>` content with `\r\n`.
pub fn unify_line_breaks(text: &str) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Refuses NUL and every other control character except tab and newline.
pub fn refuse_control_characters(field: &str, text: &str) -> Result<(), FieldError> {
    if text
        .chars()
        .any(|c| c.is_control() && c != '\t' && c != '\n')
    {
        return Err(FieldError::body(
            field,
            "value_error.control_characters",
            "This text cannot contain control characters (tabs and line breaks are fine).",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_and_newlines_pass_and_other_control_characters_do_not() {
        assert!(refuse_control_characters("title", "a\tb\nc").is_ok());
        for bad in ["a\0b", "a\rb", "\u{7}", "\u{1b}[31m", "\u{7f}", "\u{85}"] {
            let error = refuse_control_characters("title", bad).unwrap_err();
            assert_eq!(error.loc, ["body", "title"], "{bad:?}");
            assert_eq!(error.kind, "value_error.control_characters");
        }
    }

    #[test]
    fn windows_line_breaks_become_newlines() {
        assert_eq!(unify_line_breaks("a\r\nb"), "a\nb");
        assert_eq!(unify_line_breaks("a\nb"), "a\nb");
        assert!(refuse_control_characters("d", &unify_line_breaks("a\r\nb")).is_ok());
    }
}
