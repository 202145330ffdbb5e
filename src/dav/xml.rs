//! The XML of WebDAV and CalDAV requests, read with `quick-xml`'s namespace-aware reader, and
//! the `multistatus` answers, written with its escaping. A request body is read into a small
//! tree of elements (names resolved to their namespaces, text unescaped), then the parts a
//! method needs are picked out of it.

use quick_xml::{
    escape::{escape, resolve_predefined_entity},
    events::Event,
    name::ResolveResult,
    NsReader,
};

pub const DAV: &str = "DAV:";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const CALSERVER: &str = "http://calendarserver.org/ns/";

/// The deepest a request body may nest: the deepest request the server reads nests 6.
const MAX_DEPTH: usize = 32;

/// An element of a request: its namespace, local name, attributes, children and text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    pub namespace: String,
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn is(&self, namespace: &str, name: &str) -> bool {
        self.namespace == namespace && self.name == name
    }

    /// The first child named so.
    pub fn child(&self, namespace: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(namespace, name))
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// A property's name: its namespace and local name.
pub type Name = (String, String);

/// Reads a request body into its root element: 400 (with why) for a body that is no XML.
pub fn parse(body: &str) -> Result<Element, String> {
    let mut reader = NsReader::from_str(body);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("The XML body could not be read: {e}."))?;
        let namespace = match resolved {
            ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
            _ => String::new(),
        };
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err("The XML body nests too deeply.".into());
                }
                stack.push(element(namespace, &start));
            }
            Event::Empty(start) => {
                let element = element(namespace, &start);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Ok(element),
                }
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("The XML body is not well formed.")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(text) => {
                if let Some(current) = stack.last_mut() {
                    let text = text.decode().map_err(|e| format!("Bad text: {e}."))?;
                    current.text.push_str(&text);
                }
            }
            Event::CData(data) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&String::from_utf8_lossy(&data));
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(current) = stack.last_mut() {
                    if let Ok(Some(c)) = reference.resolve_char_ref() {
                        current.text.push(c);
                    } else {
                        let name = reference.decode().map_err(|e| format!("Bad text: {e}."))?;
                        let resolved = resolve_predefined_entity(&name)
                            .ok_or("The XML body names an unknown entity.")?;
                        current.text.push_str(resolved);
                    }
                }
            }
            Event::Eof => return Err("The XML body ends before its root element does.".into()),
            _ => {}
        }
    }
}

/// An element as its start tag gives it (no children or text yet).
fn element(namespace: String, start: &quick_xml::events::BytesStart) -> Element {
    let mut element = Element {
        namespace,
        name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
        ..Element::default()
    };
    for attribute in start.attributes().flatten() {
        let key = String::from_utf8_lossy(attribute.key.local_name().as_ref()).into_owned();
        let value = attribute
            .unescape_value()
            .map(|v| v.into_owned())
            .unwrap_or_default();
        element.attributes.push((key, value));
    }
    element
}

/// The property names a `<prop>` element asks for.
pub fn names(prop: &Element) -> Vec<Name> {
    prop.children
        .iter()
        .map(|c| (c.namespace.clone(), c.name.clone()))
        .collect()
}

/// A `multistatus` answer being written.
pub struct Multistatus {
    out: String,
}

/// A property's value in an answer: escaped text, or XML written by this module.
pub enum Value {
    Text(String),
    Xml(String),
}

impl Default for Multistatus {
    fn default() -> Self {
        Self::new()
    }
}

impl Multistatus {
    pub fn new() -> Self {
        Self {
            out: format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:multistatus xmlns:d=\"{DAV}\" \
                 xmlns:c=\"{CALDAV}\" xmlns:cs=\"{CALSERVER}\">"
            ),
        }
    }

    /// One resource: the properties found (with their values) and those it does not have.
    pub fn response(&mut self, href: &str, found: &[(Name, Value)], missing: &[Name]) {
        self.out.push_str("<d:response><d:href>");
        self.out.push_str(&escape(href));
        self.out.push_str("</d:href>");
        if !found.is_empty() {
            self.out.push_str("<d:propstat><d:prop>");
            for (name, value) in found {
                let tag = tag(name);
                match value {
                    Value::Text(text) if text.is_empty() => {
                        self.out.push_str(&format!("<{tag}/>"));
                    }
                    Value::Text(text) => {
                        self.out.push_str(&format!(
                            "<{tag}>{}</{}>",
                            escape(text.as_str()),
                            close(&tag)
                        ));
                    }
                    Value::Xml(xml) => {
                        self.out
                            .push_str(&format!("<{tag}>{xml}</{}>", close(&tag)));
                    }
                }
            }
            self.out
                .push_str("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>");
        }
        if !missing.is_empty() {
            self.out.push_str("<d:propstat><d:prop>");
            for name in missing {
                self.out.push_str(&format!("<{}/>", tag(name)));
            }
            self.out
                .push_str("</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>");
        }
        self.out.push_str("</d:response>");
    }

    /// Properties a `PROPPATCH` did not set, with why (`403 Forbidden`, `424 Failed
    /// Dependency`).
    pub fn failed(&mut self, href: &str, names: &[Name], status: &str) {
        if names.is_empty() {
            return;
        }
        self.out.push_str("<d:response><d:href>");
        self.out.push_str(&escape(href));
        self.out.push_str("</d:href><d:propstat><d:prop>");
        for name in names {
            self.out.push_str(&format!("<{}/>", tag(name)));
        }
        self.out.push_str(&format!(
            "</d:prop><d:status>HTTP/1.1 {status}</d:status></d:propstat></d:response>"
        ));
    }

    /// A resource that is gone (a sync report's deletion) or was not found (a multiget's).
    pub fn status(&mut self, href: &str, status: &str) {
        self.out.push_str(&format!(
            "<d:response><d:href>{}</d:href><d:status>HTTP/1.1 {status}</d:status></d:response>",
            escape(href)
        ));
    }

    /// Ends the answer; a sync report adds its new token.
    pub fn finish(mut self, sync_token: Option<&str>) -> String {
        if let Some(token) = sync_token {
            self.out
                .push_str(&format!("<d:sync-token>{}</d:sync-token>", escape(token)));
        }
        self.out.push_str("</d:multistatus>\n");
        self.out
    }
}

/// The tag a property is written with: a known namespace's prefix, or its own declaration.
fn tag((namespace, name): &Name) -> String {
    let prefix = match namespace.as_str() {
        DAV => "d",
        CALDAV => "c",
        CALSERVER => "cs",
        _ => {
            return format!("x:{name} xmlns:x=\"{}\"", escape(namespace.as_str()));
        }
    };
    format!("{prefix}:{name}")
}

/// The closing tag of an element opened with [`tag`] (without its declaration).
fn close(tag: &str) -> &str {
    tag.split(' ').next().unwrap_or(tag)
}

/// An `<d:href>` element, for a property whose value is one.
pub fn href(path: &str) -> String {
    format!("<d:href>{}</d:href>", escape(path))
}

/// A WebDAV error body (`<d:error>` with one precondition), as RFC 4918 answers a failed
/// precondition.
pub fn error(namespace_prefix: &str, condition: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error xmlns:d=\"{DAV}\" \
         xmlns:c=\"{CALDAV}\"><{namespace_prefix}:{condition}/></d:error>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_propfind_is_read_with_its_namespaces_whatever_their_prefixes() {
        let body = r#"<?xml version="1.0"?><A:propfind xmlns:A="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
            <A:prop><A:displayname/><C:calendar-home-set/><getctag xmlns="http://calendarserver.org/ns/"/></A:prop></A:propfind>"#;
        let root = parse(body).unwrap();
        assert!(root.is(DAV, "propfind"));
        let prop = root.child(DAV, "prop").unwrap();
        assert_eq!(
            names(prop),
            vec![
                (DAV.to_string(), "displayname".to_string()),
                (CALDAV.to_string(), "calendar-home-set".to_string()),
                (CALSERVER.to_string(), "getctag".to_string()),
            ]
        );
    }

    #[test]
    fn text_is_unescaped_and_a_broken_body_is_refused() {
        let body = r#"<d:a xmlns:d="DAV:"><d:href>/dav/x/a&amp;b%20c.ics</d:href></d:a>"#;
        let root = parse(body).unwrap();
        assert_eq!(root.child(DAV, "href").unwrap().text, "/dav/x/a&b%20c.ics");
        assert!(parse("<d:a xmlns:d=\"DAV:\"><d:b></d:a>").is_err());
        assert!(parse("<a>").is_err());
        assert!(parse("not xml").is_err());
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn answers_escape_what_they_carry() {
        let mut answer = Multistatus::new();
        answer.response(
            "/dav/u/l/<x>.ics",
            &[(
                (DAV.into(), "displayname".into()),
                Value::Text("<script>&".into()),
            )],
            &[("urn:x".into(), "odd".into())],
        );
        let xml = answer.finish(Some("urn:todo:sync:1"));
        assert!(xml.contains("/dav/u/l/&lt;x&gt;.ics"));
        assert!(xml.contains("<d:displayname>&lt;script&gt;&amp;</d:displayname>"));
        assert!(xml.contains("<x:odd xmlns:x=\"urn:x\"/>"));
        assert!(parse(&xml).is_ok());
    }
}
