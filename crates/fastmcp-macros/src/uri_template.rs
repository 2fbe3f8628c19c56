//! The variables of a resource's RFC 6570 URI template, checked at compile time with the
//! parser the server matches URIs with ([`fastmcp_uri_template`]).

use fastmcp_uri_template::UriTemplate;

pub(crate) use fastmcp_uri_template::has_scheme;

/// One variable of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Var {
    pub(crate) name: String,
}

/// The variables of `template`, in order; an error message when it is not a valid
/// RFC 6570 (level 4) template or names a variable twice.
pub(crate) fn parse(template: &str) -> Result<Vec<Var>, String> {
    let t = UriTemplate::parse(template).map_err(|e| e.0)?;
    let mut vars: Vec<Var> = Vec::new();
    for name in t.variables() {
        if vars.iter().any(|v| v.name == name) {
            return Err(format!(
                "the URI template names the variable `{name}` twice"
            ));
        }
        vars.push(Var {
            name: name.to_owned(),
        });
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_and_errors() {
        let names: Vec<_> = parse("x://{a}{/seg*}{?q,lang}{&page}{v:3}")
            .unwrap()
            .into_iter()
            .map(|v| v.name)
            .collect();
        assert_eq!(names, ["a", "seg", "q", "lang", "page", "v"]);
        assert!(parse("x://{a,a}").unwrap_err().contains("twice"));
        assert_eq!(
            parse("users://{id").unwrap_err(),
            "unclosed `{` in the URI template"
        );
    }
}
